"""What every speech engine is: a voice list entry, the synthesis interface, and the WAV it writes.

Engines write mono 16-bit WAV files; synthesis caches them and stitching reads them.
This module imports nothing of fullcast's but the model, so each engine module can
build on it without import circles.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ...model import Voice

SAMPLE_RATE = 22050
"""espeak's own rate, and the fake engine's unless told otherwise."""


@dataclass(frozen=True)
class EngineVoice:
    """A voice an engine offers, as `fullcast voices` lists it."""

    id: str
    """The id to write in voices.yaml, exactly as the engine accepts it, e.g. `gmw/en-us+f3`."""
    name: str
    """Human name, e.g. "English (America) + female3"."""
    languages: tuple[str, ...]
    """Language codes the voice speaks, e.g. ("en-us", "en")."""
    gender: str
    """`female`, `male` or `unknown`, as the voice or variant file says."""


class Engine(Protocol):
    """Something that turns text into a mono 16-bit WAV file in a given voice."""

    max_utterance_chars: int
    """The longest text `synthesize` is given; synthesis speaks longer lines in pieces (`audio.utterances`)."""
    sample_rate: int
    """The engine's native rate: every WAV it writes is mono 16-bit at this rate."""

    def synthesize(self, text: str, voice: Voice, path: Path) -> None:
        """Write *text* spoken in *voice* to *path* (a WAV file), or raise EngineError."""


def write_wav(path: Path, pcm: bytes, sample_rate: int = SAMPLE_RATE) -> None:
    """Write mono 16-bit PCM at *sample_rate* to *path* (the caller picks a temporary name)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)


def write_silence(path: Path, sample_rate: int = SAMPLE_RATE, seconds: float = 0.1) -> None:
    """Write *seconds* of silence: what an engine says for a line of punctuation alone ("...", "—")."""
    write_wav(path, bytes(2 * int(seconds * sample_rate)), sample_rate)
