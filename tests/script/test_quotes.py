"""quotes: the book's dialogue style, and the quoted / narrated pieces of a paragraph."""

from __future__ import annotations

from fullcast.script.quotes import QuoteStyle, decide_style, has_words, split_paragraph, spoken, trim


def pieces(text: str, style: QuoteStyle = QuoteStyle.DOUBLE, carried: bool = False) -> list[tuple[str, str]]:
    """(kind, text) for each piece; kind is Q for quoted, N for narration, plus + when continued / ... when open."""
    out = []
    for p in split_paragraph(text, 0, len(text), style, carried):
        kind = ("Q" if p.quoted else "N") + ("+" if p.continues else "") + ("..." if p.open_end else "")
        out.append((kind, text[p.start:p.end]))
    return out


def test_straight_quotes_with_a_tag_in_the_middle() -> None:
    assert pieces('"Don\'t," she said, "do this."') == [("Q", "Don't,"), ("N", " she said, "), ("Q", "do this.")]


def test_curly_quotes_and_nested_single_quotes_stay_inside() -> None:
    text = "\u201cHere? Willow, 'here' is a whore house!\u201d Tara spun around."
    assert pieces(text) == [("Q", "Here? Willow, 'here' is a whore house!"), ("N", " Tara spun around.")]


def test_a_straight_mark_before_punctuation_closes_even_after_a_space() -> None:
    assert pieces('"Don t cry "; and she wept. ". . . ." he sang.') == [
        ("Q", "Don t cry "), ("N", "; and she wept. "), ("Q", ". . . ."), ("N", " he sang.")]


def test_doubled_mark_counts_once() -> None:
    text = '"This sort of lifestyle?" Willow fired back, ""What are you insinuating?"'
    assert pieces(text) == [("Q", "This sort of lifestyle?"), ("N", " Willow fired back, "),
                            ("Q", "What are you insinuating?")]


def test_quote_left_open_at_paragraph_end_and_continued() -> None:
    assert pieces('"It began long ago. We were young.') == [("Q...", "It began long ago. We were young.")]
    assert pieces('"Then the war came," he said.', carried=True) == [("Q+", "Then the war came,"), ("N", " he said.")]


def test_stray_closing_mark_stays_in_narration() -> None:
    assert pieces('He said it was fine" and left.') == [("N", 'He said it was fine" and left.')]


def test_single_quote_style_skips_apostrophes() -> None:
    text = "'I can't,' said the girls' aunt, 'not today.'"
    assert pieces(text, QuoteStyle.SINGLE) == [("Q", "I can't,"), ("N", " said the girls' aunt, "), ("Q", "not today.")]


def test_plural_possessive_inside_single_quotes() -> None:
    text = "'The girls' coats are here,' she said."
    assert pieces(text, QuoteStyle.SINGLE) == [("Q", "The girls' coats are here,"), ("N", " she said.")]


def test_dash_dialogue() -> None:
    text = "\u2014 Are you coming? \u2014 he asked. \u2014 Now."
    assert pieces(text, QuoteStyle.DASH) == [("Q", "Are you coming? "), ("N", " he asked. "), ("Q", " Now.")]
    assert pieces("He waited.", QuoteStyle.DASH) == [("N", "He waited.")]


def test_style_is_decided_per_book() -> None:
    singles = ["'Hello,' she said.", "'Yes,' he said.", "'No.'", "'Why?'", "'Because.'", "He left."]
    assert decide_style(singles) is QuoteStyle.SINGLE
    assert decide_style(['"Hello," she said.', "'Tis the season."]) is QuoteStyle.DOUBLE
    dashes = ["\u2014 Yes, she said."] * 11 + ["He left."]
    assert decide_style(dashes) is QuoteStyle.DASH


def test_spoken_text_drops_marks_and_emphasis_but_no_words() -> None:
    assert spoken('I *must* go, _now_,\n<i>really</i> "now"') == "I must go, now, really now"
    assert spoken("D__n it--x_y") == "D__n it — x_y"
    assert spoken("the girls' coats 'here' \u2018there\u2019") == "the girls' coats here there"


def test_has_words_and_trim() -> None:
    assert (has_words(" , "), has_words("a")) == (False, True)
    assert trim(", she said  ", 0, 12) == (2, 10)


# --------------------------------------------------------------------------- apostrophes in single-quote books


def test_elisions_before_a_word_are_not_quote_marks() -> None:
    text = "\u2018Built \u2019em all myself,\u2019 said Gran. \u2018\u2019Tis done.\u2019"
    assert pieces(text, QuoteStyle.SINGLE) == [("Q", "Built \u2019em all myself,"), ("N", " said Gran. "),
                                               ("Q", "\u2019Tis done.")]
    assert pieces("'Fetch 'em here,' he said.", QuoteStyle.SINGLE) == [("Q", "Fetch 'em here,"), ("N", " he said.")]


def test_elisions_after_a_word_are_not_quote_marks() -> None:
    text = "'We were dancin' all night,' she said, 'o' course.'"
    assert pieces(text, QuoteStyle.SINGLE) == [("Q", "We were dancin' all night,"), ("N", " she said, "),
                                               ("Q", "o' course.")]
    assert pieces("'Come in' he said.", QuoteStyle.SINGLE) == [("Q", "Come in"), ("N", " he said.")]


def test_possessive_title_in_capitals_and_after_an_abbreviation() -> None:
    text = "It said \u2018THE OTTERS\u2019 SONG\u2019 on it. \u2018That was D.\u2019s,\u2019 she said."
    assert pieces(text, QuoteStyle.SINGLE) == [("N", "It said "), ("Q", "THE OTTERS\u2019 SONG"), ("N", " on it. "),
                                               ("Q", "That was D.\u2019s,"), ("N", " she said.")]


def test_spoken_keeps_apostrophes_and_decodes_entities() -> None:
    assert spoken("That was D.'s, and D.\u2019s hat") == "That was D.'s, and D.\u2019s hat"
    assert spoken("dancin' all night, o' course, fetch 'em") == "dancin' all night, o' course, fetch 'em"
    assert spoken("&gt; hey &amp; you &#8212; there") == "> hey & you \u2014 there"
    assert spoken("He said 'come' to them") == "He said come to them"
