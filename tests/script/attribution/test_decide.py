"""decide: candidates scored in two stages, a run read as a whole, fixed lines anchoring their neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from fullcast.errors import ModelError
from fullcast.model import Candidate
from fullcast.script.attribution.context import Call
from fullcast.script.attribution.decide import SECOND_FEATURES, ModelDecider, choose, pinned, second_rows, shares
from fullcast.script.attribution.features import FEATURES, ChapterRows, TurnRows
from fullcast.script.attribution.trees import FORMAT, VERSION, model_from_data

PICK = FEATURES.index("rules pick them")
BACK2 = SECOND_FEATURES.index("their score 2 lines back")


def split(column: int, at: float, low: float, high: float) -> dict:
    """A one-split tree: *low* when the column is at most *at*, else *high*."""
    return {"feature": [column, -1, -1], "threshold": [at, 0.0, 0.0], "left": [1, -1, -1], "right": [2, -1, -1],
            "value": [0.0, low, high]}


def model(second: list[dict]) -> ModelDecider:
    """A hand-made model: the first stage trusts the rules' pick; the second stage is *second*."""
    data = {"format": FORMAT, "version": VERSION,
            "first": {"features": list(FEATURES), "trees": [split(PICK, 0.5, -1.0, 1.0)]},
            "second": {"features": list(SECOND_FEATURES), "trees": second},
            "calibration": {"share": [0.0, 1.0], "probability": [0.0, 1.0]}}
    return ModelDecider(model_from_data(data, "test model"), explain=True)


def turn(t: int, names: tuple[str, ...], picked: str, rule: str = "turn-taking") -> TurnRows:
    rows = np.zeros((len(names), len(FEATURES)))
    rows[:, PICK] = [float(n == picked) for n in names]
    return TurnRows(t, 10 * t, 10 * t + 5, names, rows, Call(picked, rule))


RUN = ChapterRows((turn(0, ("Tara", "Willow"), "Tara", "tag after"), turn(1, ("Tara", "Willow"), "Willow"),
                   turn(2, ("Tara", "Willow"), "Willow")),
                  ((-1, -1, 1, 2), (-1, 0, 2, -1), (0, 1, -1, -1)))
"""Three lines: a tagged Tara, then two lines the rules both gave Willow."""


def test_shares_are_each_turns_logistic_scores_normalised() -> None:
    found = shares(np.array([0.0, 0.0, 2.0, -2.0, 0.0, 0.0]), RUN)
    assert [s.tolist() for s in found] == [[0.5, 0.5], pytest.approx([0.8808 / 1.0, 0.1192 / 1.0], abs=1e-4),
                                           [0.5, 0.5]]


def test_a_fixed_line_puts_its_whole_share_on_the_editors_choice() -> None:
    first = [np.array([0.6, 0.4])] * 3
    assert [s.tolist() for s in pinned(RUN, first, {1: "Tara"})] == [[0.6, 0.4], [1.0, 0.0], [0.6, 0.4]]
    assert pinned(RUN, first, {1: "Faith"})[1].tolist() == [0.6, 0.4]  # not a candidate: nothing to pin


def test_second_rows_carry_the_neighbours_shares() -> None:
    first = [np.array([0.9, 0.1]), np.array([0.3, 0.7]), np.array([0.4, 0.6])]
    rows = second_rows(RUN, first)
    extra = rows[4:6, len(FEATURES):]  # the third turn's two candidates
    assert extra.tolist() == [[0.4, 1.0, 0.9, 0.3, 0.0, 0.0, 0.7, 0.0, pytest.approx(-0.2)],
                              [0.6, 0.0, 0.1, 0.7, 0.0, 0.0, 0.7, 0.0, pytest.approx(0.2)]]


def test_the_rest_of_a_continued_quotation_stays_with_its_speaker() -> None:
    carried = turn(3, ("Tara", "Willow"), "Tara", "continuation: the quotation goes on")
    assert choose(carried, np.array([0.2, 0.8])) == 0
    assert choose(turn(3, ("Tara", "Willow"), "Tara"), np.array([0.2, 0.8])) == 1


def test_the_model_decides_with_calibrated_candidates_and_reasons() -> None:
    decisions = model([split(0, 0.5, -1.0, 1.0)])({}, RUN, {})  # second stage: trust the rules' pick again
    assert decisions[1].speaker == "Willow"
    assert decisions[1].confidence == 0.731
    assert decisions[1].candidates == (
        Candidate("Willow", 0.731, ("rules pick them = 1 (+1.0)",)),
        Candidate("Tara", 0.269, ("rules pick them = 0 (-1.0)",)))


def test_a_line_two_back_anchors_the_line_after_the_answer() -> None:
    # second stage: whoever held the line two back strongly speaks this one (alternation)
    decide = model([split(BACK2, 0.5, -2.0, 2.0)])
    unanchored = decide({}, RUN, {})
    assert unanchored[2].speaker == "Tara"  # Tara held the tagged line two back
    fixed = decide({}, RUN, {0: "Willow"})
    assert fixed[0] == fixed[0].__class__("Willow", 1.0, (Candidate("Willow", 1.0, ("fixed in voices.yaml",)),))
    assert fixed[2].speaker == "Willow"  # the editor's fix anchors the run


def test_a_model_trained_on_other_features_is_refused() -> None:
    data = {"format": FORMAT, "version": VERSION, "first": {"features": ["a"], "trees": []},
            "second": {"features": ["a"], "trees": []}, "calibration": {"share": [0, 1], "probability": [0, 1]}}
    with pytest.raises(ModelError, match="the speaker model was trained on other features than this fullcast computes"):
        ModelDecider(model_from_data(data, "old model"))


def test_someone_introducing_themself_is_the_speaker() -> None:
    named = TurnRows(4, 40, 45, ("Tara", "Willow"), np.zeros((2, len(FEATURES))), Call("Tara", "turn-taking"),
                     frozenset({"Willow"}))
    assert choose(named, np.array([0.9, 0.1])) == 1
