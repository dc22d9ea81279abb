"""Locators, excerpts, the Library, problems, FrozenMap and the CSL-JSON markup helpers."""

from __future__ import annotations

import pickle

import attrs
import pytest

from citekit import (
    CitekitError,
    DuplicateKeyError,
    Excerpt,
    Library,
    Locator,
    LocatorLabel,
    Person,
    Problem,
    QuotedIn,
    UnknownKeyError,
    Work,
)
from citekit.model import FrozenMap
from citekit.model._frozen import frozen_map
from citekit.model.excerpts import LABEL_WORDS
from citekit.model.markup import escape, strip_markup

# --- locators ----------------------------------------------------------------------

LOCATORS: list[tuple[str, str, LocatorLabel]] = [
    ("p. 33", "33", LocatorLabel.PAGE),
    ("pp. 1-3", "1-3", LocatorLabel.PAGE),
    ("pp 1–3", "1–3", LocatorLabel.PAGE),
    ("P. 33", "33", LocatorLabel.PAGE),
    ("p.33", "33", LocatorLabel.PAGE),
    ("p.xi", "xi", LocatorLabel.PAGE),
    ("Fig.3a", "3a", LocatorLabel.FIGURE),
    ("page 33", "33", LocatorLabel.PAGE),
    ("33", "33", LocatorLabel.PAGE),
    ("  33  ", "33", LocatorLabel.PAGE),
    ("xi-xx", "xi-xx", LocatorLabel.PAGE),
    ("xi", "xi", LocatorLabel.PAGE),
    ("33 ff.", "33 ff.", LocatorLabel.PAGE),
    ("chap. 2", "2", LocatorLabel.CHAPTER),
    ("ch. 2", "2", LocatorLabel.CHAPTER),
    ("Chapter 12", "12", LocatorLabel.CHAPTER),
    ("§ 4", "4", LocatorLabel.SECTION),
    ("§4", "4", LocatorLabel.SECTION),
    ("§§ 4-6", "4-6", LocatorLabel.SECTION),
    ("sec. 3.2", "3.2", LocatorLabel.SECTION),
    ("¶ 2", "2", LocatorLabel.PARAGRAPH),
    ("para. 2", "2", LocatorLabel.PARAGRAPH),
    ("vol. 3", "3", LocatorLabel.VOLUME),
    ("vols. 3-4", "3-4", LocatorLabel.VOLUME),
    ("fig. 2", "2", LocatorLabel.FIGURE),
    ("n. 7", "7", LocatorLabel.NOTE),
    ("nn. 7-9", "7-9", LocatorLabel.NOTE),
    ("s.v. word", "word", LocatorLabel.SUB_VERBO),
    ("s. v. Zeitgeist", "Zeitgeist", LocatorLabel.SUB_VERBO),
    ("sub verbo word", "word", LocatorLabel.SUB_VERBO),
    ("l. 5", "5", LocatorLabel.LINE),
    ("ll. 5-9", "5-9", LocatorLabel.LINE),
    ("v. 12", "12", LocatorLabel.VERSE),
    ("col. 4", "4", LocatorLabel.COLUMN),
    ("no. 5", "5", LocatorLabel.ISSUE),
    ("fol. 12r", "12r", LocatorLabel.FOLIO),
    ("bk. 2", "2", LocatorLabel.BOOK),
    ("op. 27", "27", LocatorLabel.OPUS),
    ("table 4", "4", LocatorLabel.TABLE),
    ("timestamp 01:02:03", "01:02:03", LocatorLabel.TIMESTAMP),
    ("article-locator 3", "3", LocatorLabel.ARTICLE),
    ("title-locator X", "X", LocatorLabel.TITLE),
    # a label word alone is a value (a page named "line")
    ("line", "line", LocatorLabel.PAGE),
    ("p.", "p.", LocatorLabel.PAGE),
    # a word that only starts like a label is not one
    ("px 3", "px 3", LocatorLabel.PAGE),
    ("ppx", "ppx", LocatorLabel.PAGE),
    ("pages", "pages", LocatorLabel.PAGE),
]


@pytest.mark.parametrize(("text", "value", "label"), LOCATORS, ids=[r[0] for r in LOCATORS])
def test_locator_parse(text: str, value: str, label: LocatorLabel) -> None:
    locator = Locator.parse(text)
    assert locator == Locator(value, label)
    assert Locator.parse(str(locator)) == locator


def test_locator_str_uses_csl_names() -> None:
    assert str(Locator("33")) == "page 33"
    assert str(Locator("word", LocatorLabel.SUB_VERBO)) == "sub-verbo word"


def test_every_label_reads_back_from_its_csl_name() -> None:
    for label in LocatorLabel:
        assert LABEL_WORDS[label.value] is label
        assert Locator.parse(f"{label.value} 7") == Locator("7", label)


def test_label_words_are_read_only() -> None:
    with pytest.raises(TypeError):
        LABEL_WORDS["pag."] = LocatorLabel.PAGE  # type: ignore[index]


def test_locator_construction() -> None:
    assert Locator(33) == Locator("33")
    assert Locator(" 33 ") == Locator("33")
    assert Locator("2", "chap.") == Locator("2", LocatorLabel.CHAPTER)
    assert Locator("2", "Chapter") == Locator("2", LocatorLabel.CHAPTER)
    with pytest.raises(ValueError, match="unknown locator label 'chapitre'"):
        Locator("2", "chapitre")
    with pytest.raises(ValueError, match="needs a value"):
        Locator("  ")
    with pytest.raises(TypeError):
        Locator(None)
    with pytest.raises(ValueError, match="empty locator"):
        Locator.parse("   ")


# --- excerpts -----------------------------------------------------------------------


def test_excerpt_basics() -> None:
    excerpt = Excerpt(
        id="serge-heir",
        text="First paragraph.\n\n  Second paragraph,\nsame paragraph.\n\n\n",
        work_key="serge1944",
        locator="p. 33",
        speaker=Person(family="Trotsky", given="Leon"),
        quoted_in=QuotedIn("deutscher1959", "pp. 1-3"),
        tags="revolution, ussr , revolution,",
        language=" en ",
        note="",
    )
    assert excerpt.locator == Locator("33")
    assert excerpt.quoted_in == QuotedIn("deutscher1959", Locator("1-3"))
    assert excerpt.paragraphs == ("First paragraph.", "Second paragraph,\nsame paragraph.")
    assert excerpt.tags == ("revolution", "ussr")
    assert excerpt.language == "en"
    assert excerpt.note is None
    assert attrs.evolve(excerpt, tags=["a", "b", "a"]).tags == ("a", "b")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"id": ""}, ValueError, "excerpt id"),
        ({"id": "two words"}, ValueError, "excerpt id"),
        ({"id": 3}, ValueError, "excerpt id"),
        ({"text": "  \n "}, ValueError, "has no text"),
        ({"text": None}, TypeError, "text must be a string"),
        ({"work_key": ""}, ValueError, "work_key must be a non-empty citation key"),
        ({"work_key": " x"}, ValueError, "no surrounding spaces"),
        ({"speaker": "Trotsky"}, TypeError, "speaker"),
        ({"quoted_in": "deutscher1959"}, TypeError, "quoted_in must be a QuotedIn"),
        ({"quoted_in": QuotedIn("serge1944")}, ValueError, "its own work"),
        ({"locator": 3.5}, TypeError, "a locator is a Locator or a string"),
        ({"locator": ""}, ValueError, "empty locator"),
        ({"language": 3}, TypeError, "expected a string"),
    ],
)
def test_excerpt_validation(kwargs: dict[str, object], error: type, message: str) -> None:
    base: dict[str, object] = {"id": "e1", "text": "Words.", "work_key": "serge1944"}
    with pytest.raises(error, match=message):
        Excerpt(**(base | kwargs))  # type: ignore[arg-type]


def test_quoted_in_validation() -> None:
    assert QuotedIn("x", 33).locator == Locator("33")
    with pytest.raises(ValueError, match="work_key"):
        QuotedIn("")
    with pytest.raises(ValueError, match="work_key"):
        QuotedIn(None)  # type: ignore[arg-type]


# --- the library --------------------------------------------------------------------------


def work(key: str, **fields: object) -> Work:
    return Work(key=key, type="book", **fields)  # type: ignore[arg-type]


@pytest.fixture
def lib() -> Library:
    return Library([work("serge1944", title="Lenin's Heir"), work("a"), work("b")])


def test_library_mapping_protocol(lib: Library) -> None:
    assert len(lib) == 3
    assert list(lib) == ["serge1944", "a", "b"]
    assert "a" in lib and "zzz" not in lib
    assert 3 not in lib  # type: ignore[comparison-overlap]
    assert lib["serge1944"].title == "Lenin's Heir"
    assert lib.get("zzz") is None
    assert lib.get("zzz", "default") == "default"
    assert lib.get("a") == work("a")
    assert [w.key for w in lib.values()] == ["serge1944", "a", "b"]
    assert dict(lib.items())["b"] == work("b")
    assert lib.works() == [lib["serge1944"], lib["a"], lib["b"]]
    assert lib == {"serge1944": lib["serge1944"], "a": work("a"), "b": work("b")}


def test_library_setitem_keeps_order(lib: Library) -> None:
    lib["a"] = work("a", title="New")
    assert list(lib) == ["serge1944", "a", "b"]
    assert lib["a"].title == "New"
    lib["c"] = work("c")
    assert list(lib) == ["serge1944", "a", "b", "c"]
    lib["serge1944"] = attrs.evolve(lib["serge1944"], title="Lenin's Heir?")
    assert lib["serge1944"].title == "Lenin's Heir?"


def test_library_key_mismatch_and_type(lib: Library) -> None:
    with pytest.raises(ValueError, match="key 'a' does not match the work's key 'b'"):
        lib["a"] = work("b")
    with pytest.raises(TypeError, match="a Library holds Works"):
        lib["a"] = {"key": "a"}  # type: ignore[assignment]


def test_library_add_duplicate(lib: Library) -> None:
    lib.add(work("c"))
    with pytest.raises(DuplicateKeyError) as caught:
        lib.add(work("a", title="Other"))
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, CitekitError)
    assert caught.value.key == "a"
    assert "'a'" in str(caught.value)
    assert lib["a"].title is None  # unchanged
    with pytest.raises(DuplicateKeyError):
        Library([work("x"), work("x")])


def test_library_replace_and_remove(lib: Library) -> None:
    old = lib.replace(work("a", title="Replaced"))
    assert old == work("a")
    assert lib["a"].title == "Replaced"
    with pytest.raises(UnknownKeyError):
        lib.replace(work("zzz"))
    assert lib.remove("a").title == "Replaced"
    assert list(lib) == ["serge1944", "b"]
    with pytest.raises(UnknownKeyError):
        lib.remove("a")
    del lib["b"]
    assert list(lib) == ["serge1944"]
    with pytest.raises(UnknownKeyError):
        del lib["b"]
    assert lib.pop("serge1944").key == "serge1944"
    assert lib.pop("serge1944", None) is None
    with pytest.raises(UnknownKeyError):
        lib.pop("serge1944")
    assert len(lib) == 0


def test_unknown_key_suggests(lib: Library) -> None:
    with pytest.raises(UnknownKeyError) as caught:
        lib["serge1945"]
    error = caught.value
    assert isinstance(error, KeyError) and isinstance(error, CitekitError)
    assert error.key == "serge1945"
    assert error.suggestion == "serge1944"
    assert str(error) == "unknown citation key 'serge1945' (did you mean 'serge1944'?)"
    assert lib.suggest("SERGE1944") == "serge1944"
    with pytest.raises(UnknownKeyError) as caught:
        lib["completely-different"]
    assert caught.value.suggestion is None
    assert "did you mean" not in str(caught.value)


def test_library_excerpts(lib: Library) -> None:
    one = Excerpt(id="e1", text="Words.", work_key="serge1944", locator="p. 3")
    two = Excerpt(id="e2", text="More.", work_key="a", quoted_in=QuotedIn("serge1944"))
    three = Excerpt(id="e3", text="Again.", work_key="serge1944")
    lost = Excerpt(id="e4", text="Lost.", work_key="nowhere")
    for excerpt in (one, two, three, lost):
        lib.add_excerpt(excerpt)
    assert list(lib.excerpts) == ["e1", "e2", "e3", "e4"]
    assert lib.excerpts_of("serge1944") == [one, three]
    assert lib.dangling_excerpts() == [lost]
    lib.remove("serge1944")
    assert lib.dangling_excerpts() == [one, two, three, lost]
    with pytest.raises(DuplicateKeyError):
        lib.add_excerpt(Excerpt(id="e1", text="Other.", work_key="a"))
    with pytest.raises(TypeError, match="expected an Excerpt"):
        lib.add_excerpt("e5")  # type: ignore[arg-type]
    assert Library(excerpts=[one]).excerpts == {"e1": one}


def test_library_problems_and_repr() -> None:
    error = Problem(message="bad", line=3)
    warning = Problem(message="odd", severity="warning")
    lib = Library([work("a")], problems=[error, warning], path="refs.bib")
    assert lib.errors == [error]
    assert lib.warnings == [warning]
    assert repr(lib) == "<Library from 'refs.bib': 1 works, 0 excerpts, 2 problems>"
    assert lib.duplicates == [] and lib.origin is None


# --- problems ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem(
                path="refs.bib",
                line=14,
                column=3,
                key="x",
                field="year",
                message="expected a number, got 'MCMXLIV'",
            ),
            "refs.bib:14:3: entry 'x': field 'year': expected a number, got 'MCMXLIV'",
        ),
        (Problem(path="refs.bib", line=14, message="m"), "refs.bib:14: m"),
        (Problem(path="refs.bib", message="m"), "refs.bib: m"),
        (Problem(path="refs.bib", column=3, message="m"), "refs.bib: m"),
        (Problem(message="m"), "<input>: m"),
        (Problem(message="m", key="k"), "<input>: entry 'k': m"),
        (
            Problem(path="a.json", line=2, message="m", field="issued", severity="warning"),
            "a.json:2: warning: field 'issued': m",
        ),
    ],
)
def test_problem_str(problem: Problem, text: str) -> None:
    assert str(problem) == text


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"message": ""}, ValueError),
        ({"message": "m", "severity": "fatal"}, ValueError),
        ({"message": "m", "line": 0}, ValueError),
        ({"message": "m", "line": "3"}, ValueError),
        ({"message": "m", "column": -1}, ValueError),
        ({"message": "m", "path": 3}, TypeError),
    ],
)
def test_problem_validation(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        Problem(**kwargs)  # type: ignore[arg-type]


# --- FrozenMap ----------------------------------------------------------------------------------


def test_frozen_map() -> None:
    a = FrozenMap({"x": 1, "y": 2})
    b = FrozenMap([("y", 2), ("x", 1)])
    assert a == b and hash(a) == hash(b)  # equal maps hash alike, whatever their order
    assert list(a) == ["x", "y"] and list(b) == ["y", "x"]
    assert a == {"x": 1, "y": 2} and a != {"x": 1}
    assert a.set("z", 3) == {"x": 1, "y": 2, "z": 3} and a == {"x": 1, "y": 2}
    assert a.remove("x") == {"y": 2} and a.remove("nope") == a
    assert pickle.loads(pickle.dumps(a)) == a
    assert repr(a) == "FrozenMap({'x': 1, 'y': 2})"
    with pytest.raises(TypeError, match="unhashable"):
        hash(FrozenMap({"x": [1]}))
    with pytest.raises(TypeError):
        a["z"] = 3  # type: ignore[index]


def test_frozen_map_converter() -> None:
    assert frozen_map(None) == FrozenMap()
    assert frozen_map({"a": 1}) == {"a": 1}
    assert frozen_map([("a", 1)]) == {"a": 1}
    same = FrozenMap({"a": 1})
    assert frozen_map(same) is same
    for bad in ("ab", 3, [1, 2]):
        with pytest.raises(TypeError, match="expected a mapping"):
            frozen_map(bad)


# --- markup ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("<i>Nature</i>", "Nature"),
        ("H<sub>2</sub>O and E = mc<sup>2</sup>", "H2O and E = mc2"),
        ('<span class="nocase">iPhone</span> apps', "iPhone apps"),
        ('<span style="font-variant:small-caps;">Bell</span>', "Bell"),
        ("<b>AT&amp;T</b> &lt;3", "AT&T <3"),
        ("a < b", "a < b"),
    ],
)
def test_strip_markup(marked: str, plain: str) -> None:
    assert strip_markup(marked) == plain


@pytest.mark.parametrize("plain", ["AT&T", "a < b > c", "&amp; stays", "<i>not a tag</i>", ""])
def test_escape_round_trip(plain: str) -> None:
    assert strip_markup(escape(plain)) == plain
    assert "<" not in escape(plain)
