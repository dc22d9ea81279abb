"""citekit.mkdocs: real MkDocs builds (``python -m mkdocs build``), read back as HTML.

Texts are compared with what ``citekit cite``/``citekit bib`` and the CSL
formatter give for the same works and style.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

import citekit
from citekit.cli import main

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge" / "serge.bib"


def citekit_out(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(args)) == 0
    return out.getvalue().strip()


def site(tmp_path: Path, style: str, pages: dict[str, str], title: str | None = None) -> Path:
    root = tmp_path / "site-src"
    docs = root / "docs"
    docs.mkdir(parents=True)
    shutil.copy(SERGE, root / "serge.bib")
    for name, text in pages.items():
        (docs / name).write_text(text)
    options = f"      bibliography: serge.bib\n      style: {style}\n"
    if title:
        options += f"      bibliography_title: {title}\n"
    (root / "mkdocs.yml").write_text(
        f"site_name: test\nplugins:\n  - citekit:\n{options}"
        "nav:\n" + "".join(f"  - {n}\n" for n in pages)
    )
    return root


def build(root: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def page(root: Path, name: str = "") -> lxml_html.HtmlElement:
    path = root / "site" / name / "index.html"
    return lxml_html.parse(str(path)).getroot()


def texts(element: lxml_html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in element.xpath(xpath)]


def entries(element: lxml_html.HtmlElement) -> list[str]:
    return texts(element, '//p[span[starts-with(@id, "ref-")]]')


INDEX = """# Essay

Burnham argued [@burnham1945]; @serge1944 answered.

<!-- bibliography -->

## Afterword

The end.
"""
OTHER = """# Other

Davies [see @davies1941, p. 12] and Serge [@serge1944].
"""


@pytest.mark.parametrize("style", ["apa", "modern-language-association"])
def test_author_date_pages(tmp_path: Path, style: str) -> None:
    root = site(tmp_path, style, {"index.md": INDEX, "other.md": OTHER}, title="References")
    build(root)
    index = page(root)
    bib = str(root / "serge.bib")
    links = index.xpath('//a[starts-with(@href, "#ref-")]')
    assert " ".join(links[0].text_content().split()) in citekit_out(
        "cite", bib, "burnham1945", "--style", style
    )
    assert [a.get("href") for a in links] == ["#ref-burnham1945", "#ref-serge1944"]
    ids = set(index.xpath("//span/@id"))
    assert {"ref-burnham1945", "ref-serge1944"} <= ids
    # the references at the marker (before the afterword), as `citekit bib` prints them
    everything = citekit_out("bib", bib, "--style", style).splitlines()
    wanted = [line for line in everything if "Burnham" in line or "Serge, V" in line]
    assert entries(index) == wanted
    body = lxml_html.tostring(index, encoding="unicode")
    assert body.index('id="references"') < body.index('ref-burnham1945"></span>')
    assert body.index('ref-serge1944"></span>') < body.index('id="afterword"')
    # the other page: its own references, in the style's order
    other = page(root, "other")
    assert len(entries(other)) == 2
    formatter = citekit.formatter("csl", style=style)
    library = citekit.load(bib)
    expected = formatter.citations(
        library,
        [citekit.formatters.csl.Cite("davies1941", "12", prefix="see "), "serge1944"],
    )
    cited = texts(other, '//a[starts-with(@href, "#ref-")]')
    assert [c.strip("()") for c in cited] == [e.strip("()") for e in expected]


def test_numeric_style_numbers_each_page(tmp_path: Path) -> None:
    root = site(tmp_path, "ieee", {"index.md": INDEX, "other.md": OTHER})
    build(root)
    assert texts(page(root), '//a[starts-with(@href, "#ref-")]') == ["[1]", "[2]"]
    assert [e[:3] for e in entries(page(root))] == ["[1]", "[2]"]
    assert texts(page(root, "other"), '//a[starts-with(@href, "#ref-")]')[0] == "see [1, p. 12]"


def test_note_style_footnotes(tmp_path: Path) -> None:
    style = "chicago-notes-bibliography"
    text = "# Notes\n\nA [@serge1944]. B [@burnham1945]. C [@serge1944].\n\n::: {#refs}\n:::\n"
    root = site(tmp_path, style, {"index.md": text})
    build(root)
    notes = texts(page(root), '//div[contains(@class, "footnote")]//li/p')
    notes = [n.rstrip("↩").strip() for n in notes]
    library = citekit.load(str(root / "serge.bib"))
    formatter = citekit.formatter("csl", style=style)
    assert notes == formatter.citations(library, ["serge1944", "burnham1945", "serge1944"])
    assert len(entries(page(root))) == 0  # no links in a note style: entries have no anchor
    listed = texts(page(root), "//p")
    assert any(p.startswith("Burnham, James. “Lenin’s Heir.”") for p in listed)


def test_unknown_key_fails_strict_naming_page_and_key(tmp_path: Path) -> None:
    root = site(tmp_path, "apa", {"index.md": INDEX, "other.md": "# Other\n\nBad [@sege1944].\n"})
    done = build(root, check=False)
    assert done.returncode != 0
    assert "other.md:3:6: unknown citation key 'sege1944' (did you mean 'serge1944'?)" in (
        done.stderr
    )


def test_page_without_citations_is_left_alone(tmp_path: Path) -> None:
    text = "# Plain\n\nMail me at someone@example.org; `[@serge1944]` is code.\n"
    root = site(tmp_path, "apa", {"index.md": text})
    build(root)
    paragraph = texts(page(root), "//p")
    assert "Mail me at someone@example.org; [@serge1944] is code." in paragraph


def test_rebuilds_reuse_the_manuscript_cache(tmp_path: Path) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    root = site(tmp_path, "apa", {"index.md": INDEX, "other.md": OTHER})

    def rebuild() -> citekit.manuscript.RenderResult:
        config = load_config(str(root / "mkdocs.yml"))
        config.plugins.on_startup(command="serve", dirty=False)
        mkdocs_build(config)
        plugin = config.plugins["citekit"]
        return plugin.results["index.md"]  # type: ignore[attr-defined, no-any-return]

    first = rebuild()
    assert not first.cache.document_hit
    again = rebuild()
    assert again.cache.document_hit and again.text == first.text
    (root / "docs" / "index.md").write_text(INDEX.replace("The end.", "The end [@davies1941]."))
    edited = rebuild()
    assert not edited.cache.document_hit
    assert edited.cache.citations_reused >= 1
    assert (root / ".citekit-cache").is_dir()


def test_options_files_list_and_no_links(tmp_path: Path) -> None:
    root = site(tmp_path, "apa", {"index.md": INDEX})
    (root / "more.yaml").write_text(
        "references:\n- id: extra2020\n  type: book\n  title: Extra\n"
        "  author: [{family: Extra, given: Ed}]\n  issued: {date-parts: [[2020]]}\n"
    )
    config = (root / "mkdocs.yml").read_text()
    config = config.replace(
        "      bibliography: serge.bib\n",
        "      bibliography: [serge.bib, more.yaml]\n      link_citations: false\n",
    )
    (root / "mkdocs.yml").write_text(config)
    (root / "docs" / "index.md").write_text(INDEX.replace("answered.", "answered [@extra2020]."))
    build(root)
    index = page(root)
    assert index.xpath('//a[starts-with(@href, "#ref-")]') == []
    paragraph = texts(index, '//p[contains(., "Burnham argued")]')[0]
    assert paragraph == "Burnham argued (Burnham, 1945); Serge (1945) answered (Extra, 2020)."
    listed = texts(index, "//p")
    assert "Extra, E. (2020). Extra." in listed


def test_a_missing_bibliography_file_stops_the_build(tmp_path: Path) -> None:
    root = site(tmp_path, "apa", {"index.md": INDEX})
    (root / "serge.bib").unlink()
    done = build(root, check=False)
    assert done.returncode != 0
    assert "citekit:" in done.stderr and "serge.bib" in done.stderr


def test_an_unknown_style_stops_the_build(tmp_path: Path) -> None:
    root = site(tmp_path, "no-such-style", {"index.md": INDEX})
    done = build(root, check=False)
    assert done.returncode != 0
    assert "citekit:" in done.stderr and "no-such-style" in done.stderr


def test_citations_in_admonitions_details_and_tabs(tmp_path: Path) -> None:
    text = """# Notes

!!! note "A note"

    Burnham argued [@burnham1945].

    ```text
    [@serge1944] in code stays as written
    ```

    ??? tip "Inside"

        Serge answered [@serge1944, p. 3].

    indented [@davies1941] after the block.

Outside [@davies1941].

    an indented code block [@nokey]
"""
    root = site(tmp_path, "apa", {"index.md": text})
    config = (root / "mkdocs.yml").read_text()
    config += (
        "markdown_extensions:\n  - admonition\n  - pymdownx.details\n  - pymdownx.superfences\n"
    )
    (root / "mkdocs.yml").write_text(config)
    build(root)
    index = page(root)
    note = index.xpath('//div[contains(@class, "admonition")]')[0]
    assert texts(note, "./p")[1:] == [
        "Burnham argued (Burnham, 1945).",
        "indented (Davies, 1941) after the block.",
    ]
    assert "[@serge1944] in code stays as written" in texts(note, ".//code")
    assert texts(note, ".//details/p") == ["Serge answered (Serge, 1945, p. 3)."]
    assert "Outside (Davies, 1941)." in texts(index, "//p")
    assert texts(index, "//pre/code")[-1] == "an indented code block [@nokey]"
    assert len(entries(index)) == 3
