"""Train the speaker model on the bench: shared by `train_attribution.py` and `attribution.py --folds`.

Each novel is analysed the way `fullcast script` does, with a decider that only records every
chapter's candidate rows (`Recorder`); each quoted turn is labelled with the gold speaker of the
first gold quote inside it. `fit` then trains, on the novels it is given and nothing else:

1. the first stage on every candidate row, and out-of-fold first-stage shares for those novels
   (inner folds that leave whole novels out), so the second stage learns from shares like those
   it will see on a novel it has never read;
2. the second stage on those rows plus the shares of the lines around;
3. the calibration: an isotonic map from out-of-fold second-stage shares to how often they were right.

Everything is deterministic (fixed seeds, one thread), so the same novels give the same model file bytes.
LightGBM and scikit-learn are needed here only (`pip install -e .[train]`); fullcast reads the result with numpy.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import numpy as np
from attribution import read_novel
from sklearn.isotonic import IsotonicRegression

from fullcast.script import analyse_book
from fullcast.script.attribution.context import Context
from fullcast.script.attribution.decide import SECOND_FEATURES, pinned, second_rows, shares
from fullcast.script.attribution.features import FEATURES, ChapterRows
from fullcast.script.attribution.trees import FORMAT, VERSION

PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 50,
          "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "seed": 7,
          "deterministic": True, "force_row_wise": True, "num_threads": 1, "verbose": -1}
"""Chosen before any cross-validated figure was seen, except the size: 31 leaves and 400 trees (over 15 and 200)
gained in 7-fold leave-novels-out cross-validation, 87.09% against 86.97% of turns."""
ROUNDS = 400
"""Trees per stage."""
INNER_FOLDS = 3
"""Folds of the training novels for the out-of-fold shares."""


@dataclass
class NovelRows:
    """One novel's chapters as the model sees them, with the gold speaker of each scored turn."""

    name: str
    chapters: list[ChapterRows]
    labels: list[list[str | None]]
    """Per chapter, per scored turn: the gold speaker of the first gold span inside it, or None."""


class Recorder:
    """A decider that decides nothing and keeps every chapter's rows."""

    def __init__(self) -> None:
        self.chapters: list[ChapterRows] = []

    def __call__(self, ctx: Context, rows: ChapterRows, fixed: dict[int, str]) -> dict:
        self.chapters.append(rows)
        return {}


def novel_rows(folder: Path) -> NovelRows:
    """Analyse one bench novel with a `Recorder` and label its turns from `quotes.jsonl`."""
    config, book = read_novel(folder)
    recorder = Recorder()
    analyse_book(book, config, decider=recorder)
    # every span counts: a quote running over several paragraphs has a span in each
    spans = sorted((span[0], quote["speaker"]) for line in (folder / "quotes.jsonl").read_text("utf-8").splitlines()
                   for quote in [json.loads(line)] for span in quote["spans"])
    starts = [start for start, _ in spans]
    labels = []
    for chapter in recorder.chapters:
        row = []
        for turn in chapter.turns:
            i = bisect.bisect_left(starts, turn.start)
            row.append(spans[i][1] if i < len(spans) and starts[i] < turn.end else None)
        labels.append(row)
    return NovelRows(folder.name, recorder.chapters, labels)


def _stack(novels: list[NovelRows], stage_rows) -> tuple[np.ndarray, np.ndarray]:
    """Rows and 0/1 labels of every labelled turn of *novels*; *stage_rows(novel, chapter index)* gives the rows."""
    xs, ys = [], []
    for novel in novels:
        for c, chapter in enumerate(novel.chapters):
            rows = stage_rows(novel, c)
            at = 0
            for turn, gold in zip(chapter.turns, novel.labels[c]):
                n = len(turn.candidates)
                if gold is not None:
                    xs.append(rows[at:at + n])
                    ys += [float(name == gold) for name in turn.candidates]
                at += n
    width = len(FEATURES) if not xs else xs[0].shape[1]
    return (np.vstack(xs) if xs else np.zeros((0, width))), np.array(ys)


def _train(x: np.ndarray, y: np.ndarray, names: tuple[str, ...]) -> lgb.Booster:
    data = lgb.Dataset(x, y, feature_name=[f"f{i}" for i in range(len(names))], free_raw_data=False)
    return lgb.train(PARAMS, data, num_boost_round=ROUNDS)


def _first(novel: NovelRows, c: int) -> np.ndarray:
    turns = novel.chapters[c].turns
    return np.vstack([t.rows for t in turns]) if turns else np.zeros((0, len(FEATURES)))


def _inner_folds(novels: list[NovelRows]) -> list[list[NovelRows]]:
    return [novels[i::INNER_FOLDS] for i in range(INNER_FOLDS)]


def _out_of_fold_first(novels: list[NovelRows]) -> dict[str, list[list[np.ndarray]]]:
    """Per novel, per chapter: first-stage shares from a first stage that never saw that novel."""
    out: dict[str, list[list[np.ndarray]]] = {}
    for held in _inner_folds(novels):
        booster = _train(*_stack([n for n in novels if n not in held], _first), FEATURES)
        for novel in held:
            out[novel.name] = [shares(booster.predict(_first(novel, c), raw_score=True), chapter)
                               if chapter.turns else [] for c, chapter in enumerate(novel.chapters)]
    return out


def fit(novels: list[NovelRows]) -> dict:
    """The JSON-ready model trained on *novels* only."""
    oof = _out_of_fold_first(novels)

    def second(novel: NovelRows, c: int) -> np.ndarray:
        chapter = novel.chapters[c]
        return second_rows(chapter, pinned(chapter, oof[novel.name][c], {}))

    first_booster = _train(*_stack(novels, _first), FEATURES)
    second_booster = _train(*_stack(novels, second), SECOND_FEATURES)
    shares_seen, right = [], []
    for held in _inner_folds(novels):
        booster = _train(*_stack([n for n in novels if n not in held], second), SECOND_FEATURES)
        for novel in held:
            for c, chapter in enumerate(novel.chapters):
                if not chapter.turns:
                    continue
                found = shares(booster.predict(second(novel, c), raw_score=True), chapter)
                for turn, share, gold in zip(chapter.turns, found, novel.labels[c]):
                    if gold is not None:
                        shares_seen += list(share)
                        right += [float(name == gold) for name in turn.candidates]
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(shares_seen, right)
    return {"format": FORMAT, "version": VERSION, "trained_on": sorted(n.name for n in novels),
            "first": export_forest(first_booster, FEATURES), "second": export_forest(second_booster, SECOND_FEATURES),
            "calibration": {"share": [round(float(v), 6) for v in iso.X_thresholds_],
                            "probability": [round(float(v), 6) for v in iso.y_thresholds_]}}


def export_forest(booster: lgb.Booster, names: tuple[str, ...]) -> dict:
    """A booster's trees as parallel node lists (leaves have left = right = -1), values rounded to 6 places."""
    trees = []
    for info in booster.dump_model()["tree_info"]:
        nodes = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}
        _flatten(info["tree_structure"], nodes)
        trees.append(nodes)
    return {"features": list(names), "trees": trees}


def _flatten(node: dict, nodes: dict) -> int:
    """Append *node* and its subtree in preorder; return its index."""
    i = len(nodes["value"])
    for key in nodes:
        nodes[key].append(-1)
    if "leaf_value" in node:
        nodes["value"][i] = round(node["leaf_value"], 6)
        nodes["threshold"][i] = 0.0
        return i
    if node["decision_type"] != "<=":
        raise ValueError(f"unexpected split {node['decision_type']}")
    nodes["feature"][i] = node["split_feature"]
    nodes["threshold"][i] = float(node["threshold"])
    nodes["value"][i] = round(node["internal_value"], 6)
    nodes["left"][i] = _flatten(node["left_child"], nodes)
    nodes["right"][i] = _flatten(node["right_child"], nodes)
    return i


def model_bytes(model: dict) -> bytes:
    """The model file's exact bytes: compact JSON, one stage per line, so that the same model gives the same file."""
    return (json.dumps(model, separators=(",", ":")) + "\n").encode("utf-8")
