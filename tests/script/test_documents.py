"""documents: letters, notes and diaries quoted in full, and who reads them."""

from __future__ import annotations

import re

from fullcast.script.documents import Document, find_documents, rule
from fullcast.script.quotes import QuoteStyle, split_paragraph


def docs(text: str) -> list[Document]:
    blocks = [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*\S)?", text)]
    carried, pieces = False, []
    for a, b in blocks:
        found = split_paragraph(text, a, b, QuoteStyle.DOUBLE, carried)
        pieces.append(tuple(found))
        carried = bool(found) and found[-1].open_end
    return find_documents(text, tuple(pieces))


def test_a_letter_read_aloud_is_the_reader_s() -> None:
    text = ('Ada unfolded the letter and read it aloud to the others:\n\n'
            '"Dear Ada, the roof is mended. Your loving brother, Sam."\n\n"Good," said Finn.')
    assert docs(text) == [Document(1, 1, "Ada", "letter")]
    assert rule(docs(text)[0], "Ada") == "document: letter read aloud by Ada"


def test_an_announced_note_and_a_diary_are_the_narrator_s() -> None:
    text = ("Finn found a note pinned to the door. It ran:\n\nGone to the fair. Back by dark.\n\n"
            "Ada kept a diary. That night she wrote:\n\nTuesday. I am not going home yet.")
    assert docs(text) == [Document(1, 1, None, "note"), Document(3, 3, None, "diary")]
    assert rule(docs(text)[0], None) == "document: note quoted in full, read by the narrator"


def test_an_unquoted_letter_runs_to_its_sign_off() -> None:
    text = "Dear Tom,\n\nThe hens are laying.\n\nCome home soon.\n\nYours ever,\nRos\n\nShe put it down."
    assert docs(text) == [Document(0, 3, None, "letter")]


def test_a_spoken_line_opening_with_my_dear_is_no_letter() -> None:
    assert docs('"My dear girl, no; not today," said her aunt.') == []
    assert docs('Then she said:\n\n"Come here."') == []
