"""Work to engine item: the one place where the CSL engine's items are made.

The engine renders citeproc-py ``Reference`` objects: a dict of the item's
variables under their Python names (``container_title``, ``title_short``),
names as ``Name`` objects (dicts of CSL's name parts), dates as ``Date``,
``DateRange`` or ``LiteralDate`` objects, other variables as ``MixedString``
text (``<span class="nocase">`` read as case-protected text, the other
rich-text tags kept in the text for :func:`citekit.csl.passes.rich_text`),
``language`` as given. They are made here from two sources:

- :func:`from_work`: a :class:`~citekit.Work`, read directly (what the
  formatter, the manuscript renderer and their worker processes render);
- :func:`from_csl`: a CSL-JSON item (the conformance harness,
  :class:`~citekit.csl.document.Document`, users who pass dicts), every CSL
  name and date variable read as such (citeproc-py's own reader knows only
  some), a date with only ``raw`` text parsed.

Both give the same objects for the same work: text values become engine text
through :func:`text`, names through one constructor, and anything a work
keeps in :attr:`~citekit.Work.variables` (CSL-JSON values) through the reader
:func:`from_csl` uses. :func:`to_csl` is the CSL-JSON item of a work that
another CSL processor must be given to render what citekit renders; the
engine never reads it. The bidirectional controls of each value are closed
where it ends (:func:`citekit.csl.output.balance_bidi`), so that reversed text
cannot run on into the rest of an entry or citation, and the custom fields
citekit keeps in CSL-JSON (``custom``) are left out: no style reads them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from citeproc.source import BibliographySource, Date, DateRange, LiteralDate, Name, Reference
from citeproc.source.json import CiteProcJSON
from citeproc.string import MixedString, NoCase, String

from citekit.csl.output import balance_bidi, has_bidi_controls
from citekit.formats.csl_vocabulary import (
    CSL_VARIABLES,
    DATE_FIELDS,
    ITEM_ORDER_DATES,
    ITEM_ORDER_HEAD,
    ITEM_ORDER_TAIL,
    MARKUP_FIELDS,
    TEXT_FIELDS,
)
from citekit.model import Date as WorkDate
from citekit.model import DateParts, Person, Work, WorkType
from citekit.model.markup import to_csl_text
from citekit.model.work import Role

__all__ = [
    "WorkItems",
    "fingerprint",
    "from_csl",
    "from_work",
    "python_name",
    "read_note_fields",
    "source",
    "text",
    "to_csl",
]

T = TypeVar("T")

#: CSL 1.0.2's name and date variables (citeproc-py's reader knows only some).
_NAME_VARIABLES = frozenset(role.value for role in Role)
_DATE_VARIABLES = frozenset(
    ["accessed", "available-date", "event-date", "issued", "original-date", "submitted"]
)

# The CSL-JSON keys of a work's modelled fields, in the order of
# citekit.formats.csl.work_to_item: what comes later replaces what has the
# same Python name before it.
_HEAD = ITEM_ORDER_HEAD
_DATES = ITEM_ORDER_DATES
_TAIL = ITEM_ORDER_TAIL
_LAST = ("abstract", "note")


def _unchecked(cls: type[T], **data: Any) -> T:
    """A citeproc-py record (``Reference``, ``Name``, a cite) holding ``data`` as it is.

    citeproc-py's constructors warn of every field they do not know; citekit
    gives them every CSL variable and cite field on purpose. Skipping that
    check spares changing the warning filters around each rendering, which
    is not safe while threads render at the same time.
    """
    record = cls.__new__(cls)
    dict.update(record, data)  # type: ignore[call-overload]
    return record


def python_name(key: str) -> str:
    """The name the engine reads a CSL-JSON key under (``title_short`` for ``shortTitle``)."""
    return "title_short" if key == "shortTitle" else key.replace("-", "_")


# -- values ---------------------------------------------------------------------------


class _Reader(CiteProcJSON):  # type: ignore[misc]
    """citeproc-py's CSL-JSON reader, for its rules of text and dates (holds no items)."""

    def __init__(self) -> None:
        pass


_READER = _Reader()


def text(value: Any) -> Any:
    """A CSL-JSON text value as the engine reads it: a ``MixedString``.

    ``<span class="nocase">`` spans become case-protected pieces, as
    citeproc-py reads them; a value that is not text is read as its
    ``str()``. (Text without any tag, most of it, is one piece.)
    """
    value = str(value)
    if "<" not in value:
        return MixedString([String(value)]) if value else MixedString()
    return _READER.parse_string(value)


def _name(parts: Mapping[str, Any]) -> Any:
    """A ``Name`` holding a CSL name object's parts as they are."""
    return _unchecked(Name, **parts)


def _value(key: str, value: Any, languages: Sequence[Any] = ()) -> Any:
    """The engine's value of a CSL-JSON variable ``key`` (``languages``: for free-text dates)."""
    if key in _NAME_VARIABLES and isinstance(value, list):
        return [_name(parts) for parts in value]
    if key in _DATE_VARIABLES and isinstance(value, dict):
        return _READER.parse_date(_with_date_parts(value, languages))
    if key != "language":
        return text(value)
    return value


def _with_date_parts(value: dict[str, Any], languages: Sequence[Any] = ()) -> dict[str, Any]:
    """A CSL date object that has only ``raw`` text, read as citeproc-js reads it (or a literal).

    citeproc-py drops such dates; citeproc-js parses them. ``languages``: the
    style's and the item's, whose month names are read besides English.
    """
    if "raw" not in value or value.get("date-parts") or "literal" in value:
        return value  # (empty "date-parts" are no date: citeproc-js reads "raw" then)
    from citekit.formats.csl import date_from_csl, date_to_csl

    known = [language for language in languages if isinstance(language, str)]
    try:
        date, _ = date_from_csl(value, languages=known)
    except ValueError:
        date = None
    if date is None:
        return {"literal": str(value["raw"])}
    return date_to_csl(date)


def _balanced(value: Any) -> Any:
    """A JSON value with :func:`~citekit.csl.output.balance_bidi` applied to its text.

    The value itself when none of its text has a bidirectional control.
    """
    if isinstance(value, str):
        return balance_bidi(value)
    if isinstance(value, dict):
        if not _has_controls(value):
            return value
        return {key: _balanced(item) for key, item in value.items()}
    if isinstance(value, list):
        if not _has_controls(value):
            return value
        return [_balanced(item) for item in value]
    return value


def _has_controls(value: Any) -> bool:
    if isinstance(value, str):
        return has_bidi_controls(value)
    if isinstance(value, dict):
        return any(_has_controls(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_controls(item) for item in value)
    return False


# -- variables in the note ------------------------------------------------------------

#: A ``key: value`` line of a note: a lowercase CSL variable or an upper-case one (``DOI``).
_NOTE_FIELD = re.compile(r"^([-_a-z]+|[A-Z]+):\s*([^}]+)$")
#: ``{:key: value}`` within a line.
_INLINE_FIELD = re.compile(r"\{:(?:[-_a-z]+|[A-Z]+):[^}]+\}")
#: A note that may hold fields (a cheap test before :func:`read_note_fields`).
_MAY_HOLD_FIELDS = re.compile(r"^\s*(?:[-_a-z]+|[A-Z]+):|\{:", re.MULTILINE)


def _inline_fields(line: str, first: bool) -> str:
    """A line with its ``{:key: value}`` fields put on lines of their own.

    A field after text that is not itself a field ends the reading of the
    line (but for the start of the note's first line).
    """
    pieces: list[str] = []
    start = 0
    for number, found in enumerate(_INLINE_FIELD.finditer(line)):
        before = line[start : found.start()]
        if before.strip() and not (first and number == 0) and not _NOTE_FIELD.match(before):
            break
        pieces.append(before)
        pieces.append("\n" + found.group()[2:-1].strip() + "\n")
        start = found.end()
    pieces.append(line[start:])
    return "".join(pieces)


def _is_variable(key: str) -> bool:
    """Whether ``key`` names a CSL variable (or the short form of one)."""
    return key in CSL_VARIABLES or (key.endswith("-short") and key[:-6] in CSL_VARIABLES)


def read_note_fields(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """``item`` with the variables its ``note`` gives in ``key: value`` lines, as citeproc-js.

    Zotero users put variables Zotero has no field for in the note (Zotero's
    "Extra"), one a line at its start (``original-date: 1950``,
    ``reviewed-author: Hall || W.C.``) or as ``{:key: value}`` in it;
    citeproc-js reads them, and so does the engine: from the note's start,
    blank lines and a first line that is not a field skipped, up to the
    first other line. ``type`` sets the type; a date variable is read as a
    date, a name variable as a name (``family || given``, or one literal
    name; a line a name each); any other variable as text. A variable the
    item already has is not replaced, and a key that is no CSL variable is
    not read (citeproc-js reads any key): their lines stay in the note. The lines read
    leave the note; a note left empty is no variable. The item itself when
    its note holds no field.
    """
    note = item.get("note")
    if not isinstance(note, str) or not _MAY_HOLD_FIELDS.search(note):
        return item
    lines = [_inline_fields(line, not n) for n, line in enumerate(note.split("\n"))]
    lines = "\n".join(lines).split("\n")
    read = dict(item)
    names: dict[str, list[dict[str, str]]] = {}
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        found = _NOTE_FIELD.match(line)
        if found is None:
            if number == 0:
                continue
            break
        key, value = found.group(1), found.group(2).strip()
        if key == "type":
            read["type"] = value
        elif key in _DATE_VARIABLES:
            if read.get(key):
                continue
            read[key] = {"raw": value}
        elif read.get(key) or not _is_variable(key):
            continue  # (a line of another key, "javascript: ...", stays in the note)
        elif key in _NAME_VARIABLES:
            parts = re.split(r"\s*\|\|\s*", value)
            if len(parts) == 1:
                names.setdefault(key, []).append({"literal": parts[0]})
            elif len(parts) == 2:
                names.setdefault(key, []).append({"family": parts[0], "given": parts[1]})
            else:
                names.setdefault(key, [])
        else:
            read[key] = value
        lines[number] = ""
    read.update(names)
    rest = "\n".join(lines).strip()
    if rest:
        read["note"] = rest
    else:
        del read["note"]
    return read


# -- from CSL-JSON --------------------------------------------------------------------


def from_csl(item: Mapping[str, Any], style_language: str | None = None) -> Any:
    """The engine's item (a citeproc-py ``Reference``) of a CSL-JSON item.

    Its key is the item's ``id`` as text, lowercased; a missing ``type`` is
    ``""``, which no type condition matches, as in citeproc-js. A free-text
    date (``raw``) is read with the month names of ``style_language`` and of
    the item's ``language``, besides English.
    """
    item = read_note_fields(item)
    fields = _csl_fields(item, (style_language, item.get("language")))
    return _reference(str(item.get("id", "")), item.get("type", ""), fields)


#: CSL-JSON's older names of two variables (Zotero's): each is read as the
#: variable it names when the item does not give that variable itself, as
#: citeproc-js reads them.
_ALIASES = {"shortTitle": "title-short", "journalAbbreviation": "container-title-short"}


def _csl_fields(item: Mapping[str, Any], languages: Sequence[Any] = ()) -> dict[str, Any]:
    """The engine fields (by Python name) of a CSL-JSON item's variables."""
    fields: dict[str, Any] = {}
    for key, value in item.items():
        if key in ("id", "type", "key"):
            continue
        alias = _ALIASES.get(key)
        if alias is not None:
            if item.get(alias) or not value:
                continue  # (the variable's own value wins; an empty alias is none)
            key = alias
        fields[python_name(key)] = _value(key, value, languages)
    return fields


def _reference(item_id: str, kind: Any, fields: Mapping[str, Any]) -> Any:
    return _unchecked(Reference, key=item_id.lower(), type=kind, **fields)


# -- from a work ----------------------------------------------------------------------


def from_work(work: Work, item_id: str) -> Any:
    """The engine's item (a citeproc-py ``Reference``) of ``work``, under the id ``item_id``.

    The same object :func:`from_csl` makes of ``to_csl(work, item_id)``, made
    without it.

    :raises citekit.FormatError: for a work whose ``variables`` hold ``id``
        or ``type`` (as :func:`citekit.formats.csl.work_to_item`).
    """
    kind, fields = _work_fields(work)
    return _reference(item_id, kind, fields)


def _text_fields(keys: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(CSL-JSON key, Python name, Work attribute) of text fields."""
    return tuple((key, python_name(key), TEXT_FIELDS[key]) for key in keys)


_HEAD_FIELDS = _text_fields(_HEAD)
_TAIL_FIELDS = _text_fields((*_TAIL, *_LAST))
_ROLE_NAMES = {role: (role.value, python_name(role.value)) for role in Role}
_TYPE_NAMES = {kind: kind.value for kind in WorkType}
_DATE_FIELDS = tuple((key, python_name(key), DATE_FIELDS[key]) for key in _DATES)


def _work_fields(work: Work) -> tuple[str, dict[str, Any]]:
    """A work's type and its engine fields (by Python name), without the id."""
    from citekit.formats.csl import _zotero_derived, thaw

    if _zotero_derived(work) or (work.note and _MAY_HOLD_FIELDS.search(work.note)):
        # Read from Zotero's CSL-JSON: the item gives the fields Zotero kept in
        # the note back to the note (work_to_item's business), so it is read;
        # so is any other note that may hold fields.
        item = read_note_fields(to_csl(work, work.key))
        return item.get("type", ""), _csl_fields(item)
    fields: dict[str, Any] = {}
    written: set[str] = set()  # the CSL-JSON keys an item of the work has
    rich = work.rich

    def texts(which: tuple[tuple[str, str, str], ...]) -> None:
        for key, name, attribute in which:
            value = getattr(work, attribute)
            if value is None:
                continue
            marked = rich.get(attribute)
            if marked is not None:
                # as CSL-JSON text (for a field without markup, that is its text)
                value = to_csl_text(marked)
            value = balance_bidi(value) if isinstance(value, str) else _balanced(value)
            written.add(key)
            fields[name] = value if key == "language" else text(value)

    texts(_HEAD_FIELDS)
    for group in work.contributors:
        key, name = _ROLE_NAMES[group.role]
        written.add(key)
        fields[name] = [_person(person) for person in group.persons]
    for key, name, attribute in _DATE_FIELDS:
        date = getattr(work, attribute)
        if date is not None:
            written.add(key)
            fields[name] = _date(date)
    texts(_TAIL_FIELDS)
    if work.keywords:
        written.add("keyword")
        if any("," in k or ";" in k for k in work.keywords):
            fields["keyword"] = text([balance_bidi(k) for k in work.keywords])
        else:
            fields["keyword"] = text(balance_bidi(", ".join(work.keywords)))
    for key, value in work.variables.items():
        if key in ("id", "type"):
            from citekit.errors import FormatError

            raise FormatError(
                f"work {work.key!r}: variables[{key!r}] would replace the item's {key}"
            )
        if key in ("custom", "key") or key in written:
            # custom is not rendered, "key" not read; a modelled attribute wins
            # over a kept bad value
            continue
        alias = _ALIASES.get(key)
        if alias is not None:
            if alias in written or work.variables.get(alias) or not value:
                continue
            key = alias
        written.add(key)
        fields[python_name(key)] = _value(key, _balanced(thaw(value)))
    if "citation-key" not in written:
        fields["citation_key"] = text(balance_bidi(work.key))
    return _TYPE_NAMES[work.type], fields


def _person(person: Person) -> Any:
    """A person as the engine's ``Name`` (as :func:`citekit.formats.csl.person_to_csl`)."""
    if person.literal is not None:
        return _name({"literal": balance_bidi(person.literal)})
    parts: dict[str, Any] = {}
    for key, value in (
        ("family", person.family),
        ("given", person.given),
        ("dropping-particle", person.dropping_particle),
        ("non-dropping-particle", person.non_dropping_particle),
        ("suffix", person.suffix),
    ):
        if value is not None:
            parts[key] = balance_bidi(value)
    if person.comma_suffix:
        parts["comma-suffix"] = True
    return _name(parts)


def _date(date: WorkDate) -> Any:
    """A date as the engine's date: what citeproc-py reads of
    :func:`citekit.formats.csl.date_to_csl`'s object (its constructors' values:
    a single date's ``circa`` 0 or 1, a range's ``True`` or ``False``)."""
    if date.literal is not None:
        return _unchecked(LiteralDate, text=balance_bidi(date.literal), circa=False)
    if not date.is_range and not date.open_start:
        parts = {"year": 0} if date.start is None else _date_parts(date.start, False)
        if date.start is not None and date.start.season is not None:
            parts["season"] = int(date.start.season)
        return _unchecked(Date, circa=int(date.circa), **parts)
    begin = {"year": 0} if date.start is None else _date_parts(date.start, True)
    end = {"year": 0} if date.end is None else _date_parts(date.end, True)
    return _unchecked(
        DateRange,
        begin=_unchecked(Date, **begin, circa=False),
        end=_unchecked(Date, **end, circa=False),
        circa=date.circa,
    )


def _date_parts(point: DateParts, in_range: bool) -> dict[str, int]:
    """The year (CSL's: 1 BC is -1), then a month (a season in a range: 21-24) and day."""
    parts = {"year": point.year - 1 if point.year <= 0 else point.year}
    if point.season is not None:
        if in_range:
            parts["month"] = 20 + int(point.season)
    elif point.month is not None:
        parts["month"] = point.month
        if point.day is not None:
            parts["day"] = point.day
    return parts


# -- the CSL-JSON item of a work ------------------------------------------------------


def to_csl(work: Work, item_id: str) -> dict[str, Any]:
    """The CSL-JSON item of ``work`` (id ``item_id``) the engine's item corresponds to.

    What another CSL processor must be given to render what citekit renders:
    :func:`citekit.formats.csl.work_to_item` without ``custom``, text read
    as citeproc-js reads it (rich text through
    :func:`~citekit.model.markup.to_csl_text`, markup on plain-text fields
    included), ``citation-key`` set, bidirectional controls closed.
    """
    from citekit.formats.csl import work_to_item

    item = work_to_item(work, custom=False)
    # The engine, as citeproc-js, reads text literally but for the rich-text
    # tags: CSL-JSON text, markup on plain-text fields included (work_to_item
    # writes the markup fields so already).
    for name, attribute in TEXT_FIELDS.items():
        if name in item and attribute in work.rich and attribute not in MARKUP_FIELDS:
            rich = work.rich_text(attribute)
            if rich is not None:
                item[name] = to_csl_text(rich)
    item.setdefault("citation-key", work.key)
    item = {key: _balanced(value) for key, value in item.items()}
    item["id"] = item_id
    return item


# -- sources and caches ---------------------------------------------------------------


def source(items: Iterable[Any], style_language: str | None = None) -> Any:
    """citeproc-py's bibliography source of engine items or CSL-JSON items (by key).

    ``style_language``: the style's locale, whose month names free-text dates
    of CSL-JSON items are read with.
    """
    found = BibliographySource()
    for item in items:
        reference = item if isinstance(item, Reference) else from_csl(item, style_language)
        found[reference.key] = reference
    return found


class WorkItems:
    """The engine's items of works, each work read once (a cache, bounded).

    A work's fields are kept; each call gives a new ``Reference``. Safe to
    share between threads.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self._fields: dict[Work, tuple[str, dict[str, Any]]] = {}
        self._limit = limit

    def reference(self, work: Work, item_id: str) -> Any:
        """The engine's item of ``work`` (:func:`from_work`)."""
        try:
            known = self._fields.get(work)
        except TypeError:  # an unhashable value in the work
            return from_work(work, item_id)
        if known is None:
            known = _work_fields(work)
            if len(self._fields) >= self._limit:
                self._fields.clear()
            self._fields[work] = known
        return _reference(item_id, *known)


def fingerprint(reference: Any) -> str:
    """A digest of what the engine reads of an item (its variables and type, not its key).

    Equal for items that render alike in any style, stable between runs.
    """
    data = {
        key: _plain(value)
        for key, value in reference.items()
        if key != "key" and not key.startswith("_citekit")
    }
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """An engine value as JSON data: text as its pieces, names and dates as their parts."""
    if isinstance(value, MixedString):
        return ["mixed", [_plain(piece) for piece in value]]
    if isinstance(value, NoCase):
        return ["nocase", str(value)]
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return [type(value).__name__, {str(k): _plain(v) for k, v in value.items()}]
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, bool | int | float) or value is None:
        return [type(value).__name__, value]
    return [type(value).__name__, str(value)]
