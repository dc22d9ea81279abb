"""CSL conformance: the official processor test suite, and the harness that runs it.

``test_fixture`` runs every fixture of ``shared/csl-test-suite/humans`` (beside
the checkout, or ``$CITEKIT_CSL_SUITE``) with
:func:`citekit.conformance.default_engine`. Without the suite, one test stands
for all of them (tests/oracles.py: skipped, or failing with
``CITEKIT_REQUIRE_ORACLES=1``).
Fixtures listed in tests/csl_known_failures.txt are expected to fail (strict
xfail: one that starts passing fails the run until it is removed from the
list); every other fixture must pass. Regenerate the list with
``python benchmarks/csl_suite.py --write-known-failures``.

The other tests check the harness itself on small fixtures written here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import citekit
from citekit import conformance as suite
from citekit.conformance import (
    KNOWN_FAILURES_COMMAND,
    CiteprocPyEngine,
    Cluster,
    Fixture,
    UnsupportedFixture,
    default_engine,
    default_suite_folder,
    document_states,
    format_known_failures,
    load_fixtures,
    normalize_output,
    parse_fixture,
    read_known_failures,
    render_citation_calls,
    run_fixture,
    thaw,
    updated_known_failures,
    wrap_bibliography,
)
from oracles import csl_suite_folder, needs

KNOWN_FAILURES_FILE = Path(__file__).resolve().parent / "csl_known_failures.txt"
#: Fixtures of the suite that must pass: a floor, raised as the engine gets better.
PASSING_FLOOR = 837
SUITE = csl_suite_folder()
FIXTURES = load_fixtures(SUITE) if SUITE.is_dir() else []
KNOWN_ENGINE, KNOWN = read_known_failures(
    KNOWN_FAILURES_FILE.read_text(encoding="utf-8"), path=str(KNOWN_FAILURES_FILE)
)
ENGINE = default_engine()
needs_suite = needs("csl-suite")


def _suite_params() -> Iterator[Any]:
    if not FIXTURES:
        yield pytest.param(
            None,
            id="suite-absent",
            marks=needs_suite,
        )
        return
    for fixture in FIXTURES:
        marks = []
        if fixture.name in KNOWN:
            reason = f"{KNOWN[fixture.name]} (listed in tests/{KNOWN_FAILURES_FILE.name})"
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        yield pytest.param(fixture, id=fixture.name, marks=marks)


@pytest.mark.parametrize("fixture", list(_suite_params()))
def test_fixture(fixture: Fixture, csl_suite_record: Callable[[str, str, bool], None]) -> None:
    outcome = run_fixture(fixture, ENGINE)
    csl_suite_record(ENGINE.name, fixture.category, outcome.passed)
    if not outcome.passed:
        got = outcome.error if outcome.actual is None else outcome.actual
        pytest.fail(
            f"{fixture.name} with {ENGINE.name}: {outcome.reason}\n"
            f"--- expected\n{outcome.expected}\n--- got\n{got}",
            pytrace=False,
        )


# The known-failures list ---------------------------------------------------


@needs_suite
def test_known_failures_are_for_the_default_engine() -> None:
    assert ENGINE.name == KNOWN_ENGINE, (
        f"tests/{KNOWN_FAILURES_FILE.name} lists {KNOWN_ENGINE}'s failures but the tests run "
        f"{ENGINE.name}: run {KNOWN_FAILURES_COMMAND}"
    )


@needs_suite
def test_known_failures_name_existing_fixtures() -> None:
    names = {fixture.name for fixture in FIXTURES}
    stale = sorted(set(KNOWN) - names)
    assert not stale, f"not in the suite: {stale}; run {KNOWN_FAILURES_COMMAND}"


@needs_suite
def test_the_passing_fixtures_do_not_fall_below_the_floor() -> None:
    """Every fixture not listed must pass (test_fixture), so the list's length pins the count."""
    passing = len(FIXTURES) - len(KNOWN)
    assert passing >= PASSING_FLOOR, (
        f"{passing} of {len(FIXTURES)} CSL fixtures are to pass, below the floor of "
        f"{PASSING_FLOOR}: tests/{KNOWN_FAILURES_FILE.name} lists {len(KNOWN)}. Fix the new "
        "failures instead of listing them (the floor is raised, never lowered: when more "
        "fixtures pass, set PASSING_FLOOR in tests/test_csl_suite.py to the new count)"
    )


def test_known_failures_may_only_shrink() -> None:
    known = {"a_One": "output differs", "b_Two": "exception: KeyError"}
    assert updated_known_failures(known, {"a_One": "output differs"}) == {"a_One": "output differs"}
    assert updated_known_failures(known, {}) == {}
    with pytest.raises(citekit.CitekitError, match=r"1 fixture\(s\) fail .*: c_Three;"):
        updated_known_failures(known, {"a_One": "output differs", "c_Three": "output differs"})
    allowed = updated_known_failures(known, {"c_Three": "output differs"}, allow_new=True)
    assert allowed == {"c_Three": "output differs"}


def test_known_failures_keep_their_explanations() -> None:
    known = {"a_One": "output differs: needs X", "b_Two": "output differs: needs Y"}
    failures = {"a_One": "output differs", "b_Two": "exception: KeyError"}
    # an explanation stays while the fixture fails the same way, and goes when it does not
    assert updated_known_failures(known, failures) == {
        "a_One": "output differs: needs X",
        "b_Two": "exception: KeyError",
    }


def test_known_failures_file_is_sorted_and_names_its_engine() -> None:
    assert KNOWN_ENGINE is not None, "no '# engine: NAME' line"
    assert list(KNOWN) == sorted(KNOWN), f"not sorted by name: run {KNOWN_FAILURES_COMMAND}"


def test_known_failures_round_trip_and_errors() -> None:
    text = format_known_failures("x", {"b_Two": "output differs", "a_One": "exception: KeyError"})
    assert read_known_failures(text) == (
        "x",
        {"a_One": "exception: KeyError", "b_Two": "output differs"},
    )
    assert text.index("a_One") < text.index("b_Two")
    with pytest.raises(citekit.ParseError, match=r"known.txt:2: .*fixture_Name # reason"):
        read_known_failures("# engine: x\nname_NoReason\n", path="known.txt")
    with pytest.raises(citekit.ParseError, match=r":3: fixture a_One is listed twice"):
        read_known_failures("\na_One # why\na_One # why\n")


# Reading fixtures ----------------------------------------------------------

STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><id/><title/><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout delimiter="; ">
    <text variable="title"/><text variable="locator" prefix=" p. "/>
  </layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <group delimiter=" ">
      <text value="&lt;&amp;&gt;"/><text variable="title" font-style="italic"/>
    </group>
  </layout></bibliography>
</style>"""

ITEMS = """[
  {"id": "ITEM-1", "type": "book", "title": "Zeta"},
  {"id": "ITEM-2", "type": "book", "title": "Alpha"}
]"""


def fixture_text(mode: str, result: str, **sections: str) -> str:
    """A fixture file: MODE, RESULT, CSL, INPUT and any other sections."""
    parts = {"MODE": mode, "RESULT": result, "CSL": STYLE, "INPUT": ITEMS, **sections}
    return "\n\n".join(
        f">>===== {name} =====>>\n{body}\n<<===== {name} =====<<" for name, body in parts.items()
    )


def make(mode: str, result: str, **sections: str) -> Fixture:
    return parse_fixture(fixture_text(mode, result, **sections), name="test_Made")


def test_parse_fixture_reads_every_section() -> None:
    text = fixture_text(
        "citation",
        "Zeta",
        **{"CITATION-ITEMS": '[[{"id": "ITEM-1"}]]', "VERSION": "1.0", "DESCRIPTION": " why "},
    )
    fixture = parse_fixture("\ufeff" + text.replace("\n", "\r\n"), name="affix_Test_One")
    assert fixture.name == "affix_Test_One"
    assert fixture.category == "affix"
    assert fixture.mode == "citation" and fixture.base_mode == "citation"
    assert fixture.result == "Zeta"
    assert fixture.csl == STYLE
    assert [item["title"] for item in fixture.items] == ["Zeta", "Alpha"]
    assert thaw(fixture.citation_items) == [[{"id": "ITEM-1"}]]
    assert fixture.citations is None and fixture.bibentries is None
    assert fixture.bibsection is None and fixture.abbreviations is None
    assert (fixture.version, fixture.description) == ("1.0", "why")
    assert fixture.registered_ids() == ["ITEM-1", "ITEM-2"]
    hash(fixture)  # deep-frozen: usable in sets


def test_submodes_and_registered_ids() -> None:
    fixture = make("bibliography-nosort", "", BIBENTRIES='[["ITEM-1", "ITEM-2"], ["ITEM-2"]]')
    assert fixture.base_mode == "bibliography"
    assert fixture.submodes == {"nosort"}
    assert fixture.registered_ids() == ["ITEM-2"]
    with_calls = make("citation", "", CITATIONS="[]")
    assert with_calls.registered_ids() == []


def test_items_without_id_are_known_by_position() -> None:
    fixture = make("citation", "", INPUT='[{"title": "A"}, {"id": 7, "title": "B"}]')
    assert fixture.item_ids() == ["1", "7"]
    assert fixture.input_json()[0] == {"id": 1, "title": "A"}
    assert "id" not in fixture.items[0]  # the fixture itself is untouched


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (">>== MODE ==>>\ncitation\n>>== RESULT ==>>\n", r"x.txt:3: section RESULT opens before"),
        ("<<== CSL ==<<\n", r"x.txt:1: section CSL closes here, expected a section to open"),
        (">>== MODE ==>>\ncitation\n<<== CSL ==<<\n", r"x.txt: required section RESULT"),
        (">>== MODE ==>>\ncitation\n", r"x.txt:1: section MODE is never closed"),
        (">>== MODE ==>>\ncitation\n<<== MODE ==<<\n", r"x.txt: required section RESULT"),
        (
            fixture_text("citation", "", INPUT='[\n{"id": 1,}\n]'),
            r"x.txt:\d+: section INPUT: invalid JSON",
        ),
        (fixture_text("cite", ""), r"x.txt:2: section MODE: expected 'citation'"),
        (fixture_text("citation", "", INPUT='{"id": 1}'), r"section INPUT: expected a JSON array"),
    ],
)
def test_malformed_fixtures_say_where(text: str, message: str) -> None:
    with pytest.raises(citekit.ParseError, match=message):
        parse_fixture(text, name="x_Bad", path="x.txt")


def test_bad_json_points_at_its_line() -> None:
    text = fixture_text("citation", "", INPUT='[\n{"id": 1,}\n]')
    start = text.splitlines().index(">>===== INPUT =====>>") + 1
    with pytest.raises(citekit.ParseError) as error:
        parse_fixture(text, name="x_Bad", path="x.txt")
    assert error.value.line == start + 2


def test_load_fixtures_reads_txt_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "b_Two.txt").write_text(fixture_text("citation", "B"), encoding="utf-8")
    (tmp_path / "a_One.txt").write_text(fixture_text("bibliography", "A"), encoding="utf-8")
    (tmp_path / "README.md").write_text("not a fixture", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c_Three.txt").write_text("not read", encoding="utf-8")
    fixtures = load_fixtures(tmp_path)
    assert [(f.name, f.category, f.result) for f in fixtures] == [
        ("a_One", "a", "A"),
        ("b_Two", "b", "B"),
    ]
    assert fixtures[0].path == str(tmp_path / "a_One.txt")
    with pytest.raises(FileNotFoundError, match="CITEKIT_CSL_SUITE"):
        load_fixtures(tmp_path / "missing")


def test_suite_folder_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CITEKIT_CSL_SUITE", str(tmp_path))
    assert default_suite_folder() == tmp_path
    monkeypatch.delenv("CITEKIT_CSL_SUITE")
    assert default_suite_folder().parts[-3:] == ("shared", "csl-test-suite", "humans")


def test_suite_folder_is_found_from_the_checkout_when_installed_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A non-editable install: the module is not in the checkout, the command runs in it."""
    monkeypatch.delenv("CITEKIT_CSL_SUITE", raising=False)
    installed = tmp_path / "venv" / "lib" / "python3" / "site-packages" / "citekit" / "csl"
    monkeypatch.setattr(suite, "__file__", str(installed / "suite.py"))
    checkout = tmp_path / "work" / "citekit"
    (checkout / "tests").mkdir(parents=True)
    humans = tmp_path / "work" / "shared" / "csl-test-suite" / "humans"
    monkeypatch.chdir(checkout / "tests")
    assert not default_suite_folder().is_dir()  # nothing there yet
    humans.mkdir(parents=True)
    assert default_suite_folder() == humans
    # beside the installed module comes first (a virtual environment inside the checkout)
    beside = tmp_path / "venv" / "shared" / "csl-test-suite" / "humans"
    beside.mkdir(parents=True)
    assert default_suite_folder() == beside


def test_normalize_output_only_touches_line_ends_and_outer_space() -> None:
    assert normalize_output("\n a\r\nb\rc  \n") == "a\nb\nc"
    assert normalize_output("a  b &amp; <i>c</i>") == "a  b &amp; <i>c</i>"
    assert normalize_output("&#38;") != normalize_output("&amp;")


# Citation documents --------------------------------------------------------

CALLS = """[
  [{"citationID": "C1", "citationItems": [{"id": "ITEM-1"}], "properties": {"noteIndex": 1}},
   [], []],
  [{"citationID": "C2", "citationItems": [{"id": "ITEM-2"}], "properties": {"noteIndex": 2}},
   [["C1", 1]], []],
  [{"citationID": "C3", "citationItems": [{"id": "ITEM-1", "locator": "5"}],
    "properties": {"noteIndex": 2}},
   [["C1", 1]], [["C2", 3]]]
]"""


def test_document_states_insert_renumber_replace_and_drop() -> None:
    fixture = make("citation", "", CITATIONS=CALLS)
    states = document_states(fixture)
    shape = [[(c.citation_id, c.note_index) for c in state] for state in states]
    assert shape == [
        [("C1", 1)],
        [("C1", 1), ("C2", 2)],
        [("C1", 1), ("C3", 2), ("C2", 3)],
    ]
    assert thaw(states[-1][1].items) == [{"id": "ITEM-1", "locator": "5"}]
    replaced = make(
        "citation",
        "",
        CITATIONS='[[{"citationID": "C1", "citationItems": [{"id": "ITEM-1"}]}, [], []],'
        '[{"citationID": "C2", "citationItems": [{"id": "ITEM-2"}]}, [["C1", 0]], []],'
        '[{"citationID": "C1", "citationItems": [{"id": "ITEM-2"}]}, [], []]]',
    )
    last = document_states(replaced)[-1]
    assert [(c.citation_id, thaw(c.items)) for c in last] == [("C1", [{"id": "ITEM-2"}])]
    unknown = make("citation", "", CITATIONS='[[{"citationItems": []}, [["C9", 1]], []]]')
    with pytest.raises(ValueError, match="unknown citation 'C9'"):
        document_states(unknown)


def test_render_citation_calls_marks_new_and_changed_citations() -> None:
    fixture = make("citation", "", CITATIONS=CALLS)
    renders: list[list[str]] = []

    def render(document: Sequence[Cluster]) -> list[str]:
        ids = [c.citation_id for c in document]
        # C2 reads "later" once C3 precedes it, as an ibid. would change.
        texts = [f"{i}{'-later' if i == 'C2' and 'C3' in ids else ''}" for i in ids]
        renders.append(texts)
        return texts

    assert render_citation_calls(fixture, render) == "..[0] C1\n>>[1] C3\n>>[2] C2-later"
    assert renders == [["C1", "C3", "C2-later"], ["C1", "C2"]]
    with pytest.raises(ValueError, match="no CITATIONS"):
        render_citation_calls(make("citation", ""), render)


def test_wrap_bibliography_matches_citeproc_js_layout() -> None:
    assert wrap_bibliography(["A", "B"]) == (
        '<div class="csl-bib-body">\n'
        '  <div class="csl-entry">A</div>\n'
        '  <div class="csl-entry">B</div>\n'
        "</div>"
    )
    assert wrap_bibliography([]) == '<div class="csl-bib-body">\n</div>'


# Running fixtures ----------------------------------------------------------


class _Engine:
    name = "fake"

    def __init__(self, output: Any = "", error: Exception | None = None) -> None:
        self.output, self.error = output, error
        self.calls: list[str] = []

    def _answer(self, kind: str) -> Any:
        self.calls.append(kind)
        if self.error is not None:
            raise self.error
        return self.output

    def render_citations(self, fixture: Fixture) -> str:
        return self._answer("citations")  # type: ignore[no-any-return]

    def render_bibliography(self, fixture: Fixture) -> str:
        return self._answer("bibliography")  # type: ignore[no-any-return]


def test_run_fixture_dispatches_on_mode_and_compares() -> None:
    engine = _Engine("X\r\n")
    assert isinstance(engine, suite.Engine)
    outcome = run_fixture(make("citation", "X"), engine)
    assert outcome.passed and outcome.reason is None and outcome.actual == "X"
    outcome = run_fixture(make("bibliography-nosort", "Y"), engine)
    assert not outcome.passed and outcome.reason == "output differs"
    assert (outcome.expected, outcome.actual) == ("Y", "X")
    assert engine.calls == ["citations", "bibliography"]


@pytest.mark.parametrize(
    ("engine", "reason", "error"),
    [
        (_Engine(error=KeyError("k")), "exception: KeyError", "KeyError: 'k'"),
        (_Engine(error=RecursionError("deep")), "exception: RecursionError", None),
        (_Engine(output=None), "exception: TypeError", "TypeError: the engine returned NoneType"),
        (_Engine(error=UnsupportedFixture("BIBSECTION")), "unsupported: BIBSECTION", None),
    ],
)
def test_run_fixture_turns_exceptions_into_failures(
    engine: _Engine, reason: str, error: str | None
) -> None:
    outcome = run_fixture(make("citation", "X"), engine)
    assert not outcome.passed
    assert outcome.actual is None
    assert outcome.reason == reason
    if error is not None:
        assert outcome.error is not None and outcome.error.startswith(error)


def test_citeproc_py_engine_citations_and_bibliography() -> None:
    engine = CiteprocPyEngine()
    # No CITATION-ITEMS: one cluster of every item, in registry (bibliography) order.
    fixture = make("citation", "Alpha; Zeta")
    assert run_fixture(fixture, engine).passed
    clusters = make(
        "citation",
        "Zeta p. 5\nAlpha",
        **{"CITATION-ITEMS": '[[{"id": "ITEM-1", "locator": "5"}], [{"id": "ITEM-2"}]]'},
    )
    assert run_fixture(clusters, engine).actual == normalize_output(clusters.result)
    bibliography = make(
        "bibliography",
        '<div class="csl-bib-body">\n  <div class="csl-entry">&#60;&#38;&#62; <i>Alpha</i></div>\n'
        '  <div class="csl-entry">&#60;&#38;&#62; <i>Zeta</i></div>\n</div>',
    )
    assert run_fixture(bibliography, engine).passed
    actual = run_fixture(make("bibliography-nosort", ""), engine).actual or ""
    assert actual.index("Zeta") < actual.index("Alpha")  # registration order, unsorted


def test_citeproc_py_engine_leaves_variables_unescaped() -> None:
    # citeproc-py escapes terms and text values but not variables: a real
    # difference from citeproc-js that the comparison must not hide.
    fixture = make("citation", "A &#38; B", INPUT='[{"id": "1", "type": "book", "title": "A & B"}]')
    outcome = run_fixture(fixture, CiteprocPyEngine())
    assert (outcome.passed, outcome.actual) == (False, "A & B")


def test_citeproc_py_engine_citation_calls_and_cited_bibliography() -> None:
    engine = CiteprocPyEngine()
    expected = "..[0] Zeta\n>>[1] Zeta p. 5\n..[2] Alpha"
    calls = make("citation", expected, CITATIONS=CALLS)
    assert run_fixture(calls, engine).passed
    cited_only = make(
        "bibliography",
        wrap_bibliography(["&#60;&#38;&#62; <i>Zeta</i>"]),
        CITATIONS=CALLS.replace('"ITEM-2"', '"ITEM-1"'),
    )
    assert run_fixture(cited_only, engine).passed


@pytest.mark.parametrize(
    ("mode", "sections", "reason"),
    [
        ("bibliography-header", {}, "unsupported: mode bibliography-header"),
        ("bibliography", {"BIBSECTION": '{"select": []}'}, "unsupported: BIBSECTION"),
        ("citation", {"ABBREVIATIONS": '{"default": {}}'}, "unsupported: ABBREVIATIONS"),
        ("citation", {"CSL": "<style"}, "exception: XMLSyntaxError"),
    ],
)
def test_citeproc_py_engine_failures(mode: str, sections: dict[str, str], reason: str) -> None:
    outcome = run_fixture(make(mode, "", **sections), CiteprocPyEngine())
    assert outcome.reason == reason


def test_default_engine_is_citekits_own() -> None:
    assert isinstance(default_engine(), suite.CitekitEngine)
    assert default_engine().name == "citekit"
    assert [e.name for e in suite.available_engines()] == ["citeproc-py", "citekit"]


def test_suite_module_is_import_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, citekit.conformance; "
        "print(sorted(m for m in ('citeproc', 'lxml', 'bibtexparser', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# Other processors' fixtures ---------------------------------------------------


def test_citations_given_as_the_documents_citations_in_order() -> None:
    # jgm/citeproc's form: citation objects, or bare lists of cites, in
    # document order; a later citation with the same id replaces the earlier;
    # RESULT's ">>[0]"/"..[1]" marks are not compared.
    citations = """[
      {"citationID": "C1", "citationItems": [{"id": "ITEM-1"}], "properties": {"noteIndex": 1}},
      [{"id": "ITEM-2", "locator": "4"}],
      {"citationID": "C1", "citationItems": [{"id": "ITEM-2"}], "properties": {"noteIndex": 2}}
    ]"""
    fixture = make("citation", "..[0] Alpha p. 4\n>>[1] Alpha", CITATIONS=citations)
    assert fixture.citations_document
    [document] = document_states(fixture)
    assert [[dict(item) for item in c.items] for c in document] == [
        [{"id": "ITEM-2", "locator": "4"}],
        [{"id": "ITEM-2"}],
    ]
    outcome = run_fixture(fixture, default_engine())
    assert outcome.passed, outcome
    calls = make("citation", "x", CITATIONS='[[{"citationID": "C1"}, [], []]]')
    assert not calls.citations_document


def test_a_section_closed_under_another_name_still_ends() -> None:
    text = fixture_text("citation", "Zeta").replace(
        "<<===== RESULT =====<<", "<<===== CITATION-ITEMS =====<<"
    )
    assert parse_fixture(text, name="x_Slip").result == "Zeta"


def test_read_fixtures_keeps_the_readable_and_names_the_others(tmp_path: Path) -> None:
    (tmp_path / "a_Good.txt").write_text(fixture_text("citation", "Zeta"), encoding="utf-8")
    (tmp_path / "b_Bad.txt").write_text(">>== MODE ==>>\ncitation\n", encoding="utf-8")
    fixtures, problems = suite.read_fixtures(tmp_path)
    assert [f.name for f in fixtures] == ["a_Good"]
    assert len(problems) == 1 and "b_Bad.txt:1: section MODE is never closed" in str(problems[0])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (('<text variable="title"/>', '<institution and="text"/>'), "CSL-M element <institution>"),
        (("<group ", '<group require="comma-safe" '), "CSL-M attribute require= on <group>"),
        (("<layout>", '<layout locale="de">'), "CSL-M attribute locale= on <layout>"),
        (
            ("<citation>", '<locale><style-options name-never-short="ja"/></locale><citation>'),
            "CSL-M attribute name-never-short= on <style-options>",
        ),
    ],
)
def test_fixtures_beyond_csl_102_are_unsupported_not_failed(
    change: tuple[str, str], reason: str
) -> None:
    fixture = make("bibliography", "x", CSL=STYLE.replace(*change))
    outcome = run_fixture(fixture, default_engine())
    assert outcome.unsupported and reason in (outcome.error or "")
    assert suite.beyond_csl(STYLE) is None


@pytest.mark.parametrize(
    ("sections", "reason"),
    [
        ({"OPTIONS": '{"wrap_url_and_doi": true}'}, "OPTIONS"),
        ({"LANGPARAMS": "{}"}, "LANGPARAMS"),
        (
            {"CITATIONS": '[{"citationItems": [{"id": "ITEM-1"}], "prefix": "e.g.,"}]'},
            "citation prefix",
        ),
    ],
)
def test_citeproc_js_options_and_jgm_extensions_are_unsupported(
    sections: dict[str, str], reason: str
) -> None:
    outcome = run_fixture(make("citation", "x", **sections), default_engine())
    assert outcome.unsupported and reason in (outcome.error or "")


def test_an_empty_citations_section_is_a_document_without_citations() -> None:
    outcome = run_fixture(make("citation", "", CITATIONS="[]"), default_engine())
    assert outcome.passed and outcome.actual == ""
