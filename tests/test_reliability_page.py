"""docs/reliability.md names the test behind each guarantee: those tests must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_named_on_the_reliability_page_exists() -> None:
    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    references = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", page)
    assert len(references) >= 15
    for path, name in references:
        source = ROOT / path
        assert source.is_file(), f"{path} named in docs/reliability.md does not exist"
        if name:
            assert re.search(rf"^def {name}\(", source.read_text(), re.M), f"{path}::{name}"
