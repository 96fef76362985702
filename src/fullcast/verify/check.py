"""The listening check: transcribe every chapter file of a rendered book and compare it with what was read.

A book folder holds the chapter MP3s `fullcast render` wrote; its state folder (under the
output folder's `.fullcast/`, or the book folder itself for a render before that) holds the
script (one record per segment, its `text` exactly what the engine was given, pronunciations
applied) and the manifest, whose entry for each file lists one cue (start, end in ms) per
segment in it. The cues of a chapter's files, taken in part order, are its records in `index` order,
one for one: the content warning, the opening credits, the heading, the body, and in the
last chapter the closing credits, all in reading order; a chapter split into parts is cut
between records. So each file's reference is the text of its own segments, and a
segment found missing is placed by its cue.

A file is heard in clips of whole segments (`listening_clips`, up to Whisper's 30-second
window), each aligned with its own segments: a stretch the model loses costs one clip, and
a word is only heard where it was said. A segment that seems missing is heard once more in a
clip of its own (`confirm`); what is still missing then is reported. The WER is the first
listen's.

Only MP3 chapter files are heard: the M4B is made from them, and the manifest's cues are
theirs. A book folder whose MP3s are gone is an error that says to render again.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from ..audio.workers import available_cores
from ..errors import ConfigError, OutputError
from ..publish import manifest
from ..publish.check import find_audio_files
from ..publish.export import SCRIPT_NAME
from ..publish.layout import LEGACY_SCRIPT_NAME, STATE_FOLDER, find_state
from . import whisper
from .align import Word, align, heard_in_place, normalise, unheard_segments, within

DEFAULT_THRESHOLD = 0.25
"""A chapter file whose word error rate is over this fails (synthetic speech normally scores about 0.1)."""
Clip = tuple[int, int, int, int]
"""A stretch of a file heard by itself: (first, last, start_ms, end_ms), holding segments first..last-1."""
CLIP_S = 28.0
"""A file is heard in clips of consecutive segments about this long at most: Whisper hears 30 s at a time."""


@dataclass(frozen=True)
class FileResult:
    """How well one chapter file was heard."""

    chapter: int
    """The chapter it belongs to."""
    part: int
    """Which part of its chapter it is (1 unless the chapter was split)."""
    file: Path
    """The MP3 file."""
    words: int
    """Words in its segments' text, as normalised for the comparison."""
    wer: float
    """Word error rate of the transcript against that text: (S + D + I) / words."""
    passed: bool
    """True when the WER is within the threshold and none of its segments is missing."""
    substitutions: int = 0
    """Words heard as another word."""
    deletions: int = 0
    """Words not heard at all."""
    insertions: int = 0
    """Words heard that were never read."""


@dataclass(frozen=True)
class MissingSegment:
    """A segment most of whose words were not heard."""

    chapter: int
    """Its chapter."""
    index: int
    """Its position in the chapter, from 0 (as in script.jsonl and `fullcast script`)."""
    file: Path
    """The file it is in."""
    start_ms: int
    """Where its audio starts in the file."""
    end_ms: int
    """Where its audio ends in the file."""
    speaker: str
    """Who reads it (`narrator` or a cast name)."""
    text: str
    """What should have been heard."""
    part: int = 1
    """The part of its chapter the file is."""


@dataclass(frozen=True)
class VerifyReport:
    """The result of `fullcast verify`."""

    folder: Path
    """The folder (or file) checked."""
    threshold: float
    """The highest WER a file may have and pass."""
    files: tuple[FileResult, ...]
    """Every chapter file heard, book by book, in reading order."""
    missing: tuple[MissingSegment, ...]
    """Every segment found missing, in the same order."""
    seconds: float = 0.0
    """Seconds of audio heard."""

    @property
    def passed(self) -> bool:
        """True when files were heard, none is over the threshold and no segment is missing."""
        return bool(self.files) and not self.missing and all(f.passed for f in self.files)


@dataclass(frozen=True)
class _Record:
    """One segment of script.jsonl."""

    chapter: int
    index: int
    speaker: str
    text: str


@dataclass(frozen=True)
class _Planned:
    """A chapter file to hear, with its manifest entry and the records its cues belong to."""

    path: Path
    entry: manifest.ManifestEntry
    records: tuple[_Record, ...]


def verify_output(output: Path, *, threshold: float = DEFAULT_THRESHOLD, threads: int | None = None,
                  progress: Callable[[float, float], None] | None = None) -> VerifyReport:
    """Hear every chapter file under *output* (a book folder, an output folder, or one chapter MP3).

    Everything is read and checked before the first file is transcribed. *threads* defaults
    to every core; *progress(done, total)* gets the seconds of audio heard and to hear.
    """
    if threshold < 0:
        raise ConfigError(f"--threshold {threshold:g}: must be 0 or more (a word error rate, e.g. 0.25)")
    planned = [file for book in book_folders(output) for file in plan_book(book, output)]
    total = sum(p.entry.duration_ms for p in planned) / 1000
    threads = threads or available_cores()
    files, missing, done_ms = [], [], 0
    for file in planned:
        report = None if progress is None else lambda at, base=done_ms / 1000: progress(min(base + at, total), total)
        result, lost = _verify_file(file, threads, threshold, report)
        files.append(result)
        missing += lost
        done_ms += file.entry.duration_ms
        if progress is not None:
            progress(done_ms / 1000, total)
    return VerifyReport(output, threshold, tuple(files), tuple(missing), total)


def _verify_file(file: _Planned, threads: int, threshold: float,
                 progress: Callable[[float], None] | None) -> tuple[FileResult, list[MissingSegment]]:
    """Hear one file clip by clip; hear each segment that seems missing again by itself (see `confirm`)."""
    clips = listening_clips(file.entry.cues, file.entry.duration_ms)
    heard = whisper.transcribe(file.path, threads, [(start, end) for _, _, start, end in clips], progress)
    result, suspects = compare(file, clips, heard, threshold)
    if suspects:
        again = [own_clip(file.entry.cues, k, file.entry.duration_ms) for k in suspects]
        suspects = confirm(file, suspects, whisper.transcribe(file.path, threads, [(s, e) for _, _, s, e in again]))
    lost = [_missing(file, position) for position in suspects]
    return replace(result, passed=result.passed and not lost), lost


def listening_clips(cues: Sequence[tuple[int, int]], duration_ms: int) -> list[Clip]:
    """The clips a file is heard in: consecutive segments together at most CLIP_S long (or one longer
    segment), cut halfway through the pause between two; the first clip starts the file, the last ends it."""
    groups, first = [], 0
    for i in range(1, len(cues) + 1):
        if i == len(cues) or cues[i][1] - cues[first][0] > CLIP_S * 1000:
            groups.append((first, i))
            first = i
    return [(a, b, _cut(cues, a, duration_ms), _cut(cues, b, duration_ms)) for a, b in groups]


def own_clip(cues: Sequence[tuple[int, int]], position: int, duration_ms: int) -> Clip:
    """The clip of one segment alone: from halfway through the pause before it to halfway through the pause after."""
    return (position, position + 1, _cut(cues, position, duration_ms), _cut(cues, position + 1, duration_ms))


def _cut(cues: Sequence[tuple[int, int]], position: int, duration_ms: int) -> int:
    """Where a clip starting with segment *position* starts (and the one before ends): mid-pause, or a file end."""
    if position == 0:
        return 0
    if position == len(cues):
        return duration_ms
    return (cues[position - 1][1] + cues[position][0]) // 2


def compare(file: _Planned, clips: Sequence[Clip], heard: Sequence[Word],
            threshold: float) -> tuple[FileResult, list[int]]:
    """The result for one file from the words *heard* in its *clips*, and the positions of the segments
    that seem missing (`passed` counts the WER alone: whether they are is for `confirm`)."""
    said = [normalise(record.text) for record in file.records]
    flags, subs, dels, ins = hear(said, file.entry.cues, clips, heard)
    if not clips:  # no segment at all: whatever was heard was never read
        ins = sum(len(normalise(w.text)) for w in heard)
    words = len(flags)
    wer = (subs + dels + ins) / words if words else float(ins)
    entry = file.entry
    suspects = unheard_segments([len(w) for w in said], flags)
    return FileResult(entry.chapter, entry.part, file.path, words, wer, wer <= threshold, subs, dels, ins), suspects


def confirm(file: _Planned, suspects: Sequence[int], heard: Sequence[Word]) -> list[int]:
    """Those of the *suspects* still missing when each is heard in its own clip (*heard*: the words of those clips).

    Whisper's tiny model sometimes loses the words of a voice it finds hard when they come
    among others, and hears them alone; a silent or dropped clip stays silent.
    """
    said = [normalise(record.text) for record in file.records]
    clips = [own_clip(file.entry.cues, k, file.entry.duration_ms) for k in suspects]
    flags, *_ = hear(said, file.entry.cues, clips, heard)
    return [suspects[p] for p in unheard_segments([len(said[k]) for k in suspects], flags)]


def hear(said: Sequence[Sequence[str]], cues: Sequence[tuple[int, int]], clips: Sequence[Clip],
         heard: Sequence[Word]) -> tuple[list[bool], int, int, int]:
    """Align the words *said* by the segments of each clip with the words *heard* in it (by their start).

    Returns, for the words of those segments in order, whether each was heard in its place
    (`align.heard_in_place`), then S, D and I summed over the clips.
    """
    starts = [start for _, _, start, _ in clips]
    by_clip: list[list[Word]] = [[] for _ in clips]
    for word in heard:
        by_clip[max(0, bisect.bisect_right(starts, word.start_ms) - 1)].append(word)
    flags: list[bool] = []
    subs = dels = ins = 0
    for (first, last, _, _), words in zip(clips, by_clip):
        tokens = [(token, (w.start_ms, w.end_ms)) for w in words for token in normalise(w.text)]
        fits = within([cues[k] for k in range(first, last) for _ in said[k]], [times for _, times in tokens])
        alignment = align([w for k in range(first, last) for w in said[k]], [token for token, _ in tokens], fits)
        flags += heard_in_place(alignment, fits)
        subs, dels, ins = subs + alignment.substitutions, dels + alignment.deletions, ins + alignment.insertions
    return flags, subs, dels, ins


def _missing(file: _Planned, position: int) -> MissingSegment:
    record = file.records[position]
    start, end = file.entry.cues[position]
    return MissingSegment(record.chapter, record.index, file.path, start, end, record.speaker, record.text,
                          file.entry.part)


# --------------------------------------------------------------------------- the book folders


def book_folders(output: Path) -> list[Path]:
    """The rendered book folders at or under *output* (for a file, its folder), in path order.

    A book folder is one whose state folder holds a manifest, or (before state folders) one with the manifest
    or the script in it, or one with chapter MP3s in it, outside hidden folders (the cache).
    An M4B or EPUB edition's folder is not one: verify hears the chapter MP3s, which every render makes.
    """
    if not output.exists():
        raise OutputError(f"{output}: no such file or folder; give the output folder of a render")
    if output.is_file():
        return [output.parent]
    found = {_book_of(p.parent, output) for name in (SCRIPT_NAME, LEGACY_SCRIPT_NAME, manifest.MANIFEST_NAME)
             for p in output.rglob(name)}
    found |= {p.parent for p in find_audio_files(output) if p.suffix.lower() == ".mp3"}
    if (state := find_state(output)) is not None and (state / manifest.MANIFEST_NAME).is_file():
        found.add(output)  # a book folder itself
    books = sorted((f for f in found if not any(part.startswith(".") for part in f.relative_to(output).parts)),
                   key=str)
    if not books:
        raise OutputError(f"{output}: not a fullcast output folder (no rendered book in it); give the --out folder "
                          "of a render, or a book folder in it")
    return books


def _book_of(folder: Path, output: Path) -> Path:
    """The book folder a state folder belongs to (`out/.fullcast/mp3/A/T` -> `out/mp3/A/T`), else *folder*."""
    parts = folder.relative_to(output).parts
    if STATE_FOLDER not in parts:
        return folder
    at = parts.index(STATE_FOLDER)
    return output.joinpath(*parts[:at], *parts[at + 1:])


def _state(book: Path) -> Path:
    """Where *book*'s script and manifest are: its state folder, or the book folder of an older render."""
    return find_state(book) or book


def plan_book(book: Path, output: Path) -> list[_Planned]:
    """The chapter files of *book* to hear, each with its segments (only *output* when it is a file)."""
    state = _state(book)
    script = next((state / name for name in (SCRIPT_NAME, LEGACY_SCRIPT_NAME) if (state / name).is_file()), None)
    if script is None:
        raise OutputError(f"{book}: no {SCRIPT_NAME}, so there is nothing to compare the audio with; "
                          "`fullcast render` writes it beside the chapter files: render the book again")
    records = read_script(script)
    entries = _entries(book)
    planned = []
    for chapter in sorted({entry.chapter for _, entry in entries} | set(records)):
        parts = [(name, entry) for name, entry in entries if entry.chapter == chapter]
        mine = records.get(chapter, [])
        if sum(len(entry.cues) for _, entry in parts) != len(mine):
            raise OutputError(f"{book}: chapter {chapter} has {len(mine)} segments in {SCRIPT_NAME} but "
                              f"{sum(len(e.cues) for _, e in parts)} cues in its files; the render was interrupted "
                              "or the folder was changed since: render the book again")
        at = 0
        for name, entry in parts:
            planned.append(_Planned(book / name, entry, tuple(mine[at:at + len(entry.cues)])))
            at += len(entry.cues)
    if output.is_file():
        planned = [p for p in planned if p.path.name == output.name]
        if not planned:
            raise OutputError(f"{output}: not a chapter file of the book in {book}; give a chapter MP3 of a "
                              "render, or the output folder")
    _check_present(book, [p.path for p in planned])
    return planned


def _entries(book: Path) -> list[tuple[str, manifest.ManifestEntry]]:
    """The manifest's chapter files in reading order; an error when it is missing or names an unsafe file."""
    state = _state(book)
    found = manifest.read_manifest(state)
    if not found.files:
        raise OutputError(f"{book}: no readable {manifest.MANIFEST_NAME}, so the segments cannot be placed in the "
                          "audio; render the book again to write it")
    unsafe = next((name for name in found.files if not manifest.safe_entry_name(name)), None)
    if unsafe is not None:
        raise OutputError(f"{state / manifest.MANIFEST_NAME}: names the file {unsafe!r}, which is not a chapter "
                          "file; render the book again to rewrite it")
    return sorted(found.files.items(), key=lambda item: (item[1].chapter, item[1].part))


def _check_present(book: Path, paths: Sequence[Path]) -> None:
    """An error naming the first chapter file listed in the manifest but gone."""
    gone = next((path for path in paths if not path.is_file()), None)
    if gone is None:
        return
    also = " (verify hears the chapter MP3s, not the M4B)" if any(book.glob("*.m4b")) else ""
    raise OutputError(f"{gone}: listed in {manifest.MANIFEST_NAME} but missing{also}; render the book again to "
                      "rebuild it")


def read_script(path: Path) -> dict[int, list[_Record]]:
    """script.jsonl's records by chapter, each chapter's in `index` order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"{path}: cannot read it ({getattr(exc, 'strerror', None) or exc}); render the book "
                          "again to rewrite it") from None
    chapters: dict[int, list[_Record]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            record = _Record(int(raw["chapter"]), int(raw["index"]), str(raw["speaker"]), str(raw["text"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise OutputError(f"{path}:{number}: not a segment record ({_why(exc)}); render the book again to "
                              "rewrite it") from None
        chapters.setdefault(record.chapter, []).append(record)
    return {chapter: sorted(found, key=lambda r: r.index) for chapter, found in chapters.items()}


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}"
    return " ".join(str(exc).split())
