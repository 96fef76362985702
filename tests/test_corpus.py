"""The conventions corpus (tests/corpus) meets its targets in every format: benchmarks/script.py as a test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _benchmark():
    spec = importlib.util.spec_from_file_location("corpus_benchmark", ROOT / "benchmarks" / "script.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_the_corpus_meets_its_targets() -> None:
    bench = _benchmark()
    tally = bench.run(ROOT / "tests" / "corpus")
    assert bench.meets_targets(tally) == [], bench.report(tally)
    assert len({piece for piece, *_ in tally.rows}) == 12
    assert {fmt for _, fmt, *_ in tally.rows} == {"md", "txt", "epub", "docx", "html"}
    figures = tally.figures()
    assert figures["apostrophes kept"] == 1.0 and tally.counts["scare gold"] >= 10
    assert all(kind >= 0.9 for *_, kind, _ in tally.rows), bench.report(tally)
