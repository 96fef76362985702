"""The bench novels: fullcast finds one chapter per chapter heading a reader can see in each text.

The texts live in ../shared/bench (never copied into the repo); the test is skipped without them. The
expected count comes from an independent, deliberately simple reading of each text: lines that are a
chapter heading ("CHAPTER IV", "Chapter 4: Title", a Roman numeral alone, "CHAPTER" over its number)
with story after them, or, in a book with no chapters, its "PART I" lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fullcast.manuscript.plaintext import read_manuscript

BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench" / "pdnc"
NOVELS = sorted(p.name for p in BENCH.iterdir()) if BENCH.is_dir() else []
HEADING = re.compile(r"^(?:chapter\s+(?:[ivxlc]+|\d+)\b.*|[IVXLC]+\.?|chapter)$", re.I)
PART = re.compile(r"^part\s+[ivx]+$", re.I)
EXPECTED = {
    "ARoomWithAView": 20, "AlicesAdventuresInWonderland": 12, "AnneOfGreenGables": 38, "DaisyMiller": 2,
    "Emma": 55, "HowardsEnd": 44, "NightAndDay": 34, "NorthangerAbbey": 31, "Persuasion": 24,
    "PrideAndPrejudice": 61, "SenseAndSensibility": 50, "TheAgeOfInnocence": 34, "TheAwakening": 39,
    "TheGambler": 17, "TheInvisibleMan": 28, "TheManWhoWasThursday": 15, "TheMysteriousAffairAtStyles": 13,
    "ThePictureOfDorianGray": 20, "TheSignOfTheFour": 12, "TheSportOfTheGods": 18, "TheSunAlsoRises": 19,
}
"""Chapters per novel, as counted by `visible_headings` (and checked against each book's contents)."""


def visible_headings(text: str) -> int:
    """Heading lines with story after them: a line of contents is followed by another heading instead."""
    lines = [line.strip() for line in text.split("\n")]
    counts = {HEADING: 0, PART: 0}
    for i, line in enumerate(lines):
        for pattern in counts:
            after = [x for x in lines[i + 1:i + 12] if x]
            if line.upper() == "CHAPTER" and after and after[0].isdigit():
                after = after[1:]  # "CHAPTER" above its number
            if pattern.match(line) and after and not HEADING.match(after[0]) and not PART.match(after[0]):
                counts[pattern] += 1
    return counts[HEADING] or counts[PART]


@pytest.mark.skipif(not NOVELS, reason="../shared/bench is not available")
@pytest.mark.parametrize("novel", NOVELS)
def test_one_chapter_per_visible_heading(novel: str) -> None:
    path = BENCH / novel / "text.txt"
    visible = visible_headings(path.read_text(encoding="utf-8"))
    assert visible == EXPECTED[novel]
    assert len(read_manuscript(path).chapters) == visible
