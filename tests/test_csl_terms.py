"""Locale terms as the engine finds them: the forms that fall back to others
(CSL 1.0.2, "Term Forms"), and terms whose text is only white space."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.csl.engine import Processor
from citekit.csl.styles import load_style


def _cite(layout: str, item: dict[str, Any], *, terms: str = "", cite: Any = None) -> str:
    csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <locale><terms>{terms}</terms></locale>
      <citation><layout>{layout}</layout></citation>
    </style>"""
    processor = Processor.for_style(load_style(csl.encode()), [{"type": "book", **item}])
    citation = processor.citation([{"id": item["id"], **(cite or {})}])
    processor.register(citation)
    return str(processor.cite(citation))


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("verb-short", "[by] Ann Hall"),  # en-US has no verb-short form: the verb one
        ("verb", "[by] Ann Hall"),
        ("short", "[rev] Ann Hall"),
        ("symbol", "[rev] Ann Hall"),  # no symbol: the short one
    ],
)
def test_a_missing_term_form_falls_back(form: str, expected: str) -> None:
    layout = (
        f'<names variable="reviewed-author"><label form="{form}" prefix="[" suffix="] "/>'
        "<name/></names>"
    )
    terms = '<term name="reviewed-author" form="short">rev</term>'
    item = {"id": "a", "reviewed-author": [{"family": "Hall", "given": "Ann"}]}
    assert _cite(layout, item, terms=terms) == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("213 & 235", "213 AND 235"),
        ("3&4", "3 AND 4"),
        ("1-3 & 5-7", "1–3 AND 5–7"),
        ("1, 2 & 3", "1, 2 AND 3"),
        ("Q&A", "QANDA"),  # not after a number: joined, as citeproc-js
    ],
)
def test_an_ampersand_in_a_number_is_the_locales_and_symbol(page: str, expected: str) -> None:
    terms = '<term name="and" form="symbol">AND</term>'
    assert _cite('<number variable="page"/>', {"id": "a", "page": page}, terms=terms) == expected
    locator = _cite('<text variable="locator"/>', {"id": "a"}, terms=terms, cite={"locator": page})
    assert locator == expected


def test_an_ampersand_in_a_number_with_the_default_symbol_is_escaped() -> None:
    assert _cite('<text variable="page"/>', {"id": "a", "page": "5&6"}) == "5 &#38; 6"


def test_a_term_of_white_space_alone_is_empty_and_a_line_break_a_space() -> None:
    layout = (
        '<names variable="author"><name et-al-min="2" et-al-use-first="1"/>'
        '<et-al term="and others"/></names><text term="editor" prefix="[" suffix="]"/>'
        '<text value="end"/>'
    )
    terms = (
        '<term name="and others">\n      </term>'
        '<term name="editor"><single>\ned.\n</single><multiple>eds.</multiple></term>'
    )
    item = {"id": "a", "author": [{"family": "Roe", "given": "Ann"}, {"family": "Doe"}]}
    assert _cite(layout, item, terms=terms) == "Ann Roe[ ed. ]end"  # as citeproc-js


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ('<text term="editor"/>', "C:"),  # empty, but a term: the substitution ends
        ('<group><text term="editor"/><text variable="abstract"/></group>', "C:"),
        ('<text term="no-such-term"/>', "C:"),
        ('<choose><if variable="abstract"><text term="editor"/></if></choose>', "C:AUTH"),
        ('<text variable="abstract"/>', "C:AUTH"),  # an empty variable: the next one
    ],
)
def test_a_term_ends_a_substitution_even_when_empty(first: str, expected: str) -> None:
    layout = (
        '<text value="C:"/><names variable="translator"><substitute>'
        f'{first}<text term="author"/></substitute></names>'
    )
    terms = '<term name="author">AUTH</term><term name="editor"></term>'
    assert _cite(layout, {"id": "a", "title": "T"}, terms=terms) == expected


@pytest.mark.parametrize(
    ("names", "precedes", "expected"),
    [
        (["A", "B"], "contextual", "A\u05d5\u2008B"),
        (["A", "B", "C"], "contextual", "A, B\u05d5\u2008C"),  # no delimiter either
        (["A", "B"], "always", "A, \u05d5\u2008B"),
    ],
)
def test_an_and_term_not_in_a_spaced_script_joins_the_names(
    names: list[str], precedes: str, expected: str
) -> None:
    # the Hebrew "and" (vav) is written joined to the name after it
    layout = (
        f'<names variable="author"><name and="text" delimiter-precedes-last="{precedes}"/></names>'
    )
    item = {"id": "a", "author": [{"family": name} for name in names]}
    terms = '<term name="and">\u05d5&#8200;</term>'
    assert _cite(layout, item, terms=terms) == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [(["A", "B"], "A\u7b49"), (["A", "B", "C"], "A, B, \u7b49")],
)
def test_an_et_al_term_not_in_a_spaced_script_follows_the_name_unspaced(
    names: list[str], expected: str
) -> None:
    layout = '<names variable="author"><name et-al-min="2" et-al-use-first="1"/></names>'
    if len(names) == 3:
        layout = layout.replace('min="2" et-al-use-first="1"', 'min="3" et-al-use-first="2"')
    item = {"id": "a", "author": [{"family": name} for name in names]}
    terms = '<term name="et-al">\u7b49</term>'
    assert _cite(layout, item, terms=terms) == expected
