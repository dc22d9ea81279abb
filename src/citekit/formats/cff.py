"""CITATION.cff: the Citation File Format 1.2.0 of software repositories.

A ``CITATION.cff`` file describes one piece of software (or one data set):
its title, authors, version, DOI, release date and repository, and may add a
``preferred-citation`` (the work its authors would rather have cited, often
a paper) and ``references`` (the works it builds on). citekit reads each of
them as a :class:`~citekit.Work`: the software first, then the preferred
citation, then the references, with ``work.hints["cff"]`` saying which part
of the file each came from and its CFF type.

Persons and entities become :class:`~citekit.Person` objects (an entity's
``name`` a literal name); what CSL's names have no place for (``orcid``,
``affiliation``, ``email``, ``alias``, ``website``, an address, ...) is kept in
``work.extra`` under the key ``<list>.<n>.<key>``: ``authors.1.orcid``,
``authors.2.affiliation``. Every other CFF key the model has no field for is
kept in ``work.extra`` the same way (``message``, ``commit``,
``identifiers.1.value``, ``conference.country``), and written back.

Writing needs a work of type ``software`` or ``dataset``: the one read as
the file's software, else the first such work. A work read as the preferred
citation is written as one, and every other work as a reference. What is
written is checked against the CFF 1.2.0 JSON schema (carried in
``citekit/formats/schemas/``), and :meth:`CffFormat.losses` names what a
file cannot hold. CFF has no citation keys: works read from a file get keys
made from their title (the software) or first author and year.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import attrs

from citekit.errors import FormatError
from citekit.formats.losses import Loss
from citekit.formats.structured import flatten, scalar_text
from citekit.model import Date, DateParts, Library, Person, Problem, Role, Work, WorkType
from citekit.model.identifiers import strip_doi

__all__ = ["CFF_TYPES", "CffFormat"]

CFF_VERSION = "1.2.0"
DEFAULT_MESSAGE = "If you use this software, please cite it as below."

#: CFF reference types and the CSL type each is read as.
CFF_TYPES: dict[str, WorkType] = {
    "art": WorkType.GRAPHIC,
    "article": WorkType.ARTICLE_JOURNAL,
    "audiovisual": WorkType.MOTION_PICTURE,
    "bill": WorkType.BILL,
    "blog": WorkType.POST_WEBLOG,
    "book": WorkType.BOOK,
    "catalogue": WorkType.BOOK,
    "conference-paper": WorkType.PAPER_CONFERENCE,
    "conference": WorkType.EVENT,
    "data": WorkType.DATASET,
    "database": WorkType.DATASET,
    "dataset": WorkType.DATASET,
    "dictionary": WorkType.BOOK,
    "edited-work": WorkType.BOOK,
    "encyclopedia": WorkType.BOOK,
    "film-broadcast": WorkType.BROADCAST,
    "generic": WorkType.DOCUMENT,
    "government-document": WorkType.REPORT,
    "grant": WorkType.DOCUMENT,
    "hearing": WorkType.HEARING,
    "historical-work": WorkType.MANUSCRIPT,
    "legal-case": WorkType.LEGAL_CASE,
    "legal-rule": WorkType.REGULATION,
    "magazine-article": WorkType.ARTICLE_MAGAZINE,
    "manual": WorkType.BOOK,
    "map": WorkType.MAP,
    "multimedia": WorkType.DOCUMENT,
    "music": WorkType.MUSICAL_SCORE,
    "newspaper-article": WorkType.ARTICLE_NEWSPAPER,
    "pamphlet": WorkType.PAMPHLET,
    "patent": WorkType.PATENT,
    "personal-communication": WorkType.PERSONAL_COMMUNICATION,
    "proceedings": WorkType.BOOK,
    "report": WorkType.REPORT,
    "serial": WorkType.PERIODICAL,
    "slides": WorkType.SPEECH,
    "software": WorkType.SOFTWARE,
    "software-code": WorkType.SOFTWARE,
    "software-container": WorkType.SOFTWARE,
    "software-executable": WorkType.SOFTWARE,
    "software-virtual-machine": WorkType.SOFTWARE,
    "sound-recording": WorkType.SONG,
    "standard": WorkType.STANDARD,
    "statute": WorkType.LEGISLATION,
    "thesis": WorkType.THESIS,
    "unpublished": WorkType.MANUSCRIPT,
    "video": WorkType.MOTION_PICTURE,
    "website": WorkType.WEBPAGE,
}

#: The CFF type a CSL type is written as (when the work was not read with one).
_TYPE_OUT: dict[WorkType, str] = {
    WorkType.ARTICLE: "article",
    WorkType.ARTICLE_JOURNAL: "article",
    WorkType.ARTICLE_MAGAZINE: "magazine-article",
    WorkType.ARTICLE_NEWSPAPER: "newspaper-article",
    WorkType.BILL: "bill",
    WorkType.BOOK: "book",
    WorkType.BROADCAST: "film-broadcast",
    WorkType.DATASET: "data",
    WorkType.DOCUMENT: "generic",
    WorkType.EVENT: "conference",
    WorkType.GRAPHIC: "art",
    WorkType.HEARING: "hearing",
    WorkType.LEGAL_CASE: "legal-case",
    WorkType.LEGISLATION: "statute",
    WorkType.MANUSCRIPT: "unpublished",
    WorkType.MAP: "map",
    WorkType.MOTION_PICTURE: "video",
    WorkType.MUSICAL_SCORE: "music",
    WorkType.PAMPHLET: "pamphlet",
    WorkType.PAPER_CONFERENCE: "conference-paper",
    WorkType.PATENT: "patent",
    WorkType.PERIODICAL: "serial",
    WorkType.PERSONAL_COMMUNICATION: "personal-communication",
    WorkType.POST_WEBLOG: "blog",
    WorkType.REGULATION: "legal-rule",
    WorkType.REPORT: "report",
    WorkType.SOFTWARE: "software",
    WorkType.SONG: "sound-recording",
    WorkType.SPEECH: "slides",
    WorkType.STANDARD: "standard",
    WorkType.THESIS: "thesis",
    WorkType.WEBPAGE: "website",
}

#: CFF's person lists and the CSL role each is read as.
_ROLES: dict[str, Role] = {
    "authors": Role.AUTHOR,
    "editors": Role.EDITOR,
    "editors-series": Role.COLLECTION_EDITOR,
    "translators": Role.TRANSLATOR,
    "recipients": Role.RECIPIENT,
}
_ROLE_KEYS = {role: key for key, role in _ROLES.items()}

#: CFF keys read into Work's text attributes.
_TEXT: dict[str, str] = {
    "title": "title",
    "abbreviation": "title_short",
    "abstract": "abstract",
    "doi": "doi",
    "isbn": "isbn",
    "issn": "issn",
    "pmcid": "pmcid",
    "edition": "edition",
    "volume": "volume",
    "issue": "issue",
    "number": "number",
    "pages": "number_of_pages",
    "number-volumes": "number_of_volumes",
    "medium": "medium",
    "notes": "note",
    "thesis-type": "genre",
}
#: CFF keys read into CSL variables (``work.variables``).
_VARIABLES: dict[str, str] = {
    "version": "version",
    "status": "status",
    "section": "section",
    "volume-title": "volume-title",
    "license": "license",
}
#: CFF keys the reader puts into model fields: an extra field of such a name
#: is not written under it (it would come back as the field).
_MODEL_KEYS = frozenset({*_TEXT, *_VARIABLES})
_CODE_HOSTS = re.compile(
    r"^https?://(?:www\.)?(?:github\.com|gitlab\.[a-z.]+|bitbucket\.org|codeberg\.org"
    r"|sourceforge\.net|git\.)",
    re.I,
)
_FULL_DATE = re.compile(r"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$")


@functools.cache
def schema() -> dict[str, Any]:
    """The CFF 1.2.0 JSON schema (from citation-file-format/citation-file-format)."""
    text = resources.files("citekit.formats").joinpath("schemas/cff-1.2.0.json").read_text("utf-8")
    value: dict[str, Any] = json.loads(text)
    return value


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(schema())


def _definition(name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema()["definitions"][name]
    return found


def _person_keys() -> frozenset[str]:
    return frozenset(_definition("person")["properties"]) | frozenset(
        _definition("entity")["properties"]
    )


def _root_keys() -> frozenset[str]:
    return frozenset(schema()["properties"])


def _reference_keys() -> frozenset[str]:
    return frozenset(_definition("reference")["properties"])


def schema_errors(document: Any) -> list[tuple[list[str | int], str]]:
    """Where ``document`` breaks the CFF 1.2.0 schema: (path, message) pairs, in order."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    out: list[tuple[list[str | int], str]] = []
    for error in errors:
        best = error
        if error.context:  # an anyOf: the alternative that got furthest says most
            best = max(error.context, key=lambda e: len(e.path))
        message = best.message
        if len(message) > 200:
            message = message[:200] + "..."
        out.append(([*best.absolute_path], message))
    return out


# --- reading ---------------------------------------------------------------------------------


def _person(value: Any, prefix: str, extra: dict[str, str]) -> Person | None:
    if not isinstance(value, dict):
        flatten(prefix, value, extra, keep_blank=False)
        return None
    details = dict(value)
    family = scalar_text(details.pop("family-names", None))
    given = scalar_text(details.pop("given-names", None))
    particle = scalar_text(details.pop("name-particle", None))
    suffix = scalar_text(details.pop("name-suffix", None))
    name = scalar_text(details.pop("name", None))
    person: Person | None = None
    try:
        if family or given:
            person = Person(
                family=family, given=given, non_dropping_particle=particle, suffix=suffix
            )
            if name:
                details["name"] = name
        elif name:
            person = Person(literal=name)
            for key, part in (("name-particle", particle), ("name-suffix", suffix)):
                if part:
                    details[key] = part
        elif scalar_text(details.get("alias")):
            person = Person(literal=scalar_text(details.pop("alias")))
            details["alias-only"] = True
    except ValueError:
        person = None
    if person is None:
        flatten(prefix, value, extra, keep_blank=False)
        return None
    flatten(prefix, details, extra, keep_blank=False)
    return person


def _date(text: Any) -> Date | None:
    value = scalar_text(text)
    if value is None:
        return None
    try:
        return Date.parse(value)
    except ValueError:
        return None


def _year_month(year: Any, month: Any) -> Date | None:
    y = scalar_text(year)
    if y is None or not re.fullmatch(r"-?[0-9]{1,4}", y):
        return None
    m = scalar_text(month)
    try:
        if m is not None and re.fullmatch(r"[0-9]{1,2}", m):
            return Date(start=DateParts(int(y), int(m)))
        return Date(start=DateParts(int(y)))
    except ValueError:
        return None


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:40].strip("-")


def _base_key(work: Work, part: str) -> str:
    """The key CFF works are read under (CFF has no keys)."""
    if part == "root":
        return _slug(work.title or "") or "software"
    first = next(iter(work.authors or work.editors), None)
    name = ""
    if first is not None:
        name = first.family or first.literal or first.given or ""
    year = work.issued.year if work.issued is not None else None
    base = _slug(name.split()[-1] if name.split() else "") or _slug(work.title or "") or "ref"
    return f"{base}{year}" if year is not None else base


def _work(obj: dict[str, Any], part: str, cff_type: str | None) -> Work:
    """A CFF object (the root, the preferred citation or a reference) as a Work."""
    fields: dict[str, Any] = {}
    variables: dict[str, Any] = {}
    extra: dict[str, str] = {}
    contributors: dict[Role, list[Person]] = {}
    rest = dict(obj)
    rest.pop("cff-version", None)
    rest.pop("type", None)
    rest.pop("preferred-citation", None)
    rest.pop("references", None)
    hint_flags: list[str] = []
    work_type = CFF_TYPES.get(cff_type or "", WorkType.DOCUMENT)
    if cff_type is not None and cff_type not in CFF_TYPES:
        extra["type"] = cff_type
    for key, role in _ROLES.items():
        value = rest.pop(key, None)
        if isinstance(value, list):
            persons = []
            for index, item in enumerate(value, 1):
                person = _person(item, f"{key}.{index}", extra)
                if person is not None:
                    persons.append(person)
            if persons:
                contributors[role] = persons
        elif value is not None:
            flatten(key, value, extra, keep_blank=False)
    for key, attribute in _TEXT.items():
        text = scalar_text(rest.get(key))
        if text is not None:
            rest.pop(key)
            fields[attribute] = text
    for key, variable in _VARIABLES.items():
        value = rest.get(key)
        if key == "license" and isinstance(value, list) and all(scalar_text(v) for v in value):
            rest.pop(key)
            variables[variable] = " OR ".join(str(v).strip() for v in value)
        elif scalar_text(value) is not None:
            rest.pop(key)
            variables[variable] = scalar_text(value)
    # Containers: a journal, else a collection (proceedings, edited book).
    journal = scalar_text(rest.pop("journal", None))
    collection = scalar_text(rest.get("collection-title"))
    if journal is not None:
        fields["container_title"] = journal
    elif collection is not None:
        rest.pop("collection-title")
        fields["container_title"] = collection
    start, end = scalar_text(rest.get("start")), scalar_text(rest.get("end"))
    if start is not None:
        rest.pop("start")
        fields["page"] = f"{start}-{rest.pop('end')}" if end is not None else start
    elif end is not None:
        rest.pop("end")
        fields["page"] = end
    # URLs: the work's own, else its source code repository's.
    url = scalar_text(rest.pop("url", None))
    code = scalar_text(rest.get("repository-code"))
    if url is not None:
        fields["url"] = url
    elif code is not None:
        rest.pop("repository-code")
        fields["url"] = code
    keywords = rest.get("keywords")
    if isinstance(keywords, list) and all(scalar_text(k) for k in keywords):
        rest.pop("keywords")
        fields["keywords"] = [str(k).strip() for k in keywords]
    languages = rest.get("languages")
    if isinstance(languages, list) and len(languages) == 1 and scalar_text(languages[0]):
        rest.pop("languages")
        fields["language"] = scalar_text(languages[0])
    # Dates.
    for key in ("date-published", "date-released"):
        date = _date(rest.get(key))
        if date is not None and "issued" not in fields:
            rest.pop(key)
            fields["issued"] = date
    if "issued" not in fields:
        date = _year_month(rest.get("year"), rest.get("month"))
        if date is not None:
            rest.pop("year")
            rest.pop("month", None)
            fields["issued"] = date
    accessed = _date(rest.get("date-accessed"))
    if accessed is not None:
        rest.pop("date-accessed")
        fields["accessed"] = accessed
    original = _year_month(rest.get("year-original"), None)
    if original is not None:
        rest.pop("year-original")
        fields["original_date"] = original
    # Entities: publisher (or institution), conference.
    for key in ("publisher", "institution"):
        entity = rest.get(key)
        if (
            isinstance(entity, dict)
            and scalar_text(entity.get("name"))
            and "publisher" not in fields
        ):
            entity = dict(rest.pop(key))
            fields["publisher"] = scalar_text(entity.pop("name"))
            place = scalar_text(entity.pop("city", None))
            if place is not None:
                fields["publisher_place"] = place
            flatten(key, entity, extra, keep_blank=False)
            if key == "institution":
                hint_flags.append("institution")
    conference = rest.get("conference")
    if isinstance(conference, dict) and scalar_text(conference.get("name")):
        entity = dict(rest.pop("conference"))
        fields["event_title"] = scalar_text(entity.pop("name"))
        place = scalar_text(entity.pop("city", None))
        if place is not None:
            fields["event_place"] = place
        begin, finish = _date(entity.get("date-start")), _date(entity.get("date-end"))
        if begin is not None and _plain(begin):
            entity.pop("date-start")
            event = begin
            if finish is not None and _plain(finish):
                try:
                    event = Date(start=begin.start, end=finish.start)
                    entity.pop("date-end")
                except ValueError:
                    event = begin
            fields["event_date"] = event
        flatten("conference", entity, extra, keep_blank=False)
    for key, value in rest.items():
        flatten(key, value, extra, keep_blank=False)
    return Work(
        key="-",
        type=work_type,
        contributors=contributors,
        variables=variables,
        extra=extra,
        hints={"cff": " ".join([part, cff_type or "-", *hint_flags])},
        **fields,
    )


class CffFormat:
    """``CITATION.cff`` files (CFF 1.2.0): a software or data set, its preferred citation,
    its references.

    ``read`` never raises for bad input: invalid YAML gives one problem and an
    empty library; what breaks the CFF schema gives a warning with its line
    and is still read as far as it can be.
    """

    name = "cff"
    extensions = (".cff",)

    def read(self, data: bytes, *, path: str | None = None) -> Library:
        """Read a ``CITATION.cff`` file."""
        from citekit.formats.yamlread import line_of, parse_yaml

        parsed = parse_yaml(data, path, "CITATION.cff")
        if isinstance(parsed, Problem):
            return Library(path=path, problems=[parsed])
        library = Library(path=path)
        document = parsed.value
        if not isinstance(document, dict):
            library.problems.append(
                Problem(
                    message="expected a mapping of CFF keys (cff-version, title, authors, ...),"
                    f" got {type(document).__name__ if document is not None else 'nothing'}",
                    path=path,
                    line=1,
                )
            )
            return library
        for where, message in schema_errors(document):
            shown = ".".join(str(step) for step in where) or "the file"
            library.problems.append(
                Problem(
                    message=f"{shown}: not valid CFF 1.2.0: {message}",
                    path=path,
                    line=line_of(parsed.root, where),
                    severity="warning",
                )
            )
        parts: list[tuple[dict[str, Any], str, list[str | int]]] = [(document, "root", [])]
        preferred = document.get("preferred-citation")
        if isinstance(preferred, dict):
            parts.append((preferred, "preferred-citation", ["preferred-citation"]))
        references = document.get("references")
        if isinstance(references, list):
            for index, reference in enumerate(references):
                if isinstance(reference, dict):
                    parts.append((reference, "references", ["references", index]))
                else:
                    library.problems.append(
                        Problem(
                            message=f"references.{index}: expected a reference mapping; not read",
                            path=path,
                            line=line_of(parsed.root, ["references", index]),
                        )
                    )
        taken: set[str] = set()
        for obj, part, where in parts:
            raw_type = obj.get("type")
            cff_type = (
                scalar_text(raw_type) if part != "root" else scalar_text(raw_type) or "software"
            )
            try:
                work = _work(obj, part, cff_type)
            except (TypeError, ValueError) as error:
                library.problems.append(
                    Problem(
                        message=f"{'.'.join(map(str, where)) or 'the software'}: cannot be"
                        f" read: {error}",
                        path=path,
                        line=line_of(parsed.root, where),
                    )
                )
                continue
            base = _base_key(work, part)
            key, count = base, 1
            while key in taken:
                count += 1
                key = f"{base}-{count}"
            taken.add(key)
            library.add(attrs.evolve(work, key=key))
        return library

    def write(self, library: Library) -> bytes:
        """Write ``library`` as a ``CITATION.cff`` file, checked against the CFF 1.2.0 schema.

        Raises :class:`~citekit.FormatError` when the library has no software or
        data set to describe, or when what it holds is not valid CFF (a reference
        without authors or title, say).
        """
        from citekit.formats.cslyaml import _dump

        document, _ = _document(library)
        errors = schema_errors(document)
        if errors:
            where, message = errors[0]
            shown = ".".join(str(step) for step in where) or "the file"
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise FormatError(f"cannot write valid CFF 1.2.0: {shown}: {message}{more}")
        return _dump(document).encode("utf-8")

    def losses(self, library: Library) -> list[Loss]:
        """What a ``CITATION.cff`` written from ``library`` would not hold, per field."""
        try:
            _, lost = _document(library)
        except FormatError:
            return []
        lost = lost + self._key_losses(library)
        by_field: dict[tuple[str, str], list[str]] = {}
        for key, field, fate in lost:
            keys = by_field.setdefault((field, fate), [])
            if key not in keys:
                keys.append(key)
        # (attrs' converter=tuple on Loss.keys leaves mypy an unsolved Iterable[_T_co])
        return [Loss(self.name, field, keys, fate) for (field, fate), keys in by_field.items()]

    def _key_losses(self, library: Library) -> Lost:
        """The works whose keys a written file would not give back (CFF has no keys)."""
        try:
            again = self.read(self.write(library))
        except FormatError:
            return []
        root, preferred, references = _pick(library)
        order = [root, *([preferred] if preferred is not None else []), *references]
        return [
            (work.key, "key", "made from the title, or the first author and year")
            for work, new in zip(order, again.keys(), strict=False)
            if work.key != new
        ]


# --- writing ---------------------------------------------------------------------------------


def _hint(work: Work) -> tuple[str | None, str | None]:
    hint = work.hints.get("cff")
    if not hint:
        return None, None
    part, _, rest = hint.partition(" ")
    cff_type = rest.split(" ")[0] if rest else ""
    return part, cff_type if cff_type not in ("", "-") else None


def _pick(library: Library) -> tuple[Work, Work | None, list[Work]]:
    works = library.works()
    root = next((w for w in works if _hint(w)[0] == "root"), None)
    if root is None:
        root = next(
            (w for w in works if w.type in (WorkType.SOFTWARE, WorkType.DATASET)),
            None,
        )
    if root is None:
        raise FormatError(
            "a CITATION.cff file describes a software or a data set: the library has no work"
            " of type software or dataset"
        )
    others = [w for w in works if w is not root]
    preferred = next((w for w in others if _hint(w)[0] == "preferred-citation"), None)
    references = [w for w in others if w is not preferred]
    return root, preferred, references


Lost = list[tuple[str, str, str]]


def _document(library: Library) -> tuple[dict[str, Any], Lost]:
    root, preferred, references = _pick(library)
    lost: Lost = []
    document: dict[str, Any] = {"cff-version": CFF_VERSION}
    body = _cff(root, "root", lost)
    document["message"] = body.pop("message", DEFAULT_MESSAGE)
    document.update(body)
    if preferred is not None:
        document["preferred-citation"] = _cff(preferred, "preferred-citation", lost)
    if references:
        document["references"] = [_cff(w, "references", lost) for w in references]
    order = ["cff-version", "message", "type", "title", "authors"]
    ordered = {k: document[k] for k in order if k in document}
    ordered.update((k, v) for k, v in document.items() if k not in ordered)
    _drop_invalid(ordered, root, preferred, references, lost)
    return ordered, lost


_REQUIRED = frozenset({"cff-version", "message", "title", "authors", "type"})


def _drop_invalid(
    document: dict[str, Any],
    root: Work,
    preferred: Work | None,
    references: list[Work],
    lost: Lost,
) -> None:
    """Remove the values CFF's schema rejects (a URL that is not one, a DOI
    that is not one, ...), each named in ``lost``; what cannot be removed
    (a missing title or author) is left for :meth:`CffFormat.write` to refuse."""
    for _ in range(1000):
        progress = False
        for where, message in schema_errors(document):
            owner = root.key
            steps = list(where)
            if steps[:1] == ["preferred-citation"] and preferred is not None:
                owner, steps = preferred.key, steps[1:]
            elif steps[:1] == ["references"] and len(steps) > 1 and isinstance(steps[1], int):
                if steps[1] < len(references):
                    owner = references[steps[1]].key
                steps = steps[2:]
            # The innermost mapping key on the path is the value to remove.
            node: Any = document
            for step in where[: len(where) - len(steps)]:
                node = node[step]
            parent, name, shown, depth = None, None, [], 0
            for step in steps:
                if isinstance(node, dict) and isinstance(step, str) and step in node:
                    parent, name = node, step
                    shown.append(step)
                    depth = len(shown)
                elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                    shown.append(str(step + 1))
                else:
                    break
                node = node[step]
            if parent is None or name is None or (name in _REQUIRED and depth == 1):
                continue
            if name in ("family-names", "given-names", "name") and depth > 1:
                continue
            del parent[name]
            field = ".".join(shown[:depth]) if depth > 1 else _FIELD_OF.get(name, name)
            lost.append((owner, field, f"dropped (not valid CFF: {message})"))
            progress = True
            break
        if not progress:
            return


#: The model field a CFF key holds, to name in the loss report.
_FIELD_OF = {
    **{key: attribute.replace("_", "-") for key, attribute in _TEXT.items()},
    "url": "url",
    "repository-code": "url",
    "keywords": "keywords",
    "languages": "language",
    "date-released": "issued",
    "date-published": "issued",
    "year": "issued",
    "month": "issued",
    "date-accessed": "accessed",
    "year-original": "original-date",
    "start": "page",
    "end": "page",
    "journal": "container-title",
    "collection-title": "container-title",
    "publisher": "publisher",
    "institution": "publisher",
    "conference": "event-title",
}


def _person_out(person: Person) -> dict[str, Any]:
    if person.literal is not None:
        return {"name": person.literal}
    out: dict[str, Any] = {}
    if person.family:
        out["family-names"] = person.family
    if person.given:
        out["given-names"] = person.given
    particle = " ".join(p for p in (person.dropping_particle, person.non_dropping_particle) if p)
    if particle:
        out["name-particle"] = particle
    if person.suffix:
        out["name-suffix"] = person.suffix
    return out


def _unflatten(extra: Mapping[str, str], allowed: Iterable[str]) -> tuple[dict[str, Any], set[str]]:
    """The extra keys whose first part is an ``allowed`` CFF key, as nested values."""
    allowed = set(allowed)
    out: dict[str, Any] = {}
    used: set[str] = set()
    for name, value in extra.items():
        steps = name.split(".")
        if steps[0] not in allowed or any(not s for s in steps):
            continue
        used.add(name)
        node: Any = out
        for step, following in zip(steps, [*steps[1:], None], strict=True):
            index = int(step) - 1 if step.isdigit() else None
            if following is None:
                if isinstance(node, dict) and index is None:
                    node[step] = value
                elif isinstance(node, list) and index is not None:
                    while len(node) <= index:
                        node.append(None)
                    node[index] = value
                else:
                    used.discard(name)
                break
            child: Any = [] if following.isdigit() else {}
            if isinstance(node, dict) and index is None:
                node = node.setdefault(step, child)
            elif isinstance(node, list) and index is not None:
                while len(node) <= index:
                    node.append(None)
                if node[index] is None:
                    node[index] = child
                node = node[index]
            else:
                used.discard(name)
                break
    return _compact(out), used


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not None]
    return value


def _plain(date: Date) -> bool:
    """A single date without qualifiers (what CFF's dates and years can say)."""
    return (
        date.literal is None
        and not date.is_range
        and not date.open_start
        and not date.circa
        and not date.uncertain
        and date.start is not None
        and date.start.season is None
        and date.start.year >= 0
    )


def _date_out(date: Date) -> str | None:
    if _plain(date) and date.start is not None:
        parts = date.start
        if parts.month is not None and parts.day is not None and parts.year >= 0:
            return str(parts)
    return None


def _type_out(work: Work, part: str, lost: Lost) -> str:
    _, hinted = _hint(work)
    if part == "root":
        if work.type is WorkType.DATASET:
            return "dataset"
        if work.type is not WorkType.SOFTWARE:
            lost.append((work.key, f"type {work.type.value}", "written as software"))
        return "software"
    if hinted is not None and CFF_TYPES.get(hinted) is work.type:
        return hinted
    stored = work.extra.get("type")
    if work.type is WorkType.DOCUMENT and stored in CFF_TYPES:
        return stored
    out = _TYPE_OUT.get(work.type)
    if out is None:
        out = "generic"
    if CFF_TYPES[out] is not work.type:
        lost.append((work.key, f"type {work.type.value}", f"written as {out}"))
    return out


def _cff(work: Work, part: str, lost: Lost) -> dict[str, Any]:
    """A work as a CFF object: the root's keys, or a reference's."""
    out: dict[str, Any] = {}
    allowed = _root_keys() if part == "root" else _reference_keys()
    out["type"] = _type_out(work, part, lost)

    def put(name: str, value: Any, field: str, *also: str) -> None:
        if value is None:
            return
        if name in allowed and name not in out:
            out[name] = value
        else:
            for one in (field, *also):
                lost.append((work.key, one, "dropped"))

    # Titles, names.
    put("title", work.title, "title")
    used_extra: set[str] = {"type"} if work.extra.get("type") == out.get("type") else set()
    for group in work.contributors:
        key = _ROLE_KEYS.get(group.role)
        if key is None or key not in allowed:
            lost.append((work.key, group.role.value, "dropped"))
            continue
        persons = []
        for index, person in enumerate(group.persons, 1):
            entry = _person_out(person)
            details, used = _unflatten(
                {
                    k.split(".", 2)[2]: v
                    for k, v in work.extra.items()
                    if k.startswith(f"{key}.{index}.") and k.count(".") >= 2
                },
                _person_keys() | {"alias-only"},
            )
            used_extra.update(f"{key}.{index}.{k}" for k in used)
            if details.pop("alias-only", None) == "true" and "name" in entry:
                details["alias"] = entry.pop("name")
            entry.update((k, v) for k, v in details.items() if k not in entry)
            if person.is_others:
                lost.append((work.key, group.role.value, "'others' written as a name"))
            elif person.dropping_particle or person.comma_suffix:
                lost.append(
                    (work.key, group.role.value, "name particles or suffix comma simplified")
                )
            if entry in persons:
                lost.append((work.key, group.role.value, "a repeated name written once"))
                continue
            persons.append(entry)
        out[key] = persons
    for name, attribute in _TEXT.items():
        value = getattr(work, attribute)
        if name == "title" or value is None:
            continue
        if name == "doi":
            value = strip_doi(value)
        put(name, value, attribute.replace("_", "-"))
    for name, variable in _VARIABLES.items():
        value = work.variables.get(variable)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            lost.append((work.key, variable, "dropped (CFF holds it as text)"))
            continue
        if value != value.strip():
            lost.append((work.key, variable, "written without its surrounding spaces"))
        if name == "license" and " OR " in value:
            put(name, [v.strip() for v in value.split(" OR ")], variable)
        else:
            put(name, value.strip(), variable)
    if work.container_title is not None:
        if out["type"] in ("article", "magazine-article", "newspaper-article") or (
            "collection-title" in work.extra
        ):
            put("journal", work.container_title, "container-title")
        else:
            put("collection-title", work.container_title, "container-title")
    if work.page is not None:
        match = re.fullmatch(r"([^\s-]+)-([^\s-]+)", work.page)
        if match:
            put("start", match.group(1), "page")
            put("end", match.group(2), "page")
        else:
            put("start", work.page, "page")
    if work.url is not None:
        if work.extra.get("repository-code") is None and _CODE_HOSTS.match(work.url):
            put("repository-code", work.url, "url")
        else:
            put("url", work.url, "url")
    if work.keywords:
        unique = list(dict.fromkeys(work.keywords))
        if len(unique) < len(work.keywords):
            lost.append((work.key, "keywords", "repeated keywords written once"))
        put("keywords", unique, "keywords")
    if work.language is not None:
        put("languages", [work.language], "language")
    if work.issued is not None:
        full = _date_out(work.issued)
        date_key = "date-released" if part == "root" else "date-published"
        if full is not None:
            put(date_key, full, "issued")
        elif part != "root" and _plain(work.issued) and work.issued.start is not None:
            put("year", work.issued.start.year, "issued")
            if work.issued.start.month is not None:
                put("month", work.issued.start.month, "issued")
        else:
            lost.append((work.key, "issued", "dropped (CFF dates are full dates)"))
    if work.accessed is not None:
        full = _date_out(work.accessed)
        if full is not None:
            put("date-accessed", full, "accessed")
        else:
            lost.append((work.key, "accessed", "dropped (CFF dates are full dates)"))
    if work.original_date is not None:
        start = work.original_date.start
        if _plain(work.original_date) and start is not None and start.month is None:
            put("year-original", start.year, "original-date")
        else:
            lost.append((work.key, "original-date", "dropped"))
    entity_key = "publisher"
    if "institution" in work.hints.get("cff", "").split(" ")[2:]:
        entity_key = "institution"
    if work.publisher is not None:
        entity: dict[str, Any] = {"name": work.publisher}
        if work.publisher_place is not None:
            entity["city"] = work.publisher_place
        put(entity_key, entity, "publisher", *(["publisher-place"] if "city" in entity else []))
    elif work.publisher_place is not None:
        lost.append((work.key, "publisher-place", "dropped (CFF places belong to a publisher)"))
    if work.event_title is not None:
        conference: dict[str, Any] = {"name": work.event_title}
        if work.event_place is not None:
            conference["city"] = work.event_place
        if work.event_date is not None:
            begin = work.event_date.start
            event = work.event_date
            if (
                begin is not None
                and begin.month
                and begin.day
                and event.literal is None
                and not (event.circa or event.uncertain or event.open_end or begin.year < 0)
            ):
                conference["date-start"] = str(begin)
                end = work.event_date.end
                if end is not None and end.month and end.day:
                    conference["date-end"] = str(end)
                elif end is not None:
                    lost.append((work.key, "event-date", "end dropped (not a full date)"))
            else:
                lost.append((work.key, "event-date", "dropped (CFF dates are full dates)"))
        put(
            "conference",
            conference,
            "event-title",
            *(["event-place"] if "city" in conference else []),
            *(["event-date"] if "date-start" in conference else []),
        )
    else:
        for attribute in ("event_place", "event_date"):
            if getattr(work, attribute) is not None:
                lost.append((work.key, attribute.replace("_", "-"), "dropped"))
    # Whatever else the model holds and CFF has no key for.
    for attribute in (
        "container_title_short",
        "collection_title",
        "collection_number",
        "original_title",
        "publisher_place",
        "pmid",
        "arxiv",
    ):
        if getattr(work, attribute) is not None and not (
            attribute == "publisher_place" and work.publisher is not None
        ):
            lost.append((work.key, attribute.replace("_", "-"), "dropped"))
    for variable in work.variables:
        if variable not in _VARIABLES.values():
            lost.append((work.key, variable, "dropped"))
    for attribute in sorted(work.rich):
        lost.append((work.key, f"markup of {attribute.replace('_', '-')}", "written as text"))
    # Extra: CFF keys kept from a file come back in their place.
    rest = {k: v for k, v in work.extra.items() if k not in used_extra}
    entities = {"publisher", "institution", "conference"}
    nested, used = _unflatten(
        rest,
        allowed
        - (set(out) - entities)
        - {"preferred-citation", "references"}
        - _MODEL_KEYS,  # (read back, they would be model fields, not extra ones)
    )
    for name, value in nested.items():
        if name in ("publisher", "institution", "conference") and name in out:
            continue
        out[name] = value
    for name, value in nested.items():
        if name in out and isinstance(out[name], dict) and isinstance(value, dict):
            for inner, item in value.items():
                out[name].setdefault(inner, item)
    for name in rest:
        if name not in used:
            lost.append((work.key, name, "dropped"))
    if part == "root" and out["type"] == "software":
        del out["type"]  # CFF's default
    return out
