"""A document's citations, updated one citation at a time.

:class:`Document` is the engine's incremental interface, the one citeproc-js
offers as ``processCitationCluster``: insert a citation, change or remove
one, and learn which citations of the document now read differently. A
citation's text depends on the whole document (positions such as *ibid*,
year suffixes and added names, citation numbers), so an edit can change
citations other than the edited one; :class:`Update` lists them all.

Each update renders the document again with one
:class:`~citekit.csl.engine.Processor` (positions, registry and
disambiguation as for the whole document), then compares every citation's
text with the text it had.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from citekit.model._frozen import FrozenMap, deep_freeze

if TYPE_CHECKING:
    from citekit.csl.engine import Processor
    from citekit.csl.styles import Style

__all__ = ["Document", "DocumentCitation", "Update"]


def _plain(value: Any) -> Any:
    """A plain copy of a frozen JSON value (dicts and lists)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _cites(cites: Iterable[Mapping[str, Any]]) -> tuple[FrozenMap[str, Any], ...]:
    frozen = []
    for cite in cites:
        if "id" not in cite:
            raise ValueError(f"a cite needs an 'id': {dict(cite)!r}")
        frozen.append(deep_freeze(dict(cite)))
    return tuple(frozen)


@attrs.frozen
class DocumentCitation:
    """One citation of a :class:`Document`."""

    citation_id: str
    """Its id, unique in the document."""
    cites: tuple[FrozenMap[str, Any], ...] = attrs.field(converter=_cites)
    """Its cite objects, as citeproc-js takes them (``id``, ``locator``, ``label``, ...)."""
    note: int = 0
    """The note it sits in (0: in the text)."""
    unsorted: bool = False
    """Its cites stay in the order given, whatever the style's citation sort."""
    mode: str | None = None
    """``"author-only"``, ``"suppress-author"`` or ``"composite"`` (see
    :meth:`citekit.csl.engine.Processor.citation`), or None."""
    infix: str = ""
    """A composite citation's text between the author and the rest."""

    @property
    def note_index(self) -> int:
        """The note, as :func:`citekit.csl.positions.cite_positions` reads it."""
        return self.note

    @property
    def items(self) -> tuple[FrozenMap[str, Any], ...]:
        """The cite objects, as :func:`citekit.csl.positions.cite_positions` reads them."""
        return self.cites


@attrs.frozen
class Update:
    """What an edit of a :class:`Document` changed."""

    changed: tuple[tuple[str, str], ...]
    """(citation id, text) of each citation that is new or reads differently now,
    in document order."""
    removed: tuple[str, ...] = ()
    """The ids of the citations the edit took out."""


class Document:
    """The citations of one document in one style, kept up to date as they are edited.

    ``items`` are CSL-JSON objects (as :class:`~citekit.csl.engine.Processor`
    takes them); ``registered`` item ids are in the registry (and the
    bibliography) even when no citation cites them, before the cited ones;
    ``sort=False`` keeps the registry in citation order even when the style
    sorts its bibliography. Texts are the engine's HTML.
    """

    def __init__(
        self,
        style: Style,
        items: Iterable[Mapping[str, Any]],
        *,
        registered: Sequence[str] = (),
        sort: bool = True,
    ) -> None:
        self.style = style
        self._items = [dict(item) for item in items]
        known = {str(item.get("id")) for item in self._items}
        self._registered = tuple(str(key) for key in registered)
        unknown = [key for key in self._registered if key not in known]
        if unknown:
            raise KeyError(f"no item with id {unknown[0]!r}")
        self._known = frozenset(known)
        self._sort = sort
        self._citations: list[DocumentCitation] = []
        self._texts: dict[str, str] = {}
        self._processor: Processor | None = None
        self._count = 0

    # -- reading ---------------------------------------------------------------------

    @property
    def citations(self) -> tuple[DocumentCitation, ...]:
        """The document's citations, in order."""
        return tuple(self._citations)

    def texts(self) -> list[tuple[str, str]]:
        """(citation id, text) of every citation, in document order."""
        return [(c.citation_id, self._texts[c.citation_id]) for c in self._citations]

    def text(self, citation_id: str) -> str:
        """One citation's text.

        :raises KeyError: for an id not in the document.
        """
        return self._texts[citation_id]

    def bibliography(self) -> list[tuple[str, str]]:
        """(item id, entry) for the registered items the style prints, in its order."""
        if self._processor is None:
            self._processor = self._render(self._citations)[0]
        return self._processor.bibliography()

    # -- editing ---------------------------------------------------------------------

    def insert(
        self,
        cites: Iterable[Mapping[str, Any]],
        *,
        note: int = 0,
        citation_id: str | None = None,
        before: str | None = None,
        unsorted: bool = False,
        mode: str | None = None,
        infix: str = "",
    ) -> Update:
        """Add a citation, at the end or before the citation ``before``.

        ``unsorted``: its cites stay in the order given (see
        :attr:`DocumentCitation.unsorted`); ``mode`` and ``infix``: see
        :attr:`DocumentCitation.mode`.

        :raises ValueError: for an id already in the document, or a cite without an id.
        :raises KeyError: for ``before`` not in the document, or a cite of an unknown item.
        """
        if citation_id is None:
            self._count += 1
            citation_id = f"citation-{self._count}"
            while citation_id in self._texts:
                self._count += 1
                citation_id = f"citation-{self._count}"
        elif citation_id in self._texts:
            raise ValueError(f"citation {citation_id!r} is already in the document")
        citation = DocumentCitation(citation_id, cites, note, unsorted, mode, infix)
        citations = list(self._citations)
        index = len(citations) if before is None else self._index(before)
        citations.insert(index, citation)
        return self.place(citations)

    def change(
        self,
        citation_id: str,
        cites: Iterable[Mapping[str, Any]] | None = None,
        *,
        note: int | None = None,
    ) -> Update:
        """Give a citation new cites, or move it to another note.

        :raises KeyError: for an id not in the document, or a cite of an unknown item.
        """
        index = self._index(citation_id)
        old = self._citations[index]
        new = DocumentCitation(
            citation_id,
            old.cites if cites is None else cites,
            old.note if note is None else note,
        )
        citations = list(self._citations)
        citations[index] = new
        return self.place(citations)

    def remove(self, citation_id: str) -> Update:
        """Take a citation out.

        :raises KeyError: for an id not in the document.
        """
        index = self._index(citation_id)
        citations = list(self._citations)
        del citations[index]
        return self.place(citations)

    def place(self, citations: Sequence[DocumentCitation]) -> Update:
        """Make the document exactly ``citations``, in that order.

        A citation whose id was in the document and whose cites or note are
        new counts as changed even when its text is the same.

        :raises ValueError: for an id given twice.
        :raises KeyError: for a cite of an unknown item.
        """
        ids = [c.citation_id for c in citations]
        if len(set(ids)) != len(ids):
            repeated = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"citation {repeated!r} is given twice")
        for citation in citations:
            for cite in citation.cites:
                if str(cite["id"]) not in self._known:
                    raise KeyError(f"no item with id {str(cite['id'])!r}")
        processor, texts = self._render(citations)
        before = {c.citation_id: c for c in self._citations}
        changed = tuple(
            (c.citation_id, text)
            for c, text in zip(citations, texts, strict=True)
            if before.get(c.citation_id) != c or self._texts.get(c.citation_id) != text
        )
        removed = tuple(i for i in self._texts if i not in set(ids))
        self._citations = list(citations)
        self._texts = dict(zip(ids, texts, strict=True))
        previous, self._processor = self._processor, processor
        if previous is not None:
            previous.close()  # (freed now, not at the next garbage collection)
        return Update(changed, removed)

    # -- rendering -------------------------------------------------------------------

    def _index(self, citation_id: str) -> int:
        for index, citation in enumerate(self._citations):
            if citation.citation_id == citation_id:
                return index
        raise KeyError(f"no citation {citation_id!r} in the document")

    def _render(self, citations: Sequence[DocumentCitation]) -> tuple[Processor, list[str]]:
        """A processor for the whole document, and each citation's text."""
        from citekit.csl.engine import Processor

        processor = Processor.for_style(self.style, self._items)
        if self._registered:
            processor.register(processor.citation([{"id": key} for key in self._registered]))
        prepared = [
            processor.citation(
                [_plain(cite) for cite in citation.cites],
                citation_id=citation.citation_id,
                note_index=citation.note,
                unsorted=citation.unsorted,
                mode=citation.mode,
                infix=citation.infix,
            )
            for citation in citations
        ]
        for one in prepared:
            processor.register(one)
        if self._sort:
            processor.sort()
        return processor, [processor.cite(one) for one in prepared]
