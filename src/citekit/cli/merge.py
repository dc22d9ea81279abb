"""``citekit merge``: merge works that are one work, keeping the absorbed keys as aliases."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``merge`` command to ``commands``."""
    parser = commands.add_parser(
        "merge",
        help="merge works that are one work into one entry",
        description="Merge the works KEY KEY... of FILE into one: the most complete entry is "
        "kept and its missing fields filled from the others; every field whose values "
        "differ is reported (the kept entry's value stays). The absorbed keys become "
        "aliases of the merged work (biblatex 'ids' in BibTeX, custom.extra.ids in "
        "CSL-JSON/YAML), so citations of them still resolve. FILE is rewritten in place.",
    )
    parser.add_argument("file", metavar="FILE", help="the library to change")
    parser.add_argument("keys", metavar="KEY", nargs="+", help="two or more keys to merge")
    parser.add_argument("--into", metavar="KEY", help="the key the merged work keeps (one of KEY)")
    parser.add_argument(
        "--rewrite",
        metavar="MANUSCRIPT",
        nargs="+",
        default=[],
        help="replace the absorbed keys by the kept one in these manuscripts "
        "(Markdown [@key], LaTeX \\cite{key}; .tex files are read as LaTeX)",
    )
    parser.add_argument("--key-map", metavar="OUT", help="write the map of old keys to new (JSON)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="the report's form (text)"
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace) -> int:
    """Run ``citekit merge``."""
    from citekit.cli import Failure
    from citekit.io import atomic_write, load, save
    from citekit.merge import apply_rewrites, key_map_json, plan_rewrites

    keys = list(dict.fromkeys(args.keys))
    if len(keys) < 2:
        raise Failure("merge needs two or more different keys")
    if args.into is not None and args.into not in keys:
        raise Failure(f"--into {args.into!r} is not one of the keys merged")
    library = load(args.file)
    for key in keys:
        if key not in library:
            library[key]  # an unknown key (or an alias) fails, with a suggestion
            raise Failure(f"{key!r} is an alias of {library[key].key!r}, not an entry")
    result = library.merge(keys, into=args.into)
    key_map = {old: result.work.key for old in result.absorbed}
    plan = plan_rewrites(args.rewrite, key_map)  # every manuscript read before writing
    save(library, args.file)
    changed = apply_rewrites(plan)
    if args.key_map:
        atomic_write(args.key_map, key_map_json(key_map).encode("utf-8"))
    report = result.to_json()
    if args.format == "json":
        report["rewritten"] = changed
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return 0
    out = sys.stdout
    out.write(f"merged into {result.work.key} (base {result.base}): {', '.join(result.absorbed)}\n")
    for field, donor in result.filled.items():
        out.write(f"  filled {field} from {donor}\n")
    for field, values in result.conflicts.items():
        out.write(f"  conflict: {field} (kept {values.get(result.base)!r})\n")
        for key, value in values.items():
            out.write(f"    {key}: {value!r}\n")
    for path, count in changed.items():
        out.write(f"{path}: {count} citations rewritten\n")
    return 0
