"""CSL-JSON: the bibliography format of citeproc-js, Zotero, pandoc and most CSL tools.

A file is an array of CSL items (CSL 1.0.2's ``csl-data.json``), or citekit's
extension, an object ``{"references": [...items...], "excerpts": [...]}``
(``"items"`` is read too) that also holds quoted passages. The conversion of
items is in :mod:`citekit.formats.csl`; this module parses and prints JSON.

Reading keeps the text: a library read from a file and saved unchanged gives
the same bytes back, and when some works changed only their items are
rewritten, in place (each in the indentation of the one it replaces).
Problems carry the line of the item (and of the field) they are about.
"""

from __future__ import annotations

import bisect
import codecs
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from citekit.errors import FormatError
from citekit.formats.csl import (
    CslFormatBase,
    CslOrigin,
    Document,
    changed_slots,
    read_document,
    unreadable,
)
from citekit.model import Library, Problem

__all__ = ["CslJsonFormat"]

_WS = re.compile(r"[ \t\n\r]*")
_Span = tuple[int, int, Any]


def _decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` (UTF-8) and its byte-order mark, if it had one."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "\ufeff"
    return data.decode("utf-8"), ""


_LONG_NUMBER = re.compile(r"-?[0-9]{640,}")  # 640: the lowest limit Python allows


class _Scanner:
    """Parses JSON keeping the span of each element of the items and excerpts arrays."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.duplicates: list[str] = []
        self.decoder = json.JSONDecoder(object_pairs_hook=self._pairs)

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                self.duplicates.append(key)
            out[key] = value
        return out

    def skip(self, index: int) -> int:
        match = _WS.match(self.text, index)
        return match.end() if match else index

    def expect(self, index: int, chars: str, message: str) -> None:
        if index >= len(self.text) or self.text[index] not in chars:
            raise json.JSONDecodeError(message, self.text, index)

    def value(self, index: int) -> tuple[Any, int]:
        try:
            value, end = self.decoder.raw_decode(self.text, index)
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
            found = _LONG_NUMBER.search(self.text, index)
            raise json.JSONDecodeError(
                f"a number of more than {sys.get_int_max_str_digits():,} digits",
                self.text,
                found.start() if found else index,
            ) from None
        return value, end

    def array(self, index: int) -> tuple[list[Any], list[_Span], list[list[str]], int]:
        """The array at ``index`` (a "["): its elements, their spans and duplicate keys."""
        values: list[Any] = []
        spans: list[_Span] = []
        duplicates: list[list[str]] = []
        index = self.skip(index + 1)
        if index < len(self.text) and self.text[index] == "]":
            return values, spans, duplicates, index + 1
        while True:
            self.duplicates = []
            value, end = self.value(index)
            values.append(value)
            spans.append((index, end, None))
            duplicates.append(self.duplicates)
            index = self.skip(end)
            self.expect(index, ",]", "Expecting ',' delimiter")
            if self.text[index] == "]":
                return values, spans, duplicates, index + 1
            index = self.skip(index + 1)

    def document(self) -> tuple[Any, dict[str, list[_Span]], dict[str, list[list[str]]]]:
        """The whole document, the spans of its items and excerpts, their duplicate keys."""
        text = self.text
        index = self.skip(0)
        spans: dict[str, list[_Span]] = {}
        duplicates: dict[str, list[list[str]]] = {}
        value: Any
        if index < len(text) and text[index] == "[":
            value, spans["references"], duplicates["references"], end = self.array(index)
        elif index < len(text) and text[index] == "{":
            value, spans, duplicates, end = self.object(index)
        else:
            value, end = self.value(index)
        end = self.skip(end)
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
        return value, spans, duplicates

    def object(
        self, start: int
    ) -> tuple[dict[str, Any], dict[str, list[_Span]], dict[str, list[list[str]]], int]:
        text = self.text
        out: dict[str, Any] = {}
        key_spans: dict[str, list[_Span]] = {}
        key_duplicates: dict[str, list[list[str]]] = {}
        self.duplicates = []
        top_duplicates: list[str] = []
        index = self.skip(start + 1)
        if index < len(text) and text[index] == "}":
            index += 1
        else:
            while True:
                self.expect(index, '"', "Expecting property name enclosed in double quotes")
                key, index = self.value(index)
                if key in out:
                    top_duplicates.append(key)
                index = self.skip(index)
                self.expect(index, ":", "Expecting ':' delimiter")
                index = self.skip(index + 1)
                if key in ("references", "items", "excerpts") and text.startswith("[", index):
                    out[key], key_spans[key], key_duplicates[key], index = self.array(index)
                    self.duplicates = []
                else:
                    out[key], index = self.value(index)
                index = self.skip(index)
                self.expect(index, ",}", "Expecting ',' delimiter")
                if text[index] == "}":
                    index += 1
                    break
                index = self.skip(index + 1)
        if "id" in out or not ("references" in out or "items" in out):
            # One item, not a container: the whole object is its span.
            return (
                out,
                {"references": [(start, index, None)]},
                {"references": [top_duplicates + self.duplicates]},
                index,
            )
        items_key = "references" if "references" in out else "items"
        spans = {"references": key_spans.get(items_key, [])}
        duplicates = {"references": key_duplicates.get(items_key, [])}
        if "excerpts" in key_spans:
            spans["excerpts"] = key_spans["excerpts"]
            duplicates["excerpts"] = key_duplicates["excerpts"]
        return out, spans, duplicates, index


class _JsonPositions:
    """Lines of items, excerpts and their fields in a JSON text."""

    def __init__(self, text: str, spans: dict[str, list[_Span]]) -> None:
        self.text = text
        self.spans = spans
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def line(self, section: str, index: int, field: str | None = None) -> int | None:
        spans = self.spans.get(section, [])
        if index >= len(spans):
            return None
        start, end, _ = spans[index]
        if field is not None:
            pattern = re.compile(re.escape(json.dumps(field)) + r"\s*:")
            match = pattern.search(self.text, start, end)
            if match is None:
                return None
            return self.at(match.start())
        return self.at(start)


def _compact(value: list[Any]) -> bool:
    """True for arrays of numbers and arrays of such arrays (``date-parts``): one line."""
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in value) or all(
        isinstance(v, list) and v and _compact(v) for v in value
    )


def _pretty(value: Any, unit: str, prefix: str = "") -> str:
    """JSON with ``unit`` indentation, arrays of numbers (date-parts) on one line."""
    inner = prefix + unit
    if isinstance(value, dict) and value:
        members = (
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_pretty(v, unit, inner)}"
            for k, v in value.items()
        )
        return "{\n" + ",\n".join(members) + "\n" + prefix + "}"
    if isinstance(value, list) and value:
        if _compact(value):
            return json.dumps(value, allow_nan=False)
        elements = (inner + _pretty(v, unit, inner) for v in value)
        return "[\n" + ",\n".join(elements) + "\n" + prefix + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _place(text: str, start: int, end: int, value: Any) -> str:
    """``value`` as JSON, laid out like the text it replaces (one line, or indented)."""
    original = text[start:end]
    if "\n" not in original:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    line_start = text.rfind("\n", 0, start) + 1
    base = re.match(r"[ \t]*", text[line_start:start])
    prefix = base.group(0) if base else ""
    inner = re.match(r"[\[{][ \t]*\r?\n([ \t]*)", original)
    unit = "  "
    if inner and inner.group(1).startswith(prefix) and len(inner.group(1)) > len(prefix):
        unit = inner.group(1)[len(prefix) :]
    newline = "\r\n" if "\r\n" in original else "\n"
    return _pretty(value, unit, prefix).replace("\n", newline)


class CslJsonFormat(CslFormatBase):
    """CSL-JSON files (``.json``): CSL items, plus citekit's excerpts.

    ``read`` never raises for bad input: invalid JSON gives one problem with
    its line and column and an empty library; a bad item gives problems naming
    its id, line and field, and the other items still load.
    """

    name = "csljson"
    extensions = (".json",)
    default_form = "list"

    def _read(self, data: bytes, path: str | None) -> Library:
        """Read CSL-JSON from ``data`` (UTF-8, a byte-order mark allowed)."""
        try:
            text, _ = _decode(data)
        except UnicodeDecodeError as error:
            offset = error.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
            line = data.count(b"\n", 0, offset) + 1
            column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
            return unreadable(
                self.name,
                data,
                path,
                Problem(
                    message=f"not UTF-8 text (byte 0x{data[offset]:02x}); CSL-JSON is UTF-8",
                    path=path,
                    line=line,
                    column=column,
                ),
            )
        if not text.strip():
            return read_document(
                None, format=self.name, data=data, path=path, positions=_JsonPositions(text, {})
            )
        scanner = _Scanner(text)
        try:
            value, spans, duplicates = scanner.document()
        except json.JSONDecodeError as error:
            return unreadable(
                self.name,
                data,
                path,
                Problem(
                    message=f"invalid JSON: {error.msg}",
                    path=path,
                    line=error.lineno,
                    column=error.colno,
                ),
            )
        positions = _JsonPositions(text, spans)
        library = read_document(
            value,
            format=self.name,
            data=data,
            path=path,
            positions=positions,
            spans=spans,
        )
        self._duplicate_keys(library, value, duplicates, positions)
        return library

    def _duplicate_keys(
        self,
        library: Library,
        value: Any,
        duplicates: dict[str, list[list[str]]],
        positions: _JsonPositions,
    ) -> None:
        """Warn about keys given twice in an object (JSON keeps the last)."""
        for section, per_element in duplicates.items():
            elements: Sequence[Any]
            if isinstance(value, list):
                elements = value
            elif isinstance(value, dict) and section == "references" and "id" in value:
                elements = [value]
            elif isinstance(value, dict):
                key = (
                    section
                    if section == "excerpts"
                    else ("references" if "references" in value else "items")
                )
                found = value.get(key)
                elements = found if isinstance(found, list) else []
            else:
                elements = []
            for index, names in enumerate(per_element):
                element = elements[index] if index < len(elements) else None
                key_value = element.get("id") if isinstance(element, dict) else None
                for name in dict.fromkeys(names):
                    library.problems.append(
                        Problem(
                            message=f"key {name!r} is given twice in an object; the last is read",
                            path=library.path,
                            line=positions.line(section, index, name)
                            or positions.line(section, index),
                            key=None if key_value is None else str(key_value),
                            field=name,
                            severity="warning",
                        )
                    )

    def _dump(self, value: Any, origin: CslOrigin | None) -> bytes:
        try:
            text = _pretty(value, "  ")
        except (TypeError, ValueError) as error:
            raise FormatError(f"cannot write CSL-JSON: {error}") from None
        return (text + "\n").encode("utf-8")

    def _splice(self, origin: CslOrigin, document: Document) -> bytes | None:
        try:
            text, bom = _decode(origin.data)
        except UnicodeDecodeError:
            return None
        changes = list(changed_slots(origin, document))
        if any(entry.span is None for entry, _ in changes):
            return None
        changes.sort(key=lambda change: change[0].span[0] if change[0].span else 0)
        pieces: list[str] = [bom]
        position = 0
        try:
            for entry, value in changes:
                assert entry.span is not None
                start, end, _ = entry.span
                pieces.append(text[position:start])
                pieces.append(_place(text, start, end, value))
                position = end
        except (TypeError, ValueError) as error:
            raise FormatError(f"cannot write CSL-JSON: {error}") from None
        pieces.append(text[position:])
        return "".join(pieces).encode("utf-8")
