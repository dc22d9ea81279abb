"""Rendering a large bibliography in several processes, where that pays.

Once a bibliography is sorted and its citations disambiguated, each entry
renders from its own work and that state alone (subsequent-author-substitute
looks at the entry before, which a process finds by rendering it again). So
the entries can be cut into chunks and shared between processes: the calling
process forks a copy of itself for each processor but its own, and every
process takes the next chunk not yet taken until none is left (large chunks
first, smaller ones at the end, so that the processes finish together even
when one is slower); the caller collects the copies' results (pickled, over
a pipe). The copies share the caller's memory until they write to it, so
nothing is set up twice, and they leave with ``os._exit`` (no exit handlers,
no flushing of the caller's buffers).

When it pays: forking and collecting cost a few milliseconds, rendering an
entry about a millisecond, so a bibliography is split only when each process
gets at least :data:`MIN_CHUNK` entries (a bibliography of 500 entries or
more on two processors). Nothing is forked where ``os.fork`` does not
exist, inside a multi-threaded program (forking copies other threads' locks
in whatever state they are), or when the ``CITEKIT_WORKERS`` environment
variable is ``1``; it may also set a smaller or larger number of processes.
By default processes are used on Linux only (elsewhere set
``CITEKIT_WORKERS``), as many as the processors the program may use, at most
eight.

The results are the same either way: a chunk whose process fails or dies is
rendered again by the caller, so an error is raised where it would have been
without processes (the first in the entries' order), and warnings a process
records are issued again by the caller (after the caller's own).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["MIN_CHUNK", "iter_ranges", "map_ranges", "workers"]

T = TypeVar("T")

MIN_CHUNK = 250
"""The fewest entries worth a process of their own."""

_MAX_WORKERS = 8

_SMALLEST_CHUNK = 25
"""The fewest indexes a process takes at a time."""

_TICKET = struct.Struct("<I")
"""A chunk's number, as written into the pipe the processes take chunks from."""


def workers() -> int:
    """How many processes may render at once: ``CITEKIT_WORKERS``, else the usable processors."""
    setting = os.environ.get("CITEKIT_WORKERS", "").strip()
    if setting:
        try:
            return max(1, min(int(setting), 64))
        except ValueError:
            warnings.warn(
                f"CITEKIT_WORKERS={setting!r} is not a number; rendering in one process",
                RuntimeWarning,
                stacklevel=2,
            )
            return 1
    if not sys.platform.startswith("linux"):
        # forking is only safe by default where the system libraries allow it
        # (on macOS they may not: set CITEKIT_WORKERS to opt in)
        return 1
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return max(1, min(usable, _MAX_WORKERS))


def _chunks(count: int, parts: int) -> list[tuple[int, int]]:
    """``range(count)`` cut into consecutive chunks, large first, then smaller.

    Each chunk is the remaining count over twice the processes (at least
    :data:`_SMALLEST_CHUNK`): the processes start on large chunks and even
    out at the end on small ones.
    """
    spans = []
    start = 0
    while start < count:
        size = max(-(-(count - start) // (2 * parts)), _SMALLEST_CHUNK)
        stop = min(count, start + size)
        spans.append((start, stop))
        start = stop
    return spans


def map_ranges(render: Callable[[int, int], Iterable[T]], count: int) -> list[T]:
    """``render(0, count)`` as a list, computed as ``render(start, stop)`` over chunks
    in several processes.

    ``render(start, stop)`` returns (or yields) one picklable result per index
    of its range and must give the same results whichever range it is called
    on (it may look at indexes before ``start``). See the module
    documentation for when processes are used.
    """
    return list(iter_ranges(render, count))


def iter_ranges(render: Callable[[int, int], Iterable[T]], count: int) -> Iterator[T]:
    """The results of :func:`map_ranges`, in order, each as soon as it is known.

    In one process they come as ``render(0, count)`` yields them; with
    several, the caller's chunks come as it renders them, as long as no
    earlier chunk is another process's, and the rest when the processes are
    done. Closing the iterator early stops the processes.
    """
    parts = min(workers(), count // MIN_CHUNK)
    if parts < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        yield from render(0, count)
        return
    spans = _chunks(count, parts)
    # The chunks' numbers are written into a pipe before any process starts;
    # each process takes the next by reading one number (a read of a few
    # bytes from a pipe is atomic), so a process that is slower (its copied
    # memory, other programs) takes fewer. (The chunks shrink geometrically:
    # a few hundred numbers even for millions of entries, far below what a
    # pipe holds, so the write does not wait for a reader.)
    tickets, tickets_write = os.pipe()
    try:
        os.write(tickets_write, b"".join(_TICKET.pack(n) for n in range(len(spans))))
    finally:
        os.close(tickets_write)
    children: list[tuple[int, int]] = []
    reaped: set[int] = set()
    try:
        gc.freeze()  # the copies need not touch (copy) the objects of the caller
        try:
            for _ in range(parts - 1):
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:  # pragma: no cover - runs in the forked process
                    os.close(read_end)
                    _child(render, spans, tickets, write_end)
                os.close(write_end)
                children.append((pid, read_end))
        except OSError:  # no more processes: what no process takes is rendered here
            pass
        finally:
            gc.unfreeze()
        results: dict[int, list[T]] = {}
        given = 0  # the chunks before this one have been given out
        failure: Exception | None = None
        current = 0
        try:
            for current in _take(tickets):
                results[current] = list(render(*spans[current]))
                while given in results:
                    yield from results.pop(given)
                    given += 1
        except Exception as error:
            failure = error
        if failure is not None:
            # As without processes, the first error in index order is raised:
            # the chunks before this one that other processes took are
            # rendered again here (they raise if they fail).
            _stop(children, reaped)
            for number in range(given, current):
                if number not in results:
                    results[number] = list(render(*spans[number]))
            raise failure
        for pid, read_end in children:
            with os.fdopen(read_end, "rb", closefd=False) as stream:
                payload = stream.read()
            _wait(pid)
            reaped.add(pid)
            results.update(_collect(payload, spans))
        for number in range(given, len(spans)):
            chunk = results.pop(number, None)
            # a chunk whose process failed or died is rendered here: an
            # error is raised as it would be without processes
            yield from chunk if chunk is not None else render(*spans[number])
    finally:
        os.close(tickets)
        _stop(children, reaped)
        for _, read_end in children:
            os.close(read_end)


def _take(tickets: int) -> Iterator[int]:
    """The numbers of the chunks this process takes, until none is left."""
    while True:
        ticket = os.read(tickets, _TICKET.size)
        if len(ticket) != _TICKET.size:
            return
        yield _TICKET.unpack(ticket)[0]


def _stop(children: list[tuple[int, int]], reaped: set[int]) -> None:
    """Kill and reap the children not reaped yet (the caller failed, or is done)."""
    for pid, _ in children:
        if pid not in reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait(pid)
            reaped.add(pid)


def _child(
    render: Callable[[int, int], Iterable[Any]],
    spans: list[tuple[int, int]],
    tickets: int,
    write_end: int,
) -> None:
    """The forked process: render chunks until none is left (or one fails), report, leave.

    It writes ``(chunk number -> results, warnings)`` for the chunks it
    rendered; a chunk it took but could not render is missing, and the caller
    renders it again.
    """
    status = 1
    try:
        gc.disable()
        done: dict[int, list[Any]] = {}
        with warnings.catch_warnings(record=True) as caught, contextlib.suppress(Exception):
            for number in _take(tickets):
                done[number] = list(render(*spans[number]))
        recorded = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
        payload = pickle.dumps(("ok", done, recorded), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as stream:
            stream.write(payload)
        status = 0
    except BaseException:
        pass  # status 1 and no results: the caller renders the chunks again
    finally:
        os._exit(status)


def _wait(pid: int) -> None:
    """Wait for a child (a program that reaps every child itself may have done so)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _collect(payload: bytes, spans: list[tuple[int, int]]) -> dict[int, list[Any]]:
    """The chunks a child rendered (none if it failed); its warnings issued here."""
    try:
        status, done, recorded = pickle.loads(payload)  # written by our own child
    except Exception:
        return {}
    if status != "ok" or not isinstance(done, dict):
        return {}
    for message, category, filename, lineno in recorded:
        warnings.warn_explicit(message, category, filename, lineno)
    return {
        number: results
        for number, results in done.items()
        if isinstance(number, int)
        and 0 <= number < len(spans)
        and isinstance(results, list)
        and len(results) == spans[number][1] - spans[number][0]
    }
