"""The ``blockquote`` formatter: an excerpt as a block quotation with its attribution.

::

    import citekit

    library = citekit.load("examples/serge/serge.yaml")
    quote = citekit.formatter("blockquote", output="markdown", library=library)
    print(quote.format(library.excerpts["serge-heir"]))

renders the passage as Markdown ``>`` lines followed by
``> — Serge, quoted in bolshevikpunk 2019``. The outputs are ``markdown``,
``html``, ``latex``, ``rst`` and ``text``; the attribution is written by the
CSL formatter (:mod:`citekit.formatters.csl`) in the style given, so it
matches the document's citations and bibliography.

The snippets are filled in from templates: Python :class:`string.Template`
files, one per output, shipped in citekit's ``styles/blockquote/`` folder.
A user's folder (``templates=``) or file (``template=``) is consulted first.
A template holds ``$name`` placeholders (``$$`` is a dollar sign) for the
values listed in :data:`TEMPLATE_VARIABLES`, already escaped for the output;
a line that starts with ``?name`` followed by a space (or the line's end) is
kept, without that mark, only when the value ``name`` is not empty.
Nothing else in a template is evaluated.
"""

from __future__ import annotations

import itertools
import os
import re
import string
import textwrap
import unicodedata
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from citekit.errors import CitekitError, FormatError
from citekit.model.excerpts import Excerpt, Locator, LocatorLabel
from citekit.model.persons import Person
from citekit.model.work import Work

__all__ = [
    "ATTRIBUTIONS",
    "DEFAULT_ELLIPSIS",
    "DEFAULT_QUOTED_IN",
    "DEFAULT_WIDTH",
    "LATEX_ENVIRONMENTS",
    "SECONDARY_ONLY_REFERENCE",
    "TEMPLATE_VARIABLES",
    "BlockquoteFormatter",
    "Template",
    "elide",
    "find_template",
    "flip_quotes",
    "strip_markers",
]

#: The forms of attribution: the style's in-text citation, its note form,
#: the full reference, a citation command with the work's key, or none.
ATTRIBUTIONS: tuple[str, ...] = ("in-text", "note", "reference", "cite-key", "none")

#: The LaTeX environments a block quotation may be set in.
LATEX_ENVIRONMENTS: tuple[str, ...] = ("quotation", "quote", "epigraph")

#: What replaces an elided range. CSL locales have no term for it; the
#: bracketed ellipsis is the mark of an omission by the quoting writer in
#: most style guides and languages (give ``ellipsis=`` for another).
DEFAULT_ELLIPSIS = "[…]"

#: The wording of a second-hand quotation, by the id of the (independent)
#: CSL style, for English locales; other styles and locales use ``"quoted
#: in"`` (Chicago's wording) unless ``quoted_in_text=`` is given.
DEFAULT_QUOTED_IN: Mapping[str, str] = {
    "apa": "as cited in",
    "modern-language-association": "qtd. in",
}

#: Styles whose guides list only the work a second-hand quotation was read in
#: (APA 7th ed., section 8.6: "In the reference list, provide an entry for the
#: secondary source"; MLA Handbook 9th ed., 6.33, "qtd. in"): their
#: "reference" attribution of such a quotation is that work's entry. Other
#: styles follow the Chicago Manual (17th ed., 14.260): the original's entry,
#: then "Quoted in" and the citation of the work it was read in.
SECONDARY_ONLY_REFERENCE: frozenset[str] = frozenset({"apa", "modern-language-association"})

#: The values a template may use, with what they hold.
TEMPLATE_VARIABLES: Mapping[str, str] = {
    "body": "the paragraphs of the quotation, in the output's markup"
    " (Markdown: '> ' lines; HTML: <p> lines; reST: indented; text: wrapped)",
    "quote": "the quotation run into a sentence, in the locale's quotation marks"
    " (inline templates)",
    "attribution": "the attribution (empty for attribution='none')",
    "citation": "the attribution as it stands in running text: the style's citation"
    " with its parentheses, a citation command for 'cite-key'",
    "environment": "the LaTeX environment: quotation, quote or epigraph",
    "cite_attr": "HTML: ' cite=\"URL\"' when the work has an http(s) address, else empty",
    "lang_attr": "HTML: ' lang=\"xx\"' when the excerpt has a language, else empty",
    "url": "the work's http(s) address (or DOI link), escaped for the output, or empty",
    "language": "the excerpt's language tag, or empty",
    "id": "the excerpt's id, escaped for the output",
    "key": "the citation key of the excerpt's work, escaped for the output",
}

_OUTPUTS = ("markdown", "html", "latex", "rst", "text")
_MARKERS = ("keep", "strip")
_CSL_NS = "{http://purl.org/net/xbiblio/csl}"
_MAX_TEMPLATE_BYTES = 64 * 1024
_CONDITION = re.compile(r"^\?([A-Za-z_][A-Za-z0-9_]*)(?: (.*)|)$")
_TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_BRACKET_MARKER = re.compile(r"([ \t]*)\[[0-9]{1,3}\]([ \t]*)")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_MARKER = re.compile(rf"(?<=[^\s\d{_SUPERSCRIPTS}])[{_SUPERSCRIPTS}]+")
_CLOSING = ".,;:!?)]}»”’"
_CITE_KEY = re.compile(r"^[^\s{}\\%#,~]+$")
_RST_PARENTHESISED = re.compile(r"^\((?:[0-9]+|[A-Za-z]|[ivxlcdmIVXLCDM]+|#)\)(?:\s|$)")
_RST_SCHEME_COLON = re.compile(r"(?<=[A-Za-z0-9.+-]):(?=[^\s\\])")
_RST_ADORNMENT = re.compile(r"([^\w\s])\1{3,}")
_TRAILING_ADDRESS = re.compile(r"(?<=\s)(?:<a [^>]*>)?(?:https?://|doi:)[^\s]*$")
_PANDOC_KEY = re.compile(r"^[A-Za-z0-9_]+(?:[:./-][A-Za-z0-9_]+)*$")


# --- templates ------------------------------------------------------------------------------


@attrs.frozen
class Template:
    """A snippet template: its text and where it was read from.

    Read one with :meth:`read` (or :func:`find_template`); fill it in with
    :meth:`render`.
    """

    text: str
    source: str

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Template:
        """Read and check a template file; :class:`~citekit.FormatError` if it is unusable.

        The file must be UTF-8, at most 64 KiB, and use only the names of
        :data:`TEMPLATE_VARIABLES` (``$name``, ``${name}`` or ``?name``).
        """
        where = os.fspath(path)
        try:
            size = os.stat(where).st_size
            if size > _MAX_TEMPLATE_BYTES:
                raise FormatError(f"{where}: template is {size:,} bytes, more than 64 KiB")
            with open(where, "rb") as stream:
                data = stream.read(_MAX_TEMPLATE_BYTES + 1)
        except OSError as error:
            raise FormatError(f"{where}: cannot read template: {error.strerror}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise FormatError(f"{where}: line {line}: template is not UTF-8") from None
        return cls.from_text(text, where)

    @classmethod
    def from_text(cls, text: str, source: str = "<string>") -> Template:
        """A template from its text, checked as :meth:`read` checks a file."""
        if text.startswith("\ufeff"):
            text = text[1:]
        text = text.replace("\r\n", "\n").rstrip("\n")
        for number, line in enumerate(text.split("\n"), start=1):
            condition = _CONDITION.match(line) if line.startswith("?") else None
            if line.startswith("?") and condition is None:
                raise FormatError(
                    f"{source}: line {number}: a line starting with '?' needs a value's name"
                    " and a space: '?attribution text'"
                )
            if condition is not None:
                _check_name(condition.group(1), source, number)
            body = condition.group(2) or "" if condition is not None else line
            checker = string.Template(body)
            if not checker.is_valid():
                column = _bad_placeholder(body)
                raise FormatError(
                    f"{source}: line {number}, column {column}: '$' starts no placeholder;"
                    " write '$$' for a dollar sign, '$name' or '${name}' for a value"
                )
            for name in checker.get_identifiers():
                _check_name(name, source, number)
        return cls(text, source)

    def render(self, values: Mapping[str, str]) -> str:
        """The template filled in with ``values`` (every name of :data:`TEMPLATE_VARIABLES`)."""
        kept = []
        for line in self.text.split("\n"):
            if line.startswith("?"):
                condition = _CONDITION.match(line)
                if condition is None or not values.get(condition.group(1)):
                    continue
                line = condition.group(2) or ""
            kept.append(string.Template(line).substitute(values))
        return "\n".join(line.rstrip() for line in "\n".join(kept).split("\n"))


def _check_name(name: str, source: str, line: int) -> None:
    if name not in TEMPLATE_VARIABLES:
        import difflib

        close = difflib.get_close_matches(name, list(TEMPLATE_VARIABLES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise FormatError(
            f"{source}: line {line}: unknown template value {name!r}{hint}; expected one of "
            + ", ".join(TEMPLATE_VARIABLES)
        )


def _bad_placeholder(line: str) -> int:
    for match in string.Template.pattern.finditer(line):
        if match.group("invalid") is not None:
            return match.start() + 1
    return 1  # pragma: no cover - only called for an invalid line


def _shipped_templates() -> Path | None:
    from citekit.csl.catalog import citekit_styles_folder

    styles = citekit_styles_folder()
    if styles is None:
        return None
    folder = styles / "blockquote"
    return folder if folder.is_dir() else None


def find_template(names: Sequence[str], folder: str | os.PathLike[str] | None = None) -> Template:
    """The first template named in ``names`` (``"markdown"`` for ``markdown.tmpl``, ...).

    ``folder`` (a user's templates) is searched first, then citekit's
    ``styles/blockquote/``. Raises :class:`~citekit.FormatError` when none is
    found or the one found is unusable.
    """
    folders: list[Path] = []
    if folder is not None:
        user = Path(folder)
        if not user.is_dir():
            raise FormatError(f"{user}: no such templates folder")
        folders.append(user)
    shipped = _shipped_templates()
    if shipped is not None:
        folders.append(shipped)
    for name in names:
        if not _TEMPLATE_NAME.match(name):
            raise FormatError(f"{name!r} is not a template name")
        for where in folders:
            candidate = where / f"{name}.tmpl"
            if candidate.is_file():
                return Template.read(candidate)
    searched = ", ".join(str(f) for f in folders) or "no folder (citekit's styles/ is missing)"
    wanted = " or ".join(f"{n}.tmpl" for n in names)
    raise FormatError(f"no template {wanted} in {searched}")


# --- escaping -------------------------------------------------------------------------------


def _html_escape(text: str) -> str:
    """Text as the CSL engine's HTML (what :func:`citekit.csl.output.convert` reads)."""
    return text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")


def _attribute(text: str) -> str:
    return _html_escape(text).replace('"', "&#34;")


def _term(root: Any, name: str, form: str | None = None, plural: bool = False) -> str | None:
    """A locale term of a style (its text, or its single or multiple form)."""
    try:
        term = root.get_term(name, form)
    except Exception:  # citeproc-py on an odd locale
        return None
    if term is None:
        return None
    child = term.find(f"{_CSL_NS}{'multiple' if plural else 'single'}")
    text = child.text if child is not None else term.text
    return text if isinstance(text, str) and text else None


@attrs.frozen
class _Quotes:
    open: str
    close: str
    inner_open: str
    inner_close: str


def _locale_quotes(root: Any) -> _Quotes:
    return _Quotes(
        _term(root, "open-quote") or "\u201c",
        _term(root, "close-quote") or "\u201d",
        _term(root, "open-inner-quote") or "\u2018",
        _term(root, "close-inner-quote") or "\u2019",
    )


_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘‚‹"
_SINGLE_CLOSE = "’›"
_SPACES = "\u00a0\u202f"


def flip_quotes(text: str, quotes: _Quotes) -> str:
    """The quotation marks of ``text`` one level deeper, for a quote inside a quote.

    Double marks (“ ” „ « » and straight ") become the locale's inner marks,
    single ones (‘ ’ ‚ ‹ ›) its outer marks. A closing single mark is an
    apostrophe, and kept, unless a single quotation is open and it does not
    stand between two letters ("It’s" stays). Straight and typographic
    double marks alternate opening and closing.
    """
    out: list[str] = []
    double_open = False
    single_depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in _DOUBLE_OPEN or char in _DOUBLE_CLOSE or char == '"':
            opening = char == "«" or (char != "»" and not double_open)
            if opening:
                out.append(quotes.inner_open)
                double_open = True
                while index + 1 < len(text) and text[index + 1] in _SPACES:
                    index += 1
            else:
                while out and out[-1] in _SPACES:
                    out.pop()
                out.append(quotes.inner_close)
                double_open = False
        elif char in _SINGLE_OPEN:
            out.append(quotes.open)
            single_depth += 1
        elif char in _SINGLE_CLOSE and single_depth and not (before.isalpha() and after.isalpha()):
            out.append(quotes.close)
            single_depth -= 1
        else:
            out.append(char)
        index += 1
    return "".join(out)


# --- text processing ------------------------------------------------------------------------


def _to_ranges(value: Any) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise FormatError(f"elide is a list of (start, end) character ranges, not {value!r}")
    ranges = []
    for item in value:
        pair = tuple(item) if isinstance(item, Iterable) and not isinstance(item, str) else ()
        if (
            len(pair) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
            or not 0 <= pair[0] < pair[1]
        ):
            raise FormatError(
                f"elide: {item!r} is not a range of characters (start, end) with 0 <= start < end"
            )
        ranges.append((pair[0], pair[1]))
    ranges.sort()
    for (start, end), (next_start, next_end) in itertools.pairwise(ranges):
        if next_start < end:
            raise FormatError(
                f"elide: ranges ({start}, {end}) and ({next_start}, {next_end}) overlap"
            )
    return tuple(ranges)


#: The line width of text output when none is given.
DEFAULT_WIDTH = 72


def elide(text: str, ranges: Sequence[tuple[int, int]], ellipsis: str = DEFAULT_ELLIPSIS) -> str:
    """``text`` with each ``(start, end)`` range of characters replaced by ``ellipsis``.

    Ranges are sorted and do not overlap (see :class:`BlockquoteFormatter`).
    The spaces around a range are tidied: one space on each side of the
    ellipsis, none at the start or end of the text or of a paragraph, and
    none before closing punctuation (``, . ; : ! ? )``). A range that crosses
    a paragraph break joins the two paragraphs. A range that begins or ends
    inside a word takes the whole word: an elision never leaves half a word
    ("[…] ainst his brothers" is "[…] his brothers").
    """
    kept = []  # the text between the ranges
    position = 0
    for start, end in _whole_words(text, ranges):
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    out = kept[0]
    for following in kept[1:]:
        out = out.rstrip(" \t")
        following = following.lstrip(" \t")
        if out and not out.endswith("\n"):
            out += " "
        out += ellipsis
        if following and not following.startswith("\n") and following[0] not in _CLOSING:
            out += " "
        out += following
    return out


def _in_word(text: str, i: int) -> bool:
    """Whether character ``i`` belongs to a word: a letter or digit, or an apostrophe
    or hyphen between two of them ("It’s", "Commune-State")."""
    if not 0 <= i < len(text):
        return False
    char = text[i]
    if char.isalnum():
        return True
    return (
        char in "’'-\u2010"
        and 0 < i < len(text) - 1
        and text[i - 1].isalnum()
        and text[i + 1].isalnum()
    )


def _whole_words(text: str, ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges widened to the words they cut, merged where they then meet."""
    widened: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        while start > 0 and _in_word(text, start - 1) and _in_word(text, start):
            start -= 1
        while end < len(text) and _in_word(text, end - 1) and _in_word(text, end):
            end += 1
        if widened and start <= widened[-1][1]:
            widened[-1] = (widened[-1][0], max(end, widened[-1][1]))
        else:
            widened.append((start, end))
    return widened


def strip_markers(text: str, *, superscripts: bool = False) -> str:
    """``text`` without the source's own note markers: ``[7]`` (one to three digits).

    The space around a marker is tidied: ``fact” [7](April`` becomes
    ``fact” (April``, ``communism,” [8] James`` becomes ``communism,” James``
    and ``end [3].`` becomes ``end.``. Bracketed numbers of four digits
    (``[1917]``, an editor's insertion) are kept. With ``superscripts``,
    runs of superscript digits after a letter or punctuation (``word¹²``)
    are removed as well; they are kept by default, as ``m²`` is no marker.
    """

    def replace(match: re.Match[str]) -> str:
        before, after = match.group(1), match.group(2)
        previous = text[match.start() - 1] if match.start() else ""
        following = text[match.end()] if match.end() < len(text) else ""
        if not (before or after) or not previous or previous == "\n":
            return ""
        if not following or following == "\n" or following in _CLOSING:
            return ""
        return " "

    text = _BRACKET_MARKER.sub(replace, text)
    if superscripts:
        text = _SUPERSCRIPT_MARKER.sub("", text)
    return text


_BIDI_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
_BIDI_ISOLATES = "\u2066\u2067\u2068"


def _fill(text: str, width: int, subsequent_indent: str = "") -> str:
    """``text`` wrapped to ``width``, its bidirectional controls balanced on each line.

    A line break inside an embedding, override or isolate closes it at the
    end of the line and opens it again on the next one, so that the
    reordering the text asks for is kept and no line leaves one open.
    """
    from citekit.csl.output import balance_bidi

    wrapped = textwrap.fill(
        text,
        width,
        subsequent_indent=subsequent_indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    if not any(c in wrapped for c in _BIDI_EMBEDDINGS + _BIDI_ISOLATES):
        return wrapped
    lines = []
    carried = ""  # the controls still open where the line before ended
    for number, line in enumerate(wrapped.split("\n")):
        indent = subsequent_indent if number and line.startswith(subsequent_indent) else ""
        body = carried + line[len(indent) :]
        carried = _open_bidi(body)
        lines.append(indent + balance_bidi(body))
    return "\n".join(lines)


#: Line starts that would open a Markdown block (a list, a heading, a quotation, a
#: setext underline) inside a wrapped paragraph.
_MARKDOWN_BLOCK_START = re.compile(r"(?:[-+*]|#{1,6}|>|=+|-+)(?=\s|$)|\d{1,9}(?=[.)](?:\s|$))")


def _wrap_markdown(text: str, width: int, subsequent_indent: str = "") -> str:
    """A Markdown paragraph wrapped to ``width``, no line starting a block by accident.

    A line that would begin with ``- ``, ``+ ``, ``# ``, ``> ``, ``1. `` or an
    underline of ``=`` or ``-`` is escaped (``\\-``, ``1\\.``), so that
    wrapping never turns a sentence into a list or a heading.
    """
    lines = _fill(text, max(width, 20), subsequent_indent=subsequent_indent).split("\n")
    for number, line in enumerate(lines):
        if number == 0:
            continue  # the paragraph's start is escaped by _paragraph
        indent = line[: len(line) - len(line.lstrip(" "))]
        body = line[len(indent) :]
        found = _MARKDOWN_BLOCK_START.match(body)
        if found is None:
            continue
        if body[0].isdigit():
            end = found.end()
            lines[number] = f"{indent}{body[:end]}\\{body[end:]}"
        else:
            lines[number] = f"{indent}\\{body}"
    return "\n".join(lines)


def _open_bidi(text: str) -> str:
    """The bidirectional embeddings, overrides and isolates still open at the end of text."""
    stack: list[str] = []
    for char in text:
        if char in _BIDI_EMBEDDINGS or char in _BIDI_ISOLATES:
            stack.append(char)
        elif char == "\u202c" and stack and stack[-1] in _BIDI_EMBEDDINGS:
            stack.pop()
        elif char == "\u2069" and any(c in _BIDI_ISOLATES for c in stack):
            while stack.pop() not in _BIDI_ISOLATES:
                pass
    return "".join(stack)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]


# --- the formatter --------------------------------------------------------------------------


def _choice(value: Any, choices: Sequence[str], what: str) -> str:
    if isinstance(value, str) and value in choices:
        return value
    import difflib

    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise FormatError(f"unknown {what} {value!r}{hint}; expected one of {', '.join(choices)}")


@attrs.frozen
class _Parts:
    """A citation in the engine's HTML, split into the layout's affixes and the rest."""

    prefix: str
    core: str
    suffix: str

    @property
    def whole(self) -> str:
        return f"{self.prefix}{self.core}{self.suffix}"


class BlockquoteFormatter:
    """Render an :class:`~citekit.Excerpt` as a block quotation with its attribution.

    :param output: ``"markdown"``, ``"html"``, ``"latex"``, ``"rst"`` or ``"text"``.
    :param style: the CSL style of the attribution (a name, a path or XML
        text, as for the ``csl`` formatter).
    :param attribution: ``"in-text"`` (the style's citation of the work
        with the excerpt's locator, without the parentheses around it:
        ``Serge 1945, 12``), ``"note"`` (a note style's citation as in a
        first footnote; an in-text style has no note form and gives its
        in-text form), ``"reference"`` (the work's full bibliography entry,
        with the locator before its final period), ``"cite-key"`` (LaTeX
        ``\\cite[locator]{key}``, or pandoc's ``[@key, p. 12]`` in Markdown)
        or ``"none"``.
    :param library: the works (a :class:`~citekit.Library`, a mapping or
        list of works): every attribution but ``"cite-key"`` and ``"none"``
        needs it. With a Library, :meth:`format` also takes an excerpt's id.
    :param width: the line width of the ``text`` output.
    :param elide: ``(start, end)`` ranges of characters of the excerpt's
        text (as in ``excerpt.text[start:end]``) to leave out; each becomes
        ``ellipsis``.
    :param ellipsis: what stands for an elided range, ``"[…]"`` by default
        (see :data:`DEFAULT_ELLIPSIS`).
    :param footnote_markers: ``"keep"`` or ``"strip"`` the source's own note
        markers ``[7]`` (see :func:`strip_markers`).
    :param superscript_markers: with ``footnote_markers="strip"``, also strip
        superscript digits (``word¹``).
    :param inline_max_words: quotations of fewer words are run into the
        sentence (the ``inline-*`` templates): in the locale's quotation
        marks, their own quotation marks one level deeper (see
        :func:`flip_quotes`), followed by the citation.
    :param latex_environment: ``"quotation"``, ``"quote"`` or ``"epigraph"``
        (the ``epigraph`` package's ``\\epigraph{text}{attribution}``).
    :param quoted_in_text: the words joining a speaker or author to the work
        a passage was read in (``"quoted in"``; see :data:`DEFAULT_QUOTED_IN`).
    :param locale: the locale of the style (its default otherwise): the
        citation's terms and the quotation marks.
    :param templates: a folder of templates consulted before citekit's own
        (``markdown.tmpl``, ``inline-markdown.tmpl``, ...).
    :param template: the file of the template for block quotations, which
        replaces the one of the output.
    :raises citekit.FormatError: for a bad option or template.
    :raises citekit.StyleError: for an unknown or broken style.

    The attribution of an excerpt with ``quoted_in`` (or a ``speaker``) is
    "*who*, quoted in *where*": *who* is the speaker, else the authors of
    the excerpt's work as the style names them in a citation (with the
    excerpt's locator, the whole citation of the work: "Serge 1945, 12"),
    and *where* the citation of the quoted-in work with its locator (of the
    excerpt's work when only a speaker is given). All text is escaped for
    the output, and the HTML holds only the markup of the templates and of
    the CSL engine's HTML output.
    """

    name = "blockquote"

    def __init__(
        self,
        *,
        output: str = "markdown",
        style: str | os.PathLike[str] | bytes = "chicago-author-date",
        attribution: str = "in-text",
        library: Any = None,
        width: int | None = None,
        elide: Iterable[tuple[int, int]] | None = None,
        ellipsis: str = DEFAULT_ELLIPSIS,
        footnote_markers: str = "keep",
        superscript_markers: bool = False,
        inline_max_words: int | None = None,
        latex_environment: str = "quotation",
        quoted_in_text: str | None = None,
        locale: str | None = None,
        templates: str | os.PathLike[str] | None = None,
        template: str | os.PathLike[str] | None = None,
    ) -> None:
        from citekit.formatters.csl import CslFormatter

        self.output = _choice(output, _OUTPUTS, "output format")
        self.attribution = _choice(attribution, ATTRIBUTIONS, "attribution")
        self.footnote_markers = _choice(footnote_markers, _MARKERS, "footnote_markers option")
        self.latex_environment = _choice(latex_environment, LATEX_ENVIRONMENTS, "LaTeX environment")
        if width is not None and (
            isinstance(width, bool) or not isinstance(width, int) or width < 20
        ):
            raise FormatError(f"width is a number of characters, at least 20, not {width!r}")
        self.wrap = width
        """The line width asked for (None: the output's default)."""
        self.width = DEFAULT_WIDTH if width is None else width
        """The line width of text output (and of Markdown output when ``width`` was given)."""
        if inline_max_words is not None and (
            isinstance(inline_max_words, bool)
            or not isinstance(inline_max_words, int)
            or inline_max_words < 1
        ):
            raise FormatError(f"inline_max_words is a positive number, not {inline_max_words!r}")
        self.inline_max_words = inline_max_words
        if not isinstance(ellipsis, str) or not ellipsis.strip() or "\n" in ellipsis:
            raise FormatError(f"ellipsis is a short text on one line, not {ellipsis!r}")
        self.ellipsis = ellipsis
        self.elide = _to_ranges(elide)
        self.superscript_markers = bool(superscript_markers)
        if quoted_in_text is not None and (
            not isinstance(quoted_in_text, str) or not quoted_in_text.strip()
        ):
            raise FormatError(f"quoted_in_text is a non-empty text, not {quoted_in_text!r}")
        if self.attribution == "cite-key" and self.output not in ("latex", "markdown"):
            raise FormatError(
                f"attribution 'cite-key' writes a LaTeX \\cite or a pandoc citation:"
                f" it needs output 'latex' or 'markdown', not {self.output!r}"
            )
        self.library = library
        self._csl = CslFormatter(style, output="html", locale=locale)
        root = self._csl.style.root
        self.quotes = _locale_quotes(root)
        """The locale's quotation marks (outer and inner)."""
        self.quoted_in_text = quoted_in_text.strip() if quoted_in_text else self._quoted_in(root)
        """The words of a second-hand attribution ("quoted in")."""
        layout = root.find(f"{_CSL_NS}citation/{_CSL_NS}layout")
        self._affixes = (
            _html_escape(layout.get("prefix") or "") if layout is not None else "",
            _html_escape(layout.get("suffix") or "") if layout is not None else "",
        )
        self.templates = Path(templates) if templates is not None else None
        if self.templates is not None and not self.templates.is_dir():
            raise FormatError(f"{self.templates}: no such templates folder")
        block_names = ["latex-epigraph"] if self._epigraph else [self.output]
        self._block = (
            Template.read(template)
            if template is not None
            else find_template(block_names, self.templates)
        )
        self._inline = (
            find_template([f"inline-{self.output}", "inline"], self.templates)
            if inline_max_words is not None
            else None
        )

    @property
    def _epigraph(self) -> bool:
        return self.output == "latex" and self.latex_environment == "epigraph"

    def _quoted_in(self, root: Any) -> str:
        if not self._csl.locale.lower().startswith("en"):
            return "quoted in"
        return DEFAULT_QUOTED_IN.get(_style_id(root), "quoted in")

    @property
    def _numeric(self) -> bool:
        """True for styles whose citations are numbers or labels ("[4]"), not names."""
        info = self._csl.style.root.find(f"{_CSL_NS}info")
        formats = [
            c.get("citation-format")
            for c in (info.findall(f"{_CSL_NS}category") if info is not None else [])
        ]
        return any(f in ("numeric", "label") for f in formats)

    def __repr__(self) -> str:
        return (
            f"BlockquoteFormatter(output={self.output!r}, style={self._csl.style_name!r},"
            f" attribution={self.attribution!r})"
        )

    # -- the Formatter protocol ----------------------------------------------------------

    def format(self, obj: Any) -> str:
        """The excerpt (an :class:`~citekit.Excerpt`, or its id in the library) as a snippet."""
        excerpt = self._excerpt(obj)
        paragraphs = _paragraphs(self._prepare(excerpt))
        values = self._values(excerpt)
        words = sum(len(p.split()) for p in paragraphs)
        limit = self.inline_max_words
        if self._inline is not None and limit is not None and words < limit:
            values["quote"] = self._inline_quote(" ".join(paragraphs))
            return self._inline.render(values).strip()
        values["body"] = self._body(paragraphs)
        return self._block.render(values)

    def attribute(self, obj: Any) -> str:
        """The attribution of an excerpt alone, in the output format ("" for ``"none"``)."""
        return self._attribution(self._excerpt(obj))[0]

    # -- the excerpt ----------------------------------------------------------------------

    def _excerpt(self, obj: Any) -> Excerpt:
        if isinstance(obj, Excerpt):
            return obj
        if isinstance(obj, str):
            excerpts = getattr(self.library, "excerpts", None)
            if not isinstance(excerpts, Mapping):
                raise FormatError(
                    f"cannot look up excerpt {obj!r}: the formatter has no Library"
                    " (give library=...)"
                )
            if obj not in excerpts:
                import difflib

                close = difflib.get_close_matches(obj, list(excerpts), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise FormatError(f"no excerpt {obj!r} in the library{hint}")
            found = excerpts[obj]
            if isinstance(found, Excerpt):
                return found
        raise FormatError(f"the blockquote formatter formats an Excerpt, not {type(obj).__name__}")

    def _prepare(self, excerpt: Excerpt) -> str:
        text = excerpt.text
        if self.elide:
            last = self.elide[-1][1]
            if last > len(text):
                raise FormatError(
                    f"excerpt {excerpt.id!r}: elided range ends at {last}, after the end of"
                    f" its text ({len(text)} characters)"
                )
            text = elide(text, self.elide, self.ellipsis)
        if self.footnote_markers == "strip":
            text = strip_markers(text, superscripts=self.superscript_markers)
        return text

    # -- output pieces --------------------------------------------------------------------

    def _convert(self, markup: str) -> str:
        """The engine's HTML (or escaped text) in the output format."""
        from citekit.csl.output import convert

        return convert(markup, self.output)

    def _text(self, text: str) -> str:
        return self._convert(_html_escape(text))

    def _inert(self, converted: str) -> str:
        """reST: no standalone hyperlinks ("javascript:..." is one for docutils)."""
        if self.output == "rst":
            return _RST_SCHEME_COLON.sub(r"\\:", converted)
        return converted

    def _paragraph(self, text: str) -> str:
        converted = self._inert(self._text(text))
        if self.output == "markdown" and converted[:1] in ("-", "+"):
            converted = "\\" + converted  # a thematic break or a list otherwise
        if self.output == "rst" and (
            converted.startswith(("-", "—", "="))  # an attribution or a transition
            or _RST_PARENTHESISED.match(converted)  # an enumerated list: "(a) ..."
            or _RST_ADORNMENT.fullmatch(converted)  # a transition: "~~~~"
        ):
            converted = "\\" + converted
        return converted

    def _body(self, paragraphs: Sequence[str]) -> str:
        converted = [self._paragraph(p) for p in paragraphs]
        if self.output == "markdown":
            if self.wrap is not None:
                converted = [_wrap_markdown(p, self.wrap - 2) for p in converted]
            return "\n>\n".join("\n".join(f"> {line}" for line in p.split("\n")) for p in converted)
        if self.output == "html":
            return "\n".join(f"  <p>{p}</p>" for p in converted)
        if self.output == "rst":
            return "\n\n".join(f"    {p}" for p in converted)
        if self.output == "latex":
            return ("\\par\n" if self._epigraph else "\n\n").join(converted)
        return "\n\n".join(_fill(p, self.width) for p in converted)

    def _inline_quote(self, text: str) -> str:
        return self._text(f"{self.quotes.open}{flip_quotes(text, self.quotes)}{self.quotes.close}")

    def _values(self, excerpt: Excerpt) -> dict[str, str]:
        # On one line: display blocks of a reference would break a Markdown or reST block.
        attribution, citation = (
            self._inert(" ".join(a.split("\n"))) for a in self._attribution(excerpt)
        )
        if self.output == "text" and attribution:
            attribution = _fill(attribution, self.width - 2, subsequent_indent="  ")
        elif self.output == "markdown" and attribution and self.wrap is not None:
            attribution = "\n> ".join(_wrap_markdown(attribution, self.wrap - 4, "  ").split("\n"))
        url = self._url(excerpt)
        language = (
            excerpt.language if excerpt.language and _LANGUAGE.match(excerpt.language) else ""
        )
        html = self.output == "html"
        return {
            "body": "",
            "quote": "",
            "attribution": attribution,
            "citation": citation,
            "environment": self.latex_environment,
            "cite_attr": f' cite="{_attribute(url)}"' if html and url else "",
            "lang_attr": f' lang="{language}"' if html and language else "",
            "url": (_attribute(url) if html else self._text(url)) if url else "",
            "language": language,
            "id": self._text(excerpt.id),
            "key": self._text(excerpt.work_key),
        }

    def _url(self, excerpt: Excerpt) -> str:
        """The http(s) address of the excerpt's work (else of the quoted-in work), or ""."""
        keys = [excerpt.work_key]
        if excerpt.quoted_in is not None:
            keys.append(excerpt.quoted_in.work_key)
        works = self._works_by_key()
        for key in keys:
            work = works.get(key)
            if work is None:
                continue
            for candidate in (work.url, _doi_url(work.doi)):
                if candidate and _safe_url(candidate):
                    return candidate
        return ""

    # -- attribution ----------------------------------------------------------------------

    def _works_by_key(self) -> dict[str, Work]:
        library = self.library
        if library is None:
            return {}
        if isinstance(library, Mapping):
            return {k: w for k, w in library.items() if isinstance(w, Work)}
        if isinstance(library, Iterable) and not isinstance(library, str | bytes):
            return {w.key: w for w in library if isinstance(w, Work)}
        raise FormatError(
            f"library is a Library, a mapping or a list of works, not {type(library).__name__}"
        )

    def _need(self, excerpt: Excerpt, key: str, works: Mapping[str, Work], what: str) -> None:
        if self.library is None:
            raise FormatError(
                f"excerpt {excerpt.id!r}: the {self.attribution!r} attribution needs the"
                " library of works (give library=...), or use attribution='cite-key' or 'none'"
            )
        if key not in works:
            import difflib

            close = difflib.get_close_matches(key, list(works), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise FormatError(f"excerpt {excerpt.id!r}: {what} {key!r} is not in the library{hint}")

    def _cite(
        self,
        key: str,
        locator: Locator | None = None,
        *,
        author_only: bool = False,
        note: bool = False,
        speaker: Person | None = None,
    ) -> _Parts:
        """A citation in the engine's HTML, with the layout's affixes split off."""
        works: Any = self.library
        if speaker is not None:
            works = [Work(key=key, type="document", contributors={"author": [speaker]})]
        try:
            html = self._csl.cite(
                works,
                key,
                locator=locator,
                author_only=author_only,
                note=1 if note else None,
            )
        except CitekitError as error:
            raise FormatError(f"cannot cite {key!r}: {error}") from error
        prefix, suffix = self._affixes
        if (
            (prefix or suffix)
            and len(html) > len(prefix) + len(suffix)
            and html.startswith(prefix)
            and html.endswith(suffix)
        ):
            return _Parts(prefix, html[len(prefix) : len(html) - len(suffix)], suffix)
        return _Parts("", html, "")

    def _reference(self, key: str, locator: Locator | None) -> str:
        """The bibliography entry of a work in the engine's HTML, with a locator."""
        works = self._works_by_key()
        try:
            entry = self._csl.format(works[key])
        except CitekitError as error:
            raise FormatError(f"cannot format the reference of {key!r}: {error}") from error
        if locator is None:
            return entry
        located = _html_escape(self._locator_text(locator))
        # Before a closing address ("... May 1945, p. 12. https://..."), not after it.
        address = _TRAILING_ADDRESS.search(entry)
        if address is not None and address.start() > 0:
            head, tail = entry[: address.start()].rstrip(), entry[address.start() :]
            if head.endswith("."):
                return f"{head[:-1]}, {located}. {tail}"
            return f"{head}, {located}. {tail}"
        if entry.endswith("."):
            return f"{entry[:-1]}, {located}."
        return f"{entry}, {located}"

    def _locator_text(self, locator: Locator, *, latex: bool = False) -> str:
        """A locator with the locale's short label: "p. 12", "chap. 3"."""
        plural = bool(re.search(r"[-–—,&]", locator.value))
        label = _term(self._csl.style.root, _label_term(locator.label), "short", plural)
        if label is None:
            return locator.value
        space = "" if label.endswith(("§", "¶")) else ("~" if latex else " ")
        return f"{label}{space}{locator.value}"

    def _attribution(self, excerpt: Excerpt) -> tuple[str, str]:
        """The attribution and the citation for running text, in the output format."""
        mode = self.attribution
        if mode == "none":
            return "", ""
        if mode == "cite-key":
            return self._cite_key_attribution(excerpt)
        works = self._works_by_key()
        self._need(excerpt, excerpt.work_key, works, "its work")
        second_hand = excerpt.quoted_in is not None or excerpt.speaker is not None
        note = mode == "note" and self._csl.style.is_note_style
        if not second_hand:
            if mode == "reference":
                entry = self._convert(self._reference(excerpt.work_key, excerpt.locator))
                return entry, f"({entry})"
            parts = self._cite(excerpt.work_key, excerpt.locator, note=note)
            attribution = parts.whole if note else parts.core
            return self._convert(attribution), self._convert(parts.whole)
        if excerpt.quoted_in is not None:
            where_key, where_locator = excerpt.quoted_in.work_key, excerpt.quoted_in.locator
            self._need(excerpt, where_key, works, "the work it is quoted in,")
            if mode == "reference":
                entry = self._convert(self._second_hand_reference(excerpt))
                return entry, f"({entry})"
            who = self._original(excerpt)
        else:
            where_key, where_locator = excerpt.work_key, excerpt.locator
            who = self._who(excerpt)
        joined = f"{who}, {_html_escape(self.quoted_in_text)} "
        if mode == "reference":
            entry = self._convert(joined + self._reference(where_key, where_locator))
            return entry, f"({entry})"
        where = self._cite(where_key, where_locator, note=note)
        composed = joined + where.core
        whole = f"{where.prefix}{composed}{where.suffix}"
        return self._convert(whole if note else composed), self._convert(whole)

    def _original(self, excerpt: Excerpt) -> str:
        """The citation of the work a second-hand quotation comes from, in the engine's HTML.

        As the guides give it: the style's whole citation of the original, with its
        locator, its year included when the style cites by name and year ("Serge
        1945, 12, quoted in ..."; APA 8.6: "Rabbitt, 1982, as cited in ...";
        Chicago 15.52: "Zukofsky 1931, 269, quoted in ..."), and a note style's
        full note ("Victor Serge, “Lenin’s Heir?,” ... 1945, quoted in ...",
        Chicago 14.260). A style that cites by number names the author instead
        ("Serge, quoted in [4]"), with the locator when there is one.
        """
        assert excerpt.quoted_in is not None
        if excerpt.speaker is not None:  # who spoke, in the work quoted in the other
            return self._who(excerpt)
        if self._numeric and excerpt.locator is None:
            return self._cite(excerpt.work_key, author_only=True).core
        note = self._csl.style.is_note_style
        return self._cite(excerpt.work_key, excerpt.locator, note=note).core

    def _second_hand_reference(self, excerpt: Excerpt) -> str:
        """The "reference" attribution of a second-hand quotation, in the engine's HTML.

        APA and MLA (:data:`SECONDARY_ONLY_REFERENCE`): the entry of the work it
        was read in, with that work's locator. Others, after the Chicago Manual
        (14.260): the original's entry with its locator, then "Quoted in" and the
        citation of the work it was read in (a note style's full note, else the
        style's citation without its parentheses), with that work's locator.
        """
        quoted_in = excerpt.quoted_in
        assert quoted_in is not None
        if _style_id(self._csl.style.root) in SECONDARY_ONLY_REFERENCE:
            return self._reference(quoted_in.work_key, quoted_in.locator)
        entry = self._reference(excerpt.work_key, excerpt.locator).rstrip()
        note = self._csl.style.is_note_style
        where = self._cite(quoted_in.work_key, quoted_in.locator, note=note).core.rstrip(". ")
        words = _html_escape(self.quoted_in_text)
        words = words[:1].upper() + words[1:]
        if not re.search(r"[.!?](?:</[a-z]+>)*$", entry):
            entry += "."
        return f"{entry} {words} {where}."

    def _who(self, excerpt: Excerpt) -> str:
        """The speaker, else the author(s) of the excerpt's work, in the engine's HTML."""
        if excerpt.speaker is not None:
            return self._cite("speaker", author_only=True, speaker=excerpt.speaker).core
        if excerpt.locator is not None and excerpt.quoted_in is not None:
            return self._cite(excerpt.work_key, excerpt.locator).core
        return self._cite(excerpt.work_key, author_only=True).core

    def _cite_key_attribution(self, excerpt: Excerpt) -> tuple[str, str]:
        latex = self.output == "latex"
        if excerpt.quoted_in is not None:
            key, locator = excerpt.quoted_in.work_key, excerpt.quoted_in.locator
        else:
            key, locator = excerpt.work_key, excerpt.locator
        command = self._cite_command(key, locator, excerpt)
        if excerpt.quoted_in is None and excerpt.speaker is None:
            return command, command
        if excerpt.speaker is not None or self.library is not None:
            works = self._works_by_key()
            if excerpt.speaker is None:
                self._need(excerpt, excerpt.work_key, works, "its work")
            who = self._convert(self._who(excerpt))
        elif latex:
            who = f"\\citeauthor{{{self._key(excerpt.work_key, excerpt)}}}"
        else:
            raise FormatError(
                f"excerpt {excerpt.id!r}: a pandoc citation cannot name the author of"
                f" {excerpt.work_key!r} alone; give library=... to name it"
            )
        words = self._text(self.quoted_in_text)
        if latex:
            text = f"{who}, {words} {command}"
            return text, text
        # pandoc: text before the key goes inside the brackets, "[Serge, quoted in @key]".
        inner = command[1:-1]
        return f"[{who}, {words} {inner}]", f"[{who}, {words} {inner}]"

    def _key(self, key: str, excerpt: Excerpt) -> str:
        if not _CITE_KEY.match(key):
            raise FormatError(
                f"excerpt {excerpt.id!r}: key {key!r} cannot be written in a citation command"
                " (it holds a space, a brace, a comma, a backslash, '%', '#' or '~')"
            )
        return key

    def _cite_command(self, key: str, locator: Locator | None, excerpt: Excerpt) -> str:
        key = self._key(key, excerpt)
        if self.output == "latex":
            if locator is None:
                return f"\\cite{{{key}}}"
            if locator.label is LocatorLabel.PAGE:
                located = self._latex(locator.value)
            else:
                located = self._latex(self._locator_text(locator)).replace(" ", "~")
            return f"\\cite[{located}]{{{key}}}"
        at = f"@{key}" if _PANDOC_KEY.match(key) else f"@{{{key}}}"
        if locator is None:
            return f"[{at}]"
        located = re.sub(r"([\\\[\];*_`@])", r"\\\1", self._locator_text(locator))
        return f"[{at}, {_html_escape(located)}]"

    def _latex(self, text: str) -> str:
        from citekit.csl.output import convert

        escaped = convert(_html_escape(text), "latex")
        return escaped.replace("[", "{[}").replace("]", "{]}")


def _style_id(root: Any) -> str:
    """The last part of a style's id: ``apa`` for ``http://www.zotero.org/styles/apa``."""
    found = root.find(f"{_CSL_NS}info/{_CSL_NS}id")
    text = found.text if found is not None else None
    return (text or "").strip().rstrip("/").rsplit("/", 1)[-1]


def _label_term(label: LocatorLabel) -> str:
    """The CSL term of a locator label (the ``-locator`` labels drop the suffix)."""
    return {"article-locator": "article", "title-locator": "title"}.get(label.value, label.value)


def _doi_url(doi: str | None) -> str | None:
    if not doi:
        return None
    doi = doi.strip()
    if doi.lower().startswith(("http://", "https://")):
        return doi
    doi = re.sub(r"^(?:doi:\s*)", "", doi, flags=re.IGNORECASE)
    return "https://doi.org/" + urllib.parse.quote(doi, safe="/:;()._-")


def _safe_url(url: str) -> bool:
    """True for an absolute http(s) URL without spaces, quotes or control characters."""
    if any(unicodedata.category(c)[0] in "CZ" for c in url) or any(c in url for c in '"<>`\\'):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
