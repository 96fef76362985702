"""The pyttsx3/espeak-ng engine, and the voices espeak-ng knows.

This is the only module that touches pyttsx3 or espeakng_loader (`espeak_state` handles the
loaded library it is given). The real engine is started lazily, at most once per process
(espeak's state and callback are global to the process), and only inside worker processes
that `audio.synthesis` spawns. Voice lists and checks read the espeak-ng data folder
directly, so asking about voices never starts espeak."""

from __future__ import annotations

import ctypes
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import EngineError, closest
from ...model import Voice
from .base import SAMPLE_RATE, EngineVoice, write_silence, write_wav
from .espeak_state import SynthState

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


def _load_binding() -> tuple[Any, str]:
    """pyttsx3's ctypes binding of libespeak-ng (`pyttsx3.drivers._espeak`), imported after the preload,
    and the path of the library file it should have found."""
    preload_espeak()
    import espeakng_loader

    try:
        from pyttsx3.drivers import _espeak
    except (ImportError, OSError, RuntimeError) as error:
        raise EngineError(f"pyttsx3 cannot load espeak-ng: {error}; "
                          "reinstall with `pip install --force-reinstall espeakng-loader pyttsx3`") from error
    return _espeak, espeakng_loader.get_library_path()


UTTERANCE_TIMEOUT_S = 60.0
"""Longest espeak may take over one utterance before it is stopped (a sentence takes milliseconds)."""
MAX_UTTERANCE_CHARS = 2000
"""Longest text spoken in one utterance; synthesis splits longer lines at sentence ends (`audio.utterances`).
Measured (gmw/en-us, 175 wpm, 2 cores): one utterance costs about 52 us per character from 250
characters up to 8,000 (1,100x real time; shorter ones pay ~1 ms of fixed cost), so the limit is
about memory: 2,000 characters is two minutes of speech, 5 MB of PCM, 0.1 s of work. A 40,000-character
paragraph took 1.9 s in 21 pieces (1.9-2.1 s for any limit from 250 to 40,000) and peaked at 57 MB
instead of 218 MB in one piece; the audio differs by under 0.5 s in 40 minutes."""
_ESPEAK_ERRORS = {1: "EE_BUFFER_FULL", 2: "EE_INTERNAL_ERROR", 3: "EE_NOT_FOUND"}


class Pyttsx3Engine:
    """eSpeak NG through pyttsx3's ctypes binding, synchronously; at most one per process.

    pyttsx3's espeak driver is not used: it runs espeak on a thread of its own, appends audio
    with `bytes +=` (quadratic: 32,000 characters took 42 s and 64,000 hit the timeout),
    prints "Audio saved to ...", and its runAndWait can cancel the utterance in flight. Here
    espeak is started in synchronous mode, so `espeak_Synth` returns when the audio is
    complete, with every buffer already handed to `_on_audio` on this thread. Before each
    utterance `espeak_state.SynthState` puts espeak back in its start-up state, so the same
    text, voice and settings give the same samples whatever the process said before.
    """

    _started = False
    max_utterance_chars = MAX_UTTERANCE_CHARS
    """Longest text `synthesize` is given at once (see MAX_UTTERANCE_CHARS)."""
    sample_rate = SAMPLE_RATE
    """espeak's own rate."""

    def __init__(self) -> None:
        if Pyttsx3Engine._started:
            # espeak's callback and state are global: a second engine would steal the first one's audio.
            raise EngineError("pyttsx3 is already running in this process; use engines.get_engine('pyttsx3')")
        Pyttsx3Engine._started = True
        self._espeak, library_path = _load_binding()
        self._voice: Voice | None = None
        self._chunks: list[bytes] = []
        self._deadline = 0.0
        self._stopped = False
        rate = self._espeak.Initialize(self._espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
        if rate != SAMPLE_RATE:
            raise EngineError(f"could not start espeak-ng (it answered {rate}, expected {SAMPLE_RATE} Hz); "
                              "reinstall with `pip install --force-reinstall espeakng-loader pyttsx3`")
        self._espeak.SetSynthCallback(self._on_audio)
        self._state = SynthState(library_path, self._espeak.dll)
        self.reproducible = self._state.reproducible
        """True when identical input gives identical samples (this espeak-ng build is the one checked)."""

    def _on_audio(self, wav: Any, numsamples: int, events: Any) -> int:
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        self._stopped = self._stopped or time.monotonic() > self._deadline
        return 1 if self._stopped else 0  # 1 tells espeak to stop

    def synthesize(self, text: str, voice: Voice, path: Path) -> None:
        """Write *text* in *voice* to *path*; raise EngineError if espeak rejects the voice or writes nothing."""
        if not any(c.isalnum() for c in text):
            write_silence(path)  # espeak says nothing for punctuation alone
            return
        self._set_voice(voice)
        self._state.restore()
        self._chunks, self._stopped = [], False
        self._deadline = time.monotonic() + UTTERANCE_TIMEOUT_S
        data = text.encode("utf-8")
        status = self._espeak.cSynth(data, len(data) + 1, 0, self._espeak.POS_CHARACTER, 0,
                                     self._espeak.ENDPAUSE | self._espeak.CHARS_UTF8, None, None)
        pcm, self._chunks = b"".join(self._chunks), []
        if self._stopped:
            raise EngineError(f"espeak did not finish {text[:40]!r} in voice {voice.voice_id!r} within "
                              f"{UTTERANCE_TIMEOUT_S:.0f} s; split the paragraph or try again")
        if status != 0 or not pcm:
            reason = f"espeak_Synth returned {_ESPEAK_ERRORS.get(status, status)}" if status else "no samples"
            raise EngineError(f"espeak wrote no audio for {text[:40]!r} in voice {voice.voice_id!r} ({reason})")
        write_wav(path, pcm)

    def _set_voice(self, voice: Voice) -> None:
        if voice == self._voice:
            return
        check_voice(voice.voice_id)
        self._voice = None
        # In synchronous mode these take effect at once, in this order, never in the middle of an utterance.
        status = self._espeak.SetVoiceByName(voice.voice_id.encode("utf-8"))
        if status == 0:
            for parameter, value in ((self._espeak.RATE, voice.rate), (self._espeak.PITCH, voice.pitch),
                                     (self._espeak.VOLUME, int(round(voice.volume * 100, 2)))):
                status = status or self._espeak.SetParameter(parameter, value, 0)
        if status != 0:
            raise EngineError(f"espeak rejected voice {voice.voice_id!r} (rate {voice.rate}, pitch {voice.pitch}, "
                              f"volume {voice.volume}): {_ESPEAK_ERRORS.get(status, status)}; "
                              "run `fullcast voices` for valid ids")
        self._voice = voice
