"""The render walk's plans (``citekit.csl.elements.text.walk_plan``).

They are made when a style is loaded, hold only frozen values (tuples,
frozensets, text, flags, the style's own elements and functions), are not
replaced or changed by rendering, and a condition kept as parsed values
decides as the condition's function does. The works are real ones, from
tests/corpus/healy-socbib.bib.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

import citekit
from citekit.csl.cite import session as sessions
from citekit.csl.elements import text
from citekit.csl.elements.citations import _Conditions
from citekit.csl.engine import Processor
from citekit.csl.styles import load_style
from citekit.formatters.csl import CslFormatter

pytest.importorskip("citeproc")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
STYLES = ["apa", "chicago-notes-bibliography", "ieee"]
_NS = "{http://purl.org/net/xbiblio/csl}"
#: Where each element keeps its plan.
PLAN_KEYS = (
    "_citekit_walk",
    "_citekit_macro_plan",
    "_citekit_plan",
    "_citekit_names_plan",
    "_citekit_spec",
)


@pytest.fixture(scope="module")
def works() -> list[citekit.Work]:
    return list(citekit.load(CORPUS / "healy-socbib.bib").values())[:60]


def _plans(root: Any) -> dict[tuple[int, str], Any]:
    return {
        (id(node), key): vars(node)[key]
        for node in root.iter()
        for key in PLAN_KEYS
        if key in vars(node)
    }


def _frozen(value: Any, root: Any, seen: set[int] | None = None) -> bool:
    """Whether ``value`` holds nothing that can change: no list, dict or set, no object
    but the style's own elements and functions."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, types.FunctionType):
        return True
    if isinstance(value, tuple | frozenset):
        seen = set() if seen is None else seen
        if id(value) in seen:  # (plans share the plans of the macros they call)
            return True
        seen.add(id(value))
        return all(_frozen(part, root, seen) for part in value)
    return hasattr(value, "getroottree") and value.getroottree().getroot() is root


@pytest.mark.parametrize("name", STYLES)
def test_layouts_and_macros_are_planned_when_the_style_loads(name: str) -> None:
    root = load_style(name).root
    layouts = list(root.iter(f"{_NS}layout"))
    macros = list(root.iter(f"{_NS}macro"))
    assert layouts and macros
    for layout in layouts:
        assert isinstance(vars(layout).get("_citekit_walk"), tuple)
    for macro in macros:
        assert isinstance(vars(macro).get("_citekit_macro_plan"), tuple)
    plans = _plans(root)
    assert len(plans) > len(layouts) + len(macros)
    seen: set[int] = set()
    for (_, key), plan in plans.items():
        assert _frozen(plan, root, seen), key


@pytest.mark.parametrize("name", STYLES)
def test_rendering_leaves_the_plans_alone(name: str, works: list[citekit.Work]) -> None:
    formatter = CslFormatter(style=name, output="text")
    root = formatter.style.root
    before = _plans(root)
    entries = formatter.bibliography(works)
    assert len([entry for entry in entries if entry]) > len(works) // 2
    after = _plans(root)
    # (plans of elements first reached while rendering may be added; none is replaced)
    assert all(after[key] is plan for key, plan in before.items())
    seen: set[int] = set()
    assert all(_frozen(plan, root, seen) for plan in after.values())


@pytest.mark.parametrize("name", STYLES)
def test_condition_values_decide_as_the_condition_does(
    name: str, works: list[citekit.Work]
) -> None:
    formatter = CslFormatter(style=name, output="text")
    root = formatter.style.root
    processor = Processor.for_style(formatter.style, [formatter.item(w) for w in works])
    conditions = [
        vars(node)["_citekit_spec"]
        for node in root.iter()
        if isinstance(node, _Conditions) and "_citekit_spec" in vars(node)
    ]
    tested = [spec for spec in conditions if spec[0] != text.TEST_CALL]
    assert tested, "the style has conditions on types or variables"
    compared = 0
    for key in list(processor._bibliography.source):
        cite = sessions.probe(processor._bibliography, key)
        for spec in tested:
            expected = bool(spec[3](cite, None))
            assert text.holds(spec, cite, None, cite.reference) is expected, (key, spec[:3])
            compared += 1
    assert compared == len(tested) * len(works)


# -- elements the walk passes over (text.subtree_fields) ----------------------------

_GATED_MACROS = """
  <macro name="edition">
    <group delimiter=" ">
      <choose><if is-numeric="edition"><text term="edition" form="short"/></if></choose>
      <number variable="edition" form="ordinal"/>
    </group>
  </macro>
  <macro name="volume">
    <group delimiter=" "><text term="volume" form="short"/><text variable="volume"/></group>
  </macro>
  <macro name="disambiguated">
    <choose><if disambiguate="true"><text variable="title"/></if></choose>
  </macro>
  <macro name="short-title"><text variable="title" form="short"/></macro>
  <macro name="creators">
    <names variable="editor"><substitute><text macro="edition"/></substitute></names>
  </macro>
  <macro name="numbers">
    <choose>
      <if variable="volume" match="any"><text variable="volume"/></if>
      <else-if type="book"><text variable="number"/></else-if>
      <else><label variable="page"/></else>
    </choose>
  </macro>
  <macro name="typed">
    <choose><if type="book"><text term="in"/></if></choose>
  </macro>
  <macro name="typed-or-edition">
    <choose><if type="book" variable="edition" match="any"><text term="in"/></if></choose>
  </macro>
  <macro name="locator">
    <group delimiter=" ">
      <choose>
        <if locator="page"><label variable="locator" form="short"/></if>
        <else><label variable="locator"/></else>
      </choose>
      <text variable="locator"/>
    </group>
  </macro>
  <macro name="untested">
    <choose><if type="book" match="none"><text term="in"/></if></choose>
  </macro>
  <macro name="typed-and-edition">
    <choose><if type="book" variable="edition"><text term="in"/></if></choose>
  </macro>
"""


@pytest.fixture(scope="module")
def gating_style() -> Any:
    xml = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>gating</id><title>Gating</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      {_GATED_MACROS}
      <citation><layout>
        <text macro="edition"/><text macro="volume"/><text macro="disambiguated"/>
        <text macro="short-title"/><text macro="creators"/><text macro="numbers"/>
        <text macro="typed"/><text macro="typed-or-edition"/><text macro="typed-and-edition"/>
        <text macro="locator"/><text macro="untested"/>
      </layout></citation>
    </style>"""
    return load_style(xml.encode("utf-8"))


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        # a term in a branch only the field takes, and the field's number
        ("edition", {"edition"}),
        # a term printed beside the variable: the group is rendered (and suppressed)
        ("volume", None),
        # a disambiguate test counts in the rendering: never passed over
        ("disambiguated", None),
        # a short form may come from another field
        ("short-title", None),
        # names and their substitute
        ("creators", {"editor", "edition"}),
        # a condition that needs a field, then branches whose output needs one
        ("numbers", None),
        # a term under a type test: the item's type (one of the pseudo-fields)
        ("typed", {"citekit:type:book"}),
        # either the type or the field
        ("typed-or-edition", {"citekit:type:book", "edition"}),
        # both: one of them is enough to tell
        ("typed-and-edition", {"citekit:type:book"}),
        # the cite's locator, tested and printed
        ("locator", {"citekit:locator"}),
        # a term in a branch anything may take
        ("untested", None),
    ],
)
def test_what_renders_nothing_without_its_fields(
    gating_style: Any, macro: str, expected: set[str] | None
) -> None:
    from citekit.csl.elements import find_macro

    found = text.subtree_fields(find_macro(gating_style.root, macro))
    assert found == (frozenset(expected) if expected is not None else None)


def test_a_label_of_the_page_needs_the_page_field() -> None:
    """``page`` derives ``page-first``: no element reading a page* variable is passed over."""
    xml = b"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>p</id><title>P</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <macro name="m"><group><label variable="page"/><text variable="page"/></group></macro>
      <citation><layout><text macro="m"/></layout></citation>
    </style>"""
    from citekit.csl.elements import find_macro

    assert text.subtree_fields(find_macro(load_style(xml).root, "m")) is None


@pytest.mark.parametrize("name", STYLES)
def test_passing_over_changes_no_output(name: str, works: list[citekit.Work]) -> None:
    """Citations and bibliography are the same when the walk passes over nothing."""
    from citekit.csl.styles import find_style
    from citekit.formatters.csl import Citation, Cite

    citations = [Citation((Cite(work.key),)) for work in works]
    gated = CslFormatter(name).document(works, citations)
    # the same style parsed again (a comment makes it another text, not the
    # cached one), its plans made with no element passed over
    data = Path(find_style(name)).read_bytes() + b"<!-- parsed again -->"
    saved = text.subtree_fields
    try:
        text.subtree_fields = lambda node: None  # type: ignore[assignment]
        ungated = CslFormatter(data).document(works, citations)
    finally:
        text.subtree_fields = saved  # type: ignore[assignment]
    assert gated == ungated


@pytest.mark.parametrize(
    ("choose", "expected"),
    [
        # every branch needs a type or a field: none taken without them
        (
            '<if type="book"><text term="in"/></if>'
            '<else-if variable="edition"><text term="edition"/></else-if>',
            {"citekit:type:book", "edition"},
        ),
        # an else is taken whatever the item
        ('<if type="book"><text term="in"/></if><else><text term="and"/></else>', None),
        # a condition that may hold without anything
        ('<if variable="edition" match="none"><text term="in"/></if>', None),
        # a position test counts in the rendering
        ('<if position="first"><text term="in"/></if>', None),
    ],
)
def test_a_choose_takes_no_branch_without_what_its_conditions_need(
    choose: str, expected: set[str] | None
) -> None:
    xml = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
      <info><id>c</id><title>C</title><updated>2024-01-01T00:00:00+00:00</updated></info>
      <citation><layout><choose>{choose}</choose></layout></citation>
    </style>"""
    layout = load_style(xml.encode("utf-8")).root.citation.layout
    (element,) = [child for child in layout if isinstance(child.tag, str)]
    found = text._choose_fields(element)
    assert found == (frozenset(expected) if expected is not None else None)
