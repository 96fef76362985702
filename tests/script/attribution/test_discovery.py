"""discovery: cold start, names found next to speech verbs, whose aliases they may be, and gender guesses."""

from __future__ import annotations

from collections import Counter

from fullcast.model import Gender
from fullcast.script.attribution.discovery import (
    discover,
    guess_gender,
    join_discovered,
    partial_owners,
    seed_people,
    variant_owners,
)
from fullcast.script.attribution.names import Person, build_index

from support.attribution import PEOPLE

F, M = Gender.FEMALE, Gender.MALE


def test_discover_names_next_to_speech_verbs() -> None:
    index = build_index(PEOPLE)
    windows = [" said Xander. He", " Then Giles answered.", " said Tara.", " Well said.", " said Mrs. Hale"]
    assert dict(discover(windows, index)) == {"Xander": 1, "Giles": 1, "Mrs. Hale": 1}


def test_partial_owner_of_a_discovered_name() -> None:
    assert partial_owners("Maclay", tuple(PEOPLE)) == ["Tara"]
    assert partial_owners("Jackson", tuple(PEOPLE)) == ["Mr. Sillerton Jackson", "Mrs. Jackson"]
    assert partial_owners("Mrs. Jackson", tuple(PEOPLE)) == ["Mrs. Jackson"]
    assert partial_owners("Mr. Maclay", tuple(PEOPLE)) == []
    assert partial_owners("Nobody", tuple(PEOPLE)) == []
    assert partial_owners("Jim Vane", (Person("James Vane", M, True, ("Jim",)), Person("Sibyl Vane", F, True))) == [
        "James Vane"]


def test_gender_from_honorific_or_following_pronoun() -> None:
    assert guess_gender("Mrs. Hale", "") is F
    assert guess_gender("Sir Roger", "") is M
    assert guess_gender("Giles", "Giles answered. He sat. Giles stood; his hat fell.") is M
    assert guess_gender("Sam", "Sam went home.") is Gender.UNKNOWN


def test_a_title_stays_with_the_name_and_miss_and_mrs_are_people_of_their_own() -> None:
    index = build_index([])
    windows = [" said Miss Bates.", " said Mrs Bates.", " said Mrs. Bates.", " said Mrs. Bates,", " said Mr. Bates."]
    found = discover(windows, index)
    assert dict(found) == {"Mrs. Bates": 3, "Miss Bates": 1, "Mr. Bates": 1}
    people, extra = join_discovered(found + Counter({"Bates": 1}), [], "Bates came in.")
    assert [p.name for p in people] == ["Mrs. Bates", "Miss Bates", "Mr. Bates"]
    assert extra == {"Mrs. Bates": ["Bates"], "Miss Bates": ["Bates"], "Mr. Bates": ["Bates"]}


def test_a_titled_name_joins_an_uncast_fuller_name_never_but_a_cast_one_still() -> None:
    assert partial_owners("Mr. Knightley", (Person("Mr. John Knightley", M, False),)) == []
    assert partial_owners("Mr. Knightley", (Person("Mr. John Knightley", M, True),)) == ["Mr. John Knightley"]


def test_family_and_rank_names_speak_too() -> None:
    windows = [" said Father Wolf.", " said Aunt Polly.", " said the Prefect.", " said the colonel.",
               " said Mother.", " the Mock Turtle said.", " said the old man.", " said the Other Man.", " said Sir."]
    assert list(discover(windows, build_index([]))) == ["Father Wolf", "Aunt Polly", "The Prefect", "The Colonel",
                                                        "Mother", "The Mock Turtle"]
    people, _ = join_discovered(Counter({"Mother": 2, "Thus": 3}), [], "Thus her mother spoke, and thus it was. Mother said so.")
    assert [(p.name, p.gender) for p in people] == [("Mother", F)]


def test_the_rank_alone_joins_the_one_who_holds_it() -> None:
    found = Counter({"The Colonel": 5, "Colonel Ducroix": 2, "The Prefect": 1})
    people, extra = join_discovered(found, [], "")
    assert [p.name for p in people] == ["Colonel Ducroix", "The Prefect"]
    assert extra == {"Colonel Ducroix": ["The Colonel"]}
    cast = (Person("March Hare", M, True),)
    assert partial_owners("The March Hare", cast) == ["March Hare"]


def test_a_full_name_and_its_parts_are_one_person_unless_the_surname_is_shared() -> None:
    found = Counter({"Fitzwilliam Darcy": 1, "Darcy": 4, "Fitzwilliam": 1, "Elizabeth Bennet": 2, "Mr. Bennet": 3,
                     "Mrs. Bennet": 3, "Bennet": 1})
    people, extra = join_discovered(found, [], "")
    assert [p.name for p in people] == ["Mr. Bennet", "Mrs. Bennet", "Elizabeth Bennet", "Fitzwilliam Darcy"]
    assert extra == {"Fitzwilliam Darcy": ["Darcy", "Fitzwilliam"], "Mr. Bennet": ["Bennet"], "Mrs. Bennet": ["Bennet"],
                     "Elizabeth Bennet": ["Bennet"]}  # a shared surname stays ambiguous


def test_spellings_one_letter_or_an_accent_apart_are_one_person() -> None:
    found = Counter({"Katharine": 5, "Katherine": 1, "Léonce": 2, "Leonce": 1, "Anna": 3, "Anne": 1})
    people, extra = join_discovered(found, [], "")
    assert [p.name for p in people] == ["Katharine", "Anna", "Léonce", "Anne"]
    assert extra == {"Katharine": ["Katherine"], "Léonce": ["Leonce"]}
    assert variant_owners("Mrs. Hilbury", (Person("Mrs. Hilbery", F, False),)) == ["Mrs. Hilbery"]
    assert variant_owners("Mr. Hilbury", (Person("Mrs. Hilbery", F, False),)) == []


def test_an_archives_character_tags_seed_the_cast_with_their_parts() -> None:
    cast = [Person("Hermione Granger", F, True)]
    seeded = seed_people(("Harry Potter", "Hermione Granger", "Draco Malfoy (Harry Potter)", "Original Female "
                          "Character(s)", "Reader", "Sirius Black/Remus Lupin", "Hedwig"), cast,
                         "Draco Malfoy smiled. He left.")
    assert seeded == [Person("Harry Potter", Gender.UNKNOWN, False, ("Harry", "Potter")),
                      Person("Draco Malfoy", M, False, ("Draco", "Malfoy")), Person("Hedwig", Gender.UNKNOWN, False)]


def test_gender_from_a_gendered_role() -> None:
    assert guess_gender("The Queen", "") is F
    assert guess_gender("Father Wolf", "") is M
    assert guess_gender("The Hatter", "The Hatter stood; he bowed. the hatter sat; his cup fell.") is M
