"""measure: one file's levels and format, and whether it decodes whole."""

from __future__ import annotations

import math
from pathlib import Path

from fullcast.publish.measure import FileMeasure, clock, integrity_problem


def measure(duration: float, marks_end: float | None, header: float | None, errors: tuple[str, ...] = ()) -> FileMeasure:
    return FileMeasure(Path("out/01.mp3"), "mp3", 44100, 1, 192000, "CBR", duration, -20.0, -6.0, -20.0, -6.0,
                       -math.inf, 0.75, 2.0, 1, marks_end, header, errors)


def test_integrity_problem_compares_the_decoded_length_with_the_claims() -> None:
    assert integrity_problem(measure(605.0, 605.0, 605.04)) is None
    assert integrity_problem(measure(604.6, 605.0, None)) is None  # within the tolerance of encoder delay and padding
    assert integrity_problem(measure(192.0, 605.0, 605.04)) == (
        "out/01.mp3: truncated: it decodes to 3:12.0 but its chapter marks run to 10:05.0 and its MP3 header says "
        "10:05.0; render the book again to replace it")
    assert integrity_problem(measure(3600.0, None, 3725.26)) == (
        "out/01.mp3: truncated: it decodes to 1:00:00.0 but its MP3 header says 1:02:05.3; "
        "render the book again to replace it")
    assert integrity_problem(measure(605.0, 605.0, None, ("Header missing", "invalid frame", "third"))) == (
        "out/01.mp3: damaged: ffmpeg reports decoding errors (Header missing; invalid frame); "
        "render the book again to replace it")


def test_clock_reads_like_a_player() -> None:
    assert [clock(s) for s in (5.04, 192.0, 3725.26)] == ["0:05.0", "3:12.0", "1:02:05.3"]
