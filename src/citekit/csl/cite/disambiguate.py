"""Disambiguation over every registered item of a session.

In the specification's order: ``disambiguate-add-names``,
``disambiguate-add-givenname``, the ``disambiguate="true"`` condition, then
``disambiguate-add-year-suffix``; with both of the first two and the
``by-cite`` rule, as citeproc-js, a shown name's given name is expanded
before the next name is added. Cites are grouped by their rendered text,
so only colliding groups are worked on (near-linear in the number of items).
A cite keeps an added name or an expanded given name only when it reduces
the number of cites it collides with. ``givenname-disambiguation-rule``:
``by-cite`` (the default) expands names of colliding cites only;
``all-names``, ``all-names-with-initials``, ``primary-name`` and
``primary-name-with-initials`` expand, in every cite, the names that look
like another person's name. Year suffixes follow the registry's
(bibliography) order; when the style renders no ``year-suffix`` variable,
the suffix follows the first year a ``cs:date`` renders (or the
``citation-label``), in citations and bibliography.

The results are one :class:`~citekit.csl.elements.state.CiteState` per item,
kept in the session (:mod:`citekit.csl.cite.session`), with the session's
year suffixes (which its cites read as the ``year-suffix`` variable).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from citeproc.source import VariableError

from citekit.csl.cite import session as sessions
from citekit.csl.cite.session import as_text
from citekit.csl.elements import reached_elements
from citekit.csl.elements.names import initialize_given
from citekit.csl.elements.state import (
    CiteState,
    attach_state,
    disambiguate_tests,
    forget_substituted,
    restore_state,
)
from citekit.csl.positions import SUBSEQUENT

__all__ = [
    "NAME_VARIABLES",
    "NameForms",
    "adopt_disambiguation",
    "citation_label",
    "compute",
    "disambiguation",
    "label_items",
    "states",
    "tests_disambiguate",
    "year_suffix",
]


def tests_disambiguate(node: Any) -> bool:
    """Whether ``node`` or a macro it calls (at any depth) has ``disambiguate="true"``.

    Styles such as MLA put the condition in a macro (``author-short``), so the
    search follows every ``macro`` attribute (``cs:text``, sort keys...).
    """
    return any(
        child is not None and child.attrib.get("disambiguate") == "true"
        for child in reached_elements(node)
    )


def disambiguation(layout: Any, bibliography: Any) -> dict[str, CiteState]:
    """What disambiguation decided for each registered item of a session, by item id."""
    return dict(states(layout, bibliography))


def adopt_disambiguation(layout: Any, bibliography: Any, states: Mapping[str, CiteState]) -> None:
    """Use disambiguation results computed by an earlier session of the same registry.

    ``states`` is what :meth:`disambiguation` gave for the same items in
    the same order; the items' year suffixes are set from it.
    """
    session = sessions.session(bibliography)
    session.year_suffixes = {
        key: state.year_suffix for key, state in states.items() if state.year_suffix
    }
    session.states = dict(states)
    session.disambiguation_key = tuple(bibliography.keys)


def states(layout: Any, bibliography: Any) -> dict[str, CiteState]:
    """Disambiguation results for every registered item (computed once per registry)."""
    session = sessions.session(bibliography)
    key = tuple(bibliography.keys)
    if session.disambiguation_key != key:
        citation_layout = layout.citation_element().layout
        session.states = compute(citation_layout, bibliography, session)
        session.disambiguation_key = key
    return session.states


def compute(layout: Any, bibliography: Any, session: sessions.Session) -> dict[str, CiteState]:
    """Disambiguation of every registered item, in the specification's order of steps."""
    from citekit.csl import parallel

    session.year_suffixes = {}
    citation = layout.getparent()
    keys = list(dict.fromkeys(bibliography.keys))
    # as citeproc-js does, cites are compared in their subsequent form
    # (the form that repeats in a document; a first cite is usually full)
    states = {key: CiteState(position=SUBSEQUENT) for key in keys}
    label_items(layout.get_root(), bibliography)
    add_names = citation.flag("disambiguate-add-names")
    add_givenname = citation.flag("disambiguate-add-givenname")
    add_year_suffix = citation.flag("disambiguate-add-year-suffix")
    uses_condition = tests_disambiguate(citation)
    if not (add_names or add_givenname or add_year_suffix or uses_condition):
        return states
    items = {key: sessions.probe(bibliography, key) for key in keys}
    try:
        # per cite, per signature of its state: (its text, its disambiguate
        # tests); a state tried before (a step that undoes a trial) is not
        # rendered again
        memo: dict[str, dict[Any, tuple[str, tuple[int, int]]]] = {}

        def signature(key: str) -> tuple[Any, ...]:
            state = states[key]
            return (
                state.names_min,
                tuple(sorted(state.givennames.items())) if state.givennames else (),
                int(state.disambiguate),
            )

        def rendered(key: str) -> tuple[str, tuple[int, int]]:
            mine = memo.setdefault(key, {})
            wanted = signature(key)
            cached = mine.get(wanted)
            if cached is None:
                item = items[key]
                cached = (as_text(layout.render_item(item, states[key])), disambiguate_tests(item))
                mine[wanted] = cached
            return cached

        def render(key: str) -> str:
            return rendered(key)[0]

        def first_renders(start: int, stop: int) -> list[tuple[Any, str, tuple[int, int]]]:
            return [(signature(key), *rendered(key)) for key in keys[start:stop]]

        rule = citation.get("givenname-disambiguation-rule", "by-cite")
        if add_givenname and rule != "by-cite":
            global_givennames(layout, keys, items, states, rule)
        # Every cite is rendered once before the steps compare them: a large
        # registry's cites are rendered in several processes.
        for key, (wanted, text, tests) in zip(
            keys, parallel.map_ranges(first_renders, len(keys)), strict=True
        ):
            memo.setdefault(key, {})[wanted] = (text, tests)
        groups = collisions(keys, render)
        # with both options and the by-cite rule, names are added within the
        # given-name step, each shown name expanded before the next is added
        # (citeproc-js's order: "C. Calhoun et al.", not "Calhoun, Meyer, et al.")
        if add_names and groups and not (add_givenname and rule == "by-cite"):
            groups = step_add_names(layout, groups, items, states, render)
        if add_givenname and rule == "by-cite" and groups:
            groups = step_add_givennames(layout, groups, items, states, render, add_names)
        if uses_condition and groups:
            groups = step_condition(groups, states, rendered, add_year_suffix)
        if add_year_suffix and groups:
            explicit = any(
                e.get("variable") == "year-suffix"
                for e in layout.get_root().iter()
                if isinstance(e.tag, str) and e.tag.endswith("}text")
            )
            order = {key: index for index, key in enumerate(keys)}
            for group in groups:
                for number, key in enumerate(sorted(group, key=order.__getitem__)):
                    suffix = year_suffix(number)
                    session.year_suffixes[key] = suffix
                    states[key].year_suffix = suffix
                    states[key].year_suffix_after_year = not explicit
        return states
    finally:
        sessions.release_probes(items.values())


def step_add_names(
    layout: Any,
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
        most = max(name_count(items[key]) for key in group)
        degree = degrees(group, render)
        best: dict[str, int | None] = {key: None for key in group}
        unresolved = [key for key in group if degree[key] > 1]
        for count in range(2, most + 1):
            if not unresolved:
                break
            for key in unresolved:
                states[key].names_min = count
            now = degrees(group, render)
            for key in unresolved:
                if now[key] < degree[key]:
                    degree[key] = now[key]
                    best[key] = count
            unresolved = [key for key in unresolved if degree[key] > 1]
        for key in group:
            states[key].names_min = best[key]
        remaining += collisions(group, render)
    return remaining


def step_add_givennames(
    layout: Any,
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
        degree = degrees(group, render)
        most = max(name_count(items[key]) for key in group)
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
                now = degrees(group, render)
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
                        for variable in name_variables(items[key]):
                            if states[key].givennames.get((variable, index), 0) < level:
                                states[key].givennames[(variable, index)] = level
                    now = degrees(group, render)
                    for key in unresolved:
                        if now[key] < degree[key]:
                            degree[key] = now[key]
                            committed[key] = states[key].copy()
                            trial[key] = states[key].copy()
                        else:
                            states[key] = trial[key].copy()
            for key, state in committed.items():
                states[key] = state
        remaining += collisions(group, render)
    return remaining


def step_condition(
    groups: list[list[str]],
    states: dict[str, CiteState],
    rendered: Callable[[str], tuple[str, tuple[int, int]]],
    add_year_suffix: bool,
) -> list[list[str]]:
    """Step 3: the ``disambiguate="true"`` tests made to hold, one more at a time.

    As citeproc-js: every cite of a colliding group gets the first test
    (level 1 of :attr:`CiteState.disambiguate`); those that still collide
    get the next (the level goes up by one) while their rendering
    evaluates more tests than hold; a cite that stops
    colliding keeps its level. Cites that still collide when no test is
    left are set to level 1 when year suffixes follow (citeproc-js's
    ``disambiguate = true``), else keep their last level.
    """

    def render(key: str) -> str:
        return rendered(key)[0]

    remaining: list[list[str]] = []
    for group in groups:
        pending = list(group)
        level = 0
        while pending:
            level += 1
            for key in pending:
                states[key].disambiguate = level
            clashing = {key for found in collisions(group, render) for key in found}
            pending = [
                key
                for key in pending
                if key in clashing and rendered(key)[1][1] > rendered(key)[1][0]
            ]
        left = collisions(group, render)
        if add_year_suffix and left:
            for found in left:
                for key in found:
                    states[key].disambiguate = 1
            left = collisions(group, render)
        remaining += left
    return remaining


def global_givennames(
    layout: Any, keys: list[str], items: dict[str, Any], states: dict[str, CiteState], rule: str
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

    bibliography = getattr(layout.get_root(), "bibliography", None)
    sort = (
        next((c for c in bibliography.iterchildren() if str(c.tag).endswith("}sort")), None)
        if bibliography is not None
        else None
    )
    plan = sort_plan(
        [c for c in sort.iterchildren() if str(c.tag).endswith("}key")] if sort is not None else []
    )

    def names_of(start: int, stop: int) -> list[list[tuple[Any, ...]]]:
        # per cite, its names as (variable, index, person, name form, parts):
        # each cite's depend on it alone, so a large registry's are found
        # in several processes
        found: list[list[tuple[Any, ...]]] = []
        for key in keys[start:stop]:
            mine: list[tuple[Any, ...]] = []
            found.append(mine)
            names_element, variables = shown_names(layout, items[key], states[key])
            if not variables:
                continue
            reference = items[key].reference
            shape = NameForms.shape_of(names_element)
            for position, variable in enumerate(variables):
                for index, name in enumerate(reference.get(variable.replace("-", "_")) or ()):
                    if primary and (position or index):
                        break
                    given, family, suffix = name_key(name)
                    if not family:
                        continue
                    person = person_key(family, given, suffix)
                    mine.append((variable, index, person, shape, (family, given, suffix)))
        return found

    entries: list[tuple[str, str | None, int, tuple[str, str, str], Callable[[int], Any]]] = []
    # names the bibliography's sort keys render join the registry of names
    # (citeproc-js registers every name it renders, sort keys included,
    # before the citations render), but no cite shows them
    sorted_only: list[tuple[str, tuple[str, str, str], tuple[str, str, str]]] = []
    shapes: set[tuple[str | None, str | None, bool]] = set()
    for key, names in zip(keys, parallel.map_ranges(names_of, len(keys)), strict=True):
        for variable, index, person, shape, parts in names:
            shapes.add(shape)
            renderer = NameForms.of_shape(shape).renderer(*parts)
            entries.append((key, variable, index, person, renderer))
    if plan:
        # only the items with a name of a cited family can add to the
        # registry what matters; their sort keys are walked
        families = {entry[3][0] for entry in entries}
        cited = {(entry[0], (entry[1] or "").replace("-", "_"), entry[2]) for entry in entries}
        for key in keys:
            reference = items[key].reference
            if not any(
                (key, variable, index) not in cited and name_key(name)[1] in families
                for variable in NAME_VARIABLES
                for index, name in enumerate(
                    (reference.get(variable) or ())[: 1 if primary else None]
                )
            ):
                continue
            for _, name in sorted_names(layout, plan, items[key], primary):
                given, family, suffix = name_key(name)
                if family in families:
                    sorted_only.append(
                        (key, person_key(family, given, suffix), (family, given, suffix))
                    )
    if sorted_only:
        shown = {(entry[0], entry[3]) for entry in entries}
        for key, person, parts in sorted_only:
            if (key, person) in shown:
                continue
            for shape in shapes:
                renderer = NameForms.of_shape(shape).renderer(*parts)
                entries.append((key, None, 0, person, renderer))
    by_base: dict[Any, list[int]] = defaultdict(list)
    for number, entry in enumerate(entries):
        by_base[entry[4](0)].append(number)
    for members in by_base.values():
        people = {entries[n][3] for n in members}
        if len(people) < 2:
            continue
        for number in members:
            key, variable, index, person, rendered = entries[number]
            if variable is None:
                continue
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


def sort_plan(sort_keys: Sequence[Any]) -> list[tuple[Any, ...]]:
    """What of the bibliography's sort keys can render names, for :func:`sorted_names`.

    Steps: ``("variable", name)`` for a key of a name variable,
    ``("names", element)`` for a ``cs:names`` a key's macro reaches, and
    ``("choose", element, [(branch, steps), ...])`` for a ``cs:choose``
    with names in a branch; macros are inlined, everything else left out
    (made once per style, so each item's walk is short).
    """
    macros: dict[str, list[tuple[Any, ...]]] = {}
    plan: list[tuple[Any, ...]] = []
    for key in sort_keys:
        variable = key.get("variable")
        if variable:
            if variable.replace("-", "_") in NAME_VARIABLES:
                plan.append(("variable", variable.replace("-", "_")))
            continue
        name = key.get("macro")
        if name:
            plan += _macro_steps(key, name, frozenset(), macros)
    return plan


def names_plan(layout: Any) -> list[tuple[Any, ...]] | None:
    """The ``cs:names`` a layout can reach, as :func:`sort_plan`'s steps (made once).

    None when the layout (or a macro it calls) has a ``disambiguate``
    test: each such test counts in the rendering, so the branches are then
    found by walking the layout itself (:meth:`Layout.taken_names`).
    """
    found: list[tuple[Any, ...]] | None = vars(layout).get("_citekit_names_steps", _NO_PLAN)
    if found is _NO_PLAN:
        if any(
            element is not None and "disambiguate" in element.attrib
            for element in reached_elements(layout)
        ):
            found = None
        else:
            found = _steps_of(layout, frozenset(), {})
        vars(layout)["_citekit_names_steps"] = found
    return found


_NO_PLAN: Any = object()


def _macro_steps(
    node: Any, name: str, seen: frozenset[str], macros: dict[str, list[tuple[Any, ...]]]
) -> list[tuple[Any, ...]]:
    """The steps of the macro ``name`` (a macro's depend on it alone; one calling itself is cut)."""
    if name in seen:
        return []
    found = macros.get(name)
    if found is None:
        try:
            macro = node.get_macro(name)
        except (AttributeError, IndexError):
            return []
        found = _steps_of(macro, seen | {name}, macros)
        macros[name] = found
    return found


def _steps_of(
    node: Any, seen: frozenset[str], macros: dict[str, list[tuple[Any, ...]]]
) -> list[tuple[Any, ...]]:
    """The steps (see :func:`sort_plan`) of ``node``'s children."""
    steps: list[tuple[Any, ...]] = []
    for child in node.iterchildren():
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "names":
            steps.append(("names", child))
        elif tag == "choose":
            branches = [
                (branch, _steps_of(branch, seen, macros))
                for branch in child.iterchildren()
                if isinstance(branch.tag, str)
            ]
            if any(sub for _, sub in branches):
                steps.append(("choose", child, branches))
        elif tag == "text" and child.get("macro"):
            steps += _macro_steps(child, child.get("macro"), seen, macros)
        else:
            steps += _steps_of(child, seen, macros)
    return steps


def sorted_names(
    layout: Any, plan: Sequence[tuple[Any, ...]], item: Any, primary: bool
) -> list[tuple[int, Any]]:
    """(index, name) of the names the bibliography's sort keys render for ``item``.

    ``plan`` is :func:`sort_plan`'s: a key's name variable, or the
    ``cs:names`` its macro reaches (taken ``cs:choose`` branches only, a
    substitute resolved as it renders); ``primary``: the first name of each
    list only.
    """
    lists: list[Any] = []
    previous = attach_state(item, CiteState(in_bibliography=True))
    try:
        _sorted_lists(layout, plan, item, item.reference, lists)
    finally:
        forget_substituted(item)
        restore_state(item, previous)
    out: list[tuple[int, Any]] = []
    for names in lists:
        for index, person in enumerate(names):
            if primary and index:
                break
            out.append((index, person))
    return out


def _sorted_lists(
    layout: Any, steps: Sequence[tuple[Any, ...]], item: Any, reference: Any, lists: list[Any]
) -> None:
    """Put in ``lists`` the name lists :func:`sorted_names`' ``steps`` reach for ``item``."""
    for step in steps:
        if step[0] == "variable":
            lists.append(reference.get(step[1]) or ())
        elif step[0] == "names":
            found = _names_or_substitute(layout, step[1], item)
            for shown in found[1] if found is not None else ():
                lists.append(reference.get(shown.replace("-", "_")) or ())
        else:
            taken = layout.taken_branch(step[1], item)
            for branch, sub in step[2]:
                if branch is taken:
                    _sorted_lists(layout, sub, item, reference, lists)
                    break


def shown_names(layout: Any, item: Any, state: CiteState) -> tuple[Any, list[str]]:
    """The ``cs:names`` element whose names the cite of ``item`` shows first, and its variables.

    As :func:`rendered_names` of the first ``cs:names`` that renders
    (:meth:`~citekit.csl.elements.citations.Layout.first_names`), found
    without rendering the names: a ``cs:names`` renders when one of its
    variables has names, or else when its ``cs:substitute`` renders.
    ``(None, [])`` when no ``cs:names`` renders; ``(element, [])`` when the
    first that renders shows no names (its substitute renders a title).
    """
    previous = attach_state(item, state)
    try:
        plan = names_plan(layout)
        if plan is not None:
            return _first_shown(layout, plan, item) or (None, [])
        for names_element in layout.taken_names(item):
            found = _names_or_substitute(layout, names_element, item)
            if found is not None:
                return found
        return None, []
    finally:
        forget_substituted(item)
        restore_state(item, previous)


def _first_shown(
    layout: Any, steps: Sequence[tuple[Any, ...]], item: Any
) -> tuple[Any, list[str]] | None:
    """:func:`shown_names` over :func:`names_plan`'s steps (None: no ``cs:names`` renders)."""
    for step in steps:
        if step[0] == "names":
            found = _names_or_substitute(layout, step[1], item)
            if found is not None:
                return found
        else:
            taken = layout.taken_branch(step[1], item)
            for branch, sub in step[2]:
                if branch is taken:
                    found = _first_shown(layout, sub, item)
                    if found is not None:
                        return found
                    break
    return None


def person_key(family: str, given: str, suffix: str = "") -> tuple[str, str, str]:
    """Who a name is, for name disambiguation: its given name without periods.

    As citeproc-js's name registry, periods count as spaces ("M.A." is
    "M. A.", two initials), so "M.A. Frutos" and "MA Frutos" (one
    initial, as initialised) are two people.
    """
    return (family, " ".join(given.replace(".", " ").split()), suffix)


def rendered_names(layout: Any, names_element: Any, item: Any) -> tuple[Any, list[str]]:
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
    found = _names_or_substitute(layout, names_element, item)
    return found if found is not None else (names_element, [])


def _names_or_substitute(
    layout: Any, names_element: Any, item: Any
) -> tuple[Any, list[str]] | None:
    """:func:`rendered_names` of ``names_element``; None when it renders nothing."""
    reference = item.reference
    variables = _present(names_element, reference)
    if variables:
        return names_element, variables
    substitute = next(
        (c for c in names_element.iterchildren() if str(c.tag).endswith("}substitute")), None
    )
    if substitute is None:
        return None
    return _first_rendered(layout, names_element, item, reference, substitute.iterchildren())


def _present(element: Any, reference: Any) -> list[str]:
    """The variables of a ``cs:names`` that have names in ``reference``."""
    return [
        v
        for v in (element.get("variable") or "").split()
        if reference.get(v.replace("-", "_"), None)
    ]


def _first_rendered(
    layout: Any, names_element: Any, item: Any, reference: Any, children: Iterable[Any]
) -> tuple[Any, list[str]] | None:
    """:func:`_names_or_substitute` of the substitute's ``children``: the first that renders.

    (A module function, not a closure: a recursive closure would keep each
    item alive in a cycle until the garbage collector finds it.)
    """
    for child in children:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "names":
            variables = _present(child, reference)
            if variables:
                own = any(str(c.tag).endswith("}name") for c in child.iterchildren())
                return (child if own else names_element), variables
            continue
        if tag == "choose":
            branch = layout.taken_branch(child, item)
            found = (
                _first_rendered(layout, names_element, item, reference, branch.iterchildren())
                if branch is not None
                else None
            )
            if found is not None:
                return found
            continue
        forget_substituted(item)
        try:
            text = as_text(child.render(item, context=layout))
        except VariableError:
            text = ""
        finally:
            forget_substituted(item)
        if text:
            return names_element, []
    return None


def collisions(keys: Sequence[str], render: Callable[[str], str]) -> list[list[str]]:
    """Groups of two or more keys whose cites render the same."""
    by_text: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_text[render(key)].append(key)
    return [group for group in by_text.values() if len(group) > 1]


NAME_VARIABLES = (
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


def degrees(keys: Sequence[str], render: Callable[[str], str]) -> dict[str, int]:
    """For each key, how many of ``keys`` render as it does (itself included)."""
    texts = {key: render(key) for key in keys}
    counts: dict[str, int] = defaultdict(int)
    for text in texts.values():
        counts[text] += 1
    return {key: counts[texts[key]] for key in keys}


def name_key(name: Any) -> tuple[str, str, str]:
    """(given, family with its particles, suffix) of a citeproc-py name.

    Literal names have no given name.
    """
    given, family, dropping, non_dropping, suffix = name.parts()
    family_key = " ".join(str(p) for p in (dropping, non_dropping, family) if p)
    return str(given or ""), family_key, str(suffix or "")


class NameForms:
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

    @staticmethod
    def shape_of(names_element: Any) -> tuple[str | None, str | None, bool]:
        """The :attr:`shape` of a ``cs:names`` element's forms, found once per element."""
        found: tuple[str | None, str | None, bool] | None = vars(names_element).get(
            "_citekit_name_shape"
        )
        if found is None:
            found = vars(names_element)["_citekit_name_shape"] = NameForms(names_element).shape
        return found

    @classmethod
    def of_shape(cls, shape: tuple[str | None, str | None, bool]) -> NameForms:
        """The forms of :attr:`shape` (as another process found them)."""
        forms = cls.__new__(cls)
        forms.form, forms.mark, forms.initialize = shape
        return forms

    def renderer(self, family: str, given: str, suffix: str = "") -> Callable[[int], Any]:
        """A function of the level giving a comparable key of the name's rendering.

        The short form shows the family name alone (no suffix, "III"); the
        other forms show the suffix with the given name.
        """
        return _NameLook(self, family, given, suffix)


class _NameLook:
    """:meth:`NameForms.renderer`'s function: a name's comparable rendering at a level."""

    __slots__ = ("family", "form", "given", "initialize", "mark", "suffix")

    def __init__(self, forms: NameForms, family: str, given: str, suffix: str) -> None:
        self.form, self.mark, self.initialize = forms.form, forms.mark, forms.initialize
        self.family, self.given, self.suffix = family, given, suffix

    def __call__(self, level: int) -> Any:
        if level >= 2 or (level == 1 and self.mark is None):
            return (self.family, self.given, self.suffix)
        if level == 1 or (self.form != "short" and self.mark is not None and self.initialize):
            return (
                self.family,
                initialize_given(self.given, self.mark or ".").strip(),
                self.suffix,
            )
        if self.form == "short":
            return (self.family,)
        return (self.family, self.given, self.suffix)


def name_variables(item: Any) -> list[str]:
    """The name variables the item has, as CSL names them."""
    reference = item.reference
    return [v.replace("_", "-") for v in NAME_VARIABLES if v in reference]


def name_count(item: Any) -> int:
    """The most names any name variable of the item has."""
    reference = item.reference
    counts = [len(reference.get(v) or ()) for v in NAME_VARIABLES if v in reference]
    return max(counts, default=0)


def year_suffix(number: int) -> str:
    """a, b, ..., z, aa, ab, ... as citeproc-js numbers year suffixes."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = ""
    number += 1
    while number > 0:
        number, rest = divmod(number - 1, 26)
        text = letters[rest] + text
    return text


_LABEL_ARTICLES = frozenset({"the", "a", "an"})


def label_items(root: Any, bibliography: Any) -> None:
    """Give each registered item without one the default ``citation-label``.

    Only when the style reads the variable (prints it, tests it or sorts by
    it), before the bibliography is sorted and before disambiguation.
    """
    wants_label = any(
        e.attrib.get("variable") == "citation-label" for e in root.iter() if isinstance(e.tag, str)
    )
    for key in dict.fromkeys(bibliography.keys) if wants_label else ():
        reference = bibliography.source[key]
        if "citation_label" not in reference:
            label = citation_label(reference)
            if label:
                dict.__setitem__(reference, "citation_label", label)


def citation_label(reference: Any) -> str:
    """citeproc-js's default citation-label: author letters and the two-digit year."""
    names: list[Any] = []
    for variable in NAME_VARIABLES:
        if variable in reference:
            names = list(reference.get(variable) or ())
            if names:
                break
    families = []
    for name in names:
        words = str(name.parts()[1] or "").split()
        while len(words) > 1 and words[0][:1].islower():
            words.pop(0)  # a particle written in the family name ("von Dipheria")
        if len(words) > 1 and words[0].lower() in _LABEL_ARTICLES:
            words.pop(0)  # "The ATLAS Collaboration" as "Atla"
        families.append("".join(char for char in "".join(words) if char.isalnum()))
    if not families:
        return ""
    # letters of each name: 4 of one; 2 and 2 of two; 2, 1 and 1 of three;
    # 1 of each of the first four; each piece capitalised ("SMITH" as "Sm")
    counts = {1: (4,), 2: (2, 2), 3: (2, 1, 1)}.get(len(families), (1, 1, 1, 1))
    letters = "".join(
        family[:count][:1].upper() + family[:count][1:].lower()
        for family, count in zip(families, counts, strict=False)
    )
    year = ""
    issued = reference.get("issued")
    if issued is not None:
        begin = dict.get(issued, "begin", issued)
        value = dict.get(begin, "year") if isinstance(begin, dict) else None
        year = str(value)[-2:] if value is not None else ""
    return letters + year
