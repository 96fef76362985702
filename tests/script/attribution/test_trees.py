"""trees: the speaker model file, read and evaluated without LightGBM, and refused clearly when broken."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fullcast.errors import ModelError
from fullcast.script.attribution.decide import SECOND_FEATURES
from fullcast.script.attribution.features import FEATURES
from fullcast.script.attribution.trees import FORMAT, MODEL_FILE, REBUILD, VERSION, load_model, model_from_data

# x0 <= 0.5 ? (x1 <= 2 ? 1.0 : 2.0) : -1.0, with the average below each split as its value
TREE = {"feature": [0, 1, -1, -1, -1], "threshold": [0.5, 2.0, 0.0, 0.0, 0.0], "left": [1, 2, -1, -1, -1],
        "right": [4, 3, -1, -1, -1], "value": [0.2, 1.5, 1.0, 2.0, -1.0]}
STUMP = {"feature": [1, -1, -1], "threshold": [5.0, 0.0, 0.0], "left": [1, -1, -1], "right": [2, -1, -1],
         "value": [0.0, 0.25, -0.25]}


def model_data(**changes: object) -> dict:
    """A tiny valid model over two features."""
    stage = {"features": ["a", "b"], "trees": [TREE, STUMP]}
    data = {"format": FORMAT, "version": VERSION, "first": stage, "second": stage,
            "calibration": {"share": [0.0, 1.0], "probability": [0.1, 0.9]}}
    data.update(changes)
    return data


def test_a_score_is_the_sum_of_the_leaves_each_row_reaches() -> None:
    model = model_from_data(model_data(), "m")
    rows = np.array([[0.0, 1.0], [0.0, 3.0], [1.0, 9.0], [0.5, 2.0]])
    assert model.first.scores(rows).tolist() == [1.25, 2.25, -1.25, 1.25]
    assert model.first.depth == 2


def test_contributions_follow_the_path_and_add_up_to_the_score() -> None:
    forest = model_from_data(model_data(), "m").first
    row = np.array([0.0, 3.0])
    # tree 1: root 0.2 -> (a) 1.5 -> (b) 2.0; tree 2: root 0.0 -> (b) 0.25
    assert forest.contributions(row).tolist() == pytest.approx([1.3, 0.75])
    assert forest.contributions(row).sum() + 0.2 + 0.0 == pytest.approx(forest.scores(row[None])[0])


def test_calibration_interpolates_between_its_points() -> None:
    model = model_from_data(model_data(), "m")
    assert model.calibrate(np.array([0.0, 0.5, 1.0])).tolist() == pytest.approx([0.1, 0.5, 0.9])


def test_a_missing_model_says_how_to_rebuild_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        load_model(tmp_path / "speakers.json")
    assert str(caught.value) == f"{tmp_path / 'speakers.json'}: the speaker model is missing; {REBUILD}"


def test_a_model_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "speakers.json"
    path.write_text("{trees", encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert str(caught.value) == (f"{path}: the speaker model cannot be read (Expecting property name enclosed in "
                                 f"double quotes: line 1 column 2 (char 1)); {REBUILD}")


@pytest.mark.parametrize(("data", "problem"), [
    ({"format": "something else", "version": VERSION}, f"not a version {VERSION} speaker model"),
    (model_data(version=VERSION + 1), f"not a version {VERSION} speaker model"),
    (model_data(calibration={}), "the speaker model is damaged (KeyError: 'share')"),
    (model_data(first={"features": ["a", "b"], "trees": [{**STUMP, "left": [7, -1, -1]}]}),
     "the speaker model is damaged (IndexError: tree 0 points outside itself)"),
    (model_data(first={"features": ["a"], "trees": [TREE]}),
     "the speaker model is damaged (IndexError: a tree splits on a column the model does not name)"),
    (model_data(first={"features": ["a", "b"], "trees": [{**STUMP, "left": [0, -1, -1]}]}),
     "the speaker model is damaged (IndexError: a tree has a cycle)"),
])
def test_a_damaged_model_is_refused(data: dict, problem: str) -> None:
    with pytest.raises(ModelError) as caught:
        model_from_data(data, "speakers.json")
    assert str(caught.value) == f"speakers.json: {problem}; {REBUILD}"


def test_the_shipped_model_loads_and_reads_the_features_fullcast_computes() -> None:
    model = load_model()
    assert model.first.features == FEATURES
    assert model.second.features == SECOND_FEATURES
    assert MODEL_FILE.stat().st_size < 2_000_000
    xs, ys = model.calibration
    assert np.all(np.diff(xs) >= 0) and np.all(np.diff(ys) >= 0)
    assert json.loads(MODEL_FILE.read_text(encoding="utf-8"))["format"] == FORMAT
