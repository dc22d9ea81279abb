"""Rules against manuscripts: keys cited but missing, entries never cited.

They run when manuscripts are given (``citekit check refs.bib --manuscript
essay.md``, or ``check(library, manuscripts=[...])``). Markdown (pandoc's
``[@key]`` syntax) and LaTeX (``\\cite{key}`` and its relatives) are read by
:mod:`citekit.manuscript.syntax`; ``\\nocite{*}`` cites every entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from citekit.checks import Context, Finding, Rule

__all__ = ["CitedMissing", "NeverCited", "cited_keys"]

_LATEX_SUFFIXES = frozenset({".tex", ".ltx", ".latex"})


def cited_keys(context: Context) -> dict[str, list[tuple[str, int]]]:
    """Each key the manuscripts cite, with where (path, line), in order."""
    cache: dict[str, list[tuple[str, int]]] | None = context.cache.get("cited-keys")
    if cache is not None:
        return cache
    from citekit.manuscript.syntax import parse

    cited: dict[str, list[tuple[str, int]]] = {}
    for path, text in context.manuscripts.items():
        syntax = "latex" if Path(path).suffix.lower() in _LATEX_SUFFIXES else "markdown"
        for mark in parse(text, syntax):
            for ref in mark.cites:
                cited.setdefault(ref.key, []).append((path, ref.line or mark.line))
    context.cache["cited-keys"] = cited
    return cited


class CitedMissing(Rule):
    """A key a manuscript cites that the library does not hold."""

    id = "cited-missing"
    severity = "error"
    family = "manuscript"
    rationale = (
        "A citation of a key the library lacks renders as '???' or the bare key; finding "
        "it before rendering saves a round of proofs."
    )

    def check(self, context: Context) -> Iterable[Finding]:
        if not context.manuscripts:
            return
        keys = context.keys
        lowered = {key.lower(): key for key in keys}
        for key, places in cited_keys(context).items():
            if key == "*" or key in keys:
                continue
            near = lowered.get(key.lower())
            hint = f"; the library has {near!r}" if near else ""
            for path, line in places:
                yield Finding(
                    rule=self.id,
                    severity=self.severity,
                    path=path,
                    line=line,
                    key=key,
                    message=f"{key!r} is cited but not in {context.path or 'the library'}{hint}",
                )


class NeverCited(Rule):
    """An entry no manuscript cites."""

    id = "never-cited"
    severity = "info"
    family = "manuscript"
    rationale = (
        "Entries no manuscript cites are not wrong, but in a library made for one text "
        "they are often left-overs; \\nocite{*} counts as citing all."
    )

    def check(self, context: Context) -> Iterable[Finding]:
        if not context.manuscripts:
            return
        cited = cited_keys(context)
        if "*" in cited:
            return
        # Parents of cited entries (crossref, xdata) are used through them.
        used = set(cited)
        for entry in context.entries:
            if entry.key in cited:
                for name in ("crossref", "xref", "xdata"):
                    for target in (entry.get(name) or "").split(","):
                        used.add(target.strip(" {}"))
        for entry in context.entries:
            if entry.key not in used:
                yield self.finding(
                    context,
                    entry,
                    None,
                    f"{entry.key!r} is not cited in {', '.join(context.manuscripts)}",
                )
