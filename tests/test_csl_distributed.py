"""A large catalogue rendered on a distributed engine: a Dask bag over partitions.

The recipe of docs/performance.md ("Beyond one machine"), with Dask's local
process scheduler standing in for a cluster: the formatter is pickled to the
worker processes, each renders its partitions, and the result is exactly
what rendering each partition here gives. The works are real ones, from
tests/corpus/healy-socbib.bib.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import citekit
from citekit.formatters.csl import CslFormatter

dask_bag = pytest.importorskip("dask.bag")
pytest.importorskip("citeproc")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def render_partition(works: list[citekit.Work], formatter: CslFormatter) -> list[tuple[str, str]]:
    """One partition's bibliography: (key, entry) in the style's order."""
    return [(entry.key, entry.text) for entry in formatter.bibliography(list(works))]


@pytest.mark.parametrize("style", ["apa", "ieee"])
def test_a_bag_of_partitions_renders_what_each_partition_renders(style: str) -> None:
    library = citekit.load(CORPUS / "healy-socbib.bib")
    works = list(library.values())[:240]
    bag = dask_bag.from_sequence(works, npartitions=4)
    formatter = CslFormatter(style, output="markdown")
    rendered = bag.map_partitions(render_partition, formatter).compute(
        scheduler="processes", num_workers=2
    )
    partitions = [part.compute(scheduler="synchronous") for part in bag.to_delayed()]
    assert len(partitions) == 4 and sum(len(p) for p in partitions) == len(works)
    expected = [
        pair
        for part in partitions
        for pair in render_partition(part, CslFormatter(style, "markdown"))
    ]
    assert rendered == expected
    assert {key for key, _ in rendered} == {work.key for work in works}
