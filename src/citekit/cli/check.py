"""``citekit check``: what is wrong in a library, and ``--fix`` for what is safe to repair.

::

    citekit check refs.bib                       # file:line: severity: key: message [rule]
    citekit check refs.bib --format json         # a JSON list of findings
    citekit check refs.bib --format sarif        # SARIF 2.1.0, for code-scanning tools
    citekit check refs.bib --select doi-resolver,isbn-check-digit
    citekit check refs.bib --ignore key-invalid --dialect biblatex
    citekit check refs.bib --manuscript essay.md # keys cited but missing, never cited
    citekit check refs.bib --fix                 # write the safe fixes, nothing else
    citekit check refs.bib --fix --dry-run       # print them as a unified diff
    citekit check --list-rules                   # the installed rules

Exit status: 0 when no error is found (warnings and information do not
count), 1 when one is, 2 when a file cannot be read or an option is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``check`` sub-command to ``commands``."""
    parser = commands.add_parser(
        "check",
        help="find what is wrong in a library (and --fix what is safe to repair)",
        description="Check libraries against the rules (required fields, identifiers and "
        "their check digits, dates, names, text, references between entries, and "
        "manuscripts): one line per finding, 'file:line: severity: key: message [rule]'. "
        "Exit status 0 without errors, 1 with errors, 2 when a file cannot be read.",
    )
    parser.add_argument("files", metavar="FILE", nargs="*", help="the libraries to check")
    parser.add_argument(
        "--format",
        dest="output_format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text (default), a JSON list, or SARIF 2.1.0",
    )
    parser.add_argument(
        "--select",
        metavar="RULE",
        action="extend",
        nargs="+",
        help="run only these rules (names separated by spaces or commas)",
    )
    parser.add_argument(
        "--ignore", metavar="RULE", action="extend", nargs="+", help="leave these rules out"
    )
    parser.add_argument(
        "--dialect",
        choices=("bibtex", "biblatex", "csl"),
        help="check in this dialect (default: the file's own)",
    )
    parser.add_argument(
        "--manuscript",
        metavar="PATH",
        action="append",
        help="a Markdown or LaTeX manuscript: report keys it cites that are missing,"
        " and entries it never cites (may be given more than once)",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the fixes that cannot lose information, changing only those fields",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="with --fix: print the changes as a unified diff instead of writing",
    )
    parser.add_argument(
        "--list-rules", action="store_true", help="list the installed rules and exit"
    )
    parser.set_defaults(command=_check)


def _names(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _list_rules() -> int:
    from citekit.checks import rule_classes

    rules = rule_classes()
    width = max((len(name) for name in rules), default=0)
    for name, cls in rules.items():
        summary = (
            (cls.__doc__ or "").strip().splitlines()[0].replace("``", "") if cls.__doc__ else ""
        )
        fix = " (fixable)" if cls.fixable else ""
        sys.stdout.write(f"{name:<{width}}  {cls.severity:<7}  {cls.family:<11}  {summary}{fix}\n")
    return 0


def _check(args: argparse.Namespace) -> int:
    from citekit.checks import Finding, check, rule_classes
    from citekit.checks.report import render
    from citekit.cli import Failure
    from citekit.errors import CitekitError, ParseError, PluginNotFoundError
    from citekit.io import atomic_write, load

    if args.list_rules:
        return _list_rules()
    # "--select RULE... FILE" takes FILE as a rule name (argparse cannot tell):
    # a name that is no rule but an existing file is a FILE.
    for option in ("select", "ignore"):
        values = getattr(args, option)
        if values:
            known = set(rule_classes())
            names = _names(values) or []
            paths = [n for n in names if n not in known and os.path.exists(n)]
            setattr(args, option, [n for n in names if n not in paths])
            args.files = [*args.files, *paths]
    if not args.files:
        raise Failure("check needs at least one FILE (or --list-rules)")
    if args.dry_run and not args.fix:
        raise Failure("--dry-run goes with --fix")
    select, ignore = _names(args.select), _names(args.ignore)
    try:
        rules = rule_classes()
    except CitekitError as error:
        raise Failure(str(error)) from None
    remaining: list[Finding] = []
    fixed: list[Finding] = []
    diffs: list[str] = []
    for path in args.files:
        try:
            library = load(path)
            findings = check(
                library,
                rules=select,
                ignore=ignore,
                dialect=args.dialect,
                manuscripts=args.manuscript or None,
            )
        except PluginNotFoundError as error:
            raise Failure(str(error)) from None
        except ParseError as error:
            raise Failure(str(error.problems[0]) if error.problems else str(error)) from None
        if args.fix and any(f.fix is not None for f in findings):
            from citekit.checks.fix import apply_fixes, unified_diff
            from citekit.formats.bibtex import BibtexOrigin

            if isinstance(library.origin, BibtexOrigin):
                result = apply_fixes(library, findings)
                if result.changed:
                    if args.dry_run:
                        diffs.append(unified_diff(library.origin.text, result.text, path))
                    else:
                        atomic_write(path, result.data)
                applied = {id(f) for f in result.applied}
                fixed.extend(result.applied)
                findings = [f for f in findings if id(f) not in applied]
        remaining.extend(findings)
    if args.dry_run:
        sys.stdout.write("".join(diffs))
    else:
        for finding in fixed:
            where = f"{finding.path}:{finding.line}" if finding.line else str(finding.path)
            note = f"{where}: fixed: {finding.key}: {finding.fix} [{finding.rule}]\n"
            (sys.stderr if args.output_format != "text" else sys.stdout).write(note)
        used = {name: rules[name] for name in (select or rules) if name in rules}
        sys.stdout.write(render(remaining, args.output_format, used))
    return 1 if any(f.severity == "error" for f in remaining) else 0
