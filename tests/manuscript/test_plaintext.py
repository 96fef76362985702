"""Tests for the manuscript stage: front matter, warnings, chapters, paragraphs, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.errors import ManuscriptError
from fullcast.manuscript.plaintext import natural_key, read_manuscript
from fullcast.model import ContentWarning

FRONT = (
    "Title: The Lamp\n"
    "Author: Ann Writer\n"
    "Rating: Mature\n"
    "\n"
    "Content warning: this story contains peril.\n"
    "\n"
    "# Chapter One: Dusk\n"
    "\n"
    "Maren lit the lamp.\n"
    "\n"
    "* * *\n"
    "\n"
    "\"Hello,\" said Ada.\n"
    "\n"
    "Chapter 2\n"
    "\n"
    "Night fell.\n"
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def paragraphs(chapter) -> list[str]:
    return [chapter.paragraph_text(p) for p in chapter.paragraphs]


def test_front_matter_warning_and_chapters(tmp_path: Path) -> None:
    book = read_manuscript(write(tmp_path, "lamp.md", FRONT))
    assert (book.title, book.author, book.rating) == ("The Lamp", "Ann Writer", "Mature")
    assert book.metadata == (("Title", "The Lamp"), ("Author", "Ann Writer"), ("Rating", "Mature"))
    assert book.warning == ContentWarning("Content warning: this story contains peril.", str(tmp_path / "lamp.md"), 51, 94)
    assert [c.title for c in book.chapters] == ["Chapter One: Dusk", "Chapter 2"]
    first, second = book.chapters
    assert first.text[first.heading[0]:first.heading[1]] == "Chapter One: Dusk"
    assert paragraphs(first) == ["Maren lit the lamp.", "\"Hello,\" said Ada."]
    assert [p.scene_break_before for p in first.paragraphs] == [False, True]
    assert paragraphs(second) == ["Night fell."]


def test_glued_warning_paragraph_like_old_town(tmp_path: Path) -> None:
    text = "Author: X\nRating: NC-17\nA warning before you read, this has violence.\n\nShe ran.\n"
    book = read_manuscript(write(tmp_path, "old-town.txt", text))
    assert book.title == "Old Town"
    assert book.warning.text == "A warning before you read, this has violence."
    assert book.warning.start == text.index("A warning")
    assert [c.title for c in book.chapters] == ["Old Town"]
    assert paragraphs(book.chapters[0]) == ["She ran."]


def test_rating_builds_a_warning_and_override_wins(tmp_path: Path) -> None:
    path = write(tmp_path, "b.txt", "Title: B\nRating: NC-17\n\nShe ran.\n")
    assert read_manuscript(path).warning.text.startswith("Content warning. This book is rated NC-17.")
    assert read_manuscript(path, warning_text="Mind the gap.").warning == ContentWarning("Mind the gap.")
    assert read_manuscript(write(tmp_path, "c.txt", "Title: C\nRating: PG\n\nHi.\n")).warning is None


def test_title_from_yaml_then_front_matter_then_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "the_quiet-house.txt", "She ran.\n")
    assert read_manuscript(path).title == "The Quiet House"
    assert read_manuscript(path, title="Given").title == "Given"
    assert read_manuscript(path).chapters[0].title == "The Quiet House"


@pytest.mark.parametrize("line", ["Chapter 7", "CHAPTER IV", "Chapter One", "Chapter Twenty-One: Home", "## The End Game"])
def test_heading_forms(tmp_path: Path, line: str) -> None:
    book = read_manuscript(write(tmp_path, "b.md", f"Intro.\n\n{line}\n\nBody.\n"))
    assert [c.title for c in book.chapters] == ["Opening", line.lstrip("# ")]


def test_headings_with_empty_bodies_stay_text(tmp_path: Path) -> None:
    book = read_manuscript(write(tmp_path, "b.txt", "CONTENTS\n\nChapter 1\n\nChapter 2\n\nChapter 1\n\nIt began.\n"))
    assert [c.title for c in book.chapters] == ["Opening", "Chapter 1"]
    assert paragraphs(book.chapters[0]) == ["CONTENTS", "Chapter 1", "Chapter 2"]


def test_folder_in_natural_order_each_file_a_chapter(tmp_path: Path) -> None:
    write(tmp_path, "10-last.md", "The end.\n")
    write(tmp_path, "2-middle.txt", "# Middle\n\nMore.\n")
    write(tmp_path, "1-start.md", "Title: Book\n\nStart.\n")
    write(tmp_path, "notes.pdf", "ignored")
    book = read_manuscript(tmp_path)
    assert [c.title for c in book.chapters] == ["Start", "Middle", "Last"]
    assert [Path(c.source).name for c in book.chapters] == ["1-start.md", "2-middle.txt", "10-last.md"]
    assert sorted([Path("10.md"), Path("9.md")], key=natural_key) == [Path("9.md"), Path("10.md")]


def test_unwrapped_lines_are_paragraphs_wrapped_lines_are_not(tmp_path: Path) -> None:
    long = "word " * 30
    book = read_manuscript(write(tmp_path, "b.txt", f"{long}one.\n{long}two.\n\nshort\nwrapped\n"))
    assert [p.endswith(("one.", "two.", "wrapped")) for p in paragraphs(book.chapters[0])] == [True, True, True]


def test_offsets_index_the_untouched_text(tmp_path: Path) -> None:
    text = "Title: T\r\n\r\n“Hi,” she said.\r\n\r\nÉmile left.\r\n"
    book = read_manuscript(write(tmp_path, "b.txt", text))
    chapter = book.chapters[0]
    assert chapter.text == text
    assert paragraphs(chapter) == ["“Hi,” she said.", "Émile left."]


def test_missing_manuscript(tmp_path: Path) -> None:
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(tmp_path / "nope.txt")
    assert str(err.value) == f"{tmp_path / 'nope.txt'}: no such file or folder; pass a .txt or .md manuscript or a folder of them"


def test_empty_manuscript_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ManuscriptError, match=r"b.txt: is empty; a manuscript needs some story text$"):
        read_manuscript(write(tmp_path, "b.txt", " \n\n"))
    (tmp_path / "d").mkdir()
    with pytest.raises(ManuscriptError, match=r"d: folder has no .txt or .md files"):
        read_manuscript(tmp_path / "d")


def test_front_matter_only_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ManuscriptError, match="has no story text after its front matter"):
        read_manuscript(write(tmp_path, "b.txt", "Title: T\nAuthor: A\n"))


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "b.txt", b"Fine line.\n\nCaf\xe9 au lait.\n")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == (
        f"{path}:3: byte 0xe9 at column 4 is not UTF-8; re-save the file as UTF-8 (e.g. iconv -f windows-1252 -t utf-8)"
    )


def test_ebook_licence_header_and_footer_are_not_story(tmp_path: Path) -> None:
    marker = "PROJECT " + "GUTENBERG"  # spelled apart so no e-book text appears in the repo
    text = (f"The {marker.title()} eBook of Tides\n\nTitle: Tides\n\nAuthor: May Sea\n\n"
            f"*** START OF THE {marker} EBOOK TIDES ***\n\nCHAPTER I\n\nThe sea rose.\n\n"
            f"*** END OF THE {marker} EBOOK TIDES ***\n\nLicence text.\n")
    book = read_manuscript(write(tmp_path, "tides.txt", text))
    assert (book.title, book.author) == ("Tides", "May Sea")
    assert [c.title for c in book.chapters] == ["CHAPTER I"]
    assert paragraphs(book.chapters[0]) == ["The sea rose."]
