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
import threading
from collections.abc import Callable, Iterator
from typing import Any

from citeproc.source import VariableError
from citeproc.string import String

from citekit.errors import StyleError

__all__ = [
    "MODULES",
    "calls_variable",
    "children",
    "decorate",
    "element",
    "element_classes",
    "find_macro",
    "has_decorations",
    "holders",
    "keep_alive",
    "lookup",
    "per_thread",
    "reached_elements",
    "taken_branch",
    "unseen_macro",
]

#: The modules of this package that register element classes, imported by :func:`lookup`.
MODULES: tuple[str, ...] = ("citations", "dates", "names", "text")

_CSL_NS = "http://purl.org/net/xbiblio/csl"
_MACRO_TAG = f"{{{_CSL_NS}}}macro"
_TEXT_TAG = f"{{{_CSL_NS}}}text"

_REGISTERED: dict[str, type] = {}


def element(name: str) -> Any:
    """Class decorator: use the class for the CSL element ``name`` ("text", "date-part", ...)."""

    def register(cls: type) -> type:
        _REGISTERED[name] = cls
        return cls

    return register


def keep_alive(root: Any) -> None:
    """Keep one Python object for each element of ``root``'s tree for as long as the tree lives.

    lxml makes a new Python proxy for an element whenever it is reached after
    its last proxy was dropped, and facts remembered on a proxy (the caches
    of this module) are dropped with it. A parsed style holds all its
    elements' proxies, so each is made, and remembers, once.
    """
    vars(root)["_citekit_elements"] = list(root.iter())


def children(node: Any) -> tuple[Any, ...]:
    """``node``'s child elements (comments and processing instructions left out), remembered.

    A style's tree never changes once it is loaded: an element a cite leaves
    out (a suppressed author, ``CiteState.omitted``) is skipped where the
    children render.
    """
    found: tuple[Any, ...] | None = vars(node).get("_citekit_children")
    if found is None:
        found = tuple(child for child in node.iterchildren() if isinstance(child.tag, str))
        vars(node)["_citekit_children"] = found
    return found


def holders(omitted: Any) -> frozenset[int]:
    """The ids of ``omitted`` and of the elements whose rendering can reach it, remembered.

    Its ancestors and, where one of them is a ``cs:macro``, every
    ``cs:text`` calling that macro, with its ancestors in turn.
    """
    found: frozenset[int] | None = vars(omitted).get("_citekit_holders")
    if found is not None:
        return found
    held: set[int] = set()
    pending = [omitted]
    callers: dict[str, list[Any]] | None = None
    while pending:
        node = pending.pop()
        while node is not None and id(node) not in held:
            held.add(id(node))
            if isinstance(node.tag, str) and node.tag.endswith("}macro"):
                if callers is None:
                    callers = {}
                    for element_ in node.getroottree().getroot().iter():
                        tag = element_.tag
                        name = element_.get("macro") if isinstance(tag, str) else None
                        if name is not None and tag.endswith("}text"):
                            callers.setdefault(name, []).append(element_)
                pending.extend(callers.get(node.get("name", ""), ()))
            node = node.getparent()
    found = frozenset(held)
    vars(omitted)["_citekit_holders"] = found
    return found


def calls_variable(node: Any, omitted: Any = None) -> bool:
    """``node.calls_variable()`` (citeproc-py's rule), as if ``omitted`` were not in the tree.

    A ``cs:group`` that holds a suppressed author and a term is judged as
    the group with the term alone would be.
    """
    if omitted is None or id(node) not in holders(omitted):
        return bool(node.calls_variable())
    if node is omitted:
        return False
    name = node.get("macro")
    if name is not None and node.tag.endswith("}text"):
        return calls_variable(node.get_macro(name), omitted)
    return any(calls_variable(child, omitted) for child in children(node))


def _scratch(node: Any) -> threading.local:
    """``node``'s scratch values, one set per thread (made once, kept on the element)."""
    found: threading.local | None = vars(node).get("_citekit_scratch")
    if found is None:
        # (setdefault: two threads meeting here keep the same one)
        found = vars(node).setdefault("_citekit_scratch", threading.local())
    return found


def per_thread(name: str, make: Callable[[], Any], doc: str) -> Any:
    """An attribute whose value each thread has to itself (``make()`` before the first set).

    citeproc-py, and citekit's element classes after it, keep values on a
    layout while one entry renders (the variables a ``cs:substitute``
    rendered, how deep substitutes nest) and on a citation while it renders
    (the cites so far). Every session renders the style's one tree, so these
    are kept per thread; a thread renders one entry at a time.
    """

    def get(node: Any) -> Any:
        scratch = _scratch(node)
        try:
            return getattr(scratch, name)
        except AttributeError:
            value = make()
            setattr(scratch, name, value)
            return value

    def set_(node: Any, value: Any) -> None:
        setattr(_scratch(node), name, value)

    return property(get, set_, doc=doc)


class _Lookups:
    """Macro, term, layout and root look-ups remembered instead of searched each time.

    citeproc-py finds a macro, a locale term or an element's layout with an
    XPath query on every call, and its root by building an ElementTree;
    rendering one entry makes hundreds. A parsed style does not change (its
    locales are set once, when it is loaded), so the answers are kept:
    macros and terms on the style's root element, an element's layout, root
    and whether it calls a variable on the element.
    """

    def __getattr__(self, name: str) -> Any:
        # citeproc-py reads child elements as attributes (``root.citation``,
        # ``citation.layout``): found once, then kept as a real attribute.
        found = super().__getattr__(name)  # type: ignore[misc]
        if not name.startswith("__"):
            vars(self)[name] = found
        return found

    def xpath_search(self, expression: str) -> Any:
        """citeproc-py's XPath search (its queries ask for ancestors and children), remembered."""
        cache = vars(self).get("_citekit_xpath")
        if cache is None:
            cache = vars(self)["_citekit_xpath"] = {}
        try:
            return list(cache[expression])
        except KeyError:
            found = cache[expression] = tuple(super().xpath_search(expression))  # type: ignore[misc]
            return list(found)

    def get_root(self) -> Any:
        """The root element of this element's tree."""
        root = vars(self).get("_citekit_root")
        if root is None:
            root = self.getroottree().getroot()
            vars(self)["_citekit_root"] = root
        return root

    def calls_variable(self) -> bool:
        """Whether this element (or a macro it calls) renders a variable (citeproc-py's rule).

        A call of a macro the style does not define calls no variable (the
        call is an error only if rendering reaches it: see :meth:`called_macro`).
        """
        calls: bool | None = vars(self).get("_citekit_calls")
        if calls is None:
            calls = vars(self)["_citekit_calls"] = self._calls_variable()
        return calls

    def _calls_variable(self) -> bool:
        if self.tag == _TEXT_TAG and "variable" not in self.attrib:
            name = self.get("macro")
            if name is not None and find_macro(self.get_root(), name) is None:
                return False
        return bool(super().calls_variable())  # type: ignore[misc]

    def get_macro(self, name: str) -> Any:
        """The ``cs:macro`` called ``name`` (IndexError if there is none)."""
        macro = find_macro(self.get_root(), name)
        if macro is None:
            raise IndexError(f"no macro named {name!r}")
        return macro

    def called_macro(self, name: str) -> Any:
        """The macro this element calls, when rendering reaches the call.

        A style may call a macro it does not define where rendering never
        goes (it loads with a :class:`~citekit.StyleWarning`); reaching such
        a call is a :class:`~citekit.StyleError` naming the style's file and
        the line of the call.
        """
        macro = find_macro(self.get_root(), name)
        if macro is None:
            source = vars(self.get_root()).get("_citekit_source") or "<style>"
            tag = str(self.tag).rpartition("}")[2]
            raise StyleError(
                f"{source}: line {self.sourceline}: <{tag} macro={name!r}>:"
                f" macro {name!r} is not defined"
            )
        return macro

    def get_term(
        self,
        name: str,
        form: str | None = None,
        fallback_locale: bool = True,
        zero_padded: bool = False,
    ) -> Any:
        """The locale term ``name`` in ``form`` (None if no locale has it in any form).

        CSL 1.0.2: a form no locale defines falls back to another ("verb-short"
        to "verb", "symbol" to "short", "verb" and "short" to the long form).
        """
        cache = _cache(self.get_root(), "_citekit_terms")
        key = (name, form, fallback_locale, zero_padded)
        try:
            return cache[key]
        except KeyError:
            term = super().get_term(name, form, fallback_locale, zero_padded)  # type: ignore[misc]
            if term is None and form in _FORM_FALLBACK:
                term = self.get_term(name, _FORM_FALLBACK[form], fallback_locale, zero_padded)
            cache[key] = term
            return term

    def get_single_term(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The singular text of the locale term ``name`` (an empty string when there is none).

        citeproc-py's, remembered: its ``Term.single`` searches the term's
        children and preformats the text on every call. (A ``String`` is an
        immutable ``str``, so one is shared.)
        """
        return self._term_text(name, False, args, kwargs)

    def get_plural_term(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The plural text of the locale term ``name`` (as :meth:`get_single_term`)."""
        return self._term_text(name, True, args, kwargs)

    def _term_text(
        self, name: str, plural: bool, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        cache = _cache(self.get_root(), "_citekit_term_texts")
        key = (name, plural, args, tuple(sorted(kwargs.items())) if kwargs else ())
        try:
            return cache[key]
        except KeyError:
            term = self.get_term(name, *args, **kwargs)
            found = String("") if term is None else term.multiple if plural else term.single
            cache[key] = found
            return found

    def get_date(self, form: str) -> Any:
        """The locale's ``cs:date`` of ``form`` ("text" or "numeric"), None if no locale has it."""
        cache = _cache(self.get_root(), "_citekit_dates")
        if form not in cache:
            cache[form] = super().get_date(form)  # type: ignore[misc]
        return cache[form]

    def get_layout(self) -> Any:
        """The ``cs:layout`` this element belongs to (IndexError outside one)."""
        layout = vars(self).get("_citekit_layout")
        if layout is None:
            layout = super().get_layout()  # type: ignore[misc]
            vars(self)["_citekit_layout"] = layout
        return layout


#: A term form -> the form used when no locale defines it (None: the long form).
_FORM_FALLBACK = {"verb-short": "verb", "symbol": "short", "verb": None, "short": None}


#: citeproc-py's decorations (``Formatted.format``), in the order it applies
#: them: (attribute, its plain value, {value: the output formatter's class}).
_DECORATIONS = (
    ("font-style", "normal", {"italic": "Italic", "oblique": "Oblique"}),
    ("font-variant", "normal", {"small-caps": "SmallCaps"}),
    ("font-weight", "normal", {"bold": "Bold", "light": "Light"}),
    ("text-decoration", "none", {"underline": "Underline"}),
    ("vertical-align", "baseline", {"sup": "Superscript", "sub": "Subscript"}),
)


def decorate(node: Any, text: Any) -> Any:
    """``text`` with ``node``'s font and alignment decorations: citeproc-py's ``format``.

    The same result, with the decorations ``node`` asks for found once (the
    output formatter's classes, innermost first; a style with a value other
    than these is refused when it is loaded), not read from the element
    five times per call.
    """
    found: tuple[Any, tuple[Any, ...]] | None = vars(node).get("_citekit_decorations")
    if found is None:
        found = _decorations(node)
        vars(node)["_citekit_decorations"] = found
    if isinstance(text, (int, float)):
        text = str(text)
    formatter, classes = found
    if classes:
        if node.get_formatter() is not formatter:  # rendering to another output
            vars(node).pop("_citekit_decorations", None)
            return decorate(node, text)
        for decoration in classes:
            text = decoration(text)
    return text


def has_decorations(node: Any) -> bool:
    """Whether ``node`` asks for a font or alignment decoration (see :func:`decorate`)."""
    return any(node.get(attribute, plain) != plain for attribute, plain, _ in _DECORATIONS)


def _decorations(node: Any) -> tuple[Any, tuple[Any, ...]]:
    """(the output formatter, its classes for ``node``'s decorations); no formatter for none."""
    found = []
    formatter = None
    for attribute, plain, classes in _DECORATIONS:
        value = node.get(attribute, plain)
        if value == plain:
            continue
        if formatter is None:
            formatter = node.get_formatter()
        found.append(getattr(formatter, classes[value]))
    return formatter, tuple(found)


class _Decorated:
    """citeproc-py's ``format``, the element's decorations found once (see :func:`decorate`)."""

    def format(self, string: Any) -> Any:
        """``string`` with the element's font and alignment decorations."""
        return decorate(self, string)


def reached_elements(node: Any) -> Iterator[Any]:
    """Every element of ``node`` and of the macros it calls, at any depth, each macro once.

    Yields None for a macro that is called but not defined (the caller decides
    what that means). Comments and processing instructions are skipped.
    """
    seen: set[str] = set()
    pending = [node]
    while pending:
        for child in pending.pop().iter():
            if not isinstance(child.tag, str):
                continue
            yield child
            name = child.attrib.get("macro")
            if name and name not in seen:
                seen.add(name)
                try:
                    pending.append(child.get_macro(name))
                except (AttributeError, IndexError):
                    yield None


def unseen_macro(node: Any, seen: frozenset[str]) -> tuple[str, Any] | None:
    """(name, element) of the macro ``node`` calls; None if it calls none, one of ``seen``
    (being looked into already: a macro calling itself is not followed) or one not defined."""
    name = node.get("macro")
    if name is None or name in seen:
        return None
    macro = find_macro(node.get_root(), name)
    return (name, macro) if macro is not None else None


def find_macro(root: Any, name: str) -> Any:
    """The first ``cs:macro`` of ``root`` called ``name``, or None (found once per root).

    The macros are read by their ``name`` attribute, not with an XPath query
    built from the name, so any name is looked up as it is.
    """
    macros: dict[str, Any] | None = vars(root).get("_citekit_macros")
    if macros is None:
        macros = {}
        for macro in root.iterchildren(_MACRO_TAG):
            macro_name = macro.get("name")
            if macro_name is not None:
                macros.setdefault(macro_name, macro)
        vars(root)["_citekit_macros"] = macros
    return macros.get(name)


def _cache(root: Any, name: str) -> dict[Any, Any]:
    cache: dict[Any, Any] | None = vars(root).get(name)
    if cache is None:
        cache = vars(root)[name] = {}
    return cache


def _with_lookups(cls: type) -> type:
    """``cls`` with :class:`_Lookups` (locale elements keep their own term look-up)."""
    from citeproc import model

    if issubclass(cls, model.Locale) or issubclass(cls, _Lookups):
        return cls
    bases: tuple[type, ...] = (_Lookups, cls)
    if issubclass(cls, model.Formatted) and getattr(cls, "format", None) is model.Formatted.format:
        # citeproc-py's format (a class with its own format keeps it)
        bases = (_Lookups, _Decorated, cls)
    return type(cls.__name__, bases, {"__module__": cls.__module__, "__doc__": cls.__doc__})


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
    return {name: _with_lookups(cls) for name, cls in classes.items()}


def lookup() -> Any:
    """An lxml class lookup for the CSL namespace that builds citekit's elements."""
    from citeproc import model
    from lxml import etree

    result = etree.ElementNamespaceClassLookup()
    namespace = result.get_namespace("http://purl.org/net/xbiblio/csl")
    namespace[None] = _with_lookups(model.CitationStylesElement)
    namespace.update(element_classes())
    return result


def taken_branch(choose: Any, item: Any, context: Any) -> Any:
    """The branch of a ``cs:choose`` that renders for ``item`` (None: no branch).

    ``cs:if`` and ``cs:else-if`` test with ``context`` (the layout whose
    positions and disambiguation they see); a test that meets an empty
    variable fails; ``cs:else`` is always taken.
    """
    for branch in children(choose):
        test = getattr(branch, "test", None)
        if test is None:
            return branch  # cs:else
        try:
            if test(item, context):
                return branch
        except VariableError:
            continue
    return None
