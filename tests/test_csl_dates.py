"""Dates in citekit's CSL layer: forms, localized dates, ranges, seasons, invalid data."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.csl.elements.dates import DateValue, ParsedDate, parse_date
from citekit.csl.engine import Processor
from citekit.csl.styles import load_style


def style(date: str, *, locale: str = "", default_locale: str = "en-US") -> bytes:
    """A style whose citation is just ``date`` (a cs:date element)."""
    return f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"
  default-locale="{default_locale}">
  <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
  {locale}
  <citation><layout delimiter="; ">{date}</layout></citation>
</style>""".encode()


def cite(csl: bytes, *dates: Any, variable: str = "issued") -> str:
    """The citation of one item per date value, rendered with ``csl``."""
    items = [
        {"id": f"item{number}", "type": "book", variable: value}
        for number, value in enumerate(dates)
    ]
    processor = Processor.for_style(load_style(csl), items)
    citation = processor.citation([{"id": item["id"]} for item in items])
    processor.register(citation)
    return processor.cite(citation)


def parts(*values: list[Any], **extra: Any) -> dict[str, Any]:
    return {"date-parts": list(values), **extra}


DMY = (
    '<date variable="issued" delimiter=" ">'
    '<date-part name="day"/><date-part name="month"/><date-part name="year"/></date>'
)
MDY = (
    '<date variable="issued">'
    '<date-part name="month" suffix=" "/><date-part name="day" suffix=", "/>'
    '<date-part name="year"/></date>'
)


# Single dates ------------------------------------------------------------------


def test_date_parts_in_the_style_order() -> None:
    assert cite(style(DMY), parts([2000, 5, 3])) == "3 May 2000"
    assert cite(style(MDY), parts([2000, 5, 3])) == "May 3, 2000"


def test_missing_parts_are_left_out_with_their_affixes() -> None:
    assert cite(style(DMY), parts([2000])) == "2000"
    assert cite(style(MDY), parts([2000, 5])) == "May 2000"
    assert cite(style(DMY), parts(["2000", "", ""])) == "2000"


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ('name="month" form="short"', "Dec."),
        ('name="month" form="numeric"', "12"),
        ('name="month" form="numeric-leading-zeros"', "12"),
        ('name="day" form="numeric-leading-zeros"', "05"),
        ('name="day" form="ordinal"', "5th"),
        ('name="year" form="short"', "04"),
        ('name="month" text-case="uppercase"', "DECEMBER"),
        ('name="month" form="short" strip-periods="true"', "Dec"),
        ('name="year" font-weight="bold" prefix="(" suffix=")"', "(<b>2004</b>)"),
    ],
)
def test_date_part_forms(attributes: str, expected: str) -> None:
    csl = style(f'<date variable="issued"><date-part {attributes}/></date>')
    assert cite(csl, parts([2004, 12, 5])) == expected


def test_day_ordinals_and_limit_to_day_one() -> None:
    csl = style('<date variable="issued"><date-part name="day" form="ordinal"/></date>')
    assert cite(csl, parts([2004, 1, 1]), parts([2004, 1, 22]), parts([2004, 1, 13])) == (
        "1st; 22nd; 13th"
    )
    limited = style(
        '<date variable="issued"><date-part name="day" form="ordinal"/></date>',
        locale='<locale><style-options limit-day-ordinals-to-day-1="true"/></locale>',
    )
    assert cite(limited, parts([2004, 1, 1]), parts([2004, 1, 2])) == "1st; 2"


def test_french_day_ordinal_follows_the_month_gender() -> None:
    csl = style(
        '<date variable="issued" delimiter=" ">'
        '<date-part name="day" form="ordinal"/><date-part name="month"/></date>',
        default_locale="fr-FR",
    )
    assert cite(csl, parts([2004, 10, 1])) == "1<sup>e</sup><sup>r</sup> octobre"


def test_years_before_1000_and_before_christ() -> None:
    csl = style('<date variable="issued"><date-part name="year"/></date>')
    assert cite(csl, parts([-250]), parts([499]), parts([2000])) == "250 BC; 499 AD; 2000"


def test_seasons_in_the_month_place() -> None:
    csl = style(DMY)
    assert cite(csl, parts([2000], season=3)) == "Autumn 2000"
    assert cite(csl, parts([2000, 21])) == "Spring 2000"
    assert cite(csl, parts([2000], season="Trinity")) == "Trinity 2000"


def test_invalid_months_and_days_are_dropped() -> None:
    csl = style(DMY)
    assert cite(csl, parts([1965, 60, 1]), parts([1965, -1]), parts([1965, 2, 40])) == (
        "1965; 1965; February 1965"
    )
    # 13 to 20 are seasons too, as citeproc-js reads them
    assert cite(csl, parts([1965, 13]), parts([1965, 24, 0])) == "Spring 1965; Winter 1965"


def test_literal_dates_print_as_given_and_escaped() -> None:
    assert cite(style(DMY), {"literal": "c. 1900 <b>&</b>"}) == "c. 1900 <b>&#38;</b>"


def test_an_empty_date_renders_nothing_and_a_group_around_it_is_suppressed() -> None:
    csl = style(
        '<group delimiter=": "><text value="Date"/>'
        '<date variable="issued" form="text"/></group><text value="!"/>'
    )
    assert cite(csl, {"date-parts": []}) == "!"


# Localized dates ----------------------------------------------------------------


def test_localized_text_and_numeric_forms() -> None:
    text = style('<date variable="issued" form="text"/>')
    numeric = style('<date variable="issued" form="numeric"/>')
    assert cite(text, parts([2005, 12, 15])) == "December 15, 2005"
    assert cite(numeric, parts([2005, 12, 15])) == "12/15/2005"
    assert cite(numeric, parts([2005])) == "2005"


def test_localized_date_parts_attribute_and_overrides_keep_locale_affixes() -> None:
    csl = style(
        '<date variable="issued" form="text" date-parts="year-month" prefix="(" suffix=")">'
        '<date-part name="month" form="short" suffix="IGNORED"/></date>',
        locale=(
            '<locale><date form="text"><date-part name="day" suffix=" "/>'
            '<date-part name="month" suffix=" " text-case="uppercase"/>'
            '<date-part name="year"/></date></locale>'
        ),
    )
    assert cite(csl, parts([2005, 12, 15])) == "(DEC. 2005)"


def test_free_text_dates_are_read_as_citeproc_js_reads_them() -> None:
    csl = style(DMY)
    raw = [{"raw": text} for text in ("March 3-5, 2000", "Spring 1999", "44 BC", "c1750")]
    assert cite(csl, *raw) == "3\u20135 March 2000; Spring 1999; 44 BC; 1750"
    # what is not read prints as it is written
    assert cite(csl, {"raw": "2000 copies"}, {"raw": "1:100"}) == "2000 copies; 1:100"


def test_free_text_dates_use_the_month_names_of_the_style_and_the_item() -> None:
    german = style(DMY, default_locale="de-DE")
    assert cite(german, {"raw": "3. März 2005"}) == "3 März 2005"
    assert cite(style(DMY), {"raw": "3. März 2005"}) == "3. März 2005"  # kept as text
    items = [{"id": "a", "type": "book", "language": "de", "issued": {"raw": "3. März 2005"}}]
    processor = Processor.for_style(load_style(style(DMY)), items)
    citation = processor.citation([{"id": "a"}])
    processor.register(citation)
    assert processor.cite(citation) == "3 March 2005"


def test_localized_dates_in_another_locale() -> None:
    csl = style('<date variable="issued" form="text"/>', default_locale="de-DE")
    assert cite(csl, parts([2005, 3, 4])) == "4. März 2005"


# Ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("begin", "end", "dmy", "mdy"),
    [
        ([2000, 5, 1], [2000, 5, 3], "1\u20133 May 2000", "May 1\u20133, 2000"),
        ([2000, 5, 1], [2000, 6, 3], "1 May\u20133 June 2000", "May 1\u2013June 3, 2000"),
        (
            [2000, 5, 1],
            [2001, 6, 3],
            "1 May 2000\u20133 June 2001",
            "May 1, 2000\u2013June 3, 2001",
        ),
        ([2000, 5], [2000, 6], "May\u2013June 2000", "May\u2013June 2000"),
        ([2000], [2001], "2000\u20132001", "2000\u20132001"),
        ([2000, 5, 1], [2000, 5, 1], "1 May 2000", "May 1, 2000"),
    ],
)
def test_ranges_collapse_the_parts_they_share(
    begin: list[int], end: list[int], dmy: str, mdy: str
) -> None:
    assert cite(style(DMY), parts(begin, end)) == dmy
    assert cite(style(MDY), parts(begin, end)) == mdy


def test_range_delimiter_of_the_largest_differing_part() -> None:
    csl = style(
        '<date variable="issued" delimiter=" ">'
        '<date-part name="day" range-delimiter="/"/>'
        '<date-part name="month" range-delimiter=" to "/>'
        '<date-part name="year" range-delimiter="--"/></date>'
    )
    assert cite(csl, parts([1999, 1, 2], [1999, 1, 4])) == "2/4 January 1999"
    assert cite(csl, parts([1999, 1, 2], [1999, 3, 4])) == "2 January to 4 March 1999"
    assert cite(csl, parts([1999, 1], [2000, 3])) == "January 1999--March 2000"


def test_season_ranges_and_open_ranges() -> None:
    csl = style('<date variable="issued" form="text" date-parts="year-month"/>')
    assert cite(csl, parts([1999, 21], [2001, 22])) == "Spring 1999\u2013Summer 2001"
    assert cite(csl, parts([1999, 22], [1999, 21])) == "Summer\u2013Spring 1999"
    assert cite(style(DMY), parts([1987], [0])) == "1987\u2013"


def test_a_range_shown_only_by_a_part_both_share_is_one_date() -> None:
    csl = style('<date variable="issued" form="text" date-parts="year"/>')
    assert cite(csl, parts([2000, 1], [2000, 3])) == "2000"


# Reading values ------------------------------------------------------------------


def test_parse_date_reads_csl_json() -> None:
    assert parse_date({"date-parts": [[2000, "5", 1]], "circa": 1}) == ParsedDate(
        dates=(DateValue(2000, 5, 1),), circa=True
    )
    assert parse_date({"date-parts": [[2000], [2002]]}) == ParsedDate(
        dates=(DateValue(2000), DateValue(2002))
    )
    assert parse_date({"date-parts": [], "raw": "Bogus"}) == ParsedDate(literal="Bogus")
    assert parse_date({"date-parts": [[]]}) is None
    assert parse_date(None) is None


# Cite state: capitalized first terms ---------------------------------------------------

NOTE_STYLE = b"""<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout suffix=".">
      <choose>
        <if position="ibid"><text term="ibid"/></if>
        <else><text variable="title"/><date variable="issued" prefix=" (" suffix=")">
          <date-part name="year"/></date></else>
      </choose>
    </layout>
  </citation>
</style>"""


def test_a_term_opening_a_note_is_capitalized() -> None:
    items = [{"id": "a", "type": "book", "title": "Book", "issued": parts([1910])}]
    processor = Processor.for_style(load_style(NOTE_STYLE), items)
    first = processor.citation([{"id": "a"}], note_index=1)
    second = processor.citation([{"id": "a"}], note_index=2)
    for citation in (first, second):
        processor.register(citation)
    assert processor.cite(first) == "Book (1910)."
    assert processor.cite(second) == "Ibid."


def test_a_localized_date_limited_to_some_parts_drops_the_punctuation_after_them() -> None:
    # citeproc-js: "April 1" (not "April 1,"), "04/01", "April–May 2000"
    from citekit.csl.engine import Processor
    from citekit.csl.styles import load_style

    out = []
    for form, parts in (("text", "month-day"), ("numeric", "month-day"), ("text", "year-month")):
        csl = f"""<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
          <info><id>x</id><title>x</title><updated>2024-01-01T00:00:00+00:00</updated></info>
          <citation><layout><date variable="issued" form="{form}" date-parts="{parts}"/>
          </layout></citation></style>"""
        items = [{"id": "a", "type": "book", "issued": {"date-parts": [[2000, 4, 1]]}}]
        processor = Processor.for_style(load_style(csl.encode()), items)
        citation = processor.citation([{"id": "a"}])
        processor.register(citation)
        out.append(processor.cite(citation))
    assert out == ["April 1", "04/01", "April 2000"]
