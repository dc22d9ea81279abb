"""Searching excerpts: Library.find_excerpts over 10,000 excerpts.

Builds a library of excerpts made of real sentences: those of the seed text
(../shared/seeds/, else the seed excerpt in examples/serge/) and of the
abstracts of the corpus files (tests/corpus/), two to five
sentences each, quoting the corpus works so that author queries have names
to match. Prints the time to build the full-text index (done on the first
search), the median time of each query over several runs, and the figures
against issue 4's target: full-text search answers in under 50 ms.

    python benchmarks/excerpt_search.py [--excerpts 10000] [--runs 21]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import citekit
from citekit import Excerpt, Library, Person, Work, WorkType

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TARGET = 0.050


def sentences() -> list[str]:
    """Sentences of the seed text and of the corpus abstracts."""
    texts: list[str] = []
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if seeds:
        texts.extend(p.read_text(encoding="utf-8") for p in seeds)
    else:
        texts.append(
            citekit.load(REPO / "examples" / "serge" / "serge.yaml").excerpts["serge-heir"].text
        )
    for path in sorted((REPO / "tests" / "corpus").glob("*.bib")):
        texts.extend(w.abstract for w in citekit.load(path).values() if w.abstract)
    found = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if 40 <= len(sentence) <= 400:
                found.append(sentence)
    return found


def works() -> list[Work]:
    """The corpus works with authors (or made-up ones when the corpus is absent)."""
    found: list[Work] = []
    for path in sorted((REPO / "tests" / "corpus").glob("*.bib")):
        found.extend(w for w in citekit.load(path).values() if w.authors)
    if not found:
        found = [
            Work(
                key=f"work{i}",
                type=WorkType.BOOK,
                contributors={"author": [Person(family=f"Author{i}", given="Ann")]},
            )
            for i in range(500)
        ]
    return found


def build(count: int, seed: int = 1) -> tuple[Library, list[str]]:
    pool = sentences()
    quoted = works()
    rng = random.Random(seed)
    library = Library(quoted)
    tags = ["stalinism", "bolshevism", "method", "history", "sociology", "theory", "quotes"]
    for i in range(count):
        text = " ".join(rng.sample(pool, rng.randint(2, 5)))
        work = quoted[i % len(quoted)]
        library.add_excerpt(
            Excerpt(
                id=f"x{i}",
                text=text,
                work_key=work.key,
                tags=rng.sample(tags, rng.randint(0, 2)),
            )
        )
    return library, pool


def median_time(query: Callable[[], object], runs: int) -> tuple[float, object]:
    timings = []
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = query()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--excerpts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    start = time.perf_counter()
    library, pool = build(args.excerpts)
    made = time.perf_counter() - start
    words = sum(len(e.text.split()) for e in library.excerpts.values())
    print(
        f"{len(library.excerpts)} excerpts ({words} words) from {len(pool)} sentences,"
        f" quoting {len(library)} works, made in {made:.2f} s"
    )

    start = time.perf_counter()
    library.find_excerpts("index")
    print(f"first search (builds the index): {(time.perf_counter() - start) * 1000:.0f} ms")

    full_text = {
        "one common word: party": lambda: library.find_excerpts("party"),
        "one rare word: Trotsky": lambda: library.find_excerpts("Trotsky"),
        "case and accents: STALINISM": lambda: library.find_excerpts("STALINISM"),
        "two words: social network": lambda: library.find_excerpts("social network"),
        'phrase: "the revolutionary generation"': lambda: library.find_excerpts(
            '"the revolutionary generation"'
        ),
        "prefix: revolution*": lambda: library.find_excerpts("revolution*"),
        "no match: zyzzyva": lambda: library.find_excerpts("zyzzyva"),
        "words and a tag": lambda: library.find_excerpts("party history", tag="history"),
    }
    others = {
        "tag: stalinism": lambda: library.find_excerpts(tag="stalinism"),
        "author: a family name": lambda: library.find_excerpts(
            author=next(iter(library.values())).authors[0].family or "Author1"
        ),
    }
    print(f"\n{'query':44} {'median':>9} {'found':>7}")
    medians = []
    for name, query in full_text.items():
        median, found = median_time(query, args.runs)
        medians.append(median)
        print(f"{name:44} {median * 1000:7.2f} ms {len(found):7}")  # type: ignore[arg-type]
    for name, query in others.items():
        median, found = median_time(query, args.runs)
        print(f"{name:44} {median * 1000:7.2f} ms {len(found):7}  (not full text)")  # type: ignore[arg-type]

    # An edit after the index is built: it is updated in place, not rebuilt.
    def edit_and_search() -> object:
        library.excerpts["x0"] = Excerpt(
            id="x0", text="Zyzzyva quoted.", work_key=library.excerpts["x0"].work_key
        )
        return library.find_excerpts("zyzzyva")

    median, _ = median_time(edit_and_search, args.runs)
    print(f"{'replace an excerpt, then search':44} {median * 1000:7.2f} ms")

    worst = max(medians)
    verdict = "meets" if worst < TARGET else "MISSES"
    print(
        f"\nfull-text search over {len(library.excerpts)} excerpts: slowest median"
        f" {worst * 1000:.2f} ms, {verdict} the {TARGET * 1000:.0f} ms target"
        f" ({TARGET / worst:.0f}x margin)"
    )


if __name__ == "__main__":
    main()
