"""CSL-JSON and CSL-YAML: names, dates, types, fields, excerpts, bad input, writing back.

Table tests cover each conversion in both directions; hypothesis checks that
``read(write(library)) == library`` for generated libraries (tests/strategies.py)
through both formats, also after editing a library read back, and that any
JSON or YAML document reads without an exception; the CSL test suite's INPUT
sections (../shared/csl-test-suite/humans, see tests/oracles.py) must all read
without errors and round-trip.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import citekit
from citekit.errors import FormatError, ParseError
from citekit.formats.csl import (
    CSL_VARIABLES,
    date_from_csl,
    date_to_csl,
    excerpt_from_csl,
    excerpt_to_csl,
    live_rich,
    person_from_csl,
    person_to_csl,
    work_from_item,
    work_to_item,
)
from citekit.formats.csljson import CslJsonFormat
from citekit.formats.cslyaml import CslYamlFormat
from citekit.model import (
    Date,
    DateParts,
    Excerpt,
    FrozenMap,
    Library,
    Locator,
    LocatorLabel,
    Person,
    QuotedIn,
    Role,
    Season,
    Work,
    WorkType,
)
from citekit.model.markup import (
    csl_expressible,
    escape,
    from_csl_text,
    normalize_markup,
    strip_markup,
    to_csl_text,
)
from oracles import csl_suite_folder, needs
from strategies import libraries, texts, works

REPO = Path(__file__).resolve().parents[1]
SUITE = csl_suite_folder()
JSON = CslJsonFormat()
YAML = CslYamlFormat()
FORMATS = [pytest.param(JSON, id="csljson"), pytest.param(YAML, id="cslyaml")]
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
#: The rich-text tags as citeproc-js spells them, citekit's spellings first.
TAG_SPELLINGS = (
    "<i>",
    "</i>",
    "<b>",
    "</b>",
    "<sup>",
    "</sup>",
    "<sub>",
    "</sub>",
    '<span class="nocase">',
    '<span class="nodecor">',
    '<span style="font-variant:small-caps;">',
    "</span>",
)


def read_json(document: Any, path: str = "refs.json") -> Library:
    return JSON.read(json.dumps(document, indent=2, ensure_ascii=False).encode(), path=path)


def messages(library: Library, severity: str | None = None) -> list[str]:
    return [str(p) for p in library.problems if severity in (None, p.severity)]


# --- names ---------------------------------------------------------------------------------

NAMES = [
    ({"family": "Doe", "given": "John"}, Person(family="Doe", given="John")),
    (
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
        Person(family="Gogh", given="Vincent", non_dropping_particle="van"),
    ),
    (
        {"family": "Humboldt", "given": "Alexander", "dropping-particle": "von"},
        Person(family="Humboldt", given="Alexander", dropping_particle="von"),
    ),
    (
        {
            "family": "Fontaine",
            "given": "Jean",
            "dropping-particle": "de",
            "non-dropping-particle": "La",
            "suffix": "III",
        },
        Person(
            family="Fontaine",
            given="Jean",
            dropping_particle="de",
            non_dropping_particle="La",
            suffix="III",
        ),
    ),
    (
        {"family": "King", "given": "Martin Luther", "suffix": "Jr.", "comma-suffix": True},
        Person(family="King", given="Martin Luther", suffix="Jr.", comma_suffix=True),
    ),
    ({"literal": "World Health Organization"}, Person(literal="World Health Organization")),
    ({"family": "Mao", "given": ""}, Person(family="Mao")),
    ({"given": "Plato"}, Person(given="Plato")),
    ({"literal": "others"}, Person(literal="others")),
    ({"family": "Ng", "given": "Andrew  Y."}, Person(family="Ng", given="Andrew Y.")),
]


@pytest.mark.parametrize(("csl", "person"), NAMES)
def test_names_read(csl: dict[str, Any], person: Person) -> None:
    assert person_from_csl(csl) == (person, [])


@pytest.mark.parametrize(("csl", "person"), [(c, p) for c, p in NAMES if p.given != "Andrew Y."])
def test_names_written(csl: dict[str, Any], person: Person) -> None:
    expected = {k: v for k, v in csl.items() if v != ""}
    assert person_to_csl(person) == expected


@pytest.mark.parametrize(
    ("csl", "person", "note"),
    [
        ("Ministry of Truth", Person(literal="Ministry of Truth"), None),
        (
            {"family": "Doe Inc.", "given": "", "isInstitution": True},
            Person(literal="Doe Inc."),
            None,
        ),
        ({"family": 1984, "given": "X"}, Person(family="1984", given="X"), None),
        (
            {"family": "Doe", "given": "J", "suffix": "Jr", "comma-suffix": "true"},
            Person(family="Doe", given="J", suffix="Jr", comma_suffix=True),
            None,
        ),
        ({"family": "Doe", "comma-suffix": 0}, Person(family="Doe"), None),
        (
            {"family": "Mao", "given": "Zedong", "static-ordering": True},
            Person(family="Mao", given="Zedong"),
            "'static-ordering' is not kept",
        ),
        (
            {"literal": "ACME", "family": "Acme"},
            Person(literal="ACME"),
            "a literal name with name parts",
        ),
    ],
)
def test_names_read_leniently(csl: Any, person: Person, note: str | None) -> None:
    read, notes = person_from_csl(csl)
    assert read == person
    assert [n for n in notes if note and note in n] == notes


@pytest.mark.parametrize(
    ("csl", "expected"),
    [
        ({}, '"family", "given" or "literal"'),
        ({"given": "", "suffix": "Jr."}, '"family", "given" or "literal"'),
        ("  ", "empty text"),
        (5, "a name object, got a number"),
        (["Doe"], "a name object, got an array"),
        ({"family": ["Doe"]}, "'family': expected text, got an array"),
    ],
)
def test_bad_names(csl: Any, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)):
        person_from_csl(csl)


# --- dates ---------------------------------------------------------------------------------


def D(start: DateParts | None = None, end: DateParts | None = None, **flags: Any) -> Date:
    return Date(start=start, end=end, **flags)


DP = DateParts

DATES_READ = [
    ({"date-parts": [[1944]]}, Date.of(1944)),
    ({"date-parts": [[1944, 3, 5]]}, Date.of(1944, 3, 5)),
    ({"date-parts": [["1965", "6", "1"]]}, Date.of(1965, 6, 1)),
    ({"date-parts": [["2000", "", ""]]}, Date.of(2000)),
    ({"date-parts": [[2000, 0, 0]]}, Date.of(2000)),
    ({"date-parts": [[2000.0, 2]]}, Date.of(2000, 2)),
    ({"date-parts": [[-250]]}, Date.of(-249)),  # 250 BC, astronomical -249
    ({"date-parts": [[-1]]}, Date.of(0)),  # 1 BC
    ({"date-parts": [[1975], [2004]]}, D(DP(1975), DP(2004))),
    ({"date-parts": [[2003, 8], [2003, 10]]}, D(DP(2003, 8), DP(2003, 10))),
    ({"date-parts": [[1930], [0]]}, D(DP(1930), open_end=True)),
    ({"date-parts": [[0], [1990]]}, D(end=DP(1990), open_start=True)),
    ({"date-parts": [[2000]], "season": 3}, D(DP(2000, season=Season.AUTUMN))),
    ({"date-parts": [[2000]], "season": "Winter"}, D(DP(2000, season=Season.WINTER))),
    ({"date-parts": [[2000]], "season": "2"}, D(DP(2000, season=Season.SUMMER))),
    ({"date-parts": [[1965, 13]]}, D(DP(1965, season=Season.SPRING))),
    ({"date-parts": [[1965, 24, 0]]}, D(DP(1965, season=Season.WINTER))),
    (
        {"date-parts": [["1999", "21"], ["2001", "22"]], "raw": "Spring 1999 - Summer 2001"},
        D(DP(1999, season=Season.SPRING), DP(2001, season=Season.SUMMER)),
    ),
    ({"date-parts": [[2005, 12, 15]], "circa": 1}, D(DP(2005, 12, 15), circa=True)),
    ({"date-parts": [[2005]], "circa": "true"}, D(DP(2005), circa=True)),
    ({"date-parts": [[2005]], "circa": False}, Date.of(2005)),
    ({"date-parts": [], "literal": "(in press)"}, Date(literal="(in press)")),
    ({"literal": "Spring term, 1920s"}, Date(literal="Spring term, 1920s")),
    ({"raw": "1930/.."}, D(DP(1930), open_end=True)),
    ({"raw": "1944-03-05"}, Date.of(1944, 3, 5)),
    ({"raw": "1944", "circa": True}, D(DP(1944), circa=True)),
    # free text, read as citeproc-js reads it (tests/test_dateparse.py has the rest)
    ({"raw": "March 3-5, 2000"}, D(DP(2000, 3, 3), DP(2000, 3, 5))),
    ({"raw": "Spring 1999"}, D(DP(1999, season=Season.SPRING))),
    ({"raw": "ca. 1750"}, D(DP(1750), circa=True)),
    ({"raw": "15 mars 2000"}, Date.of(2000, 3, 15)),
    ({"raw": "-44"}, Date.of(-43)),  # CSL's numbering: 44 BC
    ({"raw": "-0044"}, Date.of(-43)),  # as citeproc-js reads it (an "edtf" -0044 is 45 BC)
    ({"edtf": "1944?"}, D(DP(1944), uncertain=True)),
    ({"date-parts": [[1944]], "edtf": "1944~/1945~"}, D(DP(1944), DP(1945), circa=True)),
    ({"edtf": "../1990%"}, D(end=DP(1990), open_start=True, circa=True, uncertain=True)),
    ("2005-12-15", Date.of(2005, 12, 15)),
    ("1930/..", D(DP(1930), open_end=True)),
    ("-0044", Date.of(-44)),  # EDTF text is astronomical already
    ("forthcoming", Date(literal="forthcoming")),
    (1944, Date.of(1944)),
    (
        [{"year": 2011, "month": 9, "day": 24}, {"year": 2011, "month": 9, "day": 26}],
        D(DP(2011, 9, 24), DP(2011, 9, 26)),
    ),  # pandoc-citeproc's old YAML dates
    ({"date-parts": []}, None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("csl", "date"), DATES_READ)
def test_dates_read(csl: Any, date: Date | None) -> None:
    read, notes = date_from_csl(csl)
    assert read == date
    if date is not None:
        assert notes == []


DATES_WRITTEN = [
    (Date.of(1944), {"date-parts": [[1944]]}),
    (Date.of(1944, 3, 5), {"date-parts": [[1944, 3, 5]]}),
    (Date.of(-249), {"date-parts": [[-250]]}),
    (Date.of(0), {"date-parts": [[-1]]}),
    (D(DP(1975), DP(2004)), {"date-parts": [[1975], [2004]]}),
    (D(DP(1930), open_end=True), {"date-parts": [[1930], [0]]}),
    (D(end=DP(1990), open_start=True), {"date-parts": [[0], [1990]]}),
    (D(DP(2000, season=Season.AUTUMN)), {"date-parts": [[2000]], "season": 3}),
    (
        D(DP(1999, season=Season.SPRING), DP(2001, season=Season.SUMMER)),
        {"date-parts": [[1999, 21], [2001, 22]]},
    ),
    (D(DP(2005, 12), circa=True), {"date-parts": [[2005, 12]], "circa": True}),
    (D(DP(1944), uncertain=True), {"date-parts": [[1944]], "edtf": "1944?"}),
    (
        D(DP(1944), DP(1945), circa=True, uncertain=True),
        {"date-parts": [[1944], [1945]], "circa": True, "edtf": "1944%/1945%"},
    ),
    (Date(literal="Spring term, 1920s"), {"literal": "Spring term, 1920s"}),
]


@pytest.mark.parametrize(("date", "csl"), DATES_WRITTEN)
def test_dates_written_and_read_back(date: Date, csl: dict[str, Any]) -> None:
    assert date_to_csl(date) == csl
    assert date_from_csl(csl) == (date, [])


@pytest.mark.parametrize(
    ("csl", "date", "note"),
    [
        ({"date-parts": [[1965, -1, 1]]}, Date.of(1965), "month -1 is not 1-12"),
        ({"date-parts": [[1965, 60, 1]]}, Date.of(1965), "month 60"),
        ({"date-parts": [[1965, 2, 30]]}, Date.of(1965, 2), "day 30 is not a day of month 2"),
        ({"date-parts": [[1965, 13, 1]]}, D(DP(1965, season=Season.SPRING)), "day with a season"),
        (
            {"date-parts": [[2013, 1, 30]], "season": "22:56:08"},
            Date.of(2013, 1, 30),
            "season '22:56:08'",
        ),
        ({"date-parts": [[2000, 5], [1999, 5]]}, Date.of(2000, 5), "ends (1999-05) before"),
        ({"date-parts": [[2000], []]}, Date.of(2000), "end of the range is empty"),
        ({"date-parts": [[1], [2], [3]]}, D(DP(1), DP(2)), "only the first two"),
        ({"literal": "c. 1900", "circa": True}, Date(literal="c. 1900"), '"circa" on a literal'),
        ({"date-parts": [[1900]], "foo": 1}, Date.of(1900), "'foo' is not CSL's"),
        ({"date-parts": [[0]]}, None, "year 0 is not a year in CSL"),
        ({"date-parts": [["x"]], "raw": "1901"}, Date.of(1901), '"raw" is read instead'),
        (
            {"date-parts": [], "raw": "Bogus Date"},
            Date(literal="Bogus Date"),
            "\"raw\": free-text date 'Bogus Date' not read (the word 'Bogus'",
        ),
        ({"raw": "2000 copies"}, Date(literal="2000 copies"), "the word 'copies'"),
        ({"raw": "2000-02-30"}, Date(literal="2000-02-30"), "day must be 1-29"),
    ],
)
def test_dates_read_with_notes(csl: Any, date: Date | None, note: str) -> None:
    read, notes = date_from_csl(csl)
    assert read == date
    assert any(note in n for n in notes), notes


def test_free_text_dates_are_read_in_the_items_language() -> None:
    items = [
        {"id": "de", "type": "book", "language": "de-DE", "issued": {"raw": "3. März 2000"}},
        {"id": "fr", "type": "book", "language": "fr", "issued": {"raw": "automne 1999"}},
        {"id": "none", "type": "book", "issued": {"raw": "3. März 2000"}},
        {"id": "copies", "type": "book", "issued": {"raw": "2000 copies"}},
    ]
    library = read_json(items)
    assert library["de"].issued == Date.of(2000, 3, 3)
    assert library["fr"].issued == D(DP(1999, season=Season.AUTUMN))
    # without a language, "März" is no month: the text is kept, with a warning
    assert library["none"].issued == Date(literal="3. März 2000")
    assert library["copies"].issued == Date(literal="2000 copies")
    found = messages(library, "warning")
    assert len(found) == 2
    assert "refs.json:" in found[0] and "entry 'none': field 'issued'" in found[0]
    assert "the word 'März' is not part of a date" in found[0]
    assert "entry 'copies': field 'issued'" in found[1] and "the word 'copies'" in found[1]
    assert json.loads(JSON.write(library)) == items  # the raw text is written back


@pytest.mark.parametrize(
    ("csl", "expected"),
    [
        ({"date-parts": [["x"]]}, "expected a number, got text ('x')"),
        ({"date-parts": "1944"}, "expected an array of arrays"),
        ({"date-parts": [1944]}, "expected an array [year, month, day]"),
        ({"date-parts": [[12345]]}, "year must be between"),
        (True, "expected a date object"),
        ({"date-parts": [[True]]}, "expected a number, got a boolean"),
    ],
)
def test_bad_dates(csl: Any, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)):
        date_from_csl(csl)


# --- types and fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "work_type", "extra", "warning"),
    [
        ("book", WorkType.BOOK, {}, None),
        ("legal_case", WorkType.LEGAL_CASE, {}, None),
        ("event", WorkType.EVENT, {}, None),
        ("Article-Journal", WorkType.ARTICLE_JOURNAL, {}, "read as 'article-journal'"),
        ("misc", WorkType.DOCUMENT, {"csl-type": "misc"}, "is not a CSL type"),
        (5, WorkType.DOCUMENT, {"csl-type": "5"}, "is not a CSL type"),
        ("", WorkType.DOCUMENT, {}, 'no "type"'),
        (None, WorkType.DOCUMENT, {}, 'no "type"'),
    ],
)
def test_types(given: Any, work_type: WorkType, extra: dict[str, str], warning: str | None) -> None:
    item: dict[str, Any] = {"id": "x", "title": "T"}
    if given is not None:
        item["type"] = given
    library = read_json([item])
    assert library["x"].type is work_type
    assert dict(library["x"].extra) == extra
    found = messages(library, "warning")
    assert (warning is None and not found) or (warning and any(warning in m for m in found))
    assert not library.errors
    assert work_to_item(library["x"])["type"] == work_type.value


@pytest.mark.parametrize("work_type", list(WorkType))
def test_every_type_round_trips(work_type: WorkType) -> None:
    work = Work(key="k", type=work_type)
    assert work_to_item(work) == {"id": "k", "type": work_type.value}
    assert work_from_item(work_to_item(work)) == work


@pytest.mark.parametrize("role", list(Role))
def test_every_role_round_trips(role: Role) -> None:
    work = Work(key="k").with_names(role, [Person(family="Doe"), Person(literal="ACME")])
    item = work_to_item(work)
    assert item[role.value] == [{"family": "Doe"}, {"literal": "ACME"}]
    assert work_from_item(item) == work


FULL_ITEM: dict[str, Any] = {
    "id": "full",
    "type": "chapter",
    "title": "A Title",
    "title-short": "Title",
    "original-title": "Ein Titel",
    "container-title": "The Book",
    "container-title-short": "Book",
    "collection-title": "Series",
    "collection-number": "7",
    "event-title": "A Conference",
    "author": [{"family": "Doe", "given": "Jane"}],
    "editor": [{"family": "Roe", "given": "Rich"}],
    "translator": [{"literal": "Anonymous"}],
    "issued": {"date-parts": [[2001, 2, 3]]},
    "original-date": {"date-parts": [[1901]]},
    "event-date": {"date-parts": [[2000, 7], [2000, 8]]},
    "accessed": {"date-parts": [[2024, 1, 1]]},
    "edition": "2",
    "volume": "3",
    "number-of-volumes": "4",
    "issue": "5",
    "number": "6",
    "page": "10–20",
    "number-of-pages": "300",
    "genre": "PhD thesis",
    "medium": "CD",
    "publisher": "Press",
    "publisher-place": "Paris",
    "event-place": "Lyon",
    "language": "en-GB",
    "DOI": "10.1000/xyz",
    "ISBN": "978-3-16-148410-0",
    "ISSN": "1234-5678",
    "PMID": "123",
    "PMCID": "PMC123",
    "URL": "https://example.org/?a=1&b=2",
    "keyword": "history, labour",
    "abstract": "An abstract.",
    "note": "A note.",
    "archive": "Archive",
    "submitted": {"date-parts": [[2000]]},
    "custom": {"short_id": "xyz", "arxiv": "2101.00001", "extra": {"file": "a.pdf"}},
}


def test_every_modelled_variable_maps_to_its_attribute_and_back() -> None:
    work = work_from_item(FULL_ITEM)
    assert work is not None
    assert (work.title, work.title_short, work.original_title) == ("A Title", "Title", "Ein Titel")
    assert (work.container_title, work.container_title_short) == ("The Book", "Book")
    assert (work.collection_title, work.collection_number, work.event_title) == (
        "Series",
        "7",
        "A Conference",
    )
    assert work.authors == (Person(family="Doe", given="Jane"),)
    assert work.roles == (Role.AUTHOR, Role.EDITOR, Role.TRANSLATOR)
    assert work.issued == Date.of(2001, 2, 3)
    assert work.original_date == Date.of(1901)
    assert work.event_date == D(DP(2000, 7), DP(2000, 8))
    assert work.accessed == Date.of(2024, 1, 1)
    assert (work.edition, work.volume, work.number_of_volumes, work.issue, work.number) == (
        "2",
        "3",
        "4",
        "5",
        "6",
    )
    assert (work.page, work.number_of_pages, work.genre, work.medium) == (
        "10–20",
        "300",
        "PhD thesis",
        "CD",
    )
    assert (work.publisher, work.publisher_place, work.event_place) == ("Press", "Paris", "Lyon")
    assert (work.language, work.doi, work.isbn, work.issn, work.pmid, work.pmcid) == (
        "en-GB",
        "10.1000/xyz",
        "978-3-16-148410-0",
        "1234-5678",
        "123",
        "PMC123",
    )
    assert work.url == "https://example.org/?a=1&b=2"  # URLs are not markup
    assert work.keywords == ("history", "labour")
    assert (work.abstract, work.note, work.arxiv) == ("An abstract.", "A note.", "2101.00001")
    assert work.variables == {
        "archive": "Archive",
        "submitted": FrozenMap({"date-parts": ((2000,),)}),
        "custom": FrozenMap({"short_id": "xyz"}),
    }
    assert work.extra == {"file": "a.pdf"}
    item = work_to_item(work)
    assert item == FULL_ITEM
    assert list(item) == list(FULL_ITEM)  # the order citekit writes


def test_every_csl_variable_is_kept() -> None:
    modelled = {"id", "type", "custom"}
    for name in sorted(CSL_VARIABLES - modelled):
        value: Any = [{"family": "X"}] if name in {r.value for r in Role} else "1"
        if name in ("issued", "accessed", "original-date", "event-date"):
            value = {"date-parts": [[1999]]}
        item = {"id": "k", "type": "book", name: value}
        work = work_from_item(item)
        assert work is not None, name
        assert work_to_item(work) == item, name


def test_markup_in_text_fields() -> None:
    # CSL-JSON text is literal but for the rich-text tags, as citeproc-js and
    # Zotero read it. (This test used to read "AT&amp;T" as "AT&T" and "&lt;"
    # as "<", and to write "&" as "&amp;": the HTML convention, which
    # citeproc-js does not follow; it prints "AT&amp;T" as it stands.)
    library = read_json(
        [
            {
                "id": "m",
                "type": "book",
                "title": 'On <i>Hamlet</i> and <span class="nocase">iPod</span>s',
                "container-title": "AT&amp;T Journal",
                "publisher": "Smith & Sons",
                "note": "x<sup>2</sup> &lt; y < z",
                "page": "3 & 5",
            }
        ]
    )
    work = library["m"]
    assert work.title == "On Hamlet and iPods"
    assert work.rich["title"] == 'On <i>Hamlet</i> and <span class="nocase">iPod</span>s'
    assert work.container_title == "AT&amp;T Journal"  # the characters, as written
    assert "container_title" not in work.rich  # no markup: nothing to keep
    assert work.publisher == "Smith & Sons" and "publisher" not in work.rich
    assert work.note == "x2 &lt; y < z"
    assert work.rich["note"] == "x<sup>2</sup> &amp;lt; y &lt; z"  # internal markup: escaped
    assert work.page == "3 & 5" and "page" not in work.rich  # numbers are not markup
    item = work_to_item(work)
    assert item["title"] == 'On <i>Hamlet</i> and <span class="nocase">iPod</span>s'
    assert item["container-title"] == "AT&amp;T Journal"
    assert item["publisher"] == "Smith & Sons"
    assert item["note"] == "x<sup>2</sup> &lt; y < z"
    assert item["page"] == "3 & 5"
    edited = attrs.evolve(work, title="Hamlet & <Othello>", publisher="Penguin")
    item = work_to_item(edited)
    assert item["title"] == "Hamlet & <Othello>"  # plain text is written as it is
    assert item["publisher"] == "Penguin"
    assert "custom" not in item
    assert work_from_item(item) == live_rich(edited)


@pytest.mark.parametrize(
    ("text", "plain", "rich"),
    [
        ("R&D", "R&D", None),
        ("R&amp;D", "R&amp;D", None),  # no entities in CSL-JSON: the characters
        ("&#38; &copy; &lt;i&gt;", "&#38; &copy; &lt;i&gt;", None),
        ("a < b > c", "a < b > c", None),
        ("<i>x", "<i>x", None),  # unbalanced: literal
        ("x</i>", "x</i>", None),
        ("<em>x</em> <I>y</I> <u>z</u>", "<em>x</em> <I>y</I> <u>z</u>", None),  # unknown tags
        ('<span class="other">x</span>', '<span class="other">x</span>', None),
        ("<i>R&D</i> & co", "R&D & co", "<i>R&amp;D</i> &amp; co"),
        ("<i><i>x</i>", "<i>x", "&lt;i&gt;<i>x</i>"),  # the inner pair is markup
        ("<b>a<i>b</b>c</i>", "a<i>bc</i>", "<b>a&lt;i&gt;b</b>c&lt;/i&gt;"),  # crossed
        ("<sc>Bell</sc>", "Bell", '<span style="font-variant:small-caps;">Bell</span>'),
        (
            '<span style="font-variant: small-caps">Bell</span>',
            "Bell",
            '<span style="font-variant:small-caps;">Bell</span>',
        ),
        ('<span class="nodecor">x</span> y', "x y", '<span class="nodecor">x</span> y'),
        ('<span class="nocase" lang="en">iPod</span>', "iPod", '<span class="nocase">iPod</span>'),
        (
            "H<sub>2</sub>O, E = mc<sup>2</sup>",
            "H2O, E = mc2",
            "H<sub>2</sub>O, E = mc<sup>2</sup>",
        ),
    ],
)
def test_rich_text_is_read_as_citeproc_js_reads_it(text: str, plain: str, rich: str | None) -> None:
    work = work_from_item({"id": "k", "type": "book", "title": text})
    assert work is not None
    assert work.title == plain
    assert work.rich.get("title") == rich


@pytest.mark.parametrize(
    ("plain", "written"),
    [
        ("R&D", "R&D"),
        ("AT&amp;T", "AT&amp;T"),
        ("a < b", "a < b"),
        ("<i> is a tag", "<i> is a tag"),  # unbalanced: reads back literal
        ("Ça & «ça»", "Ça & «ça»"),
    ],
)
def test_plain_text_is_written_as_it_is(plain: str, written: str) -> None:
    work = Work(key="k", type="book", title=plain, publisher=plain, volume=plain)
    item = work_to_item(work)
    assert (item["title"], item["publisher"], item["volume"]) == (written, written, written)
    assert "custom" not in item
    assert work_from_item(item) == work
    assert JSON.read(JSON.write(Library([work]))).works() == [work]


def test_names_are_literal_text() -> None:
    item = {
        "id": "k",
        "type": "book",
        "author": [{"family": "<i>Smith</i> &amp; Co", "given": "A&B"}, {"literal": "R&amp;D <b>"}],
    }
    work = work_from_item(item)
    assert work is not None
    assert work.authors == (
        Person(family="<i>Smith</i> &amp; Co", given="A&B"),
        Person(literal="R&amp;D <b>"),
    )
    assert work_to_item(work)["author"] == item["author"]


def test_text_that_spells_tags_cannot_be_said_in_csl_json() -> None:
    # A literal title that spells a balanced tag pair has no CSL-JSON form:
    # citeproc-js would read it as markup. citekit writes the text as it is (what
    # Zotero writes, and what other tools read as markup) and keeps its own form
    # in custom.citekit-rich, which it reads back while the title is unchanged.
    work = Work(
        key="k",
        type="book",
        title="The <b>...</b> element",
        note="<i>x</i>",
        rich={"note": "<i>&lt;i&gt;x&lt;/i&gt;</i>"},  # italic, the text spelling tags
    )
    assert work.note == "<i>x</i>"
    item = work_to_item(work)
    assert item["title"] == "The <b>...</b> element"
    assert item["note"] == "<i><i>x</i></i>"
    assert item["custom"] == {
        "citekit-rich": {
            "title": "The &lt;b&gt;...&lt;/b&gt; element",
            "note": "<i>&lt;i&gt;x&lt;/i&gt;</i>",
        }
    }
    assert work_from_item(item) == work
    for fmt in (JSON, YAML):
        written = fmt.write(Library([work]))
        assert fmt.read(written).works() == [work]
        assert fmt.write(fmt.read(written)) == written
    # Another tool (or a hand) that changes the title makes citekit's form stale:
    # the title is then read as CSL-JSON text, markup and all.
    item["title"] = "The <b>new</b> element"
    changed = work_from_item(item)
    assert changed is not None
    assert changed.title == "The new element"
    assert changed.rich["title"] == "The <b>new</b> element"
    assert changed.note == "<i>x</i>"  # the note is as citekit wrote it
    # Without custom, the text is read as citeproc-js reads it.
    del item["custom"]
    assert work_from_item(item) == Work(
        key="k",
        type="book",
        title="The new element",
        note="x",
        rich={"title": "The <b>new</b> element", "note": "<i><i>x</i></i>"},
    )


def test_rich_forms_are_written_in_canonical_form() -> None:
    # A hand-made rich form with a raw "&", an entity or <sc> means what its
    # canonical form means; it is written as CSL-JSON text and read back canonical.
    work = Work(key="k", type="book", title="AT&T ©", rich={"title": "<sc>AT&T</sc> &copy;"})
    item = work_to_item(work)
    assert item["title"] == "<sc>AT&T</sc> ©"
    assert "custom" not in item
    back = work_from_item(item)
    assert back is not None
    assert back.rich["title"] == '<span style="font-variant:small-caps;">AT&amp;T</span> ©'
    assert back == live_rich(work)
    # An unbalanced rich form has no CSL-JSON text: it is kept in custom.
    odd = Work(key="k", type="book", title="x", rich={"title": "<i>x"})
    item = work_to_item(odd)
    assert item["title"] == "<i>x" and item["custom"] == {"citekit-rich": {"title": "<i>x"}}
    assert work_from_item(item) == odd == live_rich(odd)


@given(text=st.lists(st.sampled_from([*TAG_SPELLINGS]) | texts(0, 6), max_size=6).map("".join))
@PROPERTY
def test_csl_text_reads_back_to_itself(text: str) -> None:
    marked = from_csl_text(text)
    assert to_csl_text(marked) == text  # reading loses nothing of the CSL-JSON text
    assert normalize_markup(marked) == marked  # and gives the canonical form
    assert from_csl_text(to_csl_text(marked)) == marked
    assert csl_expressible(marked)
    if "<" not in text:
        assert strip_markup(marked) == text
    assert csl_expressible(escape(text)) == (from_csl_text(text) == escape(text))


def test_numbers_are_read_as_text_and_written_back_as_numbers() -> None:
    data = b'[{"id": "n", "type": "book", "volume": 3, "edition": 2, "issue": "4", "page": 12}]'
    library = JSON.read(data)
    work = library["n"]
    assert (work.volume, work.edition, work.issue, work.page) == ("3", "2", "4", "12")
    assert JSON.write(library) == data
    library["n"] = attrs.evolve(work, title="Edited", page="13")
    item = json.loads(JSON.write(library))[0]
    assert item == {
        "id": "n",
        "type": "book",
        "volume": 3,
        "edition": 2,
        "issue": "4",
        "page": "13",
        "title": "Edited",
    }
    assert work_to_item(work)["volume"] == "3"  # a new work writes text


def test_other_keys_go_to_variables_extra_and_custom() -> None:
    item = {
        "id": "o",
        "type": "book",
        "archive_location": "Box 3",
        "journalAbbreviation": "J. Hist.",
        "categories": ["a", "b"],
        "available-date": {"date-parts": [[2020]]},
        "url": "http://lowercase.example",
        "system_id": "42",
        "multi": {"_keys": {"title": {"fr": "Titre"}}},
        "arxiv": 7,
        "custom": {"checked": True, "extra": {"owner": "me"}},
    }
    work = work_from_item(item)
    assert work is not None
    # Zotero's journalAbbreviation is the short container title (issue 15).
    assert work.container_title_short == "J. Hist."
    assert work.variables == {
        "archive_location": "Box 3",
        "categories": ("a", "b"),
        "available-date": FrozenMap({"date-parts": ((2020,),)}),
        "arxiv": 7,
        "custom": FrozenMap(
            {"checked": True, "multi": FrozenMap({"_keys": {"title": {"fr": "Titre"}}})}
        ),
    }
    assert work.extra == {"owner": "me", "url": "http://lowercase.example", "system_id": "42"}
    assert work.arxiv is None
    hash(work)  # frozen JSON values keep works hashable
    written = work_to_item(work)
    assert written["custom"] == {
        "checked": True,
        "multi": {"_keys": {"title": {"fr": "Titre"}}},
        "extra": {"owner": "me", "url": "http://lowercase.example", "system_id": "42"},
    }
    assert "url" not in written and "multi" not in written  # moved into custom
    assert written["journalAbbreviation"] == "J. Hist."  # written back under its own name
    assert work_from_item(written) == work


def test_extra_of_another_format_round_trips_through_custom() -> None:
    work = Work(
        key="b",
        type=WorkType.BOOK,
        arxiv="1706.03762",
        extra={"file": ":a.pdf:PDF", "owner": "me", "timestamp": "2020.01.01", "entrytype": "misc"},
    )
    item = work_to_item(work)
    assert item["custom"] == {
        "arxiv": "1706.03762",
        "extra": {
            "file": ":a.pdf:PDF",
            "owner": "me",
            "timestamp": "2020.01.01",
            "entrytype": "misc",
        },
    }
    assert work_from_item(item) == work


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"custom": FrozenMap({"arxiv": "x"})}, "'arxiv', where citekit writes Work.arxiv"),
        ({"custom": "text"}, "not an object"),
        ({"type": "book"}, "would replace the item's type"),
    ],
)
def test_what_csl_json_cannot_say_is_a_format_error(
    variables: dict[str, Any], message: str
) -> None:
    work = Work(key="w", arxiv="1", variables=variables)
    with pytest.raises(FormatError, match=re.escape(message)):
        JSON.write(Library([work]))


def test_a_custom_citekit_rich_of_the_users_own_is_a_format_error_when_citekit_needs_it() -> None:
    custom = FrozenMap({"citekit-rich": 3})
    fine = Work(key="w", title="A", variables={"custom": custom})
    assert work_to_item(fine)["custom"] == {"citekit-rich": 3}
    work = Work(key="w", title="<i>A</i> & <b>B</b>", variables={"custom": custom})
    message = "variables['custom'] has 'citekit-rich', where citekit writes the rich forms of title"
    with pytest.raises(FormatError, match=re.escape(message)):
        JSON.write(Library([work]))


def test_keywords_with_commas_are_written_as_a_list() -> None:
    work = Work(key="k", keywords=("war, peace", "love"))
    item = work_to_item(work)
    assert item["keyword"] == ["war, peace", "love"]
    assert work_from_item(item) == work
    assert work_to_item(Work(key="k", keywords=("a", "b")))["keyword"] == "a, b"


# --- excerpts ------------------------------------------------------------------------------


def test_excerpts_in_csl_json() -> None:
    document = {
        "references": [
            {"id": "w", "type": "book", "title": "W"},
            {"id": "blog", "type": "post-weblog", "title": "B"},
        ],
        "excerpts": [
            {
                "id": "e1",
                "work": "w",
                "locator": {"label": "chapter", "value": "2"},
                "speaker": {"family": "Serge", "given": "Victor"},
                "quoted-in": {"work": "blog", "locator": "p. 3"},
                "language": "en",
                "tags": ["a", "b"],
                "note": "n",
                "text": "First.\n\nSecond.",
            },
            {"id": "e2", "work": "w", "locator": "pp. 33-35", "text": "Third."},
        ],
    }
    library = read_json(document)
    assert not library.problems
    first = library.excerpts["e1"]
    assert first == Excerpt(
        id="e1",
        text="First.\n\nSecond.",
        work_key="w",
        locator=Locator("2", LocatorLabel.CHAPTER),
        speaker=Person(family="Serge", given="Victor"),
        quoted_in=QuotedIn("blog", Locator("3")),
        language="en",
        tags=("a", "b"),
        note="n",
    )
    assert library.excerpts["e2"].locator == Locator("33-35", LocatorLabel.PAGE)
    assert excerpt_to_csl(first) == {
        "id": "e1",
        "work": "w",
        "locator": {"label": "chapter", "value": "2"},
        "speaker": {"family": "Serge", "given": "Victor"},
        "quoted-in": {"work": "blog", "locator": {"label": "page", "value": "3"}},
        "language": "en",
        "tags": ["a", "b"],
        "note": "n",
        "text": "First.\n\nSecond.",
    }
    assert excerpt_from_csl(excerpt_to_csl(first)) == first
    for fmt in (JSON, YAML):
        fresh = Library(library.works(), excerpts=library.excerpts.values())
        back = fmt.read(fmt.write(fresh))
        assert back.excerpts == library.excerpts
        assert back.works() == library.works()


def test_items_key_and_plain_lists() -> None:
    library = read_json({"items": [{"id": "a", "type": "book"}], "excerpts": []})
    assert list(library) == ["a"] and not library.problems
    plain = Library([Work(key="a")])
    assert json.loads(JSON.write(plain)) == [{"id": "a", "type": "document"}]
    plain.add_excerpt(Excerpt(id="e", text="t", work_key="a"))
    assert json.loads(JSON.write(plain)) == {
        "references": [{"id": "a", "type": "document"}],
        "excerpts": [{"id": "e", "work": "a", "text": "t"}],
    }


def test_bad_excerpts_are_reported_and_kept() -> None:
    text = json.dumps(
        {
            "references": [{"id": "w", "type": "book"}],
            "excerpts": [
                {"id": "e1", "work": "w", "text": "t", "locator": {"label": "bogus", "value": 1}},
                {"id": "e2", "work": "w"},
                {"id": "e1", "work": "w", "text": "again"},
                {"id": "e3", "work": "nowhere", "text": "t", "colour": "red", "quoted-in": "ghost"},
                "not an excerpt",
            ],
        },
        indent=2,
    ).encode()
    library = JSON.read(text, path="x.json")
    found = messages(library)
    assert any("entry 'e1': field 'locator': unknown locator label 'bogus'" in m for m in found)
    assert any("entry 'e2': field 'text': expected \"text\" text" in m for m in found)
    assert any("excerpt id 'e1' is already taken" in m for m in found)
    assert any("entry 'e3': field 'work': quotes work 'nowhere'" in m for m in found)
    assert any("field 'colour': not an excerpt field" in m for m in found)
    assert any("field 'quoted-in': was read in work 'ghost', which is not" in m for m in found)
    assert any("excerpt 5: expected an excerpt object" in m for m in found)
    assert library.excerpts["e1"].locator is None  # read without the bad locator
    assert set(library.excerpts) == {"e1", "e3"}
    assert JSON.write(library) == text  # nothing is lost
    library.add_excerpt(Excerpt(id="e4", text="new", work_key="w"))
    written = json.loads(JSON.write(library))["excerpts"]
    assert written[:5] == json.loads(text)["excerpts"]  # the unreadable ones are kept
    assert written[5] == {"id": "e4", "work": "w", "text": "new"}


# --- bad input -----------------------------------------------------------------------------


def test_invalid_json_is_one_problem_with_line_and_column() -> None:
    library = JSON.read(b'[\n  {"id": "a",\n   "title": "x"\n  \n]', path="bad.json")
    assert len(library) == 0
    [problem] = library.problems
    assert (problem.path, problem.line, problem.column) == ("bad.json", 5, 1)
    assert str(problem) == "bad.json:5:1: invalid JSON: Expecting ',' delimiter"


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        (b'[{"id": "a"},]', 1, 14, "Expecting value"),
        (b'[{"id": "a"}] x', 1, 15, "Extra data"),
        (b'{"references": [] "excerpts": []}', 1, 19, "Expecting ',' delimiter"),
        (b"[\n{\"id\": 'a'}]", 2, 8, "Expecting value"),
        (b'[{"id": "\xff"}]', 1, 10, "not UTF-8 text (byte 0xff)"),
    ],
)
def test_invalid_json_cases(data: bytes, line: int, column: int, message: str) -> None:
    [problem] = JSON.read(data, path="b.json").problems
    assert (problem.line, problem.column) == (line, column)
    assert message in problem.message


def test_invalid_yaml_is_one_problem_with_line_and_column() -> None:
    data = b"references:\n  - id: a\n    title: [unclosed\n  - id: b\n"
    library = YAML.read(data, path="bad.yaml")
    assert len(library) == 0
    [problem] = library.problems
    assert (problem.path, problem.line) == ("bad.yaml", 4)
    assert problem.message.startswith("invalid YAML:")
    tab = YAML.read(b"references:\n\t- id: a\n", path="tab.yaml").problems[0]
    assert (tab.line, tab.column) == (2, 1)
    control = YAML.read(b"references:\n  - id: a\x00\n").problems[0]
    assert control.line == 2 and "not allowed" in control.message


BAD_ITEMS = """[
  {"id": "good1", "type": "book", "title": "One"},
  "not an item",
  {"type": "book", "title": "No id"},
  {"id": "dates", "type": "book",
   "issued": {"date-parts": [["MCMXLIV"]]}},
  {"id": "names", "type": "book",
   "author": [{"family": "Doe"}, {"suffix": "Jr."}, 3]},
  {"id": "good1", "type": "article"},
  {"id": "fields", "type": "book", "title": ["a", "list"], "custom": "x"},
  {"id": true, "type": "book"},
  {"id": "good2", "type": "book"}
]
"""


def test_bad_items_are_reported_by_id_line_and_field() -> None:
    library = JSON.read(BAD_ITEMS.encode(), path="refs.json")
    found = messages(library)
    expected = [
        "refs.json:3: item 2: expected an item object, got text ('not an item'); kept as it is,"
        " not read",
        "refs.json:4: warning: field 'id': item 3: no \"id\"; read as 'ITEM-3', as"
        " citeproc-js's test runner names it",
        "refs.json:6: entry 'dates': field 'issued': \"date-parts\" start: expected a number,"
        " got text ('MCMXLIV'); kept in variables",
        "refs.json:8: entry 'names': field 'author': name 2: expected \"family\", \"given\" or"
        ' "literal"; not read (written back while unchanged)',
        "refs.json:8: entry 'names': field 'author': name 3: expected a name object, got a"
        " number (3); not read (written back while unchanged)",
        "refs.json:9: warning: entry 'good1': field 'id': id 'good1' is already taken; the first"
        " is read, this one is kept in library.duplicates",
        "refs.json:10: entry 'fields': field 'custom': expected an object, got text ('x'); kept"
        ' as "value" in it',
        "refs.json:10: entry 'fields': field 'title': expected text, got an array; kept in"
        " variables",
        "refs.json:11: field 'id': item 8: an id that is a boolean; the item is kept as it is,"
        " not read",
    ]
    assert found == expected
    assert list(library) == ["good1", "ITEM-3", "dates", "names", "fields", "good2"]
    assert library["dates"].issued is None
    assert library["dates"].variables["issued"] == FrozenMap({"date-parts": (("MCMXLIV",),)})
    assert library["names"].authors == (Person(family="Doe"),)
    assert library["fields"].variables == {
        "title": ("a", "list"),
        "custom": FrozenMap({"value": "x"}),
    }
    assert [w.type for w in library.duplicates] == [WorkType.ARTICLE]
    assert JSON.write(library) == BAD_ITEMS.encode()
    # Unreadable items, duplicates and kept values survive a rewrite.
    del library["good2"]
    library["fields"] = attrs.evolve(library["fields"], note="edited")
    rewritten = json.loads(JSON.write(library))
    original = json.loads(BAD_ITEMS)
    assert rewritten[:6] == original[:6]
    assert rewritten[6] == {**original[6], "note": "edited"}
    assert rewritten[7] == original[7]
    assert len(rewritten) == 8


def test_bad_yaml_items_have_lines_too() -> None:
    data = b"""references:
  - id: a
    type: book
    issued: {date-parts: [[x]]}
  - id: a
    type: book
  - id: b
    title: One
    title: Two
"""
    found = messages(YAML.read(data, path="r.yaml"))
    assert found == [
        "r.yaml:4: entry 'a': field 'issued': \"date-parts\" start: expected a number, got"
        " text ('x'); kept in variables",
        "r.yaml:5: warning: entry 'a': field 'id': id 'a' is already taken; the first is read,"
        " this one is kept in library.duplicates",
        "r.yaml:7: warning: entry 'b': field 'type': no \"type\"; read as \"document\"",
        "r.yaml:9:5: warning: entry 'b': field 'title': key 'title' is given twice; the last"
        " is read",
    ]


def test_duplicate_json_keys_are_warned_about() -> None:
    data = b'[\n {"id": "a",\n  "title": "One",\n  "title": "Two", "type": "book"}\n]'
    library = JSON.read(data, path="d.json")
    assert library["a"].title == "Two"
    assert messages(library) == [
        "d.json:3: warning: entry 'a': field 'title': key 'title' is given twice in an object;"
        " the last is read"
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("just text", "expected an array of CSL items"),
        (42, "expected an array of CSL items"),
        ({"title": "x"}, "expected an array of CSL items"),
        ({"references": "x"}, '"references": expected an array of items'),
        ({"references": [], "excerpts": 3}, '"excerpts": expected an array of excerpts'),
    ],
)
def test_documents_of_the_wrong_shape(fmt: Any, document: Any, message: str) -> None:
    data = (json.dumps(document) if fmt is JSON else yaml.safe_dump(document)).encode()
    library = fmt.read(data, path="x")
    assert any(message in p.message for p in library.errors)
    assert fmt.write(library) == data


def test_strict_loading_raises_parse_error() -> None:
    with pytest.raises(ParseError) as raised:
        citekit.loads(BAD_ITEMS, "csljson", strict=True, path="refs.json")
    assert raised.value.line == 3
    assert citekit.loads("[]", "csljson", strict=True).problems == []


def test_a_library_from_an_unparseable_file_is_not_written_over_it() -> None:
    data = b"[{broken"
    library = JSON.read(data)
    assert JSON.write(library) == data
    library.add(Work(key="new"))
    with pytest.raises(FormatError, match="could not be parsed"):
        JSON.write(library)


def test_yaml_alias_bombs_and_recursion_are_problems() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    assert "once aliases are expanded" in YAML.read(bomb.encode()).problems[0].message
    loop = YAML.read(b"references: &r\n  - *r\n").problems[0]
    assert "recursive alias" in loop.message


# --- YAML specifics ------------------------------------------------------------------------


def test_yaml_scalars_follow_yaml_1_2() -> None:
    data = b"""- id: y
  type: book
  title: yes
  publisher: on
  note: 1:30
  edition: 012
  volume: 3
  issued: 2005-12-15
  genre: null
"""
    work = YAML.read(data)["y"]
    assert (work.title, work.publisher, work.note) == ("yes", "on", "1:30")
    assert (work.edition, work.volume, work.genre) == ("12", "3", None)
    assert work.issued == Date.of(2005, 12, 15)


def test_yaml_writing_quotes_what_would_read_as_another_type() -> None:
    values = ["yes", "no", "on", "null", "~", "true", "0012", "1e5", "2005-12-15", "1:30", "3"]
    work = Work(key="q", extra={v: v for v in values})
    text = YAML.write(Library([work])).decode()
    for value in values:
        assert f"{value}: {value}\n" not in text
    assert YAML.read(text.encode())["q"] == work
    assert yaml.safe_load(text)["references"][0]["custom"]["extra"] == {v: v for v in values}


def test_yaml_layout() -> None:
    library = Library(
        [
            Work(key="a", title="Ünïcode “quotes”", issued=Date.of(1944, 3)),
            Work(key="b", keywords=("x", "y")),
        ],
        excerpts=[Excerpt(id="e", work_key="a", text="One.\n\nTwo.", tags=("t",))],
    )
    assert YAML.write(library).decode() == (
        "references:\n"
        "  - id: a\n"
        "    type: document\n"
        "    title: Ünïcode “quotes”\n"
        "    issued:\n"
        "      date-parts: [[1944, 3]]\n"
        "\n"
        "  - id: b\n"
        "    type: document\n"
        "    keyword: x, y\n"
        "\n"
        "excerpts:\n"
        "  - id: e\n"
        "    work: a\n"
        "    tags: [t]\n"
        "    text: |-\n"
        "      One.\n"
        "\n"
        "      Two.\n"
    )


def test_yaml_bare_lists_and_front_matter() -> None:
    bare = b"- id: a\n  type: book\n"
    library = YAML.read(bare)
    assert list(library) == ["a"] and not library.problems
    library["a"] = attrs.evolve(library["a"], title="T")
    assert YAML.write(library) == b"- id: a\n  type: book\n  title: T\n"
    front = b"---\nreferences:\n- id: a\n  type: book\n...\n\n# Notes\n\nText [@a].\n"
    library = YAML.read(front)
    assert list(library) == ["a"] and not library.problems
    assert YAML.write(library) == front
    library.add(Work(key="b"))
    written = YAML.write(library).decode()
    assert written.startswith("---\nreferences:\n")
    assert written.endswith("...\n\n# Notes\n\nText [@a].\n")
    assert list(YAML.read(written.encode())) == ["a", "b"]


def test_yaml_from_the_seed_example() -> None:
    path = REPO / "examples" / "serge" / "serge.yaml"
    data = path.read_bytes()
    library = YAML.read(data, path=str(path))
    assert not library.problems
    assert library["serge1944"].translators == (Person(family="Abidor", given="Mitchell"),)
    assert library["serge1944"].issued == Date.of(1945, 5)
    excerpt = library.excerpts["serge-heir"]
    assert excerpt.quoted_in == QuotedIn("bolshevikpunk2019")
    assert len(excerpt.paragraphs) == 4
    assert YAML.write(library) == data
    library["davies1941"] = attrs.evolve(library["davies1941"], title="Mission to Moscow!")
    written = YAML.write(library).decode().splitlines()
    original = data.decode().splitlines()
    changed = [(a, b) for a, b in zip(original, written, strict=True) if a != b]
    assert changed == [("    title: Mission to Moscow", "    title: Mission to Moscow!")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"- {id: a, type: book}   # a comment\n- {id: b, type: book}\n",
            b"- {id: a, type: book, title: 'New: title'}   # a comment\n- {id: b, type: book}\n",
        ),
        (b"id: a\ntype: book\n", b"id: a\ntype: book\ntitle: 'New: title'\n"),
        (
            b"references:\r\n  - id: a\r\n    note: |\r\n      one\r\n      two\r\n\r\n"
            b"  # between\r\n  - id: b\r\n",
            b"references:\r\n  - id: a\r\n    note: |\r\n      one\r\n      two\r\n"
            b"    title: 'New: title'\r\n\r\n  # between\r\n  - id: b\r\n",
        ),
        (
            b"# head\nreferences:\n- id: a\n  type: book\n  author:\n  - family: Doe\n# tail\n",
            b"# head\nreferences:\n- id: a\n  type: book\n  author:\n    - family: Doe\n"
            b"  title: 'New: title'\n# tail\n",
        ),
    ],
    ids=["flow", "single-item", "crlf-comments", "comments"],
)
def test_yaml_edits_stay_in_place(data: bytes, expected: bytes) -> None:
    library = YAML.read(data)
    assert YAML.write(library) == data
    library["a"] = attrs.evolve(library["a"], title="New: title")
    written = YAML.write(library)
    assert written == expected
    assert YAML.read(written).works() == library.works()


def test_a_library_read_as_json_keeps_its_unreadable_items_in_yaml() -> None:
    library = JSON.read(b'[{"id": "a", "type": "book", "volume": 2}, 42, {"id": "a"}]')
    back = YAML.read(YAML.write(library))
    assert back.works() == library.works()
    assert back.duplicates == library.duplicates
    assert [p.message for p in back.errors] == [p.message for p in library.errors]


# --- writing -------------------------------------------------------------------------------


def test_json_layout_is_deterministic() -> None:
    work = Work(
        key="é",
        type=WorkType.BOOK,
        title="Ça",
        contributors={"author": [Person(family="Doe", given="J.")]},
        issued=Date.of(2001, 2),
        volume="3",
    )
    expected = (
        "[\n"
        "  {\n"
        '    "id": "é",\n'
        '    "type": "book",\n'
        '    "title": "Ça",\n'
        '    "author": [\n'
        "      {\n"
        '        "family": "Doe",\n'
        '        "given": "J."\n'
        "      }\n"
        "    ],\n"
        '    "issued": {\n'
        '      "date-parts": [[2001, 2]]\n'
        "    },\n"
        '    "volume": "3"\n'
        "  }\n"
        "]\n"
    )
    assert JSON.write(Library([work])).decode() == expected
    assert json.loads(expected) == [work_to_item(work)]


def test_unchanged_json_comes_back_byte_for_byte_and_edits_stay_in_place() -> None:
    data = (
        b'\xef\xbb\xbf[\r\n\t{"id": "a", "type": "book", "title": "A", "volume": 1},\r\n'
        b'\t{\r\n\t\t"id": "b",\r\n\t\t"type": "book",\r\n\t\t"title": "B"\r\n\t},\r\n'
        b'\t{"id": "c", "type": "book"}\r\n]'
    )
    library = JSON.read(data)
    assert not library.problems
    assert JSON.write(library) == data
    library["b"] = attrs.evolve(library["b"], title="Bee")
    library["a"] = attrs.evolve(library["a"], note="n")
    written = JSON.write(library)
    assert written == (
        b'\xef\xbb\xbf[\r\n\t{"id": "a", "type": "book", "title": "A", "volume": 1, "note": "n"},'
        b'\r\n\t{\r\n\t\t"id": "b",\r\n\t\t"type": "book",\r\n\t\t"title": "Bee"\r\n\t},\r\n'
        b'\t{"id": "c", "type": "book"}\r\n]'
    )
    library["c"] = attrs.evolve(library["c"], title="C")
    del library["a"]
    rewritten = JSON.write(library).decode()
    assert rewritten.startswith('[\n  {\n    "id": "b",')
    assert json.loads(rewritten)[1] == {"id": "c", "type": "book", "title": "C"}


def test_save_and_load_by_extension(tmp_path: Path) -> None:
    library = Library([Work(key="a", title="A"), Work(key="b", type=WorkType.REPORT)])
    for name in ("refs.json", "refs.yaml", "refs.yml"):
        citekit.save(library, tmp_path / name)
        loaded = citekit.load(tmp_path / name)
        assert loaded.works() == library.works()
        assert not loaded.problems
        citekit.save(loaded, tmp_path / name)
    json_lib = citekit.load(tmp_path / "refs.json")
    citekit.save(json_lib, tmp_path / "converted.yaml")
    assert citekit.load(tmp_path / "converted.yaml").works() == library.works()


# --- properties ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY
@given(data=libraries())
def test_written_libraries_read_back_equal(fmt: Any, data: Any) -> None:
    found, quoted = data
    library = Library(found, excerpts=quoted)
    written = fmt.write(library)
    back = fmt.read(written)
    assert not back.errors, [str(p) for p in back.errors]
    assert back.works() == found
    assert list(back.excerpts.values()) == quoted
    assert fmt.write(back) == written


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY
@given(data=libraries(), edit=st.data())
def test_edited_libraries_read_back_equal(fmt: Any, data: Any, edit: st.DataObject) -> None:
    found, quoted = data
    library = fmt.read(fmt.write(Library(found, excerpts=quoted)))
    key = edit.draw(st.sampled_from(list(library)))
    library[key] = edit.draw(works(key=st.just(key)))
    back = fmt.read(fmt.write(library))
    assert back.works() == library.works()
    assert list(back.excerpts.values()) == quoted


_json_scalars = st.one_of(
    texts(), st.integers(-20000, 20000), st.booleans(), st.none(), st.floats(-1e9, 1e9)
)
_json = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["family", "given", "literal", "date-parts", "season", "raw", "x"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
_dates = st.fixed_dictionaries(
    {},
    optional={
        "date-parts": st.lists(
            st.lists(st.integers(-10001, 10001) | st.sampled_from(["", "21", "x"]), max_size=4),
            max_size=3,
        ),
        "season": _json,
        "circa": _json,
        "raw": _json,
        "literal": _json,
    },
)
_item_keys = [*sorted(CSL_VARIABLES), "multi", "url", "arxiv", "extra"]
_items = st.dictionaries(
    st.sampled_from(_item_keys),
    st.one_of(_json, _dates, st.lists(st.one_of(_json, st.fixed_dictionaries({"family": _json}))))
    | st.just({"arxiv": 1, "extra": {"a": "b"}, "u": []}),
    max_size=8,
)
_excerpts = st.dictionaries(
    st.sampled_from(["id", "text", "work", "locator", "speaker", "quoted-in", "tags", "zz"]),
    _json | st.just("k"),
    max_size=7,
)
_documents = st.one_of(
    st.lists(st.one_of(_items, _json), max_size=4),
    st.fixed_dictionaries(
        {"references": st.lists(_items, max_size=3)},
        optional={"excerpts": st.lists(_excerpts, max_size=3)},
    ),
    _json,
)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(document=_documents)
def test_any_document_reads_and_round_trips(fmt: Any, document: Any) -> None:
    if fmt is JSON:
        data = json.dumps(document, ensure_ascii=False).encode()
    else:
        data = yaml.safe_dump(document, allow_unicode=True).encode()
    library = fmt.read(data)
    assert fmt.write(library) == data
    fresh = Library(library.works(), excerpts=library.excerpts.values())
    fresh.duplicates = list(library.duplicates)
    back = fmt.read(fmt.write(fresh))
    assert back.works() == [live_rich(w) for w in library.works()]
    assert back.duplicates == [live_rich(w) for w in library.duplicates]
    assert back.excerpts == library.excerpts


# --- the CSL test suite --------------------------------------------------------------------

_INPUT = re.compile(r">>=+ INPUT =+>>(.*?)<<=+ INPUT =+<<", re.S)
SUITE_FILES = sorted(SUITE.glob("*.txt")) if SUITE.is_dir() else []


@needs("csl-suite")
@pytest.mark.parametrize("path", SUITE_FILES or [SUITE], ids=lambda p: p.stem)
def test_csl_test_suite_inputs(path: Path) -> None:
    found = _INPUT.search(path.read_text(encoding="utf-8"))
    assert found, f"{path.name} has no INPUT section"
    data = found.group(1).encode("utf-8")
    library = JSON.read(data, path=path.name)
    assert not library.errors, [str(p) for p in library.errors]
    assert JSON.write(library) == data
    for fmt in (JSON, YAML):
        fresh = Library(library.works())
        fresh.duplicates = list(library.duplicates)
        back = fmt.read(fmt.write(fresh))
        assert not back.errors, [str(p) for p in back.errors]
        assert back.works() == [live_rich(w) for w in library.works()]
        assert back.duplicates == library.duplicates
