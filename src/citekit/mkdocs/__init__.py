"""An MkDocs plug-in: pandoc citations in pages, references in any CSL style.

In ``mkdocs.yml``::

    plugins:
      - citekit:
          bibliography: docs/references.bib   # or a list; .bib, CSL-JSON, CSL-YAML
          style: apa                          # any CSL style name or a .csl path
          locale: en-GB                       # optional: the style's own by default
          bibliography_title: References      # optional heading of each page's list
          link_citations: true                # citations link to their entries

Pages cite with pandoc's syntax (``[@key]``, ``@key``, ``[-@key]``,
``[see @key, p. 4]``), read by citekit's manuscript renderer
(:mod:`citekit.manuscript`). Each page gets the references it cites at a
``::: {#refs}`` div or a ``<!-- bibliography -->`` line, else at its end.
An unknown key is an MkDocs warning naming the page and the key, so
``mkdocs build --strict`` fails. Rendering goes through the manuscript
cache (``.citekit-cache/`` beside ``mkdocs.yml``), so a page rebuilt by
``mkdocs serve`` re-renders only what changed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

    from citekit.manuscript import Cache, RenderResult
    from citekit.model.library import Library

__all__ = ["CitekitPlugin", "CitekitPluginConfig"]

log = logging.getLogger("mkdocs.plugins.citekit")


class CitekitPluginConfig(Config):  # type: ignore[no-untyped-call]
    """The options of the ``citekit`` plug-in in ``mkdocs.yml``."""

    bibliography = config_options.Type((str, list), default=[])
    """Bibliography files (one path or a list), relative to ``mkdocs.yml``."""
    style = config_options.Type(str, default="chicago-author-date")
    """A CSL style: a name or a ``.csl`` file relative to ``mkdocs.yml``."""
    locale = config_options.Optional(config_options.Type(str))
    """A locale such as ``en-GB``; by default the style's own."""
    bibliography_title = config_options.Optional(config_options.Type(str))
    """A heading before each page's references (none by default)."""
    link_citations = config_options.Type(bool, default=True)
    """Whether citations link to their entries."""


class CitekitPlugin(BasePlugin[CitekitPluginConfig]):  # type: ignore[no-untyped-call]
    """Render each page's pandoc citations and references with citekit."""

    def __init__(self) -> None:
        self.library: Library | None = None
        self.cache: Cache | None = None
        self.style: str = ""
        self.results: dict[str, RenderResult] = {}
        """The last rendering of each page, by its path in ``docs_dir``."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Read the bibliography files and resolve the style; turn on footnotes
        (a note style's citations are footnotes)."""
        from citekit.manuscript import Cache, default_cache_dir

        base = Path(config.config_file_path).resolve().parent
        files = self.config.bibliography
        if isinstance(files, str):
            files = [files]
        if not all(isinstance(f, str) for f in files):
            raise PluginError("citekit: 'bibliography' is a path or a list of paths")
        if not files:
            raise PluginError("citekit: the 'bibliography' option names no file")
        self.library = self._load([base / f for f in files])
        style = self.config.style
        if style.endswith(".csl") and (base / style).is_file():
            style = str(base / style)
        self.style = style
        self._check_style()
        self.cache = Cache(default_cache_dir(base / "mkdocs.yml"))
        if "footnotes" not in config.markdown_extensions and not any(
            str(e).endswith("footnotes") for e in config.markdown_extensions
        ):
            config.markdown_extensions.append("footnotes")
        return config

    def _load(self, paths: list[Path]) -> Library:
        from citekit.errors import CitekitError
        from citekit.io import load
        from citekit.model.library import Library

        merged = Library()
        for path in paths:
            try:
                loaded = load(path)
            except CitekitError as error:
                raise PluginError(f"citekit: {error}") from None
            for problem in loaded.problems:
                log.warning("citekit: %s", problem)
            for work in loaded.values():
                if work.key in merged:
                    log.warning(
                        "citekit: %s: duplicate key %r: the first file's entry is used",
                        path,
                        work.key,
                    )
                    continue
                merged.add(work)
            for excerpt in loaded.excerpts.values():
                if excerpt.id not in merged.excerpts:
                    merged.add_excerpt(excerpt)
        return merged

    def _check_style(self) -> None:
        import citekit
        from citekit.errors import CitekitError

        options: dict[str, Any] = {"style": self.style}
        if self.config.locale:
            options["locale"] = self.config.locale
        try:
            citekit.formatter("csl", **options)
        except CitekitError as error:
            raise PluginError(f"citekit: {error}") from None

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Render the page's citations and references (a page citing nothing is left as is)."""
        from citekit.errors import CitekitError
        from citekit.manuscript import render_manuscript

        name = page.file.src_uri
        source, moved = _outdent_blocks(markdown)
        try:
            result = render_manuscript(
                source,
                self.library,
                style=self.style,
                locale=self.config.locale,
                link_citations=self.config.link_citations,
                reference_section_title=self.config.bibliography_title,
                name=name,
                cache=self.cache,
            )
        except CitekitError as error:
            raise PluginError(f"citekit: {name}: {error}") from None
        self.results[name] = result
        for problem in result.errors:
            log.warning("citekit: %s", problem)
        if not result.citations:
            return markdown
        text = _indent_back(source, result.text, moved) if moved else result.text
        title = self.config.bibliography_title
        if title:  # the references' heading is one level below the page's title
            from citekit.manuscript.render import _markdown_heading

            heading = re.escape(f"# {_markdown_heading(title)}")
            text = re.sub(rf"^{heading}$", lambda m: "#" + m.group(0), text, count=1, flags=re.M)
        return text

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Tell MkDocs' link validation about the entries' anchors (``ref-KEY``):
        they stand in inline HTML, which its own scan of raw HTML can miss."""
        result = self.results.get(page.file.src_uri)
        if result is None or not result.citations or page.present_anchor_ids is None:
            return html
        page.present_anchor_ids |= set(_ANCHOR.findall(html))
        return html


_ANCHOR = re.compile(r'<span id="(ref-[^"<>]+)"></span>')

#: The first line of an indented block of Python-Markdown's extensions whose
#: body is text, not code: admonitions (``!!! note``), collapsible details
#: (``??? note``, ``???+ note``) and content tabs (``=== "Tab"``).
_BLOCK_HEAD = re.compile(r"^( *)(?:(?:!!!|\?\?\?\+?)[ \t]+[A-Za-z]|===\+?[ \t]+\")")


def _outdent_blocks(markdown: str) -> tuple[str, dict[int, int]]:
    """The page with the bodies of admonitions, details and tabs moved four spaces
    left, blocks inside them too (pandoc's syntax would read them as code
    blocks), and for each line moved, by how many steps of four spaces."""
    lines = markdown.split("\n")
    moved: dict[int, int] = {}
    for index in range(len(lines)):
        head = _BLOCK_HEAD.match(lines[index])
        if head is None:
            continue
        body = " " * (len(head.group(1)) + 4)
        following = index + 1
        while following < len(lines) and (
            not lines[following].strip() or lines[following].startswith(body)
        ):
            if lines[following].strip():
                lines[following] = lines[following][4:]
                moved[following] = moved.get(following, 0) + 1
            following += 1
    if not moved:
        return markdown, moved
    return "\n".join(lines), moved


def _indent_back(source: str, output: str, moved: dict[int, int]) -> str:
    """The rendered page with the moved lines put back where they were: output
    lines are matched to source lines (citations change lines, they do not add
    or remove them; the references and notes come as new lines)."""
    import difflib

    before = source.split("\n")
    after = output.split("\n")
    out = list(after)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for i, j in zip(range(i1, i2), range(j1, j2), strict=False):
                if i in moved and out[j].strip():
                    out[j] = "    " * moved[i] + out[j]
    return "\n".join(out)
