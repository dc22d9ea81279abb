"""citekit's ``cs:text``, ``cs:group``, ``cs:label`` and ``cs:number``.

They render into the intermediate HTML of :mod:`citekit.csl.passes` instead of
citeproc-py's mix of raw field text and tags:

* field text and ``value`` attributes are read as rich text (CSL-JSON's
  ``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps, nocase spans, quotes,
  apostrophes) and escaped otherwise, so ``<script>`` in a title stays text;
* affixes and delimiters from the style are escaped;
* ``text-case`` and ``strip-periods`` change text only, never tags, and leave
  nocase text alone; title case knows stop words, hyphenated compounds and
  name particles;
* ``quotes="true"`` gives a quote whose terms, nesting and
  punctuation-in-quote are settled by :func:`citekit.csl.passes.postprocess`;
* page ranges follow ``page-range-format`` as CSL 1.0.2 defines it, and
  numbers their ``form`` (ordinals with gendered terms, roman numerals) for
  each number of a range or list; a number variable printed by ``cs:text``
  ("3-4") gets an en dash too;
* ordinals follow CSL 1.0.2's ordinal terms (``ordinal-00`` to
  ``ordinal-99`` with ``match``, ``gender-form`` matched to the noun's
  ``gender``; in-style ordinal terms replace the locale file's);
* a ``cs:text`` term that is the first thing rendered in a cite gets a
  capital when the cite's state asks for it (note styles, bibliography
  entries), and a macro is an implicit group: it renders nothing when it
  calls variables and none of them renders.
"""

from __future__ import annotations

import html
import re
from typing import Any, TypeVar

from citeproc import model
from citeproc.source import VariableError
from citeproc.string import NoCase, String, join, normalize_seam

from citekit.csl import numbers, passes
from citekit.csl.elements import (
    calls_variable,
    children,
    decorate,
    element,
    find_macro,
    has_decorations,
    holders,
    taken_branch,
)
from citekit.csl.elements.names import Names, is_substituted, note_substituted
from citekit.csl.elements.state import cite_state, marked_label
from citekit.csl.locale import locale_quotes

__all__ = [
    "CHOOSE",
    "GROUP",
    "OTHER",
    "OTHER_CHOOSE",
    "TEST_ALL",
    "TEST_ANY",
    "TEST_CALL",
    "TEST_HAS",
    "TEST_HAS_NOT",
    "TEST_NEITHER",
    "TEST_NONE",
    "TEST_NOT_TYPE",
    "TEST_TYPE",
    "TEST_TYPE_AND_ALL",
    "TEST_TYPE_OR_ANY",
    "TEXT",
    "Group",
    "Label",
    "Number",
    "TestSpec",
    "Text",
    "TextPlan",
    "WalkPlan",
    "branch_calls",
    "compile_style",
    "field_html",
    "format_numbers",
    "format_page_range",
    "holds",
    "is_plural_number",
    "item_language",
    "join_outputs",
    "labelled_numbers",
    "locale_quotes",
    "long_ordinal",
    "macro_plan",
    "number_form",
    "ordinal",
    "render_branch",
    "render_children",
    "render_choose",
    "render_group",
    "render_text",
    "taken_branch",
    "term_gender",
    "walk",
    "walk_kind",
    "walk_plan",
]


def field_html(node: Any, value: Any) -> str:
    """A field's value (citeproc-py's string pieces, or a number) as intermediate HTML."""
    if isinstance(value, list):
        raw = "".join(
            f'<span class="nocase">{piece}</span>' if isinstance(piece, NoCase) else str(piece)
            for piece in value
        )
    else:
        raw = str(value)
    return passes.rich_text(raw, locale_quotes(node))


def item_language(node: Any, item: Any) -> str:
    """The language of an item: its ``language`` field, else the style's default locale."""
    reference = getattr(item, "reference", None)
    language = dict.get(reference, "language") if isinstance(reference, dict) else None
    language = str(language) if language is not None else ""
    return language or str(node.get_root().get("default-locale", "en"))


def _cite_state(item: Any, kwargs: Any) -> Any:
    """The cite's state (see :mod:`citekit.csl.elements.citations`); None when sorting."""
    if kwargs.get("sort_options") is not None:
        return None
    return cite_state(item)


def rendered_something(item: Any, text: Any, **kwargs: Any) -> None:
    """Note that ``text`` was rendered in the cite: a term after it is not the first thing."""
    if text:
        state = _cite_state(item, kwargs)
        if state is not None:
            state.capitalize_first_term = False


def capitalize_if_first(item: Any, text: Any, **kwargs: Any) -> Any:
    """``text`` (a term) with a capital when it is the first thing rendered in the cite.

    citeproc-js's rule: a term that opens a bibliography entry, or a cite of a
    note style that starts a note or follows a sentence-ending prefix, is
    capitalized (the layout decides this in the cite's
    ``capitalize_first_term``); whatever renders first ends the chance.
    """
    if not text:
        return text
    state = _cite_state(item, kwargs)
    if state is None or not state.capitalize_first_term:
        return text
    state.capitalize_first_term = False
    return passes.apply_case(str(text), "capitalize-first")


def render_children(parent: Any, item: Any, delimiter: str = "", **kwargs: Any) -> list[Any]:
    """The outputs of ``parent``'s children, each rendered in turn (see :func:`walk`).

    As citeproc-py's ``Parent.render_children`` (a ``cs:choose`` child gets the
    delimiter, a child that raises ``VariableError`` renders nothing), and
    every output counts as rendered for the capitalization of a first term
    (names included, whose element does not say so itself).
    """
    kwargs.setdefault("context", None)  # (passed as None or left out: the same to every child)
    state = cite_state(item)
    live = state if kwargs.get("sort_options") is None else None
    omitted = live.omitted if live is not None else None  # (a suppressed author)
    return walk(walk_plan(parent), item, kwargs, delimiter, state, omitted, live)


# The walk -------------------------------------------------------------------------
#
# Rendering a cite walks the style's elements. The elements the walk meets
# most (cs:text, cs:group, cs:choose) are rendered from their plans, made
# once per parsed style and never changed, with the cite's state and the
# keyword arguments handed down as they are; any other element renders
# itself with its ``render`` method, called as citeproc-py calls it.

#: How the walk renders a child: by its own ``render`` (OTHER, OTHER_CHOOSE:
#: a ``cs:choose`` of another kind, which gets the delimiter), or from its
#: plan (TEXT, GROUP, CHOOSE).
OTHER, TEXT, GROUP, CHOOSE, OTHER_CHOOSE = 0, 1, 2, 3, 4

_WALK = "_citekit_walk"


def walk_kind(node: Any) -> int:
    """How the walk renders ``node`` (a class that overrides ``render`` renders itself)."""
    cls = type(node)
    kind: int = getattr(cls, "_citekit_walk_kind", OTHER)
    if kind != OTHER and cls.render is not getattr(cls, "_citekit_walk_render", None):
        kind = OTHER
    if kind == OTHER and isinstance(node, model.Choose):
        kind = OTHER_CHOOSE
    return kind


#: A ``cs:text`` plan: (kind: "variable", "macro", "term", "value" or None; the
#: attribute's value; whether it has text-case; strip-periods; quotes; prefix
#: and suffix escaped; the called macro with its walk plan and whether its
#: showing asks its cs:choose children (see :func:`macro_plan`), None when it
#: is looked up when reached; whether ``form`` is short; its "normal"
#: decoration styles; whether it has other decorations).
TextPlan = tuple[
    "str | None", "str | None", bool, bool, bool, str, str, Any, bool, tuple[str, ...], bool
]

#: A walk plan: (child, its kind, its plan, whether it calls a variable, the
#: fields of the reference without which it renders nothing) per child.
WalkPlan = tuple[tuple[Any, int, Any, "bool | None", "Gate | None"], ...]


def walk_plan(parent: Any) -> WalkPlan:
    """(child, its kind, its plan, whether it calls a variable, its fields) per child of ``parent``.

    Made once per parsed style. A ``cs:text`` plan is its attributes (see
    ``Text._plan``), a ``cs:group`` plan its delimiter, affixes and own walk
    plan, a ``cs:choose`` plan its branches' tests, walk plans and whether
    they call a variable. A called macro's plan is made when the macro is
    first reached (a style may call a macro it does not define where
    rendering never goes). Whether a child calls a variable is citeproc-py's
    rule (:func:`~citekit.csl.elements.calls_variable`), None for a
    ``cs:choose`` (its taken branch decides). Its fields (see :func:`_fields`)
    let the walk pass over an element whose variables the item does not have.
    """
    found: WalkPlan | None = vars(parent).get(_WALK)
    if found is None:
        entries = []
        for child in children(parent):
            kind = walk_kind(child)
            plan = child._plan() if kind in (TEXT, GROUP, CHOOSE) else None
            calls = None if isinstance(child, model.Choose) else _static_calls(child)
            entries.append((child, kind, plan, calls, _fields(child, kind, plan)))
        found = tuple(entries)
        vars(parent)[_WALK] = found
    return found


#: What an element renders nothing without: (fields of the reference, item
#: types, whether the cite's locator), one of which must be there; None: the
#: element is rendered whatever the item (see :func:`_fields`).
Gate = tuple[tuple[str, ...], "frozenset[str] | None", bool]

#: The pseudo-field of :func:`subtree_fields` for the cite's locator, and the
#: prefix of those for item types.
LOCATOR_FIELD = "citekit:locator"
TYPE_FIELD = "citekit:type:"


def _fields(child: Any, kind: int, plan: Any) -> Gate | None:
    """What ``child`` renders nothing without (see :data:`Gate`), or None.

    A ``cs:text`` of a variable read from the reference (not a short form,
    a page or a variable of the cite) renders nothing when the field is
    absent; a ``cs:names`` of citekit's without a ``cs:substitute``, when all
    its variables are; a group or a called macro, as :func:`subtree_fields`
    finds. None for any other element (it is rendered).
    """
    if kind == GROUP or (kind == TEXT and plan[0] == "macro"):
        found = subtree_fields(child)
        return _gate(found) if found is not None else None
    if kind == CHOOSE:
        found = _choose_fields(child)
        return _gate(found) if found is not None else None
    if kind == TEXT:
        variable_kind, variable, short = plan[0], plan[1], plan[8]
        if (
            variable_kind == "variable"
            and variable
            and not short
            and variable not in _COMPUTED_VARIABLES
            and not variable.startswith("page")
        ):
            return _interned(((variable.replace("-", "_"),), None, False))
        return None
    cls = type(child)
    if (
        kind == OTHER
        and isinstance(child, Names)
        and cls.render is Names.render
        and cls.process is Names.process
        and child.find("cs:substitute", _CSL) is None
    ):
        variables = (child.get("variable") or "").split()
        return _interned((tuple(v.replace("-", "_") for v in variables), None, False))
    return None


def _gate(found: frozenset[str]) -> Gate:
    """:func:`subtree_fields`' set as a :data:`Gate`."""
    fields = tuple(sorted(f for f in found if not f.startswith("citekit:")))
    types = frozenset(f[len(TYPE_FIELD) :] for f in found if f.startswith(TYPE_FIELD))
    gate: Gate = (fields, _interned(types) if types else None, LOCATOR_FIELD in found)
    return _interned(gate)


_CSL_NS = "{http://purl.org/net/xbiblio/csl}"
#: Conditions that read nothing but the item and the cite (testing them
#: records nothing, unlike ``disambiguate`` and ``position``).
_PURE_CONDITIONS = frozenset(
    ["type", "variable", "match", "is-numeric", "is-uncertain-date", "locator"]
)
#: Variables whose value is not a field of the reference (computed for the
#: cite, or derived from another field or form).
_NOT_FIELDS = frozenset(
    ["citation-number", "locator", "year-suffix", "citation-label", "first-reference-note-number"]
)


def subtree_fields(node: Any) -> frozenset[str] | None:
    """What ``node`` renders nothing without, one of them at least; None: it may render.

    Fields of the reference, and pseudo-fields for item types
    (:data:`TYPE_FIELD`) and the cite's locator (:data:`LOCATOR_FIELD`).
    For a ``cs:group``, a called macro's ``cs:text`` or a ``cs:macro``
    whose every piece of output comes from a field or sits in a branch
    that only a field can take: variables of ``cs:text``, ``cs:number``,
    ``cs:date``, ``cs:label`` and ``cs:names`` (its ``cs:substitute``
    included), through groups, macros and the branches of a ``cs:choose``
    (a branch whose condition needs a field, as ``is-numeric="volume"``
    or ``variable="edition"``, may print a term). A term or value outside
    such a branch, a computed or derived variable (``locator``, a short
    form, ``page-first``...), a ``disambiguate`` or ``position`` test, or an
    element citekit does not know, make it None: it is rendered. An item
    with none of the fields gets nothing from such an element, so the walk
    passes over it (see :func:`walk_plan`). Made once per element.
    """
    fields: set[str] = set()
    return frozenset(fields) if _collect_fields(node, fields, frozenset()) else None


def _macro_fields(macro: Any, macros: frozenset[str]) -> tuple[str, ...] | None:
    """:func:`subtree_fields` of a ``cs:macro``, found once per macro (``macros``: those
    being looked into, a call of one of them is not followed)."""
    remembered = vars(macro)
    if "_citekit_subtree_fields" not in remembered:
        fields: set[str] = set()
        found = tuple(sorted(fields)) if _collect_fields(macro, fields, macros) else None
        remembered["_citekit_subtree_fields"] = found
    known: tuple[str, ...] | None = remembered["_citekit_subtree_fields"]
    return known


#: One object for each :data:`Gate` met (a style has a few hundred, met by
#: many elements), and for each set of types in them.
_INTERNED: dict[Any, Any] = {}
_T = TypeVar("_T")


def _interned(value: _T) -> _T:
    """``value`` (a :data:`Gate` or a set of types), as the one equal object kept."""
    found = _INTERNED.get(value)
    if found is None:
        if len(_INTERNED) >= 8192:  # (bounded: styles read one after another)
            _INTERNED.clear()
        found = _INTERNED[value] = value
    return found


def _collect_fields(node: Any, fields: set[str], macros: frozenset[str]) -> bool:
    """Add to ``fields`` those without all of which ``node`` renders nothing (False: none such)."""
    tag = node.tag
    if not isinstance(tag, str):
        return True  # (a comment)
    if not tag.startswith(_CSL_NS):
        return False
    name = tag[len(_CSL_NS) :]
    if name in ("group", "macro", "choose", "else", "layout"):
        return all(_collect_fields(child, fields, macros) for child in node.iterchildren())
    if name in ("if", "else-if"):
        if not _PURE_CONDITIONS.issuperset(node.attrib):
            return False
        needed = _condition_fields(node)
        if needed:
            fields.update(needed)  # (not taken without one of them: its output does not matter)
            return True
        return all(_collect_fields(child, fields, macros) for child in node.iterchildren())
    if name == "text":
        macro_name = node.get("macro")
        if macro_name is not None:
            if macro_name in macros:
                return False
            macro = find_macro(node.get_root(), macro_name)
            if macro is None:
                return False
            found = _macro_fields(macro, macros | {macro_name})
            if found is None:
                return False
            fields.update(found)
            return True
        if node.get("form") == "short":
            return False
        return _add_variables(node.get("variable"), fields)
    if name in ("number", "date", "label"):
        return _add_variables(node.get("variable"), fields)
    if name == "names":
        if not _add_variables(node.get("variable"), fields):
            return False
        substitutes = (
            child
            for child in node.iterchildren()
            if isinstance(child.tag, str) and child.tag == _CSL_NS + "substitute"
        )
        return all(
            _collect_fields(sub, fields, macros)
            for substitute in substitutes
            for sub in substitute.iterchildren()
        )
    return False


def _choose_fields(choose: Any) -> frozenset[str] | None:
    """What a ``cs:choose`` takes no branch without, when every branch's condition needs one.

    (Then an item with none of them gets nothing from it, and no branch is
    taken, so it calls no variable.) None when a branch may be taken
    without: a ``cs:else``, a condition that needs nothing, or a test that
    counts in the rendering.
    """
    needed: set[str] = set()
    for branch in choose.iterchildren():
        if not isinstance(branch.tag, str):
            continue
        if branch.tag not in (_CSL_NS + "if", _CSL_NS + "else-if"):
            return None
        if not _PURE_CONDITIONS.issuperset(branch.attrib):
            return None
        fields = _condition_fields(branch)
        if not fields:
            return None
        needed |= fields
    return frozenset(needed)


def _field(variable: str) -> str | None:
    """The reference's field of ``variable`` (:data:`LOCATOR_FIELD` for the cite's
    locator); None for a computed or derived one."""
    if variable == "locator":
        return LOCATOR_FIELD
    if variable in _NOT_FIELDS or variable.startswith("page") or variable.endswith("-short"):
        return None
    return variable.replace("-", "_")


def _add_variables(value: str | None, fields: set[str]) -> bool:
    """Add the fields of an element's ``variable`` attribute; False for none or a computed one."""
    variables = (value or "").split()
    if not variables:
        return False
    for variable in variables:
        field = _field(variable)
        if field is None:
            return False
        fields.add(field)
    return True


def _condition_fields(branch: Any) -> set[str]:
    """What a branch's condition needs to hold, one of which (empty: it may hold without).

    Fields (each test of ``variable``, ``is-numeric`` or
    ``is-uncertain-date`` fails for an absent field), item types (a
    ``type`` attribute is one test, of any of its types, as the condition
    reads it) and the cite's locator (:data:`LOCATOR_FIELD`, for a
    ``locator`` test or the ``locator`` variable).
    """
    tests: list[set[str] | None] = []
    types = (branch.get("type") or "").split()
    if types:
        tests.append({TYPE_FIELD + kind.lower() for kind in types})
    for _ in (branch.get("locator") or "").split():
        tests.append({LOCATOR_FIELD})
    for attribute in ("variable", "is-numeric", "is-uncertain-date"):
        for value in (branch.get(attribute) or "").split():
            field = _field(value)
            tests.append({field} if field is not None else None)
    match = branch.get("match") or "all"
    if match == "any":
        if not tests or None in tests:
            return set()
        return {field for test in tests if test is not None for field in test}
    if match == "all":
        for test in tests:
            if test is not None:
                return test
    return set()


def _static_calls(child: Any) -> bool | None:
    """:func:`~citekit.csl.elements.calls_variable` of ``child``, None if it cannot tell yet."""
    try:
        return calls_variable(child)
    except Exception:  # (an odd element: asked again, as before, if a group's output needs it)
        return None


#: What deciding whether a group (or macro) shows needs of its children (see
#: :func:`_suppression_plan`).
Suppression = tuple[bool, tuple[Any, ...]]


def macro_plan(macro: Any) -> tuple[WalkPlan, Suppression]:
    """A ``cs:macro``'s walk plan and suppression plan, made once per parsed style."""
    found: tuple[WalkPlan, Suppression] | None = vars(macro).get("_citekit_macro_plan")
    if found is None:
        found = (walk_plan(macro), _suppression_plan(macro))
        vars(macro)["_citekit_macro_plan"] = found
    return found


_LAYOUT_TAG = "{http://purl.org/net/xbiblio/csl}layout"
_MACRO_TAG = "{http://purl.org/net/xbiblio/csl}macro"


def compile_style(root: Any) -> None:
    """Make the plans of a parsed style once, when it is loaded (see :func:`walk_plan`).

    The walk plans of its layouts and macros (with those of the groups,
    choices, texts and branches in them) and the plans of its ``cs:names``.
    They depend on the style alone and are never changed, so every session
    and thread rendering the style shares them. A plan that cannot be made
    here (an odd element) is made when rendering first reaches it, as before.
    """
    for node in root.iter(_LAYOUT_TAG, _MACRO_TAG, "{http://purl.org/net/xbiblio/csl}names"):
        try:
            if node.tag == _LAYOUT_TAG:
                walk_plan(node)
            elif node.tag == _MACRO_TAG:
                macro_plan(node)
            elif type(node).process is Names.process:
                node._plan()
        except Exception:  # (made, or the error met, when rendering reaches it)
            continue


def branch_calls(branch: Any) -> bool | None:
    """Whether a ``cs:choose`` branch calls a variable; None when a ``cs:choose`` in it decides."""
    calls = False
    for _, _, _, child_calls, _ in walk_plan(branch):
        if child_calls is None:
            return None
        calls = calls or child_calls
    return calls


def walk(
    entries: WalkPlan,
    item: Any,
    kwargs: dict[str, Any],
    delimiter: str,
    state: Any,
    omitted: Any,
    live: Any,
    quiet: list[tuple[Any, bool | None]] | None = None,
    reference: Any = None,
) -> list[Any]:
    """(child, output, whether it calls a variable) for each child that renders something.

    Whether it calls a variable is the walk plan's, and for a ``cs:choose``
    its taken branch's (None where that is not known beforehand).
    ``kwargs`` (with ``context``) are what each child's ``render`` gets;
    ``state`` is the cite's :class:`~citekit.csl.elements.state.CiteState`
    (or None), ``omitted`` an element left out, ``live`` the state whose
    first-term capitalization an output ends (None: none). A ``cs:choose``
    of citekit's that renders nothing is put in ``quiet`` (when given) with
    whether its taken branch calls a variable (False for none taken).
    ``reference`` is the cite's reference, read once for the walks a
    rendering makes (None: read here).
    """
    output = []
    context = kwargs["context"]
    sort_options = kwargs.get("sort_options")
    if reference is None:
        reference = _reference(item)
    for child, kind, plan, calls, fields in entries:
        if child is omitted:
            continue
        if fields is not None and reference is not _NO_REFERENCE:
            for field in fields[0]:
                if field in reference:  # (as a variable condition reads it)
                    break
            else:
                types = fields[1]
                if not (
                    (types is not None and _dict_item(reference, "type") in types)
                    or (fields[2] and (not isinstance(item, dict) or "locator" in item))
                ):
                    # (none of its fields, types, or a locator: it renders
                    # nothing; a cs:choose takes no branch, so calls no variable)
                    if kind == CHOOSE and quiet is not None:
                        quiet.append((child, False))
                    continue
        try:
            if kind == TEXT:
                text = render_text(child, plan, item, context, sort_options, state, reference)
            elif kind == GROUP:
                text = render_group(child, plan, item, kwargs, state, reference)
            elif kind == CHOOSE:
                # (render_choose, inline: the taken branch's calls are known)
                if not plan:
                    text = child.render(item, delimiter=delimiter, **kwargs)
                else:
                    text = None
                    calls = False  # (no branch taken)
                    for test, _, branch_entries, taken_calls in plan:
                        if test is not None:  # (holds(), inline for the commonest tests)
                            code = test[0]
                            if code == TEST_CALL:
                                if not test[3](item, context):
                                    continue
                            else:
                                if reference is _NO_REFERENCE:
                                    if not test[3](item, context):
                                        continue
                                elif code == TEST_HAS:
                                    if test[2] not in reference:
                                        continue
                                elif code == TEST_TYPE:
                                    if _dict_item(reference, "type") not in test[1]:
                                        continue
                                elif not holds(test, item, context, reference):
                                    continue
                        # (render_branch, inline)
                        taken = walk(
                            branch_entries,
                            item,
                            kwargs,
                            delimiter,
                            state,
                            state.omitted if state is not None else None,
                            None,
                            None,
                            reference,
                        )
                        if taken:
                            text = join_outputs([text for _, text, _ in taken], _escaped(delimiter))
                        calls = taken_calls
                        break
                    if text is None:
                        if quiet is not None:
                            quiet.append((child, calls))
                        continue
            elif kind == OTHER_CHOOSE:
                text = child.render(item, delimiter=delimiter, **kwargs)
            else:
                text = child.render(item, **kwargs)
        except VariableError:
            continue
        if text is not None:
            output.append((child, text, calls))
            if text and live is not None:
                live.capitalize_first_term = False
    return output


_NO_REFERENCE: Any = object()  # (a cite without a dict of fields: rendered as they would be)


def _reference(item: Any) -> Any:
    """The cite's reference, a dict of fields (``_NO_REFERENCE`` if it has none to read)."""
    try:
        reference = item.reference
    except Exception:  # (an odd cite: its elements render as they would)
        return _NO_REFERENCE
    return reference if isinstance(reference, dict) else _NO_REFERENCE


def render_text(
    node: Any,
    plan: Any,
    item: Any,
    context: Any,
    sort_options: Any,
    state: Any,
    reference: Any = None,
) -> Any:
    """A ``cs:text`` for ``item``: intermediate HTML, or None when it renders nothing.

    The variable, macro (an implicit group), term or value; then
    strip-periods and text-case (text only), formatting, quotes and the
    escaped affixes. ``plan`` is the element's (see :data:`TextPlan`),
    ``state`` the cite's (``reference`` as for :func:`walk`).
    """
    (
        kind,
        name,
        text_case,
        strip_periods,
        quoted,
        prefix,
        suffix,
        called,
        short,
        normals,
        fonts,
    ) = plan
    if context is None:
        context = node
    live = state if sort_options is None else None
    text: Any = None
    if kind == "variable":
        text = node._variable_html(item, context, name, short)
        if text and sort_options is None:
            note_substituted(item, "text", name, text)
    elif kind == "macro":
        if called is None:
            macro = node._macro(str(name))
            entries, suppression = macro_plan(macro)
        else:
            macro, entries, suppression = called
        quiet: list[tuple[Any, bool | None]] | None = (
            [] if not suppression[0] and suppression[1] else None
        )
        outputs = walk(
            entries,
            item,
            {"context": context, "sort_options": sort_options},
            "",
            state,
            live.omitted if live is not None else None,
            live,
            quiet,
            reference,
        )
        if _renders(macro, outputs, item, context, state, quiet, suppression):
            text = join_outputs([text for _, text, _ in outputs])
    elif kind == "term":
        text = node._term(item)
        if text and live is not None and live.capitalize_first_term:
            # (capitalize_if_first: the first thing rendered in the cite)
            live.capitalize_first_term = False
            text = passes.apply_case(str(text), "capitalize-first")
    elif kind == "value":
        text = node._value_html()
    if not text:
        return None
    if live is not None:
        live.capitalize_first_term = False
    rendered = str(text)
    if text_case or strip_periods:
        # (the language only matters to text-case)
        language = item_language(node, item) if text_case else None
        rendered = node.rich_case(rendered, language)
    if fonts:  # (node.format: decorations, then normals)
        rendered = str(decorate(node, rendered))
    for style in normals:
        rendered = f'<span style="{style}">{rendered}</span>'
    if quoted:
        rendered = locale_quotes(node).open_tag() + rendered + passes.QUOTE_CLOSE
    return _affixed(prefix, rendered, suffix)


def _affixed(prefix: str, text: str, suffix: str) -> Any:
    """``text`` between an element's (escaped) prefix and suffix, their seams normalised.

    (normalize_seam leaves a piece next to nothing as it is.)
    """
    if prefix:
        text = prefix + normalize_seam(prefix, _guarded(prefix, text))
    if suffix:
        text = text + normalize_seam(text, suffix)
    return String(str(text))


def render_group(
    node: Any,
    plan: Any,
    item: Any,
    kwargs: dict[str, Any],
    state: Any,
    reference: Any = None,
) -> Any:
    """A ``cs:group``: its children joined by the delimiter, formatted, between the affixes.

    None when the group is suppressed. ``kwargs`` (with ``context``) are
    what its children get.
    """
    delimiter, escaped, prefix, suffix, entries, suppression, normals, fonts = plan
    live = state if kwargs.get("sort_options") is None else None
    quiet: list[tuple[Any, bool | None]] | None = (
        [] if not suppression[0] and suppression[1] else None
    )
    outputs = walk(
        entries,
        item,
        kwargs,
        delimiter,
        state,
        live.omitted if live is not None else None,
        live,
        quiet,
        reference,
    )
    if not _renders(node, outputs, item, kwargs["context"], state, quiet, suppression):
        return None  # as an empty variable: the enclosing element leaves it out
    text = join_outputs([text for _, text, _ in outputs], escaped)
    if not text:
        return None
    # (node.format: decorations, then normals)
    formatted = str(decorate(node, text)) if fonts else str(text)
    for style in normals:
        formatted = f'<span style="{style}">{formatted}</span>'
    return _affixed(prefix, formatted, suffix)


def render_choose(
    node: Any, plan: Any, item: Any, kwargs: dict[str, Any], delimiter: str, state: Any
) -> Any:
    """A ``cs:choose``: the first branch whose condition holds, rendered (None: none holds).

    ``plan`` is (test, branch, the branch's walk plan) per branch (the test
    None for ``cs:else``); an empty plan (a branch not of citekit's
    classes) leaves the choose to render itself.
    """
    if not plan:
        return node.render(item, delimiter=delimiter, **kwargs)
    context = kwargs["context"]
    reference = _reference(item)
    for test, _, entries, _ in plan:
        if test is None or holds(test, item, context, reference):
            return render_branch(entries, item, kwargs, delimiter, state, reference)
    return None


#: A condition's test as values: (code, types, variables, its function). The
#: codes: TEST_CALL (the function decides), TEST_TYPE (the item's type is
#: one of the types), TEST_NOT_TYPE, TEST_HAS (the reference has the
#: variable), TEST_HAS_NOT, TEST_ANY (it has one of the variables),
#: TEST_NONE, TEST_ALL, TEST_TYPE_OR_ANY, TEST_NEITHER (neither the type
#: nor a variable), TEST_TYPE_AND_ALL; variables are the reference's keys.
TestSpec = tuple[int, frozenset[str], Any, Any]

(
    TEST_CALL,
    TEST_TYPE,
    TEST_NOT_TYPE,
    TEST_HAS,
    TEST_HAS_NOT,
    TEST_ANY,
    TEST_NONE,
    TEST_ALL,
    TEST_TYPE_OR_ANY,
    TEST_NEITHER,
    TEST_TYPE_AND_ALL,
) = range(11)

_dict_item = dict.__getitem__


def holds(test: TestSpec, item: Any, context: Any, reference: Any) -> bool:
    """Whether a condition's :data:`TestSpec` holds for ``item`` (``reference``: its fields)."""
    code, kinds, names, function = test
    if code == TEST_CALL or not isinstance(reference, dict):
        return bool(function(item, context))
    if code == TEST_HAS:
        return names in reference
    if code == TEST_TYPE:
        return _dict_item(reference, "type") in kinds
    if code == TEST_ANY:
        return not names.isdisjoint(reference)
    if code == TEST_NONE:
        return bool(names.isdisjoint(reference))
    if code == TEST_HAS_NOT:
        return names not in reference
    if code == TEST_ALL:
        return bool(names.issubset(reference))
    if code == TEST_NOT_TYPE:
        return _dict_item(reference, "type") not in kinds
    if code == TEST_TYPE_OR_ANY:
        return _dict_item(reference, "type") in kinds or not names.isdisjoint(reference)
    if code == TEST_NEITHER:
        return _dict_item(reference, "type") not in kinds and bool(names.isdisjoint(reference))
    return _dict_item(reference, "type") in kinds and bool(names.issubset(reference))


def render_branch(
    entries: Any,
    item: Any,
    kwargs: dict[str, Any],
    delimiter: str,
    state: Any,
    reference: Any = None,
) -> Any:
    """The children of a taken branch (its walk plan), joined by the escaped ``delimiter``."""
    omitted = state.omitted if state is not None else None  # (a suppressed author)
    outputs = walk(entries, item, kwargs, delimiter, state, omitted, None, None, reference)
    if not outputs:
        return None
    return join_outputs([text for _, text, _ in outputs], _escaped(delimiter))


_ESCAPED: dict[str, str] = {}


def _escaped(delimiter: str) -> str:
    """A style's delimiter escaped (remembered: a style has few)."""
    found = _ESCAPED.get(delimiter)
    if found is None:
        found = passes.escape(delimiter)
        if len(_ESCAPED) < 1024:
            _ESCAPED[delimiter] = found
    return found


_PUNCTUATION_AND_SPACE = " .,;:!?"
_SEAM = frozenset(".,;:!?")  # citeproc-py's SEAM_PUNCTUATION


def join_outputs(outputs: list[Any], delimiter: str = "") -> Any:
    """``citeproc.string.join(outputs, delimiter)``, as one string when it can be.

    citeproc-py joins into a list of segments, trying (and failing) to add
    each string to a list first; elements' outputs are plain strings, so
    their join is made as a string with citeproc-py's seams (a doubled space
    or punctuation mark dropped where two pieces meet: once by ``join``, and
    once more by the addition when it is citeproc-py's ``String`` addition).
    Anything else (an empty output, a segment list, a no-case segment) is
    left to citeproc-py.
    """
    if len(outputs) == 1:
        return outputs[0]
    if not outputs:
        return join(outputs, delimiter)
    for output in outputs:
        if type(output) not in (String, str) or not output:
            return join(outputs, delimiter)
    text = str(outputs[0])
    wrapped = type(outputs[0]) is String
    for output in outputs[1:]:
        if delimiter:
            text, wrapped = _add(text, wrapped, delimiter, False)
            output = _guarded(delimiter, output)
        text, wrapped = _add(text, wrapped, str(output), type(output) is String)
    return String(text) if wrapped else text


def _guarded(seam: str, text: Any) -> Any:
    """``text`` kept from merging with the ":" or ";" that ends ``seam`` (a prefix or delimiter).

    As citeproc-js: a "?" or "!" that starts the text after a prefix or
    delimiter ending in ":" or ";" does not take its place ("1996:??-??",
    a page "??-??" after the delimiter ":"), as it would after a suffix.
    """
    if seam[-1:] in (":", ";") and str(text)[:1] in ("?", "!"):
        protected = passes.PROTECT + str(text)
        return String(protected) if isinstance(text, String) else protected
    return text


def _seam(left: str, other: str) -> str:
    """citeproc-py's ``normalize_seam`` on plain strings."""
    if left and other and other[0] == left[-1] and (other[0] == " " or other[0] in _SEAM):
        return other[1:]
    return other


def _add(left: str, wrapped: bool, other: str, other_wrapped: bool) -> tuple[str, bool]:
    """One step of citeproc-py's ``join``: (text, whether it is a citeproc-py string now).

    ``join`` normalises the seam; a plain ``str`` added to a plain ``str``
    is concatenated as it is, any addition involving citeproc-py's
    ``String`` normalises the seam again and drops an empty piece.
    """
    other = _seam(left, other)
    if not wrapped and not other_wrapped:
        return left + other, False
    if not wrapped and not left:
        return other, True
    if not other:
        return left, True
    return left + _seam(left, other), True


def _calls_variable(child: Any, item: Any, context: Any, omitted: Any = None) -> bool:
    """Whether ``child`` calls a variable; for a ``cs:choose``, its taken branch.

    A ``cs:choose`` calls the variables of the branch that renders, not
    those of every branch: the text value a ``cs:if`` prints does not make a
    group around it show when the group's variables are all empty.
    """
    if item is None:
        return calls_variable(child, omitted)
    if isinstance(child, model.Choose):
        branch = taken_branch(child, item, context)
        if branch is None:
            return False
        for grandchild in children(branch):
            if _calls_variable(grandchild, item, context, omitted):
                return True
        return False
    return calls_variable(child, omitted)


def _group_renders(
    parent: Any,
    outputs: list[Any],
    *,
    item: Any = None,
    context: Any = None,
) -> bool:
    """Whether a group (or a macro, an implicit group) with these child outputs is shown.

    CSL 1.0.2: not when nothing renders, nor when it calls variables and none
    of them renders ("a child calls a variable" by its ``calls_variable()``,
    a ``cs:choose`` by its taken branch's). As in citeproc-js, a macro call
    that renders counts as a variable that renders, if it prints only a term
    ("Anon." beside an empty ``cs:names``).
    """
    state = cite_state(item) if item is not None else None
    return _renders(parent, outputs, item, context, state)


def _renders(
    parent: Any,
    outputs: list[Any],
    item: Any,
    context: Any,
    state: Any,
    quiet: list[tuple[Any, bool | None]] | None = None,
    suppression: Suppression | None = None,
) -> bool:
    """:func:`_group_renders`, given the cite's state (and what :func:`walk` put in ``quiet``,
    and the parent's suppression plan when the caller has it)."""
    if not outputs:
        return False
    omitted = state.omitted if state is not None else None  # (a suppressed author)
    if omitted is not None and id(parent) not in holders(omitted):
        omitted = None
    plan = None
    if omitted is None:
        plan = suppression or vars(parent).get("_citekit_suppression")
    if plan is None:
        plan = _suppression_plan(parent, omitted)
    static, chooses = plan
    # (loops, not any() of a generator: this runs for every group of every cite)
    if not static:
        for child in chooses:
            calls = None
            if omitted is None:  # (what the walk found for a choose, rendered or not)
                for rendered_child, _, rendered_calls in outputs:
                    if rendered_child is child:
                        calls = rendered_calls
                        break
                else:
                    for quiet_child, quiet_calls in quiet or ():
                        if quiet_child is child:
                            calls = quiet_calls
                            break
            if calls is None:
                calls = _calls_variable(child, item, context, omitted)
            if calls:
                break
        else:
            return True  # calls no variable
    choose = model.Choose
    for child, text, calls in outputs:
        if calls is not None and omitted is None:
            if calls or (text and _is_macro_call(child)):
                return True
        elif isinstance(child, choose):
            if _calls_variable(child, item, context, omitted):
                return True
        elif calls_variable(child, omitted) or (text and _is_macro_call(child)):
            return True
    return False


def _is_macro_call(child: Any) -> bool:
    """Whether ``child`` is a ``cs:text`` that calls a macro."""
    return "macro" in child.attrib and bool(child.tag.endswith("}text"))


def _suppression_plan(parent: Any, omitted: Any = None) -> tuple[bool, tuple[Any, ...]]:
    """What :func:`_group_renders` needs of ``parent``'s children, found once.

    (whether a child that is not a ``cs:choose`` calls a variable; the
    ``cs:choose`` children, whose taken branch decides).
    """
    static = False
    chooses = []
    for child in children(parent):
        if child is omitted:
            continue
        if isinstance(child, model.Choose):
            chooses.append(child)
        elif not static and calls_variable(child, omitted):
            static = True
    plan = (static, tuple(chooses))
    if omitted is None:
        vars(parent)["_citekit_suppression"] = plan
    return plan


_NORMALS = (
    ("font-style", "normal", "font-style:normal;"),
    ("font-weight", "normal", "font-weight:normal;"),
    ("font-variant", "normal", "font-variant:normal;"),
    ("vertical-align", "baseline", "baseline"),
)


def _normals(node: Any) -> tuple[str, ...]:
    """The styles of ``node``'s explicit "normal" decorations (``_Rendered.format``), found once."""
    normals: tuple[str, ...] | None = vars(node).get("_citekit_normals")
    if normals is None:
        get = node.get
        normals = vars(node)["_citekit_normals"] = tuple(
            style for attribute, value, style in _NORMALS if get(attribute) == value
        )
    return normals


class _Rendered:
    """Escaped affixes, and case and periods applied to text only."""

    def wrap(self: Any, string: Any) -> Any:
        """``string`` between the element's prefix and suffix (escaped)."""
        if string is None:
            return None
        prefix = passes.escape(self.get("prefix", ""))
        suffix = passes.escape(self.get("suffix", ""))
        text = prefix + normalize_seam(prefix, string)
        return String(str(text + normalize_seam(text, suffix)))

    def format(self: Any, string: Any) -> Any:
        """citeproc-py's formatting, plus explicit "normal" decorations.

        ``font-style="normal"`` (and ``font-weight``, ``font-variant``,
        ``vertical-align="baseline"``) undoes an enclosing decoration: it is
        kept as a span that :func:`~citekit.csl.passes.postprocess` drops
        where nothing is to be undone.
        """
        normals = _normals(self)
        text = str(decorate(self, string))
        for style in normals:
            text = f'<span style="{style}">{text}</span>'
        return text

    def rich_case(self: Any, text: str, language: str | None) -> str:
        """strip-periods, then text-case, applied to intermediate HTML."""
        if self.get("strip-periods", "false").lower() == "true":
            text = passes.strip_periods(text)
        return passes.apply_case(text, self.get("text-case"), language)


_NUMBER_VARIABLES = frozenset(
    [
        "chapter-number",
        "collection-number",
        "edition",
        "issue",
        "number",
        "number-of-pages",
        "number-of-volumes",
        "part-number",
        "supplement-number",
        "volume",
    ]
)
_NUMBER_RANGE = re.compile(r"^\s*\d+\s*-\s*\d+\s*$")
_ONE_NUMBER = re.compile(r"^[A-Za-z]*(\d+)[A-Za-z]*$")
#: The number variables citeproc-js knows (part-number and supplement-number
#: are not among them: their lists are printed as written).
_JS_NUMBER_VARIABLES = _NUMBER_VARIABLES - {"part-number", "supplement-number"}


#: Variables ``cs:text`` reads from the cite rather than from the reference's fields.
_COMPUTED_VARIABLES = frozenset(["citation-number", "locator"])


@element("text")
class Text(_Rendered, model.Text):  # type: ignore[misc]
    """``cs:text`` rendering rich, escaped field text (see the module documentation)."""

    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        """The element for ``item``: intermediate HTML, or None when it renders nothing.

        The variable, macro (an implicit group), term or value; then
        strip-periods and text-case (text only), formatting, quotes and the
        escaped affixes. The element's attributes are read once (see
        :meth:`_plan`): this runs for every ``cs:text`` of every cite and
        entry.
        """
        plan = vars(self).get("_citekit_plan") or self._plan()
        return render_text(self, plan, item, context, kwargs.get("sort_options"), cite_state(item))

    def _plan(self) -> TextPlan:
        """The element's attributes, read once (see :data:`TextPlan`)."""
        attrib = self.attrib
        kind = next((k for k in ("variable", "macro", "term", "value") if k in attrib), None)
        name = self.get(kind) if kind is not None else None
        called = None  # (None: the macro is looked up, or found missing, when reached)
        if kind == "macro" and name is not None:
            macro = find_macro(self.get_root(), name)
            if macro is not None:
                try:
                    called = (macro, *macro_plan(macro))
                except RecursionError:  # (macros calling each other: planned when reached)
                    called = None
        plan = (
            kind,
            name,
            "text-case" in attrib,
            self.get("strip-periods", "false").lower() == "true",
            self.get("quotes", "false").lower() == "true",
            passes.escape(self.get("prefix", "")),
            passes.escape(self.get("suffix", "")),
            called,
            self.get("form") == "short",
            _normals(self),
            has_decorations(self),
        )
        node: Any = self  # (lxml elements take attributes; the stubs do not say so)
        vars(node)["_citekit_plan"] = plan
        return plan

    def _macro(self, name: str) -> Any:
        """The macro this element calls (StyleError if the style has none of that name)."""
        macro = self.called_macro(name)
        node: Any = self  # (lxml elements take attributes; the stubs do not say so)
        vars(node)["_citekit_macro"] = macro
        return macro

    def _term(self, item: Any) -> Any:
        """The term's text (citeproc-py's), found once: it does not depend on the item."""
        found = vars(self).get("_citekit_term")
        if found is None:
            found = super()._term(item)
            node: Any = self  # (lxml elements take attributes; the stubs do not say so)
            vars(node)["_citekit_term"] = found
        return found

    def _value_html(self) -> str:
        """The ``value`` attribute as intermediate HTML."""
        value = self.get("value")
        text = passes.rich_text(value, locale_quotes(self))
        if value and (value[0] == "," or not value.strip(_PUNCTUATION_AND_SPACE)):
            # As citeproc-js does: a value of bare punctuation ("." after
            # a title), or one that opens with a comma, is printed as
            # written, neither merged with the punctuation before it nor
            # moved inside closing quotes.
            text = passes.PROTECT + text
        return text

    def _variable_html(
        self, item: Any, context: Any, variable: str | None = None, short: bool | None = None
    ) -> str | None:
        """The variable's value as intermediate HTML (``variable`` and whether ``form`` is
        short: the element's own unless given)."""
        if variable is None:
            variable = self.get("variable")
        if short is None:
            short = self.get("form") == "short"
        if (
            not short
            and variable not in _COMPUTED_VARIABLES
            and not variable.startswith("page")
            and dict.get(item.reference, variable.replace("-", "_")) is None
        ):
            return None  # an empty variable (most are): nothing to render, substituted or not
        if is_substituted(item, variable):
            return None
        if short:
            short_name = f"{variable}-short"
            if short_name.replace("-", "_") in item.reference:
                variable = short_name
        if variable in ("page", "locator"):
            quoted = _quoted_text(self, item, variable)
            if quoted is not None:
                return quoted
        if variable.startswith("page"):
            if variable == "page":
                labelled = labelled_numbers(self, item.reference.page, variable)
                if labelled is not None:
                    return labelled
            pages = self._process(item.reference.page, variable)
            return passes.escape(html.unescape(str(pages)))
        if variable == "citation-number":
            return str(item.number)
        if variable == "locator":
            label = str(getattr(item.locator, "label", "") or "page")
            labelled = labelled_numbers(self, item.locator.identifier, variable, own=label)
            if labelled is not None:
                return labelled
            return format_numbers(
                self, item.locator.identifier, "page" if label == "page" else variable
            )
        value = dict.get(item.reference, variable.replace("-", "_"))
        if value is None:
            return None  # an empty variable renders nothing (no exception: it is common)
        if variable == "citation-label":
            value = marked_label(item, value)  # (an implicit year suffix goes after it)
        if variable in _NUMBER_VARIABLES:
            if _NUMBER_RANGE.match(str(value)) or (
                variable in _JS_NUMBER_VARIABLES and numbers.numeric_text(str(value))
            ):
                return format_numbers(self, value, variable)  # "3-4" gives "3–4"
            labelled = labelled_numbers(self, value, variable)  # "10 n. 11-13"
            if labelled is not None:
                return labelled
        return field_html(self, value)

    def _process(self, value: Any, variable: str) -> Any:
        return format_numbers(self, value, variable)


Text._citekit_walk_kind = TEXT
Text._citekit_walk_render = Text.render


def _quoted_text(node: Any, item: Any, variable: str) -> str | None:
    """A page or locator with quotes that is no number, range or list, as rich text.

    As citeproc-js: its quotes are the locale's, and punctuation after it
    moves into them as into a title's ('s.v. "gargoyle"' then a period
    gives 's.v. “gargoyle.”'). None for any other value.
    """
    if variable == "locator":
        value = getattr(item.locator, "identifier", None)
    else:
        value = dict.get(item.reference, "page")
    if value is None:
        return None
    text = html.unescape(str(value))
    if _QUOTE_MARKS.search(text) is None or _LIST_SEPARATOR.search(text):
        return None
    if len(_RANGE.split(text.strip())) != 1:
        return None
    return passes.rich_text(text, locale_quotes(node))


@element("group")
class Group(_Rendered, model.Group):  # type: ignore[misc]
    """``cs:group`` with escaped affixes and delimiter."""

    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        """The children joined by the delimiter, formatted, between the affixes.

        None when the group is suppressed. CSL 1.0.2: a group is suppressed
        when it renders nothing, or when it calls variables and none of them
        renders (as citeproc-py decides: a child "calls" a variable by its
        ``calls_variable()``). The delimiter and affixes are read once.
        """
        plan = vars(self).get("_citekit_plan") or self._plan()
        kwargs["context"] = context
        return render_group(self, plan, item, kwargs, cite_state(item))

    def _plan(
        self,
    ) -> tuple[str, str, str, str, WalkPlan, Suppression, tuple[str, ...], bool]:
        """(delimiter as written, delimiter escaped, prefix and suffix escaped, walk plan,
        suppression plan, "normal" decoration styles, whether it has other decorations)."""
        delimiter = self.get("delimiter", "")
        plan = (
            delimiter,
            passes.escape(delimiter),
            passes.escape(self.get("prefix", "")),
            passes.escape(self.get("suffix", "")),
            walk_plan(self),
            _suppression_plan(self),
            _normals(self),
            has_decorations(self),
        )
        node: Any = self  # (lxml elements take attributes; the stubs do not say so)
        vars(node)["_citekit_plan"] = plan
        return plan

    def join(self, strings: Any, default_delimiter: str = "") -> Any:
        """The rendered children joined by the (escaped) delimiter."""
        delimiter = passes.escape(self.get("delimiter", default_delimiter))
        return join((s for s in strings if s is not None), delimiter)


Group._citekit_walk_kind = GROUP
Group._citekit_walk_render = Group.render


@element("label")
class Label(_Rendered, model.Label):  # type: ignore[misc]
    """``cs:label`` with case applied to text only and escaped affixes."""

    def _value(self, item: Any) -> tuple[str | None, str | None]:
        """The value of the label's variable (None if empty) and, for a locator, its label."""
        variable = self.get("variable")
        try:
            if variable == "locator":
                label = str(getattr(item.locator, "label", "") or "page")
                return str(item.locator.identifier), label
            return str(item.reference[variable.replace("-", "_")]), None
        except (VariableError, AttributeError, KeyError):
            return None, None

    def _embedded(self, item: Any) -> numbers.ParsedNumber | None:
        """The variable's value split at the labels written in it, or None (see numbers)."""
        variable = self.get("variable")
        if not variable or variable.startswith("number-of"):
            return None
        value, own = self._value(item)
        if value is None:
            return None
        return numbers.parse_number(html.unescape(value), variable, own)

    def _is_plural(self, item: Any) -> bool:
        variable = self.get("variable")
        value, _ = self._value(item)
        if value is None:
            return False
        if variable.startswith("number-of"):
            # more than one: "2", "2nd", "5-7 & 9" (not "10.0", "123/456/789")
            if numbers.parse_number(value, variable) is not None:
                return False  # "10 n. 11-13": as written
            if numbers.is_plural_numbers(value):
                return True
            count = _ONE_NUMBER.match(value.strip())
            return count is not None and int(count.group(1)) > 1
        parsed = self._embedded(item)
        if parsed is not None:
            return parsed.plural
        return numbers.is_plural_numbers(html.unescape(value))

    def process(
        self,
        item: Any,
        variable: Any = None,
        plural: Any = None,
        context: Any = None,
        **kwargs: Any,
    ) -> Any:
        """The label's term.

        Unlike a ``cs:text`` term, a label first in a cite keeps its case (as
        in citeproc-js: "pages 213 and 235", "p. 12" at the start of a note).
        """
        if variable is None and not self._has_variable(item):
            # CSL 1.0.2: a label is rendered only if its variable is non-empty
            # (names pass their variable in; standalone labels check here).
            return None
        if variable is None and is_substituted(item, self.get("variable")):
            return None  # its variable was printed by a cs:substitute
        embedded = None
        if variable is None:
            parsed = self._embedded(item)
            if parsed is not None:
                # "ch. 15": the term of the label written in the value ("chapter"),
                # plural for a range or list
                plural = parsed.plural
                variable = embedded = parsed.label
        if plural is None:
            plural = self._is_plural(item)
        text = super().process(item, variable, plural, context=context, **kwargs)
        if not text and embedded is not None and self.get("form") == "short":
            text = _short_term(self, embedded, bool(plural))  # no short term: the long one
        rendered_something(item, text, sort_options=kwargs.get("sort_options"))
        return text

    def _has_variable(self, item: Any) -> bool:
        variable = self.get("variable")
        if not variable:
            return True
        if variable == "locator":
            return bool(getattr(item, "has_locator", False))
        try:
            value = item.reference.get(variable.replace("-", "_"), None)
        except AttributeError:
            return True
        return value is not None and str(value).strip() != ""

    def markup(self, text: Any) -> Any:
        """Case, formatting and affixes around the term (its apostrophes typographic)."""
        if not text:
            return None
        term = str(text).replace("'", "\u2019")  # as citeproc-js: "ch'ppie" gives "ch’ppie"
        return self.wrap(str(self.format(self.rich_case(term, None))))


@element("number")
class Number(_Rendered, model.Number):  # type: ignore[misc]
    """``cs:number``: forms applied to each number of a range or list; escaped text."""

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        """The formatted number(s), or None."""
        variable = self.get("variable")
        if not variable:
            return None
        if kwargs.get("sort_options") is None and is_substituted(item, variable):
            return None
        text: Any = None
        if variable == "locator":
            label = str(getattr(item.locator, "label", "") or "page")
            text = labelled_numbers(self, item.locator.identifier, variable, own=label)
        elif variable != "page-first":
            value = item.reference.get(variable.replace("-", "_"))
            if value is not None:
                text = labelled_numbers(self, value, variable)
        if text is not None:
            pass
        elif variable in ("locator", "page-first"):
            text = super().process(item, context=context, **kwargs)
        else:  # citeproc-py looks up "number-of-volumes" by its CSL name, not its key
            text = self._process(item.reference[variable.replace("-", "_")], variable)
        note_substituted(item, "text", variable, text, **kwargs)
        rendered_something(item, text, sort_options=kwargs.get("sort_options"))
        return None if text is None else passes.escape(html.unescape(str(text)))

    def _process(self, value: Any, variable: str) -> Any:
        return format_numbers(self, value, variable)

    def markup(self, text: Any) -> Any:
        """Case, formatting and affixes around the number."""
        if not text:
            return None
        return self.wrap(str(self.format(self.rich_case(str(text), None))))


# Ordinals -----------------------------------------------------------------------

_CSL = {"cs": "http://purl.org/net/xbiblio/csl"}
_ORDINAL_TERM = re.compile(r"^ordinal(-\d\d)?$")


def _locales(node: Any) -> list[Any]:
    """The locales ``node``'s terms are looked up in, in order (in-style ones first)."""
    root = node.get_root()
    locales = getattr(root, "locales", None)
    if not isinstance(locales, list):
        return [root]  # a locale file's own elements
    return locales


def _terms(locale: Any) -> list[Any]:
    """The ``cs:term`` elements of a locale (remembered: locales do not change)."""
    found: list[Any] | None = vars(locale).get("_citekit_term_list")
    if found is None:
        terms = locale.find("cs:terms", _CSL)
        found = [] if terms is None else list(terms.iterfind("cs:term", _CSL))
        vars(locale)["_citekit_term_list"] = found
    return found


def _term_text(term: Any) -> str:
    single = term.find("cs:single", _CSL)
    text = single.text if single is not None else term.text
    return text or ""


def term_gender(node: Any, name: str) -> str | None:
    """The grammatical gender ("masculine", "feminine") of the noun term ``name``, or None.

    The first locale that defines the term (long form) decides: CSL's
    ``gender`` attribute on ``cs:term``.
    """
    for locale in _locales(node):
        for term in _terms(locale):
            if term.get("name") == name and term.get("form") in (None, "long"):
                gender = term.get("gender")
                return str(gender) if gender else None
    return None


def _pick(terms: list[Any], name: str, gender: str | None, matches: Any) -> str | None:
    """The text of term ``name`` in ``gender``'s form (else the neuter one) that ``matches``."""
    candidates = [t for t in terms if t.get("name") == name and matches(t)]
    for wanted in (gender, None):
        for term in candidates:
            if term.get("gender-form") == wanted:
                return _term_text(term)
    return None


def ordinal(node: Any, number: int, gender: str | None = None) -> str:
    """``number`` with its ordinal suffix ("1st", "22nd", "1ʳᵉ"), per CSL 1.0.2.

    The ordinal terms of the first locale that defines any (in-style locales
    first) replace those of the others. ``ordinal-10`` to ``ordinal-99``
    match the last two digits (or, with ``match="whole-number"``, the whole
    number) and win over ``ordinal-00`` to ``ordinal-09``, which match the
    last digit (or ``match="last-two-digits"``, ``"whole-number"``); then
    ``ordinal``. A term in the noun's ``gender`` form wins over a neuter one.
    """
    terms: list[Any] = []
    for locale in _locales(node):
        terms = [t for t in _terms(locale) if _ORDINAL_TERM.match(t.get("name") or "")]
        if terms:
            break
    value = abs(number)
    two, last = value % 100, value % 10

    def two_digits(term: Any) -> bool:
        match = term.get("match", "last-two-digits")
        return match != "whole-number" or value == two

    def one_digit(term: Any) -> bool:
        match = term.get("match", "last-digit")
        if match == "whole-number":
            return value == last
        if match == "last-two-digits":
            return two == last
        return True

    suffix = None
    if two >= 10:
        suffix = _pick(terms, f"ordinal-{two:02}", gender, two_digits)
    if suffix is None:
        suffix = _pick(terms, f"ordinal-{last:02}", gender, one_digit)
    if suffix is None:
        suffix = _pick(terms, "ordinal", gender, lambda term: True) or ""
    return f"{number}{suffix}"


def long_ordinal(node: Any, number: int, gender: str | None = None) -> str:
    """``number`` as a word ("first", "deuxième") up to ten, else as :func:`ordinal`."""
    if 1 <= number <= 10:
        name = f"long-ordinal-{number:02}"
        for locale in _locales(node):
            word = _pick(_terms(locale), name, gender, lambda term: True)
            if word is not None:
                return word
    return ordinal(node, number, gender)


# Page ranges ------------------------------------------------------------------

_DIGITS = re.compile(r"^([A-Za-z\d]*?)(\d+)$")


_RANGE = re.compile(r"\s*(?<!\\)[-\u2013]\s*")
_ROMAN = re.compile(r"^[ivxlcdm]+$|^[IVXLCDM]+$")


_LEAF = re.compile(r"^\d+(?:\\-\d+)+$")  # "70\\-72": one number, its hyphen escaped


def _numeric_side(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z]*\d+$", text) or _ROMAN.match(text) or _LEAF.match(text))


def is_plural_number(value: str) -> bool:
    """True when a number variable holds several numbers: "1-3", "i–ix", "2, 5", "1 and 2".

    A hyphen escaped as ``\\-`` is not a range, and a hyphen between things
    that are not numbers ("3-B", "Michaelson-Morely") is not either.
    """
    separators = r"(?<!\\)[-\u2013,&]|\s+[^\s\d]+\s+"  # "1-3", "1, 3", "1 and 3"
    parts = [p.strip() for p in re.split(separators, html.unescape(value))]
    parts = [p for p in parts if p]
    return len(parts) > 1 and all(_numeric_side(p) or _DIGITS.match(p) for p in parts)


def _roman(number: int) -> str:
    numerals = (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    )  # fmt: skip
    out = []
    for value, letters in numerals:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def number_form(node: Any, text: str, variable: str) -> str:
    """One number in the ``form`` of a ``cs:number`` (``node``); other elements keep it as is.

    ``ordinal`` and ``long-ordinal`` take the gender of the variable's noun
    term (``edition``, ``issue``, a locator's label), ``roman`` gives lower
    case roman numerals; text that is not a plain number is left as written,
    and so is a number written with a leading zero ("001", "02", "0"), as
    citeproc-js keeps it in every form.
    """
    if not isinstance(node, Number) or text.startswith("0"):
        return text
    form = node.get("form", "numeric")
    try:
        value = int(text)
    except ValueError:
        return text
    noun = "page" if variable.startswith("page") or variable == "number-of-pages" else variable
    if form == "ordinal":
        return ordinal(node, value, term_gender(node, noun))
    if form == "long-ordinal":
        return long_ordinal(node, value, term_gender(node, noun))
    if form == "roman" and 0 < value < 4000:
        return _roman(value)
    return str(value)


def format_numbers(node: Any, value: Any, variable: str, forms: bool = True) -> str:
    """A number variable's value, escaped: each range and list item formatted.

    As citeproc-js does it: "12-15" is a range: its parts are formatted
    (``cs:number`` forms), joined by the locale's ``page-range-delimiter``
    (an en dash by default), the second shortened by ``page-range-format``
    for pages unless it is lower than the first ("856-106"). Roman numerals
    are numbers too ("iv-x", "C-25"). A hyphen or en dash between things that
    are not numbers with the same letter prefix ("3-B", "N110-5",
    "3:1-3:19", "??-??", "3.–4.") is kept as written, as is an escaped
    ``\\-``; so are the commas between the items of a list (an ampersand
    is the locale's "and" symbol, spaced after a number).
    With ``forms`` false, a ``cs:number``'s ``form`` is not applied.
    """
    text = html.unescape(str(value))
    page = variable.startswith("page")
    delimiter = html.unescape(str(node.get_single_term(name="page-range-delimiter") or ""))
    delimiter = delimiter or "\u2013"
    form = node.get_root().get("page-range-format") if variable == "page" else None

    plain = not forms  # (after a word joined by spaces, numbers keep no form either)

    def form_of(number: str) -> str:
        return number if plain else number_form(node, number, variable)

    def one(item: str) -> str:
        parts = _RANGE.split(item.strip())
        if len(parts) != 2:
            return passes.escape(form_of(item.strip()).replace("\\-", "-"))
        first, last = parts
        written = _RANGE.search(item.strip())
        dash = written.group(0).strip() if written is not None else "-"
        if ("\\-" in first or "\\-" in last) and all(
            _LEAF.match(side) or _DIGITS.match(side) for side in (first, last)
        ):  # "70\\-72-83\\-84": a range of two numbers written with a hyphen
            return passes.escape((first + delimiter + last).replace("\\-", "-"))
        first_roman, last_roman = bool(_ROMAN.match(first)), bool(_ROMAN.match(last))
        first_match, last_match = _DIGITS.match(first), _DIGITS.match(last)
        numbers = (first_roman or first_match) and (last_roman or last_match)
        if numbers and (first_roman or last_roman):
            return passes.escape(first + delimiter + last)
        if (
            first_match is None
            or last_match is None
            or last_match.group(1) not in ("", first_match.group(1))
        ):
            return passes.escape(f"{first}{dash}{last}".replace("\\-", "-"))
        if first_match.group(1) and not last_match.group(1):
            return passes.escape(f"{first}{dash}{last}")  # "N110-5": a prefix on one side only
        if variable == "page-first":
            return passes.escape(form_of(first))
        if page and not (
            not plain and isinstance(node, Number) and node.get("form", "numeric") != "numeric"
        ):
            # (pages in a cs:number form, "10th–12th", are not shortened)
            digits_first, digits_last = first_match.group(2), last_match.group(2)
            if int(digits_last) < int(digits_first) and len(digits_last) >= len(digits_first):
                return passes.escape(first + delimiter + last)
            shortened = format_page_range(first, last, form)
            return passes.escape(first + delimiter + shortened)
        return passes.escape(form_of(first) + delimiter + form_of(last))

    pieces = _LIST_SEPARATOR.split(text)
    formatted = []
    for index, piece in enumerate(pieces):
        if index % 2 and piece.strip() == "&":
            # As citeproc-js: an ampersand between items is the locale's "and"
            # in symbol form, spaced after a number ("213 & 235", "3&4" as
            # "3 & 4"), else joined ("Q&A", "Part A & B" as "Part A&B")
            symbol = html.unescape(str(node.get_single_term(name="and", form="symbol") or "&"))
            spaced = pieces[index - 1][-1:].isdigit()
            if not pieces[index + 1].strip():  # "7 &" ending the text: no space after
                formatted.append(passes.escape(piece.rstrip().replace("&", symbol)))
            else:
                formatted.append(passes.escape(f" {symbol} " if spaced else symbol))
        elif index % 2:
            formatted.append(passes.escape(piece))
            # As citeproc-js: a word between numbers other than "and" ("10
            # pos. 1-6", "294, esp. 1536-1538") ends the form ("x pos. 1–6")
            word = "".join(c for c in piece if c.isalpha()).lower()
            if word and word not in _LIST_WORDS:
                plain = True
        else:
            formatted.append(one(piece))
    return passes.protect_punctuation("".join(formatted))


_LIST_WORDS = frozenset({"and"})
_QUOTE_MARKS = re.compile("[\"'\u2018\u2019\u201c\u201d]")
_NUMBER_TOKEN = re.compile(r"[0-9A-Za-z]+")

# Between the items of a list: a comma or ampersand, or a word between numbers
# ("12-14 and 15-17", "294, esp. 1536-1538"), kept as written.
_LIST_SEPARATOR = re.compile(
    r"((?<=\d)\s*[,&]\s*[A-Za-z]+\.?\s+(?=\d)|\s*[,&]\s*|(?<=\d)\s+[A-Za-z]+\.?\s+(?=\d))"
)


def labelled_numbers(node: Any, value: Any, variable: str, own: str | None = None) -> str | None:
    """A number variable's value with the labels written in it, escaped; None if it has none.

    The value is split as :func:`citekit.csl.numbers.parse_number` says: the
    numbers of the first segment are formatted as :func:`format_numbers`
    does (with the ``cs:number``'s form); a label split off the start is
    left to ``cs:label``, except in ``page``, where it is printed in short
    form ("ch. 15" as "chap. 15"); a label in the middle is printed in
    short form, plural for a range or list ("10 n. 11-13" as
    "10 nn. 11–13"); a segment the variable does not split is kept as
    written. ``own`` is a locator's label.
    """
    parsed = numbers.parse_number(html.unescape(str(value)), variable, own)
    if parsed is None:
        return None
    first_variable = variable
    if variable == "locator":
        first_variable = "page" if own == "page" else variable
    pieces = []
    for index, segment in enumerate(parsed.segments):
        if segment.literal:
            pieces.append(passes.escape(segment.written))
            continue
        if index == 0:
            groups = [format_numbers(node, group, first_variable) for group in segment.groups]
        else:
            groups = [
                format_numbers(node, group, "number", forms=False) for group in segment.groups
            ]
        text = " ".join(groups)
        if segment.label is not None and (index > 0 or variable == "page"):
            term = _short_term(node, segment.label, segment.plural) or segment.written
            if "%s" in term:
                # (citeproc-js: a term with "%s" wraps each number, "[%s]" as "[1]–[6]")
                text = _wrapped_numbers(text, passes.escape(term))
            else:
                text = passes.escape(term) + " " + text
        pieces.append(text)
    return " ".join(pieces)


def _wrapped_numbers(text: str, wrapper: str) -> str:
    """Each number of ``text`` put in the ``%s`` of ``wrapper``."""
    return _NUMBER_TOKEN.sub(lambda match: wrapper.replace("%s", match.group(0)), text)


def _short_term(node: Any, name: str, plural: bool) -> str:
    """Term ``name`` in short form (else long), singular or plural; "" if no locale has it."""
    names = (name, "sub verbo") if name == "sub-verbo" else (name,)  # (its CSL 1.0 name)
    for form in ("short", None):
        for candidate in names:
            term = node.get_term(candidate, form)
            if term is not None:
                return str(term.multiple if plural else term.single)
    return ""


def format_page_range(first: str, last: str, form: str | None) -> str:
    """The second number of a page range ``first``-``last`` in ``page-range-format`` ``form``.

    CSL 1.0.2: ``expanded`` (and no form) gives it in full; ``minimal`` drops
    the digits it shares with the first; ``minimal-two`` keeps at least two;
    ``chicago`` (``chicago-16``, ``chicago-15``) follows the Chicago Manual's
    table. Anything but plain numbers with the same prefix ("xi"-"xx",
    "A1"-"B5") is left as written.
    """
    first_match, last_match = _DIGITS.match(first), _DIGITS.match(last)
    if not first_match or not last_match:
        return last
    prefix, first_digits = first_match.groups()
    last_prefix, last_digits = last_match.groups()
    if last_prefix and last_prefix != prefix:
        return last
    if form not in ("expanded", "minimal", "minimal-two", "chicago", "chicago-16", "chicago-15"):
        return last  # no page-range-format: the range as written
    if len(last_digits) < len(first_digits):
        # "100-4": written short already; expand it from the first number.
        last_digits = first_digits[: len(first_digits) - len(last_digits)] + last_digits
    if int(last_digits) < int(first_digits) or (
        len(last_digits) != len(first_digits) and form == "expanded"
    ):
        return prefix + last_digits if last_prefix else last_digits
    if len(last_digits) != len(first_digits):
        # more digits than the first ("B9-B10"): every digit, and no prefix
        # ("B9–10", as citeproc-js shortens it)
        return last_digits
    if last_digits == first_digits:
        # a range of one page is kept as written, whole ("22-22") or short
        # ("197-97"), as citeproc-js keeps it
        return last
    if form == "expanded":
        return (prefix + last_digits) if last_prefix else last_digits
    common = 0
    while common < len(first_digits) - 1 and first_digits[common] == last_digits[common]:
        common += 1
    if form == "minimal":
        return last_digits[common:]
    if form == "minimal-two":
        return last_digits[min(common, max(len(first_digits) - 2, 0)) :]
    if form in ("chicago", "chicago-16", "chicago-15"):
        number = int(first_digits)
        if number < 100 or number % 100 == 0:
            return last_digits
        if form in ("chicago", "chicago-15") and len(first_digits) == 4 and common < 2:
            return last_digits
        if number % 100 < 10:
            return last_digits[common:]
        return last_digits[min(common, max(len(first_digits) - 2, 0)) :]
    return last_digits
