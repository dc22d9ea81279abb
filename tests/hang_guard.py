"""Hang guards: a test's work run in a child process that is killed if it never ends.

Tests of "this input does not make citekit hang or blow up" do not measure
time: on a shared machine a wall-clock bound fails when the machine is busy,
not when citekit is slow. Instead the work runs in a forked child process,
and only if it has not finished after a generous timeout (many times what it
takes) is the child killed and the test failed. What the work returns (or
raises) comes back to the test, so its assertions stay in the test.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

#: Seconds after which a guarded piece of work counts as hung.
DEFAULT_TIMEOUT = 120.0


def finishes(function: Callable[..., T], *args: Any, timeout: float = DEFAULT_TIMEOUT) -> T:
    """``function(*args)`` run in a child process: its result, or its exception re-raised.

    The test fails, and the child is killed, if it has not finished within
    ``timeout`` seconds. The function, its arguments and its result must be
    picklable (a module-level function; plain values).
    """
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        pending = pool.apply_async(function, args)
        try:
            return pending.get(timeout)
        except multiprocessing.TimeoutError:
            name = getattr(function, "__name__", repr(function))
            pytest.fail(f"{name} did not finish within {timeout:.0f} s: it hangs", pytrace=False)
