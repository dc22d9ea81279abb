"""CSL cite positions: how a cite relates to the cites before it in the document.

CSL 1.0.2's ``position`` condition (``first``, ``subsequent``, ``ibid``,
``ibid-with-locator``, ``near-note``) and ``first-reference-note-number``
are decided from the citations rendered before a cite and their note
numbers. The numbers below are citeproc-js's (cite objects may give them).
"""

from __future__ import annotations

__all__ = ["FIRST", "IBID", "IBID_WITH_LOCATOR", "SUBSEQUENT"]

FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR = 0, 1, 2, 3
"""Positions as citeproc-js numbers them (and as cite objects may give them)."""
