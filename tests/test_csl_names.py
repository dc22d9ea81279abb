"""Unit tests of citekit's CSL name handling (citekit.csl.elements.names)."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.csl.elements.names import (
    PersonName,
    collation_key,
    initialize_given,
    person_name,
)
from citekit.csl.engine import Processor
from citekit.csl.styles import load_style
from csl_styles import cite_each


@pytest.mark.parametrize(
    ("given", "mark", "initialize", "expected"),
    [
        ("John", ".", True, "J."),
        ("ME", ".", True, "M."),
        ("ME", ".", False, "ME"),
        ("Me.", ".", True, "Me."),
        ("John M.E.", ".", False, "John M.E."),
        ("John M.E.", ". ", True, "J. M. E."),
        ("Ph. M.E.", "", True, "PhME"),
        ("Jean-Paul", ".", True, "J.-P."),
        ("Guo-ping", "", True, "G"),
        ("TSerendorjiin", ".", True, "Ts."),
        ("A. Alan", ". ", False, "A. Alan"),
        ("J.B. de C.M.", ".", True, "J.B. de C.M."),
        # a mark's white space, as citeproc-js trims it (no-break spaces
        # included), does not end the initials nor come before a full name
        ("S B", ".\ufeff", True, "S.\ufeffB."),
        ("S B", ".\u00a0", True, "S.\u00a0B."),
        ("Jane G. G. Molly", ".\ufeff", False, "Jane G.\ufeffG. Molly"),
        # a word that starts with no letter is kept as written (citeproc-js)
        ("St. Martin's Press A. (Brown", ". ", True, "St. M. P. A. (Brown"),
        ("St. Martin's Press A. (Brown", "", True, "StMPA (Brown"),
        ("S.0.", ". ", True, "S. 0."),
        ("S.0.", "", True, "S 0."),
        ("(John) 3rd", ".", True, "(John) 3rd"),
    ],
)
def test_initialize_given(given: str, mark: str, initialize: bool, expected: str) -> None:
    assert initialize_given(given, mark, initialize=initialize) == expected


def test_initialize_without_hyphen_keeps_initials_apart() -> None:
    assert initialize_given("Jean-Paul", ".", hyphen=False) == "J.P."


def test_particles_parsed_from_family_and_given() -> None:
    assert person_name({"family": "van der Vlist", "given": "Eric"}) == PersonName(
        family="Vlist", given="Eric", non_dropping_particle="van der"
    )
    humboldt = person_name({"family": "Humboldt", "given": "Alexander von"})
    assert (humboldt.given, humboldt.dropping_particle) == ("Alexander", "von")
    glued = person_name({"family": "d'Aubignac", "given": "François"})
    assert (glued.non_dropping_particle, glued.family) == ("d\u2019", "Aubignac")
    assert glued.glued_particles


def test_parse_names_false_and_quoted_family_are_kept_whole() -> None:
    assert person_name({"family": "van Dyke", "parse-names": False}).family == "van Dyke"
    assert person_name({"family": '"Van Dyke"', "given": "Dick"}).family == "Van Dyke"


def test_suffix_after_comma_in_given() -> None:
    plain = person_name({"family": "Doe", "given": "John, III"})
    assert (plain.given, plain.suffix, plain.comma_suffix) == ("John", "III", False)
    comma = person_name({"family": "Doe", "given": "John, !Jr."})
    assert (comma.suffix, comma.comma_suffix) == ("Jr.", True)


def test_cjk_names_are_detected() -> None:
    assert person_name({"family": "我妻", "given": "栄"}).is_cjk
    assert not person_name({"family": "Doe", "given": "John"}).is_cjk


def test_collation_ignores_markup_quotes_case_and_punctuation() -> None:
    titles = ["Simple “title” here C", "“Simple title here B”", "Simple title, here A"]
    keys = {title: collation_key(title) for title in titles}
    assert sorted(titles, key=lambda t: keys[t] or ("", "", "")) == [
        "Simple title, here A",
        "“Simple title here B”",
        "Simple “title” here C",
    ]
    markup, plain = collation_key("<i>Abc</i>"), collation_key("abc")
    assert markup is not None and plain is not None and markup[0] == plain[0]
    # as in citeproc-js, case and accents do not order (a stable sort keeps
    # such strings in the order they came), and numbers compare by value
    accented, bare = collation_key("Émile"), collation_key("emile")
    assert accented is not None and accented == bare
    numbers = ["Item 10", "Item 9", "Item 09a"]
    assert sorted(numbers, key=lambda t: collation_key(t) or ("", "", "")) == [
        "Item 9",
        "Item 09a",
        "Item 10",
    ]
    assert collation_key("  ") is None


# Substitution --------------------------------------------------------------

_AUTHOR_MACRO = """<macro name="author">
  <names variable="author">
    <name initialize="false" name-as-sort-order="first" and="text" delimiter=", "/>
    <label form="short" prefix=", "/>
    <substitute>
      <choose><if type="song"><names variable="composer"/></if></choose>
      <choose><if type="book"><names variable="editor"/></if></choose>
      <text macro="title"/>
    </substitute>
  </names>
</macro>
<macro name="title"><text variable="title" font-style="italic"/></macro>"""


def _entry(item: dict[str, Any]) -> str:
    csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      {_AUTHOR_MACRO}
      <citation><layout><text macro="author"/></layout></citation>
      <bibliography><layout delimiter=". ">
        <group delimiter=". "><text macro="author"/><text macro="title"/>
          <names variable="editor" prefix="Ed. "/><text variable="publisher"/></group>
      </layout></bibliography>
    </style>"""
    processor = Processor.for_style(load_style(csl.encode()), [{"id": "a", **item}])
    citation = processor.citation([{"id": "a"}])
    processor.register(citation)
    return processor.bibliography()[0][1]


def test_shorthand_names_inside_a_choose_of_a_substitute_inherit_name_and_label() -> None:
    item = {
        "type": "book",
        "title": "Criticism",
        "editor": [{"family": "Matuz", "given": "Roger"}, {"family": "Doe", "given": "Jane"}],
        "publisher": "Gale",
    }
    # form, initialize, name-as-sort-order, "and" and the label of the
    # original cs:names; the editors are then suppressed further on
    assert _entry(item) == "Matuz, Roger and Jane Doe, eds. <i>Criticism</i>. Gale"


def test_a_title_substituted_through_a_macro_is_not_printed_again() -> None:
    item = {"type": "article", "title": "Anonymous", "publisher": "Gale"}
    assert _entry(item) == "<i>Anonymous</i>. Gale"


def test_variables_a_substitute_did_not_use_are_kept() -> None:
    item = {
        "type": "article",
        "author": [{"family": "Matuz", "given": "Roger"}],
        "editor": [{"family": "Doe", "given": "Jane"}],
        "title": "Criticism",
    }
    assert _entry(item) == "Matuz, Roger. <i>Criticism</i>. Ed. Jane Doe"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # citeproc-js's output for J Roe and John Doe, the second given name as here
        ("John, et al.", "J Roe, John Doe, et al."),
        ("John et al.", "J Roe, John Doe, et al."),
        ("John, Jr., et al.", "J Roe and John Doe Jr., et al."),
        ("John, Et Al.", "J Roe and John Doe Et Al."),
        ("John", "J Roe and John Doe"),
    ],
)
def test_et_al_typed_after_the_last_given_name_is_the_et_al_term(given: str, expected: str) -> None:
    csl = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout><names variable="author"><name and="text"/></names></layout></citation>
    </style>"""
    authors = [{"family": "Roe", "given": "J"}, {"family": "Doe", "given": given}]
    item = {"id": "a", "type": "book", "author": authors}
    processor = Processor.for_style(load_style(csl.encode()), [item])
    citation = processor.citation([{"id": "a"}])
    processor.register(citation)
    assert processor.cite(citation) == expected


def test_names_in_a_substitutes_choose_are_tried_one_by_one() -> None:
    # citeproc-js: the first cs:names of the taken branch that renders is the
    # substitute; the branch is not printed whole
    csl = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout delimiter="; "><names variable="author"><substitute>
        <choose><if match="none" type="standard">
          <names variable="editor"/><names variable="translator"/></if></choose>
        <text variable="title"/></substitute></names></layout></citation>
    </style>"""
    editor, translator = [{"family": "Ed", "given": "A"}], [{"family": "Tr", "given": "B"}]
    items = [
        {"id": "a", "type": "book", "editor": editor, "translator": translator, "title": "T"},
        {"id": "b", "type": "book", "translator": translator, "title": "T"},
        {"id": "c", "type": "book", "title": "T"},
        {"id": "d", "type": "standard", "editor": editor, "title": "T"},
    ]
    processor = Processor.for_style(load_style(csl.encode()), items)
    citation = processor.citation([{"id": item["id"]} for item in items], unsorted=True)
    processor.register(citation)
    assert processor.cite(citation) == "A Ed; B Tr; T; T"


@pytest.mark.parametrize(
    ("given", "mark", "expected"),
    [
        ("<b>John</b> Quiggly", ". ", "<b>J.</b> Q."),
        ("<b>John</b>-Quiggly", ". ", "<b>J.</b>-Q."),
        ("<b>J</b> Q", ". ", "<b>J.</b> Q."),
        ("<b>J</b>-Q", ".", "<b>J.</b>-Q."),
        ("<b>John Quiggly</b>", ".", "<b>J.Q.</b>"),
    ],
)
def test_markup_around_a_given_name_stays_around_its_initial(
    given: str, mark: str, expected: str
) -> None:
    # as citeproc-js: the period of the mark inside the tags, its space outside
    assert initialize_given(given, mark) == expected


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        # citeproc-js's output: the suffix's initials take the mark, its words stay
        ("", ["NM Green Jr", "NM Green, Jr", "Nicholas EM Bapis", "J Nicholas PhD"]),
        (" ", ["N M Green Jr", "N M Green, Jr", "Nicholas E M Bapis", "J Nicholas Ph D"]),
        (".", ["N.M. Green Jr.", "N.M. Green, Jr.", "Nicholas E.M. Bapis", "J. Nicholas Ph.D."]),
        (None, ["Norman M. Green Jr.", "Norman M. Green, Jr.", "Nicholas E. M. Bapis",
                "Jo Nicholas Ph.D."]),
    ],
)  # fmt: skip
def test_a_suffix_is_written_with_the_initialize_with_mark(
    mark: str | None, expected: list[str]
) -> None:
    option = "" if mark is None else f' initialize-with="{mark}"'
    csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout><names variable="author"><name{option}/></names></layout></citation>
    </style>"""
    people = [
        {"family": "Green", "given": "Norman M.", "suffix": "Jr."},
        {"family": "Green", "given": "Norman M.", "suffix": "Jr.", "comma-suffix": True},
        {"family": "Nicholas", "suffix": "E. M. Bapis"},
        {"family": "Nicholas", "given": "Jo", "suffix": "Ph.D."},
    ]
    items = [{"id": f"i{n}", "type": "book", "author": [p]} for n, p in enumerate(people)]
    assert cite_each(csl, items) == expected
