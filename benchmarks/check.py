"""citekit check: the time of the command on a corpus file, and how each rule scales.

1. ``citekit check tests/corpus/healy-socbib.bib`` run as a command (a fresh
   process each time: start-up, reading the file, every rule, printing), the
   median of several runs, against the target of 2 s. CPU time (user + system
   of the child) is printed beside the wall-clock time, since a shared machine
   stretches the latter.
2. Scaling: a file of n entries and one of 4n (corpus entries repeated with
   renamed keys) are loaded once each, then each rule is timed alone on both;
   a linear rule takes about 4 times as long on 4n entries, a quadratic one 16
   times. Rules whose ratio exceeds 8 are flagged.

    python benchmarks/check.py [--runs 5] [--entries 2500] [FILE.bib]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import citekit
from citekit.checks import Context, entries_of, rule_classes

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / "tests" / "corpus" / "healy-socbib.bib"
TARGET = 2.0
ENTRY = re.compile(r"(@\s*[A-Za-z]+\s*[{(]\s*)([^,\s]+)(\s*,)")


def command_times(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``citekit check PATH`` in a child process."""
    citekit_bin = Path(sys.executable).with_name("citekit")
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [str(citekit_bin), "check", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return walls, cpus


def repeated(path: Path, entries: int, folder: Path) -> Path:
    """A file of about ``entries`` entries: the corpus file's entries repeated,
    each copy's keys (and crossrefs to them) renamed so that none collide."""
    text = path.read_text(encoding="utf-8")
    count = len(ENTRY.findall(text)) or 1
    copies = max(1, round(entries / count))
    parts = []
    for copy in range(copies):
        suffix = f"-c{copy}"
        body = ENTRY.sub(lambda m, s=suffix: m.group(1) + m.group(2) + s + m.group(3), text)
        body = re.sub(
            r"(crossref\s*=\s*[{\"])([^}\"]+)",
            lambda m, s=suffix: m.group(1) + m.group(2) + s,
            body,
            flags=re.IGNORECASE,
        )
        parts.append(body)
    out = folder / f"{path.stem}-{copies}x.bib"
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def rule_times(path: Path) -> tuple[int, dict[str, float]]:
    library = citekit.load(path)
    times: dict[str, float] = {}
    start = time.process_time()
    context = Context(library=library, entries=entries_of(library), path=library.path)
    times["(entries)"] = time.process_time() - start
    for name, cls in rule_classes().items():
        start = time.process_time()
        for _ in cls().check(context):
            pass
        times[name] = time.process_time() - start
    return len(library), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entries", type=int, default=2500, help="n of the scaling check")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    walls, cpus = command_times(args.file, args.runs)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"citekit check {args.file.name}: median of {args.runs} runs {wall:.2f} s wall,"
        f" {cpu:.2f} s CPU; target {TARGET:.1f} s, ratio {wall / TARGET:.2f}"
        f" ({'met' if wall < TARGET else 'NOT met'})"
    )

    with tempfile.TemporaryDirectory() as folder:
        small = repeated(args.file, args.entries, Path(folder))
        large = repeated(args.file, args.entries * 4, Path(folder))
        n_small, small_times = rule_times(small)
        n_large, large_times = rule_times(large)
    print(f"\nscaling: {n_small} and {n_large} entries (x{n_large / n_small:.1f}), CPU seconds")
    print(f"{'rule':<24}{'n':>9}{'4n':>9}{'ratio':>8}")
    flagged = []
    for name in small_times:
        a, b = small_times[name], large_times[name]
        # Rules that take under 5 ms at n are noise (timer, caches), not a trend.
        ratio = b / a if a > 0.005 else float("nan")
        mark = ""
        if ratio == ratio and ratio > 8:
            mark = "  <- more than linear"
            flagged.append(name)
        print(f"{name:<24}{a:>9.4f}{b:>9.4f}{ratio:>8.1f}{mark}")
    total_a, total_b = sum(small_times.values()), sum(large_times.values())
    print(f"{'all rules':<24}{total_a:>9.4f}{total_b:>9.4f}{total_b / total_a:>8.1f}")
    print("no rule grows faster than linearly" if not flagged else f"flagged: {flagged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
