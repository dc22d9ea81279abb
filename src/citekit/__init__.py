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

from typing import TYPE_CHECKING, Any, Literal, overload

from citekit.errors import (
    CitekitError,
    DuplicateKeyError,
    FormatError,
    LossError,
    ParseError,
    PluginNotFoundError,
    StyleError,
    StyleWarning,
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
    from citekit import keys
    from citekit.checks import check
    from citekit.duplicates import DuplicateGroup, find_duplicates
    from citekit.formatters import Formatter
    from citekit.formatters.bibtex import BibtexFormatter
    from citekit.formatters.blockquote import BlockquoteFormatter
    from citekit.formatters.csl import CslFormatter
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
    "DuplicateGroup",
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
    "StyleWarning",
    "UnknownKeyError",
    "Work",
    "WorkType",
    "WriteError",
    "check",
    "check_quote",
    "find_duplicates",
    "formatter",
    "keys",
    "load",
    "loads",
    "render_manuscript",
    "save",
]

_LAZY = {
    "DuplicateGroup": "citekit.duplicates",
    "check": "citekit.checks",
    "check_quote": "citekit.quotes",
    "find_duplicates": "citekit.duplicates",
    "load": "citekit.io",
    "loads": "citekit.io",
    "render_manuscript": "citekit.manuscript",
    "save": "citekit.io",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name == "keys":  # a submodule: citekit.keys.generate(...)
        value: Any = importlib.import_module("citekit.keys")
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'citekit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily loaded functions (``load``, ``save``, ...) included."""
    return sorted(set(globals()) | set(__all__))


@overload
def formatter(name: Literal["csl"], **options: Any) -> CslFormatter: ...
@overload
def formatter(name: Literal["blockquote"], **options: Any) -> BlockquoteFormatter: ...
@overload
def formatter(name: Literal["bibtex"], **options: Any) -> BibtexFormatter: ...
@overload
def formatter(name: str, **options: Any) -> Formatter: ...
def formatter(name: str, **options: Any) -> Formatter:
    """A formatter plug-in by name (``"bibtex"``, ``"csl"``, ``"blockquote"``, ...).

    Options are passed to the formatter's constructor. For citekit's own
    names the type checker knows the class returned (``formatter("csl")`` is a
    :class:`~citekit.formatters.csl.CslFormatter`, with ``bibliography``,
    ``cite``, ...); for other names it is a
    :class:`~citekit.formatters.Formatter`. An unknown name raises
    :class:`PluginNotFoundError` listing the installed formatters.
    """
    from citekit import plugins

    cls = plugins.load(plugins.FORMATTERS, name)
    try:
        instance: Formatter = cls(**options)
    except TypeError as error:
        raise CitekitError(f"formatter {name!r}: bad options: {error}") from None
    return instance
