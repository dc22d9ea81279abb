"""citekit.csl.document.Document: a document's citations, edited one at a time.

The works are real ones, from tests/corpus/healy-socbib.bib.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import citekit
from citekit.csl.document import Document, DocumentCitation, Update
from citekit.formatters.csl import CslFormatter

pytest.importorskip("citeproc")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
IBID_STYLE = "chicago-notes-bibliography-subsequent-ibid"
# two works of one author and one year (year suffixes), and others
SAME_YEAR = ["alexander87:_centr_class", "alexander87:_twent_lectur"]


@pytest.fixture(scope="module")
def library() -> citekit.Library:
    return citekit.load(CORPUS / "healy-socbib.bib")


def items(library: citekit.Library, style: str, keys: list[str]) -> list[dict[str, Any]]:
    formatter = CslFormatter(style)
    return [formatter.item(library[key]) for key in keys]


def some_keys(library: citekit.Library, count: int) -> list[str]:
    keys = [key for key in library if library[key].authors and key not in SAME_YEAR]
    return SAME_YEAR + keys[:: len(keys) // count][: count - len(SAME_YEAR)]


def test_an_insert_reports_the_citations_it_changes(library: citekit.Library) -> None:
    from citekit.csl.styles import load_style

    a, b = SAME_YEAR
    document = Document(load_style(IBID_STYLE), items(library, IBID_STYLE, [a, b]))
    first = document.insert([{"id": a, "locator": "12"}], note=1)
    assert [i for i, _ in first.changed] == ["citation-1"]
    second = document.insert([{"id": a, "locator": "14"}], note=2)
    assert second.changed == (("citation-2", "Ibid., 14."),)
    # a cite of another work between them: the second is no longer ibid
    third = document.insert([{"id": b}], note=2, before="citation-2")
    assert [i for i, _ in third.changed] == ["citation-3", "citation-2"]
    assert document.text("citation-2") != "Ibid., 14."
    assert [i for i, _ in document.texts()] == ["citation-1", "citation-3", "citation-2"]
    # and out again: ibid comes back, the first citation is untouched
    removed = document.remove("citation-3")
    assert removed == Update(changed=(("citation-2", "Ibid., 14."),), removed=("citation-3",))


def test_a_new_work_of_the_same_author_and_year_changes_the_earlier_citation(
    library: citekit.Library,
) -> None:
    from citekit.csl.styles import load_style

    a, b = SAME_YEAR
    document = Document(load_style("apa"), items(library, "apa", [a, b]))
    document.insert([{"id": a}])
    alone = document.text("citation-1")
    assert alone.endswith("1987)")
    update = document.insert([{"id": b}])
    # both now carry a year suffix: the first citation changed without being edited
    assert [i for i, _ in update.changed] == ["citation-1", "citation-2"]
    assert document.text("citation-1") != alone
    assert document.text("citation-1").endswith(("1987a)", "1987b)"))
    # its cites "edited" to the same: nothing changed
    assert document.change("citation-1", [{"id": a}]) == Update(changed=())
    # a locator added: reported as edited
    again = document.change("citation-1", [{"id": a, "locator": "3"}])
    assert [i for i, _ in again.changed] == ["citation-1"]
    # moving the other work's cite out again restores the first text
    document.change("citation-1", [{"id": a}])
    back = document.remove("citation-2")
    assert back.changed == (("citation-1", alone),) and back.removed == ("citation-2",)


@pytest.mark.parametrize("style", ["apa", IBID_STYLE, "ieee"])
def test_edits_give_what_rendering_from_scratch_gives(library: citekit.Library, style: str) -> None:
    """Random inserts, changes and removals; after each, the document as rendered from
    scratch, and ``changed`` is exactly the citations that are new, edited or read differently.
    """
    from citekit.csl.styles import load_style

    loaded = load_style(style)
    keys = some_keys(library, 10)
    data = items(library, style, keys)
    document = Document(loaded, data)
    rng = random.Random(17)
    for step in range(30):
        before = dict(document.texts())
        before_citations = {c.citation_id: c for c in document.citations}
        ids = [c.citation_id for c in document.citations]
        cites = [
            {"id": key, **({"locator": str(rng.randrange(1, 40))} if rng.random() < 0.4 else {})}
            for key in rng.sample(keys, rng.choice([1, 1, 2]))
        ]
        action = rng.choice(["insert", "insert", "change", "remove"]) if ids else "insert"
        if action == "insert":
            where = rng.choice([*ids, None])
            update = document.insert(cites, note=step + 1, before=where)
        elif action == "change":
            update = document.change(rng.choice(ids), cites)
        else:
            update = document.remove(rng.choice(ids))
        fresh = Document(loaded, data)
        fresh.place(document.citations)
        assert document.texts() == fresh.texts(), (style, step)
        expected = [
            (c.citation_id, text)
            for c, (_, text) in zip(document.citations, document.texts(), strict=True)
            if before_citations.get(c.citation_id) != c or before.get(c.citation_id) != text
        ]
        assert list(update.changed) == expected, (style, step, action)
        assert set(update.removed) == set(before) - {c.citation_id for c in document.citations}
    assert document.bibliography() == fresh.bibliography()


def test_bad_edits_are_refused_and_change_nothing(library: citekit.Library) -> None:
    from citekit.csl.styles import load_style

    document = Document(load_style("apa"), items(library, "apa", SAME_YEAR))
    document.insert([{"id": SAME_YEAR[0]}], citation_id="one")
    with pytest.raises(KeyError, match="no item with id 'missing'"):
        document.insert([{"id": "missing"}])
    with pytest.raises(ValueError, match="already in the document"):
        document.insert([{"id": SAME_YEAR[1]}], citation_id="one")
    with pytest.raises(KeyError, match="no citation 'two'"):
        document.change("two", [{"id": SAME_YEAR[1]}])
    with pytest.raises(KeyError, match="no citation 'two'"):
        document.remove("two")
    with pytest.raises(ValueError, match="needs an 'id'"):
        document.insert([{"locator": "3"}])
    with pytest.raises(ValueError, match="given twice"):
        document.place([DocumentCitation("x", [{"id": SAME_YEAR[0]}])] * 2)
    with pytest.raises(KeyError, match="no item with id 'nope'"):
        Document(load_style("apa"), [], registered=["nope"])
    assert [i for i, _ in document.texts()] == ["one"]


def test_registered_items_are_in_the_bibliography_uncited(library: citekit.Library) -> None:
    from citekit.csl.styles import load_style

    a, b = SAME_YEAR
    document = Document(load_style("apa"), items(library, "apa", [a, b]), registered=[b])
    assert [key for key, _ in document.bibliography()] == [b]
    document.insert([{"id": a}])
    assert {key for key, _ in document.bibliography()} == {a, b}


def test_an_unsorted_citation_keeps_its_cites_in_the_order_given() -> None:
    from citekit.csl.styles import load_style

    csl = b"""<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
      <info><id/><title/><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><sort><key variable="title"/></sort>
        <layout delimiter="; "><text variable="title"/></layout></citation></style>"""
    items = [
        {"id": "r", "type": "book", "title": "Roe"},
        {"id": "d", "type": "book", "title": "Doe"},
    ]
    document = Document(load_style(csl), items)
    sorted_ = document.insert([{"id": "r"}, {"id": "d"}], note=1)
    kept = document.insert([{"id": "r"}, {"id": "d"}], note=2, unsorted=True)
    assert sorted_.changed[-1][1] == "Doe; Roe"
    assert kept.changed[-1][1] == "Roe; Doe"


@pytest.mark.parametrize(
    ("mode", "infix", "expected"),
    [
        # citeproc-js's properties.mode on an author-date citation
        (None, "", "(Kesey 1964)"),
        ("author-only", "", "Kesey"),
        ("suppress-author", "", "(1964)"),
        ("composite", "", "Kesey (1964)"),
        ("composite", "'s early work", "Kesey’s early work (1964)"),
    ],
)
def test_citation_modes(mode: str | None, infix: str, expected: str) -> None:
    from citekit.csl.styles import load_style

    csl = b"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id/><title/><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout prefix="(" suffix=")" delimiter="; "><group delimiter=" ">
        <names variable="author"><name form="short"/></names>
        <date variable="issued"><date-part name="year"/></date></group></layout></citation>
    </style>"""
    item = {
        "id": "kesey",
        "type": "book",
        "author": [{"family": "Kesey", "given": "Ken"}],
        "issued": {"date-parts": [[1964]]},
    }
    document = Document(load_style(csl), [item])
    update = document.insert([{"id": "kesey"}], mode=mode, infix=infix)
    assert update.changed[-1][1] == expected


def test_an_author_only_stub_counts_for_no_position() -> None:
    # a note style: the narrative stub in the text, then the note, which is
    # the first reference to the work
    document = Document(
        CslFormatter("chicago-notes-bibliography").style,
        [
            {
                "id": "kesey",
                "type": "book",
                "title": "Sometimes a Great Notion",
                "author": [{"family": "Kesey", "given": "Ken"}],
                "issued": {"date-parts": [[1964]]},
            }
        ],
    )
    document.insert([{"id": "kesey"}], note=0, mode="author-only")
    update = document.insert([{"id": "kesey"}], note=1)
    assert "Sometimes a Great Notion" in update.changed[-1][1]
    assert "Ibid" not in update.changed[-1][1]
