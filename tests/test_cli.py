"""The ``citekit`` command line: convert, show, formats, formatters, exit statuses.

The mechanics (problems, --strict, progress, error lines) are tested with a
small format registered at run time, so they do not depend on what the
BibTeX or CSL readers report; the bundled Serge example is then used through
the real formats.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import citekit
from citekit import plugins
from citekit.cli import main
from citekit.model import Library, Problem, Work
from oracles import CORPUS, needs, require

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "serge"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class LinesFormat:
    """One work a line: ``key|type|title``; lines starting with '!' are errors, '?' warnings."""

    name = "lines"
    extensions = (".lines",)

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        library = Library(path=path)
        for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
            if line.startswith("!"):
                library.problems.append(Problem(path=path, line=number, message=line[1:].strip()))
            elif line.startswith("?"):
                library.problems.append(
                    Problem(path=path, line=number, message=line[1:].strip(), severity="warning")
                )
            elif line:
                key, _, rest = line.partition("|")
                kind, _, title = rest.partition("|")
                library.add(Work(key=key, type=kind or "document", title=title or None))
        return library

    def write(self, library: Library) -> bytes:
        if "crash" in library:
            raise RuntimeError("writer defect")
        lines = [f"{w.key}|{w.type}|{w.title or ''}\n" for w in library.values()]
        return "".join(lines).encode("utf-8")


@pytest.fixture
def lines_format() -> Iterator[None]:
    plugins.register(plugins.FORMATS, "lines", LinesFormat)
    yield
    plugins.unregister(plugins.FORMATS, "lines")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_error_line(err: str, *fragments: str) -> None:
    """The error output is one line, citekit's, naming what went wrong; no traceback."""
    assert err.count("\n") == 1, err
    assert err.startswith("citekit: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


# -- usage -----------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"citekit {citekit.__version__}\n", "")


@pytest.mark.parametrize("command", [[], ["convert"], ["show"], ["formats"], ["formatters"]])
def test_help_on_every_command(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    status, out, _ = run(capsys, *command, "--help")
    assert status == 0
    assert out.startswith(f"usage: citekit {' '.join(command)}".rstrip())
    assert "--help" in out


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)
    assert (status, out) == (2, "")
    assert "convert" in err and "show" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "convert", "only-one-file.bib")
    assert status == 2
    assert "citekit convert: error: the following arguments are required: OUT" in err


# -- convert and show: mechanics ----------------------------------------------------


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_convert_writes_the_target(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "a|book|Mission to Moscow\nb||Lenin's Heir\n")
    target = tmp_path / "out.lines"
    assert run(capsys, "convert", source, str(target)) == (0, "", "")
    assert (
        target.read_text(encoding="utf-8") == "a|book|Mission to Moscow\nb|document|Lenin's Heir\n"
    )


def test_convert_to_stdout_needs_to(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "a|book|Mission to Moscow\n")
    status, out, err = run(capsys, "convert", source, "-")
    assert (status, out) == (2, "")
    assert_one_error_line(err, '"-"', "--to")
    assert run(capsys, "convert", source, "-", "--to", "lines") == (
        0,
        "a|book|Mission to Moscow\n",
        "",
    )


def test_problems_are_printed_as_file_line_message(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "a|book|A\n! field 'year': expected a number\n? odd\n")
    target = tmp_path / "out.lines"
    status, out, err = run(capsys, "convert", source, str(target))
    assert (status, out) == (0, "")
    # warnings first, errors last (never buried), then what was met in all
    assert err.splitlines() == [
        f"{source}:3: warning: odd",
        f"{source}:2: field 'year': expected a number",
        f"citekit: 1 error, 1 warning in {source}",
    ]
    assert target.read_text(encoding="utf-8") == "a|book|A\n"  # the good works are written


def test_strict_fails_and_writes_nothing(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "a|book|A\n? only a warning\n")
    target = tmp_path / "out.lines"
    status, out, err = run(capsys, "convert", "--strict", source, str(target))
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        f"{source}:2: warning: only a warning",
        f"citekit: 1 problem in {source}; --strict: {target} not written",
    ]
    assert not target.exists()
    status, out, _ = run(capsys, "show", "--strict", source)
    assert status == 1
    assert out.startswith("a  book")


def test_strict_without_problems_succeeds(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "a|book|A\nb|article-journal|B\n")
    target = tmp_path / "out.lines"
    assert run(capsys, "convert", "--strict", source, str(target)) == (0, "", "")
    assert target.read_text(encoding="utf-8") == "a|book|A\nb|article-journal|B\n"


def test_missing_file(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.lines")
    status, out, err = run(capsys, "show", missing)
    assert (status, out) == (2, "")
    assert_one_error_line(err, missing, "cannot read file")
    status, _, err = run(capsys, "convert", missing, str(tmp_path / "x.lines"))
    assert status == 2
    assert_one_error_line(err, missing)
    assert not (tmp_path / "x.lines").exists()


def test_a_directory_is_not_a_library(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "refs.lines"
    folder.mkdir()
    status, _, err = run(capsys, "show", str(folder))
    assert status == 2
    assert_one_error_line(err, str(folder))


def test_unknown_formats(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "a|book|A\n")
    status, _, err = run(capsys, "show", write(tmp_path / "refs.xyz", ""))
    assert status == 2
    assert_one_error_line(err, "refs.xyz", "'.xyz'", ".lines")
    status, _, err = run(capsys, "convert", source, "-", "--to", "nosuch")
    assert status == 2
    assert_one_error_line(err, "'nosuch'", "lines")
    status, _, err = run(capsys, "convert", source, str(tmp_path / "out.nosuch"))
    assert status == 2
    assert_one_error_line(err, "'.nosuch'")
    status, _, err = run(capsys, "show", "--from", "nosuch", source)
    assert status == 2
    assert_one_error_line(err, "'nosuch'")


def test_a_writer_defect_is_one_line(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "crash|book|A\n")
    target = tmp_path / "out.lines"
    status, _, err = run(capsys, "convert", source, str(target))
    assert status == 2
    assert_one_error_line(err, "RuntimeError", "writer defect")
    assert not target.exists()
    status, out, err = run(capsys, "convert", source, "-", "--to", "lines")
    assert (status, out) == (2, "")
    assert_one_error_line(err, "writer defect")


def test_unwritable_target(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "a|book|A\n")
    status, _, err = run(capsys, "convert", source, str(tmp_path / "no" / "such" / "out.lines"))
    assert status == 2
    assert_one_error_line(err, "out.lines", "cannot write")


def test_progress(lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "in.lines", "".join(f"k{i}|book|T\n" for i in range(1200)))
    target = str(tmp_path / "out.lines")
    assert run(capsys, "convert", source, target) == (0, "", "")  # stderr is not a terminal
    status, _, err = run(capsys, "convert", "--progress", source, target)
    assert status == 0
    reading, converting = err.splitlines()
    assert reading.startswith(f"reading {source} ... 1,200 works, 0 problems in ")
    assert converting.startswith(f"converting 1,200 works to {target} ... done in ")
    assert converting.endswith(" s")


def test_show_listing_and_unknown_key(
    lines_format: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.lines", "serge1944|manuscript|Lenin's Heir?\nx|book|\n")
    status, out, err = run(capsys, "show", source)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "serge1944  manuscript  -  n.d.  Lenin's Heir?",
        "x          book        -  n.d.  (untitled)",
    ]
    status, out, err = run(capsys, "show", source, "serge1944", "serge1945")
    assert (status, out) == (2, "")  # nothing printed when a key is unknown
    assert_one_error_line(err, "unknown citation key 'serge1945'", "did you mean 'serge1944'?")


def test_the_cli_imports_no_heavy_module() -> None:
    code = (
        "import sys; from citekit.cli import main; main(['--version']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'yaml', 'bibtexparser', 'citeproc', 'lxml', 'pylatexenc'} "
        "or m.startswith('citekit.formats.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_no_traceback_from_the_command(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.bib")
    result = subprocess.run(
        [sys.executable, "-m", "citekit.cli", "show", missing], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr, missing)


# -- plug-in listings --------------------------------------------------------------


def test_formats_lists_installed_and_registered(
    lines_format: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "formats")
    assert (status, err) == (0, "")
    rows = {line.split()[0]: line.split(maxsplit=1)[1] for line in out.splitlines()}
    assert rows["lines"].split() == [".lines", "registered", "at", "run", "time"]
    assert rows["bibtex"].split()[0] == ".bib"
    assert rows["bibtex"].split()[-1] == "citekit.formats.bibtex:BibtexFormat"
    assert rows["csljson"].split()[-1] == "citekit.formats.csljson:CslJsonFormat"
    assert ".json" in rows["csljson"].split()
    assert {".yaml", ".yml"} <= set(rows["cslyaml"].split())


def test_formatters_lists_installed(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "formatters")
    assert status == 0
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert rows["bibtex"].endswith("citekit.formatters.bibtex:BibtexFormatter")
    assert "BROKEN" not in out


# -- the Serge example through the real formats ----------------------------------------

SERGE_LISTING = [
    "serge1944          manuscript       Serge          1945  Lenin's Heir?",
    "burnham1945        article-journal  Burnham        1945  Lenin's Heir — in Partisan Review",
    "davies1941         book             Davies         1941  Mission to Moscow",
    "bolshevikpunk2019  post-weblog      bolshevikpunk  2019  Victor Serge on Stalinism",
]


def test_show_the_yaml_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "show", str(EXAMPLE / "serge.yaml"))
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == SERGE_LISTING
    assert lines[4].startswith("serge-heir         excerpt          of serge1944       ")
    assert lines[4].endswith("  It’s permissible to use the word treason when a man does…")


def test_show_the_bibtex_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "show", str(EXAMPLE / "serge.bib"))
    assert (status, err) == (0, "")
    # BibLaTeX's @online is CSL's webpage; the rest reads the same as from CSL-YAML.
    assert out.splitlines() == [
        *SERGE_LISTING[:3],
        "bolshevikpunk2019  webpage          bolshevikpunk  2019  Victor Serge on Stalinism",
    ]


def test_show_one_work_with_its_excerpt(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "show", str(EXAMPLE / "serge.yaml"), "serge1944")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "serge1944"
    assert "  title:      Lenin's Heir?" in lines
    assert "  author:     Victor Serge" in lines
    assert "  translator: Mitchell Abidor" in lines
    assert "  issued:     1945-05" in lines
    assert "  1 excerpt:" in lines
    assert "    serge-heir" in lines
    assert "      quoted-in: bolshevikpunk2019" in lines
    assert "      tags:      stalinism, bolshevism" in lines
    quoted = [line for line in lines if line.startswith("      >")]
    text = " ".join(line.removeprefix("      > ") for line in quoted if line != "      >")
    library = citekit.load(EXAMPLE / "serge.yaml")
    assert text == " ".join(library.excerpts["serge-heir"].text.split())
    assert quoted.count("      >") == 3  # the four paragraphs are kept apart


def test_show_the_work_that_quotes_and_an_excerpt(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "show", str(EXAMPLE / "serge.yaml"), "bolshevikpunk2019")
    assert status == 0
    assert "  author:   bolshevikpunk" in out.splitlines()
    assert out.splitlines()[-1] == "  quotes: serge-heir (of serge1944)"
    status, out, _ = run(capsys, "show", str(EXAMPLE / "serge.yaml"), "serge-heir")
    assert status == 0
    assert out.splitlines()[:3] == [
        "serge-heir",
        "  work:      serge1944",
        "  quoted-in: bolshevikpunk2019",
    ]


def test_show_extra_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(
        tmp_path / "refs.bib",
        "@book{b, author = {Davies, Joseph E.}, title = {Mission to Moscow}, year = 1941,"
        " shelfmark = {DK 267 D3}}\n",
    )
    status, out, _ = run(capsys, "show", source, "b")
    assert status == 0
    assert any(
        line.split() == ["extra.shelfmark:", "DK", "267", "D3"] for line in out.splitlines()
    ), out


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".json", "csljson"), (".yaml", "cslyaml"), (".bib", "bibtex")]
)
def test_convert_the_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, fmt: str
) -> None:
    target = tmp_path / f"serge{suffix}"
    assert run(capsys, "convert", str(EXAMPLE / "serge.yaml"), str(target)) == (0, "", "")
    original = citekit.load(EXAMPLE / "serge.yaml")
    converted = citekit.load(target)
    assert converted.problems == []
    assert list(converted) == list(original)
    for key in original:
        assert converted[key].title == original[key].title
        assert converted[key].authors == original[key].authors
        assert converted[key].year == original[key].year
    status, out, _ = run(capsys, "convert", str(target), "-", "--to", fmt)
    assert status == 0
    assert out.encode("utf-8") == target.read_bytes()


def test_convert_bibtex_to_csl_json_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "convert", str(EXAMPLE / "serge.bib"), "-", "--to", "csljson")
    assert (status, err) == (0, "")
    items = json.loads(out)
    assert [item["id"] for item in items] == [
        "serge1944",
        "burnham1945",
        "davies1941",
        "bolshevikpunk2019",
    ]
    assert items[2]["publisher"] == "Simon and Schuster"


def test_a_file_with_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = FIXTURES / "problems.bib"
    status, out, err = run(capsys, "show", str(source))
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == ["davies1941", "burnham1945"]
    problem_lines = err.splitlines()
    assert problem_lines, "the broken entry is reported"
    for line in problem_lines:
        path, number, _ = line.split(":", 2)
        assert path == str(source)
        assert number.isdigit()
    assert any(line.startswith(f"{source}:5:") for line in problem_lines), err
    assert run(capsys, "show", "--strict", str(source))[0] == 1


def test_convert_the_largest_corpus_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "healy.json"
    status, _, err = run(
        capsys, "convert", "--progress", str(CORPUS / "healy-socbib.bib"), str(target)
    )
    assert status == 0, err
    library = citekit.load(CORPUS / "healy-socbib.bib")
    works, duplicates = len(library), len(library.duplicates)
    assert err.startswith(
        f"reading {CORPUS / 'healy-socbib.bib'} ... {works:,} works, {duplicates:,} duplicates,"
        f" {len(library.problems):,} problems in "
    )
    assert err.splitlines()[-1].startswith(f"converting {works:,} works to {target} ... done in")
    assert len(json.loads(target.read_text(encoding="utf-8"))) == works + duplicates


def test_output_is_written_atomically_over_an_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "serge.json"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    assert run(capsys, "convert", str(EXAMPLE / "serge.bib"), str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))[0]["id"] == "serge1944"
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["serge.json"]


def test_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def stdin(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    stdin((EXAMPLE / "serge.bib").read_bytes())
    status, out, err = run(capsys, "convert", "-", "-", "--from", "bibtex", "--to", "csljson")
    assert (status, err) == (0, "")
    assert [item["id"] for item in json.loads(out)][:2] == ["serge1944", "burnham1945"]

    stdin(b"@book{a,\n  title = {x}\n@book{b, title = {y}}\n")
    status, out, err = run(capsys, "show", "-", "--from", "bibtex")
    assert (status, out) == (0, "b  book  -  n.d.  y\n")
    assert err.startswith("<stdin>:1: entry 'a': ")

    status, out, err = run(capsys, "show", "-")
    assert (status, out) == (2, "")
    assert_one_error_line(err, '"-"', "--from")


# -- the example's data --------------------------------------------------------------


def test_the_two_example_files_hold_the_same_works() -> None:
    bib = citekit.load(EXAMPLE / "serge.bib", strict=True)
    yaml = citekit.load(EXAMPLE / "serge.yaml", strict=True)
    assert (
        list(bib) == list(yaml) == ["serge1944", "burnham1945", "davies1941", "bolshevikpunk2019"]
    )
    for key in bib:
        a, b = bib[key], yaml[key]
        assert (a.title, a.authors, a.translators, a.issued) == (
            b.title,
            b.authors,
            b.translators,
            b.issued,
        ), key
        assert (a.container_title, a.volume, a.issue, a.publisher, a.publisher_place, a.url) == (
            b.container_title,
            b.volume,
            b.issue,
            b.publisher,
            b.publisher_place,
            b.url,
        ), key
    assert bib["bolshevikpunk2019"].authors[0].is_literal


@needs("seeds")
def test_the_excerpt_is_the_passage_the_blog_post_quotes() -> None:
    [folder] = require("seeds")
    seeds = Path(folder).glob("*.txt")
    [seed] = [p for p in seeds if "“It’s permissible to use" in p.read_text("utf-8")]
    text = seed.read_text(encoding="utf-8")
    start = text.index("“It’s permissible") + 1  # inside the post's own quotation marks
    end = text.index("” – Victor Serge, Lenin’s Heir?")
    excerpt = citekit.load(EXAMPLE / "serge.yaml").excerpts["serge-heir"]
    assert excerpt.text == text[start:end]
    assert len(excerpt.paragraphs) == 4
    assert "[7](April 1, 1938)" in excerpt.text and "“Stalin is communism,” [8]" in excerpt.text
