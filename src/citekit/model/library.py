"""The Library: an ordered, editable collection of works and excerpts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar, overload

from citekit.model.excerpts import Excerpt, Excerpts, name_matcher, tag_key
from citekit.model.problem import Problem
from citekit.model.work import Work

__all__ = ["Library", "Problem"]

_MISSING: Any = object()
_T = TypeVar("_T")


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
        self._excerpts = Excerpts()
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

    @property
    def excerpts(self) -> Excerpts:
        """Excerpts by id, in file order (a mapping like a dict; see :class:`Excerpts`).

        Assigning a mapping or an iterable of excerpts replaces them all.
        """
        return self._excerpts

    @excerpts.setter
    def excerpts(self, value: Mapping[str, Excerpt] | Iterable[Excerpt]) -> None:
        if isinstance(value, Mapping):
            for excerpt_id, excerpt in value.items():
                if not isinstance(excerpt, Excerpt) or excerpt.id != excerpt_id:
                    raise ValueError(f"excerpts[{excerpt_id!r}] is not the excerpt with that id")
        self._excerpts = Excerpts(value)

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

    @overload
    def get(self, key: str, /) -> Work | None: ...
    @overload
    def get(self, key: str, /, default: Work | _T) -> Work | _T: ...
    def get(self, key: str, /, default: Any = None) -> Any:
        """The work with ``key``, or ``default`` (no suggestion is computed)."""
        return self._works.get(key, default)

    @overload
    def pop(self, key: str, /) -> Work: ...
    @overload
    def pop(self, key: str, /, default: Work | _T) -> Work | _T: ...
    def pop(self, key: str, /, default: Any = _MISSING) -> Any:
        """Remove and return the work with ``key``; ``default`` (if given) when absent."""
        if key in self._works:
            return self._works.pop(key)
        if default is _MISSING:
            self[key]  # raises UnknownKeyError with a suggestion
        return default

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
        """Add an excerpt; raises :class:`~citekit.DuplicateKeyError` if its id is taken.

        The work it quotes need not be in the library (yet): see
        :meth:`dangling_excerpts`.
        """
        if not isinstance(excerpt, Excerpt):
            raise TypeError(f"expected an Excerpt, got {type(excerpt).__name__}")
        if excerpt.id in self.excerpts:
            from citekit.errors import DuplicateKeyError

            raise DuplicateKeyError(excerpt.id, kind="excerpt")
        self.excerpts[excerpt.id] = excerpt

    def excerpts_of(self, key: str) -> list[Excerpt]:
        """The excerpts quoted from the work with ``key``, in order."""
        return [e for e in self.excerpts.values() if e.work_key == key]

    def find_excerpts(
        self,
        text: str | None = None,
        *,
        work: str | None = None,
        author: str | None = None,
        tag: str | Iterable[str] | None = None,
        quoted_in: str | None = None,
    ) -> list[Excerpt]:
        """The excerpts matching every criterion given, in library order.

        - ``text``: full-text search of the excerpt's text and original text,
          case- and accent-insensitive; every word must occur, ``word*``
          matches words it begins, and "quoted words" must form a phrase
          (see :meth:`Excerpts.search`). It uses an index built on the first
          search and kept up to date as excerpts change.
        - ``work``: the key of the work quoted;
        - ``quoted_in``: the key of the work the passage was read in;
        - ``author``: a name ("Serge", "Victor Serge", "Serge, Victor") matched,
          ignoring case and accents, against the authors of the work quoted
          (its editors when it has no author) and against the speaker (see
          :func:`~citekit.model.excerpts.name_matcher`);
        - ``tag``: a tag, or several that must all be present, ignoring case
          and accents.

        Without any criterion, every excerpt comes back.
        """
        ids = None if text is None else self._excerpts._text_ids(text)
        tags: list[str] = []
        if tag is not None:
            for one in [tag] if isinstance(tag, str) else tag:
                if not isinstance(one, str):
                    raise TypeError(f"a tag is a string, got {type(one).__name__}")
                tags.append(tag_key(one))
        matches = None if author is None else name_matcher(author)
        by_work: dict[str, bool] = {}
        found: list[Excerpt] = []
        for excerpt_id, excerpt in self._excerpts.items():
            if ids is not None and excerpt_id not in ids:
                continue
            if work is not None and excerpt.work_key != work:
                continue
            if quoted_in is not None and (
                excerpt.quoted_in is None or excerpt.quoted_in.work_key != quoted_in
            ):
                continue
            if tags:
                own = {tag_key(t) for t in excerpt.tags}
                if not all(t in own for t in tags):
                    continue
            if matches is not None:
                speaker = excerpt.speaker is not None and matches(excerpt.speaker)
                if not speaker:
                    key = excerpt.work_key
                    if key not in by_work:
                        quoted = self._works.get(key)
                        by_work[key] = quoted is not None and any(
                            matches(p) for p in quoted.authors or quoted.editors
                        )
                    if not by_work[key]:
                        continue
            found.append(excerpt)
        return found

    def dangling_excerpts(self) -> list[Excerpt]:
        """Excerpts whose work (or second-hand source) is not in the library."""
        return [
            e
            for e in self.excerpts.values()
            if e.work_key not in self._works
            or (e.quoted_in is not None and e.quoted_in.work_key not in self._works)
        ]

    # -- reading problems -----------------------------------------------------

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity "error"."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity "warning"."""
        return [p for p in self.problems if p.severity == "warning"]

    def suggest(self, key: str) -> str | None:
        """The closest existing key to a mistyped one, if one is close enough.

        A key differing only in case wins; otherwise the most similar key
        (difflib ratio at least 0.75).
        """
        if not isinstance(key, str):
            return None
        folded = key.casefold()
        for existing in self._works:
            if existing.casefold() == folded:
                return existing
        import difflib

        matches = difflib.get_close_matches(key, list(self._works), n=1, cutoff=0.75)
        return matches[0] if matches else None
