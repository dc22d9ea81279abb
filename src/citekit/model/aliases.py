"""A work's other keys (aliases), kept where biblatex keeps them: its ``ids``."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from citekit.model.work import Work

__all__ = ["ALIASES_FIELD", "REFERENCE_FIELDS", "with_aliases", "work_aliases"]

#: The ``Work.extra`` field that holds a work's other keys (biblatex's name).
ALIASES_FIELD = "ids"
#: The ``Work.extra`` fields whose values are keys of other works (biblatex's names).
REFERENCE_FIELDS = ("crossref", "xref", "xdata", "related")


def work_aliases(work: Work) -> tuple[str, ...]:
    """The other keys of ``work`` (its ``ids``), in order, without its own key."""
    value = work.extra.get(ALIASES_FIELD)
    if not value:
        return ()
    seen: dict[str, None] = {}
    for alias in value.split(","):
        alias = alias.strip()
        if alias and alias != work.key:
            seen.setdefault(alias, None)
    return tuple(seen)


def with_aliases(work: Work, aliases: Iterable[str]) -> Work:
    """``work`` with ``aliases`` added to its other keys (kept in order, once each)."""
    merged = dict.fromkeys(work_aliases(work))
    for alias in aliases:
        alias = alias.strip()
        if alias and alias != work.key:
            merged.setdefault(alias, None)
    if not merged:
        return work
    extra = dict(work.extra)
    extra[ALIASES_FIELD] = ",".join(merged)
    return attrs.evolve(work, extra=extra)
