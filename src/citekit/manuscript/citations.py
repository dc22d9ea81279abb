"""A manuscript's citations through the CSL engine, with positions and a cache.

The clusters of a manuscript are rendered by citekit's CSL engine
(:class:`citekit.csl.engine.Processor`) in one session that registers every
cited work, in the order first cited, so numbers, year suffixes and added
names are those of the whole document. Positions (first, subsequent, ibid,
ibid with locator, near-note, the first note of a work) are computed here
for the whole sequence and handed to the engine with each cite, following
the engine's own rules, so any single citation can be rendered alone and
still read as it does in the full document.

That is what makes incremental rendering exact. A citation's text depends
on the style, on its cites (keys, locators, affixes, modes), on their
positions (only for styles that test positions) and, through
disambiguation and numbering, on the works registered. Each engine citation
is cached under a digest of exactly those inputs: per cited work, its CSL
data, its number in the registry and the disambiguation the engine decided
for it. The registry (the works in bibliography order and the
disambiguation of each) is cached under a digest of the registered works in
order, so an edit that cites no new work reuses it, and re-renders only the
citations whose own inputs changed; an edit that changes disambiguation or
numbering re-renders the citations whose works are affected.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from citekit.csl.positions import PositionTracker, Record
from citekit.errors import CitekitError
from citekit.manuscript.cache import Cache, CacheStats, digest

if TYPE_CHECKING:
    from citekit.formatters.csl import CslFormatter
    from citekit.model.work import Work

__all__ = ["CiteSpec", "EngineCluster", "EngineResult", "render_clusters"]

_CSL_NS = "{http://purl.org/net/xbiblio/csl}"


@attrs.frozen
class CiteSpec:
    """One cite as the engine takes it: a key with what the citation says about it."""

    key: str
    locator: str | None = None
    label: str | None = None
    """A CSL locator label (``page``, ``chapter``, ...); page when a locator has none."""
    prefix: str = ""
    """CSL rich text (``<i>``, ``<b>`` are markup; other characters are text)."""
    suffix: str = ""
    suppress_author: bool = False
    author_only: bool = False

    def as_json(self) -> list[Any]:
        return [
            self.key,
            self.locator,
            self.label,
            self.prefix,
            self.suffix,
            self.suppress_author,
            self.author_only,
        ]


@attrs.frozen
class EngineCluster:
    """A cluster to render: its cites (all known works), its note and what is wanted.

    ``form``: ``"whole"`` (the citation), ``"in-text"`` (per cite, the author
    and the rest of the citation without the author), ``"author"`` (the
    authors only), ``"year"`` (the citation without authors).
    ``counts``: whether its cites count for later positions.
    """

    cites: tuple[CiteSpec, ...]
    note: int = 0
    form: str = "whole"
    counts: bool = True


@attrs.frozen
class EngineResult:
    """The engine's HTML for each cluster, and the bibliography."""

    clusters: tuple[tuple[str, ...], ...]
    """Per cluster: ``whole`` and ``year``: (html,); ``in-text``: (author, rest) for each
    cite, flattened; ``author``: one author html per cite."""
    bibliography: tuple[tuple[str, str], ...]
    """(key, html) for each entry, in the style's order."""
    order: tuple[str, ...]
    """The registered works, in the registry's (bibliography) order."""


def _cluster_positions(
    tracker: PositionTracker, cites: Sequence[CiteSpec], note: int, counts: bool
) -> list[tuple[int, bool, int | None]]:
    """(position, near-note, first note) of each cite of a cluster, in order.

    With ``counts`` false (a cluster that only repeats what the text says),
    the cites get positions but do not count for later ones.
    """
    token = object()
    out: list[tuple[int, bool, int | None]] = []
    previous: Record | None = None
    for cite in cites:
        locator = (cite.label or "page", cite.locator) if cite.locator is not None else None
        position = tracker.position(cite.key, locator, note, previous)
        out.append((position, tracker.near_note(cite.key, note), tracker.first_note(cite.key)))
        if counts:
            previous = tracker.record(cite.key, token, note, locator)
        else:
            previous = Record(cite.key, token, note, locator)
    return out


def _positions_matter(root: Any) -> bool:
    """Whether a style's citations can depend on positions (a position test or variable)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("position") is not None:
            return True
        if element.get("variable") == "first-reference-note-number":
            return True
    return False


def _uses_citation_label(root: Any) -> bool:
    return any(
        isinstance(e.tag, str) and e.get("variable") == "citation-label" for e in root.iter()
    )


def style_digest(formatter: CslFormatter) -> str:
    """A digest of a parsed style (its XML, locale included)."""
    from lxml import etree

    data = etree.tostring(formatter.style.root)
    return hashlib.sha256(data + formatter.locale.encode("utf-8")).hexdigest()


def layout_affixes(formatter: CslFormatter) -> tuple[str, str, str]:
    """The prefix, suffix and delimiter of the style's citation layout, as engine HTML."""
    from citekit.csl import passes

    layout = formatter.style.root.find(f"{_CSL_NS}citation/{_CSL_NS}layout")
    if layout is None:
        return "", "", ""
    return (
        passes.escape(layout.get("prefix") or ""),
        passes.escape(layout.get("suffix") or ""),
        passes.escape(layout.get("delimiter") or ""),
    )


def strip_affixes(html: str, affixes: tuple[str, str, str]) -> str:
    """A citation without the layout's prefix and suffix (when it has them)."""
    prefix, suffix, _ = affixes
    if (
        (prefix or suffix)
        and len(html) >= len(prefix) + len(suffix)
        and html.startswith(prefix)
        and html.endswith(suffix)
    ):
        return html[len(prefix) : len(html) - len(suffix)]
    return html


class _Session:
    """One engine session over the registered works, built when something must render."""

    def __init__(
        self,
        formatter: CslFormatter,
        works: Sequence[Work],
        ids: Mapping[str, str],
        *,
        sort: bool,
    ) -> None:
        from citekit.csl.engine import Processor

        items = [formatter.reference(work, item_id=ids[work.key]) for work in works]
        self.processor = Processor.for_style(formatter.style, items)
        if items:
            self.processor.register(self.processor.citation([{"id": it.key} for it in items]))
        if sort:
            self.processor.sort()
        self.count = 0

    def render(self, cites: Sequence[Mapping[str, Any]], note: int) -> str:
        self.count += 1
        citation = self.processor.citation(
            cites, citation_id=f"citation-{self.count}", note_index=note or None
        )
        self.processor.register(citation)
        return self.processor.cite(citation)


def work_digest(formatter: CslFormatter, work: Work) -> str:
    """A digest of what the engine reads of a work."""
    from citekit.csl.items import fingerprint

    return fingerprint(formatter.reference(work, item_id="item"))


def render_clusters(
    formatter: CslFormatter,
    works: Mapping[str, Work],
    clusters: Sequence[EngineCluster],
    *,
    nocite: Sequence[str] = (),
    bibliography: bool = True,
    cache: Cache | None = None,
    fingerprint: str = "",
    stats: CacheStats | None = None,
) -> EngineResult:
    """Render the clusters of a document and the bibliography of the works it cites.

    Every key in ``clusters`` and ``nocite`` must be in ``works``. With a
    ``cache``, engine citations, the registry and the bibliography are read
    from it when their inputs are unchanged, and stored otherwise.
    """
    stats = stats if stats is not None else CacheStats()
    root = formatter.style.root
    style_id = digest(fingerprint, style_digest(formatter))
    order: list[str] = []
    seen: set[str] = set()
    for cluster in clusters:
        for cite in cluster.cites:
            if cite.key not in seen:
                seen.add(cite.key)
                order.append(cite.key)
    for key in nocite:
        if key not in seen:
            seen.add(key)
            order.append(key)
    ids = {key: f"item-{number}" for number, key in enumerate(order)}
    digests = {key: work_digest(formatter, works[key]) for key in order}
    registry_key = digest(style_id, [(key, digests[key]) for key in order])
    session: _Session | None = None
    has_bibliography = bool(formatter.style.has_bibliography)

    def new_session(registry_order: Sequence[str] | None) -> _Session:
        if registry_order is None:
            return _Session(formatter, [works[k] for k in order], ids, sort=True)
        return _Session(formatter, [works[k] for k in registry_order], ids, sort=False)

    # The registry: the works in bibliography order, and their disambiguation.
    registry = cache.get("registry", registry_key) if cache is not None else None
    states_json: dict[str, Any] | None = None
    injectable = not _uses_citation_label(root)
    if (
        isinstance(registry, dict)
        and isinstance(registry.get("order"), list)
        and sorted(registry["order"]) == sorted(order)
    ):
        registry_order: list[str] = registry["order"]
        states_json = registry.get("states") if isinstance(registry.get("states"), dict) else None
        stats.registry_hit = True
    else:
        session = new_session(None)
        key_of = {v: k for k, v in ids.items()}
        registry_order = [key_of[item_id] for item_id in session.processor.keys]
        computed = session.processor.disambiguation() if order else {}
        if computed is not None:
            states_json = {key_of[i]: state for i, state in computed.items() if i in key_of}
        if cache is not None:
            cache.put("registry", registry_key, {"order": registry_order, "states": states_json})
    number_of = {key: index + 1 for index, key in enumerate(registry_order)}

    def context(key: str) -> Any:
        state = states_json.get(key) if states_json is not None else registry_key
        return [key, digests[key], number_of.get(key), state]

    # Positions, and the engine citations each cluster needs.
    options = root.find(f"{_CSL_NS}citation")
    distance = 5
    if options is not None:
        try:
            distance = int(options.get("near-note-distance") or 5)
        except ValueError:
            distance = 5
    tracker = PositionTracker(distance)
    with_positions = _positions_matter(root)
    requests: list[tuple[list[dict[str, Any]], int, str]] = []
    layout: list[list[int]] = []  # per cluster: indices of its requests
    for cluster in clusters:
        positions = _cluster_positions(tracker, cluster.cites, cluster.note, cluster.counts)
        objects = []
        for cite, (position, near, first) in zip(cluster.cites, positions, strict=True):
            obj: dict[str, Any] = {"id": ids[cite.key], "position": position, "near-note": near}
            if first is not None:
                obj["first-reference-note-number"] = first
            if cite.locator is not None:
                obj["locator"] = cite.locator
                obj["label"] = cite.label or "page"
            if cite.prefix:
                obj["prefix"] = cite.prefix
            if cite.suffix:
                obj["suffix"] = cite.suffix
            if cite.suppress_author:
                obj["suppress-author"] = True
            if cite.author_only:
                obj["author-only"] = True
            objects.append((cite, obj, (position, near, first)))
        wanted: list[list[tuple[CiteSpec, dict[str, Any], Any]]] = []
        if cluster.form == "whole":
            wanted.append(objects)
        elif cluster.form == "year":
            wanted.append([(c, {**o, "suppress-author": True}, p) for c, o, p in objects])
        elif cluster.form == "author":
            wanted += [[(c, {**o, "author-only": True}, p)] for c, o, p in objects]
        elif cluster.form == "in-text":
            for c, o, p in objects:
                plain = {k: v for k, v in o.items() if k not in ("prefix", "suffix")}
                wanted.append([(c, {**plain, "author-only": True}, p)])
                wanted.append([(c, {**o, "suppress-author": True}, p)])
        elif cluster.form == "in-text-note":
            # a note style: the authors in the text, one note without them
            for c, o, p in objects:
                plain = {k: v for k, v in o.items() if k not in ("prefix", "suffix")}
                wanted.append([(c, {**plain, "author-only": True}, p)])
            wanted.append([(c, {**o, "suppress-author": True}, p) for c, o, p in objects])
        else:
            raise CitekitError(f"unknown cluster form {cluster.form!r}")
        indices = []
        for one in wanted:
            key = digest(
                style_id,
                [context(c.key) for c, _, _ in one],
                [
                    [c.key, {k: v for k, v in o.items() if k != "id"}]
                    if with_positions
                    else [
                        c.key,
                        {
                            k: v
                            for k, v in o.items()
                            if k
                            not in ("id", "position", "near-note", "first-reference-note-number")
                        },
                    ]
                    for c, o, _ in one
                ],
            )
            indices.append(len(requests))
            requests.append(([o for _, o, _ in one], cluster.note, key))
        layout.append(indices)

    bucket = f"citations-{style_id[:24]}"
    texts: list[str | None] = [None] * len(requests)
    if cache is not None:
        for index, (_, _, key) in enumerate(requests):
            found = cache.lookup(bucket, key)
            if isinstance(found, str):
                texts[index] = found
    missing = [i for i, t in enumerate(texts) if t is None]
    stats.citations_reused = len(requests) - len(missing)
    stats.citations_rendered = len(missing)

    def ensure_session() -> _Session:
        nonlocal session
        if session is None:
            session = new_session(registry_order)
            if states_json is not None and injectable:
                try:
                    session.processor.adopt_disambiguation(
                        {ids[k]: v for k, v in states_json.items() if k in ids}
                    )
                except ValueError:  # a cached result this engine does not read
                    session = new_session(registry_order)
        return session

    if missing:
        engine = ensure_session()
        for index in missing:
            cites, note, key = requests[index]
            text = _guarded(
                formatter, works, cites, ids, functools.partial(engine.render, cites, note)
            )
            texts[index] = text
            if cache is not None:
                cache.store(bucket, key, text)

    entries: list[tuple[str, str]] = []
    if bibliography and has_bibliography and order:
        bib_key = digest(style_id, registry_key, "bibliography")
        stored = cache.get("bibliography", bib_key) if cache is not None else None
        if isinstance(stored, list) and all(
            isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)
            for e in stored
        ):
            entries = [(e[0], e[1]) for e in stored]
            stats.bibliography_hit = True
        else:
            engine = ensure_session()
            key_of = {v: k for k, v in ids.items()}
            raw = _guarded(formatter, works, [], ids, engine.processor.bibliography)
            entries = [(key_of.get(item_id, item_id), text) for item_id, text in raw]
            if cache is not None:
                cache.put("bibliography", bib_key, [list(e) for e in entries])
    if cache is not None:
        cache.flush()
    out = tuple(tuple(str(texts[i]) for i in indices) for indices in layout)
    return EngineResult(out, tuple(entries), tuple(registry_order))


def _guarded(
    formatter: CslFormatter,
    works: Mapping[str, Work],
    objects: Sequence[Mapping[str, Any]],
    ids: Mapping[str, str],
    action: Any,
) -> Any:
    """Run an engine action; its failures become citekit's errors naming the work."""
    from citekit.formatters.csl import Cite, RenderError

    try:
        return action()
    except CitekitError:
        raise
    except Exception as error:
        key_of = {v: k for k, v in ids.items()}
        keys = [key_of.get(str(o.get("id")), "") for o in objects] or list(works)
        for key in keys[:20]:
            if key in works:
                formatter.document([works[key]], [Cite(key)])  # raises a RenderError naming it
        raise RenderError(
            f"style {formatter.style_name!r} cannot render: {type(error).__name__}: {error}",
            style=formatter.style_name,
            key=None,
            cause=error,
        ) from error


def capitalize_first(html: str) -> str:
    """Engine HTML with its first letter made upper case (a note starts a sentence)."""
    position = 0
    while position < len(html):
        if html[position] == "<":
            end = html.find(">", position)
            if end < 0:
                return html
            position = end + 1
            continue
        if html[position] == "&":
            match = re.match(
                r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", html[position:]
            )
            if match:
                return html  # a character reference first: leave it
        char = html[position]
        if char.isalpha():
            return html[:position] + char.upper() + html[position + 1 :]
        if not char.isspace() and char not in "“‘\"'([¿¡":
            return html
        position += 1
    return html
