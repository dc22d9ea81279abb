"""CSL conformance: the official processor test suite, per category, per engine.

Runs every fixture at the top level of the suite folder (``$CITEKIT_CSL_SUITE``,
or ``shared/csl-test-suite/humans`` beside the repository checkout) with each
available engine (citeproc-py alone, and citekit's own,
``citekit.conformance.CitekitEngine``) and prints passed/total per
category side by side, the totals, and the time each engine took.

    python benchmarks/csl_suite.py                      # the table
    python benchmarks/csl_suite.py --failures           # also list each failure and why
    python benchmarks/csl_suite.py --show NAME          # expected and actual output of one fixture
    python benchmarks/csl_suite.py --write-known-failures
        # rewrite tests/csl_known_failures.txt from the default engine's failures:
        # fixtures that pass now leave it; one that fails and is not listed is
        # refused (exit status 1), unless --allow-new-failures is given too
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from citekit.conformance import (
    Engine,
    Fixture,
    Outcome,
    available_engines,
    default_engine,
    default_suite_folder,
    format_known_failures,
    read_fixtures,
    read_known_failures,
    run_fixture,
    updated_known_failures,
)
from citekit.errors import CitekitError

REPO = Path(__file__).resolve().parents[1]
KNOWN_FAILURES = REPO / "tests" / "csl_known_failures.txt"


def run_all(fixtures: list[Fixture], engine: Engine) -> tuple[dict[str, Outcome], float]:
    """Every fixture's outcome with one engine, and the seconds it all took."""
    start = time.perf_counter()
    outcomes = {fixture.name: run_fixture(fixture, engine) for fixture in fixtures}
    return outcomes, time.perf_counter() - start


def table(fixtures: list[Fixture], results: dict[str, dict[str, Outcome]]) -> str:
    """Per-category passed/total for each engine, side by side, then totals."""
    totals = Counter(fixture.category for fixture in fixtures)
    passed = {
        engine: Counter(f.category for f in fixtures if outcomes[f.name].passed)
        for engine, outcomes in results.items()
    }
    width = max(len("category"), *(len(category) for category in totals))
    header = f"{'category':<{width}}" + "".join(f"  {name:>17}" for name in results)
    lines = [header, "-" * len(header)]

    def cell(engine: str, category: str | None) -> str:
        done = passed[engine][category] if category else sum(passed[engine].values())
        total = totals[category] if category else sum(totals.values())
        return f"  {done:>4}/{total:<4} {done / total:>7.1%}"

    for category in sorted(totals):
        lines.append(f"{category:<{width}}" + "".join(cell(e, category) for e in results))
    lines.append("-" * len(header))
    lines.append(f"{'total':<{width}}" + "".join(cell(e, None) for e in results))
    return "\n".join(lines)


def in_scope(results: dict[str, dict[str, Outcome]], unreadable: int) -> str:
    """Each engine's passed/total over the fixtures it supports (CSL 1.0.2 and CSL-JSON).

    A fixture is out of scope when the engine finds it needs what CSL 1.0.2
    and CSL-JSON do not define (``unsupported``: citeproc-js's options,
    abbreviation lists, CSL-M elements, ...); files that could not be read
    count as failed.
    """
    cells = []
    for name, outcomes in results.items():
        supported = [o for o in outcomes.values() if not o.unsupported]
        done = sum(o.passed for o in supported)
        total = len(supported) + unreadable
        share = done / total if total else 0.0
        cells.append(f"{name} {done}/{total} {share:.1%}")
    note = f" ({unreadable} files not read)" if unreadable else ""
    return "within CSL 1.0.2: " + "; ".join(cells) + note


def main() -> int:
    """Run the suite and print the table (or rewrite the known failures)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", type=Path, help="the fixtures folder (default: the shared one)")
    parser.add_argument("--failures", action="store_true", help="list every failure and its reason")
    parser.add_argument("--show", metavar="NAME", help="print one fixture's expected and actual")
    parser.add_argument(
        "--write-known-failures",
        action="store_true",
        help=f"rewrite {KNOWN_FAILURES.relative_to(REPO)} from the default engine's failures",
    )
    parser.add_argument(
        "--allow-new-failures",
        action="store_true",
        help="with --write-known-failures: also list fixtures that fail and were not listed",
    )
    args = parser.parse_args()
    folder = args.folder or default_suite_folder()
    if not folder.is_dir():
        print(f"no CSL test suite at {folder}: set CITEKIT_CSL_SUITE", file=sys.stderr)
        return 2
    fixtures, unreadable = read_fixtures(folder)
    for problem in unreadable:
        print(f"not read: {problem}", file=sys.stderr)
    if args.allow_new_failures and not args.write_known_failures:
        parser.error("--allow-new-failures goes with --write-known-failures")

    if args.write_known_failures:
        engine = default_engine()
        outcomes, seconds = run_all(fixtures, engine)
        failures = {name: o.reason or "" for name, o in outcomes.items() if not o.passed}
        _, known = read_known_failures(
            KNOWN_FAILURES.read_text(encoding="utf-8"), path=str(KNOWN_FAILURES)
        )
        try:
            failures = updated_known_failures(known, failures, allow_new=args.allow_new_failures)
        except CitekitError as error:
            print(f"{KNOWN_FAILURES.relative_to(REPO)} not written: {error}", file=sys.stderr)
            return 1
        KNOWN_FAILURES.write_text(format_known_failures(engine.name, failures), encoding="utf-8")
        added = sorted(set(failures) - set(known))
        passed = len(fixtures) - len(failures)
        print(
            f"{engine.name}: {passed}/{len(fixtures)} passed in "
            f"{seconds:.1f} s; wrote {len(failures)} known failures to "
            f"{KNOWN_FAILURES.relative_to(REPO)} ({len(set(known) - set(failures))} removed, "
            f"{len(added)} added{': ' + ', '.join(added) if added else ''}); "
            f"PASSING_FLOOR in tests/test_csl_suite.py may be raised to {passed}"
        )
        return 0

    engines = available_engines()
    if args.show:
        chosen = [f for f in fixtures if f.name == args.show]
        if not chosen:
            print(f"no fixture named {args.show}", file=sys.stderr)
            return 2
        for engine in engines:
            outcome = run_fixture(chosen[0], engine)
            print(f"== {engine.name}: {'passed' if outcome.passed else outcome.reason}")
            print(f"-- expected\n{outcome.expected}")
            print(f"-- actual\n{outcome.actual if outcome.error is None else outcome.error}")
        return 0

    results: dict[str, dict[str, Outcome]] = {}
    timings: dict[str, float] = {}
    for engine in engines:
        results[engine.name], timings[engine.name] = run_all(fixtures, engine)
    print(f"CSL processor test suite: {len(fixtures)} fixtures in {folder.name}/\n")
    print(table(fixtures, results))
    print(in_scope(results, len(unreadable)))
    print()
    for name, seconds in timings.items():
        reasons = Counter(o.reason for o in results[name].values() if not o.passed)
        why = ", ".join(f"{count} {reason}" for reason, count in reasons.most_common())
        print(f"{name}: {seconds:.2f} s ({why or 'no failures'})")
    if args.failures:
        for name, outcomes in results.items():
            print(f"\n{name} failures:")
            for fixture_name, outcome in outcomes.items():
                if not outcome.passed:
                    detail = f" ({outcome.error})" if outcome.error else ""
                    print(f"  {fixture_name}: {outcome.reason}{detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
