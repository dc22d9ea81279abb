"""CSL-YAML: CSL items in YAML, as pandoc reads them.

The same data as CSL-JSON (see :mod:`citekit.formats.csl`), in YAML. Pandoc's
convention is a mapping with a ``references`` list; citekit adds
``excerpts``. A bare list of items is read too, and so is a front-matter
document (``---`` ... ``---`` or ``...``, as at the top of a Markdown file).

YAML is read with the value types of YAML 1.2's core schema, as pandoc reads
it: ``yes``, ``no``, ``on``, ``off``, ``2005-12-15`` and ``1:30`` stay text,
``012`` is the number 12. Writing is block style, Unicode kept, multi-line
text as literal blocks (``|``), dates' ``date-parts`` and short lists in flow
style (``[[1944, 3]]``).
"""

from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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

__all__ = ["CslYamlFormat"]

_MAX_NODES = 1_000_000


# libyaml's parser when PyYAML was built with it (about ten times faster), else PyYAML's.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader with YAML 1.2 core schema scalars (no timestamps, no yes/no)."""


_Loader.yaml_implicit_resolvers = {}
_CORE_SCALARS = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
)
for _tag, _pattern, _first in _CORE_SCALARS:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    # Python writes (and reads) decimal integers of a limited number of digits only.
    limit = sys.get_int_max_str_digits()
    too_long = yaml.constructor.ConstructorError(
        None, None, f"a number of more than {limit:,} digits", node.start_mark
    )
    digits = text.lstrip("+-").replace("_", "")
    if 0 < limit < len(digits) and digits.isdigit():
        raise too_long
    try:
        return int(text.replace("_", ""), 10)
    except ValueError:  # an explicit !!int in YAML 1.1 syntax (0x1F, 0o17)
        value: int = loader.construct_yaml_int(node)
    if limit and value.bit_length() > limit * 3.32:  # more than `limit` decimal digits
        raise too_long
    return value


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key, no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_BREAKS = re.compile("[\r\x85\u2028\u2029\ufeff]")


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # YAML reads \r, NEL, LS and PS in block or single-quoted text as line breaks
    # (and a BOM as noise): only double quotes, which escape them, keep them.
    style = '"' if _BREAKS.search(data) else "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _scalar(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, bool | int | float)
        or (isinstance(value, str) and "\n" not in value)
    )


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    flow = bool(data) and (
        all(isinstance(v, list) and all(isinstance(x, int) for x in v) for v in data)
        or (all(_scalar(v) for v in data) and len(repr(data)) <= 60)
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


# Quote text that either YAML 1.1 (PyYAML, older tools) or 1.2 (pandoc, citekit) would
# read as something else: "yes", "2005-12-15", "0521417805", "1e5".
for _tag, _pattern, _first in _CORE_SCALARS:
    _Dumper.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def _dump(value: Any, *, flow: bool = False) -> str:
    try:
        text: str = yaml.dump(
            value,
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=flow,
            width=1_000_000,
        )
    except yaml.YAMLError as error:
        raise FormatError(f"cannot write CSL-YAML: {error}") from None
    return text


def _spaced(text: str, is_list: bool) -> str:
    """A blank line between the items of the top-level lists, and before top-level keys."""
    item = re.compile(r"- " if is_list else r"  - ")
    key = re.compile(r"[^\s#-][^\n]*:\s*$")
    out: list[str] = []
    previous = ""
    for line in text.splitlines(keepends=True):
        if out and (
            (item.match(line) and not key.match(previous)) or (not is_list and key.match(line))
        ):
            out.append("\n")
        out.append(line)
        previous = line
    return "".join(out)


def _front_matter(text: str) -> tuple[str, str]:
    """Split a front-matter document (``---`` ... ``---``/``...``) from what follows it."""
    opening = re.match(r"---[ \t]*\r?\n", text)
    if not opening:
        return text, ""
    closing = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(text, opening.end())
    if closing is None:
        return text, ""
    return text[: closing.start()], text[closing.start() :]


def _check_size(root: Node) -> str | None:
    """A message if the node graph is recursive or too large once aliases are expanded."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise RecursionError
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child)
        elif isinstance(node, MappingNode):
            for name, child in node.value:
                total += size(name) + size(child)
        active.discard(key)
        sizes[key] = total
        if total > _MAX_NODES:
            raise OverflowError
        return total

    try:
        size(root)
    except RecursionError:
        return "a recursive alias (a value that contains itself); CSL data is a tree"
    except OverflowError:
        return f"more than {_MAX_NODES} values once aliases are expanded"
    return None


def _plain(value: Any) -> Any:
    """YAML values as JSON's: dates as ISO text, keys as text, other types as text."""
    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _key(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _content_end(node: Node) -> int:
    """Where a node's own text ends (not the blank lines and comments after it)."""
    if isinstance(node, SequenceNode | MappingNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _content_end(last[1] if isinstance(node, MappingNode) else last)
    end: int = node.end_mark.index
    return end


class _TooBig(Exception):
    """A document whose aliases make it recursive or too large to expand."""


def _compose(document: str) -> tuple[Node | None, Any]:
    """The root node of a YAML document and its value; raises :class:`yaml.YAMLError`."""
    loader = _Loader(document)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        message = _check_size(root)
        if message is not None:
            raise _TooBig(message)
        return root, loader.construct_document(root)
    finally:
        loader.dispose()


class _YamlPositions:
    """Lines of items, excerpts and their keys, from the composed YAML nodes."""

    def __init__(self, sections: dict[str, list[Node]]) -> None:
        self.sections = sections

    def line(self, section: str, index: int, field: str | None = None) -> int | None:
        nodes = self.sections.get(section, [])
        if index >= len(nodes):
            return None
        node = nodes[index]
        if field is None:
            line: int = node.start_mark.line + 1
            return line
        if isinstance(node, MappingNode):
            for name, _ in node.value:
                if _key(name) == field:
                    found: int = name.start_mark.line + 1
                    return found
        return None


def _sections(root: Node | None) -> dict[str, list[Node]]:
    if isinstance(root, SequenceNode):
        return {"references": list(root.value)}
    if not isinstance(root, MappingNode):
        return {}
    keys = {_key(name): value for name, value in root.value}
    if "id" in keys or not ("references" in keys or "items" in keys):
        return {"references": [root]}
    out: dict[str, list[Node]] = {}
    items = keys.get("references", keys.get("items"))
    if isinstance(items, SequenceNode):
        out["references"] = list(items.value)
    excerpts = keys.get("excerpts")
    if isinstance(excerpts, SequenceNode):
        out["excerpts"] = list(excerpts.value)
    return out


class CslYamlFormat(CslFormatBase):
    """CSL-YAML files (``.yaml``, ``.yml``): CSL items as pandoc reads them, plus excerpts.

    ``read`` never raises for bad input: invalid YAML gives one problem with
    its line and column and an empty library; a bad item gives problems naming
    its id, line and field, and the other items still load.
    """

    name = "cslyaml"
    extensions = (".yaml", ".yml")
    default_form = "object"

    def _read(self, data: bytes, path: str | None) -> Library:
        """Read CSL-YAML from ``data`` (UTF-8)."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            return unreadable(
                self.name,
                data,
                path,
                Problem(
                    message=f"not UTF-8 text (byte 0x{data[error.start]:02x}); CSL-YAML is UTF-8",
                    path=path,
                    line=line,
                    column=error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1,
                ),
            )
        document, tail = _front_matter(text)
        try:
            root, value = _compose(document)
        except _TooBig as error:
            return unreadable(self.name, data, path, Problem(message=str(error), path=path))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            what = " ".join(p for p in (error.context, error.problem) if p)
            return unreadable(
                self.name,
                data,
                path,
                Problem(
                    message=f"invalid YAML: {what or error}",
                    path=path,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                ),
            )
        except yaml.reader.ReaderError as error:
            line = document.count("\n", 0, error.position) + 1
            return unreadable(
                self.name,
                data,
                path,
                Problem(
                    message=f"invalid YAML: character {error.character!r} is not allowed",
                    path=path,
                    line=line,
                ),
            )
        except yaml.YAMLError as error:
            return unreadable(
                self.name, data, path, Problem(message=f"invalid YAML: {error}", path=path)
            )
        sections = _sections(root)
        positions = _YamlPositions(sections)
        spans = {
            section: [
                (
                    node.start_mark.index,
                    _content_end(node),
                    (node.start_mark.column, bool(getattr(node, "flow_style", False))),
                )
                for node in nodes
            ]
            for section, nodes in sections.items()
        }
        library = read_document(
            _plain(value),
            format=self.name,
            data=data,
            path=path,
            positions=positions,
            spans=spans,
            layout=tail,
        )
        self._duplicate_keys(library, sections)
        return library

    def _duplicate_keys(self, library: Library, sections: dict[str, list[Node]]) -> None:
        for nodes in sections.values():
            for node in nodes:
                if not isinstance(node, MappingNode):
                    continue
                seen: set[str] = set()
                item_id = next((v.value for k, v in node.value if _key(k) == "id"), None)
                for name, _ in node.value:
                    key = _key(name)
                    if key is None:
                        continue
                    if key in seen:
                        library.problems.append(
                            Problem(
                                message=f"key {key!r} is given twice; the last is read",
                                path=library.path,
                                line=name.start_mark.line + 1,
                                column=name.start_mark.column + 1,
                                key=item_id if isinstance(item_id, str) else None,
                                field=key,
                                severity="warning",
                            )
                        )
                    seen.add(key)

    def _dump(self, value: Any, origin: CslOrigin | None) -> bytes:
        text = _spaced(_dump(value), isinstance(value, list))
        if origin is not None and isinstance(origin.layout, str) and origin.layout:
            # A front-matter document: keep its markers and what follows it.
            text = "---\n" + text + origin.layout
        return text.encode("utf-8")

    def _splice(self, origin: CslOrigin, document: Document) -> bytes | None:
        text = origin.data.decode("utf-8-sig")
        bom = "\ufeff" if origin.data.startswith(b"\xef\xbb\xbf") else ""
        changes = list(changed_slots(origin, document))
        if any(entry.span is None for entry, _ in changes):
            return None
        changes.sort(key=lambda change: change[0].span[0] if change[0].span else 0)
        pieces: list[str] = [bom]
        position = 0
        for entry, value in changes:
            assert entry.span is not None
            start, end, layout = entry.span
            column, flow = layout
            pieces.append(text[position:start])
            dumped = _dump(value, flow=flow).rstrip("\n")
            if flow:
                dumped = " ".join(dumped.splitlines())
            newline = "\r\n" if "\r\n" in text[start:end] else "\n"
            pieces.append(dumped.replace("\n", newline + " " * column))
            position = start + len(text[start:end].rstrip())
        pieces.append(text[position:])
        return "".join(pieces).encode("utf-8")
