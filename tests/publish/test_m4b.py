"""Tests for fullcast.publish.m4b: chapters, tags, cover, audiobook media type and splitting, read back with ffmpeg and mutagen."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from mutagen.mp4 import MP4, MP4Cover
from PIL import Image

from fullcast.errors import AudioError, OutputError
from fullcast.model import NARRATOR, Chapter, ChapterAudio, Cue, Segment, SegmentKind
from fullcast.publish.cover import Cover
from fullcast.publish.m4b import chapter_marks, ffmetadata, split_parts, write_m4b
from fullcast.publish.metadata import BookMetadata
from fullcast.publish.tag import BookTags, ChapterMark

from support.render import render_with_fake_engine

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CHAPTER_RE = re.compile(r"Chapter #\d+:\d+: start ([\d.]+), end ([\d.]+)\s+Metadata:\s+title\s+: (.*)")


def tone_mp3(path: Path, parts: list[tuple[str, float]]) -> Path:
    """An MP3 of silences ("s") and 440 Hz tones ("t") of the given seconds, CBR 192k mono."""
    inputs, labels = [], ""
    for i, (kind, seconds) in enumerate(parts):
        source = f"sine=frequency=440:duration={seconds}" if kind == "t" else f"anullsrc=r=44100:cl=mono:d={seconds}"
        inputs += ["-f", "lavfi", "-i", source]
        labels += f"[{i}]"
    graph = f"{labels}concat=n={len(parts)}:v=0:a=1"
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *inputs, "-filter_complex", graph,
                    "-ar", "44100", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "192k", str(path)], check=True)
    return path


def segment(chapter: int, index: int, kind: SegmentKind, text: str) -> Segment:
    return Segment(chapter=chapter, index=index, kind=kind, speaker=NARRATOR, text=text, source=None, start=None, end=None)


def chapter_audio(number: int, path: Path, duration_ms: int, cues: tuple[Cue, ...] = ()) -> ChapterAudio:
    chapter = Chapter(number=number, title=f"Chapter {number}", source="book.md", text="", heading=None, paragraphs=())
    return ChapterAudio(chapter=chapter, path=path, duration_ms=duration_ms, cues=cues)


def png_cover() -> Cover:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(out, format="PNG")
    return Cover(out.getvalue(), "image/png", 40, 30)


TAGS = BookTags(BookMetadata(title="Old Town", authors=("Ann Author",), narrators=("The Ensemble",), year="2026",
                             blurb="A blurb.", warning="Violence.", rating="R", explicit=True, series="Basin City",
                             series_part="2", genres=("Crime",), language="en-GB"), cover=png_cover())


def ffmpeg_listing(path: Path) -> str:
    return subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[ChapterAudio], Path]:
    """Chapter 1 opens with a warning (0.5-1.5 s) then its heading tone (2.0-3.0 s); chapter 2 has a tone at 0.5-1.5 s."""
    folder = tmp_path_factory.mktemp("m4b")
    one = tone_mp3(folder / "01.mp3", [("s", 0.5), ("t", 1.0), ("s", 0.5), ("t", 1.0), ("s", 1.0)])
    two = tone_mp3(folder / "02.mp3", [("s", 0.5), ("t", 1.0), ("s", 1.0)])
    cues_one = (Cue(segment(1, 0, SegmentKind.WARNING, "Violence."), 500, 1500),
                Cue(segment(1, 1, SegmentKind.HEADING, "Chapter 1"), 2000, 3000))
    cues_two = (Cue(segment(2, 0, SegmentKind.HEADING, "Chapter 2"), 500, 1500),)
    return [chapter_audio(1, one, 4000, cues_one), chapter_audio(2, two, 2500, cues_two)], folder


def test_m4b_chapters_tags_cover_and_media_type(book: tuple[list[ChapterAudio], Path]) -> None:
    chapters, folder = book
    dest = folder / "Old Town.m4b"
    parts = write_m4b(chapters, TAGS, dest)
    assert [p.path for p in parts] == [dest]
    assert dest.is_file() and [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    assert CHAPTER_RE.findall(ffmpeg_listing(dest)) == [
        ("0.000000", "2.000000", "Content warning"), ("2.000000", "4.000000", "Chapter 1"),
        ("4.000000", "6.500000", "Chapter 2"),
    ]
    mp4 = MP4(dest)
    assert [(round(c.start, 3), c.title) for c in mp4.chapters] == [(0.0, "Content warning"), (2.0, "Chapter 1"),
                                                                  (4.0, "Chapter 2")]
    assert mp4["stik"] == [2] and mp4["rtng"] == [1]
    assert (mp4["©nam"], mp4["©alb"], mp4["©ART"], mp4["aART"], mp4["©wrt"]) == (
        ["Old Town"], ["Old Town"], ["Ann Author"], ["Ann Author"], ["The Ensemble"])
    description = ["A blurb.\n\nContent warning: Violence."]  # the same text in desc and the comment
    assert (mp4["©gen"], mp4["©day"], mp4["desc"], mp4["©cmt"], mp4["trkn"]) == (
        ["Crime"], ["2026"], description, description, [(1, 1)])
    assert (mp4["©grp"], mp4["©mvn"], mp4["©mvi"]) == (["Basin City #2"], ["Basin City"], [2])
    assert bytes(mp4["----:com.apple.iTunes:RATING"][0]) == b"R"
    assert bytes(mp4["----:com.apple.iTunes:LANGUAGE"][0]) == b"en-GB"
    assert re.findall(r"Stream #0:\d+(?:\[\w+\])?\((\w+)\): Audio", ffmpeg_listing(dest)) == ["eng"]
    cover = mp4["covr"][0]
    assert cover.imageformat == MP4Cover.FORMAT_PNG and bytes(cover) == TAGS.cover.data
    assert (mp4.info.channels, mp4.info.sample_rate, mp4.info.codec) == (1, 44100, "mp4a.40.2")


def test_m4b_audio_lines_up_with_chapter_starts(book: tuple[list[ChapterAudio], Path]) -> None:
    chapters, folder = book
    dest = folder / "aligned.m4b"
    write_m4b(chapters, BookTags(BookMetadata("T")), dest)
    log = subprocess.run([FFMPEG, "-hide_banner", "-i", str(dest), "-af", "silencedetect=n=-50dB:d=0.2", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    sound_starts = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", log)]
    # Tones start at 0.5 and 2.0 in chapter 1 and at 4.0 + 0.5 in chapter 2 (the last silence ends at the file end).
    assert sound_starts[:3] == pytest.approx([0.5, 2.0, 4.5], abs=0.05)


def test_long_book_is_split_at_chapter_boundaries(book: tuple[list[ChapterAudio], Path]) -> None:
    chapters, folder = book
    three = [*chapters, chapter_audio(3, chapters[1].path, 2500)]
    parts = write_m4b(three, TAGS, folder / "Split.m4b", max_ms=5000)
    assert [p.path.name for p in parts] == ["Split - Part 1.m4b", "Split - Part 2.m4b"]
    assert [[c.chapter.number for c in p.chapters] for p in parts] == [[1], [2, 3]]
    second = MP4(parts[1].path)
    assert [(round(c.start, 3), c.title) for c in second.chapters] == [(0.0, "Chapter 2"), (2.5, "Chapter 3")]
    assert (second["©nam"], second["©alb"], second["trkn"]) == (["Old Town (Part 2 of 2)"], ["Old Town"], [(2, 2)])


def test_progress_runs_over_the_whole_book_across_parts(book: tuple[list[ChapterAudio], Path]) -> None:
    chapters, folder = book
    three = [*chapters, chapter_audio(3, chapters[1].path, 2500)]
    seen: list[tuple[float, float]] = []
    write_m4b(three, TAGS, folder / "Progress.m4b", max_ms=5000, progress=lambda done, total: seen.append((done, total)))
    total = sum(c.duration_ms for c in three) / 1000
    assert seen and {t for _, t in seen} == {total}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] == pytest.approx(total, abs=0.1)
    assert any(d > chapters[0].duration_ms / 1000 for d, _ in seen)  # the second part carries on from the first


def test_split_parts_keeps_an_overlong_chapter_whole(tmp_path: Path) -> None:
    durations = [3000, 9000, 1000, 1000, 2500]
    chapters = [chapter_audio(i + 1, tmp_path / "x.mp3", d) for i, d in enumerate(durations)]
    groups = split_parts(chapters, 4000)
    assert [[c.chapter.number for c in g] for g in groups] == [[1], [2], [3, 4], [5]]


def test_split_parts_balances_the_parts(tmp_path: Path) -> None:
    chapters = [chapter_audio(i + 1, tmp_path / "x.mp3", 1000) for i in range(7)]
    assert [len(g) for g in split_parts(chapters, 6000)] == [4, 3]  # not 6 + 1
    assert [len(g) for g in split_parts(chapters, 7000)] == [7]


def test_chapter_marks_with_and_without_warning(tmp_path: Path) -> None:
    warned = chapter_audio(1, tmp_path / "a.mp3", 5000, (Cue(segment(1, 0, SegmentKind.WARNING, "w"), 750, 2100),
                                                          Cue(segment(1, 1, SegmentKind.HEADING, "h"), 3300, 4000)))
    only_warning = chapter_audio(2, tmp_path / "b.mp3", 3000, (Cue(segment(2, 0, SegmentKind.WARNING, "w"), 750, 2100),))
    plain = chapter_audio(3, tmp_path / "c.mp3", 1000)
    assert chapter_marks([warned, only_warning, plain]) == (
        ChapterMark("Content warning", 0, 3300), ChapterMark("Chapter 1", 3300, 5000),
        ChapterMark("Content warning", 5000, 7100), ChapterMark("Chapter 2", 7100, 8000),
        ChapterMark("Chapter 3", 8000, 9000),
    )


def test_ffmetadata_escapes_special_characters() -> None:
    text = ffmetadata({"title": "A=B; C#1 \\ end", "comment": "one\ntwo"}, [ChapterMark("Ch; 1", 0, 1500)])
    assert text == (";FFMETADATA1\ntitle=A\\=B\\; C\\#1 \\\\ end\ncomment=one\\\ntwo\n"
                    "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Ch\\; 1\n")


def test_missing_chapter_file_is_an_audio_error_and_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "Book.m4b"
    with pytest.raises(AudioError, match=rf"^{re.escape(str(dest))}: ffmpeg failed: .*No such file"):
        write_m4b([chapter_audio(1, tmp_path / "missing.mp3", 1000)], BookTags(BookMetadata("B")), dest)
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder_is_an_output_error(book: tuple[list[ChapterAudio], Path]) -> None:
    chapters, folder = book
    dest = folder / "gone" / "B.m4b"
    with pytest.raises(OutputError, match=rf"^{re.escape(str(dest))}: cannot write the M4B"):
        write_m4b(chapters, BookTags(BookMetadata("B")), dest)


def test_no_chapters_is_an_audio_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no chapters to put in the M4B"):
        write_m4b([], BookTags(BookMetadata("B")), tmp_path / "B.m4b")


# --------------------------------------------------------------------------- a rendered book

SMALL_BOOK = """Title: Small Book
Author: A. Writer
Rating: R

Content warning: this story contains a storm at sea.

# Chapter One

The lamp was lit at dusk. "Hello there," said Tara.

# Chapter Two

It rained all night, and nobody slept.
"""


def render_small_book(folder: Path):
    """Render SMALL_BOOK with the fake engine and return export's result."""
    return render_with_fake_engine(folder, SMALL_BOOK)


def test_m4b_of_a_rendered_book_matches_the_vtt_cues(tmp_path: Path) -> None:
    from fullcast.publish.transcript import write_vtt

    chapters = render_small_book(tmp_path).chapters
    dest = tmp_path / "Small Book.m4b"
    write_m4b(chapters, TAGS, dest)
    listed = [(float(s), float(e), t.strip()) for s, e, t in CHAPTER_RE.findall(ffmpeg_listing(dest))]
    assert [t for _, _, t in listed] == ["Content warning", "Chapter One", "Chapter Two"]
    first_cues = []
    for chapter in chapters:
        vtt = write_vtt(chapter.cues, tmp_path / f"{chapter.chapter.number}.vtt").read_text(encoding="utf-8")
        h, m, s, ms = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> ", vtt, re.M)[0 if chapter.chapter.number == 2 else 1]
        first_cues.append(((int(h) * 60 + int(m)) * 60 + int(s)) + int(ms) / 1000)
    # Chapter One's mark starts at the first cue after the warning; Chapter Two's at its file's start.
    assert listed[1][0] == pytest.approx(first_cues[0], abs=0.05)
    assert listed[2][0] == pytest.approx(chapters[0].duration_ms / 1000, abs=0.05)
    log = subprocess.run([FFMPEG, "-hide_banner", "-i", str(dest), "-af", "silencedetect=n=-50dB:d=0.2", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    sound_starts = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", log)]
    heading_two = listed[2][0] + first_cues[1]
    assert min(abs(t - heading_two) for t in sound_starts) <= 0.05
