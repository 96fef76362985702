"""roles: roles the story teaches by apposition, and who may be whose relative from the cast's names."""

from __future__ import annotations

from fullcast.model import Gender
from fullcast.script.attribution.names import Person, build_index
from fullcast.script.attribution.roles import kin_candidates, learn_roles, may_be

F, M = Gender.FEMALE, Gender.MALE
INDEX = build_index([Person("Mr. Wells", M, True), Person("Marilla", F, True), Person("Anne", F, True),
                     Person("Tara", F, True), Person("The Coroner", M, True)])


def test_a_role_after_a_name_that_also_speaks_alone_is_that_persons() -> None:
    text = '"Ask Mr. Wells, the lawyer, and the coroner." "No," murmured the lawyer. "Marilla, the brooch!"'
    assert learn_roles(text, INDEX) == {"Mr. Wells": ["the lawyer"]}


def test_a_role_never_spoken_alone_shared_or_already_cast_is_not_learnt() -> None:
    text = ('Anne, the teacher, came. Tara, the maid, and Anne, the maid, left. Mr. Wells, the coroner, sat. '
            'Marilla, the other, spoke. "Yes," said the maid. "No," said the coroner. "Oh," said the other.')
    assert learn_roles(text, INDEX) == {}


# --------------------------------------------------------------------------- kin

KIN = build_index([Person("Jane", F, True, ("Miss Bennet",)), Person("Mrs. Bennet", F, True),
                   Person("Mr. Bennet", M, True), Person("Lydia", F, True, ("Mrs. Wickham",)),
                   Person("Lucy", F, True), Person("Mrs. Honeychurch", F, True, ("Lucy's Mother",))])


def test_kin_by_surname_with_mrs_marking_the_generation() -> None:
    assert kin_candidates(KIN, "Jane", "mother") == ["Mrs. Bennet"]
    assert kin_candidates(KIN, "Jane", "father") == ["Mr. Bennet"]
    assert kin_candidates(KIN, "Mr. Bennet", "wife") == ["Mrs. Bennet"]
    assert kin_candidates(KIN, "Mrs. Bennet", "husband") == ["Mr. Bennet"]
    assert kin_candidates(KIN, "Mrs. Bennet", "daughter") == ["Jane"]
    assert kin_candidates(KIN, "Lydia", "father") == []  # a Mrs. took her husband's surname


def test_a_man_known_only_as_mr_surname_is_the_elder_generation() -> None:
    index = build_index([Person("Newland Archer", M, True, ("Newland", "Archer")), Person("Mr. Archer", M, True),
                         Person("Dallas", M, True)])
    assert kin_candidates(index, "Newland Archer", "son") == []  # "Mr. Archer" is his father, not his son
    assert kin_candidates(index, "Newland Archer", "father") == ["Mr. Archer"]
    assert kin_candidates(index, "Mr. Archer", "son") == ["Newland Archer"]


def test_kin_named_by_an_alias() -> None:
    assert kin_candidates(KIN, "Lucy", "mother") == ["Mrs. Honeychurch"]


def test_kin_named_by_the_cast_name_itself_and_not_by_an_article() -> None:
    index = build_index([Person("Helen", F, True, ("Helen Schlegel",)), Person("Aunt Juley", F, True, ("Mrs. Munt",)),
                         Person("The Old Mr. Emerson", M, True, ("Mr. Emerson",)), Person("The Son", M, True),
                         Person("George Emerson", M, True)])
    assert kin_candidates(index, "Helen", "aunt") == ["Aunt Juley"]
    assert kin_candidates(index, "The Old Mr. Emerson", "son") == ["George Emerson"]


def test_who_may_be_anyones_mother_or_sister_by_who_is_a_mrs() -> None:
    assert may_be(KIN, "Mrs. Bennet", "mother") and may_be(KIN, "Mrs. Bennet", "aunt")
    assert not may_be(KIN, "Jane", "mother") and may_be(KIN, "Jane", "sister")
    assert not may_be(KIN, "Lydia", "sister") and may_be(KIN, "Lydia", "wife")
