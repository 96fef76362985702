"""discovery: cold start, names found next to speech verbs, whose aliases they may be, and gender guesses."""

from __future__ import annotations

from fullcast.model import Gender
from fullcast.script.attribution.discovery import discover, guess_gender, partial_owners
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
