"""What the tagged formats (RIS, MEDLINE) share: a key for a record that has none."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from citekit.model.dates import Date
from citekit.model.persons import Person
from citekit.model.work import Role

__all__ = ["make_key"]


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
