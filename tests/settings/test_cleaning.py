"""Tests for fullcast.settings.cleaning: control characters and escape sequences out, lengths kept."""

from __future__ import annotations

import pytest

from fullcast.settings.cleaning import clean_line, clean_text


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("bell\x07 ring", "bell  ring"),
        ("del\x7fete", "del ete"),
        ("nul\x00 and unit\x1f sep", "nul  and unit  sep"),
        ("back\x08space", "back space"),
        ("c1 next\x85line \x9bcsi", "c1 next line  csi"),
        ("lone \x1bMaren", "lone  Maren"),
        ("vertical\x0btab", "vertical\ntab"),
        ("form\x0cfeed", "form\nfeed"),
        ("keep\ttab\r\nand cr", "keep\ttab\r\nand cr"),
        ("\x1b[1;31mred\x1b[0m", "       red    "),
        ("cursor\x1b[2Aup", "cursor    up"),
        ("title \x1b]0;pwned\x07 after", "title            after"),
        ("link \x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\", "link " + " " * 15 + "text" + " " * 7),
        ("charset \x1b(Bdone", "charset    done"),
        ("unterminated \x1b]0;title", "unterminated  ]0;title"),
        ("plain “text” stays", "plain “text” stays"),
    ],
)
def test_clean_text_keeps_the_length(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned
    assert len(clean_text(text)) == len(text)


def test_clean_text_returns_clean_text_itself() -> None:
    text = "Nothing to do here.\n"
    assert clean_text(text) is text


def test_clean_line_folds_what_is_left() -> None:
    assert clean_line("\x1b[31m Maren\x07 Holt \x1b[0m\x0b") == "Maren Holt"
    assert clean_line("\x1b[0m\x07") == ""
