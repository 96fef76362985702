"""Each speaker's loudness in a rendered book, measured the way a listener would meet it."""

from __future__ import annotations

from pathlib import Path

from fullcast import pipeline
from fullcast.audio import ffmpeg
from fullcast.audio.clips import level_voices
from fullcast.audio.stitch import Block, block_pcm, plan_chapter
from fullcast.audio.synthesis import synthesize_lines
from fullcast.settings.config import Pauses


def speaker_loudness(manuscript: Path, voices: Path, cache: Path) -> dict[str, float]:
    """Integrated loudness (LUFS, ffmpeg's ebur128) of each speaker's lines, stitched alone with the render's gains.

    The clips come from the render's *cache*; a clip it lacks would be synthesised, so callers assert it was not.
    """
    _, cast = pipeline.analyse(manuscript, voices)
    clips = synthesize_lines(cast.lines, cache)
    assert not any(clip.synthesised for clip in clips), "the render's cache should hold every clip"
    gains = level_voices(clips)
    loudness = {}
    for speaker in {c.line.segment.speaker for c in clips}:
        mine = [c for c in clips if c.line.segment.speaker == speaker]
        plan = plan_chapter(mine, gains, Pauses())
        pcm = b"".join(p.tobytes() for p in block_pcm(plan, Block(0, len(mine), 0, plan.frames), gains))
        loudness[speaker] = ffmpeg.pcm_loudness(pcm, plan.rate, sample_format="f32le")[0]
    return loudness
