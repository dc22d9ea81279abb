"""What a format cannot keep: the loss report of a conversion.

A format plug-in whose files cannot hold everything the model can (RIS has no
place for a translator, BibTeX none for a CSL ``genre`` distinction, ...) may
define, beside ``read`` and ``write``::

    def losses(self, library: Library) -> list[Loss]: ...

listing, per field or distinction, the entries whose value ``write`` would
drop or change the meaning of, and what becomes of it. ``citekit convert``
prints them, and the strict modes (``citekit convert --strict``,
``citekit.save(..., strict=True)``) refuse to write when there are any.
Formats without the method are taken to keep everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from citekit.model.library import Library

__all__ = ["Loss", "losses_of"]


def _keys(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class Loss:
    """One thing a format cannot hold, and the entries that have it.

    ``format`` is the target format's name, ``field`` the model field or the
    distinction that is lost (``"translator"``, ``"type post-weblog"``),
    ``keys`` the entries concerned, in library order, and ``fate`` what
    becomes of the value: ``"dropped"``, ``"written as N1 notes"``, ...
    """

    format: str
    field: str
    keys: tuple[str, ...] = attrs.field(converter=_keys)
    fate: str = "dropped"

    def __str__(self) -> str:
        count = len(self.keys)
        entries = "entry" if count == 1 else "entries"
        return f"{self.format} has no place for {self.field!r} in {count} {entries}: {self.fate}"


def losses_of(fmt: Any, library: Library) -> list[Loss]:
    """The losses ``fmt`` reports for writing ``library`` (none if it has no ``losses``)."""
    method = getattr(fmt, "losses", None)
    if method is None:
        return []
    found: Iterable[Loss] = method(library)
    return list(found)
