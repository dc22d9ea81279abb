"""A Sphinx extension: citations and bibliographies in any CSL style.

A drop-in replacement for sphinxcontrib-bibtex: change
``"sphinxcontrib.bibtex"`` to ``"citekit.sphinx"`` in ``extensions`` and the
same roles, directives and configuration work, rendered by citekit's CSL
engine::

    extensions = ["citekit.sphinx"]
    bibtex_bibfiles = ["refs.bib"]          # .bib, CSL-JSON (.json) or CSL-YAML (.yaml)
    citekit_style = "apa"                   # any CSL style name or a .csl path
    citekit_locale = "en-GB"                # optional; the style's own by default

Roles (reStructuredText ``:cite:p:`key```, MyST ``{cite:p}`key```):
``cite:p`` and ``cite`` (the citation), ``cite:t`` (the author in the text),
``cite:year``, ``cite:author``, their variants ``ps``, ``ts``, ``ct``,
``cts``, ``alp``, ``alps``, ``label``, ``labelpar``, ``yearpar``,
``authorpar``, ``authors``, ``cauthor``, ``cauthors``, ``cite:empty``
(cited, nothing printed), and ``footcite`` (``p``, ``t``, ...), whose
footnotes ``.. footbibliography::`` places. Keys are separated by commas; a
key may carry a prefix and a locator or suffix: ``{see}serge1944{p. 4}``.
Directive ``.. bibliography::`` with ``:all:``, ``:cited:``,
``:filter:`` and ``:style:``.

All the citations of the project, in the order of its table of contents,
are one CSL document: numbers, year suffixes and "ibid." follow it, and
each citation links to its work's entry in the first bibliography listing
it. Unknown keys are Sphinx warnings with the document and line.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.domains import Domain
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import make_refnode

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from citekit.formatters.csl import CslFormatter
    from citekit.model.library import Library
    from citekit.model.work import Work

__all__ = [
    "BibliographyDirective",
    "CiteDomain",
    "CiteRole",
    "FootBibliographyDirective",
    "FootCiteDomain",
    "FootCiteRole",
    "bibliography_node",
    "citation_node",
    "setup",
]

logger = logging.getLogger(__name__)

#: The default style, as in ``citekit bib``.
DEFAULT_STYLE = "chicago-author-date"
#: pybtex's style names: a project written for sphinxcontrib-bibtex names them;
#: they say nothing about a CSL style and are left aside.
PYBTEX_STYLES = frozenset({"alpha", "plain", "unsrt", "unsrtalpha", "label", "foot"})

#: The roles of ``cite:``/``footcite:`` and the form each renders.
ROLE_FORMS: dict[str, str] = {
    "p": "whole",
    "ps": "whole",
    "labelpar": "whole",
    "alp": "bare",
    "alps": "bare",
    "label": "bare",
    "t": "in-text",
    "ts": "in-text",
    "ct": "in-text-capital",
    "cts": "in-text-capital",
    "year": "year",
    "yearpar": "yearpar",
    "author": "author",
    "authors": "author",
    "cauthor": "author-capital",
    "cauthors": "author-capital",
    "authorpar": "authorpar",
    "authorpars": "authorpar",
    "empty": "empty",
}
FOOT_ROLES = ("p", "ps", "t", "ts", "ct", "cts")

_TARGET = re.compile(
    r"\s*(?:\{(?P<pre>[^{}]*)\})?\s*(?P<key>[^{}\s,]+)\s*(?:\{(?P<post>[^{}]*)\})?\s*"
)
_NUMBERS = re.compile(r"^[0-9ivxlcdmIVXLCDM]+(?:\s*[-–,&]\s*[0-9ivxlcdmIVXLCDM]+)*f{0,2}\.?$")


# -- nodes -----------------------------------------------------------------------------------


class citation_node(nodes.Inline, nodes.Element):
    """Where a ``:cite:`` role stands until the project's citations are rendered."""


class bibliography_node(nodes.General, nodes.Element):
    """Where a ``.. bibliography::`` stands until its entries are rendered."""


# -- parsing roles ---------------------------------------------------------------------------


def parse_targets(text: str) -> list[tuple[str, str, str]]:
    """The ``(key, prefix, post)`` of each comma-separated target of a role.

    ``{see}serge1944{p. 4}, burnham1945`` gives
    ``[("serge1944", "see", "p. 4"), ("burnham1945", "", "")]``. Raises
    ValueError for malformed text.
    """
    out: list[tuple[str, str, str]] = []
    position = 0
    while True:
        match = _TARGET.match(text, position)
        if match is None or not match.group("key"):
            raise ValueError(f"malformed citation {text!r}: expected {{prefix}}key{{suffix}}, ...")
        out.append((match.group("key"), match.group("pre") or "", match.group("post") or ""))
        position = match.end()
        if position >= len(text):
            return out
        if text[position] != ",":
            raise ValueError(f"malformed citation {text!r} at {text[position:]!r}")
        position += 1


def _cite_spec(key: str, pre: str, post: str) -> dict[str, Any]:
    """A cite as JSON data: the post text is a locator when it reads as one."""
    from citekit.csl import passes
    from citekit.model.excerpts import LABEL_WORDS, Locator

    spec: dict[str, Any] = {"key": key, "prefix": "", "suffix": "", "locator": None, "label": None}
    if pre.strip():
        spec["prefix"] = passes.escape(pre.strip()) + " "
    post = post.strip()
    if post:
        first = post.split()[0].lower()
        if first in LABEL_WORDS or _NUMBERS.match(post) or post.startswith("§"):
            locator = Locator.parse(post)
            spec["locator"] = locator.value
            spec["label"] = locator.label.value
        else:
            spec["suffix"] = ", " + passes.escape(post)
    return spec


class _RoleBase(SphinxRole):
    foot: ClassVar[bool] = False

    def __init__(self, form: str = "whole", name: str = "p") -> None:
        self.form = form
        self.role_name = name

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        docname = self.env.docname
        try:
            targets = parse_targets(self.text)
        except ValueError as error:
            logger.warning(str(error), location=self.get_location(), type="citekit")
            return [nodes.literal(self.rawtext, self.rawtext)], []
        library = _state(_app_of(self.env)).library
        cites = []
        for key, pre, post in targets:
            if key not in library:
                suggestion = library.suggest(key)
                hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
                logger.warning(
                    f"unknown citation key {key!r}{hint}",
                    location=self.get_location(),
                    type="citekit",
                    subtype="unknown_key",
                )
            cites.append(_cite_spec(key, pre, post))
        domain = self.env.get_domain("footcite" if self.foot else "cite")
        assert isinstance(domain, _CitationsDomain)
        records = domain.data["citations"].setdefault(docname, [])
        number = len(records)
        record_id = f"{'footcite' if self.foot else 'cite'}-{_safe(docname)}-{number}"
        records.append({"id": record_id, "form": self.form, "role": self.role_name, "cites": cites})
        if self.foot:
            return _footcite_nodes(self, record_id, cites), []
        node = citation_node(self.rawtext, record_id=record_id, docname=docname)
        node += nodes.Text(self.text)
        return [node], []


class CiteRole(_RoleBase):
    """The ``cite:`` roles: a citation in the text, rendered in the project's style."""


class FootCiteRole(_RoleBase):
    """The ``footcite:`` roles: a citation in a footnote (see ``footbibliography``)."""

    foot = True


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "doc"


# -- footnotes -------------------------------------------------------------------------------


def _footcite_nodes(role: _RoleBase, record_id: str, cites: list[dict[str, Any]]) -> list[Any]:
    """The footnote references of a ``footcite`` (the footnotes come with the
    ``footbibliography``); in the ``t`` forms the authors stand before them."""
    app = _app_of(role.env)
    note_style = _state(app).formatter.style.is_note_style
    document = role.inliner.document
    out: list[Any] = []
    names: list[str] = []
    if note_style:
        names.append(f"{record_id}-note")
    else:  # one footnote per work, as sphinxcontrib-bibtex
        for cite in cites:
            names.append(f"citekit-footcite-{_safe(role.env.docname)}-{_safe(cite['key'])}")
    if role.form.startswith("in-text"):
        authors = _authors_text(app, [c["key"] for c in cites], role.form.endswith("capital"))
        if authors:
            out.append(nodes.Text(authors))
    for name in names:
        ref = nodes.footnote_reference("", "", auto=1, refname=name)
        document.note_autofootnote_ref(ref)
        document.note_footnote_ref(ref)
        out.append(ref)
    return out


def _authors_text(app: Sphinx, keys: Sequence[str], capital: bool) -> str:
    """The authors of works, in the style's author-only form, as plain text."""
    from citekit.manuscript.citations import CiteSpec, EngineCluster, capitalize_first

    state = _state(app)
    known = [k for k in keys if k in state.library]
    if not known:
        return ""
    result = state.render([EngineCluster(tuple(CiteSpec(k) for k in known), form="author")])
    texts = [_plain(state.strip(html)) for html in result.clusters[0]]
    text = _join_names([t for t in texts if t] + [f"{k}?" for k in keys if k not in known])
    return _plain(capitalize_first(text)) if capital else text


def _join_names(texts: Sequence[str]) -> str:
    if len(texts) <= 2:
        return " and ".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]


class FootBibliographyDirective(SphinxDirective):
    """``.. footbibliography::``: the footnotes of the ``footcite`` roles before it."""

    has_content = False
    required_arguments = 0
    optional_arguments = 0

    def run(self) -> list[nodes.Node]:
        footnotes = _footnotes(self.env, self.state.document)
        if not footnotes:
            return []
        return [*_header(self, self.config.bibtex_footbibliography_header), *footnotes]


def _header(directive: SphinxDirective, text: str) -> list[nodes.Node]:
    """The nodes of a ``bibtex_(foot)bibliography_header`` (reStructuredText)."""
    if not text or not text.strip():
        return []
    return list(directive.parse_text_to_nodes(text))


def _footnotes(env: BuildEnvironment, document: nodes.document) -> list[nodes.Node]:
    """Footnotes for the document's footcites not yet given theirs."""
    from citekit.manuscript.citations import CiteSpec, EngineCluster, capitalize_first

    app = _app_of(env)
    state = _state(app)
    domain = env.get_domain("footcite")
    assert isinstance(domain, _CitationsDomain)
    records = domain.data["citations"].get(env.docname, [])
    done: set[str] = env.temp_data.setdefault("citekit_footnotes_done", set())  # type: ignore[assignment]
    pending = [r for r in records if r["id"] not in done]
    if not pending:
        return []
    out: list[nodes.Node] = []
    if state.formatter.style.is_note_style:
        # the whole document's footcites so far, for "ibid." and short forms
        clusters = []
        for number, record in enumerate(records, start=1):
            cites = tuple(_spec(c) for c in record["cites"] if c["key"] in state.library)
            if cites:
                clusters.append(EngineCluster(cites, note=number))
        result = state.render(clusters)
        texts: dict[str, str] = {}
        index = 0
        for record in records:
            cites_known = [c for c in record["cites"] if c["key"] in state.library]
            unknown = [c["key"] for c in record["cites"] if c["key"] not in state.library]
            html = result.clusters[index][0] if cites_known else ""
            index += 1 if cites_known else 0
            html = "; ".join([x for x in [html] if x] + [f"<b>{k}?</b>" for k in unknown])
            texts[record["id"]] = capitalize_first(html)
        for record in pending:
            out.append(_footnote(f"{record['id']}-note", texts[record["id"]]))
            done.add(record["id"])
    else:
        keys: list[str] = []
        for record in pending:
            for cite in record["cites"]:
                if cite["key"] not in keys:
                    keys.append(cite["key"])
        given: set[str] = env.temp_data.setdefault(  # type: ignore[assignment]
            "citekit_footnote_keys", set()
        )
        keys = [k for k in keys if k not in given]
        known = [k for k in keys if k in state.library]
        entries: dict[str, str] = {}
        if known:
            result = state.render(
                [EngineCluster(tuple(CiteSpec(k) for k in known), counts=False)], nocite=known
            )
            entries = dict(result.bibliography)
        for key in keys:
            name = f"citekit-footcite-{_safe(env.docname)}-{_safe(key)}"
            out.append(_footnote(name, entries.get(key, f"<b>{key}?</b>")))
            given.add(key)
        done.update(r["id"] for r in pending)
    for node in out:
        document.note_autofootnote(node)  # type: ignore[arg-type]
        document.note_explicit_target(node, node)  # type: ignore[arg-type]
    return out


def _footnote(name: str, html: str) -> nodes.footnote:
    node = nodes.footnote("", auto=1)
    node["names"].append(name)
    node += nodes.paragraph("", "", *html_nodes(html))
    return node


class _FootnotesAtEnd(SphinxTransform):
    """Footnotes of footcites no ``footbibliography`` took go at the document's end
    (before docutils numbers the footnotes)."""

    default_priority = 610

    def apply(self, **kwargs: Any) -> None:
        if "citekit_footnotes_done" not in self.env.temp_data and not self._has_footcites():
            return
        rest = _footnotes(self.env, self.document)
        if rest:
            self.document.extend(rest)

    def _has_footcites(self) -> bool:
        domain = self.env.get_domain("footcite")
        assert isinstance(domain, _CitationsDomain)
        return bool(domain.data["citations"].get(self.env.docname))


# -- bibliography directive ------------------------------------------------------------------


class BibliographyDirective(SphinxDirective):
    """``.. bibliography::``: the works cited in the project (or those a filter selects).

    Options: ``:all:`` (every work of the bibliography files), ``:cited:``
    (the works cited anywhere: the default), ``:filter:`` (an expression over
    ``key``, ``type``, ``author``, ``editor``, ``title``, ``year``,
    ``cited``, ``docname``, ``docnames``, ``cited_docnames``), ``:style:`` (a
    CSL style for these entries; pybtex's names are left aside). Other
    options of sphinxcontrib-bibtex (``:list:``, ``:labelprefix:``, ...) are
    accepted and have no effect: the style decides the layout.
    """

    has_content = True
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {
        "all": directives.flag,
        "cited": directives.flag,
        "notcited": directives.flag,
        "filter": directives.unchanged,
        "style": directives.unchanged,
        "list": directives.unchanged,
        "enumtype": directives.unchanged,
        "start": directives.unchanged,
        "labelprefix": directives.unchanged,
        "keyprefix": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        docname = self.env.docname
        domain = self.env.get_domain("cite")
        assert isinstance(domain, _CitationsDomain)
        records = domain.data["bibliographies"].setdefault(docname, [])
        expression = "cited"
        if "all" in self.options:
            expression = "True"
        elif "notcited" in self.options:
            expression = "not cited"
        if "filter" in self.options:
            expression = self.options["filter"]
            try:
                _Filter(expression)
            except ValueError as error:
                logger.warning(
                    f"bibliography filter {expression!r}: {error}",
                    location=self.get_location(),
                    type="citekit",
                )
                expression = "False"
        keys = [k for line in self.content for k in line.split()]
        style = self.options.get("style")
        if style is not None and style.strip() in PYBTEX_STYLES:
            style = None
        if style is not None:
            from citekit.csl.styles import load_style
            from citekit.errors import CitekitError

            style = style.strip()
            if style.endswith(".csl") and (Path(self.env.srcdir) / style).is_file():
                style = str(Path(self.env.srcdir) / style)
            try:
                load_style(style)
            except CitekitError as error:
                logger.warning(
                    f"bibliography style: {error}", location=self.get_location(), type="citekit"
                )
                style = None
        record_id = f"bibliography-{_safe(docname)}-{len(records)}"
        records.append(
            {
                "id": record_id,
                "filter": expression,
                "keys": keys,
                "style": style,
                "line": self.lineno,
            }
        )
        header = _header(self, self.config.bibtex_bibliography_header)
        return [*header, bibliography_node("", record_id=record_id, docname=docname)]


class _Filter:
    """A bibliography filter: a Python expression of comparisons, read with ``ast``
    and evaluated over a whitelist of names and operators (no calls, no attributes)."""

    _OPERATORS: ClassVar[dict[type, Any]] = {
        ast.Eq: lambda a, b: a == b,
        ast.NotEq: lambda a, b: a != b,
        ast.Lt: lambda a, b: a < b,
        ast.LtE: lambda a, b: a <= b,
        ast.Gt: lambda a, b: a > b,
        ast.GtE: lambda a, b: a >= b,
        ast.In: lambda a, b: a in b,
        ast.NotIn: lambda a, b: a not in b,
    }

    def __init__(self, expression: str) -> None:
        try:
            tree = ast.parse(expression.strip(), mode="eval")
        except SyntaxError as error:
            raise ValueError(f"syntax error: {error.msg}") from None
        self.tree = tree.body
        self._check(self.tree)

    def _check(self, node: ast.AST) -> None:
        allowed = (
            ast.BoolOp,
            ast.And,
            ast.Or,
            ast.UnaryOp,
            ast.Not,
            ast.Compare,
            ast.BinOp,
            ast.Mod,
            ast.BitAnd,
            ast.BitOr,
            ast.Name,
            ast.Load,
            ast.Constant,
            ast.Set,
            ast.Tuple,
            ast.List,
            *self._OPERATORS,
        )
        for child in ast.walk(node):
            if not isinstance(child, allowed):
                raise ValueError(f"{type(child).__name__} is not allowed in a filter")
            if isinstance(child, ast.Name) and child.id not in _FILTER_NAMES:
                raise ValueError(
                    f"unknown name {child.id!r} (known: {', '.join(sorted(_FILTER_NAMES))})"
                )

    def __call__(self, names: dict[str, Any]) -> bool:
        return bool(self._eval(self.tree, names))

    def _eval(self, node: ast.AST, names: dict[str, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.Set | ast.Tuple | ast.List):
            return {self._eval(e, names) for e in node.elts}
        if isinstance(node, ast.BoolOp):
            values = (self._eval(v, names) for v in node.values)
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.UnaryOp):
            return not self._eval(node.operand, names)
        if isinstance(node, ast.BinOp):
            left, right = self._eval(node.left, names), self._eval(node.right, names)
            if isinstance(node.op, ast.Mod):  # a regular expression search, as pybtex's filter
                return bool(re.search(str(right), str(left), re.IGNORECASE))
            if isinstance(node.op, ast.BitAnd):
                return set(left) & set(right)
            return set(left) | set(right)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, names)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self._eval(comparator, names)
                try:
                    if not self._OPERATORS[type(op)](left, right):
                        return False
                except TypeError:
                    return False
                left = right
            return True
        raise ValueError(f"{type(node).__name__} is not allowed in a filter")


_FILTER_NAMES = frozenset(
    {
        "key",
        "type",
        "author",
        "editor",
        "title",
        "year",
        "cited",
        "docname",
        "docnames",
        "cited_docnames",
        "True",
        "False",
    }
)


def _filter_names(
    work: Work, *, cited_in: set[str], docname: str, all_cited_docs: set[str]
) -> dict[str, Any]:
    from citekit.formats.bibtex import entry_type_for

    def people(persons: Iterable[Any]) -> str:
        return " and ".join(str(p) for p in persons)

    return {
        "key": work.key,
        "type": entry_type_for(work),
        "author": people(work.authors),
        "editor": people(work.editors),
        "title": work.title or "",
        "year": str(work.year or ""),
        "cited": bool(cited_in),
        "docname": docname,
        "docnames": set(cited_in),
        "cited_docnames": set(all_cited_docs),
        "True": True,
        "False": False,
    }


# -- domains: the records of each document, merged across parallel readers --------------------


class _CitationsDomain(Domain):
    """Per document: the citations (and for ``cite``, the bibliographies) it holds."""

    initial_data: ClassVar[dict[str, Any]] = {
        "citations": {},
        "bibliographies": {},
    }

    def clear_doc(self, docname: str) -> None:
        self.data["citations"].pop(docname, None)
        self.data["bibliographies"].pop(docname, None)

    def merge_domaindata(self, docnames: Any, otherdata: dict[str, Any]) -> None:
        for name in ("citations", "bibliographies"):
            for docname, records in otherdata.get(name, {}).items():
                if docname in docnames:
                    self.data[name][docname] = records

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []


class CiteDomain(_CitationsDomain):
    """The ``cite`` domain: ``:cite:p:``, ``:cite:t:``, ..."""

    name = "cite"
    label = "Citations (citekit)"
    roles: ClassVar[dict[str, Any]] = {
        name: CiteRole(form, name) for name, form in ROLE_FORMS.items()
    }


class FootCiteDomain(_CitationsDomain):
    """The ``footcite`` domain: ``:footcite:p:``, ``:footcite:t:``, ..."""

    name = "footcite"
    label = "Footnote citations (citekit)"
    roles: ClassVar[dict[str, Any]] = {
        name: FootCiteRole(ROLE_FORMS[name], name) for name in FOOT_ROLES
    }


# -- the state of a build: the library, the formatter, the rendered citations ----------------


class _State:
    """The library and formatter of a build (one per process, made on first use)."""

    def __init__(self, app: Sphinx) -> None:
        import citekit
        from citekit.manuscript.cache import Cache
        from citekit.manuscript.render import fingerprint

        self.app = app
        config = app.config
        self.files = [Path(app.srcdir) / f for f in (config.bibtex_bibfiles or [])]
        self.library, self.problems = _load(self.files)
        style = config.citekit_style or DEFAULT_STYLE
        path = Path(app.confdir) / style
        if str(style).endswith(".csl") and path.is_file():
            style = str(path)
        options: dict[str, Any] = {"style": style, "output": "html"}
        if config.citekit_locale:
            options["locale"] = config.citekit_locale
        self.formatter: CslFormatter = citekit.formatter("csl", **options)
        self.loaded = self.digest()
        self.cache = Cache(Path(app.doctreedir) / "citekit-cache")
        self.fingerprint = fingerprint()
        from citekit.manuscript.citations import layout_affixes

        self.affixes = layout_affixes(self.formatter)

    def strip(self, html: str) -> str:
        from citekit.manuscript.citations import strip_affixes

        return strip_affixes(html, self.affixes)

    def render(
        self,
        clusters: Sequence[Any],
        nocite: Sequence[str] = (),
        formatter: CslFormatter | None = None,
    ) -> Any:
        from citekit.manuscript.citations import render_clusters

        return render_clusters(
            formatter or self.formatter,
            self.library,
            clusters,
            nocite=nocite,
            cache=self.cache,
            fingerprint=self.fingerprint,
        )

    def digest(self) -> str:
        parts = [str(self.formatter.style_name), self.formatter.locale]
        for path in self.files:
            try:
                parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
            except OSError:
                parts.append("missing")
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _load(files: Sequence[Path]) -> tuple[Library, list[Any]]:
    from citekit.errors import CitekitError, ParseError
    from citekit.io import load
    from citekit.model.library import Library, Problem

    merged = Library()
    problems: list[Any] = []
    for path in files:
        try:
            loaded = load(path)
        except CitekitError as error:
            if isinstance(error, ParseError) and error.problems:
                problems.extend(error.problems)
            else:
                problems.append(Problem(path=str(path), message=str(error)))
            continue
        problems.extend(loaded.problems)
        for work in loaded.values():
            if work.key in merged:
                problems.append(
                    Problem(
                        path=str(path),
                        key=work.key,
                        severity="warning",
                        message=f"duplicate key {work.key!r}: the first file's entry is used",
                    )
                )
                continue
            merged.add(work)
    return merged, problems


def _app_of(env: BuildEnvironment) -> Sphinx:
    """The application of an environment (Sphinx 9 deprecates ``env.app`` and keeps it
    as ``_app``; earlier versions have ``app``)."""
    app: Sphinx | None = env.__dict__.get("_app")
    return app if app is not None else env.app


def _state(app: Sphinx) -> _State:
    state: _State | None = getattr(app, "_citekit_state", None)
    if state is None:
        state = _State(app)
        app._citekit_state = state  # type: ignore[attr-defined]
    return state


def _builder_inited(app: Sphinx) -> None:
    from citekit.errors import CitekitError

    if not app.config.bibtex_bibfiles:
        logger.warning("citekit.sphinx: no bibtex_bibfiles in conf.py", type="citekit")
    try:
        state = _state(app)
    except CitekitError as error:
        from sphinx.errors import ExtensionError

        raise ExtensionError(f"citekit.sphinx: {error}") from None
    for problem in state.problems:
        location = None
        if problem.path:
            location = f"{problem.path}:{problem.line}" if problem.line else problem.path
        logger.warning(problem.message, location=location, type="citekit", subtype="bibliography")


def _env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Every document citing or listing works is read again when the
    bibliography files, the style or the locale changed."""
    state = _state(app)
    digest = state.digest()
    if digest != state.loaded:  # the files changed since this process read them
        app._citekit_state = None  # type: ignore[attr-defined]
        digest = _state(app).loaded
    if getattr(env, "citekit_digest", None) == digest:
        return []
    env.citekit_digest = digest  # type: ignore[attr-defined]
    docs: set[str] = set()
    for name in ("cite", "footcite"):
        domain = env.get_domain(name)
        docs.update(domain.data["citations"])
        docs.update(domain.data.get("bibliographies", {}))
    return sorted(docs & set(env.found_docs))


# -- rendering the project's citations -------------------------------------------------------


def _document_order(env: BuildEnvironment, docnames: Iterable[str]) -> list[str]:
    """Documents in the order of the table of contents; the others after, by name."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [env.config.root_doc]
    while stack:
        docname = stack.pop()
        if docname in seen:
            continue
        seen.add(docname)
        order.append(docname)
        stack.extend(reversed(env.toctree_includes.get(docname, [])))
    return [d for d in order if d in set(docnames)] + sorted(set(docnames) - seen)


def _spec(cite: dict[str, Any]) -> Any:
    from citekit.manuscript.citations import CiteSpec

    return CiteSpec(
        cite["key"],
        locator=cite["locator"],
        label=cite["label"],
        prefix=cite["prefix"],
        suffix=cite["suffix"],
    )


_ENGINE_FORM = {
    "whole": "whole",
    "bare": "whole",
    "empty": "whole",
    "in-text": "in-text",
    "in-text-capital": "in-text",
    "year": "year",
    "yearpar": "year",
    "author": "author",
    "author-capital": "author",
    "authorpar": "author",
}


def _render_project(app: Sphinx, env: BuildEnvironment) -> dict[str, Any]:
    """Every citation's segments (engine HTML, key or None) and every bibliography's entries."""
    from citekit.formatters.csl import CslFormatter
    from citekit.manuscript.citations import EngineCluster, capitalize_first

    state = _state(app)
    library = state.library
    cite_domain = env.get_domain("cite")
    citations: dict[str, list[dict[str, Any]]] = cite_domain.data["citations"]
    bibliographies: dict[str, list[dict[str, Any]]] = cite_domain.data["bibliographies"]
    foot = env.get_domain("footcite").data["citations"]
    order = _document_order(env, set(citations) | set(bibliographies) | set(foot))
    note_style = state.formatter.style.is_note_style

    records: list[dict[str, Any]] = [r for d in order for r in citations.get(d, [])]
    cited_in: dict[str, set[str]] = {}
    for docname in order:
        for record in [*citations.get(docname, []), *foot.get(docname, [])]:
            for cite in record["cites"]:
                cited_in.setdefault(cite["key"], set()).add(docname)
    all_cited_docs = {d for docs in cited_in.values() for d in docs}

    # Which works each bibliography lists.
    selected: dict[str, list[str]] = {}
    for docname in order:
        for bib in bibliographies.get(docname, []):
            check = _Filter(bib["filter"])
            keys = [k for k in bib["keys"] if k in library]
            for work in library.values():
                names = _filter_names(
                    work,
                    cited_in=cited_in.get(work.key, set()),
                    docname=docname,
                    all_cited_docs=all_cited_docs,
                )
                if work.key not in keys and check(names):
                    keys.append(work.key)
            selected[bib["id"]] = keys
    nocite = [k for keys in selected.values() for k in keys]

    clusters: list[Any] = []
    placed: list[tuple[dict[str, Any], int]] = []
    probes: dict[str, list[tuple[str, int]]] = {}
    for number, record in enumerate(records, start=1):
        cites = tuple(_spec(c) for c in record["cites"] if c["key"] in library)
        if not cites:
            placed.append((record, -1))
            continue
        if len(cites) > 1 and record["form"] in ("whole", "bare"):
            # each cite alone, placed before the citation and not counted, so that
            # the pieces of the citation the style sorted can be told apart
            for spec in cites:
                probes.setdefault(record["id"], []).append((spec.key, len(clusters)))
                clusters.append(
                    EngineCluster((spec,), note=number if note_style else 0, counts=False)
                )
        placed.append((record, len(clusters)))
        clusters.append(
            EngineCluster(
                cites,
                note=number if note_style else 0,
                form=_ENGINE_FORM[record["form"]],
                counts=record["form"] != "empty",
            )
        )
    result = state.render(clusters, nocite=nocite)
    entries = dict(result.bibliography)
    position = {key: index for index, key in enumerate(result.order)}

    # Bibliographies: entries in the style's order; the first listing a work is its home.
    rendered_bibs: dict[str, list[tuple[str, str, str]]] = {}
    home: dict[str, tuple[str, str]] = {}
    for docname in order:
        for bib in bibliographies.get(docname, []):
            keys = sorted(selected[bib["id"]], key=lambda k: position.get(k, len(position)))
            own = entries
            if bib["style"]:
                formatter = CslFormatter(style=bib["style"], output="html", locale=None)
                own = dict(state.render([], nocite=keys, formatter=formatter).bibliography)
                keys = [k for k in own if k in keys]
            listed = []
            for key in keys:
                if key not in own:
                    continue
                anchor = f"{bib['id']}-{_safe(key)}"
                home.setdefault(key, (docname, anchor))
                listed.append((key, anchor, own[key]))
            rendered_bibs[bib["id"]] = listed

    # Citations: segments of engine HTML, with the key each links to.
    rendered: dict[str, list[tuple[str, str | None]]] = {}
    for record, index in placed:
        unknown = [f"<b>{c['key']}?</b>" for c in record["cites"] if c["key"] not in library]
        known = [c for c in record["cites"] if c["key"] in library]
        form = record["form"]
        engine = result.clusters[index] if index >= 0 else ()
        segments: list[tuple[str, str | None]] = []
        prefix, suffix, delimiter = state.affixes
        delimiter = delimiter or "; "
        if form == "empty":
            segments = []
        elif form in ("whole", "bare"):
            whole = engine[0] if engine else ""
            inner = state.strip(whole) if whole else ""
            pieces: list[tuple[str, str | None]]
            split = _pieces(
                inner,
                delimiter,
                [(state.strip(result.clusters[i][0]), k) for k, i in probes.get(record["id"], [])],
            )
            if len(known) == 1 and inner:
                pieces = [(inner, known[0]["key"])]
            elif split is not None:
                pieces = split
            else:
                pieces = [(inner, known[0]["key"] if len(known) == 1 else None)] if inner else []
            for marker in unknown:
                if pieces:
                    pieces.append((delimiter, None))
                pieces.append((marker, None))
            if form == "whole" and (prefix or suffix) and pieces:
                segments = [(prefix, None), *pieces, (suffix, None)]
            elif form == "whole" and whole and not unknown and inner == whole:
                segments = pieces
            elif form == "whole" and not pieces:
                segments = []
            else:
                segments = pieces
            if note_style and form == "whole" and segments and not (prefix or suffix):
                segments = [("(", None), *segments, (")", None)]
        elif form.startswith("in-text"):
            for i, cite in enumerate(known):
                author = state.strip(engine[2 * i])
                rest = engine[2 * i + 1]
                text = f"{author} {rest}" if author and rest else (author or rest)
                if form == "in-text-capital" and i == 0:
                    text = capitalize_first(text)
                if segments:
                    segments.append((", " if i < len(known) - 1 or unknown else " and ", None))
                segments.append((text, cite["key"]))
            for marker in unknown:
                if segments:
                    segments.append((", ", None))
                segments.append((marker, None))
        elif form.startswith("author"):
            authors = [state.strip(a) for a in engine] + unknown
            text = _join_names([a for a in authors if a])
            if form == "author-capital":
                text = capitalize_first(text)
            if form == "authorpar":
                text = prefix + text + suffix if (prefix or suffix) else f"({text})"
            segments = [(text, known[0]["key"] if len(known) == 1 else None)]
        else:  # year, yearpar
            texts = [state.strip(engine[0])] if engine else []
            text = delimiter.join(texts + unknown)
            if form == "yearpar":
                text = prefix + text + suffix if (prefix or suffix) else f"({text})"
            segments = [(text, known[0]["key"] if len(known) == 1 else None)]
        rendered[record["id"]] = segments
    return {"citations": rendered, "bibliographies": rendered_bibs, "home": home}


def _pieces(
    inner: str, delimiter: str, alone: Sequence[tuple[str, str]]
) -> list[tuple[str, str | None]] | None:
    """A citation of several works cut into each work's piece, from the text
    each cite has alone; None where the citation is not those pieces joined
    (the style grouped or collapsed them)."""
    if len(alone) < 2 or len({text for text, _ in alone}) != len(alone):
        return None
    rest = inner
    out: list[tuple[str, str | None]] = []
    left = sorted(alone, key=lambda pair: -len(pair[0]))
    while rest:
        for text, key in left:
            if text and rest.startswith(text):
                out.append((text, key))
                rest = rest[len(text) :]
                left.remove((text, key))
                break
        else:
            return None
        if rest:
            if not delimiter or not rest.startswith(delimiter):
                return None
            out.append((delimiter, None))
            rest = rest[len(delimiter) :]
    return out if not left else None


def _env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Render the project's citations; the documents whose rendering changed are
    written again (an incremental build re-reads only the edited documents)."""
    from citekit.errors import CitekitError

    try:
        rendered = _render_project(app, env)
    except CitekitError as error:
        from sphinx.errors import ExtensionError

        raise ExtensionError(f"citekit.sphinx: {error}") from None
    cite_domain = env.get_domain("cite")
    digests: dict[str, str] = {}
    for docname, records in cite_domain.data["citations"].items():
        data = [
            [rendered["citations"].get(r["id"]) for r in records],
            [rendered["home"].get(c["key"]) for r in records for c in r["cites"]],
        ]
        digests[docname] = _digest(data)
    for docname, bibs in cite_domain.data["bibliographies"].items():
        data = [rendered["bibliographies"].get(b["id"]) for b in bibs]
        digests[docname] = _digest([digests.get(docname), data])
    previous: dict[str, str] = getattr(env, "citekit_digests", {})
    changed = [d for d, value in digests.items() if previous.get(d) != value]
    env.citekit_digests = digests  # type: ignore[attr-defined]
    env.citekit_rendered = rendered  # type: ignore[attr-defined]
    return changed


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# -- engine HTML as docutils nodes -----------------------------------------------------------


def html_nodes(markup: str) -> list[nodes.Node]:
    """Engine HTML (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps, links) as
    docutils nodes, so that every builder (HTML, LaTeX, text, ...) writes it its way."""
    if not markup.strip():
        return [nodes.Text(markup)] if markup else []
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="span")
    except Exception:  # not HTML after all: its text
        return [nodes.Text(re.sub(r"<[^<>]*>", "", markup))]
    return _children(root)


def _children(element: Any) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    if element.text:
        out.append(nodes.Text(element.text))
    for child in element:
        if isinstance(child.tag, str):
            inner = _children(child)
            tag = child.tag.lower()
            node: nodes.Element
            if tag in ("i", "em"):
                node = nodes.emphasis("", "", *inner)
            elif tag in ("b", "strong"):
                node = nodes.strong("", "", *inner)
            elif tag == "sup":
                node = nodes.superscript("", "", *inner)
            elif tag == "sub":
                node = nodes.subscript("", "", *inner)
            elif tag == "a" and child.get("href"):
                node = nodes.reference("", "", *inner, refuri=child.get("href"))
            else:
                classes = []
                style = (child.get("style") or "").replace(" ", "")
                if "small-caps" in style:
                    classes.append("csl-smallcaps")
                classes += [c for c in (child.get("class") or "").split() if c.startswith("csl")]
                node = nodes.inline("", "", *inner, classes=classes)
            out.append(node)
        if child.tail:
            out.append(nodes.Text(child.tail))
    return out


def _plain(markup: str) -> str:
    return "".join(n.astext() for n in html_nodes(markup))


# -- replacing the placeholders when a document is written ------------------------------------


class CitationTransform(SphinxPostTransform):
    """Replace citation and bibliography placeholders by their rendered nodes,
    with links from citations to entries (for every builder)."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        rendered: dict[str, Any] | None = getattr(self.env, "citekit_rendered", None)
        if rendered is None:
            rendered = _render_project(_app_of(self.env), self.env)
            self.env.citekit_rendered = rendered  # type: ignore[attr-defined]
        link = self.config.citekit_link_citations
        builder = _app_of(self.env).builder
        for node in list(self.document.findall(citation_node)):
            segments = rendered["citations"].get(node["record_id"], [])
            out: list[nodes.Node] = []
            for markup, key in segments:
                children = html_nodes(markup)
                target = rendered["home"].get(key) if key is not None else None
                if link and target is not None and children and markup.strip():
                    ref = make_refnode(
                        builder,
                        node["docname"],
                        target[0],
                        target[1],
                        children,
                    )
                    ref["classes"].append("citekit-citation")
                    out.append(ref)
                else:
                    out.extend(children)
            wrapper = nodes.inline("", "", *out, classes=["citekit-cite"])
            node.replace_self(wrapper if out else [])
        for bib in list(self.document.findall(bibliography_node)):
            entries = rendered["bibliographies"].get(bib["record_id"], [])
            body = nodes.container("", classes=["citekit-bibliography", "csl-bib-body"])
            for key, anchor, markup in entries:
                paragraph = nodes.paragraph("", "", classes=["csl-entry"])
                if builder.format == "latex":  # LaTeX labels only targets
                    paragraph += nodes.target("", "", ids=[anchor])
                else:
                    paragraph["ids"].append(anchor)
                paragraph.extend(html_nodes(markup))
                paragraph["citekit_key"] = key
                body += paragraph
            bib.replace_self(body if entries else [])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the roles, directives, configuration values and events."""
    app.add_config_value("bibtex_bibfiles", None, "env", types=(list, tuple))
    app.add_config_value("bibtex_encoding", "utf-8-sig", "env")
    app.add_config_value("bibtex_default_style", "alpha", "env")
    app.add_config_value("bibtex_reference_style", "label", "env")
    app.add_config_value("bibtex_bibliography_header", "", "env", types=(str,))
    app.add_config_value("bibtex_footbibliography_header", "", "env", types=(str,))
    app.add_config_value("bibtex_foot_reference_style", "foot", "env")
    app.add_config_value("citekit_style", DEFAULT_STYLE, "env", types=(str,))
    app.add_config_value("citekit_locale", None, "env")
    app.add_config_value("citekit_link_citations", True, "env", types=(bool,))
    app.add_node(citation_node)
    app.add_node(bibliography_node)
    app.add_domain(CiteDomain)
    app.add_domain(FootCiteDomain)
    app.add_role("cite", CiteRole("whole", "p"))
    app.add_role("footcite", FootCiteRole("whole", "p"))
    app.add_directive("bibliography", BibliographyDirective)
    app.add_directive("footbibliography", FootBibliographyDirective)
    app.add_transform(_FootnotesAtEnd)
    app.add_post_transform(CitationTransform)
    app.connect("builder-inited", _builder_inited)
    app.connect("env-get-outdated", _env_get_outdated)
    app.connect("env-updated", _env_updated)
    return {
        "version": "0.1.0",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
