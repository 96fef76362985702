"""conversation: a run of back-and-forth lines read as a whole, on small hand-written exchanges."""

from __future__ import annotations

from dataclasses import replace

from fullcast.script.attribution.chapter import make_context
from fullcast.script.attribution.context import Call, Turn
from fullcast.script.attribution.conversation import (
    PRONOUN_WEIGHT,
    Cue,
    cue_weight,
    join_costs,
    line_costs,
    runs,
    settle_run,
    step_cost,
)

from support.attribution import INDEX, context, parse

EXCHANGE = '"A?"\n\n"B."\n\n"C?"\n\n"D."\n\n"E?"'


def test_alternation_is_free_and_repeats_and_third_parties_cost() -> None:
    assert step_cost("Tara", "Rupert", "Tara", continues=False) == 0.0
    assert step_cost("Tara", "Rupert", "Rupert", continues=False) == 2.0
    assert step_cost("Tara", "Rupert", "Willow", continues=False) == 1.0
    assert step_cost(None, "Rupert", "Willow", continues=False) == 0.0


def test_a_continued_quote_keeps_its_speaker() -> None:
    assert step_cost("Tara", "Rupert", "Rupert", continues=True) == 0.0
    assert step_cost("Tara", "Rupert", "Tara", continues=True) == 8.0


def test_a_name_in_a_tag_weighs_far_more_than_a_pronoun_or_a_guess() -> None:
    named = cue_weight(Call("Tara", 'tag after: "said Tara"'), local=True)
    pronoun = cue_weight(Call("Tara", 'tag after: "she said"', "she"), local=True)
    guess = cue_weight(Call("Tara", "turn-taking: same speaker as 2 lines back"), local=False)
    assert named > pronoun > guess


def test_runs_stop_at_narration_and_need_two_lines() -> None:
    long = "Tara walked to the window and looked out at the rain for a while."
    ctx = context(f'"A?"\n\n"B."\n\n"C?"\n\n{long}\n\n"D."\n\n{long}\n\n"E."\n\n"F."')
    assert runs(ctx) == [range(0, 3), range(4, 6)]


def test_a_pronoun_tag_that_breaks_the_alternation_of_named_lines_is_overruled() -> None:
    ctx = context(EXCHANGE)
    ctx.calls = [[Call("Tara", 'tag after: "said Tara"')], [Call("Willow", 'tag after: "said Willow"')],
                 [Call("Faith", 'tag after: "she said"', "she")], [Call("Willow", 'tag after: "Willow said"')],
                 [Call("Tara", 'tag after: "Tara said"')]]
    changed = settle_run(ctx, range(5), {0, 1, 2, 3, 4})
    assert changed == {2: Call("Tara", 'turn-taking: same speaker as the tagged line 2 back over Faith '
                                       '(tag after: "she said")')}


def test_a_name_in_a_tag_is_never_overruled() -> None:
    ctx = context(EXCHANGE)
    ctx.calls = [[Call("Tara", 'tag after: "said Tara"')], [Call("Willow", 'tag after: "said Willow"')],
                 [Call("Faith", 'tag after: "said Faith"')], [Call("Willow", 'tag after: "Willow said"')],
                 [Call("Tara", 'tag after: "Tara said"')]]
    assert settle_run(ctx, range(5), {0, 1, 2, 3, 4}) == {}


def test_a_pronoun_tag_backed_by_a_name_in_the_same_paragraph_weighs_as_the_name() -> None:
    ctx = context(EXCHANGE)
    ctx.calls = [[Call("Tara", 'tag after: "said Tara"')], [Call("Willow", 'tag after: "said Willow"')],
                 [Call("Faith", 'tag after: "said Faith"'), Call("Faith", 'tag after: "she said"', "she")],
                 [Call("Willow", 'tag after: "Willow said"')], [Call("Tara", 'tag after: "Tara said"')]]
    assert settle_run(ctx, range(5), {0, 1, 2, 3, 4}) == {}


def test_untagged_lines_take_the_alternation_of_the_tagged_ones() -> None:
    ctx = context(EXCHANGE)
    ctx.calls = [[Call("Tara", 'tag after: "said Tara"')], [Call("Rupert", 'tag after: "said Rupert"')],
                 [Call("Rupert", "salience: most recent person in focus")], [],
                 [Call("Tara", 'tag after: "Tara said"')]]
    changed = settle_run(ctx, range(5), {0, 1, 4})
    assert {t: c.speaker for t, c in changed.items()} == {2: "Tara", 3: "Rupert"}
    assert changed[3].rule == "turn-taking: same speaker as the tagged line 2 back"


def test_a_line_that_names_someone_is_not_theirs() -> None:
    ctx = context('"Rupert is late again, Willow."\n\n"He always is."')
    assert line_costs(ctx, 0, None, ["Rupert", "Tara", "Willow"]) == {"Rupert": 1.5, "Tara": 0.0, "Willow": 2.0}
    assert line_costs(ctx, 1, None, ["Rupert", "Willow"]) == {"Rupert": 0.0, "Willow": -0.7}


def test_a_short_aside_does_not_end_the_exchange_and_lets_the_speaker_go_on() -> None:
    ctx = context('"A?"\n\n"B."\n\nTara smiled.\n\n"C?"\n\nTara walked to the window and looked out at the rain for a while.\n\n"D."')
    assert runs(ctx) == [range(0, 3)]
    assert join_costs(ctx, 2) == (0.3, 1.0)
    assert step_cost("Tara", "Rupert", "Rupert", continues=False, join=join_costs(ctx, 2)) == 0.3


def test_bare_quotes_alternate_and_narration_at_the_join_lets_the_speaker_go_on() -> None:
    ctx = context('"A?"\n\n"B."\n\n"C," she said, and paused.\n\n"D."\n\nTara sat down. "E."\n\n"F."')
    assert [join_costs(ctx, t) for t in range(1, 6)] == [(2.0, 0.85), (2.0, 0.85), (0.9, 0.55), (0.5, 0.5),
                                                        (2.0, 0.85)]


def test_a_paragraph_only_reporting_speech_lets_its_speaker_go_on_in_the_next_line() -> None:
    # "She delivered herself of an harangue …" and then the harangue: the same one speaks again
    text = '"A?"\n\n"B."\n\nTara asked a great many questions.\n\n"C?"'
    quotes = parse(text)[0]
    reported = Turn(text.index("Tara"), text.index('\n\n"C'), (), 0, reported=True)
    ctx = make_context(text, [quotes[0], quotes[1], reported, replace(quotes[2], gap=0)], INDEX, [], None)
    assert join_costs(ctx, 3) == (0.3, 1.0)
    assert join_costs(ctx, 1) == (2.0, 0.85)


def test_a_line_whose_tag_said_she_costs_more_for_a_man_even_without_a_call() -> None:
    ctx = context(EXCHANGE)
    ctx.voiced[2] = "she"
    assert line_costs(ctx, 2, None, ["Tara", "Rupert"]) == {"Tara": 0.0, "Rupert": 6.0}
    # someone the cast gives no gender ("The Arno") fits "she" less well than a woman, though better than a man
    assert line_costs(ctx, 2, None, ["Tara", "The Arno"]) == {"Tara": 0.0, "The Arno": 1.0}


def test_the_other_weighs_like_a_pronoun_but_says_no_gender() -> None:
    ctx = context(EXCHANGE)
    cue = Cue("Tara", cue_weight(Call("Tara", 'tag after: "said the other"', "other"), local=True), "other")
    assert cue.weight == PRONOUN_WEIGHT
    assert line_costs(ctx, 2, cue, ["Tara", "Rupert"]) == {"Tara": 0.0, "Rupert": PRONOUN_WEIGHT}


def test_the_first_person_narrator_takes_part_in_an_exchange_no_tag_of_theirs_names() -> None:
    ctx = context(EXCHANGE, narrator="Tara")
    ctx.calls = [[Call("Rupert", 'tag after: "said Rupert"')], [], [Call("Rupert", 'tag after: "said Rupert"')],
                 [], [Call("Rupert", 'tag after: "said Rupert"')]]
    assert {t: c.speaker for t, c in settle_run(ctx, range(5), {0, 2, 4}).items()} == {1: "Tara", 3: "Tara"}
    ctx.narrator = None
    assert settle_run(ctx, range(5), {0, 2, 4}) == {}


def test_a_paragraph_ending_on_someone_elses_tagged_line_is_answered_by_its_tail() -> None:
    # "C?" answers Rupert; "D," said Willow is a line of its own, so "E?" answers Willow, not "C?"
    ctx = context('"A?"\n\n"B."\n\n"C?" "D," said Willow.\n\n"E?"')
    ctx.calls = [[Call("Tara", 'tag after: "said Tara"')], [Call("Rupert", 'tag after: "said Rupert"')],
                 [Call("Rupert", "turn-taking: same speaker as 2 lines back"), Call("Willow", 'tag after: "said Willow"')],
                 [Call("Willow", "turn-taking: same speaker as 2 lines back")]]
    changed = settle_run(ctx, range(4), {0, 1})
    assert {t: c.speaker for t, c in changed.items()} == {2: "Tara", 3: "Tara"}


def test_someone_only_the_last_resort_put_forward_takes_no_part_in_the_exchange() -> None:
    ctx = context('"A?" said Tara.\n\n"B."\n\n"C, Rupert," said Tara.')
    ctx.calls = [[Call("Tara", 'tag after: "said Tara"')], [Call("Faith", "salience: most recent person in focus")],
                 [Call("Tara", 'tag after: "said Tara"')]]
    changed = settle_run(ctx, range(3), {0, 2})
    assert {t: c.speaker for t, c in changed.items()} == {1: "Rupert"}
