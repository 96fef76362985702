"""Chapter headings in plain text: numerals with titles, book and part lines, titles over several lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.manuscript.headings import classify, title_like
from fullcast.manuscript.plaintext import read_manuscript
from fullcast.model import SegmentKind
from fullcast.script.analyse import analyse_book
from fullcast.settings.config import Config

BODY = "The water rose over the step.\n\nNobody came to the door."


def book_of(tmp_path: Path, text: str, name: str = "b.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_manuscript(path)


def titles(book) -> list[str]:
    return [c.title for c in book.chapters]


def first_words(book) -> list[str]:
    return [c.paragraph_text(c.paragraphs[0])[:9] for c in book.chapters]


@pytest.mark.parametrize("heading, title", [
    ("IV. THE RIVER ROAD", "IV. THE RIVER ROAD"),
    ("ADVENTURE IX. THE COPPER KEY", "ADVENTURE IX. THE COPPER KEY"),
    ("BOOK TWO", "BOOK TWO"),
    ("PART III", "PART III"),
    ("XII", "XII"),
    ("7.", "7."),
    ("Chapter the Third", "Chapter the Third"),
    ("Stave Two: The First of the Spirits", "Stave Two: The First of the Spirits"),
    ("CHAPTER\n1", "CHAPTER 1"),
    ("Chapter IV\nThe Harbour Wall", "Chapter IV: The Harbour Wall"),
    ("CHAPTER I.\nA Wet Morning", "CHAPTER I. A Wet Morning"),
    ("CHAPTER II\nTREATS OF THE BOY'S GROWTH, EDUCATION,\nAND BOARD",
     "CHAPTER II: TREATS OF THE BOY'S GROWTH, EDUCATION, AND BOARD"),
])
def test_heading_forms_between_chapters(tmp_path: Path, heading: str, title: str) -> None:
    book = book_of(tmp_path, f"Chapter 1\n\n{BODY}\n\n{heading}\n\n{BODY}\n")
    assert titles(book) == ["Chapter 1", title]
    assert first_words(book) == ["The water", "The water"]


def test_chapter_line_then_a_title_over_two_lines(tmp_path: Path) -> None:
    text = (f"CHAPTER I\n\nOF THE KEEPER OF THE LAMP\n\n{BODY}\n\n"
            f"CHAPTER II\n\nTREATS OF THE KEEPER'S GROWTH, SCHOOLING,\nAND SUPPER\n\n{BODY}\n")
    book = book_of(tmp_path, text)
    assert titles(book) == ["CHAPTER I: OF THE KEEPER OF THE LAMP",
                            "CHAPTER II: TREATS OF THE KEEPER'S GROWTH, SCHOOLING, AND SUPPER"]
    second = book.chapters[1]
    assert second.text[second.heading[0]:second.heading[1]] == "CHAPTER II\n\nTREATS OF THE KEEPER'S GROWTH, SCHOOLING,\nAND SUPPER"
    assert first_words(book) == ["The water", "The water"]


def test_numeral_then_a_title_in_capitals(tmp_path: Path) -> None:
    book = book_of(tmp_path, f"I\n\nTHE FERRY\n\n{BODY}\n\nII\n\nTHE STAIR\n\n{BODY}\n")
    assert titles(book) == ["I: THE FERRY", "II: THE STAIR"]


def test_book_line_then_chapter_line_is_one_heading(tmp_path: Path) -> None:
    book = book_of(tmp_path, f"BOOK I\n\nCHAPTER 1\n\n{BODY}\n\nCHAPTER 2\n\n{BODY}\n\nBOOK II\n\nCHAPTER 3\n\n{BODY}\n")
    assert titles(book) == ["BOOK I. CHAPTER 1", "CHAPTER 2", "BOOK II. CHAPTER 3"]
    assert [len(c.paragraphs) for c in book.chapters] == [2, 2, 2]


@pytest.mark.parametrize("line", ["THE COPPER KEY", "The Copper Key", "A Night at the Harbour"])
def test_a_title_line_at_the_head_of_a_story(tmp_path: Path, line: str) -> None:
    book = book_of(tmp_path, f"{line}\n\n{BODY}\n", "story.txt")
    assert titles(book) == [line]
    chapter = book.chapters[0]
    assert chapter.text[chapter.heading[0]:chapter.heading[1]] == line
    assert first_words(book) == ["The water"]


def test_the_title_is_read_once(tmp_path: Path) -> None:
    book = book_of(tmp_path, f"Chapter 1\n\n{BODY}\n\nCHAPTER II\n\nTHE STAIR\n\n{BODY}\n")
    spoken = [(s.kind, s.text) for s in analyse_book(book, Config()).segments if s.chapter == 2]
    assert spoken[:2] == [(SegmentKind.HEADING, "CHAPTER II: THE STAIR"), (SegmentKind.NARRATION, "The water rose over the step.")]
    assert sum("STAIR" in text for _, text in spoken) == 1


@pytest.mark.parametrize("line", [
    "I. And then the kettle boiled over.",   # a sentence after a numeral
    "Part one of the plan worked.",           # a sentence that opens like a part line
    "\"STOP!\"",                              # shouted dialogue
    "Rain.",                                  # a one-word sentence
])
def test_sentences_are_not_headings(tmp_path: Path, line: str) -> None:
    book = book_of(tmp_path, f"Chapter 1\n\n{BODY}\n\n{line}\n\n{BODY}\n")
    assert titles(book) == ["Chapter 1"]


def test_a_table_of_contents_is_not_chapters(tmp_path: Path) -> None:
    text = f"Chapter I\n\nThe Ferry\n\nChapter II\n\nThe Stair\n\nChapter I\n\nThe Ferry\n\n{BODY}\n\nChapter II\n\nThe Stair\n\n{BODY}\n"
    book = book_of(tmp_path, text)
    assert titles(book) == ["Chapter I: The Ferry", "Chapter II: The Stair"]


def test_title_like_and_classify() -> None:
    assert title_like("THE RIVER ROAD") and title_like("The Bend in the Road") and not title_like("The bend in the road")
    assert not title_like("\"Go,\" she said.") and not title_like("It rained.")
    assert [classify(t, False, True) for t in ("CHAPTER IV", "IV", "BOOK II", "## Home", "Chapter 3: Home", "Hello")] == [
        "number", "number", "part", "marked", "chapter", None]
