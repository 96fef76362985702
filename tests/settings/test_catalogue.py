"""Tests for fullcast.settings.catalogue: a folder of book folders, or a YAML list, checked entry by entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.errors import ConfigError
from fullcast.settings.catalogue import CatalogueEntry, read_catalogue


def test_a_folder_of_book_folders(tmp_path: Path) -> None:
    for name in ("b-book", "a-book", ".hidden", "output"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("not a book")
    assert read_catalogue(tmp_path) == (CatalogueEntry("a-book", tmp_path / "a-book", None),
                                        CatalogueEntry("b-book", tmp_path / "b-book", None))


def test_a_yaml_list_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "old-town.txt").write_text("x")
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text("- manuscript: books/old-town.txt\n  voices: casts/old-town.yaml\n- manuscript: lamp/\n")
    assert read_catalogue(catalogue) == (
        CatalogueEntry("old-town", tmp_path / "books" / "old-town.txt", tmp_path / "casts" / "old-town.yaml"),
        CatalogueEntry("lamp", tmp_path / "lamp", None))


@pytest.mark.parametrize(("text", "message"), [
    ("manuscript: a.txt\n", "must be a list of books, each `- manuscript: <file or folder>` with an optional "
                            "`voices: <voices.yaml>`"),
    ("- manuscript: a.txt\n- b.txt\n", ":2: book 2: must be a mapping with `manuscript:` (and optionally "
                                       "`voices:`), not 'b.txt'"),
    ("- manuscript: a.txt\n- voices: v.yaml\n", ":2: book 2: has no manuscript; add `manuscript: <file or folder>`"),
    ("- manuscript: a.txt\n  voice: v.yaml\n", ":1: book 1: unknown key 'voice'; an entry has only manuscript and "
                                               "voices"),
])
def test_bad_entries_name_the_line_and_the_book(tmp_path: Path, text: str, message: str) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_catalogue(catalogue)
    assert str(caught.value).startswith(str(catalogue)) and str(caught.value).endswith(message)


def test_no_catalogue_and_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such catalogue; give a folder of book folders or a YAML list"):
        read_catalogue(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="holds no book folders; put each book"):
        read_catalogue(tmp_path)
