"""Values of the formats read from YAML or JSON structures (CITATION.cff, Hayagriva).

A scalar's text, and nested values flattened into dotted keys, the form in
which a value the model has no place for is kept in ``Work.extra``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["flatten", "scalar_text"]


def scalar_text(value: Any) -> str | None:
    """A scalar as stripped text (booleans as ``true``/``false``); None for
    nothing, blank text, a mapping or a list."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def flatten(prefix: str, value: Any, out: dict[str, str], *, keep_blank: bool = True) -> None:
    """``value`` into ``out`` as text under dotted keys (list items counted from 1).

    With ``keep_blank=False`` a blank text is left out.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(f"{prefix}.{key}", item, out, keep_blank=keep_blank)
    elif isinstance(value, list):
        for index, item in enumerate(value, 1):
            flatten(f"{prefix}.{index}", item, out, keep_blank=keep_blank)
    elif value is not None:
        text = "true" if value is True else "false" if value is False else str(value)
        if keep_blank or text.strip():
            out[prefix] = text
