"""Tests for fullcast.publish.manifest: digests, reuse rules, sticky voice gains, tolerant reading."""

from __future__ import annotations

import os
import wave
from dataclasses import replace
from pathlib import Path

import pytest

from fullcast.audio.engines import FakeEngine
from fullcast.model import Chapter, ChapterAudio, Clip, Cue, Line, Pause, Segment, SegmentKind, Voice
from fullcast.publish import manifest, tag
from fullcast.settings.config import Config, Mastering, Pauses

VOICE = Voice("fake", "gmw/en-us", 175, 50, 0.9)
OTHER = Voice("fake", "gmw/en+f2", 175, 50, 0.5)
CHAPTER = Chapter(1, "One", "story.txt", "", None, ())
TAGS = tag.ChapterTags(book_title="Book", chapter_title="One", author="A", narrator="N", track=1, track_total=1)


def clip(folder: Path, index: int, voice: Voice = VOICE, words: str = "one two three") -> Clip:
    path = folder / f"{index}.wav"
    FakeEngine().synthesize(words, voice, path)
    with wave.open(str(path)) as handle:
        ms = handle.getnframes() * 1000 // handle.getframerate()
    seg = Segment(1, index, SegmentKind.NARRATION, "narrator", words, None, None, None,
                  Pause.START if index == 0 else Pause.PARAGRAPH)
    return Clip(Line(seg, voice, words), path, ms, False)


@pytest.fixture
def clips(tmp_path: Path) -> list[Clip]:
    return [clip(tmp_path, 0), clip(tmp_path, 1, OTHER)]


def digest(clips, gains=None, config=Config(), tags=TAGS, cover=None) -> str:
    return manifest.chapter_digest(clips, gains or {}, config, tags, cover)


def test_digest_is_stable_and_sensitive(clips: list[Clip]) -> None:
    base = digest(clips)
    assert digest(clips) == base
    changed = [
        digest(clips[:1]),
        digest(clips, gains={VOICE: 1.0}),
        digest(clips, config=Config(pauses=Pauses(inline=300))),
        digest(clips, config=Config(mastering=Mastering(loudness=-19.0))),
        digest(clips, tags=replace(TAGS, narrator="Someone")),
        digest(clips, cover="abc"),
        digest([clips[0], replace(clips[1], line=replace(clips[1].line, segment=replace(
            clips[1].line.segment, pause=Pause.SCENE)))]),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_digest_follows_a_rewritten_cache_file(clips: list[Clip]) -> None:
    base = digest(clips)
    stat = clips[0].path.stat()
    os.utime(clips[0].path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert digest(clips) != base


def finished(tmp_path: Path, clips: list[Clip]) -> tuple[ChapterAudio, manifest.ManifestEntry]:
    path = tmp_path / "01 - One.mp3"
    path.write_bytes(b"audio")
    cues = tuple(Cue(c.line.segment, 750 + 1000 * i, 1500 + 1000 * i) for i, c in enumerate(clips))
    audio = ChapterAudio(CHAPTER, path, 4000, cues)
    return audio, manifest.entry_for(audio, "d1")


def test_reuse_returns_the_recorded_chapter(tmp_path: Path, clips: list[Clip]) -> None:
    audio, entry = finished(tmp_path, clips)
    assert manifest.reuse(entry, "d1", audio.path, CHAPTER, clips) == audio


def test_reuse_refuses_changed_inputs_or_files(tmp_path: Path, clips: list[Clip]) -> None:
    audio, entry = finished(tmp_path, clips)
    assert manifest.reuse(entry, "d2", audio.path, CHAPTER, clips) is None
    assert manifest.reuse(None, "d1", audio.path, CHAPTER, clips) is None
    assert manifest.reuse(entry, "d1", audio.path, CHAPTER, clips[:1]) is None
    audio.path.write_bytes(b"other audio")
    assert manifest.reuse(entry, "d1", audio.path, CHAPTER, clips) is None
    audio.path.unlink()
    assert manifest.reuse(entry, "d1", audio.path, CHAPTER, clips) is None


def test_manifest_round_trips(tmp_path: Path, clips: list[Clip]) -> None:
    _, entry = finished(tmp_path, clips)
    record = manifest.Manifest({"01 - One.mp3": entry}, {manifest.voice_key(VOICE): -2.5})
    (tmp_path / manifest.MANIFEST_NAME).write_text(manifest.manifest_text(record))
    assert manifest.read_manifest(tmp_path) == record


@pytest.mark.parametrize("text", ["", "{not json", "[]", '{"version": 99, "files": {}}',
                                  '{"version": 1, "files": [1, 2], "gains": "x"}'])
def test_a_damaged_manifest_reads_as_empty(tmp_path: Path, text: str) -> None:
    (tmp_path / manifest.MANIFEST_NAME).write_text(text)
    assert manifest.read_manifest(tmp_path) == manifest.Manifest()


def test_a_damaged_entry_is_dropped_alone(tmp_path: Path) -> None:
    (tmp_path / manifest.MANIFEST_NAME).write_text(
        '{"version":1,"files":{"a.mp3":{"digest":"x"},"b.mp3":{"digest":"y","size":1,"mtime_ns":2,'
        '"duration_ms":3,"cues":[[4,5]]}},"gains":{}}')
    assert manifest.read_manifest(tmp_path).files == {"b.mp3": manifest.ManifestEntry("y", 1, 2, 3, ((4, 5),))}


def test_voice_gains_are_sticky_for_unchanged_voices(clips: list[Clip]) -> None:
    measured = manifest.voice_gains(clips, {})
    assert set(measured) == {VOICE, OTHER}
    remembered = manifest.voice_gains(clips, {manifest.voice_key(VOICE): 3.25})
    assert remembered == {VOICE: 3.25, OTHER: measured[OTHER]}


@pytest.mark.parametrize(("name", "ok"), [("01 - One.mp3", True), ("../x.mp3", False), ("/etc/passwd", False),
                                          (".fullcast.lock", False), ("", False), ("a/b.mp3", False)])
def test_safe_entry_name(name: str, ok: bool) -> None:
    assert manifest.safe_entry_name(name) is ok
