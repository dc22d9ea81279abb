"""Collapsing the cites of a citation: citation-number ranges, years, year suffixes.

``collapse="citation-number"`` puts runs of three or more consecutive
numbers as a range; ``year``, ``year-suffix`` and ``year-suffix-ranged``
show the names of an author once, the years (or suffixes) after them, with
``cite-group-delimiter``, ``year-suffix-delimiter`` and
``after-collapse-delimiter``. Without ``collapse``, a ``cite-group-delimiter``
joins the cites of one author (:mod:`citekit.csl.cite.grouping`).
"""

from __future__ import annotations

import itertools
from typing import Any

from citekit.csl import passes
from citekit.csl.cite.grouping import cite_groups
from citekit.csl.cite.session import as_text, locator_of
from citekit.csl.elements.state import CiteState

__all__ = ["EN_DASH", "Piece", "collapse", "join_suffixes", "join_years"]

EN_DASH = "\u2013"


def collapse(
    layout: Any, rendered: list[tuple[Any, Any, CiteState]], citation: Any
) -> list[tuple[Any, str | None]]:
    """The cites' outputs, each with the delimiter to put *after* it (None: the layout's)."""
    collapse = citation.get("collapse")
    plain: list[tuple[Any, str | None]] = [(output, None) for _, output, _ in rendered]
    if len(rendered) < 2:
        return plain
    if not collapse:
        group_delimiter = citation.get("cite-group-delimiter")
        if group_delimiter is None:
            return plain
        return cite_groups(layout, rendered, passes.escape(group_delimiter))
    if collapse == "citation-number":
        return collapse_numbers(layout, rendered)
    if collapse in ("year", "year-suffix", "year-suffix-ranged"):
        return collapse_years(layout, rendered, citation, collapse)
    return plain


def collapse_numbers(
    layout: Any, rendered: list[tuple[Any, Any, CiteState]]
) -> list[tuple[Any, str | None]]:
    """Runs of three or more consecutive citation numbers as a range (no affixes, locators)."""
    out: list[tuple[Any, str | None]] = []
    run: list[tuple[Any, Any]] = []

    def flush() -> None:
        if len(run) >= 3:
            out.append((as_text(run[0][1]) + EN_DASH + as_text(run[-1][1]), None))
        else:
            out.extend((output, None) for _, output in run)
        run.clear()

    for cite, output, _ in rendered:
        number = cite.number
        plain = not (dict.get(cite, "prefix") or dict.get(cite, "suffix") or locator_of(cite))
        if run and plain and run[-1][0] is not None and number == run[-1][0] + 1:
            run.append((number, output))
            continue
        flush()
        run.append((number if plain else None, output))
    flush()
    return out


def collapse_years(
    layout: Any, rendered: list[tuple[Any, Any, CiteState]], citation: Any, collapse: str
) -> list[tuple[Any, str | None]]:
    """The cites of one author (consecutive, same names) with their names shown once."""
    layout_delimiter = layout.get("delimiter", "")
    # CSL 1.0.2: cite-group-delimiter defaults to ", " (citeproc-js: in
    # in-text styles; note styles keep the layout delimiter). As in
    # citeproc-js, year suffixes are joined by year-suffix-delimiter, else
    # by the cite-group-delimiter the style sets, else by the layout's.
    explicit_group = citation.get("cite-group-delimiter")
    if explicit_group is not None:
        group_delimiter = passes.escape(explicit_group)
    elif layout.get_root().get("class") == "in-text":
        group_delimiter = ", "
    else:
        group_delimiter = passes.escape(layout_delimiter)
    after = passes.escape(citation.get("after-collapse-delimiter", layout_delimiter))
    suffix_default = explicit_group if explicit_group is not None else layout_delimiter
    suffix_delimiter = passes.escape(citation.get("year-suffix-delimiter", suffix_default))
    # group consecutive cites by the output of their first names element
    # (cites rendering no names are alike, as in citeproc-js); a cite with
    # a prefix or suffix stays alone
    groups: list[list[tuple[Any, Any, CiteState, str | None]]] = []
    for cite, output, state in rendered:
        movable = not (dict.get(cite, "prefix") or dict.get(cite, "suffix"))
        author = layout.first_names(cite, state)[1] if movable else None
        if groups and author is not None and groups[-1][-1][3] == author:
            groups[-1].append((cite, output, state, author))
        else:
            groups.append([(cite, output, state, author)])
    out: list[tuple[Any, str | None]] = []
    for group in groups:
        if len(group) == 1:
            # As citeproc-js: after-collapse-delimiter also follows a cite
            # that collapsed with none, except between two such cites with
            # collapse="year-suffix" when the first has no locator.
            cite = group[0][0]
            alone = collapse == "year-suffix" and locator_of(cite) is None
            out.append((group[0][1], None if alone else after))
            continue
        pieces = [Piece(as_text(group[0][1]), group[0][0], group[0][2])]
        for cite, _, state, _ in group[1:]:
            text = as_text(layout.render_without_names(cite, state))
            if text:
                pieces.append(Piece(text, cite, state))
        if collapse != "year":
            for piece in pieces:
                piece.year = year_key(layout, piece.cite, piece.state)
        joined = join_years(pieces, collapse, group_delimiter, suffix_delimiter, after)
        out.append((joined, after))
    return out


def year_key(layout: Any, cite: Any, state: CiteState) -> str:
    """The cite without author and year suffix, to tell same-year cites apart.

    (A cite rendering with a state without a year suffix reads no
    ``year-suffix`` variable either: see :class:`citekit.csl.cite.session.CiteItem`.)
    """
    return as_text(layout.render_without_names(cite, state.copy(year_suffix=None)))


class Piece:
    """One cite of a collapsed group: its text (author suppressed after the first)."""

    def __init__(self, text: str, cite: Any, state: CiteState) -> None:
        self.text = text
        self.cite = cite
        self.state = state
        self.year = ""
        self.suffix = state.year_suffix
        self.locator = locator_of(cite) is not None


def join_years(
    pieces: list[Piece],
    collapse: str,
    group_delimiter: str,
    suffix_delimiter: str,
    after_collapse: str,
) -> str:
    """The cites of one author, joined; same-year runs reduced to their suffixes."""
    text = ""
    index = 0
    while index < len(pieces):
        end = index + 1
        if collapse != "year":
            while (
                end < len(pieces)
                and pieces[end - 1].suffix
                and pieces[end].suffix
                and not pieces[end - 1].locator
                and pieces[end].year == pieces[index].year
            ):
                end += 1
        if text:
            previous = pieces[index - 1]
            text += after_collapse if previous.locator else group_delimiter
        text += pieces[index].text
        run = [p.suffix or "" for p in pieces[index:end]]
        if len(run) > 1:
            text += join_suffixes(run, collapse, suffix_delimiter)[len(run[0]) :]
        index = end
    return text


def suffix_number(suffix: str) -> int:
    """The number of a year suffix: a is 1, z 26, aa 27."""
    number = 0
    for letter in suffix:
        number = number * 26 + (ord(letter) - ord("a") + 1)
    return number


def join_suffixes(suffixes: list[str], collapse: str, delimiter: str) -> str:
    """Year suffixes joined; with ``year-suffix-ranged``, runs of three or more as ranges."""
    if collapse != "year-suffix-ranged":
        return delimiter.join(suffixes)
    parts: list[str] = []
    for _, run in itertools.groupby(
        enumerate(suffixes), key=lambda pair: suffix_number(pair[1]) - pair[0]
    ):
        letters = [s for _, s in run]
        if len(letters) >= 3:
            parts.append(letters[0] + EN_DASH + letters[-1])
        else:
            parts.extend(letters)
    return delimiter.join(parts)
