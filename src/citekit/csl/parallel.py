"""Rendering a large bibliography in several processes, where that pays.

Once a bibliography is sorted and its citations disambiguated, each entry
renders from its own work and that state alone (subsequent-author-substitute
looks at the entry before, which a process finds by rendering it again). So
the entries can be split into ranges, one per processor: the calling process
forks a copy of itself for each range but the first, renders the first range
while the copies render theirs, and collects their results (pickled, over a
pipe). The copies share the caller's memory until they write to it, so
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

The results are the same either way: a range whose process fails or dies is
rendered again by the caller, so an error is raised where it would have been
without processes, and warnings a process records are issued again by the
caller.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["MIN_CHUNK", "map_ranges", "workers"]

T = TypeVar("T")

MIN_CHUNK = 250
"""The fewest entries worth a process of their own."""

_MAX_WORKERS = 8


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


def _ranges(count: int, parts: int) -> list[tuple[int, int]]:
    size, extra = divmod(count, parts)
    out = []
    start = 0
    for number in range(parts):
        stop = start + size + (1 if number < extra else 0)
        out.append((start, stop))
        start = stop
    return out


def map_ranges(render: Callable[[int, int], list[T]], count: int) -> list[T]:
    """``render(0, count)``, computed as ``render(start, stop)`` over ranges in several processes.

    ``render(start, stop)`` returns one picklable result per index of its
    range and must give the same results whichever range it is called on
    (it may look at indexes before ``start``). See the module documentation
    for when processes are used.
    """
    parts = min(workers(), count // MIN_CHUNK)
    if parts < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return render(0, count)
    ranges = _ranges(count, parts)
    children: list[tuple[int, int, tuple[int, int]]] = []
    gc.freeze()  # the copies need not touch (copy) the objects of the caller
    try:
        for span in ranges[1:]:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the forked process
                os.close(read_end)
                _child(render, span, write_end)
            os.close(write_end)
            children.append((pid, read_end, span))
    except OSError:  # no more processes: what was not forked is rendered here
        pass
    finally:
        gc.unfreeze()
    forked = {span: (pid, read_end) for pid, read_end, span in children}
    reaped: set[int] = set()
    results: list[T] = []
    try:
        for span in ranges:
            if span not in forked:
                results.extend(render(*span))
                continue
            pid, read_end = forked[span]
            with os.fdopen(read_end, "rb", closefd=False) as stream:
                payload = stream.read()
            _wait(pid)
            reaped.add(pid)
            results.extend(_collect(payload, render, span))
    finally:
        for pid, read_end, _ in children:
            os.close(read_end)
            if pid not in reaped:  # the caller failed first: stop the child
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                _wait(pid)
    return results


def _child(render: Callable[[int, int], list[Any]], span: tuple[int, int], write_end: int) -> None:
    """The forked process: render ``span``, write (status, results, warnings), leave."""
    status = 1
    try:
        gc.disable()
        with warnings.catch_warnings(record=True) as caught:
            results = render(*span)
        recorded = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
        payload = pickle.dumps(("ok", results, recorded), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as stream:
            stream.write(payload)
        status = 0
    except BaseException:
        pass  # status 1 and no results: the caller renders this range again
    finally:
        os._exit(status)


def _wait(pid: int) -> None:
    """Wait for a child (a program that reaps every child itself may have done so)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _collect(
    payload: bytes, render: Callable[[int, int], list[T]], span: tuple[int, int]
) -> list[T]:
    """A child's results, or the range rendered here if the child failed."""
    try:
        status, results, recorded = pickle.loads(payload)  # written by our own child
    except Exception:
        status, results, recorded = "failed", None, []
    if status != "ok" or not isinstance(results, list) or len(results) != span[1] - span[0]:
        return render(*span)
    for message, category, filename, lineno in recorded:
        warnings.warn_explicit(message, category, filename, lineno)
    return results
