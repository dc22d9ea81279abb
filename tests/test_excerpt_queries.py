"""Excerpts: translations, the Excerpts mapping, and queries on a Library."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import attrs
import pytest

import citekit
from citekit import Excerpt, Library, Person, Work, WorkType
from citekit.formats import get_format
from citekit.model.excerpts import Excerpts, Original, fold, name_matcher, search_words

REPO = Path(__file__).resolve().parents[1]
SERGE = REPO / "examples" / "serge" / "serge.yaml"

ABIDOR = Person(family="Abidor", given="Mitchell")
FRENCH = (
    "Il est permis d’employer le mot trahison quand un homme fait, contre ses frères,"
    " son parti et son peuple, le contraire de ce qu’il promet."
)
ENGLISH = (
    "It’s permissible to use the word treason when a man does, against his brothers,"
    " his party, and his people, the opposite of what he promises."
)


def translated() -> Excerpt:
    return Excerpt(
        id="serge-treason",
        text=ENGLISH,
        work_key="serge1944",
        language="en",
        original=Original(FRENCH, language="fr"),
        translator=ABIDOR,
        tags=("stalinism",),
    )


def works() -> list[Work]:
    return [
        Work(key="serge1944", type=WorkType.MANUSCRIPT, title="Lenin's Heir?"),
        Work(key="blog2019", type=WorkType.POST_WEBLOG, title="Victor Serge on Stalinism"),
    ]


# --- translations ---------------------------------------------------------------------------


def test_a_translation_keeps_the_original_and_the_translator() -> None:
    excerpt = translated()
    assert excerpt.is_translation
    assert excerpt.original == Original(FRENCH, "fr")
    assert excerpt.translator == ABIDOR
    assert not Excerpt(id="x", text="t", work_key="w").is_translation
    assert Excerpt(id="x", text="t", work_key="w", translator=ABIDOR).is_translation
    assert Original("  texte  ", " fr ").language == "fr"
    with pytest.raises(ValueError, match="needs its text"):
        Original("  ")
    with pytest.raises(TypeError, match="original must be an Original"):
        Excerpt(id="x", text="t", work_key="w", original=FRENCH)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Excerpt(id="x", text="t", work_key="w", translator="Abidor")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["csljson", "cslyaml", "bibtex"])
def test_translations_round_trip(name: str) -> None:
    fmt = get_format(name)
    plain = Excerpt(id="plain", text="Words.", work_key="blog2019")
    library = Library(works(), excerpts=[translated(), plain])
    back = fmt.read(fmt.write(library), path=None)
    assert not back.errors, back.errors
    assert back.excerpts == library.excerpts
    assert back.excerpts["serge-treason"].original == Original(FRENCH, "fr")
    assert back.excerpts["serge-treason"].translator == ABIDOR
    assert back.excerpts["plain"].original is None and back.excerpts["plain"].translator is None


def test_csl_json_spells_translations_so() -> None:
    data = json.loads(get_format("csljson").write(Library(works(), excerpts=[translated()])))
    (excerpt,) = data["excerpts"]
    assert excerpt["translator"] == {"family": "Abidor", "given": "Mitchell"}
    assert excerpt["original"] == {"language": "fr", "text": FRENCH}
    assert list(excerpt)[-2:] == ["text", "original"]


def test_csl_yaml_reads_the_short_forms() -> None:
    document = f"""\
references:
  - id: serge1944
    type: manuscript
excerpts:
  - id: a
    work: serge1944
    translator: [{{family: Abidor, given: Mitchell}}]
    original: "{FRENCH}"
    text: "{ENGLISH}"
  - id: b
    work: serge1944
    translator: Mitchell Abidor
    text: Words.
"""
    library = citekit.loads(document, "cslyaml")
    assert not library.problems
    assert library.excerpts["a"].translator == ABIDOR
    assert library.excerpts["a"].original == Original(FRENCH)
    assert library.excerpts["b"].translator == Person(literal="Mitchell Abidor")


def test_bad_translation_fields_are_reported_and_left_out() -> None:
    document = {
        "references": [{"id": "serge1944", "type": "manuscript"}],
        "excerpts": [
            {
                "id": "a",
                "work": "serge1944",
                "translator": [{"family": "A"}, {"family": "B"}],
                "original": {"text": FRENCH, "lang": "fr"},
                "text": ENGLISH,
            }
        ],
    }
    library = citekit.loads(json.dumps(document, indent=2), "csljson", path="refs.json")
    excerpt = library.excerpts["a"]
    assert excerpt.translator is None and excerpt.original is None
    messages = sorted(str(p) for p in library.problems)
    assert any(
        "field 'translator'" in m and "expected one name, got a list of 2" in m for m in messages
    )
    assert any("field 'original'" in m and "unknown keys lang" in m for m in messages)
    assert all(m.startswith("refs.json:") for m in messages)


def test_an_unchanged_translation_is_written_back_byte_for_byte() -> None:
    yaml = get_format("cslyaml")
    data = yaml.write(Library(works(), excerpts=[translated()]))
    library = yaml.read(data, path=None)
    assert yaml.write(library) == data
    library.excerpts["serge-treason"] = attrs.evolve(
        library.excerpts["serge-treason"], translator=Person(family="Serge", given="Victor")
    )
    changed = yaml.write(library).decode()
    assert "Abidor" not in changed and "family: Serge" in changed


def test_bibtex_comment_with_a_bad_translator_is_a_problem() -> None:
    body = json.dumps({"id": "a", "work": "w", "text": "t", "translator": {"surname": "X"}})
    library = citekit.loads("@comment{citekit-excerpt" + body + "}\n", "bibtex", path="r.bib")
    assert not library.excerpts
    (problem,) = library.errors
    assert "translator has unknown parts ['surname']" in str(problem)
    assert str(problem).startswith("r.bib:1:")


# --- the Excerpts mapping -----------------------------------------------------------------


def test_excerpts_behave_like_a_dict_and_count_changes() -> None:
    one = Excerpt(id="e1", text="One.", work_key="w")
    two = Excerpt(id="e2", text="Two.", work_key="w")
    excerpts = Excerpts([one])
    assert excerpts == {"e1": one} and {"e1": one} == excerpts
    assert excerpts["e1"] is one and "e1" in excerpts and len(excerpts) == 1
    assert excerpts.get("nope") is None and excerpts.get("nope", one) is one
    version = excerpts.version
    excerpts["e2"] = two
    assert list(excerpts) == ["e1", "e2"] and list(excerpts.values()) == [one, two]
    assert excerpts.version > version
    version = excerpts.version
    del excerpts["e1"]
    assert dict(excerpts.items()) == {"e2": two} and excerpts.version > version
    with pytest.raises(KeyError):
        excerpts["e1"]
    with pytest.raises(ValueError, match="does not match the excerpt's id 'e2'"):
        excerpts["other"] = two
    with pytest.raises(TypeError, match="expected an Excerpt"):
        excerpts["e3"] = "text"  # type: ignore[assignment]
    version = excerpts.version
    excerpts.clear()
    assert not excerpts and excerpts.version > version


def test_a_library_keeps_excerpts_in_an_excerpts_mapping() -> None:
    one = Excerpt(id="e1", text="One.", work_key="w")
    library = Library(excerpts=[one])
    assert isinstance(library.excerpts, Excerpts)
    library.excerpts = {"e1": one}
    assert isinstance(library.excerpts, Excerpts) and library.excerpts == {"e1": one}
    library.excerpts = [attrs.evolve(one, id="e2")]
    assert list(library.excerpts) == ["e2"]
    with pytest.raises(ValueError, match="not the excerpt with that id"):
        library.excerpts = {"x": one}


def test_the_search_index_follows_changes() -> None:
    library = Library(works(), excerpts=[translated()])
    assert library.find_excerpts("treason") == [translated()]
    library.add_excerpt(Excerpt(id="e2", text="Treason, again.", work_key="blog2019"))
    assert [e.id for e in library.find_excerpts("treason")] == ["serge-treason", "e2"]
    library.excerpts["e2"] = Excerpt(id="e2", text="Loyalty.", work_key="blog2019")
    assert [e.id for e in library.find_excerpts("treason")] == ["serge-treason"]
    assert [e.id for e in library.find_excerpts("loyalty")] == ["e2"]
    del library.excerpts["serge-treason"]
    assert library.find_excerpts("treason") == []
    library.excerpts.clear()
    assert library.find_excerpts("loyalty") == []
    library.excerpts = [translated()]
    assert library.find_excerpts("treason") == [translated()]


# --- queries ---------------------------------------------------------------------------------


def query_library() -> Library:
    people = {
        "serge": Person(family="Serge", given="Victor"),
        "marquez": Person(family="García Márquez", given="Gabriel"),
        "fontaine": Person(family="Fontaine", given="Jean", non_dropping_particle="de la"),
        "who": Person(literal="World Health Organization"),
        "reed": Person(family="Reed", given="John"),
    }
    library = Library(
        [
            Work(
                key="serge1944",
                type=WorkType.MANUSCRIPT,
                contributors={"author": [people["serge"]]},
            ),
            Work(
                key="marquez1967", type=WorkType.BOOK, contributors={"author": [people["marquez"]]}
            ),
            Work(
                key="fables1668", type=WorkType.BOOK, contributors={"author": [people["fontaine"]]}
            ),
            Work(key="who2020", type=WorkType.REPORT, contributors={"author": [people["who"]]}),
            Work(key="reed1919", type=WorkType.BOOK, contributors={"author": [people["reed"]]}),
            Work(
                key="reader1990",
                type=WorkType.BOOK,
                contributors={"editor": [Person(family="Abidor", given="Mitchell")]},
            ),
        ]
    )
    for excerpt in [
        Excerpt(
            id="heir",
            text="It’s permissible to use the word treason.\n\nLenin’s “heir,” according to"
            " Burnham, had to inflict this treatment on Lenin’s party.",
            work_key="serge1944",
            tags=("Stalinism", "bolshevism"),
        ),
        Excerpt(
            id="macondo",
            text="Muchos años después, frente al pelotón de fusilamiento, el coronel Aureliano"
            " Buendía había de recordar aquella tarde remota.",
            work_key="marquez1967",
            language="es",
            tags=("novels", "Opening lines"),
        ),
        Excerpt(
            id="cigale",
            text="La Cigale, ayant chanté tout l’été, se trouva fort dépourvue.",
            work_key="fables1668",
            tags=("fables",),
        ),
        Excerpt(id="health", text="Health is a state of complete well-being.", work_key="who2020"),
        Excerpt(id="edited", text="An anthology's preface.", work_key="reader1990"),
        Excerpt(
            id="trotsky",
            text="The revolution is made not by the party but by the masses.",
            work_key="reed1919",
            speaker=Person(family="Trotsky", given="Leon"),
            quoted_in=citekit.QuotedIn("serge1944"),
            tags=("bolshevism",),
        ),
    ]:
        library.add_excerpt(excerpt)
    return library


def ids(excerpts: list[Excerpt]) -> list[str]:
    return [e.id for e in excerpts]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, ["heir", "macondo", "cigale", "health", "edited", "trotsky"]),
        ({"work": "serge1944"}, ["heir"]),
        ({"work": "nope"}, []),
        ({"quoted_in": "serge1944"}, ["trotsky"]),
        ({"author": "Serge"}, ["heir"]),
        ({"author": "SERGE"}, ["heir"]),
        ({"author": "Victor Serge"}, ["heir"]),
        ({"author": "Serge, Victor"}, ["heir"]),
        ({"author": "V. Serge"}, ["heir"]),
        ({"author": "Jean Serge"}, []),
        ({"author": "garcia marquez"}, ["macondo"]),
        ({"author": "Gabriel García Márquez"}, ["macondo"]),
        ({"author": "Fontaine"}, ["cigale"]),
        ({"author": "de la Fontaine"}, ["cigale"]),
        ({"author": "organization"}, ["health"]),
        ({"author": "World Health Organization"}, ["health"]),
        ({"author": "Trotsky"}, ["trotsky"]),  # the speaker
        ({"author": "Reed"}, ["trotsky"]),  # the work's author
        ({"tag": "stalinism"}, ["heir"]),
        ({"tag": "BOLSHEVISM"}, ["heir", "trotsky"]),
        ({"tag": "opening  lines"}, ["macondo"]),
        ({"tag": ["bolshevism", "stalinism"]}, ["heir"]),
        ({"tag": "nope"}, []),
        ({"text": "TREASON"}, ["heir"]),
        ({"text": "buendia"}, ["macondo"]),
        ({"text": "Después"}, ["macondo"]),
        ({"text": "ete cigale"}, ["cigale"]),
        ({"text": "party revolution"}, ["trotsky"]),
        ({"text": "party"}, ["heir", "trotsky"]),
        ({"text": '"Lenin\'s heir"'}, ["heir"]),
        ({"text": "“lenin’s heir according”"}, ["heir"]),
        ({"text": '"heir lenin"'}, []),
        ({"text": "revol*"}, ["trotsky"]),
        ({"text": "party", "author": "Serge"}, ["heir"]),
        ({"text": "party", "tag": "bolshevism", "work": "reed1919"}, ["trotsky"]),
        ({"text": "  "}, ["heir", "macondo", "cigale", "health", "edited", "trotsky"]),
        ({"author": "Abidor"}, ["edited"]),  # the editors of a work without authors
        ({"text": "nowhere"}, []),
    ],
)
def test_find_excerpts(criteria: dict[str, object], expected: list[str]) -> None:
    assert ids(query_library().find_excerpts(**criteria)) == expected  # type: ignore[arg-type]


def test_search_covers_the_original_text() -> None:
    library = Library(works(), excerpts=[translated()])
    assert ids(library.find_excerpts("trahison")) == ["serge-treason"]
    assert ids(library.find_excerpts('"freres son parti"')) == ["serge-treason"]
    # A phrase does not run from the translation into the original.
    assert library.find_excerpts('"promises il est"') == []
    assert ids(library.excerpts.search("permissible")) == ["serge-treason"]


def test_bad_queries() -> None:
    library = query_library()
    with pytest.raises(ValueError, match="expected a name"):
        library.find_excerpts(author=" ,. ")
    with pytest.raises(TypeError, match="a search query is a string"):
        library.find_excerpts(text=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a tag is a string"):
        library.find_excerpts(tag=[1])  # type: ignore[list-item]


def test_folding_and_names() -> None:
    assert fold("Ærø Łódź ŒUVRE ﬁn Straße") == "aero lodz oeuvre fin strasse"
    assert search_words("Lenin’s “heir,” 1917–1927") == ["lenin", "s", "heir", "1917", "1927"]
    serge = name_matcher("serge")
    assert serge(Person(family="Serge", given="Victor"))
    assert not serge(Person(family="Sergeant", given="Victor"))
    assert serge(Person(literal="Serge Gainsbourg Society"))  # a word of a literal name
    assert name_matcher("J. E. Davies")(Person(family="Davies", given="Joseph E."))
    humboldt = Person(family="Humboldt", given="Alexander", dropping_particle="von")
    for query in ["Humboldt", "von Humboldt", "Alexander von Humboldt", "Humboldt, Alexander von"]:
        assert name_matcher(query)(humboldt), query
    assert not name_matcher("Wilhelm von Humboldt")(humboldt)
    assert not name_matcher("J. F. Davies")(Person(family="Davies", given="Joseph E."))


def test_the_seed_library_is_queried() -> None:
    library = citekit.load(SERGE)
    assert ids(library.find_excerpts(author="serge")) == ["serge-heir"]
    assert ids(library.find_excerpts('"Commune-State"')) == ["serge-heir"]
    assert ids(library.find_excerpts(quoted_in="bolshevikpunk2019")) == ["serge-heir"]
    assert library.find_excerpts(author="bolshevikpunk") == []


# --- speed ------------------------------------------------------------------------------------


def many_excerpts(count: int) -> Library:
    """``count`` excerpts of two to four sentences of Serge's passage, over 200 works."""
    text = citekit.load(SERGE).excerpts["serge-heir"].text
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 20]
    rng = random.Random(7)
    library = Library(
        Work(
            key=f"w{i}",
            type=WorkType.BOOK,
            contributors={"author": [Person(family=f"Author{i % 50}")]},
        )
        for i in range(200)
    )
    for i in range(count):
        body = " ".join(rng.sample(sentences, rng.randint(2, 4)))
        library.add_excerpt(
            Excerpt(id=f"e{i}", text=body, work_key=f"w{i % 200}", tags=(f"t{i % 30}",))
        )
    return library


def test_full_text_search_over_ten_thousand_excerpts() -> None:
    """What each query finds; its speed is measured by benchmarks/excerpt_search.py."""
    library = many_excerpts(10_000)
    library.find_excerpts("warm-up")  # builds the index
    for query in ["stalin", "Bolshevik party", '"Lenin’s party"', "revol*", "zzz", "the"]:
        found = library.find_excerpts(query)
        assert all(query.strip('"*').split()[0][:5].lower() in fold(e.text) for e in found)
        assert bool(found) == (query != "zzz"), (query, len(found))
