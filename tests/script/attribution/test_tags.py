"""tags: tag windows, speech tags with their subjects, action beats and reported speech, on hand-written lines."""

from __future__ import annotations

from fullcast.script.attribution.chapter import make_context
from fullcast.script.attribution.context import Context, Turn
from fullcast.script.attribution.tags import read_tag, reporter, tag_window_after, tag_window_before

from support.attribution import INDEX
from support.attribution import plain_context as context


def window(ctx: Context, bounds: tuple[int, int]) -> str:
    return ctx.text[bounds[0]:bounds[1]]


def test_windows_after_and_before_a_quote() -> None:
    ctx = context('Tara sighed. Then Willow spoke, "Hi," she said. "Bye." He left.')
    assert window(ctx, tag_window_before(ctx, 0, 0)) == " Then Willow spoke, "
    assert window(ctx, tag_window_after(ctx, 0, 0)) == " she said."
    assert window(ctx, tag_window_after(ctx, 0, 1)) == " He left."


def tag(text: str, leading: bool | None = True) -> tuple[str, str, str] | None:
    ctx = context(text)
    found = read_tag(ctx, 0, len(text), leading)
    return (text[found[0].start:found[0].end], found[1], found[2]) if found else None


def test_read_tag_forms() -> None:
    assert tag(" Tara replied quietly.") == ("Tara", "replied", "tag")
    assert tag(" Tara very innocently said,", False) == ("Tara", "said", "tag")
    assert tag(" And suddenly Rupert jerked out:", False) == ("Rupert", "jerked", "tag")
    assert tag(" Rupert burst into the room.") == ("Rupert", "", "beat")  # speaks only with its particle
    assert tag(", said the redhead.") == ("the redhead", "said", "tag")
    assert tag(" Willow thus began again") == ("Willow", "began", "tag")
    assert tag(" put in Tara.") == ("Tara", "put", "tag")
    assert tag(", said wise Rupert.") == ("Rupert", "said", "tag")
    assert tag(' was Rupert\'s reply.') == ("Rupert", "", "tag")
    assert tag(" Tara looked out of the window.") == ("Tara", "", "beat")
    assert tag(" Tara's jaw dropped.") == ("Tara", "", "beat")
    assert tag(" Tara's calm answers were infuriating.") is None
    assert tag(" said to Tara.") is None
    assert tag(", asserted Rupert.") == ("Rupert", "asserted", "tag")
    assert tag(" Rupert came in, and his wife was exclaiming,") == ("his wife", "exclaiming", "tag")
    assert tag(" She sat down, when her father continued,") == ("her father", "continued", "tag")
    assert tag(" Then Tara heard him murmur:", False) == ("him", "murmur", "tag")  # the one heard speaks
    assert tag(" Tara's praise provoked her immediately to say,", False) == ("her", "say", "tag")  # brought to speak
    assert tag(" A sense of his dignity caused him to answer:", False) == ("him", "answer", "tag")
    assert tag(" Rupert sat down, her saying in a whisper,", False) == ("her", "saying", "tag")
    assert tag(" Tara turned, and Rupert addressed me:", False) == ("Rupert", "addressed", "tag")
    assert tag(" Willow remonstrated.") == ("Willow", "remonstrated", "tag")
    assert tag(", warbled the redhead.") == ("the redhead", "warbled", "tag")
    assert tag(" Willow supplied.") == ("Willow", "supplied", "tag")
    assert tag(" Willow would say, smiling.") == ("Willow", "say", "tag")
    assert tag(" was Tara's parting injunction.") == ("Tara", "", "tag")
    assert tag(" was uttered by Rupert.") == ("Rupert", "", "tag")
    assert tag(" came from Willow, who laughed.") == ("Willow", "", "tag")


def test_a_possessive_pronoun_naming_whose_words_the_quote_was() -> None:
    assert tag(" was her cordial reply.") == ("her", "", "tag")
    assert tag(" was therefore his answer, with a smile.") == ("his", "", "tag")
    assert tag(" was her parting speech to Tara.") == ("her", "", "tag")
    assert tag(" she said to her reflection.") == ("she", "said", "tag")  # not "her reflection"
    assert tag("Rupert looked up, and his next words were, ", leading=False) == ("his", "", "tag")
    found = read_tag(context(' was his reply.'), 0, 15, True)
    assert found and found[0].pronoun == "he"


def test_before_a_quote_the_last_tag_counts() -> None:
    assert tag("Tara said nothing, but Willow cried, ", leading=False) == ("Willow", "cried", "tag")


def test_between_two_quotes_a_later_named_tag_leads_into_the_next() -> None:
    assert tag(", murmured Tara, while Willow said, ", leading=None) == ("Willow", "said", "tag")
    assert tag(", said Tara, as she added, ", leading=None) == ("Tara", "said", "tag")
    assert tag(", said Tara, and Willow nodded. ", leading=None) == ("Tara", "said", "tag")


def test_a_verb_sharing_its_subject_or_after_an_aside() -> None:
    assert tag("Rupert bent towards Tara and said:", leading=False) == ("Rupert", "said", "tag")
    assert tag("Willow, after a short pause, replied,", leading=False) == ("Willow", "replied", "tag")
    assert tag("Tara looked at Willow, who said:", leading=False) == ("Willow", "said", "tag")
    assert tag("Faith, going to the window, where Tara stood, said gently:", leading=False) == \
        ("Faith", "said", "tag")
    assert tag("and when Willow had gone, Tara, with a smile, answered,", leading=False) == \
        ("Tara", "answered", "tag")
    assert tag("Rupert startled her by saying,", leading=False) == ("Rupert", "saying", "tag")
    assert tag("They crowded round, while the redhead bowed, saying", leading=False) == ("the redhead", "saying", "tag")


def test_a_name_after_a_relative_word_is_not_an_inverted_subject() -> None:
    # "laughed, which Tara could not follow": Tara opens a clause of her own, she is not who laughed
    assert tag(" Here a joke exploded, which Tara could not follow.") is None
    assert tag(", laughed, while Tara looked on.") is None
    assert tag(", cried poor Tara.") == ("Tara", "cried", "tag")


def test_a_phrasal_speech_verb_needs_its_particle() -> None:
    assert tag(" Tara went into the room.") == ("Tara", "", "beat")
    assert tag(" Tara went on.") == ("Tara", "went", "tag")


def test_reported_speech_paragraph_becomes_a_turn() -> None:
    text = '"Is it far?"\n\nRupert replied that it was not.\n\nThe sun set.'
    ctx = context(text)
    reported = Turn(text.index("Rupert"), text.index(" not.") + 5, (), 0, reported=True)
    plain = Turn(text.index("The sun"), len(text), (), 0, reported=True)
    assert text[reporter(ctx, reported).start:][:6] == "Rupert"
    assert reporter(ctx, plain) is None
    kept = make_context(text, [ctx.turns[0], reported, plain], INDEX, [], None).turns
    assert [t.start for t in kept] == [0, reported.start]
