"""The sample book in every format: converted to EPUB, DOCX and an archive's HTML, it gives the same script.

`fullcast script --format jsonl` on each conversion must give the segments (chapter, kind, speaker, text)
that the Markdown source gives; only the offsets and source names differ. Bad input exits 1 with one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.manuscripts.books import read_markdown, to_ao3, to_docx, to_epub
from typer.testing import CliRunner

from fullcast.cli.commands import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def segments(manuscript: Path) -> list[tuple]:
    result = runner.invoke(app, ["script", str(manuscript), "--voices", str(REPO / "voices.yaml"), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return [(r["chapter"], r["index"], r["kind"], r["speaker"], r["voice"], r["text"]) for r in rows]


@pytest.fixture(scope="module")
def markdown_script() -> list[tuple]:
    return segments(REPO / "manuscript")


@pytest.mark.parametrize("convert, name", [(to_epub, "sample.epub"), (to_docx, "sample.docx"), (to_ao3, "sample.html")],
                         ids=["epub", "docx", "ao3-html"])
def test_sample_book_converted_gives_the_same_script(tmp_path: Path, markdown_script, convert, name: str) -> None:
    path = convert(read_markdown(REPO / "manuscript"), tmp_path / name)
    assert segments(path) == markdown_script
    assert len(markdown_script) > 100


def test_a_bad_file_is_one_error_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    path.write_text("not a zip", encoding="utf-8")
    result = runner.invoke(app, ["script", str(path)])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        1, f"Error: {path}: is not an EPUB (not a zip file); export the book again as EPUB")
