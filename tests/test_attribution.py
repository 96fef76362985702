"""attribution: every rule alone on a small hand-written example, then the whole chapter driver."""

from __future__ import annotations

import re

from fullcast.attribution import (attribute_chapter, rule_addressed_after, rule_addressed_before, rule_continuation,
                                  rule_lead_in, rule_paragraph_beat, rule_previous_beat, rule_salient,
                                  rule_tag_after, rule_tag_before, rule_turn_taking)
from fullcast.cues import Call, Context, Turn, advance, make_context
from fullcast.model import Gender
from fullcast.names import Person, build_index
from fullcast.quotes import QuoteStyle, split_paragraph

F, M = Gender.FEMALE, Gender.MALE
INDEX = build_index([Person("Tara", F, True, ("the blonde",)), Person("Willow", F, True, ("the redhead",)),
                     Person("Rupert", M, True), Person("Faith", F, True)])


def parse(text: str) -> tuple[list[Turn], list[tuple[int, int]]]:
    """Turns (paragraphs with quotes, with the narration paragraph before them) and narration spans."""
    turns, narration, gap, carried = [], [], 99, False
    previous: tuple[int, int] | None = None
    last_end = -1
    for m in re.finditer(r"\S(?:.*\S)?(?:\n.*\S)*", text):
        pieces = split_paragraph(text, m.start(), m.end(), QuoteStyle.DOUBLE, carried)
        carried = bool(pieces) and pieces[-1].quoted and pieces[-1].open_end
        narration += [(p.start, p.end) for p in pieces if not p.quoted]
        quotes = tuple(p for p in pieces if p.quoted)
        if quotes:
            lead = previous if previous and previous[1] == last_end and text[previous[1] - 1] in ",:" else None
            turns.append(Turn(m.start(), m.end(), quotes, gap, quotes[0].continues, lead,
                              previous if gap == 1 else None))
            gap = 0
        else:
            gap, previous = gap + 1, (m.start(), m.end())
        last_end = m.end()
    return turns, narration


def context(text: str, known: dict[int, str] | None = None) -> Context:
    turns, narration = parse(text)
    ctx = make_context(text, turns, INDEX, narration, None)
    advance(ctx, len(text))
    for t, name in (known or {}).items():
        ctx.calls[t] = [Call(name, "given")]
    return ctx


def who(call: Call | None) -> str | None:
    return call.speaker if call else None


def test_tag_after() -> None:
    ctx = context('"Hi Willow," Tara replied quietly.')
    assert rule_tag_after(ctx, 0, 0) == Call("Tara", 'tag after: "Tara replied quietly."')


def test_tag_after_inverted_with_a_description() -> None:
    assert who(rule_tag_after(context('"Good," said the redhead.'), 0, 0)) == "Willow"


def test_tag_before() -> None:
    ctx = context('Faith continued, "They won\'t."')
    assert rule_tag_before(ctx, 0, 0) == Call("Faith", 'tag before: "Faith continued"')


def test_pronoun_tag_resolves_to_the_subject_in_the_paragraph() -> None:
    ctx = context('Rupert turned to Tara. Willow frowned.\n\n"No," she said.')
    assert who(rule_tag_after(ctx, 0, 0)) == "Willow"


def test_lead_in_paragraph_ending_with_a_colon() -> None:
    ctx = context('After a pause, Willow thus began again:\n\n"I do wonder."')
    assert who(rule_lead_in(ctx, 0, 0)) == "Willow"


def test_paragraph_beat() -> None:
    ctx = context('Tara clenched her fist. "And this is from me."')
    assert rule_paragraph_beat(ctx, 0) == Call("Tara", 'beat: "Tara clenched her fist."')


def test_continuation_of_an_open_quote() -> None:
    ctx = context('"It began long ago.\n\n"Then the war came."', known={0: "Rupert"})
    assert who(rule_continuation(ctx, 1)) == "Rupert"


def test_previous_short_narration_paragraph_puts_its_subject_forward() -> None:
    ctx = context('"Hello."\n\nRupert smiled.\n\n"What makes you say that?"', known={0: "Tara"})
    assert who(rule_previous_beat(ctx, 1)) == "Rupert"


def test_addressed_in_the_previous_line_answers() -> None:
    ctx = context('"Hi Willow, you came."\n\n"Of course."', known={0: "Tara"})
    assert rule_addressed_before(ctx, 1) == Call("Willow", 'vocative: addressed "Willow" in previous line')


def test_addressed_in_the_next_line_spoke_this_one() -> None:
    ctx = context('"Can\'t sleep either?"\n\n"Hi Willow."', known={1: "Tara"})
    assert who(rule_addressed_after(ctx, 0)) == "Willow"


def test_turn_taking_same_speaker_as_two_lines_back() -> None:
    ctx = context('"A?"\n\n"B."\n\n"C?"', known={0: "Tara", 1: "Rupert"})
    assert rule_turn_taking(ctx, 2) == Call("Tara", "turn-taking: same speaker as 2 lines back")


def test_turn_taking_needs_a_line_two_back_or_ahead() -> None:
    ctx = context('Rupert and Tara sat.\n\n"A?"\n\n"B."', known={0: "Tara"})
    assert rule_turn_taking(ctx, 1) is None


def test_salience_passes_over_the_previous_speaker() -> None:
    ctx = context('Rupert and Tara sat.\n\n"A?"\n\n"B."', known={0: "Tara"})
    assert rule_salient(ctx, 1) == Call("Rupert", "salience: most recent person in focus")


def test_turn_taking_stops_at_a_long_narration_gap() -> None:
    ctx = context('"A?"\n\n"B."\n\nX.\n\nY.\n\n"C?"', known={0: "Tara", 1: "Rupert"})
    assert rule_turn_taking(ctx, 2) is None


def test_salience_skips_the_addressee() -> None:
    ctx = context('Tara looked at Willow.\n\n"Willow, look."')
    assert who(rule_salient(ctx, 0)) == "Tara"


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


def test_tag_after_ignores_a_pronoun_beat() -> None:
    ctx = context('Tara sat.\n\n"Well?" She looked up.')
    assert rule_tag_after(ctx, 0, 0) is None
    assert who(rule_tag_after(context('"Well?" Tara looked up.'), 0, 0)) == "Tara"
