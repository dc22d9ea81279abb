"""Large bibliographies rendered in several processes (citekit.csl.parallel)."""

from __future__ import annotations

import os
import select
import struct
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import citekit
from citekit.csl import parallel
from citekit.model import Date, Person, Work
from hang_guard import DEFAULT_TIMEOUT

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


def test_chunks_cover_every_index_once_large_first() -> None:
    for count in (0, 1, 7, 500, 501, 1003, 2523):
        for parts in (1, 2, 3, 8):
            spans = parallel._chunks(count, parts)
            assert [i for start, stop in spans for i in range(start, stop)] == list(range(count))
            sizes = [stop - start for start, stop in spans]
            assert sizes == sorted(sizes, reverse=True)
            assert all(size >= parallel._SMALLEST_CHUNK for size in sizes[:-1])
    # two processes start on a quarter of the work each, then take smaller chunks
    assert parallel._chunks(1000, 2)[:3] == [(0, 250), (250, 438), (438, 579)]


class _Meeting:
    """Makes the caller's first chunk wait until a forked process has taken one.

    Without it a fast render lets the caller take every chunk before the
    copy has started, and a test of what the copy does would prove nothing.
    """

    def __init__(self) -> None:
        self.caller = os.getpid()
        self.read_end, self.write_end = os.pipe()
        self.waited = False

    def arrive(self) -> None:
        if os.getpid() != self.caller:
            os.write(self.write_end, b"x")
        elif not self.waited:
            self.waited = True
            ready, _, _ = select.select([self.read_end], [], [], DEFAULT_TIMEOUT)
            assert ready, "no forked process took a chunk"
            os.read(self.read_end, 1)

    def close(self) -> None:
        os.close(self.read_end)
        os.close(self.write_end)


@pytest.fixture
def meeting() -> Iterator[_Meeting]:
    met = _Meeting()
    yield met
    met.close()


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


def test_chunks_are_rendered_in_other_processes(two_workers: None, meeting: _Meeting) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[tuple[int, int]]:
        meeting.arrive()
        return [(i, os.getpid()) for i in range(start, stop)]

    results = parallel.map_ranges(render, 600)
    assert [i for i, _ in results] == list(range(600))
    pids = [pid for _, pid in results]
    assert pids[:150] == [me] * 150  # the caller takes the first chunk itself
    assert len(set(pids)) == 2  # and one forked process took at least one
    assert _no_children_left()


def test_a_slow_process_takes_fewer_chunks(two_workers: None, meeting: _Meeting) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[int]:
        meeting.arrive()
        if os.getpid() != me:
            threading.Event().wait(0.5)  # a process much slower than the caller
        return [os.getpid()] * (stop - start)

    pids = parallel.map_ranges(render, 2000)
    assert len(pids) == 2000
    theirs = sum(pid != me for pid in pids)
    assert 0 < theirs < 1000
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


def _fail() -> None:
    raise RuntimeError("only in the child")


def _die() -> None:
    os._exit(3)


@pytest.mark.parametrize("trouble", [_fail, _die], ids=["failing", "dying"])
def test_a_failing_or_dying_child_chunk_is_rendered_again_here(
    two_workers: None, meeting: _Meeting, trouble: Any
) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[int]:
        meeting.arrive()
        if os.getpid() != me:
            trouble()
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


def test_the_first_error_in_order_is_raised(two_workers: None, meeting: _Meeting) -> None:
    # a forked process fails on an early chunk, the caller later on a late one:
    # without processes the early error would have been raised
    def render(start: int, stop: int) -> list[int]:
        meeting.arrive()
        if start <= 250 < stop:
            raise ValueError("entry 250")
        if start <= 700 < stop:
            raise ValueError("entry 700")
        return list(range(start, stop))

    with pytest.raises(ValueError, match="entry 250"):
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


def test_warnings_of_a_child_are_issued_here(two_workers: None, meeting: _Meeting) -> None:
    me = os.getpid()

    def render(start: int, stop: int) -> list[int]:
        meeting.arrive()
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


class _Renderers:
    """Which processes render the chunks of each parallel call, recorded through a pipe.

    Every call of ``parallel.iter_ranges`` (``map_ranges`` goes through it)
    that is to use processes gets its own meeting, so the caller waits until
    a forked process has taken one of its chunks: a call that quietly
    rendered everything in the caller fails (after the meeting's 30 s)
    instead of passing unnoticed. Each chunk's renderer writes its process id
    to a pipe; :meth:`calls` reads them back per call.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read_end, self.write_end = os.pipe()
        self.meetings: list[_Meeting] = []
        self.parallel_calls: list[int] = []
        original = parallel.iter_ranges

        def iter_ranges(render: Any, count: int) -> Iterator[Any]:
            call = len(self.meetings)
            met = _Meeting()
            self.meetings.append(met)
            if min(parallel.workers(), count // parallel.MIN_CHUNK) >= 2:
                self.parallel_calls.append(call)
            else:
                met.waited = True  # one process: nobody to wait for

            def recorded(start: int, stop: int) -> Any:
                met.arrive()
                os.write(self.write_end, struct.pack("=ii", call, os.getpid()))
                return render(start, stop)

            return original(recorded, count)

        monkeypatch.setattr(parallel, "iter_ranges", iter_ranges)

    def calls(self) -> dict[int, set[int]]:
        """The process ids that rendered chunks, per call (in the order of the calls)."""
        os.close(self.write_end)
        with os.fdopen(self.read_end, "rb") as stream:
            data = stream.read()
        found: dict[int, set[int]] = {}
        for call, pid in struct.iter_unpack("=ii", data):
            found.setdefault(call, set()).add(pid)
        for met in self.meetings:
            met.close()
        return found


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
    renderers = _Renderers(monkeypatch)
    shared = [str(e) for e in citekit.formatter("csl", style=style).bibliography(works)]  # type: ignore[attr-defined]
    calls = renderers.calls()
    # the second process really rendered: in every call meant for processes
    # (the entries at least), a chunk was rendered by another process than this one
    assert renderers.parallel_calls, "no call was made for processes"
    me = os.getpid()
    for call in renderers.parallel_calls:
        assert calls[call] - {me}, f"call {call}: every chunk rendered here, {calls}"
    assert shared == alone
    assert len(alone) == 700
    if style == "modern-language-association":
        # subsequent-author-substitute holds across the processes' boundary
        assert sum("———" in entry for entry in alone) > 300


def test_the_callers_first_results_come_before_the_others_are_done(
    two_workers: None, meeting: _Meeting
) -> None:
    # the forked process waits until the caller has had its first result:
    # with no result before every process is done, it would give up and the
    # caller would render everything itself
    me = os.getpid()
    read_end, write_end = os.pipe()
    try:

        def render(start: int, stop: int) -> list[int]:
            meeting.arrive()
            if os.getpid() != me:
                # (a hang guard's generous wait, not a time limit: on a busy
                # machine the caller's first result may take many seconds)
                ready, _, _ = select.select([read_end], [], [], DEFAULT_TIMEOUT)
                if not ready:
                    raise TimeoutError("the caller had no result yet")
            return [os.getpid()] * (stop - start)

        results = parallel.iter_ranges(render, 1000)
        assert next(results) == me
        os.write(write_end, b"go")
        rest = list(results)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert len(rest) == 999
    assert any(pid != me for pid in rest)
    assert _no_children_left()


def test_closing_the_results_early_stops_the_processes(two_workers: None) -> None:
    def render(start: int, stop: int) -> list[int]:
        if start:
            threading.Event().wait(60)
        return list(range(start, stop))

    results = parallel.iter_ranges(render, 1000)
    assert next(results) == 0
    results.close()
    assert _no_children_left()


def test_a_bibliography_is_written_the_same_in_one_or_two_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    works = _works(700)
    texts = []
    for workers in ("1", "2"):
        monkeypatch.setenv("CITEKIT_WORKERS", workers)
        stream = io.StringIO()
        csl = citekit.formatter("csl", style="chicago-notes-bibliography", output="html")
        csl.write_bibliography(works, stream)  # type: ignore[attr-defined]
        texts.append(stream.getvalue())
    assert texts[0] == texts[1]
    assert texts[0].count('<div class="csl-entry">') == 700
