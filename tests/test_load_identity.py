"""The fast paths of reading give exactly what the general code gives.

Reading a BibTeX file has fast paths for what files are mostly made of: a
splitter of citekit's own for regular files (bibtexparser's splitter for
anything else), words and name lists without braces, and field values whose
only LaTeX is line breaks and dashes. Each must agree with the general code
it stands in for, on the corpus and on generated text: same blocks, same
library (works, duplicates, problems, and the source layout kept for writing
back), same words, same decoded text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import citekit
from citekit.formats import bibtex, latex
from citekit.model import persons
from oracles import CORPUS, CORPUS_FILES
from strategies import BIBTEX_PIECES

FILES = [CORPUS / name for name in CORPUS_FILES]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CHECKS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of BibTeX, regular and not, so that the fast splitter both accepts
# (and must agree) and gives up (and must leave the file to bibtexparser).
PIECES = st.lists(
    st.sampled_from(
        [
            *BIBTEX_PIECES,
            '@STRING{ s = "x}" }',
            'note = "a{"}b",',
            "x = {{{{{{{{{deep}}}}}}}}},",
            "k = {a\\}b},",
            "t = {a\n@b{c}},",
            "t = {a @b{c}},",
            "@misc{x}",
            "@misc{,}",
            "@{nokey,}",
            "@misc{a b, t={x}}",
            "@misc(x, t={y})",
            "\n  @misc{y,",
            "@Comment{ hi @x{ }",
            "text @inbook{z, t = {a}}",
            "=",
            ",",
            "@",
            "(",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\u00a0",
            "%",
            "é",
            "a",
        ]
    ),
    max_size=14,
).map("".join)


def blocks_of(text: str, blocks: list[Any], *, layout: bool) -> list[tuple[Any, ...]]:
    """What the reader uses of each block (the layout computed, for bibtexparser's)."""
    out = []
    for block in blocks:
        spans = block.spans
        if block.kind == "entry" and layout:
            raw = text[block.start : block.end]
            spans = bibtex._layout(raw, block.key, block.names, block.values)
        out.append(
            (
                block.kind,
                block.start,
                block.end,
                block.key,
                block.entry_type if block.kind == "entry" else "",
                block.value if block.kind in ("string", "comment") else "",
                block.names,
                block.values,
                None if spans is None else list(spans),
            )
        )
    return out


def check_split(text: str) -> bool:
    """True if the fast splitter took ``text`` (and then agrees with bibtexparser's)."""
    from bibtexparser.splitter import Splitter

    fast = bibtex._fast_split(text)
    if fast is None:
        return False
    found = bibtex._bibtexparser_blocks(text, Splitter(text).split().blocks)
    assert blocks_of(text, fast, layout=False) == blocks_of(text, found, layout=True)
    return True


def snapshot(library: citekit.Library) -> list[Any]:
    """Everything a library read from BibTeX holds, in order, comparable."""

    def work(w: citekit.Work) -> tuple[Any, ...]:
        return (attrs.asdict(w), sorted(w.rich.items()), sorted(w.hints.items()))

    origin = library.origin
    assert isinstance(origin, bibtex.BibtexOrigin)
    out: list[Any] = [
        [work(w) for w in library.values()],
        [work(w) for w in library.duplicates],
        [repr(p) for p in library.problems],
        [repr(e) for e in library.excerpts.values()],
        (origin.encoding, origin.bom, origin.newline, origin.biblatex, origin.macros),
    ]
    for segment in origin.segments:
        entry = segment.entry
        out.append((segment.kind, segment.text, segment.duplicate and segment.duplicate.key))
        if entry is not None:
            out.append((entry.key, entry.entry_type, entry.line, entry.head, entry.tail))
            out.append((entry.raw, entry.biblatex, sorted(entry.prefs.items())))
            out.append([attrs.astuple(field) for field in entry.fields])
    out.append(sorted(origin.entries))
    return out


def load_both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    fast = snapshot(citekit.loads(data, "bibtex", path="x.bib"))
    with monkeypatch.context() as patch:
        patch.setattr(bibtex, "_fast_split", lambda text: None)
        general = snapshot(citekit.loads(data, "bibtex", path="x.bib"))
    return fast, general


# --- the splitter ----------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_fast_splitter_takes_the_corpus_and_agrees_with_bibtexparser(path: Path) -> None:
    assert check_split(path.read_text(encoding="utf-8"))


def test_the_fast_splitter_leaves_a_file_with_errors_to_bibtexparser() -> None:
    text = (FIXTURES / "problems.bib").read_text(encoding="utf-8")
    assert bibtex._fast_split(text) is None


@CHECKS
@given(PIECES)
def test_the_fast_splitter_agrees_with_bibtexparser_on_what_it_takes(text: str) -> None:
    check_split(text)


@pytest.mark.parametrize(
    "text",
    [
        "@misc{a, title = {x}}",
        '@misc{a,\n  title = {x},\n  note = "y {"} z",\n}\n% after\n',
        "prose @book{b, t = {a}} more\n@string{m = {M}}\n@misc{c, j = m # { x}}",
        "@misc{a, t = {\\{}, u = {\\\\}}}",
        "@misc{a, t = {x}}\n@misc{a, t = {y}}\n@misc{b, t = {z}, t = {w}}",
        '@comment{x}\n@preamble{"p"}\n@misc{k}',
    ],
)
def test_regular_files_are_split_fast(text: str) -> None:
    assert check_split(text)


@pytest.mark.parametrize(
    "text",
    [
        "@misc(a, t = {x})",  # parentheses
        "@misc{a, t = {x}\n@misc{b, t = {y}}",  # a block starts inside a block
        "@misc{a, my field = {x}}",  # a field name with a space
        "@misc{a, t = {" + "{" * 12 + "x" + "}" * 12 + "}}",  # deeper than followed
        "@misc{a, t = {x}",  # unclosed
    ],
)
def test_anything_else_goes_to_bibtexparser(text: str) -> None:
    assert bibtex._fast_split(text) is None


# --- the whole library ------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_libraries_are_the_same_whichever_splitter(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, general = load_both(path.read_bytes(), monkeypatch)
    assert fast == general


@CHECKS
@given(PIECES)
def test_libraries_are_the_same_whichever_splitter(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, general = load_both(text.encode("utf-8"), monkeypatch)
    assert fast == general


def test_unchanged_library_is_written_back_byte_for_byte() -> None:
    data = b"@misc{a,\r\n  title = {T},\r\n  year = 2001,\r\n}\r\n\r\n@misc{b}\r\n"
    library = citekit.loads(data, "bibtex")
    assert bibtex.BibtexFormat().write(library) == data
    library["a"] = attrs.evolve(library["a"], title="New")
    assert bibtex.BibtexFormat().write(library) == data.replace(b"{T}", b"{New}")


# --- names and LaTeX -------------------------------------------------------------------

NAME_TEXT = st.lists(
    st.sampled_from([*" -~aAnNdD\t\n\u00a0x}é,.'", " and ", "AND", "-and-", "Jr.", "van"]),
    max_size=14,
).map("".join)


@CHECKS
@given(NAME_TEXT)
def test_words_without_braces_are_split_as_with_braces(text: str) -> None:
    assert persons._plain_words(text) == persons._braced_words(text)
    assert persons.split_names(text) == persons._split_names_braced(text)
    assert persons._split_top(text, ",") == persons._split_top_braced(text, ",")


LATEX_TEXT = st.lists(
    st.sampled_from([*" \t\r\n-'ab.,é\u00a0\x0b", "--", "---", "\n\n", " \n \n ", "''", "\\&"]),
    max_size=16,
).map("".join)


@CHECKS
@given(LATEX_TEXT, st.booleans())
def test_decoding_line_breaks_and_dashes_fast_matches_the_decoder(
    text: str, paragraphs: bool
) -> None:
    assert latex.decode(text, paragraphs=paragraphs) == latex._decode_all(text, paragraphs)
