"""File formats: readers and writers of libraries, one module per format.

A format is a plug-in of the ``citekit.formats`` entry-point group: a class
with a ``name``, the file ``extensions`` it claims, and two methods that work
on bytes (no I/O of their own, so they are easy to test and to reuse)::

    class MyFormat:
        name = "myformat"
        extensions = (".myf",)

        def read(self, data: bytes, *, path: str | None = None) -> Library: ...
        def write(self, library: Library) -> bytes: ...

``read`` never raises for bad input: it records a :class:`~citekit.Problem`
for each and returns what it could read. :func:`citekit.load` and
:func:`citekit.save` pick the format by extension and do the file I/O.

Two optional methods extend this:

- ``sniff(head: bytes) -> bool``: whether the first bytes of a file (up to
  64 KiB) are of this format. When several formats claim an extension
  (``.yaml`` is CSL-YAML and Hayagriva YAML), the one whose ``sniff`` says
  yes reads it, else the one without ``sniff`` (the extension's default
  owner); a format may also claim a file of any extension by its content.
- ``read_path(path: str) -> Library``: read from a file path rather than from
  bytes, for formats that are not a byte stream to load whole (a Zotero
  database, opened read-only in place). :func:`citekit.load` calls it when
  present; ``read(data)`` still reads the same format from bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from citekit.model.library import Library

__all__ = ["SNIFF_BYTES", "Format", "format_for_path", "get_format"]

#: How many bytes of a file ``sniff`` methods are shown.
SNIFF_BYTES = 65536


@runtime_checkable
class Format(Protocol):
    """The interface of a file format plug-in."""

    name: str
    extensions: tuple[str, ...]

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read a library from ``data``; bad input becomes problems, never an exception."""
        ...

    def write(self, library: Library) -> bytes:
        """Serialise ``library``; raises :class:`~citekit.FormatError` if it cannot."""
        ...


def get_format(name: str) -> Format:
    """The format plug-in named ``name`` ("bibtex", "csljson", "cslyaml", ...)."""
    from citekit import plugins

    cls = plugins.load(plugins.FORMATS, name)
    fmt: Format = cls()
    return fmt


def format_for_path(path: str, name: str | None = None) -> Format:
    """The format for a file: by ``name`` if given, else by the file's extension.

    When several formats claim the extension, or none does, the formats'
    ``sniff`` methods are shown the head of the file (if it exists) and the
    first that recognises it wins; among the claimants, one without ``sniff``
    is the default.
    """
    from pathlib import PurePath

    from citekit import plugins
    from citekit.errors import CitekitError, FormatError

    if name is not None:
        return get_format(name)
    suffix = PurePath(path).suffix.lower()
    claimed: list[str] = []
    broken: list[str] = []
    claimants: list[Format] = []
    sniffers: list[Format] = []
    for candidate in plugins.available(plugins.FORMATS):
        try:
            fmt = get_format(candidate)
        except CitekitError as error:  # a broken plug-in must not hide the others
            broken.append(str(error))
            continue
        claimed.extend(fmt.extensions)
        if suffix and suffix in fmt.extensions:
            claimants.append(fmt)
        elif callable(getattr(fmt, "sniff", None)):
            sniffers.append(fmt)
    if len(claimants) == 1:
        return claimants[0]
    head = _head(path)
    if head:
        for fmt in [*claimants, *sniffers]:
            if _sniffs(fmt, head):
                return fmt
    if claimants:
        plain = [fmt for fmt in claimants if not callable(getattr(fmt, "sniff", None))]
        return (plain or claimants)[0]
    message = (
        f"{path}: no format reads or writes {suffix or 'files without an extension'!r}"
        f" (known extensions: {', '.join(sorted(set(claimed)))})"
    )
    if broken:
        message += "; " + "; ".join(broken)
    raise FormatError(message)


def _head(path: str) -> bytes:
    """The first :data:`SNIFF_BYTES` of a file, or nothing if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return b""


def _sniffs(fmt: Format, head: bytes) -> bool:
    """Whether ``fmt`` recognises ``head``; a failing ``sniff`` says no."""
    try:
        return bool(fmt.sniff(head))  # type: ignore[attr-defined]
    except Exception:  # a defect of a plug-in's sniff must not stop the others
        return False
