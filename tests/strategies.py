"""Hypothesis strategies for citekit's model: persons, dates, works, excerpts, libraries.

General on purpose: every work type and role, dates of every shape (ranges,
open ranges, seasons, circa, uncertain, literal, years before the common
era), Unicode text with the characters markup and YAML care about, rich
(marked-up) text, keywords, arXiv ids, CSL variables with JSON values, custom
keys and extra fields. Format tests use them for round trips:
``read(write(library))`` must give the library back.

The works are *normalised* the way every reader produces them: text is what
the model's converters keep, a rich form is only present when it is in use
(its plain text is the field, and it is not just the field escaped) and in
canonical form (text escaped with ``escape``, tags in citekit's spelling, as
``citekit.model.markup.from_csl_text`` gives it), JSON
values in ``variables`` are frozen (tuples and FrozenMaps).
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from citekit.model import (
    Date,
    DateParts,
    Excerpt,
    FrozenMap,
    Locator,
    LocatorLabel,
    Person,
    QuotedIn,
    Role,
    Season,
    Work,
    WorkType,
)
from citekit.model.markup import escape, strip_markup

__all__ = [
    "dates",
    "excerpts",
    "json_values",
    "libraries",
    "persons",
    "rich_texts",
    "texts",
    "works",
]

#: Characters that markup, JSON, YAML or CSL treat specially, mixed into all text.
SPECIAL_CHARACTERS = "<>&;:#'\"\\/[]{}%~?.,!@*|-\n\t \x85\u2028\ufeff\r"
#: Pieces of text that mean something to markup, YAML or CSL.
SPECIAL_WORDS = [
    "&amp;",
    "&lt;",
    "&copy",
    "<i>",
    "</b>",
    "\r\n",
    "yes",
    "null",
    "0012",
    "1e5",
    "2005-12-15",
    "- ",
    ": ",
    "---",
    " #",
]

_characters = st.characters(codec="utf-8", exclude_categories=["Cs"])
_alphabet = st.one_of(_characters, st.sampled_from(SPECIAL_CHARACTERS))


def texts(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    """Unicode text, salted with markup, JSON and YAML special characters and words."""
    plain = st.text(_alphabet, min_size=min_size, max_size=max_size)
    salted = st.tuples(
        st.text(_alphabet, max_size=max_size // 2),
        st.sampled_from(SPECIAL_WORDS),
        st.text(_alphabet, max_size=max_size // 2),
    ).map("".join)
    return st.one_of(plain, plain, salted)


def words() -> st.SearchStrategy[str]:
    """Non-blank text without surrounding whitespace (keys, ids)."""
    return texts(1, 8).map(str.strip).filter(bool)


def field_texts() -> st.SearchStrategy[str]:
    """Text as a Work's text fields keep it (stripped, not empty)."""
    return texts(1).map(str.strip).filter(bool)


_TAGS = [
    ("<i>", "</i>"),
    ("<b>", "</b>"),
    ("<sup>", "</sup>"),
    ("<sub>", "</sub>"),
    ('<span class="nocase">', "</span>"),
    ('<span class="nodecor">', "</span>"),
    ('<span style="font-variant:small-caps;">', "</span>"),
]


@st.composite
def rich_texts(draw: st.DrawFn) -> tuple[str, str]:
    """(plain, marked): citekit's internal markup and the plain text it stands for.

    Pieces of text (with "&", "&amp;", "<i>" and the like in them) are
    escaped, some wrapped in tags, some nested. Only forms the model keeps are
    drawn: the plain text is stripped and not empty, and the marked form is
    more than its escape. The text may spell tags ("<i>" in a title): some
    of these forms have no CSL-JSON text of their own, and citekit keeps them
    in ``custom``.
    """
    pieces = draw(
        st.lists(
            st.tuples(
                texts(1, 6), st.sampled_from([None, *_TAGS]), st.sampled_from([None, *_TAGS])
            ),
            min_size=1,
            max_size=4,
        )
    )
    marked = ""
    for text, tag, inner in pieces:
        body = escape(text)
        if inner:
            body = f"{inner[0]}{body}{inner[1]}"
        marked += f"{tag[0]}{body}{tag[1]}" if tag else body
    marked = marked.strip()
    plain = strip_markup(marked)
    assume(plain and plain == plain.strip() and marked != escape(plain))
    return plain, marked


@st.composite
def persons(draw: st.DrawFn) -> Person:
    """A literal name or a structured one (particles, suffix, comma-suffix)."""
    if draw(st.integers(0, 4)) == 0:
        return Person(literal=draw(field_texts()))
    parts = {
        name: draw(st.none() | texts(1, 8))
        for name in ("family", "given", "dropping_particle", "non_dropping_particle", "suffix")
    }
    try:
        return Person(**parts, comma_suffix=draw(st.booleans()))
    except ValueError:
        assume(False)
        raise


def _days(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@st.composite
def date_parts(draw: st.DrawFn) -> DateParts:
    """A year (-9999 to 9999), with a month and maybe a day, or a season."""
    year = draw(st.integers(-9999, 9999) | st.integers(1900, 2030))
    shape = draw(st.sampled_from(["year", "month", "day", "season"]))
    if shape == "year":
        return DateParts(year)
    if shape == "season":
        return DateParts(year, season=draw(st.sampled_from(Season)))
    month = draw(st.integers(1, 12))
    if shape == "month":
        return DateParts(year, month)
    return DateParts(year, month, draw(st.integers(1, _days(year, month))))


@st.composite
def dates(draw: st.DrawFn) -> Date:
    """Single dates, ranges, open ranges, circa/uncertain ones, and literal dates."""
    kind = draw(st.sampled_from(["single", "range", "open_end", "open_start", "literal"]))
    if kind == "literal":
        return Date(literal=draw(texts(1).filter(str.strip)))
    circa, uncertain = draw(st.booleans()), draw(st.booleans())
    try:
        if kind == "single":
            return Date(start=draw(date_parts()), circa=circa, uncertain=uncertain)
        if kind == "open_end":
            return Date(start=draw(date_parts()), open_end=True, circa=circa, uncertain=uncertain)
        if kind == "open_start":
            return Date(end=draw(date_parts()), open_start=True, circa=circa, uncertain=uncertain)
        first, second = draw(date_parts()), draw(date_parts())
        return Date(start=first, end=second, circa=circa, uncertain=uncertain)
    except ValueError:  # a range that ends before it starts
        assume(False)
        raise


def json_values(depth: int = 2) -> st.SearchStrategy[Any]:
    """Frozen JSON values: text, numbers, booleans, null, tuples and FrozenMaps."""
    scalars = st.one_of(
        texts(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
    )
    if depth == 0:
        return scalars
    inner = json_values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(texts(1, 6), inner, max_size=3).map(FrozenMap),
    )


#: CSL variables citekit keeps in Work.variables (not modelled, not "custom").
_OTHER_VARIABLES = (
    "annote archive archive_collection archive_location archive-place authority call-number"
    " categories chapter-number citation-key citation-label citation-number dimensions"
    " division event first-reference-note-number jurisdiction license locator"
    " original-publisher original-publisher-place page-first part-number part-title printing"
    " references reviewed-genre reviewed-title scale section source status supplement-number"
    " version volume-title volume-title-short year-suffix journalAbbreviation shortTitle"
    " submitted available-date creator"
)
OTHER_VARIABLES = _OTHER_VARIABLES.split()

_MARKUP = (
    "title title_short original_title container_title container_title_short"
    " collection_title event_title edition genre medium publisher publisher_place"
    " event_place abstract note"
)
MARKUP = _MARKUP.split()
_PLAIN = (
    "collection_number volume number_of_volumes issue number page number_of_pages"
    " language doi isbn issn url pmid pmcid arxiv"
)
PLAIN = _PLAIN.split()


@st.composite
def works(draw: st.DrawFn, key: st.SearchStrategy[str] | None = None) -> Work:
    """A Work of any type, with any fields of the model set."""
    fields: dict[str, Any] = {}
    rich: dict[str, str] = {}
    for name in draw(st.lists(st.sampled_from(MARKUP), unique=True, max_size=6)):
        if draw(st.booleans()):
            fields[name], rich[name] = draw(rich_texts())
        else:
            fields[name] = draw(field_texts())
    for name in draw(st.lists(st.sampled_from(PLAIN), unique=True, max_size=5)):
        fields[name] = draw(field_texts())
    for name in draw(
        st.lists(
            st.sampled_from(["issued", "original_date", "accessed", "event_date"]),
            unique=True,
            max_size=2,
        )
    ):
        fields[name] = draw(dates())
    roles = draw(st.lists(st.sampled_from(Role), unique=True, max_size=3))
    contributors = {role: draw(st.lists(persons(), min_size=1, max_size=3)) for role in roles}
    keywords = draw(st.lists(field_texts(), max_size=3))
    variables: dict[str, Any] = {
        name: draw(json_values())
        for name in draw(st.lists(st.sampled_from(OTHER_VARIABLES), unique=True, max_size=3))
    }
    custom = draw(
        st.dictionaries(
            words().filter(lambda k: k not in ("arxiv", "extra")), json_values(1), max_size=2
        )
    )
    if custom:
        variables["custom"] = FrozenMap(custom)
    extra = draw(st.dictionaries(words(), texts(), max_size=3))
    return Work(
        key=draw(words() if key is None else key),
        type=draw(st.sampled_from(WorkType)),
        contributors=contributors,
        keywords=keywords,
        variables=variables,
        extra=extra,
        rich=rich,
        **fields,
    )


@st.composite
def locators(draw: st.DrawFn) -> Locator:
    """A locator of any CSL label."""
    return Locator(draw(field_texts()), draw(st.sampled_from(LocatorLabel)))


@st.composite
def excerpts(draw: st.DrawFn, work_keys: list[str]) -> Excerpt:
    """An excerpt of one of ``work_keys`` (possibly quoted in another)."""
    work = draw(st.sampled_from(work_keys))
    quoted_in = None
    others = [k for k in work_keys if k != work]
    second_hand: bool = draw(st.booleans())
    if others and second_hand:
        quoted_in = QuotedIn(draw(st.sampled_from(others)), draw(st.none() | locators()))
    return Excerpt(
        id=draw(words().filter(lambda w: not any(c.isspace() for c in w))),
        text=draw(texts(1, 30).filter(str.strip)),
        work_key=work,
        locator=draw(st.none() | locators()),
        speaker=draw(st.none() | persons()),
        quoted_in=quoted_in,
        language=draw(st.none() | texts(1, 5)),
        tags=draw(st.lists(field_texts(), max_size=3)),
        note=draw(st.none() | texts(1, 20)),
    )


@st.composite
def libraries(draw: st.DrawFn, max_works: int = 3) -> tuple[list[Work], list[Excerpt]]:
    """Works with distinct keys, and excerpts of them with distinct ids."""
    keys = draw(st.lists(words(), min_size=1, max_size=max_works, unique=True))
    found = [draw(works(key=st.just(key))) for key in keys]
    quoted = draw(st.lists(excerpts(keys), max_size=2, unique_by=lambda e: e.id))
    return found, quoted


#: Pieces of BibTeX entries (regular ones and the marks that break them), for
#: strategies that glue them into files: the reader's fuzz tests and the
#: splitter's agreement with bibtexparser.
BIBTEX_PIECES = [
    "@article{key,",
    "@book{k2, title = {A {B} C},",
    "author = {Doe, Jane and {ACME Inc.}},",
    'title = "Quoted {T}",',
    "year = 1999,",
    "month = jan,",
    "journal = jabbr # { more},",
    "@string{jabbr = {J. Abbr.}}",
    "crossref = {key},",
    "pages = {1--2},",
    "}",
    "{",
    "\\",
    '"',
    "#",
    "@comment{citekit-excerpt{",
    '"id": "e", "work": "key", "text": "t"',
    "@preamble{ {x} }",
]
