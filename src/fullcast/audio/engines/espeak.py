"""The pyttsx3/espeak-ng engine, and the voices espeak-ng knows.

This is the only module that touches pyttsx3 or espeakng_loader. The real engine is
started lazily, at most once per process, and only inside worker processes that
`audio.synthesis` spawns: a process that forks after pyttsx3 has started hangs, and a second
engine in one process steals the first one's callbacks. Voice lists and checks read the
espeak-ng data folder directly, so asking about voices never starts espeak.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import EngineError, closest
from ...model import Voice
from .base import SAMPLE_RATE, EngineVoice, write_wav

ENGLISH_PREFIX = "gmw/en"
"""Base voices that `list_voices` combines with every variant."""


# --------------------------------------------------------------------------- voices


def _data_path() -> Path:
    import espeakng_loader

    return Path(os.environ.get("ESPEAK_DATA_PATH") or espeakng_loader.get_data_path())


def _read_voice_file(path: Path, voice_id: str) -> EngineVoice:
    """Parse the `name`, `language` and `gender` lines of an espeak voice file."""
    name, languages, gender = voice_id, [], "unknown"
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = raw.strip().partition(" ")
        if key == "name" and value.strip():
            name = value.strip()
        elif key == "language" and value.split() and value.split()[0] != "variant":
            languages.append(value.split()[0])
        elif key == "gender" and value.strip():
            gender = value.split()[0].lower()
    return EngineVoice(voice_id, name, tuple(languages), gender if gender in ("female", "male") else "unknown")


@lru_cache(maxsize=1)
def _base_voices() -> tuple[EngineVoice, ...]:
    """Language voices: ids are the lowercased path under lang/, as pyttsx3 reports them."""
    root = _data_path() / "lang"
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return tuple(_read_voice_file(p, p.relative_to(root).as_posix().lower()) for p in files)


@lru_cache(maxsize=1)
def _variants() -> tuple[EngineVoice, ...]:
    """Variants (`+f3`, `+klatt`, ...): ids are the file names, case-sensitive as espeak loads them."""
    root = _data_path() / "voices" / "!v"
    files = sorted((p for p in root.iterdir() if p.is_file() and " " not in p.name), key=lambda p: p.name.lower())
    return tuple(_read_voice_file(p, p.name) for p in files)


def list_voices() -> tuple[EngineVoice, ...]:
    """Every voice espeak accepts: the language voices, then each English voice with each variant."""
    listed = list(_base_voices())
    for base in (v for v in _base_voices() if v.id.startswith(ENGLISH_PREFIX)):
        for variant in _variants():
            listed.append(EngineVoice(f"{base.id}+{variant.id}", f"{base.name} + {variant.name}",
                                      base.languages, variant.gender))
    return tuple(listed)


def _find_base(name: str) -> EngineVoice | None:
    """The language voice espeak would pick for *name*: its id, its file name or its display name."""
    wanted = name.strip().lower()
    for voice in _base_voices():
        if wanted in (voice.id, voice.id.rsplit("/", 1)[-1], voice.name.strip().lower()):
            return voice
    return None


def check_voice(voice_id: str, engine: str = "pyttsx3") -> None:
    """Raise EngineError naming *voice_id* and the closest known ids when espeak lacks it.

    For `base+variant` both parts must exist; espeak would otherwise fall back silently.
    *engine* is the name the message gives (the fake engine accepts the same ids).
    """
    base, plus, variant = voice_id.partition("+")
    base_ok = _find_base(base) is not None
    variant_ok = not plus or variant in {v.id for v in _variants()}
    if base_ok and variant_ok:
        return
    near = closest_voices(voice_id)
    hint = f"; closest: {', '.join(near)}" if near else "; run `fullcast voices` to list them"
    raise EngineError(f"the {engine} engine has no voice {voice_id!r}{hint}")


def closest_voices(voice_id: str, n: int = 3) -> list[str]:
    """Up to *n* known voice ids nearest to *voice_id*, best first."""
    base, plus, variant = voice_id.partition("+")
    found = _find_base(base)
    bases = [found.id] if found else closest(base, [v.id for v in _base_voices()], n)
    if not plus:
        return bases
    names = [v.id for v in _variants()]
    variants = [variant] if variant in names else closest(variant, names, n)
    return [f"{b}+{v}" for b in bases for v in variants][:n]


# --------------------------------------------------------------------------- engine


_preloaded: list[ctypes.CDLL] = []


def preload_espeak() -> None:
    """Load the espeakng-loader wheel's libespeak-ng and point it at its data, once per process.

    Call before `import pyttsx3`: pyttsx3 loads `libespeak-ng.so.1` by soname and then finds
    this already-loaded copy, so no system espeak is needed. Never call it in a process that
    will fork afterwards.
    """
    if _preloaded:
        return
    import espeakng_loader

    os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
    try:
        _preloaded.append(ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL))
    except OSError as error:
        raise EngineError(f"cannot load {espeakng_loader.get_library_path()}: {error}; "
                          "reinstall with `pip install --force-reinstall espeakng-loader`") from error


def _load_espeak() -> Any:
    """pyttsx3, imported after the preload, with its espeak driver's sample ordering fixed."""
    preload_espeak()
    import pyttsx3
    from pyttsx3.drivers import espeak as driver

    original = driver.EspeakDriver._onSynth
    if not getattr(original, "_fullcast_fixed", False):
        def samples_first(self: Any, wav: Any, numsamples: int, events: Any) -> int:
            # pyttsx3 2.99 writes the WAV when it sees EVENT_MSG_TERMINATED and only then appends
            # the samples that came in the same callback. A short utterance arrives in one
            # callback, so its file came out empty (or cut short). Append first, then let it write.
            if numsamples > 0 and self._speaking:
                self._data_buffer += ctypes.string_at(wav, numsamples * ctypes.sizeof(ctypes.c_short))
            return original(self, wav, 0, events)

        samples_first._fullcast_fixed = True  # type: ignore[attr-defined]
        driver.EspeakDriver._onSynth = samples_first
    return pyttsx3


UTTERANCE_TIMEOUT_S = 60.0
"""Longest wait for espeak to finish one segment before giving up on it."""


class Pyttsx3Engine:
    """pyttsx3 with the espeak driver; at most one per process (see the module docstring).

    pyttsx3's own runAndWait is not used: its command queue is pumped from espeak's
    callback thread, its first call returns before synthesis ends, and the `endLoop`
    it queues can cancel the utterance in flight, which left random clips empty.
    Instead each segment goes straight to the espeak driver and we wait for the
    driver's own "finished-utterance" notice, sent after it has written the WAV.
    """

    _started = False

    def __init__(self) -> None:
        if Pyttsx3Engine._started:
            # A second engine steals the first one's espeak callbacks and the first then hangs.
            raise EngineError("pyttsx3 is already running in this process; use engines.get_engine('pyttsx3')")
        Pyttsx3Engine._started = True
        pyttsx3 = _load_espeak()
        self._errors: list[BaseException] = []
        self._voice: Voice | None = None
        try:
            self._engine = pyttsx3.init("espeak")
        except Exception as error:  # pyttsx3 raises RuntimeError or OSError when espeak cannot start
            raise EngineError(f"could not start espeak-ng through pyttsx3: {error}; "
                              "reinstall with `pip install --force-reinstall espeakng-loader pyttsx3`") from error
        self._driver = self._engine.proxy._driver
        self._finished = threading.Event()
        self._engine.connect("error", self._on_error)
        self._engine.connect("finished-utterance", lambda **_: self._finished.set())

    def _on_error(self, name: Any = None, exception: BaseException | None = None, **_: Any) -> None:
        self._errors.append(exception or RuntimeError("unknown espeak error"))
        self._finished.set()

    def synthesize(self, text: str, voice: Voice, path: Path) -> None:
        """Write *text* in *voice* to *path*; raise EngineError if espeak rejects the voice or writes nothing."""
        if not any(c.isalnum() for c in text):
            write_wav(path, bytes(2 * int(0.1 * SAMPLE_RATE)))  # espeak says nothing for punctuation alone
            return
        self._set_voice(voice)
        self._errors.clear()
        self._finished.clear()
        with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved to ..."
            self._driver.save_to_file(text, str(path))
            self._driver._start_synthesis(text)
            finished = self._finished.wait(UTTERANCE_TIMEOUT_S)
        if self._errors:
            raise EngineError(f"espeak failed on {text[:40]!r} in voice {voice.voice_id!r}: {self._errors[0]}")
        if not finished:
            raise EngineError(f"espeak did not finish {text[:40]!r} in voice {voice.voice_id!r} within "
                              f"{UTTERANCE_TIMEOUT_S:.0f} s; split the paragraph or try again")
        if not path.exists():
            raise EngineError(f"espeak wrote no audio for {text[:40]!r} in voice {voice.voice_id!r}")

    def _set_voice(self, voice: Voice) -> None:
        if voice == self._voice:
            return
        check_voice(voice.voice_id)
        self._voice = None
        try:
            # The driver's setProperty talks to espeak at once (no queue), so a rejection raises here.
            self._driver.setProperty("voice", voice.voice_id)
            self._driver.setProperty("rate", voice.rate)
            self._driver.setProperty("pitch", voice.pitch)
            self._driver.setProperty("volume", voice.volume)
        except (ValueError, KeyError) as error:
            raise EngineError(f"espeak rejected voice {voice.voice_id!r} (rate {voice.rate}, pitch {voice.pitch}, "
                              f"volume {voice.volume}): {error}; run `fullcast voices` for valid ids") from error
        self._voice = voice
