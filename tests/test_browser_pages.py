"""One built page of each integration (Sphinx, MkDocs), opened in headless Chromium.

The page is rendered by a real browser (``--dump-dom`` gives the DOM after
parsing and scripts), and the citation and reference texts are read from it.
Needs Chromium (Debian's ``chromium`` package; see tests/oracles.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from lxml import html as lxml_html

from oracles import needs, require

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge" / "serge.bib"
pytestmark = needs("chromium")


def dump_dom(page: Path, profile: Path) -> lxml_html.HtmlElement:
    (chromium,) = require("chromium")
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<html" in done.stdout
    return lxml_html.fromstring(done.stdout)


def words(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_sphinx_page_in_chromium(tmp_path: Path) -> None:
    src = tmp_path / "sphinx"
    src.mkdir()
    shutil.copy(SERGE, src / "serge.bib")
    (src / "conf.py").write_text(
        'extensions = ["citekit.sphinx"]\nbibtex_bibfiles = ["serge.bib"]\ncitekit_style = "apa"\n'
    )
    (src / "index.rst").write_text(
        "Essay\n=====\n\nBurnham :cite:p:`burnham1945`; :cite:t:`serge1944`.\n\n.. bibliography::\n"
    )
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(src / "out")],
        check=True,
        timeout=600,
    )
    dom = dump_dom(src / "out" / "index.html", tmp_path / "profile")
    cites = [words(e) for e in dom.xpath('//span[contains(@class, "citekit-cite")]')]
    assert cites == ["(Burnham, 1945)", "Serge (1945)"]
    entries = [words(e) for e in dom.xpath('//p[contains(@class, "csl-entry")]')]
    assert entries == [
        "Burnham, J. (1945). Lenin’s Heir. Partisan Review, 12(1).",
        "Serge, V. (1945). Lenin’s Heir? (M. Abidor, Trans.). "
        "https://www.marxists.org/archive/serge/1945/05/lenins-heir.htm",
    ]
    hrefs = dom.xpath('//a[contains(@class, "citekit-citation")]/@href')
    assert [h.split("#")[1] for h in hrefs] == [
        "bibliography-index-0-burnham1945",
        "bibliography-index-0-serge1944",
    ]


def test_mkdocs_page_in_chromium(tmp_path: Path) -> None:
    root = tmp_path / "mkdocs"
    (root / "docs").mkdir(parents=True)
    shutil.copy(SERGE, root / "serge.bib")
    (root / "docs" / "index.md").write_text(
        "# Essay\n\nBurnham [@burnham1945]; @serge1944 answered.\n"
    )
    (root / "mkdocs.yml").write_text(
        "site_name: test\nplugins:\n  - citekit:\n      bibliography: serge.bib\n"
        "      style: apa\n      bibliography_title: References\n"
    )
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(root / "mkdocs.yml")],
        check=True,
        timeout=600,
    )
    dom = dump_dom(root / "site" / "index.html", tmp_path / "profile")
    paragraph = words(dom.xpath('//p[contains(., "Burnham (")]')[0])
    assert paragraph == "Burnham (Burnham, 1945); Serge (1945) answered."
    heading = dom.xpath('//h2[@id="references"]')
    assert heading and words(heading[0]) == "References"
    entries = [words(p) for p in dom.xpath('//p[span[starts-with(@id, "ref-")]]')]
    assert entries == [
        "Burnham, J. (1945). Lenin’s Heir. Partisan Review, 12(1).",
        "Serge, V. (1945). Lenin’s Heir? (M. Abidor, Trans.). "
        "https://www.marxists.org/archive/serge/1945/05/lenins-heir.htm",
    ]
