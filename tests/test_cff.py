"""CITATION.cff: real files read as their authors wrote them, written back valid, round trips."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import citekit
from citekit import Date, Library, Person, Role, Work, WorkType
from citekit.formats import format_for_path
from citekit.formats.cff import CffFormat, schema_errors
from citekit.formats.losses import Loss
from strategies import works

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats" / "cff"
FORMAT = CffFormat()

# file, number of works, the software's title, version, DOI, first author (family, given)
FILES = [
    ("cff-itself.cff", 7, "Citation File Format", "1.2.0", "10.5281/zenodo.5171937",
     ("Druskat", "Stephan")),
    ("xenon-middleware_xenon-adaptors-cloud.cff", 2, "Cloud related adaptors for Xenon",
     "3.0.2", "10.5281/zenodo.3245389", ("Verhoeven", "Stefan")),
    ("tue-excellent-buildings_bso-toolbox.cff", 1, "BSO Toolbox", "1.0",
     "10.5281/zenodo.3823893", None),
    ("software-with-reference.cff", 2, "My Research Tool", "1.0.4", "10.5281/zenodo.1234",
     ("Doe", "Jane")),
    ("ls1mardyn_ls1-mardyn.cff", 2, "ls1 mardyn", None, None, None),
    ("key-complete.cff", 3, None, None, None, None),
    ("reference-thesis.cff", 2, None, None, None, None),
    ("reference-conference-paper.cff", 2, None, None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "count", "title", "version", "doi", "author"), FILES)
def test_real_files(
    name: str,
    count: int,
    title: str | None,
    version: str | None,
    doi: str | None,
    author: tuple[str, str] | None,
) -> None:
    path = FIXTURES / name
    assert format_for_path(str(path)).name == "cff"
    library = citekit.load(path)
    assert not library.errors, library.errors
    assert len(library) == count
    software = library.works()[0]
    assert software.type in (WorkType.SOFTWARE, WorkType.DATASET)
    assert software.hints["cff"].startswith("root")
    if title is not None:
        assert software.title == title
    if version is not None:
        assert software.variables["version"] == version
    if doi is not None:
        assert software.doi == doi
    if author is not None:
        assert (software.authors[0].family, software.authors[0].given) == author
    # Written back: valid CFF 1.2.0, read back to the same works, nothing reported lost.
    data = FORMAT.write(library)
    again = FORMAT.read(data)
    assert not again.problems
    assert again.works() == library.works()
    assert FORMAT.losses(library) == []


def test_cff_itself_in_detail() -> None:
    library = citekit.load(FIXTURES / "cff-itself.cff")
    software = library.works()[0]
    assert software.key == "citation-file-format"
    assert software.issued == Date.of(2021, 8, 9)
    assert software.extra["identifiers.1.type"] == "doi"
    assert software.extra["authors.1.orcid"] == "https://orcid.org/0000-0003-4925-7248"
    assert software.extra["authors.8.website"] == "https://dpshelio.github.io"
    assert software.variables["license"] == "CC-BY-4.0"
    assert software.extra["message"].startswith("If you use CFF in your research")
    assert "software citation" in software.keywords


def test_reference_article_fields() -> None:
    library = citekit.load(FIXTURES / "software-with-reference.cff")
    software, paper = library.works()
    assert software.authors[1] == Person(
        family="Bielefeld", given="Arthur", non_dropping_particle="von"
    )
    assert software.authors[2].suffix == "Jr."
    assert paper.type is WorkType.ARTICLE_JOURNAL
    assert paper.key == "doe2099"
    assert paper.container_title == "Journal of Hard Science Fiction"
    assert (paper.volume, paper.issue, paper.issued) == ("42", "13", Date.of(2099))
    assert paper.doi == "10.9999/hardscifi-lang.42132"
    assert paper.extra["scope"].startswith("Cite this paper")


def test_conference_and_thesis() -> None:
    paper = citekit.load(FIXTURES / "reference-conference-paper.cff").works()[1]
    assert paper.type is WorkType.PAPER_CONFERENCE
    assert paper.event_title == "1st Conference on Wishful Thinking"
    assert paper.event_place == "Bielefeld"
    assert paper.page == "42-45"
    assert paper.editors[0].family == "Kirk"
    thesis = citekit.load(FIXTURES / "reference-thesis.cff").works()[1]
    assert thesis.type is WorkType.THESIS
    assert thesis.publisher == "Humboldt-Universität zu Berlin"
    assert thesis.genre == "PhD"
    written = FORMAT.write(Library([*citekit.load(FIXTURES / "reference-thesis.cff").values()]))
    assert b"institution:" in written and b"publisher:" not in written


def test_invalid_cff_is_reported_with_its_line() -> None:
    data = (
        b"cff-version: 1.2.0\nmessage: hi\ntitle: x\n"
        b"authors:\n  - family-names: A\n    orcid: nope\n"
    )
    library = FORMAT.read(data, path="CITATION.cff")
    assert len(library) == 1
    (problem,) = library.problems
    assert problem.severity == "warning"
    assert problem.line == 6
    assert "authors.0.orcid" in problem.message


@pytest.mark.parametrize(
    "data",
    [b"", b"- a\n- b\n", b"title: [unclosed\n", b"\xff\xfe", b"references: 3\n", b"authors: x\n"],
)
def test_bad_input_gives_problems_not_exceptions(data: bytes) -> None:
    library = FORMAT.read(data, path="CITATION.cff")
    assert isinstance(library, Library)


def test_writing_a_library_without_software_fails_clearly() -> None:
    library = Library(
        [Work(key="a", type="book", title="A", contributors={"author": [Person(family="B")]})]
    )
    with pytest.raises(citekit.FormatError, match="software or a data set"):
        FORMAT.write(library)


def test_a_software_work_with_a_preferred_citation() -> None:
    software = Work(
        key="citekit",
        type="software",
        title="citekit",
        contributors={"author": [Person(family="Doe", given="Jane"), Person(literal="The Team")]},
        issued=Date.of(2026, 1, 2),
        doi="https://doi.org/10.5281/zenodo.1234",
        url="https://github.com/example/citekit",
        variables={"version": "0.1.0", "license": "MIT"},
        extra={"authors.1.orcid": "https://orcid.org/0000-0002-1825-0097"},
    )
    paper = Work(
        key="doe2026",
        type="article-journal",
        title="A paper",
        container_title="J. Software",
        contributors={"author": [Person(family="Doe", given="Jane")]},
        issued=Date.of(2026),
        page="1-10",
        hints={"cff": "preferred-citation"},
    )
    data = FORMAT.write(Library([software, paper]))
    text = data.decode()
    assert "preferred-citation:" in text and "repository-code: https://github.com" in text
    assert "doi: 10.5281/zenodo.1234" in text
    import yaml

    assert schema_errors(yaml.safe_load(text)) == []
    back = FORMAT.read(data)
    first, second = back.works()
    assert first.doi == "10.5281/zenodo.1234" and first.url == software.url
    assert first.extra["authors.1.orcid"] == "https://orcid.org/0000-0002-1825-0097"
    assert first.authors == software.authors
    assert second.hints["cff"].startswith("preferred-citation")
    assert (second.page, second.container_title, second.issued) == (
        "1-10",
        "J. Software",
        Date.of(2026),
    )


def test_losses_name_what_cff_cannot_hold() -> None:
    software = Work(
        key="tool",
        type="software",
        title="Tool",
        contributors={"author": [Person(family="Doe")], "illustrator": [Person(family="Roe")]},
        publisher="ACME",
        issued=Date.of(2020),
        variables={"archive": "Box 3"},
        extra={"bibtex-only": "x"},
    )
    losses = {(loss.field, loss.fate) for loss in FORMAT.losses(Library([software]))}
    assert ("illustrator", "dropped") in losses
    assert ("publisher", "dropped") in losses  # the software's root has no publisher
    assert ("archive", "dropped") in losses
    assert ("bibtex-only", "dropped") in losses
    assert ("key", "dropped") not in losses
    assert any(field == "issued" for field, _ in losses)  # a year alone is no date-released
    assert all(isinstance(loss, Loss) for loss in FORMAT.losses(Library([software])))
    # CFF has no keys: a key that reading would not make again is named.
    paper = Work(
        key="my-paper",
        type="book",
        title="A book",
        contributors={"author": [Person(family="Roe", given="Ann")]},
        issued=Date.of(1999),
    )
    keys = [loss for loss in FORMAT.losses(Library([software, paper])) if loss.field == "key"]
    assert [loss.keys for loss in keys] == [("my-paper",)]
    assert FORMAT.read(FORMAT.write(Library([software, paper]))).works()[1].key == "roe1999"


_PATTERNED = ("doi", "isbn", "issn", "pmcid")


def _lost_fields(losses: list[Loss], key: str) -> set[str]:
    return {loss.field for loss in losses if key in loss.keys}


def _kept(before: Work, after: Work, lost: set[str]) -> None:
    """Every field of ``before`` that the loss report does not name is in ``after``."""
    for field in attrs.fields(Work):
        name = field.name
        if name in ("key", "contributors", "variables", "extra", "rich", "hints", "type"):
            continue
        if name.replace("_", "-") in lost or (name == "keywords" and "keywords" in lost):
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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(work=works(), as_reference=st.booleans())
def test_round_trip_keeps_what_cff_holds(work: Work, as_reference: bool) -> None:
    work = attrs.evolve(work, **{name: None for name in _PATTERNED}, hints={})
    if not work.title or not work.authors:
        work = attrs.evolve(
            work,
            title=work.title or "A title",
            contributors=[
                *work.contributors,
                *([] if work.authors else [(Role.AUTHOR, [Person(family="Doe")])]),
            ],
        )
    if as_reference:
        software = Work(
            key="tool", type="software", title="Tool", contributors={"author": [Person(family="X")]}
        )
        library = Library([software, attrs.evolve(work, key="ref")])
    else:
        work = attrs.evolve(work, type=WorkType.SOFTWARE)
        library = Library([work])
    target = library.works()[-1]
    losses = FORMAT.losses(library)
    back = FORMAT.read(FORMAT.write(library))
    assert not back.errors
    _kept(target, back.works()[-1], _lost_fields(losses, target.key))


_TOKENS = [
    b"cff-version: 1.2.0\n",
    b"authors:\n  - name: x\n",
    b"title: t\n",
    b"references:\n  - ",
    b"type: article\n",
    b"preferred-citation:\n  ",
    b"  ",
    b"- ",
    b": ",
    b"\n",
    b"{",
    b"[",
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


def test_an_extra_field_named_as_a_model_field_is_reported_not_moved() -> None:
    # an extra "abstract" written as CFF's abstract would come back as the abstract
    work = Work(
        key="tool",
        type="software",
        title="Tool",
        contributors={"author": [Person(family="X")]},
        extra={"abstract": "not the abstract"},
    )
    library = Library([work])
    losses = FORMAT.losses(library)
    back = FORMAT.read(FORMAT.write(library)).works()[0]
    assert back.abstract is None
    assert "abstract" in _lost_fields(losses, "tool")
