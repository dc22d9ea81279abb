"""MEDLINE/PubMed: PubMed's own exports, its abbreviations, round trips and losses.

The fixtures are PubMed exports carried by Biopython's tests (see
``tests/fixtures/formats/PROVENANCE.md``).
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
from citekit import Date, Person, Work, WorkType
from citekit.formats.losses import compare
from citekit.formats.medline import MedlineFormat, expand_pages
from citekit.model.dates import DateParts, Season
from citekit.model.persons import parse_name

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
MEDLINE = MedlineFormat()


def every(library: citekit.Library) -> list[Work]:
    return [*library.values(), *library.duplicates]


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        (
            "biopython-pubmed_result1.nbib",
            0,
            {
                "type": WorkType.ARTICLE_JOURNAL,
                "title": "The Bio* toolkits--a brief overview.",
                "authors": ["Mangalam, Harry"],
                "issued": "2002-09",
                "container_title": "Briefings in bioinformatics",
                "container_title_short": "Brief Bioinform",
                "volume": "3",
                "issue": "3",
                "page": "296-302",
                "pmid": "12230038",
                "issn": "1467-5463",
                "language": "en",
            },
        ),
        (
            "biopython-pubmed_result2.nbib",
            0,
            {
                "title": "A high level interface to SCOP and ASTRAL implemented in python.",
                "authors": ["Casbon, James A", "Crooks, Gavin E", "Saqi, Mansoor A S"],
                "issued": "2006",
                "page": "10",
                "doi": "10.1186/1471-2105-7-10",
                "pmcid": "PMC1373603",
                "issn": "1471-2105",
            },
        ),
        (
            "biopython-pubmed_result2.nbib",
            1,
            {
                "title": "GenomeDiagram: a python package for the visualization of large-scale"
                " genomic data.",
                "issued": "2006-03-01",
                "page": "616-617",
                "doi": "10.1093/bioinformatics/btk021",
                "container_title": "Bioinformatics (Oxford, England)",
            },
        ),
        (
            "biopython-pubmed_result2.nbib",
            2,
            {
                "authors": ["de Hoon, M J L", "Imoto, S", "Nolan, J", "Miyano, S"],
                "page": "1453-1454",
            },
        ),
        (
            "biopython-pubmed_result2.nbib",
            3,
            {"page": "2308-2310", "issued": "2003-11-22", "doi": None, "pmid": "14630660"},
        ),
        (
            "biopython-pubmed_result3.nbib",
            0,
            {
                "authors": ["Qiao, Shan", "Shen, Guofeng", "Bai, Jingfeng", "Chen, Yazhu"],
                "page": "5795-5813",
                "doi": "10.1118/1.4748329",
                "issued": "2012-10",
            },
        ),
    ],
)
def test_pubmed_exports(name: str, index: int, expected: dict[str, Any]) -> None:
    library = citekit.load(FIXTURES / name)
    assert library.errors == []
    work = every(library)[index]
    for field, value in expected.items():
        if field == "authors":
            assert [p.inverted() for p in work.authors] == value
        elif field == "issued":
            assert str(work.issued) == value
        else:
            assert getattr(work, field) == value, field


def test_other_tags_are_kept_whole() -> None:
    work = every(citekit.load(FIXTURES / "biopython-pubmed_result2.nbib"))[0]
    assert work.extra["MH"].split("\n")[:2] == [
        "*Database Management Systems",
        "*Databases, Protein",
    ]
    assert work.extra["AD"].startswith("Bioinformatics, Institute of Cell")
    assert work.extra["PT"] == "Evaluation Studies\nJournal Article"


ZOTERO_CASES = json.loads(
    (FIXTURES / "zotero-translators-medline-import-cases.json").read_text(encoding="utf-8")
)
ZOTERO_TYPES = {
    "journalArticle": WorkType.ARTICLE_JOURNAL,
    "bookSection": WorkType.CHAPTER,
    "book": WorkType.BOOK,
    "thesis": WorkType.THESIS,
    "report": WorkType.REPORT,
}


@pytest.mark.parametrize("number", range(len(ZOTERO_CASES)))
def test_zotero_translator_cases(number: int) -> None:
    """PubMed (and ERIC) records as Zotero's MEDLINE translator reads them: type,
    title, authors, year, journal, pages and DOI agree with its tests' items."""
    case = ZOTERO_CASES[number]
    library = citekit.loads(case["input"], "medline")
    works = every(library)
    assert library.errors == []
    assert len(works) == len(case["items"])
    for work, item in zip(works, case["items"], strict=True):
        where = f"{number}:{work.key}"
        assert work.type is ZOTERO_TYPES[item["itemType"]], where
        if item.get("title"):
            assert work.title == item["title"], where
        authors = [c["lastName"] for c in item.get("creators", []) if c["creatorType"] == "author"]
        assert [p.full_family if p.literal is None else p.literal for p in work.authors] == authors
        year = re.search(r"\d{4}", item.get("date") or "")
        assert work.year == (int(year.group()) if year else None), where
        if item.get("publicationTitle"):
            assert work.container_title == item["publicationTitle"], where
        assert work.page == item.get("pages"), where
        if item.get("DOI"):
            assert work.doi == item["DOI"], where
        again = MEDLINE.read(MEDLINE.write(library))
        assert every(again) == works


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("737-8", "737-738"),
        ("616-7", "616-617"),
        ("1199-201", "1199-1201"),
        ("2308-10", "2308-2310"),
        ("5795-813", "5795-5813"),
        ("296-302", "296-302"),
        ("10", "10"),
        ("e1234", "e1234"),
        ("99-101", "99-101"),
        ("1199-201, 1210", "1199-1201, 1210"),
        ("S12-4", "S12-4"),
        ("19-8", "19-8"),
    ],
)
def test_page_ranges(text: str, pages: str) -> None:
    assert expand_pages(text) == pages


@pytest.mark.parametrize(
    ("dp", "date"),
    [
        ("2007", Date.of(2007)),
        ("2007 Feb", Date.of(2007, 2)),
        ("2007 Feb 15", Date.of(2007, 2, 15)),
        ("2007 Spring", Date(start=DateParts(2007, season=Season.SPRING))),
        ("2007 Fall", Date(start=DateParts(2007, season=Season.AUTUMN))),
        ("2007 Jan-Feb", Date(start=DateParts(2007, 1), end=DateParts(2007, 2))),
        ("2006 Dec-2007 Jan", Date(start=DateParts(2006, 12), end=DateParts(2007, 1))),
        ("2007 Jan 5-12", Date(start=DateParts(2007, 1, 5), end=DateParts(2007, 1, 12))),
        ("2007 Winter-Spring", Date(literal="2007 Winter-Spring")),
    ],
)
def test_dp_dates_read_and_write_back(dp: str, date: Date) -> None:
    text = f"PMID- 1\nDP  - {dp}\nTI  - T\n"
    work = every(citekit.loads(text, "medline"))[0]
    assert work.issued == date
    assert f"DP  - {dp}\n" in MEDLINE.write(citekit.Library([work])).decode()


def test_publication_types_give_csl_types() -> None:
    text = (
        "PMID- 1\nTI  - A\nPT  - Preprint\n\n"
        "PMID- 2\nTI  - B\nPT  - Dataset\n\n"
        "PMID- 3\nTI  - C\nPT  - Letter\nPT  - Comment\n\n"
        "PMID- 4\nTI  - D\nBTI - The book\nPT  - Review\n"
    )
    types = [w.type for w in every(citekit.loads(text, "medline"))]
    assert types == [
        WorkType.ARTICLE,
        WorkType.DATASET,
        WorkType.ARTICLE_JOURNAL,
        WorkType.CHAPTER,
    ]


def test_continuation_lines_join_with_a_space() -> None:
    text = "PMID- 1\nTI  - A title that\n      goes on.\nAB  - One\n      two.\n"
    work = every(citekit.loads(text, "medline"))[0]
    assert (work.title, work.abstract) == ("A title that goes on.", "One two.")


def test_a_line_that_is_no_tag_is_reported() -> None:
    library = citekit.loads("PMID- 1\nTI  - T\nnot a tag line\n", "medline")
    assert [(p.line, p.severity) for p in library.problems] == [(3, "warning")]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.nbib")))
def test_each_file_round_trips_through_medline_and_csl_json(name: str) -> None:
    library = citekit.load(FIXTURES / name)
    for fmt in ("medline", "csljson"):
        again = citekit.loads(citekit.formats.get_format(fmt).write(library), fmt)
        assert again.errors == []
        assert every(again) == every(library), fmt
    assert MEDLINE.losses(library) == []


def test_what_medline_cannot_hold_is_named() -> None:
    work = Work(
        key="k",
        type=WorkType.BOOK,
        title="T",
        url="https://example.org",
        contributors={"translator": [Person(family="Roe", given="Ann")]},
    )
    library = citekit.Library([work])
    fields = {loss.field for loss in MEDLINE.losses(library)}
    assert {"url", "translator", "citation key"} <= fields
    assert every(MEDLINE.read(MEDLINE.write(library))) == [work]


SIMPLE = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"]),
        min_size=1,
        max_size=20,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@st.composite
def medline_works(draw: st.DrawFn) -> Work:
    fields: dict[str, Any] = {
        name: draw(SIMPLE)
        for name in draw(
            st.lists(
                st.sampled_from(
                    [
                        "title",
                        "container_title",
                        "container_title_short",
                        "volume",
                        "issue",
                        "abstract",
                        "publisher",
                        "note",
                        "url",
                        "genre",
                    ]
                ),
                unique=True,
                max_size=6,
            )
        )
    }
    if draw(st.booleans()):
        fields["pmid"] = str(draw(st.integers(1, 40_000_000)))
    if draw(st.booleans()):
        fields["issued"] = Date.of(
            draw(st.integers(1800, 2100)), draw(st.none() | st.integers(1, 12))
        )
    if draw(st.booleans()):
        first = draw(st.integers(1, 5000))
        fields["page"] = f"{first}-{first + draw(st.integers(1, 300))}"
    authors = draw(
        st.lists(
            st.sampled_from(["Doe, Jane", "de Hoon, M J L", "Smith, A", "Ramón y Cajal, S"]).map(
                parse_name
            ),
            max_size=3,
        )
    )
    return Work(
        key=draw(st.from_regex(r"[a-z]{1,8}[0-9]{0,4}", fullmatch=True)),
        type=draw(st.sampled_from(list(WorkType))),
        contributors={"author": authors},
        **fields,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(medline_works(), min_size=1, max_size=3, unique_by=lambda w: w.key))
def test_round_trip_keeps_what_medline_holds_and_names_the_rest(works: list[Work]) -> None:
    library = citekit.Library(works)
    reported = {(loss.field, key) for loss in MEDLINE.losses(library) for key in loss.keys}
    again = MEDLINE.read(MEDLINE.write(library))
    assert again.errors == []
    changed = {
        (loss.field, key)
        for loss in compare("MEDLINE", every(library), every(again))
        for key in loss.keys
    }
    assert changed <= reported
    assert not {field for field, _ in reported} & {"title", "author", "volume", "issue", "page"}


MEDLINE_PIECES = [
    "PMID- 1",
    "TI  - T",
    "      more",
    "FAU - Doe, J",
    "AU  - Doe J",
    "DP  - 2001 Feb 30",
    "PG  - 737-8",
    "AID - x [doi]",
    "PT  - Book",
    "GN  - type: map",
    "\n",
    "\n\n",
    "é",
]
MEDLINEISH = st.lists(st.sampled_from(MEDLINE_PIECES), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | MEDLINEISH.map(lambda s: s.encode("utf-8")))
def test_any_bytes_give_a_library(data: bytes) -> None:
    library = citekit.loads(data, "medline")
    assert all(p.line is None or p.line >= 1 for p in library.problems)
    assert all(loss.keys for loss in MEDLINE.losses(library))
    if not library.errors:
        again = MEDLINE.read(MEDLINE.write(library))
        assert len(every(again)) == len(every(library))
