"""Loading CSL styles: by name, path or text; dependent styles; hostile and broken input."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import citekit
from citekit import StyleError
from citekit.csl.styles import MAX_STYLE_BYTES, find_style, load_style, style_names

MINIMAL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Minimal</title><id>minimal</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  {extra}
</style>"""


def test_by_name_path_and_text(tmp_path: Path) -> None:
    apa = load_style("apa")
    assert apa.title.startswith("APA") and apa.has_bibliography and not apa.is_note_style
    assert load_style("apa") is apa  # cached
    path = tmp_path / "minimal.csl"
    path.write_text(MINIMAL.format(extra=""), encoding="utf-8")
    assert load_style(path).title == "Minimal"
    assert load_style(MINIMAL.format(extra="")).title == "Minimal"
    assert "chicago-author-date" in style_names() and len(style_names()) > 2800


def test_dependent_style_resolves_to_its_parent_keeping_its_locale() -> None:
    assert find_style("nature-digest").parent.name == "dependent"
    style = load_style("nature-digest")
    assert style.title == "Nature"
    assert style.locale == "en-GB"


def test_locale_option() -> None:
    assert load_style("apa", locale="de-DE").locale == "de-DE"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("aap", "no style named 'aap'"),
        ("../etc/passwd", "no such style file"),
        ("<style", "not well-formed XML"),
        ('<x xmlns="urn:other"/>', "not a CSL style"),
        (MINIMAL.format(extra="<frobnicate/>"), "<frobnicate> is not an element of CSL 1.0.2"),
        (
            '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + MINIMAL.format(extra="<!-- &e; -->"),
            "may not declare XML entities",
        ),
        (
            '<!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            + MINIMAL.format(extra=""),
            "may not declare XML entities",
        ),
    ],
)
def test_broken_and_hostile_styles_are_style_errors(spec: str, message: str) -> None:
    with pytest.raises(StyleError, match=message):
        load_style(spec)


HOSTILE_BODY = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Minimal&secret;</title><id>minimal</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
</style>"""


def test_a_local_dtd_is_neither_applied_nor_its_entities_read(tmp_path: Path) -> None:
    """A style naming a local DTD: no attribute default of it, no external entity read.

    The DTD gives ``<text>`` a default prefix and declares an external entity
    for a local file that the style's title uses. Parsed with DTDs loaded
    and entities resolved, the title would hold the file's text (and with
    attribute defaults, every ``<text>`` the prefix).
    """
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-TEXT", encoding="utf-8")
    dtd = tmp_path / "style.dtd"
    dtd.write_text(
        f'<!ENTITY secret SYSTEM "{secret.as_uri()}">\n'
        '<!ATTLIST text prefix CDATA "DTD-DEFAULT ">\n',
        encoding="utf-8",
    )
    text = f'<?xml version="1.0"?>\n<!DOCTYPE style SYSTEM "{dtd.as_uri()}">\n{HOSTILE_BODY}'
    style = load_style(text)
    assert style.title == "Minimal"
    [element] = style.root.iter("{http://purl.org/net/xbiblio/csl}text")
    assert element.get("prefix") is None
    assert dict(element.attrib) == {"variable": "title"}
    work = citekit.Work(key="w", type=citekit.WorkType.BOOK, title="The Title")
    rendered = citekit.formatter("csl", style=text).cite([work], "w")  # type: ignore[attr-defined]
    assert str(rendered) == "The Title"


def test_a_remote_dtd_is_not_fetched() -> None:
    """A DOCTYPE naming a DTD on a local port nobody else uses: no connection comes.

    (libxml2 builds without HTTP support, as lxml 6's, cannot fetch it anyway;
    where libxml2 has it, a parser allowed the network would connect here.)
    """
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/style.dtd"
        style = load_style(f'<!DOCTYPE style SYSTEM "{url}">\n{HOSTILE_BODY}')
        assert style.title == "Minimal"
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing connected


def test_enormous_style_is_refused_before_parsing() -> None:
    big = MINIMAL.format(extra="<!--" + "x" * (MAX_STYLE_BYTES + 1) + "-->")
    with pytest.raises(StyleError, match="more than"):
        load_style(big)


def test_misspelt_name_gets_suggestions() -> None:
    with pytest.raises(StyleError, match="did you mean 'apa'"):
        load_style("apaa")
