"""RIS: real files as their exporters write them, round trips, losses, any bytes.

The fixtures are in ``tests/fixtures/formats/`` (see PROVENANCE.md there):
rispy's test files (EndNote-style records, a BOM, unknown tags, records
between junk lines) and the RIS import tests of Zotero's translator, whose
expected items are an independent reading of the same files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import citekit
from citekit import Date, Person, Role, Work, WorkType
from citekit.formats.losses import compare
from citekit.formats.ris import RisFormat
from citekit.model.persons import parse_name
from strategies import persons, words

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
RIS = RisFormat()


def load(name: str) -> citekit.Library:
    return citekit.load(FIXTURES / name)


def every(library: citekit.Library) -> list[Work]:
    return [*library.values(), *library.duplicates]


# --- real files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        (
            "rispy-example_full.ris",
            0,
            {
                "key": "12345",
                "type": WorkType.ARTICLE_JOURNAL,
                "title": "Title of reference",
                "authors": ["Marx, Karl", "Lindgren, Astrid"],
                "editors": ["Glattauer, Daniel"],
                "issued": "2014",
                "container_title": "Lorem",
                "container_title_short": "lorem",
                "volume": "9",
                "issue": "3",
                "page": "e0815",
                "issn": "1932-6208",
                "url": "http://example_url.com",
                "publisher_place": "United States",
                "publisher": "Fun Factory",
                "number": "1008150341",
                "keywords": ("Pippi", "Nordwind", "Piraten"),
            },
        ),
        (
            "rispy-example_multi_unknown_tags.ris",
            0,
            {
                "title": "A Mathematical Theory of Communication",
                "authors": ["Shannon, Claude E."],
                "issued": "1948-07",
                "container_title": "Bell System Technical Journal",
                "page": "423",
                "volume": "27",
                "extra": {"JP": "CRISPR", "DC": "Direct Current"},
            },
        ),
        ("rispy-example_bom.ris", 0, {"doi": "10.1186/s40981-020-0316-0"}),
        (
            "rispy-example_utf_chars.ris",
            0,
            {
                "authors": [
                    "Dobrokhotova, Yu E.",
                    "Yusupova, R. O.",
                    "Ozerova, R. I.",
                    "Fayzullin, L. Z.",
                    "Karnaukhov, V. N.",
                ],
                "issued": "2009",
                "container_title": "Gynecology, Obstetrics and Perinatology",
                "volume": "8",
                "issue": "3",
                "page": "52-57",
                "note": "Ä,Ö,Ü,ä,ö,ü,ß",
            },
        ),
        (
            "rispy-example_urls.ris",
            2,
            {"url": "http://example.com", "extra": {"UR": "http://www.example.com"}},
        ),
        (
            "rispy-example_multiline.ris",
            1,
            {
                # Continuation lines of notes and abstracts are lines of their own.
                "abstract": "first line,\nER then second line and at the end\nthe last line",
                "note": "first line\n* second line\n* last line",
            },
        ),
    ],
)
def test_rispy_files(name: str, index: int, expected: dict[str, Any]) -> None:
    work = every(load(name))[index]
    for field, value in expected.items():
        if field == "authors":
            assert [p.inverted() for p in work.authors] == value
        elif field == "editors":
            assert [p.inverted() for p in work.editors] == value
        elif field == "issued":
            assert str(work.issued) == value
        elif field == "extra":
            assert dict(work.extra) == value
        else:
            assert getattr(work, field) == value, field


def test_text_outside_records_is_reported_with_its_line() -> None:
    library = load("rispy-example_extraneous_data.ris")
    assert len(every(library)) == 2
    assert [(p.line, p.severity) for p in library.problems][:3] == [
        (1, "warning"),
        (2, "warning"),
        (3, "warning"),
    ]
    assert "Record #1 of 2" in str(library.problems[0])


def test_same_id_twice_is_a_duplicate_not_a_loss() -> None:
    library = load("rispy-example_full.ris")
    assert list(library) == ["12345"]
    assert [w.title for w in library.duplicates] == ["The title of the reference"]


def test_a_type_written_as_its_name_is_read_and_kept() -> None:
    library = load("rispy-example_utf_chars.ris")  # "TY  - Journal Article"
    work = every(library)[0]
    assert work.type is WorkType.ARTICLE_JOURNAL
    assert work.extra["TY"] == "Journal Article"
    assert library.problems == []
    assert RIS.write(library).startswith(b"TY  - Journal Article\r\n")


def test_an_unknown_type_is_kept_and_reported() -> None:
    library = citekit.loads("TY  - WIDGET\nTI  - T\nER  - \n", "ris")
    work = every(library)[0]
    assert work.type is WorkType.DOCUMENT
    assert work.extra["TY"] == "WIDGET"
    assert library.problems[0].field == "TY"
    assert RIS.write(library).startswith(b"TY  - WIDGET\r\n")


ZOTERO_CASES = json.loads(
    (FIXTURES / "zotero-translators-ris-import-cases.json").read_text(encoding="utf-8")
)
#: Zotero item type -> the CSL types citekit may read the same record as.
ZOTERO_TYPES = {
    "journalArticle": {"article-journal", "document", "periodical", "manuscript"},
    "book": {"book", "classic", "periodical"},
    "bookSection": {"chapter"},
    "patent": {"patent"},
    "thesis": {"thesis"},
    "report": {"report", "standard"},
    "webpage": {"webpage"},
    "dataset": {"dataset"},
}
TITLE_FIELDS = ("title", "caseName", "nameOfAct", "subject")


def zotero_title(item: dict[str, Any]) -> str | None:
    return next((item[f] for f in TITLE_FIELDS if item.get(f)), None)


@pytest.mark.parametrize("number", range(len(ZOTERO_CASES)))
def test_zotero_translator_cases(number: int) -> None:
    """Each record as Zotero reads it: type, title, primary creators, year,
    container, pages and DOI agree with the items Zotero's tests expect."""
    case = ZOTERO_CASES[number]
    library = citekit.loads(case["input"], "ris")
    works = every(library)
    assert library.errors == []
    assert len(works) == len(case["items"])
    for work, item in zip(works, case["items"], strict=True):
        where = f"{number}:{work.key}"
        allowed = ZOTERO_TYPES.get(item["itemType"])
        if allowed is not None:
            assert work.type.value in allowed, where
        title = zotero_title(item)
        if title is not None and work.title is not None:
            # (Zotero names a case by its short title, ST)
            assert title in (" ".join(work.title.split()), work.title_short), where
        creators = item.get("creators", [])
        primary = creators[0]["creatorType"] if creators else None
        zotero_names = [c.get("lastName") for c in creators if c["creatorType"] == primary]
        if primary in ("author", "inventor", "programmer", "artist", "director"):
            ours = [p.family or p.literal for p in work.authors]
            assert ours[: len(zotero_names)] == zotero_names, where
        year = re.search(r"\b\d{4}\b", item.get("date") or "")
        if year and year.group() != "0000":
            assert work.year == int(year.group()), where
        container = item.get("publicationTitle")
        if container and item["itemType"] == "journalArticle" and work.container_title:
            assert work.container_title == container, where
        if item.get("pages"):
            assert (work.page or "").replace("–", "-") == item["pages"].replace("–", "-"), where
        if item.get("DOI"):
            assert work.doi == item["DOI"], where


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_line_ends_and_byte_order_mark_read_the_same(newline: str, bom: str) -> None:
    text = (FIXTURES / "rispy-example_full.ris").read_text(encoding="utf-8")
    data = (bom + text.replace("\n", newline)).encode("utf-8")
    reference = load("rispy-example_full.ris")
    library = RIS.read(data)
    assert every(library) == every(reference)
    assert [(p.line, p.message) for p in library.problems] == [
        (p.line, p.message) for p in reference.problems
    ]


# --- round trips ---------------------------------------------------------------------------

RIS_FILES = sorted(p.name for p in FIXTURES.glob("*.ris"))


@pytest.mark.parametrize("name", RIS_FILES)
def test_each_file_round_trips_through_ris_and_csl_json(name: str) -> None:
    library = load(name)
    for fmt in ("ris", "csljson"):
        again = citekit.loads(citekit.formats.get_format(fmt).write(library), fmt)
        assert again.errors == []
        assert every(again) == every(library), fmt
    assert RIS.losses(library) == []


def test_unknown_tags_are_written_back() -> None:
    library = load("rispy-example_multi_unknown_tags.ris")
    text = RIS.write(library).decode("utf-8")
    assert "JP  - CRISPR\r\n" in text
    assert "DC  - Direct Current\r\n" in text


def test_zotero_style_record_is_written_with_its_tags() -> None:
    work = Work(
        key="doe2010",
        type=WorkType.ARTICLE_JOURNAL,
        title="A title",
        contributors={"author": [Person(family="Doe", given="Jane")]},
        container_title="Global Change Biology",
        container_title_short="Glob Change Biol",
        issued=Date.of(2010, 5, 12),
        page="737-738",
        doi="10.1111/j.1365-2486.2009.02065.x",
        issn="1354-1013",
    )
    text = RIS.write(citekit.Library([work])).decode("utf-8")
    assert text.splitlines() == [
        "TY  - JOUR",
        "ID  - doe2010",
        "TI  - A title",
        "AU  - Doe, Jane",
        "T2  - Global Change Biology",
        "J2  - Glob Change Biol",
        "PY  - 2010",
        "DA  - 2010/05/12/",
        "SP  - 737",
        "EP  - 738",
        "SN  - 1354-1013",
        "DO  - 10.1111/j.1365-2486.2009.02065.x",
        "ER  - ",
    ]


def test_translator_is_a4_and_other_roles_are_notes() -> None:
    work = Work(
        key="k",
        type=WorkType.BOOK,
        title="T",
        contributors={
            "translator": [Person(family="Roe", given="Ann")],
            "illustrator": [Person(family="Poe", given="Ed")],
        },
    )
    library = citekit.Library([work])
    text = RIS.write(library).decode("utf-8")
    assert "A4  - Roe, Ann" in text
    assert "N1  - illustrator: Poe || Ed" in text
    losses = RIS.losses(library)
    assert [(loss.field, loss.keys) for loss in losses] == [("illustrator", ("k",))]
    assert "written as N1 notes" in str(losses[0])
    assert every(RIS.read(RIS.write(library))) == [work]


# --- hypothesis: what RIS holds comes back, the loss report names the rest ----------------

SIMPLE = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"]),
        min_size=1,
        max_size=20,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


def _written_as_bibtex(person: Person) -> bool:
    """Whether BibTeX's name syntax writes ``person`` in a form read back the same."""
    try:
        return parse_name(person.bibtex()) == person
    except ValueError:
        return False


@st.composite
def ris_works(draw: st.DrawFn) -> Work:
    fields: dict[str, Any] = {}
    for name in draw(
        st.lists(
            st.sampled_from(
                [
                    "title",
                    "container_title",
                    "container_title_short",
                    "collection_title",
                    "title_short",
                    "volume",
                    "issue",
                    "number",
                    "edition",
                    "publisher",
                    "publisher_place",
                    "genre",
                    "language",
                    "abstract",
                    "note",
                    "original_title",
                    "medium",
                    "event_place",
                    "number_of_pages",
                ]
            ),
            unique=True,
            max_size=8,
        )
    ):
        fields[name] = draw(SIMPLE)
    if draw(st.booleans()):
        year = draw(st.integers(1000, 2100))
        month = draw(st.none() | st.integers(1, 12))
        day = draw(st.none() | st.integers(1, 28)) if month else None
        fields["issued"] = Date.of(year, month, day)
    roles = draw(st.lists(st.sampled_from(list(Role)), unique=True, max_size=3))
    # Names as people have them (those BibTeX's name syntax writes and reads back).
    names = persons().filter(lambda p: _written_as_bibtex(p) and not p.is_others)
    return Work(
        key=draw(words()),
        type=draw(st.sampled_from(list(WorkType))),
        contributors={role: draw(st.lists(names, min_size=1, max_size=2)) for role in roles},
        extra=draw(
            st.dictionaries(
                st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True), SIMPLE, max_size=2
            )
        ),
        **fields,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ris_works(), min_size=1, max_size=3, unique_by=lambda w: w.key))
def test_round_trip_keeps_what_ris_holds_and_names_the_rest(works: list[Work]) -> None:
    library = citekit.Library(works)
    reported = {(loss.field, key) for loss in RIS.losses(library) for key in loss.keys}
    again = RIS.read(RIS.write(library))
    assert again.errors == []
    changed = {
        (loss.field, key)
        for loss in compare("RIS", every(library), every(again))
        for key in loss.keys
    }
    assert changed <= reported
    # Fields RIS has tags for never appear in the report.
    tagged = {"title", "container-title", "volume", "issue", "publisher", "author", "editor"}
    assert not {field for field, _ in reported} & tagged - {"markup (italics, small caps, ...)"}


# --- the corpus: BibTeX -> RIS -> BibTeX ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.bib")))
def test_corpus_bibtex_to_ris_to_bibtex_keeps_or_names_every_field(name: str) -> None:
    from citekit.formats.bibtex import BibtexFormat

    original = citekit.load(CORPUS / name)
    reported = {(loss.field, key) for loss in RIS.losses(original) for key in loss.keys}
    through = RIS.read(RIS.write(original))
    assert through.errors == []
    reported |= {(loss.field, key) for loss in BibtexFormat().losses(through) for key in loss.keys}
    back = citekit.loads(BibtexFormat().write(through), "bibtex")
    assert len(every(back)) == len(every(original))
    changed = {
        (loss.field, key) for loss in compare("", every(original), every(back)) for key in loss.keys
    }
    assert changed - reported == set()
    # A work the report does not name comes back whole.
    named = {key for _, key in reported}
    for before, after in zip(every(original), every(back), strict=True):
        if before.key not in named:
            assert before == after


# --- any bytes -----------------------------------------------------------------------------

RIS_PIECES = [
    "TY  - JOUR",
    "ER  - ",
    "AU  - Doe, J",
    "PY  - 2001/02/30/",
    "N1  - tex.x: y",
    "SP  - 3",
    "TY - ",
    "  cont",
    "\r\n",
    "\n",
    "\ufeff",
    "ID  - k",
    "DA  - 1944///",
    "é",
    "-",
]
RISISH = st.lists(st.sampled_from(RIS_PIECES), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | RISISH.map(lambda s: s.encode("utf-8")))
def test_any_bytes_give_a_library(data: bytes) -> None:
    library = citekit.loads(data, "ris")
    assert all(p.line is None or p.line >= 1 for p in library.problems)
    report = RIS.losses(library)
    assert all(loss.keys for loss in report)
    if not library.errors:
        again = RIS.read(RIS.write(library))
        assert len(every(again)) == len(every(library))
