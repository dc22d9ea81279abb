"""Find the citations written in a manuscript: Pandoc Markdown and LaTeX syntax.

:func:`parse_markdown` and :func:`parse_latex` (or :func:`parse` with the
syntax's name) return one :class:`CitationMark` per citation, in document
order. A mark knows where it is (``start``/``end`` character offsets,
``text[start:end] == source``; 1-based ``line`` and ``column``, columns
counting characters, CRLF and lone CR line ends both accepted) and what it
cites: one :class:`CiteRef` per key, with prefix, locator and label, suffix
and its own line and column. Malformed citation syntax is never an error: it
is simply not a citation and stays text (as in pandoc). Both scanners are
hand-written and run in linear time; no input makes them raise or hang.

Pandoc Markdown
---------------
* ``[@key]``, ``[@key, p. 33]``, ``[see @a, pp. 1-3; @b]``: a bracketed
  citation (mode ``"normal"``) is one or more cites separated by ``;``. Each
  has an optional prefix (text before the key), the key, and an optional
  suffix (text after it). If any ``;``-separated part has no key, the
  brackets are not a citation (``[see; @a]`` holds the in-text cite ``@a``);
  nor is a bracket that is never closed (``[@key`` holds the in-text cite
  ``@key``, as in pandoc).
  Brackets followed straight away by ``(``, ``[`` or ``{`` are a link, a
  reference link or a span, and ``^[...]`` is an inline note: not
  citations, though their text is scanned for in-text cites.
* ``[-@key]``: the author is suppressed (``suppress_author``); ``-@key``
  alone in the text is the same citation without brackets (mode
  ``"normal"``, as pandoc renders it).
* ``@key`` in the text is an in-text citation (mode ``"in-text"``); a bracket
  right after it (``@key [p. 4]``, after optional spaces or one line break)
  gives its locator and suffix, and may hold further cites
  (``@a [p. 4; @b]``, ``@a [see @b]``).
* Keys start with a letter, digit or ``_`` and go on with letters, digits,
  ``_`` and internal punctuation ``:.#$%&-+?<>~/`` (punctuation is part of
  the key only when a letter, digit or ``_`` follows it: ``@serge1944.`` is
  the key ``serge1944``). ``@{any key}`` takes anything but braces and line
  breaks. An ``@`` right after a letter, a digit or ``.`` is not a citation
  (e-mail addresses: ``name@host.org``).
* The suffix is read for a locator: an optional leading comma, then a label
  term (``p.``, ``pp.``, ``page(s)``, ``chap.``, ``chapter(s)``, ``sec.``,
  ``§``, ``para.``, ``¶``, ``fig.``, ``vol.``, ``n.``, ``l.``, ``v.``,
  ``col.``, ``bk.``, ``pt.``, ``no.``, ``number``, ``op.``, ``art.``,
  ``s.v.``, ``sub verbo`` ... in any case: every word of
  :data:`citekit.model.excerpts.LABEL_WORDS`) and one or more locator words
  separated by commas or spaces (``33``, ``1-3``, ``12a``, ``34(1)``; roman
  numerals such as ``iv`` or ``vi-xi`` count only after a label). Without a
  term, a suffix whose first word holds a digit is a page
  (``[@a, 33, and passim]``). ``{pp. iv, vi-xi}`` in braces is taken whole
  (label from its first word, else page). What follows the locator is the
  suffix, with a leading comma and surrounding white space removed
  (``[@a, and passim]`` -> suffix ``"and passim"``). Labels are CSL locator
  names (:class:`citekit.model.excerpts.LocatorLabel` values: ``"page"``,
  ``"chapter"``, ``"issue"`` for ``no.``, ``"sub-verbo"``, ...).
* Prefix, suffix and locator are the source text, Markdown included
  (``[*see* @a]`` -> prefix ``"*see*"``), stripped of surrounding white space;
  in a block quote, the ``>`` markers of continuation lines are left out.
* Not citations: anything in code spans, fenced code blocks (closed ones, as
  in pandoc), indented code blocks (also inside list items), ``<pre>``,
  ``<script>``, ``<style>`` and ``<textarea>`` blocks, HTML comments, HTML
  tags and their attributes, autolinks ``<...>``, bare URLs
  (``scheme://...``), ``$...$`` and ``$$...$$`` math, an escaped ``\\@``,
  example-list markers (``(@good)`` at the start of a paragraph or list item)
  and references to those examples (``(@good)``, ``@good``).
* A YAML metadata block at the start of the file is not scanned, except its
  ``nocite`` field: its ``@keys`` (and ``@*``) make one mark of mode
  ``"nocite"``.

LaTeX (natbib and biblatex)
---------------------------
* ``\\cite``, ``\\citep``, ``\\parencite``, ``\\autocite``, ``\\smartcite``,
  ``\\supercite``, ``\\citealp`` (mode ``"normal"``); ``\\citet``,
  ``\\textcite``, ``\\citealt`` (``"in-text"``); ``\\footcite``,
  ``\\footcitetext`` (``"note"``); ``\\citeauthor`` (``"author"``);
  ``\\citeyear`` (``"year"``, author suppressed); ``\\citeyearpar``
  (``"normal"``, author suppressed); ``\\nocite`` (``"nocite"``,
  ``\\nocite{*}`` gives the key ``"*"``). Capitalised forms (``\\Textcite``,
  ``\\Parencite``, ``\\Autocite``, ``\\Citet``, ...) are the same citations.
  Starred forms are accepted; ``\\cite*``, ``\\parencite*`` and
  ``\\autocite*`` suppress the author (biblatex), other stars (natbib's full
  author lists) change nothing here.
* ``\\cmd[postnote]{keys}`` or ``\\cmd[prenote][postnote]{keys}``; keys are
  comma-separated (``{a, b}``): the prenote is the prefix of the first cite,
  the postnote is read for a locator like a Markdown suffix (``33``,
  ``p.~33``, ``chap.~2``; a bare number or range is a page) and belongs to
  the last cite. Notes are source text, LaTeX markup included
  (``\\emph{see}``, ``p.~3``). Spaces, one line break and ``%`` comments may
  come between the arguments, and comments inside the key list are ignored
  (``{a,%\n b}`` is the keys ``a`` and ``b``).
* biblatex multicite commands ``\\cites``, ``\\parencites``, ``\\textcites``,
  ``\\autocites``, ``\\footcites``, ``\\smartcites``, ``\\supercites``:
  optional ``(prenote)(postnote)`` for the whole list (prefixed to the first
  cite's prefix, appended to the last cite's suffix), then
  ``[pre][post]{keys}`` groups.
* Ignored: ``%`` comments (``\\%`` is a percent sign), the ``verbatim``,
  ``Verbatim``, ``BVerbatim``, ``LVerbatim``, ``lstlisting``, ``minted`` and
  ``comment`` environments, ``\\verb|...|``, ``\\lstinline`` and
  ``\\mintinline``. A citation command without its ``{keys}`` argument (or
  with an unclosed bracket or brace, or a blank line inside its arguments) is
  not a citation.

Deliberate differences from pandoc (3.9)
----------------------------------------
* A citation nested in another one's suffix (``[see @a and @b]``,
  ``[@a, see @b]``) is text of that suffix, not a second citation: marks
  never overlap.
* Bare URLs (``https://x.org/@a``) hide their ``@``; pandoc's default Markdown
  does not recognise bare URLs and finds the citation ``@a``.
* ``@{braced key}`` may contain spaces (pandoc 3.9 rejects them) but no
  braces or line breaks (pandoc allows balanced braces); ``@{}`` is not a
  citation.
* ``@*`` is a key only in the ``nocite`` metadata field.
* Locator terms are citekit's :data:`~citekit.model.excerpts.LABEL_WORDS`
  (plus ``number(s)``, ``sub verbis``): they include abbreviations pandoc's
  English locale lacks (``ch.``, ``pg.``, ``sect.``, ``p`` or ``pp`` without
  period, ...), in any case.
* ``s.v.``/``sub verbo`` take the words up to the next comma as the locator
  (``s.v. vox populi``); pandoc needs digits or roman numerals there.
* Roman ranges after a label (``pp. vi-xi``) are locators; pandoc needs braces.
* Prefix, suffix and locator are source text (``1-3`` stays ``1-3``; pandoc
  applies smart punctuation); the suffix loses its leading comma.
* YAML metadata blocks other than one at the very start are not recognised,
  and metadata fields other than ``nocite`` are not scanned. Block quotes and
  lists are only understood as far as code blocks, example lists and
  continuation lines need; a footnote definition is scanned even if no
  ``[^ref]`` points to it (pandoc drops it).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping

import attrs

from citekit.errors import FormatError

__all__ = ["CitationMark", "CiteRef", "parse", "parse_latex", "parse_markdown"]


@attrs.frozen
class CiteRef:
    """One cited work inside a citation: its key and what surrounds it."""

    #: The citation key (``"serge1944"``; ``"*"`` for ``\\nocite{*}``).
    key: str
    #: Source text before the key inside the citation, stripped (``"see"``).
    prefix: str = ""
    #: Source text after the locator, stripped, its leading comma removed.
    suffix: str = ""
    #: Where in the work: ``"33"``, ``"1-3"``, ``"iv, vi-xi"``.
    locator: str | None = None
    #: The locator's CSL label name: ``"page"``, ``"chapter"``, ``"section"``...
    label: str | None = None
    #: The author is left out (``[-@key]``, ``\\citeyear``).
    suppress_author: bool = False
    #: 1-based line of the key's ``@`` (Markdown) or of the key (LaTeX).
    line: int = 0
    #: 1-based column, in characters, of the key's ``@`` or of the key.
    column: int = 0


@attrs.frozen
class CitationMark:
    """A citation found in a manuscript: where it is and what it cites."""

    #: The cited works, in source order.
    cites: tuple[CiteRef, ...]
    #: Character offset of the citation's first character in the text.
    start: int
    #: Offset just past the citation (``text[start:end] == source``).
    end: int
    #: 1-based line of ``start``.
    line: int
    #: 1-based column of ``start``, in characters.
    column: int
    #: ``"normal"``, ``"in-text"``, ``"note"``, ``"author"``, ``"year"`` or ``"nocite"``.
    mode: str
    #: The citation's source text.
    source: str


def parse(text: str, syntax: str) -> list[CitationMark]:
    """The citations of ``text`` written in ``syntax`` (``"markdown"`` or ``"latex"``).

    Raises :class:`~citekit.errors.FormatError` for another syntax name.
    """
    parser = _PARSERS.get(syntax) if isinstance(syntax, str) else None
    if parser is not None:
        return parser(text)
    raise FormatError(f"unknown citation syntax {syntax!r}: expected 'markdown' or 'latex'")


# ---------------------------------------------------------------------------
# Shared plumbing: line index, locator terms and the locator reader.


def _normalize(text: str) -> str:
    """Line ends made ``\\n`` without moving any offset (CR of CRLF becomes a space)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", " \n").replace("\r", "\n")


class _Lines:
    """Offsets to 1-based line and column."""

    def __init__(self, norm: str) -> None:
        starts = [0]
        find = norm.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def locate(self, pos: int) -> tuple[int, int]:
        index = bisect_right(self.starts, pos) - 1
        return index + 1, pos - self.starts[index] + 1


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"citations are parsed from a string, got {type(text).__name__}")
    return text


_terms: dict[str, str] | None = None
_terms_longest = 0


def _locator_terms() -> dict[str, str]:
    """Lower-case locator words and abbreviations -> CSL label name (built on first use)."""
    global _terms, _terms_longest
    if _terms is None:
        from citekit.model.excerpts import LABEL_WORDS

        terms = {word: label.value for word, label in LABEL_WORDS.items()}
        for word, label in {
            "number": "issue",
            "numbers": "issue",
            "sub verbis": "sub-verbo",
            "eqq.": "equation",
            "cann.": "canon",
            "titt.": "title-locator",
        }.items():
            terms.setdefault(word, label)
        _terms_longest = max(len(word) for word in terms)
        _terms = terms
    return _terms


_ROMAN = r"(?=[ivxlcdm])m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_ROMAN_RE = re.compile(rf"{_ROMAN}(?:(?:--?|[–—]){_ROMAN})?", re.IGNORECASE)
_MD_STRIP = " \t\n\r\x0b\x0c\u00a0\u2009\u202f\u3000"
_TEX_STRIP = _MD_STRIP + "~"
_MD_SPACE = frozenset(_MD_STRIP)
_TEX_SPACE = frozenset(_TEX_STRIP)
_UNIT_STOP = frozenset(",;:!?")


def _match_term(s: str, i: int, space: frozenset[str]) -> tuple[str | None, int]:
    """The longest locator term at ``s[i:]`` that ends at a boundary: (label, end)."""
    terms = _locator_terms()
    n = len(s)
    for length in range(min(_terms_longest, n - i), 0, -1):
        label = terms.get(s[i : i + length].lower())
        if label is None:
            continue
        end = i + length
        if s[end - 1] in ".§¶" or end == n or s[end] in space or s[end].isdigit():
            return label, end
    return None, i


def _skip(s: str, i: int, space: frozenset[str]) -> int:
    n = len(s)
    while i < n and s[i] in space:
        i += 1
    return i


def _read_unit(s: str, i: int, space: frozenset[str]) -> int:
    """End of the locator word at ``i``: up to white space or punctuation."""
    n = len(s)
    k = i
    while k < n:
        c = s[k]
        if c in space or c in _UNIT_STOP:
            break
        if c == "." and not (k + 1 < n and s[k + 1].isalnum()):
            break
        k += 1
    return k


def _unit_ok(word: str, explicit: bool) -> bool:
    if any(c.isdigit() for c in word):
        return True
    return explicit and _ROMAN_RE.fullmatch(word) is not None


def _closing_brace(s: str, i: int) -> int:
    """Index of the ``}`` matching the ``{`` at ``i``, or -1."""
    depth = 0
    for k in range(i, len(s)):
        c = s[k]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1


def _clean_suffix(s: str, strip: str) -> str:
    """The rest of a suffix: surrounding white space and a leading comma removed."""
    s = s.strip(strip)
    if s.startswith(","):
        s = s[1:].strip(strip)
    return s


def _split_locator(s: str, tex: bool = False) -> tuple[str | None, str | None, str]:
    """Read a suffix (or postnote) into (locator, label, rest of the suffix)."""
    space = _TEX_SPACE if tex else _MD_SPACE
    strip = _TEX_STRIP if tex else _MD_STRIP
    n = len(s)
    i = _skip(s, 0, space)
    if i < n and s[i] == ",":
        i = _skip(s, i + 1, space)
    if i < n and s[i] == "{":
        close = _closing_brace(s, i)
        if close > 0:
            inner = s[i + 1 : close]
            start = _skip(inner, 0, space)
            label, after = _match_term(inner, start, space)
            value = inner[after:] if label else inner
            value = value.strip(strip)
            if value:
                return value, label or "page", _clean_suffix(s[close + 1 :], strip)
        return None, None, _clean_suffix(s, strip)
    label, j = _match_term(s, i, space)
    explicit = label is not None
    if explicit:
        j = _skip(s, j, space)
    else:
        label = "page"
    if label == "sub-verbo":
        k = j
        while k < n and s[k] not in ",;":
            k += 1
        value = s[j:k].strip(strip)
        if value:
            return value, label, _clean_suffix(s[k:], strip)
        return None, None, _clean_suffix(s, strip)
    end = _read_unit(s, j, space)
    if end == j or not _unit_ok(s[j:end], explicit):
        return None, None, _clean_suffix(s, strip)
    first, last = j, end
    while True:
        k = last
        if k < n and s[k] == ",":
            k += 1
        k = _skip(s, k, space)
        end = _read_unit(s, k, space)
        if end == k or not _unit_ok(s[k:end], explicit):
            break
        last = end
    return s[first:last], label, _clean_suffix(s[last:], strip)


def _make_mark(
    text: str, lines: _Lines, start: int, end: int, mode: str, cites: list[CiteRef]
) -> CitationMark:
    line, column = lines.locate(start)
    return CitationMark(
        cites=tuple(cites),
        start=start,
        end=end,
        line=line,
        column=column,
        mode=mode,
        source=text[start:end],
    )


# ---------------------------------------------------------------------------
# Markdown: block structure.

_BLOCKQUOTE = re.compile(r"(?:[ ]{0,3}>[ ]?)*")
_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)")
_FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*\Z")
_ATX_HEADING = re.compile(r"[ ]{0,3}#{1,6}(?:[ \t]|\Z)")
_LIST_MARK = re.compile(
    r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)]|\(\d{1,9}\)|#[.)]|\(#\)"
    r"|(?P<example>\(@[\w-]*\)|@[\w-]*[.)]))(?P<gap>[ \t]+|\Z)"
)
_HTML_RAW_OPEN = re.compile(r"[ ]{0,3}<(pre|script|style|textarea)(?=[\s>]|\Z)", re.IGNORECASE)
_YAML_FENCE = re.compile(r"---[ \t]*\Z")
_YAML_END = re.compile(r"(?:---|\.\.\.)[ \t]*\Z")
_NOCITE_FIELD = re.compile(r"^nocite[ \t]*:", re.MULTILINE)
_YAML_KEY = re.compile(r"(?<![\w.])@(\*|\{[^{}\n]+\}|\w++(?:[:.#$%&\-+?<>~/]\w++)*+)")


def _indent(line: str) -> int:
    width = 0
    for c in line:
        if c == " ":
            width += 1
        elif c == "\t":
            width += 4 - width % 4
        else:
            break
    return width


class _FenceClosers:
    """For each fence character, the lines that could close a fence (linear look-ups)."""

    def __init__(self) -> None:
        self.lines: dict[str, list[int]] = {"`": [], "~": []}
        self.lengths: dict[str, list[int]] = {"`": [], "~": []}
        self.suffix_max: dict[str, list[int]] = {}

    def add(self, line: int, char: str, length: int) -> None:
        self.lines[char].append(line)
        self.lengths[char].append(length)

    def finish(self) -> None:
        for char, lengths in self.lengths.items():
            best = [0] * (len(lengths) + 1)
            for k in range(len(lengths) - 1, -1, -1):
                best[k] = max(best[k + 1], lengths[k])
            self.suffix_max[char] = best

    def find(self, after_line: int, char: str, length: int) -> int:
        """The first line after ``after_line`` closing a fence of ``length`` chars, or -1."""
        lines, lengths = self.lines[char], self.lengths[char]
        k = bisect_right(lines, after_line)
        if self.suffix_max[char][k] < length:
            return -1
        while lengths[k] < length:
            k += 1
        return lines[k]


class _Finder:
    """The next match of a pattern at or after a position, with answers remembered so
    that repeated look-ups (many openers, no closer) stay linear."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.text = text
        self.pattern = pattern
        self.asked = -1
        self.found = -1

    def __call__(self, start: int) -> int:
        """Start of the first match at or after ``start``, or -1."""
        if 0 <= self.asked <= start and (self.found < 0 or self.found >= start):
            return self.found
        self.asked = start
        m = self.pattern.search(self.text, start)
        self.found = -1 if m is None else m.start()
        return self.found


def _quote_end(norm: str, start: int, end: int) -> int:
    """Position after the block-quote markers (``> > ``) that open a line."""
    m = _BLOCKQUOTE.match(norm, start, end)
    return start if m is None else m.end()


class _MdBlocks:
    """The parts of a Markdown text to scan for inline citations, and what to skip."""

    def __init__(self, norm: str, lines: _Lines) -> None:
        self.norm = norm
        self.starts = lines.starts
        self.chunks: list[tuple[int, int]] = []
        self.examples: set[str] = set()
        self.yaml: tuple[int, int] | None = None
        self.comment_close = _Finder(norm, re.compile("-->"))
        self.raw_close: dict[str, _Finder] = {}
        self.closers = _FenceClosers()
        self.chunk_start = -1
        self.chunk_end = -1
        self._scan()

    def _line(self, index: int) -> tuple[int, int]:
        start = self.starts[index]
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.norm)
        return start, end

    def _flush(self) -> None:
        if 0 <= self.chunk_start < self.chunk_end:
            self.chunks.append((self.chunk_start, self.chunk_end))
        self.chunk_start = -1

    def _find_closers(self) -> None:
        norm = self.norm
        for index in range(len(self.starts)):
            start, end = self._line(index)
            if norm.find("``", start, end) < 0 and norm.find("~~", start, end) < 0:
                continue
            m = _FENCE_CLOSE.match(norm[_quote_end(norm, start, end) : end])
            if m:
                self.closers.add(index, m.group(1)[0], len(m.group(1)))
        self.closers.finish()

    def _raw_block_end(self, tag: str, start: int) -> int:
        """Position of the closing tag of a raw HTML block, or -1."""
        finder = self.raw_close.get(tag)
        if finder is None:
            pattern = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
            finder = self.raw_close[tag] = _Finder(self.norm, pattern)
        return finder(start)

    def _scan(self) -> None:
        norm = self.norm
        count = len(self.starts)
        self._find_closers()
        index = self._yaml_block(count)
        prev_blank = True  # the previous line was blank (or there is none)
        prev_para = False  # the previous line was paragraph text
        list_indent: int | None = None  # content indent of the current list item
        resume = -1  # a multi-line HTML comment ends at this position
        while index < count:
            start, end = self._line(index)
            line_start = start
            if resume >= 0:
                if resume > end:
                    index += 1
                    continue
                if resume > start:
                    line_start = resume
                    prev_blank, prev_para = False, True
                resume = -1
            if line_start == start:
                content = _quote_end(norm, start, end)
                body = norm[content:end]
                if not body.strip():
                    self._flush()
                    prev_blank, prev_para = True, False
                    index += 1
                    continue
                indent = _indent(body)
                if indent >= (list_indent or 0) + 4 and not prev_para:
                    self._flush()  # an indented code block
                    prev_blank = False
                    index += 1
                    continue
                fence = _FENCE_OPEN.match(body)
                if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
                    closing = self.closers.find(index, fence.group(1)[0], len(fence.group(1)))
                    if closing >= 0:
                        self._flush()
                        prev_blank, prev_para = False, False
                        index = closing + 1
                        continue
                raw = _HTML_RAW_OPEN.match(body)
                if raw:
                    close = self._raw_block_end(raw.group(1).lower(), content)
                    if close >= 0:
                        self._flush()
                        prev_blank, prev_para = False, False
                        index = bisect_right(self.starts, close)
                        continue
                if list_indent is not None and prev_blank and indent < list_indent:
                    list_indent = None
                mark = None
                if not prev_para or list_indent is not None:
                    mark = _LIST_MARK.match(body)
                heading = _ATX_HEADING.match(body) is not None
                if mark:
                    self._flush()
                    gap = _indent(body[mark.start("gap") :])
                    marker_end = len(body[: mark.start("gap")].expandtabs(4))
                    list_indent = marker_end + (gap if 1 <= gap <= 4 else 1)
                    example = mark.group("example")
                    if example is not None:
                        label = example.strip("(@).")
                        if label:
                            self.examples.add(label)
                        line_start = content + mark.end()
                elif heading:
                    self._flush()
                prev_para = not heading
            if self.chunk_start < 0:
                self.chunk_start = line_start
            self.chunk_end = end
            comment = self._comment_start(line_start, end)
            if comment is not None:
                self.chunk_end = comment[0]
                self._flush()
                resume = comment[1]
                continue
            if not prev_para:
                self._flush()
            prev_blank = False
            index += 1
        self._flush()

    def _comment_start(self, start: int, end: int) -> tuple[int, int] | None:
        """An HTML comment opening in this line and closing on a later one: (open, resume).

        A ``<!--`` after an odd number of backticks in the line is taken to be
        inside a code span and skipped.
        """
        norm = self.norm
        at = norm.find("<!--", start, end)
        ticks = 0
        counted = start
        while at >= 0:
            ticks += norm.count("`", counted, at)
            counted = at
            if ticks % 2 == 0:
                close = norm.find("-->", at + 4, end)
                if close < 0:
                    close = self.comment_close(at + 4)
                    return (at, close + 3) if close >= 0 else None
                ticks += norm.count("`", at, close + 3)
                counted = close + 3
                at = norm.find("<!--", close + 3, end)
            else:
                at = norm.find("<!--", at + 4, end)
        return None

    def _yaml_block(self, count: int) -> int:
        """Skip a YAML metadata block at the very start; remember its extent."""
        if count < 2:
            return 0
        start, end = self._line(0)
        if self.norm.startswith("\ufeff"):
            start += 1
        if not _YAML_FENCE.match(self.norm[start:end]):
            return 0
        second = self._line(1)
        if not self.norm[second[0] : second[1]].strip():
            return 0
        for index in range(1, count):
            line_start, line_end = self._line(index)
            if _YAML_END.match(self.norm[line_start:line_end]):
                self.yaml = (end, line_start)
                return index + 1
        return 0


def _nocite_marks(
    text: str, norm: str, lines: _Lines, block: tuple[int, int]
) -> CitationMark | None:
    """The ``nocite`` field of a YAML metadata block as one mark."""
    start, end = block
    field = _NOCITE_FIELD.search(norm, start, end)
    if field is None:
        return None
    value_end = norm.find("\n", field.end(), end)
    value_end = end if value_end < 0 else value_end
    while value_end < end:
        next_end = norm.find("\n", value_end + 1, end)
        next_end = end if next_end < 0 else next_end
        following = norm[value_end + 1 : next_end]
        if following.strip() and not following[:1].isspace():
            break
        value_end = next_end
    cites: list[CiteRef] = []
    first = last = -1
    for m in _YAML_KEY.finditer(norm, field.end(), value_end):
        key = m.group(1)
        if key.startswith("{"):
            key = key[1:-1]
            if not key.strip():
                continue
        line, column = lines.locate(m.start())
        cites.append(CiteRef(key=key, line=line, column=column))
        if first < 0:
            first = m.start()
        last = m.end()
    if not cites:
        return None
    return _make_mark(text, lines, first, last, "nocite", cites)


# ---------------------------------------------------------------------------
# Markdown: inline scanning.

_MD_SPECIAL = re.compile(r"[`\\<\[\]@$;]|://")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_TICKS = re.compile(r"`+")
_MD_KEY = re.compile(r"\w++(?:[:.#$%&\-+?<>~/]\w++)*+")
_MD_BRACED_KEY = re.compile(r"\{([^{}\n]*)\}")
_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*+"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]++@[A-Za-z0-9](?:[A-Za-z0-9\-.]*+))>"
)
_HTML_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9\-]*+"
    r"(?:\s++[A-Za-z_:][A-Za-z0-9_.:\-]*+"
    r"(?:\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'|[^\s\"'=<>`]++))?+)*+"
    r"\s*+/?>"
)
_HTML_OTHER = re.compile(r"<(?:\?[^<>]*?\?>|![A-Za-z][^<>]*+>|!\[CDATA\[[^<]*?\]\]>)")
_DOLLAR = re.compile(r"\$")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_URL_STOP = frozenset(' \t\n<>"`\u00a0')
_URL_TRAIL = ".,:;!?'*_"
_LINK_FOLLOW = frozenset("([{")
_QUOTE_MARKERS = re.compile(r"(\r?\n|\r)(?:[ ]{0,3}>[ ]?)+")

_OPEN, _CLOSE, _AT, _SEMI = 0, 1, 2, 3
#: The characters the inline scanner records, and their kinds.
_MARK_KINDS = {"[": _OPEN, "]": _CLOSE, "@": _AT, ";": _SEMI}
# A ";"-separated part of a bracket: (start, end, event indices of its "@").
_Part = tuple[int, int, list[int]]
# A key found in a part: (position of its "@", key, end of the key).
_Found = tuple[int, str, int]


class _MdInline:
    """Citations of one run of inline Markdown (a paragraph, heading, list item...)."""

    def __init__(
        self,
        text: str,
        norm: str,
        lines: _Lines,
        start: int,
        end: int,
        examples: set[str],
    ) -> None:
        self.text = text
        self.norm = norm
        self.lines = lines
        self.start = start
        self.end = end
        self.examples = examples
        self.kinds: list[int] = []
        self.positions: list[int] = []
        self.match: list[int] = []
        # In a block quote, the "> " that open continuation lines are not source text.
        self.quoted = _quote_end(norm, start, end) > start

    def _source(self, start: int, end: int) -> str:
        """The text between two offsets, without block-quote markers."""
        source = self.text[start:end]
        if self.quoted and "\n" in self.norm[start:end]:
            source = _QUOTE_MARKERS.sub(r"\1", source)
        return source

    # -- pass A: events outside code, HTML, URLs and math ----------------------

    def _events(self) -> None:
        norm, start, end = self.norm, self.start, self.end
        kinds, positions = self.kinds, self.positions
        ticks: dict[int, list[int]] | None = None
        dollars: list[int] | None = None
        comment_failed = False
        display_failed = False
        search = _MD_SPECIAL.search
        pos = start
        while True:
            m = search(norm, pos, end)
            if m is None:
                break
            i = m.start()
            c = norm[i]
            if c == "\\":
                pos = i + 2 if i + 1 < end and norm[i + 1] in _ASCII_PUNCT else i + 1
            elif c in _MARK_KINDS:
                kinds.append(_MARK_KINDS[c])
                positions.append(i)
                pos = i + 1
            elif c == "`":
                j = i
                while j < end and norm[j] == "`":
                    j += 1
                if ticks is None:
                    ticks = {}
                    for run in _TICKS.finditer(norm, start, end):
                        ticks.setdefault(run.end() - run.start(), []).append(run.start())
                candidates = ticks.get(j - i, [])
                k = bisect_left(candidates, j)
                pos = candidates[k] + (j - i) if k < len(candidates) else j
            elif c == "<":
                pos = self._angle(i, comment_failed)
                if pos < 0:
                    comment_failed = True
                    pos = i + 1
            elif c == "$":
                if i + 1 < end and norm[i + 1] == "$":
                    close = -1 if display_failed else norm.find("$$", i + 2, end)
                    if close < 0:
                        display_failed = True
                        pos = i + 2
                    else:
                        pos = close + 2
                    continue
                if i + 1 >= end or norm[i + 1] in _MD_SPACE:
                    pos = i + 1
                    continue
                if dollars is None:
                    dollars = self._math_closers()
                k = bisect_left(dollars, i + 2)
                pos = dollars[k] + 1 if k < len(dollars) else i + 1
            else:  # "://"
                pos = self._url(i)

    def _math_closers(self) -> list[int]:
        """Positions of the ``$`` that may close inline math (pandoc's rules)."""
        norm, start, end = self.norm, self.start, self.end
        found = []
        for d in _DOLLAR.finditer(norm, start, end):
            q = d.start()
            if q == start or norm[q - 1] in _MD_SPACE or norm[q - 1] == "\\":
                continue
            if q + 1 < end and norm[q + 1].isdigit():
                continue
            found.append(q)
        return found

    def _angle(self, i: int, comment_failed: bool) -> int:
        """Position after an HTML comment, tag or autolink at ``i``; i + 1 if none; -1 if an
        unclosed comment (so later ones are not searched for again)."""
        norm, end = self.norm, self.end
        if norm.startswith("<!--", i):
            if comment_failed:
                return i + 1
            close = norm.find("-->", i + 4, end)
            return -1 if close < 0 else close + 3
        for pattern in (_AUTOLINK, _HTML_TAG, _HTML_OTHER):
            m = pattern.match(norm, i, end)
            if m:
                return m.end()
        return i + 1

    def _url(self, i: int) -> int:
        """Position after a bare URL whose ``://`` is at ``i``."""
        norm, end = self.norm, self.end
        begin = i
        while begin > self.start and i - begin < 32 and norm[begin - 1] in _SCHEME_CHARS:
            begin -= 1
        if begin == i or not norm[begin].isalpha():
            return i + 3
        k = i + 3
        parens = brackets = 0
        while k < end:
            c = norm[k]
            if c in _URL_STOP:
                break
            if c == "(":
                parens += 1
            elif c == ")":
                if parens == 0:
                    break
                parens -= 1
            elif c == "[":
                brackets += 1
            elif c == "]":
                if brackets == 0:
                    break
                brackets -= 1
            k += 1
        while k > i + 3 and norm[k - 1] in _URL_TRAIL:
            k -= 1
        return k if k > i + 3 else i + 3

    # -- pass B: brackets ------------------------------------------------------

    def _pair(self) -> None:
        match = [-1] * len(self.kinds)
        stack: list[int] = []
        for index, kind in enumerate(self.kinds):
            if kind == _OPEN:
                stack.append(index)
            elif kind == _CLOSE and stack:
                match[stack.pop()] = index
        self.match = match

    # -- pass C: citations -----------------------------------------------------

    def run(self, out: list[CitationMark]) -> None:
        self._events()
        if _AT not in self.kinds:
            return
        self._pair()
        kinds, positions, match = self.kinds, self.positions, self.match
        count = len(kinds)
        index = 0
        while index < count:
            kind = kinds[index]
            if kind == _OPEN and match[index] >= 0 and self._bracket_ok(index):
                close = match[index]
                cites = self._cluster(index, close)
                if cites is not None:
                    out.append(
                        _make_mark(
                            self.text,
                            self.lines,
                            positions[index],
                            positions[close] + 1,
                            "normal",
                            cites,
                        )
                    )
                    index = close + 1
                    continue
            elif kind == _AT:
                found = self._in_text(index, out)
                if found > index:
                    index = found
                    continue
            index += 1

    def _bracket_ok(self, index: int) -> bool:
        """The bracket at event ``index`` is not an inline note, link or span."""
        norm = self.norm
        open_at = self.positions[index]
        close_at = self.positions[self.match[index]]
        if (
            open_at > self.start
            and norm[open_at - 1] == "^"
            and not (open_at - 1 > self.start and norm[open_at - 2] == "\\")
        ):
            return False  # an inline note
        return not (close_at + 1 < self.end and norm[close_at + 1] in _LINK_FOLLOW)

    def _key(self, at: int) -> tuple[str, int] | None:
        """The key whose ``@`` is at ``at``: (key, end), or None."""
        norm = self.norm
        if at + 1 >= self.end:
            return None
        if norm[at + 1] == "{":
            m = _MD_BRACED_KEY.match(norm, at + 1, self.end)
            if m is None or not m.group(1).strip():
                return None
            return self.text[m.start(1) : m.end(1)], m.end()
        m = _MD_KEY.match(norm, at + 1, self.end)
        if m is None:
            return None
        return m.group(), m.end()

    def _at_ok(self, at: int) -> bool:
        if at == self.start:
            return True
        before = self.norm[at - 1]
        return not (before.isalnum() or before == ".")

    def _dash(self, at: int, floor: int) -> bool:
        """Whether a ``-`` right before the ``@`` at ``at`` suppresses the author."""
        norm = self.norm
        if at - 1 < floor or norm[at - 1] != "-":
            return False
        if at - 2 < floor:
            return True
        before = norm[at - 2]
        return not (before.isalnum() or before in "-\\")

    def _parts(self, lo: int, hi: int) -> list[_Part]:
        """``;``-separated parts of the bracket between events lo and hi: (start, end, @s)."""
        kinds, positions, match = self.kinds, self.positions, self.match
        parts: list[_Part] = []
        part_start = positions[lo] + 1
        ats: list[int] = []
        index = lo + 1
        while index < hi:
            kind = kinds[index]
            if kind == _OPEN:
                index = match[index] + 1 if match[index] >= 0 else index + 1
                continue
            if kind == _SEMI:
                parts.append((part_start, positions[index], ats))
                part_start = positions[index] + 1
                ats = []
            elif kind == _AT:
                ats.append(index)
            index += 1
        parts.append((part_start, positions[hi], ats))
        return parts

    def _find_key(self, part: _Part) -> _Found | None:
        """The key of one part of a bracket: (its @, key, end), or None if it has none."""
        part_end = part[1]
        for index in part[2]:
            at = self.positions[index]
            if not self._at_ok(at):
                continue
            key = self._key(at)
            if key is not None and key[1] <= part_end:
                return at, key[0], key[1]
        return None

    def _find_keys(self, parts: list[_Part]) -> list[_Found] | None:
        """The key of each part, or None if one has none (cheap: no text is copied)."""
        found: list[_Found] = []
        for part in parts:
            key = self._find_key(part)
            if key is None:
                return None
            found.append(key)
        return found

    def _cite(self, part: _Part, found: _Found) -> CiteRef:
        """The cite of one part of a bracketed citation, its key found."""
        part_start, part_end, _ = part
        at, key, key_end = found
        dash = self._dash(at, part_start)
        prefix = self._source(part_start, at - 1 if dash else at).strip()
        locator, label, suffix = _split_locator(self._source(key_end, part_end))
        line, column = self.lines.locate(at)
        return CiteRef(
            key=key,
            prefix=prefix,
            suffix=suffix,
            locator=locator,
            label=label,
            suppress_author=dash,
            line=line,
            column=column,
        )

    def _cluster(self, lo: int, hi: int) -> list[CiteRef] | None:
        """The cites of the bracket between events lo and hi; None if a part has no key."""
        parts = self._parts(lo, hi)
        found = self._find_keys(parts)
        if found is None:
            return None
        return [self._cite(part, key) for part, key in zip(parts, found, strict=True)]

    def _in_text(self, index: int, out: list[CitationMark]) -> int:
        """Record the in-text citation at event ``index``; the event index to go on from."""
        norm, positions = self.norm, self.positions
        at = positions[index]
        if not self._at_ok(at):
            return index
        key = self._key(at)
        if key is None or (norm[at + 1] != "{" and key[0] in self.examples):
            return index
        dash = self._dash(at, self.start)
        start = at - 1 if dash else at
        line, column = self.lines.locate(at)
        cites = [CiteRef(key=key[0], suppress_author=dash, line=line, column=column)]
        end = key[1]
        next_index = index + 1
        while next_index < len(positions) and positions[next_index] < end:
            next_index += 1  # an "@" inside a braced key ("@{a @b}") starts no citation
        bracket = self._attached_bracket(index, key[1])
        if bracket >= 0:
            close = self.match[bracket]
            parts = self._parts(bracket, close)
            found = self._find_keys(parts)
            if found is None:
                # "@a [p. 4; @b]": the first part is a's locator and suffix.
                found = self._find_keys(parts[1:])
                if found is not None:
                    head_start, head_end, _ = parts[0]
                    locator, label, suffix = _split_locator(self._source(head_start, head_end))
                    cites[0] = attrs.evolve(cites[0], locator=locator, label=label, suffix=suffix)
                    parts = parts[1:]
            if found is not None:
                cites.extend(self._cite(part, key) for part, key in zip(parts, found, strict=True))
                end = positions[close] + 1
                next_index = close + 1
        mode = "normal" if dash else "in-text"
        out.append(_make_mark(self.text, self.lines, start, end, mode, cites))
        return next_index

    def _attached_bracket(self, index: int, key_end: int) -> int:
        """Event index of a citation bracket right after an in-text key, or -1."""
        norm = self.norm
        k = key_end
        newline = False
        while k < self.end and norm[k] in " \t\n":
            if norm[k] == "\n":
                if newline:
                    return -1
                newline = True
            k += 1
        if k >= self.end or norm[k] != "[":
            return -1
        positions = self.positions
        count = len(positions)
        probe = index + 1
        while probe < count and positions[probe] < k:
            probe += 1
        if probe >= count or positions[probe] != k or self.kinds[probe] != _OPEN:
            return -1
        if self.match[probe] < 0 or not self._bracket_ok(probe):
            return -1
        return probe


def parse_markdown(text: str) -> list[CitationMark]:
    """The Pandoc Markdown citations of ``text``, in document order (see the module doc)."""
    text = _check_text(text)
    norm = _normalize(text)
    lines = _Lines(norm)
    blocks = _MdBlocks(norm, lines)
    marks: list[CitationMark] = []
    if blocks.yaml is not None:
        nocite = _nocite_marks(text, norm, lines, blocks.yaml)
        if nocite is not None:
            marks.append(nocite)
    for start, end in blocks.chunks:
        _MdInline(text, norm, lines, start, end, blocks.examples).run(marks)
    return marks


# ---------------------------------------------------------------------------
# LaTeX.

_TEX_SPECIAL = re.compile(r"[\\%{}\[\]()]|\n[ \t]*\n")
_TEX_LETTERS = re.compile(r"[A-Za-z]+")
_TEX_KEY_PARTS = re.compile(r"%[^\n]*+\n?|,|[^,%]++")
_TEX_VERBATIM_ENV = re.compile(
    r"[ \t]*\{(verbatim\*?|Verbatim\*?|BVerbatim|LVerbatim|lstlisting|minted|comment)\}"
)


def _commands() -> dict[str, tuple[str, bool, bool]]:
    """Citation command -> (mode, whether its star suppresses the author, multicite)."""
    table: dict[str, tuple[str, bool, bool]] = {}
    for names, entry in (
        ("cite Cite parencite Parencite autocite Autocite", ("normal", True, False)),
        ("citep Citep citealp Citealp smartcite Smartcite supercite", ("normal", False, False)),
        ("citeyearpar", ("normal", False, False)),
        ("citet Citet textcite Textcite citealt Citealt", ("in-text", False, False)),
        ("footcite Footcite footcitetext", ("note", False, False)),
        ("citeauthor Citeauthor", ("author", False, False)),
        ("citeyear", ("year", False, False)),
        ("nocite", ("nocite", False, False)),
        (
            "cites Cites parencites Parencites autocites Autocites smartcites Smartcites"
            " supercites",
            ("normal", False, True),
        ),
        ("textcites Textcites", ("in-text", False, True)),
        ("footcites Footcites", ("note", False, True)),
    ):
        for name in names.split():
            table[name] = entry
    return table


_TEX_COMMANDS: Mapping[str, tuple[str, bool, bool]] = _commands()
_TEX_NO_AUTHOR = frozenset({"citeyear", "citeyearpar"})

_T_BRACE, _T_BRACKET, _T_PAREN = 0, 1, 2


class _TexScanner:
    """LaTeX citation commands, found outside comments and verbatim text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm = _normalize(text)
        self.lines = _Lines(self.norm)
        # Opening "{", "[", "(" position -> position of what closes it (-1: nothing).
        self.closes: dict[int, int] = {}
        self.commands: list[tuple[int, str, int]] = []
        self._index_line = (0, -1)
        self._index: dict[str, list[int]] = {}

    def _line_end(self, pos: int) -> int:
        end = self.norm.find("\n", pos)
        return len(self.norm) if end < 0 else end

    def scan(self) -> None:
        """Find the citation commands and what closes each ``{``, ``[`` and ``(``."""
        norm = self.norm
        n = len(norm)
        closes = self.closes
        braces: list[int] = []  # the "{" still open
        # "[" and "(" still open, with the brace depth they were opened at.
        brackets: list[tuple[int, int]] = []
        parens: list[tuple[int, int]] = []
        search = _TEX_SPECIAL.search
        pos = 0
        while True:
            m = search(norm, pos)
            if m is None:
                break
            i = m.start()
            c = norm[i]
            pos = i + 1
            if c == "\\":
                pos = self._command(i, n)
            elif c == "{":
                braces.append(i)
            elif c == "}":
                if braces:
                    closes[braces.pop()] = i
                    depth = len(braces)
                    while brackets and brackets[-1][0] > depth:
                        brackets.pop()
                    while parens and parens[-1][0] > depth:
                        parens.pop()
            elif c == "[" or c == "(":
                (brackets if c == "[" else parens).append((len(braces), i))
            elif c == "]" or c == ")":
                pending = brackets if c == "]" else parens
                depth = len(braces)
                while pending and pending[-1][0] == depth:
                    closes[pending.pop()[1]] = i
            elif c == "%":
                pos = self._line_end(i)
            else:  # a blank line: arguments never run across it
                braces.clear()
                brackets.clear()
                parens.clear()
                pos = m.end()

    def _command(self, i: int, n: int) -> int:
        """Handle the control sequence at ``i``; the position to go on from."""
        norm = self.norm
        m = _TEX_LETTERS.match(norm, i + 1)
        if m is None:
            return min(i + 2, n) if i + 1 < n and norm[i + 1] != "\n" else i + 1
        name = m.group()
        j = m.end()
        if name == "begin":
            env = _TEX_VERBATIM_ENV.match(norm, j)
            if env:
                close = norm.find("\\end{" + env.group(1) + "}", env.end())
                return n if close < 0 else close + len(env.group(1)) + 6
            return j
        if name == "verb":
            if j < n and norm[j] == "*":
                j += 1
            return self._verbatim_arg(j)
        if name == "lstinline":
            if j < n and norm[j] == "[":
                close = self._on_line("]", j)
                if close < 0:
                    return j
                j = close + 1
            return self._verbatim_arg(j)
        if name == "mintinline":
            if j < n and norm[j] == "{":
                close = self._on_line("}", j)
                if close >= 0:
                    return self._verbatim_arg(close + 1)
            return j
        if name in _TEX_COMMANDS:
            self.commands.append((i, name, j))
        return j

    def _on_line(self, char: str, after: int) -> int:
        """The next ``char`` after position ``after`` on the same line, or -1.

        Each line asked about is indexed once (character -> positions), so
        that many unclosed ``\\verb`` on one line cost linear time.
        """
        start = self._index_line[0]
        if not start <= after < self._index_line[1]:
            end = self._line_end(after)
            if end - after < 512:  # a short way to go: no index needed
                return self.norm.find(char, after + 1, end)
            begin = self.norm.rfind("\n", 0, after) + 1
            index: dict[str, list[int]] = {}
            for k in range(begin, end):
                index.setdefault(self.norm[k], []).append(k)
            self._index_line = (begin, end)
            self._index = index
        found = self._index.get(char)
        if not found:
            return -1
        k = bisect_right(found, after)
        return found[k] if k < len(found) else -1

    def _verbatim_arg(self, j: int) -> int:
        """Position after an inline verbatim argument ``|...|`` or ``{...}`` at ``j``."""
        norm = self.norm
        if j >= len(norm) or norm[j] in " \t\n":
            return j
        close = self._on_line("}" if norm[j] == "{" else norm[j], j)
        return j + 1 if close < 0 else close + 1

    # -- arguments -------------------------------------------------------------

    def _skip_space(self, k: int) -> int:
        """Skip spaces, one line break and comments between arguments."""
        norm = self.norm
        n = len(norm)
        newline = False
        while k < n:
            c = norm[k]
            if c in " \t":
                k += 1
            elif c == "\n":
                if newline:
                    return k
                newline = True
                k += 1
            elif c == "%":
                k = self._line_end(k) + 1
                newline = False
            else:
                break
        return k

    def _group(self, k: int, opener: str) -> tuple[int, int] | None:
        """The content (start, end) of the ``opener`` group at ``k``, if it is closed."""
        if k >= len(self.norm) or self.norm[k] != opener:
            return None
        close = self.closes.get(k, -1)
        if close < 0:
            return None
        return k + 1, close

    def _optional(self, k: int, limit: int) -> tuple[list[tuple[int, int]], int] | None:
        """Up to ``limit`` ``[...]`` arguments at ``k``: their contents and the next position;
        None when a bracket is not closed."""
        found: list[tuple[int, int]] = []
        while len(found) < limit and k < len(self.norm) and self.norm[k] == "[":
            group = self._group(k, "[")
            if group is None:
                return None
            found.append(group)
            k = self._skip_space(group[1] + 1)
        return found, k

    def _keys(self, start: int, end: int) -> list[tuple[str, int]]:
        """The comma-separated keys between ``start`` and ``end`` with their positions."""
        keys: list[tuple[str, int]] = []
        region = self.norm[start:end]
        if "%" not in region:
            offset = start
            for part in region.split(","):
                key = part.strip()
                if key:
                    at = offset + len(part) - len(part.lstrip())
                    keys.append((self.text[at : at + len(key)], at))
                offset += len(part) + 1
            return keys
        piece: list[str] = []
        piece_start = -1
        for m in _TEX_KEY_PARTS.finditer(self.norm, start, end):
            part = m.group()
            if part == ",":
                key = "".join(piece).strip()
                if key:
                    keys.append((key, piece_start))
                piece = []
                piece_start = -1
            elif not part.startswith("%") or (
                m.start() > start and self.norm[m.start() - 1] == "\\"
            ):
                if piece_start < 0 and part.strip():
                    piece_start = m.start() + len(part) - len(part.lstrip())
                piece.append(self.text[m.start() : m.end()])
        key = "".join(piece).strip()
        if key:
            keys.append((key, piece_start))
        return keys

    def _note(self, group: tuple[int, int] | None) -> str:
        if group is None:
            return ""
        return self.text[group[0] : group[1]].strip()

    def _item(self, k: int, suppress: bool) -> tuple[list[CiteRef], int] | None:
        """``[pre][post]{keys}`` at ``k``: the cites and the position after ``}``."""
        optional = self._optional(k, 2)
        if optional is None:
            return None
        notes, k = optional
        group = self._group(k, "{")
        if group is None:
            return None
        keys = self._keys(*group)
        if not keys:
            return None
        pre = self._note(notes[0]) if len(notes) == 2 else ""
        post = self._note(notes[-1]) if notes else ""
        cites = []
        for key, at in keys:
            line, column = self.lines.locate(at)
            cites.append(CiteRef(key=key, suppress_author=suppress, line=line, column=column))
        if pre:
            cites[0] = attrs.evolve(cites[0], prefix=pre)
        if post:
            locator, label, suffix = _split_locator(post, tex=True)
            cites[-1] = attrs.evolve(
                cites[-1],
                locator=locator,
                label=label if locator is not None else None,
                suffix=suffix,
            )
        return cites, group[1] + 1

    def citation(self, start: int, name: str, name_end: int) -> CitationMark | None:
        """The citation of the command ``name`` at ``start``, or None if malformed."""
        norm = self.norm
        mode, star_suppresses, multi = _TEX_COMMANDS[name]
        k = self._skip_space(name_end)
        star = k < len(norm) and norm[k] == "*"
        if star:
            k = self._skip_space(k + 1)
        suppress = name in _TEX_NO_AUTHOR or (star and star_suppresses)
        if not multi:
            item = self._item(k, suppress)
            if item is None:
                return None
            cites, end = item
        else:
            global_notes: list[tuple[int, int]] = []
            while len(global_notes) < 2:
                group = self._group(k, "(")
                if group is None:
                    break
                global_notes.append(group)
                k = self._skip_space(group[1] + 1)
            cites = []
            end = -1
            while k < len(norm) and norm[k] in "[{":
                item = self._item(k, suppress)
                if item is None:
                    break
                cites.extend(item[0])
                end = item[1]
                k = self._skip_space(end)
            if not cites:
                return None
            pre = self._note(global_notes[0]) if len(global_notes) == 2 else ""
            post = self._note(global_notes[-1]) if global_notes else ""
            if pre:
                cites[0] = attrs.evolve(
                    cites[0], prefix=" ".join(filter(None, (pre, cites[0].prefix)))
                )
            if post:
                cites[-1] = attrs.evolve(
                    cites[-1], suffix=" ".join(filter(None, (cites[-1].suffix, post)))
                )
        return _make_mark(self.text, self.lines, start, end, mode, cites)


def parse_latex(text: str) -> list[CitationMark]:
    """The natbib/biblatex citations of ``text``, in document order (see the module doc)."""
    scanner = _TexScanner(_check_text(text))
    scanner.scan()
    marks: list[CitationMark] = []
    last_end = 0
    for start, name, name_end in scanner.commands:
        if start < last_end:
            continue
        mark = scanner.citation(start, name, name_end)
        if mark is not None:
            marks.append(mark)
            last_end = mark.end
    return marks


_PARSERS: Mapping[str, Callable[[str], list[CitationMark]]] = {
    "markdown": parse_markdown,
    "latex": parse_latex,
}
