"""Names and sorting: citekit's ``cs:names``, ``cs:name``, ``cs:et-al``, ``cs:substitute``,
``cs:sort`` and ``cs:key``.

citeproc-py renders names with a handful of the CSL 1.0.2 rules. These
classes follow the specification's sections "Names" and "Sorting":

* name parts: particles parsed out of ``family`` ("van Gogh", "d'Aubignac",
  "al-One") and ``given`` ("Alexander von"), suffixes after a comma in
  ``given`` ("John, Jr."), ``comma-suffix``, ``parse-names: false``, quoted
  family names kept whole; names in CJK scripts printed family first with no
  space;
* ``form`` (long, short, count), ``name-as-sort-order``, ``sort-separator``,
  ``demote-non-dropping-particle``, ``cs:name-part`` formatting (given: given
  name and dropping particle; family: family name and non-dropping particle)
  and affixes (given affixes enclose demoted particles of inverted names,
  family affixes enclose preceding particles and the suffix of names in
  display order);
* ``initialize-with`` with ``initialize`` (false keeps full given names and
  only normalises initials), ``initialize-with-hyphen``, initials of words
  in capitals ("ME" gives "M.", "TSerendorjiin" gives "Ts."), lowercase parts
  after a hyphen dropped ("Guo-ping" gives "G.");
* ``et-al-min``/``et-al-use-first`` (only when both are set; ``use-first``
  zero renders nothing), their ``subsequent`` variants for cites already
  made, ``et-al-use-last``, ``cs:et-al`` (its term, formatting, an empty term
  giving no et-al), ``and`` (text, symbol), ``delimiter-precedes-et-al`` and
  ``delimiter-precedes-last`` (contextual, after-inverted-name, always,
  never);
* ``cs:names``: several variables with the names delimiter, editor and
  translator given once with the ``editortranslator`` term when they are the
  same people, ``cs:label`` before or after the names, variables already used
  by a ``cs:substitute`` suppressed, ``cs:substitute`` with the shorthand
  ``<names variable="..."/>`` that inherits ``cs:name``, ``cs:et-al`` and
  ``cs:label``;
* sorting: keys by name variables (name-part order for sorting, by
  ``demote-non-dropping-particle``), dates, numbers, other variables and
  macros (``names-min``, ``names-use-first``, ``names-use-last``; name lists
  rendered inverted, without labels and without "and"/et-al terms);
  comparison ignoring markup, case, punctuation and accents (accents break
  ties); items with an empty key last in both directions.

Hooks for other parts of the engine: a ``name_options`` keyword argument (a
mapping of cs:name option names to values, e.g. ``{"et-al-use-first": 4}``)
overrides the style's options for one rendering (for disambiguation by adding
names or given names); a cite's ``position`` (``"first"``, ``"subsequent"``,
``"ibid"``, ...) when set on the citation item decides whether the
``et-al-subsequent-*`` options apply.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
from citeproc import model
from citeproc.source import Locator, VariableError
from citeproc.string import String, normalize_seam

from citekit.csl import passes
from citekit.csl.elements import element, reached_elements, taken_branch
from citekit.csl.elements.state import (
    RENDERING_KEY,
    Rendering,
    cite_state,
    forget_substituted,
    substituted,
    substitution,
)
from citekit.csl.locale import locale_quotes
from citekit.csl.positions import FIRST

__all__ = [
    "Et_Al",
    "Key",
    "Name",
    "Name_Part",
    "Names",
    "PersonName",
    "Sort",
    "Substitute",
    "collation_key",
    "initialize_given",
    "person_name",
]

_NS = "http://purl.org/net/xbiblio/csl"
_NSMAP = {"cs": _NS}

# cs:name options and their defaults when neither the cs:name element nor an
# enclosing cs:citation, cs:bibliography or cs:style sets them (None: unset).
_DEFAULTS: dict[str, str | None] = {
    "and": None,
    "delimiter": ", ",
    "delimiter-precedes-et-al": "contextual",
    "delimiter-precedes-last": "contextual",
    "et-al-min": None,
    "et-al-use-first": None,
    "et-al-subsequent-min": None,
    "et-al-subsequent-use-first": None,
    "et-al-use-last": "false",
    "form": "long",
    "initialize": "true",
    "initialize-with": None,
    "name-as-sort-order": None,
    "sort-separator": ", ",
    "initialize-with-hyphen": "true",
}
# Attribute names of the options when inherited from cs:style/citation/bibliography.
_INHERITED_AS = {"form": "name-form", "delimiter": "name-delimiter"}

_APOSTROPHE = "\u2019"
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u318f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff]"
)
_LATIN_LIKE = re.compile("[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u1e00-\u1eff]")
# A lowercase particle glued to the family name: "d'Aubignac", "al-One".
_SPACES = re.compile(r"[ \t\r\n]+")
# White space as JavaScript's trim() sees it (citeproc-js trims with it).
_JS_SPACE = (
    " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_GLUED_PARTICLE = re.compile(r"^([^\W\d_]+['\u2019-])(?=[^\W\d_])")


# Name parts ----------------------------------------------------------------


@attrs.frozen
class PersonName:
    """One name of a CSL name variable, its parts normalised for rendering.

    ``literal`` is set for names given as one string (institutions); the other
    parts are then ``""``. Apostrophes are typographic (U+2019).
    """

    family: str = ""
    given: str = ""
    dropping_particle: str = ""
    non_dropping_particle: str = ""
    suffix: str = ""
    literal: str = ""
    comma_suffix: bool = False
    comma_dropping_particle: bool = False
    """Whether the dropping particle was given after a comma ("Hédelin, abbé d'")."""
    glued_particles: bool = False
    """Whether the particles join what follows without a space ("d'Aubignac", "al-One")."""

    @property
    def is_literal(self) -> bool:
        """Whether the name is one literal string (no parts)."""
        return bool(self.literal)

    @property
    def is_cjk(self) -> bool:
        """Whether the name is written in a CJK script (family name first, no space)."""
        text = self.family + self.given
        return bool(_CJK.search(text)) and not _LATIN_LIKE.search(text)


def _curly(text: str) -> str:
    return text.replace("'", _APOSTROPHE)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _starts_lowercase(word: str) -> bool:
    for char in word:
        if char.isalpha():
            return char.islower()
    return False


def person_name(data: Mapping[str, Any]) -> PersonName:
    """A :class:`PersonName` from a CSL-JSON name object (or citeproc-py's ``Name``).

    Unless ``parse-names`` is false: leading lowercase words of ``family``
    are its non-dropping particle ("van der Vlist"), as is a lowercase prefix
    ending in an apostrophe or hyphen ("d'Aubignac", "al-One"); trailing
    lowercase words of ``given`` are its dropping particle ("Alexander von");
    text after a comma in ``given`` is a suffix ("John, Jr.") or, when it
    starts in lowercase, a dropping particle. A family name in double quotes
    is taken whole, without its quotes.
    """

    def text(key: str) -> str:
        value = data.get(key)
        return _SPACES.sub(" ", str(value)).strip(" ") if value is not None else ""

    literal = text("literal")
    if literal:
        return PersonName(literal=_curly(literal))
    family, given = text("family"), text("given")
    dropping, non_dropping, suffix = (
        text("dropping-particle"),
        text("non-dropping-particle"),
        text("suffix"),
    )
    comma_dp = False
    glued = _ends_glued(non_dropping or dropping)
    comma_suffix = _truthy(data.get("comma-suffix", False))
    parse = _truthy(data.get("parse-names", True))
    if parse and len(family) > 1 and family.startswith('"') and family.endswith('"'):
        family, parse = family[1:-1].strip(), False
    if parse and not non_dropping and family:
        words = family.split(" ")
        count = 0
        while count < len(words) - 1 and _starts_lowercase(words[count]):
            count += 1
        rest = words[count:]
        prefix = _GLUED_PARTICLE.match(rest[0])
        if prefix and _starts_lowercase(rest[0]):
            words = [*words[:count], prefix.group(1)]
            rest = [rest[0][prefix.end() :], *rest[1:]]
            non_dropping, glued = " ".join(words), True
        elif count:
            non_dropping = " ".join(words[:count])
        family = " ".join(rest)
    if parse and given and "," in given:
        head, _, tail = given.partition(",")
        tail = tail.strip()
        if tail and _starts_lowercase(tail) and not dropping:
            given, dropping, comma_dp = head.strip(), tail, True
        elif tail and not suffix:
            given, suffix = head.strip(), tail
            if suffix.startswith("!"):
                suffix, comma_suffix = suffix.lstrip("! "), True
    if parse and given and not dropping:
        words = given.split(" ")
        keep = len(words)
        while keep > 1 and _starts_lowercase(words[keep - 1]):
            keep -= 1
        if keep < len(words):
            given, dropping = " ".join(words[:keep]), " ".join(words[keep:])
            glued = glued or (not non_dropping and _ends_glued(dropping))
    return PersonName(
        family=_curly(family),
        given=_curly(given),
        dropping_particle=_curly(dropping),
        non_dropping_particle=_curly(non_dropping),
        suffix=_curly(suffix),
        comma_suffix=comma_suffix,
        comma_dropping_particle=comma_dp,
        glued_particles=glued,
    )


def _ends_glued(particle: str) -> bool:
    return particle.endswith(("'", _APOSTROPHE, "-"))


def _initial(word: str) -> str:
    """The initial of a full given name: its first letter ("Ts" for "TSerendorjiin")."""
    if len(word) > 2 and word[0].isupper() and word[1].isupper() and word[2].islower():
        return word[0] + word[1].lower()
    return word[0]


# A word of a given name (with the markup tags that open before it and close
# after it, "<b>John</b>"), its period, or a hyphen.
_TOKEN = re.compile(r"((?:<[^<>]*>)*)([^\s.\-\u2010<>]+)(\.?)((?:</[^<>]*>)*)|([\-\u2010])")


@functools.lru_cache(maxsize=16384)
def initialize_given(given: str, mark: str, *, initialize: bool = True, hyphen: bool = True) -> str:
    """A given name with initials, as ``cs:name`` ``initialize-with`` asks.

    Every part of the name that is already an initial (one letter, or any
    letters followed by a period: "M.", "Ph.") becomes that initial followed by
    ``mark``. Other words become their initial followed by ``mark`` when
    ``initialize`` is true, and stay whole otherwise. Parts joined by a hyphen
    keep the hyphen when ``hyphen`` is true ("J.-P."); a lowercase part after
    a hyphen is dropped from initials ("Guo-ping" gives "G."). Markup around
    a word stays around its initial and the mark's period ("<b>John</b>"
    gives "<b>J.</b>"). A part that does not start with a letter ("(Brown",
    "0.") is kept as written.
    """
    pieces: list[tuple[str, str]] = []  # (text, separator after it)
    after_hyphen = False
    for match in _TOKEN.finditer(given):
        if match.group(5):
            after_hyphen = hyphen
            continue
        opening, word, period, closing = match.group(1, 2, 3, 4)
        joined_by_hyphen = after_hyphen
        after_hyphen = False
        is_initial = bool(period) or len(word) == 1
        if not word[0].isalpha():
            # a word that does not start with a letter ("(Brown", "0.", "3rd")
            # is kept as written, as citeproc-js keeps it
            text, separator = word + period, " "
        elif is_initial:
            text, separator = word, mark
        elif not _starts_lowercase(word) and initialize:
            text, separator = _initial(word), mark
        elif _starts_lowercase(word) and initialize and joined_by_hyphen:
            continue
        else:
            text, separator = word, " "
        if opening or closing:
            inside = separator.rstrip() if separator != " " else ""
            text, separator = opening + text + inside + closing, separator[len(inside) :]
        if joined_by_hyphen and pieces:
            previous, previous_separator = pieces[-1]
            pieces[-1] = (previous, previous_separator.rstrip() + "-")
        elif separator == " " and pieces and not pieces[-1][1].endswith(" "):
            previous, previous_separator = pieces[-1]
            pieces[-1] = (previous, previous_separator.rstrip(_JS_SPACE) + " ")
        pieces.append((text, separator))
    # (white space as citeproc-js trims it: no-break and zero-width no-break
    # spaces of a mark after the last initial included)
    return "".join(text + separator for text, separator in pieces).strip().strip(_JS_SPACE)


# Options -------------------------------------------------------------------


def _instructions(context: Any) -> Any:
    """The cs:citation or cs:bibliography that ``context`` is in, if any (remembered)."""
    try:
        remembered = vars(context)
    except TypeError:
        remembered = {}
    if "_citekit_instructions" in remembered:
        return remembered["_citekit_instructions"]
    try:
        found = context.xpath(
            "./ancestor-or-self::*[self::cs:citation or self::cs:bibliography][1]",
            namespaces=_NSMAP,
        )
    except (AttributeError, TypeError):
        return None
    instructions = found[0] if found else None
    remembered["_citekit_instructions"] = instructions
    return instructions


def _in_bibliography(context: Any) -> bool:
    found = _instructions(context)
    return found is not None and found.tag == f"{{{_NS}}}bibliography"


class _Options:
    """The cs:name options for one rendering: element, then inherited, then defaults."""

    def __init__(self, name: Any, context: Any, overrides: Mapping[str, Any] | None) -> None:
        self.name = name
        self.overrides = overrides or {}
        self.sources = []
        instructions = _instructions(context)
        if instructions is not None:
            self.sources.append(instructions)
        root = context.get_root() if context is not None else None
        if root is not None:
            self.sources.append(root)
        self.found: dict[str, str | None] = _resolved(name, instructions, root, self.overrides)

    def get(self, option: str) -> str | None:
        found = self.found
        if option in found:
            return found[option]
        value = found[option] = self._get(option)
        return value

    def _get(self, option: str) -> str | None:
        if option in self.overrides and self.overrides[option] is not None:
            return str(self.overrides[option])
        if self.name is not None:
            value = self.name.get(option)
            if value is not None:
                return str(value)
        inherited = _INHERITED_AS.get(option, option)
        for source in self.sources:
            value = source.get(inherited)
            if value is not None:
                return str(value)
        return _DEFAULTS.get(option)

    def number(self, option: str) -> int | None:
        value = self.get(option)
        if value is None or not value.strip():
            return None
        try:
            return int(value)
        except ValueError:
            return None

    def flag(self, option: str) -> bool:
        return (self.get(option) or "").strip().lower() == "true"


def _resolved(
    name: Any, instructions: Any, root: Any, overrides: Mapping[str, Any]
) -> dict[str, str | None]:
    """The options already resolved for this cs:name, inheriting from these elements.

    An option's value depends on nothing else, and a style does not change
    while it renders, so the resolved values are kept on the style's root
    and shared by every rendering with the same elements and overrides.
    """
    if root is None:
        return {}
    try:
        key = (name, instructions, tuple(sorted(overrides.items())))
        shared: dict[Any, dict[str, str | None]] = vars(root).setdefault(
            "_citekit_name_options", {}
        )
        return shared.setdefault(key, {})
    except TypeError:  # an override that cannot be a key: resolved for this rendering only
        return {}


def _demote(context: Any) -> str:
    root = context.getroottree().getroot()
    return (root.get("demote-non-dropping-particle") or "display-and-sort").lower()


# Rendering -----------------------------------------------------------------


def _join_particle(left: str, right: str, glued: bool = False) -> str:
    """Two name parts with a space between (none when ``glued``, or after a no-break space)."""
    if not left:
        return right
    if not right:
        return left
    if glued or re.sub(r"<[^>]*>", "", left).endswith("\u00a0"):
        return left + right
    return left + " " + right


def _joined(*parts: str, separator: str = " ") -> str:
    return separator.join(part for part in parts if part)


def _field(text: str, anchor: Any) -> str:
    """Name text (CSL-JSON rich text) as the intermediate HTML of :mod:`citekit.csl.passes`."""
    return passes.rich_text(text, locale_quotes(anchor))


class _PartStyle:
    """The formatting and affixes of one cs:name-part (or none)."""

    def __init__(self, part: Any, anchor: Any) -> None:
        self.part = part
        self.anchor = anchor

    def format(self, text: str) -> str:
        """Escaped, text-cased and formatted (no affixes)."""
        if not text:
            return ""
        escaped = _field(text, self.anchor)
        if self.part is None:
            return escaped
        cased = passes.apply_case(escaped, self.part.get("text-case"))
        return str(self.part.format(cased))

    def wrap(self, text: str) -> str:
        """``text`` between the name-part's prefix and suffix (escaped)."""
        if self.part is None or not text:
            return text
        return _wrap(self.part, text)


def _wrap(node: Any, text: str) -> str:
    """``text`` between ``node``'s prefix and suffix, escaped, seams normalised."""
    prefix = passes.escape(node.get("prefix", ""))
    suffix = passes.escape(node.get("suffix", ""))
    joined = prefix + str(normalize_seam(prefix, text))
    return joined + str(normalize_seam(joined, suffix))


@attrs.frozen
class _Rendered:
    text: str
    inverted: bool


def _initialized(person: PersonName, options: _Options, level: int = 0) -> PersonName:
    """``person`` with the given name initialised as the options ask.

    ``level`` is the given-name level of disambiguation: 0 as the style says,
    1 initials (when the style initialises at all), 2 the full given name.
    """
    given = _initialized_given(person, options, level)
    return person if given == person.given else attrs.evolve(person, given=given)


def _initialized_given(person: PersonName, options: _Options, level: int = 0) -> str:
    """The given name of :func:`_initialized` (without making a new name)."""
    mark = options.get("initialize-with")
    if not person.given or mark is None or person.is_cjk or not person.family or level >= 2:
        return person.given
    return initialize_given(
        person.given,
        mark,
        initialize=options.flag("initialize"),
        hyphen=options.flag("initialize-with-hyphen"),
    )


def _initialized_suffix(person: PersonName, options: _Options) -> str:
    """The suffix of ``person``, its initials written as ``initialize-with`` asks.

    As citeproc-js writes it: with ``initialize-with=""`` "Jr." is "Jr" and
    "Ph.D." is "PhD"; its words stay whole (``initialize`` false).
    """
    mark = options.get("initialize-with")
    if mark is None or person.is_cjk:
        return person.suffix
    return initialize_given(
        person.suffix, mark, initialize=False, hyphen=options.flag("initialize-with-hyphen")
    )


def _render_person(
    person: PersonName,
    *,
    form: str,
    inverted: bool,
    options: _Options,
    demote: str,
    given_style: _PartStyle,
    family_style: _PartStyle,
    escape: Callable[[str], str],
    level: int = 0,
) -> _Rendered:
    """One name as ``cs:name`` renders it (see the module doc for the rules)."""
    if person.is_literal:
        return _Rendered(family_style.wrap(family_style.format(person.literal)), False)
    given = _initialized_given(person, options, level)
    family = family_style.format(person.family)
    ndp = family_style.format(person.non_dropping_particle)
    dp = given_style.format(person.dropping_particle)
    given_text = given_style.format(given)
    suffix = escape(_initialized_suffix(person, options)) if person.suffix else ""

    glue = person.glued_particles
    if person.is_cjk:
        if form == "short":
            return _Rendered(family_style.wrap(family), False)
        return _Rendered(family_style.wrap(family) + given_style.wrap(given_text), False)
    if not person.family:
        # A name of only a given name ("Banksy"): printed as it is.
        plain = given_style.format(person.given)
        return _Rendered(given_style.wrap(_join_particle(plain, dp)), False)
    if form == "short":
        return _Rendered(family_style.wrap(_join_particle(ndp, family, glue)), False)
    separator = options.get("sort-separator") or ""
    if inverted:
        dp_separator = ", " if person.comma_dropping_particle else " "
        if demote == "display-and-sort":
            family_block = family_style.wrap(family)
            given_block = given_style.wrap(
                _join_particle(_joined(given_text, dp, separator=dp_separator), ndp)
            )
        else:
            family_block = family_style.wrap(_join_particle(ndp, family, glue))
            given_block = given_style.wrap(_joined(given_text, dp, separator=dp_separator))
        text = _joined(family_block, given_block, suffix, separator=separator)
        return _Rendered(text, bool(given_block or suffix))
    if ndp:
        family_block = _join_particle(dp, _join_particle(ndp, family, glue))
    else:
        family_block = _join_particle(dp, family, glue)
    if suffix:
        family_block += (", " if person.comma_suffix else " ") + suffix
    family_block = family_style.wrap(family_block)
    given_block = given_style.wrap(given_text)
    if not given_block:
        return _Rendered(family_block, False)
    plain_given = re.sub(r"<[^>]*>", "", given_block)
    if plain_given[-1:].isspace() or plain_given.endswith("&#160;"):
        return _Rendered(given_block + family_block, False)
    return _Rendered(given_block + " " + family_block, False)


def _names_of(item: Any, variable: str) -> list[PersonName]:
    """The persons of a name variable of the cite's reference (read once per reference)."""
    try:
        reference = item.reference
        value = reference.get(variable.replace("-", "_"))
    except (AttributeError, VariableError):
        return []
    if not value or isinstance(value, str):
        return []
    memo_key = _PEOPLE + variable
    remembered = dict.get(reference, memo_key) if isinstance(reference, dict) else None
    if remembered is not None and remembered[0] is value:
        return list(remembered[1])
    people = [person_name(entry) for entry in value if isinstance(entry, Mapping)]
    if isinstance(reference, dict):
        # kept beside the reference's variables, under a key no CSL variable has
        dict.__setitem__(reference, memo_key, (value, tuple(people)))
    return people


_PEOPLE = "_citekit_people:"


def _has_names(item: Any, variables: Sequence[str]) -> bool:
    """False when :func:`_names_of` finds no names in any of ``variables`` (a quick look)."""
    try:
        get = item.reference.get
        for variable in variables:
            value = get(variable.replace("-", "_"))
            if value and not isinstance(value, str):
                return True
    except (AttributeError, VariableError):
        return True  # (let _names_of decide)
    return False


def _is_subsequent(item: Any, context: Any) -> bool:
    """Whether a cite has been made before (so ``et-al-subsequent-*`` apply)."""
    state = cite_state(item)
    if state is not None:
        return not state.in_bibliography and state.position != FIRST
    if context is None or _in_bibliography(context):
        return False
    position = item.get("position") if isinstance(item, dict) else None
    if isinstance(position, str):
        return position.replace("_", "-") not in ("first", "")
    try:
        citation = context.get_layout().getparent()
    except (AttributeError, IndexError):
        return False
    cites = getattr(citation, "cites", None) or []
    return getattr(item, "key", None) in _cited_keys(item, cites)


def _cited_keys(item: Any, cites: list[Any]) -> set[Any]:
    """The keys of ``cites``, the session's cites so far (a list that only grows).

    Kept in the session of the cite ``item`` with the list they index, and
    brought up to date with the cites added since: a cite's names ask this
    of every cite before it.
    """
    from citekit.csl.cite.session import session

    try:
        current = session(item.citation.bibliography)
    except (AttributeError, VariableError):
        return {getattr(cite, "key", None) for cite in cites}
    index = current.cited
    if index is None or index[0] is not cites or index[1] > len(cites):
        index = current.cited = [cites, 0, set()]
    if index[1] < len(cites):
        index[2].update(getattr(cite, "key", None) for cite in cites[index[1] :])
        index[1] = len(cites)
    keys: set[Any] = index[2]
    return keys


def _name_part_styles(name: Any, anchor: Any) -> tuple[_PartStyle, _PartStyle]:
    """The given and family name-part styles of a cs:name (remembered on it, per anchor)."""
    remembered: dict[Any, tuple[_PartStyle, _PartStyle]] | None = None
    if name is not None:
        remembered = vars(name).setdefault("_citekit_part_styles", {})
        found = remembered.get(anchor)
        if found is not None:
            return found
    given = family = None
    if name is not None:
        for part in name.findall("cs:name-part", _NSMAP):
            if part.get("name") == "given":
                given = part
            elif part.get("name") == "family":
                family = part
    styles = (_PartStyle(given, anchor), _PartStyle(family, anchor))
    if remembered is not None:
        remembered[anchor] = styles
    return styles


def _et_al_term(et_al: Any, anchor: Any) -> str:
    """The et-al term, formatted as cs:et-al asks ("" when the term is empty)."""
    if et_al is not None:
        term = str(anchor.get_single_term(et_al.get("term", "et-al")) or "")
        if not term:
            return ""
        return str(et_al.wrap(et_al.format(term)))
    return str(anchor.get_single_term("et-al") or "")


# What a term that is spaced from the names before it starts with, as citeproc-js
# tells it: "&", Latin, Greek, Cyrillic, Armenian, Hebrew but for its letter vav
# (the Hebrew "and" is written joined), Arabic, Thai, and direction marks.
_SPACED_TERM = re.compile(
    "^[&a-zA-Z\u00c0-\u017f\u0218-\u021b\u0370-\u03ff\u0400-\u052f\u0590-\u05d4"
    "\u05d6-\u05ff\u0600-\u06ff\u0e01-\u0e5b\u1f00-\u1fff\u200c-\u200e\u202a-\u202e]"
)


def _spaced_term(term: str) -> bool:
    """Whether an "and" or et-al term is set off from the names by spaces (see above)."""
    plain = re.sub(r"<[^>]*>", "", html.unescape(term))
    return _SPACED_TERM.match(plain) is not None


def _typed_et_al(people: Sequence[PersonName]) -> tuple[Sequence[PersonName], bool]:
    """The names without an "et al." typed after the last given name, and whether there was one.

    As citeproc-js reads it: ``{"family": "Doe", "given": "John, et al."}``
    (or ``"John et al."``) is John Doe followed by the style's et-al term, as
    if names were left out. Read as a name part, the typed words are a
    dropping particle or a suffix; only "et al." itself, with its period,
    counts.
    """
    if not people:
        return people, False
    last = people[-1]
    if last.dropping_particle == "et al.":
        plain = attrs.evolve(last, dropping_particle="", comma_dropping_particle=False)
        return [*people[:-1], plain], True
    if last.suffix == "et al.":
        return [*people[:-1], attrs.evolve(last, suffix="", comma_suffix=False)], True
    return people, False


def render_name_list(
    people: Sequence[PersonName],
    *,
    name: Any,
    et_al: Any,
    anchor: Any,
    context: Any,
    item: Any,
    overrides: Mapping[str, Any] | None = None,
    sort_mode: bool = False,
    variable: str = "",
) -> str | int | None:
    """One name variable's names as ``cs:name`` renders them (an int for ``form="count"``).

    ``name`` and ``et_al`` are the cs:name and cs:et-al elements (either may
    be ``None``); ``anchor`` is an element of the style for terms and the
    output formatter; ``context`` the element whose cs:citation or
    cs:bibliography options are inherited. ``sort_mode`` renders a sort key:
    every name inverted, no "and" or et-al terms.
    """
    if not people:
        return None
    options = _Options(name, context, overrides)
    form = options.get("form") or "long"
    et_al_min = options.number("et-al-min")
    use_first = options.number("et-al-use-first")
    if _is_subsequent(item, context):
        subsequent_min = options.number("et-al-subsequent-min")
        subsequent_first = options.number("et-al-subsequent-use-first")
        if subsequent_min is not None:
            et_al_min = subsequent_min
        if subsequent_first is not None:
            use_first = subsequent_first
    use_last = options.flag("et-al-use-last")
    people, typed_et_al = _typed_et_al(people)
    total = len(people)
    truncated = (
        et_al_min is not None and use_first is not None and total >= et_al_min and use_first < total
    )
    state = None if sort_mode else cite_state(item)
    # The bibliography takes the given names that disambiguated the item's
    # citations, but not the added names: citeproc-js expands given names
    # before it adds names, so names citekit adds would often not be its.
    if (
        truncated
        and state is not None
        and state.names_min is not None
        and not state.in_bibliography
    ):
        use_first = max(use_first or 0, state.names_min)
        truncated = use_first < total
    shown = list(people[:use_first]) if truncated and use_first is not None else list(people)
    with_last = truncated and use_last and use_first is not None and use_first + 2 <= total
    if form == "count":
        return len(shown) + (1 if with_last else 0)
    if not shown:
        return None

    demote = _demote(anchor)
    if sort_mode:
        # (a sort key is the names' sort strings alone: none is rendered for display)
        sort_people = [*shown, people[-1]] if with_last else shown
        return "\x01".join(
            passes.escape(
                _name_sort_string(person, demote, form, _initialized_given(person, options))
            )
            for person in sort_people
        )
    order = options.get("name-as-sort-order")
    given_style, family_style = _name_part_styles(name, anchor)

    def escape(text: str) -> str:
        return _field(text, anchor)

    def render(person: PersonName, index: int) -> _Rendered:
        level = state.givenname_level(variable, index) if state is not None else 0
        person_form = "long" if level else form
        inverted = order == "all" or (order == "first" and index == 0)
        return _render_person(
            person,
            form=person_form,
            level=level,
            inverted=inverted and person_form == "long",
            options=options,
            demote=demote,
            given_style=given_style,
            family_style=family_style,
            escape=escape,
        )

    rendered = [render(person, index) for index, person in enumerate(shown)]
    delimiter = options.get("delimiter")
    delimiter = ", " if delimiter is None else delimiter
    texts = [r.text for r in rendered]

    text = _joined_list(
        texts, rendered, options, anchor, et_al, truncated or typed_et_al, with_last, delimiter,
        render(people[-1], total - 1).text if with_last else "",
    )  # fmt: skip
    if state is not None and state.name_lists is not None:
        state.name_lists.append((tuple(texts), text))
    return text


def _joined_list(
    texts: list[str],
    rendered: list[_Rendered],
    options: _Options,
    anchor: Any,
    et_al: Any,
    truncated: bool,
    with_last: bool,
    delimiter: str,
    last_text: str,
) -> str:
    """The names shown (``texts``) joined with "and", et-al or the ellipsis and last name."""
    if with_last:
        ellipsis = "\u2026"
        return delimiter.join(texts) + delimiter + ellipsis + " " + last_text
    if truncated:
        term = _et_al_term(et_al, anchor)
        text = delimiter.join(texts)
        if not term:
            return text
        precedes = options.get("delimiter-precedes-et-al") or "contextual"
        use_delimiter = (
            precedes == "always"
            or (precedes == "contextual" and len(texts) >= 2)
            or (precedes == "after-inverted-name" and rendered[-1].inverted)
        )
        joiner = delimiter if use_delimiter else " "
        if joiner == " " and not _spaced_term(term):
            joiner = ""  # "Zither等": no space before a term not in a spaced script
        return text + joiner + term
    and_option = options.get("and")
    if and_option in ("text", "symbol") and len(texts) > 1:
        and_term = str(anchor.get_single_term("and") or "") if and_option == "text" else "&#38;"
        precedes = options.get("delimiter-precedes-last") or "contextual"
        use_delimiter = (
            precedes == "always"
            or (precedes == "contextual" and len(texts) >= 3)
            or (precedes == "after-inverted-name" and rendered[-2].inverted)
        )
        head = delimiter.join(texts[:-1])
        if and_term and not _spaced_term(and_term):
            # As citeproc-js: an "and" not in a spaced script ("ו" in Hebrew)
            # joins the last name without spaces, or a delimiter but for two
            # names with delimiter-precedes-last="always"
            joiner = delimiter if precedes == "always" and len(texts) == 2 else ""
            return f"{head}{joiner}{and_term}{texts[-1]}"
        joiner = delimiter if use_delimiter else " "
        if not and_term:
            return head + joiner + texts[-1]
        if joiner.endswith(" ") or not joiner:
            return f"{head}{joiner.rstrip() + ' ' if joiner else ' '}{and_term} {texts[-1]}"
        return f"{head}{joiner}{and_term} {texts[-1]}"
    return delimiter.join(texts)


# Elements ------------------------------------------------------------------


def _child(element_: Any, tag: str) -> Any:
    """``element_``'s first ``cs:`` child named ``tag``, or None (remembered: see ``children``).

    Only ``cs:name``, ``cs:et-al``, ``cs:label`` and ``cs:substitute`` are
    looked up.
    """
    found: dict[str, Any] | None = vars(element_).get("_citekit_child")
    if found is None:
        found = vars(element_)["_citekit_child"] = {}
    try:
        return found[tag]
    except KeyError:
        child = found[tag] = element_.find(f"cs:{tag}", _NSMAP)
        return child


def _substituting(item: Any) -> bool:
    """Whether a cs:substitute is rendering in the cite's rendering (its names then suppress)."""
    record = substituted(item)
    return record is not None and record.depth > 0


def _inherited_names(names: Any) -> Any:
    """The cs:names whose cs:name, cs:et-al and cs:label ``names`` uses.

    A shorthand ``cs:names`` (no cs:name child) anywhere inside a
    cs:substitute, also within a cs:choose there, inherits them from the
    cs:names the substitute belongs to (CSL 1.0.2 "Substitute"); any other
    ``cs:names`` uses its own.
    """
    if _child(names, "name") is not None:
        return names
    found = names.xpath("./ancestor::cs:substitute[1]/parent::cs:names", namespaces=_NSMAP)
    return found[0] if found else names


def note_substituted(item: Any, tag: str, variable: str | None, text: Any, **kwargs: Any) -> None:
    """Record ``variable`` (of a ``tag`` element) as used by a rendering cs:substitute.

    Substituted variables are suppressed in the rest of the cite's output
    (CSL 1.0.2 "Substitute"), also those a substitute renders through a
    macro or a cs:choose; the text element calls this for each variable it
    renders. Nothing is recorded for empty ``text``, outside a substitute,
    or while rendering sort keys (``sort_options`` in ``kwargs``).
    """
    if not text or not variable or kwargs.get("sort_options") is not None:
        return
    record = substituted(item)
    if record is not None and record.depth > 0:
        entry = record.marked(tag)
        if variable not in entry:
            entry.append(variable)


def is_substituted(item: Any, variable: str | None) -> bool:
    """Whether a cs:substitute rendered ``variable`` (text or number) earlier in the cite's output.

    False while a cs:substitute is still rendering (so a label beside the
    number it labels is kept).
    """
    if not variable:
        return False
    record = substituted(item)
    if record is None or record.depth > 0:
        return False
    return variable in record.of("text")


def _parts(names: Any) -> tuple[Any, Any, Any, bool]:
    """(cs:name, cs:et-al, cs:label of a cs:names, whether the label comes first), found once."""
    found: tuple[Any, Any, Any, bool] | None = vars(names).get("_citekit_names_parts")
    if found is None:
        name = _child(names, "name")
        et_al = _child(names, "et-al")
        label = _child(names, "label")
        label_first = False
        if label is not None and name is not None:
            elements = list(names)
            label_first = elements.index(label) < elements.index(name)
        found = vars(names)["_citekit_names_parts"] = (name, et_al, label, label_first)
    return found


@element("names")
class Names(model.Names):  # type: ignore[misc]
    """``cs:names``: name variables, labels, et-al, substitution (CSL 1.0.2 "Names")."""

    def process(
        self,
        item: Any,
        names_context: Any = None,
        context: Any = None,
        **kwargs: Any,
    ) -> Any:
        """The names of the variables, or the substitute's output; ``None`` when empty."""
        plan = vars(self).get("_citekit_names_plan") or self._plan()
        inherited, all_variables, own_delimiter, substitute = plan
        if context is None:
            context = self
        record = substituted(item)
        repressed = record.of(self.tag) if record is not None else ()
        if repressed:
            variables = [v for v in all_variables if v not in repressed]
        else:
            variables = list(all_variables)
        if not _has_names(item, variables):
            # (none of them has a name: the substitute, if any, renders)
            if substitute is not None:
                return substitute.render(item, context=context, **kwargs)
            return None
        if names_context is None:
            names_context = inherited
        sort_options = kwargs.get("sort_options")
        overrides = dict(kwargs.get("name_options") or {})
        if sort_options:
            overrides.update(sort_options)
        sort_mode = sort_options is not None

        name, et_al, label, label_first = _parts(names_context)
        if sort_mode:
            label_first = False
        lists = {variable: _names_of(item, variable) for variable in variables}
        combined = (
            "editor" in variables
            and "translator" in variables
            and lists["editor"]
            and lists["editor"] == lists["translator"]
            and _has_term(self, "editortranslator")
        )

        outputs: list[Any] = []
        for variable in variables:
            people = lists[variable]
            if not people or (combined and variable == "translator"):
                continue
            anchor = name if name is not None else self
            rendered = render_name_list(
                people,
                name=name,
                et_al=et_al,
                anchor=anchor,
                context=context,
                item=item,
                overrides=overrides,
                sort_mode=sort_mode,
                variable=variable,
            )
            if rendered is None or rendered == "":
                continue
            if isinstance(rendered, int):
                outputs.append(rendered)
                continue
            if not sort_mode and _substituting(item):
                substitution(item).marked(self.tag).append(variable)
            text = String(rendered)
            if name is not None and not sort_mode:
                text = String(_wrap(name, str(name.format(text))))
            if label is not None and not sort_mode:
                role = "editortranslator" if combined and variable == "editor" else variable
                label_text = label.render(item, role, len(people) > 1, **_label_kwargs(kwargs))
                if label_text:
                    text = label_text + text if label_first else text + label_text
            outputs.append(text)

        if outputs:
            texts = [o for o in outputs if not isinstance(o, int)]
            if not texts:  # form="count" for every variable
                count = sum(outputs)
                return String(str(count)) if count > 0 else None
            delimiter = own_delimiter
            if delimiter is None:
                delimiter = self.get_parent_delimiter(context)
            if sort_mode:
                delimiter = "\x01"
            return String(delimiter.join(str(t) for t in texts))
        if substitute is not None:
            return substitute.render(item, context=context, **kwargs)
        return None

    def get_parent_delimiter(self, context: Any = None) -> Any:
        """The ``names-delimiter`` of the ``cs:citation`` or ``cs:bibliography`` of ``context``.

        citeproc-py's, found once per context element (it depends on the
        style alone).
        """
        owner: Any = self if context is None else context
        remembered = vars(owner)
        found = remembered.get("_citekit_names_delimiter", _MISSING)
        if found is _MISSING:
            found = remembered["_citekit_names_delimiter"] = super().get_parent_delimiter(context)
        return found

    def _variables(self) -> tuple[str, ...]:
        """The variables of the element (its ``variable`` attribute), read once."""
        plan = vars(self).get("_citekit_names_plan") or self._plan()
        variables: tuple[str, ...] = plan[1]
        return variables

    def _plan(self) -> tuple[Any, tuple[str, ...], str | None, Any]:
        """(the cs:names whose cs:name it uses, its variables, its own delimiter or None,
        its cs:substitute or None), read once."""
        plan = (
            _inherited_names(self),
            tuple((self.get("variable") or "").split()),
            self.get("delimiter"),
            _child(self, "substitute"),
        )
        node: Any = self  # (lxml elements take attributes; the stubs do not say so)
        vars(node)["_citekit_names_plan"] = plan
        return plan

    def render(self, item: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
        """The names with formatting and affixes; a bibliography's subsequent-author-substitute.

        While a bibliography entry renders with the cite state's
        ``substitute_names`` set to ``(this element, text)``, the element's
        output is that text.
        """
        state = cite_state(item)
        override = state.substitute_names if state is not None else None
        kwargs["context"] = context
        rendered = self.markup(self.process(item, *args, **kwargs))
        if override is not None and override[0] is self and kwargs.get("sort_options") is None:
            # (rendered all the same: a cs:substitute it runs marks what it
            # used, which the rest of the entry then leaves out)
            return String(override[1]) if rendered else rendered
        return rendered

    def markup(self, text: Any) -> Any:
        """``text`` with the element's formatting and affixes (nothing for no text)."""
        if text:
            return String(_wrap(self, str(self.format(text))))
        return None


def _has_term(node: Any, name: str) -> bool:
    term = node.get_term(name)
    return term is not None and bool(str(term.single))


def _label_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k not in ("name_options", "names_context")}


@element("name")
class Name(model.Name):  # type: ignore[misc]
    """``cs:name``: one name variable's names (see :func:`render_name_list`)."""

    def process(
        self,
        item: Any,
        variable: str,
        context: Any = None,
        sort_options: Any = None,
        **kwargs: Any,
    ) -> Any:
        """The names of ``variable``, formatted by this element (an int for form count)."""
        overrides = dict(kwargs.get("name_options") or {})
        if sort_options:
            overrides.update(sort_options)
        names = self.getparent()
        et_al = _child(names, "et-al") if names is not None else None
        rendered = render_name_list(
            _names_of(item, variable),
            name=self,
            et_al=et_al,
            anchor=self,
            context=context if context is not None else self,
            item=item,
            overrides=overrides,
            sort_mode=sort_options is not None,
            variable=variable,
        )
        if rendered is None or isinstance(rendered, int):
            return rendered
        return String(rendered)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Rendered names with this element's formatting and affixes."""
        text = self.process(*args, **kwargs)
        if isinstance(text, int):
            return text
        if text:
            return String(_wrap(self, str(self.format(text))))
        return None


@element("name-part")
class Name_Part(model.Name_Part):  # type: ignore[misc]
    """``cs:name-part``: formatting of a name's given or family part (applied by ``cs:name``)."""


@element("et-al")
class Et_Al(model.Et_Al):  # type: ignore[misc]
    """``cs:et-al``: the et-al term (``et-al`` or ``and others``) and its formatting."""

    def process(self, *args: Any, **kwargs: Any) -> Any:
        """The term (an empty string when the locale defines it empty)."""
        return self.get_single_term(self.get("term", "et-al"))


def _evaluates_term(node: Any, item: Any, context: Any, seen: frozenset[str]) -> bool:
    """Whether rendering ``node`` for ``item`` reaches a ``cs:text`` term.

    Through groups, the taken branch of a ``cs:choose`` and macro calls.
    """
    if not isinstance(node.tag, str):
        return False
    tag = node.tag.rpartition("}")[2]
    children: Any = ()
    if tag == "text":
        if node.get("term") is not None:
            return True
        name = node.get("macro")
        if name is None or name in seen:
            return False
        try:
            children = node.get_macro(name)
        except IndexError:
            return False
        seen = seen | {name}
    elif tag == "group":
        children = node
    elif tag == "choose":
        children = taken_branch(node, item, context)
        if children is None:
            return False
    return any(_evaluates_term(child, item, context, seen) for child in children)


@element("substitute")
class Substitute(model.Substitute):  # type: ignore[misc]
    """``cs:substitute``: the first child that renders, its variables then suppressed."""

    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        """The first non-empty rendering of a child (``None`` if all are empty)."""
        if context is None:
            context = self
        names_parent = self.getparent()
        record = substitution(item)
        for child in self._candidates(self, item, context):
            if (
                type(child) is Names
                and not _has_names(item, child._variables())
                and _child(child, "substitute") is None
            ):
                # (a cs:names of citekit's, with no name to show and no
                # substitute: it renders nothing and marks nothing)
                continue
            record.depth += 1
            try:
                if isinstance(child, model.Names) and _child(child, "name") is None:
                    text = child.render(item, names_context=names_parent, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except VariableError:
                continue
            finally:
                record.depth -= 1
            if text:
                self._suppress(child, record)
                return text
            if _evaluates_term(child, item, context, frozenset()):
                # As citeproc-js: a term ends the substitution even when it
                # prints nothing (a term the locale leaves empty)
                return None
        return None

    @classmethod
    def _candidates(cls, parent: Any, item: Any, context: Any) -> Iterator[Any]:
        """The elements tried in turn: the children, a cs:choose's taken branch's in its place.

        As citeproc-js: two cs:names in the branch of a cs:choose in a
        substitute are two substitutes, the first that renders wins; they are
        not a group printed together.
        """
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            if isinstance(child, model.Choose):
                branch = taken_branch(child, item, context)
                if branch is not None:
                    yield from cls._candidates(branch, item, context)
                continue
            yield child

    @staticmethod
    def _suppress(child: Any, record: Rendering) -> None:
        """Record the variables of the substitute ``child`` that rendered (CSL 1.0.2)."""
        variables = (child.get("variable") or "").split()
        entry = record.marked(child.tag)
        if isinstance(child, model.Names):
            entry.extend(variables)
        else:
            entry.append(child.get("variable"))


# Sorting -------------------------------------------------------------------


def collation_key(text: str) -> tuple[str, str, str] | None:
    """A key that orders strings as citeproc-js's sort does, ``None`` for empty text.

    Markup is removed; punctuation (quotes, commas, apostrophes, brackets...)
    is ignored, and so are case and accents (strings that differ only there
    keep the order they came in); numbers compare by value ("9" before "10").
    """
    # (text with no markup, entity or marker is its own plain text)
    plain = passes.plain_text(text) if _MARKUP.search(text) else text
    cleaned = " ".join(plain.translate(_SORT_CHARACTERS).split())
    if not cleaned:
        return None
    base = cleaned.casefold()
    if not base.isascii():
        base = "".join(
            c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c)
        )
    return _DIGITS.sub(_numeric, base), "", ""


class _SortCharacters(dict[int, str]):
    """What each character becomes in a collation key (a ``str.translate`` table).

    Punctuation goes (apostrophes and hyphens become spaces), separators
    and white space become spaces, every other character stays. Filled in
    as characters are met; the same for every thread, so a race only
    computes an entry twice.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        if category.startswith("P"):
            value = " " if char in "'\u2019-\u2010" else ""
        elif category.startswith("Z") or char.isspace():
            value = " "
        else:
            value = char
        self[code] = value
        return value


_SORT_CHARACTERS = _SortCharacters()


_DIGITS = re.compile(r"\d+")
_MARKUP = re.compile("[<&" + passes.PROTECT + "]")


def _numeric(match: re.Match[str]) -> str:
    """A run of digits as text that sorts by the number's value."""
    digits = match.group(0).lstrip("0") or "0"
    return f"{len(digits):04d}{digits}"


def _name_sort_string(
    person: PersonName, demote: str, form: str = "long", given: str | None = None
) -> str:
    """A name as a sort key: its parts in the specification's order for sorting.

    ``given``: the given name to use (initialised), the person's own by default.
    """
    if person.is_literal:
        return person.literal
    if given is None or given == person.given:
        cjk = person.is_cjk
        given = person.given
    else:  # (as the initialised person would be: is_cjk of its own parts)
        cjk = bool(_CJK.search(person.family + given)) and not _LATIN_LIKE.search(
            person.family + given
        )
    if cjk:
        return _joined(person.family, given)
    if form == "short":
        if demote == "never":
            return _joined(person.non_dropping_particle, person.family)
        return person.family
    if demote == "never":
        parts = [
            _joined(person.non_dropping_particle, person.family),
            person.dropping_particle,
            given,
            person.suffix,
        ]
    else:
        parts = [
            person.family,
            _joined(person.dropping_particle, person.non_dropping_particle),
            given,
            person.suffix,
        ]
    return " ".join(" ".join(part.split()) for part in parts if part)


_NUMBER = re.compile(r"^\s*(-?\d+)")
_FIRST_NUMBER = re.compile(r"\d+")
#: CSL 1.0.2's number variables.
_NUMBER_VARIABLES = frozenset(
    [
        "chapter-number",
        "collection-number",
        "edition",
        "first-reference-note-number",
        "issue",
        "locator",
        "number",
        "number-of-pages",
        "number-of-volumes",
        "page",
        "page-first",
        "part-number",
        "printing-number",
        "section",
        "supplement-number",
        "version",
        "volume",
    ]
)


@element("key")
class Key(model.Key):  # type: ignore[misc]
    """``cs:key``: one sort key's values for a list of cites (``None`` for an empty value)."""

    def sort_keys(self, items: Sequence[Any], context: Any) -> list[Any]:
        """Comparable values (see :class:`Sort`), one per item."""
        variable = self.get("variable")
        if variable is not None:
            return [self._variable_value(item, variable, context) for item in items]
        macro_name = self.get("macro")
        if macro_name is None:
            return [None for _ in items]
        macro = self.called_macro(macro_name)
        sort_options: dict[str, Any] = {}
        for option, target in (
            ("names-min", ("et-al-min", "et-al-subsequent-min")),
            ("names-use-first", ("et-al-use-first", "et-al-subsequent-use-first")),
            ("names-use-last", ("et-al-use-last",)),
        ):
            if option in self.attrib:
                for name in target:
                    sort_options[name] = self.get(option)
        # A citation sort renders the same keys of the same cites again in
        # citation after citation: the session keeps their values.
        known = _sort_values(items, context)
        locator = _reads_locator(self) if known is not None else True
        values = []
        render = macro.render
        for item in items:
            token = cite_token(item, context, locator=locator) if known is not None else None
            if known is not None and token is not None:
                found = known.get((self, token), _MISSING)
                if found is not _MISSING:
                    values.append(found)
                    continue
            forget_substituted(item)
            try:
                text = render(item, context=context, sort_options=sort_options)
            except VariableError:
                text = None
            finally:
                forget_substituted(item)
            value = _string_value(str(text)) if text is not None else None
            if known is not None and token is not None:
                known[(self, token)] = value
            values.append(value)
        return values

    def _variable_value(self, item: Any, variable: str, context: Any) -> Any:
        python_name = variable.replace("-", "_")
        if variable == "citation-number":
            try:
                return (0, int(item.number), "")
            except (AttributeError, ValueError):
                return None
        try:
            value = item.reference.get(python_name)
        except (AttributeError, VariableError):
            return None
        if value is None or (isinstance(value, str) and not value):
            return None
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            demote = _demote(self)
            people = [person_name(v) for v in value]
            text = "\x01".join(_name_sort_string(p, demote) for p in people)
            return _string_value(passes.escape(text))
        if python_name in model.DATES or hasattr(value, "sort_key"):
            try:
                return (1, "", str(value.sort_key()))
            except (AttributeError, TypeError, ValueError, VariableError):
                return None
        if variable in _NUMBER_VARIABLES:
            # As citeproc-js: a number variable sorts by the first number in
            # it ("11 - 20" by 11, "3a" by 3), before values with none.
            plain = passes.plain_text(str(value)).strip()
            first = _FIRST_NUMBER.search(plain)
            if first is not None and not plain.startswith("-"):
                return (0, int(first.group()), "")
        return _string_value(str(value))


_MISSING = object()


def _sort_values(items: Sequence[Any], context: Any) -> dict[tuple[Any, ...], Any] | None:
    """The session's values of citation sort keys (None for a bibliography's sort)."""
    from citekit.csl.cite.session import session

    if not items or _in_bibliography(context):
        return None
    try:
        bibliography = items[0].citation.bibliography
    except (AttributeError, VariableError):
        return None
    values: dict[tuple[Any, ...], Any] = session(bibliography).sort_values
    return values


def _reads_locator(key: Any) -> bool:
    """Whether ``key``'s macro (or one it calls, at any depth) mentions the locator.

    Any attribute naming ``locator`` counts (a variable, a label, a condition).
    """
    found = vars(key).get("_citekit_reads_locator")
    if found is not None:
        return bool(found)
    reads = False
    for child in reached_elements(key):
        if child is None or any(  # (a macro not found: assume it might)
            "locator" in (name, *str(value).split()) for name, value in child.attrib.items()
        ):
            reads = True
            break
    vars(key)["_citekit_reads_locator"] = reads
    return reads


def cite_token(cite: Any, context: Any, *, locator: bool = True) -> tuple[Any, ...] | None:
    """Everything a sort key's rendering of ``cite`` reads besides the style (None: unknown).

    Rendered without a cite state, a key reads the cite's own fields (its
    item, locator, affixes, explicit position...), its item's reference as
    the session shows it (the year suffix; whether a citation label was
    made), the item's citation number, and whether the session has cited
    the item before (``et-al-subsequent-*``); ``context`` is the layout
    whose options it inherits. A field of any other kind gives None.
    ``locator=False`` (a key that never mentions the locator) leaves the
    locator and its label out.
    """
    fields: list[tuple[str, Any]] = []
    for name, value in dict.items(cite):
        if name in ("citation", RENDERING_KEY) or (isinstance(name, str) and name.startswith("_")):
            continue  # (the cite's citation; what citekit remembers on the cite)
        if not locator and name in ("locator", "label"):
            continue
        if not isinstance(name, str) or name.startswith("citekit"):
            return None  # (a cite state attached: the rendering is not a sort key's)
        if value is None or isinstance(value, str | int | float | bool):
            fields.append((name, value))
        elif isinstance(value, Locator):
            fields.append((name, (str(value.label), str(value.identifier))))
        else:
            return None
    try:
        reference = cite.reference
        number = cite.number
    except (AttributeError, KeyError, ValueError, VariableError):
        return None
    return (
        context,
        tuple(sorted(fields)),
        dict.get(reference, "year_suffix"),
        "citation_label" in reference,
        number,
        _is_subsequent(cite, context),
    )


def _string_value(text: str) -> Any:
    """A comparable value for a rendered or plain string: numbers by value."""
    plain = (passes.plain_text(text) if _MARKUP.search(text) else text).strip()
    if not plain:
        return None
    if plain.isdigit():
        return (0, int(plain), "")
    key = collation_key(plain)
    if key is None:
        return None
    return (2, "", key)


@element("sort")
class Sort(model.Sort):  # type: ignore[misc]
    """``cs:sort``: a stable sort by the keys in turn; empty values always last."""

    def sort(self, items: Sequence[Any], context: Any) -> list[Any]:
        """``items`` in sort order (items equal on every key keep their order).

        A key is computed only for the items the keys before it leave tied
        (the first key for all): a stable sort by the first key, then each run
        of ties by the next, gives the order a comparison of all keys in turn
        gives. The first key of a large list is computed in several
        processes (each item's keys depend on that item alone). Values of
        one key are plain tuples of one shape (see :func:`_string_value`),
        compared as they are.
        """
        from citekit.csl import parallel

        if len(items) < 2:
            return list(items)
        node: Any = self
        remembered: dict[str, Any] = vars(node)
        keys = remembered.get("_citekit_keys")
        if keys is None:  # (the style does not change: its keys are found once)
            keys = remembered["_citekit_keys"] = self.findall("cs:key", _NSMAP)
        runs: list[list[int]] = [list(range(len(items)))]
        for key in keys:
            tied = [index for run in runs if len(run) > 1 for index in run]
            if not tied:
                break
            descending = (key.get("sort") or "ascending").lower() == "descending"

            def values_of(
                start: int, stop: int, key: Any = key, tied: list[int] = tied
            ) -> list[Any]:
                return list(key.sort_keys([items[i] for i in tied[start:stop]], context))

            if len(tied) < 2 * parallel.MIN_CHUNK:  # (too few to share between processes)
                found = values_of(0, len(tied))
            else:
                found = parallel.map_ranges(values_of, len(tied))
            values = dict(zip(tied, found, strict=True))
            split: list[list[int]] = []
            for run in runs:
                if len(run) < 2:
                    split.append(run)
                    continue
                split.extend(_ordered_runs(run, values, descending))
            runs = split
        return [items[index] for run in runs for index in run]


def _ordered_runs(run: list[int], values: dict[int, Any], descending: bool) -> list[list[int]]:
    """The indexes of ``run`` sorted stably by ``values`` (None last), cut into runs of ties."""
    present = [index for index in run if values[index] is not None]
    empty = [index for index in run if values[index] is None]
    # (a stable sort, also in reverse: equal values keep their order)
    present.sort(key=values.__getitem__, reverse=descending)
    out: list[list[int]] = []
    for group in (present, empty):
        if not group:
            continue
        current = [group[0]]
        previous = values[group[0]]
        for index in group[1:]:
            value = values[index]
            if value == previous:
                current.append(index)
            else:
                out.append(current)
                current = [index]
                previous = value
        out.append(current)
    return out
