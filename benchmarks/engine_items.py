"""The cost of turning works into the CSL engine's items, and of an APA bibliography.

Run from the repository, in one process (``CITEKIT_WORKERS`` is set to 1, so
the bibliography renders in this process only)::

    python benchmarks/engine_items.py            # 5 runs of each, medians
    python benchmarks/engine_items.py --runs 3

It prints, for the works of ``tests/corpus/healy-socbib.bib`` (2,523):

* **items**: the time to make the engine's items of every work with a fresh
  formatter (nothing cached): directly from each work
  (:func:`citekit.csl.items.from_work`), and through a CSL-JSON item per
  work (:meth:`CslFormatter.item`, then :func:`citekit.csl.items.from_csl`);
  and their ratio;
* **bibliography**: the APA bibliography (plain text, fresh formatter per
  run, the parsed style cached) of the first 1,000 works and of all of them.

Figures are medians of ``--runs`` runs of wall-clock time, and of this
process's processor time (less changed by other programs sharing the
processors); the machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["CITEKIT_WORKERS"] = "1"

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def _median(runs: int, job: Callable[[], Any]) -> tuple[float, float]:
    """The median wall-clock and processor times of ``runs`` calls of ``job``."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        job()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    """Measure and print (see the module documentation)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    import citekit
    from citekit.formatters.csl import CslFormatter

    works = list(citekit.load(CORPUS / "healy-socbib.bib").values())
    CslFormatter("apa").bibliography(works[:50])  # style parsed and cached, imports done
    print(f"load average before: {os.getloadavg()[0]:.2f}; {len(works)} works; {runs} runs")

    from citekit.csl import items

    def through_json() -> None:
        formatter = CslFormatter("apa")
        dicts = [formatter.item(work, item_id=f"item-{n}") for n, work in enumerate(works)]
        [items.from_csl(item) for item in dicts]

    def direct() -> None:
        [items.from_work(work, f"item-{n}") for n, work in enumerate(works)]

    via_json, via_json_cpu = _median(runs, through_json)
    print(f"items through CSL-JSON: {via_json * 1000:8.1f} ms (cpu {via_json_cpu * 1000:6.1f} ms)")
    via_work, via_work_cpu = _median(runs, direct)
    print(
        f"items from works:       {via_work * 1000:8.1f} ms (cpu {via_work_cpu * 1000:6.1f} ms;"
        f" {via_json_cpu / via_work_cpu:.2f}x less)"
    )
    for size in (1_000, len(works)):
        chosen = works[:size]
        seconds, cpu = _median(runs, lambda chosen=chosen: CslFormatter("apa").bibliography(chosen))
        print(f"apa bibliography, {size:5} works: {seconds:6.2f} s (cpu {cpu:6.2f} s)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
