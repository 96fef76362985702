"""Tests for fullcast.verify.align: normalised words, the word alignment and its WER, and unheard segments."""

from __future__ import annotations

import pytest

from fullcast.verify import align as align_module
from fullcast.verify.align import align, heard_in_place, normalise, number_words, unheard_segments, within

# --------------------------------------------------------------------------- words


def test_words_lose_case_and_punctuation_and_a_hyphenated_word_is_one() -> None:
    assert normalise("The Last Lamp of Salt-reech, by Hollis.") == \
        ["the", "last", "lamp", "of", "saltreech", "by", "hollis"]


def test_numbers_in_digits_are_spelled_and_abbreviations_expanded() -> None:
    assert normalise("For 30 years, Mr. Venn’s 1st lamp-hook—unlit… 1,200") == \
        ["for", "thirty", "years", "mister", "venns", "first", "lamphook", "unlit", "one", "thousand", "two", "hundred"]
    assert normalise("It was 1865; the 21st, 12th and 3rd. 3:30 OK?") == \
        ["it", "was", "one", "thousand", "eight", "hundred", "sixtyfive", "the", "twentyfirst", "twelfth", "and",
         "third", "three", "thirty", "okay"]


def test_number_words() -> None:
    assert number_words(0) == ["zero"]
    assert number_words(40) == ["forty"]
    assert number_words(125) == ["one", "hundred", "twentyfive"]
    assert number_words(1_000_000_001) == ["one", "billion", "one"]
    assert number_words(2_000_000_000_000) == ["2000000000000"]  # past the billions: as written


# --------------------------------------------------------------------------- alignment and WER


def test_a_word_not_heard_is_a_deletion() -> None:
    result = align("the cat sat on the mat".split(), "the cat sat on mat".split())
    assert result.pairs == (0, 1, 2, 3, None, 4)
    assert (result.substitutions, result.deletions, result.insertions) == (0, 1, 0)
    assert result.wer == pytest.approx(1 / 6)


def test_substitutions_and_insertions_count_against_the_words_read() -> None:
    result = align("the quick brown fox jumps over the lazy dog".split(),
                   "the quick brown fox jumped over a lazy dog today".split())
    assert (result.substitutions, result.deletions, result.insertions) == (2, 0, 1)
    assert result.words == 9 and result.wer == pytest.approx(3 / 9)


def test_spellings_nearly_alike_are_the_same_word() -> None:
    assert align(["the", "harbor"], ["the", "harbour"]).wer == 0
    assert align(["saltreech"], ["saltreach"]).wer == 0  # a respelling, heard as the name is written
    assert align(["maren"], ["maron"]).substitutions == 1  # one letter in five is too much


def test_one_word_heard_as_two_and_two_as_one() -> None:
    merged = align(["saltreech"], ["salt", "reach"])
    assert merged.pairs == (0,) and merged.wer == 0
    split = align(["lamp", "lighter", "lit"], ["lamplighter", "lit"])
    assert split.pairs == (0, 0, 1) and split.wer == 0


def test_nothing_read() -> None:
    assert align([], []).wer == 0
    assert align([], ["a", "b"]).wer == 2


def test_among_equally_few_edits_the_pairs_that_fit_in_time_win() -> None:
    read = ["ada", "leaned", "in", "the", "council", "wants"]
    heard = ["a", "the", "linden", "naysat", "wants"]
    windows = [(0, 1000)] * 3 + [(1500, 4000)] * 3
    times = [(100, 300), (300, 500), (500, 900), (1600, 1900), (3000, 3500)]
    assert align(read, heard).pairs == (None, 0, 1, 2, 3, 4)  # "the" paired with the "the" of the next sentence
    fits = within(windows, times)
    timed = align(read, heard, fits)
    assert timed.pairs == (0, 1, 2, None, 3, 4)
    assert (timed.substitutions, timed.deletions, timed.insertions) == (4, 1, 0)  # as few edits either way
    assert heard_in_place(timed, fits) == [True, True, True, False, True, True]


def test_a_long_stretch_is_anchored_on_exact_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(align_module, "MAX_GAP_CELLS", 4)
    result = align("a b c d e f".split(), "a b x d e f g".split())
    assert result.pairs == (0, 1, 2, 3, 4, 5)
    assert (result.substitutions, result.deletions, result.insertions) == (1, 0, 1)


# --------------------------------------------------------------------------- segments


def test_a_word_heard_outside_its_window_was_not_heard_there() -> None:
    fits = within([(1000, 2000)], [(2400, 2600), (2600, 2800)])
    assert fits(0, 0) and not fits(0, 1)  # 500 ms of tolerance
    assert heard_in_place(align(["lamp"], ["lamp"], fits), fits) == [True]
    late = within([(1000, 2000)], [(2600, 2800)])
    assert heard_in_place(align(["lamp"], ["lamp"], late), late) == [False]


def test_a_segment_is_missing_when_most_of_its_words_were_not_heard() -> None:
    heard = [True, False, False,  # 2 of 3 unheard: missing
             False, False,  # 2 words: never flagged alone
             True, True, False, False,  # half unheard: not most
             False, False, False]  # nothing heard
    assert unheard_segments([3, 2, 4, 3], heard) == [0, 3]
    assert unheard_segments([0, 3], [True, True, True]) == []


def test_sizes_and_flags_must_agree() -> None:
    with pytest.raises(ValueError, match="4 words in the segments, 3 flags"):
        unheard_segments([4], [True] * 3)
