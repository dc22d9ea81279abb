"""Small CSL styles written inline in tests, parsed as citekit's engine parses styles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from citekit.csl.engine import Processor, citeproc_style
from citekit.csl.styles import load_style


def style(citation: str, bibliography: str = "", *, cls: str = "in-text") -> Any:
    """A style of class ``cls`` with the given ``cs:citation`` and ``cs:bibliography`` XML."""
    xml = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="{cls}" version="1.0">
      <info><id/><title/><updated>2024-01-01T00:00:00+00:00</updated></info>
      {citation}
      {bibliography}
    </style>"""
    return citeproc_style(load_style(xml.encode("utf-8")))


def cite_each(csl: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each CSL-JSON item cited alone, in order, in one session of the style ``csl`` (XML)."""
    processor = Processor.for_style(load_style(csl.encode("utf-8")), items)
    out = []
    for item in items:
        citation = processor.citation([{"id": item["id"]}])
        processor.register(citation)
        out.append(processor.cite(citation))
    return out
