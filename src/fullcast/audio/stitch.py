"""Turn synthesised clips into finished chapter audio: level, stitch, master, encode.

This is the only module that imports pydub (to read and conform clips).
Loudness is handled in two steps so it neither pumps nor clips:

1. `level_voices` measures each voice over a bounded sample of all its clips (BS.1770,
   ffmpeg's ebur128) and returns the gain that brings it to a common reference, deliberately
   below the final target so the stitched PCM keeps headroom.
2. `encode_chapter` measures the stitched chapter with ffmpeg's ebur128, applies one
   static gain to reach `mastering.loudness` and a look-ahead limiter under the true-peak
   ceiling, resamples with soxr to 44.1 kHz and encodes MP3 CBR.

`stitch_chapter` streams one clip at a time into a WAV file, so memory stays flat
however long the chapter is, and records where each segment's speech lies (cues).
"""

from __future__ import annotations

import math
import os
import threading
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..errors import AudioError
from ..model import Clip, Cue, Pause, Voice
from ..settings.config import Mastering, Pauses
from . import ffmpeg

REFERENCE_LUFS = -24.0
"""Every voice is levelled to this before stitching; 4 LU under the default target leaves headroom for gains."""
LEVEL_SAMPLE_S = 60.0
"""At most this much speech per voice is read to measure it: enough for BS.1770, cheap for a novel."""
MAX_GAIN_DB = 24.0
"""Levelling never moves a voice by more than this (a near-silent voice is a casting problem, not a gain one)."""
TRIM_DB = -60.0
"""Clip edges quieter than this (dBFS) are engine padding and are cut; the configured pauses replace them."""
TP_MARGIN_DB = 1.0
"""The limiter sits this far under the true-peak ceiling: inter-sample peaks and MP3 overshoot need room."""
MP3_LOSS_LU = 0.4
"""LAME at 192k mono measures 0.3-0.5 LU quieter than its input (espeak speech, noise, sines): aim that much higher."""
SILENT_LUFS = -70.0
"""BS.1770's absolute gate: a chapter measuring this low has no speech to master."""
LINEAR_ENOUGH_LU = 1.5
"""A correction this small after the limiter is applied as is; a larger one is measured again."""
SAMPLE_RATE = 44100
"""Output sample rate (ACX, Google Play)."""
BITRATE = "192k"
"""Output MP3 bit rate, constant (ACX asks for CBR >= 192k)."""
ENCODING_VERSION = "mp3-192k-cbr-44100-mono/q9/alimiter/soxr/one-pass/5"
"""Changes whenever the encoder chain changes, so the manifest re-encodes old files."""
CHUNK_FRAMES = 1 << 20
"""Longest piece of a clip held in memory at once (about 48 s at 22.05 kHz, 2 MB)."""
_TRIM_LEVEL = 32768 * 10 ** (TRIM_DB / 20)


@dataclass(frozen=True)
class StitchedChapter:
    """A chapter's speech and pauses joined into one WAV, before mastering."""

    path: Path
    """Mono 16-bit WAV at `sample_rate`."""
    sample_rate: int
    """The clips' own rate (the highest among them); mastering resamples to 44.1 kHz."""
    duration_ms: int
    """Length of the audio, head and tail room tone included."""
    cues: tuple[Cue, ...]
    """Where each segment's speech starts and ends, in milliseconds from the file start."""


def _import_pydub():
    """pydub, with its converter pointed at the bundled ffmpeg and its import-time warnings silenced."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Couldn't find ffmpeg" (we set it below) and audioop's deprecation
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg.ffmpeg_exe()
    return AudioSegment


AudioSegment = _import_pydub()


def pause_ms(pause: Pause, pauses: Pauses) -> int:
    """The silence in milliseconds in front of a segment with boundary *pause* (START is the head's job)."""
    return {
        Pause.START: 0,
        Pause.INLINE: pauses.inline,
        Pause.PARAGRAPH: pauses.paragraph,
        Pause.SCENE: pauses.scene,
        Pause.HEADING: pauses.heading,
    }[pause]


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

    Each voice is measured by ffmpeg's ebur128 (BS.1770) from a piped sample, several at once:
    no scipy import (about 1 s and 60 MB), and the second core is used.
    """
    by_voice: dict[Voice, list[Clip]] = {}
    for clip in clips:
        by_voice.setdefault(clip.line.voice, []).append(clip)
    if len(by_voice) <= 1:
        return {voice: _voice_gain(group, target_lufs, sample_s) for voice, group in by_voice.items()}
    with ThreadPoolExecutor(max_workers=min(len(by_voice), os.cpu_count() or 1)) as pool:
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
    loudness = ffmpeg.pcm_loudness(speech.astype("<i2").tobytes(), rate)
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
    total = sum(max(c.duration_ms, 1) for c in clips)
    if total <= budget_ms:
        return clips
    stride = total / budget_ms
    chosen = [clips[int(i * stride)] for i in range(int(len(clips) / stride) + 1) if int(i * stride) < len(clips)]
    return chosen or clips[:1]


def stitch_chapter(clips: Sequence[Clip], gains: dict[Voice, float], pauses: Pauses, dest: Path, *,
                   cancel: threading.Event | None = None) -> StitchedChapter:
    """Write head room tone, each clip's speech after its pause, and tail room tone into the WAV *dest*."""
    rate = max((clip_rate(c) for c in clips), default=22050)
    cues: list[Cue] = []
    try:
        with wave.open(str(dest), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            position = _write_silence(out, pauses.head, rate)
            for number, clip in enumerate(clips):
                if cancel is not None and cancel.is_set():
                    raise KeyboardInterrupt
                if number:  # a stray START after the first segment still needs a pause: treat it as a paragraph
                    pause = clip.line.segment.pause
                    gap = pauses.paragraph if pause is Pause.START else pause_ms(pause, pauses)
                    position += _write_silence(out, gap, rate)
                begin = position
                for piece in speech_chunks(clip, rate):
                    out.writeframesraw(_apply_gain(piece, gains.get(clip.line.voice, 0.0)).tobytes())
                    position += piece.size
                cues.append(Cue(clip.line.segment, _ms(begin, rate), _ms(position, rate)))
            position += _write_silence(out, pauses.tail, rate)
    except OSError as exc:
        raise AudioError(f"{dest}: cannot write the stitched chapter ({exc.strerror or exc}); "
                         "check free disk space in the output folder") from exc
    return StitchedChapter(dest, rate, _ms(position, rate), tuple(cues))


def _write_silence(out: wave.Wave_write, ms: int, rate: int) -> int:
    frames = round(ms * rate / 1000)
    out.writeframesraw(bytes(2 * frames))
    return frames


def _ms(frames: int, rate: int) -> int:
    return round(frames * 1000 / rate)


def _apply_gain(samples: np.ndarray, gain_db: float) -> np.ndarray:
    if not gain_db or samples.size == 0:
        return samples.astype("<i2", copy=False)
    scaled = np.rint(samples.astype(np.float64) * 10 ** (gain_db / 20))
    return np.clip(scaled, -32768, 32767).astype("<i2")


def mastering_chain(gain_db: float, mastering: Mastering, *, resample: bool = True) -> str:
    """The ffmpeg filter chain: one static gain, a true-peak-safe limiter, soxr to 44.1 kHz, optional room tone."""
    limit = 10 ** ((mastering.true_peak - TP_MARGIN_DB) / 20)
    chain = f"volume={gain_db:.2f}dB,alimiter=limit={limit:.4f}:level=false:latency=true:attack=5:release=50"
    if not resample:
        return chain
    chain += f",aresample={SAMPLE_RATE}:resampler=soxr"
    if mastering.noise_floor is not None:
        # uniform white noise of amplitude a has RMS a/sqrt(3): set its RMS to the configured floor
        amplitude = min(1.0, 10 ** (mastering.noise_floor / 20) * math.sqrt(3))
        chain = (f"[0:a]{chain}[speech];anoisesrc=r={SAMPLE_RATE}:color=white:amplitude={amplitude:.6f}:seed=1[bed];"
                 "[speech][bed]amix=inputs=2:duration=first:normalize=0")
    return chain


def mastering_gain(stitched: StitchedChapter, mastering: Mastering) -> float:
    """The static gain in dB that brings the chapter to the loudness target once the limiter has shaved its peaks.

    Every voice was levelled to REFERENCE_LUFS before stitching, so the chapter normally sits
    near it and one pass through the limiter at that nominal gain tells what is left to make
    up. Only audio far from it (not levelled) needs a second pass, because the limiter is not linear.
    """
    gain = mastering.loudness - REFERENCE_LUFS
    for _ in range(2):
        limited = ffmpeg.integrated_loudness(stitched.path, filters=mastering_chain(gain, mastering, resample=False))
        if not math.isfinite(limited) or limited - gain <= SILENT_LUFS:
            return 0.0  # nothing but room tone: leave it silent
        missing = mastering.loudness - limited
        gain = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, gain + missing))
        if abs(missing) < LINEAR_ENOUGH_LU:
            break
    return round(gain + MP3_LOSS_LU, 2)


def encode_chapter(stitched: StitchedChapter, mastering: Mastering, dest: Path) -> float:
    """Master *stitched* to the loudness target and encode MP3 CBR 192k 44.1 kHz mono into *dest*; returns the gain in dB."""
    gain = mastering_gain(stitched, mastering)
    flag = "-filter_complex" if mastering.noise_floor is not None else "-af"
    # LAME's fastest quality setting: at 192k CBR mono, espeak speech sounds the same at 2 and at 9.
    ffmpeg.run_ffmpeg(["-y", "-i", stitched.path, flag, mastering_chain(gain, mastering), "-ac", "1",
                       "-ar", str(SAMPLE_RATE), "-c:a", "libmp3lame", "-b:a", BITRATE, "-compression_level", "9",
                       "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", dest],
                      subject=dest)
    return gain
