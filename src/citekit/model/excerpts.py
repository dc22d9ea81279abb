"""Locators ("p. 33", "chap. 2") and excerpts (quoted passages of works)."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from citekit.model.persons import Person

__all__ = ["LABEL_WORDS", "Excerpt", "Locator", "LocatorLabel", "QuotedIn"]


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


_label_words: dict[str, LocatorLabel] = {}
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
    LocatorLabel.SECTION: "sec. secs. sect. § §§ section sections",
    LocatorLabel.SUB_VERBO: "s.v. s.vv. s._v. sv sub_verbo",
    LocatorLabel.SUPPLEMENT: "supp. supps. suppl. supplement supplements",
    LocatorLabel.TABLE: "tab. tbl. tbls. table tables",
    LocatorLabel.TIMESTAMP: "timestamp timestamps",
    LocatorLabel.TITLE: "tit. tits. title titles",
    LocatorLabel.VERSE: "v. vv. verse verses",
    LocatorLabel.VOLUME: "vol. vols. volume volumes",
}.items():
    for _word in _words.split():
        _label_words[_word.replace("_", " ")] = _label
    _label_words[_label.value] = _label
for _word, _label in list(_label_words.items()):
    if _word.endswith(".") and len(_word) > 2 and " " not in _word and "." not in _word[:-1]:
        _label_words.setdefault(_word[:-1], _label)
_label_words.setdefault("p", LocatorLabel.PAGE)
del _word, _words, _label

#: Abbreviations and words that name a locator label (lowercase, as typed by
#: writers), read-only. Every label's CSL name is one of them, and
#: abbreviations of two letters or more are also recognised without their
#: period ("pp 1-3").
LABEL_WORDS: Mapping[str, LocatorLabel] = MappingProxyType(_label_words)

_label_re: re.Pattern[str] | None = None


def _label_pattern() -> re.Pattern[str]:
    """The pattern of a leading label word, compiled on first use (it is large)."""
    global _label_re
    if _label_re is None:
        words = "|".join(re.escape(w) for w in sorted(LABEL_WORDS, key=len, reverse=True))
        # A label ends at a period or sign ("p.33", "§4"), else before a space or digit.
        _label_re = re.compile(r"\s*(" + words + r")(?:(?<=[.§¶])|(?=[\s\d]|$))\s*", re.IGNORECASE)
    return _label_re


def _to_label(value: LocatorLabel | str) -> LocatorLabel:
    if isinstance(value, LocatorLabel):
        return value
    if isinstance(value, str):
        label = LABEL_WORDS.get(value.strip().lower())
        if label is not None:
            return label
    choices = ", ".join(label.value for label in LocatorLabel)
    raise ValueError(f"unknown locator label {value!r}; expected one of {choices}")


def _to_value(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"a locator value is a string or an int, got {type(value).__name__}")
    return str(value).strip()


@attrs.frozen
class Locator:
    """A place in a work: a label (page, chapter, ...) and a value ("33", "1-3", "xi").

    The label may be given as a :class:`LocatorLabel` or as any word of
    :data:`LABEL_WORDS` (``Locator("2", "chap.")``).
    """

    value: str = attrs.field(converter=_to_value)
    label: LocatorLabel = attrs.field(default=LocatorLabel.PAGE, converter=_to_label)

    @value.validator
    def _check(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not value:
            raise ValueError("a locator needs a value")

    @classmethod
    def parse(cls, text: str) -> Locator:
        """Read a locator as writers type it: "p. 33", "pp. 1-3", "chap. 2", "§ 4", "33".

        A leading label word or abbreviation (any case, see
        :data:`LABEL_WORDS`) gives the label; without one the locator is a
        page. Raises :class:`ValueError` for empty text.
        """
        if not isinstance(text, str):
            raise TypeError(f"a locator is parsed from a string, got {type(text).__name__}")
        m = _label_pattern().match(text)
        if m:
            value = text[m.end() :].strip()
            if value:
                return cls(value, LABEL_WORDS[m.group(1).lower()])
        if not text.strip():
            raise ValueError("empty locator")
        return cls(text.strip())

    def __str__(self) -> str:
        """The label's CSL name and the value: "page 33" (:meth:`parse` reads it back)."""
        return f"{self.label.value} {self.value}"


def _to_locator(value: Any) -> Locator | None:
    if value is None or isinstance(value, Locator):
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        return Locator.parse(str(value))
    raise TypeError(f"a locator is a Locator or a string, got {type(value).__name__}")


def _check_key(instance: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty citation key, got {value!r}")
    if value != value.strip():
        raise ValueError(f"{attribute.name} has no surrounding spaces: {value!r}")


@attrs.frozen
class QuotedIn:
    """The second-hand source of a quotation: the work it was read in, and where."""

    work_key: str = attrs.field(validator=_check_key)
    locator: Locator | None = attrs.field(default=None, converter=_to_locator)


def _to_tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(dict.fromkeys(t for t in (str(v).strip() for v in value) if t))


def _check_id(instance: Excerpt, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        raise ValueError(f"an excerpt id is a non-empty word without spaces, got {value!r}")


def _check_text(instance: Excerpt, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(
            f"excerpt {instance.id!r}: text must be a string, got {type(value).__name__}"
        )
    if not value.strip():
        raise ValueError(f"excerpt {instance.id!r} has no text")


def _opt_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a string or None, got {type(value).__name__}")
    return value.strip() or None


def _check_quoted_in(
    instance: Excerpt, attribute: attrs.Attribute[QuotedIn | None], value: QuotedIn | None
) -> None:
    if value is None:
        return
    if not isinstance(value, QuotedIn):
        raise TypeError(f"excerpt {instance.id!r}: quoted_in must be a QuotedIn")
    if value.work_key == instance.work_key:
        raise ValueError(
            f"excerpt {instance.id!r} is quoted in {value.work_key!r}, its own work;"
            " quoted_in names another work"
        )


@attrs.frozen(kw_only=True)
class Excerpt:
    """A quoted passage of a work.

    ``text`` may hold several paragraphs, separated by blank lines. ``speaker``
    is set when the words are not the work's author's (an interviewee, a
    character); ``quoted_in`` when the passage was read in another work.
    ``locator`` may be given as text ("p. 33"). ``tags`` may be given as a
    comma-separated string; they are stripped and deduplicated, in order.
    """

    id: str = attrs.field(validator=_check_id)
    text: str = attrs.field(validator=_check_text)
    work_key: str = attrs.field(validator=_check_key)
    locator: Locator | None = attrs.field(default=None, converter=_to_locator)
    speaker: Person | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Person))
    )
    quoted_in: QuotedIn | None = attrs.field(default=None, validator=_check_quoted_in)
    language: str | None = attrs.field(default=None, converter=_opt_text)
    tags: tuple[str, ...] = attrs.field(factory=tuple, converter=_to_tags)
    note: str | None = attrs.field(default=None, converter=_opt_text)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The paragraphs of the text."""
        return tuple(p.strip() for p in re.split(r"\n\s*\n", self.text.strip()) if p.strip())
