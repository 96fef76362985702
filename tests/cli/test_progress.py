"""progress: one bar per stage of a render on a terminal, plain lines when piped."""

from __future__ import annotations

import io

from fullcast.cli import progress
from fullcast.pipeline import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_name_each_stage_and_print_its_end() -> None:
    out = io.StringIO()
    with progress.progress_reporter(out) as report:
        for state in (Progress("synthesising", 0, 3, "segments", "0.0 min of audio"),
                      Progress("synthesising", 3, 3, "segments", "0.4 min of audio"),
                      Progress("encoding", 0.2, 0.45, "min"), Progress("encoding", 0.45, 0.45, "min"),
                      Progress("building the M4B", 0.45, 0.45, "min")):
            report(state)
    assert out.getvalue() == ("synthesising: 3/3 new segments · 0.4 min of audio\n"
                              "encoding: 0.2/0.5 min\n"  # the first report of a stage, then at most one per 5 s
                              "encoding: 0.5/0.5 min\n"
                              "building the M4B: 0.5/0.5 min\n")


def test_on_a_terminal_a_new_stage_takes_over_the_bar() -> None:
    out = Terminal()
    with progress.progress_reporter(out) as report:
        report(Progress("synthesising", 2, 4, "segments", "0.1 min of audio"))
        report(Progress("building the M4B", 1.5, 3.0, "min"))
    drawn = out.getvalue()
    assert "synthesising" in drawn and "2/4 new segments" in drawn and "building the M4B" in drawn
    assert "1.5/3.0 min" in drawn


def test_nothing_is_drawn_before_the_first_report() -> None:
    out = Terminal()
    with progress.progress_reporter(out):
        pass
    assert out.getvalue() == ""
