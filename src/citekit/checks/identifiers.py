"""Rules on identifiers: DOI, ISBN, ISSN, ISMN, arXiv, PMID, PMCID, ORCID, URL.

Each identifier is checked with :mod:`citekit.model.identifiers` (syntax and
check digits); several identifiers in one field (``isbn = {...; ...}``) are
checked one by one.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable

from citekit.checks import Context, Entry, EntryRule, Field, Finding, Fix, Rule
from citekit.model import identifiers as ids

__all__ = [
    "ArxivId",
    "DoiResolver",
    "DoiSyntax",
    "IsbnCheckDigit",
    "IsbnHyphenation",
    "IsmnCheckDigit",
    "IssnCheckDigit",
    "OrcidCheckDigit",
    "PmcidSyntax",
    "PmidSyntax",
    "SharedIdentifier",
    "UrlSyntax",
    "hyphenated_isbn",
    "identifier_text",
    "isbn_parts",
]


def identifier_text(entry: Entry, field: Field) -> str:
    """A field's value as an identifier: for BibTeX, ``\\url{}``, escapes and braces removed."""
    if field.raw is None:
        return field.value.strip()
    from citekit.formats.bibtex import _plain_id

    return _plain_id(field.value)


def _field(entry: Entry, *names: str) -> Field | None:
    for name in names:
        field = entry.fields.get(name)
        if field is not None and field.value.strip():
            return field
    return None


def _delimited(raw: str) -> tuple[str, str, str] | None:
    """(opening, inner text, closing) of a value written as one ``{...}`` or ``"..."``."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == "{" and text[-1] == "}":
        from citekit.formats.bibtex import _braced_end

        if _braced_end(text, 0) == len(text):
            return "{", text[1:-1], "}"
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and '"' not in text[1:-1]:
        return '"', text[1:-1], '"'
    return None


# A DOI at the end of a URL of another resolver or publisher
# (doi.acm.org/10.1145/..., https://onlinelibrary.wiley.com/doi/10.1002/...).
_DOI_IN_URL = re.compile(
    r"^(?:https?://)?[\w.-]+\.[a-z]{2,}/(?:[\w.-]+/)*?(?:doi/(?:abs/|full/|pdf/)?)?"
    r"(10\.\d{4,9}(?:\.\d+)*/\S+)$",
    re.IGNORECASE,
)


def bare_doi(text: str) -> str | None:
    """The bare DOI of a DOI written with a resolver or ``doi:``; None when ``text``
    is a bare DOI already, or no DOI at all."""
    bare = ids.strip_doi(text)
    if bare != text and bare.startswith("10."):
        return bare
    m = _DOI_IN_URL.match(text.strip())
    if m is not None:
        return m.group(1)
    return None


class DoiResolver(EntryRule):
    """A DOI written as a resolver URL or with ``doi:``."""

    id = "doi-resolver"
    severity = "warning"
    family = "identifiers"
    fixable = True
    rationale = (
        "The doi field holds the bare DOI (10.1000/xyz123): styles add the resolver "
        "themselves, so https://doi.org/ in the field is printed twice, and two entries "
        "with the same DOI look different. --fix removes the resolver or 'doi:'."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _field(entry, "doi", "DOI")
        if field is None:
            return
        text = identifier_text(entry, field)
        bare = bare_doi(text)
        if bare is None:
            return
        fix = None
        if field.raw is not None:
            parts = _delimited(field.raw)
            if parts is not None:
                opening, inner, closing = parts
                stripped = inner.strip()
                # Only when the bare DOI is the tail of the source text as written
                # (no URL-decoding, no \url{} wrapper): then nothing else changes.
                if stripped.endswith(bare) and "\\" not in stripped[: -len(bare)]:
                    new = opening + stripped[len(stripped) - len(bare) :] + closing
                    fix = Fix(old=field.raw, new=new, description=f"doi: {text!r} -> {bare!r}")
        yield self.finding(
            context,
            entry,
            field.name,
            f"the DOI is written with a resolver or prefix ({text!r}); write the bare DOI"
            f" {bare!r}, styles add the resolver",
            fix=fix,
        )


class DoiSyntax(EntryRule):
    """DOI syntax: ``10.``, a registrant code, ``/`` and a suffix."""

    id = "doi-syntax"
    severity = "error"
    family = "identifiers"
    rationale = (
        "A DOI is '10.', a registrant code of digits and dots, '/', and a suffix (DOI "
        "Handbook 2.2); anything else does not resolve, and the link a style prints is "
        "broken."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _field(entry, "doi", "DOI")
        if field is None:
            return
        text = identifier_text(entry, field)
        doi = bare_doi(text) or text
        problem = ids.doi_problem(doi)
        if problem is not None:
            yield self.finding(context, entry, field.name, problem)


def _each(
    entry: Entry,
    context: Context,
    rule: Rule,
    names: tuple[str, ...],
    problem_of: Callable[[str], str | None],
) -> Iterable[Finding]:
    field = _field(entry, *names)
    if field is None:
        return
    for part in ids.split_identifiers(identifier_text(entry, field)):
        problem = problem_of(part)
        if problem is not None:
            yield rule.finding(context, entry, field.name, problem)


_QUALIFIER = re.compile(r"\s*\([^()]*\)")
_ISBN_TOKEN = re.compile(r"^(?:ISBN(?:-1[03])?:?)?[\dXx-]{10,17}$", re.IGNORECASE)


def isbn_parts(text: str) -> list[str]:
    """The ISBNs of an isbn field: split at commas, semicolons and spaces between
    ISBNs (Zotero writes "978-... 978-..."), qualifiers such as "(pbk.)" left out."""
    parts: list[str] = []
    for part in ids.split_identifiers(_QUALIFIER.sub(" ", text)):
        tokens = part.split()
        if len(tokens) > 1 and all(_ISBN_TOKEN.match(token) for token in tokens):
            parts.extend(tokens)
        else:
            parts.append(part)
    return parts


class IsbnCheckDigit(EntryRule):
    """ISBN-10 and ISBN-13: length, characters and check digit."""

    id = "isbn-check-digit"
    severity = "error"
    family = "identifiers"
    rationale = (
        "An ISBN's last digit is a checksum of the others; a wrong one means a digit was "
        "mistyped or swapped, and the ISBN names another book or none."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _field(entry, "isbn", "ISBN")
        if field is None:
            return
        for part in isbn_parts(identifier_text(entry, field)):
            problem = ids.isbn_problem(part)
            if problem is not None:
                yield self.finding(context, entry, field.name, problem)


def hyphenated_isbn(text: str) -> str | None:
    """A valid ISBN with its hyphens where the ISBN agency's ranges put them
    (``0306406152`` -> ``0-306-40615-2``), or None when the ranges do not cover it."""
    if ids.isbn_problem(text) is not None:
        return None
    try:
        from stdnum import isbn as stdnum_isbn
        from stdnum.exceptions import ValidationError

        formatted = str(stdnum_isbn.format(text, convert=False))
        compact = str(stdnum_isbn.compact(text, convert=False))
    except (ImportError, ValidationError, ValueError, LookupError):
        return None
    # Without a known range, stdnum leaves the number as it was given.
    if formatted.count("-") != 4 - (len(compact) == 10):
        return None
    return formatted


class IsbnHyphenation(EntryRule):
    """An ISBN written without its hyphens, or with them in the wrong places."""

    id = "isbn-hyphenation"
    severity = "info"
    family = "identifiers"
    fixable = True
    rationale = (
        "An ISBN's hyphens separate its group, publisher, title and check digit; written "
        "without them, or with them elsewhere, it is harder to read and to compare by eye. "
        "--fix puts them where the ISBN agency's ranges (python-stdnum's table) put them; "
        "the digits do not change."
    )
    dialects = frozenset({"bibtex", "biblatex"})

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _field(entry, "isbn")
        if field is None or field.raw is None:
            return
        parts = _delimited(field.raw)
        if parts is None:
            return
        opening, inner, closing = parts
        text = inner.strip()
        if not re.fullmatch(r"[\dXx][\dXx \-]{8,15}[\dXx]", text):
            return  # several ISBNs, a label or a qualifier: left as written
        better = hyphenated_isbn(text)
        if better is None or better == text:
            return
        new = opening + better + closing
        yield self.finding(
            context,
            entry,
            field.name,
            f"the ISBN {text} is hyphenated {better}",
            fix=Fix(old=field.raw, new=new, description=f"isbn: {text} -> {better}"),
        )


class IssnCheckDigit(EntryRule):
    """ISSN: eight characters (NNNN-NNNC) and check digit."""

    id = "issn-check-digit"
    severity = "error"
    family = "identifiers"
    rationale = (
        "An ISSN's eighth character is a checksum of the seven digits before it; a wrong "
        "one means a mistyped ISSN that names another serial or none."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        yield from _each(entry, context, self, ("issn", "ISSN"), ids.issn_problem)


class IsmnCheckDigit(EntryRule):
    """ISMN (printed music): form and check digit."""

    id = "ismn-check-digit"
    severity = "error"
    family = "identifiers"
    rationale = (
        "An ISMN (M-2306-7118-7 or 979-0-2306-7118-7) ends with a checksum; a wrong one "
        "means a mistyped number."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        yield from _each(entry, context, self, ("ismn", "ISMN"), ids.ismn_problem)


def _eprint(entry: Entry, kinds: tuple[str, ...]) -> Field | None:
    field = _field(entry, "eprint")
    if field is None:
        return None
    kind = (entry.get("eprinttype") or entry.get("archiveprefix") or "").strip(" {}").lower()
    if not kind and "arxiv" in kinds and field.value.strip(" {").lower().startswith("arxiv:"):
        return field
    return field if kind in kinds else None


class ArxivId(EntryRule):
    """arXiv identifiers of the old (``math/0307200``) and new (``1501.00001``) schemes."""

    id = "arxiv-id"
    severity = "error"
    family = "identifiers"
    rationale = (
        "arXiv identifiers are YYMM.NNNNN (since 2007; four digits after the dot until "
        "2014) or archive/YYMMNNN before; another form does not resolve on arxiv.org."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _eprint(entry, ("arxiv",)) or _field(entry, "arxiv")
        if field is None:
            return
        problem = ids.arxiv_problem(identifier_text(entry, field))
        if problem is not None:
            yield self.finding(context, entry, field.name, problem)


class PmidSyntax(EntryRule):
    """PubMed identifiers: a number of up to nine digits."""

    id = "pmid-syntax"
    severity = "error"
    family = "identifiers"
    rationale = "A PMID is a plain number; anything else does not resolve on PubMed."

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _field(entry, "pmid", "PMID") or _eprint(entry, ("pubmed",))
        if field is None:
            return
        problem = ids.pmid_problem(identifier_text(entry, field))
        if problem is not None:
            yield self.finding(context, entry, field.name, problem)


class PmcidSyntax(EntryRule):
    """PubMed Central identifiers: ``PMC`` and digits."""

    id = "pmcid-syntax"
    severity = "error"
    family = "identifiers"
    rationale = "A PMCID is PMC followed by digits; anything else does not resolve."

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _field(entry, "pmcid", "PMCID")
        if field is None:
            return
        problem = ids.pmcid_problem(identifier_text(entry, field))
        if problem is not None:
            yield self.finding(context, entry, field.name, problem)


_ORCID_FIELD = re.compile(r"orcid", re.IGNORECASE)
_ORCID_IN_NAME = re.compile(r"orcid\s*=\s*\{?\s*([^,}\s]+)", re.IGNORECASE)
_ORCID_LIKE = re.compile(r"(?:https?://(?:www\.)?orcid\.org/)?[0-9X]{4}(?:-[0-9X]{4}){3}", re.I)


class OrcidCheckDigit(EntryRule):
    """ORCID iDs of persons (fields such as ``orcid`` or ``orcid-numbers``): check digit."""

    id = "orcid-check-digit"
    severity = "error"
    family = "identifiers"
    rationale = (
        "An ORCID iD's last character is an ISO 7064 checksum; a wrong one links the "
        "person to someone else's record or to none."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        for name, field in entry.fields.items():
            if not _ORCID_FIELD.search(name):
                if "orcid" in field.value.lower():
                    # biblatex's extended name format: {family=Smith, orcid=0000-...}
                    for ident in _ORCID_IN_NAME.findall(field.value):
                        problem = ids.orcid_problem(ident)
                        if problem is not None:
                            yield self.finding(context, entry, name, problem)
                continue
            text = identifier_text(entry, field)
            found = _ORCID_LIKE.findall(text)
            if not found:
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"an ORCID iD is 0000-0000-0000-000X, not {text!r}",
                )
            for ident in found:
                problem = ids.orcid_problem(ident)
                if problem is not None:
                    yield self.finding(context, entry, name, problem)


_URL_SCHEMES_WITH_HOST = frozenset({"http", "https", "ftp", "ftps", "sftp"})
#: Schemes found in bibliographies (IANA's permanent registrations and a few
#: common provisional ones); another is most likely a typing error (htp:).
_URL_SCHEMES = _URL_SCHEMES_WITH_HOST | frozenset(
    {
        "file",
        "mailto",
        "doi",
        "hdl",
        "urn",
        "info",
        "gopher",
        "news",
        "nntp",
        "telnet",
        "ssh",
        "git",
        "svn",
        "irc",
        "ircs",
        "data",
        "tel",
        "ark",
        "s3",
        "ipfs",
        "magnet",
        "rtsp",
        "ws",
        "wss",
        "zotero",
        "x-devonthink-item",
    }
)
_HOST = re.compile(r"^(?:[\w-]+\.)+[\w-]{2,}$|^localhost$|^\d{1,3}(?:\.\d{1,3}){3}$", re.UNICODE)


def url_problem(url: str) -> str | None:
    """None for a URL with a scheme (and, for web and FTP URLs, a host), else what is wrong."""
    if re.search(r"\s", url):
        return f"the URL {url!r} contains white space; write %20 or remove it"
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme:
        if re.match(r"^(?:www\.|(?:[\w-]+\.)+[a-z]{2,}(?:/|$))", url, re.I):
            return f"the URL {url!r} has no scheme; write 'https://{url}'"
        return f"{url!r} is not a URL (expected a scheme such as https:// and a host)"
    scheme = parts.scheme.lower()
    if scheme not in _URL_SCHEMES:
        return f"the URL {url!r} has the unknown scheme {parts.scheme + ':'!r}; expected https:"
    if scheme in _URL_SCHEMES_WITH_HOST:
        host = parts.hostname or ""
        if not host or not _HOST.match(host):
            return f"the URL {url!r} has no valid host after '{parts.scheme}://'"
    return None


class UrlSyntax(EntryRule):
    """URL syntax: a scheme and, for web and FTP addresses, a host."""

    id = "url-syntax"
    severity = "error"
    family = "identifiers"
    rationale = (
        "A style prints the url field as a link; without a scheme (https://) or a host the "
        "link goes nowhere, and text in the field ('Available at ...') is printed as a URL."
    )

    def check_entry(self, entry: Entry, context: Context) -> Iterable[Finding]:
        field = _field(entry, "url", "URL")
        if field is None:
            return
        url = identifier_text(entry, field)
        problem = url_problem(url)
        if problem is not None:
            yield self.finding(context, entry, field.name, problem)


class SharedIdentifier(Rule):
    """Two entries with the same DOI or ISBN (after normalisation)."""

    id = "shared-identifier"
    severity = "warning"
    family = "identifiers"
    rationale = (
        "Two entries with one DOI or one ISBN are most often the same work entered twice "
        "(https://doi.org/10.1000/XYZ and 10.1000/xyz are one DOI); citing both gives two "
        "references for one work. Entries linked by crossref, xdata or a set are not reported."
    )

    def check(self, context: Context) -> Iterable[Finding]:
        first: dict[tuple[str, str], Entry] = {}
        for entry in context.entries:
            work = entry.work
            if work is None:
                continue
            keys: list[tuple[str, str, str]] = []
            if work.doi:
                doi = ids.doi_key(work.doi)
                if doi is not None:
                    keys.append(("DOI", doi, "doi"))
            if work.isbn and entry.type not in ("inbook", "incollection", "inproceedings"):
                for part in isbn_parts(work.isbn):
                    isbn = ids.isbn_key(part)
                    if isbn is not None:
                        keys.append(("ISBN", isbn, "isbn"))
            for kind, value, field in dict.fromkeys(keys):
                other = first.setdefault((kind, value), entry)
                if other is entry or _related(entry, other):
                    continue
                name = field if field in entry.fields else field.upper()
                yield self.finding(
                    context,
                    entry,
                    name,
                    f"same {kind} as {other.key!r}"
                    + (f" (line {other.line})" if other.line else "")
                    + "; the same work entered twice?",
                )


def _related(a: Entry, b: Entry) -> bool:
    def links(entry: Entry) -> set[str]:
        out: set[str] = set()
        for name in ("crossref", "xref", "xdata", "entryset", "related"):
            value = entry.get(name)
            if value:
                out.update(part.strip().lower() for part in value.split(","))
        return out

    return b.key.lower() in links(a) or a.key.lower() in links(b) or bool(links(a) & links(b))
