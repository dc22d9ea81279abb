"""Citation keys: the pattern language, transliteration, validity and stability."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import citekit
from citekit import Date, Library, Person, Work, WorkType
from citekit.cli import main
from citekit.keys import (
    DEFAULT_PATTERN,
    KeyPattern,
    follows,
    generate,
    is_valid_key,
    propose,
)
from citekit.manuscript.syntax import parse_latex, parse_markdown

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"

KNUTH = Work(
    key="x",
    type=WorkType.BOOK,
    title="The TeXbook",
    contributors={"author": [Person(family="Knuth", given="Donald E.")]},
    issued=Date.of(1984),
)
THREE = Work(
    key="y",
    title="A Theory of the Leisure Class: An Economic Study of Institutions",
    contributors={
        "author": [
            Person.parse("de la Fontaine, Jean"),
            Person(family="Gödel", given="Kurt"),
            Person(family="Чехов", given="Антон"),
        ]
    },
    issued=Date.of(2001),
)


@pytest.mark.parametrize(
    ("pattern", "work", "key"),
    [
        ("[auth:lower][year]", KNUTH, "knuth1984"),
        ("[auth][year]", KNUTH, "Knuth1984"),
        ("[auth][shorttitle:3]", KNUTH, "KnuthTeXbook"),
        ("[auth][shorttitle:3]", THREE, "FontaineTheoryLeisureClass"),
        ("[authors2][year]", THREE, "FontaineGodelEtAl2001"),
        ("[authors]", THREE, "FontaineGodelChekhov"),
        ("[authEtAl:lower]", THREE, "fontaineetal"),
        ("[auth4:upper]", KNUTH, "KNUT"),
        ("[veryshorttitle]", THREE, "Theory"),
        ("[title:2]_[shortyear]", THREE, "TheoryLeisure_01"),
        (DEFAULT_PATTERN, KNUTH, "knuth1984texbook"),
        (DEFAULT_PATTERN, THREE, "fontaine2001theory"),
        ("[editor][year]", KNUTH, "1984"),
        ("[auth]", Work(key="z", title="Untitled"), "key"),
        (
            "[auth:lower][year]",
            attrs.evolve(KNUTH).with_names("author", [Person(literal="World Health Organization")]),
            "world1984",
        ),
    ],
)
def test_patterns(pattern: str, work: Work, key: str) -> None:
    assert KeyPattern.parse(pattern).base(work) == key


def test_transliteration_of_non_latin_names() -> None:
    chekhov = attrs.evolve(KNUTH, title="Дама с собачкой").with_names(
        "author", [Person(family="Чехов", given="Антон")]
    )
    assert generate(chekhov) == "chekhov1984dama"
    beijing = attrs.evolve(KNUTH).with_names("author", [Person(family="北京")])
    assert generate(beijing, "[auth:lower]") == "beijing"


@pytest.mark.parametrize("bad", ["", "year", "[nope]", "[auth:shout]", "[auth]]", "[auth"])
def test_bad_patterns(bad: str) -> None:
    with pytest.raises(ValueError):
        KeyPattern.parse(bad)


def test_suffixes_and_follows() -> None:
    taken = {"knuth1984", "knuth1984a"}
    assert generate(KNUTH, "[auth:lower][year]", taken) == "knuth1984b"
    many = {"knuth1984"} | {"knuth1984" + chr(c) for c in range(ord("a"), ord("z") + 1)}
    assert generate(KNUTH, "[auth:lower][year]", many) == "knuth1984aa"
    for key, ok in [
        ("knuth1984", True),
        ("knuth1984c", True),
        ("knuth1984C", False),
        ("k1984", False),
    ]:
        assert follows(attrs.evolve(KNUTH, key=key), "[auth:lower][year]") is ok


def test_adding_a_chen2014_never_renames_the_old_one() -> None:
    # Better BibTeX #76: adding a new Chen2014 renamed the old one to Chen2014a
    old = attrs.evolve(KNUTH, key="chen2014", issued=Date.of(2014)).with_names(
        "author", [Person(family="Chen", given="Li")]
    )
    library = Library([old])
    new = attrs.evolve(old, key="tmp", title="Another")
    library.add(attrs.evolve(new, key=generate(new, "[auth:lower][year]", set(library))))
    assert list(library) == ["chen2014", "chen2014a"]
    assert propose(library, "[auth:lower][year]") == []


def _valid_everywhere(key: str) -> bool:
    if not is_valid_key(key):
        return False
    marks = parse_markdown(f"See [@{key}] and @{key}.")
    if [r.key for m in marks for r in m.cites] != [key, key]:
        return False
    marks = parse_latex(f"\\cite{{{key}}}")
    return [r.key for m in marks for r in m.cites] == [key]


FAMILIES = ["Chen", "Chen", "Müller", "Mueller", "O'Brien", "Чехов", "van der Berg", "李", ""]
TITLES = ["The Title", "Title", "A Title: Sub", "Über alles", "", "Data, Data & Data"]


@st.composite
def _work(draw: st.DrawFn) -> Work:
    family = draw(st.sampled_from(FAMILIES))
    year = draw(st.one_of(st.none(), st.sampled_from([1999, 2000, 2014])))
    return Work(
        key="new",
        title=draw(st.sampled_from(TITLES)) or None,
        contributors={"author": [Person(family=family)]} if family else {},
        issued=Date.of(year) if year else None,
    )


_ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), _work(), st.booleans()),
        st.tuples(st.just("edit"), _work(), st.integers(0, 50)),
        st.tuples(st.just("remove"), st.integers(0, 50)),
    ),
    max_size=25,
)


@settings(deadline=None, max_examples=150)
@given(_ops, st.sampled_from([DEFAULT_PATTERN, "[auth:lower][year]", "[auth][shorttitle:2]"]))
def test_keys_are_stable(ops: list[tuple[object, ...]], pattern: str) -> None:
    library = Library()
    counter = 0
    for op in ops:
        if op[0] == "add":
            _, work, by_pattern = op
            assert isinstance(work, Work)
            counter += 1
            key = generate(work, pattern, set(library)) if by_pattern else f"Hand:Made/{counter}"
            library.add(attrs.evolve(work, key=key))
        elif op[0] == "edit" and len(library):
            _, work, index = op
            assert isinstance(work, Work) and isinstance(index, int)
            key = list(library)[index % len(library)]
            library.replace(attrs.evolve(work, key=key))
        elif op[0] == "remove" and len(library):
            index = op[1]
            assert isinstance(index, int)
            library.remove(list(library)[index % len(library)])
        following = {k for k, w in library.items() if follows(w, pattern)}
        proposals = propose(library, pattern)
        assert not {p.key for p in proposals} & following  # never a key that follows
        for proposal in proposals:
            library.rename(proposal.key, proposal.proposed)
        assert following <= set(library)
        assert len(set(library)) == len(library)
        assert all(_valid_everywhere(k) for k in library)
        assert propose(library, pattern) == []  # a second run proposes nothing


def test_generated_keys_read_back_from_bibtex(tmp_path: Path) -> None:
    library = citekit.load(CORPUS / "heppler-history.bib")
    for proposal in propose(library, "[auth][shorttitle:3][year]"):
        library.rename(proposal.key, proposal.proposed)
    path = tmp_path / "refs.bib"
    citekit.save(library, path)
    again = citekit.load(path)
    # the entry that repeated a renamed key is now read under that key
    freed = [w.key for w in library.duplicates]
    assert [k for k in again if k not in freed] == list(library)


def test_keys_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (CORPUS / "heppler-history.bib").read_text(encoding="utf-8")
    path = tmp_path / "refs.bib"
    path.write_text(source, encoding="utf-8")
    manuscript = tmp_path / "ms.md"
    manuscript.write_text("As [@stuart2000angel] and [@basso1996wisdom].\n", encoding="utf-8")
    assert main(["keys", str(path), "--format", "json"]) == 0
    proposals = json.loads(capsys.readouterr().out)
    assert {"key": "stuart2000angel", "proposed": "stuart2000biggest"} not in proposals
    first = {p["key"]: p["proposed"] for p in proposals}
    assert first["stuart2000angel"] == "leslie2000biggesta"
    assert "basso1996wisdom" not in first  # it follows the pattern
    assert path.read_text(encoding="utf-8") == source  # only --write writes
    assert main(["keys", str(path), "--write", "--rewrite", str(manuscript)]) == 0
    capsys.readouterr()
    assert manuscript.read_text() == "As [@leslie2000biggesta] and [@basso1996wisdom].\n"
    assert main(["keys", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # a second run proposes nothing
    after = path.read_text(encoding="utf-8")
    # each entry renamed in place: as many lines as before
    assert after.count("\n") == source.count("\n")
    assert main(["keys", str(path), "--pattern", "[nope]"]) == 2
    assert "unknown key pattern marker [nope]" in capsys.readouterr().err


def _tricky_keys() -> list[str]:
    """Keys generated by several patterns for corpus works and hard names."""
    library = citekit.load(CORPUS / "biblatex-examples.bib")
    works = list(library.values())
    works.append(
        attrs.evolve(KNUTH, title="...Und? (ja!) - 'x'").with_names(
            "author", [Person(family="O'Brien-Ñúñez")]
        )
    )
    works.append(attrs.evolve(THREE, title="Дама с собачкой"))
    keys: list[str] = []
    for pattern in (
        DEFAULT_PATTERN,
        "[auth]:[year]",
        "[auth].[title:1]-[shortyear]",
        "[authors2]_[year]",
    ):
        taken: set[str] = set()
        for work in works:
            key = generate(work, pattern, taken)
            taken.add(key)
            keys.append(key)
    return keys


def test_generated_keys_are_read_by_pandoc() -> None:
    pypandoc = pytest.importorskip("pypandoc")
    keys = _tricky_keys()
    text = "\n\n".join(f"See [@{key}, p. 3] and @{key}." for key in keys)
    ast = json.loads(pypandoc.convert_text(text, "json", format="markdown"))
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                found.extend(c["citationId"] for c in node["c"][0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(ast)
    assert found == [k for key in keys for k in (key, key)]


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex is missing")
def test_generated_keys_are_read_by_bibtex(tmp_path: Path) -> None:
    keys = sorted(set(_tricky_keys()))
    entries = "\n".join(
        f"@misc{{{key},\n  title = {{T{index}}},\n  author = {{A, B}},\n  year = {{2000}}\n}}\n"
        for index, key in enumerate(keys)
    )
    (tmp_path / "refs.bib").write_text(entries, encoding="ascii")
    aux = "".join(f"\\citation{{{key}}}\n" for key in keys)
    (tmp_path / "doc.aux").write_text(
        aux + "\\bibdata{refs}\n\\bibstyle{plain}\n", encoding="ascii"
    )
    run = subprocess.run(
        ["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert "didn't find" not in run.stdout and "error" not in run.stdout.lower(), run.stdout
    bbl = (tmp_path / "doc.bbl").read_text(encoding="ascii")
    assert sorted(re.findall(r"\\bibitem\{([^}]*)\}", bbl)) == keys


def test_keys_write_in_csl_json_keeps_order(tmp_path: Path) -> None:
    library = citekit.load(CORPUS / "heppler-digital-history.bib")
    path = tmp_path / "refs.json"
    citekit.save(library, path)
    before = json.loads(path.read_text(encoding="utf-8"))
    assert main(["keys", str(path), "--write", "--format", "json"]) == 0
    after = json.loads(path.read_text(encoding="utf-8"))
    proposals = propose(library)
    renamed = {p.key: p.proposed for p in proposals}
    expected = []
    for item in before:  # an entry repeating a key (library.duplicates) keeps it
        expected.append(renamed.pop(item["id"], item["id"]))
    assert proposals and [item["id"] for item in after] == expected
    again = citekit.load(path)
    assert [p.key for p in propose(again)] == [w.key for w in library.duplicates]


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber is missing")
def test_generated_keys_are_read_by_biber(tmp_path: Path) -> None:
    keys = sorted(set(_tricky_keys()))
    entries = "\n".join(
        f"@misc{{{key},\n  title = {{T{index}}},\n  author = {{A, B}},\n  year = {{2000}}\n}}\n"
        for index, key in enumerate(keys)
    )
    (tmp_path / "refs.bib").write_text(entries, encoding="ascii")
    run = subprocess.run(
        ["biber", "--tool", "--output-format=bibtex", "refs.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0 and "ERROR" not in run.stdout, run.stdout
    written = (tmp_path / "refs_bibertool.bib").read_text(encoding="utf-8")
    assert sorted(re.findall(r"^@\w+\{([^,\n]*),", written, re.M)) == keys
