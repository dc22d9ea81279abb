"""Shared pytest plumbing.

CSL conformance: tests/test_csl_suite.py records, through the
``csl_suite_record`` fixture, whether each test-suite fixture passed with the
engine under test; at the end of the session a table of passed/failed per
category is printed, and how to update tests/csl_known_failures.txt when a
listed fixture now passes.

Golden files: ``--regen-golden`` makes the tests that compare output with
files under tests/golden/ write those files instead (through the
``regen_golden`` fixture); review the diff before committing it.

Outside programs and data folders: a test marked ``oracles`` (see
tests/oracles.py) is skipped where one it needs is missing, or fails with
``CITEKIT_REQUIRE_ORACLES=1``.

Hypothesis runs without deadlines (the ``citekit`` profile loaded here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import settings

import oracles

# No hypothesis deadline anywhere: on a shared machine a slow example is not a
# defect. A hang is caught by tests/hang_guard.py and by .ci/run's timeout.
settings.register_profile("citekit", deadline=None)
settings.load_profile("citekit")

_CSL_RESULTS = pytest.StashKey[dict[str, list[tuple[str, bool]]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--regen-golden``: rewrite golden files instead of comparing with them."""
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="write the golden files under tests/golden/ from the current output",
    )


def _oracles(item: pytest.Item) -> list[str]:
    return [name for mark in item.iter_markers("oracles") for name in mark.args]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip the tests whose oracles are missing, unless they are required."""
    if not oracles.required():
        oracles.check(*_oracles(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Fail the tests whose oracles are missing when they are required."""
    oracles.check(*_oracles(item))


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files (``--regen-golden``)."""
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture
def csl_suite_record(
    request: pytest.FixtureRequest,
) -> Callable[[str, str, bool], None]:
    """Record one CSL fixture's result: ``record(engine, category, passed)``."""
    results = request.config.stash.setdefault(_CSL_RESULTS, {})

    def record(engine: str, category: str, passed: bool) -> None:
        results.setdefault(engine, []).append((category, passed))

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the CSL conformance table: passed/failed per category, per engine."""
    results = terminalreporter.config.stash.get(_CSL_RESULTS, {})
    for engine, rows in results.items():
        passed = Counter(category for category, ok in rows if ok)
        failed = Counter(category for category, ok in rows if not ok)
        categories = sorted(passed.keys() | failed.keys())
        width = max(len("category"), *(len(c) for c in categories))
        terminalreporter.section(f"CSL test suite with {engine}")
        terminalreporter.write_line(f"{'category':<{width}}  passed  failed")
        for category in categories:
            terminalreporter.write_line(
                f"{category:<{width}}  {passed[category]:>6}  {failed[category]:>6}"
            )
        total_passed, total = sum(passed.values()), len(rows)
        terminalreporter.write_line(
            f"{'total':<{width}}  {total_passed:>6}  {total - total_passed:>6}"
            f"  ({total_passed / total:.1%} of {total} passed)"
        )
    fixed = [
        report.nodeid
        for report in terminalreporter.stats.get("failed", [])
        if "test_csl_suite.py::test_fixture[" in report.nodeid
        and str(report.longrepr).startswith("[XPASS(strict)]")
    ]
    if fixed:
        terminalreporter.write_line(
            f"{len(fixed)} CSL fixture(s) listed in tests/csl_known_failures.txt now pass: "
            "remove them from it, or regenerate it with "
            "`python benchmarks/csl_suite.py --write-known-failures`",
            yellow=True,
            bold=True,
        )
