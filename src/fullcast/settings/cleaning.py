"""Make text safe to speak, tag and print: control characters and terminal escape sequences become whitespace.

Text enters fullcast in two places, the manuscript and voices.yaml, and both clean it
here, once. `clean_text` keeps the length, so offsets into a cleaned manuscript still
point at the same characters of the file: a vertical tab or form feed becomes the line
break it stands for, any other control character becomes a space, and a whole escape
sequence (`ESC [ 3 1 m`, `ESC ] ... BEL`) becomes spaces, so no "[31m" is read aloud.
Tab, line feed and carriage return are kept. `clean_line` is the one-line form, for
names, titles and credits.

This module lives in `settings` rather than `manuscript` because both stages use it and
`settings` comes first.
"""

from __future__ import annotations

import re

LINE_BREAKS = "\v\f"
"""Vertical tab and form feed: a line break where a word processor meant one (Word's manual break, a page break)."""
ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI: colours, cursor moves ("ESC[31m")
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n\v\f]*(?:\x07|\x1b\\|\x9c)"  # OSC, DCS...: window titles, links
    r"|\x1b[\x20-\x2f]+[\x30-\x7e]"  # character-set switches ("ESC(B")
)
"""Terminal escape sequences, matched whole, each starting with ESC.

An ESC before anything else stands alone (as a terminal's ESC M it would eat the M of
"Maren"), and the one-byte C1 forms (U+009B for ESC [) are not read as sequences: in a
UTF-8 manuscript they are mostly mis-decoded punctuation (cp1252 0x9B is "›"), and a
space for each keeps the letters after them.
"""
_CONTROLS = {code: " " for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if chr(code) not in "\t\n\r"}
_CONTROLS.update({ord(c): "\n" for c in LINE_BREAKS})
_TABLE = str.maketrans(_CONTROLS)
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """*text* with escape sequences and control characters replaced, and exactly as long.

    Vertical tab and form feed become "\\n"; every other control character (C0 but tab, line
    feed and carriage return; DEL; C1) becomes a space, and every character of a terminal
    escape sequence becomes a space.
    """
    if not _ANY_CONTROL.search(text):
        return text
    if "\x1b" in text:
        text = ESCAPE_SEQUENCE.sub(lambda m: " " * len(m.group()), text)
    return text.translate(_TABLE)


def clean_line(text: str) -> str:
    """*text* cleaned for one line (a name, a title, a credit): controls removed, whitespace folded, ends trimmed."""
    return " ".join(clean_text(text).split())
