"""chapter: the whole chapter driver on small hand-written exchanges, from the context to the settled calls."""

from __future__ import annotations

from fullcast.script.attribution.chapter import attribute_chapter
from fullcast.script.attribution.context import Call
from fullcast.script.attribution.rules import rule_tag_after

from support.attribution import INDEX, context, parse


def test_chapter_driver_interrupted_quote_is_one_speaker() -> None:
    text = '"Don\'t," Willow said, "do this."\n\n"Why not?" asked Tara.\n\n"Because."'
    turns, narration = parse(text)
    calls = attribute_chapter(text, turns, INDEX, narration, None)
    assert [[c.speaker for c in turn] for turn in calls] == [["Willow", "Willow"], ["Tara"], ["Willow"]]


def test_chapter_driver_first_person_narrator() -> None:
    text = '"Hello, Rupert," I said.\n\n"Hello," he said.'
    turns, narration = parse(text)
    calls = attribute_chapter(text, turns, INDEX, narration, "Tara")
    assert [turn[0].speaker for turn in calls] == ["Tara", "Rupert"]


def test_a_finished_sentence_before_the_quote_is_not_its_tag() -> None:
    text = 'Tara said nothing. "Hi," Willow said.'
    turns, narration = parse(text)
    calls = attribute_chapter(text, turns, INDEX, narration, None)
    assert calls[0][0] == Call("Willow", 'tag after: "Willow said."')


def test_a_pronoun_tag_is_read_again_once_the_untagged_lines_before_it_have_speakers() -> None:
    # "C." is Willow's, answering her name: so she, not Tara, is the woman who spoke last
    text = '"A," said Tara.\n\n"B, Willow?" said Rupert.\n\n"C."\n\n' \
           'The rain came down on the roof of the old house for a long, long time.\n\n"D," she murmured.'
    turns, narration = parse(text)
    calls = attribute_chapter(text, turns, INDEX, narration, None)
    assert [turn[0].speaker for turn in calls] == ["Tara", "Rupert", "Willow", "Willow"]


def test_a_she_tag_that_fits_no_one_about_still_says_a_woman() -> None:
    ctx = context('Rupert came in.\n\n"Hi," she said.')
    assert rule_tag_after(ctx, 0, 0) == Call("unknown", 'tag after: "she said."', "she")
    text = 'Rupert came in.\n\n"Hi," she said.'
    turns, narration = parse(text)
    assert attribute_chapter(text, turns, INDEX, narration, None) == [[Call("unknown", "no cue found")]]


def test_the_other_after_an_untagged_line_is_left_to_the_conversation() -> None:
    text = '"A," said Tara.\n\n"B," said Willow.\n\n"C."\n\n"D," said the other.'
    turns, narration = parse(text)
    calls = attribute_chapter(text, turns, INDEX, narration, None)
    assert [turn[0].speaker for turn in calls] == ["Tara", "Willow", "Tara", "Willow"]
