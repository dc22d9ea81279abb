"""Month and season names of the CSL locales, for reading free-text dates.

:func:`citekit.model.dateparse.parse_date_text` knows English; the names of
other languages come from the CSL locale files that citeproc-py ships
(``month-01`` to ``month-12``, long and short, and ``season-01`` to
``season-04``), read once per language. :func:`date_names` gives what a
free-text date is read with: the names of the languages given (the item's
``language``, the style's locale) and :func:`cross_locale_names`, the month
names of every locale that begin as the English name does ("mars", "marzo",
"Juni", "janv."), which citeproc-js reads as months by their first three
letters whatever the language.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from citekit.model.dateparse import ENGLISH, DateReading, MonthNames, parse_date_text

__all__ = ["cross_locale_names", "date_names", "locale_names", "read_date_text"]

_CSL = "{http://purl.org/net/xbiblio/csl}"


def _locales_dir() -> Any:
    from importlib.resources import files

    return files("citeproc") / "data" / "locales"


@functools.cache
def _locale_files() -> dict[str, str]:
    """Locale tags (lower case) to their file names, primary dialects under the bare language."""
    folder = _locales_dir()
    tags: dict[str, str] = {}
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:  # no locales: English alone is read
        return tags
    for name in names:
        if name.startswith("locales-") and name.endswith(".xml"):
            tags[name[len("locales-") : -len(".xml")].lower()] = name
    try:
        primary = json.loads((folder / "locales.json").read_text(encoding="utf-8"))
        dialects = primary.get("primary-dialects", {})
    except (OSError, ValueError):
        dialects = {}
    for language, tag in dialects.items():
        if str(tag).lower() in tags:
            tags.setdefault(str(language).lower(), tags[str(tag).lower()])
    return tags


def _file_for(language: str) -> str | None:
    tag = language.strip().replace("_", "-").lower()
    files = _locale_files()
    while tag:
        if tag in files:
            return files[tag]
        tag = tag.rpartition("-")[0]
    return None


@functools.cache
def _read_locale(file_name: str) -> MonthNames | None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        data = (_locales_dir() / file_name).read_bytes()
        root = etree.fromstring(data, parser)
    except (OSError, etree.XMLSyntaxError):
        return None
    found: dict[str, list[str]] = {}
    for term in root.iter(f"{_CSL}term"):
        name = term.get("name") or ""
        if name.startswith(("month-", "season-")) and term.text and term.text.strip():
            forms = found.setdefault(name, [])
            if term.get("form", "long") == "long":
                forms.insert(0, term.text.strip())
            else:
                forms.append(term.text.strip())
    months = [found.get(f"month-{n:02d}", []) for n in range(1, 13)]
    seasons = [found.get(f"season-{n:02d}", []) for n in range(1, 5)]
    if not all(months):
        return None
    language = root.get("{http://www.w3.org/XML/1998/namespace}lang") or file_name
    return MonthNames(language, months, seasons)


def locale_names(language: str) -> MonthNames | None:
    """The month and season names of ``language``'s CSL locale (``"fr"``, ``"de-AT"``), if any."""
    file_name = _file_for(language)
    return _read_locale(file_name) if file_name else None


@functools.cache
def cross_locale_names() -> MonthNames:
    """Month names of every CSL locale that begin with the English name's first three letters.

    citeproc-js reads a word as a month when it holds the first three letters
    of an English month's name ("mars" and "marzo" are March, "Juni" is June);
    these are the words of real locales it so reads right, and no others
    ("Marvel", "Summit" and "Demarcation" are not months).
    """
    months: list[list[str]] = [[] for _ in range(12)]
    seasons: list[list[str]] = [[] for _ in range(4)]
    for file_name in sorted(set(_locale_files().values())):
        names = _read_locale(file_name)
        if names is None:
            continue
        for number, forms in enumerate(names.months):
            english = ENGLISH.months[number][0][:3]
            months[number] += [f for f in forms if len(f) >= 3 and f[:3] == english]
        for number, forms in enumerate(names.seasons):
            english = ENGLISH.seasons[number][-1][:3]  # citeproc-js knows "fall", not "autumn"
            seasons[number] += [f for f in forms if len(f) >= 3 and f[:3] == english]
    return MonthNames("*", months, seasons)


def date_names(
    languages: Iterable[str | None] = (), *, cross_locale: bool = True
) -> tuple[MonthNames, ...]:
    """The names free-text dates are read with: those of ``languages``, and cross-locale ones."""
    out: list[MonthNames] = []
    for language in languages:
        if isinstance(language, str) and language.strip():
            names = locale_names(language)
            if names is not None and names not in out:
                out.append(names)
    if cross_locale:
        out.append(cross_locale_names())
    return tuple(out)


def read_date_text(text: str, languages: Iterable[str | None] = ()) -> DateReading:
    """A free-text date, read with the :func:`date_names` of ``languages``.

    The cross-locale names (for which every CSL locale is read, once) are
    looked at only when the text is not read without them.
    """
    languages = tuple(languages)
    reading = parse_date_text(text, months=date_names(languages, cross_locale=False))
    if reading.is_literal and any(c.isalpha() for c in text):
        again = parse_date_text(text, months=date_names(languages))
        if not again.is_literal:
            return again
    return reading
