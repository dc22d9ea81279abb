"""How the engine reads a CSL-JSON item's variables beyond their own keys, as
citeproc-js reads them: Zotero's older names of variables (``journalAbbreviation``,
``shortTitle``) and the ``key: value`` lines of ``note``."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.csl import items
from csl_styles import cite_each


def _cite(layout: str, items: list[dict[str, Any]]) -> list[str]:
    csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout>{layout}</layout></citation>
    </style>"""
    return cite_each(csl, items)


@pytest.mark.parametrize(
    ("alias", "variable"),
    [("journalAbbreviation", "container-title-short"), ("shortTitle", "title-short")],
)
def test_an_older_name_gives_the_variable_the_item_lacks(alias: str, variable: str) -> None:
    layout = f'<text variable="{variable}" suffix="|"/><text value="end"/>'
    items = [
        {"id": "a", "type": "article-journal", alias: "Given"},
        {"id": "b", "type": "article-journal", alias: "Alias", variable: "Own"},
        {"id": "c", "type": "article-journal", alias: ""},
    ]
    assert _cite(layout, items) == ["Given|end", "Own|end", "end"]


def test_the_short_form_of_container_title_reads_the_journal_abbreviation() -> None:
    layout = '<text variable="container-title" form="short" strip-periods="true"/>'
    items = [
        {
            "id": "a",
            "type": "article-journal",
            "container-title": "American Law Journal",
            "journalAbbreviation": "Am. L.J.",
        },
        {"id": "b", "type": "article-journal", "container-title": "American Law Journal"},
    ]
    assert _cite(layout, items) == ["Am LJ", "American Law Journal"]


def test_variables_are_read_from_the_lines_of_the_note() -> None:
    item = {
        "id": "a",
        "type": "book",
        "title": "Own title",
        "note": "Read from here on\ncontainer-title: The Container\n"
        "reviewed-author: Hall || W.C.\nreviewed-author: Ann Body Inc.\n"
        "title: Not the title\nissued: 2004-10-14\nA remark: stays\nsubmitted: 1999",
    }
    reference = items.from_csl(item)
    assert str(reference["container_title"]) == "The Container"
    assert [dict(name) for name in reference["reviewed_author"]] == [
        {"family": "Hall", "given": "W.C."},
        {"literal": "Ann Body Inc."},
    ]
    assert str(reference["title"]) == "Own title"  # the item's own value wins
    assert reference["issued"]["year"] == 2004 and reference["issued"]["day"] == 14
    assert "submitted" not in reference  # after a line that is no field: not read
    # what was not read stays, the first line too
    assert str(reference["note"]) == (
        "Read from here on\n\n\n\ntitle: Not the title\n\nA remark: stays\nsubmitted: 1999"
    )


def test_inline_fields_and_a_note_read_whole() -> None:
    item = {"id": "a", "type": "book", "note": "{:original-date: 1950}{:type: chapter}"}
    read = items.read_note_fields(item)
    assert read == {"id": "a", "type": "chapter", "original-date": {"raw": "1950"}}
    assert "note" in item  # (the item given is not changed)
    plain = {"id": "b", "note": "A note: with a colon, and no field"}
    assert items.read_note_fields(plain) is plain


def test_a_label_through_a_note_field_name_in_a_style() -> None:
    layout = (
        '<group delimiter=", "><text variable="container-title"/>'
        '<names variable="reviewed-author"><label form="verb-short" suffix=" "/>'
        '<name initialize-with=". "/></names></group><text variable="note" prefix=" / "/>'
    )
    items_ = [
        {
            "id": "a",
            "type": "review",
            "note": "container-title: Reviews\nreviewed-author: Hall || W.C.\n\nA note.",
        }
    ]
    assert _cite(layout, items_) == ["Reviews, by W. C. Hall / A note."]


def test_a_line_whose_key_is_no_variable_stays_in_the_note() -> None:
    item = {"id": "a", "type": "book", "note": "javascript: alert(1)\ngenre: Essay"}
    read = items.read_note_fields(item)
    assert read["note"] == "javascript: alert(1)" and read["genre"] == "Essay"
