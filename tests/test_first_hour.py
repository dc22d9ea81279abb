"""A new user's first hour: the traps a writer, a tool-builder and a quoter met.

Each test names the item of the report it guards. They run the command line
the way a user does, on copies of the seed example and of the real
bibliographies in tests/corpus/.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

import citekit
from citekit import Library, WorkType
from citekit.cli import main

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge"
CORPUS = REPO / "tests" / "corpus"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def essay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed example, the current folder."""
    for name in ("essay.md", "serge.yaml", "serge.bib"):
        shutil.copy(SERGE / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "essay.md"


# -- 1. a missing bibliography never replaces a good output -------------------------------


@pytest.mark.parametrize("how", ["--bib", "front matter"])
def test_a_missing_bibliography_is_exit_2_and_leaves_the_output_as_it_was(
    capsys: pytest.CaptureFixture[str], essay: Path, how: str
) -> None:
    assert run(capsys, "render", "essay.md", "-o", "good.html", "--no-cache")[0] == 0
    good = Path("good.html").read_bytes()
    assert b"**" not in good and b"?</b>" not in good
    if how == "--bib":
        argv = ["render", "essay.md", "--bib", "refs-old.bib", "-o", "good.html"]
    else:  # a typo in the front matter's bibliography:
        essay.write_text(
            essay.read_text(encoding="utf-8").replace("serge.yaml", "serge.yml"), encoding="utf-8"
        )
        argv = ["render", "essay.md", "-o", "good.html"]
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    missing = "refs-old.bib" if how == "--bib" else "serge.yml"
    assert f"citekit: error: cannot read the bibliography {missing}" in err
    assert "good.html not written (left as it was)" in err
    assert err.rstrip().splitlines()[-1].startswith("citekit: error:")  # the error comes last
    assert "unknown citation key" not in err  # the cause, not its dozen consequences
    assert err.count("\n") == 2, err
    assert Path("good.html").read_bytes() == good
    assert sorted(p.name for p in Path().glob("*.html*")) == ["good.html"]  # no temporary left


def test_a_missing_bibliography_writes_nothing_to_standard_output(
    capsys: pytest.CaptureFixture[str], essay: Path
) -> None:
    status, out, err = run(capsys, "render", "essay.md", "--bib", "nope.bib")
    assert (status, out) == (2, "")
    assert "cannot read the bibliography nope.bib; the output not written" in err


# -- 2. -o essay.pdf ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["essay.pdf", "essay.docx", "essay.PDF"])
def test_a_document_format_citekit_does_not_typeset_is_refused(
    capsys: pytest.CaptureFixture[str], essay: Path, name: str
) -> None:
    status, out, err = run(capsys, "render", "essay.md", "-o", name)
    assert (status, out) == (2, "")
    assert "it does not typeset" in err and "essay.tex" in err
    assert not Path(name).exists()


def test_an_unknown_output_extension_needs_to(
    capsys: pytest.CaptureFixture[str], essay: Path
) -> None:
    status, _, err = run(capsys, "render", "essay.md", "-o", "essay.txt")
    assert status == 2
    assert "no output format for '.txt'" in err and "--to" in err
    assert not Path("essay.txt").exists()
    status, _, _ = run(capsys, "render", "essay.md", "-o", "essay.txt", "--to", "markdown")
    assert status == 0
    assert Path("essay.txt").read_text(encoding="utf-8").startswith("---\ntitle:")


# -- 3. warnings do not bury errors --------------------------------------------------------


@pytest.fixture
def heppler_essay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ten-line essay against heppler-history.bib, with two unknown keys."""
    shutil.copy(CORPUS / "heppler-history.bib", tmp_path / "refs.bib")
    lines = [
        "---",
        "bibliography: refs.bib",
        "---",
        "",
        "Wilderness is a cultural idea [@cronon1996troublewilderness].",
        "Suburbs grew with commerce [@berrycohen1973decentralization, 12].",
        "Napa fought sprawl [@brosnan2010napa].",
        "Nobody wrote this [@nobody2020].",
        "Nor this [@cronon1996trouble].",
        "",
    ]
    path = tmp_path / "essay.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def test_errors_come_last_and_are_counted(
    capsys: pytest.CaptureFixture[str], heppler_essay: Path
) -> None:
    status, out, err = run(capsys, "render", "essay.md", "--no-cache")
    assert status == 0 and out
    lines = err.splitlines()
    # The two unknown keys are the last lines before the count, whatever came before.
    assert lines[-3].startswith("essay.md:8:") and "'nobody2020'" in lines[-3]
    assert lines[-2].startswith("essay.md:9:") and "'cronon1996trouble'" in lines[-2]
    assert "did you mean 'cronon1996troublewilderness'" in lines[-2]
    assert lines[-1].startswith("citekit: 2 errors, ")
    # "never cited" is one line for the whole file, not one per entry (376 here).
    uncited = [x for x in lines if "never cited" in x]
    assert len(uncited) == 1
    uncited_count = len(citekit.load(CORPUS / "heppler-history.bib")) - 3
    assert f"refs.bib: warning: {uncited_count} entries never cited: " in uncited[0]
    # Warnings on entries the essay does not cite are counted, not listed.
    assert any("refs.bib: warning: " in x and "warnings on entries not cited" in x for x in lines)
    assert len(lines) <= 8, err


def test_quiet_prints_only_the_errors(
    capsys: pytest.CaptureFixture[str], heppler_essay: Path
) -> None:
    status, out, err = run(capsys, "render", "essay.md", "--no-cache", "--quiet")
    assert status == 0 and out
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert "'nobody2020'" in lines[0] and "'cronon1996trouble'" in lines[1]
    assert lines[2].startswith("citekit: 2 errors, ") and "--quiet" in lines[2]


def test_quiet_on_the_reading_commands(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / "heppler-history.bib")
    status, out, err = run(capsys, "show", path)
    assert status == 0 and "warning:" in err
    status, out2, err = run(capsys, "show", path, "-q")
    assert (status, out2) == (0, out)
    assert "warning:" not in err.replace("warnings not shown", "")
    assert err.startswith("citekit: 0 errors, ") and err.count("\n") == 1


# -- 4. style names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "first_line"),
    [
        ("mla", "bolshevikpunk. Victor Serge on Stalinism. 2019."),
        ("chicago", "bolshevikpunk. 2019. “Victor Serge on Stalinism.”"),
        ("harvard", "bolshevikpunk (2019) Victor Serge on Stalinism."),
        ("apa", "bolshevikpunk. (2019). Victor Serge on Stalinism."),
        ("ieee", "[1] V. Serge, “Lenin’s Heir?,” May 1945. [Online]. Available:"),
        ("vancouver", "1. Serge V. Lenin’s Heir? [Internet]. 1945. Available from:"),
        ("turabian", "bolshevikpunk. 2019. “Victor Serge on Stalinism.”"),
    ],
)
def test_common_style_names_render(
    capsys: pytest.CaptureFixture[str], alias: str, first_line: str
) -> None:
    status, out, err = run(capsys, "bib", str(SERGE / "serge.bib"), "--style", alias)
    assert (status, err) == (0, "")
    assert out.startswith(first_line)


def test_aliases_work_where_a_style_is_named() -> None:
    from citekit.csl.catalog import STYLE_ALIASES
    from citekit.formatters.csl import CslFormatter

    library = citekit.load(SERGE / "serge.yaml")
    for alias, name in STYLE_ALIASES.items():
        cite = CslFormatter(style=alias).cite(library, "davies1941", locator="12")
        assert cite == CslFormatter(style=name).cite(library, "davies1941", locator="12")
    quote = citekit.formatter("blockquote", style="mla", library=library, output="text")
    assert "Serge" in quote.format(library.excerpts["serge-heir"])


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [
        ("chicgo", ["'chicago-author-date'", "'chicago-notes-bibliography'"]),
        ("mlaa", ["'modern-language-association'"]),
        ("harvrd", ["'harvard-cite-them-right'"]),
        ("apaa", ["'apa'"]),
    ],
)
def test_a_misspelt_style_suggests_what_was_meant(
    capsys: pytest.CaptureFixture[str], typo: str, suggested: list[str]
) -> None:
    status, out, err = run(capsys, "bib", str(SERGE / "serge.bib"), "--style", typo)
    assert (status, out) == (2, "")
    hint = err.split("did you mean", 1)[1]
    positions = [hint.index(s) for s in suggested]
    assert positions == sorted(positions), err
    assert "'pmla'" not in hint.split("?")[0] or typo != "mla"


def test_styles_lists_and_searches(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "styles")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) > 2000
    assert lines[0].split()[:3] == ["mla", "alias", "modern-language-association"]
    apa = next(x for x in lines if x.startswith("apa "))
    assert apa.split()[1] == "author-date" and "APA Style 7th edition" in apa
    status, out, _ = run(capsys, "styles", "chicago", "notes", "bibliography")
    names = [x.split()[0] for x in out.splitlines()]
    assert "chicago-notes-bibliography" in names and "chicago-author-date" not in names
    assert all("note" in x.split()[1] for x in out.splitlines())
    status, out, err = run(capsys, "styles", "zzzxq")
    assert (status, out) == (1, "")
    assert "no style matches 'zzzxq'" in err


# -- 5. finding works ----------------------------------------------------------------------


def test_library_find() -> None:
    library = citekit.load(CORPUS / "heppler-history.bib")
    by_cronon = library.find(author="Cronon")
    assert by_cronon and all(
        any(p.family == "Cronon" for p in (*w.authors, *w.editors)) for w in by_cronon
    )
    assert [w.key for w in library.find(author="William Cronon", year=1996, type="chapter")] == [
        "cronon1996troublewilderness"
    ]
    decade = library.find(year="1990-1999")
    assert decade and all(w.year is not None and 1990 <= w.year <= 1999 for w in decade)
    assert library.find(title="trouble wilderness") == [library["cronon1996troublewilderness"]]
    assert library.find(title="wildern*", type=WorkType.CHAPTER)
    books = library.find(type="book")
    assert books and all(w.type is WorkType.BOOK for w in books)
    assert library.find(text="Uncommon Ground") and library.find() == list(library.values())
    assert library.find(author="Nobody Atall") == []
    with pytest.raises(ValueError, match="did you mean 'book'"):
        library.find(type="boook")
    with pytest.raises(ValueError, match="expected a year"):
        library.find(year="nineteen")
    with pytest.raises(ValueError, match="expected a name"):
        library.find(author="  ")


def test_show_filters(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / "heppler-history.bib")
    status, out, _ = run(capsys, "show", path, "-q", "--author", "Cronon", "--year", "1996")
    assert status == 0
    assert [x.split()[0] for x in out.splitlines()] == [
        w.key for w in Library.find(citekit.load(path), author="Cronon", year=1996)
    ]
    assert out.startswith("cronon1996")
    status, out, err = run(capsys, "show", path, "-q", "--type", "book", "--title", "zzzz")
    assert (status, out) == (1, "")
    assert "no work of" in err
    status, _, err = run(capsys, "show", path, "-q", "--type", "boook")
    assert status == 2 and "did you mean 'book'" in err


# -- 6. unknown keys in a note style -------------------------------------------------------


def test_an_unknown_key_in_a_note_keeps_its_case_and_a_failed_entry_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("refs.bib").write_text(
        "@book{good1999, title={Good}, author={A, B}, year={1999}}\n"
        "@book{broken2000, title={Broken, author={C, D}, year={2000}}\n\n"
        "@book{after2001, title={After}, year={2001}}\n",
        encoding="utf-8",
    )
    Path("note.md").write_text(
        "---\nbibliography: refs.bib\n---\n\nText [@cronon1996]. More [@broken2000].\n",
        encoding="utf-8",
    )
    status, out, err = run(
        capsys, "render", "note.md", "--style", "chicago-notes-bibliography", "--no-cache"
    )
    assert status == 0
    assert "[^cite-1]: **cronon1996?**" in out
    assert "[^cite-2]: **broken2000?**" in out
    assert (
        "note.md:5:27: unknown citation key 'broken2000': its entry (refs.bib:2) could not be"
        " read" in err
    )


# -- 9. non-UTF-8 manuscripts --------------------------------------------------------------


def test_a_latin1_manuscript_error_names_line_column_and_byte(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("essay.md").write_bytes("# Title\n\nSerge’s reply, ".encode() + b"caf\xe9 [@x].\n")
    status, out, err = run(capsys, "render", "essay.md", "--no-cache")
    assert (status, out) == (2, "")
    offset = len("# Title\n\nSerge’s reply, caf".encode())
    assert err == (
        f"citekit: error: essay.md:3:19: not UTF-8 text: byte 0xE9 at byte offset {offset}"
        " (is it Latin-1 or Windows-1252? save it as UTF-8)\n"
    )


# -- 11. the cache folder, standalone HTML, duplicate ids ----------------------------------


def test_the_cache_folder_ignores_itself(capsys: pytest.CaptureFixture[str], essay: Path) -> None:
    assert run(capsys, "render", "essay.md", "-o", "out.md")[0] == 0
    ignore = Path(".citekit-cache") / ".gitignore"
    assert ignore.is_file()
    assert "*" in ignore.read_text(encoding="utf-8").splitlines()


def test_standalone_html_shows_the_title(capsys: pytest.CaptureFixture[str], essay: Path) -> None:
    status, out, _ = run(capsys, "render", "essay.md", "--to", "html", "-s", "--no-cache")
    assert status == 0
    title = "Lenin&#x27;s Heir? Victor Serge answers James Burnham".replace("&#x27;", "'")
    assert f"<title>{title}</title>" in out
    assert f'<h1 class="title">{title}</h1>' in out
    assert out.index('<h1 class="title">') < out.index("<h1") + 1 < out.index("Lenin’s heir")


def test_convert_warns_of_duplicate_ids_in_csl_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "dup.bib"
    source.write_text(
        "@book{a, title={One}, year={2000}}\n@book{a, title={Two}, year={2001}}\n",
        encoding="utf-8",
    )
    target = tmp_path / "dup.json"
    status, _, err = run(capsys, "convert", str(source), str(target))
    assert status == 0
    assert f"{target}: warning: 1 key shared by several works (a): written as csljson" in err
    status, _, err = run(capsys, "convert", str(source), str(tmp_path / "copy.bib"))
    assert "shared by several works" not in err  # BibTeX keeps both entries as they were


# -- 5. the Python API shows itself ------------------------------------------------------


def test_dir_and_help_show_the_lazy_functions() -> None:
    import pydoc
    import subprocess
    import sys

    names = dir(citekit)
    for name in ("load", "loads", "save", "render_manuscript", "check_quote", "formatter"):
        assert name in names
    assert set(citekit.__all__) <= set(names)
    text = pydoc.render_doc(citekit, renderer=pydoc.plaintext)
    for name in ("load(", "save(", "render_manuscript(", "check_quote("):
        assert name in text
    # dir() alone loads nothing heavy
    code = "import sys, citekit; dir(citekit); print('citekit.io' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_formatter_returns_the_class_its_name_says() -> None:
    from citekit.formatters.bibtex import BibtexFormatter
    from citekit.formatters.blockquote import BlockquoteFormatter
    from citekit.formatters.csl import CslFormatter

    assert isinstance(citekit.formatter("csl"), CslFormatter)
    assert isinstance(citekit.formatter("blockquote"), BlockquoteFormatter)
    assert isinstance(citekit.formatter("bibtex"), BibtexFormatter)


# -- 13. a progress bar for long bibliographies ------------------------------------------


def test_a_long_bibliography_shows_a_bar_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(CORPUS / "heppler-history.bib")
    status, plain, err = run(capsys, "bib", path, "--style", "apa", "-q")
    assert status == 0 and "\r" not in err and "[#" not in err  # not a terminal: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    status, out, err = run(capsys, "bib", path, "--style", "apa", "-q")
    assert status == 0
    assert out == plain  # the bar is on standard error only
    total = len(citekit.load(path))
    last = err.split("\r")[-1]
    assert re.fullmatch(
        rf"rendering {total} works in apa \[#{{30}}\] {total}/{total} \d+ s done in [\d.]+ s\n",
        last,
    ), last


def test_a_short_bibliography_has_no_bar(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "bib", str(SERGE / "serge.bib"), "--progress")
    assert status == 0 and "\r" not in err
    assert "rendering 4 works in chicago-author-date ... done in" in err


# -- 8. one command line ---------------------------------------------------------------------


def _subparsers() -> dict[str, object]:
    import argparse

    from citekit.cli import _parser

    found: dict[str, object] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found[f"{prefix}{name}"] = sub
                    walk(sub, f"{prefix}{name} ")

    walk(_parser(), "")
    return found


def test_options_mean_the_same_in_every_command() -> None:
    import argparse

    commands = _subparsers()
    styles, tos, stricts = {}, {}, {}
    for name, parser in commands.items():
        assert isinstance(parser, argparse.ArgumentParser)
        for action in parser._actions:
            if "--style" in action.option_strings:
                styles[name] = action
            if "--to" in action.option_strings:
                tos[name] = action
            if "--strict" in action.option_strings:
                stricts[name] = action
    assert set(styles) == {"bib", "cite", "render", "quote render"}
    # --style: one definition, no default of its own (each command says its default)
    assert {a.dest for a in styles.values()} == {"style"}
    assert {a.default for a in styles.values()} == {None}
    assert all("citekit styles" in (a.help or "") for a in styles.values())
    # --to: stored under one name
    assert {"convert", "bib", "cite", "render", "quote render"} <= set(tos)
    assert {a.dest for a in tos.values()} == {"to"}
    # --strict: each command's help says what it does there, and only convert's says
    # that convert writes nothing
    for name, action in stricts.items():
        assert ("convert" in (action.help or "")) is False, (name, action.help)
    assert "write nothing" in (stricts["convert"].help or "")
    assert "write" not in (stricts["show"].help or "")
    # --quiet wherever problems are printed
    for name in ("convert", "show", "bib", "cite", "render", "quote list", "quote render"):
        parser = commands[name]
        assert isinstance(parser, argparse.ArgumentParser)
        assert any("--quiet" in a.option_strings for a in parser._actions), name


def test_every_command_takes_its_library_first(capsys: pytest.CaptureFixture[str]) -> None:
    lib = str(SERGE / "serge.yaml")
    for argv in (
        ["show", lib],
        ["bib", lib],
        ["cite", lib, "serge1944"],
        ["quote", "list", lib],
        ["quote", "show", lib, "serge-heir"],
        ["quote", "render", lib, "serge-heir"],
    ):
        status, out, err = run(capsys, *argv)
        assert (status, err) == (0, ""), argv
        assert out, argv


@pytest.mark.parametrize("command", ["cite", "show"])
def test_cite_and_show_say_when_a_key_s_entry_failed_to_load(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@book{good1999, title={Good}, year={1999}}\n"
        "@book{broken2000, title={Broken, year={2000}}\n\n"
        "@book{after2001, title={After}, year={2001}}\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, command, str(path), "broken2000")
    assert (status, out) == (2, "")
    assert err.splitlines()[-1] == (
        f"citekit: error: unknown citation key 'broken2000': its entry ({path}:2) could not"
        " be read, see the error above"
    )
