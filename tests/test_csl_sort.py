"""Sorting: a citation sort's key values, kept by the session, give what rendering gives.

A session keeps the value of each citation sort key for each cite it has
sorted (``Session.sort_values``), so a work cited again is not rendered
again for it. The value must be the one rendering would give: the cache key
covers the cite's fields (its locator when the key reads it), the session's
year suffix, the citation number and whether the work was cited before
(``et-al-subsequent-*``). The works are real ones, from
tests/corpus/healy-socbib.bib.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import citekit
from citekit.csl.elements import names
from citekit.csl.styles import load_style
from citekit.formatters.csl import Citation, Cite, CslFormatter

pytest.importorskip("citeproc")

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"

# The citation sort reads the locator and names that depend on whether the
# work was cited before (two names the first time, one after).
LOCATOR_STYLE = b"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Sort by locator</title><id>sort-by-locator</id>
    <updated>2024-01-01T00:00:00+00:00</updated></info>
  <macro name="names-then-locator">
    <names variable="author"><name/></names>
    <text macro="locator"/>
  </macro>
  <macro name="locator"><text variable="locator"/></macro>
  <citation et-al-min="3" et-al-use-first="1" et-al-subsequent-min="2"
            et-al-subsequent-use-first="1" disambiguate-add-year-suffix="true">
    <sort>
      <key macro="names-then-locator" sort="descending"/>
      <key variable="issued"/>
    </sort>
    <layout prefix="(" suffix=")" delimiter="; ">
      <group delimiter=", ">
        <names variable="author"><name form="short"/></names>
        <date variable="issued"><date-part name="year"/></date>
        <text variable="locator"/>
      </group>
    </layout>
  </citation>
</style>
"""


@pytest.fixture(scope="module")
def works() -> list[citekit.Work]:
    library = citekit.load(CORPUS / "healy-socbib.bib")
    two = [work for work in library.values() if len(work.authors) == 2][:12]
    others = list(library.values())[::50][:30]
    return two + [work for work in others if work not in two]


def document(works: list[citekit.Work], seed: int) -> list[Citation]:
    """Clusters of two to four cites, works cited again, with and without locators."""
    rng = random.Random(seed)
    keys = [work.key for work in works]
    out = []
    for note in range(1, 161):
        chosen = rng.sample(keys[:16] if rng.random() < 0.6 else keys, rng.randint(2, 4))
        cites = tuple(
            Cite(key, locator=str(rng.choice([3, 12, 40])) if rng.random() < 0.5 else None)
            for key in chosen
        )
        out.append(Citation(cites, note=note))
    return out


@pytest.mark.parametrize(
    "style_name", ["locator", "apa", "american-sociological-association", "elsevier-harvard"]
)
def test_kept_values_give_what_rendering_gives(
    style_name: str, works: list[citekit.Work], monkeypatch: pytest.MonkeyPatch
) -> None:
    style = LOCATOR_STYLE if style_name == "locator" else style_name
    citations = document(works, seed=len(style_name))
    tokens: list[object] = []
    cite_token = names.cite_token

    def counted(*args: object, **kwargs: object) -> object:
        token = cite_token(*args, **kwargs)  # type: ignore[arg-type]
        tokens.append(token)
        return token

    monkeypatch.setattr(names, "cite_token", counted)
    kept = CslFormatter(style, output="text").document(works, citations).citations
    assert None not in tokens
    assert len(set(tokens)) < len(tokens) / 2  # (values were kept, and used)
    monkeypatch.setattr(names, "cite_token", lambda *args, **kwargs: None)
    fresh = CslFormatter(style, output="text").document(works, citations).citations
    assert kept == fresh


def test_reads_locator() -> None:
    namespaces = {"cs": "http://purl.org/net/xbiblio/csl"}
    style = load_style(LOCATOR_STYLE)
    by_macro, by_variable = list(style.root.citation.find("cs:sort", namespaces))
    assert names._reads_locator(by_macro)  # (through a macro it calls)
    assert not names._reads_locator(by_variable)
    apa = CslFormatter("apa").style.root
    assert not any(names._reads_locator(key) for key in apa.citation.find("cs:sort", namespaces))
