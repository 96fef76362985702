"""A book of any length: a 40-hour chapter renders as parts under ACX's 120 minutes that pass `check`.

Slow (about ten minutes on two cores: forty hours of audio are encoded and measured), so it is
marked `slow`, left out of the default run and run by `.ci/run` on its own. The fake engine speaks
at 8 kHz here, which keeps the clip cache at a third of the disk espeak's rate would take.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from fullcast.cli import app

HOURS = 40
PARAGRAPHS = 1000
WORDS_PER_MINUTE = 40
"""The slowest rate voices.yaml allows: the fake engine gives every word 60/40 s."""


def forty_hours(folder: Path) -> Path:
    """One chapter of forty hours of narration, in paragraphs of equal length."""
    words = HOURS * 60 * WORDS_PER_MINUTE // PARAGRAPHS
    paragraph = " ".join(["lamplight"] * (words - 1)) + " ends."
    (folder / "book").mkdir()
    (folder / "book" / "long.md").write_text("Title: The Long Night\nAuthor: A. Writer\n\n# Chapter One\n\n"
                                             + "\n\n".join([paragraph] * PARAGRAPHS) + "\n", encoding="utf-8")
    (folder / "book" / "voices.yaml").write_text(
        f"engine: fake\ndefaults: {{rate: {WORDS_PER_MINUTE}}}\ncredits: {{opening: false, closing: false}}\n",
        encoding="utf-8")
    return folder / "book"


@pytest.mark.slow
def test_a_forty_hour_chapter_becomes_parts_that_pass_acx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FULLCAST_FAKE_RATE", "8000")
    book = forty_hours(tmp_path)
    rendered = CliRunner().invoke(app, ["render", str(book), "--out", str(tmp_path / "out")])
    assert rendered.exit_code == 0, rendered.output
    folder = next((tmp_path / "out" / "mp3").glob("*/The Long Night"))
    parts = sorted(folder.glob("*.mp3"))
    minutes = [MP3(p).info.length / 60 for p in parts]
    assert len(parts) == math.ceil(HOURS * 60 / 120) + 1 or len(parts) == math.ceil(HOURS * 60 / 120)
    assert [p.name for p in parts][:2] == ["01a - Chapter One.mp3", "01b - Chapter One.mp3"]
    assert all(m <= 120 for m in minutes) and sum(minutes) == pytest.approx(HOURS * 60, rel=0.01)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    checked = CliRunner().invoke(app, ["check", str(folder), "--profile", "acx"])
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines()[-1] == f"{len(parts)} file(s) checked against acx: all pass"
