"""The documented API type-checks: mypy --strict accepts the examples of README and docs/.

Every ```python block of a page becomes part of one module per page, in the
page's order (as tests/test_docs.py runs them), and mypy checks them all in
strict mode against the installed citekit. A documented call that a
type checker rejects (``citekit.formatter("csl", ...).bibliography(...)``
typed as a bare Formatter, a value that may be None used without a check)
fails here, with the page and line in the message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from test_docs import PAGES, blocks

pytest.importorskip("mypy")


def test_mypy_strict_accepts_the_documented_examples(tmp_path: Path) -> None:
    modules = 0
    for page in PAGES:
        code = [f"# {b.page}:{b.line}\n{b.text}" for b in blocks(page) if b.language == "python"]
        if code:
            name = page.stem.replace("-", "_").lower()
            (tmp_path / f"docs_{name}.py").write_text("\n".join(code), encoding="utf-8")
            modules += 1
    assert modules >= 10  # README and most pages have Python examples
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "--show-error-codes",
            ".",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        lines = []
        for line in run.stdout.splitlines():
            # Name each error by the page and line it comes from.
            file, _, rest = line.partition(":")
            number, _, message = rest.partition(":")
            module = tmp_path / file
            if module.is_file() and number.isdigit():
                source = module.read_text(encoding="utf-8").splitlines()[: int(number)]
                marker = next(x for x in reversed(source) if x.startswith("# ") and ".md:" in x)
                page, _, start = marker[2:].rpartition(":")
                offset = int(number) - 1 - source.index(marker)
                line = f"{page}:{int(start) + offset - 1}:{message}"
            lines.append(line)
        pytest.fail("mypy --strict rejects documented examples:\n" + "\n".join(lines))
