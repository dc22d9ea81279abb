"""A style's locale as citekit's renderer reads it: quote terms and options.

citeproc-py reads the style's locales and their terms; what citekit needs of
them in several places (the quote marks and ``punctuation-in-quote``, used
by text, names and citation affixes) is read here, once per style.
"""

from __future__ import annotations

import html
from typing import Any

from citekit.csl import passes

__all__ = ["locale_quotes"]


def locale_quotes(node: Any) -> passes.Quotes:
    """The quote terms and punctuation-in-quote option of ``node``'s locale (remembered)."""
    root = node.get_root()
    quotes: passes.Quotes | None = vars(root).get("_citekit_quotes")
    if quotes is None:
        quotes = vars(root)["_citekit_quotes"] = _locale_quotes(node)
    return quotes


def _locale_quotes(node: Any) -> passes.Quotes:
    def term(name: str, default: str) -> str:
        value = node.get_single_term(name=name)
        return html.unescape(str(value)) if value else default

    option = node.get_locale_option("punctuation-in-quote") or "false"
    return passes.Quotes(
        open=term("open-quote", "\u201c"),
        close=term("close-quote", "\u201d"),
        inner_open=term("open-inner-quote", "\u2018"),
        inner_close=term("close-inner-quote", "\u2019"),
        punctuation_in_quote=str(option).lower() == "true",
    )
