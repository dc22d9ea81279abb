"""Identifiers of works and persons: DOI, ISBN, ISSN, ISMN, arXiv, PMID, PMCID, ORCID.

Pure functions on strings, shared by the checker (is this identifier
well-formed, is its check digit right?), the duplicate finder (are these two
the same identifier, written differently?) and the formats (strip a resolver
prefix). Each identifier has up to three functions:

- ``strip_*``: the identifier without what surrounds it (a resolver URL, a
  ``doi:`` or ``arXiv:`` prefix, ``ISBN`` before the digits), its case and
  inner form kept;
- ``*_key``: the form two identifiers are compared in (``None`` when the text
  is not such an identifier at all): case folded, hyphens dropped, an ISBN-10
  as its ISBN-13;
- ``*_problem``: ``None`` for a valid identifier, else what is wrong with it,
  in words a writer understands.

>>> strip_doi("https://doi.org/10.1000/XYZ123")
'10.1000/XYZ123'
>>> doi_key("doi:10.1000/XYZ123") == doi_key("10.1000/xyz123")
True
>>> isbn_key("0-306-40615-2") == isbn_key("978-0-306-40615-7")
True
>>> issn_problem("1234-5678")
'the check digit of ISSN 1234-5678 should be 9, not 8'
"""

from __future__ import annotations

import re
import urllib.parse

__all__ = [
    "arxiv_key",
    "arxiv_problem",
    "doi_key",
    "doi_problem",
    "isbn10_to_13",
    "isbn_key",
    "isbn_problem",
    "ismn_problem",
    "issn_key",
    "issn_problem",
    "orcid_key",
    "orcid_problem",
    "pmcid_key",
    "pmcid_problem",
    "pmid_key",
    "pmid_problem",
    "split_identifiers",
    "strip_arxiv",
    "strip_doi",
    "strip_orcid",
]

# -- DOI ---------------------------------------------------------------------------

_DOI_PREFIX = re.compile(
    r"""^\s*(?:
        (?:https?://)?(?:dx\.)?doi\.org/
      | (?:https?://)?(?:www\.)?doi\.org/
      | doi:\s*
      | https?://hdl\.handle\.net/
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# The DOI Handbook (2.2): "10." then a registrant code of digits and dots, "/",
# then a suffix of any printable characters.
_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
_DOI_LOOSE = re.compile(r"^10\.[^/\s]+/\S+$")


def strip_doi(text: str) -> str:
    """The DOI in ``text`` without a resolver URL or ``doi:`` before it.

    A URL-encoded DOI in a resolver URL (``10.1000%2Fxyz``) is decoded; the
    case of the DOI is kept. Text that is not a DOI comes back stripped of
    surrounding white space only.
    """
    stripped = text.strip()
    match = _DOI_PREFIX.match(stripped)
    if match is None:
        return stripped
    rest = stripped[match.end() :].strip()
    if "%" in rest and match.group(0).lower().lstrip().startswith(("http", "dx.", "www.", "doi.")):
        rest = urllib.parse.unquote(rest)
    return rest


def doi_key(text: str) -> str | None:
    """The DOI in ``text`` in the form DOIs compare in (DOIs ignore case), or None."""
    doi = strip_doi(text)
    if not _DOI_LOOSE.match(doi):
        return None
    return doi.casefold().rstrip(".")


def doi_problem(text: str) -> str | None:
    """None for a well-formed bare DOI, else what is wrong with ``text`` as a DOI."""
    value = text.strip()
    if not value:
        return "the DOI is empty"
    doi = strip_doi(value)
    if doi != value:
        return f"the DOI is written with a resolver or prefix ({value!r}); write the bare {doi!r}"
    if not doi.startswith("10."):
        return f"a DOI starts with '10.', not {doi[:12]!r}"
    if "/" not in doi:
        return f"the DOI {doi!r} has no '/' between the registrant and the suffix"
    if re.search(r"\s", doi):
        return f"the DOI {doi!r} contains white space"
    if not _DOI.match(doi):
        registrant = doi.split("/", 1)[0]
        if not registrant[3:]:
            return f"the DOI {doi!r} has no registrant code after '10.'"
        if not re.fullmatch(r"10\.\d+(?:\.\d+)*", registrant):
            code = registrant[3:]
            return f"the registrant code of the DOI {doi!r} should be digits, not {code!r}"
        if not doi.split("/", 1)[1]:
            return f"the DOI {doi!r} has no suffix after '/'"
        code = registrant[3:].split(".", 1)[0]
        if len(code) < 4:
            return f"the registrant code of the DOI {doi!r} has four digits or more, not {code!r}"
    return None


# -- ISBN, ISSN, ISMN --------------------------------------------------------------

_ISBN_LABEL = re.compile(r"^\s*ISBN(?:-1[03])?:?\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013]")


def _compact(text: str, label: re.Pattern[str] | None = None) -> str:
    if label is not None:
        text = label.sub("", text)
    return _SEPARATORS.sub("", text.strip()).upper()


def _isbn10_check(digits: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _ean13_check(digits: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return str((10 - total % 10) % 10)


def isbn10_to_13(isbn10: str) -> str:
    """The ISBN-13 (978 prefix) of a compact, valid ISBN-10."""
    body = "978" + isbn10[:9]
    return body + _ean13_check(body)


def isbn_problem(text: str) -> str | None:
    """None for a valid ISBN-10 or ISBN-13 (hyphens and spaces allowed), else what is wrong."""
    compact = _compact(text, _ISBN_LABEL)
    if not compact:
        return "the ISBN is empty"
    if len(compact) == 10:
        if not re.fullmatch(r"\d{9}[\dX]", compact):
            return f"an ISBN-10 is nine digits and a digit or X, not {text.strip()!r}"
        expected = _isbn10_check(compact)
        if compact[9] != expected:
            return f"the check digit of ISBN {text.strip()} should be {expected}, not {compact[9]}"
        return None
    if len(compact) == 13:
        if not compact.isdigit():
            return f"an ISBN-13 is thirteen digits, not {text.strip()!r}"
        if not compact.startswith(("978", "979")):
            return f"an ISBN-13 starts with 978 or 979, not {compact[:3]}"
        expected = _ean13_check(compact)
        if compact[12] != expected:
            return f"the check digit of ISBN {text.strip()} should be {expected}, not {compact[12]}"
        return None
    return f"an ISBN has 10 or 13 digits, {text.strip()!r} has {len(compact)}"


def isbn_key(text: str) -> str | None:
    """The ISBN-13 digits of a valid ISBN-10 or ISBN-13, the form ISBNs compare in; else None."""
    if isbn_problem(text) is not None:
        return None
    compact = _compact(text, _ISBN_LABEL)
    return isbn10_to_13(compact) if len(compact) == 10 else compact


def _issn_check(digits: str) -> str:
    total = sum((8 - i) * int(d) for i, d in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


_ISSN_LABEL = re.compile(r"^\s*e?ISSN:?\s*", re.IGNORECASE)


def issn_problem(text: str) -> str | None:
    """None for a valid ISSN (``1234-5679``), else what is wrong."""
    compact = _compact(text, _ISSN_LABEL)
    if not re.fullmatch(r"\d{7}[\dX]", compact):
        return f"an ISSN is seven digits and a digit or X (NNNN-NNNC), not {text.strip()!r}"
    expected = _issn_check(compact)
    if compact[7] != expected:
        return f"the check digit of ISSN {text.strip()} should be {expected}, not {compact[7]}"
    return None


def issn_key(text: str) -> str | None:
    """A valid ISSN as ``NNNN-NNNC``, else None."""
    if issn_problem(text) is not None:
        return None
    compact = _compact(text, _ISSN_LABEL)
    return f"{compact[:4]}-{compact[4:]}"


def ismn_problem(text: str) -> str | None:
    """None for a valid ISMN (``M-2306-7118-7`` or ``979-0-2306-7118-7``), else what is wrong."""
    compact = _compact(re.sub(r"^\s*ISMN:?\s*", "", text, flags=re.IGNORECASE))
    if re.fullmatch(r"M\d{9}", compact):
        compact = "9790" + compact[1:]
    if not re.fullmatch(r"9790\d{9}", compact):
        return f"an ISMN is M and nine digits, or 979-0 and nine digits, not {text.strip()!r}"
    expected = _ean13_check(compact)
    if compact[12] != expected:
        return f"the check digit of ISMN {text.strip()} should be {expected}, not {compact[12]}"
    return None


# -- arXiv, PubMed -----------------------------------------------------------------

_ARXIV_PREFIX = re.compile(
    r"^\s*(?:arxiv:\s*|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)",
    re.IGNORECASE,
)
# New scheme (2007-04 on): YYMM.NNNN (to 2014) or YYMM.NNNNN, optional version.
_ARXIV_NEW = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})(v\d+)?$")
# Old scheme: archive(.SUBJECT-CLASS)/YYMMNNN, optional version.
_ARXIV_OLD = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?)/(\d{2})(\d{2})(\d{3})(v\d+)?$")


def strip_arxiv(text: str) -> str:
    """The arXiv identifier in ``text`` without ``arXiv:`` or an arxiv.org URL, or ``.pdf``."""
    stripped = _ARXIV_PREFIX.sub("", text.strip())
    return stripped.removesuffix(".pdf")


def arxiv_problem(text: str) -> str | None:
    """None for an arXiv identifier of the old or the new scheme, else what is wrong."""
    ident = strip_arxiv(text)
    new = _ARXIV_NEW.match(ident)
    if new is not None:
        month = int(new.group(2))
        if not 1 <= month <= 12:
            return f"the arXiv identifier {ident!r} has month {new.group(2)} (YYMM.NNNNN)"
        if len(new.group(3)) == 4 and int(new.group(1)) >= 15:
            return f"arXiv identifiers from 2015 on have five digits after the dot, not {ident!r}"
        return None
    old = _ARXIV_OLD.match(ident)
    if old is not None:
        if not 1 <= int(old.group(3)) <= 12:
            return f"the arXiv identifier {ident!r} has month {old.group(3)} (archive/YYMMNNN)"
        return None
    return f"an arXiv identifier is YYMM.NNNNN or archive/YYMMNNN, not {text.strip()!r}"


def arxiv_key(text: str) -> str | None:
    """An arXiv identifier without its version, the form arXiv identifiers compare in."""
    ident = strip_arxiv(text)
    if arxiv_problem(ident) is not None:
        return None
    return re.sub(r"v\d+$", "", ident).lower()


def pmid_problem(text: str) -> str | None:
    """None for a PubMed identifier (1 to 8 digits), else what is wrong."""
    value = re.sub(r"^\s*PMID:?\s*", "", text, flags=re.IGNORECASE).strip()
    if not re.fullmatch(r"[1-9]\d{0,8}", value):
        return f"a PMID is a number of up to nine digits, not {text.strip()!r}"
    return None


def pmid_key(text: str) -> str | None:
    """A PMID's digits, or None."""
    if pmid_problem(text) is not None:
        return None
    return re.sub(r"^\s*PMID:?\s*", "", text, flags=re.IGNORECASE).strip()


def pmcid_problem(text: str) -> str | None:
    """None for a PubMed Central identifier (``PMC`` and digits), else what is wrong."""
    if not re.fullmatch(r"\s*(?:PMC)?\d{1,9}\s*", text, flags=re.IGNORECASE):
        return f"a PMCID is PMC and up to nine digits, not {text.strip()!r}"
    return None


def pmcid_key(text: str) -> str | None:
    """A PMCID as ``PMC`` and its digits, or None."""
    if pmcid_problem(text) is not None:
        return None
    return "PMC" + re.sub(r"\D", "", text)


# -- ORCID -------------------------------------------------------------------------

_ORCID_PREFIX = re.compile(r"^\s*(?:(?:https?://)?(?:www\.)?orcid\.org/|orcid:\s*)", re.I)


def strip_orcid(text: str) -> str:
    """The ORCID iD in ``text`` without ``https://orcid.org/``."""
    return _ORCID_PREFIX.sub("", text.strip())


def orcid_problem(text: str) -> str | None:
    """None for a valid ORCID iD (ISO 7064 11,2 check digit), else what is wrong."""
    ident = strip_orcid(text).upper()
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", ident):
        return f"an ORCID iD is 0000-0000-0000-000X, not {text.strip()!r}"
    digits = ident.replace("-", "")
    total = 0
    for digit in digits[:15]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[15] != expected:
        return f"the check digit of ORCID iD {ident} should be {expected}, not {digits[15]}"
    return None


def orcid_key(text: str) -> str | None:
    """A valid ORCID iD as ``0000-0000-0000-000X``, or None."""
    if orcid_problem(text) is not None:
        return None
    return strip_orcid(text).upper()


def split_identifiers(text: str) -> list[str]:
    """Several identifiers in one field (``isbn = {0-306-40615-2; 978-...}``), split.

    Commas, semicolons and a lone ``and``/``or`` separate them; spaces inside
    one identifier (``ISBN 0 306 40615 2``) do not.
    """
    return [part.strip() for part in re.split(r"[;,]|\s+(?:and|or)\s+", text) if part.strip()]
