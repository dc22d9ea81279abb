"""BibTeX and BibLaTeX files, read and written losslessly.

Reading splits the file into blocks as bibtexparser's splitter does: with a
splitter of citekit's own when the file is regular (it gives the same blocks,
faster), else with bibtexparser's (its LaTeX and name middlewares are not
used: citekit decodes values itself, much faster). It keeps every byte
between and inside blocks (the file's text once, and where each entry and
field is in it), resolves ``@string`` and month macros,
``#`` concatenation, ``crossref`` and ``xdata`` inheritance, decodes LaTeX to
Unicode (with markup in ``work.rich``), and maps entry types and fields onto
citekit's CSL-based :class:`~citekit.Work`. Bad input never raises: each
malformed entry, undefined macro, unparsable name or date is a
:class:`~citekit.Problem` with file, line and field, and the rest still loads.

Writing a library read from BibTeX goes back to the original text: an
unchanged entry is written as its original bytes, a changed one is rewritten
in place keeping its layout (field order, field names, the raw text of every
unchanged field), a deleted one is removed, and new works are appended as
clean BibTeX. Excerpts are kept in ``@comment{citekit-excerpt{...}}`` blocks
that BibTeX and Biber ignore. See ``docs/bibtex.md`` for the full mapping.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import json
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from citekit.errors import FormatError
from citekit.formats import latex
from citekit.formats.losses import Loss, compare
from citekit.model._frozen import FrozenMap
from citekit.model.dateparse import ENGLISH_MONTHS
from citekit.model.dates import Date, DateParts
from citekit.model.excerpts import Excerpt, Locator, LocatorLabel, Original, QuotedIn
from citekit.model.library import Library, Problem
from citekit.model.markup import escape, strip_markup
from citekit.model.persons import Person, parse_name, split_names
from citekit.model.work import Role, Work, WorkType

__all__ = [
    "BibtexFormat",
    "BibtexOrigin",
    "encode_text",
    "entry_type_for",
    "format_entry",
    "format_excerpt",
    "replace_values",
    "work_type_for",
]

# --- entry types ------------------------------------------------------------------

#: BibTeX/BibLaTeX entry type (lowercase) -> CSL type.
ENTRY_TYPES: dict[str, WorkType] = {
    "article": WorkType.ARTICLE_JOURNAL,
    "suppperiodical": WorkType.ARTICLE_JOURNAL,
    "periodical": WorkType.PERIODICAL,
    "book": WorkType.BOOK,
    "mvbook": WorkType.BOOK,
    "bookinbook": WorkType.CHAPTER,
    "inbook": WorkType.CHAPTER,
    "suppbook": WorkType.CHAPTER,
    "incollection": WorkType.CHAPTER,
    "suppcollection": WorkType.CHAPTER,
    "collection": WorkType.BOOK,
    "mvcollection": WorkType.BOOK,
    "reference": WorkType.BOOK,
    "mvreference": WorkType.BOOK,
    "inreference": WorkType.ENTRY_ENCYCLOPEDIA,
    "proceedings": WorkType.BOOK,
    "mvproceedings": WorkType.BOOK,
    "inproceedings": WorkType.PAPER_CONFERENCE,
    "conference": WorkType.PAPER_CONFERENCE,
    "phdthesis": WorkType.THESIS,
    "mastersthesis": WorkType.THESIS,
    "thesis": WorkType.THESIS,
    "techreport": WorkType.REPORT,
    "report": WorkType.REPORT,
    "manual": WorkType.BOOK,
    "booklet": WorkType.PAMPHLET,
    "misc": WorkType.DOCUMENT,
    "online": WorkType.WEBPAGE,
    "electronic": WorkType.WEBPAGE,
    "www": WorkType.WEBPAGE,
    "unpublished": WorkType.MANUSCRIPT,
    "patent": WorkType.PATENT,
    "software": WorkType.SOFTWARE,
    "dataset": WorkType.DATASET,
    "standard": WorkType.STANDARD,
    "artwork": WorkType.GRAPHIC,
    "image": WorkType.GRAPHIC,
    "audio": WorkType.SONG,
    "music": WorkType.SONG,
    "video": WorkType.MOTION_PICTURE,
    "movie": WorkType.MOTION_PICTURE,
    "letter": WorkType.PERSONAL_COMMUNICATION,
    "legislation": WorkType.LEGISLATION,
    "legal": WorkType.LEGISLATION,
    "jurisdiction": WorkType.LEGAL_CASE,
    "review": WorkType.REVIEW,
    "performance": WorkType.PERFORMANCE,
}

#: CSL type -> (BibTeX type, BibLaTeX type) written for it. Where BibTeX has no
#: type of its own, BibLaTeX's is written (BibTeX styles treat it as @misc).
_CANONICAL_TYPES: dict[WorkType, tuple[str, str]] = {
    WorkType.ARTICLE_JOURNAL: ("article", "article"),
    WorkType.ARTICLE_MAGAZINE: ("article", "article"),
    WorkType.ARTICLE_NEWSPAPER: ("article", "article"),
    WorkType.ARTICLE: ("misc", "misc"),
    WorkType.PERIODICAL: ("periodical", "periodical"),
    WorkType.BOOK: ("book", "book"),
    WorkType.CLASSIC: ("book", "book"),
    WorkType.CHAPTER: ("incollection", "incollection"),
    WorkType.ENTRY: ("inreference", "inreference"),
    WorkType.ENTRY_DICTIONARY: ("inreference", "inreference"),
    WorkType.ENTRY_ENCYCLOPEDIA: ("inreference", "inreference"),
    WorkType.PAPER_CONFERENCE: ("inproceedings", "inproceedings"),
    WorkType.THESIS: ("phdthesis", "thesis"),
    WorkType.REPORT: ("techreport", "report"),
    WorkType.PAMPHLET: ("booklet", "booklet"),
    WorkType.DOCUMENT: ("misc", "misc"),
    WorkType.WEBPAGE: ("online", "online"),
    WorkType.POST: ("online", "online"),
    WorkType.POST_WEBLOG: ("online", "online"),
    WorkType.MANUSCRIPT: ("unpublished", "unpublished"),
    WorkType.PATENT: ("patent", "patent"),
    WorkType.SOFTWARE: ("software", "software"),
    WorkType.DATASET: ("dataset", "dataset"),
    WorkType.STANDARD: ("standard", "standard"),
    WorkType.GRAPHIC: ("artwork", "artwork"),
    WorkType.SONG: ("audio", "audio"),
    WorkType.MOTION_PICTURE: ("video", "video"),
    WorkType.BROADCAST: ("video", "video"),
    WorkType.PERSONAL_COMMUNICATION: ("letter", "letter"),
    WorkType.LEGISLATION: ("legislation", "legislation"),
    WorkType.BILL: ("legislation", "legislation"),
    WorkType.REGULATION: ("legislation", "legislation"),
    WorkType.LEGAL_CASE: ("jurisdiction", "jurisdiction"),
    WorkType.REVIEW: ("review", "review"),
    WorkType.REVIEW_BOOK: ("review", "review"),
    WorkType.PERFORMANCE: ("performance", "performance"),
}
_SUBTYPES = {WorkType.ARTICLE_MAGAZINE: "magazine", WorkType.ARTICLE_NEWSPAPER: "newspaper"}
_CSL_TYPES = frozenset(t.value for t in WorkType)

#: How BibTeX-era tools capitalise entry types ("@InCollection").
_TYPE_CAPITALS = {
    "inbook": "InBook",
    "incollection": "InCollection",
    "inproceedings": "InProceedings",
    "mastersthesis": "MastersThesis",
    "phdthesis": "PhdThesis",
    "techreport": "TechReport",
    "mvbook": "MVBook",
    "mvcollection": "MVCollection",
    "inreference": "InReference",
}

#: Thesis and report kinds: BibLaTeX ``type`` keys <-> human labels (CSL genre).
_TYPE_KEYS = {
    "phdthesis": "PhD thesis",
    "mathesis": "Master's thesis",
    "mastersthesis": "Master's thesis",
    "candthesis": "Candidate thesis",
    "techreport": "Technical report",
    "resreport": "Research report",
    "software": "Computer software",
    "datacd": "Data CD",
    "audiocd": "Audio CD",
}
_GENRE_KEYS = {"PhD thesis": "phdthesis", "Master's thesis": "mathesis"}
_GENRE_KEYS.update({label: key for key, label in _TYPE_KEYS.items() if label not in _GENRE_KEYS})
_DEFAULT_GENRE = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}

_ARTICLE_TYPES = frozenset(
    {
        WorkType.ARTICLE_JOURNAL,
        WorkType.ARTICLE_MAGAZINE,
        WorkType.ARTICLE_NEWSPAPER,
        WorkType.REVIEW,
        WorkType.REVIEW_BOOK,
    }
)

_BIBLATEX_TYPES = frozenset(
    {
        "online",
        "thesis",
        "report",
        "mvbook",
        "bookinbook",
        "suppbook",
        "collection",
        "mvcollection",
        "suppcollection",
        "reference",
        "mvreference",
        "inreference",
        "mvproceedings",
        "periodical",
        "suppperiodical",
        "dataset",
        "software",
        "set",
        "xdata",
        "artwork",
        "audio",
        "video",
        "image",
        "music",
        "letter",
        "legislation",
        "jurisdiction",
        "review",
        "performance",
        "standard",
    }
)
_BIBTEX_TYPES = frozenset({"techreport", "phdthesis", "mastersthesis", "conference"})
_BIBTEX_FIELDS = frozenset({"year", "journal", "address", "school"})
_BIBLATEX_FIELDS = frozenset(
    {
        "date",
        "journaltitle",
        "location",
        "langid",
        "urldate",
        "eprinttype",
        "origdate",
        "eventdate",
        "maintitle",
        "subtitle",
        "titleaddon",
        "bookauthor",
        "pagetotal",
        "shortjournal",
        "eventtitle",
        "venue",
        "xdata",
    }
)


def work_type_for(entry_type: str, fields: Mapping[str, str] | None = None) -> WorkType:
    """The CSL type of a BibTeX/BibLaTeX entry type (``"inproceedings"`` -> paper-conference).

    ``fields`` (lowercase names) refine it: an ``@article`` with
    ``entrysubtype = {magazine}`` is a magazine article. Unknown types are
    documents.
    """
    kind = entry_type.lower()
    work_type = ENTRY_TYPES.get(kind, WorkType.DOCUMENT)
    subtype = fields.get("entrysubtype", "").strip().lower() if fields else ""
    if subtype:
        if kind == "article" and subtype == "magazine":
            return WorkType.ARTICLE_MAGAZINE
        if kind == "article" and subtype == "newspaper":
            return WorkType.ARTICLE_NEWSPAPER
        if subtype in _CSL_TYPES:
            return WorkType(subtype)
    return work_type


def entry_type_for(work: Work, *, biblatex: bool = False) -> str:
    """The entry type to write ``work`` as (lowercase).

    ``work.extra["entrytype"]`` (kept when a file's type would not come back
    from the CSL type) wins while it still maps to ``work.type``.
    """
    stored = work.extra.get("entrytype")
    if stored:
        kind = stored.strip().lower()
        if work_type_for(kind) is work.type or (kind == "article" and work.type in _ARTICLE_TYPES):
            return kind
    bibtex_type, biblatex_type = _CANONICAL_TYPES.get(work.type, ("misc", "misc"))
    if biblatex:
        return biblatex_type
    if work.type is WorkType.THESIS:
        if work.genre == _DEFAULT_GENRE["mastersthesis"]:
            return "mastersthesis"
        if work.genre is None:
            return "thesis"  # @phdthesis would read back with a genre
    return bibtex_type


@functools.lru_cache(maxsize=1024)
def _stored_entry_type(
    kind: str, work_type: WorkType, genre: str | None, biblatex: bool
) -> str | None:
    """The original type to keep in ``extra["entrytype"]``, or None when the
    writer of the entry's dialect gives it back anyway."""
    probe = Work(key="probe", type=work_type, genre=genre)
    return None if entry_type_for(probe, biblatex=biblatex) == kind else kind


# --- fields -------------------------------------------------------------------------

#: Name fields and their roles.
NAME_FIELDS: dict[str, Role] = {
    "author": Role.AUTHOR,
    "editor": Role.EDITOR,
    "translator": Role.TRANSLATOR,
    "bookauthor": Role.CONTAINER_AUTHOR,
}
for _role in Role:
    NAME_FIELDS.setdefault(_role.value.replace("-", ""), _role)
NAME_FIELDS.pop("containerauthor", None)
_ROLE_FIELDS = {role: name for name, role in NAME_FIELDS.items()}

#: Text fields read into a Work attribute (with LaTeX decoding and markup).
_TEXT_FIELDS: dict[str, str] = {
    "shorttitle": "title_short",
    "series": "collection_title",
    "eventtitle": "event_title",
    "origtitle": "original_title",
    "shortjournal": "container_title_short",
    "venue": "event_place",
    "note": "note",
    "edition": "edition",
    "volume": "volume",
    "volumes": "number_of_volumes",
    "pagetotal": "number_of_pages",
    "medium": "medium",
}
_CONTAINER_FIELDS = ("journaltitle", "journal", "booktitle")
_PUBLISHER_FIELDS = ("publisher", "institution", "school", "organization", "howpublished")
_PLACE_FIELDS = ("location", "address")
_ID_FIELDS = {"doi": "doi", "isbn": "isbn", "issn": "issn", "pmid": "pmid", "pmcid": "pmcid"}

#: CSL variables (``work.variables``) written as these fields.
_VARIABLE_FIELDS = {
    "version": "version",
    "chapter-number": "chapter",
    "status": "pubstate",
    "annote": "annote",
}

#: CSL variables BibTeX and BibLaTeX have no field for: written as fields of
#: their own name (which BibTeX styles ignore), read back into ``Work.extra``.
_CSL_ONLY_FIELDS = frozenset(
    {
        "source",
        "archive",
        "archive_collection",
        "archive_location",
        "archive-place",
        "call-number",
        "authority",
        "dimensions",
        "division",
        "jurisdiction",
        "scale",
        "section",
        "supplement",
        "references",
        "reviewed-title",
        "reviewed-genre",
        "original-publisher",
        "original-publisher-place",
        "part-number",
        "part-title",
        "printing",
        "volume-title",
        "volume-title-short",
        "citation-key",
        "citation-label",
        "license",
        "translated-title",
        "journalAbbreviation",
        "shortTitle",
        "ISAN",
        "ISCI",
        "ISMN",
        "ISRC",
        "ISWC",
    }
)

#: Babel language names (``langid``) <-> BCP 47 codes.
_BABEL = {
    "english": "en",
    "american": "en-US",
    "USenglish": "en-US",
    "british": "en-GB",
    "UKenglish": "en-GB",
    "australian": "en-AU",
    "canadian": "en-CA",
    # Babel's german/austrian/swissgerman are the traditional (1901) spelling,
    # BCP 47's variant subtag 1901; the n- names are today's spelling.
    "german": "de-1901",
    "ngerman": "de",
    "austrian": "de-AT-1901",
    "naustrian": "de-AT",
    "swissgerman": "de-CH-1901",
    "nswissgerman": "de-CH",
    "french": "fr",
    "italian": "it",
    "spanish": "es",
    "catalan": "ca",
    "portuguese": "pt",
    "brazilian": "pt-BR",
    "dutch": "nl",
    "danish": "da",
    "norsk": "nb",
    "nynorsk": "nn",
    "swedish": "sv",
    "finnish": "fi",
    "icelandic": "is",
    "polish": "pl",
    "czech": "cs",
    "slovak": "sk",
    "slovene": "sl",
    "croatian": "hr",
    "serbian": "sr",
    "russian": "ru",
    "ukrainian": "uk",
    "bulgarian": "bg",
    "greek": "el",
    "latin": "la",
    "hungarian": "hu",
    "romanian": "ro",
    "turkish": "tr",
    "hebrew": "he",
    "arabic": "ar",
    "japanese": "ja",
    "chinese": "zh",
    "korean": "ko",
    "estonian": "et",
    "latvian": "lv",
    "lithuanian": "lt",
    "irish": "ga",
    "welsh": "cy",
    "basque": "eu",
    "galician": "gl",
}
_BABEL_LOWER = {k.lower(): v for k, v in _BABEL.items()}
_BABEL_FOR_CODE: dict[str, str] = {}
for _name, _code in _BABEL.items():
    _BABEL_FOR_CODE.setdefault(_code.lower(), _name)
_BABEL_FOR_CODE.update({"de": "ngerman", "de-at": "naustrian", "de-ch": "nswissgerman"})

_MONTHS = ENGLISH_MONTHS
_MONTH_MACROS = {name[:3]: name.capitalize() for name in _MONTHS}
_MONTH_NUMBERS = {name: i + 1 for i, name in enumerate(_MONTHS)}
_MONTH_NUMBERS.update({name[:3]: i + 1 for i, name in enumerate(_MONTHS)})
_MONTH_NUMBERS["sept"] = 9

#: Fields BibLaTeX never inherits through crossref/xdata, and bookkeeping fields.
_NOT_INHERITED = frozenset(
    {
        "ids",
        "crossref",
        "xref",
        "xdata",
        "entryset",
        "entrysubtype",
        "execute",
        "label",
        "options",
        "presort",
        "related",
        "relatedoptions",
        "relatedstring",
        "relatedtype",
        "shorthand",
        "shorthandintro",
        "sortkey",
        "date-added",
        "date-modified",
        "timestamp",
        "owner",
        "file",
        "optcrossref",
    }
)
_MV_PARENTS = frozenset({"mvbook", "mvcollection", "mvreference", "mvproceedings"})
_MV_CHILDREN = frozenset(
    {
        "book",
        "inbook",
        "bookinbook",
        "suppbook",
        "collection",
        "incollection",
        "suppcollection",
        "reference",
        "inreference",
        "proceedings",
        "inproceedings",
    }
)
_BOOK_PARENTS = frozenset({"book", "collection", "reference", "proceedings"})
_IN_CHILDREN = frozenset(
    {
        "inbook",
        "bookinbook",
        "suppbook",
        "incollection",
        "suppcollection",
        "inreference",
        "inproceedings",
        "conference",
    }
)
_TITLE_FIELDS = ("title", "subtitle", "titleaddon")
_NO_TITLE_INHERIT = frozenset({"shorttitle", "sorttitle", "indextitle", "indexsorttitle"})


def _inherit(
    parent_type: str, child_type: str, parent: Mapping[str, str], xdata: bool = False
) -> dict[str, str]:
    """Fields a child inherits from its parent, under the child's field names
    (BibLaTeX's default inheritance; ``xdata`` copies fields as they are)."""
    out: dict[str, str] = {}
    mapped: dict[str, str] = {}
    if not xdata:
        if parent_type in _MV_PARENTS and child_type in _MV_CHILDREN:
            mapped = {
                "title": "maintitle",
                "subtitle": "mainsubtitle",
                "titleaddon": "maintitleaddon",
            }
        elif parent_type in _BOOK_PARENTS and child_type in _IN_CHILDREN:
            mapped = {
                "title": "booktitle",
                "subtitle": "booksubtitle",
                "titleaddon": "booktitleaddon",
            }
        elif parent_type == "periodical" and child_type in ("article", "suppperiodical"):
            mapped = {"title": "journaltitle", "subtitle": "journalsubtitle"}
    for name, value in parent.items():
        if name in _NOT_INHERITED:
            continue
        if mapped:
            if name in mapped:
                out.setdefault(mapped[name], value)
                continue
            if name in _NO_TITLE_INHERIT:
                continue
        out.setdefault(name, value)
    in_book = child_type in ("inbook", "bookinbook", "suppbook")
    if mapped and parent_type == "book" and in_book and "author" in parent:
        out.setdefault("bookauthor", parent["author"])
    # The parent's own booktitle (classic BibTeX crossrefs) wins over its title.
    if "booktitle" in parent and "booktitle" in out:
        out["booktitle"] = parent["booktitle"]
    return out


# --- source text --------------------------------------------------------------------

_BRACE_MARK = re.compile(r"(?<!\\)[{}]")
_QUOTE_OR_BRACE = re.compile(r'(?<!\\)[{}"]')
_IDENT = re.compile(r"[^\s#{}\"=,%()']+")
_DIGITS = re.compile(r"[0-9]+")


def _braced_end(text: str, start: int) -> int:
    """Index after the ``}`` matching the ``{`` at ``start``, or -1 if unbalanced."""
    depth = 0
    for m in _BRACE_MARK.finditer(text, start):
        if m.group(0) == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end()
    return -1


def _quoted_end(text: str, start: int) -> int:
    """Index after the ``"`` closing the quoted string at ``start``, or -1."""
    depth = 0
    for m in _QUOTE_OR_BRACE.finditer(text, start + 1):
        ch = m.group(0)
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            return m.end()
    return -1


def resolve_value(raw: str, macros: Mapping[str, str]) -> tuple[str, list[str]]:
    """A field's source text to its value: delimiters removed, macros expanded,
    ``#`` pieces joined. Returns the value and messages for what went wrong."""
    if (
        raw.startswith("{")
        and raw.endswith("}")
        and ((raw.count("{") == 1 and raw.count("}") == 1) or _braced_end(raw, 0) == len(raw))
    ):
        return raw[1:-1], []
    problems: list[str] = []
    parts: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            if parts:
                problems.append("'#' at the end of the value, with nothing after it")
            break
        ch = raw[i]
        if ch == "{":
            end = _braced_end(raw, i)
            if end < 0:
                problems.append("unbalanced braces in the value")
                parts.append(raw[i + 1 :])
                break
            parts.append(raw[i + 1 : end - 1])
            i = end
        elif ch == '"':
            end = _quoted_end(raw, i)
            if end < 0:
                problems.append("unbalanced quotes in the value: no closing '\"'")
                parts.append(raw[i + 1 :])
                break
            parts.append(raw[i + 1 : end - 1])
            i = end
        else:
            m = _DIGITS.match(raw, i)
            ident = _IDENT.match(raw, i)
            if m and (not ident or ident.end() == m.end()):
                parts.append(m.group(0))
                i = m.end()
            elif ident:
                name = ident.group(0)
                lowered = name.lower()
                if lowered in macros:
                    parts.append(macros[lowered])
                elif lowered in _MONTH_MACROS:
                    parts.append(_MONTH_MACROS[lowered])
                else:
                    problems.append(f"undefined macro {name!r} (no @string defines it before here)")
                    parts.append(name)
                i = ident.end()
            else:
                problems.append(
                    f"unexpected {ch!r} in the value: expected a {{...}} or"
                    ' "..." text, a number or a macro'
                )
                parts.append(raw[i:])
                break
        while i < n and raw[i].isspace():
            i += 1
        if i < n:
            if raw[i] == "#":
                i += 1
            else:
                problems.append(f"expected '#' between parts of the value, found {raw[i]!r}")
                parts.append(raw[i:])
                break
    return "".join(parts), list(dict.fromkeys(problems))


# --- what a library keeps of its source ---------------------------------------------


@attrs.define(eq=False)
class RawField:
    """One field of an entry as written: its name, its value's source text
    (delimiters included), and the text around them for in-place rewriting."""

    name: str
    raw: str
    line: int
    lead: str = ""
    """From the end of the previous field (or the key's comma) to the value."""
    trail: str = ""
    """After the value: spaces and the comma, or empty for a last field without one."""

    @property
    def lower(self) -> str:
        """The field name in lowercase (BibTeX field names ignore case)."""
        return self.name.lower()


#: Offsets of an entry's layout within its text: where the head ends, then for
#: each field where its name starts and ends, where its value starts and ends,
#: and where its trail (spaces and comma) ends.
_SPAN_WIDTH = 5


@attrs.define(eq=False)
class EntryOrigin:
    """An entry as read: its source text and layout, and the Work it gave.

    The text is not copied: the entry keeps the file's text and its place in
    it, and the offsets of its layout (see :attr:`fields`), so that a large
    library holds its source once.
    """

    key: str
    entry_type: str
    """The type as written ("Book", "inproceedings")."""
    source: str = attrs.field(repr=False)
    """The text the entry was read from (the whole file)."""
    start: int
    end: int
    line: int
    spans: array[int] | None = attrs.field(default=None, repr=False)
    """Offsets in :attr:`raw`: the end of the head, then five per field (name start
    and end, value start and end, trail end); None when the layout could not be
    followed."""
    unlaid: list[RawField] | None = attrs.field(default=None, repr=False)
    """The fields of an entry whose layout could not be followed (no lead or trail)."""
    work: Work | None = None
    """The Work as read; the entry is unchanged while the library holds an equal one."""
    prefs: dict[str, str] = attrs.Factory(dict)
    """Which field each Work attribute came from ("container_title" -> "journal")."""
    biblatex: bool = False

    @property
    def raw(self) -> str:
        """The entry's source text."""
        return self.source[self.start : self.end]

    @property
    def head(self) -> str | None:
        """The text up to the key's comma; None when the layout could not be followed."""
        if self.spans is None:
            return None
        return self.source[self.start : self.start + self.spans[0]]

    @property
    def tail(self) -> str:
        """The text after the last field (the closing brace and what precedes it)."""
        if self.spans is None:
            return ""
        return self.source[self.start + self.spans[-1] : self.end]

    @property
    def fields(self) -> list[RawField]:
        """The fields as written, in order (made from the layout's offsets on each call)."""
        spans = self.spans
        if spans is None:
            return list(self.unlaid or ())
        raw = self.raw
        out: list[RawField] = []
        lead_start = spans[0]
        line = self.line
        newline_at = 0
        for i in range(1, len(spans), _SPAN_WIDTH):
            name_start, name_end, value_start, value_end, trail_end = spans[i : i + _SPAN_WIDTH]
            line += raw.count("\n", newline_at, name_start)
            newline_at = name_start
            out.append(
                RawField(
                    raw[name_start:name_end],
                    raw[value_start:value_end],
                    line,
                    raw[lead_start:value_start],
                    raw[value_end:trail_end],
                )
            )
            lead_start = trail_end
        return out


_ENTRY_IN_COMMENT = re.compile(r"@\s*[A-Za-z]+\s*[{(]\s*[^\s,{}()]+\s*,")


@attrs.define(eq=False)
class Segment:
    """A stretch of the source: verbatim text, an entry, a duplicate or an excerpt.

    Like an entry, a segment keeps the file's text and its place in it.
    """

    kind: str
    source: str = attrs.field(repr=False)
    start: int
    end: int
    entry: EntryOrigin | None = None
    duplicate: Work | None = None
    excerpt: Excerpt | None = None

    @property
    def text(self) -> str:
        """The segment's source text."""
        return self.source[self.start : self.end]


@attrs.define(eq=False)
class BibtexOrigin:
    """What a library read from BibTeX keeps to write the file back exactly.

    ``segments`` cover the whole text in order; joined, their ``text`` is the
    file. ``entries`` holds each loaded entry by key.
    """

    text: str
    segments: list[Segment]
    entries: dict[str, EntryOrigin]
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    biblatex: bool = False
    macros: dict[str, str] = attrs.Factory(dict)


# --- reading --------------------------------------------------------------------------

_HEAD = re.compile(r"@[ \t]*([^\s{(]*)[ \t]*([{(])")
_WS = re.compile(r"\s*")
_FIELD_NAME = re.compile(r"[^\s,={}\"#%()'\\]+")
_KEY_CHARS = re.compile(r"[^\s,{}()\"#%'=\\]+")
_FAILED_KEY = re.compile(r"@[ \t]*\w*[ \t]*[{(][ \t\r\n]*([^,\s{}()=]+)[ \t\r\n]*,")
_EXCERPT_TAG = "citekit-excerpt"


class _Block:
    """A block of the file as split: where it is, what kind, and what it holds.

    ``kind`` is "entry", "string", "comment" (an explicit ``@comment``),
    "failed" (a block the splitter gave up on) or "other" (a preamble or the
    text between blocks).
    """

    __slots__ = (
        "end",
        "entry_type",
        "key",
        "kind",
        "lines",
        "names",
        "reason",
        "spans",
        "start",
        "stop",
        "value",
        "values",
    )

    def __init__(self, kind: str, start: int, end: int) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.key = ""
        self.entry_type = ""
        self.value = ""
        self.names: list[str] = []
        self.values: list[str] = []
        self.spans: array[int] | None = None
        """The layout's offsets (see :class:`EntryOrigin`), when the splitter found them."""
        self.lines: list[int] = []
        """Per field, its line less the entry's (when the splitter found no layout)."""
        self.reason = ""
        self.stop: int | None = None


# -- the fast splitter ---------------------------------------------------------------
#
# bibtexparser's splitter walks the text mark by mark in Python. Files are
# almost always regular, so citekit first cuts them itself with regular
# expressions that accept only what that splitter reads without trouble, and
# gives exactly its result there (blocks, keys, field names and values, the
# text between blocks). Anything else in a file (a block that would fail, a
# "(...)"-delimited block, braces nested deeper than the expressions follow, a
# field name with spaces, ...) sends the whole file to bibtexparser's splitter.
#
# The splitter's rules, as followed here: a block starts at "@", a type and
# "{" or "(" anywhere outside a block; "{", "}", '"', "," and "=" count unless
# a backslash precedes them; inside braces only braces count; inside quotes
# only quotes count, and '{"}' is a quote within the quotes; a value ends at
# "," or at the entry's "}" outside braces and quotes; a block start at the
# beginning of a line (after spaces) inside a block makes the block fail.

_BLOCK_START = re.compile(r"@\w*[ \t]*(?=[{(])")
_LINE_START_BLOCK = re.compile(r"\n[^\S\n]*@\w*[ \t]*[{(]")
_NAME = r'[^\s{}",=\\@]+'


def _braced(depth: int) -> str:
    """A ``{...}`` group nested at most ``depth`` deep (a brace after a backslash is text)."""
    pattern = r"\{(?:[^{}\\]++|\\[{}]?)*+\}"
    for _ in range(depth - 1):
        pattern = r"\{(?:[^{}\\]++|\\[{}]?|" + pattern + r")*+\}"
    return pattern


_BRACED = _braced(8)
_QUOTED = r'"(?:[^"\\{]++|\\"?|\{(?:"\})?)*+"'
_ENTRY_KEY = re.compile(r"\{\s*(" + _NAME + r")\s*([,}])")
_FIELD = re.compile(
    r"(?>\s*(" + _NAME + r')\s*=\s*)((?:[^{}",=\\@]++|' + _BRACED + "|" + _QUOTED + r")*+)([,}])"
)
_CLOSING = re.compile(r"\s*\}")
_STRING_HEAD = re.compile(r"\{\s*(" + _NAME + r")\s*=")
_BLOCK_BODY = re.compile(r"(?:[^{}\\]++|\\[{}]?|" + _BRACED + r")*+\}")


def _fast_entry(text: str, start: int, brace: int, intern: dict[str, str]) -> _Block | None:
    """The entry whose "{" is at ``brace``, or None if it is not plainly regular."""
    m = _ENTRY_KEY.match(text, brace)
    if m is None:
        return None
    names: list[str] = []
    values: list[str] = []
    spans = array("I")
    if m.group(2) == "}":
        spans.append(m.start(2) - start)
        end = m.end()
    else:
        pos = m.end()
        spans.append(pos - start)
        next_field = _FIELD.match
        while True:
            field = next_field(text, pos)
            if field is None:
                close = _CLOSING.match(text, pos)
                if close is None:
                    return None
                end = close.end()
                break
            name, value, delimiter = field.group(1, 2, 3)
            names.append(intern.setdefault(name, name))
            value_start = field.start(2)
            if value[-1:].isspace():
                value = value.rstrip()
            values.append(value)
            value_end = value_start + len(value)
            pos = field.end()
            spans.extend(
                (
                    field.start(1) - start,
                    field.end(1) - start,
                    value_start - start,
                    value_end - start,
                    (pos if delimiter == "," else value_end) - start,
                )
            )
            if delimiter == "}":
                end = pos
                break
    block = _Block("entry", start, end)
    block.key = m.group(1)
    block.names = names
    block.values = values
    block.spans = spans
    return block


def _fast_split(text: str) -> list[_Block] | None:
    """The blocks of ``text`` as bibtexparser's splitter cuts them, or None when the
    text holds anything the fast path does not follow (see above)."""
    blocks: list[_Block] = []
    intern: dict[str, str] = {}
    pos = 0
    n = len(text)
    find_block = _BLOCK_START.search
    line_start_block = _LINE_START_BLOCK.search
    while True:
        m = find_block(text, pos)
        gap_end = m.start() if m is not None else n
        if gap_end > pos:
            gap = text[pos:gap_end]
            comment = gap.strip()
            if comment:
                at = pos + len(gap) - len(gap.lstrip())
                blocks.append(_Block("other", at, at + len(comment)))
        if m is None:
            return blocks
        start = m.start()
        brace = m.end()
        if text[brace] != "{":
            return None
        mark = m.group(0).lower()
        block: _Block | None
        if mark.startswith(("@comment", "@preamble")):
            body = _BLOCK_BODY.match(text, brace + 1)
            if body is None:
                return None
            block = _Block("comment" if mark.startswith("@comment") else "other", start, body.end())
            block.value = text[brace + 1 : body.end() - 1].strip()
        elif mark.startswith("@string"):
            head = _STRING_HEAD.match(text, brace)
            body = _BLOCK_BODY.match(text, head.end()) if head is not None else None
            if head is None or body is None:
                return None
            block = _Block("string", start, body.end())
            block.key = head.group(1)
            block.value = text[head.end() : body.end() - 1].strip()
        else:
            block = _fast_entry(text, start, brace, intern)
            if block is None:
                return None
            block.entry_type = mark[1:].strip()
        if line_start_block(text, start, block.end) is not None:
            return None
        blocks.append(block)
        pos = block.end


def _bibtexparser_blocks(text: str, found: Iterable[Any]) -> list[_Block]:
    """bibtexparser's blocks as :class:`_Block`, each placed in ``text`` after the last."""
    from bibtexparser import model as bp

    blocks: list[_Block] = []
    pos = 0
    for block in found:
        raw = block.raw
        if not raw:
            continue
        start = text.find(raw, pos)
        if start < 0:
            continue  # not where expected: its text stays verbatim
        end = start + len(raw)
        pos = end
        inner = block
        if isinstance(block, (bp.DuplicateBlockKeyBlock, bp.DuplicateFieldKeyBlock)):
            inner = block.ignore_error_block
        if isinstance(inner, bp.String):
            out = _Block("string", start, end)
            out.key = inner.key
            out.value = inner.value
        elif isinstance(inner, bp.Entry):
            entry: Any = inner
            out = _Block("entry", start, end)
            out.key = entry.key
            out.entry_type = entry.entry_type
            out.names = [field.key for field in entry.fields]
            out.values = [field.value for field in entry.fields]
            out.lines = [field.start_line - entry.start_line for field in entry.fields]
        elif isinstance(inner, bp.ExplicitComment):
            out = _Block("comment", start, end)
            out.value = inner.comment
        elif isinstance(inner, bp.ParsingFailedBlock):
            out = _Block("failed", start, end)
            error = inner.error
            out.reason = getattr(error, "abort_reason", None) or str(error)
            out.stop = getattr(error, "end_index", None)
        else:
            out = _Block("other", start, end)
        blocks.append(out)
    return blocks


def _layout(raw: str, key: str, names: list[str], values: list[str]) -> array[int] | None:
    """The offsets of an entry's layout (see :class:`EntryOrigin`), or None."""
    m = _HEAD.match(raw)
    if not m:
        return None
    ws = _WS.match
    i = ws(raw, m.end()).end()  # type: ignore[union-attr]
    if not raw.startswith(key, i):
        return None
    i = ws(raw, i + len(key)).end()  # type: ignore[union-attr]
    if i < len(raw) and raw[i] == ",":
        i += 1
    elif names:
        return None
    spans = array("I", [i])
    n = len(raw)
    for name, value in zip(names, values, strict=True):
        name_start = ws(raw, i).end()  # type: ignore[union-attr]
        if not raw.startswith(name, name_start):
            return None
        j = ws(raw, name_start + len(name)).end()  # type: ignore[union-attr]
        if j >= n or raw[j] != "=":
            return None
        j = ws(raw, j + 1).end()  # type: ignore[union-attr]
        if not raw.startswith(value, j):
            return None
        value_end = j + len(value)
        k = ws(raw, value_end).end()  # type: ignore[union-attr]
        i = k + 1 if k < n and raw[k] == "," else value_end
        spans.extend((name_start, name_start + len(name), j, value_end, i))
    if raw[i:].strip() not in ("}", ")"):
        return None
    return spans


def _explain_failure(reason: str, where: Callable[[int], int], end: int | None) -> str:
    """citekit's wording of one of bibtexparser's abort reasons."""
    next_line = where(end + 1) if end is not None else None
    at_next = f" before the next entry on line {next_line}" if next_line else ""
    if "field-value closing `}`" in reason:
        return f"unbalanced braces: a field value has no closing '}}'{at_next}"
    if 'field-value closing `"`' in reason:
        return f"unbalanced quotes: a field value has no closing '\"'{at_next}"
    if "closing bracket" in reason:
        return f"unbalanced braces: the entry has no closing '}}'{at_next}"
    if "Unexpectedly reached end of file" in reason:
        return "unbalanced braces or quotes: the file ends inside this entry"
    if "Expected comma after entry key" in reason:
        return "expected ',' after the citation key"
    if "Expected a `=` after entry key" in reason or "Expected equals sign" in reason:
        return "expected '=' after a field name"
    if "after a closed entry field value" in reason:
        return "expected ',' or '}' after a field value"
    if "field-value closing" in reason:
        return f"unbalanced braces: the entry has no closing '}}'{at_next}"
    return "malformed: " + " ".join(reason.split())


@attrs.define(eq=False)
class _Parsed:
    """An entry after the first pass: resolved field values, before modelling."""

    origin: EntryOrigin
    kind: str
    values: dict[str, str]
    lines: dict[str, int]
    duplicate: bool = False
    segment: Segment | None = None
    dialect: bool | None = None


class _Reader:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.macros: dict[str, str] = {}
        self.biblatex = False
        self.text = ""
        # A field name -> its lowercase form (interned), or None if it is no field name.
        self.lowered: dict[str, str | None] = {}
        self._line_at = 0  # the offset line_of last counted to, and its line
        self._line = 1
        # What repeats in a file is decoded and parsed once per load.
        self.decoded: tuple[dict[str, tuple[str, str | None]], ...] = ({}, {})
        self.name_lists: dict[str, tuple[Person, ...] | str] = {}
        self.persons: dict[str, Person | str] = {}
        self.hints: dict[str, FrozenMap[str, str]] = {}
        self.year_dates: dict[int, Date] = {}
        self.types: dict[str, str] = {}  # entry types as written, one string each

    def problem(
        self,
        message: str,
        *,
        line: int | None = None,
        key: str | None = None,
        field: str | None = None,
        severity: str = "error",
    ) -> None:
        self.problems.append(
            Problem(
                message=message,
                path=self.path,
                line=line,
                key=key,
                field=field,
                severity="warning" if severity == "warning" else "error",
            )
        )

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset of the text.

        Newlines are counted from the offset asked last, so asking in file
        order (as reading does) costs one pass over the text in all.
        """
        offset = max(offset, 0)
        if offset >= self._line_at:
            self._line += self.text.count("\n", self._line_at, offset)
        else:
            self._line -= self.text.count("\n", offset, self._line_at)
        self._line_at = offset
        return self._line

    # -- text and blocks ----------------------------------------------------------

    def decode_bytes(self, data: bytes) -> tuple[str, str, bool]:
        bom = data.startswith(b"\xef\xbb\xbf")
        body = data[3:] if bom else data
        try:
            return body.decode("utf-8"), "utf-8", bom
        except UnicodeDecodeError as error:
            line = body.count(b"\n", 0, error.start) + 1
            encoding, name = _single_byte_encoding(body)
            mixed = ""
            if _UTF8_SEQUENCE.search(body):
                mixed = (
                    "; the file also holds UTF-8 text, which reads as mojibake"
                    f" ({name} characters in place of each UTF-8 one) until it is"
                    " made one encoding"
                )
            self.problem(
                f"not UTF-8 (byte 0x{body[error.start]:02x} cannot start or continue a"
                f" character); read as {name}, and written back as {name}{mixed}",
                line=line,
                severity="warning",
            )
            return body.decode(encoding), encoding, bom

    def split(self, text: str) -> list[_Block]:
        """The file's blocks: the fast splitter's, else bibtexparser's (with any
        failure of its splitter a problem)."""
        fast = _fast_split(text)
        if fast is not None:
            return fast
        import logging

        from bibtexparser.splitter import Splitter

        logger = logging.getLogger("bibtexparser.splitter")
        disabled = logger.disabled
        logger.disabled = True  # citekit reports these itself, as problems
        try:
            try:
                return _bibtexparser_blocks(text, Splitter(text).split().blocks)
            except Exception:
                pass
            # Split at lines that start a block and retry piece by piece, so a
            # failure costs only the piece it happens in.
            blocks: list[Any] = []
            starts = [0] + [m.start() for m in re.finditer(r"(?m)^[ \t]*@", text) if m.start()]
            starts.append(len(text))
            for begin, end in itertools.pairwise(starts):
                piece = text[begin:end]
                try:
                    blocks.extend(Splitter(piece).split().blocks)
                except Exception as error:
                    self.problem(
                        "could not be split into entries"
                        f" ({type(error).__name__}); kept as text, not loaded",
                        line=self.line_of(begin),
                    )
            return _bibtexparser_blocks(text, blocks)
        finally:
            logger.disabled = disabled

    # -- the whole file ---------------------------------------------------------------

    def read(self, data: bytes) -> Library:
        text, encoding, bom = self.decode_bytes(data)
        self.text = text
        crlf = text.count("\r\n")
        newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
        blocks = self.split(text)

        segments: list[Segment] = []
        parsed: list[_Parsed] = []
        excerpts: list[tuple[Excerpt, int]] = []
        pos = 0
        blocks.reverse()  # taken from the end, so each block is freed once read
        while blocks:
            block = blocks.pop()
            start = block.start
            end = block.end
            if start > pos:
                segments.append(Segment("text", text, pos, start))
            pos = end
            line = self.line_of(start)
            kind = block.kind
            if kind == "string":
                self.define_macro(block.key, block.value, line)
                segments.append(Segment("text", text, start, end))
            elif kind == "entry":
                entry = self.first_pass(block, line)
                if entry is None:
                    segments.append(Segment("text", text, start, end))
                else:
                    segment = Segment("entry", text, start, end, entry=entry.origin)
                    entry.segment = segment
                    parsed.append(entry)
                    segments.append(segment)
            elif kind == "comment" and block.value.startswith(_EXCERPT_TAG):
                excerpt = self.read_excerpt(block.value[len(_EXCERPT_TAG) :], line)
                if excerpt is None:
                    segments.append(Segment("text", text, start, end))
                else:
                    segments.append(Segment("excerpt", text, start, end, excerpt=excerpt))
                    excerpts.append((excerpt, line))
            elif kind == "comment":
                hidden = _ENTRY_IN_COMMENT.search(block.value)
                if hidden:
                    # biber (and citekit) skip a whole @comment{...}; classic
                    # BibTeX skips only the word @comment and reads what follows.
                    self.problem(
                        f"@comment contains an entry ({hidden.group(0).strip()}...): biber and"
                        " citekit ignore it, classic BibTeX reads it as an entry",
                        line=line + block.value[: hidden.start()].count("\n"),
                        severity="warning",
                    )
                segments.append(Segment("text", text, start, end))
            elif kind == "failed":
                m = _FAILED_KEY.match(text[start:end])
                self.problem(
                    _explain_failure(block.reason, self.line_of, block.stop)
                    + "; the entry is kept as text, not loaded",
                    line=line,
                    key=m.group(1) if m else None,
                )
                segments.append(Segment("text", text, start, end))
            else:
                segments.append(Segment("text", text, start, end))
        if pos < len(text):
            segments.append(Segment("text", text, pos, len(text)))

        library = Library(path=self.path)
        entries = self.second_pass(parsed, library)
        for excerpt, line in excerpts:
            if excerpt.id in library.excerpts:
                self.problem(
                    f"excerpt id {excerpt.id!r} is used twice; the first is kept",
                    line=line,
                    severity="warning",
                )
                continue
            library.add_excerpt(excerpt)
            if excerpt.work_key not in library:
                self.problem(
                    f"excerpt {excerpt.id!r} quotes {excerpt.work_key!r}, which is not in the file",
                    line=line,
                    severity="warning",
                )
        library.origin = BibtexOrigin(
            text=text,
            segments=segments,
            entries=entries,
            encoding=encoding,
            bom=bom,
            newline=newline,
            biblatex=self.biblatex,
            macros=dict(self.macros),
        )
        # In file order (the second pass reports after the first).
        library.problems.extend(sorted(self.problems, key=lambda p: p.line or 0))
        return library

    def define_macro(self, key: str, raw_value: str, line: int) -> None:
        name = key.strip()
        if not name or not _FIELD_NAME.fullmatch(name):
            self.problem(f"@string has no valid macro name (got {name!r})", line=line)
            return
        value, problems = resolve_value(raw_value.strip(), self.macros)
        for message in problems:
            self.problem(message, line=line, key=f"@string {name}", severity="warning")
        self.macros[name.lower()] = value

    # -- first pass: one entry's fields -------------------------------------------------

    def first_pass(self, block: _Block, line: int) -> _Parsed | None:
        text = self.text
        start = block.start
        m = _HEAD.match(text, start, block.end)
        written_type = m.group(1) if m else block.entry_type
        written_type = self.types.setdefault(written_type, written_type)
        key = block.key.strip()
        kind = written_type.lower()
        if not kind:
            self.problem("entry has no type ('@{' without a name); kept as text", line=line)
            return None
        if not key:
            self.problem("entry has no citation key; kept as text, not loaded", line=line)
            return None
        if not _KEY_CHARS.fullmatch(key):
            bad = next((c for c in key if not _KEY_CHARS.fullmatch(c)), " ")
            self.problem(
                f"citation key {key!r} contains {bad!r}, which BibTeX does not allow"
                " (a missing key?); kept as text, not loaded",
                line=line,
                key=key,
            )
            return None
        names = block.names
        raw_values = block.values
        spans = block.spans
        if spans is None:
            spans = _layout(text[start : block.end], block.key, names, raw_values)
        unlaid: list[RawField] | None = [] if spans is None else None
        values: dict[str, str] = {}
        lines: dict[str, int] = {}
        lowered = self.lowered
        macros = self.macros
        field_line = line
        at = start  # field_line is the line of this offset
        for index, name in enumerate(names):
            raw_value = raw_values[index]
            if spans is not None:
                name_at = start + spans[1 + _SPAN_WIDTH * index]
                field_line += text.count("\n", at, name_at)
                at = name_at
            else:
                field_line = line + max(0, block.lines[index])
                assert unlaid is not None
                unlaid.append(RawField(name, raw_value, field_line))
            try:
                lower = lowered[name]
            except KeyError:
                valid = bool(name) and _FIELD_NAME.fullmatch(name) is not None
                lower = lowered[name] = sys.intern(name.lower()) if valid else None
            if lower is None:
                self.problem(
                    f"{name!r} is not a field name; the field is ignored",
                    line=field_line,
                    key=key,
                )
                continue
            if lower in values:
                self.problem(
                    f"field given twice (first on line {lines[lower]}); the first is used",
                    line=field_line,
                    key=key,
                    field=lower,
                    severity="warning",
                )
                continue
            if (
                raw_value[:1] == "{"
                and raw_value[-1:] == "}"
                and raw_value.count("{") == 1
                and raw_value.count("}") == 1
            ):
                value = raw_value[1:-1]  # the common case of resolve_value
            else:
                value, problems = resolve_value(raw_value, macros)
                for message in problems:
                    self.problem(message, line=field_line, key=key, field=lower, severity="warning")
            values[lower] = value
            lines[lower] = field_line
        origin = EntryOrigin(
            key=key,
            entry_type=written_type,
            source=text,
            start=start,
            end=block.end,
            line=line,
            spans=spans,
            unlaid=unlaid,
        )
        parsed = _Parsed(origin=origin, kind=kind, values=values, lines=lines)
        # The entry's own dialect, when its type or fields tell (None when they do not).
        if kind in _BIBTEX_TYPES or kind in _BIBLATEX_TYPES:
            parsed.dialect = kind in _BIBLATEX_TYPES
        else:
            biblatex_fields = any(f in _BIBLATEX_FIELDS for f in values)
            bibtex_fields = any(f in _BIBTEX_FIELDS for f in values)
            if biblatex_fields != bibtex_fields:
                parsed.dialect = biblatex_fields
        return parsed

    # -- second pass: inheritance and modelling -------------------------------------------

    def second_pass(self, parsed: list[_Parsed], library: Library) -> dict[str, EntryOrigin]:
        index: dict[str, _Parsed] = {}
        lowered: dict[str, _Parsed] = {}
        first_line: dict[str, int] = {}
        for entry in parsed:
            key = entry.origin.key
            if key in index:
                entry.duplicate = True
                self.problem(
                    f"duplicate citation key (first on line {first_line[key]}); the first"
                    " entry is used, this one is kept in library.duplicates",
                    line=entry.origin.line,
                    key=key,
                    severity="warning",
                )
                continue
            same = lowered.get(key.lower())
            if same is not None:
                # BibTeX compares keys without case ("Repeated entry"); biber
                # and citekit do not. Both entries load; the user is told.
                self.problem(
                    f"citation key differs only in case from {same.origin.key!r} (line"
                    f" {same.origin.line}); BibTeX treats them as one entry and skips this one",
                    line=entry.origin.line,
                    key=key,
                    severity="warning",
                )
            index[key] = entry
            lowered.setdefault(key.lower(), entry)
            first_line[key] = entry.origin.line

        # The dialect: an entry's own type and fields decide, else the file's majority.
        decided = [entry.dialect for entry in parsed if entry.dialect is not None]
        self.biblatex = sum(decided) * 2 > len(decided)
        for entry in parsed:
            entry.origin.biblatex = self.biblatex if entry.dialect is None else entry.dialect
        resolved: dict[int, dict[str, str]] = {}

        def effective(entry: _Parsed, trail: tuple[str, ...]) -> dict[str, str]:
            done = resolved.get(id(entry))
            if done is not None:
                return done
            key = entry.origin.key
            parents: list[tuple[str, str, bool]] = []
            if "xdata" in entry.values:
                for name in entry.values["xdata"].split(","):
                    if name.strip():
                        parents.append(("xdata", name.strip(), True))
            if entry.values.get("crossref", "").strip():
                parents.append(("crossref", entry.values["crossref"].strip(), False))
            # Without parents the entry's own values stand (nothing changes them).
            values = dict(entry.values) if parents else entry.values
            for field, parent_key, is_xdata in parents:
                line = entry.lines.get(field, entry.origin.line)
                parent = index.get(parent_key) or lowered.get(parent_key.lower())
                if parent is None:
                    self.problem(
                        f"{field} to {parent_key!r}, which is not in the file;"
                        " nothing is inherited",
                        line=line,
                        key=key,
                        field=field,
                        severity="warning",
                    )
                    continue
                if parent.origin.key in trail or parent is entry:
                    self.problem(
                        f"{field} loop through {parent_key!r}; nothing is inherited from it",
                        line=line,
                        key=key,
                        field=field,
                    )
                    continue
                parent_values = effective(parent, (*trail, key))
                for name, value in _inherit(
                    parent.kind, entry.kind, parent_values, is_xdata
                ).items():
                    values.setdefault(name, value)
            resolved[id(entry)] = values
            return values

        entries: dict[str, EntryOrigin] = {}
        for entry in parsed:
            values = effective(entry, ())
            work = self.model(entry, values)
            if work is None:
                assert entry.segment is not None
                entry.segment.kind = "text"
                entry.segment.entry = None
                continue
            entry.origin.work = work
            if entry.duplicate:
                assert entry.segment is not None
                entry.segment.kind = "duplicate"
                entry.segment.duplicate = work
                library.duplicates.append(work)
            else:
                library.add(work)
                entries[work.key] = entry.origin
        return entries

    # -- modelling: fields to a Work ----------------------------------------------------

    def decode(self, value: str, paragraphs: bool = False) -> tuple[str, str | None]:
        """:func:`latex.decode`, once per value and load."""
        memo = self.decoded[paragraphs]
        found = memo.get(value)
        if found is None:
            found = memo[value] = latex.decode(value, paragraphs=paragraphs)
        return found

    def to_plain(self, value: str) -> str:
        """:func:`latex.to_plain`, once per value and load."""
        return self.decode(value)[0]

    def names(self, value: str) -> tuple[Person, ...] | str:
        """The persons of a name list, or the message of the first name that cannot be
        read (as :func:`parse_names` raises it); each name is parsed once per load."""
        found = self.name_lists.get(value)
        if found is not None:
            return found
        persons: list[Person] = []
        for name in split_names(value):
            person = self.persons.get(name)
            if person is None:
                try:
                    person = parse_name(name, decode=self.to_plain)
                except (ValueError, TypeError) as error:
                    person = str(error)
                self.persons[name] = person
            if isinstance(person, str):
                self.name_lists[value] = person
                return person
            persons.append(person)
        found = self.name_lists[value] = tuple(persons)
        return found

    def model(self, entry: _Parsed, values: dict[str, str]) -> Work | None:
        origin = entry.origin
        key = origin.key
        kind = entry.kind
        kw: dict[str, Any] = {}
        rich: dict[str, str] = {}
        prefs: dict[str, str] = {}
        used: set[str] = set()
        extra: dict[str, str] = {}

        def line(name: str) -> int:
            return entry.lines.get(name, origin.line)

        def warn(name: str, message: str) -> None:
            self.problem(message, line=line(name), key=key, field=name, severity="warning")

        filled = {name for name, value in values.items() if value.strip()}
        present = filled.__contains__
        decode = self.decode
        to_plain = self.to_plain

        def text(name: str, attr: str, paragraphs: bool = False) -> None:
            plain, marked = decode(values[name], paragraphs)
            if plain.strip():
                # A value that decodes to nothing ("\url{}") stays in extra, verbatim.
                used.add(name)
                kw[attr] = plain
                if marked:
                    rich[attr] = marked
                prefs[attr] = name

        work_type = work_type_for(kind, values)

        # Titles.
        if present("title"):
            text("title", "title")
            if present("subtitle"):
                used.add("subtitle")
                s_plain, s_rich = decode(values["subtitle"])
                if s_plain:
                    prefs["subtitle"] = "subtitle"
                    t_plain = kw.get("title", "")
                    t_rich = rich.get("title", escape(t_plain))
                    kw["title"] = f"{t_plain}: {s_plain}" if t_plain else s_plain
                    if "title" in rich or s_rich:
                        s_marked = s_rich or escape(s_plain)
                        rich["title"] = f"{t_rich}: {s_marked}" if t_plain else s_marked
        for name in _CONTAINER_FIELDS:
            if present(name) and "container_title" not in kw:
                text(name, "container_title")
                sub = "booksubtitle" if name == "booktitle" else "journalsubtitle"
                if present(sub) and "container_title" in kw:
                    used.add(sub)
                    s_plain, s_rich = decode(values[sub])
                    if s_plain:
                        prefs["container_subtitle"] = sub
                        c_plain = kw["container_title"]
                        kw["container_title"] = f"{c_plain}: {s_plain}"
                        if "container_title" in rich or s_rich:
                            c_rich = rich.get("container_title", escape(c_plain))
                            rich["container_title"] = f"{c_rich}: {s_rich or escape(s_plain)}"
        for name, attr in _TEXT_FIELDS.items():
            if present(name):
                text(name, attr, paragraphs=name == "note")
        if present("abstract"):
            text("abstract", "abstract", paragraphs=True)

        # Publisher and place.
        for name in _PUBLISHER_FIELDS:
            if not present(name) or "publisher" in kw:
                continue
            if name == "howpublished":
                plain = to_plain(values[name])
                if _URL_LIKE.match(plain) and not present("url"):
                    used.add(name)
                    kw["url"] = plain
                    prefs["url"] = name
                    continue
            text(name, "publisher")
        for name in _PLACE_FIELDS:
            if present(name) and "publisher_place" not in kw:
                text(name, "publisher_place")

        # Persons.
        contributors: dict[Role, tuple[Person, ...]] = {}
        for name, value in values.items():
            role = NAME_FIELDS.get(name)
            if role is None or not value.strip():
                continue
            persons = self.names(value)
            if isinstance(persons, str):
                warn(name, f"cannot read the names ({persons}); kept as text in work.extra")
                continue
            used.add(name)
            if persons:
                contributors[role] = persons

        # Dates.
        self.model_dates(values, kw, prefs, used, warn, present)

        # Numbers.
        article = work_type in _ARTICLE_TYPES
        if present("number"):
            if article:
                text("number", "issue")
            elif work_type in (WorkType.REPORT, WorkType.PATENT, WorkType.STANDARD) or not present(
                "series"
            ):
                text("number", "number")
            else:
                text("number", "collection_number")
        if present("issue") and "issue" not in kw:
            text("issue", "issue")
        if present("pages"):
            used.add("pages")
            pages = _PAGE_DASHES.sub("-", to_plain(values["pages"]))
            if pages:
                kw["page"] = pages

        # Genre.
        if present("type"):
            used.add("type")
            raw_type = values["type"].strip()
            label = _TYPE_KEYS.get(raw_type.lower()) if kind in ("thesis", "report") else None
            kw["genre"] = label or to_plain(raw_type)
            prefs["genre"] = "type"
        elif kind in _DEFAULT_GENRE:
            kw["genre"] = _DEFAULT_GENRE[kind]

        # Identifiers.
        for name, attr in _ID_FIELDS.items():
            if present(name):
                used.add(name)
                kw[attr] = _plain_id(values[name])
        if present("url"):
            used.add("url")
            kw["url"] = _plain_id(values["url"])
            prefs["url"] = "url"
        if present("eprint"):
            scheme_field = "eprinttype" if present("eprinttype") else "archiveprefix"
            scheme = values.get(scheme_field, "").strip().lower()
            target = {"arxiv": "arxiv", "pubmed": "pmid", "pmid": "pmid", "pmcid": "pmcid"}.get(
                scheme
            )
            if target and target not in kw:
                used.update(("eprint", scheme_field))
                kw[target] = _plain_id(values["eprint"])
                prefs[target] = scheme_field

        # Language and keywords.
        if present("language"):
            text("language", "language")
        elif present("langid"):
            used.add("langid")
            babel = values["langid"].strip()
            kw["language"] = _BABEL_LOWER.get(babel.lower(), to_plain(babel))
            prefs["language"] = "langid"
        if present("keywords"):
            used.add("keywords")
            kw["keywords"] = to_plain(values["keywords"])

        # Everything else, verbatim.
        if work_type is not work_type_for(kind):
            used.add("entrysubtype")  # it made the type
        stored = _stored_entry_type(kind, work_type, kw.get("genre"), origin.biblatex)
        if stored is not None:
            extra["entrytype"] = stored
        for name, value in values.items():
            if name not in used:
                extra[name] = value
        origin.prefs = prefs
        hint = encode_hint(origin.biblatex, prefs)
        hints = self.hints.get(hint)
        if hints is None:
            hints = self.hints[hint] = FrozenMap({HINT_KEY: hint})
        try:
            return Work(
                key=key,
                type=work_type,
                contributors=contributors,
                extra=extra,
                rich=rich,
                hints=hints,
                **kw,
            )
        except (ValueError, TypeError) as error:
            self.problem(f"cannot be loaded ({error}); kept as text", line=origin.line, key=key)
            return None

    def model_dates(
        self,
        values: dict[str, str],
        kw: dict[str, Any],
        prefs: dict[str, str],
        used: set[str],
        warn: Callable[[str, str], None],
        present: Callable[[str], bool],
    ) -> None:
        to_plain = self.to_plain

        def edtf(name: str) -> Date | None:
            used.add(name)
            # Not LaTeX-decoded: "~" is EDTF's "circa" here, not a tie.
            text = " ".join(values[name].replace("{", "").replace("}", "").split())
            try:
                date = Date.parse(text)
            except ValueError:
                return None
            if date.literal is not None:
                loose = _loose_date(text)
                if loose is not None:
                    warn(name, f"{text!r} is not an EDTF date as BibLaTeX wants; read as {loose}")
                    return loose
                warn(
                    name,
                    f"{text!r} is not a date (EDTF, like 1944-03-05 or 1975/2004); kept as text",
                )
            return date

        date: Date | None = None
        if present("date"):
            date = edtf("date")
            if date is not None:
                kw["issued"] = date
                prefs["issued"] = "date"
                if present("year") and date.start is not None:
                    # Both: consumed together when year (and month) agree with the date.
                    year_ok = to_plain(values["year"]) == str(date.start.year)
                    month_ok = not present("month") or (
                        (_month_date(date.start.year, to_plain(values["month"])) or date)
                        == Date(start=DateParts(date.start.year, date.start.month))
                    )
                    if year_ok and month_ok:
                        used.update(("year", "month") if present("month") else ("year",))
                        prefs["issued"] = "year+date"
        elif present("year"):
            used.add("year")
            year_text = to_plain(values["year"])
            prefs["issued"] = "year"
            if _YEAR.fullmatch(year_text):
                year = int(year_text)
                date = self.year_dates.get(year)
                if date is None:
                    date = self.year_dates[year] = Date(start=DateParts(year))
                if present("month"):
                    month_text = to_plain(values["month"])
                    with_day = present("day") and len(_date_words(month_text)) == 1
                    if with_day:
                        month_text = f"{month_text} {to_plain(values['day'])}"
                    with_month = _month_date(year, month_text)
                    if with_month is None and with_day:
                        warn("day", f"{values['day']!r} is not a day of that month")
                        month_text = to_plain(values["month"])
                        with_month = _month_date(year, month_text)
                        with_day = False
                    if with_month is None:
                        warn("month", f"{month_text!r} is not a month; kept in work.extra")
                    else:
                        date = with_month
                        used.add("month")
                        if with_day:
                            used.add("day")
                            prefs["issued"] = "year+day"
                kw["issued"] = date
            else:
                try:
                    date = Date.parse(year_text)
                except ValueError:
                    date = None
                if date is not None and date.literal is not None:
                    loose = _loose_date(year_text)
                    if loose is not None:
                        warn("year", f"{year_text!r} is not a year; read as {loose}")
                        date = loose
                    else:
                        warn("year", f"{year_text!r} is not a year; kept as a literal date")
                if date is not None:
                    kw["issued"] = date
        for name, attr in (
            ("urldate", "accessed"),
            ("origdate", "original_date"),
            ("eventdate", "event_date"),
        ):
            if present(name):
                date = edtf(name)
                if date is not None:
                    kw[attr] = date

    # -- excerpts -------------------------------------------------------------------------

    def read_excerpt(self, body: str, line: int) -> Excerpt | None:
        try:
            data = json.loads(body)
        except ValueError as error:
            self.problem(
                f"{_EXCERPT_TAG} comment is not valid JSON ({error}); kept as text",
                line=line,
            )
            return None
        try:
            return excerpt_from_json(data)
        except (ValueError, TypeError, KeyError) as error:
            self.problem(f"{_EXCERPT_TAG} comment: {error}; kept as text", line=line)
            return None


_URL_LIKE = re.compile(r"(?:https?://|www\.)\S+$")
_PAGE_DASHES = re.compile(r"\s*[-‐‑–—]+\s*")
_YEAR = re.compile(r"-?\d{1,4}")

_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_SEASON_NAMES = {1: "Spring", 2: "Summer", 3: "Autumn", 4: "Winter"}
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")


def _date_words(text: str) -> list[str]:
    """Lowercase words of a date text: punctuation, ties and ordinals ("14th") dropped."""
    value = text.lower().replace("\u00a0", " ").replace("~", " ")
    value = _ORDINAL.sub(r"\1", value)
    return re.sub(r"[.,]", " ", value).split()


def _month_date(year: int, text: str) -> Date | None:
    """A year and a month field ("3", "mar", "March 15", "15th March", "Winter",
    "Jan-Feb", "July/August") as a date, or None."""
    words = _date_words(text)
    if len(words) == 1 and words[0].isdigit():
        number = int(words[0])
        return Date(start=DateParts(year, number)) if 1 <= number <= 12 else None
    if len(words) == 1 and words[0] in _MONTH_NUMBERS:
        return Date(start=DateParts(year, _MONTH_NUMBERS[words[0]]))
    if len(words) == 1 and words[0] in _SEASONS:
        return Date(start=DateParts(year, season=_SEASONS[words[0]]))
    if len(words) == 2:
        first, second = words
        month, day = None, None
        if first in _MONTH_NUMBERS and second.isdigit():
            month, day = _MONTH_NUMBERS[first], int(second)
        elif second in _MONTH_NUMBERS and first.isdigit():
            month, day = _MONTH_NUMBERS[second], int(first)
        elif first.isdigit() and second.isdigit():
            month, day = int(first), int(second)
        if month is not None and day is not None:
            try:
                return Date(start=DateParts(year, month, day))
            except ValueError:
                return None
    if len(words) == 1:
        pieces = re.split(r"[-/–—]+", words[0])
        if len(pieces) == 2 and all(p in _MONTH_NUMBERS for p in pieces):
            start, end = (_MONTH_NUMBERS[p] for p in pieces)
            if start < end:
                return Date(start=DateParts(year, start), end=DateParts(year, end))
    return None


def _loose_date(text: str) -> Date | None:
    """A date written in words ("March 14, 2001", "April 3rd 2001", "14 March 2001",
    "March 2010"), or None."""
    words = _date_words(text)
    years = [w for w in words if re.fullmatch(r"\d{4}", w)]
    if len(years) != 1 or not 2 <= len(words) <= 3:
        return None
    rest = [w for w in words if w != years[0]]
    if len(rest) + 1 != len(words) or (len(rest) == 1 and rest[0].isdigit()):
        return None
    return _month_date(int(years[0]), " ".join(rest))


_URL_WRAPPER = re.compile(r"^\\(?:url|href|nolinkurl)\s*\{(.*)\}$", re.DOTALL)


def _plain_id(value: str) -> str:
    """An identifier or URL field: LaTeX escapes and protecting braces removed."""
    text = value.strip()
    m = _URL_WRAPPER.match(text)
    if m:
        text = m.group(1)
    if "\\" in text:
        text = re.sub(r"\\([_%&#$~])", r"\1", text)
    if text.startswith("{") and text.endswith("}") and _braced_end(text, 0) == len(text):
        text = text[1:-1]
    return " ".join(text.split())


# --- excerpts as JSON -----------------------------------------------------------------


def excerpt_to_json(excerpt: Excerpt) -> dict[str, Any]:
    """An excerpt as the JSON object of a ``citekit-excerpt`` comment."""
    data: dict[str, Any] = {"id": excerpt.id, "work": excerpt.work_key}
    if excerpt.locator is not None:
        data["locator"] = {"label": excerpt.locator.label.value, "value": excerpt.locator.value}
    if excerpt.speaker is not None:
        data["speaker"] = _person_to_json(excerpt.speaker)
    if excerpt.quoted_in is not None:
        quoted: dict[str, Any] = {"work": excerpt.quoted_in.work_key}
        if excerpt.quoted_in.locator is not None:
            quoted["locator"] = {
                "label": excerpt.quoted_in.locator.label.value,
                "value": excerpt.quoted_in.locator.value,
            }
        data["quoted_in"] = quoted
    if excerpt.language:
        data["language"] = excerpt.language
    if excerpt.translator is not None:
        data["translator"] = _person_to_json(excerpt.translator)
    if excerpt.tags:
        data["tags"] = list(excerpt.tags)
    if excerpt.note:
        data["note"] = excerpt.note
    data["text"] = excerpt.text
    if excerpt.original is not None:
        original: dict[str, Any] = {}
        if excerpt.original.language is not None:
            original["language"] = excerpt.original.language
        original["text"] = excerpt.original.text
        data["original"] = original
    return data


def _person_to_json(person: Person) -> dict[str, Any]:
    return {
        name: value for name, value in attrs.asdict(person).items() if value not in (None, False)
    }


def _person_from_json(value: Any, what: str) -> Person | None:
    if value is None:
        return None
    if isinstance(value, str):
        from citekit.model.persons import parse_name

        return parse_name(value)
    if isinstance(value, dict):
        allowed = {f.name for f in attrs.fields(Person)}
        unknown = set(value) - allowed
        if unknown:
            raise ValueError(f"{what} has unknown parts {sorted(unknown)}")
        return Person(**value)
    raise TypeError(f"{what} is a name text or an object")


def _original_from_json(value: Any) -> Original | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Original(value)
    if not isinstance(value, dict):
        raise TypeError("original is an object with 'text' and 'language'")
    unknown = set(value) - {"text", "language"}
    if unknown:
        raise ValueError(f"original has unknown keys {sorted(unknown)}")
    text, language = value.get("text"), value.get("language")
    if not isinstance(text, str) or (language is not None and not isinstance(language, str)):
        raise TypeError("original's 'text' and 'language' are texts")
    return Original(text, language)


def _locator(value: Any) -> Locator | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Locator.parse(value)
    if isinstance(value, dict):
        return Locator(str(value["value"]), LocatorLabel(value.get("label", "page")))
    raise TypeError(f"a locator is a text or an object, got {type(value).__name__}")


def excerpt_from_json(data: Any) -> Excerpt:
    """The excerpt a ``citekit-excerpt`` comment's JSON object describes."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    for required in ("id", "work", "text"):
        if not isinstance(data.get(required), str):
            raise ValueError(f"{required!r} is missing or not a text")
    quoted = data.get("quoted_in")
    quoted_in = None
    if isinstance(quoted, dict):
        quoted_in = QuotedIn(str(quoted["work"]), _locator(quoted.get("locator")))
    elif quoted is not None:
        raise TypeError("quoted_in is an object with 'work' and 'locator'")
    tags = data.get("tags") or ()
    if isinstance(tags, str):
        tags = [tags]
    return Excerpt(
        id=data["id"],
        text=data["text"],
        work_key=data["work"],
        locator=_locator(data.get("locator")),
        speaker=_person_from_json(data.get("speaker"), "speaker"),
        quoted_in=quoted_in,
        language=data.get("language"),
        original=_original_from_json(data.get("original")),
        translator=_person_from_json(data.get("translator"), "translator"),
        tags=tuple(str(t) for t in tags),
        note=data.get("note"),
    )


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def format_excerpt(excerpt: Excerpt, newline: str = "\n") -> str:
    """An excerpt as a ``@comment{citekit-excerpt{...}}`` block.

    The JSON inside has no literal ``{``, ``}`` or ``@`` in its strings
    (they are ``\\u`` escapes), so the comment's braces always balance and
    no line inside it can start an entry.
    """
    body = json.dumps(excerpt_to_json(excerpt), ensure_ascii=False, indent=2)

    def protect(m: re.Match[str]) -> str:
        return m.group(0).replace("{", "\\u007b").replace("}", "\\u007d").replace("@", "\\u0040")

    body = _JSON_STRING.sub(protect, body)
    return f"@comment{{{_EXCERPT_TAG}{body}}}".replace("\n", newline)


# --- rendering: a Work to fields ----------------------------------------------------------


@attrs.frozen
class FieldValue:
    """A field value to write: its text, and whether it is a bare macro (``mar``)."""

    body: str
    bare: bool = False


def _balance(text: str) -> str:
    """Verbatim text made safe inside ``{...}``: stray braces escaped, no trailing
    backslash, and no line that could start an entry."""
    if "{" in text or "}" in text:
        out: list[str] = []
        opened: list[int] = []
        last = 0
        for m in _BRACE_MARK.finditer(text):
            out.append(text[last : m.start()])
            last = m.end()
            if m.group(0) == "{":
                opened.append(len(out))
                out.append("{")
            elif opened:
                opened.pop()
                out.append("}")
            else:
                out.append("\\}")
        out.append(text[last:])
        for index in opened:
            out[index] = "\\{"
        text = "".join(out)
    if re.search(r"\n\s*@", text):
        text = " ".join(text.split())
    if text.endswith("\\") and (len(text) - len(text.rstrip("\\"))) % 2:
        text += " "
    return text


def _names_latex(persons: Iterable[Person], ascii: bool) -> str:
    """A name list in BibTeX form: "von Last, Jr, First and {Literal Org} and others"."""

    def encode(text: str) -> str:
        encoded = latex.encode_plain(text, ascii=ascii)
        # "{\&Co}" would be one special character to BibTeX, not a literal name.
        return "{}" + encoded if encoded.startswith("\\") else encoded

    return " and ".join(person.bibtex(encode) for person in persons)


def _split_title(work: Work, attr: str) -> tuple[str, str] | None:
    """(title, subtitle) in marked-up form when a title reads "Title: Subtitle"."""
    plain = getattr(work, attr) or ""
    if ": " not in plain:
        return None
    left, right = plain.split(": ", 1)
    marked = work.rich_text(attr) or escape(plain)
    if ": " in marked:
        r_left, r_right = marked.split(": ", 1)
        if strip_markup(r_left) == left and strip_markup(r_right) == right:
            return r_left, r_right
    return escape(left), escape(right)


def _date_fields(date: Date, pref: str | None, biblatex: bool, out: dict[str, FieldValue]) -> None:
    """A date as ``date`` (BibLaTeX) or ``year``/``month`` (BibTeX), by ``pref``:
    "date", "year" (plus ``date`` when year and month cannot say it all) or
    "year+date" (both, as the entry had them)."""
    if date.literal is not None:
        out["year"] = FieldValue(latex.encode_plain(date.literal))
        return
    if pref is None:
        pref = "date" if biblatex else "year"
    if pref == "date":
        out["date"] = FieldValue(str(date))
        return
    start = date.start
    simple = (
        start is not None
        and not date.is_range
        and not date.open_start
        and not date.circa
        and not date.uncertain
        and start.season is None
    )
    end = date.end
    if simple and start is not None:
        out["year"] = FieldValue(str(start.year))
        if start.month is not None:
            out["month"] = FieldValue(_MONTHS[start.month - 1][:3], bare=True)
        if start.day is not None and pref == "year+day":
            out["day"] = FieldValue(str(start.day))
            return
        if start.day is None and pref in ("year", "year+day"):
            return
    elif (
        pref in ("year", "year+day")
        and start is not None
        and not date.circa
        and not date.uncertain
        and start.day is None
        and (
            (start.season is not None and not date.is_range)
            or (
                end is not None
                and end.year == start.year
                and start.month is not None
                and end.month is not None
                and end.day is None
            )
        )
    ):
        # A season or a range of months of one year: year plus a month text
        # ("Winter", "Jan--Feb"), which the reader takes back to the same date.
        out["year"] = FieldValue(str(start.year))
        if start.season is not None:
            out["month"] = FieldValue(_SEASON_NAMES[start.season.value])
        elif start.month is not None and end is not None and end.month is not None:
            out["month"] = FieldValue(
                f"{_MONTHS[start.month - 1][:3].capitalize()}--"
                f"{_MONTHS[end.month - 1][:3].capitalize()}"
            )
        return
    elif (
        pref == "year"
        and start is not None
        and end is not None
        and start.month is None
        and end.month is None
        and start.season is None
        and end.season is None
        and not date.circa
        and not date.uncertain
        and start.year >= 0
        and end.year >= 1000
    ):
        out["year"] = FieldValue(f"{start.year}--{end.year}")
        return
    elif start is not None:
        out["year"] = FieldValue(str(start.year))
    out["date"] = FieldValue(str(date))


def _verbatim(value: str) -> FieldValue:
    return FieldValue(_balance(value))


def render_fields(
    work: Work,
    *,
    entry_type: str,
    biblatex: bool = False,
    ascii: bool = False,
    prefs: Mapping[str, str] | None = None,
) -> dict[str, FieldValue]:
    """The fields (lowercase names, in writing order) that express ``work``.

    ``prefs`` names the field an attribute was read from, so a rewritten entry
    keeps its own names (``journal`` or ``journaltitle``, ``year`` or ``date``).
    """
    prefs = prefs or {}
    out: dict[str, FieldValue] = {}
    kind = entry_type.lower()

    def rich(attr: str) -> str | None:
        value = work.rich_text(attr)
        return None if value is None else latex.encode_rich(value, ascii=ascii)

    def put(name: str, attr: str) -> None:
        value = rich(attr)
        if value is not None and name not in out:
            out[name] = FieldValue(value)

    for group in work.contributors:
        name = _ROLE_FIELDS.get(group.role)
        if name is not None and group.persons:
            out[name] = FieldValue(_names_latex(group.persons, ascii))

    if work.title is not None:
        split = _split_title(work, "title") if "subtitle" in prefs else None
        if split is not None:
            out["title"] = FieldValue(latex.encode_rich(split[0], ascii=ascii))
            out["subtitle"] = FieldValue(latex.encode_rich(split[1], ascii=ascii))
        else:
            put("title", "title")
    put("shorttitle", "title_short")
    if work.container_title is not None:
        name = prefs.get("container_title")
        if name is None:
            if work.type in _ARTICLE_TYPES or kind in ("article", "periodical"):
                name = "journaltitle" if biblatex else "journal"
            else:
                name = "booktitle"
        sub = prefs.get("container_subtitle")
        split = _split_title(work, "container_title") if sub else None
        if sub and split is not None:
            out[name] = FieldValue(latex.encode_rich(split[0], ascii=ascii))
            out[sub] = FieldValue(latex.encode_rich(split[1], ascii=ascii))
        else:
            put(name, "container_title")
    if work_type_for(kind) is not work.type and "entrysubtype" not in work.extra:
        # A CSL type the entry type does not give back: BibLaTeX's entrysubtype says it.
        subtype = _SUBTYPES.get(work.type, work.type.value)
        if work_type_for(kind, {"entrysubtype": subtype}) is work.type:
            out["entrysubtype"] = FieldValue(subtype)
    put("shortjournal", "container_title_short")
    put("origtitle", "original_title")
    put("eventtitle", "event_title")
    put("series", "collection_title")

    if work.issued is not None:
        _date_fields(work.issued, prefs.get("issued"), biblatex, out)

    put("volume", "volume")
    put("volumes", "number_of_volumes")
    article = work.type in _ARTICLE_TYPES or kind == "article"
    if work.issue is not None:
        put(prefs.get("issue") or ("number" if article else "issue"), "issue")
    if work.number is not None:
        put("number", "number")
    if work.collection_number is not None:
        put(prefs.get("collection_number", "number"), "collection_number")
    if work.page is not None:
        out["pages"] = FieldValue(latex.encode_plain(work.page, ascii=ascii).replace("-", "--"))
    put("pagetotal", "number_of_pages")
    put("edition", "edition")

    if work.publisher is not None:
        name = prefs.get("publisher")
        if name is None:
            if kind in ("phdthesis", "mastersthesis"):
                name = "school"
            elif kind in ("thesis", "report", "techreport"):
                name = "institution"
            else:
                name = "publisher"
        put(name, "publisher")
    if work.publisher_place is not None:
        put(
            prefs.get("publisher_place") or ("location" if biblatex else "address"),
            "publisher_place",
        )
    put("venue", "event_place")
    if work.event_date is not None:
        out["eventdate"] = FieldValue(str(work.event_date))
    if work.original_date is not None:
        out["origdate"] = FieldValue(str(work.original_date))

    if work.genre is not None:
        genre = work.genre
        if kind in ("thesis", "report") and genre in _GENRE_KEYS:
            out["type"] = FieldValue(_GENRE_KEYS[genre])
        elif _DEFAULT_GENRE.get(kind) != genre:
            out["type"] = FieldValue(latex.encode_plain(genre, ascii=ascii))
    put("medium", "medium")

    for attr, name in (("doi", "doi"), ("isbn", "isbn"), ("issn", "issn")):
        value = getattr(work, attr)
        if value is not None:
            out[name] = _verbatim(value)
    if work.url is not None:
        if prefs.get("url") == "howpublished":
            out["howpublished"] = FieldValue("\\url{" + _balance(work.url) + "}")
        else:
            out["url"] = _verbatim(work.url)
    if work.accessed is not None:
        out["urldate"] = FieldValue(str(work.accessed))
    if work.arxiv is not None:
        out["eprint"] = _verbatim(work.arxiv)
        scheme = prefs.get("arxiv") or ("eprinttype" if biblatex else "archiveprefix")
        out[scheme] = FieldValue("arxiv" if scheme == "eprinttype" else "arXiv")
    for attr in ("pmid", "pmcid"):
        value = getattr(work, attr)
        if value is None:
            continue
        if prefs.get(attr) in ("eprinttype", "archiveprefix") and "eprint" not in out:
            out["eprint"] = _verbatim(value)
            out[prefs[attr]] = FieldValue("pubmed" if attr == "pmid" else attr)
        else:
            out[attr] = _verbatim(value)

    if work.language is not None:
        name = prefs.get("language")
        code = work.language.lower()
        if name == "langid" or (name is None and biblatex and code in _BABEL_FOR_CODE):
            out["langid"] = FieldValue(
                _BABEL_FOR_CODE.get(code) or latex.encode_plain(work.language, ascii=ascii)
            )
        else:
            put("language", "language")
    if work.keywords:
        out["keywords"] = FieldValue(
            ", ".join(latex.encode_plain(k, ascii=ascii) for k in work.keywords)
        )
    put("note", "note")
    put("abstract", "abstract")
    for variable, name in _VARIABLE_FIELDS.items():
        value = work.variables.get(variable)
        if value is not None and name not in out and str(value).strip():
            out[name] = FieldValue(latex.encode_plain(str(value), ascii=ascii))
    for variable, value in work.variables.items():
        if variable not in _CSL_ONLY_FIELDS or not _text_value(value):
            continue
        if variable == "citation-key" and value == work.key:
            continue  # the entry's key says it
        name = variable.lower()
        if name not in out and name not in work.extra:
            out[name] = _verbatim(str(value))
    for name, value in work.extra.items():
        lower = name.lower()
        if lower == "entrytype" or lower in out or not _FIELD_NAME.fullmatch(lower):
            continue
        out[lower] = _verbatim(str(value))
    return out


def _text_value(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _check_key(key: str) -> None:
    if not _KEY_CHARS.fullmatch(key):
        bad = next((c for c in key if not _KEY_CHARS.fullmatch(c)), " ")
        raise FormatError(f"citation key {key!r} cannot be written in BibTeX: it contains {bad!r}")


def _delimit(value: FieldValue, original: str | None = None) -> str:
    if value.bare:
        return value.body
    body = value.body
    if original is not None:
        source = original.strip()
        if source.startswith('"') and '"' not in body:
            return '"' + body + '"'
        if source.isdigit() and body.isdigit():
            return body
    return "{" + body + "}"


HINT_KEY = "bibtex"
"""The key of :attr:`Work.hints` under which the BibTeX reader notes the entry's
dialect and field names."""


def encode_hint(biblatex: bool, prefs: Mapping[str, str]) -> str:
    """An entry's dialect and the field names its attributes came from, as a
    short text kept in ``Work.hints["bibtex"]``: "biblatex;issued=date;..."."""
    names = ";".join(
        f"{attr}={name}"
        for attr, name in sorted(prefs.items())
        if attr != name or attr == "subtitle"
    )
    return ("biblatex" if biblatex else "bibtex") + (";" + names if names else "")


def decode_hint(hint: str | None) -> tuple[bool | None, dict[str, str]]:
    """The dialect (None if unknown) and field names of :func:`encode_hint`'s text."""
    if not hint:
        return None, {}
    head, *pairs = hint.split(";")
    prefs: dict[str, str] = {}
    for pair in pairs:
        attr, sep, name = pair.partition("=")
        if sep and _FIELD_NAME.fullmatch(name) and attr.replace("_", "").isalpha():
            prefs[attr] = name
    dialect = {"biblatex": True, "bibtex": False}.get(head)
    return dialect, prefs


def format_entry(
    work: Work,
    *,
    biblatex: bool | None = False,
    ascii: bool = False,
    indent: str = "  ",
    newline: str = "\n",
) -> str:
    """One work as a clean BibTeX (or, with ``biblatex``, BibLaTeX) entry.

    With ``biblatex=None`` the work is written in the dialect and with the
    field names it was read with (``work.hints["bibtex"]``), BibTeX if unknown;
    a work read from BibTeX, converted to CSL-JSON and back, gets its own
    fields again. Raises :class:`~citekit.FormatError` for a key BibTeX cannot hold.
    """
    _check_key(work.key)
    dialect, prefs = decode_hint(work.hints.get(HINT_KEY))
    if biblatex is None:
        biblatex = bool(dialect)
    elif dialect is not None and dialect != biblatex:
        prefs = {}  # the names of the other dialect do not apply
    kind = entry_type_for(work, biblatex=biblatex)
    fields = render_fields(work, entry_type=kind, biblatex=biblatex, ascii=ascii, prefs=prefs)
    lines = [f"@{kind}{{{work.key},"]
    items = list(fields.items())
    for index, (name, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"{indent}{name} = {_delimit(value)}{comma}")
    lines.append("}")
    return newline.join(lines)


# --- writing a library ---------------------------------------------------------------------

_ACRONYM_FIELDS = frozenset({"doi", "isbn", "issn", "url", "pmid", "pmcid"})


def _style_name(entry: EntryOrigin, name: str) -> str:
    """A new field name in the case style of the entry's own names."""
    names = [f.name for f in entry.fields if f.name[:1].isalpha()]
    if not names or all(n == n.lower() for n in names):
        return name
    if all(n == n.upper() for n in names):
        return name.upper()
    capitalised = sum(1 for n in names if n[:1].isupper())
    if capitalised * 2 >= len(names):
        return name.upper() if name in _ACRONYM_FIELDS else name.capitalize()
    return name


def _style_type(written: str, kind: str) -> str:
    if written and written == written.upper() and written != written.lower():
        return kind.upper()
    if written[:1].isupper():
        return _TYPE_CAPITALS.get(kind, kind.capitalize())
    return kind


def _new_lead(entry: EntryOrigin, name: str) -> str:
    """The text before a new field's value, aligned like the entry's other fields."""
    template = entry.fields[-1].lead
    stripped = template.lstrip()
    prefix = template[: len(template) - len(stripped)]
    eq = stripped.find("=")
    if eq < 0:
        return f"{prefix}{name} = "
    after = stripped[eq + 1 :]
    indent = prefix.rsplit("\n", 1)[-1]
    columns = []
    for field in entry.fields:
        lead = field.lead.lstrip()
        position = lead.find("=")
        if position > 0:
            line_start = field.lead[: len(field.lead) - len(lead)].rsplit("\n", 1)[-1]
            columns.append(len((line_start + lead[:position]).expandtabs(8)))
    mid = stripped[len(entry.fields[-1].name) : eq]
    if columns and max(columns) == min(columns):
        target = columns[0]
        width = len((indent + name).expandtabs(8))
        if "\t" in mid:
            pad = ""
            while width < target:
                width = (width // 8 + 1) * 8
                pad += "\t"
            if not pad:
                pad = " "
        else:
            pad = " " * max(1, target - width)
        return f"{prefix}{name}{pad}={after}"
    return f"{prefix}{name}{mid}={after}"


def _rewrite_entry(entry: EntryOrigin, work: Work, origin: BibtexOrigin) -> str:
    """A changed entry, rewritten in its own layout: the diff stays inside it."""
    ascii = origin.encoding != "utf-8"
    biblatex = entry.biblatex
    before = entry.work
    if entry.head is None or not entry.fields or before is None:
        return format_entry(work, biblatex=biblatex, ascii=ascii, newline=origin.newline)
    old_kind = entry.entry_type.lower()
    head = entry.head
    prefs = dict(entry.prefs)
    kind = old_kind
    if (
        work.type is not before.type
        or work.genre != before.genre
        or work.extra.get("entrytype") != before.extra.get("entrytype")
    ):
        kind = entry_type_for(work, biblatex=biblatex)
        if kind != old_kind:
            m = _HEAD.match(head)
            if m:
                styled = _style_type(entry.entry_type, kind)
                head = head[: m.start(1)] + styled + head[m.end(1) :]
        if work.type is not before.type:
            prefs = {
                k: v
                for k, v in prefs.items()
                if k in ("issued", "publisher_place", "language", "url", "subtitle")
            }
    old = render_fields(
        before, entry_type=old_kind, biblatex=biblatex, ascii=ascii, prefs=entry.prefs
    )
    new = render_fields(work, entry_type=kind, biblatex=biblatex, ascii=ascii, prefs=prefs)
    pieces: list[list[str]] = []  # [lead, value, trail]
    seen: set[str] = set()
    for field in entry.fields:
        lower = field.lower
        if lower in seen or not _FIELD_NAME.fullmatch(field.name):
            pieces.append([field.lead, field.raw, field.trail])
            continue
        seen.add(lower)
        if lower in new:
            if lower in old and old[lower] == new[lower]:
                pieces.append([field.lead, field.raw, field.trail])
            else:
                pieces.append([field.lead, _delimit(new[lower], field.raw), field.trail])
        elif lower in old:
            continue  # removed
        else:
            pieces.append([field.lead, field.raw, field.trail])
    for name, value in new.items():
        if name in seen or (name in old and old[name] == value):
            continue
        lead = _new_lead(entry, _style_name(entry, name))
        pieces.append([lead, _delimit(value), ""])
    trailing_comma = bool(entry.fields[-1].trail)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        if not last and "," not in piece[2]:
            piece[2] = piece[2] + ","
        elif last and not trailing_comma:
            piece[2] = piece[2].replace(",", "")
        elif last and "," not in piece[2]:
            piece[2] = piece[2] + ","
    if not pieces:
        return format_entry(work, biblatex=biblatex, ascii=ascii, newline=origin.newline)
    return head + "".join("".join(piece) for piece in pieces) + entry.tail


def _renamed_head(text: str, old: str, new: str) -> str:
    """An entry's text with its key ``old`` replaced by ``new`` in its head."""
    match = _HEAD.match(text)
    if match is None:
        return text
    start = match.end()
    while start < len(text) and text[start].isspace():
        start += 1
    if text.startswith(old, start):
        return text[:start] + new + text[start + len(old) :]
    return text


def _matches(work: Work, pool: list[Work]) -> bool:
    """Remove ``work`` from ``pool`` (by identity, else by equality); True if it was there."""
    for index, candidate in enumerate(pool):
        if candidate is work:
            del pool[index]
            return True
    for index, candidate in enumerate(pool):
        if candidate == work:
            del pool[index]
            return True
    return False


def _join_pieces(pieces: list[tuple[bool, str | None]]) -> list[str]:
    """The kept pieces, with the blank text around each removed block tidied:
    the gap after it goes, or the gap before it when it ended the file."""
    count = len(pieces)
    dropped = [False] * count

    def blank(index: int) -> bool:
        is_text, text = pieces[index]
        return is_text and text is not None and not text.strip()

    for index, (is_text, text) in enumerate(pieces):
        if is_text or text is not None:
            continue
        after = index + 1 if index + 1 < count and blank(index + 1) else None
        before = index - 1
        while before >= 0 and (dropped[before] or pieces[before] == (False, None)):
            before -= 1
        before_blank = before >= 0 and blank(before)
        if after is not None and after == count - 1 and before_blank:
            dropped[before] = True
        elif after is not None:
            dropped[after] = True
        elif index == count - 1 and before_blank:
            dropped[before] = True
    return [
        text
        for (_, text), drop in zip(pieces, dropped, strict=True)
        if text is not None and not drop
    ]


def write_library(library: Library, *, biblatex: bool | None = None, ascii: bool = False) -> str:
    """A library as BibTeX text: in place of its source when it was read from
    BibTeX (see the module docstring), else as clean entries."""
    origin = library.origin if isinstance(library.origin, BibtexOrigin) else None
    newline = origin.newline if origin else "\n"
    # New works are written in their own dialect when they carry one (a work read
    # from BibTeX and converted), else in the file's.
    use_biblatex: bool | None = biblatex
    if biblatex is None and origin is not None:
        use_biblatex = origin.biblatex
    use_ascii = ascii or bool(origin and origin.encoding != "utf-8")
    out: list[str] = []
    written: set[str] = set()
    duplicates = list(library.duplicates)
    excerpts_written: set[str] = set()
    if origin is not None:
        renames = library.renames()
        pieces: list[tuple[bool, str | None]] = []  # (is text, text or None if removed)
        for segment in origin.segments:
            text: str | None = None
            if segment.kind == "text":
                pieces.append((True, segment.text))
                continue
            if segment.kind == "entry" and segment.entry is not None:
                entry = segment.entry
                key = entry.key
                if key in renames and renames[key] not in written:
                    key = renames[key]  # renamed since read: rewritten in place
                work = library[key] if key in library and key not in written else None
                if work is not None:
                    written.add(key)
                    if work is entry.work or work == entry.work:
                        text = segment.text
                    else:
                        text = _rewrite_entry(entry, work, origin)
                        if key != entry.key:
                            text = _renamed_head(text, entry.key, key)
            elif segment.kind == "duplicate" and segment.duplicate is not None:
                if _matches(segment.duplicate, duplicates):
                    text = segment.text
            elif segment.kind == "excerpt" and segment.excerpt is not None:
                current = library.excerpts.get(segment.excerpt.id)
                if current is not None and current.id not in excerpts_written:
                    excerpts_written.add(current.id)
                    if current == segment.excerpt:
                        text = segment.text
                    else:
                        text = format_excerpt(current, newline)
            pieces.append((False, text))
        out = _join_pieces(pieces)
    blocks = [
        format_entry(work, biblatex=use_biblatex, ascii=use_ascii, newline=newline)
        for key, work in library.items()
        if key not in written
    ]
    blocks.extend(
        format_entry(work, biblatex=use_biblatex, ascii=use_ascii, newline=newline)
        for work in duplicates
    )
    blocks.extend(
        format_excerpt(excerpt, newline)
        for excerpt_id, excerpt in library.excerpts.items()
        if excerpt_id not in excerpts_written
    )
    text = "".join(out)
    if blocks:
        if text and not text.endswith("\n"):
            text += newline
        if text and not text.endswith("\n" + newline) and not text.endswith("\n\n"):
            text += newline
        text += (newline + newline).join(blocks) + newline
    return text


def replace_values(
    origin: BibtexOrigin, changes: Mapping[tuple[str, str], tuple[str, str]]
) -> tuple[str, list[tuple[str, str]]]:
    """The source text with some fields' values replaced where they stand.

    ``changes`` maps (citation key, field name in lowercase) to (the value's
    source text as read, its new source text); the first field of that name in
    the entry is changed, and only when its source text is still the old one.
    Every other byte of the file stays as it was. Returns the new text and the
    (key, field) pairs that were changed.
    """
    edits: list[tuple[int, int, str, tuple[str, str]]] = []
    for (key, name), (old, new) in changes.items():
        entry = origin.entries.get(key)
        if entry is None or entry.spans is None:
            continue
        spans = entry.spans
        raw = entry.raw
        for i in range(1, len(spans), _SPAN_WIDTH):
            name_start, name_end, value_start, value_end, _ = spans[i : i + _SPAN_WIDTH]
            if raw[name_start:name_end].lower() != name:
                continue
            if raw[value_start:value_end] == old:
                edits.append((entry.start + value_start, entry.start + value_end, new, (key, name)))
            break
    edits.sort()
    pieces: list[str] = []
    done: list[tuple[str, str]] = []
    at = 0
    for start, end, new, which in edits:
        pieces.append(origin.text[at:start])
        pieces.append(new)
        at = end
        done.append(which)
    pieces.append(origin.text[at:])
    return "".join(pieces), done


def encode_text(origin: BibtexOrigin, text: str) -> bytes:
    """Source text in the file's own encoding, with its byte-order mark if it had one."""
    data = text.encode(origin.encoding)
    return b"\xef\xbb\xbf" + data if origin.bom else data


#: A UTF-8 sequence of two to four bytes (to tell a file that mixes encodings).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
#: Bytes Windows-1252 leaves undefined (Latin-1 reads them as C1 controls too).
_UNDEFINED_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _single_byte_encoding(body: bytes) -> tuple[str, str]:
    """(codec, name) for a file that is not UTF-8: Windows-1252 or Latin-1.

    Bytes 0x80-0x9f are control characters in Latin-1 but curly quotes,
    dashes and the euro sign in Windows-1252, the encoding such files
    almost always come from: when the file has some and Windows-1252 defines
    them all, it is read (and written back) as Windows-1252; otherwise as
    Latin-1. Both map every byte to one character and back, so the file's
    bytes survive unchanged either way.
    """
    high = {byte for byte in body if 0x80 <= byte <= 0x9F}
    if high and not high & _UNDEFINED_1252:
        return "cp1252", "Windows-1252"
    return "latin-1", "Latin-1"


def _where(text: str, offset: int) -> str:
    """Where an offset of written BibTeX text is: entry, field and line, in parentheses."""
    line = text.count("\n", 0, offset) + 1
    before = text[:offset]
    entries = list(re.finditer(r"@\s*[A-Za-z]+\s*[{(]\s*([^,\s]*)\s*,", before))
    entry = entries[-1] if entries else None
    fields = (
        list(re.finditer(r"(?:^|[,\s])([A-Za-z][\w:.-]*)\s*=", before[entry.end() :]))
        if entry is not None
        else []
    )
    field = fields[-1] if fields else None
    parts = []
    if entry is not None:
        parts.append(f"entry {entry.group(1)!r}")
    if field is not None:
        parts.append(f"field {field.group(1).lower()!r}")
    parts.append(f"line {line} of the output")
    return f" ({', '.join(parts)})"


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, and resumed after (if it was on).

    Reading makes tens of thousands of objects that all stay alive and form no
    cycles; the collector would walk them again and again as they are made
    (a quarter of the reading time of a large file). Paused, it walks them
    once, later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def kept_as(variable: str) -> list[str]:
    """The fields a CSL variable is written as (read back into ``Work.extra``)."""
    name = _VARIABLE_FIELDS.get(variable)
    return [name] if name else [variable.lower()]


def bibtex_losses(
    library: Library, *, biblatex: bool | None = None, format_name: str = "BibTeX"
) -> list[Loss]:
    """The losses of writing ``library`` as BibTeX (see :meth:`BibtexFormat.losses`)."""
    text = write_library(library, biblatex=biblatex)
    with _collector_paused():
        again = _Reader(None).read(text.encode("utf-8"))
    return compare(
        format_name,
        [*library.values(), *library.duplicates],
        [*again.values(), *again.duplicates],
        kept_fields=kept_as,
    )


class BibtexFormat:
    """The ``bibtex`` format plug-in: ``.bib`` files, BibTeX and BibLaTeX."""

    name = "bibtex"
    extensions = (".bib", ".bibtex", ".biblatex")

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read a library; problems go to ``library.problems``, never raised."""
        with _collector_paused():
            return _Reader(path).read(data)

    def losses(self, library: Library) -> list[Loss]:
        """What writing ``library`` as BibTeX loses: what does not read back the same.

        Found by writing the library and reading it back: every field,
        variable and distinction that does not return equal is named (a CSL
        variable written as a field of its own name counts as kept).
        """
        return bibtex_losses(library)

    def write(self, library: Library) -> bytes:
        """Serialise a library (in place of its source when it came from BibTeX)."""
        text = write_library(library)
        origin = library.origin if isinstance(library.origin, BibtexOrigin) else None
        encoding = origin.encoding if origin else "utf-8"
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError as error:
            raise FormatError(
                f"cannot write {text[error.start : error.end]!r} in {encoding}"
                f"{_where(text, error.start)}: the file is not UTF-8, and the character"
                " has no LaTeX command citekit could write instead"
            ) from None
        if origin is not None and origin.bom:
            data = b"\xef\xbb\xbf" + data
        return data
