"""Tests for fullcast.publish.metadata: every book fact settled once, from voices.yaml, front matter and file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from fullcast.errors import ConfigError, ManuscriptError
from fullcast.manuscript import read_manuscript
from fullcast.model import Publication
from fullcast.publish.metadata import BookMetadata, book_metadata, description_text, warning_statement
from fullcast.settings import load_config
from fullcast.settings.config import Config

STORY = "The harbor lamps were out.\n\n\"Light them,\" said Ada.\n"


def _book(tmp_path: Path, front: str = ""):
    path = tmp_path / "book.txt"
    path.write_text(front + ("\n" if front else "") + STORY, encoding="utf-8")
    return read_manuscript(path, None, None)


def _config(tmp_path: Path, yaml: str) -> Config:
    path = tmp_path / "voices.yaml"
    path.write_text(yaml, encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(("warning", "stated"), [
    ("Violence.", "Content warning: Violence."),
    ("Content warning: violence.", "Content warning: violence."),
    ("content warnings - violence", "content warnings - violence"),
    ("Trigger Warning: grief.", "Trigger Warning: grief."),
    ("TW: grief", "TW: grief"),
    ("Warnings. Blood.", "Warnings. Blood."),
    ("Warning signs abound: a thriller.", "Content warning: Warning signs abound: a thriller."),
])
def test_the_warning_is_stated_once(warning: str, stated: str) -> None:
    assert warning_statement(warning) == stated


def test_description_is_the_blurb_then_the_warning() -> None:
    assert description_text("A blurb.", "Content warning: blood.") == "A blurb.\n\nContent warning: blood."
    assert description_text(None, "blood.") == "Content warning: blood."
    assert description_text("  ", "  ") is None and description_text(None, None) is None


def test_front_matter_gives_every_field(tmp_path: Path) -> None:
    front = ("Title: Old Town\nAuthor: Alcy\nRating: NC-17\nSubtitle: A Basin City Story\nSeries: Basin City\n"
             "Series Part: 2\nGenres: Crime, Romance; Noir\nTags: femslash, AU\nLanguage: en_gb\n"
             "Publisher: Small Press\nISBN: 978-0-306-40615-7\nASIN: B00TEST123\nAbridged: no\n")
    meta, warnings = book_metadata(_book(tmp_path, front), Config())
    assert meta == BookMetadata(
        title="Old Town", authors=("Alcy",), subtitle="A Basin City Story", series="Basin City", series_part="2",
        genres=("Crime", "Romance", "Noir"), tags=("femslash", "AU"), language="en-GB", publisher="Small Press",
        isbn="978-0-306-40615-7", asin="B00TEST123", rating="NC-17", explicit=True, abridged=False,
        warning="Content warning. This book is rated NC-17. It contains material intended for adult listeners only. "
                "Listener discretion is advised.")
    assert warnings == ()
    assert meta.description == meta.warning  # the rating's own warning already says what it is
    assert (meta.series_label, meta.language_iso639_2, meta.genre_tags) == ("Basin City #2", "eng",
                                                                            ("Crime", "Romance", "Noir"))


def test_voices_yaml_wins_over_the_front_matter(tmp_path: Path) -> None:
    book = _book(tmp_path, "Title: Old Town\nRating: Mature\nSeries: Wrong\nSeries part: 9\nGenre: Wrong\n")
    config = _config(tmp_path, "book:\n  series: Basin City\n  series_part: 2.50\n  genres: Noir\n"
                               "  explicit: false\n  abridged: true\n  narrator: the fullcast ensemble\n")
    meta, _ = book_metadata(book, config)
    assert (meta.series, meta.series_part, meta.genres, meta.explicit, meta.abridged) == (
        "Basin City", "2.5", ("Noir",), False, True)
    assert meta.narrators == ("the fullcast ensemble",) and meta.narrator == "the fullcast ensemble"


def test_explicit_follows_an_adult_rating_unless_told(tmp_path: Path) -> None:
    assert book_metadata(_book(tmp_path, "Title: T\nRating: NC-17\n"), Config())[0].explicit is True
    (tmp_path / "book.txt").unlink()
    assert book_metadata(_book(tmp_path, "Title: T\nRating: General Audiences\n"), Config())[0].explicit is False
    (tmp_path / "book.txt").unlink()
    assert book_metadata(_book(tmp_path, "Title: T\nExplicit: yes\n"), Config())[0].explicit is True


def test_a_series_part_in_the_front_matter_that_is_not_a_number(tmp_path: Path) -> None:
    book = _book(tmp_path, "Title: T\nSeries: Basin City\nSeries part: two\n")
    with pytest.raises(ManuscriptError) as caught:
        book_metadata(book, Config())
    assert str(caught.value) == (
        f"{tmp_path / 'book.txt'}: front matter `Series part: two`: not a number; write the book's place in the series "
        "as a number, e.g. 2 or 2.5; fix the line, or set book.series_part in voices.yaml, which wins over the "
        "front matter")


def test_a_series_part_in_voices_yaml_that_is_not_a_number(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, "book:\n  series: Basin City\n  series_part: two\n")
    assert str(caught.value) == (f"{tmp_path / 'voices.yaml'}:3: book.series_part: must be a number, e.g. 2 or 2.5, "
                                 "not 'two'")


def test_a_file_s_own_series_index_that_is_not_a_number_is_dropped(tmp_path: Path) -> None:
    book = _book(tmp_path, "Title: T\n")
    book = replace(book, publication=Publication(series="Basin City", series_part="vol. II", language="English"))
    meta, warnings = book_metadata(book, Config(), "en-us")
    assert (meta.series, meta.series_part, meta.language, warnings) == ("Basin City", None, "en-US", ())


def test_a_wrong_isbn_check_digit_is_a_warning(tmp_path: Path) -> None:
    meta, warnings = book_metadata(_book(tmp_path, "Title: T\nISBN: 978-0-306-40615-6\n"), Config())
    assert meta.isbn == "978-0-306-40615-6"
    assert warnings == (f"{tmp_path / 'book.txt'}: front matter `ISBN: 978-0-306-40615-6`: its check digit should be "
                        "7, not 6; check it (it is written as given)",)
    config = _config(tmp_path, "book:\n  isbn: 0-306-40615-3\n")
    assert config.warnings == (f"{tmp_path / 'voices.yaml'}:2: book.isbn: its check digit should be 2, not 3; "
                               "check it (it is written as given)",)


def test_language_comes_from_the_narrator_voice_last(tmp_path: Path) -> None:
    book = _book(tmp_path, "Title: T\n")
    assert book_metadata(book, Config(), "en-gb-x-rp")[0].language == "en-GB-x-rp"
    assert book_metadata(book, Config(), None)[0].language == "en"
    assert book_metadata(book, Config(), "not a tag!")[0].language == "en"
    config = _config(tmp_path, "book:\n  language: fr-CA\n")
    assert book_metadata(book, config, "en-us")[0].language == "fr-CA"


def test_a_language_that_is_not_a_tag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape("book.language: must be a language tag such as en or en-GB, "
                                                    "not 'English'")):
        _config(tmp_path, "book:\n  language: English\n")
    with pytest.raises(ManuscriptError, match=re.escape("front matter `Language: English`: not a language tag")):
        book_metadata(_book(tmp_path, "Title: T\nLanguage: English\n"), Config())


def test_genres_and_tags_accept_one_string(tmp_path: Path) -> None:
    config = _config(tmp_path, "book:\n  genres: Literary Fiction\n  tags: [cosy, cosy, sea]\n")
    assert (config.book.genres, config.book.tags) == (("Literary Fiction",), ("cosy", "sea"))
