"""Fixtures for the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import CAST, STORY


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A folder holding the tiny book and its voices.yaml."""
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(CAST, encoding="utf-8")
    return tmp_path
