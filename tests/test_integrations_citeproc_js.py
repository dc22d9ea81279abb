"""The Sphinx extension and the MkDocs plug-in in APA, against citeproc-js.

A Sphinx project and an MkDocs site cite the first works of a corpus file,
some with locators; their citations and references, read from the built
HTML, are compared with what citeproc-js (the reference CSL processor, run
by benchmarks/differential/render.js) gives for the same items and cites.
The integrations must add no difference of their own (each text equals the
CSL formatter's), and the agreement with citeproc-js may not fall below what
was measured when the test was written. Needs ``node`` and citeproc-js
(``npm ci --prefix benchmarks/differential``); skipped without them.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from lxml import html as lxml_html

import citekit
from citekit.formatters.csl import Cite, CslFormatter
from oracles import needs

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
FOLDER = REPO / "benchmarks" / "differential"
WORKS = 40  # the first works of each file
#: Identical texts (of WORKS citations and WORKS entries) measured when written:
#: (citations, entries) per corpus file.
FLOORS = {"heppler-history.bib": (40, 40), "biblatex-examples.bib": (40, 40)}


def _driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("differential", FOLDER / "differential.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("differential", module)
    spec.loader.exec_module(module)
    return module


differential = _driver()
pytestmark = needs("citeproc-js")

LABEL_WORDS = {"page": "p.", "chapter": "chap."}


def norm(text: str) -> str:
    return differential.normalise(text)


@pytest.fixture(scope="module", params=sorted(FLOORS))
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    source = CORPUS / request.param
    library = citekit.load(source)
    works = list(library.values())[:WORKS]
    keys = [w.key for w in works]
    assert all(re.fullmatch(r"[\w:./-]+", k) for k in keys), keys
    cites = [differential.cite_of(i, k) for i, k in enumerate(keys)]
    folder = tmp_path_factory.mktemp("apa")
    shutil.copy(source, folder / "refs.bib")
    # citeproc-js on the same items and cites (one document)
    formatter = CslFormatter(style="apa", output="text")
    job = differential.citeproc_js_job("apa", [])
    job["documents"] = [
        {
            "items": [formatter.item(w) for w in works],
            "citations": [{"cites": [c], "note": 0} for c in cites],
        }
    ]
    done = subprocess.run(
        ["node", str(differential.RENDER_JS)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(done.stdout)["documents"][0]
    assert result["error"] is None
    # citekit's formatter, the same document
    ours = formatter.document(
        works, [Cite(c["id"], c.get("locator"), c.get("label")) for c in cites]
    )
    return {
        "name": request.param,
        "folder": folder,
        "keys": keys,
        "cites": cites,
        "js_citations": [norm(t) for t in result["citations"]],
        "js_entries": [norm(t) for t in result["bibliography"].values()],
        "citations": [norm(t) for t in ours.citations],
        "entries": [norm(e.text) for e in ours.bibliography],
    }


def role_target(cite: dict[str, str]) -> str:
    if "locator" not in cite:
        return cite["id"]
    return f"{cite['id']}{{{LABEL_WORDS[cite['label']]} {cite['locator']}}}"


def pandoc_cite(cite: dict[str, str]) -> str:
    if "locator" not in cite:
        return f"[@{cite['id']}]"
    return f"[@{cite['id']}, {LABEL_WORDS[cite['label']]} {cite['locator']}]"


def agreement(texts: list[str], reference: list[str]) -> int:
    return sum(a == b for a, b in zip(texts, reference, strict=True))


def report(name: str, kind: str, texts: list[str], reference: list[str]) -> None:
    for ours, theirs in zip(texts, reference, strict=True):
        if ours != theirs:
            print(f"{name} {kind}:\n  citekit     {ours}\n  citeproc-js {theirs}")


def test_sphinx_project_in_apa_against_citeproc_js(corpus: dict[str, Any]) -> None:
    src = corpus["folder"] / "sphinx"
    src.mkdir()
    shutil.copy(corpus["folder"] / "refs.bib", src / "refs.bib")
    (src / "conf.py").write_text(
        'extensions = ["citekit.sphinx"]\nbibtex_bibfiles = ["refs.bib"]\ncitekit_style = "apa"\n'
    )
    lines = [f"Work {i}: :cite:p:`{role_target(c)}`.\n" for i, c in enumerate(corpus["cites"])]
    (src / "index.rst").write_text(
        "Corpus\n======\n\n" + "\n".join(lines) + "\n.. bibliography::\n"
    )
    subprocess.run(
        # no -W: the corpus file has problems of its own (missing crossrefs), reported
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(src / "out")],
        check=True,
        timeout=600,
        capture_output=True,
    )
    root = lxml_html.parse(str(src / "out" / "index.html")).getroot()
    cites = [norm(e.text_content()) for e in root.xpath('//span[@class="citekit-cite"]')]
    entries = [norm(e.text_content()) for e in root.xpath('//p[@class="csl-entry"]')]
    assert cites == corpus["citations"]
    assert entries == corpus["entries"]
    report("sphinx", "citation", cites, corpus["js_citations"])
    report("sphinx", "entry", entries, corpus["js_entries"])
    same = (
        agreement(cites, corpus["js_citations"]),
        agreement(entries, corpus["js_entries"]),
    )
    print(f"sphinx, apa, {corpus['name']}: {same[0]}/{WORKS} citations, {same[1]}/{WORKS} entries")
    assert same >= FLOORS[corpus["name"]]


def test_mkdocs_site_in_apa_against_citeproc_js(corpus: dict[str, Any]) -> None:
    root_dir = corpus["folder"] / "mkdocs"
    (root_dir / "docs").mkdir(parents=True)
    shutil.copy(corpus["folder"] / "refs.bib", root_dir / "refs.bib")
    (root_dir / "mkdocs.yml").write_text(
        "site_name: corpus\nplugins:\n  - citekit:\n"
        "      bibliography: refs.bib\n      style: apa\n"
    )
    lines = [f"Work {i}: {pandoc_cite(c)}.\n" for i, c in enumerate(corpus["cites"])]
    (root_dir / "docs" / "index.md").write_text("# Corpus\n\n" + "\n".join(lines))
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(root_dir / "mkdocs.yml")],
        check=True,
        timeout=600,
        capture_output=True,
    )
    root = lxml_html.parse(str(root_dir / "site" / "index.html")).getroot()
    cites = []
    for paragraph in root.xpath('//p[starts-with(normalize-space(.), "Work ")]'):
        text = norm(paragraph.text_content())
        cites.append(re.sub(r"^Work \d+: ", "", text).removesuffix("."))
    entries = [norm(p.text_content()) for p in root.xpath('//p[span[starts-with(@id, "ref-")]]')]
    assert cites == [c.removesuffix(".") for c in corpus["citations"]]
    assert entries == corpus["entries"]
    js_cites = [c.removesuffix(".") for c in corpus["js_citations"]]
    report("mkdocs", "citation", cites, js_cites)
    report("mkdocs", "entry", entries, corpus["js_entries"])
    same = (agreement(cites, js_cites), agreement(entries, corpus["js_entries"]))
    print(f"mkdocs, apa, {corpus['name']}: {same[0]}/{WORKS} citations, {same[1]}/{WORKS} entries")
    assert same >= FLOORS[corpus["name"]]
