"""Plug-ins, found through Python entry points.

Three groups: ``citekit.formats`` (file readers and writers),
``citekit.formatters`` (renderers: ``bibtex``, ``csl``, ``blockquote``, ...)
and ``citekit.checks`` (the rules of ``citekit check``).
citekit's own plug-ins are declared in its ``pyproject.toml`` exactly as a
third party declares theirs::

    [project.entry-points."citekit.formatters"]
    myformat = "mypackage.formatter:MyFormatter"

:func:`register` adds one at run time (for tests and scripts).
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from citekit.errors import CitekitError, PluginNotFoundError

__all__ = [
    "CHECKS",
    "FORMATS",
    "FORMATTERS",
    "available",
    "load",
    "load_all",
    "register",
    "unregister",
]

FORMATS = "citekit.formats"
FORMATTERS = "citekit.formatters"
CHECKS = "citekit.checks"

_registered: dict[str, dict[str, Any]] = {FORMATS: {}, FORMATTERS: {}, CHECKS: {}}
_loaded: dict[tuple[str, str], Any] = {}


def _entry_points(group: str) -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=group)}


def available(group: str) -> list[str]:
    """The names of the plug-ins in ``group``, installed or registered, sorted."""
    return sorted(set(_entry_points(group)) | set(_registered.get(group, {})))


def load(group: str, name: str) -> Any:
    """The object (usually a class) a plug-in names.

    Raises :class:`~citekit.PluginNotFoundError`, listing those available, for an
    unknown name, and :class:`~citekit.CitekitError` if the plug-in fails to load.
    """
    if name in _registered.get(group, {}):
        return _registered[group][name]
    cached = _loaded.get((group, name))
    if cached is not None:
        return cached
    points = _entry_points(group)
    if name not in points:
        raise PluginNotFoundError(group, name, available(group))
    try:
        obj = points[name].load()
    except Exception as error:  # a broken third-party plug-in
        raise CitekitError(
            f"{group} plug-in {name!r} ({points[name].value}) failed to load: {error}"
        ) from error
    _loaded[(group, name)] = obj
    return obj


def load_all(group: str) -> dict[str, Any]:
    """Every plug-in of ``group``, installed or registered, loaded, by name (sorted).

    The installed entry points are read once (not once per name, as a
    :func:`load` of each would), which matters for groups with many plug-ins
    such as the rules of ``citekit.checks``.
    """
    points = _entry_points(group)
    registered = _registered.get(group, {})
    found: dict[str, Any] = {}
    for name in sorted(set(points) | set(registered)):
        if name in registered:
            found[name] = registered[name]
            continue
        cached = _loaded.get((group, name))
        if cached is None:
            try:
                cached = points[name].load()
            except Exception as error:  # a broken third-party plug-in
                raise CitekitError(
                    f"{group} plug-in {name!r} ({points[name].value}) failed to load: {error}"
                ) from error
            _loaded[(group, name)] = cached
        found[name] = cached
    return found


def register(group: str, name: str, obj: Any) -> None:
    """Register a plug-in at run time; it takes precedence over an installed one."""
    _registered.setdefault(group, {})[name] = obj


def unregister(group: str, name: str) -> None:
    """Remove a plug-in registered with :func:`register`."""
    _registered.get(group, {}).pop(name, None)
