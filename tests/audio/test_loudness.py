"""loudness: BS.1770 measured in this process agrees with ffmpeg's own meter, fed whole or in pieces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fullcast.audio import ffmpeg, loudness

from support.clips import RATE, speechy


def test_the_meter_agrees_with_ffmpegs_ebur128() -> None:
    samples = speechy(8000, seed=3).astype(np.float32)
    ours = loudness.integrated_loudness(samples, RATE)
    theirs = ffmpeg.pcm_loudness(samples.tobytes(), RATE, sample_format="f32le")[0]
    assert ours == pytest.approx(theirs, abs=0.1)


def test_pieces_int16_and_float_measure_the_same() -> None:
    samples = speechy(5000, seed=4)
    meter = loudness.Meter(RATE)
    as_int = np.round(samples * 32767).astype(np.int16)
    for piece in np.array_split(as_int, 7):
        meter.add(piece)
    whole = loudness.integrated_loudness(samples.astype(np.float32), RATE)
    assert meter.loudness() == pytest.approx(whole, abs=0.01)
    assert meter.frames == len(samples)
    assert meter.peak_db() == pytest.approx(20 * math.log10(np.max(np.abs(as_int)) / 32768), abs=0.001)


def test_silence_is_minus_infinity() -> None:
    meter = loudness.Meter(RATE)
    meter.add(np.zeros(RATE, dtype=np.float32))
    assert (meter.loudness(), meter.peak_db()) == (-math.inf, -math.inf)
    assert loudness.integrated_loudness(np.zeros(0, dtype=np.float32), RATE) == -math.inf


def test_six_db_louder_is_six_lu_louder() -> None:
    samples = speechy(4000, seed=5).astype(np.float32)
    quiet = loudness.integrated_loudness(samples * np.float32(0.5), RATE)
    assert loudness.integrated_loudness(samples, RATE) - quiet == pytest.approx(6.02, abs=0.02)
