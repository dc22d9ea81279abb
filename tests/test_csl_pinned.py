"""citekit's CSL output pinned: the speed work may not change a character of it.

tests/golden/csl_pinned.json.gz holds what citekit itself rendered from the
corpus (tests/corpus) before the engine's speed work (commit 245a3e8). It is
citekit's own earlier output, not a reference: its entries were not compared
one by one with another processor's. So this test catches *changes* of
output, not errors that were already there; correctness is for
tests/test_differential.py (citeproc-js), tests/test_pandoc_agreement.py
(pandoc) and the CSL suite.

The cases: the APA bibliography of all 2,523 unique works of
healy-socbib.bib (what benchmarks/performance.py times), bibliographies of
a sample of every corpus file in four more styles and in HTML, and a
document's citations in a note style (positions, "ibid.") and in an
author-date style (disambiguation). Each case is compared entry by entry,
and a failure names the first entries that differ.

The file is written by ``python tests/test_csl_pinned.py --write``; do that
only for a change that is meant to alter the output, and say so in its
commit.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from oracles import CORPUS, CORPUS_FILES

REPO = Path(__file__).resolve().parents[1]
PINNED = REPO / "tests" / "golden" / "csl_pinned.json.gz"
HEALY = "healy-socbib.bib"


@cache
def _corpus() -> dict[str, list[Any]]:
    import citekit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: list(citekit.load(CORPUS / name).values()) for name in CORPUS_FILES}


def _sample() -> list[Any]:
    """Every fifth work of each corpus file (about 620 works)."""
    return [work for works in _corpus().values() for work in works[::5]]


def _clusters(keys: list[str], count: int, seed: int) -> list[list[Any]]:
    """``count`` deterministic citation clusters: repeats (ibid.), pairs, page locators."""
    from citekit.formatters.csl import Cite

    rng = random.Random(seed)
    clusters: list[list[Any]] = []
    for _ in range(count):
        if clusters and rng.random() < 0.25:
            keys_now = [clusters[-1][0].key]
        else:
            keys_now = sorted({rng.choice(keys), rng.choice(keys)})[
                : 2 if rng.random() < 0.2 else 1
            ]
        clusters.append(
            [
                Cite(key, locator=str(rng.randint(1, 400)) if rng.random() < 0.5 else None)
                for key in keys_now
            ]
        )
    return clusters


def _bibliography(style: str, output: str, works: Callable[[], list[Any]]) -> Any:
    def render() -> list[str]:
        import citekit

        formatter = citekit.formatter("csl", style=style, output=output)
        return [str(entry) for entry in formatter.bibliography(works())]  # type: ignore[attr-defined]

    return render


def _document(style: str, count: int, seed: int) -> Any:
    def render() -> list[str]:
        import citekit

        works = _sample()[:300]
        clusters = _clusters([w.key for w in works], count, seed)
        formatter = citekit.formatter("csl", style=style, output="text")
        document = formatter.document(works, clusters)  # type: ignore[attr-defined]
        return [*document.citations, "-- bibliography --", *map(str, document.bibliography)]

    return render


CASES: dict[str, Callable[[], list[str]]] = {
    "apa text, healy-socbib.bib": _bibliography("apa", "text", lambda: _corpus()[HEALY]),
    "apa html, sample": _bibliography("apa", "html", _sample),
    "chicago-author-date text, sample": _bibliography("chicago-author-date", "text", _sample),
    "chicago-author-date html, sample": _bibliography("chicago-author-date", "html", _sample),
    "chicago-notes-bibliography text, sample": _bibliography(
        "chicago-notes-bibliography", "text", _sample
    ),
    "ieee text, sample": _bibliography("ieee", "text", _sample),
    "modern-language-association text, sample": _bibliography(
        "modern-language-association", "text", _sample
    ),
    "chicago-notes-bibliography document": _document("chicago-notes-bibliography", 1500, 7),
    "apa document": _document("apa", 1500, 11),
}


@cache
def _pinned() -> dict[str, list[str]]:
    with gzip.open(PINNED, "rt", encoding="utf-8") as stream:
        value: dict[str, list[str]] = json.load(stream)
    return value


@pytest.mark.parametrize("case", list(CASES))
def test_output_is_unchanged(case: str) -> None:
    expected = _pinned()[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = CASES[case]()
    differing = [
        f"#{number}:\n  pinned: {want!r}\n  now:    {have!r}"
        for number, (want, have) in enumerate(zip(expected, got, strict=False))
        if want != have
    ]
    assert len(got) == len(expected), f"{len(got)} entries, {len(expected)} pinned"
    assert not differing, f"{len(differing)} of {len(expected)} differ:\n" + "\n".join(
        differing[:5]
    )


def test_pinned_cases_are_substantial() -> None:
    """The pinned file covers every case with real output (not an empty render)."""
    pinned = _pinned()
    assert set(pinned) == set(CASES)
    assert len(pinned["apa text, healy-socbib.bib"]) == 2523
    for case, texts in pinned.items():
        assert len(texts) >= 300, case
        assert sum(1 for text in texts if len(text) > 8) >= 0.99 * len(texts), case


def _write() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rendered = {case: render() for case, render in CASES.items()}
    data = json.dumps(rendered, ensure_ascii=False, indent=0, sort_keys=True)
    with gzip.GzipFile(PINNED, "wb", mtime=0) as stream:
        stream.write(data.encode("utf-8"))
    print(f"{PINNED.relative_to(REPO)}: {sum(map(len, rendered.values()))} texts")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tests/test_csl_pinned.py --write")
    _write()
