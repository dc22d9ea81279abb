"""The bibliography's ``subsequent-author-substitute``, with its four rules.

The names an entry shows are compared with the previous printed entry's
(``complete-all``, ``complete-each``, ``partial-each``, ``partial-first``);
the replacement text takes the place of the names' output while the entry
renders (``CiteState.substitute_names``).
"""

from __future__ import annotations

import re
from typing import Any

from citeproc.source import VariableError

from citekit.csl.elements.names import child_element, inherited_names
from citekit.csl.elements.state import CiteState, attach_state, restore_state

__all__ = [
    "each_name",
    "label_after",
    "shown_name_variables",
    "shown_names_element",
    "substitution",
]


def substitution(
    layout: Any,
    item: Any,
    state: CiteState,
    substitute: str,
    rule: str,
    previous_names: list[str] | None,
) -> tuple[Any, str | None, list[str] | None]:
    """(the names element, its replacement text or None, the names for the next entry)."""
    names_element, names_text = layout.first_names(item, state)
    if names_element is None or not names_text:
        return None, None, None
    # The names compared: each shown name, or (a title or text standing in
    # for absent names) the rendered text as one unit.
    each = each_name(layout, item, state, names_element)
    current = [name for _, name in each] or [names_text]
    if previous_names is None:
        return names_element, None, current
    if rule == "complete-all":
        if current == previous_names:
            return (
                names_element,
                substitute + label_after(layout, item, state, names_element),
                current,
            )
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


def each_name(
    layout: Any, item: Any, state: CiteState, names_element: Any
) -> list[tuple[str, str]]:
    """(variable, name) for the names the names element shows, each as rendered alone.

    When the element's own variables are empty its ``cs:substitute``
    speaks for it: the first substitute ``cs:names`` with names. When
    something other than names stands in (a title), the list is empty.
    """
    names: list[tuple[str, str]] = []
    reference = item.reference
    for variable in shown_name_variables(names_element, reference):
        for name in reference.get(variable.replace("-", "_"), None) or ():
            parts = [p for p in name.parts() if p]
            names.append((variable, " ".join(str(p) for p in parts)))
    if len(names) > 1:
        # only the names shown: those et-al leaves out are not compared
        # (as citeproc-js: "A, B, et al." repeats "A, B, et al.", whoever follows)
        shown = _shown_count(layout, item, state, names_element)
        if shown is not None and 0 < shown < len(names):
            del names[shown:]
    return names


def _shown_count(layout: Any, item: Any, state: CiteState, names_element: Any) -> int | None:
    """How many names ``names_element`` shows for ``item`` (its ``form="count"``)."""
    previous = attach_state(item, state)
    try:
        output = names_element.process(item, context=layout, name_options={"form": "count"})
    except VariableError:
        return None
    finally:
        layout.repressed = {}
        restore_state(item, previous)
    found = re.search(r"\d+", str(output or ""))
    return int(found.group(0)) if found else None


def label_after(layout: Any, item: Any, state: CiteState, names_element: Any) -> str:
    """The output of the ``cs:label`` that follows the names substituted whole ("" if none).

    As citeproc-js: with ``complete-all`` the names give way to the
    substitute and a label after them stays ("--- ed."); a label before
    them goes with them.
    """
    reference = item.reference
    holder = shown_names_element(names_element, reference)
    if holder is None:
        return ""
    options = inherited_names(holder)
    label, name = child_element(options, "label"), child_element(options, "name")
    if label is None or name is None or list(options).index(label) < list(options).index(name):
        return ""
    for variable in (holder.get("variable") or "").split():
        people = reference.get(variable.replace("-", "_"), None)
        if people:
            previous = attach_state(item, state)
            try:
                text = label.render(item, variable, len(people) > 1, context=layout)
            except VariableError:
                return ""
            finally:
                restore_state(item, previous)
            return str(text or "")
    return ""


def shown_name_variables(names_element: Any, reference: Any) -> list[str]:
    """The name variables a ``cs:names`` element renders for ``reference``."""
    holder = shown_names_element(names_element, reference)
    return (holder.get("variable") or "").split() if holder is not None else []


def shown_names_element(names_element: Any, reference: Any) -> Any:
    """The ``cs:names`` whose names ``names_element`` renders: itself or a substitute's.

    None when none of them has names, or something other than names may
    render first in the substitute.
    """
    own = (names_element.get("variable") or "").split()
    if any(reference.get(v.replace("-", "_"), None) for v in own):
        return names_element
    for substitute in names_element.iterchildren():
        if not isinstance(substitute.tag, str) or not substitute.tag.endswith("}substitute"):
            continue
        for child in substitute.iterchildren():
            if not isinstance(child.tag, str):
                continue
            if child.tag.endswith("}names"):
                shown = shown_names_element(child, reference)
                if shown is not None:
                    return shown
            elif child.tag.endswith(("}text", "}choose", "}group", "}date", "}number")):
                return None  # an element other than names may render first: no names
    return None
