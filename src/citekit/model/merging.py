"""Merging works that are one work: the most complete one, filled from the others.

:func:`merge_works` never picks silently: a field two works give different
values for keeps the base's value and is reported, with every value, in
:attr:`MergeResult.conflicts`. Keys of the absorbed works become aliases of
the result (``extra["ids"]``, see :meth:`citekit.Library.aliases_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from citekit.model.aliases import ALIASES_FIELD, with_aliases, work_aliases
from citekit.model.persons import Person
from citekit.model.work import Role, Work

__all__ = ["MergeResult", "comparable", "completeness", "field_text", "merge_works", "work_fields"]

#: Work attributes that are not fields of the work's content.
_NOT_FIELDS = frozenset({"key", "contributors", "variables", "extra", "rich", "hints", "keywords"})
_ATTRIBUTES: tuple[str, ...] = tuple(
    a.name for a in attrs.fields(Work) if a.name not in _NOT_FIELDS
)


def _persons_text(persons: Sequence[Person]) -> str:
    return "; ".join(p.inverted() for p in persons)


def _identifier_keys() -> dict[str, Callable[[str], str | None]]:
    import citekit.model.identifiers as ids

    return {
        "doi": ids.doi_key,
        "isbn": ids.isbn_key,
        "issn": ids.issn_key,
        "pmid": ids.pmid_key,
        "pmcid": ids.pmcid_key,
        "arxiv": ids.arxiv_key,
    }


def comparable(name: str, value: Any) -> str:
    """A field value as compared for conflicts: its text, or for an identifier
    (DOI, ISBN, ISSN, PMID, PMCID, arXiv id) its normal form, so that
    ``https://doi.org/10.1/x`` and ``10.1/X`` are one value."""
    text = field_text(value)
    key_of = _identifier_keys().get(name)
    if key_of is not None:
        return key_of(text) or text
    return text


def field_text(value: Any) -> str:
    """A field value as text for a conflict report."""
    if isinstance(value, tuple) and all(isinstance(p, Person) for p in value):
        return _persons_text(value)
    if isinstance(value, str):
        return value
    return str(value)


def work_fields(work: Work) -> dict[str, Any]:
    """Every field of ``work`` that has a value, by name: attributes by their
    name (``"title"``, ``"issued"``), contributors by role (``"author"``),
    ``"variables.NAME"`` and ``"extra.NAME"``, and ``"keywords"``. The aliases
    (``extra.ids``) are left out: they are keys, not content."""
    out: dict[str, Any] = {}
    for name in _ATTRIBUTES:
        value = getattr(work, name)
        if value is not None:
            out[name] = value
    for group in work.contributors:
        out[str(group.role)] = group.persons
    for name, value in work.variables.items():
        out[f"variables.{name}"] = value
    for name, value in work.extra.items():
        if name != ALIASES_FIELD:
            out[f"extra.{name}"] = value
    if work.keywords:
        out["keywords"] = work.keywords
    return out


def completeness(work: Work) -> int:
    """How many fields ``work`` fills (the base of a merge is the most complete)."""
    return len(work_fields(work))


@attrs.frozen(kw_only=True)
class MergeResult:
    """What a merge made: the work, what it absorbed, and what conflicted.

    ``conflicts`` maps each field whose values differ (named as in
    :func:`work_fields`) to the value of every work that has one, by key, as
    text; the result kept the base's value. Identifiers written differently
    but equal (see :func:`comparable`) are not a conflict. ``filled`` lists the fields the
    base lacked and took from another work, with that work's key.
    """

    work: Work
    base: str
    absorbed: tuple[str, ...]
    conflicts: Mapping[str, Mapping[str, str]]
    filled: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready data (the work by its key)."""
        return {
            "key": self.work.key,
            "base": self.base,
            "absorbed": list(self.absorbed),
            "aliases": list(work_aliases(self.work)),
            "filled": dict(self.filled),
            "conflicts": {f: dict(v) for f, v in self.conflicts.items()},
        }


def merge_works(works: Sequence[Work], *, into: str | None = None) -> MergeResult:
    """Merge ``works`` (two or more, different keys) into one (see the module docstring).

    The base is the most complete work (the first of the most complete, in
    order); the result has the key ``into`` (one of the works' keys), by
    default the base's.
    """
    works = list(works)
    keys = [w.key for w in works]
    if len(works) < 2 or len(set(keys)) != len(keys):
        raise ValueError("a merge needs two or more works with different keys")
    if into is not None and into not in keys:
        raise ValueError(f"{into!r} is not the key of one of the works merged")
    scores = [completeness(w) for w in works]
    base = works[scores.index(max(scores))]
    fields_of = {w.key: work_fields(w) for w in works}
    merged = dict(fields_of[base.key])
    filled: dict[str, str] = {}
    conflicts: dict[str, dict[str, str]] = {}
    names: dict[str, None] = {}
    for w in works:
        names.update(dict.fromkeys(fields_of[w.key]))
    for name in names:
        values = {w.key: fields_of[w.key][name] for w in works if name in fields_of[w.key]}
        if name == "keywords":
            union: dict[str, None] = {}
            for value in values.values():
                union.update(dict.fromkeys(value))
            merged[name] = tuple(union)
            continue
        if name not in merged:
            donor = next(iter(values))
            merged[name] = values[donor]
            filled[name] = donor
        distinct = {comparable(name, v) for v in values.values()}
        if len(distinct) > 1:
            conflicts[name] = {k: field_text(v) for k, v in values.items()}
    result = _build(base, merged, works, filled)
    key = into or base.key
    if key != result.key:
        result = attrs.evolve(result, key=key)
    aliases: list[str] = []
    for w in works:
        if w.key != key:
            aliases.append(w.key)
        aliases.extend(work_aliases(w))
    result = with_aliases(result, [a for a in aliases if a != key])
    return MergeResult(
        work=result,
        base=base.key,
        absorbed=tuple(k for k in keys if k != key),
        conflicts=conflicts,
        filled=filled,
    )


def _build(
    base: Work, merged: dict[str, Any], works: Sequence[Work], filled: dict[str, str]
) -> Work:
    """The base work with the merged field values (and the donors' rich forms)."""
    changes: dict[str, Any] = {}
    for name in _ATTRIBUTES:
        if name in merged and getattr(base, name) != merged[name]:
            changes[name] = merged[name]
    contributors = [
        (Role(role), merged[role]) for role in merged if role in Role._value2member_map_
    ]
    changes["contributors"] = contributors
    changes["variables"] = {
        name.split(".", 1)[1]: value
        for name, value in merged.items()
        if name.startswith("variables.")
    }
    extra = {
        name.split(".", 1)[1]: value for name, value in merged.items() if name.startswith("extra.")
    }
    if base.extra.get(ALIASES_FIELD):
        extra[ALIASES_FIELD] = base.extra[ALIASES_FIELD]
    changes["extra"] = extra
    if "keywords" in merged:
        changes["keywords"] = merged["keywords"]
    rich = dict(base.rich)
    by_key = {w.key: w for w in works}
    for name, donor in filled.items():
        marked = by_key[donor].rich.get(name)
        if marked is not None:
            rich[name] = marked
    changes["rich"] = rich
    return attrs.evolve(base, **changes)
