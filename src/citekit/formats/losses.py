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

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from citekit.model.library import Library

__all__ = ["Loss", "compare", "losses_of", "merge"]


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


_SKIPPED = frozenset({"key", "type", "contributors", "variables", "extra", "rich", "hints"})


def _fate(before: Any, after: Any) -> str:
    if after is None or after == () or after == "":
        return "dropped"
    return "changed"


def compare(
    format: str,
    before: Iterable[Any],
    after: Iterable[Any],
    *,
    kept_fields: Callable[[str], Iterable[str]] | None = None,
) -> list[Loss]:
    """The losses a write-and-read-back shows: ``before`` and ``after`` are the
    works (in order) before writing and as read back from what was written.

    Every attribute, role, variable and extra field that does not come back
    equal is named, with the keys of the works concerned; a variable that
    comes back as an extra field named by ``kept_fields(variable)`` (the field
    the format wrote it as) counts as kept.
    """
    import attrs

    from citekit.model.work import Work

    found: dict[tuple[str, str], list[str]] = {}

    def add(field: str, fate: str, key: str) -> None:
        keys = found.setdefault((field, fate), [])
        if key not in keys:
            keys.append(key)

    names = [f.name for f in attrs.fields(Work) if f.name not in _SKIPPED]
    after_list = list(after)
    for index, old in enumerate(before):
        new = after_list[index] if index < len(after_list) else None
        if new is None:
            add("the whole entry", "not written", old.key)
            continue
        if new.key != old.key:
            add("citation key", "read back under another key", old.key)
        if new.type != old.type:
            add(f"type {old.type.value}", f"read back as {new.type.value}", old.key)
        for role in set(old.roles) | set(new.roles):
            if old.names(role) != new.names(role):
                fate = "added" if not old.names(role) else _fate(None, new.names(role))
                add(role.value, fate, old.key)
        for name in names:
            value = getattr(old, name)
            if value != getattr(new, name):
                if value is None or value == ():
                    add(name.replace("_", "-"), "added", old.key)
                else:
                    add(name.replace("_", "-"), _fate(value, getattr(new, name)), old.key)
        for name, value in old.variables.items():
            if new.variables.get(name) == value:
                continue
            if name == "citation-key" and value == new.key:
                continue  # the key itself says it
            fields = list(kept_fields(name)) if kept_fields is not None else []
            if any(field in new.extra for field in fields):
                continue
            add(f"variable {name}", _fate(value, new.variables.get(name)), old.key)
        for name, value in old.extra.items():
            if new.extra.get(name) == value or name in new.variables:
                continue
            add(f"extra field {name}", _fate(value, new.extra.get(name)), old.key)
        if old.rich != new.rich and all(
            getattr(old, name) == getattr(new, name) for name in old.rich
        ):
            add("markup (italics, small caps, ...)", "changed", old.key)
    return [Loss(format, field, tuple(keys), fate) for (field, fate), keys in found.items()]


def merge(*groups: Iterable[Loss]) -> list[Loss]:
    """Losses of several checks in one list: a (field, entry) named twice is reported once."""
    seen: set[tuple[str, str]] = set()
    out: list[Loss] = []
    for group in groups:
        for loss in group:
            keys = tuple(k for k in loss.keys if (loss.field, k) not in seen)
            seen.update((loss.field, k) for k in keys)
            if keys:
                out.append(Loss(loss.format, loss.field, keys, loss.fate))
    return out
