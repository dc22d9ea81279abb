"""citekit: citations, bibliographies and quoted passages.

Keep the works you cite, the people who made them and the passages you quote,
and render them as BibTeX, as CSL references and citations, or as
blockquotes::

    import citekit
    library = citekit.load("refs.bib")
    work = library["serge1944"]
    print(work.title, work.authors, work.issued)

Heavy modules (bibtexparser, citeproc-py, lxml) load when first used, so
``import citekit`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citekit.errors import (
    CitekitError,
    DuplicateKeyError,
    FormatError,
    LossError,
    ParseError,
    PluginNotFoundError,
    StyleError,
    UnknownKeyError,
    WriteError,
)
from citekit.model import (
    OTHERS,
    Contributors,
    Date,
    DateParts,
    Excerpt,
    Library,
    Locator,
    LocatorLabel,
    Original,
    Person,
    Problem,
    QuotedIn,
    Role,
    Season,
    Work,
    WorkType,
)

if TYPE_CHECKING:
    from citekit.formatters import Formatter
    from citekit.io import load, loads, save
    from citekit.manuscript import render_manuscript
    from citekit.quotes import check_quote

__version__ = "0.1.0"

__all__ = [
    "OTHERS",
    "CitekitError",
    "Contributors",
    "Date",
    "DateParts",
    "DuplicateKeyError",
    "Excerpt",
    "FormatError",
    "Library",
    "Locator",
    "LocatorLabel",
    "LossError",
    "Original",
    "ParseError",
    "Person",
    "PluginNotFoundError",
    "Problem",
    "QuotedIn",
    "Role",
    "Season",
    "StyleError",
    "UnknownKeyError",
    "Work",
    "WorkType",
    "WriteError",
    "check_quote",
    "formatter",
    "load",
    "loads",
    "render_manuscript",
    "save",
]

_LAZY = {
    "check_quote": "citekit.quotes",
    "load": "citekit.io",
    "loads": "citekit.io",
    "render_manuscript": "citekit.manuscript",
    "save": "citekit.io",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'citekit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def formatter(name: str, **options: Any) -> Formatter:
    """A formatter plug-in by name (``"bibtex"``, ``"csl"``, ``"blockquote"``, ...).

    Options are passed to the formatter's constructor. An unknown name raises
    :class:`PluginNotFoundError` listing the installed formatters.
    """
    from citekit import plugins

    cls = plugins.load(plugins.FORMATTERS, name)
    try:
        instance: Formatter = cls(**options)
    except TypeError as error:
        raise CitekitError(f"formatter {name!r}: bad options: {error}") from None
    return instance
