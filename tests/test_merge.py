"""Merging works: nothing lost, aliases resolved, manuscripts rewritten, files kept."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import citekit
from citekit import Date, Library, Person, Work, WorkType
from citekit.cli import main
from citekit.merge import rewrite_citations
from citekit.model.merging import comparable, field_text, merge_works, work_fields

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def _works() -> list[Work]:
    a = Work(
        key="a",
        type=WorkType.ARTICLE_JOURNAL,
        title="Labor Contracts as Partial Gift Exchange",
        contributors={"author": [Person(family="Akerlof", given="George A.")]},
        issued=Date.of(1982),
        container_title="Quarterly Journal of Economics",
        volume="97",
        page="543-569",
        extra={"date-added": "2008-10-25"},
    )
    b = attrs.evolve(
        a,
        key="b",
        page="543-69",
        issue="4",
        doi="10.2307/1885099",
        extra={"date-added": "2009-01-01", "shortauthor": "Akerlof"},
    )
    return [a, b]


def test_merge_fills_and_reports() -> None:
    library = Library(_works())
    result = library.merge(["a", "b"])
    assert result.base == "b"  # the more complete one
    assert result.work.key == "b" and result.absorbed == ("a",)
    assert result.conflicts["page"] == {"a": "543-569", "b": "543-69"}
    assert result.conflicts["extra.date-added"] == {"a": "2008-10-25", "b": "2009-01-01"}
    assert result.work.page == "543-69" and result.work.issue == "4"
    assert list(library) == ["b"]
    assert library["a"] is library["b"]
    assert library.resolve("a") == "b" and library.aliases_of("b") == ("a",)
    assert "a" not in library  # membership is by key; aliases resolve on lookup


def test_merge_into_and_fill() -> None:
    library = Library(_works())
    result = library.merge(["a", "b"], into="a")
    assert result.work.key == "a" and result.base == "b"
    assert result.work.doi == "10.2307/1885099" and result.absorbed == ("b",)
    assert library.aliases_of("a") == ("b",)
    with pytest.raises(ValueError, match="not one of the keys"):
        Library(_works()).merge(["a", "b"], into="c")
    with pytest.raises(citekit.UnknownKeyError):
        Library(_works()).merge(["a", "zz"])
    with pytest.raises(ValueError, match="two or more"):
        Library(_works()).merge(["a", "a"])


def test_merge_keeps_chained_aliases_and_retargets() -> None:
    one, two = _works()
    chapter = Work(key="c", type=WorkType.CHAPTER, title="x", extra={"crossref": "a"})
    library = Library([one, two, chapter])
    library.merge(["a", "b"], into="b")
    assert library["c"].extra["crossref"] == "b"
    third = attrs.evolve(two, key="d", page=None)
    library.add(third)
    library.merge(["b", "d"], into="d")
    assert set(library.aliases_of("d")) == {"a", "b"}
    assert library["a"].key == "d"


_values = st.one_of(st.none(), st.sampled_from(["1", "2", "x", "Some Title", "Other"]))


@st.composite
def _similar_works(draw: st.DrawFn) -> list[Work]:
    count = draw(st.integers(2, 4))
    out = []
    for index in range(count):
        persons = draw(
            st.lists(st.sampled_from(["Doe, J.", "Doe, John", "Roe, R."]), max_size=2, unique=True)
        )
        extra = draw(
            st.dictionaries(st.sampled_from(["note-x", "date-added"]), st.sampled_from(["p", "q"]))
        )
        work = Work(
            key=f"k{index}",
            type=draw(st.sampled_from([WorkType.BOOK, WorkType.ARTICLE_JOURNAL])),
            title=draw(_values),
            volume=draw(_values),
            page=draw(_values),
            publisher=draw(_values),
            doi=draw(st.sampled_from([None, "10.1/x", "https://doi.org/10.1/X", "10.2/y"])),
            issued=draw(st.one_of(st.none(), st.integers(1990, 1992).map(Date.of))),
            keywords=draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2)),
            extra=extra,
            contributors={"author": [Person.parse(p) for p in persons]},
        )
        out.append(work)
    return out


@settings(deadline=None, max_examples=200)
@given(_similar_works(), st.data())
def test_merge_loses_no_value(works: list[Work], data: st.DataObject) -> None:
    into = data.draw(st.one_of(st.none(), st.sampled_from([w.key for w in works])))
    result = merge_works(works, into=into)
    merged = work_fields(result.work)
    for work in works:
        for name, value in work_fields(work).items():
            if name == "keywords":
                assert set(value) <= set(merged["keywords"])
                continue
            kept = merged.get(name) == value
            reported = result.conflicts.get(name, {}).get(work.key) == field_text(value)
            if not kept and name == "doi":  # the same DOI written another way
                kept = comparable("doi", merged[name]) == comparable("doi", value)
            assert kept or reported, (work.key, name, value)
    keys = {w.key for w in works}
    assert {result.work.key, *result.work.extra.get("ids", "").split(",")} - {""} == keys


# -- aliases in files --------------------------------------------------------------


def test_aliases_survive_bibtex_and_csl_json(tmp_path: Path) -> None:
    library = Library(_works())
    library.merge(["a", "b"], into="a")
    for name in ("refs.bib", "refs.json", "refs.yaml"):
        path = tmp_path / name
        citekit.save(library, path)
        again = citekit.load(path)
        assert again["b"].key == "a", name
        assert again.aliases_of("a") == ("b",)
    assert "ids = {b}" in (tmp_path / "refs.bib").read_text()
    item = json.loads((tmp_path / "refs.json").read_text())[0]
    assert item["custom"]["extra"]["ids"] == "b"


def test_merge_in_a_file_is_minimal(tmp_path: Path) -> None:
    original = (CORPUS / "heppler-history.bib").read_text(encoding="utf-8")
    path = tmp_path / "heppler-history.bib"
    path.write_text(original, encoding="utf-8")
    out = tmp_path / "map.json"
    args = ["merge", str(path), "leslie2000angel", "stuart2000angel", "--key-map", str(out)]
    assert main([*args, "--format", "json"]) == 0
    after = path.read_text(encoding="utf-8")
    assert "@InCollection{\t  stuart2000angel," not in after
    assert "ids\t\t= {stuart2000angel}" in after or "ids = {stuart2000angel}" in after
    # everything else byte for byte: only the two entries differ
    removed = original.count("\n") - after.count("\n")
    assert 0 < removed <= 15
    assert json.loads(out.read_text()) == {"stuart2000angel": "leslie2000angel"}


# -- manuscripts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("syntax", "text", "expected", "count"),
    [
        ("markdown", "[@old]", "[@new]", 1),
        ("markdown", "[see @old, pp. 1-3; @other]", "[see @new, pp. 1-3; @other]", 1),
        ("markdown", "@old says [-@old] and @{old}", "@new says [-@new] and @{new}", 3),
        ("markdown", "`@old` and mail@old.org and @olden", "`@old` and mail@old.org and @olden", 0),
        ("markdown", "line\r\n> quoted [@old]\r\n", "line\r\n> quoted [@new]\r\n", 1),
        ("latex", r"\cite{old}", r"\cite{new}", 1),
        ("latex", r"\parencite[12]{x, old}", r"\parencite[12]{x, new}", 1),
        ("latex", "% \\cite{old}\n\\textcite{old}", "% \\cite{old}\n\\textcite{new}", 1),
    ],
)
def test_rewrite_citations(syntax: str, text: str, expected: str, count: int) -> None:
    assert rewrite_citations(text, syntax, {"old": "new"}) == (expected, count)


def _render(manuscript: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["render", str(manuscript), "--strict"])
    return status, capsys.readouterr().out


def test_render_strict_before_and_after_merge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text((CORPUS / "heppler-history.bib").read_text(encoding="utf-8"), encoding="utf-8")
    md = tmp_path / "paper.md"
    md.write_text(
        "---\nbibliography: refs.bib\n---\n\n"
        "Angels [@stuart2000angel, p. 20]; again @leslie2000angel [p. 50].\n",
        encoding="utf-8",
    )
    tex = tmp_path / "paper.tex"
    tex.write_text("Angels \\cite[20]{stuart2000angel}.\n", encoding="utf-8")
    status, before = _render(md, capsys)
    assert status == 0 and "2000a" in before  # two works before
    args = ["merge", str(bib), "leslie2000angel", "stuart2000angel", "--into", "leslie2000angel"]
    assert main([*args, "--rewrite", str(md), str(tex)]) == 0
    report = capsys.readouterr().out
    assert "conflict: page" in report and "paper.md: 1 citations rewritten" in report
    assert "[@leslie2000angel, p. 20]" in md.read_text()
    assert "\\cite[20]{leslie2000angel}" in tex.read_text()
    status, after = _render(md, capsys)
    assert status == 0 and "2000a" not in after and "(Leslie 2000, 20)" in after
    # a manuscript not rewritten still renders: the old key is an alias
    old = tmp_path / "old.md"
    old.write_text("---\nbibliography: refs.bib\n---\n\n[@stuart2000angel]\n", encoding="utf-8")
    status, text = _render(old, capsys)
    assert status == 0 and "(Leslie 2000)" in text
    assert main(["cite", str(bib), "stuart2000angel"]) == 0
    assert capsys.readouterr().out.strip() == "(Leslie 2000)"


def test_merge_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text((CORPUS / "heppler-history.bib").read_text(encoding="utf-8"), encoding="utf-8")
    before = bib.read_bytes()
    assert main(["merge", str(bib), "leslie2000angel"]) == 2
    assert main(["merge", str(bib), "leslie2000angel", "stuart2000angle"]) == 2
    assert "did you mean 'stuart2000angel'" in capsys.readouterr().err
    assert main(["merge", str(bib), "leslie2000angel", "stuart2000angel", "--into", "x"]) == 2
    assert bib.read_bytes() == before


def test_unreadable_manuscript_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text((CORPUS / "heppler-history.bib").read_text(encoding="utf-8"), encoding="utf-8")
    before = bib.read_bytes()
    good = tmp_path / "good.md"
    good.write_text("[@stuart2000angel]\n", encoding="utf-8")
    bad = tmp_path / "latin1.md"
    bad.write_bytes("caf\xe9 [@stuart2000angel]\n".encode("latin-1"))
    args = ["merge", str(bib), "leslie2000angel", "stuart2000angel", "--rewrite", str(good)]
    assert main([*args, str(bad)]) == 2
    assert "latin1.md: the manuscript is not UTF-8" in capsys.readouterr().err
    assert main([*args, str(tmp_path / "missing.md")]) == 2
    assert "cannot read the manuscript" in capsys.readouterr().err
    assert bib.read_bytes() == before
    assert good.read_text() == "[@stuart2000angel]\n"
