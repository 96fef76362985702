"""onnxruntime behind one door: the sessions the neural engines run, and cheap checks of model files.

This is the only module that imports onnxruntime, and it does so only when a session is
built, inside the worker that will use it. The parent process checks and fingerprints model
files with `looks_like_onnx` and `file_digest`, which never load onnxruntime (it costs
100 MB and starts threads). `to_pcm16` is the float-to-WAV step both ONNX engines share.

May import: `errors`; onnxruntime and numpy only inside the functions that need them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path
from typing import Any, Callable

from ...errors import EngineError

INSTALL_HINT = 'the {engine} engine is not installed; run pip install -e ".[neural]"'
"""The one-line error for a neural engine whose packages are missing (format with `engine=`)."""
MIN_MODEL_BYTES = 1024
"""Anything smaller is not a speech model, whatever its first byte."""
_ONNX_FIRST_BYTE = 0x08
"""An ONNX ModelProto starts with field 1 (`ir_version`) as a varint: tag byte 0x08."""

_digests: dict[tuple[str, int, int], str] = {}
"""sha256 of files already hashed in this process, by (resolved path, size, mtime_ns)."""


def package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing it (importing an engine's package
    loads onnxruntime)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def require(engine: str, *packages: str) -> None:
    """Raise the install hint for *engine* unless every one of *packages* is installed."""
    if any(package_dir(name) is None for name in packages):
        raise EngineError(INSTALL_HINT.format(engine=engine))


def looks_like_onnx(path: Path) -> bool:
    """True when *path* is a file that could be an ONNX model: over 1 KB, starting with byte 0x08.

    A sniff, not a proof: it refuses a text file, an archive or an empty download without
    loading onnxruntime; a damaged model that passes is caught when `session` loads it.
    """
    try:
        if not path.is_file() or path.stat().st_size <= MIN_MODEL_BYTES:
            return False
        with path.open("rb") as model:
            return model.read(1) == bytes([_ONNX_FIRST_BYTE])
    except OSError:
        return False


def file_digest(path: Path) -> str:
    """The sha256 (hex) of the file at *path*, hashed once per process while its size and mtime stay.

    Cache keys include the digests of model files, so a replaced model re-synthesises its
    lines; memoising keeps a 90 MB model from being hashed for every key.
    """
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in _digests:
            with path.open("rb") as data:
                _digests[key] = hashlib.file_digest(data, "sha256").hexdigest()
    except OSError as error:
        raise EngineError(f"cannot read {path}: {error.strerror or error}; check that the file exists and "
                          "is readable") from error
    return _digests[key]


def session(model: Path, threads: int, key: str, fix: str | None = None) -> Any:
    """An onnxruntime InferenceSession for *model* on the CPU with *threads* intra-op threads.

    Any failure (not a model, a truncated file, onnxruntime missing) becomes a one-line
    EngineError naming the voices.yaml *key*, the path, and *fix* (by default: point the key
    at a model or remove it to use the bundled one).
    """
    try:
        import onnxruntime
    except ImportError as error:
        raise EngineError(f'onnxruntime is not installed; run pip install -e ".[neural]" ({error})') from error
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    # Workers x threads = cores: one graph runs at a time, and a thread that spins while
    # waiting would take the core another worker needs.
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # the library never prints; failures come back as exceptions
    try:
        return onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's pybind errors (InvalidProtobuf, NoSuchFile, Fail...) share no base
        hint = fix or f"point {key} at an ONNX voice model, or remove the key to use the bundled one"
        raise EngineError(f"{key}: cannot load {model} as an ONNX model ({_reason(error, model)}); {hint}") from error


def model_session(model: Path, threads: int, key: str, fix: str | None, kind: str,
                  fits: Callable[[frozenset[str]], bool]) -> Any:
    """`session` for a model whose input names *fits* accepts; otherwise an EngineError saying it is an ONNX
    model but not a *kind* (a Piper voice given as the Kokoro model, say), before it runs."""
    loaded = session(model, threads, key, fix)
    inputs = frozenset(i.name for i in loaded.get_inputs())
    if not fits(inputs):
        raise EngineError(f"{key}: {model} is an ONNX model but not a {kind} (its inputs are "
                          f"{', '.join(sorted(inputs))}); point it at a {kind}'s .onnx file")
    return loaded


def one_line(error: BaseException) -> str:
    """A library's message on one short line, or the exception's name when it has none."""
    return " ".join(str(error).split())[:200] or type(error).__name__


def to_pcm16(samples: Any, volume: float) -> bytes:
    """Float samples in [-1, 1] (a numpy array) scaled by *volume*, as clipped, rounded 16-bit PCM bytes."""
    import numpy as np

    scaled = np.rint(np.asarray(samples, dtype=np.float64).ravel() * (volume * 32767.0))
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


def _reason(error: BaseException, model: Path) -> str:
    """onnxruntime's message without its `[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model ... failed:` heads."""
    text = " ".join(str(error).split())
    text = re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ", "", text)
    head = re.compile(rf"^Load model (?:from )?{re.escape(str(model))} failed[:.]\s*")
    while head.match(text):
        text = head.sub("", text, count=1)
    return text.rstrip(".")[:200] or type(error).__name__
