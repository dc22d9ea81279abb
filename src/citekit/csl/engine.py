"""citekit's CSL engine: citeproc-py's machinery with citekit's element classes.

Styles are parsed by :mod:`citekit.csl.styles` with the classes of
:mod:`citekit.csl.elements` (citeproc-py's, where citekit has no fix of its
own). :func:`citeproc_style` hands such a style to citeproc-py's rendering
front end. :class:`CitekitEngine` runs the CSL test suite
(:mod:`citekit.csl.suite`) with it, so every fix is measured against the
reference processor's expected output.
"""

from __future__ import annotations

from typing import Any

from citekit.csl.styles import Style, load_style
from citekit.csl.suite import CiteprocPyEngine

__all__ = ["CitekitEngine", "citeproc_style"]


def citeproc_style(style: Style) -> Any:
    """A citeproc-py ``CitationStylesStyle`` over an already parsed :class:`Style`.

    citeproc-py keeps per-rendering state (the output formatter) on the style
    root, so a Style is rendered by one session at a time.
    """
    from citeproc import CitationStylesStyle

    wrapper = CitationStylesStyle.__new__(CitationStylesStyle)
    wrapper.xml = style.root.getroottree()
    wrapper.root = style.root
    return wrapper


class CitekitEngine(CiteprocPyEngine):
    """The conformance harness's engine for citekit (see :mod:`citekit.csl.suite`)."""

    name = "citekit"

    def make_style(self, csl: str) -> Any:
        """The fixture's style, parsed and set up by citekit."""
        return citeproc_style(load_style(csl.encode("utf-8")))
