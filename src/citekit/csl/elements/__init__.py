"""citekit's CSL element classes: citeproc-py's, with citekit's fixes.

citeproc-py parses a style into lxml elements whose classes (``Text``,
``Names``, ``Date``, ...) do the rendering. citekit parses styles with its own
class lookup: each CSL element gets citekit's subclass where one is
registered here, and citeproc-py's class otherwise. Fixes live in the
modules of this package, one per area (names, dates, text and quotes,
citations), each a subclass registered with :func:`element`::

    from citeproc import model

    @element("label")
    class Label(model.Label):
        def process(self, item, variable=None, plural=None, context=None, **kwargs):
            ...

Note that citeproc-py's ``Else_If`` derives from its ``If``: a subclass of
``If`` registered here does not change ``else-if`` unless ``else-if`` is
registered too.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["MODULES", "element", "element_classes", "lookup"]

#: The modules of this package that register element classes, imported by :func:`lookup`.
MODULES: tuple[str, ...] = ("citations", "dates", "names", "text")

_REGISTERED: dict[str, type] = {}


def element(name: str) -> Any:
    """Class decorator: use the class for the CSL element ``name`` ("text", "date-part", ...)."""

    def register(cls: type) -> type:
        _REGISTERED[name] = cls
        return cls

    return register


def element_classes() -> dict[str, type]:
    """CSL element name -> class: citekit's where registered, citeproc-py's otherwise."""
    from citeproc import model

    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    classes: dict[str, type] = {}
    for cls in model.CitationStylesElement.__subclasses__():
        name = cls.__name__.replace("_", "-").lower()
        classes[name] = cls
    classes.update(_REGISTERED)
    return classes


def lookup() -> Any:
    """An lxml class lookup for the CSL namespace that builds citekit's elements."""
    from citeproc import model
    from lxml import etree

    result = etree.ElementNamespaceClassLookup()
    namespace = result.get_namespace("http://purl.org/net/xbiblio/csl")
    namespace[None] = model.CitationStylesElement
    namespace.update(element_classes())
    return result
