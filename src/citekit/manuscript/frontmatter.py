"""Pandoc-style YAML front matter: the settings a manuscript gives itself.

A Markdown manuscript may open with a YAML block between ``---`` and
``---`` (or ``...``) lines. citekit reads these fields, as pandoc does:

``bibliography``
    a file, or a list of files, in any format citekit reads (``.bib``,
    ``.json``, ``.yaml``), relative to the manuscript's folder;
``csl``
    the style: a style name (``apa``), or a ``.csl`` file relative to the
    manuscript's folder;
``nocite``
    works listed in the bibliography without being cited: ``"@a, @b"``, or
    ``"@*"`` for every work of the bibliography files;
``lang``
    the locale (``en-GB``, ``de-DE``);
``link-citations``
    true to link citations to their bibliography entries (author-date and
    numeric styles, HTML, Markdown and LaTeX);
``reference-section-title``
    a heading put before the bibliography;
``suppress-bibliography``
    true to leave the bibliography out;
``notes-after-punctuation``
    false to keep a citation's footnote mark before the punctuation that
    follows it (true by default, as in pandoc).

Other fields (``title``, ``author``, ...) are kept in Markdown output and
give the title of a standalone HTML or LaTeX document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from citekit.model.library import Problem

__all__ = ["CITATION_FIELDS", "FrontMatter", "read_front_matter"]

#: The fields citekit reads (and leaves out of Markdown output).
CITATION_FIELDS: tuple[str, ...] = (
    "bibliography",
    "csl",
    "nocite",
    "lang",
    "link-citations",
    "reference-section-title",
    "suppress-bibliography",
    "notes-after-punctuation",
)

_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_NOCITE_KEY = re.compile(r"@(\*|\{[^{}]*\}|[\w][\w:.#$%&\-+?<>~/]*)")


@attrs.frozen
class FrontMatter:
    """A manuscript's front matter: where it ends, and the settings read from it."""

    end: int = 0
    """The offset just past the closing line (0 without front matter)."""
    data: Mapping[str, Any] = attrs.field(factory=dict)
    """Every field, as YAML gives it."""
    bibliography: tuple[str, ...] = ()
    csl: str | None = None
    nocite: tuple[str, ...] = ()
    """Keys to list without citing; ``"*"`` for all."""
    lang: str | None = None
    link_citations: bool | None = None
    reference_section_title: str | None = None
    suppress_bibliography: bool | None = None
    notes_after_punctuation: bool | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def other(self) -> dict[str, Any]:
        """The fields citekit does not read (kept in Markdown output)."""
        return {k: v for k, v in self.data.items() if k not in CITATION_FIELDS}


def read_front_matter(text: str, path: str) -> FrontMatter:
    """The front matter at the start of ``text`` (``path`` names it in problems)."""
    opened = _OPEN.match(text)
    if opened is None:
        return FrontMatter()
    closed = _CLOSE.search(text, opened.end())
    if closed is None:
        return FrontMatter()
    end = closed.end()
    if text.startswith("\r\n", end):
        end += 2
    elif text.startswith("\n", end):
        end += 1
    source = text[opened.end() : closed.start()]
    first_line = 2
    problems: list[Problem] = []
    data = _load_yaml(source, path, first_line, problems)
    if data is None:
        return FrontMatter(end=end, problems=tuple(problems))
    if not isinstance(data, Mapping):
        problems.append(
            Problem(
                path=path,
                line=first_line,
                message="the front matter is not a mapping of fields (expected 'field: value')",
            )
        )
        return FrontMatter(end=end, problems=tuple(problems))
    data = {str(k): v for k, v in data.items()}

    def line_of(field: str) -> int:
        found = re.search(rf"^{re.escape(field)}[ \t]*:", source, re.M)
        return first_line + source.count("\n", 0, found.start()) if found else first_line

    def bad(field: str, expected: str) -> None:
        problems.append(
            Problem(
                path=path,
                line=line_of(field),
                message=f"front matter field {field!r}: expected {expected},"
                f" got {_describe(data[field])}",
            )
        )

    def text_field(field: str) -> str | None:
        value = data.get(field)
        if value is None:
            return None
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value).strip() or None
        bad(field, "a text")
        return None

    def bool_field(field: str) -> bool | None:
        value = data.get(field)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            return value.strip().lower() in ("true", "yes")
        bad(field, "true or false")
        return None

    bibliography: list[str] = []
    value = data.get("bibliography")
    if isinstance(value, str):
        bibliography = [value]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        bibliography = list(value)
    elif value is not None:
        bad("bibliography", "a file name or a list of file names")
    nocite: list[str] = []
    value = data.get("nocite")
    if value is not None:
        values = value if isinstance(value, list) else [value]
        if all(isinstance(v, str) for v in values):
            for one in values:
                for match in _NOCITE_KEY.finditer(one):
                    key = match.group(1)
                    key = key[1:-1] if key.startswith("{") else key.rstrip(":.#$%&-+?<>~/")
                    if key:
                        nocite.append(key)
        else:
            bad("nocite", "citations such as '@a, @b' or '@*'")
    return FrontMatter(
        end=end,
        data=data,
        bibliography=tuple(b.strip() for b in bibliography if b.strip()),
        csl=text_field("csl"),
        nocite=tuple(dict.fromkeys(nocite)),
        lang=text_field("lang"),
        link_citations=bool_field("link-citations"),
        reference_section_title=text_field("reference-section-title"),
        suppress_bibliography=bool_field("suppress-bibliography"),
        notes_after_punctuation=bool_field("notes-after-punctuation"),
        problems=tuple(problems),
    )


def _load_yaml(source: str, path: str, first_line: int, problems: list[Problem]) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(source, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        column = mark.column + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.append(
            Problem(
                path=path,
                line=line,
                column=column,
                message=f"the front matter is not valid YAML: {reason}",
            )
        )
        return None


def dump_front_matter(fields: Mapping[str, Any]) -> str:
    """Fields as a YAML front matter block (with its ``---`` lines), or "" for none."""
    if not fields:
        return ""
    import yaml

    body = yaml.safe_dump(dict(fields), sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{body}---\n\n"


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return repr(value)
