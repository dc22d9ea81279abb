"""Loading and saving libraries: file I/O around the format plug-ins."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from citekit.errors import CitekitError, FormatError, ParseError, WriteError
from citekit.formats import format_for_path
from citekit.model.library import Library, Problem

__all__ = ["atomic_write", "load", "loads", "save"]


def load(
    path: str | os.PathLike[str], *, strict: bool = False, format: str | None = None
) -> Library:
    """Read a library from a file, the format chosen by extension (or ``format``).

    ``.bib`` (BibTeX/BibLaTeX), ``.json`` (CSL-JSON), ``.yaml``/``.yml``
    (CSL-YAML, or Hayagriva YAML, told apart by their content), ``.cff``
    (``CITATION.cff``), ``.sqlite`` (a Zotero database, read in place and
    read-only), and whatever installed format plug-ins add. Bad entries are
    recorded in ``library.problems`` and the good ones still load; with
    ``strict=True`` any error raises :class:`~citekit.ParseError` instead.
    """
    name = os.fspath(path)
    fmt = format_for_path(name, format)
    read_path = getattr(fmt, "read_path", None)
    if callable(read_path):  # a format read in place (a database), not loaded as bytes
        return _read(lambda data, path: read_path(name), b"", name, strict)
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise ParseError(
            Problem(path=name, message=f"cannot read file: {error.strerror}")
        ) from None
    return _read(fmt.read, data, name, strict)


def loads(
    data: bytes | str, format: str, *, strict: bool = False, path: str | None = None
) -> Library:
    """Read a library from bytes or text in the named format ("bibtex", "csljson", ...)."""
    from citekit.formats import get_format

    if isinstance(data, str):
        data = data.encode("utf-8")
    return _read(get_format(format).read, data, path, strict)


def _read(reader: object, data: bytes, path: str | None, strict: bool) -> Library:
    try:
        library: Library = reader(data, path=path)  # type: ignore[operator]
    except CitekitError:
        raise
    except Exception as error:  # a defect of a reader or of a library under it
        raise ParseError(
            Problem(path=path, message=f"could not read ({type(error).__name__}: {error})")
        ) from error
    if strict and library.errors:
        raise ParseError(library.errors)
    return library


def save(
    library: Library,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    strict: bool = False,
) -> None:
    """Write a library to a file, atomically, the format chosen by extension.

    Saving to the format a library was read from writes unchanged entries
    back byte for byte. The file is written to a temporary file beside the
    target and renamed over it, so an interruption never leaves a
    half-written library. With ``strict=True`` nothing is written when the
    format cannot keep everything the library holds (its loss report, see
    :mod:`citekit.formats.losses`, is not empty): :class:`~citekit.LossError`
    names what would be lost.
    """
    name = os.fspath(path)
    fmt = format_for_path(name, format)
    if strict:
        from citekit.errors import LossError
        from citekit.formats.losses import losses_of

        found = losses_of(fmt, library)
        if found:
            raise LossError(name, found)
    try:
        data = fmt.write(library)
    except CitekitError:
        raise
    except Exception as error:
        raise FormatError(f"{name}: could not write ({type(error).__name__}: {error})") from error
    atomic_write(name, data)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, lock_timeout: float = 30.0) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The target is either left as it was or replaced whole, never truncated;
    its permission bits are kept when it exists, and a symbolic link is
    followed (the file it points to is replaced, the link stays). Saves to
    one folder are serialised with an advisory lock on the folder (POSIX), so
    two processes saving the same library one after the other never lose a
    write half-way; after ``lock_timeout`` seconds of waiting a
    :class:`~citekit.WriteError` says another process is saving there.
    Temporary files left by an earlier save that was killed are removed.
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    directory = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as error:
        raise WriteError(f"{target}: cannot write: {error.strerror}") from None
    with _folder_lock(directory, target, lock_timeout):
        _remove_stale_temporaries(directory, target)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        except OSError as error:
            raise WriteError(f"{target}: cannot write: {error.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(error, OSError):
                raise WriteError(f"{target}: cannot write: {error.strerror or error}") from None
            raise
        _sync_folder(directory)


@contextlib.contextmanager
def _folder_lock(directory: Path, target: Path, timeout: float) -> Iterator[None]:
    """An exclusive advisory lock on ``directory`` (a no-op where POSIX locks are missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as error:
        raise WriteError(f"{target}: cannot write: {error.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriteError(
                        f"{target}: another process has been saving in {directory} for"
                        f" {timeout:g} s; not written"
                    ) from None
                time.sleep(0.02)
            except OSError:  # a file system without locks: go on without one
                break
        yield
    finally:
        os.close(fd)  # also releases the lock


def _remove_stale_temporaries(directory: Path, target: Path) -> None:
    """Remove ``.NAME.*.tmp`` files of earlier, killed saves (we hold the folder lock)."""
    with contextlib.suppress(OSError):
        for stale in directory.glob(f".{glob.escape(target.name)}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()


def _sync_folder(directory: Path) -> None:
    """Make the rename durable (POSIX); best effort."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
