"""load/save around the format plug-ins: format choice, strict mode, atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import citekit
from citekit import plugins
from citekit.io import atomic_write
from citekit.model import Library, Problem, Work


class _LinesFormat:
    """A minimal format for these tests: one work key per line; '!' lines are errors."""

    name = "lines"
    extensions = (".lines",)

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        library = Library(path=path)
        for number, line in enumerate(data.decode().splitlines(), 1):
            if line.startswith("!"):
                library.problems.append(Problem(path=path, line=number, message="bad line"))
            elif line:
                library.add(Work(key=line))
        return library

    def write(self, library: Library) -> bytes:
        return "".join(f"{key}\n" for key in library).encode()


class _BrokenFormat(_LinesFormat):
    name = "broken"
    extensions = (".broken",)

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        raise RuntimeError("defect in a dependency")

    def write(self, library: Library) -> bytes:
        raise RuntimeError("defect in a dependency")


@pytest.fixture(autouse=True)
def _formats() -> object:
    plugins.register(plugins.FORMATS, "lines", _LinesFormat)
    plugins.register(plugins.FORMATS, "broken", _BrokenFormat)
    yield
    plugins.unregister(plugins.FORMATS, "lines")
    plugins.unregister(plugins.FORMATS, "broken")


def test_load_picks_format_by_extension(tmp_path: Path) -> None:
    path = tmp_path / "refs.lines"
    path.write_text("a\nb\n!\nc\n")
    library = citekit.load(path)
    assert list(library) == ["a", "b", "c"]
    assert [(p.line, p.message) for p in library.problems] == [(3, "bad line")]


def test_strict_load_raises_parse_error_with_location(tmp_path: Path) -> None:
    path = tmp_path / "refs.lines"
    path.write_text("a\n!\n")
    with pytest.raises(citekit.ParseError) as info:
        citekit.load(path, strict=True)
    assert info.value.path == str(path)
    assert info.value.line == 2
    assert f"{path}:2: bad line" in str(info.value)


def test_unknown_extension_is_a_format_error_naming_known_ones(tmp_path: Path) -> None:
    with pytest.raises(citekit.FormatError, match=r"\.xyz.*\.lines"):
        citekit.load(tmp_path / "refs.xyz")


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(citekit.ParseError, match="cannot read file"):
        citekit.load(tmp_path / "absent.lines")


def test_reader_defects_do_not_leak(tmp_path: Path) -> None:
    path = tmp_path / "x.broken"
    path.write_text("a\n")
    with pytest.raises(citekit.ParseError, match="RuntimeError"):
        citekit.load(path)
    with pytest.raises(citekit.FormatError, match="RuntimeError"):
        citekit.save(Library([Work(key="a")]), path)
    assert path.read_text() == "a\n"  # untouched


def test_save_round_trip_and_mode_kept(tmp_path: Path) -> None:
    path = tmp_path / "refs.lines"
    path.write_text("a\n")
    path.chmod(0o640)
    library = citekit.load(path)
    library.add(Work(key="b"))
    citekit.save(library, path)
    assert path.read_text() == "a\nb\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ["refs.lines"]  # no temporary file left


def test_interrupted_save_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "refs.lines"
    path.write_bytes(b"original\n")

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the user pressed ^C between write and rename

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, b"new content that must not appear\n")
    assert path.read_bytes() == b"original\n"
    assert os.listdir(tmp_path) == ["refs.lines"]


def test_write_error_is_citekits_own(tmp_path: Path) -> None:
    with pytest.raises(citekit.WriteError, match="cannot write"):
        atomic_write(tmp_path / "no" / "such" / "dir" / "x.bib", b"x")


def test_import_citekit_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, citekit; "
        "heavy = [m for m in ('bibtexparser', 'citeproc', 'lxml', 'pylatexenc', 'yaml')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
