"""citekit.sphinx: real Sphinx builds (``python -m sphinx`` in a subprocess), read back as HTML.

The texts of citations and entries are compared with what ``citekit cite``
and ``citekit bib`` print for the same works and style; the projects of
sphinxcontrib-bibtex's own tests (tests/fixtures/sphinxcontrib-bibtex) build
with only the extension's name changed.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from citekit.cli import main

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge" / "serge.bib"
SCB = Path(__file__).resolve().parent / "fixtures" / "sphinxcontrib-bibtex"


def citekit_out(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(args)) == 0
    return out.getvalue().strip()


def build(
    src: Path, builder: str = "html", *options: str, check: bool = True, strict: bool = True
) -> subprocess.CompletedProcess[str]:
    out = src / "_build" / builder
    warnings = ["-W"] if strict else []
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            *warnings,
            "-q",
            "-b",
            builder,
            *options,
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def page(src: Path, name: str = "index") -> lxml_html.HtmlElement:
    return lxml_html.parse(str(src / "_build" / "html" / f"{name}.html")).getroot()


def texts(root: lxml_html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in root.xpath(xpath)]


def cites(root: lxml_html.HtmlElement) -> list[str]:
    return texts(root, '//span[contains(@class, "citekit-cite")]')


def entries(root: lxml_html.HtmlElement) -> list[str]:
    return texts(root, '//p[contains(@class, "csl-entry")]')


def project(tmp_path: Path, style: str, index: str, other: str = "") -> Path:
    src = tmp_path / "project"
    src.mkdir()
    shutil.copy(SERGE, src / "serge.bib")
    (src / "conf.py").write_text(
        'extensions = ["citekit.sphinx"]\n'
        'bibtex_bibfiles = ["serge.bib"]\n'
        f"citekit_style = {style!r}\n"
        'exclude_patterns = ["_build"]\n'
    )
    (src / "index.rst").write_text(index)
    if other:
        (src / "other.rst").write_text(other)
    return src


INDEX = """Essay
=====

Burnham argued :cite:p:`burnham1945`; :cite:t:`serge1944` answered.

.. toctree::

   other

.. bibliography::
"""
OTHER = """Other
=====

Davies :cite:p:`davies1941` and Serge :cite:p:`serge1944`.
"""


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_author_date_citations_and_entries_equal_the_command(tmp_path: Path, style: str) -> None:
    src = project(tmp_path, style, INDEX, OTHER)
    build(src)
    index, other = page(src), page(src, "other")
    bib = str(src / "serge.bib")
    assert cites(index)[0] == citekit_out("cite", bib, "burnham1945", "--style", style)
    assert cites(other) == [
        citekit_out("cite", bib, "davies1941", "--style", style),
        citekit_out("cite", bib, "serge1944", "--style", style),
    ]
    # the textual form: the author, then the citation without the author
    author = texts(index, '//span[contains(@class, "citekit-cite")]')[1]
    assert author.startswith("Serge") and "1945" in author
    # the bibliography lists the works cited anywhere, in the style's order,
    # each as `citekit bib` prints it
    everything = citekit_out("bib", bib, "--style", style).splitlines()
    cited = {"burnham1945", "serge1944", "davies1941"}
    keys = [e.get("id").rsplit("-", 1)[-1] for e in index.xpath('//p[@class="csl-entry"]')]
    assert sorted(keys) == sorted(cited)
    assert entries(index) == [line for line in everything if "bolshevikpunk" not in line]
    # every citation links to its entry, across pages too
    links = index.xpath('//a[contains(@class, "citekit-citation")]/@href')
    links += other.xpath('//a[contains(@class, "citekit-citation")]/@href')
    assert len(links) == 4
    ids = set(index.xpath('//p[@class="csl-entry"]/@id'))
    for href in links:
        file, _, anchor = href.partition("#")
        assert file in ("", "index.html") and anchor in ids


def test_numeric_style_numbers_in_citation_order_across_documents(tmp_path: Path) -> None:
    src = project(tmp_path, "ieee", INDEX, OTHER)
    build(src)
    # burnham first (index), then serge (index), then davies (other)
    assert cites(page(src))[0] == "[1]"
    assert cites(page(src, "other")) == ["[3]", "[2]"]
    listed = entries(page(src))
    assert [e.split("]")[0] + "]" for e in listed] == ["[1]", "[2]", "[3]"]
    assert "Burnham" in listed[0] and "Serge" in listed[1] and "Davies" in listed[2]


def test_note_style_footcite_footnotes(tmp_path: Path) -> None:
    style = "chicago-notes-bibliography"
    index = """Notes
=====

First :footcite:p:`serge1944`, then :footcite:p:`burnham1945`,
again :footcite:p:`serge1944` and :footcite:p:`serge1944`.

.. footbibliography::
"""
    src = project(tmp_path, style, index)
    build(src)
    root = page(src)
    notes = texts(root, '//aside[contains(@class, "footnote") and @id]/p')
    bib = str(src / "serge.bib")
    first = citekit_out("cite", bib, "serge1944", "--style", style)
    assert notes[0] == first
    assert notes[1] == citekit_out("cite", bib, "burnham1945", "--style", style)
    assert notes[2] == notes[3] == "Serge, “Lenin’s Heir?”"  # the short form
    # the whole sequence, as citekit's formatter renders the same citations
    import citekit

    csl = citekit.formatter("csl", style=style)
    sequence = ["serge1944", "burnham1945", "serge1944", "serge1944"]
    assert notes == csl.citations(citekit.load(bib), sequence)
    refs = root.xpath('//a[contains(@class, "footnote-reference")]/@href')
    assert len(refs) == 4 and all(r.startswith("#") for r in refs)


def test_unknown_key_is_a_warning_with_document_and_line(tmp_path: Path) -> None:
    src = project(tmp_path, "apa", "Title\n=====\n\nText.\n\nBad :cite:p:`sege1944`.\n")
    done = build(src, check=False)
    assert done.returncode != 0
    assert "index.rst:6" in done.stderr
    assert "unknown citation key 'sege1944' (did you mean 'serge1944'?)" in done.stderr


def test_latex_and_text_builders(tmp_path: Path) -> None:
    src = project(tmp_path, "apa", INDEX, OTHER)
    build(src, "latex")
    tex = next((src / "_build" / "latex").glob("*.tex")).read_text()
    assert "\\hyperref[\\detokenize{index:bibliography-index-0-burnham1945}]" in tex
    assert "\\label{\\detokenize{index:bibliography-index-0-burnham1945}}" in tex
    build(src, "text")
    text = (src / "_build" / "text" / "index.txt").read_text()
    assert "(Burnham, 1945)" in text and "Burnham, J. (1945). Lenin’s Heir." in text


def test_parallel_and_incremental_builds(tmp_path: Path) -> None:
    src = project(tmp_path, "ieee", INDEX, OTHER)
    build(src, "html", "-j", "2")
    assert cites(page(src, "other")) == ["[3]", "[2]"]
    # an edit of one document renumbers the others and their bibliography
    (src / "other.rst").write_text(OTHER + "\nAlso :cite:p:`bolshevikpunk2019`.\n")
    build(src)
    assert cites(page(src, "other"))[-1] == "[4]"
    assert len(entries(page(src))) == 4


def test_myst_markdown_roles(tmp_path: Path) -> None:
    src = project(tmp_path, "apa", "")
    (src / "index.rst").unlink()
    (src / "conf.py").write_text(
        (src / "conf.py").read_text().replace('"citekit.sphinx"', '"myst_parser", "citekit.sphinx"')
    )
    (src / "index.md").write_text(
        "# Essay\n\nBurnham {cite:p}`burnham1945`; {cite:t}`serge1944`.\n\n```{bibliography}\n```\n"
    )
    build(src)
    assert cites(page(src)) == ["(Burnham, 1945)", "Serge (1945)"]
    assert len(entries(page(src))) == 2


def scb_project(tmp_path: Path, name: str, extra: str = "") -> Path:
    src = tmp_path / name
    shutil.copytree(SCB / name, src)
    conf = src / "conf.py"
    text = conf.read_text()
    assert "sphinxcontrib.bibtex" in text
    conf.write_text(text.replace("sphinxcontrib.bibtex", "citekit.sphinx") + extra)
    return src


def role_rows(root: lxml_html.HtmlElement) -> list[tuple[str, str]]:
    rows = []
    for row in root.xpath("//table//tr[td]"):
        cells = [" ".join(c.text_content().split()) for c in row.xpath("td")]
        rows.append((cells[0], cells[1]))
    return rows


@pytest.mark.parametrize("style", [None, "apa"])
def test_sphinxcontrib_bibtex_project_builds_with_the_name_swapped(
    tmp_path: Path, style: str | None
) -> None:
    extra = f"citekit_style = {style!r}\n" if style else ""
    src = scb_project(tmp_path, "citation_roles", extra)
    build(src)
    root = page(src)
    rows = role_rows(root)
    bib = str(src / "refs.bib")
    chosen = style or "chicago-author-date"
    single = dict(rows[:19])
    assert single[":cite:p:"] == citekit_out("cite", bib, "testthree", "--style", chosen)
    assert single[":cite:empty:"] == "AAA AAA"
    # every work is cited (testseven by :cite:empty:), so all are listed as `citekit bib` has them
    assert entries(root) == citekit_out("bib", bib, "--style", chosen).splitlines()


def test_sphinxcontrib_bibtex_pre_post_and_footcite_projects(tmp_path: Path) -> None:
    src = scb_project(tmp_path, "citation_roles_pre_post", 'citekit_style = "apa"\n')
    build(src)
    rows = role_rows(page(src))
    bib = str(src / "refs.bib")
    plain = citekit_out("cite", bib, "testthree", "--style", "apa", "--locator", "1")
    assert rows[1] == (":cite:p:", "B " + plain)
    src = scb_project(tmp_path, "footcite_roles", 'citekit_style = "apa"\n')
    build(src)
    root = page(src)
    notes = texts(root, '//aside[contains(@class, "footnote") and @id]/p')
    everything = dict(
        zip(
            ["testone", "testtwo", "testthree", "testfour", "testfive", "testsix"],
            citekit_out(
                "bib", bib.replace("citation_roles_pre_post", "footcite_roles"), "--style", "apa"
            ).splitlines()[:6],
            strict=True,
        )
    )
    assert notes[0] == everything["testthree"]
    assert len(notes) == 6


def test_several_bibliographies_with_filters_and_styles(tmp_path: Path) -> None:
    index = """Essay
=====

Burnham :cite:p:`burnham1945`, Davies :cite:p:`davies1941`, Serge :cite:p:`serge1944`.

Books
-----

.. bibliography::
   :filter: type == "book"

Others
------

.. bibliography::
   :filter: cited and type != "book"

All, in MLA
-----------

.. bibliography::
   :all:
   :style: modern-language-association
"""
    src = project(tmp_path, "apa", index)
    build(src)
    root = page(src)
    bibs = root.xpath('//div[contains(@class, "citekit-bibliography")]')
    assert len(bibs) == 3
    books = [" ".join(p.text_content().split()) for p in bibs[0].xpath("p")]
    others = [" ".join(p.text_content().split()) for p in bibs[1].xpath("p")]
    mla = [" ".join(p.text_content().split()) for p in bibs[2].xpath("p")]
    bib = str(src / "serge.bib")
    apa = citekit_out("bib", bib, "--style", "apa").splitlines()
    assert books == [line for line in apa if line.startswith("Davies")]
    assert others == [line for line in apa if line.startswith(("Burnham", "Serge"))]
    assert mla == citekit_out("bib", bib, "--style", "modern-language-association").splitlines()
    # each citation links to the first bibliography listing its work
    hrefs = root.xpath('//a[contains(@class, "citekit-citation")]/@href')
    assert hrefs == [
        "#bibliography-index-1-burnham1945",
        "#bibliography-index-0-davies1941",
        "#bibliography-index-1-serge1944",
    ]


def test_bad_filter_is_a_warning(tmp_path: Path) -> None:
    index = "T\n=\n\n.. bibliography::\n   :filter: __import__('os')\n"
    done = build(project(tmp_path, "apa", index), check=False)
    assert done.returncode != 0
    assert "index.rst:4" in done.stderr and "Call is not allowed in a filter" in done.stderr


def test_unknown_bibliography_style_is_a_warning(tmp_path: Path) -> None:
    index = "T\n=\n\nA :cite:p:`serge1944`.\n\n.. bibliography::\n   :style: no-such-style\n"
    src = project(tmp_path, "apa", index)
    done = build(src, check=False)
    assert done.returncode != 0
    assert "index.rst:6" in done.stderr and "no-such-style" in done.stderr
    build(src, strict=False)  # without -W: built, in the project's style
    assert entries(page(src)) == [
        citekit_out("bib", str(src / "serge.bib"), "--style", "apa").splitlines()[-1]
    ]


def test_parallel_reading_gives_the_serial_output(tmp_path: Path) -> None:
    keys = ["burnham1945", "serge1944", "davies1941", "bolshevikpunk2019"]
    chapters = [f"chapter{n}" for n in range(8)]
    index = "Book\n====\n\n.. toctree::\n\n" + "".join(f"   {c}\n" for c in chapters)
    index += "\n.. bibliography::\n"
    src = project(tmp_path, "ieee", index)
    for n, name in enumerate(chapters):
        key = keys[(n * 3 + 1) % len(keys)]
        other = keys[n % len(keys)]
        (src / f"{name}.rst").write_text(
            f"Chapter {n}\n=========\n\nCites :cite:p:`{key}` and :cite:t:`{other}`.\n"
        )
    serial = tmp_path / "serial"
    shutil.copytree(src, serial)
    build(serial)
    build(src, "html", "-j", "4")
    for name in ["index", *chapters]:
        assert cites(page(src, name)) == cites(page(serial, name)), name
        assert entries(page(src, name)) == entries(page(serial, name))
    assert cites(page(src, "chapter0")) == ["[1]", "[2]"]  # serge first, then burnham


def test_editing_the_bibliography_file_renders_again(tmp_path: Path) -> None:
    src = project(tmp_path, "apa", INDEX, OTHER)
    build(src)
    assert cites(page(src))[0] == "(Burnham, 1945)"
    bib = src / "serge.bib"
    bib.write_text(re.sub(r"year(\s*)= \{1945\}", r"year\1= {1946}", bib.read_text()))
    build(src)
    assert cites(page(src))[0] == "(Burnham, 1946)"
    assert cites(page(src, "other"))[1] == "(Serge, 1946)"


def test_bibliography_headers(tmp_path: Path) -> None:
    index = "T\n=\n\nA :cite:p:`serge1944`, B :footcite:p:`burnham1945`.\n\n"
    index += ".. footbibliography::\n\n.. bibliography::\n"
    src = project(tmp_path, "apa", index)
    conf = src / "conf.py"
    conf.write_text(
        conf.read_text() + 'bibtex_bibliography_header = ".. rubric:: References"\n'
        'bibtex_footbibliography_header = ".. rubric:: Notes"\n'
    )
    build(src)
    body = lxml_html.tostring(page(src), encoding="unicode")
    notes, references = body.index(">Notes</p>"), body.index(">References</p>")
    assert notes < body.index('class="footnote-list') < references
    assert references < body.index('class="csl-entry"')


def test_one_process_building_again_sees_the_edited_bibliography(tmp_path: Path) -> None:
    from sphinx.application import Sphinx

    src = project(tmp_path, "apa", INDEX, OTHER)
    out, doctrees = src / "_build" / "html", src / "_build" / "doctrees"
    app = Sphinx(
        str(src), str(src), str(out), str(doctrees), "html", status=None, warning=io.StringIO()
    )
    app.build()
    assert cites(page(src))[0] == "(Burnham, 1945)"
    bib = src / "serge.bib"
    bib.write_text(re.sub(r"year(\s*)= \{1945\}", r"year\1= {1946}", bib.read_text()))
    app.build()
    assert cites(page(src))[0] == "(Burnham, 1946)"


@pytest.mark.parametrize("style", ["apa", "ieee"])
def test_citations_the_style_sorts_link_each_work(tmp_path: Path, style: str) -> None:
    index = "T\n=\n\nFirst :cite:p:`davies1941`.\n\n"
    index += "Both :cite:p:`serge1944,{see}burnham1945{p. 3}`.\n\n.. bibliography::\n"
    src = project(tmp_path, style, index)
    build(src)
    root = page(src)
    both = root.xpath('//span[contains(@class, "citekit-cite")]')[1]
    links = [(" ".join(a.text_content().split()), a.get("href")) for a in both.xpath(".//a")]
    bib = str(src / "serge.bib")
    if style == "apa":  # sorted by author: Burnham before Serge
        assert links == [
            ("see Burnham, 1945, p. 3", "#bibliography-index-0-burnham1945"),
            ("Serge, 1945", "#bibliography-index-0-serge1944"),
        ]
        assert " ".join(both.text_content().split()) == "(see Burnham, 1945, p. 3; Serge, 1945)"
    else:  # numbered in citation order: Davies 1, Serge 2, Burnham 3
        assert [href for _, href in links] == [
            "#bibliography-index-0-serge1944",
            "#bibliography-index-0-burnham1945",
        ]
    assert " ".join(
        root.xpath('//span[contains(@class, "citekit-cite")]')[0].text_content().split()
    ) in (
        citekit_out("cite", bib, "davies1941", "--style", style),
        "[1]",
    )
