"""The book folder's manifest: what each file was made from and what it holds, so unchanged work is left alone.

A chapter's digest covers everything that decides its files' bytes: its clips in order
(each cache entry's content-addressed name and size), each segment's pause and kind, the
voice gains, the pause, mastering and file-length settings, the encoder chain and the
tags. Files are reused when the digest matches and the file on disk is still the one this
render wrote: the same size and modification time, or else the same SHA-256, so a book
that was copied or touched is not encoded again, while a tampered, truncated or deleted
file is rebuilt. Voice gains and each file's mastering gain are remembered too, so a
small change in one voice does not shift every level and re-encode every block.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Sequence

from ..audio import clips as clip_reading
from ..audio import master, stitch
from ..model import Chapter, ChapterAudio, Clip, Cue, Voice
from ..settings.config import Config
from .tag import ChapterTags

MANIFEST_NAME = ".fullcast-manifest.json"
"""Hidden file in the book folder."""
MANIFEST_VERSION = 2
"""Bump when the manifest's layout changes; an older manifest is then ignored."""
_READ_BYTES = 1 << 20


@dataclass(frozen=True)
class ManifestEntry:
    """What one finished file was made from, and what it contains."""

    digest: str
    """`chapter_digest` of its chapter's inputs."""
    sha256: str
    """SHA-256 of the file's bytes when written."""
    size: int
    """File size in bytes when written."""
    mtime_ns: int
    """Modification time when written (a cheap first check before hashing)."""
    duration_ms: int
    """Length of its audio."""
    cues: tuple[tuple[int, int], ...]
    """(start_ms, end_ms) of each segment, in order."""
    chapter: int = 0
    """The chapter it belongs to."""
    part: int = 1
    """Which part of its chapter it is."""
    parts: int = 1
    """How many files the chapter was split into."""
    gain: float = 0.0
    """The mastering gain in dB its audio was encoded with."""
    loudness: float = 0.0
    """Its audio's loudness in LUFS before mastering; while it stays put, so can the gain."""
    track: str = ""
    """The TRCK value written into it ("3/12")."""


@dataclass(frozen=True)
class Manifest:
    """Every file of a book, by file name, and the levelling gain of every voice."""

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
    gains.update(clip_reading.level_voices([clip for clip in clips if clip.line.voice not in gains]))
    return gains


def chapter_digest(clips: Sequence[Clip], gains: dict[Voice, float], config: Config, tags: ChapterTags,
                   cover_digest: str | None) -> str:
    """A digest of everything a chapter's files are made from; equal digests mean identical audio and tags.

    The track number is left out: a file whose place in the book moved is retagged, not made again.
    """
    facts = [[clip.path.name, _size(clip.path), clip.line.segment.pause.value, clip.line.segment.kind.value,
              gains.get(clip.line.voice, 0.0)] for clip in clips]
    payload = [master.ENCODING_VERSION, stitch.BLOCK_S, facts, asdict(config.pauses),
               asdict(config.mastering), asdict(replace(tags, cover=None, marks=(), track=0, track_total=0)),
               cover_digest]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def entry_for(audio: ChapterAudio, digest: str, gain: float, loudness: float, track: str,
              written: Path | None = None) -> ManifestEntry:
    """The entry recording the finished file *audio* (read from *written*, its part name, when given),
    made from inputs with *digest* and mastered by *gain*."""
    path = written or audio.path
    stat = path.stat()
    return ManifestEntry(digest, file_sha256(path), stat.st_size, stat.st_mtime_ns, audio.duration_ms,
                         tuple((c.start_ms, c.end_ms) for c in audio.cues), audio.chapter.number, audio.part,
                         audio.parts, gain, loudness, track)


def file_sha256(path: Path) -> str:
    """SHA-256 of the file at *path*, read in pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while piece := handle.read(_READ_BYTES):
            digest.update(piece)
    return digest.hexdigest()


def still_there(entry: ManifestEntry, path: Path) -> ManifestEntry | None:
    """*entry* (with the file's current mtime) when *path* still holds the bytes it recorded, else None."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if stat.st_size != entry.size:
        return None
    if stat.st_mtime_ns == entry.mtime_ns:
        return entry
    try:
        same = file_sha256(path) == entry.sha256
    except OSError:
        return None
    return replace(entry, mtime_ns=stat.st_mtime_ns) if same else None


def chapter_entries(manifest: Manifest, chapter: int, digest: str) -> list[tuple[str, ManifestEntry]]:
    """The files recorded for *chapter* with *digest*, in part order, when every part is there; else []."""
    found = sorted(((name, e) for name, e in manifest.files.items() if e.chapter == chapter and e.digest == digest),
                   key=lambda item: item[1].part)
    if not found or [e.part for _, e in found] != list(range(1, found[0][1].parts + 1)):
        return []
    return found


def reuse(entries: Sequence[ManifestEntry], paths: Sequence[Path], chapter: Chapter,
          clips: Sequence[Clip]) -> list[ChapterAudio] | None:
    """The chapter's files as *entries* recorded them, with their cues, when they all still match their inputs."""
    if sum(len(e.cues) for e in entries) != len(clips):
        return None
    files, at = [], 0
    for entry, path in zip(entries, paths):
        mine = clips[at:at + len(entry.cues)]
        at += len(entry.cues)
        cues = tuple(Cue(clip.line.segment, start, end) for clip, (start, end) in zip(mine, entry.cues))
        files.append(ChapterAudio(chapter, path, entry.duration_ms, cues, entry.part, entry.parts))
    return files


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
            files[name] = _entry(raw)
        except (KeyError, TypeError, ValueError):
            continue  # a damaged entry only means that chapter is encoded again
    gains = {str(k): float(v) for k, v in (raw_gains.items() if isinstance(raw_gains, dict) else ())
             if isinstance(v, (int, float))}
    return Manifest(files, gains)


def _entry(raw: dict) -> ManifestEntry:
    return ManifestEntry(str(raw["digest"]), str(raw["sha256"]), int(raw["size"]), int(raw["mtime_ns"]),
                         int(raw["duration_ms"]), tuple((int(s), int(e)) for s, e in raw["cues"]),
                         int(raw["chapter"]), int(raw["part"]), int(raw["parts"]), float(raw["gain"]),
                         float(raw["loudness"]), str(raw["track"]))


def safe_entry_name(name: str) -> bool:
    """True when *name* from a manifest is a plain visible file name (a tampered one must not reach elsewhere)."""
    return bool(name) and os.path.basename(name) == name and not name.startswith(".")


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
