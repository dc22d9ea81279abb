"""Small CSL styles written inline in tests, parsed as citekit's engine parses styles."""

from __future__ import annotations

from typing import Any

from citekit.csl.engine import citeproc_style
from citekit.csl.styles import load_style


def style(citation: str, bibliography: str = "", *, cls: str = "in-text") -> Any:
    """A style of class ``cls`` with the given ``cs:citation`` and ``cs:bibliography`` XML."""
    xml = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="{cls}" version="1.0">
      <info><id/><title/><updated>2024-01-01T00:00:00+00:00</updated></info>
      {citation}
      {bibliography}
    </style>"""
    return citeproc_style(load_style(xml.encode("utf-8")))
