"""Locators ("p. 33", "chap. 2") and excerpts (quoted passages of works)."""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    ValuesView,
)
from types import MappingProxyType
from typing import Any, TypeVar, overload

import attrs

from citekit.model.persons import Person

__all__ = [
    "LABEL_WORDS",
    "Excerpt",
    "Excerpts",
    "Locator",
    "LocatorLabel",
    "Original",
    "QuotedIn",
    "fold",
    "name_matcher",
    "search_words",
    "tag_key",
]

_T = TypeVar("_T")


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


def _check_original_text(instance: Original, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"an original text is a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError("an original needs its text")


@attrs.frozen
class Original:
    """A passage in the language it was written in, kept beside its translation.

    ``text`` may hold several paragraphs, separated by blank lines;
    ``language`` is a language tag ("fr", "de-CH") when known.
    """

    text: str = attrs.field(validator=_check_original_text)
    language: str | None = attrs.field(default=None, converter=_opt_text)


def _check_original(
    instance: Excerpt, attribute: attrs.Attribute[Original | None], value: Original | None
) -> None:
    if value is not None and not isinstance(value, Original):
        raise TypeError(
            f"excerpt {instance.id!r}: original must be an Original, got {type(value).__name__}"
        )


@attrs.frozen(kw_only=True)
class Excerpt:
    """A quoted passage of a work.

    ``text`` is the passage as it is quoted (and rendered), in ``language``;
    it may hold several paragraphs, separated by blank lines. ``speaker`` is
    set when the words are not the work's author's (an interviewee, a
    character); ``quoted_in`` when the passage was read in another work.
    ``locator`` may be given as text ("p. 33"). ``tags`` may be given as a
    comma-separated string; they are stripped and deduplicated, in order.

    Translations: when ``text`` is a translation, ``original`` keeps the
    passage as it was written (:class:`Original`: its text and language) and
    ``translator`` says who translated it. Either may be set alone: a
    translator without an original when only the translation is at hand, an
    original without a translator when the translator is unknown or is the
    work's own (a translated edition names its translator among the work's
    contributors; ``translator`` is for a translation made for the quotation,
    such as the writer's own). To quote the original and keep a translation
    for readers, the roles are the same: ``text`` is the translation, and a
    renderer may show ``original.text`` instead.
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
    original: Original | None = attrs.field(default=None, validator=_check_original)
    translator: Person | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Person))
    )
    tags: tuple[str, ...] = attrs.field(factory=tuple, converter=_to_tags)
    note: str | None = attrs.field(default=None, converter=_opt_text)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The paragraphs of the text."""
        return _paragraphs(self.text)

    def _repr_html_(self) -> str:
        """The passage as an HTML block quotation with its source (shown by Jupyter)."""
        from citekit.model.display import excerpt_html

        return excerpt_html(self)

    def _repr_markdown_(self) -> str:
        """The passage as a Markdown block quotation with its source."""
        from citekit.model.display import excerpt_markdown

        return excerpt_markdown(self)

    @property
    def is_translation(self) -> bool:
        """True when the text is a translation (an original or a translator is given)."""
        return self.original is not None or self.translator is not None


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


# --- searching ---------------------------------------------------------------------------

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_FOLD_EXTRA = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "ħ": "h",
        "ı": "i",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "‘": "'",
        "’": "'",
        "ʼ": "'",
        "\u00ad": "",
    }
)
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Text as searches compare it: case folded, accents and ligatures dropped.

    "Ärger", "ARGER" and "ärger" fold alike, as do "Œuvre" and "oeuvre",
    "ﬁn" and "fin", "Łódź" and "lodz"; typographic apostrophes become
    straight ones and soft hyphens vanish.
    """
    text = text.casefold()
    if text.isascii():
        return text
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_FOLD_EXTRA)
    return text.casefold()  # again: compatibility forms may be capitals ("ℌ" is "H")


def search_words(text: str) -> list[str]:
    """The folded words (runs of letters and digits) of a text, in order.

    Punctuation separates words: "Lenin’s" gives ``["lenin", "s"]``.
    """
    return _WORD.findall(fold(text))


@functools.lru_cache(maxsize=4096)
def tag_key(tag: str) -> str:
    """A tag as tag queries compare it: folded words joined by spaces ("Opening  Lines"
    and "opening lines" are the same tag)."""
    return " ".join(search_words(tag))


_QUERY = re.compile(r'"([^"]*)"|“([^”]*)”|„([^“”]*)[“”]|(\S+)')


@attrs.frozen
class _Query:
    words: tuple[str, ...]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]


def _parse_query(query: str) -> _Query:
    """Words, prefixes ("stalin*") and quoted phrases of a full-text query."""
    words: list[str] = []
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for m in _QUERY.finditer(query):
        term = m.group(4)
        if term is None:
            phrase = search_words(m.group(1) or m.group(2) or m.group(3) or "")
            if len(phrase) > 1:
                phrases.append(tuple(phrase))
            words.extend(phrase)
            continue
        found = search_words(term)
        if found and term.endswith("*"):
            prefixes.append(found.pop())
        words.extend(found)
    return _Query(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(prefixes)), tuple(phrases))


class _TextIndex:
    """An inverted index of excerpts' folded words, updated one excerpt at a time."""

    def __init__(self, excerpts: Iterable[Excerpt] = ()) -> None:
        self.postings: dict[str, set[str]] = {}
        self.texts: dict[str, str] = {}
        for excerpt in excerpts:
            self.add(excerpt)

    def add(self, excerpt: Excerpt) -> None:
        words = search_words(excerpt.text)
        if excerpt.original is not None:
            # "|" is never a word: no phrase runs from the translation into the original.
            words += ["|", *search_words(excerpt.original.text)]
        self.texts[excerpt.id] = " " + " ".join(words) + " "
        postings = self.postings
        for word in set(words):
            ids = postings.get(word)
            if ids is None:
                postings[word] = {excerpt.id}
            else:
                ids.add(excerpt.id)

    def discard(self, excerpt_id: str) -> None:
        text = self.texts.pop(excerpt_id, None)
        if text is None:
            return
        for word in set(text.split()):
            ids = self.postings.get(word)
            if ids is not None:
                ids.discard(excerpt_id)
                if not ids:
                    del self.postings[word]

    def search(self, query: str) -> set[str] | None:
        """The ids of the excerpts matching ``query``; None if it has no words."""
        parsed = _parse_query(query)
        if not parsed.words and not parsed.prefixes:
            return None
        sets: list[set[str]] = []
        for word in parsed.words:
            ids = self.postings.get(word)
            if not ids:
                return set()
            sets.append(ids)
        for prefix in parsed.prefixes:
            union: set[str] = set()
            for word, ids in self.postings.items():
                if word.startswith(prefix):
                    union |= ids
            if not union:
                return set()
            sets.append(union)
        sets.sort(key=len)
        found = set(sets[0])
        for ids in sets[1:]:
            found &= ids
            if not found:
                return found
        for phrase in parsed.phrases:
            needle = " " + " ".join(phrase) + " "
            found = {i for i in found if needle in self.texts[i]}
        return found


class Excerpts(MutableMapping[str, Excerpt]):
    """A library's excerpts by id, in insertion (file) order.

    A mapping like a dict (``excerpts[id]``, ``excerpts[id] = excerpt``,
    ``del excerpts[id]``, iteration, ``len``, ``in``) that notices its
    changes: :attr:`version` grows with each one, and the full-text index
    behind :meth:`search` is built on the first search and kept up to date
    from then on. An excerpt is stored under its own id.
    """

    def __init__(self, excerpts: Iterable[Excerpt] | Mapping[str, Excerpt] = ()) -> None:
        self._data: dict[str, Excerpt] = {}
        self._version = 0
        self._index: _TextIndex | None = None
        values = excerpts.values() if isinstance(excerpts, Mapping) else excerpts
        for excerpt in values:
            self[_excerpt_id(excerpt)] = excerpt

    @property
    def version(self) -> int:
        """A number that changes whenever an excerpt is added, replaced or removed."""
        return self._version

    def __getitem__(self, excerpt_id: str) -> Excerpt:
        return self._data[excerpt_id]

    def __setitem__(self, excerpt_id: str, excerpt: Excerpt) -> None:
        if _excerpt_id(excerpt) != excerpt_id:
            raise ValueError(f"id {excerpt_id!r} does not match the excerpt's id {excerpt.id!r}")
        if self._index is not None:
            self._index.discard(excerpt_id)
            self._index.add(excerpt)
        self._data[excerpt_id] = excerpt
        self._version += 1

    def __delitem__(self, excerpt_id: str) -> None:
        del self._data[excerpt_id]
        if self._index is not None:
            self._index.discard(excerpt_id)
        self._version += 1

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, excerpt_id: object) -> bool:
        return excerpt_id in self._data

    @overload
    def get(self, excerpt_id: str, /) -> Excerpt | None: ...
    @overload
    def get(self, excerpt_id: str, /, default: Excerpt | _T) -> Excerpt | _T: ...
    def get(self, excerpt_id: str, /, default: Any = None) -> Any:
        """The excerpt with ``excerpt_id``, or ``default``."""
        return self._data.get(excerpt_id, default)

    def keys(self) -> KeysView[str]:
        """The ids, in order (a read-only view)."""
        return self._data.keys()

    def values(self) -> ValuesView[Excerpt]:
        """The excerpts, in order (a read-only view)."""
        return self._data.values()

    def items(self) -> ItemsView[str, Excerpt]:
        """(id, excerpt) pairs, in order (a read-only view)."""
        return self._data.items()

    def clear(self) -> None:
        """Remove every excerpt."""
        self._data.clear()
        self._index = None
        self._version += 1

    def __repr__(self) -> str:
        return f"Excerpts({list(self._data.values())!r})"

    def search(self, query: str) -> list[Excerpt]:
        """The excerpts whose text (or original text) has every word of ``query``.

        Matching ignores case and accents. Words match whole words; a word
        ending in ``*`` matches any word it begins (``stalin*``); words in
        double quotes (straight or typographic) must follow each other, as a
        phrase, punctuation aside (``"Lenin's heir"``). A query without any
        word matches every excerpt. Results are in library order.
        """
        found = self._text_ids(query)
        if found is None:
            return list(self._data.values())
        return [e for i, e in self._data.items() if i in found]

    def _text_ids(self, query: str) -> set[str] | None:
        if not isinstance(query, str):
            raise TypeError(f"a search query is a string, got {type(query).__name__}")
        if self._index is None:
            self._index = _TextIndex(self._data.values())
        return self._index.search(query)


def _excerpt_id(excerpt: Any) -> str:
    if not isinstance(excerpt, Excerpt):
        raise TypeError(f"expected an Excerpt, got {type(excerpt).__name__}")
    return excerpt.id


# --- matching names ----------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _name_words(part: str | None) -> tuple[str, ...]:
    return tuple(search_words(part)) if part else ()


def name_matcher(query: str) -> Callable[[Person], bool]:
    """A test of whether a person is the one a name query means.

    Case and accents are ignored. A family name matches with or without its
    particles ("Fontaine", "de la Fontaine", "García Márquez"); a literal
    name matches when the query's words are among its words
    ("Organization"). A full name, given names first or last ("Victor
    Serge", "Serge, Victor", "V. Serge", "Gabriel García Márquez"), also
    needs the given names to match, in order, an initial matching the names
    it begins. Raises :class:`ValueError` for a query without letters or
    digits.
    """
    if not isinstance(query, str):
        raise TypeError(f"a name query is a string, got {type(query).__name__}")
    words = tuple(search_words(query))
    if not words:
        raise ValueError(f"expected a name to look for, got {query!r}")
    needle = " " + " ".join(words) + " "

    def matches(person: Person) -> bool:
        if not isinstance(person, Person):
            return False
        if person.literal is not None:
            return needle in " " + " ".join(_name_words(person.literal)) + " "
        own = _name_words(person.given) + _name_words(person.dropping_particle)
        for family in {_name_words(person.family), _name_words(person.full_family)}:
            if not family:
                continue
            if words == family:
                return True
            n = len(family)
            if len(words) <= n:
                continue
            if words[-n:] == family:  # "Victor Serge", "V. Serge"
                given = words[:-n]
            elif words[:n] == family:  # "Serge, Victor"
                given = words[n:]
            else:
                continue
            if len(given) <= len(own) and all(
                name.startswith(initial) for initial, name in zip(given, own, strict=False)
            ):
                return True
        return False

    return matches
