"""``citekit keys``: citation keys by a pattern, never changing one that follows it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``keys`` command to ``commands``."""
    parser = commands.add_parser(
        "keys",
        help="propose (or give) keys by a pattern to the works whose keys do not follow it",
        description="List the works of FILE whose keys do not follow PATTERN, with the key "
        "proposed for each; keys that follow it are never changed. Markers: [auth], "
        "[authN], [authors], [authorsN], [authEtAl], [editor], [year], [shortyear], "
        "[title], [shorttitle], [veryshorttitle]; modifiers :lower, :upper, :capitalize, "
        ":N. With --write, FILE is rewritten in place with the new keys.",
    )
    parser.add_argument("file", metavar="FILE", help="the library to read")
    parser.add_argument(
        "--pattern",
        metavar="P",
        help="the key pattern (default: [auth:lower][year][veryshorttitle:lower])",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="the report's form (text)"
    )
    parser.add_argument("--write", action="store_true", help="rename the entries in FILE")
    parser.add_argument(
        "--rewrite",
        metavar="MANUSCRIPT",
        nargs="+",
        default=[],
        help="with --write: replace the old keys by the new ones in these manuscripts",
    )
    parser.add_argument("--key-map", metavar="OUT", help="write the map of old keys to new (JSON)")
    parser.set_defaults(command=run)


def run(args: argparse.Namespace) -> int:
    """Run ``citekit keys``."""
    from citekit.cli import Failure
    from citekit.io import atomic_write, load, save
    from citekit.keys import DEFAULT_PATTERN, KeyPattern, propose
    from citekit.merge import apply_rewrites, key_map_json, plan_rewrites

    if args.rewrite and not args.write:
        raise Failure("--rewrite goes with --write")
    try:
        pattern = KeyPattern.parse(args.pattern or DEFAULT_PATTERN)
    except ValueError as error:
        raise Failure(str(error)) from None
    library = load(args.file)
    proposals = propose(library, pattern)
    key_map = {p.key: p.proposed for p in proposals}
    if library.duplicates:
        count = len(library.duplicates)
        sys.stderr.write(
            f"{args.file}: {count} {'entry repeats' if count == 1 else 'entries repeat'} a key"
            " used before; such entries are not renamed (once the first is renamed, the next"
            " run reads them under their key)\n"
        )
    plan = plan_rewrites(args.rewrite, key_map)  # every manuscript read before writing
    if args.write and proposals:
        for proposal in proposals:
            library.rename(proposal.key, proposal.proposed)
        save(library, args.file)
    changed = apply_rewrites(plan)
    if args.key_map:
        atomic_write(args.key_map, key_map_json(key_map).encode("utf-8"))
    if args.format == "json":
        sys.stdout.write(json.dumps([p.to_json() for p in proposals], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        out = sys.stdout
        width = max((len(p.key) for p in proposals), default=0)
        for proposal in proposals:
            out.write(f"{proposal.key:<{width}}  ->  {proposal.proposed}\n")
        verb = "renamed to follow" if args.write else "do not follow"
        plural = "key" if len(proposals) == 1 else "keys"
        sys.stderr.write(f"{len(proposals)} {plural} {verb} {pattern.text} in {args.file}\n")
        for path, count in changed.items():
            sys.stderr.write(f"{path}: {count} citations rewritten\n")
    return 0
