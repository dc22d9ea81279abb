"""``citekit quote``: list, show, add, check and render the excerpts of a library.

Every subcommand takes the library first, like every other command
(``citekit quote list serge.yaml``, ``citekit quote render serge.yaml
serge-heir``). ``-l/--library FILE`` (deprecated) and the ``CITEKIT_LIBRARY``
environment variable still name it when FILE is left out.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from citekit.cli import (
    DEFAULT_STYLE,
    PROG,
    Failure,
    _describe,
    _plural,
    _Progress,
    _read,
    _text_width,
    _write_excerpt,
    add_style_options,
    add_to_option,
    report_problems,
)

if TYPE_CHECKING:
    from citekit.model import Excerpt, Library, Person

__all__ = ["LIBRARY_VARIABLE", "register"]

_Failure = Failure

LIBRARY_VARIABLE = "CITEKIT_LIBRARY"


def register(commands: Any) -> None:
    """Add the ``quote`` command and its subcommands."""
    quote = commands.add_parser(
        "quote",
        help="list, show, add, check and render quoted excerpts",
        description="Work with the excerpts (quoted passages) of a library. Every "
        "subcommand takes the library FILE first, like every other command; without it, "
        f"the {LIBRARY_VARIABLE} environment variable names the library.",
        epilog="Run 'citekit quote SUBCOMMAND --help' for the options of a subcommand.",
    )
    quote.set_defaults(command=_quote_usage, quote_parser=quote)
    subcommands = quote.add_subparsers(title="subcommands", metavar="SUBCOMMAND")

    library = argparse.ArgumentParser(add_help=False)
    library.add_argument(
        "-l",
        "--library",
        metavar="FILE",
        help="deprecated: give the library as the first argument, FILE",
    )
    library.add_argument("--from", dest="source_format", metavar="FMT", help="format of FILE")
    library.add_argument(
        "-q", "--quiet", action="store_true", help="print no warnings met reading FILE"
    )
    library.add_argument(
        "--progress", action="store_true", help="report progress on standard error"
    )

    listing = subcommands.add_parser(
        "list",
        prog=f"{PROG} quote list",
        parents=[library],
        usage="%(prog)s [options] FILE",
        help="list the excerpts, one a line",
        description="One line per excerpt: id, work key, locator and first words. "
        "The filters combine: an excerpt is listed when it matches all of them.",
    )
    _positionals(listing, "FILE", 'the library ("-": stdin, with --from)')
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
    listing.set_defaults(command=_quote_list, quote_command="list")

    show = subcommands.add_parser(
        "show",
        prog=f"{PROG} quote show",
        parents=[library],
        usage="%(prog)s [options] FILE ID [ID ...]",
        help="show every field of excerpts",
        description="Print every field of the excerpts ID..., the text with its paragraphs.",
    )
    _positionals(show, "FILE ID [ID ...]", "the library, then excerpt ids")
    show.set_defaults(command=_quote_show, quote_command="show")

    add = subcommands.add_parser(
        "add",
        prog=f"{PROG} quote add",
        parents=[library],
        usage="%(prog)s [options] FILE ID --work KEY",
        help="add an excerpt to the library and save it",
        description="Add the excerpt ID, quoted from the work --work, to the library and "
        "save it (atomically; in a .bib file the excerpt is a @comment block and the "
        "other entries are kept byte for byte). The text comes from --text, --text-file "
        "or the standard input; paragraphs are separated by blank lines.",
    )
    _positionals(add, "FILE ID", "the library, then the new excerpt's id (a word without spaces)")
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
    add.set_defaults(command=_quote_add, quote_command="add")

    check = subcommands.add_parser(
        "check",
        prog=f"{PROG} quote check",
        parents=[library],
        usage="%(prog)s [options] FILE ID SOURCE",
        help="check an excerpt against its source text",
        description="Find the excerpt ID in SOURCE (a plain text, Markdown or HTML file, "
        'or "-" for stdin) and report an exact match, a match with differences (a '
        "word-level diff) or no match. Line breaks, hyphenation, typographic quotes and "
        "ellipses standing for omitted words are not differences. Exit status: 0 exact, "
        "1 differences, 2 not found or bad input.",
    )
    _positionals(
        check, "FILE ID SOURCE", 'the library, the excerpt\'s id, the source text file ("-": stdin)'
    )
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
    check.set_defaults(command=_quote_check, quote_command="check")

    render = subcommands.add_parser(
        "render",
        prog=f"{PROG} quote render",
        parents=[library],
        usage="%(prog)s [options] FILE ID",
        help="render an excerpt as a block quotation with its attribution",
        description="Render the excerpt ID with the blockquote formatter: Markdown, "
        "HTML, LaTeX, reStructuredText or plain text, attributed in a CSL style.",
    )
    _positionals(render, "FILE ID", "the library, then the excerpt's id")
    add_to_option(
        render,
        ("markdown", "html", "latex", "rst", "text"),
        "markdown",
        "output format: markdown, html, latex, rst or text (default: markdown)",
    )
    add_style_options(render)
    render.add_argument(
        "--attribution",
        default="in-text",
        choices=("in-text", "note", "reference", "cite-key", "none"),
        help="the form of the attribution (default: in-text)",
    )
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
        "--width",
        type=int,
        metavar="N",
        help="wrap text and Markdown output at N characters (default: 72 for text; Markdown "
        "keeps one line per paragraph)",
    )
    render.add_argument("--quoted-in-text", metavar="TEXT", help='the words "quoted in"')
    render.add_argument("--templates", metavar="DIR", help="a folder of templates to use first")
    render.add_argument("--template", metavar="FILE", help="the block quotation template")
    render.set_defaults(command=_quote_render, quote_command="render")


def _quote_usage(args: argparse.Namespace) -> int:
    args.quote_parser.print_help(sys.stderr)
    return 2


def _positionals(parser: argparse.ArgumentParser, spec: str, help: str) -> None:
    """The subcommand's positional arguments, ``spec`` such as ``"FILE ID [ID ...]"``.

    They are gathered as words and given their names by :func:`_resolve`, so
    that FILE can be left out when ``-l/--library`` or ``$CITEKIT_LIBRARY``
    names the library.
    """
    parser.add_argument("words", nargs="*", metavar="FILE", help=f"{spec}: {help}")
    parser.set_defaults(quote_spec=spec.split())


def _resolve(args: argparse.Namespace) -> None:
    """Name the positional words: ``args.library`` then ID, IDs or SOURCE."""
    spec: list[str] = [w for w in args.quote_spec if w != "FILE"]
    words: list[str] = list(args.words)
    variadic = "[ID" in spec
    names = [w for w in spec if not w.startswith("[") and not w.endswith("]")]
    usage = " ".join(args.quote_spec)
    from_environment = os.environ.get(LIBRARY_VARIABLE) or None
    if args.library:
        sys.stderr.write(
            f"{PROG}: warning: -l/--library is deprecated: give the library first,"
            f" citekit quote {args.quote_command} {usage}\n"
        )
    elif from_environment and (
        (not variadic and len(words) == len(names))
        or (variadic and words and not os.path.exists(words[0]) and words[0] != "-")
        or not words
    ):
        args.library = from_environment
    elif words:
        args.library = words.pop(0)
    else:
        raise _Failure(
            f"quote {args.quote_command}: expected {usage}: the library comes first"
            f" (or set {LIBRARY_VARIABLE})"
        )
    if len(words) < len(names) or (not variadic and len(words) > len(names)):
        raise _Failure(
            f"quote {args.quote_command}: expected {usage}, got"
            f" {' '.join([args.library, *words])!r}"
        )
    if variadic:
        args.ids = words
    else:
        for name, word in zip(names, words, strict=True):
            setattr(args, name.lower(), word)


def _quote_library(args: argparse.Namespace) -> Library:
    """The library of a quote subcommand, its problems printed to standard error."""
    library = _read(args.library, args.source_format, _Progress(bool(args.progress)))
    report_problems(library.problems, quiet=args.quiet, what=args.library)
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
    _resolve(args)
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
    if not library.excerpts:
        sys.stderr.write(
            f"{PROG}: {args.library} holds no excerpts (add one: citekit quote add"
            f" {args.library} ID --work KEY)\n"
        )
        return 1
    if not rows:
        sys.stderr.write(f"{PROG}: no excerpt matches\n")
        return 1
    widths = [min(30, max((len(row[i]) for row in rows), default=0)) for i in range(3)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        sys.stdout.write("  ".join([*cells, _first_words(row[3], 60)]) + "\n")
    return 0


def _quote_show(args: argparse.Namespace) -> int:
    _resolve(args)
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
    _resolve(args)
    from citekit.model import Excerpt, QuotedIn

    if args.library == "-":
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
    _resolve(args)
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
                f"--elide: expected START:END, two character offsets (a word cut by either"
                f" end is left out whole), got {spec!r}"
            ) from None
    return ranges


def _quote_render(args: argparse.Namespace) -> int:
    _resolve(args)
    import citekit

    elide = _ranges(args.elide)
    library = _quote_library(args)
    excerpt = _find_excerpt(library, args.id)
    options: dict[str, Any] = {
        "output": args.to,
        "style": args.style or DEFAULT_STYLE,
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
