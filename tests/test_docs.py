"""The examples in the documentation run, so they cannot rot.

Every ```python block of each page of docs/ and of README.md is executed, in
one namespace per page; every ```console block whose first line is
``$ citekit ...`` is run through the command line, and the output it shows
(when it shows some) must be what the command prints. A page's blocks run in
the page's order, as a reader would run them, in a temporary folder holding a
copy of examples/, so writes do not touch the repository and paths read as
they do from the repository's root (``examples/serge/serge.bib``).

In console blocks, a ``$ echo $?`` line checks the exit status of the command
before it (otherwise a command must succeed), and a line ``...`` in the
shown output stands for any number of lines.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import traceback
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from citekit import plugins
from citekit.cli import main

REPO = Path(__file__).resolve().parents[1]
PAGES = [*sorted((REPO / "docs").rglob("*.md")), REPO / "README.md"]

FENCE = re.compile(
    r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S
)


def page_id(page: Path) -> str:
    """A page's path relative to the repository (its name if it is elsewhere)."""
    return str(page.relative_to(REPO)) if page.is_relative_to(REPO) else page.name


@attrs.frozen
class Block:
    """A fenced code block of a page: its language, text and first line's number."""

    page: str
    line: int
    language: str
    text: str


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, in order."""
    source = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(source):
        indent = len(match.group("indent"))
        body = "".join(line[indent:] for line in match.group("body").splitlines(keepends=True))
        line = source.count("\n", 0, match.start("body")) + 1
        language = match.group("info").strip().split(" ")[0].lower()
        found.append(Block(page_id(page), line, language, body))
    return found


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A temporary folder with a copy of examples/, as the current directory."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def test_the_pages_have_examples() -> None:
    """The tutorial and the README are among the pages, with blocks of both kinds."""
    names = {page_id(p) for p in PAGES}
    assert {"README.md", "docs/tutorial.md", "docs/cli.md", "docs/plugins.md"} <= names
    tutorial = blocks(REPO / "docs" / "tutorial.md")
    assert sum(b.language == "python" for b in tutorial) >= 5
    assert any(b.language == "console" for b in tutorial)


def run_python(block: Block, namespace: dict[str, object]) -> None:
    """Execute a python block in the page's namespace; fail with the page and line."""
    # Pad with blank lines so that tracebacks give the line in the page.
    code = compile("\n" * (block.line - 1) + block.text, block.page, "exec")
    try:
        exec(code, namespace)
    except Exception:
        pytest.fail(
            f"{block.page}:{block.line}: the example fails:\n{traceback.format_exc(limit=-3)}",
            pytrace=False,
        )


def run_cli(argv: list[str]) -> tuple[int, str]:
    """Run citekit in-process; its exit status and output (stdout and stderr, interleaved)."""
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n", write_through=True)
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        status = main(argv)
    stream.flush()
    return status, buffer.getvalue().decode("utf-8")


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line equality, where a line ``...`` in ``expected`` matches any lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def commands(block: Block) -> Iterator[tuple[int, str, list[str]]]:
    """The commands of a console block: (line number, command, shown output lines)."""
    current: tuple[int, str, list[str]] | None = None
    for offset, line in enumerate(block.text.splitlines()):
        if line.startswith("$ "):
            if current is not None:
                yield current
            current = (block.line + offset, line[2:].strip(), [])
        elif current is not None:
            current[2].append(line.rstrip())
    if current is not None:
        yield current


def run_console(block: Block) -> None:
    """Run the citekit commands of a console block; check the output and statuses shown."""
    status: int | None = None
    for line, command, shown in commands(block):
        where = f"{block.page}:{line}"
        if command == "echo $?":
            assert status is not None, f"{where}: 'echo $?' must follow a command"
            assert [str(status)] == [s for s in shown if s], f"{where}: exit status {status}"
            status = None
            continue
        if status not in (None, 0):
            pytest.fail(f"{where}: the command before exited with {status}", pytrace=False)
        argv = shlex.split(command)
        assert argv[0] == "citekit", f"{where}: only citekit commands can run: {command}"
        status, output = run_cli(argv[1:])
        lines = [x.rstrip() for x in output.splitlines()]
        while shown and not shown[-1]:
            shown.pop()
        if shown and not matches(shown, lines):
            pytest.fail(
                f"{where}: `{command}` printed:\n{output}\nbut the page shows:\n"
                + "\n".join(shown),
                pytrace=False,
            )
    if status not in (None, 0):
        pytest.fail(
            f"{block.page}:{block.line}: the last command exited with {status}", pytrace=False
        )


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_examples(page: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The python and console examples of a page, in the page's order, in one folder."""
    # Plug-ins a page registers at run time stay with the page, even when it fails.
    registered = {group: dict(names) for group, names in plugins._registered.items()}
    monkeypatch.setattr(plugins, "_registered", registered)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in blocks(page):
        if block.language == "python":
            run_python(block, namespace)
        elif block.language == "console" and block.text.startswith("$ citekit"):
            run_console(block)


# -- the checker itself -------------------------------------------------------------


def test_matches_with_ellipsis() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert matches([], [])


def test_blocks_are_found_with_their_lines(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    text = "# t\n\n```python\nx = 1\n```\n\n- item\n\n  ```console\n  $ citekit --version\n  ```\n"
    page.write_text(text, encoding="utf-8")
    found = blocks(page)
    assert [(b.line, b.language, b.text) for b in found] == [
        (4, "python", "x = 1\n"),
        (10, "console", "$ citekit --version\n"),
    ]


# -- README's commands and the docs' helpers ------------------------------------------


def readme_command(name: str) -> str:
    """The command between <!-- name --> and <!-- /name --> in README.md, as .ci/run reads it."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^<!-- {name} -->\n(.*?)^<!-- /{name} -->$", text, re.M | re.S)
    assert match, f"README.md has no <!-- {name} --> ... <!-- /{name} --> section"
    lines = [x for x in match.group(1).splitlines() if x.strip() and not x.startswith("```")]
    assert len(lines) == 1, f"README.md's {name} section must hold one command, not {lines}"
    return lines[0]


def test_readme_commands_are_what_ci_runs() -> None:
    install = readme_command("install")
    assert install.startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && ")
    main_job = shlex.split(install.rsplit("&& ", 1)[1])
    program, command, path = main_job[:3]
    assert (program, command) == (".venv/bin/citekit", "bib")
    assert (REPO / path).is_file()
    # The main job the README promises is one of its console examples too.
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "$ " + " ".join(["citekit", *main_job[1:]]) in text
    assert readme_command("test") == ".venv/bin/python -m pytest"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "install=$(readme_command install)" in ci
    assert "tests=$(readme_command test)" in ci


def test_sphinx_roles_become_code_spans() -> None:
    pytest.importorskip("griffe")
    import importlib.util

    spec = importlib.util.spec_from_file_location("roles", REPO / "docs" / "griffe_sphinx_roles.py")
    assert spec is not None and spec.loader is not None
    roles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roles)
    text = "Raises :class:`~citekit.ParseError`; see :func:`citekit.load` and::\n\n    x\n"
    assert roles.markdown(text) == "Raises `ParseError`; see `citekit.load` and:\n\n    x\n"
