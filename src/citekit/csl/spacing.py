"""The space between a cite and its prefix or suffix, where the user left none.

Word processors and reference managers often store a cite's prefix and
suffix without the space that separates them from the cite ("see" for "see
", "p. 5" for " p. 5"). citeproc-js puts the space in, and so does citekit,
by the same observable rule:

* after a prefix whose last visible character is a letter of an alphabet that
  separates words with spaces, a digit, or one of ``. , ; : ! ? ) ] » " '
  ” ’ &``; not after opening punctuation, dashes, slashes or other symbols,
  nor after Chinese, Japanese or Korean text;
* before a suffix whose first visible character is such a letter, or one of
  ``( [ &``; not before digits or punctuation (",x", "; and more", ".").

A prefix or suffix that already has white space at that end is left as it is.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["spaced_prefix", "spaced_suffix"]

_TAG = re.compile(r"<[^>]*>")
_AFTER_PREFIX = frozenset(".,;:!?)]»\"'\u201d\u2019&")
_BEFORE_SUFFIX = frozenset("([&")


def _spaced_letter(char: str) -> bool:
    """A letter of a script that puts spaces between words (not CJK), or a digit."""
    if not unicodedata.category(char).startswith("L"):
        return False
    return unicodedata.east_asian_width(char) not in ("W", "F")


def _visible(text: str) -> str:
    """``text`` without CSL-JSON's markup tags."""
    return _TAG.sub("", text) if "<" in text else text


def spaced_prefix(prefix: str) -> str:
    """``prefix`` with a space after it when the cite would otherwise touch it."""
    visible = _visible(prefix)
    if not visible or visible[-1].isspace():
        return prefix
    last = visible[-1]
    if last in _AFTER_PREFIX or last.isdigit() or _spaced_letter(last):
        return prefix + " "
    return prefix


def spaced_suffix(suffix: str) -> str:
    """``suffix`` with a space before it when it would otherwise touch the cite."""
    visible = _visible(suffix)
    if not visible or visible[0].isspace():
        return suffix
    first = visible[0]
    if first in _BEFORE_SUFFIX or _spaced_letter(first):
        return " " + suffix
    return suffix
