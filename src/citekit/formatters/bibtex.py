"""The ``bibtex`` formatter: one work as a clean BibTeX or BibLaTeX entry.

::

    >>> import citekit
    >>> work = citekit.Work(key="serge1944", type="book", title="Lenin's Heir?")
    >>> print(citekit.formatter("bibtex").format(work))
    @book{serge1944,
      title = {Lenin's Heir?}
    }

It writes what the ``bibtex`` file format writes for a new work: LaTeX's
special characters escaped, markup as LaTeX commands (``<i>`` as
``\\textit{}``, case protection as braces), names in BibTeX order, dates as
``year``/``month`` (BibTeX) or ``date`` (BibLaTeX).
"""

from __future__ import annotations

from typing import Any

from citekit.errors import FormatError
from citekit.model.excerpts import Excerpt
from citekit.model.work import Work

__all__ = ["BibtexFormatter"]


class BibtexFormatter:
    """Render a :class:`~citekit.Work` as one BibTeX entry (an
    :class:`~citekit.Excerpt` as a ``@comment{citekit-excerpt{...}}`` block).

    Options:

    - ``biblatex``: BibLaTeX's types and field names (``@online``,
      ``journaltitle``, ``location``, ``date``) instead of BibTeX's
      (``@misc``, ``journal``, ``address``, ``year``/``month``);
    - ``ascii``: non-ASCII characters as LaTeX commands (``{\\"u}``);
    - ``indent``: the text before each field (two spaces).
    """

    name = "bibtex"

    def __init__(self, *, biblatex: bool = False, ascii: bool = False, indent: str = "  ") -> None:
        if not isinstance(indent, str) or indent.strip():
            raise FormatError(f"indent must be whitespace, got {indent!r}")
        self.biblatex = bool(biblatex)
        self.ascii = bool(ascii)
        self.indent = indent

    def format(self, obj: Any) -> str:
        """The entry for a Work, or the comment block for an Excerpt.

        Raises :class:`~citekit.FormatError` for anything else, or for a key
        BibTeX cannot hold (one with spaces, commas or braces).
        """
        from citekit.formats.bibtex import format_entry, format_excerpt

        if isinstance(obj, Work):
            return format_entry(obj, biblatex=self.biblatex, ascii=self.ascii, indent=self.indent)
        if isinstance(obj, Excerpt):
            return format_excerpt(obj)
        raise FormatError(
            f"the bibtex formatter formats a Work or an Excerpt, not {type(obj).__name__}"
        )
