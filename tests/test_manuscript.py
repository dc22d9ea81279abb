"""Writing projects: rendering manuscripts (citekit.manuscript and ``citekit render``).

The golden files under tests/golden/manuscript/ are the bundled essay
(examples/serge/essay.md) in Markdown, HTML and LaTeX, in an author-date and
a note style. Regenerate them with::

    .venv/bin/python -m pytest tests/test_manuscript.py --regen-golden

and read the diff before committing it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import citekit
from citekit import Date, Library, Person, Work
from citekit.cli import main
from citekit.formatters.csl import Citation, Cite, CslFormatter
from citekit.manuscript import (
    Cache,
    Chapter,
    ManuscriptError,
    render_files,
    render_manuscript,
)
from oracles import needs

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge"
ESSAY = SERGE / "essay.md"
GOLDEN = REPO / "tests" / "golden" / "manuscript"
STYLES = ("chicago-author-date", "chicago-notes-bibliography")
EXTENSIONS = {"markdown": "md", "html": "html", "latex": "tex"}
IBID_STYLE = "chicago-notes-bibliography-subsequent-ibid"


@pytest.fixture(scope="module")
def serge() -> Library:
    return citekit.load(SERGE / "serge.yaml")


def check_golden(path: Path, actual: str, regen: bool) -> None:
    if regen:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"{path.name} is missing: run pytest {__file__} --regen-golden"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; regenerate with --regen-golden"
    )


# -- the bundled essay ----------------------------------------------------------------------


@pytest.mark.parametrize("to", list(EXTENSIONS))
@pytest.mark.parametrize("style", STYLES)
def test_essay_golden(style: str, to: str, regen_golden: bool) -> None:
    result = render_files([ESSAY], style=style, to=to, cache=False)
    assert not result.errors, result.errors
    check_golden(GOLDEN / f"essay.{style}.{EXTENSIONS[to]}", result.text, regen_golden)


def test_every_golden_file_is_tested() -> None:
    expected = {f"essay.{s}.{e}" for s in STYLES for e in EXTENSIONS.values()}
    if GOLDEN.is_dir():
        assert {p.name for p in GOLDEN.iterdir()} <= expected


def test_essay_cites_in_text_in_notes_and_through_the_quotation() -> None:
    result = render_files([ESSAY], style="chicago-author-date", cache=False)
    modes = {c.mode for c in result.citations}
    assert {"normal", "in-text", "quote"} <= modes
    in_note = [c for c in result.citations if c.note_number]
    assert in_note and all(c.mode == "normal" for c in in_note)  # the writer's own footnote
    quote = next(c for c in result.citations if c.mode == "quote")
    assert quote.keys == ("serge1944", "bolshevikpunk2019")
    assert quote.plain == "Serge 1945; quoted in bolshevikpunk 2019"
    assert "> — Serge 1945; quoted in bolshevikpunk 2019" in result.text
    assert "“The terror is here a horrifying fact”" in result.text
    # every work of the library is cited, so no warning; the front matter's title is kept
    assert not result.problems
    assert result.text.startswith("---\ntitle: ")
    assert "# Bibliography" in result.text
    assert [e.key for e in result.bibliography] == [
        "bolshevikpunk2019",
        "burnham1945",
        "davies1941",
        "serge1944",
    ]


def test_essay_in_a_note_style_numbers_its_notes_in_reading_order() -> None:
    result = render_files([ESSAY], style="chicago-notes-bibliography", cache=False)
    numbers = [c.note_number for c in result.citations]
    assert numbers == sorted(numbers)
    # the writer's footnote [^seeds] is note 5, between the citation notes 4 and 6
    seeds = next(c for c in result.citations if c.mode == "normal" and c.note is None)
    assert seeds.note_number == 5
    assert seeds.plain == "(Serge, “Lenin’s Heir?”)"  # in a note: run into the text
    first, second = result.citations[0], result.citations[1]
    assert first.plain_note == "James Burnham, “Lenin’s Heir,” Partisan Review 12, no. 1 (1945)."
    assert second.plain_note is not None and second.plain_note.startswith("Victor Serge, ")
    in_text = next(c for c in result.citations if c.mode == "in-text")
    assert (in_text.plain, in_text.plain_note) == ("Serge", "“Lenin’s Heir?”")  # short form
    assert "Serge[^cite-4] grants" in result.text
    assert "argued in *Partisan Review* that Stalin\nwas the true heir of Lenin.[^cite-1]" in (
        result.text
    )


def test_essay_outputs_parse_as_their_format() -> None:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = render_files([ESSAY], style="chicago-notes-bibliography", cache=False).text
    html = MarkdownIt("commonmark").use(footnote_plugin).render(md.split("---\n", 2)[2])
    assert html.count('class="footnote-item"') == 10
    rendered = render_files([ESSAY], style="chicago-notes-bibliography", to="html", cache=False)
    assert rendered.text.count('class="footnote-item"') == 10
    assert rendered.text.count('class="csl-entry"') == 4
    assert "\ue000" not in rendered.text and "\ue000" not in md


# -- rendering --------------------------------------------------------------------------------


def library_of(*works: Work) -> Library:
    return Library(works)


def book(key: str, family: str, year: int, title: str, **fields: object) -> Work:
    return Work(
        key=key,
        type="book",
        title=title,
        contributors={"author": [Person(family=family, given="Ann")]},
        issued=Date.of(year),
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def small() -> Library:
    return library_of(
        book("doe2001", "Doe", 2001, "First Book"),
        book("doe2001b", "Doe", 2001, "Second Book"),
        book("roe1999", "Roe", 1999, "Tom & Jerry <Press> 100% a_b"),
    )


def test_author_date_forms(small: Library) -> None:
    text = (
        "A [@roe1999]. B [see @roe1999, pp. 3-4; @doe2001]. C @roe1999 said. "
        "D @roe1999 [chap. 2] said. E [-@roe1999]. F [@roe1999, 5, and passim]."
    )
    result = render_manuscript(text, small, style="chicago-author-date")
    plain = [c.plain for c in result.citations]
    assert plain == [
        "(Roe 1999)",
        "(see Roe 1999, 3–4; Doe 2001)",
        "Roe (1999)",
        "Roe (1999, chap. 2)",
        "(1999)",
        "(Roe 1999, 5, and passim)",
    ]
    assert result.text.startswith("A (Roe 1999). B (see Roe 1999, 3–4; Doe 2001).")
    # year suffixes come from the whole library cited: only doe2001 is cited here
    assert [e.key for e in result.bibliography] == ["doe2001", "roe1999"]


def test_markdown_affixes_keep_their_emphasis(small: Library) -> None:
    result = render_manuscript("[*see* @roe1999, *passim*]", small, to="html")
    assert result.citations[0].text == "(<i>see</i> Roe 1999, <i>passim</i>)"


def test_note_style_positions_match_the_engine(small: Library) -> None:
    """Positions computed for the manuscript are those the CSL engine computes itself."""
    keys = ["roe1999", "roe1999", "doe2001", "roe1999", "roe1999", "doe2001b", "doe2001"]
    locators = [None, "4", None, "4", "5", None, None]
    text = " ".join(
        f"S{i} [@{k}{', ' + loc if loc else ''}]."
        for i, (k, loc) in enumerate(zip(keys, locators, strict=True))
    )
    result = render_manuscript(text, small, style=IBID_STYLE, to="markdown")
    csl = CslFormatter(IBID_STYLE, output="markdown")
    clusters = [Citation([Cite(k, locator=loc)]) for k, loc in zip(keys, locators, strict=True)]
    expected = [t[0].upper() + t[1:] for t in csl.citations(small, clusters)]
    assert [c.note for c in result.citations] == expected
    assert result.citations[1].plain_note == "Ibid., 4."
    assert result.citations[3].plain_note is not None
    assert result.citations[4].plain_note == "Ibid., 5."


def test_citations_in_code_and_html_are_text(small: Library) -> None:
    text = (
        "Code `[@roe1999]` and\n\n```\n[@roe1999]\n```\n\n"
        "<!-- [@roe1999] -->\n\nMail ann@roe1999.org and real [@doe2001].\n"
    )
    result = render_manuscript(text, small)
    assert [c.keys for c in result.citations] == [("doe2001",)]
    assert "`[@roe1999]`" in result.text and "```\n[@roe1999]\n```" in result.text
    assert "ann@roe1999.org" in result.text


def test_escaping_in_each_output(small: Library) -> None:
    text = "See @roe1999.\n"
    html = render_manuscript(text, small, to="html").text
    assert "Tom &#38; Jerry &#60;Press&#62; 100% A_b" in html  # title case
    assert "&amp;#38;" not in html
    latex = render_manuscript(text, small, to="latex").text
    assert r"Tom \& Jerry \textless{}Press\textgreater{} 100\% A\_b" in latex
    markdown = render_manuscript(text, small, to="markdown").text
    assert r"Tom & Jerry &lt;Press&gt; 100% A\_b" in markdown


def test_markdown_to_html_and_latex_structure(small: Library) -> None:
    text = (
        "# Title\n\nSome *emphasis* and **strong** and `code` [@roe1999].\n\n"
        "- one [@doe2001]\n- two\n\n1. first\n2. second\n\n> quoted\n\n"
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n[link](http://example.org/a%20b#c)\n"
    )
    html = render_manuscript(text, small, to="html").text
    assert "<h1>Title</h1>" in html and "<li>one (Doe 2001)</li>" in html
    assert "<table>" in html and "<blockquote>" in html
    latex = render_manuscript(text, small, to="latex").text
    for piece in [
        r"\section{Title}",
        r"\emph{emphasis}",
        r"\textbf{strong}",
        r"\texttt{code}",
        r"\begin{itemize}",
        r"\item one (Doe 2001)",
        r"\begin{enumerate}",
        r"\begin{quote}",
        r"\begin{tabular}{lc}",
        r"\href{http://example.org/a\%20b\#c}{link}",
    ]:
        assert piece in latex, piece


def test_several_chapters_make_one_document(tmp_path: Path, small: Library) -> None:
    one = Chapter("# One\n\nFirst [@roe1999].[^1]\n\n[^1]: A note.\n", "one.md")
    two = Chapter("# Two\n\nAgain [@roe1999].[^1]\n\n[^1]: Another note.\n", "two.md")
    result = render_manuscript([one, two], small, style=IBID_STYLE)
    notes = [c.plain_note for c in result.citations]
    assert notes[0] is not None and notes[0].startswith("Ann Roe")
    assert notes[1] == "Ibid."  # the note between cites nothing
    assert [c.note_number for c in result.citations] == [1, 3]
    assert "[^1-2]: Another note." in result.text  # the second chapter's label is renamed
    assert result.text.count("Roe, Ann.") == 1  # one bibliography


# -- front matter ---------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_fields(tmp_path: Path) -> None:
    shutil.copy(SERGE / "serge.bib", tmp_path / "a.bib")
    write(
        tmp_path,
        "b.json",
        json.dumps(
            [{"id": "extra", "type": "book", "title": "Extra", "issued": {"date-parts": [[2000]]}}]
        ),
    )
    manuscript = write(
        tmp_path,
        "ms.md",
        "---\ntitle: T\nbibliography: [a.bib, b.json]\ncsl: apa\nnocite: '@extra'\n"
        "link-citations: true\nreference-section-title: Works cited\nlang: en-GB\n---\n\n"
        "Text [@serge1944].\n\n::: {#refs}\n:::\n\nAfter.\n",
    )
    result = render_files([manuscript], cache=False, to="html")
    assert result.style == "apa"
    assert '<a href="#ref-serge1944" role="doc-biblioref">Serge, 1945</a>' in result.text
    assert '<h1 class="unnumbered" id="bibliography">Works cited</h1>' in result.text
    assert result.text.index("Works cited") < result.text.index("<p>After.</p>")
    assert {e.key for e in result.bibliography} == {"serge1944", "extra"}
    assert [str(p) for p in result.warnings] == [
        f"{tmp_path / 'a.bib'}: warning: entry 'burnham1945': never cited",
        f"{tmp_path / 'a.bib'}: warning: entry 'davies1941': never cited",
        f"{tmp_path / 'a.bib'}: warning: entry 'bolshevikpunk2019': never cited",
    ]
    # nocite @* lists everything; suppress-bibliography leaves the bibliography out
    manuscript.write_text("---\nbibliography: a.bib\nnocite: '@*'\n---\nText.\n", encoding="utf-8")
    assert len(render_files([manuscript], cache=False).bibliography) == 4
    manuscript.write_text(
        "---\nbibliography: a.bib\nsuppress-bibliography: true\n---\n[@serge1944]\n",
        encoding="utf-8",
    )
    result = render_files([manuscript], cache=False)
    assert result.text == "(Serge 1945)\n"


def test_front_matter_problems(tmp_path: Path) -> None:
    manuscript = write(tmp_path, "ms.md", "---\ntitle: [unclosed\n---\nText.\n")
    result = render_files([manuscript], cache=False, library=Library())
    assert str(result.errors[0]).startswith(f"{manuscript}:")
    assert "not valid YAML" in str(result.errors[0])
    manuscript.write_text("---\ntitle: x\nlink-citations: maybe\n---\nText.\n", encoding="utf-8")
    result = render_files([manuscript], cache=False, library=Library())
    assert str(result.errors[0]) == (
        f"{manuscript}:3: front matter field 'link-citations': expected true or false, got 'maybe'"
    )


def test_locale_from_lang(small: Library) -> None:
    text = "---\nlang: de-DE\n---\n[@roe1999, 5; @doe2001]\n"
    result = render_manuscript(text, small, style="apa")
    assert result.citations[0].plain == "(Doe, 2001; Roe, 1999, S. 5)"


# -- errors a writer can act on ----------------------------------------------------------------


def test_unknown_keys_are_reported_all_at_once(tmp_path: Path) -> None:
    shutil.copy(SERGE / "serge.bib", tmp_path / "serge.bib")
    chapter = write(
        tmp_path,
        "chapter2.md",
        "---\nbibliography: serge.bib\n---\n\n"
        + "\n" * 9
        + "As the essay puts it [@sege1944] and\n"
        "[@burnham1945; @nobody].\n",
    )
    result = render_files([chapter], cache=False)
    messages = [str(p) for p in result.errors]
    assert messages == [
        f"{chapter}:14:23: unknown citation key 'sege1944' (did you mean 'serge1944'?)",
        f"{chapter}:15:16: unknown citation key 'nobody'",
    ]
    assert "(**sege1944?**)" in result.text
    assert "(Burnham 1945; **nobody?**)" in result.text
    with pytest.raises(ManuscriptError) as raised:
        render_files([chapter], cache=False, strict=True)
    assert [str(p) for p in raised.value.problems] == messages


def test_duplicates_across_files_are_warnings(tmp_path: Path, serge: Library) -> None:
    shutil.copy(SERGE / "serge.bib", tmp_path / "one.bib")
    shutil.copy(SERGE / "serge.bib", tmp_path / "two.bib")
    result = render_manuscript(
        "[@serge1944]", bibliography=[tmp_path / "one.bib", tmp_path / "two.bib"]
    )
    duplicates = [str(p) for p in result.warnings if "duplicate" in p.message]
    assert len(duplicates) == 4
    assert duplicates[0] == (
        f"{tmp_path / 'two.bib'}: warning: entry 'serge1944': duplicate key: also in"
        f" {tmp_path / 'one.bib'}, whose entry is used"
    )
    assert not result.errors


def test_quotation_markers(serge: Library) -> None:
    result = render_manuscript("Before.\n\n{{quote:serge-hier}}\n", serge)
    assert [str(p) for p in result.errors] == [
        "<manuscript>:3:9: unknown excerpt 'serge-hier' (did you mean 'serge-heir'?)"
    ]
    inline = render_manuscript("A quote {{quote:serge-heir}} in a sentence.\n", serge)
    assert "must stand alone" in str(inline.errors[0])
    assert "{{quote:serge-heir}}" in inline.text
    html = render_manuscript("{{quote:serge-heir}}\n", serge, to="html").text
    assert html.startswith('<blockquote cite="https://www.marxists.org/') and html.count("<p>") == 4
    assert "<footer>— <cite>Serge 1945; quoted in bolshevikpunk 2019</cite></footer>" in html


def test_bad_options() -> None:
    with pytest.raises(citekit.FormatError, match="did you mean 'html'"):
        render_manuscript("x", Library(), to="htm")
    with pytest.raises(citekit.FormatError, match="renders to LaTeX"):
        render_manuscript("x", Library(), syntax="latex", to="html")
    with pytest.raises(citekit.StyleError):
        render_manuscript("x", Library(), style="no-such-style")
    with pytest.raises(citekit.FormatError, match="U\\+E000"):
        render_manuscript("a \ue000 b", Library())


# -- LaTeX manuscripts -------------------------------------------------------------------------

LATEX = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{biblatex}
\addbibresource{serge.bib}
\begin{document}
Burnham argued \parencite{burnham1945}, and \textcite[see][3]{serge1944} answered
him. \citeauthor{davies1941} wrote in \citeyear{davies1941}.\footcite{davies1941}
A note of mine.\footnote{Citing \cite{serge1944} inside it.} % \cite{commented}
\nocite{bolshevikpunk2019}
\printbibliography
\end{document}
"""


@pytest.mark.parametrize("style", STYLES)
def test_latex_manuscript(style: str, tmp_path: Path) -> None:
    shutil.copy(SERGE / "serge.bib", tmp_path / "serge.bib")
    manuscript = write(tmp_path, "paper.tex", LATEX)
    result = render_files([manuscript], style=style, cache=False)
    assert result.to == "latex" and not result.problems
    text = result.text
    assert "\\cite" not in text.replace("% \\cite{commented}", "")
    assert "\\printbibliography" not in text and "\\nocite" not in text
    assert "% \\cite{commented}" in text
    assert text.count("\\item ") == 4  # bolshevikpunk2019 listed by \nocite
    if style == "chicago-author-date":
        assert "Burnham argued (Burnham 1945), and Serge (see 1945, 3) answered" in text
        assert "Davies wrote in 1941.\\footnote{Davies 1941.}" in text
        assert "\\footnote{Citing (Serge 1945) inside it.}" in text
    else:
        assert "Burnham argued,\\footnote{James Burnham" in text
        assert "Davies wrote in" in text
        assert "\\footnote{Citing (Serge, “Lenin’s Heir?”) inside it.}" in text
        notes = [c.note_number for c in result.citations]
        assert notes == [1, 2, 0, 0, 3, 4]


@needs("pdflatex")
@pytest.mark.parametrize("style", STYLES)
def test_latex_outputs_compile(style: str, tmp_path: Path) -> None:
    shutil.copy(SERGE / "serge.bib", tmp_path / "serge.bib")
    shutil.copy(SERGE / "serge.yaml", tmp_path / "serge.yaml")
    write(
        tmp_path,
        "paper.tex",
        LATEX.replace("\\usepackage{biblatex}\n", "").replace("\\addbibresource{serge.bib}\n", ""),
    )
    paper = render_files(
        [tmp_path / "paper.tex"], style=style, cache=False, bibliography=[tmp_path / "serge.bib"]
    )
    essay = render_files([ESSAY], style=style, to="latex", standalone=True, cache=False)
    for name, text in (("paper.tex", paper.text), ("essay.tex", essay.text)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert run.returncode == 0, run.stdout[-3000:]


# -- the cache -----------------------------------------------------------------------------------


def generated(works: int, citations: int, seed: int) -> tuple[Library, list[str]]:
    """A library with shared surnames (year suffixes, added names) and paragraphs citing it."""
    import random

    rng = random.Random(seed)
    names = ["Smith", "Jones", "Garcia", "Chen", "Okafor", "Novak"]
    library = Library(
        Work(
            key=f"w{i}",
            type=rng.choice(["book", "article-journal"]),
            title=f"Study number {i}",
            container_title="Journal" if i % 2 else None,
            contributors={
                "author": [Person(family=rng.choice(names), given=rng.choice("ABC") + ".")]
            },
            issued=Date.of(2000 + rng.randrange(4)),
        )
        for i in range(works)
    )
    paragraphs = []
    count = 0
    while count < citations:
        sentences = []
        for _ in range(4):
            keys = rng.sample(range(works), rng.choice([1, 1, 2]))
            locator = f", {rng.randrange(1, 300)}" if rng.random() < 0.4 else ""
            sentences.append("Text [" + "; ".join(f"@w{k}" for k in keys) + locator + "].")
            count += 1
        paragraphs.append(" ".join(sentences))
    return library, paragraphs


@pytest.mark.parametrize("style", ["chicago-author-date", IBID_STYLE, "ieee"])
def test_cache_never_changes_the_output(style: str, tmp_path: Path) -> None:
    library, paragraphs = generated(30, 60, seed=7)
    cache = Cache(tmp_path / "cache")

    def both(paragraphs: list[str]) -> tuple[str, str, Cache]:
        text = "\n\n".join(paragraphs)
        fresh = render_manuscript(text, library, style=style, to="html")
        cached = render_manuscript(text, library, style=style, to="html", cache=cache)
        return fresh.text, cached.text, cached

    first = both(paragraphs)
    assert first[0] == first[1]
    again = render_manuscript("\n\n".join(paragraphs), library, style=style, to="html", cache=cache)
    assert again.cache.document_hit and again.text == first[0]
    # one paragraph edited: a new locator, no new work
    edited = list(paragraphs)
    edited[5] = edited[5].replace("].", ", 99].", 1)
    text = "\n\n".join(edited)
    fresh = render_manuscript(text, library, style=style, to="html")
    cached = render_manuscript(text, library, style=style, to="html", cache=cache)
    assert cached.text == fresh.text
    assert cached.cache.registry_hit and cached.cache.bibliography_hit
    assert 1 <= cached.cache.citations_rendered < len(fresh.citations)
    # a new work cited first: the registry changes, unchanged citations are still reused
    edited.insert(0, "A new one [@w29; @w3].")
    text = "\n\n".join(edited)
    fresh = render_manuscript(text, library, style=style, to="html")
    cached = render_manuscript(text, library, style=style, to="html", cache=cache)
    assert cached.text == fresh.text and not cached.cache.registry_hit
    # a changed work: its citations and the bibliography change
    changed = Library(library.values())
    changed.replace(book("w3", "Zola", 1990, "Changed"))
    fresh = render_manuscript(text, changed, style=style, to="html")
    cached = render_manuscript(text, changed, style=style, to="html", cache=cache)
    assert cached.text == fresh.text and "Zola" in cached.text


def test_author_date_edit_renders_only_the_paragraph(tmp_path: Path) -> None:
    library, paragraphs = generated(30, 80, seed=3)
    cache = Cache(tmp_path / "cache")
    render_manuscript("\n\n".join(paragraphs), library, cache=cache)
    paragraphs[4] = paragraphs[4].replace("Text", "Changed text")
    paragraphs[9] = paragraphs[9].replace("].", ", 12].", 1)
    result = render_manuscript("\n\n".join(paragraphs), library, cache=cache)
    assert result.cache.citations_rendered == 1  # the one with a new locator


def test_corrupt_cache_files_are_ignored_and_rewritten(tmp_path: Path, serge: Library) -> None:
    cache_dir = tmp_path / "cache"
    text = ESSAY.read_text(encoding="utf-8")
    expected = render_manuscript(text, serge, folder=SERGE).text
    render_manuscript(text, serge, folder=SERGE, cache=cache_dir)
    files = sorted((cache_dir / "v1").glob("*.json"))
    assert {f.name.split("-")[0] for f in files} == {
        "bibliography",
        "bucket",
        "document",
        "registry",
    }
    for number, path in enumerate(files):
        data = path.read_bytes()
        if number % 3 == 0:
            path.write_bytes(data[: len(data) // 2])  # truncated
        elif number % 3 == 1:
            path.write_bytes(data.replace(b"Serge", b"Sarge"))  # changed: fails its digest
        else:
            path.write_text("[]", encoding="utf-8")  # another layout
    result = render_manuscript(text, serge, folder=SERGE, cache=cache_dir)
    assert result.text == expected and not result.cache.document_hit
    again = render_manuscript(text, serge, folder=SERGE, cache=cache_dir)
    assert again.text == expected and again.cache.document_hit
    assert not list((cache_dir / "v1").glob("*.tmp"))


def test_cache_folder_beside_the_manuscript(tmp_path: Path) -> None:
    shutil.copytree(SERGE, tmp_path / "serge")
    first = render_files([tmp_path / "serge" / "essay.md"])
    assert (tmp_path / "serge" / ".citekit-cache" / "CACHEDIR.TAG").is_file()
    second = render_files([tmp_path / "serge" / "essay.md"])
    assert second.cache.document_hit and second.text == first.text
    # a changed bibliography file is seen
    bib = tmp_path / "serge" / "serge.yaml"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Partisan Review", "Partisan Rev."))
    third = render_files([tmp_path / "serge" / "essay.md"])
    assert not third.cache.document_hit and "Partisan Rev." in third.text


# -- the command line ------------------------------------------------------------------------------


def test_cli_render(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(SERGE, tmp_path / "serge")
    essay = tmp_path / "serge" / "essay.md"
    assert main(["render", str(essay), "--no-cache"]) == 0
    out, err = capsys.readouterr()
    assert out == render_files([ESSAY], cache=False).text and err == ""
    target = tmp_path / "essay.html"
    assert main(["render", str(essay), "-o", str(target), "--style", "apa"]) == 0
    assert target.read_text(encoding="utf-8").startswith("<h1>Lenin’s heir?</h1>")
    assert main(["render", str(essay), "--to", "latex", "-s", "--no-cache"]) == 0
    assert capsys.readouterr().out.startswith("\\documentclass{article}")


def test_cli_errors_and_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(SERGE / "serge.bib", tmp_path / "serge.bib")
    chapter = write(tmp_path, "chapter2.md", "Text [@sege1944] and [@serge1944].\n")
    out_file = tmp_path / "out.md"
    code = main(["render", str(chapter), "--bib", str(tmp_path / "serge.bib"), "-o", str(out_file)])
    _, err = capsys.readouterr()
    assert code == 0 and "**sege1944?**" in out_file.read_text(encoding="utf-8")
    # warnings first, the error last, then the count
    assert err.splitlines()[-2:] == [
        f"{chapter}:1:7: unknown citation key 'sege1944' (did you mean 'serge1944'?)",
        f"citekit: 1 error, 1 warning in {chapter}",
    ]
    assert "warning: 3 entries never cited: burnham1945, davies1941, bolshevikpunk2019" in err
    out_file.unlink()
    code = main(
        [
            "render",
            str(chapter),
            "--bib",
            str(tmp_path / "serge.bib"),
            "-o",
            str(out_file),
            "--strict",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 1 and not out_file.exists()
    assert "1 error; nothing written (--strict)" in err
    assert main(["render", str(tmp_path / "missing.md")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_cli_folder_of_chapters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book_dir = tmp_path / "book"
    book_dir.mkdir()
    shutil.copy(SERGE / "serge.bib", book_dir / "serge.bib")
    write(
        book_dir, "01-intro.md", "---\nbibliography: serge.bib\n---\n# Intro\n\nA [@serge1944].\n"
    )
    write(
        book_dir,
        "02-body.md",
        "# Body\n\nB [@burnham1945; @davies1941].\n\n<!-- bibliography -->\n\nEnd.\n",
    )
    assert (
        main(["render", str(book_dir), "--no-cache", "--style", "chicago-notes-bibliography"]) == 0
    )
    out, err = capsys.readouterr()
    assert (
        out.index("# Intro")
        < out.index("# Body")
        < out.index("Burnham, James.")
        < out.index("End.")
    )
    assert "[^cite-1]: Victor Serge" in out and "[^cite-2]: James Burnham" in out
    assert out.count("Serge, Victor.") == 1
    assert "warning: entry 'bolshevikpunk2019': never cited" in err


def test_import_stays_light() -> None:
    code = (
        "import sys, citekit; citekit.render_manuscript; "
        "heavy = [m for m in ('yaml', 'markdown_it', 'lxml', 'citeproc') if m in sys.modules]; "
        "print(heavy)"
    )
    import sys

    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_rendered_citation_fields(small: Library) -> None:
    result = render_manuscript("Line one.\nSee [@roe1999, 4].\n", small, name="ch.md")
    (citation,) = result.citations
    assert (citation.chapter, citation.line, citation.column) == ("ch.md", 2, 5)
    assert citation.source == "[@roe1999, 4]" and citation.keys == ("roe1999",)
    assert re.fullmatch(r"\(Roe 1999, 4\)", citation.text)


def test_missing_bibliography_file(tmp_path: Path) -> None:
    manuscript = write(tmp_path, "ms.md", "---\nbibliography: nowhere.bib\n---\nSee [@a].\n")
    result = render_files([manuscript], cache=False)
    assert [str(p) for p in result.errors] == [
        f"{tmp_path / 'nowhere.bib'}: cannot read file: No such file or directory",
        f"{manuscript}:4:6: unknown citation key 'a'",
    ]
    assert result.text == "See (**a?**).\n"


def test_links_in_each_output(small: Library) -> None:
    text = "[@roe1999; @doe2001] and @roe1999 [p. 2].\n"
    markdown = render_manuscript(text, small, link_citations=True).text
    assert markdown.startswith("([Roe 1999](#ref-roe1999); [Doe 2001](#ref-doe2001)) and")
    assert "[Roe (1999, 2)](#ref-roe1999)" in markdown
    assert '<span id="ref-roe1999"></span>Roe, Ann. 1999.' in markdown
    latex = render_manuscript(text, small, link_citations=True, to="latex").text
    assert r"(\hyperlink{ref-roe1999}{Roe 1999}; \hyperlink{ref-doe2001}{Doe 2001})" in latex
    assert r"\item \hypertarget{ref-roe1999}{}Roe, Ann." in latex
    # a note style links nothing (pandoc neither)
    notes = render_manuscript(text, small, link_citations=True, style=IBID_STYLE).text
    assert "](#ref-" not in notes


def test_numeric_style_numbers_in_order_of_first_citation(small: Library) -> None:
    result = render_manuscript(
        "A [@roe1999]. B [@doe2001; @roe1999]. C @doe2001.", small, style="ieee"
    )
    assert [c.plain for c in result.citations] == ["[1]", "[1], [2]", "[2]"]  # as pandoc
    assert [e.key for e in result.bibliography] == ["roe1999", "doe2001"]


def test_no_bibliography_at_all() -> None:
    result = render_manuscript("See [@a].", name="draft.md")
    assert [str(p) for p in result.errors] == [
        "draft.md: no bibliography: name its files in the front matter"
        " ('bibliography: refs.bib') or with --bib FILE",
        "draft.md:1:6: unknown citation key 'a'",
    ]
