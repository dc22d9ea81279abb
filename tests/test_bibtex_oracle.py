"""BibTeX itself as the oracle: citekit loads every entry BibTeX accepts.

BibTeX (the program) is run with a tiny style that prints the key of every
entry it reads (``\\nocite{*}``). Each key it accepts must be in the citekit
library, or named by a problem (an explained drop); each of its "Repeated
entry" errors must be a citekit duplicate warning. Needs the ``bibtex``
program (tests/oracles.py: skipped without it, failing with
``CITEKIT_REQUIRE_ORACLES=1``, as ``.ci/run`` sets it and installs BibTeX).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import citekit
from oracles import CORPUS, needs, require

pytestmark = needs("bibtex")

KEYS_BST = """\
ENTRY {} {} {}
FUNCTION {default.type} { }
READ
FUNCTION {out} { cite$ write$ newline$ }
ITERATE {out}
"""

# Larger tables than BibTeX's defaults, so big real files fit (healy-socbib.bib
# overflows the default hash size of 5,000).
TEXMF_CNF = "hash_extra = 200000\npool_size = 10000000\nmax_strings = 500000\n"


def bibtex_keys(bib: bytes, tmp_path: Path) -> tuple[list[str], int, str]:
    """Keys BibTeX accepts in file order, its count of repeated entries, and its log."""
    (tmp_path / "db.bib").write_bytes(bib)
    (tmp_path / "keys.bst").write_text(KEYS_BST)
    (tmp_path / "texmf.cnf").write_text(TEXMF_CNF)
    (tmp_path / "job.aux").write_text("\\citation{*}\n\\bibdata{db}\n\\bibstyle{keys}\n")
    env = {"BIBINPUTS": ".", "BSTINPUTS": ".", "TEXMFCNF": str(tmp_path), "PATH": "/usr/bin:/bin"}
    [bibtex] = require("bibtex")
    run = subprocess.run(
        [bibtex, "-terse", "job"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = run.stdout + run.stderr
    assert "fatal error" not in log, log[-2000:]
    keys = [k for k in (tmp_path / "job.bbl").read_text(errors="replace").splitlines() if k]
    return keys, log.count("Repeated entry"), log


def check_against_bibtex(bib: bytes, tmp_path: Path) -> citekit.Library:
    keys, repeated, _ = bibtex_keys(bib, tmp_path)
    library = citekit.loads(bib, "bibtex", path="db.bib")
    loaded = {key.lower() for key in library}
    explained = " ".join(p.message + " " + (p.key or "") for p in library.problems).lower()
    dropped = [k for k in keys if k.lower() not in loaded and k.lower() not in explained]
    assert dropped == [], f"entries BibTeX accepts that citekit drops unexplained: {dropped}"
    duplicate_warnings = [
        p
        for p in library.problems
        if p.severity == "warning" and re.search(r"duplicate citation key|only in case", p.message)
    ]
    assert len(duplicate_warnings) == repeated
    return library


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.bib")))
def test_corpus_file_loads_what_bibtex_accepts(name: str, tmp_path: Path) -> None:
    bib = (CORPUS / name).read_bytes()
    library = check_against_bibtex(bib, tmp_path)
    keys, _, _ = bibtex_keys(bib, tmp_path)
    # On these real files nothing is dropped at all: the key sets are equal.
    assert {k.lower() for k in keys} == {k.lower() for k in library}
    assert library.errors == []


def test_awkward_file_against_bibtex(tmp_path: Path) -> None:
    bib = b"""\
@book{Foo, title={A}, year=2000}
@book{foo, title={B}, year=2001}
@book{Foo, title={C}, year=2002}
@article(paren, title="Paren delimited", year=1999)
@string{me = "Me"}
@misc{macro, author = me # " and You", title={M}}
@comment{anything @misc{notanentry, title={x}} here}
@misc{broken, title={unbalanced, year=2000
@misc{after, title={After the broken one}}
@misc{nocomma title={x}}
@misc{good2, title = {ok}}
"""
    library = check_against_bibtex(bib, tmp_path)
    assert {"Foo", "foo", "paren", "macro", "after", "good2"} <= set(library)
    assert "notanentry" not in library
    # BibTeX swallows the rest of the file into the unbalanced title; citekit
    # loads the entries after it and says where the broken one starts.
    broken = [p for p in library.errors if p.key == "broken" or p.line == 8]
    assert broken and broken[0].line == 8
