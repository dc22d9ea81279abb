"""citekit's data model: attrs classes, no I/O, nothing imported but attrs.

Persons, dates, works, locators, excerpts and the library that holds them.
"""

from citekit.model._frozen import FrozenMap
from citekit.model.dates import Date, DateParts, Season
from citekit.model.excerpts import Excerpt, Excerpts, Locator, LocatorLabel, Original, QuotedIn
from citekit.model.library import Library, Problem
from citekit.model.persons import OTHERS, Person, parse_name, parse_names
from citekit.model.work import Contributors, Role, Work, WorkType

__all__ = [
    "OTHERS",
    "Contributors",
    "Date",
    "DateParts",
    "Excerpt",
    "Excerpts",
    "FrozenMap",
    "Library",
    "Locator",
    "LocatorLabel",
    "Original",
    "Person",
    "Problem",
    "QuotedIn",
    "Role",
    "Season",
    "Work",
    "WorkType",
    "parse_name",
    "parse_names",
]
