"""The official CSL processor test suite as a conformance harness for CSL engines.

The CSL project's processor tests (repository citation-style-language/test-suite,
folder ``processor-tests/humans``) are text fixtures: a style, CSL-JSON items,
how to cite them, and the exact output citeproc-js gives. This module reads
them (:func:`load_fixtures`), runs them with an engine (:func:`run_fixture`)
and compares the output with the expected one as the reference runner does
(:func:`normalize_output`).

The fixtures
------------

A fixture file holds sections between ``>>===== NAME =====>>`` and
``<<===== NAME =====<<`` lines:

``MODE``
    ``citation`` or ``bibliography``, optionally with ``-`` submodes
    (``bibliography-nosort``, ``bibliography-header``, ``citation-rtf``, ...).
``RESULT``
    The expected output, in citeproc-js's HTML conventions: ``&#38;`` for
    ``&``, ``&#60;``/``&#62;`` for ``<``/``>``, ``<i>``, ``<b>``, ``<sup>``,
    ``<sub>``, ``<span style="font-variant:small-caps;">``.
``CSL``, ``INPUT``
    The style, and the CSL-JSON items.
``CITATION-ITEMS`` (optional)
    Clusters to cite: a list of lists of cite objects (``id``, ``locator``,
    ``label``, ``prefix``, ``suffix``, ``suppress-author``, ...).
``CITATIONS`` (optional)
    A sequence of citeproc-js ``processCitationCluster(citation, pre, post)``
    calls, as ``[citation, pre, post]`` triples.
``BIBENTRIES``, ``BIBSECTION``, ``ABBREVIATIONS`` (optional)
    Sets of item ids registered in turn, a bibliography selection, and
    abbreviation lists.

How the reference runner (citeproc-js's) uses them, and so how an engine
must:

* Items are registered first: the ids of the last ``BIBENTRIES`` set, or, when
  there is neither ``BIBENTRIES`` nor ``CITATIONS``, every input item in input
  order (:meth:`Fixture.registered_ids`). The registry is then in bibliography
  order when the style sorts its bibliography (unless the ``nosort`` submode
  is given), in registration order otherwise.
* Citation mode with ``CITATION-ITEMS``: each cluster is rendered in turn; the
  output is the clusters joined by newlines.
* Citation mode with neither ``CITATION-ITEMS`` nor ``CITATIONS``: *one*
  cluster citing every registered item, in registry order.
* Citation mode with ``CITATIONS``: the calls build a document
  (:func:`document_states`): each call places its citation between the
  citations listed in ``pre`` and ``post`` (with the note numbers given there)
  and drops those listed in neither. The output lists the final document, one
  line per citation, ``>>[i] text`` for a citation that the last call added or
  whose text it changed, ``..[i] text`` for the others
  (:func:`render_citation_calls` computes this from a function that renders a
  whole document).
* Bibliography mode: the citations above are processed (so that the registry
  holds the cited items), then the bibliography is rendered as
  ``<div class="csl-bib-body">`` and one ``  <div class="csl-entry">...</div>``
  line per entry, then ``</div>`` (:func:`wrap_bibliography`).

The engine protocol
-------------------

An engine is any object with a ``name`` and two methods, each taking a
:class:`Fixture` and returning the whole output text for it, in citeproc-js's
HTML conventions (see :class:`Engine`). It may raise any exception: the
harness turns it into a failed :class:`Outcome`; :class:`UnsupportedFixture`
says that a fixture uses something the engine does not do. Engines are built
without arguments (``Engine()``) by :func:`available_engines` and
:func:`default_engine`; citekit's own engine is expected as
``citekit.csl.engine.CitekitEngine``. :class:`CiteprocPyEngine` is the
reference implementation of the protocol, on citeproc-py alone.

Where the fixtures are: :func:`default_suite_folder` (the environment variable
``CITEKIT_CSL_SUITE``, or ``shared/csl-test-suite/humans`` beside the
repository checkout).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from citekit.csl import passes
from citekit.csl.passes import to_citeproc_js_html
from citekit.csl.positions import cite_positions
from citekit.errors import CitekitError, ParseError
from citekit.model._frozen import FrozenMap, deep_freeze
from citekit.model.library import Problem

if TYPE_CHECKING:
    from citekit.csl.engine import Processor

__all__ = [
    "BEYOND_CSL_SECTIONS",
    "CSL_ELEMENTS",
    "CSL_M_ATTRIBUTES",
    "KNOWN_FAILURES_COMMAND",
    "SUITE_ENV",
    "CitekitEngine",
    "CiteprocPyEngine",
    "Cluster",
    "Engine",
    "Fixture",
    "Outcome",
    "UnsupportedFixture",
    "available_engines",
    "beyond_csl",
    "cite_positions",
    "default_engine",
    "default_suite_folder",
    "document_states",
    "format_known_failures",
    "load_fixtures",
    "normalize_output",
    "parse_fixture",
    "read_fixtures",
    "read_known_failures",
    "render_citation_calls",
    "run_fixture",
    "thaw",
    "to_citeproc_js_html",
    "updated_known_failures",
    "wrap_bibliography",
]

SUITE_ENV = "CITEKIT_CSL_SUITE"
"""The environment variable naming the folder of fixture files, if set."""

_JSON_SECTIONS = frozenset(
    {
        "INPUT",
        "CITATION-ITEMS",
        "CITATIONS",
        "BIBENTRIES",
        "BIBSECTION",
        "ABBREVIATIONS",
        "OPTIONS",
    }
)
#: Sections of citeproc-js's own fixtures that ask for its features beyond CSL
#: 1.0.2 and CSL-JSON (multilingual variants, its engine options).
BEYOND_CSL_SECTIONS = frozenset({"OPTIONS", "OPTIONZ", "LANGPARAMS", "MULTIAFFIX"})
_REQUIRED_SECTIONS = ("MODE", "RESULT", "CSL", "INPUT")
_OPEN = re.compile(r"^\s*>>=+\s*([A-Z][A-Z0-9-]*)\s*=+>>\s*$")
_CLOSE = re.compile(r"^\s*<<=+\s*([A-Z][A-Z0-9-]*)\s*=+<<\s*$")


def default_suite_folder() -> Path:
    """The folder of fixture files: ``$CITEKIT_CSL_SUITE``, or the shared copy.

    The shared copy is ``shared/csl-test-suite/humans`` in the folder that
    holds the repository checkout. It is looked for in each folder above this
    module (an editable install, or a virtual environment inside the
    checkout), then in the current folder and each folder above it (a
    checkout run with citekit installed elsewhere); the first that exists is
    the one. When none does, the place beside the checkout of an editable
    install is returned: callers check that the folder exists.
    """
    configured = os.environ.get(SUITE_ENV)
    if configured:
        return Path(configured)
    tail = Path("shared", "csl-test-suite", "humans")
    here = Path(__file__).resolve()
    cwd = Path.cwd().resolve()
    for folder in (*here.parents, cwd, *cwd.parents):
        if (folder / tail).is_dir():
            return folder / tail
    return here.parents[2].parent / tail


def thaw(value: Any) -> Any:
    """A plain, mutable copy of a fixture's JSON value (dicts and lists)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value


@attrs.frozen
class Fixture:
    """One test of the CSL processor suite, as read from its file.

    JSON sections are deep-frozen (objects as mappings, arrays as tuples);
    :func:`thaw` gives plain copies. Optional sections are ``None`` when absent.
    """

    name: str
    """The file name without ``.txt``, e.g. ``name_WithParticle``."""
    category: str
    """The feature area: the name up to the first ``_`` (``name``, ``date``...)."""
    mode: str
    """The MODE section: ``citation`` or ``bibliography``, maybe with submodes."""
    result: str
    """The expected output, as written in the RESULT section."""
    csl: str
    """The style, as XML text."""
    items: tuple[FrozenMap[str, Any], ...]
    """The INPUT section: CSL-JSON items."""
    citation_items: tuple[tuple[FrozenMap[str, Any], ...], ...] | None = None
    """CITATION-ITEMS: clusters of cite objects."""
    citations: tuple[Any, ...] | None = None
    """CITATIONS: ``(citation, pre, post)`` processCitationCluster calls."""
    bibentries: tuple[tuple[Any, ...], ...] | None = None
    """BIBENTRIES: sets of item ids registered in turn."""
    bibsection: Any = None
    """BIBSECTION: a bibliography selection (select/include/exclude/quash)."""
    abbreviations: Any = None
    """ABBREVIATIONS: abbreviation lists by jurisdiction and category."""
    options: Any = None
    """OPTIONS: citeproc-js engine options (beyond CSL 1.0.2; unsupported)."""
    sections: frozenset[str] = frozenset()
    """The names of every section the file has (``MODE``, ``CSL``, ``LANGPARAMS``...)."""
    description: str | None = None
    """DESCRIPTION, when the fixture has one."""
    version: str | None = None
    """VERSION: the CSL version the fixture was written for."""
    path: str | None = None
    """The file the fixture was read from, for messages."""

    @property
    def base_mode(self) -> str:
        """The mode without submodes: ``citation`` or ``bibliography``."""
        return self.mode.split("-")[0]

    @property
    def citations_document(self) -> bool:
        """Whether CITATIONS lists the document's citations, not processCitationCluster calls.

        citeproc-js's fixtures give ``[citation, pre, post]`` calls; jgm/citeproc's
        give the citation objects themselves, in document order (a later one with
        the same ``citationID`` replacing the earlier), and compare the
        citations' texts without the ``>>[0]`` and ``..[1]`` marks.
        """
        return bool(self.citations) and all(
            isinstance(call, Mapping) or _is_cite_list(call) for call in self.citations or ()
        )

    @property
    def submodes(self) -> frozenset[str]:
        """The submodes after the mode (``nosort``, ``header``, ``rtf``...)."""
        return frozenset(self.mode.split("-")[1:])

    def input_json(self) -> list[dict[str, Any]]:
        """Plain copies of the input items, each with an ``id``.

        An item without one is known by its position in INPUT (1, 2, ...),
        as citeproc-js's runner knows it by the key ``undefined``.
        """
        items = []
        for position, item in enumerate(thaw(self.items), start=1):
            item.setdefault("id", position)
            items.append(item)
        return items

    def item_ids(self) -> list[str]:
        """The ids of the input items (see :meth:`input_json`), as strings."""
        return [str(item["id"]) for item in self.input_json()]

    def registered_ids(self) -> list[str]:
        """The item ids registered before anything is cited (see the module doc).

        The last BIBENTRIES set if there is one; else every input item when
        there are no CITATIONS; else none (citations register what they cite).
        """
        if self.bibentries:
            return [str(item_id) for item_id in self.bibentries[-1]]
        if self.citations is None:
            return self.item_ids()
        return []


def _problem(path: str | None, line: int | None, message: str) -> ParseError:
    return ParseError(Problem(message=message, path=path, line=line))


def parse_fixture(text: str, *, name: str, path: str | None = None) -> Fixture:
    """Read one fixture from its text.

    :param name: the fixture's name (the file name without ``.txt``).
    :param path: the file, named in error messages.
    :raises citekit.ParseError: for a section left open or closed without
        being opened, a missing required section, bad JSON or a bad MODE;
        the problem gives the file and line.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    sections: dict[str, tuple[int, list[str]]] = {}
    current: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        opening = _OPEN.match(line)
        closing = _CLOSE.match(line)
        if opening:
            section = opening.group(1)
            if current is not None:
                raise _problem(
                    path, number, f"section {section} opens before section {current} is closed"
                )
            if section in sections:
                raise _problem(path, number, f"section {section} appears twice")
            current = section
            sections[section] = (number, [])
        elif closing:
            section = closing.group(1)
            if current is None:
                raise _problem(
                    path, number, f"section {section} closes here, expected a section to open"
                )
            # A closing line with another section's name still ends the open
            # section (a slip found in other processors' fixtures, which
            # their runners read so): no other reading of it is possible.
            current = None
        elif current is not None:
            sections[current][1].append(line)
    if current is not None:
        raise _problem(path, sections[current][0], f"section {current} is never closed")
    for required in _REQUIRED_SECTIONS:
        if required not in sections:
            raise _problem(path, None, f"required section {required} is missing")

    def raw(section: str) -> str | None:
        if section not in sections:
            return None
        return "\n".join(sections[section][1])

    def parsed(section: str) -> Any:
        content = raw(section)
        if content is None:
            return None
        try:
            value = json.loads(content)
        except json.JSONDecodeError as error:
            start = sections[section][0]
            raise _problem(
                path, start + error.lineno, f"section {section}: invalid JSON: {error.msg}"
            ) from None
        return deep_freeze(value)

    mode = (raw("MODE") or "").strip()
    if mode.split("-")[0] not in ("citation", "bibliography"):
        raise _problem(
            path,
            sections["MODE"][0] + 1,
            f"section MODE: expected 'citation' or 'bibliography' (with optional "
            f"-submodes), got {mode!r}",
        )
    items = parsed("INPUT")
    if not isinstance(items, tuple) or not all(isinstance(i, Mapping) for i in items):
        raise _problem(
            path, sections["INPUT"][0] + 1, "section INPUT: expected a JSON array of objects"
        )
    extra_json = {section: parsed(section) for section in _JSON_SECTIONS - {"INPUT"}}
    description = raw("DESCRIPTION")
    version = raw("VERSION")
    return Fixture(
        name=name,
        category=name.split("_", 1)[0],
        mode=mode,
        result=raw("RESULT") or "",
        csl=raw("CSL") or "",
        items=items,
        citation_items=extra_json["CITATION-ITEMS"],
        citations=extra_json["CITATIONS"],
        bibentries=extra_json["BIBENTRIES"],
        bibsection=extra_json["BIBSECTION"],
        abbreviations=extra_json["ABBREVIATIONS"],
        options=extra_json["OPTIONS"],
        sections=frozenset(sections),
        description=description.strip() if description is not None else None,
        version=version.strip() if version is not None else None,
        path=path,
    )


def read_fixtures(
    folder: str | os.PathLike[str] | None = None,
) -> tuple[list[Fixture], list[ParseError]]:
    """Every readable fixture of ``folder``, and the problem of each file that is not.

    As :func:`load_fixtures`, for folders of fixtures from elsewhere (other
    processors' regression tests), where one malformed file should not hide
    the others.
    """
    root = Path(folder) if folder is not None else default_suite_folder()
    if not root.is_dir():
        raise FileNotFoundError(f"no CSL test-suite folder at {root} (set ${SUITE_ENV})")
    fixtures, problems = [], []
    for file in sorted(root.glob("*.txt")):
        text = file.read_text(encoding="utf-8-sig", errors="replace")
        try:
            fixtures.append(parse_fixture(text, name=file.stem, path=str(file)))
        except ParseError as problem:
            problems.append(problem)
    return fixtures, problems


def load_fixtures(folder: str | os.PathLike[str] | None = None) -> list[Fixture]:
    """Every fixture (``*.txt``) at the top level of ``folder``, sorted by name.

    :param folder: defaults to :func:`default_suite_folder`.
    :raises citekit.ParseError: for a malformed fixture file (which, where).
    :raises FileNotFoundError: when the folder does not exist.
    """
    root = Path(folder) if folder is not None else default_suite_folder()
    if not root.is_dir():
        raise FileNotFoundError(f"no CSL test-suite folder at {root} (set ${SUITE_ENV})")
    fixtures = []
    for file in sorted(root.glob("*.txt")):
        text = file.read_text(encoding="utf-8-sig")
        fixtures.append(parse_fixture(text, name=file.stem, path=str(file)))
    return fixtures


def normalize_output(text: str) -> str:
    """An output or RESULT made comparable, as the reference runner compares them.

    citeproc-js's runner compares its output, newlines normalised, with the
    RESULT section byte for byte; the suite's own fixture grinder strips the
    RESULT of surrounding whitespace. So: line endings become ``\\n`` and
    surrounding whitespace goes; nothing else (markup, entities, inner
    whitespace) is touched.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@attrs.frozen
class Outcome:
    """What running one fixture gave."""

    passed: bool
    """Whether the normalised output equals the normalised RESULT."""
    expected: str
    """The normalised RESULT."""
    actual: str | None
    """The normalised output, ``None`` when the engine raised."""
    error: str | None = None
    """``ExceptionClass: message`` when the engine raised."""
    unsupported: bool = False
    """Whether the engine declared the fixture unsupported."""
    seconds: float = 0.0
    """How long the engine took."""

    @property
    def reason(self) -> str | None:
        """A one-line reason for a failure, ``None`` for a pass.

        ``unsupported: ...``, ``exception: KeyError`` or ``output differs``.
        """
        if self.passed:
            return None
        if self.error is not None:
            name, _, message = self.error.partition(": ")
            if self.unsupported:
                return f"unsupported: {message or name}"
            return f"exception: {name}"
        return "output differs"


class UnsupportedFixture(Exception):
    """Raised by an engine for a fixture that uses something it does not do.

    The message says what (``"abbreviations"``, ``"mode citation-rtf"``).
    """


@runtime_checkable
class Engine(Protocol):
    """The interface the harness runs: a CSL processor under test.

    An engine is built without arguments. Each method gets a whole
    :class:`Fixture`, reads what it needs (``csl``, ``items``, ``mode`` and
    ``submodes``, ``citation_items``, ``citations``, ``registered_ids()``,
    ...) and returns the full output, in citeproc-js's HTML conventions
    (:func:`to_citeproc_js_html` describes them). Exceptions are allowed:
    :func:`run_fixture` records them as failures.
    """

    name: str
    """A short name for reports, e.g. ``"citeproc-py"``."""

    def render_citations(self, fixture: Fixture) -> str:
        """The output of a ``citation`` mode fixture.

        With CITATIONS: the final document, one ``>>[i] text`` or
        ``..[i] text`` line per citation (:func:`render_citation_calls`
        builds it). Otherwise the clusters of CITATION-ITEMS, or the one
        cluster of every registered item, one line each.
        """
        ...

    def render_bibliography(self, fixture: Fixture) -> str:
        """The output of a ``bibliography`` mode fixture.

        After processing the fixture's citations, the bibliography of the
        registered items, as :func:`wrap_bibliography` lays it out.
        """
        ...


_CITATION_MARK = re.compile(r"^(?:>>|\.\.)\[\d+\] ?", re.MULTILINE)


def run_fixture(fixture: Fixture, engine: Engine) -> Outcome:
    """Run one fixture with an engine and compare the output with RESULT.

    Every exception the engine raises (but ``KeyboardInterrupt`` and
    ``SystemExit``) gives a failed outcome that names it.
    """
    expected = normalize_output(fixture.result)
    if fixture.base_mode == "citation" and fixture.citations_document:
        expected = _CITATION_MARK.sub("", expected)
    start = time.perf_counter()
    try:
        if fixture.base_mode == "bibliography":
            output = engine.render_bibliography(fixture)
        else:
            output = engine.render_citations(fixture)
        if not isinstance(output, str):
            raise TypeError(f"the engine returned {type(output).__name__}, not str")
    except UnsupportedFixture as error:
        return Outcome(
            passed=False,
            expected=expected,
            actual=None,
            error=f"UnsupportedFixture: {error}",
            unsupported=True,
            seconds=time.perf_counter() - start,
        )
    except Exception as error:
        message = " ".join(str(error).split())[:300]
        return Outcome(
            passed=False,
            expected=expected,
            actual=None,
            error=f"{type(error).__name__}: {message}",
            seconds=time.perf_counter() - start,
        )
    actual = normalize_output(output)
    return Outcome(
        passed=actual == expected,
        expected=expected,
        actual=actual,
        seconds=time.perf_counter() - start,
    )


# Known failures ----------------------------------------------------------

KNOWN_FAILURES_COMMAND = "python benchmarks/csl_suite.py --write-known-failures"
"""The command that regenerates ``tests/csl_known_failures.txt``."""


def read_known_failures(text: str, *, path: str | None = None) -> tuple[str | None, dict[str, str]]:
    """The engine name and the ``{fixture name: reason}`` of a known-failures file.

    The file has ``# comment`` lines, one ``# engine: NAME`` line, and one
    ``fixture_Name  # reason`` line per known failure.

    :raises citekit.ParseError: for a line without a reason, or a name listed twice.
    """
    engine: str | None = None
    failures: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comment = stripped.lstrip("#").strip()
            if comment.startswith("engine:"):
                engine = comment.removeprefix("engine:").strip() or None
            continue
        name, separator, reason = stripped.partition(" # ")
        name, reason = name.strip(), reason.strip()
        if not separator or not reason or " " in name:
            raise _problem(path, number, f"expected 'fixture_Name # reason', got {stripped!r}")
        if name in failures:
            raise _problem(path, number, f"fixture {name} is listed twice")
        failures[name] = reason
    return engine, failures


def format_known_failures(engine: str, failures: Mapping[str, str]) -> str:
    """The text of a known-failures file (see :func:`read_known_failures`)."""
    width = max((len(name) for name in failures), default=0)
    lines = [
        "# CSL processor test-suite fixtures that the default engine fails, with why.",
        "# tests/test_csl_suite.py requires every other fixture to pass and each one",
        "# listed here to fail: a listed fixture that passes fails the run, so this",
        "# list only shrinks. Regenerate it with the command below; what is written",
        "# after a reason ('output differs: why') is kept while the fixture fails so:",
        f"#   {KNOWN_FAILURES_COMMAND}",
        f"# engine: {engine}",
    ]
    lines += [f"{name:<{width}} # {failures[name]}" for name in sorted(failures)]
    return "\n".join(lines) + "\n"


def updated_known_failures(
    known: Mapping[str, str], failures: Mapping[str, str], *, allow_new: bool = False
) -> dict[str, str]:
    """The known failures to write after a run: what fails now, if that adds nothing.

    ``known`` is the list as it stands, ``failures`` what fails now (name to
    reason). The list only shrinks: a fixture that fails now but is not in
    ``known`` is a regression, refused unless ``allow_new`` says it is meant.
    A listed explanation after the reason (``"output differs: why"``) is kept
    while the fixture still fails for that reason.

    :raises citekit.CitekitError: naming the new failures, when ``allow_new`` is false.
    """
    new = sorted(set(failures) - set(known))
    if new and not allow_new:
        raise CitekitError(
            f"{len(new)} fixture(s) fail that tests/csl_known_failures.txt does not list: "
            f"{', '.join(new)}; fix them, or add them on purpose with --allow-new-failures"
        )
    kept = {}
    for name, reason in failures.items():
        listed = known.get(name, "")
        # the explanation written after the run's reason ("output differs: why") stays
        # while the fixture fails the same way
        kept[name] = listed if listed.startswith(f"{reason}: ") else reason
    return kept


# Building blocks for engines ------------------------------------------------


@attrs.frozen
class Cluster:
    """One citation of a document built by CITATIONS calls."""

    citation_id: str
    """The citation's ``citationID``."""
    note_index: int
    """The note it sits in (0 for in-text), as the latest call placed it."""
    items: tuple[FrozenMap[str, Any], ...]
    """Its cite objects (``citationItems``)."""
    properties: FrozenMap[str, Any] = attrs.field(factory=FrozenMap)
    """Its ``properties`` (``noteIndex``, maybe ``mode``...)."""


def _note_index(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _citation_id(citation: Mapping[str, Any], number: int) -> str:
    return str(citation.get("citationID", f"CITATION-{number}"))


def _placed(entries: Iterable[Any], known: Mapping[str, Cluster], number: int) -> list[Cluster]:
    """The citations a ``pre`` or ``post`` list names, with the note numbers it gives."""
    out = []
    for entry in entries:
        entry_id, note = str(entry[0]), _note_index(entry[1] if len(entry) > 1 else 0)
        if entry_id not in known:
            raise ValueError(f"CITATIONS call {number}: unknown citation {entry_id!r}")
        out.append(attrs.evolve(known[entry_id], note_index=note))
    return out


def _is_cite_list(value: Any) -> bool:
    """Whether a CITATIONS entry is a bare list of cites (``[{"id": ...}, ...]``)."""
    return isinstance(value, tuple) and all(
        isinstance(cite, Mapping) and "id" in cite and "citationItems" not in cite for cite in value
    )


def _cluster(citation: Any, number: int) -> Cluster:
    """The cluster a CITATIONS citation object, or list of cites, gives (``number``: its place)."""
    if not isinstance(citation, Mapping):
        citation = FrozenMap({"citationItems": citation})
    properties = citation.get("properties") or FrozenMap()
    return Cluster(
        citation_id=_citation_id(citation, number),
        note_index=_note_index(properties.get("noteIndex")),
        items=tuple(citation.get("citationItems") or ()),
        properties=properties,
    )


def document_states(fixture: Fixture) -> list[list[Cluster]]:
    """The document after each CITATIONS call, in order (empty without CITATIONS).

    A call ``[citation, pre, post]`` gives the document ``pre`` + the citation
    + ``post``: ``pre`` and ``post`` list ``[citationID, noteIndex]`` of
    citations already seen, and a citation listed in neither is dropped. A
    call may re-send a known ``citationID``: its new content replaces the old.
    """
    states: list[list[Cluster]] = []
    known: dict[str, Cluster] = {}
    if fixture.citations_document:
        clusters = [
            _cluster(citation, number)
            for number, citation in enumerate(fixture.citations or (), start=1)
        ]
        last = {cluster.citation_id: index for index, cluster in enumerate(clusters)}
        return [[c for index, c in enumerate(clusters) if last[c.citation_id] == index]]
    for number, call in enumerate(fixture.citations or (), start=1):
        if not isinstance(call, tuple) or len(call) != 3 or not isinstance(call[0], Mapping):
            raise ValueError(f"CITATIONS call {number}: expected [citation, pre, post]")
        citation, pre, post = call
        citation_id = _citation_id(citation, number)
        known[citation_id] = _cluster(citation, number)

        document = [
            *_placed(pre, known, number),
            known[citation_id],
            *_placed(post, known, number),
        ]
        for cluster in document:
            known[cluster.citation_id] = cluster
        states.append(document)
    return states


def render_citation_calls(
    fixture: Fixture, render_document: Callable[[Sequence[Cluster]], Sequence[str]]
) -> str:
    """The citation output of a fixture with CITATIONS, from a document renderer.

    ``render_document`` renders a whole document from scratch: the texts of
    its citations, in order. It is called for the final document and for the
    one before the last call. As citeproc-js's ``processCitationCluster``
    reports them, a citation is marked ``>>`` (the others ``..``) when:

    * the last call placed it (it is new, or its content was re-sent);
    * its text changed (its items' disambiguation changed, say);
    * the position of one of its cites, its ``first-reference-note-number``
      or its ``near-note`` test changed (:func:`cite_positions`);
    * it cites an item for which some cite's ``first-reference-note-number``
      changed: citeproc-js then re-renders every citation of that item.
    """
    if fixture.citations is None:
        raise ValueError(f"{fixture.name}: no CITATIONS to process")
    states = document_states(fixture)
    if not states:
        return ""  # (an empty CITATIONS section: a document without citations)
    final = states[-1]
    texts = list(render_document(final))
    if len(texts) != len(final):
        raise ValueError(f"rendered {len(texts)} citations for a document of {len(final)}")
    if fixture.citations_document:
        return "\n".join(texts)
    last_id = _citation_id(fixture.citations[-1][0], len(states)) if fixture.citations else ""
    changed = {last_id}
    if len(states) > 1:
        previous = states[-2]
        before = dict(
            zip((c.citation_id for c in previous), render_document(previous), strict=True)
        )
        changed |= {
            c.citation_id
            for c, t in zip(final, texts, strict=True)
            if before.get(c.citation_id) != t
        }
        changed |= _position_taints(previous, final, _near_note_distance(fixture.csl))
    else:
        changed |= {c.citation_id for c in final}
    lines = []
    for index, (cluster, text) in enumerate(zip(final, texts, strict=True)):
        mark = ">>" if cluster.citation_id in changed else ".."
        lines.append(f"{mark}[{index}] {text}")
    return "\n".join(lines)


_NEAR_NOTE_DISTANCE = re.compile(r"<citation\b[^>]*?\bnear-note-distance\s*=\s*[\"'](\d+)[\"']")


def _near_note_distance(csl: str) -> int:
    """The style's ``near-note-distance`` (CSL's default: 5)."""
    match = _NEAR_NOTE_DISTANCE.search(csl)
    return int(match.group(1)) if match else 5


def _position_taints(
    previous: Sequence[Cluster], final: Sequence[Cluster], near_note_distance: int
) -> set[str]:
    """Citations of ``final`` whose cites' position variables changed since ``previous``."""
    before = cite_positions(previous, near_note_distance)
    after = cite_positions(final, near_note_distance)
    tainted: set[str] = set()
    tainted_items: set[str] = set()
    for citation_id, cites in after.items():
        old = before.get(citation_id)
        if old is None:
            continue
        if [c[1:] for c in cites] != [c[1:] for c in old] or len(cites) != len(old):
            tainted.add(citation_id)
        for new_cite, old_cite in zip(cites, old, strict=False):
            if new_cite[2] != old_cite[2]:
                tainted_items.add(new_cite[0])
    for citation_id, cites in after.items():
        if any(cite[0] in tainted_items for cite in cites):
            tainted.add(citation_id)
    return tainted


def wrap_bibliography(entries: Iterable[str]) -> str:
    """Bibliography entries laid out as citeproc-js's HTML output lays them out."""
    body = "".join(f'  <div class="csl-entry">{entry}</div>\n' for entry in entries)
    return f'<div class="csl-bib-body">\n{body}</div>'


# citeproc-py --------------------------------------------------------------


#: The elements of CSL 1.0.2 (its schema's, ``cs:info``'s included).
CSL_ELEMENTS = frozenset(
    [
        "style",
        "info",
        "title",
        "title-short",
        "id",
        "link",
        "author",
        "contributor",
        "name",
        "email",
        "uri",
        "category",
        "issn",
        "eissn",
        "issnl",
        "summary",
        "published",
        "updated",
        "rights",
        "locale",
        "style-options",
        "date",
        "date-part",
        "terms",
        "term",
        "single",
        "multiple",
        "macro",
        "citation",
        "bibliography",
        "sort",
        "key",
        "layout",
        "text",
        "number",
        "label",
        "names",
        "name-part",
        "et-al",
        "substitute",
        "group",
        "choose",
        "if",
        "else-if",
        "else",
    ]
)
#: Attributes that CSL-M adds and CSL 1.0.2 defines on no element.
CSL_M_ATTRIBUTES = frozenset(
    [
        "context",
        "is-plural",
        "has-day",
        "has-year-only",
        "has-to-month-or-season",
        "is-multiple",
        "jurisdiction",
        "subjurisdictions",
        "require",
        "reject",
        "suppress-min",
        "suppress-max",
        "institution-parts",
        "leading-noise-words",
        "name-as-reverse-order",
        "skip-words",
        "locale",
        "parallel-first",
        "parallel-last",
        "parallel-delimiter-override",
        "no-repeat",
        "default-locale-sort",
    ]
)
_CSL_NAMESPACE = "{http://purl.org/net/xbiblio/csl}"
_LOCALE_OPTIONS = frozenset({"punctuation-in-quote", "limit-day-ordinals-to-day-1"})


def beyond_csl(csl: str) -> str | None:
    """What a fixture's style uses beyond CSL 1.0.2 (CSL-M), or None.

    An element CSL 1.0.2 does not define (``cs:institution``, ``cs:intext``,
    ``cs:conditions``...), or an attribute of :data:`CSL_M_ATTRIBUTES`,
    named. (A style that declares CSL-M's version, ``1.1mlz1``, but uses
    only CSL 1.0.2's elements and attributes is in scope.)
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(csl.strip().encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None  # (the engine reports what is wrong with the XML)
    for element in root.iter():
        tag = element.tag
        if isinstance(tag, str) and tag.startswith(_CSL_NAMESPACE):
            local = tag[len(_CSL_NAMESPACE) :]
            if local not in CSL_ELEMENTS:
                return f"CSL-M element <{local}>"
            extra = sorted(set(element.attrib) & CSL_M_ATTRIBUTES)
            if local == "style-options":  # (CSL-M puts name options here)
                extra += sorted(set(element.attrib) - _LOCALE_OPTIONS)
            if extra:
                return f"CSL-M attribute {extra[0]}= on <{local}>"
    return None


#: Keys of a citation object that jgm/citeproc's fixtures use and CSL-JSON's
#: citations (citeproc-js's ``processCitationCluster``) do not have.
_CITATION_EXTENSIONS = frozenset({"citationResetPosition", "prefix", "suffix"})


class CiteprocPyEngine:
    """citeproc-py alone, driven as the reference runner drives citeproc-js.

    The style is read from the fixture's CSL text (without RelaxNG validation,
    which only warns), the items through citeproc-py's ``CiteProcJSON`` and
    the output comes from its HTML formatter, entities rewritten by
    :func:`to_citeproc_js_html`. Input fix-ups that citeproc-py needs and
    citeproc-js does not: an item without a ``type`` gets ``""`` (no type
    condition matches it, as in citeproc-js); ids as :meth:`Fixture.input_json`
    gives them. BIBSECTION, ABBREVIATIONS, the sections of
    :data:`BEYOND_CSL_SECTIONS` (citeproc-js's options and multilingual
    parameters) and submodes other than ``nosort`` are unsupported.
    """

    name = "citeproc-py"
    postprocess: Callable[[str], str] | None = None
    """A pass over each rendered citation and entry (citekit's engine sets one)."""

    def render_citations(self, fixture: Fixture) -> str:
        """See :meth:`Engine.render_citations`."""
        self._check(fixture)
        if fixture.citations is not None:
            return render_citation_calls(
                fixture, lambda document: self._render_document(fixture, document)
            )
        session = _CiteprocPySession(fixture, None, self.make_processor)
        clusters = session.clusters()
        return "\n".join(session.cite(cluster) for cluster in clusters)

    def render_bibliography(self, fixture: Fixture) -> str:
        """See :meth:`Engine.render_bibliography`."""
        self._check(fixture)
        if fixture.citations is not None:
            document = document_states(fixture)[-1]
            session = _CiteprocPySession(fixture, document, self.make_processor)
            for cluster in session.document_clusters:
                session.cite(cluster)
        else:
            session = _CiteprocPySession(fixture, None, self.make_processor)
            if fixture.citation_items is not None:
                for cluster in session.clusters():
                    session.cite(cluster)
        return wrap_bibliography(session.bibliography())

    @staticmethod
    def _check(fixture: Fixture) -> None:
        unsupported = fixture.submodes - {"nosort"}
        if unsupported:
            raise UnsupportedFixture(f"mode {fixture.mode}")
        if fixture.bibsection is not None:
            raise UnsupportedFixture("BIBSECTION")
        if fixture.abbreviations is not None:
            raise UnsupportedFixture("ABBREVIATIONS")
        beyond = sorted(fixture.sections & BEYOND_CSL_SECTIONS)
        if beyond:
            raise UnsupportedFixture(", ".join(beyond))
        extension = beyond_csl(fixture.csl)
        if extension:
            raise UnsupportedFixture(extension)
        for citation in fixture.citations or ():
            if isinstance(citation, Mapping):
                extra = sorted(set(citation) & _CITATION_EXTENSIONS)
                if extra:
                    raise UnsupportedFixture(f"citation {extra[0]} (jgm/citeproc's extension)")

    def make_style(self, csl: str) -> Any:
        """The citeproc-py ``CitationStylesStyle`` for a fixture's CSL text.

        Engines built on citeproc-py with their own style set-up override this.
        """
        import io

        from citeproc import CitationStylesStyle

        return CitationStylesStyle(io.BytesIO(csl.encode("utf-8")), validate=False)

    def make_processor(self, fixture: Fixture) -> Processor:
        """The processor that renders a fixture: its style and input items, set up."""
        from citekit.csl.engine import Processor

        return Processor(
            self.make_style(fixture.csl), fixture.input_json(), postprocess=self.postprocess
        )

    def _render_document(self, fixture: Fixture, document: Sequence[Cluster]) -> list[str]:
        session = _CiteprocPySession(fixture, document, self.make_processor)
        return [session.cite(cluster) for cluster in session.document_clusters]


class _CiteprocPySession:
    """One :class:`~citekit.csl.engine.Processor` set up for a fixture (or a document)."""

    def __init__(
        self,
        fixture: Fixture,
        document: Sequence[Cluster] | None,
        make_processor: Callable[[Fixture], Any],
    ) -> None:
        self.fixture = fixture
        self.processor: Processor = make_processor(fixture)
        registered = fixture.registered_ids()
        if registered:
            self.processor.register(self.processor.citation([{"id": i} for i in registered]))
        self.document_clusters = [
            self.processor.citation(
                thaw(cluster.items),
                citation_id=cluster.citation_id,
                note_index=cluster.note_index,
                unsorted=bool(cluster.properties.get("unsorted")),
                mode=cluster.properties.get("mode"),
                infix=str(cluster.properties.get("infix") or ""),
            )
            for cluster in document or ()
        ]
        for citation in self.document_clusters:
            self.processor.register(citation)
        self._explicit = [
            self.processor.citation(thaw(cluster)) for cluster in fixture.citation_items or ()
        ]
        for citation in self._explicit:
            self.processor.register(citation)
        if "nosort" not in fixture.submodes:
            self.processor.sort()

    def clusters(self) -> list[Any]:
        """CITATION-ITEMS, or one cluster of every registered item in registry order."""
        if self.fixture.citation_items is not None:
            return self._explicit
        everything = self.processor.citation([{"id": key} for key in self.processor.keys])
        self.processor.register(everything)
        return [everything]

    def cite(self, citation: Any) -> str:
        """Render one citation (registered already) as citeproc-js-style HTML."""
        return self.processor.cite(citation)

    def bibliography(self) -> list[str]:
        """The bibliography entries as citeproc-js-style HTML."""
        return [text for _, text in self.processor.bibliography()]


# Engines ------------------------------------------------------------------


class CitekitEngine(CiteprocPyEngine):
    """citekit's own CSL engine (:mod:`citekit.csl.engine`) driven by the harness.

    The style is read and set up by :func:`citekit.csl.styles.load_style`,
    and every rendered citation and entry goes through citekit's output
    passes (:func:`citekit.csl.passes.postprocess`).
    """

    name = "citekit"
    postprocess = staticmethod(passes.postprocess)

    def make_style(self, csl: str) -> Any:
        """The fixture's style, parsed and set up by citekit."""
        from citekit.csl.engine import citeproc_style
        from citekit.csl.styles import load_style

        return citeproc_style(load_style(csl.encode("utf-8")))

    def make_processor(self, fixture: Fixture) -> Processor:
        """A processor of citekit's, on a working tree of the fixture's style."""
        from citekit.csl.engine import Processor
        from citekit.csl.styles import load_style

        return Processor.for_style(load_style(fixture.csl.encode("utf-8")), fixture.input_json())

    def _render_document(self, fixture: Fixture, document: Sequence[Cluster]) -> list[str]:
        """A document of CITATIONS calls, rendered by :class:`citekit.csl.document.Document`."""
        from citekit.csl.document import Document, DocumentCitation
        from citekit.csl.styles import load_style

        if fixture.citation_items is not None:  # registered after the document: the session's way
            return super()._render_document(fixture, document)
        rendered = Document(
            load_style(fixture.csl.encode("utf-8")),
            fixture.input_json(),
            registered=fixture.registered_ids(),
            sort="nosort" not in fixture.submodes,
        )
        rendered.place(
            [
                DocumentCitation(
                    c.citation_id,
                    c.items,
                    c.note_index,
                    bool(c.properties.get("unsorted")),
                    c.properties.get("mode"),
                    str(c.properties.get("infix") or ""),
                )
                for c in document
            ]
        )
        return [text for _, text in rendered.texts()]


def available_engines() -> list[Engine]:
    """Every engine there is: citeproc-py alone, then citekit's own."""
    return [CiteprocPyEngine(), CitekitEngine()]


def default_engine() -> Engine:
    """The engine the conformance tests run: citekit's own (:class:`CitekitEngine`)."""
    return CitekitEngine()
