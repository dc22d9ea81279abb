"""citekit's CSL engine: citeproc-py's machinery with citekit's element classes.

Styles are parsed by :mod:`citekit.csl.styles` with the classes of
:mod:`citekit.csl.elements` (citeproc-py's, where citekit has no fix of its
own). :func:`citeproc_style` hands such a style to citeproc-py's rendering
front end; :class:`Processor` renders citations and a bibliography with it.
The conformance harness (:mod:`citekit.conformance`) drives this module; it
imports nothing of the harness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from citekit.csl import passes
from citekit.csl.passes import to_citeproc_js_html
from citekit.csl.styles import Style

__all__ = ["Processor", "citeproc_style"]

T = TypeVar("T")


def citeproc_style(style: Style) -> Any:
    """A citeproc-py ``CitationStylesStyle`` over a parsed :class:`Style`'s tree.

    The tree is shared: any number of wrappers, sessions and threads render
    it at once, none changes it.
    """
    return _wrapper(style.root)


def _wrapper(root: Any) -> Any:
    from citeproc import CitationStylesStyle

    wrapper = CitationStylesStyle.__new__(CitationStylesStyle)
    wrapper.xml = root.getroottree()
    wrapper.root = root
    return wrapper


_NSMAP = {"cs": "http://purl.org/net/xbiblio/csl"}
REVERSED_NUMBERS = "_citekit_reversed_numbers"
"""Set on a registry whose citation numbers count down its bibliography."""
SORTING = "_citekit_sorting"
"""Set on a registry while its bibliography is sorted."""
REGISTRATION = "_citekit_registration"
"""Set on a registry: each registered item's place in the order first cited, from 0."""


def _registration(bibliography: Any) -> dict[str, int]:
    """The registry's order of first citation (see :data:`REGISTRATION`)."""
    found: dict[str, int] | None = vars(bibliography).get(REGISTRATION)
    if found is None:
        found = {key: index for index, key in enumerate(bibliography.keys)}
        vars(bibliography)[REGISTRATION] = found
    return found


def _counts_down(style: Any) -> bool:
    """Whether the style's bibliography sorts by ``citation-number``, descending.

    By the variable, or by a macro that renders nothing but it.
    """
    root = style.root
    bibliography = getattr(root, "bibliography", None)
    sort = bibliography.find("cs:sort", _NSMAP) if bibliography is not None else None
    if sort is None:
        return False
    for key in sort.findall("cs:key", _NSMAP):
        if (key.get("sort") or "").strip().lower() != "descending":
            continue
        if key.get("variable") == "citation-number":
            return True
        macro = key.get("macro")
        if macro is not None and _only_citation_number(root, macro):
            return True
    return False


def _only_citation_number(root: Any, name: str, depth: int = 0) -> bool:
    """Whether the macro ``name`` renders only the ``citation-number`` variable."""
    if depth > 10:
        return False
    try:
        macro = root.get_macro(name)  # (looked up by name, as rendering finds it)
    except IndexError:
        return False
    children = [child for child in macro if isinstance(child.tag, str)]
    if len(children) != 1:
        return False
    (child,) = children
    tag = child.tag.rsplit("}", 1)[-1]
    if tag in ("text", "number") and child.get("variable") == "citation-number":
        return True
    inner = child.get("macro") if tag == "text" else None
    return inner is not None and _only_citation_number(root, inner, depth + 1)


class Processor:
    """Citations and a bibliography of items in one style: one rendering session.

    ``style`` is a citeproc-py ``CitationStylesStyle`` (from
    :func:`citeproc_style`, or citeproc-py's own); ``items`` are the
    engine's items (:func:`citekit.csl.items.from_work`) or CSL-JSON objects
    (read by :func:`citekit.csl.items.from_csl`: ids are made text; a missing
    type is ``""``, which no type condition matches, as in citeproc-js).
    Rendering writes nothing of a session into the items (its year suffixes
    and note numbers are the session's), so processors may share them,
    also in several threads. Output is HTML in citeproc-js's
    conventions (``&#38;``, ``<i>``, ...), passed through ``postprocess``.
    Warnings citeproc-py prints are silenced; its exceptions are not caught
    here (the callers turn them into citekit's errors).
    """

    def __init__(
        self,
        style: Any,
        items: Iterable[Any],
        *,
        postprocess: Callable[[str], str] | None = None,
    ) -> None:
        from citeproc import CitationStylesBibliography
        from citeproc.formatter import html

        from citekit.csl.items import source

        self.style = style
        self._postprocess = postprocess or (lambda text: text)
        self._bibliography = CitationStylesBibliography(
            style, source(items, _style_language(style)), html
        )
        self._citations: list[Any] = []  # (each registered, for close())

    @classmethod
    def for_style(cls, style: Style, items: Iterable[Any]) -> Processor:
        """A processor for a style loaded by citekit, with citekit's output passes.

        It renders the style's one parsed tree, which it shares with every
        other processor of the style (see :mod:`citekit.csl.styles`).
        """
        return cls(_wrapper(style.root), items, postprocess=passes.postprocess)

    @property
    def keys(self) -> list[str]:
        """The ids of the registered items, in registry (bibliography) order."""
        return list(self._bibliography.keys)

    @staticmethod
    def citation(
        cites: Iterable[Mapping[str, Any]],
        *,
        citation_id: str | None = None,
        note_index: int | None = None,
        unsorted: bool = False,
        mode: str | None = None,
        infix: str = "",
    ) -> Any:
        """A citation cluster from cite objects as citeproc-js takes them.

        Each cite: ``id``, and optionally ``locator`` with ``label`` (default
        ``page``), ``prefix``, ``suffix``, ``suppress-author``,
        ``author-only``, ``position``, ``near-note``, ... ``unsorted``: the
        cites stay in the order given, whatever the style's citation sort
        (citeproc-js's ``properties.unsorted``, an author's choice). ``mode``,
        as citeproc-js's ``properties.mode``: ``"author-only"`` (the first
        cite's author alone, a narrative citation's stub, which counts for no
        position), ``"suppress-author"`` (the first cite without its author),
        ``"composite"`` (both, joined by ``infix`` and a space: "Kesey's
        early work (1962, 1964)").
        """
        from citeproc.source import Citation, Locator

        from citekit.csl.elements.citations import CiteItem

        items = []
        for cite in cites:
            options: dict[str, Any] = {}
            for key, value in cite.items():
                if key in ("id", "label"):
                    continue
                if key == "locator":
                    label = cite.get("label", "page")
                    # (CSL 1.0's name of the locator type CSL 1.0.2 calls "sub-verbo")
                    label = "sub-verbo" if label == "sub verbo" else label
                    options["locator"] = Locator(label, value)
                else:
                    options[key.replace("-", "_")] = value
            items.append(_unchecked(CiteItem, key=str(cite.get("id")).lower(), **options))
        citation = Citation(items)
        citation.unsorted = bool(unsorted)
        if mode not in (None, "author-only", "suppress-author", "composite"):
            raise ValueError(f"unknown citation mode {mode!r}")
        citation.mode = mode
        citation.infix = infix
        if citation_id is not None:
            citation.key = citation_id
        if note_index is not None:
            citation.note_index = note_index
        return citation

    def register(self, citation: Any) -> None:
        """Register a citation's items (in the order first cited).

        As citeproc-py's ``register`` (items not in the source are left out),
        with the registered keys looked up in a set rather than searched in
        their list for every item (quadratic for a large bibliography).
        """
        bibliography = self._bibliography
        citation.bibliography = bibliography
        self._citations.append(citation)
        known = set(bibliography.keys)
        for item in citation.cites:
            key = item.key
            if key in bibliography.source and key not in known:
                known.add(key)
                registration = _registration(bibliography)
                registration.setdefault(key, len(registration))
                bibliography.keys.append(key)
                bibliography.items.append(item)

    def sort(self) -> None:
        """Put the registry in the style's bibliography order (if it has a bibliography).

        When the bibliography sorts by ``citation-number`` in descending order
        (as its first key or a later one), citation numbers count down the
        bibliography, as in citeproc-js: its last entry is number 1.
        """
        if self.style.has_bibliography():
            from citekit.csl.cite.disambiguate import label_items

            bibliography = self._bibliography
            _registration(bibliography)
            label_items(self.style.root, bibliography)  # (a sort key may be the label)
            facts = vars(bibliography)
            facts[REVERSED_NUMBERS] = False
            facts[SORTING] = True  # (citation numbers are the order of first citation)
            try:
                bibliography.sort()
            finally:
                facts[SORTING] = False
            facts[REVERSED_NUMBERS] = _counts_down(self.style)

    def disambiguation(self) -> dict[str, dict[str, Any]] | None:
        """What disambiguation decided for each registered item, as JSON-ready data.

        ``{item id: state}`` (added names, given-name levels, year suffix,
        the ``disambiguate`` condition), computed for the whole registry on
        first use; None for a style not set up by citekit or a state that is
        not plain data. :meth:`adopt_disambiguation` gives it to a later
        processor of the same registry, which then need not compute it.
        """
        layout = self._citation_layout()
        if layout is None:
            return None
        states = layout.disambiguation(self._bibliography)
        out: dict[str, dict[str, Any]] = {}
        for key, state in states.items():
            data = state.to_json()
            if data is None:
                return None
            out[key] = data
        return out

    def adopt_disambiguation(self, data: Mapping[str, Any]) -> None:
        """Use :meth:`disambiguation`'s data from a processor of the same items in the same order.

        :raises ValueError: for data that is not such a result, or a style
            not set up by citekit.
        """
        from citekit.csl.elements.state import CiteState

        layout = self._citation_layout()
        if layout is None:
            raise ValueError("the style was not set up by citekit")
        states = {str(key): CiteState.from_json(value) for key, value in data.items()}
        unknown = [key for key in states if key not in self._bibliography.source]
        if unknown:
            raise ValueError(f"disambiguation for unknown items: {', '.join(unknown[:5])}")
        layout.adopt_disambiguation(self._bibliography, states)

    def _citation_layout(self) -> Any:
        """The style's ``cs:citation`` layout, when it is citekit's (else None)."""
        from citekit.csl.elements.citations import Layout

        citation = getattr(self.style.root, "citation", None)
        layout = getattr(citation, "layout", None)
        return layout if isinstance(layout, Layout) else None

    def cite(self, citation: Any) -> str:
        """One registered citation, rendered."""
        text = self._bibliography.cite(citation, lambda item: None)
        return self._postprocess(to_citeproc_js_html(str(text) if text is not None else ""))

    def bibliography(self) -> list[tuple[str, str]]:
        """(item id, rendered entry) for each registered item the style prints, in order."""
        return list(self.iter_bibliography())

    def iter_bibliography(
        self, convert: Callable[[str], str] | None = None
    ) -> Iterator[tuple[str, str]]:
        """:meth:`bibliography`'s pairs, each as soon as it is rendered.

        ``convert`` is applied to each finished entry where it is rendered
        (in whichever process renders it), so only its result is kept.
        """
        # Entries are rendered from bare cites of the registered items: a
        # work's first cite may carry a locator, prefix or suffix, which
        # belong to that citation, not to the bibliography.
        from citeproc.source import Citation

        from citekit.csl.elements.citations import Bibliography, CiteItem

        registered = self._bibliography.items
        element = self.style.root.bibliography
        finish = self._finish
        if convert is not None:
            to_output = convert

            def finish(entry: str) -> str:
                return to_output(self._finish(entry))

        bare = [_unchecked(CiteItem, key=item.key) for item in registered]
        entries_citation = Citation(bare)
        entries_citation.bibliography = self._bibliography
        self._citations.append(entries_citation)
        if isinstance(element, Bibliography):
            # citekit's layout finishes each entry where it renders it
            # (several processes share a large bibliography).
            finished = element.iter_bibliography(bare, finish)
            return (
                (key, text)
                for key, text in zip(self.keys, finished, strict=True)
                if text is not None
            )
        self._bibliography.items = bare
        try:
            entries = self._bibliography.bibliography()
        finally:
            self._bibliography.items = registered
        keys = self.keys
        if len(entries) != len(keys):
            # citeproc-py's own layout drops entries it prints as nothing, so
            # they can only be paired by position; citekit's keeps their place.
            keys = keys[: len(entries)] + [""] * (len(entries) - len(keys))
        # Entries the style prints as nothing are left out, with their items.
        pairs = zip(keys, entries, strict=True)
        return iter([(key, finish(str(entry))) for key, entry in pairs if str(entry)])

    def close(self) -> None:
        """Let go of what the session made, now rather than at the next garbage collection.

        citeproc-py's records point at each other (a cite at its citation,
        a citation at its cites and at the registry, the registry at its
        cites), so without this a session's cites, their states and their
        per-session references stay in memory until Python's cycle
        collector runs, raising the peak memory of a program that renders
        several bibliographies. The processor renders nothing after it.
        """
        from citekit.csl.cite.session import end_session

        citations, self._citations = self._citations, []
        end_session(self._bibliography, citations)

    def _finish(self, entry: str) -> str:
        """A rendered entry in citeproc-js's HTML conventions, through the output passes."""
        return self._postprocess(to_citeproc_js_html(entry))


def _unchecked(cls: type[T], **data: Any) -> T:
    """A citeproc-py record (a cite) holding ``data`` as it is (see :mod:`citekit.csl.items`)."""
    from citekit.csl.items import _unchecked as unchecked

    return unchecked(cls, **data)


def _style_language(style: Any) -> str | None:
    """The language of the style's locale (its first with one), whose month names dates use."""
    for locale in getattr(getattr(style, "root", None), "locales", None) or ():
        language = locale.get("{http://www.w3.org/XML/1998/namespace}lang")
        if language:
            return str(language)
    return None
