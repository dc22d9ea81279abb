"""Find the works of a library that are one work under several keys.

:func:`find_duplicates` compares works on normalised values: identifiers
(a DOI with or without its resolver, an ISBN-10 and its ISBN-13, PMID,
PMCID, arXiv id), and titles, creators and years with case, accents,
punctuation, ``&``/``and``, initials and full given names, subtitles and
abbreviated journal names smoothed out. Evidence that two works differ vetoes
a match however alike they look: different DOIs or ISBNs, different volumes,
editions or parts, a correction, reply or review of a work, a chapter and the
book that holds it, another translation, years more than one apart, no creator
in common, or a pair the writer has judged different (see
:class:`NotDuplicates`).

Candidates come from blocking: works are only compared when they share a
normalised identifier, a normalised main title, or a first creator and year,
so the work grows with the size of the library, not with its square.

>>> from citekit import Library, Person, Work, Date
>>> a = Work(key="a", title="Labor Contracts as Partial Gift Exchange",
...          contributors={"author": [Person(family="Akerlof", given="George A.")]},
...          issued=Date.of(1982))
>>> b = Work(key="b", title="Labor contracts as partial gift-exchange",
...          contributors={"author": [Person(family="Akerlof", given="G.")]},
...          issued=Date.of(1982))
>>> find_duplicates(Library([a, b]))[0].keys
('a', 'b')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import attrs

from citekit.model import identifiers as ids
from citekit.model.library import Library
from citekit.model.merging import comparable
from citekit.model.persons import Person
from citekit.model.work import Work, WorkType

__all__ = [
    "COMPARED_FIELDS",
    "DuplicateGroup",
    "NotDuplicates",
    "find_duplicates",
    "journals_compatible",
    "normalize_text",
    "not_duplicates_path",
    "zotero_duplicates",
]

#: Blocks larger than this are not compared pairwise (a title such as
#: "Introduction" shared by hundreds of works says nothing).
MAX_BLOCK = 64

#: The Work attributes compared for conflicts, in report order.
COMPARED_FIELDS: tuple[str, ...] = (
    "type",
    "title",
    "title_short",
    "container_title",
    "collection_title",
    "collection_number",
    "author",
    "editor",
    "translator",
    "issued",
    "volume",
    "issue",
    "number",
    "page",
    "edition",
    "publisher",
    "publisher_place",
    "doi",
    "isbn",
    "issn",
    "url",
    "pmid",
    "pmcid",
    "arxiv",
    "language",
)


# -- normalisation -----------------------------------------------------------------

_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\s*|\\.")
_NON_WORD = re.compile(r"[^\w]+")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an|le|la|les|l|der|die|das|el|los|las|il)\s+")


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """``text`` for comparison: LaTeX commands and braces dropped, accents
    removed, case folded, ``&`` read as ``and``, punctuation as spaces.

    >>> normalize_text("Économie & {\\\\em Société}: essais")
    'economie and societe essais'
    """
    text = _LATEX_COMMAND.sub("", text).replace("{", "").replace("}", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace("ß", "ss").replace("æ", "ae")
    text = text.replace("ø", "o").replace("œ", "oe").replace("ł", "l").replace("_", " ")
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(_NON_WORD.sub(" ", text).split())


_SUBTITLE = re.compile(r"\s*(?::|\?|!|\.\s|\s[-\u2013\u2014]+\s|--)\s*")


def _titles(title: str | None) -> tuple[str, str]:
    """(whole title, main title) normalised, without a leading article."""
    if not title:
        return "", ""
    whole = _LEADING_ARTICLE.sub("", normalize_text(title))
    head = _SUBTITLE.split(title.strip(), maxsplit=1)[0]
    main = _LEADING_ARTICLE.sub("", normalize_text(head)) or whole
    return whole, main


_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$")
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "first": "1",
    "second": "2",
    "third": "3",
    "fourth": "4",
    "fifth": "5",
}
_PART_WORDS = frozenset({"part", "vol", "volume", "book", "band", "tome", "teil", "no", "number"})


def _roman_value(word: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for index, ch in enumerate(word):
        value = values[ch]
        if index + 1 < len(word) and values[word[index + 1]] > value:
            total -= value
        else:
            total += value
    return total


def _title_numbers(normalised: str) -> tuple[frozenset[str], frozenset[str]]:
    """(all numbers, part numbers) of a title. Numbers are digits, roman
    numerals (but a lone "i") and number words after "part", "volume",
    "book"; part numbers are those after such a word, roman numerals, and
    short numbers ending the title ("Networks II", "volume 3")."""
    words = normalised.split()
    found: set[str] = set()
    parts: set[str] = set()
    for index, word in enumerate(words):
        after_part = index > 0 and words[index - 1] in _PART_WORDS
        value: str | None = None
        if word.isdigit():
            value = str(int(word))
            if after_part or (index == len(words) - 1 and len(word) <= 2):
                parts.add(value)
        elif len(word) > 1 and _ROMAN.match(word) and word not in ("mix", "dix", "civil", "mi"):
            value = str(_roman_value(word))
            parts.add(value)
        elif after_part and (word in _NUMBER_WORDS or word == "i"):
            value = _NUMBER_WORDS.get(word, "1")
            parts.add(value)
        if value is not None:
            found.add(value)
    return frozenset(found), frozenset(parts)


_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th|e|er|re|ème|eme|\.)?$")
_EDITION_WORDS = {
    "first": "1",
    "second": "2",
    "third": "3",
    "fourth": "4",
    "fifth": "5",
    "sixth": "6",
    "seventh": "7",
    "eighth": "8",
    "ninth": "9",
    "tenth": "10",
}


def _edition(value: str | None) -> str | None:
    """An edition as a number when it says one ("2nd ed." -> "2"), else normalised."""
    if not value:
        return None
    text = normalize_text(value)
    for word in text.split():
        match = _ORDINAL.match(word)
        if match:
            return str(int(match.group(1)))
        if word in _EDITION_WORDS:
            return _EDITION_WORDS[word]
    return text or None


_PAGE_NUMBER = re.compile(r"\d+")


def _pages(value: str | None) -> tuple[int, int] | None:
    """The first and last page of a range ("1411-54" -> (1411, 1454)), or None."""
    if not value:
        return None
    numbers = _PAGE_NUMBER.findall(value)
    if not numbers or len(numbers) > 2:
        return None
    first = int(numbers[0])
    if len(numbers) == 1:
        return first, first
    last_text = numbers[1]
    if len(last_text) < len(numbers[0]):
        last_text = numbers[0][: len(numbers[0]) - len(last_text)] + last_text
    last = int(last_text)
    return (first, last) if last >= first else (first, first)


def _volume(value: str | None) -> str | None:
    if not value:
        return None
    text = normalize_text(value)
    text = re.sub(r"^(?:vol|volume|v|bd|band|tome|t)\s+", "", text)
    if text.isdigit():
        return str(int(text))
    if _ROMAN.match(text) and text:
        return str(_roman_value(text))
    return text or None


_JOURNAL_STOP = frozenset({"of", "the", "and", "for", "in", "on", "a", "an", "de", "la", "le"})


def _journal_words(value: str) -> list[str]:
    return [w for w in normalize_text(value).split() if w not in _JOURNAL_STOP]


def journals_compatible(a: str, b: str) -> bool:
    """Whether two container titles can name one journal: equal once
    normalised, one an abbreviation of the other (``Am. J. Sociol.`` for
    ``American Journal of Sociology``) or its acronym (``AJS``).

    >>> journals_compatible("Q. J. Econ.", "Quarterly Journal of Economics")
    True
    >>> journals_compatible("American Sociological Review", "American Journal of Sociology")
    False
    """
    wa, wb = _journal_words(a), _journal_words(b)
    if not wa or not wb or wa == wb:
        return True
    if len(wa) > len(wb):
        wa, wb = wb, wa
    if (
        len(wa) == 1
        and len(wa[0]) == len(wb)
        and all(w[0] == c for w, c in zip(wb, wa[0], strict=True))
    ):
        return True  # an acronym
    if len(wa) != len(wb):
        return False
    pairs = list(zip(wa, wb, strict=True))
    return all(_abbreviates(x, y) or _abbreviates(y, x) for x, y in pairs)


def _abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` abbreviates ``long``: same first letter, then its letters
    in order ("natl" for "national", "sociol" for "sociology")."""
    if not short or not long or short[0] != long[0] or len(short) > len(long):
        return False
    position = 1
    for ch in short[1:]:
        position = long.find(ch, position) + 1
        if position == 0:
            return False
    return True


_ABBREVIATED = re.compile(r"\b\w+\.|\b[A-Z]{2,}\b")


def _looks_abbreviated(container: str) -> bool:
    """Whether a container title is written with abbreviations ("J. Econ.", "AJS")."""
    return bool(_ABBREVIATED.search(container))


#: "Mueller" and "Müller" (read "muller"): a vowel written with a trailing e.
_GERMAN_VOWELS = re.compile(r"([aou])e")


@attrs.frozen
class _Name:
    family: str
    initial: str


def _person_name(person: Person) -> _Name | None:
    if person.literal:
        text = normalize_text(person.literal)
        return _Name(text, "") if text else None
    family = _GERMAN_VOWELS.sub(r"\1", normalize_text(person.full_family or ""))
    # "de Gaulle" and "Gaulle", "Saint-Simon" and "Saint Simon": compare the
    # family name's last word, its particles aside.
    words = family.split()
    if not words:
        return None
    given = normalize_text(person.given or "")
    return _Name(words[-1], given[:1])


def _names_match(a: _Name, b: _Name) -> bool:
    return a.family == b.family and (not a.initial or not b.initial or a.initial == b.initial)


_CORRECTION = re.compile(
    r"^(?:correction|corrigendum|corrigenda|erratum|errata|retraction|retracted"
    r"|expression of concern|reply|response|rejoinder|comment|comments|review"
    r"|book review|a review|addendum|notice of retraction)\b"
)
_NOTICE_KINDS = {
    "correction": "correction",
    "corrigendum": "correction",
    "corrigenda": "correction",
    "erratum": "correction",
    "errata": "correction",
    "addendum": "correction",
    "retraction": "retraction",
    "retracted": "retraction",
    "notice of retraction": "retraction",
    "expression of concern": "retraction",
    "reply": "reply",
    "response": "reply",
    "rejoinder": "reply",
    "comment": "comment",
    "comments": "comment",
    "review": "review",
    "book review": "review",
    "a review": "review",
}


def _corrective(title: str, work_type: WorkType) -> str:
    """The kind of notice a title announces ("correction", "reply", "review"...), or ""."""
    match = _CORRECTION.match(title)
    if match:
        return _NOTICE_KINDS.get(match.group(0), match.group(0))
    return "review" if work_type in _REVIEW_TYPES else ""


_CHAPTER_TYPES = frozenset(
    {
        WorkType.CHAPTER,
        WorkType.ENTRY,
        WorkType.ENTRY_DICTIONARY,
        WorkType.ENTRY_ENCYCLOPEDIA,
        WorkType.PAPER_CONFERENCE,
    }
)
_BOOK_TYPES = frozenset({WorkType.BOOK, WorkType.COLLECTION, WorkType.PERIODICAL})
_ARTICLE_TYPES = frozenset(
    {WorkType.ARTICLE_JOURNAL, WorkType.ARTICLE_MAGAZINE, WorkType.ARTICLE_NEWSPAPER}
)
_PART_TYPES = _CHAPTER_TYPES | _ARTICLE_TYPES
_REVIEW_TYPES = frozenset({WorkType.REVIEW, WorkType.REVIEW_BOOK})
#: Fields naming other works (an entry's ``ids`` are its own other keys: not here).
_LINK_FIELDS = ("crossref", "xref", "related")


@attrs.frozen(eq=False)
class _Facts:
    """What is compared of one work, normalised once."""

    key: str
    work: Work
    title: str
    main: str
    numbers: frozenset[str]
    parts: frozenset[str]
    corrective: str
    names: tuple[_Name, ...]
    first: _Name | None
    year: int | None
    dois: frozenset[str]
    isbns: frozenset[str]
    pmids: frozenset[str]
    pmcids: frozenset[str]
    arxivs: frozenset[str]
    volume: str | None
    pages: tuple[int, int] | None
    edition: str | None
    container: str
    language: str | None
    translators: tuple[_Name, ...]
    links: frozenset[str]


def _split(value: str | None) -> list[str]:
    return ids.split_identifiers(value) if value else []


def _keys(value: str | None, key_of: Any) -> frozenset[str]:
    out = set()
    for piece in _split(value):
        key = key_of(piece)
        if key:
            out.add(key)
    return frozenset(out)


_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)


def _url_doi(url: str | None) -> frozenset[str]:
    """The DOI of a ``https://doi.org/...`` URL (an entry with no DOI field)."""
    if not url or not _DOI_URL.match(url.strip()):
        return frozenset()
    key = ids.doi_key(url)
    return frozenset({key}) if key else frozenset()


def _language(value: str | None) -> str | None:
    if not value:
        return None
    text = normalize_text(value)
    text = _LANGUAGES.get(text, text)
    return text.split()[0][:2] if text else None


#: babel and polyglossia names of languages (biblatex's langid) as ISO 639-1 codes.
_LANGUAGES = {
    **dict.fromkeys(["english", "american", "british", "usenglish", "ukenglish"], "en"),
    **dict.fromkeys(["australian", "canadian", "newzealand", "en us", "en gb"], "en"),
    **dict.fromkeys(["german", "ngerman", "austrian", "naustrian", "swissgerman"], "de"),
    **dict.fromkeys(["nswissgerman", "deutsch"], "de"),
    **dict.fromkeys(["french", "francais", "acadian", "canadien"], "fr"),
    **dict.fromkeys(["spanish", "espanol", "castilian"], "es"),
    **dict.fromkeys(["italian", "italiano"], "it"),
    **dict.fromkeys(["portuguese", "portuges", "brazil", "brazilian"], "pt"),
    **dict.fromkeys(["dutch", "nederlands"], "nl"),
    **dict.fromkeys(["russian"], "ru"),
    **dict.fromkeys(["swedish"], "sv"),
    **dict.fromkeys(["danish"], "da"),
    **dict.fromkeys(["norwegian", "norsk", "nynorsk"], "no"),
    **dict.fromkeys(["polish"], "pl"),
    **dict.fromkeys(["japanese"], "ja"),
    **dict.fromkeys(["chinese"], "zh"),
}


def _facts(work: Work) -> _Facts:
    title, main = _titles(work.title)
    numbers, parts = _title_numbers(title)
    creators = work.authors or work.editors or work.names("container-author")
    names = tuple(n for n in (_person_name(p) for p in creators) if n is not None)
    links: set[str] = set()
    for field in _LINK_FIELDS:
        value = work.extra.get(field)
        if value:
            links.update(k.strip() for k in value.split(",") if k.strip())
    return _Facts(
        key=work.key,
        work=work,
        title=title,
        main=main,
        numbers=numbers,
        parts=parts,
        corrective=_corrective(title, work.type),
        names=names,
        first=names[0] if names else None,
        year=work.year,
        dois=_keys(work.doi, ids.doi_key) or _url_doi(work.url),
        isbns=_keys(work.isbn, ids.isbn_key),
        pmids=_keys(work.pmid, ids.pmid_key),
        pmcids=_keys(work.pmcid, ids.pmcid_key),
        arxivs=_keys(work.arxiv, ids.arxiv_key),
        volume=_volume(work.volume),
        pages=_pages(work.page),
        edition=_edition(work.edition),
        container=work.container_title or "",
        language=_language(work.language),
        translators=tuple(n for n in (_person_name(p) for p in work.translators) if n is not None),
        links=frozenset(links),
    )


# -- pairs -------------------------------------------------------------------------


def _veto(a: _Facts, b: _Facts, identified: bool) -> str | None:
    """Why ``a`` and ``b`` are different works, or None when nothing says so."""
    if a.key in b.links or b.key in a.links:
        return "one entry refers to the other (crossref, xref, related or ids)"
    if a.dois and b.dois and not a.dois & b.dois:
        return "different DOIs"
    book_like = a.work.type not in _CHAPTER_TYPES and b.work.type not in _CHAPTER_TYPES
    if a.isbns and b.isbns and not a.isbns & b.isbns and book_like:
        return "different ISBNs"
    if a.pmids and b.pmids and not a.pmids & b.pmids:
        return "different PMIDs"
    if a.arxivs and b.arxivs and not a.arxivs & b.arxivs:
        return "different arXiv ids"
    if a.volume and b.volume and a.volume != b.volume:
        # An article's volume mistyped in one entry: same title, same first page.
        same_article = (
            a.work.type in _ARTICLE_TYPES
            and b.work.type in _ARTICLE_TYPES
            and a.title == b.title
            and a.pages is not None
            and b.pages is not None
            and a.pages[0] == b.pages[0]
        )
        if not same_article:
            return "different volumes"
    one_volume = (a.volume is None) != (b.volume is None)
    if one_volume and a.work.type in _BOOK_TYPES and b.work.type in _BOOK_TYPES:
        return "one volume of a book, and the book"
    if (
        a.pages
        and b.pages
        and a.title != b.title
        and (a.pages[1] < b.pages[0] or b.pages[1] < a.pages[0])
    ):
        return "different titles on pages that do not overlap (parts of a work)"
    a_part = a.work.extra.get("part") or a.work.variables.get("part-number")
    b_part = b.work.extra.get("part") or b.work.variables.get("part-number")
    if (a_part or b_part) and _volume(str(a_part or "")) != _volume(str(b_part or "")):
        return "different parts (or one part, and the whole)"
    if (
        a.work.issue
        and b.work.issue
        and normalize_text(a.work.issue) != normalize_text(b.work.issue)
        and a.pages != b.pages
    ):
        return "different issues and pages"
    a_version = a.work.variables.get("version") or a.work.extra.get("version")
    b_version = b.work.variables.get("version") or b.work.extra.get("version")
    if a_version and b_version and normalize_text(str(a_version)) != normalize_text(str(b_version)):
        return "different versions"
    if (
        a.work.number
        and b.work.number
        and a.work.type not in _ARTICLE_TYPES
        and normalize_text(a.work.number) != normalize_text(b.work.number)
    ):
        return "different numbers (of a report, a standard, a patent...)"
    if a.edition and b.edition and a.edition != b.edition:
        return "different editions"
    only = a.edition or b.edition or "1"
    if only.isdigit() and only != "1" and not (a.edition and b.edition):
        return "a later edition, and an entry without one"
    if a.title and b.title:
        if a.parts != b.parts:
            return "different parts or volumes in the titles"
        if a.numbers and b.numbers and a.numbers != b.numbers:
            return "different numbers in the titles"
    if a.corrective != b.corrective:
        if a.corrective and b.corrective:
            return "different kinds of notice (correction, reply, review)"
        return "a correction, reply or review of a work, and the work"
    a_chapter, b_chapter = a.work.type in _CHAPTER_TYPES, b.work.type in _CHAPTER_TYPES
    if (a_chapter and b.work.type in _BOOK_TYPES) or (b_chapter and a.work.type in _BOOK_TYPES):
        return "a chapter and a book"
    if a.container and b.title and _titles(a.container)[0] == b.title:
        return "one is the container of the other"
    if b.container and a.title and _titles(b.container)[0] == a.title:
        return "one is the container of the other"
    if a.language and b.language and a.language != b.language:
        return "different languages (a translation)"
    if a.translators or b.translators:
        if not a.translators or not b.translators:
            if not identified:
                return "a translation and the original"
        elif not any(_names_match(x, y) for x in a.translators for y in b.translators):
            return "different translators"
    a_rel, b_rel = a.work.extra.get("relatedtype"), b.work.extra.get("relatedtype")
    if a_rel != b_rel:
        return "different related entries (relatedtype)"
    if identified:
        return None
    if a.year is not None and b.year is not None and abs(a.year - b.year) > 1:
        return "years more than one apart"
    if a.names and b.names and not any(_names_match(x, y) for x in a.names for y in b.names):
        return "no creator in common"
    if (
        a.container
        and b.container
        and a.work.type == b.work.type == WorkType.ARTICLE_JOURNAL
        and not journals_compatible(a.container, b.container)
        and not (_looks_abbreviated(a.container) or _looks_abbreviated(b.container))
    ):
        # an abbreviation citekit cannot expand ("PNAS") is no evidence either way
        return "different journals"
    kinds = {a.work.type, b.work.type}
    if (
        kinds == {WorkType.ARTICLE_JOURNAL, WorkType.PAPER_CONFERENCE}
        and a.container
        and b.container
    ):
        return "a conference paper and a journal article (two publications)"
    return None


def _title_similarity(a: _Facts, b: _Facts) -> tuple[float, str | None]:
    """(similarity, reason) of two titles: 1.0 equal, 0.97 one the other's main
    title (a subtitle left out), else difflib's ratio."""
    if not a.title or not b.title:
        return 0.0, None
    if a.title == b.title:
        return 1.0, "same normalised title"
    if a.main == b.main and (a.main in (a.title, b.title)) and len(a.main) >= 12:
        return 0.97, "same main title (a subtitle left out)"
    if a.main == b.main and a.main not in (a.title, b.title):
        # both have subtitles, and they differ: alike only if the subtitles are
        # ("a chart review" and "a chart review [see comments]"), not when they
        # say two things ("Theory" and "Applications")
        sub_a, sub_b = a.title[len(a.main) :], b.title[len(b.main) :]
        if difflib.SequenceMatcher(None, sub_a, sub_b, autojunk=False).ratio() < 0.6:
            return 0.0, None
    short, long = sorted((a.title, b.title), key=len)
    if len(short) >= 20 and long.startswith(short + " "):
        return 0.95, "one title begins the other (a subtitle left out)"
    ratio = difflib.SequenceMatcher(None, a.title, b.title, autojunk=False).ratio()
    if ratio >= 0.9 and not _words_alike(a.title.split(), b.title.split()):
        return 0.0, None
    return ratio, f"titles {round(ratio * 100)}% alike"


def _minor(word: str) -> bool:
    return len(word) <= 3 or word in _MINOR_WORDS


_MINOR_WORDS = frozenset(
    {"with", "from", "into", "upon", "about", "their", "there", "this", "that"}
)


def _words_alike(a: list[str], b: list[str]) -> bool:
    """Whether two near titles differ only by typos, abbreviations, small words
    or a tail, not by a word that changes the subject ("milk" and "cheese"):
    at most one such word, and only in a title of eight words or more."""
    content = max(sum(not _minor(w) for w in a), sum(not _minor(w) for w in b))
    different = 0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old, new = a[i1:i2], b[j1:j2]
        if op == "replace" and len(old) == len(new):
            for x, y in zip(old, new, strict=True):
                alike = difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() >= 0.75
                if not (alike or _abbreviates(x, y) or _abbreviates(y, x)):
                    different += not (_minor(x) and _minor(y))
        elif i2 == len(a) and j2 == len(b) and op != "replace":
            continue  # words added at the end: a tail left out
        else:
            different += sum(not _minor(w) for w in old + new)
    return different == 0 or (different == 1 and content >= 8)


def _compare(a: _Facts, b: _Facts) -> tuple[float, list[str]] | None:
    """(confidence, reasons) when ``a`` and ``b`` are one work, else None."""
    reasons: list[str] = []
    if a.dois & b.dois:
        reasons.append("same DOI")
    book_like = a.work.type not in _CHAPTER_TYPES and b.work.type not in _CHAPTER_TYPES
    if a.isbns & b.isbns and book_like:
        reasons.append("same ISBN")
    if a.pmids & b.pmids:
        reasons.append("same PMID")
    if a.pmcids & b.pmcids:
        reasons.append("same PMCID")
    if a.arxivs & b.arxivs:
        reasons.append("same arXiv id")
    identified = bool(reasons)
    if _veto(a, b, identified) is not None:
        return None
    similarity, title_reason = _title_similarity(a, b)
    if identified:
        if a.title and b.title and similarity < 0.5 and a.main != b.main:
            return None  # one identifier on two unrelated titles: a data error
        if title_reason and similarity >= 0.9:
            reasons.append(title_reason)
        return 0.99, reasons
    if not a.names or not b.names or a.first is None or b.first is None:
        return None
    if a.year is None and b.year is None:
        return None
    undated = a.year is None or b.year is None
    if undated and not _undated_agree(a, b):
        return None
    if not any(_names_match(a.first, y) for y in b.names) and not any(
        _names_match(b.first, x) for x in a.names
    ):
        return None
    if len(a.title.split()) <= 2 and (a.work.type in _PART_TYPES or b.work.type in _PART_TYPES):
        # "Introduction", "Editorial": a generic title needs its container and pages to agree
        if not (a.container and b.container and journals_compatible(a.container, b.container)):
            return None
        if a.pages != b.pages:
            return None
    threshold = 0.9 if min(len(a.title), len(b.title)) >= 30 else 0.95
    if similarity < threshold:
        return None
    assert title_reason is not None
    reasons.append(title_reason)
    reasons.append("first creator in common")
    if undated:
        reasons.append("one has no year; container, volume or pages agree")
    else:
        reasons.append("same year" if a.year == b.year else "years one apart")
    confidence = 0.95 if similarity >= 0.97 else 0.85
    if a.year != b.year:
        confidence -= 0.05 if not undated else 0.1
    return confidence, reasons


def _undated_agree(a: _Facts, b: _Facts) -> bool:
    """For a pair where one work has no year: the same type, and not a book
    (whose editions a year tells apart), and no container, volume or pages
    that disagree."""
    if a.work.type != b.work.type or a.work.type in _BOOK_TYPES:
        return False
    if a.container and b.container and not journals_compatible(a.container, b.container):
        return False
    return not (a.pages and b.pages and a.pages != b.pages)


def _blocks(facts: list[_Facts]) -> Iterator[list[_Facts]]:
    """Works that share a normalised key: identifier, main title, or first
    creator with year."""
    index: dict[tuple[str, ...], list[_Facts]] = defaultdict(list)
    for fact in facts:
        for doi in fact.dois:
            index["doi", doi].append(fact)
        for isbn in fact.isbns:
            index["isbn", isbn].append(fact)
        for pmid in fact.pmids:
            index["pmid", pmid].append(fact)
        for pmcid in fact.pmcids:
            index["pmcid", pmcid].append(fact)
        for arxiv in fact.arxivs:
            index["arxiv", arxiv].append(fact)
        if fact.main:
            index["title", fact.main].append(fact)
        if fact.first is not None:
            if fact.year is None:
                index["creator", fact.first.family, fact.title[:12]].append(fact)
            else:
                for year in (fact.year, fact.year + 1):
                    index["creator", fact.first.family, str(year)].append(fact)
    for block in index.values():
        if 1 < len(block) <= MAX_BLOCK:
            yield block


# -- groups ------------------------------------------------------------------------


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class DuplicateGroup:
    """Works that are one work under several keys.

    ``keys`` are in library order; ``reasons`` say why they match (``"same
    DOI"``, ``"same normalised title"``, ``"first creator in common"``, ...);
    ``confidence`` is between 0 and 1 (0.99 for a shared identifier, 0.95 for
    the same title, creator and year, less for near titles); ``conflicts``
    maps each field whose values differ between the works to its value in
    each work that has one (by key), as written.
    """

    keys: tuple[str, ...] = attrs.field(converter=_str_tuple)
    reasons: tuple[str, ...] = attrs.field(converter=_str_tuple)
    confidence: float
    conflicts: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)

    @property
    def by_identifier(self) -> bool:
        """Whether an identifier (DOI, ISBN, PMID, PMCID, arXiv id) matched."""
        return any(r.startswith("same ") and r[5:].split()[0] in _ID_WORDS for r in self.reasons)

    def to_json(self) -> dict[str, Any]:
        """The group as JSON-ready data."""
        return {
            "keys": list(self.keys),
            "reasons": list(self.reasons),
            "confidence": self.confidence,
            "conflicts": {f: dict(v) for f, v in self.conflicts.items()},
        }


_ID_WORDS = frozenset({"DOI", "ISBN", "PMID", "PMCID", "arXiv"})


def field_value(work: Work, name: str) -> str | None:
    """A field of ``work`` as text, for conflict reports (``"author"`` lists the
    authors, ``"issued"`` gives the date as written in ISO form)."""
    if name in ("author", "editor", "translator"):
        persons = work.names(name)
        return "; ".join(p.inverted() for p in persons) if persons else None
    if name == "issued":
        return str(work.issued) if work.issued is not None else None
    if name == "type":
        return str(work.type)
    value = getattr(work, name)
    return value if isinstance(value, str) else None


def conflicts_of(works: Iterable[Work]) -> dict[str, dict[str, str]]:
    """The fields whose values differ between ``works``: field -> key -> value
    (identifiers compare in normal form: a DOI behind a resolver is no conflict)."""
    works = list(works)
    out: dict[str, dict[str, str]] = {}
    for name in COMPARED_FIELDS:
        values = {w.key: v for w in works if (v := field_value(w, name)) is not None}
        if len({comparable(name, v) for v in values.values()}) > 1:
            out[name] = values
    return out


class _Groups:
    """Union-find over works that refuses a union vetoed by any cross pair."""

    def __init__(self, facts: list[_Facts], judged: NotDuplicates | None) -> None:
        self.parent = {f.key: f.key for f in facts}
        self.members: dict[str, list[_Facts]] = {f.key: [f] for f in facts}
        self.reasons: dict[str, list[str]] = defaultdict(list)
        self.confidence: dict[str, float] = {}
        self.judged = judged

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: _Facts, b: _Facts, confidence: float, reasons: list[str]) -> None:
        ra, rb = self.find(a.key), self.find(b.key)
        if ra == rb:
            return
        for x in self.members[ra]:
            for y in self.members[rb]:
                if self.judged is not None and self.judged.judged(x.key, y.key):
                    return
                if (x, y) != (a, b) and _veto(x, y, bool(x.dois & y.dois)) is not None:
                    return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        for reason in self.reasons.pop(rb, []) + reasons:
            if reason not in self.reasons[ra]:
                self.reasons[ra].append(reason)
        self.confidence[ra] = min(
            self.confidence.pop(rb, 1.0), self.confidence.get(ra, 1.0), confidence
        )


def find_duplicates(
    library: Library | Iterable[Work],
    *,
    not_duplicates: NotDuplicates | Iterable[tuple[str, str]] | None = None,
    only: str | None = None,
) -> list[DuplicateGroup]:
    """The groups of works in ``library`` that are one work under several keys.

    ``not_duplicates`` holds pairs of keys judged different (see
    :class:`NotDuplicates`): they are never grouped. With
    ``only="identifiers"`` (or ``"doi"``, ``"isbn"``), only works sharing
    such an identifier are grouped. Groups come in library order of their
    first key.
    """
    works = list(library.values() if isinstance(library, Library) else library)
    judged = (
        not_duplicates
        if isinstance(not_duplicates, NotDuplicates) or not_duplicates is None
        else NotDuplicates(not_duplicates)
    )
    if only not in (None, "identifiers", "doi", "isbn"):
        raise ValueError(f"only must be 'identifiers', 'doi' or 'isbn', not {only!r}")
    facts = [_facts(w) for w in works]
    order = {f.key: i for i, f in enumerate(facts)}
    pairs: dict[tuple[str, str], tuple[float, list[str], _Facts, _Facts]] = {}
    for block in _blocks(facts):
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                if a.key == b.key:
                    continue
                pair = (a.key, b.key) if order[a.key] < order[b.key] else (b.key, a.key)
                if pair in pairs or (judged is not None and judged.judged(*pair)):
                    continue
                result = _compare(a, b)
                if result is None:
                    continue
                confidence, reasons = result
                if only is not None:
                    wanted = {"doi": ("same DOI",), "isbn": ("same ISBN",)}.get(
                        only, tuple(f"same {w}" for w in ("DOI", "ISBN", "PMID", "PMCID"))
                    ) + (("same arXiv id",) if only == "identifiers" else ())
                    if not any(r in wanted for r in reasons):
                        continue
                pairs[pair] = (confidence, reasons, a, b)
    groups = _Groups(facts, judged)
    for confidence, reasons, a, b in sorted(
        pairs.values(), key=lambda p: (-p[0], order[p[2].key], order[p[3].key])
    ):
        groups.union(a, b, confidence, reasons)
    out: list[DuplicateGroup] = []
    for root, members in groups.members.items():
        if len(members) < 2:
            continue
        members = sorted(members, key=lambda f: order[f.key])
        out.append(
            DuplicateGroup(
                keys=[f.key for f in members],
                reasons=groups.reasons[root],
                confidence=round(groups.confidence[root], 2),
                conflicts=conflicts_of(f.work for f in members),
            )
        )
    out.sort(key=lambda g: order[g.keys[0]])
    return out


# -- pairs judged different ------------------------------------------------------


def not_duplicates_path(library_path: str | Path) -> Path:
    """Where the pairs judged different are kept for a library file:
    ``refs.bib`` -> ``refs.not-duplicates.txt`` beside it."""
    path = Path(library_path)
    return path.with_name(path.stem + ".not-duplicates.txt")


_COMMENT = re.compile(r"(?:^|\s)#.*$")


class NotDuplicates:
    """Pairs of keys judged to be different works, so never reported again.

    The file form is text, one pair a line, the two keys separated by white
    space; ``#`` at the start of a line or after a space starts a comment
    (a key may hold ``#``). A group of three or more keys on a line means
    every pair among them.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs: set[frozenset[str]] = set()
        for a, b in pairs:
            self.add(a, b)

    def add(self, a: str, b: str) -> None:
        """Record that ``a`` and ``b`` are different works."""
        if a == b:
            raise ValueError(f"a work is not different from itself: {a!r}")
        self._pairs.add(frozenset((a, b)))

    def judged(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` were judged different."""
        return frozenset((a, b)) in self._pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for pair in sorted(tuple(sorted(p)) for p in self._pairs):
            yield pair[0], pair[1]

    @classmethod
    def parse(cls, text: str, path: str | None = None) -> NotDuplicates:
        """Read the text form; a line with a single key is a :class:`~citekit.ParseError`."""
        from citekit.errors import ParseError

        out = cls()
        for number, line in enumerate(text.splitlines(), 1):
            keys = _COMMENT.sub("", line).split()
            if not keys:
                continue
            if len(keys) < 2 or len(set(keys)) != len(keys):
                raise ParseError(
                    f"{path or '<input>'}:{number}: expected two or more different keys "
                    f"separated by spaces, got {line.strip()!r}"
                )
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    out.add(a, b)
        return out

    def dumps(self) -> str:
        """The text form."""
        head = "# pairs of citation keys judged to be different works (citekit dedupe)\n"
        return head + "".join(f"{a} {b}\n" for a, b in self)

    @classmethod
    def load(cls, path: str | Path) -> NotDuplicates:
        """Read a file; a missing file is an empty list."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        return cls.parse(text, str(path))

    def save(self, path: str | Path) -> None:
        """Write the file atomically."""
        from citekit.io import atomic_write

        atomic_write(path, self.dumps().encode("utf-8"))


# -- Zotero's rules, for comparison -----------------------------------------------


def _zotero_title(title: str | None) -> str:
    if not title:
        return ""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def zotero_duplicates(works: Iterable[Work]) -> list[tuple[str, str]]:
    """Pairs of keys Zotero's duplicate finder would group, re-implemented from
    its rules for comparison: DOIs compared only when they begin with ``10.``;
    ISBNs of books (ISBN-10 read as ISBN-13); otherwise the same normalised
    title (case, accents and punctuation ignored), a creator in common (last
    name and first initial) when both have creators, years at most one apart
    when both have years, and no two different DOIs."""
    pool = list(works)
    pairs: set[tuple[str, str]] = set()
    by_doi: dict[str, list[str]] = defaultdict(list)
    by_isbn: dict[str, list[str]] = defaultdict(list)
    by_title: dict[str, list[Work]] = defaultdict(list)
    for work in pool:
        if work.doi and work.doi.strip().startswith("10."):
            by_doi[work.doi.strip().upper()].append(work.key)
        if work.isbn and work.type is WorkType.BOOK:
            for piece in _split(work.isbn):
                key = ids.isbn_key(piece)
                if key:
                    by_isbn[key].append(work.key)
        title = _zotero_title(work.title)
        if title:
            by_title[title].append(work)
    for keys in list(by_doi.values()) + list(by_isbn.values()):
        for i, one in enumerate(keys):
            for other in keys[i + 1 :]:
                if one != other:
                    pairs.add((one, other))

    def creators(work: Work) -> set[tuple[str, str]]:
        return {
            (_zotero_title(p.family or p.literal or ""), _zotero_title(p.given or "")[:1])
            for group in work.contributors
            for p in group.persons
        }

    for same_title in by_title.values():
        for i, a in enumerate(same_title):
            for b in same_title[i + 1 :]:
                if a.key == b.key:
                    continue
                da, db = (w.doi.strip().upper() if w.doi else None for w in (a, b))
                if da and db and da != db:
                    continue
                ca, cb = creators(a), creators(b)
                if ca and cb and not ca & cb:
                    continue
                if a.year and b.year and abs(a.year - b.year) > 1:
                    continue
                pairs.add((a.key, b.key))
    return sorted(pairs)
