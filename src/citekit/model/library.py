"""The Library: an ordered, editable collection of works and excerpts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any, Literal

import attrs

from citekit.model.excerpts import Excerpt
from citekit.model.work import Work

__all__ = ["Library", "Problem"]


@attrs.frozen(kw_only=True)
class Problem:
    """Something wrong met while reading or writing: where, and what.

    ``str(problem)`` reads like a compiler message:
    ``refs.bib:14:3: entry 'x': field 'year': expected a number, got 'MCMXLIV'``.
    """

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None
    field: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        context = ""
        if self.key is not None:
            context += f"entry {self.key!r}: "
        if self.field is not None:
            context += f"field {self.field!r}: "
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{context}{self.message}"


class Library(MutableMapping[str, Work]):
    """Works by citation key, in file order, with excerpts and reading problems.

    ``library[key]`` gets a work, ``library[key] = work`` adds or replaces one
    (the key must match ``work.key``), ``del library[key]`` removes one.
    Iteration is in insertion (file) order. ``problems`` lists what went wrong
    while reading; ``duplicates`` keeps the works whose keys were already
    taken, so that writing the library back loses none of them.
    """

    def __init__(
        self,
        works: Iterable[Work] = (),
        *,
        excerpts: Iterable[Excerpt] = (),
        problems: Iterable[Problem] = (),
        path: str | None = None,
    ) -> None:
        self._works: dict[str, Work] = {}
        self.excerpts: dict[str, Excerpt] = {}
        """Excerpts by id, in file order."""
        self.problems: list[Problem] = list(problems)
        """Problems met while reading (errors and warnings)."""
        self.duplicates: list[Work] = []
        """Works whose key was already taken when they were read, in file order."""
        self.path = path
        """The file the library was read from, if any."""
        self.origin: Any = None
        """What the reader kept of the source to write it back losslessly (format-specific)."""
        for work in works:
            self.add(work)
        for excerpt in excerpts:
            self.add_excerpt(excerpt)

    # -- mapping protocol -----------------------------------------------------

    def __getitem__(self, key: str) -> Work:
        try:
            return self._works[key]
        except KeyError:
            from citekit.errors import UnknownKeyError

            raise UnknownKeyError(key, self.suggest(key)) from None

    def __setitem__(self, key: str, work: Work) -> None:
        if not isinstance(work, Work):
            raise TypeError(f"a Library holds Works, got {type(work).__name__}")
        if work.key != key:
            raise ValueError(f"key {key!r} does not match the work's key {work.key!r}")
        self._works[key] = work

    def __delitem__(self, key: str) -> None:
        self[key]  # raises UnknownKeyError with a suggestion
        del self._works[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._works)

    def __len__(self) -> int:
        return len(self._works)

    def __contains__(self, key: object) -> bool:
        return key in self._works

    def __repr__(self) -> str:
        where = f" from {self.path!r}" if self.path else ""
        return (
            f"<Library{where}: {len(self._works)} works, {len(self.excerpts)} excerpts,"
            f" {len(self.problems)} problems>"
        )

    # -- editing --------------------------------------------------------------

    def add(self, work: Work) -> None:
        """Add a work; raises :class:`~citekit.DuplicateKeyError` if its key is taken."""
        if work.key in self._works:
            from citekit.errors import DuplicateKeyError

            raise DuplicateKeyError(work.key)
        self[work.key] = work

    def replace(self, work: Work) -> Work:
        """Replace the work with the same key; returns the old one."""
        old = self[work.key]
        self[work.key] = work
        return old

    def remove(self, key: str) -> Work:
        """Remove and return the work with ``key``."""
        work = self[key]
        del self._works[key]
        return work

    def works(self) -> list[Work]:
        """The works, in order."""
        return list(self._works.values())

    def add_excerpt(self, excerpt: Excerpt) -> None:
        """Add an excerpt; raises :class:`~citekit.DuplicateKeyError` if its id is taken."""
        if excerpt.id in self.excerpts:
            from citekit.errors import DuplicateKeyError

            raise DuplicateKeyError(excerpt.id)
        self.excerpts[excerpt.id] = excerpt

    # -- reading problems -----------------------------------------------------

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity "error"."""
        return [p for p in self.problems if p.severity == "error"]

    def suggest(self, key: str) -> str | None:
        """The closest existing key to a mistyped one, if one is close enough."""
        import difflib

        matches = difflib.get_close_matches(key, list(self._works), n=1, cutoff=0.75)
        return matches[0] if matches else None
