"""What some tests need from outside the repository, and what happens without it.

A few tests check citekit against outside programs (BibTeX, pdflatex and
pdftotext, citeproc-js on node, pandoc, chromium) or read a data folder the
repository does not carry (the official CSL test suite, the seed texts). Such
a test declares what it needs with the ``oracles`` mark, ``needs("bibtex")``,
or calls :func:`require` inside its body or fixture. Where something is
missing the test is skipped, with a message naming what is missing and how to
get it; with ``CITEKIT_REQUIRE_ORACLES=1`` in the environment (``.ci/run``
sets it) the test fails with that message instead, so a CI machine without
an oracle cannot turn green by skipping.

``tests/conftest.py`` applies the mark: a test is skipped before its fixtures
are set up, or fails when it is called.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_ENV = "CITEKIT_REQUIRE_ORACLES"
REPO = Path(__file__).resolve().parents[1]
#: The real bibliography files the tests read, carried in the repository
#: (tests/corpus/PROVENANCE.md): a missing one is an error, never a skip.
CORPUS = REPO / "tests" / "corpus"
CORPUS_FILES = (
    "biblatex-examples.bib",
    "healy-socbib.bib",
    "heppler-digital-history.bib",
    "heppler-history.bib",
)
#: The folder beside the checkout that holds the CSL test suite and the seed texts.
SHARED = REPO.parent / "shared"
CITEPROC_JS = REPO / "benchmarks" / "differential" / "node_modules" / "citeproc"


def csl_suite_folder() -> Path:
    """The CSL test suite's fixtures: ``$CITEKIT_CSL_SUITE``, or the copy beside the checkout."""
    configured = os.environ.get("CITEKIT_CSL_SUITE")
    if configured:
        return Path(configured)
    return SHARED / "csl-test-suite" / "humans"


def seeds_folder() -> Path:
    """The seed texts beside the checkout (the blog post the Serge example quotes)."""
    return SHARED / "seeds"


def serge_page() -> str:
    """The opening of the seed blog post, rebuilt from what the repository carries.

    The post's title and byline, then the passage ``serge-heir`` of
    examples/serge/serge.yaml inside the post's quotation marks, and its
    attribution line: the seed text begins with exactly this (checked by
    tests/test_quotes.py where the seeds are present), so the tests of quote
    checking can run on it everywhere.
    """
    import citekit

    passage = citekit.load(REPO / "examples" / "serge" / "serge.yaml").excerpts["serge-heir"]
    return (
        "Victor Serge on\u00a0Stalinism\n\nVictor Serge, Mexico, 1944.\n\n"
        "Victor Serge, Mexico, 1944.\n\n"
        f"“{passage.text}” – Victor Serge, Lenin’s Heir? 1944\n"
    )


@dataclass(frozen=True)
class Oracle:
    """Something outside the repository a test needs, and how to get it."""

    name: str
    what: str
    how: str
    find: Callable[[], str | None]
    #: For a data folder: where it was looked for.
    where: Callable[[], Path] | None = None


def _program(name: str) -> Callable[[], str | None]:
    return lambda: shutil.which(name)


def _pandoc() -> str | None:
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        return shutil.which("pandoc")


def _citeproc_js() -> str | None:
    node = shutil.which("node")
    return node if node and (CITEPROC_JS / "package.json").is_file() else None


def _chromium() -> str | None:
    return next(
        (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).is_file()),
        None,
    )


def _folder(folder: Callable[[], Path], pattern: str) -> Callable[[], str | None]:
    def find() -> str | None:
        path = folder()
        return str(path) if path.is_dir() and any(path.glob(pattern)) else None

    return find


ORACLES = {
    oracle.name: oracle
    for oracle in (
        Oracle(
            "bibtex",
            "the bibtex program",
            "install TeX's binaries (Debian: apt-get install texlive-binaries; .ci/run does)",
            _program("bibtex"),
        ),
        Oracle(
            "pdflatex",
            "the pdflatex program",
            "install LaTeX (Debian: apt-get install texlive-binaries texlive-latex-base; "
            ".ci/run does)",
            _program("pdflatex"),
        ),
        Oracle(
            "pdftotext",
            "the pdftotext program",
            "install poppler's tools (Debian: apt-get install poppler-utils; .ci/run does)",
            _program("pdftotext"),
        ),
        Oracle(
            "citeproc-js",
            "node and the citeproc npm package (citeproc-js)",
            "install node and npm, then run `npm ci --prefix benchmarks/differential` "
            "(.ci/run does)",
            _citeproc_js,
        ),
        Oracle(
            "pandoc",
            "pandoc",
            "install the test dependencies: `.venv/bin/pip install -e '.[dev]'` "
            "(pypandoc-binary ships pandoc)",
            _pandoc,
        ),
        Oracle(
            "chromium",
            "the chromium browser (/usr/bin/chromium)",
            "install it (Debian: apt-get install chromium; .ci/run does)",
            _chromium,
        ),
        Oracle(
            "csl-suite",
            "the official CSL test suite's fixtures",
            "put the processor-tests/humans folder of "
            "https://github.com/citation-style-language/test-suite at "
            "../shared/csl-test-suite/humans beside the checkout, "
            "or name its folder in $CITEKIT_CSL_SUITE",
            _folder(csl_suite_folder, "*.txt"),
            csl_suite_folder,
        ),
        Oracle(
            "seeds",
            "the seed texts (the blog post examples/serge/ quotes)",
            "put them in ../shared/seeds beside the checkout",
            _folder(seeds_folder, "*.txt"),
            seeds_folder,
        ),
    )
}


def required() -> bool:
    """True when a missing oracle fails the test instead of skipping it."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


@functools.cache
def find(name: str) -> str | None:
    """Where oracle ``name`` is (a program's path, a folder), or None when it is missing."""
    return ORACLES[name].find()


def missing(*names: str) -> list[str]:
    """The one-line descriptions of the oracles among ``names`` that are missing."""
    unknown = [name for name in names if name not in ORACLES]
    if unknown:
        raise KeyError(f"unknown oracle(s) {unknown}; known: {sorted(ORACLES)}")
    return [_missing(ORACLES[name]) for name in names if find(name) is None]


def _missing(oracle: Oracle) -> str:
    where = f" (looked in {oracle.where()})" if oracle.where else ""
    return f"missing {oracle.what}{where}: {oracle.how}"


def check(*names: str) -> None:
    """Skip, or fail when oracles are required, if one of the oracles ``names`` is missing."""
    lacking = missing(*names)
    if lacking:
        message = "; ".join(lacking)
        if required():
            pytest.fail(f"{message} ({REQUIRE_ENV} is set)", pytrace=False)
        pytest.skip(message)


def require(*names: str) -> list[str]:
    """The places of the oracles ``names``; skip (or fail, when required) if one is missing."""
    check(*names)
    return [str(find(name)) for name in names]


def needs(*names: str) -> pytest.MarkDecorator:
    """The mark of a test (or module, as ``pytestmark``) that needs the oracles ``names``."""
    missing(*names)  # an unknown name is an error at collection
    return pytest.mark.oracles(*names)
