"""``citekit render``: the citations, notes and bibliography of a manuscript.

The output is written to a temporary file beside ``-o OUT`` and renamed over
it only when the render succeeded: a missing or unreadable bibliography, a
bad style or ``--strict`` with errors leave an existing OUT exactly as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from citekit.cli import PROG, Failure, _plural, add_style_options, add_to_option, report_problems

if TYPE_CHECKING:
    from citekit.model import Problem

__all__ = ["register"]

#: Output formats by file extension, for ``citekit render -o FILE``.
_RENDER_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html",
                      ".htm": "html", ".tex": "latex", ".latex": "latex"}  # fmt: skip

#: Extensions of documents citekit does not typeset, and what to do instead.
_TYPESET = {".pdf": "PDF", ".docx": "Word", ".odt": "OpenDocument", ".epub": "EPUB",
            ".rtf": "RTF"}  # fmt: skip


#: How many keys a folded "never cited" warning names.
_UNCITED_NAMED = 5


def register(commands: Any) -> None:
    """Add the ``render`` command: a manuscript's citations, notes and bibliography."""
    render = commands.add_parser(
        "render",
        help="render the citations and bibliography of a Markdown or LaTeX manuscript",
        description="Render the citations of MANUSCRIPT (Pandoc Markdown or LaTeX; several "
        "files, or a folder of chapter files, make one document with one bibliography) in a "
        "CSL style, as Markdown, HTML or LaTeX (not PDF: typeset the LaTeX or Markdown output "
        "with LaTeX or pandoc). The front matter's bibliography, csl, nocite, lang, "
        "link-citations and reference-section-title fields are read; options given here "
        "take precedence. Warnings, then errors go to standard error as file:line:col: "
        "message; unknown keys are marked in the output (**key?**) unless --strict is given. "
        "A bibliography that cannot be read is an error (exit status 2) and nothing is "
        "written; OUT is replaced only when the render succeeds.",
    )
    render.add_argument(
        "manuscripts", metavar="MANUSCRIPT", nargs="+", help="Markdown or LaTeX files, or folders"
    )
    render.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="the file to write: .md, .html or .tex (default: standard output)",
    )
    render.add_argument(
        "--bib",
        action="append",
        default=[],
        metavar="FILE",
        help="a bibliography file (.bib, .json, .yaml); may be repeated; replaces the front "
        "matter's bibliography",
    )
    add_style_options(render, default="the front matter's csl, else chicago-author-date")
    add_to_option(
        render,
        ("markdown", "html", "latex"),
        None,
        "output format (default: from OUT's extension, else markdown; latex for a LaTeX "
        "manuscript)",
    )
    render.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 and write nothing if there are errors (unknown keys, ...)",
    )
    render.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print no warnings (never-cited entries, ...), only errors",
    )
    render.add_argument(
        "--standalone", "-s", action="store_true", help="a whole HTML or LaTeX document"
    )
    render.add_argument(
        "--link-citations", action="store_true", default=None, help="link citations to entries"
    )
    render.add_argument(
        "--no-cache", action="store_true", help="do not read or write the rendering cache"
    )
    render.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the cache folder (default: .citekit-cache beside the first manuscript, or the "
        "user cache folder)",
    )
    render.set_defaults(command=_render)


def output_format(output: str | None, to: str | None, syntax: str) -> str:
    """The output format: ``to``, else ``output``'s extension, else the manuscript's."""
    if to is not None:
        return to
    if output and output != "-":
        extension = os.path.splitext(output)[1].lower()
        if extension in _TYPESET:
            stem = os.path.splitext(output)[0]
            raise Failure(
                f"{output}: citekit renders citations into Markdown, HTML or LaTeX; it does "
                f"not typeset {_TYPESET[extension]}. Write {stem}.tex and typeset it "
                f"('citekit render ... -s -o {stem}.tex && pdflatex {stem}.tex'), or write "
                f"{stem}.md and convert it with pandoc (nothing written)"
            )
        found = _RENDER_EXTENSIONS.get(extension)
        if found is not None:
            return found
        if extension:
            known = ", ".join(sorted(_RENDER_EXTENSIONS))
            raise Failure(
                f"{output}: no output format for {extension!r} (known: {known});"
                " give --to markdown, html or latex (nothing written)"
            )
    return "latex" if syntax == "latex" else "markdown"


def _render(args: argparse.Namespace) -> int:
    from citekit.io import atomic_write
    from citekit.manuscript import EXTENSIONS, manuscript_files, render_files

    files = manuscript_files(args.manuscripts)
    syntax = EXTENSIONS.get(files[0].suffix.lower(), "markdown")
    to = output_format(args.output, args.to, syntax)
    cache: Any = False if args.no_cache else (args.cache_dir or True)
    result = render_files(
        files,
        bibliography=args.bib,
        style=args.style,
        to=to,
        syntax=syntax,
        locale=args.locale,
        strict=False,
        standalone=args.standalone,
        link_citations=args.link_citations,
        cache=cache,
    )
    cited = {key for citation in result.citations for key in citation.keys}
    manuscripts = {str(f) for f in files}
    problems = _fold_uncited(_fold_others(result.problems, cited, manuscripts))
    if result.unread:
        # Every key is unknown when the bibliography is missing: say why, not each key.
        problems = [p for p in problems if p.path not in manuscripts]
    report_problems(problems, quiet=args.quiet, what=str(files[0]))
    target = args.output if args.output and args.output != "-" else "the output"
    if result.unread:
        names = ", ".join(result.unread)
        raise Failure(
            f"cannot read the bibliography {names}; {target} not written"
            + (" (left as it was)" if args.output and os.path.exists(args.output) else "")
        )
    if args.strict and result.errors:
        sys.stderr.write(
            f"{PROG}: {_plural(len(result.errors), 'error')}; nothing written (--strict)\n"
        )
        return 1
    if args.output and args.output != "-":
        atomic_write(args.output, result.text.encode("utf-8"))
    else:
        sys.stdout.write(result.text)
    return 0


def _fold_uncited(problems: Sequence[Problem]) -> list[Problem]:
    """The problems, "never cited" warnings of one file folded into one line naming the keys.

    A shared bibliography holds many works an essay does not cite: one line
    per work would bury the errors that matter.
    """
    from citekit.model import Problem

    uncited: dict[str | None, list[str]] = {}
    for problem in problems:
        if problem.severity == "warning" and problem.message == "never cited":
            uncited.setdefault(problem.path, []).append(problem.key or "?")
    folded: list[Problem] = []
    for problem in problems:
        if problem.severity == "warning" and problem.message == "never cited":
            keys = uncited.pop(problem.path, None)
            if keys is None:
                continue
            if len(keys) == 1:
                folded.append(problem)
                continue
            shown = ", ".join(keys[:_UNCITED_NAMED])
            more = f" and {len(keys) - _UNCITED_NAMED:,} more" if len(keys) > _UNCITED_NAMED else ""
            message = f"{len(keys):,} entries never cited: {shown}{more}"
            folded.append(Problem(path=problem.path, severity="warning", message=message))
        else:
            folded.append(problem)
    return folded


def _fold_others(
    problems: Sequence[Problem], cited: set[str], manuscripts: set[str]
) -> list[Problem]:
    """The problems, a bibliography file's warnings on works not cited counted on one line.

    A writer needs every warning on the works the manuscript cites; the
    others are the same on every render and are listed by ``citekit show``.
    """
    from citekit.model import Problem

    def other(problem: Problem) -> bool:
        return (
            problem.severity == "warning"
            and problem.key is not None
            and problem.key not in cited
            and problem.message != "never cited"
            and problem.path not in manuscripts
        )

    counts: dict[str | None, int] = {}
    for problem in problems:
        if other(problem):
            counts[problem.path] = counts.get(problem.path, 0) + 1
    folded: list[Problem] = []
    for problem in problems:
        if not other(problem):
            folded.append(problem)
        elif problem.path in counts:
            count = counts.pop(problem.path)
            if count == 1:
                folded.append(problem)
                continue
            message = (
                f"{count:,} warnings on entries not cited (citekit show {problem.path} lists them)"
            )
            folded.append(Problem(path=problem.path, severity="warning", message=message))
    return folded
