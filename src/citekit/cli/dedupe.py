"""``citekit dedupe``: the works of a library that are one work under several keys."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citekit.duplicates import DuplicateGroup
    from citekit.model import Library

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``dedupe`` command to ``commands``."""
    parser = commands.add_parser(
        "dedupe",
        help="find the works that are one work under several keys",
        description="List the groups of works in FILE... that are one work under several "
        "keys: same DOI, ISBN (10 or 13), PMID, PMCID or arXiv id, or the same normalised "
        "title, first creator and year; look-alikes that are other works (other volumes, "
        "editions, parts, translations, corrections, a chapter and its book) are left out. "
        "Pairs recorded with --not-duplicate (kept in FILE.not-duplicates.txt beside the "
        "first FILE) are never reported again.",
    )
    parser.add_argument("files", metavar="FILE", nargs="+", help="the libraries to read")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="the report's form (text)"
    )
    parser.add_argument(
        "--not-duplicate",
        metavar="KEY",
        nargs="+",
        action="append",
        default=[],
        help="record that these works (two or more keys) are different, then report",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="merge each group found (needs --only: only identifiers are trusted unseen)",
    )
    parser.add_argument(
        "--only",
        choices=("doi", "isbn", "identifiers"),
        help="only groups whose works share a DOI, an ISBN, or any identifier",
    )
    parser.add_argument(
        "--rewrite",
        metavar="MANUSCRIPT",
        nargs="+",
        default=[],
        help="with --merge: replace the absorbed keys in these manuscripts",
    )
    parser.add_argument(
        "--key-map", metavar="OUT", help="with --merge: write the map of old keys to new (JSON)"
    )
    parser.set_defaults(command=run)


def _read(paths: list[str]) -> tuple[Library, list[str]]:
    from citekit.io import load
    from citekit.model import Library

    if len(paths) == 1:
        library = load(paths[0])
        notes = []
        if library.duplicates:
            count = len(library.duplicates)
            verb = "entry repeats" if count == 1 else "entries repeat"
            notes.append(
                f"{paths[0]}: {count} {verb} a key used before (not compared; see 'citekit show')"
            )
        return library, notes
    combined = Library()
    notes = []
    for path in paths:
        library = load(path)
        clashes = 0
        for work in library.values():
            if work.key in combined:
                clashes += 1
            else:
                combined.add(work)
        if clashes or library.duplicates:
            notes.append(
                f"{path}: {clashes + len(library.duplicates)} entries whose key was already"
                " read (not compared)"
            )
    return combined, notes


def run(args: argparse.Namespace) -> int:
    """Run ``citekit dedupe``."""
    from citekit.cli import Failure
    from citekit.duplicates import NotDuplicates, find_duplicates, not_duplicates_path

    if args.merge and args.only is None:
        raise Failure(
            "--merge needs --only doi, isbn or identifiers: groups found by titles need a"
            " look first (merge them with 'citekit merge FILE KEY KEY...')"
        )
    if args.merge and len(args.files) != 1:
        raise Failure("--merge works on one FILE at a time")
    if (args.rewrite or args.key_map) and not args.merge:
        raise Failure("--rewrite and --key-map go with --merge")
    library, notes = _read(args.files)
    judged_path = not_duplicates_path(args.files[0])
    judged = NotDuplicates.load(judged_path)
    if args.not_duplicate:
        for keys in args.not_duplicate:
            if len(keys) < 2 or len(set(keys)) != len(keys):
                raise Failure("--not-duplicate needs two or more different keys")
            for key in keys:
                library[key]  # an unknown key fails, with a suggestion
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    judged.add(a, b)
        judged.save(judged_path)
        notes.append(f"recorded in {judged_path}: {len(judged)} pairs judged different")
    groups = find_duplicates(library, not_duplicates=judged, only=args.only)
    for note in notes:
        sys.stderr.write(note + "\n")
    if args.merge:
        return _merge(args, library, groups)
    if args.format == "json":
        sys.stdout.write(json.dumps([g.to_json() for g in groups], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        _write_text(groups, len(library), ", ".join(args.files))
    return 0


def _write_text(groups: list[DuplicateGroup], count: int, where: str) -> None:
    out = sys.stdout
    plural = "group" if len(groups) == 1 else "groups"
    out.write(f"{len(groups)} {plural} of duplicates among {count} works in {where}\n")
    for group in groups:
        out.write("\n")
        for key in group.keys:
            out.write(f"  {key}\n")
        out.write(f"    why: {'; '.join(group.reasons)} (confidence {group.confidence:.2f})\n")
        for field, values in group.conflicts.items():
            out.write(f"    differs: {field}\n")
            for key, value in values.items():
                out.write(f"      {key}: {value!r}\n")


def _merge(args: argparse.Namespace, library: Library, groups: list[DuplicateGroup]) -> int:
    from citekit.io import atomic_write, save
    from citekit.merge import apply_rewrites, key_map_json, plan_rewrites

    key_map: dict[str, str] = {}
    reports = []
    for group in groups:
        result = library.merge(group.keys)
        reports.append(result.to_json())
        for old in result.absorbed:
            key_map[old] = result.work.key
    plan = plan_rewrites(args.rewrite, key_map)  # every manuscript read before writing
    if groups:
        save(library, args.files[0])
    changed = apply_rewrites(plan)
    if args.key_map:
        atomic_write(args.key_map, key_map_json(key_map).encode("utf-8"))
    if args.format == "json":
        data = {"merged": reports, "key_map": key_map, "rewritten": changed}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out = sys.stdout
        out.write(f"merged {len(reports)} groups in {args.files[0]}\n")
        for report in reports:
            out.write(f"  {report['key']} <- {', '.join(report['absorbed'])}\n")
            for field, values in report["conflicts"].items():
                out.write(f"    conflict: {field}: kept {values.get(report['base'])!r}\n")
        for path, count in changed.items():
            out.write(f"{path}: {count} citations rewritten\n")
    return 0
