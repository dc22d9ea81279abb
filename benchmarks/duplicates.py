"""Duplicate finding against hand-made labels: precision, recall, and Zotero's rules.

The labelled set (``benchmarks/duplicates_labels.json``) is made of

- the corpus files of ``tests/corpus/``: the groups of healy-socbib.bib and
  the two heppler files read and labelled by hand ("same"), the look-alikes
  that are different works ("different": editions and reprints years apart,
  volumes of one book, a chapter and its book, the deliberate look-alikes of
  biblatex-examples.bib such as ``knuth:ct`` and ``knuth:ct:related``);
- synthetic variants made here from corpus works, one per disguise of a
  duplicate (a DOI behind a resolver, ISBN-10 against ISBN-13, case, accents
  and LaTeX, punctuation, ``&`` for ``and``, initials for given names, a
  subtitle left out, an abbreviated journal name) and one per look-alike that
  is another work (another DOI or ISBN, volume, edition or part, a
  correction, a review, a chapter titled as its book, a translation, a
  reprint years later).

A pair found counts as true when the labels put both keys in one "same"
group, and as false otherwise (unless labelled "unsure"). Recall is over the
pairs of the "same" groups. Zotero's rules (see
:func:`citekit.duplicates.zotero_duplicates`) are scored on the same set.
Then ``citekit dedupe`` is timed on healy-socbib.bib (the issue's target:
under 2 s).

    python benchmarks/duplicates.py [--runs 3] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import attrs

import citekit
from citekit import Date, Person, Work, WorkType
from citekit.duplicates import find_duplicates, zotero_duplicates
from citekit.model.identifiers import isbn10_to_13

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
LABELS = Path(__file__).resolve().with_name("duplicates_labels.json")

Pair = frozenset[str]


def pairs_of(groups: Iterable[Iterable[str]]) -> set[Pair]:
    return {frozenset(p) for g in groups for p in combinations(sorted(set(g)), 2)}


def _isbn10(n: int) -> str:
    body = f"{(n * 7919) % 10**9:09d}"
    total = sum((10 - i) * int(d) for i, d in enumerate(body))
    check = (11 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def _initials(person: Person) -> Person:
    if not person.given:
        return person
    return attrs.evolve(person, given="".join(w[0] for w in person.given.split() if w))


_ABBREVIATIONS = {"journal": "J.", "american": "Am.", "review": "Rev.", "of": "", "the": ""}


def _abbreviate(journal: str) -> str:
    words = []
    for word in journal.split():
        low = word.lower()
        if low in _ABBREVIATIONS:
            if _ABBREVIATIONS[low]:
                words.append(_ABBREVIATIONS[low])
        elif len(word) > 5:
            words.append(word[:4] + ".")
        else:
            words.append(word)
    return " ".join(words)


def synthetic(sample: int = 40) -> tuple[list[Work], list[list[str]], list[list[str]]]:
    """Works, their "same" groups and "different" pairs: variants of corpus works."""
    healy = citekit.load(CORPUS / "healy-socbib.bib")
    seen_titles: set[str] = set()
    articles: list[Work] = []
    books: list[Work] = []
    for work in healy.values():
        if not work.title or not work.authors or work.year is None or len(work.title) < 25:
            continue
        if work.title.lower() in seen_titles or any(c.isdigit() for c in work.title):
            continue
        if work.type is WorkType.ARTICLE_JOURNAL and work.container_title and work.page:
            seen_titles.add(work.title.lower())
            articles.append(work)
        elif work.type is WorkType.BOOK and ":" in work.title:
            seen_titles.add(work.title.lower())
            books.append(work)
    articles = articles[:: max(1, len(articles) // sample)][:sample]
    books = books[:: max(1, len(books) // sample)][:sample]
    works: list[Work] = []
    same: list[list[str]] = []
    different: list[list[str]] = []
    for n, original in enumerate(articles + books):
        base = f"syn{n}"
        is_book = original.type is WorkType.BOOK
        doi = f"10.5555/syn.{n}.{original.year}"
        isbn10 = _isbn10(n + 1)
        if is_book:
            first = attrs.evolve(original, key=base, isbn=isbn10_to_13(isbn10))
        else:
            first = attrs.evolve(original, key=base, doi=doi)
        works.append(first)
        group = [base]
        original = first  # the variants carry the identifier unless their disguise changes it

        def variant(
            kind: str,
            work: Work,
            *,
            same_work: bool,
            base: str = base,
            group: list[str] = group,
        ) -> None:
            key = f"{base}-{kind}"
            if not same_work and kind not in ("other-isbn", "other-doi"):
                # another work has its own identifiers, if any: left out, so that
                # the other evidence is what tells it apart
                work = attrs.evolve(work, doi=None, isbn=None)
            works.append(attrs.evolve(work, key=key))
            if same_work:
                group.append(key)
            else:
                different.append([base, key])

        title = original.title or ""
        if is_book:
            variant(
                "isbn10",
                attrs.evolve(original, isbn=f"ISBN {isbn10[:1]}-{isbn10[1:]}"),
                same_work=True,
            )
        else:
            variant(
                "resolver",
                attrs.evolve(original, doi="https://doi.org/" + doi.upper(), title=title.upper()),
                same_work=True,
            )
        accented = title.replace("e", "é", 1).replace("a", "à", 1)
        variant(
            "accents", attrs.evolve(original, title="{" + accented.lower() + "}"), same_work=True
        )
        variant(
            "punct",
            attrs.evolve(
                original, title=title.replace(":", " --").replace(",", "").replace("-", " ")
            ),
            same_work=True,
        )
        amp = title.replace(" and ", " & ") if " and " in title else title.replace(" & ", " and ")
        variant("amp", attrs.evolve(original, title=amp.replace(", ", " , ")), same_work=True)
        variant(
            "initials",
            original.with_names("author", [_initials(p) for p in original.authors]),
            same_work=True,
        )
        if ":" in title:
            variant(
                "subtitle", attrs.evolve(original, title=title.split(":", 1)[0]), same_work=True
            )
        if original.container_title:
            variant(
                "journal",
                attrs.evolve(original, container_title=_abbreviate(original.container_title)),
                same_work=True,
            )
        # look-alikes that are other works
        if is_book:
            variant(
                "other-isbn",
                attrs.evolve(original, isbn=isbn10_to_13(_isbn10(n + 1000))),
                same_work=False,
            )
            variant("volume", attrs.evolve(original, volume="2"), same_work=False)
            later = "3rd" if (original.edition or "").lower() in ("2", "2nd", "second") else "2nd"
            variant("edition", attrs.evolve(original, edition=later), same_work=False)
            variant(
                "chapter",
                attrs.evolve(original, type=WorkType.CHAPTER, container_title=title, page="1-20"),
                same_work=False,
            )
            variant(
                "translation",
                attrs.evolve(original, language="de", title=title).with_names(
                    "translator", [Person(family="Weber", given="Anna")]
                ),
                same_work=False,
            )
            variant(
                "reprint",
                attrs.evolve(original, issued=Date.of((original.year or 1990) + 10)),
                same_work=False,
            )
        else:
            variant("other-doi", attrs.evolve(original, doi=f"10.5555/other.{n}"), same_work=False)
            variant("part", attrs.evolve(original, title=title + ", Part II"), same_work=False)
            variant(
                "correction",
                attrs.evolve(original, title="Correction to: " + title, page=None),
                same_work=False,
            )
            variant(
                "review",
                attrs.evolve(original, type=WorkType.REVIEW, title="Review of " + title),
                same_work=False,
            )
            variant(
                "reply",
                attrs.evolve(original, title="Reply to comments on " + title),
                same_work=False,
            )
        same.append(group)
        for a, b in list(different):
            if a == base:
                for member in group[1:]:
                    different.append([member, b])
    return works, same, different


def score(found: set[Pair], same: set[Pair], unsure: set[Pair]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives)."""
    judged = found - unsure
    tp = len(judged & same)
    return tp, len(judged - same), len(same - found)


def run(verbose: bool) -> None:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    rows: list[tuple[str, int, set[Pair], set[Pair], set[Pair], set[Pair]]] = []
    for name, data in labels.items():
        if name.startswith("_"):
            continue
        library = citekit.load(CORPUS / name)
        found = pairs_of(g.keys for g in find_duplicates(library))
        zotero = {frozenset(p) for p in zotero_duplicates(library.values())}
        unsure = pairs_of(data["unsure"])
        rows.append((name, len(library), pairs_of(data["same"]), unsure, found, zotero))
    works, same, _different = synthetic()
    found = pairs_of(g.keys for g in find_duplicates(works))
    zotero = {frozenset(p) for p in zotero_duplicates(works)}
    rows.append(("synthetic variants", len(works), pairs_of(same), set(), found, zotero))
    totals = [0, 0, 0, 0, 0, 0]
    head = f"{'set':28} {'works':>6} {'same':>5} | {'citekit P':>9} {'R':>6}"
    print(head + f" | {'Zotero P':>8} {'R':>6}")
    for name, count, same_pairs, unsure, found, zotero in rows:
        tp, fp, fn = score(found, same_pairs, unsure)
        ztp, zfp, zfn = score(zotero, same_pairs, unsure)
        for i, v in enumerate((tp, fp, fn, ztp, zfp, zfn)):
            totals[i] += v
        print(_row(name, str(count), len(same_pairs), tp, fp, fn, ztp, zfp, zfn))
        if verbose:
            for pair in sorted(sorted(p) for p in (found - unsure) - same_pairs):
                print("    false pair:", *pair)
            for pair in sorted(sorted(p) for p in same_pairs - found):
                print("    missed:    ", *pair)
    corpus = [0, 0, 0, 0, 0, 0]
    for _name, _count, same_pairs, unsure, found, zotero in rows[:-1]:
        for i, v in enumerate(score(found, same_pairs, unsure) + score(zotero, same_pairs, unsure)):
            corpus[i] += v
    tp, fp, fn, ztp, zfp, zfn = corpus
    print(_row("corpus files only", "", tp + fn, tp, fp, fn, ztp, zfp, zfn))
    tp, fp, fn, ztp, zfp, zfn = totals
    print(_row("all", "", tp + fn, tp, fp, fn, ztp, zfp, zfn))
    print(f"citekit: {tp} pairs right, {fp} false, {fn} missed;", end=" ")
    print(f"Zotero's rules: {ztp} right, {zfp} false, {zfn} missed")
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    zrecall = ztp / max(1, ztp + zfn)
    print(f"targets: precision {precision:.3f} >= 0.99: {precision >= 0.99};", end=" ")
    print(f"recall {recall:.3f} >= 0.95: {recall >= 0.95};", end=" ")
    print(f"recall >= Zotero's ({zrecall:.3f}): {recall >= zrecall}")


def _row(
    name: str, count: str, same: int, tp: int, fp: int, fn: int, ztp: int, zfp: int, zfn: int
) -> str:
    ours = f"{_ratio(tp, tp + fp):>9} {_ratio(tp, tp + fn):>6}"
    zotero = f"{_ratio(ztp, ztp + zfp):>8} {_ratio(ztp, ztp + zfn):>6}"
    return f"{name:28} {count:>6} {same:5} | {ours} | {zotero}"


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def time_dedupe(runs: int) -> None:
    """``citekit dedupe`` on healy-socbib.bib, whole command in a fresh process."""
    path = CORPUS / "healy-socbib.bib"
    times = []
    cpu = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "citekit.cli", "dedupe", str(path), "--format", "json"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    library = citekit.load(path)
    start = time.perf_counter()
    find_duplicates(library)
    inner = time.perf_counter() - start
    best = min(times)
    print(
        f"citekit dedupe healy-socbib.bib ({len(library)} works): best of {runs} {best:.2f} s "
        f"wall, {min(cpu):.2f} s CPU (whole process, reading included; find_duplicates "
        f"alone {inner:.2f} s); target < 2 s: {best < 2}; load average {os.getloadavg()[0]:.1f}"
        f" on {os.cpu_count()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--verbose", action="store_true", help="list false and missed pairs")
    args = parser.parse_args()
    run(args.verbose)
    time_dedupe(args.runs)


if __name__ == "__main__":
    main()
