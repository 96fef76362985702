"""Bad input for the neural engines at the command line: one `Error:` line, exit 1, nothing written.

Every check here runs before any model is loaded, so these tests are fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.audio.engines import onnx

from support.cli import run

KOKORO = "engine: kokoro\ncharacters:\n  Tara:\n    gender: female\n    voice: {voice}\n"


def render(book: Path, cast: str) -> tuple[int, str]:
    (book / "voices.yaml").write_text(cast, encoding="utf-8")
    code, output = run("render", str(book / "story.md"), "--out", str(book / "out"))
    assert not (book / "out").exists() or not any((book / "out").rglob("*.mp3"))
    return code, output.splitlines()[-1]


def test_a_voice_the_engine_lacks_names_the_closest(book: Path) -> None:
    assert render(book, KOKORO.format(voice="jf_alfa")) == (1, (
        f"Error: {book / 'voices.yaml'}: characters.Tara.voice: the kokoro engine has no voice 'jf_alfa' (for Tara); "
        "closest: jf_alpha"))


def test_a_blend_whose_weights_do_not_parse(book: Path) -> None:
    code, line = render(book, KOKORO.format(voice='"jf_alpha:seventy,jm_kumo:30"'))
    assert code == 1
    assert line.startswith(f"Error: {book / 'voices.yaml'}: characters.Tara.voice: ")
    assert 'write name:weight pairs, e.g. "jf_alpha:70,jm_kumo:30"' in line


def test_a_model_path_that_does_not_exist(book: Path) -> None:
    assert render(book, "engine: piper\nengines:\n  piper:\n    model: voices/amy.onnx\n") == (1, (
        f"Error: {book / 'voices.yaml'}:4: engines.piper.model: no such file '{book / 'voices' / 'amy.onnx'}'; give a "
        "path relative to voices.yaml, or remove the key to use the bundled one"))


def test_a_file_that_is_not_a_model(book: Path) -> None:
    (book / "styles.onnx").write_text("not a model " * 200, encoding="utf-8")
    code, line = render(book, "engine: kokoro\nengines:\n  kokoro:\n    model: styles.onnx\n")
    assert code == 1
    assert line.startswith(f"Error: {book / 'voices.yaml'}: engines.kokoro.model: {book / 'styles.onnx'} is not an "
                           "ONNX model")


def test_without_the_neural_extra_the_error_says_what_to_install(book: Path, monkeypatch) -> None:
    real = onnx.package_dir
    monkeypatch.setattr(onnx, "package_dir", lambda name: None if name == "piper" else real(name))
    assert render(book, "engine: piper\n") == (1, (
        f"Error: {book / 'voices.yaml'}: the piper engine is not installed; run pip install -e \".[neural]\""))


@pytest.mark.parametrize("engine, first", [("kokoro", "jf_alpha"), ("piper", "en_US-joe-medium")])
def test_voices_lists_each_engines_voices(engine: str, first: str) -> None:
    code, output = run("voices", "--engine", engine)
    assert code == 0 and output.split()[0] == first


def test_voices_of_an_unknown_engine(book: Path) -> None:
    assert run("voices", "--engine", "kokro") == (1, "Error: unknown engine 'kokro'; use kokoro in voices.yaml `engine:`\n")


@pytest.mark.real
def test_preview_speaks_in_the_characters_own_engine(tmp_path: Path) -> None:
    import wave

    repo = Path(__file__).resolve().parents[2]
    code, output = run("preview", "Ada", str(repo / "manuscript"), "--voices", str(repo / "examples/neural/voices.yaml"),
                       "--text", "Sit, both of you.", "--out", str(tmp_path))
    assert code == 0, output
    with wave.open(str(tmp_path / "previews" / "Ada.wav"), "rb") as clip:
        assert clip.getframerate() == 24000  # Kokoro's rate: Ada is a Kokoro blend
        assert 0.8 < clip.getnframes() / 24000 < 5
