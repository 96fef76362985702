"""manifest: content digests, reuse by bytes not mtimes, split chapters, sticky voice gains, tolerant reading."""

from __future__ import annotations

import hashlib
import os
import wave
from dataclasses import replace
from pathlib import Path

import pytest

from fullcast.audio.engines import FakeEngine
from fullcast.model import Chapter, ChapterAudio, Clip, Cue, Line, Pause, Segment, SegmentKind, Voice
from fullcast.publish import manifest, tag
from fullcast.publish.metadata import BookMetadata
from fullcast.settings.config import Config, Mastering, Pauses

VOICE = Voice("fake", "gmw/en-us", 175, 50, 0.9)
OTHER = Voice("fake", "gmw/en+f2", 175, 50, 0.5)
CHAPTER = Chapter(1, "One", "story.txt", "", None, ())
TAGS = tag.ChapterTags(BookMetadata("Book", ("A",), ("N",)), chapter_title="One", track=1, track_total=1)


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
        digest(clips, tags=replace(TAGS, book=replace(TAGS.book, narrators=("Someone",)))),
        digest(clips, cover="abc"),
        digest([clips[0], replace(clips[1], line=replace(clips[1].line, segment=replace(
            clips[1].line.segment, pause=Pause.SCENE)))]),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_digest_follows_the_cache_entrys_content_not_its_mtime(clips: list[Clip]) -> None:
    base = digest(clips)
    stat = clips[0].path.stat()
    os.utime(clips[0].path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert digest(clips) == base  # touched or copied: the same entry
    FakeEngine().synthesize("one two three four", VOICE, clips[0].path)
    assert digest(clips) != base  # rewritten with other audio


def test_digest_ignores_the_track_number_and_follows_the_file_length_limit(clips: list[Clip]) -> None:
    base = digest(clips)
    assert digest(clips, tags=replace(TAGS, track=4, track_total=9)) == base
    assert digest(clips, config=Config(mastering=Mastering(max_file_minutes=60))) != base


def finished(tmp_path: Path, clips: list[Clip], name: str = "01 - One.mp3", part: int = 1,
             parts: int = 1) -> tuple[ChapterAudio, manifest.ManifestEntry]:
    path = tmp_path / name
    path.write_bytes(b"audio " + name.encode())
    cues = tuple(Cue(c.line.segment, 750 + 1000 * i, 1500 + 1000 * i) for i, c in enumerate(clips))
    audio = ChapterAudio(CHAPTER, path, 4000, cues, part, parts)
    return audio, manifest.entry_for(audio, "d1", -1.5, -24.5, f"{part}/{parts}")


def test_an_entry_records_the_file_its_chapter_part_gain_and_track(tmp_path: Path, clips: list[Clip]) -> None:
    audio, entry = finished(tmp_path, clips)
    assert (entry.digest, entry.size, entry.duration_ms, entry.cues) == ("d1", 18, 4000, ((750, 1500), (1750, 2500)))
    assert (entry.chapter, entry.part, entry.parts, entry.gain, entry.loudness, entry.track) == (1, 1, 1, -1.5, -24.5,
                                                                                                  "1/1")
    assert entry.sha256 == hashlib.sha256(b"audio 01 - One.mp3").hexdigest()


def test_reuse_returns_the_recorded_chapter(tmp_path: Path, clips: list[Clip]) -> None:
    audio, entry = finished(tmp_path, clips)
    assert manifest.reuse([entry], [audio.path], CHAPTER, clips) == [audio]
    assert manifest.reuse([entry], [audio.path], CHAPTER, clips[:1]) is None  # a line more or less


def test_reuse_gives_each_part_of_a_split_chapter_its_own_cues(tmp_path: Path, clips: list[Clip]) -> None:
    first, one = finished(tmp_path, clips[:1], "01a - One.mp3", 1, 2)
    second, two = finished(tmp_path, clips[1:], "01b - One.mp3", 2, 2)
    found = manifest.reuse([one, two], [first.path, second.path], CHAPTER, clips)
    assert found == [first, second]
    assert [a.title for a in found] == ["One (part 1)", "One (part 2)"]


def test_a_file_still_there_is_judged_by_its_bytes(tmp_path: Path, clips: list[Clip]) -> None:
    audio, entry = finished(tmp_path, clips)
    assert manifest.still_there(entry, audio.path) == entry
    stat = audio.path.stat()
    os.utime(audio.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000))  # touched, or copied elsewhere
    assert manifest.still_there(entry, audio.path) == replace(entry, mtime_ns=stat.st_mtime_ns + 5_000_000)
    audio.path.write_bytes(b"audio 01 - Two.mp3")  # same size, other bytes
    assert manifest.still_there(entry, audio.path) is None
    audio.path.write_bytes(b"other")
    assert manifest.still_there(entry, audio.path) is None
    audio.path.unlink()
    assert manifest.still_there(entry, audio.path) is None


def test_chapter_entries_need_every_part(tmp_path: Path, clips: list[Clip]) -> None:
    _, one = finished(tmp_path, clips[:1], "01a - One.mp3", 1, 2)
    _, two = finished(tmp_path, clips[1:], "01b - One.mp3", 2, 2)
    record = manifest.Manifest({"01b - One.mp3": two, "01a - One.mp3": one})
    assert manifest.chapter_entries(record, 1, "d1") == [("01a - One.mp3", one), ("01b - One.mp3", two)]
    assert manifest.chapter_entries(record, 1, "d2") == []
    assert manifest.chapter_entries(record, 2, "d1") == []
    assert manifest.chapter_entries(manifest.Manifest({"01b - One.mp3": two}), 1, "d1") == []


def test_manifest_round_trips(tmp_path: Path, clips: list[Clip]) -> None:
    _, entry = finished(tmp_path, clips)
    record = manifest.Manifest({"01 - One.mp3": entry}, {manifest.voice_key(VOICE): -2.5})
    (tmp_path / manifest.MANIFEST_NAME).write_text(manifest.manifest_text(record))
    assert manifest.read_manifest(tmp_path) == record


@pytest.mark.parametrize("text", ["", "{not json", "[]", '{"version": 99, "files": {}}',
                                  '{"version": 2, "files": [1, 2], "gains": "x"}',
                                  '{"version": 1, "files": {}, "gains": {}}'])
def test_a_damaged_or_older_manifest_reads_as_empty(tmp_path: Path, text: str) -> None:
    (tmp_path / manifest.MANIFEST_NAME).write_text(text)
    assert manifest.read_manifest(tmp_path) == manifest.Manifest()


def test_a_damaged_entry_is_dropped_alone(tmp_path: Path) -> None:
    (tmp_path / manifest.MANIFEST_NAME).write_text(
        '{"version":2,"files":{"a.mp3":{"digest":"x"},"b.mp3":{"digest":"y","sha256":"z","size":1,"mtime_ns":2,'
        '"duration_ms":3,"cues":[[4,5]],"chapter":1,"part":1,"parts":1,"gain":0.5,"loudness":-24.0,"track":"1/1"}},'
        '"gains":{}}')
    assert manifest.read_manifest(tmp_path).files == {
        "b.mp3": manifest.ManifestEntry("y", "z", 1, 2, 3, ((4, 5),), 1, 1, 1, 0.5, -24.0, "1/1")}


def test_voice_gains_are_sticky_for_unchanged_voices(clips: list[Clip]) -> None:
    measured = manifest.voice_gains(clips, {})
    assert set(measured) == {VOICE, OTHER}
    remembered = manifest.voice_gains(clips, {manifest.voice_key(VOICE): 3.25})
    assert remembered == {VOICE: 3.25, OTHER: measured[OTHER]}


@pytest.mark.parametrize(("name", "ok"), [("01 - One.mp3", True), ("../x.mp3", False), ("/etc/passwd", False),
                                          (".fullcast.lock", False), ("", False), ("a/b.mp3", False)])
def test_safe_entry_name(name: str, ok: bool) -> None:
    assert manifest.safe_entry_name(name) is ok
