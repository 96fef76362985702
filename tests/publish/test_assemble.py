"""assemble: blocks joined frame by frame into one tagged MP3, every segment placed exactly on its timeline."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from fullcast.audio import ffmpeg, master, stitch
from fullcast.model import Chapter, Clip, Pause, SegmentKind
from fullcast.publish import assemble, tag
from fullcast.publish.metadata import BookMetadata
from fullcast.publish.tag import read_mp3_facts
from fullcast.settings.config import Mastering

from support.clips import PAUSES, make_clip

CHAPTER = Chapter(4, "Chapter Four", "book.txt", "", None, ())
TAGS = tag.ChapterTags(BookMetadata("Book", ("A",), ("N",)), chapter_title="Chapter Four", track=4,
                       track_total=9)


def decode(path: Path) -> np.ndarray:
    pcm = subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "quiet", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(pcm, dtype="<i2")


def encoded(folder: Path, clips: list[Clip], seconds: float) -> tuple[stitch.ChapterPlan, tuple, list]:
    plan = stitch.plan_chapter(clips, {}, PAUSES)
    blocks = stitch.split_blocks(plan, seconds)
    return plan, blocks, [master.encode_block(plan, b, {}, 0.0, Mastering(), folder / "cache") for b in blocks]


@pytest.fixture
def clips(tmp_path: Path) -> list[Clip]:
    return [make_clip(tmp_path, i, 1500 + 100 * i, Pause.START if i == 0 else Pause.PARAGRAPH) for i in range(6)]


def test_blocks_join_into_one_file_with_exact_cues(tmp_path: Path, clips: list[Clip]) -> None:
    plan, blocks, fragments = encoded(tmp_path, clips, seconds=3.0)
    assert len(blocks) == 3
    audio = assemble.assemble_file(plan, blocks, fragments, CHAPTER, TAGS, tmp_path / "04 - Chapter Four.mp3")
    samples = decode(audio.path)
    assert audio.duration_ms == round(len(samples) * 1000 / 44100)
    loud = np.abs(samples.astype(np.int32)) > 500
    for cue in audio.cues:  # the speech's first and last loud samples sit within 2 ms of the cue's edges
        start, end = cue.start_ms * 441 // 10, cue.end_ms * 441 // 10
        near_start, near_end = np.nonzero(loud[start - 4410:start + 4410])[0], np.nonzero(loud[end - 4410:end + 4410])[0]
        assert abs(near_start[0] - 4410) <= 88 and abs(near_end[-1] - 4410) <= 88
    facts = read_mp3_facts(audio.path)  # the joined file's own header speaks for all of it
    assert (round(facts.bitrate / 1000), facts.mode, facts.sample_rate, facts.channels) == (192, "CBR", 44100, 1)
    assert 0 <= facts.length_s * 1000 - audio.duration_ms <= 52  # the header counts priming and padding too
    assert sorted(p.name for p in tmp_path.glob("*.mp3")) == ["04 - Chapter Four.mp3"]


def test_a_block_starts_where_the_frames_before_it_end(tmp_path: Path, clips: list[Clip]) -> None:
    plan, blocks, fragments = encoded(tmp_path, clips, seconds=3.0)
    frames = [tag.mp3_frames(f.path) for f in fragments]
    assert assemble.block_offsets(fragments) == [0, frames[0] * 1152, (frames[0] + frames[1]) * 1152]
    assert all(f * 1152 >= fragment.samples for f, fragment in zip(frames, fragments))
    cues, duration = assemble.timeline(plan, blocks, fragments)
    assert duration == round((sum(frames[:2]) * 1152 + fragments[2].samples) * 1000 / 44100)
    assert cues[0].start_ms == 750 and len(cues) == 6


def test_one_block_is_copied_as_it_is(tmp_path: Path, clips: list[Clip]) -> None:
    plan, blocks, fragments = encoded(tmp_path, clips[:2], seconds=60.0)
    audio = assemble.assemble_file(plan, blocks, fragments, CHAPTER, TAGS, tmp_path / "one.mp3")
    assert [(c.start_ms, c.end_ms) for c in audio.cues] == [(c.start_ms, c.end_ms) for c in plan.cues()]
    assert audio.duration_ms == plan.duration_ms


def test_a_part_of_a_split_chapter_is_titled_and_tagged_as_such(tmp_path: Path, clips: list[Clip]) -> None:
    plan, blocks, fragments = encoded(tmp_path, clips, seconds=60.0)
    audio = assemble.assemble_file(plan, blocks, fragments, CHAPTER, TAGS, tmp_path / "04b - Chapter Four.mp3",
                                   part=2, parts=3)
    assert (audio.part, audio.parts, audio.title) == (2, 3, "Chapter Four (part 2)")
    tags = ID3(audio.path)
    assert (str(tags["TIT2"]), str(tags["TRCK"])) == ("Chapter Four (part 2)", "4/9")
    assert [str(c.sub_frames["TIT2"]) for c in tags.getall("CHAP")] == ["Chapter Four (part 2)"]


def test_chapter_marks_with_and_without_the_warning(clips: list[Clip]) -> None:
    from dataclasses import replace

    from fullcast.model import Cue

    warned = replace(clips[0].line.segment, kind=SegmentKind.WARNING)
    cues = [Cue(warned, 750, 5000), Cue(clips[1].line.segment, 6200, 9000)]
    assert assemble.chapter_marks("Four", cues, 12000) == (tag.ChapterMark("Content warning", 0, 6200),
                                                           tag.ChapterMark("Four", 6200, 12000))
    assert assemble.chapter_marks("Four", cues[1:], 12000) == (tag.ChapterMark("Four", 0, 12000),)


def test_a_damaged_block_is_named(tmp_path: Path, clips: list[Clip]) -> None:
    from fullcast.errors import AudioError

    plan, blocks, fragments = encoded(tmp_path, clips, seconds=3.0)
    fragments[1].path.write_bytes(b"not an mp3")
    with pytest.raises(AudioError, match=rf"^{fragments[1].path}: not a complete MP3"):
        assemble.assemble_file(plan, blocks, fragments, CHAPTER, TAGS, tmp_path / "x.mp3")
    assert not list(tmp_path.glob("*.mp3")) and not list(tmp_path.glob(".*"))


def test_blocks_named_relatively_or_with_quotes_are_joined(tmp_path: Path, clips: list[Clip],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    plan, blocks, fragments = encoded(tmp_path, clips, seconds=3.0)
    odd = tmp_path / "it's here"
    odd.mkdir()
    moved = [f.path.rename(odd / f.path.name) for f in fragments]
    monkeypatch.chdir(tmp_path)  # a render with a relative --out gives relative names
    assemble.join_fragments([p.relative_to(tmp_path) for p in moved], Path("joined.mp3"))
    assert tag.mp3_frames(tmp_path / "joined.mp3") == sum(tag.mp3_frames(p) for p in moved)
