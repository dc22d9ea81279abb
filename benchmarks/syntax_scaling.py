"""How the citation-syntax parsers scale: inputs a naive scanner would take quadratic time on.

Each pathological input (a run of unclosed brackets, ``@`` signs, unclosed
comments, ...) is parsed by :func:`citekit.manuscript.syntax.parse_markdown`
and :func:`~citekit.manuscript.syntax.parse_latex` at 25,000, 100,000 and
400,000 characters; the script prints the best of three times and the ratio
of each size to the one before (about 4 for linear time, 16 for quadratic),
then the time of a realistic one-megabyte manuscript. tests/test_manuscript_syntax.py
parses the same inputs for correctness.

    python benchmarks/syntax_scaling.py [--sizes 25000 100000 400000]
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable

from citekit.manuscript.syntax import parse_latex, parse_markdown

#: (name, text of about n characters) that would take quadratic time to a naive scanner.
PATHOLOGICAL: list[tuple[str, Callable[[int], str]]] = [
    ("brackets", lambda n: "[" * n),
    ("closing-brackets", lambda n: "]" * n),
    ("ats", lambda n: "@" * n),
    ("bracket-ats", lambda n: "[@" * (n // 2)),
    ("nested-brackets", lambda n: "[" * (n // 2) + "@a" + "]" * (n // 2)),
    ("nested-clusters", lambda n: "[@a " * (n // 4) + "]" * (n // 4)),
    ("nested-failing-clusters", lambda n: "[@a {" * (n // 9) + "; @]" * (n // 9)),
    ("comments-on-one-line", lambda n: "<!-- x --> " * (n // 11)),
    ("in-text-then-bracket", lambda n: "@a [" * (n // 4)),
    ("unclosed-clusters", lambda n: "[@a;" * (n // 4)),
    ("backtick-runs", lambda n: "".join("`" * k + " " for k in range(1, int((2 * n) ** 0.5)))),
    ("unclosed-comments", lambda n: "<!-- @a " * (n // 8)),
    ("unclosed-tags", lambda n: '<a x=" @b ' * (n // 10)),
    ("dollars", lambda n: "$a @b " * (n // 6)),
    ("unclosed-braced-keys", lambda n: "@{" * (n // 2)),
    ("fence-lines", lambda n: "```\n" * (n // 4)),
    ("long-fence-then-short", lambda n: "````\n" + "```\n" * (n // 4)),
    ("unclosed-pre", lambda n: "<pre>\n" * (n // 6)),
    ("braces-after-cite", lambda n: "[@a, " + "{" * n),
    ("tex-open-braces", lambda n: "\\cite{" * (n // 6)),
    ("tex-open-brackets", lambda n: "\\cite[" * (n // 6)),
    ("tex-open-parens", lambda n: "\\cites(" * (n // 7)),
    ("tex-nested-braces", lambda n: "\\cite{" + "{" * (n // 2) + "a" + "}" * (n // 2) + "}"),
    ("tex-verb-distinct", lambda n: "".join("\\verb" + chr(0x4E00 + i) for i in range(n // 6))),
    ("tex-braces", lambda n: "{" * n),
]


def megabyte_manuscripts() -> tuple[str, str, str, str]:
    """(Markdown, LaTeX, Markdown block, LaTeX paragraph): realistic text of about 1 MB each."""
    paragraph = (
        "Serge wrote of it [see @serge1944, pp. 33-35; @trotsky1930, chap. 2] and "
        "@lenin1917 [p. 4] disagreed, as `code @x` and <https://x.org/@y> show; "
        "write to name@host.org. [-@a] \\@b *emph* [@key, {pp. iv, vi-xi}] <!-- @c -->\n"
    )
    block = paragraph * 5 + "\n```\ncode @a [@b]\n```\n\n    indented @c\n\n"
    markdown = block * (1_000_000 // len(block) + 1)
    latex_paragraph = (
        "As \\textcite[p.~33]{serge1944} and \\citet{lenin1917} said "
        "\\parencite[see][chap.~2]{a,b}, 50\\% of it \\footcite{x} % a comment \\cite{no}\n"
        "\\verb|\\cite{v}| \\autocite*{y} {\\em x}.\n\n"
    )
    latex = latex_paragraph * (1_000_000 // len(latex_paragraph) + 1)
    return markdown, latex, block, latex_paragraph


def best_time(function: Callable[[str], object], text: str, runs: int = 3) -> float:
    """The shortest of ``runs`` timings of ``function(text)``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 100_000, 400_000])
    args = parser.parse_args()
    sizes: list[int] = args.sizes
    header = f"{'input':<26} {'parser':<15}" + "".join(f"{n:>12,}" for n in sizes) + "  ratios"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, make in PATHOLOGICAL:
        for function in (parse_markdown, parse_latex):
            times = [best_time(function, make(n)) for n in sizes]
            ratios = [later / max(earlier, 1e-4) for earlier, later in itertools.pairwise(times)]
            worst = max(worst, *ratios) if ratios else worst
            cells = "".join(f"{t:>11.3f}s" for t in times)
            print(
                f"{name:<26} {function.__name__:<15}{cells}  "
                + " ".join(f"{r:.1f}" for r in ratios)
            )
    print(f"\nlargest ratio of one size to the one before: {worst:.1f} (4 is linear, 16 quadratic)")
    markdown, latex, _, _ = megabyte_manuscripts()
    for function, text in ((parse_markdown, markdown), (parse_latex, latex)):
        marks = function(text)
        print(
            f"{function.__name__}: {len(text):,} characters, {len(marks):,} citations, "
            f"{best_time(function, text):.2f} s"
        )


if __name__ == "__main__":
    main()
