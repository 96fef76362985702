"""The segment cache: where a clip for a voice and a text lives, and whether an entry is whole.

Layout: `<cache_dir>/<key[:2]>/<key>.wav`, where the key is a SHA-256 of the cache format
version, engine, voice id, rate, pitch, volume and the spoken text (and a neural engine's files): content-addressed, so
books, renders and machines can share it. An entry is written under a temporary name
and renamed into place, so a killed run never leaves a file that looks finished; entries
are checked (WAV header against file length) before use.
"""

from __future__ import annotations

import hashlib
import json
import os
import wave
from pathlib import Path
from typing import Iterable

from ..model import Voice
from . import engines

CACHE_VERSION = 2
"""Bump when the way audio is made changes, so old entries stop matching.
2: espeak restarts from the same state for every utterance, and long lines are spoken in pieces."""
HEADER_BYTES = 44
"""Both engines write WAV through the `wave` module, whose header is exactly this long."""
def cache_key(voice: Voice, text: str) -> str:
    """The cache key of *text* spoken in *voice*: for a neural engine also its model and voice files
    (their digest and speaker), so a replaced model re-synthesises its lines. eSpeak's keys stay as they were."""
    fields = [CACHE_VERSION, voice.engine, voice.voice_id, voice.rate, voice.pitch, voice.volume, text]
    identity = engines.digest(voice.engine, voice.setup)
    if identity:
        fields += [identity, voice.setup.speaker]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    """Where the entry for *key* lives in *cache_dir*."""
    return cache_dir / key[:2] / f"{key}.wav"


def wav_duration_ms(path: Path) -> int | None:
    """The length of a complete mono 16-bit WAV at *path*, or None if it is missing, truncated or foreign."""
    try:
        size = path.stat().st_size
        with wave.open(str(path), "rb") as wav:
            if (wav.getnchannels(), wav.getsampwidth()) != (1, 2) or wav.getframerate() <= 0:
                return None
            frames, rate = wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return None
    if size != HEADER_BYTES + 2 * frames:
        return None
    return frames * 1000 // rate


def sweep_temporaries(folders: Iterable[Path]) -> None:
    """Delete half-written files in *folders* left by processes that are gone (killed runs, terminated workers).

    A half-written file is named `<name>.<pid>.tmp` or `<name>.<pid>-<thread>.tmp` by whoever writes it.
    """
    for path in (p for folder in folders for p in folder.glob("*.tmp")):
        pid = path.name.rsplit(".", 2)[-2].partition("-")[0] if path.name.count(".") >= 2 else ""
        if pid.isdigit() and not alive(int(pid)):
            path.unlink(missing_ok=True)


def alive(pid: int) -> bool:
    """True while a process *pid* exists on this machine (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
