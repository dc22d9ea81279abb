"""The CSL vocabulary: the variables of CSL 1.0.2 and where citekit's model keeps them.

Shared by the CSL-JSON/YAML format and by the formats that read CSL variable
names from notes (Zotero's ``Key: value`` lines).
"""

from __future__ import annotations

from citekit.model.work import Role

__all__ = [
    "CSL_VARIABLES",
    "DATE_FIELDS",
    "ITEM_ORDER_DATES",
    "ITEM_ORDER_HEAD",
    "ITEM_ORDER_TAIL",
    "MARKUP_FIELDS",
    "ROLES",
    "TEXT_FIELDS",
]


#: CSL variables citekit models as text attributes of Work: CSL name -> attribute name.
TEXT_FIELDS: dict[str, str] = {
    "title": "title",
    "title-short": "title_short",
    "original-title": "original_title",
    "container-title": "container_title",
    "container-title-short": "container_title_short",
    "collection-title": "collection_title",
    "collection-number": "collection_number",
    "event-title": "event_title",
    "edition": "edition",
    "volume": "volume",
    "number-of-volumes": "number_of_volumes",
    "issue": "issue",
    "number": "number",
    "page": "page",
    "number-of-pages": "number_of_pages",
    "genre": "genre",
    "medium": "medium",
    "publisher": "publisher",
    "publisher-place": "publisher_place",
    "event-place": "event_place",
    "language": "language",
    "DOI": "doi",
    "ISBN": "isbn",
    "ISSN": "issn",
    "PMID": "pmid",
    "PMCID": "pmcid",
    "URL": "url",
    "abstract": "abstract",
    "note": "note",
}

#: Attributes whose CSL-JSON text is rich text: literal text in which only
#: citeproc-js's rich-text tags are markup (see :mod:`citekit.model.markup`).
#: Numbers, identifiers, URLs and language codes are plain text, written as they
#: are (markup on them travels in ``custom``).
MARKUP_FIELDS: frozenset[str] = frozenset(
    {
        "title",
        "title_short",
        "original_title",
        "container_title",
        "container_title_short",
        "collection_title",
        "event_title",
        "edition",
        "genre",
        "medium",
        "publisher",
        "publisher_place",
        "event_place",
        "abstract",
        "note",
    }
)

#: CSL date variables citekit models: CSL name -> attribute name.
DATE_FIELDS: dict[str, str] = {
    "issued": "issued",
    "original-date": "original_date",
    "event-date": "event_date",
    "accessed": "accessed",
}

ROLES: frozenset[str] = frozenset(role.value for role in Role)

# The keys of CSL 1.0.2 (its specification and JSON schema) citekit keeps in variables.
_OTHER_VARIABLES = """
    annote archive archive_collection archive_location archive-place authority
    call-number categories chapter-number citation-key citation-label citation-number
    dimensions division event first-reference-note-number jurisdiction license locator
    original-publisher original-publisher-place page-first part part-number part-title
    printing references reviewed-genre reviewed-title scale section source status
    supplement supplement-number translated-title translated-title-short version
    volume-title volume-title-short year-suffix journalAbbreviation shortTitle
    ISAN ISCI ISMN ISRC ISWC
    submitted available-date container creator writer
"""

#: Every key an item may have in CSL 1.0.2 (its specification and its JSON schema).
CSL_VARIABLES: frozenset[str] = frozenset(
    {"id", "type", "custom", "keyword", *TEXT_FIELDS, *DATE_FIELDS, *ROLES}
    | set(_OTHER_VARIABLES.split())
)


#: The order of the keys of the items citekit writes (variables and custom come last).
ITEM_ORDER_HEAD = (
    "title",
    "title-short",
    "original-title",
    "container-title",
    "container-title-short",
    "collection-title",
    "collection-number",
    "event-title",
)
ITEM_ORDER_DATES = ("issued", "original-date", "event-date", "accessed")
ITEM_ORDER_TAIL = (
    "edition",
    "volume",
    "number-of-volumes",
    "issue",
    "number",
    "page",
    "number-of-pages",
    "genre",
    "medium",
    "publisher",
    "publisher-place",
    "event-place",
    "language",
    "DOI",
    "ISBN",
    "ISSN",
    "PMID",
    "PMCID",
    "URL",
)
