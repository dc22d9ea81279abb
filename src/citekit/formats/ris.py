"""RIS (``.ris``): the tagged format of EndNote, Zotero, Mendeley, Scopus, Web of Science.

A record is a run of lines ``XX  - value`` from ``TY`` (its type) to ``ER``;
a line without a tag continues the value before it. Lines are split into
tags by the ``rispy`` package; citekit maps the tags onto its model with the
conventions of the common exporters (see ``docs/formats/ris.md``):

- ``AU``/``A1`` authors, ``A2``/``ED`` editors, ``A3`` series editors,
  ``A4`` translators (Zotero); names "Family, Given", a name without a comma
  is an organisation;
- ``TI``/``T1`` title, ``T2``/``JF``/``JO`` container, ``J2``/``JA``/``J1``/
  ``JI`` its abbreviation, ``T3`` series, ``ST`` short title;
- ``PY``/``Y1``/``DA`` date (``2010/05/12/``), ``Y2`` accessed;
- ``SP``/``EP`` pages, ``VL``, ``IS``, ``M1`` number, ``NV``, ``ET``, ``PB``,
  ``CY``, ``M3`` genre, ``SN`` ISBN or ISSN (told apart by their check digits),
  ``DO``, ``UR``, ``LA``, ``KW``, ``AB``/``N2``, ``N1`` notes;
- ``DP`` (Zotero's "library catalog") the CSL ``source``, ``DB`` archive,
  ``AN`` archive location (the PMID in records from PubMed), ``CN`` call
  number, ``SE`` section, ``C2`` a PMCID, ``C7`` Scopus's article number,
  ``ID`` the citation key.

Every other tag is kept in ``Work.extra`` under its name and written back.
Fields RIS has no tag for are written as ``N1`` notes of the form
``Key: value`` (Zotero's convention, see :mod:`citekit.formats.notelines`),
which citekit reads back; :meth:`RisFormat.losses` names them. Files may be
UTF-8 with or without a byte-order mark, with CRLF or LF line ends.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Iterator
from typing import Any

from citekit.formats.losses import Loss, compare, merge
from citekit.formats.notelines import format_line, lines_for, read_lines
from citekit.formats.tagged import build_work, make_key
from citekit.model import Library, Problem
from citekit.model.dates import Date, DateParts
from citekit.model.identifiers import isbn_problem, issn_problem
from citekit.model.persons import Person, parse_name
from citekit.model.work import Role, Work, WorkType

__all__ = ["RIS_TYPES", "RisFormat", "make_key", "ris_losses"]

#: RIS reference types -> CSL types (RIS 2011 list, as EndNote and Zotero use it).
RIS_TYPES: dict[str, WorkType] = {
    "ABST": WorkType.ARTICLE_JOURNAL,
    "ADVS": WorkType.MOTION_PICTURE,
    "AGGR": WorkType.DATASET,
    "ANCIENT": WorkType.CLASSIC,
    "ART": WorkType.GRAPHIC,
    "BILL": WorkType.BILL,
    "BLOG": WorkType.POST_WEBLOG,
    "BOOK": WorkType.BOOK,
    "CASE": WorkType.LEGAL_CASE,
    "CHAP": WorkType.CHAPTER,
    "CHART": WorkType.FIGURE,
    "CLSWK": WorkType.CLASSIC,
    "COMP": WorkType.SOFTWARE,
    "CONF": WorkType.PAPER_CONFERENCE,
    "CPAPER": WorkType.PAPER_CONFERENCE,
    "CTLG": WorkType.DOCUMENT,
    "DATA": WorkType.DATASET,
    "DBASE": WorkType.DATASET,
    "DICT": WorkType.ENTRY_DICTIONARY,
    "EBOOK": WorkType.BOOK,
    "ECHAP": WorkType.CHAPTER,
    "EDBOOK": WorkType.BOOK,
    "EJOUR": WorkType.ARTICLE_JOURNAL,
    "ELEC": WorkType.WEBPAGE,
    "ENCYC": WorkType.ENTRY_ENCYCLOPEDIA,
    "EQUA": WorkType.DOCUMENT,
    "FIGURE": WorkType.FIGURE,
    "GEN": WorkType.DOCUMENT,
    "GOVDOC": WorkType.REPORT,
    "GRANT": WorkType.DOCUMENT,
    "HEAR": WorkType.HEARING,
    "ICOMM": WorkType.PERSONAL_COMMUNICATION,
    "INPR": WorkType.ARTICLE_JOURNAL,
    "JFULL": WorkType.PERIODICAL,
    "JOUR": WorkType.ARTICLE_JOURNAL,
    "LEGAL": WorkType.REGULATION,
    "MANSCPT": WorkType.MANUSCRIPT,
    "MAP": WorkType.MAP,
    "MGZN": WorkType.ARTICLE_MAGAZINE,
    "MPCT": WorkType.MOTION_PICTURE,
    "MULTI": WorkType.MOTION_PICTURE,
    "MUSIC": WorkType.MUSICAL_SCORE,
    "NEWS": WorkType.ARTICLE_NEWSPAPER,
    "PAMP": WorkType.PAMPHLET,
    "PAT": WorkType.PATENT,
    "PCOMM": WorkType.PERSONAL_COMMUNICATION,
    "RPRT": WorkType.REPORT,
    "SER": WorkType.PERIODICAL,
    "SLIDE": WorkType.SPEECH,
    "SOUND": WorkType.SONG,
    "STAND": WorkType.STANDARD,
    "STAT": WorkType.LEGISLATION,
    "THES": WorkType.THESIS,
    "UNBILL": WorkType.BILL,
    "UNPB": WorkType.MANUSCRIPT,
    "VIDEO": WorkType.MOTION_PICTURE,
    "WEB": WorkType.WEBPAGE,
}

#: CSL type -> the RIS type written for it (the first RIS type reading back to it).
_WRITE_TYPES: dict[WorkType, str] = {
    WorkType.ARTICLE_JOURNAL: "JOUR",
    WorkType.BOOK: "BOOK",
    WorkType.CHAPTER: "CHAP",
    WorkType.PAPER_CONFERENCE: "CPAPER",
    WorkType.THESIS: "THES",
    WorkType.REPORT: "RPRT",
    WorkType.WEBPAGE: "ELEC",
    WorkType.MOTION_PICTURE: "VIDEO",
    WorkType.CLASSIC: "CLSWK",
    WorkType.DATASET: "DATA",
    WorkType.DOCUMENT: "GEN",
    WorkType.MANUSCRIPT: "UNPB",
    WorkType.PERIODICAL: "JFULL",
    WorkType.PERSONAL_COMMUNICATION: "PCOMM",
}
for _ris, _csl in RIS_TYPES.items():
    _WRITE_TYPES.setdefault(_csl, _ris)

#: CSL types RIS has no type for: written as the RIS type of the nearest one.
_NEAREST: dict[WorkType, str] = {
    WorkType.ARTICLE: "JOUR",
    WorkType.BROADCAST: "VIDEO",
    WorkType.COLLECTION: "BOOK",
    WorkType.ENTRY: "ENCYC",
    WorkType.EVENT: "GEN",
    WorkType.INTERVIEW: "PCOMM",
    WorkType.PERFORMANCE: "GEN",
    WorkType.POST: "BLOG",
    WorkType.REVIEW: "JOUR",
    WorkType.REVIEW_BOOK: "JOUR",
    WorkType.TREATY: "STAT",
}

#: Roles with a RIS tag (write), in the order written.
_ROLE_TAGS: dict[Role, str] = {
    Role.AUTHOR: "AU",
    Role.EDITOR: "A2",
    Role.COLLECTION_EDITOR: "A3",
    Role.TRANSLATOR: "A4",
}
#: Tags read as names.
_NAME_TAGS: dict[str, Role] = {
    "AU": Role.AUTHOR,
    "A1": Role.AUTHOR,
    "A2": Role.EDITOR,
    "ED": Role.EDITOR,
    "A3": Role.COLLECTION_EDITOR,
    "A4": Role.TRANSLATOR,
}

#: Text tags read into Work attributes, first present wins.
_TEXT_TAGS: tuple[tuple[str, str], ...] = (
    ("TI", "title"),
    ("T1", "title"),
    ("CT", "title"),
    ("BT", "title"),
    ("ST", "title_short"),
    ("T2", "container_title"),
    ("JF", "container_title"),
    ("JO", "container_title"),
    ("J2", "container_title_short"),
    ("JA", "container_title_short"),
    ("J1", "container_title_short"),
    ("JI", "container_title_short"),
    ("T3", "collection_title"),
    ("VL", "volume"),
    ("VO", "volume"),
    ("IS", "issue"),
    ("M1", "number"),
    ("NV", "number_of_volumes"),
    ("ET", "edition"),
    ("PB", "publisher"),
    ("CY", "publisher_place"),
    ("PP", "publisher_place"),
    ("M3", "genre"),
    ("DO", "doi"),
    ("LA", "language"),
    ("AB", "abstract"),
    ("N2", "abstract"),
)
#: Tags read into Work.variables (CSL names).
_VARIABLE_TAGS: dict[str, str] = {
    "DP": "source",
    "DB": "archive",
    "AN": "archive_location",
    "CN": "call-number",
    "SE": "section",
}
_ATTRIBUTE_TAGS: dict[str, str] = {
    "title": "TI",
    "container_title": "T2",
    "container_title_short": "J2",
    "collection_title": "T3",
    "title_short": "ST",
    "volume": "VL",
    "issue": "IS",
    "number": "M1",
    "number_of_volumes": "NV",
    "edition": "ET",
    "publisher": "PB",
    "publisher_place": "CY",
    "genre": "M3",
    "doi": "DO",
    "language": "LA",
}

#: Tags citekit reads itself; every other tag goes to Work.extra.
_KNOWN_TAGS = frozenset(
    {"TY", "ER", "ID", "PY", "Y1", "DA", "Y2", "SP", "EP", "SN", "UR", "KW", "N1", "C2", "C7"}
    | set(_NAME_TAGS)
    | {tag for tag, _ in _TEXT_TAGS}
    | set(_VARIABLE_TAGS)
)
_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
_LOOSE_TAG = re.compile(r"^([A-Z][A-Z0-9]) {0,3}-(?: (.*)|)$")
_EXTRA_TAG = re.compile(r"^[A-Z][A-Z0-9]$")
_HEADER = re.compile(r"^\s*\d+\.\s*$")
_PUBMED = re.compile(r"pubmed|medline|\bnlm\b", re.IGNORECASE)
_PMCID = re.compile(r"^PMC\d+$")
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_LABELLED = re.compile(r"^(\S.*?)\s*\((ISSN|ISBN)\)$", re.IGNORECASE)
_BOOKISH = frozenset(
    {
        WorkType.BOOK,
        WorkType.CHAPTER,
        WorkType.CLASSIC,
        WorkType.COLLECTION,
        WorkType.THESIS,
        WorkType.REPORT,
        WorkType.PAPER_CONFERENCE,
        WorkType.ENTRY_DICTIONARY,
        WorkType.ENTRY_ENCYCLOPEDIA,
        WorkType.PAMPHLET,
    }
)


# --- reading -------------------------------------------------------------------------------


class _Record:
    """One record: its tags in order, with the line each starts on."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.tags: list[tuple[str, str, int]] = []

    def values(self, tag: str) -> list[str]:
        return [value for name, value, _ in self.tags if name == tag]

    def first(self, tag: str) -> str | None:
        for name, value, _ in self.tags:
            if name == tag and value.strip():
                return value.strip()
        return None

    def line_of(self, tag: str) -> int:
        return next((line for name, _, line in self.tags if name == tag), self.line)


def _parser_class() -> Any:
    """A ``rispy.RisParser`` that keeps every tag, in order, with its line."""
    import rispy

    class Parser(rispy.RisParser):  # type: ignore[misc]
        def __init__(self, numbers: list[int]) -> None:
            super().__init__(mapping={"TY": "TY"}, list_tags=[], ignore=[])
            self.numbers = numbers
            self.position = -1
            self.open: _Record | None = None
            self.skipped: list[tuple[int, str]] = []

        def counted(self, lines: list[str]) -> Iterator[str]:
            for index, line in enumerate(lines):
                self.position = index
                yield line

        def _iter_till_start(self, lines: Iterator[str]) -> dict[str, Any]:
            while True:
                line = next(lines)
                if line.startswith(self.START_TAG):
                    record = _Record(self.numbers[self.position])
                    record.tags.append(("TY", self.parse_line(line)[1], record.line))
                    self.open = record
                    return {"record": record}
                if line.strip() and not _HEADER.match(line):
                    self.skipped.append((self.numbers[self.position], line.strip()))

        def _add_tag(
            self,
            record: dict[str, Any],
            tag: str | None,
            content: str,
            extend_multiline: bool = False,
        ) -> None:
            target: _Record = record["record"]
            if tag is None or extend_multiline:
                if target.tags:
                    name, value, line = target.tags[-1]
                    target.tags[-1] = (name, value + "\n" + content, line)
                return
            target.tags.append((tag, content, self.numbers[self.position]))

    return Parser


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8")


def _split(text: str, problems: list[Problem], path: str | None) -> list[_Record]:
    """The records of ``text``; lines are normalised for rispy, with their numbers kept."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[str] = []
    numbers: list[int] = []
    inside = False
    for number, line in enumerate(raw_lines, 1):
        line = line.lstrip("\ufeff")
        match = _TAG.match(line) or _LOOSE_TAG.match(line)
        if match is not None:
            tag, value = match.group(1), match.group(2) or ""
            if tag == "TY" and inside:
                problems.append(
                    Problem(
                        message="a record starts before the one above ended (no ER line);"
                        " the one above is ended here",
                        path=path,
                        line=number,
                        severity="warning",
                    )
                )
                lines.append("ER  - ")
                numbers.append(number)
            if tag == "TY":
                inside = True
            elif tag == "ER":
                inside = False
            line = f"{tag}  - {value}"
        elif not inside:
            # Text between records: rispy skips it; blank lines and "1." headers are
            # normal, anything else is reported below.
            pass
        lines.append(line)
        numbers.append(number)
    parser = _parser_class()(numbers)
    parsed = parser.parse_lines(parser.counted(lines))
    records: list[_Record] = [entry["record"] for entry in parsed]
    if parser.open is not None and (not records or records[-1] is not parser.open):
        problems.append(
            Problem(
                message="the last record has no ER line; read up to the end of the file",
                path=path,
                line=parser.open.line,
                severity="warning",
            )
        )
        records.append(parser.open)
    for number, line in parser.skipped:
        problems.append(
            Problem(
                message=f"text outside a record (not read): {line[:60]!r}",
                path=path,
                line=number,
                severity="warning",
            )
        )
    for record in records:
        record.tags = [
            (tag, _continued(tag, value.rstrip("\n").strip()), line)
            for tag, value, line in record.tags
        ]
    return records


#: Tags whose continuation lines are new lines of text or new values; in the
#: others (titles, names of journals, ...) a continuation line is the same
#: text wrapped, joined with a space as Zotero and EndNote read it.
_LINE_TAGS = frozenset(
    {"N1", "AB", "N2", "AD", "KW", "AU", "A1", "A2", "A3", "A4", "ED", "SN", "UR", "L1", "L2", "L4"}
)


def _continued(tag: str, value: str) -> str:
    if (
        "\n" not in value
        or tag in _LINE_TAGS
        or not _EXTRA_TAG.match(tag)
        or tag not in _KNOWN_TAGS
    ):
        return value
    return " ".join(part.strip() for part in value.split("\n") if part.strip())


def _name(text: str) -> Person | None:
    text = text.strip()
    if not text:
        return None
    if "," not in text or (text.startswith("{") and text.endswith("}")):
        if text.startswith("{") and text.endswith("}"):
            text = text[1:-1]
        return Person(literal=text)
    try:
        return parse_name(text)
    except ValueError:
        family, _, given = text.partition(",")
        if not given.strip() and family.strip():
            return Person(family=family.strip())
        return Person(literal=text)


_RIS_DATE = re.compile(
    r"^\s*(-?\d{1,4})?\s*(?:/\s*(\d{0,2})\s*(?:/\s*(\d{0,2})\s*(?:/(.*))?)?)?\s*$"
)


def _date(text: str) -> Date | None:
    """A RIS date: ``2010/05/12/``, ``2010///``, ``2010``, or ISO ``2010-05-12``."""
    text = text.strip()
    if not text:
        return None
    match = _RIS_DATE.match(text)
    if match is not None and match.group(1):
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else None
        day = int(match.group(3)) if match.group(3) and month else None
        try:
            return Date(start=DateParts(year, month, day))
        except ValueError:
            pass
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]", text)
    if iso is not None:
        return Date.parse(iso.group(1))
    from citekit.formats.medline import read_dp

    return read_dp(text)  # "2010 May 12", "2010 Spring", ... as PubMed writes them


def _read_record(
    record: _Record, library: Library, path: str | None, taken: set[str]
) -> Work | None:
    problems = library.problems
    fields: dict[str, Any] = {}
    names: dict[Role, list[Person]] = {}
    variables: dict[str, Any] = {}
    extra: dict[str, str] = {}
    key: str | None = None
    value: str | None

    def warn(message: str, tag: str) -> None:
        problems.append(
            Problem(
                message=message,
                path=path,
                line=record.line_of(tag),
                key=key,
                field=tag,
                severity="warning",
            )
        )

    source = " ".join(record.values("DB") + record.values("DP"))
    scopus = "scopus" in source.lower()
    written_type = record.first("TY") or ""
    ris_type = written_type.upper()
    work_type = _type_of(written_type)
    if work_type is None:
        work_type = WorkType.DOCUMENT
        warn(f"unknown RIS type {written_type!r}; read as a document, kept in extra['TY']", "TY")
    if written_type and ris_type not in RIS_TYPES:
        extra["TY"] = written_type  # a type's name, not its code: written back as it was
    cited = record.first("ID")
    if cited and re.fullmatch(r"[^\s,{}()\"#%'=\\]+", cited):
        key = cited  # a key already taken makes the work a duplicate, as in BibTeX
    elif cited:
        extra["ID"] = cited
    for tag, value, _ in record.tags:  # in file order: A1 and AU may alternate
        role = _NAME_TAGS.get(tag)
        if role is None:
            continue
        for part in value.split("\n"):
            person = _name(part)
            if person is not None:
                names.setdefault(role, []).append(person)
    for tag, attribute in _TEXT_TAGS:
        value = record.first(tag)
        if value is None:
            continue
        if attribute in fields:
            if fields[attribute] != value and not (scopus and tag == "M3"):
                extra[tag] = "\n".join(record.values(tag))
            continue
        if scopus and tag == "M3":
            extra[tag] = value  # Scopus's document type ("Article"), not a genre
            continue
        fields[attribute] = value
    for tag, variable in _VARIABLE_TAGS.items():
        value = record.first(tag)
        if value is None:
            continue
        if tag == "AN" and (_PUBMED.search(source) and value.isdigit()):
            fields["pmid"] = value
        else:
            variables[variable] = value
    for value in record.values("C2"):
        if _PMCID.match(value.strip()) and "pmcid" not in fields:
            fields["pmcid"] = value.strip()
        elif value.strip():
            extra["C2"] = value
    for value in record.values("C7"):
        if scopus and "number" not in fields and value.strip():
            fields["number"] = value.strip()
        elif value.strip():
            extra["C7"] = value
    # Dates.
    for tag in ("DA", "Y1", "PY"):
        value = record.first(tag)
        if value is None:
            continue
        date = _date(value)
        if date is None:
            continue
        current = fields.get("issued")
        if current is None:
            fields["issued"] = date
        elif current.year != date.year or (
            tag != "PY" and date.start is not None and str(date) != str(current)
        ):
            extra[tag] = value
    accessed = record.first("Y2")
    if accessed:
        fields["accessed"] = _date(accessed)
    # Pages.
    start, end = record.first("SP"), record.first("EP")
    if start and end:
        fields["page"] = f"{start}-{end}"
    elif start or end:
        fields["page"] = start or end
    # Identifiers.
    for value in record.values("SN"):
        for number in (v for v in re.split(r"\s*[;\n]\s*", value) if v.strip()):
            labelled = _LABELLED.match(number)  # Scopus: "00218979 (ISSN)"
            if labelled is not None:
                number, slot = labelled.group(1), labelled.group(2).lower()
            elif _ISSN.match(number) and issn_problem(number) is None:
                slot = "issn"
            elif isbn_problem(number) is None:
                slot = "isbn"
            else:
                slot = "isbn" if work_type in _BOOKISH else "issn"
            if slot in fields:
                fields[slot] = f"{fields[slot]} {number}"
            else:
                fields[slot] = number
    urls = [u for value in record.values("UR") for u in re.split(r"\s*[;\n]\s*", value) if u]
    if urls:
        fields["url"] = urls[0]
        if urls[1:]:
            extra["UR"] = "\n".join(urls[1:])
    # One keyword a line, or several on one line separated by ";" (Scopus).
    keywords = [
        k.strip() for value in record.values("KW") for k in re.split(r"[\n;]", value) if k.strip()
    ]
    if keywords:
        fields["keywords"] = keywords
    # Notes: "Key: value" lines are fields, the rest the note.
    notes: list[str] = []
    for value in record.values("N1"):
        if "\n" in value:  # a note of several lines is a note (citekit writes one field a line)
            notes.append(value)
            continue
        found = read_lines(value, taken=[f for f in fields if f != "issued"], exact=True)
        if found.work_type is not None and _read_type_back(found.work_type, ris_type):
            work_type = found.work_type
        for attribute, parsed in found.attributes.items():
            if attribute == "issued" and not _same_year(parsed, fields.get("issued")):
                notes.append(format_line("issued", str(parsed)))
                continue
            fields[attribute] = parsed
        for role, persons in found.names.items():
            names.setdefault(role, []).extend(persons)
        variables.update((k, v) for k, v in found.variables.items() if k not in variables)
        extra.update((k, v) for k, v in found.extra.items() if k not in extra)
        if found.citation_key and key is None and found.citation_key not in taken:
            key = found.citation_key
        if found.note is not None:
            notes.append(found.note)
    if notes:
        fields["note"] = "\n\n".join(notes)
    # Everything else, kept by tag.
    for tag, value, _ in record.tags:
        if tag in _KNOWN_TAGS or not _EXTRA_TAG.match(tag):
            continue
        extra[tag] = f"{extra[tag]}\n{value}" if tag in extra else value
    if key is None:
        key = make_key(fields, names, taken)
    return build_work(
        key,
        work_type,
        names,
        variables,
        extra,
        fields,
        problems=problems,
        path=path,
        line=record.line,
    )


def _read_type_back(csl_type: WorkType, ris_type: str) -> bool:
    """A ``type:`` note line names the CSL type when the record's RIS type is the one
    citekit writes for it."""
    return _ris_type(csl_type) == ris_type


def _same_year(date: Any, other: Any) -> bool:
    return other is None or (isinstance(date, Date) and date.year == getattr(other, "year", None))


# --- writing -------------------------------------------------------------------------------


def _ris_type(work_type: WorkType) -> str:
    return _WRITE_TYPES.get(work_type) or _NEAREST.get(work_type, "GEN")


def _write_name(person: Person) -> str:
    """A name as RIS exporters write it ("Family, Given", an organisation as it is),
    in BibTeX's braced form where that would not read back the same."""
    if person.literal is not None:
        plain = person.literal
    else:
        family = person.full_family
        given = person.given or ""
        if person.suffix:
            plain = f"{family}, {given}, {person.suffix}"
        else:
            plain = f"{family}, {given}" if given else f"{family},"
    braced = "{" + person.literal + "}" if person.literal is not None else person.bibtex()
    for candidate in (plain, braced):
        if _name(candidate) == person:
            return candidate
    return plain  # the loss report names what does not read back the same


def _simple_date(date: Date) -> bool:
    start = date.start
    return (
        start is not None
        and date.literal is None
        and not date.is_range
        and not date.open_start
        and not date.open_end
        and not date.circa
        and not date.uncertain
        and start.season is None
        and start.year >= 0
    )


def _ris_date(date: Date) -> str:
    start = date.start
    assert start is not None
    month = f"{start.month:02d}" if start.month else ""
    day = f"{start.day:02d}" if start.day else ""
    return f"{start.year:04d}/{month}/{day}/"


_LOSSY_ROLES = tuple(role for role in Role if role not in _ROLE_TAGS)
_NOTE_ATTRIBUTES = (
    "original_title",
    "event_title",
    "collection_number",
    "number_of_pages",
    "medium",
    "event_place",
    "original_date",
    "event_date",
    "pmid",
    "pmcid",
    "arxiv",
)


def _variable_tags() -> dict[str, str]:
    return {variable: tag for tag, variable in _VARIABLE_TAGS.items()}


def _extra_tag(name: str) -> bool:
    return bool(_EXTRA_TAG.match(name)) and name not in ("TY", "ER")


def _note_extra(work: Work) -> dict[str, str]:
    kept = _kept_type(work)
    return {k: v for k, v in work.extra.items() if not _extra_tag(k) and not (k == "TY" and kept)}


def _one_line(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _kept_type(work: Work) -> str | None:
    """The type as the file wrote it (a name, not a code), while it still reads as the work's."""
    kept = work.extra.get("TY")
    if not kept or "\n" in kept:
        return None
    return kept if (_type_of(kept) or WorkType.DOCUMENT) is work.type else None


@functools.lru_cache(maxsize=1)
def _type_names() -> dict[str, str]:
    """Type names some exporters write instead of codes ("Journal Article"), lowercase -> code."""
    from rispy.config import TYPE_OF_REFERENCE_MAPPING

    names = {str(name).lower(): code for code, name in TYPE_OF_REFERENCE_MAPPING.items()}
    names.update(_ENDNOTE_TYPE_NAMES)
    return names


#: EndNote's reference type names, as some RIS exports write them in ``TY``.
_ENDNOTE_TYPE_NAMES = {
    "journal article": "JOUR",
    "book section": "CHAP",
    "edited book": "EDBOOK",
    "conference paper": "CPAPER",
    "conference proceedings": "CONF",
    "thesis": "THES",
    "report": "RPRT",
    "web page": "ELEC",
    "electronic article": "EJOUR",
    "electronic book": "EBOOK",
    "generic": "GEN",
    "book": "BOOK",
    "newspaper article": "NEWS",
    "magazine article": "MGZN",
    "patent": "PAT",
    "dataset": "DATA",
    "computer program": "COMP",
    "manuscript": "MANSCPT",
    "unpublished work": "UNPB",
}


def _type_of(text: str) -> WorkType | None:
    """The CSL type of a ``TY`` value: a RIS code, or a type's name."""
    code = text.strip().upper()
    if code in RIS_TYPES:
        return RIS_TYPES[code]
    named = _type_names().get(" ".join(text.split()).lower())
    return RIS_TYPES.get(named) if named else None


def _record_lines(work: Work) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [("TY", _kept_type(work) or _ris_type(work.type))]
    out.append(("ID", work.key))
    if work.title is not None:
        out.append(("TI", work.title))
    for role, tag in _ROLE_TAGS.items():
        out.extend((tag, _write_name(p)) for p in work.names(role))
    for attribute in (
        "container_title",
        "container_title_short",
        "collection_title",
        "title_short",
    ):
        value = getattr(work, attribute)
        if value is not None:
            out.append((_ATTRIBUTE_TAGS[attribute], value))
    notes: list[str] = []
    if work.issued is not None:
        if _simple_date(work.issued):
            out.append(("PY", f"{work.issued.year:04d}"))
            out.append(("DA", _ris_date(work.issued)))
        else:
            if work.issued.year is not None and work.issued.year >= 0:
                out.append(("PY", f"{work.issued.year:04d}"))
            notes.append(format_line("issued", str(work.issued)))
    if work.accessed is not None:
        if _simple_date(work.accessed):
            out.append(("Y2", _ris_date(work.accessed)))
        else:
            notes.append(format_line("accessed", str(work.accessed)))
    for attribute in ("volume", "issue", "number", "number_of_volumes", "edition"):
        value = getattr(work, attribute)
        if value is not None:
            out.append((_ATTRIBUTE_TAGS[attribute], value))
    if work.page is not None:
        first, dash, last = work.page.partition("-")
        if dash and first.strip() and last.strip() and "," not in work.page:
            out.append(("SP", first.strip()))
            out.append(("EP", last.strip()))
        else:
            out.append(("SP", work.page))
    for attribute in ("publisher", "publisher_place", "genre"):
        value = getattr(work, attribute)
        if value is not None:
            out.append((_ATTRIBUTE_TAGS[attribute], value))
    if work.isbn is not None:
        out.append(("SN", work.isbn))
    if work.issn is not None:
        out.append(("SN", work.issn))
    if work.doi is not None:
        out.append(("DO", work.doi))
    if work.url is not None:
        out.append(("UR", work.url))
    if work.language is not None:
        out.append(("LA", work.language))
    out.extend(("KW", keyword) for keyword in work.keywords)
    for variable, tag in _variable_tags().items():
        value = work.variables.get(variable)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            out.append((tag, str(value)))
    if work.abstract is not None:
        out.append(("AB", work.abstract))
    if work.note is not None:
        out.append(("N1", work.note))
    if _ris_type(work.type) != _WRITE_TYPES.get(work.type):
        notes.append(format_line("type", work.type.value))
    notes.extend(
        lines_for(
            work,
            roles=_LOSSY_ROLES,
            attributes=_NOTE_ATTRIBUTES,
            variables=[name for name in work.variables if _variable_note(work, name)],
            extra=_note_extra(work),
        )
    )
    out.extend(("N1", line) for line in notes)
    for name, value in work.extra.items():
        if _extra_tag(name):
            out.extend((name, part) for part in value.split("\n"))
    return out


def _variable_note(work: Work, name: str) -> bool:
    """Whether variable ``name`` goes into a ``Key: value`` note (no tag of its own)."""
    value = work.variables.get(name)
    if name in _variable_tags() and isinstance(value, str | int | float):
        return False
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def write_records(library: Library, newline: str = "\r\n") -> str:
    """The works of ``library`` as RIS text (CRLF line ends, as the RIS specification has it)."""
    chunks: list[str] = []
    for work in [*library.values(), *library.duplicates]:
        lines: list[str] = []
        for tag, value in _record_lines(work):
            text = _one_line(value)
            first, *rest = text.split("\n")
            lines.append(f"{tag}  - {first}")
            # A continuation line must not look like a tag line of its own.
            lines.extend(
                (" " + line if _LOOSE_TAG.match(line) or _HEADER.match(line) else line)
                for line in rest
            )
        lines.append("ER  - ")
        chunks.append(newline.join(lines) + newline)
    return newline.join(chunks)


# --- losses ----------------------------------------------------------------------------------


def ris_losses(library: Library, format_name: str = "RIS") -> list[Loss]:
    """What RIS cannot hold in ``library``: per field, the keys, and what becomes of it."""
    found: dict[tuple[str, str], list[str]] = {}

    def add(field: str, fate: str, key: str) -> None:
        found.setdefault((field, fate), []).append(key)

    notes = "written as N1 notes 'Key: value' (Zotero's convention; citekit reads them back)"
    for work in [*library.values(), *library.duplicates]:
        if _ris_type(work.type) != _WRITE_TYPES.get(work.type):
            add(
                f"type {work.type.value}",
                f"written as TY {_ris_type(work.type)} and an N1 note",
                work.key,
            )
        for role in _LOSSY_ROLES:
            if work.names(role):
                add(role.value, notes, work.key)
        for attribute in _NOTE_ATTRIBUTES:
            if getattr(work, attribute) is not None:
                add(attribute.replace("_", "-"), notes, work.key)
        for name in ("issued", "accessed"):
            date = getattr(work, name)
            if date is not None and not _simple_date(date):
                add(f"{name} (a range, season, approximate or literal date)", notes, work.key)
        for name, value in work.variables.items():
            if name == "citation-key":
                continue  # written as the ID; the round trip below names any other value
            if _variable_note(work, name):
                if name not in _variable_tags():
                    add(f"variable {name}", notes, work.key)
            elif name not in _variable_tags() or not isinstance(value, str | int | float):
                add(f"variable {name}", "dropped (not text)", work.key)
        for name in _note_extra(work):
            fate = notes
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_:.-]*", name):
                fate = "written as an N1 note that citekit does not read back as a field"
            add(f"extra field {name}", fate, work.key)
        if work.rich:
            add("markup (italics, small caps, ...)", "written as plain text", work.key)
        if work.page is not None and "-" in work.page and "," not in work.page:
            first, _, last = work.page.partition("-")
            if first != first.strip() or last != last.strip() or "-" in last:
                add("page (its exact text)", "written as SP and EP", work.key)
        if work.note is not None and "\n" not in work.note and read_lines(work.note, exact=True):
            add("note (lines that read as fields)", "read back as the fields they name", work.key)
    named = [Loss(format_name, field, tuple(keys), fate) for (field, fate), keys in found.items()]
    again = RisFormat().read(write_records(library).encode("utf-8"))
    shown = compare(
        format_name,
        [*library.values(), *library.duplicates],
        [*again.values(), *again.duplicates],
    )
    return merge(named, shown)


class RisFormat:
    """The ``ris`` format plug-in: ``.ris`` files (see the module docstring)."""

    name = "ris"
    extensions = (".ris",)

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read RIS records; problems go to ``library.problems``, never raised."""
        library = Library(path=path)
        try:
            text = _decode(data)
        except UnicodeDecodeError as error:
            offset = error.start
            library.problems.append(
                Problem(
                    message=f"not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset});"
                    " save the file as UTF-8",
                    path=path,
                    line=data.count(b"\n", 0, offset) + 1,
                )
            )
            return library
        records = _split(text, library.problems, path)
        taken: set[str] = set()
        for record in records:
            work = _read_record(record, library, path, taken)
            if work is None:
                continue
            taken.add(work.key)
            if work.key in library:
                library.duplicates.append(work)
                library.problems.append(
                    Problem(
                        message=f"key {work.key!r} is taken; kept as a duplicate",
                        path=path,
                        line=record.line,
                        key=work.key,
                        severity="warning",
                    )
                )
            else:
                library.add(work)
        if not records and text.strip():
            library.problems.append(
                Problem(message="no RIS record (a line 'TY  - ...') in the file", path=path)
            )
        return library

    def write(self, library: Library) -> bytes:
        """The library as RIS (UTF-8, CRLF line ends)."""
        return write_records(library).encode("utf-8")

    def losses(self, library: Library) -> list[Loss]:
        """What RIS cannot hold of ``library`` (see :func:`ris_losses`)."""
        return ris_losses(library)
