"""Free-text dates: citekit's parser against citeproc-js's, case by case.

``tests/fixtures/dateparse/citeproc_js_dates.json`` holds 392 texts (with the
language of the item or style, when one is given) and what citeproc-js 2.4.63
reads of each; ``benchmarks/differential/dates.py`` makes it. citekit must
read every text as citeproc-js does, except those of :data:`OTHERWISE`, where
it reads more (a range with an en dash, "ca. 1750" as circa, month names of
the language given) or less (no date out of "2000 copies" or "2000-02-30"),
each for a reason given there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit import Date, DateParts, Season
from citekit.formats.csl import date_to_csl
from citekit.formats.months import cross_locale_names, date_names, locale_names, read_date_text
from citekit.model.dateparse import ENGLISH, DateReading, MonthNames, parse_date_text

TABLE = Path(__file__).resolve().parent / "fixtures" / "dateparse" / "citeproc_js_dates.json"
ROWS: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))

LIT = "literal"  # kept as the literal text, with a note

#: Where citekit reads otherwise than citeproc-js: (text, language) -> citekit's
#: reading (the EDTF form of the date, LIT, or None for no date at all).
OTHERWISE: dict[tuple[str, str | None], str | None] = {
    # Dates with dots, as written where the day comes first (citeproc-js: literal).
    ("15.03.2000", None): "2000-03-15",
    ("15. 3. 2000", None): "2000-03-15",
    ("2000.03.15", None): "2000-03-15",
    ("1.1.2000", None): "2000-01-01",
    # En and em dashes make ranges (citeproc-js keeps only the end).
    ("1999–2001", None): "1999/2001",
    ("1999 – 2001", None): "1999/2001",
    ("1999—2001", None): "1999/2001",
    ("May–June 2000", None): "2000-05/2000-06",
    # EDTF's open ranges stay open (citeproc-js: the known end alone).
    ("1930/..", None): "1930/..",
    ("../1990", None): "../1990",
    # "ca.", "c.", "circa" in any case, "approx." mean circa (citeproc-js: only
    # "c1750", "circa" and the marks); EDTF's "%" is circa and uncertain.
    ("ca. 1750", None): "1750~",
    ("ca 1750", None): "1750~",
    ("ca.1750", None): "1750~",
    ("c. 1750", None): "1750~",
    ("c 1750", None): "1750~",
    ("Circa 1750", None): "1750~",
    ("CIRCA 1750", None): "1750~",
    ("[ca. 1750]", None): "1750~",
    ("approx. 1750", None): "1750~",
    ("2000%", None): "2000%",
    ("c. 1750-1760", None): "1750~/1760~",
    ("ca. 1750 - 1760", None): "1750~/1760~",
    # Eras: "AD" before the year, and BC after a four-digit year (citeproc-js
    # reads "1200 BC" as AD 1200). Years are CSL's: 1200 BC is astronomical -1199.
    ("AD 44", None): "0044",
    ("A.D. 44", None): "0044",
    ("1200 BC", None): "-1199",
    ("2000 BC", None): "-1999",
    ("44 BC - AD 14", None): "-0043/0014",
    # "Autumn", CSL's own name of the season (citeproc-js knows "fall" only).
    ("Autumn 2001", None): "2001-23",
    # Month and season names of the language given, from its CSL locale
    # (citeproc-js reads a month only by an English name's first three letters,
    # and otherwise the year alone, or nothing: "2 février 2000").
    ("2 février 2000", "fr"): "2000-02-02",
    ("février 2001", "fr"): "2001-02",
    ("4 avril 2000", "fr"): "2000-04-04",
    ("avril 2001", "fr"): "2001-04",
    ("5 mai 2000", "fr"): "2000-05-05",
    ("mai 2001", "fr"): "2001-05",
    ("6 juin 2000", "fr"): "2000-06-06",
    ("juin 2001", "fr"): "2001-06",
    ("7 juillet 2000", "fr"): "2000-07-07",
    ("juillet 2001", "fr"): "2001-07",
    ("8 août 2000", "fr"): "2000-08-08",
    ("août 2001", "fr"): "2001-08",
    ("12 décembre 2000", "fr"): "2000-12-12",
    ("décembre 2001", "fr"): "2001-12",
    ("3 März 2000", "de"): "2000-03-03",
    ("März 2001", "de"): "2001-03",
    ("5 Mai 2000", "de"): "2000-05-05",
    ("Mai 2001", "de"): "2001-05",
    ("10 Oktober 2000", "de"): "2000-10-10",
    ("Oktober 2001", "de"): "2001-10",
    ("12 Dezember 2000", "de"): "2000-12-12",
    ("Dezember 2001", "de"): "2001-12",
    ("1 enero 2000", "es"): "2000-01-01",
    ("enero 2001", "es"): "2001-01",
    ("4 abril 2000", "es"): "2000-04-04",
    ("abril 2001", "es"): "2001-04",
    ("8 agosto 2000", "es"): "2000-08-08",
    ("agosto 2001", "es"): "2001-08",
    ("12 diciembre 2000", "es"): "2000-12-12",
    ("diciembre 2001", "es"): "2001-12",
    ("1 gennaio 2000", "it"): "2000-01-01",
    ("gennaio 2001", "it"): "2001-01",
    ("5 maggio 2000", "it"): "2000-05-05",
    ("maggio 2001", "it"): "2001-05",
    ("6 giugno 2000", "it"): "2000-06-06",
    ("giugno 2001", "it"): "2001-06",
    ("7 luglio 2000", "it"): "2000-07-07",
    ("luglio 2001", "it"): "2001-07",
    ("8 agosto 2000", "it"): "2000-08-08",
    ("agosto 2001", "it"): "2001-08",
    ("9 settembre 2000", "it"): "2000-09-09",
    ("settembre 2001", "it"): "2001-09",
    ("10 ottobre 2000", "it"): "2000-10-10",
    ("ottobre 2001", "it"): "2001-10",
    ("12 dicembre 2000", "it"): "2000-12-12",
    ("dicembre 2001", "it"): "2001-12",
    ("printemps 2000", "fr"): "2000-21",
    ("été 2000", "fr"): "2000-22",
    ("automne 2000", "fr"): "2000-23",
    ("hiver 2000", "fr"): "2000-24",
    ("Sommer 2000", "de"): "2000-22",
    ("Herbst 2000", "de"): "2000-23",
    ("primavera 2000", "es"): "2000-21",
    ("verano 2000", "es"): "2000-22",
    ("otoño 2000", "es"): "2000-23",
    ("invierno 2000", "es"): "2000-24",
    ("3. März 2000", "de-AT"): "2000-03-03",
    ("15. Oktober 1999", "de-AT"): "1999-10-15",
    ("févr. 2000", "fr-CA"): "2000-02",
    # A word that is no part of a date (citeproc-js leaves it out and reads
    # the rest): the text is kept. German's spring is "Frühjahr" in its locale;
    # without a language, "März" is no month (citeproc-js: the year alone).
    ("2000 copies", None): LIT,
    ("1990s", None): LIT,
    ("the 1990s", None): LIT,
    ("Page 1234", None): LIT,
    ("ISBN 1234", None): LIT,
    ("2000 km", None): LIT,
    ("2000 Main St", None): LIT,
    ("Summit 2000", None): LIT,
    ("Demarcation 2000", None): LIT,
    ("Marvel 2000", None): LIT,
    ("Mayor 2000", None): LIT,
    ("2000 Edition", None): LIT,
    ("Revised 2000", None): LIT,
    ("Reprint 1999", None): LIT,
    ("1999 (reprinted 2005)", None): LIT,
    ("1750 (approx)", None): LIT,
    ("Frühling 2000", "de"): LIT,
    ("März 2000", None): LIT,
    ("Mai 2000", None): LIT,
    ("Dezember 2000", None): LIT,
    # Terms are no CSL season (citeproc-js keeps them as a season's text).
    ("Michaelmas 1999", None): LIT,
    ("Trinity Term 2000", None): LIT,
    ("Hilary 2001", None): LIT,
    ("Easter 2002", None): LIT,
    # Impossible or self-contradicting dates (citeproc-js reads them as they are).
    ("2000-02-30", None): LIT,
    ("31/31/2000", None): LIT,
    ("13/13/2000", None): LIT,
    ("2000-13-45", None): LIT,
    ("June 31, 2000", None): LIT,
    ("February 30 2000", None): LIT,
    ("march 32 2000", None): LIT,
    ("2001-1999", None): LIT,
    ("2000-03-15/04-02", None): LIT,
    ("1999-2001-2003", None): LIT,
    ("Spring 2000 Summer", None): LIT,
    ("2000 BC AD", None): LIT,
    # Blank text is no date (citeproc-js: an empty literal).
    ("", None): None,
    ("   ", None): None,
}


def csl_form(date: Date | None) -> dict[str, Any]:
    """A date in the form the table holds: CSL's, a season as month 21-24."""
    if date is None:
        return {}
    out = date_to_csl(date)
    if "literal" in out:
        return {"literal": out["literal"]}
    if "season" in out:
        out["date-parts"][0].append(20 + out.pop("season"))
    out.pop("edtf", None)
    return out


def reading(text: str, language: str | None) -> DateReading:
    return read_date_text(text, [language])


def _id(row: dict[str, Any]) -> str:
    return f"{row['text']!r}" + (f"@{row['language']}" if row["language"] else "")


def test_the_table_is_whole() -> None:
    assert len(ROWS) >= 300
    keys = {(row["text"], row["language"]) for row in ROWS}
    assert set(OTHERWISE) <= keys, set(OTHERWISE) - keys


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_read_as_citeproc_js_reads_it(row: dict[str, Any]) -> None:
    text, language, theirs = row["text"], row["language"], row["citeproc_js"]
    got = reading(text, language)
    key = (text, language)
    if key not in OTHERWISE:
        assert csl_form(got.date) == theirs
        assert got.notes == () or got.is_literal
        return
    expected = OTHERWISE[key]
    if expected is None:
        assert got.date is None and got.notes
    elif expected == LIT:
        assert got.date == Date(literal=text.strip())
        assert len(got.notes) == 1 and text.strip() in got.notes[0]
    else:
        assert got.date == Date.parse(expected) and got.notes == ()
    # a difference from citeproc-js is listed only while there is one
    assert csl_form(got.date) != theirs


def test_agreement_with_citeproc_js() -> None:
    same = sum(csl_form(reading(r["text"], r["language"]).date) == r["citeproc_js"] for r in ROWS)
    assert same == len(ROWS) - len(OTHERWISE)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("44 BC", Date(start=DateParts(-43))),
        ("-44", Date(start=DateParts(-43))),
        ("-0044", Date(start=DateParts(-43))),
        ("1 BC", Date(start=DateParts(0))),
        ("500 BC-400 BC", Date(start=DateParts(-499), end=DateParts(-399))),
        ("March 44 BC", Date(start=DateParts(-43, 3))),
        ("Spring 1999", Date(start=DateParts(1999, season=Season.SPRING))),
        ("Winter 1999-2000", Date(start=DateParts(1999, season=4), end=DateParts(2000, season=4))),
        ("c1750", Date(start=DateParts(1750), circa=True)),
        ("2000-03-15T10:00:00+02:00", Date.of(2000, 3, 15)),
        ("2000-03-15 10:30", Date.of(2000, 3, 15)),
        ("Wednesday, March 15, 2000", Date.of(2000, 3, 15)),
        ("1st of May 2000", Date.of(2000, 5, 1)),
        ("令和2年5月1日", Date.of(2020, 5, 1)),
        ('"Spring 2000"', Date(literal="Spring 2000")),
    ],
)
def test_readings(text: str, date: Date) -> None:
    got = parse_date_text(text)
    assert got.date == date
    assert got.notes == ()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2000 copies", "the word 'copies' is not part of a date"),
        ("1:100", "':' is not part of a date"),
        ("2000-02-30", "day must be 1-29 for 2000-02, got 30"),
        ("2001-1999", "a range cannot end (1999) before it starts (2001)"),
        ("12-15", "no year"),
        ("3 May", "no year"),
        ("1999-2001-2003", "more than one range mark"),
        ("0", "no year"),
    ],
)
def test_what_is_not_read_is_kept_with_a_note(text: str, why: str) -> None:
    got = parse_date_text(text)
    assert got.date == Date(literal=text)
    assert got.is_literal
    assert got.notes == (f"free-text date {text!r} not read ({why}); kept as literal text",)


def test_the_language_decides_what_a_word_means() -> None:
    # "listopad" is November in Czech and October in Croatian
    czech, croatian = locale_names("cs"), locale_names("hr")
    assert czech is not None and croatian is not None
    assert parse_date_text("listopad 2000", months=[czech]).date == Date.of(2000, 11)
    assert parse_date_text("listopad 2000", months=[croatian]).date == Date.of(2000, 10)
    both = parse_date_text("listopad 2000", months=[czech, croatian])
    assert both.is_literal and "names more than one month" in both.notes[0]
    assert parse_date_text("listopad 2000").is_literal


def test_locale_names() -> None:
    french = locale_names("fr")
    assert french is not None and french.language == "fr-FR"
    assert french.months[1] == ("février", "févr")
    assert french.seasons[0] == ("printemps",)
    assert locale_names("de-AT") is not None and locale_names("de_at") == locale_names("de-AT")
    assert locale_names("tlh") is None
    assert date_names(["fr", None, "", "fr-FR"]) == (french, cross_locale_names())
    # the cross-locale names are real month names that begin as English's do
    cross = cross_locale_names()
    assert {"mars", "marzo", "juni", "janv"} <= set(
        cross.months[0] + cross.months[2] + cross.months[5]
    )
    for number, forms in enumerate(cross.months):
        assert all(form[:3] == ENGLISH.months[number][0][:3] for form in forms)


def test_month_names_need_twelve_months() -> None:
    with pytest.raises(ValueError, match="12 months"):
        MonthNames("xx", [["a"]] * 11)
    names = MonthNames(
        "xx", [[f"Mon{chr(97 + n)}."] for n in range(12)], [["Sp"], ["Su"], ["Au"], ["Wi"]]
    )
    assert names.months[3] == ("mond",)
    assert parse_date_text("MOND. 2000", months=[names]).date == Date.of(2000, 4)
    assert parse_date_text("mond 2000", months=[names]).date == Date.of(2000, 4)
    assert parse_date_text("Au 2000", months=[names]).date == Date(
        start=DateParts(2000, season=Season.AUTUMN)
    )


def test_not_a_string() -> None:
    with pytest.raises(TypeError):
        parse_date_text(2000)  # type: ignore[arg-type]


@settings(deadline=None, max_examples=300)
@given(
    st.text(
        alphabet=st.sampled_from(list('0123456789-/–~?%., :abcMarchJnyBCAD年月日[]()"')),
        max_size=24,
    )
)
def test_any_text_gives_a_date_or_a_literal(text: str) -> None:
    got = parse_date_text(text)
    if got.date is None:  # blank, or an empty quoted literal
        assert not text.strip().strip('"') and got.notes
    elif got.is_literal:
        assert got.date.literal is not None
        if got.notes:
            assert got.date.literal == text.strip()
        else:  # a quoted literal, on purpose
            assert text.strip()[0] == text.strip()[-1] == '"'
    else:
        assert got.notes == ()


@pytest.mark.parametrize("text", ["٢٠٠٠", "2月", "日3年", "15 de", "1" * 10_000, "March " * 1000])
def test_no_date_out_of_other_digits_or_pieces(text: str) -> None:
    got = parse_date_text(text)
    assert got.date == Date(literal=text.strip())
    assert len(got.notes) == 1 and len(got.notes[0]) < 250  # the text is cut in the note


def test_without_locale_files_english_alone_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citekit.formats import months

    monkeypatch.setattr(months, "_locales_dir", lambda: tmp_path / "missing")
    for cached in (months._locale_files, months._read_locale, months.cross_locale_names):
        cached.cache_clear()
    try:
        assert locale_names("fr") is None
        assert read_date_text("mai 2001", ["fr"]).is_literal
        assert read_date_text("May 2001", ["fr"]).date == Date.of(2001, 5)
    finally:
        monkeypatch.undo()
        for cached in (months._locale_files, months._read_locale, months.cross_locale_names):
            cached.cache_clear()
    assert read_date_text("mai 2001", ["fr"]).date == Date.of(2001, 5)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        # citeproc-js reads an underscore as a hyphen
        ("1897_1912", Date(start=DateParts(1897), end=DateParts(1912))),
        ("1897 _ 1912", Date(start=DateParts(1897), end=DateParts(1912))),
        ("March_1912", Date.of(1912, 3)),
        ("2000_03_04", Date.of(2000, 3, 4)),
    ],
)
def test_an_underscore_reads_as_a_hyphen(text: str, date: Date) -> None:
    assert read_date_text(text, ["en-US"]).date == date
