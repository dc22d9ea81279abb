"""citekit's ``cs:date`` and ``cs:date-part`` (CSL 1.0.2, "Date" and "Date-part").

They render into the intermediate HTML of :mod:`citekit.csl.passes`:

* **Localized dates** (``form="text"`` or ``"numeric"``) take the date-parts,
  their order, affixes and the delimiter from the locale's ``cs:date``;
  ``date-parts`` ("year-month-day", "year-month", "year") picks which are
  shown, and ``cs:date-part`` children of the style's ``cs:date`` override
  everything but the affixes of the locale's date-parts. Without ``form`` the
  style's own ``cs:date-part`` children are rendered, joined by the date's
  ``delimiter``.
* **Values**: a part without a value is left out with its affixes (and the
  delimiter next to it); a day without a month is not shown; months 13 to 24
  are seasons (13 and 21 are spring, ...), other invalid months and days are
  dropped; ``season`` shows in the month's place when there is no month
  (a season term, or the text as given); years before 1 get the ``bc`` term,
  years 1 to 999 the ``ad`` term; a literal date is printed as given.
* **Ranges** are collapsed: the parts the two dates share are printed once,
  the differing ones ("2–4 May 2000", "May 2–June 4, 2000", "2000–2001") on
  either side of the ``range-delimiter`` of the largest differing part (en
  dash by default); an open range ("1987–") ends with the delimiter.
* **Forms**: day ``numeric``, ``numeric-leading-zeros`` and ``ordinal``
  (gendered as the month's term; ``limit-day-ordinals-to-day-1``); month
  ``long``, ``short``, ``numeric``, ``numeric-leading-zeros``; year ``long``
  and ``short``; ``strip-periods``, ``text-case`` and formatting per part.
* **Cite state** (:mod:`citekit.csl.elements.citations`): the implicit year
  suffix follows the first year a cite renders (when the style prints no
  ``year-suffix`` itself), and a rendered date ends the chance of a term to
  be capitalized as the first thing in a cite.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from citeproc import model
from citeproc.source import VariableError

from citekit.csl import passes
from citekit.csl.elements import element
from citekit.csl.elements.names import note_substituted
from citekit.csl.elements.state import cite_state, is_probe, substituted, year_mark
from citekit.csl.elements.text import _Rendered, item_language, ordinal, term_gender

__all__ = ["Date", "DateValue", "Date_Part", "ParsedDate", "parse_date"]

_FIELDS = ("year", "month", "day")
_EN_DASH = "\u2013"


@dataclass(frozen=True)
class DateValue:
    """One date of a date variable: its valid parts (None where absent or invalid)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: int | str | None = None
    """A season (1 spring to 4 winter, or its text) when there is no month."""

    def field(self, name: str) -> Any:
        """The value compared for ``name`` ("year", "month", "day") in a range."""
        if name == "month":
            return self.month if self.month is not None else self.season
        return getattr(self, name)

    @property
    def empty(self) -> bool:
        """True when no part can be shown."""
        return self.year is None and self.field("month") is None


@dataclass(frozen=True)
class ParsedDate:
    """A date variable's value: one date, a range (two), an open range, or a literal."""

    dates: tuple[DateValue, ...] = ()
    literal: str | None = None
    open_range: bool = False
    circa: bool = False


def _sort_text(parsed: ParsedDate, shown: set[str]) -> str | None:
    """A date in a macro's sort key: the parts it shows as digits that order by time.

    Years are offset so that years before 1 sort first ("100 BC" before
    "44 BC" before "AD 54"); a missing part counts as zero; a range sorts by
    its start, then its end.
    """
    pieces = []
    for value in parsed.dates:
        if value.empty:
            continue
        year = value.year if isinstance(value.year, int) else 0
        month = value.field("month")
        month = month + 20 if isinstance(month, int) and value.month is None else month
        day = value.day
        piece = f"{year + 100000:06d}" if "year" in shown else ""
        if "month" in shown:
            piece += f"{month if isinstance(month, int) else 0:02d}"
        if "day" in shown:
            piece += f"{day if isinstance(day, int) else 0:02d}"
        pieces.append(piece)
    return " ".join(pieces) or None


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return None


def _date_value(parts: Any, season: Any = None) -> DateValue:
    """A :class:`DateValue` from a mapping with ``year``, ``month``, ``day``, ``season``."""

    def get(key: str) -> Any:
        try:
            return dict.get(parts, key) if isinstance(parts, dict) else None
        except TypeError:
            return None

    year = _number(get("year"))
    month = _number(get("month"))
    day = _number(get("day"))
    found_season: int | str | None = None
    if month is not None and not 1 <= month <= 12:
        if 13 <= month <= 24:
            found_season = (month - 13) % 4 + 1
        month = None
    if month is None or day is None or not 1 <= day <= 31:
        day = None
    raw_season = get("season") if season is None else season
    if month is None and found_season is None and raw_season not in (None, ""):
        number = _number(raw_season)
        if number is not None:
            found_season = (number - 1) % 4 + 1 if number > 0 else None
        else:
            found_season = str(raw_season)
    if year == 0:
        year = None
    return DateValue(year=year, month=month, day=day, season=found_season)


def parse_date(value: Any) -> ParsedDate | None:
    """A date variable's value as a :class:`ParsedDate`; None when it holds nothing.

    ``value`` is citeproc-py's ``Date``, ``DateRange`` or ``LiteralDate``, or
    a CSL-JSON date object (``date-parts``, ``season``, ``circa``,
    ``literal``, ``raw``).
    """
    from citeproc.source import DateRange, LiteralDate

    if value is None:
        return None
    if isinstance(value, LiteralDate):
        return (
            ParsedDate(literal=value.text, circa=bool(dict.get(value, "circa")))
            if value.text
            else None
        )
    if not isinstance(value, dict):
        return None
    if not isinstance(value, DateRange) and "date-parts" in value:
        return _parse_json(value)
    circa = bool(dict.get(value, "circa"))
    if not isinstance(value, DateRange):
        single = _date_value(value)
        return None if single.empty else ParsedDate(dates=(single,), circa=circa)
    begin = _date_value(dict.get(value, "begin"))
    end_parts = dict.get(value, "end")
    end = _date_value(end_parts) if end_parts is not None else DateValue()
    if begin.empty:
        return None
    if end.empty:
        return ParsedDate(dates=(begin,), open_range=end_parts is not None, circa=circa)
    if end == begin:
        return ParsedDate(dates=(begin,), circa=circa)
    return ParsedDate(dates=(begin, end), circa=circa)


def _parse_json(value: dict[str, Any]) -> ParsedDate | None:
    """A CSL-JSON date object (``date-parts``, ``season``, ``circa``, ``literal``)."""
    circa = bool(value.get("circa"))
    rows = value.get("date-parts") or []
    dates = []
    for row in rows[:2]:
        if not isinstance(row, list | tuple):
            continue
        parts = dict(zip(_FIELDS, row, strict=False))
        dates.append(_date_value(parts, value.get("season")))
    if not dates or dates[0].empty:
        literal = value.get("literal") or value.get("raw")
        return ParsedDate(literal=str(literal), circa=circa) if literal else None
    if len(dates) == 2:
        if dates[1].empty:
            return ParsedDate(dates=(dates[0],), open_range=True, circa=circa)
        if dates[1] != dates[0]:
            return ParsedDate(dates=(dates[0], dates[1]), circa=circa)
    return ParsedDate(dates=(dates[0],), circa=circa)


# Formatting ---------------------------------------------------------------------


def _decorate(text: str, attributes: dict[str, str]) -> str:
    """``text`` with the CSL formatting attributes in ``attributes`` as markup."""
    style = attributes.get("font-style")
    if style in ("italic", "oblique"):
        text = f"<i>{text}</i>"
    if attributes.get("font-variant") == "small-caps":
        text = f'<span style="font-variant:small-caps;">{text}</span>'
    if attributes.get("font-weight") == "bold":
        text = f"<b>{text}</b>"
    if attributes.get("text-decoration") == "underline":
        text = f"<u>{text}</u>"
    align = attributes.get("vertical-align")
    if align in ("sup", "sub"):
        text = f"<{align}>{text}</{align}>"
    for name, normal, css in (
        ("font-style", "normal", "font-style:normal;"),
        ("font-weight", "normal", "font-weight:normal;"),
        ("font-variant", "normal", "font-variant:normal;"),
        ("vertical-align", "baseline", "baseline"),
    ):
        if attributes.get(name) == normal:
            text = f'<span style="{css}">{text}</span>'
    return text


@dataclass
class _Part:
    """A date-part as rendered for one date: affixes and the formatted text."""

    name: str
    prefix: str
    text: str
    suffix: str

    def whole(self, *, prefix: bool = True, suffix: bool = True) -> str:
        return (self.prefix if prefix else "") + self.text + (self.suffix if suffix else "")


def _join(pieces: list[str], delimiter: str) -> str:
    return delimiter.join(piece for piece in pieces if piece)


@element("date-part")
class Date_Part(model.Date_Part):  # type: ignore[misc]
    """``cs:date-part``: rendered by its :class:`Date` (which knows the date and locale)."""

    def overrides(self) -> dict[str, str]:
        """The attributes that override a localized date-part's (all but name and affixes)."""
        return {
            key: value
            for key, value in self.attrib.items()
            if key not in ("name", "prefix", "suffix")
        }


@element("date")
class Date(_Rendered, model.Date):  # type: ignore[misc]
    """``cs:date`` (see the module documentation)."""

    def calls_variable(self) -> bool:
        """A date always renders a variable."""
        return True

    def process(
        self,
        item: Any,
        variable: str | None = None,
        show_parts: Any = None,
        context: Any = None,
        **kwargs: Any,
    ) -> str | None:
        """The date's intermediate HTML without its own affixes and formatting, or None."""
        name = variable or self.get("variable")
        if not name:
            return None
        record = substituted(item)
        if record is not None and name in record.of(self.tag):
            return None  # rendered already by a cs:substitute
        if name == "accessed" and is_probe(item):
            return None  # (compared for disambiguation without it, as citeproc-js)
        try:
            value = item.reference[name.replace("-", "_")]
        except (VariableError, KeyError, AttributeError):
            return None
        parsed = parse_date(value)
        if parsed is None:
            return None
        sorting = kwargs.get("sort_options") is not None
        state = None if sorting else cite_state(item)
        shown = {part for part, _ in self._parts()[0]}
        if parsed.literal is not None:
            # The literal stands where the year would be (as in citeproc-js):
            # a date showing only month and day prints nothing.
            if "year" not in shown:
                return None
            text = passes.rich_text(parsed.literal)
        elif sorting:
            text = _sort_text(parsed, shown) or ""
        else:
            text = self._render(parsed, state, item_language(self, item))
        if text and state is not None:
            state.capitalize_first_term = False
        if text and not sorting:
            # a date a cs:substitute renders (through a macro too) is not
            # rendered again in the rest of the output
            note_substituted(item, self.tag, name, text)
        return text or None

    def markup(self, text: Any) -> Any:
        """Case, formatting and affixes of the whole date (none in a sort key)."""
        if not text:
            return None
        return self.wrap(str(self.format(self.rich_case(str(text), None))))

    # -- parts ----------------------------------------------------------------------

    def _parts(self) -> tuple[list[tuple[str, dict[str, str]]], str]:
        """(date-part name, attributes) in order, and the delimiter between parts.

        Found once (the style and its locale dates do not change while they
        render); the lists and attributes are read, never changed.
        """
        found: tuple[list[tuple[str, dict[str, str]]], str] | None = vars(self).get(
            "_citekit_parts"
        )
        if found is None:
            found = self._find_parts()
            node: Any = self  # (lxml elements take attributes; the stubs do not say so)
            vars(node)["_citekit_parts"] = found
        return found

    def _find_parts(self) -> tuple[list[tuple[str, dict[str, str]]], str]:
        form = self.get("form")
        localized = self.get_date(form) if form in ("text", "numeric") else None
        if localized is None:
            parts = [
                (child.get("name"), dict(child.attrib))
                for child in self.iterchildren()
                if isinstance(child.tag, str) and child.get("name") in _FIELDS
            ]
            return parts, self.get("delimiter", "")
        shown = set(self.get("date-parts", "year-month-day").split("-"))
        overrides = {
            child.get("name"): dict(
                (k, v) for k, v in child.attrib.items() if k not in ("name", "prefix", "suffix")
            )
            for child in self.iterchildren()
            if isinstance(child.tag, str) and child.get("name")
        }
        parts = []
        hidden_after = False  # (a part of the locale's form follows the last one shown)
        for child in localized.iterchildren():
            name = child.get("name") if isinstance(child.tag, str) else None
            if name not in _FIELDS:
                continue
            if name not in shown:
                hidden_after = bool(parts)
                continue
            hidden_after = False
            attributes = dict(child.attrib)
            attributes.update(overrides.get(name, {}))
            parts.append((name, attributes))
        if hidden_after and parts:
            # As citeproc-js: the punctuation that parted the last part shown
            # from a part left out goes with it ("April 1" of "April 1, 2000");
            # a unit stays ("4月1日")
            name, attributes = parts[-1]
            suffix = attributes.get("suffix", "")
            kept = suffix.rstrip(" \u00a0,.;:/-")
            parts[-1] = (name, {**attributes, "suffix": kept})
        return parts, localized.get("delimiter", "")

    def _render(self, parsed: ParsedDate, state: Any, language: str | None) -> str:
        parts, delimiter = self._parts()
        if state is not None and state.mark_years:
            mark = year_mark()
            parts = [
                (
                    name,
                    {**attrs, "suffix": mark + attrs.get("suffix", "")}
                    if name == "year"
                    else attrs,
                )
                for name, attrs in parts
            ]
        names = [name for name, _ in parts]
        begin = parsed.dates[0]
        render_state = {"state": state}

        def rendered(value: DateValue) -> list[_Part | None]:
            return [self._part(name, attrs, value, render_state, language) for name, attrs in parts]

        def range_delimiter(field: str) -> str:
            for name, attributes in parts:
                if name == field:
                    return passes.escape(attributes.get("range-delimiter", _EN_DASH))
            return _EN_DASH

        if parsed.open_range:
            first = rendered(begin)
            text = _join([p.whole() for p in first if p], delimiter)
            largest = next((f for f in _FIELDS if f in names), "year")
            return text + range_delimiter(largest) if text else ""
        if len(parsed.dates) == 1:
            return _join([p.whole() for p in rendered(begin) if p], delimiter)
        end = parsed.dates[1]
        differing = [f for f in _FIELDS if f in names and begin.field(f) != end.field(f)]
        if not differing:
            return _join([p.whole() for p in rendered(begin) if p], delimiter)
        largest = differing[0]
        varying = set(_FIELDS[_FIELDS.index(largest) :])
        first, second = rendered(begin), rendered(end)
        indices = [i for i, name in enumerate(names) if name in varying and (first[i] or second[i])]
        if not indices:
            return _join([p.whole() for p in first if p], delimiter)
        low, high = indices[0], indices[-1]

        def half(pieces: list[_Part | None], *, strip_prefix: bool, strip_suffix: bool) -> str:
            chosen = [p for p in pieces[low : high + 1] if p]
            out = []
            for index, piece in enumerate(chosen):
                out.append(
                    piece.whole(
                        prefix=not (strip_prefix and index == 0),
                        suffix=not (strip_suffix and index == len(chosen) - 1),
                    )
                )
            return _join(out, delimiter)

        before = [p.whole() for p in first[:low] if p]
        after = [p.whole() for p in second[high + 1 :] if p]
        left = half(first, strip_prefix=False, strip_suffix=True)
        right = half(second, strip_prefix=True, strip_suffix=False)
        middle = left + range_delimiter(largest) + right if left and right else left or right
        return _join([*before, middle, *after], delimiter)

    def _part(
        self,
        name: str,
        attributes: dict[str, str],
        value: DateValue,
        render_state: dict[str, Any],
        language: str | None,
    ) -> _Part | None:
        text = self._part_text(name, attributes, value)
        if not text:
            return None
        text = passes.escape(text)
        if attributes.get("strip-periods", "false").lower() == "true":
            text = passes.strip_periods(text)
        text = passes.apply_case(text, attributes.get("text-case"), language)
        text = _decorate(text, attributes)
        return _Part(
            name,
            passes.escape(attributes.get("prefix", "")),
            text,
            passes.escape(attributes.get("suffix", "")),
        )

    def _term(self, name: str, form: str | None = None) -> str:
        """A term's text (a short form falls back to the long one)."""
        text = self.get_single_term(name=name, form=form) if form else ""
        if not text:
            text = self.get_single_term(name=name)
        return html.unescape(str(text or ""))

    def _part_text(self, name: str, attributes: dict[str, str], value: DateValue) -> str:
        """A date-part's plain text for one date ("" when it has no value)."""
        if name == "year":
            if value.year is None:
                return ""
            if attributes.get("form") == "short":
                return f"{abs(value.year) % 100:02}"
            text = str(abs(value.year))
            if value.year < 0:
                return text + self._term("bc")
            if value.year < 1000:
                return text + self._term("ad")
            return text
        if name == "month":
            form = attributes.get("form", "long")
            if value.month is None:
                if isinstance(value.season, int):
                    return self._term(
                        f"season-{value.season:02}", "short" if form == "short" else None
                    )
                return value.season or ""
            if form == "numeric":
                return str(value.month)
            if form == "numeric-leading-zeros":
                return f"{value.month:02}"
            return self._term(f"month-{value.month:02}", "short" if form == "short" else None)
        if value.day is None or value.month is None:
            return ""
        form = attributes.get("form", "numeric")
        if form == "ordinal":
            limit = str(self.get_locale_option("limit-day-ordinals-to-day-1") or "false")
            if limit.lower() == "true" and value.day != 1:
                form = "numeric"
        if form == "ordinal":
            return ordinal(self, value.day, term_gender(self, f"month-{value.month:02}"))
        if form == "numeric-leading-zeros":
            return f"{value.day:02}"
        return str(value.day)
