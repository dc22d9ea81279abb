"""How works, libraries and excerpts show in a notebook or a REPL.

A plain styling of citekit's own (the model does not load the CSL engine):
a work reads "Serge, Victor. 1945. Lenin's Heir?"; a library is a table of
its works; an excerpt is a block quotation with its source. Every text is
escaped for HTML or Markdown. For a reference in a CSL style, use
``citekit.formatter("csl", style=..., output="html")``, whose bibliographies
show as HTML too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citekit.model.excerpts import Excerpt
    from citekit.model.library import Library
    from citekit.model.persons import Person
    from citekit.model.work import Work

__all__ = [
    "compact_repr",
    "excerpt_html",
    "excerpt_markdown",
    "library_html",
    "library_markdown",
    "markdown_escape",
    "work_html",
    "work_markdown",
    "work_text",
]

#: How many works a library's table shows.
TABLE_ROWS = 50
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")


def markdown_escape(text: str) -> str:
    """Text with Markdown's special characters backslash-escaped."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _names(persons: Iterable[Person]) -> str:
    people = list(persons)
    if not people:
        return ""
    first = people[0].inverted()
    if len(people) == 1:
        return first
    if len(people) > 3:
        return f"{first} et al."
    rest = [str(p) for p in people[1:]]
    return ", ".join([first, *rest[:-1]]) + ", and " + rest[-1]


def _parts(work: Work) -> tuple[str, str, str]:
    """(names, year, title) of the short reference."""
    names = _names(work.authors)
    if not names and work.editors:
        names = _names(work.editors) + (", eds." if len(work.editors) > 1 else ", ed.")
    year = str(work.year) if work.year is not None else "n.d."
    title = work.title or work.container_title or work.key
    return names, year, title


def _join(names: str, year: str, title: str) -> tuple[str, str, str]:
    """The separators: (after names, after year, after title)."""
    after_names = "" if not names else (" " if names.endswith(".") else ". ")
    after_title = "" if re.search(r"[.?!]['’\"”]?$", title) else "."
    after_year = " " if year.endswith(".") else ". "
    return after_names, after_year, after_title


def work_text(work: Work) -> str:
    """A short reference: "Serge, Victor. 1945. Lenin's Heir?", "Davies, Joseph E.
    1941. Mission to Moscow." (a period ends it unless the title has its own)."""
    names, year, title = _parts(work)
    after_names, after_year, end = _join(names, year, title)
    return f"{names}{after_names}{year}{after_year}{title}{end}"


def work_html(work: Work) -> str:
    """The short reference as escaped HTML, the title as a ``<cite>``."""
    names, year, title = _parts(work)
    after_names, after_year, end = _join(names, year, title)
    e = html.escape
    return (
        f'<span class="citekit-work" data-key="{e(work.key)}">{e(names)}{after_names}'
        f"{e(year)}{after_year}<cite>{e(title)}</cite>{end}</span>"
    )


def work_markdown(work: Work) -> str:
    """The short reference as Markdown, the title in italics."""
    names, year, title = _parts(work)
    after_names, after_year, end = _join(names, year, title)
    m = markdown_escape
    return f"{m(names)}{after_names}{m(year)}{after_year}*{m(title)}*{end}"


def _rows(library: Library) -> tuple[list[Work], int]:
    works = list(library.values())
    return works[:TABLE_ROWS], max(0, len(works) - TABLE_ROWS)


def library_html(library: Library) -> str:
    """A table of the library's works (key, type, authors, year, title), escaped."""
    e = html.escape
    works, more = _rows(library)
    head = "".join(f"<th>{h}</th>" for h in ("key", "type", "authors", "year", "title"))
    body = []
    for work in works:
        names, year, title = _parts(work)
        cells = (work.key, work.type.value, names, year if work.year else "", title)
        body.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    caption = f"{len(library)} works, {len(library.excerpts)} excerpts"
    if library.path:
        caption = f"{library.path}: {caption}"
    tail = f'<p class="citekit-more">… and {more} more works</p>' if more else ""
    return (
        f'<table class="citekit-library"><caption>{e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{tail}"
    )


def _cell(text: str) -> str:
    return markdown_escape(text.replace("\n", " "))


def library_markdown(library: Library) -> str:
    """A Markdown table of the library's works."""
    works, more = _rows(library)
    lines = ["| key | type | authors | year | title |", "|---|---|---|---|---|"]
    for work in works:
        names, year, title = _parts(work)
        cells = (work.key, work.type.value, names, year if work.year else "", title)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    if more:
        lines.append(f"\n… and {more} more works")
    return "\n".join(lines)


def _source(excerpt: Excerpt) -> str:
    text = excerpt.work_key
    if excerpt.locator is not None:
        text += f", {excerpt.locator.label.value} {excerpt.locator.value}"
    if excerpt.quoted_in is not None:
        text += f"; quoted in {excerpt.quoted_in.work_key}"
    return text


def excerpt_html(excerpt: Excerpt) -> str:
    """A ``<blockquote>`` of the passage, its source (key and locator) under it."""
    e = html.escape
    body = "".join(f"<p>{e(p)}</p>" for p in excerpt.paragraphs)
    return (
        f'<blockquote class="citekit-excerpt" data-id="{e(excerpt.id)}">{body}'
        f"<footer>— {e(_source(excerpt))}</footer></blockquote>"
    )


def excerpt_markdown(excerpt: Excerpt) -> str:
    """The passage as a Markdown block quotation, its source under it."""
    paragraphs = [markdown_escape(p) for p in excerpt.paragraphs]
    quoted = "\n>\n".join("> " + p.replace("\n", "\n> ") for p in paragraphs)
    return f"{quoted}\n>\n> — {markdown_escape(_source(excerpt))}"


def _empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    try:
        return len(value) == 0
    except TypeError:
        return False


def compact_repr(obj: Any) -> str:
    """An attrs instance's repr without its empty fields (None, empty, False)."""
    import attrs

    parts = []
    for field in attrs.fields(type(obj)):
        if not field.repr:
            continue
        value = getattr(obj, field.name)
        if _empty(value) and field.name != "key":
            continue
        parts.append(f"{field.name}={value!r}")
    return f"{type(obj).__name__}({', '.join(parts)})"
