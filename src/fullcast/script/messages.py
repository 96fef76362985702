"""Chat and message lines: `> hey, you there?`, `Sam: on my way`, `[21:04] <Sam> ok`, an SMS thread.

Each line of a message paragraph is one message, spoken as dialogue by its sender. The
sender is the name the line gives (`Sam:`, `<Sam>`); a bare `> ` line is sent by whoever
the narration last showed sending ("a text from Sam", "Mira typed") and the next `> `
lines keep that sender. Entities left by a conversion (`&gt; hey`) count as the marks
they stand for; `quotes.spoken` decodes them in the spoken text.

`Name: text` lines are messages only in a block (two or more such lines, in one paragraph
or in paragraphs in a row), so that a lone "Note: the door sticks." stays narration.
"""

from __future__ import annotations

import re

from .quotes import Piece

STAMP = r"(?:\[?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?\]?\s*)?"
HANDLE = r"(?:[A-Z][\w.'’-]{0,20}(?:\s[A-Z][\w.'’-]{0,20})?|[a-z]+[\d_][\w.-]{0,18})"
"""A sender: a capitalised name ("Sam", "Aunt May") or a handle with a digit or underscore ("sk8r_girl")."""
QUOTED_LINE = re.compile(rf"[ \t]*(?:>|&gt;)[ \t]*{STAMP}(?:(?P<name>{HANDLE}):[ \t]+)?(?=\S)")
NAMED_LINE = re.compile(rf"[ \t]*{STAMP}(?:(?P<name>{HANDLE}):|(?:<|&lt;)(?P<angle>{HANDLE})(?:>|&gt;))[ \t]+(?=\S)")
LINE = re.compile(r"[^\n]+")
"""One line of a paragraph."""
NOT_SENDERS = {"note", "notes", "warning", "ps", "p.s", "nb", "n.b", "chapter", "part", "book", "summary", "rating",
               "title", "author", "re", "subject", "from", "to", "date", "time", "date", "fandom", "tags"}
"""Words before a colon that label something rather than name a sender."""
SENT = re.compile(r"\b(?:(?:text|message|reply|note|DM|email|e-mail|notification|ping)\s+(?:came\s+)?from|"
                  r"(?:texts?|messages?|replies?)\s+(?:of|by))\s+(?P<a>[A-Z][\w'’-]+)"
                  r"|\b(?P<b>[A-Z][\w'’-]+)(?:['’]s\s+(?:text|message|reply|answer)"
                  r"|\s+(?:\w+ly\s+)?(?:texted|typed|"
                  r"messaged|wrote|replied|answered|sent|pinged|fired back|shot back|responded))\b")
"""Narration that says who sends the bare `> ` lines that follow it."""


def message_lines(text: str, start: int, end: int, block: bool) -> list[tuple[int, int, str]] | None:
    """The message lines of paragraph `text[start:end]` as (text start, end, sender as written), or None.

    *block* says a neighbouring paragraph is made of `Name: text` lines too.
    """
    # the compiled pattern's own bounds: slicing the text would copy the whole chapter for every paragraph
    lines = [(m.start(), m.end()) for m in LINE.finditer(text, start, end)]
    found: list[tuple[int, int, str, bool]] = []
    for lo, hi in lines:
        if m := QUOTED_LINE.match(text, lo, hi):
            found.append((m.end(), hi, _sender(m.group("name")), True))
        elif (m := NAMED_LINE.match(text, lo, hi)) and _sender(m.group("name") or m.group("angle")):
            found.append((m.end(), hi, _sender(m.group("name") or m.group("angle")), False))
        else:
            return None
    if not found or not all(q for *_, q in found) and len(found) < 2 and not block:
        return None
    return [(a, b, who) for a, b, who, _ in found]


def named_line(text: str, start: int, end: int) -> bool:
    """True when the paragraph `text[start:end]` is one `Name: text` message line (one of a block, maybe)."""
    m = NAMED_LINE.match(text, start, end)
    return bool(m and "\n" not in text[start:end].strip() and _sender(m.group("name") or m.group("angle")))


def _sender(name: str | None) -> str:
    if not name or name.lower().rstrip(".") in NOT_SENDERS:
        return ""
    return name.strip()


def sender_hint(text: str, start: int, end: int) -> str:
    """The sender narration names for the message lines after it ("a text from Sam": Sam), or empty."""
    found = [m.group("a") or m.group("b") for m in SENT.finditer(text, start, end)]
    return found[-1] if found else ""


def message_pieces(text: str, start: int, end: int, lines: list[tuple[int, int, str]], hint: str) -> list[Piece]:
    """The paragraph cut into pieces: each message quoted, with its sender; the marks and names narration."""
    pieces: list[Piece] = []
    cursor = start
    for lo, hi, who in lines:
        if lo > cursor:
            pieces.append(Piece(False, cursor, lo))
        pieces.append(Piece(True, lo, hi, sender=who or hint or "?"))
        cursor = hi
    if end > cursor:
        pieces.append(Piece(False, cursor, end))
    return pieces
