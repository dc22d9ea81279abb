"""citekit check: one case per defect, and clean look-alikes that must not be reported.

Each case is one BibTeX entry (or a few) built from a complete, clean article
with one change. A defect case names the rule that must report it, the key
and the field; the finding must be on that entry and on the field's line (the
entry's line for entry-level rules). A clean case must give no error and no
warning at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import citekit
from citekit.checks import Finding, check, rule_classes
from citekit.cli import main

CLEAN_ARTICLE = {
    "author": "{Smith, John and Doe, Jane}",
    "title": "{A Study of Things}",
    "journal": "{Journal of Things}",
    "year": "{2001}",
    "volume": "{3}",
    "pages": "{1--10}",
}
CLEAN_BIBLATEX = {
    "author": "{Smith, John and Doe, Jane}",
    "title": "{A Study of Things}",
    "journaltitle": "{Journal of Things}",
    "date": "{2001}",
    "volume": "{3}",
    "pages": "{1--10}",
}


def entry(
    kind: str = "article",
    key: str = "k",
    base: dict[str, str] | None = None,
    **changes: str | None,
) -> str:
    """A BibTeX entry: ``base`` (a clean article) with fields changed, added or
    (``None``) removed; one field a line."""
    fields = dict(CLEAN_ARTICLE if base is None else base)
    for name, value in changes.items():
        name = name.rstrip("_")
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    body = ",\n".join(f"  {name} = {value}" for name, value in fields.items())
    return f"@{kind}{{{key},\n{body}\n}}\n"


def biblatex(kind: str = "article", key: str = "k", **changes: str | None) -> str:
    """A biblatex entry, from a clean biblatex article."""
    return entry(kind, key, CLEAN_BIBLATEX, **changes)


@attrs.frozen
class Case:
    id: str
    text: str
    rule: str | None = None
    """The rule that must report the defect; None for a clean case."""
    key: str = "k"
    field: str | None = None
    """The field the finding is on (its line is checked); None: the entry's line."""
    dialect: str = "bibtex"
    severity: str | None = None
    """The severity expected, when it matters (info cases)."""


def defect(id: str, text: str, rule: str, field: str | None = None, **kw: str) -> Case:
    return Case(id, text, rule, field=field, **kw)  # type: ignore[arg-type]


def clean(id: str, text: str, dialect: str = "bibtex") -> Case:
    return Case(id, text, None, dialect=dialect)


BOOK = {
    "author": "{Smith, John}",
    "title": "{A Book}",
    "publisher": "{Free Press}",
    "address": "{New York}",
    "year": "{1999}",
}

DEFECTS = [
    # -- fields
    defect("no-title", entry(title=None), "missing-field"),
    defect("no-journal", entry(journal=None), "missing-field"),
    defect("no-year", entry(year=None), "missing-field"),
    defect("book-no-publisher", entry("book", base=BOOK, publisher=None), "missing-field"),
    defect(
        "incollection-no-booktitle",
        entry("incollection", base=BOOK, journal=None),
        "missing-field",
    ),
    defect(
        "biblatex-no-journaltitle",
        biblatex(journaltitle=None),
        "missing-field",
        dialect="biblatex",
    ),
    defect(
        "biblatex-online-no-url",
        biblatex("online", journaltitle=None),
        "missing-field",
        dialect="biblatex",
    ),
    defect(
        "biblatex-no-date",
        biblatex(date=None),
        "missing-field",
        dialect="biblatex",
    ),
    defect("undefined-macro", entry(month="january"), "load-problem", "month"),
    defect("unknown-type", entry("artikel"), "unknown-entry-type"),
    defect("unknown-type-biblatex", biblatex("jornal"), "unknown-entry-type", dialect="biblatex"),
    # -- identifiers
    defect("doi-url", entry(doi="{https://doi.org/10.1000/xyz123}"), "doi-resolver", "doi"),
    defect("doi-dx", entry(doi="{http://dx.doi.org/10.1000/xyz123}"), "doi-resolver", "doi"),
    defect("doi-prefix", entry(doi="{doi:10.1000/xyz123}"), "doi-resolver", "doi"),
    defect("doi-other-host", entry(doi="{doi.acm.org/10.1145/316188}"), "doi-resolver", "doi"),
    defect("doi-not-10", entry(doi="{11.1000/xyz}"), "doi-syntax", "doi"),
    defect("doi-no-slash", entry(doi="{10.1000xyz}"), "doi-syntax", "doi"),
    defect("doi-registrant", entry(doi="{10.abc/xyz}"), "doi-syntax", "doi"),
    defect("doi-space", entry(doi="{10.1000/xyz 123}"), "doi-syntax", "doi"),
    defect("isbn10-check", entry(isbn="{0-306-40615-3}"), "isbn-check-digit", "isbn"),
    defect("isbn13-check", entry(isbn="{978-0-306-40615-8}"), "isbn-check-digit", "isbn"),
    defect("isbn-length", entry(isbn="{0-306-4061}"), "isbn-check-digit", "isbn"),
    defect(
        "isbn-second-of-two",
        entry(isbn="{0-306-40615-2; 0-306-40615-3}"),
        "isbn-check-digit",
        "isbn",
    ),
    Case(
        "isbn-unhyphenated",
        entry(isbn="{0306406152}"),
        "isbn-hyphenation",
        field="isbn",
        severity="info",
    ),
    Case(
        "isbn-misplaced-hyphens",
        entry(isbn="{0-816-52066-6}"),
        "isbn-hyphenation",
        field="isbn",
        severity="info",
    ),
    defect("issn-check", entry(issn="{1234-5678}"), "issn-check-digit", "issn"),
    defect("issn-form", entry(issn="{1234-567}"), "issn-check-digit", "issn"),
    defect("ismn-check", entry(ismn="{M-2306-7118-6}"), "ismn-check-digit", "ismn"),
    defect(
        "arxiv-month",
        entry(eprint="{1313.00001}", eprinttype="{arxiv}"),
        "arxiv-id",
        "eprint",
    ),
    defect(
        "arxiv-garbage",
        entry(eprint="{arxiv-paper-12}", archiveprefix="{arXiv}"),
        "arxiv-id",
        "eprint",
    ),
    defect("pmid", entry(pmid="{12a45}"), "pmid-syntax", "pmid"),
    defect("pmcid", entry(pmcid="{PM12345}"), "pmcid-syntax", "pmcid"),
    defect("orcid", entry(orcid="{0000-0002-1825-0098}"), "orcid-check-digit", "orcid"),
    defect("url-scheme-typo", entry(url="{htp://example.org/page}"), "url-syntax", "url"),
    defect("url-two-dots-no-scheme", entry(url="{doi.acm.org/10.1145/1}"), "url-syntax", "url"),
    defect(
        "orcid-in-name",
        biblatex(author="{family=Smith, given=John, orcid=0000-0002-1825-0098}"),
        "orcid-check-digit",
        "author",
        dialect="biblatex",
    ),
    defect("arxiv-prefix", entry(eprint="{arXiv:9912.1234567}"), "arxiv-id", "eprint"),
    defect("url-no-scheme", entry(url="{www.example.org/page}"), "url-syntax", "url"),
    defect("url-no-host", entry(url="{http:///page}"), "url-syntax", "url"),
    defect("url-text", entry(url="{Available from the author}"), "url-syntax", "url"),
    defect(
        "shared-doi",
        entry(key="a", doi="{10.1000/xyz123}")
        + "\n"
        + entry(key="k", title="{Another}", doi="{https://doi.org/10.1000/XYZ123}"),
        "shared-identifier",
        "doi",
    ),
    # -- dates and numbers
    defect("month-13", entry(month="{13}"), "month-invalid", "month"),
    defect("month-0", entry(month="0"), "month-invalid", "month"),
    defect("month-word", biblatex(month="{Smarch}"), "month-invalid", "month", dialect="biblatex"),
    defect("month-typo-bibtex", entry(month="{Marth}"), "month-invalid", "month"),
    defect(
        "date-feb-30", biblatex(date="{2001-02-30}"), "date-invalid", "date", dialect="biblatex"
    ),
    defect("date-month-13", biblatex(date="{2001-13}"), "date-invalid", "date", dialect="biblatex"),
    defect(
        "date-feb-29", biblatex(date="{2001-02-29}"), "date-invalid", "date", dialect="biblatex"
    ),
    defect(
        "urldate-words",
        biblatex(urldate="{March 14, 2001}"),
        "date-invalid",
        "urldate",
        dialect="biblatex",
    ),
    defect(
        "year-roman",
        biblatex(date=None, year="{MCMXLIV}"),
        "year-invalid",
        "year",
        dialect="biblatex",
    ),
    defect(
        "year-five-digits",
        biblatex(date=None, year="{19999}"),
        "year-invalid",
        "year",
        dialect="biblatex",
    ),
    defect(
        "year-date-disagree",
        biblatex(year="{1999}", date="{2001-05}"),
        "date-mismatch",
        "year",
        dialect="biblatex",
    ),
    defect(
        "month-date-disagree",
        biblatex(month="{4}", date="{2001-05}"),
        "date-mismatch",
        "month",
        dialect="biblatex",
    ),
    defect("day-31-april", entry(month="apr", day="{31}"), "day-invalid", "day"),
    defect("day-40", entry(day="{40}"), "day-invalid", "day"),
    defect(
        "year-letter-o-bibtex", entry(year="{20O1}"), "year-invalid", "year", severity="warning"
    ),
    defect("pages-descending", entry(pages="{45--12}"), "page-range-descending", "pages"),
    defect("pages-abbrev-descending", entry(pages="{95--2}"), "page-range-descending", "pages"),
    defect(
        "month-name-biblatex",
        biblatex(month="{January}"),
        "month-name",
        "month",
        dialect="biblatex",
    ),
    Case("pages-hyphen", entry(pages="{12-34}"), "page-range-dash", field="pages", severity="info"),
    # -- names
    defect("and-and", entry(author="{Smith, John and and Doe, Jane}"), "name-empty", "author"),
    defect("trailing-and", entry(author="{Smith, John and}"), "name-empty", "author"),
    defect("leading-and", entry(editor="{and Smith, John}"), "name-empty", "editor"),
    defect(
        "suffix-as-given",
        entry(author="{Martin Luther King, Jr.}"),
        "name-suffix-as-given",
        "author",
    ),
    defect(
        "suffix-last",
        entry(author="{King, Martin Luther, Jr.}"),
        "name-suffix-as-given",
        "author",
    ),
    defect(
        "protected-comma",
        entry(author="{{Smith, John} and Doe, Jane}"),
        "name-protected-comma",
        "author",
    ),
    defect(
        "protected-comma-particle",
        entry(author="{{van Gogh, Vincent}}"),
        "name-protected-comma",
        "author",
    ),
    # -- text
    defect("mojibake-e-acute", entry(title="{Ã‰tudes sur la sociÃ©tÃ©}"), "mojibake", "title"),
    defect("mojibake-quote", entry(title="{Donâ€™t Look Back}"), "mojibake", "title"),
    defect("replacement-char", entry(journal="{Journal of Th\ufffdngs}"), "mojibake", "journal"),
    defect("control-bell", entry(title="{A Study\x07 of Things}"), "control-character", "title"),
    defect("control-zwsp", entry(title="{A Study\u200b of Things}"), "control-character", "title"),
    defect(
        "brace-never-closed",
        entry(title="{A {Study of Things}") + "\n" + entry(key="next"),
        "unbalanced-braces",
        "title",
    ),
    defect("quotes-unpaired", entry(title="{A ``Study of Things}"), "unbalanced-quotes", "title"),
    defect("straight-quote", entry(title='{The "Best Title}'), "unbalanced-quotes", "title"),
    defect("curly-quotes", entry(title="{The \u201cBest Title}"), "unbalanced-quotes", "title"),
    defect("ampersand", entry(journal="{Journal of Things & Stuff}"), "latex-special", "journal"),
    defect("percent", entry(title="{Growth of 5% a Year}"), "latex-special", "title"),
    defect("underscore", entry(title="{The x_1 Problem}"), "latex-special", "title"),
    defect("hash", entry(note="{Issue #4}"), "latex-special", "note"),
    Case(
        "space-inside",
        entry(title="{ A Study of Things }"),
        "trailing-space",
        field="title",
        severity="info",
    ),
    # -- references
    defect(
        "crossref-missing",
        entry("incollection", base=BOOK, crossref="{nowhere}"),
        "crossref-missing",
        "crossref",
    ),
    defect(
        "xdata-missing",
        biblatex(xdata="{nowhere}"),
        "crossref-missing",
        "xdata",
        dialect="biblatex",
    ),
    defect("xref-missing", entry(xref="{nowhere}"), "crossref-missing", "xref"),
    defect(
        "crossref-cycle",
        entry("incollection", key="a", base=BOOK, booktitle="{B}", crossref="{k}")
        + "\n"
        + entry("incollection", key="k", base=BOOK, booktitle="{B}", crossref="{a}"),
        "crossref-cycle",
        "crossref",
    ),
    defect(
        "crossref-self",
        entry("incollection", base=BOOK, booktitle="{B}", crossref="{k}"),
        "crossref-cycle",
        "crossref",
    ),
    defect(
        "duplicate-key", entry(key="k") + "\n" + entry(key="k", title="{Other}"), "duplicate-key"
    ),
    defect(
        "key-case",
        entry(key="Smith") + "\n" + entry(key="smith", title="{Other}"),
        "duplicate-key",
        key="smith",
    ),
    Case("key-pandoc", entry(key="smith2001+"), "key-invalid", key="smith2001+", severity="info"),
]

ORG = "{{World Health Organization}}"
CLEAN = [
    clean("article", entry()),
    clean("book", entry("book", base=BOOK)),
    clean("book-editor", entry("book", base=BOOK, author=None, editor="{Smith, John}")),
    clean("misc-bare", "@misc{k,\n  note = {Anything}\n}\n"),
    clean("biblatex-article", biblatex(), "biblatex"),
    clean("biblatex-article-bibtex-names", biblatex(journaltitle=None, journal="{J}"), "biblatex"),
    clean(
        "biblatex-online-eprint",
        biblatex("online", journaltitle=None, eprint="{1501.00001}", eprinttype="{arxiv}"),
        "biblatex",
    ),
    clean(
        "biblatex-book-translator",
        biblatex("book", journaltitle=None, author=None, translator="{Vizedom, Monika B.}"),
        "biblatex",
    ),
    clean(
        "biblatex-phdthesis-alias",
        biblatex("phdthesis", journaltitle=None, institution="{MIT}"),
        "biblatex",
    ),
    clean(
        "biblatex-report-no-type",
        biblatex("report", journaltitle=None, institution="{MIT}"),
        "biblatex",
    ),
    clean("unpublished", entry("unpublished", journal=None, note="{Manuscript}")),
    clean("doi-bare", entry(doi="{10.1000/xyz123}")),
    clean("doi-escaped", entry(doi="{10.1000/a\\_b}")),
    clean("doi-long-registrant", entry(doi="{10.1000.10/abc}")),
    clean("isbn10", entry(isbn="{0-306-40615-2}")),
    clean("isbn13", entry(isbn="{978-0-306-40615-7}")),
    clean("isbn-x", entry(isbn="{0-8044-2957-X}")),
    clean("isbn-two", entry(isbn="{0-306-40615-2; 978-0-306-40615-7}")),
    clean("isbn-two-spaces", entry(isbn="{0-306-40615-2 978-0-306-40615-7}")),
    clean("isbn-qualifier", entry(isbn="{0-306-40615-2 (pbk.)}")),
    clean("isbn-label", entry(isbn="{ISBN 0-306-40615-2}")),
    clean("issn", entry(issn="{0097-8493}")),
    clean("issn-x", entry(issn="{1050-124X}")),
    clean("ismn", entry(ismn="{979-0-2306-7118-7}")),
    clean("arxiv-old", entry(eprint="{math/0307200v3}", eprinttype="{arxiv}")),
    clean("arxiv-new", entry(eprint="{1501.00001}", archiveprefix="{arXiv}")),
    clean("eprint-other", entry(eprint="{hdl:1234}", eprinttype="{hdl}")),
    clean("pmid-pmcid", entry(pmid="{12345678}", pmcid="{PMC1234567}")),
    clean("orcid", entry(orcid="{https://orcid.org/0000-0002-1825-0097}")),
    clean("url", entry(url="{https://example.org/a_b%20c?x=1&y=2#top}")),
    clean("url-wrapped", entry(url="{\\url{https://example.org/page}}")),
    clean("url-ftp", entry(url="{ftp://ftp.example.org/pub/file.txt}")),
    clean("month-macro", entry(month="jan")),
    clean("month-number", entry(month="{9}")),
    clean("month-words-bibtex", entry(month="{September 14th}")),
    clean("month-range", entry(month="{Jan.--Feb.}")),
    clean("month-season", entry(month="{Spring}")),
    clean("biblatex-month-number", biblatex(month="9"), "biblatex"),
    clean("biblatex-month-macro", biblatex(month="sep"), "biblatex"),
    clean("date-leap", biblatex(date="{2000-02-29}"), "biblatex"),
    clean("date-range", biblatex(date="{1998/2001-03}"), "biblatex"),
    clean("date-open", biblatex(date="{1998/..}"), "biblatex"),
    clean("date-approx", biblatex(date="{1998~}"), "biblatex"),
    clean("year-date-agree", biblatex(year="{2001}", date="{2001-05-03}"), "biblatex"),
    clean("year-range", entry(year="{1998--2001}")),
    clean("year-forthcoming-bibtex", entry(year="{forthcoming}")),
    clean("pages-abbrev", entry(pages="{123--45}")),
    clean("pages-prefix", entry(pages="{S12--S19}")),
    clean("pages-article-number", entry(pages="{e1234}")),
    clean("pages-list", entry(pages="{1--10, 12--15}")),
    clean("and-others", entry(author="{Smith, John and others}")),
    clean("suffix-right", entry(author="{King, Jr., Martin Luther}")),
    clean("initials-jr", entry(author="{Rodrigue, JR and Smith, V}")),
    clean("organisation", entry(author=ORG)),
    clean("organisation-comma", entry(author="{{Department of Sociology, University of Chicago}}")),
    clean("particles", entry(author="{van der Berg, Jan and de la Fontaine, Jean}")),
    clean("escaped-ampersand", entry(journal="{Journal of Things \\& Stuff}")),
    clean("math", entry(title="{The $x_1^2$ Problem}")),
    clean("accents", entry(title="{{\\\"U}ber {\\'E}tudes and {{Protected}} Words}")),
    clean("quotes-paired", entry(title="{A ``Study'' of Things}")),
    clean("straight-quotes-paired", entry(title='{The "Best" Title}')),
    clean("babel-shorthand", entry(title='{M"uller und die Stra"se}')),
    clean("accent-command", entry(title='{{\\"O}sterreich und M{\\"u}nchen}')),
    clean("german-quotes", entry(title="{Das \u201eBeste\u201c Buch}")),
    clean("curly-quotes-paired", entry(title="{The \u201cBest\u201d Title}")),
    clean("day", entry(month="feb", day="{29}", year="{2000}")),
    clean("url-mailto", entry(url="{mailto:someone@example.org}")),
    clean(
        "orcid-in-name-valid",
        biblatex(author="{family=Smith, given=John, orcid=0000-0002-1825-0097}"),
        "biblatex",
    ),
    clean("unicode", entry(title="{Études sur São Paulo: Ürümqi, Łódź, Ørsted}")),
    clean("keywords-underscore", entry(keywords="{data_science, r&d}")),
    clean("opt-field", entry(optannote="{R&D ``quoted}", opturl="{a%b}")),
    clean("sorttitle", biblatex(sorttitle="{Computers & Typesetting}"), "biblatex"),
    clean(
        "crossref",
        entry("incollection", key="a", base=BOOK, booktitle="{B}")
        + "\n"
        + entry("incollection", base=BOOK, crossref="{a}"),
    ),
    clean(
        "chapters-share-isbn",
        entry("incollection", key="a", base=BOOK, booktitle="{B}", isbn="{0-306-40615-2}")
        + "\n"
        + entry("incollection", base=BOOK, booktitle="{B}", isbn="{0-306-40615-2}"),
    ),
    clean("key-colon", entry(key="smith:2001a")),
]

CASES = DEFECTS + CLEAN


def run(case: Case) -> list[Finding]:
    library = citekit.loads(case.text, "bibtex", path="refs.bib")
    return check(library, dialect=case.dialect)


def line_of(text: str, key: str, field: str | None) -> int:
    """The line of ``key``'s entry (its last occurrence), or of the field in it."""
    lines = text.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("@") and f"{{{key}," in line)
    if field is None:
        return start + 1
    for index in range(start, len(lines)):
        if lines[index].strip().startswith(f"{field} ="):
            return index + 1
    raise AssertionError(f"no field {field} in {key}")


def test_enough_cases() -> None:
    assert len(CASES) >= 60
    families = {rule_classes()[case.rule].family for case in DEFECTS if case.rule}
    assert families >= {"fields", "identifiers", "dates", "names", "text", "references"}


@pytest.mark.parametrize("case", DEFECTS, ids=lambda c: c.id)
def test_defect_is_found_on_its_entry_and_line(case: Case) -> None:
    findings = run(case)
    assert case.rule is not None
    mine = [f for f in findings if f.rule == case.rule and f.key == case.key]
    assert mine, f"{case.rule} not reported; got {[str(f) for f in findings]}"
    expected_line = line_of(case.text, case.key, case.field)
    assert any(f.line == expected_line for f in mine), [str(f) for f in mine]
    if case.field is not None:
        assert any(f.field == case.field for f in mine)
    if case.severity is not None:
        assert all(f.severity == case.severity for f in mine)
    for finding in mine:
        assert finding.path == "refs.bib"
        assert finding.message.strip()


@pytest.mark.parametrize("case", CLEAN, ids=lambda c: c.id)
def test_clean_look_alike_gives_no_error_or_warning(case: Case) -> None:
    serious = [str(f) for f in run(case) if f.severity in ("error", "warning")]
    assert serious == []


# -- CSL-JSON ------------------------------------------------------------------------


def test_csl_json_items_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(
        '[\n  {"id": "a", "type": "book", "title": "T",\n'
        '   "DOI": "https://doi.org/10.1000/xyz123"},\n'
        '  {"id": "b", "type": "article-journal",\n'
        '   "title": "U", "ISSN": "1234-5678"},\n'
        '  {"id": "c", "type": "article-journal",\n'
        '   "title": "V", "container-title": "W", "DOI": "10.1000/xyz123"}\n]\n',
        encoding="utf-8",
    )
    findings = check(citekit.load(path))
    got = {(f.rule, f.key, f.line) for f in findings}
    assert ("doi-resolver", "a", 3) in got
    assert ("issn-check-digit", "b", 5) in got
    assert ("missing-field", "b", 4) in got
    assert ("shared-identifier", "c", 7) in got
    assert all(f.fix is None for f in findings)  # fixes are for BibTeX files
    assert not [f for f in findings if f.key == "c" and f.rule != "shared-identifier"]


# -- the issue's example -------------------------------------------------------------

ISSUE_EXAMPLE = """@article{broken,
  author = {Smith, John},
  year = {2001},
  issn = {1234-5678}
}

@article{one,
  author = {Doe, Jane},
  title = {One},
  journal = {J},
  year = {2002},
  doi = {10.1000/xyz123}
}

@article{two,
  author = {Doe, Jane},
  title = {Two},
  journal = {J},
  year = {2002},
  doi = {https://doi.org/10.1000/XYZ123}
}
"""


def test_the_issue_example() -> None:
    findings = check(citekit.loads(ISSUE_EXAMPLE, "bibtex", path="refs.bib"))
    got = {(f.rule, f.key, f.line, f.severity) for f in findings}
    assert ("missing-field", "broken", 1, "error") in got  # no title
    assert ("missing-field", "broken", 1, "warning") in got  # no journal
    assert ("issn-check-digit", "broken", 4, "error") in got
    assert ("doi-resolver", "two", 20, "warning") in got
    assert ("shared-identifier", "two", 20, "warning") in got
    first = findings[0]
    assert (first.rule, first.severity, first.line, first.key, first.field) == (
        "missing-field",
        "error",
        1,
        "broken",
        "title",  # the missing field, on the entry's line
    )


def test_cli_text_json_sarif_and_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:4: error: broken: the check digit of ISSN 1234-5678" in out
    assert out.rstrip().splitlines()[-1].endswith("[shared-identifier]")
    assert main(["check", str(path), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert all(
        set(item) == {"rule", "severity", "path", "line", "key", "field", "message", "fix"}
        for item in data
    )
    doi = next(item for item in data if item["rule"] == "doi-resolver")
    assert doi["fix"]["new"] == "{10.1000/XYZ123}"
    assert main(["check", str(path), "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["level"] for r in results} <= {"error", "warning", "note"}
    ids = [rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    # Only warnings left: status 0.
    assert main(["check", str(path), "--ignore", "missing-field,issn-check-digit"]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--select", "doi-resolver"]) == 0
    assert capsys.readouterr().out.count("\n") == 1
    # The rules before the file, as a user types them.
    assert main(["check", "--select", "doi-resolver", "issn-check-digit", str(path)]) == 1
    assert capsys.readouterr().out.count("\n") == 2


def test_cli_unreadable_and_unknown_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "missing.bib")]) == 2
    assert "cannot read file" in capsys.readouterr().err
    path = tmp_path / "refs.bib"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    assert main(["check", str(path), "--select", "no-such-rule"]) == 2
    assert "isbn-check-digit" in capsys.readouterr().err  # lists the rules
    assert main(["check", str(path), "--dry-run"]) == 2


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--list-rules"]) == 0
    out = capsys.readouterr().out
    for rule in ("missing-field", "isbn-check-digit", "doi-resolver", "cited-missing"):
        assert rule in out


# -- manuscripts -----------------------------------------------------------------------


def test_manuscript_rules(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(entry(key="cited") + "\n" + entry(key="unused"), encoding="utf-8")
    essay = tmp_path / "essay.md"
    essay.write_text("As shown [@cited, p. 3].\n\nAnd @missing2001 says so.\n", encoding="utf-8")
    findings = check(citekit.load(bib), manuscripts=[essay])
    got = {(f.rule, f.key, f.path, f.line, f.severity) for f in findings}
    assert ("cited-missing", "missing2001", str(essay), 3, "error") in got
    assert ("never-cited", "unused", str(bib), 10, "info") in got
    assert not [f for f in findings if f.key == "cited"]
    tex = tmp_path / "paper.tex"
    tex.write_text("\\nocite{*}\n", encoding="utf-8")
    assert not check(citekit.load(bib), manuscripts=[tex])
    assert not check(citekit.load(bib))  # without manuscripts the rules are silent


# -- plug-ins --------------------------------------------------------------------------


def test_a_third_party_rule(tmp_path: Path) -> None:
    from citekit import plugins
    from citekit.checks import EntryRule

    class NoNote(EntryRule):
        """Entries without a note."""

        id = "no-note"
        severity = "info"
        family = "house"
        rationale = "Our house style wants a note on every entry."

        def check_entry(self, entry, context):  # type: ignore[no-untyped-def]
            if "note" not in entry.fields:
                yield self.finding(context, entry, None, "no note")

    plugins.register(plugins.CHECKS, "no-note", NoNote)
    try:
        library = citekit.loads(entry(), "bibtex", path="refs.bib")
        findings = check(library, rules=["no-note"])
        assert [(f.rule, f.key, f.line) for f in findings] == [("no-note", "k", 1)]
        assert "no-note" in rule_classes()
    finally:
        plugins.unregister(plugins.CHECKS, "no-note")
    assert "no-note" not in rule_classes()


def test_every_rule_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "check.md").read_text("utf-8")
    for rule_id, cls in rule_classes().items():
        assert cls.rationale and cls.__doc__, rule_id
        assert f"`{rule_id}`" in docs, rule_id
