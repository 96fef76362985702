"""tales: a story told inside a long quotation, and the nested quotes of the tale's people."""

from __future__ import annotations

import re

from fullcast.model import Gender
from fullcast.script.attribution.names import Person, build_index
from fullcast.script.quotes import Piece, QuoteStyle, split_paragraph
from fullcast.script.tales import tale_runs, tale_voices

INDEX = build_index([Person("Amos Lyle", Gender.MALE, True), Person("Mrs. Dunn", Gender.FEMALE, True, ("the woman",))])
TALE = ('"I was walking home along the canal.\n\n'
        '"There stood Mrs. Dunn. \'Did you see it?\' said she. \'See what?\' said I. \'The boat,\' she said. '
        '\'It went under.\'\n\n'
        '"\'There is no boat,\' I said. \'There was,\' said the woman.\n\n'
        '"\'Where?\' \'Here.\' That is all I know."')


def cut(text: str) -> tuple[tuple[Piece, ...], ...]:
    carried, pieces = False, []
    for m in re.finditer(r"\S(?:.*\S)?", text):
        found = split_paragraph(text, m.start(), m.end(), QuoteStyle.DOUBLE, carried)
        pieces.append(tuple(found))
        carried = bool(found) and found[-1].open_end
    return tuple(pieces)


def test_a_run_of_carried_on_quoted_paragraphs_is_a_tale() -> None:
    assert tale_runs(cut(TALE)) == [(0, 3)]
    assert tale_runs(cut('"One.\n\n"Two."\n\nShe left.')) == []


def test_nested_quotes_belong_to_the_tale_s_people_and_i_to_the_teller() -> None:
    quotes = [p for row in cut(TALE) for p in row if p.quoted]
    voices = tale_voices(TALE, quotes, "Amos Lyle", INDEX)
    nested = [(TALE[v.start:v.end], v.speaker) for v in voices if v.rule.startswith("tale: nested")]
    assert nested == [("Did you see it?", "Mrs. Dunn"), ("See what?", "Amos Lyle"), ("The boat,", "Mrs. Dunn"),
                      ("It went under.", "Mrs. Dunn"), ("There is no boat,", "Amos Lyle"), ("There was,", "Mrs. Dunn"),
                      ("Where?", "Amos Lyle"), ("Here.", "Mrs. Dunn")]
    own = {v.speaker for v in voices if v.rule == "tale: the teller's own words"}
    assert own == {"Amos Lyle"}
