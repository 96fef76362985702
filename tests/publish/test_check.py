"""Tests for fullcast.publish.check: measurements against ACX, Google Play and Apple rules, damaged and missing files."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from fullcast.errors import ConfigError, OutputError
from fullcast.model import Chapter, ChapterAudio
from fullcast.publish.check import Profile, check_files, parse_profiles
from fullcast.publish.m4b import write_m4b
from fullcast.publish.tag import BookTags

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
ACX_MEASURES = ["format", "RMS", "peak", "integrated loudness", "noise floor", "sample rate", "bit rate",
                "bit rate mode", "head silence", "tail silence", "length"]


def tone_mp3(path: Path, head: float, tone: float, tail: float, gain_db: float, *encode: str) -> Path:
    """Silence, a 440 Hz tone at the sine source's level + *gain_db*, silence; 44.1 kHz mono CBR 192k by default."""
    sources = [f"anullsrc=r=44100:cl=mono:d={head}", f"sine=frequency=440:duration={tone},volume={gain_db}dB",
               f"anullsrc=r=44100:cl=mono:d={tail}"]
    inputs = [arg for source in sources for arg in ("-f", "lavfi", "-i", source)]
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *inputs, "-filter_complex",
                    "[0][1][2]concat=n=3:v=0:a=1", "-c:a", "libmp3lame",
                    *(encode or ("-ar", "44100", "-ac", "1", "-b:a", "192k")), str(path)], check=True)
    return path


def compliant(path: Path) -> Path:
    """Tone RMS -19.5 dB (peak -16.5), 0.75 s head and 2 s tail of digital silence."""
    return tone_mp3(path, 0.75, 8.0, 2.0, 1.57)


def rows_of(report, profile: Profile, subject: str) -> dict[str, bool]:
    return {r.measure: r.passed for r in report.rows if r.profile is profile and r.subject == subject}


def numpy_rms_db(path: Path) -> float:
    """RMS of the decoded file computed here with numpy, independent of ffmpeg's meters."""
    pcm = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    samples = np.frombuffer(pcm, dtype="<f4").astype(np.float64)
    return 20 * math.log10(math.sqrt(float(np.mean(samples**2))))


def test_compliant_file_passes_every_acx_row(tmp_path: Path) -> None:
    good = compliant(tmp_path / "01 - One.mp3")
    report = check_files(tmp_path, ["acx"])
    assert report.problems == () and report.passed
    assert rows_of(report, Profile.ACX, "01 - One.mp3") == {m: True for m in ACX_MEASURES}
    assert rows_of(report, Profile.ACX, "./") == {"channels": True}
    (m,) = report.files
    assert (m.sample_rate, m.channels, round(m.bitrate / 1000), m.bitrate_mode) == (44100, 1, 192, "CBR")
    assert m.rms_db == pytest.approx(numpy_rms_db(good), abs=0.1)
    assert m.rms_db == pytest.approx(-19.5 + 10 * math.log10(8 / 10.75), abs=0.3)
    assert m.peak_db == pytest.approx(-16.5, abs=0.2)
    assert m.noise_floor_db == -math.inf
    assert (m.head_silence_s, m.tail_silence_s, m.duration_s) == (pytest.approx(0.75, abs=0.03),
                                                                  pytest.approx(2.0, abs=0.03),
                                                                  pytest.approx(10.75, abs=0.03))


def test_loud_file_with_short_tail_fails_the_right_rows(tmp_path: Path) -> None:
    tone_mp3(tmp_path / "loud.mp3", 0.75, 4.0, 0.3, 16.0)
    report = check_files(tmp_path, ["acx"])
    failed = {measure for measure, ok in rows_of(report, Profile.ACX, "loud.mp3").items() if not ok}
    assert failed == {"RMS", "peak", "integrated loudness", "tail silence"}
    assert not report.passed
    peak_row = next(r for r in report.rows if r.measure == "peak")
    assert (peak_row.limit, peak_row.value) == ("≤ -3 dB", f"{report.files[0].peak_db:.1f} dB")


def test_wrong_format_rows(tmp_path: Path) -> None:
    # ffmpeg's mono-to-stereo upmix puts the tone 3 dB lower in each channel, hence +3 dB more gain.
    tone_mp3(tmp_path / "vbr.mp3", 0.75, 6.0, 2.0, 4.57, "-ar", "22050", "-ac", "2", "-q:a", "6")
    compliant(tmp_path / "mono.mp3")
    report = check_files(tmp_path, ["acx"])
    failed = {measure for measure, ok in rows_of(report, Profile.ACX, "vbr.mp3").items() if not ok}
    assert failed == {"sample rate", "bit rate", "bit rate mode"}
    channels = next(r for r in report.rows if r.measure == "channels")
    assert (channels.value, channels.passed) == ("mono, stereo", False)


def test_google_and_apple_profiles_on_chapter_mp3s(tmp_path: Path) -> None:
    compliant(tmp_path / "01.mp3")
    report = check_files(tmp_path, ["google-play", "apple"])
    assert rows_of(report, Profile.GOOGLE_PLAY, "./") == {"book length": False}
    assert rows_of(report, Profile.GOOGLE_PLAY, "01.mp3") == {"format": True, "bit rate": True,
                                                              "head silence": True, "tail silence": True}
    assert rows_of(report, Profile.APPLE, "./") == {"files": True}
    assert rows_of(report, Profile.APPLE, "01.mp3") == {"format": False, "length": True, "chapters": False}


def test_apple_profile_takes_the_m4b(tmp_path: Path) -> None:
    mp3 = compliant(tmp_path / "01.mp3")
    chapter = Chapter(number=1, title="One", source="b.md", text="", heading=None, paragraphs=())
    write_m4b([ChapterAudio(chapter, mp3, 10750, ())], BookTags("Book", "A", "N"), tmp_path / "Book.m4b")
    report = check_files(tmp_path, ["apple", "acx"])
    assert rows_of(report, Profile.APPLE, "Book.m4b") == {"format": True, "length": True, "chapters": True}
    assert rows_of(report, Profile.APPLE, "./") == {"files": True}
    assert "Book.m4b" not in {r.subject for r in report.rows if r.profile is Profile.ACX}
    assert [m.chapters for m in report.files] == [0, 1]


def test_books_in_separate_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    compliant(tmp_path / "a" / "01.mp3")
    compliant(tmp_path / "b" / "01.mp3")
    report = check_files(tmp_path, ["acx"])
    assert [r.subject for r in report.rows if r.measure == "channels"] == ["a/", "b/"]
    assert {r.subject for r in report.rows} == {"a/", "b/", "a/01.mp3", "b/01.mp3"}


def test_damaged_file_is_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    (tmp_path / "00 - broken.mp3").write_bytes(b"\x00garbage" * 50)
    (tmp_path / "01 - empty.m4b").write_bytes(b"")
    compliant(tmp_path / "02 - good.mp3")
    report = check_files(tmp_path, ["acx"])
    assert [p.path.name for p in report.problems] == ["00 - broken.mp3", "01 - empty.m4b"]
    for problem in report.problems:
        assert problem.message.startswith(f"{problem.path}: ")
        assert "damaged or not audio" in problem.message
    assert [m.path.name for m in report.files] == ["02 - good.mp3"]
    assert all(rows_of(report, Profile.ACX, "02 - good.mp3").values())
    assert not report.passed


def test_folder_without_audio(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "clip.mp3").write_bytes(b"x")
    (tmp_path / ".01.mp3.part-123").write_bytes(b"x")
    (tmp_path / ".02.mp3").write_bytes(b"x")
    report = check_files(tmp_path, ["acx"])
    assert (report.files, report.rows) == ((), ())
    assert [p.message for p in report.problems] == [
        f"{tmp_path}: no audio files (.mp3, .m4b, .m4a) found; render a book into it first, or give the book's output folder"
    ]
    assert not report.passed


def test_single_file_and_missing_path(tmp_path: Path) -> None:
    good = compliant(tmp_path / "one.mp3")
    assert [m.path for m in check_files(good, ["acx"]).files] == [good]
    with pytest.raises(OutputError, match=re.escape(f"{tmp_path / 'nope'}: no such file or folder")):
        check_files(tmp_path / "nope", ["acx"])


def test_parse_profiles() -> None:
    assert parse_profiles([]) == (Profile.ACX, Profile.GOOGLE_PLAY, Profile.APPLE)
    assert parse_profiles(["Apple", "acx", "apple"]) == (Profile.APPLE, Profile.ACX)
    with pytest.raises(ConfigError) as info:
        parse_profiles(["acz"])
    assert str(info.value) == "--profile acz: unknown profile; choose one of acx, google-play, apple (did you mean acx?)"
