"""Tests for fullcast.publish.check: measurements against ACX, Google Play and Apple rules, the profiles that fit
each format, the file count, truncated, damaged and missing files; through the library and through `fullcast check`."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from fullcast.cli import app
from fullcast.errors import ConfigError, OutputError
from fullcast.model import Chapter, ChapterAudio
from fullcast.publish.check import Profile, check_files, parse_profiles, plan_checks
from fullcast.publish.m4b import write_m4b
from fullcast.publish.metadata import BookMetadata
from fullcast.publish.tag import BookTags

from support.render import render_with_fake_engine

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
    write_m4b([ChapterAudio(chapter, mp3, 10750, ())], BookTags(BookMetadata("Book", ("A",), ("N",))), tmp_path / "Book.m4b")
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
    report = check_files(tmp_path)  # every profile that fits: the M4B is Apple's, so it is measured too
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


def test_damaged_file_no_profile_takes_is_not_measured(tmp_path: Path) -> None:
    (tmp_path / "01 - empty.m4b").write_bytes(b"")
    compliant(tmp_path / "02 - good.mp3")
    report = check_files(tmp_path, ["acx"])
    assert (report.problems, report.passed) == ((), True)
    assert report.checked == ((tmp_path / "02 - good.mp3", (Profile.ACX,)),)
    assert report.summary == "1 file(s) checked against acx: all pass"


# --------------------------------------------------------------------------- which profiles fit which files


def test_plan_checks_gives_each_file_the_profiles_that_fit_it() -> None:
    a, b, c, d = Path("a"), Path("b"), Path("c"), Path("d")
    files = [a / "01.mp3", a / "02.mp3", a / "Book.m4b", b / "Book.m4b", c / "Book.m4a", d / "01.mp3", d / "Book.m4a"]
    assert plan_checks(files, ()) == [
        (Profile.ACX, a, [a / "01.mp3", a / "02.mp3"]), (Profile.ACX, d, [d / "01.mp3"]),
        (Profile.GOOGLE_PLAY, a, [a / "01.mp3", a / "02.mp3"]), (Profile.GOOGLE_PLAY, c, [c / "Book.m4a"]),
        (Profile.GOOGLE_PLAY, d, [d / "01.mp3"]),
        (Profile.APPLE, a, [a / "Book.m4b"]), (Profile.APPLE, b, [b / "Book.m4b"]), (Profile.APPLE, c, [c / "Book.m4a"]),
        (Profile.APPLE, d, [d / "Book.m4a"]),
    ]
    # Asked for by name, a profile applies to every book, falling back to the format it does not take.
    assert plan_checks([d / "01.mp3", b / "Book.m4b"], (Profile.APPLE, Profile.ACX, Profile.GOOGLE_PLAY)) == [
        (Profile.APPLE, d, [d / "01.mp3"]), (Profile.APPLE, b, [b / "Book.m4b"]),
        (Profile.ACX, d, [d / "01.mp3"]), (Profile.ACX, b, []),
        (Profile.GOOGLE_PLAY, d, [d / "01.mp3"]), (Profile.GOOGLE_PLAY, b, [b / "Book.m4b"]),
    ]


# --------------------------------------------------------------------------- `fullcast check` on a rendered book

PARAGRAPH = " ".join(["The lamp burned low over the harbour while the keeper counted the ships coming home."] * 6)
BOOK = "Title: Tiny Book\nAuthor: A. Writer\n\n" + "".join(
    f"# Chapter {n}\n\n" + "\n\n".join([PARAGRAPH] * 6) + "\n\n" for n in (1, 2))
"""Two chapters of about 3:20 each: 6.5 minutes, over Google Play's 5-minute minimum."""
DECODE_ERRORS = "Header missing; Error submitting packet to decoder: Invalid data found when processing input"
"""What ffmpeg says for MP3 frames whose headers were zeroed (decoder's complaint, then ffmpeg's wrapper)."""
MP3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
"""MPEG-1 Layer III bit-rate index."""
cli = CliRunner()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """A fresh default render with the fake engine (chapter MP3s), made once; export's result."""
    return render_with_fake_engine(tmp_path_factory.mktemp("render"), BOOK)


@pytest.fixture(scope="module")
def whole_book(rendered, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rendered book as one M4B (what `render --format both` adds), made once."""
    m4b = tmp_path_factory.mktemp("m4b") / "Tiny Book.m4b"
    write_m4b(rendered.chapters, BookTags(BookMetadata("Tiny Book", ("A. Writer",))), m4b)
    return m4b


@pytest.fixture
def book(rendered, tmp_path: Path) -> Path:
    """A copy of the rendered book folder, to add to or damage."""
    return Path(shutil.copytree(rendered.book_dir, tmp_path / rendered.book_dir.name))


def check(*args: str | Path) -> tuple[int, list[str], list[str]]:
    """`fullcast check ARGS`: exit status, stdout lines, stderr lines."""
    result = cli.invoke(app, ["check", *map(str, args)])
    return result.exit_code, result.stdout.splitlines(), result.stderr.splitlines()


def table(out: list[str]) -> list[tuple[str, str, str, str]]:
    """(profile, file, measure, result) of each row printed between the header and the summary."""
    cells = [(re.split(r"\s{2,}", line.rsplit(" ", 1)[0].strip()), line.rsplit(" ", 1)[1]) for line in out[1:-1]]
    return [(row[0], row[1], row[2], result) for row, result in cells]


def frame_starts(path: Path) -> list[int]:
    """Byte offsets of the MP3's frames, walked from their headers (MPEG-1 Layer III)."""
    data = path.read_bytes()
    at, starts = MP3(path).info.frame_offset, []
    while at + 4 <= len(data) and data[at] == 0xFF and data[at + 1] & 0xE0 == 0xE0:
        starts.append(at)
        rate = {0: 44100, 1: 48000, 2: 32000}[(data[at + 2] >> 2) & 3]
        at += 144 * MP3_KBPS[data[at + 2] >> 4] * 1000 // rate + ((data[at + 2] >> 1) & 1)
    return starts


def damage(path: Path, *, cut_at: float | None = None, zero_headers_at: float | None = None) -> None:
    """Cut *path* at the frame boundary *cut_at* of the way in, and/or zero 5 frame headers *zero_headers_at* in."""
    starts, data = frame_starts(path), bytearray(path.read_bytes())
    if zero_headers_at is not None:
        first = int(len(starts) * zero_headers_at)
        for start in starts[first:first + 5]:
            data[start:start + 4] = bytes(4)
    path.write_bytes(data[:starts[int(len(starts) * cut_at)]] if cut_at is not None else data)


def decoded_seconds(path: Path) -> float:
    """Samples ffmpeg decodes from *path*, counted here, over the rate."""
    pcm = subprocess.run([FFMPEG, "-v", "quiet", "-i", str(path), "-f", "s16le", "-ac", "1", "-"], capture_output=True).stdout
    return len(pcm) / 2 / 44100


def clock(seconds: float) -> str:
    """M:SS.s, the form the messages use."""
    minutes, secs = divmod(round(seconds, 1), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def truncated_line(path: Path, errors: str = "") -> str:
    """The exact error line for a truncated chapter MP3, its numbers read here with mutagen and a decode."""
    marks = max(frame.end_time for frame in ID3(path).getall("CHAP")) / 1000
    return (f"Error: {path}: truncated: it decodes to {clock(decoded_seconds(path))} but its chapter marks run to "
            f"{clock(marks)} and its MP3 header says {clock(MP3(path).info.length)}"
            + (f", and ffmpeg reports decoding errors ({errors})" if errors else "")
            + "; render the book again to replace it")


def test_cli_checks_a_fresh_default_render_against_acx_and_google(book: Path) -> None:
    code, out, err = check(book)
    assert (code, err, out[-1]) == (0, [], "2 file(s) checked against acx, google-play: all pass")
    assert [row[0] for row in table(out)] == ["acx"] * 23 + ["google-play"] * 9
    assert {row[3] for row in table(out)} == {"pass"}
    # Asked for by name, Apple still applies to MP3s, and says why they fail it.
    code, out, err = check(book, "--profile", "apple")
    assert (code, err, out[-1]) == (1, [], "2 file(s) checked against apple: 3 failure(s)")
    assert [row[1:3] for row in table(out) if row[3] == "FAIL"] == [
        ("./", "files"), ("01 - Chapter 1.mp3", "format"), ("02 - Chapter 2.mp3", "format")]


def test_cli_counts_the_files_each_profile_checks(book: Path, whole_book: Path) -> None:
    m4b = Path(shutil.copy(whole_book, book))
    code, out, err = check(book)
    assert (code, err, out[-1]) == (0, [], "3 file(s) checked (2 against acx, google-play; 1 against apple): all pass")
    assert {row[1] for row in table(out) if row[0] == "apple"} == {"./", m4b.name}
    assert m4b.name not in {row[1] for row in table(out) if row[0] != "apple"}
    code, out, err = check(book, "-p", "apple")
    assert (code, err, out[-1]) == (0, [], "1 file(s) checked against apple: all pass")
    for mp3 in book.glob("*.mp3"):
        mp3.unlink()
    assert check(book)[1][-1] == "1 file(s) checked against apple: all pass"


def test_cli_reports_a_truncated_mp3(book: Path) -> None:
    first = book / "01 - Chapter 1.mp3"
    damage(first, cut_at=0.4)
    code, out, err = check(book)
    assert (code, err) == (1, [truncated_line(first)])
    failed = sum(line.endswith("FAIL") for line in out)
    assert out[-1] == f"2 file(s) checked against acx, google-play: {failed + 1} failure(s)"


def test_cli_reports_decoder_errors_with_the_truncation(book: Path) -> None:
    first, second = book / "01 - Chapter 1.mp3", book / "02 - Chapter 2.mp3"
    damage(first, cut_at=0.4, zero_headers_at=0.2)
    damage(second, zero_headers_at=0.5)  # five frames lost: 0.13 s short, within the tolerance, but the decoder says so
    code, out, err = check(book, "-p", "acx")
    assert (code, err) == (1, [truncated_line(first, DECODE_ERRORS),
                               f"Error: {second}: damaged: ffmpeg reports decoding errors ({DECODE_ERRORS}); "
                               "render the book again to replace it"])
    assert out[-1] == f"2 file(s) checked against acx: {sum(line.endswith('FAIL') for line in out) + 2} failure(s)"


def test_cli_reports_a_truncated_m4b(tmp_path: Path, rendered, whole_book: Path) -> None:
    m4b = Path(shutil.copy(whole_book, tmp_path))
    m4b.write_bytes(m4b.read_bytes()[: m4b.stat().st_size // 2])
    marks = clock(sum(chapter.duration_ms for chapter in rendered.chapters) / 1000)
    code, out, err = check(tmp_path)
    assert (code, len(err)) == (1, 1)
    assert re.fullmatch(rf"Error: {re.escape(str(m4b))}: truncated: it decodes to {re.escape(clock(decoded_seconds(m4b)))} "
                        rf"but its chapter marks run to {marks} and its MP4 header says {marks}, and ffmpeg reports "
                        r"decoding errors \(stream 0, offset 0x[0-9a-f]+: partial file; [^;]+\); "
                        r"render the book again to replace it", err[0])
    assert out[-1] == f"1 file(s) checked against apple: {sum(line.endswith('FAIL') for line in out) + 1} failure(s)"
