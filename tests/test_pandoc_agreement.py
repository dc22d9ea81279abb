"""Peer check: the same Markdown manuscripts rendered by pandoc and by citekit.

Pandoc (shipped by ``pypandoc-binary``, with its citeproc) renders each
manuscript to its JSON AST (``pandoc --citeproc -t json``), where every
``Cite`` node holds the citation's rendered text (a ``Note`` for a note
style) and the ``refs`` div one entry per work. citekit renders the same
manuscript with :func:`citekit.render_manuscript`. Both are given the same
works: the CSL-JSON items citekit's engine reads (:meth:`CslFormatter.item`),
so differences in reading BibTeX do not count, and the same ``.csl`` file.

Three manuscripts (the bundled essay, without its quotation marker, which
pandoc does not know, and two over the corpus in tests/corpus) in five styles: each
citation (the text in the running text and the note it became) and each
bibliography entry is compared as plain text, with white space, non-breaking
spaces and quotation-mark shapes normalised, and with the punctuation pandoc
moves into an in-text citation before its note put back in the text. The
share that matches must reach :data:`FLOOR`; the figures per style are
printed. docs/manuscripts.md explains the differences that remain.

Needs pandoc (tests/oracles.py: skipped without it, failing with
``CITEKIT_REQUIRE_ORACLES=1``, as .ci/run sets it). pyproject.toml pins
pypandoc-binary, and so pandoc, to the version the floor was measured with.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import citekit
from citekit.csl.output import convert
from citekit.csl.styles import find_style
from citekit.formatters.csl import CslFormatter
from citekit.manuscript import render_manuscript
from oracles import CORPUS, needs, require

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "manuscripts"
STYLES = (
    "apa",
    "chicago-author-date",
    "chicago-notes-bibliography",
    "ieee",
    "modern-language-association",
)
#: (manuscript, bibliography) pairs.
MANUSCRIPTS = (
    (REPO / "examples" / "serge" / "essay.md", REPO / "examples" / "serge" / "serge.yaml"),
    (FIXTURES / "history.md", CORPUS / "heppler-history.bib"),
    (FIXTURES / "biblatex.md", CORPUS / "biblatex-examples.bib"),
)
#: The share of citations and entries that must agree.
FLOOR = 0.95

pytestmark = needs("pandoc")


# -- pandoc's AST as plain text -------------------------------------------------------------------


def inline_text(inlines: list[dict[str, Any]], notes: bool = True) -> str:
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind == "Quoted":
            marks = "“”" if content[0]["t"] == "DoubleQuote" else "‘’"
            out.append(marks[0] + inline_text(content[1], notes) + marks[1])
        elif kind in ("Emph", "Strong", "SmallCaps", "Superscript", "Subscript", "Underline"):
            out.append(inline_text(content, notes))
        elif kind in ("Span", "Link", "Cite"):
            out.append(inline_text(content[1], notes))
        elif kind == "Code":
            out.append(content[1])
        elif kind == "Note" and notes:
            out.append(" ".join(block_text(b) for b in content))
    return "".join(out)


def block_text(block: dict[str, Any]) -> str:
    kind, content = block["t"], block.get("c")
    if kind in ("Para", "Plain"):
        return inline_text(content)
    if kind == "Div":
        return " ".join(block_text(b) for b in content[1])
    return ""


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every node, in document order (a note's contents where the note is)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def pandoc_citations(document: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(text in the running text, text of the note or None) of each Cite, in order."""
    found = []
    for node in walk(document["blocks"]):
        if node.get("t") == "Cite":
            content = node["c"][1]
            notes = [n for n in content if n["t"] == "Note"]
            text = inline_text([n for n in content if n["t"] != "Note"], notes=False)
            note = " ".join(block_text(b) for n in notes for b in n["c"]) if notes else None
            found.append((text, note))
    return found


def pandoc_entries(document: dict[str, Any]) -> dict[str, str]:
    entries = {}
    for node in walk(document["blocks"]):
        if node.get("t") == "Div" and node["c"][0][0].startswith("ref-"):
            entries[node["c"][0][0][4:]] = " ".join(block_text(b) for b in node["c"][1])
    return entries


def normal(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub("[\u00a0\u202f\u2009]", " ", text)
    text = re.sub('[“”„"]', '"', re.sub("[‘’']", "'", text))
    return " ".join(text.split())


# -- the comparison --------------------------------------------------------------------------------


def compare(manuscript: Path, bibliography: Path, style: str, tmp_path: Path) -> dict[str, Any]:
    library = citekit.load(bibliography)
    text = re.sub(r"^\{\{quote:[^}]*\}\}\n", "", manuscript.read_text(encoding="utf-8"), flags=re.M)
    csl = CslFormatter(style)
    items = tmp_path / f"{manuscript.stem}.json"
    items.write_text(json.dumps([csl.item(w) for w in library.values()]), encoding="utf-8")
    source = tmp_path / f"{manuscript.stem}.md"
    source.write_text(text, encoding="utf-8")
    run = subprocess.run(
        [
            require("pandoc")[0],
            "--citeproc",
            "--csl",
            str(find_style(style)),
            "--bibliography",
            str(items),
            "-f",
            "markdown",
            "-t",
            "json",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    document = json.loads(run.stdout)
    theirs = pandoc_citations(document)
    result = render_manuscript(text, library, style=style, to="html")
    ours = [(c.plain, c.plain_note) for c in result.citations]
    assert len(theirs) == len(ours), (manuscript.name, style, theirs, ours)
    citations = []
    for (text_p, note_p), (text_c, note_c) in zip(theirs, ours, strict=True):
        if note_p is not None and note_c is not None:
            text_p = re.sub(r"[.,;:!?]+$", "", text_p)  # pandoc moves it into the cite
        same = normal(text_p) == normal(text_c) and normal(note_p) == normal(note_c)
        citations.append((same, (text_p, note_p), (text_c, note_c)))
    entries_p = pandoc_entries(document)
    entries_c = {e.key: convert(e.text, "text") for e in result.bibliography}
    assert entries_p.keys() == entries_c.keys(), (manuscript.name, style)
    entries = [
        (normal(entries_p[k]) == normal(entries_c[k]), entries_p[k], entries_c[k])
        for k in entries_p
    ]
    return {"citations": citations, "entries": entries}


def test_agreement_with_pandoc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [f"{'style':<30} {'citations':>12} {'entries':>12}"]
    agree = total = 0
    mismatches = []
    for style in STYLES:
        counts = [0, 0, 0, 0]
        for manuscript, bibliography in MANUSCRIPTS:
            found = compare(manuscript, bibliography, style, tmp_path)
            for same, theirs, ours in found["citations"]:
                counts[0] += same
                counts[1] += 1
                if not same:
                    mismatches.append(
                        f"{manuscript.name} {style}\n  pandoc:  {theirs}\n  citekit: {ours}"
                    )
            for same, theirs, ours in found["entries"]:
                counts[2] += same
                counts[3] += 1
                if not same:
                    mismatches.append(
                        f"{manuscript.name} {style} entry\n  pandoc:  {theirs}\n  citekit: {ours}"
                    )
        agree += counts[0] + counts[2]
        total += counts[1] + counts[3]
        lines.append(f"{style:<30} {counts[0]:>5}/{counts[1]:<6} {counts[2]:>5}/{counts[3]:<6}")
    share = agree / total
    lines.append(f"{'all':<30} {agree}/{total} agree ({share:.1%})")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert total > 600  # three manuscripts, five styles
    assert share >= FLOOR, "\n".join(lines + mismatches)


def test_ast_reading() -> None:
    """The reading of pandoc's AST that the comparison relies on."""
    document = json.loads(
        subprocess.run(
            [require("pandoc")[0], "-f", "markdown", "-t", "json"],
            input='A [@x, p. 3] and "quoted" b.^[Note *text*.]\n',
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert pandoc_citations(document) == [("[@x, p. 3]", None)]
    assert inline_text(document["blocks"][0]["c"]) == "A [@x, p. 3] and “quoted” b.Note text."
