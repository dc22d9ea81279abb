"""The BibTeX/BibLaTeX format: values, LaTeX, types, fields, problems, writing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import attrs
import pytest

import citekit
from citekit import Date, DateParts, Excerpt, Person, QuotedIn, Role, Work, WorkType
from citekit.formats import latex
from citekit.formats.bibtex import (
    BibtexFormat,
    BibtexOrigin,
    entry_type_for,
    format_entry,
    resolve_value,
    work_type_for,
)
from citekit.formatters.bibtex import BibtexFormatter

FORMAT = BibtexFormat()


def load(text: str, **kwargs: object) -> citekit.Library:
    return citekit.loads(textwrap.dedent(text), "bibtex", **kwargs)  # type: ignore[arg-type]


def write(library: citekit.Library) -> str:
    return FORMAT.write(library).decode("utf-8")


# --- LaTeX to Unicode -----------------------------------------------------------------

DECODE_CASES = [
    (r"{\"u}ber", "über"),
    (r"\"{u}ber", "über"),
    (r"\'e", "é"),
    (r"\'{e}", "é"),
    (r"{\'\i}", "í"),
    (r"\`a", "à"),
    (r"\^o", "ô"),
    (r"\~n", "ñ"),
    (r"\c{c}", "ç"),
    (r"{\c C}", "Ç"),
    (r"\v{s}", "š"),
    (r"\H{o}", "ő"),
    (r"\k{a}", "ą"),
    (r"\=a", "ā"),
    (r"\u{g}", "ğ"),
    (r"\r{a}", "å"),
    (r"{\ss}", "ß"),
    (r"{\o}", "ø"),
    (r"{\AE}", "Æ"),
    (r"{\l}", "ł"),
    (r"\aa", "å"),
    (r"\& \% \$ \# \_", "& % $ # _"),
    ("1--2", "1–2"),
    ("a---b", "a—b"),
    ("``quoted''", "“quoted”"),
    ("`single'", "‘single'"),
    ("Lenin's Heir?", "Lenin's Heir?"),
    ("a~b", "a\u00a0b"),
    (r"\textit{x}", "x"),
    (r"\emph{x} and \textbf{y}", "x and y"),
    (r"\textsc{Small}", "Small"),
    (r"x\textsuperscript{2}", "x2"),
    (r"\ldots", "…"),
    (r"\textendash\ \textemdash", "– —"),
    (r"\LaTeX{} and \TeX", "LaTeX and TeX"),
    ("multi\n\t\t  line   text", "multi line text"),
    (r"\url{http://x.org/a_b}", "http://x.org/a_b"),
    (r"\href{http://x.org}{the text}", "the text"),
    (r"\mkbibquote{Q}", "“Q”"),
    (r"{\noopsort{1973b}}1973", "1973"),
    (r"\textgreek{logos}", "logos"),  # pylatexenc's fallback
    (r"$x^2$", "x^2"),  # math, through pylatexenc
    (r"\textbraceleft{}\textbraceright{} \textbackslash{}", "{} \\"),
]


@pytest.mark.parametrize(("source", "plain"), DECODE_CASES)
def test_latex_decoding_table(source: str, plain: str) -> None:
    assert latex.decode(source)[0] == plain


@pytest.mark.parametrize(
    ("source", "rich"),
    [
        (
            r"The {DNA} of {\emph{Homo}}",
            'The <span class="nocase">DNA</span> of <span class="nocase"><i>Homo</i></span>',
        ),
        (r"{\"U}ber {DNA}", 'Über <span class="nocase">DNA</span>'),
        (r"{\it Homo sapiens} rules", "<i>Homo sapiens</i> rules"),
        (r"\textbf{bold} x\textsuperscript{2}", "<b>bold</b> x<sup>2</sup>"),
        (r"\textsc{sc}", '<span style="font-variant:small-caps;">sc</span>'),
        (r"{{nested} deep}", '<span class="nocase">nested deep</span>'),
        (r"A \& B < C", None),  # plain text needs no markup
        (r"{\ss}", None),  # a special character is not case protection
        # a group inside a word protects the whole word
        (r"{E}urope", '<span class="nocase">Europe</span>'),
        (
            r"Mc{G}ill and {DNA}s",
            '<span class="nocase">McGill</span> and <span class="nocase">DNAs</span>',
        ),
        (r"{E}uro{P}e", '<span class="nocase">Euro</span><span class="nocase">Pe</span>'),
        (r"{N}ew-{Y}ork", '<span class="nocase">New</span>-<span class="nocase">York</span>'),
        (r"A {B} c", 'A <span class="nocase">B</span> c'),
    ],
)
def test_latex_markup(source: str, rich: str | None) -> None:
    assert latex.decode(source)[1] == rich


@pytest.mark.parametrize(
    "plain",
    [
        "x & y % $ # _ { } ~ ^ \\ ` '' -- --- “q” ’ <tag> A\u00a0B",
        "a--b and c---d and '''",
        "{unbalanced",
        "Müller, Çetin, ß",
    ],
)
def test_encoding_reads_back(plain: str) -> None:
    encoded = latex.encode_plain(plain)
    assert latex.decode(encoded)[0] == plain
    assert encoded.count("{") == encoded.count("}")


def test_paragraphs() -> None:
    assert latex.decode("one\n\n  two", paragraphs=True)[0] == "one\n\ntwo"
    assert latex.decode("one\n\n  two")[0] == "one two"
    assert latex.decode(latex.encode_plain("one\n\ntwo"), paragraphs=True)[0] == "one\n\ntwo"


def test_ascii_encoding() -> None:
    assert latex.encode_plain("Müller – ß", ascii=True) == r"M{\"{u}}ller -- {\ss}"
    assert latex.decode(latex.encode_plain("Çetin naïve", ascii=True))[0] == "Çetin naïve"


def test_rich_to_latex() -> None:
    markup = 'The <span class="nocase">DNA</span> of <i>Homo</i> &amp; <b>x</b>'
    assert latex.encode_rich(markup) == r"The {DNA} of \textit{Homo} \& \textbf{x}"
    assert latex.decode(latex.encode_rich(markup))[1] == markup
    # Broken markup still gives balanced braces.
    assert latex.encode_rich("<i>open</b> </span>") == r"\textit{open }"


# --- values and macros -------------------------------------------------------------------


def test_resolve_value() -> None:
    macros = {"jd": "J. Doe"}
    assert resolve_value("{a {b} c}", macros) == ("a {b} c", [])
    assert resolve_value('"quoted {x}"', macros) == ("quoted {x}", [])
    assert resolve_value("2001", macros) == ("2001", [])
    assert resolve_value('jd # " and " # {X}', macros) == ("J. Doe and X", [])
    assert resolve_value("JD", macros) == ("J. Doe", [])  # macro names ignore case
    assert resolve_value("jan", macros) == ("January", [])
    value, problems = resolve_value("nope # {x}", macros)
    assert value == "nopex"
    assert problems == ["undefined macro 'nope' (no @string defines it before here)"]


def test_string_and_month_macros() -> None:
    library = load(
        """\
        @string{ajs = {American Journal of Sociology}}
        @STRING(ed = "Second")
        @article{a,
          journal = ajs,
          edition = ed # { edition},
          year = 1944, month = mar,
        }
        @article{b, journal = later, year = {1999}, month = {December}}
        @string{later = {Defined Too Late}}
        @article{c, year = 2001, month = 11, day = 5}
        """
    )
    a, b, c = library["a"], library["b"], library["c"]
    assert a.container_title == "American Journal of Sociology"
    assert a.edition == "Second edition"
    assert a.issued == Date.of(1944, 3)
    assert b.issued == Date.of(1999, 12)
    assert b.container_title == "later"
    assert c.issued == Date.of(2001, 11, 5)
    [problem] = library.problems
    assert problem.severity == "warning"
    assert (problem.line, problem.key, problem.field) == (8, "b", "journal")
    assert "undefined macro 'later'" in problem.message


@pytest.mark.parametrize(
    ("fields", "issued"),
    [
        ("year = 2001", Date.of(2001)),
        ("year = 2001, month = {September 14th}", Date.of(2001, 9, 14)),
        ("year = 2001, month = {Winter}", Date(start=DateParts(2001, season=4))),
        ("year = 2001, month = {Jan-Feb}", Date(start=DateParts(2001, 1), end=DateParts(2001, 2))),
        ("date = {1984/1986}", Date(start=DateParts(1984), end=DateParts(1986))),
        ("date = {2004-10-27}", Date.of(2004, 10, 27)),
        ("date = {1930/..}", Date(start=DateParts(1930), open_end=True)),
        ("year = {1990--1995}", Date(start=DateParts(1990), end=DateParts(1995))),
        ("date = {2001-05}, year = 2001, month = may", Date.of(2001, 5)),
    ],
)
def test_dates(fields: str, issued: Date) -> None:
    library = load(f"@misc{{k, {fields}}}")
    assert library["k"].issued == issued
    assert not library.problems
    assert "year" not in library["k"].extra


def test_dates_that_are_not_dates() -> None:
    library = load(
        """\
        @misc{a, year = {Forthcoming}}
        @misc{b, year = 2001, month = {sometime}}
        @online{c, urldate = {March 14, 2001}, date = {2020-13}}
        """
    )
    assert library["a"].issued == Date(literal="Forthcoming")
    assert library["b"].issued == Date.of(2001)
    assert library["b"].extra["month"] == "sometime"
    assert library["c"].accessed == Date.of(2001, 3, 14)
    assert library["c"].issued == Date(literal="2020-13")
    fields = [(p.key, p.field, p.line, p.severity) for p in library.problems]
    assert fields == [
        ("a", "year", 1, "warning"),
        ("b", "month", 2, "warning"),
        ("c", "date", 3, "warning"),
        ("c", "urldate", 3, "warning"),
    ]


# --- types and fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_type", "work_type"),
    [
        ("article", WorkType.ARTICLE_JOURNAL),
        ("Book", WorkType.BOOK),
        ("inbook", WorkType.CHAPTER),
        ("incollection", WorkType.CHAPTER),
        ("inproceedings", WorkType.PAPER_CONFERENCE),
        ("conference", WorkType.PAPER_CONFERENCE),
        ("phdthesis", WorkType.THESIS),
        ("mastersthesis", WorkType.THESIS),
        ("thesis", WorkType.THESIS),
        ("techreport", WorkType.REPORT),
        ("report", WorkType.REPORT),
        ("misc", WorkType.DOCUMENT),
        ("online", WorkType.WEBPAGE),
        ("electronic", WorkType.WEBPAGE),
        ("www", WorkType.WEBPAGE),
        ("unpublished", WorkType.MANUSCRIPT),
        ("manual", WorkType.BOOK),
        ("booklet", WorkType.PAMPHLET),
        ("proceedings", WorkType.BOOK),
        ("collection", WorkType.BOOK),
        ("mvbook", WorkType.BOOK),
        ("patent", WorkType.PATENT),
        ("software", WorkType.SOFTWARE),
        ("dataset", WorkType.DATASET),
        ("whatever", WorkType.DOCUMENT),
    ],
)
def test_entry_types(entry_type: str, work_type: WorkType) -> None:
    library = load(f"@{entry_type}{{k, title = {{T}}}}")
    work = library["k"]
    assert work.type is work_type
    assert work_type_for(entry_type) is work_type
    # Written back clean, in the entry's dialect, the type comes back as it was.
    biblatex = entry_type.lower() in ("report", "thesis")
    rewritten = format_entry(work, biblatex=biblatex)
    assert rewritten.lower().startswith(f"@{entry_type.lower()}{{")
    again = load(rewritten)["k"]
    assert again == work


def test_entry_type_kept_in_extra_only_when_needed() -> None:
    library = load(
        """\
        @inbook{a, title = {T}, year = 2000}
        @incollection{b, title = {T}, year = 2000}
        @phdthesis{c, title = {T}, year = 2000}
        @thesis{d, title = {T}, type = {phdthesis}, date = 2000}
        @mastersthesis{e, title = {T}, year = 2000}
        @techreport{f, title = {T}, year = 2000}
        @article{g, title = {T}, entrysubtype = {magazine}, date = 2000}
        """
    )
    extra = {key: library[key].extra.get("entrytype") for key in library}
    assert extra == {
        "a": "inbook",
        "b": None,
        "c": None,
        "d": None,
        "e": None,
        "f": None,
        "g": None,
    }
    assert library["c"].genre == "PhD thesis"
    assert library["d"].genre == "PhD thesis"
    assert library["e"].genre == "Master's thesis"
    assert library["g"].type is WorkType.ARTICLE_MAGAZINE
    assert entry_type_for(library["a"]) == "inbook"
    assert entry_type_for(library["d"], biblatex=True) == "thesis"
    assert entry_type_for(library["d"]) == "phdthesis"
    assert entry_type_for(library["e"]) == "mastersthesis"
    # A stale entrytype (the work's type changed) is ignored.
    book = attrs.evolve(library["a"], type=WorkType.BOOK)
    assert entry_type_for(book) == "book"


def test_field_mapping() -> None:
    library = load(
        r"""
        @Article{art,
          Author = {de la Fontaine, Jean and {World Health Organization} and King, Jr., Martin},
          Title = {The {DNA} of {\emph{Homo}}},
          Subtitle = {A Study},
          ShortTitle = {DNA},
          JournalTitle = {J. Stuff},
          Volume = {12}, Number = {3}, Pages = {291 - 297},
          Date = {2001-02-03},
          DOI = {10.1000/x\_y}, URL = {https://example.org/a_b}, ISSN = {1234-5678},
          langid = {ngerman}, Keywords = {one, two; three},
          Note = {A note}, Abstract = {First.

            Second.},
          eprint = {1234.5678}, eprinttype = {arxiv},
          Annote = {kept as is: \LaTeX{}},
          date-added = {2008-10-25},
        }
        @book{bk, editor = {Smith, A.}, translator = {Jones, B.}, series = {Lectures},
          number = {4}, address = {Paris}, publisher = {Gallimard}, edition = {2nd}}
        @phdthesis{th, author = {Doe, J.}, school = {MIT}, title = {T}, year = 1999}
        @misc{web, howpublished = {\url{https://example.org}}, title = {W}}
        @inproceedings{ip, booktitle = {Proc. of Things}, organization = {ACM}, author = {X, Y}}
        """
    )
    art = library["art"]
    assert art.type is WorkType.ARTICLE_JOURNAL
    assert art.title == "The DNA of Homo: A Study"
    assert art.rich["title"] == (
        'The <span class="nocase">DNA</span> of <span class="nocase"><i>Homo</i></span>: A Study'
    )
    assert art.title_short == "DNA"
    assert art.container_title == "J. Stuff"
    assert (art.volume, art.issue, art.page) == ("12", "3", "291-297")
    assert art.issued == Date.of(2001, 2, 3)
    assert art.doi == "10.1000/x_y"
    assert art.url == "https://example.org/a_b"
    assert art.issn == "1234-5678"
    assert art.language == "de"
    assert art.keywords == ("one", "two", "three")
    assert art.note == "A note"
    assert art.abstract == "First.\n\nSecond."
    assert art.arxiv == "1234.5678"
    assert art.authors == (
        Person(family="Fontaine", given="Jean", non_dropping_particle="de la"),
        Person(literal="World Health Organization"),
        Person(family="King", given="Martin", suffix="Jr.", comma_suffix=True),
    )
    assert dict(art.extra) == {"annote": r"kept as is: \LaTeX{}", "date-added": "2008-10-25"}
    bk = library["bk"]
    assert bk.editors == (Person(family="Smith", given="A."),)
    assert bk.translators == (Person(family="Jones", given="B."),)
    assert (bk.collection_title, bk.collection_number) == ("Lectures", "4")
    assert (bk.publisher, bk.publisher_place, bk.edition) == ("Gallimard", "Paris", "2nd")
    assert library["th"].publisher == "MIT"
    assert library["th"].genre == "PhD thesis"
    assert library["web"].url == "https://example.org"
    ip = library["ip"]
    assert (ip.container_title, ip.publisher) == ("Proc. of Things", "ACM")
    assert not library.problems


def test_field_names_ignore_case_and_duplicates_warn() -> None:
    library = load("@ARTICLE{k, TITLE = {First}, Title = {Second}, AUTHOR = {A, B}}\n")
    assert library["k"].title == "First"
    [problem] = library.problems
    assert (problem.severity, problem.field, problem.key) == ("warning", "title", "k")


def test_unparsable_names_are_kept() -> None:
    library = load("@misc{k, author = {Doe, J. and , and Roe, R.}}")
    work = library["k"]
    assert work.authors == ()
    assert work.extra["author"] == "Doe, J. and , and Roe, R."
    [problem] = library.problems
    assert problem.field == "author"


# --- crossref and xdata -----------------------------------------------------------------------


def test_crossref_inheritance() -> None:
    library = load(
        """\
        @inproceedings{child, author = {Doe, J.}, title = {Paper}, crossref = {proc},
          pages = {1--9}}
        @proceedings{proc, title = {Proceedings of Things}, editor = {Roe, R.},
          year = 2001, publisher = {ACM}, address = {New York}}
        @inbook{chap, title = {Chapter}, crossref = {bk}}
        @book{bk, author = {Author, A.}, title = {The Book}, subtitle = {Sub},
          shorttitle = {Book}, date = 1999}
        @incollection{orphan, title = {O}, crossref = {missing}}
        @article{x, title = {X}, xdata = {jx}}
        @xdata{jx, journaltitle = {J. X}, date = 2010}
        """
    )
    child = library["child"]
    assert child.container_title == "Proceedings of Things"
    assert child.title == "Paper"
    assert child.editors == (Person(family="Roe", given="R."),)
    assert child.issued == Date.of(2001)
    assert (child.publisher, child.publisher_place) == ("ACM", "New York")
    chap = library["chap"]
    assert chap.container_title == "The Book: Sub"
    assert chap.title == "Chapter"
    assert chap.title_short is None
    assert (
        chap.authors == chap.names(Role.CONTAINER_AUTHOR) == (Person(family="Author", given="A."),)
    )
    assert library["x"].container_title == "J. X"
    assert library["x"].issued == Date.of(2010)
    [problem] = library.problems
    assert (problem.key, problem.field, problem.severity) == ("orphan", "crossref", "warning")


def test_inherited_fields_are_not_written_into_the_child() -> None:
    text = (
        "@inproceedings{child,\n  title = {Paper},\n  crossref = {proc}\n}\n\n"
        "@proceedings{proc,\n  title = {Proc},\n  year = 2001\n}\n"
    )
    library = citekit.loads(text, "bibtex")
    library["child"] = attrs.evolve(library["child"], title="New paper")
    out = write(library)
    assert out == text.replace("{Paper}", "{New paper}")


def test_crossref_loop_is_a_problem() -> None:
    library = load("@book{a, crossref = {b}}\n@book{b, crossref = {a}, title = {T}}")
    assert {p.message.split(" ")[0] for p in library.errors} == {"crossref"}
    assert len(library) == 2


# --- bad input ----------------------------------------------------------------------------------

BAD = """\
@article{good1,
  title = {Fine},
  year = 2001
}

@article{broken,
  title = {Unbalanced {braces,
  year = 2002
}

@book{good2,
  title = {Also fine}
}
@misc{, title = {no key}}
@misc{key with spaces, title = {x}}
"""


def test_bad_entries_become_problems() -> None:
    library = citekit.loads(BAD, "bibtex")
    assert list(library) == ["good1", "good2"]
    errors = library.errors
    assert [(p.line, p.key) for p in errors] == [(6, "broken"), (14, None), (15, "key with spaces")]
    assert "unbalanced braces" in errors[0].message
    assert "line 11" in errors[0].message
    assert "no citation key" in errors[1].message
    # Nothing is lost: the bad text is written back as it was.
    assert FORMAT.write(library) == BAD.encode()


def test_strict_mode_raises(tmp_path: Path) -> None:
    path = tmp_path / "bad.bib"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(citekit.ParseError) as caught:
        citekit.load(path, strict=True)
    assert caught.value.path == str(path)
    assert caught.value.line == 6
    assert f"{path}:6:" in str(caught.value)
    # Warnings alone do not raise.
    path.write_text("@misc{a}\n@misc{a}\n", encoding="utf-8")
    assert len(citekit.load(path, strict=True).duplicates) == 1


def test_duplicate_keys() -> None:
    text = "@misc{a, title = {First}}\n@misc{b}\n@misc{a, title = {Second}}\n"
    library = citekit.loads(text, "bibtex")
    assert library["a"].title == "First"
    assert [w.title for w in library.duplicates] == ["Second"]
    [problem] = library.problems
    assert (problem.severity, problem.line, problem.key) == ("warning", 3, "a")
    assert FORMAT.write(library) == text.encode()
    library.duplicates.clear()
    assert write(library) == "@misc{a, title = {First}}\n@misc{b}\n"


def test_encodings() -> None:
    latin1 = "@book{x, title = {Caf\xe9}}\n".encode("latin-1")
    library = citekit.loads(latin1, "bibtex")
    assert library["x"].title == "Café"
    assert library.problems[0].severity == "warning"
    assert FORMAT.write(library) == latin1
    library["x"] = attrs.evolve(library["x"], note="Ünïcode – ok")
    out = FORMAT.write(library)
    assert out.startswith(latin1[:-2])  # still Latin-1, the new value in LaTeX
    assert citekit.loads(out, "bibtex")["x"].note == "Ünïcode – ok"
    bom = b"\xef\xbb\xbf@book{y, title = {T}}\r\n"
    library = citekit.loads(bom, "bibtex")
    assert FORMAT.write(library) == bom
    library.add(Work(key="z", title="New"))
    out = FORMAT.write(library)
    assert out.startswith(b"\xef\xbb\xbf@book{y")
    assert b"@misc{z,\r\n  title = {New}\r\n}\r\n" in out


# --- writing -------------------------------------------------------------------------------------

LAYOUT = """\
% My references
@String{ jd = "J. Doe" }

@ARTICLE{a1,
  AUTHOR    = jd # " and Smith, Al",
  TITLE     = "Caf{\\'e} {DNA}",
  JOURNAL   = {Old Journal},
  YEAR      = 2001,
  MONTH     = feb,
  VOLUME    = {3},
}

@book{b1,
\ttitle\t= {Book},
\tyear\t= {1999},
\tnote\t= {last}
}
"""


def test_unchanged_library_is_written_back_exactly() -> None:
    library = citekit.loads(LAYOUT, "bibtex")
    assert isinstance(library.origin, BibtexOrigin)
    assert FORMAT.write(library) == LAYOUT.encode()


def test_changed_entry_keeps_its_layout() -> None:
    library = citekit.loads(LAYOUT, "bibtex")
    a1 = library["a1"]
    library["a1"] = attrs.evolve(
        a1, title="New title", rich={}, issued=Date.of(2002, 3), volume=None, doi="10.1/x"
    )
    out = write(library)
    assert out == LAYOUT.replace('"Caf{\\\'e} {DNA}"', '"New title"').replace(
        "2001", "2002"
    ).replace("feb", "mar").replace("  VOLUME    = {3},\n", "  DOI       = {10.1/x},\n")
    again = citekit.loads(out, "bibtex")
    assert again["a1"] == library["a1"]


def test_removing_the_last_field_and_appending_fields() -> None:
    library = citekit.loads(LAYOUT, "bibtex")
    b1 = library["b1"]
    library["b1"] = attrs.evolve(b1, note=None, publisher="Pub & Co")
    out = write(library)
    assert out.endswith(
        "@book{b1,\n\ttitle\t= {Book},\n\tyear\t= {1999},\n\tpublisher = {Pub \\& Co}\n}\n"
    )
    assert citekit.loads(out, "bibtex")["b1"] == library["b1"]


def test_type_change_and_deletion_and_new_works() -> None:
    library = citekit.loads(LAYOUT, "bibtex")
    library["a1"] = attrs.evolve(library["a1"], type=WorkType.BOOK)
    del library["b1"]
    library.add(Work(key="n1", type="book", title="Fresh 50% & new", issued=Date.of(2020)))
    out = write(library)
    assert "@BOOK{a1," in out
    assert "b1" not in out
    assert out.endswith("}\n\n@book{n1,\n  title = {Fresh 50\\% \\& new},\n  year = {2020}\n}\n")
    again = citekit.loads(out, "bibtex")
    assert list(again) == ["a1", "n1"]
    assert again["n1"] == library["n1"]
    assert again["a1"].type is WorkType.BOOK


def test_new_entries_read_back_equal() -> None:
    works = [
        Work(
            key="full",
            type=WorkType.ARTICLE_JOURNAL,
            title="The DNA of Homo: 50% & more_now {x} ~ ^ \\ #",
            rich={
                "title": 'The <span class="nocase">DNA</span> of <i>Homo</i>: 50% &amp; more_now'
                " {x} ~ ^ \\ #"
            },
            contributors={
                "author": [
                    Person(family="Fontaine", given="Jean", non_dropping_particle="de la"),
                    Person(family="King", given="Martin Luther", suffix="Jr."),
                    Person(literal="World Health Organization"),
                    Person(family="García Márquez", given="Gabriel"),
                    citekit.OTHERS,
                ],
                "editor": [Person(family="Roe", given="R.")],
            },
            issued=Date.of(1944, 3, 5),
            accessed=Date.of(2020, 1, 2),
            container_title="J. Stuff",
            volume="3",
            issue="4",
            page="12-15",
            doi="10.1/x_y",
            url="https://example.org/?a=1&b=%20",
            keywords=("a", "b c"),
            language="en",
            note="Line one\n\nLine two",
            arxiv="1234.5678",
            extra={"date-added": "2008-10-25"},
        ),
        Work(key="th", type=WorkType.THESIS, title="T", publisher="MIT", genre="PhD thesis"),
        Work(key="ms", type=WorkType.THESIS, title="T", genre="Master's thesis"),
        Work(key="rep", type=WorkType.REPORT, title="R", number="42", publisher="Inst"),
        Work(key="web", type=WorkType.WEBPAGE, title="W", url="https://x.org"),
        Work(
            key="range", type=WorkType.BOOK, issued=Date(start=DateParts(1975), end=DateParts(2004))
        ),
        Work(key="circa", type=WorkType.BOOK, issued=Date(start=DateParts(1944, 3), circa=True)),
        Work(key="mag", type=WorkType.ARTICLE_MAGAZINE, title="M", container_title="Wired"),
        Work(key="inb", type=WorkType.CHAPTER, title="C", extra={"entrytype": "inbook"}),
    ]
    for biblatex in (False, True):
        for ascii in (False, True):
            text = "\n\n".join(format_entry(w, biblatex=biblatex, ascii=ascii) for w in works)
            library = citekit.loads(text, "bibtex")
            assert not library.problems, (biblatex, ascii, library.problems)
            for work in works:
                assert library[work.key] == work, (biblatex, ascii, work.key)


def test_special_characters_are_escaped() -> None:
    work = Work(key="k", title="50% of R&D costs $5 #1 a_b {x} ~y^ \\z")
    entry = format_entry(work)
    assert (
        r"title = {50\% of R\&D costs \$5 \#1 a\_b \textbraceleft{}x\textbraceright{}"
        r" \textasciitilde{}y\textasciicircum{} \textbackslash{}z}" in entry
    )
    assert entry.count("{") == entry.count("}")
    assert citekit.loads(entry, "bibtex")["k"].title == work.title


def test_unwritable_key() -> None:
    with pytest.raises(citekit.FormatError, match="cannot be written"):
        format_entry(Work(key="a b", title="T"))


def test_formatter_plugin() -> None:
    formatter = citekit.formatter("bibtex", biblatex=True)
    assert isinstance(formatter, BibtexFormatter)
    assert formatter.name == "bibtex"
    work = Work(
        key="serge1944",
        type="book",
        title="Lenin's Heir?",
        publisher_place="Paris",
        issued=Date.of(1944),
    )
    assert formatter.format(work) == (
        "@book{serge1944,\n  title = {Lenin's Heir?},\n  date = {1944},\n  location = {Paris}\n}"
    )
    assert citekit.formatter("bibtex").format(work) == (
        "@book{serge1944,\n  title = {Lenin's Heir?},\n  year = {1944},\n  address = {Paris}\n}"
    )
    with pytest.raises(citekit.FormatError):
        formatter.format("not a work")


# --- excerpts -------------------------------------------------------------------------------


def test_excerpts_round_trip() -> None:
    library = citekit.loads("@book{serge1944, title = {T}}\n", "bibtex")
    excerpt = Excerpt(
        id="serge-1",
        text="First paragraph, with {braces} and @signs.\n\nSecond \\paragraph.",
        work_key="serge1944",
        locator="pp. 33-34",
        speaker=Person(family="Trotsky", given="Leon"),
        quoted_in=QuotedIn("other", "p. 5"),
        language="fr",
        tags=("revolution", "exile"),
        note='A "note"',
    )
    library.add_excerpt(excerpt)
    out = write(library)
    comment = out[out.index("@comment") :]
    assert comment.count("{") == comment.count("}")
    assert "@" not in comment[1:]
    again = citekit.loads(out, "bibtex")
    assert again.excerpts == {"serge-1": excerpt}
    assert not again.problems
    assert write(again) == out
    again.excerpts["serge-1"] = attrs.evolve(excerpt, note="changed")
    changed = write(again)
    assert changed.count("citekit-excerpt") == 1
    assert citekit.loads(changed, "bibtex").excerpts["serge-1"].note == "changed"
    del again.excerpts["serge-1"]
    assert write(again) == "@book{serge1944, title = {T}}\n"


def test_bad_excerpt_comment_is_a_problem() -> None:
    text = '@comment{citekit-excerpt{"id": "x", "text": "t"}}\n@comment{citekit-excerpt{oops}}\n'
    library = citekit.loads(text, "bibtex")
    assert library.excerpts == {}
    assert [(p.line, "citekit-excerpt" in p.message) for p in library.errors] == [
        (1, True),
        (2, True),
    ]
    assert FORMAT.write(library) == text.encode()


def test_docstring_examples() -> None:
    import doctest

    import citekit.formatters.bibtex

    for module in (latex, citekit.formatters.bibtex):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0
        assert result.failed == 0, module.__name__
