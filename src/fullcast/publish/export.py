"""Write a rendered book into its output folder: chapter MP3s, playlist, script.jsonl.

Only chapters whose inputs changed are stitched and encoded again: the book folder's
manifest (manifest.py) records a digest of each chapter's inputs, so an unchanged
chapter stays byte-for-byte as it was. Changed chapters are encoded in parallel, one
ffmpeg per core. Every file is written under a hidden `.name.part-<pid>` and renamed
into place, so a killed render leaves nothing a player could take for finished;
leftovers are swept by the next render, which holds an exclusive lock on the output
folder (`.fullcast.lock`, with the holder's PID inside).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import unicodedata
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..audio import ffmpeg, stitch
from ..errors import OutputError
from ..model import CastScript, Chapter, ChapterAudio, Clip, Cue, Line, SegmentKind, Voice
from ..settings.config import Config
from . import manifest, tag
from .cover import Cover, find_cover, load_cover

LOCK_NAME = ".fullcast.lock"
"""Lock file in the output folder; holds the PID of the render writing there."""
SCRIPT_NAME = "script.jsonl"
"""What was rendered, one JSON object per segment."""
PART = ".part-"
"""Marks a file being written: `.<final name>.part-<pid>`."""
TRANSCRIPT_SUFFIXES = (".vtt", ".srt")
"""Transcripts written beside a chapter file; removed with it when the chapter is gone."""
WARNING_MARK = "Content warning"
"""Title of the chapter mark over the spoken content warning."""
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
"""Device names Windows will not create as files, whatever the extension."""
_held: dict[str, list] = {}
"""Output folders this process holds: resolved path -> [open lock file, nesting depth]."""
_held_lock = threading.Lock()


@dataclass(frozen=True)
class ExportResult:
    """What export_book wrote."""

    book_dir: Path
    """The book's folder under the output folder."""
    files: tuple[Path, ...]
    """Every chapter file, in chapter order."""
    encoded: tuple[int, ...]
    """Numbers of the chapters stitched and encoded in this run (the others were unchanged)."""
    playlist: Path
    """The .m3u playlist."""
    script: Path
    """script.jsonl."""
    chapters: tuple[ChapterAudio, ...]
    """Each chapter file with its duration and segment cues, in order (for transcripts and M4B)."""


# --------------------------------------------------------------------------- names


def safe_filename(name: str, *, fallback: str = "untitled", max_bytes: int = 150) -> str:
    """*name* as one harmless file name: no separators, control characters, leading dots or device names."""
    text = unicodedata.normalize("NFC", name).replace(":", " -").replace('"', "'")
    text = "".join("_" if c in '/\\*?<>|' or unicodedata.category(c).startswith("C") else c for c in text)
    text = " ".join(text.split()).strip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = f"_{text}"
    encoded = text.encode("utf-8")[:max_bytes]
    return encoded.decode("utf-8", "ignore").rstrip(" .") or fallback


def chapter_filename(number: int, total: int, title: str) -> str:
    """`NN - Title.mp3`, zero-padded so files sort in reading order."""
    return f"{number:0{max(2, len(str(total)))}d} - {safe_filename(title)}.mp3"


def book_folder(out: Path, title: str) -> Path:
    """The book's folder directly under *out*, named after its title."""
    folder = out / safe_filename(title)
    if Path(os.path.normpath(folder)).parent != Path(os.path.normpath(out)):  # belt and braces: never escape out/
        raise OutputError(f"{title!r}: book title makes an unsafe folder name; set book.title in voices.yaml")
    return folder


# --------------------------------------------------------------------------- lock


@contextmanager
def hold_output(out: Path) -> Iterator[Path]:
    """Hold *out* for this render; another process holding it raises OutputError naming its PID. Re-entrant."""
    out = _writable_folder(out)
    key = str(out.resolve())
    with _held_lock:
        if key in _held:
            _held[key][1] += 1
        else:
            _held[key] = [_acquire(out), 1]
    try:
        yield out
    finally:
        with _held_lock:
            _held[key][1] -= 1
            if _held[key][1] == 0:
                _held.pop(key)[0].close()  # closing the file releases the flock


def _writable_folder(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror or exc}); "
                          "choose another --out or fix the parent folder's permissions") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: the output folder is not writable; choose another --out or run `chmod u+w {out}`")
    return out


def _acquire(out: Path):
    path = out / LOCK_NAME
    try:
        handle = open(path, "a+", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the lock file ({exc.strerror or exc}); "
                          "choose another --out or make the folder writable") from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or "unknown"
        handle.close()
        raise OutputError(f"{out}: another fullcast render (PID {pid}) is writing to this folder; "
                          "wait for it to finish, or render into a different --out") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


# --------------------------------------------------------------------------- script and playlist


def segment_record(line: Line) -> dict:
    """The JSON-ready record of one rendered line (the keys of `fullcast script --format jsonl`)."""
    seg = line.segment
    return {"chapter": seg.chapter, "index": seg.index, "kind": seg.kind.value, "speaker": seg.speaker,
            "voice": line.voice.voice_id, "text": line.spoken, "source": seg.source, "start": seg.start, "end": seg.end}


def script_jsonl(cast: CastScript) -> str:
    """One JSON object per line of *cast*, in reading order, newline-terminated."""
    return "".join(json.dumps(segment_record(line), ensure_ascii=False) + "\n" for line in cast.lines)


def playlist_text(chapters: Sequence[ChapterAudio]) -> str:
    """An extended M3U playlist of the chapter files, by file name relative to the book folder."""
    entries = [f"#EXTINF:{round(c.duration_ms / 1000)},{' '.join(c.chapter.title.split())}\n{c.path.name}\n"
               for c in chapters]
    return "#EXTM3U\n" + "".join(entries)


def write_text_atomic(path: Path, text: str) -> bool:
    """Write *text* to *path* via a hidden part file and rename; False (and no write) when already identical."""
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    tmp = path.with_name(f".{path.name}{PART}{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc}); check free space and permissions") from exc
    return True


# --------------------------------------------------------------------------- tags


def chapter_marks(title: str, cues: Sequence[Cue], duration_ms: int) -> tuple[tag.ChapterMark, ...]:
    """The warning (when the file opens with it) and the chapter body as marks covering the whole file."""
    warned = [c for c in cues if c.segment.kind is SegmentKind.WARNING]
    body = next((c for c in cues if c.segment.kind is not SegmentKind.WARNING and warned
                 and c.start_ms >= warned[-1].end_ms), None)
    if not warned or body is None:
        return (tag.ChapterMark(title, 0, duration_ms),)
    return (tag.ChapterMark(WARNING_MARK, 0, body.start_ms), tag.ChapterMark(title, body.start_ms, duration_ms))


def chapter_tags(cast: CastScript, config: Config, chapter: Chapter, total: int, cover: Cover | None) -> tag.ChapterTags:
    """The tags of one chapter file, without its marks (they need the stitched audio)."""
    book = cast.script.book
    return tag.ChapterTags(
        book_title=book.title, chapter_title=chapter.title, author=config.book.author or book.author,
        narrator=config.book.narrator, track=chapter.number, track_total=total, year=config.book.year,
        description=config.book.description, warning=book.warning.text if book.warning else None,
        rating=book.rating, cover=cover,
    )


def book_cover(cast: CastScript, config: Config) -> Cover | None:
    """The cover voices.yaml names, or cover.jpg/.png beside the manuscript, loaded; None when there is none."""
    chapters = cast.script.book.chapters
    found = find_cover(Path(chapters[0].source), config) if chapters else None
    return load_cover(found) if found else None


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class _ChapterJob:
    """One chapter file to reuse or make."""

    chapter: Chapter
    """The chapter."""
    clips: tuple[Clip, ...]
    """Its clips in reading order."""
    path: Path
    """The finished file's path."""
    digest: str
    """Digest of everything the file is made from."""
    tags: tag.ChapterTags
    """Its tags, marks still empty."""


def export_book(cast: CastScript, clips: Sequence[Clip], config: Config, out_dir: Path, *, force: bool = False,
                jobs: int | None = None, progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write *cast*'s book under *out_dir*/<book>: re-encode changed chapters only (all with *force*).

    `jobs` caps the parallel encoders (default: one per core); `progress(done, total)` is
    called as each changed chapter is finished.
    """
    with hold_output(out_dir) as out:
        book_dir = book_folder(out, cast.script.book.title)
        _writable_folder(book_dir)
        _sweep_parts(book_dir)
        old = manifest.read_manifest(book_dir)
        gains = manifest.voice_gains(clips, {} if force else old.gains)
        todo = _chapter_jobs(cast, clips, config, book_dir, gains, book_cover(cast, config))
        done = {} if force else {job.chapter.number: audio for job in todo if (audio := _reuse(old, job))}
        changed = [job for job in todo if job.chapter.number not in done]
        record = manifest.Manifest(dict(old.files), {manifest.voice_key(v): g for v, g in gains.items()})
        _encode_all(changed, gains, config, jobs, _recorder(book_dir, record, done, len(changed), progress))
        _drop_obsolete(book_dir, record, {job.path.name for job in todo})
        chapters = tuple(done[job.chapter.number] for job in todo)
        playlist, script = book_dir / f"{book_dir.name}.m3u", book_dir / SCRIPT_NAME
        write_text_atomic(playlist, playlist_text(chapters))
        write_text_atomic(script, script_jsonl(cast))
        return ExportResult(book_dir, tuple(c.path for c in chapters), tuple(j.chapter.number for j in changed),
                            playlist, script, chapters)


def _recorder(book_dir: Path, record: manifest.Manifest, done: dict[int, ChapterAudio], total: int,
              progress: Callable[[int, int], None] | None) -> Callable[[_ChapterJob, ChapterAudio], None]:
    """What to do as each chapter is finished: note it, save the manifest at once (so a killed render keeps it)."""
    finished_now = [0]

    def finished(job: _ChapterJob, audio: ChapterAudio) -> None:
        done[job.chapter.number] = audio
        record.files[job.path.name] = manifest.entry_for(audio, job.digest)
        write_text_atomic(book_dir / manifest.MANIFEST_NAME, manifest.manifest_text(record))
        finished_now[0] += 1
        if progress is not None:
            progress(finished_now[0], total)

    return finished


def _chapter_jobs(cast: CastScript, clips: Sequence[Clip], config: Config, book_dir: Path,
                  gains: dict[Voice, float], cover: Cover | None) -> list[_ChapterJob]:
    by_chapter: dict[int, list[Clip]] = {}
    for clip in clips:
        by_chapter.setdefault(clip.line.segment.chapter, []).append(clip)
    chapters = cast.script.book.chapters
    cover_digest = hashlib.sha256(cover.data).hexdigest() if cover else None
    result = []
    for chapter in chapters:
        mine = tuple(by_chapter.get(chapter.number, ()))
        tags = chapter_tags(cast, config, chapter, len(chapters), cover)
        path = book_dir / chapter_filename(chapter.number, len(chapters), chapter.title)
        digest = manifest.chapter_digest(mine, gains, config, tags, cover_digest)
        result.append(_ChapterJob(chapter, mine, path, digest, tags))
    return result


def _reuse(old: manifest.Manifest, job: _ChapterJob) -> ChapterAudio | None:
    return manifest.reuse(old.files.get(job.path.name), job.digest, job.path, job.chapter, job.clips)


def _sweep_parts(book_dir: Path) -> None:
    """Delete part files left by killed renders (the lock guarantees none is being written now)."""
    for leftover in book_dir.glob(f".*{PART}*"):
        try:
            leftover.unlink()
        except OSError as exc:
            raise OutputError(f"{leftover}: cannot remove a leftover of an interrupted render ({exc.strerror}); "
                              "delete it by hand") from exc


def _drop_obsolete(book_dir: Path, record: manifest.Manifest, current: set[str]) -> None:
    """Delete chapter files an earlier render made that this book no longer has (e.g. a renamed chapter)."""
    for name in [n for n in record.files if n not in current]:
        if manifest.safe_entry_name(name):
            for stale in (name, *(str(Path(name).with_suffix(s)) for s in TRANSCRIPT_SUFFIXES)):
                (book_dir / stale).unlink(missing_ok=True)
        del record.files[name]
    write_text_atomic(book_dir / manifest.MANIFEST_NAME, manifest.manifest_text(record))


def _encode_all(todo: Sequence[_ChapterJob], gains: dict[Voice, float], config: Config, jobs: int | None,
                finished: Callable[[_ChapterJob, ChapterAudio], None]) -> None:
    """Render the chapters in *todo* in parallel; on any failure or Ctrl-C stop every worker and ffmpeg."""
    if not todo:
        return
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, min(len(todo), jobs or os.cpu_count() or 1)))
    # Longest chapters first: the last encoder to finish then has a short chapter, not a long one with the other core idle.
    longest_first = sorted(todo, key=lambda job: -sum(clip.duration_ms for clip in job.clips))
    futures: dict[Future, _ChapterJob] = {pool.submit(_render_chapter, job, gains, config, cancel): job
                                          for job in longest_first}
    try:
        pending = set(futures)
        while pending:
            complete, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in complete:
                finished(futures[future], future.result())
    except BaseException:
        cancel.set()
        ffmpeg.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


def _render_chapter(job: _ChapterJob, gains: dict[Voice, float], config: Config,
                    cancel: threading.Event) -> ChapterAudio:
    """Stitch, master, encode and tag one chapter under part names, then rename the MP3 into place."""
    pid = os.getpid()
    wav = job.path.with_name(f".{job.path.stem}.wav{PART}{pid}")
    mp3 = job.path.with_name(f".{job.path.name}{PART}{pid}")
    try:
        stitched = stitch.stitch_chapter(job.clips, gains, config.pauses, wav, cancel=cancel)
        if cancel.is_set():
            raise KeyboardInterrupt
        stitch.encode_chapter(stitched, config.mastering, mp3)
        marks = chapter_marks(job.chapter.title, stitched.cues, stitched.duration_ms)
        tag.tag_chapter_mp3(mp3, replace(job.tags, marks=marks))
        os.replace(mp3, job.path)
    except OSError as exc:
        raise OutputError(f"{job.path}: cannot write the chapter ({exc.strerror or exc}); "
                          "check free space and permissions") from exc
    finally:
        wav.unlink(missing_ok=True)
        mp3.unlink(missing_ok=True)
    return ChapterAudio(job.chapter, job.path, stitched.duration_ms, stitched.cues)
