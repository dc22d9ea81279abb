"""Saving under faults: killed writers, concurrent writers, links, leftovers.

A save either leaves the old file or puts the whole new one in place: never
a truncated or interleaved file, whatever happens to the process writing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import citekit
from citekit.io import atomic_write

OLD = b"old library\n" * 1000
#: A hang guard: writers still running after this many seconds are killed.
HANG_SECONDS = 300
CHILD = """
import sys
from citekit.io import atomic_write
path, size, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
data = (marker * (size // len(marker) + 1))[:size]
for _ in range(int(sys.argv[4])):
    atomic_write(path, data)
"""


def _valid(content: bytes, markers: list[bytes], size: int) -> bool:
    return content == OLD or any(content == (m * (size // len(m) + 1))[:size] for m in markers)


@contextlib.contextmanager
def killed_after(seconds: float, *children: subprocess.Popen[bytes]) -> Iterator[list[bool]]:
    """A hang guard: kill ``children`` still running after ``seconds``; ``[True]`` if it did."""
    fired: list[bool] = []

    def kill() -> None:
        fired.append(True)
        for child in children:
            if child.poll() is None:
                child.kill()

    timer = threading.Timer(seconds, kill)
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()


def wait_for_a_save(child: subprocess.Popen[bytes], folder: Path, before: set[str]) -> None:
    """Return once ``child`` has a save of its own under way: a new temporary file."""
    while not {p.name for p in folder.glob("*.tmp")} - before:
        assert child.poll() is None, f"the writer ended (status {child.returncode}) before saving"
        time.sleep(0.002)


def test_a_killed_writer_never_leaves_a_truncated_file(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_bytes(OLD)
    size = 20_000_000
    interrupted = 0
    for delay in (0.0, 0.01, 0.03, 0.06):
        # The child saves again and again; the kill comes once one of its saves
        # is under way (its temporary file exists), plus a delay, so it lands in
        # the middle of some save: while writing, syncing or renaming.
        before = {p.name for p in tmp_path.glob("*.tmp")}
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(target), str(size), "NEW-", "1000"]
        )
        with killed_after(HANG_SECONDS, child) as hung:
            wait_for_a_save(child, tmp_path, before)
        assert not hung, f"no save began within {HANG_SECONDS} s"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert _valid(target.read_bytes(), [b"NEW-"], size), f"corrupt after kill at {delay}s"
        leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        interrupted += bool(leftovers)
    assert interrupted > 0, "no kill landed during a write: the test proved nothing"
    # The next save cleans up what the killed ones left behind.
    atomic_write(target, b"final\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]
    assert target.read_bytes() == b"final\n"


def test_concurrent_writers_and_a_reader_see_only_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_bytes(OLD)
    size = 2_000_000
    writers = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(target), str(size), m, "15"])
        for m in ("AAAA", "BBBB")
    ]
    seen = 0
    with killed_after(HANG_SECONDS, *writers) as hung:
        while any(w.poll() is None for w in writers):
            assert _valid(target.read_bytes(), [b"AAAA", b"BBBB"], size)
            seen += 1
    assert not hung, f"the writers had not finished after {HANG_SECONDS} s"
    assert all(w.returncode == 0 for w in writers)
    assert _valid(target.read_bytes(), [b"AAAA", b"BBBB"], size)
    assert target.read_bytes() != OLD
    assert seen > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_a_save_waits_for_another_then_gives_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_bytes(OLD)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # "another process" is saving here
        with pytest.raises(citekit.WriteError, match="another process"):
            atomic_write(target, b"new\n", lock_timeout=0.2)
    finally:
        os.close(fd)
    assert target.read_bytes() == OLD
    atomic_write(target, b"new\n", lock_timeout=0.2)
    assert target.read_bytes() == b"new\n"


def test_a_symbolic_link_is_followed_not_replaced(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    real = shared / "refs.bib"
    real.write_bytes(OLD)
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    atomic_write(link, b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


def test_stale_temporary_files_are_removed_only_for_that_file(tmp_path: Path) -> None:
    (tmp_path / ".refs.bib.abc123.tmp").write_bytes(b"half")
    (tmp_path / ".other.bib.abc123.tmp").write_bytes(b"someone else's")
    atomic_write(tmp_path / "refs.bib", b"new\n")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".other.bib.abc123.tmp", "refs.bib"]
