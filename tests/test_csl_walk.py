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
