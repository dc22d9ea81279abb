"""A rendering session's citation-level state, and reading citeproc-py's cites.

One session is one citeproc-py ``CitationStylesBibliography``: its
:class:`Session` (positions so far, the registry's disambiguation) lives on
it. The helpers read what a cite object carries (locator, note, explicit
position); :class:`CiteItem` is the cite citekit's engine builds.
"""

from __future__ import annotations

from typing import Any

from citeproc.source import Citation as SourceCitation
from citeproc.source import CitationItem

from citekit.csl.elements.state import CiteState, mark_probe
from citekit.csl.positions import FIRST, IBID, IBID_WITH_LOCATOR, SUBSEQUENT, PositionTracker

__all__ = [
    "CiteItem",
    "Session",
    "as_text",
    "explicit_position",
    "locator_of",
    "note_of",
    "probe",
    "session",
]

_SESSION_ATTRIBUTE = "_citekit_session"


class Session:
    """Per-session (per CitationStylesBibliography) citation-level state."""

    def __init__(self) -> None:
        self.positions: PositionTracker | None = None
        self.disambiguation_key: tuple[str, ...] | None = None
        self.states: dict[str, CiteState] = {}
        self.suffixed: list[Any] = []


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
        """The cite's reference (citeproc-py's ``Reference``)."""
        reference = dict.get(self, _REFERENCE_KEY)
        if reference is None:
            reference = CitationItem.reference.fget(self)
            dict.__setitem__(self, _REFERENCE_KEY, reference)
        return reference


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
