"""LaTeX output compiled by LaTeX itself prints the literal characters.

The csl and blockquote formatters escape LaTeX's specials; here pdflatex
compiles their output (no shell escape) and pdftotext reads the PDF back.
Needs pdflatex and pdftotext (tests/oracles.py: skipped without them, failing
with ``CITEKIT_REQUIRE_ORACLES=1``, as .ci/run sets it and installs them).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import citekit
from oracles import needs

pytestmark = needs("pdflatex", "pdftotext")

SPECIALS = r"100% R&D #1 a_b {x} ~y ^z \w $5"

PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{textcomp}
% epigraph.sty is not in every TeX installation; what matters here is its
% arguments' text, so a stand-in with the same signature is enough.
\providecommand{\epigraph}[2]{\begin{quote}#1\par --- #2\end{quote}}
\begin{document}
"""


def compile_to_text(body: str, tmp_path: Path) -> str:
    (tmp_path / "doc.tex").write_text(PREAMBLE + body + "\n\\end{document}\n", encoding="utf-8")
    return pdf_text(tmp_path / "doc.tex")


def pdf_text(tex: Path) -> str:
    """The text of the PDF pdflatex makes of ``tex`` (in its folder), spaces collapsed."""
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
        cwd=tex.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    pdf, txt = tex.with_suffix(".pdf").name, tex.with_suffix(".txt").name
    subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, txt], cwd=tex.parent, check=True)
    return " ".join((tex.parent / txt).read_text(encoding="utf-8").split())


def library() -> citekit.Library:
    work = citekit.Work(
        key="x",
        type="book",
        title=SPECIALS,
        publisher="Tom & Jerry's {Press}",
        contributors={"author": [citekit.Person(family="O'Brien_", given="Ann%")]},
        issued=citekit.Date.of(2001),
    )
    library = citekit.Library([work])
    library.add_excerpt(citekit.Excerpt(id="q", text=SPECIALS, work_key="x", locator="p. 3"))
    return library


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "ieee"])
def test_csl_latex_output_compiles_to_the_literal_characters(style: str, tmp_path: Path) -> None:
    lib = library()
    csl = citekit.formatter("csl", style=style, output="latex")
    entry = str(csl.bibliography(lib)[0])
    text = compile_to_text(entry, tmp_path)
    # Styles may title-case the title, so letters are compared without case.
    for piece in ["100%", "R&D", "#1", "a_b", "{x}", "~y", "^z", "\\w", "$5", "Tom & Jerry"]:
        assert piece.lower() in text.lower(), (piece, text)


def test_blockquote_latex_compiles_to_the_literal_characters(tmp_path: Path) -> None:
    lib = library()
    for environment in ("quotation", "epigraph"):
        quote = citekit.formatter(
            "blockquote", output="latex", library=lib, latex_environment=environment
        )
        text = compile_to_text(quote.format(lib.excerpts["q"]), tmp_path)
        assert SPECIALS in text, (environment, text)


@pytest.mark.parametrize("style", ["chicago-author-date", "chicago-notes-bibliography"])
def test_the_essay_as_latex_compiles(style: str, tmp_path: Path) -> None:
    """examples/serge/essay.md rendered to a standalone LaTeX document compiles; the PDF
    holds its citations (or footnotes), the quoted passage and the bibliography."""
    from citekit.manuscript import render_files

    essay = Path(__file__).resolve().parents[1] / "examples" / "serge" / "essay.md"
    result = render_files([essay], style=style, to="latex", standalone=True, cache=False)
    assert not result.errors
    (tmp_path / "essay.tex").write_text(result.text, encoding="utf-8")
    text = pdf_text(tmp_path / "essay.tex")
    assert "Mission to Moscow" in text and "Partisan Review" in text
    assert "permissible to use the word treason" in text  # (quote marks vary in pdftotext)
    assert "Serge, Victor" in text  # the bibliography
