"""The ``csl`` formatter: its API, errors, outputs end to end, and the CLI's bib and cite.

The engine's output is still being fixed (see tests/test_csl_suite.py); for the
seed example these tests pin what is already right, and test the formatter's
own work (keys, order, clusters, escaping, errors) exactly.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from lxml import etree

import citekit
from citekit import CitekitError, FormatError, StyleError, UnknownKeyError
from citekit.cli import main
from citekit.formatters.csl import (
    BibliographyEntry,
    Citation,
    Cite,
    CslFormatter,
    RenderedDocument,
    RenderError,
)
from citekit.model import Contributors, Date, DateParts, Locator, LocatorLabel, Person, Role, Work
from latex_reading import latex_text

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge" / "serge.bib"
STYLES = ["apa", "chicago-author-date", "modern-language-association", "ieee"]
OUTPUTS = ["text", "html", "markdown", "latex", "rst"]


@pytest.fixture(scope="module")
def serge() -> citekit.Library:
    return citekit.load(SERGE)


def fragment(markup: str) -> etree._Element:
    """HTML output parsed as an XML fragment: only the engine's inert markup may be in it."""
    root = etree.fromstring(f"<root>{markup}</root>".encode())
    for element in root.iter():
        if element is root:
            continue
        assert element.tag in {"i", "b", "sup", "sub", "span", "div", "em", "strong"}, markup
        for name, value in element.attrib.items():
            assert name in {"style", "class"}, markup
            assert "javascript" not in value and "(" not in value, markup
    return root


# --- the contract ---------------------------------------------------------------------------


def test_the_contract(serge: citekit.Library) -> None:
    csl = citekit.formatter("csl", style="apa", output="text")
    assert isinstance(csl, CslFormatter) and csl.name == "csl"
    entries = csl.bibliography(serge)
    assert all(isinstance(e, BibliographyEntry) for e in entries)
    assert [e.key for e in entries] == [
        "bolshevikpunk2019",
        "burnham1945",
        "davies1941",
        "serge1944",
    ]
    assert [str(e) for e in entries] == [e.text for e in entries]
    assert str(entries[2]) == "Davies, J. E. (1941). Mission to Moscow. Simon and Schuster."
    assert csl.cite(serge, "serge1944", locator="12") == "(Serge, 1945, p. 12)"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        entries[0].text = "x"  # type: ignore[misc]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("output", OUTPUTS)
def test_every_style_and_output_renders_the_seed(
    serge: citekit.Library, style: str, output: str
) -> None:
    csl = CslFormatter(style, output=output)
    entries = csl.bibliography(serge)
    assert sorted(e.key for e in entries) == sorted(serge)
    for entry in entries:
        assert entry.text and entry.text == entry.text.strip()
        assert "Mission to Moscow" in csl.bibliography([serge["davies1941"]])[0].text
    citation = csl.cite(serge, "serge1944", locator="12")
    assert "12" in citation
    if output == "html":
        for entry in entries:
            fragment(entry.text)
        fragment(csl.bibliography_text(serge))


SEED_CITATIONS = {
    "apa": "(Serge, 1945, p. 12)",
    "chicago-author-date": "(Serge 1945, 12)",
    "modern-language-association": "(Serge 12)",
    "ieee": "[1, p. 12]",
}


@pytest.mark.parametrize("style", STYLES)
def test_seed_citations(serge: citekit.Library, style: str) -> None:
    assert CslFormatter(style).cite(serge, "serge1944", locator="12") == SEED_CITATIONS[style]


def test_seed_entries_already_right(serge: citekit.Library) -> None:
    apa = {e.key: e.text for e in CslFormatter("apa", output="html").bibliography(serge)}
    assert (
        apa["burnham1945"]
        == "Burnham, J. (1945). Lenin’s Heir. <i>Partisan Review</i>, <i>12</i>(1)."
    )
    assert (
        apa["davies1941"] == "Davies, J. E. (1941). <i>Mission to Moscow</i>. Simon and Schuster."
    )
    ieee = CslFormatter("ieee").bibliography(serge)
    # IEEE numbers works in the order given (the library's), the number set off from the entry.
    assert [e.key for e in ieee] == list(serge)
    assert (
        ieee[2].text == "[3] J. E. Davies, Mission to Moscow. New York: Simon and Schuster, 1941."
    )
    chicago = {e.key: e.text for e in CslFormatter("chicago-author-date").bibliography(serge)}
    assert chicago["davies1941"].startswith("Davies, Joseph E. 1941. Mission to Moscow.")
    mla = {e.key: e.text for e in CslFormatter("modern-language-association").bibliography(serge)}
    assert "Partisan Review, vol. 12, no. 1, 1945." in mla["burnham1945"]


def test_order_follows_the_style(serge: citekit.Library) -> None:
    reordered = [serge[k] for k in ("serge1944", "davies1941", "bolshevikpunk2019", "burnham1945")]
    assert [e.key for e in CslFormatter("apa").bibliography(reordered)] == [
        "bolshevikpunk2019",
        "burnham1945",
        "davies1941",
        "serge1944",
    ]
    assert [e.key for e in CslFormatter("ieee").bibliography(reordered)] == [
        w.key for w in reordered
    ]


def test_works_as_mapping_iterable_or_single(serge: citekit.Library) -> None:
    csl = CslFormatter("apa")
    expected = csl.bibliography(serge)
    assert csl.bibliography(dict(serge)) == expected
    assert csl.bibliography(list(serge.values())) == expected
    assert csl.bibliography([]) == []
    assert csl.format(serge["davies1941"]) == expected[2].text
    with pytest.raises(FormatError, match="formats a Work"):
        csl.format("davies1941")
    with pytest.raises(CitekitError, match="expected Work objects"):
        csl.bibliography(["davies1941"])
    with pytest.raises(CitekitError):
        csl.bibliography(42)


def test_keys_differing_only_in_case() -> None:
    """citeproc-py lowercases ids; citekit keeps each work apart and names it by its key."""
    works = [
        Work(key="Smith2000", type="book", title="Upper"),
        Work(key="smith2000", type="book", title="Lower"),
    ]
    entries = CslFormatter("apa").bibliography(works)
    assert {e.key: e.text.split(".")[0] for e in entries} == {
        "Smith2000": "Upper",
        "smith2000": "Lower",
    }


def test_cache_follows_content(serge: citekit.Library) -> None:
    csl = CslFormatter("apa")
    library = citekit.load(SERGE)
    first = csl.bibliography(library)
    renders: list[object] = []
    import citekit.csl.engine as engine

    original = engine.Processor.iter_bibliography

    def counting(self: engine.Processor, convert: Any = None) -> Iterator[tuple[str, str]]:
        renders.append(self)
        return original(self, convert)

    engine.Processor.iter_bibliography = counting  # type: ignore[method-assign]
    try:
        assert csl.bibliography(library) == first
        assert renders == []  # served from the cache, not rendered again
        library["davies1941"] = attrs.evolve(library["davies1941"], title="Mission to Minsk")
        changed = {e.key: e.text for e in csl.bibliography(library)}
        assert renders  # an edited work is rendered anew
    finally:
        engine.Processor.iter_bibliography = original  # type: ignore[method-assign]
    assert "Mission to Minsk" in changed["davies1941"]


# --- citations ------------------------------------------------------------------------------


def test_locators_and_labels(serge: citekit.Library) -> None:
    csl = CslFormatter("modern-language-association")
    assert csl.cite(serge, "davies1941", locator="chap. 3") == "(Davies, ch. 3)"
    assert csl.cite(serge, "davies1941", locator="3", label="chapter") == "(Davies, ch. 3)"
    assert csl.cite(serge, "davies1941", locator=Locator("3", "chapter")) == "(Davies, ch. 3)"
    assert csl.cite(serge, "davies1941", locator=12) == "(Davies 12)"
    assert Cite("x", "12", "sec.").locator == Locator("12", LocatorLabel.SECTION)
    assert Cite("x", "§ 4").label is LocatorLabel.SECTION
    with pytest.raises(
        CitekitError, match=r"unknown locator label 'chapt' \(did you mean 'chapter'"
    ):
        csl.cite(serge, "davies1941", locator="3", label="chapt")
    with pytest.raises(CitekitError, match="needs a locator"):
        csl.cite(serge, "davies1941", label="page")
    with pytest.raises(CitekitError, match="bad locator"):
        csl.cite(serge, "davies1941", locator=" ")
    with pytest.raises(CitekitError, match="bad locator"):
        Cite("x", locator=1.5)  # type: ignore[arg-type]


def test_several_works_in_one_citation(serge: citekit.Library) -> None:
    apa = CslFormatter("apa")
    assert apa.cite(serge, ["davies1941", "burnham1945"]) == "(Burnham, 1945; Davies, 1941)"
    assert (
        apa.cite(serge, [Cite("davies1941", "4"), Cite("burnham1945", "2-3")])
        == "(Burnham, 1945, pp. 2–3; Davies, 1941, p. 4)"
    )
    assert CslFormatter("ieee").cite(serge, ["serge1944", "davies1941"]) == "[1], [3]"
    with pytest.raises(CitekitError, match="apply to one key"):
        apa.cite(serge, ["davies1941", "burnham1945"], locator="3")
    with pytest.raises(CitekitError, match="at least one work"):
        apa.cite(serge, [])


def test_prefix_and_suffix(serge: citekit.Library) -> None:
    """Affixes are text with CSL's markup tags (as citeproc-js reads them), all else literal."""
    csl = CslFormatter("apa", output="html")
    text = csl.cite(serge, "davies1941", prefix="see <b>", suffix=", & <i>passim</i> <script>")
    assert text.startswith("(see &#60;b&#62;")
    assert text.endswith(", &#38; <i>passim</i> &#60;script&#62;)")
    fragment(text)
    plain = CslFormatter("apa").cite(serge, "davies1941", prefix="see ", suffix=", passim")
    assert plain == "(see Davies, 1941, passim)"
    with pytest.raises(CitekitError, match="prefix is a string"):
        Cite("davies1941", prefix=3)  # type: ignore[arg-type]


def test_unknown_keys(serge: citekit.Library) -> None:
    csl = CslFormatter("apa")
    with pytest.raises(
        UnknownKeyError, match=r"'serge1945' \(did you mean 'serge1944'\?\)"
    ) as info:
        csl.cite(serge, "serge1945")
    assert isinstance(info.value, KeyError) and isinstance(info.value, CitekitError)
    assert info.value.suggestion == "serge1944"
    with pytest.raises(UnknownKeyError):
        csl.cite(dict(serge), ["davies1941", "nobody"])
    with pytest.raises(UnknownKeyError, match="did you mean 'davies1941'"):
        csl.citations(serge, [["davies1914"]])


def test_suppress_author(serge: citekit.Library) -> None:
    assert CslFormatter("apa").cite(serge, "davies1941", suppress_author=True) == "(1941)"


def test_suppress_author_and_author_only_exclude_each_other() -> None:
    with pytest.raises(CitekitError, match="exclude each other"):
        Cite("x", suppress_author=True, author_only=True)


def test_document_registers_what_it_cites(serge: citekit.Library) -> None:
    ieee = CslFormatter("ieee")
    document = ieee.document(serge, ["davies1941", Citation(["serge1944", "davies1941"])])
    assert isinstance(document, RenderedDocument)
    assert document.citations == ("[1]", "[1], [2]")
    assert [e.key for e in document.bibliography] == ["davies1941", "serge1944"]
    assert document.bibliography[0].text.startswith("[1] J. E. Davies")
    assert ieee.citations(serge, ["davies1941"]) == ["[1]"]
    # cite() renders beside the whole library's bibliography instead.
    assert ieee.cite(serge, "davies1941") == "[3]"


def test_note_positions(serge: citekit.Library) -> None:
    notes = CslFormatter("chicago-notes-bibliography")
    first, again = notes.citations(serge, [Cite("davies1941", "3"), Cite("davies1941", "5")])
    assert first.startswith("Joseph E. Davies, Mission to Moscow")
    assert "Joseph" not in again and "5" in again and len(again) < len(first)
    # A citation in its own note, far from the first, still takes the short form.
    far = notes.citations(serge, [Citation("davies1941", note=1), Citation("davies1941", note=9)])
    assert "Joseph" not in far[1]


# --- hostile and rich field text, end to end ---------------------------------------------


HOSTILE = Work(
    key="evil",
    type="book",
    title='<script>alert(1)</script> "><img src=x onerror=alert(1)> & R&D',
    publisher='"><img src=x onerror=alert(1)> &amp; Sons',
    publisher_place="<b>Nowhere",
    url="javascript:alert(1)",
    contributors=[
        Contributors(Role.AUTHOR, (Person(family="<script>O'Brien", given="<Pat>"),)),
    ],
    issued=Date(start=DateParts(2001)),
)


@pytest.mark.parametrize(
    "style", ["apa", "ieee", "chicago-author-date", "chicago-notes-bibliography"]
)
def test_hostile_fields_are_inert_in_html(style: str) -> None:
    csl = CslFormatter(style, output="html")
    texts = [e.text for e in csl.bibliography([HOSTILE])]
    texts.append(csl.cite([HOSTILE], "evil"))
    for text in texts:
        root = fragment(text)
        assert not any("script" in e.tag or "img" in e.tag for e in root.iter())
        assert "<script" not in text and "<img" not in text and "<b>Nowhere" not in text
    plain = CslFormatter(style).bibliography([HOSTILE])[0].text
    entry = "".join(fragment(texts[0]).itertext())
    for text in (plain, entry):  # (some styles title-case the title)
        assert "<script>alert(1)</script>" in text.lower()
        assert '"><img src=x onerror=alert(1)>' in text.lower()
        assert "& R&D" in text
    if style == "apa":
        assert "javascript:alert(1)" in entry
        assert "&amp; Sons" in entry  # the characters "&amp;", as the field holds them
        assert "<script>O’Brien" in entry  # a name's characters are text


def test_rich_text_survives_into_each_output() -> None:
    rich = (
        '<i>Das Kapital</i> and x<sup>2</sup> and <span style="font-variant:small-caps;">sc</span>'
    )
    from citekit.model.markup import strip_markup

    work = Work(key="k", type="article-journal", title=strip_markup(rich), rich={"title": rich})
    assert work.rich["title"] == rich
    rendered = {o: CslFormatter("apa", output=o).bibliography([work])[0].text for o in OUTPUTS}
    assert "x<sup>2</sup>" in rendered["html"]
    # Italics inside an italic title flip to roman, as citeproc-js does.
    assert (
        "<i>Das Kapital</i>" in rendered["html"]
        or '<i><span style="font-style:normal;">Das Kapital</span>' in rendered["html"]
    )
    assert "x2" in rendered["text"]
    assert "x\\textsuperscript{2}" in rendered["latex"] and "\\textsc{sc}" in rendered["latex"]
    assert "x<sup>2</sup>" in rendered["markdown"]
    assert ":sup:`2`" in rendered["rst"]


def test_latex_specials_end_to_end() -> None:
    title = "100% R&D #1 for $5: a_b {x} ~ ^ \\ <y> |z|"
    work = Work(key="k", type="book", title=title, publisher="A & B")
    latex = CslFormatter("ieee", output="latex").bibliography([work])[0].text
    for escaped in (
        "100\\%",
        "R\\&D",
        "\\#1",
        "\\$5",
        "a\\_b",
        "\\{x\\}",
        "\\textasciitilde{}",
        "\\textasciicircum{}",
        "\\textbackslash{}",
        "\\textless{}y\\textgreater{}",
        "\\textbar{}z\\textbar{}",
        "A \\& B",
    ):
        assert escaped in latex, (escaped, latex)
    assert title in latex_text(latex)


def test_markdown_and_rst_escape_field_text() -> None:
    work = Work(key="k", type="book", title="a_b *c* [d](e) #f |g| `h`")
    md = CslFormatter("apa", output="markdown").bibliography([work])[0].text
    assert "a\\_b \\*c\\* \\[d\\](e) \\#f &#124;g&#124; \\`h\\`" in md
    rst = CslFormatter("apa", output="rst").bibliography([work])[0].text
    assert "a\\_b \\*c\\* [d](e) #f \\|g\\| \\`h\\`" in rst


# --- styles and errors -----------------------------------------------------------------------


def test_style_by_path_and_by_text(tmp_path: Path, serge: citekit.Library) -> None:
    from citekit.csl.styles import find_style

    source = find_style("apa")
    copy = tmp_path / "my-style.csl"
    copy.write_bytes(source.read_bytes())
    expected = CslFormatter("apa").bibliography(serge)
    assert CslFormatter(copy).bibliography(serge) == expected
    assert CslFormatter(str(copy)).bibliography(serge) == expected
    assert CslFormatter(source.read_text(encoding="utf-8")).bibliography(serge) == expected
    assert CslFormatter(source.read_bytes()).style_name


def test_style_errors() -> None:
    with pytest.raises(StyleError, match=r"no style named 'apaa' \(did you mean 'apa'"):
        CslFormatter("apaa")
    with pytest.raises(StyleError, match="not well-formed"):
        CslFormatter("<style><citation>")
    with pytest.raises(StyleError, match="entities"):
        CslFormatter('<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><style>&x;</style>')
    with pytest.raises(StyleError, match="no such style file"):
        CslFormatter("missing/style.csl")
    with pytest.raises(StyleError, match="not int"):
        CslFormatter(3)  # type: ignore[arg-type]
    with pytest.raises(StyleError, match="is not a locale"):
        CslFormatter("apa", locale="../../etc/passwd")
    with pytest.raises(FormatError, match="unknown output format 'pdf'"):
        CslFormatter("apa", output="pdf")
    with pytest.raises(CitekitError, match="bad options"):
        citekit.formatter("csl", stile="apa")


def test_locale_option(serge: citekit.Library) -> None:
    german = CslFormatter("apa", locale="de-DE")
    assert german.locale == "de-DE"
    assert "Serge" in german.cite(serge, "serge1944", locator="12")
    assert german.cite(serge, "serge1944", locator="12") != CslFormatter("apa").cite(
        serge, "serge1944", locator="12"
    )


CITATION_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Titles only</title><id>t</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="(" suffix=")"><text variable="title"/></layout></citation>
</style>"""


def test_style_without_bibliography(serge: citekit.Library) -> None:
    csl = CslFormatter(CITATION_ONLY)
    assert csl.style_name == "Titles only"
    assert csl.cite(serge, "davies1941") == "(Mission to Moscow)"
    with pytest.raises(StyleError, match="'Titles only' has no bibliography"):
        csl.bibliography(serge)
    assert csl.document(serge, ["davies1941"]).bibliography == ()


def test_engine_failures_name_the_style_and_work(
    serge: citekit.Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception inside the engine becomes a RenderError naming the work it fails on."""
    from citekit.csl import engine

    real = engine.Processor.iter_bibliography

    def failing(self: Any, convert: Any = None) -> Iterator[tuple[str, str]]:
        for key, text in real(self, convert):
            if "Mission to Moscow" in text:
                raise AttributeError("'NoneType' object has no attribute 'render'")
            yield key, text

    monkeypatch.setattr(engine.Processor, "iter_bibliography", failing)
    csl = CslFormatter("apa")
    with pytest.raises(RenderError) as info:
        csl.bibliography(serge)
    error = info.value
    assert isinstance(error, CitekitError)
    assert error.key == "davies1941" and error.style == "apa"
    assert isinstance(error.cause, AttributeError)
    assert str(error).startswith("style 'apa' cannot render work 'davies1941': AttributeError")


@pytest.mark.parametrize("output", OUTPUTS)
def test_write_bibliography_writes_bibliography_text(serge: citekit.Library, output: str) -> None:
    for style in STYLES:
        stream = io.StringIO()
        written = CslFormatter(style, output=output).write_bibliography(serge, stream)
        expected = CslFormatter(style, output=output).bibliography_text(serge)
        assert stream.getvalue() == expected
        assert written == len(expected)
        # a cached bibliography is written the same way
        csl = CslFormatter(style, output=output)
        csl.bibliography(serge)
        again = io.StringIO()
        assert csl.write_bibliography(serge, again) == written
        assert again.getvalue() == expected


def test_write_bibliography_writes_each_entry_as_it_is_rendered(
    serge: citekit.Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citekit.csl import output

    monkeypatch.setenv("CITEKIT_WORKERS", "1")
    converted: list[str] = []
    real = output.convert

    def counting(markup: str, to: str) -> str:
        converted.append(markup)
        return real(markup, to)

    monkeypatch.setattr(output, "convert", counting)

    seen: list[int] = []  # entries converted when each piece is written

    class Stream(io.StringIO):
        def write(self, text: str) -> int:
            seen.append(len(converted))
            return super().write(text)

    CslFormatter("apa").write_bibliography(serge, Stream())
    assert len(converted) == len(serge) >= 3
    # entry n is written once n entries are rendered, before the next one is
    assert seen == list(range(1, len(serge) + 1))


def test_a_failing_stream_stops_the_bibliography(serge: citekit.Library) -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell() > 80:
                raise OSError("no space left on device")
            return super().write(text)

    fresh = CslFormatter("apa")
    expected = (fresh.bibliography_text(serge), fresh.cite(serge, "serge1944"))
    csl = CslFormatter("apa")
    stream = Full()
    with pytest.raises(OSError, match="no space"):
        csl.write_bibliography(serge, stream)
    assert 80 < len(stream.getvalue()) < len(expected[0])
    assert expected[0].startswith(stream.getvalue())  # what was written is the bibliography's start
    # the formatter is usable again (nothing left half-done inside): it gives
    # what a formatter that never failed gives
    assert (csl.bibliography_text(serge), csl.cite(serge, "serge1944")) == expected


def test_write_bibliography_of_a_style_without_one(serge: citekit.Library) -> None:
    with pytest.raises(StyleError, match="has no bibliography"):
        CslFormatter(CITATION_ONLY).write_bibliography(serge, io.StringIO())


def test_engine_failure_without_a_single_culprit(
    serge: citekit.Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citekit.csl import engine

    def failing(self: Any) -> None:
        if len(self.keys) > 1:
            raise KeyError("together")

    monkeypatch.setattr(engine.Processor, "sort", failing)
    with pytest.raises(RenderError, match=r"cannot render works .* together: KeyError") as info:
        CslFormatter("apa").bibliography(serge)
    assert info.value.key is None


# --- the command line ------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_cli_bib(serge: citekit.Library) -> None:
    status, out, err = run("bib", str(SERGE), "--style", "apa")
    assert status == 0 and not err
    assert out == CslFormatter("apa").bibliography_text(serge) + "\n"
    assert out.splitlines()[2] == "Davies, J. E. (1941). Mission to Moscow. Simon and Schuster."
    status, out, _ = run("bib", str(SERGE), "--style", "ieee", "--to", "html")
    assert status == 0 and out.startswith('<div class="csl-bib-body">\n  <div class="csl-entry">')
    fragment(out)
    status, out, _ = run("bib", str(SERGE), "--style", "apa", "--to", "latex")
    assert "\\textit{Mission to Moscow}" in out
    status, out, _ = run(
        "bib", str(SERGE), "--style", "apa", "--to", "markdown", "--locale", "en-GB"
    )
    assert status == 0 and "*Mission to Moscow*" in out


def test_cli_cite() -> None:
    assert run("cite", str(SERGE), "serge1944", "--locator", "12", "--style", "apa") == (
        0,
        "(Serge, 1945, p. 12)\n",
        "",
    )
    status, out, _ = run(
        "cite", str(SERGE), "davies1941", "--locator", "3", "--label", "chapter",
        "--style", "modern-language-association",
    )  # fmt: skip
    assert (status, out) == (0, "(Davies, ch. 3)\n")
    assert run("cite", str(SERGE), "serge1944", "davies1941", "--style", "ieee")[:2] == (
        0,
        "[1], [3]\n",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["cite", "serge1945", "--style", "apa"],
            "unknown citation key 'serge1945' (did you mean 'serge1944'?)",
        ),
        (["bib", "--style", "apaa"], "no style named 'apaa' (did you mean 'apa'"),
        (["bib", "--to", "pdf"], "unknown output format 'pdf'"),
        (
            ["cite", "serge1944", "davies1941", "--locator", "3"],
            "--locator and --label apply to a single KEY",
        ),
        (["cite", "serge1944", "--label", "page"], "--label needs --locator"),
        (["cite", "serge1944", "--locator", "3", "--label", "chapt"], "did you mean 'chapter'"),
        (["bib", "--locale", "x/y"], "is not a locale"),
    ],
)
def test_cli_errors(argv: list[str], message: str) -> None:
    status, out, err = run(argv[0], str(SERGE), *argv[1:])
    assert status == 2 and not out
    assert err.startswith("citekit: error: ") and message in err
    assert err.count("\n") == 1


def test_cli_reading_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.bib"
    broken.write_text(SERGE.read_text(encoding="utf-8") + "\n@book{half,\n  title = {x\n")
    status, out, err = run("bib", str(broken), "--style", "apa")
    assert status == 0 and "Mission to Moscow" in out and "broken.bib:" in err
    status, out, err = run("bib", str(broken), "--style", "apa", "--strict")
    assert status == 1 and "Mission to Moscow" in out


def test_citation_sequence_reports_the_citations_an_edit_changes() -> None:
    from citekit.formatters.csl import CitationSequence

    library = citekit.loads(
        """
@book{a, author={Smith, John}, title={One}, year=2000, publisher={P}}
@book{b, author={Smith, John}, title={Two}, year=2000, publisher={P}}
@book{c, author={Jones, Mary}, title={Three}, year=2002, publisher={P}}
""",
        "bibtex",
    )
    sequence = CitationSequence(CslFormatter("chicago-author-date"), library)
    assert sequence.append("a") == [(0, "(Smith 2000)")]
    assert sequence.append("c") == [(1, "(Jones 2002)")]
    # Citing the other Smith 2000 gives both year suffixes: the first citation changes too.
    assert sequence.insert(1, "b") == [(0, "(Smith 2000a)"), (1, "(Smith 2000b)")]
    assert sequence.texts == ("(Smith 2000a)", "(Smith 2000b)", "(Jones 2002)")
    # Removing it takes the suffix away again.
    assert sequence.remove(1) == [(0, "(Smith 2000)")]
    assert sequence.replace(1, "b") == [(0, "(Smith 2000a)"), (1, "(Smith 2000b)")]
    assert [e.key for e in sequence.bibliography()] == ["a", "b"]
    with pytest.raises(IndexError):
        sequence.insert(5, "a")


def test_citation_sequence_in_a_note_style_updates_ibid() -> None:
    from citekit.formatters.csl import CitationSequence

    library = citekit.load(SERGE)
    # OSCOLA asks for a lowercase "ibid" (text-case="lowercase" on the term).
    sequence = CitationSequence(CslFormatter("oscola"), library)
    assert sequence.append("davies1941") == [
        (0, "Joseph E Davies, Mission to Moscow (Simon and Schuster 1941).")
    ]
    assert sequence.append("davies1941") == [(1, "ibid.")]
    # Another work cited in between: the old "ibid." becomes a cross-reference.
    assert sequence.insert(1, "burnham1945") == [
        (1, "James Burnham, ‘Lenin’s Heir’ (1945) 12 Partisan Review."),
        (2, "Davies (n 1)."),
    ]


def test_entries_keep_their_keys_when_the_style_prints_nothing_for_one() -> None:
    style = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Skip manuscripts</title><id>skip</id>
    <updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <choose><if type="manuscript"/><else><text variable="title"/></else></choose>
  </layout></bibliography>
</style>"""
    library = citekit.loads(
        '[{"id": "a", "type": "book", "title": "A"},'
        ' {"id": "m", "type": "manuscript", "title": "M"},'
        ' {"id": "z", "type": "book", "title": "Z"}]',
        "csljson",
    )
    entries = CslFormatter(style).bibliography(library)
    assert [(e.key, str(e)) for e in entries] == [("a", "A"), ("z", "Z")]
