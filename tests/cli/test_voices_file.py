"""Which voices.yaml a command uses with no --voices, and the first line that says so (issue 14, item 1).

The bug: `fullcast render mybook.txt` from the repo root silently used ./voices.yaml, the
sample book's cast, so Maren read Tara's thoughts. Now the voices.yaml must sit beside the
manuscript (or inside or beside a manuscript folder); ./voices.yaml counts only for a
manuscript inside the current folder; and the first line on stderr names the file or says none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fullcast.cli.commands import app

runner = CliRunner()
STORY = 'Title: T\n\n# Chapter 1\n\nTara waited by the gate.\n\n"Hi," said Tara.\n\n"Go," said Glory.\n'
CAST = "engine: fake\ncharacters:\n  Tara:\n    gender: female\n    voice: gmw/en-us+f3\n"
OTHER_BOOK = ("engine: fake\nbook:\n  description: A lamplighter's daughter.\nmonologue:\n  speaker: Maren\n"
              "characters:\n  Maren:\n    aliases: [Maren Holt]\n    voice: gmw/en-us+f4\n"
              "  Tobias:\n    voice: gmw/en+m3\n  Ada:\n    voice: gmw/en-gb-scotland+f1\n")
NONE = "Voices: none (built-in defaults); put a voices.yaml beside the manuscript or pass --voices"


def invoke(*args: str):
    return runner.invoke(app, list(args))


def first_line(result) -> str:
    return result.stderr.splitlines()[0]


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding another book's voices.yaml, the current folder of every test."""
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "voices.yaml").write_text(OTHER_BOOK, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "desk")
    return tmp_path / "desk"


def test_a_manuscript_elsewhere_never_gets_the_current_folders_cast(desk: Path) -> None:
    book = desk.parent / "books" / "mybook.txt"
    book.parent.mkdir()
    book.write_text(STORY, encoding="utf-8")
    result = invoke("script", str(book), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [NONE, "Speakers with no entry in voices.yaml (auto voices): Glory, Tara"]
    speakers = {json.loads(line)["speaker"] for line in result.stdout.splitlines()}
    assert "Maren" not in speakers and "Tara" in speakers


def test_the_voices_yaml_beside_the_manuscript_file_is_used(desk: Path) -> None:
    (desk.parent / "book").mkdir()
    (desk.parent / "book" / "story.md").write_text(STORY, encoding="utf-8")
    (desk.parent / "book" / "voices.yaml").write_text(CAST, encoding="utf-8")
    for command in ("script", "cast"):
        result = invoke(command, str(desk.parent / "book" / "story.md"))
        assert result.exit_code == 0, result.output
        assert first_line(result) == f"Voices: {desk.parent / 'book' / 'voices.yaml'}", command
        assert "Voices:" not in result.stdout


def test_a_folder_manuscript_uses_the_voices_yaml_inside_it_then_beside_it(desk: Path) -> None:
    folder = desk.parent / "novel" / "chapters"
    folder.mkdir(parents=True)
    (folder / "01.md").write_text(STORY, encoding="utf-8")
    (folder.parent / "voices.yaml").write_text(CAST, encoding="utf-8")
    assert first_line(invoke("script", str(folder))) == f"Voices: {folder.parent / 'voices.yaml'}"
    (folder / "voices.yaml").write_text(CAST, encoding="utf-8")
    assert first_line(invoke("script", str(folder))) == f"Voices: {folder / 'voices.yaml'}"


def test_the_current_folders_voices_yaml_serves_a_manuscript_under_it(desk: Path) -> None:
    (desk / "drafts").mkdir()
    (desk / "drafts" / "story.md").write_text(STORY.replace("Tara", "Maren"), encoding="utf-8")
    result = invoke("script", "drafts/story.md")
    assert result.exit_code == 0, result.output
    assert first_line(result) == "Voices: voices.yaml"


def test_another_books_cast_beside_the_manuscript_is_flagged_on_every_command(desk: Path) -> None:
    (desk / "mybook.txt").write_text(STORY, encoding="utf-8")
    warnings = [
        "Voices: voices.yaml",
        "Warning: voices.yaml: 3 of 3 cast entries (Maren, Tobias, Ada) appear nowhere in mybook.txt; is this "
        "another book's voices.yaml? Put the book's own voices.yaml beside the manuscript or pass --voices",
        "Warning: voices.yaml: monologue.speaker: nobody called Maren is in mybook.txt, yet every thought in the "
        "book would be read as theirs; is this another book's voices.yaml? Set monologue.speaker to someone in "
        "this book or remove it",
    ]
    result = invoke("script", "mybook.txt")
    assert result.stderr.splitlines() == warnings + ["Speakers with no entry in voices.yaml (auto voices): Glory, Tara"]
    result = invoke("cast", "mybook.txt")
    assert result.stderr.splitlines()[:3] == warnings
    result = invoke("preview", "Tara", "mybook.txt", "--out", str(desk / "out"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == warnings
    result = invoke("render", "mybook.txt", "--out", str(desk / "out"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:4] == warnings + [
        "Speakers with no entry in voices.yaml (auto voices): Glory, Tara"]


def test_narrator_character_nobody_in_the_book_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(CAST + "narrator:\n  character: Nick\n", encoding="utf-8")
    result = invoke("script", str(tmp_path / "story.md"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"Voices: {tmp_path / 'voices.yaml'}",
        f"Warning: {tmp_path / 'voices.yaml'}: narrator.character: nobody called Nick is in {tmp_path / 'story.md'}, "
        "yet the narrator's own lines would be read as theirs; is this another book's voices.yaml? Set "
        "narrator.character to someone in this book or remove it"]


def test_render_names_the_voices_file_and_the_speakers_with_no_entry_before_synthesis(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(CAST, encoding="utf-8")
    result = invoke("render", str(tmp_path / "story.md"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [f"Voices: {tmp_path / 'voices.yaml'}",
                         "Speakers with no entry in voices.yaml (auto voices): Glory"]
    assert lines[2].startswith("synthesising: 1/")


def test_settings_warnings_are_printed_by_every_command(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(CAST + "  tara:\n    voice: gmw/en-us+f4\n", encoding="utf-8")
    for command in ("script", "cast"):
        result = invoke(command, str(tmp_path / "story.md"))
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines()[1] == (
            f"Warning: {tmp_path / 'voices.yaml'}:6: characters.tara: differs from characters.Tara only in case, so "
            "the story cannot tell them apart and their lines may go to the wrong character; merge the two entries")
