"""Loading BibTeX: citekit.load against its peers, on the corpus files.

Peers timed when installed: bibtexparser 2 alone (its default parse stack:
splitting, @string resolution, enclosing removed), bibtexparser 2 with its
LaTeX-decoding and name-splitting middlewares (closest to what citekit does:
Unicode text and parsed names), and pybtex. Prints the median of several runs
per file, entries per second, and citekit's ratio to each peer.

    python benchmarks/load.py [--runs 5] [FILE.bib ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import citekit

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def peers() -> dict[str, Callable[[str], object]]:
    found: dict[str, Callable[[str], object]] = {}

    def citekit_load(path: str) -> object:
        return citekit.load(path)

    found["citekit"] = citekit_load
    try:
        import bibtexparser
        from bibtexparser import middlewares as m

        def bp_plain(path: str) -> object:
            return bibtexparser.parse_file(path)

        def bp_full(path: str) -> object:
            return bibtexparser.parse_file(
                path,
                append_middleware=[
                    m.LatexDecodingMiddleware(),
                    m.SeparateCoAuthors(),
                    m.SplitNameParts(),
                ],
            )

        found["bibtexparser"] = bp_plain
        found["bibtexparser+latex+names"] = bp_full
    except ImportError:
        pass
    try:
        from pybtex.database import parse_file as pybtex_parse

        def pybtex_load(path: str) -> object:
            return pybtex_parse(path)

        found["pybtex"] = pybtex_load
    except ImportError:
        pass
    return found


def median_time(run: Callable[[str], object], path: str, runs: int) -> float | None:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            run(path)
        except Exception:  # a peer that cannot read the file
            return None
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = args.files or sorted(CORPUS.glob("*.bib"))
    engines = peers()
    print(f"median of {args.runs} runs; ratio = peer time / citekit time")
    for path in files:
        entries = len(citekit.load(path)) + len(citekit.load(path).duplicates)
        print(f"\n{path.name}: {entries} entries, {path.stat().st_size / 1e6:.2f} MB")
        base = None
        for name, run in engines.items():
            t = median_time(run, str(path), args.runs)
            if t is None:
                print(f"  {name:<26} failed")
                continue
            base = base or t
            print(f"  {name:<26} {t:8.3f} s  {entries / t:10,.0f} entries/s  ratio {t / base:5.2f}")


if __name__ == "__main__":
    main()
