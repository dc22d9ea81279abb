"""CSL items and citekit's model: the conversion CSL-JSON and CSL-YAML share.

A CSL item is a JSON object (a ``dict`` once parsed) as the CSL 1.0.2 schema
describes it. This module turns items into :class:`~citekit.Work` objects and
back, excerpt objects into :class:`~citekit.Excerpt` objects and back, and a
whole parsed document into a :class:`~citekit.Library`. The two format modules
only parse and print text: :mod:`citekit.formats.csljson` and
:mod:`citekit.formats.cslyaml`.

Where things go (see ``docs/csl-json.md`` for the whole story):

- the CSL variables citekit models become :class:`~citekit.Work` attributes,
  names become :attr:`~citekit.Work.contributors`;
- every other CSL variable (and every key the CSL-JSON schema knows) goes to
  :attr:`~citekit.Work.variables` under its CSL name, its JSON value kept (as
  tuples and :class:`~citekit.model.FrozenMap` objects, so works stay
  hashable);
- keys CSL does not know: text values go to :attr:`~citekit.Work.extra`, other
  values to ``variables["custom"]``; on writing, ``extra`` goes to
  ``item["custom"]["extra"]`` and ``Work.arxiv`` to ``item["custom"]["arxiv"]``,
  so what citekit writes is valid against the CSL 1.0.2 schema.

Reading never raises for bad input: it records :class:`~citekit.Problem`
objects and keeps what it cannot read (in ``variables``, ``extra``, or, for an
item or excerpt that cannot be read at all, as it is in ``library.origin``,
written back in its place).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

import attrs

from citekit.errors import FormatError
from citekit.formats.csl_vocabulary import (
    CSL_VARIABLES,
    DATE_FIELDS,
    ITEM_ORDER_DATES,
    ITEM_ORDER_HEAD,
    ITEM_ORDER_TAIL,
    MARKUP_FIELDS,
    ROLES,
    TEXT_FIELDS,
)
from citekit.model import (
    Date,
    DateParts,
    Excerpt,
    FrozenMap,
    Library,
    Locator,
    Person,
    Problem,
    QuotedIn,
    Season,
    Work,
    WorkType,
    parse_names,
)
from citekit.model.excerpts import Original
from citekit.model.library import ALIASES_FIELD, work_aliases
from citekit.model.markup import (
    csl_expressible,
    escape,
    from_csl_text,
    strip_markup,
    to_csl_text,
)

__all__ = [
    "CSL_VARIABLES",
    "DATE_FIELDS",
    "MARKUP_FIELDS",
    "ROLES",
    "TEXT_FIELDS",
    "CslFormatBase",
    "CslOrigin",
    "Positions",
    "date_from_csl",
    "date_to_csl",
    "excerpt_from_csl",
    "excerpt_to_csl",
    "freeze",
    "live_rich",
    "person_from_csl",
    "person_to_csl",
    "thaw",
    "work_from_item",
    "work_to_item",
]

# --- the CSL vocabulary: citekit.formats.csl_vocabulary --------------------------------


#: Keys of ``item["custom"]`` that citekit reads into the model.
CUSTOM_ARXIV = "arxiv"
CUSTOM_EXTRA = "extra"
CUSTOM_HINTS = "citekit-hints"
CUSTOM_RICH = "citekit-rich"
#: The ``extra`` key that keeps a type CSL does not know.
EXTRA_TYPE = "csl-type"

_NAME_PARTS = {
    "family": "family",
    "given": "given",
    "dropping-particle": "dropping_particle",
    "non-dropping-particle": "non_dropping_particle",
    "suffix": "suffix",
    "literal": "literal",
}
_DATE_KEYS = frozenset({"date-parts", "season", "circa", "literal", "raw", "edtf"})
_SEASON_WORDS = {
    "spring": Season.SPRING,
    "summer": Season.SUMMER,
    "autumn": Season.AUTUMN,
    "fall": Season.AUTUMN,
    "winter": Season.WINTER,
}
_EXCERPT_KEYS = frozenset(
    {
        "id",
        "text",
        "work",
        "locator",
        "speaker",
        "quoted-in",
        "language",
        "translator",
        "original",
        "tags",
        "note",
    }
)


class _Bad(ValueError):
    """A value that cannot be read; the message says what was expected."""


# --- JSON values -----------------------------------------------------------------------------


def freeze(value: Any) -> Any:
    """A JSON value made hashable: lists become tuples, objects :class:`FrozenMap` objects."""
    if isinstance(value, Mapping):
        return FrozenMap((str(k), freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`: tuples to lists, mappings to dicts."""
    if isinstance(value, Mapping):
        return {str(k): thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value


def _kind(value: Any) -> str:
    """How a JSON value is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({_short(value)})"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _truthy(value: Any) -> bool:
    """CSL's flags (circa, comma-suffix) are booleans, numbers or strings."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no")
    return bool(value)


def _number_text(value: Any) -> str | None:
    """Text or a number as text; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


# --- names -----------------------------------------------------------------------------------


def person_from_csl(value: Any) -> tuple[Person, list[str]]:
    """A CSL name (object, or text for a literal name) as a :class:`Person`.

    Returns the person and notes about what was not kept (keys citekit does
    not model, such as ``static-ordering``). Raises ``ValueError`` with a
    message saying what was expected when the value is not a name.
    """
    notes: list[str] = []
    if isinstance(value, str):
        if not value.strip():
            raise _Bad("expected a name, got empty text")
        return Person(literal=value), notes
    if not isinstance(value, Mapping):
        raise _Bad(f"expected a name object, got {_kind(value)}")
    parts: dict[str, str] = {}
    for key, part in value.items():
        if key in _NAME_PARTS:
            text = _number_text(part)
            if text is None and part is not None:
                raise _Bad(f"{key!r}: expected text, got {_kind(part)}")
            if text is not None and text.strip():
                parts[_NAME_PARTS[key]] = text
        elif key not in ("comma-suffix", "isInstitution"):
            notes.append(f"{key!r} is not kept by citekit (it is written back while unchanged)")
    comma_suffix = _truthy(value.get("comma-suffix", False))
    if "literal" in parts:
        if len(parts) > 1:
            notes.append("a literal name with name parts: the parts are ignored")
        return Person(literal=parts["literal"]), notes
    if _truthy(value.get("isInstitution", False)):
        if set(parts) == {"family"}:
            return Person(literal=parts["family"]), notes
        notes.append("'isInstitution' on a name with a given name is ignored")
    try:
        return Person(**parts, comma_suffix=comma_suffix), notes
    except ValueError:
        raise _Bad('expected "family", "given" or "literal"') from None


def person_to_csl(person: Person) -> dict[str, Any]:
    """A :class:`Person` as a CSL name object."""
    if person.literal is not None:
        return {"literal": person.literal}
    out: dict[str, Any] = {}
    for key, attribute in _NAME_PARTS.items():
        part = getattr(person, attribute)
        if part is not None:
            out[key] = part
    if person.comma_suffix:
        out["comma-suffix"] = True
    return out


# --- dates -----------------------------------------------------------------------------------

_INT = re.compile(r"^\s*[-+]?\d+\s*$")


def _date_number(value: Any, what: str) -> int | None:
    """One element of a date-parts array: a number, a numeric string, or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Bad(f"{what}: expected a number, got {_kind(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value):
        return int(value)
    raise _Bad(f"{what}: expected a number, got {_kind(value)}")


def _csl_year(year: int) -> int:
    """A CSL year (..., -2, -1 = 2 and 1 BC, no year 0) as an astronomical year."""
    return year + 1 if year < 0 else year


def _out_year(year: int) -> int:
    """An astronomical year (0 = 1 BC) as a CSL year (-1 = 1 BC)."""
    return year - 1 if year <= 0 else year


def _season(value: Any) -> Season | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return Season(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "2", "3", "4"):
            return Season(int(text))
        if text in _SEASON_WORDS:
            return _SEASON_WORDS[text]
    return None


def _date_point(raw: Any, what: str, notes: list[str]) -> DateParts | int | None:
    """One date-parts array as DateParts; 0 for the "open" marker [0]; None when empty."""
    if not isinstance(raw, list | tuple):
        raise _Bad(f"{what}: expected an array [year, month, day], got {_kind(raw)}")
    if len(raw) > 3:
        notes.append(f"{what} has {len(raw)} numbers; only year, month and day are read")
    numbers = [_date_number(v, what) for v in list(raw)[:3]]
    numbers += [None] * (3 - len(numbers))
    year, month, day = numbers
    if year is None:
        return None
    if year == 0:
        return 0
    year = _csl_year(year)
    season: Season | None = None
    if month is not None and month != 0:
        if 13 <= month <= 16:
            season, month = Season(month - 12), None
        elif 21 <= month <= 24:
            season, month = Season(month - 20), None
        elif not 1 <= month <= 12:
            notes.append(f"{what}: month {month} is not 1-12 or a season (21-24); ignored")
            month = None
            day = None
    else:
        month = None
    if day == 0:
        day = None
    if day is not None and month is None:
        if season is None:
            notes.append(f"{what}: a day without a month is ignored")
        else:
            notes.append(f"{what}: a day with a season is ignored")
        day = None
    try:
        if season is not None:
            return DateParts(year, season=season)
        try:
            return DateParts(year, month, day)
        except ValueError:
            if day is None:
                raise
            notes.append(f"{what}: day {day} is not a day of month {month}; ignored")
            return DateParts(year, month)
    except ValueError as error:
        raise _Bad(f"{what}: {error}") from None


def _parts_date(parts: Any, notes: list[str]) -> Date | None:
    """CSL's "date-parts": [[y, m, d]] or [[y, m, d], [y, m, d]], [[y], [0]] open."""
    if not isinstance(parts, list | tuple):
        raise _Bad(f'"date-parts": expected an array of arrays, got {_kind(parts)}')
    if not parts:
        return None
    if len(parts) > 2:
        notes.append(f'"date-parts" has {len(parts)} dates; only the first two are read')
    start = _date_point(parts[0], '"date-parts" start', notes)
    end = _date_point(parts[1], '"date-parts" end', notes) if len(parts) > 1 else None
    if len(parts) > 1 and end is None:
        notes.append('"date-parts": the end of the range is empty; read as a single date')
    if isinstance(start, DateParts):
        if end == 0:
            return Date(start=start, open_end=True)
        if isinstance(end, DateParts):
            try:
                return Date(start=start, end=end)
            except ValueError:
                notes.append(
                    f'"date-parts": the range ends ({end}) before it starts ({start});'
                    " read as its start only"
                )
        return Date(start=start)
    if isinstance(end, DateParts):
        return Date(end=end, open_start=True)
    if start == 0:
        notes.append('"date-parts": year 0 is not a year in CSL (1 BC is -1); ignored')
    return None


def _edtf(text: str) -> Date:
    """An EDTF string (or anything :meth:`Date.parse` reads); other text is a literal date."""
    return Date.parse(text)


def _raw_date(text: str, languages: Iterable[str | None], notes: list[str]) -> Date:
    """The free text of a ``raw`` date, read as citeproc-js reads it (a literal if not)."""
    from citekit.formats.months import read_date_text

    reading = read_date_text(text, languages)
    notes.extend(f'"raw": {note}' for note in reading.notes)
    return reading.date if reading.date is not None else Date(literal=text.strip())


def _pandoc_date(value: Sequence[Any], notes: list[str]) -> Date | None:
    """pandoc-citeproc's old YAML dates: a list of {year, month, day} objects."""
    points: list[list[Any]] = []
    for point in value:
        if not isinstance(point, Mapping):
            raise _Bad(f"expected a date object, got an array of {_kind(point)}")
        points.append([point.get("year"), point.get("month"), point.get("day")])
    return _parts_date(points, notes)


def date_from_csl(
    value: Any, *, languages: Iterable[str | None] = ()
) -> tuple[Date | None, list[str]]:
    """A CSL date variable as a :class:`Date` (None when it holds no date).

    Reads date objects (``date-parts``, ``season``, ``circa``, ``literal``,
    ``raw``, ``edtf``), EDTF strings and bare years. A ``raw`` text is read
    as citeproc-js reads it (:func:`citekit.model.dateparse.parse_date_text`),
    with the month names of ``languages`` (the item's language, the style's
    locale) besides English; what it cannot read is kept as a literal date,
    with a note. Returns notes about what was not kept; raises ``ValueError``
    when the value is no date at all.
    """
    notes: list[str] = []
    if value is None:
        return None, notes
    if isinstance(value, str):
        return (_edtf(value) if value.strip() else None), notes
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _parts_date([[value]], notes), notes
    if isinstance(value, list | tuple) and all(isinstance(v, Mapping) for v in value):
        return _pandoc_date(value, notes), notes
    if not isinstance(value, Mapping):
        raise _Bad(
            'expected a date object ({"date-parts": [[year, month, day]]}) or an EDTF string,'
            f" got {_kind(value)}"
        )
    for key in value:
        if key not in _DATE_KEYS:
            notes.append(f"date key {key!r} is not CSL's; ignored")
    circa = _truthy(value.get("circa", False))
    edtf = value.get("edtf")
    if isinstance(edtf, str) and edtf.strip():
        parsed = _edtf(edtf)
        if parsed.literal is None:
            return parsed, notes
        notes.append(f'"edtf" {_short(edtf)} is not an EDTF date; ignored')
    literal = value.get("literal")
    if isinstance(literal, str) and literal.strip():
        if value.get("date-parts"):
            notes.append('a date with both "literal" and "date-parts": the literal is used')
        if circa:
            notes.append(
                '"circa" on a literal date is not kept (citekit\'s literal dates have none)'
            )
        return Date(literal=literal), notes
    raw = value.get("raw")
    date: Date | None
    try:
        date = _parts_date(value.get("date-parts", []), notes)
    except _Bad as error:
        if isinstance(raw, str) and raw.strip():
            notes.append(f'{error}; "raw" is read instead')
            date = None
        else:
            raise
    if date is None:
        if isinstance(raw, str) and raw.strip():
            date = _raw_date(raw, languages, notes)
            if circa and date.literal is None:
                date = attrs.evolve(date, circa=True)
            return date, notes
        if not notes:
            notes.append('a date without "date-parts", "literal" or "raw"; ignored')
        return None, notes
    season = value.get("season")
    if season is not None and season != "":
        read = _season(season)
        if read is None:
            notes.append(f"season {season!r} is not 1-4 or a season's name; ignored")
        elif date.start is None or date.start.month is not None or date.start.season is not None:
            notes.append('"season" on a date that has a month or a season; ignored')
        else:
            date = attrs.evolve(date, start=attrs.evolve(date.start, season=read))
    if circa:
        date = attrs.evolve(date, circa=True)
    return date, notes


def _point_to_csl(point: DateParts, in_range: bool) -> list[int]:
    out = [_out_year(point.year)]
    if point.season is not None:
        if in_range:
            out.append(20 + point.season.value)
    elif point.month is not None:
        out.append(point.month)
        if point.day is not None:
            out.append(point.day)
    return out


def date_to_csl(date: Date) -> dict[str, Any]:
    """A :class:`Date` as a CSL date object.

    Years are written as CSL numbers them (1 BC is -1); an open end or start
    is ``[0]`` (``[[1930], [0]]``); a season is ``"season"`` for a single date
    and month 21-24 in a range; ``uncertain``, which CSL lacks, adds an
    ``"edtf"`` form.
    """
    if date.literal is not None:
        return {"literal": date.literal}
    single = not date.is_range and not date.open_start
    points: list[list[int]] = []
    points.append([0] if date.start is None else _point_to_csl(date.start, not single))
    if not single:
        points.append([0] if date.end is None else _point_to_csl(date.end, True))
    out: dict[str, Any] = {"date-parts": points}
    if single and date.start is not None and date.start.season is not None:
        out["season"] = date.start.season.value
    if date.circa:
        out["circa"] = True
    if date.uncertain:
        out["edtf"] = str(date)
    return out


# --- problems and positions ------------------------------------------------------------------


class Positions(Protocol):
    """Where things are in the source text, for problems (1-based lines)."""

    def line(self, section: str, index: int, field: str | None = None) -> int | None:
        """The line of element ``index`` of ``section`` ("references" or "excerpts"),
        or of its key ``field``; None when unknown."""
        ...


class _NoPositions:
    def line(self, section: str, index: int, field: str | None = None) -> int | None:
        return None


@attrs.define
class _Context:
    """Reports problems of one item or excerpt: its key, index and lines."""

    problems: list[Problem]
    path: str | None
    positions: Positions
    section: str
    index: int
    key: str | None = None

    def add(
        self,
        message: str,
        field: str | None = None,
        severity: Literal["error", "warning"] = "error",
    ) -> None:
        line = self.positions.line(self.section, self.index, field)
        if line is None and field is not None:
            line = self.positions.line(self.section, self.index)
        what = "item" if self.section == "references" else "excerpt"
        if self.key is None:
            message = f"{what} {self.index + 1}: {message}"
        self.problems.append(
            Problem(
                message=message,
                path=self.path,
                line=line,
                key=self.key,
                field=field,
                severity=severity,
            )
        )


def _silent() -> _Context:
    return _Context([], None, _NoPositions(), "references", 0)


# --- items -----------------------------------------------------------------------------------


def _item_key(value: Any) -> str | None:
    text = _number_text(value)
    if text is None or not text.strip():
        return None
    return text.strip()


def _read_type(item: Mapping[str, Any], ctx: _Context, extra: dict[str, str]) -> WorkType:
    value = item.get("type")
    if value is None or value == "":
        ctx.add('no "type"; read as "document"', "type", "warning")
        return WorkType.DOCUMENT
    if isinstance(value, str):
        try:
            return WorkType(value)
        except ValueError:
            pass
        try:
            found = WorkType(value.strip().lower())
        except ValueError:
            pass
        else:
            ctx.add(f"type {value!r} read as {found.value!r}", "type", "warning")
            return found
    extra[EXTRA_TYPE] = value if isinstance(value, str) else json.dumps(value)
    ctx.add(
        f'{_kind(value)} is not a CSL type; read as "document", the type kept in'
        f" extra[{EXTRA_TYPE!r}]",
        "type",
        "warning",
    )
    return WorkType.DOCUMENT


def _read_names(key: str, value: Any, ctx: _Context) -> list[Person]:
    if isinstance(value, str):
        ctx.add(
            "expected an array of name objects; read as a BibTeX-style name list", key, "warning"
        )
        try:
            return list(parse_names(value))
        except ValueError as error:
            raise _Bad(f"not a name list: {error}") from None
    if isinstance(value, Mapping):
        ctx.add("expected an array of name objects, got one name object", key, "warning")
        value = [value]
    if not isinstance(value, list | tuple):
        raise _Bad(f"expected an array of name objects, got {_kind(value)}")
    persons: list[Person] = []
    for number, entry in enumerate(value, 1):
        try:
            person, notes = person_from_csl(entry)
        except _Bad as error:
            ctx.add(f"name {number}: {error}; not read (written back while unchanged)", key)
            continue
        for note in notes:
            ctx.add(f"name {number}: {note}", key, "warning")
        persons.append(person)
    return persons


def _read_text(
    attribute: str,
    value: Any,
    fields: dict[str, Any],
    rich: dict[str, str],
    literal: Mapping[str, str],
) -> None:
    """Read a text variable; rich text is read as citeproc-js reads it.

    ``literal`` holds, from ``custom.citekit-rich``, citekit's own form of
    texts CSL-JSON cannot express (see :func:`work_to_item`); it is used while
    the item's text is still the one citekit wrote for it.
    """
    text = _number_text(value)
    if text is None:
        raise _Bad(f"expected text, got {_kind(value)}")
    if attribute not in MARKUP_FIELDS or not isinstance(value, str):
        fields[attribute] = text
        return
    kept = literal.get(attribute)
    marked = (
        kept if kept is not None and to_csl_text(kept) == value else from_csl_text(text.strip())
    )
    plain = strip_markup(marked)
    fields[attribute] = plain
    if plain == plain.strip() and plain and marked != escape(plain):
        rich[attribute] = marked


def _read_keywords(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(k for k in (k.strip() for k in re.split(r"[,;]", value)) if k)
    if isinstance(value, list | tuple) and all(isinstance(k, str) for k in value):
        return tuple(k.strip() for k in value if k.strip())
    raise _Bad(f"expected text (keywords separated by commas), got {_kind(value)}")


def _read_custom(
    value: Any,
    ctx: _Context,
    extra: dict[str, str],
    custom: dict[str, Any],
    hints: dict[str, str],
    rich: dict[str, str],
    literal: dict[str, str],
) -> str | None:
    """Split ``item["custom"]``: citekit's arxiv, extra, hints and rich forms, and the user's keys.

    Rich forms of plain-text fields go to ``rich``, those of rich-text fields
    (texts CSL-JSON cannot express) to ``literal``.
    """
    arxiv: str | None = None
    for key, entry in value.items():
        if (
            key in (CUSTOM_HINTS, CUSTOM_RICH)
            and isinstance(entry, Mapping)
            and all(isinstance(v, str) for v in entry.values())
        ):
            for name, text in entry.items():
                if key == CUSTOM_HINTS:
                    hints[str(name)] = text
                else:
                    (literal if name in MARKUP_FIELDS else rich)[str(name)] = text
        elif key == CUSTOM_ARXIV and _number_text(entry) is not None:
            arxiv = _number_text(entry)
        elif (
            key == CUSTOM_EXTRA
            and isinstance(entry, Mapping)
            and all(isinstance(v, str) for v in entry.values())
        ):
            extra.update((str(k), v) for k, v in entry.items())
        else:
            custom[key] = entry
    return arxiv


def work_from_item(
    item: Any, ctx: _Context | None = None, default_key: str | None = None
) -> Work | None:
    """A CSL item (a parsed JSON object) as a :class:`Work`, or None if it cannot be read.

    Problems go to ``ctx`` (a private reporting context the document reader
    makes); nothing of the item is lost: what the model has no place for goes
    to ``variables`` or ``extra``. An item without an id is read under
    ``default_key`` when one is given (with a warning), else not read.
    """
    ctx = ctx or _silent()
    if not isinstance(item, Mapping):
        ctx.add(f"expected an item object, got {_kind(item)}; kept as it is, not read")
        return None
    given = item.get("id")
    key = _item_key(given)
    if key is None and default_key is not None and (given is None or given == ""):
        key = default_key
        ctx.add(
            f'no "id"; read as {key!r}, as citeproc-js\'s test runner names it', "id", "warning"
        )
    elif key is None:
        shown = 'no "id"' if given is None else f"an id that is {_kind(given)}"
        ctx.add(f"{shown}; the item is kept as it is, not read", "id")
        return None
    ctx.key = key
    if isinstance(given, str) and given != key and given.strip():
        ctx.add(f"id {item['id']!r} has spaces around it; read as {key!r}", "id", "warning")
    extra: dict[str, str] = {}
    hints: dict[str, str] = {}
    custom: dict[str, Any] = {}
    variables: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    rich: dict[str, str] = {}
    literal: dict[str, str] = {}
    contributors: dict[str, list[Person]] = {}
    arxiv: str | None = None
    language = item.get("language")  # month names of free-text dates
    language = language if isinstance(language, str) else None
    work_type = _read_type(item, ctx, extra)
    raw_custom = item.get("custom")
    if raw_custom is not None:
        if isinstance(raw_custom, Mapping):
            arxiv = _read_custom(raw_custom, ctx, extra, custom, hints, rich, literal)
        else:
            ctx.add(f'expected an object, got {_kind(raw_custom)}; kept as "value" in it', "custom")
            custom["value"] = raw_custom
    for name, value in item.items():
        if name in ("id", "type", "custom"):
            continue
        try:
            if name in ROLES:
                if value is not None:
                    persons = _read_names(name, value, ctx)
                    if persons:
                        contributors[name] = persons
            elif name in DATE_FIELDS:
                date, notes = date_from_csl(value, languages=[language])
                for note in notes:
                    ctx.add(note, name, "warning")
                if date is not None:
                    fields[DATE_FIELDS[name]] = date
            elif name in TEXT_FIELDS:
                if value is not None:
                    _read_text(TEXT_FIELDS[name], value, fields, rich, literal)
            elif name == "keyword":
                if value is not None:
                    fields["keywords"] = _read_keywords(value)
            elif name in CSL_VARIABLES or name in (CUSTOM_ARXIV, CUSTOM_EXTRA):
                # (a top-level "arxiv" or "extra" cannot move to custom, where they
                # mean Work.arxiv and Work.extra: it stays where it is)
                variables[name] = freeze(value)
            elif isinstance(value, str):
                if name in extra and extra[name] != value:
                    ctx.add(
                        f"also in custom.extra with another value; the top-level {_short(value)}"
                        " is not read (written back while unchanged)",
                        name,
                        "warning",
                    )
                else:
                    extra[name] = value
            elif name in custom:
                ctx.add(
                    "also in custom; the top-level value is not read (written back while"
                    " unchanged)",
                    name,
                    "warning",
                )
            else:
                custom[name] = value
        except _Bad as error:
            ctx.add(f"{error}; kept in variables", name)
            variables[name] = freeze(value)
    if custom:
        variables["custom"] = freeze(custom)
    key = _zotero_fields(item, key, ctx, fields, rich, contributors, variables, extra, hints)
    work_type = fields.pop("__type__", work_type)
    try:
        return Work(
            key=key,
            type=work_type,
            contributors=contributors,
            arxiv=arxiv,
            variables=variables,
            extra=extra,
            rich=rich,
            hints=hints,
            **fields,
        )
    except (TypeError, ValueError) as error:
        ctx.add(f"cannot be read: {error}; kept as it is")
        return None


#: The hint (``Work.hints``) naming the fields read from ``Key: value`` lines of
#: an item's note, so that they are written back there.
NOTE_HINT = "csl-note"
_KEY_TEXT = re.compile(r"[^\s,{}()\"#%'=\\]+")


def _zotero_fields(
    item: Mapping[str, Any],
    key: str,
    ctx: _Context,
    fields: dict[str, Any],
    rich: dict[str, str],
    contributors: dict[str, list[Person]],
    variables: dict[str, Any],
    extra: dict[str, str],
    hints: dict[str, str],
) -> str:
    """What Zotero (and Better BibTeX) put in CSL-JSON: the key, the journal
    abbreviation and the fields of the note's ``Key: value`` lines.

    Returns the work's key: ``citation-key`` when there is one and the item's
    id is Zotero's (a ``http://zotero.org/...`` URI or ``library/KEY``; the id
    stays an alias of the work, in ``extra["ids"]``), else the id.
    """
    from citekit.formats.notelines import read_lines

    cited = item.get("citation-key")
    zotero = _from_zotero(item) and not hints
    abbreviation = item.get("journalAbbreviation")
    if (
        zotero
        and isinstance(abbreviation, str)
        and abbreviation.strip()
        and fields.get("container_title_short") in (None, abbreviation.strip())
    ):
        fields["container_title_short"] = abbreviation.strip()
        variables.pop("journalAbbreviation", None)
        hints[NOTE_HINT + "-abbreviation"] = "journalAbbreviation"
    note = fields.get("note")
    if isinstance(note, str) and ":" in note and "note" not in rich and zotero:
        found = read_lines(note, taken=[name for name in fields if name != "note"])
        names: list[str] = []
        for attribute, value in found.attributes.items():
            fields[attribute] = value
            names.append(f"attr:{attribute}")
        for role, persons in found.names.items():
            if role.value not in contributors:
                contributors[role.value] = persons
                names.append(f"role:{role.value}")
        for name, value in found.variables.items():
            if name not in variables:
                variables[name] = value
                names.append(f"var:{name}")
        for name, value in found.extra.items():
            if name not in extra:
                extra[name] = value
                names.append(f"tex:{name}")
        if found.work_type is not None and item.get("type") in (None, "", "document", "book"):
            hints[NOTE_HINT + "-type"] = str(item.get("type") or "")
            fields["__type__"] = found.work_type
            names.append("type")
        if found.citation_key and not isinstance(cited, str):
            cited = found.citation_key
            names.append("key")
        if names:
            rest = found.note
            if rest is None:
                fields.pop("note", None)
            else:
                fields["note"] = rest
            hints[NOTE_HINT] = json.dumps(names)
    given = item.get("id")
    zotero_id = isinstance(given, str) and _ZOTERO_ID.match(given) is not None
    if isinstance(cited, str) and cited.strip() and cited.strip() != key and zotero_id and zotero:
        if _KEY_TEXT.fullmatch(cited.strip()):
            # Zotero's item id stays a key of the work: an alias (biblatex's ids).
            aliases = [a.strip() for a in extra.get(ALIASES_FIELD, "").split(",") if a.strip()]
            extra[ALIASES_FIELD] = ",".join(dict.fromkeys([*aliases, key]))
            key = cited.strip()
            ctx.key = key
        else:
            ctx.add(
                f"citation key {cited!r} has spaces or characters keys cannot hold; the item"
                f" keeps its id {key!r}",
                "citation-key",
                "warning",
            )
    return key


_NOTE_ATTRIBUTES = {attribute: name for name, attribute in TEXT_FIELDS.items()}
_NOTE_ATTRIBUTES.update({attribute: name for name, attribute in DATE_FIELDS.items()})


_ZOTERO_ID = re.compile(r"^(?:https?://zotero\.org/|\d+/[A-Z0-9]{8}$)")


def _from_zotero(item: Mapping[str, Any]) -> bool:
    """Whether an item was written by Zotero (or Better BibTeX): its note is then
    Zotero's Extra field, whose ``Key: value`` lines are fields."""
    given = item.get("id")
    return (
        "citation-key" in item
        or "journalAbbreviation" in item
        or (isinstance(given, str) and _ZOTERO_ID.match(given) is not None)
    )


def _note_back(work: Work, item: dict[str, Any]) -> None:
    """Put the fields read from the note's ``Key: value`` lines back there (see
    :func:`_zotero_fields`), and the item's own id back in place of the key."""
    from citekit.formats.notelines import format_line, lines_for
    from citekit.model.work import Role as _Role

    aliases = work_aliases(work)
    own_id = _zotero_id_of(work)
    if own_id and (
        item.get("citation-key") == work.key or "key" in (work.hints.get(NOTE_HINT) or "")
    ):
        item["id"] = own_id
        others = [alias for alias in aliases if alias != own_id]
        _drop_custom_extra(item, {ALIASES_FIELD})
        if others:
            custom = item.setdefault("custom", {})
            custom.setdefault(CUSTOM_EXTRA, {})[ALIASES_FIELD] = ",".join(others)
    if work.hints.get(NOTE_HINT + "-abbreviation") and "container-title-short" in item:
        item["journalAbbreviation"] = item.pop("container-title-short")
    hint = work.hints.get(NOTE_HINT)
    if not hint:
        return
    try:
        names = json.loads(hint)
    except ValueError:
        return
    if not isinstance(names, list):
        return
    lines: list[str] = []
    custom_extra: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str):
            continue
        kind, _, what = name.partition(":")
        if kind == "attr" and what in _NOTE_ATTRIBUTES:
            csl_name = _NOTE_ATTRIBUTES[what]
            if csl_name in item:
                item.pop(csl_name)
                lines.extend(lines_for(work, attributes=[what]))
        elif kind == "role" and what in ROLES and what in item:
            item.pop(what)
            lines.extend(lines_for(work, roles=[_Role(what)]))
        elif kind == "var" and what in item and isinstance(item[what], str):
            lines.append(format_line(what, item.pop(what)))
        elif kind == "tex" and what in work.extra:
            custom_extra[what] = work.extra[what]
            lines.append(format_line(f"tex.{what}", work.extra[what]))
        elif kind == "key":
            lines.append(format_line("Citation Key", work.key))
        elif kind == "type" and NOTE_HINT + "-type" in work.hints:
            lines.append(format_line("type", item["type"]))
            item["type"] = work.hints[NOTE_HINT + "-type"] or "document"
    if lines:
        note = item.get("note")
        item["note"] = "\n".join(([note] if note else []) + lines)
    _drop_custom_extra(item, set(custom_extra))


def _drop_custom_extra(item: dict[str, Any], names: set[str]) -> None:
    kept = item.get("custom")
    if names and isinstance(kept, dict) and isinstance(kept.get(CUSTOM_EXTRA), dict):
        rest = {k: v for k, v in kept[CUSTOM_EXTRA].items() if k not in names}
        if rest:
            kept[CUSTOM_EXTRA] = rest
        else:
            kept.pop(CUSTOM_EXTRA)
        if not kept:
            item.pop("custom")


def work_to_item(work: Work, *, custom: bool = True) -> dict[str, Any]:
    """A :class:`Work` as a CSL item: id, type, then CSL variables in a stable order.

    Rich-text fields are written as citeproc-js reads them
    (:func:`~citekit.model.markup.to_csl_text`): ``"R&D"``, not ``"R&amp;D"``.
    A text CSL-JSON cannot express (literal characters that spell a balanced
    rich-text tag pair, as a title about the ``<b>...</b>`` element) is written
    the same way, so that other tools read it as markup, and citekit's own
    form of it goes to ``custom.citekit-rich``, which citekit reads back
    while the item's text is unchanged.

    Raises :class:`~citekit.FormatError` when the work holds something CSL-JSON
    cannot express (``variables["custom"]`` clashing with ``extra``, ``arxiv``
    or the rich forms citekit keeps in ``custom``). With ``custom=False`` the
    item has no ``custom`` object at all (what a CSL processor is given: it
    renders none of it), and that is not checked.
    """
    item: dict[str, Any] = {"id": work.key, "type": work.type.value}
    by_name = {name: attribute for name, attribute in TEXT_FIELDS.items()}

    def text(name: str) -> None:
        attribute = by_name[name]
        value = getattr(work, attribute)
        if value is not None and attribute in MARKUP_FIELDS:
            value = to_csl_text(work.rich_text(attribute) or "")
        if value is not None:
            item[name] = value

    for name in ITEM_ORDER_HEAD:
        text(name)
    for group in work.contributors:
        item[group.role.value] = [person_to_csl(p) for p in group.persons]
    for name in ITEM_ORDER_DATES:
        date = getattr(work, DATE_FIELDS[name])
        if date is not None:
            item[name] = date_to_csl(date)
    for name in ITEM_ORDER_TAIL:
        text(name)
    if work.keywords:
        if any("," in k or ";" in k for k in work.keywords):
            item["keyword"] = list(work.keywords)
        else:
            item["keyword"] = ", ".join(work.keywords)
    text("abstract")
    text("note")
    for name, value in work.variables.items():
        if name in ("id", "type"):
            raise FormatError(
                f"work {work.key!r}: variables[{name!r}] would replace the item's {name}"
            )
        if name == "custom" or name in item:
            continue  # custom below; a modelled attribute wins over a kept bad value
        item[name] = thaw(value)
    kept = _custom_to_csl(work) if custom else None
    if kept is not None:
        item["custom"] = kept
    _note_back(work, item)
    if custom and _from_zotero(item) and not _zotero_derived(work) and work_from_item(item) != work:
        # Not read from Zotero, but it would read as Zotero's: mark the item
        # citekit's, so that its citation-key, journalAbbreviation and note are
        # read back as they are.
        marks = item.setdefault("custom", {})
        if isinstance(marks, dict) and CUSTOM_HINTS not in marks:
            marks[CUSTOM_HINTS] = {"csl": "citekit"}
    return item


def _zotero_derived(work: Work) -> bool:
    """Whether ``work`` was read from an item Zotero wrote (see :func:`_zotero_fields`)."""
    return _zotero_id_of(work) is not None or any(name.startswith(NOTE_HINT) for name in work.hints)


def _zotero_id_of(work: Work) -> str | None:
    """The Zotero item id among the other keys of ``work`` (see :func:`_zotero_fields`)."""
    return next((alias for alias in work_aliases(work) if _ZOTERO_ID.match(alias)), None)


def _inexpressible(work: Work) -> dict[str, str]:
    """The rich-text fields of ``work`` that CSL-JSON cannot express: attribute -> markup."""
    out = {}
    for attribute in TEXT_FIELDS.values():
        if attribute in MARKUP_FIELDS:
            marked = work.rich_text(attribute)
            if marked is not None and not csl_expressible(marked):
                out[attribute] = marked
    return out


def _custom_to_csl(work: Work) -> Any:
    kept = work.variables.get("custom")
    if kept is not None and not isinstance(kept, Mapping):
        if work.arxiv is None and not work.extra:
            return thaw(kept)
        raise FormatError(
            f"work {work.key!r}: variables['custom'] is not an object, so extra and arxiv"
            " cannot be written to custom"
        )
    custom: dict[str, Any] = thaw(kept) if kept is not None else {}
    if work.arxiv is not None:
        if CUSTOM_ARXIV in custom:
            raise FormatError(
                f"work {work.key!r}: variables['custom'] has {CUSTOM_ARXIV!r}, where citekit"
                " writes Work.arxiv"
            )
        custom[CUSTOM_ARXIV] = work.arxiv
    if work.extra:
        if CUSTOM_EXTRA in custom:
            raise FormatError(
                f"work {work.key!r}: variables['custom'] has {CUSTOM_EXTRA!r}, where citekit"
                " writes Work.extra"
            )
        custom[CUSTOM_EXTRA] = dict(work.extra)
    hints = {k: v for k, v in work.hints.items() if not k.startswith(NOTE_HINT)}
    if hints and CUSTOM_HINTS not in custom:
        custom[CUSTOM_HINTS] = hints
    # Markup on fields CSL-JSON keeps as plain text (a volume in small caps,
    # from BibTeX's \textsc{xxvii}) travels in custom, so it comes back; so do
    # rich-text fields whose text CSL-JSON cannot express.
    kept = {k: v for k, v in work.rich.items() if k not in MARKUP_FIELDS}
    kept.update(_inexpressible(work))
    if kept:
        if CUSTOM_RICH in custom:
            raise FormatError(
                f"work {work.key!r}: variables['custom'] has {CUSTOM_RICH!r}, where citekit"
                f" writes the rich forms of {', '.join(kept)}"
            )
        custom[CUSTOM_RICH] = kept
    return custom or None


# --- excerpts --------------------------------------------------------------------------------


def _locator_from_csl(value: Any) -> Locator:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        if not value.strip():
            raise _Bad("expected a locator, got empty text")
        return Locator.parse(value)
    if not isinstance(value, Mapping):
        raise _Bad(f'expected "p. 3" or {{"label": "page", "value": "3"}}, got {_kind(value)}')
    text = _number_text(value.get("value"))
    if text is None or not text.strip():
        raise _Bad('a locator object needs a "value"')
    label = value.get("label", "page")
    if not isinstance(label, str):
        raise _Bad(f"locator label: expected text, got {_kind(label)}")
    try:
        return Locator(text, label)
    except (TypeError, ValueError) as error:
        raise _Bad(str(error)) from None


def _locator_to_csl(locator: Locator) -> dict[str, str]:
    return {"label": locator.label.value, "value": locator.value}


def _excerpt_text(value: Any, what: str) -> str:
    text = _number_text(value)
    if text is None:
        raise _Bad(f"{what}: expected text, got {_kind(value)}")
    return text


def excerpt_from_csl(value: Any, ctx: _Context | None = None) -> Excerpt | None:
    """An excerpt object (citekit's extension of CSL-JSON) as an :class:`Excerpt`.

    An excerpt without a usable id, text or work is not read (None) and kept
    as it is; a bad optional field (locator, speaker, ...) is left out, with a
    problem, and the excerpt is read without it.
    """
    ctx = ctx or _silent()
    if not isinstance(value, Mapping):
        ctx.add(f"expected an excerpt object, got {_kind(value)}; kept as it is, not read")
        return None
    key = _item_key(value.get("id"))
    if key is None or any(c.isspace() for c in key):
        ctx.add('expected an "id" without spaces; the excerpt is kept as it is, not read', "id")
        return None
    ctx.key = key
    required: dict[str, str] = {}
    for name in ("text", "work"):
        text = _number_text(value.get(name))
        if text is None or not text.strip():
            ctx.add(f'expected "{name}" text; the excerpt is kept as it is, not read', name)
            return None
        required[name] = text if name == "text" else text.strip()
    fields: dict[str, Any] = {}
    for name, entry in value.items():
        if name not in _EXCERPT_KEYS:
            ctx.add(
                "not an excerpt field; not read (written back while unchanged)", name, "warning"
            )
            continue
        if entry is None or name in ("id", "text", "work"):
            continue
        try:
            if name == "locator":
                fields["locator"] = _locator_from_csl(entry)
            elif name in ("speaker", "translator"):
                if isinstance(entry, list | tuple) and len(entry) == 1:
                    entry = entry[0]  # a name list of one, as CSL items write names
                elif isinstance(entry, list | tuple):
                    raise _Bad(f"expected one name, got a list of {len(entry)}")
                person, notes = person_from_csl(entry)
                for note in notes:
                    ctx.add(note, name, "warning")
                fields[name] = person
            elif name == "original":
                fields["original"] = _original_from_csl(entry)
            elif name == "quoted-in":
                quoted = _quoted_in_from_csl(entry)
                if quoted.work_key == required["work"]:
                    raise _Bad(f"the excerpt's own work {quoted.work_key!r}; expected another")
                fields["quoted_in"] = quoted
            elif name == "tags":
                if isinstance(entry, str):
                    fields["tags"] = entry
                elif isinstance(entry, list | tuple) and all(isinstance(t, str) for t in entry):
                    fields["tags"] = tuple(entry)
                else:
                    raise _Bad(f"expected an array of text, got {_kind(entry)}")
            else:
                fields[name] = _excerpt_text(entry, name)
        except _Bad as error:
            ctx.add(f"{error}; not read (written back while unchanged)", name)
    try:
        return Excerpt(id=key, text=required["text"], work_key=required["work"], **fields)
    except (TypeError, ValueError) as error:
        ctx.add(f"cannot be read: {error}; kept as it is")
        return None


def _original_from_csl(value: Any) -> Original:
    if isinstance(value, str):
        if not value.strip():
            raise _Bad("expected the original text, got empty text")
        return Original(value)
    if not isinstance(value, Mapping):
        raise _Bad(f'expected {{"text": ..., "language": ...}}, got {_kind(value)}')
    unknown = sorted(str(k) for k in value if k not in ("text", "language"))
    if unknown:
        raise _Bad(f'unknown keys {", ".join(unknown)}; expected "text" and "language"')
    text = _number_text(value.get("text"))
    if text is None or not text.strip():
        raise _Bad('an original needs its "text"')
    language = value.get("language")
    if language is not None and not isinstance(language, str):
        raise _Bad(f"language: expected text, got {_kind(language)}")
    return Original(text, language)


def _quoted_in_from_csl(value: Any) -> QuotedIn:
    if isinstance(value, str) and value.strip():
        return QuotedIn(value.strip())
    if not isinstance(value, Mapping):
        raise _Bad(f'expected {{"work": key, "locator": ...}}, got {_kind(value)}')
    work = _number_text(value.get("work"))
    if work is None or not work.strip():
        raise _Bad('"quoted-in" needs a "work"')
    locator = value.get("locator")
    return QuotedIn(work.strip(), None if locator is None else _locator_from_csl(locator))


def excerpt_to_csl(excerpt: Excerpt) -> dict[str, Any]:
    """An :class:`Excerpt` as citekit's excerpt object (text last, for readability)."""
    out: dict[str, Any] = {"id": excerpt.id, "work": excerpt.work_key}
    if excerpt.locator is not None:
        out["locator"] = _locator_to_csl(excerpt.locator)
    if excerpt.speaker is not None:
        out["speaker"] = person_to_csl(excerpt.speaker)
    if excerpt.quoted_in is not None:
        quoted: dict[str, Any] = {"work": excerpt.quoted_in.work_key}
        if excerpt.quoted_in.locator is not None:
            quoted["locator"] = _locator_to_csl(excerpt.quoted_in.locator)
        out["quoted-in"] = quoted
    if excerpt.language is not None:
        out["language"] = excerpt.language
    if excerpt.translator is not None:
        out["translator"] = person_to_csl(excerpt.translator)
    if excerpt.tags:
        out["tags"] = list(excerpt.tags)
    if excerpt.note is not None:
        out["note"] = excerpt.note
    out["text"] = excerpt.text
    if excerpt.original is not None:
        original: dict[str, Any] = {}
        if excerpt.original.language is not None:
            original["language"] = excerpt.original.language
        original["text"] = excerpt.original.text
        out["original"] = original
    return out


# --- writing back what was read --------------------------------------------------------------

_MISSING = object()


def merge(
    original: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> dict[str, Any]:
    """The original object with the keys whose conversion changed replaced.

    ``old`` and ``new`` are what citekit writes for the object as it was read
    and as it is now; a key whose written form did not change keeps its
    original value (and position), so a number stays a number and a key
    citekit does not model stays where it was.
    """
    out: dict[str, Any] = {}
    for key, value in original.items():
        if old.get(key, _MISSING) == new.get(key, _MISSING):
            out[key] = value
        elif key in new:
            out[key] = new[key]
    for key, value in new.items():
        if key not in original and old.get(key, _MISSING) != value:
            out[key] = value
    return out


@attrs.frozen
class Entry:
    """One element of the items or excerpts array as it was read.

    ``kind`` is "work" (read into the library), "duplicate" (its id was taken)
    or "raw" (not readable: kept as it is). ``span`` is its place in the text
    (start, end, and format-specific layout), for writing back in place.
    """

    kind: Literal["work", "duplicate", "raw"]
    value: Any
    obj: Any = None
    span: tuple[int, int, Any] | None = None


@attrs.frozen(eq=False)
class CslOrigin:
    """What a CSL reader keeps of its source, so writing gives back what was read.

    ``form`` is the document's shape: "list" (an array of items), "object"
    (``{"references": [...], "excerpts": [...]}`` and other keys), "single"
    (one item object), "empty" or "unreadable" (the text could not be parsed).
    """

    format: str
    data: bytes
    form: Literal["list", "object", "single", "empty", "unreadable"]
    items_key: str = "references"
    top: tuple[tuple[str, Any], ...] = ()
    items: tuple[Entry, ...] = ()
    excerpts: tuple[Entry, ...] = ()
    layout: Any = None


def _read_excerpts(
    values: Sequence[Any],
    library: Library,
    positions: Positions,
    path: str | None,
) -> list[Entry]:
    entries: list[Entry] = []
    for index, value in enumerate(values):
        ctx = _Context(library.problems, path, positions, "excerpts", index)
        excerpt = excerpt_from_csl(value, ctx)
        if excerpt is None:
            entries.append(Entry("raw", value))
        elif excerpt.id in library.excerpts:
            ctx.add(
                f"excerpt id {excerpt.id!r} is already taken; the first is read, this one"
                " is kept as it is",
                "id",
                "warning",
            )
            entries.append(Entry("raw", value))
        else:
            library.add_excerpt(excerpt)
            entries.append(Entry("work", value, excerpt))
    for index, entry in enumerate(entries):
        if entry.kind != "work":
            continue
        ctx = _Context(library.problems, path, positions, "excerpts", index, entry.obj.id)
        if entry.obj.work_key not in library:
            ctx.add(
                f"quotes work {entry.obj.work_key!r}, which is not in the library",
                "work",
                "warning",
            )
        quoted = entry.obj.quoted_in
        if quoted is not None and quoted.work_key not in library:
            ctx.add(
                f"was read in work {quoted.work_key!r}, which is not in the library",
                "quoted-in",
                "warning",
            )
    return entries


def _is_container(value: Any) -> bool:
    """True for ``{"references": [...], ...}`` (or ``items``), not for a single item."""
    return (
        isinstance(value, Mapping)
        and "id" not in value
        and ("references" in value or "items" in value)
    )


def _free_key(key: str, taken: set[str | None]) -> str:
    candidate, number = key, 1
    while candidate in taken:
        number += 1
        candidate = f"{key}-{number}"
    return candidate


def read_document(
    value: Any,
    *,
    format: str,
    data: bytes,
    path: str | None,
    positions: Positions,
    spans: Mapping[str, Sequence[tuple[int, int, Any]]] | None = None,
    layout: Any = None,
) -> Library:
    """A parsed CSL-JSON/YAML document as a :class:`Library`, with its origin kept.

    ``value`` is an array of items, an object with ``references`` (or
    ``items``) and ``excerpts`` arrays, a single item, or None (empty).
    """
    library = Library(path=path)

    def problem(message: str) -> None:
        library.problems.append(Problem(message=message, path=path, line=1 if data else None))

    form: Literal["list", "object", "single", "empty", "unreadable"]
    items: Sequence[Any] = ()
    excerpts: Sequence[Any] = ()
    items_key = "references"
    top: list[tuple[str, Any]] = []
    if value is None:
        form = "empty"
    elif isinstance(value, list):
        form, items = "list", value
    elif _is_container(value):
        form = "object"
        items_key = "references" if "references" in value else "items"
        for key, entry in value.items():
            if key == items_key:
                if isinstance(entry, list):
                    items = entry
                elif entry is not None:
                    problem(f'"{key}": expected an array of items, got {_kind(entry)}')
            elif key == "excerpts":
                if isinstance(entry, list):
                    excerpts = entry
                elif entry is not None:
                    problem(f'"excerpts": expected an array of excerpts, got {_kind(entry)}')
            else:
                library.problems.append(
                    Problem(
                        message=f"top-level key {key!r} is not read (written back to this file)",
                        path=path,
                        severity="warning",
                    )
                )
            top.append((key, entry))
    elif isinstance(value, Mapping) and "id" in value:
        form, items = "single", [value]
        library.problems.append(
            Problem(
                message="one item object, not an array of items; read as one item",
                path=path,
                line=1,
                severity="warning",
            )
        )
    else:
        form = "unreadable"
        problem(
            'expected an array of CSL items or an object with "references" (and "excerpts"),'
            f" got {_kind(value)}"
        )
    spans = spans or {}
    item_spans = spans.get("references", ())
    excerpt_spans = spans.get("excerpts", ())
    entries: list[Entry] = []
    taken = {_item_key(i.get("id")) for i in items if isinstance(i, Mapping)}
    for index, item in enumerate(items):
        ctx = _Context(library.problems, path, positions, "references", index)
        work = work_from_item(item, ctx, _free_key(f"ITEM-{index + 1}", taken))
        span = item_spans[index] if index < len(item_spans) else None
        if work is None:
            entries.append(Entry("raw", item, span=span))
        elif work.key in library:
            ctx.add(
                f"id {work.key!r} is already taken; the first is read, this one is kept in"
                " library.duplicates",
                "id",
                "warning",
            )
            library.duplicates.append(work)
            entries.append(Entry("duplicate", item, work, span))
        else:
            library.add(work)
            entries.append(Entry("work", item, work, span))
    excerpt_entries = _read_excerpts(excerpts, library, positions, path)
    excerpt_entries = [
        attrs.evolve(e, span=excerpt_spans[i]) if i < len(excerpt_spans) else e
        for i, e in enumerate(excerpt_entries)
    ]
    library.origin = CslOrigin(
        format=format,
        data=data,
        form=form,
        items_key=items_key,
        top=tuple(top),
        items=tuple(entries),
        excerpts=tuple(excerpt_entries),
        layout=layout,
    )
    return library


def unreadable(format: str, data: bytes, path: str | None, problem: Problem) -> Library:
    """The library of a text that could not be parsed: empty, one problem."""
    library = Library(path=path, problems=[problem])
    library.origin = CslOrigin(format=format, data=data, form="unreadable")
    return library


@attrs.frozen
class Slot:
    """One element of an array to write: its origin entry (if any), value and whether it changed."""

    entry: Entry | None
    value: Any
    changed: bool


@attrs.frozen
class Document:
    """What to write: the document value, and its items and excerpts as slots."""

    value: Any
    items: tuple[Slot, ...]
    excerpts: tuple[Slot, ...]
    same_shape: bool


def live_rich(work: Work) -> Work:
    """``work`` without the rich forms that are no longer in use (see :meth:`Work.rich_text`).

    Writing drops them, and reading gives rich text back in its canonical form
    (``&`` escaped, tags in citekit's spelling), so this is what reading a
    written work gives back.
    """
    rich = {}
    for attribute, marked in work.rich.items():
        plain = getattr(work, attribute, None)
        if not isinstance(plain, str) or strip_markup(marked) != plain:
            continue
        if attribute in MARKUP_FIELDS and csl_expressible(marked):
            marked = from_csl_text(to_csl_text(marked))
        if attribute not in MARKUP_FIELDS or marked != escape(plain):
            # Markup on a plain-text CSL field travels in custom (CUSTOM_RICH),
            # and so does markup CSL-JSON cannot express.
            rich[attribute] = marked
    return work if rich == dict(work.rich) else attrs.evolve(work, rich=rich)


def _merged(
    entry: Entry, now: Any, to_csl: Callable[[Any], dict[str, Any]], read: Callable[[Any], Any]
) -> Any:
    new = to_csl(now)
    if not isinstance(entry.value, Mapping):
        return new
    out = merge(entry.value, to_csl(entry.obj), new)
    expected = live_rich(now) if isinstance(now, Work) else now
    return out if read(out) == expected else new


def _unchanged(library: Library, origin: CslOrigin) -> bool:
    works = [e.obj for e in origin.items if e.kind == "work"]
    duplicates = [e.obj for e in origin.items if e.kind == "duplicate"]
    excerpts = [e.obj for e in origin.excerpts if e.kind == "work"]
    return (
        library.works() == works
        and library.duplicates == duplicates
        and list(library.excerpts.values()) == excerpts
    )


def _shape(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return ("list",)
    if _is_container(value):
        return ("object", *value)
    return ("single",)


def _shape_of(origin: CslOrigin) -> tuple[str, ...]:
    if origin.form == "object":
        return ("object", *(key for key, _ in origin.top))
    return (origin.form,)


def compose(library: Library, *, default_form: Literal["list", "object"]) -> Document:
    """The document to write for ``library``, reusing what its CSL origin kept."""
    origin = library.origin if isinstance(library.origin, CslOrigin) else None
    if origin is not None and origin.form == "unreadable" and origin.data.strip():
        raise FormatError(
            f"{library.path or 'the library'} was read from a file that could not be parsed;"
            " writing it would lose that file's content (make a new Library to replace it)"
        )
    entries = origin.items if origin else ()
    item_slots: list[Slot] = []
    anchored: dict[str | None, list[Entry]] = {}
    primary: dict[str, Entry] = {}
    anchor: str | None = None
    duplicate_entries: list[Entry] = []
    for entry in entries:
        if entry.kind == "work":
            primary[entry.obj.key] = entry
            anchor = entry.obj.key
        else:
            anchored.setdefault(anchor, []).append(entry)
            if entry.kind == "duplicate":
                duplicate_entries.append(entry)
    duplicates = list(library.duplicates)
    pairing: dict[int, Work] = {}
    for index, entry in enumerate(duplicate_entries):
        if index < len(duplicates):
            pairing[id(entry)] = duplicates[index]
    leftover = duplicates[len(duplicate_entries) :]

    def read(item: Any) -> Any:
        return work_from_item(item, _silent())

    def emit(entry: Entry) -> None:
        if entry.kind == "raw":
            item_slots.append(Slot(entry, entry.value, False))
        elif id(entry) in pairing:
            now = pairing[id(entry)]
            if now == entry.obj:
                item_slots.append(Slot(entry, entry.value, False))
            else:
                item_slots.append(Slot(entry, _merged(entry, now, work_to_item, read), True))

    for entry in anchored.pop(None, []):
        emit(entry)
    for work in library.works():
        found = primary.pop(work.key, None)
        if found is None and library.renamed_from(work.key) is not None:
            found = primary.pop(library.renamed_from(work.key) or "", None)
        if found is None:
            item_slots.append(Slot(None, work_to_item(work), True))
        elif work == found.obj:
            item_slots.append(Slot(found, found.value, False))
        else:
            item_slots.append(Slot(found, _merged(found, work, work_to_item, read), True))
        for later in anchored.pop(work.key, []):
            emit(later)
    for rest in anchored.values():
        for entry in rest:
            emit(entry)
    for work in leftover:
        item_slots.append(Slot(None, work_to_item(work), True))

    excerpt_slots: list[Slot] = []

    def read_excerpt(value: Any) -> Any:
        return excerpt_from_csl(value, _silent())

    seen: set[str] = set()
    for entry in origin.excerpts if origin else ():
        if entry.kind == "raw":
            excerpt_slots.append(Slot(entry, entry.value, False))
            continue
        now = library.excerpts.get(entry.obj.id)
        if now is None:
            continue
        seen.add(now.id)
        if now == entry.obj:
            excerpt_slots.append(Slot(entry, entry.value, False))
        else:
            excerpt_slots.append(
                Slot(entry, _merged(entry, now, excerpt_to_csl, read_excerpt), True)
            )
    for excerpt in library.excerpts.values():
        if excerpt.id not in seen:
            excerpt_slots.append(Slot(None, excerpt_to_csl(excerpt), True))

    items_value = [slot.value for slot in item_slots]
    excerpts_value = [slot.value for slot in excerpt_slots]
    form = origin.form if origin and origin.form in ("list", "object", "single") else default_form
    value: Any
    if form == "single" and len(items_value) == 1 and not excerpts_value:
        value = items_value[0]
    elif form in ("list", "single") and not excerpts_value:
        value = items_value
    elif form == "object" and origin is not None and origin.top:
        value = {}
        for key, kept in origin.top:
            if key == origin.items_key:
                value[key] = items_value
                if excerpts_value and "excerpts" not in dict(origin.top):
                    value["excerpts"] = excerpts_value
            elif key == "excerpts":
                value[key] = excerpts_value
            else:
                value[key] = kept
    else:
        value = {"references": items_value}
        if excerpts_value:
            value["excerpts"] = excerpts_value
    same_shape = (
        origin is not None
        and _shape(value) == _shape_of(origin)
        and [s.entry for s in item_slots] == list(origin.items)
        and [s.entry for s in excerpt_slots] == list(origin.excerpts)
    )
    return Document(value, tuple(item_slots), tuple(excerpt_slots), same_shape)


# --- the format classes ----------------------------------------------------------------------


class CslFormatBase:
    """What CSL-JSON and CSL-YAML share: reading a parsed document, writing one back.

    Subclasses parse and print text (:meth:`_parse`, :meth:`_dump`) and may
    write changed items in place (:meth:`_splice`).
    """

    name: str = ""
    extensions: tuple[str, ...] = ()
    default_form: Literal["list", "object"] = "list"

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read a library; bad input becomes problems in ``library.problems``, never raises."""
        try:
            return self._read(data, path)
        except RecursionError:
            return unreadable(
                self.name, data, path, Problem(message="nested too deeply to read", path=path)
            )

    def _read(self, data: bytes, path: str | None) -> Library:
        """Decode and parse ``data`` (each format its own way)."""
        raise NotImplementedError

    def losses(self, library: Library) -> list[Any]:
        """What writing ``library`` in this format loses: what does not read back the same.

        CSL-JSON and CSL-YAML keep every field of the model (what CSL has no
        variable for travels in the item's ``custom`` object), so this is
        empty unless a work holds a value the format cannot express.
        """
        from citekit.formats.losses import compare

        again = self.read(self.write(library))
        label = {"csljson": "CSL-JSON", "cslyaml": "CSL-YAML"}.get(self.name, self.name)
        return compare(
            label,
            [*library.values(), *library.duplicates],
            [*again.values(), *again.duplicates],
        )

    def write(self, library: Library) -> bytes:
        """Serialise ``library``; one read from this format and not changed comes back as read.

        Raises :class:`~citekit.FormatError` when a work holds something the
        format cannot express, or the library came from a file that could not
        be parsed (writing would lose that file).
        """
        origin = library.origin if isinstance(library.origin, CslOrigin) else None
        if origin is not None and origin.format == self.name and _unchanged(library, origin):
            return origin.data
        document = compose(library, default_form=self.default_form)
        if origin is not None and origin.format == self.name and document.same_shape:
            spliced = self._splice(origin, document)
            if spliced is not None:
                return spliced
        return self._dump(document.value, origin if origin and origin.format == self.name else None)

    def _dump(self, value: Any, origin: CslOrigin | None) -> bytes:
        """The document ``value`` as text; ``origin`` when it was read from this format."""
        raise NotImplementedError

    def _splice(self, origin: CslOrigin, document: Document) -> bytes | None:
        """The original text with the changed items replaced in place; None if not possible."""
        return None


def changed_slots(origin: CslOrigin, document: Document) -> Iterable[tuple[Entry, Any]]:
    """The (entry, new value) of each changed slot, in text order."""
    for slot in (*document.items, *document.excerpts):
        if slot.changed and slot.entry is not None:
            yield slot.entry, slot.value
