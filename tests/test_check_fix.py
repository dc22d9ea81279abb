"""citekit check --fix on the corpus: only the fixed fields change, and nothing is lost.

For each of the four real files in tests/corpus/, the fixes the checker
offers are applied; the lines that differ must all lie inside the fixed
fields, the file keeps its number of lines, and reading the fixed file gives
the same works except for the values fixed.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import attrs
import pytest

import citekit
from citekit.checks import check
from citekit.checks.fix import apply_fixes
from citekit.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
FILES = sorted(CORPUS.glob("*.bib"))

#: Work attributes a fix of a field may change (the rest must stay equal).
CHANGES = {
    "doi": {"doi"},
    "pages": {"page"},
    "month": {"issued"},
    "isbn": {"isbn"},
}


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fix_changes_only_the_fixed_fields(path: Path) -> None:
    library = citekit.load(path)
    findings = check(library)
    result = apply_fixes(library, findings)
    before = path.read_text(encoding="utf-8")
    after = result.text
    assert result.data == after.encode("utf-8")
    if path.name == "healy-socbib.bib":
        assert len(result.applied) >= 50, "the corpus file has fixable findings"
    assert not result.skipped

    # Lines that may change: those of the fixed fields' values.
    allowed: set[int] = set()
    for finding in result.applied:
        assert finding.fix is not None and finding.line is not None
        span = finding.fix.old.count("\n")
        allowed.update(range(finding.line, finding.line + span + 1))
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    changed = {i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b}
    assert changed <= allowed
    assert len(changed) >= len({f.line for f in result.applied}) // 2

    # Every fix's new text is in place, and the bytes outside the fixed values are
    # the original ones (the diff holds only replacements of single values).
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "replace")
        if tag == "replace":
            assert i2 - i1 == j2 - j1

    # Reading the fixed file gives the same works, but for the fixed values.
    fixed = citekit.loads(result.data, "bibtex", path=str(path))
    assert list(fixed) == list(library)
    touched: dict[str, set[str]] = {}
    for finding in result.applied:
        assert finding.key is not None and finding.field is not None
        touched.setdefault(finding.key, set()).update(CHANGES.get(finding.field.lower(), set()))
    spaced: dict[str, set[str]] = {}
    for finding in result.applied:
        if finding.rule == "trailing-space":
            spaced.setdefault(str(finding.key), set()).add(str(finding.field).lower())
    for key, work in library.items():
        new = fixed[key]
        keep = {name: getattr(work, name) for name in touched.get(key, set())}
        # A field kept verbatim (work.extra) loses only the spaces the fix removed.
        extra = dict(new.extra)
        for name in spaced.get(key, set()):
            for stored in [k for k in extra if k.lower() == name]:
                assert extra[stored] == work.extra[stored].strip()
                extra[stored] = work.extra[stored]
        assert attrs.evolve(new, extra=extra, **keep) == work, key
    for finding in result.applied:
        if finding.field is not None and finding.field.lower() == "doi":
            assert fixed[str(finding.key)].doi == finding.fix.new.strip('{}"')  # type: ignore[union-attr]

    # The fixes hold: checking the fixed file offers none of them again.
    again = [f for f in check(fixed) if f.fix is not None]
    assert again == []


def test_cli_fix_writes_only_changed_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        "@article{k,\n"
        "  author = {Smith, John},\n"
        "  title = { A Title },\n"
        "  journal = {J},\n"
        "  year = {2001},\n"
        "  pages = {12-34},\n"
        "  doi = {https://doi.org/10.1000/xyz}\n"
        "}\n"
    )
    path = tmp_path / "refs.bib"
    path.write_text(source, encoding="utf-8")
    assert main(["check", str(path), "--fix", "--dry-run"]) == 0
    diff = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == source  # nothing written
    assert "-  title = { A Title },\n+  title = {A Title},\n" in diff
    assert "-  pages = {12-34},\n" in diff and "+  pages = {12--34},\n" in diff
    assert "+  doi = {10.1000/xyz}\n" in diff
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert len(changed) == 6
    assert not [line for line in changed if "author" in line or "journal" in line]

    assert main(["check", str(path), "--fix"]) == 0
    out = capsys.readouterr().out
    assert out.count(": fixed: k: ") == 3
    assert path.read_text(encoding="utf-8") == (
        source.replace("{ A Title }", "{A Title}")
        .replace("{12-34}", "{12--34}")
        .replace("https://doi.org/", "")
    )
    assert main(["check", str(path), "--fix", "--dry-run"]) == 0
    assert capsys.readouterr().out == ""


def test_fix_keeps_crlf_and_biblatex_months(tmp_path: Path) -> None:
    source = (
        "@article{k,\r\n  author = {Smith, John},\r\n  title = {T},\r\n"
        "  journaltitle = {J},\r\n  date = {2001},\r\n  month = {March},\r\n}\r\n"
    )
    path = tmp_path / "refs.bib"
    path.write_bytes(source.encode("utf-8"))
    library = citekit.load(path)
    result = apply_fixes(library, check(library, dialect="biblatex"))
    assert [f.rule for f in result.applied] == ["month-name"]
    assert result.data == source.replace("{March}", "3").encode("utf-8")


def test_fix_refuses_csl(tmp_path: Path) -> None:
    from citekit.errors import CitekitError

    path = tmp_path / "refs.json"
    path.write_text('[{"id": "a", "type": "book", "title": "T"}]', encoding="utf-8")
    with pytest.raises(CitekitError, match="BibTeX"):
        apply_fixes(citekit.load(path), [])
    copy = tmp_path / "copy.bib"
    shutil.copy(CORPUS / "heppler-history.bib", copy)  # nothing to fix there
    assert main(["check", str(copy), "--fix"]) == 1  # errors remain, unfixable
    assert copy.read_bytes() == (CORPUS / "heppler-history.bib").read_bytes()
