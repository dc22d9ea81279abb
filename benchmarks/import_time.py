"""How long `import citekit` takes, measured with `python -X importtime`.

Prints the median over several fresh interpreters of citekit's own cumulative
import time (what `-X importtime` reports for the `citekit` package, its
dependencies included) and, for comparison, of `attrs` alone.

    python benchmarks/import_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys


def cumulative_us(module: str) -> int:
    """Cumulative import time of ``module`` in a fresh interpreter, in microseconds."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    for line in out.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1])
    raise RuntimeError(f"no importtime line for {module}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = []
    for module in ("citekit", "attrs"):
        times = [cumulative_us(module) for _ in range(args.runs)]
        rows.append((module, statistics.median(times) / 1000, min(times) / 1000))
    print(f"{'module':<10} {'median ms':>10} {'min ms':>8}   ({args.runs} runs)")
    for module, median, low in rows:
        print(f"{module:<10} {median:>10.1f} {low:>8.1f}")
    print(f"citekit / attrs: {rows[0][1] / rows[1][1]:.2f}x (target: citekit under 100 ms)")


if __name__ == "__main__":
    main()
