"""viewpoint: first or third person, interior monologue, and who "I" is in a first-person book."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fullcast.model import Gender
from fullcast.script.attribution.context import Turn
from fullcast.script.attribution.names import Person, build_index
from fullcast.script.quotes import Piece, QuoteStyle, split_paragraph
from fullcast.script.viewpoint import (
    ParagraphView,
    first_person,
    infer_narrator,
    is_first_person_book,
    italic_thoughts,
    monologue_paragraphs,
    reads_as_thought,
    said_by_i,
    self_talk,
    thinker_named,
    thinks_in_present,
    thought_tag,
)


def views(*texts: str) -> list[ParagraphView]:
    return [ParagraphView(t, False) for t in texts]


THIRD = "Tara walked down the hall. She was tired and her feet hurt."


def test_first_person_present_paragraphs_and_self_talk_between_them() -> None:
    paragraphs = views(
        THIRD,
        "I wake soaked in sweat and my hands grasp my neck.",
        "Draw in a couple of deep breaths, just relax and let your heart slow down.",
        "Heart's pounding. I manage to get it under control.",
        THIRD,
        "Breathe. Just breathe.",
    )
    assert monologue_paragraphs(paragraphs) == {
        1: "monologue: first-person paragraph in a third-person book",
        2: "monologue: self-talk between first-person paragraphs",
        3: "monologue: first-person paragraph in a third-person book",
    }


def test_paragraph_with_dialogue_is_never_monologue() -> None:
    assert monologue_paragraphs([ParagraphView("I said, and I left", True)]) == {}


def test_a_letter_is_not_monologue() -> None:
    paragraphs = views(
        "The letter ran as follows:",
        "I have the honour to tell you that my house is ready and I hope you will come.",
        "Dear Sir, I write to you because I must.",
        "Yours sincerely,",
        THIRD,
        "I wonder what I shall do now that I am alone.",
    )
    assert monologue_paragraphs(paragraphs) == {5: "monologue: first-person paragraph in a third-person book"}


def test_first_person_and_self_talk_tests() -> None:
    assert first_person("I hope she cries, I want to hurt her.") is True
    assert first_person("She told him I was there, and he and she and they left her.") is False
    assert first_person("I don't reply.") is True
    assert (first_person("VOLUME I"), first_person("I."), first_person("END OF VOL. I.")) == (False, False, False)
    assert self_talk("Draw in a breath, relax.") is True
    assert self_talk("She was gone.") is False


def test_first_person_book_detection() -> None:
    told_by_i = views(*["I went out and I saw that the street was empty then."] * 3, THIRD)
    assert is_first_person_book(told_by_i) is True
    assert is_first_person_book(views(*[THIRD] * 4, "I wake and I think of it all again and again.")) is False


def test_italic_thoughts() -> None:
    text = "She paused. *I must go now.* He read _The Times_ and _them_. <i>Why me?</i> <em>Very</em> well."
    spans = [text[a:b] for a, b in italic_thoughts(text, 0, len(text))]
    assert spans == ["*I must go now.*", "<i>Why me?</i>"]


def test_present_tense_first_person_opening_is_a_thought_even_among_third_person_words() -> None:
    assert thinks_in_present("I know these keys. He carried it because his mother gave it to him. Don't.") is True
    assert thinks_in_present("My hand is shaking again. He wrote his name here and he climbed anyway.") is True
    assert thinks_in_present("I was sure he had gone, and his coat was gone with him.") is False
    assert thinks_in_present("He said that I know nothing at all.") is False
    assert first_person("My hand is shaking. He wrote it; he was afraid; his hand was steady; he climbed.") is True


def test_italic_first_person_thoughts_do_not_make_a_first_person_book() -> None:
    third = "Jonah knelt at the door of the boathouse and turned the pick in the old lock."
    thoughts = ["*I can do this. I have done it a hundred times before now.*",
                "*Fine,* Jonah thought. *I'll break the window instead, I think.*"] * 2
    assert is_first_person_book(views(third, *thoughts, third)) is False
    assert is_first_person_book(views("I walked to the door of the boathouse and I knocked twice.", third) * 2)


def test_a_paragraph_is_first_person_by_its_narration_outside_italics() -> None:
    paragraphs = views("Jonah stared at the door. *I'm not going in. I'm not.*")
    assert monologue_paragraphs(paragraphs) == {}


def test_thought_tag_after_or_before_the_italics() -> None:
    text = "*Fine,* Jonah thought. *I'm late*, she thought. He thought, *never again.* *Why?* he asked."
    spans = [(m.start(), m.end()) for m in re.finditer(r"\*[^*]+\*", text)]
    assert [thought_tag(text, lo, hi, 0, len(text)) for lo, hi in spans] == ["Jonah", "she", "He", None]


def test_thinker_named_by_the_tag() -> None:
    index = build_index([Person("Jonah", Gender.MALE, True), Person("Nell", Gender.FEMALE, True)])
    text = "Nell came down the jetty. Jonah waved. *Late*, she thought."
    at = text.index("*Late*")
    assert thinker_named("she", text, at, index, "Jonah") == "Nell"
    assert thinker_named("he", text, at, index, "Nell") == "Jonah"
    assert thinker_named("Jonah", text, at, index, "Nell") == "Jonah"
    assert thinker_named("Pim", text, at, index, "Nell") == "Pim"  # a name nobody owns, as written
    assert thinker_named("I", text, at, index, "Nell") == "Nell"


def test_reads_as_thought() -> None:
    assert [reads_as_thought(t) for t in ("I must go.", "Why me?", "The Times", "very", "Fine,")] == [
        True, True, False, False, False]


# --------------------------------------------------------------------------- narrator

INDEX = build_index([Person("Jake", Gender.MALE, True), Person("Robert", Gender.MALE, True),
                     Person("Brett", Gender.FEMALE, True)])


@dataclass(frozen=True)
class _Chapter:
    text: str


@dataclass(frozen=True)
class _Cut:
    chapter: _Chapter
    pieces: tuple[tuple[Piece, ...], ...]


def cut(text: str) -> _Cut:
    pieces = tuple(tuple(split_paragraph(text, m.start(), m.end(), QuoteStyle.DOUBLE, False))
                   for m in re.finditer(r"\S(?:.*\S)?", text))
    return _Cut(_Chapter(text), pieces)


def test_said_by_i() -> None:
    text = '"Hello, Robert," I said.'
    turn = Turn(0, len(text), tuple(p for p in split_paragraph(text, 0, len(text), QuoteStyle.DOUBLE, False)
                                   if p.quoted), 0)
    assert said_by_i(text, turn) is True
    other = '"Hello," he said.'
    assert said_by_i(other, Turn(0, len(other), (Piece(True, 1, 7),), 0)) is False


def test_the_name_others_call_the_narrator() -> None:
    text = ('"Hello, Robert," I said.\n\n"Would you like to go, Jake?" he asked.\n\n"No," I said.\n\n'
            '"Why not, Jake?"\n\n"Brett is here," I said.')
    assert infer_narrator([cut(text)], INDEX) == "Jake"


def test_someone_the_narration_names_is_not_the_narrator() -> None:
    text = ('Brett came in. Brett sat down. Brett smiled.\n\n"Tea, Brett?" Robert asked.\n\n"No," I said.\n\n'
            '"Go away, Brett."\n\n"Why?" I said.\n\n"Are you coming, Jake?"\n\n"No," I said.\n\n"Why not, Jake?"')
    assert infer_narrator([cut(text)], INDEX) == "Jake"


def test_one_vote_is_not_enough() -> None:
    text = '"Hello," I said.\n\n"Hi, Jake."'
    assert infer_narrator([cut(text)], INDEX) is None


def test_a_name_the_cast_does_not_know_is_the_narrator_with_one_vote_more() -> None:
    text = ('"Hello," I said.\n\n"Well, Hastings?"\n\n"No," I said.\n\n"Come, Hastings, sit."\n\n"Why?" I said.\n\n'
            '"Because, Hastings."')
    assert infer_narrator([cut(text)], INDEX) == "Hastings"
    two = '"Hello," I said.\n\n"Well, Hastings?"\n\n"No," I said.\n\n"Come, Hastings, sit."'
    assert infer_narrator([cut(two)], INDEX) is None


def test_a_word_the_narration_writes_in_lower_case_is_not_the_narrators_name() -> None:
    text = ('"Hello," I said.\n\n"Well, Hope?"\n\n"No," I said.\n\n"Come, Hope, sit."\n\n"Why?" I said.\n\n'
            '"Because, Hope." There was hope in her voice.')
    assert infer_narrator([cut(text)], INDEX) is None


def test_the_narrator_giving_their_own_name_outweighs_the_votes() -> None:
    text = ('My name is Ellen Marsh. I came to town.\n\n"Hi, Jake," I said.\n\n"Hello, Robert."\n\n"Jake, no," I '
            'said.\n\n"Why not, Robert?"')
    assert infer_narrator([cut(text)], INDEX) == "Ellen Marsh"
    called = '"Call me Jake," I said.\n\n"Hello."'
    assert infer_narrator([cut(called)], INDEX) == "Jake"
