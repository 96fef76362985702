"""messages: chat and message lines, their senders, and the narration that names them."""

from __future__ import annotations

from fullcast.script.messages import message_lines, message_pieces, named_line, sender_hint


def lines(text: str, block: bool = False) -> list[tuple[str, str]] | None:
    found = message_lines(text, 0, len(text), block)
    return None if found is None else [(text[a:b], who) for a, b, who in found]


def test_quoted_lines_with_and_without_a_name() -> None:
    assert lines("> hey, you there?") == [("hey, you there?", "")]
    assert lines("&gt; i'm outside") == [("i'm outside", "")]
    assert lines("> Sam: on my way\n> [21:04] Ana: ok") == [("on my way", "Sam"), ("ok", "Ana")]


def test_name_lines_need_a_block() -> None:
    assert lines("Dev: who took my umbrella\nTom: not me") == [("who took my umbrella", "Dev"), ("not me", "Tom")]
    assert lines("Dev: who took my umbrella") is None
    assert lines("Dev: who took my umbrella", block=True) == [("who took my umbrella", "Dev")]
    assert lines("[09:12] <sk8r_girl> lol\n<Mo> what") == [("lol", "sk8r_girl"), ("what", "Mo")]


def test_labels_and_prose_are_not_messages() -> None:
    assert lines("Note: the door sticks.\nWarning: wet paint.") is None
    assert lines("She laughed.\n> ok") is None
    assert named_line("Note: the door sticks.", 0, 22) is False
    assert named_line("Tom: not me", 0, 11) is True


def test_sender_named_by_the_narration() -> None:
    assert sender_hint("Her phone buzzed. A text from Dev.", 0, 34) == "Dev"
    assert sender_hint("Mira typed back with one thumb.", 0, 31) == "Mira"
    assert sender_hint("She laughed.", 0, 12) == ""


def test_pieces_give_each_message_its_sender_or_the_hint() -> None:
    text = "> hey\n> Sam: yo"
    found = message_pieces(text, 0, len(text), message_lines(text, 0, len(text), False), "Dev")
    assert [(p.quoted, text[p.start:p.end], p.sender) for p in found] == [
        (False, "> ", ""), (True, "hey", "Dev"), (False, "\n> Sam: ", ""), (True, "yo", "Sam")]
