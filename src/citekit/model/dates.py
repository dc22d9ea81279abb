"""Partial, uncertain and ranged dates, as bibliographies need them.

A :class:`Date` is a single date, a range (1975/2004) or an open range
(1930/..), each end a :class:`DateParts` of which only the year is required;
it can be approximate (circa), uncertain, or a literal text kept as given.
Its text form follows EDTF (ISO 8601-2), which BibLaTeX's ``date`` fields use:
``1944``, ``1944-03``, ``1944-03-05``, ``1944-21`` (spring), ``1944~``
(circa), ``1944?`` (uncertain), ``1975/2004``, ``1930/..``.
"""

from __future__ import annotations

import calendar
import enum
import re
from typing import Any

import attrs

__all__ = ["Date", "DateParts", "Season"]


class Season(enum.IntEnum):
    """Seasons, numbered as CSL and EDTF (21-24) number them."""

    SPRING = 1
    SUMMER = 2
    AUTUMN = 3
    WINTER = 4


def _check_month(
    instance: DateParts, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and not 1 <= value <= 12:
        raise ValueError(f"month must be 1-12, got {value}")


def _check_day(
    instance: DateParts, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is None:
        return
    if instance.month is None:
        raise ValueError("a day needs a month")
    last = calendar.monthrange(instance.year if instance.year > 0 else 2000, instance.month)[1]
    if not 1 <= value <= last:
        raise ValueError(f"day must be 1-{last} for month {instance.month}, got {value}")


def _to_season(value: Season | int | None) -> Season | None:
    return None if value is None else Season(value)


@attrs.frozen
class DateParts:
    """One calendar point with optional month and day (or a season instead of a month).

    Years before the common era are zero or negative (astronomical numbering:
    0 is 1 BCE), as in EDTF.
    """

    year: int
    month: int | None = attrs.field(default=None, validator=_check_month)
    day: int | None = attrs.field(default=None, validator=_check_day)
    season: Season | None = attrs.field(default=None, converter=_to_season)

    def __attrs_post_init__(self) -> None:
        if self.season is not None and self.month is not None:
            raise ValueError("a date has a month or a season, not both")

    def __str__(self) -> str:
        year = f"-{abs(self.year):04d}" if self.year < 0 else f"{self.year:04d}"
        if self.season is not None:
            return f"{year}-{20 + self.season.value}"
        if self.month is None:
            return year
        if self.day is None:
            return f"{year}-{self.month:02d}"
        return f"{year}-{self.month:02d}-{self.day:02d}"

    def as_tuple(self) -> tuple[int, ...]:
        """(year[, month[, day]]) as CSL's date-parts hold them."""
        if self.month is None:
            return (self.year,)
        if self.day is None:
            return (self.year, self.month)
        return (self.year, self.month, self.day)


_POINT = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_CIRCA_WORDS = re.compile(r"^(?:circa|ca\.?|c\.)\s*", re.IGNORECASE)


def _parse_point(text: str) -> DateParts | None:
    m = _POINT.match(text)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and 21 <= month <= 24 and day is None:
        return DateParts(year, season=Season(month - 20))
    try:
        return DateParts(year, month, day)
    except ValueError:
        return None


@attrs.frozen(kw_only=True)
class Date:
    """A date as bibliographies use it: partial, approximate, ranged or literal.

    - a single date: ``start`` only;
    - a range: ``start`` and ``end``;
    - an open range: ``start`` with ``open_end`` (1930/..), or ``end`` with
      ``open_start`` (../1990);
    - a literal: ``literal`` only ("Spring term, 1920s"), kept as given.
    """

    start: DateParts | None = None
    end: DateParts | None = None
    open_start: bool = False
    open_end: bool = False
    circa: bool = False
    uncertain: bool = False
    literal: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.literal is not None:
            if self.start or self.end:
                raise ValueError("a literal date has no date parts")
            return
        if self.start is None and self.end is None:
            raise ValueError("a Date needs a start, an end or a literal")
        if self.open_start and self.start is not None:
            raise ValueError("an open-start range has no start")
        if self.open_end and self.end is not None:
            raise ValueError("an open-end range has no end")
        if self.start is None and not self.open_start:
            raise ValueError("a Date with only an end must be open at the start")

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> Date:
        """A single date: ``Date.of(1944)``, ``Date.of(1938, 4, 1)``."""
        return cls(start=DateParts(year, month, day))

    @classmethod
    def parse(cls, text: str) -> Date:
        """Read EDTF-like text; anything else becomes a literal date.

        Accepts ``1944``, ``1944-03``, ``1944-03-05``, seasons ``1944-21`` to
        ``-24``, ``~`` (circa), ``?`` (uncertain), ``%`` (both), "circa 1944",
        "c. 1944", ranges ``1975/2004`` and ``1975-2004`` (two years), and open
        ranges ``1930/..``, ``1930/``, ``../1990``, ``/1990``.
        """
        raw = text.strip()
        if not raw:
            raise ValueError("empty date")
        body = raw
        circa = uncertain = False
        m = _CIRCA_WORDS.match(body)
        if m:
            circa = True
            body = body[m.end() :]
        while body and body[-1] in "~?%":
            mark = body[-1]
            circa = circa or mark in "~%"
            uncertain = uncertain or mark in "?%"
            body = body[:-1]
        flags: dict[str, Any] = {"circa": circa, "uncertain": uncertain}
        if "/" in body:
            left, _, right = body.partition("/")
            left, right = left.strip(), right.strip()
            start = _parse_point(left) if left not in ("", "..") else None
            end = _parse_point(right) if right not in ("", "..") else None
            if (left not in ("", "..") and start is None) or (
                right not in ("", "..") and end is None
            ):
                return cls(literal=raw)
            if start is None and end is None:
                return cls(literal=raw)
            if start is None:
                return cls(end=end, open_start=True, **flags)
            if end is None:
                return cls(start=start, open_end=True, **flags)
            return cls(start=start, end=end, **flags)
        year_range = re.match(r"^(-?\d{3,4})\s*[-–]\s*(\d{4})$", body)
        if year_range:
            return cls(
                start=DateParts(int(year_range.group(1))),
                end=DateParts(int(year_range.group(2))),
                **flags,
            )
        point = _parse_point(body)
        if point is None:
            return cls(literal=raw)
        return cls(start=point, **flags)

    @property
    def year(self) -> int | None:
        """The year of the start (or of the end of an open-start range)."""
        parts = self.start or self.end
        return parts.year if parts else None

    @property
    def is_range(self) -> bool:
        """True for ranges, open ones included."""
        return self.end is not None or self.open_end

    def __str__(self) -> str:
        """The EDTF form; a literal date gives its literal text."""
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
