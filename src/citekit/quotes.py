"""Checking a quotation against its source.

:func:`check_quote` finds a quoted passage in the text it comes from (plain
text, Markdown or HTML) and says whether it is quoted exactly, with
differences, or not found at all::

    check = citekit.check_quote(excerpt, source_text)
    check.verdict        # "exact", "differences" or "not-found"
    check.span.line      # where the passage starts in the source
    print(check.report())

What is *not* a difference: line breaks and reflowed lines, words hyphenated
at the end of a line ("revolu-" / "tion"), typographic versus straight
quotation marks and apostrophes, the kinds of dash, spacing, Unicode
normalisation (composed or decomposed accents, ligatures), Markdown and HTML
markup, and an ellipsis in the quotation ("...", "…", "[...]", "[…]")
standing for words left out. What is: a changed, missing or added word, a
change of case ("stalinist" for "Stalinist") or of punctuation. The source's
footnote markers ("[7]", "[^7]", "⁷", ``<sup>7</sup>``) present on one side
only are reported as differences of kind ``"marker"`` that do not count,
unless ``strict_markers`` is set.

The search is fast on long sources (a book of a megabyte): the quotation's
rarest words point to candidate places, and only those places are aligned
word by word (:class:`difflib.SequenceMatcher`).
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from html import unescape
from html.parser import HTMLParser
from os import PathLike
from pathlib import Path
from typing import Literal

import attrs

from citekit.errors import CitekitError, FormatError
from citekit.model.excerpts import Excerpt, fold

__all__ = [
    "Difference",
    "QuoteCheck",
    "Span",
    "check_quote",
    "format_for_path",
    "guess_format",
    "read_source",
    "source_to_text",
]

SourceFormat = Literal["text", "markdown", "html"]
Verdict = Literal["exact", "differences", "not-found"]
DifferenceKind = Literal["changed", "case", "punctuation", "missing", "added", "marker"]

_FORMATS = ("text", "markdown", "html")

# --- results -----------------------------------------------------------------------------


@attrs.frozen
class Span:
    """A stretch of the source text: character offsets and 1-based lines and column.

    ``start`` and ``end`` index the source as given to :func:`check_quote`
    (the HTML or Markdown file's text, not the text extracted from it).
    """

    start: int
    end: int
    line: int
    column: int
    end_line: int


@attrs.frozen
class Difference:
    """One way the quotation departs from its source.

    ``kind`` is "changed" (words replaced), "case" (same words, other case),
    "punctuation", "missing" (source words the quotation leaves out without
    an ellipsis), "added" (quotation words not in the source) or "marker" (a
    footnote marker on one side only). ``source`` holds the source's words
    (empty for "added"), ``quote`` the quotation's (empty for "missing").
    ``span`` is where it is in the source (for "added", the point where the
    words would go). A difference reads as ``line 12: case: - Stalinist +
    stalinist``: "-" the source's words, "+" the quotation's.
    """

    kind: DifferenceKind
    source: str
    quote: str
    span: Span | None = None

    @property
    def line(self) -> int | None:
        """The source line of the difference, if it could be placed."""
        return None if self.span is None else self.span.line

    def __str__(self) -> str:
        parts = [f"line {self.line}: " if self.span is not None else "", f"{self.kind}:"]
        if self.source:
            parts.append(f" - {self.source}")
        if self.quote:
            parts.append(f" + {self.quote}")
        return "".join(parts)


@attrs.frozen
class QuoteCheck:
    """The outcome of :func:`check_quote`.

    - ``verdict``: "exact" (found, and no difference that counts),
      "differences" (found, with differences) or "not-found";
    - ``span``: where the quotation is in the source, from its first word to
      its last (None when not found); ``pieces``: the spans of the parts
      between ellipses, in order;
    - ``differences``: every difference, "marker" ones included;
    - ``similarity``: from 0 to 1, the share of words (and punctuation)
      the quotation and the source's span have in common, 1.0 for an exact
      quotation; words that differ only in case, accents or punctuation
      count half, and words left out at an ellipsis do not count;
    - ``marked``: the quotation with the differences marked up, wdiff-style:
      ``[-source's words-]{+quotation's words+}``;
    - ``format``: how the source was read ("text", "markdown" or "html");
    - ``partial``, ``partial_text``, ``partial_words``: for a quotation not
      found, what the source holds of it and where.

    A quotation is found when the words the source has in common with it,
    in order, carry most of what the quotation says: words are weighed by
    how rare they are in the source, so that a made-up sentence sharing
    "the", "of the" and "party" with the source is not found, while a
    quotation with a few words changed is found, with each change listed.
    """

    verdict: Verdict
    span: Span | None
    pieces: tuple[Span, ...]
    differences: tuple[Difference, ...]
    similarity: float
    marked: str
    format: SourceFormat
    strict_markers: bool = False
    partial: Span | None = None
    """For a quotation not found: where the longest run of its words that the
    source does hold is (None when no run of three words or more is there)."""
    partial_text: str = ""
    """The quotation's words found at ``partial``."""
    partial_words: tuple[int, int] = (0, 0)
    """How many of the quotation's words were found at ``partial``, and of how many."""

    @property
    def found(self) -> bool:
        """True when the quotation was found in the source (exactly or not)."""
        return self.verdict != "not-found"

    @property
    def exact(self) -> bool:
        """True for an exact quotation."""
        return self.verdict == "exact"

    @property
    def real_differences(self) -> tuple[Difference, ...]:
        """The differences that count: all but markers, unless markers are strict."""
        return tuple(d for d in self.differences if self.strict_markers or d.kind != "marker")

    def report(self) -> str:
        """A report for a person: the verdict, the place, and each difference on a line."""
        if self.span is None:
            if self.partial is None:
                return (
                    f"not found: the quotation is not in the source (best similarity"
                    f" {self.similarity:.2f})"
                )
            found, total = self.partial_words
            where = (
                f"line {self.partial.line}, column {self.partial.column}"
                if self.partial.line == self.partial.end_line
                else f"lines {self.partial.line}-{self.partial.end_line}"
            )
            text = self.partial_text
            if len(text) > 80:
                text = text[:38].rstrip() + " … " + text[-38:].lstrip()
            return (
                f"not found: the source holds only part of the quotation: {found} of its"
                f" {total} words, “{text}”, at {where}; the rest is not there"
            )
        where = (
            f"line {self.span.line}"
            if self.span.line == self.span.end_line
            else f"lines {self.span.line}-{self.span.end_line}"
        )
        counted = self.real_differences
        if self.verdict == "exact":
            lines = [f"exact: the quotation matches the source at {where}"]
        else:
            many = "difference" if len(counted) == 1 else "differences"
            lines = [
                f"differences: {len(counted)} {many} from the source at {where}"
                f" (similarity {_shown_similarity(self.similarity)})"
            ]
        lines.extend(f"  {d}" for d in counted)
        ignored = [d for d in self.differences if d not in counted]
        if ignored:
            lines.append("footnote markers on one side only (not counted):")
            lines.extend(f"  {d}" for d in ignored)
        return "\n".join(lines)


def _shown_similarity(similarity: float) -> str:
    """A similarity for a report: two decimals, three when two would round up to 1.00."""
    if similarity < 0.995:
        return f"{similarity:.2f}"
    return f"{min(similarity, 0.999):.3f}"


# --- sources to plain text -----------------------------------------------------------------


class _Plain:
    """Text extracted from a source, with the source offset of each piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []  # offset of each piece in the plain text
        self.origins: list[int] = []  # offset of each piece in the source
        self.exact: list[bool] = []  # True: the piece is the source's text, char for char
        self.length = 0
        self.text = ""

    def add(self, text: str, origin: int, exact: bool = True) -> None:
        if not text:
            return
        if (
            exact
            and self.exact
            and self.exact[-1]
            and self.origins[-1] + len(self.parts[-1]) == origin
        ):
            self.parts[-1] += text  # contiguous in the source: one piece
        else:
            self.parts.append(text)
            self.starts.append(self.length)
            self.origins.append(origin)
            self.exact.append(exact)
        self.length += len(text)

    def finish(self) -> _Plain:
        self.text = "".join(self.parts)
        return self

    def source_offset(self, offset: int) -> int:
        """The source offset of the plain text's character at ``offset``."""
        if not self.starts:
            return 0
        i = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        if self.exact[i]:
            return self.origins[i] + min(offset - self.starts[i], len(self.parts[i]))
        return self.origins[i]


def _plain_text(text: str) -> _Plain:
    plain = _Plain()
    plain.add(text, 0)
    return plain.finish()


_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody"),
        *("td", "tfoot", "th", "thead", "title", "tr", "ul"),
    }
)


_FOOTNOTE_MARK = re.compile(r"\s*\[?\s*(\d{1,3}[a-z]?|[a-z]|[*†‡§])\s*\]?\s*")


def _marker_text(mark: str) -> str:
    """A footnote mark of a ``<sup>`` as a marker the tokenizer knows: " [7]", " [^a]"."""
    return f" [{mark}]" if mark[0].isdigit() or mark in "*†‡§" else f" [^{mark}]"


class _HtmlText(HTMLParser):
    """The text of an HTML document: tags dropped, scripts and styles skipped.

    A ``<sup>`` holding a footnote mark ("7", "[7]", "a", "*") reads as
    "[7]"; any other ``<sup>`` ("19<sup>th</sup>") as its text.
    """

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.plain = _Plain()
        self.skipping = 0
        self.sup: list[tuple[str, int, bool]] | None = None  # inside <sup>: its text
        self.sup_start = 0
        self.line_starts = [0]
        for m in re.finditer(r"\n", source):
            self.line_starts.append(m.end())

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _add(self, text: str, exact: bool = True) -> None:
        if self.skipping:
            return
        if self.sup is not None:
            self.sup.append((text, self._offset(), exact))
        else:
            self.plain.add(text, self._offset(), exact)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self._add("\n", exact=False)
        elif tag == "sup" and not self.skipping and self.sup is None:
            self.sup = []
            self.sup_start = self._offset()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._add("\n", exact=False)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in _BLOCK_TAGS:
            self._add("\n", exact=False)
        elif tag == "sup" and self.sup is not None:
            parts, self.sup = self.sup, None
            mark = _FOOTNOTE_MARK.fullmatch("".join(p[0] for p in parts))
            if mark is not None:
                self.plain.add(_marker_text(mark.group(1)), self.sup_start, exact=False)
            else:
                for text, offset, exact in parts:
                    self.plain.add(text, offset, exact)

    def handle_data(self, data: str) -> None:
        self._add(data)

    def handle_entityref(self, name: str) -> None:
        self._add(unescape(f"&{name};"), exact=False)

    def handle_charref(self, name: str) -> None:
        self._add(unescape(f"&#{name};"), exact=False)


def _html_text(source: str) -> _Plain:
    parser = _HtmlText(source)
    parser.feed(source)
    parser.close()
    return parser.plain.finish()


_MD_FENCE = re.compile(r"[ \t]{0,3}(?:```|~~~)")
_MD_REFERENCE = re.compile(r"[ \t]{0,3}\[[^\]^][^\]]*\]:[ \t]*\S+.*")
_MD_RULE = re.compile(r"[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)")
_MD_PREFIX = re.compile(r"[ \t]{0,3}(?:>[ \t]?)+|[ \t]{0,3}#{1,6}(?:[ \t]+|$)|[ \t]*[-*+][ \t]+")
_MD_NUMBERED = re.compile(r"[ \t]*\d{1,3}[.)][ \t]+")
_MD_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
_MD_INLINE = re.compile(
    r"""\\(?P<escaped>[\\`*_{}\[\]()#+\-.!>~|])
    |!\[(?P<alt>[^\]]*)\]\((?:<[^>]*>|[^)\s]*)(?:\s+(?:"[^"]*"|'[^']*'))?\)
    |\[(?P<link>[^\]]+)\]\((?:<[^>]*>|[^)\s]*)(?:\s+(?:"[^"]*"|'[^']*'))?\)
    |\[(?P<ref>[^\]^][^\]]*)\]\[[^\]]*\]
    |<(?P<url>(?:https?|ftp|mailto):[^>\s]+)>
    |<sup>\s*\[?(?P<sup>\d{1,3}[a-z]?|[a-z]|[*†‡§])\]?\s*</sup>
    |<(?P<close>/?)(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>
    |`+
    |\*{1,3}(?=\S)|(?<=\S)\*{1,3}
    |(?<![\w\\])(?:_{1,3}|~~)(?=\S)
    |(?<=\S)(?:_{1,3}|~~)(?!\w)""",
    re.VERBOSE,
)


def _markdown_inline(plain: _Plain, text: str, origin: int) -> None:
    """Add a line's inline Markdown as text: emphasis, code marks and link targets dropped."""
    position = 0
    for m in _MD_INLINE.finditer(text):
        plain.add(text[position : m.start()], origin + position)
        position = m.end()
        kind = m.lastgroup
        if kind in ("escaped", "url"):
            plain.add(m.group(kind), origin + m.start(kind))
        elif kind in ("alt", "link", "ref"):
            _markdown_inline(plain, m.group(kind), origin + m.start(kind))
        elif kind == "sup":  # a footnote mark
            plain.add(_marker_text(m.group("sup")), origin + m.start(), exact=False)
        elif kind == "tag" and m.group("tag").lower() in _BLOCK_TAGS:
            plain.add("\n", origin + m.start(), exact=False)
    plain.add(text[position:], origin + position)


def _markdown_text(source: str) -> _Plain:
    plain = _Plain()
    offset = 0
    fenced = False
    after_break = True  # at the start, after a blank line or a list item
    for line in source.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = offset
        offset += len(line)
        if _MD_FENCE.match(body):
            fenced = not fenced
            plain.add("\n", start, exact=False)
            continue
        if fenced:
            plain.add(body + "\n", start)
            continue
        if not body.strip():
            after_break = True
            plain.add("\n", start, exact=False)
            continue
        if _MD_REFERENCE.fullmatch(body) or _MD_RULE.fullmatch(body):
            plain.add("\n", start, exact=False)
            continue
        position = 0
        listed = False
        while True:
            m = _MD_PREFIX.match(body, position)
            if m is None and after_break:
                m = _MD_NUMBERED.match(body, position)
            if m is None or m.end() == position:
                break
            listed = listed or m.group().strip()[:1] not in (">", "#")
            position = m.end()
        after_break = listed
        end = len(body)
        if "#" in body[:position]:  # a heading: closing hashes go too
            m = _MD_CLOSING_HASHES.search(body, position)
            end = m.start() if m else end
        _markdown_inline(plain, body[position:end], start + position)
        plain.add("\n", start + len(body), exact=False)
    return plain.finish()


_HTML_HINT = re.compile(
    r"<!doctype\s+html|<html[\s>]|<body[\s>]|</(?:p|div|span|a|em|strong|i|b|blockquote|"
    r"h[1-6]|li|sup|section|article|td)>",
    re.IGNORECASE,
)
_MARKDOWN_HINT = re.compile(
    r"^[ \t]{0,3}>|^[ \t]{0,3}#{1,6}[ \t]|\[[^\]\n]+\]\([^)\s]+\)|(\*\*|__)\S[^\n]*?\S\1"
    r"|^[ \t]{0,3}```",
    re.MULTILINE,
)


def guess_format(text: str) -> SourceFormat:
    """How a source text is written: "html", "markdown" or "text".

    HTML is recognised by its doctype, ``<html>`` or ``<body>`` or a closing
    tag of a common element; Markdown by blockquote (">") or heading ("#")
    lines, links, strong emphasis or fenced code; anything else is text.
    Only the first 100,000 characters are looked at.
    """
    text = text[:100_000]
    if _HTML_HINT.search(text):
        return "html"
    if _MARKDOWN_HINT.search(text):
        return "markdown"
    return "text"


_SUFFIX_FORMATS: dict[str, SourceFormat] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".txt": "text",
    ".text": "text",
}


def format_for_path(path: str | PathLike[str]) -> SourceFormat | None:
    """The source format a file name suggests (".html", ".md", ".txt"), or None."""
    return _SUFFIX_FORMATS.get(Path(path).suffix.lower())


def read_source(path: str | PathLike[str]) -> tuple[str, SourceFormat]:
    """A source file's text and its format (from its name, else guessed).

    The file is read as UTF-8 (a byte-order mark is dropped). Raises
    :class:`~citekit.CitekitError` naming the file when it cannot be read,
    and :class:`~citekit.FormatError` when it is not UTF-8 text.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CitekitError(f"{path}: cannot read the source: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(
            f"{path}:{line}: the source is not UTF-8 text (byte {data[error.start]:#04x}"
            f" at offset {error.start})"
        ) from None
    return text, format_for_path(path) or guess_format(text)


def source_to_text(source: str, format: SourceFormat | None = None) -> str:
    """The plain text :func:`check_quote` reads from a source (markup removed)."""
    return _to_plain(source, _check_format(format, source)).text


def _check_format(format: str | None, source: str) -> SourceFormat:
    if format is None:
        return guess_format(source)
    if format == "text":
        return "text"
    if format == "markdown":
        return "markdown"
    if format == "html":
        return "html"
    raise FormatError(f"unknown source format {format!r}; expected one of {', '.join(_FORMATS)}")


def _to_plain(source: str, format: SourceFormat) -> _Plain:
    if format == "html":
        return _html_text(source)
    if format == "markdown":
        return _markdown_text(source)
    return _plain_text(source)


# --- tokens --------------------------------------------------------------------------------

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_MARKER = rf"\[\^?\d{{1,3}}[a-z]?\]|\[\^[^\]\s]{{1,20}}\]|\[[*†‡§]\]|[{_SUPERSCRIPTS}]+"
_SOURCE_TOKEN = re.compile(rf"(?P<marker>{_MARKER})|[^\s\[{_SUPERSCRIPTS}]+|\S")
_ELLIPSIS = r"\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]|…|\.[ \t]?\.[ \t]?\."
_QUOTE_TOKEN = re.compile(
    rf"(?P<ellipsis>{_ELLIPSIS})|(?P<marker>{_MARKER})"
    rf"|(?:(?!\.[ \t]?\.[ \t]?\.)[^\s\[…{_SUPERSCRIPTS}])+|\S"
)
_HYPHENS = "-\u00ad\u2010"
_ALNUM = re.compile(r"[^\W_]+")
_PUNCTUATION = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "‹": "'",
        "›": "'",
        "′": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_DASHES = re.compile(r"-{2,}")


class _Tokens:
    """The words of a text (runs of non-space characters) with their places.

    Footnote markers are kept apart: ``markers[i]`` lists those that follow
    token ``i`` (-1: before the first token). ``pieces`` splits the tokens
    at ellipses (for a quotation); ``alternatives`` keeps, for a word
    rejoined across a line-end hyphen, the form with the hyphen.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.markers: dict[int, list[tuple[str, int, int]]] = {}
        self.alternatives: dict[int, str] = {}
        self.breaks: set[int] = set()  # tokens that start a paragraph
        self.pieces: list[tuple[int, int]] = []
        self.ellipses: list[str] = []  # the ellipsis written before each piece ("" first)
        self.trailing = ""  # an ellipsis after the last piece


def _tokenize_quote(text: str) -> _Tokens:
    """A quotation's tokens, in pieces split at its ellipses."""
    tokens = _Tokens()
    texts, starts, ends = tokens.texts, tokens.starts, tokens.ends
    piece_start = 0
    joinable = False  # the last token may be glued to the next (no space between)
    pending_ellipsis = ""
    for m in _QUOTE_TOKEN.finditer(text):
        start, end = m.start(), m.end()
        if m.lastgroup == "ellipsis":
            if len(texts) > piece_start:
                tokens.pieces.append((piece_start, len(texts)))
                tokens.ellipses.append(pending_ellipsis)
                pending_ellipsis = ""
            pending_ellipsis += m.group()
            piece_start = len(texts)
            joinable = False
            continue
        if m.lastgroup == "marker":
            tokens.markers.setdefault(len(texts) - 1, []).append((m.group(), start, end))
            joinable = False
            continue
        if texts:
            gap = text[ends[-1] : start]
            if joinable and not gap:
                texts[-1] += m.group()
                ends[-1] = end
                continue
            last = texts[-1]
            if (
                "\n" in gap
                and not gap.strip()
                and len(last) > 1
                and last[-1] in _HYPHENS
                and last[-2].isalpha()
                and m.group()[0].isalpha()
                and len(texts) > piece_start
            ):
                # A word broken at the end of a line: "revolu-" + "tion".
                index = len(texts) - 1
                if m.group()[0].islower():
                    texts[index] = last[:-1] + m.group()
                    tokens.alternatives[index] = last + m.group()
                else:  # "Commune-" + "State": the hyphen is the word's own
                    texts[index] = last + m.group()
                ends[index] = end
                joinable = True
                continue
            if re.search(r"\n[ \t]*\n", gap):
                tokens.breaks.add(len(texts))
        texts.append(m.group())
        starts.append(start)
        ends.append(end)
        joinable = True
    if len(texts) > piece_start or not tokens.pieces:
        tokens.pieces.append((piece_start, len(texts)))
        tokens.ellipses.append(pending_ellipsis)
    else:
        tokens.trailing = pending_ellipsis
    return tokens


_CHUNK = re.compile(r"\S+")
# Between a closing mark and an opening one, as in "fact”(April": two tokens.
_BOUNDARY = re.compile(r"[”’\"»)\].,;:!?](?=[(“‘«])")
_MARKERS = re.compile(_MARKER)
_BROKEN = re.compile(r"[-\u00ad\u2010](?=[ \t]*\r?\n[ \t]*[^\W\d_])(?<=[^\W\d_][-\u00ad\u2010])")


def _tokenize_source(text: str) -> _Tokens:
    """A source's tokens, fast on long texts (a book: 200,000 words).

    The text is cut at spaces by the regular expression engine; only the
    few chunks that hold a footnote marker or end in a line-end hyphen are
    looked at one by one.
    """
    tokens = _Tokens()
    chunks = _CHUNK.findall(text)
    starts = [m.start() for m in _CHUNK.finditer(text)]
    ends = [start + len(chunk) for start, chunk in zip(starts, chunks, strict=True)]
    cut: set[int] = set()  # chunks of several tokens
    for m in _MARKERS.finditer(text):
        cut.add(bisect.bisect_right(starts, m.start()) - 1)
    for m in _BOUNDARY.finditer(text):
        cut.add(bisect.bisect_right(starts, m.end()) - 1)
    broken: set[int] = set()
    for m in _BROKEN.finditer(text):
        i = bisect.bisect_right(starts, m.start()) - 1
        if ends[i] == m.end() and i + 1 < len(chunks):
            broken.add(i)
    if not cut and not broken:
        tokens.texts, tokens.starts, tokens.ends = chunks, starts, ends
        tokens.pieces.append((0, len(chunks)))
        tokens.ellipses.append("")
        return tokens
    texts, new_starts, new_ends = tokens.texts, tokens.starts, tokens.ends
    merge = False

    def one(i: int) -> None:
        nonlocal merge
        start, end = starts[i], ends[i]
        if merge:  # the rest of a word broken at the line's end
            merge = False
            last, rest = texts[-1], chunks[i]
            if rest[0].islower():
                texts[-1] = last[:-1] + rest
                tokens.alternatives[len(texts) - 1] = last + rest
            else:  # "Commune-" + "State": the hyphen is the word's own
                texts[-1] = last + rest
            new_ends[-1] = end
        elif i in cut:  # "fact[7]", "[8]", "1938).⁹", "fact”(April"
            glued = False
            for piece in _SOURCE_TOKEN.finditer(text, start, end):
                if piece.lastgroup == "marker":
                    tokens.markers.setdefault(len(texts) - 1, []).append(
                        (piece.group(), piece.start(), piece.end())
                    )
                    glued = False
                    continue
                at, stop = piece.span()
                bounds = [at, *(m.end() for m in _BOUNDARY.finditer(text, at, stop)), stop]
                for k in range(len(bounds) - 1):
                    a, b = bounds[k], bounds[k + 1]
                    if a == b:
                        continue
                    if glued and k == 0:
                        texts[-1] += text[a:b]
                    else:
                        texts.append(text[a:b])
                        new_starts.append(a)
                        new_ends.append(b)
                    new_ends[-1] = b
                glued = True
        else:
            texts.append(chunks[i])
            new_starts.append(start)
            new_ends.append(end)
        if i in broken and texts and new_ends[-1] == end:
            merge = True

    special = sorted(cut | broken | {i + 1 for i in broken})
    done = 0
    for i in special:
        texts.extend(chunks[done:i])
        new_starts.extend(starts[done:i])
        new_ends.extend(ends[done:i])
        one(i)
        done = i + 1
    texts.extend(chunks[done:])
    new_starts.extend(starts[done:])
    new_ends.extend(ends[done:])
    tokens.pieces.append((0, len(texts)))
    tokens.ellipses.append("")
    return tokens


_KEYS: dict[str, str] = {}


def _key(token: str) -> str:
    """What the search compares: the folded letters and digits, or the punctuation."""
    key = _KEYS.get(token)
    if key is None:
        key = "".join(_ALNUM.findall(fold(token)))
        if not key:  # punctuation only: compared too, but never equal to a word
            key = "\x00" + _fine(token)
        if len(_KEYS) > 200_000:
            _KEYS.clear()
        _KEYS[token] = key
    return key


def _fine(token: str) -> str:
    """What the exact comparison compares: NFKC, one form of quotes and dashes."""
    text = unicodedata.normalize("NFKC", token).translate(_PUNCTUATION)
    return _DASHES.sub("-", text) if "--" in text else text


def _split(fine: str) -> tuple[str, str, str]:
    """Leading punctuation, the word, trailing punctuation."""
    words = list(_ALNUM.finditer(fine))
    if not words:
        return fine, "", ""
    return (
        fine[: words[0].start()],
        fine[words[0].start() : words[-1].end()],
        fine[words[-1].end() :],
    )


_EDGES = re.compile(r"(\W*)(.*?)(\W*)", re.DOTALL)


def _edges(token: str) -> tuple[int, int]:
    """The lengths of the punctuation before and after a token's word."""
    m = _EDGES.fullmatch(token)
    assert m is not None  # every text matches
    return len(m.group(1)), len(m.group(3))


_EDITED_LETTER = re.compile(r"\[([^\W\d_])\]")


def _same(source: str, quote: str, first: bool, last: bool) -> bool:
    """True when a quotation's token reproduces the source's exactly.

    At the start of a piece the source's leading punctuation (an opening
    quotation mark) may be left out, and at its end the trailing
    punctuation may differ (a quotation may end a sentence where the source
    goes on: "totalitarianism." for "totalitarianism,"); "[T]he" for "the"
    (a change of case the quoting writer marked as theirs) is the same word.
    """
    if source == quote:
        return True
    s_lead, s_word, s_trail = _split(source)
    q_lead, q_word, q_trail = _split(quote)
    edited = _EDITED_LETTER.search(quote)
    if edited is not None:
        # "[T]he": compare without the brackets, the bracketed letter in any case.
        at = edited.start()
        bare = quote[:at] + edited.group(1) + quote[edited.end() :]
        if (
            len(bare) == len(source)
            and bare[:at] == source[:at]
            and bare[at + 1 :] == source[at + 1 :]
            and bare[at].casefold() == source[at].casefold()
        ):
            return True
        q_lead, q_word, q_trail = _split(bare)
        if q_word[:1].casefold() == s_word[:1].casefold():
            q_word = s_word[:1] + q_word[1:]
    if s_word != q_word:
        return False
    lead_ok = s_lead == q_lead or (first and not q_lead)
    trail_ok = s_trail == q_trail or last
    return lead_ok and trail_ok


def _difference_kind(source: Sequence[str], quote: Sequence[str]) -> DifferenceKind:
    if not quote:
        return "punctuation" if all(not _ALNUM.search(t) for t in source) else "missing"
    if not source:
        return "punctuation" if all(not _ALNUM.search(t) for t in quote) else "added"
    s, q = " ".join(source), " ".join(quote)
    if s.casefold() == q.casefold():
        return "case"
    if _ALNUM.findall(s) == _ALNUM.findall(q):
        return "punctuation"
    return "changed"


def _marker_id(marker: str) -> str:
    if marker[0] in _SUPERSCRIPTS:
        return marker.translate(str.maketrans(_SUPERSCRIPTS, "0123456789"))
    return marker.strip("[]^")


# --- locating ------------------------------------------------------------------------------

_BIN = 32
#: A quotation is found when the words found in order carry at least this share
#: of its weight (words weighed by their rarity in the source).
_EVIDENCE = 0.6
_ANCHORS = 24
_COMMON = 5000


class _Source:
    """A source's tokens, their keys and where each word occurs."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize_source(text)
        known = _KEYS.get
        self.keys = [known(t) or _key(t) for t in self.tokens.texts]
        self._positions: dict[str, list[int]] = {}

    def positions(self, wanted: Iterable[str]) -> dict[str, list[int]]:
        """Where each of the ``wanted`` keys occurs (in order), for those that do."""
        missing = {k for k in wanted if k not in self._positions}
        if missing:
            found: dict[str, list[int]] = {k: [] for k in missing}
            keys = self.keys
            for i in [i for i, key in enumerate(keys) if key in missing]:
                found[keys[i]].append(i)
            self._positions.update(found)
        return {k: self._positions[k] for k in wanted if self._positions.get(k)}


@attrs.frozen
class _Alignment:
    """A piece of the quotation aligned with the source: opcodes in absolute indices."""

    ops: tuple[tuple[str, int, int, int, int], ...]
    matched: int  # quotation tokens in runs of equal keys (of two or more, unless short)

    def plausible(self, size: int) -> bool:
        """True when at least half of the words of the piece and its span are in common."""
        span = max(self.source_end - self.source_start, 0)
        return 4 * self.matched >= size + span

    @property
    def source_start(self) -> int:
        return min((i1 for tag, i1, i2, j1, j2 in self.ops if tag != "insert"), default=-1)

    @property
    def source_end(self) -> int:
        return max((i2 for tag, i1, i2, j1, j2 in self.ops if tag != "insert"), default=-1)


def _align(source: _Source, keys: list[str], offset: int, lo: int, hi: int) -> _Alignment:
    """Align the quotation's keys (``offset``: index of the first) with ``source[lo:hi]``."""
    region = source.keys[lo:hi]
    matcher = difflib.SequenceMatcher(None, region, keys, autojunk=False)
    ops: list[tuple[str, int, int, int, int]] = [
        (str(tag), i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    # Source words around the quotation are context, not missing words.
    while ops and ops[0][0] == "delete":
        ops.pop(0)
    while ops and ops[-1][0] == "delete":
        ops.pop()
    if ops and ops[0][0] == "replace":
        tag, i1, i2, j1, j2 = ops[0]
        ops[0] = (tag, max(i1, i2 - (j2 - j1)), i2, j1, j2)
    if ops and ops[-1][0] == "replace":
        tag, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (tag, i1, min(i2, i1 + (j2 - j1)), j1, j2)
    short = len(keys) < 4
    matched = sum(
        op[4] - op[3]
        for op in ops
        if op[0] == "equal" and (short or op[4] - op[3] >= 2 or op[4] - op[3] == len(keys))
    )
    absolute = tuple(
        (tag, i1 + lo, i2 + lo, j1 + offset, j2 + offset) for tag, i1, i2, j1, j2 in ops
    )
    return _Alignment(absolute, matched)


def _locate(
    source: _Source, keys: list[str], offset: int, lo: int, hi: int, prefer: str
) -> _Alignment | None:
    """The best place of a piece of the quotation within ``source[lo:hi]``.

    The piece's rarest words vote for where it starts; the best-voted places
    are aligned word by word, widened while the alignment runs into their
    edges. ``prefer`` ("first" or "last") breaks ties.
    """
    if not keys or hi <= lo:
        return None
    counts: dict[str, list[int]] = {}
    words = {k for k in keys if not k.startswith("\x00")}
    for key, where in source.positions(words).items():
        a, b = bisect.bisect_left(where, lo), bisect.bisect_left(where, hi)
        if a < b:
            counts[key] = where[a:b]
    if not counts:
        return None
    anchors = sorted(counts, key=lambda k: len(counts[k]))[:_ANCHORS]
    if len(counts[anchors[0]]) <= _COMMON:
        anchors = [k for k in anchors if len(counts[k]) <= _COMMON]
    else:
        anchors = anchors[:1]
    # Each occurrence of an anchor votes for where the piece would start: on
    # its exact diagonal (no word added or left out before it), and in a bin
    # of nearby starts (some were).
    diagonals: dict[int, set[str]] = {}
    bins: dict[int, set[str]] = {}
    for key in anchors:
        where = [j for j, k in enumerate(keys) if k == key]
        for p in counts[key][:_COMMON]:
            for j in where:
                diagonals.setdefault(p - j, set()).add(key)
                bins.setdefault((p - j) // _BIN, set()).add(key)

    def bin_score(b: int) -> float:
        return len(bins[b]) + 0.5 * (len(bins.get(b - 1, ())) + len(bins.get(b + 1, ())))

    def order(start: int) -> int:
        return start if prefer == "first" else -start

    by_diagonal = sorted(diagonals, key=lambda d: (-len(diagonals[d]), order(d)))[:3]
    by_bin = sorted(bins, key=lambda b: (-bin_score(b), order(b)))
    top = bin_score(by_bin[0])
    starts = [*by_diagonal, *(b * _BIN for b in by_bin[:3] if bin_score(b) * 2 >= top)]
    margin = max(16, len(keys) // 4)
    best: _Alignment | None = None
    tried: list[tuple[int, int]] = []
    for guess in starts:
        start = max(lo, guess - margin)
        end = min(hi, guess + _BIN + len(keys) + margin)
        if any(s <= start and end <= e for s, e in tried):
            continue
        tried.append((start, end))
        grow = margin
        for _ in range(4):
            found = _align(source, keys, offset, start, end)
            if not found.plausible(len(keys)):
                break  # not here: no use widening
            grow_start = (
                found.ops[0][0] in ("insert", "replace")
                and start > lo
                and found.source_start - start < grow
            )
            grow_end = (
                found.ops[-1][0] in ("insert", "replace")
                and end < hi
                and end - found.source_end < grow
            )
            if not (grow_start or grow_end):
                break
            start = max(lo, start - grow) if grow_start else start
            end = min(hi, end + grow) if grow_end else end
            grow *= 2
        if best is None or found.matched > best.matched:
            best = found
    return best


# --- checking ------------------------------------------------------------------------------


def check_quote(
    quote: Excerpt | str,
    source: str,
    *,
    format: SourceFormat | None = None,
    strict_markers: bool = False,
    max_gap: int = 1000,
    original: bool = False,
) -> QuoteCheck:
    """Check a quotation against the text it comes from.

    ``quote`` is an :class:`~citekit.Excerpt` (its text, or with
    ``original=True`` its original's text) or the quoted text itself.
    ``source`` is the source's text, read as ``format``: "text",
    "markdown" or "html" (None: guessed, see :func:`guess_format`).
    An ellipsis in the quotation may stand for up to ``max_gap`` words of
    the source. Footnote markers on one side only are differences of kind
    "marker" that do not count, unless ``strict_markers``.

    Returns a :class:`QuoteCheck`; its ``verdict`` is "exact", "differences"
    or "not-found" (less than half of the quotation's words found in order).
    """
    text = _quote_text(quote, original)
    if not isinstance(source, str):
        raise TypeError(f"the source is a text (str), got {type(source).__name__}")
    if isinstance(max_gap, bool) or not isinstance(max_gap, int) or max_gap < 0:
        raise ValueError(f"max_gap is a number of words (0 or more), got {max_gap!r}")
    fmt = _check_format(format, source)
    plain = _to_plain(source, fmt)
    text = _BOUNDARY.sub(lambda m: m.group() + " ", unicodedata.normalize("NFC", text))
    quote_tokens = _tokenize_quote(text)
    if not any(_ALNUM.search(t) for t in quote_tokens.texts):
        raise ValueError("the quotation has no words to look for")
    found = _Source(plain.text)
    checker = _Checker(source, plain, found, quote_tokens, strict_markers)
    return checker.run(max_gap, fmt)


def _quote_text(quote: Excerpt | str, original: bool) -> str:
    if isinstance(quote, Excerpt):
        if original:
            if quote.original is None:
                raise ValueError(f"excerpt {quote.id!r} has no original text to check")
            return quote.original.text
        return quote.text
    if isinstance(quote, str):
        if original:
            raise ValueError("original=True needs an Excerpt, not a text")
        return quote
    raise TypeError(f"expected an Excerpt or a text, got {type(quote).__name__}")


class _Checker:
    """Locates a quotation's pieces in a source and compares them."""

    def __init__(
        self,
        source_text: str,
        plain: _Plain,
        source: _Source,
        quote: _Tokens,
        strict_markers: bool,
    ) -> None:
        self.source_text = source_text
        self.plain = plain
        self.source = source
        self.quote = quote
        self.quote_keys = [_key(t) for t in quote.texts]
        self.strict_markers = strict_markers
        self.line_starts: list[int] | None = None

    # -- places ---------------------------------------------------------------------------

    def _line_column(self, offset: int) -> tuple[int, int]:
        if self.line_starts is None:
            self.line_starts = [0, *(m.end() for m in re.finditer(r"\n", self.source_text))]
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def _span(self, plain_start: int, plain_end: int) -> Span:
        start = self.plain.source_offset(plain_start)
        end = max(self.plain.source_offset(max(plain_end - 1, plain_start)) + 1, start)
        line, column = self._line_column(start)
        end_line, _ = self._line_column(max(end - 1, start))
        return Span(start, end, line, column, end_line)

    def _tokens_span(self, i1: int, i2: int) -> Span | None:
        tokens = self.source.tokens
        if not tokens.texts:
            return None
        if i1 >= i2:  # a point: before token i1
            at = tokens.starts[i1] if i1 < len(tokens.starts) else tokens.ends[-1]
            return self._span(at, at)
        return self._span(tokens.starts[i1], tokens.ends[i2 - 1])

    def _piece_span(self, alignment: _Alignment, j1: int, j2: int) -> Span:
        """The span of a located piece, without the punctuation the quotation leaves out.

        A quotation usually leaves out the quotation marks around the
        passage: "“It’s permissible" in the source, "It’s permissible" in
        the quotation. The span starts at the first character quoted.
        """
        tokens = self.source.tokens
        i1, i2 = alignment.source_start, alignment.source_end
        start, end = tokens.starts[i1], tokens.ends[i2 - 1]
        first_op, last_op = alignment.ops[0], alignment.ops[-1]
        if first_op[0] == "equal":
            lead = _edges(tokens.texts[i1])[0]
            if lead and not _edges(self.quote.texts[j1])[0]:
                start = min(start + lead, end)
        if last_op[0] == "equal":
            source_trail = _edges(tokens.texts[i2 - 1])[1]
            quote_trail = _edges(self.quote.texts[j2 - 1])[1]
            if source_trail > quote_trail:
                end = max(end - (source_trail - quote_trail), start)
        return self._span(start, end)

    # -- locating -------------------------------------------------------------------------

    def _locate_pieces(self, max_gap: int) -> list[_Alignment | None]:
        pieces = self.quote.pieces
        found: list[_Alignment | None] = [None] * len(pieces)
        n = len(self.source.keys)
        order = sorted(range(len(pieces)), key=lambda k: pieces[k][0] - pieces[k][1])
        first = order[0]
        j1, j2 = pieces[first]
        anchor = self._accept(
            _locate(self.source, self.quote_keys[j1:j2], j1, 0, n, "first"), j2 - j1
        )
        found[first] = anchor
        if anchor is None:
            return found
        # The pieces after the longest one, each within max_gap words of the one before...
        end = anchor.source_end
        for k in range(first + 1, len(pieces)):
            j1, j2 = pieces[k]
            size = j2 - j1
            hi = min(n, end + max_gap + 2 * size + 16)
            alignment = self._accept(
                _locate(self.source, self.quote_keys[j1:j2], j1, end, hi, "first"), size
            )
            found[k] = alignment
            if alignment is not None:
                end = alignment.source_end
        # ... and those before it, each within max_gap words of the one after.
        start = anchor.source_start
        for k in range(first - 1, -1, -1):
            j1, j2 = pieces[k]
            size = j2 - j1
            lo = max(0, start - max_gap - 2 * size - 16)
            alignment = self._accept(
                _locate(self.source, self.quote_keys[j1:j2], j1, lo, start, "last"), size
            )
            found[k] = alignment
            if alignment is not None:
                start = alignment.source_start
        return found

    def _accept(self, alignment: _Alignment | None, size: int) -> _Alignment | None:
        """The alignment of a piece, if it is the piece: plausible, and telling enough.

        The words found in order must carry :data:`_EVIDENCE` of the piece's
        weight (see :meth:`_weight`): common words found around made-up ones
        do not make a quotation found.
        """
        if alignment is None or not alignment.plausible(size):
            return None
        if self._evidence(alignment) < _EVIDENCE:
            return None
        return alignment

    # -- comparing ------------------------------------------------------------------------

    def run(self, max_gap: int, fmt: SourceFormat) -> QuoteCheck:
        quote = self.quote
        alignments = self._locate_pieces(max_gap)
        located = sum(
            pieces[1] - pieces[0]
            for pieces, a in zip(quote.pieces, alignments, strict=True)
            if a is not None
        )
        if located * 2 < len(quote.texts) or all(a is None for a in alignments):
            return self._not_found(alignments, fmt)
        self.differences: list[Difference] = []
        self.out: list[str] = []
        self.same = 0
        self.compared_source = 0
        spans: list[Span] = []
        for k, alignment in enumerate(alignments):
            j1, j2 = quote.pieces[k]
            if quote.ellipses[k]:
                self._emit(quote.ellipses[k])
            if alignment is None:
                words = quote.texts[j1:j2]
                self._note("added", [], words, None, self._quote_text(j1, j2))
                continue
            spans.append(self._piece_span(alignment, j1, j2))
            self._compare(alignment, j1, j2)
        if quote.trailing:
            self._emit(quote.trailing)
        counted = [d for d in self.differences if self.strict_markers or d.kind != "marker"]
        total = len(quote.texts) + self.compared_source
        similarity = self.same / total if total else 0.0
        if not counted:
            similarity = 1.0
        span = Span(
            spans[0].start,
            spans[-1].end,
            spans[0].line,
            spans[0].column,
            spans[-1].end_line,
        )
        return QuoteCheck(
            "differences" if counted else "exact",
            span,
            tuple(spans),
            tuple(self.differences),
            round(similarity, 4),
            "".join(self.out).strip(),
            fmt,
            self.strict_markers,
        )

    def _weight(self, key: str) -> float:
        """How much a word says: the rarer in the source, the more (0 for punctuation)."""
        if key.startswith("\x00"):
            return 0.0
        count = len(self.source.positions([key]).get(key, ()))
        return math.log((len(self.source.keys) + 1) / (count + 1)) + 0.1

    def _evidence(self, alignment: _Alignment) -> float:
        """The share of a piece's weight (see :meth:`_weight`) in the words found in order."""
        keys = self.quote_keys
        total = matched = 0.0
        for tag, _, _, j1, j2 in alignment.ops:
            weight = sum(self._weight(keys[j]) for j in range(j1, j2))
            total += weight
            if tag == "equal":
                matched += weight
        return matched / total if total else 0.0

    def _telling(self, j1: int, j2: int) -> bool:
        """Whether quotation words ``j1:j2``, found together in the source, are worth
        reporting: six words or more, or three with two that are rare in the source
        (not "in the world", which any text holds)."""
        words = [k for k in self.quote_keys[j1:j2] if not k.startswith("\x00")]
        if len(words) >= 6:
            return True
        rare = max(2, len(self.source.keys) // 500)
        distinctive = [k for k in words if len(self.source.positions([k]).get(k, ())) <= rare]
        return len(words) >= 3 and len(distinctive) >= 2

    def _not_found(self, alignments: Sequence[_Alignment | None], fmt: SourceFormat) -> QuoteCheck:
        """The verdict "not-found", with the longest run of the quotation the source holds."""
        quote = self.quote
        best: tuple[int, int, int, int] | None = None  # (i1, i2, j1, j2) of the longest run
        n = len(self.source.keys)
        matched = 0
        for k, (j1, j2) in enumerate(quote.pieces):
            alignment = alignments[k] or _locate(
                self.source, self.quote_keys[j1:j2], j1, 0, n, "first"
            )
            if alignment is None:
                continue
            matched += alignment.matched
            for tag, i1, i2, a, b in alignment.ops:
                if (
                    tag == "equal"
                    and self._telling(a, b)
                    and (best is None or b - a > best[3] - best[2])
                ):
                    best = (i1, i2, a, b)
        total = len(quote.texts)
        similarity = round(min(matched / total, 0.99), 4) if total else 0.0
        partial = None
        partial_text = ""
        counts = (0, 0)
        if best is not None:
            i1, i2, j1, j2 = best
            partial = self._tokens_span(i1, i2)
            partial_text = self._quote_text(j1, j2)
            every = [k for k in self.quote_keys if not k.startswith("\x00")]
            found = [k for k in self.quote_keys[j1:j2] if not k.startswith("\x00")]
            counts = (len(found), len(every))
        return QuoteCheck(
            "not-found",
            None,
            (),
            (),
            similarity,
            " ".join(quote.texts),
            fmt,
            self.strict_markers,
            partial,
            partial_text,
            counts,
        )

    def _quote_text(self, j1: int, j2: int) -> str:
        return " ".join(self.quote.texts[j1:j2])

    def _source_words(self, i1: int, i2: int) -> list[str]:
        return self.source.tokens.texts[i1:i2]

    def _emit(self, text: str, j: int | None = None) -> None:
        if j is not None and j in self.quote.breaks:
            self.out.append("\n\n")
        elif self.out and not self.out[-1].endswith("\n"):
            self.out.append(" ")
        self.out.append(text)

    def _note(
        self,
        kind: DifferenceKind,
        source: list[str],
        quote: list[str],
        span: Span | None,
        quote_text: str | None = None,
        j: int | None = None,
    ) -> None:
        s = " ".join(source)
        q = quote_text if quote_text is not None else " ".join(quote)
        kind = kind if kind == "marker" else _difference_kind(source, quote)
        self.differences.append(Difference(kind, s, q, span))
        if kind == "marker" and self.strict_markers:
            self.compared_source += 1  # a token on one side only
        mark = (f"[-{s}-]" if s else "") + (f"{{+{q}+}}" if q else "")
        self._emit(mark, j)

    def _compare(self, alignment: _Alignment, j_first: int, j_last: int) -> None:
        source_texts = self.source.tokens.texts
        alternatives = self.source.tokens.alternatives
        quote_texts = self.quote.texts
        if j_first == 0:
            self._markers(None, -1)  # markers before the first word
        for tag, i1, i2, j1, j2 in alignment.ops:
            self.compared_source += i2 - i1
            if tag == "equal":
                run: list[tuple[int, int]] = []
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    q = _fine(quote_texts[j])
                    first, last = j == j_first, j == j_last - 1
                    same = _same(_fine(source_texts[i]), q, first, last) or (
                        i in alternatives and _same(_fine(alternatives[i]), q, first, last)
                    )
                    if same:
                        self._flush(run)
                        run = []
                        self.same += 2
                        self._emit(quote_texts[j], j)
                        self._markers(i, j)
                    else:
                        run.append((i, j))
                self._flush(run)
            else:
                quote_words = quote_texts[j1:j2]
                self._note(
                    "changed",
                    self._source_words(i1, i2),
                    quote_words,
                    self._tokens_span(i1, i2),
                    j=j1 if j2 > j1 else None,
                )
                if i2 > i1 and j2 > j1:
                    self._markers(i2 - 1, j2 - 1)

    def _flush(self, run: list[tuple[int, int]]) -> None:
        if not run:
            return
        i1, i2 = run[0][0], run[-1][0] + 1
        j1, j2 = run[0][1], run[-1][1] + 1
        self._note(
            "changed",
            self._source_words(i1, i2),
            self.quote.texts[j1:j2],
            self._tokens_span(i1, i2),
            j=j1,
        )
        self.same += len(run)  # the same words, but for case, accents or punctuation
        for i, j in run:
            self._markers(i, j)

    def _markers(self, i: int | None, j: int) -> None:
        """Compare the footnote markers after source token ``i`` and quotation token ``j``."""
        quote_markers = self.quote.markers.get(j, [])
        source_markers = [] if i is None else self.source.tokens.markers.get(i, [])
        ours = {_marker_id(m[0]): m[0] for m in quote_markers}
        theirs = {_marker_id(m[0]) for m in source_markers}
        for text, start, end in source_markers:
            same = ours.get(_marker_id(text))
            if same is not None:
                self._emit(same)
            else:
                self._note("marker", [text], [], self._span(start, end))
        for text, _, _ in quote_markers:
            if _marker_id(text) not in theirs:
                span = None
                if i is not None:
                    end = self.source.tokens.ends[i]
                    span = self._span(end, end)
                self._note("marker", [], [text], span)
