"""Reading test WAV files back without fullcast's own code."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def read_pcm(path: Path) -> tuple[tuple[int, int, int], np.ndarray]:
    """(channels, sample width, rate) and the samples of a 16-bit WAV file."""
    with wave.open(str(path), "rb") as wav:
        shape = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
        return shape, np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
