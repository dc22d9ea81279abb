"""Merging duplicates in files: the library, the manuscripts that cite them, a key map.

:meth:`citekit.Library.merge` merges works in memory; this module does what a
merge means for files: :func:`rewrite_citations` replaces old keys by new ones
in a manuscript (Pandoc Markdown ``[@old]``, ``@old``, ``@{old}``, and LaTeX
``\\cite{old}`` and its kin, found by :mod:`citekit.manuscript.syntax`, so that
code, math and URLs are left alone), :func:`rewrite_manuscripts` does it in
files (each written atomically), and :func:`key_map_json` gives the map of old
keys to new ones as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "apply_rewrites",
    "key_map_json",
    "plan_rewrites",
    "rewrite_citations",
    "rewrite_manuscripts",
    "syntax_for_path",
]

_LINE_END = re.compile(r"\r\n|\r|\n")
_LATEX_SUFFIXES = frozenset({".tex", ".ltx", ".latex", ".sty", ".cls"})


def syntax_for_path(path: str | Path) -> str:
    """``"latex"`` for a ``.tex`` (``.ltx``, ``.latex``) file, else ``"markdown"``."""
    return "latex" if Path(path).suffix.lower() in _LATEX_SUFFIXES else "markdown"


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in _LINE_END.finditer(text))
    return starts


def rewrite_citations(text: str, syntax: str, keys: Mapping[str, str]) -> tuple[str, int]:
    """``text`` with each cited key found in ``keys`` replaced by its new key,
    and how many citations were changed. ``syntax`` is ``"markdown"`` or
    ``"latex"``.

    >>> rewrite_citations("As [@old, p. 4] and @old said.", "markdown", {"old": "new"})
    ('As [@new, p. 4] and @new said.', 2)
    >>> rewrite_citations(r"See \\cite[12]{a,old}.", "latex", {"old": "new"})
    ('See \\\\cite[12]{a,new}.', 1)
    """
    from citekit.manuscript.syntax import parse

    starts = _line_starts(text)
    edits: list[tuple[int, int, str]] = []
    for mark in parse(text, syntax):
        for ref in mark.cites:
            new = keys.get(ref.key)
            if new is None or new == ref.key or ref.line < 1 or ref.column < 1:
                continue
            at = starts[ref.line - 1] + ref.column - 1
            if syntax == "markdown":
                # the column is the "@"'s: the key follows it, or "{" and the key
                at += 1
                if text.startswith("{", at):
                    at += 1
            if text.startswith(ref.key, at):
                edits.append((at, at + len(ref.key), new))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text, len(edits)


def plan_rewrites(
    paths: Iterable[str | Path], keys: Mapping[str, str]
) -> list[tuple[str, bytes | None, int]]:
    """Read every manuscript and rewrite its citations in memory (see
    :func:`rewrite_citations`): ``(path, new bytes or None when unchanged,
    citations changed)`` per file. Raises :class:`~citekit.CitekitError` for a
    file that cannot be read or is not UTF-8, before anything is written."""
    from citekit.errors import CitekitError

    plan: list[tuple[str, bytes | None, int]] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CitekitError(f"{path}: cannot read the manuscript ({error.strerror})") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CitekitError(
                f"{path}: the manuscript is not UTF-8 (byte {error.start}); nothing rewritten"
            ) from None
        new, count = rewrite_citations(text, syntax_for_path(path), keys)
        plan.append((str(path), new.encode("utf-8") if count else None, count))
    return plan


def apply_rewrites(plan: Iterable[tuple[str, bytes | None, int]]) -> dict[str, int]:
    """Write the files of a :func:`plan_rewrites` plan (each atomically);
    returns the citations changed per file."""
    from citekit.io import atomic_write

    changed: dict[str, int] = {}
    for path, data, count in plan:
        if data is not None:
            atomic_write(path, data)
        changed[path] = count
    return changed


def rewrite_manuscripts(paths: Iterable[str | Path], keys: Mapping[str, str]) -> dict[str, int]:
    """Rewrite the citations of each manuscript file (see :func:`rewrite_citations`),
    atomically, keeping its line ends; returns the number of citations changed
    per file (a file with none is not written). Every file is read and
    rewritten in memory before the first is written."""
    return apply_rewrites(plan_rewrites(paths, keys))


def key_map_json(keys: Mapping[str, str]) -> str:
    """The map of old keys to new ones as JSON text: ``{"old": "new", ...}``."""
    return json.dumps(dict(keys), ensure_ascii=False, indent=2) + "\n"
