"""Property tests of the BibTeX reader and writer: no input makes them fail.

Whatever bytes it is given, ``citekit.loads(data, "bibtex")`` returns a
Library (with problems) or, with ``strict=True``, raises citekit's
ParseError (exactly when the library has errors); never another exception.
Pathological inputs run under a hang guard (tests/hang_guard.py). A library
read and not changed is written back byte for byte.
New works written as BibTeX read back as equal works.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import citekit
from citekit import Date, Person, Work, WorkType
from citekit.formats.bibtex import BibtexFormat, format_entry
from hang_guard import finishes
from strategies import BIBTEX_PIECES

FUZZ = settings(
    max_examples=150,
    deadline=None,  # no wall-clock bound on a shared machine; hangs: the pathological tests
    suppress_health_check=[HealthCheck.too_slow],
)

# Text built from what BibTeX syntax is made of, so the reader's paths get exercised.
BIBTEXISH = st.lists(
    st.sampled_from([*'@{}(),="#\\%~ \n\tabcAB01éx', "@article{", "@string{", " and "]),
    max_size=200,
).map("".join)

ENTRY_PIECES = st.lists(
    st.sampled_from([*BIBTEX_PIECES, "\n", "date = {2001-02-30},"]),
    max_size=30,
).map("".join)


def _check(data: bytes) -> None:
    library = citekit.loads(data, "bibtex")
    assert isinstance(library, citekit.Library)
    for problem in library.problems:
        assert isinstance(problem, citekit.Problem)
        assert problem.line is None or problem.line >= 1
    # Read and not changed: written back exactly.
    assert BibtexFormat().write(library) == data
    if library.errors:
        with pytest.raises(citekit.ParseError) as raised:
            citekit.loads(data, "bibtex", strict=True)
        assert raised.value.problems
    else:
        strict = citekit.loads(data, "bibtex", strict=True)
        assert list(strict) == list(library)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(BIBTEXISH)
def test_bibtex_alphabet(text: str) -> None:
    _check(text.encode("utf-8"))


@FUZZ
@given(ENTRY_PIECES)
def test_entry_pieces(text: str) -> None:
    _check(text.encode("utf-8"))


# --- new works written and read back --------------------------------------------------

PLAIN = (
    st.text(
        alphabet=st.characters(
            codec="utf-8",
            exclude_categories=("Cs", "Cc", "Zl", "Zp", "Zs", "Cf", "Co", "Cn"),
        )
        | st.sampled_from(list("{}&%$#_~^\\`'\"-<>@ ")),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)

NAME_WORD = st.text(
    alphabet=st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzéüßÖ")),
    min_size=1,
    max_size=8,
)


@st.composite
def persons(draw: st.DrawFn) -> Person:
    if draw(st.booleans()):
        return Person(literal=draw(PLAIN))
    family = draw(NAME_WORD).capitalize()
    given_name = draw(st.one_of(st.none(), NAME_WORD.map(str.capitalize)))
    return Person(family=family, given=given_name)


@st.composite
def works(draw: st.DrawFn) -> Work:
    year = draw(st.integers(min_value=1000, max_value=2100))
    month = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=12)))
    day = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=28))) if month else None
    return Work(
        key=draw(st.from_regex(r"[a-z][a-z0-9:_-]{0,12}", fullmatch=True)),
        type=draw(
            st.sampled_from(
                [
                    WorkType.BOOK,
                    WorkType.ARTICLE_JOURNAL,
                    WorkType.CHAPTER,
                    WorkType.PAPER_CONFERENCE,
                    WorkType.REPORT,
                    WorkType.WEBPAGE,
                    WorkType.THESIS,
                ]
            )
        ),
        title=draw(PLAIN),
        container_title=draw(st.one_of(st.none(), PLAIN)),
        publisher=draw(st.one_of(st.none(), PLAIN)),
        note=draw(st.one_of(st.none(), PLAIN)),
        contributors={"author": draw(st.lists(persons(), max_size=3))},
        issued=Date.of(year, month, day),
        volume=draw(st.one_of(st.none(), st.from_regex(r"[0-9]{1,3}", fullmatch=True))),
        page=draw(st.one_of(st.none(), st.from_regex(r"[0-9]{1,3}(-[0-9]{1,3})?", fullmatch=True))),
        url=draw(
            st.one_of(
                st.none(),
                st.from_regex(r"https://[a-z]{1,8}\.org/[a-z_%#?=&]{0,12}", fullmatch=True),
            )
        ),
    )


@FUZZ
@given(works(), st.booleans())
def test_new_works_read_back_equal(work: Work, biblatex: bool) -> None:
    text = format_entry(work, biblatex=biblatex)
    library = citekit.loads(text, "bibtex")
    assert not library.errors, library.problems
    again = library[work.key]
    assert again.title == work.title
    assert again.authors == work.authors
    assert again.issued == work.issued
    assert again.container_title == work.container_title
    assert again.publisher == work.publisher
    assert again.note == work.note
    assert again.page == work.page
    assert again.url == work.url
    assert again == work


# --- pathological inputs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "@article{k, title={" + "{" * 10_000 + "x" + "}" * 10_000 + "}}\n@book{b, title={ok}}",
        "@article{k, title={" + "{" * 10_000 + "x\n@book{b, title={ok}}\n",
        "@article{k, title={" + "\\'{" * 3000 + "e" + "}" * 3000 + "}}",
        "@article{k, title={" + "\\unknown{" * 3000 + "}" * 3000 + "}}",
        "@article{k, title=" + " # ".join(["undefined"] * 20_000) + "}",
        "x@{" * 20_000,
    ],
    ids=["nested", "nested-unclosed", "nested-accents", "nested-commands", "hashes", "many-at"],
)
def test_pathological_inputs_finish(text: str) -> None:
    written, titles = finishes(_load_and_write, text, timeout=60)
    assert written == text.encode()
    if text.endswith("@book{b, title={ok}}") or "\n@book{b" in text:
        assert titles["b"] == "ok"


def _load_and_write(text: str) -> tuple[bytes, dict[str, str | None]]:
    library = citekit.loads(text, "bibtex")
    return BibtexFormat().write(library), {key: work.title for key, work in library.items()}


def test_large_field_finishes() -> None:
    words = "word " * 400_000  # 2 MB in one field
    text = "@article{k, title={" + words + "}, abstract={" + words + "}}\n"
    _, titles = finishes(_load_and_write, text, timeout=60)
    assert titles["k"] == words.strip()
