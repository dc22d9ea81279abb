"""Citation-level rendering: positions, disambiguation, collapsing, bibliography layout.

citeproc-py renders each cite of a citation on its own and has no notion of
the document around it. citekit's ``cs:citation``, ``cs:bibliography`` and
``cs:layout`` classes keep, per rendering session (one
``CitationStylesBibliography``), what the CSL 1.0.2 specification needs:

* **Positions** (``first``, ``subsequent``, ``ibid``, ``ibid-with-locator``,
  ``near-note``) and ``first-reference-note-number``, from the citations
  rendered so far and their note numbers. Citations in the text (note 0) and
  citations in notes are two separate sequences, as in citeproc-js; for the
  first cite of a citation, "the preceding citation" is the previous citation
  when it sits in the same note, else every citation of the previous note.
* **Disambiguation** over every registered item
  (:mod:`citekit.csl.cite.disambiguate`).
* **Collapsing and cite grouping**: ``citation-number`` ranges, ``year``,
  ``year-suffix`` and ``year-suffix-ranged`` (:mod:`citekit.csl.cite.collapse`);
  sorted cites of one author put together (:mod:`citekit.csl.cite.grouping`).
* **Affixes** of the layout and of each cite, and the delimiters between
  cites (:mod:`citekit.csl.cite.affixes`).
* **Bibliography**: ``subsequent-author-substitute``
  (:mod:`citekit.csl.cite.substitute`) and the ``display`` attribute
  (:mod:`citekit.csl.cite.display`).

``Layout`` renders one item and joins a citation; each concern above is a
module of :mod:`citekit.csl.cite`, given the layout, the session and the
cites' states.

How the other element classes see the state of the cite being rendered
----------------------------------------------------------------------

Per-cite results are a :class:`CiteState` attached to the cite being
rendered. The ``year-suffix`` (the session's, for every item that gets one)
and ``first-reference-note-number`` (the state's) are read like any variable
of the item's reference: the cite's ``reference`` is then a per-session copy
that has them (:class:`citekit.csl.cite.session.CiteItem`); the shared
reference is not written to. ``citation-label`` is generated into the
reference when the item has none. Any element's ``process(item, ...)``
reads the state with :func:`cite_state`. citeproc-py's ``Text`` drops keyword
arguments on the way into a macro, so keyword arguments would not reach a
``cs:names`` inside a macro: the item does.

Hooks other element classes implement (see :class:`CiteState`):

* ``cs:name`` renders at least ``state.names_min`` names (when it is not
  ``None``) before applying et-al, and renders name *i* of a names variable
  with the given-name form ``state.givenname_level(variable, i)`` (0: as the
  style says, 1: with initials, 2: with the full given name).
* ``cs:text term=...`` capitalizes its first letter when
  ``state.capitalize_first_term`` is true and it is the first thing rendered
  in the cite (it then sets the flag to false; any rendered variable also
  does).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar

from citeproc import model
from citeproc.source import VariableError
from citeproc.string import join, normalize_seam

from citekit.csl import numbers, passes
from citekit.csl.cite import affixes, collapse, disambiguate, display, grouping
from citekit.csl.cite import session as sessions
from citekit.csl.cite import substitute as substitute_
from citekit.csl.cite.session import CiteItem
from citekit.csl.elements import children, element, per_thread, unseen_macro
from citekit.csl.elements.state import (
    CiteState,
    YearMarks,
    attach_state,
    cite_state,
    disambiguate_test,
    forget_substituted,
    restore_state,
)
from citekit.csl.elements.text import (
    CHOOSE,
    TEST_ALL,
    TEST_ANY,
    TEST_CALL,
    TEST_HAS,
    TEST_HAS_NOT,
    TEST_NEITHER,
    TEST_NONE,
    TEST_NOT_TYPE,
    TEST_TYPE,
    TEST_TYPE_AND_ALL,
    TEST_TYPE_OR_ANY,
    TestSpec,
    branch_calls,
    render_branch,
    render_choose,
    taken_branch,
    walk,
    walk_plan,
)
from citekit.csl.locale import locale_quotes
from citekit.csl.positions import (
    FIRST,
    IBID,
    IBID_WITH_LOCATOR,
    SUBSEQUENT,
    PositionTracker,
    Record,
)

T = TypeVar("T")

#: What citeproc-js prints for a cite, or a numeric style's bibliography entry,
#: that the style renders as nothing.
NO_PRINTED_FORM = "[CSL STYLE ERROR: reference with no printed form.]"

__all__ = [
    "FIRST",
    "IBID",
    "IBID_WITH_LOCATOR",
    "NO_PRINTED_FORM",
    "SUBSEQUENT",
    "Bibliography",
    "Choose",
    "Citation",
    "CiteItem",
    "CiteState",
    "Else",
    "Else_If",
    "If",
    "Layout",
    "cite_state",
]


# cs:citation, cs:bibliography, cs:layout -------------------------------------------


@element("citation")
class Citation(model.Citation):  # type: ignore[misc]
    """``cs:citation``: rendering that knows the document (positions, disambiguation)."""

    _default_options: ClassVar[dict[str, Any]] = {
        **model.Citation._default_options,
        "disambiguate-add-names": "false",
        "disambiguate-add-givenname": "false",
        "disambiguate-add-year-suffix": "false",
        "cite-group-delimiter": None,
    }

    cites = per_thread("cites", list, "The session's cites rendered so far (citeproc-py's list).")

    def render(self, citation: Any, cites: Any, callback: Any) -> Any:
        """One citation; ``cites`` is citeproc-py's list of cites rendered so far."""
        self.cites = cites
        layout = self.layout
        return layout.render_citation(citation, callback)

    def flag(self, name: str) -> bool:
        """A boolean option of this element."""
        return str(self.get_option(name)).lower() == "true"


@element("bibliography")
class Bibliography(model.Bibliography):  # type: ignore[misc]
    """``cs:bibliography``: entries with subsequent-author-substitute and display."""

    def render(self, citation_items: Any, finish: Callable[[str], Any] | None = None) -> Any:
        """The entries of the registered items, in order (see ``Layout.render_bibliography``)."""
        return self.layout.render_bibliography(citation_items, finish)

    def iter_bibliography(
        self, citation_items: Any, finish: Callable[[str], Any] | None = None
    ) -> Iterator[Any]:
        """The entries one by one, as rendered (see ``Layout.iter_bibliography``)."""
        entries: Iterator[Any] = self.layout.iter_bibliography(citation_items, finish)
        return entries


@element("layout")
class Layout(model.Layout):  # type: ignore[misc]
    """``cs:layout`` of a citation or bibliography: citekit's citation-level processing."""

    repressed = per_thread(
        "repressed",
        dict,
        "citeproc-py's record of what a ``cs:substitute`` rendered, which its own code"
        " resets; citekit keeps its record on the cite being rendered"
        " (:func:`~citekit.csl.elements.state.substitution`).",
    )

    # -- shared -------------------------------------------------------------------

    def citation_element(self) -> Any:
        """The style's ``cs:citation`` element."""
        return self.get_root().citation

    def render_item(self, item: Any, state: CiteState | None) -> Any:
        """Render one item's layout children with ``state`` attached; markup or None."""
        previous = attach_state(item, state)  # (nothing substituted yet)
        try:
            with YearMarks(self, item, state) as marks:
                try:
                    output = self.render_children(item)
                except VariableError:
                    output = None
                if marks.active:
                    output = (
                        marks.place([sessions.as_text(output)])[0] if output is not None else None
                    )
            return output
        finally:
            restore_state(item, previous)

    def first_names(self, item: Any, state: CiteState | None = None) -> tuple[Any, str]:
        """The first ``cs:names`` element that renders for ``item``, and its output.

        ``(None, "")`` when no names element renders anything. A names element
        in a ``cs:choose`` branch counts only when the branch is taken.
        """
        previous = attach_state(item, state)
        try:
            for names in self._taken_names(item):
                forget_substituted(item)
                try:
                    text = sessions.as_text(names.render(item, context=self))
                except VariableError:
                    text = ""
                if text:
                    return names, text
            return None, ""
        finally:
            forget_substituted(item)
            restore_state(item, previous)

    def taken_names(self, item: Any) -> Iterator[Any]:
        """The ``cs:names`` elements the layout reaches for ``item``, in order.

        Macros are followed and only the taken branch of each ``cs:choose``
        is looked into (its conditions read the state attached to ``item``).
        """
        return self._taken_names(item)

    def _taken_names(self, item: Any) -> Iterator[Any]:
        return _taken_names_in(self, self, item, frozenset())

    def render_without_names(self, item: Any, state: CiteState | None) -> Any:
        """Render ``item`` without its first rendered names element (suppress-author).

        The element is the state's ``omitted``: skipped where children
        render, the tree left as it is.
        """
        names, _ = self.first_names(item, state)
        if names is None:
            return self.render_item(item, state)
        return self.render_item(item, (state or CiteState()).copy(omitted=names))

    def render_children(self, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
        """citeproc-py's rendering of the layout's children, without the cite's omitted one."""
        kwargs.setdefault("context", None)  # (None or left out: the same to every child)
        state = cite_state(item)
        omitted = state.omitted if state is not None else None
        output = walk(walk_plan(self), item, kwargs, delimiter, state, omitted, None)
        return join([text for _, text, _ in output], delimiter) if output else None

    # -- disambiguation (citekit.csl.cite.disambiguate) ----------------------------------

    def disambiguation(self, bibliography: Any) -> dict[str, CiteState]:
        """What disambiguation decided for each registered item of a session, by item id."""
        return disambiguate.disambiguation(self, bibliography)

    def adopt_disambiguation(self, bibliography: Any, states: Mapping[str, CiteState]) -> None:
        """Use disambiguation results computed by an earlier session of the same registry.

        ``states`` is what :meth:`disambiguation` gave for the same items in
        the same order; the items' year suffixes are set from it.
        """
        disambiguate.adopt_disambiguation(self, bibliography, states)

    # -- citations ---------------------------------------------------------------------

    def render_citation(self, citation: Any, callback: Any) -> Any:
        """One citation: cites sorted, positions and disambiguation applied, collapsed.

        A citation's ``mode`` (see :meth:`citekit.csl.engine.Processor.citation`)
        is applied to its first cite; a composite citation is its author-only
        form, its ``infix``, a space and its suppress-author form.
        """
        mode = getattr(citation, "mode", None)
        if mode == "composite":
            author = self._render_citation(citation, callback, "author-only")
            rest = self._render_citation(citation, callback, "suppress-author")
            infix = affixes.affix_html(getattr(citation, "infix", "") or "", locale_quotes(self))
            return sessions.as_text(author) + infix + " " + sessions.as_text(rest)
        return self._render_citation(citation, callback, mode)

    def _render_citation(self, citation: Any, callback: Any, mode: str | None) -> Any:
        bibliography = citation.bibliography
        session = sessions.session(bibliography)
        states = disambiguate.states(self, bibliography)
        good = [cite for cite in citation.cites if not cite.is_bad()]
        bad = [cite for cite in citation.cites if cite.is_bad()]
        citation_element = self.getparent()
        # As citeproc-js: a citation with an author-only cite prints that
        # author alone (its names, or what substitutes for them), without the
        # layout's affixes, as a narrative "Smith (2001)" begins. (With no
        # names at all, citeproc-js prints the rest of the cite; citekit
        # prints nothing, which the manuscript renderer relies on: a numeric
        # style's "@key" is its number alone, as in pandoc.)
        narrative = [cite for cite in good if dict.get(cite, "author_only")]
        if mode == "author-only" and good and not narrative:
            narrative = good[:1]
        author_only = bool(narrative)
        # (a note style without CSL-M's cs:intext prints the author of a
        # suppress-author citation all the same, as citeproc-js does)
        note_style = self.get_root().get("class") == "note"
        suppressed = good[0] if mode == "suppress-author" and good and not note_style else None
        if author_only:
            good = narrative[:1]
        if citation_element.sort is not None and not getattr(citation, "unsorted", False):
            good = citation_element.sort.sort(good, self)
            if grouping.groups_cites(citation_element) and len(good) > 2:
                good = grouping.grouped(self, good, states)
        note = sessions.note_of(citation)
        if session.positions is None:
            distance = int(citation_element.get_option("near-note-distance"))
            session.positions = PositionTracker(distance)
        positions = session.positions
        token = object()  # this rendering of the citation, for positions
        rendered: list[tuple[Any, Any, CiteState]] = []
        previous_in_citation: Record | None = None
        for index, cite in enumerate(good):
            base = states.get(cite.key) or CiteState()
            prefix, suffix = dict.get(cite, "prefix") or "", dict.get(cite, "suffix") or ""
            if prefix:
                opens_sentence = affixes.ends_sentence(passes.plain_text(passes.rich_text(prefix)))
            else:
                opens_sentence = index == 0
            locator = sessions.locator_of(cite)
            explicit = sessions.explicit_position(cite)
            if explicit is not None:
                position = explicit
            else:
                position = positions.position(cite.key, locator, note, previous_in_citation)
            near = positions.near_note(cite.key, note)
            if dict.get(cite, "near_note") is not None:
                near = bool(dict.get(cite, "near_note"))
            first_note = dict.get(cite, "first_reference_note_number")
            if first_note is None:
                first_note = positions.first_note(cite.key)
            state = base.copy(
                position=position,
                near_note=near,
                capitalize_first_term=note_style and opens_sentence,
                first_reference_note_number=None if first_note is None else str(first_note),
            )
            if dict.get(cite, "suppress_author") or cite is suppressed:
                output = self.render_without_names(cite, state)
            elif author_only:
                output = self.author_only(cite, state)
            else:
                output = self.render_item(cite, state)
            if mode != "author-only":  # (a narrative stub counts for no position)
                previous_in_citation = positions.record(cite.key, token, note, locator)
            if output is None and not prefix and not suffix and not author_only:
                # As citeproc-js: the citation's first cite printing nothing
                # says so (a later one is left out); a suppressed author's
                # cite is left out.
                if index > 0 or dict.get(cite, "suppress_author") or cite is suppressed:
                    continue
                output = passes.escape(NO_PRINTED_FORM)
            if output is None:
                continue
            if prefix or suffix:
                output = affixes.cite_affixes(self, prefix, output, suffix)
                output = affixes.marked(output, prefix, suffix)
            citation_element.cites.append(cite)
            # (collapsing renders the cite again, without its first-reference-note-number)
            rendered.append((cite, output, state.copy(first_reference_note_number=None)))
        out = collapse.collapse(self, rendered, citation_element)
        for cite in bad:
            value = callback(cite) if callback is not None else None
            out.append((value or f"{cite.key}?", None))
        if author_only:
            return self.format(affixes.join_cites(self, out))
        return self.format(self.wrap(affixes.join_cites(self, out)))

    def wrap(self, string: Any) -> Any:
        """``string`` between the layout's prefix and suffix (escaped)."""
        if string is None:
            return None
        prefix = passes.escape(self.get("prefix", ""))
        suffix = passes.escape(self.get("suffix", ""))
        text = prefix + sessions.as_text(normalize_seam(prefix, string))
        return text + sessions.as_text(normalize_seam(text, suffix))

    def delimiter(self) -> str:
        """The layout's delimiter, escaped."""
        return passes.escape(self.get("delimiter", ""))

    def join(self, strings: Any, default_delimiter: str = "") -> Any:
        """``strings`` joined by the layout's delimiter (escaped)."""
        delimiter = passes.escape(self.get("delimiter", default_delimiter))
        return model.join((s for s in strings if s is not None), delimiter)

    def author_only(self, item: Any, state: CiteState) -> Any:
        """The output of the cite's first names element alone (None without one)."""
        _, text = self.first_names(item, state)
        return text or None

    # -- bibliography ------------------------------------------------------------------

    def render_bibliography(
        self, citation_items: Any, finish: Callable[[str], T] | None = None
    ) -> list[Any]:
        """The entries, with subsequent-author-substitute and display blocks.

        Without ``finish``, one text per item ("" for an item the style
        prints as nothing); with it, ``finish(text)`` for each printed entry
        and None for the others. Large bibliographies are rendered in
        several processes (see :mod:`citekit.csl.parallel`).
        """
        return list(self.iter_bibliography(citation_items, finish))

    def iter_bibliography(
        self, citation_items: Any, finish: Callable[[str], T] | None = None
    ) -> Iterator[Any]:
        """:meth:`render_bibliography`'s results, each as soon as it is rendered.

        The sorting and disambiguation are done first (they need every
        item); then in one process each entry comes as it is rendered, so
        that a caller writing them out holds one at a time.
        """
        from citekit.csl import parallel

        items = list(citation_items)
        if items:
            bibliography = items[0].bibliography
            states = disambiguate.states(self, bibliography)
        else:
            states = {}
        parent = self.getparent()
        substitute = parent.get("subsequent-author-substitute")
        rule = parent.get("subsequent-author-substitute-rule", "complete-all")
        displayed = display.has_display(self)
        aligned = not displayed and parent.get("second-field-align") in ("flush", "margin")
        numbered = cites_by_number(self.get_root())

        def entry(item: Any, previous_names: list[str] | None) -> tuple[str, Any, bool]:
            """(the entry, the names for the next entry, whether the style prints it)."""
            state = (states.get(item.key) or CiteState()).copy(
                in_bibliography=True, capitalize_first_term=True
            )
            names_element, replacement, current_names = None, None, previous_names
            if substitute is not None:
                names_element, replacement, current_names = substitute_.substitution(
                    self, item, state, substitute, rule, previous_names
                )
            if replacement is not None:
                # The substitute takes the place of the names' output while
                # the entry renders, so delimiters and affixes around it stay
                # ("———. Title", not "———" where "E." had absorbed the ".").
                state.substitute_names = (names_element, replacement)
            if displayed or aligned:
                parts = display.display_parts(self, item, state)
            else:
                text = self.render_item(item, state)
                parts = (
                    [(None, sessions.as_text(self.format(self.wrap(text))))]
                    if text is not None
                    else []
                )
            if not parts:
                # The style prints nothing for this item: keep its place (an
                # empty entry) so entries stay paired with their items.
                return "", previous_names, False
            if aligned:
                return display.aligned_entry(self, parts), current_names, True
            if displayed:
                return display.display_entry(self, parts), current_names, True
            return parts[0][1], current_names, True

        def entries(start: int, stop: int) -> Iterator[Any]:
            previous_names: list[str] | None = None
            if substitute is not None:
                # the names of the last entry before this range that prints
                for index in range(start - 1, -1, -1):
                    _, names, printed = entry(items[index], None)
                    if printed:
                        previous_names = names
                        break
            for index, item in enumerate(items[start:stop], start):
                text, previous_names, _ = entry(item, previous_names)
                if not text and numbered:
                    # As citeproc-js: a style whose citations print
                    # citation-number keeps the entry's number and says why.
                    text = passes.escape(f"{index + 1}. {NO_PRINTED_FORM}")
                if finish is None:
                    yield text
                else:
                    yield finish(text) if text else None

        return parallel.iter_ranges(entries, len(items))

    def taken_branch(self, choose: Any, item: Any) -> Any:
        """The branch of ``choose`` whose condition holds for ``item``, or None."""
        return taken_branch(choose, item, self)


def cites_by_number(root: Any) -> bool:
    """Whether the style's citations print ``citation-number`` (remembered per style).

    As citeproc-js's numeric mode: a ``cs:text`` of the variable in the
    citation's layout or a macro it calls, in any branch.
    """
    found: bool | None = vars(root).get("_citekit_cites_by_number")
    if found is None:
        citation = getattr(root, "citation", None)
        found = citation is not None and _prints_citation_number(citation, set())
        vars(root)["_citekit_cites_by_number"] = found
    return found


def _prints_citation_number(node: Any, seen: set[str]) -> bool:
    for child in children(node):
        if child.tag.rsplit("}", 1)[-1] == "text":
            if child.get("variable") == "citation-number":
                return True
            name = child.get("macro")
            if name is not None and name not in seen:
                seen.add(name)
                try:
                    macro = child.get_macro(name)
                except IndexError:
                    continue
                if _prints_citation_number(macro, seen):
                    return True
        elif _prints_citation_number(child, seen):
            return True
    return False


# cs:choose and conditions -----------------------------------------------------------


@element("choose")
class Choose(model.Choose):  # type: ignore[misc]
    """``cs:choose``: the first branch whose condition holds."""

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        """The first branch whose condition holds, rendered (None when none holds).

        As citeproc-py's, without an exception for each condition that fails
        (a ``VariableError`` from a test still ends the choose).
        """
        plan = vars(self).get("_citekit_plan")
        if plan is None:
            plan = self._plan()
        if plan:
            kwargs["context"] = context
            return render_choose(self, plan, item, kwargs, delimiter, cite_state(item))
        for branch in children(self):  # a branch of another kind (not from citekit's lookup)
            if isinstance(branch, _Conditions):
                if branch.test(item, context):
                    return _render_branch(branch, item, context, delimiter, kwargs)
                continue
            try:
                return branch.render(item, context=context, delimiter=delimiter, **kwargs)
            except model.ConditionFailed:
                continue
        return None

    def _plan(self) -> tuple[tuple[TestSpec | None, Any, Any, bool | None], ...]:
        """(its test, or None for ``cs:else``; the branch; its walk plan; whether it calls a
        variable, see :func:`~citekit.csl.elements.text.branch_calls`) for each branch.

        A test is a :data:`~citekit.csl.elements.text.TestSpec`: the
        condition's parsed values, with its function for anything else.

        Empty when a branch is not citekit's ``If``/``Else-If``/``Else`` (then
        each branch renders itself, as in citeproc-py).
        """
        plan: list[tuple[TestSpec | None, Any, Any, bool | None]] = []
        for branch in children(self):
            if isinstance(branch, _Conditions):
                test = vars(branch).get("_citekit_test") or branch._compiled()
                spec = vars(branch).get("_citekit_spec", (TEST_CALL, None, None, test))
                plan.append((spec, branch, walk_plan(branch), branch_calls(branch)))
            elif isinstance(branch, Else):
                plan.append((None, branch, walk_plan(branch), branch_calls(branch)))
            else:
                plan = []
                break
        found = tuple(plan)
        node: Any = self  # (lxml elements take attributes; the stubs do not say so)
        vars(node)["_citekit_plan"] = found
        return found


Choose._citekit_walk_kind = CHOOSE
Choose._citekit_walk_render = Choose.render


@functools.lru_cache(maxsize=16384)
def is_numeric_text(value: str, variable: str = "number", own: str | None = None) -> bool:
    """CSL's "is-numeric" for ``variable``'s ``value``: :func:`citekit.csl.numbers.is_numeric`.

    Numbers, possibly with letter affixes ("2nd", "L2") or roman ("ix"),
    alone or joined by hyphens, commas, ampersands or slashes ("2-4",
    "2, 3", "2 & 4", "1/2"), after the labels the variable splits off
    ("no. 10"); ``own`` is a locator's label.
    """
    return numbers.is_numeric(value, variable, own)


_dict_item = dict.__getitem__


def _simple_test(
    types: tuple[str, ...] | None,
    variables: tuple[str, ...] | None,
    others: tuple[str, ...],
    match: str,
) -> Callable[[Any, Any], bool] | None:
    """A direct function for the common conditions: on types, plain variables, or both.

    None for any other condition (it is tested test by test, as
    ``_Conditions._test`` does; the results are the same).
    """
    if others:
        return None
    if types is not None and variables is not None:
        return _mixed_test(types, variables, match)
    if types is None and variables is None:
        return None
    if types:
        kinds = frozenset(types)
        # (a reference always has a type: read from the dict, without
        # citeproc-py's attribute and item look-ups)
        if match == "any":
            return lambda item, context: _dict_item(item.reference, "type") in kinds
        if match == "none":
            return lambda item, context: _dict_item(item.reference, "type") not in kinds
        if match == "all":  # (several types are one test: the item's type is one of them)
            return lambda item, context: _dict_item(item.reference, "type") in kinds
        return None
    if variables and "locator" not in variables and match in ("any", "none", "all"):
        if len(variables) == 1:
            (only_name,) = variables
            if match == "none":
                return lambda item, context: only_name not in item.reference
            return lambda item, context: only_name in item.reference
        names = frozenset(variables)
        if match == "any":
            return lambda item, context: not names.isdisjoint(item.reference)
        if match == "none":
            return lambda item, context: names.isdisjoint(item.reference)
        return lambda item, context: names.issubset(item.reference)
    return None


def _test_values(
    types: tuple[str, ...] | None,
    variables: tuple[str, ...] | None,
    others: tuple[str, ...],
    match: str,
) -> tuple[int, frozenset[str], Any]:
    """A condition's test as values (:data:`~citekit.csl.elements.text.TestSpec` without its
    function): the same cases, and results, as :func:`_simple_test`'s functions."""
    none: frozenset[str] = frozenset()
    if others:
        return TEST_CALL, none, None
    if types is not None and variables is not None:
        if "locator" in variables or match not in ("any", "none", "all"):
            return TEST_CALL, none, None
        kinds, names = frozenset(types), frozenset(variables)
        if match == "any":
            return TEST_TYPE_OR_ANY, kinds, names
        if match == "none":
            return TEST_NEITHER, kinds, names
        if not kinds:
            return TEST_ALL, none, names
        return TEST_TYPE_AND_ALL, kinds, names
    if types is None and variables is None:
        return TEST_CALL, none, None
    if types:
        if match in ("any", "all"):
            return TEST_TYPE, frozenset(types), None
        if match == "none":
            return TEST_NOT_TYPE, frozenset(types), None
        return TEST_CALL, none, None
    if variables and "locator" not in variables and match in ("any", "none", "all"):
        if len(variables) == 1:
            return (TEST_HAS_NOT if match == "none" else TEST_HAS), none, variables[0]
        names = frozenset(variables)
        if match == "any":
            return TEST_ANY, none, names
        if match == "none":
            return TEST_NONE, none, names
        return TEST_ALL, none, names
    return TEST_CALL, none, None


def _mixed_test(
    types: tuple[str, ...], variables: tuple[str, ...], match: str
) -> Callable[[Any, Any], bool] | None:
    """A direct function for a condition on types and plain variables together.

    As ``_Conditions._test``: one result for the types (the item's type is
    one of them) and one per variable (the reference has it), then ``match``.
    """
    if "locator" in variables or match not in ("any", "none", "all"):
        return None
    kinds = frozenset(types)
    names = frozenset(variables)
    if match == "any":
        return lambda item, context: (
            _dict_item(item.reference, "type") in kinds or not names.isdisjoint(item.reference)
        )
    if match == "none":
        return lambda item, context: (
            _dict_item(item.reference, "type") not in kinds and names.isdisjoint(item.reference)
        )
    if not kinds:
        return lambda item, context: names.issubset(item.reference)
    return lambda item, context: (
        _dict_item(item.reference, "type") in kinds and names.issubset(item.reference)
    )


class _Conditions:
    """Position and disambiguate tests, from the cite's :class:`CiteState`."""

    def _is_numeric(self, item: Any) -> list[bool]:
        # citeproc-py only looks at the item's variables (so a locator is
        # never numeric) and accepts no ranges or lists.
        results = []
        for variable in self.get("is-numeric").split():  # type: ignore[attr-defined]
            value: Any = None
            own = None
            if variable == "locator":
                if item.has_locator:
                    value = item.locator.identifier
                    own = str(getattr(item.locator, "label", "") or "page")
            else:
                try:
                    value = item.reference.get(variable.replace("-", "_"), None)
                except Exception:  # citeproc-py's VariableError for missing values
                    value = None
            results.append(value is not None and is_numeric_text(str(value), variable, own))
        return results

    def _compiled(self) -> Callable[[Any, Any], bool]:
        """The condition as a function of (item, context), made once from its attributes."""
        get = self.get  # type: ignore[attr-defined]
        attrib = self.attrib  # type: ignore[attr-defined]
        types = tuple(kind.lower() for kind in get("type").split()) if "type" in attrib else None
        variables = (
            tuple(v.replace("-", "_") for v in get("variable").split())
            if "variable" in attrib
            else None
        )
        others = tuple(
            name
            for name in ("is-numeric", "is-uncertain-date", "locator", "position", "disambiguate")
            if name in attrib
        )
        wanted = get("disambiguate", "false").lower() == "true"
        match = get("match", "all")
        test = _simple_test(types, variables, others, match)
        if test is None:

            def test(item: Any, context: Any) -> bool:
                return self._test(item, context, types, variables, others, wanted, match)

        code, kinds, names = _test_values(types, variables, others, match)
        vars(self)["_citekit_spec"] = (code, kinds, names, test)
        vars(self)["_citekit_test"] = test
        return test

    def test(self, item: Any, context: Any) -> bool:
        """Whether this condition holds for ``item``."""
        compiled = vars(self).get("_citekit_test") or self._compiled()
        return bool(compiled(item, context))

    def _test(
        self,
        item: Any,
        context: Any,
        types: tuple[str, ...] | None,
        variables: tuple[str, ...] | None,
        others: tuple[str, ...],
        wanted: bool,
        match: str,
    ) -> bool:
        results: list[bool] = []
        if types is not None:
            # CSL 1.0.2: a type condition with several types holds when the
            # item is of any of them; it is one test for ``match``
            results.append(item.reference.type in types)
        if variables is not None:
            reference = item.reference
            results += [
                ("locator" in item) if variable == "locator" else (variable in reference)
                for variable in variables
            ]
        for name in others:
            if name == "is-numeric":
                results += self._is_numeric(item)
            elif name == "is-uncertain-date":
                results += self._is_uncertain_date(item)  # type: ignore[attr-defined]
            elif name == "locator":
                results += self._locator(item)  # type: ignore[attr-defined]
            elif name == "position":
                results += self._positions(item, context)
            else:
                if wanted:
                    results.append(disambiguate_test(item))
                else:
                    state = cite_state(item)
                    results.append(not (state and state.disambiguate))
        if match == "any":
            return any(results)
        if match == "none":
            return not any(results)
        return all(results)

    def _positions(self, item: Any, context: Any) -> list[bool]:
        state = cite_state(item)
        tests = (self.get("position") or "").split()  # type: ignore[attr-defined]
        if state is None:
            return [False for _ in tests]
        if state.in_bibliography:
            return [False for _ in tests]
        results = []
        for test in tests:
            if test == "first":
                results.append(state.position == FIRST)
            elif test == "subsequent":
                results.append(state.position != FIRST)
            elif test == "ibid":
                results.append(state.position in (IBID, IBID_WITH_LOCATOR))
            elif test == "ibid-with-locator":
                results.append(state.position == IBID_WITH_LOCATOR)
            elif test == "near-note":
                results.append(state.position != FIRST and state.near_note)
            else:
                results.append(False)
        return results

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        """Render the branch when its condition holds; ConditionFailed otherwise."""
        if not self.test(item, context):
            raise model.ConditionFailed
        return _render_branch(self, item, context, delimiter, kwargs)


@element("if")
class If(_Conditions, model.If):  # type: ignore[misc]
    """``cs:if`` with positions from the document and the ``disambiguate`` test."""


@element("else-if")
class Else_If(_Conditions, model.Else_If):  # type: ignore[misc]
    """``cs:else-if``, as :class:`If`."""


@element("else")
class Else(model.Else):  # type: ignore[misc]
    """``cs:else``: its children joined by the enclosing delimiter (escaped)."""

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        """Render the branch's children."""
        return _render_branch(self, item, context, delimiter, kwargs)


def _render_branch(
    branch: Any, item: Any, context: Any, delimiter: str, kwargs: dict[str, Any]
) -> Any:
    """The children of a taken ``cs:if``/``cs:else-if``/``cs:else`` branch, joined.

    ``cs:choose`` is transparent: the delimiter of the enclosing ``cs:group``
    (style text, as citeproc-py hands it down unescaped) delimits the branch's
    children, and is handed on unchanged to a nested ``cs:choose``; it is
    escaped where it is put between outputs.
    """
    kwargs = {**kwargs, "context": context}
    return render_branch(walk_plan(branch), item, kwargs, delimiter, cite_state(item))


def _taken_names_in(layout: Any, node: Any, item: Any, seen: frozenset[str]) -> Iterator[Any]:
    """The ``cs:names`` under ``node`` that rendering ``item`` reaches, in order.

    Through groups, the taken branch of each ``cs:choose`` and macro calls
    (a macro calling itself again is not followed). A module function, not
    a closure: a recursive closure would keep each item alive in a cycle
    until the garbage collector finds it.
    """
    for child in node.iterchildren():
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "names":
            yield child
        elif tag == "choose":
            branch = layout.taken_branch(child, item)
            if branch is not None:
                yield from _taken_names_in(layout, branch, item, seen)
        elif tag == "text" and child.get("macro"):
            called = unseen_macro(child, seen)
            if called is not None:
                yield from _taken_names_in(layout, called[1], item, seen | {called[0]})
        else:
            yield from _taken_names_in(layout, child, item, seen)
