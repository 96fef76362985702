"""output: what the command line prints, made safe, on hand-built values."""

from __future__ import annotations

from fullcast.cli.output import chapter_banner, json_line, visible


def test_control_characters_are_shown_as_escapes_but_tabs_and_newlines_kept() -> None:
    assert visible("a\x1b[2Jb\x07\tc\nd\x9b") == "a\\x1b[2Jb\\x07\tc\nd\\x9b"


def test_json_lines_escape_del_and_the_c1_controls_too() -> None:
    assert json_line({"text": "é\x7f\x9b", "n": 1}) == '{"text": "é\\u007f\\u009b", "n": 1}'


def test_a_banner_does_not_repeat_chapter() -> None:
    assert chapter_banner(3, "The Storm") == "Chapter 3: The Storm"
    assert chapter_banner(3, "Chapter Three: The Storm") == "Chapter Three: The Storm"
