"""Zotero's database: read in place, read-only, while another connection holds it for writing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import citekit
from citekit import Date, Person, WorkType
from citekit.formats import format_for_path
from citekit.formats.zotero import ZoteroFormat
from zotero_fixture import ITEMS, build

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return build(tmp_path / "zotero.sqlite")


def test_the_fixture_loads(database: Path) -> None:
    assert format_for_path(str(database)).name == "zotero"
    library = citekit.load(database)
    assert library.problems == []
    # Every regular item, none of the notes, attachments or the item in the trash.
    assert len(library) == len(ITEMS)
    assert "Gone" not in {w.title for w in library.values()}


# key, CSL type, title, container, date, first creator
EXPECTED = [
    ("newman2001structure", WorkType.ARTICLE_JOURNAL,
     "The Structure of Scientific Collaboration Networks",
     "Proceedings of the National Academy of Sciences", Date.of(2001, 1, 16),
     Person(family="Newman", given="M. E. J.")),
    ("serge2012memoirs", WorkType.BOOK, "Memoirs of a Revolutionary", None, Date.of(2012),
     Person(family="Serge", given="Victor")),
    ("serge1944heir", WorkType.CHAPTER, "Lenin's Heir?", "Writings on the Revolution",
     Date.of(1944, 3), Person(family="Serge", given="Victor")),
    ("DEFG5678", WorkType.THESIS, "Counting the Uncounted", None, Date.of(2019),
     Person(literal="World Health Organization")),
    ("EFGH6789", WorkType.PAPER_CONFERENCE, "Attention Is All You Need",
     "Advances in Neural Information Processing Systems", Date.of(2017),
     Person(family="Vaswani", given="Ashish")),
    ("FGHI7891", WorkType.WEBPAGE, "Citation Style Language", "citationstyles.org", None, None),
    ("GHIJ8912", WorkType.REPORT, "World Report on Vision", None, Date.of(2019, 10, 8),
     Person(literal="World Health Organization")),
]  # fmt: skip


@pytest.mark.parametrize(("key", "kind", "title", "container", "issued", "first"), EXPECTED)
def test_items(
    database: Path,
    key: str,
    kind: WorkType,
    title: str,
    container: str | None,
    issued: Date | None,
    first: Person | None,
) -> None:
    work = citekit.load(database)[key]
    assert work.type is kind
    assert work.title == title
    assert work.container_title == container
    assert work.issued == issued
    assert (work.authors[0] if work.authors else None) == first


def test_fields_creators_tags_notes_files(database: Path) -> None:
    library = citekit.load(database)
    article = library["newman2001structure"]  # Zotero 7's citationKey field
    assert (article.volume, article.issue, article.page) == ("98", "2", "404-409")
    assert article.doi == "10.1073/pnas.98.2.404" and article.issn == "0027-8424"
    assert article.container_title_short == "PNAS"
    assert article.accessed == Date.of(2024, 2, 3)
    assert article.language == "en"
    assert article.variables["source"] == "pnas.org"
    # Tags and the collection path (collections as tags).
    assert set(article.keywords) == {"networks", "collaboration", "Reading/Networks"}
    # A child note, its HTML made text; an attachment's path in Zotero's storage.
    assert article.variables["annote"] == "Read for chapter 2 & the review."
    stored = database.parent / "storage"
    assert article.extra["file"].startswith(str(stored))
    assert article.extra["file"].endswith("Newman - 2001 - The structure.pdf")
    assert article.extra["zotero-key"] == "ABCD2345"
    book = library["serge2012memoirs"]  # a "Citation Key:" line of Extra
    assert book.translators == (Person(family="Sedgwick", given="Peter"),)
    assert book.names("contributor") == (Person(family="Hochschild", given="Adam"),)
    assert (book.publisher, book.publisher_place, book.isbn) == (
        "New York Review Books",
        "New York",
        "978-1-59017-451-0",
    )
    assert (book.edition, book.number_of_pages) == ("2", "624")
    chapter = library["serge1944heir"]  # Better BibTeX's key, from better-bibtex.sqlite
    assert chapter.editors == (Person(family="Greeman", given="Richard"),)
    assert chapter.keywords == ("Reading",)
    thesis = library["DEFG5678"]  # no key anywhere: Zotero's item key
    assert (thesis.publisher, thesis.genre) == ("University of Somewhere", "PhD thesis")
    report = library["GHIJ8912"]
    assert report.number == "WHO/NMH/19"


def test_converts_to_bibtex(database: Path, tmp_path: Path) -> None:
    out = tmp_path / "refs.bib"
    done = subprocess.run(
        [sys.executable, "-m", "citekit.cli", "convert", str(database), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    bib = citekit.load(out)
    assert set(bib) == {key for key, *_ in EXPECTED}
    assert bib["newman2001structure"].doi == "10.1073/pnas.98.2.404"


def _stamp(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), os.stat(path).st_mtime_ns


@pytest.mark.parametrize("exclusive", [False, True])
def test_reads_while_another_connection_writes(database: Path, exclusive: bool) -> None:
    before = _stamp(database)
    writer = sqlite3.connect(database, isolation_level=None, timeout=0)
    try:
        if exclusive:  # as Zotero holds its database: an exclusive lock, kept
            writer.execute("PRAGMA locking_mode = EXCLUSIVE")
            writer.execute("BEGIN EXCLUSIVE")
        else:
            writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE items SET synced = synced WHERE itemID = 1")
        # Another ordinary reader is locked out (when exclusive) ...
        if exclusive:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                sqlite3.connect(database, timeout=0).execute("SELECT count(*) FROM items")
        # ... citekit is not, and takes no lock that would stop the writer.
        library = citekit.load(database)
        assert len(library) == len(ITEMS) and not library.errors
        writer.execute("UPDATE items SET synced = synced WHERE itemID = 2")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert _stamp(database) == before
    assert not database.with_name("zotero.sqlite-journal").exists()


def test_read_leaves_the_file_alone(database: Path) -> None:
    before = _stamp(database)
    citekit.load(database)
    assert _stamp(database) == before
    assert sorted(p.name for p in database.parent.iterdir()) == [
        "better-bibtex.sqlite",
        "zotero.sqlite",
    ]


def test_bytes_give_the_same_library(database: Path) -> None:
    from_path = citekit.load(database)
    from_bytes = ZoteroFormat().read(database.read_bytes(), path=str(database))
    assert from_bytes.works() == from_path.works()
    alone = ZoteroFormat().read(database.read_bytes())  # no Better BibTeX beside it
    assert "CDEF4567" in alone and "serge1944heir" not in alone


@pytest.mark.parametrize(
    "content", [b"", b"not a database", b"SQLite format 3\x00" + b"\x00" * 200]
)
def test_not_a_zotero_database(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "other.sqlite"
    path.write_bytes(content)
    library = citekit.load(path)
    assert len(library) == 0
    assert library.errors
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    library = citekit.load(plain)
    assert "not a Zotero database" in library.errors[0].message


def test_zotero_is_not_written(database: Path, tmp_path: Path) -> None:
    with pytest.raises(citekit.FormatError, match="does not write"):
        citekit.save(citekit.load(database), tmp_path / "copy.sqlite")
    assert not (tmp_path / "copy.sqlite").exists()
