"""The BibTeX format on real bibliography files (tests/corpus).

Counts are established independently of the reader, from the text itself:
block starts (``@type{`` / ``@type(``) minus ``@string``, ``@comment`` and
``@preamble``, and keys seen more than once.
"""

from __future__ import annotations

import collections
import difflib
import re
from pathlib import Path

import attrs
import pytest

import citekit
from citekit import Date, Person, Role, WorkType
from citekit.formats.bibtex import BibtexFormat
from oracles import CORPUS
from oracles import CORPUS_FILES as FILES

_BLOCK = re.compile(r"(?m)^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t\r\n]*([^,\s]*)")
_NOT_ENTRIES = {"string", "comment", "preamble"}


def _independent_counts(text: str) -> tuple[int, int]:
    """(entries, duplicate entries) counted from the text with a regular expression."""
    keys = [key for kind, key in _BLOCK.findall(text) if kind.lower() not in _NOT_ENTRIES]
    counts = collections.Counter(keys)
    return len(keys), sum(n - 1 for n in counts.values())


@pytest.fixture(scope="module")
def libraries() -> dict[str, citekit.Library]:
    return {name: citekit.load(CORPUS / name) for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_every_entry_loads(name: str, libraries: dict[str, citekit.Library]) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    entries, duplicates = _independent_counts(text)
    library = libraries[name]
    assert len(library) + len(library.duplicates) == entries
    assert len(library.duplicates) == duplicates
    assert not library.errors
    warnings = [p for p in library.problems if "duplicate citation key" in p.message]
    assert len(warnings) == duplicates
    assert all(p.severity == "warning" and p.line and p.key for p in warnings)


def test_expected_counts(libraries: dict[str, citekit.Library]) -> None:
    # Fixed numbers, as a second check of the counting above (see PROVENANCE.md).
    sizes = {name: (len(lib), len(lib.duplicates)) for name, lib in libraries.items()}
    assert sizes == {
        "biblatex-examples.bib": (92, 0),
        "healy-socbib.bib": (2523, 140),
        "heppler-digital-history.bib": (121, 3),
        "heppler-history.bib": (375, 1),
    }


@pytest.mark.parametrize("name", FILES)
def test_byte_identical_round_trip(
    name: str, libraries: dict[str, citekit.Library], tmp_path: Path
) -> None:
    data = (CORPUS / name).read_bytes()
    assert BibtexFormat().write(libraries[name]) == data
    target = tmp_path / name
    citekit.save(citekit.load(CORPUS / name), target)
    assert target.read_bytes() == data


def test_one_title_edit_changes_only_that_entry() -> None:
    path = CORPUS / "healy-socbib.bib"
    text = path.read_text(encoding="utf-8")
    library = citekit.load(path)
    key = "77:_inequal_heter"
    work = library[key]
    assert work.title == "Inequality and Heterogeneity: A primitive theory of social structure"
    library[key] = attrs.evolve(work, title="Inequality and Heterogeneity")
    out = BibtexFormat().write(library).decode("utf-8")

    start = text.index("{\t\t  " + key + ",")
    first_line = text.count("\n", 0, start)  # 0-based line of the entry's start
    last_line = text.count("\n", 0, text.index("\n}", start) + 1)
    old_lines, new_lines = text.splitlines(), out.splitlines()
    changed = [
        op
        for op in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    assert changed, "the edit must show"
    for _tag, i1, i2, _j1, _j2 in changed:
        assert first_line <= i1 and i2 - 1 <= last_line, (i1, i2, first_line, last_line)
    assert "  Title\t\t= {Inequality and Heterogeneity},\n" in out
    assert len(new_lines) == len(old_lines) - 1  # the two-line title became one line
    again = citekit.loads(out, "bibtex")
    assert again[key].title == "Inequality and Heterogeneity"
    assert [k for k in again if again[k] != library[k]] == []


def test_crossref_inheritance_in_biblatex_examples(libraries: dict[str, citekit.Library]) -> None:
    library = libraries["biblatex-examples.bib"]
    child = library["westfahl:space"]
    assert child.type is WorkType.CHAPTER
    assert child.title.startswith("The True Frontier: Confronting and Avoiding")
    # From @collection{westfahl:frontier}: its title (and subtitle) as the booktitle.
    assert child.container_title == "Space and Beyond: The Frontier Theme in Science Fiction"
    assert child.editors == (Person(family="Westfahl", given="Gary"),)
    assert child.names(Role.AUTHOR) == (Person(family="Westfahl", given="Gary"),)
    assert child.issued == Date.of(2000)
    assert (child.publisher, child.publisher_place) == ("Greenwood", "Westport, Conn. and London")
    assert child.page == "55-65"
    assert child.extra["crossref"] == "westfahl:frontier"

    # Saved after an edit, the child does not take in what it inherited.
    edited = citekit.load(CORPUS / "biblatex-examples.bib")
    edited["westfahl:space"] = attrs.evolve(child, page="55-66")
    out = BibtexFormat().write(edited).decode("utf-8")
    block = out[out.index("@incollection{westfahl:space") :]
    block = block[: block.index("\n}\n")]
    assert "pages        = {55--66}," in block
    for inherited in ("booktitle", "editor", "publisher", "location", "date"):
        assert f"\n  {inherited} " not in block


def test_string_macros_in_corpus(libraries: dict[str, citekit.Library]) -> None:
    healy = libraries["healy-socbib.bib"]
    uses_asr = [w for w in healy.values() if w.container_title == "American Sociological Review"]
    assert len(uses_asr) > 50
    examples = libraries["biblatex-examples.bib"]
    # publisher = dtv # { and Walter de Gruyter}, with @string{dtv = ...}
    assert (
        examples["nietzsche:ksa"].publisher == "Deutscher Taschenbuch-Verlag and Walter de Gruyter"
    )
