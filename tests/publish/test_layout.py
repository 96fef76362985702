"""Tests for fullcast.publish.layout: one library root per edition, safe folder names, and moving old renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.errors import OutputError
from fullcast.publish.layout import Edition, edition_folder, find_state, legacy_folder, migrate, state_folder
from fullcast.publish.manifest import MANIFEST_NAME, Manifest, ManifestEntry, manifest_text
from fullcast.publish.metadata import BookMetadata

BOOK = BookMetadata("Old Town", authors=("Alcy",), series="Basin City", series_part="2")


def test_each_edition_has_its_own_root(tmp_path: Path) -> None:
    assert edition_folder(tmp_path, Edition.MP3, BOOK) == tmp_path / "mp3" / "Alcy" / "Old Town"
    assert edition_folder(tmp_path, Edition.M4B, BOOK) == tmp_path / "m4b" / "Alcy" / "Basin City" / "Old Town"
    assert edition_folder(tmp_path, Edition.EPUB3, BOOK) == tmp_path / "epub3" / "Alcy" / "Old Town"


def test_a_book_with_no_author_or_series(tmp_path: Path) -> None:
    book = BookMetadata("Old Town")
    assert edition_folder(tmp_path, Edition.M4B, book) == tmp_path / "m4b" / "Unknown Author" / "Old Town"


@pytest.mark.parametrize(("title", "folder"), [
    ("../../etc/passwd", "_.._etc_passwd"), ("/abs/path", "_abs_path"), ("..", "untitled"),
    ("a/../../b", "a_.._.._b"), ("\x00", "_"), ("CON", "_CON"), ("nul.txt", "_nul.txt"),
    ('Why? "Because": <yes>', "Why_ 'Because' - _yes_"),
])
def test_unsafe_titles_make_safe_folders(tmp_path: Path, title: str, folder: str) -> None:
    made = edition_folder(tmp_path, Edition.MP3, BookMetadata(title, authors=("../Ann",)))
    assert made == tmp_path / "mp3" / "_Ann" / folder
    assert made.resolve().is_relative_to((tmp_path / "mp3").resolve())


def test_a_very_long_title_is_cut_at_a_character(tmp_path: Path) -> None:
    made = edition_folder(tmp_path, Edition.MP3, BookMetadata("Ω" * 400))
    assert made.name == "Ω" * 75 and len(made.name.encode()) == 150


def _old_render(out: Path, title: str = "Old Town") -> Path:
    """A book folder as renders before editions left it: MP3s, transcripts, playlist, script, manifest and M4B."""
    old = legacy_folder(out, title)
    old.mkdir(parents=True)
    names = ["01 - One.mp3", "01 - One.vtt", f"{title}.m3u", "script.jsonl", f"{title}.m4b"]
    for name in names:
        (old / name).write_text(name, encoding="utf-8")
    entry = ManifestEntry("digest", "sha", 3, 0, 1000, ((0, 1000),))
    (old / MANIFEST_NAME).write_text(manifest_text(Manifest({"01 - One.mp3": entry})), encoding="utf-8")
    return old


def test_migrate_moves_an_old_render_into_the_new_layout(tmp_path: Path) -> None:
    old = _old_render(tmp_path)
    notes = migrate(tmp_path, BOOK)
    mp3, m4b = edition_folder(tmp_path, Edition.MP3, BOOK), edition_folder(tmp_path, Edition.M4B, BOOK)
    assert notes == (f"moved {old} to {mp3} (each format now has its own library root)", f"moved the M4B to {m4b}")
    assert not old.exists()
    assert sorted(p.name for p in mp3.iterdir()) == ["01 - One.mp3", "01 - One.vtt", "Old Town.m3u"]
    assert [p.name for p in state_folder(tmp_path, mp3).iterdir()] == [MANIFEST_NAME]
    assert [p.name for p in m4b.iterdir()] == ["Old Town.m4b"]
    assert migrate(tmp_path, BOOK) == ()  # nothing left to move


def test_migrate_drops_old_copies_when_the_new_layout_exists(tmp_path: Path) -> None:
    old = _old_render(tmp_path)
    (old / "my notes.txt").write_text("mine", encoding="utf-8")
    mp3 = edition_folder(tmp_path, Edition.MP3, BOOK)
    mp3.mkdir(parents=True)
    (mp3 / "01 - One.mp3").write_text("new", encoding="utf-8")
    migrate(tmp_path, BOOK)
    assert [p.name for p in old.iterdir()] == ["my notes.txt"]  # what fullcast did not write stays
    assert (mp3 / "01 - One.mp3").read_text(encoding="utf-8") == "new"


def test_migrate_leaves_folders_fullcast_did_not_write(tmp_path: Path) -> None:
    mine = legacy_folder(tmp_path, "Old Town")
    mine.mkdir()
    (mine / "song.mp3").write_text("x", encoding="utf-8")
    assert migrate(tmp_path, BOOK) == ()
    assert (mine / "song.mp3").is_file()


def test_migrate_reports_a_folder_it_cannot_move(tmp_path: Path) -> None:
    _old_render(tmp_path)
    (tmp_path / "mp3").write_text("in the way", encoding="utf-8")  # a file where the root should be
    with pytest.raises(OutputError, match=r"cannot move the book into .*; move or delete the old folder by hand"):
        migrate(tmp_path, BOOK)


def test_state_lives_outside_every_library_root(tmp_path: Path) -> None:
    book = edition_folder(tmp_path, Edition.MP3, BOOK)
    state = state_folder(tmp_path, book)
    assert state == tmp_path / ".fullcast" / "mp3" / "Alcy" / "Old Town"
    assert find_state(book) is None
    state.mkdir(parents=True)
    assert find_state(book) == state
