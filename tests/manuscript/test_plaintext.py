"""Tests for the manuscript stage: front matter, warnings, chapters, paragraphs, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.errors import ManuscriptError
from fullcast.manuscript.plaintext import natural_key, read_manuscript
from fullcast.model import ContentWarning
from fullcast.script.analyse import analyse_book
from fullcast.settings.config import Config

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
    assert [c.title for c in book.chapters] == ["Chapter 1"]
    assert [(a.kind, a.text) for a in book.set_aside] == [
        ("table of contents", "CONTENTS"), ("table of contents", "Chapter 1"), ("table of contents", "Chapter 2")]
    book = read_manuscript(write(tmp_path, "b.txt", "It began.\n\nChapter 1\n\nChapter 2\n\nIt went on.\n"))
    assert [c.title for c in book.chapters] == ["Opening", "Chapter 2"]
    assert paragraphs(book.chapters[0]) == ["It began.", "Chapter 1"]


def test_folder_in_natural_order_each_file_a_chapter(tmp_path: Path) -> None:
    write(tmp_path, "10-last.md", "The end.\n")
    write(tmp_path, "2-middle.txt", "# Middle\n\nMore.\n")
    write(tmp_path, "1-start.md", "Title: Book\n\nStart.\n")
    write(tmp_path, "cover.jpg", "ignored")
    write(tmp_path, "voices.yaml", "ignored: yes")
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
    with pytest.raises(ManuscriptError, match=r"d: folder has no manuscript files \(\.txt, \.md, \.html, \.epub "
                                              r"and \.docx\); put the manuscript's chapters there$"):
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


def spoken_segments(book) -> list[str]:
    """What the narrator and the cast say, through the script stage, without the credits."""
    return [s.text for s in analyse_book(book, Config()).segments if s.source is not None]


@pytest.mark.parametrize("c", ["\x1b", "\x07", "\x7f", "\x00", "\x08", "\x1f", "\x85", "\x9b"],
                         ids=["ESC", "BEL", "DEL", "NUL", "BS", "US", "NEL", "CSI"])
def test_control_characters_become_spaces(tmp_path: Path, c: str) -> None:
    text = f"Title: The{c}Lamp\nAuthor: {c}Ann Writer{c}\n\n# Chapter{c}One\n\n{c}Maren lit{c}the lamp.{c}\n"
    book = read_manuscript(write(tmp_path, "lamp.md", text))
    assert (book.title, book.author, book.metadata) == (
        "The Lamp", "Ann Writer", (("Title", "The Lamp"), ("Author", "Ann Writer")))
    chapter = book.chapters[0]
    assert chapter.text == text.replace(c, " ")
    assert (chapter.title, chapter.text[chapter.heading[0]:chapter.heading[1]]) == ("Chapter One", "Chapter One")
    assert spoken_segments(book) == ["Chapter One", "Maren lit the lamp."]


@pytest.mark.parametrize("c", ["\x0b", "\x0c"], ids=["VT", "FF"])
def test_vertical_tab_and_form_feed_are_line_breaks_and_keep_the_front_matter(tmp_path: Path, c: str) -> None:
    text = (f"Title: The Lamp{c}\nAuthor: Ann Writer{c}Rating: PG\n{c}Genre: Gothic\n\n"
            f"Maren lit the lamp.{c}She smiled.\n{c}Chapter 2\n\nNight fell.{c}\n")
    book = read_manuscript(write(tmp_path, "lamp.txt", text))
    assert (book.title, book.author, book.rating) == ("The Lamp", "Ann Writer", "PG")
    assert book.metadata == (("Title", "The Lamp"), ("Author", "Ann Writer"), ("Rating", "PG"), ("Genre", "Gothic"))
    first, second = book.chapters
    assert first.text == text.replace(c, "\n")
    assert [c.title for c in book.chapters] == ["Opening", "Chapter 2"]
    assert (paragraphs(first), paragraphs(second)) == (["Maren lit the lamp.\nShe smiled."], ["Night fell."])
    assert spoken_segments(book) == ["Maren lit the lamp. She smiled.", "Chapter 2", "Night fell."]


def test_escape_sequences_are_blanked_whole(tmp_path: Path) -> None:
    text = ("\x1b[31mTitle: The Lamp\x1b[0m\nAuthor: Ann \x1b]0;pwned\x07Writer\n\n"
            "# \x1b[1mChapter One\x1b[0m\n\n\"Hi,\x1b(B\" said Maren.\x1b[K\n")
    book = read_manuscript(write(tmp_path, "lamp.md", text))
    assert (book.title, book.author) == ("The Lamp", "Ann Writer")
    assert [c.title for c in book.chapters] == ["Chapter One"]
    chapter = book.chapters[0]
    assert len(chapter.text) == len(text)
    assert paragraphs(chapter) == ["\"Hi,   \" said Maren."]
    assert spoken_segments(book) == ["Chapter One", "Hi,", "said Maren."]


def test_indented_front_matter_is_still_story(tmp_path: Path) -> None:
    book = read_manuscript(write(tmp_path, "b.txt", "  Dawn: it came late.\n\nShe ran.\n"))
    assert (book.metadata, paragraphs(book.chapters[0])) == ((), ["Dawn: it came late.", "She ran."])


def test_titles_from_yaml_and_file_names_are_cleaned(tmp_path: Path) -> None:
    path = write(tmp_path, "the\x1b[1mquiet\x07house.txt", "She ran.\n")
    assert read_manuscript(path).title == "The Quiet House"
    assert read_manuscript(path, title="Given\x1b[0m\x0b").title == "Given"
    assert read_manuscript(path, warning_text="Mind\x07the gap.\x1b[0m").warning == ContentWarning("Mind the gap.")
