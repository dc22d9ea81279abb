"""Problem: something wrong met while reading or writing, as data.

It lives in a module of its own, with nothing of citekit imported, so that
:mod:`citekit.errors` and every reader can use it without importing the
rest of the model (it is also exported by :mod:`citekit.model.library`).
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

__all__ = ["Problem"]


def _check_message(instance: Problem, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a Problem needs a message, got {value!r}")


def _optional_str(instance: Problem, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a string or None, got {type(value).__name__}")


def _check_position(instance: Problem, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int (1-based), got {value!r}")


def _check_severity(instance: Problem, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in ("error", "warning"):
        raise ValueError(f"severity must be 'error' or 'warning', got {value!r}")


@attrs.frozen(kw_only=True)
class Problem:
    """Something wrong met while reading or writing: where, and what.

    ``str(problem)`` reads like a compiler message:
    ``refs.bib:14:3: entry 'x': field 'year': expected a number, got 'MCMXLIV'``;
    a warning says so after the place (``refs.bib:14: warning: ...``), and a
    problem without a path is placed in ``<input>``. Lines and columns count
    from 1; a column is only shown with a line.
    """

    message: str = attrs.field(validator=_check_message)
    path: str | None = attrs.field(default=None, validator=_optional_str)
    line: int | None = attrs.field(default=None, validator=_check_position)
    column: int | None = attrs.field(default=None, validator=_check_position)
    key: str | None = attrs.field(default=None, validator=_optional_str)
    field: str | None = attrs.field(default=None, validator=_optional_str)
    severity: Literal["error", "warning"] = attrs.field(default="error", validator=_check_severity)

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        context = ""
        if self.key is not None:
            context += f"entry {self.key!r}: "
        if self.field is not None:
            context += f"field {self.field!r}: "
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{context}{self.message}"
