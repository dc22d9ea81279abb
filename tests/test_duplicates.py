"""Duplicate works: disguises matched, look-alikes vetoed, blocking, pairs judged different."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import citekit
from citekit import Date, Library, Person, Work, WorkType
from citekit import duplicates as dup
from citekit.cli import main
from citekit.duplicates import NotDuplicates, find_duplicates, zotero_duplicates

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def _article(key: str = "a", **changes: object) -> Work:
    base = Work(
        key=key,
        type=WorkType.ARTICLE_JOURNAL,
        title="Network Analysis, Culture, and the Problem of Agency",
        container_title="American Journal of Sociology",
        contributors={
            "author": [
                Person(family="Emirbayer", given="Mustafa"),
                Person(family="Goodwin", given="Jeff"),
            ]
        },
        issued=Date.of(1994),
        volume="99",
        issue="6",
        page="1411-1454",
        doi="10.1086/230450",
    )
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


def _book(key: str = "b", **changes: object) -> Work:
    base = Work(
        key=key,
        type=WorkType.BOOK,
        title="The Sources of Social Power: A History of Power from the Beginning to AD 1760",
        contributors={"author": [Person(family="Mann", given="Michael")]},
        issued=Date.of(1986),
        publisher="Cambridge University Press",
        isbn="978-0-521-31349-0",
    )
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


def _pair(one: Work, other: Work) -> list[tuple[str, ...]]:
    return [g.keys for g in find_duplicates(Library([one, other]))]


# -- disguises of one work -----------------------------------------------------


SAME = {
    "DOI behind a resolver, upper case": lambda w: attrs.evolve(
        w,
        doi="https://doi.org/10.1086/230450".upper().replace("HTTPS://DOI.ORG", "https://doi.org"),
    ),
    "doi: prefix, no title": lambda w: attrs.evolve(w, doi="doi:10.1086/230450", title=None),
    "case and LaTeX braces": lambda w: attrs.evolve(
        w, doi=None, title="{NETWORK} analysis, culture, and the problem of {A}gency"
    ),
    "punctuation and & for and": lambda w: attrs.evolve(
        w, doi=None, title="Network analysis - culture & the problem of agency"
    ),
    "initials for given names": lambda w: attrs.evolve(w, doi=None).with_names(
        "author", [Person(family="Emirbayer", given="M."), Person(family="Goodwin", given="J")]
    ),
    "abbreviated journal": lambda w: attrs.evolve(w, doi=None, container_title="Am. J. Sociol."),
    "journal acronym": lambda w: attrs.evolve(w, doi=None, container_title="AJS"),
    "journal abbreviated past prefixes": lambda w: attrs.evolve(
        w, doi=None, container_title="Amer. Jnl Sociol."
    ),
    "DOI only in the URL": lambda w: attrs.evolve(
        w, doi=None, url="https://dx.doi.org/10.1086/230450", volume=None
    ),
    "subtitle left out": lambda w: attrs.evolve(
        w, doi=None, title="Network Analysis, Culture, and the Problem of Agency: A Critique"
    ),
    "year one apart, no DOI": lambda w: attrs.evolve(w, doi=None, issued=Date.of(1995)),
    "pages written short": lambda w: attrs.evolve(w, doi=None, page="1411-54"),
    "a typo in the title": lambda w: attrs.evolve(
        w, doi=None, title="Network Analysis, Culture, and the Problem of Agnecy"
    ),
    "accents dropped in a name": lambda w: attrs.evolve(w, doi=None).with_names(
        "author", [Person(family="Emirbáyer", given="Mustafa")]
    ),
    "no year but the same journal and pages": lambda w: attrs.evolve(w, doi=None, issued=None),
}


@pytest.mark.parametrize("disguise", sorted(SAME))
def test_disguised_duplicate_is_found(disguise: str) -> None:
    original = _article("orig")
    other = SAME[disguise](_article("copy"))
    assert _pair(original, other) == [("orig", "copy")], disguise


def test_doctests() -> None:
    import doctest

    import citekit.keys
    import citekit.merge

    for module in (dup, citekit.keys, citekit.merge):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_isbn10_and_isbn13_match() -> None:
    groups = find_duplicates(
        [_book("b13"), _book("b10", isbn="0-521-31349-X", title="Sources of Social Power")]
    )
    assert [g.keys for g in groups] == [("b13", "b10")]
    assert "same ISBN" in groups[0].reasons
    assert groups[0].by_identifier


def test_pmid_and_arxiv_match() -> None:
    a = _article("a", doi=None, pmid="12345678")
    b = _article("b", doi=None, pmid="PMID: 12345678", title="Other words entirely here")
    assert _pair(a, b) == []  # one identifier on unrelated titles is a data error
    b = attrs.evolve(b, title=a.title)
    assert _pair(a, b) == [("a", "b")]
    x = _article("x", doi=None, arxiv="arXiv:1501.00001v2")
    y = _article("y", doi=None, arxiv="1501.00001")
    assert "same arXiv id" in find_duplicates([x, y])[0].reasons


def test_full_given_names_and_initials() -> None:
    # bibtex-tidy #424: "J. A. Doe" and "Doe, JA" are one person
    a = _article("a", doi=None).with_names("author", [Person.parse("J. A. Doe")])
    b = _article("b", doi=None).with_names("author", [Person.parse("Doe, JA")])
    assert _pair(a, b) == [("a", "b")]


# -- look-alikes that are other works -------------------------------------------


DIFFERENT = {
    "different DOIs": lambda w: attrs.evolve(w, doi="10.1086/999999"),
    "another volume of a journal": lambda w: attrs.evolve(w, doi=None, volume="100", page="1-20"),
    "a correction": lambda w: attrs.evolve(w, doi=None, title="Correction to: " + (w.title or "")),
    "a reply": lambda w: attrs.evolve(w, doi=None, title="Reply to " + (w.title or "")),
    "a review": lambda w: attrs.evolve(w, doi=None, type=WorkType.REVIEW),
    "another part in the title": lambda w: attrs.evolve(
        w, doi=None, title=(w.title or "") + ", Part II"
    ),
    "no creator in common": lambda w: attrs.evolve(w, doi=None).with_names(
        "author", [Person(family="Smith", given="Adam")]
    ),
    "years far apart": lambda w: attrs.evolve(w, doi=None, issued=Date.of(2004)),
    "another journal": lambda w: attrs.evolve(w, doi=None, container_title="Social Forces"),
    "a translation": lambda w: attrs.evolve(w, doi=None, language="de").with_names(
        "translator", [Person(family="Weber", given="Anna")]
    ),
    "the conference version": lambda w: attrs.evolve(
        w, doi=None, type=WorkType.PAPER_CONFERENCE, container_title="Proceedings of ASA"
    ),
    "another part (biblatex part)": lambda w: attrs.evolve(w, doi=None, extra={"part": "2"}),
    "same main title, another subtitle": lambda w: attrs.evolve(
        w,
        doi=None,
        title="Network Analysis, Culture, and the Problem of Agency: Theory",
        page=None,
    ),
    "one word of a short title changed": lambda w: attrs.evolve(
        w, doi=None, title="Network Analysis, Culture, and the Problem of Structure"
    ),
    "two parts on pages apart": lambda w: attrs.evolve(
        w, doi=None, title=(w.title or "") + ": Further Notes", page="1600-1620"
    ),
    "a pair judged different": None,
}


@pytest.mark.parametrize("kind", sorted(k for k, v in DIFFERENT.items() if v is not None))
def test_look_alike_is_not_a_duplicate(kind: str) -> None:
    make = DIFFERENT[kind]
    assert make is not None
    original = _article("orig")
    if "subtitle" in kind:  # (without a subtitle, it could be one left out)
        original = _article("orig", doi=None, page=None, title=f"{original.title}: Methods")
    assert _pair(original, make(_article("other"))) == [], kind


@pytest.mark.parametrize(
    "change",
    [
        {"volume": "2"},  # JabRef #4631: two volumes of one book
        {"edition": "2nd"},
        {"isbn": "978-0-521-51734-8"},
        {"type": WorkType.CHAPTER, "container_title": "Collected Essays", "isbn": None},
        {"title": "The Sources of Social Power, Volume 2", "isbn": None},
    ],
)
def test_book_look_alikes(change: dict[str, object]) -> None:
    assert _pair(_book("one"), _book("two", **change)) == []


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ({"extra": {"version": "4.1"}}, {"variables": {"version": "4.2"}}),
        ({"type": WorkType.REPORT, "number": "12"}, {"type": WorkType.REPORT, "number": "13"}),
    ],
)
def test_versions_and_numbers(one: dict[str, object], two: dict[str, object]) -> None:
    assert _pair(_book("one", isbn=None, **one), _book("two", isbn=None, **two)) == []
    assert _pair(_book("one", isbn=None, **one), _book("two", isbn=None, **one)) == [("one", "two")]


def test_chapter_and_the_book_that_holds_it() -> None:
    book = _book("book", isbn=None)
    chapter = _book(
        "chap", type=WorkType.CHAPTER, container_title=book.title, isbn=None, page="1-30"
    )
    assert _pair(book, chapter) == []


def test_group_never_joins_vetoed_works() -> None:
    # c matches a and b, but a and b have different DOIs: c joins one of them only
    a = _article("a")
    b = _article("b", doi="10.1086/000001")
    c = _article("c", doi=None)
    groups = find_duplicates([a, b, c])
    assert len(groups) == 1 and len(groups[0].keys) == 2


def test_conflicts_report_differing_fields() -> None:
    a = _article("a", page="1411-1454")
    b = _article("b", page="1411-54", issue=None)
    (group,) = find_duplicates([a, b])
    assert group.conflicts["page"] == {"a": "1411-1454", "b": "1411-54"}
    assert "issue" not in group.conflicts  # one value is not a conflict
    assert group.confidence == 0.99
    assert json.loads(json.dumps(group.to_json()))["keys"] == ["a", "b"]


# -- the corpus ---------------------------------------------------------------------


def test_heppler_pair_with_conflicting_pages() -> None:
    library = citekit.load(CORPUS / "heppler-history.bib")
    groups = {g.keys: g for g in find_duplicates(library)}
    group = groups[("leslie2000angel", "stuart2000angel")]
    assert group.conflicts["page"] == {"leslie2000angel": "48-67", "stuart2000angel": "15-47"}


def test_healy_named_pair_and_look_alikes() -> None:
    library = citekit.load(CORPUS / "healy-socbib.bib")
    groups = find_duplicates(library)
    keys = {k: g.keys for g in groups for k in g.keys}
    assert keys["akerlof82:_labor_contr_as_partial_gift_exchan"] == (
        "akerlof82:_labor_contr_as_partial_gift_exchan",
        "akerlof82:_labor_contr_partial_gift_exchan",
    )
    # two articles of Fetter's with one main title, on other pages of the volume
    assert "fetter20:_price_econom" not in keys
    # Mann's volumes 3 and 4; Aron's volumes 1 and 2
    assert "mann12:_sourc_social_power3" not in keys
    assert "aron65:_main_curren_sociol_thoug" not in keys
    assert len(groups) >= 100


def test_biblatex_examples_look_alikes() -> None:
    library = citekit.load(CORPUS / "biblatex-examples.bib")
    found = {k for g in find_duplicates(library) for k in g.keys}
    for key in (
        "knuth:ct",
        "knuth:ct:related",
        "knuth:ct:a",
        "kullback:reprint",
        "vangennep:trans",
    ):
        assert key not in found
    # "the same item given as an online entry" (its annotation): a duplicate
    assert {"baez/article", "baez/online"} <= found


def test_blocking_compares_few_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = dup._compare

    def counting(a: dup._Facts, b: dup._Facts) -> tuple[float, list[str]] | None:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(dup, "_compare", counting)
    library = citekit.load(CORPUS / "healy-socbib.bib")
    find_duplicates(library)
    n = len(library)
    # all pairs would be n(n-1)/2, about 3.2 million
    assert len(calls) < 10 * n


# -- pairs judged different ----------------------------------------------------------


def test_not_duplicates_are_never_reported(tmp_path: Path) -> None:
    a, b = _article("a"), _article("b", doi=None)
    assert _pair(a, b)
    judged = NotDuplicates([("b", "a")])
    assert find_duplicates([a, b], not_duplicates=judged) == []
    path = tmp_path / "refs.not-duplicates.txt"
    judged.save(path)
    assert list(NotDuplicates.load(path)) == [("a", "b")]
    assert len(NotDuplicates.load(tmp_path / "missing.txt")) == 0
    three = NotDuplicates.parse("# comment\nx y z  # all three\n")
    assert len(three) == 3 and three.judged("z", "x")
    with pytest.raises(citekit.ParseError, match=r"refs.txt:2: expected two or more"):
        NotDuplicates.parse("a b\nlonely\n", "refs.txt")
    assert dup.not_duplicates_path("dir/refs.bib") == Path("dir/refs.not-duplicates.txt")


def test_zotero_rules_miss_resolver_dois() -> None:
    a = _article("a", title="One title")
    b = _article("b", title="Another", doi="https://doi.org/10.1086/230450")
    assert zotero_duplicates([a, b]) == []
    assert _pair(a, attrs.evolve(b, title=a.title)) == [("a", "b")]


# -- the command ----------------------------------------------------------------------

BIB = """@article{emirbayer94,
  author = {Emirbayer, Mustafa and Goodwin, Jeff},
  title = {Network Analysis, Culture, and the Problem of Agency},
  journal = {American Journal of Sociology},
  year = {1994}, volume = {99}, pages = {1411--1454},
  doi = {10.1086/230450}
}

@article{emirbayer1994network,
  author = {M. Emirbayer and J. Goodwin},
  title = {Network analysis, culture and the problem of agency},
  journal = {Am. J. Sociol.},
  year = {1994}, volume = {99}, pages = {1411--54},
  doi = {https://doi.org/10.1086/230450}
}

@book{mann1986,
  author = {Mann, Michael},
  title = {The Sources of Social Power},
  year = {1986}, volume = {1}
}

@book{mann1993,
  author = {Mann, Michael},
  title = {The Sources of Social Power},
  year = {1993}, volume = {2}
}
"""


def test_dedupe_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    assert main(["dedupe", str(path), "--format", "json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert [g["keys"] for g in groups] == [["emirbayer94", "emirbayer1994network"]]
    assert "same DOI" in groups[0]["reasons"]
    assert groups[0]["conflicts"]["page"] == {
        "emirbayer94": "1411-1454",
        "emirbayer1994network": "1411-54",
    }
    assert main(["dedupe", str(path)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("1 group of duplicates among 4 works")
    assert "why: same DOI" in text
    # judged different: recorded beside the library, never reported again
    assert (
        main(["dedupe", str(path), "--not-duplicate", "emirbayer94", "emirbayer1994network"]) == 0
    )
    assert capsys.readouterr().out.startswith("0 groups")
    assert (tmp_path / "refs.not-duplicates.txt").read_text().splitlines()[1:] == [
        "emirbayer1994network emirbayer94"
    ]
    assert main(["dedupe", str(path), "--not-duplicate", "emirbayer94", "nosuchkey"]) == 2


def test_dedupe_merge_by_doi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    manuscript = tmp_path / "paper.md"
    manuscript.write_text("See [@emirbayer1994network, 1420] and @mann1986.\n", encoding="utf-8")
    assert main(["dedupe", str(path), "--merge"]) == 2
    assert "--merge needs --only" in capsys.readouterr().err
    keymap = tmp_path / "map.json"
    args = ["dedupe", str(path), "--merge", "--only", "doi", "--rewrite", str(manuscript)]
    assert main([*args, "--key-map", str(keymap)]) == 0
    assert json.loads(keymap.read_text()) == {"emirbayer1994network": "emirbayer94"}
    assert manuscript.read_text() == "See [@emirbayer94, 1420] and @mann1986.\n"
    library = citekit.load(path)
    assert list(library) == ["emirbayer94", "mann1986", "mann1993"]
    assert library["emirbayer1994network"].key == "emirbayer94"
    assert "ids" in path.read_text() and "emirbayer1994network" in path.read_text()


def test_language_names_and_earlier_merges() -> None:
    # biblatex's langid "american" is English: no veto against "en"
    a = _article("a", doi=None, language="american")
    b = _article("b", doi=None, language="en-US")
    assert _pair(a, b) == [("a", "b")]
    # a work that absorbed "b" (its ids) and a new copy of b: still one work
    merged = _article("a", doi=None, extra={"ids": "b"})
    assert _pair(merged, _article("b", doi=None)) == [("a", "b")]
    # but another language is another work
    assert _pair(a, _article("c", doi=None, language="ngerman")) == []


def test_labelled_corpus_precision_and_recall() -> None:
    # the hand-made labels of benchmarks/duplicates_labels.json (the figures of
    # docs/duplicates.md come from benchmarks/duplicates.py, which adds synthetic variants)
    from itertools import combinations

    labels_path = Path(__file__).resolve().parents[1] / "benchmarks" / "duplicates_labels.json"
    labels = json.loads(labels_path.read_text(encoding="utf-8"))

    def pairs(groups: list[list[str]] | list[tuple[str, ...]]) -> set[frozenset[str]]:
        return {frozenset(p) for g in groups for p in combinations(sorted(set(g)), 2)}

    right = false = missed = 0
    for name, data in labels.items():
        if name.startswith("_"):
            continue
        found = pairs([g.keys for g in find_duplicates(citekit.load(CORPUS / name))])
        same, unsure = pairs(data["same"]), pairs(data["unsure"])
        assert not found & pairs(data["different"]), name
        right += len((found - unsure) & same)
        false += len((found - unsure) - same)
        missed += len(same - found)
    assert false == 0
    assert right / (right + missed) >= 0.95
