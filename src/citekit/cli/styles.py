"""``citekit styles [QUERY]``: list and search the installed CSL styles."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from citekit.cli import PROG

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``styles`` command."""
    styles = commands.add_parser(
        "styles",
        help="list and search the installed CSL styles",
        description="List the installed CSL styles, one a line: the name to give --style, "
        "the citation format (author-date, numeric, note, label), the fields and the title. "
        "QUERY words must all occur in the name, title, fields or format "
        "('citekit styles chicago note', 'citekit styles history'). Journal styles that "
        "borrow another's rules (dependent styles) are listed with --all. The aliases "
        "(mla, chicago, harvard, ...) come first.",
    )
    styles.add_argument("query", metavar="QUERY", nargs="*", help="words to look for")
    styles.add_argument(
        "--all", action="store_true", help="also list the dependent (journal) styles"
    )
    styles.set_defaults(command=_styles)


def _styles(args: argparse.Namespace) -> int:
    from citekit.csl.catalog import STYLE_ALIASES, style_catalog

    query = " ".join(args.query)
    catalog = style_catalog(dependent=args.all)
    by_name = {info.name: info for info in catalog}
    found = [
        info
        for info in catalog
        if (args.all or not info.dependent) and (not query or info.matches(query))
    ]
    aliases = [
        (alias, target)
        for alias, target in STYLE_ALIASES.items()
        if target in by_name
        and (not query or query.lower() == alias or by_name[target].matches(query))
    ]
    out = sys.stdout
    width = min(40, max([len(i.name) for i in found] + [len(a) for a, _ in aliases] + [4]))
    for alias, target in aliases:
        out.write(f"{alias:<{width}}  alias        {target}\n")
    for info in found:
        fields = [f for f in info.fields if f != "generic-base"]
        more = f", +{len(fields) - 3}" if len(fields) > 3 else ""
        about = f" ({', '.join(fields[:3])}{more})" if fields else ""
        out.write(f"{info.name:<{width}}  {info.format:<11}  {info.title}{about}\n")
    if not found and not aliases:
        sys.stderr.write(f"{PROG}: no style matches {query!r}\n")
        return 1
    return 0
