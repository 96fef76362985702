"""features: the candidates of each line and the cues that speak for and against them, on hand-written scenes."""

from __future__ import annotations

from fullcast.script.attribution.chapter import attribute_chapter
from fullcast.script.attribution.context import Context
from fullcast.script.attribution.features import FEATURES, RULE_FAMILIES, ChapterRows, candidates

from support.attribution import INDEX, parse


def rows_of(text: str, narrator: str | None = None) -> tuple[Context, ChapterRows]:
    """The chapter's context and rows, as the model would see them after the rules."""
    seen: list[tuple[Context, ChapterRows]] = []

    def keep(ctx: Context, rows: ChapterRows, fixed: dict[int, str]) -> dict:
        seen.append((ctx, rows))
        return {}

    turns, narration = parse(text)
    attribute_chapter(text, turns, INDEX, narration, narrator, decider=keep)
    return seen[0]


def feature(rows: ChapterRows, turn: int, name: str, column: str) -> float:
    """The value of *column* for candidate *name* of turn *turn*."""
    entry = next(r for r in rows.turns if r.turn == turn)
    return float(entry.rows[entry.candidates.index(name), FEATURES.index(column)])


SCENE = ('Tara and Willow sat on the steps.\n\n"Are you cold?" Tara asked.\n\n"A little."\n\n'
         '"Take my coat, Willow."\n\n"Thank you, sir," said Faith, who had come up behind them.')


def test_every_row_has_every_feature() -> None:
    _, rows = rows_of(SCENE)
    assert [r.rows.shape for r in rows.turns] == [(len(r.candidates), len(FEATURES)) for r in rows.turns]
    assert len(set(FEATURES)) == len(FEATURES)


def test_candidates_are_the_people_around_the_recent_speakers_and_the_addressed() -> None:
    ctx, _ = rows_of(SCENE)
    assert candidates(ctx, 0) == ["Faith", "Tara", "Willow"]  # Faith speaks two lines on


def test_someone_mentioned_only_pages_ago_is_no_candidate() -> None:
    far = "Rupert went home. " + "The rain kept on falling over the empty town. " * 80
    ctx, _ = rows_of(far + '\n\n"Are you cold?" Tara asked.')
    assert candidates(ctx, 0) == ["Tara"]


def test_the_rules_pick_and_the_own_tag() -> None:
    _, rows = rows_of(SCENE)
    assert feature(rows, 0, "Tara", "rules pick them") == 1.0
    assert feature(rows, 0, "Tara", "own tag names them") == 1.0
    assert feature(rows, 0, "Willow", "own tag names them") == 0.0
    assert feature(rows, 0, "Tara", "line anchored by its paragraph") == 1.0


def test_a_pronoun_tag_agrees_with_a_woman_and_not_with_a_man() -> None:
    _, rows = rows_of('Rupert and Tara sat on the steps.\n\n"Are you cold?" she asked.')
    assert feature(rows, 0, "Tara", "pronoun tag agrees") == 1.0
    assert feature(rows, 0, "Rupert", "pronoun tag agrees") == -1.0
    assert feature(rows, 0, "Tara", "pronoun tag") == 2.0


def test_who_spoke_the_lines_around() -> None:
    _, rows = rows_of(SCENE)
    assert feature(rows, 2, "Tara", "spoke 2 lines back") == 1.0
    assert feature(rows, 2, "Tara", "anchored 2 lines back") == 1.0
    assert feature(rows, 2, "Tara", "lines since they spoke") == 2.0
    assert feature(rows, 2, "Faith", "speak 1 line on") == 1.0


def test_the_addressed_and_the_gendered_address() -> None:
    _, rows = rows_of(SCENE)
    assert feature(rows, 2, "Willow", "addressed by this line") == 1.0
    assert feature(rows, 3, "Willow", "addressed by the last line") == 1.0
    # "Thank you, sir": the listener is a man, so no woman present is addressed; Rupert would be
    assert feature(rows, 3, "Tara", "this line calls its listener their gender") == -1.0


def test_a_speaker_naming_themself() -> None:
    _, rows = rows_of('Tara looked at the stranger.\n\n"My name is Faith," came the answer.')
    assert feature(rows, 0, "Faith", "names themself") == 1.0
    assert feature(rows, 0, "Tara", "names themself") == 0.0


def test_the_mentions_before_the_line_and_who_was_named_last() -> None:
    _, rows = rows_of('Tara sat down. Willow came in and smiled.\n\n"Hello."')
    assert feature(rows, 0, "Willow", "recency rank") == 0.0
    assert feature(rows, 0, "Tara", "recency rank") == 1.0
    assert feature(rows, 0, "Willow", "mentions as subject before") == 1.0
    assert feature(rows, 0, "Willow", "mentioned just before") == 1.0
    assert feature(rows, 0, "Willow", "new in the scene") == 1.0


def test_the_first_person_narrator_is_marked() -> None:
    _, rows = rows_of('I looked at Willow.\n\n"Hello," I said.', narrator="Tara")
    assert feature(rows, 0, "Tara", "first-person narrator") == 1.0
    assert feature(rows, 0, "Willow", "first-person narrator") == 0.0


def test_neighbours_stay_inside_a_run_of_lines() -> None:
    long = "Tara walked to the window and looked out at the rain for a long while, thinking of nothing."
    _, rows = rows_of(f'"A?" said Tara.\n\n"B," said Willow.\n\n"C."\n\n{long}\n\n"D," said Faith.')
    assert rows.neighbours == ((-1, -1, 1, 2), (-1, 0, 2, -1), (0, 1, -1, -1), (-1, -1, -1, -1))


TALK = ('Tara and Willow sat on the steps. Rupert came out of the house.\n\n'
        '"Is Faith coming?" asked Tara.\n\n'
        '"Faith said she would," Willow answered. "She always does."\n\n'
        '"Yes, sir."\n\n'
        '"Willow, look, the rain has stopped and the street is shining like a river."\n\n'
        '"It has."')
"""A run of five lines: two tagged, a "sir", a vocative, an answer."""


def test_the_run_the_lines_around_and_the_mentions() -> None:
    _, rows = rows_of(TALK)
    assert feature(rows, 0, "Rupert", "new in the scene") == 1.0
    assert feature(rows, 0, "Rupert", "characters since mentioned") == 31.0  # "Rupert came out…" to the line
    assert feature(rows, 0, "Tara", "mentions inside") == 1.0  # "asked Tara"
    assert feature(rows, 0, "Tara", "share of the chapter's mentions") == 0.4  # 2 of the 5 references
    assert feature(rows, 0, "Rupert", "share of the chapter's mentions") == 0.2
    assert feature(rows, 0, "Willow", "anchored 1 line on") == 1.0
    assert feature(rows, 1, "Willow", "quotes in the turn") == 2.0
    assert feature(rows, 1, "Willow", "mentions as subject inside") == 1.0
    assert feature(rows, 1, "Tara", "anchored 1 line back") == 1.0
    assert feature(rows, 1, "Tara", "in a run of lines") == 1.0
    assert feature(rows, 1, "Tara", "people in the run so far") == 1.0
    assert feature(rows, 2, "Tara", "rule family") == RULE_FAMILIES.index("turn-taking")
    assert feature(rows, 2, "Willow", "addressed by the next line") == 1.0
    assert feature(rows, 2, "Tara", "people in the run so far") == 2.0
    assert feature(rows, 3, "Willow", "addressed by this line") == 1.0
    assert feature(rows, 3, "Tara", "length of the line") == len("Willow, look, the rain has stopped and the street "
                                                                  "is shining like a river.")
    assert feature(rows, 4, "Willow", "addressed by the last line") == 1.0
    assert feature(rows, 4, "Tara", "narration after") == 99.0  # the chapter ends


def test_a_sir_says_the_listener_is_a_man() -> None:
    _, rows = rows_of(TALK)
    assert feature(rows, 2, "Rupert", "this line calls its listener their gender") == 1.0
    assert feature(rows, 2, "Tara", "this line calls its listener their gender") == -1.0
    assert feature(rows, 3, "Rupert", "the last line calls its listener their gender") == 1.0


def test_names_in_the_lines_and_a_quotation_carried_on() -> None:
    text = ('Tara and Willow sat by the door while Rupert read.\n\n"Rupert is late again," said Tara. "He always is.\n\n'
            '"And he never says why."\n\n"He reads," said Willow.')
    _, rows = rows_of(text)
    assert feature(rows, 0, "Rupert", "named in the line") == 1.0
    assert feature(rows, 1, "Rupert", "named in the last line") == 1.0
    assert feature(rows, 1, "Tara", "continues a quote") == 1.0
    assert feature(rows, 1, "Tara", "their quotation goes on") == 1.0
    assert feature(rows, 1, "Willow", "their quotation goes on") == 0.0
    assert feature(rows, 0, "Rupert", "named in the next line") == 0.0
