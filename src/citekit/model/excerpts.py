"""Locators ("p. 33", "chap. 2") and excerpts (quoted passages of works)."""

from __future__ import annotations

import enum
import re
from typing import Any

import attrs

from citekit.model.persons import Person

__all__ = ["Excerpt", "Locator", "LocatorLabel", "QuotedIn"]


class LocatorLabel(enum.StrEnum):
    """CSL's locator types."""

    ACT = "act"
    APPENDIX = "appendix"
    ARTICLE = "article-locator"
    BOOK = "book"
    CANON = "canon"
    CHAPTER = "chapter"
    COLUMN = "column"
    ELOCATION = "elocation"
    EQUATION = "equation"
    FIGURE = "figure"
    FOLIO = "folio"
    ISSUE = "issue"
    LINE = "line"
    NOTE = "note"
    OPUS = "opus"
    PAGE = "page"
    PARAGRAPH = "paragraph"
    PART = "part"
    RULE = "rule"
    SCENE = "scene"
    SECTION = "section"
    SUB_VERBO = "sub-verbo"
    SUPPLEMENT = "supplement"
    TABLE = "table"
    TIMESTAMP = "timestamp"
    TITLE = "title-locator"
    VERSE = "verse"
    VOLUME = "volume"


#: Abbreviations and words that name a locator label (lowercase, as typed by writers).
LABEL_WORDS: dict[str, LocatorLabel] = {}
for _label, _words in {
    LocatorLabel.ACT: "act acts",
    LocatorLabel.APPENDIX: "app. apps. appendix appendices",
    LocatorLabel.ARTICLE: "art. arts. article articles",
    LocatorLabel.BOOK: "bk. bks. book books",
    LocatorLabel.CANON: "can. canon canons",
    LocatorLabel.CHAPTER: "ch. chs. chap. chaps. chapter chapters",
    LocatorLabel.COLUMN: "col. cols. column columns",
    LocatorLabel.ELOCATION: "loc. locs. location locations",
    LocatorLabel.EQUATION: "eq. eqs. equation equations",
    LocatorLabel.FIGURE: "fig. figs. figure figures",
    LocatorLabel.FOLIO: "fol. fols. f. ff. folio folios",
    LocatorLabel.ISSUE: "iss. no. nos. issue issues",
    LocatorLabel.LINE: "l. ll. line lines",
    LocatorLabel.NOTE: "n. nn. note notes",
    LocatorLabel.OPUS: "op. opp. opus opera",
    LocatorLabel.PAGE: "p. pp. pg. pgs. page pages",
    LocatorLabel.PARAGRAPH: "para. paras. ¶ ¶¶ paragraph paragraphs",
    LocatorLabel.PART: "pt. pts. part parts",
    LocatorLabel.RULE: "r. rr. rule rules",
    LocatorLabel.SCENE: "sc. scs. scene scenes",
    LocatorLabel.SECTION: "sec. secs. § §§ section sections",
    LocatorLabel.SUB_VERBO: "s.v. s.vv. sv sub-verbo",
    LocatorLabel.SUPPLEMENT: "supp. supps. supplement supplements",
    LocatorLabel.TABLE: "tbl. tbls. table tables",
    LocatorLabel.TIMESTAMP: "timestamp",
    LocatorLabel.TITLE: "tit. tits. title titles",
    LocatorLabel.VERSE: "v. vv. verse verses",
    LocatorLabel.VOLUME: "vol. vols. volume volumes",
}.items():
    for _word in _words.split():
        LABEL_WORDS[_word] = _label

_LABEL_RE = re.compile(
    r"^\s*("
    + "|".join(re.escape(w) for w in sorted(LABEL_WORDS, key=len, reverse=True))
    + r")(?=[\s\d]|$)\s*",
    re.IGNORECASE,
)


@attrs.frozen
class Locator:
    """A place in a work: a label (page, chapter, ...) and a value ("33", "1-3", "xi")."""

    value: str = attrs.field(converter=str)
    label: LocatorLabel = attrs.field(default=LocatorLabel.PAGE, converter=LocatorLabel)

    @value.validator
    def _check(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not value.strip():
            raise ValueError("a locator needs a value")

    @classmethod
    def parse(cls, text: str) -> Locator:
        """Read a locator as writers type it: "p. 33", "pp. 1-3", "chap. 2", "§ 4", "33".

        Without a label the locator is a page.
        """
        m = _LABEL_RE.match(text)
        if m:
            value = text[m.end() :].strip()
            if value:
                return cls(value, LABEL_WORDS[m.group(1).lower()])
        return cls(text.strip())

    def __str__(self) -> str:
        return f"{self.label.value} {self.value}"


def _to_locator(value: Any) -> Locator | None:
    if value is None or isinstance(value, Locator):
        return value
    return Locator.parse(str(value))


@attrs.frozen
class QuotedIn:
    """The second-hand source of a quotation: the work it was read in, and where."""

    work_key: str
    locator: Locator | None = attrs.field(default=None, converter=_to_locator)


def _to_tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(dict.fromkeys(t for t in (str(v).strip() for v in value) if t))


def _check_id(value: str) -> None:
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        raise ValueError(f"an excerpt id is a non-empty word without spaces, got {value!r}")


def _check_text(instance: Excerpt, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"excerpt {instance.id!r} has no text")


@attrs.frozen(kw_only=True)
class Excerpt:
    """A quoted passage of a work.

    ``text`` may hold several paragraphs, separated by blank lines. ``speaker``
    is set when the words are not the work's author's (an interviewee, a
    character); ``quoted_in`` when the passage was read in another work.
    """

    id: str = attrs.field(validator=lambda _i, _a, v: _check_id(v))
    text: str = attrs.field(validator=_check_text)
    work_key: str
    locator: Locator | None = attrs.field(default=None, converter=_to_locator)
    speaker: Person | None = None
    quoted_in: QuotedIn | None = None
    language: str | None = None
    tags: tuple[str, ...] = attrs.field(factory=tuple, converter=_to_tags)
    note: str | None = None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The paragraphs of the text."""
        return tuple(p.strip() for p in re.split(r"\n\s*\n", self.text.strip()) if p.strip())
