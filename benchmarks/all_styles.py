"""No crash: every CSL style renders a bibliography and citations of 20 varied works.

Picks 20 works of ``tests/corpus/biblatex-examples.bib`` by entry type and
feature (article, book, inbook, incollection with a crossref, inproceedings,
thesis, report, online, manual, patent, periodical, collection, mvbook, ...;
editors, translators, non-English, no date, many authors), the same ones on
every run, and prints their keys.
Then, for every style :func:`citekit.csl.styles.style_names` lists, in worker
processes with a time limit per style:

- an independent style is loaded (``citekit.formatter("csl", style=name)``)
  and renders, in ``text`` output: the bibliography of the 20 works (for a
  style that has one), a document citing each work once (with locators,
  labels, prefixes, suffixes, suppress-author and author-only spread over
  the cites, one cluster of three works and a repeated cite, so note styles
  reach their subsequent and ibid forms), and one ``cite()`` call. Every
  ``--html-every``-th style renders its bibliography and document in ``html``
  too.
- a dependent style is resolved to its parent and loaded; with
  ``--dependents render``, one dependent per (parent, locale) pair that no
  independent style renders already is rendered as well (a dependent style
  differs from its parent only by its locale, so that covers what rendering
  all of them would).

Each stage ends ``ok``, in a ``clean`` refusal (a :class:`citekit.CitekitError`
that is not a rendering failure, such as a :class:`citekit.StyleError` for a
style that is not valid CSL), in a ``crash`` (any other exception, or a
:class:`citekit.formatters.csl.RenderError`, which wraps an exception of the
CSL engine: its cause and the cause's last frames are recorded), a
``timeout``, or ``died`` (the worker process ended). The summary groups
clean errors by message and crashes by exception class and code location,
with style names, and gives the time per style; ``--report`` writes every
style's record as JSON.

    python benchmarks/all_styles.py --report styles.json
    python benchmarks/all_styles.py --styles apa ieee --report r.json
    python benchmarks/all_styles.py --limit 100 --dependents skip
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import multiprocessing
import multiprocessing.connection
import re
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS_FILE = REPO / "tests" / "corpus" / "biblatex-examples.bib"

_ENTRY = re.compile(r"^@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)


# -- choosing the works ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A corpus entry as the selection sees it: its BibTeX type and its Work."""

    bibtype: str
    work: Any

    @property
    def key(self) -> str:
        """The citation key."""
        return str(self.work.key)

    def has(self, role: str) -> bool:
        """True if the work has persons in ``role`` ("author", "editor", "translator")."""
        return any(c.role.value == role and c.persons for c in self.work.contributors)

    def authors(self) -> int:
        """How many authors the work has."""
        return len(self.work.authors)

    def english(self) -> bool:
        """True if the work is in English or says nothing of its language."""
        language = (self.work.language or "en").lower()
        return language.startswith(("en", "american", "british"))


def _is(*types: str) -> Callable[[Entry], bool]:
    return lambda e: e.bibtype in types


#: What the 20 works should show, in order; each slot takes the first entry of
#: the corpus (in file order) that fits and is not taken yet.
SLOTS: tuple[tuple[str, Callable[[Entry], bool]], ...] = (
    ("article, 10+ authors", lambda e: e.bibtype == "article" and e.authors() >= 10),
    ("article, not English", lambda e: e.bibtype == "article" and not e.english()),
    (
        "book, editor and translator",
        lambda e: e.bibtype == "book" and e.has("editor") and e.has("translator"),
    ),
    (
        "book, translated, not English",
        lambda e: e.bibtype == "book" and e.has("translator") and not e.english(),
    ),
    (
        "book, translator and no author",
        lambda e: e.bibtype == "book" and not e.authors() and e.has("translator"),
    ),
    ("book, volume of a multi-volume work", lambda e: "maintitle" in e.work.extra),
    ("mvbook", _is("mvbook")),
    ("inbook", _is("inbook")),
    ("incollection with a crossref", lambda e: e.bibtype == "incollection" and _crossref(e)),
    ("inproceedings", _is("inproceedings")),
    ("thesis", _is("thesis", "phdthesis", "mastersthesis")),
    ("report", _is("report", "techreport")),
    ("online, with an author", lambda e: e.bibtype == "online" and e.authors() > 0),
    (
        "online, no author",
        lambda e: e.bibtype == "online" and not e.authors() and not e.has("editor"),
    ),
    ("manual", _is("manual")),
    ("patent, many inventors", lambda e: e.bibtype == "patent" and e.authors() >= 5),
    ("periodical", _is("periodical")),
    ("collection", _is("collection")),
    ("mvcollection", _is("mvcollection")),
    ("no date, no author (set / misc)", lambda e: e.work.issued is None and not e.authors()),
)


def _crossref(entry: Entry) -> bool:
    return "crossref" in entry.work.extra


def corpus_entries(path: Path) -> list[Entry]:
    """The corpus's works in file order, with their BibTeX entry types."""
    import citekit

    text = path.read_text(encoding="utf-8")
    types = {key: kind.lower() for kind, key in _ENTRY.findall(text)}
    library = citekit.load(path)
    return [Entry(types.get(key, "misc"), work) for key, work in library.items()]


def choose_works(entries: list[Entry], count: int = 20) -> list[tuple[str, Entry]]:
    """(why, entry) for ``count`` varied entries: one per slot, then others of new types."""
    chosen: list[tuple[str, Entry]] = []
    taken: set[str] = set()
    for why, fits in SLOTS:
        for entry in entries:
            if entry.key not in taken and fits(entry):
                chosen.append((why, entry))
                taken.add(entry.key)
                break
    seen_types = {entry.bibtype for _, entry in chosen}
    for prefer_new in (True, False):
        for entry in entries:
            if len(chosen) >= count:
                return chosen
            if entry.key in taken or (prefer_new and entry.bibtype in seen_types):
                continue
            chosen.append((f"{entry.bibtype} (to fill)", entry))
            taken.add(entry.key)
            seen_types.add(entry.bibtype)
    return chosen[:count]


# -- rendering one style (in a worker) ------------------------------------------------------

_WORKS: list[Any] = []


def _cites() -> list[Any]:
    """The document's citations: each work once, with varied cite options, then more."""
    from citekit.formatters.csl import Citation, Cite

    keys = [work.key for work in _WORKS]
    variants: list[dict[str, Any]] = [
        {},
        {"locator": "12"},
        {"locator": "3", "label": "chapter"},
        {"prefix": "see ", "suffix": ", for instance"},
        {"locator": "xi-xx"},
        {"suppress_author": True},
        {"locator": "4", "label": "section"},
        {"author_only": True},
    ]
    clusters: list[Any] = [
        Citation((Cite(key, **variants[number % len(variants)]),))
        for number, key in enumerate(keys)
    ]
    if len(keys) >= 3:
        clusters.append(Citation((Cite(keys[0]), Cite(keys[1], locator="7"), Cite(keys[2]))))
        clusters.append(Citation((Cite(keys[2], locator="8"),)))
    return clusters


def _where(path: str) -> str:
    """A frame's file, relative to the package folder (no machine paths)."""
    path = path.replace("\\", "/")
    for marker in ("/site-packages/", "/src/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return Path(path).name


def _failure(error: BaseException) -> dict[str, Any]:
    """What an exception says: its type and message, and its cause's when it wraps one."""
    from citekit.errors import CitekitError
    from citekit.formatters.csl import RenderError

    cause: BaseException = error
    if isinstance(error, RenderError) and error.cause is not None:
        cause = error.cause
    frames = [
        f"{_where(f.filename)}:{f.lineno} in {f.name}"
        for f in traceback.extract_tb(cause.__traceback__)
    ]
    own = [f for f in frames if f.startswith("citekit/")]
    status = "clean" if isinstance(error, CitekitError) and cause is error else "crash"
    wrapped = error.__cause__
    return {
        "wrapped": None if wrapped is None else f"{type(wrapped).__name__}: {wrapped}"[:300],
        "status": status,
        "type": type(error).__name__,
        "message": str(error)[:500],
        "cause_type": type(cause).__name__,
        "cause_message": str(cause)[:300],
        "work": getattr(error, "key", None),
        "frames": frames[-5:],
        "citekit_frame": own[-1] if own else None,
    }


def _stage(record: dict[str, Any], name: str, run: Callable[[], Any]) -> Any:
    """Run one stage, recording its time and outcome; its result, or None on failure."""
    start = time.perf_counter()
    try:
        result = run()
    except Exception as error:
        record["stages"][name] = _failure(error)
        result = None
    else:
        record["stages"][name] = {"status": "ok"}
    record["times"][name] = round(time.perf_counter() - start, 4)
    return result


def render_style(name: str, *, html: bool) -> dict[str, Any]:
    """Load and render one style; its record (see the module docstring)."""
    import citekit

    record: dict[str, Any] = {"name": name, "mode": "render", "stages": {}, "times": {}}
    start = time.perf_counter()
    formatter = _stage(record, "load", lambda: citekit.formatter("csl", style=name, output="text"))
    if formatter is not None:
        style = formatter.style
        record.update(
            parent=Path(style.source).stem,
            locale=style.locale,
            note_style=style.is_note_style,
            has_bibliography=style.has_bibliography,
        )
        clusters = _cites()
        if style.has_bibliography:
            entries = _stage(record, "bibliography", lambda: formatter.bibliography(_WORKS))
            if entries is not None:
                record["entries"] = len(entries)
                record["empty_entries"] = sum(1 for e in entries if not e.text.strip())
        texts = _stage(record, "citations", lambda: formatter.citations(_WORKS, clusters))
        if texts is not None:
            record["empty_citations"] = sum(1 for t in texts if not t.strip())
        _stage(record, "cite", lambda: formatter.cite(_WORKS, _WORKS[1].key, locator="12"))
        if html:
            record["html"] = True

            def html_render() -> None:
                html_formatter: Any = citekit.formatter("csl", style=name, output="html")
                if style.has_bibliography:
                    html_formatter.bibliography(_WORKS)
                html_formatter.citations(_WORKS, clusters)

            _stage(record, "html", html_render)
    record["times"]["total"] = round(time.perf_counter() - start, 4)
    record["status"] = _worst(record["stages"])
    return record


def load_dependent(name: str) -> dict[str, Any]:
    """Resolve and load one dependent style; its record."""
    from citekit.csl.styles import load_style

    record: dict[str, Any] = {"name": name, "mode": "load", "stages": {}, "times": {}}
    style = _stage(record, "load", lambda: load_style(name))
    if style is not None:
        record.update(parent=Path(style.source).stem, locale=style.locale)
    record["times"]["total"] = record["times"]["load"]
    record["status"] = _worst(record["stages"])
    return record


def _worst(stages: dict[str, dict[str, Any]]) -> str:
    statuses = {stage["status"] for stage in stages.values()}
    for status in ("crash", "clean"):
        if status in statuses:
            return status
    return "ok"


def _serve(connection: Any, works_path: str, keys: list[str]) -> None:
    """A worker: load the works, then render each task sent until None comes."""
    import citekit

    library = citekit.load(works_path)
    _WORKS[:] = [library[key] for key in keys]
    connection.send("ready")
    while True:
        task = connection.recv()
        if task is None:
            return
        mode, name, html = task
        result = render_style(name, html=html) if mode == "render" else load_dependent(name)
        connection.send(result)


# -- the pool with a time limit per style -----------------------------------------------------


@dataclass
class _Worker:
    connection: Any
    process: Any
    task: tuple[str, str, bool] | None = None
    started: float = 0.0


@dataclass
class Pool:
    """Worker processes, each running one style at a time; a style over the limit is killed."""

    workers: int
    timeout: float
    works_path: str
    keys: list[str]
    _pool: list[_Worker] = field(default_factory=list)

    def _spawn(self) -> _Worker:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve, args=(child, self.works_path, self.keys), daemon=True
        )
        process.start()
        child.close()
        # The time limit counts from the first task, not from the worker's start-up.
        if not parent.poll(120) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError("a worker process did not start")
        return _Worker(parent, process)

    def run(
        self, tasks: Iterable[tuple[str, str, bool]], progress: Callable[[dict[str, Any]], None]
    ) -> None:
        """Run every task; ``progress`` gets each record as it comes."""
        pending = collections.deque(tasks)
        self._pool = [self._spawn() for _ in range(self.workers)]
        try:
            while pending or any(w.task is not None for w in self._pool):
                for worker in self._pool:
                    if worker.task is None and pending:
                        worker.task = pending.popleft()
                        worker.started = time.perf_counter()
                        worker.connection.send(worker.task)
                busy = [w for w in self._pool if w.task is not None]
                ready = multiprocessing.connection.wait([w.connection for w in busy], timeout=0.5)
                for index, worker in enumerate(self._pool):
                    if worker.task is None:
                        continue
                    if worker.connection in ready:
                        try:
                            record = worker.connection.recv()
                        except (EOFError, OSError):
                            record = self._lost(worker, "died")
                            self._pool[index] = self._spawn()
                        else:
                            worker.task = None
                        progress(record)
                    elif time.perf_counter() - worker.started > self.timeout:
                        progress(self._lost(worker, "timeout"))
                        self._pool[index] = self._spawn()
        finally:
            for worker in self._pool:
                if worker.process.is_alive():
                    with contextlib.suppress(OSError):
                        worker.connection.send(None)
                    worker.process.join(timeout=5)
                    if worker.process.is_alive():
                        worker.process.kill()

    def _lost(self, worker: _Worker, status: str) -> dict[str, Any]:
        """The record of a task whose worker timed out or died; the worker is ended."""
        assert worker.task is not None
        mode, name, _ = worker.task
        elapsed = round(time.perf_counter() - worker.started, 2)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        return {
            "name": name,
            "mode": mode,
            "status": status,
            "exitcode": worker.process.exitcode,
            "stages": {},
            "times": {"total": elapsed},
        }


# -- the run and its summary --------------------------------------------------------------------


def _style_kinds() -> tuple[list[str], list[str]]:
    """(independent, dependent) style names, as citekit loads them by name."""
    from citekit.csl.styles import find_style, style_names

    independent: list[str] = []
    dependent: list[str] = []
    for name in style_names():
        (dependent if find_style(name).parent.name == "dependent" else independent).append(name)
    return independent, dependent


def _normalise(message: str, name: str) -> str:
    """A clean error's message with the style's own name and file taken out, to group by."""
    message = re.sub(r"\S*\.csl\b", "<style file>", message)
    return message.replace(repr(name), "<style>").replace(name, "<style>")


def summarise(records: list[dict[str, Any]], elapsed: float) -> dict[str, Any]:
    """Counts, clean errors by message, crashes by class and place, and timings."""
    counts: collections.Counter[str] = collections.Counter()
    clean: dict[str, list[str]] = collections.defaultdict(list)
    crashes: dict[str, list[str]] = collections.defaultdict(list)
    crash_sites: dict[str, str] = {}
    for record in records:
        counts[f"{record['mode']} {record['status']}"] += 1
        for stage_name, stage in record["stages"].items():
            if stage["status"] == "clean":
                clean[_normalise(stage["message"], record["name"])].append(record["name"])
            elif stage["status"] == "crash":
                last = stage["frames"][-1] if stage["frames"] else "?"
                group = f"{stage['cause_type']} at {last}"
                crashes[group].append(f"{record['name']} ({stage_name}, {stage['work']})")
                crash_sites.setdefault(group, stage["cause_message"])
    rendered = [r for r in records if r["mode"] == "render" and "load" in r["times"]]

    def quantiles(stage: str) -> dict[str, float]:
        values = sorted(r["times"][stage] for r in rendered if stage in r["times"])
        if not values:
            return {}
        return {
            "median": round(statistics.median(values), 3),
            "p90": round(statistics.quantiles(values, n=10, method="inclusive")[-1], 3)
            if len(values) > 1
            else values[0],
            "max": round(values[-1], 3),
            "sum": round(sum(values), 1),
        }

    slowest = sorted(rendered, key=lambda r: r["times"].get("total", 0.0), reverse=True)[:10]
    return {
        "counts": dict(sorted(counts.items())),
        "clean_errors": {k: sorted(v) for k, v in sorted(clean.items())},
        "crashes": {
            k: {"example_message": crash_sites[k], "styles": sorted(v)}
            for k, v in sorted(crashes.items(), key=lambda kv: -len(kv[1]))
        },
        "timeouts": sorted(r["name"] for r in records if r["status"] == "timeout"),
        "died": sorted(r["name"] for r in records if r["status"] == "died"),
        "seconds_per_style": {
            stage: quantiles(stage)
            for stage in ("load", "bibliography", "citations", "cite", "html", "total")
        },
        "slowest": [(r["name"], r["times"]["total"]) for r in slowest],
        "elapsed_seconds": round(elapsed, 1),
    }


def print_summary(summary: dict[str, Any], out: Any = sys.stdout) -> None:
    """The summary, for people."""
    print("\nstyles by outcome:", file=out)
    for what, number in summary["counts"].items():
        print(f"  {what:<20} {number:>6}", file=out)
    print(f"\nclean errors ({len(summary['clean_errors'])} kinds):", file=out)
    for message, names in summary["clean_errors"].items():
        shown = ", ".join(names[:5]) + (f", ... ({len(names)})" if len(names) > 5 else "")
        print(f"  {len(names):>5}  {message}\n         {shown}", file=out)
    print(f"\ncrashes ({len(summary['crashes'])} kinds):", file=out)
    for group, found in summary["crashes"].items():
        names = found["styles"]
        shown = "; ".join(names[:4]) + (f"; ... ({len(names)})" if len(names) > 4 else "")
        print(f"  {len(names):>5}  {group}\n         {found['example_message'][:160]}", file=out)
        print(f"         {shown}", file=out)
    for what in ("timeouts", "died"):
        if summary[what]:
            print(f"\n{what}: {', '.join(summary[what])}", file=out)
    print("\nseconds per rendered style:", file=out)
    for stage, figures in summary["seconds_per_style"].items():
        if figures:
            print(
                f"  {stage:<13} median {figures['median']:.3f}  p90 {figures['p90']:.3f}"
                f"  max {figures['max']:.2f}  sum {figures['sum']:.0f}",
                file=out,
            )
    slowest = ", ".join(f"{name} {seconds:.1f}" for name, seconds in summary["slowest"])
    print(f"  slowest: {slowest}", file=out)
    print(f"\ntotal run time: {summary['elapsed_seconds']:.0f} s", file=out)


def main(argv: list[str] | None = None) -> int:
    """Run the check; exit status 1 if any style crashed, timed out or killed its worker."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", type=Path, help="write every style's record here (JSON)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per style")
    parser.add_argument("--styles", nargs="+", help="only these styles (by name)")
    parser.add_argument("--limit", type=int, help="only the first N independent styles")
    parser.add_argument(
        "--dependents",
        choices=("skip", "load", "render"),
        default="load",
        help="dependent styles: skip them, load them (default), or also render one per"
        " (parent, locale) pair not already rendered",
    )
    parser.add_argument(
        "--html-every", type=int, default=10, help="render every Nth style in html too"
    )
    args = parser.parse_args(argv)
    if not CORPUS_FILE.is_file():
        print(f"no corpus file at {CORPUS_FILE.relative_to(REPO.parent)}", file=sys.stderr)
        return 2

    chosen = choose_works(corpus_entries(CORPUS_FILE))
    print(f"{len(chosen)} works from {CORPUS_FILE.name}:")
    for why, entry in chosen:
        print(f"  {entry.key:<20} @{entry.bibtype:<14} {why}")
    keys = [entry.key for _, entry in chosen]

    independent, dependent = _style_kinds()
    if args.styles:
        wanted = set(args.styles)
        independent = [n for n in independent if n in wanted]
        dependent = [n for n in dependent if n in wanted]
        missing = wanted - set(independent) - set(dependent)
        if missing:
            print(f"unknown styles: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
    if args.limit is not None:
        independent = independent[: args.limit]
    if args.dependents == "skip":
        dependent = []
    print(f"\n{len(independent)} independent styles to render, {len(dependent)} dependent to load")

    records: list[dict[str, Any]] = []
    start = time.perf_counter()
    total = len(independent) + len(dependent)

    def progress(record: dict[str, Any]) -> None:
        records.append(record)
        if record["status"] != "ok":
            stage = next(
                (s for s in record["stages"].values() if s["status"] != "ok"), {"type": ""}
            )
            print(f"  {record['status']:<8} {record['name']}: {stage.get('message', '')[:150]}")
        if len(records) % 250 == 0 or len(records) == total:
            done = collections.Counter(r["status"] for r in records)
            print(
                f"[{len(records)}/{total} in {time.perf_counter() - start:.0f} s: "
                + ", ".join(f"{k} {v}" for k, v in sorted(done.items()))
                + "]",
                flush=True,
            )

    every = max(args.html_every, 1)
    tasks = [("render", name, i % every == 0) for i, name in enumerate(independent)]
    tasks += [("load", name, False) for name in dependent]
    pool = Pool(args.workers, args.timeout, str(CORPUS_FILE), keys)
    pool.run(tasks, progress)

    if args.dependents == "render":
        covered = {(r.get("parent"), r.get("locale")) for r in records if r["mode"] == "render"}
        extra: dict[tuple[Any, Any], str] = {}
        for record in records:
            pair = (record.get("parent"), record.get("locale"))
            if record["mode"] == "load" and record["status"] == "ok" and pair not in covered:
                extra.setdefault(pair, record["name"])
        print(f"\nrendering {len(extra)} dependent styles, one per new (parent, locale) pair")
        total += len(extra)
        pool.run([("render", name, False) for name in sorted(extra.values())], progress)

    summary = summarise(records, time.perf_counter() - start)
    print_summary(summary)
    if args.report is not None:
        report = {
            "works": [{"key": e.key, "bibtype": e.bibtype, "why": why} for why, e in chosen],
            "summary": summary,
            "styles": sorted(records, key=lambda r: (r["mode"], r["name"])),
        }
        args.report.write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf-8")
        print(f"details written to {args.report}")
    bad = {"crash", "timeout", "died"}
    return 1 if any(r["status"] in bad for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
