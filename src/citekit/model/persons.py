"""Persons: the people and organisations that make works.

A :class:`Person` is either a structured name (family, given, particles,
suffix) or a *literal* name, used for institutions and for names that must be
printed as they are. :func:`parse_name` and :func:`parse_names` read the name
forms of BibTeX ("de la Fontaine, Jean", "King, Jr., Martin Luther",
"{World Health Organization}", "Jean de la Fontaine"), honouring braces, and
:meth:`Person.bibtex` writes a name back in a form they read identically.

How BibTeX's three parts map onto CSL's name parts:

- BibTeX's *von* part becomes the ``non_dropping_particle`` ("van" in "van
  Gogh, Vincent", "de la" in "Jean de la Fontaine");
- lowercase words that end the *First* part of a comma form ("Humboldt,
  Alexander von") become the ``dropping_particle`` (CSL's reading of a given
  name that ends in a particle);
- an elided particle glued to the family name ("d'Alembert", "l'Hôpital") is
  split off as a particle written without a space ("d'"), and an Arabic
  article joined by a hyphen ("al-Khwarizmi") keeps its hyphen ("al-"):
  :attr:`Person.full_family` joins them back without a space.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs

from citekit.errors import ParseError

__all__ = ["OTHERS", "Person", "parse_name", "parse_names", "split_names"]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"name parts are strings, got {type(value).__name__}")
    value = " ".join(value.split())
    return value or None


@attrs.frozen(kw_only=True, repr=False)
class Person:
    """A person or organisation, as CSL models names.

    Either ``literal`` is set (an organisation, or a name printed as is), or at
    least one of ``family`` and ``given``. Particles follow CSL: a
    *non-dropping* particle ("van" in "Vincent van Gogh") stays with the family
    name when it stands alone; a *dropping* particle ("von" in "Alexander von
    Humboldt") is dropped then. ``comma_suffix`` asks for a comma before the
    suffix ("Martin Luther King, Jr.", "King, Jr., Martin Luther"; without it
    "Martin Luther King Jr.", "King Jr., Martin Luther"): :func:`parse_name`
    sets it when the source separates the suffix with a comma. Whitespace in
    every part is normalised to single spaces.
    """

    family: str | None = attrs.field(default=None, converter=_clean)
    given: str | None = attrs.field(default=None, converter=_clean)
    dropping_particle: str | None = attrs.field(default=None, converter=_clean)
    non_dropping_particle: str | None = attrs.field(default=None, converter=_clean)
    suffix: str | None = attrs.field(default=None, converter=_clean)
    literal: str | None = attrs.field(default=None, converter=_clean)
    comma_suffix: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))

    def __repr__(self) -> str:
        """The fields that are set (empty ones are left out)."""
        from citekit.model.display import compact_repr

        return compact_repr(self)

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
        """The family name with its particles: "de la Fontaine", "d'Alembert"."""
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
        """The name family first, as BibTeX writes it: "de la Fontaine, Jean".

        Non-dropping particles lead ("van Gogh, Vincent"), dropping ones end
        the given name ("Humboldt, Alexander von"). A suffix with
        ``comma_suffix`` takes the middle place ("King, Jr., Martin Luther");
        without it, a suffix that :func:`parse_name` recognises ("Jr.",
        "III", ...) ends the family name ("King Jr., Martin Luther"), and any
        other suffix takes the middle place too. A person without a family
        name comes back in reading order. Literal names come back as they
        are; :meth:`bibtex` adds the braces BibTeX needs to read a name back.
        """
        if self.literal is not None:
            return self.literal
        head = _join_particles([p for p in (self.non_dropping_particle, self.family) if p])
        if not head:
            return str(self)
        first = " ".join(p for p in (self.given, self.dropping_particle) if p)
        if self.dropping_particle and not self.given:  # no given name to carry it: it leads
            head = _join_particles([self.dropping_particle, head])
            first = ""
        jr = self.suffix
        if jr and not self.comma_suffix and _is_suffix_word(jr):
            head = f"{head} {jr}"  # "King Jr., Martin Luther"
            jr = None
        if jr:
            return f"{head}, {jr}, {first}" if first else f"{head}, {jr}"
        return f"{head}, {first}" if first else head

    def bibtex(self, encode: Callable[[str], str] | None = None) -> str:
        """The name as a BibTeX name that :func:`parse_name` reads back as this person.

        ``encode`` turns each part's plain text into BibTeX source (the BibTeX
        writer passes its LaTeX encoder; by default the text is kept as is).
        Literal names are braced (``{World Health Organization}``); other
        parts are braced only where BibTeX would misread them
        (``{García márquez}``, a given name ending in a lowercase word,
        a part holding a comma or the word "and").

        A suffix with ``comma_suffix`` takes BibTeX's three-part form ("King,
        Jr., Martin Luther"); without it, the suffix ends the family name
        ("King Jr., Martin Luther"), which :func:`parse_name` reads back as a
        suffix without ``comma_suffix``.

        What BibTeX cannot say is approximated: a non-dropping particle whose
        last word is not lowercase is braced with the family name, a dropping
        particle without a given name leads the family name, a suffix without
        ``comma_suffix`` that cannot end the family name (one that is not a
        recognised suffix word such as "Jr." or "III", or a person without a
        family name) is written in the three-part form and so reads back with
        ``comma_suffix``, and ``comma_suffix`` without a suffix is not written.
        """
        enc = encode or _identity
        if self.literal is not None:
            if self.literal == "others":
                return "others"
            return "{" + enc(self.literal) + "}"
        # The BibTeX parts, plain text: von, Last, Jr, First (given + dropping).
        von = self.non_dropping_particle
        last = self.family
        first_words = [p for p in (self.given, self.dropping_particle) if p]
        if self.dropping_particle and not self.given:
            von = _join_particles([p for p in (self.dropping_particle, von) if p])
            first_words = []
        von_words = _words(von or "")
        if von and (not von_words or _word_case(von_words[-1][0]) != "lower"):
            last = _join_particles([von, last]) if last else von
            von = None
        jr = self.suffix
        first = " ".join(first_words) or None
        target = self._bibtex_target(von, last)
        if jr and not self.comma_suffix and last and _is_suffix_word(jr):
            # "King Jr., Martin Luther": the suffix ends the family name, under
            # the first bracing that reads back.
            for braced in _BRACINGS:
                if _parses_as(_assemble(von, last, jr, first, braced=braced, comma=False), target):
                    return _assemble(von, last, jr, first, braced=braced, encode=enc, comma=False)
        if jr:
            # BibTeX's own "von Last, Jr, First", which reads back with the comma.
            target = attrs.evolve(target, comma_suffix=True)
        for braced in _BRACINGS:
            if _parses_as(_assemble(von, last, jr, first, braced=braced), target):
                break
        return _assemble(von, last, jr, first, braced=braced, encode=enc)

    def _bibtex_target(self, von: str | None, last: str | None) -> Person:
        """The person that :meth:`bibtex` aims to write (after its approximations)."""
        dropping = self.dropping_particle if self.given else None
        return Person(
            family=last,
            given=self.given,
            dropping_particle=dropping,
            non_dropping_particle=von,
            suffix=self.suffix,
            comma_suffix=self.comma_suffix and self.suffix is not None,
        )


#: The marker of a truncated list ("and others" in BibTeX).
OTHERS = Person(literal="others")


# The parts :meth:`Person.bibtex` tries bracing, fewest first (the last is its answer
# when nothing reads back exactly).
_BRACINGS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"last"}),
    frozenset({"first"}),
    frozenset({"jr"}),
    frozenset({"last", "first"}),
    frozenset({"last", "jr"}),
    frozenset({"first", "jr"}),
    frozenset({"last", "first", "jr"}),
)


def _identity(text: str) -> str:
    return text


def _join_particles(parts: list[str]) -> str:
    """Join name parts with spaces, except after an elided or hyphenated particle."""
    out = ""
    for part in parts:
        if out and not out.endswith(("'", "’", "-")):
            out += " "
        out += part
    return out


def _assemble(
    von: str | None,
    last: str | None,
    jr: str | None,
    first: str | None,
    *,
    braced: frozenset[str],
    encode: Callable[[str], str] = _identity,
    comma: bool = True,
) -> str:
    """A BibTeX name from its parts, bracing those named in ``braced``.

    A suffix takes its own part ("King, Jr., Martin Luther"), or with
    ``comma=False`` ends the family name ("King Jr., Martin Luther").

    The commas it needs are chosen on the plain text; ``encode`` only changes
    how each part is spelled.
    """

    def part(name: str, text: str | None, enc: Callable[[str], str]) -> str:
        if not text:
            return ""
        return "{" + enc(text) + "}" if name in braced else enc(text)

    def head(enc: Callable[[str], str]) -> str:
        return _join_particles([p for p in (part("von", von, enc), part("last", last, enc)) if p])

    plain = head(_identity)
    out = head(encode)
    if jr and not comma:
        out += f" {part('jr', jr, encode)}"
        if first:
            return f"{out}, {part('first', first, encode)}"
        if _reads_as(f"{plain} {part('jr', jr, _identity)}", von, last, jr, comma=False):
            return out
        return f"{out},"
    if jr:
        if not first and _reads_as(f"{plain}, {part('jr', jr, _identity)}", von, last, jr):
            return f"{out}, {part('jr', jr, encode)}"
        return f"{out}, {part('jr', jr, encode)}, {part('first', first, encode)}".rstrip(" ")
    if first:
        return f"{out}, {part('first', first, encode)}"
    if "last" not in braced and _reads_as(plain, von, last, None):
        return out
    return f"{out},"


def _reads_as(
    text: str, von: str | None, last: str | None, jr: str | None, *, comma: bool = True
) -> bool:
    """True if ``text`` reads as a name with just these von, Last and Jr parts.

    A suffix must read with ``comma_suffix`` equal to ``comma``.
    """
    try:
        wanted = Person(
            non_dropping_particle=von, family=last, suffix=jr, comma_suffix=comma and bool(jr)
        )
    except ValueError:  # no such Person
        return False
    return _parses_as(text, wanted)


def _parses_as(text: str, person: Person) -> bool:
    """True if ``text`` reads as exactly this one person."""
    try:
        return parse_names(text) == (person,)
    except ParseError:
        return False


# --- BibTeX name syntax ------------------------------------------------------

# Suffixes recognised without a comma before them or in the wrong place. "V"
# is left out: it is more often an initial than a fifth.
_SUFFIXES = frozenset(
    {
        "jr",
        "jr.",
        "jnr",
        "jnr.",
        "sr",
        "sr.",
        "snr",
        "snr.",
        "ii",
        "iii",
        "iv",
        "2nd",
        "3rd",
        "4th",
        "esq",
        "esq.",
    }
)


def _is_suffix_word(word: str) -> bool:
    """True for an unbraced "Jr.", "Sr.", "III", ... (any case)."""
    return "{" not in word and word.lower() in _SUFFIXES


_TIE = re.compile(r"(?<!\\)~")


def _default_decode(text: str) -> str:
    """Braces removed, ``~`` (a tie) read as a space."""
    text = _TIE.sub(" ", text)
    return text.replace("{", "").replace("}", "")


# "and" (any case) standing between whitespace or the ends of the text.
_AND = re.compile(r"(?<!\S)[aA][nN][dD](?!\S)")


def split_names(text: str) -> list[str]:
    """Split a BibTeX name list on ``and`` (any case) at brace level 0.

    The word must stand between whitespace: "Anderson" and "{Barnes and
    Noble}" do not split. Empty names are dropped.
    """
    if "{" not in text:  # no braces: every "and" between spaces splits
        return [name.strip() for name in _AND.split(text) if name.strip()]
    return _split_names_braced(text)


def _split_names_braced(text: str) -> list[str]:
    """:func:`split_names`, character by character (braces count)."""
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
    """Split at brace level 0 on any of ``separators``."""
    if "{" not in text and len(separators) == 1:
        return text.split(separators)
    return _split_top_braced(text, separators)


def _split_top_braced(text: str, separators: str) -> list[str]:
    """:func:`_split_top`, character by character (braces count)."""
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in separators:
            pieces.append("".join(current))
            current = []
            continue
        current.append(ch)
    pieces.append("".join(current))
    return pieces


# A word: its source text and the separator before it ("" for the first word
# and after an elided particle, " " after whitespace or a tie, "-" after a
# hyphen).
_Word = tuple[str, str]

# Elided particles glued to the family name: "d'Alembert", "l’Hôpital", "dell'Acqua".
_ELIDED = re.compile(r"^([^\W\d_]{1,4}['’])((?:[^\W\d_]|\{).*)$")


def _words(part: str, *, split_elided: bool = False) -> list[_Word]:
    """The words of a name part, split at whitespace, ties and hyphens at brace level 0."""
    words = _plain_words(part) if "{" not in part else _braced_words(part)
    if split_elided:
        out: list[_Word] = []
        for word, sep in words:
            m = _ELIDED.match(word)
            if m and m.group(1)[:-1].islower() and not m.group(2)[0].islower():
                out.append((m.group(1), sep))
                out.append((m.group(2), ""))
            else:
                out.append((word, sep))
        words = out
    return words


_LEADING_SEPARATORS = re.compile(r"[\s~]*")
_WORD_RUN = re.compile(r"[^\s~-]*")
_SEPARATED_WORD = re.compile(r"([\s~-]*)([^\s~-]+)")


def _plain_words(part: str) -> list[_Word]:
    """:func:`_words` of a part without braces (every separator is at level 0)."""
    words: list[_Word] = []
    i = _LEADING_SEPARATORS.match(part).end()  # type: ignore[union-attr]
    if part.startswith("-", i):  # a hyphen before the first word belongs to it
        end = _WORD_RUN.match(part, i + 1).end()  # type: ignore[union-attr]
        words.append((part[i:end], ""))
        i = end
    for m in _SEPARATED_WORD.finditer(part, i):
        words.append((m.group(2), "-" if "-" in m.group(1) else " "))
    if words:
        words[0] = (words[0][0], "")
    return words


def _braced_words(part: str) -> list[_Word]:
    """:func:`_words` of a part with braces, character by character."""
    words: list[_Word] = []
    current: list[str] = []
    pending = ""
    depth = 0
    for ch in part:
        if depth == 0 and (ch.isspace() or ch == "~" or (ch == "-" and (current or words))):
            if current:
                words.append(("".join(current), pending))
                current = []
                pending = ""
            if ch == "-":
                pending = "-"
            elif not pending and words:
                pending = " "
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        current.append(ch)
    if current:
        words.append(("".join(current), pending))
    if words:
        words[0] = (words[0][0], "")
    return words


def _source(words: list[_Word]) -> str:
    """The source text of consecutive words, with their separators."""
    return "".join(sep + word if i else word for i, (word, sep) in enumerate(words))


# Control sequences that stand for a letter: their own case is the letter's.
_LETTER_COMMANDS = frozenset(
    {"i", "j", "oe", "OE", "ae", "AE", "aa", "AA", "o", "O", "l", "L", "ss"}
)
_COMMAND = re.compile(r"\\([A-Za-z]+|.)\s*")


def _letter_case(ch: str) -> str | None:
    """ "lower", "upper" or "none" for a letter; None for anything else."""
    if ch.islower():
        return "lower"
    if ch.isupper() or ch.istitle():
        return "upper"
    if ch.isalpha():
        return "none"  # a letter of a script without case
    return None


def _command_case(text: str, i: int) -> tuple[str | None, int]:
    """The case a control sequence at ``text[i]`` gives, and the index after it."""
    m = _COMMAND.match(text, i)
    if m is None:  # a lone backslash at the end
        return None, i + 1
    name = m.group(1)
    if name in _LETTER_COMMANDS:
        return ("upper" if name[0].isupper() else "lower"), m.end()
    return None, m.end()


def _special_case(group: str) -> str:
    """The case of a BibTeX "special character" ``{\\'E}`` (braces removed).

    It is the case of the letter a control sequence stands for (``\\ss``,
    ``\\O``), else that of the first letter after the control sequence.
    """
    i = 0
    while i < len(group):
        ch = group[i]
        if ch == "\\":
            case, i = _command_case(group, i)
            if case is not None:
                return case
            continue
        case = _letter_case(ch)
        if case is not None:
            return case
        i += 1
    return "none"


def _matching_brace(text: str, start: int) -> int:
    """The index of the brace closing the one at ``start`` (or the end of the text)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _word_case(word: str) -> str:
    """BibTeX's case of a word: that of its first letter at brace level 0.

    "lower", "upper" or "none" (no letter, or a script without case). Braced
    groups are skipped, except special characters (``{\\"U}ber`` is upper
    case, ``{\\ss}`` lower case). Unlike BibTeX, non-ASCII letters count.
    """
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch == "{":
            end = _matching_brace(word, i)
            if word.startswith("{\\", i):
                return _special_case(word[i + 1 : end])
            i = end + 1
            continue
        if ch == "\\":
            case, i = _command_case(word, i)
            if case is not None:
                return case
            continue
        case = _letter_case(ch)
        if case is not None:
            return case
        i += 1
    return "none"


def _is_lower(word: _Word) -> bool:
    return _word_case(word[0]) == "lower"


def _is_suffix(words: list[_Word]) -> bool:
    return len(words) == 1 and _is_suffix_word(words[0][0])


def _is_literal_group(text: str) -> bool:
    """True if the whole name is one braced group (an institutional name).

    A special character such as ``{\\'E}`` alone is not: it is a one-letter
    name. A group that starts with a command and holds a space is a literal
    (``{\\emph{Wired} Magazine}``).
    """
    if not text.startswith("{") or _matching_brace(text, 0) != len(text) - 1:
        return False
    return not text.startswith("{\\") or any(c.isspace() for c in text)


def _first_von_last(words: list[_Word]) -> tuple[list[_Word], list[_Word], list[_Word]]:
    """Split the words of a name without commas into First, von and Last (BibTeX's rules).

    von runs from the first lowercase word to the last lowercase word; the
    last word is always Last. Without von, Last takes the last word and the
    words hyphenated to it ("Claude Lévi-Strauss").
    """
    n = len(words)
    von_start = next((i for i in range(n - 1) if _is_lower(words[i])), None)
    if von_start is None:
        last_start = n - 1
        while last_start > 0 and words[last_start][1] == "-":
            last_start -= 1
        return words[:last_start], [], words[last_start:]
    von_end = max(i for i in range(von_start, n - 1) if _is_lower(words[i])) + 1
    return words[:von_start], words[von_start:von_end], words[von_end:]


def _von_last(words: list[_Word]) -> tuple[list[_Word], list[_Word]]:
    """Split the "von Last" part of a comma form: von ends at its last lowercase word.

    As in BibTeX, the last word is always Last, and von starts at the first
    word even when that word is capitalised ("Van der Berg, Jan").
    """
    lowers = [i for i in range(len(words) - 1) if _is_lower(words[i])]
    if not lowers:
        return [], words
    end = lowers[-1] + 1
    return words[:end], words[end:]


def _given_dropping(words: list[_Word]) -> tuple[list[_Word], list[_Word]]:
    """Split a First part into the given name and the lowercase words that end it."""
    k = len(words)
    while k > 1 and _is_lower(words[k - 1]) and words[k - 1][1] == " ":
        k -= 1
    if k == len(words) or all(_is_lower(w) for w in words[:k]):
        return words, []
    return words[:k], words[k:]


def parse_name(text: str, decode: Callable[[str], str] = _default_decode) -> Person:
    """Parse one name in any of BibTeX's three forms.

    - "First von Last": ``Jean de la Fontaine``, ``Ludwig van Beethoven``;
    - "von Last, First": ``de la Fontaine, Jean``;
    - "von Last, Jr, First": ``King, Jr., Martin Luther``.

    Commas, spaces, ties (``~``) and hyphens split a name only at brace level
    0, so braces protect: ``{García Márquez}, Gabriel``, and a name that is
    one braced group is a literal (``{World Health Organization}``). A word's
    case is that of its first letter outside braces (``{\\"U}ber`` counts as
    upper case); lowercase words make the von part, the non-dropping
    particle. Beyond BibTeX, citekit reads a trailing "Jr."/"Sr."/"III" as a
    suffix ("Martin Luther King Jr.", "Martin Luther King, Jr.", "King,
    Martin Luther, Jr.", "Davis Jr., Sammy"), lowercase words ending the
    given name of a comma form as a dropping particle ("Humboldt, Alexander
    von"), and splits elided particles ("d'Alembert"). A suffix separated
    by a comma ("King, Jr., Martin Luther", "Martin Luther King, Jr.",
    "King, Jr.") sets ``comma_suffix``; one without ("Martin Luther King
    Jr.", "Davis Jr., Sammy") does not.

    ``decode`` turns each part's source text into plain text: by default
    braces are removed and ties become spaces; the BibTeX reader passes its
    LaTeX decoder. "others" gives :data:`OTHERS`. Raises
    :class:`~citekit.ParseError` (a :class:`ValueError`) for a name without
    any name part.

    >>> parse_name("de la Fontaine, Jean")
    Person(family='Fontaine', given='Jean', dropping_particle=None, \
non_dropping_particle='de la', suffix=None, literal=None, comma_suffix=False)
    """
    if not isinstance(text, str):
        raise TypeError(f"a name is a string, got {type(text).__name__}")
    text = " ".join(text.split())
    if not text:
        raise ParseError("empty name")
    if text.lower() == "others":
        return OTHERS
    if _is_literal_group(text):
        literal = _clean(decode(text[1:-1]))
        if literal is None:
            raise ParseError(f"empty name {text!r}")
        return Person(literal=literal)

    def join(words: list[_Word]) -> str | None:
        return _clean(decode(_source(words))) if words else None

    parts = [p.strip() for p in _split_top(text, ",")]
    first: list[_Word] = []
    von: list[_Word] = []
    last: list[_Word] = []
    jr: list[_Word] = []
    dropping: list[_Word] = []
    comma_suffix = False
    if 2 <= len(parts) <= 3 and _is_suffix(_words(parts[-1])):
        if len(parts) == 3 and not _is_suffix(_words(parts[1])):
            # "King, Martin Luther, Jr.": the suffix came last; put it in its place.
            parts = [parts[0], parts[2], parts[1]]
        elif len(parts) == 2:
            # "Martin Luther King, Jr." or "King, Jr.": a name, then its suffix.
            jr = _words(parts[1])
            comma_suffix = True
            words = _words(parts[0], split_elided=True)
            if len(words) == 1:
                last = words
            else:
                first, von, last = _first_von_last(words)
            parts = []
    if len(parts) == 1:
        words = _words(parts[0], split_elided=True)
        if len(words) >= 2 and words[-1][1] == " " and _is_suffix_word(words[-1][0]):
            jr = [words.pop()]  # "Martin Luther King Jr."
        first, von, last = _first_von_last(words)
    elif len(parts) >= 2:
        von, last = _von_last(_words(parts[0], split_elided=True))
        if len(parts) == 2:
            if len(last) >= 2 and last[-1][1] == " " and _is_suffix_word(last[-1][0]):
                jr = [last.pop()]  # "Davis Jr., Sammy"
            first_part = parts[1]
        else:
            jr = _words(parts[1])
            comma_suffix = bool(jr)
            first_part = ", ".join(parts[2:])
        first, dropping = _given_dropping(_words(first_part))
    if von and last and last[0][1] == "-":
        # "al-Khwarizmi": the hyphen stays with the particle.
        von = [*von[:-1], (von[-1][0] + "-", von[-1][1])]
        last = [(last[0][0], ""), *last[1:]]
    family = join(last)
    given = join(first)
    if not family and not given:
        raise ParseError(f"name {text!r} has neither a family nor a given name")
    return Person(
        family=family,
        given=given,
        non_dropping_particle=join(von),
        dropping_particle=join(dropping),
        suffix=join(jr),
        comma_suffix=comma_suffix,
    )


def parse_names(text: str, decode: Callable[[str], str] = _default_decode) -> tuple[Person, ...]:
    """Parse a BibTeX name list ("A and B and others") into persons.

    Raises :class:`~citekit.ParseError` if a name cannot be read.
    """
    return tuple(parse_name(name, decode) for name in split_names(text))
