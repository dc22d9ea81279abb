"""Persons: the people and organisations that make works.

A :class:`Person` is either a structured name (family, given, particles,
suffix) or a *literal* name, used for institutions and for names that must be
printed as they are. :func:`parse_name` and :func:`parse_names` read the name
forms of BibTeX ("de la Fontaine, Jean", "King, Jr., Martin Luther",
"{World Health Organization}", "Jean de la Fontaine"), honouring braces.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs

__all__ = ["OTHERS", "Person", "parse_name", "parse_names", "split_names"]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


@attrs.frozen(kw_only=True)
class Person:
    """A person or organisation, as CSL models names.

    Either ``literal`` is set (an organisation, or a name printed as is), or at
    least one of ``family`` and ``given``. Particles follow CSL: a
    *non-dropping* particle ("van" in "Vincent van Gogh") stays with the family
    name when it stands alone; a *dropping* particle ("van" in "Ludwig van
    Beethoven") is dropped then.
    """

    family: str | None = attrs.field(default=None, converter=_clean)
    given: str | None = attrs.field(default=None, converter=_clean)
    dropping_particle: str | None = attrs.field(default=None, converter=_clean)
    non_dropping_particle: str | None = attrs.field(default=None, converter=_clean)
    suffix: str | None = attrs.field(default=None, converter=_clean)
    literal: str | None = attrs.field(default=None, converter=_clean)
    comma_suffix: bool = False

    def __attrs_post_init__(self) -> None:
        structured = (
            self.family,
            self.given,
            self.dropping_particle,
            self.non_dropping_particle,
            self.suffix,
        )
        if self.literal is not None and any(structured):
            raise ValueError("a Person has either a literal name or name parts, not both")
        if self.literal is None and not (self.family or self.given):
            raise ValueError("a Person needs a family or given name, or a literal name")

    @classmethod
    def parse(cls, text: str) -> Person:
        """Parse one name in BibTeX form; see :func:`parse_name`."""
        return parse_name(text)

    @property
    def is_literal(self) -> bool:
        """True for organisations and other names printed as they are."""
        return self.literal is not None

    @property
    def is_others(self) -> bool:
        """True for the "and others" marker of a truncated name list."""
        return self.literal == "others"

    @property
    def full_family(self) -> str:
        """The family name with its particles: "de la Fontaine"."""
        if self.literal is not None:
            return self.literal
        parts = [self.dropping_particle, self.non_dropping_particle, self.family]
        return _join_particles([p for p in parts if p])

    def __str__(self) -> str:
        """The name in reading order: "Jean de la Fontaine", "Martin Luther King, Jr."."""
        if self.literal is not None:
            return self.literal
        text = " ".join(p for p in (self.given, self.full_family) if p)
        if self.suffix:
            text += (", " if self.comma_suffix else " ") + self.suffix
        return text

    def inverted(self) -> str:
        """The name family first, as BibTeX writes it: "de la Fontaine, Jean"."""
        if self.literal is not None:
            return self.literal
        text = self.full_family or ""
        if self.suffix:
            text += ", " + self.suffix
        if self.given:
            text = f"{text}, {self.given}" if text else self.given
        return text


#: The marker of a truncated list ("and others" in BibTeX).
OTHERS = Person(literal="others")


def _join_particles(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and not out.endswith(("'", "’", "-")):
            out += " "
        out += part
    return out


# --- BibTeX name syntax ------------------------------------------------------

_SUFFIXES = frozenset(
    {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "vi", "2nd", "3rd", "4th", "esq", "esq."}
)


def _strip_braces(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def split_names(text: str) -> list[str]:
    """Split a BibTeX name list on ``and`` at brace level 0."""
    names: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif (
            depth == 0
            and ch in "aA"
            and (i == 0 or text[i - 1].isspace())
            and text[i : i + 3].lower() == "and"
            and (i + 3 == n or text[i + 3].isspace())
        ):
            names.append(text[start:i])
            i += 3
            start = i
            continue
        i += 1
    names.append(text[start:])
    return [name.strip() for name in names if name.strip()]


def _split_top(text: str, separators: str) -> list[str]:
    """Split at brace level 0 on any of ``separators``, dropping empty pieces."""
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        if depth == 0 and ch in separators:
            pieces.append("".join(current))
            current = []
            continue
        current.append(ch)
    pieces.append("".join(current))
    return pieces


_COMMAND = re.compile(r"\\([A-Za-z]+|.)\s*")


def _word_case(word: str) -> str:
    """BibTeX's case of a word: "lower", "upper" or "none" (caseless)."""
    depth = 0
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch == "{":
            # A "special character": {\'e}, {\"U}ber; its case is that of the
            # first letter after the command, or of the command itself.
            if depth == 0 and i + 1 < n and word[i + 1] == "\\":
                m = _COMMAND.match(word, i + 1)
                if m:
                    rest = word[m.end() :]
                    for c in rest:
                        if c.isalpha():
                            return "lower" if c.islower() else "upper"
                    name = m.group(1)
                    if name.isalpha():
                        return "lower" if name[0].islower() else "upper"
                return "none"
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch.isalpha():
            if ch.islower():
                return "lower"
            if ch.isupper():
                return "upper"
            return "none"  # scripts without case
        elif depth == 0 and ch == "\\":
            m = _COMMAND.match(word, i)
            if m:
                i = m.end()
                continue
        i += 1
    return "none"


def _words(part: str) -> list[str]:
    return [w for w in _split_top(part.replace("~", " "), " \t\n\r") if w]


def _von_last(words: list[str]) -> tuple[list[str], list[str]]:
    """Split "von Last" words: von is the longest run ending in a lowercase word,
    never taking the last word."""
    von_end = -1
    for index, word in enumerate(words[:-1]):
        if _word_case(word) == "lower":
            von_end = index
    if von_end < 0:
        return [], words
    von_start = next(i for i, w in enumerate(words) if _word_case(w) == "lower")
    if von_start != 0:
        return [], words
    return words[: von_end + 1], words[von_end + 1 :]


def parse_name(text: str, decode: Callable[[str], str] = _strip_braces) -> Person:
    """Parse one name in any BibTeX form.

    ``decode`` turns each name part's source text into plain text (by default
    braces are removed; the BibTeX reader passes its LaTeX decoder). A name
    that is one braced group is a literal (institutional) name.

    >>> parse_name("de la Fontaine, Jean")
    Person(family='Fontaine', given='Jean', dropping_particle=None, \
non_dropping_particle='de la', suffix=None, literal=None, comma_suffix=False)
    """
    text = " ".join(text.split())
    if not text:
        raise ValueError("empty name")
    if text.lower() == "others":
        return OTHERS
    if _is_one_group(text):
        inner = decode(text[1:-1])
        return Person(literal=inner or decode(text))

    def join(words: list[str]) -> str | None:
        return decode(" ".join(words)) or None if words else None

    parts = [p.strip() for p in _split_top(text, ",")]
    first: list[str]
    jr: list[str] = []
    if len(parts) == 1:
        words = _words(parts[0])
        # Suffixes at the end without commas ("Martin Luther King Jr.").
        if len(words) > 2 and _strip_braces(words[-1]).lower() in _SUFFIXES:
            jr = [words.pop()]
        # First von Last: von starts at the first lowercase word (not the last).
        von_start = next((i for i, w in enumerate(words[:-1]) if _word_case(w) == "lower"), None)
        if von_start is None:
            first, von, last = words[:-1], [], words[-1:]
        else:
            von_end = von_start
            for i in range(von_start, len(words) - 1):
                if _word_case(words[i]) == "lower":
                    von_end = i
            first, von, last = (
                words[:von_start],
                words[von_start : von_end + 1],
                words[von_end + 1 :],
            )
    else:
        von, last = _von_last(_words(parts[0]))
        if len(parts) == 2:
            first = _words(parts[1])
        else:
            jr = _words(parts[1])
            first = _words(", ".join(parts[2:]))
        if not last and von:
            last = [von.pop()]
    family = join(last)
    given = join(first)
    if not family and not given:
        return Person(literal=decode(text))
    return Person(
        family=family,
        given=given,
        non_dropping_particle=join(von),
        suffix=join(jr),
        comma_suffix=False,
    )


def _is_one_group(text: str) -> bool:
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return depth == 0 and not text.startswith("{\\")


def parse_names(text: str, decode: Callable[[str], str] = _strip_braces) -> tuple[Person, ...]:
    """Parse a BibTeX name list ("A and B and others") into persons."""
    return tuple(parse_name(name, decode) for name in split_names(text))
