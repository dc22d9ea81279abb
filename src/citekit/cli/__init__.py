"""The ``citekit`` command: convert, inspect, render in CSL styles and list plug-ins.

::

    citekit convert refs.bib refs.json          # formats chosen by extension
    citekit convert refs.bib - --to cslyaml     # "-" writes to standard output
    citekit show refs.bib                       # one line per work
    citekit show refs.bib serge1944             # every field of one work, and its excerpts
    citekit bib refs.bib --style apa            # the bibliography in a CSL style
    citekit cite refs.bib serge1944 --locator 12 --style apa   # one citation
    citekit formats                             # installed format plug-ins
    citekit formatters                          # installed formatter plug-ins
    citekit quote list -l refs.bib --tag stalinism       # the excerpts, one a line
    citekit quote show -l refs.bib serge-heir            # every field of an excerpt
    citekit quote add -l refs.bib ID --work KEY --locator "p. 3" < passage.txt
    citekit quote check -l refs.bib serge-heir post.html # 0 exact, 1 differences
    citekit quote render -l refs.bib serge-heir --to markdown --style apa
    citekit render essay.md -o essay.html       # citations, notes, bibliography
    citekit render chapters/ --bib refs.bib --style chicago-notes-bibliography --to latex

Problems met while reading are printed to standard error as
``file:line: message``. Exit status: 0 when all went well, 1 when ``--strict``
is given and problems were met, 2 for bad input (a missing file, an unknown
format or key, a file that cannot be read at all), with a one-line message.
``citekit quote check`` exits with 0 for an exact quotation, 1 for one with
differences and 2 when it is not found.

This module imports only the standard library at start-up; the formats and
the model load when a command needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from citekit.formats import Format
    from citekit.model import Excerpt, Library, Person, Problem, Work

__all__ = ["COMMAND_MODULES", "Failure", "main"]

PROG = "citekit"


class _Failure(Exception):
    """A user-facing error: printed as ``citekit: error: <message>``, exit status 2."""


#: Commands that live in a module of their own, ``citekit.cli.<name>``. Each such
#: module imports only the standard library at its top and has
#: ``register(commands)``, which adds its sub-parser to ``commands`` (argparse's
#: sub-parsers action) and sets ``command`` to a function of the parsed
#: arguments returning the exit status. It may raise ``citekit.cli.Failure`` for
#: a one-line error with exit status 2.
COMMAND_MODULES: tuple[str, ...] = ()

Failure = _Failure


# -- entry point ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the ``citekit`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 1 when ``--strict`` was given and
    problems were met, 2 on bad input or usage. Never raises for bad input:
    errors are printed to standard error as one line.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # --help, --version and usage errors
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 2)
    command: Callable[[argparse.Namespace], int] | None = getattr(args, "command", None)
    if command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return command(args)
    except _Failure as failure:
        return _error(str(failure))
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (``citekit show ... | head``).
        _silence_stdout()
        return 0
    except Exception as error:
        return _error(_describe(error))


def _error(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return 2


def _describe(error: Exception) -> str:
    """One line for an error; a ParseError's problems beyond the first go to stderr first."""
    from citekit.errors import CitekitError, ParseError

    if isinstance(error, ParseError) and error.problems:
        if len(error.problems) == 1:
            return str(error.problems[0])
        _print_problems(error.problems)
        return f"{error.path or 'input'}: {len(error.problems)} problems"
    text = " ".join(str(error).split())
    if isinstance(error, CitekitError):
        return text
    return (
        f"internal error ({type(error).__name__}: {text}); this is a bug in citekit"
        " or in a plug-in, please report it"
    )


def _silence_stdout() -> None:
    # Point stdout at devnull so the interpreter's final flush does not fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


# -- argument parsing -------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from citekit import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Citations, bibliographies and quoted passages: convert and inspect "
        "BibTeX, CSL-JSON and CSL-YAML files, and render them in CSL styles.",
        epilog="Run 'citekit COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 if any problem (error or warning) is met; "
        "convert then writes nothing",
    )
    reading.add_argument(
        "--progress",
        action="store_true",
        help="report progress on standard error (the default when it is a terminal)",
    )

    convert = commands.add_parser(
        "convert",
        parents=[reading],
        help="convert a library from one format to another",
        description="Read IN and write it to OUT, the formats chosen by the files' "
        "extensions unless --from/--to name them. Problems met while reading are "
        "printed to standard error; the works that could be read are written. What "
        "OUT's format cannot keep is reported on standard error (the loss report); "
        "with --strict nothing is written when anything would be lost.",
    )
    convert.add_argument(
        "input", metavar="IN", help='the file to read, or "-" for stdin (with --from)'
    )
    convert.add_argument(
        "output", metavar="OUT", help='the file to write (replaced atomically), or "-" for stdout'
    )
    convert.add_argument("--from", dest="source_format", metavar="FMT", help="format of IN")
    convert.add_argument(
        "--to", dest="target_format", metavar="FMT", help='format of OUT (required with "-")'
    )
    convert.add_argument(
        "--dialect",
        choices=("bibtex", "biblatex"),
        help="write every entry of a .bib OUT anew in this dialect (field names, types, dates)",
    )
    convert.set_defaults(command=_convert)

    show = commands.add_parser(
        "show",
        parents=[reading],
        help="list the works of a library, or show works and excerpts in full",
        description="Without KEY: one line per work (key, type, authors, year, title, "
        "container) and one per excerpt. With KEYs: every field of those works "
        "and the excerpts quoted from them (a KEY may also be an excerpt id).",
    )
    show.add_argument(
        "file", metavar="FILE", help='the library to read, or "-" for stdin (with --from)'
    )
    show.add_argument("keys", metavar="KEY", nargs="*", help="citation keys or excerpt ids")
    show.add_argument("--from", dest="source_format", metavar="FMT", help="format of FILE")
    show.set_defaults(command=_show)

    styling = argparse.ArgumentParser(add_help=False)
    styling.add_argument(
        "--style",
        default="chicago-author-date",
        metavar="S",
        help="a CSL style: a name (apa, ieee, modern-language-association, ...), "
        "a .csl file or XML text (default: chicago-author-date)",
    )
    styling.add_argument(
        "--to",
        dest="output",
        default="text",
        metavar="FORMAT",
        help="output format: text, html, markdown, latex or rst (default: text)",
    )
    styling.add_argument(
        "--locale", metavar="L", help="locale such as en-GB or de-DE (default: the style's)"
    )
    styling.add_argument("--from", dest="source_format", metavar="FMT", help="format of FILE")

    bib = commands.add_parser(
        "bib",
        parents=[reading, styling],
        help="print the bibliography of a library in a CSL style",
        description="Print every work of FILE as a bibliography entry in a CSL "
        "style, in the style's order (HTML: a csl-bib-body div).",
    )
    bib.add_argument(
        "file", metavar="FILE", help='the library to read, or "-" for stdin (with --from)'
    )
    bib.set_defaults(command=_bib)

    cite = commands.add_parser(
        "cite",
        parents=[reading, styling],
        help="print a citation of one or more works in a CSL style",
        description="Print one citation of the works KEY... of FILE in a CSL style, "
        "rendered beside the library's bibliography (so numbers and year suffixes "
        "agree with 'citekit bib').",
    )
    cite.add_argument(
        "file", metavar="FILE", help='the library to read, or "-" for stdin (with --from)'
    )
    cite.add_argument("keys", metavar="KEY", nargs="+", help="citation keys")
    cite.add_argument(
        "--locator", metavar="L", help='where in the work: "12", "xi-xx", "chap. 3" (one KEY)'
    )
    cite.add_argument(
        "--label",
        metavar="LABEL",
        help="the locator's type: page (default), chapter, section, ... (one KEY)",
    )
    cite.set_defaults(command=_cite)

    formats = commands.add_parser(
        "formats",
        help="list the installed format plug-ins",
        description="List the file formats citekit can read and write (entry-point "
        "group citekit.formats), with their extensions.",
    )
    formats.set_defaults(command=_list_formats)

    formatters = commands.add_parser(
        "formatters",
        help="list the installed formatter plug-ins",
        description="List the formatters citekit.formatter() can build (entry-point "
        "group citekit.formatters).",
    )
    formatters.set_defaults(command=_list_formatters)

    _quote_parsers(commands)
    _render_parser(commands)
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


# -- progress and problems --------------------------------------------------------


class _Progress:
    """Progress lines on standard error, when it is a terminal or ``--progress`` is given."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> _Progress:
        stderr: TextIO = sys.stderr
        try:
            tty = stderr.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(bool(args.progress) or tty)

    @contextmanager
    def step(self, text: str) -> Iterator[list[str]]:
        """Print ``text ...``, run the block, then ``done in 0.9 s`` (or what it sets)."""
        if self.enabled:
            sys.stderr.write(f"{text} ... ")
            sys.stderr.flush()
        outcome: list[str] = []
        start = time.perf_counter()
        try:
            yield outcome
        except BaseException:
            if self.enabled:
                sys.stderr.write("failed\n")
            raise
        if self.enabled:
            elapsed = time.perf_counter() - start
            result = outcome[0] if outcome else "done"
            sys.stderr.write(f"{result} in {elapsed:.1f} s\n")


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        sys.stderr.write(f"{problem}\n")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _read(path: str, format: str | None, progress: _Progress) -> Library:
    from citekit.io import load, loads

    if path == "-" and not format:
        raise _Failure('reading "-" (standard input) needs --from FMT')
    with progress.step(f"reading {path}") as outcome:
        if path == "-":
            library = loads(sys.stdin.buffer.read(), str(format), path="<stdin>")
        else:
            library = load(path, format=format)
        counts = [_plural(len(library), "work")]
        if library.duplicates:
            counts.append(_plural(len(library.duplicates), "duplicate"))
        counts.append(_plural(len(library.problems), "problem"))
        outcome.append(", ".join(counts))
    return library


def _problems_status(library: Library, strict: bool) -> int:
    """Print the library's problems; the exit status they call for."""
    _print_problems(library.problems)
    return 1 if strict and library.problems else 0


# -- convert --------------------------------------------------------------------


def _convert(args: argparse.Namespace) -> int:
    from citekit.formats import format_for_path, get_format

    to_stdout = args.output == "-"
    if to_stdout and not args.target_format:
        raise _Failure('writing to "-" (standard output) needs --to FMT')
    # Choose the output format before reading, so a bad name fails fast.
    if to_stdout:
        target = get_format(args.target_format)
    else:
        target = format_for_path(args.output, args.target_format)

    progress = _Progress.for_args(args)
    library = _read(args.input, args.source_format, progress)
    status = _problems_status(library, args.strict)
    if status:
        sys.stderr.write(
            f"{PROG}: {_plural(len(library.problems), 'problem')} in {args.input};"
            f" --strict: {args.output} not written\n"
        )
        return status

    if args.dialect and target.name != "bibtex":
        raise _Failure(f"--dialect applies to BibTeX output, not {target.name}")
    losses = _losses(target, library, args.dialect)
    for loss in losses:
        sys.stderr.write(f"{loss}\n")
    if losses and args.strict:
        sys.stderr.write(
            f"{PROG}: {target.name} cannot keep everything ({_plural(len(losses), 'loss')});"
            f" --strict: {args.output} not written\n"
        )
        return 1

    if to_stdout:
        with progress.step(f"converting {_plural(len(library), 'work')} to {target.name}"):
            data = _write(target, library, args.dialect)
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:  # a text-only stream (tests, embedding)
            sys.stdout.write(data.decode("utf-8"))
        return 0

    from citekit.io import atomic_write, save

    with progress.step(f"converting {_plural(len(library), 'work')} to {args.output}"):
        if args.dialect:
            atomic_write(args.output, _write(target, library, args.dialect))
        else:
            save(library, args.output, format=args.target_format)
    return 0


def _losses(target: Format, library: Library, dialect: str | None) -> list[Any]:
    """The loss report of writing ``library`` to ``target`` (in ``dialect``)."""
    from citekit.errors import CitekitError, FormatError
    from citekit.formats.losses import losses_of

    try:
        if dialect:
            from citekit.formats.dialect import dialect_losses

            return dialect_losses(library, "biblatex" if dialect == "biblatex" else "bibtex")
        return losses_of(target, library)
    except CitekitError:
        raise
    except Exception as error:  # a defect of a plug-in's loss report
        raise FormatError(
            f"the {target.name} loss report failed ({type(error).__name__}: {error})"
        ) from error


def _write(target: Format, library: Library, dialect: str | None = None) -> bytes:
    from citekit.errors import CitekitError, FormatError

    try:
        if dialect:
            from citekit.formats.dialect import write_dialect

            text = write_dialect(library, "biblatex" if dialect == "biblatex" else "bibtex")
            return text.encode("utf-8")
        data: bytes = target.write(library)
    except CitekitError:
        raise
    except Exception as error:  # a defect of a writer plug-in
        raise FormatError(
            f"the {target.name} writer failed ({type(error).__name__}: {error})"
        ) from error
    return data


# -- show -----------------------------------------------------------------------


def _show(args: argparse.Namespace) -> int:
    progress = _Progress.for_args(args)
    library = _read(args.file, args.source_format, progress)
    status = _problems_status(library, args.strict)
    out = sys.stdout
    if not args.keys:
        _write_listing(out, library)
        return status
    for key in args.keys:  # check them all before printing anything
        if key not in library and key not in library.excerpts:
            library[key]  # raises UnknownKeyError, with a suggestion
    width = _text_width()
    for index, key in enumerate(args.keys):
        if index:
            out.write("\n")
        if key in library:
            _write_work(out, library, library[key], width)
        else:
            _write_excerpt(out, library.excerpts[key], width, indent="")
    return status


def _text_width() -> int:
    try:
        if sys.stdout.isatty():
            import shutil

            return max(40, min(100, shutil.get_terminal_size().columns))
    except (AttributeError, ValueError):
        pass
    return 80


def _names_summary(work: Work) -> str:
    persons = work.authors
    suffix = ""
    if not persons and work.editors:
        persons = work.editors
        suffix = " (ed.)" if len(persons) == 1 else " (eds.)"
    if not persons:
        return "-"
    names = [p.full_family if not p.is_others else "et al." for p in persons]
    if len(names) > 3:
        names = [names[0], "et al."]
    if len(names) > 1 and names[-1] == "et al.":
        text = ", ".join(names[:-1]) + " et al."
    else:
        text = " & ".join(names) if len(names) == 2 else ", ".join(names)
    return text + suffix


def _write_listing(out: TextIO, library: Library) -> None:
    rows: list[tuple[str, str, str, str, str]] = []
    for work in library.values():
        title = work.title or "(untitled)"
        if work.container_title:
            title += f" — in {work.container_title}"
        year = str(work.year) if work.year is not None else "n.d."
        rows.append((work.key, work.type.value, _names_summary(work), year, title))
    for excerpt in library.excerpts.values():
        start = " ".join(excerpt.text.split())
        if len(start) > 60:  # cut at a word
            start = start[:60].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        rows.append((excerpt.id, "excerpt", f"of {excerpt.work_key}", "", start))
    if not rows:
        return
    widths = [min(30, max(len(row[i]) for row in rows)) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        out.write("  ".join([*cells, row[4]]).rstrip() + "\n")


def _names(persons: Sequence[Person]) -> str:
    return "; ".join("et al." if p.is_others else str(p) for p in persons)


def _work_fields(work: Work) -> Iterator[tuple[str, str]]:
    """Every field of a work that has a value, as (label, text), in model order.

    Attributes the model keeps out of its repr (marked-up duplicates of text
    fields, notes on the source format) are not content and are left out.
    """
    from collections.abc import Mapping

    import attrs

    from citekit.model import Contributors, Work

    for field in attrs.fields(Work):
        name = field.name
        value = getattr(work, name)
        if name == "key" or not field.repr or value is None:
            continue
        if isinstance(value, Mapping):
            for sub, item in value.items():
                yield f"{name}.{sub}", _as_text(item)
        elif isinstance(value, tuple) and value and isinstance(value[0], Contributors):
            for group in value:
                yield group.role.value, _names(group.persons)
        elif value != ():
            yield name.replace("_", "-"), _as_text(value)


def _as_text(value: Any) -> str:
    import enum

    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def _wrapped(label: str, text: str, label_width: int, width: int) -> Iterator[str]:
    import textwrap

    prefix = f"  {label + ':':<{label_width + 1}} "
    hanging = " " * len(prefix)
    paragraphs = [p for p in text.split("\n\n") if p.strip()] or [text]
    for number, paragraph in enumerate(paragraphs):
        lines = textwrap.wrap(
            " ".join(paragraph.split()),
            width=width,
            initial_indent=prefix if number == 0 else hanging,
            subsequent_indent=hanging,
            break_long_words=False,
            break_on_hyphens=False,
        )
        if number:
            yield ""
        yield from lines or [prefix.rstrip()]


def _write_work(out: TextIO, library: Library, work: Work, width: int) -> None:
    fields = list(_work_fields(work))
    label_width = max((len(label) for label, _ in fields), default=4)
    out.write(f"{work.key}\n")
    for label, text in fields:
        for line in _wrapped(label, text, label_width, width):
            out.write(line + "\n")
    own = [e for e in library.excerpts.values() if e.work_key == work.key]
    quoted = [
        e
        for e in library.excerpts.values()
        if e.quoted_in is not None and e.quoted_in.work_key == work.key
    ]
    if own:
        out.write(f"  {_plural(len(own), 'excerpt')}:\n")
        for excerpt in own:
            out.write("\n")
            _write_excerpt(out, excerpt, width, indent="    ")
    if quoted:
        ids = ", ".join(f"{e.id} (of {e.work_key})" for e in quoted)
        out.write(f"  quotes: {ids}\n")


def _write_excerpt(out: TextIO, excerpt: Excerpt, width: int, indent: str) -> None:
    import textwrap

    details: list[tuple[str, str]] = [("work", excerpt.work_key)]
    if excerpt.locator is not None:
        details.append(("locator", str(excerpt.locator)))
    if excerpt.speaker is not None:
        details.append(("speaker", str(excerpt.speaker)))
    if excerpt.quoted_in is not None:
        where = excerpt.quoted_in.work_key
        if excerpt.quoted_in.locator is not None:
            where += f", {excerpt.quoted_in.locator}"
        details.append(("quoted-in", where))
    if excerpt.language:
        details.append(("language", excerpt.language))
    if excerpt.translator is not None:
        details.append(("translator", str(excerpt.translator)))
    if excerpt.tags:
        details.append(("tags", ", ".join(excerpt.tags)))
    if excerpt.note:
        details.append(("note", excerpt.note))
    out.write(f"{indent}{excerpt.id}\n")
    label_width = max(len(label) for label, _ in details)
    for label, text in details:
        for line in _wrapped(label, text, label_width, width - len(indent)):
            out.write(f"{indent}{line}\n" if line else "\n")
    out.write("\n")
    for number, paragraph in enumerate(excerpt.paragraphs):
        if number:
            out.write(f"{indent}  >\n")
        for line in textwrap.wrap(
            " ".join(paragraph.split()),
            width=width,
            initial_indent=indent + "  > ",
            subsequent_indent=indent + "  > ",
            break_long_words=False,
            break_on_hyphens=False,
        ):
            out.write(line + "\n")
    if excerpt.original is not None:
        language = f" ({excerpt.original.language})" if excerpt.original.language else ""
        out.write(f"\n{indent}  original{language}:\n")
        for number, paragraph in enumerate(_paragraph_texts(excerpt.original.text)):
            if number:
                out.write(f"{indent}  >\n")
            for line in textwrap.wrap(
                " ".join(paragraph.split()),
                width=width,
                initial_indent=indent + "  > ",
                subsequent_indent=indent + "  > ",
                break_long_words=False,
                break_on_hyphens=False,
            ):
                out.write(line + "\n")


def _paragraph_texts(text: str) -> list[str]:
    import re

    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


# -- bib and cite -----------------------------------------------------------------


def _csl_formatter(args: argparse.Namespace) -> Any:
    from citekit.formatters.csl import CslFormatter

    return CslFormatter(style=args.style, output=args.output, locale=args.locale)


def _bib(args: argparse.Namespace) -> int:
    formatter = _csl_formatter(args)  # a bad style fails before reading
    progress = _Progress.for_args(args)
    library = _read(args.file, args.source_format, progress)
    status = _problems_status(library, args.strict)
    with progress.step(f"rendering {_plural(len(library), 'work')} in {formatter.style_name}"):
        # entries are written as they are rendered
        if formatter.write_bibliography(library, sys.stdout):
            sys.stdout.write("\n")
    return status


def _cite(args: argparse.Namespace) -> int:
    if (args.locator is not None or args.label is not None) and len(args.keys) != 1:
        raise _Failure("--locator and --label apply to a single KEY")
    if args.label is not None and args.locator is None:
        raise _Failure("--label needs --locator")
    formatter = _csl_formatter(args)
    progress = _Progress.for_args(args)
    library = _read(args.file, args.source_format, progress)
    status = _problems_status(library, args.strict)
    for key in args.keys:  # check them all first: an unknown key, with a suggestion
        if key not in library:
            library[key]
    if len(args.keys) == 1:
        text = formatter.cite(library, args.keys[0], locator=args.locator, label=args.label)
    else:
        text = formatter.cite(library, list(args.keys))
    sys.stdout.write(text + "\n")
    return status


# -- quote ------------------------------------------------------------------------

LIBRARY_VARIABLE = "CITEKIT_LIBRARY"


def _quote_parsers(commands: Any) -> None:
    """The ``quote`` command and its subcommands."""
    quote = commands.add_parser(
        "quote",
        help="list, show, add, check and render quoted excerpts",
        description="Work with the excerpts (quoted passages) of a library. Every "
        f"subcommand reads the library given by --library FILE, or by the {LIBRARY_VARIABLE} "
        "environment variable.",
        epilog="Run 'citekit quote SUBCOMMAND --help' for the options of a subcommand.",
    )
    quote.set_defaults(command=_quote_usage, quote_parser=quote)
    subcommands = quote.add_subparsers(title="subcommands", metavar="SUBCOMMAND")

    library = argparse.ArgumentParser(add_help=False)
    library.add_argument(
        "-l",
        "--library",
        metavar="FILE",
        help=f"the library holding the excerpts (default: ${LIBRARY_VARIABLE})",
    )
    library.add_argument("--from", dest="source_format", metavar="FMT", help="format of FILE")
    library.add_argument(
        "--progress", action="store_true", help="report progress on standard error"
    )

    listing = subcommands.add_parser(
        "list",
        parents=[library],
        help="list the excerpts, one a line",
        description="One line per excerpt: id, work key, locator and first words. "
        "The filters combine: an excerpt is listed when it matches all of them.",
    )
    listing.add_argument("--work", metavar="KEY", help="excerpts of the work KEY")
    listing.add_argument(
        "--author",
        metavar="NAME",
        help='excerpts by an author or speaker: "Serge", "Victor Serge", "Serge, Victor"',
    )
    listing.add_argument(
        "--tag",
        action="append",
        metavar="TAG",
        help="excerpts with this tag (repeat it for several tags, all required)",
    )
    listing.add_argument(
        "--text",
        metavar="QUERY",
        help='full-text search, ignoring case and accents: words, prefixes "stalin*",'
        " phrases in double quotes",
    )
    listing.add_argument("--quoted-in", metavar="KEY", help="excerpts read in the work KEY")
    listing.set_defaults(command=_quote_list)

    show = subcommands.add_parser(
        "show",
        parents=[library],
        help="show every field of excerpts",
        description="Print every field of the excerpts ID..., the text with its paragraphs.",
    )
    show.add_argument("ids", metavar="ID", nargs="+", help="excerpt ids")
    show.set_defaults(command=_quote_show)

    add = subcommands.add_parser(
        "add",
        parents=[library],
        help="add an excerpt to the library and save it",
        description="Add the excerpt ID, quoted from the work --work, to the library and "
        "save it (atomically; in a .bib file the excerpt is a @comment block and the "
        "other entries are kept byte for byte). The text comes from --text, --text-file "
        "or the standard input; paragraphs are separated by blank lines.",
    )
    add.add_argument("id", metavar="ID", help="the new excerpt's id (a word without spaces)")
    add.add_argument("--work", required=True, metavar="KEY", help="the key of the work quoted")
    text = add.add_mutually_exclusive_group()
    text.add_argument("--text", metavar="TEXT", help="the quoted text")
    text.add_argument(
        "--text-file", metavar="PATH", help='a UTF-8 file holding the text ("-": stdin)'
    )
    add.add_argument("--locator", metavar="L", help='where in the work: "p. 33", "chap. 2"')
    add.add_argument("--speaker", metavar="NAME", help="who speaks, when not the work's author")
    add.add_argument("--quoted-in", metavar="KEY", help="the work the passage was read in")
    add.add_argument(
        "--quoted-in-locator", metavar="L", help='where in the --quoted-in work: "p. 12"'
    )
    add.add_argument("--language", metavar="TAG", help='the language of the text: "en", "fr"')
    add.add_argument("--translator", metavar="NAME", help="who translated the text")
    add.add_argument("--tags", metavar="A,B", help="comma-separated tags")
    add.add_argument("--note", metavar="TEXT", help="a note on the excerpt")
    add.set_defaults(command=_quote_add)

    check = subcommands.add_parser(
        "check",
        parents=[library],
        help="check an excerpt against its source text",
        description="Find the excerpt ID in SOURCE (a plain text, Markdown or HTML file, "
        'or "-" for stdin) and report an exact match, a match with differences (a '
        "word-level diff) or no match. Line breaks, hyphenation, typographic quotes and "
        "ellipses standing for omitted words are not differences. Exit status: 0 exact, "
        "1 differences, 2 not found or bad input.",
    )
    check.add_argument("id", metavar="ID", help="the excerpt's id")
    check.add_argument("source", metavar="SOURCE", help='the source text file, or "-"')
    check.add_argument(
        "--format",
        dest="text_format",
        choices=("text", "markdown", "html"),
        help="how to read SOURCE (default: from its extension, else guessed)",
    )
    check.add_argument(
        "--strict-markers",
        action="store_true",
        help="count footnote markers ([7]) present on one side only as differences",
    )
    check.add_argument(
        "--original", action="store_true", help="check the excerpt's original text instead"
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="also print the quotation with the differences marked [-source-]{+quote+}",
    )
    check.set_defaults(command=_quote_check)

    render = subcommands.add_parser(
        "render",
        parents=[library],
        help="render an excerpt as a block quotation with its attribution",
        description="Render the excerpt ID with the blockquote formatter: Markdown, "
        "HTML, LaTeX, reStructuredText or plain text, attributed in a CSL style.",
    )
    render.add_argument("id", metavar="ID", help="the excerpt's id")
    render.add_argument(
        "--to",
        dest="output",
        default="markdown",
        choices=("markdown", "html", "latex", "rst", "text"),
        help="output format (default: markdown)",
    )
    render.add_argument(
        "--style",
        default="chicago-author-date",
        metavar="S",
        help="the CSL style of the attribution: a name, a .csl file or XML text "
        "(default: chicago-author-date)",
    )
    render.add_argument(
        "--attribution",
        default="in-text",
        choices=("in-text", "note", "reference", "cite-key", "none"),
        help="the form of the attribution (default: in-text)",
    )
    render.add_argument("--locale", metavar="L", help="locale such as en-GB (default: the style's)")
    render.add_argument(
        "--elide",
        action="append",
        metavar="START:END",
        help="leave out the characters START to END of the text (repeatable)",
    )
    render.add_argument("--ellipsis", metavar="TEXT", help='what stands for an elision ("[…]")')
    render.add_argument(
        "--strip-markers", action="store_true", help="strip the source's footnote markers ([7])"
    )
    render.add_argument(
        "--inline-max-words",
        type=int,
        metavar="N",
        help="run quotations of fewer than N words into the sentence",
    )
    render.add_argument(
        "--latex-environment",
        default="quotation",
        choices=("quotation", "quote", "epigraph"),
        help="LaTeX environment (default: quotation)",
    )
    render.add_argument(
        "--width", type=int, default=72, metavar="N", help="line width of text output (72)"
    )
    render.add_argument("--quoted-in-text", metavar="TEXT", help='the words "quoted in"')
    render.add_argument("--templates", metavar="DIR", help="a folder of templates to use first")
    render.add_argument("--template", metavar="FILE", help="the block quotation template")
    render.set_defaults(command=_quote_render)


def _quote_usage(args: argparse.Namespace) -> int:
    args.quote_parser.print_help(sys.stderr)
    return 2


def _quote_library(args: argparse.Namespace) -> Library:
    """The library of a quote subcommand, its problems printed to standard error."""
    path = args.library or os.environ.get(LIBRARY_VARIABLE) or None
    if not path:
        raise _Failure(f"no library: give --library FILE or set {LIBRARY_VARIABLE}")
    args.library = path
    library = _read(path, args.source_format, _Progress(bool(args.progress)))
    _print_problems(library.problems)
    return library


def _find_excerpt(library: Library, excerpt_id: str) -> Excerpt:
    found = library.excerpts.get(excerpt_id)
    if found is not None:
        return found
    if excerpt_id in library:
        ids = ", ".join(e.id for e in library.excerpts_of(excerpt_id)) or "none"
        raise _Failure(f"{excerpt_id!r} is a work, not an excerpt (its excerpts: {ids})")
    import difflib

    close = difflib.get_close_matches(excerpt_id, list(library.excerpts), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise _Failure(f"unknown excerpt id {excerpt_id!r}{hint}")


def _first_words(text: str, size: int) -> str:
    start = " ".join(text.split())
    if len(start) > size:  # cut at a word
        start = start[:size].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return start


def _quote_list(args: argparse.Namespace) -> int:
    library = _quote_library(args)
    try:
        found = library.find_excerpts(
            args.text,
            work=args.work,
            author=args.author,
            tag=args.tag,
            quoted_in=args.quoted_in,
        )
    except ValueError as error:  # an author query without letters, ...
        raise _Failure(str(error)) from None
    rows = [
        (e.id, e.work_key, str(e.locator) if e.locator is not None else "-", e.text) for e in found
    ]
    widths = [min(30, max((len(row[i]) for row in rows), default=0)) for i in range(3)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        sys.stdout.write("  ".join([*cells, _first_words(row[3], 60)]) + "\n")
    return 0


def _quote_show(args: argparse.Namespace) -> int:
    library = _quote_library(args)
    excerpts = [_find_excerpt(library, i) for i in args.ids]  # all known before printing
    width = _text_width()
    for index, excerpt in enumerate(excerpts):
        if index:
            sys.stdout.write("\n")
        _write_excerpt(sys.stdout, excerpt, width, indent="")
    return 0


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise _Failure(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _Failure(f"{path}:{line}: not UTF-8 text") from None


def _person(option: str, text: str | None) -> Person | None:
    if text is None:
        return None
    from citekit.errors import CitekitError
    from citekit.model import parse_name

    if not text.strip():
        raise _Failure(f"{option}: expected a name, got an empty text")
    try:
        return parse_name(text.strip())
    except (CitekitError, ValueError) as error:
        raise _Failure(f"{option}: {_describe(error)}") from None


def _quote_add(args: argparse.Namespace) -> int:
    from citekit.model import Excerpt, QuotedIn

    if args.library == "-" or (not args.library and os.environ.get(LIBRARY_VARIABLE) == "-"):
        raise _Failure('quote add saves the library: it needs a file, not "-"')
    if args.quoted_in_locator is not None and args.quoted_in is None:
        raise _Failure("--quoted-in-locator needs --quoted-in")
    library = _quote_library(args)
    if library.errors:
        raise _Failure(
            f"{args.library}: {_plural(len(library.errors), 'problem')} (printed above);"
            " fix them before adding an excerpt (nothing written)"
        )
    if args.id in library.excerpts:
        raise _Failure(f"an excerpt with id {args.id!r} is already in {args.library}")
    library[args.work]  # an unknown key raises UnknownKeyError, with a suggestion
    if args.quoted_in is not None:
        library[args.quoted_in]
    if args.text is not None:
        text = args.text
    else:
        text = _read_text(args.text_file if args.text_file is not None else "-")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        where = "--text" if args.text is not None else args.text_file or "standard input"
        raise _Failure(f"no text for excerpt {args.id!r} ({where} is empty)")
    try:
        quoted_in = (
            QuotedIn(args.quoted_in, args.quoted_in_locator) if args.quoted_in is not None else None
        )
        excerpt = Excerpt(
            id=args.id,
            text=text,
            work_key=args.work,
            locator=args.locator,
            speaker=_person("--speaker", args.speaker),
            translator=_person("--translator", args.translator),
            quoted_in=quoted_in,
            language=args.language,
            tags=args.tags,
            note=args.note,
        )
    except (TypeError, ValueError) as error:
        raise _Failure(str(error)) from None
    library.add_excerpt(excerpt)
    from citekit.io import save

    save(library, args.library, format=args.source_format)
    sys.stdout.write(f"added excerpt {excerpt.id} (of {excerpt.work_key}) to {args.library}\n")
    return 0


def _quote_check(args: argparse.Namespace) -> int:
    from citekit.quotes import check_quote, guess_format, read_source

    library = _quote_library(args)
    excerpt = _find_excerpt(library, args.id)
    if args.original and excerpt.original is None:
        raise _Failure(f"excerpt {excerpt.id!r} has no original text to check")
    if args.source == "-":
        source = sys.stdin.read()
        detected = guess_format(source)
    else:
        source, detected = read_source(args.source)
    try:
        check = check_quote(
            excerpt,
            source,
            format=args.text_format or detected,
            strict_markers=args.strict_markers,
            original=args.original,
        )
    except ValueError as error:
        raise _Failure(f"excerpt {excerpt.id!r}: {error}") from None
    sys.stdout.write(check.report() + "\n")
    if args.diff and check.found:
        sys.stdout.write("\n" + check.marked.rstrip("\n") + "\n")
    return {"exact": 0, "differences": 1}.get(check.verdict, 2)


def _ranges(specs: Sequence[str] | None) -> list[tuple[int, int]] | None:
    if not specs:
        return None
    ranges = []
    for spec in specs:
        start, colon, end = spec.partition(":")
        try:
            if not colon:
                raise ValueError
            ranges.append((int(start), int(end)))
        except ValueError:
            raise _Failure(
                f"--elide: expected START:END, two character offsets, got {spec!r}"
            ) from None
    return ranges


def _quote_render(args: argparse.Namespace) -> int:
    import citekit

    elide = _ranges(args.elide)
    library = _quote_library(args)
    excerpt = _find_excerpt(library, args.id)
    options: dict[str, Any] = {
        "output": args.output,
        "style": args.style,
        "attribution": args.attribution,
        "library": library,
        "width": args.width,
        "elide": elide,
        "footnote_markers": "strip" if args.strip_markers else "keep",
        "inline_max_words": args.inline_max_words,
        "latex_environment": args.latex_environment,
        "quoted_in_text": args.quoted_in_text,
        "locale": args.locale,
        "templates": args.templates,
        "template": args.template,
    }
    if args.ellipsis is not None:
        options["ellipsis"] = args.ellipsis
    quote = citekit.formatter("blockquote", **options)
    sys.stdout.write(quote.format(excerpt).rstrip("\n") + "\n")
    return 0


# -- plug-in listings -----------------------------------------------------------


def _plugin_rows(group: str, describe: Callable[[Any], str]) -> list[tuple[str, str, str]]:
    from importlib.metadata import entry_points

    from citekit import plugins
    from citekit.errors import CitekitError

    sources = {ep.name: ep.value for ep in entry_points(group=group)}
    rows = []
    for name in plugins.available(group):
        source = sources.get(name, "registered at run time")
        try:
            detail = describe(plugins.load(group, name))
        except CitekitError as error:
            detail = f"BROKEN: {_describe(error)}"
        rows.append((name, detail, source))
    return rows


def _print_rows(rows: list[tuple[str, str, str]], empty: str) -> None:
    if not rows:
        sys.stdout.write(empty + "\n")
        return
    name_width = max(len(r[0]) for r in rows)
    detail_width = max(len(r[1]) for r in rows)
    for name, detail, source in rows:
        sys.stdout.write(
            f"{name:<{name_width}}  {detail:<{detail_width}}  {source}".rstrip() + "\n"
        )


def _summary(obj: Any) -> str:
    """The first sentence of a docstring, reStructuredText roles reduced to their names."""
    import re

    doc = (getattr(obj, "__doc__", None) or "").strip()
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    sentence = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0].rstrip(".")
    sentence = re.sub(r":[a-z:]+:`~?([^`]*?)`", lambda m: m.group(1).rsplit(".", 1)[-1], sentence)
    return sentence.replace("``", "")


def _list_formats(args: argparse.Namespace) -> int:
    from citekit import plugins

    def describe(cls: Any) -> str:
        extensions: Sequence[str] = getattr(cls, "extensions", None) or ()
        return " ".join(extensions) or "(no extensions)"

    _print_rows(_plugin_rows(plugins.FORMATS, describe), "no format plug-ins installed")
    return 0


def _list_formatters(args: argparse.Namespace) -> int:
    from citekit import plugins

    _print_rows(_plugin_rows(plugins.FORMATTERS, _summary), "no formatter plug-ins installed")
    return 0


# -- citekit render -----------------------------------------------------------------


#: Output formats by file extension, for ``citekit render -o FILE``.
_RENDER_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html",
                      ".htm": "html", ".tex": "latex", ".latex": "latex"}  # fmt: skip
#: At most this many "never cited" warnings are printed one by one.
_UNCITED_SHOWN = 10


def _render_parser(commands: Any) -> None:
    """The ``render`` command: a manuscript's citations, notes and bibliography."""
    render = commands.add_parser(
        "render",
        help="render the citations and bibliography of a Markdown or LaTeX manuscript",
        description="Render the citations of MANUSCRIPT (Pandoc Markdown or LaTeX; several "
        "files, or a folder of chapter files, make one document with one bibliography) in a "
        "CSL style, as Markdown, HTML or LaTeX. The front matter's bibliography, csl, nocite, "
        "lang, link-citations and reference-section-title fields are read; options given "
        "here take precedence. Problems go to standard error as file:line:col: message; "
        "unknown keys are marked in the output (**key?**) unless --strict is given.",
    )
    render.add_argument(
        "manuscripts", metavar="MANUSCRIPT", nargs="+", help="Markdown or LaTeX files, or folders"
    )
    render.add_argument(
        "-o", "--output", metavar="OUT", help="the file to write (default: standard output)"
    )
    render.add_argument(
        "--bib",
        action="append",
        default=[],
        metavar="FILE",
        help="a bibliography file (.bib, .json, .yaml); may be repeated; replaces the front "
        "matter's bibliography",
    )
    render.add_argument(
        "--style",
        metavar="S",
        help="a CSL style name or .csl file (default: the front "
        "matter's csl, else chicago-author-date)",
    )
    render.add_argument(
        "--to",
        dest="output_format",
        choices=["markdown", "html", "latex"],
        help="output format (default: from OUT's extension, else markdown; latex for a "
        "LaTeX manuscript)",
    )
    render.add_argument("--locale", metavar="L", help="locale such as en-GB (default: lang)")
    render.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 and write nothing if there are errors (unknown keys, ...)",
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


def _render(args: argparse.Namespace) -> int:
    from citekit.io import atomic_write
    from citekit.manuscript import EXTENSIONS, ManuscriptError, manuscript_files, render_files

    files = manuscript_files(args.manuscripts)
    syntax = EXTENSIONS.get(files[0].suffix.lower(), "markdown")
    to = args.output_format
    if to is None and args.output:
        to = _RENDER_EXTENSIONS.get(os.path.splitext(args.output)[1].lower())
    if to is None:
        to = "latex" if syntax == "latex" else "markdown"
    cache: Any = False if args.no_cache else (args.cache_dir or True)
    try:
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
    except ManuscriptError as error:  # pragma: no cover - strict is handled below
        _print_problems(error.problems)
        return 1
    _print_render_problems(result.problems)
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


def _print_render_problems(problems: Sequence[Problem]) -> None:
    """Problems one a line; "never cited" warnings beyond the first few summed up."""
    uncited = [p for p in problems if p.severity == "warning" and p.message == "never cited"]
    hidden = {id(p) for p in uncited[_UNCITED_SHOWN:]}
    for problem in problems:
        if id(problem) not in hidden:
            sys.stderr.write(f"{problem}\n")
    if hidden:
        more = len(hidden)
        entries = "entry was" if more == 1 else "entries were"
        sys.stderr.write(f"{PROG}: warning: {more:,} more {entries} never cited\n")
