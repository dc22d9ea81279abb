"""The ``blockquote`` formatter: golden files of the seed excerpt, escaping, options.

The golden files under tests/golden/blockquote/ are the seed excerpt
(examples/serge/serge.yaml, ``serge-heir``) in the five outputs and three
styles, plus a few variants. Regenerate them with::

    .venv/bin/python -m pytest tests/test_blockquote.py --regen-golden

and read the diff before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest

import citekit
from citekit import Excerpt, FormatError, Library, Person, QuotedIn, Work
from citekit.formatters.blockquote import (
    BlockquoteFormatter,
    Template,
    elide,
    flip_quotes,
    strip_markers,
)

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "blockquote"
SEED = REPO / "examples" / "serge" / "serge.yaml"
STYLES = ("chicago-author-date", "modern-language-association", "apa")
EXTENSIONS = {"markdown": "md", "html": "html", "latex": "tex", "rst": "rst", "text": "txt"}

#: Golden variants beyond the 15 required ones: (file stem, options).
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    (
        "serge-heir.chicago-author-date.epigraph",
        {"output": "latex", "latex_environment": "epigraph"},
    ),
    ("serge-heir.chicago-author-date.cite-key", {"output": "latex", "attribution": "cite-key"}),
    ("serge-heir.chicago-author-date.cite-key", {"output": "markdown", "attribution": "cite-key"}),
    ("serge-heir.apa.reference", {"output": "html", "style": "apa", "attribution": "reference"}),
    (
        "serge-heir.chicago-notes-bibliography.note",
        {"output": "markdown", "style": "chicago-notes-bibliography", "attribution": "note"},
    ),
    (
        "serge-heir.chicago-author-date.stripped-elided",
        # The end of the first paragraph and the whole third paragraph left out.
        {"output": "text", "footnote_markers": "strip", "elide": "ELIDE"},
    ),
]


@pytest.fixture(scope="module")
def library() -> Library:
    lib = citekit.load(SEED)
    assert not lib.problems
    return lib


@pytest.fixture(scope="module")
def excerpt(library: Library) -> Excerpt:
    return library.excerpts["serge-heir"]


def seed_elisions(text: str) -> list[tuple[int, int]]:
    """Ranges of the seed text: from "It’s too little-known" to the paragraph's end, and
    the third paragraph (with the paragraph break before it)."""
    start = text.index("It’s too little-known")
    end = text.index("\n\n", start)
    third = text.index("From the Russian point of view")
    return [(start, end), (third - 2, text.index("“Stalin is communism") - 2)]


def check_golden(path: Path, actual: str, regen: bool) -> None:
    if regen:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual + "\n", encoding="utf-8")
        return
    assert path.is_file(), f"{path.name} is missing: run pytest {__file__} --regen-golden"
    expected = path.read_text(encoding="utf-8")
    assert actual + "\n" == expected, f"{path.name} differs; regenerate with --regen-golden"


# --- golden files -----------------------------------------------------------------------------


@pytest.mark.parametrize("output", list(EXTENSIONS))
@pytest.mark.parametrize("style", STYLES)
def test_golden(
    style: str, output: str, library: Library, excerpt: Excerpt, regen_golden: bool
) -> None:
    quote = BlockquoteFormatter(output=output, style=style, library=library)
    path = GOLDEN / f"serge-heir.{style}.{EXTENSIONS[output]}"
    check_golden(path, quote.format(excerpt), regen_golden)


@pytest.mark.parametrize(
    ("stem", "options"), VARIANTS, ids=[f"{s}-{o['output']}" for s, o in VARIANTS]
)
def test_golden_variants(
    stem: str, options: dict[str, Any], library: Library, excerpt: Excerpt, regen_golden: bool
) -> None:
    options = dict(options)
    if options.get("elide") == "ELIDE":
        options["elide"] = seed_elisions(excerpt.text)
    quote = BlockquoteFormatter(library=library, **options)
    path = GOLDEN / f"{stem}.{EXTENSIONS[options['output']]}"
    check_golden(path, quote.format(excerpt), regen_golden)


def test_every_golden_file_is_tested() -> None:
    expected = {f"serge-heir.{s}.{e}" for s in STYLES for e in EXTENSIONS.values()}
    expected |= {f"{stem}.{EXTENSIONS[o['output']]}" for stem, o in VARIANTS}
    assert len(expected) == 15 + len(VARIANTS)
    if GOLDEN.is_dir():
        assert {p.name for p in GOLDEN.iterdir()} <= expected


def test_seed_attribution_per_style(library: Library, excerpt: Excerpt) -> None:
    """The issue's example, and each style's own wording for a second-hand quotation."""
    expected = {
        "chicago-author-date": "Serge 1945, quoted in bolshevikpunk 2019",
        "modern-language-association": "Serge, qtd. in bolshevikpunk",
        "apa": "Serge, 1945, as cited in bolshevikpunk, 2019",
    }
    for style, attribution in expected.items():
        quote = BlockquoteFormatter(output="text", style=style, library=library)
        assert quote.attribute(excerpt) == attribution
    custom = BlockquoteFormatter(output="text", library=library, quoted_in_text="cited in")
    assert custom.attribute(excerpt) == "Serge 1945, cited in bolshevikpunk 2019"


def test_the_outputs_parse_as_their_format(library: Library, excerpt: Excerpt) -> None:
    """Markdown and reST readers see a block quote of four paragraphs and an attribution."""
    import docutils.core as docutils_core
    import markdown
    from lxml import etree

    md = BlockquoteFormatter(output="markdown", library=library).format(excerpt)
    tree = etree.fromstring(f"<div>{markdown.markdown(md)}</div>")
    (blockquote,) = tree.findall("blockquote")
    paragraphs = blockquote.findall("p")
    assert len(paragraphs) == 5
    assert "".join(paragraphs[-1].itertext()) == "— Serge 1945, quoted in bolshevikpunk 2019"
    assert "[7](April 1, 1938)" in "".join(paragraphs[1].itertext())

    rst = BlockquoteFormatter(output="rst", library=library).format(excerpt)
    doctree = docutils_core.publish_doctree(
        "A passage:\n\n" + rst, settings_overrides={"report_level": 2, "halt_level": 2}
    )
    quotes = [n for n in doctree.findall() if n.tagname == "block_quote"]
    assert len(quotes) == 1
    attributions = [n for n in quotes[0].findall() if n.tagname == "attribution"]
    assert [a.astext() for a in attributions] == ["Serge 1945, quoted in bolshevikpunk 2019"]
    assert [n.astext() for n in quotes[0].children if n.tagname == "paragraph"] == list(
        excerpt.paragraphs
    )
    assert ["".join(p.itertext()) for p in paragraphs[:-1]] == list(excerpt.paragraphs)


@pytest.mark.parametrize("style", STYLES)
def test_every_output_keeps_the_words(style: str, library: Library, excerpt: Excerpt) -> None:
    """Read back, each output holds the excerpt's paragraphs exactly, then the attribution."""
    from lxml import etree
    from pylatexenc.latex2text import LatexNodes2Text

    paragraphs = list(excerpt.paragraphs)

    def make(output: str) -> str:
        return BlockquoteFormatter(output=output, style=style, library=library).format(excerpt)

    attribution = BlockquoteFormatter(output="text", style=style, library=library).attribute(
        excerpt
    )
    html = etree.fromstring(make("html"))
    assert ["".join(p.itertext()) for p in html.findall("p")] == paragraphs
    assert "".join(html.find("footer").itertext()) == f"— {attribution}"
    text = make("text").split("\n\n")
    assert [" ".join(block.split()) for block in text[:-1]] == paragraphs[:-1]
    last, credit = text[-1].rsplit("\n— ", 1)
    assert " ".join(last.split()) == paragraphs[-1] and credit == attribution
    latex = make("latex").split("\n")
    assert latex[0] == "\\begin{quotation}" and latex[-1] == "\\end{quotation}"
    decoded = [LatexNodes2Text().latex_to_text(p) for p in "\n".join(latex[1:-2]).split("\n\n")]
    assert decoded == paragraphs
    assert latex[-2] == f"\\par\\raggedleft --- {attribution}"


def test_text_output_is_wrapped(library: Library, excerpt: Excerpt) -> None:
    for width in (40, 72, 100):
        text = BlockquoteFormatter(output="text", width=width, library=library).format(excerpt)
        lines = text.split("\n")
        assert max(len(line) for line in lines) <= width
        attribution = text[text.rindex("\n— ") + 1 :]
        assert " ".join(attribution.split()) == "— Serge 1945, quoted in bolshevikpunk 2019"
        assert text.count("\n\n") == 3
        assert " ".join(text.split()).startswith("It’s permissible to use the word treason")


def test_format_takes_an_excerpt_id(library: Library, excerpt: Excerpt) -> None:
    quote = citekit.formatter("blockquote", output="markdown", library=library)
    assert isinstance(quote, BlockquoteFormatter)
    assert quote.format("serge-heir") == quote.format(excerpt)
    with pytest.raises(FormatError, match=r"no excerpt 'serge-hier'.*did you mean 'serge-heir'"):
        quote.format("serge-hier")
    with pytest.raises(FormatError, match="formats an Excerpt, not Work"):
        quote.format(library["serge1944"])


# --- hostile input ----------------------------------------------------------------------------

HOSTILE_TEXT = (
    '<script>alert("x")</script> & <img src=x onerror=alert(1)> "quoted" &amp; &#60;b&#62;\n\n'
    "]]> <![CDATA[ x ]]> <!-- c --> <p onclick='y'>p</p> \u0000\u0007 end"
)


def hostile_library(url: str | None = None, doi: str | None = None) -> Library:
    work = Work(
        key="evil",
        type="book",
        title='<script>alert("t")</script> <i onmouseover="x">T</i> & Co',
        contributors={"author": [Person(literal='<b onclick="z">Mallory</b> & "Eve"')]},
        issued=citekit.Date.parse("2001") if hasattr(citekit.Date, "parse") else None,
        url=url,
        doi=doi,
    )
    other = Work(key="host", type="webpage", title="<a href='javascript:alert(2)'>Host</a>")
    return Library([work, other])


ALLOWED = {
    "div": set(),
    "blockquote": {"cite", "lang"},
    "p": set(),
    "footer": set(),
    "cite": set(),
    "i": set(),
    "b": set(),
    "sup": set(),
    "sub": set(),
    "span": {"style", "class"},
}


def check_inert(fragment: str) -> Any:
    from lxml import etree

    tree = etree.fromstring(f"<div>{fragment}</div>")  # well-formed XML or it raises
    for element in tree.iter():
        assert isinstance(element.tag, str), f"comment or PI in the output: {element!r}"
        assert element.tag in ALLOWED, f"element <{element.tag}> in the output"
        assert set(element.attrib) <= ALLOWED[element.tag], dict(element.attrib)
        for name, value in element.attrib.items():
            assert not value.lower().startswith(("javascript:", "data:")), (name, value)
    return tree


@pytest.mark.parametrize(
    ("url", "doi", "cite"),
    [
        ("javascript:alert(1)", None, None),
        ("data:text/html,<script>alert(1)</script>", None, None),
        (
            "JaVaScRiPt:alert(1)",
            '10.1000/x"><script>',
            "https://doi.org/10.1000/x%22%3E%3Cscript%3E",
        ),
        ('https://example.org/"onmouseover="x', None, None),
        ("https://example.org/a?b=1&c=<2>", None, None),
        ("https://example.org/a?b=1&c=2", None, "https://example.org/a?b=1&c=2"),
        (None, "doi:10.1000/182", "https://doi.org/10.1000/182"),
        ("ftp://example.org/file", None, None),
    ],
)
def test_html_is_inert_for_hostile_text(url: str | None, doi: str | None, cite: str | None) -> None:
    lib = hostile_library(url, doi)
    variants = [
        Excerpt(id="e1", text=HOSTILE_TEXT, work_key="evil", locator="12<b>", language="en"),
        Excerpt(
            id="e2",
            text=HOSTILE_TEXT,
            work_key="evil",
            quoted_in=QuotedIn("host", "3"),
            language='en" onload="x',
        ),
        Excerpt(
            id="e3",
            text=HOSTILE_TEXT,
            work_key="evil",
            speaker=Person(literal="<script>s</script>"),
        ),
    ]
    for attribution in ("in-text", "note", "reference"):
        quote = BlockquoteFormatter(output="html", library=lib, attribution=attribution)
        for excerpt in variants:
            out = quote.format(excerpt)
            tree = check_inert(out)
            (blockquote,) = tree.findall("blockquote")
            assert blockquote.get("cite") == cite
            text = "".join(tree.itertext())
            assert '<script>alert("x")</script>' in text  # shown as text, not markup
            assert "\u0000" not in out and "\u0007" not in out
            assert blockquote.get("lang") in ("en", None)
    inline = BlockquoteFormatter(output="html", library=lib, inline_max_words=500)
    check_inert(inline.format(variants[0]))


LATEX_SPECIALS = r"# $ % & _ { } ~ ^ \ 50% of $5 -- a_b {x} \relax \input{/etc/passwd} ``q''"


def test_latex_escapes_specials() -> None:
    from pylatexenc.latex2text import LatexNodes2Text

    lib = Library(
        [
            Work(
                key="tex",
                type="book",
                title="Costs & #1 {braces}",
                contributors={"author": [Person(family="O_Brien$", given="A%")]},
            )
        ]
    )
    excerpt = Excerpt(id="t", text=LATEX_SPECIALS + "\n\nSecond % paragraph.", work_key="tex")
    for environment in ("quotation", "quote", "epigraph"):
        out = BlockquoteFormatter(
            output="latex", library=lib, latex_environment=environment
        ).format(excerpt)
        body = out.split("\n", 1)[1] if environment != "epigraph" else out
        # No unescaped special survives: every # $ % & _ { } is preceded by a backslash
        # unless it is part of a command citekit writes.
        stripped = re.sub(
            r"\\(?:begin|end)\{(?:quotation|quote)\}|\\par\b|\\raggedleft\b|\\epigraph\{|\}\{|\}$",
            "",
            body,
        )
        stripped = re.sub(r"\\text[a-z]+\{\}|\\[#$%&_{}]|\{\}", "", stripped)
        assert not re.search(r"[#$%&_~^]", stripped), stripped
        assert "\\input{" not in out and "\\relax" not in out
        decoded = LatexNodes2Text().latex_to_text(out)
        for word in ("50% of $5", "a_b", "{x}", "\\relax", "O_Brien$", "Second % paragraph"):
            assert word in decoded, (word, decoded)
    reference = BlockquoteFormatter(output="latex", library=lib, attribution="reference")
    out = reference.attribute(excerpt)
    # (title case leaves "{braces}" alone: its first character is not a letter)
    assert "\\textit{Costs \\& \\#1 \\{braces\\}}" in out
    assert LatexNodes2Text().latex_to_text(out) == "O_Brien$, A%. n.d. Costs & #1 {braces}."


def test_latex_cite_key_escapes_and_checks_keys(library: Library, excerpt: Excerpt) -> None:
    quote = BlockquoteFormatter(output="latex", attribution="cite-key")
    plain = attrs.evolve(excerpt, quoted_in=None, locator="12")
    assert quote.attribute(plain) == r"\cite[12]{serge1944}"
    assert quote.attribute(attrs.evolve(plain, locator="chap. 2")) == r"\cite[chap.~2]{serge1944}"
    assert quote.attribute(attrs.evolve(plain, locator="pp. 1-3")) == r"\cite[1-3]{serge1944}"
    # Without a library the quoted-in form names the author with \citeauthor.
    assert quote.attribute(excerpt) == r"\citeauthor{serge1944}, quoted in \cite{bolshevikpunk2019}"
    with_library = BlockquoteFormatter(output="latex", attribution="cite-key", library=library)
    assert with_library.attribute(excerpt) == r"Serge, quoted in \cite{bolshevikpunk2019}"
    for bad in ("a}b", "a b", "x%y", "a\\b"):
        with pytest.raises(FormatError, match="cannot be written in a citation command"):
            quote.attribute(attrs.evolve(plain, work_key=bad))
    pandoc = BlockquoteFormatter(output="markdown", attribution="cite-key", library=library)
    assert pandoc.attribute(plain) == "[@serge1944, p. 12]"
    assert pandoc.attribute(excerpt) == "[Serge, quoted in @bolshevikpunk2019]"
    with pytest.raises(FormatError, match="needs output 'latex' or 'markdown'"):
        BlockquoteFormatter(output="html", attribution="cite-key")


# --- attribution forms ------------------------------------------------------------------------


def test_attribution_forms(library: Library, excerpt: Excerpt) -> None:
    direct = attrs.evolve(excerpt, quoted_in=None, locator="12")
    text = {
        a: BlockquoteFormatter(output="text", library=library, attribution=a)
        for a in ("in-text", "note", "reference", "none")
    }
    assert text["in-text"].attribute(direct) == "Serge 1945, 12"
    assert text["note"].attribute(direct) == "Serge 1945, 12"  # an in-text style has no note form
    assert text["reference"].attribute(direct).startswith("Serge, Victor. 1945.")
    # the locator before the entry's closing address, not after it
    assert (
        text["reference"]
        .attribute(direct)
        .endswith(", p. 12. https://www.marxists.org/archive/serge/1945/05/lenins-heir.htm.")
    )
    assert text["none"].attribute(direct) == ""
    out = text["none"].format(direct)
    assert "—" not in out.rsplit("\n", 1)[-1]
    md = BlockquoteFormatter(output="markdown", library=library, attribution="none")
    assert not md.format(direct).endswith(">")

    # With the excerpt's own locator, the original is cited in full before "quoted in".
    located = attrs.evolve(excerpt, locator="12", quoted_in=QuotedIn("bolshevikpunk2019", "4"))
    assert text["in-text"].attribute(located) == "Serge 1945, 12, quoted in bolshevikpunk 2019, 4"

    # A speaker replaces the author; without quoted_in the work is where it was read.
    speaker = attrs.evolve(direct, speaker=Person(family="Trotsky", given="Leon"), locator="7")
    assert text["in-text"].attribute(speaker) == "Trotsky, quoted in Serge 1945, 7"
    both = attrs.evolve(excerpt, speaker=Person(family="Trotsky", given="Leon"))
    assert text["in-text"].attribute(both) == "Trotsky, quoted in bolshevikpunk 2019"

    notes = BlockquoteFormatter(
        output="text", library=library, style="chicago-notes-bibliography", attribution="note"
    )
    note = notes.attribute(direct)
    assert note.startswith("Victor Serge, “Lenin’s Heir?") and ", 12, https://" in note


def test_attribution_needs_the_works(excerpt: Excerpt) -> None:
    with pytest.raises(FormatError, match="needs the library of works"):
        BlockquoteFormatter(output="markdown").format(excerpt)
    lib = Library([Work(key="serge1944", type="book", title="T")])
    with pytest.raises(FormatError, match="'bolshevikpunk2019' is not in the library"):
        BlockquoteFormatter(output="markdown", library=lib).format(excerpt)
    assert BlockquoteFormatter(output="markdown", attribution="none").format(excerpt)


# --- elision, markers, inline -----------------------------------------------------------------


def test_elide_ranges() -> None:
    text = "One two three four five.\n\nSix seven, eight nine."
    assert elide(text, [(4, 14)]) == "One […] four five.\n\nSix seven, eight nine."
    assert elide(text, [(0, 8)]) == "[…] three four five.\n\nSix seven, eight nine."
    # Across the paragraph break: the paragraphs join.
    assert elide(text, [(19, 30)]) == "One two three four […] seven, eight nine."
    assert elide(text, [(19, 35)]) == "One two three four […], eight nine."
    # Before closing punctuation, no space.
    start = text.index("seven")
    assert elide(text, [(start, start + 5)]) == "One two three four five.\n\nSix […], eight nine."
    # At the end of a paragraph and of the text.
    assert elide(text, [(13, 24)]) == "One two three […]\n\nSix seven, eight nine."
    assert elide(text, [(37, len(text))], "...") == "One two three four five.\n\nSix seven, ..."
    assert elide(text, [(0, 4), (8, 14)]) == "[…] two […] four five.\n\nSix seven, eight nine."


def test_elide_option(library: Library, excerpt: Excerpt) -> None:
    ranges = seed_elisions(excerpt.text)
    out = BlockquoteFormatter(output="markdown", library=library, elide=ranges).format(excerpt)
    assert "It’s too little-known" not in out and "From the Russian point" not in out
    assert "sincerity of the party.) \\[…\\]\n>\n> It is appropriate" in out
    # A whole paragraph left out: the ellipsis ends the paragraph before.
    assert "historic fact of such importance. \\[…\\]\n>\n> “Stalin is communism,”" in out
    html = BlockquoteFormatter(output="html", library=library, elide=[(0, 5)], ellipsis="…").format(
        excerpt
    )
    assert "<p>… permissible to use" in html
    for bad, message in [
        ([(5, 3)], "not a range"),
        ([(0, 10), (5, 20)], "overlap"),
        ("0-10", "list of"),
        ([(0, True)], "not a range"),
    ]:
        with pytest.raises(FormatError, match=message):
            BlockquoteFormatter(elide=bad)
    too_far = BlockquoteFormatter(output="text", library=library, elide=[(0, 10**6)])
    with pytest.raises(FormatError, match=r"after the end of its text \(\d+ characters\)"):
        too_far.format(excerpt)


def test_strip_markers(library: Library, excerpt: Excerpt) -> None:
    assert strip_markers("fact” [7](April 1, 1938).") == "fact” (April 1, 1938)."
    assert strip_markers("communism,” [8] James") == "communism,” James"
    assert strip_markers("the end [3].") == "the end."
    assert strip_markers("the end[3] and more") == "the end and more"
    assert strip_markers("[2] At the start") == "At the start"
    assert strip_markers("in [1917] and [12345]") == "in [1917] and [12345]"
    assert strip_markers("word¹² and m²") == "word¹² and m²"
    assert strip_markers("word¹², “quote”³ and 10²", superscripts=True) == ("word, “quote” and 10²")
    kept = BlockquoteFormatter(output="text", library=library, width=200).format(excerpt)
    assert "[7](April 1, 1938)" in kept and "communism,” [8] James" in kept
    stripped = BlockquoteFormatter(
        output="text", library=library, width=200, footnote_markers="strip"
    ).format(excerpt)
    assert "[7]" not in stripped and "[8]" not in stripped
    assert "horrifying fact” (April 1, 1938)" in stripped
    assert "“Stalin is communism,” James Burnham concludes." in stripped


def test_inline_quotation_flips_nested_quotes(library: Library) -> None:
    short = Excerpt(
        id="short",
        text="It’s a “Commune-State,” he said, not a ‘party state’ [7].",
        work_key="serge1944",
        locator="12",
    )
    quote = BlockquoteFormatter(output="markdown", library=library, inline_max_words=20)
    assert quote.format(short) == (
        "“It’s a ‘Commune-State,’ he said, not a “party state” \\[7\\].” (Serge 1945, 12)"
    )
    stripped = BlockquoteFormatter(
        output="text", library=library, inline_max_words=20, footnote_markers="strip"
    )
    assert stripped.format(short) == (
        "“It’s a ‘Commune-State,’ he said, not a “party state”.” (Serge 1945, 12)"
    )
    british = BlockquoteFormatter(
        output="text", library=library, inline_max_words=20, locale="en-GB"
    )
    assert british.format(short).startswith("‘It’s a “Commune-State,” he said, not a ‘party state’")
    german = BlockquoteFormatter(
        output="text", library=library, inline_max_words=20, locale="de-DE"
    )
    assert german.format(short).startswith("„It’s a ‚Commune-State,‘ he said")
    latex = BlockquoteFormatter(output="latex", library=library, inline_max_words=20)
    assert latex.format(attrs.evolve(short, text="50% “off”")) == ("“50\\% ‘off’” (Serge 1945, 12)")
    # Nine words: not fewer than nine, so a block.
    block = BlockquoteFormatter(output="markdown", library=library, inline_max_words=9)
    assert block.format(short).startswith("> It’s a “Commune-State,”")
    assert flip_quotes('say "yes" and ‘no’, it’s «\u00a0oui\u00a0»', quote.quotes) == (
        "say ‘yes’ and “no”, it’s ‘oui’"
    )


# --- templates --------------------------------------------------------------------------------


def test_user_template_folder_overrides_shipped(
    tmp_path: Path, library: Library, excerpt: Excerpt
) -> None:
    (tmp_path / "markdown.tmpl").write_text(
        "<!-- $id from $key -->\n$body\n?attribution >\n?attribution > *$attribution*\n",
        encoding="utf-8",
    )
    (tmp_path / "inline.tmpl").write_text("$quote ($$ $attribution)", encoding="utf-8")
    ours = BlockquoteFormatter(output="markdown", library=library, templates=tmp_path)
    out = ours.format(excerpt)
    assert out.startswith("<!-- serge-heir from serge1944 -->\n> It’s permissible")
    assert out.endswith(">\n> *Serge 1945, quoted in bolshevikpunk 2019*")
    # Outputs the folder has no template for fall back to citekit's.
    shipped = BlockquoteFormatter(output="html", library=library).format(excerpt)
    assert (
        BlockquoteFormatter(output="html", library=library, templates=tmp_path).format(excerpt)
        == shipped
    )
    short = attrs.evolve(excerpt, text="Words change their meaning.")
    inline = BlockquoteFormatter(
        output="text", library=library, templates=tmp_path, inline_max_words=10
    )
    assert inline.format(short) == (
        "“Words change their meaning.” ($ Serge 1945, quoted in bolshevikpunk 2019)"
    )
    single = tmp_path / "elsewhere.tmpl"
    single.write_text("QUOTE[$environment]\n$body\n", encoding="utf-8")
    assert (
        BlockquoteFormatter(
            output="latex", library=library, template=single, attribution="none"
        ).format(short)
        == "QUOTE[quotation]\nWords change their meaning."
    )


def test_bad_templates(tmp_path: Path) -> None:
    bad = tmp_path / "markdown.tmpl"
    cases = [
        ("$body\n> $atribution\n", r"line 2: unknown template value 'atribution'.*'attribution'"),
        ("$body\ncosts 5$\n", r"line 2, column 8: '\$' starts no placeholder"),
        ("?attribution\n?nope x\n", r"line 2: unknown template value 'nope'"),
        ("?\n", r"line 1: a line starting with '\?' needs"),
        ("${body\n", "line 1, column 1"),
    ]
    for text, message in cases:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(FormatError, match=message):
            BlockquoteFormatter(output="markdown", templates=tmp_path)
    bad.write_bytes(b"$body\n\xff\n")
    with pytest.raises(FormatError, match="line 2: template is not UTF-8"):
        BlockquoteFormatter(output="markdown", templates=tmp_path)
    with pytest.raises(FormatError, match="no such templates folder"):
        BlockquoteFormatter(templates=tmp_path / "missing")
    with pytest.raises(FormatError, match="cannot read template"):
        BlockquoteFormatter(template=tmp_path / "missing.tmpl")
    bad.write_text("x" * 70_000, encoding="utf-8")
    with pytest.raises(FormatError, match="more than 64 KiB"):
        BlockquoteFormatter(output="markdown", templates=tmp_path)
    assert (
        Template.from_text("$$body $body\n?body [$id]").render({"body": "B", "id": "I"})
        == "$body B\n[I]"
    )


def test_shipped_templates_are_all_valid() -> None:
    folder = REPO / "styles" / "blockquote"
    names = {p.stem for p in folder.glob("*.tmpl")}
    assert names == {"markdown", "html", "latex", "latex-epigraph", "rst", "text", "inline"}
    for path in folder.glob("*.tmpl"):
        Template.read(path)


def test_bad_options() -> None:
    for options, message in [
        ({"output": "htm"}, r"unknown output format 'htm' \(did you mean 'html'\?\)"),
        ({"attribution": "intext"}, "did you mean 'in-text'"),
        ({"footnote_markers": "remove"}, "expected one of keep, strip"),
        ({"latex_environment": "quotations"}, "did you mean 'quotation'"),
        ({"width": 5}, "at least 20"),
        ({"width": "72"}, "at least 20"),
        ({"inline_max_words": 0}, "positive number"),
        ({"ellipsis": ""}, "ellipsis"),
        ({"quoted_in_text": " "}, "quoted_in_text"),
    ]:
        with pytest.raises(FormatError, match=message):
            BlockquoteFormatter(**options)
    with pytest.raises(citekit.StyleError):
        BlockquoteFormatter(style="no-such-style")


STRUCTURAL = [
    "---",
    "===",
    "~~~~",
    "-- not an attribution",
    "— not one either",
    "(a) not a list",
    "1. not a list",
    "# not a heading",
    "> not a nested quote",
    "* not a bullet",
    "+ nor this",
    ".. not:: a directive",
    ":not: a field",
    "[not a link](javascript:alert(1)) <b>not bold</b> *not emphasis* `not code`",
    "| not | a table |",
]


def test_markup_in_the_text_stays_text(library: Library) -> None:
    """Paragraphs that look like Markdown or reST structure read back as plain paragraphs."""
    import docutils.core as docutils_core
    import markdown
    from lxml import etree

    excerpt = Excerpt(id="s", text="\n\n".join(STRUCTURAL), work_key="serge1944")
    md = BlockquoteFormatter(output="markdown", library=library).format(excerpt)
    tree = etree.fromstring(f"<div>{markdown.markdown(md)}</div>")
    (blockquote,) = tree
    assert blockquote.tag == "blockquote"
    assert all(child.tag == "p" and len(child) == 0 for child in blockquote)
    assert ["".join(p.itertext()) for p in blockquote] == [*STRUCTURAL, "— Serge 1945"]

    rst = BlockquoteFormatter(output="rst", library=library).format(excerpt)
    doctree = docutils_core.publish_doctree(
        "Text:\n\n" + rst, settings_overrides={"report_level": 2, "halt_level": 2}
    )
    (quote,) = [n for n in doctree.findall() if n.tagname == "block_quote"]
    assert [n.tagname for n in quote.children] == ["paragraph"] * len(STRUCTURAL) + ["attribution"]
    assert [n.astext() for n in quote.children] == [*STRUCTURAL, "Serge 1945"]
    for child in quote.children:
        assert [n.tagname for n in child.children] == ["#text"]


# -- elisions on word boundaries, Markdown wrapped to a width ---------------------------------


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        # the range of the report: it ends inside "against"
        ([(20, 60)], "It’s permissible to […] his brothers, his party"),
        # it starts inside "permissible" and ends inside "word"
        ([(8, 30)], "It’s […] treason when a man does"),
        # inside "It’s": the apostrophe belongs to the word
        ([(3, 5)], "[…] permissible to use"),
        # on word boundaries already: unchanged
        ([(20, 24)], "It’s permissible to […] the word treason"),
    ],
)
def test_an_elision_never_cuts_a_word(ranges: list[tuple[int, int]], expected: str) -> None:
    text = (
        "It’s permissible to use the word treason when a man does, against his brothers, his party"
    )
    assert elide(text, ranges).startswith(expected)


def test_elided_ranges_that_meet_once_widened_merge() -> None:
    text = "The Bolshevik party saw in the perils it confronted"
    assert elide(text, [(5, 7), (9, 11)]) == "The […] party saw in the perils it confronted"


def test_width_wraps_markdown(library: Library) -> None:
    excerpt = library.excerpts["serge-heir"]
    unwrapped = citekit.formatter("blockquote", library=library).format(excerpt)
    wrapped = citekit.formatter("blockquote", library=library, width=50).format(excerpt)
    assert max(len(line) for line in unwrapped.splitlines()) > 1000
    lines = wrapped.splitlines()
    assert all(line.startswith(">") for line in lines)
    assert max(len(line) for line in lines) <= 50
    # the same text, the same paragraphs
    words = [w for line in lines for w in line.split() if w != ">"]
    assert words == [w for line in unwrapped.splitlines() for w in line.split() if w != ">"]
    assert wrapped.count("\n>\n") == unwrapped.count("\n>\n")
    assert lines[-1] == "> — Serge 1945, quoted in bolshevikpunk 2019"


def test_wrapped_markdown_never_starts_a_list_or_heading() -> None:
    text = (
        "It is true that the doctrine of Marx has only a distant - and often contradictory -"
        " relationship to Stalinism, which counted 1. the purges and # the camps, + more."
    )
    work = Work(key="w", type="book", title="T", contributors={"author": [Person(family="Serge")]})
    excerpt = Excerpt(id="e", text=text, work_key="w")
    for width in range(20, 60):
        out = citekit.formatter(
            "blockquote", library=[work], width=width, attribution="none"
        ).format(excerpt)
        for line in out.splitlines():
            body = line[2:]
            assert not re.match(r"([-+*#>]|\d+[.)])(\s|$)", body), (width, line)
