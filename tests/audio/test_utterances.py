"""Tests for utterances.py: long text cut at sentences, then clauses, then words, with nothing lost."""

from __future__ import annotations

import re
import time

import pytest

from fullcast.audio.utterances import sentences, split_utterances

TEXT = ('Mr. Hale came in. "Is it raining?" she asked; he shook his head, slowly — then laughed. '
        "J. R. Smith said nothing… Nothing at all!")


def rejoined(text: str, pieces: list[str]) -> str:
    """The pieces put back where they came from, with the whitespace between them: must give *text* again."""
    out, at = [], 0
    for piece in pieces:
        found = text.index(piece, at)
        assert not text[at:found].strip(), f"skipped {text[at:found]!r}"
        out.append(text[at:found] + piece)
        at = found + len(piece)
    return "".join(out) + text[at:]


def test_text_that_fits_is_returned_whole_and_untouched() -> None:
    assert split_utterances(TEXT, len(TEXT)) == [TEXT]
    assert split_utterances("  Hi.  ", 7) == ["  Hi.  "]
    assert split_utterances("", 5) == [""]


def test_whole_sentences_are_packed_up_to_the_limit() -> None:
    assert split_utterances(TEXT, 60) == [
        'Mr. Hale came in. "Is it raining?"',
        "she asked; he shook his head, slowly — then laughed.",
        "J. R. Smith said nothing… Nothing at all!",
    ]


def test_a_sentence_too_long_is_cut_after_its_clauses() -> None:
    assert split_utterances(TEXT, 30) == [
        "Mr. Hale came in.", '"Is it raining?"', "she asked; he shook his head,", "slowly — then laughed.",
        "J. R. Smith said nothing…", "Nothing at all!",
    ]


def test_a_clause_too_long_is_cut_between_words_and_a_word_too_long_into_slices() -> None:
    assert split_utterances(TEXT, 12) == [
        "Mr. Hale", "came in.", '"Is it', 'raining?"', "she asked;", "he shook his", "head,", "slowly —", "then",
        "laughed.", "J. R. Smith", "said", "nothing…", "Nothing at", "all!",
    ]
    assert split_utterances("Antidisestablishmentarianism, then.", 10) == ["Antidisest", "ablishment", "arianism,",
                                                                           "then."]


def test_dashes_without_spaces_and_numbers_with_commas() -> None:
    text = "She had 1,000 reasons—none good—and 2,500 excuses; all of them bad, every one."
    assert split_utterances(text, 30) == ["She had 1,000 reasons—", "none good—and 2,500 excuses;",
                                          "all of them bad, every one."]


def test_titles_and_initials_do_not_end_a_sentence() -> None:
    assert sentences(TEXT) == ['Mr. Hale came in.', '"Is it raining?"',
                               "she asked; he shook his head, slowly — then laughed.", "J. R. Smith said nothing…",
                               "Nothing at all!"]
    assert sentences("  Dr. Watson, Mrs. Hudson and Capt. Hale.\nThe end?! ") == [
        "Dr. Watson, Mrs. Hudson and Capt. Hale.", "The end?!"]


@pytest.mark.parametrize("limit", [1, 2, 7, 12, 30, 60, 119])
def test_no_word_is_lost_doubled_or_moved_and_every_piece_fits(limit: int) -> None:
    text = f"  {TEXT}\n\n{TEXT}  "
    pieces = split_utterances(text, limit)
    assert all(0 < len(piece) <= limit and piece == piece.strip() for piece in pieces)
    assert rejoined(text, pieces) == text


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^max_chars must be at least 1, not 0$"):
        split_utterances(TEXT, 0)


def test_megabytes_are_split_in_linear_time() -> None:
    sentence = "The rain kept falling on the old town, and nobody in the square looked up. "
    text = sentence * (3_000_000 // len(sentence))
    began = time.perf_counter()
    pieces = split_utterances(text, 2000)
    elapsed = time.perf_counter() - began
    assert len(pieces) == len(text) // (2000 // len(sentence) * len(sentence)) + 1
    assert all(len(piece) <= 2000 and piece.endswith("up.") for piece in pieces)
    assert re.sub(r"\s+", "", "".join(pieces)) == re.sub(r"\s+", "", text)
    assert elapsed < 2.0, elapsed  # 0.06 s here; a quadratic splitter takes minutes
    unbroken = "x" * 1_000_000
    assert split_utterances(unbroken, 2000) == ["x" * 2000] * 500
