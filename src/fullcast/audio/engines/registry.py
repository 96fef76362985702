"""The engine registry: which engines voices.yaml may name, their voices, and this process's running engines.

Everything outside `audio.engines` asks here (through the package), never an engine module.
"""

from __future__ import annotations

from ...errors import EngineError, closest
from . import espeak
from .base import Engine, EngineVoice
from .espeak import Pyttsx3Engine
from .fake import FakeEngine

ENGINE_NAMES = ("pyttsx3", "fake")
"""Every engine voices.yaml may name."""


def _check_engine(engine: str) -> None:
    if engine not in ENGINE_NAMES:
        near = closest(engine, ENGINE_NAMES)
        raise EngineError(f"unknown engine {engine!r}; use {' or '.join(near or ENGINE_NAMES)} in voices.yaml `engine:`")


def list_voices(engine: str) -> tuple[EngineVoice, ...]:
    """Every voice *engine* accepts: the language voices, then each English voice with each variant.

    The fake engine accepts the same ids as the real one, so a voices.yaml works with both.
    """
    _check_engine(engine)
    return espeak.list_voices()


def check_voice(engine: str, voice_id: str) -> None:
    """Raise EngineError naming *voice_id* and the closest known ids when *engine* lacks it."""
    _check_engine(engine)
    espeak.check_voice(voice_id, engine)


def closest_voices(engine: str, voice_id: str, n: int = 3) -> list[str]:
    """Up to *n* voice ids of *engine* nearest to *voice_id*, best first."""
    _check_engine(engine)
    return espeak.closest_voices(voice_id, n)


_ENGINES: dict[str, Engine] = {}


def get_engine(name: str) -> Engine:
    """This process's engine called *name*, started on first use and then reused."""
    _check_engine(name)
    if name not in _ENGINES:
        _ENGINES[name] = FakeEngine() if name == "fake" else Pyttsx3Engine()
    return _ENGINES[name]


def runs_in_process(name: str) -> bool:
    """True when *name* may run in the calling process: only the fake, which never starts espeak."""
    _check_engine(name)
    return name == "fake"
