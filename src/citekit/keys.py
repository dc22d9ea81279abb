"""Citation keys made from a pattern, that never change under a writer's feet.

A pattern is text with markers in brackets, in the spirit of JabRef's and
Better BibTeX's key patterns: ``[auth:lower][year]`` gives ``knuth1984``,
``[auth][shorttitle:2]`` gives ``KnuthTeXbook``. Markers:

=====================  ===========================================================
``[auth]``             the first author's family name (the first editor's when
                       the work has no author; the first word of an
                       organisation's name)
``[authN]``            its first N letters (``[auth4]`` -> ``Knut``)
``[authors]``          every author's family name, joined
``[authorsN]``         the first N, then ``EtAl`` when there are more
``[authEtAl]``         one name; two names joined; ``EtAl`` after the first
                       of three or more
``[editor]``           the first editor's family name
``[year]``             the year of issue (four digits); ``[shortyear]``: two
``[title]``            every significant word of the title, capitalised, joined
``[shorttitle]``       its first three significant words
``[veryshorttitle]``   its first significant word
=====================  ===========================================================

Significant words leave out stop words ("a", "the", "of", "and", ... in
English, French, German, Spanish and Italian). Modifiers follow a colon and
apply left to right: ``lower``, ``upper``, ``capitalize``, and a number ``N``,
which keeps N words of a title marker and N characters of another
(``[shorttitle:2]``, ``[auth:3]``). Text outside brackets is kept (``[auth]_[year]``).

Names and titles are transliterated to ASCII with the ``anyascii`` library
(``Чехов`` -> ``Chekhov``, ``Gödel`` -> ``Godel``), and a key keeps only ASCII
letters and digits, with ``_``, ``-``, ``:`` and ``.`` inside (never at its
ends, nor two in a row): such a key is read the same by BibTeX, biber and
pandoc's ``@key`` syntax.

Stability: a work whose key follows the pattern (the key made from its data,
possibly with a disambiguating letter suffix: ``chen2014``, ``chen2014b``)
keeps it whatever else is added, edited or removed. Only a work whose key does
not follow the pattern gets a new one, with a suffix ``a``, ``b``, ... ``z``,
``aa`` ... when the key is taken. Running :func:`propose` again after applying
its proposals proposes nothing.

The default pattern, ``[auth:lower][year][veryshorttitle:lower]``, is the
scheme of Google Scholar's BibTeX export (``leslie2000biggest``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from functools import lru_cache

import attrs

from citekit.model.library import Library
from citekit.model.persons import Person
from citekit.model.work import Work

__all__ = [
    "DEFAULT_PATTERN",
    "KeyPattern",
    "Proposal",
    "follows",
    "generate",
    "is_valid_key",
    "propose",
]

DEFAULT_PATTERN = "[auth:lower][year][veryshorttitle:lower]"

_STOP_TEXT = """
a an the of and or but nor for to in on at by with from into onto upon as is are was
were be about after before between through over under than that this these those its
it not no so vs via
le la les l un une des du de d et ou en au aux sur pour par dans avec
der die das den dem des ein eine einer eines und oder im am zum zur von mit auf fur
el los las lo una unos unas y o del al con por para
il gli i uno e di da dei delle della nel nella per
"""
#: Words the title markers leave out (English, French, German, Spanish, Italian).
STOP_WORDS = frozenset(_STOP_TEXT.split())

_MARKER = re.compile(r"\[([^\[\]]*)\]")
_INNER = frozenset("_-:.")
_VALID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|[_\-:.](?=[A-Za-z0-9]))*$")
_SUFFIX = re.compile(r"^[a-z]*$")


def is_valid_key(key: str) -> bool:
    """Whether ``key`` is read whole by BibTeX, biber and pandoc's ``@key``: ASCII
    letters and digits, with ``_ - : .`` only between two of them.

    >>> is_valid_key("knuth1984"), is_valid_key("doe:2020.a"), is_valid_key("doe2020.")
    (True, True, False)
    """
    return bool(_VALID.match(key))


@lru_cache(maxsize=8192)
def _ascii(text: str) -> str:
    from anyascii import anyascii

    return str(anyascii(text))


def _words(text: str) -> list[str]:
    """ASCII words of ``text`` (transliterated; apostrophes joined: "Don't" -> "Dont")."""
    plain = _ascii(text).replace("'", "")
    return [w for w in re.split(r"[^A-Za-z0-9]+", plain) if w]


def _family(person: Person) -> str:
    if person.literal:
        words = [w for w in _words(person.literal) if w.lower() not in STOP_WORDS]
        return words[0] if words else ""
    name = person.family or person.given or ""
    words = _words(name)
    return "".join(w[:1].upper() + w[1:] for w in words)


def _creators(work: Work) -> tuple[Person, ...]:
    return work.authors or work.editors or work.names("container-author")


def _title_words(work: Work) -> list[str]:
    words = [w for w in _words(work.title or "") if w.lower() not in STOP_WORDS]
    return [w[:1].upper() + w[1:] for w in words]


def _authors(work: Work, count: int | None) -> str:
    names = [n for n in (_family(p) for p in _creators(work)) if n]
    if count is None or len(names) <= count:
        return "".join(names)
    return "".join(names[:count]) + "EtAl"


def _auth_etal(work: Work) -> str:
    names = [n for n in (_family(p) for p in _creators(work)) if n]
    if len(names) <= 2:
        return "".join(names)
    return names[0] + "EtAl"


_FIELDS: dict[str, Callable[[Work], str | list[str]]] = {
    "auth": lambda w: next((n for n in (_family(p) for p in _creators(w)) if n), ""),
    "authors": lambda w: _authors(w, None),
    "authetal": _auth_etal,
    "editor": lambda w: next((n for n in (_family(p) for p in w.editors) if n), ""),
    "year": lambda w: f"{w.year:04d}" if w.year is not None and w.year >= 0 else "",
    "shortyear": lambda w: f"{w.year % 100:02d}" if w.year is not None and w.year >= 0 else "",
    "title": _title_words,
    "shorttitle": lambda w: _title_words(w)[:3],
    "veryshorttitle": lambda w: _title_words(w)[:1],
}
_NUMBERED = re.compile(r"^(auth|authors)(\d+)$")
_MODIFIERS = frozenset({"lower", "upper", "capitalize"})


def _marker(name: str) -> Callable[[Work], str | list[str]]:
    low = name.lower()
    if low in _FIELDS:
        return _FIELDS[low]
    numbered = _NUMBERED.match(low)
    if numbered:
        field, count = numbered.group(1), int(numbered.group(2))
        if field == "auth":
            return lambda w: str(_FIELDS["auth"](w))[:count]
        return lambda w: _authors(w, count)
    known = ", ".join(sorted([*_FIELDS, "authN", "authorsN"]))
    raise ValueError(f"unknown key pattern marker [{name}]; known: {known}")


@attrs.frozen
class KeyPattern:
    """A parsed key pattern (see the module docstring); ``KeyPattern.parse(text)``."""

    text: str
    parts: tuple[tuple[str, Callable[[Work], str | list[str]] | None, tuple[str, ...]], ...] = (
        attrs.field(repr=False, eq=False)
    )

    @classmethod
    def parse(cls, text: str) -> KeyPattern:
        """Parse ``text``; a :class:`ValueError` names an unknown marker or modifier."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("a key pattern needs at least one [marker]")
        parts: list[tuple[str, Callable[[Work], str | list[str]] | None, tuple[str, ...]]] = []
        position = 0
        for match in _MARKER.finditer(text):
            if match.start() > position:
                parts.append((text[position : match.start()], None, ()))
            name, *modifiers = match.group(1).split(":")
            for modifier in modifiers:
                if modifier not in _MODIFIERS and not modifier.isdigit():
                    raise ValueError(
                        f"unknown modifier {modifier!r} in [{match.group(1)}]; known: "
                        "lower, upper, capitalize, or a number"
                    )
            parts.append((name, _marker(name.strip()), tuple(modifiers)))
            position = match.end()
        if position < len(text):
            parts.append((text[position:], None, ()))
        if not any(function is not None for _, function, _ in parts):
            raise ValueError(f"the key pattern {text!r} has no [marker]")
        if "[" in _MARKER.sub("", text) or "]" in _MARKER.sub("", text):
            raise ValueError(f"unbalanced brackets in the key pattern {text!r}")
        return cls(text, tuple(parts))

    def base(self, work: Work) -> str:
        """The key the pattern makes of ``work``, before any suffix (valid, never empty)."""
        out: list[str] = []
        for literal, function, modifiers in self.parts:
            if function is None:
                out.append(literal)
                continue
            value = function(work)
            for modifier in modifiers:
                value = _apply(value, modifier)
            out.append(value if isinstance(value, str) else "".join(value))
        return _sanitize("".join(out))


def _apply(value: str | list[str], modifier: str) -> str | list[str]:
    if modifier.isdigit():
        count = int(modifier)
        return value[:count]
    if isinstance(value, list):
        return [str(_apply(v, modifier)) for v in value]
    if modifier == "lower":
        return value.lower()
    if modifier == "upper":
        return value.upper()
    return value[:1].upper() + value[1:]


def _sanitize(text: str) -> str:
    """Only what BibTeX, biber and pandoc all read as part of a key."""
    text = _ascii(text)
    out: list[str] = []
    for ch in text:
        inner = ch in _INNER and bool(out) and out[-1] not in _INNER
        if (ch.isascii() and ch.isalnum()) or inner:
            out.append(ch)
    while out and out[-1] in _INNER:
        out.pop()
    key = "".join(out)
    return key or "key"


def _suffix(n: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "aa", ..."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _pattern(pattern: str | KeyPattern) -> KeyPattern:
    return pattern if isinstance(pattern, KeyPattern) else KeyPattern.parse(pattern)


def generate(
    work: Work, pattern: str | KeyPattern = DEFAULT_PATTERN, taken: Collection[str] = ()
) -> str:
    """A key for ``work`` by ``pattern`` that is not in ``taken``: the pattern's
    key, or with the first free suffix ``a``, ``b``, ... (the keys in
    ``taken`` never change).

    >>> from citekit import Work, Person, Date
    >>> w = Work(key="x", title="The TeXbook", issued=Date.of(1984),
    ...          contributors={"author": [Person(family="Knuth", given="Donald")]})
    >>> generate(w, "[auth:lower]" "[year]", taken={"knuth1984"})
    'knuth1984a'
    """
    base = _pattern(pattern).base(work)
    if base not in taken:
        return base
    n = 0
    while base + _suffix(n) in taken:
        n += 1
    return base + _suffix(n)


def follows(work: Work, pattern: str | KeyPattern = DEFAULT_PATTERN) -> bool:
    """Whether the key of ``work`` follows ``pattern``: the pattern's key,
    possibly with a lowercase letter suffix."""
    base = _pattern(pattern).base(work)
    key = work.key
    return key.startswith(base) and bool(_SUFFIX.match(key[len(base) :])) and is_valid_key(key)


@attrs.frozen
class Proposal:
    """A work whose key does not follow the pattern, and the key proposed for it."""

    key: str
    proposed: str

    def to_json(self) -> dict[str, str]:
        """``{"key": old, "proposed": new}``."""
        return {"key": self.key, "proposed": self.proposed}


def propose(
    library: Library | Iterable[Work], pattern: str | KeyPattern = DEFAULT_PATTERN
) -> list[Proposal]:
    """New keys for the works whose key does not follow ``pattern``, in order.

    A key that follows the pattern is never proposed for change; a new key
    avoids every key of the library (and the keys it aliases) and every key
    proposed before it.
    """
    parsed = _pattern(pattern)
    works = list(library.values() if isinstance(library, Library) else library)
    taken: set[str] = {w.key for w in works}
    if isinstance(library, Library):
        for work in works:
            taken.update(library.aliases_of(work.key))
    out: list[Proposal] = []
    for work in works:
        if follows(work, parsed):
            continue
        new = generate(work, parsed, taken)
        taken.add(new)
        out.append(Proposal(work.key, new))
    return out
