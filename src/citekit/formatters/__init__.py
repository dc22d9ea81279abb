"""Formatters: plug-ins that render works (and excerpts) as text.

A formatter is a plug-in of the ``citekit.formatters`` entry-point group: a
class whose constructor takes keyword options and whose ``format`` method
renders one object to a string. Get one with :func:`citekit.formatter`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["Formatter"]


@runtime_checkable
class Formatter(Protocol):
    """The interface of a formatter plug-in."""

    name: str

    def format(self, obj: Any) -> str:
        """Render one object (a Work, an Excerpt, ... as the formatter documents)."""
        ...
