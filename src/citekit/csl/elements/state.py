"""The state of the cite being rendered, as every element class reads it.

Citation-level processing (:mod:`citekit.csl.elements.citations`) decides,
for each cite, a :class:`CiteState` (position, disambiguation, year suffix,
...) and attaches it to the cite while it renders; the element classes of
names, dates and text read it with :func:`cite_state`. This module imports
none of them, so they do not import one another for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from citekit.csl import passes
from citekit.csl.positions import FIRST

__all__ = [
    "RENDERING_KEY",
    "STATE_KEY",
    "CiteState",
    "Rendering",
    "YearMarks",
    "attach_state",
    "cite_state",
    "disambiguate_test",
    "disambiguate_tests",
    "forget_substituted",
    "is_probe",
    "mark_probe",
    "marked_label",
    "omitted_element",
    "restore_state",
    "substituted",
    "substitution",
    "year_mark",
]

_STATE_KEY = "citekit-cite-state"
STATE_KEY = _STATE_KEY
"""The key a cite's attached :class:`CiteState` is kept under (see :func:`attach_state`)."""


class CiteState:
    """What citation-level processing decided for the cite being rendered.

    Attached to the cite (a citeproc-py ``CitationItem``) while it renders;
    read it with :func:`cite_state`.
    """

    def __init__(
        self,
        *,
        position: int = FIRST,
        near_note: bool = False,
        in_bibliography: bool = False,
        disambiguate: int = 0,
        names_min: int | None = None,
        givennames: dict[tuple[str, int], int] | None = None,
        year_suffix: str | None = None,
        year_suffix_after_year: bool = False,
        capitalize_first_term: bool = False,
        substitute_names: tuple[Any, str] | None = None,
        mark_years: bool = False,
        omitted: Any = None,
        first_reference_note_number: str | None = None,
        name_lists: list[tuple[tuple[str, ...], str]] | None = None,
    ) -> None:
        self.position = position
        """FIRST, SUBSEQUENT, IBID or IBID_WITH_LOCATOR."""
        self.near_note = near_note
        """Whether the item was cited at most ``near-note-distance`` notes ago."""
        self.in_bibliography = in_bibliography
        """True when the bibliography is rendering (no position test is true there)."""
        self.disambiguate = disambiguate
        """How many ``disambiguate="true"`` tests hold for this cite (0: none).

        As citeproc-js: while the cite renders, the first that many tests
        it evaluates hold and the later ones do not, so a style's extra
        details are added one condition at a time (see
        :func:`disambiguate_test`). True counts as 1.
        """
        self.names_min = names_min
        """At least this many names per names variable (``disambiguate-add-names``)."""
        self.givennames = dict(givennames or {})
        """(variable, name index) -> given-name level (``disambiguate-add-givenname``)."""
        self.year_suffix = year_suffix
        """The item's year suffix ("a", "b", ...), if it has one."""
        self.year_suffix_after_year = year_suffix_after_year
        """Whether the suffix goes after the first year a ``cs:date`` renders.

        True when the style renders no ``year-suffix`` variable itself (CSL
        1.0.2, ``disambiguate-add-year-suffix``); the layout places it.
        """
        self.capitalize_first_term = capitalize_first_term
        """Whether a term rendered first in the cite gets a capital (note styles)."""
        self.substitute_names = substitute_names
        """(a ``cs:names`` element, text): the bibliography's subsequent-author-substitute.

        The element renders as that text while the entry renders.
        """
        self.mark_years = mark_years
        """Whether each year a ``cs:date`` renders gets the year-suffix mark (see
        :class:`YearMarks`)."""
        self.name_lists = name_lists
        """While a list: each name list a ``cs:name`` renders is added to it.

        Each as (the names shown, each as rendered; the whole list as
        rendered, "and" and et-al included): the bibliography's
        subsequent-author-substitute compares the names shown.
        """
        self.omitted = omitted
        """An element left out of this rendering (the ``cs:names`` of a suppressed author).

        It is skipped where children render, and the groups that hold it are
        judged as if it were not there
        (:func:`citekit.csl.elements.calls_variable`); the style's tree is
        not touched.
        """
        self.first_reference_note_number = first_reference_note_number
        """The note of the cite's first citation of the item, which the
        ``first-reference-note-number`` variable renders (None: none yet).

        Not written into the item's reference: the cite's reference shows
        it (:class:`citekit.csl.cite.session.CiteItem`).
        """

    def givenname_level(self, variable: str, index: int) -> int:
        """The given-name level for name ``index`` of ``variable``: 0 (style), 1, or 2."""
        return self.givennames.get((variable, index), 0)

    def to_json(self) -> dict[str, Any] | None:
        """The state as JSON-ready data, or None when it holds something else.

        A state of disambiguation (what :meth:`from_json` reads back) holds
        only numbers, text, flags and the given-name levels; a state during
        a rendering may hold style elements, which are not data.
        """
        out: dict[str, Any] = {}
        for name, value in vars(self).items():
            if name == "first_reference_note_number" and value is None:
                continue  # (a cite's, never disambiguation's: data stays as it was)
            if name == "givennames":
                out[name] = sorted([key[0], key[1], level] for key, level in value.items())
            elif value is None or isinstance(value, bool | int | str):
                out[name] = value
            else:
                return None
        return out

    @classmethod
    def from_json(cls, data: Any) -> CiteState:
        """A state from :meth:`to_json`'s data.

        :raises ValueError: for data that is not such a state.
        """
        state = cls()
        if not isinstance(data, dict):
            raise ValueError("a cite state is a JSON object")
        for name, value in data.items():
            if name not in vars(state):
                raise ValueError(f"unknown cite state attribute {name!r}")
            if name == "givennames":
                try:
                    value = {(str(v), int(i)): int(level) for v, i, level in value}
                except (TypeError, ValueError):
                    raise ValueError(
                        "givennames: expected [variable, index, level] lists"
                    ) from None
            elif value is not None and not isinstance(value, bool | int | str):
                raise ValueError(f"{name}: expected a number, text or flag")
            setattr(state, name, value)
        return state

    def copy(self, **changes: Any) -> CiteState:
        """A copy with some attributes changed."""
        state = CiteState()
        state.__dict__.update(self.__dict__)
        state.givennames = dict(self.givennames)
        for name, value in changes.items():
            setattr(state, name, value)
        return state


_PROBE_KEY = "citekit-probe"


def mark_probe(item: Any) -> None:
    """Mark the cite ``item`` as rendered only to be compared with others (disambiguation)."""
    dict.__setitem__(item, _PROBE_KEY, True)


def is_probe(item: Any) -> bool:
    """Whether the cite ``item`` is rendered only to be compared (see :func:`mark_probe`).

    Such a rendering leaves out the ``accessed`` date, as citeproc-js's does
    ("just looking"): works told apart only by when they were read are still
    ambiguous.
    """
    return isinstance(item, dict) and bool(dict.get(item, _PROBE_KEY, False))


def omitted_element(item: Any) -> Any:
    """The element the cite ``item`` renders without (``CiteState.omitted``), or None."""
    state = cite_state(item)
    return state.omitted if state is not None else None


def cite_state(item: Any) -> CiteState | None:
    """The :class:`CiteState` of the cite being rendered, or None outside citekit's layouts."""
    try:
        state = dict.get(item, _STATE_KEY)
    except TypeError:
        return None
    return state if isinstance(state, CiteState) else None


def attach_state(item: Any, state: CiteState | None) -> Any:
    """Attach ``state`` to the cite ``item`` (None: detach); the state it had before.

    A rendering with the state begins: no ``disambiguate`` test has been
    evaluated yet (:func:`disambiguate_tests`).
    """
    previous = dict.get(item, _STATE_KEY)
    dict.pop(item, RENDERING_KEY, None)
    if state is None:
        dict.pop(item, _STATE_KEY, None)
    else:
        dict.__setitem__(item, _STATE_KEY, state)
    return previous


def restore_state(item: Any, previous: Any) -> None:
    """Give the cite ``item`` back the state :func:`attach_state` returned.

    The rendering is over: what its substitutes recorded goes with it (its
    ``disambiguate`` tests are kept for :func:`disambiguate_tests`).
    """
    forget_substituted(item)
    if previous is None:
        dict.pop(item, _STATE_KEY, None)
    else:
        dict.__setitem__(item, _STATE_KEY, previous)


RENDERING_KEY = "citekit-rendering"
"""The key of a cite's :class:`Rendering` record, what its current rendering found out."""


class Rendering:
    """What the cite's current rendering found out as it went.

    What its ``cs:substitute`` elements did: ``variables``, those they
    rendered, by element tag (CSL 1.0.2 "Substitute": suppressed in the rest
    of the output; None for none yet), and ``depth``, how many are
    rendering now (nested); and its ``disambiguate`` tests (``held``,
    ``evaluated``: see :func:`disambiguate_tests`). Kept on the cite being
    rendered, not on the style (see :func:`substitution`).
    """

    __slots__ = ("depth", "evaluated", "held", "variables")

    def __init__(self) -> None:
        self.depth = 0
        self.variables: dict[str, list[str]] | None = None
        self.held = 0
        self.evaluated = 0

    def marked(self, tag: str) -> list[str]:
        """The list of variables of ``tag`` elements a substitute rendered, to add to."""
        if self.variables is None:
            self.variables = {}
        return self.variables.setdefault(tag, [])

    def of(self, tag: str) -> Sequence[str]:
        """The variables of ``tag`` elements a substitute rendered."""
        return self.variables.get(tag, ()) if self.variables else ()


def substituted(item: Any) -> Rendering | None:
    """The cite's :class:`Rendering` record of this rendering, None if nothing made one."""
    try:
        found = dict.get(item, RENDERING_KEY)
    except TypeError:  # (not a cite)
        return None
    return found if isinstance(found, Rendering) else None


def substitution(item: Any) -> Rendering:
    """The cite's :class:`Rendering` record of this rendering, made if there is none.

    A rendering begins without one (:func:`attach_state`; and with nothing
    substituted after :func:`forget_substituted`, where a cite's elements
    render on their own, as a sort key). A value that is not a cite gets a
    record of its own that nothing keeps.
    """
    found = substituted(item)
    if found is None:
        found = Rendering()
        if isinstance(item, dict):
            dict.__setitem__(item, RENDERING_KEY, found)
    return found


def forget_substituted(item: Any) -> None:
    """Let the cite's next rendering begin with nothing substituted (its tests are kept)."""
    found = substituted(item)
    if found is not None:
        found.depth = 0
        found.variables = None


def disambiguate_test(item: Any) -> bool:
    """One ``disambiguate="true"`` test, evaluated while the cite ``item`` renders.

    True for the first :attr:`CiteState.disambiguate` tests of the
    rendering, false for the later ones (citeproc-js's counting).
    """
    state = cite_state(item)
    level = int(state.disambiguate) if state is not None else 0
    counts = substitution(item)
    counts.evaluated += 1
    if counts.held < level:
        counts.held += 1
        return True
    return False


def disambiguate_tests(item: Any) -> tuple[int, int]:
    """(held, evaluated): the ``disambiguate="true"`` tests of the cite's last rendering."""
    counts = substituted(item)
    return (counts.held, counts.evaluated) if counts is not None else (0, 0)


_YEAR_MARK = "\ue012"


def year_mark() -> str:
    """The private-use character rendered before a year's suffix while one is placed."""
    return _YEAR_MARK


def marked_label(item: Any, label: Any) -> Any:
    """The ``citation-label`` of the cite ``item``, with the year mark when its state asks for it.

    The place that renders the label calls this (see :class:`YearMarks`).
    """
    state = cite_state(item)
    if label and state is not None and state.mark_years:
        return str(label) + _YEAR_MARK
    return label


class YearMarks:
    """Mark where each ``cs:date`` year renders, to put an implicit year suffix after the first.

    CSL 1.0.2: when a style does not render the ``year-suffix`` variable
    itself, the suffix follows the first year a ``cs:date`` renders in the
    cite (in citations and in the bibliography); citeproc-js also puts it
    after a ``citation-label``. While a cite renders with such a suffix, its
    state's ``mark_years`` is true: every year a ``cs:date`` renders then
    gets a private-use mark (:func:`year_mark`) in front of its suffix, and
    so does the item's ``citation-label`` (:func:`marked_label`); :meth:`place`
    then puts the year suffix at the first mark and drops the others.
    Neither the style nor the item's reference is touched: the marks are
    asked for by the cite's state alone.
    """

    def __init__(self, layout: Any, item: Any, state: CiteState | None) -> None:
        self.suffix = (
            state.year_suffix
            if state is not None and state.year_suffix and state.year_suffix_after_year
            else None
        )
        self.state = state
        self.marking: bool | None = None

    @property
    def active(self) -> bool:
        """Whether a suffix is being placed."""
        return self.suffix is not None

    def __enter__(self) -> YearMarks:
        if self.suffix is not None and self.state is not None:  # (the suffix is the state's)
            self.marking = self.state.mark_years
            self.state.mark_years = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.marking is not None and self.state is not None:
            self.state.mark_years = self.marking
            self.marking = None

    def place(self, texts: list[str]) -> list[str]:
        """``texts`` (the parts of one cite, in order) with the suffix at the first mark."""
        placed = False
        out = []
        for text in texts:
            if not placed and _YEAR_MARK in text:
                text = text.replace(_YEAR_MARK, passes.escape(self.suffix or ""), 1)
                placed = True
            out.append(text.replace(_YEAR_MARK, ""))
        return out
