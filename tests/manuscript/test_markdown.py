"""Markdown through a real parser: emphasis, escapes, underscores inside words, YAML front matter."""

from __future__ import annotations

from pathlib import Path

from fullcast.manuscript.plaintext import read_manuscript

REPO = Path(__file__).resolve().parents[2]


def book_of(tmp_path: Path, text: str):
    path = tmp_path / "b.md"
    path.write_text(text, encoding="utf-8")
    return read_manuscript(path)


def paragraphs(chapter) -> list[str]:
    return [chapter.paragraph_text(p) for p in chapter.paragraphs]


def test_emphasis_escapes_and_underscores_in_words(tmp_path: Path) -> None:
    text = ("# One\n\nShe read the file_name_here aloud, _slowly_.\n\n"
            "A \\*literal\\* star and **bold** words, [a link](https://example.org).\n\n"
            "    indented text stays as written\n")
    book = book_of(tmp_path, text)
    chapter = book.chapters[0]
    assert chapter.converted is True
    assert paragraphs(chapter) == ["She read the file_name_here aloud, *slowly*.",
                                   "A *literal* star and bold words, a link.", "indented text stays as written"]


def test_setext_headings_and_yaml_front_matter(tmp_path: Path) -> None:
    text = "---\ntitle: \"Salt Roads\"\nauthor: Ann Writer\n---\n\nChapter One\n===========\n\nIt rained.\n"
    book = book_of(tmp_path, text)
    assert (book.title, book.author) == ("Salt Roads", "Ann Writer")
    assert [c.title for c in book.chapters] == ["Chapter One"]
    assert paragraphs(book.chapters[0]) == ["It rained."]


def test_plain_markdown_keeps_the_files_own_text(tmp_path: Path) -> None:
    text = "Title: T\n\n# Chapter 1\n\n\"Hi,\" she said. *I know.*\n\n* * *\n\nNight.\n"
    chapter = book_of(tmp_path, text).chapters[0]
    assert (chapter.converted, chapter.text) == (False, text)
    assert [p.scene_break_before for p in chapter.paragraphs] == [False, True]


def test_the_sample_book_is_not_converted() -> None:
    book = read_manuscript(REPO / "manuscript")
    for chapter in book.chapters:
        assert chapter.converted is False
        assert chapter.text == Path(chapter.source).read_text(encoding="utf-8")
