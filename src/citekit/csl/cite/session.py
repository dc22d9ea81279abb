"""A rendering session's citation-level state, and reading citeproc-py's cites.

One session is one citeproc-py ``CitationStylesBibliography``: its
:class:`Session` (positions so far, the registry's disambiguation, the year
suffixes) lives on it. The helpers read what a cite object carries (locator,
note, explicit position); :class:`CiteItem` is the cite citekit's engine
builds.

The items' references are shared (a formatter's, a document's; several
sessions and threads may render them at once), so nothing a session decides
is written into them: a cite's reference shows the session's year suffix
(``year-suffix``) and the cite's ``first-reference-note-number`` through a
per-session copy (:meth:`Session.reference_view`), made only for the items
that have either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from citeproc.source import Citation as SourceCitation
from citeproc.source import CitationItem

from citekit.csl.elements.state import STATE_KEY, CiteState, mark_probe
from citekit.csl.positions import FIRST, IBID, IBID_WITH_LOCATOR, SUBSEQUENT, PositionTracker

__all__ = [
    "CiteItem",
    "Session",
    "as_text",
    "end_session",
    "explicit_position",
    "locator_of",
    "note_of",
    "probe",
    "release_probes",
    "session",
]

_SESSION_ATTRIBUTE = "_citekit_session"


class Session:
    """Per-session (per CitationStylesBibliography) citation-level state."""

    def __init__(self) -> None:
        self.positions: PositionTracker | None = None
        self.disambiguation_key: tuple[str, ...] | None = None
        self.states: dict[str, CiteState] = {}
        self.year_suffixes: dict[str, str] = {}
        """Item id -> the year suffix disambiguation gave it in this session."""
        self.sort_values: dict[tuple[Any, ...], Any] = {}
        """Citation sort keys' values already rendered, by key element and cite
        (see :func:`citekit.csl.elements.names.cite_token`)."""
        self._views: dict[tuple[str, str | None, str | None], tuple[Any, Any]] = {}
        self.cited: list[Any] | None = None
        """[the session's list of cites so far, how many of them are indexed, their
        keys] (see :func:`citekit.csl.elements.names._is_subsequent`)."""
        self.reads_note: bool | None = None
        """Whether the style reads ``first-reference-note-number`` (None: not yet known)."""

    def reference_view(
        self, key: str, reference: Any, year_suffix: str | None, note: str | None
    ) -> Any:
        """``reference`` as this session shows it: with ``year_suffix`` and ``note``.

        A copy of the reference (its class, its variables) with the
        ``year-suffix`` variable, and the ``first-reference-note-number``
        unless the item has its own; made once per session for each item and
        pair of values, the shared reference left as it is.
        """
        found = self._views.get((key, year_suffix, note))
        if found is not None and found[0] is reference:
            return found[1]
        kind: Any = type(reference)
        view = kind.__new__(kind)
        dict.update(view, reference)
        if year_suffix is not None:
            dict.__setitem__(view, "year_suffix", year_suffix)
        if note is not None and "first_reference_note_number" not in reference:
            dict.__setitem__(view, "first_reference_note_number", note)
        self._views[(key, year_suffix, note)] = (reference, view)
        return view


def session(bibliography: Any) -> Session:
    """The citation-level state of the session ``bibliography`` belongs to (made once)."""
    session = getattr(bibliography, _SESSION_ATTRIBUTE, None)
    if session is None:
        session = Session()
        setattr(bibliography, _SESSION_ATTRIBUTE, session)
    return session


def locator_of(item: Any) -> tuple[str, str] | None:
    """(label, locator) of a cite, None without a locator."""
    locator = dict.get(item, "locator")
    if locator is None:
        return None
    return (str(getattr(locator, "label", "")), str(getattr(locator, "identifier", "")))


def note_of(citation: Any) -> int:
    """The note number of a citation (0: in the text)."""
    try:
        return int(dict.get(citation, "note_index") or 0)
    except (TypeError, ValueError):
        return 0


def explicit_position(item: Any) -> int | None:
    """The position a cite was given (citeproc-js's ``position``), None when it has none."""
    value = dict.get(item, "position")
    if value is None:
        return None
    if isinstance(value, str):
        names = {"first": FIRST, "subsequent": SUBSEQUENT, "ibid": IBID}
        return names.get(value.replace("_", "-"), IBID_WITH_LOCATOR)
    try:
        return max(FIRST, min(IBID_WITH_LOCATOR, int(value)))
    except (TypeError, ValueError):
        return None


def as_text(value: Any) -> str:
    """An output as text ("" for None)."""
    return "" if value is None else str(value)


_REFERENCE_KEY = "_citekit_reference"
_NUMBERS_KEY = "_citekit_numbers"


class CiteItem(CitationItem):  # type: ignore[misc]
    """A citeproc-py cite that looks its reference up once, not on every access.

    citeproc-py's ``CitationItem.reference`` goes through the citation, the
    bibliography and its source on every call; rendering one entry asks for
    it hundreds of times.
    """

    @property
    def number(self) -> int:
        """The cite's position in the bibliography's registry, from 1 (citation-number).

        citeproc-py searches the list of keys on every call (quadratic over a
        numbered bibliography); the positions are kept with the bibliography
        until its list of keys is replaced or grows.
        """
        bibliography = self.bibliography
        keys = bibliography.keys
        found = getattr(bibliography, _NUMBERS_KEY, None)
        if found is None or found[0] is not keys or found[1] != len(keys):
            positions: dict[str, int] = {}
            for index, key in enumerate(keys):
                positions.setdefault(key, index)
            found = (keys, len(keys), positions)
            setattr(bibliography, _NUMBERS_KEY, found)
        facts = vars(bibliography)
        if facts.get("_citekit_sorting"):  # (sorting the bibliography: see Processor.sort)
            registration = facts.get("_citekit_registration")
            if registration is not None and self.key in registration:
                return int(registration[self.key]) + 1
        try:
            position = found[2][self.key]
        except KeyError:
            raise ValueError(f"{self.key!r} is not in list") from None
        if facts.get("_citekit_reversed_numbers"):
            return len(keys) - position  # (numbers count down: see Processor.sort)
        return position + 1

    @property
    def reference(self) -> Any:
        """The cite's reference (citeproc-py's ``Reference``) as its session shows it.

        With the year suffix of the item (the cite state's while one is
        attached, else the session's) and the state's
        ``first-reference-note-number``: see :meth:`Session.reference_view`.
        """
        found = dict.get(self, _REFERENCE_KEY) or self._found()
        state = dict.get(self, STATE_KEY)
        if state is None:
            if not found[1].year_suffixes:
                return found[0]
        elif state.year_suffix is None and (
            state.first_reference_note_number is None or not found[3]
        ):  # (a style that never reads the note number needs no copy for it)
            return found[0]
        return self._shown(found, state)

    def _found(self) -> tuple[Any, Session, str, bool]:
        """(the shared reference, the session, the item id, whether the style reads
        the note number), looked up once and kept on the cite."""
        bibliography = self.citation.bibliography
        key: str = dict.__getitem__(self, "key")
        current = session(bibliography)
        if current.reads_note is None:
            current.reads_note = _reads_note(getattr(bibliography, "style", None))
        found = (bibliography.source[key], current, key, current.reads_note)
        dict.__setitem__(self, _REFERENCE_KEY, found)
        return found

    @staticmethod
    def _shown(found: tuple[Any, Session, str, bool], state: CiteState | None) -> Any:
        """The reference as the session shows it to the cite in ``state`` (None: no state)."""
        reference, current, key, reads_note = found
        if state is None:
            suffix, note = current.year_suffixes.get(key), None
            if suffix is None:
                return reference
        else:
            suffix = state.year_suffix
            note = state.first_reference_note_number if reads_note else None
        return current.reference_view(key, reference, suffix, note)


def _reads_note(style: Any) -> bool:
    """Whether an element of ``style`` (citeproc-py's wrapper) reads the note number.

    (Names ``first-reference-note-number``.) Found once per style tree (the tree
    does not change); True when unknown.
    """
    root = getattr(style, "root", None)
    if root is None:
        return True
    try:
        remembered: dict[str, Any] = vars(root)
    except TypeError:
        return True
    found = remembered.get("_citekit_reads_note")
    if found is None:
        found = any(
            "first-reference-note-number" in str(value)
            for element in root.iter()
            if isinstance(element.tag, str)
            for value in element.attrib.values()
        )
        remembered["_citekit_reads_note"] = found
    return bool(found)


def probe(bibliography: Any, key: str) -> Any:
    """A bare cite of ``key`` (no locator, prefix, suffix) in a citation of its own.

    It is rendered only to be compared with other cites, and marked so
    (:func:`citekit.csl.elements.state.mark_probe`).
    """
    cite = CiteItem(key)
    mark_probe(cite)
    citation = SourceCitation([cite])
    citation.bibliography = bibliography
    return cite


def release_probes(probes: Iterable[Any]) -> None:
    """Unlink :func:`probe`'s cites when they are done with (see :func:`end_session`)."""
    for cite in probes:
        citation = dict.pop(cite, "citation", None)
        dict.pop(cite, _REFERENCE_KEY, None)  # (it holds the session)
        if citation is not None:
            citation.pop("bibliography", None)
            citation.pop("cites", None)


def end_session(bibliography: Any, citations: Iterable[Any]) -> None:
    """Unlink a finished session's records, so that dropping them frees them at once.

    citeproc-py's records point at each other (a cite at its citation, a
    citation at its cites and at the registry, the registry at its cites);
    ``citations`` are the session's. Without this, a session's cites,
    states and per-session references wait in memory for Python's cycle
    collector. Nothing renders in the session after it.
    """
    found = getattr(bibliography, _SESSION_ATTRIBUTE, None)
    for citation in citations:
        for cite in citation.cites:
            cite.pop("citation", None)
            cite.pop(_REFERENCE_KEY, None)  # (it holds the session)
        citation.pop("bibliography", None)
    if found is not None:
        delattr(bibliography, _SESSION_ATTRIBUTE)
    bibliography.items = []
    bibliography.keys = []
    # (emptied, not replaced: the style's cs:citation holds this thread's list)
    del bibliography._cites[:]
