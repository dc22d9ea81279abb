"""The shape of the code: import arrows point one way, the harness stays out of rendering.

See docs/architecture.md. Imports are read from the source (every ``import``,
at module level or inside a function; those under ``if TYPE_CHECKING:`` are
left out, since they never run).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "citekit"
HARNESS = "citekit.conformance"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def imported(name: str) -> Iterator[tuple[str, ast.AST]]:
    """The citekit modules that module ``name`` imports, with the import statement."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            if target in MODULES and target != name:
                yield target, node


GRAPH = {name: {target for target, _ in imported(name)} for name in MODULES}


def cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def reachable(start: str) -> set[str]:
    seen: set[str] = set()
    pending = [start]
    while pending:
        for target in GRAPH[pending.pop()]:
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def test_the_graph_is_read() -> None:
    # a check of the reader itself: known arrows are there
    assert "citekit.csl.engine" in GRAPH["citekit.formatters.csl"]
    assert "citekit.csl.positions" in GRAPH["citekit.csl.elements.citations"]
    assert "citekit.csl.elements.state" in GRAPH["citekit.csl.elements.names"]
    assert "citekit.csl.engine" in GRAPH[HARNESS]


def test_no_import_cycle_among_citekits_modules() -> None:
    assert cycles() == []


def test_a_cycle_would_be_found() -> None:
    GRAPH["citekit.csl.positions"].add("citekit.csl.elements.citations")
    try:
        assert any("citekit.csl.positions" in c for c in cycles())
    finally:
        GRAPH["citekit.csl.positions"].discard("citekit.csl.elements.citations")


def test_rendering_imports_nothing_of_the_harness() -> None:
    runtime = [
        name
        for name in MODULES
        if name.startswith(("citekit.csl", "citekit.formatters", "citekit.manuscript"))
    ]
    assert len(runtime) > 20
    leaking = sorted(name for name in runtime if HARNESS in reachable(name) | {name})
    assert leaking == []


def test_rendering_loads_nothing_of_the_harness_when_it_runs() -> None:
    code = """
import sys
from pathlib import Path
import citekit
from citekit.formatters.csl import CslFormatter
from citekit.manuscript import render_manuscript
library = citekit.load(Path("examples/serge/serge.bib"))
key = next(iter(library))
for style in ("apa", "chicago-notes-bibliography-subsequent-ibid", "ieee"):
    formatter = CslFormatter(style, output="html")
    assert formatter.bibliography(library)
    assert formatter.document(list(library.values()), [key])
render_manuscript(f"Text [@{key}, 3].", library)
print(sorted(m for m in sys.modules if m.startswith("citekit.conformance")))
"""
    repo = SRC.parent
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo
    )
    assert out.stdout.strip() == "[]"


PRIVATE_ENGINE_PREFIXES = ("citekit.csl", "citekit.formatters")


def test_the_manuscript_renderer_uses_only_public_engine_names() -> None:
    """No private name imported from the engine, no private attribute of another object."""
    offences = []
    for name, path in MODULES.items():
        if not name.startswith("citekit.manuscript"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                PRIVATE_ENGINE_PREFIXES
            ):
                offences += [
                    f"{name}:{node.lineno}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                offences.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert offences == []
