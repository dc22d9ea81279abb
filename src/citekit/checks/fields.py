"""Rules on entry types and their fields: required fields, unknown types, load problems.

Required fields follow the model of each dialect: BibTeX's standard styles
(``btxdoc``, "Entry Types"), the biblatex data model (``blx-dm.def``, the
mandatory constraints biber validates against), and, for CSL, what a style
needs to print a usable reference. Fields inherited through ``crossref`` and
``xdata`` count, as they do for BibTeX and biber.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from citekit.checks import Context, Entry, EntryRule, Finding, Rule, Severity

__all__ = ["LoadProblem", "MissingField", "UnknownEntryType", "effective_fields"]

#: One requirement: any one of the fields in the tuple.
Requirement = tuple[str, ...]

_DATE = ("year", "date")

#: BibTeX's standard styles (plain, alpha, ...): required fields per type.
BIBTEX_REQUIRED: dict[str, tuple[Requirement, ...]] = {
    "article": (("author",), ("title",), ("journal",), ("year",)),
    "book": (("author", "editor"), ("title",), ("publisher",), ("year",)),
    "booklet": (("title",),),
    "conference": (("author",), ("title",), ("booktitle",), ("year",)),
    "inbook": (("author", "editor"), ("title",), ("chapter", "pages"), ("publisher",), ("year",)),
    "incollection": (("author",), ("title",), ("booktitle",), ("publisher",), ("year",)),
    "inproceedings": (("author",), ("title",), ("booktitle",), ("year",)),
    "manual": (("title",),),
    "mastersthesis": (("author",), ("title",), ("school",), ("year",)),
    "misc": (),
    "phdthesis": (("author",), ("title",), ("school",), ("year",)),
    "proceedings": (("title",), ("year",)),
    "techreport": (("author",), ("title",), ("institution",), ("year",)),
    "unpublished": (("author",), ("title",), ("note",)),
}

#: The biblatex data model's mandatory fields (blx-dm.def), per type; every
#: type listed there also needs a date or a year.
BIBLATEX_REQUIRED: dict[str, tuple[Requirement, ...]] = {
    "article": (("author",), ("journaltitle", "journal"), ("title",), _DATE),
    "book": (("author",), ("title",), _DATE),
    "mvbook": (("author",), ("title",), _DATE),
    "inbook": (("author",), ("title",), ("booktitle",), _DATE),
    "bookinbook": (("author",), ("title",), ("booktitle",), _DATE),
    "suppbook": (("author",), ("title",), ("booktitle",), _DATE),
    "booklet": (("author", "editor"), ("title",), _DATE),
    "collection": (("editor",), ("title",), _DATE),
    "mvcollection": (("author", "editor"), ("title",), _DATE),
    "reference": (("editor",), ("title",), _DATE),
    "mvreference": (("author", "editor"), ("title",)),
    "incollection": (("author",), ("editor",), ("title",), ("booktitle",), _DATE),
    "suppcollection": (("author",), ("editor",), ("title",), ("booktitle",), _DATE),
    "inreference": (("author",), ("editor",), ("title",), ("booktitle",), _DATE),
    "manual": (("title",), _DATE),
    "misc": (("title",), _DATE),
    "online": (("title",), ("url", "doi", "eprint"), _DATE),
    "patent": (("author",), ("title",), ("number",), _DATE),
    "periodical": (("editor",), ("title",), _DATE),
    "suppperiodical": (_DATE,),
    "proceedings": (("editor",), ("title",), _DATE),
    "mvproceedings": (("editor",), ("title",)),
    "inproceedings": (("author",), ("title",), ("booktitle",), _DATE),
    "report": (("author",), ("title",), ("type",), ("institution",), _DATE),
    "thesis": (("author",), ("title",), ("type",), ("institution", "school"), _DATE),
    "unpublished": (("author",), ("title",), _DATE),
    "set": (("entryset",),),
}

#: biblatex's styles name an entry by the first of these it has (its default
#: labelname), so any of them stands in for the author the data model asks for.
_LABELNAME: Requirement = ("author", "shortauthor", "editor", "shorteditor", "translator")

#: biblatex's aliases for BibTeX's types, and what the alias supplies.
BIBLATEX_ALIASES: dict[str, tuple[str, frozenset[str]]] = {
    "conference": ("inproceedings", frozenset()),
    "electronic": ("online", frozenset()),
    "www": ("online", frozenset()),
    "mastersthesis": ("thesis", frozenset({"type"})),
    "phdthesis": ("thesis", frozenset({"type"})),
    "techreport": ("report", frozenset({"type"})),
}

#: biblatex types its standard styles know but have no mandatory fields for
#: (blx-dm.def lists them; the styles treat them as ``misc``), and ``xdata``.
BIBLATEX_OTHER_TYPES = frozenset(
    {
        "artwork",
        "audio",
        "bibnote",
        "commentary",
        "customa",
        "customb",
        "customc",
        "customd",
        "custome",
        "customf",
        "dataset",
        "image",
        "jurisdiction",
        "legal",
        "legislation",
        "letter",
        "movie",
        "music",
        "performance",
        "review",
        "software",
        "standard",
        "video",
        "xdata",
    }
)

#: Field names one model reads under another's name (biblatex maps BibTeX's).
_SYNONYMS = {
    "journal": ("journaltitle",),
    "journaltitle": ("journal",),
    "school": ("institution",),
    "institution": ("school",),
    "address": ("location",),
    "location": ("address",),
    "year": ("date",),
    "date": ("year",),
}


def effective_fields(entry: Entry, context: Context) -> Mapping[str, str]:
    """An entry's fields with those it inherits through ``crossref`` and ``xdata``."""
    cache: dict[str, Mapping[str, str]] = context.cache.setdefault("effective-fields", {})
    if entry.key in cache:
        return cache[entry.key]
    index: dict[str, Entry] | None = context.cache.get("entries-by-key")
    if index is None:
        index = {}
        for candidate in context.entries:
            index.setdefault(candidate.key.lower(), candidate)
        context.cache["entries-by-key"] = index
    return _effective(entry, index, cache, ())


def _effective(
    entry: Entry,
    index: Mapping[str, Entry],
    cache: dict[str, Mapping[str, str]],
    trail: tuple[str, ...],
) -> Mapping[str, str]:
    from citekit.formats.bibtex import _inherit

    if entry.key in cache:
        return cache[entry.key]
    values = {name: field.value for name, field in entry.fields.items()}
    parents: list[tuple[str, bool]] = []
    for name in (values.get("xdata") or "").split(","):
        if name.strip():
            parents.append((name.strip(), True))
    if (values.get("crossref") or "").strip():
        parents.append((values["crossref"].strip(), False))
    for parent_key, is_xdata in parents:
        parent = index.get(parent_key.lower())
        if parent is None or parent.key in trail or parent is entry:
            continue
        inherited = _effective(parent, index, cache, (*trail, entry.key))
        for name, value in _inherit(parent.type, entry.type, inherited, is_xdata).items():
            values.setdefault(name, value)
    cache[entry.key] = values
    return values


def _present(name: str, fields: Mapping[str, str]) -> bool:
    for candidate in (name, *_SYNONYMS.get(name, ())):
        value = fields.get(candidate)
        if value is not None and value.strip(" {}\t\n"):
            return True
    return False


def _names(requirement: Requirement) -> str:
    quoted = [f"'{name}'" for name in requirement]
    return quoted[0] if len(quoted) == 1 else " or ".join(quoted)


#: What a CSL style needs to print a usable reference, per CSL type.
CSL_REQUIRED: dict[str, tuple[Requirement, ...]] = {
    "article-journal": (("title",), ("container-title",)),
    "article-magazine": (("title",), ("container-title",)),
    "article-newspaper": (("title",), ("container-title",)),
    "chapter": (("title",), ("container-title",)),
    "paper-conference": (("title",),),
    "entry-encyclopedia": (("title",), ("container-title",)),
    "entry-dictionary": (("title",), ("container-title",)),
}
_CSL_UNTITLED = frozenset({"personal_communication", "interview"})


class MissingField(EntryRule):
    """Required fields per entry type, in the entry's dialect."""

    id = "missing-field"
    severity = "warning"
    family = "fields"
    rationale = (
        "A style prints what an entry holds: without its title, journal or year a "
        "reference is incomplete, and BibTeX and biber warn about it only at build time. "
        "What is required follows the dialect: BibTeX's standard styles, the biblatex "
        "data model (with author or editor, year or date, and fields inherited through "
        "crossref and xdata), CSL's needs for a usable reference. A missing title is an "
        "error; other missing fields are warnings."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        if entry.dialect == "csl":
            yield from self._csl(entry, context)
            return
        supplied: frozenset[str] = frozenset()
        kind = entry.type
        if entry.dialect == "biblatex":
            kind, supplied = BIBLATEX_ALIASES.get(kind, (kind, supplied))
            table = BIBLATEX_REQUIRED
        else:
            table = BIBTEX_REQUIRED
        requirements = table.get(kind)
        if requirements is None:
            return
        fields = effective_fields(entry, context)
        for requirement in requirements:
            severity: Severity | None = "error" if requirement == ("title",) else None
            if entry.dialect == "biblatex":
                if requirement == ("author",):
                    requirement = _LABELNAME
                elif requirement in (("editor",), ("type",)):
                    # The model asks for them, but biblatex's styles print an entry
                    # well without (the title stands in; no type is printed).
                    severity = "info"
            if any(name in supplied or _present(name, fields) for name in requirement):
                continue
            # The finding names the missing field (the first of the alternatives);
            # its line is the entry's, since the field has none.
            yield self.finding(
                context,
                entry,
                requirement[0],
                f"an entry of type @{entry.type} needs {_names(requirement)}"
                f" ({_dialect_name(entry.dialect)}); it has none",
                severity=severity,
            )

    def _csl(self, entry: Entry, context: Context) -> Iterable[Finding]:
        requirements = CSL_REQUIRED.get(entry.type)
        if requirements is None:
            requirements = () if entry.type in _CSL_UNTITLED else (("title",),)
        for requirement in requirements:
            if any(name in entry.fields for name in requirement):
                continue
            yield self.finding(
                context,
                entry,
                requirement[0],
                f"{'an' if entry.type[:1] in 'aeiou' else 'a'} {entry.type} needs"
                f" {_names(requirement)} for a usable reference;"
                " it has none",
                severity="error" if requirement == ("title",) else None,
            )


def _dialect_name(dialect: str) -> str:
    return {"bibtex": "BibTeX's standard styles", "biblatex": "the biblatex data model"}.get(
        dialect, dialect
    )


class UnknownEntryType(EntryRule):
    """Entry types the dialect does not know."""

    id = "unknown-entry-type"
    severity = "warning"
    family = "fields"
    rationale = (
        "An entry type the styles do not know is printed as @misc (BibTeX warns and "
        "biber drops it with a warning in biblatex's model), usually not what was meant."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        kind = entry.type
        if entry.dialect == "bibtex":
            known = kind in BIBTEX_REQUIRED
            if not known and (
                kind in BIBLATEX_REQUIRED
                or kind in BIBLATEX_OTHER_TYPES
                or kind in BIBLATEX_ALIASES
            ):
                # A biblatex type in a BibTeX file: the reader treats such a file
                # as biblatex; only an explicit --dialect bibtex gets here.
                yield self.finding(
                    context,
                    entry,
                    None,
                    f"@{entry.type} is a biblatex type; BibTeX's standard styles print it as @misc",
                    severity="info",
                )
                return
        else:
            known = (
                kind in BIBLATEX_REQUIRED
                or kind in BIBLATEX_OTHER_TYPES
                or kind in BIBLATEX_ALIASES
            )
        if not known:
            yield self.finding(
                context,
                entry,
                None,
                f"unknown entry type @{entry.type}; {_dialect_name(entry.dialect)} print it"
                " as @misc, if at all",
            )


#: Fields whose reading warnings the date rules replace.
_JUDGED = frozenset({"year", "month", "day", "date", "urldate", "eventdate", "origdate"})


class LoadProblem(Rule):
    """What went wrong while reading the file (other than duplicate keys)."""

    id = "load-problem"
    severity = "error"
    family = "fields"
    rationale = (
        "Problems met while reading (an undefined macro, a malformed entry, an unreadable "
        "name) are reported here too, so that one command shows everything; a problem that "
        "another rule reports on the same field is shown once, by that rule."
    )

    def check(self, context: Context) -> Iterable[Finding]:
        from citekit.checks.references import is_duplicate_problem

        for problem in context.library.problems:
            if is_duplicate_problem(problem.message):
                continue
            if problem.field in ("crossref", "xdata", "xref") and problem.key is not None:
                continue  # the references rules report these
            if (
                problem.severity == "warning"
                and problem.field in _JUDGED
                and not problem.message.startswith("undefined macro")
            ):
                # How citekit modelled a date it could not read as one: the date
                # rules judge these fields by what BibTeX and biber do with them.
                continue
            yield Finding(
                rule=self.id,
                severity=problem.severity,
                path=problem.path or context.path,
                line=problem.line,
                key=problem.key,
                field=problem.field,
                message=problem.message,
            )
