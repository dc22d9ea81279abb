"""MEDLINE/PubMed (``.nbib``, ``.medline``): the tagged format PubMed exports.

A record is a run of lines ``TAG - value`` (the tag padded to four
characters: ``PMID- 17284678``, ``TI  - ...``); a line starting with six
spaces continues the value above (PubMed wraps long values), and a blank
line ends the record. citekit maps (see ``docs/formats/medline.md``):

- ``PMID``, ``PMC``, ``AID ... [doi]`` / ``LID ... [doi]``, ``IS`` (ISSN, its
  kind in brackets), ``ISBN`` to the identifiers;
- ``FAU`` (full names, "Doe, Jane") or else ``AU`` ("Doe J") and ``CN``
  (collective names) to authors, ``FED``/``ED`` to editors;
- ``TI`` title (``BTI`` the book of a chapter, or the book's own title),
  ``JT`` journal, ``TA`` its abbreviation, ``CTI`` series;
- ``DP`` the date ("2007 Feb 15", "2007 Spring", "2006 Dec-2007 Jan"),
  ``VI``, ``IP``, ``PG`` pages, whose MEDLINE abbreviation ``737-8`` means
  737-738, ``EN`` edition, ``PB`` publisher, ``PL`` its place (for books),
  ``LA`` language (ISO 639-2, "eng", read as BCP 47 "en"), ``OT`` keywords,
  ``AB`` abstract, ``GN`` notes;
- ``PT`` publication types give the CSL type ("Journal Article",
  "Preprint", "Book", "Dataset", ...).

Every other tag (``MH``, ``AD``, ``PHST``, ``SO``, ...) is kept in
``Work.extra`` under its name and written back; fields MEDLINE has no tag for
are written as ``GN`` notes ``Key: value`` (see
:mod:`citekit.formats.notelines`), and :meth:`MedlineFormat.losses` names them.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from citekit.formats.losses import Loss, compare, merge
from citekit.formats.notelines import format_line, lines_for, read_lines
from citekit.formats.tagged import build_work, make_key
from citekit.model import Library, Problem
from citekit.model.dates import Date, DateParts, Season
from citekit.model.persons import Person, parse_name
from citekit.model.work import Role, Work, WorkType

__all__ = ["PUBLICATION_TYPES", "MedlineFormat", "expand_pages", "read_dp"]

#: MEDLINE publication types -> CSL types, the first that a record has wins.
PUBLICATION_TYPES: dict[str, WorkType] = {
    "Preprint": WorkType.ARTICLE,
    "Journal Articles": WorkType.ARTICLE_JOURNAL,  # ERIC's records, as PubMed's format
    "Book Chapter": WorkType.CHAPTER,
    "Book": WorkType.BOOK,
    "Books": WorkType.BOOK,
    "Dataset": WorkType.DATASET,
    "Newspaper Article": WorkType.ARTICLE_NEWSPAPER,
    "Congress": WorkType.PAPER_CONFERENCE,
    "Clinical Conference": WorkType.PAPER_CONFERENCE,
    "Consensus Development Conference": WorkType.PAPER_CONFERENCE,
    "Technical Report": WorkType.REPORT,
    "Government Publication": WorkType.REPORT,
    "Legislation": WorkType.LEGISLATION,
    "Legal Case": WorkType.LEGAL_CASE,
    "Patient Education Handout": WorkType.PAMPHLET,
    "Video-Audio Media": WorkType.MOTION_PICTURE,
    "Webcast": WorkType.BROADCAST,
    "Interview": WorkType.INTERVIEW,
    "Letter": WorkType.ARTICLE_JOURNAL,
    "Editorial": WorkType.ARTICLE_JOURNAL,
    "Comment": WorkType.ARTICLE_JOURNAL,
    "Review": WorkType.ARTICLE_JOURNAL,
    "Journal Article": WorkType.ARTICLE_JOURNAL,
    "Dissertations/Theses": WorkType.THESIS,  # ERIC: "Dissertations/Theses - ..."
    "Reports": WorkType.REPORT,  # ERIC: "Reports - Research", "Reports - Evaluative", ...
}
#: CSL type -> the publication type written for a work without its own.
_WRITE_TYPES: dict[WorkType, str] = {
    WorkType.ARTICLE_JOURNAL: "Journal Article",
    WorkType.ARTICLE: "Preprint",
    WorkType.CHAPTER: "Book Chapter",
    WorkType.BOOK: "Book",
    WorkType.DATASET: "Dataset",
    WorkType.ARTICLE_NEWSPAPER: "Newspaper Article",
    WorkType.PAPER_CONFERENCE: "Congress",
    WorkType.REPORT: "Technical Report",
    WorkType.LEGISLATION: "Legislation",
    WorkType.LEGAL_CASE: "Legal Case",
    WorkType.PAMPHLET: "Patient Education Handout",
    WorkType.MOTION_PICTURE: "Video-Audio Media",
    WorkType.BROADCAST: "Webcast",
    WorkType.INTERVIEW: "Interview",
}

#: ISO 639-2 (MEDLINE) <-> BCP 47 language codes, for the common languages.
_LANGUAGES = {
    "eng": "en",
    "fre": "fr",
    "ger": "de",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "dut": "nl",
    "rus": "ru",
    "jpn": "ja",
    "chi": "zh",
    "kor": "ko",
    "pol": "pl",
    "swe": "sv",
    "dan": "da",
    "nor": "no",
    "fin": "fi",
    "cze": "cs",
    "hun": "hu",
    "tur": "tr",
    "heb": "he",
    "ara": "ar",
    "gre": "el",
}
_CODES = {code: three for three, code in _LANGUAGES.items()}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTHS, 1)}
_SEASONS = {"spring": Season.SPRING, "summer": Season.SUMMER, "fall": Season.AUTUMN}
_SEASONS.update({"autumn": Season.AUTUMN, "winter": Season.WINTER})
_SEASON_NAMES = {Season.SPRING: "Spring", Season.SUMMER: "Summer", Season.AUTUMN: "Fall"}
_SEASON_NAMES[Season.WINTER] = "Winter"

_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_TAG_NAME = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")
_BRACKETED = re.compile(r"^(.*?)\s*\[([a-z-]+)\]\s*$")
_ISSN_LINE = re.compile(r"^(\d{4}-\d{3}[\dXx])(?:\s*\((.*)\))?$")
_ORDER = ("PMID", "TI", "BTI", "FAU", "AU", "FED", "ED", "CN", "JT", "TA", "DP")

#: Tags citekit reads itself (the rest go to Work.extra).
_KNOWN = frozenset(
    {
        "PMID",
        "PMC",
        "AID",
        "LID",
        "IS",
        "ISBN",
        "FAU",
        "AU",
        "CN",
        "FED",
        "ED",
        "TI",
        "BTI",
        "CTI",
        "JT",
        "TA",
        "DP",
        "VI",
        "IP",
        "PG",
        "EN",
        "PB",
        "LA",
        "OT",
        "AB",
        "GN",
        "PT",
    }
)


def expand_pages(text: str) -> str:
    """MEDLINE's abbreviated page ranges in full: ``737-8`` -> ``737-738``.

    >>> expand_pages("737-8")
    '737-738'
    >>> expand_pages("1199-201, 1210")
    '1199-1201, 1210'
    >>> expand_pages("e1234")
    'e1234'
    """

    def expand(match: re.Match[str]) -> str:
        first, last = match.group(1), match.group(2)
        if len(last) < len(first):
            full = first[: len(first) - len(last)] + last
            if int(full) > int(first):
                return f"{first}-{full}"
        return match.group(0)

    return re.sub(r"(?<![\w.])(\d+)-(\d+)(?![\w.])", expand, text)


def _person_from_au(text: str) -> Person | None:
    """``AU`` names: "Doe J", "van der Berg AB", "Smith JR Jr"; a full name with a
    comma ("van Groen, Maaike M.", as ERIC writes ``AU``) is read as ``FAU``."""
    text = text.strip()
    if not text:
        return None
    if "," in text:
        return _person_from_fau(text)
    parts = text.split()
    suffix = None
    if len(parts) > 2 and parts[-1] in ("Jr", "Sr", "2nd", "3rd", "II", "III", "IV"):
        suffix = parts.pop()
    if len(parts) > 1 and parts[-1].isupper() and parts[-1].isalpha() and len(parts[-1]) <= 4:
        return Person(family=" ".join(parts[:-1]), given=parts[-1], suffix=suffix)
    return Person(literal=text)


def _person_from_fau(text: str) -> Person | None:
    text = text.strip()
    if not text:
        return None
    if "," not in text:
        return Person(literal=text)
    family, _, given = text.partition(",")
    if not given.strip():
        return Person(family=family.strip())
    try:
        return parse_name(text)
    except ValueError:
        return Person(literal=text)


def _month(word: str) -> int | None:
    return _MONTH_NUMBERS.get(word[:3].lower()) if word[:3].isalpha() else None


def read_dp(text: str) -> Date:
    """``DP`` dates: "2007 Feb 15", "2007 Feb", "2007 Spring", "2007 Jan-Feb",
    "2006 Dec-2007 Jan", "2007 Jan 5-12"; anything else as EDTF or literal text."""
    words = text.strip().split()
    try:
        if words and re.fullmatch(r"\d{4}", words[0]):
            year = int(words[0])
            if len(words) == 1:
                return Date(start=DateParts(year))
            second = words[1]
            if len(words) == 2 and second.lower() in _SEASONS:
                return Date(start=DateParts(year, season=_SEASONS[second.lower()]))
            span = re.fullmatch(r"([A-Za-z]{3})-(?:(\d{4}) )?([A-Za-z]{3})", " ".join(words[1:]))
            if span is not None:
                first, last = _month(span.group(1)), _month(span.group(3))
                end_year = int(span.group(2)) if span.group(2) else year
                if first and last:
                    return Date(start=DateParts(year, first), end=DateParts(end_year, last))
            month = _month(second)
            if month is not None and len(second) == 3:
                if len(words) == 2:
                    return Date(start=DateParts(year, month))
                if len(words) == 3 and words[2].isdigit():
                    return Date(start=DateParts(year, month, int(words[2])))
                days = re.fullmatch(r"(\d{1,2})-(\d{1,2})", words[2]) if len(words) == 3 else None
                if days is not None:
                    return Date(
                        start=DateParts(year, month, int(days.group(1))),
                        end=DateParts(year, month, int(days.group(2))),
                    )
    except ValueError:
        pass
    month_year = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.? (\d{4})", text.strip())  # ERIC: "Apr 2019"
    if month_year is not None and _month(month_year.group(1)) is not None:
        return Date(start=DateParts(int(month_year.group(2)), _month(month_year.group(1))))
    return Date.parse(text)


def _issued(text: str) -> tuple[Date, bool]:
    """The date of a ``DP`` value, and whether the text must be kept to be written back:
    a text no date reads ("Article 10 2019", ERIC's) gives its year."""
    date = read_dp(text)
    year = re.search(r"\b(\d{4})$", text.strip())
    if date.literal is not None and year is not None:
        return Date(start=DateParts(int(year.group(1)))), True
    return date, False


def _dp(date: Date) -> tuple[str, bool]:
    """A date as ``DP`` text, and whether MEDLINE readers read it as such (not EDTF)."""
    start, end = date.start, date.end
    plain = (
        start is not None
        and date.literal is None
        and not date.circa
        and not date.uncertain
        and not date.open_start
        and not date.open_end
        and start.year >= 1000
    )
    if plain and start is not None:
        head = f"{start.year:04d}"
        if start.season is not None and end is None:
            return f"{head} {_SEASON_NAMES[start.season]}", True
        if end is None and start.season is None:
            if start.month is None:
                return head, True
            text = f"{head} {_MONTHS[start.month - 1]}"
            return (f"{text} {start.day}" if start.day else text), True
        if (
            end is not None
            and start.day is None
            and end.day is None
            and start.month is not None
            and end.month is not None
            and end.season is None
        ):
            tail = _MONTHS[end.month - 1]
            if end.year != start.year:
                tail = f"{end.year:04d} {tail}"
            return f"{head} {_MONTHS[start.month - 1]}-{tail}", True
        if (
            end is not None
            and start.month is not None
            and start.day is not None
            and end.year == start.year
            and end.month == start.month
            and end.day is not None
        ):
            return f"{head} {_MONTHS[start.month - 1]} {start.day}-{end.day}", True
    return (date.literal if date.literal is not None else str(date)), date.literal is not None


def _split(
    text: str, problems: list[Problem], path: str | None
) -> list[list[tuple[str, str, int]]]:
    """The records: lists of (tag, value, line), continuation lines joined with a space."""
    records: list[list[tuple[str, str, int]]] = []
    current: list[tuple[str, str, int]] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            if current:
                records.append(current)
                current = []
            continue
        match = _LINE.match(line)
        if match is not None and not line.startswith(" "):
            current.append((match.group(1), match.group(2).strip(), number))
        elif current and line.startswith(" "):
            tag, value, first = current[-1]
            current[-1] = (tag, f"{value} {line.strip()}".strip(), first)
        else:
            problems.append(
                Problem(
                    message=f"not a MEDLINE line (TAG - value), not read: {line.strip()[:60]!r}",
                    path=path,
                    line=number,
                    severity="warning",
                )
            )
    if current:
        records.append(current)
    return records


def _read_record(
    record: list[tuple[str, str, int]], library: Library, path: str | None, taken: set[str]
) -> Work | None:
    values: dict[str, list[str]] = {}
    for tag, value, _ in record:
        values.setdefault(tag, []).append(value)

    def first(tag: str) -> str | None:
        found = [v for v in values.get(tag, []) if v]
        return found[0] if found else None

    line = record[0][2]
    fields: dict[str, Any] = {}
    names: dict[Role, list[Person]] = {}
    extra: dict[str, str] = {}
    variables: dict[str, Any] = {}
    types = values.get("PT", [])
    kinds = {t.split(" - ")[0].strip() for t in types} | set(types)
    work_type = next(
        (PUBLICATION_TYPES[t] for t in PUBLICATION_TYPES if t in kinds), WorkType.ARTICLE_JOURNAL
    )
    if "BTI" in values and "Book Chapter" not in types and "Book" not in types:
        work_type = WorkType.CHAPTER if "TI" in values else WorkType.BOOK
    eric_journal = any(v.startswith("EJ") for v in values.get("OID", []))
    if work_type is WorkType.REPORT and "Technical Report" not in types and eric_journal:
        work_type = WorkType.ARTICLE_JOURNAL  # ERIC's EJ numbers are journal articles
    if types and types != [_WRITE_TYPES.get(work_type)]:
        extra["PT"] = "\n".join(types)
    # Persons: full names where given, else the short forms.
    authors = [p for p in map(_person_from_fau, values.get("FAU", [])) if p is not None]
    if not authors:
        authors = [p for p in map(_person_from_au, values.get("AU", [])) if p is not None]
    elif len(values.get("AU", [])) != len(values.get("FAU", [])):
        extra["AU"] = "\n".join(values.get("AU", []))
    authors.extend(Person(literal=name) for name in values.get("CN", []) if name)
    editors = [p for p in map(_person_from_fau, values.get("FED", [])) if p is not None]
    if not editors:
        editors = [p for p in map(_person_from_au, values.get("ED", [])) if p is not None]
    elif len(values.get("ED", [])) != len(values.get("FED", [])):
        extra["ED"] = "\n".join(values.get("ED", []))
    if authors:
        names[Role.AUTHOR] = authors
    if editors:
        names[Role.EDITOR] = editors
    # Titles.
    title, book = first("TI"), first("BTI")
    if work_type is WorkType.BOOK:
        fields["title"] = book or title
        if book and title and book != title:
            extra["TI"] = title
    else:
        if title:
            fields["title"] = title
        if book:
            fields["container_title"] = book
    journal = first("JT")
    if journal:
        if "container_title" in fields:
            extra["JT"] = journal
        elif work_type in (WorkType.REPORT, WorkType.THESIS) and first("PB") in (None, journal):
            fields["publisher"] = journal  # ERIC: the institution of a report or thesis
            extra["JT"] = journal
        else:
            fields["container_title"] = journal
    for tag, attribute in (
        ("TA", "container_title_short"),
        ("CTI", "collection_title"),
        ("VI", "volume"),
        ("IP", "issue"),
        ("EN", "edition"),
        ("PB", "publisher"),
        ("AB", "abstract"),
        ("PMID", "pmid"),
        ("PMC", "pmcid"),
        ("ISBN", "isbn"),
    ):
        found_value = first(tag)
        if found_value:
            fields[attribute] = found_value
            if len(values[tag]) > 1:
                extra[tag] = "\n".join(values[tag][1:])
    place = first("PL")
    if place and work_type in (WorkType.BOOK, WorkType.CHAPTER):
        fields["publisher_place"] = place
    dp = first("DP")
    if dp:
        fields["issued"], keep_text = _issued(dp)
        if keep_text:
            extra["DP"] = dp
    pages = first("PG")
    if pages:
        fields["page"] = expand_pages(pages)
        if fields["page"] != pages:
            extra.setdefault("PG", pages)
    else:
        # An article without pages is located by its elocation (LID ... [pii]), as
        # Zotero reads it; the LID line is kept and written back.
        location = next(
            (
                m.group(1)
                for v in values.get("LID", [])
                if (m := _BRACKETED.match(v)) and m.group(2) == "pii"
            ),
            None,
        )
        if location:
            fields["page"] = location
    language = first("LA")
    if language:
        fields["language"] = _LANGUAGES.get(language.lower(), language)
        if len(values["LA"]) > 1:
            extra["LA"] = "\n".join(values["LA"][1:])
    keywords = values.get("OT", [])
    if keywords:
        fields["keywords"] = keywords
    # Identifiers: the DOI from AID or LID, ISSNs from IS.
    for tag in ("AID", "LID"):
        for value in values.get(tag, []):
            match = _BRACKETED.match(value)
            if match and match.group(2) == "doi" and "doi" not in fields:
                fields["doi"] = match.group(1)
    for tag in ("AID", "LID"):
        kept = [v for v in values.get(tag, []) if not _is_doi_line(v, fields.get("doi"))]
        if kept:
            extra[tag] = "\n".join(kept)
    issns = values.get("IS", [])
    for value in issns:
        match = _ISSN_LINE.match(value)
        if match is not None and "issn" not in fields:
            fields["issn"] = match.group(1)
    if issns and [f"{fields.get('issn')}"] != issns:
        extra["IS"] = "\n".join(issns)
    # Notes.
    notes: list[str] = []
    key: str | None = None
    for value in values.get("GN", []):
        if "\n" in value:  # a note of several lines is a note (citekit writes one field a line)
            notes.append(value)
            continue
        found = read_lines(value, taken=[f for f in fields if f != "issued"], exact=True)
        if found.work_type is not None:
            work_type = found.work_type
        for attribute, parsed in found.attributes.items():
            fields[attribute] = parsed
        for role, persons in found.names.items():
            names.setdefault(role, []).extend(persons)
        variables.update((k, v) for k, v in found.variables.items() if k not in variables)
        extra.update((k, v) for k, v in found.extra.items() if k not in extra)
        if found.citation_key and key is None:
            key = found.citation_key
        if found.note is not None:
            notes.append(found.note)
    if notes:
        fields["note"] = "\n\n".join(notes)
    for tag, value, _ in record:
        if tag in _KNOWN:
            continue
        extra[tag] = f"{extra[tag]}\n{value}" if tag in extra else value
    if key is None or key in taken:
        key = make_key(fields, names, taken)
    return build_work(
        key,
        work_type,
        names,
        variables,
        extra,
        fields,
        problems=library.problems,
        path=path,
        line=line,
    )


def _is_doi_line(value: str, doi: str | None) -> bool:
    match = _BRACKETED.match(value)
    return bool(match and match.group(2) == "doi" and match.group(1) == doi)


# --- writing -------------------------------------------------------------------------------


def _fau(person: Person) -> str:
    if person.literal is not None:
        return person.literal
    text = person.full_family
    if person.given:
        text += f", {person.given}"
    if person.suffix:
        text += f", {person.suffix}" if person.given else f", , {person.suffix}"
    return text if person.given or person.suffix else text + ","


def _au(person: Person) -> str:
    initials = "".join(part[0] for part in re.split(r"[\s.-]+", person.given or "") if part)
    return " ".join(p for p in (person.full_family, initials.upper(), person.suffix) if p)


def _extra_tag(name: str) -> bool:
    return bool(_TAG_NAME.match(name))


_NOTE_ATTRIBUTES = (
    "title_short",
    "original_title",
    "event_title",
    "collection_number",
    "number",
    "number_of_volumes",
    "number_of_pages",
    "genre",
    "medium",
    "event_place",
    "original_date",
    "event_date",
    "accessed",
    "url",
    "arxiv",
)
_LOSSY_ROLES = tuple(role for role in Role if role not in (Role.AUTHOR, Role.EDITOR))


def _lines(work: Work) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    extra = dict(work.extra)
    if work.pmid is not None:
        out.append(("PMID", work.pmid))
    if work.issn is not None:
        kept = extra.pop("IS", None)
        if kept and _ISSN_LINE.match(kept.split("\n")[0]):
            first = _ISSN_LINE.match(kept.split("\n")[0])
            if first is not None and first.group(1) == work.issn:
                out.extend(("IS", v) for v in kept.split("\n"))
            else:
                out.append(("IS", work.issn))
        else:
            out.append(("IS", work.issn))
    if work.isbn is not None:
        out.append(("ISBN", work.isbn))
    if work.volume is not None:
        out.append(("VI", work.volume))
    if work.issue is not None:
        out.append(("IP", work.issue))
    notes: list[str] = []
    if work.issued is not None:
        text, _ = _dp(work.issued)
        kept_dp = extra.pop("DP", None)
        if kept_dp is not None and "\n" not in kept_dp and _issued(kept_dp)[0] == work.issued:
            text = kept_dp
        out.append(("DP", text))
    book = work.type is WorkType.BOOK
    if work.title is not None:
        out.append(("BTI" if book else "TI", work.title))
    if book and "TI" in extra:
        out.append(("TI", extra.pop("TI")))
    if work.container_title is not None:
        if work.type is WorkType.CHAPTER:
            out.append(("BTI", work.container_title))
        else:
            out.append(("JT", work.container_title))
    if work.collection_title is not None:
        out.append(("CTI", work.collection_title))
    if work.page is not None:
        kept = extra.pop("PG", None)
        out.append(("PG", kept if kept and expand_pages(kept) == work.page else work.page))
    if work.doi is not None:
        out.append(("AID", f"{work.doi} [doi]"))
    if work.abstract is not None:
        out.append(("AB", work.abstract))
    for role, full, short in ((Role.AUTHOR, "FAU", "AU"), (Role.EDITOR, "FED", "ED")):
        kept_short = extra.pop(short, None)
        for person in work.names(role):
            if person.literal is not None and role is Role.AUTHOR:
                continue
            out.append((full, _fau(person)))
            if kept_short is None:
                out.append((short, _au(person) if person.literal is None else person.literal))
        if kept_short is not None:
            out.extend((short, v) for v in kept_short.split("\n"))
    out.extend(("CN", p.literal) for p in work.authors if p.literal is not None)
    if work.language is not None:
        out.append(("LA", _CODES.get(work.language.lower(), work.language)))
    types = extra.pop("PT", None)
    if types:
        out.extend(("PT", v) for v in types.split("\n"))
    elif work.type in _WRITE_TYPES:
        out.append(("PT", _WRITE_TYPES[work.type]))
    if work.type not in _WRITE_TYPES:
        notes.append(format_line("type", work.type.value))
    if work.container_title_short is not None:
        out.append(("TA", work.container_title_short))
    if work.edition is not None:
        out.append(("EN", work.edition))
    if work.publisher is not None:
        out.append(("PB", work.publisher))
    if work.publisher_place is not None:
        if book or work.type is WorkType.CHAPTER:
            out.append(("PL", work.publisher_place))
            extra.pop("PL", None)
        else:
            notes.append(format_line("publisher-place", work.publisher_place))
    out.extend(("OT", k) for k in work.keywords)
    if work.pmcid is not None:
        out.append(("PMC", work.pmcid))
    if work.note is not None:
        out.append(("GN", work.note))
    notes.extend(
        lines_for(
            work,
            roles=_LOSSY_ROLES,
            attributes=_NOTE_ATTRIBUTES,
            variables=[n for n, v in work.variables.items() if _text_value(v)],
            extra={k: v for k, v in extra.items() if not _extra_tag(k)},
        )
    )
    key_line = _key_line(work)
    if key_line:
        notes.append(key_line)
    out.extend(("GN", line) for line in notes)
    for name, value in extra.items():
        if _extra_tag(name):
            out.extend((name, part) for part in value.split("\n"))
    return out


def _text_value(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _key_line(work: Work) -> str | None:
    """A ``Citation Key:`` note when reading would not make the work's key again."""
    fields: dict[str, Any] = {"issued": work.issued, "title": work.title}
    names = {Role.AUTHOR: list(work.authors), Role.EDITOR: list(work.editors)}
    if make_key(fields, names, set()) == work.key:
        return None
    return format_line("Citation Key", work.key)


def write_records(library: Library) -> str:
    """The works of ``library`` as MEDLINE text, a blank line between records."""
    chunks = []
    for work in [*library.values(), *library.duplicates]:
        lines = []
        for tag, value in _lines(work):
            flat = " ".join(value.split())
            lines.append(f"{tag:<4}- {flat}")
        chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks)


def medline_losses(library: Library) -> list[Loss]:
    """What MEDLINE cannot hold of ``library``: per field, the keys and what becomes of it."""
    found: dict[tuple[str, str], list[str]] = {}

    def add(field: str, fate: str, key: str) -> None:
        found.setdefault((field, fate), []).append(key)

    notes = "written as GN notes 'Key: value' (Zotero's convention; citekit reads them back)"
    for work in [*library.values(), *library.duplicates]:
        if work.type not in _WRITE_TYPES:
            add(f"type {work.type.value}", "written as a GN note", work.key)
        for role in _LOSSY_ROLES:
            if work.names(role):
                add(role.value, notes, work.key)
        for attribute in _NOTE_ATTRIBUTES:
            if getattr(work, attribute) is not None:
                add(attribute.replace("_", "-"), notes, work.key)
        if work.publisher_place is not None and work.type not in (WorkType.BOOK, WorkType.CHAPTER):
            add("publisher-place", notes, work.key)
        if work.issued is not None and not _dp(work.issued)[1]:
            add("issued (a date DP cannot say)", "written as EDTF text in DP", work.key)
        for name, value in work.variables.items():
            if name == "citation-key":
                continue  # the key; the round trip below names any other value
            if _text_value(value):
                add(f"variable {name}", notes, work.key)
            else:
                add(f"variable {name}", "dropped (not text)", work.key)
        for name in work.extra:
            if not _extra_tag(name):
                add(f"extra field {name}", notes, work.key)
        if _key_line(work) is not None:
            add("citation key", "written as a GN note 'Citation Key: ...'", work.key)
        if work.rich:
            add("markup (italics, small caps, ...)", "written as plain text", work.key)
        if work.note is not None and read_lines(" ".join(work.note.split()), exact=True):
            add("note (a line that reads as a field)", "read back as the field it names", work.key)
    named = [Loss("MEDLINE", field, tuple(keys), fate) for (field, fate), keys in found.items()]
    again = MedlineFormat().read(write_records(library).encode("utf-8"))
    shown = compare(
        "MEDLINE",
        [*library.values(), *library.duplicates],
        [*again.values(), *again.duplicates],
    )
    return merge(named, shown)


class MedlineFormat:
    """The ``medline`` format plug-in: PubMed's ``.nbib`` and ``.medline`` files."""

    name = "medline"
    extensions = (".nbib", ".medline")

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read MEDLINE records; problems go to ``library.problems``, never raised."""
        library = Library(path=path)
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            library.problems.append(
                Problem(
                    message=f"not UTF-8 text (byte 0x{data[error.start]:02x}); PubMed writes UTF-8",
                    path=path,
                    line=data.count(b"\n", 0, error.start) + 1,
                )
            )
            return library
        taken: set[str] = set()
        for record in _split(text, library.problems, path):
            work = _read_record(record, library, path, taken)
            if work is None:
                continue
            taken.add(work.key)
            library.add(work)
        return library

    def write(self, library: Library) -> bytes:
        """The library as MEDLINE text (UTF-8)."""
        return write_records(library).encode("utf-8")

    def losses(self, library: Library) -> list[Loss]:
        """What MEDLINE cannot hold of ``library`` (see :func:`medline_losses`)."""
        return medline_losses(library)
