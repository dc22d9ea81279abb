"""CSL rendering at the edges: cites and entries a style prints as nothing, and others."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from citekit.csl import passes
from citekit.csl.elements.citations import NO_PRINTED_FORM
from citekit.csl.engine import Processor
from csl_styles import style


def cite(
    csl: Any, items: list[dict[str, Any]], *clusters: Sequence[Mapping[str, Any]]
) -> list[str]:
    processor = Processor(csl, items, postprocess=passes.postprocess)
    citations = [
        processor.citation(list(cites), citation_id=f"C{n}") for n, cites in enumerate(clusters)
    ]
    for citation in citations:
        processor.register(citation)
    processor.sort()
    return [processor.cite(citation) for citation in citations]


TITLE_CITATION = """<citation><layout prefix="(" suffix=")" delimiter="; ">
  <text variable="title"/></layout></citation>"""

UNTITLED = [
    {"id": "a", "type": "book", "title": "Alpha"},
    {"id": "b", "type": "book"},
    {"id": "c", "type": "book", "title": "Gamma"},
]


def test_a_first_cite_printing_nothing_says_so() -> None:
    csl = style(TITLE_CITATION)
    assert cite(csl, UNTITLED, [{"id": "b"}], [{"id": "b"}, {"id": "a"}]) == [
        f"({NO_PRINTED_FORM})",
        f"({NO_PRINTED_FORM}; Alpha)",
    ]


def test_a_later_cite_printing_nothing_is_left_out() -> None:
    csl = style(TITLE_CITATION)
    assert cite(csl, UNTITLED, [{"id": "a"}, {"id": "b"}, {"id": "c"}]) == ["(Alpha; Gamma)"]


def test_a_cite_with_a_prefix_is_not_reported() -> None:
    csl = style(TITLE_CITATION)
    assert NO_PRINTED_FORM not in cite(csl, UNTITLED, [{"id": "b", "prefix": "see "}])[0]


NUMBERED = """<citation><layout><text variable="citation-number"/></layout></citation>"""
TITLED = """<citation><layout><text variable="title"/></layout></citation>"""
LETTERS_LEFT_OUT = """<bibliography><layout><choose>
  <if type="personal_communication" match="none"><group delimiter=". ">
    <text variable="citation-number"/><text variable="title"/></group></if>
  </choose></layout></bibliography>"""


def bibliography(csl: Any, items: list[dict[str, Any]]) -> list[str]:
    processor = Processor(csl, items)
    processor.register(processor.citation([{"id": item["id"]} for item in items]))
    processor.sort()
    return [text for _, text in processor.bibliography()]


ITEMS = [
    {"id": "a", "type": "book", "title": "One"},
    {"id": "b", "type": "personal_communication", "title": "Letter"},
    {"id": "c", "type": "book", "title": "Two"},
]


def test_a_numeric_style_keeps_the_number_of_an_entry_printing_nothing() -> None:
    csl = style(NUMBERED, LETTERS_LEFT_OUT)
    assert bibliography(csl, ITEMS) == ["1. One", f"2. {NO_PRINTED_FORM}", "3. Two"]


def test_a_numeric_style_through_a_macro_in_a_branch() -> None:
    csl = style(
        """<macro name="number"><text variable="citation-number"/></macro>
        <citation><layout><choose><if type="book"><text macro="number"/></if>
        <else><text variable="title"/></else></choose></layout></citation>""",
        LETTERS_LEFT_OUT,
    )
    assert bibliography(csl, ITEMS)[1] == f"2. {NO_PRINTED_FORM}"


def test_other_styles_leave_the_entry_empty() -> None:
    csl = style(TITLED, LETTERS_LEFT_OUT)
    assert bibliography(csl, ITEMS) == ["1. One", "3. Two"]


YEAR_SUFFIX_CITATION = """<citation disambiguate-add-year-suffix="true">
  <layout prefix="(" suffix=")" delimiter="; "><group delimiter=" ">
    <names variable="author"><name/></names>
    <choose><if variable="issued"><date variable="issued" date-parts="year" form="text"/></if>
      <else><text term="no date" form="short"/></else></choose>
    <text variable="year-suffix"/>
    <date variable="accessed" form="text" prefix="[" suffix="]"/>
  </group></layout></citation>"""


def read_on(key: str, year: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": key,
        "type": "webpage",
        "author": [{"family": "Doe", "given": "John"}],
        "accessed": {"date-parts": [[year, 6, 1]]},
        **fields,
    }


def test_works_told_apart_only_by_when_they_were_read_get_year_suffixes() -> None:
    csl = style(YEAR_SUFFIX_CITATION)
    items = [read_on("a", 1965), read_on("b", 2065)]
    assert cite(csl, items, [{"id": "a"}, {"id": "b"}]) == [
        "(John Doe n.d. a [June 1, 1965]; John Doe n.d. b [June 1, 2065])"
    ]


def test_works_told_apart_by_another_date_get_none() -> None:
    csl = style(YEAR_SUFFIX_CITATION)
    items = [
        read_on("a", 1965, issued={"date-parts": [[1999]]}),
        read_on("b", 2065, issued={"date-parts": [[2000]]}),
    ]
    assert cite(csl, items, [{"id": "a"}, {"id": "b"}]) == [
        "(John Doe 1999 [June 1, 1965]; John Doe 2000 [June 1, 2065])"
    ]


def label_of(names: str, variable: str, count: int = 1) -> str:
    csl = style(f"<citation><layout>{names}</layout></citation>")
    people = [{"family": f"Doe{n}", "given": "J"} for n in range(count)]
    [text] = cite(csl, [{"id": "a", "type": "book", variable: people}], [{"id": "a"}])
    return text


def test_a_label_form_no_locale_has_falls_back_to_the_next() -> None:
    # reviewed-author has a "verb" form only; "symbol" falls back to "short"
    verb_short = (
        '<names variable="reviewed-author"><label form="verb-short" suffix=" "/><name/></names>'
    )
    assert label_of(verb_short, "reviewed-author") == "by J Doe0"
    symbol = '<names variable="director"><label form="symbol" suffix=" "/><name/></names>'
    assert label_of(symbol, "director") == "dir. J Doe0"
    assert label_of(symbol, "director", 2) == "dirs. J Doe0, J Doe1"


def test_a_label_form_a_locale_gives_as_empty_stays_empty() -> None:
    short = '<names variable="reviewed-author"><name/><label form="short" prefix=", "/></names>'
    assert label_of(short, "reviewed-author") == "J Doe0"


def test_a_date_a_substitute_renders_through_a_macro_is_not_repeated() -> None:
    csl = style(
        """<macro name="title"><text variable="title" suffix=", "/>
        <date variable="issued" date-parts="year" form="text"/></macro>
        <citation><layout><group delimiter=" "><names variable="author"><name/>
        <substitute><text macro="title"/></substitute></names>
        <date variable="issued" prefix="[" suffix="]"><date-part name="month"/></date>
        <date variable="accessed" form="text" date-parts="year"/></group></layout></citation>"""
    )
    item = {
        "id": "a",
        "type": "legislation",
        "title": "Act",
        "issued": {"date-parts": [[1992, 3, 23]]},
        "accessed": {"date-parts": [[2017, 8, 29]]},
    }
    assert cite(csl, [item], [{"id": "a"}]) == ["Act, 1992 2017"]
    with_author = item | {"author": [{"family": "Doe", "given": "J"}]}
    assert cite(csl, [with_author], [{"id": "a"}]) == ["J Doe [March] 2017"]


LOCATOR_CITATION = """<citation><layout><group delimiter=" ">
  <label variable="locator" form="short"/><text variable="locator" suffix="."/>
  </group></layout></citation>"""


def test_quotes_in_a_locator_are_the_locales_with_the_period_inside() -> None:
    csl = style(LOCATOR_CITATION)
    items = [{"id": "a", "type": "book", "title": "T"}]
    cites = [
        [{"id": "a", "label": "sub verbo", "locator": '"gargoyle"'}],
        [{"id": "a", "label": "sub-verbo", "locator": "'gargoyle'"}],
        [{"id": "a", "label": "page", "locator": '"x" 5'}],
    ]
    assert cite(csl, items, *cites) == [
        "s.v. \u201cgargoyle.\u201d",
        "s.v. \u201cgargoyle.\u201d",
        "p. \u201cx\u201d 5.",
    ]


def test_quotes_in_a_locator_list_are_kept_as_written() -> None:
    csl = style(LOCATOR_CITATION)
    items = [{"id": "a", "type": "book", "title": "T"}]
    [text] = cite(csl, items, [{"id": "a", "label": "page", "locator": '"a, b" 3-5'}])
    assert text == 'p. "a, b" 3-5.'


def collapsed(mode: str, *cites: tuple[str, str | None]) -> str:
    csl = style(
        f"""<citation collapse="{mode}" after-collapse-delimiter="; ">
        <layout prefix="(" suffix=")" delimiter=", "><group delimiter=" ">
        <names variable="author"><name form="short"/></names>
        <date variable="issued" date-parts="year" form="text"/><text variable="locator"/>
        </group></layout></citation>"""
    )
    works = {"d0": ("Doe", 2000), "d1": ("Doe", 2001), "r2": ("Roe", 2002), "p3": ("Poe", 2003)}
    items = [
        {
            "id": key,
            "type": "book",
            "author": [{"family": family, "given": "J"}],
            "issued": {"date-parts": [[year]]},
        }
        for key, (family, year) in works.items()
    ]
    [text] = cite(
        csl, items, [{"id": key, **({"locator": loc} if loc else {})} for key, loc in cites]
    )
    return text


def test_after_collapse_delimiter_follows_cites_that_collapsed_with_none() -> None:
    cites = (("d0", None), ("d1", None), ("r2", None), ("p3", None))
    assert collapsed("year", *cites) == "(Doe 2000, 2001; Roe 2002; Poe 2003)"
    assert collapsed("year-suffix-ranged", ("r2", None), ("p3", None)) == "(Roe 2002; Poe 2003)"


def test_with_year_suffix_only_a_locator_or_a_collapse_brings_it() -> None:
    cites = (("d0", None), ("d1", None), ("r2", None), ("p3", None))
    assert collapsed("year-suffix", *cites) == "(Doe 2000, 2001; Roe 2002, Poe 2003)"
    assert collapsed("year-suffix", ("r2", "4"), ("p3", None)) == "(Roe 2002 4; Poe 2003)"


def shown(body: str, macros: str = "") -> list[str]:
    csl = style(
        f"""<macro name="value"><text value="[m]"/></macro>{macros}
        <macro name="body">{body}</macro>
        <citation><layout><text macro="body"/></layout></citation>"""
    )
    return cite(csl, [{"id": "a", "type": "book", "title": "T"}], [{"id": "a"}])


def test_a_macro_whose_only_names_are_empty_is_suppressed_as_a_group() -> None:
    body = '<text value="[s]"/><names variable="recipient"><name/></names><text value="[e]"/>'
    assert shown(body) == [f"{NO_PRINTED_FORM}"]
    assert shown(f"<group>{body}</group>") == [f"{NO_PRINTED_FORM}"]


def test_a_macro_that_renders_counts_for_the_group_around_it() -> None:
    body = '<names variable="recipient"><name/></names><text macro="value"/>'
    assert shown(body) == ["[m]"]
    assert shown(f"<group>{body}</group>") == ["[m]"]


def person(family: str) -> dict[str, str]:
    return {"family": family, "given": "J"}


def substituted(names: str, works: list[tuple[str, list[str]]], rule: str) -> list[str]:
    csl = style(
        TITLED,
        f"""<bibliography subsequent-author-substitute="---"
        subsequent-author-substitute-rule="{rule}"><layout><group delimiter=". ">
        {names}<text variable="title"/></group></layout></bibliography>""",
    )
    items = [
        {"id": title, "type": "book", "title": title, role: [person(f) for f in families]}
        for title, (role, *families) in ((t, w) for t, w in works)
    ]
    processor = Processor(csl, items, postprocess=passes.postprocess)
    processor.register(processor.citation([{"id": item["id"]} for item in items]))
    return [text for _, text in processor.bibliography()]


AUTHOR_OR_EDITOR = """<names variable="author"><name/><label form="short" prefix=", "/>
  <substitute><names variable="editor"/></substitute></names>"""


def test_complete_all_keeps_the_label_after_the_names() -> None:
    works = [("A", ["author", "Doe"]), ("B", ["editor", "Doe"]), ("C", ["editor", "Doe", "Roe"])]
    assert substituted(AUTHOR_OR_EDITOR, works, "complete-all") == [
        "J Doe. A",
        "---, ed. B",
        "J Doe, J Roe, eds. C",
    ]


def test_only_the_names_shown_are_compared() -> None:
    names = """<names variable="author"><name et-al-min="3" et-al-use-first="1"/></names>"""
    works = [
        ("A", ["author", "Doe", "Roe", "Poe"]),
        ("B", ["author", "Doe", "Xi", "Yu", "Zed"]),
        ("C", ["author", "Doe", "Roe"]),
    ]
    assert substituted(names, works, "complete-all") == [
        "J Doe et al. A",
        "---. B",
        "J Doe, J Roe. C",
    ]
