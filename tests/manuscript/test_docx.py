"""Word manuscripts: headings by style, italics from runs, title and author from the core properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.manuscripts.books import docx

from fullcast.errors import ManuscriptError
from fullcast.manuscript.plaintext import read_manuscript


def paragraphs(chapter) -> list[str]:
    return [chapter.paragraph_text(p) for p in chapter.paragraphs]


def test_headings_italics_and_core_properties(tmp_path: Path) -> None:
    path = docx(tmp_path / "lamp.docx", [
        ("Title", [("The Lamp", False)]),
        ("Heading 1", [("Chapter One", False)]),
        ("Normal", [("The lamp ", False), ("flickered", True), (".", False)]),
        ("Normal", []),
        ("Normal", [("Not now, ", True), ("she thought.", False)]),
        ("Normal", [("* * *", False)]),
        ("Normal", [("Morning came.", False)]),
        ("Heading 1", [("Chapter Two", False)]),
        ("Normal", [("Dusk.", False)]),
        ("Normal", [("IV. THE RIVER ROAD", False)]),
        ("Normal", [("The river rose.", False)]),
    ], title="The Lamp", author="Ann Writer")
    book = read_manuscript(path)
    assert (book.title, book.author) == ("The Lamp", "Ann Writer")
    assert [c.title for c in book.chapters] == ["Chapter One", "Chapter Two", "IV. THE RIVER ROAD"]
    first = book.chapters[0]
    assert paragraphs(first) == ["The lamp *flickered*.", "*Not now,* she thought.", "Morning came."]
    assert [p.number for p in first.paragraphs] == [3, 5, 7]
    assert [p.scene_break_before for p in first.paragraphs] == [False, False, True]
    assert [(a.kind, a.text) for a in book.set_aside] == [("title page", "The Lamp")]


def test_title_from_the_title_style_when_the_properties_have_none(tmp_path: Path) -> None:
    path = docx(tmp_path / "draft.docx", [("Title", [("Salt Roads", False)]), ("Normal", [("It rained.", False)])])
    assert read_manuscript(path).title == "Salt Roads"


def test_a_docx_with_no_paragraphs(tmp_path: Path) -> None:
    path = docx(tmp_path / "empty.docx", [("Normal", []), ("Heading 1", [("Chapter One", False)])])
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == f"{path}: has no paragraphs of text; is it the manuscript, saved from Word as .docx?"


def test_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "b.docx"
    path.write_text("plain text", encoding="utf-8")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == f"{path}: is not a Word .docx file (not a zip of a document); save it from Word as .docx"
