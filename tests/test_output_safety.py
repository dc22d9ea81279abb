"""Output safety: hostile field values are inert in every formatter and output format.

A table of hostile values (HTML and script injection, dangerous URLs,
Markdown links, images, raw HTML and attribute lists, LaTeX primitives, reST
directives, roles and substitutions, control characters, bidirectional
overrides) is put in each field a formatter shows: titles, names, container
titles, URLs, notes, an excerpt's text and its speaker. Each field gets the
value followed by a word of its own, so that what a reader sees can be told
apart. Every renderer (:data:`RENDERERS`: the ``csl`` formatter's
bibliography entries and citations in an author-date, a numeric and a note
style; the ``blockquote`` formatter in each attribution form; the manuscript
renderer, ``citekit.render_manuscript``, when citekit has it) renders it in
every output it has, and an independent reader of the format checks the
result:

``html``
    parsed as XML: only the elements and attributes citekit emits, an
    address attribute only http(s) (or a link within a manuscript);
``markdown``
    rendered by Python-Markdown (with its ``extra`` extensions, attribute
    lists and footnotes included) and by markdown-it-py (CommonMark, with
    footnotes): only the HTML elements citekit's Markdown stands for, no
    link, image, raw HTML, heading, list or code;
``latex``
    parsed by pylatexenc: only the macros, specials and environments
    citekit writes, no math and no comment, every special character escaped,
    no bidirectional control;
``rst``
    parsed by docutils: no directive, substitution, role, target, comment,
    footnote or link but http(s) and mailto, and no system message of
    level 3 or more;
``text``
    no control character but the newline.

In every format but LaTeX, bidirectional controls are balanced on each line.
And the text a reader sees still holds the hostile value's characters (the
script tag is shown, not run or dropped) in each field the renderer shows
at all (found with a harmless value first).

The ``bibtex`` formatter writes a data format, not a document: its entries
must read back as the one entry with the same values, with no LaTeX command
in a value but the ones citekit writes for special characters.

To add a renderer, append a :class:`Renderer` to :data:`RENDERERS` (as
:func:`manuscript_renderers` does); ``document=True`` allows the markup of a
whole document (paragraphs, notes, the bibliography's list).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import pytest

import citekit
from citekit import Date, Excerpt, Library, Person, QuotedIn, Work
from citekit.csl.output import OUTPUTS, balance_bidi
from latex_reading import latex_text

# --- the hostile values ----------------------------------------------------------------------

HOSTILE: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "attribute-break": '"><img src=x onerror=alert(1)>',
    "javascript-url": "javascript:alert(1)",
    "data-url": "data:text/html,<script>alert(1)</script>",
    "md-link": "[x](javascript:alert(1))",
    "md-image": "![x](http://evil.example/x.png)",
    "md-raw-html": '<div onclick="alert(1)">x</div> <!-- hidden -->',
    "md-autolink": "<javascript:alert(1)> <http://evil.example/>",
    "md-attribute-list": '{: onclick="alert(1)" } *x*{: onclick="alert(1)"}',
    "md-reference": "[x]\n\n[x]: javascript:alert(1)",
    "md-line-structure": "x\r---\r# heading\r- item\r\r    code",
    "tex-input": r"\input{/etc/passwd}",
    "tex-write18": r"\immediate\write18{rm -rf /}",
    "tex-catcode": r"\catcode`\^^M=13 \def\x{y} $\pi$ ^^5c % comment",
    "rst-raw": ".. raw:: html\n\n   <script>alert(1)</script>",
    "rst-include": ".. include:: /etc/passwd",
    "rst-role": ":raw-html:`<script>x</script>` :file:`/etc/passwd`",
    "rst-substitution": ".. |x| image:: http://evil.example/x.png\n\n|x| |x|_",
    "rst-target": "`x <javascript:alert(1)>`_ _`t` [#]_ [1]_ data:x",
    "controls": "a\x00b\x07c\x1b[31md\x7fe\x85f\x9bg\rh\x0ci\x1fj\tk",
    "bidi": "abc\u202edcba \u2067isolated \u202c stray \u202bend",
}

#: The fields a hostile value is put in, all at once, each followed by a word of its
#: own so that what a reader sees can be told apart: the work's fields, the fields of
#: the work it is quoted in, the excerpt's text and its speaker.
SUFFIXES: dict[str, str] = {
    "title": "ttitle",
    "author": "aauthor",
    "container_title": "ccontainer",
    "url": "uurl",
    "note": "nnote",
    "host_title": "htitle",
    "host_author": "hauthor",
    "excerpt": "eexcerpt",
    "speaker": "sspeaker",
}


def build(value: Callable[[str], str]) -> tuple[Library, Excerpt]:
    """A work, the work an excerpt of it is quoted in, and the excerpt (spoken by
    someone): ``value(field)`` in each field of :data:`SUFFIXES`."""
    work = Work(
        key="hostile",
        type="article-journal",
        title=value("title"),
        container_title=value("container_title"),
        url=value("url"),
        note=value("note"),
        contributors={"author": [Person(family=value("author"), given="Ann")]},
        issued=Date.of(2001),
        volume="3",
        page="10-20",
    )
    host = Work(
        key="host",
        type="book",
        title=value("host_title"),
        contributors={"author": [Person(family=value("host_author"), given="Hal")]},
        issued=Date.of(2019),
    )
    excerpt = Excerpt(
        id="quote",
        text=value("excerpt"),
        work_key="hostile",
        locator="12",
        speaker=Person(literal=value("speaker")),
        quoted_in=QuotedIn("host", "7"),
    )
    library = Library([work, host])
    library.excerpts[excerpt.id] = excerpt
    return library, excerpt


def hostile(value: str) -> Callable[[str], str]:
    """The value of each field for a hostile value: the value, a space, the field's word."""
    return lambda field: f"{value} {SUFFIXES[field]}"


# --- renderers -------------------------------------------------------------------------------

Render = Callable[[Library, Excerpt, str], list[str]]


class Renderer:
    """A way of rendering the hostile work or excerpt: a name, its outputs, and whether it
    renders a whole document."""

    def __init__(
        self,
        name: str,
        render: Render,
        outputs: Iterable[str],
        *,
        document: bool = False,
    ) -> None:
        self.name = name
        self.render = render
        self.outputs = tuple(outputs)
        self.document = document
        """True for a whole document (paragraphs, notes, the bibliography's section)."""

    def __repr__(self) -> str:
        return self.name


@functools.cache
def _csl(style: str, output: str) -> Any:
    return citekit.formatter("csl", style=style, output=output)


def _csl_renderer(style: str, mode: str) -> Renderer:
    def render(library: Library, excerpt: Excerpt, output: str) -> list[str]:
        csl = _csl(style, output)
        work = library["hostile"]
        if mode == "bibliography":
            return [entry.text for entry in csl.bibliography([work])]
        return [csl.cite([work], "hostile", locator="12")]

    return Renderer(f"csl-{style}-{mode}", render, OUTPUTS)


@functools.cache
def _blockquote(attribution: str, output: str, style: str) -> tuple[Any, Library]:
    """A blockquote formatter (slow to make) and the library it reads, filled in per case."""
    library = Library()
    quote = citekit.formatter(
        "blockquote", output=output, library=library, attribution=attribution, style=style
    )
    return quote, library


def _blockquote_renderer(
    attribution: str, outputs: Iterable[str], style: str = "chicago-author-date"
) -> Renderer:
    def render(library: Library, excerpt: Excerpt, output: str) -> list[str]:
        quote, shared = _blockquote(attribution, output, style)
        for key in list(shared):
            del shared[key]
        for work in library.values():
            shared.add(work)
        return [quote.format(excerpt)]

    return Renderer(f"blockquote-{attribution}-{style}", render, outputs)


#: The manuscript the manuscript renderer renders: a citation in brackets, one in the
#: text, and the excerpt pulled in as a block quotation.
MANUSCRIPT = "Intro [@hostile, p. 12] and @hostile says.\n\n{{quote:quote}}\n\nEnd.\n"


def _manuscript_renderer(style: str, outputs: Iterable[str]) -> Renderer:
    def render(library: Library, excerpt: Excerpt, output: str) -> list[str]:
        result = citekit.render_manuscript(MANUSCRIPT, library, style=style, to=output)
        return [result.text]

    return Renderer(f"manuscript-{style}", render, outputs, document=True)


def manuscript_renderers() -> list[Renderer]:
    """The manuscript renderer (``citekit.render_manuscript``), when citekit has it.

    Its outputs are Markdown, HTML and LaTeX documents: the checks of those
    formats apply, with the markup of a document (paragraphs, notes, the
    bibliography's section) allowed besides citekit's inline markup.
    """
    if getattr(citekit, "render_manuscript", None) is None:
        return []
    outputs = ("markdown", "html", "latex")
    return [
        _manuscript_renderer("apa", outputs),
        _manuscript_renderer("chicago-notes-bibliography", outputs),
    ]


RENDERERS: list[Renderer] = [
    _csl_renderer("apa", "bibliography"),
    _csl_renderer("apa", "cite"),
    _csl_renderer("ieee", "bibliography"),
    _csl_renderer("ieee", "cite"),
    _csl_renderer("chicago-notes-bibliography", "bibliography"),
    _csl_renderer("chicago-notes-bibliography", "cite"),
    _csl_renderer("apa-annotated-bibliography", "bibliography"),  # shows the note, in a block
    _blockquote_renderer("in-text", OUTPUTS),
    _blockquote_renderer("reference", OUTPUTS),
    _blockquote_renderer("note", ("markdown", "latex"), "chicago-notes-bibliography"),
    _blockquote_renderer("cite-key", ("markdown", "latex")),
    *manuscript_renderers(),
]

# --- what a reader sees ----------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def visible(text: str) -> str:
    """Text as compared: no spaces, controls or format characters, quotes straight, casefolded.

    Styles change case (title case, small caps) and spacing (a narrow
    no-break space before some punctuation), the outputs drop control
    characters and balance bidirectional ones: none of that hides a
    character a reader should see.
    """
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    kept = (c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf"))
    return "".join(kept).casefold()


@functools.cache
def shown_fields(renderer: Renderer) -> frozenset[str]:
    """The fields the renderer shows (harmless values in them are seen)."""
    library, excerpt = build(lambda field: f"Zqxmarker{SUFFIXES[field]}")
    output = "text" if "text" in renderer.outputs else renderer.outputs[0]
    seen = " ".join(renderer.render(library, excerpt, output)).casefold()
    return frozenset(f for f in SUFFIXES if f"zqxmarker{SUFFIXES[f]}" in seen)


def shows_value(field: str, value: str, text: str) -> bool:
    """True if a reader sees ``value`` in ``text``: whole, or for names each word of it.

    A style may take the lowercase words at the start of a family name for
    particles and print them after the given name ("Berg, Ann van der").
    """
    seen = visible(text)
    if field in ("author", "host_author", "speaker"):
        return all(visible(word) in seen for word in balance_bidi(value).split())
    return visible(balance_bidi(value)) in seen


# --- readers of each format ------------------------------------------------------------------

_HTML_ALLOWED: dict[str, set[str]] = {
    "root": set(),
    "i": set(),
    "em": set(),
    "b": set(),
    "strong": set(),
    "sup": set(),
    "sub": set(),
    "u": set(),
    "span": {"style", "class"},
    "div": {"class"},
    # the blockquote formatter's template
    "blockquote": {"cite", "lang"},
    "p": set(),
    "footer": set(),
    "cite": set(),
}
#: What a document (the manuscript renderer's) holds besides: notes, links within it.
_HTML_DOCUMENT: dict[str, set[str]] = {
    "p": set(),
    "a": {"href", "id", "class", "title", "role"},
    "sup": {"id", "class"},
    "div": {"id", "class", "role"},
    "hr": {"class"},
    "section": {"id", "class", "role"},
    "ol": {"class"},
    "li": {"id", "class"},
    "h1": {"id", "class"},
    "h2": {"id", "class"},
    "blockquote": set(),
    "footer": set(),
    "cite": set(),
}
_INTERNAL_LINK = re.compile(r"^#[\w:.-]+$")
_SPAN_STYLES = re.compile(r"^(?:font-[a-z]+|text-decoration|vertical-align):[a-z-]+;$|^baseline$")


def _allowed(base: dict[str, set[str]], document: bool) -> dict[str, set[str]]:
    if not document:
        return base
    merged = {tag: set(names) for tag, names in base.items()}
    for tag, names in _HTML_DOCUMENT.items():
        merged.setdefault(tag, set()).update(names)
    return merged


def check_html(out: str, document: bool = False) -> str:
    """Parse HTML output as XML: citekit's elements and attributes only. Returns its text."""
    from lxml import etree

    allowed = _allowed(_HTML_ALLOWED, document)
    try:
        root = etree.fromstring(f"<root>{out}</root>".encode())
    except etree.XMLSyntaxError as error:
        raise AssertionError(f"not a well-formed fragment: {error}: {out!r}") from None
    for element in root.iter():
        assert isinstance(element.tag, str), f"comment or processing instruction in {out!r}"
        assert element.tag in allowed, f"<{element.tag}> in {out!r}"
        assert set(element.attrib) <= allowed[element.tag], (element.attrib, out)
        for name, value in element.attrib.items():
            if name in ("cite", "href"):
                assert re.match(r"^https?://[^\s\"<>]+$", value) or (
                    name == "href" and _INTERNAL_LINK.match(value)
                ), (name, value)
            if name == "style":
                assert _SPAN_STYLES.match(value), (name, value)
            if name == "class" and not document:
                assert re.match(r"^(?:nocase|nodecor|csl-[a-z0-9-]+)$", value), value
            if name in ("class", "id"):
                assert re.match(r"^[\w:. -]+$", value), (name, value)
    return "".join(root.itertext())


def _markdown_renderings(out: str) -> list[str]:
    """HTML from Python-Markdown (``extra``: attribute lists, footnotes, tables, raw HTML
    blocks) and from markdown-it-py (CommonMark, tables, footnotes) when installed."""
    import markdown

    htmls = [str(markdown.markdown(out, extensions=["extra"]))]
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - markdown-it-py is optional
        return htmls
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    try:
        from mdit_py_plugins.footnote import footnote_plugin
    except ImportError:  # pragma: no cover - optional
        pass
    else:
        parser = parser.use(footnote_plugin)
    htmls.append(parser.render(out))
    return htmls


_MARKDOWN_ALLOWED: dict[str, set[str]] = {
    "p": set(),
    "em": set(),
    "strong": set(),
    "i": set(),
    "b": set(),
    "sup": set(),
    "sub": set(),
    "br": set(),
    "blockquote": set(),
    "span": {"style"},
}


def check_markdown(out: str, document: bool = False) -> list[str]:
    """Render Markdown with two implementations: no element citekit did not mean. Texts."""
    from lxml import etree, html

    allowed = _allowed(_MARKDOWN_ALLOWED, document)
    texts = []
    for rendered in _markdown_renderings(out):
        if not rendered.strip():
            texts.append("")
            continue
        root = html.fragment_fromstring(rendered, create_parent="citekit-root")
        for element in root.iter():
            if element is root:
                continue
            assert not isinstance(element, etree._Comment), (out, rendered)
            assert element.tag in allowed, f"<{element.tag}> from {out!r}: {rendered}"
            assert set(element.attrib) <= allowed[element.tag], (element.attrib, out)
            if element.tag == "span":
                assert element.get("style") == "font-variant:small-caps;", (out, rendered)
            if element.tag == "a":
                assert _INTERNAL_LINK.match(element.get("href", "")), (out, rendered)
        texts.append("".join(root.itertext()))
    return texts


#: The commands citekit writes for LaTeX's special characters (output and BibTeX alike).
_CHARACTER_MACROS = {
    "textbackslash",
    "textasciitilde",
    "textasciicircum",
    "textasciigrave",
    "textless",
    "textgreater",
    "textbar",
    "#",
    "$",
    "%",
    "&",
    "_",
    "{",
    "}",
}
#: The macros citekit's LaTeX uses, and the escaped special characters.
_LATEX_MACROS = _CHARACTER_MACROS | {
    "textit",
    "textbf",
    "textsuperscript",
    "textsubscript",
    "textsc",
    "underline",
    "textup",
    "textmd",
    "newline",
    # the blockquote formatter's templates
    "begin",
    "end",
    "par",
    "raggedleft",
    "epigraph",
    "cite",
    "citeauthor",
}
_LATEX_ENVIRONMENTS = {"quotation", "quote"}
_LATEX_SPECIALS = {"~", "---"}
#: What a document (the manuscript renderer's) holds besides: notes, the bibliography's list.
_LATEX_DOCUMENT_MACROS = {
    "footnote",
    "item",
    "setlength",
    "leftmargin",
    "itemindent",
    "labelwidth",
    "labelsep",
    "section",
    "hypertarget",
    "hyperlink",
}
_LATEX_DOCUMENT_ENVIRONMENTS = {"list"}


def check_latex(out: str, document: bool = False) -> str:
    """Parse LaTeX with pylatexenc: citekit's macros only, specials escaped. Returns its text."""
    from pylatexenc import latexwalker

    macros = _LATEX_MACROS | (_LATEX_DOCUMENT_MACROS if document else set())
    environments = _LATEX_ENVIRONMENTS | (_LATEX_DOCUMENT_ENVIRONMENTS if document else set())

    walker = latexwalker.LatexWalker(out, tolerant_parsing=False)
    try:
        nodes, _, _ = walker.get_latex_nodes()
    except latexwalker.LatexWalkerParseError as error:
        raise AssertionError(f"LaTeX that does not parse: {error}: {out!r}") from None
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if node is None:
            continue
        assert not isinstance(node, latexwalker.LatexMathNode), (node, out)
        assert not isinstance(node, latexwalker.LatexCommentNode), (node, out)
        if isinstance(node, latexwalker.LatexMacroNode):
            assert node.macroname in macros, (node.macroname, out)
        if isinstance(node, latexwalker.LatexEnvironmentNode):
            assert node.environmentname in environments, (node.environmentname, out)
        if isinstance(node, latexwalker.LatexSpecialsNode):
            assert node.specials_chars in _LATEX_SPECIALS, (node.specials_chars, out)
        for attribute in ("nodelist", "nodeargd"):
            child = getattr(node, attribute, None)
            if isinstance(child, list):
                pending.extend(child)
            elif child is not None and getattr(child, "argnlist", None):
                pending.extend(child.argnlist)
    # Outside the commands, no character TeX treats specially is left unescaped.
    bare = re.sub(r"\\(?:[A-Za-z]+|[#$%&_{} ])", "", out)
    assert not re.search(r"[\\#$%&^_]", bare), (bare, out)
    assert not re.search(r"[\u202a-\u202e\u2066-\u2069]", out), out
    return latex_text(out)


def check_rst(out: str) -> str:
    """Parse reST with docutils: nothing but text, emphasis, sub/superscript, quotes."""
    from docutils import core, nodes

    tree = core.publish_doctree(
        out,
        settings_overrides={
            "report_level": 1,
            "halt_level": 5,
            "warning_stream": False,
            "file_insertion_enabled": False,
            "raw_enabled": False,
        },
    )
    allowed = (
        nodes.document,
        nodes.paragraph,
        nodes.Text,
        nodes.emphasis,
        nodes.strong,
        nodes.superscript,
        nodes.subscript,
        nodes.block_quote,
        nodes.attribution,
        nodes.reference,
        nodes.system_message,
    )
    for node in tree.findall():
        assert isinstance(node, allowed), f"{type(node).__name__} in {out!r}:\n{tree.pformat()}"
        if isinstance(node, nodes.system_message):
            assert node["level"] < 3, f"{node.astext()} in {out!r}"
        if isinstance(node, nodes.reference):
            assert re.match(r"^(?:https?://|mailto:)", node.get("refuri", ""), re.I), node
    messages = list(tree.findall(nodes.system_message))
    for message in messages:
        message.parent.remove(message)
    return str(tree.astext())


def check_text(out: str) -> str:
    """Plain text: no control character but newline; bidirectional controls balanced."""
    for char in out:
        assert char == "\n" or unicodedata.category(char) != "Cc", (char, out)
    for line in out.split("\n"):
        assert bidi_balanced(line), (line, out)
    return out


def bidi_balanced(line: str) -> bool:
    """True if every bidirectional control the line opens is closed in it, and no more."""
    stack: list[str] = []
    for char in line:
        if char in "\u202a\u202b\u202d\u202e":
            stack.append("\u202c")
        elif char in "\u2066\u2067\u2068":
            stack.append("\u2069")
        elif char == "\u202c":
            if not stack or stack[-1] != "\u202c":
                return False
            stack.pop()
        elif char == "\u2069":
            if "\u2069" not in stack:
                return False
            while stack.pop() != "\u2069":
                pass
    return not stack


def check(output: str, out: str, document: bool = False) -> list[str]:
    """Check ``out`` is inert in ``output``; the texts a reader sees."""
    if output != "latex":  # LaTeX drops bidirectional controls
        for line in out.split("\n"):
            assert bidi_balanced(line), (line, out)
    if output == "html":
        return [check_html(out, document)]
    if output == "markdown":
        return check_markdown(out, document)
    if output == "latex":
        return [check_latex(out, document)]
    if output == "rst":
        return [check_rst(out)]
    return [check_text(out)]


# --- the matrix ------------------------------------------------------------------------------


def _cases() -> list[Any]:
    return [
        pytest.param(renderer, output, id=f"{renderer.name}-{output}")
        for renderer in RENDERERS
        for output in renderer.outputs
    ]


@pytest.mark.parametrize(("renderer", "output"), _cases())
def test_hostile_values_are_inert_and_shown(renderer: Renderer, output: str) -> None:
    """Every hostile value, in every field the renderer shows: inert, and still seen."""
    shown = shown_fields(renderer)
    for name, value in HOSTILE.items():
        library, excerpt = build(hostile(value))
        outs = renderer.render(library, excerpt, output)
        assert outs, (renderer, name)
        seen = []
        for out in outs:
            try:
                seen.extend(check(output, out, renderer.document))
            except AssertionError as error:
                raise AssertionError(f"{renderer} {output} {name!r}: {error}") from None
        for field in shown:
            assert any(shows_value(field, hostile(value)(field), t) for t in seen), (
                f"{renderer} {output}: {name!r} in {field} is not shown",
                outs,
                seen,
            )


def test_every_field_is_shown_somewhere() -> None:
    """The matrix tests what readers see: each field is shown by some renderer."""
    for field in SUFFIXES:
        assert any(field in shown_fields(r) for r in RENDERERS), field


@pytest.mark.parametrize(
    ("output", "out"),
    [
        ("html", "<script>alert(1)</script>"),
        ("html", '<i onclick="alert(1)">x</i>'),
        ("html", '<blockquote cite="javascript:alert(1)">x</blockquote>'),
        ("html", "<!-- x -->"),
        ("html", "<i>x"),
        ("html", "a & b"),
        ("markdown", "[x](javascript:alert(1))"),
        ("markdown", "![x](http://evil.example/)"),
        ("markdown", "<div>raw</div>"),
        ("markdown", "<javascript:alert(1)>"),
        ("markdown", "*x*{: onclick=alert(1)}"),
        ("markdown", "x\r---"),
        ("markdown", '<span style="color:red">x</span>'),
        ("latex", "\\input{/etc/passwd}"),
        ("latex", "\\emph{x"),
        ("latex", "$x$"),
        ("latex", "50% off"),
        ("latex", "a & b"),
        ("latex", "x^2"),
        ("latex", "\\begin{verbatim}x\\end{verbatim}"),
        ("latex", "a\u202eb"),
        ("rst", ".. raw:: html\n\n   <b>x</b>"),
        ("rst", ".. include:: /etc/passwd"),
        ("rst", ":file:`x`"),
        ("rst", "|x|\n\n.. |x| replace:: y"),
        ("rst", "javascript:alert(1)"),
        ("rst", "`x <javascript:alert(1)>`_"),
        ("rst", "x [#]_"),
        ("rst", ".. a comment"),
        ("text", "a\x1b[31mb"),
        ("text", "a\x9bb"),
        ("text", "a\rb"),
        ("text", "a\u202eb"),
        ("text", "a\u202cb"),
    ],
)
def test_the_checks_catch_what_they_look_for(output: str, out: str) -> None:
    """Each format's check fails on what it guards against (the matrix is not vacuous).

    Only the check's own verdict counts: an AssertionError. A check that
    crashes (a reader's exception, a bug in the check) is not a catch.
    """
    with pytest.raises(AssertionError):
        check(output, out)


def test_markdown_attribute_lists_are_text() -> None:
    """``{: ...}`` after citekit's emphasis or at a paragraph's end sets no attribute."""
    import markdown

    title = 'Title{: onclick="alert(1)"}'
    work = Work(
        key="k",
        type="article-journal",
        title=title,
        rich={"title": '<i>Title</i>{: onclick="alert(1)"}'},
        container_title='Journal {: onclick="alert(1)" }',
        url='https://example.org/x {: onclick="alert(1)" }',
        issued=Date.of(2001),
    )
    for style in ("apa", "ieee"):
        out = _csl(style, "markdown").bibliography([work])[0].text
        rendered = str(markdown.markdown(out, extensions=["extra"]))
        for text in check_markdown(out):  # no attribute anywhere, the braces are text
            assert '{: onclick="alert(1)"}' in text, (out, rendered)


# --- bidirectional text ------------------------------------------------------------------------


@pytest.mark.parametrize("output", OUTPUTS)
def test_reversed_text_does_not_run_into_the_next_work(output: str) -> None:
    """An override left open in one work's name or title is closed before the next work."""
    evil = Work(
        key="evil",
        type="book",
        title="Title\u202e reversed",
        contributors={"author": [Person(family="Evil\u202e", given="Eve")]},
        issued=Date.of(2001),
    )
    good = Work(
        key="good",
        type="book",
        title="Goodtitle",
        contributors={"author": [Person(family="Goodname", given="Gil")]},
        issued=Date.of(2002),
    )
    csl = _csl("apa", output)
    cluster = csl.cite([evil, good], ["evil", "good"])
    entries = [entry.text for entry in csl.bibliography([evil, good])]
    for text in [cluster, *entries]:
        if output == "latex":
            assert "\u202e" not in text
            continue
        start = text.find("Good")
        if start < 0:
            continue
        assert bidi_balanced(text[:start].split("\n")[-1]), (output, text)
    assert "\u202e" in cluster or output == "latex"  # kept (balanced), not dropped


def test_balance_bidi() -> None:
    rlo, pdf, rli, pdi, lre = "\u202e", "\u202c", "\u2067", "\u2069", "\u202a"
    assert balance_bidi("plain") == "plain"
    assert balance_bidi(f"a{rlo}b") == f"a{rlo}b{pdf}"
    assert balance_bidi(f"a{pdf}b{pdi}") == "ab"  # closers of nothing are dropped
    assert balance_bidi(f"{rli}{lre}x{pdi}y") == f"{rli}{lre}x{pdi}y"  # PDI closes both
    assert balance_bidi(f"{rli}x{pdf}") == f"{rli}x{pdi}"  # PDF cannot close an isolate
    assert balance_bidi(f"{rlo}a\nb{pdf}") == f"{rlo}a{pdf}\nb"  # each line on its own
    assert balance_bidi(f"{lre}{rlo}x{pdf}") == f"{lre}{rlo}x{pdf}{pdf}"


# --- the bibtex formatter ------------------------------------------------------------------------

#: What citekit writes for special characters in BibTeX values (accents included).
_BIBTEX_MACROS = _CHARACTER_MACROS | {
    "textbraceleft",
    "textbraceright",
    "par",  # a paragraph break in a value
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_bibtex_formatter_entries_read_back_as_written(name: str) -> None:
    """A hostile value adds no entry or field, keeps its characters, and runs no command."""
    from pylatexenc import latexwalker

    library, _ = build(hostile(HOSTILE[name]))
    work = library["hostile"]
    out = citekit.formatter("bibtex").format(work)
    again = citekit.loads(out, "bibtex")
    assert list(again) == ["hostile"], out
    assert not again.errors, (out, again.problems)
    back = again["hostile"]
    assert not back.extra, out
    # URLs are verbatim in BibTeX (see test_bibtex_url_is_verbatim).
    for field in ("title", "container_title", "note", "authors"):
        assert visible(str(getattr(back, field))) == visible(str(getattr(work, field))), (
            field,
            out,
        )
    for line in out.split("\n")[1:-1]:
        field_name, _, written = line.strip().partition(" = ")
        if field_name in ("url", "doi"):
            continue
        nodes, _, _ = latexwalker.LatexWalker(written, tolerant_parsing=False).get_latex_nodes()
        pending = list(nodes)
        while pending:
            node = pending.pop()
            if isinstance(node, latexwalker.LatexMacroNode):
                assert node.macroname in _BIBTEX_MACROS, (node.macroname, line)
            assert not isinstance(node, latexwalker.LatexMathNode), line
            assert not isinstance(node, latexwalker.LatexCommentNode), line
            pending.extend(getattr(node, "nodelist", None) or [])


def test_bibtex_url_is_verbatim() -> None:
    """URLs are written as they are (BibLaTeX and the url package read them verbatim)."""
    library, _ = build(lambda field: r"https://example.org/a_b%20c#frag")
    out = citekit.formatter("bibtex").format(library["hostile"])
    assert r"url = {https://example.org/a_b%20c#frag}" in out
    assert citekit.loads(out, "bibtex")["hostile"].url == "https://example.org/a_b%20c#frag"
