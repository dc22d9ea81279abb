"""The documentation site: where a new user starts, and pages that work offline."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
MAINTAINER_PAGES = {
    "conformance.md",
    "differential.md",
    "reliability.md",
    "performance.md",
    "architecture.md",
}


def config() -> dict[str, object]:
    loaded = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def pages(entries: list[object]) -> list[str]:
    found: list[str] = []
    for entry in entries:
        assert isinstance(entry, dict)
        for value in entry.values():
            found.extend(pages(value) if isinstance(value, list) else [str(value)])
    return found


def test_the_navigation_splits_user_pages_from_maintainer_pages() -> None:
    nav = config()["nav"]
    assert isinstance(nav, list) and len(nav) == 2
    (users,), (maintainers,) = (list(section) for section in nav)
    assert users == "User guide" and maintainers == "For maintainers"
    user_pages = pages(nav[0]["User guide"])
    maintainer_pages = pages(nav[1]["For maintainers"])
    assert set(maintainer_pages) == MAINTAINER_PAGES
    assert user_pages[:3] == ["index.md", "tutorial.md", "cli.md"]
    assert not set(user_pages) & MAINTAINER_PAGES
    # every page is in the navigation, once
    docs = REPO / "docs"
    on_disk = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")}
    assert sorted(user_pages + maintainer_pages) == sorted(on_disk)


def test_code_is_highlighted_without_a_cdn() -> None:
    settings = config()
    theme = settings["theme"]
    assert isinstance(theme, dict) and theme.get("highlightjs") is False
    extensions = settings["markdown_extensions"]
    assert isinstance(extensions, list)
    highlight = next(e for e in extensions if isinstance(e, dict) and "pymdownx.highlight" in e)
    assert highlight["pymdownx.highlight"]["use_pygments"] is True
    assert settings["extra_css"] == ["css/pygments.css"]
    css = (REPO / "docs" / "css" / "pygments.css").read_text(encoding="utf-8")
    assert ".highlight .k " in css  # keywords are styled
    assert not re.search(r"https?://", css.split("*/", 1)[1])  # nothing fetched


def test_the_home_page_says_how_to_install() -> None:
    home = (REPO / "docs" / "index.md").read_text(encoding="utf-8")
    assert "\n## Install\n" in home
    install = home.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    assert "pip install" in install and "Python 3.11" in install
