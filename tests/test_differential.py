"""citekit against citeproc-js on a sample of the corpus (see docs/differential.md).

The sample is the first 15 works of each corpus file (60 works) in the ten
styles of benchmarks/differential/differential.py (about 30 s). Its counts
of identical entries and citations may not fall below the ones measured when
the test was written (minus a small slack): a change that makes citekit's
output differ from the reference processor's where it did not fails here,
and prints the classes of difference. Raise the floors when citekit gets
closer. Needs ``node`` and citeproc-js (``npm ci --prefix
benchmarks/differential``) (tests/oracles.py: skipped without them, failing with
``CITEKIT_REQUIRE_ORACLES=1``, as .ci/run sets it and installs them). The
helpers of the driver (whitespace normalising, the classes of difference) are
tested without node.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from oracles import CORPUS, needs

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "benchmarks" / "differential"

SAMPLE = 15  # works per corpus file

#: Identical entries and citations (of 60 each) measured on the sample, per style.
FLOORS: dict[str, tuple[int, int]] = {
    "apa": (58, 58),
    "chicago-author-date": (58, 58),
    "chicago-notes-bibliography": (60, 60),
    "modern-language-association": (60, 59),
    "ieee": (60, 60),
    "harvard-cite-them-right": (60, 60),
    "american-medical-association": (60, 60),
    "nature": (60, 60),
    "american-sociological-association": (60, 60),
    "american-political-science-association": (60, 60),
}
#: Identical entries and citations (of 600 each) measured on the sample, overall.
OVERALL: tuple[int, int] = (596, 595)
STYLE_SLACK = 2  # a style may lose this many of its 60, ...
SLACK = 6  # ... and the ten styles together this many of their 600


def _driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("differential", FOLDER / "differential.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("differential", module)
    spec.loader.exec_module(module)
    return module


differential = _driver()

needs_node = needs("citeproc-js")


# -- the driver's helpers -----------------------------------------------------------------


def test_normalise_collapses_ascii_white_space_only() -> None:
    assert differential.normalise("  a \n\t b\r\n c  ") == "a b c"
    # a no-break space is a real difference, not white space to ignore
    assert differential.normalise("p.\u00a012") == "p.\u00a012"
    assert differential.normalise("p.\u00a012") != differential.normalise("p. 12")


def test_cites_cycle_through_locators() -> None:
    cites = [differential.cite_of(i, f"k{i}") for i in range(6)]
    assert cites[0] == {"id": "k0"}
    assert cites[1] == {"id": "k1", "locator": "12", "label": "page"}
    assert cites[3] == {"id": "k3", "locator": "33-45", "label": "page"}
    assert cites[5] == {"id": "k5", "locator": "4", "label": "chapter"}


def _pair(ours: str, theirs: str, kind: str = "entry", **extra: Any) -> Any:
    return differential.Pair("apa", "x.bib", "k", kind, ours, theirs, **extra)


def test_changes_are_the_differing_stretches() -> None:
    changes = differential.changes("Review 12: 4.", "Review 12: 423–91.")
    assert changes == [("4", "423–91")]


@pytest.mark.parametrize(
    ("pair", "item", "starts"),
    [
        (
            _pair("Rev. 12: 4.", "Rev. 12: 423–91.", locator="4", label="chapter"),
            {},
            "citekit: the cite's locator is printed in the bibliography",
        ),
        (
            _pair(
                "(Baez, 2004, 4)",
                "(Baez, 2004, Chapter 4)",
                "citation",
                locator="4",
                label="chapter",
            ),
            {},
            "citekit: no label for a chapter locator",
        ),
        (
            _pair("Abend. “The Meaning of ‘Theory.’”", "Abend. “The Meaning of ‘Theory’.”"),
            {},
            "differs: a period or comma after nested closing quotes",
        ),
        (
            _pair("(Cohen, 2006)", "(D. J. Cohen, 2006)", "citation"),
            {},
            "citekit: disambiguation does not add given names",
        ),
        (
            _pair("Smith. 2001b. Title.", "Smith. 2001. Title."),
            {},
            "differs: year suffixes",
        ),
        (
            _pair("R. Matuz. 1990. Criticism.", "Matuz, Roger, ed. 1990. Criticism."),
            {"editor": [{"family": "Matuz", "given": "Roger"}]},
            "citekit: names substituted for a missing author",
        ),
        (
            differential.Pair(
                "modern-language-association", "x.bib", "k", "entry",
                "———, editor. Things.", "Appa, Arjun, editor. Things.",
            ),
            {"editor": [{"family": "Appa", "given": "Arjun"}]},
            "citeproc-js: subsequent-author-substitute skips the names",
        ),
        (
            differential.Pair(
                "chicago-author-date", "x.bib", "k", "entry",
                "———, editor. Things.", "Appa, Arjun, editor. Things.",
            ),
            {"editor": [{"family": "Appa", "given": "Arjun"}]},
            "differs: subsequent-author-substitute",
        ),
        (
            _pair("Computers, C-25(12).", "Computers, C–25(12)."),
            {"volume": "C-25"},
            "citeproc-js: makes the hyphen of a volume that is no range an en dash",
        ),
        (
            _pair("Rhetoric (3).", "Rhetoric (3 vol)."),
            {"number-of-volumes": "3"},
            "citeproc-js: prints a cs:label whose variable is empty",
        ),
        (
            _pair("Gibson, D. V. & RGK Foundation.", "Gibson, D. V., & RGK Foundation."),
            {"author": [{"family": "Gibson", "given": "D V"}, {"literal": "RGK Foundation"}]},
            "citeproc-js: puts the delimiter before '&'",
        ),
        (
            _pair("Press; 1996??-??.", "Press; 1996:??-??."),
            {"page": "??-??"},
            "citekit: a delimiter or prefix that ends in punctuation is merged",
        ),
        (
            _pair("Bugeja, “...But Make Sure.”", "Bugeja, ...“But Make Sure.”"),
            {},
            "citeproc-js: moves an ellipsis",
        ),
        (
            _pair("Batson, C. D., et al. Buying.", "Batson, C. D., J. S. Coke, et al. Buying."),
            {"author": [{"family": "Batson", "given": "C. D."}]},
            "differs: names in a bibliography entry as the item's citations were disambiguated",
        ),
        (
            _pair("Anonymous Work. 2001. Anonymous Work.", "Anonymous Work. 2001."),
            {"title": "Anonymous Work"},
            "citekit: the title substituted for a missing author is printed again",
        ),
        (
            _pair("(Evans, Rueschemeyer, et al.)", "(P. R. Evans et al.)", "citation"),
            {"author": [{"family": "Evans", "given": "P. R."}], "title": "Rueschemeyer"},
            "citekit: disambiguation",
        ),
        (_pair("Some text.", "Other words!"), {}, "unclassified (entry)"),
    ],
)  # fmt: skip
def test_classify(pair: Any, item: dict[str, Any], starts: str) -> None:
    assert differential.classify(pair, item).startswith(starts)


def test_results_survive_saving(tmp_path: Path) -> None:
    pair = _pair("a", "b", locator="12", label="page")
    results = [differential.StyleResult("apa", [pair], 1.5, ["citekit on x.bib: boom"])]
    differential.save_results(results, tmp_path / "pairs.json")
    assert differential.load_results(tmp_path / "pairs.json") == results


# -- with citeproc-js ---------------------------------------------------------------------


@needs_node
def test_render_js_renders_a_job() -> None:
    item = {
        "id": "serge1944",
        "type": "article-magazine",
        "title": "Lenin's Heir?",
        "author": [{"family": "Serge", "given": "Victor"}],
        "issued": {"date-parts": [[1945]]},
    }
    from citekit.csl.styles import find_style

    job = {
        "style_xml": find_style("apa").read_text(encoding="utf-8"),
        "locales_dir": str(differential.locales_dir()),
        "mode": "text",
        "documents": [
            {"items": [item], "citations": [[{"id": "serge1944", "locator": "12"}]]},
            {"items": [], "citations": [[{"id": "nowhere"}]]},
        ],
    }
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, str(FOLDER / "render.js")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    first, second = json.loads(done.stdout)["documents"]
    assert first["error"] is None
    assert first["citations"] == ["(Serge, 1945, p. 12)"]
    assert first["bibliography"]["serge1944"].startswith("Serge, V. (1945). Lenin’s Heir?")
    assert second["error"]  # an unknown item is the document's error, not a crash


@needs_node
def test_sample_is_as_close_to_citeproc_js_as_measured() -> None:
    results = differential.run(differential.STYLES, CORPUS, SAMPLE, jobs=1)
    errors = [e for r in results for e in r.errors]
    assert not errors
    failures = []
    totals = [0, 0]
    for result in results:
        for index, kind in enumerate(("entry", "citation")):
            same, total = result.count(kind)
            assert total == 4 * SAMPLE
            totals[index] += same
            measured = FLOORS[result.style][index]
            if same < measured - STYLE_SLACK:
                failures.append(f"{result.style} {kind}: {same}/{total}, was {measured}")
    for index, kind in enumerate(("entry", "citation")):
        if totals[index] < OVERALL[index] - SLACK:
            failures.append(f"overall {kind}: {totals[index]}/600, was {OVERALL[index]}")
    if failures:
        summary = differential.class_summary(
            results, differential.items_of(differential.load_documents(CORPUS, SAMPLE)), 2
        )
        pytest.fail("\n".join(["closer to citeproc-js before:", *failures, "", summary]))
