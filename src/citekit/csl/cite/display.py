"""The ``display`` attribute in the bibliography, and ``second-field-align``.

``display`` (``block``, ``left-margin``, ``right-inline``, ``indent``) on the
layout's children, and on elements of a ``cs:choose`` branch or a bare macro
call under it, makes each such child's output a part of its own, laid out
in divs as citeproc-js lays them out; the layout's suffix goes into the last
div.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citeproc import model
from citeproc.source import VariableError
from citeproc.string import normalize_seam

from citekit.csl import passes
from citekit.csl.cite.session import as_text
from citekit.csl.elements import unseen_macro
from citekit.csl.elements.state import CiteState, YearMarks, attach_state, restore_state

__all__ = ["aligned_entry", "display_children", "display_entry", "display_parts", "has_display"]


def has_display(node: Any, seen: frozenset[str] = frozenset()) -> bool:
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
            if any(has_display(branch, seen) for branch in child.iterchildren()):
                return True
            continue
        elif tag == "text" and set(child.attrib) == {"macro"}:
            called = unseen_macro(child, seen)
            if called is not None and has_display(called[1], seen | {called[0]}):
                return True
    return False


def display_parts(layout: Any, item: Any, state: CiteState) -> list[tuple[str | None, str]]:
    """The outputs of the layout's children, each with its ``display`` value.

    ``cs:choose`` and a bare macro call (``cs:text macro=...`` without
    attributes of its own) are transparent: when they hold elements with a
    ``display`` attribute, the taken branch's (or the macro's) children
    are parts of their own.
    """
    previous = attach_state(item, state)  # (nothing substituted yet)
    parts: list[tuple[str | None, str]] = []
    try:
        with YearMarks(layout, item, state) as marks:
            for display, child in display_children(layout, layout, item, frozenset()):
                try:
                    if isinstance(child, model.Choose):
                        value = child.render(item, delimiter="", context=layout)
                    else:
                        value = child.render(item, context=layout)
                except VariableError:
                    value = None
                if value:
                    parts.append((display, as_text(value)))
            if marks.active and parts:
                texts = marks.place([value for _, value in parts])
                parts = [(d, t) for (d, _), t in zip(parts, texts, strict=True)]
    finally:
        restore_state(item, previous)
    return parts


def display_children(
    layout: Any, node: Any, item: Any, seen: frozenset[str]
) -> Iterator[tuple[str | None, Any]]:
    for child in node.iterchildren():
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "choose" and any(has_display(b) for b in child.iterchildren()):
            branch = layout.taken_branch(child, item)
            if branch is not None:
                yield from display_children(layout, branch, item, seen)
            continue
        macro_name = child.get("macro")
        bare_macro = tag == "text" and set(child.attrib) == {"macro"}
        if bare_macro and macro_name and macro_name not in seen:
            try:
                macro = child.get_macro(macro_name)
            except IndexError:
                macro = None
            if macro is not None and has_display(macro):
                yield from display_children(layout, macro, item, seen | {macro_name})
                continue
        yield child.get("display"), child


def display_entry(layout: Any, parts: list[tuple[str | None, str]]) -> str:
    """Entry HTML with display divs laid out as citeproc-js lays them out.

    The layout's prefix goes into the first part and its suffix into the
    last one (inside their divs); whitespace leading the first div is
    put before it, and a space ending the last one after it.
    """
    parts = [(display, value) for display, value in parts if value]
    if not parts:
        return ""
    prefix = passes.escape(layout.get("prefix", ""))
    suffix = passes.escape(layout.get("suffix", ""))
    display, value = parts[0]
    parts[0] = (display, prefix + as_text(normalize_seam(prefix, value)))
    display, value = parts[-1]
    parts[-1] = (display, value + as_text(normalize_seam(value, suffix)))
    display, value = parts[-1]
    tail = ""
    if display is not None and value.endswith(" "):
        parts[-1], tail = (display, value[:-1]), " "
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
    body = as_text(layout.join(texts)) if texts else ""
    return lead + as_text(layout.format(body)) + tail if body else ""


def aligned_entry(layout: Any, parts: list[tuple[str | None, str]]) -> str:
    """second-field-align: the first field in the margin, the rest beside it.

    A space ending the entry goes after the last div, as citeproc-js puts it
    (and an entry of one field is its margin div alone).
    """
    first = passes.escape(layout.get("prefix", "")) + parts[0][1]
    rest = as_text(layout.join([value for _, value in parts[1:]])) if parts[1:] else ""
    suffix = passes.escape(layout.get("suffix", ""))
    if rest:
        rest = as_text(model.join([rest, ""], "")) + as_text(normalize_seam(rest, suffix))
    else:
        first += as_text(normalize_seam(first, suffix))
    first = as_text(layout.format(first))
    rest = as_text(layout.format(rest)) if rest else ""
    tail = ""
    if (rest or first).endswith(" "):
        tail = " "
        if rest:
            rest = rest[:-1]
        else:
            first = first[:-1]
    body = f'\n    <div class="csl-left-margin">{first}</div>'
    if rest:
        body += f'<div class="csl-right-inline">{rest}</div>\n  '
    return body + tail
