"""Write a rendered book's MP3 edition into its folder: chapter MP3s, playlist, the script.

Per chapter: when its digest and files match the manifest, it is left alone, byte for
byte. Otherwise it is planned (`audio.stitch`), split into files no longer than the
file-length limit at a paragraph, mastered to one gain per file and cut into blocks. The
changed chapters are planned and their blocks encoded in parallel on all cores, or on a
cluster's executor (a block already in the cache is reused); then this process joins, tags
and renames each file into place and saves the manifest at once, so a killed render keeps
every file it finished.
"""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import FIRST_EXCEPTION, Executor, Future, ThreadPoolExecutor, as_completed, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..audio import ffmpeg, master, stitch
from ..audio.workers import available_cores
from ..errors import FullcastError
from ..model import CastScript, Chapter, ChapterAudio, Clip, Line, Voice
from ..settings.config import Config
from . import manifest, tag
from .assemble import assemble_file, write_tags
from .cover import Cover
from .folder import chapter_filename, hold_output, sweep_parts, writable_folder, write_text_atomic
from .layout import Edition, edition_folder, state_folder
from .metadata import BookMetadata, book_metadata

SCRIPT_NAME = ".fullcast-script.jsonl"
"""What was rendered, one JSON object per segment; in the book's state folder, beside its manifest."""
CACHE_FOLDER = ".cache"
"""The segment and block cache under the output folder, unless another is given."""
TRANSCRIPT_SUFFIXES = (".vtt", ".srt")
"""Transcripts written beside a chapter file; removed with it when the chapter is gone."""
STICKY_LU = 0.2
"""A file's mastering gain is kept from the last render while its loudness before mastering moved less than
this: no unchanged block is encoded again for a change the ear cannot hear, well inside the tolerance."""


@dataclass(frozen=True)
class ExportResult:
    """What export_book wrote."""

    book_dir: Path
    """The MP3 edition's folder under the output folder."""
    state: Path
    """The book folder's state folder (manifest and script), outside every library root."""
    files: tuple[Path, ...]
    """Every chapter file, in reading order."""
    encoded: tuple[int, ...]
    """Numbers of the chapters whose files were made in this run (the others were unchanged)."""
    playlist: Path
    """The .m3u playlist."""
    script: Path
    """script.jsonl."""
    chapters: tuple[ChapterAudio, ...]
    """Each file with its duration and segment cues, in order (for transcripts and M4B)."""


@dataclass(frozen=True)
class _ChapterJob:
    """One chapter: its clips, the digest of everything its files are made from, and its tags."""

    chapter: Chapter
    clips: tuple[Clip, ...]
    digest: str
    tags: tag.ChapterTags


@dataclass(frozen=True)
class _FileJob:
    """One file to make: a planned stretch of a chapter, its blocks and its mastering gain."""

    job: _ChapterJob
    part: int
    parts: int
    plan: stitch.ChapterPlan
    blocks: tuple[stitch.Block, ...]
    gain: float
    name: str


# --------------------------------------------------------------------------- script and playlist


def segment_record(line: Line, *, explain: bool = False) -> dict:
    """The JSON-ready record of one rendered line (the keys of `fullcast script --format jsonl`); with *explain*,
    also the rule that decided it and, for a line, the candidates with their probabilities and reasons."""
    seg = line.segment
    record = {"chapter": seg.chapter, "index": seg.index, "kind": seg.kind.value, "speaker": seg.speaker,
              "voice": line.voice.voice_id, "engine": line.voice.engine, "text": line.spoken, "source": seg.source,
              "start": seg.start, "end": seg.end}
    if seg.confidence is not None:  # dialogue: how sure the speaker is
        record["confidence"] = seg.confidence
    if explain:
        record["rule"] = seg.rule
        if seg.candidates:
            record["candidates"] = [{"speaker": c.name, "probability": c.probability, "reasons": list(c.reasons)}
                                    for c in seg.candidates]
    return record


def script_jsonl(cast: CastScript) -> str:
    """One JSON object per line of *cast*, in reading order, newline-terminated."""
    return "".join(json.dumps(segment_record(line), ensure_ascii=False) + "\n" for line in cast.lines)


def playlist_text(chapters: Sequence[ChapterAudio]) -> str:
    """An extended M3U playlist of the chapter files, by file name relative to the book folder."""
    entries = [f"#EXTINF:{round(c.duration_ms / 1000)},{' '.join(c.title.split())}\n{c.path.name}\n"
               for c in chapters]
    return "#EXTM3U\n" + "".join(entries)


# --------------------------------------------------------------------------- tags


def chapter_tags(meta: BookMetadata, chapter: Chapter, total: int, cover: Cover | None) -> tag.ChapterTags:
    """The tags of one chapter file, without its marks (they need the stitched audio)."""
    return tag.ChapterTags(meta, chapter.title, chapter.number, total, cover)


# --------------------------------------------------------------------------- export


def export_book(cast: CastScript, clips: Sequence[Clip], config: Config, out_dir: Path, *, force: bool = False,
                jobs: int | None = None, progress: Callable[[float, float], None] | None = None,
                cache_dir: Path | None = None, meta: BookMetadata | None = None,
                cover: Cover | None = None, executor: Executor | None = None,
                cancel: threading.Event | None = None) -> ExportResult:
    """Write *cast*'s MP3 edition under *out_dir* (`mp3/<Author>/<Title>`): make the files of changed chapters
    only (all with *force*), tagged with *meta* (by default from the book and voices.yaml) and *cover*.

    `jobs` caps the parallel encoders (default: one per core); `progress(done, total)` is called with the seconds
    of audio encoded and to encode as each block is done; blocks are cached in *cache_dir* (default
    `<out_dir>/.cache`); a chapter longer than `mastering.max_file_minutes` becomes several files.
    *executor* plans and encodes elsewhere (a cluster, or encoders shared by several books); it is given chapter
    plans and `master.encode_block` calls and is not shut down, and a failure here leaves its other work running.
    Setting *cancel* stops this book's encoding at its next piece of audio (a catalogue stopping every book).
    """
    meta = meta or book_metadata(cast.script.book, config)[0]
    with hold_output(out_dir) as out:
        cache = cache_dir or out / CACHE_FOLDER
        book_dir = edition_folder(out, Edition.MP3, meta)
        state = state_folder(out, book_dir)
        for folder in (book_dir, state):
            writable_folder(folder)
            sweep_parts(folder)
        master.sweep_fragments(cache)
        old = manifest.read_manifest(state)
        gains = manifest.voice_gains(clips, {} if force else old.gains)
        todo = _chapter_jobs(cast, clips, config, gains, meta, cover)
        done = {} if force else {job.chapter.number: files for job in todo if (files := _reuse(old, book_dir, job))}
        changed = [job for job in todo if job.chapter.number not in done]
        record = manifest.Manifest({**old.files}, {manifest.voice_key(v): g for v, g in gains.items()})
        encoder = _Encoder(book_dir, state, cache, record, gains, config, done, progress, cancel)
        encoder.total_s = sum(clip.duration_ms for job in changed for clip in job.clips) / 1000  # until planned
        with encoder.running(jobs, executor):
            planned = encoder.plan(_longest_first(changed), gains, config, old)
            encoder.tracks = _track_numbers(todo, done, planned)
            encoder.total_s = sum(b.frames / f.plan.rate for f in planned for b in f.blocks)
            for job in todo:  # keep reused files' entries current: a copied book's mtimes, a new track total
                for audio in done.get(job.chapter.number, ()):
                    _refresh(book_dir, record, job, audio, encoder.tracks[audio.path.name])
        chapters = tuple(audio for job in todo for audio in done[job.chapter.number])
        _drop_obsolete(book_dir, record, {c.path.name for c in chapters})
        _save(state, record, old)
        playlist, script = book_dir / f"{book_dir.name}.m3u", state / SCRIPT_NAME
        write_text_atomic(playlist, playlist_text(chapters))
        write_text_atomic(script, script_jsonl(cast))
        return ExportResult(book_dir, state, tuple(c.path for c in chapters),
                            tuple(job.chapter.number for job in changed), playlist, script, chapters)


def _chapter_jobs(cast: CastScript, clips: Sequence[Clip], config: Config, gains: dict[Voice, float],
                  meta: BookMetadata, cover: Cover | None) -> list[_ChapterJob]:
    by_chapter: dict[int, list[Clip]] = {}
    for clip in clips:
        by_chapter.setdefault(clip.line.segment.chapter, []).append(clip)
    cover_digest = hashlib.sha256(cover.data).hexdigest() if cover else None
    result = []
    for chapter in cast.script.book.chapters:
        mine = tuple(by_chapter.get(chapter.number, ()))
        tags = chapter_tags(meta, chapter, len(cast.script.book.chapters), cover)
        digest = manifest.chapter_digest(mine, gains, config, tags, cover_digest)
        result.append(_ChapterJob(chapter, mine, digest, tags))
    return result


def _file_name(job: _ChapterJob, part: int, parts: int) -> str:
    return chapter_filename(job.chapter.number, job.tags.track_total, job.chapter.title, part, parts)


def _reuse(old: manifest.Manifest, book_dir: Path, job: _ChapterJob) -> list[ChapterAudio] | None:
    """The chapter's files from the last render, when its inputs are unchanged and every file is still intact."""
    found = manifest.chapter_entries(old, job.chapter.number, job.digest)
    entries = [manifest.still_there(entry, book_dir / name) for name, entry in found]
    if not found or None in entries or any(_file_name(job, e.part, e.parts) != n for n, e in found):
        return None
    return manifest.reuse(entries, [book_dir / name for name, _ in found], job.chapter, job.clips)


def _refresh(book_dir: Path, record: manifest.Manifest, job: _ChapterJob, audio: ChapterAudio, track: str) -> None:
    """Record a reused file again: its current mtime, and retagged when the book's track total moved."""
    name = audio.path.name
    entry = manifest.still_there(record.files[name], audio.path) or record.files[name]
    if entry.track != track:
        number, total = map(int, track.split("/"))
        write_tags(audio.path, audio, replace(job.tags, track=number, track_total=total))
        stat = audio.path.stat()
        entry = replace(entry, track=track, sha256=manifest.file_sha256(audio.path), size=stat.st_size,
                        mtime_ns=stat.st_mtime_ns)
    record.files[name] = entry


def _longest_first(jobs: list[_ChapterJob]) -> list[_ChapterJob]:
    """Chapters by their speech, longest first: the last encoder to finish then has a short block, not a long one."""
    return sorted(jobs, key=lambda job: -sum(clip.duration_ms for clip in job.clips))


def _plan_chapter(job: _ChapterJob, gains: dict[Voice, float], config: Config, old: manifest.Manifest, *,
                  cancel: threading.Event | None = None) -> list[_FileJob]:
    """The files a changed chapter becomes: planned, split at the file-length limit, each with its gain."""
    whole = stitch.plan_chapter(job.clips, gains, config.pauses, cancel=cancel)
    limit = round(config.mastering.max_file_minutes * 60 * whole.rate)
    ranges = stitch.split_files(whole, limit) if limit else [(0, len(job.clips))]
    files = []
    for part, (lo, hi) in enumerate(ranges, 1):
        plan = whole if len(ranges) == 1 else stitch.plan_chapter(job.clips[lo:hi], gains, config.pauses)
        name = _file_name(job, part, len(ranges))
        previous = old.files.get(name)
        if previous is not None and abs(previous.loudness - plan.loudness) <= STICKY_LU:
            gain = previous.gain  # the level barely moved: keep the blocks that did not change
        else:
            gain = master.chapter_gain(plan, gains, config.mastering)
        files.append(_FileJob(job, part, len(ranges), plan, stitch.split_blocks(plan), gain, name))
    return files


def _track_numbers(todo: list[_ChapterJob], done: dict[int, list[ChapterAudio]],
                   planned: list[_FileJob]) -> dict[str, str]:
    """File name -> its TRCK value ("n/N"), numbering every file of the book in reading order."""
    names: list[str] = []
    for job in todo:
        names += [a.path.name for a in done.get(job.chapter.number, ())] or \
                 [f.name for f in planned if f.job is job]
    return {name: f"{n}/{len(names)}" for n, name in enumerate(names, 1)}


class _Encoder:
    """Encodes the blocks of every file it is given on all cores, and finishes each file once its blocks are in
    and every file of the book is known (the track numbers need them all)."""

    def __init__(self, book_dir: Path, state: Path, cache: Path, record: manifest.Manifest,
                 gains: dict[Voice, float], config: Config, done: dict[int, list[ChapterAudio]],
                 progress: Callable[[float, float], None] | None, cancel: threading.Event | None = None) -> None:
        self.book_dir, self.state, self.cache, self.record, self.gains = book_dir, state, cache, record, gains
        self.config, self.done, self.progress = config, done, progress
        self.tracks: dict[str, str] = {}
        """File name -> TRCK value, set once every file is planned."""
        self.cancel = cancel or threading.Event()
        self.futures: dict[Future, tuple[_FileJob, int]] = {}
        self.planning: list[Future] = []
        self.waiting: dict[int, list] = {}
        self.files: list[_FileJob] = []
        self.pool: Executor | None = None
        self.done_s = 0.0
        """Seconds of audio encoded (or found in the cache) so far."""
        self.total_s = 0.0
        """Seconds of audio to encode: estimated from the clips until every file is planned."""

    @contextmanager
    def running(self, jobs: int | None, executor: Executor | None = None) -> Iterator[None]:
        """Encoders for the body of the block (local threads, or *executor*); on leaving it, finish every file;
        on any failure stop this book's work."""
        self.pool = executor or ThreadPoolExecutor(max_workers=_workers(jobs, 1 << 16))
        try:
            yield
            self._finish_all()
        except BaseException as error:
            self.cancel.set()
            if not isinstance(error, FullcastError):  # Ctrl-C: every ffmpeg of this process stops now
                ffmpeg.stop_all()
            self._abandon(own=executor is None)
            raise
        if executor is None:
            self.pool.shutdown()

    def _abandon(self, *, own: bool) -> None:
        """Drop this book's tasks not yet started and wait for its running ones, which stop at their next piece of
        audio. A shared executor's other books go on: their encoders and ffmpegs are not touched."""
        if own:
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        # A future cancelled before it ran never counts as done for wait(): wait only for those that could not be.
        wait([future for future in [*self.planning, *self.futures] if not future.cancel()])

    def plan(self, jobs: list[_ChapterJob], gains: dict[Voice, float], config: Config,
             old: manifest.Manifest) -> list[_FileJob]:
        """Plan the files of *jobs* on the encoders too (stitching and the limiter's trial are a chapter's
        heaviest work after encoding: on a cluster they must not queue on the driver), and start each chapter's
        blocks as soon as its plan is in. Returns the files in the order of *jobs*."""
        futures = {self.pool.submit(_plan_chapter, job, gains, config, old, cancel=self.cancel): n
                   for n, job in enumerate(jobs)}
        self.planning += futures
        files: list[list[_FileJob]] = [[] for _ in jobs]
        for future in as_completed(futures):
            number = futures[future]
            # a plan made on a cluster comes back as a copy: its files keep the driver's own job (matched by identity)
            files[number] = self.submit([replace(file, job=jobs[number]) for file in future.result()])
        return [file for chapter in files for file in chapter]

    def submit(self, files: list[_FileJob]) -> list[_FileJob]:
        """Start encoding the blocks of *files*; returns them. Once this book is stopped, starts nothing more."""
        if self.cancel.is_set():
            raise KeyboardInterrupt
        for file in files:
            self.files.append(file)
            self.waiting[id(file)] = [None] * len(file.blocks)
            for number, block in enumerate(file.blocks):
                future = self.pool.submit(master.encode_block, file.plan, block, self.gains, file.gain,
                                          self.config.mastering, self.cache, cancel=self.cancel)
                self.futures[future] = (file, number)
        return files

    def _finish_all(self) -> None:
        pending = set(self.futures)
        while pending:
            complete, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in complete:
                file, number = self.futures[future]
                slots = self.waiting[id(file)]
                slots[number] = future.result()
                self._report(file.blocks[number].frames / file.plan.rate)
                if None not in slots:
                    self._finish(file, slots)

    def _finish(self, file: _FileJob, fragments: list) -> None:
        """Join, tag and place one file; the manifest records it before it appears (so a killed render keeps it)."""
        track = self.tracks[file.name]
        number, count = map(int, track.split("/"))
        tags = replace(file.job.tags, track=number, track_total=count)

        def record(audio: ChapterAudio, written: Path) -> None:
            self.record.files[file.name] = manifest.entry_for(audio, file.job.digest, file.gain, file.plan.loudness,
                                                               track, written)
            write_text_atomic(self.state / manifest.MANIFEST_NAME, manifest.manifest_text(self.record))

        audio = assemble_file(file.plan, file.blocks, fragments, file.job.chapter, tags, self.book_dir / file.name,
                              part=file.part, parts=file.parts, before_placing=record)
        self.done.setdefault(file.job.chapter.number, []).append(audio)
        self.done[file.job.chapter.number].sort(key=lambda a: a.part)

    def _report(self, seconds: float) -> None:
        self.done_s += seconds
        if self.progress is not None:
            self.progress(self.done_s, max(self.total_s, self.done_s))


def _workers(jobs: int | None, tasks: int) -> int:
    return max(1, min(tasks, jobs or available_cores()))


def _drop_obsolete(book_dir: Path, record: manifest.Manifest, current: set[str]) -> None:
    """Delete files an earlier render made that this book no longer has (e.g. a renamed chapter)."""
    for name in [n for n in record.files if n not in current]:
        if manifest.safe_entry_name(name):
            for stale in (name, *(str(Path(name).with_suffix(s)) for s in TRANSCRIPT_SUFFIXES)):
                (book_dir / stale).unlink(missing_ok=True)
        del record.files[name]


def _save(state: Path, record: manifest.Manifest, old: manifest.Manifest) -> None:
    """Write the manifest when anything in it changed; a render with nothing to do writes nothing."""
    if record != old:
        write_text_atomic(state / manifest.MANIFEST_NAME, manifest.manifest_text(record))
