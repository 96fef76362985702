"""Read synthesised clips back: their speech without the engine's padding, and each voice's loudness.

This is the only module that imports pydub (to read and conform clips at another rate
or width). A clip's edges quieter than TRIM_DB are engine padding and are cut; the
configured pauses replace them. Long clips are read in pieces so memory stays flat.
`level_voices` measures each voice over a bounded sample of all its clips (BS.1770, in
this process) and returns the gain that brings it to a common reference, below the final
target so the chapter keeps headroom for mastering.
"""

from __future__ import annotations

import math
import wave
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Sequence

import numpy as np

from ..errors import AudioError
from ..model import Clip, Voice
from . import ffmpeg
from .loudness import SILENT_LUFS, integrated_loudness
from .workers import available_cores

REFERENCE_LUFS = -24.0
"""Every voice is levelled to this before stitching; 4 LU under the default target leaves headroom for gains."""
LEVEL_SAMPLE_S = 60.0
"""At most this much speech per voice is read to measure it: enough for BS.1770, cheap for a novel."""
MAX_GAIN_DB = 24.0
"""Levelling never moves a voice by more than this (a near-silent voice is a casting problem, not a gain one)."""
TRIM_DB = -60.0
"""Clip edges quieter than this (dBFS) are engine padding and are cut; the configured pauses replace them."""
CHUNK_FRAMES = 1 << 20
"""Longest piece of a clip held in memory at once (about 48 s at 22.05 kHz, 2 MB)."""
_TRIM_LEVEL = 32768 * 10 ** (TRIM_DB / 20)


def _import_pydub():
    """pydub, with its converter pointed at the bundled ffmpeg and its import-time warnings silenced."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Couldn't find ffmpeg" (we set it below) and audioop's deprecation
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg.ffmpeg_exe()
    return AudioSegment


AudioSegment = _import_pydub()


def read_clip(clip: Clip, sample_rate: int | None = None) -> np.ndarray:
    """The clip's samples as mono int16 (at *sample_rate* when given), trimmed to its speech."""
    try:
        with wave.open(str(clip.path), "rb") as handle:
            segment = AudioSegment(data=handle.readframes(handle.getnframes()), sample_width=handle.getsampwidth(),
                                   frame_rate=handle.getframerate(), channels=handle.getnchannels())
    except (OSError, EOFError, wave.Error, ValueError) as exc:
        raise _unreadable(clip, exc) from exc
    if segment.channels != 1:
        segment = segment.set_channels(1)
    if segment.sample_width != 2:
        segment = segment.set_sample_width(2)
    if sample_rate and segment.frame_rate != sample_rate:
        segment = segment.set_frame_rate(sample_rate)
    samples = np.frombuffer(segment.raw_data, dtype="<i2")
    start, end = speech_bounds(samples)
    return samples[start:end]


def speech_chunks(clip: Clip, sample_rate: int) -> Iterator[np.ndarray]:
    """The same samples as `read_clip`, in pieces of at most CHUNK_FRAMES read one at a time.

    A segment can be a quarter of an hour of speech (a letter quoted whole); reading it
    piecewise keeps a render's memory flat. Clips that need converting are read whole.
    """
    short, pieces = None, None
    try:
        with wave.open(str(clip.path), "rb") as handle:
            if (handle.getnchannels(), handle.getsampwidth(), handle.getframerate()) != (1, 2, sample_rate):
                pass  # pydub converts it below
            elif handle.getnframes() <= CHUNK_FRAMES:
                samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
                start, end = speech_bounds(samples)
                short = samples[start:end]
            else:
                pieces = list(_trimmed_pieces(handle))
    except (OSError, EOFError, wave.Error, ValueError) as exc:
        raise _unreadable(clip, exc) from exc
    if pieces is not None:
        yield from _read_pieces(clip, pieces)
    else:
        yield short if short is not None else read_clip(clip, sample_rate)


def _trimmed_pieces(handle: wave.Wave_read) -> Iterator[tuple[int, int]]:
    """(position, frames) of the pieces between the first and last loud sample of an open mono 16-bit WAV."""
    total = handle.getnframes()
    starts = range(0, total, CHUNK_FRAMES)
    first = last = None
    for pos in starts:
        lo, hi = _piece_bounds(handle, pos, total)
        if hi > lo:
            first = pos + lo
            break
    for pos in reversed(starts):
        lo, hi = _piece_bounds(handle, pos, total)
        if hi > lo:
            last = pos + hi
            break
    if first is None or last is None:
        return
    for pos in range(first, last, CHUNK_FRAMES):
        yield pos, min(CHUNK_FRAMES, last - pos)


def _piece_bounds(handle: wave.Wave_read, pos: int, total: int) -> tuple[int, int]:
    handle.setpos(pos)
    return speech_bounds(np.frombuffer(handle.readframes(min(CHUNK_FRAMES, total - pos)), dtype="<i2"))


def _read_pieces(clip: Clip, pieces: list[tuple[int, int]]) -> Iterator[np.ndarray]:
    try:
        with wave.open(str(clip.path), "rb") as handle:
            for pos, frames in pieces:
                handle.setpos(pos)
                yield np.frombuffer(handle.readframes(frames), dtype="<i2")
    except (OSError, EOFError, wave.Error, ValueError) as exc:
        raise _unreadable(clip, exc) from exc


def _unreadable(clip: Clip, exc: BaseException) -> AudioError:
    seg = clip.line.segment
    return AudioError(f"{clip.path}: cannot read the clip of chapter {seg.chapter} segment {seg.index} ({exc}); "
                      "render again with --force to re-synthesise it")


def speech_bounds(samples: np.ndarray) -> tuple[int, int]:
    """First and one-past-last sample louder than TRIM_DB; (0, 0) for a silent clip."""
    loud = np.abs(samples.astype(np.int32)) > _TRIM_LEVEL
    if not loud.any():
        return 0, 0
    return int(np.argmax(loud)), int(len(loud) - np.argmax(loud[::-1]))


def clip_rate(clip: Clip) -> int:
    """The sample rate in the clip's WAV header (reads only the header)."""
    try:
        with wave.open(str(clip.path), "rb") as handle:
            return handle.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        seg = clip.line.segment
        raise AudioError(f"{clip.path}: not a readable WAV for chapter {seg.chapter} segment {seg.index} ({exc}); "
                         "render again with --force to re-synthesise it") from exc


def level_voices(clips: Sequence[Clip], *, target_lufs: float = REFERENCE_LUFS,
                 sample_s: float = LEVEL_SAMPLE_S) -> dict[Voice, float]:
    """Gain in dB per voice that brings each voice's speech to *target_lufs*, measured over all its clips.

    Each voice is measured in this process (libebur128) from a sample, several at once on every core.
    """
    by_voice: dict[Voice, list[Clip]] = {}
    for clip in clips:
        by_voice.setdefault(clip.line.voice, []).append(clip)
    if len(by_voice) <= 1:
        return {voice: _voice_gain(group, target_lufs, sample_s) for voice, group in by_voice.items()}
    with ThreadPoolExecutor(max_workers=min(len(by_voice), available_cores())) as pool:
        gains = pool.map(lambda group: _voice_gain(group, target_lufs, sample_s), by_voice.values())
        return dict(zip(by_voice, gains))


def _voice_gain(clips: list[Clip], target_lufs: float, sample_s: float) -> float:
    chosen = _spread_sample(clips, sample_s * 1000)
    rate = clip_rate(chosen[0])
    speech = np.concatenate([_head(clip, rate, int(sample_s * rate)) for clip in chosen])
    if speech.size == 0:
        return 0.0
    block = int(rate * 0.4) + 1
    if speech.size < block:  # BS.1770 needs one 400 ms block; repeating a short line keeps its loudness
        speech = np.tile(speech, block // speech.size + 1)
    loudness = integrated_loudness(speech, rate)
    if not math.isfinite(loudness) or loudness <= SILENT_LUFS:
        return 0.0
    return round(float(max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target_lufs - loudness))), 2)


def _head(clip: Clip, rate: int, frames: int) -> np.ndarray:
    """At most *frames* of the clip's speech: a sample never needs all of a very long clip."""
    pieces, count = [], 0
    for piece in speech_chunks(clip, rate):
        pieces.append(piece[: frames - count])
        count += pieces[-1].size
        if count >= frames:
            break
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype="<i2")


def _spread_sample(clips: list[Clip], budget_ms: float) -> list[Clip]:
    """Clips spread evenly over the whole list, up to about *budget_ms* of audio, in order."""
    return [clips[i] for i in spread([c.duration_ms for c in clips], budget_ms)] or clips[:1]


def spread(sizes: Sequence[int], budget: float) -> list[int]:
    """Indices of items spread evenly over the whole list whose *sizes* add up to about *budget*, in order.

    All of them when they fit; a sample never needs every line of a long book, but it must
    hear the whole book, not only its start.
    """
    total = sum(max(size, 1) for size in sizes)
    if total <= budget:
        return list(range(len(sizes)))
    stride = total / budget
    return sorted({int(i * stride) for i in range(int(len(sizes) / stride) + 1) if int(i * stride) < len(sizes)})
