"""BibTeX -> CSL-JSON/CSL-YAML -> BibTeX keeps every field of the corpus entries.

Fields CSL has no variable for travel in the CSL item's ``custom`` object and
come back; so do the entry's dialect and field names (``Work.hints``), so the
BibTeX written at the end has the same fields, and reads back to equal works.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import citekit
from citekit.cli import main as cli
from oracles import CORPUS
from oracles import CORPUS_FILES as FILES

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serge" / "serge.bib"


def entry_fields(text: str) -> dict[str, tuple[str, set[str]]]:
    """Entry key -> (lowercase type, lowercase field names), first entry of a key only."""
    from bibtexparser.splitter import Splitter

    out: dict[str, tuple[str, set[str]]] = {}
    for entry in Splitter(text).split().entries:
        out.setdefault(entry.key, (entry.entry_type.lower(), {f.key.lower() for f in entry.fields}))
    return out


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("middle", [".json", ".yaml"])
def test_every_field_survives_a_csl_round_trip(name: str, middle: str, tmp_path: Path) -> None:
    source = CORPUS / name
    between = tmp_path / f"between{middle}"
    back = tmp_path / "back.bib"
    assert cli(["convert", str(source), str(between)]) == 0
    assert cli(["convert", str(between), str(back)]) == 0

    original = citekit.load(source)
    converted = citekit.load(back)
    assert converted.errors == []
    assert list(converted) == list(original)
    # Same content: every work reads back equal (persons, dates, rich text, extra).
    unequal = [key for key in original if original[key] != converted[key]]
    assert unequal == []
    # Duplicates come along too.
    assert [w.key for w in converted.duplicates] == [w.key for w in original.duplicates]

    # Same fields and entry types, by name.
    before = entry_fields(source.read_text(encoding="utf-8"))
    after = entry_fields(back.read_text(encoding="utf-8"))
    missing = {
        key: sorted(fields - after[key][1])
        for key, (_, fields) in before.items()
        if fields - after[key][1]
    }
    assert missing == {}
    retyped = {key: (t, after[key][0]) for key, (t, _) in before.items() if after[key][0] != t}
    assert retyped == {}


def test_example_round_trip_through_yaml(tmp_path: Path) -> None:
    yaml_path = tmp_path / "serge.yaml"
    citekit.save(citekit.load(EXAMPLE), yaml_path)
    citekit.save(citekit.load(yaml_path), tmp_path / "serge.bib")
    again = citekit.load(tmp_path / "serge.bib")
    original = citekit.load(EXAMPLE)
    assert again.works() == original.works()
