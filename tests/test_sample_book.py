"""The repo's sample book, read by a careful human, against `fullcast script`: speakers, thoughts, warning."""

from __future__ import annotations

from pathlib import Path

from fullcast import pipeline
from fullcast.model import SegmentKind

REPO = Path(__file__).resolve().parents[1]
M, T, A, G = "Maren", "Tobias", "Ada", "Gerrit Pike"

# Every quoted span in reading order, with the speaker a reader gives it.
DIALOGUE = {
    1: [A, M, M, A, M, A, M, A, T, M, T, T, A, A, T, T, M, T, G, G, A],
    2: [T, M, A, M, M, T, G, G, M, M, G, T, T, G],
    3: [G, G, M, T, T, M, T, M, T, A, A, M, A, A, A, T, M],
}
# Opening words of every monologue segment, in order: italics and unmarked first-person paragraphs.
MONOLOGUE = [
    (1, "I should never have come back here."),
    (1, "I know these keys."),
    (2, "I count the stairs"),
    (2, "Steady. Steady."),
    (3, "My hand is shaking again."),
    (3, "There. Done. No ferry tonight."),
    (3, "I should never have stayed away so long."),
]


def analysed():
    return pipeline.analyse(REPO / "manuscript", REPO / "voices.yaml", check_voices=False)[1]


def test_every_line_goes_to_its_speaker() -> None:
    cast = analysed()
    for chapter, expected in DIALOGUE.items():
        got = [l.segment for l in cast.lines if l.segment.chapter == chapter and l.segment.kind is SegmentKind.DIALOGUE]
        assert [(s.speaker, s.text[:30]) for s in got] == [(e, s.text[:30]) for e, s in zip(expected, got)]
        assert len(got) == len(expected)


def test_thoughts_are_monologue_and_nothing_else_is() -> None:
    cast = analysed()
    got = [(l.segment.chapter, l.segment.text) for l in cast.lines if l.segment.kind is SegmentKind.MONOLOGUE]
    assert [(c, t[:len(e)]) for (c, t), (_, e) in zip(got, MONOLOGUE)] == MONOLOGUE
    assert len(got) == len(MONOLOGUE)
    assert {l.segment.speaker for l in cast.lines if l.segment.kind is SegmentKind.MONOLOGUE} == {M}


def test_warning_opens_the_book_and_headings_follow() -> None:
    segments = [l.segment for l in analysed().lines]
    assert segments[0].kind is SegmentKind.WARNING
    assert segments[0].text.startswith("Content warning: this story contains peril at a great height")
    headings = [s.text for s in segments if s.kind is SegmentKind.HEADING]
    assert headings == ["Chapter One: The Lamplighter", "Chapter Two: The Storm Stair", "Chapter Three: The Last Light"]
