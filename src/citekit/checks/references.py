"""Rules on keys and references between entries: crossref, xref and xdata
targets, cycles, keys the tools refuse, duplicate keys."""

from __future__ import annotations

import re
from collections.abc import Iterable

from citekit.checks import Context, Entry, EntryRule, Finding, Rule

__all__ = [
    "CrossrefCycle",
    "CrossrefMissing",
    "DuplicateKey",
    "KeyInvalid",
    "is_duplicate_problem",
]


def is_duplicate_problem(message: str) -> bool:
    """Whether a reading problem is about a key given twice."""
    return (
        message.startswith("duplicate citation key")
        or "differs only in case" in message
        or (message.startswith("id ") and "is already taken" in message)
    )


_LINK_FIELDS = ("crossref", "xref", "xdata")


def _targets(entry: Entry, name: str) -> list[str]:
    value = entry.get(name)
    if value is None:
        return []
    value = value.replace("{", "").replace("}", "")
    if name == "xdata":
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value.strip()] if value.strip() else []


def _index(context: Context) -> dict[str, Entry]:
    index: dict[str, Entry] = {}
    for entry in context.entries:
        index.setdefault(entry.key.lower(), entry)
    return index


class CrossrefMissing(EntryRule):
    """``crossref``, ``xref`` or ``xdata`` naming a key the file does not hold."""

    id = "crossref-missing"
    severity = "error"
    family = "references"
    rationale = (
        "A crossref to a missing entry inherits nothing: the booktitle, editor and "
        "publisher the child relies on are silently missing, and BibTeX and biber warn "
        "only at build time."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check(self, context: Context) -> Iterable[Finding]:
        self._index = _index(context)
        return super().check(context)

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name in _LINK_FIELDS:
            for target in _targets(entry, name):
                if target.lower() not in self._index:
                    yield self.finding(
                        context,
                        entry,
                        name,
                        f"{name} to {target!r}, which is not in the file",
                    )


class CrossrefCycle(Rule):
    """``crossref``/``xdata`` chains that come back to where they started."""

    id = "crossref-cycle"
    severity = "error"
    family = "references"
    rationale = (
        "An entry that inherits from itself, directly or through others, makes biber stop "
        "with an error and BibTeX inherit nothing."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check(self, context: Context) -> Iterable[Finding]:
        index = _index(context)
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        for start in context.entries:
            if start.dialect not in self.dialects or state.get(start.key.lower()):
                continue
            # Iterative depth-first search: each entry is visited once (linear).
            path: list[tuple[Entry, list[tuple[str, Entry]]]] = []

            def children(entry: Entry) -> list[tuple[str, Entry]]:
                out = []
                for name in ("crossref", "xdata"):
                    for target in _targets(entry, name):
                        child = index.get(target.lower())
                        if child is not None:
                            out.append((name, child))
                return out

            state[start.key.lower()] = 1
            path.append((start, children(start)))
            while path:
                entry, pending = path[-1]
                if not pending:
                    state[entry.key.lower()] = 2
                    path.pop()
                    continue
                name, child = pending.pop()
                mark = state.get(child.key.lower())
                if mark == 1:
                    # Every entry of the cycle has the defect: each is reported at
                    # the field that links it to the next.
                    members = [e for e, _ in path]
                    members = members[members.index(child) :]
                    cycle = " -> ".join([*(e.key for e in members), child.key])
                    for position, member in enumerate(members):
                        following = members[(position + 1) % len(members)]
                        link = next(
                            (
                                field
                                for field in ("crossref", "xdata")
                                if following.key.lower()
                                in (t.lower() for t in _targets(member, field))
                            ),
                            name,
                        )
                        yield self.finding(context, member, link, f"{link} cycle: {cycle}")
                elif mark is None:
                    state[child.key.lower()] = 1
                    path.append((child, children(child)))


# BibTeX's and biber's reader stop at these in a key.
_BIBTEX_FORBIDDEN = re.compile(r"[\s,{}()\"#%'=\\~]")
# pandoc reads @key as: a letter, digit or _ first, then those and internal
# punctuation :.#$%&-+?<>~/ (punctuation only when a letter, digit or _ follows).
_PANDOC_KEY = re.compile(r"[\w](?:[\w]|[:.#$%&\-+?<>~/]+(?=[\w]))*")


class KeyInvalid(EntryRule):
    """Citation keys that BibTeX, biber or pandoc would not read whole."""

    id = "key-invalid"
    severity = "warning"
    family = "references"
    rationale = (
        "A key with a space, comma, brace, quote, #, %, ', (, ) or = cannot be cited in "
        "BibTeX or biblatex; a key that ends in punctuation or holds other characters is "
        "cut short by pandoc's @key (it needs @{key})."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        key = entry.key
        bad = _BIBTEX_FORBIDDEN.search(key)
        if bad is not None:
            yield self.finding(
                context,
                entry,
                None,
                f"the key {key!r} contains {bad.group(0)!r}, which BibTeX and biber do not"
                " accept in a key",
                severity="error",
            )
            return
        m = _PANDOC_KEY.match(key)
        if m is None or m.end() != len(key):
            read = m.group(0) if m else ""
            how = f"pandoc reads @{key} as @{read}" if read else f"pandoc cannot read @{key}"
            yield self.finding(
                context,
                entry,
                None,
                f"{how}; cite it as @{{{key}}} or choose a key of letters, digits and"
                " internal punctuation",
                severity="info",
            )


class DuplicateKey(Rule):
    """Two entries with one key (or keys that differ only in case)."""

    id = "duplicate-key"
    severity = "error"
    family = "references"
    rationale = (
        "BibTeX and biber use the first of two entries with one key and drop the other "
        "(keys that differ only in case count as one): which one a citation gets depends "
        "on file order."
    )

    def check(self, context: Context) -> Iterable[Finding]:
        for problem in context.library.problems:
            if is_duplicate_problem(problem.message):
                yield Finding(
                    rule=self.id,
                    severity=self.severity,
                    path=problem.path or context.path,
                    line=problem.line,
                    key=problem.key,
                    field=None,
                    message=problem.message,
                )
