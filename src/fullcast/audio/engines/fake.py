"""The fake engine: a deterministic tone per word in place of speech, for fast tests and dry runs.

It accepts exactly the voice ids espeak does, so one voices.yaml works with both engines
and voice errors can be tested without starting espeak.
"""

from __future__ import annotations

import math
import os
import time
import zlib
from functools import lru_cache
from pathlib import Path

from ...model import Voice
from . import espeak
from .base import SAMPLE_RATE, write_wav

FAKE_DELAY_ENV = "FULLCAST_FAKE_DELAY"
"""Seconds the fake engine sleeps per utterance, so tests can interrupt a slow synthesis."""
FAKE_RATE_ENV = "FULLCAST_FAKE_RATE"
"""The fake engine's sample rate in Hz (default espeak's): a long book at 8000 Hz costs a third of the disk."""


def _word_count(text: str) -> int:
    return sum(1 for word in text.split() if any(c.isalnum() for c in word))


def fake_frequency(voice: Voice) -> float:
    """The fake engine's tone for *voice*: set by the voice id, raised or lowered by pitch."""
    return 110.0 + (zlib.crc32(voice.voice_id.encode("utf-8")) % 160) + 2.0 * (voice.pitch - 50)


class FakeEngine:
    """A deterministic stand-in for espeak: a tone per word, no espeak, no subprocess.

    Duration is words x 60/rate seconds plus espeak-like silences (12 ms before, 300 ms after);
    the frequency depends on voice id and pitch, so different voices differ in mean pitch.
    It rejects the voice ids the real engine lacks, so errors can be tested without espeak.
    """

    max_utterance_chars = espeak.MAX_UTTERANCE_CHARS
    """The real engine's limit, so long lines are split the same way with both."""

    def __init__(self) -> None:
        self.sample_rate = int(os.environ.get(FAKE_RATE_ENV) or SAMPLE_RATE)
        """espeak's rate, or the one FULLCAST_FAKE_RATE gives."""

    def synthesize(self, text: str, voice: Voice, path: Path) -> None:
        """Write the tone for *text* to *path*."""
        delay = float(os.environ.get(FAKE_DELAY_ENV) or 0)
        if delay:
            time.sleep(delay)
        if voice.voice_id not in _accepted_ids():
            espeak.check_voice(voice.voice_id, "fake")
        lead, word, tail = _fake_pieces(fake_frequency(voice), voice.rate, voice.volume, self.sample_rate)
        write_wav(path, lead + word * _word_count(text) + tail, self.sample_rate)


@lru_cache(maxsize=1)
def _accepted_ids() -> frozenset[str]:
    return frozenset(v.id for v in espeak.list_voices())


@lru_cache(maxsize=64)
def _fake_pieces(frequency: float, rate: int, volume: float, sample_rate: int) -> tuple[bytes, bytes, bytes]:
    """PCM for the leading silence, one word, and the trailing silence."""
    import numpy as np

    frames = int(sample_rate * 60 / max(rate, 1))
    t = np.arange(frames) / sample_rate
    # Silence over the last fifth of each word keeps the words apart, as in speech.
    tone = np.sin(2 * math.pi * frequency * t) * (np.arange(frames) < 0.8 * frames)
    amplitude = min(max(volume, 0.0), 1.0) * 0.5 * 32767
    word = (tone * amplitude).astype("<i2").tobytes()
    return bytes(2 * int(0.012 * sample_rate)), word, bytes(2 * int(0.3 * sample_rate))
