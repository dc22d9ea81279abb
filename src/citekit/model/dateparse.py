"""Free-text dates ("15 March 2000", "Spring 1999", "ca. 1750") read as citeproc-js reads them.

CSL-JSON dates often come as text: ``{"raw": "March 3-5, 2000"}``. citeproc-js,
the reference CSL processor, reads such text into date parts, and so does
:func:`parse_date_text`, following what citeproc-js accepts and how it reads
it (see ``docs/csl-json.md`` for the list and for where citekit reads more,
or less, than citeproc-js does):

- numeric dates: ``2000``, ``2000-03``, ``2000-03-15``, ``2000/3/15``,
  ``3/15/2000`` and ``15/3/2000`` (month first, unless the first number
  cannot be a month), ``3/2000``, ``15.03.2000``; a time after the date is
  left out;
- month names and abbreviations (``March``, ``Mar.``, ``Sept``) in English,
  and in the languages given (:class:`MonthNames`, as CSL locales name
  months), in any order with the day and the year (``15 March 2000``,
  ``March 15th, 2000``, ``2000 Mar 15``); a weekday is allowed;
- seasons (``Spring 1999``, ``Autumn 2001``, ``2000-21``), as CSL's seasons 1-4;
- ranges: ``1999-2001``, ``1999–2001``, ``2000/2001``, ``March 3-5, 2000``,
  ``3-5 March 2000``, ``March-April 2000``, ``Winter 1999-2000``,
  ``1999-03-01/2000-04-02``, the parts one end lacks taken from the other;
  open EDTF ranges ``1930/..`` and ``../1990``;
- circa: ``ca. 1750``, ``c1750``, ``circa 1750``, ``1750?``, ``1750~``;
- eras: ``44 BC``, ``44 B.C.E.``, ``AD 44``, ``-44`` (CSL's numbering: 44 BC);
- Japanese dates (``2000年3月15日``, with the Meiji to Reiwa eras);
- ``"quoted text"``: a literal, on purpose.

Anything else (an unknown word as in "2000 copies", an impossible date as in
"2000-02-30", a reversed range) is kept as a literal date, with a note
saying why: nothing is dropped and nothing is guessed.

Years are read as CSL numbers them (1 BC is -1, there is no year 0) and
stored as :class:`~citekit.model.DateParts` stores them (astronomical: 1 BC
is 0). This module does no I/O: the month names of other languages are given
by the caller (:mod:`citekit.formats.months` reads them from CSL locales).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

import attrs

from citekit.model.dates import Date, DateParts

__all__ = ["ENGLISH", "ENGLISH_MONTHS", "DateReading", "MonthNames", "parse_date_text"]


def _key(word: str) -> str:
    """A word as names are compared: case folded, NFC, full stops left out."""
    return unicodedata.normalize("NFC", word).casefold().replace(".", "").strip()


def _forms(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        key = _key(value)
        if key and key not in out:
            out.append(key)
    return tuple(out)


def _twelve(value: Sequence[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    forms = tuple(_forms(names) for names in value)
    if len(forms) != 12:
        raise ValueError(f"expected the names of 12 months, got {len(forms)}")
    return forms


def _four(value: Sequence[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    forms = tuple(_forms(names) for names in value)
    if len(forms) != 4:
        raise ValueError(f"expected the names of 4 seasons, got {len(forms)}")
    return forms


@attrs.frozen
class MonthNames:
    """The names of the months and seasons in one language, as a CSL locale gives them.

    ``months`` holds 12 groups of names (January first), ``seasons`` 4
    (spring, summer, autumn, winter); each group has the long and short
    forms. Names are compared without case, accents kept, a final full
    stop left out (``"janv."`` matches ``janv`` and ``janv.``). With
    ``prefixes``, a word of three letters or more that begins a month's
    first (long) name also names it, as English abbreviations do
    (``Sept``, ``Febr``).
    """

    language: str
    months: tuple[tuple[str, ...], ...] = attrs.field(converter=_twelve)
    seasons: tuple[tuple[str, ...], ...] = attrs.field(default=((), (), (), ()), converter=_four)
    prefixes: bool = False


#: The English month names, January first, in lowercase.
ENGLISH_MONTHS: tuple[str, ...] = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

#: English, always known: full names, any abbreviation of three letters or
#: more, and "fall" for autumn as well.
ENGLISH = MonthNames(
    "en",
    [[name] for name in ENGLISH_MONTHS],
    [["spring"], ["summer"], ["autumn", "fall"], ["winter"]],
    prefixes=True,
)

_CIRCA_WORDS = frozenset({"c", "ca", "cca", "circa", "circ", "approx", "approximately"})
_BC = frozenset({"bc", "bce"})
_AD = frozenset({"ad", "ce"})
_FILLERS = frozenset({"of", "de", "del", "the", "le"})
_WEEKDAYS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    ]
)
_ORDINALS = frozenset({"st", "nd", "rd", "th", "er", "e", "o", "a"})
_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}


@attrs.frozen
class DateReading:
    """What :func:`parse_date_text` made of a text: a date, and notes on what it could not read.

    ``date`` is None only for blank text; a text that is not read as a date
    is a literal date, with a note saying why.
    """

    date: Date | None
    notes: tuple[str, ...] = ()

    @property
    def is_literal(self) -> bool:
        """True when the text was kept as a literal date."""
        return self.date is not None and self.date.literal is not None


def _shown(text: str, limit: int = 60) -> str:
    """``text`` as a note quotes it: cut after ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Unread(Exception):
    """Why a text is not read as a date (becomes the note)."""


# --- tokens --------------------------------------------------------------------------------

_TIME = re.compile(
    r"(?:(?<=[0-9])T[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?|\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
    r"\s*(?:Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})?\s*$"
)
_SPELLED_NUMERIC = re.compile(
    r"([0-9]{4})-([^\W\d_]+\.?)-([0-9]{1,2})|([0-9]{1,2})-([^\W\d_]+\.?)-([0-9]{4})"
)
_DIGITS = frozenset("0123456789")
_DASHES = re.compile(r"\s*(?:--|–|—|‒|―)\s*")


@attrs.frozen
class _Token:
    kind: str  # numdate, num, word, range, mark
    text: str
    glued: bool = False  # no space before it


def _tokens(text: str, range_mark: str, date_sep: str) -> list[_Token]:
    """The tokens of ``text``; ``range_mark`` separates the ends, ``date_sep`` numeric parts."""
    sep = re.escape(date_sep)
    numdate = (
        rf"(?<![0-9])(?:[0-9]{{4}}(?:{sep}[0-9]{{1,2}}){{1,2}}|(?:[0-9]{{1,2}}{sep}){{1,2}}[0-9]{{4}}"
        r"|[0-9]{1,2}\.\s?[0-9]{1,2}\.\s?[0-9]{4}|[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2})(?![0-9])"
    )
    pattern = re.compile(
        rf"(?P<numdate>{numdate})|(?P<num>[0-9]+)|(?P<range>{re.escape(range_mark)})"
        r"|(?P<word>(?:[^\W\d_]\.)+(?:[^\W\d_]+\.?)?|[^\W\d_]+\.?)"
        r"|(?P<mark>[~?%])|(?P<skip>[\s,.]+)|(?P<other>.)"
    )
    out: list[_Token] = []
    glued = True
    for m in pattern.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "skip":
            glued = False
            continue
        if kind == "other":
            raise _Unread(f"{m.group()!r} is not part of a date")
        out.append(_Token(kind, m.group(), glued))
        glued = True
    return out


# --- one end of a date ---------------------------------------------------------------------


@attrs.define
class _Point:
    year: int | None = None  # CSL's numbering
    month: int | None = None
    day: int | None = None
    season: int | None = None
    circa: bool = False
    uncertain: bool = False
    number: int | None = None  # a day or, with an era, a year
    ordinal: bool = False
    era: int = 0  # -1 BC, 1 AD

    def set_year(self, year: int) -> None:
        if self.year is not None:
            raise _Unread("two years in one date")
        self.year = year

    def set_month(self, month: int) -> None:
        if self.month is not None or self.season is not None:
            raise _Unread("two months or seasons in one date")
        self.month = month

    def set_season(self, season: int) -> None:
        if self.month is not None or self.season is not None:
            raise _Unread("two months or seasons in one date")
        self.season = season

    def set_day(self, day: int) -> None:
        if self.day is not None:
            raise _Unread("two days in one date")
        self.day = day


def _numeric(point: _Point, text: str) -> None:
    """A numeric date: the four-digit year, and month and day in citeproc-js's order."""
    if "." in text:
        numbers = [int(n) for n in re.split(r"\.\s?", text)]
        if re.match(r"[0-9]{4}\.", text):
            point.set_year(numbers[0])
            month, day = numbers[1], numbers[2]
        else:  # day.month.year, as written where dots are used
            day, month = numbers[0], numbers[1]
            point.set_year(numbers[2])
        if month:
            point.set_month(month)
            if day:
                point.set_day(day)
        return
    parts = re.split(r"[-/]", text)
    if len(parts[0]) == 4:
        year, rest = parts[0], parts[1:]
    else:
        year, rest = parts[-1], parts[:-1]
    point.set_year(int(year))
    numbers = [int(n) for n in rest]
    if len(numbers) == 1 or not numbers[1]:
        month, day = numbers[0], 0
    else:
        month, day = numbers
        if month > 12:  # month first, unless the first cannot be a month
            month, day = day, month
    if 21 <= month <= 24 and len(numbers) == 1:
        point.set_season(month - 20)
    elif month:
        point.set_month(month)
        if day:
            point.set_day(day)


class _Vocabulary:
    """The words of dates in the languages given."""

    def __init__(self, names: Sequence[MonthNames]) -> None:
        self.months: dict[str, set[int]] = {}
        self.seasons: dict[str, set[int]] = {}
        self.prefixed: list[tuple[str, int]] = []
        for language in (ENGLISH, *names):
            for number, forms in enumerate(language.months, 1):
                for form in forms:
                    self.months.setdefault(form, set()).add(number)
                if language.prefixes and forms:
                    self.prefixed.append((forms[0], number))
            for number, forms in enumerate(language.seasons, 1):
                for form in forms:
                    self.seasons.setdefault(form, set()).add(number)

    def month(self, word: str) -> int | None:
        found = set(self.months.get(word, ()))
        if not found and len(word) >= 3:
            found = {number for name, number in self.prefixed if name.startswith(word)}
        if len(found) > 1:
            raise _Unread(f"{word!r} names more than one month")
        return found.pop() if found else None

    def season(self, word: str) -> int | None:
        found = self.seasons.get(word, set())
        if len(found) > 1:
            raise _Unread(f"{word!r} names more than one season")
        return next(iter(found)) if found else None


@functools.lru_cache(maxsize=64)
def _vocabulary(months: tuple[MonthNames, ...]) -> _Vocabulary:
    return _Vocabulary(months)


def _point(tokens: Sequence[_Token], words: _Vocabulary) -> _Point:
    point = _Point()
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if token.kind == "numdate":
            _numeric(point, token.text)
        elif token.kind == "num":
            if len(token.text) == 4:
                point.set_year(int(token.text))
            elif len(token.text) > 4:
                raise _Unread(f"{_shown(token.text)} is too long for a year")
            elif point.number is not None:
                raise _Unread("two numbers that are not years")
            else:
                point.number = int(token.text)
        elif token.kind == "mark":
            if token.text == "~":
                point.circa = True
            elif token.text == "?" and i == last and i > 0:
                point.circa = True  # as citeproc-js reads it (EDTF would say uncertain)
            elif token.text == "%" and i == last and i > 0:
                point.circa = point.uncertain = True
            else:
                raise _Unread(f"{token.text!r} where a date is expected")
        else:
            _word(point, token, tokens[i - 1] if i else None, words)
    return point


def _word(point: _Point, token: _Token, before: _Token | None, words: _Vocabulary) -> None:
    word = _key(token.text)
    if (
        word in _ORDINALS
        and token.glued
        and before is not None
        and before.kind == "num"
        and point.number is not None
    ):
        point.ordinal = True
        return
    if word in _CIRCA_WORDS:
        point.circa = True
        return
    if word in _BC or word in _AD:
        if point.era:
            raise _Unread("two eras in one date")
        point.era = -1 if word in _BC else 1
        return
    month = words.month(word)
    if month is not None:
        point.set_month(month)
        return
    season = words.season(word)
    if season is not None:
        point.set_season(season)
        return
    if word in _FILLERS or word in _WEEKDAYS:
        return
    raise _Unread(f"the word {_shown(token.text)!r} is not part of a date")


def _finish_era(point: _Point) -> None:
    if not point.era:
        return
    if point.number is not None and point.year is None:
        point.year, point.number = point.number, None
    if point.year is None:
        raise _Unread("an era without a year")
    point.year = abs(point.year) * point.era


def _fill(a: _Point, b: _Point) -> None:
    """Parts one end of a range lacks, taken from the other (as citeproc-js does)."""
    for name in ("year", "month", "day", "season"):
        mine, theirs = getattr(a, name), getattr(b, name)
        if mine is None and theirs is not None:
            if (name == "month" and a.season is not None) or (name == "season" and a.month):
                continue
            setattr(a, name, theirs)


def _parts(point: _Point) -> DateParts:
    if point.year is None or point.year == 0:
        raise _Unread("no year")
    if point.day is not None and point.month is None:
        raise _Unread("a day without a month")
    year = point.year + 1 if point.year < 0 else point.year  # CSL's 1 BC is 0
    try:
        return DateParts(year, point.month, point.day, season=point.season)
    except (ValueError, TypeError) as error:
        raise _Unread(str(error)) from None


def _era_year(base: int, match: re.Match[str]) -> str:
    return str(base + int(match.group(1)))


def _japanese(text: str) -> str:
    """``平成12年3月15日`` as ``2000-3-15`` (a range mark 〜 as ``/``)."""
    for era, base in _ERAS.items():
        text = re.sub(rf"{era}\s*([0-9]+)", functools.partial(_era_year, base), text)
    text = re.sub(r"\s+", "", text).replace("〜", "/").replace("～", "/")
    text = text.replace("日", "").replace("年", "-").replace("月", "-")
    return re.sub(r"-(?=/|$)", "", text)


def _read(text: str, words: _Vocabulary) -> Date:
    body = _TIME.sub("", text).strip()
    negative = body.startswith("-") and body[1:2] in _DIGITS
    if negative:
        body = body[1:]
    if re.fullmatch(r"[0-9]{1,3}", body):  # a year alone (only then)
        body = body.rjust(4, "0")
    if re.search(r"[0-9]\s*[年月]", body):
        body = _japanese(body)
    spelled = _SPELLED_NUMERIC.fullmatch(body)  # 2010-Jan-01, 01-Jan-2010
    if spelled:
        body = " ".join(part for part in spelled.groups() if part)
    if len(body) > 2 and body[0] + body[-1] in ("[]", "()"):
        body = body[1:-1].strip()
    # EDTF's open ranges
    if body.endswith("/.."):
        known = _one(body[:-3], words, "-", "-", negative)
        return Date(start=_parts(known), open_end=True, circa=known.circa)
    if re.match(r"\.\./", body):
        known = _one(body[3:], words, "-", "-", False)
        return Date(end=_parts(known), open_start=True, circa=known.circa)
    body = body.replace("_", "-")  # (citeproc-js reads "1897_1912" as "1897-1912")
    body = _DASHES.sub(" – ", body)
    if "/" in body and "-" in body:
        range_mark, date_sep = ("-", "/") if body.count("/") > 2 else ("/", "-")
    else:
        body, range_mark, date_sep = body.replace("/", "-"), "-", "-"
    tokens = _tokens(body.replace("–", range_mark), range_mark, date_sep)
    ranges = [i for i, token in enumerate(tokens) if token.kind == "range"]
    if len(ranges) > 1:
        raise _Unread("more than one range mark")
    if not ranges:
        point = _side(tokens, words, negative)
        return Date(start=_parts(point), circa=point.circa, uncertain=point.uncertain)
    cut = ranges[0]
    first = _side(tokens[:cut], words, negative)
    second = _side(tokens[cut + 1 :], words, False)
    _fill(first, second)
    _fill(second, first)
    start, end = _parts(first), _parts(second)
    circa, uncertain = first.circa or second.circa, first.uncertain or second.uncertain
    if start == end:
        return Date(start=start, circa=circa, uncertain=uncertain)
    try:
        return Date(start=start, end=end, circa=circa, uncertain=uncertain)
    except ValueError as error:
        raise _Unread(str(error)) from None


def _one(text: str, words: _Vocabulary, range_mark: str, date_sep: str, negative: bool) -> _Point:
    tokens = _tokens(text.strip(), range_mark, date_sep)
    if any(token.kind == "range" for token in tokens):
        raise _Unread("a range inside an open range")
    return _side(tokens, words, negative)


def _side(tokens: Sequence[_Token], words: _Vocabulary, negative: bool) -> _Point:
    if not tokens:
        raise _Unread("an end of a range is empty")
    point = _point(tokens, words)
    _finish_era(point)
    if point.number is not None:  # a number left over is the day (as in citeproc-js)
        point.set_day(point.number)
        point.number = None
    if negative and point.year is not None:
        point.year = -point.year
    return point


def parse_date_text(text: str, *, months: Sequence[MonthNames] = ()) -> DateReading:
    """Read a free-text date as citeproc-js reads a CSL date's ``raw`` text.

    ``months`` adds the month and season names of other languages (those of
    the item's ``language`` and of the style's locale) to English's. Text
    that is not read becomes a literal date, with a note saying why; blank
    text gives no date (and a note).

    >>> parse_date_text("March 3-5, 2000").date
    Date(start=DateParts(year=2000, month=3, day=3), end=DateParts(year=2000, month=3, day=5))
    >>> parse_date_text("2000 copies").date
    Date(literal='2000 copies')
    """
    if not isinstance(text, str):
        raise TypeError(f"a date is read from a string, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        return DateReading(None, ("empty date text; ignored",))
    if len(stripped) > 1 and stripped[0] == stripped[-1] == '"':
        inner = stripped[1:-1].strip()
        if inner:
            return DateReading(Date(literal=inner))
        return DateReading(None, ("empty date text; ignored",))
    try:
        return DateReading(_read(stripped, _vocabulary(tuple(months))))
    except _Unread as why:
        note = f"free-text date {_shown(stripped)!r} not read ({why}); kept as literal text"
        return DateReading(Date(literal=stripped), (note,))
