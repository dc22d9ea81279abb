"""CSL-JSON as Zotero writes it, loss reports, strict writes and BibTeX dialects.

Zotero 7's "CSL JSON" export names an item by its URI (or "library/KEY"),
adds its own citation key as ``citation-key``, the journal abbreviation as
``journalAbbreviation``, the library catalogue as ``source``, and the Extra
field as ``note``, one ``Key: value`` field a line. Better BibTeX's exports
(fixtures from its test suite) use the citation key as id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import citekit
from citekit import Work, WorkType
from citekit.cli import main as cli
from citekit.formats.csl import work_from_item, work_to_item

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"

ZOTERO_ITEM = {
    "id": "http://zotero.org/users/1234567/items/ABCD1234",
    "type": "article-journal",
    "citation-key": "vanderwal2010",
    "title": "Warming and the timing of flowering",
    "container-title": "Global Change Biology",
    "journalAbbreviation": "Glob Change Biol",
    "source": "Wiley Online Library",
    "author": [{"family": "Van der Wal", "given": "René"}],
    "issued": {"date-parts": [[2010, 2]]},
    "page": "737-738",
    "volume": "16",
    "DOI": "10.1111/j.1365-2486.2009.02065.x",
    "note": "Original Date: 2009\ntex.lccn: QK495\nRead twice.",
}


def zotero_file(tmp_path: Path, items: list[dict[str, object]]) -> Path:
    path = tmp_path / "zotero.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_zotero_item_fields_go_where_they_belong() -> None:
    work = work_from_item(ZOTERO_ITEM)
    assert work is not None
    assert work.key == "vanderwal2010"
    assert work.extra["ids"] == ZOTERO_ITEM["id"]  # the item id stays a key of the work
    assert work.container_title_short == "Glob Change Biol"
    assert work.variables["source"] == "Wiley Online Library"
    assert str(work.original_date) == "2009"
    assert work.extra["lccn"] == "QK495"
    assert work.note == "Read twice."


def test_zotero_item_is_written_back_as_zotero_wrote_it() -> None:
    work = work_from_item(ZOTERO_ITEM)
    assert work is not None
    item = work_to_item(work)
    assert item["id"] == ZOTERO_ITEM["id"]
    assert item["citation-key"] == "vanderwal2010"
    assert item["journalAbbreviation"] == "Glob Change Biol"
    assert "container-title-short" not in item
    assert set(item["note"].split("\n")) == {
        "Read twice.",
        "original-date: 2009",
        "tex.lccn: QK495",
    }
    assert "custom" not in item
    assert work_from_item(item) == work


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Citation Key: smith2001", {"key": "smith2001"}),
        ("PMID: 12345\nPMCID: PMC999", {"pmid": "12345", "pmcid": "PMC999"}),
        ("type: dataset", {"type": WorkType.DATASET}),
        ("Publisher Place: Paris", {"publisher_place": "Paris"}),
        ("illustrator: Doe || Jane", {"illustrator": "Doe, Jane"}),
        ("GSCC: 0021819\nmy-note: x", {"note": "GSCC: 0021819\nmy-note: x"}),
        ("archive: Box 3", {"archive": "Box 3"}),
    ],
)
def test_note_lines_are_read_into_the_fields_they_name(
    note: str, expected: dict[str, object]
) -> None:
    item = {"id": "1234567/ABCD1234", "type": "book", "title": "T", "note": note}
    work = work_from_item(item)
    assert work is not None
    for field, value in expected.items():
        if field == "illustrator":
            assert [p.inverted() for p in work.names("illustrator")] == [value]
        elif field == "archive":
            assert work.variables["archive"] == value
        else:
            assert getattr(work, field) == value
    assert work_from_item(work_to_item(work)) == work


def test_a_note_of_another_tool_is_only_a_note() -> None:
    """Only items Zotero wrote have an Extra field in their note."""
    item = {"id": "hattem2015", "type": "webpage", "note": "Accessed: 2016-02-23"}
    work = work_from_item(item)
    assert work is not None
    assert (work.note, work.accessed) == ("Accessed: 2016-02-23", None)


@pytest.mark.parametrize(
    ("name", "key", "checks"),
    [
        (
            "bbt-372-journal-abbreviation.csl.json",
            "Olson2006",
            {"container_title_short": "Libr. Q.", "container_title": "Library Quarterly"},
        ),
        (
            "bbt-2963-extra-variables.csl.json",
            "Bennett.Checkel_2015",
            {"note": "my-note: 0001903\nGSCC: 0021819", "type": WorkType.CHAPTER},
        ),
        (
            "bbt-2015-creators-in-extra.csl.json",
            "barrisLemons2017",
            {"type": WorkType.BROADCAST, "number": "Season 3, Episode 12"},
        ),
    ],
)
def test_better_bibtex_exports(name: str, key: str, checks: dict[str, object]) -> None:
    library = citekit.load(FIXTURES / name)
    assert library.errors == []
    work = library[key]
    for field, value in checks.items():
        assert getattr(work, field) == value
    again = citekit.loads(citekit.formats.get_format("csljson").write(library), "csljson")
    assert again.works() == library.works()


# --- convert: the loss report and --strict -------------------------------------------------


def test_convert_zotero_json_to_bibtex_keeps_the_key_and_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = zotero_file(tmp_path, [ZOTERO_ITEM])
    target = tmp_path / "refs.bib"
    assert cli(["convert", str(source), str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("@article{vanderwal2010,")
    assert "shortjournal = {Glob Change Biol}" in text
    assert "source = {Wiley Online Library}" in text
    assert "lccn = {QK495}" in text
    assert "origdate = {2009}" in text
    back = citekit.load(target)["vanderwal2010"]
    assert back.container_title_short == "Glob Change Biol"
    assert back.note == "Read twice."
    assert capsys.readouterr().err == ""  # nothing lost: nothing reported


def test_convert_reports_losses_and_strict_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        dict(ZOTERO_ITEM, id=f"http://zotero.org/users/1/items/K{n}", **{"citation-key": f"k{n}"})
        for n in range(12)
    ]
    for item in items:
        item["translator"] = [{"family": "Roe", "given": "Ann"}]
        item["illustrator"] = [{"family": "Poe", "given": "Ed"}]
        item["categories"] = ["a", "b"]
    source = zotero_file(tmp_path, items)
    target = tmp_path / "refs.ris"
    assert cli(["convert", str(source), str(target)]) == 0
    err = capsys.readouterr().err
    assert (
        "RIS has no place for 'illustrator' in 12 entries: written as N1 notes"
        " 'Key: value' (Zotero's convention; citekit reads them back)"
    ) in err
    assert "RIS has no place for 'variable categories' in 12 entries: dropped (not text)" in err
    assert "translator" not in err  # RIS keeps translators (A4)
    strict_target = tmp_path / "strict.ris"
    assert cli(["convert", "--strict", str(source), str(strict_target)]) == 1
    assert "--strict: " in capsys.readouterr().err
    assert not strict_target.exists()


def test_save_strict_raises_and_leaves_the_file(tmp_path: Path) -> None:
    work = Work(key="k", type=WorkType.BOOK, title="T", variables={"categories": ["x"]})
    library = citekit.Library([work])
    target = tmp_path / "out.bib"
    target.write_bytes(b"% before\n")
    with pytest.raises(citekit.LossError) as caught:
        citekit.save(library, target, strict=True)
    assert isinstance(caught.value, citekit.WriteError)
    assert [loss.field for loss in caught.value.losses] == ["variable categories"]
    assert "variable categories" in str(caught.value)
    assert target.read_bytes() == b"% before\n"
    citekit.save(library, target)  # not strict: written
    assert b"@book{k," in target.read_bytes()


def test_save_strict_writes_what_loses_nothing(tmp_path: Path) -> None:
    library = citekit.load(CORPUS / "biblatex-examples.bib")
    target = tmp_path / "same.bib"
    citekit.save(library, target, strict=True)  # unchanged entries: nothing lost
    assert target.read_bytes() == (CORPUS / "biblatex-examples.bib").read_bytes()


# --- --dialect ----------------------------------------------------------------------------

BIBTEX_ENTRIES = """\
@phdthesis{t, author = {Doe, Jane}, title = {A Thesis}, school = {MIT}, year = 2001, month = mar}
@article{a, author = {Roe, Ann}, title = {An Article}, journal = {J. Things},
  year = 1999, volume = 3, pages = {1--9}, address = {Paris}}
@techreport{r, author = {Poe, Ed}, title = {A Report}, institution = {RAND}, year = 1970,
  number = 12}
@misc{w, title = {A Page}, howpublished = {\\url{https://example.org}}, year = 2020}
"""


def test_dialect_biblatex_renames_fields_and_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.bib"
    source.write_text(BIBTEX_ENTRIES, encoding="utf-8")
    target = tmp_path / "out.bib"
    assert cli(["convert", str(source), str(target), "--dialect", "biblatex"]) == 0
    text = target.read_text(encoding="utf-8")
    assert "@thesis{t," in text and "institution = {MIT}" in text and "type = {phdthesis}" in text
    assert "date = {2001-03}" in text and "year" not in text.split("@article")[0]
    assert "journaltitle = {J. Things}" in text and "location = {Paris}" in text
    assert "@report{r," in text and "institution = {RAND}" in text
    assert "url = {https://example.org}" in text
    before, after = citekit.load(source), citekit.load(target)
    assert before.works() == after.works()
    assert capsys.readouterr().err == ""


def test_dialect_bibtex_from_biblatex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.bib"
    source.write_text(
        "@online{o, title = {A Post}, url = {https://example.org/post}, date = {2020-05-04},"
        " urldate = {2021-01-02}}\n"
        "@article{a, author = {Roe, Ann}, title = {T}, journaltitle = {J}, date = {1999-02},"
        " location = {Paris}}\n"
        "@thesis{t, author = {Doe, Jane}, title = {A Thesis}, institution = {MIT},"
        " type = {phdthesis}, date = 2001}\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.bib"
    assert cli(["convert", str(source), str(target), "--dialect", "bibtex"]) == 0
    text = target.read_text(encoding="utf-8")
    assert "@misc{o," in text and "howpublished = {\\url{https://example.org/post}}" in text
    assert "journal = {J}" in text and "year = {1999}" in text and "month = feb" in text
    assert "address = {Paris}" in text
    assert "@phdthesis{t," in text and "school = {MIT}" in text
    err = capsys.readouterr().err
    assert "BibTeX has no place for 'type @online' in 1 entry: written as @misc" in err
    assert "BibTeX has no place for 'field urldate' in 1 entry" in err
    assert (
        cli(["convert", "--strict", str(source), str(tmp_path / "s.bib"), "--dialect", "bibtex"])
        == 1
    )


def test_dialect_needs_bibtex_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.bib"
    source.write_text(BIBTEX_ENTRIES, encoding="utf-8")
    assert cli(["convert", str(source), str(tmp_path / "o.json"), "--dialect", "bibtex"]) == 2
    assert "--dialect applies to BibTeX output" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.bib")))
def test_corpus_dialect_conversion_keeps_or_names_every_field(name: str, dialect: str) -> None:
    from citekit.formats.dialect import dialect_losses, write_dialect
    from citekit.formats.losses import compare

    original = citekit.load(CORPUS / name)
    reported = {
        (loss.field, key)
        for loss in dialect_losses(original, dialect)  # type: ignore[arg-type]
        for key in loss.keys
    }
    back = citekit.loads(write_dialect(original, dialect), "bibtex")  # type: ignore[arg-type]
    before = [*original.values(), *original.duplicates]
    after = [*back.values(), *back.duplicates]
    changed = {(loss.field, key) for loss in compare("", before, after) for key in loss.keys}
    assert changed - reported == set()
