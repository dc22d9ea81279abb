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
    citekit quote list refs.bib --tag stalinism          # the excerpts, one a line
    citekit quote show refs.bib serge-heir               # every field of an excerpt
    citekit quote add refs.bib ID --work KEY --locator "p. 3" < passage.txt
    citekit quote check refs.bib serge-heir post.html    # 0 exact, 1 differences
    citekit quote render refs.bib serge-heir --to markdown --style apa
    citekit styles chicago notes                # find a style
    citekit render essay.md -o essay.html       # citations, notes, bibliography
    citekit render chapters/ --bib refs.bib --style chicago-notes-bibliography --to latex

Problems met while reading are printed to standard error as
``file:line: message``, warnings first and errors last, then a count
(``-q``/``--quiet`` leaves the warnings out). Exit status: 0 when all went
well, 1 when ``--strict`` is given and problems were met, 2 for bad input (a
missing file, an unknown format or key, a file that cannot be read at all),
with a one-line message.
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from citekit.formats import Format
    from citekit.model import Excerpt, Library, Person, Problem, Work

__all__ = [
    "COMMAND_MODULES",
    "DEFAULT_STYLE",
    "Failure",
    "add_reading_options",
    "add_style_options",
    "add_to_option",
    "main",
    "register",
    "report_problems",
]

PROG = "citekit"


class _Failure(Exception):
    """A user-facing error: printed as ``citekit: error: <message>``, exit status 2."""


#: Commands that live in a module of their own, ``citekit.cli.<name>``. Each such
#: module imports only the standard library at its top and has
#: ``register(commands)``, which adds its sub-parser to ``commands`` (argparse's
#: sub-parsers action) and sets ``command`` to a function of the parsed
#: arguments returning the exit status. It may raise ``citekit.cli.Failure`` for
#: a one-line error with exit status 2.
COMMAND_MODULES: tuple[str, ...] = ("check", "dedupe", "keys", "merge")

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
        args, extras = parser.parse_known_args(argv)
        if extras:
            # Words after an option belong to a command that gathers its words itself
            # (``citekit quote add FILE --work KEY ID``); anything else is an error.
            if isinstance(getattr(args, "words", None), list) and all(
                e == "-" or not e.startswith("-") for e in extras
            ):
                args.words = [*args.words, *extras]
            else:
                parser.parse_args(argv)  # argparse's own message and exit status
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

#: The commands of citekit's own modules (``citekit.cli.quote``, ...), registered
#: before :data:`COMMAND_MODULES` in the same way, by their ``register(commands)``.
_OWN_MODULES: tuple[str, ...] = ("quote", "render", "styles")

#: The style used when none is named.
DEFAULT_STYLE = "chicago-author-date"


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
    register(commands)
    import importlib

    for name in (*_OWN_MODULES, *COMMAND_MODULES):
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


def add_reading_options(parser: argparse.ArgumentParser, *, strict: str, source: str) -> None:
    """The options of every command that reads a library.

    ``--from FMT`` (the format of ``source``, the name of the file argument),
    ``--strict`` (its help says what it does for this command: ``strict``),
    ``--quiet`` and ``--progress``.
    """
    parser.add_argument(
        "--from",
        dest="source_format",
        metavar="FMT",
        help=f"format of {source} (default: from its extension)",
    )
    parser.add_argument("--strict", action="store_true", help=strict)
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print no warnings, only errors (and the summary of the problems)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="report progress on standard error (the default when it is a terminal)",
    )


def add_style_options(parser: argparse.ArgumentParser, *, default: str = DEFAULT_STYLE) -> None:
    """``--style`` and ``--locale``, defined once for every command that renders."""
    parser.add_argument(
        "--style",
        metavar="S",
        help="a CSL style: a name or alias (apa, mla, chicago, harvard, ieee, vancouver, ...;"
        f" 'citekit styles' lists them), a .csl file or XML text (default: {default})",
    )
    parser.add_argument(
        "--locale", metavar="L", help="locale such as en-GB or de-DE (default: the style's)"
    )


def add_to_option(
    parser: argparse.ArgumentParser, choices: Sequence[str] | None, default: str | None, help: str
) -> None:
    """``--to``, stored as ``args.to`` by every command."""
    parser.add_argument(
        "--to", dest="to", metavar="FORMAT", choices=choices, default=default, help=help
    )


def register(commands: Any) -> None:
    """Add the commands that live in this module: convert, show, bib, cite, formats, formatters."""
    convert = commands.add_parser(
        "convert",
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
    add_reading_options(
        convert,
        source="IN",
        strict="exit with status 1 and write nothing if any problem (error or warning) is met",
    )
    add_to_option(convert, None, None, 'format of OUT (required with "-")')
    convert.add_argument(
        "--dialect",
        choices=("bibtex", "biblatex"),
        help="write every entry of a .bib OUT anew in this dialect (field names, types, dates)",
    )
    convert.set_defaults(command=_convert)

    show = commands.add_parser(
        "show",
        help="list the works of a library, or show works and excerpts in full",
        description="Without KEY: one line per work (key, type, authors, year, title, "
        "container) and one per excerpt; --author, --year, --title, --type and --text "
        "keep the works that match all of them. With KEYs: every field of those works "
        "and the excerpts quoted from them (a KEY may also be an excerpt id).",
    )
    show.add_argument(
        "file", metavar="FILE", help='the library to read, or "-" for stdin (with --from)'
    )
    show.add_argument("keys", metavar="KEY", nargs="*", help="citation keys or excerpt ids")
    add_reading_options(
        show,
        source="FILE",
        strict="exit with status 1 if any problem (error or warning) is met while reading",
    )
    show.add_argument(
        "--author",
        metavar="NAME",
        help='works by this author or editor: "Serge", "Victor Serge", "Serge, Victor"',
    )
    show.add_argument(
        "--year", metavar="Y", help='works of this year, or years: "1945", "1940-1949"'
    )
    show.add_argument("--title", metavar="WORDS", help="works whose title holds all these words")
    show.add_argument(
        "--type", metavar="T", help="works of this CSL type: book, article-journal, ..."
    )
    show.add_argument("--text", metavar="WORDS", help="works holding all these words in any field")
    show.set_defaults(command=_show)

    for name, help, description in (
        (
            "bib",
            "print the bibliography of a library in a CSL style",
            "Print every work of FILE as a bibliography entry in a CSL style, in the "
            "style's order (HTML: a csl-bib-body div).",
        ),
        (
            "cite",
            "print a citation of one or more works in a CSL style",
            "Print one citation of the works KEY... of FILE in a CSL style, rendered beside "
            "the library's bibliography (so numbers and year suffixes agree with 'citekit "
            "bib').",
        ),
    ):
        sub = commands.add_parser(name, help=help, description=description)
        sub.add_argument(
            "file", metavar="FILE", help='the library to read, or "-" for stdin (with --from)'
        )
        add_reading_options(
            sub,
            source="FILE",
            strict="exit with status 1 if any problem (error or warning) is met while reading"
            " (the output is still printed)",
        )
        add_style_options(sub)
        add_to_option(
            sub, None, "text", "output format: text, html, markdown, latex or rst (default: text)"
        )
        if name == "bib":
            sub.set_defaults(command=_bib)
            continue
        sub.add_argument("keys", metavar="KEY", nargs="+", help="citation keys")
        sub.add_argument(
            "--locator", metavar="L", help='where in the work: "12", "xi-xx", "chap. 3" (one KEY)'
        )
        sub.add_argument(
            "--label",
            metavar="LABEL",
            help="the locator's type: page (default), chapter, section, ... (one KEY)",
        )
        sub.set_defaults(command=_cite)

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


class _Bar:
    """A progress bar on one line of standard error, redrawn at most ten times a second.

    ``citekit bib`` feeds it the entries written (see
    ``CslFormatter.write_bibliography``); :meth:`finish` ends the line with the
    time taken.
    """

    WIDTH = 30

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.perf_counter()
        self.shown = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done < total and now - self.shown < 0.1:
            return
        self.shown = now
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {done:,}/{total:,} {now - self.start:.0f} s")
        sys.stderr.flush()
        self.drawn = True

    def finish(self) -> None:
        """End the bar's line: ``done in 1.6 s``."""
        if self.drawn:
            sys.stderr.write(f" done in {time.perf_counter() - self.start:.1f} s\n")
            sys.stderr.flush()


#: Bibliographies of at least this many works get a progress bar (when progress is shown).
_BAR_FROM = 200


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        sys.stderr.write(f"{problem}\n")


#: At most this many warnings of one message ("never cited", ...) are printed one by one.
_SAME_WARNING_SHOWN = 10


def report_problems(problems: Sequence[Problem], *, quiet: bool = False, what: str = "") -> None:
    """Print problems to standard error so that warnings never bury errors.

    Warnings come first (none with ``quiet``; beyond :data:`_SAME_WARNING_SHOWN`
    of one message, such as "never cited", they are counted on one line), then
    the errors, then, when there is more than one problem, a summary line:
    ``citekit: 2 errors, 33 warnings in essay.md``.
    """
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if not quiet:
        seen: dict[str, int] = {}
        folded: dict[str, int] = {}
        for problem in warnings:
            count = seen[problem.message] = seen.get(problem.message, 0) + 1
            if count <= _SAME_WARNING_SHOWN:
                sys.stderr.write(f"{problem}\n")
            else:
                folded[problem.message] = folded.get(problem.message, 0) + 1
        for message, count in folded.items():
            sys.stderr.write(f"{PROG}: warning: {count:,} more: {message}\n")
    _print_problems(errors)
    if len(problems) > 1 or (quiet and warnings):
        counts = [_plural(len(errors), "error"), _plural(len(warnings), "warning")]
        where = f" in {what}" if what else ""
        hidden = " (warnings not shown: --quiet)" if quiet and warnings else ""
        sys.stderr.write(f"{PROG}: {', '.join(counts)}{where}{hidden}\n")


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


def _problems_status(library: Library, strict: bool, quiet: bool = False) -> int:
    """Print the library's problems (see :func:`report_problems`); the exit status they call for."""
    report_problems(library.problems, quiet=quiet, what=library.path or "")
    return 1 if strict and library.problems else 0


# -- convert --------------------------------------------------------------------


def _convert(args: argparse.Namespace) -> int:
    from citekit.formats import format_for_path, get_format

    to_stdout = args.output == "-"
    if to_stdout and not args.to:
        raise _Failure('writing to "-" (standard output) needs --to FMT')
    # Choose the output format before reading, so a bad name fails fast.
    target = get_format(args.to) if to_stdout else format_for_path(args.output, args.to)

    progress = _Progress.for_args(args)
    library = _read(args.input, args.source_format, progress)
    status = _problems_status(library, args.strict, args.quiet)
    if status:
        sys.stderr.write(
            f"{PROG}: {_plural(len(library.problems), 'problem')} in {args.input};"
            f" --strict: {args.output} not written\n"
        )
        return status
    if not args.quiet:
        _warn_duplicate_ids(library, target.name, args.output)

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
            save(library, args.output, format=args.to)
    return 0


def _warn_duplicate_ids(library: Library, target: str, output: str) -> None:
    """Say so when works sharing a key are written to a format where ids must be unique.

    BibTeX keeps a duplicate entry as it was; in CSL-JSON and CSL-YAML two
    items with one id are one citation target, and processors use only one.
    """
    if not library.duplicates or target == "bibtex":
        return
    keys = list(dict.fromkeys(w.key for w in library.duplicates))
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5:,} more" if len(keys) > 5 else "")
    where = "standard output" if output == "-" else output
    sys.stderr.write(
        f"{where}: warning: {_plural(len(keys), 'key')} shared by several works ({shown}):"
        f" written as {target} items with the same id, which a CSL processor cannot tell"
        f" apart; give each work its own key in {library.path or 'the input'}\n"
    )


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
    status = _problems_status(library, args.strict, args.quiet)
    out = sys.stdout
    filters = {
        name: getattr(args, name)
        for name in ("author", "year", "title", "type", "text")
        if getattr(args, name) is not None
    }
    if filters and args.keys:
        raise _Failure("give KEYs or the filters --author/--year/--title/--type/--text, not both")
    if filters:
        try:
            works = library.find(**filters)
        except ValueError as error:
            raise _Failure(str(error)) from None
        _write_listing(out, library, works, excerpts=False)
        if not works:
            sys.stderr.write(f"{PROG}: no work of {args.file} matches\n")
            return status or 1
        return status
    if not args.keys:
        _write_listing(out, library)
        return status
    for key in args.keys:  # check them all before printing anything
        if library.resolve(key) is None and key not in library.excerpts:
            _unknown_key(library, key)
    width = _text_width()
    for index, key in enumerate(args.keys):
        if index:
            out.write("\n")
        if library.resolve(key) is not None:
            _write_work(out, library, library[key], width)
        else:
            _write_excerpt(out, library.excerpts[key], width, indent="")
    return status


def _unknown_key(library: Library, key: str) -> None:
    """Fail for a key not in the library: its entry could not be read, or a suggestion."""
    failed = next((p for p in library.problems if p.key == key and p.severity == "error"), None)
    if failed is not None:
        where = f"{failed.path}:{failed.line}" if failed.line else str(failed.path or "the input")
        raise _Failure(
            f"unknown citation key {key!r}: its entry ({where}) could not be read, see the"
            " error above"
        )
    library[key]  # raises UnknownKeyError, with a suggestion


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


def _write_listing(
    out: TextIO, library: Library, works: Iterable[Work] | None = None, *, excerpts: bool = True
) -> None:
    rows: list[tuple[str, str, str, str, str]] = []
    for work in library.values() if works is None else works:
        title = work.title or "(untitled)"
        if work.container_title:
            title += f" — in {work.container_title}"
        year = str(work.year) if work.year is not None else "n.d."
        rows.append((work.key, work.type.value, _names_summary(work), year, title))
    for excerpt in library.excerpts.values() if excerpts else ():
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

    return CslFormatter(style=args.style or DEFAULT_STYLE, output=args.to, locale=args.locale)


def _bib(args: argparse.Namespace) -> int:
    formatter = _csl_formatter(args)  # a bad style fails before reading
    progress = _Progress.for_args(args)
    library = _read(args.file, args.source_format, progress)
    status = _problems_status(library, args.strict, args.quiet)
    label = f"rendering {_plural(len(library), 'work')} in {formatter.style_name}"
    if progress.enabled and len(library) >= _BAR_FROM:
        # A bar on standard error, fed as the entries are written to standard output.
        bar = _Bar(label)
        try:
            if formatter.write_bibliography(library, sys.stdout, progress=bar):
                sys.stdout.write("\n")
        finally:
            bar.finish()
        return status
    with progress.step(label):
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
    status = _problems_status(library, args.strict, args.quiet)
    keys = []
    for key in args.keys:  # check them all first: an unknown key, with a suggestion
        if library.resolve(key) is None:
            _unknown_key(library, key)
        keys.append(library[key].key)  # an alias (kept by a merge) gives its work's key
    if len(keys) == 1:
        text = formatter.cite(library, keys[0], locator=args.locator, label=args.label)
    else:
        text = formatter.cite(library, keys)
    sys.stdout.write(text + "\n")
    return status


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
