"""citekit.csl.output: the engine's HTML as text, HTML, Markdown, LaTeX and reST.

Each output is checked against an independent reader where there is one:
lxml for HTML (a well-formed fragment of allowed elements only),
Python-Markdown for Markdown, docutils for reST, pylatexenc for LaTeX; each
must give back exactly the characters of the text output.
"""

from __future__ import annotations

import string
from html import escape as escape_html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from citekit import FormatError
from citekit.csl.output import OUTPUTS, Element, check_output, convert, join_bibliography, parse
from latex_reading import latex_text

SC = '<span style="font-variant:small-caps;">'
SPECIALS = "\\*_`[]<>#|~&^%$@{}!'\"-+.:;=()/"

# --- what an HTML fragment may hold --------------------------------------------------------

ALLOWED = {
    "i": {},
    "em": {},
    "b": {},
    "strong": {},
    "sup": {},
    "sub": {},
    "u": {},
    "span": {"style", "class"},
    "div": {"class"},
}
ALLOWED_STYLES = {
    "font-variant:small-caps;",
    "font-style:normal;",
    "font-weight:normal;",
    "font-variant:normal;",
    "font-style:italic;",
    "font-style:oblique;",
    "font-weight:bold;",
    "text-decoration:underline;",
    "text-decoration:none;",
    "vertical-align:baseline;",
    "vertical-align:sup;",
    "vertical-align:sub;",
    "baseline",
}


def html_fragment(markup: str) -> etree._Element:
    """Parse HTML output as an XML fragment; fail unless it is well-formed and inert."""
    root = etree.fromstring(f"<root>{markup}</root>".encode())
    for element in root.iter():
        if element is root:
            continue
        assert element.tag in ALLOWED, f"element {element.tag!r} in {markup!r}"
        for name, value in element.attrib.items():
            assert name in ALLOWED[element.tag], f"attribute {name!r} in {markup!r}"
            if name == "style":
                assert value in ALLOWED_STYLES, value
            if name == "class":
                assert value in ("nocase", "nodecor") or value.startswith("csl-"), value
                assert all(c in string.ascii_lowercase + string.digits + "-" for c in value)
    return root


def html_text(markup: str) -> str:
    return "".join(html_fragment(markup).itertext())


# --- parsing ------------------------------------------------------------------------------


def test_parse_known_markup() -> None:
    nodes = parse(f"a <i>b <b>c</b></i> {SC}d</span>")
    assert nodes[0] == "a "
    italic = nodes[1]
    assert isinstance(italic, Element) and italic.kind == "i"
    assert italic.children[0] == "b "
    bold = italic.children[1]
    assert isinstance(bold, Element) and bold.kind == "b" and bold.children == ["c"]
    small = nodes[3]
    assert isinstance(small, Element) and small.kind == "sc" and small.children == ["d"]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("&#38; &#60; &#62; &#34; &#39;", "& < > \" '"),
        ("&amp; &lt; &gt; &quot; &apos;&nbsp;x", "& < > \" '\u00a0x"),
        ("&#x3C;&#X3e;", "<>"),
        ("R&D &copy2 & &; &#;", "R&D &copy2 & &; &#;"),  # incomplete references are text
        ("&notanentity;", "&notanentity;"),
        ("a\x00b\x08c\x0bd\x1fe\tf\ng", "abcde f\ng"),  # controls dropped, a tab a space
        ("x\ud800y", "x\ufffdy"),
    ],
)
def test_references_and_characters(markup: str, text: str) -> None:
    assert convert(markup, "text") == text


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<span style="color:red">x</span>',
        '<span class="evil thing">x</span>',
        '<span style="font-variant:small-caps;" onclick="x()">x</span>',
        '<div class="not-csl">x</div>',
        '<div class="csl-entry" id="x">x</div>',
        "<i onclick=x>y</i>",
        "<I>y</I>",
        "<!-- comment -->",
        "<![CDATA[x]]>",
        "<?php echo 1 ?>",
        "a < b > c",
        "<",
        "<<i>>",
    ],
)
def test_unknown_markup_is_text(markup: str) -> None:
    """Anything but the engine's markup comes out as the characters it is."""
    text = convert(markup, "text")
    html = convert(markup, "html")
    assert html_text(html) == text
    # Tags that are not the engine's stay visible as text.
    for tag in ("script", "img", "a href", "onclick", "onerror", "color:red", "CDATA"):
        if tag in markup:
            assert tag in text
            assert f"<{tag}" not in html


@pytest.mark.parametrize(
    ("markup", "text", "html"),
    [
        ("<i>open", "<i>open", "&#60;i&#62;open"),  # never closed
        ("close</i>", "close</i>", "close&#60;/i&#62;"),  # never opened
        ("<i>a<b>b</i>c", "a<b>bc", "<i>a&#60;b&#62;b</i>c"),  # <b> never closed
        ("<b>x</i>y</b>", "x</i>y", "<b>x&#60;/i&#62;y</b>"),
        (f"{SC}a</b></span>", "a</b>", f"{SC}a&#60;/b&#62;</span>"),
        ("<i><i>a</i></i>", "a", "<i><i>a</i></i>"),
    ],
)
def test_unbalanced_markup(markup: str, text: str, html: str) -> None:
    assert convert(markup, "text") == text
    assert convert(markup, "html") == html
    html_fragment(convert(markup, "html"))


# --- text and html ------------------------------------------------------------------------


def test_text_drops_markup() -> None:
    markup = (
        f"<i>Das Kapital</i>, x<sup>2</sup>, H<sub>2</sub>O, {SC}sc</span>"
        ' <span class="nocase">iPhone</span>'
    )
    assert convert(markup, "text") == "Das Kapital, x2, H2O, sc iPhone"


def test_html_keeps_only_known_markup_in_citeproc_js_form() -> None:
    markup = (
        f"<i>a</i><em>b</em><b>c</b><strong>d</strong><sup>e</sup><sub>f</sub>{SC}g</span>"
        '<span style="font-style: normal">h</span><span class="nocase">i</span><l>j</l>'
    )
    assert convert(markup, "html") == (
        f"<i>a</i><em>b</em><b>c</b><strong>d</strong><sup>e</sup><sub>f</sub>{SC}g</span>"
        '<span style="font-style:normal;">h</span><span class="nocase">i</span>j'
    )


def test_html_escapes_text() -> None:
    assert convert("R&D &#60;script&#62; \"q\" 'a'", "html") == (
        "R&#38;D &#60;script&#62; \"q\" 'a'"
    )


def test_display_blocks() -> None:
    markup = (
        '\n    <div class="csl-left-margin">[1]</div><div class="csl-right-inline">'
        "V. Serge, <i>T</i>.</div>\n  "
    )
    assert convert(markup, "text") == "[1] V. Serge, T."
    assert convert(markup, "markdown") == "\\[1\\] V. Serge, *T*."
    assert convert(markup, "latex") == "[1] V. Serge, \\textit{T}."
    assert convert(markup, "rst") == "[1] V. Serge, *T*."
    assert convert(markup, "html").strip() == markup.strip()
    blocks = '<div class="csl-block">One</div><div class="csl-indent">Two <i>x</i></div>'
    assert convert(blocks, "text") == "One\nTwo x"
    assert convert(blocks, "markdown") == "One\\\nTwo *x*"
    assert convert(blocks, "latex") == "One \\newline\nTwo \\textit{x}"
    assert convert(blocks, "rst") == "One\nTwo *x*"


def test_outputs_and_errors() -> None:
    assert OUTPUTS == ("text", "html", "markdown", "latex", "rst")
    for output in OUTPUTS:
        assert check_output(output) == output
    with pytest.raises(FormatError, match=r"unknown output format 'htm' \(did you mean 'html'\?\)"):
        check_output("htm")
    with pytest.raises(FormatError):
        convert("x", "pdf")


def test_join_bibliography() -> None:
    assert join_bibliography(["a", "b"], "text") == "a\nb"
    assert join_bibliography(["a", "b"], "markdown") == "a\n\nb"
    assert join_bibliography(["a", "b"], "html") == (
        '<div class="csl-bib-body">\n  <div class="csl-entry">a</div>\n'
        '  <div class="csl-entry">b</div>\n</div>'
    )
    html_fragment(join_bibliography([convert("<script>", "html")], "html"))


# --- markdown -----------------------------------------------------------------------------


def markdown_html(text: str) -> str:
    import markdown

    return str(markdown.markdown(text))


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<i>Title</i>, 12", "*Title*, 12"),
        ("<b>12</b>(1)", "**12**(1)"),
        ("<i>a <b>b</b> c</i>", "*a **b** c*"),
        ("x<sup>2</sup> H<sub>2</sub>O", "x<sup>2</sup> H<sub>2</sub>O"),
        (f"{SC}Sc</span>", f"{SC}Sc</span>"),
        ("<i> spaced </i>end", "*spaced* end"),
        ('a<i>"q"</i>b', 'a<i>"q"</i>b'),  # an asterisk could not open here
        ("<i>a</i><b>b</b>", "<i>a</i><b>b</b>"),  # nor close next to an opening
        ('<i>a <span style="font-style:normal;">b</span> c</i>', "*a* b *c*"),
        ("1. Smith", "1\\. Smith"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("# 1", "\\# 1"),
        ("a_b*c`d[e]f#g|h~i\\j", "a\\_b\\*c\\`d\\[e\\]f\\#g&#124;h&#126;i\\\\j"),
        ("&#60;script&#62; &#38;amp; R&#38;D", "&lt;script&gt; &amp;amp; R&D"),
    ],
)
def test_markdown(markup: str, expected: str) -> None:
    assert convert(markup, "markdown") == expected


def markdown_text(md: str) -> str:
    return html_text_lenient(markdown_html(md))


def html_text_lenient(markup: str) -> str:
    from lxml import html

    if not markup.strip():
        return ""
    return "".join(html.fragment_fromstring(markup, create_parent="div").itertext())


def test_markdown_styles_read_back() -> None:
    html = markdown_html(convert("<i>a</i> <b>b</b> c<sup>2</sup>", "markdown"))
    assert "<em>a</em>" in html and "<strong>b</strong>" in html and "<sup>2</sup>" in html


texts = st.text(alphabet=st.sampled_from(list(SPECIALS + "ab1 é")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(["", "<i>", "<b>", "<sup>", "<sub>"]))
def test_markdown_reads_back_as_the_text(text: str, tag: str) -> None:
    """Python-Markdown renders the Markdown of any (partly styled) text to exactly that text."""
    from html import escape

    body = escape(text, quote=False)
    markup = f"{body}{tag}{body}{tag.replace('<', '</')}x{body}" if tag else body
    expected = " ".join(convert(markup, "text").split())
    assert " ".join(markdown_text(convert(markup, "markdown")).split()) == expected


# --- latex --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "latex"),
    [
        ("#", "\\#"),
        ("$", "\\$"),
        ("%", "\\%"),
        ("&", "\\&"),
        ("~", "\\textasciitilde{}"),
        ("_", "\\_"),
        ("^", "\\textasciicircum{}"),
        ("\\", "\\textbackslash{}"),
        ("{", "\\{"),
        ("}", "\\}"),
        ("<", "\\textless{}"),
        (">", "\\textgreater{}"),
        ("|", "\\textbar{}"),
        ("`", "\\textasciigrave{}"),
        ("\u00a0", "~"),
    ],
)
def test_latex_specials(char: str, latex: str) -> None:
    from html import escape

    assert convert(escape(f"a{char}b", quote=False), "latex") == f"a{latex}b"


def test_latex_breaks_ligatures_and_commands() -> None:
    assert convert("1--2 ''q'' ,,x", "latex") == "1-{}-2 '{}'q'{}' ,{},x"
    assert convert(
        f"<i>a</i> <b>b</b> x<sup>2</sup> H<sub>2</sub>O {SC}sc</span> <u>u</u>", "latex"
    ) == (
        "\\textit{a} \\textbf{b} x\\textsuperscript{2} H\\textsubscript{2}O \\textsc{sc}"
        " \\underline{u}"
    )
    assert convert('<i>a <span style="font-style:normal;">b</span></i>', "latex") == (
        "\\textit{a \\textup{b}}"
    )
    assert convert("<i></i>x", "latex") == "x"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(SPECIALS + "ab1 é\u00a0")), max_size=30))
def test_latex_reads_back_as_the_text(text: str) -> None:
    """Every character of the text comes back from the LaTeX, read by pylatexenc."""
    from html import escape

    expected = convert(escape(text, quote=False), "text").replace("\u00a0", " ")
    latex = convert(escape(text, quote=False), "latex")
    assert latex_text(latex).replace("\u00a0", " ") == expected


# --- reStructuredText ---------------------------------------------------------------------


def rst_doctree(text: str) -> object:
    from docutils import core

    return core.publish_doctree(
        text, settings_overrides={"report_level": 5, "halt_level": 5, "warning_stream": False}
    )


def rst_text(text: str) -> str:
    from docutils import nodes

    tree = rst_doctree(text)
    assert isinstance(tree, nodes.document)
    for node in tree.findall():
        assert not isinstance(node, nodes.system_message | nodes.problematic), text
    paragraphs = [n for n in tree.children]
    assert all(isinstance(n, nodes.paragraph) for n in paragraphs), (text, tree.pformat())
    return "\n".join(n.astext() for n in paragraphs)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<i>Title</i>, 12", "*Title*, 12"),
        ("<b>12</b>(1)", "**12**\\ (1)"),
        ("x<sup>2</sup> H<sub>2</sub>O", "x\\ :sup:`2` H\\ :sub:`2`\\ O"),
        ("<i>a <b>b</b></i>", "*a b*"),  # reST cannot nest: italic wins
        ("<b>a <sup>2</sup></b>", "**a** :sup:`2`"),
        ("a*b`c|d_e\\f", "a\\*b\\`c\\|d\\_e\\\\f"),
        ("Title::", "Title:\\:"),
        (".. note:: x", "\\.. note:\\: x"),
        ("1. Smith", "1\\. Smith"),
        (":field: x", "\\:field: x"),
    ],
)
def test_rst(markup: str, expected: str) -> None:
    assert convert(markup, "rst") == expected


def test_rst_styles_read_back() -> None:
    from docutils import nodes

    tree = rst_doctree(convert("<i>a</i>b <b>c</b>. x<sup>2</sup>", "rst"))
    kinds = {type(n).__name__ for n in tree.findall()}
    assert {"emphasis", "strong", "superscript"} <= kinds
    assert isinstance(tree, nodes.document)
    assert rst_text(convert("<i>a</i>b <b>c</b>. x<sup>2</sup>", "rst")) == "ab c. x2"


@pytest.mark.parametrize("text", ["====", "\\\\", "----", "~~~~~~", "***"])
def test_rst_lines_of_one_repeated_mark_are_not_transitions(text: str) -> None:
    # four or more of one punctuation mark alone would be a transition to docutils
    assert rst_text(convert(escape_html(text), "rst")) == text


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(["", "<i>", "<b>", "<sup>"]))
def test_rst_reads_back_as_the_text(text: str, tag: str) -> None:
    """docutils reads the reST of any (partly styled) text as exactly that text."""
    from html import escape

    body = escape(text, quote=False)
    markup = f"{tag}{body}{tag.replace('<', '</')}x{body}" if tag else body
    expected = " ".join(convert(markup, "text").split())
    rst = convert(markup, "rst")
    if not expected:
        assert not rst.strip()
        return
    assert " ".join(rst_text(rst).split()) == expected


# --- html, generated ----------------------------------------------------------------------

fragments = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<i>",
                "</i>",
                "<b>",
                "</b>",
                "<sup>",
                "</sup>",
                SC,
                "</span>",
                '<div class="csl-block">',
                "</div>",
                "<script>",
                '"><img src=x onerror=alert(1)>',
                "&#38;",
                "&amp;",
                "&",
                "<",
                ">",
                "javascript:alert(1)",
            ]
        ),
        st.text(max_size=5),
    ),
    max_size=20,
)


@settings(max_examples=500, deadline=None)
@given(fragments)
def test_html_is_always_inert_and_well_formed(pieces: list[str]) -> None:
    markup = "".join(pieces)
    html = convert(markup, "html")
    assert html_text(html) == "".join(_plain_of(markup))
    # Converting again changes nothing: the output is in the converter's own form.
    assert convert(html, "html") == html


def _plain_of(markup: str) -> str:
    return "".join(_node_text(n) for n in parse(markup))


def _node_text(node: object) -> str:
    if isinstance(node, str):
        return node
    assert isinstance(node, Element)
    return "".join(_node_text(c) for c in node.children)


@settings(max_examples=300, deadline=None)
@given(fragments)
def test_every_output_takes_any_input(pieces: list[str]) -> None:
    markup = "".join(pieces)
    for output in OUTPUTS:
        assert isinstance(convert(markup, output), str)
