"""Finding works: the matching behind :meth:`citekit.Library.find`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from citekit.model.excerpts import _parse_query, name_matcher, search_words
from citekit.model.work import Work, WorkType

__all__ = ["work_matcher"]

_YEARS = re.compile(r"\s*(-?\d{1,4})\s*(?:[-–—]|\.\.)\s*(-?\d{1,4})\s*$")
#: The text fields :func:`work_matcher`'s ``text`` looks in (with every name and the keywords).
TEXT_FIELDS = ("title", "title_short", "container_title", "collection_title", "original_title",
               "event_title", "publisher", "publisher_place", "genre", "note", "abstract",
               "doi", "isbn", "url")  # fmt: skip


def _years(year: int | str) -> tuple[int, int]:
    if isinstance(year, bool) or not isinstance(year, int | str):
        raise TypeError(f"a year is an int or a text such as '1945' or '1940-1949', got {year!r}")
    if isinstance(year, int):
        return year, year
    found = _YEARS.match(year)
    if found:
        low, high = int(found.group(1)), int(found.group(2))
        return min(low, high), max(low, high)
    try:
        value = int(year.strip())
    except ValueError:
        raise ValueError(
            f"expected a year such as 1945 or a range 1940-1949, got {year!r}"
        ) from None
    return value, value


def _type(value: WorkType | str) -> WorkType:
    try:
        return WorkType(value)
    except ValueError:
        names = [t.value for t in WorkType]
        close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown work type {value!r}{hint}") from None


def _words_matcher(query: str, what: str) -> Callable[[str], bool]:
    """A test of whether a text holds every word, prefix ("stalin*") and phrase of ``query``."""
    parsed = _parse_query(query)
    if not parsed.words and not parsed.prefixes:
        raise ValueError(f"expected words to look for in {what}, got {query!r}")

    def matches(text: str) -> bool:
        words = search_words(text)
        own = set(words)
        if not all(w in own for w in parsed.words):
            return False
        if not all(any(w.startswith(p) for w in own) for p in parsed.prefixes):
            return False
        joined = " " + " ".join(words) + " "
        return all(" " + " ".join(phrase) + " " in joined for phrase in parsed.phrases)

    return matches


def _work_text(work: Work) -> str:
    parts: list[str] = [work.key]
    for name in TEXT_FIELDS:
        value: Any = getattr(work, name)
        if value:
            parts.append(str(value))
    for group in work.contributors:
        parts.extend(str(person) for person in group.persons)
    parts.extend(work.keywords)
    return "\n".join(parts)


def work_matcher(
    *,
    author: str | None = None,
    year: int | str | None = None,
    title: str | None = None,
    type: WorkType | str | Iterable[WorkType | str] | None = None,
    text: str | None = None,
) -> Callable[[Work], bool]:
    """A test of whether a work matches every criterion given (see :meth:`Library.find`).

    Bad criteria raise :class:`ValueError` at once (an author without letters,
    a year that is no year, an unknown type, with the closest type suggested).
    """
    checks: list[Callable[[Work], bool]] = []
    if author is not None:
        person = name_matcher(author)
        checks.append(lambda w: any(person(p) for p in (*w.authors, *w.editors)))
    if year is not None:
        low, high = _years(year)
        checks.append(lambda w: w.year is not None and low <= w.year <= high)
    if title is not None:
        in_title = _words_matcher(title, "titles")
        checks.append(lambda w: bool(w.title) and in_title(str(w.title)))
    if type is not None:
        wanted = (
            {_type(type)} if isinstance(type, str) else {_type(t) for t in type}  # WorkType is str
        )
        checks.append(lambda w: w.type in wanted)
    if text is not None:
        in_text = _words_matcher(text, "works")
        checks.append(lambda w: in_text(_work_text(w)))
    return lambda work: all(check(work) for check in checks)
