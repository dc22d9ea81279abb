"""``--fix``: apply the fixes that cannot lose information, and nothing else.

A fix replaces the source text of one field's value (a :class:`~citekit.checks.Fix`
holds the old and the new text). Fixes go through the lossless BibTeX
writer (:func:`citekit.formats.bibtex.replace_values`): each fixed value is
replaced where it stands and every other byte of the file stays as it was,
so the diff of a fixed file holds only the fixed fields' lines. Fixes apply
to libraries read from BibTeX files; CSL-JSON and CSL-YAML findings carry no
fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import attrs

from citekit.checks import Finding
from citekit.errors import CitekitError
from citekit.model import Library

__all__ = ["FixResult", "apply_fixes", "unified_diff"]


@attrs.frozen
class FixResult:
    """The fixed file: its text and bytes, the findings fixed, those left as they were."""

    text: str
    data: bytes
    applied: tuple[Finding, ...]
    skipped: tuple[Finding, ...]
    """Findings with a fix that could not be applied (another fix of the same field
    came first, or the entry's layout could not be followed)."""

    @property
    def changed(self) -> bool:
        """Whether any fix was applied."""
        return bool(self.applied)


def apply_fixes(library: Library, findings: Iterable[Finding]) -> FixResult:
    """The library's file with the fixes of ``findings`` applied.

    Raises :class:`~citekit.CitekitError` for a library not read from BibTeX.
    Two fixes of one field: the first (in file order) is applied, the second
    is reported as skipped and shows up again on the next run.
    """
    from citekit.formats.bibtex import BibtexOrigin, encode_text, replace_values

    origin = library.origin
    if not isinstance(origin, BibtexOrigin):
        raise CitekitError(
            "--fix applies to BibTeX files only (this library was not read from one)"
        )
    changes: dict[tuple[str, str], tuple[str, str]] = {}
    chosen: dict[tuple[str, str], Finding] = {}
    skipped: list[Finding] = []
    for finding in findings:
        if finding.fix is None or finding.key is None or finding.field is None:
            continue
        where = (finding.key, finding.field.lower())
        if where in changes:
            skipped.append(finding)
            continue
        changes[where] = (finding.fix.old, finding.fix.new)
        chosen[where] = finding
    text, done = replace_values(origin, changes)
    applied = [chosen[where] for where in done]
    skipped.extend(chosen[where] for where in chosen if where not in set(done))
    return FixResult(
        text=text,
        data=encode_text(origin, text),
        applied=tuple(applied),
        skipped=tuple(skipped),
    )


def unified_diff(before: str, after: str, path: str) -> str:
    """A unified diff of a file before and after the fixes (``a/path``, ``b/path``)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path.lstrip('/')}",
        tofile=f"b/{path.lstrip('/')}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
