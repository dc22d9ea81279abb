"""citekit's own exceptions.

Every error that citekit's public API raises is a :class:`CitekitError`;
exceptions of the libraries citekit builds on never leak out of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citekit.formats.losses import Loss
    from citekit.model.problem import Problem

__all__ = [
    "CitekitError",
    "DuplicateKeyError",
    "FormatError",
    "LossError",
    "ParseError",
    "PluginNotFoundError",
    "StyleError",
    "StyleWarning",
    "UnknownKeyError",
    "WriteError",
]


class CitekitError(Exception):
    """Base class of every error citekit raises."""


class ParseError(CitekitError, ValueError):
    """Input could not be read (raised in strict mode, or when nothing could be read).

    ``problems`` holds every :class:`~citekit.Problem` met, each with its file,
    line and message; ``str(error)`` lists them one per line.
    """

    def __init__(self, problems: Sequence[Problem] | Problem | str) -> None:
        from citekit.model.problem import Problem

        if isinstance(problems, str):
            problems = [Problem(message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        lines = [str(p) for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"... and {len(self.problems) - 20} more problems")
        return "\n".join(lines) if lines else "could not parse input"

    @property
    def path(self) -> str | None:
        """The file of the first problem, if known."""
        return self.problems[0].path if self.problems else None

    @property
    def line(self) -> int | None:
        """The line of the first problem, if known."""
        return self.problems[0].line if self.problems else None


class FormatError(CitekitError, ValueError):
    """No reader or writer for a file, or a value cannot be expressed in a format."""


class WriteError(CitekitError, OSError):
    """A library could not be written; the target file is left untouched."""


class LossError(WriteError):
    """A strict save refused to write: the target format cannot keep everything.

    ``losses`` lists each :class:`~citekit.formats.losses.Loss` (the field, the
    entries and what would become of it); ``str(error)`` names them one per line.
    The target file is left untouched.
    """

    def __init__(self, path: str, losses: Sequence[Loss]) -> None:
        self.losses: tuple[Loss, ...] = tuple(losses)
        lines = [f"{path}: not written: the format cannot keep everything (strict)"]
        lines.extend(f"  {loss}" for loss in self.losses[:20])
        if len(self.losses) > 20:
            lines.append(f"  ... and {len(self.losses) - 20} more")
        super().__init__("\n".join(lines))


class PluginNotFoundError(CitekitError, LookupError):
    """No plug-in of that name in an entry-point group; the message lists those installed."""

    def __init__(self, group: str, name: str, available: Iterable[str]) -> None:
        self.group = group
        self.name = name
        self.available = tuple(sorted(available))
        choices = ", ".join(self.available) or "none installed"
        super().__init__(f"no {group} plug-in named {name!r} (available: {choices})")


class StyleError(CitekitError, ValueError):
    """A citation style could not be found or parsed."""


class StyleWarning(UserWarning):
    """A citation style loads, but something in it is wrong (a call of an undefined macro).

    The style renders everything that does not meet the problem; rendering
    that does is a :class:`StyleError`. The same problems are kept as data
    on the style (:attr:`citekit.csl.styles.Style.problems`).
    """


class UnknownKeyError(CitekitError, KeyError):
    """A citation key is not in the library."""

    def __init__(self, key: str, suggestion: str | None = None) -> None:
        self.key = key
        self.suggestion = suggestion
        message = f"unknown citation key {key!r}"
        if suggestion:
            message += f" (did you mean {suggestion!r}?)"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateKeyError(CitekitError, KeyError):
    """A work with that key is already in the library."""

    def __init__(self, key: str, kind: str = "work") -> None:
        self.key = key
        what = "a work with key" if kind == "work" else f"an {kind} with id"
        super().__init__(f"{what} {key!r} is already in the library")

    def __str__(self) -> str:
        return str(self.args[0])
