"""citekit's performance against its peers, on the same inputs, in one run.

What it measures (median wall-clock time of ``--runs`` runs, and the peak
memory of each engine):

* **load** -- each ``tests/corpus/*.bib`` file, and a
  generated 50,000-entry BibTeX file (corpus entries repeated with renamed
  keys, written to a temporary folder): ``citekit.load`` against
  bibtexparser 2 alone (``bibtexparser.parse_string``, no middlewares) and
  pybtex (``pybtex.database.parse_string``, non-strict), in entries/s.
* **bibliography** -- plain-text bibliographies of 100, 1,000 and 2,523 real
  works (2,523 is every unique work of ``healy-socbib.bib``, the largest real
  set the corpus holds: its four files have 3,111 unique works in all, fewer
  than the 5,000 the performance issue names) and, in APA, a *synthetic*
  5,000-work set (corpus works repeated with new keys and changed titles), in
  ``apa``, ``chicago-author-date``, ``ieee`` and
  ``chicago-notes-bibliography``. citekit runs
  ``citekit.formatter("csl", style=S, output="text").bibliography(works)``
  with a fresh formatter per run (so no cached result is reused; citekit's
  cache of parsed styles is, as in any long-running program).
* **citations** -- 10,000 citation clusters in a note style
  (``chicago-notes-bibliography``) over 500 works, works repeated so that
  "ibid." and subsequent positions occur, through
  :meth:`citekit.formatters.csl.CslFormatter.document`.
* **cold** -- ``import citekit`` (``python -X importtime``, as
  ``benchmarks/import_time.py``), and a new process that imports citekit and
  renders one APA citation (wall-clock time of the whole process, interpreter
  start-up included).
* **scaling** -- citekit's time per entry at the largest set over its time
  per entry at 100 works (APA).
* **one process** -- citekit with ``CITEKIT_WORKERS=1`` (``citekit-1proc``)
  at the largest set in every style, and in APA at 1,000 works too. The
  summary judges the engine's targets on it: at least 15x citeproc-py and
  3x citeproc-js (whose time is taken net of its empty job: node's start-up
  and the style) on the APA bibliographies of 1,000 and 2,523 works.

The peers, each timed when installed and skipped otherwise:

* **bibtexparser** -- bibtexparser 2 alone: splitting and @string resolution,
  without the LaTeX-decoding and name-splitting middlewares (citekit does both).
* **pybtex** -- pybtex's BibTeX parser.
* **citeproc-py** -- citeproc-py alone (``CitationStylesStyle``,
  ``CiteProcJSON``, ``CitationStylesBibliography``, plain-text formatter) on
  the CSL-JSON items of ``citekit.formats.csl.work_to_item``; citekit's CSL
  engine is built on citeproc-py's machinery.
* **citeproc-js** -- the reference processor, through node and
  ``benchmarks/differential/render.js`` (needs ``npm install`` there). Each
  run is one node process; the time of a process given no items (node
  start-up, loading citeproc-js, parsing the style) is shown as its style
  time.
* **pandoc** -- ``pandoc --citeproc`` (from pypandoc), only with ``--pandoc``
  and only at 100 and 1,000 works.

Each engine runs in a child process (this script with ``--worker``, or node,
or pandoc) that sets up its input, then times its runs; the parent reads the
child's peak resident memory (``/usr/bin/time``, else ``os.wait4``) when it
exits. That peak includes the interpreter, the engine's imports and its input
(for citekit, the loaded corpus). Run it from the repository::

    python benchmarks/performance.py              # everything (many minutes)
    python benchmarks/performance.py --quick      # smoke test (23 s of CPU): 100 and 1,000
                                                  # works, APA, 200 clusters, the peers on
                                                  # the 100-work bibliography only, 1 run

The exit status is 1 when a target of the summary fails (without
``--quick``) or when citekit fails to run on an input (also with
``--quick``, which CI runs as a smoke test, not as a timing gate).
    python benchmarks/performance.py --runs 5 --only bibliography
    python benchmarks/performance.py --only bibliography --styles apa   # the engine's targets
    python benchmarks/performance.py --pandoc     # add pandoc at 100 and 1,000 works
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import io
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO / "tests" / "corpus"
HEALY = "healy-socbib.bib"
RENDER_JS = HERE / "differential" / "render.js"
CITEPROC_JS = HERE / "differential" / "node_modules" / "citeproc"

STYLES = ("apa", "chicago-author-date", "ieee", "chicago-notes-bibliography")
NOTE_STYLE = "chicago-notes-bibliography"
REAL_SIZES = (100, 1_000, 2_523)
SYNTHETIC_SIZE = 5_000
GENERATED_ENTRIES = 50_000
CLUSTERS = 10_000
QUICK_CLUSTERS = 200
CLUSTER_WORKS = 500
PANDOC_SIZES = (100, 1_000)

_ENTRY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(]", re.MULTILINE)
_NOT_ENTRIES = {"string", "comment", "preamble"}


# -- inputs (shared by the parent and the workers) ---------------------------------------


def corpus_files() -> list[Path]:
    """The corpus's BibTeX files, sorted."""
    return sorted(CORPUS.glob("*.bib")) if CORPUS.is_dir() else []


def count_entries(text: str) -> int:
    """The number of entries (not @string, @comment or @preamble) of BibTeX text."""
    return sum(1 for m in _ENTRY.finditer(text) if m.group(1).lower() not in _NOT_ENTRIES)


def generate_bibtex(files: Sequence[Path], entries: int) -> str:
    """BibTeX text of ``entries`` entries: the files' entries repeated, keys renamed.

    Copy ``n`` of an entry has the key ``KEY-cN``; its crossref and xref
    fields are renamed the same way, so they point into the same copy. The
    files' @string definitions come once, first.
    """
    strings: dict[str, None] = {}
    chunks: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        starts = [m.start() for m in _ENTRY.finditer(text)] + [len(text)]
        for begin, end in itertools.pairwise(starts):
            chunk = text[begin:end].rstrip() + "\n"
            kind = _ENTRY.match(chunk)
            name = kind.group(1).lower() if kind else "comment"
            if name == "string":
                strings.setdefault(chunk)
            elif name not in _NOT_ENTRIES:
                chunks.append(chunk)
    key = re.compile(r"^([ \t]*@[ \t]*\w+[ \t]*[{(][ \t]*)([^,\s]+)")
    ref = re.compile(r"(\b(?:crossref|xref)\s*=\s*[{\"])([^}\"]+)", re.IGNORECASE)

    def rename(chunk: str, suffix: str) -> str:
        chunk = key.sub(lambda m: m.group(1) + m.group(2) + suffix, chunk, count=1)
        return ref.sub(
            lambda m: m.group(1) + ",".join(k.strip() + suffix for k in m.group(2).split(",")),
            chunk,
        )

    out = list(strings)
    copy = 0
    while len(out) - len(strings) < entries:
        copy += 1
        for chunk in chunks[: entries - (len(out) - len(strings))]:
            out.append(rename(chunk, f"-c{copy}"))
    return "\n".join(out)


def select_works(kind: str, size: int) -> list[Any]:
    """The works of a set: the first ``size`` works of healy-socbib.bib ("real"), or
    ``size`` corpus works repeated with new keys and titles ("synthetic")."""
    import attrs

    import citekit

    if kind == "real":
        works = list(citekit.load(CORPUS / HEALY).values())
        if len(works) < size:
            raise SystemExit(f"{HEALY} has {len(works)} works, fewer than {size}")
        return works[:size]
    pool = [w for path in corpus_files() for w in citekit.load(path).values()]
    out = []
    for number in range(size):
        work = pool[number % len(pool)]
        copy = number // len(pool)
        if copy == 0:
            out.append(work)
            continue
        title = f"{work.title or 'Untitled'}: Part {copy + 1}"
        out.append(attrs.evolve(work, key=f"{work.key}-s{copy}", title=title))
    return out


def csl_items(works: Sequence[Any]) -> list[dict[str, Any]]:
    """The CSL-JSON items of works (``work_to_item``), with ids item-0, item-1, ..."""
    from citekit.formats.csl import work_to_item

    items = []
    for number, work in enumerate(works):
        item = work_to_item(work)
        item.pop("custom", None)
        item["id"] = f"item-{number}"
        items.append(item)
    return items


def make_clusters(keys: Sequence[str], count: int) -> list[list[dict[str, Any]]]:
    """``count`` citation clusters over ``keys``, deterministic: some repeat the
    previous cluster (ibid.), some cite two works, half have a page locator."""
    rng = random.Random(20240601)
    clusters: list[list[dict[str, Any]]] = []
    for _ in range(count):
        if clusters and rng.random() < 0.25:
            cites = [dict(c) for c in clusters[-1][:1]]
        else:
            # Earlier works are cited more often (a long-tailed document).
            picks = {keys[min(int(rng.paretovariate(1.2)) - 1, len(keys) - 1)]}
            picks.add(rng.choice(keys))
            chosen = sorted(picks)[: 2 if rng.random() < 0.15 else 1]
            cites = [{"id": key} for key in chosen]
        for cite in cites:
            cite.pop("locator", None)
            cite.pop("label", None)
            if rng.random() < 0.5:
                cite["locator"] = str(rng.randint(1, 400))
                cite["label"] = "page"
        clusters.append(cites)
    return clusters


# -- the worker: one engine, one input, several timed runs --------------------------------


def _timed(runs: int, run: Callable[[], int]) -> tuple[list[float], int]:
    times = []
    produced = 0
    for _ in range(runs):
        start = time.perf_counter()
        produced = run()
        times.append(time.perf_counter() - start)
    return times, produced


def _quiet_warnings() -> None:
    import warnings

    warnings.simplefilter("ignore")


def worker_load(job: dict[str, Any]) -> dict[str, Any]:
    """Time loading one BibTeX file with one engine."""
    path = Path(job["path"])
    engine = job["engine"]
    if engine == "citekit":
        import citekit

        def run() -> int:
            return len(citekit.load(path))

    elif engine == "bibtexparser":
        bibtexparser = importlib.import_module("bibtexparser")

        def run() -> int:
            library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
            return len(library.entries)

    else:
        database = importlib.import_module("pybtex.database")
        importlib.import_module("pybtex.errors").set_strict_mode(False)

        def run() -> int:
            data = database.parse_string(path.read_text(encoding="utf-8"), "bibtex")
            return len(data.entries)

    times, produced = _timed(job["runs"], run)
    return {"times": times, "produced": produced}


def worker_bibliography(job: dict[str, Any]) -> dict[str, Any]:
    """Time one style's bibliography of one set of works with citekit or citeproc-py."""
    _quiet_warnings()
    style = job["style"]
    if job["engine"] == "citekit":
        import citekit
        from citekit.formatters.csl import CslFormatter

        works = select_works(job["kind"], job["size"])
        start = time.perf_counter()
        CslFormatter(style=style, output="text")  # the cold style load, on its own
        style_seconds = time.perf_counter() - start

        def run() -> int:
            formatter = citekit.formatter("csl", style=style, output="text")
            assert isinstance(formatter, CslFormatter)
            return len(formatter.bibliography(works))

        times, produced = _timed(job["runs"], run)
        return {"times": times, "produced": produced, "style": style_seconds}

    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc import formatter as citeproc_formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(Path(job["items"]).read_text(encoding="utf-8"))
    style_path = job["style_path"]
    style_times: list[float] = []

    def run_py() -> int:
        start = time.perf_counter()
        parsed = CitationStylesStyle(style_path, validate=False)
        style_times.append(time.perf_counter() - start)
        bibliography = CitationStylesBibliography(
            parsed, CiteProcJSON(items), citeproc_formatter.plain
        )
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        bibliography.sort()
        return len(bibliography.bibliography())

    times, produced = _timed(job["runs"], run_py)
    return {"times": times, "produced": produced, "style": style_times[0]}


def worker_citations(job: dict[str, Any]) -> dict[str, Any]:
    """Time a document of citation clusters in a note style, citekit or citeproc-py."""
    _quiet_warnings()
    clusters = json.loads(Path(job["clusters"]).read_text(encoding="utf-8"))
    style = job["style"]
    if job["engine"] == "citekit":
        from citekit.formatters.csl import Citation, Cite, CslFormatter

        works = select_works("real", job["size"])
        by_id = {f"item-{n}": work.key for n, work in enumerate(works)}
        citations = [
            Citation(
                tuple(Cite(by_id[c["id"]], locator=c.get("locator")) for c in cluster),
                note=number,
            )
            for number, cluster in enumerate(clusters, start=1)
        ]

        def run() -> int:
            formatter = CslFormatter(style=style, output="text")
            return len(formatter.document(works, citations).citations)

        times, produced = _timed(job["runs"], run)
        return {"times": times, "produced": produced}

    from citeproc import Citation as PyCitation
    from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator
    from citeproc import formatter as citeproc_formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(Path(job["items"]).read_text(encoding="utf-8"))

    def run_py() -> int:
        parsed = CitationStylesStyle(job["style_path"], validate=False)
        bibliography = CitationStylesBibliography(
            parsed, CiteProcJSON(items), citeproc_formatter.plain
        )
        prepared = []
        for number, cluster in enumerate(clusters, start=1):
            cites = [
                CitationItem(c["id"], locator=Locator("page", c["locator"]))
                if "locator" in c
                else CitationItem(c["id"])
                for c in cluster
            ]
            citation = PyCitation(cites)
            citation.note_index = number
            bibliography.register(citation)
            prepared.append(citation)
        bibliography.sort()
        return len([bibliography.cite(c, lambda item: None) for c in prepared])

    times, produced = _timed(job["runs"], run_py)
    return {"times": times, "produced": produced}


def worker_main() -> int:
    """Run the job read from stdin; print its result as JSON."""
    job = json.loads(sys.stdin.read())
    if job.get("workers"):
        os.environ["CITEKIT_WORKERS"] = str(job["workers"])
    task = {"load": worker_load, "bibliography": worker_bibliography}
    task["citations"] = worker_citations
    try:
        result = task[job["task"]](job)
    except Exception as error:  # a peer failing is a result, reported in the table
        result = {"error": f"{type(error).__name__}: {error}"[:300]}
    sys.stdout.write(json.dumps(result))
    return 0


# -- the parent: children, timings, tables ------------------------------------------------


@dataclass
class Child:
    """What a child process gave: its stdout, wall-clock seconds and peak RSS (MB)."""

    stdout: str
    seconds: float
    peak_mb: float
    returncode: int
    stderr: str


def run_child(argv: Sequence[str], stdin: str) -> Child:
    """Run a process to its end, with its wall-clock time and peak resident memory.

    The peak comes from ``/usr/bin/time -f %M`` when present: ``os.wait4``
    alone reports at least the parent's own peak (Linux carries a process's
    high-water mark across fork and exec), which is the fallback.
    """
    timer = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak_file:
        command = list(argv)
        if timer:
            command = [timer, "-f", "%M", "-o", peak_file.name, *command]
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err
        )
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(stdin.encode("utf-8"))
            process.stdin.close()
        except BrokenPipeError:
            pass
        stdout = process.stdout.read().decode("utf-8", errors="replace")
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
        # ru_maxrss and %M are in kilobytes on Linux (ru_maxrss in bytes on macOS).
        peak_kb = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
        lines = peak_file.read().split()
        if timer and lines and lines[-1].isdigit():
            peak_kb = int(lines[-1])
    return Child(stdout, seconds, peak_kb / 1024, process.returncode, stderr)


def run_worker(job: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """A worker's result and its peak memory (MB)."""
    child = run_child([sys.executable, str(Path(__file__).resolve()), "--worker"], json.dumps(job))
    if child.returncode != 0 or not child.stdout:
        tail = child.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"worker exited {child.returncode}: {tail[0][:200]}"}, child.peak_mb
    result: dict[str, Any] = json.loads(child.stdout)
    return result, child.peak_mb


@dataclass
class Row:
    """One engine on one input: the table's line."""

    section: str
    case: str
    count: int
    engine: str
    times: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    produced: int | None = None
    style: float | None = None
    error: str | None = None
    note: str = ""

    @property
    def median(self) -> float | None:
        """The median time of the runs, or None when the engine did not run."""
        return statistics.median(self.times) if self.times else None


class Bench:
    """The measurements of one invocation, and the printing of them."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.rows: list[Row] = []
        self.node = shutil.which("node") is not None and (CITEPROC_JS / "package.json").is_file()
        self.cold: dict[str, float] = {}
        from citekit.csl.parallel import workers

        self.workers = workers()
        """How many processes citekit may render a large bibliography in (CITEKIT_WORKERS)."""

    # -- helpers ------------------------------------------------------------------------

    def add(self, row: Row) -> Row:
        """Record a row and print it at once (a long run shows progress)."""
        self.rows.append(row)
        print(self.format_row(row), flush=True)
        return row

    def worker_row(self, row: Row, job: dict[str, Any]) -> Row:
        """Fill a row from a worker's run of ``job``."""
        result, peak = run_worker(job)
        row.peak_mb = peak
        if "error" in result:
            row.error = str(result["error"])
        else:
            row.times = [float(t) for t in result["times"]]
            row.produced = int(result["produced"])
            row.style = result.get("style")
        return self.add(row)

    def node_row(self, row: Row, job: dict[str, Any], runs: int) -> Row:
        """Fill a row from ``runs`` node processes of render.js on ``job``, and one
        process given no items (start-up and style: the row's style time)."""
        empty = {**job, "documents": [{"items": [], "citations": []}]}
        baseline = run_child(["node", str(RENDER_JS)], json.dumps(empty))
        if baseline.returncode == 0:
            row.style = baseline.seconds
        text = json.dumps(job)
        peaks = []
        for _ in range(runs):
            child = run_child(["node", str(RENDER_JS)], text)
            peaks.append(child.peak_mb)
            if child.returncode != 0:
                row.error = f"node exited {child.returncode}: {child.stderr.strip()[-200:]}"
                break
            document = json.loads(child.stdout)["documents"][0]
            if document["error"]:
                row.error = str(document["error"]).splitlines()[0][:200]
                break
            row.times.append(child.seconds)
            made = document["citations"] if row.section == "citations" else document["bibliography"]
            row.produced = len(made)
        row.peak_mb = max(peaks) if peaks else None
        if row.error:
            row.times = []
        return self.add(row)

    def format_row(self, row: Row) -> str:
        """One line of the table (ratio: the engine's time over citekit's)."""
        head = f"{row.section:<13} {row.case:<34} {row.count:>6} {row.engine:<13}"
        if row.error:
            return f"{head} FAILED: {row.error}"
        median = row.median
        assert median is not None
        rate = row.count / median if median else float("inf")
        base = self.citekit_median(row)
        ratio = f"{median / base:>7.2f}x" if base else f"{'':>8}"
        style = f"{row.style:>7.3f}" if row.style is not None else f"{'-':>7}"
        peak = f"{row.peak_mb:>7.0f}" if row.peak_mb is not None else f"{'-':>7}"
        made = f"{row.produced:>6}" if row.produced is not None else f"{'-':>6}"
        return (
            f"{head} {median:>9.3f} {rate:>10,.0f} {ratio} {style} {peak} {made}"
            f"{'  ' + row.note if row.note else ''}"
        )

    def citekit_median(self, row: Row) -> float | None:
        """citekit's median time on the same input as ``row``."""
        for other in self.rows:
            if (
                other.engine == "citekit"
                and (other.section, other.case) == (row.section, row.case)
                and other.median
            ):
                return other.median
        return None

    def find(self, section: str, case: str, engine: str) -> Row | None:
        """The row of an engine on one input, if it ran."""
        for row in self.rows:
            if (row.section, row.case, row.engine) == (section, case, engine) and row.times:
                return row
        return None

    # -- sections -----------------------------------------------------------------------

    def load(self) -> None:
        """citekit.load against bibtexparser alone and pybtex."""
        files = list(corpus_files())
        if not self.args.quick:
            generated = self.workdir / "generated-50000.bib"
            generated.write_text(generate_bibtex(files, GENERATED_ENTRIES), encoding="utf-8")
            files.append(generated)
        engines = ["citekit"]
        for module, name in (("bibtexparser", "bibtexparser"), ("pybtex", "pybtex")):
            if importlib.util.find_spec(module) is not None:
                engines.append(name)
            else:
                print(f"(skipped: {name} is not installed)")
        for path in files:
            count = count_entries(path.read_text(encoding="utf-8", errors="replace"))
            for engine in engines:
                job = {"task": "load", "engine": engine, "path": str(path), "runs": self.args.runs}
                self.worker_row(Row("load", path.name, count, engine), job)

    def bibliography(self) -> None:
        """Bibliographies in each style, each size, with every engine found."""
        from citekit.csl.styles import find_style, load_style

        sizes: list[tuple[str, int]] = [("real", n) for n in self.real_sizes()]
        styles = ("apa",) if self.args.quick else tuple(self.args.styles or STYLES)
        pandoc = self.pandoc_path() if self.args.pandoc else None
        for style in styles:
            style_path = find_style(style)
            lang = load_style(style).locale
            style_sets = list(sizes)
            if style == "apa" and not self.args.quick:
                style_sets.append(("synthetic", SYNTHETIC_SIZE))
            for kind, size in style_sets:
                case = f"{style} {size} {'synthetic' if kind == 'synthetic' else 'real'}"
                items = csl_items(select_works(kind, size))
                items_path = self.workdir / f"items-{kind}-{size}.json"
                items_path.write_text(json.dumps(items), encoding="utf-8")
                base = {
                    "task": "bibliography",
                    "engine": "citekit",
                    "style": style,
                    "kind": kind,
                    "size": size,
                    "runs": self.args.runs,
                }
                self.worker_row(Row("bibliography", case, size, "citekit"), base)
                if kind == "real" and (
                    size == max(self.real_sizes()) or (style == "apa" and size >= 1_000)
                ):
                    # the same in one process: what processes add, and what a
                    # program that forbids them (CITEKIT_WORKERS=1) gets
                    alone = {**base, "workers": 1}
                    self.worker_row(Row("bibliography", case, size, "citekit-1proc"), alone)
                if self.args.quick and size > min(self.real_sizes()):
                    continue  # a smoke test runs the peers on the smallest set only
                job = {**base, "engine": "citeproc-py", "items": str(items_path)}
                job["style_path"] = str(style_path)
                self.worker_row(Row("bibliography", case, size, "citeproc-py"), job)
                if self.node:
                    node_job = self.node_job(style_path, lang, items, [])
                    row = Row("bibliography", case, size, "citeproc-js")
                    self.node_row(row, node_job, self.args.runs)
                if pandoc and size in PANDOC_SIZES:
                    self.pandoc_row(pandoc, case, size, style_path, items_path)
        if not self.node:
            print("(skipped citeproc-js: node or differential/node_modules/citeproc is missing)")

    def node_job(
        self, style_path: Path, lang: str, items: list[dict[str, Any]], clusters: list[Any]
    ) -> dict[str, Any]:
        """A render.js job for one document."""
        import citeproc

        locales = Path(citeproc.__file__).resolve().parent / "data" / "locales"
        citations = [
            {"cites": cluster, "note": number} for number, cluster in enumerate(clusters, start=1)
        ]
        return {
            "style_xml": style_path.read_text(encoding="utf-8"),
            "lang": lang,
            "locales_dir": str(locales),
            "mode": "text",
            "documents": [{"items": items, "citations": citations}],
        }

    def pandoc_path(self) -> str | None:
        """pandoc's executable through pypandoc, if installed."""
        try:
            pypandoc = importlib.import_module("pypandoc")
            return str(pypandoc.get_pandoc_path())
        except (ImportError, OSError):
            print("(skipped pandoc: pypandoc or its pandoc is missing)")
            return None

    def pandoc_row(
        self, pandoc: str, case: str, size: int, style_path: Path, items_path: Path
    ) -> None:
        """``pandoc --citeproc`` of a document citing every item (``nocite: @*``)."""
        row = Row("bibliography", case, size, "pandoc")
        document = "---\nnocite: '@*'\n---\n"
        argv = [pandoc, "--citeproc", "-f", "markdown", "-t", "plain"]
        argv += ["--csl", str(style_path), "--bibliography", str(items_path)]
        for _ in range(self.args.runs):
            child = run_child(argv, document)
            if child.returncode != 0:
                row.error = f"pandoc exited {child.returncode}: {child.stderr.strip()[-200:]}"
                row.times = []
                break
            row.times.append(child.seconds)
            row.peak_mb = max(row.peak_mb or 0.0, child.peak_mb)
            row.produced = len([p for p in child.stdout.split("\n\n") if p.strip()])
        self.add(row)

    def citations(self) -> None:
        """A note-style document of many citation clusters."""
        from citekit.csl.styles import find_style, load_style

        count = QUICK_CLUSTERS if self.args.quick else CLUSTERS
        works = select_works("real", CLUSTER_WORKS)
        items = csl_items(works)
        clusters = make_clusters([item["id"] for item in items], count)
        items_path = self.workdir / "citation-items.json"
        items_path.write_text(json.dumps(items), encoding="utf-8")
        clusters_path = self.workdir / "clusters.json"
        clusters_path.write_text(json.dumps(clusters), encoding="utf-8")
        style_path = find_style(NOTE_STYLE)
        case = f"{NOTE_STYLE} {count} clusters"
        base = {
            "task": "citations",
            "engine": "citekit",
            "style": NOTE_STYLE,
            "size": CLUSTER_WORKS,
            "clusters": str(clusters_path),
            "runs": self.args.runs,
        }
        self.worker_row(Row("citations", case, count, "citekit"), base)
        if self.args.quick:
            return  # a smoke test runs the peers in the bibliography section only
        job = {**base, "engine": "citeproc-py", "items": str(items_path)}
        job["style_path"] = str(style_path)
        self.worker_row(Row("citations", case, count, "citeproc-py"), job)
        if self.node:
            node_job = self.node_job(style_path, load_style(NOTE_STYLE).locale, items, clusters)
            self.node_row(Row("citations", case, count, "citeproc-js"), node_job, self.args.runs)

    def cold_start(self) -> None:
        """``import citekit``, and a new process rendering one APA citation."""
        sys.path.insert(0, str(HERE))
        import_time = importlib.import_module("import_time")
        runs = max(5, self.args.runs)
        imports = [import_time.cumulative_us("citekit") / 1e6 for _ in range(runs)]
        self.cold["import"] = statistics.median(imports)
        self.add(Row("cold", "import citekit (-X importtime)", 1, "citekit", imports))
        code = (
            "import citekit\n"
            "work = citekit.Work(key='serge1951', type='book',"
            " title='Memoirs of a Revolutionary',"
            " contributors=[citekit.Contributors(role='author',"
            " persons=[citekit.Person(family='Serge', given='Victor')])],"
            " issued=citekit.Date.parse('1951'), publisher='Oxford University Press')\n"
            "print(citekit.formatter('csl', style='apa').cite([work], 'serge1951', '12'))\n"
        )
        empty = [run_child([sys.executable, "-c", "pass"], "").seconds for _ in range(runs)]
        first = []
        for _ in range(runs):
            child = run_child([sys.executable, "-c", code], "")
            if child.returncode != 0:
                error = child.stderr.strip().splitlines()[-1:] or ["no output"]
                self.add(Row("cold", "first APA citation (process)", 1, "citekit", error=error[0]))
                return
            first.append(child.seconds)
        self.cold["first"] = statistics.median(first)
        note = f"{child.stdout.strip()}; bare interpreter {statistics.median(empty):.3f} s"
        self.add(Row("cold", "first APA citation (process)", 1, "citekit", first, note=note))

    def real_sizes(self) -> list[int]:
        """The real set sizes of this run."""
        return [n for n in REAL_SIZES if not self.args.quick or n <= 1_000]

    # -- the summary --------------------------------------------------------------------

    def summary(self) -> list[str]:
        """Print the issue's targets, each with what was measured and PASS/FAIL.

        Returns the targets that failed. With ``--quick`` (a smoke test of
        smaller inputs, one run) the targets are printed but not judged, and
        none is returned.
        """
        if self.args.quick:
            print(
                "\nTargets of the performance issue (--quick is a smoke test: not judged,"
                " the targets are for full runs):"
            )
        else:
            print("\nTargets of the performance issue (as measured in this run):")
        lines: list[tuple[str, str, bool | None]] = []
        largest = max(self.real_sizes())
        case = f"apa {largest} real"
        own = self.find("bibliography", case, "citekit")
        alone = self.find("bibliography", case, "citekit-1proc")
        for peer, goal, least in (
            ("citeproc-py", "at least 10x faster", 10.0),
            ("citeproc-js", "faster", 1.0),
        ):
            other = self.find("bibliography", case, peer)
            for mine, how in ((own, f"{self.workers} processes"), (alone, "1 process")):
                title = f"APA {largest} works vs {peer} ({goal}), citekit in {how}"
                if mine and other and mine.median and other.median:
                    ratio = other.median / mine.median
                    text = (
                        f"{peer} {other.median:.2f} s / citekit {mine.median:.2f} s = {ratio:.2f}x"
                    )
                    passed = ratio >= least if least > 1 else ratio > 1
                    lines.append((title, text, passed))
                else:
                    lines.append((title, "not measured", None))
        # the engine issue's targets: one process against each peer, at every
        # real set of 1,000 works or more
        for size in (n for n in self.real_sizes() if n >= 1_000):
            case = f"apa {size} real"
            alone = self.find("bibliography", case, "citekit-1proc")
            for peer, least in (("citeproc-py", 15.0), ("citeproc-js", 3.0)):
                title = f"APA {size} works, citekit in 1 process vs {peer} (at least {least:g}x)"
                other = self.find("bibliography", case, peer)
                if not (alone and alone.median and other and other.median):
                    lines.append((title, "not measured", None))
                    continue
                theirs = other.median
                how = f"{peer} {theirs:.2f} s"
                if peer == "citeproc-js" and other.style is not None:
                    # (net of node's start-up and the style, its empty job's time)
                    theirs = max(theirs - other.style, 0.0)
                    how = f"{peer} {other.median:.2f} s - start-up {other.style:.2f} s"
                ratio = theirs / alone.median
                text = f"{how} / citekit {alone.median:.2f} s = {ratio:.2f}x"
                lines.append((title, text, ratio >= least))
        small = self.find("bibliography", "apa 100 real", "citekit")
        for big_case in (case, f"apa {SYNTHETIC_SIZE} synthetic"):
            big = self.find("bibliography", big_case, "citekit")
            if small and big and small.median and big.median and big_case != "apa 100 real":
                ratio = (big.median / big.count) / (small.median / small.count)
                text = (
                    f"{big.median / big.count * 1000:.2f} ms/entry at {big.count} vs"
                    f" {small.median / small.count * 1000:.2f} at 100 = {ratio:.2f}x"
                )
                lines.append(
                    (f"per-entry time, {big_case} / 100 (within 1.5x)", text, ratio <= 1.5)
                )
        for name in (HEALY, "generated-50000.bib"):
            own = self.find("load", name, "citekit")
            other = self.find("load", name, "bibtexparser")
            title = f"load {name} vs bibtexparser alone (within 2x)"
            if own and other and own.median and other.median:
                ratio = own.median / other.median
                text = (
                    f"citekit {own.median:.2f} s / bibtexparser {other.median:.2f} s = {ratio:.2f}x"
                )
                lines.append((title, text, ratio <= 2.0))
            else:
                lines.append((title, "not measured", None))
        big = self.find("load", "generated-50000.bib", "citekit")
        if big and big.peak_mb:
            text = f"{big.peak_mb:.0f} MB peak RSS of the loading process"
            lines.append(("50,000-entry library (under 500 MB)", text, big.peak_mb < 500))
        else:
            lines.append(("50,000-entry library (under 500 MB)", "not measured", None))
        if "import" in self.cold:
            ms = self.cold["import"] * 1000
            lines.append(("import citekit (under 100 ms)", f"{ms:.1f} ms", ms < 100))
        else:
            lines.append(("import citekit (under 100 ms)", "not measured", None))
        if "first" in self.cold:
            ms = self.cold["first"] * 1000
            text = f"{ms:.0f} ms, whole process"
            lines.append(("first APA citation, new process (under 400 ms)", text, ms < 400))
        else:
            lines.append(("first APA citation, new process (under 400 ms)", "not measured", None))
        width = max(len(goal) for goal, _, _ in lines)
        for goal, text, passed in lines:
            verdict = "-" if passed is None or self.args.quick else "PASS" if passed else "FAIL"
            print(f"  {verdict:<5} {goal:<{width}}  {text}")
        return [] if self.args.quick else [goal for goal, _, passed in lines if passed is False]

    def failed_runs(self) -> list[Row]:
        """The rows where citekit itself did not run to the end (a peer failing is a result)."""
        return [row for row in self.rows if row.error and row.engine.startswith("citekit")]


def header(runs: int) -> str:
    """The table's column titles."""
    return (
        f"{'section':<13} {'input':<34} {'n':>6} {'engine':<13} {'median s':>9}"
        f" {'n/s':>10} {'ratio':>8} {'style s':>7} {'peak MB':>7} {'out':>6}\n"
        f"(median of {runs} runs; ratio: engine time / citekit time, above 1 means citekit"
        " is faster; style s: citekit's cold style load, citeproc-py's style parse, or a"
        " citeproc-js process given no items; peak MB: the child process's max RSS;"
        " out: entries or citations produced)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options and run the chosen sections."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke test: 100 and 1,000 works, APA, 200 clusters, peers at 100 works only",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per engine and input")
    parser.add_argument(
        "--only", choices=("load", "bibliography", "citations", "cold"), help="one section"
    )
    parser.add_argument(
        "--styles",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        help=f"the bibliographies' styles, comma-separated (default: {', '.join(STYLES)})",
    )
    parser.add_argument("--pandoc", action="store_true", help="add pandoc at 100 and 1,000 works")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main()
    if args.quick:
        args.runs = 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not corpus_files() or not (CORPUS / HEALY).is_file():
        print(f"no corpus at {CORPUS}: nothing to measure", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="citekit-perf-") as folder:
        bench = Bench(args, Path(folder))
        print(header(args.runs), flush=True)
        sections = {
            "load": bench.load,
            "bibliography": bench.bibliography,
            "citations": bench.citations,
            "cold": bench.cold_start,
        }
        for name, section in sections.items():
            if args.only in (None, name):
                section()
        failed_targets = bench.summary()
    print(
        f"\n(total {time.perf_counter() - started:.0f} s; {os.cpu_count()} cores;"
        f" citekit renders a large bibliography in up to {bench.workers} processes, each"
        " peer in one)"
    )
    failed_runs = bench.failed_runs()
    for row in failed_runs:
        print(f"FAILED: citekit on {row.section} {row.case}: {row.error}", file=sys.stderr)
    if failed_targets:
        print(
            f"FAILED: {len(failed_targets)} target(s): {'; '.join(failed_targets)}", file=sys.stderr
        )
    return 1 if failed_runs or failed_targets else 0


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    sys.exit(main())
