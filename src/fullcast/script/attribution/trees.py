"""The speaker model file: boosted decision trees stored as JSON, read and evaluated with numpy.

The file (`speakers.json`, beside this module) is written by `benchmarks/train_attribution.py`
from LightGBM's trees; reading it needs no LightGBM, and no pickle is ever loaded. Each stage is
a forest over named features; a candidate's score is the sum of its leaves. The file also
holds the calibration that turns a stage's share of the scores into a probability.

Every problem with the file is a `ModelError` that names it and says how to rebuild it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ...errors import ModelError

MODEL_FILE = Path(__file__).with_name("speakers.json")
"""The shipped model."""
FORMAT = "fullcast speaker model"
"""The `format` field every model file carries."""
VERSION = 1
"""The layout of the file this module reads."""
REBUILD = "rebuild it with `python benchmarks/train_attribution.py --data ../shared/bench/pdnc`, or reinstall fullcast"


@dataclass(frozen=True)
class Forest:
    """One stage's trees, flattened into arrays of nodes (a leaf points to itself on both sides)."""

    features: tuple[str, ...]
    """The column names the trees split on, in order."""
    feature: np.ndarray
    """Per node: the column it splits on (0 for a leaf)."""
    threshold: np.ndarray
    """Per node: go left when the value is at most this (+inf for a leaf)."""
    left: np.ndarray
    """Per node: the node to go to when the test holds."""
    right: np.ndarray
    """Per node: the node to go to otherwise."""
    value: np.ndarray
    """Per node: the leaf's score, or for a split the average score below it (for explanations)."""
    roots: np.ndarray
    """The root node of each tree."""
    depth: int
    """The deepest path of any tree: how many steps evaluation takes."""

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The raw score (sum of leaves) of every row."""
        return self.value[self.leaves(rows)].sum(axis=1)

    def leaves(self, rows: np.ndarray) -> np.ndarray:
        """The leaf each row reaches in each tree, shape (rows, trees).

        All (row, tree) paths step down together, and a path leaves the loop at its leaf: most paths are far
        shorter than the deepest, so this does about half the work of stepping every path to the full depth.
        """
        trees = len(self.roots)
        node = np.tile(self.roots, len(rows))
        flat = np.ascontiguousarray(rows, dtype=np.float64).ravel()
        base = np.repeat(np.arange(len(rows)) * rows.shape[1], trees)
        active = np.arange(len(node))
        for _ in range(self.depth):
            at = node[active]
            go_left = flat[base[active] + self.feature[at]] <= self.threshold[at]
            step = np.where(go_left, self.left[at], self.right[at])
            node[active] = step
            active = active[self.left[step] != step]
            if not len(active):
                break
        return node.reshape(len(rows), trees)

    def contributions(self, row: np.ndarray) -> np.ndarray:
        """How much each feature moved *row*'s score, summed over the trees (the path's value changes)."""
        out = np.zeros(len(self.features))
        for root in self.roots:
            node = root
            while self.left[node] != node:
                nxt = self.left[node] if row[self.feature[node]] <= self.threshold[node] else self.right[node]
                out[self.feature[node]] += self.value[nxt] - self.value[node]
                node = nxt
        return out


@dataclass(frozen=True)
class SpeakerModel:
    """The two stages and the calibration of the shipped model."""

    first: Forest
    """Scores a candidate from its own row."""
    second: Forest
    """Scores it again knowing the first stage's scores of the lines around it."""
    calibration: tuple[np.ndarray, np.ndarray]
    """Points (share, probability) of an increasing map from a candidate's share of the second stage's scores to
    the probability that they spoke the line."""

    def calibrate(self, share: np.ndarray) -> np.ndarray:
        """The calibrated probability of each share."""
        xs, ys = self.calibration
        return np.interp(share, xs, ys)


def load_model(path: Path | None = None) -> SpeakerModel:
    """The model in *path* (the shipped `MODEL_FILE` by default), read once per path; `ModelError` when it is
    missing, damaged or of another version."""
    return _load(path or MODEL_FILE)


@cache
def _load(path: Path) -> SpeakerModel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: the speaker model is missing; {REBUILD}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"{path}: the speaker model cannot be read ({exc}); {REBUILD}") from None
    return model_from_data(data, str(path))


def model_from_data(data: object, where: str) -> SpeakerModel:
    """The model a parsed model file holds; *where* names it in errors."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ModelError(f"{where}: not a version {VERSION} speaker model; {REBUILD}")
    try:
        cal = data["calibration"]
        return SpeakerModel(_forest(data["first"]), _forest(data["second"]),
                            (np.array(cal["share"], float), np.array(cal["probability"], float)))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(f"{where}: the speaker model is damaged ({type(exc).__name__}: {exc}); {REBUILD}") from None


def _forest(data: dict) -> Forest:
    """A stage from its JSON: `features` and `trees`, each tree parallel lists of nodes."""
    feature, threshold, left, right, value, roots = [], [], [], [], [], []
    depth = 0
    for tree in data["trees"]:
        base = len(feature)
        roots.append(base)
        n = len(tree["value"])
        kids = [(tree["left"][i], tree["right"][i]) for i in range(n)]
        if any(not (-1 <= k < n) for pair in kids for k in pair):
            raise IndexError(f"tree {len(roots) - 1} points outside itself")
        for i, (lo, hi) in enumerate(kids):
            leaf = lo < 0
            feature.append(0 if leaf else tree["feature"][i])
            threshold.append(np.inf if leaf else tree["threshold"][i])
            left.append(base + (i if leaf else lo))
            right.append(base + (i if leaf else hi))
            value.append(tree["value"][i])
        depth = max(depth, _depth(kids))
    names = tuple(data["features"])
    if feature and max(feature) >= len(names):
        raise IndexError("a tree splits on a column the model does not name")
    return Forest(names, np.array(feature, np.intp), np.array(threshold, float), np.array(left, np.intp),
                  np.array(right, np.intp), np.array(value, float), np.array(roots, np.intp), depth)


def _depth(kids: list[tuple[int, int]]) -> int:
    """The longest root-to-leaf path of one tree, in splits."""
    deepest, stack = 0, [(0, 0)]
    while stack:
        node, d = stack.pop()
        lo, hi = kids[node]
        if lo < 0:
            deepest = max(deepest, d)
            continue
        if d > len(kids):
            raise IndexError("a tree has a cycle")
        stack += [(lo, d + 1), (hi, d + 1)]
    return deepest
