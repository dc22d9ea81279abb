"""Cite grouping: the cites of one author brought together, and their delimiter.

CSL 1.0.2: with a ``cite-group-delimiter`` or a ``collapse`` by year, sorted
cites with the same names (the output of their first ``cs:names``) are put
next to the first of them; consecutive ones are joined by the cite-group
delimiter. A cite with a prefix or suffix is never grouped.
"""

from __future__ import annotations

from typing import Any

from citekit.csl.elements.state import CiteState

__all__ = ["author_of", "cite_groups", "grouped", "groups_cites"]


def groups_cites(citation: Any) -> bool:
    """Whether the citation groups cites by author (cite-group-delimiter, year collapsing)."""
    return citation.get("cite-group-delimiter") is not None or citation.get("collapse") in (
        "year",
        "year-suffix",
        "year-suffix-ranged",
    )


def author_of(layout: Any, cite: Any, state: CiteState | None) -> str:
    """The output of the cite's first names element ("" without one, or with affixes)."""
    if dict.get(cite, "prefix") or dict.get(cite, "suffix"):
        return ""
    text: str = layout.first_names(cite, state)[1]
    return text


def grouped(layout: Any, cites: list[Any], states: dict[str, CiteState]) -> list[Any]:
    """Sorted cites with those of one author brought together (cite grouping).

    CSL 1.0.2: with cite grouping (``cite-group-delimiter`` or a
    ``collapse`` by year), cites with the same names are put next to the
    first of them, keeping the sort order otherwise.
    """
    order: dict[str, list[Any]] = {}
    loose: list[list[Any]] = []
    for cite in cites:
        author = author_of(layout, cite, states.get(cite.key))
        if not author:
            loose.append([cite])
            order[f"\0{len(loose)}"] = loose[-1]
        elif author in order:
            order[author].append(cite)
        else:
            order[author] = [cite]
    return [cite for group in order.values() for cite in group]


def cite_groups(
    layout: Any, rendered: list[tuple[Any, Any, CiteState]], delimiter: str
) -> list[tuple[Any, str | None]]:
    """Consecutive cites with the same names, joined by the cite-group delimiter."""
    out: list[tuple[Any, str | None]] = []
    previous = ""
    for cite, output, state in rendered:
        author = author_of(layout, cite, state)
        if out and author and author == previous:
            out[-1] = (out[-1][0], delimiter)
        out.append((output, None))
        previous = author
    return out
