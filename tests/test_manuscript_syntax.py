"""The citation-syntax scanners of manuscripts: Pandoc Markdown and LaTeX.

Table-driven cases give, for an input, every citation expected: its source,
mode, line and column, and each cite's key, prefix, locator, label, suffix,
suppress_author, line and column. Look-alikes that are not citations
(e-mail addresses, URLs, code, comments, verbatim...) are cases with no or
fewer marks. Property tests check, for any text, that marks are where they
say they are, in order and never overlapping, and that scanning never raises
and stays linear on pathological input. When pypandoc is installed, the
Markdown cases that citekit claims to read as pandoc does are compared with
pandoc's own parse.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.errors import FormatError
from citekit.manuscript.syntax import CitationMark, CiteRef, parse, parse_latex, parse_markdown
from oracles import require

Expected = tuple[str, str, int, int, tuple[CiteRef, ...]]


def cite(
    key: str,
    line: int,
    column: int,
    *,
    prefix: str = "",
    suffix: str = "",
    locator: str | None = None,
    label: str | None = None,
    page: str | None = None,
    suppress: bool = False,
) -> CiteRef:
    """An expected cite; ``page="33"`` is short for ``locator="33", label="page"``."""
    if page is not None:
        locator, label = page, "page"
    return CiteRef(
        key=key,
        prefix=prefix,
        suffix=suffix,
        locator=locator,
        label=label,
        suppress_author=suppress,
        line=line,
        column=column,
    )


def mark(source: str, mode: str, line: int, column: int, *cites: CiteRef) -> Expected:
    return (source, mode, line, column, cites)


def actual(marks: list[CitationMark], text: str) -> list[Expected]:
    for m in marks:
        assert text[m.start : m.end] == m.source
    return [(m.source, m.mode, m.line, m.column, m.cites) for m in marks]


MARKDOWN_CASES = [
    # --- bracketed citations ---------------------------------------------------
    pytest.param("[@key]", [mark("[@key]", "normal", 1, 1, cite("key", 1, 2))], id="md-plain"),
    pytest.param(
        "See [@key, p. 33].",
        [mark("[@key, p. 33]", "normal", 1, 5, cite("key", 1, 6, page="33"))],
        id="md-page",
    ),
    pytest.param(
        "[see @a, pp. 1-3; @b]",
        [
            mark(
                "[see @a, pp. 1-3; @b]",
                "normal",
                1,
                1,
                cite("a", 1, 6, prefix="see", page="1-3"),
                cite("b", 1, 19),
            )
        ],
        id="md-two-cites",
    ),
    pytest.param(
        "[@a; @b; @c]",
        [mark("[@a; @b; @c]", "normal", 1, 1, cite("a", 1, 2), cite("b", 1, 6), cite("c", 1, 10))],
        id="md-three-cites",
    ),
    pytest.param(
        "[@a, p. 3; also @b, chap. 4]",
        [
            mark(
                "[@a, p. 3; also @b, chap. 4]",
                "normal",
                1,
                1,
                cite("a", 1, 2, page="3"),
                cite("b", 1, 17, prefix="also", locator="4", label="chapter"),
            )
        ],
        id="md-prefix-second",
    ),
    pytest.param(
        "[-@key]",
        [mark("[-@key]", "normal", 1, 1, cite("key", 1, 3, suppress=True))],
        id="md-suppress",
    ),
    pytest.param(
        "[see -@a, p. 3]",
        [
            mark(
                "[see -@a, p. 3]",
                "normal",
                1,
                1,
                cite("a", 1, 7, prefix="see", suppress=True, page="3"),
            )
        ],
        id="md-suppress-prefix",
    ),
    pytest.param(
        "[see-@a]",
        [mark("[see-@a]", "normal", 1, 1, cite("a", 1, 6, prefix="see-"))],
        id="md-dash-after-word",
    ),
    pytest.param(
        "[*see* @a, p. 3, emphasis added]",
        [
            mark(
                "[*see* @a, p. 3, emphasis added]",
                "normal",
                1,
                1,
                cite("a", 1, 8, prefix="*see*", suffix="emphasis added", page="3"),
            )
        ],
        id="md-markdown-prefix",
    ),
    pytest.param(
        "[see [x] @a]",
        [mark("[see [x] @a]", "normal", 1, 1, cite("a", 1, 10, prefix="see [x]"))],
        id="md-nested-brackets",
    ),
    pytest.param(
        "[see `x;y` @a]",
        [mark("[see `x;y` @a]", "normal", 1, 1, cite("a", 1, 12, prefix="see `x;y`"))],
        id="md-code-in-prefix",
    ),
    pytest.param(
        "[ @a ]", [mark("[ @a ]", "normal", 1, 1, cite("a", 1, 3))], id="md-spaces-in-bracket"
    ),
    pytest.param(
        "[@a, see @b]",
        [mark("[@a, see @b]", "normal", 1, 1, cite("a", 1, 2, suffix="see @b"))],
        id="md-cite-in-suffix-is-text",
    ),
    pytest.param(
        "![@a] is fine",
        [mark("[@a]", "normal", 1, 2, cite("a", 1, 3))],
        id="md-after-bang",
    ),
    # --- locators and suffixes -----------------------------------------------------
    pytest.param(
        "[@a, and passim]",
        [mark("[@a, and passim]", "normal", 1, 1, cite("a", 1, 2, suffix="and passim"))],
        id="md-suffix-only",
    ),
    pytest.param(
        "[@a, 33, and passim]",
        [
            mark(
                "[@a, 33, and passim]",
                "normal",
                1,
                1,
                cite("a", 1, 2, suffix="and passim", page="33"),
            )
        ],
        id="md-bare-number-is-page",
    ),
    pytest.param(
        "[@a 33]",
        [mark("[@a 33]", "normal", 1, 1, cite("a", 1, 2, page="33"))],
        id="md-no-comma",
    ),
    pytest.param(
        "[@a,3]", [mark("[@a,3]", "normal", 1, 1, cite("a", 1, 2, page="3"))], id="md-tight"
    ),
    pytest.param(
        "[@a, p.3]",
        [mark("[@a, p.3]", "normal", 1, 1, cite("a", 1, 2, page="3"))],
        id="md-p-dot-3",
    ),
    pytest.param(
        "[@a, P. 3]",
        [mark("[@a, P. 3]", "normal", 1, 1, cite("a", 1, 2, page="3"))],
        id="md-case",
    ),
    pytest.param(
        "[@a, {pp. iv, vi-xi}]",
        [mark("[@a, {pp. iv, vi-xi}]", "normal", 1, 1, cite("a", 1, 2, page="iv, vi-xi"))],
        id="md-braced-locator",
    ),
    pytest.param(
        "[@a, {chap. iv}, sic]",
        [
            mark(
                "[@a, {chap. iv}, sic]",
                "normal",
                1,
                1,
                cite("a", 1, 2, locator="iv", label="chapter", suffix="sic"),
            )
        ],
        id="md-braced-locator-label",
    ),
    pytest.param(
        "[@a, pp. 33, 35-37, and nowhere else]",
        [
            mark(
                "[@a, pp. 33, 35-37, and nowhere else]",
                "normal",
                1,
                1,
                cite("a", 1, 2, suffix="and nowhere else", page="33, 35-37"),
            )
        ],
        id="md-locator-list",
    ),
    pytest.param(
        "[@a, p. 3 and passim]",
        [
            mark(
                "[@a, p. 3 and passim]",
                "normal",
                1,
                1,
                cite("a", 1, 2, suffix="and passim", page="3"),
            )
        ],
        id="md-locator-then-words",
    ),
    pytest.param(
        "[@a, iv]",
        [mark("[@a, iv]", "normal", 1, 1, cite("a", 1, 2, suffix="iv"))],
        id="md-roman-needs-label",
    ),
    pytest.param(
        "[@a, p. iv]",
        [mark("[@a, p. iv]", "normal", 1, 1, cite("a", 1, 2, page="iv"))],
        id="md-roman",
    ),
    pytest.param(
        "[@a, p. foo]",
        [mark("[@a, p. foo]", "normal", 1, 1, cite("a", 1, 2, suffix="p. foo"))],
        id="md-label-without-value",
    ),
    pytest.param(
        "[@a, 34(1)]",
        [mark("[@a, 34(1)]", "normal", 1, 1, cite("a", 1, 2, page="34(1)"))],
        id="md-paren-page",
    ),
    pytest.param(
        "[@a, p. 3. Also elsewhere]",
        [
            mark(
                "[@a, p. 3. Also elsewhere]",
                "normal",
                1,
                1,
                cite("a", 1, 2, suffix=". Also elsewhere", page="3"),
            )
        ],
        id="md-period-after-locator",
    ),
    *[
        pytest.param(
            f"[@a, {term} 2]",
            [mark(f"[@a, {term} 2]", "normal", 1, 1, cite("a", 1, 2, locator="2", label=label))],
            id=f"md-term-{term}",
        )
        for term, label in [
            ("chap.", "chapter"),
            ("chapter", "chapter"),
            ("sec.", "section"),
            ("§", "section"),
            ("sections", "section"),
            ("para.", "paragraph"),
            ("¶", "paragraph"),
            ("fig.", "figure"),
            ("figure", "figure"),
            ("vol.", "volume"),
            ("vols.", "volume"),
            ("n.", "note"),
            ("nn.", "note"),
            ("notes", "note"),
            ("l.", "line"),
            ("ll.", "line"),
            ("lines", "line"),
            ("v.", "verse"),
            ("vv.", "verse"),
            ("col.", "column"),
            ("column", "column"),
            ("bk.", "book"),
            ("book", "book"),
            ("pt.", "part"),
            ("part", "part"),
            ("no.", "issue"),
            ("number", "issue"),
            ("op.", "opus"),
            ("opus", "opus"),
            ("art.", "article-locator"),
            ("article", "article-locator"),
            ("pages", "page"),
        ]
    ],
    pytest.param(
        "[@a, s.v. vox populi]",
        [
            mark(
                "[@a, s.v. vox populi]",
                "normal",
                1,
                1,
                cite("a", 1, 2, locator="vox populi", label="sub-verbo"),
            )
        ],
        id="md-sub-verbo",
    ),
    pytest.param(
        "[@a, sub verbo liberty, cited]",
        [
            mark(
                "[@a, sub verbo liberty, cited]",
                "normal",
                1,
                1,
                cite("a", 1, 2, locator="liberty", label="sub-verbo", suffix="cited"),
            )
        ],
        id="md-sub-verbo-long",
    ),
    # --- in-text citations -----------------------------------------------------------
    pytest.param("@key says", [mark("@key", "in-text", 1, 1, cite("key", 1, 1))], id="md-in-text"),
    pytest.param(
        "@key [p. 4] says",
        [mark("@key [p. 4]", "in-text", 1, 1, cite("key", 1, 1, page="4"))],
        id="md-in-text-locator",
    ),
    pytest.param(
        "As @a\n[p. 4] shows",
        [mark("@a\n[p. 4]", "in-text", 1, 4, cite("a", 1, 4, page="4"))],
        id="md-in-text-bracket-next-line",
    ),
    pytest.param(
        "@a [and passim]",
        [mark("@a [and passim]", "in-text", 1, 1, cite("a", 1, 1, suffix="and passim"))],
        id="md-in-text-suffix",
    ),
    pytest.param(
        "@a [p. 4; @b]",
        [mark("@a [p. 4; @b]", "in-text", 1, 1, cite("a", 1, 1, page="4"), cite("b", 1, 11))],
        id="md-in-text-more-cites",
    ),
    pytest.param(
        "@a [see @b]",
        [mark("@a [see @b]", "in-text", 1, 1, cite("a", 1, 1), cite("b", 1, 9, prefix="see"))],
        id="md-in-text-bracket-cites",
    ),
    pytest.param(
        "x -@a y",
        [mark("-@a", "normal", 1, 3, cite("a", 1, 4, suppress=True))],
        id="md-dash-in-text",
    ),
    pytest.param("x-@a", [mark("@a", "in-text", 1, 3, cite("a", 1, 3))], id="md-dash-after-letter"),
    pytest.param(
        "As @serge1944. argued",
        [mark("@serge1944", "in-text", 1, 4, cite("serge1944", 1, 4))],
        id="md-trailing-period",
    ),
    pytest.param(
        "Per @a:b.c-d+e?f<g>h~i/j here",
        [mark("@a:b.c-d+e?f<g>h~i/j", "in-text", 1, 5, cite("a:b.c-d+e?f<g>h~i/j", 1, 5))],
        id="md-key-punctuation",
    ),
    pytest.param(
        "x @a..b", [mark("@a", "in-text", 1, 3, cite("a", 1, 3))], id="md-double-punctuation"
    ),
    pytest.param(
        "x @{braced key} y",
        [mark("@{braced key}", "in-text", 1, 3, cite("braced key", 1, 3))],
        id="md-braced-key",
    ),
    pytest.param(
        "[@{https://x.org/a?b=c&d}, p. 2]",
        [
            mark(
                "[@{https://x.org/a?b=c&d}, p. 2]",
                "normal",
                1,
                1,
                cite("https://x.org/a?b=c&d", 1, 2, page="2"),
            )
        ],
        id="md-braced-url-key",
    ),
    pytest.param(
        "x @_key and @1key",
        [
            mark("@_key", "in-text", 1, 3, cite("_key", 1, 3)),
            mark("@1key", "in-text", 1, 13, cite("1key", 1, 13)),
        ],
        id="md-key-starts",
    ),
    pytest.param(
        "Ωμέγα @müller2000's",
        [mark("@müller2000", "in-text", 1, 7, cite("müller2000", 1, 7))],
        id="md-unicode-columns",
    ),
    pytest.param("x\t[@a]", [mark("[@a]", "normal", 1, 3, cite("a", 1, 4))], id="md-tab-column"),
    pytest.param(
        "First line\r\nThen [@a, p. 3] and\r\n@b.",
        [
            mark("[@a, p. 3]", "normal", 2, 6, cite("a", 2, 7, page="3")),
            mark("@b", "in-text", 3, 1, cite("b", 3, 1)),
        ],
        id="md-crlf",
    ),
    pytest.param(
        "See [@a,\np. 3].",
        [mark("[@a,\np. 3]", "normal", 1, 5, cite("a", 1, 6, page="3"))],
        id="md-multi-line-bracket",
    ),
    pytest.param(
        "> [see @a,\n> p. 3 and passim]",
        [
            mark(
                "[see @a,\n> p. 3 and passim]",
                "normal",
                1,
                3,
                cite("a", 1, 8, prefix="see", suffix="and passim", page="3"),
            )
        ],
        id="md-block-quote",
    ),
    # --- what pandoc does with malformed or competing syntax -------------------------------
    pytest.param(
        "[@key", [mark("@key", "in-text", 1, 2, cite("key", 1, 2))], id="md-unclosed-bracket"
    ),
    pytest.param(
        "[see; @a]", [mark("@a", "in-text", 1, 7, cite("a", 1, 7))], id="md-part-without-key"
    ),
    pytest.param("[@a;]", [mark("@a", "in-text", 1, 2, cite("a", 1, 2))], id="md-empty-part"),
    pytest.param("[@a](url)", [mark("@a", "in-text", 1, 2, cite("a", 1, 2))], id="md-link-text"),
    pytest.param(
        "[@a][ref]", [mark("@a", "in-text", 1, 2, cite("a", 1, 2))], id="md-reference-link"
    ),
    pytest.param("[@a]{.x}", [mark("@a", "in-text", 1, 2, cite("a", 1, 2))], id="md-span"),
    pytest.param(
        "x @a [p. 4](url)",
        [mark("@a", "in-text", 1, 3, cite("a", 1, 3))],
        id="md-in-text-then-link",
    ),
    pytest.param(
        "^[see @a, p. 3]", [mark("@a", "in-text", 1, 7, cite("a", 1, 7))], id="md-inline-note"
    ),
    pytest.param("\\[@a]", [mark("@a", "in-text", 1, 3, cite("a", 1, 3))], id="md-escaped-bracket"),
    pytest.param(
        "`unclosed @a", [mark("@a", "in-text", 1, 11, cite("a", 1, 11))], id="md-unclosed-code"
    ),
    pytest.param(
        "<!-- unclosed @a",
        [mark("@a", "in-text", 1, 15, cite("a", 1, 15))],
        id="md-unclosed-comment",
    ),
    pytest.param("```\n@a", [mark("@a", "in-text", 2, 1, cite("a", 2, 1))], id="md-unclosed-fence"),
    pytest.param(
        "$5 and @a $10", [mark("@a", "in-text", 1, 8, cite("a", 1, 8))], id="md-dollars-not-math"
    ),
    pytest.param(
        "- item\n\n    @b continued",
        [mark("@b", "in-text", 3, 5, cite("b", 3, 5))],
        id="md-list-continuation-not-code",
    ),
    pytest.param(
        "para\n    @a lazy",
        [mark("@a", "in-text", 2, 5, cite("a", 2, 5))],
        id="md-lazy-line-not-code",
    ),
    pytest.param(
        "(@good) An example.\n\nAs (@good) shows, @other.",
        [mark("@other", "in-text", 3, 19, cite("other", 3, 19))],
        id="md-example-list",
    ),
    pytest.param(
        '<span title="@a">@b</span>',
        [mark("@b", "in-text", 1, 18, cite("b", 1, 18))],
        id="md-html-attribute",
    ),
    pytest.param(
        "---\ntitle: On @x\nnocite: |\n  @b, @c\n...\n\nText [@a].",
        [
            mark("@b, @c", "nocite", 4, 3, cite("b", 4, 3), cite("c", 4, 7)),
            mark("[@a]", "normal", 7, 6, cite("a", 7, 7)),
        ],
        id="md-yaml-nocite",
    ),
    pytest.param(
        "---\nnocite: '@*'\n---\n",
        [mark("@*", "nocite", 2, 10, cite("*", 2, 10))],
        id="md-yaml-nocite-all",
    ),
    # --- look-alikes: not citations ----------------------------------------------------------
    *[
        pytest.param(text, [], id=f"md-not-{name}")
        for name, text in [
            ("empty-key", "[@]"),
            ("email", "name@host.org"),
            ("email-dotted", "Mail jane.doe@example.com today"),
            ("after-period", "x .@a y"),
            ("after-digit", "x 1@a y"),
            ("bare-url", "https://example.org/@user"),
            ("url-in-parens", "(see https://example.org/@user)"),
            ("autolink", "<https://x.org/@a>"),
            ("mailto", "<mailto:a@b.org>"),
            ("email-autolink", "<_x@b.org>"),
            ("code-span", "`@a`"),
            ("code-span-brackets", "x `[@a]` y"),
            ("double-backticks", "``a ` @b``"),
            ("fenced", "```\n[@a]\n```"),
            ("fenced-tilde-info", "~~~ {.md}\n@a\n~~~"),
            ("fenced-longer", "````\n```\n@a\n````"),
            ("fenced-indented", "   ~~~\n   @a\n   ~~~"),
            ("indented-code", "para\n\n    @a code"),
            ("indented-after-heading", "# Heading\n\n    @a code"),
            ("code-in-list", "- item\n\n        @c code"),
            ("html-comment", "<!-- [@a] -->"),
            ("html-comment-paragraphs", "<!--\n@a\n\n@b\n-->"),
            ("pre-block", "<pre>\n@a\n</pre>"),
            ("escaped-at", "\\@a"),
            ("math", "$@a$"),
            ("display-math", "$$[@a]$$"),
            ("braced-empty", "@{}"),
            ("braced-nested", "x @{a{b}c} y"),
            ("star", "x @* y"),
        ]
    ],
]

LATEX_CASES = [
    pytest.param("\\cite{a}", [mark("\\cite{a}", "normal", 1, 1, cite("a", 1, 7))], id="tex-cite"),
    pytest.param(
        "\\cite[p.~33]{a}",
        [mark("\\cite[p.~33]{a}", "normal", 1, 1, cite("a", 1, 14, page="33"))],
        id="tex-postnote-page",
    ),
    pytest.param(
        "\\parencite[33]{a}",
        [mark("\\parencite[33]{a}", "normal", 1, 1, cite("a", 1, 16, page="33"))],
        id="tex-bare-number",
    ),
    pytest.param(
        "\\citep[see][chap.~2]{a, b}",
        [
            mark(
                "\\citep[see][chap.~2]{a, b}",
                "normal",
                1,
                1,
                cite("a", 1, 22, prefix="see"),
                cite("b", 1, 25, locator="2", label="chapter"),
            )
        ],
        id="tex-prenote-postnote",
    ),
    pytest.param(
        "\\parencite[and passim]{a}",
        [mark("\\parencite[and passim]{a}", "normal", 1, 1, cite("a", 1, 24, suffix="and passim"))],
        id="tex-postnote-text",
    ),
    pytest.param(
        "\\autocite[p. 3, emphasis added]{a}",
        [
            mark(
                "\\autocite[p. 3, emphasis added]{a}",
                "normal",
                1,
                1,
                cite("a", 1, 33, suffix="emphasis added", page="3"),
            )
        ],
        id="tex-postnote-locator-and-text",
    ),
    pytest.param(
        "\\cite[pp.~33--35, 40]{a}",
        [mark("\\cite[pp.~33--35, 40]{a}", "normal", 1, 1, cite("a", 1, 23, page="33--35, 40"))],
        id="tex-page-list",
    ),
    pytest.param(
        "\\cite[vol.~2, p.~3]{a}",
        [
            mark(
                "\\cite[vol.~2, p.~3]{a}",
                "normal",
                1,
                1,
                cite("a", 1, 21, locator="2", label="volume", suffix="p.~3"),
            )
        ],
        id="tex-volume",
    ),
    pytest.param(
        "\\footcite[see][]{a}",
        [mark("\\footcite[see][]{a}", "note", 1, 1, cite("a", 1, 18, prefix="see"))],
        id="tex-footcite",
    ),
    pytest.param(
        "\\footcitetext{a}",
        [mark("\\footcitetext{a}", "note", 1, 1, cite("a", 1, 15))],
        id="tex-footcitetext",
    ),
    pytest.param(
        "\\citet{a} says", [mark("\\citet{a}", "in-text", 1, 1, cite("a", 1, 8))], id="tex-citet"
    ),
    pytest.param(
        "\\textcite[33]{a}",
        [mark("\\textcite[33]{a}", "in-text", 1, 1, cite("a", 1, 15, page="33"))],
        id="tex-textcite",
    ),
    pytest.param(
        "\\citealt{a}", [mark("\\citealt{a}", "in-text", 1, 1, cite("a", 1, 10))], id="tex-citealt"
    ),
    pytest.param(
        "\\citealp{a}", [mark("\\citealp{a}", "normal", 1, 1, cite("a", 1, 10))], id="tex-citealp"
    ),
    pytest.param(
        "\\citeauthor{a}",
        [mark("\\citeauthor{a}", "author", 1, 1, cite("a", 1, 13))],
        id="tex-citeauthor",
    ),
    pytest.param(
        "\\citeyear{a}",
        [mark("\\citeyear{a}", "year", 1, 1, cite("a", 1, 11, suppress=True))],
        id="tex-citeyear",
    ),
    pytest.param(
        "\\citeyearpar{a}",
        [mark("\\citeyearpar{a}", "normal", 1, 1, cite("a", 1, 14, suppress=True))],
        id="tex-citeyearpar",
    ),
    pytest.param(
        "\\nocite{*}", [mark("\\nocite{*}", "nocite", 1, 1, cite("*", 1, 9))], id="tex-nocite-all"
    ),
    pytest.param(
        "\\nocite{a,b}",
        [mark("\\nocite{a,b}", "nocite", 1, 1, cite("a", 1, 9), cite("b", 1, 11))],
        id="tex-nocite",
    ),
    pytest.param(
        "\\cite*{a}",
        [mark("\\cite*{a}", "normal", 1, 1, cite("a", 1, 8, suppress=True))],
        id="tex-cite-star",
    ),
    pytest.param(
        "\\parencite*[p. 2]{a}",
        [
            mark(
                "\\parencite*[p. 2]{a}",
                "normal",
                1,
                1,
                cite("a", 1, 19, suppress=True, page="2"),
            )
        ],
        id="tex-parencite-star",
    ),
    pytest.param(
        "\\citep*{a}",
        [mark("\\citep*{a}", "normal", 1, 1, cite("a", 1, 9))],
        id="tex-citep-star-full-authors",
    ),
    pytest.param(
        "\\Textcite{a} \\Parencite{b} \\Autocite{c}",
        [
            mark("\\Textcite{a}", "in-text", 1, 1, cite("a", 1, 11)),
            mark("\\Parencite{b}", "normal", 1, 14, cite("b", 1, 25)),
            mark("\\Autocite{c}", "normal", 1, 28, cite("c", 1, 38)),
        ],
        id="tex-capitalised",
    ),
    pytest.param(
        "\\cite{a}\\cite{b}",
        [
            mark("\\cite{a}", "normal", 1, 1, cite("a", 1, 7)),
            mark("\\cite{b}", "normal", 1, 9, cite("b", 1, 15)),
        ],
        id="tex-adjacent",
    ),
    pytest.param(
        "\\cite{a,% first\n  b}",
        [mark("\\cite{a,% first\n  b}", "normal", 1, 1, cite("a", 1, 7), cite("b", 2, 3))],
        id="tex-comment-in-keys",
    ),
    pytest.param(
        "\\cite\n  [p. 3]\n  {a}",
        [mark("\\cite\n  [p. 3]\n  {a}", "normal", 1, 1, cite("a", 3, 4, page="3"))],
        id="tex-arguments-on-lines",
    ),
    pytest.param(
        "\\cites(see)(for more)[p. 1]{a}[2]{b}",
        [
            mark(
                "\\cites(see)(for more)[p. 1]{a}[2]{b}",
                "normal",
                1,
                1,
                cite("a", 1, 29, prefix="see", page="1"),
                cite("b", 1, 35, suffix="for more", page="2"),
            )
        ],
        id="tex-multicite",
    ),
    pytest.param(
        "\\textcites{a}{b}",
        [mark("\\textcites{a}{b}", "in-text", 1, 1, cite("a", 1, 12), cite("b", 1, 15))],
        id="tex-textcites",
    ),
    pytest.param(
        "Text\r\n\\cite{a} and \\citet{b}",
        [
            mark("\\cite{a}", "normal", 2, 1, cite("a", 2, 7)),
            mark("\\citet{b}", "in-text", 2, 14, cite("b", 2, 21)),
        ],
        id="tex-crlf",
    ),
    pytest.param(
        "50\\% sure \\cite{b}",
        [mark("\\cite{b}", "normal", 1, 11, cite("b", 1, 17))],
        id="tex-escaped-percent",
    ),
    pytest.param(
        "Ωμέγα \\cite{b}",
        [mark("\\cite{b}", "normal", 1, 7, cite("b", 1, 13))],
        id="tex-unicode-columns",
    ),
    pytest.param(
        "\\begin{verbatim}\n\\cite{a}\n\\end{verbatim}\n\\cite{b}",
        [mark("\\cite{b}", "normal", 4, 1, cite("b", 4, 7))],
        id="tex-after-verbatim",
    ),
    *[
        pytest.param(text, [], id=f"tex-not-{name}")
        for name, text in [
            ("comment", "% \\cite{a}"),
            ("comment-after-linebreak", "\\\\% \\cite{a}"),
            ("verbatim", "\\begin{verbatim}\n\\cite{a}\n\\end{verbatim}"),
            ("verbatim-star", "\\begin{verbatim*}\\cite{a}\\end{verbatim*}"),
            ("lstlisting", "\\begin{lstlisting}\n\\cite{a}\n\\end{lstlisting}"),
            ("minted", "\\begin{minted}{latex}\n\\cite{a}\n\\end{minted}"),
            ("comment-env", "\\begin{comment}\n\\cite{a}\n\\end{comment}"),
            ("verb", "\\verb|\\cite{a}|"),
            ("verb-star", "\\verb*+\\cite{a}+"),
            ("lstinline", "\\lstinline|\\cite{a}|"),
            ("mintinline", "\\mintinline{tex}{\\cite{a}}"),
            ("no-argument", "\\cite and more"),
            ("empty-keys", "\\cite{}"),
            ("only-note", "\\cite[p. 3] text"),
            ("unclosed-bracket", "\\cite[unclosed{a}"),
            ("unclosed-brace", "\\cite{a"),
            ("blank-line", "\\cite\n\n{a}"),
            ("longer-name", "\\citex{a} \\mycite{a}"),
            ("control-symbol", "\\@cite{a}"),
            ("markdown", "[@a] and @b"),
        ]
    ],
]


@pytest.mark.parametrize(("text", "expected"), MARKDOWN_CASES)
def test_markdown(text: str, expected: list[Expected]) -> None:
    assert actual(parse_markdown(text), text) == expected


@pytest.mark.parametrize(("text", "expected"), LATEX_CASES)
def test_latex(text: str, expected: list[Expected]) -> None:
    assert actual(parse_latex(text), text) == expected


def test_parse_dispatches_on_syntax() -> None:
    assert parse("[@a] \\cite{b}", "markdown")[0].cites[0].key == "a"
    assert parse("[@a] \\cite{b}", "latex")[0].cites[0].key == "b"
    with pytest.raises(FormatError, match="unknown citation syntax 'rst'"):
        parse("x", "rst")


def test_latex_in_markdown_is_not_read_and_markdown_in_latex_neither() -> None:
    assert parse_markdown("\\cite{a}") == []
    assert parse_latex("[@a] @b") == []


def test_bom_before_yaml() -> None:
    marks = parse_markdown("\ufeff---\nnocite: '@a'\n---\n")
    assert [(m.mode, m.cites[0].key) for m in marks] == [("nocite", "a")]


# ---------------------------------------------------------------------------
# Properties.

MARKUP = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[",
                "]",
                "@",
                "@a",
                "@key2",
                "-@b",
                "@{k e}",
                ";",
                ",",
                " ",
                "\n",
                "\r\n",
                "\r",
                "\n\n",
                "    ",
                "\t",
                "`",
                "```",
                "```\n",
                "~~~\n",
                "<!--",
                "-->",
                "<",
                ">",
                "> ",
                "<span a='x'>",
                "\\",
                "$",
                "{",
                "}",
                "(",
                ")",
                "p. 3",
                "pp. iv",
                "see ",
                "https://",
                "x.org/",
                "a@b.org",
                "(@ex) ",
                "- ",
                "---\n",
                "nocite: ",
                "...\n",
                "^",
                "%",
                "~",
                "\\cite",
                "\\citep",
                "\\cites",
                "\\textcite*",
                "\\verb|",
                "\\begin{verbatim}",
                "\\end{verbatim}",
                "[p.~3]",
                "é",
                "Ω",
                "x",
                "1",
            ]
        ),
        st.text(max_size=3),
    ),
    max_size=60,
).map("".join)

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset; CRLF, LF and CR each end a line."""
    line, line_start = 1, 0
    k = 0
    while k < offset:
        c = text[k]
        if c == "\r" and k + 1 < len(text) and text[k + 1] == "\n":
            k += 1
        if c in "\r\n":
            line += 1
            line_start = k + 1
        k += 1
    return line, offset - line_start + 1


def _offset(text: str, line: int, column: int) -> int:
    starts = [0]
    k = 0
    while k < len(text):
        if text[k] == "\r" and k + 1 < len(text) and text[k + 1] == "\n":
            k += 1
        if text[k] in "\r\n":
            starts.append(k + 1)
        k += 1
    return starts[line - 1] + column - 1


def _check_marks(text: str, syntax: str) -> None:
    marks = parse(text, syntax)
    previous_end = 0
    for m in marks:
        assert 0 <= m.start < m.end <= len(text)
        assert m.source == text[m.start : m.end]
        assert m.start >= previous_end, "marks overlap or are out of order"
        previous_end = m.end
        assert (m.line, m.column) == _line_column(text, m.start)
        assert m.mode in {"normal", "in-text", "note", "author", "year", "nocite"}
        assert m.cites
        for c in m.cites:
            assert c.key
            at = _offset(text, c.line, c.column)
            assert m.start <= at < m.end
            if syntax == "markdown":
                assert text[at] == "@"
            else:
                assert text[at] == c.key[0]
            assert (c.locator is None) == (c.label is None)


@PROPERTIES
@given(MARKUP)
def test_any_markup_gives_consistent_marks(text: str) -> None:
    _check_marks(text, "markdown")
    _check_marks(text, "latex")


@PROPERTIES
@given(st.text(max_size=200))
def test_any_text_gives_consistent_marks(text: str) -> None:
    _check_marks(text, "markdown")
    _check_marks(text, "latex")


# Inputs that would take quadratic time to a naive scanner: how long they take
# is measured by benchmarks/syntax_scaling.py (time is not asserted in tests);
# here each must parse into consistent marks.


def _scaling() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "syntax_scaling.py"
    spec = importlib.util.spec_from_file_location("syntax_scaling", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PATHOLOGICAL = _scaling().PATHOLOGICAL


@pytest.mark.parametrize(("name", "make"), PATHOLOGICAL, ids=[name for name, _ in PATHOLOGICAL])
def test_pathological_input_parses_into_consistent_marks(
    name: str, make: Callable[[int], str]
) -> None:
    text = make(20_000)
    for function in (parse_markdown, parse_latex):
        marks = function(text)
        previous_end = 0
        for mark in marks:
            assert mark.source == text[mark.start : mark.end]
            assert mark.start >= previous_end
            previous_end = mark.end


def test_a_megabyte_manuscript_parses_every_citation() -> None:
    markdown, latex, block, latex_paragraph = _scaling().megabyte_manuscripts()
    for function, text, count, unit in (
        (parse_markdown, markdown, 9, block),
        (parse_latex, latex, 6, latex_paragraph),
    ):
        marks = function(text)
        assert len(marks) / (len(text) // len(unit)) >= count - 1


# ---------------------------------------------------------------------------
# The same parse as pandoc, where citekit claims it (needs pypandoc-binary).

AGREED_WITH_PANDOC = [
    "[@key]",
    "[@key, p. 33]",
    "[see @a, pp. 1-3; @b]",
    "[-@key]",
    "@key says",
    "@key [p. 4] says",
    "@a [p. 4; @b] y",
    "@a [see @b] y",
    "x -@a y",
    "x x-@a y",
    "x [see-@a] y",
    "x @serge1944. y",
    "x @a:b.c-d+e?f<g>h~i/j y",
    "x @a..b y",
    "x @_key y @1key",
    "x @müller2000 y",
    "name@host.org",
    "x .@a y",
    "\\@a",
    "`@a`",
    "``a ` @b``",
    "<!-- @a -->",
    "<!--\n@a\n\n@b\n-->",
    "<http://x.org/@a>",
    "[*see* @a, p. 3]",
    "[@]",
    "[@key",
    "[see; @a]",
    "[@a; junk]",
    "[@a](url)",
    "[@a][b]",
    "[@a]{.x}",
    "^[see @a, p. 3]",
    "x `unclosed @a y",
    "```\n@a",
    "```\n@a\n```",
    "````\n```\n@a\n````\n@b",
    "para\n\n    @a code\n\n- item\n\n    @b para in list\n\n        @c code in list",
    "# Heading\n\n    @a code after heading",
    "x $@a$ y",
    "x $5 and @a $10",
    "<pre>\n@a\n</pre>",
    '<span title="@a">@b</span>',
    "(@good) An example.\n\nAs (@good) shows, @good too, and @other.",
    "x [see [x] @a] y",
    "x [see `x;y` @b] y",
    "> quoted [see @a,\n> p. 3]",
    "x @a\n[p. 4] y",
]


def _pandoc_cites(pandoc: str, text: str) -> list[list[tuple[str, str]]]:
    result = subprocess.run(
        [pandoc, "-f", "markdown", "-t", "json"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[list[tuple[str, str]]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                found.append([(c["citationId"], c["citationMode"]["t"]) for c in node["c"][0]])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(result.stdout)["blocks"])
    return found


def _as_pandoc(marks: list[CitationMark]) -> list[list[tuple[str, str]]]:
    clusters = []
    for m in marks:
        modes = []
        for index, c in enumerate(m.cites):
            if c.suppress_author:
                modes.append((c.key, "SuppressAuthor"))
            elif m.mode == "in-text" and index == 0:
                modes.append((c.key, "AuthorInText"))
            else:
                modes.append((c.key, "NormalCitation"))
        clusters.append(modes)
    return clusters


@pytest.fixture(scope="module")
def pandoc() -> str:
    [path] = require("pandoc")
    return path


@pytest.mark.parametrize("text", AGREED_WITH_PANDOC)
def test_same_citations_as_pandoc(pandoc: str, text: str) -> None:
    assert _as_pandoc(parse_markdown(text)) == _pandoc_cites(pandoc, text)
