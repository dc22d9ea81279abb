"""The small HTML-like markup CSL-JSON uses inside text fields.

Tags: ``<i>``, ``<b>``, ``<sup>``, ``<sub>``, ``<span class="nocase">`` (case
protection) and ``<span style="font-variant:small-caps;">``. These helpers
escape plain text into it and strip it back to plain text.
"""

from __future__ import annotations

import html
import re

__all__ = ["TAGS", "escape", "strip_markup"]

#: The opening tags of the markup, as CSL-JSON writes them.
TAGS = (
    "<i>",
    "<b>",
    "<sup>",
    "<sub>",
    '<span class="nocase">',
    '<span style="font-variant:small-caps;">',
)

_TAG = re.compile(
    r"</?(?:i|b|sup|sub)>|<span\s+(?:class=\"nocase\"|style=\"font-variant:\s*small-caps;?\")>|</span>"
)


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so plain text can stand in marked-up text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _entity(match: re.Match[str]) -> str:
    # Only complete entities ("&amp;", "&#38;"); html.unescape alone would also
    # decode "&copy2" as "(c)2", which CSL-JSON written by hand may well hold.
    return html.unescape(match.group(0))


def strip_markup(text: str) -> str:
    """Remove the markup tags and decode complete entities: marked-up text to plain text."""
    return _ENTITY.sub(_entity, _TAG.sub("", text))
