"""yamlfile: voices.yaml edited in place, comments and order kept, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.errors import ConfigError
from fullcast.model import Gender
from fullcast.settings.yamlfile import add_characters, edit_yaml, file_digest, line_of, read_yaml, write_line_fix


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


# --------------------------------------------------------------------------- lines: entries written by a review

CAST = "# my cast\nengine: fake\ncharacters:\n  Tara: {gender: female}   # the lead\n"


def test_a_line_fix_is_appended_with_the_comments_kept(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(CAST)
    name, digest = write_line_fix(path, "Are you coming?", "tara", 2, seen=file_digest(path))
    assert (name, digest) == ("Tara", file_digest(path))
    assert path.read_text() == CAST + "lines:\n- match: Are you coming?\n  speaker: Tara\n  chapter: 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voices.yaml"]


def test_the_same_match_in_the_same_chapter_is_updated_not_repeated(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(CAST + "  Willow: {gender: female}\nlines:\n- {match: Go home, speaker: Tara}\n"
                    "- match: are  you coming?\n  speaker: Tara\n  chapter: 2\n")
    write_line_fix(path, "Are you coming?", "Willow", 2, seen=file_digest(path))
    write_line_fix(path, "Go home", "Willow", 3, seen=file_digest(path))
    assert path.read_text() == (CAST + "  Willow: {gender: female}\nlines:\n- {match: Go home, speaker: Tara}\n"
                                "- match: are  you coming?\n  speaker: Willow\n  chapter: 2\n"
                                "- match: Go home\n  speaker: Willow\n  chapter: 3\n")


def test_a_speaker_new_to_the_cast_joins_the_characters(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(CAST)
    assert write_line_fix(path, "Why not?", " Mrs  Finch ", 1, seen=file_digest(path), gender=Gender.FEMALE,
                          voice="gmw/en+f2")[0] == "Mrs Finch"
    assert path.read_text() == (CAST + "  Mrs Finch:\n    gender: female\n    voice: gmw/en+f2\n"
                                "lines:\n- match: Why not?\n  speaker: Mrs Finch\n  chapter: 1\n")


def test_a_missing_file_is_created_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    assert file_digest(path) is None
    write_line_fix(path, "Hi", "Tara", None, seen=None)
    assert path.read_text() == "characters:\n  Tara:\n    gender: unknown\nlines:\n- match: Hi\n  speaker: Tara\n"


def test_a_file_changed_since_it_was_read_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(CAST)
    seen = file_digest(path)
    path.write_text(CAST + "# edited by hand\n")
    with pytest.raises(ConfigError) as caught:
        write_line_fix(path, "Hi", "Tara", 1, seen=seen)
    assert str(caught.value) == (f"{path}: changed on disk since the review began, so this decision was not "
                                 "written (those before it are saved there); run `fullcast review` again to go on")
    assert path.read_text() == CAST + "# edited by hand\n"
    with pytest.raises(ConfigError, match="changed on disk"):
        write_line_fix(tmp_path / "new.yaml", "Hi", "Tara", 1, seen=seen)  # it was there, now it is gone


def test_a_read_only_file_is_a_config_error_and_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(CAST)
    path.chmod(0o444)
    with pytest.raises(ConfigError) as caught:
        write_line_fix(path, "Hi", "Tara", 1, seen=file_digest(path))
    assert str(caught.value) == (f"{path}: is read-only, so this decision was not written (those before it are "
                                 f"saved there); make it writable (chmod u+w {path}) and run `fullcast review` again")
    assert path.read_text() == CAST


def test_an_edit_keeps_the_file_permissions(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text("engine: fake\n")
    path.chmod(0o640)
    edit_yaml(path, lambda data: data.update({"engine": "pyttsx3"}))
    assert (path.read_text(), path.stat().st_mode & 0o777) == ("engine: pyttsx3\n", 0o640)
