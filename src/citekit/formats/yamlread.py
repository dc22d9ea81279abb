"""Reading YAML for the formats built on it (CITATION.cff, Hayagriva).

One parse step shared by the YAML formats: UTF-8 text (a BOM allowed), YAML
1.2 core-schema scalars (``2021-05-01`` and ``yes`` stay text, as CFF's and
Hayagriva's readers take them), a guard against alias bombs, and the first
problem as a :class:`~citekit.Problem` with its line and column. The node
tree is returned too, so that readers can give the line of a key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from citekit.formats.cslyaml import _compose, _plain, _TooBig
from citekit.model import Problem

__all__ = ["ParsedYaml", "line_of", "parse_yaml"]


class ParsedYaml:
    """A parsed YAML document: its value (plain JSON-like data) and its root node."""

    def __init__(self, value: Any, root: Node | None) -> None:
        self.value = value
        self.root = root


def parse_yaml(data: bytes, path: str | None, what: str) -> ParsedYaml | Problem:
    """The document in ``data``, or the problem that stops it being read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(
            message=f"not UTF-8 text (byte 0x{data[error.start]:02x}); {what} is UTF-8",
            path=path,
            line=data.count(b"\n", 0, error.start) + 1,
        )
    try:
        root, value = _compose(text)
    except _TooBig as error:
        return Problem(message=str(error), path=path)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = " ".join(p for p in (error.context, error.problem) if p)
        return Problem(
            message=f"invalid YAML: {detail or error}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
    except yaml.reader.ReaderError as error:
        return Problem(
            message=f"invalid YAML: character {error.character!r} is not allowed",
            path=path,
            line=text.count("\n", 0, error.position) + 1,
        )
    except (yaml.YAMLError, RecursionError) as error:
        return Problem(message=f"invalid YAML: {error}", path=path)
    return ParsedYaml(_plain(value), root)


def line_of(root: Node | None, where: Sequence[str | int]) -> int | None:
    """The line (1-based) of the value at ``where`` (keys and list indexes), if found.

    A path that goes further than the document gives the line of the deepest
    node found on it.
    """
    node = root
    line: int | None = node.start_mark.line + 1 if node is not None else None
    for step in where:
        if isinstance(node, MappingNode) and isinstance(step, str):
            found = None
            for name, child in node.value:
                if isinstance(name, ScalarNode) and name.value == step:
                    found = child
                    line = name.start_mark.line + 1
            node = found
        elif isinstance(node, SequenceNode) and isinstance(step, int):
            node = node.value[step] if 0 <= step < len(node.value) else None
            if node is not None:
                line = node.start_mark.line + 1
        else:
            node = None
        if node is None:
            break
    return line
