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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from citekit.model.library import Library

__all__ = ["Format", "format_for_path", "get_format"]


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
    """The format for a file: by ``name`` if given, else by the file's extension."""
    from pathlib import PurePath

    from citekit import plugins
    from citekit.errors import CitekitError, FormatError

    if name is not None:
        return get_format(name)
    suffix = PurePath(path).suffix.lower()
    claimed: list[str] = []
    broken: list[str] = []
    for candidate in plugins.available(plugins.FORMATS):
        try:
            fmt = get_format(candidate)
        except CitekitError as error:  # a broken plug-in must not hide the others
            broken.append(str(error))
            continue
        claimed.extend(fmt.extensions)
        if suffix in fmt.extensions:
            return fmt
    message = (
        f"{path}: no format reads or writes {suffix or 'files without an extension'!r}"
        f" (known extensions: {', '.join(sorted(set(claimed)))})"
    )
    if broken:
        message += "; " + "; ".join(broken)
    raise FormatError(message)
