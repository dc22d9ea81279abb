"""Second-hand quotations attributed as the style guides do it: the seed's showcase.

The seed's excerpt ``serge-heir`` is Victor Serge's "Lenin's Heir?" (1945) as
a blog post quotes it (bolshevikpunk 2019). Each style guide gives its own
"quoted in" example; the tests below adapt each to the seed, in every form of
attribution (in-text, note, reference), with and without a locator on either
work (p. 12 of Serge's essay, paragraph 3 of the post).

The golden files under tests/golden/quoted-in/ hold every form and locator
case per style, as plain text. Regenerate them with::

    .venv/bin/python -m pytest tests/test_quoted_in.py --regen-golden

and read the diff before committing it.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import citekit
from citekit import Excerpt, Library, QuotedIn

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "serge" / "serge.yaml"
GOLDEN = REPO / "tests" / "golden" / "quoted-in"
STYLES = (
    "apa",
    "chicago-author-date",
    "chicago-notes-bibliography",
    "modern-language-association",
)
FORMS = ("in-text", "note", "reference")
URL = "https://www.marxists.org/archive/serge/1945/05/lenins-heir.htm"


@pytest.fixture(scope="module")
def library() -> Library:
    return citekit.load(SEED)


def variants(excerpt: Excerpt) -> dict[str, Excerpt]:
    """The seed excerpt without locators, with one on either work, and with both."""
    post = excerpt.quoted_in
    assert post is not None and excerpt.locator is None and post.locator is None
    return {
        "no locator": excerpt,
        "p. 12 of Serge": attrs.evolve(excerpt, locator="12"),
        "para. 3 of the post": attrs.evolve(excerpt, quoted_in=QuotedIn(post.work_key, "para. 3")),
        "both": attrs.evolve(excerpt, locator="12", quoted_in=QuotedIn(post.work_key, "para. 3")),
    }


def attribution(library: Library, excerpt: Excerpt, style: str, form: str) -> str:
    quote = citekit.formatter(
        "blockquote", style=style, attribution=form, library=library, output="text"
    )
    return quote.attribute(excerpt)


@pytest.mark.parametrize("style", STYLES)
def test_golden(library: Library, style: str, regen_golden: bool) -> None:
    lines = []
    for form in FORMS:
        for name, excerpt in variants(library.excerpts["serge-heir"]).items():
            lines.append(f"{form} / {name}:\n  {attribution(library, excerpt, style, form)}\n")
    actual = "\n".join(lines)
    path = GOLDEN / f"serge-heir.{style}.txt"
    if regen_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual


# Each guide's own example, then the same form adapted to the seed. The cases hold
# the attribution without and with locators: (form, variant, expected).
GUIDES: dict[str, list[tuple[str, str, str]]] = {
    # APA Publication Manual, 7th ed., section 8.6, "Secondary Sources": in the
    # text "(Rabbitt, 1982, as cited in Lyon et al., 2014)", the original's year
    # given when it is known; "in the reference list, provide an entry for the
    # secondary source", and only for it. APA has no notes: the note form is the
    # in-text form.
    "apa": [
        ("in-text", "no locator", "Serge, 1945, as cited in bolshevikpunk, 2019"),
        ("in-text", "both", "Serge, 1945, p. 12, as cited in bolshevikpunk, 2019, para. 3"),
        ("note", "no locator", "Serge, 1945, as cited in bolshevikpunk, 2019"),
        ("reference", "no locator", "bolshevikpunk. (2019). Victor Serge on Stalinism."),
        ("reference", "p. 12 of Serge", "bolshevikpunk. (2019). Victor Serge on Stalinism."),
    ],
    # The Chicago Manual of Style, 17th ed., 15.52, "Citing indirect sources"
    # (author-date): "(Zukofsky 1931, 269, quoted in Costello 1981, 78)". In the
    # reference list, after 14.260: the original's entry, then "Quoted in" and the
    # secondary source (here as the author-date system refers to another entry).
    "chicago-author-date": [
        ("in-text", "no locator", "Serge 1945, quoted in bolshevikpunk 2019"),
        ("in-text", "both", "Serge 1945, 12, quoted in bolshevikpunk 2019, para. 3"),
        ("note", "both", "Serge 1945, 12, quoted in bolshevikpunk 2019, para. 3"),
        (
            "reference",
            "no locator",
            "Serge, Victor. 1945. “Lenin’s Heir?” Translated by Mitchell Abidor. May."
            f" {URL}. Quoted in bolshevikpunk 2019.",
        ),
        (
            "reference",
            "both",
            "Serge, Victor. 1945. “Lenin’s Heir?” Translated by Mitchell Abidor. May, p. 12."
            f" {URL}. Quoted in bolshevikpunk 2019, para. 3.",
        ),
    ],
    # The Chicago Manual of Style, 17th ed., 14.260, "Citations taken from secondary
    # sources": the note "Louis Zukofsky, “Sincerity and Objectification,” Poetry 37
    # (February 1931): 269, quoted in Bonnie Costello, Marianne Moore: Imaginary
    # Possessions (Cambridge, MA: Harvard University Press, 1981), 78." (the
    # original's full citation, its title included) and the bibliography entry
    # "Zukofsky, Louis. “Sincerity and Objectification.” Poetry 37 (February 1931):
    # 269. Quoted in Bonnie Costello, Marianne Moore: ..."
    "chicago-notes-bibliography": [
        (
            "note",
            "no locator",
            "Victor Serge, “Lenin’s Heir?,” trans. Mitchell Abidor, May 1945,"
            f" {URL}, quoted in bolshevikpunk, Victor Serge on Stalinism, 2019.",
        ),
        (
            "note",
            "both",
            "Victor Serge, “Lenin’s Heir?,” trans. Mitchell Abidor, May 1945, 12,"
            f" {URL}, quoted in bolshevikpunk, Victor Serge on Stalinism, 2019, para. 3.",
        ),
        (
            "reference",
            "no locator",
            "Serge, Victor. “Lenin’s Heir?” Translated by Mitchell Abidor. May 1945."
            f" {URL}. Quoted in bolshevikpunk, Victor Serge on Stalinism, 2019.",
        ),
        (
            "reference",
            "both",
            "Serge, Victor. “Lenin’s Heir?” Translated by Mitchell Abidor. May 1945, p. 12."
            f" {URL}. Quoted in bolshevikpunk, Victor Serge on Stalinism, 2019, para. 3.",
        ),
    ],
    # MLA Handbook, 9th ed., ch. 6, "Indirect Sources": "(qtd. in Boswell 2: 450)",
    # the original's author named with it, no years (MLA cites by author and page);
    # the works-cited list holds the source consulted, the post.
    "modern-language-association": [
        ("in-text", "no locator", "Serge, qtd. in bolshevikpunk"),
        ("note", "no locator", "Serge, qtd. in bolshevikpunk"),
        ("reference", "no locator", "bolshevikpunk. Victor Serge on Stalinism. 2019."),
    ],
}


@pytest.mark.parametrize(
    ("style", "form", "variant", "expected"),
    [(style, *case) for style, cases in GUIDES.items() for case in cases],
)
def test_each_guide_s_example_adapted_to_the_seed(
    library: Library, style: str, form: str, variant: str, expected: str
) -> None:
    excerpt = variants(library.excerpts["serge-heir"])[variant]
    assert attribution(library, excerpt, style, form) == expected


def test_every_form_names_both_works_or_the_one_the_guide_lists(library: Library) -> None:
    """The original's year is given where the guide gives it (APA, Chicago), the
    original's title in Chicago's note and bibliography, "as cited in" never inside
    an APA reference entry."""
    excerpt = library.excerpts["serge-heir"]
    for style in ("apa", "chicago-author-date"):
        for form in ("in-text", "note"):
            assert "1945" in attribution(library, excerpt, style, form)
    for form in ("in-text", "note", "reference"):
        assert "Lenin’s Heir?" in attribution(library, excerpt, "chicago-notes-bibliography", form)
    assert "as cited in" not in attribution(library, excerpt, "apa", "reference")
    assert "qtd. in" not in attribution(
        library, excerpt, "modern-language-association", "reference"
    )


def test_the_command_line_gives_the_chicago_note_whole(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    from citekit.cli import main

    status = main(
        [
            "quote",
            "render",
            str(SEED),
            "serge-heir",
            "--attribution",
            "note",
            "--style",
            "chicago-notes-bibliography",
            "--to",
            "text",
            "--width",
            "200",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert out.rstrip().splitlines()[-1] == (
        "— Victor Serge, “Lenin’s Heir?,” trans. Mitchell Abidor, May 1945,"
        f" {URL}, quoted in bolshevikpunk, Victor Serge on Stalinism, 2019."
    )
