"""``citekit quote list|show|add|check|render`` on copies of the Serge example."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

import citekit
from citekit.cli import main
from oracles import serge_page

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "serge"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_error_line(err: str, *fragments: str) -> None:
    """The error output is one line, citekit's, naming what went wrong; no traceback."""
    assert err.count("\n") == 1, err
    assert err.startswith("citekit: error: "), err
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture
def yaml_lib(tmp_path: Path) -> str:
    """A copy of serge.yaml (which holds the excerpt serge-heir)."""
    return str(shutil.copy(EXAMPLE / "serge.yaml", tmp_path / "serge.yaml"))


@pytest.fixture
def bib_lib(tmp_path: Path) -> str:
    """A copy of serge.bib."""
    return str(shutil.copy(EXAMPLE / "serge.bib", tmp_path / "serge.bib"))


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    """The seed blog post's opening, whose text the excerpt serge-heir quotes."""
    path = tmp_path / "seed.txt"
    path.write_text(serge_page(), encoding="utf-8")
    return path


@pytest.mark.parametrize("sub", ["list", "show", "add", "check", "render"])
def test_help_on_every_subcommand(capsys: pytest.CaptureFixture[str], sub: str) -> None:
    status, out, _ = run(capsys, "quote", sub, "--help")
    assert status == 0
    assert out.startswith(f"usage: citekit quote {sub}")
    assert "--library" in out


def test_quote_alone_prints_its_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "quote")
    assert (status, out) == (2, "")
    for sub in ("list", "show", "add", "check", "render"):
        assert sub in err


def test_a_library_is_needed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CITEKIT_LIBRARY", raising=False)
    status, out, err = run(capsys, "quote", "list")
    assert (status, out) == (2, "")
    assert_one_error_line(err, "expected FILE", "CITEKIT_LIBRARY")


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "{lib}"],
        ["show", "{lib}", "serge-heir"],
        ["render", "{lib}", "serge-heir", "--to", "text"],
        ["check", "{lib}", "serge-heir", "{source}"],
    ],
)
def test_the_library_comes_first_like_every_other_command(
    capsys: pytest.CaptureFixture[str],
    yaml_lib: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    monkeypatch.delenv("CITEKIT_LIBRARY", raising=False)
    source = tmp_path / "source.txt"
    source.write_text(citekit.load(yaml_lib).excerpts["serge-heir"].text, encoding="utf-8")
    words = [w.format(lib=yaml_lib, source=source) for w in argv]
    status, out, err = run(capsys, "quote", *words)
    assert (status, err) == (0, "")
    assert out
    # -l/--library still works, with a warning that says what to write instead
    deprecated = [words[0], "-l", yaml_lib, *words[2:]]
    status_l, out_l, err_l = run(capsys, "quote", *deprecated)
    assert (status_l, out_l) == (0, out)
    assert "-l/--library is deprecated" in err_l
    assert f"citekit quote {words[0]} FILE" in err_l


def test_the_environment_variable_names_the_library_when_file_is_left_out(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEKIT_LIBRARY", yaml_lib)
    status, out, err = run(capsys, "quote", "show", "serge-heir")
    assert (status, err) == (0, "")
    assert out.startswith("serge-heir\n")
    # FILE given: it wins over the variable
    status, out2, err = run(capsys, "quote", "show", yaml_lib, "serge-heir")
    assert (status, out2, err) == (0, out, "")


def test_list_says_when_a_library_has_no_excerpts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lib = tmp_path / "refs.bib"
    lib.write_text("@book{a, title={A}, year={2000}}\n", encoding="utf-8")
    status, out, err = run(capsys, "quote", "list", str(lib))
    assert (status, out) == (1, "")
    assert "holds no excerpts" in err


# -- list and show ------------------------------------------------------------------------


def test_list(capsys: pytest.CaptureFixture[str], yaml_lib: str) -> None:
    status, out, err = run(capsys, "quote", "list", yaml_lib)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "serge-heir  serge1944  -  It’s permissible to use the word treason when a man does…"
    ]


@pytest.mark.parametrize(
    ("filters", "listed"),
    [
        (["--work", "serge1944"], True),
        (["--work", "davies1941"], False),
        (["--author", "Victor Serge"], True),
        (["--author", "serge, v."], True),
        (["--author", "Burnham"], False),
        (["--tag", "Stalinism"], True),
        (["--tag", "stalinism", "--tag", "bolshevism"], True),
        (["--tag", "stalinism", "--tag", "trotskyism"], False),
        (["--text", "LENIN’S HEIR"], True),
        (["--text", '"lenins heir"'], False),
        (["--text", "exterminat*"], True),
        (["--text", "xylophone"], False),
        (["--quoted-in", "bolshevikpunk2019"], True),
        (["--quoted-in", "burnham1945"], False),
        (["--work", "serge1944", "--author", "Davies"], False),
    ],
)
def test_list_filters(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, filters: list[str], listed: bool
) -> None:
    status, out, err = run(capsys, "quote", "list", yaml_lib, *filters)
    if listed:
        assert (status, err) == (0, "")
        assert out.startswith("serge-heir  ")
    else:  # like grep: nothing found is said, and is exit status 1
        assert (status, out) == (1, "")
        assert err == "citekit: no excerpt matches\n"


def test_show_keeps_paragraphs(capsys: pytest.CaptureFixture[str], yaml_lib: str) -> None:
    status, out, err = run(capsys, "quote", "show", yaml_lib, "serge-heir")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "serge-heir"
    assert "  work:      serge1944" in lines
    assert "  quoted-in: bolshevikpunk2019" in lines
    assert "  tags:      stalinism, bolshevism" in lines
    assert any(line.startswith("  note:      The passage as the blog post") for line in lines)
    assert lines.count("  >") == 3  # four paragraphs
    assert lines[-1] == "  > Stalinism."


def test_unknown_excerpts(capsys: pytest.CaptureFixture[str], yaml_lib: str) -> None:
    status, out, err = run(capsys, "quote", "show", yaml_lib, "serge-heir", "serge-hier")
    assert (status, out) == (2, "")  # nothing printed before every id is known
    assert_one_error_line(err, "unknown excerpt id 'serge-hier'", "did you mean 'serge-heir'?")
    status, out, err = run(capsys, "quote", "render", yaml_lib, "serge1944")
    assert (status, out) == (2, "")
    assert_one_error_line(err, "'serge1944' is a work, not an excerpt", "serge-heir")


def test_a_missing_library(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "none.yaml")
    status, out, err = run(capsys, "quote", "list", missing)
    assert (status, out) == (2, "")
    assert_one_error_line(err, missing)


# -- check --------------------------------------------------------------------------------


def test_check_against_the_seed_is_exact(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, seed: Path
) -> None:
    status, out, err = run(capsys, "quote", "check", yaml_lib, "serge-heir", str(seed))
    assert (status, err) == (0, "")
    assert out.startswith("exact: the quotation matches the source at lines ")


def test_check_an_altered_copy(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, seed: Path, tmp_path: Path
) -> None:
    text = seed.read_text(encoding="utf-8")
    assert "dreadful mistakes" in text
    altered = tmp_path / "altered.txt"
    altered.write_text(text.replace("dreadful mistakes", "terrible mistakes"), encoding="utf-8")
    status, out, err = run(capsys, "quote", "check", yaml_lib, "serge-heir", str(altered))
    assert (status, err) == (1, "")
    lines = out.splitlines()
    assert lines[0].startswith("differences: 1 difference from the source at line")
    assert lines[1].endswith("changed: - terrible + dreadful")
    assert len(lines) == 2

    status, out, _ = run(capsys, "quote", "check", yaml_lib, "serge-heir", str(altered), "--diff")
    assert status == 1
    assert "their most [-terrible-]{+dreadful+} mistakes" in out


def test_check_from_standard_input(
    capsys: pytest.CaptureFixture[str],
    yaml_lib: str,
    seed: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(seed.read_text(encoding="utf-8")))
    status, out, _ = run(capsys, "quote", "check", yaml_lib, "serge-heir", "-")
    assert status == 0
    assert out.startswith("exact:")


def test_check_not_found_and_bad_sources(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Notes\n\nNothing of Serge's essay here, only a *shopping* list.\n")
    status, out, err = run(capsys, "quote", "check", yaml_lib, "serge-heir", str(other))
    assert (status, err) == (2, "")
    assert out.startswith("not found:")

    missing = str(tmp_path / "missing.txt")
    status, out, err = run(capsys, "quote", "check", yaml_lib, "serge-heir", missing)
    assert (status, out) == (2, "")
    assert_one_error_line(err, missing, "cannot read")

    latin = tmp_path / "latin1.txt"
    latin.write_bytes(b"first line\nd\xe9j\xe0 vu\n")
    status, out, err = run(capsys, "quote", "check", yaml_lib, "serge-heir", str(latin))
    assert (status, out) == (2, "")
    assert_one_error_line(err, f"{latin}:2:", "not UTF-8")

    status, out, err = run(
        capsys, "quote", "check", yaml_lib, "serge-heir", str(other), "--original"
    )
    assert (status, out) == (2, "")
    assert_one_error_line(err, "has no original text")


# -- render -------------------------------------------------------------------------------


def test_render_in_the_form_the_issue_gives(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEKIT_LIBRARY", yaml_lib)
    argv = ["quote", "render", "serge-heir", "--to", "markdown", "--style", "chicago-author-date"]
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    library = citekit.load(yaml_lib)
    expected = citekit.formatter(
        "blockquote", output="markdown", style="chicago-author-date", library=library
    ).format(library.excerpts["serge-heir"])
    assert out == expected + "\n"
    assert out.startswith("> It’s permissible")
    assert out.endswith("\n>\n> — Serge 1945, quoted in bolshevikpunk 2019\n")


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--to", "html", "--style", "apa"], ["<blockquote", "<footer>", "as cited in"]),
        (["--to", "latex", "--style", "modern-language-association"], ["\\begin{quotation}"]),
        (["--to", "latex", "--latex-environment", "epigraph"], ["\\epigraph{"]),
        (
            ["--to", "latex", "--attribution", "cite-key"],
            ["Serge, quoted in \\cite{bolshevikpunk2019}"],
        ),
        (["--to", "rst"], ["    It’s permissible"]),
        (["--to", "text", "--width", "40"], ["It’s permissible to use the word"]),
        (["--attribution", "none"], ["> It’s permissible"]),
    ],
)
def test_render_options(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, options: list[str], fragments: list[str]
) -> None:
    status, out, err = run(capsys, "quote", "render", yaml_lib, "serge-heir", *options)
    assert (status, err) == (0, "")
    for fragment in fragments:
        assert fragment in out
    if "--width" in options:
        assert max(len(line) for line in out.splitlines()) <= 40
    if "none" in options:
        assert "Serge" not in out.splitlines()[-1]


def test_render_elided_and_without_markers(
    capsys: pytest.CaptureFixture[str], yaml_lib: str
) -> None:
    library = citekit.load(yaml_lib)
    text = library.excerpts["serge-heir"].text
    start = text.index(" The Bolshevism of 1917")
    end = text.index(" Lenin and Trotsky’s")
    status, out, err = run(
        capsys,
        "quote",
        "render",
        yaml_lib,
        "serge-heir",
        "--elide",
        f"{start}:{end}",
        "--ellipsis",
        "[...]",
        "--strip-markers",
    )
    assert (status, err) == (0, "")
    assert "he promises. \\[...\\] Lenin and Trotsky’s" in out  # brackets escaped
    assert "The Bolshevism of 1917" not in out
    assert "[7]" not in out and "\\[8\\]" not in out


def test_render_inline(capsys: pytest.CaptureFixture[str], tmp_path: Path, yaml_lib: str) -> None:
    status, _, _ = run(
        capsys,
        "quote",
        "add",
        yaml_lib,
        "stalin-is",
        "--work",
        "burnham1945",
        "--quoted-in",
        "serge1944",
        "--text",
        "Stalin is communism",
    )
    assert status == 0
    status, out, err = run(
        capsys, "quote", "render", yaml_lib, "stalin-is", "--inline-max-words", "10"
    )
    assert (status, err) == (0, "")
    assert out.startswith("“Stalin is communism”")
    assert "quoted in" in out
    assert out.count("\n") == 1


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--elide", "5"], ["--elide", "START:END", "'5'"]),
        (["--elide", "0:99999"], ["elided range ends at 99999"]),
        (["--style", "no-such-style"], ["no-such-style"]),
        (["--to", "text", "--attribution", "cite-key"], ["cite-key", "'text'"]),
        (["--width", "5"], ["width"]),
        (["--templates", "no-such-folder"], ["no-such-folder"]),
    ],
)
def test_render_errors(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, options: list[str], fragments: list[str]
) -> None:
    status, out, err = run(capsys, "quote", "render", yaml_lib, "serge-heir", *options)
    assert (status, out) == (2, "")
    assert_one_error_line(err, *fragments)


# -- add ----------------------------------------------------------------------------------


def test_add_to_a_bibtex_library_round_trip(
    capsys: pytest.CaptureFixture[str], bib_lib: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Path(bib_lib).read_bytes()
    text = "The terror is here\na horrifying fact.\n\nA second paragraph.\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    status, out, err = run(
        capsys,
        "quote",
        "add",
        bib_lib,
        "davies-terror",
        "--work",
        "davies1941",
        "--locator",
        "p. 33",
        "--speaker",
        "Davies, Joseph E.",
        "--quoted-in",
        "serge1944",
        "--quoted-in-locator",
        "2",
        "--language",
        "en",
        "--tags",
        "terror, purges,terror",
        "--note",
        "Diary entry of April 1, 1938.",
    )
    assert (status, err) == (0, "")
    assert out == f"added excerpt davies-terror (of davies1941) to {bib_lib}\n"

    after = Path(bib_lib).read_bytes()
    assert after.startswith(before.rstrip(b"\n"))  # every entry kept byte for byte
    assert b"@comment{citekit-excerpt{" in after[len(before.rstrip(b"\n")) :]

    library = citekit.load(bib_lib)
    assert not library.problems
    excerpt = library.excerpts["davies-terror"]
    assert excerpt.text == text.strip()
    assert excerpt.paragraphs == ("The terror is here\na horrifying fact.", "A second paragraph.")
    assert excerpt.work_key == "davies1941"
    assert excerpt.locator == citekit.Locator("33", "page")
    assert excerpt.speaker is not None and excerpt.speaker.family == "Davies"
    assert excerpt.quoted_in == citekit.QuotedIn("serge1944", "p. 2")
    assert (excerpt.language, excerpt.tags) == ("en", ("terror", "purges"))
    assert excerpt.note == "Diary entry of April 1, 1938."
    assert {key: library[key] for key in library} == {
        key: work for key, work in citekit.load(EXAMPLE / "serge.bib").items()
    }

    status, out, _ = run(capsys, "quote", "list", bib_lib, "--tag", "purges")
    assert out == (
        "davies-terror  davies1941  page 33"
        "  The terror is here a horrifying fact. A second paragraph.\n"
    )
    status, out, _ = run(capsys, "quote", "show", bib_lib, "davies-terror")
    assert status == 0
    assert "  speaker:   Joseph E. Davies\n" in out
    assert "  quoted-in: serge1944, page 2\n" in out
    assert out.endswith("  > The terror is here a horrifying fact.\n  >\n  > A second paragraph.\n")
    # The excerpt also shows with its work, through the existing command.
    status, out, _ = run(capsys, "show", bib_lib, "davies1941")
    assert "    davies-terror\n" in out


def test_add_from_a_text_file_to_yaml(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, tmp_path: Path
) -> None:
    source = tmp_path / "passage.txt"
    source.write_bytes("\ufeffWords change their meaning.\r\n".encode())
    status, _, err = run(
        capsys,
        "quote",
        "add",
        yaml_lib,
        "serge-words",
        "--work",
        "serge1944",
        "--text-file",
        str(source),
        "--translator",
        "Mitchell Abidor",
    )
    assert (status, err) == (0, "")
    library = citekit.load(yaml_lib)
    assert list(library.excerpts) == ["serge-heir", "serge-words"]
    added = library.excerpts["serge-words"]
    assert added.text == "Words change their meaning."
    assert added.translator is not None and added.translator.family == "Abidor"
    original = citekit.load(EXAMPLE / "serge.yaml")
    assert library.excerpts["serge-heir"] == original.excerpts["serge-heir"]
    status, out, _ = run(capsys, "quote", "list", yaml_lib, "--work", "serge1944")
    assert [line.split()[0] for line in out.splitlines()] == ["serge-heir", "serge-words"]


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["serge-heir", "--work", "serge1944", "--text", "x"], ["'serge-heir' is already in"]),
        (
            ["new", "--work", "serge1945", "--text", "x"],
            ["unknown citation key 'serge1945'", "did you mean 'serge1944'?"],
        ),
        (
            ["new", "--work", "serge1944", "--quoted-in", "burnam1945", "--text", "x"],
            ["unknown citation key 'burnam1945'", "did you mean 'burnham1945'?"],
        ),
        (["new", "--work", "serge1944", "--text", "  \n "], ["no text", "--text is empty"]),
        (["new one", "--work", "serge1944", "--text", "x"], ["excerpt id", "'new one'"]),
        (
            ["new", "--work", "serge1944", "--quoted-in", "serge1944", "--text", "x"],
            ["its own work"],
        ),
        (
            ["new", "--work", "serge1944", "--quoted-in-locator", "3", "--text", "x"],
            ["--quoted-in-locator needs --quoted-in"],
        ),
        (["new", "--work", "serge1944", "--text-file", "nowhere.txt"], ["nowhere.txt"]),
        (["new", "--work", "serge1944", "--speaker", " ", "--text", "x"], ["--speaker"]),
    ],
)
def test_add_refuses_bad_input(
    capsys: pytest.CaptureFixture[str], yaml_lib: str, options: list[str], fragments: list[str]
) -> None:
    before = Path(yaml_lib).read_bytes()
    status, out, err = run(capsys, "quote", "add", yaml_lib, *options)
    assert (status, out) == (2, "")
    assert_one_error_line(err, *fragments)
    assert Path(yaml_lib).read_bytes() == before


def test_add_refuses_a_library_with_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.bib"
    broken.write_text(
        "@book{good, title={Good}, author={A. Author}, year={2000}}\n@book{bad, title={Bad\n",
        encoding="utf-8",
    )
    before = broken.read_bytes()
    status, out, err = run(
        capsys, "quote", "add", str(broken), "q", "--work", "good", "--text", "x"
    )
    assert (status, out) == (2, "")
    last = err.splitlines()[-1]
    assert last.startswith("citekit: error: ") and "nothing written" in last
    assert str(broken) in err.splitlines()[0]  # the problem itself, with its file
    assert broken.read_bytes() == before


def test_add_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        capsys, "quote", "add", "-", "--from", "cslyaml", "q", "--work", "k", "--text", "x"
    )
    assert status == 2
    assert_one_error_line(err, 'not "-"')
