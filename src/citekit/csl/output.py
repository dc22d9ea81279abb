"""Output formats for rendered CSL: the engine's HTML as text, HTML, Markdown, LaTeX or reST.

citekit's CSL engine always renders HTML in citeproc-js's conventions. This
module turns that HTML into each output format with a small converter that
knows only the markup the engine emits, and treats everything else as text:

- ``<i>``, ``<em>``, ``<b>``, ``<strong>``, ``<sup>``, ``<sub>``, ``<u>``;
- ``<span style="font-variant:small-caps;">`` and the spans citeproc-js uses
  to switch a style off inside another (``font-style:normal;``,
  ``font-weight:normal;``, ``font-variant:normal;``), ``text-decoration``
  spans, ``<span class="nocase">``, ``<span class="nodecor">`` and
  ``<span class="csl-...">``;
- ``<div class="csl-...">`` (``display`` attributes: ``csl-block``,
  ``csl-left-margin``, ``csl-right-inline``, ``csl-indent``);
- complete character references: ``&#38;``, ``&#60;``, ``&#x3C;``,
  ``&amp;``, ``&nbsp;``, ...

Anything else (``<script>``, ``<a href=...>``, a lone ``<`` or ``&``, a tag
never closed or closed out of order) is text.

Characters are made safe for every output before conversion:

- control characters are dropped (C0 controls but tab and newline, DEL, the
  C1 controls), a tab becomes a space, and unpaired surrogates become U+FFFD;
- line breaks of any kind (CR, CR LF, NEL, U+2028, U+2029) become a newline,
  so that no output has a line break the converter did not see (Markdown and
  reST take a lone CR as one);
- bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066
  to U+2069) are kept but balanced (:func:`balance_bidi`): what a piece of
  text opens is closed at its end, and a closing character without an
  opening one is dropped, so that reversed text cannot run on into the rest
  of an entry or of the document. LaTeX output drops them (pdfLaTeX cannot
  typeset them; bidirectional text in LaTeX is babel's or polyglossia's).

The outputs (:data:`OUTPUTS`):

``text``
    Markup dropped, characters decoded. ``display`` blocks go on lines of
    their own; a left margin (``[1]``) is followed by a space.
``html``
    The engine's HTML, rebuilt from the parse: only the markup above survives,
    every other ``<``, ``>`` and ``&`` is escaped (``&#60;``, ``&#62;``,
    ``&#38;``), so the result is inert and a well-formed XML fragment.
``markdown``
    ``*italic*``, ``**bold**`` (as ``<i>``/``<b>`` where an asterisk could not
    open or close emphasis, as between two letters and a quote), and
    ``<sup>``, ``<sub>`` and the small-caps ``<span>`` as inline HTML, which
    CommonMark, GitHub, pandoc and Python-Markdown all pass through (pandoc's
    ``^x^`` is not portable). In text, ``\\ * _ ` [ ] # { }`` are escaped
    with a backslash (the braces because of attribute lists, such as
    ``*x*{: onclick=...}`` for Python-Markdown's ``attr_list``), and ``< > |
    ~`` (and an ``&`` that would start a character reference) as character
    references, which every Markdown flavour decodes; a line that would
    start a list (``1.``, ``-``, ``+``) is escaped. Underline has no
    Markdown form and is dropped.
``latex``
    ``\\textit{}``, ``\\textbf{}``, ``\\textsuperscript{}``,
    ``\\textsubscript{}``, ``\\textsc{}``, ``\\underline{}``, and
    ``\\textup{}``/``\\textmd{}`` for the switches back. In text, ``# $ % &
    _ { }`` are escaped with a backslash, ``\\ ~ ^ < > |`` and the backquote
    are commands such as ``\\textbackslash{}``, the ligatures ``--``, ``''``
    and ``,,`` are broken with ``{}``, and
    a no-break space is ``~``: every character compiles to itself.
    Bidirectional controls are dropped (see above).
``rst``
    ``*italic*``, ``**bold**``, ``:sup:`x```, ``:sub:`x```; reStructuredText
    cannot nest inline markup, so where styles combine the superscript or
    subscript wins, then italic; small caps and underline are dropped. In
    text, ``\\ * ` | _`` are escaped, as are ``::`` and a line that would
    start a list; markup next to a letter is set off with an escaped space
    (``\\ ``), which reST removes. The colon after a URI scheme other than
    ``http``, ``https`` and ``mailto`` is escaped (``javascript\\:``), so
    docutils makes no link of it.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from html.entities import html5 as _html5_entities

import attrs

from citekit.errors import FormatError

__all__ = [
    "OUTPUTS",
    "Element",
    "Node",
    "balance_bidi",
    "bibliography_pieces",
    "check_output",
    "convert",
    "has_bidi_controls",
    "join_bibliography",
    "parse",
]

#: The output formats, by name.
OUTPUTS: tuple[str, ...] = ("text", "html", "markdown", "latex", "rst")


def check_output(output: str) -> str:
    """``output`` if it names an output format; :class:`~citekit.FormatError` otherwise."""
    if isinstance(output, str) and output in OUTPUTS:
        return output
    import difflib

    close = difflib.get_close_matches(str(output), OUTPUTS, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise FormatError(
        f"unknown output format {output!r}{hint}; expected one of {', '.join(OUTPUTS)}"
    )


# --- parsing the engine's HTML ------------------------------------------------------------


@attrs.define
class Element:
    """A piece of markup the engine emits, with what it holds.

    ``kind`` is what it does: ``i``, ``b``, ``sup``, ``sub``, ``sc`` (small
    caps), ``u`` (underline), ``roman``, ``unbold``, ``nosc`` (a style switched
    back off), ``plain`` (a span that only marks, such as ``nocase`` or
    ``csl-...``), or a ``display`` block: ``block``, ``margin``, ``inline``,
    ``indent``. ``open`` and ``close`` are its tags as HTML output writes them;
    ``raw`` is its opening tag as it was read.
    """

    kind: str
    open: str
    close: str
    raw: str
    children: list[Node] = attrs.field(factory=list)


#: A node of parsed output: text (characters, decoded) or an :class:`Element`.
Node = str | Element

_TAG = re.compile(r"<[^<>]*>")
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TOKEN = re.compile(f"{_TAG.pattern}|{_REFERENCE.pattern}")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n?|[\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_SIMPLE_TAGS = {"i": "i", "em": "i", "b": "b", "strong": "b", "sup": "sup", "sub": "sub", "u": "u"}
_STYLES = {
    "font-variant:small-caps;": "sc",
    "font-style:italic;": "i",
    "font-style:oblique;": "i",
    "font-weight:bold;": "b",
    "font-style:normal;": "roman",
    "font-weight:normal;": "unbold",
    "font-variant:normal;": "nosc",
    "text-decoration:underline;": "u",
    "text-decoration:none;": "plain",
    "vertical-align:baseline;": "plain",
    "vertical-align:sup;": "sup",
    "vertical-align:sub;": "sub",
    "baseline": "plain",
}
_DISPLAY = {
    "csl-block": "block",
    "csl-left-margin": "margin",
    "csl-right-inline": "inline",
    "csl-indent": "indent",
}
_OPEN_SIMPLE = re.compile(r"<(i|em|b|strong|sup|sub|u|l)>")
_OPEN_SPAN = re.compile(r'<span\s+(class|style)\s*=\s*"([^"<>&]*)"\s*>')
_OPEN_DIV = re.compile(r'<div\s+class\s*=\s*"(csl-[a-z0-9-]+)"\s*>')
_CLOSE = re.compile(r"</(i|em|b|strong|sup|sub|u|l|span|div)\s*>")
_CLASS = re.compile(r"^(?:nocase|nodecor|csl-[a-z0-9-]+)$")


def _clean(text: str) -> str:
    text = _NOT_XML.sub("", _SURROGATE.sub("\ufffd", text)).replace("\t", " ")
    return balance_bidi(_LINE_BREAK.sub("\n", text))


#: Bidirectional embeddings and overrides (closed by U+202C), and isolates (by U+2069).
_BIDI_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")
_BIDI_ISOLATES = frozenset("\u2066\u2067\u2068")
_PDF, _PDI = "\u202c", "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def has_bidi_controls(text: str) -> bool:
    """Whether ``text`` holds a bidirectional embedding, override or isolate control."""
    return _BIDI.search(text) is not None


def balance_bidi(text: str) -> str:
    """``text`` with its bidirectional controls balanced.

    An embedding or override (U+202A, U+202B, U+202D, U+202E) still open at
    the end of the text or of a line is closed with U+202C, an isolate
    (U+2066 to U+2068) with U+2069; a U+202C or U+2069 that closes nothing
    is dropped. Unicode's bidirectional algorithm closes them at the end of
    a paragraph; this closes them at the end of the text, so that what a
    field opens cannot reorder what follows it.
    """
    if text.isascii() or not _BIDI.search(text):
        return text
    out: list[str] = []
    open_: list[str] = []  # the closing character of each open control, innermost last

    def close_all() -> None:
        out.extend(reversed(open_))
        open_.clear()

    for char in text:
        if char in _BIDI_EMBEDDINGS:
            open_.append(_PDF)
        elif char in _BIDI_ISOLATES:
            open_.append(_PDI)
        elif char == _PDF:
            if not open_ or open_[-1] != _PDF:
                continue  # closes nothing (an isolate's contents cannot close what is outside)
            open_.pop()
        elif char == _PDI:
            if _PDI not in open_:
                continue
            while open_.pop() != _PDI:  # an isolate's end closes the embeddings inside it
                pass
        elif char == "\n":
            close_all()
        out.append(char)
    close_all()
    return "".join(out)


def _opening(tag: str) -> Element | None:
    """The element a tag opens, or None if it is not one the engine emits."""
    simple = _OPEN_SIMPLE.fullmatch(tag)
    if simple:
        name = simple.group(1)
        if name == "l":  # citeproc-py's "light" weight: no form in any output
            return Element("plain", "", "", tag)
        return Element(_SIMPLE_TAGS[name], f"<{name}>", f"</{name}>", tag)
    span = _OPEN_SPAN.fullmatch(tag)
    if span:
        attribute, value = span.group(1), span.group(2)
        if attribute == "class":
            if not _CLASS.match(value):
                return None
            return Element("plain", f'<span class="{value}">', "</span>", tag)
        style = re.sub(r"\s+", "", value)
        kind = _STYLES.get(style) or _STYLES.get(style + ";")
        if kind is None:
            return None
        canonical = style if style == "baseline" or style.endswith(";") else style + ";"
        return Element(kind, f'<span style="{canonical}">', "</span>", tag)
    div = _OPEN_DIV.fullmatch(tag)
    if div:
        name = div.group(1)
        return Element(_DISPLAY.get(name, "block"), f'<div class="{name}">', "</div>", tag)
    return None


def _closes(element: Element, name: str) -> bool:
    if element.raw.startswith("<span"):
        return name == "span"
    if element.raw.startswith("<div"):
        return name == "div"
    return element.raw == f"<{name}>"


def _unwrap(element: Element) -> list[Node]:
    """An element that was never properly closed: its tag is text, its content stays."""
    return [element.raw, *element.children]


def parse(markup: str) -> list[Node]:
    """The engine's HTML as nodes: decoded text and the elements it knows (see the module)."""
    root = Element("root", "", "", "")
    stack = [root]

    def add_text(text: str) -> None:
        children = stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += text
        else:
            children.append(text)

    def add_nodes(nodes: Iterable[Node]) -> None:
        for node in nodes:
            if isinstance(node, str):
                add_text(node)
            else:
                stack[-1].children.append(node)

    def drop_top() -> None:
        unclosed = stack.pop()
        stack[-1].children.pop()
        add_nodes(_unwrap(unclosed))

    position = 0
    for match in _TOKEN.finditer(markup):
        if match.start() > position:
            add_text(markup[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token.startswith("&"):
            # html.unescape reads "&notanentity;" as "¬anentity;": only whole names count.
            known = token[1] == "#" or token[1:] in _html5_entities
            add_text(_html.unescape(token) if known else token)
            continue
        element = _opening(token)
        if element is not None:
            stack[-1].children.append(element)
            stack.append(element)
            continue
        close = _CLOSE.fullmatch(token)
        if close is not None:
            depth = next(
                (d for d in range(len(stack) - 1, 0, -1) if _closes(stack[d], close.group(1))),
                None,
            )
            if depth is not None:
                while len(stack) - 1 > depth:
                    drop_top()
                stack.pop()
                continue
        add_text(token)
    if position < len(markup):
        add_text(markup[position:])
    while len(stack) > 1:
        drop_top()
    return _cleaned(root.children)


def _cleaned(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, str):
            text = _clean(node)
            if text:
                out.append(text)
        else:
            node.children = _cleaned(node.children)
            out.append(node)
    return out


# --- lines: display="..." blocks -----------------------------------------------------------


#: What the outputs strip from the ends of a line (a no-break space stays).
_SPACE = " \t\n\r\f\v"


def _lines(nodes: Sequence[Node]) -> list[list[Node]]:
    """Top-level display blocks as lines; a left margin shares its line with what follows."""
    lines: list[list[Node]] = []
    current: list[Node] = []

    def flush() -> None:
        nonlocal current
        if any(_has_text(node) for node in current):
            lines.append(current)
        current = []

    for node in nodes:
        if isinstance(node, Element) and node.kind in ("block", "indent"):
            flush()
            current = list(node.children)
            flush()
        elif isinstance(node, Element) and node.kind == "margin":
            flush()
            current = [*node.children, " "]
        else:
            current.append(node)
    flush()
    return lines


def _has_text(node: Node) -> bool:
    if isinstance(node, str):
        return bool(node.strip())
    return any(_has_text(child) for child in node.children)


# --- style runs (Markdown, reST) -------------------------------------------------------------


def _runs(
    nodes: Sequence[Node], style: frozenset[str] = frozenset()
) -> Iterator[tuple[str, frozenset[str]]]:
    """Text with the set of styles in effect (``i``, ``b``, ``sup``, ``sub``, ``sc``, ``u``)."""
    for node in nodes:
        if isinstance(node, str):
            yield node, style
            continue
        inner = style
        kind = node.kind
        if kind in ("i", "b", "sc", "u"):
            inner = style | {kind}
        elif kind == "sup":
            inner = (style - {"sub"}) | {"sup"}
        elif kind == "sub":
            inner = (style - {"sup"}) | {"sub"}
        elif kind == "roman":
            inner = style - {"i"}
        elif kind == "unbold":
            inner = style - {"b"}
        elif kind == "nosc":
            inner = style - {"sc"}
        yield from _runs(node.children, inner)
        if kind == "margin":
            yield " ", style


def _merged(runs: Iterable[tuple[str, frozenset[str]]]) -> list[tuple[str, frozenset[str]]]:
    out: list[tuple[str, frozenset[str]]] = []
    for text, style in runs:
        if not text:
            continue
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        else:
            out.append((text, style))
    return out


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core[0])
    return text[:start], core, text[start + len(core) :]


def _is_punct(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


# --- text ----------------------------------------------------------------------------------


def _plain(nodes: Sequence[Node]) -> str:
    return "".join(node if isinstance(node, str) else _plain(node.children) for node in nodes)


def to_text(nodes: Sequence[Node]) -> str:
    """Plain text: markup dropped, display blocks on lines of their own."""
    return "\n".join(_plain(line).strip(_SPACE) for line in _lines(nodes))


# --- html ----------------------------------------------------------------------------------


def _escape_html(text: str) -> str:
    text = text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")
    return text.replace("\r", "&#13;")


def to_html(nodes: Sequence[Node]) -> str:
    """HTML with only the known markup, in citeproc-js's conventions; all text escaped."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_escape_html(node))
        else:
            out.append(f"{node.open}{to_html(node.children)}{node.close}")
    return "".join(out)


# --- markdown ------------------------------------------------------------------------------

_MD_BACKSLASH = re.compile(r"([\\`*_\[\]#{}])")
_MD_REFERENCES = {"<": "&lt;", ">": "&gt;", "|": "&#124;", "~": "&#126;"}
_MD_AMP = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LIST_START = re.compile(r"^(\s*)(\d{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]+|#)([.)])(?=\s|$)")
_BULLET_START = re.compile(r"^(\s*)([-+•‣⁃])(?=\s|$)")
_RULE_LINE = re.compile(r"^(\s*)-(?=(?:\s*-){2,}\s*$)")  # "---": a thematic break


def _md_escape(text: str) -> str:
    text = _MD_AMP.sub("&amp;", text)
    text = _MD_BACKSLASH.sub(r"\\\1", text)
    return "".join(_MD_REFERENCES.get(char, char) for char in text)


def _line_start(text: str) -> str:
    """Escape a line's start that Markdown or reST would read as a list item."""
    text = _LIST_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text, count=1)
    text = _BULLET_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text, count=1)
    return _RULE_LINE.sub(lambda m: f"{m.group(1)}\\-", text, count=1)


@attrs.define
class _Delim:
    kind: str
    opening: bool
    pair: int
    markdown: str = ""


_MD_ORDER = ("sc", "b", "i", "sup", "sub")
_MD_HTML = {
    "i": ("<i>", "</i>"),
    "b": ("<b>", "</b>"),
    "sup": ("<sup>", "</sup>"),
    "sub": ("<sub>", "</sub>"),
    "sc": ('<span style="font-variant:small-caps;">', "</span>"),
}
_MD_STARS = {"i": "*", "b": "**"}


def _md_line(nodes: Sequence[Node]) -> str:
    tokens: list[str | _Delim] = []
    opened: list[_Delim] = []
    pending = ""
    pairs = 0
    first = True

    def close_to(keep: int) -> None:
        while len(opened) > keep:
            delim = opened.pop()
            tokens.append(_Delim(delim.kind, False, delim.pair))

    for text, style in _merged(_runs(nodes)):
        text = re.sub(r"\s*\n\s*", " ", text)
        lead, core, trail = _split_space(text)
        if not core:
            pending += text
            continue
        kinds = {k for k in style if k in _MD_HTML}
        keep = 0
        while keep < len(opened) and opened[keep].kind in kinds:
            keep += 1
        close_to(keep)
        if pending or lead:
            tokens.append(pending + lead)
        pending = trail
        for kind in _MD_ORDER:
            if kind in kinds and all(d.kind != kind for d in opened):
                pairs += 1
                delim = _Delim(kind, True, pairs)
                opened.append(delim)
                tokens.append(delim)
        escaped = _md_escape(core)
        if first:
            escaped = _line_start(escaped)
        first = False
        tokens.append(escaped)
    close_to(0)
    if pending:
        tokens.append(pending)
    _choose_delimiters(tokens)
    return "".join(t if isinstance(t, str) else t.markdown for t in tokens).strip(_SPACE)


def _neighbour(tokens: Sequence[str | _Delim], index: int, step: int) -> str | None:
    """The character beside token ``index`` (None at the edge); a delimiter reads as ``*``."""
    position = index + step
    if 0 <= position < len(tokens):
        token = tokens[position]
        if isinstance(token, _Delim):
            return "*"
        if token:
            return token[-1] if step < 0 else token[0]
        return _neighbour(tokens, position, step)
    return None


def _choose_delimiters(tokens: list[str | _Delim]) -> None:
    """Asterisks where CommonMark's flanking rules let them open and close, else HTML tags."""
    stars_ok: dict[int, bool] = {}
    for index, token in enumerate(tokens):
        if not isinstance(token, _Delim) or token.kind not in _MD_STARS:
            continue
        before = _neighbour(tokens, index, -1)
        after = _neighbour(tokens, index, 1)
        adjacent = [
            tokens[j]
            for j in (index - 1, index + 1)
            if 0 <= j < len(tokens) and isinstance(tokens[j], _Delim)
        ]
        mixed = any(isinstance(d, _Delim) and d.opening != token.opening for d in adjacent)
        if token.opening:
            inner, outer = after, before
        else:
            inner, outer = before, after
        ok = (
            not mixed
            and inner is not None
            and not inner.isspace()
            and (not _is_punct(inner) or outer is None or outer.isspace() or _is_punct(outer))
        )
        stars_ok[token.pair] = stars_ok.get(token.pair, True) and ok
    for token in tokens:
        if isinstance(token, _Delim):
            if token.kind in _MD_STARS and stars_ok.get(token.pair, False):
                token.markdown = _MD_STARS[token.kind]
            else:
                token.markdown = _MD_HTML[token.kind][0 if token.opening else 1]


def to_markdown(nodes: Sequence[Node]) -> str:
    """Markdown (see the module): display blocks end with a hard line break."""
    return "\\\n".join(_md_line(line) for line in _lines(nodes))


# --- latex ---------------------------------------------------------------------------------

_LATEX_CHARS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "`": r"\textasciigrave{}",
    "\u00a0": "~",
    "\n": " ",
}
_LATEX_COMMANDS = {
    "i": r"\textit",
    "b": r"\textbf",
    "sup": r"\textsuperscript",
    "sub": r"\textsubscript",
    "sc": r"\textsc",
    "u": r"\underline",
    "roman": r"\textup",
    "unbold": r"\textmd",
    "nosc": r"\textup",
}


def _latex_escape(text: str) -> str:
    text = _BIDI.sub("", text)
    out = []
    for index, char in enumerate(text):
        out.append(_LATEX_CHARS.get(char, char))
        # Break the ligatures "--", "''" and ",," so that each character stands alone.
        if char in "-'," and text[index + 1 : index + 2] == char:
            out.append("{}")
    return "".join(out)


def _latex_inline(nodes: Sequence[Node]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_latex_escape(node))
            continue
        inner = _latex_inline(node.children)
        if node.kind == "margin":
            inner += " "
        command = _LATEX_COMMANDS.get(node.kind)
        if command is None or not inner:
            out.append(inner)
        else:
            out.append(f"{command}{{{inner}}}")
    return "".join(out)


def to_latex(nodes: Sequence[Node]) -> str:
    """LaTeX (see the module): display blocks separated by ``\\newline``."""
    return " \\newline\n".join(_latex_inline(line).strip(_SPACE) for line in _lines(nodes))


# --- reStructuredText ----------------------------------------------------------------------

_RST_ESCAPE = re.compile(r"([\\*`|_])")
_RST_START_BEFORE = set(" -:/'\"<([{")
_RST_END_AFTER = set(" -.,:;!?\\/'\")]}>")


#: A URI scheme and its colon, as docutils finds standalone links ("javascript:x").
_RST_SCHEME = re.compile(r"(?<![A-Za-z0-9.+-])([A-Za-z][A-Za-z0-9.+-]*):(?=[^\s:\\])")
_RST_LINK_SCHEMES = frozenset(["http", "https", "mailto"])


def _rst_escape(text: str) -> str:
    text = _RST_ESCAPE.sub(r"\\\1", text).replace("::", ":\\:")
    return _RST_SCHEME.sub(
        lambda m: m.group(0) if m.group(1).lower() in _RST_LINK_SCHEMES else m.group(1) + "\\:",
        text,
    )


def _rst_may_precede(char: str | None) -> bool:
    if char is None or char.isspace() or char in _RST_START_BEFORE:
        return True
    return ord(char) > 127 and unicodedata.category(char) in ("Pd", "Po", "Pi", "Pf", "Ps")


def _rst_may_follow(char: str | None) -> bool:
    if char is None or char.isspace() or char in _RST_END_AFTER:
        return True
    return ord(char) > 127 and unicodedata.category(char) in ("Pd", "Po", "Pi", "Pf", "Pe")


def _rst_markup(style: frozenset[str]) -> str | None:
    for kind in ("sup", "sub", "i", "b"):
        if kind in style:
            return kind
    return None


_RST_WRAP = {"i": ("*", "*"), "b": ("**", "**"), "sup": (":sup:`", "`"), "sub": (":sub:`", "`")}


def _rst_line(nodes: Sequence[Node]) -> str:
    segments: list[tuple[str, str | None]] = []  # (text, markup)
    for text, style in _runs(nodes):
        text = re.sub(r"\s*\n\s*", " ", text)
        markup = _rst_markup(style)
        lead, core, trail = _split_space(text) if markup else ("", text, "")
        for piece, kind in ((lead, None), (core, markup if core else None), (trail, None)):
            if not piece:
                continue
            if segments and segments[-1][1] == kind:
                segments[-1] = (segments[-1][0] + piece, kind)
            else:
                segments.append((piece, kind))
    # Space between two pieces of the same markup goes inside it: "*a b*", not "*a* *b*".
    index = 1
    while index + 1 < len(segments):
        before, space, after = segments[index - 1], segments[index], segments[index + 1]
        if (
            space[1] is None
            and not space[0].strip()
            and before[1] is not None
            and before[1] == after[1]
        ):
            segments[index - 1 : index + 2] = [(before[0] + space[0] + after[0], before[1])]
            continue
        index += 1
    rendered = []
    for index, (text, kind) in enumerate(segments):
        escaped = _rst_escape(text)
        if index == 0:
            escaped = escaped.lstrip(_SPACE)
            if kind is None and escaped.startswith(("..", ":", ">")):
                escaped = "\\" + escaped
            escaped = _line_start(escaped)
        if kind is not None:
            start, end = _RST_WRAP[kind]
            escaped = f"{start}{escaped}{end}"
        rendered.append((escaped, kind))
    out = ""
    for index, (text, kind) in enumerate(rendered):
        if kind is not None:
            if not _rst_may_precede(out[-1] if out else None):
                out += "\\ "
            out += text
            following = rendered[index + 1][0][0] if index + 1 < len(rendered) else None
            if not _rst_may_follow(following):
                out += "\\ "
        else:
            out += text
    out = out.strip(_SPACE)
    if _RST_ADORNMENT.match(out):
        # four or more of one punctuation mark alone on a line ("====",
        # "\\\\" for two backslashes) is a transition or a title's
        # underline to docutils: an escaped space (which prints nothing) first
        out = "\\ " + out
    return out


#: A line docutils reads as a transition or section adornment.
_RST_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{3,}$")


def to_rst(nodes: Sequence[Node]) -> str:
    """reStructuredText (see the module): display blocks on lines of their own."""
    return "\n".join(_rst_line(line) for line in _lines(nodes))


# --- the converter -------------------------------------------------------------------------

_RENDERERS = {
    "text": to_text,
    "html": to_html,
    "markdown": to_markdown,
    "latex": to_latex,
    "rst": to_rst,
}


def convert(markup: str, output: str) -> str:
    """The engine's HTML for one citation or entry, in ``output`` (one of :data:`OUTPUTS`)."""
    nodes = parse(markup)
    return _RENDERERS[check_output(output)](nodes)


def join_bibliography(entries: Iterable[str], output: str) -> str:
    """Converted bibliography entries as one document in ``output``.

    HTML: citeproc-js's ``<div class="csl-bib-body">`` with one
    ``<div class="csl-entry">`` per entry; text: one entry a line; Markdown,
    LaTeX and reST: one paragraph per entry.
    """
    return "".join(bibliography_pieces(entries, output))


def bibliography_pieces(entries: Iterable[str], output: str) -> Iterator[str]:
    """The pieces of :func:`join_bibliography`'s document, as each entry comes.

    Written one after another they make the document, so a bibliography can
    be written out while it is rendered.
    """
    check_output(output)
    if output == "html":
        yield '<div class="csl-bib-body">\n'
        for entry in entries:
            yield f'  <div class="csl-entry">{entry}</div>\n'
        yield "</div>"
        return
    separator = "\n" if output == "text" else "\n\n"
    for number, entry in enumerate(entries):
        yield separator + entry if number else entry
