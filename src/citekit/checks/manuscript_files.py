"""Reading the manuscripts a check compares a library with (``--manuscript``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from citekit.errors import ParseError
from citekit.model import Problem

__all__ = ["read_manuscripts"]


def read_manuscripts(paths: Sequence[str | os.PathLike[str]]) -> dict[str, str]:
    """The text of each manuscript, by path; raises :class:`~citekit.ParseError` if unreadable."""
    texts: dict[str, str] = {}
    for path in paths:
        name = os.fspath(path)
        try:
            texts[name] = Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise ParseError(
                Problem(path=name, message=f"cannot read manuscript: {error.strerror}")
            ) from None
        except UnicodeDecodeError as error:
            raise ParseError(
                Problem(path=name, message=f"manuscript is not UTF-8 ({error.reason})")
            ) from None
    return texts
