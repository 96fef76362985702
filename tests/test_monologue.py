"""monologue: first-person paragraphs in a third-person book, self-talk, italics, letters, first-person books."""

from __future__ import annotations

from fullcast.monologue import (ParagraphView, first_person, is_first_person_book, italic_thoughts,
                                monologue_paragraphs, self_talk, thinks_in_present)


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
