"""Dates: EDTF levels 0 and 1 as BibLaTeX uses them, validation, literals, sorting."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from citekit import Date, DateParts, ParseError, Season


def D(
    start: DateParts | None = None,
    end: DateParts | None = None,
    *,
    circa: bool = False,
    uncertain: bool = False,
    open_start: bool = False,
    open_end: bool = False,
) -> Date:
    return Date(
        start=start,
        end=end,
        circa=circa,
        uncertain=uncertain,
        open_start=open_start,
        open_end=open_end,
    )


def DP(year: int, month: int | None = None, day: int | None = None) -> DateParts:
    return DateParts(year, month, day)


def lit(text: str) -> Date:
    return Date(literal=text)


# Each row: the text, the Date it must give, and str() of that Date (its EDTF form).
DATES: list[tuple[str, Date, str]] = [
    # level 0: year, month, day
    ("1944", D(DP(1944)), "1944"),
    ("1944-03", D(DP(1944, 3)), "1944-03"),
    ("1944-03-05", D(DP(1944, 3, 5)), "1944-03-05"),
    ("  1944-03-05\n", D(DP(1944, 3, 5)), "1944-03-05"),
    ("1944-3-5", D(DP(1944, 3, 5)), "1944-03-05"),
    ("0800", D(DP(800)), "0800"),
    ("800", D(DP(800)), "0800"),
    ("0000", D(DP(0)), "0000"),
    ("-0044", D(DP(-44)), "-0044"),
    ("-0044-03-15", D(DP(-44, 3, 15)), "-0044-03-15"),
    ("2000-02-29", D(DP(2000, 2, 29)), "2000-02-29"),
    ("2024-02-29", D(DP(2024, 2, 29)), "2024-02-29"),
    # seasons (level 1)
    ("1944-21", D(DateParts(1944, season=Season.SPRING)), "1944-21"),
    ("1944-22", D(DateParts(1944, season=Season.SUMMER)), "1944-22"),
    ("1944-23", D(DateParts(1944, season=Season.AUTUMN)), "1944-23"),
    ("1944-24", D(DateParts(1944, season=Season.WINTER)), "1944-24"),
    # qualifiers (level 1)
    ("1944~", D(DP(1944), circa=True), "1944~"),
    ("1944?", D(DP(1944), uncertain=True), "1944?"),
    ("1944%", D(DP(1944), circa=True, uncertain=True), "1944%"),
    ("1944?~", D(DP(1944), circa=True, uncertain=True), "1944%"),
    ("1944-03-05~", D(DP(1944, 3, 5), circa=True), "1944-03-05~"),
    ("1944-22?", D(DateParts(1944, season=2), uncertain=True), "1944-22?"),
    ("circa 1944", D(DP(1944), circa=True), "1944~"),
    ("ca. 1944", D(DP(1944), circa=True), "1944~"),
    ("c. 1944", D(DP(1944), circa=True), "1944~"),
    ("Circa 1944-03", D(DP(1944, 3), circa=True), "1944-03~"),
    # ranges
    ("1975/2004", D(DP(1975), DP(2004)), "1975/2004"),
    ("2004-06/2006-08", D(DP(2004, 6), DP(2006, 8)), "2004-06/2006-08"),
    ("1968-05-19/1968-05-25", D(DP(1968, 5, 19), DP(1968, 5, 25)), "1968-05-19/1968-05-25"),
    ("1944-21/1944-23", D(DateParts(1944, season=1), DateParts(1944, season=3)), "1944-21/1944-23"),
    ("1944 / 1945", D(DP(1944), DP(1945)), "1944/1945"),
    ("1975-2004", D(DP(1975), DP(2004)), "1975/2004"),
    ("1975--2004", D(DP(1975), DP(2004)), "1975/2004"),
    ("1975–2004", D(DP(1975), DP(2004)), "1975/2004"),
    ("1975 - 2004", D(DP(1975), DP(2004)), "1975/2004"),
    ("-0500-0400", D(DP(-500), DP(400)), "-0500/0400"),
    ("1975~/2004~", D(DP(1975), DP(2004), circa=True), "1975~/2004~"),
    ("1975~/2004", D(DP(1975), DP(2004), circa=True), "1975~/2004~"),
    ("1975/2004?", D(DP(1975), DP(2004), uncertain=True), "1975?/2004?"),
    ("1944/1944", D(DP(1944), DP(1944)), "1944/1944"),
    ("1944/1944-03", D(DP(1944), DP(1944, 3)), "1944/1944-03"),
    # open ranges
    ("1930/..", D(DP(1930), open_end=True), "1930/.."),
    ("1930/", D(DP(1930), open_end=True), "1930/.."),
    ("../1990", D(None, DP(1990), open_start=True), "../1990"),
    ("/1990", D(None, DP(1990), open_start=True), "../1990"),
    ("1930~/..", D(DP(1930), open_end=True, circa=True), "1930~/.."),
    ("../1990-04?", D(None, DP(1990, 4), open_start=True, uncertain=True), "../1990-04?"),
    # literal fallback: kept as written (stripped)
    ("March 1971", lit("March 1971"), "March 1971"),
    ("June 4th, 2002", lit("June 4th, 2002"), "June 4th, 2002"),
    ("forthcoming", lit("forthcoming"), "forthcoming"),
    ("  n.d. ", lit("n.d."), "n.d."),
    ("19xx", lit("19xx"), "19xx"),
    ("1990s", lit("1990s"), "1990s"),
    ("[1944]", lit("[1944]"), "[1944]"),
    ("1944-03-05T10:00:00", lit("1944-03-05T10:00:00"), "1944-03-05T10:00:00"),
    ("12345", lit("12345"), "12345"),
    ("١٩٤٤", lit("١٩٤٤"), "١٩٤٤"),
    ("..", lit(".."), ".."),
    ("/", lit("/"), "/"),
    ("../..", lit("../.."), "../.."),
    ("1/2/1990", lit("1/2/1990"), "1/2/1990"),
    ("ca.", lit("ca."), "ca."),
    ("Canberra", lit("Canberra"), "Canberra"),
    # invalid dates become literals too
    ("1944-13", lit("1944-13"), "1944-13"),
    ("1944-00", lit("1944-00"), "1944-00"),
    ("1944-02-30", lit("1944-02-30"), "1944-02-30"),
    ("1900-02-29", lit("1900-02-29"), "1900-02-29"),
    ("2023-02-29", lit("2023-02-29"), "2023-02-29"),
    ("1944-04-31", lit("1944-04-31"), "1944-04-31"),
    ("1944-25", lit("1944-25"), "1944-25"),
    ("1944-21-05", lit("1944-21-05"), "1944-21-05"),
    ("2004/1990", lit("2004/1990"), "2004/1990"),
    ("2004-06/2004-05", lit("2004-06/2004-05"), "2004-06/2004-05"),
    ("1944-21/1944-03x", lit("1944-21/1944-03x"), "1944-21/1944-03x"),
]


def test_the_table_is_large_enough() -> None:
    assert len(DATES) >= 30


@pytest.mark.parametrize(("text", "expected", "edtf"), DATES, ids=[r[0] for r in DATES])
def test_parse(text: str, expected: Date, edtf: str) -> None:
    date = Date.parse(text)
    assert date == expected
    assert str(date) == edtf
    assert Date.parse(str(date)) == date


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_parse_empty_raises(text: str) -> None:
    with pytest.raises(ParseError, match="empty date"):
        Date.parse(text)


def test_parse_non_string() -> None:
    with pytest.raises(TypeError, match="from a string"):
        Date.parse(1944)  # type: ignore[arg-type]


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"year": 1944, "month": 0}, ValueError, "month must be 1-12"),
        ({"year": 1944, "month": 13}, ValueError, "month must be 1-12"),
        ({"year": 1944, "month": 2, "day": 30}, ValueError, "day must be 1-29"),
        ({"year": 1900, "month": 2, "day": 29}, ValueError, "day must be 1-28"),
        ({"year": 1944, "month": 4, "day": 31}, ValueError, "day must be 1-30"),
        ({"year": 1944, "month": 1, "day": 0}, ValueError, "day must be 1-31"),
        ({"year": 1944, "day": 5}, ValueError, "a day needs a month"),
        ({"year": 1944, "month": 3, "season": 1}, ValueError, "a month or a season"),
        ({"year": 1944, "season": 5}, ValueError, "season must be 1-4"),
        ({"year": 1944, "season": 0}, ValueError, "season must be 1-4"),
        ({"year": 10000}, ValueError, "between -9999 and 9999"),
        ({"year": -10000}, ValueError, "between -9999 and 9999"),
        ({"year": "1944"}, TypeError, "year must be an int"),
        ({"year": True}, TypeError, "year must be an int"),
        ({"year": 1944.0}, TypeError, "year must be an int"),
        ({"year": 1944, "month": "3"}, TypeError, "month must be an int"),
        ({"year": 1944, "month": 3, "day": 1.5}, TypeError, "day must be an int"),
    ],
)
def test_dateparts_validation(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        DateParts(**kwargs)  # type: ignore[arg-type]


def test_leap_years() -> None:
    for year in (2000, 2024, 1600, 0, -4, -400):
        assert DateParts(year, 2, 29).day == 29
    for year in (1900, 2023, 2100, -1, -100):
        with pytest.raises(ValueError):
            DateParts(year, 2, 29)


def test_season_accepts_edtf_numbers_and_enum() -> None:
    assert DateParts(1944, season=21).season is Season.SPRING
    assert DateParts(1944, season=4).season is Season.WINTER
    assert DateParts(1944, season=Season.AUTUMN).season is Season.AUTUMN


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs a start, an end or a literal"),
        ({"end": DP(1990)}, "must be open at the start"),
        ({"start": DP(1990), "open_start": True}, "open-start range has no start"),
        ({"end": DP(1990), "start": DP(1980), "open_end": True}, "open-end range has no end"),
        ({"start": DP(1990), "open_start": True, "open_end": True}, "open-start"),
        ({"end": DP(1990), "open_start": True, "open_end": True}, "open-end"),
        ({"start": DP(2004), "end": DP(1990)}, "cannot end"),
        ({"start": DP(2004, 5, 2), "end": DP(2004, 5, 1)}, "cannot end"),
        ({"literal": "spring", "start": DP(1944)}, "literal date has no date parts"),
        ({"literal": "spring", "open_end": True}, "literal date has no date parts"),
        ({"literal": "spring", "circa": True}, "literal date cannot be circa"),
        ({"literal": "  "}, "needs some text"),
    ],
)
def test_date_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Date(**kwargs)  # type: ignore[arg-type]


def test_date_type_checks() -> None:
    with pytest.raises(TypeError, match="start must be DateParts"):
        Date(start=1944)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Date(start=DP(1944), circa="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="literal must be a string"):
        Date(literal=1944)  # type: ignore[arg-type]


def test_partial_ranges_are_not_reversed() -> None:
    # "1944/1944-03" and "1944-03/1944" overlap: neither is reversed.
    assert Date(start=DP(1944, 3), end=DP(1944)).is_range
    assert Date(start=DateParts(1944, season=3), end=DP(1944, 5)).is_range


# --- properties -----------------------------------------------------------------------


def test_of_and_properties() -> None:
    date = Date.of(1938, 4, 1)
    assert date == Date(start=DateParts(1938, 4, 1))
    assert date.year == 1938
    assert not date.is_range and not date.is_literal
    assert Date.parse("../1990").year == 1990
    assert Date.parse("../1990").is_range
    assert Date.parse("1930/..").is_range
    assert Date.parse("forthcoming").year is None
    assert Date.parse("forthcoming").is_literal


def test_as_tuple() -> None:
    assert DP(1944).as_tuple() == (1944,)
    assert DP(1944, 3).as_tuple() == (1944, 3)
    assert DP(1944, 3, 5).as_tuple() == (1944, 3, 5)
    assert DateParts(1944, season=2).as_tuple() == (1944,)


def test_dates_are_frozen_and_hashable() -> None:
    date = Date.parse("1944-03")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        date.circa = True  # type: ignore[misc]
    assert len({date, Date.parse("1944-3"), Date.of(1944, 3)}) == 1


# --- sorting ------------------------------------------------------------------------------


def test_sort_key_orders_works_by_date() -> None:
    texts = [
        "forthcoming",
        "1944-03-05",
        "1930/..",
        "1944",
        "../1920",
        "1930/1940",
        "1944-03",
        "1944-21",
        "-0044",
        "Autumn 1920",
        "1930",
        "1944-01-31",
        "1944-24",
    ]
    ordered = sorted((Date.parse(t) for t in texts), key=Date.sort_key)
    assert [str(d) for d in ordered] == [
        "-0044",
        "../1920",
        "1930",
        "1930/1940",
        "1930/..",
        "1944",
        "1944-01-31",
        "1944-03",
        "1944-21",
        "1944-03-05",
        "1944-24",
        "Autumn 1920",
        "forthcoming",
    ]


# --- round trip (hypothesis) --------------------------------------------------------------


@st.composite
def date_parts(draw: st.DrawFn) -> DateParts:
    year = draw(st.integers(-9999, 9999))
    kind = draw(st.sampled_from(["year", "month", "day", "season"]))
    if kind == "year":
        return DateParts(year)
    if kind == "season":
        return DateParts(year, season=draw(st.sampled_from(list(Season))))
    month = draw(st.integers(1, 12))
    if kind == "month":
        return DateParts(year, month)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return DateParts(year, month, draw(st.integers(1, last)))


@st.composite
def dates(draw: st.DrawFn) -> Date:
    circa, uncertain = draw(st.booleans()), draw(st.booleans())
    kind = draw(st.sampled_from(["single", "range", "open_end", "open_start"]))
    a = draw(date_parts())
    if kind == "single":
        return D(a, circa=circa, uncertain=uncertain)
    if kind == "open_end":
        return D(a, open_end=True, circa=circa, uncertain=uncertain)
    if kind == "open_start":
        return D(None, a, open_start=True, circa=circa, uncertain=uncertain)
    b = draw(date_parts())
    if a.sort_key() > b.sort_key():
        a, b = b, a
    return D(a, b, circa=circa, uncertain=uncertain)


@given(dates())
def test_str_parse_round_trip(date: Date) -> None:
    assert Date.parse(str(date)) == date


@given(st.text(max_size=20))
def test_parse_never_fails_on_text(text: str) -> None:
    if not text.strip():
        return
    date = Date.parse(text)
    assert date.is_literal or Date.parse(str(date)) == date
    if date.is_literal:
        assert date.literal == text.strip()
