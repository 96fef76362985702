"""registry: the engines voices.yaml may name, and what the package asks of them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fullcast.audio import engines
from fullcast.errors import EngineError
from fullcast.model import EngineSetup


def test_fake_engine_accepts_the_same_voices() -> None:
    assert engines.list_voices("fake") == engines.list_voices("pyttsx3")


def test_unknown_engine() -> None:
    with pytest.raises(EngineError, match=r"^unknown engine 'pyttsx4'; use pyttsx3 in voices.yaml `engine:`$"):
        engines.list_voices("pyttsx4")


def test_the_registry_knows_the_engines_voices_yaml_may_name() -> None:
    from fullcast.settings.config import ENGINES

    assert engines.ENGINE_NAMES == ENGINES
    assert set(engines.MEMORY_MB) == set(ENGINES)


def test_only_neural_engines_have_files_and_need_a_pitch_shift() -> None:
    assert engines.native_pitch("pyttsx3") and engines.native_pitch("fake")
    assert not engines.native_pitch("kokoro") and not engines.native_pitch("piper")
    assert engines.digest("pyttsx3", EngineSetup()) == engines.digest("fake", EngineSetup()) == ""
    engines.check_files("pyttsx3", EngineSetup())  # nothing to check


def test_neural_questions_go_to_the_engine_with_its_files(tmp_path: Path) -> None:
    missing = EngineSetup(model=tmp_path / "gone.onnx")
    with pytest.raises(EngineError, match=r"engines\.piper\.model"):
        engines.check_files("piper", missing)


def test_models_are_assembled_under_fullcasts_cache(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KOKORO_JA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FULLCAST_CACHE", raising=False)
    engines.use_model_cache()
    assert os.environ["KOKORO_JA_CACHE"] == str(tmp_path / "fullcast" / "models" / "kokoro")
    monkeypatch.setenv("KOKORO_JA_CACHE", "/elsewhere")
    engines.use_model_cache()
    assert os.environ["KOKORO_JA_CACHE"] == "/elsewhere"  # the user's choice stands


def test_reading_language_is_what_the_voice_reads_the_manuscript_in() -> None:
    assert engines.reading_language("pyttsx3", "gmw/en-us") == "en-us"
    assert engines.reading_language("fake", "gmw/en-us") == "en-us"
    assert engines.reading_language("pyttsx3", "no such voice") is None
    # Kokoro reads English with every voice: British for a British voice, else American, by the strongest part
    assert engines.reading_language("kokoro", "jf_alpha") == "en-us"
    assert engines.reading_language("kokoro", "bf_emma:70,af_bella:30") == "en-gb"
