"""Rich text: citekit's internal markup, and CSL-JSON's text with its rich-text tags.

Two forms of the same thing:

- **citekit's internal markup**, what :attr:`Work.rich <citekit.Work.rich>`
  holds: text escaped as in HTML (``&amp;``, ``&lt;``, ``&gt;``) around the
  tags ``<i>``, ``<b>``, ``<sup>``, ``<sub>``, ``<span class="nocase">`` (case
  protection), ``<span class="nodecor">`` (back to normal formatting) and
  ``<span style="font-variant:small-caps;">``. :func:`escape` turns plain text
  into it, :func:`strip_markup` turns it back into plain text.
- **CSL-JSON's text**, as citeproc-js, Zotero and pandoc read and write a text
  variable: *literal* text, in which only the rich-text tags above (and
  ``<sc>``, citeproc-js's other spelling of small caps) are markup, and only
  where they are balanced. There are no entities: ``"R&D"`` is R&D, and
  ``"R&amp;D"`` is the eight characters R&amp;D. An unknown tag (``<em>``) or
  an unbalanced one (``<i>`` without ``</i>``) is literal text.
  :func:`to_csl_text` and :func:`from_csl_text` convert between the two.

A literal text that spells a balanced pair of those tags (a title about the
``<b>...</b>`` element) has no CSL-JSON form: it reads back as markup. See
:func:`csl_expressible`.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "TAGS",
    "csl_expressible",
    "escape",
    "from_csl_text",
    "normalize_markup",
    "strip_markup",
    "to_csl_text",
]

#: The opening tags of the internal markup, as citekit writes them (each closes
#: with ``</i>``, ``</b>``, ``</sup>``, ``</sub>`` or ``</span>``).
TAGS = (
    "<i>",
    "<b>",
    "<sup>",
    "<sub>",
    '<span class="nocase">',
    '<span class="nodecor">',
    '<span style="font-variant:small-caps;">',
)

_SMALL_CAPS = '<span style="font-variant:small-caps;">'

# Every spelling of a tag that is markup, as citeproc-js reads them: the
# canonical ones, <sc>, and spans with other spacing or further attributes
# (which are dropped). Case matters, as in citeproc-js.
_TAG = re.compile(
    r"<(?P<close>/)?(?P<name>i|b|sup|sub|sc)>"
    r'|<span\s+class="(?P<class>nocase|nodecor)"[^<>]*>'
    r'|<span\s+style="font-variant:\s*small-caps;?"[^<>]*>'
    r"|(?P<end></span>)"
)

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>``: plain text as internal markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _entity(match: re.Match[str]) -> str:
    # Only complete entities ("&amp;", "&#38;"); html.unescape alone would also
    # decode "&copy2" as "(c)2".
    return html.unescape(match.group(0))


def _decode(text: str) -> str:
    return _ENTITY.sub(_entity, text)


def strip_markup(text: str) -> str:
    """Internal markup to plain text: the tags removed, complete entities decoded."""
    return _decode(_TAG.sub("", text))


def _kind(match: re.Match[str]) -> tuple[str, bool]:
    """(kind, closing) of a tag: ``i``, ``b``, ``sup``, ``sub``, ``sc`` or ``span:...``."""
    if match.group("name"):
        return match.group("name"), bool(match.group("close"))
    if match.group("end"):
        return "span", True
    if match.group("class"):
        return f"span:{match.group('class')}", False
    return "span:sc", False


def _opening(kind: str) -> str:
    if kind in ("sc", "span:sc"):
        return _SMALL_CAPS
    if kind.startswith("span:"):
        return f'<span class="{kind[5:]}">'
    return f"<{kind}>"


def _closing(kind: str) -> str:
    return "</span>" if kind == "sc" or kind.startswith("span") else f"</{kind}>"


def _tokens(text: str) -> list[str | re.Match[str]]:
    """``text`` split into text pieces (str) and tags (matches)."""
    out: list[str | re.Match[str]] = []
    position = 0
    for match in _TAG.finditer(text):
        if match.start() > position:
            out.append(text[position : match.start()])
        out.append(match)
        position = match.end()
    if position < len(text):
        out.append(text[position:])
    return out


def to_csl_text(marked: str) -> str:
    """Internal markup as CSL-JSON text: the tags kept, entities decoded between them.

    ``"<i>R&amp;D</i> &lt;3"`` gives ``"<i>R&D</i> <3"``; plain text without
    markup (``escape(plain)``) gives the plain text back. The result is what
    citeproc-js reads: where decoded text spells a balanced tag pair, it is
    markup there (see :func:`csl_expressible`).
    """
    return "".join(
        piece.group(0) if isinstance(piece, re.Match) else _decode(piece)
        for piece in _tokens(marked)
    )


def from_csl_text(text: str) -> str:
    """CSL-JSON text as internal markup, as citeproc-js reads it.

    Balanced rich-text tags are markup (written in citekit's spelling:
    ``<sc>`` becomes the small-caps span); everything else, ``&amp;``, a lone
    ``<``, unknown and unbalanced tags included, is literal text and is
    escaped. A closing tag closes the nearest open tag of its kind; tags
    opened after that one and not closed are literal, as in citekit's CSL
    engine. ``from_csl_text("R&amp;D <i>x</i>")`` is
    ``"R&amp;amp;D <i>x</i>"``.
    """
    tokens = _tokens(text)
    out = [escape(piece) if isinstance(piece, str) else escape(piece.group(0)) for piece in tokens]
    stack: list[tuple[int, str]] = []  # (token index, kind) of the open tags
    for index, piece in enumerate(tokens):
        if isinstance(piece, str):
            continue
        kind, closing = _kind(piece)
        if not closing:
            stack.append((index, kind))
            continue
        for depth in range(len(stack) - 1, -1, -1):
            opener, opened = stack[depth]
            if opened == kind or (kind == "span" and opened.startswith("span:")):
                out[opener] = _opening(opened)
                out[index] = _closing(opened)
                del stack[depth:]
                break
    return "".join(out)


def normalize_markup(marked: str) -> str:
    """Internal markup in its canonical form: text escaped, tags in citekit's spelling.

    ``"AT&T <sc>x</sc>"`` gives ``"AT&amp;T "`` and ``x`` in the small-caps
    span. The plain text (:func:`strip_markup`) does not change. Tags are not
    balanced here: an unbalanced tag stays a tag.
    """
    out = []
    for piece in _tokens(marked):
        if isinstance(piece, str):
            out.append(escape(_decode(piece)))
        else:
            kind, closing = _kind(piece)
            out.append(_closing(kind) if closing else _opening(kind))
    return "".join(out)


def csl_expressible(marked: str) -> bool:
    """Whether CSL-JSON can say what ``marked`` (internal markup) says.

    True when :func:`from_csl_text` of :func:`to_csl_text` gives
    ``marked`` back (in canonical form). False when the text between the
    tags spells a balanced tag pair (the literal title ``"The <b>...</b>
    element"``: in CSL-JSON that is bold), or when ``marked`` has tags that do
    not balance (which CSL-JSON reads as literal text).
    """
    text = to_csl_text(marked)
    if "<" not in text:  # no tags, and none spelled: the text itself
        return True
    return from_csl_text(text) == normalize_markup(marked)
