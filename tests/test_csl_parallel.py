"""Large bibliographies rendered in several processes (citekit.csl.parallel)."""

from __future__ import annotations

import os
import threading
import warnings

import pytest

import citekit
from citekit.csl import parallel
from citekit.model import Date, Person, Work

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEKIT_WORKERS", "2")


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_ranges_cover_every_index_once() -> None:
    for count in (0, 1, 7, 500, 501, 1003):
        for parts in (1, 2, 3, 8):
            spans = parallel._ranges(count, parts)
            assert [i for start, stop in spans for i in range(start, stop)] == list(range(count))


def test_workers_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEKIT_WORKERS", "3")
    assert parallel.workers() == 3
    monkeypatch.setenv("CITEKIT_WORKERS", "0")
    assert parallel.workers() == 1
    monkeypatch.setenv("CITEKIT_WORKERS", "many")
    with pytest.warns(RuntimeWarning, match="CITEKIT_WORKERS='many'"):
        assert parallel.workers() == 1
    monkeypatch.delenv("CITEKIT_WORKERS")
    assert parallel.workers() >= 1


def test_ranges_are_rendered_in_other_processes(two_workers: None) -> None:
    me = os.getpid()
    results = parallel.map_ranges(lambda a, b: [(i, os.getpid()) for i in range(a, b)], 600)
    assert [i for i, _ in results] == list(range(600))
    pids = [pid for _, pid in results]
    assert pids[:300] == [me] * 300  # the caller renders the first range itself
    assert len(set(pids[300:])) == 1 and pids[300] != me
    assert _no_children_left()


def test_small_counts_stay_in_one_process(two_workers: None) -> None:
    me = os.getpid()
    results = parallel.map_ranges(lambda a, b: [os.getpid()] * (b - a), 2 * parallel.MIN_CHUNK - 1)
    assert set(results) == {me}


def test_one_worker_means_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEKIT_WORKERS", "1")
    me = os.getpid()
    assert set(parallel.map_ranges(lambda a, b: [os.getpid()] * (b - a), 5000)) == {me}


def test_no_fork_while_other_threads_run(two_workers: None) -> None:
    me = os.getpid()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert set(parallel.map_ranges(lambda a, b: [os.getpid()] * (b - a), 1000)) == {me}
    finally:
        stop.set()
        thread.join()


def test_a_failing_child_range_is_rendered_again_here(two_workers: None) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[int]:
        if os.getpid() != me:
            raise RuntimeError("only in the child")
        return list(range(start, stop))

    assert parallel.map_ranges(render, 800) == list(range(800))
    assert _no_children_left()


def test_a_dying_child_range_is_rendered_again_here(two_workers: None) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[int]:
        if os.getpid() != me:
            os._exit(3)
        return list(range(start, stop))

    assert parallel.map_ranges(render, 800) == list(range(800))
    assert _no_children_left()


def test_an_error_is_raised_where_it_would_be_and_children_are_reaped(two_workers: None) -> None:
    def render(start: int, stop: int) -> list[int]:
        if start <= 555 < stop:
            raise ValueError("entry 555")
        return list(range(start, stop))

    with pytest.raises(ValueError, match="entry 555"):
        parallel.map_ranges(render, 800)
    assert _no_children_left()


def test_an_error_of_the_caller_stops_the_children(two_workers: None) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[int]:
        if os.getpid() == me:
            raise KeyError("caller")
        threading.Event().wait(60)  # a child still rendering when the caller fails
        return list(range(start, stop))

    with pytest.raises(KeyError):
        parallel.map_ranges(render, 800)
    assert _no_children_left()


def test_warnings_of_a_child_are_issued_here(two_workers: None) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[int]:
        if os.getpid() != me:
            warnings.warn("from the child", UserWarning, stacklevel=1)
        return list(range(start, stop))

    with pytest.warns(UserWarning, match="from the child"):
        assert parallel.map_ranges(render, 800) == list(range(800))


def _works(count: int) -> list[Work]:
    """Works by few authors, so runs of one author cross the ranges' boundaries."""
    authors = [
        (Person(family="Serge", given="Victor"),),
        (Person(family="Weissman", given="Susan"),),
        (Person(family="Serge", given="Victor"), Person(family="Trotsky", given="Leon")),
    ]
    return [
        Work(
            key=f"w{number:04d}",
            type="book",
            title=f"Book number {number}",
            contributors={"author": authors[(number // 7) % len(authors)]},
            issued=Date.parse(str(1900 + number % 97)),
            publisher="Pluto",
        )
        for number in range(count)
    ]


@pytest.mark.parametrize(
    "style", ["chicago-notes-bibliography", "apa", "ieee", "modern-language-association"]
)
def test_a_bibliography_is_the_same_in_one_or_two_processes(
    style: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    works = _works(700)
    monkeypatch.setenv("CITEKIT_WORKERS", "1")
    alone = [str(e) for e in citekit.formatter("csl", style=style).bibliography(works)]  # type: ignore[attr-defined]
    monkeypatch.setenv("CITEKIT_WORKERS", "2")
    shared = [str(e) for e in citekit.formatter("csl", style=style).bibliography(works)]  # type: ignore[attr-defined]
    assert shared == alone
    assert len(alone) == 700
    if style == "modern-language-association":
        # subsequent-author-substitute holds across the processes' boundary
        assert sum("———" in entry for entry in alone) > 300
