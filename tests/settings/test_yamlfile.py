"""yamlfile: voices.yaml edited in place, comments and order kept, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.errors import ConfigError
from fullcast.model import Gender
from fullcast.settings.yamlfile import add_characters, edit_yaml, line_of, read_yaml


def test_added_characters_keep_the_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text("# my cast\nengine: fake   # quick\ncharacters:\n  Tara: {gender: female}\n")
    add_characters(path, [("Willow", Gender.FEMALE, "gmw/en+f2")])
    assert path.read_text() == ("# my cast\nengine: fake   # quick\ncharacters:\n  Tara: {gender: female}\n"
                                "  Willow:\n    gender: female\n    voice: gmw/en+f2\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voices.yaml"]


def test_an_edit_of_a_missing_file_starts_a_new_one(tmp_path: Path) -> None:
    edit_yaml(tmp_path / "voices.yaml", lambda data: data.update({"engine": "fake"}))
    assert (tmp_path / "voices.yaml").read_text() == "engine: fake\n"


def test_values_know_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text("engine: fake\ncharacters:\n  Tara:\n    aliases: [the blonde]\n")
    data = read_yaml(path)
    assert (line_of(data, "characters"), line_of(data["characters"]["Tara"], "aliases")) == (2, 4)
    assert line_of(data["characters"]["Tara"]["aliases"], 0) == 4


def test_an_unwritable_file_is_a_config_error_and_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text("engine: fake\n")
    (tmp_path / ".voices.yaml.tmp-1").mkdir()  # not in the way: the temporary name has our own pid
    with pytest.raises(ConfigError, match=r"voices\.yaml: cannot be written .*; check its permissions"):
        edit_yaml(tmp_path / "missing-folder" / "voices.yaml", lambda data: data.update({"engine": "fake"}))
    assert path.read_text() == "engine: fake\n"
