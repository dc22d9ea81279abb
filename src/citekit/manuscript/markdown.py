"""Markdown manuscripts: their structure, and their output as Markdown, HTML and LaTeX.

The manuscript is read by `markdown-it-py`_ (CommonMark, with tables and
the footnotes of `mdit-py-plugins`_: ``[^label]`` references with their
definitions, and ``^[inline notes]``). Citations, quote markers and the
bibliography's place are first replaced by placeholders (characters of
Unicode's private use area that Markdown leaves alone), so the parse says
where each one stands: in the text or in which footnote, in document order
with each note's contents at the place of its reference (the order that
positions such as "ibid." follow), or inside code or raw HTML, where a
citation is no citation and its text is kept.

Output:

- **Markdown**: the manuscript's own text with each placeholder replaced by
  the rendered citation (footnotes as ``[^cite-1]`` references with their
  definitions at the end), so everything else stays as written;
- **HTML**: markdown-it-py's HTML renderer, the placeholders replaced by the
  CSL engine's HTML;
- **LaTeX**: citekit's own writer over markdown-it-py's tokens (sections,
  emphasis, lists, quotations, code, links, tables and footnotes as
  ``\\footnote``), the placeholders replaced by the CSL engine's LaTeX.

.. _markdown-it-py: https://markdown-it-py.readthedocs.io/
.. _mdit-py-plugins: https://mdit-py-plugins.readthedocs.io/
"""

from __future__ import annotations

import functools
import html
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "PLACEHOLDER",
    "Event",
    "analyse",
    "latex_text",
    "placeholder",
    "render_html",
    "render_latex",
]

OPEN, CLOSE = "\ue000", "\ue001"
#: A placeholder: a kind letter (``c`` citation, ``n`` note text, ``q`` quote,
#: ``b`` bibliography) and a number.
PLACEHOLDER = re.compile("\ue000([a-z])([0-9]*)\ue001")


def placeholder(kind: str, number: int = 0) -> str:
    """The placeholder of item ``number`` of a kind."""
    return f"{OPEN}{kind}{number}{CLOSE}"


@functools.cache
def parser() -> MarkdownIt:
    """The Markdown parser: CommonMark with tables, footnotes and smart punctuation."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"typographer": True})
    md.enable(["table", "replacements", "smartquotes"])
    md.use(footnote_plugin)
    return md


@attrs.frozen
class Event:
    """Something met while walking a parsed manuscript in document order.

    ``kind``: ``"note"`` (a footnote's first reference: ``number`` is the
    parser's footnote id), or a placeholder's kind (``c``, ``q``, ``b``)
    with its ``number``. ``footnote`` is the id of the footnote it is in
    (None in the text); ``alone``: the placeholder is all its paragraph
    holds; ``inert``: it stands in code, raw HTML or a link's address.
    """

    kind: str
    number: int
    footnote: int | None = None
    alone: bool = False
    inert: bool = False


def _text_and_notes(
    tokens: Sequence[Token], *, anchors: bool
) -> tuple[list[Token], dict[int, list[Token]]]:
    """The tokens of the main text, and those of each footnote by its id.

    The footnote block's own open/close tokens are left out, and so are the
    footnotes' back-reference anchors unless ``anchors``.
    """
    main: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    skipped = {"footnote_block_open", "footnote_block_close"}
    if not anchors:
        skipped.add("footnote_anchor")
    for token in tokens:
        if token.type == "footnote_open":
            current = notes.setdefault(int(token.meta["id"]), [])
        elif token.type == "footnote_close":
            current = None
        elif token.type not in skipped:
            (current if current is not None else main).append(token)
    return main, notes


def analyse(text: str) -> list[Event]:
    """The placeholders and footnote references of ``text``, in document order."""
    main, notes = _text_and_notes(parser().parse(text), anchors=False)
    events: list[Event] = []
    visited: set[int] = set()

    def inert(content: str, footnote: int | None) -> None:
        for match in PLACEHOLDER.finditer(content):
            events.append(Event(match[1], int(match[2] or 0), footnote, inert=True))

    def attributes(token: Token, footnote: int | None) -> None:
        for value in (token.attrs or {}).values():
            inert(str(value), footnote)

    def inline(children: Sequence[Token], footnote: int | None, alone: bool) -> None:
        for child in children:
            attributes(child, footnote)
            if child.type == "text":
                for match in PLACEHOLDER.finditer(child.content):
                    events.append(Event(match[1], int(match[2] or 0), footnote, alone=alone))
            elif child.type in ("code_inline", "html_inline"):
                inert(child.content, footnote)
            elif child.type == "footnote_ref":
                number = int(child.meta["id"])
                if number not in visited:
                    visited.add(number)
                    events.append(Event("note", number, footnote))
                    block(notes.get(number, []), number)
            elif child.children:
                inline(child.children, footnote, False)

    def block(stream: Sequence[Token], footnote: int | None) -> None:
        for token in stream:
            attributes(token, footnote)
            if token.type == "inline":
                children = token.children or []
                alone = (
                    len(children) >= 1
                    and children[0].type == "text"
                    and PLACEHOLDER.fullmatch(children[0].content) is not None
                    and all(c.type == "footnote_ref" for c in children[1:])
                )
                inline(children, footnote, alone)
            elif token.type in ("fence", "code_block", "html_block"):
                inert(token.content, footnote)

    block(main, None)
    return events


# -- text substitution ----------------------------------------------------------------


def substitute(text: str, replace: Callable[[str, int], str], escape: Callable[[str], str]) -> str:
    """``text`` escaped with ``escape``, its placeholders replaced by ``replace(kind, n)``."""
    out = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(replace(match[1], int(match[2] or 0)))
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


# -- HTML -------------------------------------------------------------------------------


def render_html(
    text: str,
    inline: Callable[[str, int], str],
    blocks: Callable[[str, int, str], str],
) -> str:
    """``text`` (Markdown with placeholders) as HTML.

    ``inline(kind, n)`` gives the HTML of a placeholder in running text;
    ``blocks(kind, n, refs)`` the HTML block standing for a paragraph that
    holds only a ``q`` or ``b`` placeholder (``refs``: the HTML of the
    footnote references after it).
    """
    md = parser()
    renderer: Any = md.renderer
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    out: list[Token] = []
    index = 0
    from markdown_it.token import Token as TokenClass

    while index < len(tokens):
        token = tokens[index]
        if (
            token.type == "paragraph_open"
            and index + 2 < len(tokens)
            and tokens[index + 1].type == "inline"
            and tokens[index + 2].type == "paragraph_close"
        ):
            children = tokens[index + 1].children or []
            match = _block_placeholder(children)
            if match is not None:
                refs = str(renderer.renderInline(children[1:], md.options, env))
                block = TokenClass("html_block", "", 0)
                block.content = blocks(match[1], int(match[2] or 0), refs) + "\n"
                out.append(block)
                index += 3
                continue
        out.append(token)
        index += 1

    def text_rule(tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return substitute(tokens[idx].content, inline, _escape_html)

    saved = renderer.rules.get("text")
    renderer.rules["text"] = text_rule
    try:
        rendered = str(renderer.render(out, md.options, env))
    finally:
        if saved is not None:
            renderer.rules["text"] = saved
    # Placeholders that reached an attribute (an image's alt text) or raw HTML.
    return PLACEHOLDER.sub(lambda m: _escape_html(_plain(inline(m[1], int(m[2] or 0)))), rendered)


def _block_placeholder(children: Sequence[Token]) -> re.Match[str] | None:
    """The ``q`` or ``b`` placeholder a paragraph's inline tokens hold alone (footnote
    references after it aside), or None: such a paragraph becomes a block."""
    match = PLACEHOLDER.fullmatch(children[0].content) if children else None
    if (
        match is not None
        and children[0].type == "text"
        and match[1] in ("q", "b")
        and all(c.type == "footnote_ref" for c in children[1:])
    ):
        return match
    return None


def _escape_html(text: str) -> str:
    return html.escape(text, quote=False)


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^<>]*>", "", markup))


# -- LaTeX ------------------------------------------------------------------------------


def latex_text(text: str) -> str:
    """Plain text as LaTeX that prints it (citekit's CSL LaTeX escaping)."""
    from citekit.csl.output import convert

    if not text.strip():
        return text
    core = text.strip()
    start = text.index(core[0])
    lead, trail = text[:start], text[start + len(core) :]
    return lead + convert(html.escape(core, quote=False), "latex") + trail


_SECTIONS = {
    "h1": "section",
    "h2": "subsection",
    "h3": "subsubsection",
    "h4": "paragraph",
    "h5": "subparagraph",
    "h6": "subparagraph",
}


def render_latex(
    text: str,
    inline: Callable[[str, int], str],
    blocks: Callable[[str, int, str], str],
) -> str:
    """``text`` (Markdown with placeholders) as a LaTeX fragment.

    ``inline`` and ``blocks`` give the LaTeX of placeholders as for
    :func:`render_html` (``refs`` is then the ``\\footnote`` commands).
    Raw HTML is dropped, as pandoc does.
    """
    main, notes = _text_and_notes(parser().parse(text), anchors=True)
    writer = _LatexWriter(notes, inline, blocks)
    return writer.blocks(main).strip() + "\n"


class _LatexWriter:
    def __init__(
        self,
        notes: Mapping[int, Sequence[Token]],
        inline: Callable[[str, int], str],
        blocks: Callable[[str, int, str], str],
    ) -> None:
        self.notes = notes
        self.inline_of = inline
        self.block_of = blocks

    def text(self, content: str) -> str:
        return substitute(content, self.inline_of, latex_text)

    def footnote(self, number: int) -> str:
        body = self.blocks(self.notes.get(number, [])).strip()
        body = re.sub(r"\n{2,}", "\n\n", body)
        return f"\\footnote{{{body}}}"

    def inlines(self, children: Sequence[Token]) -> str:
        out: list[str] = []
        for child in children:
            kind = child.type
            if kind == "text":
                out.append(self.text(child.content))
            elif kind == "softbreak":
                out.append("\n")
            elif kind == "hardbreak":
                out.append("\\\\\n")
            elif kind == "em_open":
                out.append("\\emph{")
            elif kind == "strong_open":
                out.append("\\textbf{")
            elif kind in ("em_close", "strong_close", "link_close"):
                out.append("}")
            elif kind == "code_inline":
                out.append(f"\\texttt{{{latex_text(child.content)}}}")
            elif kind == "link_open":
                out.append(f"\\href{{{_latex_url(str(child.attrs.get('href', '')))}}}{{")
            elif kind == "image":
                src = _latex_url(str(child.attrs.get("src", "")))
                out.append(f"\\includegraphics{{{src}}}")
            elif kind == "footnote_ref":
                out.append(self.footnote(int(child.meta["id"])))
            elif child.children:
                out.append(self.inlines(child.children))
        return "".join(out)

    def blocks(self, tokens: Sequence[Token]) -> str:
        out: list[str] = []
        index = 0
        lists: list[str] = []
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "paragraph_open":
                children = tokens[index + 1].children or []
                match = _block_placeholder(children)
                if match is not None:
                    refs = self.inlines(children[1:])
                    out.append(self.block_of(match[1], int(match[2] or 0), refs) + "\n\n")
                else:
                    content = self.inlines(children)
                    out.append(content + ("\n" if token.hidden else "\n\n"))
                index += 3
                continue
            if kind == "heading_open":
                command = _SECTIONS.get(token.tag, "paragraph")
                content = self.inlines(tokens[index + 1].children or [])
                out.append(f"\\{command}{{{content}}}\n\n")
                index += 3
                continue
            if kind == "blockquote_open":
                out.append("\\begin{quote}\n")
            elif kind == "blockquote_close":
                _trim(out)
                out.append("\\end{quote}\n\n")
            elif kind == "bullet_list_open":
                lists.append("itemize")
                out.append("\\begin{itemize}\n")
            elif kind == "ordered_list_open":
                lists.append("enumerate")
                out.append("\\begin{enumerate}\n")
                start = int(token.attrs.get("start", 1) or 1)
                if start != 1:
                    counter = "enum" + "i" * min(len(lists), 4)
                    out.append(f"\\setcounter{{{counter}}}{{{start - 1}}}\n")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                _trim(out)
                out.append(f"\\end{{{lists.pop() if lists else 'itemize'}}}\n\n")
            elif kind == "list_item_open":
                out.append("\\item ")
            elif kind == "list_item_close":
                _trim(out)
            elif kind in ("fence", "code_block"):
                out.append(_verbatim(token.content) + "\n\n")
            elif kind == "hr":
                out.append("\\begin{center}\\rule{0.5\\linewidth}{0.5pt}\\end{center}\n\n")
            elif kind == "table_open":
                end = _closing(tokens, index, "table_close")
                out.append(self.table(tokens[index:end]) + "\n\n")
                index = end + 1
                continue
            index += 1
        return "".join(out)

    def table(self, tokens: Sequence[Token]) -> str:
        rows: list[list[str]] = []
        aligns: list[str] = []
        header_rows = 0
        in_head = False
        for index, token in enumerate(tokens):
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                rows.append([])
                if in_head:
                    header_rows += 1
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrs.get("style", ""))
                align = {"left": "l", "center": "c", "right": "r"}.get(
                    style.replace("text-align:", "").strip(), "l"
                )
                if len(rows) == 1:
                    aligns.append(align)
                rows[-1].append(self.inlines(tokens[index + 1].children or []))
        spec = "".join(aligns) or "l"
        lines = ["\\begin{tabular}{" + spec + "}", "\\hline"]
        for number, row in enumerate(rows):
            lines.append(" & ".join(row) + " \\\\")
            if number + 1 == header_rows:
                lines.append("\\hline")
        lines += ["\\hline", "\\end{tabular}"]
        return "\n".join(lines)


def _trim(out: list[str]) -> None:
    """End the last piece written with a single line break."""
    if out:
        out[-1] = out[-1].rstrip("\n") + "\n"


def _closing(tokens: Sequence[Token], start: int, kind: str) -> int:
    for index in range(start, len(tokens)):
        if tokens[index].type == kind:
            return index
    return len(tokens) - 1


def _verbatim(content: str) -> str:
    if "\\end{verbatim}" not in content:
        return "\\begin{verbatim}\n" + content.rstrip("\n") + "\n\\end{verbatim}"
    lines = [f"\\texttt{{{latex_text(line)}}}" for line in content.rstrip("\n").split("\n")]
    return "\\par\\noindent " + "\\\\\n".join(lines)


def _latex_url(url: str) -> str:
    quoted = urllib.parse.quote(url, safe=":/?&=@+$,;~!*'()#%[]-._")
    return quoted.replace("\\", "/").replace("#", "\\#").replace("%", "\\%")
