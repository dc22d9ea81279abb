"""The value of a number variable as CSL processors read it: labels, ranges, lists.

A number variable (``page``, ``locator``, ``number``, ``volume``,
``issue``, ``edition``, ``chapter-number``, ...) often holds its own label:
"p. 10", "pp. 10-12", "ch. 15", "sec. 4, 6", "10 n. 11-13",
"ch. 5 para. 1-3". As citeproc-js does, citekit splits such a value into
segments, each an optional label and its numbers:

* the labels recognised are a fixed set of abbreviations
  (:data:`LABEL_ABBREVIATIONS`: "ch." but not "chap.", "Ch." or "ch");
* a label at the start is split off for ``number``, ``page`` and
  ``locator`` (``cs:label`` then prints its term); for other variables only
  the variable's own label is ("vol. 2" in ``volume``, "no. 10" in
  ``issue``), any other is kept as written;
* a label in the middle ("10 n. 11-13") starts a segment of its own that is
  printed with its term in short form, plural for a range or list
  ("10 nn. 11–13"); for ``edition``, ``chapter-number`` and the other
  number variables a value that starts with a number is taken as written,
  unless the label follows a comma, semicolon or ampersand ("7, p. 3-8");
* a label that is the variable's own ("p." in ``page``) is dropped.

:func:`is_numeric` is CSL's ``is-numeric`` on such values. The functions
here work on strings only; the elements of :mod:`citekit.csl.elements.text`
look up the terms and format the numbers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = [
    "LABEL_ABBREVIATIONS",
    "ParsedNumber",
    "Segment",
    "is_numeric",
    "is_plural_numbers",
    "numeric_text",
    "parse_number",
]

#: The abbreviations recognised as labels inside a number variable, and the
#: term each stands for (as citeproc-js reads them with en-US).
LABEL_ABBREVIATIONS: dict[str, str] = {
    "app.": "appendix",
    "art.": "article",
    "bk.": "book",
    "ch.": "chapter",
    "col.": "column",
    "fig.": "figure",
    "fol.": "folio",
    "l.": "line",
    "n.": "note",
    "no.": "issue",
    "op.": "opus",
    "p.": "page",
    "pp.": "page",
    "para.": "paragraph",
    "pt.": "part",
    "r.": "rule",
    "sec.": "section",
    "sv.": "sub-verbo",
    "tbl.": "table",
    "vrs.": "verse",
    "vol.": "volume",
}

#: A label: one of the abbreviations, at the start or after a space, followed
#: by a space and something more.
_LABEL = re.compile(
    r"(?:^|(?<=\s))("
    + "|".join(re.escape(label) for label in sorted(LABEL_ABBREVIATIONS, key=len, reverse=True))
    + r")\s+(?=\S)"
)

#: The variables whose leading label is split off whatever it is.
_SPLITS_LEADING = frozenset(["number", "page", "locator"])
#: The variables whose labels in the middle are split even after a number.
_SPLITS_MIDDLE = frozenset(["number", "page", "locator", "volume", "issue"])
#: Each variable's own label (its term): dropped from the value.
_OWN_LABEL = {"page": "page", "number": "issue", "issue": "issue", "volume": "volume"}

# One number: digits with letter affixes ("2nd", "L2", "e678") or a lower
# case roman numeral below 100 with no "l" ("ix", "xl", "xc"; not "lx", "cm"
# or "XI"), as citeproc-js takes them.
# ("70\\-72", its hyphen escaped, is one number too)
_NUMBER = re.compile(
    r"^(?:[A-Za-z]*\d+[A-Za-z]*(?:\\-\d+)*|(?=[ivxlc])(?:xc|xl|x{0,3})(?:ix|iv|v?i{0,3}))$"
)
# Between the numbers of a range or list ("\-" is an escaped hyphen, no range).
_SEPARATOR = re.compile(r"\\-|(?<!\\)[-\u2013/,&]")
_WORD_LABEL = re.compile(r"(?:[,&]\s*|\s+|^)[A-Za-z]+\.\s+(?=\d)")
_PLURAL_SEPARATOR = re.compile(r"(?<!\\)[-\u2013,&]|\s+[^\s\d]+\s+")


@dataclass(frozen=True, slots=True)
class Segment:
    """One label and its numbers in a number variable's value.

    ``label`` is the term the label stands for ("chapter"), None for
    numbers without a label (or whose label was the variable's own and was
    dropped); ``numbers`` is the text after it as written ("5-7 & 9");
    ``literal`` marks a segment kept as written, label and all
    (``written`` is then the whole segment); ``plural`` says whether it
    holds several numbers; ``merged`` that its numbers are several groups
    joined by spaces ("10 p. 5" in ``page`` gives the numbers "10 5").
    """

    label: str | None
    written: str
    numbers: str
    literal: bool = False
    plural: bool = False
    merged: bool = False

    @property
    def groups(self) -> tuple[str, ...]:
        """The numbers in groups: split at the spaces of a merged segment, else one."""
        return tuple(self.numbers.split(" ")) if self.merged else (self.numbers,)


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A number variable's value split into :class:`Segment` objects.

    ``label`` is the term ``cs:label`` prints for the value (the first
    segment's label when it was split off; None for the variable's own);
    ``plural`` is whether that first segment holds several numbers.
    """

    segments: tuple[Segment, ...]

    @property
    def label(self) -> str | None:
        """The term name of the label split off the start of the value, or None."""
        first = self.segments[0]
        return None if first.literal else first.label

    @property
    def plural(self) -> bool:
        """Whether the first segment holds a range or list of numbers."""
        first = self.segments[0]
        return not first.literal and first.plural

    @property
    def numeric(self) -> bool:
        """CSL's ``is-numeric`` for the value: no label kept as text, only numbers."""
        return all(
            not s.literal and all(numeric_text(group) for group in s.groups) for s in self.segments
        )


def is_plural_numbers(text: str) -> bool:
    """Whether ``text`` holds several numbers: "1-3", "i–ix", "2, 5", "1 and 2" (not "3\\-4").

    As citeproc-js counts them: its first two numbers decide ("11-12 with
    13-14 etc" is plural), up to a word with a period that starts a new part
    ("294, esp. 1536-1538" is one number).
    """
    text = _WORD_LABEL.split(text, maxsplit=1)[0]
    parts = [p.strip() for p in _PLURAL_SEPARATOR.split(text)]
    parts = [p for p in parts if p]
    return len(parts) > 1 and all(_NUMBER.match(p) for p in parts[:2])


def numeric_text(text: str) -> bool:
    """Whether ``text`` is numbers only: "4", "2nd", "L2d", "ix", "2-4", "2, 3 & 5", "1/2".

    "10.0", "cm" and "2nd volume" are not.
    """
    parts = [p.strip() for p in _SEPARATOR.split(text)]
    return bool(parts) and all(_NUMBER.match(p) for p in parts)


def parse_number(value: str, variable: str, own: str | None = None) -> ParsedNumber | None:
    """``value`` of number variable ``variable`` split at its labels; None when it has none.

    ``own`` is the label term that is the variable's own (a locator's
    label); by default "page" for ``page``, "issue" ("no.") for ``number``
    and ``issue``, "volume" for ``volume``. None also when the value does
    not start with a number or a label ("Cat. no. 10"). A value that starts
    with a number, in a variable that splits no label after one, is one
    segment kept as written.
    """
    matches = list(_LABEL.finditer(value))
    if not matches:
        return None
    own = own if own is not None else _OWN_LABEL.get(variable)
    head = value[: matches[0].start()].strip()
    if head and not head[0].isdigit() and not numeric_text(head):
        return None  # "Cat. no. 10"; but "293-a, 262-263, fol. 294" is parsed
    if head and variable not in _SPLITS_MIDDLE and not head.endswith((",", ";", "&")):
        # "10 n. 11-13" in edition: kept as written, and not a list of editions
        # (but "7, p. 3-8" is split: a label after a comma starts a segment)
        return ParsedNumber((Segment(None, value.strip(), head, literal=True),))
    segments: list[Segment] = []
    if head:
        segments.append(Segment(None, "", head, plural=is_plural_numbers(head)))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(value)
        written = match.group(1)
        label = LABEL_ABBREVIATIONS[written]
        numbers = value[match.end() : end].strip()
        if not segments:  # the label that starts the value
            if label == own:
                segments.append(Segment(None, written, numbers, plural=is_plural_numbers(numbers)))
            elif variable in _SPLITS_LEADING:
                segments.append(Segment(label, written, numbers, plural=is_plural_numbers(numbers)))
            else:
                segments.append(Segment(None, value[:end].strip(), numbers, literal=True))
        elif label == own and not segments[-1].literal:
            # "10 p. 5" in page: the page numbers go on ("pp. 10 5")
            last = segments[-1]
            merged = f"{last.numbers} {numbers}"
            segments[-1] = Segment(last.label, last.written, merged, plural=True, merged=True)
        else:
            segments.append(Segment(label, written, numbers, plural=is_plural_numbers(numbers)))
    return ParsedNumber(tuple(segments))


@functools.lru_cache(maxsize=512)
def is_numeric(value: str, variable: str, own: str | None = None) -> bool:
    """CSL's ``is-numeric`` for ``variable``'s ``value``, as citeproc-js decides it.

    (A pure function of its strings, remembered for the values met most
    recently: a style tests the same volume or page in several branches.)

    Numbers with letter affixes, roman numerals, ranges and lists ("2nd",
    "ix", "2-4", "2, 3 & 5", "123/456/789") are numeric, and so is a value
    whose labels are split off (:func:`parse_number`): "no. 10" in
    ``number`` or ``issue``, "ch. 5 para. 1-3" in ``number``; "ch. 15" in
    ``volume``, "10.0" and "Cat. no. 10" are not.
    """
    parsed = parse_number(value, variable, own)
    if parsed is None:
        return numeric_text(value)
    return parsed.numeric
