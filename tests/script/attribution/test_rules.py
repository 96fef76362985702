"""rules: every attribution rule alone on a small hand-written example."""

from __future__ import annotations

from fullcast.script.attribution.chapter import make_context
from fullcast.script.attribution.context import Call, Turn
from fullcast.script.attribution.cues import advance
from fullcast.script.attribution.names import Person, build_index
from fullcast.script.attribution.rules import (
    call_conversation,
    rule_addressed_after,
    rule_addressed_before,
    rule_anchored_alternation,
    rule_carried_over,
    rule_continuation,
    rule_lead_in,
    rule_paragraph_beat,
    rule_previous_beat,
    rule_salient,
    rule_tag_after,
    rule_tag_before,
    rule_turn_taking,
)

from support.attribution import INDEX, F, M, context, parse, who


def test_tag_after() -> None:
    ctx = context('"Hi Willow," Tara replied quietly.')
    assert rule_tag_after(ctx, 0, 0) == Call("Tara", 'tag after: "Tara replied quietly."')


def test_tag_after_that_runs_on_into_the_next_paragraph_is_not_this_quotes() -> None:
    ctx = context('Tara cried,\n\n"Look!" And she was running down the path to the gate, when Willow called out,\n\n"Wait!"')
    assert rule_tag_after(ctx, 0, 0) is None
    assert who(rule_lead_in(ctx, 0, 0)) == "Tara"


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
    few = "The rain had stopped and the street was quiet. " * 8  # a few sentences still hand it on
    ctx = context(f'"Hello."\n\n{few}Rupert smiled.\n\n"What makes you say that?"', known={0: "Tara"})
    assert who(rule_previous_beat(ctx, 1)) == "Rupert"
    ctx = context(f'"Hello."\n\n{few * 2}Rupert smiled.\n\n"What makes you say that?"', known={0: "Tara"})
    assert rule_previous_beat(ctx, 1) is None


def test_the_first_person_narrators_gesture_before_a_line_names_no_one() -> None:
    ctx = context('"Hello."\n\nI shook my head.\n\n"Why not?"', known={0: "Tara"}, narrator="Rupert")
    assert rule_previous_beat(ctx, 1) is None
    ctx = context('"Hello."\n\nI said this to Tara:\n\n"Why not?"', known={0: "Tara"}, narrator="Rupert")
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


def test_turn_taking_counts_a_speech_over_several_paragraphs_as_one_line() -> None:
    ctx = context('"A?"\n\n"It began long ago.\n\n"Then the war came."\n\n"And then?"', known={0: "Tara", 1: "Rupert",
                                                                                          2: "Rupert"})
    assert rule_turn_taking(ctx, 3) == Call("Tara", "turn-taking: same speaker as 2 lines back")


def test_anchored_alternation_counts_a_speech_over_several_paragraphs_as_one_line() -> None:
    ctx = context('"It began long ago.\n\n"Then the war came."\n\n"Go on," said Tara.', known={2: "Tara"})
    ctx.anchored = {2}
    assert rule_anchored_alternation(ctx, 0) is None  # one line before Tara's, not two: someone else told it


def test_anchored_alternation_counts_from_the_nearest_tagged_line_not_from_a_guess() -> None:
    ctx = context('"A?"\n\n"B."\n\n"C?"\n\n"D."\n\n"E?"',
                  known={0: "Tara", 1: "Rupert", 2: "Rupert", 3: "Tara"})
    ctx.anchored = {0, 1}  # lines 2 and 3 are guesses; the tagged line four back decides line 4
    assert rule_anchored_alternation(ctx, 4) is None  # its neighbour "Tara" (a guess) blocks it: no vote
    ctx.calls[3] = []
    assert rule_anchored_alternation(ctx, 4) == Call("Tara", "turn-taking: same speaker as the tagged line 4 back")


def test_anchored_alternation_looks_ahead_and_stops_at_narration() -> None:
    ctx = context('"A?"\n\n"B."\n\n"C?"\n\nX.\n\n"D."', known={2: "Willow", 3: "Faith"})
    ctx.anchored = {2, 3}
    assert rule_anchored_alternation(ctx, 0) == Call("Willow", "turn-taking: same speaker as the tagged line 2 ahead")
    assert rule_anchored_alternation(ctx, 1) is None


def test_anchored_alternation_gives_way_when_the_previous_line_calls_someone_else() -> None:
    ctx = context('"A?"\n\n"B."\n\n"What now, Faith?"\n\n"C."', known={0: "Tara", 1: "Rupert", 2: "Tara"})
    ctx.anchored = {0, 1, 2}
    assert rule_anchored_alternation(ctx, 3) is None  # Faith was asked: the vocative rule answers instead
    assert who(rule_addressed_before(ctx, 3)) == "Faith"


def test_turn_taking_needs_a_line_two_back_or_ahead() -> None:
    ctx = context('Rupert and Tara sat.\n\n"A?"\n\n"B."', known={0: "Tara"})
    assert rule_turn_taking(ctx, 1) is None


def test_salience_passes_over_the_previous_speaker() -> None:
    ctx = context('Rupert and Tara sat.\n\n"A?"\n\n"B."', known={0: "Tara"})
    assert rule_salient(ctx, 1) == Call("Rupert", "salience: most recent person in focus")


def test_salience_does_not_pass_over_the_subject_of_reported_speech() -> None:
    text = 'Rupert and Willow sat.\n\nIt was an hour before Tara rejoined them.\n\n"Well?"'
    turns = [Turn(24, 65, (), 0, reported=True), Turn(67, 74, parse(text)[0][0].quotes, 0)]
    ctx = make_context(text, turns, INDEX, [(0, 65)], None)
    advance(ctx, len(text))
    ctx.calls[0] = [Call("Tara", "reported speech")]
    assert who(rule_salient(ctx, 1)) == "Tara"


def test_turn_taking_stops_at_a_long_narration_gap() -> None:
    ctx = context('"A?"\n\n"B."\n\nX.\n\nY.\n\n"C?"', known={0: "Tara", 1: "Rupert"})
    assert rule_turn_taking(ctx, 2) is None


def test_salience_skips_the_addressee() -> None:
    ctx = context('Tara looked at Willow.\n\n"Willow, look."')
    assert who(rule_salient(ctx, 0)) == "Tara"


def test_salience_counts_the_first_person_narrator_as_i() -> None:
    ctx = context('Rupert came in, and I sat down.\n\n"Well?"', narrator="Tara")
    assert who(rule_salient(ctx, 0)) == "Tara"
    assert who(rule_salient(context('Rupert came in, and I sat down.\n\n"Well?"'), 0)) == "Rupert"


def test_salience_counts_the_first_person_narrator_as_me() -> None:
    text = 'Rupert sat down. Willow came up to me.\n\n"What is it, Willow?"'
    assert who(rule_salient(context(text, narrator="Tara"), 0)) == "Tara"
    assert who(rule_salient(context(text), 0)) == "Rupert"


def test_a_pronoun_beat_after_the_quote_rests_on_the_pronoun() -> None:
    ctx = context('Tara sat.\n\n"Well?" She looked up.')
    assert rule_tag_after(ctx, 0, 0) == Call("Tara", 'beat after: "She looked up."', "she")
    assert who(rule_tag_after(context('"Well?" Tara looked up.'), 0, 0)) == "Tara"


def test_words_to_oneself_are_no_turn_of_the_exchange() -> None:
    # a pronoun tag rests on the pronoun, so the exchange may overrule it; words said to oneself may not be
    assert rule_tag_after(context('Tara sat.\n\n"How queer," she said.'), 0, 0) == \
        Call("Tara", 'tag after: "she said."', "she")
    assert rule_tag_after(context('Tara sat.\n\n"How queer," she said to herself.'), 0, 0) == \
        Call("Tara", 'tag after: "she said to herself."')
    assert rule_tag_after(context('Tara sat.\n\n"How queer," she thought.'), 0, 0) == \
        Call("Tara", 'tag after: "she thought."')


def test_tag_naming_a_family_role_resolves_through_the_possessor() -> None:
    index = build_index([Person("Jane", F, True, ("Miss Bennet",)), Person("Mrs. Bennet", F, True),
                         Person("Mr. Bennet", M, True)])
    text = 'Jane looked up.\n\n"Is it true?" asked Jane.\n\n"It is," said her mother.'
    turns, narration = parse(text)
    ctx = make_context(text, turns, index, narration, None)
    advance(ctx, len(text))
    assert rule_tag_after(ctx, 1, 0) == Call("Mrs. Bennet", 'tag after: "said her mother."')


def test_a_fathers_line_when_the_cast_links_no_father_is_a_man_about() -> None:
    index = build_index([Person("Lizzy", F, True), Person("Mr. Bennet", M, True), Person("Mrs. Bennet", F, True)])
    text = 'Mr. Bennet and Mrs. Bennet sat with Lizzy.\n\n"Is it true?" asked Lizzy.\n\n"It is," said her father.' \
           '\n\n"Oh!" said her mother.'
    turns, narration = parse(text)
    ctx = make_context(text, turns, index, narration, None)
    advance(ctx, len(text))
    assert who(rule_tag_after(ctx, 1, 0)) == "Mr. Bennet"
    # a woman's mother is a woman too: the one about the cast calls Mrs., not the daughter herself
    assert who(rule_tag_after(ctx, 2, 0)) == "Mrs. Bennet"


def test_a_parents_line_when_the_cast_links_no_parent_is_the_elder_generation_about() -> None:
    index = build_index([Person("Lizzy", F, True), Person("Mr. Bennet", M, True), Person("Mr. Bingley", M, True,
                                                                                       ("Bingley", "Charles"))])
    text = 'Mr. Bennet met Lizzy, and Mr. Bingley bowed.\n\n"Is it true?" asked Lizzy.\n\n"It is," said her father.'
    turns, narration = parse(text)
    ctx = make_context(text, turns, index, narration, None)
    advance(ctx, len(text))
    assert who(rule_tag_after(ctx, 1, 0)) == "Mr. Bennet"  # known only as Mr. Bennet: of the elder generation


def test_a_kin_tag_with_no_one_linked_or_married_about_names_no_one() -> None:
    index = build_index([Person("Lizzy", F, True), Person("Kitty", F, True), Person("Mrs. Bennet", F, True)])
    text = 'Kitty sat with Lizzy.\n\n"Is it true?" asked Lizzy.\n\n"It is," said her sister.\n\n"Oh!" said her mother.'
    turns, narration = parse(text)
    ctx = make_context(text, turns, index, narration, None)
    advance(ctx, len(text))
    assert rule_tag_after(ctx, 1, 0) is None  # which of the two women is the possessor?
    assert rule_tag_after(ctx, 2, 0) is None  # no married woman about: Mrs. Bennet has not been named


def test_a_kin_tag_may_describe_the_relative() -> None:
    index = build_index([Person("Jane", F, True, ("Miss Bennet",)), Person("Mrs. Bennet", F, True)])
    text = 'Jane looked up.\n\n"Is it true?" asked Jane.\n\n"It is," continued her philosophic mother.'
    turns, narration = parse(text)
    ctx = make_context(text, turns, index, narration, None)
    advance(ctx, len(text))
    assert who(rule_tag_after(ctx, 1, 0)) == "Mrs. Bennet"


def test_tag_naming_a_description_means_the_fitting_person_in_focus() -> None:
    text = 'Rupert and Faith came in.\n\n"Hello," said Faith.\n\n"Hello yourself," said the old man.'
    turns, narration = parse(text)
    ctx = make_context(text, turns, INDEX, narration, None)
    advance(ctx, len(text))
    # like a pronoun, the description rests on its gender alone, so the exchange may overrule it
    assert rule_tag_after(ctx, 1, 0) == Call("Rupert", 'tag after: "said the old man."', "he")


def test_the_conversation_call_for_a_line_whose_tag_said_she_is_a_woman() -> None:
    ctx = context('Willow watched.\n\n"A," said Tara.\n\n"B," said Rupert.\n\n"C."', {0: "Tara", 1: "Rupert"})
    assert who(call_conversation(ctx, 2)) == "Tara"
    ctx.voiced[2] = "he"
    assert call_conversation(ctx, 2) == Call("Rupert", "salience: the man most recently in focus, for \"he\"", "he")


def test_the_other_is_the_one_of_the_exchange_who_did_not_speak_last() -> None:
    text = 'Rupert came in.\n\n"A," said Tara.\n\n"B," said Willow.\n\n"C," said the other.'
    ctx = context(text, {0: "Tara", 1: "Willow"})
    # no gender to go on: like a pronoun the exchange may overrule it, but it imposes no gender
    assert rule_tag_after(ctx, 2, 0) == Call("Tara", 'tag after: "said the other."', "other")
    ctx = context('Rupert came in.\n\n"B," said Willow.\n\n"C," said the other.', {0: "Willow"})
    assert who(rule_tag_after(ctx, 1, 0)) == "Rupert"  # no line two back: whoever else was about
    ctx = context('Rupert came in.\n\n"B," said Willow.\n\n"C," said the other.')
    assert rule_tag_after(ctx, 1, 0) is None  # who spoke last is not known yet


def test_his_companion_is_someone_of_the_exchange_other_than_him() -> None:
    text = 'Tara and Rupert walked on.\n\n"Where to?" asked Rupert.\n\n"Home," answered his companion.'
    ctx = context(text, {0: "Rupert"})
    assert rule_tag_after(ctx, 1, 0) == Call("Tara", 'tag after: "answered his companion."', "other")
    # the possessor is who the paragraph names first: her companion is the one who spoke before, not Tara
    text = '"I fear so," Rupert said.\n\nTara could not say a word. Her companion added, "Well?"'
    ctx = context(text, {0: "Rupert"})
    assert who(rule_tag_before(ctx, 1, 0)) == "Rupert"


def test_her_companion_after_narration_is_whoever_she_last_talked_with() -> None:
    text = 'Tara, Willow and Rupert walked.\n\n"A," said Willow.\n\nRupert turned away, and Tara began to talk ' \
           'of the trees.\n\n"Lovely," said her companion.'
    ctx = context(text, {0: "Willow"})
    assert who(rule_tag_after(ctx, 1, 0)) == "Willow"


def test_a_chapter_opening_with_a_quote_carries_on_the_last_speaker_of_the_one_before() -> None:
    ctx = context('"And so it went on."\n\n"Did it?"')
    assert rule_carried_over(ctx, 0) is None
    ctx.carried = "Willow"
    assert rule_carried_over(ctx, 0) == Call("Willow", "continuation: the line that ended the previous chapter goes on")
    assert rule_carried_over(ctx, 1) is None
