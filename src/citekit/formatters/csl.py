"""The ``csl`` formatter: references and citations in any CSL style.

::

    import citekit

    library = citekit.load("examples/serge/serge.bib")
    csl = citekit.formatter("csl", style="apa", output="text")
    for entry in csl.bibliography(library):      # in the style's order
        print(entry.key, entry)
    csl.cite(library, "serge1944", locator="12")  # "(Serge, 1945, p. 12)"

Styles load by name (citekit's own, then the official repository's,
dependent styles included), by path or from XML text (see
:mod:`citekit.csl.styles`). Works are read into the engine's items by
:mod:`citekit.csl.items` (directly: :meth:`CslFormatter.item` is their
CSL-JSON form, for other processors) and are rendered by citekit's CSL
engine (:class:`citekit.csl.engine.Processor`, with the same post-processing
the conformance harness measures), then converted to the output format by
:mod:`citekit.csl.output`.

What is registered decides numbers and disambiguation:

- :meth:`CslFormatter.bibliography` and :meth:`CslFormatter.cite` render
  against all the works given (the library is the bibliography): a numeric
  style numbers works in bibliography order, and two works by one author in
  one year get the same year suffixes in citations as in the bibliography;
- :meth:`CslFormatter.document` (and :meth:`CslFormatter.citations`) render a
  document: only the works it cites are registered, in the order first cited,
  and its bibliography lists those works.
"""

from __future__ import annotations

import collections
import contextlib
import difflib
import os
import re
import threading
from collections.abc import (
    Callable,
    Generator,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any, TextIO

import attrs

from citekit.errors import CitekitError, FormatError, StyleError, UnknownKeyError
from citekit.model.excerpts import LABEL_WORDS, Locator, LocatorLabel
from citekit.model.work import Work

__all__ = [
    "Bibliography",
    "BibliographyEntry",
    "Citation",
    "CitationSequence",
    "Cite",
    "CslFormatter",
    "RenderError",
    "RenderedDocument",
]

_DEFAULT_STYLE = "chicago-author-date"
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


class RenderError(CitekitError):
    """The CSL engine failed on a work in a style.

    ``style`` names the style, ``key`` the work (``None`` when no single work
    fails alone), ``cause`` the engine's exception.
    """

    def __init__(
        self, message: str, *, style: str, key: str | None, cause: BaseException | None
    ) -> None:
        super().__init__(message)
        self.style = style
        self.key = key
        self.cause = cause


@attrs.frozen
class BibliographyEntry:
    """One rendered bibliography entry: the work's key and its text in the output format."""

    key: str
    """The citation key of the work."""
    text: str
    """The entry, in the formatter's output format (no trailing newline)."""
    output: str = attrs.field(default="text", eq=False, repr=False)
    """That output format (``text``, ``html``, ``markdown``, ``latex``, ``rst``)."""

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        """The entry as HTML (shown by Jupyter): as it is when rendered as HTML, else escaped."""
        import html

        body = self.text if self.output == "html" else html.escape(self.text)
        return f'<div class="csl-entry" data-key="{html.escape(self.key)}">{body}</div>'

    def _repr_markdown_(self) -> str:
        """The entry as Markdown: as it is when rendered as Markdown or HTML (which
        Markdown carries), else escaped."""
        if self.output in ("markdown", "html"):
            return self.text
        from citekit.model.display import markdown_escape

        return markdown_escape(self.text)


class Bibliography(list[BibliographyEntry]):
    """Rendered bibliography entries in the style's order: a list that shows as
    HTML or Markdown in a notebook."""

    def _repr_html_(self) -> str:
        """The entries in a ``csl-bib-body`` div."""
        body = "".join(entry._repr_html_() for entry in self)
        return f'<div class="csl-bib-body">{body}</div>'

    def _repr_markdown_(self) -> str:
        """The entries, one paragraph each."""
        return "\n\n".join(entry._repr_markdown_() for entry in self)


def _label(value: LocatorLabel | str | None) -> LocatorLabel | None:
    if value is None or isinstance(value, LocatorLabel):
        return value
    if isinstance(value, str):
        label = LABEL_WORDS.get(value.strip().lower())
        if label is not None:
            return label
        close = difflib.get_close_matches(value.strip().lower(), [v.value for v in LocatorLabel])
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CitekitError(
            f"unknown locator label {value!r}{hint}; expected one of "
            + ", ".join(v.value for v in LocatorLabel)
        )
    raise CitekitError(f"a locator label is a string, not {type(value).__name__}")


def _locator(value: Locator | str | int | None, label: LocatorLabel | None) -> Locator | None:
    """The locator of a cite: a given label wins, else one the text starts with, else page."""
    if value is None:
        if label is not None:
            raise CitekitError(f"a locator label ({label.value!r}) needs a locator")
        return None
    try:
        if isinstance(value, Locator):
            return value if label is None else attrs.evolve(value, label=label)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError(f"a locator is a string, not {type(value).__name__}")
        if label is not None:
            return Locator(str(value), label)
        return Locator.parse(str(value))
    except (TypeError, ValueError) as error:
        raise CitekitError(f"bad locator {value!r}: {error}") from None


def _text_option(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise CitekitError(f"a cite's {what} is a string, not {type(value).__name__}")


def _prefix(value: Any) -> str | None:
    return _text_option(value, "prefix")


def _suffix(value: Any) -> str | None:
    return _text_option(value, "suffix")


def _to_locator(value: Locator | str | int | None) -> Locator | None:
    return _locator(value, None)


@attrs.frozen
class Cite:
    """One work cited in a citation, with what the citation says about it.

    ``locator`` is a :class:`~citekit.Locator`, or its text: ``"12"``, or
    with a label word ``"chap. 3"``, ``"§ 4"``; ``label`` (``"page"``,
    ``"chapter"``, ``"section"``, any CSL locator type or abbreviation)
    replaces the one the text gives; the default is ``page``. Once made,
    ``locator`` is a :class:`~citekit.Locator` and ``label`` its label.
    ``prefix`` and ``suffix`` are text that may hold CSL's markup tags
    (``<i>``, ``<b>``, ...). ``suppress_author`` leaves the author out
    ("Serge (1945)" style prose); ``author_only`` gives only the author.
    """

    key: str
    locator: Locator | None = attrs.field(default=None, converter=_to_locator)
    label: LocatorLabel | None = attrs.field(default=None, converter=_label)
    prefix: str | None = attrs.field(default=None, converter=_prefix)
    suffix: str | None = attrs.field(default=None, converter=_suffix)
    suppress_author: bool = attrs.field(default=False, converter=bool)
    author_only: bool = attrs.field(default=False, converter=bool)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise CitekitError(f"a cite needs a citation key, got {self.key!r}")
        locator = self.locator
        if self.label is not None:
            if locator is None:
                raise CitekitError(f"cite of {self.key!r}: a locator label needs a locator")
            locator = attrs.evolve(locator, label=self.label)
            object.__setattr__(self, "locator", locator)
        object.__setattr__(self, "label", locator.label if locator is not None else None)
        if self.suppress_author and self.author_only:
            raise CitekitError(
                f"cite of {self.key!r}: suppress_author and author_only exclude each other"
            )


def _to_cite(value: Any) -> Cite:
    if isinstance(value, Cite):
        return value
    if isinstance(value, str):
        return Cite(value)
    raise CitekitError(f"a cite is a citation key or a Cite, not {type(value).__name__}")


def _to_cites(value: Any) -> tuple[Cite, ...]:
    if isinstance(value, str | Cite):
        return (_to_cite(value),)
    if isinstance(value, Iterable):
        cites = tuple(_to_cite(v) for v in value)
        if cites:
            return cites
    raise CitekitError("a citation cites at least one work")


@attrs.frozen
class Citation:
    """A citation cluster: one or more cites together, in one place of a document.

    ``note`` is the number of the footnote it sits in, for note styles
    (:meth:`CslFormatter.document` numbers the citations 1, 2, ... when it is
    not given); it decides positions such as "ibid.".
    """

    cites: tuple[Cite, ...] = attrs.field(converter=_to_cites)
    note: int | None = None


def _to_citation(value: Any) -> Citation:
    if isinstance(value, Citation):
        return value
    return Citation(value)


@attrs.frozen
class RenderedDocument:
    """A document's citations, in order, and the bibliography of the works it cites."""

    citations: tuple[str, ...]
    bibliography: tuple[BibliographyEntry, ...]


def _works(works: Any) -> list[Work]:
    """The works of a Library, a mapping of works, or an iterable of works."""
    if isinstance(works, Work):
        return [works]
    values = works.values() if isinstance(works, Mapping) else works
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        raise CitekitError(f"expected a Library or works, got {type(works).__name__}")
    out = list(values)
    for work in out:
        if not isinstance(work, Work):
            raise CitekitError(f"expected Work objects, got {type(work).__name__}")
    return out


def _by_key(works: Any) -> dict[str, Work]:
    found: dict[str, Work] = {}
    for work in _works(works):
        found.setdefault(work.key, work)
    return found


def _unknown(key: str, known: Iterable[str]) -> UnknownKeyError:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return UnknownKeyError(key, close[0] if close else None)


class CslFormatter:
    """Render works as CSL bibliography entries and citations.

    :param style: a style name (``"apa"``, ``"chicago-author-date"``, any
        style of the official repository, dependent styles included), the
        path of a ``.csl`` file, or the style's XML text.
    :param output: ``"text"``, ``"html"``, ``"markdown"``, ``"latex"`` or
        ``"rst"`` (see :mod:`citekit.csl.output`).
    :param locale: a locale such as ``"en-GB"`` or ``"de-DE"``; by default
        the style's own.
    :raises citekit.StyleError: for an unknown, broken or hostile style, or a
        bad locale.
    :raises citekit.FormatError: for an unknown output format.
    """

    name = "csl"

    def __init__(
        self,
        style: str | os.PathLike[str] | bytes = _DEFAULT_STYLE,
        output: str = "text",
        locale: str | None = None,
    ) -> None:
        from citekit.csl.items import WorkItems
        from citekit.csl.output import check_output
        from citekit.csl.styles import load_style

        if not isinstance(style, str | bytes | os.PathLike):
            raise StyleError(f"a style is a name, a path or XML text, not {type(style).__name__}")
        if locale is not None and (not isinstance(locale, str) or not _LOCALE.match(locale)):
            raise StyleError(f"{locale!r} is not a locale (expected a tag such as 'en-US')")
        self.output = check_output(output)
        self.style = load_style(style, locale=locale)
        """The parsed :class:`citekit.csl.styles.Style`."""
        self.style_name = self._describe(style)
        """The style as messages name it: its name, its file, or its title."""
        self.locale = self.style.locale
        """The locale the style renders in."""
        self._items = WorkItems()
        self._results: collections.OrderedDict[Hashable, Any] = collections.OrderedDict()
        self._lock = threading.Lock()  # for the two caches; rendering needs none
        self._arguments = (style, output, locale)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the arguments it was made with (a style path must exist where it is read)."""
        return (type(self), self._arguments)

    def _describe(self, style: Any) -> str:
        if isinstance(style, str) and not style.lstrip().startswith("<"):
            return style
        if isinstance(style, os.PathLike):
            return str(os.fspath(style))
        return self.style.title or "<string>"

    def __repr__(self) -> str:
        return (
            f"CslFormatter(style={self.style_name!r}, output={self.output!r},"
            f" locale={self.locale!r})"
        )

    # -- the Formatter protocol ----------------------------------------------------------

    def format(self, obj: Any) -> str:
        """A single Work's bibliography entry, rendered on its own."""
        if not isinstance(obj, Work):
            raise FormatError(f"the csl formatter formats a Work, not {type(obj).__name__}")
        return self.bibliography([obj])[0].text

    # -- public API -----------------------------------------------------------------------

    def bibliography(self, works: Any) -> Bibliography:
        """The bibliography entries of a Library (or a mapping or iterable of works).

        Entries come in the style's order (for a style that does not sort its
        bibliography, in the order given). Raises :class:`~citekit.StyleError`
        for a style without a bibliography, :class:`RenderError` if the engine
        fails on a work.
        """
        listed = _works(works)
        if not self.style.has_bibliography:
            raise StyleError(f"style {self.style_name!r} has no bibliography (citations only)")
        cache_key = ("bibliography", tuple(listed))
        cached = self._cached(cache_key)
        if cached is not None:
            return Bibliography(cached)
        entries = tuple(self._render(listed, [], bibliography=True)[1])
        self._remember(cache_key, entries)
        return Bibliography(entries)

    def bibliography_text(self, works: Any) -> str:
        """The whole bibliography as one text in the output format (see
        :func:`citekit.csl.output.join_bibliography`)."""
        from citekit.csl.output import join_bibliography

        return join_bibliography((e.text for e in self.bibliography(works)), self.output)

    def write_bibliography(
        self,
        works: Any,
        stream: TextIO,
        *,
        progress: Callable[[int, int], object] | None = None,
    ) -> int:
        """Write the bibliography document (as :meth:`bibliography_text`) to ``stream``.

        Each entry is written as soon as it and those before it are rendered
        (in one process, one at a time), so the entries are never all held
        at once, nor any of them twice. Returns the number of characters
        written. Raises as :meth:`bibliography`; what was written before an
        error stays written. ``progress``, if given, is called with the
        number of entries written so far and the number of works after each
        entry (a progress bar's feed).
        """
        from citekit.csl.output import bibliography_pieces

        listed = _works(works)
        if not self.style.has_bibliography:
            raise StyleError(f"style {self.style_name!r} has no bibliography (citations only)")
        cached = self._cached(("bibliography", tuple(listed)))
        written = 0
        with contextlib.ExitStack() as stack:
            if cached is not None:
                texts: Iterable[str] = (entry.text for entry in cached)
            else:
                rendering = stack.enter_context(
                    contextlib.closing(self._rendering(listed, [], bibliography=True))
                )
                next(rendering)  # no citations
                texts = (entry.text for entry in rendering)
            if progress is not None:
                texts = _counted(texts, len(listed), progress)
            for piece in bibliography_pieces(texts, self.output):
                written += len(piece)
                stream.write(piece)
        return written

    def cite(
        self,
        works: Any,
        keys: str | Cite | Sequence[str | Cite],
        locator: Locator | str | int | None = None,
        label: LocatorLabel | str | None = None,
        *,
        prefix: str | None = None,
        suffix: str | None = None,
        suppress_author: bool = False,
        author_only: bool = False,
        note: int | None = None,
    ) -> str:
        """One citation of one or more works of ``works`` (a Library, ...), as a string.

        ``keys`` is a key, a :class:`Cite`, or a list of them (one cluster).
        ``locator``, ``label``, ``prefix``, ``suffix``, ``suppress_author`` and
        ``author_only`` apply to a single key given as text (give :class:`Cite`
        objects for several); the label defaults to ``page`` (or the label
        word the locator starts with: ``"chap. 3"``). The citation is rendered
        against every work given, as it stands beside their bibliography.
        Raises :class:`~citekit.UnknownKeyError` (with a suggestion) for a key
        not among the works.
        """
        options = {
            "prefix": prefix,
            "suffix": suffix,
            "suppress_author": suppress_author,
            "author_only": author_only,
        }
        given = any((locator is not None, label is not None, *options.values()))
        if isinstance(keys, str):
            cites: tuple[Cite, ...] = (Cite(keys, locator, label, **options),)
        else:
            if given:
                raise CitekitError(
                    "locator, label, prefix, suffix, suppress_author and author_only apply to"
                    " one key given as text; give Cite objects for a citation of several works"
                )
            cites = _to_cites(keys)
        listed = _works(works)
        known = {w.key for w in listed}
        for cite in cites:
            if cite.key not in known:
                raise _unknown(cite.key, known)
        if note is None and self.style.is_note_style:
            note = 1
        citation = Citation(cites, note)
        cache_key = ("cite", tuple(listed), citation)
        cached = self._cached(cache_key)
        if cached is not None:
            return str(cached)
        text = self._render(listed, [citation], bibliography=False)[0][0]
        self._remember(cache_key, text)
        return text

    def citations(self, works: Any, clusters: Iterable[Any]) -> list[str]:
        """The citations of a document, one string per cluster (see :meth:`document`)."""
        return list(self.document(works, clusters).citations)

    def document(self, works: Any, clusters: Iterable[Any]) -> RenderedDocument:
        """Render a document's citations, in order, and the bibliography of what it cites.

        Each cluster is a :class:`Citation`, a :class:`Cite`, a key, or a list
        of cites and keys. In a note style, citations without a ``note`` are
        numbered 1, 2, ... (one footnote each), so later citations of a work
        take the style's subsequent or "ibid." form. Only the cited works are
        registered, in the order first cited, so a numeric style numbers them
        that way; the bibliography is empty for a style without one.
        """
        by_key = _by_key(works)
        citations = [_to_citation(c) for c in clusters]
        if self.style.is_note_style:
            citations = [
                c if c.note is not None else attrs.evolve(c, note=number)
                for number, c in enumerate(citations, start=1)
            ]
        cited: dict[str, Work] = {}
        for citation in citations:
            for cite in citation.cites:
                if cite.key not in by_key:
                    raise _unknown(cite.key, by_key)
                cited.setdefault(cite.key, by_key[cite.key])
        texts, entries = self._render(
            list(cited.values()),
            citations,
            bibliography=self.style.has_bibliography,
            register_all=False,
        )
        return RenderedDocument(tuple(texts), tuple(entries))

    # -- rendering ------------------------------------------------------------------------

    def _cached(self, key: Hashable) -> Any:
        with self._lock:
            try:
                value = self._results[key]
            except (KeyError, TypeError):
                return None
            self._results.move_to_end(key)
            return value

    def _remember(self, key: Hashable, value: Any) -> None:
        with self._lock:
            try:
                self._results[key] = value
            except TypeError:  # an unhashable value in a work: no caching
                return
            while len(self._results) > 64:
                self._results.popitem(last=False)

    def item(self, work: Work, *, item_id: str | None = None) -> dict[str, Any]:
        """The CSL-JSON item of ``work`` that the engine's item corresponds to (id:
        ``item_id``, or the key).

        This is what another CSL processor must be given to be compared with
        citekit's output (the differential test against citeproc-js does so);
        :class:`citekit.csl.engine.Processor` reads it as it reads the work
        (:func:`citekit.csl.items.to_csl`). Rendering does not make it.
        """
        from citekit.csl.items import to_csl

        return to_csl(work, work.key if item_id is None else item_id)

    def reference(self, work: Work, *, item_id: str | None = None) -> Any:
        """The engine's item of ``work`` (id: ``item_id``, or the key), as it renders it.

        A new citeproc-py ``Reference`` each time (see
        :func:`citekit.csl.items.from_work`), for
        :class:`citekit.csl.engine.Processor`; the work is read once per
        formatter.
        """
        return self._items.reference(work, work.key if item_id is None else item_id)

    def _cite_object(self, cite: Cite, ids: Mapping[str, str]) -> dict[str, Any]:
        obj: dict[str, Any] = {"id": ids[cite.key]}
        if cite.locator is not None:
            obj["locator"] = cite.locator.value
            obj["label"] = cite.locator.label.value
        if cite.prefix:
            obj["prefix"] = cite.prefix
        if cite.suffix:
            obj["suffix"] = cite.suffix
        if cite.suppress_author:
            obj["suppress-author"] = True
        if cite.author_only:
            obj["author-only"] = True
        return obj

    def _render(
        self,
        works: Sequence[Work],
        citations: Sequence[Citation],
        *,
        bibliography: bool,
        register_all: bool = True,
    ) -> tuple[list[str], list[BibliographyEntry]]:
        """Citations (as texts) and bibliography entries, converted to the output."""
        rendering = self._rendering(
            works, citations, bibliography=bibliography, register_all=register_all
        )
        with contextlib.closing(rendering):
            texts = next(rendering)
            return texts, list(rendering)

    def _rendering(
        self,
        works: Sequence[Work],
        citations: Sequence[Citation],
        *,
        bibliography: bool,
        register_all: bool = True,
    ) -> Generator[Any, None, None]:
        """The citations (a list of texts), then each bibliography entry as it is rendered.

        Everything in the output format: an entry is converted where it is
        rendered, so only its converted text is kept. A failure of the engine
        is a :class:`RenderError` naming the work (see :meth:`_diagnose`).
        """
        from citekit.csl.output import convert

        output = self.output

        def to_output(text: str) -> str:
            return convert(text, output).strip()

        try:
            rendered = self._render_html(
                works,
                citations,
                bibliography=bibliography,
                register_all=register_all,
                convert=to_output,
            )
            with contextlib.closing(rendered):
                yield [to_output(text) for text in next(rendered)]
                for key, text in rendered:
                    yield BibliographyEntry(key, text, output)
        except CitekitError:
            raise
        except Exception as error:
            raise self._diagnose(works, citations, error) from error

    def _render_html(
        self,
        works: Sequence[Work],
        citations: Sequence[Citation],
        *,
        bibliography: bool,
        register_all: bool = True,
        convert: Callable[[str], str] | None = None,
    ) -> Generator[Any, None, None]:
        """The citations (a list of the engine's HTML), then each entry's (key, HTML).

        With ``convert``, each entry's text is ``convert(html)``, computed where
        the entry is rendered. The processor's working tree of the style is
        given back after the last entry (or when the generator is closed).
        """
        from citekit.csl.engine import Processor

        ids: dict[str, str] = {}
        items = []
        keys_by_id: dict[str, str] = {}
        for number, work in enumerate(works):
            item_id = f"item-{number}"
            ids.setdefault(work.key, item_id)
            keys_by_id[item_id] = work.key
            items.append(self._items.reference(work, item_id))
        processor = Processor.for_style(self.style, items)
        try:
            if register_all and items:
                processor.register(processor.citation([{"id": item.key} for item in items]))
            prepared = []
            for number, citation in enumerate(citations):
                prepared.append(
                    processor.citation(
                        [self._cite_object(c, ids) for c in citation.cites],
                        citation_id=f"citation-{number}",
                        note_index=citation.note,
                    )
                )
            for one in prepared:
                processor.register(one)
            processor.sort()
            yield [processor.cite(one) for one in prepared]
            if bibliography and items:
                for item_id, text in processor.iter_bibliography(convert):
                    yield keys_by_id.get(item_id, item_id), text
        finally:
            processor.close()

    def _diagnose(
        self, works: Sequence[Work], citations: Sequence[Citation], error: Exception
    ) -> RenderError:
        """A RenderError naming the work the engine fails on (tried one at a time)."""
        cited = {c.key for citation in citations for c in citation.cites}
        suspects = [w for w in works if w.key in cited] or list(works)
        for work in suspects:
            alone = [
                Citation(tuple(c for c in citation.cites if c.key == work.key), citation.note)
                for citation in citations
                if any(c.key == work.key for c in citation.cites)
            ] or [Citation((Cite(work.key),))]
            try:
                list(self._render_html([work], alone, bibliography=self.style.has_bibliography))
            except Exception as alone_error:
                return RenderError(
                    f"style {self.style_name!r} cannot render work {work.key!r}:"
                    f" {type(alone_error).__name__}: {alone_error}",
                    style=self.style_name,
                    key=work.key,
                    cause=alone_error,
                )
        keys = ", ".join(repr(w.key) for w in suspects[:5])
        more = f" and {len(suspects) - 5} more" if len(suspects) > 5 else ""
        return RenderError(
            f"style {self.style_name!r} cannot render works {keys}{more} together:"
            f" {type(error).__name__}: {error}",
            style=self.style_name,
            key=None,
            cause=error,
        )


class CitationSequence:
    """The citations of a document being edited, kept consistent as they change.

    Inserting, replacing or removing a citation can change the text of
    others (a new "ibid.", a year suffix, a new number, a given name added to
    disambiguate); each edit returns every citation whose text changed, with
    its index, as citeproc-js's ``processCitationCluster`` does, so an editor
    or a manuscript renderer updates exactly those::

        sequence = CitationSequence(csl, library)
        sequence.insert(0, "serge1944")          # [(0, "(Serge 1945)")]
        sequence.insert(1, "serge1944")          # [(1, "(Serge 1945)")]

    Each edit renders the document anew with :meth:`CslFormatter.document`
    (so the result is always what a full render gives) and compares.
    """

    def __init__(self, formatter: CslFormatter, works: Any) -> None:
        self.formatter = formatter
        self._works = works
        self._citations: list[Citation] = []
        self._texts: list[str] = []

    def __len__(self) -> int:
        return len(self._citations)

    @property
    def texts(self) -> tuple[str, ...]:
        """The rendered citations, in document order."""
        return tuple(self._texts)

    def bibliography(self) -> tuple[BibliographyEntry, ...]:
        """The bibliography of the works cited so far."""
        if not self._citations:
            return ()
        return self.formatter.document(self._works, self._citations).bibliography

    def insert(self, index: int, citation: Any) -> list[tuple[int, str]]:
        """Insert a citation before ``index``; the citations whose text changed."""
        if not 0 <= index <= len(self._citations):
            raise IndexError(f"citation index {index} out of range 0-{len(self._citations)}")
        return self._update(
            [*self._citations[:index], _to_citation(citation), *self._citations[index:]],
            inserted=index,
        )

    def append(self, citation: Any) -> list[tuple[int, str]]:
        """Add a citation at the end; the citations whose text changed."""
        return self.insert(len(self._citations), citation)

    def replace(self, index: int, citation: Any) -> list[tuple[int, str]]:
        """Replace the citation at ``index``; the citations whose text changed."""
        citations = list(self._citations)
        citations[index] = _to_citation(citation)
        return self._update(citations, replaced=index)

    def remove(self, index: int) -> list[tuple[int, str]]:
        """Remove the citation at ``index``; the citations (after removal) whose text changed."""
        citations = list(self._citations)
        del citations[index]
        old = self._texts[:index] + self._texts[index + 1 :]
        return self._commit(citations, old)

    def _update(
        self, citations: list[Citation], *, inserted: int | None = None, replaced: int | None = None
    ) -> list[tuple[int, str]]:
        old: list[str | None] = list(self._texts)
        if inserted is not None:
            old.insert(inserted, None)  # new: always reported
        if replaced is not None:
            old[replaced] = None
        return self._commit(citations, old)

    def _commit(
        self, citations: list[Citation], old: list[str] | list[str | None]
    ) -> list[tuple[int, str]]:
        texts = list(self.formatter.citations(self._works, citations)) if citations else []
        self._citations = citations
        self._texts = texts
        return [(i, text) for i, text in enumerate(texts) if old[i] != text]


def _counted(
    texts: Iterable[str], total: int, progress: Callable[[int, int], object]
) -> Iterator[str]:
    """The texts, ``progress(done, total)`` called after each."""
    for done, text in enumerate(texts, 1):
        yield text
        progress(done, total)
