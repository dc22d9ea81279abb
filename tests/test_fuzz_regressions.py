"""The fuzzer (benchmarks/fuzz.py) works, and what it found stays fixed.

- Every target accepts its seed corpus (the first seeds of each), so a long
  run starts from valid input.
- The fuzzer finds a crash and a hang of its ``selftest`` target, saves each
  with a report, and ``reproduce`` runs a saved input again.
- Inputs the fuzzer found that broke a target are run again here
  (:data:`FOUND`), through the target's own check.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from hang_guard import finishes

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "benchmarks" / "fuzz.py"


def load_fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("citekit_fuzz", FUZZ)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("citekit_fuzz", module)
    spec.loader.exec_module(module)
    return module


fuzz = load_fuzz()


@pytest.mark.parametrize("name", [n for n in fuzz.TARGETS if n != "selftest"])
def test_each_target_accepts_its_seeds(name: str) -> None:
    target = fuzz.TARGETS[name]
    assert target.available(), f"{name}: its module is missing"
    seeds = target.seeds()
    assert seeds
    for data in seeds[:: max(1, len(seeds) // 25)][:25]:
        outcome = fuzz.run_one(target, data)
        assert outcome.error is None, (data[:200], fuzz.signature(outcome.error))


def test_mutations_stay_bytes_within_the_limit() -> None:
    import random

    rng = random.Random(0)
    data = b"@article{k, title={x}}"
    for _ in range(2000):
        data = fuzz.mutate(rng, data, [b"@book{b,}"], [b"{", b"@"])
        assert isinstance(data, bytes) and len(data) <= fuzz.MAX_INPUT


def test_the_fuzzer_saves_a_crash_and_a_hang_and_reproduces_them(tmp_path: Path) -> None:
    crashes = tmp_path / "crashes"
    run = subprocess.run(
        [
            sys.executable,
            str(FUZZ),
            "selftest",
            "--seconds=12",
            "--timeout=3",
            f"--crash-dir={crashes}",
            "--seed=1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr  # crashes were found
    saved = sorted((crashes / "selftest").glob("*.bin"))
    kinds = {path.name.split("-")[0] for path in saved}
    assert kinds == {"crash", "hang"}, (saved, run.stdout, run.stderr)
    for path in saved:
        report = path.with_suffix(".txt").read_text()
        assert "reproduce: " in report and "signature: " in report
        data = path.read_bytes()
        assert (b"crash" in data) if path.name.startswith("crash") else (b"hang" in data)
    crash = next(p for p in saved if p.name.startswith("crash"))
    assert "ValueError: the selftest target crashes" in crash.with_suffix(".txt").read_text()
    again = subprocess.run(
        [sys.executable, str(FUZZ), "reproduce", str(crash)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1 and "ValueError" in again.stderr, again.stdout + again.stderr
    hang = next(p for p in saved if p.name.startswith("hang"))
    assert "check_selftest" in hang.with_suffix(".txt").read_text()  # the worker's stack


# --- what the fuzzer found -----------------------------------------------------------------------

#: Inputs the fuzzer found, each once a crash, now fixed: (target, input, what it was).
FOUND: list[tuple[str, bytes, str]] = [
    (
        "csljson",
        b'[{"id": "a", "title": "ok"},\n {"id": "b", "issued": {"date-parts": [['
        + b"2002" * 1200
        + b"]]}}]",
        "an integer of more than 4,300 digits: Python's int() raised ValueError, and the"
        " whole file was 'could not read' instead of invalid JSON at a line and column",
    ),
    (
        "cslyaml",
        b"- id: a\n  volume: " + b"9" * 5000 + b"\n",
        "the same in YAML (found by reading the JSON one's fix)",
    ),
    (
        "cslyaml",
        b"- id: a\n  volume: !!int 0x" + b"f" * 5000 + b"\n",
        "a hexadecimal integer Python reads but cannot write in decimal",
    ),
    (
        "style",
        b'<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">'
        b"<info><title>T</title><id>t</id><updated>2024-01-01T00:00:00+00:00</updated></info>"
        b'<citation><layout font-variant="small-c&amp;ps"><text variable="title"/></layout>'
        b"</citation></style>",
        "a formatting value CSL does not define was accepted; citeproc-py then failed with"
        " UnboundLocalError on every citation (now a StyleError when the style loads)",
    ),
    (
        "style",
        b'<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">'
        b"<info><title>T</title><id>t</id><updated>2024-01-01T00:00:00+00:00</updated></info>"
        b"<citation>\n   &gt;\n</citation></style>",
        "a citation without a layout was accepted; the engine then failed with AttributeError"
        " (now a StyleError when the style loads)",
    ),
    (
        "markdown",
        b"As @{braced @key}",
        "the '@' inside a braced key started a second, overlapping in-text citation",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "what"), FOUND, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(FOUND)]
)
def test_found_inputs_no_longer_break_their_target(name: str, data: bytes, what: str) -> None:
    assert fuzz.TARGETS[name].available(), f"{name}: its module is missing"
    crash = finishes(_crash, name, data, timeout=60)  # a hang guard, not a speed bound
    assert crash is None, (what, crash)


def _crash(name: str, data: bytes) -> str | None:
    """The signature of the crash of target ``name`` on ``data``, or None."""
    outcome = fuzz.run_one(fuzz.TARGETS[name], data)
    return None if outcome.error is None else fuzz.signature(outcome.error)


def test_an_at_sign_inside_a_braced_key_is_part_of_the_key() -> None:
    from citekit.manuscript import syntax

    marks = syntax.parse_markdown("As @{braced @key} and @{a @b} [p. 4], then @c.")
    assert [[c.key for c in m.cites] for m in marks] == [["braced @key"], ["a @b"], ["c"]]
    assert marks[1].cites[0].locator == "4"


def test_long_numbers_are_a_problem_with_a_line_and_column() -> None:
    import citekit

    json_text = b'[{"id": "a", "title": "ok"},\n {"id": "b", "volume": ' + b"9" * 5000 + b"}]"
    (problem,) = citekit.loads(json_text, "csljson").problems
    assert (problem.line, problem.column) == (2, 24)
    assert "a number of more than 4,300 digits" in problem.message
    yaml_text = b"- id: a\n  title: ok\n- id: b\n  volume: " + b"9" * 5000 + b"\n"
    (problem,) = citekit.loads(yaml_text, "cslyaml").problems
    assert (problem.line, problem.column) == (4, 11)
    assert "a number of more than 4,300 digits" in problem.message
