"""Free-text dates through citeproc-js: the table citekit's date parser is tested against.

Feeds every case of :data:`CASES` (the text of a CSL date's ``raw`` field,
with the language of the item or style it comes with, if any) to citeproc-js's
date parser (``dates.js``, the parser citeproc-js's engine runs on ``raw``
dates) and writes what it reads, in the comparable form of :func:`canonical`,
to ``tests/fixtures/dateparse/citeproc_js_dates.json``, which
``tests/test_dateparse.py`` reads:

    npm ci --prefix benchmarks/differential      # once: citeproc-js
    python benchmarks/differential/dates.py      # writes the table
    python benchmarks/differential/dates.py --check   # prints agreement only
    python benchmarks/differential/dates.py --render  # renders them in both engines

With ``--check`` it writes nothing and prints how many cases citekit's parser
(:func:`citekit.model.dateparse.parse_date_text`) reads as citeproc-js does.
With ``--render`` it renders every case as the ``issued`` date of a CSL-JSON
item (``{"raw": text}``, with the case's language) by citekit's CSL engine
and by citeproc-js, in a style printing the date in full (``form="text"``,
"ca. " before an uncertain date) in English and in German, and prints how
many are rendered alike, then each difference.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TABLE = REPO / "tests" / "fixtures" / "dateparse" / "citeproc_js_dates.json"

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
_DE = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
_IT = (
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
)

#: (text, language) pairs; language None when the text comes with none.
CASES: list[tuple[str, str | None]] = []


def _add(texts: str | list[str], language: str | None = None) -> None:
    for text in [texts] if isinstance(texts, str) else texts:
        CASES.append((text, language))


# numeric forms
_add(["2000", "1999", "0999", "1066", "999", "44", "15", "2000-03", "2000-3", "2000-03-15"])
_add(["2000-3-5", "1999-12-31", "2000-02-29", "2000-03-15T10:00:00Z", "2000-03-15T10:00"])
_add(["2000-03-15 10:30:00", "3/15/2000", "15/3/2000", "03/04/2000", "12/25/2000"])
_add(["25/12/2000", "2000/03/15", "2000/3/15", "3/2000", "12/2000", "2000/3", "03-2000"])
_add(["15-03-2000", "03-15-2000", "1/1/1900", "31/12/1999", "12/31/1999", "2000-12"])
_add(["15.03.2000", "15. 3. 2000", "2000.03.15", "1.1.2000", "  2000  ", "2000."])
# English months, long and short, in the usual orders
for i, (long, short) in enumerate(zip(_MONTHS, _SHORT, strict=True)):
    _add([f"{long} 2000", f"{i + 1} {long} 1999", f"{short}. {i + 1}, 2001", f"2002 {short}"])
_add(["Sept. 2001", "Sept 2001", "Sep 2001", "Dec. 2000", "JANUARY 2000", "january 2000"])
_add(["March 15, 2000", "March 15 2000", "15 March 2000", "15th March 2000", "1st of May 2000"])
_add(["March 15th, 2000", "Jan 1, 2010", "2010 Jan 1", "2010 January", "2010-Jan-01"])
_add(["01-Jan-2010", "1 Jan. 2010", "Mon, 15 Mar 2000", "Wednesday, March 15, 2000"])
_add(["March, 2000", "2000, March 15", "March 2000.", "(March 2000)", "[March 2000]"])
# seasons and terms
_add(["Spring 1999", "Summer 2000", "Fall 2001", "Autumn 2001", "Winter 2002", "1999 Spring"])
_add(["spring 2000", "SUMMER 2000", "Spring/Summer 2000", "Fall-Winter 2001", "Winter 1999-2000"])
_add(["Michaelmas 1999", "Trinity Term 2000", "Hilary 2001", "Easter 2002"])
# ranges
_add(["1999-2001", "1999 - 2001", "1999–2001", "1999 – 2001", "1999—2001", "1999--2001"])
_add(["2000/2001", "March 3-5, 2000", "3-5 March 2000", "March-April 2000", "Jan-Feb 2000"])
_add(["March 2000 - April 2001", "1999-03-01/2000-04-02", "2000-03-15/04-02", "1990-1995"])
_add(["1 Jan 2000 - 3 Feb 2001", "March 3 - April 5, 2000", "1999-2001-2003", "May–June 2000"])
_add(["2001-1999", "15-20 May 2000", "2000-03/2000-05", "1975/2004", "1930/..", "../1990"])
# circa, uncertain, EDTF
_add(["ca. 1750", "ca 1750", "ca.1750", "c1750", "c. 1750", "c 1750", "circa 1750"])
_add(["Circa 1750", "CIRCA 1750", "1750?", "1750~", "~1750", "?1750", "[1750]", "[ca. 1750]"])
_add(["1750 (approx)", "approx. 1750", "2000~", "2000?", "2000%", "2000-03~", "2000-21"])
_add(["2000-24", "2000-03-15?", "circa March 1750", "c. 1750-1760", "ca. 1750 - 1760"])
# eras and negative years
_add(["44 BC", "44 B.C.", "44 BCE", "44 bc", "AD 44", "A.D. 44", "44 AD", "44 A.D.", "1066 AD"])
_add(["1200 BC", "2000 BC", "44 BC - AD 14", "Marvel 2000", "Mayor 2000", "Mart 2000"])
_add(["-44", "-0044", "-1", "500 BC-400 BC", "500-400 BC", "753 BC", "March 44 BC", "-2000"])
# other languages: the item's or style's language given, and not
for names, lang in ((_FR, "fr"), (_DE, "de"), (_ES, "es"), (_IT, "it")):
    for i, name in enumerate(names.split()):
        _add(f"{i + 1} {name} 2000", lang)
        _add(f"{name} 2001", lang)
_add(["15 mars 2000", "März 2000", "3. März 2000", "marzo 2000", "15 de marzo de 2000"])
_add(["janvier 2000", "Mai 2000", "Juni 2000", "mayo 2000", "Dezember 2000"])
_add(["15 de marzo de 2000"], "es")
_add(["printemps 2000", "été 2000", "automne 2000", "hiver 2000"], "fr")
_add(["Frühling 2000", "Sommer 2000", "Herbst 2000", "Winter 2000"], "de")
_add(["primavera 2000", "verano 2000", "otoño 2000", "invierno 2000"], "es")
_add(["3. März 2000", "15. Oktober 1999"], "de-AT")
_add(["1er janvier 2000", "févr. 2000", "janv. 2000"], "fr-CA")
# Japanese
_add(["2000年3月15日", "平成12年3月15日", "昭和64年1月7日", "2000年3月"])
# not dates (kept as literal text)
_add(["2000 copies", "1:100", "forthcoming", "in press", "n.d.", "nd", "unknown", "19XX"])
_add(["1990s", "the 1990s", "12 monkeys", "Page 1234", "ISBN 1234", "2000 km", "1234567"])
_add(["12345", "3 May", "May", "Spring", "0", "0000", "10000", "2000 Main St", "Room 101"])
_add(["vol. 12 2000", "Q1 2000", "2nd quarter 2000", '"2000"', "2000-13-01", "2000-02-30"])
_add(["31/31/2000", "13/13/2000", "2000-13-45", "Summit 2000", "Demarcation 2000", "2000 BC AD"])
_add(["pp. 12-15", "12-15", "v2.0", "3.14", "1,000", "Chapter 3, 2000", "no date", "s.d."])
_add(["2000 Edition", "Revised 2000", "Reprint 1999", "1999 (reprinted 2005)", "20000"])
_add(["June 31, 2000", "February 30 2000", "Spring 2000 Summer", "2000-00-00", "2000-00"])
_add(["", "   ", "-", "/", "?", "~", "March", "march 32 2000"])


def canonical(value: dict[str, Any]) -> dict[str, Any]:
    """citeproc-js's reading as a CSL date object: ``date-parts`` (seasons as month 21-24,
    an end equal to its start left out), ``circa``, ``season`` (a text) or ``literal``."""
    if "literal" in value:
        return {"literal": value["literal"]}

    def point(suffix: str) -> list[int]:
        parts: list[int] = []
        for name in ("year", "month", "day"):
            part = value.get(name + suffix)
            if not part:
                break
            number = int(part)
            if name == "month" and 13 <= number <= 16:
                number += 8
            parts.append(number)
        return parts

    start, end = point(""), point("_end")
    out: dict[str, Any] = {"date-parts": [start] if not end or end == start else [start, end]}
    if isinstance(value.get("season"), str):
        out["season"] = value["season"]
    if value.get("circa"):
        out["circa"] = True
    return out


def citekit_reading(text: str, language: str | None) -> dict[str, Any]:
    """What citekit's parser makes of ``text``, in the form of :func:`canonical`."""
    from citekit.formats.csl import date_to_csl
    from citekit.formats.months import read_date_text

    date = read_date_text(text, [language]).date
    if date is None:  # blank text: no date at all
        return {}
    out = date_to_csl(date)
    if "literal" in out:
        return {"literal": out["literal"]}
    if "season" in out:
        out["date-parts"][0].append(20 + out.pop("season"))
    out.pop("edtf", None)
    return out


def citeproc_js(texts: list[str]) -> list[dict[str, Any]]:
    """What citeproc-js's date parser makes of each of ``texts``."""
    done = subprocess.run(
        ["node", str(HERE / "dates.js")],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    )
    return [canonical(value) for value in json.loads(done.stdout)]


_STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"
  default-locale="{locale}">
  <info><id>dates</id><title>dates</title><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout>
    <choose><if is-uncertain-date="issued"><text value="ca. "/></if></choose>
    <date variable="issued" form="text"/>
  </layout></citation>
</style>"""


def render(locale: str) -> tuple[int, list[tuple[str, str | None, str, str]]]:
    """(cases rendered alike, the differing ones) in a style of ``locale``."""
    from citekit.csl.engine import Processor
    from citekit.csl.styles import load_style

    style_xml = _STYLE.format(locale=locale)
    items: list[dict[str, Any]] = []
    for number, (text, lang) in enumerate(CASES):
        item: dict[str, Any] = {"id": f"d{number}", "type": "book", "issued": {"raw": text}}
        if lang:
            item["language"] = lang
        items.append(item)
    job = {
        "style_xml": style_xml,
        "locales_dir": str(_locales_dir()),
        "mode": "html",
        "documents": [{"items": [item], "citations": [[{"id": item["id"]}]]} for item in items],
    }
    done = subprocess.run(
        ["node", str(HERE / "render.js")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    )
    theirs = [
        (document["citations"] or [document["error"] or ""])[0]
        for document in json.loads(done.stdout)["documents"]
    ]
    style = load_style(style_xml.encode())
    same, differing = 0, []
    for item, (text, lang), their in zip(items, CASES, theirs, strict=True):
        processor = Processor.for_style(style, [item])
        citation = processor.citation([{"id": item["id"]}])
        processor.register(citation)
        ours = processor.cite(citation)
        if ours == their:
            same += 1
        else:
            differing.append((text, lang, ours, their))
    return same, differing


def _locales_dir() -> Path:
    import citeproc

    return Path(citeproc.__file__).resolve().parent / "data" / "locales"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="print agreement, write nothing")
    parser.add_argument("--render", action="store_true", help="render in both engines")
    args = parser.parse_args(argv)
    if args.render:
        for locale in ("en-US", "de-DE"):
            same, differing = render(locale)
            print(f"{locale}: {same} of {len(CASES)} dates rendered alike")
            for text, lang, ours, their in differing:
                where = f"{text!r}@{lang}" if lang else repr(text)
                print(f"  {where}: citekit {ours!r}, citeproc-js {their!r}")
        return 0
    texts = [text for text, _ in CASES]
    readings = citeproc_js(texts)
    rows = [
        {"text": text, "language": lang, "citeproc_js": reading}
        for (text, lang), reading in zip(CASES, readings, strict=True)
    ]
    if args.check:
        same = sum(
            citekit_reading(row["text"], row["language"]) == row["citeproc_js"] for row in rows
        )
        print(f"{same} of {len(rows)} cases read as citeproc-js reads them")
        return 0
    TABLE.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} cases written to {TABLE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
