"""The book folder's manifest: what each chapter file was made from, so unchanged chapters are left alone.

A chapter's digest covers everything that decides its bytes: its clips in order (cache
file, size, mtime), each segment's pause and kind, the voice gains, the pause and
mastering settings, the encoder chain and the tags. A file is reused only when the
digest matches and the file still has the size and mtime this render recorded, so a
tampered, truncated or deleted file is rebuilt. Voice gains are remembered too: a
voice keeps the level it was measured at while its settings stay the same, so moving
a line to another speaker does not shift a voice's level and re-encode every chapter.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Sequence

from ..audio import stitch
from ..model import Chapter, ChapterAudio, Clip, Cue, Voice
from ..settings.config import Config
from . import tag

MANIFEST_NAME = ".fullcast-manifest.json"
"""The manifest's file name in the book folder."""
MANIFEST_VERSION = 1
"""Bump when the manifest's layout changes; an older manifest is then ignored."""


@dataclass(frozen=True)
class ManifestEntry:
    """What one finished chapter file was made from, and what it contains."""

    digest: str
    """chapter_digest of its inputs."""
    size: int
    """File size in bytes when written."""
    mtime_ns: int
    """File modification time when written."""
    duration_ms: int
    """Length of its audio."""
    cues: tuple[tuple[int, int], ...]
    """(start_ms, end_ms) of each segment, in order."""


@dataclass(frozen=True)
class Manifest:
    """Every chapter file of a book, by file name, and the levelling gain of every voice."""

    files: dict[str, ManifestEntry] = field(default_factory=dict)
    """File name (no folder) -> entry."""
    gains: dict[str, float] = field(default_factory=dict)
    """voice_key -> gain in dB."""


def voice_key(voice: Voice) -> str:
    """A stable text key for *voice* (every setting that changes its sound)."""
    return json.dumps(asdict(voice), sort_keys=True)


def voice_gains(clips: Sequence[Clip], known: dict[str, float]) -> dict[Voice, float]:
    """Levelling gain per voice: the one in *known* for an unchanged voice, else measured now."""
    gains = {clip.line.voice: known[voice_key(clip.line.voice)] for clip in clips if voice_key(clip.line.voice) in known}
    gains.update(stitch.level_voices([clip for clip in clips if clip.line.voice not in gains]))
    return gains


def chapter_digest(clips: Sequence[Clip], gains: dict[Voice, float], config: Config, tags: tag.ChapterTags,
                   cover_digest: str | None) -> str:
    """A digest of everything a chapter file is made from; equal digests mean identical audio and tags."""
    facts = []
    for clip in clips:
        try:
            stat = clip.path.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:
            size = mtime = None
        seg = clip.line.segment
        facts.append([clip.path.name, size, mtime, seg.pause.value, seg.kind.value, gains.get(clip.line.voice, 0.0)])
    payload = [stitch.ENCODING_VERSION, facts, asdict(config.pauses), asdict(config.mastering),
               asdict(replace(tags, cover=None, marks=())), cover_digest]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def entry_for(audio: ChapterAudio, digest: str) -> ManifestEntry:
    """The entry recording the finished file *audio*, made from inputs with *digest*."""
    stat = audio.path.stat()
    return ManifestEntry(digest, stat.st_size, stat.st_mtime_ns, audio.duration_ms,
                         tuple((c.start_ms, c.end_ms) for c in audio.cues))


def reuse(entry: ManifestEntry | None, digest: str, path: Path, chapter: Chapter,
          clips: Sequence[Clip]) -> ChapterAudio | None:
    """The chapter as *entry* recorded it, if its inputs are unchanged and *path* is still the file written then."""
    if entry is None or entry.digest != digest or len(entry.cues) != len(clips):
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns):
        return None
    cues = tuple(Cue(clip.line.segment, start, end) for clip, (start, end) in zip(clips, entry.cues))
    return ChapterAudio(chapter, path, entry.duration_ms, cues)


def manifest_text(manifest: Manifest) -> str:
    """The manifest as compact JSON."""
    files = {name: asdict(entry) for name, entry in manifest.files.items()}
    return json.dumps({"version": MANIFEST_VERSION, "files": files, "gains": manifest.gains},
                      separators=(",", ":"), ensure_ascii=False)


def read_manifest(book_dir: Path) -> Manifest:
    """The book folder's manifest; an empty one when it is missing, damaged or from another version."""
    try:
        data = json.loads((book_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return Manifest()
    raw_files, raw_gains = data.get("files"), data.get("gains")
    files = {}
    for name, raw in (raw_files.items() if isinstance(raw_files, dict) else ()):
        try:
            files[name] = ManifestEntry(str(raw["digest"]), int(raw["size"]), int(raw["mtime_ns"]),
                                        int(raw["duration_ms"]), tuple((int(s), int(e)) for s, e in raw["cues"]))
        except (KeyError, TypeError, ValueError):
            continue  # a damaged entry only means that chapter is encoded again
    gains = {str(k): float(v) for k, v in (raw_gains.items() if isinstance(raw_gains, dict) else ())
             if isinstance(v, (int, float))}
    return Manifest(files, gains)


def safe_entry_name(name: str) -> bool:
    """True when *name* from a manifest is a plain visible file name (a tampered one must not reach elsewhere)."""
    return bool(name) and os.path.basename(name) == name and not name.startswith(".")
