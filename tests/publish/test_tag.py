"""Tests for fullcast.publish.tag: ID3 tags and chapter frames, read back with mutagen and the bundled ffmpeg."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import imageio_ffmpeg
import pytest
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags
from mutagen.mp4 import MP4
from PIL import Image

from fullcast.errors import AudioError, OutputError
from fullcast.publish.cover import Cover
from fullcast.publish.metadata import BookMetadata
from fullcast.publish.tag import BookTags, ChapterMark, ChapterTags, book_tags, read_mp3_facts, tag_chapter_mp3, tag_m4b


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


JPEG = _jpeg()
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CHAPTER_RE = re.compile(r"Chapter #\d+:\d+: start ([\d.]+), end ([\d.]+)\s+Metadata:\s+title\s+: (.*)")
# Titles whose lengths are not in time order: plain mutagen would write them shortest first.
MARKS = (
    ChapterMark("Content warning", 0, 1200),
    ChapterMark("Chapter Two: The Long Road Home Again", 1200, 4000),
    ChapterMark("Coda", 4000, 6000),
)


def make_mp3(path: Path, seconds: float = 6.0, *extra: str) -> Path:
    """A mono 44.1 kHz sine MP3, CBR 192k unless *extra* says otherwise."""
    args = [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", f"sine=frequency=330:duration={seconds}", "-ar", "44100", "-ac", "1", "-c:a", "libmp3lame"]
    subprocess.run(args + (list(extra) or ["-b:a", "192k"]) + [str(path)], check=True)
    return path


def ffmpeg_listing(path: Path) -> str:
    """What `ffmpeg -i` prints about a file."""
    return subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


def ffmpeg_chapters(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, title) of every chapter, in the order ffmpeg lists them."""
    return [(float(s), float(e), t.strip()) for s, e, t in CHAPTER_RE.findall(ffmpeg_listing(path))]


BOOK = BookMetadata(title="Old Town", authors=("Ann Author",), narrators=("the fullcast ensemble",), year="2026",
                    subtitle="A Sin City Story", series="Basin City", series_part="2", genres=("Crime", "Romance"),
                    language="en-GB", publisher="Small Press", isbn="978-0-306-40615-7", asin="B00TEST123",
                    blurb="A short blurb.", warning="This book contains violence.", rating="R", explicit=True)


def full_tags(**changes) -> ChapterTags:
    """A ChapterTags with every field set; book fields are changed through *changes* too."""
    book_changes = {k: changes.pop(k) for k in list(changes) if k in BookMetadata.__dataclass_fields__}
    values = dict(book=replace(BOOK, **book_changes), chapter_title="Chapter Two: The Long Road Home Again",
                  track=2, track_total=3, cover=Cover(JPEG, "image/jpeg", 16, 16), marks=MARKS)
    values.update(changes)
    return ChapterTags(**values)


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    return make_mp3(tmp_path / "02 - chapter.mp3")


def test_tags_read_back_with_mutagen(mp3: Path) -> None:
    tag_chapter_mp3(mp3, full_tags())
    tags = ID3(mp3)
    assert tags.version == (2, 3, 0)
    description = "A short blurb.\n\nContent warning: This book contains violence."
    assert {key: str(tags[key]) for key in tags.keys() if not key.startswith(("APIC", "CTOC", "CHAP"))} == {
        "TALB": "Old Town", "TIT2": "Chapter Two: The Long Road Home Again", "TIT3": "A Sin City Story",
        "TPE1": "Ann Author", "TPE2": "Ann Author", "TCOM": "the fullcast ensemble", "TRCK": "2/3",
        "TCON": "Crime/Romance", "TDRC": "2026", "TLAN": "eng", "TPUB": "Small Press", "TIT1": "Basin City #2",
        "COMM::eng": description, "TXXX:DESCRIPTION": description, "TXXX:SERIES": "Basin City",
        "TXXX:SERIES-PART": "2", "TXXX:ISBN": "978-0-306-40615-7", "TXXX:ASIN": "B00TEST123",
        "TXXX:CONTENT_WARNING": "This book contains violence.", "TXXX:RATING": "R", "TXXX:ITUNESADVISORY": "1",
    }
    apic = tags.getall("APIC")
    assert [(a.mime, a.type, a.data) for a in apic] == [("image/jpeg", 3, JPEG)]


def test_a_warning_that_says_what_it_is_gets_no_second_prefix(mp3: Path) -> None:
    tag_chapter_mp3(mp3, full_tags(blurb=None, warning="Content warning: violence."))
    tags = ID3(mp3)
    assert str(tags["COMM::eng"]) == str(tags["TXXX:DESCRIPTION"]) == "Content warning: violence."


def test_chapter_frames_in_time_order_for_mutagen_and_ffmpeg(mp3: Path) -> None:
    tag_chapter_mp3(mp3, full_tags(marks=tuple(reversed(MARKS))))
    tags = ID3(mp3)
    toc = tags["CTOC:toc"]
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    chaps = [tags[f"CHAP:{cid}"] for cid in toc.child_element_ids]
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (m.start_ms, m.end_ms, m.title) for m in MARKS
    ]
    assert ffmpeg_chapters(mp3) == [(m.start_ms / 1000, m.end_ms / 1000, m.title) for m in MARKS]


def test_plain_mutagen_still_misorders_chapters(mp3: Path) -> None:
    """Guards the workaround: if a mutagen upgrade fixes #506 this fails and the workaround can go."""
    tags = ID3()
    ids = [f"chp{i}" for i in range(len(MARKS))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids, sub_frames=[]))
    for cid, mark in zip(ids, MARKS):
        tags.add(CHAP(element_id=cid, start_time=mark.start_ms, end_time=mark.end_ms,
                      sub_frames=[TIT2(encoding=1, text=mark.title)]))
    tags.save(mp3, v2_version=3)
    assert [t for _, _, t in ffmpeg_chapters(mp3)] == ["Coda", "Content warning", "Chapter Two: The Long Road Home Again"]


def test_chapter_order_fix_also_holds_for_id3v24(mp3: Path) -> None:
    from fullcast.publish.tag import _TimeOrderedID3  # the workaround itself, saved as v2.4 (syncsafe frame sizes)

    tags = _TimeOrderedID3()
    for i, mark in enumerate(reversed(MARKS)):
        tags.add(CHAP(element_id=f"c{i}", start_time=mark.start_ms, end_time=mark.end_ms,
                      sub_frames=[TIT2(encoding=3, text=mark.title)]))
    tags.save(mp3, v2_version=4)
    assert ID3(mp3).version == (2, 4, 0)
    assert [t for _, _, t in ffmpeg_chapters(mp3)] == [m.title for m in MARKS]


def test_ffmpeg_reads_the_tags(mp3: Path) -> None:
    tag_chapter_mp3(mp3, full_tags())
    listing = ffmpeg_listing(mp3)
    for key, value in [("album", "Old Town"), ("artist", "Ann Author"), ("album_artist", "Ann Author"),
                       ("composer", "the fullcast ensemble"), ("track", "2/3"), ("genre", "Crime/Romance"),
                       ("grouping", "Basin City #2"), ("SERIES", "Basin City"), ("SERIES-PART", "2"),
                       ("publisher", "Small Press"), ("TIT3", "A Sin City Story")]:  # TLAN: read by mutagen above
        assert re.search(rf"^\s+{key}\s+: {re.escape(value)}$", listing, re.M), key
    assert re.search(r"Video: mjpeg.*16x16.*\(attached pic\)", listing)


def test_retagging_replaces_frames_ffmpeg_wrote(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "a.mp3", 2.0, "-b:a", "192k", "-metadata", "title=Old", "-id3v2_version", "3")
    assert "TSSE" in ID3(mp3)
    tag_chapter_mp3(mp3, full_tags(marks=(), cover=None))
    tags = ID3(mp3)
    assert "TSSE" not in tags and "APIC:Cover" not in tags and not tags.getall("CHAP")
    assert str(tags["TIT2"]) == "Chapter Two: The Long Road Home Again"


def test_a_book_with_nothing_but_a_title(mp3: Path) -> None:
    tag_chapter_mp3(mp3, ChapterTags(BookMetadata("Old Town"), "One", 1, 1))
    tags = ID3(mp3)
    assert {key: str(tags[key]) for key in tags.keys()} == {
        "TALB": "Old Town", "TIT2": "One", "TRCK": "1/1", "TCON": "Audiobook", "TLAN": "eng"}


def test_explicit_comes_from_the_flag_not_the_rating(mp3: Path) -> None:
    tag_chapter_mp3(mp3, full_tags(rating="PG-13", explicit=False))
    tags = ID3(mp3)
    assert str(tags["TXXX:RATING"]) == "PG-13" and "TXXX:ITUNESADVISORY" not in tags


def test_book_tags_from_chapter_tags() -> None:
    chapter = full_tags()
    assert book_tags(chapter) == BookTags(BOOK, chapter.cover)


def test_m4b_atoms_ffmpeg_cannot_write(tmp_path: Path) -> None:
    m4b = tmp_path / "b.m4b"
    subprocess.run([FFMPEG, "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", "-f", "mp4",
                    str(m4b)], check=True)
    tag_m4b(m4b, BOOK)
    atoms = MP4(m4b).tags
    free = {k.split(":")[-1]: v[0].decode() for k, v in atoms.items() if k.startswith("----")}
    assert (atoms["rtng"], atoms["\xa9mvn"], atoms["\xa9mvi"]) == ([1], ["Basin City"], [2])
    assert free == {"SERIES": "Basin City", "SERIES-PART": "2", "ISBN": "978-0-306-40615-7", "ASIN": "B00TEST123",
                    "CONTENT_WARNING": "This book contains violence.", "RATING": "R", "SUBTITLE": "A Sin City Story",
                    "PUBLISHER": "Small Press", "LANGUAGE": "en-GB"}
    tag_m4b(m4b, replace(BOOK, series_part="2.5", explicit=False))
    atoms = MP4(m4b).tags
    assert atoms["rtng"] == [0] and "\xa9mvi" not in atoms  # the atom holds whole numbers only


def test_missing_file_is_an_output_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "x.mp3"
    with pytest.raises(OutputError, match=re.escape(str(missing))):
        tag_chapter_mp3(missing, full_tags())


def test_mp3_facts_cbr_and_vbr(tmp_path: Path) -> None:
    cbr = read_mp3_facts(make_mp3(tmp_path / "cbr.mp3", 3.0))
    assert (cbr.sample_rate, round(cbr.bitrate / 1000), cbr.mode, cbr.channels) == (44100, 192, "CBR", 1)
    assert cbr.length_s == pytest.approx(3.0, abs=0.06)
    vbr = read_mp3_facts(make_mp3(tmp_path / "vbr.mp3", 3.0, "-q:a", "4"))
    assert vbr.mode == "VBR"


def test_mp3_facts_of_a_damaged_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"this is not audio" * 10)
    with pytest.raises(AudioError, match=r"bad\.mp3: not a readable MP3"):
        read_mp3_facts(bad)
