"""``citekit render``: the citations, notes and bibliography of a manuscript.

The output is written to a temporary file beside ``-o OUT`` and renamed over
it only when the render succeeded: a missing or unreadable bibliography, a
bad style or ``--strict`` with errors leave an existing OUT exactly as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from citekit.cli import PROG, Failure, _plural, add_style_options, add_to_option, report_problems

__all__ = ["register"]

#: Output formats by file extension, for ``citekit render -o FILE``.
_RENDER_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html",
                      ".htm": "html", ".tex": "latex", ".latex": "latex"}  # fmt: skip

#: Extensions of documents citekit does not typeset, and what to do instead.
_TYPESET = {".pdf": "PDF", ".docx": "Word", ".odt": "OpenDocument", ".epub": "EPUB",
            ".rtf": "RTF"}  # fmt: skip


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
    report_problems(result.problems, quiet=args.quiet, what=str(files[0]))
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
