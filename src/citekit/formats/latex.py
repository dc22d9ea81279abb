"""LaTeX in bibliography fields: to Unicode (with markup) and back.

BibTeX field values are LaTeX. :func:`decode` turns one into plain Unicode
text and, when the source carried formatting or case protection, into
CSL-JSON's HTML-like markup (``<i>``, ``<b>``, ``<sup>``, ``<sub>``,
``<span class="nocase">``, small caps)::

    >>> decode(r"The {DNA} of {\\emph{Homo}} --- a {\\\"u}ber-study")
    ('The DNA of Homo — a über-study', 'The <span class="nocase">DNA</span> of <span \
class="nocase"><i>Homo</i></span> — a über-study')

A fast path of citekit's own handles accents, special letters and symbols,
dashes, quotes, ties, formatting commands and brace protection; anything else
(``\\ldots`` is known, ``\\textgreek{...}`` or math is not) goes to
pylatexenc, imported only then. :func:`encode_plain` and :func:`encode_rich`
go the other way, escaping LaTeX's special characters so that
``decode(encode_plain(text))`` gives ``text`` back.

Brace protection: a ``{...}`` group not inside another protected group
becomes ``<span class="nocase">``, except a group that is one "special
character" (``{\\"u}``, ``{\\ss}``, ``{\\'{e}}``) or a font declaration
(``{\\it ...}``), which BibTeX does not treat as protection either. A
group that covers only part of a word (``{E}urope``, ``Mc{G}ill``,
``{DNA}s``) protects the whole word (``<span class="nocase">Europe</span>``),
which is what its writer meant: CSL processors that change case word by word
would otherwise take the letters after the group for a word of their own
(citeproc-js prints "EUrope", "McGIll"). Unlike BibTeX's sentence case, the
other letters of such a word are then kept as written (``{T}CP``).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from typing import Any

from citekit.model.markup import escape

__all__ = ["decode", "encode_plain", "encode_rich", "to_plain"]

#: Accent commands and the combining characters they put on their argument.
ACCENTS: dict[str, str] = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "d": "\u0323",
    "b": "\u0331",
    "k": "\u0328",
    "r": "\u030a",
    "t": "\u0361",
}

#: The spacing form of an accent applied to nothing (``\'{}``).
_SPACING_ACCENTS = {"'": "´", "`": "`", "^": "^", '"': "¨", "~": "~", "=": "¯", ".": "˙"}

#: Commands that stand for one letter.
LETTERS: dict[str, str] = {
    "ss": "ß",
    "SS": "SS",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
}

#: Commands (words and symbols) that stand for a symbol or punctuation.
SYMBOLS: dict[str, str] = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    "\n": " ",
    "\t": " ",
    "\\": " ",
    ",": "\u2009",
    ";": " ",
    ":": " ",
    "!": "",
    "-": "",
    "/": "",
    "@": "",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textasciigrave": "`",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "textunderscore": "_",
    "textdollar": "$",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textendash": "–",
    "textemdash": "—",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "guillemotleft": "«",
    "guillemotright": "»",
    "guillemetleft": "«",
    "guillemetright": "»",
    "og": "«",
    "fg": "»",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "S": "§",
    "P": "¶",
    "textsection": "§",
    "textparagraph": "¶",
    "copyright": "©",
    "textcopyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "dag": "†",
    "ddag": "‡",
    "textdagger": "†",
    "textdaggerdbl": "‡",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "textdegree": "°",
    "textbullet": "•",
    "textperiodcentered": "·",
    "slash": "/",
    "nobreakspace": "\u00a0",
    "quad": " ",
    "qquad": " ",
    "enspace": " ",
    "space": " ",
    "newline": " ",
    "linebreak": " ",
    "break": " ",
    "relax": "",
    "protect": "",
    "noindent": "",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "LaTeXe": "LaTeX2e",
}

#: One-argument commands that format their argument: the tag they become.
_FORMAT_TAGS: dict[str, tuple[str, str]] = {
    "textit": ("<i>", "</i>"),
    "emph": ("<i>", "</i>"),
    "textsl": ("<i>", "</i>"),
    "mkbibemph": ("<i>", "</i>"),
    "mkbibitalic": ("<i>", "</i>"),
    "textbf": ("<b>", "</b>"),
    "mkbibbold": ("<b>", "</b>"),
    "textsc": ('<span style="font-variant:small-caps;">', "</span>"),
    "textsuperscript": ("<sup>", "</sup>"),
    "mkbibsuperscript": ("<sup>", "</sup>"),
    "textsubscript": ("<sub>", "</sub>"),
    "mkbibsubscript": ("<sub>", "</sub>"),
    "NoCaseChange": ('<span class="nocase">', "</span>"),
    "nocase": ('<span class="nocase">', "</span>"),
    # Commands that keep their argument's text and drop their own meaning.
    "textup": ("", ""),
    "textnormal": ('<span class="nodecor">', "</span>"),
    "textrm": ("", ""),
    "textsf": ("", ""),
    "texttt": ("", ""),
    "textmd": ("", ""),
    "mbox": ("", ""),
    "hbox": ("", ""),
    "text": ("", ""),
    "url": ("", ""),
    "nolinkurl": ("", ""),
    "path": ("", ""),
    "mkbibacro": ("", ""),
    "textlatin": ("", ""),
    "foreignlanguage": ("", ""),  # first argument dropped below
    "mkbibquote": ("“", "”"),
    "enquote": ("“", "”"),
    "textquote": ("“", "”"),
    "mkbibparens": ("(", ")"),
    "mkbibbrackets": ("[", "]"),
}

#: Commands whose first argument is dropped before the formatted one.
_SKIP_FIRST_ARG = frozenset({"href", "foreignlanguage"})

#: Commands whose one argument is dropped entirely (sorting helpers).
_DROP_ARG = frozenset({"noopsort", "sortnoop", "SortNoop", "noop", "hyphenation"})

#: Font declarations: the tag they open until the end of the group.
_DECLARATIONS: dict[str, tuple[str, str]] = {
    "it": ("<i>", "</i>"),
    "itshape": ("<i>", "</i>"),
    "em": ("<i>", "</i>"),
    "sl": ("<i>", "</i>"),
    "slshape": ("<i>", "</i>"),
    "bf": ("<b>", "</b>"),
    "bfseries": ("<b>", "</b>"),
    "sc": ('<span style="font-variant:small-caps;">', "</span>"),
    "scshape": ('<span style="font-variant:small-caps;">', "</span>"),
    "rm": ("", ""),
    "normalfont": ("", ""),
    "upshape": ("", ""),
    "tt": ("", ""),
    "ttfamily": ("", ""),
    "sf": ("", ""),
    "sffamily": ("", ""),
    "mdseries": ("", ""),
    "rmfamily": ("", ""),
}

_NOCASE_OPEN = '<span class="nocase">'
_NOCASE_CLOSE = "</span>"

# What needs attention; text between matches is copied as it is (single spaces,
# single hyphens and apostrophes included, so ordinary prose goes fast).
_SPECIAL = re.compile(r"[\\{}$~`]|--|''|[\t\r\n][ \t\r\n]*|  [ \t\r\n]*")
# The specials other than whitespace and dashes, and a blank line (a paragraph break).
_MARKUP = re.compile(r"[\\{}$~`]|''")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
# A whitespace run other than one space (so that prose makes few matches).
_SPACE_RUN = re.compile(r"[ \t\r\n]{2,}|[\t\r\n]")
_WORD = re.compile(r"[A-Za-z]+")
_SPACES = re.compile(r"[ \t\r\n]*")
_TRAILING_SPACE = re.compile(r"[ \t\r\n]+((?:<[^<>]*>)*)$")
_MAX_DEPTH = 64  # deeper accent arguments are read as plain text


def decode(text: str, *, paragraphs: bool = False) -> tuple[str, str | None]:
    """LaTeX to ``(plain, rich)``: plain Unicode text, and marked-up text or None.

    ``rich`` is None when the markup would add nothing to the escaped plain
    text. Whitespace runs become one space and the ends are stripped; with
    ``paragraphs`` a blank line (or ``\\par``) becomes ``"\\n\\n"``. Never raises.
    """
    if _SPECIAL.search(text) is None and text == text.strip(" "):
        return text, None
    if _MARKUP.search(text) is None and not (paragraphs and _BLANK_LINE.search(text)):
        # Only line breaks, runs of spaces and dashes: what the decoder makes of
        # them, without it (whitespace runs become one space, "---" an em dash
        # and "--" an en dash, left to right; the ends are stripped).
        plain = _SPACE_RUN.sub(" ", text)
        if "--" in plain:
            plain = plain.replace("---", "—").replace("--", "–")
        return plain.strip(" "), None
    return _decode_all(text, paragraphs)


def _decode_all(text: str, paragraphs: bool) -> tuple[str, str | None]:
    """:func:`decode` by the decoder, whatever the text holds."""
    decoder = _Decoder(text, paragraphs, 0)
    decoder.run()
    plain = "".join(decoder.plain)
    if not decoder.marked:
        return plain.rstrip(" \n"), None
    rich = "".join(decoder.rich)
    if plain.endswith((" ", "\n")):
        plain = plain.rstrip(" \n")
        rich = _TRAILING_SPACE.sub(r"\1", rich)
    if rich == escape(plain):
        return plain, None
    if _NOCASE_OPEN in rich:
        rich = _PARTIAL_WORD.sub(_whole_word, rich)
    return plain, rich


# A nocase span with letters glued to it on either side (no tag inside).
_PARTIAL_WORD = re.compile(r'(\w*)<span class="nocase">([^<]*)</span>(\w*)')


def _whole_word(match: re.Match[str]) -> str:
    """The nocase span of ``match`` widened to the word it is part of."""
    before, inner, after = match.groups()
    if not before and not after:
        return match.group(0)
    return f"{_NOCASE_OPEN}{before}{inner}{after}{_NOCASE_CLOSE}"


def to_plain(text: str) -> str:
    """LaTeX to plain Unicode text (names, keys, short fields)."""
    return decode(text)[0]


class _Frame:
    __slots__ = ("close", "closers", "opened_at", "protected")

    def __init__(self, close: str, protected: bool, opened_at: int) -> None:
        self.close = close
        self.protected = protected
        self.opened_at = opened_at  # len(rich) after the opening tag
        self.closers: list[str] = []


class _Decoder:
    """A single pass over the text with an explicit stack of groups (no recursion
    on braces, so deep nesting cannot overflow Python's stack)."""

    def __init__(self, text: str, paragraphs: bool, depth: int) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.paragraphs = paragraphs
        self.depth = depth
        self.plain: list[str] = []
        self.rich: list[str] = []
        self.marked = False
        self.last = ""  # the last character of plain text written ("" at the start)
        self.space_at = (0, 0)  # where the last trailing space was written
        self.stack: list[_Frame] = []

    # -- output ---------------------------------------------------------------

    def emit(self, text: str) -> None:
        if self.last in ("", " ", "\n") and text.startswith(" "):
            text = text.lstrip(" ")
        if not text:
            return
        self.plain.append(text)
        self.rich.append(escape(text))
        self.last = text[-1]
        if self.last == " ":
            self.space_at = (len(self.plain) - 1, len(self.rich) - 1)

    def space(self, kind: str = " ") -> None:
        if kind == "\n\n" and self.last == " ":
            # A paragraph break after a space: the break replaces the space.
            p, r = self.space_at
            self.plain[p] = self.plain[p][:-1]
            self.rich[r] = self.rich[r][:-1]
            self.last = "x"
        if self.last in ("", " ", "\n"):
            return
        self.plain.append(kind)
        self.rich.append(kind)
        self.last = kind[-1]
        if kind == " ":
            self.space_at = (len(self.plain) - 1, len(self.rich) - 1)

    def tag(self, markup: str) -> None:
        if not markup:
            return
        if markup.startswith("<"):
            self.marked = True
            self.rich.append(markup)
        else:  # punctuation from a wrapping command (quotes, parentheses)
            self.emit(markup)

    @property
    def protected(self) -> bool:
        return bool(self.stack) and self.stack[-1].protected

    # -- groups ---------------------------------------------------------------

    def open_group(self, open_tag: str, close_tag: str, protected: bool) -> None:
        self.tag(open_tag)
        self.stack.append(_Frame(close_tag, protected, len(self.rich)))

    def close_group(self) -> None:
        frame = self.stack.pop()
        for closer in reversed(frame.closers):
            self.tag(closer)
        if (
            frame.close.startswith("<")
            and len(self.rich) == frame.opened_at
            and self.rich
            and self.rich[-1].startswith("<")
        ):
            self.rich.pop()  # an empty group: no markup at all
            return
        self.tag(frame.close)

    # -- reading --------------------------------------------------------------

    def run(self) -> None:
        s, n = self.s, self.n
        special = _SPECIAL
        while self.i < n:
            m = special.search(s, self.i)
            if m is None:
                self.emit(s[self.i :])
                self.i = n
                break
            if m.start() > self.i:
                self.emit(s[self.i : m.start()])
            self.i = m.start()
            tok = m.group(0)
            ch = tok[0]
            if ch == "\\":
                self.command()
            elif ch == "{":
                self.brace()
            elif ch == "}":
                self.i += 1
                if self.stack:
                    self.close_group()
            elif ch == "$":
                self.math()
            elif ch == "~":
                self.i += 1
                self.emit("\u00a0")
            elif ch == "-":
                if s.startswith("---", self.i):
                    self.emit("—")
                    self.i += 3
                else:
                    self.emit("–")
                    self.i += 2
            elif ch == "`":
                if s.startswith("``", self.i):
                    self.emit("“")
                    self.i += 2
                else:
                    self.emit("‘")
                    self.i += 1
            elif ch == "'":
                self.emit("”")
                self.i += 2
            else:  # a run of whitespace
                if self.paragraphs and tok.count("\n") >= 2:
                    self.space("\n\n")
                else:
                    self.space(" ")
                self.i = m.end()
        while self.stack:
            self.close_group()

    def brace(self) -> None:
        s = self.s
        self.i += 1
        if s.startswith("}", self.i):  # {} separates, adds nothing
            self.i += 1
            return
        if self.protected:
            self.open_group("", "", True)
            return
        if s.startswith("\\", self.i):
            name = self.peek_command(self.i)
            if name in ACCENTS or name in LETTERS or name in _DECLARATIONS:
                # A "special character" ({\"u}, {\ss}) or a declaration
                # ({\it x}): not case protection.
                self.open_group("", "", False)
                return
        self.open_group(_NOCASE_OPEN, _NOCASE_CLOSE, True)

    def peek_command(self, at: int) -> str:
        m = _WORD.match(self.s, at + 1)
        if m:
            return m.group(0)
        return self.s[at + 1 : at + 2]

    def skip_spaces(self) -> None:
        m = _SPACES.match(self.s, self.i)
        if m:
            self.i = m.end()

    def command(self) -> None:
        s = self.s
        start = self.i
        m = _WORD.match(s, start + 1)
        if m:
            name = m.group(0)
            self.i = m.end()
            word = True
        elif start + 1 < self.n:
            name = s[start + 1]
            self.i = start + 2
            word = False
        else:  # a lone backslash at the end
            self.i = start + 1
            self.emit("\\")
            return
        if name in ACCENTS and (word or name in "'`^\"~=."):
            self.accent(name)
            return
        if word:
            self.skip_spaces_after_word()
        if name in LETTERS:
            self.emit(LETTERS[name])
        elif name in SYMBOLS:
            text = SYMBOLS[name]
            if text == " ":
                self.space(" ")
            else:
                self.emit(text)
        elif name == "par":
            self.space("\n\n" if self.paragraphs else " ")
        elif name in _FORMAT_TAGS:
            if name in _SKIP_FIRST_ARG:
                self.skip_argument()
            self.formatted(*_FORMAT_TAGS[name])
        elif name == "href":
            self.skip_argument()
            self.formatted("", "")
        elif name in _DROP_ARG:
            self.skip_argument()
        elif name in _DECLARATIONS:
            open_tag, close_tag = _DECLARATIONS[name]
            if self.stack:
                self.tag(open_tag)
                if close_tag:
                    self.stack[-1].closers.append(close_tag)
            elif open_tag:
                # A declaration outside any group lasts to the end.
                self.open_group(open_tag, close_tag, False)
        else:
            self.fallback(start)

    def skip_spaces_after_word(self) -> None:
        # TeX skips spaces after a control word; a following blank line still counts.
        m = _SPACES.match(self.s, self.i)
        if m and m.end() > self.i:
            if self.paragraphs and self.s.count("\n", self.i, m.end()) >= 2:
                return
            self.i = m.end()

    def skip_argument(self) -> None:
        self.skip_spaces()
        if self.i < self.n and self.s[self.i] == "{":
            self.i = _matching_brace(self.s, self.i)
        elif self.i < self.n and self.s[self.i] != "}":
            self.i += 1

    def formatted(self, open_tag: str, close_tag: str) -> None:
        """A command whose (next) argument gets ``open_tag``...``close_tag``."""
        self.skip_spaces()
        protected = self.protected or open_tag == _NOCASE_OPEN
        if self.i < self.n and self.s[self.i] == "{":
            self.i += 1
            self.open_group(open_tag, close_tag, protected)
            return
        if self.i < self.n and self.s[self.i] != "}":
            # \emph x: the argument is one character (or one command).
            self.tag(open_tag)
            if self.s[self.i] == "\\":
                self.command()
            else:
                self.emit(self.s[self.i])
                self.i += 1
            self.tag(close_tag)

    def accent(self, name: str) -> None:
        s = self.s
        self.skip_spaces()
        arg = ""
        if self.i < self.n:
            if s[self.i] == "{":
                end = _matching_brace(s, self.i)
                inner = s[self.i + 1 : end - 1] if s[end - 1 : end] == "}" else s[self.i + 1 : end]
                self.i = end
                if self.depth < _MAX_DEPTH:
                    arg = _Decoder.plain_of(inner, self.depth + 1)
                else:
                    arg = re.sub(r"[\\{}]", "", inner)
            elif s[self.i] == "\\":
                m = _WORD.match(s, self.i + 1)
                if m and m.group(0) in LETTERS:
                    arg = LETTERS[m.group(0)]
                    self.i = m.end()
            elif s[self.i] != "}":
                arg = s[self.i]
                self.i += 1
        self.emit(apply_accent(name, arg))

    @staticmethod
    def plain_of(text: str, depth: int) -> str:
        decoder = _Decoder(text, False, depth)
        decoder.run()
        return "".join(decoder.plain).strip()

    def math(self) -> None:
        s = self.s
        end = self.i + 1
        while True:
            end = s.find("$", end)
            if end < 0 or s[end - 1] != "\\":
                break
            end += 1
        if end < 0:
            self.i += 1
            self.emit("$")
            return
        snippet = s[self.i : end + 1]
        self.i = end + 1
        self.emit(_pylatexenc_text(snippet))

    def fallback(self, start: int) -> None:
        """An unknown command: it and its brace arguments go to pylatexenc."""
        s = self.s
        end = self.i
        while True:
            m = _SPACES.match(s, end)
            probe = m.end() if m else end
            if probe < self.n and s[probe] == "{":
                end = _matching_brace(s, probe)
            else:
                break
        snippet = s[start:end]
        self.i = end
        self.emit(_pylatexenc_text(snippet))


def apply_accent(name: str, base: str) -> str:
    """Put the accent of command ``name`` (``'``, ``"``, ``v``, ...) on ``base``."""
    if not base:
        return _SPACING_ACCENTS.get(name, "")
    first = base[0]
    if first == "ı":
        first = "i"
    elif first == "ȷ":
        first = "j"
    combined = unicodedata.normalize("NFC", first + ACCENTS[name])
    return combined + base[1:]


def _matching_brace(text: str, start: int) -> int:
    """The index after the ``}`` matching the ``{`` at ``start`` (or the end of text)."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


@functools.lru_cache(maxsize=1)
def _latex2text() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


@functools.lru_cache(maxsize=4096)
def _pylatexenc_text(snippet: str) -> str:
    """Text of a LaTeX snippet by pylatexenc; its braces and backslashes dropped if it fails."""
    try:
        text = str(_latex2text().latex_to_text(snippet))
    except Exception:  # pylatexenc is a fallback: any failure degrades to stripping
        text = re.sub(r"\\[A-Za-z]+|[\\{}$]", "", snippet)
    return " ".join(text.split()) if text.strip() else text.strip()


# --- encoding -------------------------------------------------------------------

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",  # not \{: BibTeX counts that brace
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\u00a0": "~",
    "\u2009": r"\,",
    "`": r"\textasciigrave{}",
}
_ESCAPE_RE = re.compile(r"[\\{}&%$#_~^\u00a0\u2009`]|-(?=-)|'(?=')|[ \t\r\n]+")

_ASCII_SYMBOLS = {
    "–": "--",
    "—": "---",
    "“": "``",
    "”": "''",
    "‘": "`",
    "’": "'",
    "…": r"\ldots{}",
    "«": r"\guillemotleft{}",
    "»": r"\guillemotright{}",
    "§": r"\S{}",
    "¶": r"\P{}",
    "©": r"\copyright{}",
    "®": r"\textregistered{}",
    "™": r"\texttrademark{}",
    "†": r"\dag{}",
    "‡": r"\ddag{}",
    "£": r"\pounds{}",
    "€": r"\euro{}",
    "°": r"\textdegree{}",
    "•": r"\textbullet{}",
    "·": r"\textperiodcentered{}",
}
_LETTER_COMMANDS = {v: k for k, v in LETTERS.items() if len(v) == 1}
_ACCENT_COMMANDS = {v: k for k, v in ACCENTS.items()}


def encode_plain(text: str, *, ascii: bool = False) -> str:
    """Plain text to LaTeX: special characters escaped, so :func:`decode` gives it back.

    Blank lines become ``\\par``; other whitespace runs one space. With
    ``ascii``, non-ASCII characters become LaTeX commands (``{\\"u}``,
    ``{\\ss}``, ``--``); characters LaTeX has no command for are kept.
    """

    def replace(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok in ("-", "'"):  # one of a run: keep the run from becoming a ligature
            return tok + "{}"
        if tok[0] in " \t\r\n":
            return r" \par " if tok.count("\n") >= 2 else " "
        return _ESCAPES[tok]

    out = _ESCAPE_RE.sub(replace, text)
    if ascii and not out.isascii():
        out = "".join(_ascii_char(ch) if ord(ch) > 127 else ch for ch in out)
    return out


def _ascii_char(ch: str) -> str:
    if ch in _ASCII_SYMBOLS:
        return _ASCII_SYMBOLS[ch]
    if ch in _LETTER_COMMANDS:
        return "{\\" + _LETTER_COMMANDS[ch] + "}"
    decomposed = unicodedata.normalize("NFD", ch)
    if (
        len(decomposed) >= 2
        and decomposed[0].isascii()
        and all(mark in _ACCENT_COMMANDS for mark in decomposed[1:])
    ):
        base = decomposed[0]
        out = "\\" + base if base in "ij" else base  # accents sit on a dotless i/j
        for mark in decomposed[1:]:
            out = "\\" + _ACCENT_COMMANDS[mark] + "{" + out + "}"
        return "{" + out + "}"
    return _pylatexenc_encode(ch)


@functools.lru_cache(maxsize=1024)
def _pylatexenc_encode(ch: str) -> str:
    try:
        from pylatexenc.latexencode import UnicodeToLatexEncoder

        encoder = _unicode_encoder(UnicodeToLatexEncoder)
        out = str(encoder.unicode_to_latex(ch))
    except Exception:  # keep the character when pylatexenc cannot help
        return ch
    if out == ch or "\\" not in out:
        return out
    return out if out.startswith("{") else "{" + out + "}"


@functools.lru_cache(maxsize=1)
def _unicode_encoder(cls: Any) -> Any:
    return cls(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


_RICH_TAG = re.compile(
    r"<(/?)(i|b|sup|sub)>|<span\s+class=\"(?:nocase|nodecor)\">|"
    r"<span\s+style=\"font-variant:\s*small-caps;?\">|</span>"
)
_OPEN_LATEX = {
    "i": r"\textit{",
    "b": r"\textbf{",
    "sup": r"\textsuperscript{",
    "sub": r"\textsubscript{",
}


def encode_rich(markup: str, *, ascii: bool = False) -> str:
    """CSL-JSON's marked-up text to LaTeX (``<i>`` → ``\\textit{}``, nocase → ``{}``).

    Braces always balance, whatever the markup: stray closing tags are dropped
    and unclosed ones closed at the end.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for m in _RICH_TAG.finditer(markup):
        if m.start() > pos:
            out.append(encode_plain(html.unescape(markup[pos : m.start()]), ascii=ascii))
        pos = m.end()
        tok = m.group(0)
        if m.group(2):  # i, b, sup, sub
            name = m.group(2)
            if m.group(1):  # closing
                if name in stack:
                    while stack:
                        top = stack.pop()
                        out.append("}")
                        if top == name:
                            break
            else:
                stack.append(name)
                out.append(_OPEN_LATEX[name])
        elif tok == "</span>":
            if "span" in stack:
                while stack:
                    top = stack.pop()
                    out.append("}")
                    if top == "span":
                        break
        elif "nocase" in tok:
            stack.append("span")
            out.append("{")
        elif "nodecor" in tok:  # CSL's "no decoration": LaTeX's upright, normal font
            stack.append("span")
            out.append(r"\textnormal{")
        else:  # small caps
            stack.append("span")
            out.append(r"\textsc{")
    if pos < len(markup):
        out.append(encode_plain(html.unescape(markup[pos:]), ascii=ascii))
    out.extend("}" for _ in stack)
    return "".join(out)
