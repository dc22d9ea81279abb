"""Rendering writes nothing per-session into the items' references.

A formatter's or a document's items (citeproc-py ``Reference`` objects) may
be shared by several sessions and threads, so what one session decides (a
year suffix, the note a work was first cited in) belongs to its session and
its cites' states, never to the reference. The works are real ones, from
tests/corpus/healy-socbib.bib: two pairs of works of one author and one year
(year suffixes, collapsed), then others.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import citekit
from citekit.csl.cite.session import CiteItem
from citekit.csl.engine import Processor
from citekit.csl.styles import Style, load_style
from citekit.formatters.csl import CslFormatter

pytest.importorskip("citeproc")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
SAME_YEAR = [
    "alexander87:_centr_class",
    "alexander87:_twent_lectur",
    "blau77:_inequal_and_heter",
    "blau77:_macros_theor_social_struc",
]

# A note style: year suffixes (the variable, and after the year), collapsed by
# author; "n. N" (first-reference-note-number) for a work cited before.
NOTE_STYLE = b"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>Session state</title><id>session-state</id>
    <updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation disambiguate-add-year-suffix="true" collapse="year-suffix"
            year-suffix-delimiter=",">
    <sort><key variable="issued"/><key variable="title"/></sort>
    <layout delimiter="; " suffix=".">
      <group delimiter=" ">
        <names variable="author"><name form="short"/></names>
        <group>
          <date variable="issued"><date-part name="year"/></date>
          <text variable="year-suffix"/>
        </group>
        <choose>
          <if position="subsequent">
            <text variable="first-reference-note-number" prefix="(n. " suffix=")"/>
          </if>
        </choose>
      </group>
    </layout>
  </citation>
  <bibliography>
    <sort><key macro="author"/><key variable="issued"/></sort>
    <layout>
      <group delimiter=". ">
        <text macro="author"/>
        <date variable="issued"><date-part name="year"/></date>
        <text variable="title"/>
      </group>
    </layout>
  </bibliography>
  <macro name="author">
    <names variable="author"><name name-as-sort-order="all"/></names>
  </macro>
</style>
"""


@pytest.fixture(scope="module")
def works() -> list[citekit.Work]:
    library = citekit.load(CORPUS / "healy-socbib.bib")
    others = [key for key in library if key not in SAME_YEAR][::211][:6]
    return [library[key] for key in SAME_YEAR + others]


@pytest.fixture(scope="module")
def note_style() -> Style:
    return load_style(NOTE_STYLE)


def variables(reference: Any) -> tuple[dict[str, Any], str]:
    """A reference's variables (not the parsed names citekit remembers beside them).

    The values, and their text (for a change inside a value).
    """
    found = {key: value for key, value in reference.items() if not key.startswith("_citekit")}
    return found, repr(sorted(found.items()))


def clusters(keys: list[str], first: list[int]) -> list[tuple[list[dict[str, Any]], int]]:
    """Citations (cites, note number) over ``keys``: works of one year together, repeats."""
    chosen = [keys[index] for index in first]
    return [
        ([{"id": chosen[0]}, {"id": chosen[1]}], 1),
        ([{"id": keys[4]}], 2),
        ([{"id": chosen[1]}, {"id": chosen[0]}, {"id": keys[2]}], 3),
        ([{"id": chosen[0], "locator": "12"}], 4),
        ([{"id": keys[5]}, {"id": chosen[1]}], 5),
    ]


def session(style: Style, items: list[Any], citations: list[Any]) -> Iterator[str]:
    """A processor's citations rendered one by one, then its bibliography."""
    processor = Processor.for_style(style, items)
    prepared = [
        processor.citation(cites, citation_id=f"c{n}", note_index=note)
        for n, (cites, note) in enumerate(citations)
    ]
    for citation in prepared:
        processor.register(citation)
    processor.sort()
    for citation in prepared:
        yield processor.cite(citation)
    for key, entry in processor.bibliography():
        yield f"{key}: {entry}"


def references(formatter: CslFormatter, works: list[citekit.Work]) -> list[Any]:
    return [formatter.reference(work, item_id=f"item-{n}") for n, work in enumerate(works)]


@pytest.mark.parametrize("style_name", ["note", "apa", "chicago-author-date"])
def test_no_reference_changes_while_rendering(
    style_name: str,
    note_style: Style,
    works: list[citekit.Work],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every reference, read at any time during a rendering, holds only its own variables."""
    formatter = CslFormatter("apa")
    style = note_style if style_name == "note" else CslFormatter(style_name).style
    items = references(formatter, works)
    keys = [item.key for item in items]
    before = [variables(item) for item in items]
    reads = 0
    changed: list[str] = []
    shown = CiteItem.reference

    def checked(cite: CiteItem) -> Any:
        nonlocal reads
        reads += 1
        for item, variables_before in zip(items, before, strict=True):
            if variables(item) != variables_before and item.key not in changed:
                changed.append(item.key)
        return shown.fget(cite)

    monkeypatch.setattr(CiteItem, "reference", property(checked))
    output = list(session(style, items, clusters(keys, [0, 1])))
    output += list(session(style, items, clusters(keys, [3, 2])))
    assert reads > 100
    assert changed == []
    assert [variables(item) for item in items] == before
    # the year suffixes and note numbers were rendered all the same
    if style_name == "note":
        assert any("1987a,b" in text for text in output), output
        assert any("(n. 1)" in text for text in output), output


@pytest.mark.parametrize("style_name", ["note", "apa"])
def test_sessions_sharing_references_interleaved(
    style_name: str, note_style: Style, works: list[citekit.Work]
) -> None:
    """Two sessions over the same references, rendered in turns, give what each gives alone.

    Their registries differ, so they give the works of one year different
    year suffixes and have cited them in different notes.
    """
    formatter = CslFormatter("apa")
    style = note_style if style_name == "note" else CslFormatter(style_name).style
    keys = [f"item-{n}" for n in range(len(works))]
    plans = [clusters(keys, [0, 1]), clusters(keys, [1, 0]), clusters(keys, [3, 2])]
    alone = [list(session(style, references(formatter, works), plan)) for plan in plans]
    shared = references(formatter, works)
    running: list[Iterator[str] | None] = [session(style, shared, plan) for plan in plans]
    interleaved: list[list[str]] = [[] for _ in plans]
    while any(running):
        for index, outputs in enumerate(running):
            if outputs is None:
                continue
            text = next(outputs, None)
            if text is None:
                running[index] = None
            else:
                interleaved[index].append(text)
    assert interleaved == alone
    assert alone[0] != alone[1]  # (the sessions do differ)


def _garbage_of(render: Any) -> list[str]:
    """The citekit and citeproc-py records ``render()`` leaves in reference cycles.

    Such records are freed only when Python's cycle collector runs, so a
    program rendering one bibliography after another holds several in
    memory at once (its peak memory grows).
    """
    import gc

    gc.collect()
    gc.disable()
    try:
        render()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = [
            type(o).__qualname__
            for o in gc.garbage
            if type(o).__module__.startswith(("citekit", "citeproc"))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    return found


def test_a_finished_session_leaves_no_cycles(works: list[citekit.Work]) -> None:
    """A bibliography with citations (year suffixes, probes of disambiguation) is freed at once."""
    from citekit.formatters.csl import Citation, Cite

    citations = [Citation((Cite(work.key),)) for work in works[:6]]
    # (first, what is made once per style, and kept with it, is made; and an
    # earlier session, not closed, that the style's per-thread list of cites
    # still holds, is let go)
    CslFormatter("apa").document(works, citations)

    def render() -> None:
        CslFormatter("apa").document(works, citations)

    assert _garbage_of(render) == []


def test_a_replaced_document_session_is_freed(note_style: Style, works: list[citekit.Work]) -> None:
    """A document keeps one session: the one an edit replaces is freed at once."""
    from citekit.csl.document import Document

    formatter = CslFormatter("apa")
    items = [formatter.item(work) for work in works]
    document = Document(note_style, items)
    document.insert([{"id": items[0]["id"]}], note=1)

    def edit() -> None:
        document.insert([{"id": items[1]["id"]}], note=2)

    assert _garbage_of(edit) == []
