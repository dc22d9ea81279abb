"""Works: the things people cite (books, articles, chapters, posts, ...).

A :class:`Work` follows CSL's data model: a type from CSL's list, titles,
contributors by role, dates, numbers, a publisher and identifiers. Fields
citekit models are attributes; other CSL variables live in ``variables`` (by
their CSL name) and fields from other formats that CSL has no name for live in
``extra`` (by their name in that format, verbatim), so nothing a file holds is
ever dropped.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from citekit.model._frozen import FrozenMap, frozen_json_map, frozen_map
from citekit.model.dates import Date
from citekit.model.persons import Person

__all__ = ["Contributors", "Role", "Work", "WorkType"]


class WorkType(enum.StrEnum):
    """The item types of CSL 1.0.2."""

    ARTICLE = "article"
    ARTICLE_JOURNAL = "article-journal"
    ARTICLE_MAGAZINE = "article-magazine"
    ARTICLE_NEWSPAPER = "article-newspaper"
    BILL = "bill"
    BOOK = "book"
    BROADCAST = "broadcast"
    CHAPTER = "chapter"
    CLASSIC = "classic"
    COLLECTION = "collection"
    DATASET = "dataset"
    DOCUMENT = "document"
    ENTRY = "entry"
    ENTRY_DICTIONARY = "entry-dictionary"
    ENTRY_ENCYCLOPEDIA = "entry-encyclopedia"
    EVENT = "event"
    FIGURE = "figure"
    GRAPHIC = "graphic"
    HEARING = "hearing"
    INTERVIEW = "interview"
    LEGAL_CASE = "legal_case"
    LEGISLATION = "legislation"
    MANUSCRIPT = "manuscript"
    MAP = "map"
    MOTION_PICTURE = "motion_picture"
    MUSICAL_SCORE = "musical_score"
    PAMPHLET = "pamphlet"
    PAPER_CONFERENCE = "paper-conference"
    PATENT = "patent"
    PERFORMANCE = "performance"
    PERIODICAL = "periodical"
    PERSONAL_COMMUNICATION = "personal_communication"
    POST = "post"
    POST_WEBLOG = "post-weblog"
    REGULATION = "regulation"
    REPORT = "report"
    REVIEW = "review"
    REVIEW_BOOK = "review-book"
    SOFTWARE = "software"
    SONG = "song"
    SPEECH = "speech"
    STANDARD = "standard"
    THESIS = "thesis"
    TREATY = "treaty"
    WEBPAGE = "webpage"


class Role(enum.StrEnum):
    """The name variables (contributor roles) of CSL 1.0.2."""

    AUTHOR = "author"
    CHAIR = "chair"
    COLLECTION_EDITOR = "collection-editor"
    COMPILER = "compiler"
    COMPOSER = "composer"
    CONTAINER_AUTHOR = "container-author"
    CONTRIBUTOR = "contributor"
    CURATOR = "curator"
    DIRECTOR = "director"
    EDITOR = "editor"
    EDITORIAL_DIRECTOR = "editorial-director"
    EDITOR_TRANSLATOR = "editor-translator"
    EXECUTIVE_PRODUCER = "executive-producer"
    GUEST = "guest"
    HOST = "host"
    ILLUSTRATOR = "illustrator"
    INTERVIEWER = "interviewer"
    NARRATOR = "narrator"
    ORGANIZER = "organizer"
    ORIGINAL_AUTHOR = "original-author"
    PERFORMER = "performer"
    PRODUCER = "producer"
    RECIPIENT = "recipient"
    REVIEWED_AUTHOR = "reviewed-author"
    SCRIPT_WRITER = "script-writer"
    SERIES_CREATOR = "series-creator"
    TRANSLATOR = "translator"


def _to_persons(value: Iterable[Person]) -> tuple[Person, ...]:
    return tuple(value)


@attrs.frozen
class Contributors:
    """The persons of one role, in order."""

    role: Role = attrs.field(converter=Role)
    persons: tuple[Person, ...] = attrs.field(converter=_to_persons)

    @persons.validator
    def _check(
        self, attribute: attrs.Attribute[tuple[Person, ...]], value: tuple[Person, ...]
    ) -> None:
        for person in value:
            if not isinstance(person, Person):
                raise TypeError(f"{self.role} must be Persons, got {type(person).__name__}")


def _to_contributors(value: Any) -> tuple[Contributors, ...]:
    """Accept ``{"author": [...], ...}`` or an iterable of Contributors."""
    if value is None:
        return ()
    items: Iterable[Any] = value.items() if isinstance(value, Mapping) else value
    out: dict[Role, Contributors] = {}
    for item in items:
        group = item if isinstance(item, Contributors) else Contributors(item[0], item[1])
        if group.persons:
            if group.role in out:
                raise ValueError(f"role {group.role!s} given twice")
            out[group.role] = group
    return tuple(out.values())


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _to_str_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = re.split(r"\s*[,;]\s*", value)
    return tuple(s for s in (str(v).strip() for v in value) if s)


def _to_type(value: Any) -> WorkType:
    try:
        return WorkType(value)
    except ValueError:
        raise ValueError(f"unknown work type {value!r}; expected one of CSL's types") from None


def _check_key(instance: Work, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a Work needs a non-empty key")
    if value != value.strip():
        raise ValueError(f"a work key has no surrounding spaces: {value!r}")


def _check_dates(
    instance: Work, attribute: attrs.Attribute[Date | None], value: Date | None
) -> None:
    if value is not None and not isinstance(value, Date):
        raise TypeError(f"{attribute.name} must be a citekit.Date, got {type(value).__name__}")


def _text() -> Any:
    """An optional text field: stripped, empty strings become None."""
    return attrs.field(default=None, converter=_opt_str)


@attrs.frozen(kw_only=True, repr=False, cache_hash=True)
class Work:
    """A citable work, on CSL's data model.

    Edit with :func:`attrs.evolve`: ``attrs.evolve(work, title="Lenin's Heir?")``.
    Text fields are plain Unicode; ``rich`` keeps, for fields whose source
    carried markup or case protection, the marked-up form in citekit's
    internal markup (escaped text with the tags ``<i>``, ``<b>``, ``<sup>``,
    ``<sub>``, ``<span class="nocase">``, ``<span class="nodecor">`` and the
    small-caps span; :func:`citekit.model.markup.to_csl_text` gives the
    CSL-JSON text of it).
    A rich form whose plain text is not the field's (after an edit of the
    field) is dropped when the work is made.
    """

    key: str = attrs.field(validator=_check_key)
    type: WorkType = attrs.field(default=WorkType.DOCUMENT, converter=_to_type)

    title: str | None = _text()
    title_short: str | None = _text()
    container_title: str | None = _text()
    container_title_short: str | None = _text()
    collection_title: str | None = _text()
    collection_number: str | None = _text()
    original_title: str | None = _text()
    event_title: str | None = _text()

    contributors: tuple[Contributors, ...] = attrs.field(factory=tuple, converter=_to_contributors)

    issued: Date | None = attrs.field(default=None, validator=_check_dates)
    original_date: Date | None = attrs.field(default=None, validator=_check_dates)
    accessed: Date | None = attrs.field(default=None, validator=_check_dates)
    event_date: Date | None = attrs.field(default=None, validator=_check_dates)

    volume: str | None = _text()
    number_of_volumes: str | None = _text()
    issue: str | None = _text()
    number: str | None = _text()
    page: str | None = _text()
    number_of_pages: str | None = _text()
    edition: str | None = _text()
    publisher: str | None = _text()
    publisher_place: str | None = _text()
    event_place: str | None = _text()
    genre: str | None = _text()
    medium: str | None = _text()

    doi: str | None = _text()
    isbn: str | None = _text()
    issn: str | None = _text()
    url: str | None = _text()
    pmid: str | None = _text()
    pmcid: str | None = _text()
    arxiv: str | None = _text()

    language: str | None = _text()
    note: str | None = _text()
    abstract: str | None = _text()
    keywords: tuple[str, ...] = attrs.field(factory=tuple, converter=_to_str_tuple)

    variables: FrozenMap[str, Any] = attrs.field(factory=FrozenMap, converter=frozen_json_map)
    """Other CSL variables, by CSL name (``"archive"``, ``"section"``, ...).

    Values are JSON-like and stored deep-frozen (lists as tuples, objects as
    :class:`FrozenMap`) so that works stay hashable."""
    extra: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=frozen_map)
    """Fields CSL has no variable for, by their name in the source format, verbatim."""
    rich: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=frozen_map, repr=False)
    hints: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap, converter=frozen_map, repr=False, eq=False
    )
    """How the work was written in its source format, by format name (``"bibtex"``:
    its dialect and field names), so that converting it to another format and
    back writes the same fields. Not part of the work's content: equality
    ignores it."""
    """Marked-up forms of text fields, by attribute name (see the class docstring)."""

    def __attrs_post_init__(self) -> None:
        # A rich form only stands while its plain text is the field's: after
        # attrs.evolve(work, title=...) the old markup no longer applies, and
        # keeping it would make an edited work differ from the same work re-read.
        if self.rich:
            from citekit.model.markup import strip_markup

            stale = [
                name
                for name, marked in self.rich.items()
                if not isinstance(marked, str) or strip_markup(marked) != getattr(self, name, None)
            ]
            if stale:
                kept = FrozenMap((k, v) for k, v in self.rich.items() if k not in stale)
                object.__setattr__(self, "rich", kept)

    # -- contributors ---------------------------------------------------------

    def names(self, role: Role | str) -> tuple[Person, ...]:
        """The persons of ``role`` ("author", "editor", ...), possibly empty."""
        role = Role(role)
        for group in self.contributors:
            if group.role is role:
                return group.persons
        return ()

    def with_names(self, role: Role | str, persons: Iterable[Person]) -> Work:
        """A copy with the persons of ``role`` replaced (an empty list removes the role)."""
        role = Role(role)
        persons = tuple(persons)
        groups = [g for g in self.contributors if g.role is not role]
        if persons:
            index = next((i for i, g in enumerate(self.contributors) if g.role is role), None)
            new = Contributors(role, persons)
            if index is None:
                groups.append(new)
            else:
                groups.insert(index, new)
        return attrs.evolve(self, contributors=tuple(groups))

    @property
    def roles(self) -> tuple[Role, ...]:
        """The roles that have persons, in order."""
        return tuple(g.role for g in self.contributors)

    @property
    def authors(self) -> tuple[Person, ...]:
        """The authors (possibly empty)."""
        return self.names(Role.AUTHOR)

    @property
    def editors(self) -> tuple[Person, ...]:
        """The editors (possibly empty)."""
        return self.names(Role.EDITOR)

    @property
    def translators(self) -> tuple[Person, ...]:
        """The translators (possibly empty)."""
        return self.names(Role.TRANSLATOR)

    # -- rich text ------------------------------------------------------------

    def rich_text(self, field: str) -> str | None:
        """The marked-up form of a text field, or its plain text (escaped) when it has none.

        The result is in citekit's internal markup (see
        :mod:`citekit.model.markup`), so ``<`` and ``&`` in plain text come
        back escaped.
        """
        from citekit.model.markup import escape

        plain = getattr(self, field)
        if plain is None:
            return None
        marked = self.rich.get(field)
        return marked if marked is not None else escape(plain)

    @property
    def year(self) -> int | None:
        """The year of issue, if known."""
        return self.issued.year if self.issued else None

    def __str__(self) -> str:
        """A short reference: "Serge, Victor. 1945. Lenin's Heir?"."""
        from citekit.model.display import work_text

        return work_text(self)

    def __repr__(self) -> str:
        """The fields that are set (empty ones are left out)."""
        from citekit.model.display import compact_repr

        return compact_repr(self)

    def _repr_html_(self) -> str:
        """The short reference as HTML (shown by Jupyter)."""
        from citekit.model.display import work_html

        return work_html(self)

    def _repr_markdown_(self) -> str:
        """The short reference as Markdown."""
        from citekit.model.display import work_markdown

        return work_markdown(self)
