"""A cite's prefix and suffix get the space the user left out, as citeproc-js adds it.

The table is what citeproc-js (1.4) printed for each prefix and suffix
before or after the title "Title" (probed with a one-element style).
"""

from __future__ import annotations

import pytest

from citekit.csl.spacing import spaced_prefix, spaced_suffix

SPACED_AFTER_PREFIX = [*"a1.,;:!?\u201d\u2019)]»\"'&éБΩ", "ab.", "<i>My Prefix</i>", "see"]
TOUCHING_AFTER_PREFIX = [*"-–—/([«“‘*+=_§#%…中", "see ", "x-", "see\u00a0", ""]
SPACED_BEFORE_SUFFIX = [*"a([&éБΩ", "p. 5", "and", "<i>x</i>"]
TOUCHING_BEFORE_SUFFIX = [*"1.,;:!?”’)]»\"'-–—/«“‘*+=_§#%…中", ",x", "; and more", " more", ""]


@pytest.mark.parametrize("prefix", SPACED_AFTER_PREFIX)
def test_a_space_follows_a_prefix_ending_in_a_word_or_closing_punctuation(prefix: str) -> None:
    assert spaced_prefix(prefix) == prefix + " "


@pytest.mark.parametrize("prefix", TOUCHING_AFTER_PREFIX)
def test_no_space_follows_opening_punctuation_dashes_symbols_or_cjk(prefix: str) -> None:
    assert spaced_prefix(prefix) == prefix


@pytest.mark.parametrize("suffix", SPACED_BEFORE_SUFFIX)
def test_a_space_precedes_a_suffix_opening_with_a_word(suffix: str) -> None:
    assert spaced_suffix(suffix) == " " + suffix


@pytest.mark.parametrize("suffix", TOUCHING_BEFORE_SUFFIX)
def test_no_space_precedes_a_suffix_opening_with_punctuation_or_a_digit(suffix: str) -> None:
    assert spaced_suffix(suffix) == suffix


def test_cites_rendered_with_compact_affixes() -> None:
    import citekit
    from citekit.formatters.csl import Cite

    library = citekit.load("examples/serge/serge.bib")
    formatter = citekit.formatter("csl", style="chicago-author-date", output="text")
    works = list(library.values())
    key = works[0].key
    plain = formatter.cite(works, [Cite(key)])
    compact = formatter.cite(works, [Cite(key, prefix="see", suffix="and passim")])
    spaced = formatter.cite(works, [Cite(key, prefix="see ", suffix=" and passim")])
    assert compact == spaced
    assert compact == plain.replace("(", "(see ", 1).replace(")", " and passim)", 1)
