"""Front and back matter: a dedication, copyright lines, links and notes are set aside, not read as story."""

from __future__ import annotations

from pathlib import Path

from fullcast.manuscript.plaintext import read_manuscript

STORY = "Chapter 1\n\nThe lamp was lit at dusk.\n\nMaren climbed the stair.\n"


def book_of(tmp_path: Path, text: str, **options: bool):
    path = tmp_path / "b.txt"
    path.write_text(text, encoding="utf-8")
    return read_manuscript(path, **options)


def story(book) -> list[str]:
    return [c.paragraph_text(p) for c in book.chapters for p in c.paragraphs]


def aside(book) -> list[tuple[str, str]]:
    return [(a.kind, a.text) for a in book.set_aside]


def test_dedication_with_a_link_and_a_phone_number_is_not_story(tmp_path: Path) -> None:
    text = ("Title: The Lamp\nAuthor: Ann Writer\n\n"
            "For my sister, who kept the light on. Find me at https://example.org/ann or call 555 0100 2000.\n\n"
            + STORY)
    book = book_of(tmp_path, text)
    assert story(book) == ["The lamp was lit at dusk.", "Maren climbed the stair."]
    assert aside(book) == [("dedication", "For my sister, who kept the light on. Find me at https://example.org/ann "
                                          "or call 555 0100 2000.")]


def test_title_page_copyright_and_contents_before_the_first_chapter(tmp_path: Path) -> None:
    text = ("THE LAMP\n\nby Ann Writer\n\nCopyright \u00a9 2024 Ann Writer. All rights reserved.\n\n"
            "CONTENTS\n\nChapter 1\n\nChapter 2\n\n" + STORY + "\nChapter 2\n\nShe came down.\n")
    book = book_of(tmp_path, text)
    assert [c.title for c in book.chapters] == ["Chapter 1", "Chapter 2"]
    assert [kind for kind, _ in aside(book)] == ["title page", "title page", "copyright", "table of contents",
                                                 "table of contents", "table of contents"]


def test_front_matter_is_read_when_asked(tmp_path: Path) -> None:
    text = "THE LAMP\n\nby Ann Writer\n\n" + STORY
    book = book_of(tmp_path, text, read_front_matter=True)
    assert [c.title for c in book.chapters] == ["THE LAMP", "Chapter 1"]
    assert story(book)[0] == "by Ann Writer" and book.set_aside == ()


def test_a_preface_and_its_paragraphs_are_front_matter(tmp_path: Path) -> None:
    text = ("PREFACE\n\nThis book began as a bedtime story told over many winters, and it grew in the telling "
            "until it needed a book of its own.\n\n" + STORY)
    book = book_of(tmp_path, text)
    assert [kind for kind, _ in aside(book)] == ["preface", "preface"]
    assert story(book) == ["The lamp was lit at dusk.", "Maren climbed the stair."]


def test_an_opening_that_is_story_stays(tmp_path: Path) -> None:
    text = "The harbour was quiet that year, and the lamps stood unlit along the wall.\n\n" + STORY
    book = book_of(tmp_path, text)
    assert [c.title for c in book.chapters] == ["Opening", "Chapter 1"] and book.set_aside == ()


def test_authors_notes_are_set_aside_unless_asked(tmp_path: Path) -> None:
    text = ("Chapter 1\n\nA/N: Thanks for all the kudos! This one is short.\n\nThe lamp was lit at dusk.\n\n"
            "Author's Note: more next week.\n")
    book = book_of(tmp_path, text)
    assert story(book) == ["The lamp was lit at dusk."]
    assert aside(book) == [("author's note", "A/N: Thanks for all the kudos! This one is short."),
                           ("author's note", "Author's Note: more next week.")]
    assert story(book_of(tmp_path, text, read_notes=True)) == [
        "A/N: Thanks for all the kudos! This one is short.", "The lamp was lit at dusk.", "Author's Note: more next week."]


def test_transcribers_note_and_links_at_the_end_are_back_matter(tmp_path: Path) -> None:
    text = STORY + "\nTHE END\n\nTranscriber's note: obvious typographical errors have been corrected.\n\nwww.example.org\n"
    book = book_of(tmp_path, text)
    assert story(book)[-1] == "THE END"
    assert [kind for kind, _ in aside(book)] == ["transcriber's note", "link"]


def test_story_that_mentions_a_dedication_is_story(tmp_path: Path) -> None:
    text = "To my surprise, the door was open.\n\nMaren went in.\n"
    assert story(book_of(tmp_path, text)) == ["To my surprise, the door was open.", "Maren went in."]
