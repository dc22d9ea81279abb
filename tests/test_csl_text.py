"""Text, quotes, punctuation, text case and numbers in citekit's CSL layer."""

from __future__ import annotations

import html
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.csl import passes
from citekit.csl.elements.text import format_page_range, is_plural_number, join_outputs
from citekit.csl.engine import Processor, citeproc_style
from citekit.csl.styles import load_style

QUOTES_IN = passes.Quotes(punctuation_in_quote=True)


def final(text: str, quotes: passes.Quotes | None = None) -> str:
    """Field text through the rich-text reader and the final pass."""
    return passes.postprocess(passes.rich_text(text, quotes))


# Rich text in fields -----------------------------------------------------------


def test_html_in_fields_is_escaped() -> None:
    assert final("<script>alert(1)</script> & co") == (
        "&#60;script&#62;alert(1)&#60;/script&#62; &#38; co"
    )


@pytest.mark.parametrize(
    ("field", "html"),
    [
        ("a <i>b</i> c", "a <i>b</i> c"),
        ("<b>bold</b>", "<b>bold</b>"),
        ("H<sub>2</sub>O m<sup>2</sup>", "H<sub>2</sub>O m<sup>2</sup>"),
        ("<sc>Anon</sc>", '<span style="font-variant:small-caps;">Anon</span>'),
        ('<span class="nocase">iPhone</span>', "iPhone"),
        ("One</i> Two", "One&#60;/i&#62; Two"),
        ("<i>open only", "&#60;i&#62;open only"),
    ],
)
def test_rich_text_markup(field: str, html: str) -> None:
    assert final(field) == html


def test_nested_italics_flip_to_normal() -> None:
    assert final("<i>One <i>Two</i> Three</i>") == (
        '<i>One <span style="font-style:normal;">Two</span> Three</i>'
    )


def test_quotes_and_apostrophes_become_typographic_and_flip() -> None:
    # As in citeproc-js: of the straight quotes, the kind used first in the
    # field gives the outer marks, the other kind the inner ones; a quote
    # nested in another takes the other kind.
    assert final('Lenin\'s "Heir" and \'the "inner" one\'') == (
        "Lenin\u2019s \u201cHeir\u201d and \u2018the \u201cinner\u201d one\u2019"
    )
    assert final("'Heir' and \"the 'inner' one\"") == (
        "\u201cHeir\u201d and \u2018the \u201cinner\u201d one\u2019"
    )
    assert final('"the "inner" one"') == "\u201cthe \u2018inner\u2019 one\u201d"
    # typographic single quotes stay single at the top level
    assert final("\u2018Warning\u2019 signs") == "\u2018Warning\u2019 signs"
    # quotes pair only with their own kind: "\u2018x'" is not a quote
    assert final("of \u2018Theory'") == "of \u2018Theory\u2019"
    assert final("ETFA '09") == "ETFA \u201909"
    # a quote that closes nothing stays as written
    assert final('Nation of "Positive Obligations " of State') == (
        'Nation of "Positive Obligations " of State'
    )


# Punctuation --------------------------------------------------------------------


def test_doubled_punctuation_at_a_seam_collapses() -> None:
    title = passes.rich_text("Lenin's Heir?")
    assert passes.postprocess(title + ".") == "Lenin\u2019s Heir?"
    assert passes.postprocess(title + ". Pub") == "Lenin\u2019s Heir? Pub"
    assert passes.postprocess(passes.rich_text("A:") + "!") == "A!"


def test_punctuation_inside_one_field_is_kept() -> None:
    assert final("Wait... what?. Really?!") == "Wait... what?. Really?!"


def test_period_and_comma_move_inside_quotes_when_the_locale_asks() -> None:
    quoted = QUOTES_IN.open_tag() + "Title" + passes.QUOTE_CLOSE
    assert passes.postprocess(quoted + ", next") == "\u201cTitle,\u201d next"
    plain = passes.Quotes().open_tag() + "Title" + passes.QUOTE_CLOSE
    assert passes.postprocess(plain + ", next") == "\u201cTitle\u201d, next"
    question = QUOTES_IN.open_tag() + "Heir?" + passes.QUOTE_CLOSE
    assert passes.postprocess(question + ".") == "\u201cHeir?\u201d"


# Text case --------------------------------------------------------------------------


CASES = [
    ("out-of-fashion initiatives: a second story", "title",
     "Out-of-Fashion Initiatives: A Second Story"),
    ('a study of the UK and <span class="nocase">iPhone</span> use', "title",
     "A Study of the UK and iPhone Use"),
    ("john von Doe: an about up life", "title", "John von Doe: An about up Life"),
    ("saline solution of \u03b2-carotine", "title", "Saline Solution of \u03b2-Carotine"),
    ("a title in french", "title-fr", "a title in french"),
    ('This is a Pen that is a <span class="nocase">Smith</span> Pencil', "sentence",
     "This is a pen that is a Smith pencil"),
    ("the <i>fine</i> print", "capitalize-first", "The <i>fine</i> print"),
    ("the <i>fine</i> print", "capitalize-all", "The <i>Fine</i> Print"),
    ('a <span class="nocase">Smith</span> pen', "uppercase", "A Smith PEN"),
    ("the & sign", "uppercase", "THE &#38; SIGN"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "case", "expected"), CASES)
def test_text_case(text: str, case: str, expected: str) -> None:
    language = "fr" if case.endswith("-fr") else "en-US"
    html = passes.apply_case(passes.rich_text(text), case.removesuffix("-fr"), language)
    assert passes.postprocess(html) == expected


def test_uppercase_is_language_aware() -> None:
    assert passes.apply_case("ic", "uppercase", "tr") == "\u0130C"


def test_strip_periods_leaves_tags() -> None:
    assert passes.strip_periods('<span class="nocase">U.S.</span> A.B') == (
        '<span class="nocase">US</span> AB'
    )


# Numbers and page ranges ------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "form", "expected"),
    [
        ("321", "328", "chicago", "28"),
        ("1496", "1504", "chicago", "1504"),
        ("1496", "1504", "chicago-16", "504"),
        ("100", "104", "chicago", "104"),
        ("101", "108", "chicago", "8"),
        ("100", "4", "expanded", "104"),
        ("1100", "1123", "minimal", "23"),
        ("1100", "1123", "minimal-two", "23"),
        ("110", "5", None, "5"),
        # a range of one page is kept whole (citeproc-js)
        ("22", "22", "minimal", "22"),
        ("105", "105", "minimal-two", "105"),
        ("105", "105", "chicago", "105"),
        # so is one written short: its second number stays as written (citeproc-js)
        ("197", "97", "expanded", "97"),
        ("197", "97", "chicago", "97"),
        ("22", "2", "minimal-two", "2"),
        ("197", "98", "expanded", "198"),
        # a second number with more digits than the first: every digit, its
        # prefix dropped except when expanded (citeproc-js)
        ("B9", "B10", "minimal", "10"),
        ("E1", "E15", "chicago-16", "15"),
        ("E1", "E15", "expanded", "E15"),
        ("S12", "S14", "minimal", "4"),
    ],
)
def test_page_range_formats(first: str, last: str, form: str | None, expected: str) -> None:
    assert format_page_range(first, last, form) == expected


@pytest.mark.parametrize(
    ("value", "plural"),
    [
        *[("1-3", True), ("i\u2013ix", True), ("1, 2", True), ("1 and 2", True)],
        *[("2.0", False), ("3-B", False), ("327\\-30", False), ("12", False)],
    ],
)
def test_plural_numbers(value: str, plural: bool) -> None:
    assert is_plural_number(value) is plural


# Through a whole style ----------------------------------------------------------------

STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"
  page-range-format="chicago" default-locale="en-US">
  <info><id>test</id><title>test</title><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <layout suffix=".">
      <group delimiter=", ">
        <text variable="title" quotes="true"/>
        <group delimiter=" ">
          <label variable="page" form="short"/>
          <text variable="page"/>
        </group>
        <text variable="container-title" font-style="italic" text-case="title"/>
      </group>
    </layout>
  </bibliography>
</style>"""


def test_a_style_renders_escaped_typographic_output() -> None:
    items = [
        {
            "id": "serge1944",
            "type": "article-journal",
            "title": "Lenin's Heir? <script>x</script>",
            "page": "100-104",
            "container-title": "the <i>new</i> review",
        }
    ]
    processor = Processor(
        citeproc_style(load_style(STYLE.encode())), items, postprocess=passes.postprocess
    )
    processor.register(processor.citation([{"id": "serge1944"}]))
    [(key, entry)] = processor.bibliography()
    assert key == "serge1944"
    assert entry == (
        "\u201cLenin\u2019s Heir? &#60;script&#62;x&#60;/script&#62;,\u201d pp. 100\u2013104, "
        '<i>The <span style="font-style:normal;">New</span> Review</i>.'
    )


# Follow-ups: ordinals, superscripts, typography, implicit groups ------------------


def _cite_with(layout: str, item: dict[str, Any], *, head: str = "", locale: str = "") -> str:
    csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"
      {head}>
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      {locale}
      <citation><layout>{layout}</layout></citation>
    </style>"""
    processor = Processor.for_style(load_style(csl.encode()), [{"type": "book", **item}])
    citation = processor.citation([{"id": item["id"]}])
    processor.register(citation)
    return processor.cite(citation)


@pytest.mark.parametrize(
    ("number", "english"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
     (13, "13th"), (21, "21st"), (101, "101st"), (111, "111th")],
)  # fmt: skip
def test_english_ordinals(number: int, english: str) -> None:
    layout = '<number variable="edition" form="ordinal"/>'
    assert _cite_with(layout, {"id": "a", "edition": str(number)}) == english


def test_ordinals_take_the_gender_of_the_noun_and_superscripts_become_sup() -> None:
    layout = (
        '<group delimiter=", "><number variable="edition" form="ordinal"/>'
        '<number variable="issue" form="ordinal"/></group>'
    )
    # fr-FR: "édition" is feminine (1re), "numéro" masculine (1er)
    assert _cite_with(
        layout, {"id": "a", "edition": "1", "issue": "1"}, head='default-locale="fr-FR"'
    ) == ("1<sup>r</sup><sup>e</sup>, 1<sup>e</sup><sup>r</sup>")


def test_in_style_ordinal_terms_replace_the_locale_files() -> None:
    head = 'default-locale="en-US"'
    layout = (
        '<group delimiter=" "><number variable="edition" form="ordinal"/>'
        '<number variable="issue" form="long-ordinal"/></group>'
    )
    csl_locale = '<locale><terms><term name="ordinal">.</term></terms></locale>'
    item = {"id": "a", "edition": "2", "issue": "3"}
    assert _cite_with(layout, item, head=head, locale=csl_locale) == "2. third"
    assert _cite_with(layout, item, head=head) == "2nd third"


def test_superscript_characters_print_as_sup() -> None:
    assert passes.postprocess("1\u00aa 2\u00ba x\u2122") == (
        "1<sup>a</sup> 2<sup>o</sup> x<sup>TM</sup>"
    )
    assert passes.postprocess("<sup>\u00b2</sup>") == "<sup>2</sup>"


def test_french_spacing_and_apostrophes_in_fields() -> None:
    assert final("His \u00ab Anonymous \u00bb Life : yes ?") == (
        "His \u00ab\u202fAnonymous\u202f\u00bb Life\u202f: yes\u202f?"
    )
    assert final("l'''") == "l\u2019\u2019\u2019"
    assert final('It is ("<i>My Title</i>") now') == ("It is (\u201c<i>My Title</i>\u201d) now")


def test_title_case_particles_and_nodecor_text() -> None:
    assert passes.postprocess(
        passes.apply_case(passes.rich_text("annales du service de l'Égypte"), "title")
    ) == ("Annales Du Service de l\u2019Égypte")
    assert passes.postprocess(
        passes.apply_case(
            passes.rich_text('lessard <span class="nodecor">v.</span> schmidt'), "capitalize-all"
        )
    ) == ("Lessard v. Schmidt")


def test_a_macro_whose_variables_are_empty_renders_nothing() -> None:
    csl = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <macro name="container"><text term="in" suffix=" "/>
        <text variable="container-title" font-style="italic"/></macro>
      <citation><layout><group delimiter=", "><text variable="title"/>
        <text macro="container"/></group></layout></citation>
    </style>"""
    items = [
        {"id": "a", "type": "chapter", "title": "Life"},
        {"id": "b", "type": "chapter", "title": "Life", "container-title": "Works"},
    ]
    processor = Processor.for_style(load_style(csl.encode()), items)
    out = []
    for key in ("a", "b"):
        citation = processor.citation([{"id": key}])
        processor.register(citation)
        out.append(processor.cite(citation))
    assert out == ["Life", "Life, in <i>Works</i>"]


def test_number_variables_print_ranges_with_an_en_dash() -> None:
    layout = '<text variable="issue"/><text variable="volume" prefix=" "/>'
    assert _cite_with(layout, {"id": "a", "issue": "3-4", "volume": "3-B"}) == "3\u20134 3-B"


def test_standalone_label_of_an_empty_variable_renders_nothing() -> None:
    # chicago-author-date's edition macro has <label variable="edition"/> for
    # serial types: with no edition, no "Edition" may appear.
    import citekit

    library = citekit.loads(
        '[{"id": "p", "type": "post-weblog", "title": "T", "author": [{"literal": "B"}],'
        ' "issued": {"date-parts": [[2019]]}}]',
        "csljson",
    )
    csl = citekit.formatter("csl", style="chicago-author-date", output="text")
    assert [str(e) for e in csl.bibliography(library)] == ["B. 2019. T."]


# citekit's join of element outputs against citeproc-py's ----------------------------

_PIECES = st.text(alphabet=" .,;:!?ab<>", min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PIECES, min_size=1, max_size=6),
    st.sampled_from(["", " ", ", ", ". ", "; ", ".", "  "]),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_join_outputs_is_citeproc_pys_join(
    pieces: list[str], delimiter: str, kinds: list[bool]
) -> None:
    from citeproc.string import MixedString, String, join

    outputs = [String(p) if plain else p for p, plain in zip(pieces, kinds, strict=False)]
    ours = join_outputs(list(outputs), delimiter)
    theirs = join(list(outputs), delimiter)
    assert str(ours) == str(theirs)
    assert bool(ours) == bool(theirs)
    assert isinstance(ours, String) == isinstance(theirs, (String, MixedString))


def test_join_outputs_leaves_segment_lists_and_empty_outputs_to_citeproc() -> None:
    from citeproc.string import MixedString, NoCase, String, join

    for outputs in (
        [String(""), String(" a")],
        [MixedString([String(""), String(" b")]), String("c")],
        [NoCase("x"), String(" y")],
    ):
        assert type(join_outputs(list(outputs), " ")) is type(join(list(outputs), " "))
        assert str(join_outputs(list(outputs), " ")) == str(join(list(outputs), " "))


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        # citeproc-js's strip-periods: a period before a lowercase letter stays
        (
            "The X.Y.Z. of Cong. Rec. and OpenCongress.org",
            "The XYZ of Cong Rec and OpenCongress.org",
        ),
        ("U.S.A.", "USA"),
        ("e.g. this", "e.g this"),
        ("Mr. Smith.", "Mr Smith"),
        ("3.5 percent", "35 percent"),
        ("www.x.com.", "www.x.com"),
        ("J.R.R. Tolkien", "JRR Tolkien"),
        ("x.Y X.y x.5 5.x é.b x.)", "xY X.y x5 5.x é.b x)"),
    ],
)
def test_strip_periods_keeps_the_dots_inside_words(title: str, stripped: str) -> None:
    assert passes.strip_periods(passes.escape(title)) == passes.escape(stripped)


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        # CSL 1.0.2: verb-short falls back to verb, symbol to short (the en-US
        # locale has no verb-short "container-author", no symbol "page")
        ('<text term="container-author" form="verb-short"/>', "by"),
        ('<text term="page" form="symbol"/>', "p."),
        ('<text term="editor" form="symbol"/>', "ed."),
        ('<text term="section" form="symbol"/>', "§"),
        (
            '<names variable="container-author">'
            '<label form="verb-short" suffix=" " text-case="title"/><name/></names>',
            "By F. Nietz",
        ),
    ],
)
def test_a_term_form_no_locale_defines_falls_back(layout: str, expected: str) -> None:
    csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout>{layout}</layout></citation>
    </style>"""
    item = {"id": "a", "type": "book", "container-author": [{"family": "Nietz", "given": "F."}]}
    processor = Processor.for_style(load_style(csl.encode()), [item])
    citation = processor.citation([{"id": "a"}])
    processor.register(citation)
    assert html.unescape(processor.cite(citation)) == expected


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        # citeproc-js's output: a "?" that starts a field after a delimiter or
        # prefix ending in ":" keeps the ":"; after a suffix it takes its place
        ('<group delimiter=":"><text variable="title"/><text variable="page"/></group>', "T:??-??"),
        ('<text variable="title"/><text variable="page" prefix=":"/>', "T:??-??"),
        ('<group delimiter=";"><text variable="title"/><text variable="page"/></group>', "T;??-??"),
        ('<text variable="title" suffix=":"/><text variable="page"/>', "T??-??"),
        ('<group delimiter=":"><text variable="title"/><text value="B"/></group>', "T:B"),
    ],
)
def test_a_field_that_starts_with_a_question_mark_keeps_the_colon_before_it(
    layout: str, expected: str
) -> None:
    csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout>{layout}</layout></citation>
    </style>"""
    item = {"id": "a", "type": "book", "title": "T", "page": "??-??"}
    processor = Processor.for_style(load_style(csl.encode()), [item])
    citation = processor.citation([{"id": "a"}])
    processor.register(citation)
    assert html.unescape(processor.cite(citation)) == expected
