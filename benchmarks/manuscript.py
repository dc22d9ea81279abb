"""The edit-render loop: cold and warm renders of a generated 500-citation manuscript.

Writes a manuscript of 500 citations of 300 works (a BibTeX file of
generated works, with shared surnames and years so that the style must
disambiguate; one to three works per citation, some with locators, some
in-text, a few footnotes) to a temporary folder, then times ``citekit
render`` through :func:`citekit.manuscript.render_files`:

- **cold**: the first render, with an empty cache (``.citekit-cache/``
  beside the manuscript);
- **warm**: the same manuscript again (everything comes from the cache);
- **one paragraph**: one paragraph edited (its text, and a locator of one of
  its citations): only what it touches is rendered again;
- **order changed**: a citation added at the start of a work first cited near
  the end (the registry of works changes: the engine sorts and disambiguates
  again; the citations whose works kept their numbers and disambiguation are
  still reused).

Each edited render's output is checked against a render without the cache.
Prints the times, the warm/cold ratio (the issue asks for at most 10%) and
what the cache reused.

    python benchmarks/manuscript.py [--style chicago-author-date] [--to html]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from citekit.manuscript import RenderResult, render_files

SURNAMES = ["Smith", "Jones", "Garcia", "Chen", "Okafor", "Novak", "Dubois", "Sato"]
GIVEN = ["Anna", "Ben", "Carla", "David", "Eva", "Farid"]
JOURNALS = ["Journal of Things", "Review of Studies", "Annals of Method"]


def bibliography(works: int, rng: random.Random) -> str:
    entries = []
    for number in range(works):
        authors = " and ".join(
            f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.choice([1, 1, 2, 3]))
        )
        year = 1990 + rng.randrange(25)
        if number % 3:
            entries.append(
                f"@article{{w{number},\n  author = {{{authors}}},\n"
                f"  title = {{A study of question {number}}},\n"
                f"  journal = {{{rng.choice(JOURNALS)}}},\n  volume = {{{rng.randrange(1, 40)}}},\n"
                f"  pages = {{{rng.randrange(1, 200)}--{rng.randrange(201, 400)}}},\n"
                f"  year = {{{year}}},\n}}\n"
            )
        else:
            entries.append(
                f"@book{{w{number},\n  author = {{{authors}}},\n"
                f"  title = {{The book of topic {number}}},\n"
                f"  publisher = {{Press {number % 7}}},\n  address = {{City}},\n"
                f"  year = {{{year}}},\n}}\n"
            )
    return "\n".join(entries)


def paragraphs(works: int, citations: int, rng: random.Random) -> list[str]:
    out = []
    count = 0
    notes = 0
    while count < citations:
        sentences = []
        for _ in range(5):
            if count >= citations:
                break
            # the first cite goes round every work, so that all of them are cited
            others = rng.sample(range(works), rng.choice([0, 0, 0, 1, 2]))
            keys = [count % works, *(k for k in others if k != count % works)]
            roll = rng.random()
            if roll < 0.15:
                sentences.append(f"As @w{keys[0]} [{rng.randrange(1, 300)}] argues, it holds.")
            elif roll < 0.2:
                notes += 1
                sentences.append(f"A remark.[^n{notes}]")
                out.append(f"[^n{notes}]: A note citing [@w{keys[0]}].")
            else:
                locator = f", {rng.randrange(1, 300)}" if rng.random() < 0.3 else ""
                cites = "; ".join(f"@w{k}" for k in keys)
                sentences.append(f"The finding holds [{cites}{locator}].")
            count += 1
        out.append(" ".join(sentences))
    return out


def timed(path: Path, style: str, to: str, cache: bool = True) -> tuple[float, RenderResult]:
    start = time.perf_counter()
    result = render_files([path], style=style, to=to, cache=cache)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", default="chicago-author-date")
    parser.add_argument("--to", default="markdown", choices=["markdown", "html", "latex"])
    parser.add_argument("--works", type=int, default=300)
    parser.add_argument("--citations", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "refs.bib").write_text(bibliography(args.works, rng), encoding="utf-8")
        body = paragraphs(args.works, args.citations, rng)
        manuscript = folder / "manuscript.md"

        def write(parts: list[str]) -> None:
            text = "---\nbibliography: refs.bib\n---\n\n" + "\n\n".join(parts) + "\n"
            manuscript.write_text(text, encoding="utf-8")

        write(body)
        cold, first = timed(manuscript, args.style, args.to)
        warm, second = timed(manuscript, args.style, args.to)
        assert second.text == first.text and second.cache.document_hit
        cited = sum(len(c.keys) for c in first.citations)
        print(
            f"{args.style}, {args.to}: {len(first.citations)} citations ({cited} cites)"
            f" of {len(first.bibliography)} works"
        )
        print(f"cold render           {cold:8.2f} s")
        print(f"warm render           {warm:8.3f} s   ({warm / cold:.1%} of cold)")

        edited = list(body)
        index = next(
            i
            for i, p in enumerate(edited)
            if i > 20 and "[@w" in p and "]." in p and not p.startswith("[^")
        )
        edited[index] = "Edited. " + edited[index].replace("].", ", 12].", 1)
        write(edited)
        one, result = timed(manuscript, args.style, args.to)
        _, fresh = timed(manuscript, args.style, args.to, cache=False)
        assert result.text == fresh.text, "the cache changed the output"
        stats = result.cache
        print(
            f"one paragraph edited  {one:8.2f} s   ({one / cold:.1%} of cold;"
            f" {stats.citations_rendered} rendered, {stats.citations_reused} reused)"
        )

        # a work first cited near the end is now cited first: the order changes
        edited.insert(0, f"A new opening [@w{args.works - 1}].")
        write(edited)
        added, result = timed(manuscript, args.style, args.to)
        _, fresh = timed(manuscript, args.style, args.to, cache=False)
        assert result.text == fresh.text, "the cache changed the output"
        stats = result.cache
        print(
            f"order of works changed{added:8.2f} s   ({added / cold:.1%} of cold;"
            f" {stats.citations_rendered} rendered, {stats.citations_reused} reused)"
        )


if __name__ == "__main__":
    main()
