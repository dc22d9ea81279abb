"""A large catalogue rendered on a distributed engine: a Dask bag over partitions.

The recipe of docs/performance.md ("Beyond one machine"), with Dask's local
process scheduler standing in for a cluster: the formatter is pickled to the
worker processes, each renders its partitions, and the result is exactly
what rendering each partition here gives. The works are real ones, from
tests/corpus/healy-socbib.bib. Dask runs in a process of its own, so that
its worker processes (and multiprocessing's helper process) end with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import citekit
from citekit.formatters.csl import CslFormatter

dask_bag = pytest.importorskip("dask.bag")
pytest.importorskip("citeproc")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
COUNT = 240

SCRIPT = """
import json, sys
import citekit
import dask.bag
from citekit.formatters.csl import CslFormatter


def render_partition(works, formatter):
    return [(entry.key, entry.text) for entry in formatter.bibliography(list(works))]


path, style, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
works = list(citekit.load(path).values())[:count]
bag = dask.bag.from_sequence(works, npartitions=4)
formatter = CslFormatter(style, output="markdown")
rendered = bag.map_partitions(render_partition, formatter).compute(
    scheduler="processes", num_workers=2
)
partitions = [[w.key for w in part.compute(scheduler="synchronous")] for part in bag.to_delayed()]
json.dump({"rendered": rendered, "partitions": partitions}, sys.stdout)
"""


def render_partition(works: list[citekit.Work], formatter: CslFormatter) -> list[tuple[str, str]]:
    """One partition's bibliography: (key, entry) in the style's order."""
    return [(entry.key, entry.text) for entry in formatter.bibliography(list(works))]


@pytest.mark.parametrize("style", ["apa", "ieee"])
def test_a_bag_of_partitions_renders_what_each_partition_renders(style: str) -> None:
    path = CORPUS / "healy-socbib.bib"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), style, str(COUNT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    library = citekit.load(path)
    works = list(library.values())[:COUNT]
    partitions = [[library[key] for key in part] for part in result["partitions"]]
    assert len(partitions) == 4 and sum(len(p) for p in partitions) == len(works)
    assert [w.key for part in partitions for w in part] == [w.key for w in works]
    formatter = CslFormatter(style, output="markdown")
    expected = [pair for part in partitions for pair in render_partition(part, formatter)]
    assert [tuple(pair) for pair in result["rendered"]] == expected
