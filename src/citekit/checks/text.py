"""Rules on text: mojibake, control characters, unbalanced braces and quotes,
unescaped LaTeX specials, spaces inside the delimiters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from citekit.checks import Context, Entry, EntryRule, Finding, Fix
from citekit.checks.identifiers import _delimited

__all__ = [
    "VERBATIM_FIELDS",
    "ControlCharacter",
    "LatexSpecial",
    "Mojibake",
    "TrailingSpace",
    "UnbalancedBraces",
    "UnbalancedQuotes",
    "ignored",
]

#: Fields whose text is taken verbatim (biblatex's verbatim and URI fields) or
#: that no style prints: LaTeX specials are no defect there.
VERBATIM_FIELDS = frozenset(
    {
        "url",
        "doi",
        "eprint",
        "file",
        "pdf",
        "verba",
        "verbb",
        "verbc",
        "urlraw",
        "crossref",
        "xref",
        "xdata",
        "entryset",
        "ids",
        "related",
        "keywords",
        "abstract",
        "owner",
        "timestamp",
        "groups",
        "mendeley-tags",
        "mendeley-groups",
        "date-added",
        "date-modified",
        "local-url",
        "sortkey",
        "sorttitle",
        "indexsorttitle",
        "sortname",
        "sortshorthand",
        "sortyear",
        "presort",
        "langid",
        "key",
        "bdsk-url-1",
        "bdsk-url-2",
        "bdsk-file-1",
    }
)

# Characters Windows-1252 gives to bytes 0x80-0x9f (where Latin-1 has controls).
_CP1252 = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_SUSPECT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252 + "]+")


def _repair(text: str) -> str | None:
    """The text a mojibake run stands for (UTF-8 read as Latin-1/Windows-1252), else None."""
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != text:
            return fixed
    return None


def mojibake_in(text: str) -> tuple[str, str] | None:
    """The first mojibake run in ``text`` and what it stands for, or None."""
    for m in _SUSPECT.finditer(text):
        run = m.group(0)
        # A run is one UTF-8 sequence: a lead byte and its continuation bytes.
        lead = run.encode("cp1252", errors="replace")[0] if run else 0
        length = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        candidate = run[:length]
        fixed = _repair(candidate)
        if fixed is not None:
            return candidate, fixed
    if "\ufffd" in text:
        return "\ufffd", "?"
    return None


#: Fields the standard BibTeX styles and biblatex's styles print as LaTeX text
#: (bookkeeping fields from reference managers, such as jstor_articletype or
#: citeulike-linkout-0, never reach LaTeX).
PRINTED_FIELDS = frozenset(
    {
        "author",
        "editor",
        "translator",
        "bookauthor",
        "editora",
        "editorb",
        "editorc",
        "annotator",
        "commentator",
        "introduction",
        "foreword",
        "afterword",
        "holder",
        "title",
        "subtitle",
        "titleaddon",
        "shorttitle",
        "booktitle",
        "booksubtitle",
        "booktitleaddon",
        "maintitle",
        "mainsubtitle",
        "maintitleaddon",
        "journal",
        "journaltitle",
        "journalsubtitle",
        "shortjournal",
        "issuetitle",
        "issuesubtitle",
        "eventtitle",
        "venue",
        "series",
        "publisher",
        "institution",
        "school",
        "organization",
        "address",
        "location",
        "note",
        "addendum",
        "howpublished",
        "edition",
        "chapter",
        "type",
        "volume",
        "number",
        "issue",
        "pages",
        "pagetotal",
        "part",
        "version",
        "nameaddon",
        "origtitle",
        "origlocation",
        "origpublisher",
    }
)


def ignored(name: str) -> bool:
    """Fields no style reads as LaTeX: verbatim and bookkeeping fields, and fields that
    Emacs' bibtex-mode and BibDesk switch off with an ``opt`` or ``alt`` prefix."""
    return name in VERBATIM_FIELDS or name.startswith(("opt", "alt", "bdsk-", "url"))


class Mojibake(EntryRule):
    """UTF-8 text read as Latin-1 or Windows-1252 (``Ã©`` for ``é``), or lost characters."""

    id = "mojibake"
    severity = "warning"
    family = "text"
    rationale = (
        "Text that passed once through the wrong encoding shows 'Ã©' for 'é' and 'â€™' "
        "for '’', and a replacement character '�' marks one that was lost; styles print "
        "them as they are."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name, field in entry.fields.items():
            found = mojibake_in(field.value)
            if found is None:
                continue
            run, fixed = found
            if run == "\ufffd":
                message = "a replacement character '\ufffd' stands for a character that was lost"
            else:
                message = f"{run!r} is UTF-8 read in the wrong encoding; it stands for {fixed!r}"
            yield self.finding(context, entry, name, message)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")


class ControlCharacter(EntryRule):
    """Control characters in a field (other than tab and line breaks)."""

    id = "control-character"
    severity = "error"
    family = "text"
    rationale = (
        "Control characters (from copying out of PDFs and word processors) are invisible, "
        "break LaTeX ('Missing character') and make two equal-looking texts differ."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name, field in entry.fields.items():
            m = _CONTROL.search(field.value)
            if m is None:
                continue
            char = m.group(0)
            label = unicodedata.name(char, f"U+{ord(char):04X}")
            yield self.finding(
                context,
                entry,
                name,
                f"a control character ({label}, U+{ord(char):04X}) at position {m.start() + 1}",
            )


# Text whose braces pair up, up to three levels deep, without backslashes.
_NESTED = re.compile(r"(?:[^{}\\]|\{(?:[^{}\\]|\{(?:[^{}\\]|\{[^{}\\]*\})*\})*\})*")


def _brace_balance(text: str) -> int | None:
    """None when the braces of ``text`` (escaped ones left out) balance, else the
    1-based position of the first one without a partner."""
    if (
        "\\" not in text
        and text.count("{") == text.count("}")
        and ("{" not in text or _NESTED.fullmatch(text))
    ):
        return None
    depth = 0
    opened: list[int] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch == "\\" and index + 1 < len(text):
            index += 2
            continue
        if ch == "{":
            opened.append(index)
            depth += 1
        elif ch == "}":
            if not opened:
                return index + 1
            opened.pop()
        index += 1
    return opened[0] + 1 if opened else None


_FIELD_START = re.compile(r"^\s*([A-Za-z][\w:+.\-]*)\s*=")


def _depth_change(line: str) -> int:
    change = 0
    escaped = False
    for ch in line:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            change += 1
        elif ch == "}":
            change -= 1
    return change


def unclosed_field(lines: list[str], start: int) -> tuple[str, int] | None:
    """In an entry starting at line ``start`` (1-based) whose braces never close, the
    field (name, line) where a brace was left open, or None when it cannot be told."""
    depth = 0
    current: tuple[str, int] | None = None
    for index in range(start - 1, len(lines)):
        line = lines[index]
        if index > start - 1 and line.lstrip().startswith("@"):
            break
        m = _FIELD_START.match(line)
        if m is not None and index > start - 1:
            if depth > 1 and current is not None:
                return current
            if depth == 1:
                current = (m.group(1).lower(), index + 1)
        depth += _depth_change(line)
    return current if depth > 1 else None


class UnbalancedBraces(EntryRule):
    """Braces that do not pair up inside a field's value."""

    id = "unbalanced-braces"
    severity = "error"
    family = "text"
    rationale = (
        "An unpaired brace in a value (a '}' closed too early, a '{' never closed) ends "
        "the field or the entry in the wrong place for BibTeX and biber, and LaTeX stops "
        "with 'Missing }'."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check(self, context: Context) -> Iterable[Finding]:
        yield from super().check(context)
        # An entry whose braces never close is not loaded: the reader reports it on
        # the entry's line; find the field where the brace was left open.
        from citekit.formats.bibtex import BibtexOrigin

        origin = context.library.origin
        if not isinstance(origin, BibtexOrigin):
            return
        lines: list[str] | None = None
        for problem in context.library.problems:
            if problem.line is None or "unbalanced braces" not in problem.message:
                continue
            if problem.field is not None:
                continue
            if lines is None:
                lines = origin.text.splitlines()
            found = unclosed_field(lines, problem.line)
            if found is not None:
                name, line = found
                yield Finding(
                    rule=self.id,
                    severity=self.severity,
                    path=context.path,
                    line=line,
                    key=problem.key,
                    field=name,
                    message=f"a brace opened in {name} is never closed; the whole entry is lost",
                )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name, field in entry.fields.items():
            if ignored(name):
                continue
            position = _brace_balance(field.value)
            if position is not None:
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"the brace at position {position} of the value has no partner",
                )


def straight_quotes(value: str) -> int:
    """The straight double quotes of a value that are quotation marks: not an
    accent command (``\\"o``) nor a babel shorthand inside a word (``M"uller``)."""
    count = 0
    for index, ch in enumerate(value):
        if ch != '"':
            continue
        before = value[index - 1] if index else ""
        after = value[index + 1] if index + 1 < len(value) else ""
        if before == "\\" or (
            before.isalpha() and after and (after.islower() or after in "`'<>|=~-")
        ):
            continue
        count += 1
    return count


class UnbalancedQuotes(EntryRule):
    """TeX quotes that do not pair up: ````...''``, or a stray ``"``."""

    id = "unbalanced-quotes"
    severity = "warning"
    family = "text"
    rationale = (
        "``...'' quotes that do not pair up print a quotation mark that never closes; "
        'a bare " in a quoted BibTeX value ends the value early.'
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name, field in entry.fields.items():
            if name not in PRINTED_FIELDS:
                continue
            value = field.value
            opening = value.count("``")
            closing = value.count("''")
            if opening != closing and (opening or closing):
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"{opening} opening `` and {closing} closing '' quotes; they should pair up",
                )
                continue
            straight = straight_quotes(value)
            if straight % 2:
                yield self.finding(
                    context,
                    entry,
                    name,
                    f'{straight} straight double quote{"s" if straight > 1 else ""} ("); '
                    "quotation marks come in pairs: write ``...''",
                )
                continue
            if "\u201e" not in value and value.count("\u201c") != value.count("\u201d"):
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"{value.count(chr(0x201C))} opening \u201c and"
                    f" {value.count(chr(0x201D))} closing \u201d quotes; they should pair up",
                )


_MATH = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)*(?<!\\)\$", re.DOTALL)
_URL_COMMAND = re.compile(r"\\(?:url|href|nolinkurl|path|verb)\s*\{[^{}]*\}")
_SPECIAL = re.compile(r"(?<!\\)([&%#_^])")
_EXPLAINED = {
    "&": "write \\& (a bare & is a table column separator in LaTeX)",
    "%": "write \\% (a bare % starts a comment in LaTeX and hides the rest of the line)",
    "#": "write \\# (a bare # is a macro parameter in LaTeX)",
    "_": "write \\_ (a bare _ is a subscript outside math in LaTeX)",
    "^": "write \\^{} (a bare ^ is a superscript outside math in LaTeX)",
}


class LatexSpecial(EntryRule):
    """Unescaped LaTeX special characters (``&``, ``%``, ``#``, ``_``, ``^``) in BibTeX text."""

    id = "latex-special"
    severity = "warning"
    family = "text"
    rationale = (
        "BibTeX values are LaTeX: a bare &, %, #, _ or ^ in a title stops the document's "
        "compilation or silently hides text. Math ($...$), \\url{...} and verbatim fields "
        "(url, doi, eprint, file) are not reported."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name, field in entry.fields.items():
            if name not in PRINTED_FIELDS:
                continue
            text = _URL_COMMAND.sub("", _MATH.sub("", field.value))
            m = _SPECIAL.search(text)
            if m is not None:
                char = m.group(1)
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"an unescaped {char!r}: {_EXPLAINED[char]}",
                )


class TrailingSpace(EntryRule):
    """Spaces just inside a value's braces or quotes: ``{ Title }``."""

    id = "trailing-space"
    severity = "info"
    family = "text"
    fixable = True
    rationale = (
        "Spaces just inside the delimiters are carried into converted files and can "
        "leave a space before punctuation in some styles. --fix removes them."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name, field in entry.fields.items():
            raw = field.raw
            if raw is None or len(raw) < 3 or not (raw[1].isspace() or raw[-2].isspace()):
                continue
            parts = _delimited(raw)
            if parts is None:
                continue
            opening, inner, closing = parts
            if not inner.strip() or inner == inner.strip():
                continue
            if (
                "\n" in inner[: len(inner) - len(inner.lstrip())]
                or "\n" in inner[len(inner.rstrip()) :]
            ):
                continue  # a value laid out over lines on purpose
            if inner.rstrip().endswith("\\"):
                continue  # a control space ("\ ") at the end
            new = opening + inner.strip() + closing
            yield self.finding(
                context,
                entry,
                name,
                "spaces just inside the value's delimiters",
                fix=Fix(old=raw, new=new, description=f"{name}: {raw!r} -> {new!r}"),
            )
