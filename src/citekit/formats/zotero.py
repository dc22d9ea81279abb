"""A Zotero library, read straight from Zotero's database (``zotero.sqlite``).

``citekit.load("~/Zotero/zotero.sqlite")`` reads every regular item of the
database (not notes, attachments, annotations or items in the trash): its
fields, creators, date, tags, the collections it is in (as tags, their path
joined by ``/``), its child notes (as the CSL variable ``annote``, HTML made
text) and its attachments' file paths (``work.extra["file"]``, ``;`` between
them, as Better BibTeX writes them). Zotero's field names become CSL
variables by the mapping Zotero publishes in its schema (``schema.json`` of
zotero/zotero-schema, carried in ``citekit/formats/schemas/``); fields CSL
has no variable for are kept in ``work.extra`` under their Zotero name.

The citation key is Zotero 7's ``citationKey`` field, else the key Better
BibTeX keeps in ``better-bibtex.sqlite`` beside the database, else a
``Citation Key:`` line of the item's Extra field, else Zotero's item key.

The database is opened read-only in SQLite's immutable mode (no lock taken,
nothing written, not even a journal), so it can be read while Zotero runs and
holds it open. Zotero changing the file during the read is noticed (its size
and modification time before and after) and the read tried again.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import sqlite3
import urllib.parse
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

from citekit.errors import FormatError
from citekit.model import Library, Problem

__all__ = ["ZoteroFormat"]

_SKIPPED_TYPES = ("note", "attachment", "annotation")
_ATTEMPTS = 3


@functools.cache
def zotero_schema() -> dict[str, Any]:
    """Zotero's published schema (item types, fields, their CSL mapping)."""
    text = (
        resources.files("citekit.formats").joinpath("schemas/zotero-schema.json").read_text("utf-8")
    )
    value: dict[str, Any] = json.loads(text)
    return value


@functools.cache
def _csl_maps() -> tuple[
    dict[str, str], dict[str, str], dict[str, str], dict[str, str], dict[str, dict[str, str]]
]:
    """(type -> CSL type, field -> CSL variable, date field -> CSL date, creator -> role,
    item type -> {field -> base field})."""
    schema = zotero_schema()
    csl = schema["csl"]
    types = {z: c for c, zs in csl["types"].items() for z in zs}
    fields: dict[str, str] = {}
    for variable, names in csl["fields"]["text"].items():
        for name in names:
            fields.setdefault(name, variable)
    dates = {name: variable for variable, name in csl["fields"]["date"].items()}
    roles = dict(csl["names"])
    bases = {
        item["itemType"]: {f["field"]: f["baseField"] for f in item["fields"] if "baseField" in f}
        for item in schema["itemTypes"]
    }
    return types, fields, dates, roles, bases


def _date(value: str) -> dict[str, Any] | None:
    """Zotero's stored date (``2019-03-00 March 2019``) as a CSL date."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?: (.*))?$", value.strip(), re.S)
    if match is None:
        return {"literal": value} if value.strip() else None
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    if year == 0:
        original = (match.group(4) or "").strip()
        return {"literal": original} if original else None
    parts = [year] + ([month] if month else []) + ([day] if month and day else [])
    return {"date-parts": [parts]}


def _access_date(value: str) -> dict[str, Any] | None:
    """Zotero's access date (``2021-05-04 10:20:30``, UTC) as a CSL date (the day)."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value.strip())
    if match is None:
        return _date(value)
    return {"date-parts": [[int(match.group(i)) for i in (1, 2, 3)]]}


def _note_text(note: str) -> str:
    """A Zotero note (HTML) as plain text: paragraphs on their own lines."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", note)
    text = re.sub(r"(?i)</(?:p|div|h[1-6]|li|blockquote|pre)>", "\n", text)
    text = re.sub(r"<[^>]*>", "", text)
    text = html.unescape(text)
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _citation_keys(path: str | None, problems: list[Problem]) -> dict[int, str]:
    """Better BibTeX's keys (itemID -> key) from ``better-bibtex.sqlite`` beside ``path``."""
    if path is None:
        return {}
    bbt = Path(path).with_name("better-bibtex.sqlite")
    if not bbt.is_file():
        return {}
    db: sqlite3.Connection | None = None
    try:
        db = _open(str(bbt))
        tables = _tables(db)
        if "citationkey" in tables:
            return {
                int(item): str(key)
                for item, key in db.execute("SELECT itemID, citationKey FROM citationkey")
                if item is not None and key
            }
        if "better-bibtex" in tables:  # Better BibTeX 5: a LokiJS collection as JSON
            row = db.execute(
                "SELECT data FROM `better-bibtex` WHERE name = 'better-bibtex.citekey'"
            ).fetchone()
            if row is not None:
                data = json.loads(row[0]).get("data", [])
                return {
                    int(r["itemID"]): str(r["citekey"])
                    for r in data
                    if isinstance(r, dict) and r.get("itemID") is not None and r.get("citekey")
                }
        return {}
    except (sqlite3.Error, ValueError, TypeError, AttributeError) as error:
        problems.append(
            Problem(
                message=f"cannot read Better BibTeX's keys: {error}",
                path=str(bbt),
                severity="warning",
            )
        )
        return {}
    finally:
        if db is not None:
            db.close()


def _open(path: str) -> sqlite3.Connection:
    """A read-only, lock-free connection to the database file at ``path``."""
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


class ZoteroFormat:
    """Zotero's database, ``zotero.sqlite``: read only, never written.

    ``read_path`` reads the database in place, read-only and without a lock;
    ``read`` reads a copy of it given as bytes. Neither raises for bad input:
    a file that is not a Zotero database gives one problem.
    """

    name = "zotero"
    extensions = (".sqlite",)

    def sniff(self, head: bytes) -> bool:
        """SQLite's header (a Zotero database is told from others when read)."""
        return head.startswith(b"SQLite format 3\x00")

    def read_path(self, path: str) -> Library:
        """Read the Zotero database at ``path``, read-only, while Zotero may be running."""
        if not os.path.isfile(path):
            return Library(path=path, problems=[Problem(message="no such file", path=path)])
        last: Library | None = None
        for _ in range(_ATTEMPTS):
            before = _stamp(path)
            try:
                db = _open(path)
            except sqlite3.Error as error:
                return Library(
                    path=path,
                    problems=[Problem(message=f"cannot open the database: {error}", path=path)],
                )
            try:
                last = self._read_db(db, path)
            finally:
                db.close()
            if _stamp(path) == before:
                return last
        assert last is not None
        last.problems.append(
            Problem(
                message=f"the database changed while it was read ({_ATTEMPTS} tries); what was"
                " read may mix old and new data",
                path=path,
                severity="warning",
            )
        )
        return last

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read a Zotero database given as bytes (a copy of ``zotero.sqlite``)."""
        db = sqlite3.connect(":memory:")
        try:
            try:
                db.deserialize(data)
            except (sqlite3.Error, OverflowError, ValueError) as error:
                return Library(
                    path=path,
                    problems=[Problem(message=f"not an SQLite database: {error}", path=path)],
                )
            return self._read_db(db, path)
        finally:
            db.close()

    def write(self, library: Library) -> bytes:
        """citekit does not write Zotero databases: always raises :class:`~citekit.FormatError`."""
        raise FormatError(
            "citekit reads Zotero databases but does not write them (Zotero alone should"
            " change its database); write BibTeX, CSL-JSON or RIS and import that into Zotero"
        )

    # -- reading --------------------------------------------------------------------------

    def _read_db(self, db: sqlite3.Connection, path: str | None) -> Library:
        library = Library(path=path)
        try:
            tables = _tables(db)
        except sqlite3.Error as error:
            library.problems.append(Problem(message=f"not an SQLite database: {error}", path=path))
            return library
        needed = {"items", "itemData", "itemDataValues", "creators", "itemCreators"}
        if not needed <= tables or not {"itemTypes", "itemTypesCombined"} & tables:
            missing = ", ".join(sorted(needed - tables)) or "itemTypes"
            library.problems.append(
                Problem(message=f"not a Zotero database (no table {missing})", path=path)
            )
            return library
        try:
            items = self._items(db, tables, path, library.problems)
        except sqlite3.Error as error:
            library.problems.append(
                Problem(message=f"cannot read the database: {error}", path=path)
            )
            return library
        from citekit.formats.csl import _Context, _NoPositions, work_from_item

        taken: set[str] = set()
        for item, where in items:
            key = item["id"]
            if key in taken:
                alias = f"{key}-{item['custom']['extra']['zotero-key']}"
                library.problems.append(
                    Problem(
                        message=f"citation key {key!r} is taken by another item; read as {alias!r}",
                        path=path,
                        key=key,
                        severity="warning",
                    )
                )
                key = item["id"] = alias
            taken.add(key)
            ctx = _Context(library.problems, path, _NoPositions(), "references", where)
            work = work_from_item(item, ctx)
            if work is not None:
                library.add(work)
        return library

    def _items(
        self,
        db: sqlite3.Connection,
        tables: set[str],
        path: str | None,
        problems: list[Problem],
    ) -> list[tuple[dict[str, Any], int]]:
        types_map, field_map, date_map, role_map, bases = _csl_maps()
        type_table = "itemTypesCombined" if "itemTypesCombined" in tables else "itemTypes"
        field_table = "fieldsCombined" if "fieldsCombined" in tables else "fields"
        deleted = "deletedItems" in tables
        rows = db.execute(
            f"SELECT i.itemID, i.key, i.libraryID, t.typeName FROM items i"
            f" JOIN {type_table} t ON t.itemTypeID = i.itemTypeID"
            f" WHERE t.typeName NOT IN ({', '.join('?' * len(_SKIPPED_TYPES))})"
            + (" AND i.itemID NOT IN (SELECT itemID FROM deletedItems)" if deleted else "")
            + " ORDER BY i.itemID",
            _SKIPPED_TYPES,
        ).fetchall()
        fields: dict[int, dict[str, str]] = defaultdict(dict)
        for item_id, name, value in db.execute(
            f"SELECT d.itemID, f.fieldName, v.value FROM itemData d"
            f" JOIN {field_table} f ON f.fieldID = d.fieldID"
            " JOIN itemDataValues v ON v.valueID = d.valueID"
        ):
            if value is not None:
                fields[item_id][str(name)] = str(value)
        creators: dict[int, list[tuple[str, dict[str, str]]]] = defaultdict(list)
        creator_types = dict(db.execute("SELECT creatorTypeID, creatorType FROM creatorTypes"))
        for item_id, first, last, mode, type_id in db.execute(
            "SELECT ic.itemID, c.firstName, c.lastName, c.fieldMode, ic.creatorTypeID"
            " FROM itemCreators ic JOIN creators c ON c.creatorID = ic.creatorID"
            " ORDER BY ic.itemID, ic.orderIndex"
        ):
            kind = str(creator_types.get(type_id, "author"))
            if mode == 1 or not first:
                name = {"literal": str(last or first or "")}
            else:
                name = {"family": str(last or ""), "given": str(first)}
            if any(name.values()):
                creators[item_id].append((kind, name))
        tags: dict[int, list[str]] = defaultdict(list)
        if {"itemTags", "tags"} <= tables:
            for item_id, name in db.execute(
                "SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID"
                " ORDER BY it.itemID, t.name"
            ):
                tags[item_id].append(str(name))
        if {"collections", "collectionItems"} <= tables:
            folders = {
                cid: (str(name), parent)
                for cid, name, parent in db.execute(
                    "SELECT collectionID, collectionName, parentCollectionID FROM collections"
                )
            }

            def folder_path(cid: int) -> str:
                names: list[str] = []
                seen: set[int] = set()
                current: int | None = cid
                while current is not None and current in folders and current not in seen:
                    seen.add(current)
                    name, current = folders[current]
                    names.append(name)
                return "/".join(reversed(names))

            for item_id, cid in db.execute(
                "SELECT itemID, collectionID FROM collectionItems ORDER BY itemID, collectionID"
            ):
                tags[item_id].append(folder_path(cid))
        notes: dict[int, list[str]] = defaultdict(list)
        if "itemNotes" in tables:
            for parent, note in db.execute(
                "SELECT parentItemID, note FROM itemNotes WHERE parentItemID IS NOT NULL"
                " ORDER BY parentItemID, itemID"
            ):
                text = _note_text(str(note or ""))
                if text:
                    notes[parent].append(text)
        files: dict[int, list[str]] = defaultdict(list)
        if "itemAttachments" in tables:
            storage = Path(path).parent / "storage" if path else Path("storage")
            for parent, file_path, key in db.execute(
                "SELECT a.parentItemID, a.path, i.key FROM itemAttachments a"
                " JOIN items i ON i.itemID = a.itemID"
                " WHERE a.parentItemID IS NOT NULL AND a.path IS NOT NULL"
                " ORDER BY a.parentItemID, a.itemID"
            ):
                text = str(file_path)
                if text.startswith("storage:"):
                    text = str(storage / str(key) / text[len("storage:") :])
                files[parent].append(text)
        bbt = _citation_keys(path, problems)
        out: list[tuple[dict[str, Any], int]] = []
        for item_id, item_key, library_id, type_name in rows:
            values = fields.get(item_id, {})
            base = bases.get(type_name, {})
            item: dict[str, Any] = {"type": types_map.get(type_name, "document")}
            extra: dict[str, str] = {"zotero-key": str(item_key)}
            if library_id not in (None, 1):
                extra["zotero-library"] = str(library_id)
            if type_name not in types_map:
                extra["zotero-type"] = str(type_name)
            for name, value in values.items():
                if name == "citationKey":
                    continue
                variable = field_map.get(name) or field_map.get(base.get(name, ""))
                if variable == "journalAbbreviation":  # CSL's name for it
                    variable = "container-title-short"
                date_variable = date_map.get(name) or date_map.get(base.get(name, ""))
                if date_variable is not None:
                    parsed = _access_date(value) if name == "accessDate" else _date(value)
                    if parsed is not None and date_variable not in item:
                        item[date_variable] = parsed
                    else:
                        extra[name] = value
                elif variable is not None and variable not in item:
                    item[variable] = value
                else:
                    extra[name] = value
            for kind, name in creators.get(item_id, []):
                role = role_map.get(kind)
                if role is None:
                    label = name.get("literal") or f"{name['family']}, {name['given']}"
                    extra[kind] = f"{extra[kind]}; {label}" if kind in extra else label
                    continue
                item.setdefault(role, []).append(name)
            if tags.get(item_id):
                item["keyword"] = list(dict.fromkeys(tags[item_id]))
            if notes.get(item_id):
                item["annote"] = "\n\n".join(notes[item_id])
            if files.get(item_id):
                extra["file"] = ";".join(files[item_id])
            key = (
                values.get("citationKey")
                or bbt.get(item_id)
                or _extra_key(values.get("extra", ""))
                or str(item_key)
            )
            item["id"] = key.strip() or str(item_key)
            item["custom"] = {"extra": extra}
            out.append((item, item_id))
        return out


def _extra_key(extra: str) -> str | None:
    match = re.search(r"(?im)^\s*citation key\s*:\s*(\S+)\s*$", extra)
    return match.group(1) if match else None
