"""Hayagriva YAML: the bibliography files of Typst.

A Hayagriva file is a YAML mapping of keys to entries (see hayagriva's
``docs/file-format.md``). An entry has a ``type`` (``article``, ``book``,
``chapter``, ...) and fields, and where it was published is said by its
``parent`` entries: an article's parent is a periodical (the journal, with
its volume and issue), a chapter's a book, a paper's proceedings and the
conference. citekit reads an entry and its parents into one
:class:`~citekit.Work` on CSL's model, and writes a work back as an entry
with parents:

- the CSL type comes from the entry's type and its first parent's type
  (``article`` in a ``periodical``: ``article-journal``; in a ``newspaper``:
  ``article-newspaper``; in ``proceedings``: ``paper-conference``), and
  ``work.hints["hayagriva"]`` keeps both so that they are written back;
- the first parent (not a conference or exhibition) is the container of
  articles, chapters, entries and scenes: its title is ``container_title``
  (its ``short`` form ``container_title_short``) and its volume, issue,
  publisher, date, editors and serial numbers fill the work's when the
  entry has none; its own parent's title is ``collection_title``. For a
  book, report or thesis the first parent is the series:
  ``collection_title``, its volume ``collection_number``;
- a ``conference`` or ``exhibition`` parent gives ``event_title``,
  ``event_place`` and ``event_date``;
- formattable strings: braces protect case (``{NASA}``) and become citekit's
  ``nocase`` markup, ``verbatim: true`` protects the whole text;
- what the model has no field for (an alias, ``organization``, a second
  parent, ``time-range``, other serial numbers) is kept in ``work.extra``
  under a dotted key (``author.1.alias``, ``parent.2.url``) and written back.

:meth:`HayagrivaFormat.losses` names what a file cannot hold (CSL roles that
Hayagriva has no role for, markup other than case protection, ...).
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from citekit.errors import FormatError
from citekit.formats.losses import Loss
from citekit.formats.structured import flatten, scalar_text
from citekit.model import Date, Library, Person, Problem, Role, Work, WorkType, parse_name
from citekit.model.markup import escape, strip_markup

__all__ = ["HayagrivaFormat"]

_NOCASE = '<span class="nocase">'

#: Entry types whose first parent is their container.
_CONTAINED = frozenset({"article", "chapter", "entry", "anthos", "scene", "post", "thread"})
_EVENTS = frozenset({"conference", "exhibition"})

#: Hayagriva entry types read as CSL types (an article's type depends on its parent).
_READ_TYPES: dict[str, WorkType] = {
    "article": WorkType.ARTICLE,
    "chapter": WorkType.CHAPTER,
    "entry": WorkType.ENTRY,
    "anthos": WorkType.CHAPTER,
    "report": WorkType.REPORT,
    "thesis": WorkType.THESIS,
    "web": WorkType.WEBPAGE,
    "scene": WorkType.BROADCAST,
    "artwork": WorkType.GRAPHIC,
    "patent": WorkType.PATENT,
    "case": WorkType.LEGAL_CASE,
    "newspaper": WorkType.PERIODICAL,
    "legislation": WorkType.LEGISLATION,
    "manuscript": WorkType.MANUSCRIPT,
    "original": WorkType.DOCUMENT,
    "post": WorkType.POST,
    "misc": WorkType.DOCUMENT,
    "performance": WorkType.PERFORMANCE,
    "periodical": WorkType.PERIODICAL,
    "proceedings": WorkType.BOOK,
    "book": WorkType.BOOK,
    "blog": WorkType.WEBPAGE,
    "reference": WorkType.BOOK,
    "conference": WorkType.EVENT,
    "anthology": WorkType.BOOK,
    "repository": WorkType.SOFTWARE,
    "thread": WorkType.POST,
    "video": WorkType.MOTION_PICTURE,
    "audio": WorkType.SONG,
    "exhibition": WorkType.EVENT,
}
#: (entry type, parent type) -> CSL type, where the parent decides.
_READ_WITH_PARENT: dict[tuple[str, str], WorkType] = {
    ("article", "periodical"): WorkType.ARTICLE_JOURNAL,
    ("article", "newspaper"): WorkType.ARTICLE_NEWSPAPER,
    ("article", "blog"): WorkType.POST_WEBLOG,
    ("article", "proceedings"): WorkType.PAPER_CONFERENCE,
    ("article", "conference"): WorkType.PAPER_CONFERENCE,
    ("article", "web"): WorkType.WEBPAGE,
    ("entry", "reference"): WorkType.ENTRY_ENCYCLOPEDIA,
}
#: CSL type -> (entry type, parent type) to write.
_WRITE_TYPES: dict[WorkType, tuple[str, str | None]] = {
    WorkType.ARTICLE: ("article", None),
    WorkType.ARTICLE_JOURNAL: ("article", "periodical"),
    WorkType.ARTICLE_MAGAZINE: ("article", "periodical"),
    WorkType.ARTICLE_NEWSPAPER: ("article", "newspaper"),
    WorkType.PAPER_CONFERENCE: ("article", "proceedings"),
    WorkType.POST_WEBLOG: ("article", "blog"),
    WorkType.CHAPTER: ("chapter", "book"),
    WorkType.ENTRY: ("entry", None),
    WorkType.ENTRY_DICTIONARY: ("entry", "reference"),
    WorkType.ENTRY_ENCYCLOPEDIA: ("entry", "reference"),
    WorkType.REPORT: ("report", None),
    WorkType.THESIS: ("thesis", None),
    WorkType.WEBPAGE: ("web", None),
    WorkType.BROADCAST: ("scene", None),
    WorkType.GRAPHIC: ("artwork", None),
    WorkType.PATENT: ("patent", None),
    WorkType.LEGAL_CASE: ("case", None),
    WorkType.LEGISLATION: ("legislation", None),
    WorkType.MANUSCRIPT: ("manuscript", None),
    WorkType.DOCUMENT: ("misc", None),
    WorkType.POST: ("post", None),
    WorkType.PERFORMANCE: ("performance", None),
    WorkType.PERIODICAL: ("periodical", None),
    WorkType.BOOK: ("book", None),
    WorkType.EVENT: ("conference", None),
    WorkType.SOFTWARE: ("repository", None),
    WorkType.MOTION_PICTURE: ("video", None),
    WorkType.SONG: ("audio", None),
}
#: Hayagriva's roles (``affiliated``) and the CSL roles they are read as.
_ROLES: dict[str, Role] = {
    "translator": Role.TRANSLATOR,
    "compiler": Role.COMPILER,
    "organizer": Role.ORGANIZER,
    "cast-member": Role.PERFORMER,
    "composer": Role.COMPOSER,
    "producer": Role.PRODUCER,
    "executive-producer": Role.EXECUTIVE_PRODUCER,
    "writer": Role.SCRIPT_WRITER,
    "director": Role.DIRECTOR,
    "illustrator": Role.ILLUSTRATOR,
    "narrator": Role.NARRATOR,
    "collaborator": Role.CONTRIBUTOR,
}
_ROLE_OUT = {role: name for name, role in _ROLES.items()}
#: Plain-text fields: Hayagriva key -> Work attribute.
_TEXT: dict[str, str] = {
    "abstract": "abstract",
    "genre": "genre",
    "edition": "edition",
    "page-range": "page",
    "page-total": "number_of_pages",
    "volume-total": "number_of_volumes",
    "language": "language",
    "note": "note",
}
#: Of those, the formattable strings (case protection and markup as for titles).
_FORMATTABLE = frozenset({"abstract", "genre", "note"})
#: Hayagriva keys read into CSL variables.
_VARIABLES: dict[str, str] = {
    "archive": "archive",
    "archive-location": "archive_location",
    "call-number": "call-number",
    "chapter": "chapter-number",
    "runtime": "dimensions",
}
_SERIALS = {"doi": "doi", "isbn": "isbn", "issn": "issn", "pmid": "pmid", "pmcid": "pmcid"}
#: The entry key under which the hints of other formats travel (Hayagriva ignores it).
_HINTS = "citekit-hints"
#: Hayagriva's fields that citekit's model has no place for (kept in extra).
_UNMAPPED = frozenset({"organization", "time-range"})
#: The fields of Hayagriva's file format (docs/file-format.md).
_FIELDS = frozenset(
    {
        "type",
        "title",
        "author",
        "date",
        "parent",
        "abstract",
        "genre",
        "editor",
        "affiliated",
        "call-number",
        "publisher",
        "location",
        "organization",
        "issue",
        "volume",
        "volume-total",
        "chapter",
        "edition",
        "page-range",
        "page-total",
        "time-range",
        "runtime",
        "url",
        "serial-number",
        "language",
        "archive",
        "archive-location",
        "note",
    }
)


# --- formattable strings ---------------------------------------------------------------------


def _braced(text: str) -> tuple[str, str | None]:
    """Hayagriva text with ``{...}`` case protection: (plain text, citekit markup or None)."""
    if "{" not in text:
        return text, None
    plain: list[str] = []
    marked: list[str] = []
    depth = 0
    for char in text:
        if char == "{":
            if depth == 0:
                marked.append(_NOCASE)
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                marked.append("</span>")
        else:
            plain.append(char)
            marked.append(escape(char))
    if depth > 0:  # unbalanced: the braces are text
        return text, None
    return "".join(plain), "".join(marked)


def _formattable(value: Any) -> tuple[str | None, str | None, str | None, dict[str, str]]:
    """(text, short form, markup, other keys) of a formattable string."""
    rest: dict[str, str] = {}
    if isinstance(value, dict):
        text = scalar_text(value.get("value"))
        short = scalar_text(value.get("short"))
        verbatim = value.get("verbatim") is True
        for key, item in value.items():
            if key not in ("value", "short", "verbatim") and scalar_text(item) is not None:
                rest[key] = str(item)
        if text is None:
            return None, short, None, rest
        if verbatim:
            return text, short, _NOCASE + escape(text) + "</span>", rest
        plain, marked = _braced(text)
        return plain.strip() or None, short, marked, rest
    text = scalar_text(value)
    if text is None:
        return None, None, None, rest
    plain, marked = _braced(text)
    return plain.strip() or None, None, marked, rest


def _formattable_out(plain: str, marked: str | None) -> tuple[Any, bool]:
    """A text (and its markup) as a formattable string; True if markup was lost."""
    if marked is None or marked == escape(plain):
        if "{" in plain or "}" in plain:
            return {"value": plain, "verbatim": True}, True
        return plain, False
    whole = _NOCASE + escape(plain) + "</span>"
    if marked == whole:
        return {"value": plain, "verbatim": True}, False
    # Only nocase spans and text: braces.
    out: list[str] = []
    position = 0
    pattern = re.compile(re.escape(_NOCASE) + r"([^<]*)</span>")
    for match in pattern.finditer(marked):
        out.append(marked[position : match.start()])
        out.append("{" + match.group(1) + "}")
        position = match.end()
    out.append(marked[position:])
    joined = "".join(out)
    if "<" in joined or "{" in plain or "}" in plain:
        return plain, True
    return strip_markup(joined), False


# --- reading ---------------------------------------------------------------------------------


def _person(value: Any) -> tuple[Person | None, dict[str, str]]:
    """A Hayagriva person (a string or a mapping) and what of it the model cannot hold."""
    rest: dict[str, str] = {}
    try:
        if isinstance(value, dict):
            name = scalar_text(value.get("name"))
            given = scalar_text(value.get("given-name"))
            prefix = scalar_text(value.get("prefix"))
            suffix = scalar_text(value.get("suffix"))
            for key, item in value.items():
                if key not in ("name", "given-name", "prefix", "suffix"):
                    flatten(key, item, rest)
            if name is None and given is None:
                return None, rest
            if name is not None and not rest and not (given or prefix or suffix) and "," in name:
                return Person(literal=name), rest
            return (
                Person(family=name, given=given, non_dropping_particle=prefix, suffix=suffix),
                rest,
            )
        text = scalar_text(value)
        if text is None:
            return None, rest
        if "," not in text and " " not in text.strip():
            return Person(literal=text), rest
        if "," not in text:  # "UNICEF Germany": an organisation, as Hayagriva reads it
            return Person(literal=text), rest
        return parse_name(text), rest
    except (ValueError, TypeError):
        return None, rest


def _persons(value: Any, prefix: str, extra: dict[str, str]) -> list[Person]:
    items = value if isinstance(value, list) else [value]
    out: list[Person] = []
    for index, item in enumerate(items, 1):
        person, rest = _person(item)
        if person is None:
            flatten(f"{prefix}.{index}", item, extra)
            continue
        for key, text in rest.items():
            extra[f"{prefix}.{len(out) + 1}.{key}"] = text
        out.append(person)
    return out


def _date(value: Any) -> Date | None:
    """A Hayagriva date: ISO 8601, ``~`` before it for an approximate one."""
    text = scalar_text(value)
    if text is None:
        return None
    try:
        if text.startswith("~") and len(text) > 1:
            date = Date.parse(text[1:])
            if date.literal is None and not date.circa:
                return attrs.evolve(date, circa=True)
        return Date.parse(text)
    except ValueError:
        return None


class _Reader:
    """Collects one work's fields from an entry and its parents."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.variables: dict[str, Any] = {}
        self.extra: dict[str, str] = {}
        self.rich: dict[str, str] = {}
        self.roles: dict[Role, list[Person]] = {}

    def set(self, attribute: str, value: Any) -> bool:
        if value is None or attribute in self.fields:
            return False
        self.fields[attribute] = value
        return True

    def title(self, value: Any, attribute: str, short: str, prefix: str) -> None:
        text, short_text, marked, rest = _formattable(value)
        if text is not None and not self.set(attribute, text):
            flatten(prefix, value, self.extra)
            return
        if text is not None and marked is not None:
            self.rich[attribute] = marked
        if short_text is not None and (short == "_" or not self.set(short, short_text)):
            self.extra[f"{prefix}.short"] = short_text
        for key, item in rest.items():
            self.extra[f"{prefix}.{key}"] = item

    def serials(self, value: Any, prefix: str, only: tuple[str, ...] = ()) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                text = scalar_text(item)
                if text is None:
                    continue
                if key in _SERIALS and (not only or key in only) and self.set(_SERIALS[key], text):
                    continue
                if key == "arxiv" and not only and self.set("arxiv", text):
                    continue
                if key == "serial" and not only and self.set("number", text):
                    continue
                self.extra[f"{prefix}.{key}"] = text
        elif scalar_text(value) is not None and not (
            not only and self.set("number", scalar_text(value))
        ):
            self.extra[prefix] = str(value)

    def publisher(self, value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            if value.get("name") is not None:
                self.title(value["name"], "publisher", "_", f"{prefix}.name")
            if value.get("location") is not None:
                self.title(value["location"], "publisher_place", "_", f"{prefix}.location")
            for key, item in value.items():
                if key not in ("name", "location"):
                    flatten(f"{prefix}.{key}", item, self.extra)
        elif value is not None:
            self.title(value, "publisher", "_", prefix)


def _read_entry(entry_key: str, entry: dict[str, Any]) -> Work:
    from citekit.formats.csl import CSL_VARIABLES, freeze

    reader = _Reader()
    hints: dict[str, str] = {}
    kind = (scalar_text(entry.get("type")) or "misc").lower()
    parents_raw = entry.get("parent")
    parents = (
        [p for p in parents_raw if isinstance(p, dict)]
        if isinstance(parents_raw, list)
        else [parents_raw]
        if isinstance(parents_raw, dict)
        else []
    )
    contained = kind in _CONTAINED
    default_parent = {"article": "periodical", "chapter": "book", "entry": "reference"}
    container: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    others: list[dict[str, Any]] = []
    for parent in parents:
        parent_type = (scalar_text(parent.get("type")) or default_parent.get(kind, "misc")).lower()
        if parent_type in _EVENTS and event is None:
            event = parent
        elif container is None:
            container = parent
        else:
            others.append(parent)
    container_type = (
        (scalar_text(container.get("type")) or default_parent.get(kind, "misc")).lower()
        if container is not None
        else None
    )
    if event is not None and container is None and kind == "article":
        container_type = "conference"
    work_type = _READ_WITH_PARENT.get((kind, container_type or ""), _READ_TYPES.get(kind))
    if work_type is None:
        work_type = WorkType.DOCUMENT
        reader.extra["type"] = kind
    # The entry's own fields.
    for name, value in entry.items():
        if name in ("type", "parent"):
            continue
        if name == "title":
            reader.title(value, "title", "title_short", "title")
        elif name in ("author", "editor"):
            persons = _persons(value, name, reader.extra)
            if persons:
                reader.roles[Role.AUTHOR if name == "author" else Role.EDITOR] = persons
        elif name == "affiliated":
            groups = value if isinstance(value, list) else [value]
            for group in groups:
                role_name = scalar_text(group.get("role")) if isinstance(group, dict) else None
                role = _ROLES.get(_kebab(role_name or ""))
                if role is None or role in reader.roles or not isinstance(group, dict):
                    index = sum(1 for k in reader.extra if k.endswith(".role")) + 1
                    flatten(f"affiliated.{index}", group, reader.extra)
                    continue
                persons = _persons(group.get("names"), f"affiliated.{_kebab(role_name or '')}",
                                   reader.extra)  # fmt: skip
                if persons:
                    reader.roles[role] = persons
        elif name == "date":
            date = _date(value)
            if date is None or not reader.set("issued", date):
                flatten(name, value, reader.extra)
        elif name == "url":
            if isinstance(value, dict):
                reader.set("url", scalar_text(value.get("value")))
                accessed = _date(value.get("date"))
                if accessed is not None:
                    reader.set("accessed", accessed)
                for key, item in value.items():
                    if key not in ("value", "date"):
                        flatten(f"url.{key}", item, reader.extra)
            elif not reader.set("url", scalar_text(value)):
                flatten(name, value, reader.extra)
        elif name == "serial-number":
            reader.serials(value, "serial-number")
        elif (
            name in (*_SERIALS, "arxiv") and scalar_text(value) is not None
        ):  # Hayagriva before 0.4
            if not reader.set(_SERIALS.get(name, name), scalar_text(value)):
                flatten(name, value, reader.extra)
        elif name == "publisher":
            reader.publisher(value, "publisher")
        elif name in ("volume", "issue"):
            if not reader.set(name, scalar_text(value)):
                flatten(name, value, reader.extra)
        elif name in _FORMATTABLE and (scalar_text(value) is not None or isinstance(value, dict)):
            reader.title(value, _TEXT[name], "_", name)
        elif name in _TEXT:
            if not reader.set(_TEXT[name], scalar_text(value)):
                flatten(name, value, reader.extra)
        elif name in _VARIABLES and scalar_text(value) is not None:
            reader.variables[_VARIABLES[name]] = scalar_text(value)
        elif name == "keywords" and isinstance(value, list | str):
            reader.fields["keywords"] = value
        elif name in CSL_VARIABLES and name not in _FIELDS and value is not None:
            reader.variables[name] = freeze(value)
        elif name == _HINTS and isinstance(value, dict):
            hints.update((str(k), str(v)) for k, v in value.items() if k != "hayagriva")
        elif name == "extra" and isinstance(value, dict):
            for key, item in value.items():
                text = scalar_text(item) if not isinstance(item, str) else item
                if text is not None:
                    reader.extra[str(key)] = text
        elif name != "location":
            flatten(name, value, reader.extra)
    location = entry.get("location")
    # The container (or, for a book, its series).
    if container is not None:
        if contained:
            reader.title(container.get("title"), "container_title", "container_title_short",
                         "parent.title")  # fmt: skip
            for name in ("volume", "issue"):
                if scalar_text(container.get(name)) is not None and not reader.set(
                    name, scalar_text(container.get(name))
                ):
                    reader.extra[f"parent.{name}"] = str(container[name])
            if "publisher" in container:
                reader.publisher(container["publisher"], "parent.publisher")
            if "serial-number" in container:
                reader.serials(container["serial-number"], "parent.serial-number",
                               ("issn", "isbn"))  # fmt: skip
            for name in ("issn", "isbn"):  # Hayagriva before 0.4
                text = scalar_text(container.get(name))
                if text is not None and not reader.set(name, text):
                    reader.extra[f"parent.{name}"] = text
            date = _date(container.get("date"))
            if date is not None and not reader.set("issued", date):
                reader.extra["parent.date"] = str(container["date"])
            editors = container.get("editor")
            if editors is not None:
                persons = _persons(editors, "parent.editor", reader.extra)
                if persons and Role.EDITOR not in reader.roles:
                    reader.roles[Role.EDITOR] = persons
                elif persons:  # the entry has its own editors: the container's stay as text
                    flatten("parent.editor", [str(p) for p in persons], reader.extra)
            if container.get("location") is not None:
                reader.title(container["location"], "publisher_place", "_", "parent.location")
            authors = container.get("author")
            if authors is not None:
                persons = _persons(authors, "parent.author", reader.extra)
                if persons:
                    reader.roles.setdefault(Role.CONTAINER_AUTHOR, persons)
            grand = container.get("parent")
            if isinstance(grand, dict):
                reader.title(grand.get("title"), "collection_title", "_", "parent.parent.title")
                number = scalar_text(grand.get("volume"))
                if number is not None:
                    reader.set("collection_number", number)
                for name, value in grand.items():
                    if name not in ("title", "volume", "type"):
                        flatten(f"parent.parent.{name}", value, reader.extra)
            handled = {"title", "volume", "issue", "publisher", "serial-number", "date",
                       "editor", "author", "parent", "type", "issn", "isbn",
                       "location"}  # fmt: skip
        else:
            reader.title(container.get("title"), "collection_title", "_", "parent.title")
            number = scalar_text(container.get("volume")) or scalar_text(container.get("issue"))
            if number is not None:
                reader.set("collection_number", number)
            handled = {"title", "volume", "type"} if scalar_text(container.get("volume")) else {
                "title", "issue", "type"}  # fmt: skip
        for name, value in container.items():
            if name not in handled:
                flatten(f"parent.{name}", value, reader.extra)
    if event is not None:
        reader.title(event.get("title"), "event_title", "_", "event.title")
        reader.set("event_place", scalar_text(event.get("location")))
        date = _date(event.get("date"))
        if date is not None:
            reader.set("event_date", date)
        for name, value in event.items():
            if name not in ("title", "location", "date", "type"):
                flatten(f"event.{name}", value, reader.extra)
    for index, parent in enumerate(others, 2):
        flatten(f"parent.{index}", parent, reader.extra)
    if location is not None:
        attribute = "event_place" if work_type is WorkType.EVENT else "publisher_place"
        reader.title(entry["location"], attribute, "_", "location")
    reader.fields.pop("_", None)
    if "keywords" in reader.fields and not all(
        isinstance(k, str | int | float) for k in reader.fields["keywords"]
    ):
        flatten("keywords", reader.fields.pop("keywords"), reader.extra)
    hints["hayagriva"] = kind + (f" {container_type}" if container_type else "")
    return Work(
        key=entry_key,
        type=work_type,
        contributors=reader.roles,
        variables=reader.variables,
        extra=reader.extra,
        rich=reader.rich,
        hints=hints,
        **reader.fields,
    )


def _kebab(name: str) -> str:
    """``ExecutiveProducer`` or ``executive-producer`` as ``executive-producer``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name.strip()).lower().replace("_", "-")


#: A top-level key alone on its line (plain, or quoted: 'westfahl:space':).
_FIRST_KEY = re.compile(
    r"""(?P<key>'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^\s#'"\-?:][^#]*?)\s*:(?:\s+#.*)?\s*$"""
)


def sniff_hayagriva(head: bytes) -> bool:
    """Whether the first bytes of a YAML file look like Hayagriva (not CSL-YAML).

    Hayagriva: a mapping of keys to entries, the first entry's fields indented
    under its key, among them ``type``, ``title``, ``author`` or ``parent``.
    CSL-YAML: a ``references`` list, a list of items, or an item with ``id``.
    """
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and line.strip() != "---"
    ]
    if not lines or lines[0].startswith("-"):
        return False
    first = _FIRST_KEY.match(lines[0])
    if first is None or first.group("key").strip("'\"") in (
        "references",
        "items",
        "excerpts",
        "id",
    ):
        return False
    fields = []
    for line in lines[1:]:
        if not line.startswith((" ", "\t")):
            break
        match = re.match(r"\s+([A-Za-z-]+)\s*:", line)
        if match:
            fields.append(match.group(1))
    return bool({"type", "title", "author", "parent", "editor", "date"} & set(fields))


class HayagrivaFormat:
    """Hayagriva YAML files (``.yaml``, ``.yml``), told from CSL-YAML by their content.

    ``read`` never raises for bad input: invalid YAML gives one problem and an
    empty library; an entry that is not a mapping gives a problem with its line
    and the others still load.
    """

    name = "hayagriva"
    extensions = (".yaml", ".yml")

    def sniff(self, head: bytes) -> bool:
        """True for a Hayagriva file (a mapping of keys to entries with a type or title)."""
        return sniff_hayagriva(head)

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read a Hayagriva YAML file."""
        from citekit.formats.yamlread import line_of, parse_yaml

        parsed = parse_yaml(data, path, "Hayagriva YAML")
        if isinstance(parsed, Problem):
            return Library(path=path, problems=[parsed])
        library = Library(path=path)
        document = parsed.value
        if document is None:
            return library
        if not isinstance(document, dict):
            library.problems.append(
                Problem(
                    message=f"expected a mapping of keys to entries, got {type(document).__name__}",
                    path=path,
                    line=1,
                )
            )
            return library
        for key, entry in document.items():
            line = line_of(parsed.root, [key])
            if not isinstance(entry, dict):
                library.problems.append(
                    Problem(
                        message="expected an entry (a mapping of fields); not read",
                        path=path,
                        line=line,
                        key=key,
                    )
                )
                continue
            if not key.strip() or key != key.strip():
                library.problems.append(
                    Problem(
                        message="a key has no surrounding spaces; entry not read",
                        path=path,
                        line=line,
                        key=key,
                    )
                )
                continue
            try:
                work = _read_entry(key, entry)
            except (TypeError, ValueError) as error:
                library.problems.append(
                    Problem(message=f"cannot be read: {error}", path=path, line=line, key=key)
                )
                continue
            library.add(work)
        return library

    def write(self, library: Library) -> bytes:
        """Write ``library`` as a Hayagriva YAML file."""
        from citekit.formats.cslyaml import _dump

        document = {work.key: _entry(work, []) for work in library.values()}
        if not document:
            return b"{}\n"
        try:
            text = _dump(document)
        except FormatError:
            raise
        blocks = re.sub(r"\n(?=\S)", "\n\n", text)
        return blocks.encode("utf-8")

    def losses(self, library: Library) -> list[Loss]:
        """What a Hayagriva file written from ``library`` would not hold, per field."""
        lost: list[tuple[str, str, str]] = []
        for work in library.values():
            _entry(work, lost)
        by_field: dict[tuple[str, str], list[str]] = {}
        for key, field, fate in lost:
            keys = by_field.setdefault((field, fate), [])
            if key not in keys:
                keys.append(key)
        # (attrs' converter=tuple on Loss.keys leaves mypy an unsolved Iterable[_T_co])
        return [Loss(self.name, field, keys, fate) for (field, fate), keys in by_field.items()]


# --- writing ---------------------------------------------------------------------------------


def _person_out(person: Person) -> Any:
    """A person as Hayagriva writes one: "Family, Given" where that reads back, else a mapping."""
    if person.literal is not None:
        return {"name": person.literal} if "," in person.literal else person.literal
    if person.family and person.given and not (person.dropping_particle or person.comma_suffix):
        text = person.bibtex()
        try:
            if "{" not in text and parse_name(text) == person:
                return text
        except ValueError:
            pass
    out: dict[str, str] = {}
    if person.family:
        out["name"] = person.family
    if person.given:
        out["given-name"] = person.given
    particle = " ".join(p for p in (person.dropping_particle, person.non_dropping_particle) if p)
    if particle:
        out["prefix"] = particle
    if person.suffix:
        out["suffix"] = person.suffix
    return out


def _unflatten(extra: dict[str, str], prefix: str) -> Any:
    """The extra keys under ``prefix.`` as a nested mapping (numbered keys as lists)."""
    out: dict[str, Any] = {}
    for name, value in extra.items():
        if not name.startswith(prefix + "."):
            continue
        steps = name[len(prefix) + 1 :].split(".")
        node = out
        for step in steps[:-1]:
            node = node.setdefault(step, {})
            if not isinstance(node, dict):
                break
        else:
            node[steps[-1]] = value
    return _lists(out)


def _lists(value: Any) -> Any:
    """Mappings numbered 1 to n (as :func:`_flatten` numbers lists) back as lists."""
    if isinstance(value, dict):
        if value and set(value) == {str(i) for i in range(1, len(value) + 1)}:
            return [_lists(value[str(i)]) for i in range(1, len(value) + 1)]
        return {k: _lists(v) for k, v in value.items()}
    return value


def _entry(work: Work, lost: list[tuple[str, str, str]]) -> dict[str, Any]:
    """A work as a Hayagriva entry."""
    from citekit.formats.csl import thaw

    extra = dict(work.extra)
    used: set[str] = set()
    hint = work.hints.get("hayagriva", "").split()
    kind, parent_type = _WRITE_TYPES.get(work.type, ("misc", None))
    if hint:
        hinted_kind = hint[0]
        hinted_parent = hint[1] if len(hint) > 1 else None
        read_back = _READ_WITH_PARENT.get(
            (hinted_kind, hinted_parent or ""), _READ_TYPES.get(hinted_kind)
        )
        if read_back is work.type:
            kind, parent_type = hinted_kind, hinted_parent
    if work.type is WorkType.DOCUMENT and "type" in extra:
        kind = extra["type"]
        used.add("type")
    event_parent = work.event_title is not None or (
        work.type is not WorkType.EVENT
        and (work.event_place is not None or work.event_date is not None)
    )
    read_back = _READ_WITH_PARENT.get(
        (kind, parent_type or ("conference" if kind == "article" and event_parent else "")),
        _READ_TYPES.get(kind),
    )
    if read_back is not work.type and not (work.type is WorkType.DOCUMENT and "type" in used):
        lost.append((work.key, f"type {work.type.value}", f"written as {kind}"))
    entry: dict[str, Any] = {"type": kind}
    contained = kind in _CONTAINED

    def text_out(attribute: str, short: str | None = None) -> Any:
        plain = getattr(work, attribute)
        value, markup_lost = _formattable_out(plain, work.rich.get(attribute))
        if markup_lost:
            lost.append((work.key, f"markup of {attribute.replace('_', '-')}", "written as text"))
        short_text = getattr(work, short) if short else None
        if short_text is not None:
            value = dict(value) if isinstance(value, dict) else {"value": value}
            value["short"] = short_text
        return value

    if work.title is not None:
        entry["title"] = text_out("title", "title_short")
    elif work.title_short is not None:
        lost.append((work.key, "title-short", "dropped (no title to shorten)"))
    container: dict[str, Any] = {}
    series: dict[str, Any] = {}
    for group in work.contributors:
        names = [_person_out(p) for p in group.persons]
        base = {Role.AUTHOR: "author", Role.EDITOR: "editor"}.get(group.role)
        if group.role is Role.CONTAINER_AUTHOR and contained:
            base = "author"
        if base is not None:
            target = (
                container
                if (base == "editor" and kind == "chapter") or group.role is Role.CONTAINER_AUTHOR
                else entry
            )
            target[base] = names
            prefix = f"parent.{base}" if target is container else base
            _details(names, group.persons, extra, prefix, used)
            if any(p.is_others for p in group.persons):
                lost.append((work.key, group.role.value, "'others' written as a name"))
            if any(p.dropping_particle or p.comma_suffix for p in group.persons):
                lost.append((work.key, group.role.value, "name particles simplified"))
            continue

        if any(p.dropping_particle or p.comma_suffix for p in group.persons):
            lost.append((work.key, group.role.value, "name particles simplified"))
        role = _ROLE_OUT.get(group.role)
        if role is None:
            lost.append((work.key, group.role.value, "dropped (Hayagriva has no such role)"))
            continue
        _details(names, group.persons, extra, f"affiliated.{role}", used)
        entry.setdefault("affiliated", []).append({"role": role, "names": names})
    groups = {
        k: v for k, v in extra.items() if k.startswith("affiliated.") and k.split(".")[1].isdigit()
    }
    if groups:
        used.update(groups)
        unknown = _unflatten(groups, "affiliated")
        entry.setdefault("affiliated", []).extend(
            unknown if isinstance(unknown, list) else list(unknown.values())
        )
    if work.issued is not None:
        entry["date"] = _date_out(work, work.issued, "issued", lost)
    for name, attribute in _TEXT.items():
        value = getattr(work, attribute)
        if value is not None:
            entry[name] = text_out(attribute) if name in _FORMATTABLE else value
    for name, variable in _VARIABLES.items():
        value = work.variables.get(variable)
        if value is None:
            continue
        if isinstance(value, str) and value and value == value.strip():
            entry[name] = value
        else:
            lost.append((work.key, variable, "dropped (Hayagriva holds it as text)"))
    # Serial numbers: an ISSN (and a chapter's ISBN) belongs to the container.
    serial: dict[str, Any] = {}
    container_serial: dict[str, Any] = {}
    for name, attribute in _SERIALS.items():
        value = getattr(work, attribute)
        if value is None:
            continue
        on_container = contained and (name == "issn" or (name == "isbn" and kind == "chapter"))
        (container_serial if on_container else serial)[name] = value
    if container_serial:
        container["serial-number"] = container_serial
    if work.arxiv is not None:
        serial["arxiv"] = work.arxiv
    if work.number is not None:
        serial["serial"] = work.number
    if set(serial) == {"serial"}:
        entry["serial-number"] = serial["serial"]
    elif serial:
        entry["serial-number"] = serial
    if work.url is not None:
        if work.accessed is not None:
            entry["url"] = {
                "value": work.url,
                "date": _date_out(work, work.accessed, "accessed", lost),
            }
        else:
            entry["url"] = work.url
    elif work.accessed is not None:
        lost.append((work.key, "accessed", "dropped (Hayagriva dates a URL's access)"))
    # Volume, issue, publisher: the container's for contained entries (unless the
    # container had its own when read, kept in extra as parent.volume, ...).
    for name in ("volume", "issue", "publisher"):
        item: Any = getattr(work, name)
        if name == "publisher" and item is not None:
            item = text_out("publisher")
            if work.publisher_place is not None:
                item = {"name": item, "location": text_out("publisher_place")}
            elif isinstance(item, dict):  # a formattable mapping: the publisher's name
                item = {"name": item}
        if item is None:
            continue
        on_container = contained and not any(k.startswith(f"parent.{name}") for k in extra)
        (container if on_container else entry)[name] = item
    if work.publisher is None and work.publisher_place is not None:
        if work.type is WorkType.EVENT:  # an event's location is where it took place
            lost.append((work.key, "publisher-place", "dropped (no publisher)"))
        else:
            entry["location"] = text_out("publisher_place")
    if work.container_title is not None:
        if contained:
            container["title"] = text_out("container_title", "container_title_short")
        else:
            lost.append((work.key, "container-title", "dropped (not in a container)"))
            if work.container_title_short is not None:
                lost.append((work.key, "container-title-short", "dropped"))
    elif work.container_title_short is not None:
        lost.append((work.key, "container-title-short", "dropped"))
    if work.collection_title is not None:
        series["title"] = text_out("collection_title")
        if work.collection_number is not None:
            series["volume"] = work.collection_number
    elif work.collection_number is not None:
        lost.append((work.key, "collection-number", "dropped (no series title)"))
    # The first parent: the container (with the series as its parent), or the series.
    first: dict[str, Any] = {}
    if contained:
        first.update(container)
        if series:
            if "title" not in first:
                lost.append((work.key, "collection-title", "dropped (no container)"))
                if "volume" in series:
                    lost.append((work.key, "collection-number", "dropped (no container)"))
            else:
                first["parent"] = {"type": "book", **series}
    else:
        first.update(series)
    kept: Any = _unflatten(extra, "parent")
    used.update(k for k in extra if k.startswith("parent."))
    others: list[Any] = []
    if isinstance(kept, list):
        others, kept = kept, {}
    others.extend(value for name, value in kept.items() if name.isdigit())
    spill: list[str] = []
    _merge(first, {k: v for k, v in kept.items() if not k.isdigit()}, "parent", spill)
    parents: list[Any] = []
    if first or parent_type is not None:
        parents.append({"type": parent_type or ("book" if not contained else "misc"), **first})
    if work.event_title is not None or work.event_place is not None or work.event_date is not None:
        if work.type is WorkType.EVENT and work.event_title is None:
            if work.event_place is not None:
                entry["location"] = work.event_place
            if work.event_date is not None:
                lost.append((work.key, "event-date", "dropped"))
        else:
            event: dict[str, Any] = {"type": "conference"}
            if work.event_title is not None:
                event["title"] = text_out("event_title")
            if work.event_place is not None:
                event["location"] = work.event_place
            if work.event_date is not None:
                event["date"] = _date_out(work, work.event_date, "event-date", lost)
            _merge(event, _unflatten(extra, "event"), "event", spill)
            used.update(k for k in extra if k.startswith("event."))
            parents.append(event)
    parents.extend(others)
    # Other extra keys: fields of the entry, dotted ones inside the field they belong to.
    from citekit.formats.csl import CSL_VARIABLES

    for top in sorted({name.partition(".")[0] for name in extra if name not in used}):
        keys = [k for k in extra if k not in used and (k == top or k.startswith(top + "."))]
        if top in extra and top not in used:
            plain = top in _UNMAPPED or not (
                top in _FIELDS or top in CSL_VARIABLES or top in ("keywords", "extra")
            )
            if plain and top not in entry:
                entry[top] = extra[top]
            else:  # a name Hayagriva or CSL gives another meaning: in the "extra" mapping
                entry.setdefault("extra", {})[top] = extra[top]
            used.add(top)
            keys.remove(top)
            if not keys:
                continue
        nested = _unflatten({k: extra[k] for k in keys}, top)
        if isinstance(entry.get(top), list) and top in ("author", "editor", "affiliated"):
            spill.extend(keys)  # details of persons not written as mappings
        elif not nested or not top:
            spill.extend(keys)
        else:
            _merge(entry, {top: nested}, "", spill)
        used.update(keys)
    # What found no place in the entry's structure: verbatim in the "extra" mapping.
    for where in spill:
        for name, value in extra.items():
            if name == where or name.startswith(where + "."):
                entry.setdefault("extra", {})[name] = value
    if parents:
        entry["parent"] = parents[0] if len(parents) == 1 else parents
    # How other formats wrote the work (BibTeX's field names, ...), for a way back.
    others_hints = {k: v for k, v in work.hints.items() if k != "hayagriva"}
    if others_hints:
        entry[_HINTS] = others_hints
    # What Hayagriva has no field for.
    for attribute in ("original_title", "original_date", "medium", "pmid"):
        if attribute != "pmid" and getattr(work, attribute) is not None:
            lost.append((work.key, attribute.replace("_", "-"), "dropped"))
    # Keywords and other CSL variables: under their CSL names (Hayagriva ignores them).
    if work.keywords:
        entry["keywords"] = list(work.keywords)
    for variable, value in work.variables.items():
        if variable in _VARIABLES.values():
            continue
        if variable in _FIELDS or variable in entry:
            lost.append((work.key, variable, "dropped"))
        else:
            entry[variable] = thaw(value)
    for attribute in work.rich:
        if attribute not in (
            "title",
            "container_title",
            "collection_title",
            "event_title",
            "publisher",
            "publisher_place",
            "abstract",
            "genre",
            "note",
        ):
            lost.append((work.key, f"markup of {attribute.replace('_', '-')}", "written as text"))
    return entry


_FORMS = {"title": "value", "url": "value", "publisher": "name"}


def _details(
    names: list[Any],
    persons: tuple[Person, ...],
    extra: dict[str, str],
    prefix: str,
    used: set[str],
) -> None:
    """Add the details kept in extra (an alias, ...) to the persons written."""
    for index in range(1, len(names) + 1):
        details = _unflatten(extra, f"{prefix}.{index}")
        if not isinstance(details, dict) or not details:
            continue
        if isinstance(names[index - 1], str):
            names[index - 1] = _person_dict(persons[index - 1])
        if isinstance(names[index - 1], dict):
            for key, value in details.items():
                names[index - 1].setdefault(key, value)
            used.update(k for k in extra if k.startswith(f"{prefix}.{index}."))


def _merge(target: dict[str, Any], kept: dict[str, Any], prefix: str, spill: list[str]) -> None:
    """Put values kept in extra back into ``target``, inside the fields they belong to.

    The dotted names of values that have no place there (the field is taken)
    are added to ``spill``.
    """
    for name, value in kept.items():
        where = f"{prefix}.{name}" if prefix else name
        current = target.get(name)
        if current is None:
            target[name] = value
        elif isinstance(value, dict):
            if isinstance(current, str) and name in _FORMS:
                current = target[name] = {_FORMS[name]: current}
            if isinstance(current, dict):
                _merge(current, value, where, spill)
            else:
                spill.append(where)
        else:
            spill.append(where)


def _person_dict(person: Person) -> dict[str, str]:
    if person.literal is not None:
        return {"name": person.literal}
    out = {"name": person.family or person.given or ""}
    if person.given and person.family:
        out["given-name"] = person.given
    if person.non_dropping_particle:
        out["prefix"] = person.non_dropping_particle
    if person.suffix:
        out["suffix"] = person.suffix
    return out


def _date_out(work: Work, date: Date, field: str, lost: list[tuple[str, str, str]]) -> str:
    """A date as Hayagriva writes it (ISO 8601, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
    simple = (
        date.literal is None
        and not date.is_range
        and not date.open_start
        and not date.uncertain
        and date.start is not None
        and date.start.season is None
    )
    if simple and date.circa and date.start is not None:
        return "~" + str(date.start)
    if not (simple and not date.circa):
        lost.append((work.key, field, "written as text (Hayagriva dates are single ISO dates)"))
    return str(date)
