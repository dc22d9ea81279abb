"""How works, libraries, excerpts and bibliographies show in notebooks and REPLs."""

from __future__ import annotations

from pathlib import Path

import citekit
from citekit import Excerpt, Library, Person, Work

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge" / "serge.yaml"


def test_work_str_is_a_short_reference() -> None:
    library = citekit.load(SERGE)
    assert str(library["serge1944"]) == "Serge, Victor. 1945. Lenin's Heir?"
    assert str(library["davies1941"]) == "Davies, Joseph E. 1941. Mission to Moscow."
    many = Work(
        key="k",
        title="Title",
        contributors={"author": [Person(family=f"F{i}", given="G") for i in range(5)]},
    )
    assert str(many) == "F0, G et al. n.d. Title."
    two = Work(
        key="k",
        title="T",
        contributors={"author": [Person(family="A"), Person(family="B", given="C")]},
    )
    assert str(two) == "A, and C B. n.d. T."


def test_work_repr_leaves_empty_fields_out() -> None:
    work = citekit.load(SERGE)["burnham1945"]
    text = repr(work)
    assert text.startswith("Work(key='burnham1945', type=<WorkType.ARTICLE_JOURNAL")
    assert "=None" not in text and "=()" not in text and "FrozenMap({})" not in text
    assert "Person(family='Burnham', given='James')" in text
    assert repr(Work(key="x")) == "Work(key='x', type=<WorkType.DOCUMENT: 'document'>)"


def test_html_and_markdown_are_escaped() -> None:
    work = Work(
        key="a<b",
        title="<script>alert(1)</script> & *x*",
        contributors={"author": [Person(family="O'Neil")]},
    )
    html = work._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert html.startswith('<span class="citekit-work" data-key="a&lt;b">')
    markdown = work._repr_markdown_()
    assert "\\<script\\>" in markdown and "\\*x\\*" in markdown
    library = Library([work])
    table = library._repr_html_()
    assert "<script>" not in table and table.count("<tr>") == 2
    assert "\\<script\\>" in library._repr_markdown_()
    excerpt = Excerpt(id="e", text="One <b>\n\nTwo", work_key="a<b", locator="p. 3")
    quote = excerpt._repr_html_()
    assert quote.count("<p>") == 2 and "&lt;b&gt;" in quote and "a&lt;b, page 3" in quote
    assert excerpt._repr_markdown_().startswith("> One \\<b\\>\n>\n> Two\n>\n> — a\\<b, page 3")


def test_library_table_lists_works() -> None:
    library = citekit.load(SERGE)
    table = library._repr_html_()
    assert table.count("<tr>") == 1 + len(library)
    assert "<td>Serge, Victor</td><td>1945</td><td>Lenin&#x27;s Heir?</td>" in table
    lines = library._repr_markdown_().splitlines()
    assert lines[2] == "| serge1944 | manuscript | Serge, Victor | 1945 | Lenin's Heir? |"


def test_rendered_bibliography_shows_as_html() -> None:
    library = citekit.load(SERGE)
    entries = citekit.formatter("csl", style="apa", output="html").bibliography(library)
    html = entries._repr_html_()
    assert html.startswith('<div class="csl-bib-body"><div class="csl-entry" data-key=')
    assert "<i>Partisan Review</i>" in html
    text = citekit.formatter("csl", style="apa").bibliography(library)
    assert "<i>" not in text._repr_html_()
    evil = Work(key="x", title="<b>bold</b>")
    shown = citekit.formatter("csl", style="apa", output="text").bibliography([evil])
    assert "<b>" not in shown._repr_html_()
    assert entries[0]._repr_markdown_() == entries[0].text
