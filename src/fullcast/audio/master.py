"""Master and encode a file's audio: one static gain to the loudness target, a limiter under the ceiling, MP3.

The gain comes from the plan's own measurement (`stitch.plan_chapter`), so no extra decode
of the chapter is needed. Where the gain would push peaks into the limiter, the limiter's
bite is measured once on a spread sample of the file and made up. Each block is then
streamed through `volume`, `alimiter`, soxr resampling and LAME into an MP3 fragment
with exactly the samples the block holds; fragments are content-addressed in the cache,
so a block whose clips, gains and settings did not change is never encoded again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..model import Voice
from ..settings.config import Mastering
from . import ffmpeg
from .cache import sweep_temporaries
from .clips import MAX_GAIN_DB, speech_chunks
from .stitch import Block, ChapterPlan, block_pcm, with_gain

SAMPLE_RATE = 44100
"""Output sample rate (ACX, Google Play)."""
BITRATE = "192k"
"""Output MP3 bit rate, constant (ACX asks for CBR >= 192k)."""
TP_MARGIN_DB = 1.0
"""The limiter sits this far under the true-peak ceiling: inter-sample peaks and MP3 overshoot need room."""
OVERSHOOT_DB = 0.5
"""How far a true peak may rise above the sample peak on resampling; below the limit by this, the limiter idles."""
MP3_LOSS_LU = 0.4
"""LAME at 192k mono measures 0.3-0.5 LU quieter than its input (espeak speech, noise, sines): aim that much higher."""
LIMITER_PASSES = 4
"""Most measurements of the limiter's bite; the gain settles in one or two."""
SETTLED_LU = 0.1
"""A sample this close to its target loudness through the limiter has its gain."""
MIN_SLOPE = 0.1
"""The least loudness a limiter working hard still passes per dB of gain, so a step never runs away."""
ENCODING_VERSION = "mp3-192k-cbr-44100-mono/q9/alimiter/soxr/blocks/6"
"""Changes whenever the encoder chain changes, so cached fragments and finished files are made again."""
FRAGMENT_FOLDER = "mp3"
"""Where in the cache folder encoded blocks live."""


@dataclass(frozen=True)
class Fragment:
    """One block encoded as MP3, in the cache."""

    path: Path
    """The MP3 file (no tags)."""
    samples: int
    """Samples at 44.1 kHz it decodes to, without the encoder's priming and padding."""


def limit_db(mastering: Mastering) -> float:
    """The limiter's ceiling in dBFS."""
    return mastering.true_peak - TP_MARGIN_DB


def mastering_chain(gain_db: float, mastering: Mastering, *, resample: bool = True) -> str:
    """The ffmpeg filter chain: one static gain, a true-peak-safe limiter, soxr to 44.1 kHz, optional room tone."""
    limit = 10 ** (limit_db(mastering) / 20)
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


def chapter_gain(plan: ChapterPlan, gains: dict[Voice, float], mastering: Mastering) -> float:
    """The static gain in dB that brings the file to the loudness target once the limiter has shaved its peaks.

    Where peaks reach the limiter, its bite is measured on the plan's spread sample and made
    up; the limiter is not linear, so the gain is found by the secant method, usually in one
    or two passes. A file of room tone only keeps 0 dB: there is no speech to bring anywhere.
    """
    if not math.isfinite(plan.loudness):
        return 0.0
    plain = _clamp(mastering.loudness - plan.loudness)
    gain = plain
    if plan.peak_db + gain > limit_db(mastering) - OVERSHOOT_DB:
        gain = _through_the_limiter(_sample(plan, gains), plan.rate, plain, mastering)
    return round(gain + MP3_LOSS_LU, 2)


def _through_the_limiter(sample: np.ndarray, rate: int, plain: float, mastering: Mastering) -> float:
    """The gain at which the limited sample comes out *plain* dB above its own unlimited loudness."""
    gain, last = plain, None
    for _ in range(LIMITER_PASSES):
        before, after = ffmpeg.pcm_loudness(sample.tobytes(), rate, sample_format="f32le",
                                            filters=mastering_chain(gain, mastering, resample=False))
        if not (math.isfinite(before) and math.isfinite(after)):
            return plain
        miss = before + plain - after
        if abs(miss) < SETTLED_LU:
            break
        # dB out per dB in: 1 below the limiter, less the harder it works
        slope = (after - last[1]) / (gain - last[0]) if last and gain != last[0] else 1.0
        last, gain = (gain, after), _clamp(gain + miss / min(1.0, max(MIN_SLOPE, slope)))
    return gain


def _sample(plan: ChapterPlan, gains: dict[Voice, float]) -> np.ndarray:
    """The plan's spread sample of speech, voice gains applied, at least one BS.1770 block long."""
    pieces = [with_gain(piece, gains.get(plan.placed[i].clip.line.voice, 0.0))
              for i in plan.sample for piece in speech_chunks(plan.placed[i].clip, plan.rate)]
    sample = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    block = int(plan.rate * 0.4) + 1
    if 0 < sample.size < block:  # BS.1770 needs one 400 ms block; repeating a short line keeps its loudness
        sample = np.tile(sample, block // sample.size + 1)
    return sample


def _clamp(gain: float) -> float:
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, gain))


def output_samples(plan: ChapterPlan, block: Block) -> int:
    """The samples a block holds once resampled to 44.1 kHz."""
    return round(block.frames * SAMPLE_RATE / plan.rate)


def fragment_key(plan: ChapterPlan, block: Block, gains: dict[Voice, float], gain: float,
                 mastering: Mastering) -> str:
    """A digest of everything the block's MP3 is made from; the cache entry's name."""
    clips = [[p.clip.path.name, _size(p.clip.path), p.pause, p.speech, gains.get(p.clip.line.voice, 0.0)]
             for p in plan.placed[block.first:block.last]]
    facts = [ENCODING_VERSION, plan.rate, block.frames, output_samples(plan, block),
             mastering_chain(round(gain, 2), mastering), clips]
    return hashlib.sha256(json.dumps(facts).encode("utf-8")).hexdigest()


def fragment_path(cache_dir: Path, key: str) -> Path:
    """Where the fragment with *key* lives in the cache."""
    return cache_dir / FRAGMENT_FOLDER / key[:2] / f"{key}.mp3"


def encode_block(plan: ChapterPlan, block: Block, gains: dict[Voice, float], gain: float, mastering: Mastering,
                 cache_dir: Path, *, cancel: threading.Event | None = None) -> Fragment:
    """The block's fragment from the cache, or encoded now (via a temporary name) and cached. Once *cancel* is set it
    raises KeyboardInterrupt, before starting ffmpeg or at its next piece of audio."""
    if cancel is not None and cancel.is_set():  # queued behind a stopped render: end at once, start no ffmpeg
        raise KeyboardInterrupt
    samples = output_samples(plan, block)
    path = fragment_path(cache_dir, fragment_key(plan, block, gains, gain, mastering))
    if _size(path):
        return Fragment(path, samples)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioError(f"{path.parent}: cannot create the cache folder ({exc.strerror or exc}); "
                         "check the output folder's permissions and free space") from exc
    temporary = path.with_name(f"{path.stem}.{os.getpid()}-{threading.get_ident()}.tmp")
    chain = f"{mastering_chain(gain, mastering)},atrim=end_sample={samples},apad=whole_len={samples}"
    flag = "-filter_complex" if mastering.noise_floor is not None else "-af"
    feed = (piece.tobytes() for piece in block_pcm(plan, block, gains, cancel=cancel))
    try:
        # LAME's fastest quality setting: at 192k CBR mono, speech sounds the same at 2 and at 9.
        ffmpeg.run_ffmpeg(["-f", "f32le", "-ar", str(plan.rate), "-ac", "1", "-i", "pipe:0", flag, chain,
                           "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "libmp3lame", "-b:a", BITRATE,
                           "-compression_level", "9", "-map_metadata", "-1", "-id3v2_version", "0",
                           "-write_id3v1", "0", "-f", "mp3", "-y", temporary], feed=feed, subject=path)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return Fragment(path, samples)


def sweep_fragments(cache_dir: Path) -> None:
    """Delete half-written fragments left by processes that are gone."""
    sweep_temporaries((cache_dir / FRAGMENT_FOLDER).glob("*/"))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
