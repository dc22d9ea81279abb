"""Rules on dates and numbers: years, months, days, ``year`` against ``date``, page ranges."""

from __future__ import annotations

import re
from collections.abc import Iterable

from citekit.checks import Context, Entry, EntryRule, Finding, Fix, Severity
from citekit.checks.identifiers import _delimited
from citekit.model.dateparse import ENGLISH_MONTHS

__all__ = [
    "DateInvalid",
    "DateMismatch",
    "DayInvalid",
    "MonthInvalid",
    "MonthName",
    "PageRangeDash",
    "PageRangeDescending",
    "YearInvalid",
]

_MONTH_NAMES = ENGLISH_MONTHS
_MONTHS = {name: i + 1 for i, name in enumerate(_MONTH_NAMES)}
_MONTHS.update({name[:3]: i + 1 for i, name in enumerate(_MONTH_NAMES)})
_MONTHS["sept"] = 9
_SEASONS = frozenset({"spring", "summer", "autumn", "fall", "winter"})
_PLACEHOLDER_YEARS = frozenset({"forthcoming", "in press", "inpress", "submitted", "to appear"})
_NO_DATE = frozenset({"n.d.", "nd", "n. d.", "no date", "s.d.", "o.j."})


def _bare(value: str) -> str:
    """A value without protecting braces and surrounding space."""
    return value.replace("{", "").replace("}", "").strip()


def _days_in(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


class YearInvalid(EntryRule):
    """A ``year`` that is not a year."""

    id = "year-invalid"
    severity = "warning"
    family = "dates"
    rationale = (
        "Styles sort and label by year; a year that is not a number (MCMXLIV, 19999, "
        "20O1) sorts wrongly and biber rejects it. Words such as 'forthcoming' belong in "
        "biblatex's pubstate field. In a BibTeX file, which BibTeX prints as written, a "
        "text holding a year ('[1893] 1984') or such a word is information only."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = entry.fields.get("year")
        if field is None:
            return
        text = _bare(field.value)
        if not text or re.fullmatch(r"-?\d{1,4}[a-z]?", text):
            return
        if re.fullmatch(r"\d{4}\s*(?:-{1,3}|–|/)\s*\d{2,4}", text):
            return  # a range of years, which BibTeX prints as written
        # BibTeX prints the year as written ("[1893] 1984", "March 1971"): with a
        # year in it, the text is a convention there, not a defect; biber wants
        # a number.
        severity: Severity = "warning"
        plausible = re.search(r"(?<![\dA-Za-z])\d{4}(?![\dA-Za-z])", text) is not None
        if entry.dialect == "bibtex" and (
            plausible or text.lower() in _NO_DATE or text.lower() in _PLACEHOLDER_YEARS
        ):
            severity = "info"
        if text.lower() in _NO_DATE:
            message = "leave the year out when there is no date (styles print 'n.d.')"
        elif text.lower() in _PLACEHOLDER_YEARS:
            message = "biblatex wants it in pubstate (pubstate = {forthcoming})"
        else:
            message = "expected a number such as 1998"
        yield self.finding(
            context, entry, "year", f"{text!r} is not a year; {message}", severity=severity
        )


class MonthInvalid(EntryRule):
    """A ``month`` outside 1-12, or not a month at all."""

    id = "month-invalid"
    severity = "error"
    family = "dates"
    rationale = (
        "A month is 1-12 or a month's name; month 13 or 'Smarch' is a typing error, and "
        "biblatex's month field takes only numbers 1-12."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = entry.fields.get("month")
        if field is None:
            return
        text = _bare(field.value)
        if not text:
            return
        if text.isdigit():
            if not 1 <= int(text) <= 12:
                yield self.finding(context, entry, "month", f"month {text} is outside 1-12")
            return
        words = [w for w in re.split(r"[\s./,\-–~]+", text.lower()) if w]
        if words and all(w in _MONTHS or w in _SEASONS for w in words):
            return
        if entry.dialect == "bibtex" and words and (words[0] in _MONTHS or words[0] in _SEASONS):
            return  # BibTeX prints the month as written: "September 14th" is fine
        if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", text.lower()):
            return
        yield self.finding(
            context,
            entry,
            "month",
            f"{text!r} is not a month; expected a number 1-12 or a month's name",
            severity="error" if entry.dialect == "biblatex" else "warning",
        )


class MonthName(EntryRule):
    """biblatex: a month written as a name in braces or quotes, not as a number."""

    id = "month-name"
    severity = "warning"
    family = "dates"
    fixable = True
    rationale = (
        "biblatex's month field is a number 1-12 (the macros jan ... dec become numbers, "
        "but {January} in braces stays text that biber does not read as a month). --fix "
        "writes the number."
    )
    dialects = frozenset({"biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = entry.fields.get("month")
        if field is None or field.raw is None:
            return
        parts = _delimited(field.raw)
        if parts is None:
            return  # a macro (jan) or a number: biber reads both
        number = _MONTHS.get(_bare(parts[1]).lower().rstrip("."))
        if number is None:
            return
        yield self.finding(
            context,
            entry,
            "month",
            f"biblatex wants the month as a number: write {number}, not {field.raw.strip()}",
            fix=Fix(
                old=field.raw,
                new=str(number),
                description=f"month: {field.raw.strip()} -> {number}",
            ),
        )


_ISO = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2})(?:T[\d:]+Z?)?)?)?[?~%]?$")
_DATE_FIELDS = ("date", "urldate", "eventdate", "origdate")


def _date_point_problem(point: str) -> str | None:
    if point in ("", ".."):
        return None
    m = _ISO.match(point)
    if m is None:
        return "not a date biber reads: expected YYYY, YYYY-MM or YYYY-MM-DD (ranges with /)"
    year = int(m.group(1))
    if m.group(2) is not None:
        month = int(m.group(2))
        if not (1 <= month <= 12 or 21 <= month <= 24):
            return f"month {m.group(2)} is outside 01-12"
        if m.group(3) is not None:
            day = int(m.group(3))
            if month > 12 or not 1 <= day <= _days_in(year, month):
                return f"day {m.group(3)} does not exist in {m.group(1)}-{m.group(2)}"
    return None


class DateInvalid(EntryRule):
    """biblatex date fields (``date``, ``urldate``, ...): impossible or unreadable dates."""

    id = "date-invalid"
    severity = "error"
    family = "dates"
    rationale = (
        "biblatex's date fields are ISO 8601 / EDTF (2001-03-14, 1998/2001); biber "
        "rejects 'March 14, 2001' and a February 30th is a typing error."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name in _DATE_FIELDS:
            field = entry.fields.get(name)
            if field is None:
                continue
            text = _bare(field.value)
            if not text:
                continue
            for point in text.split("/"):
                problem = _date_point_problem(point.strip())
                if problem is not None:
                    severity: Severity = "error"
                    if problem.startswith("not a date"):
                        # BibTeX itself ignores biblatex's date fields.
                        severity = "info" if entry.dialect == "bibtex" else "warning"
                    yield self.finding(
                        context, entry, name, f"{text!r}: {problem}", severity=severity
                    )
                    break


class DayInvalid(EntryRule):
    """A ``day`` that does not exist in its month (``day = {31}`` in April)."""

    id = "day-invalid"
    severity = "error"
    family = "dates"
    rationale = (
        "A day is 1-31 and exists in its month and year: 31 April or 29 February 2001 "
        "is a typing error that styles print as it is."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = entry.fields.get("day")
        if field is None:
            return
        text = _bare(field.value)
        if not text:
            return
        if not re.fullmatch(r"\d{1,2}", text) or not 1 <= int(text) <= 31:
            yield self.finding(context, entry, "day", f"day {text!r} is not a day of a month")
            return
        month_text = _bare(entry.get("month") or "").lower().rstrip(".")
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
        year_text = _bare(entry.get("year") or "")
        year = int(year_text) if re.fullmatch(r"\d{1,4}", year_text) else 2000  # leap
        if month is not None and 1 <= month <= 12 and int(text) > _days_in(year, month):
            yield self.finding(
                context,
                entry,
                "day",
                f"day {text} does not exist in month {month}"
                + (f" of {year_text}" if year_text == str(year) else ""),
            )


class DateMismatch(EntryRule):
    """``year`` (or ``month``) and ``date`` that disagree."""

    id = "date-mismatch"
    severity = "warning"
    family = "dates"
    rationale = (
        "With both year and date, biblatex uses date and BibTeX uses year: when they "
        "differ, the same entry is dated differently depending on the tool."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        date = entry.fields.get("date")
        if date is None:
            return
        m = _ISO.match(_bare(date.value).split("/")[0].strip())
        if m is None:
            return
        year = entry.fields.get("year")
        year_text = _bare(year.value) if year is not None else ""
        if re.fullmatch(r"-?\d{1,4}", year_text) and int(m.group(1)) != int(year_text):
            yield self.finding(
                context,
                entry,
                "year",
                f"year {year_text} and date {_bare(date.value)} disagree",
            )
            return
        month = entry.fields.get("month")
        if month is not None and m.group(2) is not None:
            text = _bare(month.value).lower()
            number = int(text) if text.isdigit() else _MONTHS.get(text.rstrip("."))
            if number is not None and number != int(m.group(2)):
                yield self.finding(
                    context,
                    entry,
                    "month",
                    f"month {_bare(month.value)} and date {_bare(date.value)} disagree",
                )


_RANGE = re.compile(r"^\s*([A-Za-z]*)(\d+)\s*(?:-{1,3}|–|—|\\textendash\s*)\s*([A-Za-z]*)(\d+)\s*$")


def _page_field(entry: Entry) -> str | None:
    for name in ("pages", "page"):
        if name in entry.fields:
            return name
    return None


class PageRangeDescending(EntryRule):
    """A page range that ends before it starts (``45-12``)."""

    id = "page-range-descending"
    severity = "warning"
    family = "dates"
    rationale = (
        "A range that ends before it starts is a typing error (45-12 for 45-52); "
        "abbreviated ends such as 123-45 (for 123-145) are read as such and not reported."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        name = _page_field(entry)
        if name is None:
            return
        value = _bare(entry.fields[name].value)
        for part in re.split(r"[,;]", value):
            m = _RANGE.match(part)
            if m is None or m.group(1).lower() != m.group(3).lower():
                continue
            start, end = m.group(2), m.group(4)
            if len(end) < len(start):
                end = start[: len(start) - len(end)] + end
            if int(end) < int(start):
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"the page range {part.strip()!r} ends before it starts",
                )


_SINGLE_HYPHEN = re.compile(r"(?<=[0-9A-Za-z])\s*(?<!-)-(?!-)\s*(?=[0-9A-Za-z])")


class PageRangeDash(EntryRule):
    """BibTeX: a page range with a single hyphen instead of ``--``."""

    id = "page-range-dash"
    severity = "info"
    family = "dates"
    fixable = True
    rationale = (
        "BibTeX prints pages as written: 12-34 comes out with a hyphen where an en dash "
        "belongs (12--34). The standard styles repair a lone hyphen themselves, so this "
        "is information, and --fix writes the en dash."
    )
    dialects = frozenset({"bibtex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = entry.fields.get("pages")
        if field is None or field.raw is None:
            return
        parts = _delimited(field.raw)
        if parts is None:
            return
        opening, inner, closing = parts
        pieces = re.split(r"([,;])", inner)
        changed = False
        for index, piece in enumerate(pieces):
            if _RANGE.match(piece) and _SINGLE_HYPHEN.search(piece):
                pieces[index] = _SINGLE_HYPHEN.sub("--", piece)
                changed = True
        if not changed:
            return
        new = opening + "".join(pieces) + closing
        yield self.finding(
            context,
            entry,
            "pages",
            f"page ranges take an en dash (--) in BibTeX: write {new}",
            fix=Fix(old=field.raw, new=new, description=f"pages: {field.raw} -> {new}"),
        )
