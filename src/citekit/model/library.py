"""The Library: an ordered, editable collection of works and excerpts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs

from citekit.model.aliases import ALIASES_FIELD, REFERENCE_FIELDS, with_aliases, work_aliases
from citekit.model.excerpts import Excerpt, Excerpts, name_matcher, tag_key
from citekit.model.problem import Problem
from citekit.model.work import Work, WorkType

if TYPE_CHECKING:
    from citekit.model.merging import MergeResult

__all__ = [
    "ALIASES_FIELD",
    "REFERENCE_FIELDS",
    "Library",
    "Problem",
    "with_aliases",
    "work_aliases",
]

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
        self._aliases: dict[str, str] | None = None
        self._renamed: dict[str, str] = {}
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
            target = self.resolve(key) if isinstance(key, str) else None
            if target is not None:
                return self._works[target]
            from citekit.errors import UnknownKeyError

            raise UnknownKeyError(key, self.suggest(key)) from None

    def __setitem__(self, key: str, work: Work) -> None:
        if not isinstance(work, Work):
            raise TypeError(f"a Library holds Works, got {type(work).__name__}")
        if work.key != key:
            raise ValueError(f"key {key!r} does not match the work's key {work.key!r}")
        self._works[key] = work
        self._aliases = None

    def __delitem__(self, key: str) -> None:
        if key not in self._works:
            raise self._unknown(key)
        del self._works[key]
        self._aliases = None

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
        """The work with ``key`` (or the alias ``key``), or ``default`` (no
        suggestion is computed)."""
        work = self._works.get(key)
        if work is None and isinstance(key, str):
            target = self.resolve(key)
            work = self._works[target] if target is not None else None
        return default if work is None else work

    @overload
    def pop(self, key: str, /) -> Work: ...
    @overload
    def pop(self, key: str, /, default: Work | _T) -> Work | _T: ...
    def pop(self, key: str, /, default: Any = _MISSING) -> Any:
        """Remove and return the work with ``key``; ``default`` (if given) when absent."""
        if key in self._works:
            self._aliases = None
            return self._works.pop(key)
        if default is _MISSING:
            raise self._unknown(key)
        return default

    def _repr_html_(self) -> str:
        """A table of the works, as HTML (shown by Jupyter)."""
        from citekit.model.display import library_html

        return library_html(self)

    def _repr_markdown_(self) -> str:
        """A table of the works, as Markdown."""
        from citekit.model.display import library_markdown

        return library_markdown(self)

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
        if work.key not in self._works:
            raise self._unknown(work.key)
        old = self._works[work.key]
        self[work.key] = work
        return old

    def remove(self, key: str) -> Work:
        """Remove and return the work with ``key``."""
        if key not in self._works:
            raise self._unknown(key)
        self._aliases = None
        return self._works.pop(key)

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

    def find(
        self,
        *,
        author: str | None = None,
        year: int | str | None = None,
        title: str | None = None,
        type: WorkType | str | Iterable[WorkType | str] | None = None,
        text: str | None = None,
    ) -> list[Work]:
        """The works matching every criterion given, in library order.

        - ``author``: a name ("Serge", "Victor Serge", "Serge, Victor"),
          ignoring case and accents, matched against the authors and editors
          (see :func:`~citekit.model.excerpts.name_matcher`);
        - ``year``: a year (``1945``, ``"1945"``) or a range (``"1940-1949"``);
        - ``title``: words that must all occur in the title, ignoring case and
          accents (``"heir*"`` matches words it begins, "quoted words" a phrase);
        - ``type``: a CSL type (``"book"``, ``WorkType.BOOK``) or several;
        - ``text``: words that must all occur in the key, titles, names,
          publisher, note, abstract, keywords, DOI, ISBN or URL.

        Without any criterion, every work comes back. A bad criterion raises
        :class:`ValueError` (an unknown type names the closest one).
        """
        from citekit.model.finding import work_matcher

        matches = work_matcher(author=author, year=year, title=title, type=type, text=text)
        return [work for work in self._works.values() if matches(work)]

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

    # -- aliases, renaming and merging ---------------------------------------

    def _unknown(self, key: str) -> Exception:
        from citekit.errors import UnknownKeyError

        return UnknownKeyError(key, self.suggest(key))

    def _alias_index(self) -> dict[str, str]:
        if self._aliases is None:
            index: dict[str, str] = {}
            for key, work in self._works.items():
                for alias in work_aliases(work):
                    if alias not in self._works:
                        index.setdefault(alias, key)
            self._aliases = index
        return self._aliases

    def resolve(self, key: str) -> str | None:
        """The key of the work known as ``key``: itself, or the work that has
        ``key`` among its aliases (see :meth:`aliases_of`); None if neither."""
        if key in self._works:
            return key
        return self._alias_index().get(key)

    def aliases_of(self, key: str) -> tuple[str, ...]:
        """The other keys the work with ``key`` answers to, in order.

        A merge keeps the keys of the works it absorbed as aliases, so that
        manuscripts citing them still find the work. They live in the work's
        data, as ``work.extra["ids"]`` (comma-separated, as in biblatex's
        ``ids`` field): BibTeX files write them as ``ids = {old1, old2}``,
        CSL-JSON and CSL-YAML under ``custom.extra.ids``.
        """
        return work_aliases(self[key])

    def rename(self, old: str, new: str) -> Work:
        """Give the work with key ``old`` the key ``new``, in its place; returns it.

        The library remembers the rename (see :meth:`renamed_from`) so that
        writing it back to its file rewrites the entry in place. ``new`` must
        not be taken by another work; the old key is not kept as an alias
        (add it with :func:`with_aliases` if manuscripts still cite it).
        """
        if old not in self._works:
            raise self._unknown(old)
        if new == old:
            return self._works[old]
        if new in self._works:
            from citekit.errors import DuplicateKeyError

            raise DuplicateKeyError(new)
        work = attrs.evolve(self._works[old], key=new)
        self._works = {
            (new if k == old else k): (work if k == old else w) for k, w in self._works.items()
        }
        self._renamed[new] = self._renamed.pop(old, old)
        self._retarget({old: new})
        return work

    def _retarget(self, keys: Mapping[str, str]) -> None:
        """Point what refers to the keys of ``keys`` at their new keys: the
        ``crossref``, ``xref``, ``xdata`` and ``related`` fields of works, and
        the works excerpts quote."""
        for key, work in list(self._works.items()):
            changed = {}
            for field in REFERENCE_FIELDS:
                value = work.extra.get(field)
                if not value:
                    continue
                parts = [p.strip() for p in value.split(",")]
                if any(p in keys for p in parts):
                    changed[field] = ",".join(keys.get(p, p) for p in parts)
            if changed:
                self._works[key] = attrs.evolve(work, extra={**work.extra, **changed})
        for excerpt_id, excerpt in list(self._excerpts.items()):
            quoted_in = excerpt.quoted_in
            if quoted_in is not None and quoted_in.work_key in keys:
                quoted_in = attrs.evolve(quoted_in, work_key=keys[quoted_in.work_key])
            if excerpt.work_key in keys or quoted_in is not excerpt.quoted_in:
                self._excerpts[excerpt_id] = attrs.evolve(
                    excerpt,
                    work_key=keys.get(excerpt.work_key, excerpt.work_key),
                    quoted_in=quoted_in,
                )
        self._aliases = None

    def renamed_from(self, key: str) -> str | None:
        """The key the work with ``key`` had when the library was read, if
        :meth:`rename` changed it since."""
        return self._renamed.get(key)

    def renames(self) -> dict[str, str]:
        """Every rename since the library was read: old key -> new key."""
        return {old: new for new, old in self._renamed.items() if new in self._works}

    def merge(self, keys: Iterable[str], *, into: str | None = None) -> MergeResult:
        """Merge the works with ``keys`` (two or more) into one.

        The most complete work is the base; the fields it lacks are filled from
        the others; a field whose values differ keeps the base's value and is
        reported in :attr:`MergeResult.conflicts` with every value (nothing is
        silently dropped). The result has the key ``into`` (one of ``keys``;
        by default the base's key) and stands in that work's place; the other
        works are removed and their keys (and aliases) become the result's
        aliases (see :meth:`aliases_of`), so ``library[old_key]`` still finds
        it. Raises :class:`~citekit.UnknownKeyError` for a key not in the
        library, :class:`ValueError` for fewer than two keys or an ``into``
        that is not one of them.
        """
        from citekit.model.merging import merge_works

        wanted = list(dict.fromkeys(keys))
        for key in wanted:
            if key not in self._works:
                raise self._unknown(key)
        if len(wanted) < 2:
            raise ValueError("a merge needs two or more different keys")
        if into is not None and into not in wanted:
            raise ValueError(f"--into {into!r} is not one of the keys merged")
        result = merge_works([self._works[k] for k in wanted], into=into)
        key = result.work.key
        self._works = {
            k: (result.work if k == key else w)
            for k, w in self._works.items()
            if k == key or k not in wanted
        }
        self._retarget({old: key for old in result.absorbed})
        return result

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
