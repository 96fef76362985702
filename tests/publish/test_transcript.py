"""Tests for fullcast.publish.transcript: exact WebVTT and SRT text, escaping, atomic writes."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from fullcast.errors import OutputError
from fullcast.model import NARRATOR, Cue, Pause, Segment, SegmentKind
from fullcast.publish.transcript import srt_text, vtt_text, write_srt, write_vtt

from support.render import render_with_fake_engine


def cue(index: int, kind: SegmentKind, speaker: str, text: str, start: int, end: int) -> Cue:
    segment = Segment(chapter=1, index=index, kind=kind, speaker=speaker, text=text,
                      source=None, start=None, end=None, pause=Pause.PARAGRAPH)
    return Cue(segment, start, end)


CUES = (
    cue(0, SegmentKind.WARNING, NARRATOR, "This book contains violence.", 750, 3210),
    cue(1, SegmentKind.HEADING, NARRATOR, "Chapter One", 4410, 5230),
    cue(2, SegmentKind.DIALOGUE, "Tara", "Don't <go>\n  there & back -->", 5830, 8005),
    cue(3, SegmentKind.NARRATION, NARRATOR, "   ", 8005, 8005),
    cue(4, SegmentKind.MONOLOGUE, "Tara", "I can't breathe.", 8255, 3_725_001),
)

EXPECTED_VTT = """WEBVTT

1
00:00:00.750 --> 00:00:03.210
<v Narrator>This book contains violence.

2
00:00:04.410 --> 00:00:05.230
<v Narrator>Chapter One

3
00:00:05.830 --> 00:00:08.005
<v Tara>Don't &lt;go&gt; there &amp; back --&gt;

4
00:00:08.255 --> 01:02:05.001
<v Tara><i>I can't breathe.</i>
"""

EXPECTED_SRT = """1
00:00:00,750 --> 00:00:03,210
Narrator: This book contains violence.

2
00:00:04,410 --> 00:00:05,230
Narrator: Chapter One

3
00:00:05,830 --> 00:00:08,005
Tara: Don't <go> there & back -->

4
00:00:08,255 --> 01:02:05,001
Tara: <i>I can't breathe.</i>
"""


def test_vtt_text_is_exact() -> None:
    assert vtt_text(CUES) == EXPECTED_VTT


def test_srt_text_is_exact() -> None:
    assert srt_text(CUES) == EXPECTED_SRT


def test_no_cues() -> None:
    assert vtt_text(()) == "WEBVTT\n"
    assert srt_text(()) == ""


def test_speaker_name_is_escaped_in_the_voice_span() -> None:
    text = vtt_text([cue(0, SegmentKind.DIALOGUE, "Mr <Big>", "Hi.", 0, 500)])
    assert text.endswith("<v Mr &lt;Big&gt;>Hi.\n")


def test_write_vtt_and_srt_leave_no_temp_files(tmp_path: Path) -> None:
    assert write_vtt(CUES, tmp_path / "01 - One.vtt") == tmp_path / "01 - One.vtt"
    write_srt(CUES, tmp_path / "01 - One.srt")
    assert (tmp_path / "01 - One.vtt").read_text(encoding="utf-8") == EXPECTED_VTT
    assert (tmp_path / "01 - One.srt").read_text(encoding="utf-8") == EXPECTED_SRT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01 - One.srt", "01 - One.vtt"]
    assert (tmp_path / "01 - One.vtt").stat().st_mode & 0o777 == 0o644


def test_write_into_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "a.vtt"
    with pytest.raises(OutputError, match=r"nope/a\.vtt: cannot write the transcript"):
        write_vtt(CUES, target)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_write_into_a_read_only_folder_is_an_output_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OutputError, match=r"a\.srt: cannot write the transcript"):
            write_srt(CUES, tmp_path / "a.srt")
    finally:
        tmp_path.chmod(0o700)


# --------------------------------------------------------------------------- against rendered audio

SMALL_BOOK = """Title: Small Book
Author: A. Writer
Rating: R

Content warning: this story contains a storm at sea.

# Chapter One

The lamp was lit at dusk. "Hello there," said Tara.

"Hi," said Willow. *Is it late?*

# Chapter Two

It rained all night, and nobody slept.
"""
STAMP = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> ", re.M)


def render_small_book(folder: Path):
    """Render SMALL_BOOK with the fake engine and return export's result."""
    return render_with_fake_engine(folder, SMALL_BOOK)


def decoded(path: Path) -> np.ndarray:
    """Absolute sample values of *path*, decoded by ffmpeg at 44.1 kHz mono."""
    pcm = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le",
                          "-ac", "1", "-ar", "44100", "-"], capture_output=True, check=True).stdout
    return np.abs(np.frombuffer(pcm, dtype="<f4"))


def test_vtt_cues_line_up_with_the_rendered_audio(tmp_path: Path) -> None:
    chapter = render_small_book(tmp_path).chapters[0]
    vtt = write_vtt(chapter.cues, tmp_path / "one.vtt").read_text(encoding="utf-8")
    assert "<v Tara>Hello there,\n" in vtt and "<v Narrator>said Tara.\n" in vtt
    starts = [((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms) for h, m, s, ms in STAMP.findall(vtt)]
    assert len(starts) == len(chapter.cues) >= 8
    audio = decoded(chapter.path)
    quiet, loud = 10 ** (-50 / 20), 10 ** (-40 / 20)
    for start in starts:
        at = round(start * 44.1)
        assert audio[at - round(60 * 44.1):at - round(15 * 44.1)].max() < quiet, f"sound just before the cue at {start} ms"
        onset = at - round(50 * 44.1) + int(np.argmax(audio[at - round(50 * 44.1):] > loud))
        assert abs(onset / 44.1 - start) <= 10, f"cue at {start} ms, sound starts at {onset / 44.1:.1f} ms"
