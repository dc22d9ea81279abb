"""A griffe extension for the API pages: Sphinx roles in docstrings to Markdown.

citekit's docstrings use reStructuredText habits (``:class:`~citekit.Problem```,
``::`` before a literal block) that read well in the source and in ``help()``.
mkdocstrings renders docstrings as Markdown, so this turns each role into a
code span (``~`` keeps only the last name, as in Sphinx) and ``::`` at the end
of a line into ``:``. Configured in mkdocs.yml; not part of the package.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?[a-z]+:`(?P<tilde>~?)(?P<target>[^`<]+?)(?:\s*<[^>`]+>)?`")
_LITERAL_BLOCK = re.compile(r"(?<=\S)::$", re.MULTILINE)


def _role(match: re.Match[str]) -> str:
    target = match.group("target").strip()
    if match.group("tilde"):
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def markdown(text: str) -> str:
    """The docstring ``text`` with Sphinx roles as code spans and ``::`` as ``:``."""
    return _LITERAL_BLOCK.sub(":", _ROLE.sub(_role, text))


class SphinxRoles(griffe.Extension):
    """Rewrite every docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
