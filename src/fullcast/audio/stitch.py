"""Lay a chapter's clips out in time, measure it, and stream it block by block to the encoder.

`plan_chapter` reads every clip once: it trims the engine's padding (`clips`), places each
speech after its pause (head room tone first), and feeds exactly the samples the file
will hold, voice gains applied, to a loudness meter. Nothing is written: the chapter
never exists as one WAV, so its length has no 4 GB limit and memory stays flat.

`split_blocks` cuts the plan at pauses into blocks of a few minutes. Each block is encoded
on its own (`master.encode_block`), so a chapter uses every core, and a block whose clips
did not change is reused from the cache. `block_pcm` streams one block's samples.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from ..model import Clip, Cue, Pause, Voice
from ..settings.config import Pauses
from .clips import CHUNK_FRAMES, clip_rate, speech_chunks, spread
from .loudness import Meter

BLOCK_S = 60.0
"""A block ends at the first pause after this much audio: small enough to spread a chapter over the cores
and to re-encode little when a voice changes, large enough that each encoder's start-up is noise."""
SAMPLE_S = 20.0
"""At most this much speech, spread over the chapter, is kept to try the limiter on (`master.chapter_gain`)."""
SCENE_REACH = 0.1
"""A scene break this close to an even cut (as a share of a part's length) is where a long chapter is split."""
DEFAULT_RATE = 22050
"""The rate of a chapter with no clips (room tone only)."""


@dataclass(frozen=True)
class Placed:
    """One clip placed in a file: the silence before its speech, and where the speech lies."""

    clip: Clip
    """The clip."""
    pause: int
    """Frames of silence before the speech (the head room tone for the first clip)."""
    at: int
    """Frame where the speech starts in the file."""
    speech: int
    """Frames of speech, engine padding trimmed."""


@dataclass(frozen=True)
class ChapterPlan:
    """One file's audio laid out in time at one sample rate, and how loud it is before mastering."""

    rate: int
    """Sample rate of the plan (the highest among the clips); the encoder resamples to 44.1 kHz."""
    placed: tuple[Placed, ...]
    """Every clip in order."""
    tail: int
    """Frames of tail room tone after the last speech."""
    frames: int
    """Length of the file in frames, head and tail included."""
    loudness: float
    """Integrated loudness in LUFS of exactly these samples with the voice gains (-inf when silent)."""
    peak_db: float
    """Highest sample in dBFS with the voice gains (-inf for silence)."""
    sample: tuple[int, ...]
    """Indices of clips spread over the file, about SAMPLE_S of speech, for trying the limiter on."""

    def cues(self) -> tuple[Cue, ...]:
        """Where each segment's speech sits, in milliseconds, on the plan's own timeline."""
        return tuple(Cue(p.clip.line.segment, _ms(p.at, self.rate), _ms(p.at + p.speech, self.rate))
                     for p in self.placed)

    @property
    def duration_ms(self) -> int:
        """Length of the file on the plan's timeline."""
        return _ms(self.frames, self.rate)


@dataclass(frozen=True)
class Block:
    """A run of consecutive clips encoded as one piece: from the pause before its first clip to its last speech."""

    first: int
    """Index of its first clip in `ChapterPlan.placed`."""
    last: int
    """Index just past its last clip."""
    start: int
    """Its first frame on the plan's timeline."""
    frames: int
    """Its length in frames (the last block also holds the tail room tone)."""


def pause_ms(pause: Pause, pauses: Pauses) -> int:
    """The silence in milliseconds in front of a segment with boundary *pause* (START is the head's job)."""
    return {
        Pause.START: 0,
        Pause.INLINE: pauses.inline,
        Pause.PARAGRAPH: pauses.paragraph,
        Pause.SCENE: pauses.scene,
        Pause.HEADING: pauses.heading,
    }[pause]


def plan_chapter(clips: Sequence[Clip], gains: dict[Voice, float], pauses: Pauses, *,
                 cancel: threading.Event | None = None) -> ChapterPlan:
    """Place *clips* after head room tone and their pauses, and measure the result with the voice *gains*."""
    rate = max((clip_rate(c) for c in clips), default=DEFAULT_RATE)
    meter = Meter(rate)
    placed: list[Placed] = []
    position = 0
    for number, clip in enumerate(clips):
        if cancel is not None and cancel.is_set():
            raise KeyboardInterrupt
        pause = _frames(pauses.head if not number else _gap(clip, pauses), rate)
        _feed_silence(meter, pause)
        length = 0
        for piece in speech_chunks(clip, rate):
            meter.add(with_gain(piece, gains.get(clip.line.voice, 0.0)))
            length += piece.size
        placed.append(Placed(clip, pause, position + pause, length))
        position += pause + length
    if not clips:
        position = _frames(pauses.head, rate)
        _feed_silence(meter, position)
    tail = _frames(pauses.tail, rate)
    _feed_silence(meter, tail)
    return ChapterPlan(rate, tuple(placed), tail, position + tail, meter.loudness(), meter.peak_db(),
                       tuple(spread([p.speech for p in placed], SAMPLE_S * rate)))


def split_blocks(plan: ChapterPlan, seconds: float | None = None) -> tuple[Block, ...]:
    """The plan cut before a clip's pause whenever a block has reached *seconds* (BLOCK_S); never inside speech."""
    limit = max(1, round((seconds or BLOCK_S) * plan.rate))
    blocks: list[Block] = []
    first, start = 0, 0
    for i, p in enumerate(plan.placed):
        if i > first and p.at - p.pause - start >= limit:
            blocks.append(Block(first, i, start, p.at - p.pause - start))
            first, start = i, p.at - p.pause
    blocks.append(Block(first, len(plan.placed), start, plan.frames - start))
    return tuple(blocks)


def split_files(plan: ChapterPlan, max_frames: int) -> list[tuple[int, int]]:
    """Clip ranges, one per file, each at most *max_frames* long with its own head and tail room tone.

    A chapter that fits is one range. A longer one is cut into as few, as even parts as fit,
    before a paragraph (a scene break when one is near the even cut), never inside one
    unless a paragraph alone is longer than a file may be.
    """
    n = len(plan.placed)
    if plan.frames <= max_frames or n < 2:
        return [(0, n)]
    capacity = max(1, max_frames - plan.placed[0].pause - plan.tail)
    total = _span(plan, 0, n)
    target = total / math.ceil(total / capacity)
    ranges, first = [], 0
    while _span(plan, first, n) > capacity:
        cut = _cut(plan, first, capacity, target)
        ranges.append((first, cut))
        first = cut
    return ranges + [(first, n)]


def _cut(plan: ChapterPlan, first: int, capacity: int, target: float) -> int:
    """Where the file starting at clip *first* ends: the paragraph start nearest the even cut that still fits."""
    fits = [b for b in range(first + 1, len(plan.placed)) if _span(plan, first, b) <= capacity] or [first + 1]
    paragraphs = [b for b in fits if plan.placed[b].clip.line.segment.pause is not Pause.INLINE] or fits
    scenes = [b for b in paragraphs if plan.placed[b].clip.line.segment.pause is Pause.SCENE
              and abs(_span(plan, first, b) - target) <= SCENE_REACH * target]
    return min(scenes or paragraphs, key=lambda b: abs(_span(plan, first, b) - target))


def _span(plan: ChapterPlan, first: int, last: int) -> int:
    """Frames from the speech of clip *first* to the end of the speech of clip *last* - 1."""
    end = plan.placed[last - 1]
    return end.at + end.speech - plan.placed[first].at


def block_pcm(plan: ChapterPlan, block: Block, gains: dict[Voice, float], *,
              cancel: threading.Event | None = None) -> Iterator[np.ndarray]:
    """The block's samples as mono float32 (full scale 1.0), voice gains applied, in pieces."""
    end = block.start
    for p in plan.placed[block.first:block.last]:
        if cancel is not None and cancel.is_set():
            raise KeyboardInterrupt
        yield from _silence(p.pause)
        for piece in speech_chunks(p.clip, plan.rate):
            yield with_gain(piece, gains.get(p.clip.line.voice, 0.0))
        end = p.at + p.speech
    yield from _silence(block.start + block.frames - end)


def with_gain(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """int16 samples as float32 (full scale 1.0) raised or lowered by *gain_db*; never clipped here."""
    scale = np.float32(10 ** (gain_db / 20) / 32768.0)
    return samples.astype(np.float32) * scale


def _gap(clip: Clip, pauses: Pauses) -> int:
    # a stray START after the first segment still needs a pause: treat it as a paragraph
    pause = clip.line.segment.pause
    return pauses.paragraph if pause is Pause.START else pause_ms(pause, pauses)


def _feed_silence(meter: Meter, frames: int) -> None:
    for piece in _silence(frames):
        meter.add(piece)


def _silence(frames: int) -> Iterator[np.ndarray]:
    """*frames* of digital silence, in pieces of at most CHUNK_FRAMES."""
    while frames > 0:
        size = min(frames, CHUNK_FRAMES)
        yield np.zeros(size, dtype=np.float32)
        frames -= size


def _frames(ms: int, rate: int) -> int:
    return round(ms * rate / 1000)


def _ms(frames: int, rate: int) -> int:
    return round(frames * 1000 / rate)
