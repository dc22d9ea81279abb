"""Bibliography health: find what is wrong in a library, and what can be fixed safely.

:func:`check` runs rules over a library and returns :class:`Finding` values,
one per defect: which rule, how serious, where (file, line of the field, key,
field), what is wrong and what was expected, and the :class:`Fix` that
``citekit check --fix`` would apply when one cannot lose information::

    import citekit
    for finding in citekit.check(citekit.load("refs.bib")):
        print(finding)      # refs.bib:14: error: smith2001: ... [isbn-check-digit]

Rules are plug-ins of the entry-point group ``citekit.checks`` (citekit's own
are declared in its ``pyproject.toml`` as a third party declares theirs); a
rule is a small class with an ``id``, a ``severity``, a ``family``, a
``rationale`` and a method that yields findings (see :class:`Rule` and
:class:`EntryRule`). Rules see a library through :class:`Entry` values: an
entry's type and fields as written in its file (for BibTeX, with the line of
each field), in the dialect of the file (``"bibtex"``, ``"biblatex"`` or
``"csl"``), and the :class:`~citekit.Work` it gave.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs

from citekit.errors import CitekitError

if TYPE_CHECKING:
    from citekit.formats.bibtex import BibtexOrigin, EntryOrigin
    from citekit.model import Library, Work

__all__ = [
    "CHECKS",
    "DIALECTS",
    "SEVERITIES",
    "Context",
    "Entry",
    "EntryRule",
    "Field",
    "Finding",
    "Fix",
    "Rule",
    "available_rules",
    "check",
    "rule_classes",
]

#: The entry-point group of rules.
CHECKS = "citekit.checks"

Severity = Literal["error", "warning", "info"]
#: Severities, most serious first.
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: The dialects a library is checked in.
DIALECTS: tuple[str, ...] = ("bibtex", "biblatex", "csl")


def _check_severity(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {value!r}")


@attrs.frozen(kw_only=True)
class Fix:
    """What ``--fix`` changes: the source text of one field's value, ``old`` to ``new``.

    ``old`` and ``new`` are the value as written in the file, delimiters
    included (``{https://doi.org/10.1000/xyz}`` to ``{10.1000/xyz}``).
    """

    old: str
    new: str
    description: str

    def __str__(self) -> str:
        return self.description

    def to_json(self) -> dict[str, str]:
        """The fix as a JSON object: ``description``, ``old`` and ``new``."""
        return {"description": self.description, "old": self.old, "new": self.new}


@attrs.frozen(kw_only=True)
class Finding:
    """One defect: which rule found it, how serious it is, where, and what is wrong.

    ``str(finding)`` reads like a compiler message:
    ``refs.bib:14: error: smith2001: the check digit ... [isbn-check-digit]``.
    """

    rule: str
    severity: Severity = attrs.field(validator=_check_severity)
    path: str | None = None
    line: int | None = None
    """The line of the field when it has one, else of the entry (None when unknown)."""
    key: str | None = None
    field: str | None = None
    message: str
    fix: Fix | None = None

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        key = f"{self.key}: " if self.key is not None else ""
        return f"{where}: {self.severity}: {key}{self.message} [{self.rule}]"

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object with the names of its attributes."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "key": self.key,
            "field": self.field,
            "message": self.message,
            "fix": None if self.fix is None else self.fix.to_json(),
        }


@attrs.frozen
class Field:
    """One field of an entry: its name (lowercase), its value, its source and line.

    ``value`` is the text of the field with delimiters removed and macros
    expanded, LaTeX not decoded (``{\\"u}ber``); ``raw`` is the source text of
    the value (``{{\\"u}ber}``), None for formats that keep none.
    """

    name: str
    value: str
    raw: str | None = None
    line: int | None = None


@attrs.define(eq=False)
class Entry:
    """An entry as rules see it: key, type, fields as written, and the Work it gave.

    For BibTeX, ``type`` is the entry type in lowercase and ``fields`` are the
    fields of the file (lowercase names, first occurrence); for CSL-JSON and
    CSL-YAML, ``type`` is the CSL type and ``fields`` the CSL variables the
    work has.
    """

    key: str
    type: str
    dialect: str
    fields: dict[str, Field]
    work: Work | None
    line: int | None = None
    origin: EntryOrigin | None = attrs.field(default=None, repr=False)
    repeated: list[Field] = attrs.Factory(list)
    """Fields given a second time in the entry (BibTeX keeps the first)."""

    def get(self, name: str) -> str | None:
        """The value of a field, or None."""
        field = self.fields.get(name)
        return None if field is None else field.value

    def line_of(self, name: str | None) -> int | None:
        """The line of a field, else of the entry."""
        if name is not None:
            field = self.fields.get(name)
            if field is not None and field.line is not None:
                return field.line
        return self.line


@attrs.define(eq=False)
class Context:
    """What a rule checks: the library, its entries, its dialect and the manuscripts."""

    library: Library
    entries: list[Entry]
    path: str | None
    manuscripts: dict[str, str] = attrs.Factory(dict)
    """Manuscripts to check the library against: their text by path."""
    cache: dict[str, Any] = attrs.Factory(dict)
    """What rules compute once and share (by a name of the rule's own)."""

    @property
    def keys(self) -> set[str]:
        """The keys of the library's works."""
        return set(self.library)


class Rule:
    """A check over a whole library. Subclass it (or :class:`EntryRule`) for a new rule.

    Class attributes: ``id`` (stable, lowercase with hyphens, the entry-point
    name), ``severity`` (the default: ``"error"``, ``"warning"`` or ``"info"``),
    ``family`` (``"fields"``, ``"identifiers"``, ``"dates"``, ``"names"``,
    ``"text"``, ``"references"``, ``"manuscript"``, or a new one),
    ``rationale`` (why it matters, in a sentence or two), and ``dialects``
    (the dialects it applies to). :meth:`check` yields findings, made with
    :meth:`finding`.
    """

    id: ClassVar[str] = ""
    severity: ClassVar[Severity] = "warning"
    family: ClassVar[str] = "other"
    rationale: ClassVar[str] = ""
    dialects: ClassVar[frozenset[str]] = frozenset(DIALECTS)
    fixable: ClassVar[bool] = False
    """Whether the rule can offer a fix (applied by ``--fix``)."""

    def check(self, context: Context) -> Iterable[Finding]:
        """The findings of this rule on ``context``."""
        raise NotImplementedError

    def finding(
        self,
        context: Context,
        entry: Entry | None,
        field: str | None,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
        line: int | None = None,
    ) -> Finding:
        """A finding of this rule on ``entry`` (and ``field``), at the field's line."""
        if line is None and entry is not None:
            line = entry.line_of(field)
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            path=context.path,
            line=line,
            key=entry.key if entry is not None else None,
            field=field,
            message=message,
            fix=fix,
        )


class EntryRule(Rule):
    """A rule that looks at one entry at a time: implement :meth:`check_entry`."""

    def check(self, context: Context) -> Iterable[Finding]:
        """The findings of :meth:`check_entry` on each entry of the rule's dialects."""
        for entry in context.entries:
            if entry.dialect in self.dialects:
                yield from self.check_entry(entry, context)

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        """The findings on one entry."""
        raise NotImplementedError


# -- the rules ---------------------------------------------------------------------


def rule_classes() -> dict[str, type[Rule]]:
    """Every rule installed (entry points of ``citekit.checks``) or registered, by id."""
    from citekit import plugins

    found: dict[str, type[Rule]] = plugins.load_all(CHECKS)
    for name, cls in found.items():
        if not (isinstance(cls, type) and issubclass(cls, Rule)):
            raise CitekitError(f"{CHECKS} plug-in {name!r} is not a citekit.checks.Rule")
        if cls.id != name:
            raise CitekitError(f"{CHECKS} plug-in {name!r} has the id {cls.id!r}")
    return dict(sorted(found.items()))


def available_rules() -> list[str]:
    """The ids of the installed rules, sorted."""
    return list(rule_classes())


def _select(rules: Iterable[str] | None, ignore: Iterable[str] | None = None) -> list[type[Rule]]:
    classes = rule_classes()
    chosen = list(classes) if rules is None else list(dict.fromkeys(rules))
    ignored = set(ignore or ())
    unknown = [name for name in [*chosen, *ignored] if name not in classes]
    if unknown:
        from citekit.errors import PluginNotFoundError

        raise PluginNotFoundError(CHECKS, unknown[0], list(classes))
    return [classes[name] for name in chosen if name not in ignored]


# -- entries of a library ----------------------------------------------------------------


def _raw_fields(entry: EntryOrigin) -> Iterator[tuple[str, str, int]]:
    """(lowercase name, value's source text, line) of each field of an entry, read
    from its layout's offsets (what :attr:`EntryOrigin.fields` gives, without
    making its objects)."""
    spans = entry.spans
    if spans is None:
        for raw in entry.fields:
            yield raw.lower, raw.raw, raw.line
        return
    source = entry.source
    base = entry.start
    line = entry.line
    at = base
    for i in range(1, len(spans), 5):
        name_start = base + spans[i]
        line += source.count("\n", at, name_start)
        at = name_start
        yield (
            source[name_start : base + spans[i + 1]].lower(),
            source[base + spans[i + 2] : base + spans[i + 3]],
            line,
        )


def _bibtex_entries(library: Library, origin: BibtexOrigin, dialect: str | None) -> list[Entry]:
    from citekit.formats.bibtex import resolve_value

    macros = origin.macros
    # One tool (BibTeX or biber) reads the whole file: its dialect is the file's.
    file_dialect = dialect or ("biblatex" if origin.biblatex else "bibtex")
    entries: list[Entry] = []
    for key, entry_origin in origin.entries.items():
        fields: dict[str, Field] = {}
        repeated: list[Field] = []
        for name, source, line in _raw_fields(entry_origin):
            value, _ = resolve_value(source, macros)
            field = Field(name, value, source, line)
            if name in fields:
                repeated.append(field)
            else:
                fields[name] = field
        entries.append(
            Entry(
                key=key,
                type=entry_origin.entry_type.lower(),
                dialect=file_dialect,
                fields=fields,
                work=library.get(key),
                line=entry_origin.line,
                origin=entry_origin,
                repeated=repeated,
            )
        )
    return entries


#: Work attributes that are CSL variables, by CSL name.
_CSL_VARIABLES = {
    "title": "title",
    "container-title": "container_title",
    "collection-title": "collection_title",
    "volume": "volume",
    "issue": "issue",
    "number": "number",
    "page": "page",
    "edition": "edition",
    "publisher": "publisher",
    "publisher-place": "publisher_place",
    "genre": "genre",
    "DOI": "doi",
    "ISBN": "isbn",
    "ISSN": "issn",
    "URL": "url",
    "PMID": "pmid",
    "PMCID": "pmcid",
    "language": "language",
    "note": "note",
}


def _csl_places(library: Library) -> dict[str, tuple[str, int, int]]:
    """For a library read from CSL-JSON or CSL-YAML: each item's text, start and end."""
    from citekit.formats.csl import CslOrigin

    origin = library.origin
    if not isinstance(origin, CslOrigin) or not origin.items:
        return {}
    try:
        text = origin.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    places: dict[str, tuple[str, int, int]] = {}
    for item in origin.items:
        if item.kind == "work" and item.span is not None and item.obj is not None:
            places[item.obj.key] = (text, item.span[0], item.span[1])
    return places


def _line_in(place: tuple[str, int, int] | None, name: str | None = None) -> int | None:
    """The line of an item (or of its ``name`` key, in JSON or YAML) in its text."""
    if place is None:
        return None
    text, start, end = place
    at = start
    if name is not None:
        import re

        pattern = re.compile(
            r'"' + re.escape(name) + r'"\s*:|^[ \t]*(?:- )?' + re.escape(name) + r"\s*:",
            re.IGNORECASE | re.MULTILINE,
        )
        m = pattern.search(text, start, end)
        if m is None:
            return None
        at = m.start()
    return text.count("\n", 0, at) + 1


def _csl_entries(library: Library, dialect: str | None) -> list[Entry]:
    places = _csl_places(library)
    entries: list[Entry] = []
    for key, work in library.items():
        place = places.get(key)
        fields: dict[str, Field] = {}

        values: dict[str, str] = {}
        for name, attr in _CSL_VARIABLES.items():
            value = getattr(work, attr)
            if value is not None:
                values[name] = value
        if work.arxiv is not None:
            values["arxiv"] = work.arxiv
        for name, value in work.variables.items():
            if isinstance(value, str) and name not in values:
                values[name] = value
        for name, value in values.items():
            fields[name] = Field(name, value, None, _line_in(place, name))
        entries.append(
            Entry(
                key=key,
                type=str(work.type),
                dialect=dialect or "csl",
                fields=fields,
                work=work,
                line=_line_in(place),
            )
        )
    return entries


def entries_of(library: Library, dialect: str | None = None) -> list[Entry]:
    """The entries of a library as rules see them (see :class:`Entry`)."""
    from citekit.formats.bibtex import BibtexOrigin

    if isinstance(library.origin, BibtexOrigin):
        return _bibtex_entries(library, library.origin, dialect)
    return _csl_entries(library, dialect)


# -- checking ------------------------------------------------------------------------------

_ORDER = {name: index for index, name in enumerate(SEVERITIES)}


def check(
    library: Library,
    *,
    rules: Iterable[str] | None = None,
    dialect: str | None = None,
    ignore: Iterable[str] | None = None,
    manuscripts: Mapping[str, str] | Sequence[str | os.PathLike[str]] | None = None,
) -> list[Finding]:
    """The findings of the rules on a library, in file order (by line, then rule).

    ``rules`` names the rules to run (default: all installed), ``ignore``
    those to leave out; an unknown name raises
    :class:`~citekit.PluginNotFoundError` listing the rules. ``dialect``
    (``"bibtex"``, ``"biblatex"`` or ``"csl"``) overrides the dialect read
    from the file (each BibTeX entry's own, ``"csl"`` for CSL-JSON and
    CSL-YAML). ``manuscripts`` (paths, or texts by path) turn on the rules
    that compare the library with what the manuscripts cite.
    """
    if dialect is not None and dialect not in DIALECTS:
        raise CitekitError(f"unknown dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")
    texts: dict[str, str] = {}
    if isinstance(manuscripts, Mapping):
        texts = {str(name): str(text) for name, text in manuscripts.items()}
    elif manuscripts:
        from citekit.checks.manuscript_files import read_manuscripts

        texts = read_manuscripts(manuscripts)
    context = Context(
        library=library,
        entries=entries_of(library, dialect),
        path=library.path,
        manuscripts=texts,
    )
    findings: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    for cls in _select(rules, ignore):
        rule = cls()
        for finding in rule.check(context):
            identity = (finding.rule, finding.key, finding.field, finding.line, finding.message)
            if identity not in seen:
                seen.add(identity)
                findings.append(finding)
    # A reading problem that a rule reports on the same field (or, for an entry
    # lost to an unclosed brace, on the same entry) is shown once, by the rule.
    covered = {(f.key, f.field) for f in findings if f.rule != "load-problem"}
    lost = {f.key for f in findings if f.rule == "unbalanced-braces"}
    findings = [
        f
        for f in findings
        if f.rule != "load-problem"
        or ((f.key, f.field) not in covered if f.field is not None else f.key not in lost)
    ]
    findings.sort(
        key=lambda f: (
            f.line if f.line is not None else 1 << 60,
            f.key or "",
            _ORDER[f.severity],
            f.rule,
        )
    )
    return findings


def iter_fixes(findings: Iterable[Finding]) -> Iterator[Finding]:
    """The findings that carry a fix."""
    return (finding for finding in findings if finding.fix is not None)
