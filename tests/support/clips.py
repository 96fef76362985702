"""Hand-made clips for the audio tests: speech-like noise with engine-like silence, as cached WAV files."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np

from fullcast.audio.engines import FakeEngine
from fullcast.audio.stitch import Block, ChapterPlan, block_pcm
from fullcast.model import Clip, Line, Pause, Segment, SegmentKind, Voice
from fullcast.settings.config import Pauses

RATE = 22050
NARRATOR = Voice("fake", "gmw/en-us", 175, 50, 0.9)
QUIET = Voice("fake", "gmw/en-us+f3", 175, 70, 0.25)
PAUSES = Pauses(head=750, tail=2000, heading=1200, paragraph=600, inline=250, scene=1800)


def speechy(ms: int, seed: int, amplitude: float = 0.3, rate: int = RATE) -> np.ndarray:
    """Noise with a syllable-rate envelope: crest factor and spectrum closer to speech than a sine."""
    rng = np.random.default_rng(seed)
    n = round(ms * rate / 1000)
    if n == 0:
        return np.zeros(0)
    envelope = 0.55 + 0.45 * np.sin(2 * math.pi * 4 * np.arange(n) / rate)
    # a short moving average tilts the noise towards low frequencies, as speech is (RMS then ~ LUFS)
    noise = np.convolve(rng.normal(0, amplitude / 1.2, n), np.ones(12) / 12, mode="same")
    return np.clip(noise * envelope, -1, 1)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Mono 16-bit WAV of float samples (full scale 1.0)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(samples * 32767).astype("<i2").tobytes())


def make_clip(folder: Path, index: int, speech_ms: int, pause: Pause, *, voice: Voice = NARRATOR,
              lead_ms: int = 12, trail_ms: int = 300, rate: int = RATE, amplitude: float = 0.3,
              chapter: int = 1) -> Clip:
    """A clip with engine-like silence around *speech_ms* of speech, as a cached WAV."""
    body = speechy(speech_ms, seed=index, amplitude=amplitude, rate=rate)
    if body.size:
        body[0] = body[-1] = 0.5  # speech edges exactly where we put them
    pcm = np.concatenate([np.zeros(round(lead_ms * rate / 1000)), body, np.zeros(round(trail_ms * rate / 1000))])
    path = folder / f"clip{index}.wav"
    write_wav(path, pcm, rate)
    segment = Segment(chapter, index, SegmentKind.NARRATION, "narrator", f"line {index}", None, None, None, pause)
    return Clip(Line(segment, voice, segment.text), path, round(len(pcm) * 1000 / rate), True)


def fake_clips(folder: Path, voice: Voice, texts: list[str], first_index: int) -> list[Clip]:
    """Clips made by the fake engine: a tone per word, louder or quieter by voice.volume."""
    clips = []
    for offset, text in enumerate(texts):
        index = first_index + offset
        path = folder / f"fake{index}.wav"
        FakeEngine().synthesize(text, voice, path)
        with wave.open(str(path)) as handle:
            ms = handle.getnframes() * 1000 // handle.getframerate()
        segment = Segment(1, index, SegmentKind.DIALOGUE, voice.voice_id, text, None, None, None, Pause.PARAGRAPH)
        clips.append(Clip(Line(segment, voice, text), path, ms, True))
    return clips


def whole_pcm(plan: ChapterPlan, gains: dict | None = None) -> np.ndarray:
    """Every sample of a plan, as one float32 array (the plan streamed as a single block)."""
    block = Block(0, len(plan.placed), 0, plan.frames)
    return np.concatenate(list(block_pcm(plan, block, gains or {})))
