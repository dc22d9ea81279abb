"""citekit.check_quote: finding a quotation in its source and reporting differences.

The table below is the acceptance table of issue 4: each case is a quotation,
a source (plain text, Markdown or HTML) and the verdict expected, with the
kinds of difference the report must list.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import attrs
import pytest

import citekit
from citekit.quotes import (
    QuoteCheck,
    check_quote,
    format_for_path,
    guess_format,
    read_source,
    source_to_text,
)
from hang_guard import finishes
from oracles import needs, require, serge_page

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge" / "serge.yaml"

# Part of Serge's text as a printed book would give it: hard-wrapped, a word
# hyphenated at a line's end, a compound broken at its own hyphen, the
# translation's footnote marker [7] and typographic quotation marks.
SOURCE = """\
Lenin's Heir?

The republic of the Soviets defined itself as a “Commune-
State,” “dictatorship against the expropriated possessing classes and the
broadest workers’ democracy,” etc. Neither the doctrine nor the intentions
of the Bolshevik party aimed at the establishing of a totalitarian police
state with the most vast concentration camps in the world. The Bolshevik
party saw in the perils it confronted the excuse for its Jacobin methods. I
think it’s undeniable that its Jacobinism contained in germ Stalinist totali-
tarianism, but Bolshevism also contained other seeds, other possibilities of
evolution. The proof is in the struggles, the initiatives, and the final
sacrifice of its various oppositions.

From one page to another, like a leitmotiv, notes like this one reappear:
“The terror is here a horrifying fact” [7](April 1, 1938). The official
statistics of the party show that in 1936–1939 463,000 Communists were
expelled.
"""

JACOBIN = (
    "The Bolshevik party saw in the perils it confronted the excuse for its Jacobin"
    " methods. I think it’s undeniable that its Jacobinism contained in germ Stalinist"
    " totalitarianism, but Bolshevism also contained other seeds, other possibilities"
    " of evolution."
)
TERROR = "“The terror is here a horrifying fact” [7](April 1, 1938)."

# Another work's text: the quotation is not in it (a wrong attribution).
OTHER_SOURCE = """\
The managerial revolution is a theory of the transition from capitalist
society to a new form of society in which the managers, not the owners of
the means of production, hold power. Stalin is communism, the author says,
and the Soviet regime is its most developed example.
"""

HTML_SOURCE = """\
<!DOCTYPE html>
<html><head><title>Victor Serge</title>
<script>var teaser = "The Bolshevik party saw in the perils it confronted";</script>
<style>p { margin: 0 }</style></head>
<body><article><blockquote>
<p>The Bolshevik party saw in the <em>perils</em> it confronted the excuse for its
Jacobin methods. I think it&rsquo;s undeniable that its Jacobinism contained in germ
<strong>Stalinist</strong> totalitarianism, but Bolshevism also contained other seeds,
other possibilities of evolution.</p>
<p>&ldquo;The terror is here a horrifying fact&rdquo;<sup>7</sup> (April 1, 1938).</p>
</blockquote></article></body></html>
"""

HTML_DECOY = """\
<html><body><p>Nothing here.</p>
<script>var teaser = "The Bolshevik party saw in the perils it confronted the excuse for its
Jacobin methods.";</script></body></html>
"""

MARKDOWN_SOURCE = """\
# Victor Serge on *Stalinism*

> The Bolshevik party saw in the **perils** it confronted the excuse for its
> Jacobin methods. I think it's undeniable that its Jacobinism contained in
> germ _Stalinist_ totalitarianism, but Bolshevism also contained other seeds,
> other [possibilities](https://example.org/possibilities "a title") of evolution.
"""


@attrs.frozen
class Case:
    name: str
    quote: str
    source: str
    verdict: str
    kinds: frozenset[str] = frozenset()
    options: dict[str, object] = attrs.field(factory=dict)


def _case(
    name: str,
    quote: str,
    verdict: str,
    kinds: str = "",
    source: str = SOURCE,
    **options: object,
) -> Case:
    return Case(name, quote, source, verdict, frozenset(kinds.split()), options)


CASES = [
    _case("exact copy", JACOBIN, "exact"),
    _case(
        "reflowed lines",
        JACOBIN.replace(" the excuse", "\nthe excuse").replace(" other seeds", "\n\nother seeds"),
        "exact",
    ),
    _case("hyphenated at a line end in the source", "Stalinist totalitarianism, but", "exact"),
    _case(
        "compound broken at its hyphen",
        "a “Commune-State,” “dictatorship against the expropriated",
        "exact",
    ),
    _case(
        "hyphenated at a line end in the quotation",
        "in germ Stalinist totali-\ntarianism, but Bolshevism",
        "exact",
    ),
    _case(
        "straight quotes and apostrophes",
        'defined itself as a "Commune-State," "dictatorship against the expropriated'
        " possessing classes and the broadest workers' democracy,\" etc.",
        "exact",
    ),
    _case(
        "[...] elision",
        "The Bolshevik party saw in the perils it confronted the excuse for its Jacobin"
        " methods. [...] The proof is in the struggles",
        "exact",
    ),
    _case(
        "[…] elision",
        "Neither the doctrine nor the intentions of the Bolshevik party […] the excuse for"
        " its Jacobin methods.",
        "exact",
    ),
    _case(
        "… elision inside a sentence",
        "I think it’s undeniable that its Jacobinism contained … other possibilities of evolution.",
        "exact",
    ),
    _case(
        "... elision and a leading ellipsis",
        "... the perils it confronted the excuse... its Jacobinism contained in germ",
        "exact",
    ),
    _case(
        "a changed word",
        JACOBIN.replace("perils", "dangers"),
        "differences",
        "changed",
    ),
    _case(
        "a dropped sentence",
        JACOBIN.replace(
            " I think it’s undeniable that its Jacobinism contained in germ", ""
        ).replace("Stalinist totalitarianism, but Bolshevism also", "Bolshevism also"),
        "differences",
        "missing",
    ),
    _case(
        "an added word",
        JACOBIN.replace("the most vast", "the very most vast").replace(
            "other seeds", "other fertile seeds"
        ),
        "differences",
        "added",
    ),
    _case(
        "a change of case",
        JACOBIN.replace("Stalinist", "stalinist"),
        "differences",
        "case",
    ),
    _case(
        "a change of punctuation",
        JACOBIN.replace("Jacobin methods.", "Jacobin methods;"),
        "differences",
        "punctuation",
    ),
    _case(
        "decomposed accents (NFD) against composed ones (NFC)",
        unicodedata.normalize("NFD", "au café « Rotonde », où Trotsky lisait"),
        "exact",
        source=unicodedata.normalize(
            "NFC", "Il l’avait vu au café « Rotonde », où Trotsky lisait la Pravda."
        ),
    ),
    _case(
        "en dash against a hyphen",
        "statistics of the party show that in 1936-1939 463,000 Communists",
        "exact",
    ),
    _case(
        "spaced double hyphen against a dash",
        "has only a distant -- and often contradictory -- relationship",
        "exact",
        source="It is true that the doctrine has only a distant – and often contradictory –"
        " relationship to Stalinism.",
    ),
    _case("wrong attribution: another work's text", JACOBIN, "not-found", source=OTHER_SOURCE),
    _case("the right work's text", JACOBIN, "exact"),
    _case("an HTML source", JACOBIN, "exact", source=HTML_SOURCE),
    _case(
        "HTML: the words only in a script",
        "The Bolshevik party saw in the perils it confronted the excuse for its Jacobin methods.",
        "not-found",
        source=HTML_DECOY,
    ),
    _case("a Markdown source", JACOBIN, "exact", source=MARKDOWN_SOURCE),
    _case(
        "the source's footnote marker left out",
        TERROR.replace(" [7]", ""),
        "exact",
        "marker",
    ),
    _case(
        "the source's footnote marker left out, markers strict",
        TERROR.replace(" [7]", ""),
        "differences",
        "marker",
        strict_markers=True,
    ),
    _case("a marker as <sup> in HTML", "fact” [7] (April 1, 1938).", "exact", source=HTML_SOURCE),
    _case(
        "a superscript marker",
        TERROR,
        "exact",
        source="notes like this one: “The terror is here a horrifying fact”⁷(April 1, 1938).",
    ),
    _case("an editorial capital, [T]he", "[T]he perils it confronted the excuse", "exact"),
    _case(
        "spaces, tabs and no-break spaces",
        "The  Bolshevik\tparty saw in\u00a0the perils it confronted",
        "exact",
    ),
    _case(
        "elided pieces in the wrong order",
        "The proof is in the struggles, the initiatives [...] The Bolshevik party saw in the"
        " perils it confronted the excuse for its Jacobin methods",
        "differences",
        "added",
    ),
    _case(
        "an unrelated sentence",
        "Proletarians of all countries, unite!",
        "not-found",
    ),
    _case(
        "soft hyphens and a ligature in the source",
        "the final sacrifice of its various oppositions",
        "exact",
        source="and the \ufb01nal sacri\u00adfice of its various oppo\u00adsitions.",
    ),
    _case("the whole quotation in capitals", "THE PERILS IT CONFRONTED", "differences", "case"),
    # Made-up sentences that share common words ("the", "of the", "party") with the
    # source: not found, or a writer would be told a quotation exists that does not.
    _case(
        "made up, sharing common words",
        "The party of the workers and the state of the people was the hope of the world.",
        "not-found",
    ),
    _case(
        "made up, sharing 'the Bolshevik party'",
        "The Bolshevik party was in the hands of the workers of the world.",
        "not-found",
    ),
    _case(
        "made up, sharing 'the terror', 'is here' and 'the Soviets'",
        "The terror of the party is here in the world of the Soviets.",
        "not-found",
    ),
    _case(
        "made up, sharing 'the party', 'the revolution'",
        "It is the duty of the party to defend the revolution against its enemies.",
        "not-found",
    ),
    _case("made up, sharing 'the Bolshevik'", "the Bolshevik regime", "not-found"),
    # Part of the quotation is in the source, the rest is not: not found, but the
    # report says what was found where (see test_a_partial_quotation_says_what_is_where).
    _case(
        "a quotation the source holds the first half of",
        "I think it’s undeniable that its Jacobinism contained in germ Stalinist"
        " totalitarianism. He then wrote about cabbages and kings and the price of bread.",
        "not-found",
    ),
    # Several words changed in a short passage: found, with each change.
    _case(
        "four words changed in a sentence of fifteen",
        "The Bolshevik party found in the dangers it faced the excuse for its Jacobin ways.",
        "differences",
        "changed",
    ),
    _case(
        "two phrases changed in a sentence",
        "Neither the doctrine nor the aims of the Bolshevik party aimed at building a"
        " totalitarian police state",
        "differences",
        "changed",
    ),
]


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_verdicts(case: Case) -> None:
    check = check_quote(case.quote, case.source, **case.options)  # type: ignore[arg-type]
    assert check.verdict == case.verdict, check.report()
    kinds = {d.kind for d in check.differences}
    assert case.kinds <= kinds, check.report()
    if case.verdict == "exact":
        assert check.similarity == 1.0
        assert not check.real_differences
    elif case.verdict == "differences":
        assert check.real_differences
        assert 0 < check.similarity < 1
    else:
        assert check.span is None and check.pieces == ()


# --- what the report says ------------------------------------------------------------------


def test_a_changed_word_is_shown_source_first() -> None:
    check = check_quote(JACOBIN.replace("Stalinist", "stalinist"), SOURCE)
    (difference,) = check.differences
    assert (difference.kind, difference.source, difference.quote) == (
        "case",
        "Stalinist",
        "stalinist",
    )
    assert difference.line == 9
    assert str(difference) == "line 9: case: - Stalinist + stalinist"
    assert "[-Stalinist-]{+stalinist+}" in check.marked
    assert "line 9: case: - Stalinist + stalinist" in check.report()
    assert check.report().startswith("differences: 1 difference from the source at lines 7-11")


def test_a_dropped_sentence_is_reported_with_its_words() -> None:
    quote = JACOBIN.replace(" I think it’s undeniable that its Jacobinism contained in germ", "")
    check = check_quote(quote, SOURCE)
    missing = [d for d in check.differences if d.kind == "missing"]
    assert [d.source for d in missing] == [
        "I think it’s undeniable that its Jacobinism contained in germ"
    ]
    assert missing[0].quote == ""
    assert "[-I think it’s undeniable" in check.marked


def test_the_span_points_into_the_source() -> None:
    check = check_quote(JACOBIN, SOURCE)
    assert check.span is not None
    assert SOURCE[check.span.start : check.span.end].startswith("The Bolshevik\nparty saw")
    assert SOURCE[check.span.start : check.span.end].endswith("of\nevolution.")
    assert (check.span.line, check.span.column, check.span.end_line) == (7, 60, 11)
    assert check.format == "text"


def test_html_spans_are_offsets_in_the_html() -> None:
    check = check_quote(JACOBIN, HTML_SOURCE)
    assert check.format == "html"
    assert check.span is not None
    text = HTML_SOURCE[check.span.start : check.span.end]
    assert text.startswith("The Bolshevik party saw in the <em>perils</em>")
    assert text.endswith("other possibilities of evolution.")
    assert check.span.line == 6


def test_markdown_spans_are_offsets_in_the_markdown() -> None:
    check = check_quote(JACOBIN, MARKDOWN_SOURCE)
    assert check.format == "markdown"
    assert check.span is not None
    assert MARKDOWN_SOURCE[check.span.start :].startswith("The Bolshevik party")
    assert MARKDOWN_SOURCE[: check.span.end].endswith("of evolution.")
    assert (check.span.line, check.span.end_line) == (3, 6)


def test_elisions_give_one_span_per_piece() -> None:
    quote = "The Bolshevik party saw in the perils [...] the final sacrifice"
    check = check_quote(quote, SOURCE)
    assert check.exact
    assert [SOURCE[p.start : p.end] for p in check.pieces] == [
        "The Bolshevik\nparty saw in the perils",
        "the final\nsacrifice",
    ]
    assert check.marked == quote


def test_an_elision_bridges_at_most_max_gap_words() -> None:
    quote = "The republic of the Soviets defined itself [...] 463,000 Communists were expelled"
    assert check_quote(quote, SOURCE).exact
    narrow = check_quote(quote, SOURCE, max_gap=20)
    assert narrow.verdict == "differences"
    assert [d.kind for d in narrow.differences] == ["added"]


def test_marker_differences_do_not_count_unless_strict() -> None:
    quote = TERROR.replace(" [7]", "")
    lenient = check_quote(quote, SOURCE)
    assert lenient.exact
    (marker,) = lenient.differences
    assert (marker.kind, marker.source, marker.quote, marker.line) == ("marker", "[7]", "", 15)
    assert "footnote markers on one side only (not counted)" in lenient.report()
    strict = check_quote(quote, SOURCE, strict_markers=True)
    assert strict.verdict == "differences"
    assert strict.real_differences == strict.differences
    added = check_quote(TERROR, TERROR.replace(" [7]", ""))
    assert [(d.kind, d.quote) for d in added.differences] == [("marker", "[7]")]


def test_sup_is_a_marker_only_when_it_holds_one() -> None:
    html = "<p>In the 19<sup>th</sup> century, a fact<sup><a href='#n7'>7</a></sup> and more.</p>"
    assert source_to_text(html, "html").strip() == "In the 19th century, a fact [7] and more."
    assert check_quote("In the 19th century, a fact [7] and more.", html).exact
    markdown = "In the 19<sup>th</sup> century, a *fact*<sup>7</sup> and more."
    assert (
        source_to_text(markdown, "markdown").strip() == "In the 19th century, a fact [7] and more."
    )
    check = check_quote("In the 19th century, a fact and more.", markdown, format="markdown")
    assert check.exact and [d.kind for d in check.differences] == ["marker"]


def test_the_end_of_a_quotation_may_end_a_sentence() -> None:
    check = check_quote("its Jacobinism contained in germ Stalinist totalitarianism.", SOURCE)
    assert check.exact
    assert check.span is not None
    assert SOURCE[check.span.start : check.span.end].endswith("totali-\ntarianism,")


def test_not_found_report() -> None:
    check = check_quote(JACOBIN, OTHER_SOURCE)
    assert not check.found
    assert check.report().startswith("not found")
    assert check.marked  # the quotation, unmarked


def test_format_is_guessed_and_can_be_forced() -> None:
    assert guess_format(HTML_SOURCE) == "html"
    assert guess_format(MARKDOWN_SOURCE) == "markdown"
    assert guess_format(SOURCE) == "text"  # "[7](April 1, 1938)" is no Markdown link
    # Read as text, the markup is in the way.
    as_text = check_quote(JACOBIN, MARKDOWN_SOURCE, format="text")
    assert as_text.verdict == "differences"
    assert "Stalinist" in source_to_text(HTML_SOURCE, "html")
    assert "teaser" not in source_to_text(HTML_SOURCE, "html")
    assert "**" not in source_to_text(MARKDOWN_SOURCE)


def test_bad_arguments_give_clear_errors() -> None:
    with pytest.raises(citekit.FormatError, match="unknown source format 'pdf'"):
        check_quote(JACOBIN, SOURCE, format="pdf")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no words"):
        check_quote(" [...] ", SOURCE)
    with pytest.raises(TypeError, match="source is a text"):
        check_quote(JACOBIN, SOURCE.encode())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="an Excerpt or a text"):
        check_quote(42, SOURCE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_gap"):
        check_quote(JACOBIN, SOURCE, max_gap=-1)
    excerpt = citekit.Excerpt(id="x", text=JACOBIN, work_key="serge1944")
    with pytest.raises(ValueError, match="no original"):
        check_quote(excerpt, SOURCE, original=True)


def test_an_excerpt_or_its_original_is_checked() -> None:
    excerpt = citekit.Excerpt(
        id="serge-fr",
        text="The Bolshevik party saw in the perils it confronted the excuse",
        work_key="serge1944",
        original=citekit.model.excerpts.Original(
            "Le parti bolchevik voyait dans les périls", language="fr"
        ),
    )
    assert check_quote(excerpt, SOURCE).exact
    french = "Le parti bolchevik voyait dans les périls qu'il affrontait."
    assert check_quote(excerpt, french, original=True).exact
    assert not check_quote(excerpt, french).found


def test_read_source(tmp_path: Path) -> None:
    page = tmp_path / "serge.html"
    page.write_text(HTML_SOURCE, encoding="utf-8")
    assert read_source(page) == (HTML_SOURCE, "html")
    notes = tmp_path / "notes"
    notes.write_bytes(b"\xef\xbb\xbf" + MARKDOWN_SOURCE.encode())
    assert read_source(notes) == (MARKDOWN_SOURCE, "markdown")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("line one\ncaf\u00e9".encode("latin-1"))
    with pytest.raises(citekit.FormatError, match=r"latin\.txt:2: the source is not UTF-8"):
        read_source(latin)
    with pytest.raises(citekit.CitekitError, match=r"missing\.txt: cannot read"):
        read_source(tmp_path / "missing.txt")
    assert format_for_path("a/b.MD") == "markdown"
    assert format_for_path("book.epub") is None


def test_check_quote_is_exposed_lazily() -> None:
    assert citekit.check_quote is check_quote
    assert "check_quote" in citekit.__all__


def test_results_are_plain_values() -> None:
    check = check_quote(JACOBIN.replace("perils", "dangers"), SOURCE)
    assert isinstance(check, QuoteCheck)
    assert check == check_quote(JACOBIN.replace("perils", "dangers"), SOURCE)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        check.verdict = "exact"  # type: ignore[misc]


# --- long sources ----------------------------------------------------------------------------


def _book(size: int, passage: str) -> str:
    """About ``size`` characters of shuffled Serge sentences, ``passage`` in the middle."""
    excerpt = citekit.load(SERGE).excerpts["serge-heir"]
    words = excerpt.text.split()
    rng = random.Random(4)
    paragraphs: list[str] = []
    length = 0
    while length < size:
        rng.shuffle(words)
        paragraph = " ".join(words[:250])
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    paragraphs.insert(len(paragraphs) // 2, passage)
    return "\n\n".join(paragraphs)


def test_a_book_sized_source_is_searched() -> None:
    """A 1 MB source, under a hang guard (the time is not measured here: it was 5 s)."""
    finishes(_search_a_book, timeout=120)


def _search_a_book() -> None:
    book = _book(1_000_000, SOURCE)
    check = check_quote(JACOBIN.replace("perils", "dangers"), book)
    assert check.verdict == "differences"
    assert [(d.source, d.quote) for d in check.differences] == [("perils", "dangers")]
    assert check.span is not None and book[check.span.start :].startswith("The Bolshevik")
    short = check_quote("the perils it confronted", book)
    assert short.exact and short.span is not None
    assert book[short.span.start : short.span.end] == "the perils it confronted"


# --- the seed --------------------------------------------------------------------------------


def _seed() -> str:
    """The seed blog post's opening, as the repository carries it (see oracles.serge_page)."""
    return serge_page()


@needs("seeds")
def test_the_repository_carries_the_seed_post_s_opening() -> None:
    [folder] = require("seeds")
    seeds = [p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.txt"))]
    assert [text.startswith(serge_page()) for text in seeds] == [True]


def test_the_seed_passage_is_quoted_exactly() -> None:
    seed = _seed()
    excerpt = citekit.load(SERGE).excerpts["serge-heir"]
    check = check_quote(excerpt, seed)
    assert check.verdict == "exact", check.report()
    assert check.differences == ()
    assert check.span is not None
    assert seed[check.span.start :].startswith("It’s permissible to use the word treason")
    assert seed[: check.span.end].endswith("relationship to Stalinism.")
    assert check.span.line == 7
    assert check.report() == "exact: the quotation matches the source at lines 7-13"


def test_a_trimmed_copy_of_the_seed_passage() -> None:
    seed = _seed()
    text = citekit.load(SERGE).excerpts["serge-heir"].text
    sentence = (
        " The proof is in the struggles, the initiatives, and the final sacrifice of its"
        " various oppositions."
    )
    assert sentence in text
    # Trimmed with an ellipsis: still exact.
    assert check_quote(text.replace(sentence, " [...]"), seed).exact
    # Trimmed silently: the missing sentence is reported.
    check = check_quote(text.replace(sentence, ""), seed)
    assert check.verdict == "differences"
    assert [(d.kind, d.source) for d in check.differences] == [("missing", sentence.strip())]


def test_an_altered_copy_of_the_seed_passage() -> None:
    seed = _seed()
    text = citekit.load(SERGE).excerpts["serge-heir"].text
    altered = (
        text.replace("Stalinist totalitarianism", "stalinist totalitarianism")
        .replace("great support", "great popular support")
        .replace("the Mongol invasions", "the Tatar invasions")
        .replace(" [8]", "")
    )
    check = check_quote(altered, seed)
    assert check.verdict == "differences"
    assert [str(d) for d in check.differences] == [
        "line 7: case: - Stalinist + stalinist",
        "line 7: added: + popular",
        "line 11: changed: - Mongol + Tatar",
        "line 13: marker: - [8]",
    ]
    assert 0.99 < check.similarity < 1


def test_several_changed_words_are_each_reported() -> None:
    check = check_quote(
        "The Bolshevik party found in the dangers it faced the excuse for its Jacobin ways.",
        SOURCE,
    )
    assert check.verdict == "differences" and check.similarity < 1
    assert [(d.kind, d.source, d.quote, d.line) for d in check.differences] == [
        ("changed", "saw", "found", 8),
        ("changed", "perils", "dangers", 8),
        ("changed", "confronted", "faced", 8),
        ("changed", "methods.", "ways.", 8),
    ]
    report = check.report().splitlines()
    assert report[0] == "differences: 4 differences from the source at lines 7-8 (similarity 0.73)"
    assert report[1:] == [
        "  line 8: changed: - saw + found",
        "  line 8: changed: - perils + dangers",
        "  line 8: changed: - confronted + faced",
        "  line 8: changed: - methods. + ways.",
    ]


def test_a_partial_quotation_says_what_is_where() -> None:
    quote = (
        "I think it’s undeniable that its Jacobinism contained in germ Stalinist"
        " totalitarianism. He then wrote about cabbages and kings and the price of bread."
    )
    check = check_quote(quote, SOURCE)
    assert check.verdict == "not-found" and check.span is None
    assert check.partial is not None
    assert (check.partial.line, check.partial.end_line) == (8, 10)
    assert SOURCE[check.partial.start : check.partial.end].startswith("I\nthink it’s undeniable")
    assert check.partial_words == (12, 24)
    assert check.partial_text.endswith("Stalinist totalitarianism.")
    assert check.report() == (
        "not found: the source holds only part of the quotation: 12 of its 24 words,"
        " “I think it’s undeniable that its Jacob … ned in germ Stalinist totalitarianism.”,"
        " at lines 8-10; the rest is not there"
    )
    assert 0 < check.similarity < 1


def test_a_source_holding_the_start_of_a_long_quotation() -> None:
    text = citekit.load(SERGE).excerpts["serge-heir"].text
    check = check_quote(text, text[:600])
    assert check.verdict == "not-found" and check.partial is not None
    found, total = check.partial_words
    assert 80 < found < total and total > 1000
    assert check.report().startswith(
        f"not found: the source holds only part of the quotation: {found} of its {total}"
        " words, “It’s permissible to use the word"
    )
    assert check.similarity > 0


def test_a_made_up_quotation_is_not_said_to_be_in_part_in_the_source() -> None:
    check = check_quote(
        "The party of the workers and the state of the people was the hope of the world.", SOURCE
    )
    assert check.partial is None
    assert check.report().startswith("not found: the quotation is not in the source")


def test_one_changed_word_in_a_long_quotation_is_not_shown_as_similarity_1() -> None:
    text = citekit.load(SERGE).excerpts["serge-heir"].text
    check = check_quote(text.replace("perils", "dangers"), text)
    assert check.verdict == "differences"
    assert 0.99 < check.similarity < 1
    first = check.report().splitlines()[0]
    assert "similarity 1.00" not in first
    assert first.endswith("(similarity 0.999)")


@pytest.mark.parametrize(
    "made_up",
    [
        "Stalin is fascism",
        "the great purge of the party",
        "the old party and the new state",
        "of the revolution was lost",
        "the Bolshevik regime",
        "It is the duty of the party to defend the revolution against its enemies.",
    ],
)
def test_made_up_quotations_against_the_whole_seed_text(made_up: str) -> None:
    """Short made-up phrases that share "the", "of the", "party" with Serge's text
    (about 1,600 words) are not in it, whatever common words they share."""
    text = citekit.load(SERGE).excerpts["serge-heir"].text
    check = check_quote(made_up, text)
    assert check.verdict == "not-found", check.report()
    assert check.partial is None
