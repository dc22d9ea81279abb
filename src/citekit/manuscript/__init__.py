"""Writing projects: render a manuscript's citations, notes, quotations and bibliography.

::

    import citekit

    library = citekit.load("examples/serge/serge.yaml")
    text = "Serge answers Burnham [@burnham1945] in a short essay [@serge1944, 3]."
    result = citekit.render_manuscript(text, library, style="apa")
    print(result.text)          # the Markdown, citations rendered, bibliography at the end
    for problem in result.problems:
        print(problem)          # chapter.md:14:22: unknown citation key 'sege1944' (...)

A manuscript is Pandoc Markdown (``[@key, p. 33]``, ``@key``, ``[-@key]``,
footnotes, YAML front matter) or LaTeX (``\\cite``, ``\\textcite``,
``\\footcite``, ``\\printbibliography``); it renders to Markdown, HTML or
LaTeX with the citations in the style's form: in the text for author-date
and numeric styles, in footnotes with the right "ibid." and short forms for
note styles. Quotations of the library's excerpts are pulled in with
``{{quote:ID}}``. See docs/manuscripts.md for the whole syntax, the front
matter fields, the cache and the command ``citekit render``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from citekit.manuscript.cache import CACHE_FOLDER, Cache, CacheStats, default_cache_dir
from citekit.manuscript.render import (
    OUTPUTS,
    SYNTAXES,
    Chapter,
    ManuscriptError,
    RenderedCitation,
    RenderResult,
    render,
)
from citekit.model.library import Library

__all__ = [
    "CACHE_FOLDER",
    "OUTPUTS",
    "SYNTAXES",
    "Cache",
    "CacheStats",
    "Chapter",
    "ManuscriptError",
    "RenderResult",
    "RenderedCitation",
    "default_cache_dir",
    "manuscript_files",
    "render_files",
    "render_manuscript",
]

#: File extensions read as manuscripts, with their syntax.
EXTENSIONS: Mapping[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".txt": "markdown",
    ".tex": "latex",
    ".latex": "latex",
}


def render_manuscript(
    text: str | Sequence[Chapter],
    library: Library | Mapping[str, Any] | Iterable[Any] | None = None,
    *,
    style: str | os.PathLike[str] | bytes | None = None,
    syntax: str = "markdown",
    to: str = "markdown",
    locale: str | None = None,
    bibliography: Sequence[str | os.PathLike[str]] = (),
    nocite: Iterable[str] = (),
    link_citations: bool | None = None,
    reference_section_title: str | None = None,
    strict: bool = False,
    standalone: bool = False,
    name: str = "<manuscript>",
    folder: str | os.PathLike[str] | None = None,
    cache: Cache | str | os.PathLike[str] | None = None,
) -> RenderResult:
    """Render a manuscript's citations, notes, quotations and bibliography.

    :param text: the manuscript, or its chapters (:class:`Chapter` objects,
        rendered as one document with one bibliography).
    :param library: the works cited (a :class:`~citekit.Library`, a mapping
        of works or works), with the excerpts that ``{{quote:ID}}`` pulls
        in. Files named by ``bibliography`` or by the front matter are added
        to it.
    :param style: a CSL style: a name, a ``.csl`` file or XML text; by
        default the front matter's ``csl``, else chicago-author-date.
    :param syntax: ``"markdown"`` (Pandoc Markdown) or ``"latex"``.
    :param to: ``"markdown"``, ``"html"`` or ``"latex"`` (a LaTeX manuscript
        renders to LaTeX only).
    :param locale: a locale such as ``"en-GB"``; by default the front
        matter's ``lang``, else the style's.
    :param bibliography: bibliography files to read (they replace those of
        the front matter, as pandoc's ``--bibliography`` does).
    :param nocite: keys to list in the bibliography without citing them
        (``"*"``: all).
    :param link_citations: link citations to their entries (author-date and
        numeric styles); by default the front matter's ``link-citations``.
    :param reference_section_title: a heading for the bibliography; by
        default the front matter's ``reference-section-title``.
    :param strict: raise :class:`ManuscriptError` listing every error
        (unknown keys, unknown excerpts, unreadable files) instead of
        rendering them as visible markers (``**key?**``).
    :param standalone: a whole HTML or LaTeX document rather than a fragment.
    :param name: the manuscript's name in messages (``chapter2.md``).
    :param folder: the folder relative paths of the front matter are read
        from (default: the current folder).
    :param cache: a :class:`Cache` or the path of a cache folder, to reuse
        earlier work (see :mod:`citekit.manuscript.cache`); None: no cache.
    :returns: a :class:`RenderResult`: ``.text``, ``.citations``,
        ``.bibliography``, ``.problems`` (``.errors``, ``.warnings``).
    :raises citekit.StyleError: for an unknown or broken style.
    :raises citekit.FormatError: for an unknown syntax or output format.
    :raises ManuscriptError: with ``strict=True``, when there are errors.
    """
    base = Path(folder) if folder is not None else None
    if isinstance(text, str):
        chapters: Sequence[Chapter] = [Chapter(text, name, base)]
    else:
        chapters = list(text)
        if not all(isinstance(c, Chapter) for c in chapters):
            from citekit.errors import CitekitError

            raise CitekitError("a manuscript is a text or a list of Chapter objects")
    return render(
        chapters,
        _library(library),
        style=style,
        syntax=syntax,
        to=to,
        locale=locale,
        bibliography=[base / b if base is not None else Path(b) for b in bibliography],
        nocite=nocite,
        link_citations=link_citations,
        reference_section_title=reference_section_title,
        strict=strict,
        standalone=standalone,
        cache=_cache(cache),
    )


def manuscript_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The manuscript files of ``paths``: files as given, folders as their ``.md``
    (or ``.tex``) files in name order (subfolders and hidden files left out)."""
    from citekit.errors import CitekitError

    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith(".")
            )
            markdown = [p for p in found if EXTENSIONS[p.suffix.lower()] == "markdown"]
            chosen = markdown or found
            if not chosen:
                raise CitekitError(f"{path}: no manuscript (.md or .tex files) in this folder")
            files += chosen
        elif path.is_file():
            files.append(path)
        else:
            raise CitekitError(f"{path}: no such file or folder")
    return files


def render_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    library: Library | None = None,
    bibliography: Sequence[str | os.PathLike[str]] = (),
    style: str | os.PathLike[str] | None = None,
    to: str | None = None,
    syntax: str | None = None,
    locale: str | None = None,
    strict: bool = False,
    standalone: bool = False,
    link_citations: bool | None = None,
    reference_section_title: str | None = None,
    cache: bool | Cache | str | os.PathLike[str] = True,
) -> RenderResult:
    """Render manuscript files (or folders of chapter files) as one document.

    Chapters are read as UTF-8 and named in messages by their path as given.
    ``syntax`` defaults to the first file's (``.tex``: LaTeX, else Markdown),
    ``to`` to Markdown (LaTeX for a LaTeX manuscript).
    ``cache=True`` uses :func:`default_cache_dir` of the first file
    (``.citekit-cache/`` beside it); False: no cache. Other options are
    those of :func:`render_manuscript`.
    """
    from citekit.errors import CitekitError

    files = manuscript_files(paths)
    chapters = []
    for path in files:
        try:
            text = _read_utf8(path)
        except OSError as error:
            raise CitekitError(f"{path}: cannot read: {error.strerror}") from None
        chapters.append(Chapter(text.replace("\r\n", "\n"), str(path), path.parent))
    if syntax is None:
        syntax = EXTENSIONS.get(files[0].suffix.lower(), "markdown")
    if to is None:
        to = "latex" if syntax == "latex" else "markdown"
    if cache is True:
        store: Cache | None = Cache(default_cache_dir(files[0]))
    elif cache is False:
        store = None
    else:
        store = _cache(cache)
    return render(
        chapters,
        library,
        style=style,
        syntax=syntax,
        to=to,
        locale=locale,
        bibliography=[Path(b) for b in bibliography],
        link_citations=link_citations,
        reference_section_title=reference_section_title,
        strict=strict,
        standalone=standalone,
        cache=store,
    )


def _read_utf8(path: Path) -> str:
    """A file's text, or a ParseError naming the line, column and byte offset of bad UTF-8."""
    from citekit.errors import ParseError
    from citekit.model import Problem

    data = path.read_bytes()
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start + bom
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        raise ParseError(
            Problem(
                path=str(path),
                line=line,
                column=column,
                message=f"not UTF-8 text: byte 0x{data[start]:02X} at byte offset {start}"
                " (is it Latin-1 or Windows-1252? save it as UTF-8)",
            )
        ) from None


def _cache(cache: Cache | str | os.PathLike[str] | None) -> Cache | None:
    if cache is None or isinstance(cache, Cache):
        return cache
    return Cache(cache)


def _library(library: Any) -> Library | None:
    if library is None or isinstance(library, Library):
        return library
    from citekit.errors import CitekitError
    from citekit.model.work import Work

    values = library.values() if isinstance(library, Mapping) else library
    try:
        works = list(values)
    except TypeError:
        raise CitekitError(f"expected a Library or works, got {type(library).__name__}") from None
    if not all(isinstance(w, Work) for w in works):
        raise CitekitError("a library is a Library, a mapping of works or works")
    return Library(works)
