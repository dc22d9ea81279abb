"""Loading BibTeX: citekit.load against its peers, on the corpus files.

Peers timed when installed: bibtexparser 2 alone (its default parse stack:
splitting, @string resolution, enclosing removed), bibtexparser 2 with its
LaTeX-decoding and name-splitting middlewares (closest to what citekit does:
Unicode text and parsed names), and pybtex. Prints the median of several runs
per file, entries per second, and citekit's time over each peer's (the issue's
target, "within 2x of bibtexparser's plain parse", is that ratio under 2).

With ``--memory N`` it also measures memory: a generated N-entry file (corpus
entries repeated with renamed keys, as ``benchmarks/performance.py`` makes its
50,000-entry file) is loaded by ``citekit.load`` in a child process, and the
child's peak resident memory is printed (the whole process: interpreter,
imports and the library), beside that of a child that only imports citekit.

    python benchmarks/load.py [--runs 5] [--memory 50000] [FILE.bib ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import citekit

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


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
        import pybtex.errors
        from pybtex.database import parse_file as pybtex_parse

        def pybtex_load(path: str) -> object:
            # a repeated key is recorded, not the end of the file (citekit
            # keeps the first entry and records the others)
            with pybtex.errors.capture():
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


def peak_rss_mb(code: str, *args: str) -> float:
    """Peak resident memory (MB) of a child Python process running ``code``.

    Read from ``/usr/bin/time -f %M`` when present: Linux counts the memory
    of the process that started a child (this one) in the child's own
    ``ru_maxrss``, which ``os.wait4`` reports, so that is only the fallback.
    """
    command = [sys.executable, "-c", code, *args]
    if os.access("/usr/bin/time", os.X_OK):
        run = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command], stderr=subprocess.PIPE, text=True
        )
        if run.returncode != 0:
            raise SystemExit(f"the child process failed:\n{run.stderr}")
        return int(run.stderr.split()[-1]) / 1024
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"the child process failed (status {status})")
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def memory(entries: int) -> None:
    """Peak memory of a process loading a generated file of ``entries`` entries."""
    from performance import generate_bibtex  # benchmarks/performance.py

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"generated-{entries}.bib"
        path.write_text(generate_bibtex(sorted(CORPUS.glob("*.bib")), entries), encoding="utf-8")
        size = path.stat().st_size / 1e6
        base = peak_rss_mb("import citekit")
        peak = peak_rss_mb(
            "import sys, citekit; library = citekit.load(sys.argv[1]);"
            " print(f'  loaded {len(library) + len(library.duplicates):,} entries')",
            str(path),
        )
    print(f"\ngenerated-{entries}.bib: {size:.1f} MB")
    print(f"  peak resident memory, loading it   {peak:8.1f} MB")
    print(f"  peak resident memory, import only  {base:8.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory", type=int, metavar="N", help="also measure an N-entry load")
    args = parser.parse_args()
    files = args.files or sorted(CORPUS.glob("*.bib"))
    engines = peers()
    print(f"median of {args.runs} runs; ratio = citekit time / peer time")
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
            print(f"  {name:<26} {t:8.3f} s  {entries / t:10,.0f} entries/s  ratio {base / t:5.2f}")
    if args.memory:
        memory(args.memory)


if __name__ == "__main__":
    main()
