"""cache: content-addressed keys, whole entries only, and the leftovers of dead writers swept."""

from __future__ import annotations

import os
import wave
from dataclasses import replace
from pathlib import Path

from fullcast.audio import cache
from fullcast.model import EngineSetup, Voice

VOICE = Voice("fake", "gmw/en-us", 175, 50, 0.9)


def test_the_key_follows_every_setting_that_changes_the_sound() -> None:
    base = cache.cache_key(VOICE, "Hello.")
    assert cache.cache_key(VOICE, "Hello.") == base
    others = {cache.cache_key(Voice("fake", "gmw/en-us", 176, 50, 0.9), "Hello."),
              cache.cache_key(Voice("pyttsx3", "gmw/en-us", 175, 50, 0.9), "Hello."),
              cache.cache_key(VOICE, "Hello!")}
    assert base not in others and len(others) == 3
    assert cache.cache_path(Path("c"), base) == Path("c") / base[:2] / f"{base}.wav"


def test_a_neural_key_follows_the_model_files_and_the_speaker(monkeypatch) -> None:
    monkeypatch.setattr(cache.engines, "digest", lambda engine, setup: f"files of {setup.model}")
    voice = Voice("piper", "p225", 175, 50, 0.9, EngineSetup(Path("a.onnx")))
    keys = {cache.cache_key(voice, "Hello."),
            cache.cache_key(replace(voice, setup=EngineSetup(Path("b.onnx"))), "Hello."),
            cache.cache_key(replace(voice, setup=EngineSetup(Path("a.onnx"), speaker="3")), "Hello.")}
    assert len(keys) == 3


def test_espeak_keys_are_what_they_were() -> None:
    # Caches made before neural engines existed stay valid: the key of an eSpeak line is unchanged.
    assert cache.cache_key(Voice("pyttsx3", "gmw/en-us", 175, 50, 0.9), "Hello.") == (
        "e1dc99df766a569fc5fe5ab4e999aa392c978ec898d619ec8a825c6bf459cbf6")


def test_an_entry_counts_when_whole_at_any_rate(tmp_path: Path) -> None:
    for rate in (8000, 22050, 24000):
        path = tmp_path / f"{rate}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1), out.setsampwidth(2), out.setframerate(rate)
            out.writeframes(bytes(2 * rate // 2))
        assert cache.wav_duration_ms(path) == 500
        path.write_bytes(path.read_bytes()[:-10])  # cut short
        assert cache.wav_duration_ms(path) is None


def test_leftovers_of_dead_writers_are_swept_in_either_name_form(tmp_path: Path) -> None:
    names = ["a.999999.tmp", "b.999999-17.tmp", f"c.{os.getpid()}.tmp", f"d.{os.getpid()}-3.tmp", "e.wav"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    cache.sweep_temporaries([tmp_path])
    assert sorted(p.name for p in tmp_path.iterdir()) == names[2:]
