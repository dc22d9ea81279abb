"""Rendering in several threads at once gives exactly what rendering one at a time gives.

Eight threads render bibliographies and documents (positions, ibid, year
suffixes after a year or a citation label, added names, citation numbers,
suppressed authors, names substituted by an editor or a title) in five
styles at the same time, half with formatters shared by every thread, half
with their own; each result must equal the serial one. Every session
renders the style's one parsed tree, which must be unchanged after. The
works are real ones, from tests/corpus/healy-socbib.bib.
"""

from __future__ import annotations

import pickle
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import citekit
from citekit.csl.engine import Processor
from citekit.formatters.csl import Citation, Cite, CslFormatter

pytest.importorskip("citeproc")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
STYLES = [
    "apa",
    "chicago-notes-bibliography-subsequent-ibid",
    "ieee",
    "modern-language-association",
    "din-1505-2-alphanumeric",
]
THREADS = 8
ROUNDS = 3
# works of one author and one year (year suffixes, added names), then others
SAME_YEAR = [
    "alexander87:_centr_class",
    "alexander87:_twent_lectur",
    "blau77:_inequal_and_heter",
    "blau77:_macros_theor_social_struc",
]


@pytest.fixture(scope="module")
def works() -> list[citekit.Work]:
    library = citekit.load(CORPUS / "healy-socbib.bib")
    # two works without authors (a cs:substitute renders their names or title)
    anonymous = [key for key, work in library.items() if not work.authors][:2]
    others = [key for key in library if key not in SAME_YEAR and key not in anonymous]
    return [library[key] for key in SAME_YEAR + anonymous + others[::97][:24]]


def job(works: list[citekit.Work], round_: int) -> tuple[list[citekit.Work], list[Citation]]:
    """The works and citations of one round (each round renders something else)."""
    chosen = works[: len(SAME_YEAR)] + works[len(SAME_YEAR) + round_ * 2 :][:20]
    keys = [work.key for work in chosen]
    citations = []
    for number in range(18):
        first = keys[(number * 5 + round_) % len(keys)]
        cites = [Cite(first, locator=str(number + 3))]
        if number % 3 == 0:
            cites.append(Cite(keys[(number * 7) % len(keys)]))
        if number % 4 == 1:  # the same work again: ibid in a note style
            cites = [Cite(keys[((number - 1) * 5 + round_) % len(keys)])]
        if number % 6 == 2:  # the author suppressed
            cites = [Cite(keys[(number + round_) % len(keys)], suppress_author=True)]
        citations.append(Citation(tuple(cites)))
    citations.append(Citation(tuple(Cite(key) for key in SAME_YEAR)))
    return chosen, citations


def render(formatter: CslFormatter, works: list[citekit.Work], round_: int) -> Any:
    chosen, citations = job(works, round_)
    entries = [(e.key, e.text) for e in formatter.bibliography(chosen)]
    document = formatter.document(chosen, citations)
    return entries, list(document.citations), [(e.key, e.text) for e in document.bibliography]


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Threads switch as often as the interpreter allows while the test runs."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_eight_threads_render_exactly_the_serial_results(
    works: list[citekit.Work], busy_switching: None
) -> None:
    expected = {
        (style, round_): render(CslFormatter(style, output="html"), works, round_)
        for style in STYLES
        for round_ in range(ROUNDS)
    }
    shared = {style: CslFormatter(style, output="html") for style in STYLES}
    trees = {style: etree.tostring(shared[style].style.root) for style in STYLES}
    # no copies: every formatter and session of a style renders its one tree
    for style in STYLES:
        formatter = CslFormatter(style, output="html")
        assert formatter.style.root is shared[style].style.root
        chosen, _ = job(works, 0)
        processor = Processor.for_style(formatter.style, [formatter.item(w) for w in chosen])
        assert processor.style.root is shared[style].style.root
    barrier = threading.Barrier(THREADS)
    results: dict[tuple[int, str, int], Any] = {}
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            own = {style: CslFormatter(style, output="html") for style in STYLES}
            barrier.wait()
            for round_ in range(ROUNDS):
                for offset in range(len(STYLES)):
                    style = STYLES[(number + offset) % len(STYLES)]
                    formatter = shared[style] if (number + round_) % 2 else own[style]
                    results[(number, style, round_)] = render(formatter, works, round_)
        except BaseException as error:  # reported below, with the thread's number
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == THREADS * len(STYLES) * ROUNDS
    for (number, style, round_), result in results.items():
        assert result == expected[(style, round_)], (number, style, round_)
    # the shared parsed styles are as they were
    assert {style: etree.tostring(shared[style].style.root) for style in STYLES} == trees


def test_the_serial_results_are_not_trivial(works: list[citekit.Work]) -> None:
    """The rounds exercise what shared state would break: ibid, suffixes, numbers."""
    _, citations, _ = render(CslFormatter(STYLES[1], output="html"), works, 0)
    assert any(text.startswith("Ibid") for text in citations)
    _, citations, _ = render(CslFormatter("apa", output="html"), works, 0)
    assert "1987a" in citations[-1] and "1977b" in citations[-1]
    _, citations, _ = render(CslFormatter("ieee", output="html"), works, 1)
    assert citations[0].startswith("[")
    _, citations, _ = render(CslFormatter("din-1505-2-alphanumeric", output="html"), works, 0)
    assert "Alex87a" in citations[-1] and "Blau77b" in citations[-1]
    # suppressed authors, and a work without authors (its names substituted)
    entries, citations, _ = render(CslFormatter("apa", output="html"), works, 0)
    assert citations[2].startswith("(") and citations[2][1:2].isdigit()
    anonymous = dict(entries)[works[len(SAME_YEAR)].key]
    assert anonymous and works[len(SAME_YEAR)].authors == ()


def test_formatters_pickle(works: list[citekit.Work]) -> None:
    for style in STYLES:
        formatter = CslFormatter(style, output="markdown", locale="en-GB")
        copy = pickle.loads(pickle.dumps(formatter))
        assert repr(copy) == repr(formatter)
        assert render(copy, works, 0) == render(formatter, works, 0)
    # a style given as XML text, and as a path
    from citekit.csl.styles import find_style

    path = find_style("ieee")
    for given in (path.read_bytes(), path):
        formatter = CslFormatter(given)
        copy = pickle.loads(pickle.dumps(formatter))
        assert copy.style_name == formatter.style_name
        assert render(copy, works, 1) == render(formatter, works, 1)
