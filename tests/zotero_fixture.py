"""Build a Zotero database for the tests, from Zotero's own published schema.

The tables come from Zotero's ``userdata.sql`` (carried in
``tests/fixtures/formats/zotero/``, see PROVENANCE.md there); the item
types, fields and creator types are filled from Zotero's ``schema.json`` as
Zotero fills them at start-up; then a few items of the common types are
stored the way Zotero stores them (values in ``itemDataValues``, dates as
``YYYY-MM-DD original text``, creators shared between items, tags,
collections, child notes and attachments).

Run as a script to write one: ``python tests/zotero_fixture.py OUT.sqlite``.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

from citekit.formats.zotero import zotero_schema

USERDATA = Path(__file__).resolve().parent / "fixtures" / "formats" / "zotero" / "userdata.sql"

#: (key, item type, fields, creators [(type, first, last)], tags, collections, notes, files)
ITEMS: list[dict[str, Any]] = [
    {
        "key": "ABCD2345",
        "type": "journalArticle",
        "fields": {
            "title": "The Structure of Scientific Collaboration Networks",
            "publicationTitle": "Proceedings of the National Academy of Sciences",
            "journalAbbreviation": "PNAS",
            "volume": "98",
            "issue": "2",
            "pages": "404-409",
            "date": "2001-01-16 January 16, 2001",
            "DOI": "10.1073/pnas.98.2.404",
            "ISSN": "0027-8424",
            "url": "https://www.pnas.org/doi/10.1073/pnas.98.2.404",
            "accessDate": "2024-02-03 10:11:12",
            "language": "en",
            "libraryCatalog": "pnas.org",
            "citationKey": "newman2001structure",
        },
        "creators": [("author", "M. E. J.", "Newman")],
        "tags": ["networks", "collaboration"],
        "collections": ["Reading/Networks"],
        "notes": ["<p>Read for <b>chapter 2</b> &amp; the review.</p>"],
        "files": ["storage:Newman - 2001 - The structure.pdf"],
    },
    {
        "key": "BCDE3456",
        "type": "book",
        "fields": {
            "title": "Memoirs of a Revolutionary",
            "publisher": "New York Review Books",
            "place": "New York",
            "date": "2012-00-00 2012",
            "ISBN": "978-1-59017-451-0",
            "edition": "2",
            "numPages": "624",
            "extra": "Original Date: 1951\nCitation Key: serge2012memoirs",
        },
        "creators": [
            ("author", "Victor", "Serge"),
            ("translator", "Peter", "Sedgwick"),
            ("contributor", "Adam", "Hochschild"),
        ],
        "tags": ["history"],
        "collections": [],
        "notes": [],
        "files": [],
    },
    {
        "key": "CDEF4567",
        "type": "bookSection",
        "fields": {
            "title": "Lenin's Heir?",
            "bookTitle": "Writings on the Revolution",
            "pages": "12-40",
            "date": "1944-03-00 March 1944",
            "publisher": "Verso",
        },
        "creators": [("author", "Victor", "Serge"), ("editor", "Richard", "Greeman")],
        "tags": [],
        "collections": ["Reading"],
        "notes": [],
        "files": [],
        "bbt": "serge1944heir",
    },
    {
        "key": "DEFG5678",
        "type": "thesis",
        "fields": {
            "title": "Counting the Uncounted",
            "university": "University of Somewhere",
            "thesisType": "PhD thesis",
            "date": "2019-00-00 2019",
        },
        "creators": [("author", "", "World Health Organization")],
        "tags": [],
        "collections": [],
        "notes": [],
        "files": [],
    },
    {
        "key": "EFGH6789",
        "type": "conferencePaper",
        "fields": {
            "title": "Attention Is All You Need",
            "proceedingsTitle": "Advances in Neural Information Processing Systems",
            "conferenceName": "NeurIPS 2017",
            "place": "Long Beach",
            "date": "2017-00-00 2017",
            "volume": "30",
        },
        "creators": [("author", "Ashish", "Vaswani"), ("author", "Noam", "Shazeer")],
        "tags": [],
        "collections": [],
        "notes": [],
        "files": [],
    },
    {
        "key": "FGHI7891",
        "type": "webpage",
        "fields": {
            "title": "Citation Style Language",
            "websiteTitle": "citationstyles.org",
            "url": "https://citationstyles.org/",
            "accessDate": "2023-05-06 07:08:09",
        },
        "creators": [],
        "tags": [],
        "collections": [],
        "notes": [],
        "files": [],
    },
    {
        "key": "GHIJ8912",
        "type": "report",
        "fields": {
            "title": "World Report on Vision",
            "institution": "World Health Organization",
            "reportNumber": "WHO/NMH/19",
            "date": "2019-10-08 2019-10-08",
        },
        "creators": [("author", "", "World Health Organization")],
        "tags": [],
        "collections": [],
        "notes": [],
        "files": [],
    },
]


def build(path: Path, *, deleted: bool = True) -> Path:
    """Write a Zotero database with :data:`ITEMS` (and one item in the trash) at ``path``."""
    schema = zotero_schema()
    db = sqlite3.connect(path)
    db.executescript(USERDATA.read_text("utf-8"))
    types: dict[str, int] = {}
    fields: dict[str, int] = {}
    creator_types: dict[str, int] = {}
    for item_type in schema["itemTypes"]:
        type_id = types.setdefault(item_type["itemType"], len(types) + 1)
        db.execute("INSERT INTO itemTypes VALUES (?, ?, NULL, 1)", (type_id, item_type["itemType"]))
        db.execute(
            "INSERT INTO itemTypesCombined VALUES (?, ?, 1, 0)", (type_id, item_type["itemType"])
        )
        for order, field in enumerate(item_type["fields"]):
            name = field["field"]
            if name not in fields:
                fields[name] = len(fields) + 1
                db.execute("INSERT INTO fields VALUES (?, ?, NULL)", (fields[name], name))
                db.execute(
                    "INSERT INTO fieldsCombined VALUES (?, ?, NULL, NULL, 0)", (fields[name], name)
                )
            db.execute(
                "INSERT INTO itemTypeFields VALUES (?, ?, NULL, ?)", (type_id, fields[name], order)
            )
        for creator in item_type["creatorTypes"]:
            name = creator["creatorType"]
            if name not in creator_types:
                creator_types[name] = len(creator_types) + 1
                db.execute("INSERT INTO creatorTypes VALUES (?, ?)", (creator_types[name], name))
    db.execute(
        "INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1)"
    )
    values: dict[str, int] = {}
    creators: dict[tuple[str, str, int], int] = {}
    collections: dict[str, int] = {}
    tags: dict[str, int] = {}
    bbt: list[tuple[int, str, str]] = []
    next_id = 1

    def add_item(type_name: str, key: str) -> int:
        nonlocal next_id
        item_id = next_id
        next_id += 1
        db.execute(
            "INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)",
            (item_id, types[type_name], key),
        )
        return item_id

    def value_id(value: str) -> int:
        if value not in values:
            values[value] = len(values) + 1
            db.execute(
                "INSERT INTO itemDataValues (valueID, value) VALUES (?, ?)", (values[value], value)
            )
        return values[value]

    def collection(path_text: str) -> int:
        parent = None
        for depth, name in enumerate(path_text.split("/")):
            so_far = "/".join(path_text.split("/")[: depth + 1])
            if so_far not in collections:
                collections[so_far] = len(collections) + 1
                db.execute(
                    "INSERT INTO collections (collectionID, collectionName, parentCollectionID,"
                    " libraryID, key) VALUES (?, ?, ?, 1, ?)",
                    (collections[so_far], name, parent, f"COLL{collections[so_far]:04d}"),
                )
            parent = collections[so_far]
        assert parent is not None
        return parent

    for spec in ITEMS:
        item_id = add_item(spec["type"], spec["key"])
        for name, value in spec["fields"].items():
            db.execute(
                "INSERT INTO itemData VALUES (?, ?, ?)", (item_id, fields[name], value_id(value))
            )
        for order, (kind, first, last) in enumerate(spec["creators"]):
            mode = 0 if first else 1
            ident = creators.get((first, last, mode))
            if ident is None:
                ident = creators[(first, last, mode)] = len(creators) + 1
                db.execute(
                    "INSERT INTO creators (creatorID, firstName, lastName, fieldMode)"
                    " VALUES (?, ?, ?, ?)",
                    (ident, first, last, mode),
                )
            db.execute(
                "INSERT INTO itemCreators VALUES (?, ?, ?, ?)",
                (item_id, ident, creator_types[kind], order),
            )
        for name in spec["tags"]:
            if name not in tags:
                tags[name] = len(tags) + 1
                db.execute("INSERT INTO tags (tagID, name) VALUES (?, ?)", (tags[name], name))
            db.execute("INSERT INTO itemTags VALUES (?, ?, 0)", (item_id, tags[name]))
        for name in spec["collections"]:
            db.execute(
                "INSERT INTO collectionItems (collectionID, itemID) VALUES (?, ?)",
                (collection(name), item_id),
            )
        for note in spec["notes"]:
            note_id = add_item("note", f"N{next_id:07d}")
            db.execute(
                "INSERT INTO itemNotes (itemID, parentItemID, note, title) VALUES (?, ?, ?, '')",
                (note_id, item_id, note),
            )
        for file_path in spec["files"]:
            attachment_id = add_item("attachment", f"F{next_id:07d}")
            db.execute(
                "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path)"
                " VALUES (?, ?, 0, 'application/pdf', ?)",
                (attachment_id, item_id, file_path),
            )
        if "bbt" in spec:
            bbt.append((item_id, spec["key"], spec["bbt"]))
    if deleted:
        trashed = add_item("book", "TRSH1234")
        db.execute(
            "INSERT INTO itemData VALUES (?, ?, ?)", (trashed, fields["title"], value_id("Gone"))
        )
        db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (trashed,))
    db.commit()
    db.close()
    if bbt:
        other = sqlite3.connect(path.with_name("better-bibtex.sqlite"))
        other.execute(
            "CREATE TABLE citationkey (itemID NOT NULL PRIMARY KEY, itemKey NOT NULL,"
            " libraryID NOT NULL, citationKey NOT NULL, pinned)"
        )
        other.executemany("INSERT INTO citationkey VALUES (?, ?, 1, ?, 0)", bbt)
        other.commit()
        other.close()
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
