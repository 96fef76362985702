"""inline: scare quotes, titles, names and sounds inside a sentence are narration, not someone's line."""

from __future__ import annotations

from fullcast.script.inline import RULE, SIGN_RULE, narrated_quotes
from fullcast.script.quotes import QuoteStyle, split_paragraph


def merged(text: str, style: QuoteStyle = QuoteStyle.DOUBLE) -> list[tuple[str, str, str]]:
    """(Q or N, text, rule) of each piece after narrated quotes are merged into the narration."""
    found = narrated_quotes(text, split_paragraph(text, 0, len(text), style, False))
    return [("Q" if p.quoted else "N", text[p.start:p.end], p.why) for p in found]


def test_titles_names_and_sounds_join_the_narration() -> None:
    for text in ('The steamer "Mary Ellen" came in late.', 'Her horn went "Honk-honk!" twice.',
                 'Old Pete, "the Little Owl," as they called him, waved.', 'It was pronounced "Marlo."',
                 'Marta had a "tell" when she lied.', 'He had read "Treasure Island" four times.'):
        assert merged(text) == [("N", text, RULE)], text


def test_a_sign_is_read_by_the_narrator() -> None:
    text = 'Over the gate hung a sign that read "BEWARE OF THE BULL", though there was no bull.'
    assert merged(text) == [("N", text, SIGN_RULE)]


def test_speech_stays_dialogue() -> None:
    assert merged('He said "no" and left.')[1] == ("Q", "no", "")
    assert merged('"Go," she said.')[0] == ("Q", "Go,", "")
    assert merged('The Dodo suddenly called out "The race is over!" and they ran.')[1][0] == "Q"
    assert merged('"What," said Alice, a little timidly, for she was not sure, "is it?"')[2][0] == "Q"
    assert merged('conversations in it, "and what is it," thought Alice.')[1][0] == "Q"
    assert merged("Her mother's shout of \"Harris!\" rang out.")[1][0] == "Q"


def test_a_long_quotation_is_somebody_s_line_however_it_is_introduced() -> None:
    text = 'Then came "I will never go back there again as long as I live" from the hall.'
    assert merged(text)[1][0] == "Q"


def test_single_quote_books_too() -> None:
    text = "On the cover was \u2018THE OTTERS\u2019 SONG\u2019 in gold."
    assert merged(text, QuoteStyle.SINGLE) == [("N", text, RULE)]
