"""The test suite's own plumbing: oracles, hang guards, no wall-clock bounds.

tests/oracles.py turns a missing outside program or data folder into a skip,
or into a failure with ``CITEKIT_REQUIRE_ORACLES=1``; tests/hang_guard.py
kills work that never ends; and no test measures time against a bound.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import oracles
from hang_guard import finishes

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def absent(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An oracle that is never found, registered for one test."""
    oracle = oracles.Oracle(
        "absent", "the absent program", "install it with `get absent`", lambda: None
    )
    monkeypatch.setitem(oracles.ORACLES, "absent", oracle)
    oracles.find.cache_clear()
    yield "absent"
    oracles.find.cache_clear()


def test_a_missing_oracle_is_a_skip_saying_how_to_get_it(
    absent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(oracles.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="missing the absent program: install it"):
        oracles.require(absent)


@pytest.mark.parametrize("value", ["1", "yes"])
def test_a_missing_oracle_fails_when_oracles_are_required(
    absent: str, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(oracles.REQUIRE_ENV, value)
    with pytest.raises(pytest.fail.Exception, match=r"missing the absent program: .*get absent"):
        oracles.require(absent)
    with pytest.raises(pytest.fail.Exception, match="CITEKIT_REQUIRE_ORACLES is set"):
        oracles.check("absent")


def test_required_is_off_for_empty_and_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("", "0"):
        monkeypatch.setenv(oracles.REQUIRE_ENV, value)
        assert not oracles.required()
    monkeypatch.delenv(oracles.REQUIRE_ENV)
    assert not oracles.required()


def test_a_folder_oracle_says_where_it_looked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEKIT_CSL_SUITE", "/nowhere/humans")
    oracles.find.cache_clear()
    try:
        [message] = oracles.missing("csl-suite")
    finally:
        oracles.find.cache_clear()
    assert "(looked in /nowhere/humans)" in message
    assert "citation-style-language/test-suite" in message


def test_a_present_oracle_gives_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    oracle = oracles.Oracle("here", "a program", "nothing to do", lambda: "/bin/here")
    monkeypatch.setitem(oracles.ORACLES, "here", oracle)
    oracles.find.cache_clear()
    try:
        assert oracles.require("here") == ["/bin/here"]
        assert oracles.missing("here") == []
    finally:
        oracles.find.cache_clear()


def test_an_unknown_oracle_is_an_error() -> None:
    with pytest.raises(KeyError, match="unknown oracle"):
        oracles.needs("no-such-oracle")


def test_the_corpus_is_carried_in_the_repository() -> None:
    assert sorted(p.name for p in oracles.CORPUS.glob("*.bib")) == list(oracles.CORPUS_FILES)
    assert (oracles.CORPUS / "PROVENANCE.md").is_file()


def test_a_hang_guard_gives_the_result_and_the_exception() -> None:
    assert finishes(sum, [1, 2, 3]) == 6
    with pytest.raises(ValueError, match="invalid literal"):
        finishes(int, "x")


def test_a_hang_guard_stops_work_that_does_not_end() -> None:
    with pytest.raises(pytest.fail.Exception, match="sleep did not finish within 1 s"):
        finishes(time.sleep, 600, timeout=1)


def test_hypothesis_runs_without_a_deadline() -> None:
    assert settings().deadline is None


# Built from pieces, so that this file does not match itself.
_CLOCKS = re.compile(r"\btime\.(?:perf_counter|monotonic|time|process_time)" + r"(?:_ns)?\(")
_DEADLINE = re.compile(r"\bdeadline" + r"\s*=\s*(?!None\b)")


def test_no_test_measures_time_against_a_bound() -> None:
    """Speed is measured by benchmarks/, hangs by hang guards: no clock in the tests."""
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(TESTS.glob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _CLOCKS.search(line) or _DEADLINE.search(line)
    ]
    assert found == []
