"""Plug-ins found through entry points, as a third party would ship them.

The fixture below builds a real (if tiny) installed distribution in a
temporary folder: a package and a ``*.dist-info`` folder with ``METADATA`` and
``entry_points.txt``. Putting the folder on ``sys.path`` makes
``importlib.metadata`` find it exactly as it finds a package pip installed.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import citekit
from citekit import plugins
from citekit.cli import main
from citekit.model import Work

PACKAGE_SOURCE = '''
"""acme: a citekit plug-in package (test fixture)."""

from citekit.model import Library, Problem, Work


class TsvFormat:
    """Tab-separated files: a citation key and a title on each line."""

    name = "{name}"
    extensions = (".{name}",)

    def read(self, data, *, path=None):
        library = Library(path=path)
        for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            key, tab, title = line.partition("\\t")
            if not tab or not key:
                library.problems.append(
                    Problem(path=path, line=number, message="expected KEY<TAB>TITLE")
                )
                continue
            library.add(Work(key=key, title=title))
        return library

    def write(self, library):
        return "".join(f"{{w.key}}\\t{{w.title or ''}}\\n" for w in library.values()).encode()


class ShoutFormatter:
    """Titles in capitals."""

    name = "{name}"

    def __init__(self, *, exclaim=False):
        self.exclaim = exclaim

    def format(self, work):
        return (work.title or "").upper() + ("!" if self.exclaim else "")
'''

ENTRY_POINTS = """
[citekit.formats]
{name} = {name}:TsvFormat

[citekit.formatters]
{name} = {name}:ShoutFormatter
{name}-missing = {name}.nowhere:Formatter
{name}-explodes = {name}.explodes:Formatter
"""


@attrs.frozen
class Acme:
    """The installed test distribution: its plug-in name (also its module and extension)."""

    name: str
    site: Path

    @property
    def extension(self) -> str:
        return f".{self.name}"


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Acme]:
    """Install a fresh third-party distribution on sys.path; remove it afterwards.

    Each test gets its own name, so citekit's cache of loaded plug-ins and
    ``sys.modules`` cannot carry one test's plug-in into another.
    """
    name = f"acme{uuid.uuid4().hex[:8]}"
    site = tmp_path / "site-packages"
    package = site / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PACKAGE_SOURCE.format(name=name), encoding="utf-8")
    (package / "explodes.py").write_text(
        'raise RuntimeError("the acme formatter needs a licence key")\n', encoding="utf-8"
    )
    dist_info = site / f"{name}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nSummary: test plug-ins\n",
        encoding="utf-8",
    )
    (dist_info / "entry_points.txt").write_text(
        textwrap.dedent(ENTRY_POINTS.format(name=name)), encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield Acme(name, site)
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]


def test_citekits_own_plugins_are_entry_points() -> None:
    formatters = {ep.name: ep for ep in importlib.metadata.entry_points(group=plugins.FORMATTERS)}
    formats = {ep.name: ep for ep in importlib.metadata.entry_points(group=plugins.FORMATS)}
    assert formatters["bibtex"].value == "citekit.formatters.bibtex:BibtexFormatter"
    assert {"bibtex", "csljson", "cslyaml"} <= set(formats)
    for group, points in ((plugins.FORMATS, formats), (plugins.FORMATTERS, formatters)):
        for name in ("bibtex", "csljson", "cslyaml") if group == plugins.FORMATS else ("bibtex",):
            assert points[name].dist is not None
            assert points[name].dist.name == "citekit"
            assert points[name].value.startswith("citekit.")
            assert plugins.load(group, name).__module__ == points[name].module


def test_the_distribution_is_seen_as_installed(acme: Acme) -> None:
    dist = importlib.metadata.distribution(acme.name)
    assert dist.version == "1.0"
    assert acme.name in plugins.available(plugins.FORMATS)
    assert {acme.name, f"{acme.name}-missing", f"{acme.name}-explodes"} <= set(
        plugins.available(plugins.FORMATTERS)
    )


def test_formatter_by_name_with_options(acme: Acme) -> None:
    work = Work(key="davies1941", title="Mission to Moscow")
    assert citekit.formatter(acme.name).format(work) == "MISSION TO MOSCOW"
    shout = citekit.formatter(acme.name, exclaim=True)
    assert type(shout).__module__ == acme.name
    assert shout.format(work) == "MISSION TO MOSCOW!"


def test_formatter_with_a_bad_option(acme: Acme) -> None:
    with pytest.raises(citekit.CitekitError, match=rf"formatter '{acme.name}': bad options"):
        citekit.formatter(acme.name, colour="red")


def test_load_and_save_by_extension(acme: Acme, tmp_path: Path) -> None:
    source = tmp_path / f"refs{acme.extension}"
    source.write_text(
        "serge1944\tLenin's Heir?\nno tab on this line\ndavies1941\tMission to Moscow\n",
        encoding="utf-8",
    )
    library = citekit.load(source)
    assert list(library) == ["serge1944", "davies1941"]
    assert library["serge1944"].title == "Lenin's Heir?"
    [problem] = library.problems
    assert (problem.path, problem.line) == (str(source), 2)
    assert str(problem) == f"{source}:2: expected KEY<TAB>TITLE"
    with pytest.raises(citekit.ParseError, match="expected KEY<TAB>TITLE"):
        citekit.load(source, strict=True)

    library["serge1944"] = attrs.evolve(library["serge1944"], title="Lenin’s Heir?")
    target = tmp_path / f"out{acme.extension.upper()}"  # extensions match in any case
    citekit.save(library, target)
    assert target.read_text(encoding="utf-8") == (
        "serge1944\tLenin’s Heir?\ndavies1941\tMission to Moscow\n"
    )


def test_the_cli_lists_and_uses_the_plugins(
    acme: Acme, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["formats"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(acme.name))
    assert line.split() == [acme.name, acme.extension, f"{acme.name}:TsvFormat"]

    assert main(["formatters"]) == 0
    lines = {x.split()[0]: x for x in capsys.readouterr().out.splitlines()}
    assert "Titles in capitals" in lines[acme.name]
    assert "BROKEN" in lines[f"{acme.name}-missing"]
    assert "needs a licence key" in lines[f"{acme.name}-explodes"]

    source = tmp_path / f"refs{acme.extension}"
    source.write_text("burnham1945\tLenin's Heir\n", encoding="utf-8")
    assert main(["convert", str(source), "-", "--to", acme.name]) == 0
    assert capsys.readouterr().out == "burnham1945\tLenin's Heir\n"


def test_unknown_names_list_what_is_installed(acme: Acme) -> None:
    with pytest.raises(citekit.PluginNotFoundError) as caught:
        citekit.formatter("no-such-formatter")
    message = str(caught.value)
    assert "'no-such-formatter'" in message
    assert "citekit.formatters" in message
    assert acme.name in message
    assert "bibtex" in message
    assert acme.name in caught.value.available


@pytest.mark.parametrize(
    ("suffix", "cause"),
    [("-missing", "No module named '{name}.nowhere'"), ("-explodes", "needs a licence key")],
)
def test_a_broken_plugin_is_named(acme: Acme, suffix: str, cause: str) -> None:
    name = acme.name + suffix
    with pytest.raises(citekit.CitekitError) as caught:
        citekit.formatter(name)
    assert not isinstance(caught.value, citekit.PluginNotFoundError)
    message = str(caught.value)
    assert f"'{name}'" in message
    assert cause.format(name=acme.name) in message


def test_runtime_registration_takes_precedence(acme: Acme) -> None:
    class Quiet:
        name = acme.name

        def format(self, obj: object) -> str:
            return "..."

    plugins.register(plugins.FORMATTERS, acme.name, Quiet)
    try:
        assert citekit.formatter(acme.name).format(Work(key="k", title="t")) == "..."
    finally:
        plugins.unregister(plugins.FORMATTERS, acme.name)
    assert citekit.formatter(acme.name).format(Work(key="k", title="t")) == "T"
