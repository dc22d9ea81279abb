"""Style loading as lenient as citeproc-js where that loses nothing, and the errors that stay.

Each leniency is checked by rendering: a style accepted with its oddity
renders exactly what the same style without it renders. The errors that
stay name the file, the line and what was expected.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import citekit
from citekit import StyleError, StyleWarning, Work
from citekit.csl.styles import load_style

CSL_NS = "http://purl.org/net/xbiblio/csl"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def style(
    *,
    bibliography: str = '<text macro="author" suffix=". "/><text variable="title"/>',
    macros: str = '<macro name="author"><names variable="author"><name/></names></macro>',
    sort: str = "",
    root: str = f'xmlns="{CSL_NS}" class="in-text" version="1.0"',
    title: str = "Lenient",
    declaration: str = DECLARATION,
) -> str:
    """A small author-title style, one element a line (so errors have lines to name)."""
    return (
        f"{declaration}<style {root}>\n"
        f"<info><title>{title}</title><id>lenient</id>"
        "<updated>2024-01-01T00:00:00+00:00</updated></info>\n"
        f"{macros}\n"
        '<citation><layout><text macro="author"/></layout></citation>\n'
        f"<bibliography>{sort}\n<layout>\n{bibliography}\n</layout>\n</bibliography>\n"
        "</style>\n"
    )


BOOK = Work(
    key="serge",
    type="book",
    title="Memoirs of a Revolutionary",
    contributors={"author": [citekit.Person(family="Serge", given="Victor")]},
)
THESIS = Work(
    key="thesis",
    type="thesis",
    title="A Thesis",
    contributors={"author": [citekit.Person(family="Abel", given="Ann")]},
)
EXPECTED = "Victor Serge. Memoirs of a Revolutionary"


def entries(spec: str | bytes | Path, works: list[Work] | None = None) -> list[str]:
    """The bibliography entries (text) of ``works`` (the book alone by default)."""
    csl = citekit.formatter("csl", style=spec)
    return [entry.text for entry in csl.bibliography(works or [BOOK])]


def test_the_plain_style_renders_as_expected() -> None:
    assert entries(style()) == [EXPECTED]
    assert load_style(style()).problems == () == load_style("apa").problems


# --- before the XML declaration --------------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    ["\n", "\n\n  \t", "\ufeff", "\ufeff\n  ", "\r\n"],
    ids=["newline", "white-space", "bom", "bom-and-white-space", "crlf"],
)
def test_white_space_and_bom_before_the_declaration_are_ignored(
    before: str, tmp_path: Path
) -> None:
    text = before + style()
    assert entries(text) == [EXPECTED]  # as text
    assert entries(text.encode("utf-8")) == [EXPECTED]  # as bytes
    path = tmp_path / "odd.csl"
    path.write_bytes(text.encode("utf-8"))
    assert entries(path) == [EXPECTED]  # as a file
    assert load_style(path).source == str(path)


def test_lines_keep_their_numbers_after_white_space_before_the_declaration() -> None:
    broken = style(bibliography='<text variable="title" font-style="bold"/>')
    line = broken.splitlines().index('<text variable="title" font-style="bold"/>') + 1
    with pytest.raises(StyleError, match=f"line {line}: font-style='bold'"):
        load_style(broken)
    with pytest.raises(StyleError, match=f"line {line + 3}: font-style='bold'"):
        load_style("\n\n\n" + broken)


def test_a_bom_before_a_style_without_declaration_is_ignored() -> None:
    assert entries(b"\xef\xbb\xbf" + style(declaration="").encode()) == [EXPECTED]


# --- encodings --------------------------------------------------------------------------------


def test_a_utf16_file_with_its_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csl"
    text = style(title="Société", declaration='<?xml version="1.0" encoding="UTF-16"?>\n')
    path.write_bytes(text.encode("utf-16"))  # (with a byte order mark)
    assert load_style(path).title == "Société"
    assert entries(path) == [EXPECTED]


def test_a_latin1_file_that_says_so_is_read_in_latin1(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csl"
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    path.write_bytes(style(title="Société", declaration=declaration).encode("latin-1"))
    assert load_style(path).title == "Société"
    assert entries(path) == [EXPECTED]


def test_utf8_text_that_declares_latin1_is_still_read_as_utf8(tmp_path: Path) -> None:
    """As before: a mistaken declaration does not turn good UTF-8 into mojibake."""
    path = tmp_path / "mislabelled.csl"
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    path.write_bytes(style(title="Société", declaration=declaration).encode("utf-8"))
    assert load_style(path).title == "Société"


def test_bytes_in_no_declared_encoding_are_an_error_with_their_line() -> None:
    data = style(title="Soci\xe9t\xe9").encode("latin-1")  # declares utf-8
    with pytest.raises(StyleError, match="line 3: not utf-8 text though the XML declaration says"):
        load_style(data)
    undeclared = style(title="Soci\xe9t\xe9", declaration="").encode("latin-1")
    with pytest.raises(StyleError, match="line 2: not well-formed XML"):
        load_style(undeclared)


@pytest.mark.parametrize("encoding", ["x-no-such-code", "base64", "punycode", "unicode_escape"])
def test_an_unknown_declared_encoding_is_named(encoding: str) -> None:
    """Python's codecs that are no file's encoding (or decode slowly) are not used."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    data = style(title="Soci\xe9t\xe9", declaration=declaration).encode("latin-1")
    with pytest.raises(StyleError, match=f"line 1: unknown text encoding '{encoding}'"):
        load_style(data)


def test_bytes_a_declared_codec_refuses_are_an_error_with_their_line() -> None:
    declaration = '<?xml version="1.0" encoding="ascii"?>\n'
    data = style(title="Soci\xe9t\xe9", declaration=declaration).encode("latin-1")
    with pytest.raises(StyleError, match="line 3: not ascii text though the XML declaration"):
        load_style(data)


def test_a_false_utf16_bom_is_an_error() -> None:
    with pytest.raises(StyleError, match="UTF-16 byte order mark but is not UTF-16"):
        load_style(b"\xff\xfe<\x00s\x00\x00\xd8")


# --- namespaces -------------------------------------------------------------------------------


def test_a_style_without_the_csl_namespace_is_read_as_csl() -> None:
    bare = style(root='class="in-text" version="1.0"')
    loaded = load_style(bare)
    assert loaded.title == "Lenient" and loaded.has_bibliography
    assert entries(bare) == [EXPECTED]


def test_a_style_without_namespace_keeps_its_line_numbers() -> None:
    broken = style(root='class="in-text" version="1.0"', bibliography="<textt/>")
    line = broken.splitlines().index("<textt/>") + 1
    with pytest.raises(StyleError, match=f"line {line}: <textt> is not an element of CSL"):
        load_style(broken)


def test_a_root_in_another_namespace_is_not_a_style() -> None:
    with pytest.raises(StyleError, match=r"line 1: not a CSL style .* expected <style>"):
        load_style('<style xmlns="urn:other"/>')


def test_foreign_elements_where_rendering_goes_are_refused_when_loading() -> None:
    """They made rendering fail (an lxml element cannot render); citeproc-js refuses them too."""
    odd = style(bibliography='<text variable="title"/>\n<x:note xmlns:x="urn:x"/>')
    with pytest.raises(
        StyleError, match=r"line 9: <note> of the namespace urn:x in <bibliography>: only CSL"
    ):
        load_style(odd)
    in_macro = (
        '<macro name="author"><names variable="author"><name/></names>\n<x:n xmlns:x="urn:x"/>'
        "</macro>"
    )
    with pytest.raises(StyleError, match=r"line 5: <n> of the namespace urn:x in <macro name="):
        load_style(style(macros=in_macro))


def test_foreign_elements_where_rendering_never_goes_are_left_alone() -> None:
    text = style().replace("</info>", '<x:meta xmlns:x="urn:x">m</x:meta></info>')
    assert entries(text) == [EXPECTED]
    unused = '<macro name="unused"><x:n xmlns:x="urn:x"/></macro>'
    macros = '<macro name="author"><names variable="author"><name/></names></macro>' + unused
    assert entries(style(macros=macros)) == [EXPECTED]


def test_csl_m_elements_are_named_as_such() -> None:
    institution = (
        '<macro name="author"><names variable="author"><name/>\n<institution/></names></macro>'
    )
    with pytest.raises(StyleError, match=r"line 5: <institution> is an element of CSL-M"):
        load_style(style(macros=institution))


def test_unknown_csl_elements_stay_errors() -> None:
    with pytest.raises(StyleError, match=r"line 8: <textt> is not an element of CSL 1.0.2"):
        load_style(style(bibliography="<textt/>"))


# --- entities ---------------------------------------------------------------------------------


def test_entity_in_a_comment_of_a_style_without_doctype_is_text() -> None:
    text = style().replace("<info>", "<!-- styles may not use <!ENTITY x 'y'> -->\n<info>")
    assert entries(text) == [EXPECTED]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE style [<!ENTITY e "x">]>\n',
        '<!doctype style [<!entity e "x">]>\n',
        '<!DOCTYPE style [<!-- ]> --><!ENTITY e "x">]>\n',
    ],
)
def test_entity_declarations_stay_refused(doctype: str) -> None:
    with pytest.raises(StyleError, match="may not declare XML entities"):
        load_style(DECLARATION + doctype + style(declaration=""))


# --- layouts and dependent styles -------------------------------------------------------------


def test_a_bibliography_without_layout_stays_an_error() -> None:
    text = style().replace("\n<layout>\n", "\n<group>\n").replace("\n</layout>\n", "\n</group>\n")
    with pytest.raises(StyleError, match=r"line 6: <bibliography> has no <layout> \(CSL requires"):
        load_style(text)


def test_a_style_without_citation_or_parent_stays_an_error() -> None:
    text = style().replace('<citation><layout><text macro="author"/></layout></citation>', "")
    with pytest.raises(StyleError, match=r"line 2: a CSL style needs a <citation> \(or"):
        load_style(text)


def dependent(href: str) -> str:
    return (
        f'<style xmlns="{CSL_NS}" version="1.0" default-locale="en-GB">\n<info><title>D</title>'
        f'<id>d</id>\n<link rel="independent-parent" href="{href}"/>'
        "<updated>2024-01-01T00:00:00+00:00</updated></info></style>"
    )


def test_white_space_around_a_parent_link_is_ignored() -> None:
    loaded = load_style(dependent("  http://www.zotero.org/styles/apa\n"))
    assert loaded.title.startswith("APA") and loaded.locale == "en-GB"


def test_a_missing_parent_is_named_with_the_line_of_its_link() -> None:
    with pytest.raises(
        StyleError,
        match=r"line 3: its independent parent 'http://www.zotero.org/styles/no-such': "
        "no style named 'no-such'",
    ):
        load_style(dependent("http://www.zotero.org/styles/no-such"))


# --- macros that are not defined --------------------------------------------------------------

UNTAKEN = (
    '<choose><if type="thesis"><text macro="thesis-note"/></if>'
    '<else><text macro="author" suffix=". "/><text variable="title"/></else></choose>'
)


def test_an_undefined_macro_is_a_warning_when_the_style_loads() -> None:
    text = style(bibliography=UNTAKEN, title="Undefined warning")
    with pytest.warns(StyleWarning, match=r"^<text macro='thesis-note'>: macro") as caught:
        loaded = load_style(text)
    assert (caught[0].filename, caught[0].lineno) == ("<string>", 8)
    [problem] = loaded.problems
    assert problem.severity == "warning" and problem.line == 8 and problem.path == "<string>"
    assert "macro 'thesis-note' is not defined" in problem.message


def test_an_undefined_macro_in_a_branch_not_taken_renders_the_rest() -> None:
    with pytest.warns(StyleWarning):
        assert entries(style(bibliography=UNTAKEN, title="Untaken")) == [EXPECTED]


def test_reaching_an_undefined_macro_is_a_style_error_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "undefined.csl"
    path.write_text(style(bibliography=UNTAKEN, title="Taken"), encoding="utf-8")
    with pytest.warns(StyleWarning):
        csl = citekit.formatter("csl", style=path)
    assert [e.text for e in csl.bibliography([BOOK])] == [EXPECTED]
    with pytest.raises(StyleError, match=rf"^{path}: line 8: <text macro='thesis-note'>: macro"):
        csl.bibliography([BOOK, THESIS])
    # the style still renders what does not reach the call, after the error as before
    assert [e.text for e in csl.bibliography([BOOK])] == [EXPECTED]


def test_an_undefined_macro_in_a_rendered_group_is_a_style_error() -> None:
    text = style(bibliography='<group><text variable="title"/><text macro="gone"/></group>')
    with pytest.warns(StyleWarning):
        csl = citekit.formatter("csl", style=text)
    with pytest.raises(
        StyleError, match="line 8: <text macro='gone'>: macro 'gone' is not defined"
    ):
        csl.bibliography([BOOK])


def test_an_undefined_macro_in_a_macro_of_a_group_counts_as_no_variable() -> None:
    """Group suppression asks whether a macro calls variables: an undefined call calls none."""
    macros = (
        '<macro name="author"><names variable="author"><name/></names></macro>\n'
        '<macro name="note"><choose><if type="thesis"><text macro="gone"/></if></choose>'
        '<text value="[book]"/></macro>'
    )
    layout = (
        '<text macro="author" suffix=". "/><text variable="title"/>'
        '<group prefix=" "><text macro="note"/><text value="!"/></group>'
    )
    with pytest.warns(StyleWarning):
        assert entries(style(macros=macros, bibliography=layout)) == [EXPECTED + " [book]!"]


def test_an_undefined_sort_key_macro_is_a_style_error_when_sorting() -> None:
    text = style(sort='<sort><key macro="sort-author"/></sort>', title="Sort key")
    with pytest.warns(StyleWarning, match="<key macro='sort-author'>"):
        csl = citekit.formatter("csl", style=text)
    with pytest.raises(StyleError, match="line 6: <key macro='sort-author'>: macro 'sort-author'"):
        csl.bibliography([BOOK, THESIS])


def test_a_macro_name_with_white_space_gets_a_hint() -> None:
    text = style(bibliography='<text macro=" author"/>', title="Hint")
    with pytest.warns(
        StyleWarning, match=r"macro ' author' is not defined \(a macro 'author' is\)"
    ):
        load_style(text)


def test_a_macro_never_called_may_call_undefined_macros_without_warning() -> None:
    macros = (
        '<macro name="author"><names variable="author"><name/></names></macro>'
        '<macro name="unused"><text macro="gone"/></macro>'
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_style(style(macros=macros, title="Unused")).problems == ()


def test_macro_names_are_looked_up_as_they_are() -> None:
    """A quote in a macro's name is a name like any other (not part of an XPath query)."""
    macros = '<macro name="it\'s"><names variable="author"><name/></names></macro>'
    text = style(
        macros=macros, bibliography='<text macro="it\'s" suffix=". "/><text variable="title"/>'
    )
    text = text.replace('<text macro="author"/>', '<text macro="it\'s"/>')
    assert entries(text) == [EXPECTED]


def test_loops_and_costs_stay_checked_with_undefined_macros_in_the_style() -> None:
    """An undefined macro costs nothing and leads nowhere: loops and costs beside it are found."""
    loop = (
        '<macro name="author"><names variable="author"><name/></names></macro>'
        '<macro name="a"><text macro="gone"/><text macro="b"/></macro>'
        '<macro name="b"><text macro="gone"/><text macro="a"/></macro>'
    )
    with pytest.raises(StyleError, match=r"macro 'a' calls itself \(a -> b -> a\)"):
        load_style(style(macros=loop, bibliography='<text macro="a"/>', title="Loop"))
    wide = '<macro name="author"><names variable="author"><name/></names></macro>'
    for level in range(20):
        wide += f'<macro name="m{level}"><text macro="gone"/>' + f'<text macro="m{level + 1}"/>' * 2
        wide += "</macro>"
    wide += '<macro name="m20"><text variable="title"/></macro>'
    with pytest.raises(StyleError, match="rendering may evaluate more than"):
        load_style(style(macros=wide, bibliography='<text macro="m0"/>', title="Wide"))
    many = '<text macro="gone"/>' * 60_000  # each call is one element, and costs nothing more
    with pytest.raises(StyleError, match="rendering may evaluate more than"):
        load_style(style(bibliography=many, title="Many"))
