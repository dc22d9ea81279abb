"""Hayagriva YAML: real files, told from CSL-YAML, round trips, the corpus through Hayagriva."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import citekit
from citekit import Date, Library, Person, Role, Work, WorkType
from citekit.cli import main as cli
from citekit.formats import format_for_path
from citekit.formats.hayagriva import HayagrivaFormat, sniff_hayagriva
from citekit.formats.losses import Loss
from strategies import works

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "formats" / "hayagriva"
CORPUS = ROOT / "tests" / "corpus"
FORMAT = HayagrivaFormat()

# key, CSL type, title, container, issued, first author
EXPECTED = [
    ("kinetics", WorkType.ARTICLE_JOURNAL,
     "Kinetics and luminescence of the excitations of a nonequilibrium polariton condensate",
     "Physical Review B", Date.of(2020, 10, 14), Person(family="Doan", given="T. D.")),
    ("donne", WorkType.BOOK, 'The "Anniversaries" and the "Epicedes and Obsequies"', None,
     Date.of(1995), Person(family="Donne", given="John")),
    ("omarova-libra", WorkType.ARTICLE_NEWSPAPER,
     "There’s a Lot We Still Don’t Know About Libra", "The New York Times",
     Date.of(2019, 11, 4), Person(family="Omarova", given="Saule")),
    ("zygos", WorkType.PAPER_CONFERENCE,
     "ZygOS: Achieving Low Tail Latency for Microsecond-Scale Networked Tasks",
     "Proceedings of the 26th Symposium on Operating Systems Principles", Date.of(2017),
     Person(family="Prekas", given="George")),
    ("electronic-music", WorkType.WEBPAGE, "Ishkur's Guide to Electronic Music", None, None,
     Person(literal="Ishkur")),
]  # fmt: skip


@pytest.mark.parametrize("name", ["basic.yml", "basic-2023.yml", "basic-2020.yml"])
def test_real_files_read_and_round_trip(name: str) -> None:
    path = FIXTURES / name
    assert format_for_path(str(path)).name == "hayagriva"
    library = citekit.load(path)
    assert library.problems == []
    assert len(library) > 30
    again = FORMAT.read(FORMAT.write(library))
    assert again.problems == []
    assert again.works() == library.works()


@pytest.mark.parametrize(("key", "kind", "title", "container", "issued", "first"), EXPECTED)
def test_entries(
    key: str,
    kind: WorkType,
    title: str,
    container: str | None,
    issued: Date | None,
    first: Person,
) -> None:
    work = citekit.load(FIXTURES / "basic.yml")[key]
    assert work.type is kind
    assert work.title == title
    assert work.container_title == container
    assert work.issued == issued
    assert work.authors[0] == first


def test_fields_in_detail() -> None:
    library = citekit.load(FIXTURES / "basic.yml")
    kinetics = library["kinetics"]
    assert (kinetics.volume, kinetics.issue, kinetics.page) == ("102", "16", "165126-165139")
    assert kinetics.publisher == "American Physical Society"
    assert kinetics.doi == "10.1103/PhysRevB.102.165126"
    zygos = library["zygos"]
    assert zygos.rich["title"].startswith('<span class="nocase">')  # verbatim: true
    assert zygos.isbn == "978-1450350853"
    assert zygos.publisher_place == "New York, NY, USA"
    wwdc = library["wwdc-network"]
    assert wwdc.event_title == "World Wide Developer Conference 2020"
    assert wwdc.event_place == "Mountain View, CA"
    assert wwdc.extra["event.title.short"] == "WWDC 2020"
    assert wwdc.extra["parent.runtime"] == "00:13:42"
    harry = library["harry"]  # a chapter: the book's fields are its container's
    assert harry.type is WorkType.CHAPTER
    assert harry.container_title == "Harry Potter and the Order of the Phoenix"
    assert harry.names(Role.CONTAINER_AUTHOR) == (Person(family="Rowling", given="J. K."),)
    assert harry.issued == attrs.evolve(Date.of(2003, 6, 21), circa=True)  # ~2003-06-21
    assert (harry.volume, harry.page, harry.number) == ("5", "135-139", "3")
    assert harry.isbn == "978-0747551003"
    donne = library["donne"]  # a book: its parent is the series
    assert donne.collection_title == "The Variorum Edition of the Poetry of John Donne"
    assert donne.publisher_place == "Bloomington"
    terminator = library["terminator-2"]
    assert terminator.type is WorkType.MOTION_PICTURE
    assert terminator.names(Role.DIRECTOR) == (Person(family="Cameron", given="James"),)
    assert len(terminator.names(Role.PERFORMER)) == 3
    assert terminator.variables["dimensions"] == "137:00"
    assert terminator.extra["time-range"] == "17:05-17:48"


def test_sniffing_tells_hayagriva_from_csl_yaml(tmp_path: Path) -> None:
    assert sniff_hayagriva((FIXTURES / "basic.yml").read_bytes())
    serge = ROOT / "examples" / "serge" / "serge.yaml"
    assert not sniff_hayagriva(serge.read_bytes())
    assert format_for_path(str(serge)).name == "cslyaml"
    for text in ("- id: a\n  title: A\n", "references:\n  - id: a\n", "id: a\ntitle: A\n"):
        assert not sniff_hayagriva(text.encode())
    for text in (
        "'westfahl:space':\n  type: book\n",
        "a:b:\n  title: T\n",
        '"x y":\n  author: Z\n',
    ):
        assert sniff_hayagriva(text.encode())  # keys quoted or holding colons
    # A file that does not exist yet (a save target) goes to CSL-YAML, the default.
    assert format_for_path(str(tmp_path / "new.yaml")).name == "cslyaml"
    # ... unless named.
    assert format_for_path(str(tmp_path / "new.yaml"), "hayagriva").name == "hayagriva"


def test_load_and_convert_choose_it_explicitly(tmp_path: Path) -> None:
    odd = tmp_path / "refs.txt"
    odd.write_bytes((FIXTURES / "basic.yml").read_bytes())
    assert len(citekit.load(odd, format="hayagriva")) == 38
    out = tmp_path / "out.yaml"
    assert cli(["convert", str(ROOT / "examples" / "serge" / "serge.bib"), str(out),
                "--to", "hayagriva"]) == 0  # fmt: skip
    assert format_for_path(str(out)).name == "hayagriva"
    back = tmp_path / "back.bib"
    assert cli(["convert", str(out), str(back)]) == 0
    assert set(citekit.load(back)) == set(citekit.load(ROOT / "examples" / "serge" / "serge.bib"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"- a\n",
        b"a: [unclosed\n",
        b"\xff\xfe",
        b"a: 3\nb:\n  type: book\n",
        b"a: {parent: 3}\n",
    ],
)
def test_bad_input_gives_problems_not_exceptions(data: bytes) -> None:
    assert isinstance(FORMAT.read(data, path="x.yml"), Library)


def _kept(before: Work, after: Work, lost: set[str]) -> None:
    for field in attrs.fields(Work):
        name = field.name
        if name in ("key", "contributors", "variables", "extra", "rich", "hints", "type"):
            continue
        if name.replace("_", "-") in lost:
            continue
        assert getattr(after, name) == getattr(before, name), name
    if f"type {before.type.value}" not in lost:
        assert after.type is before.type
    for role in Role:
        if role.value not in lost:
            assert after.names(role) == before.names(role), role
    for name, value in before.variables.items():
        if name not in lost:
            assert after.variables.get(name) == value, name
    for name, value in before.extra.items():
        if name not in lost:
            assert after.extra.get(name) == value, name
    for name, value in before.rich.items():
        if not {f"markup of {name.replace('_', '-')}", name.replace("_", "-")} & lost:
            assert after.rich_text(name) == value, name


def _check(library: Library) -> None:
    losses = FORMAT.losses(library)
    assert all(isinstance(loss, Loss) for loss in losses)
    back = FORMAT.read(FORMAT.write(library))
    assert not back.errors
    assert list(back) == list(library)
    for work in library.values():
        lost = {loss.field for loss in losses if work.key in loss.keys}
        _kept(work, back[work.key], lost)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(work=works())
def test_round_trip_keeps_what_hayagriva_holds(work: Work) -> None:
    _check(Library([attrs.evolve(work, hints={})]))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.bib")))
def test_corpus_bibtex_to_hayagriva_to_bibtex(name: str, tmp_path: Path) -> None:
    """Every field comes back from Hayagriva to BibTeX, or the loss report names it."""
    source = CORPUS / name
    between, back = tmp_path / "between.yaml", tmp_path / "back.bib"
    assert cli(["convert", str(source), str(between), "--to", "hayagriva"]) == 0
    assert cli(["convert", str(between), str(back)]) == 0
    original = citekit.load(source)
    converted = citekit.load(back)
    assert converted.errors == []
    assert list(converted) == list(original)
    losses = FORMAT.losses(original)
    for work in original.values():
        lost = {loss.field for loss in losses if work.key in loss.keys}
        _kept(work, converted[work.key], lost)


_TOKENS = [
    b"a:\n",
    b"  type: Article\n",
    b"  parent:\n",
    b"    - type: Conference\n",
    b"  title: {value: x, short: y}\n",
    b'  author: ["A, B"]\n',
    b"  date: ~2001\n",
    b"  extra:\n",
    b"  ",
    b"- ",
    b": ",
    b"\n",
    b"{",
    b"}",
    b"&a ",
    b"*a",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300), st.lists(st.sampled_from(_TOKENS)).map(b"".join)))
def test_any_bytes_give_a_library(data: bytes) -> None:
    """Any bytes: a library, with problems for what is wrong, never another exception."""
    library = FORMAT.read(data, path="x")
    assert isinstance(library, Library)
    assert all(p.line is None or p.line >= 1 for p in library.problems)
    if not library.errors and len(library):
        try:
            written = FORMAT.write(library)
        except citekit.FormatError:
            return
        assert len(FORMAT.read(written)) == len(library)
