"""citekit.csl.items: the engine's items made from works directly equal those made
through their CSL-JSON items, field by field and in rendered output."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import citekit
from citekit.csl import items
from citekit.csl.engine import Processor
from citekit.errors import FormatError
from citekit.formats.csl import work_from_item
from citekit.formatters.csl import CslFormatter
from citekit.model import Date, DateParts, FrozenMap, Person, Season, Work, WorkType
from citekit.model.work import Role
from strategies import works

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
CORPUS_FILES = (
    "healy-socbib.bib",
    "heppler-history.bib",
    "heppler-digital-history.bib",
    "biblatex-examples.bib",
)
STYLES = ("apa", "chicago-author-date", "ieee", "chicago-notes-bibliography")


@functools.cache
def corpus(name: str) -> list[Work]:
    return list(citekit.load(CORPUS / name).values())


def difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two engine values differ, types included (``0 == False``, ``NoCase("x") ==
    String("x")`` and ``Date == dict`` hold for ``==``, not here); None if nowhere."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} != {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a.keys() ^ b.keys())}"
        for key in a:
            found = difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} != {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def through_csl(work: Work, item_id: str = "item-1") -> Any:
    return items.from_csl(items.to_csl(work, item_id))


def test_difference_sees_types() -> None:
    from citeproc.string import MixedString, NoCase, String

    assert difference({"a": 0}, {"a": False})
    assert difference(MixedString([String("x")]), MixedString([NoCase("x")]))
    assert difference({"a": [1]}, {"a": [1, 2]})
    assert difference({"a": 1}, {"b": 1})
    assert difference({"a": MixedString([String("x")])}, {"a": MixedString([String("x")])}) is None


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_corpus_work_gives_the_same_item_both_ways(name: str) -> None:
    checked = 0
    for work in corpus(name):
        found = difference(items.from_work(work, "item-1"), through_csl(work))
        assert found is None, f"{name} {work.key}: {found}"
        checked += 1
    assert checked > 80


_BIDI = st.text(
    st.sampled_from(list("ab ,;\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
)


@st.composite
def bidi_works(draw: st.DrawFn) -> Work:
    """Works with bidirectional controls in text, names, keywords, variables and dates."""
    work = draw(works())
    title = draw(_BIDI.map(str.strip).filter(bool))
    literal = draw(st.booleans())
    person = Person(literal="x" + draw(_BIDI)) if literal else Person(family="x" + draw(_BIDI))
    return attrs.evolve(
        work,
        title=title,
        rich={k: v for k, v in work.rich.items() if k != "title"},
        contributors={**{g.role: g.persons for g in work.contributors}, Role.EDITOR: [person]},
        keywords=[*work.keywords, "k" + draw(_BIDI)],
        variables={**work.variables, "archive": draw(_BIDI), "locator": (draw(_BIDI), 3)},
        issued=Date(literal="1990" + draw(_BIDI)) if draw(st.booleans()) else work.issued,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(works(), bidi_works()))
def test_any_work_gives_the_same_item_both_ways(work: Work) -> None:
    try:
        direct = items.from_work(work, "Item-1")
    except FormatError as error:
        with pytest.raises(FormatError) as raised:
            through_csl(work)
        assert str(raised.value) == str(error)
        return
    assert difference(direct, through_csl(work, "Item-1")) is None


@pytest.mark.parametrize(
    "date",
    [
        Date(start=DateParts(1944)),
        Date(start=DateParts(1944, 3, 5), circa=True),
        Date(start=DateParts(-44, 3)),
        Date(start=DateParts(0)),
        Date(start=DateParts(1944, season=Season.WINTER), uncertain=True),
        Date(start=DateParts(1944, season=Season.SPRING), end=DateParts(1945, 6)),
        Date(start=DateParts(1930), open_end=True, circa=True),
        Date(end=DateParts(1930, 2), open_start=True),
        Date(literal="Spring term, 1920s"),
    ],
    ids=str,
)
def test_dates_read_alike(date: Date) -> None:
    work = Work(key="k", type=WorkType.BOOK, issued=date, accessed=date)
    assert difference(items.from_work(work, "i"), through_csl(work, "i")) is None


def test_what_the_engine_reads_of_a_work() -> None:
    from citeproc.source import DateRange, Name, Reference
    from citeproc.string import MixedString, NoCase, String

    work = Work(
        key="Doe2020",
        type=WorkType.ARTICLE_JOURNAL,
        title="The <b> element of AT&T",
        rich={"title": 'The <span class="nocase">&lt;b&gt;</span> element of <i>AT&amp;T</i>'},
        contributors={Role.AUTHOR: [Person(family="Doe", given="Jane\u202b")]},
        issued=Date(start=DateParts(2019), end=DateParts(2020, 2), circa=True),
        language="en",
        volume="xxvii",
        variables={"archive": "Box 3", "custom": FrozenMap({"x": 1})},
        keywords=["a", "b"],
    )
    reference = items.from_work(work, "Item-7")
    assert isinstance(reference, Reference)
    assert reference.key == "item-7"
    assert reference.type == "article-journal"
    assert reference["title"] == MixedString(
        [String("The "), NoCase("<b>"), String(" element of <i>AT&T</i>")]
    )
    assert [type(piece) for piece in reference["title"]] == [String, NoCase, String]
    assert reference["author"] == [Name(family="Doe", given="Jane\u202b\u202c")]
    assert isinstance(reference["issued"], DateRange)
    assert reference["issued"]["circa"] is True
    assert reference["issued"]["begin"] == {"year": 2019, "circa": False}
    assert reference["issued"]["end"] == {"year": 2020, "month": 2, "circa": False}
    assert reference["language"] == "en"
    assert reference["citation_key"] == MixedString([String("Doe2020")])
    assert reference["keyword"] == MixedString([String("a, b")])
    assert "custom" not in reference


def test_items_from_zotero_notes_read_alike() -> None:
    item = {
        "id": "http://zotero.org/users/1/items/ABCD2345",
        "type": "article-journal",
        "citation-key": "doe2020",
        "title": "A title",
        "container-title": "Journal of Examples",
        "journalAbbreviation": "J. Ex.",
        "author": [{"family": "Doe", "given": "Jane"}],
        "note": "Original Date: 1990\nPublisher: Example Press\ntex.howpublished: by hand",
    }
    work = work_from_item(item)
    assert work is not None and work.key == "doe2020"
    direct = items.from_work(work, "item-1")
    assert difference(direct, through_csl(work)) is None
    # back in the note, as work_to_item writes it, and read from there as
    # citeproc-js reads the item: the note keeps the line it cannot read
    assert str(direct["original_date"]["year"]) == "1990"
    assert str(direct["publisher"]) == "Example Press"
    assert str(direct["note"]) == "tex.howpublished: by hand"
    assert str(direct["container_title_short"]) == "J. Ex."


def test_variables_id_or_type_are_refused_both_ways() -> None:
    work = Work(key="k", type=WorkType.BOOK, variables={"type": "x"})
    with pytest.raises(FormatError, match="would replace the item's type"):
        items.from_work(work, "k")
    with pytest.raises(FormatError, match="would replace the item's type"):
        items.to_csl(work, "k")


def test_csl_json_items_are_read_as_before() -> None:
    reference = items.from_csl(
        {
            "id": 12,
            "title": 'A <span class="nocase">DNA</span> study',
            "director": [{"family": "Lang"}],
            "submitted": {"raw": "1999-04"},
            "available-date": {"raw": "not a date"},
            "shortTitle": "Short",
            "key": "ignored",
            "number": 5,
        }
    )
    assert reference.key == "12"
    assert reference.type == ""
    assert [str(piece) for piece in reference["title"]] == ["A ", "DNA", " study"]
    assert reference["director"][0]["family"] == "Lang"
    assert reference["submitted"] == {"year": 1999, "month": 4, "circa": 0}
    assert reference["available_date"]["text"] == "not a date"
    assert str(reference["title_short"]) == "Short"
    assert str(reference["number"]) == "5"
    assert "key" not in {k for k in reference if k != "key"} and reference.key == "12"


def test_formatter_item_is_the_csl_json_item() -> None:
    work = corpus("healy-socbib.bib")[0]
    formatter = CslFormatter("apa")
    item = formatter.item(work)
    assert item["id"] == work.key and item["citation-key"] == work.key
    assert "custom" not in item
    assert formatter.item(work, item_id="x")["id"] == "x"
    assert difference(formatter.reference(work), items.from_csl(item)) is None
    # each reference is the processor's own
    assert formatter.reference(work) is not formatter.reference(work)


def test_fingerprint_follows_what_the_engine_reads() -> None:
    work = corpus("healy-socbib.bib")[0]
    same = items.fingerprint(items.from_work(work, "a"))
    assert items.fingerprint(items.from_work(work, "b")) == same
    assert items.fingerprint(through_csl(work)) == same
    changed = attrs.evolve(work, title=(work.title or "") + " again", rich={})
    assert items.fingerprint(items.from_work(changed, "a")) != same
    extra = attrs.evolve(work, extra={**work.extra, "unrendered": "x"})
    assert items.fingerprint(items.from_work(extra, "a")) == same


def test_rendering_builds_no_csl_json_item(monkeypatch: pytest.MonkeyPatch) -> None:
    from citekit.manuscript import render_manuscript

    library = citekit.load(CORPUS / "heppler-history.bib")
    chosen = list(library.values())[:40]
    key = chosen[3].key

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a CSL-JSON item was made to render")

    monkeypatch.setattr("citekit.csl.items.to_csl", refused)
    monkeypatch.setattr("citekit.formats.csl.work_to_item", refused)
    for style in ("apa", "chicago-notes-bibliography"):
        formatter = CslFormatter(style)
        assert len(formatter.bibliography(chosen)) == len(chosen)
        assert formatter.cite(chosen, key, locator="4")
        assert formatter.document(chosen, [key, key]).citations
    assert render_manuscript(f"Text [@{key}, 3].", library)


def _rendered(style: str, works: list[Work], make: Any) -> tuple[list[str], list[Any]]:
    """Citations (one per work) and the bibliography of a processor fed ``make(work, id)``."""
    formatter = CslFormatter(style, output="html")
    fed = [make(formatter, work, f"item-{number}") for number, work in enumerate(works)]
    processor = Processor.for_style(formatter.style, fed)
    processor.register(processor.citation([{"id": f"item-{n}"} for n in range(len(works))]))
    citations = [
        processor.citation([{"id": f"item-{n}"}], citation_id=f"c{n}", note_index=n + 1)
        for n in range(len(works))
    ]
    for citation in citations:
        processor.register(citation)
    processor.sort()
    texts = [processor.cite(citation) for citation in citations]
    return texts, processor.bibliography()


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_renders_alike_both_ways(name: str, style: str) -> None:
    """Bibliography and one citation per work: the direct path against ``Processor``
    fed :meth:`CslFormatter.item` dicts."""
    chosen = corpus(name)
    direct = _rendered(style, chosen, lambda f, w, i: f.reference(w, item_id=i))
    via_json = _rendered(style, chosen, lambda f, w, i: f.item(w, item_id=i))
    assert direct[0] == via_json[0]
    assert direct[1] == via_json[1]
    assert len(direct[0]) == len(chosen)
    # (chicago-notes-bibliography leaves 46 manuscripts and documents of
    # healy-socbib.bib, unpublished and without an archive, out of its bibliography)
    assert len(direct[1]) > len(chosen) * 0.9


def test_formatter_output_is_the_processor_output() -> None:
    """CslFormatter's bibliography is what Processor renders of the CSL-JSON items."""
    from citekit.csl.output import convert

    chosen = corpus("biblatex-examples.bib")[:60]
    formatter = CslFormatter("chicago-author-date", output="html")
    _, entries = _rendered("chicago-author-date", chosen, lambda f, w, i: f.item(w, item_id=i))
    by_id = {f"item-{n}": work.key for n, work in enumerate(chosen)}
    assert [(e.key, e.text) for e in formatter.bibliography(chosen)] == [
        (by_id[item_id], convert(text, "html").strip()) for item_id, text in entries
    ]
