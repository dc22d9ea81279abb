"""BibTeX <-> BibLaTeX: every entry written in one dialect, with what it cannot say.

``citekit convert refs.bib out.bib --dialect bibtex`` (or ``biblatex``) writes
every entry anew in the chosen dialect: field names (``journal`` /
``journaltitle``, ``address`` / ``location``, ``school`` / ``institution``),
dates (``year`` and ``month`` / ``date``), entry types (``@phdthesis`` /
``@thesis`` with ``type``, ``@techreport`` / ``@report``, ``@misc`` with
``howpublished = {\\url{...}}`` / ``@online``), and reports, as a loss, what
the target dialect has no field or type for: a BibLaTeX-only field left in a
BibTeX file (BibTeX styles ignore it), a BibLaTeX type BibTeX writes as
``@misc``, and anything that would not read back the same.
"""

from __future__ import annotations

from typing import Literal

from citekit.formats.bibtex import (
    _BIBLATEX_FIELDS,
    _BIBLATEX_TYPES,
    _check_key,
    _collector_paused,
    _delimit,
    _Reader,
    entry_type_for,
    kept_as,
    render_fields,
)
from citekit.formats.losses import Loss, compare, merge
from citekit.model.library import Library
from citekit.model.work import Work

__all__ = ["DIALECTS", "dialect_losses", "format_dialect_entry", "write_dialect"]

DIALECTS = ("bibtex", "biblatex")

#: BibLaTeX entry types -> the BibTeX type written for them.
_BIBTEX_TYPE_FOR = {
    "thesis": "phdthesis",
    "report": "techreport",
    "collection": "book",
    "mvbook": "book",
    "mvcollection": "book",
    "reference": "book",
    "mvreference": "book",
    "mvproceedings": "proceedings",
    "bookinbook": "inbook",
    "suppbook": "inbook",
    "suppcollection": "incollection",
    "inreference": "incollection",
    "suppperiodical": "article",
    "review": "article",
}

#: Fields BibLaTeX knows and classic BibTeX styles ignore.
_BIBLATEX_ONLY_FIELDS = _BIBLATEX_FIELDS | {
    "urldate",
    "origdate",
    "eventdate",
    "entrysubtype",
    "eprint",
    "eprinttype",
    "eprintclass",
    "origtitle",
    "volumes",
    "pubstate",
    "shorttitle",
    "series",
    "version",
    "addendum",
    "related",
    "usera",
}
#: Fields of both dialects (not to be reported).
_COMMON = frozenset({"series", "shorttitle", "eprint"})


def format_dialect_entry(work: Work, *, biblatex: bool, newline: str = "\n") -> str:
    """One work as an entry of the given dialect, whatever dialect it was read in."""
    _check_key(work.key)
    kind = entry_type_for(work, biblatex=biblatex)
    prefs: dict[str, str] = {}
    if not biblatex and kind in _BIBLATEX_TYPES:
        kind = _BIBTEX_TYPE_FOR.get(kind, "misc")
    if not biblatex and kind == "misc" and work.url is not None:
        prefs["url"] = "howpublished"
    fields = render_fields(work, entry_type=kind, biblatex=biblatex, prefs=prefs)
    lines = [f"@{kind}{{{work.key},"]
    items = list(fields.items())
    for index, (name, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"  {name} = {_delimit(value)}{comma}")
    lines.append("}")
    return newline.join(lines)


def write_dialect(library: Library, dialect: Literal["bibtex", "biblatex"]) -> str:
    """Every work of ``library`` (duplicates too) as an entry of ``dialect``.

    Excerpts are written as citekit writes them in any ``.bib`` file.
    """
    from citekit.formats.bibtex import format_excerpt

    biblatex = dialect == "biblatex"
    blocks = [
        format_dialect_entry(work, biblatex=biblatex)
        for work in [*library.values(), *library.duplicates]
    ]
    blocks.extend(format_excerpt(excerpt) for excerpt in library.excerpts.values())
    return "\n\n".join(blocks) + "\n" if blocks else ""


def dialect_losses(library: Library, dialect: Literal["bibtex", "biblatex"]) -> list[Loss]:
    """What writing ``library`` in ``dialect`` loses (see the module docstring)."""
    name = "BibTeX" if dialect == "bibtex" else "BibLaTeX"
    biblatex = dialect == "biblatex"
    ignored: dict[tuple[str, str], list[str]] = {}
    for work in [*library.values(), *library.duplicates]:
        kind = entry_type_for(work, biblatex=biblatex)
        if biblatex:
            continue
        if kind in _BIBLATEX_TYPES:
            fate = f"written as @{_BIBTEX_TYPE_FOR.get(kind, 'misc')}"
            ignored.setdefault((f"type @{kind}", fate), []).append(work.key)
            kind = _BIBTEX_TYPE_FOR.get(kind, "misc")
        prefs = {"url": "howpublished"} if kind == "misc" and work.url is not None else {}
        fields = render_fields(work, entry_type=kind, biblatex=False, prefs=prefs)
        for field in fields:
            if field in _BIBLATEX_ONLY_FIELDS and field not in _COMMON:
                fate = "written as a BibLaTeX field, which BibTeX styles ignore"
                ignored.setdefault((f"field {field}", fate), []).append(work.key)
    named = [Loss(name, field, tuple(keys), fate) for (field, fate), keys in ignored.items()]
    text = write_dialect(library, dialect)
    with _collector_paused():
        again = _Reader(None).read(text.encode("utf-8"))
    shown = compare(
        name,
        [*library.values(), *library.duplicates],
        [*again.values(), *again.duplicates],
        kept_fields=kept_as,
    )
    return merge(named, shown)
