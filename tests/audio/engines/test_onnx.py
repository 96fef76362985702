"""onnx: the model sniff, memoised file digests, sessions and their errors, float-to-PCM."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from fullcast.audio.engines import onnx
from fullcast.errors import EngineError

# --------------------------------------------------------------------------- a tiny model


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _varint(value: int) -> bytes:
    out = b""
    while value > 0x7F:
        out, value = out + bytes([value & 0x7F | 0x80]), value >> 7
    return out + bytes([value])


def _message(number: int, payload: bytes) -> bytes:
    return _key(number, 2) + _varint(len(payload)) + payload


def identity_model(path: Path, name: str = "x", padding: int = 2000) -> Path:
    """Write an ONNX model whose output `y` is its float input *name* of shape [1], padded past 1 KB."""
    tensor = _message(1, _key(1, 0) + b"\x01" + _message(2, _message(1, _key(1, 0) + b"\x01")))  # float, [1]
    node = _message(1, name.encode()) + _message(2, b"y") + _message(4, b"Identity")
    graph = (_message(1, node) + _message(2, b"g") + _message(11, _message(1, name.encode()) + _message(2, tensor))
             + _message(12, _message(1, b"y") + _message(2, tensor)))
    model = _key(1, 0) + b"\x08" + _message(6, b"p" * padding) + _message(7, graph) + _message(8, _key(2, 0) + b"\x0d")
    path.write_bytes(model)
    return path


# --------------------------------------------------------------------------- sniff


def test_looks_like_onnx_accepts_a_model(tmp_path: Path) -> None:
    assert onnx.looks_like_onnx(identity_model(tmp_path / "m.onnx"))


@pytest.mark.parametrize(("content", "why"), [
    (b"\x08" + bytes(1023), "1 KB exactly is too small"),
    (b"version https://git-lfs.github.com/spec/v1\n" * 40, "a text file (a Git LFS pointer)"),
    (b"PK\x03\x04" + bytes(4000), "a zip archive"),
    (b"", "empty"),
])
def test_looks_like_onnx_refuses_what_is_not_a_model(tmp_path: Path, content: bytes, why: str) -> None:
    (tmp_path / "m.onnx").write_bytes(content)
    assert not onnx.looks_like_onnx(tmp_path / "m.onnx"), why


def test_looks_like_onnx_refuses_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    assert not onnx.looks_like_onnx(tmp_path / "missing.onnx")
    assert not onnx.looks_like_onnx(tmp_path)


# --------------------------------------------------------------------------- digest


def test_file_digest_is_the_sha256_and_follows_changes(tmp_path: Path) -> None:
    model = tmp_path / "m.onnx"
    model.write_bytes(b"first")
    assert onnx.file_digest(model) == hashlib.sha256(b"first").hexdigest()
    model.write_bytes(b"second, longer")
    assert onnx.file_digest(model) == hashlib.sha256(b"second, longer").hexdigest()
    model.write_bytes(b"SECOND, LONGER")  # the same size: the mtime tells it apart
    os.utime(model, ns=(1, 1))
    assert onnx.file_digest(model) == hashlib.sha256(b"SECOND, LONGER").hexdigest()


def test_file_digest_hashes_a_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "m.onnx"
    model.write_bytes(b"weights")
    calls = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda f, name: calls.append(name) or real(f, name))
    first = onnx.file_digest(model)
    assert onnx.file_digest(tmp_path / "." / "m.onnx") == first
    assert calls == ["sha256"]


def test_file_digest_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        onnx.file_digest(tmp_path / "gone.onnx")
    assert str(caught.value) == (f"cannot read {tmp_path / 'gone.onnx'}: No such file or directory; "
                                 "check that the file exists and is readable")


# --------------------------------------------------------------------------- session


def test_session_runs_on_the_cpu_with_the_threads_asked(tmp_path: Path) -> None:
    loaded = onnx.session(identity_model(tmp_path / "m.onnx"), 2, "engines.piper.model")
    options = loaded.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (2, 1)
    assert loaded.get_providers() == ["CPUExecutionProvider"]
    assert loaded.run(None, {"x": np.array([0.5], dtype=np.float32)})[0].tolist() == [0.5]


def test_a_model_with_the_wrong_inputs_is_refused_before_it_runs(tmp_path: Path) -> None:
    model = identity_model(tmp_path / "m.onnx")
    assert onnx.model_session(model, 1, "engines.piper.model", None, "Piper voice", lambda inputs: inputs == {"x"})
    with pytest.raises(EngineError) as caught:
        onnx.model_session(model, 1, "engines.kokoro.model", None, "Kokoro model", lambda inputs: "style" in inputs)
    assert str(caught.value) == (f"engines.kokoro.model: {model} is an ONNX model but not a Kokoro model (its inputs "
                                 "are x); point it at a Kokoro model's .onnx file")


def test_one_line_folds_a_message_and_names_a_silent_error() -> None:
    assert onnx.one_line(ValueError("bad\n   thing")) == "bad thing"
    assert onnx.one_line(KeyError()) == "KeyError"


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x08\x07" + bytes(range(256)) * 8, "Protobuf parsing failed"),
    (b"not a model at all\n" * 100, "Protobuf parsing failed"),
])
def test_session_names_the_key_the_path_and_the_fix(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "m.onnx").write_bytes(content)
    with pytest.raises(EngineError) as caught:
        onnx.session(tmp_path / "m.onnx", 1, "engines.kokoro.model")
    assert str(caught.value) == (f"engines.kokoro.model: cannot load {tmp_path / 'm.onnx'} as an ONNX model "
                                 f"({reason}); point engines.kokoro.model at an ONNX voice model, or remove the key "
                                 "to use the bundled one")


def test_session_of_a_truncated_model_gives_the_fix_asked(tmp_path: Path) -> None:
    whole = identity_model(tmp_path / "whole.onnx").read_bytes()
    (tmp_path / "cut.onnx").write_bytes(whole[:-20])
    with pytest.raises(EngineError) as caught:
        onnx.session(tmp_path / "cut.onnx", 1, "engines.piper.model", "download the voice again")
    message = str(caught.value)
    assert message.startswith(f"engines.piper.model: cannot load {tmp_path / 'cut.onnx'} as an ONNX model (")
    assert message.endswith("); download the voice again")
    assert "\n" not in message and "[ONNXRuntimeError]" not in message


def test_session_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        onnx.session(tmp_path / "gone.onnx", 1, "engines.piper.model")
    assert str(caught.value) == (f"engines.piper.model: cannot load {tmp_path / 'gone.onnx'} as an ONNX model "
                                 "(File doesn't exist); point engines.piper.model at an ONNX voice model, or remove "
                                 "the key to use the bundled one")


# --------------------------------------------------------------------------- packages and PCM


def test_require_names_the_engine_and_the_extra() -> None:
    onnx.require("piper", "numpy")
    with pytest.raises(EngineError) as caught:
        onnx.require("piper", "numpy", "no_such_package_anywhere")
    assert str(caught.value) == 'the piper engine is not installed; run pip install -e ".[neural]"'


def test_to_pcm16_scales_rounds_and_clips() -> None:
    samples = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 1.7, -1.7], dtype=np.float32)
    assert np.frombuffer(onnx.to_pcm16(samples, 1.0), "<i2").tolist() == [0, 16384, -16384, 32767, -32767,
                                                                          32767, -32768]
    assert np.frombuffer(onnx.to_pcm16(samples, 0.5), "<i2").tolist() == [0, 8192, -8192, 16384, -16384,
                                                                          27852, -27852]
