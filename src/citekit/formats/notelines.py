"""``Key: value`` lines: Zotero's convention for fields a format has no place for.

Zotero keeps, in an item's "Extra" field (CSL-JSON ``note``), one field a
line: ``Original Date: 1950``, ``illustrator: Doe || Jane``, ``PMID: 123``,
``Citation Key: doe2020``, and Better BibTeX adds ``tex.field: value`` for
BibTeX fields. citekit reads such lines into the fields they name and writes
the fields a format cannot hold the same way (RIS and MEDLINE as notes), so
that they come back when the file is read again, by citekit or by Zotero.

Only lines whose key is a CSL variable or role, ``tex.*`` or a known
identifier label are read; any other line stays in the note as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from citekit.formats.csl_vocabulary import CSL_VARIABLES, DATE_FIELDS, ROLES, TEXT_FIELDS
from citekit.model.dates import Date
from citekit.model.persons import Person
from citekit.model.work import Role, Work, WorkType

__all__ = ["NoteFields", "format_line", "lines_for", "read_lines"]

_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 ._-]*?)\s*:\s*(.*?)\s*$")
_TEX = re.compile(r"^\s*tex\.([A-Za-z][A-Za-z0-9_:.-]*)\s*[:=]\s*(.*?)\s*$")

#: Identifier labels as Zotero writes them in Extra -> Work attribute.
IDENTIFIER_LABELS = {"pmid": "pmid", "pmcid": "pmcid", "arxiv": "arxiv", "doi": "doi"}

#: CSL date variables modelled as Work attributes -> attribute.
DATE_ATTRIBUTES = DATE_FIELDS
#: CSL text variables modelled as Work attributes -> attribute, but for the
#: identifiers (read through IDENTIFIER_LABELS), the abstract and the note itself.
TEXT_ATTRIBUTES = {
    name: attribute
    for name, attribute in TEXT_FIELDS.items()
    if name not in {"abstract", "note", "DOI", "PMID", "PMCID"}
}
_TEXT_LOWER = {name.lower(): attribute for name, attribute in TEXT_ATTRIBUTES.items()}
_ROLES = {role.value: role for role in Role}
_TYPES = frozenset(t.value for t in WorkType)


def _csl_variables() -> frozenset[str]:
    """The CSL variables kept in ``Work.variables`` (not those the model has attributes for)."""
    return (
        CSL_VARIABLES
        - set(TEXT_FIELDS)
        - set(DATE_FIELDS)
        - ROLES
        - {
            "id",
            "type",
            "custom",
            "keyword",
            "citation-key",
        }
    )


def _label(key: str) -> str:
    """Zotero's reading of a key: "Original Date" and "original-date" are the same."""
    return "-".join(key.strip().split()).lower()


class NoteFields:
    """The fields read from ``Key: value`` lines, and the lines that stay a note."""

    def __init__(self) -> None:
        self.attributes: dict[str, Any] = {}
        self.names: dict[Role, list[Person]] = {}
        self.variables: dict[str, str] = {}
        self.extra: dict[str, str] = {}
        self.citation_key: str | None = None
        self.work_type: WorkType | None = None
        self.rest: list[str] = []

    def __bool__(self) -> bool:
        return bool(
            self.attributes
            or self.names
            or self.variables
            or self.extra
            or self.citation_key
            or self.work_type
        )

    @property
    def note(self) -> str | None:
        """The lines that are no field, as the note's text (None if none)."""
        text = "\n".join(self.rest).strip("\n")
        return text if text.strip() else None


def _person(text: str) -> Person | None:
    family, sep, given = text.partition("||")
    try:
        if sep:
            family, given = family.strip(), given.strip()
            if not family and not given:
                return None
            return Person(family=family or None, given=given or None)
        return Person(literal=text.strip()) if text.strip() else None
    except (TypeError, ValueError):
        return None


#: The keys as :func:`lines_for` writes them (what ``exact`` reading accepts).
_WRITTEN_KEYS = frozenset(
    {"PMID", "PMCID", "arXiv", "DOI", "Citation Key", "type"}
    | set(TEXT_ATTRIBUTES)
    | set(DATE_ATTRIBUTES)
    | {role.value for role in Role}
)


def read_lines(
    text: str, *, taken: Iterable[str] = (), identifiers: bool = True, exact: bool = False
) -> NoteFields:
    """Split ``text`` into fields named by its ``Key: value`` lines and the note's other lines.

    ``taken`` names Work attributes that already have a value (the format's
    own field wins; the line stays in the note). ``identifiers`` reads the
    ``PMID:``/``PMCID:``/``arXiv:``/``DOI:`` labels too. With ``exact``, a key
    is only read when it is written as :func:`lines_for` writes it (the CSL
    name, ``PMID``, ``tex.field``): notes of other tools ("References: ...",
    "Export Date: ...") stay notes.
    """
    out = NoteFields()
    filled = set(taken)
    variables = _csl_variables()
    for line in text.split("\n"):
        if exact:
            head = _LINE.match(line)
            if (
                head is not None
                and not _TEX.match(line)
                and head.group(1).strip() not in _WRITTEN_KEYS | variables
            ):
                out.rest.append(line)
                continue
        tex = _TEX.match(line)
        if tex is not None:
            name = tex.group(1)
            if name not in out.extra:
                out.extra[name] = tex.group(2)
                continue
        match = _LINE.match(line)
        if match is None or not match.group(2):
            out.rest.append(line)
            continue
        key, value = match.group(1), match.group(2)
        label = _label(key)
        if label == "citation-key" and out.citation_key is None and " " not in value:
            out.citation_key = value
            continue
        if label == "type" and value in _TYPES and out.work_type is None:
            out.work_type = WorkType(value)
            continue
        if identifiers and label in IDENTIFIER_LABELS:
            attribute = IDENTIFIER_LABELS[label]
            if attribute not in filled and attribute not in out.attributes:
                out.attributes[attribute] = value
                continue
        if label in _ROLES:
            person = _person(value)
            if person is not None:
                out.names.setdefault(_ROLES[label], []).append(person)
                continue
        if label in DATE_ATTRIBUTES:
            attribute = DATE_ATTRIBUTES[label]
            if attribute not in filled and attribute not in out.attributes:
                out.attributes[attribute] = Date.parse(value)
                continue
        if label in _TEXT_LOWER:
            attribute = _TEXT_LOWER[label]
            if attribute not in filled and attribute not in out.attributes:
                out.attributes[attribute] = value
                continue
        name = key.strip() if key.strip() in variables else label
        if name in variables and name not in out.variables and name not in ("id", "type"):
            out.variables[name] = value
            continue
        out.rest.append(line)
    return out


def format_line(key: str, value: str) -> str:
    """One ``Key: value`` line (the value on one line)."""
    return f"{key}: {' '.join(value.split())}"


def _name_value(person: Person) -> str:
    if person.literal is not None:
        return person.literal
    family = person.full_family
    given = person.given or ""
    if person.suffix:
        given = f"{given}, {person.suffix}" if given else person.suffix
    return f"{family} || {given}".rstrip()


def lines_for(
    work: Work,
    *,
    roles: Iterable[Role] = (),
    attributes: Iterable[str] = (),
    variables: Iterable[str] = (),
    extra: Mapping[str, str] | None = None,
) -> list[str]:
    """The ``Key: value`` lines that keep the named fields of ``work``.

    ``roles`` are written one name a line (``illustrator: Doe || Jane``),
    ``attributes`` by their CSL name (dates in EDTF), ``variables`` by name,
    and ``extra`` as ``tex.name: value``.
    """
    by_attribute = {a: n for n, a in TEXT_ATTRIBUTES.items()}
    by_attribute.update({a: n for n, a in DATE_ATTRIBUTES.items()})
    by_attribute.update({a: label for label, a in IDENTIFIER_LABELS.items()})
    by_attribute.update({"pmid": "PMID", "pmcid": "PMCID", "arxiv": "arXiv", "doi": "DOI"})
    lines: list[str] = []
    for role in roles:
        for person in work.names(role):
            lines.append(format_line(role.value, _name_value(person)))
    for attribute in attributes:
        value = getattr(work, attribute)
        if value is not None:
            lines.append(format_line(by_attribute[attribute], str(value)))
    for name in variables:
        value = work.variables.get(name)
        if name == "citation-key":
            continue  # the key itself; a format writes it as its key (RIS's ID)
        if value is not None:
            lines.append(format_line(name, str(value)))
    for name, value in (extra or {}).items():
        lines.append(format_line(f"tex.{name}", value))
    return lines
