"""Tests for `fullcast verify`: the table, the missing lines, jsonl, exit statuses and exact error texts."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from fullcast.cli.verify import clock, missing_line
from fullcast.verify import whisper
from fullcast.verify.check import MissingSegment

from support.cli import run, run_stdout
from support.listening import listener, render_spoken, rendered_tiny_book, silence_clip


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    """The output folder of the tiny book rendered with the fake engine."""
    return rendered_tiny_book(tmp_path)


def test_a_missing_segment_is_listed_and_exits_1(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener(silent={(1, 3)}))
    code, out = run_stdout("verify", str(rendered))
    assert code == 1
    assert out == ("file                              words     WER  result\n"
                   "mp3/Ann Smith/Tiny/01 - One.mp3      25   0.200  FAIL\n"
                   "mp3/Ann Smith/Tiny/02 - Two.mp3      16   0.000  ok\n"
                   'chapter 1, 00:08.3: (narrator) "Tara waited by the lamp."\n'
                   "2 file(s) heard (0.4 min of audio): 1 segment missing\n")


def test_everything_heard_exits_0(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener())
    code, out = run_stdout("verify", str(rendered / "mp3" / "Ann Smith" / "Tiny"))
    assert code == 0
    assert out.splitlines()[1:] == ["01 - One.mp3      25   0.000  ok", "02 - Two.mp3      16   0.000  ok",
                                    "2 file(s) heard (0.4 min of audio): nothing missing"]


def test_a_wer_over_the_threshold_exits_1(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener(silent={(1, 5)}))  # two words: never missing alone
    assert run_stdout("verify", str(rendered))[0] == 0
    code, out = run_stdout("verify", str(rendered), "--threshold", "0.05")
    assert code == 1
    assert out.splitlines()[-1] == "2 file(s) heard (0.4 min of audio): 1 over WER 0.05"


def test_jsonl(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener(silent={(1, 3)}))
    code, out = run_stdout("verify", str(rendered), "--format", "jsonl")
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0] == {"type": "file", "chapter": 1, "part": 1, "file": "mp3/Ann Smith/Tiny/01 - One.mp3", "words": 25,
                          "wer": 0.2, "passed": False, "substitutions": 0, "deletions": 5, "insertions": 0}
    assert records[2] == {"type": "missing", "chapter": 1, "index": 3, "file": "mp3/Ann Smith/Tiny/01 - One.mp3", "start_ms": 8344,
                          "end_ms": 9990, "speaker": "narrator", "text": "Tara waited by the lamp.", "part": 1}
    assert len(records) == 3


def test_missing_line_and_clock() -> None:
    segment = MissingSegment(3, 7, Path("03b - Three.mp3"), 3_723_460, 3_725_000, "Ada",
                             "I'm out of scones to bribe them with, and the council sits at noon tomorrow.", part=2)
    assert missing_line(segment) == \
        'chapter 3 part 2, 1:02:03.5: (Ada) "I\'m out of scones to bribe them with, and the council sits…"'
    assert [clock(ms) for ms in (0, 83_440, 59_960)] == ["00:00.0", "01:23.4", "01:00.0"]


# --------------------------------------------------------------------------- errors


def test_no_such_folder(tmp_path: Path) -> None:
    assert run("verify", str(tmp_path / "nowhere")) == \
        (1, f"Error: {tmp_path / 'nowhere'}: no such file or folder; give the output folder of a render\n")


def test_not_an_output_folder(tmp_path: Path) -> None:
    assert run("verify", str(tmp_path)) == (1, f"Error: {tmp_path}: not a fullcast output folder (no rendered book "
                                               "in it); give the --out folder of a render, or a book folder in it\n")


def test_no_script_jsonl(rendered: Path) -> None:
    (rendered / ".fullcast" / "mp3" / "Ann Smith" / "Tiny" / ".fullcast-script.jsonl").unlink()
    assert run("verify", str(rendered)) == (1, f"Error: {rendered / 'mp3' / 'Ann Smith' / 'Tiny'}: no .fullcast-script.jsonl, so there is nothing "
                                               "to compare the audio with; `fullcast render` writes it beside the "
                                               "chapter files: render the book again\n")


def test_a_chapter_file_gone(rendered: Path) -> None:
    gone = rendered / "mp3" / "Ann Smith" / "Tiny" / "01 - One.mp3"
    gone.unlink()
    assert run("verify", str(rendered)) == (1, f"Error: {gone}: listed in .fullcast-manifest.json but missing; "
                                               "render the book again to rebuild it\n")


def test_without_the_verify_extra(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    whisper.load_model.cache_clear()
    try:
        code, out = run("verify", str(rendered))
    finally:
        whisper.load_model.cache_clear()
    assert (code, out) == (1, "Error: the listening check needs faster-whisper and its bundled model (faster_whisper "
                              'is not installed); run `pip install -e ".[verify]"`\n')


def test_a_negative_threshold(rendered: Path) -> None:
    assert run("verify", str(rendered), "--threshold", "-1") == \
        (1, "Error: --threshold -1: must be 0 or more (a word error rate, e.g. 0.25)\n")


@pytest.mark.real
def test_a_silenced_clip_in_real_speech(tmp_path: Path) -> None:
    book = render_spoken(tmp_path)
    text = silence_clip(tmp_path, 1, 2)
    next(book.glob("01 - *.mp3")).unlink()  # re-encoded with the silence
    render_spoken(tmp_path)
    code, out = run_stdout("verify", str(tmp_path / "out"))
    assert code == 1
    assert re.fullmatch(rf'chapter 1, 00:\d\d\.\d: \(Maren\) "{re.escape(text)}"', out.splitlines()[-2])
    assert out.splitlines()[-1].endswith("1 segment missing")
