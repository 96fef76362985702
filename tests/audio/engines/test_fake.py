"""fake: the deterministic tone engine tests render with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fullcast.audio import engines
from fullcast.errors import EngineError
from fullcast.model import Voice

from support.wav import read_pcm


def crossings_per_second(samples: np.ndarray) -> float:
    """Twice the frequency of a tone: a crude mean-pitch measure that needs no audio library."""
    voiced = samples[samples != 0].astype(float)
    return float(np.count_nonzero(np.diff(np.sign(voiced)) != 0)) * engines.SAMPLE_RATE / len(voiced)


def test_fake_engine_is_deterministic_and_sized_by_words_and_rate(tmp_path: Path) -> None:
    fake = engines.get_engine("fake")
    voice = Voice("fake", "gmw/en-us", 120, 50, 0.9)
    fake.synthesize("One two three, four!", voice, tmp_path / "a.wav")
    fake.synthesize("One two three, four!", voice, tmp_path / "b.wav")
    fake.synthesize("One two — three.", Voice("fake", "gmw/en-us", 240, 50, 0.9), tmp_path / "c.wav")
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    shape, a = read_pcm(tmp_path / "a.wav")
    _, c = read_pcm(tmp_path / "c.wav")
    silences = int(0.012 * engines.SAMPLE_RATE) + int(0.3 * engines.SAMPLE_RATE)
    assert shape == (1, 2, 22050)
    assert len(a) == silences + 4 * (22050 * 60 // 120)
    assert len(c) == silences + 3 * (22050 * 60 // 240)
    assert not a[: int(0.012 * 22050)].any() and not a[-int(0.3 * 22050):].any()


def test_fake_voices_differ_in_pitch(tmp_path: Path) -> None:
    fake = engines.get_engine("fake")
    pitches = []
    for voice_id, pitch in [("gmw/en-us", 50), ("gmw/en-us+f3", 50), ("gmw/en-us", 80)]:
        voice = Voice("fake", voice_id, 175, pitch, 0.9)
        fake.synthesize("A few words to measure.", voice, tmp_path / "v.wav")
        pitches.append(crossings_per_second(read_pcm(tmp_path / "v.wav")[1]) / 2)
        assert pitches[-1] == pytest.approx(engines.fake_frequency(voice), rel=0.02)
    assert len({round(p) for p in pitches}) == 3
    assert pitches[2] - pitches[0] == pytest.approx(60, rel=0.05)  # 2 Hz per pitch step


def test_fake_engine_rejects_an_unknown_voice(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"^the fake engine has no voice 'gmw/en-uz'; closest: gmw/en-us"):
        engines.get_engine("fake").synthesize("Hi.", Voice("fake", "gmw/en-uz", 175, 50, 0.9), tmp_path / "x.wav")


