"""Tests for fullcast.publish.export: file names, lock, manifest (only changed chapters re-encoded), playlist, script."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import wave
from concurrent.futures import Executor, Future
from dataclasses import replace
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from fullcast.audio import ffmpeg, master, stitch
from fullcast.audio.engines import FakeEngine
from fullcast.errors import OutputError
from fullcast.model import (
    Book,
    CastScript,
    Chapter,
    ChapterAudio,
    Clip,
    ContentWarning,
    Line,
    Pause,
    Script,
    Segment,
    SegmentKind,
    Voice,
)
from fullcast.publish import export
from fullcast.publish.folder import PART
from fullcast.publish.tag import read_mp3_facts
from fullcast.settings.config import BookInfo, Config, Mastering, Pauses

from support.holder import start_holder

NARRATOR = Voice("fake", "gmw/en-us", 175, 50, 0.9)
TARA = Voice("fake", "gmw/en-us+f3", 175, 60, 0.4)
WILLOW = Voice("fake", "gmw/en+f2", 175, 40, 0.7)
TITLES = ("Chapter One: The Harbour", "Chapter Two")
CHAPTER_RE = re.compile(r"Chapter #\d+:\d+: start ([\d.]+), end ([\d.]+)\s+Metadata:\s+title\s+: (.*)")


def build_book(root: Path, titles: tuple[str, ...] = TITLES, tara: Voice = TARA,
               book_title: str = "Old Town") -> tuple[CastScript, list[Clip], Config]:
    """A two-chapter book: warning + heading + narration + dialogue in chapter 1, heading + lines in chapter 2."""
    source = str(root / "story.txt")
    chapters = tuple(Chapter(n, t, source, "", None, ()) for n, t in enumerate(titles, 1))
    book = Book(book_title, "Ann Author", "R", (), ContentWarning("This book contains violence."), chapters)
    plan = {1: [(SegmentKind.WARNING, "narrator", Pause.START), (SegmentKind.HEADING, "narrator", Pause.HEADING),
                (SegmentKind.NARRATION, "narrator", Pause.HEADING), (SegmentKind.DIALOGUE, "Tara", Pause.PARAGRAPH)]}
    body = [(SegmentKind.HEADING, "narrator", Pause.START), (SegmentKind.DIALOGUE, "Tara", Pause.HEADING),
            (SegmentKind.NARRATION, "narrator", Pause.INLINE)]
    voices = {"narrator": NARRATOR, "Tara": tara}
    segments = [Segment(ch.number, i, kind, who, f"{ch.number} {i} " + "word " * (3 + i), None, None, None, pause)
                for ch in chapters for i, (kind, who, pause) in enumerate(plan.get(ch.number, body))]
    lines = tuple(Line(s, voices[s.speaker], s.text) for s in segments)
    cast = CastScript(Script(book, tuple(segments), ()), lines, tuple(voices.items()))
    config = Config(book=BookInfo(narrator="The Ensemble", year="2026", description="A test book."))
    return cast, [synthesise(root / "cache", line) for line in lines], config


def synthesise(cache: Path, line: Line) -> Clip:
    """The fake engine's clip for *line*, cached by voice and text like the real cache."""
    cache.mkdir(exist_ok=True)
    path = cache / f"{hashlib.sha256(repr((line.voice, line.spoken)).encode()).hexdigest()[:16]}.wav"
    if not path.exists():
        FakeEngine().synthesize(line.spoken, line.voice, path)
    with wave.open(str(path)) as handle:
        return Clip(line, path, handle.getnframes() * 1000 // handle.getframerate(), True)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every MP3 in *folder*: bytes and mtime."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.mp3"))}


def ffmpeg_chapters(path: Path) -> list[tuple[float, float, str]]:
    listing = ffmpeg.run_ffmpeg(["-i", path], check=False)
    return [(float(s), float(e), t.strip()) for s, e, t in CHAPTER_RE.findall(listing)]


# --------------------------------------------------------------------------- export


@pytest.fixture
def book(tmp_path: Path) -> tuple[CastScript, list[Clip], Config]:
    return build_book(tmp_path)


def test_export_writes_chapters_playlist_and_script(tmp_path: Path, book) -> None:
    cast, clips, config = book
    result = export.export_book(cast, clips, config, tmp_path / "out")
    folder = tmp_path / "out" / "mp3" / "Ann Author" / "Old Town"
    assert result.book_dir == folder
    assert [p.name for p in result.files] == ["01 - Chapter One - The Harbour.mp3", "02 - Chapter Two.mp3"]
    assert result.encoded == (1, 2)
    assert sorted(p.name for p in folder.iterdir()) == [
        "01 - Chapter One - The Harbour.mp3", "02 - Chapter Two.mp3", "Old Town.m3u"]
    state = tmp_path / "out" / ".fullcast" / "mp3" / "Ann Author" / "Old Town"
    assert result.state == state
    assert sorted(p.name for p in state.iterdir()) == [".fullcast-manifest.json", ".fullcast-script.jsonl"]
    lines = result.playlist.read_text().splitlines()
    assert lines[0] == "#EXTM3U" and lines[2] == "01 - Chapter One - The Harbour.mp3" and lines[4] == "02 - Chapter Two.mp3"
    assert re.fullmatch(r"#EXTINF:\d+,Chapter One: The Harbour", lines[1])
    records = [json.loads(x) for x in result.script.read_text().splitlines()]
    assert len(records) == len(cast.lines)
    assert records[3] == {"chapter": 1, "index": 3, "kind": "dialogue", "speaker": "Tara", "voice": "gmw/en-us+f3",
                          "engine": "fake", "text": cast.lines[3].spoken, "source": None, "start": None, "end": None}
    assert export.script_jsonl(cast) == result.script.read_text()


def test_exported_mp3s_meet_the_format_and_loudness(tmp_path: Path, book) -> None:
    cast, clips, config = book
    result = export.export_book(cast, clips, config, tmp_path / "out")
    for audio in result.chapters:
        facts = read_mp3_facts(audio.path)
        assert (facts.sample_rate, facts.bitrate, facts.mode, facts.channels) == (44100, 192000, "CBR", 1)
        stats = ffmpeg.measure_audio(audio.path)
        assert stats.integrated_lufs == pytest.approx(config.mastering.loudness, abs=config.mastering.tolerance)
        assert stats.true_peak_dbtp <= config.mastering.true_peak
        assert stats.duration_s * 1000 == pytest.approx(audio.duration_ms, abs=10)
        assert stats.head_silence_s == pytest.approx(config.pauses.head / 1000, abs=0.02)
        assert 1.0 <= stats.tail_silence_s <= 5.0


def test_cues_and_chapter_marks(tmp_path: Path, book) -> None:
    cast, clips, config = book
    first = export.export_book(cast, clips, config, tmp_path / "out").chapters[0]
    assert [c.segment.kind for c in first.cues] == [SegmentKind.WARNING, SegmentKind.HEADING,
                                                    SegmentKind.NARRATION, SegmentKind.DIALOGUE]
    assert first.cues[0].start_ms == config.pauses.head
    gap = first.cues[1].start_ms - first.cues[0].end_ms
    assert gap == config.pauses.heading
    marks = ffmpeg_chapters(first.path)
    assert [m[2] for m in marks] == ["Content warning", "Chapter One: The Harbour"]
    assert marks[0][0] == 0.0 and marks[1][0] == first.cues[1].start_ms / 1000
    assert marks[1][1] == first.duration_ms / 1000


def test_tags_are_written_before_the_file_appears(tmp_path: Path, book) -> None:
    cast, clips, config = book
    second = export.export_book(cast, clips, config, tmp_path / "out").files[1]
    listing = ffmpeg.run_ffmpeg(["-i", second], check=False)
    for expected in ("album           : Old Town", "title           : Chapter Two", "artist          : Ann Author",
                     "composer        : The Ensemble", "track           : 2/2", "genre           : Audiobook"):
        assert expected in listing


def test_unchanged_book_is_left_byte_for_byte(tmp_path: Path, book) -> None:
    cast, clips, config = book
    first = export.export_book(cast, clips, config, tmp_path / "out")
    before = snapshot(first.book_dir)
    again = export.export_book(cast, clips, config, tmp_path / "out")
    assert again.encoded == ()
    assert snapshot(first.book_dir) == before
    assert [c.cues for c in again.chapters] == [c.cues for c in first.chapters]
    assert [c.duration_ms for c in again.chapters] == [c.duration_ms for c in first.chapters]


def test_changing_a_voice_re_encodes_only_its_chapters(tmp_path: Path) -> None:
    cast, clips, config = build_book(tmp_path)
    first = export.export_book(cast, clips, config, tmp_path / "out")
    before = snapshot(first.book_dir)
    # Tara now speaks only in chapter 2 with a new voice; chapter 1 keeps its clips and gains
    lines = [replace(l, voice=WILLOW) if l.segment.chapter == 2 and l.segment.speaker == "Tara" else l
             for l in cast.lines]
    changed_cast = replace(cast, lines=tuple(lines))
    changed_clips = [synthesise(tmp_path / "cache", line) for line in lines]
    changed_clips[3] = replace(changed_clips[3], line=lines[3])
    result = export.export_book(changed_cast, changed_clips, config, tmp_path / "out")
    after = snapshot(first.book_dir)
    assert result.encoded == (2,)
    assert after["01 - Chapter One - The Harbour.mp3"] == before["01 - Chapter One - The Harbour.mp3"]
    assert after["02 - Chapter Two.mp3"][0] != before["02 - Chapter Two.mp3"][0]


def test_changing_tags_or_mastering_re_encodes(tmp_path: Path, book) -> None:
    cast, clips, config = book
    export.export_book(cast, clips, config, tmp_path / "out")
    retitled = replace(config, book=replace(config.book, narrator="Someone Else"))
    assert export.export_book(cast, clips, retitled, tmp_path / "out").encoded == (1, 2)
    slower = replace(retitled, pauses=Pauses(paragraph=900))
    assert export.export_book(cast, clips, slower, tmp_path / "out").encoded == (1, 2)


def test_force_re_encodes_everything(tmp_path: Path, book) -> None:
    cast, clips, config = book
    export.export_book(cast, clips, config, tmp_path / "out")
    assert export.export_book(cast, clips, config, tmp_path / "out", force=True).encoded == (1, 2)


def test_a_tampered_or_deleted_file_is_rebuilt(tmp_path: Path, book) -> None:
    cast, clips, config = book
    result = export.export_book(cast, clips, config, tmp_path / "out")
    result.files[0].write_bytes(b"truncated")
    result.files[1].unlink()
    assert export.export_book(cast, clips, config, tmp_path / "out").encoded == (1, 2)
    assert read_mp3_facts(result.files[0]).bitrate == 192000


def test_leftovers_of_a_killed_render_are_swept(tmp_path: Path, book) -> None:
    cast, clips, config = book
    folder = tmp_path / "out" / "mp3" / "Ann Author" / "Old Town"
    folder.mkdir(parents=True)
    leftovers = [folder / ".01 - Chapter One - The Harbour.mp3.part-99999", folder / ".Old Town.m3u.part-4242"]
    for path in leftovers:
        path.write_bytes(b"half")
    export.export_book(cast, clips, config, tmp_path / "out")
    assert not any(path.exists() for path in leftovers)
    assert not list(folder.glob(f"*{PART}*")) and not list(folder.glob(f".*{PART}*"))


def test_renamed_chapter_replaces_the_old_file(tmp_path: Path) -> None:
    cast, clips, config = build_book(tmp_path)
    export.export_book(cast, clips, config, tmp_path / "out")
    cast2, clips2, _ = build_book(tmp_path, titles=(TITLES[0], "Chapter Two: Renamed"))
    result = export.export_book(cast2, clips2, config, tmp_path / "out")
    assert result.encoded == (2,)
    assert sorted(p.name for p in result.book_dir.glob("*.mp3")) == [
        "01 - Chapter One - The Harbour.mp3", "02 - Chapter Two - Renamed.mp3"]


def test_hostile_titles_stay_inside_out(tmp_path: Path) -> None:
    cast, clips, config = build_book(tmp_path, titles=("../../escape", "CON"), book_title="../../../etc")
    result = export.export_book(cast, clips, config, tmp_path / "out")
    assert result.book_dir == tmp_path / "out" / "mp3" / "Ann Author" / "_.._.._etc"
    assert [p.name for p in result.files] == ["01 - _.._escape.mp3", "02 - _CON.mp3"]
    assert all(p.resolve().is_relative_to((tmp_path / "out").resolve()) for p in result.files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "out"]


def test_export_into_a_held_folder_refuses(tmp_path: Path, book) -> None:
    cast, clips, config = book
    holder = start_holder(tmp_path / "out")
    try:
        with pytest.raises(OutputError, match=rf"another fullcast render \(PID {holder.pid}\)"):
            export.export_book(cast, clips, config, tmp_path / "out")
    finally:
        holder.kill()
        holder.wait()
    assert not (tmp_path / "out" / "mp3" / "Ann Author" / "Old Town").exists()


def test_a_failing_chapter_leaves_no_partial_files(tmp_path: Path, book) -> None:
    cast, clips, config = book
    clips[-1].path.write_bytes(b"RIFF\x00")
    with pytest.raises(Exception, match=r"chapter 2 segment 2"):
        export.export_book(cast, clips, config, tmp_path / "out")
    folder = tmp_path / "out" / "mp3" / "Ann Author" / "Old Town"
    assert not (folder / "02 - Chapter Two.mp3").exists()
    assert not list(folder.glob(f".*{PART}*"))


RENDERER = """
import sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], str(Path(sys.argv[1]).parent)]
from test_export import build_book
from fullcast.publish.export import export_book
root = Path(sys.argv[2])
cast, clips, config = build_book(root, titles=tuple(f"Chapter {n}" for n in range(1, 13)))
print("ready", flush=True)
export_book(cast, clips, config, root / "out")
"""


def interrupt_render(tmp_path: Path, sig: int) -> tuple[Path, int]:
    """Start a 12-chapter render in a child, send *sig* once it is writing, return the book folder and exit status."""
    child = subprocess.Popen([sys.executable, "-c", RENDERER, str(Path(__file__).parent), str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    folder = tmp_path / "out" / "mp3" / "Ann Author" / "Old Town"
    for _ in range(4000):
        if folder.is_dir() and list(folder.glob(f".*{PART}*")):
            break
        if child.poll() is not None:
            break
        __import__("time").sleep(0.005)
    child.send_signal(sig)
    return folder, child.wait(timeout=60)


def assert_only_finished_files(folder: Path) -> list[Path]:
    """Every visible MP3 is a complete, tagged chapter; returns them."""
    visible = sorted(folder.glob("*.mp3"))
    for path in visible:
        assert read_mp3_facts(path).bitrate == 192000
        assert "album           : Old Town" in ffmpeg.run_ffmpeg(["-i", path], check=False)
    return visible


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_render_leaves_nothing_half_written(tmp_path: Path, sig: int) -> None:
    folder, status = interrupt_render(tmp_path, sig)
    assert status != 0 or not list(folder.glob(f".*{PART}*"))
    if sig == signal.SIGINT:  # a clean stop removes its own part files
        assert not list(folder.glob(f".*{PART}*"))
    finished = {int(p.name[:2]) for p in assert_only_finished_files(folder)}
    cast, clips, config = build_book(tmp_path, titles=tuple(f"Chapter {n}" for n in range(1, 13)))
    result = export.export_book(cast, clips, config, tmp_path / "out")
    assert result.encoded == tuple(n for n in range(1, 13) if n not in finished)  # only what was not finished
    assert len(assert_only_finished_files(folder)) == 12
    assert not list(folder.glob(f".*{PART}*"))
    assert export.export_book(cast, clips, config, tmp_path / "out").encoded == ()
    assert result.files == tuple(sorted(folder.glob("*.mp3")))


def test_cues_line_up_with_the_decoded_mp3(tmp_path: Path, book) -> None:
    cast, clips, config = book
    chapter = export.export_book(cast, clips, config, tmp_path / "out").chapters[0]
    raw = tmp_path / "decoded.raw"
    ffmpeg.run_ffmpeg(["-i", chapter.path, "-f", "s16le", "-ac", "1", "-ar", "44100", "-y", raw])
    import numpy as np

    samples = np.frombuffer(raw.read_bytes(), dtype="<i2").astype(float) / 32768

    def level_db(start_ms: int, end_ms: int) -> float:
        window = samples[start_ms * 44100 // 1000:end_ms * 44100 // 1000]
        return 10 * np.log10(np.mean(window ** 2) + 1e-12)

    for cue in chapter.cues:
        assert level_db(cue.start_ms - 60, cue.start_ms - 10) < -50, "silent just before the cue"
        assert level_db(cue.start_ms, cue.start_ms + 50) > -35, "speech just after the cue starts"
        assert level_db(cue.end_ms + 10, cue.end_ms + 60) < -50, "silent just after the cue ends"


def test_progress_counts_the_audio_encoded(tmp_path: Path, book) -> None:
    cast, clips, config = book
    seen: list[tuple[float, float]] = []
    result = export.export_book(cast, clips, config, tmp_path / "out",
                                progress=lambda done, total: seen.append((done, total)))
    length = sum(c.duration_ms for c in result.chapters) / 1000
    assert len(seen) == 2 and [d for d, _ in seen] == sorted(d for d, _ in seen)  # a block per chapter here
    assert seen[-1] == (pytest.approx(length, abs=0.01), pytest.approx(length, abs=0.01))
    seen.clear()
    export.export_book(cast, clips, config, tmp_path / "out", progress=lambda done, total: seen.append((done, total)))
    assert seen == []


def test_longest_blocks_are_encoded_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cast, clips, config = build_book(tmp_path, titles=("One", "Two", "Three"))
    order, encode_block = [], master.encode_block

    def recording(plan, block, *args, **kwargs):
        order.append(block.frames)
        return encode_block(plan, block, *args, **kwargs)

    monkeypatch.setattr(master, "encode_block", recording)
    result = export.export_book(cast, clips, config, tmp_path / "out", jobs=1)
    assert len(order) == 3 and order == sorted(order, reverse=True) and order[0] > order[-1]
    assert result.encoded == (1, 2, 3) and [p.name[:2] for p in result.files] == ["01", "02", "03"]


class CopyingExecutor(Executor):
    """Runs each call at once on pickled copies of its arguments and result, as a cluster would; records the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:
        kwargs.pop("cancel", None)
        self.calls.append(fn.__name__)
        future: Future = Future()
        future.set_result(pickle.loads(pickle.dumps(fn(*pickle.loads(pickle.dumps(args)), **kwargs))))
        return future


def test_an_executor_plans_and_encodes_every_chapter(tmp_path: Path, book) -> None:
    cast, clips, config = book
    local = export.export_book(cast, clips, config, tmp_path / "local")
    executor = CopyingExecutor()
    remote = export.export_book(cast, clips, config, tmp_path / "remote", executor=executor)
    assert executor.calls.count("_plan_chapter") == 2
    assert executor.calls.count("encode_block") == len(executor.calls) - 2 > 0
    assert [p.name for p in remote.files] == [p.name for p in local.files]
    assert [p.read_bytes() for p in remote.files] == [p.read_bytes() for p in local.files]
    assert remote.chapters == tuple(replace(a, path=r) for a, r in zip(local.chapters, remote.files))


def test_a_dropped_chapter_takes_its_transcripts_along(tmp_path: Path) -> None:
    cast, clips, config = build_book(tmp_path)
    first = export.export_book(cast, clips, config, tmp_path / "out")
    for suffix in (".vtt", ".srt"):
        first.files[1].with_suffix(suffix).write_text("WEBVTT\n")
    cast2, clips2, _ = build_book(tmp_path, titles=(TITLES[0], "Chapter Two: Renamed"))
    export.export_book(cast2, clips2, config, tmp_path / "out")
    assert sorted(p.name for p in first.book_dir.iterdir() if p.suffix in (".vtt", ".srt")) == []


def test_playlist_keeps_each_entry_on_two_lines(tmp_path: Path) -> None:
    chapter = Chapter(1, "Part One\n#EXTM3U\r\nevil.mp3", "s.txt", "", None, ())
    audio = ChapterAudio(chapter, tmp_path / "01 - x.mp3", 61_600, ())
    assert export.playlist_text([audio]) == "#EXTM3U\n#EXTINF:62,Part One #EXTM3U evil.mp3\n01 - x.mp3\n"


# --------------------------------------------------------------------------- long chapters, idempotence


def book_state(book_dir: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in the book folder, hidden ones included: bytes and mtime."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(book_dir.iterdir())}


def test_a_chapter_longer_than_the_limit_becomes_files_split_at_a_paragraph(tmp_path: Path) -> None:
    cast, clips, config = build_book(tmp_path)
    config = replace(config, mastering=Mastering(max_file_minutes=11 / 60))
    result = export.export_book(cast, clips, config, tmp_path / "out")
    names = [p.name for p in result.files]
    assert names == ["01a - Chapter One - The Harbour.mp3", "01b - Chapter One - The Harbour.mp3",
                     "02 - Chapter Two.mp3"]
    assert [(a.title, a.part, a.parts) for a in result.chapters] == [
        ("Chapter One: The Harbour (part 1)", 1, 2), ("Chapter One: The Harbour (part 2)", 2, 2), ("Chapter Two", 1, 1)]
    for number, audio in enumerate(result.chapters, 1):
        assert audio.duration_ms <= 11000
        assert ffmpeg.probe(audio.path).duration_s * 1000 == pytest.approx(audio.duration_ms, abs=60)
        tags = ID3(audio.path)
        assert (str(tags["TIT2"]), str(tags["TRCK"])) == (audio.title, f"{number}/3")
        assert ffmpeg_chapters(audio.path)[-1][2] == audio.title
    assert [c.segment.index for a in result.chapters[:2] for c in a.cues] == [0, 1, 2, 3]  # every line, once
    assert result.chapters[1].cues[0].segment.pause is not Pause.INLINE
    assert (result.book_dir / "Old Town.m3u").read_text().count("(part ") == 2


def test_nothing_changed_writes_nothing(tmp_path: Path, book) -> None:
    cast, clips, config = book
    first = export.export_book(cast, clips, config, tmp_path / "out")
    before = book_state(first.book_dir)
    again = export.export_book(cast, clips, config, tmp_path / "out")
    assert again.encoded == () and book_state(first.book_dir) == before
    assert [c.cues for c in again.chapters] == [c.cues for c in first.chapters]


def test_a_copied_or_touched_book_is_not_encoded_again(tmp_path: Path, book) -> None:
    cast, clips, config = book
    first = export.export_book(cast, clips, config, tmp_path / "out")
    shutil.copytree(tmp_path / "out", tmp_path / "copy", copy_function=shutil.copy)  # new mtimes everywhere
    copied = export.export_book(cast, clips, config, tmp_path / "copy")
    assert copied.encoded == ()
    assert [p.read_bytes() for p in copied.files] == [p.read_bytes() for p in first.files]
    os.utime(first.files[0])  # touched
    assert export.export_book(cast, clips, config, tmp_path / "out").encoded == ()
    assert export.export_book(cast, clips, config, tmp_path / "out").encoded == ()  # and now recorded as it is


def test_a_changed_voice_re_encodes_only_the_blocks_it_speaks_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cast, clips, config = build_book(tmp_path, titles=("One", "Two", "Three"))
    monkeypatch.setattr(stitch, "BLOCK_S", 1.0)  # a block per line or two
    export.export_book(cast, clips, config, tmp_path / "out")
    fragments = set((tmp_path / "out" / ".cache" / master.FRAGMENT_FOLDER).rglob("*.mp3"))
    cast2, clips2, _ = build_book(tmp_path, titles=("One", "Two", "Three"), tara=replace(TARA, pitch=70))
    made: list[int] = []
    encode_block = master.encode_block
    monkeypatch.setattr(master, "encode_block", lambda plan, block, *a, **k: (
        made.append(block.first), encode_block(plan, block, *a, **k))[1])
    export.export_book(cast2, clips2, config, tmp_path / "out")
    new = set((tmp_path / "out" / ".cache" / master.FRAGMENT_FOLDER).rglob("*.mp3")) - fragments
    tara_blocks = 1 + 1 + 1  # her one line in each chapter, in a block of its own or with its neighbour
    assert 0 < len(new) <= tara_blocks + 3 and len(made) > len(new)  # blocks without her came from the cache


def test_a_new_chapter_retags_the_others_without_encoding_them(tmp_path: Path) -> None:
    cast, clips, config = build_book(tmp_path, titles=TITLES)
    first = export.export_book(cast, clips, config, tmp_path / "out")
    cast3, clips3, _ = build_book(tmp_path, titles=(*TITLES, "Chapter Three"))
    third = export.export_book(cast3, clips3, config, tmp_path / "out")
    assert third.encoded == (3,)
    assert [str(ID3(p)["TRCK"]) for p in third.files] == ["1/3", "2/3", "3/3"]
    assert [(c.start_ms, c.end_ms) for c in third.chapters[0].cues] == [(c.start_ms, c.end_ms) for c in
                                                                         first.chapters[0].cues]
    assert export.export_book(cast3, clips3, config, tmp_path / "out").encoded == ()
