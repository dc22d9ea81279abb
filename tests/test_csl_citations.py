"""Citation-level CSL rendering: positions, disambiguation, collapsing, bibliography layout."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from citekit.conformance import cite_positions, parse_fixture, render_citation_calls
from citekit.csl import passes
from citekit.csl.elements.citations import (
    FIRST,
    IBID,
    IBID_WITH_LOCATOR,
    SUBSEQUENT,
    CiteState,
    cite_state,
)
from citekit.csl.engine import Processor, citeproc_style
from citekit.csl.styles import load_style
from csl_styles import style
from hang_guard import finishes


def book(key: str, family: str, year: int, title: str = "T", given: str = "J") -> dict[str, Any]:
    return {
        "id": key,
        "type": "book",
        "title": title,
        "author": [{"family": family, "given": given}],
        "issued": {"date-parts": [[year]]},
    }


def cite_all(
    csl: Any,
    items: list[dict[str, Any]],
    clusters: Iterable[tuple[Sequence[Mapping[str, Any]], int | None]],
    *,
    register_all: bool = False,
) -> list[str]:
    processor = Processor(csl, items)
    if register_all:
        processor.register(processor.citation([{"id": item["id"]} for item in items]))
    citations = [
        processor.citation(cites, citation_id=f"C{n}", note_index=note)
        for n, (cites, note) in enumerate(clusters)
    ]
    for citation in citations:
        processor.register(citation)
    processor.sort()
    return [processor.cite(citation) for citation in citations]


NOTE_LAYOUT = """<citation><layout suffix="." delimiter="; ">
  <choose>
    <if position="ibid-with-locator"><group delimiter=" ">
      <text value="ibid"/><text variable="locator"/></group></if>
    <else-if position="ibid"><text value="ibid"/></else-if>
    <else-if position="subsequent"><group delimiter=" ">
      <names variable="author"><name form="short"/></names>
      <text value="n."/><text variable="first-reference-note-number"/></group></else-if>
    <else><group delimiter=" ">
      <names variable="author"><name form="short"/></names>
      <text variable="title"/></group></else>
  </choose></layout></citation>"""


def test_positions_in_notes() -> None:
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Roe", 2001, "Beta")]
    texts = cite_all(
        style(NOTE_LAYOUT, cls="note"),
        items,
        [
            ([{"id": "a"}], 1),
            ([{"id": "a"}], 2),  # same item alone in the previous note: ibid
            ([{"id": "a", "locator": "5"}], 3),  # ibid with a locator
            ([{"id": "a"}], 4),  # the previous cite had a locator, this one none
            ([{"id": "b"}, {"id": "a"}], 5),  # first cite of b; a after another item
            ([{"id": "a"}], 6),  # the previous note cites two items: not ibid
        ],
    )
    assert texts == [
        "Doe Alpha.",
        "ibid.",
        "ibid 5.",
        "Doe n. 1.",
        "Roe Beta; Doe n. 1.",
        "Doe n. 1.",
    ]


def test_citations_of_one_note_count_together_for_ibid() -> None:
    items = [book("a", "Aalto", 2000), book("b", "Alvarez", 2001)]
    texts = cite_all(
        style(NOTE_LAYOUT, cls="note"),
        items,
        [([{"id": "a"}], 1), ([{"id": "b"}], 1), ([{"id": "b"}], 2), ([{"id": "b"}], 3)],
    )
    assert texts[2] == "Alvarez n. 1."  # note 1 cites a and b
    assert texts[3] == "ibid."  # note 2 cites b alone


def test_near_note_uses_the_citation_option() -> None:
    csl = style(
        """<citation near-note-distance="1"><layout delimiter="; ">
        <choose><if position="near-note"><text value="near"/></if>
        <else><text variable="title"/></else></choose></layout></citation>""",
        cls="note",
    )
    items = [book("a", "Doe", 2000, "A"), book("b", "Roe", 2000, "B")]
    texts = cite_all(
        csl, items, [([{"id": "a"}], 1), ([{"id": "b"}], 2), ([{"id": "a"}], 3), ([{"id": "b"}], 3)]
    )
    assert texts == ["A", "B", "A", "near"]


def test_explicit_positions_from_cite_objects() -> None:
    csl = style(
        """<citation><layout><choose>
        <if position="ibid-with-locator"><text value="IWL"/></if>
        <else-if position="ibid"><text value="I"/></else-if>
        <else-if position="subsequent"><text value="S"/></else-if>
        <else><text value="F"/></else></choose></layout></citation>"""
    )
    items = [book("a", "Doe", 2000)]
    clusters = [([{"id": "a", "position": p}], None) for p in (0, 1, 2, 3)]
    assert cite_all(csl, items, clusters) == ["F", "S", "I", "IWL"]


def test_positions_are_false_in_the_bibliography() -> None:
    csl = style(
        '<citation><layout><text variable="title"/></layout></citation>',
        """<bibliography><layout><choose><if position="first"><text value="first"/></if>
        <else><text variable="title"/></else></choose></layout></bibliography>""",
    )
    processor = Processor(csl, [book("a", "Doe", 2000, "Alpha")])
    processor.register(processor.citation([{"id": "a"}]))
    assert [text for _, text in processor.bibliography()] == ["Alpha"]


AUTHOR_DATE = """<citation disambiguate-add-year-suffix="true" {extra}>
  <layout prefix="(" suffix=")" delimiter="; "><group delimiter=" ">
    <names variable="author"><name form="short"/></names>
    <group><date variable="issued"><date-part name="year"/></date>
    <text variable="year-suffix"/></group></group></layout></citation>"""


def test_year_suffixes_for_same_author_same_year() -> None:
    items = [
        book("a", "Smith", 2000, "A"),
        book("b", "Smith", 2000, "B"),
        book("c", "Smith", 2001, "C"),
        book("d", "Jones", 2000, "D"),
    ]
    csl = style(AUTHOR_DATE.format(extra=""))
    texts = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}], None)])
    assert texts == ["(Smith 2000a; Smith 2000b; Smith 2001; Jones 2000)"]


def test_year_suffixes_past_z() -> None:
    items = [book(f"k{n}", "Smith", 2000, f"T{n}") for n in range(28)]
    csl = style(AUTHOR_DATE.format(extra=""))
    cites = [{"id": "k26"}, {"id": "k27"}]
    texts = cite_all(csl, items, [(cites, None)], register_all=True)
    assert texts == ["(Smith 2000aa; Smith 2000ab)"]


def test_year_suffix_collapse_ranged() -> None:
    items = [book(f"k{n}", "Smith", 2000, f"T{n}") for n in range(4)]
    items.append(book("z", "Smith", 2001, "Z"))
    csl = style(AUTHOR_DATE.format(extra='collapse="year-suffix-ranged"'))
    cites = [{"id": key} for key in ("k0", "k1", "k2", "k3", "z")]
    # in-text style: years of one author are joined by the default
    # cite-group-delimiter ", ", the year suffixes by the layout delimiter
    assert cite_all(csl, items, [(cites, None)]) == ["(Smith 2000a\u2013d, 2001)"]


def test_year_collapse_keeps_one_author() -> None:
    csl = style(
        """<citation collapse="year"><layout prefix="(" suffix=")" delimiter=", ">
        <group delimiter=" "><names variable="author"><name form="short"/></names>
        <date variable="issued"><date-part name="year"/></date></group></layout></citation>"""
    )
    items = [book("a", "Smith", 1900), book("b", "Smith", 2000), book("c", "Roe", 1990)]
    texts = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}, {"id": "c"}], None)])
    assert texts == ["(Smith 1900, 2000, Roe 1990)"]


def test_citation_number_ranges() -> None:
    csl = style(
        """<citation collapse="citation-number"><sort><key variable="citation-number"/></sort>
        <layout prefix="(" suffix=")" delimiter=", ">
        <text variable="citation-number" prefix="[" suffix="]"/></layout></citation>"""
    )
    items = [book(f"k{n}", "Smith", 2000 + n) for n in range(7)]
    everything = [{"id": f"k{n}"} for n in range(7)]
    gap = [{"id": f"k{n}"} for n in (0, 1, 2, 4, 5)]
    texts = cite_all(csl, items, [(everything, None), (gap, None)])
    assert texts == ["([1]\u2013[7])", "([1]\u2013[3], [5], [6])"]


def test_disambiguate_condition() -> None:
    csl = style(
        """<citation><layout delimiter="; "><group delimiter=" ">
        <names variable="author"><name form="short"/></names>
        <choose><if disambiguate="true"><text variable="title"/></if></choose>
        </group></layout></citation>"""
    )
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Doe", 2001, "Beta")]
    items.append(book("c", "Roe", 2000, "Gamma"))
    texts = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}, {"id": "c"}], None)])
    assert texts == ["Doe Alpha; Doe Beta; Roe"]


def test_disambiguate_condition_in_a_macro() -> None:
    # MLA tests disambiguate="true" in a macro, behind add-names and add-givenname
    csl = style(
        """<macro name="author-short"><group delimiter=", ">
        <names variable="author"><name form="short"/></names>
        <choose><if disambiguate="true"><text variable="title"/></if></choose>
        </group></macro>
        <citation disambiguate-add-names="true" disambiguate-add-givenname="true">
        <layout delimiter="; "><text macro="author-short"/></layout></citation>"""
    )
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Doe", 2001, "Beta")]
    items.append(book("c", "Roe", 2000, "Gamma"))
    texts = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}, {"id": "c"}], None)])
    assert texts == ["Doe, Alpha; Doe, Beta; Roe"]


def test_disambiguate_conditions_hold_one_more_at_a_time() -> None:
    # citeproc-js: the first disambiguate="true" test a cite evaluates holds
    # for every colliding cite; the next only for those that still collide
    csl = style(
        """<citation><layout delimiter="; "><group delimiter=", ">
        <names variable="author"><name form="short"/></names>
        <choose><if disambiguate="true"><text variable="title"/></if></choose>
        <choose><if disambiguate="true"><date variable="issued" form="numeric"
          date-parts="year"/></if></choose>
        </group></layout></citation>"""
    )
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Doe", 2001, "Beta")]
    items += [book("c", "Doe", 2002, "Beta"), book("d", "Roe", 2003, "Gamma")]
    texts = cite_all(csl, items, [([{"id": key}], None) for key in "abcd"])
    assert texts == ["Doe, Alpha", "Doe, Beta, 2001", "Doe, Beta, 2002", "Roe"]


def test_mla_adds_the_title_for_two_works_of_one_author() -> None:
    csl = citeproc_style(load_style("modern-language-association"))
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Doe", 2001, "Beta")]
    items.append(book("c", "Roe", 2000, "Gamma"))
    texts = cite_all(csl, items, [([{"id": key}], None) for key in "abc"])
    assert texts == ["(Doe, <i>Alpha</i>)", "(Doe, <i>Beta</i>)", "(Roe)"]


def test_primary_name_rule_follows_the_substitute() -> None:
    # APA's citation names are "composer", substituted by author, then (after
    # cs:choose elements) by editor: the names shown are the ones disambiguated.
    csl = citeproc_style(load_style("apa"))
    items = [
        {
            "id": "a",
            "type": "book",
            "title": "Remaking",
            "editor": [
                {"family": "Adams", "given": "Julia"},
                {"family": "Clemens", "given": "Elisabeth"},
                {"family": "Orloff", "given": "Ann"},
            ],
            "issued": {"date-parts": [[2005]]},
        },
        book("b", "Adams", 2001, "Other", given="William"),
        book("c", "Blau", 1977, "Inequality", given="Peter M."),
        book("d", "Blau", 1964, "Exchange", given="Peter"),
        book("e", "Roe", 1990, "Alone", given="Ann"),
        # the short form hides the suffix: "Adams" as well, so ambiguous
        {
            "id": "f",
            "type": "book",
            "title": "Third",
            "author": [{"family": "Adams", "given": "A. Frank", "suffix": "III"}],
            "issued": {"date-parts": [[1999]]},
        },
    ]
    texts = cite_all(csl, items, [([{"id": key}], None) for key in "abcdef"])
    assert texts == [
        "(J. Adams et al., 2005)",
        "(W. Adams, 2001)",
        "(P. M. Blau, 1977)",
        "(P. Blau, 1964)",
        "(Roe, 1990)",
        "(A. F. Adams III, 1999)",
    ]


def test_with_initials_rule_adds_initials_that_tell_some_names_apart() -> None:
    # "E. Anderson" is two people, but the initials still tell both from
    # "B. Anderson": the names are expanded as far as the rule allows.
    csl = citeproc_style(load_style("apa"))
    items = [
        book("a", "Anderson", 2008, "One", given="Elisabeth"),
        book("b", "Anderson", 1999, "Two", given="Elizabeth"),
        book("c", "Anderson", 1983, "Three", given="Benedict"),
    ]
    texts = cite_all(csl, items, [([{"id": key}], None) for key in "abc"])
    assert texts == ["(E. Anderson, 2008)", "(E. Anderson, 1999)", "(B. Anderson, 1983)"]


BIB_CITATION = '<citation><layout><text variable="title"/></layout></citation>'


def test_subsequent_author_substitute() -> None:
    csl = style(
        BIB_CITATION,
        """<bibliography subsequent-author-substitute="---"><layout>
        <group delimiter=". "><names variable="author"><name/></names>
        <text variable="title"/></group></layout></bibliography>""",
    )
    items = [
        book("a", "Doe", 2000, "Alpha"),
        book("b", "Doe", 2001, "Beta"),
        book("c", "Roe", 2002, "Gamma"),
    ]
    processor = Processor(csl, items)
    processor.register(processor.citation([{"id": "a"}, {"id": "b"}, {"id": "c"}]))
    assert [text for _, text in processor.bibliography()] == [
        "J Doe. Alpha",
        "---. Beta",
        "J Roe. Gamma",
    ]


# citeproc-js's output (complete-all): the names shown are compared, not
# those an et-al leaves out; the name list ("et al." included) is replaced
# and the label stays
SUBSTITUTED = {
    ("author", "editor"): ["Appa, Arjun. A", "———, editor. B"],
    ("editor", "editor"): ["Appa, Arjun, editor. A", "———, editor. B"],
    ("editor", "author"): ["Appa, Arjun, editor. A", "———. B"],
    ("one", "et al"): ["Baum, Will. A", "———. B"],
    ("et al", "one"): ["Baum, Will et al. A", "———. B"],
    ("one", "other"): ["Baum, Will. A", "Appa, Arjun. B"],
}


@pytest.mark.parametrize(("case", "expected"), SUBSTITUTED.items())
def test_subsequent_author_substitute_compares_the_names_shown(
    case: tuple[str, str], expected: list[str]
) -> None:
    csl = style(
        BIB_CITATION,
        """<macro name="names"><names variable="author">
          <name name-as-sort-order="first" and="text"/><label prefix=", "/>
          <substitute><names variable="editor"/></substitute></names></macro>
        <bibliography subsequent-author-substitute="———" et-al-min="2" et-al-use-first="1">
          <sort><key variable="title"/></sort>
          <layout><group delimiter=". "><text macro="names"/><text variable="title"/></group>
          </layout></bibliography>""",
    )
    appa, baum = {"family": "Appa", "given": "Arjun"}, {"family": "Baum", "given": "Will"}
    names = {
        "author": {"author": [appa]},
        "editor": {"editor": [appa]},
        "one": {"author": [baum]},
        "et al": {"author": [baum, {"family": "Other", "given": "O"}]},
        "other": {"author": [appa]},
    }
    items = [
        {"id": "a", "type": "book", "title": "A", **names[case[0]]},
        {"id": "b", "type": "book", "title": "B", **names[case[1]]},
    ]
    processor = Processor(csl, items)
    processor.register(processor.citation([{"id": "a"}, {"id": "b"}]))
    assert [text for _, text in processor.bibliography()] == expected


def test_display_divs() -> None:
    csl = style(
        BIB_CITATION,
        """<bibliography><layout>
        <text variable="title" display="left-margin"/>
        <text variable="publisher" display="right-inline"/></layout></bibliography>""",
    )
    item = book("a", "Doe", 2000, "Alpha") | {"publisher": "Press"}
    processor = Processor(csl, [item])
    processor.register(processor.citation([{"id": "a"}]))
    [(_, entry)] = processor.bibliography()
    assert entry == (
        '\n    <div class="csl-left-margin">Alpha</div>'
        '<div class="csl-right-inline">Press</div>\n  '
    )


def test_cite_state_is_attached_only_while_rendering() -> None:
    seen: list[CiteState | None] = []
    csl = style(NOTE_LAYOUT, cls="note")
    processor = Processor(csl, [book("a", "Doe", 2000)])
    citation = processor.citation([{"id": "a"}], note_index=1)
    processor.register(citation)
    processor.cite(citation)
    seen.append(cite_state(citation.cites[0]))
    assert seen == [None]
    state = CiteState(position=IBID, year_suffix="b", year_suffix_after_year=True)
    copy = state.copy(position=SUBSEQUENT)
    assert (copy.position, copy.year_suffix, copy.year_suffix_after_year) == (SUBSEQUENT, "b", True)
    assert state.position == IBID
    assert {FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR} == {0, 1, 2, 3}


def test_disambiguation_scales_to_large_registries() -> None:
    """5,000 registered works, under a hang guard (the time is for benchmarks/ to measure)."""
    texts = finishes(_disambiguate_among_5000, timeout=120)
    assert texts == ["(Author0 2000a; Author0 2000b; Author1 2000a)"]


def _disambiguate_among_5000() -> list[str]:
    csl = style(AUTHOR_DATE.format(extra='disambiguate-add-names="true"'))
    items = [book(f"k{n}", f"Author{n % 2500}", 2000, f"T{n}") for n in range(5000)]
    cites = [{"id": "k0"}, {"id": "k2500"}, {"id": "k1"}]
    return list(cite_all(csl, items, [(cites, None)], register_all=True))


def final_html(
    csl: Any,
    items: list[dict[str, Any]],
    clusters: Iterable[tuple[Sequence[Mapping[str, Any]], int | None]],
) -> list[str]:
    """Citations through citekit's output passes (quotes resolved, text escaped)."""
    processor = Processor(csl, items, postprocess=passes.postprocess)
    citations = [processor.citation(cites, note_index=note) for cites, note in clusters]
    for citation in citations:
        processor.register(citation)
    processor.sort()
    return [processor.cite(citation) for citation in citations]


def test_cite_affixes_are_rich_text_and_style_affixes_literal() -> None:
    csl = style(
        """<citation><layout prefix="[&amp; " suffix=" &lt;]" delimiter=" &amp; ">
        <text variable="title"/></layout></citation>"""
    )
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Roe", 2001, "Beta")]
    cites = [
        {"id": "a", "prefix": "<i>See</i> 'quoted', <b>x & y</b> "},
        {"id": "b", "suffix": ' and "so it goes" <script>'},
    ]
    assert final_html(csl, items, [(cites, None)]) == [
        "[&#38; <i>See</i> \u201cquoted\u201d, <b>x &#38; y</b> Alpha &#38; "
        "Beta and \u201cso it goes\u201d &#60;script&#62; &#60;]"
    ]


def test_typographic_single_quotes_in_an_affix_are_kept() -> None:
    csl = style('<citation><layout><text variable="title"/></layout></citation>')
    cites = [{"id": "a", "prefix": "meaning \u2018God willing\u2019. "}]
    assert final_html(csl, [book("a", "Doe", 2000, "Alpha")], [(cites, None)]) == [
        "meaning \u2018God willing\u2019. Alpha"
    ]


def test_a_prefix_starting_with_punctuation_replaces_the_delimiter() -> None:
    csl = style('<citation><layout delimiter="; "><text variable="title"/></layout></citation>')
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Roe", 2001, "Beta")]
    cites = [{"id": "a"}, {"id": "b", "prefix": ", cited in "}]
    assert final_html(csl, items, [(cites, None)]) == ["Alpha, cited in Beta"]


def test_group_delimiter_handed_to_choose_is_escaped() -> None:
    csl = style(
        """<citation><layout><group delimiter=" &amp; ">
        <choose><if type="book"><text variable="title"/><text variable="publisher"/></if>
        </choose></group></layout></citation>"""
    )
    item = book("a", "Doe", 2000, "Alpha") | {"publisher": "Press"}
    assert final_html(csl, [item], [([{"id": "a"}], None)]) == ["Alpha &#38; Press"]


def test_display_inside_choose_and_layout_suffix_in_the_last_div() -> None:
    csl = style(
        BIB_CITATION,
        """<bibliography><layout suffix="."><choose><if type="book">
        <text variable="title" display="block"/>
        <text variable="publisher" display="indent"/></if>
        <else><text variable="title"/></else></choose></layout></bibliography>""",
    )
    item = book("a", "Doe", 2000, "Alpha") | {"publisher": "Press"}
    processor = Processor(csl, [item])
    processor.register(processor.citation([{"id": "a"}]))
    [(_, entry)] = processor.bibliography()
    assert entry == (
        '\n\n    <div class="csl-block">Alpha</div>\n<div class="csl-indent">Press.</div>\n  '
    )


IMPLICIT_SUFFIX = """<citation disambiguate-add-year-suffix="true">
  <layout prefix="(" suffix=")" delimiter="; "><group delimiter=" ">
    <names variable="author"><name form="short"/></names>
    <date variable="issued"><date-part name="year"/></date>
    <date variable="issued" prefix="[" suffix="]"><date-part name="year"/></date>
  </group></layout></citation>"""


def test_implicit_year_suffix_follows_the_first_year_only() -> None:
    csl = style(IMPLICIT_SUFFIX)
    items = [book("a", "Doe", 2000, "A"), book("b", "Doe", 2000, "B"), book("c", "Roe", 2000)]
    texts = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}, {"id": "c"}], None)])
    assert texts == ["(Doe 2000a [2000]; Doe 2000b [2000]; Roe 2000 [2000])"]


def test_no_implicit_year_suffix_when_the_style_renders_it() -> None:
    csl = style(
        AUTHOR_DATE.format(extra=""),
        """<bibliography><layout><date variable="issued"><date-part name="year"/></date>
        </layout></bibliography>""",
    )
    items = [book("a", "Doe", 2000, "A"), book("b", "Doe", 2000, "B")]
    processor = Processor(csl, items)
    processor.register(processor.citation([{"id": "a"}, {"id": "b"}]))
    processor.sort()
    assert [text for _, text in processor.bibliography()] == ["2000", "2000"]


def people(key: str, year: int, *names: tuple[str, str]) -> dict[str, Any]:
    return {
        "id": key,
        "type": "book",
        "title": key,
        "author": [{"family": family, "given": given} for family, given in names],
        "issued": {"date-parts": [[year]]},
    }


def givenname_style(rule: str, extra: str = "") -> Any:
    return style(
        f"""<citation disambiguate-add-givenname="true" givenname-disambiguation-rule="{rule}"
        {extra}><layout delimiter="; "><group delimiter=" ">
        <names variable="author"><name form="short" initialize-with=". " and="text"/></names>
        <date variable="issued"><date-part name="year"/></date></group></layout></citation>"""
    )


def test_all_names_expands_names_of_different_people_everywhere() -> None:
    items = [
        people("a", 1980, ("Asthma", "Al"), ("Cold", "Cy")),
        people("b", 1995, ("Asthma", "Al"), ("Cold", "Otto")),
        people("c", 1990, ("Bronchitis", "Bosworth")),
        people("d", 1991, ("Bronchitis", "Beau")),
    ]
    cites = [{"id": key} for key in "abcd"]
    [text] = cite_all(givenname_style("all-names"), items, [(cites, None)])
    assert text == (
        "Asthma and C. Cold 1980; Asthma and O. Cold 1995; "
        "Bosworth Bronchitis 1990; Beau Bronchitis 1991"
    )
    [text] = cite_all(givenname_style("all-names-with-initials"), items, [(cites, None)])
    assert (
        text == "Asthma and C. Cold 1980; Asthma and O. Cold 1995; Bronchitis 1990; Bronchitis 1991"
    )
    [text] = cite_all(givenname_style("primary-name"), items, [(cites, None)])
    assert text == (
        "Asthma and Cold 1980; Asthma and Cold 1995; Bosworth Bronchitis 1990; Beau Bronchitis 1991"
    )


def test_periods_in_given_names_separate_initials() -> None:
    # "M.A." is two initials, "MA" one (as initialised): two people, as in
    # citeproc-js's name registry ("M. A. Frutos" and "M. Frutos")
    items = [
        people("a", 2002, ("Frutos", "M.A."), ("Ruiz", "P.")),
        people("b", 2003, ("Frutos", "MA"), ("Suarez", "MA")),
    ]
    cites = [{"id": key} for key in "ab"]
    [text] = cite_all(givenname_style("primary-name-with-initials"), items, [(cites, None)])
    assert text == "M. A. Frutos and Ruiz 2002; M. Frutos and Suarez 2003"


def test_names_the_bibliography_sorts_by_count_for_global_rules() -> None:
    # citeproc-js registers the names its bibliography sort keys render: the
    # editor Sean Healy makes the author Kieran Healy ambiguous in citations
    csl = style(
        """<macro name="source"><names variable="editor"><name/></names></macro>
        <macro name="author"><names variable="author"><name/></names></macro>
        <citation disambiguate-add-givenname="true" givenname-disambiguation-rule="primary-name">
        <layout delimiter="; "><group delimiter=" ">
        <names variable="author"><name form="short" initialize-with=". "/></names>
        <date variable="issued"><date-part name="year"/></date></group></layout></citation>""",
        """<bibliography><sort><key macro="author"/><key macro="source"/></sort>
        <layout><text macro="author"/></layout></bibliography>""",
    )
    items = [people("a", 2000, ("Healy", "Kieran")), people("b", 1998, ("Roe", "Jane"))]
    items[1]["editor"] = [{"family": "Healy", "given": "Sean"}]
    cites = [{"id": key} for key in "ab"]
    assert cite_all(csl, items, [(cites, None)]) == ["K. Healy 2000; Roe 1998"]


def test_by_cite_expands_only_where_it_disambiguates() -> None:
    items = [
        people("a", 1980, ("Smith", "John")),
        people("b", 1980, ("Smith", "Jane")),
        people("c", 1980, ("Smith", "Adam")),
        people("d", 1980, ("Roe", "Al")),
        people("e", 1980, ("Roe", "Al")),
        people("f", 1990, ("Smith", "Zed")),
    ]
    cites = [{"id": key} for key in "abcdef"]
    [text] = cite_all(givenname_style("by-cite"), items, [(cites, None)])
    assert text == (
        "John Smith 1980; Jane Smith 1980; A. Smith 1980; Roe 1980; Roe 1980; Smith 1990"
    )


def test_added_names_are_expanded_when_that_disambiguates() -> None:
    csl = style(
        """<citation et-al-min="3" et-al-use-first="1" disambiguate-add-names="true"
        disambiguate-add-givenname="true"><layout delimiter="; ">
        <names variable="author"><name initialize-with=". " delimiter=", "/></names>
        </layout></citation>"""
    )
    items = [
        people("a", 1990, ("Asthma", "Albert"), ("Bronchitis", "Brandon"), ("Cold", "Cy")),
        people("b", 1990, ("Asthma", "Albert"), ("Bronchitis", "Biff"), ("Cold", "Curt")),
    ]
    [text] = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}], None)])
    assert text == "A. Asthma, Brandon Bronchitis, et al.; A. Asthma, Biff Bronchitis, et al."


def test_by_cite_tries_the_given_name_before_adding_a_name() -> None:
    # citeproc-js: with both options and the by-cite rule, a shown name's
    # given name is expanded before the next name is added
    csl = style(
        """<citation et-al-min="3" et-al-use-first="1" disambiguate-add-names="true"
        disambiguate-add-givenname="true"><layout delimiter="; ">
        <names variable="author"><name form="short" initialize-with=". " delimiter=", "/>
        </names></layout></citation>"""
    )
    items = [
        people("a", 1990, ("Calhoun", "Craig"), ("Meyer", "M."), ("Roe", "R.")),
        people("b", 1991, ("Calhoun", "Craig J."), ("Gerteis", "J."), ("Moody", "J.")),
    ]
    [text] = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}], None)])
    assert text == "C. Calhoun et al.; C. J. Calhoun et al."


def test_cite_group_delimiter_groups_cites_by_author() -> None:
    csl = style(
        """<citation cite-group-delimiter=", "><sort><key variable="issued"/></sort>
        <layout delimiter="; "><group delimiter=" ">
        <names variable="author"><name form="short"/></names>
        <date variable="issued"><date-part name="year"/></date></group></layout></citation>"""
    )
    items = [book("a", "Aalto", 2000), book("b", "Banda", 1999), book("c", "Aalto", 2001)]
    [text] = cite_all(csl, items, [([{"id": "a"}, {"id": "b"}, {"id": "c"}], None)])
    assert text == "Banda 1999; Aalto 2000, Aalto 2001"
    collapsing = style(
        AUTHOR_DATE.format(extra='collapse="year"').replace(
            "<layout", '<sort><key variable="issued"/></sort><layout'
        )
    )
    items = [book("a", "Smith", 2003), book("b", "Jones", 2005), book("c", "Smith", 2010)]
    [text] = cite_all(collapsing, items, [([{"id": "a"}, {"id": "b"}, {"id": "c"}], None)])
    assert text == "(Smith 2003, 2010; Jones 2005)"


CITATIONS_FIXTURE = """>>===== MODE =====>>
citation
<<===== MODE =====<<
>>===== RESULT =====>>
<<===== RESULT =====<<
>>===== CSL =====>>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0"/>
<<===== CSL =====<<
>>===== INPUT =====>>
[{"id": "A", "type": "book"}, {"id": "B", "type": "book"}, {"id": "C", "type": "book"}]
<<===== INPUT =====<<
>>===== CITATIONS =====>>
[
 [{"citationID": "C1", "citationItems": [{"id": "A"}], "properties": {"noteIndex": 1}}, [], []],
 [{"citationID": "C2", "citationItems": [{"id": "B"}], "properties": {"noteIndex": 2}},
  [["C1", 1]], []],
 [{"citationID": "C3", "citationItems": [{"id": "A"}], "properties": {"noteIndex": 3}},
  [["C1", 1], ["C2", 2]], []],
 [{"citationID": "C4", "citationItems": [{"id": "C"}], "properties": {"noteIndex": 1}},
  [], [["C1", 2], ["C2", 3], ["C3", 4]]]
]
<<===== CITATIONS =====<<
"""


def test_citation_calls_report_citations_as_process_citation_cluster_does() -> None:
    fixture = parse_fixture(CITATIONS_FIXTURE, name="integration_Sketch")

    def render(document: Sequence[Any]) -> list[str]:
        return [cluster.citation_id for cluster in document]  # texts never change

    # C4 is new; C3's first-reference-note-number went from 1 to 2, which
    # makes citeproc-js re-render every citation of item A (C1 too); C2
    # cites another item and keeps its position: it is not reported.
    assert render_citation_calls(fixture, render).splitlines() == [
        ">>[0] C4",
        ">>[1] C1",
        "..[2] C2",
        ">>[3] C3",
    ]


def test_cite_positions_follow_citeproc_js() -> None:
    fixture = parse_fixture(CITATIONS_FIXTURE, name="integration_Sketch")
    from citekit.conformance import document_states

    final = document_states(fixture)[-1]
    positions = cite_positions(final)
    assert positions["C3"] == [("A", SUBSEQUENT, 2, True)]
    assert positions["C1"] == [("A", FIRST, 0, False)]


def test_ambiguity_is_judged_on_the_subsequent_form() -> None:
    csl = style(
        """<citation disambiguate-add-givenname="false"><layout delimiter="; ">
        <choose><if position="first"><group delimiter=", ">
          <names variable="author"><name/></names><text variable="title"/></group></if>
        <else-if disambiguate="true"><group delimiter=", ">
          <names variable="author"><name form="short"/></names><text variable="title"/></group>
        </else-if>
        <else><names variable="author"><name form="short"/></names></else></choose>
        </layout></citation>""",
        cls="note",
    )
    items = [book("a", "Doe", 2000, "Alpha"), book("b", "Doe", 2001, "Beta"), book("c", "Roe", 1)]
    clusters = [([{"id": key}], note) for note, key in enumerate("abcabc", start=1)]
    assert cite_all(csl, items, clusters) == [
        "J Doe, Alpha",
        "J Doe, Beta",
        "J Roe, T",
        "Doe, Alpha",
        "Doe, Beta",
        "Roe",
    ]


def test_subsequent_author_substitute_follows_the_substituted_variable() -> None:
    # MLA's author macro is <names variable="composer"> with author in its
    # cs:substitute: the names compared are the authors actually shown.
    import citekit

    library = citekit.loads(
        """
@book{a, author={Smith, John}, title={One}, year=2000, publisher={P}}
@book{b, author={Smith, John}, title={Two}, year=2001, publisher={P}}
@book{c, author={Jones, Mary}, title={Three}, year=2002, publisher={P}}
@book{d, author={{World Health Organization}}, title={Four}, year=2003, publisher={P}}
""",
        "bibtex",
    )
    csl = citekit.formatter("csl", style="modern-language-association", output="text")
    assert [str(e) for e in csl.bibliography(library)] == [
        "Jones, Mary. Three. P, 2002.",
        "Smith, John. One. P, 2000.",
        "———. Two. P, 2001.",
        "World Health Organization. Four. P, 2003.",
    ]


def test_is_numeric_sees_the_locator_and_ranges() -> None:
    from citekit.csl.elements.citations import is_numeric_text
    from citekit.formatters.csl import Cite

    assert all(is_numeric_text(t) for t in ["4", "2nd", "L2", "2-4", "2, 3", "2 & 4", "12–15"])
    # (lower case roman numerals are numeric for citeproc-js: "xi", not "XI")
    assert is_numeric_text("xi")
    assert not any(is_numeric_text(t) for t in ["XI", "four", "2-B-x", "", "A-"])
    # chicago-author-date labels a locator that is numeric ("chap. 4").
    import citekit

    library = citekit.load(Path(__file__).resolve().parents[1] / "examples/serge/serge.bib")
    csl = citekit.formatter("csl", style="chicago-author-date")
    document = csl.document(library, [Cite("davies1941", "chap. 4"), Cite("burnham1945", "xi")])
    assert document.citations == ("(Davies 1941, chap. 4)", "(Burnham 1945, xi)")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # what citeproc-js prints for a book, a chapter without a title, a report
        ('match="all" type="book chapter"', ["Y", "Y", "N"]),
        ('type="book chapter"', ["Y", "Y", "N"]),
        ('match="any" type="book chapter"', ["Y", "Y", "N"]),
        ('match="none" type="book chapter"', ["N", "N", "Y"]),
        ('match="all" type="book chapter" variable="title"', ["Y", "N", "N"]),
        ('match="any" type="book chapter" variable="title"', ["Y", "Y", "Y"]),
        ('match="none" type="book chapter" variable="title"', ["N", "N", "N"]),
        ('match="all" type="book" variable="title author"', ["N", "N", "N"]),
        ('match="all" type="book chapter" is-numeric="title"', ["N", "N", "N"]),
    ],
)
def test_several_types_are_one_test_whatever_the_match(condition: str, expected: list[str]) -> None:
    # CSL 1.0.2: a type condition holds when the item is of any of its types.
    csl = style(
        f"""<citation><layout><choose><if {condition}><text value="Y"/></if>
        <else><text value="N"/></else></choose></layout></citation>"""
    )
    items = [
        {"id": "a", "type": "book", "title": "T"},
        {"id": "b", "type": "chapter"},
        {"id": "c", "type": "report", "title": "T"},
    ]
    clusters = [([{"id": item["id"]}], None) for item in items]
    assert cite_all(csl, items, clusters) == expected


NUMBERED = """<macro name="number"><text variable="citation-number"/></macro>
<citation><sort><key variable="citation-number"/></sort>
  <layout delimiter="; "><group delimiter=" ">
    <text variable="citation-number" prefix="[" suffix="]"/><text variable="title"/>
  </group></layout></citation>
<bibliography><sort>{keys}</sort><layout>
  <text variable="citation-number" prefix="[" suffix="] "/><text variable="title"/>
</layout></bibliography>"""


@pytest.mark.parametrize(
    ("keys", "citation", "entries"),
    [
        # citeproc-js's output, items first cited in the order A, B, Z, X
        (
            '<key variable="citation-number" sort="descending"/>',
            "[1] A; [2] B; [3] Z; [4] X",
            ["[4] X", "[3] Z", "[2] B", "[1] A"],
        ),
        (
            '<key variable="title"/><key variable="citation-number" sort="descending"/>',
            "[1] Z; [2] X; [3] B; [4] A",
            ["[4] A", "[3] B", "[2] X", "[1] Z"],
        ),
        (
            '<key variable="title"/><key macro="number" sort="descending"/>',
            "[1] Z; [2] X; [3] B; [4] A",
            ["[4] A", "[3] B", "[2] X", "[1] Z"],
        ),
        (
            '<key variable="title" sort="descending"/>',
            "[1] Z; [2] X; [3] B; [4] A",
            ["[1] Z", "[2] X", "[3] B", "[4] A"],
        ),
        ("", "[1] A; [2] B; [3] Z; [4] X", ["[1] A", "[2] B", "[3] Z", "[4] X"]),
    ],
)
def test_citation_numbers_count_down_when_sorted_descending(
    keys: str, citation: str, entries: list[str]
) -> None:
    csl = style(NUMBERED.format(keys=keys))  # (macro, citation and bibliography)
    items = [{"id": title, "type": "book", "title": title} for title in "ABZX"]
    processor = Processor(csl, items)
    clusters = [processor.citation([{"id": title}]) for title in "ABZX"]
    for cluster in clusters:
        processor.register(cluster)
    processor.sort()
    everything = processor.citation([{"id": title} for title in "ABZX"])
    processor.register(everything)
    assert processor.cite(everything) == citation
    assert [text.strip() for _, text in processor.bibliography()] == entries


def test_number_variables_sort_by_their_first_number() -> None:
    # citeproc-js's order for these volumes; a value with no number comes last
    csl = style(
        """<citation><sort><key variable="volume"/></sort>
        <layout delimiter="|"><text variable="volume"/></layout></citation>"""
    )
    volumes = ["12", "11 - 20", "10", "2", "1", "3a", "iv", "x 5", "5x", "2.5", "1,000"]
    items = [{"id": str(i), "type": "book", "volume": v} for i, v in enumerate(volumes)]
    [text] = cite_all(csl, items, [([{"id": item["id"]} for item in items], None)])
    assert text == "1|1,000|2|2.5|3a|x 5|5x|10|11–20|12|iv"


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        # citeproc-js: a suffix ending with a full stop or a comma takes the
        # punctuation of the delimiter after it, not its space
        (" x.", "A x. See B"),
        (" x,", "A x, See B"),
        (" x!", "A x!; See B"),
        (" x:", "A x:; See B"),
        (" x", "A x; See B"),
        (" x. ", "A x. ; See B"),
    ],
)
def test_a_suffix_ending_a_sentence_takes_the_delimiters_punctuation(
    suffix: str, expected: str
) -> None:
    csl = style('<citation><layout delimiter="; "><text variable="title"/></layout></citation>')
    items = [{"id": "a", "type": "book", "title": "A"}, {"id": "b", "type": "book", "title": "B"}]
    cluster = [{"id": "a", "suffix": suffix}, {"id": "b", "prefix": "See "}]
    assert cite_all(csl, items, [(cluster, None)]) == [expected]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        # citeproc-js: a prefix of several words ending a sentence capitalises
        # the term after it; one word ("e.g.", "Hi!") may be an abbreviation
        ("Caps after. ", "Caps after. Ibid."),
        ("Nocapsafter. ", "Nocapsafter. ibid."),
        ("e.g. ", "e.g. ibid."),
        ("Hi! ", "Hi! ibid."),
        ("(See.) ", "(See.) ibid."),
    ],
)
def test_a_term_after_a_prefix_is_capitalised_after_a_sentence(prefix: str, expected: str) -> None:
    csl = style(
        """<citation><layout><choose><if position="ibid"><text term="ibid"/></if>
        <else><text variable="title"/></else></choose></layout></citation>""",
        cls="note",
    )
    items = [{"id": "a", "type": "book", "title": "Book A"}]
    clusters = [([{"id": "a"}], 1), ([{"id": "a", "prefix": prefix}], 2)]
    assert cite_all(csl, items, clusters)[1] == expected


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        (
            '<text variable="citation-number" suffix=". "/><text variable="title" suffix=". "/>',
            '\n    <div class="csl-left-margin">1. </div>'
            '<div class="csl-right-inline">T.</div>\n   ',
        ),
        (  # one space goes out; a second stays
            '<text variable="citation-number" suffix=". "/><text variable="title" suffix=".  "/>',
            '\n    <div class="csl-left-margin">1. </div>'
            '<div class="csl-right-inline">T. </div>\n   ',
        ),
        (  # an entry of the first field alone
            '<text variable="citation-number" suffix=". "/>',
            '\n    <div class="csl-left-margin">1.</div> ',
        ),
        (
            '<text variable="citation-number" suffix="." display="left-margin"/>'
            '<text variable="title" suffix=". " display="block"/>',
            '\n    <div class="csl-left-margin">1.</div>\n\n    <div class="csl-block">T.</div>\n ',
        ),
    ],
)
def test_a_space_ending_an_entry_in_divs_goes_after_the_last_div(
    layout: str, expected: str
) -> None:
    # as citeproc-js lays the entry out
    align = "" if "display" in layout else ' second-field-align="flush"'
    csl = style(
        "<citation><layout><text variable='title'/></layout></citation>",
        f"<bibliography{align}><layout>{layout}</layout></bibliography>",
    )
    processor = Processor(csl, [{"id": "a", "type": "book", "title": "T"}])
    processor.register(processor.citation([{"id": "a"}]))
    [(_, entry)] = processor.bibliography()
    assert entry == expected


@pytest.mark.parametrize(
    ("authors", "label"),
    [
        # citeproc-js's citation-label for these authors, issued 2008
        ([{"family": "SMITH"}, {"family": "jones"}, {"family": "Brown"}], "SmJB08"),
        ([{"family": n} for n in ("Smith", "Jones", "Brown", "White", "Black")], "SJBW08"),
        ([{"family": "De Souza"}, {"family": "McDonald"}], "DeMc08"),
        ([{"family": "O'Brien"}], "Obri08"),
        ([{"family": "Li"}], "Li08"),
        ([{"family": "The"}], "The08"),
        ([{"literal": "UNESCO"}], "Unes08"),
        ([{"family": "The ATLAS Collaboration"}], "Atla08"),
        ([{"literal": "The Big Company"}], "Bigc08"),
        ([{"family": "The ATLAS"}, {"family": "Aad"}], "AtAa08"),
    ],
)
def test_the_citation_label_is_made_as_citeproc_js_makes_it(
    authors: list[dict[str, str]], label: str
) -> None:
    csl = style('<citation><layout><text variable="citation-label"/></layout></citation>')
    item = {"id": "a", "type": "book", "author": authors, "issued": {"date-parts": [[2008]]}}
    assert cite_all(csl, [item], [([{"id": "a"}], None)]) == [label]


def test_the_bibliography_sorts_by_the_made_citation_label() -> None:
    # as citeproc-js: the label is made before the bibliography is sorted;
    # the year suffixes then follow the order of the entries
    csl = style(
        '<citation disambiguate-add-year-suffix="true"><layout>'
        '<text variable="citation-label"/></layout></citation>',
        '<bibliography><sort><key variable="citation-label"/></sort><layout>'
        '<text variable="citation-label"/><text variable="title" prefix=" "/></layout>'
        "</bibliography>",
    )
    items = [book("a", "Roe", 1978, "A"), book("b", "Doe", 1965, "B"), book("c", "Roe", 1978, "C")]
    processor = Processor(csl, items)
    processor.register(processor.citation([{"id": "a"}, {"id": "b"}, {"id": "c"}]))
    processor.sort()
    assert [entry for _, entry in processor.bibliography()] == ["Doe65 B", "Roe78a A", "Roe78b C"]


@pytest.mark.parametrize(
    ("cites", "expected"),
    [
        # citeproc-js's output: an author-only cite makes the citation that
        # author alone, without the layout's parentheses
        ([{"id": "a", "author-only": True}], "John Smith"),
        ([{"id": "c", "author-only": True}], "Book C"),  # (its substitute)
        # (citeproc-js prints "2004": the rest of the cite when it has no names)
        ([{"id": "d", "author-only": True}], ""),
        ([{"id": "a", "author-only": True}, {"id": "c"}], "John Smith"),
        ([{"id": "c"}, {"id": "a", "author-only": True}], "John Smith"),
        ([{"id": "a", "author-only": True, "locator": "5"}], "John Smith"),
        ([{"id": "a", "suppress-author": True}], "(2001)"),
    ],
)
def test_an_author_only_cite_prints_the_author_alone(
    cites: list[dict[str, Any]], expected: str
) -> None:
    csl = style(
        """<citation><layout prefix="(" suffix=")" delimiter="; "><group delimiter=", ">
        <names variable="author"><name/><substitute><text variable="title"/></substitute></names>
        <date variable="issued"><date-part name="year"/></date></group></layout></citation>"""
    )
    items = [
        {
            "id": "a",
            "type": "book",
            "author": [{"family": "Smith", "given": "John"}],
            "issued": {"date-parts": [[2001]]},
            "title": "Book A",
        },
        {"id": "c", "type": "book", "title": "Book C", "issued": {"date-parts": [[2003]]}},
        {"id": "d", "type": "book", "issued": {"date-parts": [[2004]]}},
    ]
    assert cite_all(csl, items, [(cites, None)]) == [expected]


def test_suppress_author_leaves_the_style_as_it_is() -> None:
    # the author is left out as if the style had no such element: the groups
    # that held it (in a macro, and around the macro's call) are judged as
    # groups of the constant alone, so they show
    csl = style(
        """<macro name="author-says"><group delimiter=" ">
             <names variable="author"><name form="short"/></names>
             <text value="says"/></group></macro>
        <citation><layout delimiter="; ">
          <group prefix="&lt;" suffix="&gt;"><text macro="author-says"/></group>
          <group prefix=" (" suffix=")"><date variable="issued"><date-part name="year"/></date>
          </group></layout></citation>"""
    )
    tree = etree.tostring(csl.root)
    items = [book("a", "Doe", 2000)]
    clusters = [([{"id": "a", "suppress-author": True}], None), ([{"id": "a"}], None)]
    assert cite_all(csl, items, clusters) == ["&#60;says&#62; (2000)", "&#60;Doe says&#62; (2000)"]
    assert etree.tostring(csl.root) == tree
