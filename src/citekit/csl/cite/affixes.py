"""A cite's affixes and the delimiters between the cites of a citation.

The layout's affixes and delimiter are style text (escaped); a cite's
``prefix`` and ``suffix`` are the user's rich text (CSL-JSON markup, straight
quotes in the locale's terms). A prefix that starts with punctuation
(", cited in") stands in for the layout delimiter before the cite.
"""

from __future__ import annotations

import re
from typing import Any

from citeproc import model

from citekit.csl import passes
from citekit.csl.cite.session import as_text
from citekit.csl.locale import locale_quotes
from citekit.csl.spacing import spaced_prefix, spaced_suffix

__all__ = [
    "PUNCTUATION_OPENERS",
    "OwnDelimiter",
    "StopSuffix",
    "affix_html",
    "cite_affixes",
    "ends_sentence",
    "join_cites",
    "marked",
]


def cite_affixes(layout: Any, prefix: str, output: Any, suffix: str) -> str:
    """A cite's output between its prefix and suffix, read as rich text.

    The user's affixes may carry CSL-JSON markup and quotes (in the
    locale's terms); anything else in them is escaped. A prefix or suffix
    typed without the space that parts it from the cite gets one
    (:mod:`citekit.csl.spacing`).
    """
    quotes = locale_quotes(layout)
    prefix, suffix = spaced_prefix(prefix), spaced_suffix(suffix)
    return affix_html(prefix, quotes) + as_text(output) + affix_html(suffix, quotes)


def marked(output: str, prefix: str, suffix: str) -> str:
    """A cite's output, marked for :func:`join_cites` by what its affixes start and end with."""
    own = prefix[:1] in PUNCTUATION_OPENERS
    stop = suffix.endswith((".", ","))
    if own or stop:
        return _MARKED[own, stop](output)
    return output


def join_cites(layout: Any, out: list[tuple[Any, str | None]]) -> Any:
    """The cites' outputs joined, each followed by its delimiter (None: the layout's)."""
    delimiter = layout.delimiter()
    result: Any = None
    for index, (output, _) in enumerate(out):
        if result is None:
            result = output
            continue
        previous_after = out[index - 1][1]
        separator = previous_after if previous_after is not None else delimiter
        if isinstance(output, OwnDelimiter):
            separator = ""
        elif isinstance(out[index - 1][0], StopSuffix):
            separator = separator.lstrip(_DELIMITER_PUNCTUATION)
        result = model.join([result, output], separator)
    return result if result is not None else ""


PUNCTUATION_OPENERS = frozenset(",.;:!?")


class OwnDelimiter(str):
    """A cite's output whose prefix starts with punctuation: no layout delimiter before it.

    As in citeproc-js: a prefix such as ", cited in " or ". He said " takes
    the place of the delimiter between this cite and the one before.
    """

    __slots__ = ()


class StopSuffix(str):
    """A cite's output whose suffix ends with a full stop or a comma.

    As in citeproc-js: the punctuation of the layout delimiter after it is
    dropped, its space kept ("... for a discussion. See also ...").
    """

    __slots__ = ()


class _OwnDelimiterStopSuffix(OwnDelimiter, StopSuffix):
    """Both: punctuation opens the prefix, a full stop or comma ends the suffix."""

    __slots__ = ()


_MARKED: dict[tuple[bool, bool], type[str]] = {
    (True, False): OwnDelimiter,
    (False, True): StopSuffix,
    (True, True): _OwnDelimiterStopSuffix,
}
_DELIMITER_PUNCTUATION = ";,.:"

_LITERAL_QUOTES = {"\u2018": "\ue010", "\u2019": "\ue011"}


def affix_html(text: str, quotes: passes.Quotes) -> str:
    """A cite's prefix or suffix (user text) as intermediate HTML.

    CSL-JSON markup and straight quotes are read as in fields (quotes in the
    locale's terms, flipped when nested); typographic single quotes are kept
    as typed. Punctuation typed right after a quote inside the affix stays
    where it is: only punctuation at the seams with the cite moves into
    quotes.
    """
    if not text:
        return ""
    for mark, placeholder in _LITERAL_QUOTES.items():
        text = text.replace(mark, placeholder)
    rendered = passes.rich_text(text, quotes)
    for mark, placeholder in _LITERAL_QUOTES.items():
        rendered = rendered.replace(placeholder, mark)
    return re.sub(f"(?<={re.escape(passes.QUOTE_CLOSE)})(?=[.,;:!?])", passes.PROTECT, rendered)


def ends_sentence(prefix: str) -> bool:
    """Whether text after ``prefix`` starts a sentence.

    With no prefix, or one of several words ending in . ! or ? (closing quotes
    aside). As in citeproc-js, a prefix of one word ("Nocapsafter.", "e.g.",
    "Hi!") may be an abbreviation: what follows keeps its case.
    """
    text = prefix.strip()
    if not text:
        return True
    stripped = text.rstrip("\u201d\u2019\"')")
    return len(text.split()) > 1 and stripped.endswith((".", "!", "?"))
