"""CSL cite positions: how a cite relates to the cites before it in the document.

CSL 1.0.2's ``position`` condition (``first``, ``subsequent``, ``ibid``,
``ibid-with-locator``, ``near-note``) and ``first-reference-note-number``
are decided from the citations rendered before a cite and their note
numbers. This module is the one place that decides them:

* :class:`PositionTracker` follows a document as its citations are rendered
  in order; citekit's ``cs:citation`` layout
  (:mod:`citekit.csl.elements.citations`) keeps one per rendering session,
  and the manuscript renderer one per document (it hands the positions to
  the engine with each cite, so any citation can be rendered alone).
* :func:`cite_positions` gives every cite of a finished document the
  positions citeproc-js reports when a citation is added to a document (its
  rules for the preceding citation in another note are narrower); the
  conformance harness compares documents with it.

Citations in the text (note 0) and in notes are two sequences, as in
citeproc-js. The numbers below are citeproc-js's (cite objects may give
them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

__all__ = [
    "FIRST",
    "IBID",
    "IBID_WITH_LOCATOR",
    "SUBSEQUENT",
    "CitePosition",
    "DocumentCitation",
    "PositionTracker",
    "Record",
    "cite_positions",
    "position_with_locators",
]

FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR = 0, 1, 2, 3
"""Positions as citeproc-js numbers them (and as cite objects may give them)."""

Locator = tuple[str, str]
"""(label, locator) of a cite; ``None`` for a cite without a locator."""


class Record:
    """One cite already placed in the document."""

    __slots__ = ("citation", "key", "locator", "note")

    def __init__(self, key: str, citation: object, note: int, locator: Locator | None) -> None:
        self.key = key
        """The cited item."""
        self.citation = citation
        """A token of the citation it belongs to (see :meth:`PositionTracker.record`)."""
        self.note = note
        """The note the citation sits in (0: in the text)."""
        self.locator = locator
        """(label, locator), or None."""


def position_with_locators(mine: Locator | None, theirs: Locator | None) -> int:
    """``ibid``, ``ibid-with-locator`` or ``subsequent`` for a cite that repeats the one before.

    ``mine`` is the cite's locator, ``theirs`` the repeated cite's: without a
    locator after one with a locator, the cite is ``subsequent``; with a
    locator that differs (or after one without), ``ibid-with-locator``.
    """
    if mine is None and theirs is None:
        return IBID
    if mine is None:
        return SUBSEQUENT
    if theirs is None or mine != theirs:
        return IBID_WITH_LOCATOR
    return IBID


class PositionTracker:
    """The positions of cites along a document, as its citations are rendered in order.

    For each cite: :meth:`position` (before it is placed), then
    :meth:`record`. "The preceding citation" of a citation's first cite is
    the previous citation when it sits in the same note, else every citation
    of the previous note; a later cite's is the cite before it.
    """

    def __init__(self, near_note_distance: int = 5) -> None:
        self.near_note_distance = near_note_distance
        """CSL's ``near-note-distance`` (default 5)."""
        self._streams: dict[bool, list[Record]] = {True: [], False: []}
        self._last: dict[tuple[bool, str], Record] = {}
        self._first_note: dict[str, int] = {}

    def cited(self, key: str, note: int) -> bool:
        """Whether ``key`` was cited before in the same sequence (text or notes)."""
        return (note > 0, key) in self._last

    def position(
        self, key: str, locator: Locator | None, note: int, previous: Record | None
    ) -> int:
        """The position of a cite of ``key`` in ``note``.

        ``previous`` is the record of the cite before it in its citation
        (None for a citation's first cite).
        """
        if not self.cited(key, note):
            return FIRST
        preceding: list[Record] = []
        if previous is not None:
            preceding = [previous]
        else:
            stream = self._streams[note > 0]
            if stream:
                tail = stream[-1]
                index = len(stream) - 1
                if tail.note == note:  # the same note: the citation just before
                    while index >= 0 and stream[index].citation is tail.citation:
                        preceding.append(stream[index])
                        index -= 1
                else:  # another note: every citation of the last note
                    while index >= 0 and stream[index].note == tail.note:
                        preceding.append(stream[index])
                        index -= 1
                preceding.reverse()
        if not preceding or any(record.key != key for record in preceding):
            return SUBSEQUENT
        return position_with_locators(locator, preceding[-1].locator)

    def near_note(self, key: str, note: int) -> bool:
        """Whether ``key`` was cited at most ``near-note-distance`` notes before ``note``."""
        last = self._last.get((note > 0, key))
        return last is not None and note - last.note <= self.near_note_distance

    def first_note(self, key: str) -> int | None:
        """The note of ``key``'s first cite in a note (``first-reference-note-number``)."""
        return self._first_note.get(key)

    def record(self, key: str, citation: object, note: int, locator: Locator | None) -> Record:
        """Place a cite of ``key``; ``citation`` is one object per rendered citation."""
        record = Record(key, citation, note, locator)
        in_note = note > 0
        self._streams[in_note].append(record)
        self._last[(in_note, key)] = record
        if in_note:
            self._first_note.setdefault(key, note)
        return record


# Positions of a whole document, as citeproc-js reports them ---------------------------


class DocumentCitation(Protocol):
    """A citation of a document for :func:`cite_positions`."""

    @property
    def citation_id(self) -> str:
        """The citation's id."""
        ...

    @property
    def note_index(self) -> int:
        """Its note (0: in the text)."""
        ...

    @property
    def items(self) -> Sequence[Mapping[str, Any]]:
        """Its cite objects (``id``, ``locator``, ``label``, ...)."""
        ...


CitePosition = tuple[str, int, int, bool]
"""(item id, position, first-reference-note-number or 0, near-note) of one cite."""


def cite_positions(
    document: Sequence[DocumentCitation], near_note_distance: int = 5
) -> dict[str, list[CitePosition]]:
    """Each citation's cites with the position variables citeproc-js gives them.

    Citations in the text (note 0) and in notes are two sequences; a note
    number going backwards starts the sequence afresh. A cite is ``first``
    for its item's first cite; ``ibid`` (or ``ibid-with-locator``) right
    after a cite of the same item: the one before it in its citation, the
    last one of the citation before it in the same note, or the only cite of
    the only citation of the previous note (the notes being consecutive);
    else ``subsequent``. ``first-reference-note-number`` is set on later cites
    in another note than the first; ``near-note`` for later cites in notes
    at most ``near_note_distance`` notes after the item's last cite.
    """
    result: dict[str, list[CitePosition]] = {}
    for in_notes in (False, True):
        stream = [c for c in document if (c.note_index > 0) == in_notes]
        first_ref: dict[str, int] = {}
        last_ref: dict[str, int] = {}
        per_note: dict[int, int] = {}
        for j, citation in enumerate(stream):
            note = citation.note_index
            if j > 0 and stream[j - 1].note_index > note:
                first_ref, last_ref, per_note = {}, {}, {}
            per_note[note] = per_note.get(note, 0) + len(citation.items)
            cites: list[CitePosition] = []
            for k, cite in enumerate(citation.items):
                item_id = str(cite.get("id"))
                reference_note = 0
                if item_id not in first_ref:
                    first_ref[item_id] = last_ref[item_id] = note
                    position = FIRST
                else:
                    position, previous = _later_position(stream, j, k, item_id, per_note)
                    if previous is not None:
                        position = position_with_locators(_locator(cite), _locator(previous))
                    if first_ref[item_id] != note:
                        reference_note = first_ref[item_id]
                near = False
                if note:
                    distance = note - last_ref[item_id]
                    near = position != FIRST and distance <= near_note_distance
                    last_ref[item_id] = note
                cites.append((item_id, position, reference_note, near))
            result[citation.citation_id] = cites
    return result


def _locator(cite: Mapping[str, Any]) -> Locator | None:
    value = cite.get("locator")
    if value in (None, ""):
        return None
    return (str(cite.get("label") or ""), str(value))


def _later_position(
    stream: Sequence[DocumentCitation],
    j: int,
    k: int,
    item_id: str,
    per_note: Mapping[int, int],
) -> tuple[int, Any]:
    """(SUBSEQUENT, None), or (IBID, the cite it repeats) for a later cite."""
    citation = stream[j]
    before = stream[j - 1] if j > 0 else None

    def same(cite: Any) -> bool:
        return str(cite.get("id")) == item_id

    if k > 0:
        previous = citation.items[k - 1]
        return (IBID, previous) if same(previous) else (SUBSEQUENT, None)
    if before is None or not before.items:
        return SUBSEQUENT, None
    if before.note_index != citation.note_index:
        alone = len(before.items) == 1 and (
            per_note.get(before.note_index) == 1 or before.note_index == 0
        )
        consecutive = before.note_index >= citation.note_index - 1
        if same(before.items[0]) and consecutive and alone:
            return IBID, before.items[0]
        return SUBSEQUENT, None
    if same(before.items[-1]):
        return IBID, before.items[0]
    return SUBSEQUENT, None
