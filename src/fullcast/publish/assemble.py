"""Join a file's encoded blocks into one tagged MP3, with every segment placed exactly on its timeline.

Each block was encoded on its own (`audio.master.encode_block`), so it starts with the
encoder's priming and ends with its padding. Joined frame by frame (ffmpeg's concat
demuxer, no re-encoding), block k's first sample lands at 1152 samples per frame of the
blocks before it; the few milliseconds of priming and padding fall inside the pause
where the blocks meet. The cues, the chapter marks and the transcripts use these exact
positions, read from each block's own frame count.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from ..audio import ffmpeg
from ..audio.master import SAMPLE_RATE, Fragment
from ..audio.stitch import Block, ChapterPlan
from ..errors import OutputError
from ..model import Chapter, ChapterAudio, Cue, SegmentKind
from . import tag
from .folder import PART

FRAME_SAMPLES = 1152
"""Samples in one MPEG-1 Layer III frame."""
WARNING_MARK = "Content warning"
"""Title of the chapter mark over the spoken content warning."""


def block_offsets(fragments: Sequence[Fragment]) -> list[int]:
    """Where each fragment's audio starts in the joined file, in samples at 44.1 kHz."""
    offsets, at = [], 0
    for fragment in fragments:
        offsets.append(at)
        at += tag.mp3_frames(fragment.path) * FRAME_SAMPLES
    return offsets


def timeline(plan: ChapterPlan, blocks: Sequence[Block], fragments: Sequence[Fragment]) -> tuple[tuple[Cue, ...], int]:
    """Every segment's cue in the joined file, and the file's length, in milliseconds."""
    offsets = block_offsets(fragments)
    scale = SAMPLE_RATE / plan.rate
    cues = []
    for block, offset in zip(blocks, offsets):
        for p in plan.placed[block.first:block.last]:
            start = offset + round((p.at - block.start) * scale)
            cues.append(Cue(p.clip.line.segment, _ms(start), _ms(start + round(p.speech * scale))))
    return tuple(cues), _ms(offsets[-1] + fragments[-1].samples)


def chapter_marks(title: str, cues: Sequence[Cue], duration_ms: int) -> tuple[tag.ChapterMark, ...]:
    """The warning (when the file opens with it) and the chapter body as marks covering the whole file."""
    warned = [c for c in cues if c.segment.kind is SegmentKind.WARNING]
    body = next((c for c in cues if c.segment.kind is not SegmentKind.WARNING and warned
                 and c.start_ms >= warned[-1].end_ms), None)
    if not warned or body is None:
        return (tag.ChapterMark(title, 0, duration_ms),)
    return (tag.ChapterMark(WARNING_MARK, 0, body.start_ms), tag.ChapterMark(title, body.start_ms, duration_ms))


def assemble_file(plan: ChapterPlan, blocks: Sequence[Block], fragments: Sequence[Fragment], chapter: Chapter,
                  tags: tag.ChapterTags, path: Path, *, part: int = 1, parts: int = 1,
                  before_placing: Callable[[ChapterAudio, Path], None] | None = None) -> ChapterAudio:
    """Join *fragments* into the tagged MP3 *path* (via a part name) and say where each segment sits in it.

    *before_placing* sees the finished file under its part name just before it is renamed into
    place: a record of it written then can never miss a file that a player may see.
    """
    cues, duration_ms = timeline(plan, blocks, fragments)
    audio = ChapterAudio(chapter, path, duration_ms, cues, part, parts)
    partial = path.with_name(f".{path.name}{PART}{os.getpid()}")
    try:
        join_fragments([f.path for f in fragments], partial)
        write_tags(partial, audio, tags)
        if before_placing is not None:
            before_placing(audio, partial)
        os.replace(partial, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the chapter ({exc.strerror or exc}); "
                          "check free space and permissions") from exc
    finally:
        partial.unlink(missing_ok=True)
    return audio


def write_tags(path: Path, audio: ChapterAudio, tags: tag.ChapterTags) -> None:
    """Tag the MP3 at *path* as the file *audio*: its title and its chapter marks."""
    marks = chapter_marks(audio.title, audio.cues, audio.duration_ms)
    tag.tag_chapter_mp3(path, replace(tags, chapter_title=audio.title, marks=marks))


def join_fragments(paths: Sequence[Path], dest: Path) -> None:
    """*paths* joined frame by frame into the MP3 *dest*, with one header for the whole (no tags yet)."""
    if len(paths) == 1:
        shutil.copyfile(paths[0], dest)
        return
    with tempfile.TemporaryDirectory(prefix="fullcast-join-") as work:
        listing = Path(work) / "fragments.txt"
        # the concat demuxer's quoting: inside '…', a quote is written '\''
        # absolute: the demuxer resolves a relative name against the list's own folder, not ours
        names = [str(Path(p).resolve()).replace("'", "'\\''") for p in paths]
        listing.write_text("".join(f"file '{name}'\n" for name in names), encoding="utf-8")
        ffmpeg.run_ffmpeg(["-f", "concat", "-safe", "0", "-i", listing, "-c", "copy", "-map_metadata", "-1",
                           "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", "-y", dest], subject=dest)


def _ms(samples: int) -> int:
    return round(samples * 1000 / SAMPLE_RATE)
