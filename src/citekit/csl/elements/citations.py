"""Citation-level rendering: positions, disambiguation, collapsing, bibliography layout.

citeproc-py renders each cite of a citation on its own and has no notion of
the document around it. citekit's ``cs:citation``, ``cs:bibliography`` and
``cs:layout`` classes keep, per rendering session (one
``CitationStylesBibliography``), what the CSL 1.0.2 specification needs:

* **Positions** (``first``, ``subsequent``, ``ibid``, ``ibid-with-locator``,
  ``near-note``) and ``first-reference-note-number``, from the citations
  rendered so far and their note numbers. Citations in the text (note 0) and
  citations in notes are two separate sequences, as in citeproc-js; for the
  first cite of a citation, "the preceding citation" is the previous citation
  when it sits in the same note, else every citation of the previous note.
* **Disambiguation** over every registered item, in the specification's order:
  ``disambiguate-add-names``, ``disambiguate-add-givenname``, the
  ``disambiguate="true"`` condition, then ``disambiguate-add-year-suffix``.
  Cites are grouped by their rendered text, so only colliding groups are
  worked on (near-linear in the number of items). A cite keeps an added name
  or an expanded given name only when it reduces the number of cites it
  collides with. ``givenname-disambiguation-rule``: ``by-cite`` (the
  default) expands names of colliding cites only; ``all-names``,
  ``all-names-with-initials``, ``primary-name`` and
  ``primary-name-with-initials`` expand, in every cite, the names that look
  like another person's name. Year suffixes follow the registry's
  (bibliography) order; when the style renders no ``year-suffix`` variable,
  the suffix follows the first year a ``cs:date`` renders (or the
  ``citation-label``), in citations and bibliography.
* **Collapsing and cite grouping**: ``citation-number`` ranges, ``year``,
  ``year-suffix`` and ``year-suffix-ranged``, with ``cite-group-delimiter``,
  ``year-suffix-delimiter`` and ``after-collapse-delimiter``; with a cite
  group delimiter or a year collapse, sorted cites of one author are put
  together.
* **Affixes**: the layout's affixes and delimiters are style text (escaped);
  a cite's ``prefix`` and ``suffix`` are the user's rich text (CSL-JSON
  markup, straight quotes in the locale's terms). A prefix that starts with
  punctuation (", cited in") stands in for the layout delimiter.
* **Bibliography**: ``subsequent-author-substitute`` (all four rules) and the
  ``display`` attribute (``block``, ``left-margin``, ``right-inline``,
  ``indent``) on the layout's children and on elements of a ``cs:choose``
  branch or a bare macro call under it; the layout's suffix goes into the
  last div.

How the other element classes see the state of the cite being rendered
----------------------------------------------------------------------

Per-reference results are stored as ordinary CSL variables on the item's
reference, so any element renders and tests them like data: ``year-suffix``
(set for every item that gets one) and ``citation-label`` (generated when the
item has none). Per-cite results are a :class:`CiteState` attached to the
cite being rendered: ``first-reference-note-number`` is also set on the
reference for the duration of the cite. Any element's ``process(item, ...)``
reads the state with :func:`cite_state`. citeproc-py's ``Text`` drops keyword
arguments on the way into a macro, so keyword arguments would not reach a
``cs:names`` inside a macro: the item does.

Hooks other element classes implement (see :class:`CiteState`):

* ``cs:name`` renders at least ``state.names_min`` names (when it is not
  ``None``) before applying et-al, and renders name *i* of a names variable
  with the given-name form ``state.givenname_level(variable, i)`` (0: as the
  style says, 1: with initials, 2: with the full given name).
* ``cs:text term=...`` capitalizes its first letter when
  ``state.capitalize_first_term`` is true and it is the first thing rendered
  in the cite (it then sets the flag to false; any rendered variable also
  does).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from citeproc import model
from citeproc.source import Citation as SourceCitation
from citeproc.source import CitationItem, VariableError
from citeproc.string import normalize_seam

from citekit.csl import numbers, passes
from citekit.csl.elements import Detached, children, element
from citekit.csl.elements.state import (
    CiteState,
    YearMarks,
    attach_state,
    cite_state,
    restore_state,
)
from citekit.csl.elements.text import join_outputs, taken_branch
from citekit.csl.locale import locale_quotes
from citekit.csl.positions import (
    FIRST,
    IBID,
    IBID_WITH_LOCATOR,
    SUBSEQUENT,
    PositionTracker,
    Record,
)

T = TypeVar("T")

__all__ = [
    "FIRST",
    "IBID",
    "IBID_WITH_LOCATOR",
    "SUBSEQUENT",
    "Bibliography",
    "Choose",
    "Citation",
    "CiteState",
    "Else",
    "Else_If",
    "If",
    "Layout",
    "cite_state",
]

_SESSION_ATTRIBUTE = "_citekit_session"
_EN_DASH = "\u2013"


# Session state -------------------------------------------------------------------


class _Session:
    """Per-session (per CitationStylesBibliography) citation-level state."""

    def __init__(self) -> None:
        self.positions: PositionTracker | None = None
        self.disambiguation_key: tuple[str, ...] | None = None
        self.states: dict[str, CiteState] = {}
        self.suffixed: list[Any] = []


def _session(bibliography: Any) -> _Session:
    session = getattr(bibliography, _SESSION_ATTRIBUTE, None)
    if session is None:
        session = _Session()
        setattr(bibliography, _SESSION_ATTRIBUTE, session)
    return session


def _locator_of(item: Any) -> tuple[str, str] | None:
    locator = dict.get(item, "locator")
    if locator is None:
        return None
    return (str(getattr(locator, "label", "")), str(getattr(locator, "identifier", "")))


def _note_of(citation: Any) -> int:
    try:
        return int(dict.get(citation, "note_index") or 0)
    except (TypeError, ValueError):
        return 0


def _explicit_position(item: Any) -> int | None:
    value = dict.get(item, "position")
    if value is None:
        return None
    if isinstance(value, str):
        names = {"first": FIRST, "subsequent": SUBSEQUENT, "ibid": IBID}
        return names.get(value.replace("_", "-"), IBID_WITH_LOCATOR)
    try:
        return max(FIRST, min(IBID_WITH_LOCATOR, int(value)))
    except (TypeError, ValueError):
        return None


# Rendering helpers ---------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _has_display(node: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a child of ``node`` has a ``display`` attribute.

    ``cs:choose`` branches and bare macro calls (``cs:text macro=...`` with no
    other attribute) are looked through, as the bibliography layout does.
    """
    for child in node.iterchildren():
        if not isinstance(child.tag, str):
            continue
        if child.get("display"):
            return True
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "choose":
            if any(_has_display(branch, seen) for branch in child.iterchildren()):
                return True
            continue
        elif tag == "text" and set(child.attrib) == {"macro"}:
            name = child.get("macro")
            if name in seen:
                continue
            try:
                macro = child.get_macro(name)
            except IndexError:
                continue
            if _has_display(macro, seen | {name}):
                return True
    return False


def _tests_disambiguate(node: Any) -> bool:
    """Whether ``node`` or a macro it calls (at any depth) has ``disambiguate="true"``.

    Styles such as MLA put the condition in a macro (``author-short``), so the
    search follows every ``macro`` attribute (``cs:text``, sort keys...).
    """
    seen: set[str] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        for child in current.iter():
            if not isinstance(child.tag, str):
                continue
            if child.attrib.get("disambiguate") == "true":
                return True
            name = child.attrib.get("macro")
            if name and name not in seen:
                seen.add(name)
                try:
                    pending.append(child.get_macro(name))
                except (AttributeError, IndexError):
                    continue
    return False


# cs:citation, cs:bibliography, cs:layout -------------------------------------------


@element("citation")
class Citation(model.Citation):  # type: ignore[misc]
    """``cs:citation``: rendering that knows the document (positions, disambiguation)."""

    _default_options: ClassVar[dict[str, Any]] = {
        **model.Citation._default_options,
        "disambiguate-add-names": "false",
        "disambiguate-add-givenname": "false",
        "disambiguate-add-year-suffix": "false",
        "cite-group-delimiter": None,
    }

    def render(self, citation: Any, cites: Any, callback: Any) -> Any:
        """One citation; ``cites`` is citeproc-py's list of cites rendered so far."""
        self.cites = cites
        layout = self.layout
        return layout.render_citation(citation, callback)

    def flag(self, name: str) -> bool:
        """A boolean option of this element."""
        return str(self.get_option(name)).lower() == "true"


@element("bibliography")
class Bibliography(model.Bibliography):  # type: ignore[misc]
    """``cs:bibliography``: entries with subsequent-author-substitute and display."""

    def render(self, citation_items: Any, finish: Callable[[str], Any] | None = None) -> Any:
        """The entries of the registered items, in order (see ``Layout.render_bibliography``)."""
        return self.layout.render_bibliography(citation_items, finish)

    def iter_bibliography(
        self, citation_items: Any, finish: Callable[[str], Any] | None = None
    ) -> Iterator[Any]:
        """The entries one by one, as rendered (see ``Layout.iter_bibliography``)."""
        entries: Iterator[Any] = self.layout.iter_bibliography(citation_items, finish)
        return entries


@element("layout")
class Layout(model.Layout):  # type: ignore[misc]
    """``cs:layout`` of a citation or bibliography: citekit's citation-level processing."""

    # -- shared -------------------------------------------------------------------

    def _is_citation(self) -> bool:
        parent = self.getparent()
        return parent is not None and parent.tag.endswith("}citation")

    def _citation_element(self) -> Any:
        return self.get_root().citation

    def _render_item(self, item: Any, state: CiteState | None) -> Any:
        """Render one item's layout children with ``state`` attached; markup or None."""
        previous = attach_state(item, state)
        try:
            self.repressed: dict[str, list[str]] = {}
            with YearMarks(self, item, state) as marks:
                try:
                    output = self.render_children(item)
                except VariableError:
                    output = None
                if marks.active:
                    output = marks.place([_text(output)])[0] if output is not None else None
            return output
        finally:
            restore_state(item, previous)

    def first_names(self, item: Any, state: CiteState | None = None) -> tuple[Any, str]:
        """The first ``cs:names`` element that renders for ``item``, and its output.

        ``(None, "")`` when no names element renders anything. A names element
        in a ``cs:choose`` branch counts only when the branch is taken.
        """
        previous = attach_state(item, state)
        try:
            for names in self._taken_names(item):
                self.repressed = {}
                try:
                    text = _text(names.render(item, context=self))
                except VariableError:
                    text = ""
                if text:
                    return names, text
            return None, ""
        finally:
            self.repressed = {}
            restore_state(item, previous)

    def _taken_names(self, item: Any) -> Iterator[Any]:
        def walk(node: Any, seen: frozenset[str]) -> Iterator[Any]:
            for child in node.iterchildren():
                if not isinstance(child.tag, str):
                    continue
                tag = child.tag.rsplit("}", 1)[-1]
                if tag == "names":
                    yield child
                elif tag == "choose":
                    branch = self._taken_branch(child, item)
                    if branch is not None:
                        yield from walk(branch, seen)
                elif tag == "text" and child.get("macro"):
                    name = child.get("macro")
                    if name in seen:
                        continue
                    try:
                        macro = child.get_macro(name)
                    except IndexError:
                        continue
                    yield from walk(macro, seen | {name})
                else:
                    yield from walk(child, seen)

        yield from walk(self, frozenset())

    def _suppressing_names(self, item: Any, state: CiteState | None) -> Any:
        """Render ``item`` without its first rendered names element (suppress-author)."""
        names, _ = self.first_names(item, state)
        with Detached([names] if names is not None else []):
            return self._render_item(item, state)

    # -- disambiguation ----------------------------------------------------------------

    def disambiguation(self, bibliography: Any) -> dict[str, CiteState]:
        """What disambiguation decided for each registered item of a session, by item id."""
        return dict(self._states(bibliography))

    def adopt_disambiguation(self, bibliography: Any, states: Mapping[str, CiteState]) -> None:
        """Use disambiguation results computed by an earlier session of the same registry.

        ``states`` is what :meth:`disambiguation` gave for the same items in
        the same order; the items' year suffixes are set from it.
        """
        session = _session(bibliography)
        for reference in session.suffixed:
            dict.pop(reference, "year_suffix", None)
        session.suffixed = []
        for key, state in states.items():
            if state.year_suffix:
                reference = bibliography.source[key]
                dict.__setitem__(reference, "year_suffix", state.year_suffix)
                session.suffixed.append(reference)
        session.states = dict(states)
        session.disambiguation_key = tuple(bibliography.keys)

    def _states(self, bibliography: Any) -> dict[str, CiteState]:
        """Disambiguation results for every registered item (computed once per registry)."""
        session = _session(bibliography)
        key = tuple(bibliography.keys)
        if session.disambiguation_key != key:
            citation_layout = self._citation_element().layout
            session.states = citation_layout._disambiguate(bibliography, session)
            session.disambiguation_key = key
        return session.states

    def _disambiguate(self, bibliography: Any, session: _Session) -> dict[str, CiteState]:
        from citekit.csl import parallel

        for reference in session.suffixed:
            dict.pop(reference, "year_suffix", None)
        session.suffixed = []
        citation = self.getparent()
        keys = list(dict.fromkeys(bibliography.keys))
        # as citeproc-js does, cites are compared in their subsequent form
        # (the form that repeats in a document; a first cite is usually full)
        states = {key: CiteState(position=SUBSEQUENT) for key in keys}
        wants_label = any(
            e.attrib.get("variable") == "citation-label"
            for e in self.get_root().iter()
            if isinstance(e.tag, str)
        )
        for key in keys if wants_label else ():
            reference = bibliography.source[key]
            if "citation_label" not in reference:
                label = _citation_label(reference)
                if label:
                    dict.__setitem__(reference, "citation_label", label)
        add_names = citation.flag("disambiguate-add-names")
        add_givenname = citation.flag("disambiguate-add-givenname")
        add_year_suffix = citation.flag("disambiguate-add-year-suffix")
        uses_condition = _tests_disambiguate(citation)
        if not (add_names or add_givenname or add_year_suffix or uses_condition):
            return states
        items = {key: _probe(bibliography, key) for key in keys}

        memo: dict[str, tuple[Any, str]] = {}

        def signature(key: str) -> tuple[Any, ...]:
            state = states[key]
            return (
                state.names_min,
                tuple(sorted(state.givennames.items())),
                state.disambiguate,
            )

        def render(key: str) -> str:
            cached = memo.get(key)
            if cached is not None and cached[0] == signature(key):
                return cached[1]
            text = _text(self._render_item(items[key], states[key]))
            memo[key] = (signature(key), text)
            return text

        def first_renders(start: int, stop: int) -> list[tuple[Any, str]]:
            return [(signature(key), render(key)) for key in keys[start:stop]]

        rule = citation.get("givenname-disambiguation-rule", "by-cite")
        if add_givenname and rule != "by-cite":
            self._global_givennames(keys, items, states, rule)
        # Every cite is rendered once before the steps compare them: a large
        # registry's cites are rendered in several processes.
        memo.update(zip(keys, parallel.map_ranges(first_renders, len(keys)), strict=True))
        groups = _collisions(keys, render)
        if add_names and groups:
            groups = self._add_names(groups, items, states, render)
        if add_givenname and rule == "by-cite" and groups:
            groups = self._add_givennames(groups, items, states, render, add_names)
        if uses_condition and groups:
            remaining = []
            for group in groups:
                for key in group:
                    states[key].disambiguate = True
                remaining += _collisions(group, render)
            groups = remaining
        if add_year_suffix and groups:
            explicit = any(
                e.get("variable") == "year-suffix"
                for e in self.get_root().iter()
                if isinstance(e.tag, str) and e.tag.endswith("}text")
            )
            order = {key: index for index, key in enumerate(keys)}
            for group in groups:
                for number, key in enumerate(sorted(group, key=order.__getitem__)):
                    suffix = _year_suffix(number)
                    reference = bibliography.source[key]
                    dict.__setitem__(reference, "year_suffix", suffix)
                    session.suffixed.append(reference)
                    states[key].year_suffix = suffix
                    states[key].year_suffix_after_year = not explicit
        return states

    def _add_names(
        self,
        groups: list[list[str]],
        items: dict[str, Any],
        states: dict[str, CiteState],
        render: Callable[[str], str],
    ) -> list[list[str]]:
        """Step 1: show more names in colliding cites, one at a time.

        Each cite keeps the smallest name count that last reduced the number
        of cites it collides with (none if adding names never did).
        """
        remaining: list[list[str]] = []
        for group in groups:
            most = max(_name_count(items[key]) for key in group)
            degree = _degrees(group, render)
            best: dict[str, int | None] = {key: None for key in group}
            unresolved = [key for key in group if degree[key] > 1]
            for count in range(2, most + 1):
                if not unresolved:
                    break
                for key in unresolved:
                    states[key].names_min = count
                now = _degrees(group, render)
                for key in unresolved:
                    if now[key] < degree[key]:
                        degree[key] = now[key]
                        best[key] = count
                unresolved = [key for key in unresolved if degree[key] > 1]
            for key in group:
                states[key].names_min = best[key]
            remaining += _collisions(group, render)
        return remaining

    def _add_givennames(
        self,
        groups: list[list[str]],
        items: dict[str, Any],
        states: dict[str, CiteState],
        render: Callable[[str], str],
        add_names: bool,
    ) -> list[list[str]]:
        """Step 2 (``by-cite``): expand the names of colliding cites where that helps.

        Name by name, initials then full given names are tried on the cites
        still colliding; a cite keeps an expansion only when it reduces the
        number of cites it collides with. With ``disambiguate-add-names``,
        names still hidden are then added one by one, expanded the same way.
        """
        remaining: list[list[str]] = []
        for group in groups:
            degree = _degrees(group, render)
            most = max(_name_count(items[key]) for key in group)
            counts: list[int | None] = [None]
            if add_names:
                counts += list(range(2, most + 1))
            for count in counts:
                unresolved = [key for key in group if degree[key] > 1]
                if not unresolved:
                    break
                committed = {key: states[key].copy() for key in unresolved}
                if count is not None:
                    for key in unresolved:
                        states[key].names_min = max(states[key].names_min or 0, count)
                    now = _degrees(group, render)
                    for key in unresolved:
                        if now[key] < degree[key]:
                            degree[key] = now[key]
                            committed[key] = states[key].copy()
                trial = {key: states[key].copy() for key in unresolved}
                shown = count if count is not None else most
                for index in range(shown):
                    for level in (1, 2):
                        unresolved = [key for key in unresolved if degree[key] > 1]
                        if not unresolved:
                            break
                        for key in unresolved:
                            for variable in _name_variables(items[key]):
                                if states[key].givennames.get((variable, index), 0) < level:
                                    states[key].givennames[(variable, index)] = level
                        now = _degrees(group, render)
                        for key in unresolved:
                            if now[key] < degree[key]:
                                degree[key] = now[key]
                                committed[key] = states[key].copy()
                                trial[key] = states[key].copy()
                            else:
                                states[key] = trial[key].copy()
                for key, state in committed.items():
                    states[key] = state
            remaining += _collisions(group, render)
        return remaining

    def _global_givennames(
        self, keys: list[str], items: dict[str, Any], states: dict[str, CiteState], rule: str
    ) -> None:
        """Name disambiguation over the whole registry (``all-names``, ``primary-name``...).

        Every name that renders like the name of another person is expanded,
        in every cite, to initials when they tell the two apart, else to the
        full given name (not with the ``-with-initials`` rules). The
        ``primary-name`` rules look at the first name of each cite only.
        """
        primary = rule.startswith("primary-name")
        initials_only = rule.endswith("-with-initials")
        from citekit.csl import parallel

        def names_of(start: int, stop: int) -> list[list[tuple[Any, ...]]]:
            # per cite, its names as (variable, index, person, name form, parts):
            # each cite's depend on it alone, so a large registry's are found
            # in several processes
            found: list[list[tuple[Any, ...]]] = []
            for key in keys[start:stop]:
                mine: list[tuple[Any, ...]] = []
                found.append(mine)
                names_element, _ = self.first_names(items[key], states[key])
                if names_element is None:
                    continue
                reference = items[key].reference
                names_element, variables = self._rendered_names(names_element, items[key])
                shape = _NameForms(names_element).shape
                for position, variable in enumerate(variables):
                    for index, name in enumerate(reference.get(variable.replace("-", "_")) or ()):
                        if primary and (position or index):
                            break
                        given, family, suffix = _name_key(name)
                        if not family:
                            continue
                        person = (family, re.sub(r"[\s.]+", "", given), suffix)
                        mine.append((variable, index, person, shape, (family, given, suffix)))
            return found

        entries: list[tuple[str, str, int, tuple[str, str, str], Callable[[int], Any]]] = []
        for key, names in zip(keys, parallel.map_ranges(names_of, len(keys)), strict=True):
            for variable, index, person, shape, parts in names:
                renderer = _NameForms.of_shape(shape).renderer(*parts)
                entries.append((key, variable, index, person, renderer))
        by_base: dict[Any, list[int]] = defaultdict(list)
        for number, entry in enumerate(entries):
            by_base[entry[4](0)].append(number)
        for members in by_base.values():
            people = {entries[n][3] for n in members}
            if len(people) < 2:
                continue
            for number in members:
                key, variable, index, person, rendered = entries[number]
                others = {entries[n][4] for n in members if entries[n][3] != person}
                level = 0
                candidates = (1,) if initials_only else (1, 2)
                for candidate in candidates:
                    mine = rendered(candidate)
                    if mine != rendered(0) and all(other(candidate) != mine for other in others):
                        level = candidate
                        break
                if not level:
                    # no form tells the name from all the others: it is still
                    # transformed as far as the rule goes when that tells it
                    # from some of them (CSL 1.0.2: names are "progressively
                    # transformed"), as citeproc-js does ("E. Anderson" for
                    # Elisabeth beside Elizabeth and Benedict Anderson)
                    last = candidates[-1]
                    mine = rendered(last)
                    if mine != rendered(0) and any(other(last) != mine for other in others):
                        level = last
                if level:
                    states[key].givennames[(variable, index)] = level

    def _rendered_names(self, names_element: Any, item: Any) -> tuple[Any, list[str]]:
        """The ``cs:names`` element whose names render for ``item``, and its variables.

        ``names_element`` and its variables set for ``item`` when there are
        any; else the first child of its ``cs:substitute`` that renders,
        looking into the taken ``cs:choose`` branches, when that is a
        ``cs:names`` (APA substitutes ``author``, then ``editor``... for
        ``composer``). A substituted ``cs:names`` without a ``cs:name`` child
        uses the one of ``names_element`` (CSL 1.0.2, "Substitute"), so
        ``names_element`` is returned for it. ``(names_element, [])`` when no
        names render.
        """
        reference = item.reference

        def present(element: Any) -> list[str]:
            return [
                v
                for v in (element.get("variable") or "").split()
                if reference.get(v.replace("-", "_"), None)
            ]

        def first(children: Iterable[Any]) -> tuple[Any, list[str]] | None:
            for child in children:
                if not isinstance(child.tag, str):
                    continue
                tag = child.tag.rsplit("}", 1)[-1]
                if tag == "names":
                    variables = present(child)
                    if variables:
                        own = any(str(c.tag).endswith("}name") for c in child.iterchildren())
                        return (child if own else names_element), variables
                    continue
                if tag == "choose":
                    branch = self._taken_branch(child, item)
                    found = first(branch.iterchildren()) if branch is not None else None
                    if found is not None:
                        return found
                    continue
                self.repressed = {}
                try:
                    text = _text(child.render(item, context=self))
                except VariableError:
                    text = ""
                finally:
                    self.repressed = {}
                if text:
                    return names_element, []
            return None

        variables = present(names_element)
        if variables:
            return names_element, variables
        substitute = next(
            (c for c in names_element.iterchildren() if str(c.tag).endswith("}substitute")), None
        )
        found = first(substitute.iterchildren()) if substitute is not None else None
        return found if found is not None else (names_element, [])

    # -- citations ---------------------------------------------------------------------

    def render_citation(self, citation: Any, callback: Any) -> Any:
        """One citation: cites sorted, positions and disambiguation applied, collapsed."""
        bibliography = citation.bibliography
        session = _session(bibliography)
        states = self._states(bibliography)
        good = [cite for cite in citation.cites if not cite.is_bad()]
        bad = [cite for cite in citation.cites if cite.is_bad()]
        citation_element = self.getparent()
        if citation_element.sort is not None:
            good = citation_element.sort.sort(good, self)
            if _groups_cites(citation_element) and len(good) > 2:
                good = self._grouped(good, states)
        note_style = self.get_root().get("class") == "note"
        note = _note_of(citation)
        if session.positions is None:
            distance = int(citation_element.get_option("near-note-distance"))
            session.positions = PositionTracker(distance)
        positions = session.positions
        token = object()  # this rendering of the citation, for positions
        rendered: list[tuple[Any, Any, CiteState]] = []
        previous_in_citation: Record | None = None
        for index, cite in enumerate(good):
            base = states.get(cite.key) or CiteState()
            prefix, suffix = dict.get(cite, "prefix") or "", dict.get(cite, "suffix") or ""
            if prefix:
                opens_sentence = _ends_sentence(passes.plain_text(passes.rich_text(prefix)))
            else:
                opens_sentence = index == 0
            locator = _locator_of(cite)
            explicit = _explicit_position(cite)
            if explicit is not None:
                position = explicit
            else:
                position = positions.position(cite.key, locator, note, previous_in_citation)
            near = positions.near_note(cite.key, note)
            if dict.get(cite, "near_note") is not None:
                near = bool(dict.get(cite, "near_note"))
            state = base.copy(
                position=position,
                near_note=near,
                capitalize_first_term=note_style and opens_sentence,
            )
            first_note = dict.get(cite, "first_reference_note_number")
            if first_note is None:
                first_note = positions.first_note(cite.key)
            reference = cite.reference
            had_note = "first_reference_note_number" in reference
            if first_note is not None and not had_note:
                dict.__setitem__(reference, "first_reference_note_number", str(first_note))
            try:
                if dict.get(cite, "suppress_author"):
                    output = self._suppressing_names(cite, state)
                elif dict.get(cite, "author_only"):
                    output = self._author_only(cite, state)
                else:
                    output = self._render_item(cite, state)
            finally:
                if first_note is not None and not had_note:
                    dict.pop(reference, "first_reference_note_number", None)
            previous_in_citation = positions.record(cite.key, token, note, locator)
            if output is None:
                continue
            if prefix or suffix:
                output = self._cite_affixes(prefix, output, suffix)
                if prefix[:1] in _PUNCTUATION_OPENERS:
                    output = _OwnDelimiter(output)
            citation_element.cites.append(cite)
            rendered.append((cite, output, state))
        out = self._collapse(rendered, citation_element)
        for cite in bad:
            value = callback(cite) if callback is not None else None
            out.append((value or f"{cite.key}?", None))
        return self.format(self.wrap(self._join(out)))

    def _cite_affixes(self, prefix: str, output: Any, suffix: str) -> str:
        """A cite's output between its prefix and suffix, read as rich text.

        The user's affixes may carry CSL-JSON markup and quotes (in the
        locale's terms); anything else in them is escaped.
        """
        quotes = locale_quotes(self)
        return _affix_html(prefix, quotes) + _text(output) + _affix_html(suffix, quotes)

    def wrap(self, string: Any) -> Any:
        """``string`` between the layout's prefix and suffix (escaped)."""
        if string is None:
            return None
        prefix = passes.escape(self.get("prefix", ""))
        suffix = passes.escape(self.get("suffix", ""))
        text = prefix + _text(normalize_seam(prefix, string))
        return text + _text(normalize_seam(text, suffix))

    def _delimiter(self) -> str:
        """The layout's delimiter, escaped."""
        return passes.escape(self.get("delimiter", ""))

    def join(self, strings: Any, default_delimiter: str = "") -> Any:
        """``strings`` joined by the layout's delimiter (escaped)."""
        delimiter = passes.escape(self.get("delimiter", default_delimiter))
        return model.join((s for s in strings if s is not None), delimiter)

    def _author_only(self, item: Any, state: CiteState) -> Any:
        _, text = self.first_names(item, state)
        return text or None

    # -- collapsing ---------------------------------------------------------------------

    def _collapse(
        self, rendered: list[tuple[Any, Any, CiteState]], citation: Citation
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
            return self._cite_groups(rendered, passes.escape(group_delimiter))
        if collapse == "citation-number":
            return self._collapse_numbers(rendered)
        if collapse in ("year", "year-suffix", "year-suffix-ranged"):
            return self._collapse_years(rendered, citation, collapse)
        return plain

    def _author_of(self, cite: Any, state: CiteState | None) -> str:
        """The output of the cite's first names element ("" without one, or with affixes)."""
        if dict.get(cite, "prefix") or dict.get(cite, "suffix"):
            return ""
        return self.first_names(cite, state)[1]

    def _grouped(self, cites: list[Any], states: dict[str, CiteState]) -> list[Any]:
        """Sorted cites with those of one author brought together (cite grouping).

        CSL 1.0.2: with cite grouping (``cite-group-delimiter`` or a
        ``collapse`` by year), cites with the same names are put next to the
        first of them, keeping the sort order otherwise.
        """
        order: dict[str, list[Any]] = {}
        loose: list[list[Any]] = []
        for cite in cites:
            author = self._author_of(cite, states.get(cite.key))
            if not author:
                loose.append([cite])
                order[f"\0{len(loose)}"] = loose[-1]
            elif author in order:
                order[author].append(cite)
            else:
                order[author] = [cite]
        return [cite for group in order.values() for cite in group]

    def _cite_groups(
        self, rendered: list[tuple[Any, Any, CiteState]], delimiter: str
    ) -> list[tuple[Any, str | None]]:
        """Consecutive cites with the same names, joined by the cite-group delimiter."""
        out: list[tuple[Any, str | None]] = []
        previous = ""
        for cite, output, state in rendered:
            author = self._author_of(cite, state)
            if out and author and author == previous:
                out[-1] = (out[-1][0], delimiter)
            out.append((output, None))
            previous = author
        return out

    def _collapse_numbers(
        self, rendered: list[tuple[Any, Any, CiteState]]
    ) -> list[tuple[Any, str | None]]:
        out: list[tuple[Any, str | None]] = []
        run: list[tuple[Any, Any]] = []

        def flush() -> None:
            if len(run) >= 3:
                out.append((_text(run[0][1]) + _EN_DASH + _text(run[-1][1]), None))
            else:
                out.extend((output, None) for _, output in run)
            run.clear()

        for cite, output, _ in rendered:
            number = cite.number
            plain = not (dict.get(cite, "prefix") or dict.get(cite, "suffix") or _locator_of(cite))
            if run and plain and run[-1][0] is not None and number == run[-1][0] + 1:
                run.append((number, output))
                continue
            flush()
            run.append((number if plain else None, output))
        flush()
        return out

    def _collapse_years(
        self, rendered: list[tuple[Any, Any, CiteState]], citation: Citation, collapse: str
    ) -> list[tuple[Any, str | None]]:
        layout_delimiter = self.get("delimiter", "")
        # CSL 1.0.2: cite-group-delimiter defaults to ", " (citeproc-js: in
        # in-text styles; note styles keep the layout delimiter). As in
        # citeproc-js, year suffixes are joined by year-suffix-delimiter, else
        # by the cite-group-delimiter the style sets, else by the layout's.
        explicit_group = citation.get("cite-group-delimiter")
        if explicit_group is not None:
            group_delimiter = passes.escape(explicit_group)
        elif self.get_root().get("class") == "in-text":
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
            author = self.first_names(cite, state)[1] if movable else None
            if groups and author is not None and groups[-1][-1][3] == author:
                groups[-1].append((cite, output, state, author))
            else:
                groups.append([(cite, output, state, author)])
        out: list[tuple[Any, str | None]] = []
        for group in groups:
            if len(group) == 1:
                out.append((group[0][1], None))
                continue
            pieces = [_Piece(_text(group[0][1]), group[0][0], group[0][2])]
            for cite, _, state, _ in group[1:]:
                text = _text(self._suppressing_names(cite, state))
                if text:
                    pieces.append(_Piece(text, cite, state))
            if collapse != "year":
                for piece in pieces:
                    piece.year = self._year_key(piece.cite, piece.state)
            joined = _join_years(pieces, collapse, group_delimiter, suffix_delimiter, after)
            out.append((joined, after))
        return out

    def _year_key(self, cite: Any, state: CiteState) -> str:
        """The cite without author and year suffix, to tell same-year cites apart."""
        reference = cite.reference
        suffix = dict.pop(reference, "year_suffix", None)
        try:
            return _text(self._suppressing_names(cite, state.copy(year_suffix=None)))
        finally:
            if suffix is not None:
                dict.__setitem__(reference, "year_suffix", suffix)

    def _join(self, out: list[tuple[Any, str | None]]) -> Any:
        delimiter = self._delimiter()
        result: Any = None
        for index, (output, _) in enumerate(out):
            if result is None:
                result = output
                continue
            previous_after = out[index - 1][1]
            separator = previous_after if previous_after is not None else delimiter
            if isinstance(output, _OwnDelimiter):
                separator = ""
            result = model.join([result, output], separator)
        return result if result is not None else ""

    # -- bibliography ------------------------------------------------------------------

    def render_bibliography(
        self, citation_items: Any, finish: Callable[[str], T] | None = None
    ) -> list[Any]:
        """The entries, with subsequent-author-substitute and display blocks.

        Without ``finish``, one text per item ("" for an item the style
        prints as nothing); with it, ``finish(text)`` for each printed entry
        and None for the others. Large bibliographies are rendered in
        several processes (see :mod:`citekit.csl.parallel`).
        """
        return list(self.iter_bibliography(citation_items, finish))

    def iter_bibliography(
        self, citation_items: Any, finish: Callable[[str], T] | None = None
    ) -> Iterator[Any]:
        """:meth:`render_bibliography`'s results, each as soon as it is rendered.

        The sorting and disambiguation are done first (they need every
        item); then in one process each entry comes as it is rendered, so
        that a caller writing them out holds one at a time.
        """
        from citekit.csl import parallel

        items = list(citation_items)
        if items:
            bibliography = items[0].bibliography
            self._states(bibliography)
            states = _session(bibliography).states
        else:
            states = {}
        parent = self.getparent()
        substitute = parent.get("subsequent-author-substitute")
        rule = parent.get("subsequent-author-substitute-rule", "complete-all")
        displayed = _has_display(self)
        aligned = not displayed and parent.get("second-field-align") in ("flush", "margin")

        def entry(item: Any, previous_names: list[str] | None) -> tuple[str, Any, bool]:
            """(the entry, the names for the next entry, whether the style prints it)."""
            state = (states.get(item.key) or CiteState()).copy(
                in_bibliography=True, capitalize_first_term=True
            )
            names_element, replacement, current_names = None, None, previous_names
            if substitute is not None:
                names_element, replacement, current_names = self._substitution(
                    item, state, substitute, rule, previous_names
                )
            if replacement is not None:
                # The substitute takes the place of the names' output while
                # the entry renders, so delimiters and affixes around it stay
                # ("———. Title", not "———" where "E." had absorbed the ".").
                state.substitute_names = (names_element, replacement)
            if displayed or aligned:
                parts = self._display_parts(item, state)
            else:
                text = self._render_item(item, state)
                parts = [(None, _text(self.format(self.wrap(text))))] if text is not None else []
            if not parts:
                # The style prints nothing for this item: keep its place (an
                # empty entry) so entries stay paired with their items.
                return "", previous_names, False
            if aligned:
                return self._aligned_entry(parts), current_names, True
            if displayed:
                return self._display_entry(parts), current_names, True
            return parts[0][1], current_names, True

        def entries(start: int, stop: int) -> Iterator[Any]:
            previous_names: list[str] | None = None
            if substitute is not None:
                # the names of the last entry before this range that prints
                for index in range(start - 1, -1, -1):
                    _, names, printed = entry(items[index], None)
                    if printed:
                        previous_names = names
                        break
            for item in items[start:stop]:
                text, previous_names, _ = entry(item, previous_names)
                if finish is None:
                    yield text
                else:
                    yield finish(text) if text else None

        return parallel.iter_ranges(entries, len(items))

    def _display_parts(self, item: Any, state: CiteState) -> list[tuple[str | None, str]]:
        """The outputs of the layout's children, each with its ``display`` value.

        ``cs:choose`` and a bare macro call (``cs:text macro=...`` without
        attributes of its own) are transparent: when they hold elements with a
        ``display`` attribute, the taken branch's (or the macro's) children
        are parts of their own.
        """
        previous = attach_state(item, state)
        parts: list[tuple[str | None, str]] = []
        try:
            self.repressed = {}
            with YearMarks(self, item, state) as marks:
                for display, child in self._display_children(self, item, frozenset()):
                    try:
                        if isinstance(child, model.Choose):
                            value = child.render(item, delimiter="", context=self)
                        else:
                            value = child.render(item, context=self)
                    except VariableError:
                        value = None
                    if value:
                        parts.append((display, _text(value)))
                if marks.active and parts:
                    texts = marks.place([value for _, value in parts])
                    parts = [(d, t) for (d, _), t in zip(parts, texts, strict=True)]
        finally:
            restore_state(item, previous)
        return parts

    def _display_children(
        self, node: Any, item: Any, seen: frozenset[str]
    ) -> Iterator[tuple[str | None, Any]]:
        for child in node.iterchildren():
            if not isinstance(child.tag, str):
                continue
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "choose" and any(_has_display(b) for b in child.iterchildren()):
                branch = self._taken_branch(child, item)
                if branch is not None:
                    yield from self._display_children(branch, item, seen)
                continue
            macro_name = child.get("macro")
            bare_macro = tag == "text" and set(child.attrib) == {"macro"}
            if bare_macro and macro_name and macro_name not in seen:
                try:
                    macro = child.get_macro(macro_name)
                except IndexError:
                    macro = None
                if macro is not None and _has_display(macro):
                    yield from self._display_children(macro, item, seen | {macro_name})
                    continue
            yield child.get("display"), child

    def _taken_branch(self, choose: Any, item: Any) -> Any:
        """The branch of ``choose`` whose condition holds for ``item``, or None."""
        return taken_branch(choose, item, self)

    def _display_entry(self, parts: list[tuple[str | None, str]]) -> str:
        """Entry HTML with display divs laid out as citeproc-js lays them out.

        The layout's prefix goes into the first part and its suffix into the
        last one (inside their divs); whitespace leading the first div is
        put before it.
        """
        parts = [(display, value) for display, value in parts if value]
        if not parts:
            return ""
        prefix = passes.escape(self.get("prefix", ""))
        suffix = passes.escape(self.get("suffix", ""))
        display, value = parts[0]
        parts[0] = (display, prefix + _text(normalize_seam(prefix, value)))
        display, value = parts[-1]
        parts[-1] = (display, value + _text(normalize_seam(value, suffix)))
        lead = ""
        if parts[0][0] is not None:
            stripped = parts[0][1].lstrip()
            lead = parts[0][1][: len(parts[0][1]) - len(stripped)]
            parts[0] = (parts[0][0], stripped)
        texts = []
        for display, value in parts:
            if not value:
                continue
            if display == "block":
                texts.append(f'\n\n    <div class="csl-block">{value}</div>\n')
            elif display == "left-margin":
                texts.append(f'\n    <div class="csl-left-margin">{value}</div>')
            elif display in ("right-inline", "indent"):
                texts.append(f'<div class="csl-{display}">{value}</div>\n  ')
            else:
                texts.append(value)
        body = _text(self.join(texts)) if texts else ""
        return lead + _text(self.format(body)) if body else ""

    def _aligned_entry(self, parts: list[tuple[str | None, str]]) -> str:
        """second-field-align: the first field in the margin, the rest beside it."""
        first = passes.escape(self.get("prefix", "")) + parts[0][1]
        rest = _text(self.join([value for _, value in parts[1:]])) if parts[1:] else ""
        suffix = passes.escape(self.get("suffix", ""))
        if rest:
            rest = _text(model.join([rest, ""], "")) + _text(normalize_seam(rest, suffix))
        else:
            first += _text(normalize_seam(first, suffix))
        body = f'\n    <div class="csl-left-margin">{_text(self.format(first))}</div>'
        if rest:
            body += f'<div class="csl-right-inline">{_text(self.format(rest))}</div>'
        return body + "\n  "

    def _substitution(
        self,
        item: Any,
        state: CiteState,
        substitute: str,
        rule: str,
        previous_names: list[str] | None,
    ) -> tuple[Any, str | None, list[str] | None]:
        """(the names element, its replacement text or None, the names for the next entry)."""
        names_element, names_text = self.first_names(item, state)
        if names_element is None or not names_text:
            return None, None, None
        # The names compared: each shown name, or (a title or text standing in
        # for absent names) the rendered text as one unit.
        each = self._each_name(item, state, names_element)
        current = [name for _, name in each] or [names_text]
        if previous_names is None:
            return names_element, None, current
        if rule == "complete-all":
            if current == previous_names:
                return names_element, substitute, current
            return names_element, None, current
        if rule == "complete-each":
            shared = len(current) if current == previous_names else 0
        else:
            shared = 0
            for mine, theirs in zip(current, previous_names, strict=False):
                if mine != theirs:
                    break
                shared += 1
            if shared and rule == "partial-first":
                shared = 1
        if not shared:
            return names_element, None, current
        if not each:  # a title or text standing in for the names: one unit
            return names_element, substitute, current
        replaced = names_text
        for _, name in each[:shared]:
            replaced = replaced.replace(name, substitute, 1)
        return names_element, replaced, current

    def _each_name(self, item: Any, state: CiteState, names_element: Any) -> list[tuple[str, str]]:
        """(variable, name) for the names the names element shows, each as rendered alone.

        When the element's own variables are empty its ``cs:substitute``
        speaks for it: the first substitute ``cs:names`` with names. When
        something other than names stands in (a title), the list is empty.
        """
        names: list[tuple[str, str]] = []
        reference = item.reference
        for variable in _shown_name_variables(names_element, reference):
            for name in reference.get(variable.replace("-", "_"), None) or ():
                parts = [p for p in name.parts() if p]
                names.append((variable, " ".join(str(p) for p in parts)))
        return names


def _shown_name_variables(names_element: Any, reference: Any) -> list[str]:
    """The name variables a ``cs:names`` element renders for ``reference``."""
    own = (names_element.get("variable") or "").split()
    if any(reference.get(v.replace("-", "_"), None) for v in own):
        return own
    for substitute in names_element.iterchildren():
        if not isinstance(substitute.tag, str) or not substitute.tag.endswith("}substitute"):
            continue
        for child in substitute.iterchildren():
            if not isinstance(child.tag, str):
                continue
            if child.tag.endswith("}names"):
                shown = _shown_name_variables(child, reference)
                if shown:
                    return shown
            elif child.tag.endswith(("}text", "}choose", "}group", "}date", "}number")):
                return []  # an element other than names may render first: no names
    return []


# cs:choose and conditions -----------------------------------------------------------


@element("choose")
class Choose(model.Choose):  # type: ignore[misc]
    """``cs:choose``: the first branch whose condition holds."""

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        """The first branch whose condition holds, rendered (None when none holds).

        As citeproc-py's, without an exception for each condition that fails
        (a ``VariableError`` from a test still ends the choose).
        """
        plan = vars(self).get("_citekit_plan") if not Detached.active() else None
        if plan is None:
            plan = self._plan()
        if plan:
            for test, branch in plan:
                if test is None or test(item, context):
                    return _render_branch(branch, item, context, delimiter, kwargs)
            return None
        for branch in children(self):  # a branch of another kind (not from citekit's lookup)
            if isinstance(branch, _Conditions):
                if branch.test(item, context):
                    return _render_branch(branch, item, context, delimiter, kwargs)
                continue
            try:
                return branch.render(item, context=context, delimiter=delimiter, **kwargs)
            except model.ConditionFailed:
                continue
        return None

    def _plan(self) -> tuple[tuple[Callable[[Any, Any], bool] | None, Any], ...]:
        """(its test, or None for ``cs:else``; the branch) for each branch, in order.

        Empty when a branch is not citekit's ``If``/``Else-If``/``Else`` (then
        each branch renders itself, as in citeproc-py).
        """
        plan: list[tuple[Callable[[Any, Any], bool] | None, Any]] = []
        for branch in children(self):
            if isinstance(branch, _Conditions):
                plan.append((vars(branch).get("_citekit_test") or branch._compiled(), branch))
            elif isinstance(branch, Else):
                plan.append((None, branch))
            else:
                plan = []
                break
        found = tuple(plan)
        if not Detached.active():
            node: Any = self  # (lxml elements take attributes; the stubs do not say so)
            vars(node)["_citekit_plan"] = found
        return found


@functools.lru_cache(maxsize=16384)
def is_numeric_text(value: str, variable: str = "number", own: str | None = None) -> bool:
    """CSL's "is-numeric" for ``variable``'s ``value``: :func:`citekit.csl.numbers.is_numeric`.

    Numbers, possibly with letter affixes ("2nd", "L2") or roman ("ix"),
    alone or joined by hyphens, commas, ampersands or slashes ("2-4",
    "2, 3", "2 & 4", "1/2"), after the labels the variable splits off
    ("no. 10"); ``own`` is a locator's label.
    """
    return numbers.is_numeric(value, variable, own)


_dict_item = dict.__getitem__


def _simple_test(
    types: tuple[str, ...] | None,
    variables: tuple[str, ...] | None,
    others: tuple[str, ...],
    match: str,
) -> Callable[[Any, Any], bool] | None:
    """A direct function for the common conditions: on types, plain variables, or both.

    None for any other condition (it is tested test by test, as
    ``_Conditions._test`` does; the results are the same).
    """
    if others:
        return None
    if types is not None and variables is not None:
        return _mixed_test(types, variables, match)
    if types is None and variables is None:
        return None
    if types:
        kinds = frozenset(types)
        # (a reference always has a type: read from the dict, without
        # citeproc-py's attribute and item look-ups)
        if match == "any":
            return lambda item, context: _dict_item(item.reference, "type") in kinds
        if match == "none":
            return lambda item, context: _dict_item(item.reference, "type") not in kinds
        if match == "all" and len(kinds) == 1:
            (only,) = kinds
            return lambda item, context: _dict_item(item.reference, "type") == only
        return None
    if variables and "locator" not in variables and match in ("any", "none", "all"):
        if len(variables) == 1:
            (only_name,) = variables
            if match == "none":
                return lambda item, context: only_name not in item.reference
            return lambda item, context: only_name in item.reference
        names = frozenset(variables)
        if match == "any":
            return lambda item, context: not names.isdisjoint(item.reference)
        if match == "none":
            return lambda item, context: names.isdisjoint(item.reference)
        return lambda item, context: names.issubset(item.reference)
    return None


def _mixed_test(
    types: tuple[str, ...], variables: tuple[str, ...], match: str
) -> Callable[[Any, Any], bool] | None:
    """A direct function for a condition on types and plain variables together.

    As ``_Conditions._test``: one result per type (the item's type is it)
    and per variable (the reference has it), then ``match``.
    """
    if "locator" in variables or match not in ("any", "none", "all"):
        return None
    kinds = frozenset(types)
    names = frozenset(variables)
    if match == "any":
        return lambda item, context: (
            _dict_item(item.reference, "type") in kinds or not names.isdisjoint(item.reference)
        )
    if match == "none":
        return lambda item, context: (
            _dict_item(item.reference, "type") not in kinds and names.isdisjoint(item.reference)
        )
    if len(kinds) > 1:  # every type at once: never
        return lambda item, context: False
    if not kinds:
        return lambda item, context: names.issubset(item.reference)
    (only,) = kinds
    return lambda item, context: (
        _dict_item(item.reference, "type") == only and names.issubset(item.reference)
    )


class _Conditions:
    """Position and disambiguate tests, from the cite's :class:`CiteState`."""

    def _is_numeric(self, item: Any) -> list[bool]:
        # citeproc-py only looks at the item's variables (so a locator is
        # never numeric) and accepts no ranges or lists.
        results = []
        for variable in self.get("is-numeric").split():  # type: ignore[attr-defined]
            value: Any = None
            own = None
            if variable == "locator":
                if item.has_locator:
                    value = item.locator.identifier
                    own = str(getattr(item.locator, "label", "") or "page")
            else:
                try:
                    value = item.reference.get(variable.replace("-", "_"), None)
                except Exception:  # citeproc-py's VariableError for missing values
                    value = None
            results.append(value is not None and is_numeric_text(str(value), variable, own))
        return results

    def _compiled(self) -> Callable[[Any, Any], bool]:
        """The condition as a function of (item, context), made once from its attributes."""
        get = self.get  # type: ignore[attr-defined]
        attrib = self.attrib  # type: ignore[attr-defined]
        types = tuple(kind.lower() for kind in get("type").split()) if "type" in attrib else None
        variables = (
            tuple(v.replace("-", "_") for v in get("variable").split())
            if "variable" in attrib
            else None
        )
        others = tuple(
            name
            for name in ("is-numeric", "is-uncertain-date", "locator", "position", "disambiguate")
            if name in attrib
        )
        wanted = get("disambiguate", "false").lower() == "true"
        match = get("match", "all")
        test = _simple_test(types, variables, others, match)
        if test is None:

            def test(item: Any, context: Any) -> bool:
                return self._test(item, context, types, variables, others, wanted, match)

        vars(self)["_citekit_test"] = test
        return test

    def test(self, item: Any, context: Any) -> bool:
        """Whether this condition holds for ``item``."""
        compiled = vars(self).get("_citekit_test") or self._compiled()
        return bool(compiled(item, context))

    def _test(
        self,
        item: Any,
        context: Any,
        types: tuple[str, ...] | None,
        variables: tuple[str, ...] | None,
        others: tuple[str, ...],
        wanted: bool,
        match: str,
    ) -> bool:
        results: list[bool] = []
        if types is not None:
            kind = item.reference.type
            results += [wanted_type == kind for wanted_type in types]
        if variables is not None:
            reference = item.reference
            results += [
                ("locator" in item) if variable == "locator" else (variable in reference)
                for variable in variables
            ]
        for name in others:
            if name == "is-numeric":
                results += self._is_numeric(item)
            elif name == "is-uncertain-date":
                results += self._is_uncertain_date(item)  # type: ignore[attr-defined]
            elif name == "locator":
                results += self._locator(item)  # type: ignore[attr-defined]
            elif name == "position":
                results += self._positions(item, context)
            else:
                state = cite_state(item)
                results.append(bool(state and state.disambiguate) == wanted)
        if match == "any":
            return any(results)
        if match == "none":
            return not any(results)
        return all(results)

    def _positions(self, item: Any, context: Any) -> list[bool]:
        state = cite_state(item)
        tests = (self.get("position") or "").split()  # type: ignore[attr-defined]
        if state is None:
            return [False for _ in tests]
        if state.in_bibliography:
            return [False for _ in tests]
        results = []
        for test in tests:
            if test == "first":
                results.append(state.position == FIRST)
            elif test == "subsequent":
                results.append(state.position != FIRST)
            elif test == "ibid":
                results.append(state.position in (IBID, IBID_WITH_LOCATOR))
            elif test == "ibid-with-locator":
                results.append(state.position == IBID_WITH_LOCATOR)
            elif test == "near-note":
                results.append(state.position != FIRST and state.near_note)
            else:
                results.append(False)
        return results

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        """Render the branch when its condition holds; ConditionFailed otherwise."""
        if not self.test(item, context):
            raise model.ConditionFailed
        return _render_branch(self, item, context, delimiter, kwargs)


@element("if")
class If(_Conditions, model.If):  # type: ignore[misc]
    """``cs:if`` with positions from the document and the ``disambiguate`` test."""


@element("else-if")
class Else_If(_Conditions, model.Else_If):  # type: ignore[misc]
    """``cs:else-if``, as :class:`If`."""


@element("else")
class Else(model.Else):  # type: ignore[misc]
    """``cs:else``: its children joined by the enclosing delimiter (escaped)."""

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        """Render the branch's children."""
        return _render_branch(self, item, context, delimiter, kwargs)


def _render_branch(
    branch: Any, item: Any, context: Any, delimiter: str, kwargs: dict[str, Any]
) -> Any:
    """The children of a taken ``cs:if``/``cs:else-if``/``cs:else`` branch, joined.

    ``cs:choose`` is transparent: the delimiter of the enclosing ``cs:group``
    (style text, as citeproc-py hands it down unescaped) delimits the branch's
    children, and is handed on unchanged to a nested ``cs:choose``; it is
    escaped where it is put between outputs.
    """
    output = []
    choose = model.Choose
    for child in children(branch):
        try:
            if isinstance(child, choose):
                text = child.render(item, context=context, delimiter=delimiter, **kwargs)
            else:
                text = child.render(item, context=context, **kwargs)
        except VariableError:
            continue
        if text is not None:
            output.append(text)
    if not output:
        return None
    return join_outputs(output, passes.escape(delimiter))


# Helpers ---------------------------------------------------------------------------


_REFERENCE_KEY = "_citekit_reference"
_NUMBERS_KEY = "_citekit_numbers"


class CiteItem(CitationItem):  # type: ignore[misc]
    """A citeproc-py cite that looks its reference up once, not on every access.

    citeproc-py's ``CitationItem.reference`` goes through the citation, the
    bibliography and its source on every call; rendering one entry asks for
    it hundreds of times.
    """

    @property
    def number(self) -> int:
        """The cite's position in the bibliography's registry, from 1 (citation-number).

        citeproc-py searches the list of keys on every call (quadratic over a
        numbered bibliography); the positions are kept with the bibliography
        until its list of keys is replaced or grows.
        """
        bibliography = self.bibliography
        keys = bibliography.keys
        found = getattr(bibliography, _NUMBERS_KEY, None)
        if found is None or found[0] is not keys or found[1] != len(keys):
            positions: dict[str, int] = {}
            for index, key in enumerate(keys):
                positions.setdefault(key, index)
            found = (keys, len(keys), positions)
            setattr(bibliography, _NUMBERS_KEY, found)
        try:
            return found[2][self.key] + 1
        except KeyError:
            raise ValueError(f"{self.key!r} is not in list") from None

    @property
    def reference(self) -> Any:
        """The cite's reference (citeproc-py's ``Reference``)."""
        reference = dict.get(self, _REFERENCE_KEY)
        if reference is None:
            reference = CitationItem.reference.fget(self)
            dict.__setitem__(self, _REFERENCE_KEY, reference)
        return reference


def _probe(bibliography: Any, key: str) -> Any:
    """A bare cite of ``key`` (no locator, prefix, suffix) in a citation of its own."""
    cite = CiteItem(key)
    citation = SourceCitation([cite])
    citation.bibliography = bibliography
    return cite


def _collisions(keys: Sequence[str], render: Callable[[str], str]) -> list[list[str]]:
    """Groups of two or more keys whose cites render the same."""
    by_text: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_text[render(key)].append(key)
    return [group for group in by_text.values() if len(group) > 1]


_NAME_VARIABLES = (
    "author",
    "editor",
    "translator",
    "composer",
    "director",
    "illustrator",
    "interviewer",
    "recipient",
    "container_author",
    "collection_editor",
    "editorial_director",
    "original_author",
    "reviewed_author",
)


def _groups_cites(citation: Any) -> bool:
    """Whether the citation groups cites by author (cite-group-delimiter, year collapsing)."""
    return citation.get("cite-group-delimiter") is not None or citation.get("collapse") in (
        "year",
        "year-suffix",
        "year-suffix-ranged",
    )


def _degrees(keys: Sequence[str], render: Callable[[str], str]) -> dict[str, int]:
    """For each key, how many of ``keys`` render as it does (itself included)."""
    texts = {key: render(key) for key in keys}
    counts: dict[str, int] = defaultdict(int)
    for text in texts.values():
        counts[text] += 1
    return {key: counts[texts[key]] for key in keys}


def _name_key(name: Any) -> tuple[str, str, str]:
    """(given, family with its particles, suffix) of a citeproc-py name.

    Literal names have no given name.
    """
    given, family, dropping, non_dropping, suffix = name.parts()
    family_key = " ".join(str(p) for p in (dropping, non_dropping, family) if p)
    return str(given or ""), family_key, str(suffix or "")


class _NameForms:
    """How a ``cs:names`` element's ``cs:name`` shows a name at each given-name level.

    Used to tell which names look alike: level 0 is the style's form
    (``short``: the family name; ``long``: with initials when the style
    initialises, else the full given name), 1 adds initials (the full given
    name when the style does not initialise), 2 the full given name.
    """

    def __init__(self, names_element: Any) -> None:
        name = next((c for c in names_element.iterchildren() if str(c.tag).endswith("}name")), None)

        def option(attribute: str, inherited: str, default: str | None) -> str | None:
            if name is not None and name.get(attribute) is not None:
                value: str | None = name.get(attribute)
                return value
            node = names_element
            while node is not None:
                inheriting = node.tag.endswith(("}citation", "}bibliography", "}style"))
                if inheriting and node.get(inherited) is not None:
                    found: str | None = node.get(inherited)
                    return found
                node = node.getparent()
            return default

        self.form = option("form", "name-form", "long")
        self.mark = option("initialize-with", "initialize-with", None)
        self.initialize = (option("initialize", "initialize", "true") or "true") == "true"

    @property
    def shape(self) -> tuple[str | None, str | None, bool]:
        """(form, initialize-with, initialize): all the forms depend on."""
        return (self.form, self.mark, self.initialize)

    @classmethod
    def of_shape(cls, shape: tuple[str | None, str | None, bool]) -> _NameForms:
        """The forms of :attr:`shape` (as another process found them)."""
        forms = cls.__new__(cls)
        forms.form, forms.mark, forms.initialize = shape
        return forms

    def renderer(self, family: str, given: str, suffix: str = "") -> Callable[[int], Any]:
        """A function of the level giving a comparable key of the name's rendering.

        The short form shows the family name alone (no suffix, "III"); the
        other forms show the suffix with the given name.
        """
        from citekit.csl.elements.names import initialize_given

        def initials() -> str:
            return initialize_given(given, self.mark or ".").strip()

        def rendered(level: int) -> Any:
            if level >= 2 or (level == 1 and self.mark is None):
                return (family, given, suffix)
            if level == 1:
                return (family, initials(), suffix)
            if self.form == "short":
                return (family,)
            if self.mark is not None and self.initialize:
                return (family, initials(), suffix)
            return (family, given, suffix)

        return rendered


def _name_variables(item: Any) -> list[str]:
    reference = item.reference
    return [v.replace("_", "-") for v in _NAME_VARIABLES if v in reference]


def _name_count(item: Any) -> int:
    reference = item.reference
    counts = [len(reference.get(v) or ()) for v in _NAME_VARIABLES if v in reference]
    return max(counts, default=0)


class _Piece:
    """One cite of a collapsed group: its text (author suppressed after the first)."""

    def __init__(self, text: str, cite: Any, state: CiteState) -> None:
        self.text = text
        self.cite = cite
        self.state = state
        self.year = ""
        self.suffix = state.year_suffix
        self.locator = _locator_of(cite) is not None


def _join_years(
    pieces: list[_Piece],
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
            text += _join_suffixes(run, collapse, suffix_delimiter)[len(run[0]) :]
        index = end
    return text


_PUNCTUATION_OPENERS = frozenset(",.;:!?")


class _OwnDelimiter(str):
    """A cite's output whose prefix starts with punctuation: no layout delimiter before it.

    As in citeproc-js: a prefix such as ", cited in " or ". He said " takes
    the place of the delimiter between this cite and the one before.
    """

    __slots__ = ()


_LITERAL_QUOTES = {"\u2018": "\ue010", "\u2019": "\ue011"}


def _affix_html(text: str, quotes: passes.Quotes) -> str:
    """A cite's prefix or suffix (user text) as intermediate HTML.

    CSL-JSON markup and straight quotes are read as in fields (quotes in the
    locale's terms, flipped when nested); typographic single quotes are kept
    as typed. Punctuation typed right after a quote inside the affix stays
    where it is: only punctuation at the seams with the cite moves into
    quotes.
    """
    if not text:
        return ""
    for mark, placeholder in _LITERAL_QUOTES.items():
        text = text.replace(mark, placeholder)
    rendered = passes.rich_text(text, quotes)
    for mark, placeholder in _LITERAL_QUOTES.items():
        rendered = rendered.replace(placeholder, mark)
    return re.sub(f"(?<={re.escape(passes.QUOTE_CLOSE)})(?=[.,;:!?])", passes.PROTECT, rendered)


def _ends_sentence(prefix: str) -> bool:
    """Whether text after ``prefix`` starts a sentence (no prefix, or one ending in . ! ?)."""
    stripped = prefix.rstrip().rstrip("\u201d\u2019\"')")
    return not prefix.strip() or stripped.endswith((".", "!", "?"))


def _year_suffix(number: int) -> str:
    """a, b, ..., z, aa, ab, ... as citeproc-js numbers year suffixes."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = ""
    number += 1
    while number > 0:
        number, rest = divmod(number - 1, 26)
        text = letters[rest] + text
    return text


def _suffix_number(suffix: str) -> int:
    number = 0
    for letter in suffix:
        number = number * 26 + (ord(letter) - ord("a") + 1)
    return number


def _join_suffixes(suffixes: list[str], collapse: str, delimiter: str) -> str:
    if collapse != "year-suffix-ranged":
        return delimiter.join(suffixes)
    parts: list[str] = []
    for _, run in itertools.groupby(
        enumerate(suffixes), key=lambda pair: _suffix_number(pair[1]) - pair[0]
    ):
        letters = [s for _, s in run]
        if len(letters) >= 3:
            parts.append(letters[0] + _EN_DASH + letters[-1])
        else:
            parts.extend(letters)
    return delimiter.join(parts)


def _citation_label(reference: Any) -> str:
    """citeproc-js's default citation-label: author letters and the two-digit year."""
    names: list[Any] = []
    for variable in _NAME_VARIABLES:
        if variable in reference:
            names = list(reference.get(variable) or ())
            if names:
                break
    families = []
    for name in names:
        words = str(name.parts()[1] or "").split()
        while len(words) > 1 and words[0][:1].islower():
            words.pop(0)  # a particle written in the family name ("von Dipheria")
        families.append(" ".join(words))
    if not families:
        return ""
    if len(families) == 1:
        letters = families[0][:4]
    elif len(families) <= 3:
        letters = "".join(f[:1] for f in families)
        letters = "".join(f[: max(1, 4 // len(families))] for f in families)
    else:
        letters = "".join(f[:1] for f in families[:4])
    year = ""
    issued = reference.get("issued")
    if issued is not None:
        begin = dict.get(issued, "begin", issued)
        value = dict.get(begin, "year") if isinstance(begin, dict) else None
        year = str(value)[-2:] if value is not None else ""
    return letters + year
