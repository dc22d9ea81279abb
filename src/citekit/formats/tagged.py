"""What the tagged formats (RIS, MEDLINE) share: a key for a record that has none, and
the work a record's fields make."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from citekit.model.dates import Date
from citekit.model.library import Problem
from citekit.model.persons import Person
from citekit.model.work import Role, Work, WorkType

__all__ = ["build_work", "make_key"]


def make_key(work_fields: dict[str, Any], names: dict[Role, list[Person]], taken: set[str]) -> str:
    """A citation key like BibTeX tools make: family name, year, first word of the title."""
    persons = names.get(Role.AUTHOR) or names.get(Role.EDITOR) or []
    who = ""
    if persons:
        first = persons[0]
        who = first.full_family if first.literal is None else first.literal.split()[0]
        who = who or first.given or ""
    date = work_fields.get("issued")
    year = str(date.year) if isinstance(date, Date) and date.year is not None else ""
    words = re.findall(r"\w+", str(work_fields.get("title") or ""))
    word = next((w for w in words if len(w) > 3), words[0] if words else "")
    base = "".join(
        c
        for c in unicodedata.normalize("NFKD", f"{who}{year}{word}".lower())
        if c.isascii() and c.isalnum()
    )
    base = base or "record"
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


def build_work(
    key: str,
    work_type: WorkType,
    names: dict[Role, list[Person]],
    variables: dict[str, Any],
    extra: dict[str, str],
    fields: dict[str, Any],
    *,
    problems: list[Problem],
    path: str | None,
    line: int | None,
) -> Work | None:
    """The work of a record, or None with a problem in ``problems`` if the model refuses it."""
    try:
        return Work(
            key=key,
            type=work_type,
            contributors={role.value: persons for role, persons in names.items()},
            variables=variables,
            extra=extra,
            **fields,
        )
    except (TypeError, ValueError) as error:
        problems.append(Problem(message=f"cannot be read: {error}", path=path, line=line, key=key))
        return None
