"""names: the alias index, mentions and short forms."""

from __future__ import annotations

from fullcast.model import Gender
from fullcast.script.attribution.names import (
    SPEECH_VERB_SET,
    Person,
    build_index,
    normalise,
    with_ordinary_words,
    with_person,
)

F, M = Gender.FEMALE, Gender.MALE
from support.attribution import PEOPLE


def found(text: str) -> list[tuple[str, tuple[str, ...], str | None, bool]]:
    index = build_index(PEOPLE)
    return [(text[m.start:m.end], m.names, m.pronoun, m.possessive) for m in index.mentions(text, 0, len(text))]


def test_names_descriptions_and_pronouns_in_order() -> None:
    assert found("Tara's jaw dropped. The blonde saw her, and she said I would.") == [
        ("Tara", ("Tara",), None, True), ("The blonde", ("Tara",), None, False), ("her", (), "her", True),
        ("she", (), "she", False), ("I", (), "i", False)]


def test_descriptions_match_in_any_case_names_only_as_written() -> None:
    assert found("the lady wearing the cop hat hissed at tara") == [
        ("the lady wearing the cop hat", ("Lola",), None, False)]


def test_a_title_cased_description_matches_in_any_case() -> None:
    # a cast list may capitalise every word of a description; "Of", "Who" or an opening "His" shows it is no name
    index = build_index([Person("One Of The Women Who Had Been Drinking At The Bar", F, True),
                         Person("His Valet", M, True), Person("Tara", F, True)])
    text = "It was one of the women who had been drinking at\nthe bar. TARA and tara stayed, and his valet."
    assert [text[m.start:m.end] for m in index.mentions(text, 0, len(text), pronouns=False)] == [
        "one of the women who had been drinking at\nthe bar", "his valet"]


def test_titles_spacing_and_short_forms() -> None:
    text = "Mr Sillerton\nJackson nodded to Mr. Jackson and Jackson smiled at Sillerton."
    assert [(t, n) for t, n, _, _ in found(text)] == [
        ("Mr Sillerton\nJackson", ("Mr. Sillerton Jackson",)), ("Mr. Jackson", ("Mr. Sillerton Jackson",)),
        ("Jackson", ("Mr. Sillerton Jackson",)), ("Sillerton", ("Mr. Sillerton Jackson",))]


def test_a_name_after_a_title_of_the_other_gender_is_someone_else() -> None:
    # "Sillerton" is a man of the cast: "Mrs. Sillerton Rushworth" is another person; "Mr. Sillerton" is him
    assert found("Mrs. Sillerton Rushworth smiled at Mr. Sillerton.") == [
        ("Mr. Sillerton", ("Mr. Sillerton Jackson",), None, False)]


def test_a_made_up_short_form_inside_a_longer_unknown_name_is_no_mention() -> None:
    index = build_index([Person("Mr. Turner", M, True, ("Banner Club Proprietor",)), Person("Willow", F, True)])
    text = "He went to the Banner Club, where Banner said Willow Rosenberg was."
    assert [(text[m.start:m.end], m.names) for m in index.mentions(text, 0, len(text), False)] == [
        ("Banner", ("Mr. Turner",)), ("Willow", ("Willow",))]  # the cast's own "Willow" keeps her full name's mentions


def test_a_one_word_name_that_is_also_an_ordinary_word_is_no_name_opening_a_question() -> None:
    story = "I may go. You may stay. It may rain. We may see. They may not. " * 2
    index = with_ordinary_words(build_index([Person("May", F, True)]), story)
    text = '"May I come in?" May came in. "Yes," said May.'
    assert [text[m.start:m.end] for m in index.mentions(text, 0, len(text), False)] == ["May", "May"]
    assert [m.start for m in index.mentions(text, 0, len(text), False)] == [17, 42]


def test_a_first_name_and_the_surname_after_it_are_one_mention_of_the_first_names_owner() -> None:
    index = build_index([Person("Miss Welland", F, True, ("May Wellend",)), Person("Mrs. Augusta Welland", F, True),
                         Person("Colonel Fitzwilliam", M, True, ("Fitzwilliam",)), Person("Mr. Darcy", M, True, ("Darcy",))])
    text = "May Welland smiled; Welland's wife too. Fitzwilliam Darcy, Fitzwilliam."
    assert [(text[m.start:m.end], m.names, m.possessive) for m in index.mentions(text, 0, len(text), False)] == [
        ("May Welland", ("Miss Welland",), False), ("Welland", ("Mrs. Augusta Welland",), True),
        # "Fitzwilliam" is the Colonel's surname, no one's first name: two people, as written
        ("Fitzwilliam", ("Colonel Fitzwilliam",), False), ("Darcy", ("Mr. Darcy",), False),
        ("Fitzwilliam", ("Colonel Fitzwilliam",), False)]


def test_a_particle_is_no_first_name() -> None:
    index = build_index([Person("Professor De Worms", M, True)])
    assert "de" not in index.owners and index.owners["worms"] == ("Professor De Worms",)


def test_a_married_woman_named_after_her_husband_does_not_take_his_first_name() -> None:
    index = build_index([Person("John Dashwood", M, True), Person("Fanny", F, True, ("Mrs. John Dashwood",))])
    assert index.owners["john"] == ("John Dashwood",)
    assert index.owners["mrs dashwood"] == ("Fanny",)


def test_a_shared_alias_lists_every_owner() -> None:
    index = build_index([Person("Robert Cohn", M, True, ("Robert",)), Person("Robert Prentiss", M, True, ("Robert",))])
    assert index.owners["robert"] == ("Robert Cohn", "Robert Prentiss")


def test_normalise_ignores_case_periods_and_spacing() -> None:
    assert normalise(" Mr.  Darcy") == "mr darcy"


def test_roman_one_is_not_the_narrator() -> None:
    index = build_index([])
    pronouns = [[m.pronoun for m in index.mentions(t, 0, len(t))] for t in ('"Yes," said I.', "CHAPTER I.", "VOL. I")]
    assert pronouns == [["i"], [], []]


def test_name_particles_match_in_either_case() -> None:
    index = build_index([Person("Mr. Van Der Luyden", M, True)])
    text = "Mr. van der Luyden said"
    assert [m.names for m in index.mentions(text, 0, len(text), pronouns=False)] == [("Mr. Van Der Luyden",)]


def test_a_rank_alone_names_its_holder_and_stays_ambiguous_when_shared() -> None:
    index = build_index([Person("Colonel Ducroix", Gender.MALE, True), Person("Tara", Gender.FEMALE, True)])
    text = "cried the Colonel, and the colonel sat down."
    assert [(text[m.start:m.end], m.names) for m in index.mentions(text, 0, len(text), pronouns=False)] == [
        ("the Colonel", ("Colonel Ducroix",)), ("the colonel", ("Colonel Ducroix",))]
    two = build_index([Person("Colonel Brandon", Gender.MALE, True), Person("Colonel Fussell", Gender.MALE, True)])
    assert two.owners["the colonel"] == ("Colonel Brandon", "Colonel Fussell")


def test_peerages_and_abbreviated_ranks_stand_alone_too() -> None:
    index = build_index([Person("Duchess Of Harley", F, True), Person("Dr. Kemp", M, True)])
    assert index.owners["the duchess"] == ("Duchess Of Harley",)
    assert index.owners["the doctor"] == ("Dr. Kemp",)


def test_a_rank_alone_does_not_swallow_the_fuller_name_it_begins() -> None:
    index = build_index([Person("Duchess Of Harley", F, True), Person("Duchess Of Monmouth", F, True)])
    text = "Opposite was the Duchess of Harley. \"Well,\" cried the duchess."
    assert [(text[m.start:m.end], m.names) for m in index.mentions(text, 0, len(text), pronouns=False)] == [
        ("Duchess of Harley", ("Duchess Of Harley",)), ("the duchess", ("Duchess Of Harley", "Duchess Of Monmouth"))]


def test_a_voice_is_a_mention_unless_it_is_how_someone_speaks() -> None:
    text = '"No!" cried a shrill voice. She added in a low voice, "Go."'
    assert [(text[m.start:m.end], m.role) for m in build_index(PEOPLE).mentions(text, 0, len(text)) if m.role] == [
        ("a shrill voice", "voice")]


def test_a_rank_alone_is_said_to_the_face_as_written() -> None:
    index = build_index([Person("Duchess Of Harley", F, True)])
    text = '"Yes, Duchess," said the Duchess Of Berwick to a duchess.'
    assert [(text[m.start:m.end], m.names) for m in index.mentions(text, 0, len(text), pronouns=False)] == [
        ("Duchess", ("Duchess Of Harley",))]


KIN = build_index([Person("Jane", F, True, ("Miss Bennet",)), Person("Mrs. Bennet", F, True),
                   Person("Mr. Bennet", M, True), Person("Lydia", F, True, ("Mrs. Wickham",)),
                   Person("Lucy", F, True), Person("Mrs. Honeychurch", F, True, ("Lucy's Mother",))])


def test_a_family_role_is_a_mention_of_its_own() -> None:
    m = KIN.mentions("said her mother, and his wife", 0, 29)
    assert [(x.start, x.end, x.pronoun, x.role, x.possessive) for x in m] == \
        [(5, 15, "her", "mother", False), (21, 29, "his", "wife", False)]


def test_a_description_is_a_gendered_mention_unless_an_alias_claims_it() -> None:
    index = build_index([Person("Lola", F, True, ("the Lady wearing the cop hat",))])
    m = index.mentions("said the old lady; the girl; the Lady wearing the cop hat", 0, 57)
    assert [(x.start, x.end, x.names, x.pronoun, x.role) for x in m] == \
        [(5, 17, (), "she", "person"), (19, 27, (), "she", "person"), (29, 57, ("Lola",), None, None)]


def test_a_description_may_take_any_two_adjectives_but_not_the_same_and_a_demonstrative() -> None:
    index = build_index([Person("Lola", F, True)])
    text = "said the thin gentleman; the suspicious young man; the same man; this young lady, that man"
    assert [(text[m.start:m.end], m.pronoun, m.role) for m in index.mentions(text, 0, len(text))] == [
        ("the thin gentleman", "he", "person"), ("the suspicious young man", "he", "person"),
        ("this young lady", "she", "person"), ("that man", "he", "person")]


def test_a_rank_alone_may_take_adjectives() -> None:
    index = build_index([Person("Dr. Bull", M, True), Person("Colonel Ducroix", M, True)])
    text = "said the little Doctor; the same Doctor; the bewildered Colonel"
    assert [(text[m.start:m.end], m.names) for m in index.mentions(text, 0, len(text), pronouns=False)] == [
        ("the little Doctor", ("Dr. Bull",)), ("Doctor", ("Dr. Bull",)), ("the bewildered Colonel", ("Colonel Ducroix",))]


def test_a_generic_alias_is_marked_so_a_distinctive_one_is_not() -> None:
    index = build_index([Person("Persephone", F, True, ("the girl",)), Person("Willow", F, True, ("the redhead",))])
    text = "The girl saw the redhead."
    assert [(m.names, m.generic) for m in index.mentions(text, 0, len(text), pronouns=False)] == [
        (("Persephone",), True), (("Willow",), False)]
    assert [index.kind_gender(a) for a in ("The Lad", "the old woman", "the child", "the redhead")] == [
        M, F, Gender.UNKNOWN, Gender.UNKNOWN]


def test_a_title_and_surname_may_address_an_untitled_relative() -> None:
    index = build_index([Person("Mr. Emerson", M, True), Person("George Emerson", M, True, ("George",)),
                         Person("Mr. Knightley", M, True), Person("Mr. John Knightley", M, True),
                         Person("Miss Bates", F, True), Person("Jane Bates", F, True)])
    assert index.polite == {"mr emerson": ("Mr. Emerson", "George Emerson"), "miss bates": ("Miss Bates", "Jane Bates")}


def test_a_mrs_takes_no_first_name_form_it_is_often_her_husbands() -> None:
    index = build_index([Person("Mrs. John Dashwood", F, True)])
    text = "John saw Mrs. John and Mrs. Dashwood."
    assert [text[m.start:m.end] for m in index.mentions(text, 0, len(text), pronouns=False)] == ["Mrs. Dashwood"]


def test_the_other_is_a_mention_only_when_no_noun_follows() -> None:
    index = build_index([Person("Tara", F, True)])
    text = '"No," said the other with a smile. The other day the other side of the room, the other man.'
    assert [(text[m.start:m.end], m.role, m.pronoun) for m in index.mentions(text, 0, len(text))] == [
        ("the other", "other", None), ("the other man", "person", "he")]


def test_his_companion_is_a_mention_of_someone_with_him_but_not_before_a_name() -> None:
    index = build_index([Person("Tara", F, True)])
    text = "said his companion. Her friend Tara came, and her friend, the doctor."
    assert [(text[m.start:m.end], m.role, m.pronoun) for m in index.mentions(text, 0, len(text))] == [
        ("his companion", "companion", "his"), ("Her", None, "her"), ("Tara", None, None), ("her", None, "her")]


def test_less_common_speech_verbs() -> None:
    assert {"crooned", "warbled", "acquiesced", "remonstrated", "mourned"} <= SPEECH_VERB_SET


def test_with_person_adds_a_narrator_found_by_name_and_keeps_the_ordinary_words() -> None:
    index = with_ordinary_words(build_index([Person("May", F, True)]), "may may may may may")
    assert with_person(index, "narrator") is index and with_person(index, None) is index
    assert with_person(index, "May") is index
    bigger = with_person(index, "Mr. Hastings")
    assert [(p.name, p.gender, p.in_cast) for p in bigger.people] == [("May", F, True), ("Mr. Hastings", M, False)]
    assert bigger.owners["mr hastings"] == ("Mr. Hastings",) and bigger.words == frozenset({"may"})
