"""citekit.model.identifiers: DOIs, ISBNs, ISSNs, ISMNs, arXiv ids, PMIDs, PMCIDs, ORCID iDs."""

from __future__ import annotations

import pytest

from citekit.model import identifiers as ids


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("10.1000/xyz123", "10.1000/xyz123"),
        ("https://doi.org/10.1000/XYZ123", "10.1000/XYZ123"),
        ("http://dx.doi.org/10.1000/xyz123", "10.1000/xyz123"),
        ("doi.org/10.1000/xyz123", "10.1000/xyz123"),
        ("doi: 10.1000/xyz123", "10.1000/xyz123"),
        ("DOI:10.1000/xyz123", "10.1000/xyz123"),
        ("https://doi.org/10.1000%2Fxyz123", "10.1000/xyz123"),
        ("  10.1000/a b ", "10.1000/a b"),
        ("not a doi", "not a doi"),
    ],
)
def test_strip_doi(text: str, bare: str) -> None:
    assert ids.strip_doi(text) == bare


def test_doi_key_ignores_case_and_resolver() -> None:
    assert ids.doi_key("10.1000/xyz123") == ids.doi_key("https://doi.org/10.1000/XYZ123")
    assert ids.doi_key("10.1000/xyz123") != ids.doi_key("10.1000/xyz124")
    assert ids.doi_key("xyz") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("10.1000/xyz123", None),
        ("10.1038/nphys1170", None),
        ("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O", None),
        ("10.12345.6/abc", None),
        ("https://doi.org/10.1000/xyz123", "resolver"),
        ("doi:10.1000/xyz123", "resolver"),
        ("11.1000/xyz", "starts with '10.'"),
        ("10.1000", "no '/'"),
        ("10.1000/ab c", "white space"),
        ("10.abc/def", "registrant"),
        ("", "empty"),
    ],
)
def test_doi_problem(text: str, problem: str | None) -> None:
    found = ids.doi_problem(text)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0-306-40615-2", None),
        ("978-0-306-40615-7", None),
        ("ISBN 978 0 306 40615 7", None),
        ("080442957X", None),
        ("0-8044-2957-x", None),
        ("979-10-90636-07-1", None),
        ("0-306-40615-3", "should be 2, not 3"),
        ("978-0-306-40615-8", "should be 7, not 8"),
        ("977-0-306-40615-7", "978 or 979"),
        ("0-306-4061", "10 or 13"),
        ("0-306-4061A-2", "nine digits"),
    ],
)
def test_isbn_problem(text: str, problem: str | None) -> None:
    found = ids.isbn_problem(text)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_isbn_key_joins_isbn10_and_isbn13() -> None:
    assert ids.isbn_key("0-306-40615-2") == "9780306406157"
    assert ids.isbn_key("978-0-306-40615-7") == "9780306406157"
    assert ids.isbn_key("0-306-40615-3") is None
    assert ids.isbn10_to_13("080442957X") == "9780804429573"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0378-5955", None),
        ("2049-3630", None),
        ("0000-006X", None),
        ("1050-124x", None),
        ("ISSN 0317-8471", None),
        ("1234-5678", "should be 9, not 8"),
        ("0378-595", "seven digits"),
    ],
)
def test_issn_problem(text: str, problem: str | None) -> None:
    found = ids.issn_problem(text)
    if problem is None:
        assert found is None
        assert ids.issn_key(text) is not None
    else:
        assert found is not None and problem in found
        assert ids.issn_key(text) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("M-2306-7118-7", None),
        ("979-0-2306-7118-7", None),
        ("M-2306-7118-6", "should be 7, not 6"),
        ("979-1-2306-7118-7", "979-0"),
    ],
)
def test_ismn_problem(text: str, problem: str | None) -> None:
    found = ids.ismn_problem(text)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("text", "ok", "key"),
    [
        ("2101.00001", True, "2101.00001"),
        ("arXiv:1501.00001v2", True, "1501.00001"),
        ("https://arxiv.org/abs/0704.0001v1", True, "0704.0001"),
        ("https://arxiv.org/pdf/2101.00001.pdf", True, "2101.00001"),
        ("hep-th/9901001", True, "hep-th/9901001"),
        ("math.GT/0309136", True, "math.gt/0309136"),
        ("2113.00001", False, None),
        ("1601.0001", False, None),
        ("hep-th/9913001", False, None),
        ("arxiv 12", False, None),
    ],
)
def test_arxiv(text: str, ok: bool, key: str | None) -> None:
    assert (ids.arxiv_problem(text) is None) is ok
    assert ids.arxiv_key(text) == key


def test_pubmed_identifiers() -> None:
    assert ids.pmid_problem("12345678") is None
    assert ids.pmid_key("PMID: 123") == "123"
    assert ids.pmid_problem("12a") is not None
    assert ids.pmid_problem("0123") is not None
    assert ids.pmcid_problem("PMC1234567") is None
    assert ids.pmcid_key("pmc 1234") is None
    assert ids.pmcid_key("PMC1234") == "PMC1234"
    assert ids.pmcid_problem("PMCX") is not None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0000-0002-1825-0097", None),
        ("https://orcid.org/0000-0001-5109-3700", None),
        ("0000-0002-1694-233X", None),
        ("0000-0002-1825-0098", "should be 7, not 8"),
        ("0000-0002-1825", "0000-0000-0000-000X"),
    ],
)
def test_orcid_problem(text: str, problem: str | None) -> None:
    found = ids.orcid_problem(text)
    if problem is None:
        assert found is None
        assert ids.orcid_key(text) == ids.strip_orcid(text).upper()
    else:
        assert found is not None and problem in found
        assert ids.orcid_key(text) is None


def test_split_identifiers() -> None:
    assert ids.split_identifiers("0-306-40615-2; 978-0-306-40615-7") == [
        "0-306-40615-2",
        "978-0-306-40615-7",
    ]
    assert ids.split_identifiers("ISBN 0 306 40615 2") == ["ISBN 0 306 40615 2"]
