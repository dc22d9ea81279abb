"""Partial, uncertain and ranged dates, as bibliographies need them.

A :class:`Date` is a single date, a range (1975/2004) or an open range
(1930/..), each end a :class:`DateParts` of which only the year is required;
it can be approximate (circa), uncertain, or a literal text kept as given.
Its text form follows EDTF (ISO 8601-2) levels 0 and 1 as BibLaTeX's date
fields use them: ``1944``, ``1944-03``, ``1944-03-05``, ``1944-21`` (spring),
``1944~`` (circa), ``1944?`` (uncertain), ``1944%`` (both), ``1975/2004``,
``1930/..``, ``../1990``, ``-0044`` (45 BCE, astronomical numbering).
"""

from __future__ import annotations

import enum
import re
from typing import Any

import attrs

from citekit.errors import ParseError

__all__ = ["Date", "DateParts", "Season"]


class Season(enum.IntEnum):
    """Seasons, numbered 1-4 as CSL numbers them (EDTF writes them 21-24)."""

    SPRING = 1
    SUMMER = 2
    AUTUMN = 3
    WINTER = 4


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(year: int) -> bool:
    """Leap years of the proleptic Gregorian calendar (astronomical years: 0 is leap)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in(year: int, month: int) -> int:
    if month == 2 and _is_leap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_year(instance: DateParts, attribute: attrs.Attribute[int], value: int) -> None:
    if not _is_int(value):
        raise TypeError(f"year must be an int, got {type(value).__name__} {value!r}")
    if not -9999 <= value <= 9999:
        raise ValueError(f"year must be between -9999 and 9999, got {value}")


def _check_month(
    instance: DateParts, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is None:
        return
    if not _is_int(value):
        raise TypeError(f"month must be an int, got {type(value).__name__} {value!r}")
    if not 1 <= value <= 12:
        raise ValueError(f"month must be 1-12, got {value}")


def _check_day(
    instance: DateParts, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is None:
        return
    if not _is_int(value):
        raise TypeError(f"day must be an int, got {type(value).__name__} {value!r}")
    if instance.month is None:
        raise ValueError("a day needs a month")
    last = _days_in(instance.year, instance.month)
    if not 1 <= value <= last:
        raise ValueError(
            f"day must be 1-{last} for {instance.year:04d}-{instance.month:02d}, got {value}"
        )


def _to_season(value: Season | int | None) -> Season | None:
    if value is None or isinstance(value, Season):
        return value
    if _is_int(value):
        if 1 <= value <= 4:
            return Season(value)
        if 21 <= value <= 24:  # EDTF's numbers
            return Season(value - 20)
    raise ValueError(f"season must be 1-4 (or EDTF's 21-24), got {value!r}")


@attrs.frozen(repr=False)
class DateParts:
    """One calendar point: a year, with a month and a day, or a season, if known.

    Years before the common era are zero or negative (astronomical numbering:
    0 is 1 BCE, -44 is 45 BCE), as in EDTF. Years run from -9999 to 9999;
    days are checked against the month (leap years included).
    """

    year: int = attrs.field(validator=_check_year)
    month: int | None = attrs.field(default=None, validator=_check_month)
    day: int | None = attrs.field(default=None, validator=_check_day)
    season: Season | None = attrs.field(default=None, converter=_to_season)

    def __repr__(self) -> str:
        """The fields that are set (empty ones are left out)."""
        from citekit.model.display import compact_repr

        return compact_repr(self)

    def __attrs_post_init__(self) -> None:
        if self.season is not None and self.month is not None:
            raise ValueError("a date has a month or a season, not both")

    def __str__(self) -> str:
        """The EDTF form: ``1944``, ``1944-03``, ``1944-03-05``, ``1944-21``, ``-0044``."""
        year = f"-{abs(self.year):04d}" if self.year < 0 else f"{self.year:04d}"
        if self.season is not None:
            return f"{year}-{20 + self.season.value}"
        if self.month is None:
            return year
        if self.day is None:
            return f"{year}-{self.month:02d}"
        return f"{year}-{self.month:02d}-{self.day:02d}"

    def as_tuple(self) -> tuple[int, ...]:
        """(year[, month[, day]]) as CSL's date-parts hold them (a season is left out)."""
        if self.month is None:
            return (self.year,)
        if self.day is None:
            return (self.year, self.month)
        return (self.year, self.month, self.day)

    def sort_key(self) -> tuple[int, int, int]:
        """(year, month, day), missing parts as 0 so that 1944 sorts before 1944-01.

        A season sorts as the month it starts in the northern hemisphere
        (spring: March, summer: June, autumn: September, winter: December).
        """
        month = self.month or (self.season.value * 3 if self.season is not None else 0)
        return (self.year, month, self.day or 0)


_POINT = re.compile(r"(-?[0-9]{1,4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?", re.ASCII)
_YEAR_RANGE = re.compile(r"(-?[0-9]{3,4})\s*(?:--|-|–|—)\s*([0-9]{4})", re.ASCII)
_CIRCA_WORDS = re.compile(r"(?:circa|ca\.?|c\.)\s*", re.IGNORECASE)
_QUALIFIERS = re.compile(r"[~?%]+$")


def _parse_point(text: str) -> DateParts | None:
    """An EDTF date without qualifiers, or None if ``text`` is not one (or not valid)."""
    m = _POINT.fullmatch(text)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    try:
        if month is not None and 21 <= month <= 24 and day is None:
            return DateParts(year, season=Season(month - 20))
        return DateParts(year, month, day)
    except ValueError:
        return None


def _qualified_point(text: str) -> tuple[DateParts | None, bool, bool]:
    """A date with its EDTF qualifiers: (parts, circa, uncertain)."""
    m = _QUALIFIERS.search(text)
    marks = m.group() if m else ""
    body = text[: len(text) - len(marks)].strip()
    circa = "~" in marks or "%" in marks
    uncertain = "?" in marks or "%" in marks
    return _parse_point(body), circa, uncertain


def _check_parts(instance: Date, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, DateParts):
        raise TypeError(f"{attribute.name} must be DateParts or None, got {type(value).__name__}")


def _check_literal(instance: Date, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError(f"literal must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError("a literal date needs some text")


_flag = attrs.validators.instance_of(bool)


@attrs.frozen(kw_only=True, repr=False)
class Date:
    """A date as bibliographies use it: partial, approximate, ranged or literal.

    - a single date: ``start`` only;
    - a range: ``start`` and ``end`` (the end not before the start);
    - an open range: ``start`` with ``open_end`` (1930/..), or ``end`` with
      ``open_start`` (../1990);
    - a literal: ``literal`` only ("Spring term, 1920s"), kept as given.

    ``circa`` and ``uncertain`` qualify the whole date, as in CSL.
    """

    start: DateParts | None = attrs.field(default=None, validator=_check_parts)
    end: DateParts | None = attrs.field(default=None, validator=_check_parts)
    open_start: bool = attrs.field(default=False, validator=_flag)
    open_end: bool = attrs.field(default=False, validator=_flag)
    circa: bool = attrs.field(default=False, validator=_flag)
    uncertain: bool = attrs.field(default=False, validator=_flag)
    literal: str | None = attrs.field(default=None, validator=_check_literal)

    def __repr__(self) -> str:
        """The fields that are set (empty ones are left out)."""
        from citekit.model.display import compact_repr

        return compact_repr(self)

    def __attrs_post_init__(self) -> None:
        if self.literal is not None:
            if self.start or self.end or self.open_start or self.open_end:
                raise ValueError("a literal date has no date parts and is no range")
            if self.circa or self.uncertain:
                raise ValueError("a literal date cannot be circa or uncertain")
            return
        if self.start is None and self.end is None:
            raise ValueError("a Date needs a start, an end or a literal")
        if self.open_start and self.start is not None:
            raise ValueError("an open-start range has no start")
        if self.open_end and self.end is not None:
            raise ValueError("an open-end range has no end")
        if self.open_start and self.open_end:
            raise ValueError("a range cannot be open at both ends")
        if self.start is None and not self.open_start:
            raise ValueError("a Date with only an end must be open at the start")
        if self.start is not None and self.end is not None and _before(self.end, self.start):
            raise ValueError(f"a range cannot end ({self.end}) before it starts ({self.start})")

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> Date:
        """A single date: ``Date.of(1944)``, ``Date.of(1938, 4, 1)``."""
        return cls(start=DateParts(year, month, day))

    @classmethod
    def parse(cls, text: str) -> Date:
        """Read EDTF-like text; anything else becomes a literal date.

        Accepts ``1944``, ``1944-03``, ``1944-03-05``, seasons ``1944-21`` to
        ``-24``, negative (astronomical) years ``-0044``, the qualifiers
        ``~`` (circa), ``?`` (uncertain) and ``%`` (both) after a date or
        after either end of a range, "circa 1944", "ca. 1944", "c. 1944",
        ranges ``1975/2004``, ``1975-2004`` and ``1975--2004`` (two years),
        and open ranges ``1930/..``, ``1930/``, ``../1990``, ``/1990``.
        A qualifier on either end of a range qualifies the whole date.
        Invalid dates (``1944-02-30``, ``2004/1990``) and anything else
        ("March 1971", "forthcoming", "19XX") become literal dates, kept
        as written (stripped). Only empty text raises
        :class:`~citekit.ParseError`.
        """
        if not isinstance(text, str):
            raise TypeError(f"a date is parsed from a string, got {type(text).__name__}")
        raw = text.strip()
        if not raw:
            raise ParseError("empty date")
        parsed = _parse(raw)
        return parsed if parsed is not None else cls(literal=raw)

    @property
    def year(self) -> int | None:
        """The year of the start (or of the end of an open-start range)."""
        parts = self.start or self.end
        return parts.year if parts else None

    @property
    def is_literal(self) -> bool:
        """True for a date kept as text."""
        return self.literal is not None

    @property
    def is_range(self) -> bool:
        """True for ranges, open ones included."""
        return self.end is not None or self.open_end

    def sort_key(self) -> tuple[int, int, int, int, int, int, int, str]:
        """A key to sort by: by start, then end; missing parts first; literal dates last.

        An open-start range sorts by its end, an open end after every closed
        one with the same start. Literal dates sort last, by their text.
        """
        if self.literal is not None:
            return (1, 0, 0, 0, 0, 0, 0, self.literal.casefold())
        first = self.start or self.end
        assert first is not None  # checked at construction
        if self.end is not None:
            last = self.end.sort_key()
        elif self.open_end:
            last = (10000, 13, 32)
        else:
            last = first.sort_key()
        return (0, *first.sort_key(), *last, "")

    def __str__(self) -> str:
        """The EDTF form; a literal date gives its literal text.

        A qualifier is written after each end of a closed range
        (``1975~/2004~``) and after the known end of an open one.
        """
        if self.literal is not None:
            return self.literal
        mark = ""
        if self.circa and self.uncertain:
            mark = "%"
        elif self.circa:
            mark = "~"
        elif self.uncertain:
            mark = "?"
        if not self.is_range and not self.open_start:
            return f"{self.start}{mark}"
        left = ".." if self.open_start else f"{self.start}{mark}"
        right = ".." if self.open_end else f"{self.end}{mark}"
        return f"{left}/{right}"


def _before(a: DateParts, b: DateParts) -> bool:
    """True if ``a`` is certainly before ``b``, comparing the parts both have."""
    if a.year != b.year:
        return a.year < b.year
    if a.month is None or b.month is None:
        if a.season is not None and b.season is not None:
            return a.season < b.season
        return False
    if a.month != b.month:
        return a.month < b.month
    if a.day is None or b.day is None:
        return False
    return a.day < b.day


def _parse(raw: str) -> Date | None:
    """The structured date ``raw`` holds, or None if it is to stay literal."""
    body = raw
    circa = uncertain = False
    m = _CIRCA_WORDS.match(body)
    if m and m.end() < len(body):
        circa = True
        body = body[m.end() :]
    try:
        if "/" in body:
            left, _, right = body.partition("/")
            left, right = left.strip(), right.strip()
            start = end = None
            if left not in ("", ".."):
                start, c, u = _qualified_point(left)
                if start is None:
                    return None
                circa, uncertain = circa or c, uncertain or u
            if right not in ("", ".."):
                end, c, u = _qualified_point(right)
                if end is None:
                    return None
                circa, uncertain = circa or c, uncertain or u
            if start is None and end is None:
                return None
            return Date(
                start=start,
                end=end,
                open_start=start is None,
                open_end=end is None,
                circa=circa,
                uncertain=uncertain,
            )
        marks = _QUALIFIERS.search(body)
        if marks:
            circa = circa or "~" in marks.group() or "%" in marks.group()
            uncertain = uncertain or "?" in marks.group() or "%" in marks.group()
            body = body[: marks.start()].rstrip()
        years = _YEAR_RANGE.fullmatch(body)
        if years:
            return Date(
                start=DateParts(int(years.group(1))),
                end=DateParts(int(years.group(2))),
                circa=circa,
                uncertain=uncertain,
            )
        point = _parse_point(body)
        if point is None:
            return None
        return Date(start=point, circa=circa, uncertain=uncertain)
    except ValueError:  # a reversed range
        return None
