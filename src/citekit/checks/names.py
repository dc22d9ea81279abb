"""Rules on names: empty names, and names that parse into the wrong parts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from citekit.checks import Context, Entry, EntryRule, Finding

__all__ = ["NAME_FIELDS", "NameEmpty", "NameProtectedComma", "NameSuffixAsGiven", "split_top"]

#: BibTeX and biblatex fields that hold lists of names.
NAME_FIELDS = (
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
    "shortauthor",
    "shorteditor",
)

# Case matters: "JR" after a comma is more often the initials J. R. than "Jr".
_SUFFIXES = frozenset(
    {"Jr", "Jr.", "jr", "jr.", "Sr", "Sr.", "sr", "sr.", "II", "III", "IV", "Jun.", "Sen.", "Jnr"}
)


def _tokens(text: str) -> Iterator[tuple[str, int]]:
    """Words at brace depth 0 (a braced group is part of its word), with their depth-0 flag."""
    depth = 0
    word: list[str] = []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        if depth == 0 and ch.isspace():
            if word:
                yield "".join(word), 0
                word = []
            continue
        word.append(ch)
    if word:
        yield "".join(word), 0


def split_names(text: str) -> list[str]:
    """The names of a BibTeX name list, split at ``and`` outside braces (empty ones kept)."""
    names: list[list[str]] = [[]]
    for word, _ in _tokens(text):
        if word.lower() == "and":
            names.append([])
        else:
            names[-1].append(word)
    return [" ".join(words) for words in names]


def split_top(text: str, separator: str = ",") -> list[str]:
    """``text`` split at ``separator`` outside braces, parts stripped."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch == separator and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts


def _name_fields(entry: Entry) -> Iterator[str]:
    for name in NAME_FIELDS:
        field = entry.fields.get(name)
        if field is not None and field.value.strip():
            yield name


def _names_of(entry: Entry, name: str, context: Context) -> list[str]:
    """The split names of a field, computed once per check."""
    cache: dict[tuple[str, str], list[str]] = context.cache.setdefault("split-names", {})
    found = cache.get((entry.key, name))
    if found is None:
        found = cache[(entry.key, name)] = split_names(entry.fields[name].value)
    return found


class NameEmpty(EntryRule):
    """An empty name in a list of names (``and and``, a trailing ``and``)."""

    id = "name-empty"
    severity = "error"
    family = "names"
    rationale = (
        "'Smith, J. and and Doe, J.' or a trailing 'and' leaves an empty name, which "
        "BibTeX prints as a blank author and biber rejects."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name in _name_fields(entry):
            names = _names_of(entry, name, context)
            if any(not part.strip() for part in names):
                position = next(i for i, part in enumerate(names) if not part.strip()) + 1
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"name {position} of {len(names)} is empty ('and' twice, or at the"
                    " start or end of the list)",
                )


def _is_suffix(text: str) -> bool:
    return text.strip() in _SUFFIXES


class NameSuffixAsGiven(EntryRule):
    """A suffix (Jr., III) where the given name belongs."""

    id = "name-suffix-as-given"
    severity = "warning"
    family = "names"
    rationale = (
        "BibTeX reads 'Last, First' and 'Last, Jr, First': in 'King, Jr.' or 'King, "
        "Martin Luther, Jr.' the suffix lands in the given name, and styles print 'Jr. "
        "King'. Write 'King, Jr., Martin Luther'."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        if entry.dialect == "csl":
            yield from self._csl(entry, context)
            return
        for name in _name_fields(entry):
            for person in _names_of(entry, name, context):
                parts = split_top(person)
                if len(parts) == 2 and _is_suffix(parts[1]):
                    words = [word for word, _ in _tokens(parts[0])]
                    if len(words) > 1 and not words[-1].startswith("{"):
                        better = f"'{words[-1]}, {parts[1]}, {' '.join(words[:-1])}'"
                    else:
                        better = f"'{parts[0]}, {parts[1]}, <given name>'"
                    yield self.finding(
                        context,
                        entry,
                        name,
                        f"in {person.strip()!r} the suffix {parts[1]!r} is read as the given"
                        f" name; write {better}",
                    )
                elif len(parts) == 3 and _is_suffix(parts[2]) and not _is_suffix(parts[1]):
                    yield self.finding(
                        context,
                        entry,
                        name,
                        f"in {person.strip()!r} the suffix {parts[2]!r} is read as the given"
                        f" name and {parts[1]!r} as the suffix; write"
                        f" '{parts[0]}, {parts[2]}, {parts[1]}'",
                    )

    def _csl(self, entry: Entry, context: Context) -> Iterable[Finding]:
        work = entry.work
        if work is None:
            return
        for group in work.contributors:
            for person in group.persons:
                if person.given and _is_suffix(person.given) and not person.suffix:
                    yield self.finding(
                        context,
                        entry,
                        str(group.role),
                        f"the given name of {person.family!r} is {person.given!r}, a suffix;"
                        " put it in 'suffix'",
                    )


_PARTICLES = frozenset({"van", "von", "de", "der", "den", "la", "le", "du", "di", "da", "del"})
_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|[A-Z]\.)$")


class NameProtectedComma(EntryRule):
    """A person's name protected in braces with its comma: ``{Last, First}``."""

    id = "name-protected-comma"
    severity = "warning"
    family = "names"
    rationale = (
        "Braces make a name one unit: {Smith, John} is a single family name 'Smith, John' "
        "with no given name, so styles cannot abbreviate or invert it. Braces are for "
        "organisations ({World Health Organization}); a person is written Smith, John."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name in _name_fields(entry):
            for person in _names_of(entry, name, context):
                text = person.strip()
                if not (text.startswith("{") and text.endswith("}")):
                    continue
                from citekit.formats.bibtex import _braced_end

                if _braced_end(text, 0) != len(text):
                    continue
                inner = text[1:-1]
                parts = split_top(inner)
                if len(parts) != 2 or "{" in inner:
                    continue
                family, given = parts[0].split(), parts[1].split()
                if not (1 <= len(family) <= 3 and 1 <= len(given) <= 3):
                    continue
                if (
                    all(_WORD.match(w) or w in _PARTICLES for w in family)
                    and all(_WORD.match(w) for w in given)
                    and any(_WORD.match(w) for w in family)
                ):
                    yield self.finding(
                        context,
                        entry,
                        name,
                        f"{text!r} is protected as one family name; write {inner!r} without"
                        " the braces so that its given name is known",
                    )
