"""Join finished chapter files into an M4B audiobook (AAC) with chapters, cover and tags.

Apple wants one file per book under 23 hours, so a longer book is split at chapter
boundaries into parts. ffmpeg (the bundled binary) decodes the chapter files, joins
them sample-exactly with its concat filter, encodes AAC and writes the chapters,
tags and cover from an FFMETADATA file. `media_type=2` makes the MP4 an audiobook
(iTunes `stik` = 2). A chapter that opens with the content warning gets its own
"Content warning" marker, so listeners can see and skip it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..audio.ffmpeg import run_ffmpeg
from ..errors import AudioError, OutputError
from ..model import ChapterAudio, SegmentKind
from .tag import BookTags, ChapterMark, tag_m4b

APPLE_MAX_MS = 23 * 3600 * 1000
"""Longest file Apple Books accepts; longer books are split into parts."""
WARNING_TITLE = "Content warning"
"""Title of the marker over the spoken content warning."""
DEFAULT_BITRATE = "96k"
"""AAC bit rate for mono speech."""
AAC_OVERSHOOT_DB = 2.0
"""Margin below the true-peak ceiling for the AAC encoder's overshoot (measured 1.5-2.4 dB at 64-96k)."""


@dataclass(frozen=True)
class M4bPart:
    """One M4B file of a book and the chapters inside it."""

    path: Path
    """The finished file."""
    chapters: tuple[ChapterAudio, ...]
    """The chapter files joined into it, in order."""
    marks: tuple[ChapterMark, ...]
    """Its chapter markers, in time order."""


def write_m4b(chapters: Sequence[ChapterAudio], tags: BookTags, dest: Path, *,
              max_ms: int = APPLE_MAX_MS, bitrate: str = DEFAULT_BITRATE, true_peak: float = -3.0,
              progress: Callable[[float, float], None] | None = None) -> tuple[M4bPart, ...]:
    """Write the book as *dest* (or `<stem> - Part N.m4b` files when longer than *max_ms*).

    *progress* is called with the seconds of the book encoded so far and the book's length.
    """
    if not chapters:
        raise AudioError(f"{dest}: no chapters to put in the M4B; render the chapters first")
    groups = split_parts(chapters, max_ms)
    total = sum(c.duration_ms for c in chapters) / 1000
    parts, done = [], 0.0
    for number, group in enumerate(groups, start=1):
        path = dest if len(groups) == 1 else dest.with_name(f"{dest.stem} - Part {number}{dest.suffix}")
        marks = chapter_marks(group)
        report = (lambda seconds, at=done: progress(min(total, at + seconds), total)) if progress else None
        _encode_part(group, marks, _part_metadata(tags, number, len(groups)), tags, path, bitrate, true_peak, report)
        parts.append(M4bPart(path, tuple(group), marks))
        done += sum(c.duration_ms for c in group) / 1000
    return tuple(parts)


def split_parts(chapters: Sequence[ChapterAudio], max_ms: int) -> list[list[ChapterAudio]]:
    """Chapters in as few consecutive parts of at most *max_ms* as possible, as evenly long as possible.

    Even parts matter because Apple wants every part of a split book to be at least an
    hour long; a chapter longer than *max_ms* stands alone (a chapter is never cut).
    """
    fewest = len(_fill(chapters, max_ms))
    low, high = 1, max(1, max_ms)
    while low < high:  # the smallest cap that still needs no more parts than *max_ms* does
        middle = (low + high) // 2
        if len(_fill(chapters, middle)) <= fewest:
            high = middle
        else:
            low = middle + 1
    return _fill(chapters, low)


def _fill(chapters: Sequence[ChapterAudio], cap_ms: int) -> list[list[ChapterAudio]]:
    """Greedy grouping: start a new part when the next chapter would take this one past *cap_ms*."""
    groups: list[list[ChapterAudio]] = [[]]
    length = 0
    for chapter in chapters:
        if groups[-1] and length + chapter.duration_ms > cap_ms:
            groups.append([])
            length = 0
        groups[-1].append(chapter)
        length += chapter.duration_ms
    return groups


def chapter_marks(chapters: Sequence[ChapterAudio]) -> tuple[ChapterMark, ...]:
    """A marker per chapter, plus one over the content warning where a chapter opens with it."""
    marks: list[ChapterMark] = []
    offset = 0
    for chapter in chapters:
        end = offset + chapter.duration_ms
        body = offset + _body_start(chapter)
        if body > offset:
            marks.append(ChapterMark(WARNING_TITLE, offset, body))
        marks.append(ChapterMark(chapter.title, body, end))
        offset = end
    return tuple(marks)


def _body_start(chapter: ChapterAudio) -> int:
    """Where the chapter proper starts: the first cue after the warning, or 0 when there is no warning."""
    cues = chapter.cues
    warned = [i for i, cue in enumerate(cues) if cue.segment.kind is SegmentKind.WARNING]
    if not warned:
        return 0
    last = warned[-1]
    return cues[last + 1].start_ms if last + 1 < len(cues) else cues[last].end_ms


def _part_metadata(tags: BookTags, number: int, total: int) -> dict[str, str]:
    """The FFMETADATA global keys for part *number* of *total* (`tag.tag_m4b` adds what ffmpeg cannot write)."""
    book = tags.book
    meta = {"title": book.title if total == 1 else f"{book.title} (Part {number} of {total})",
            "album": book.title, "genre": "/".join(book.genre_tags), "media_type": "2", "track": f"{number}/{total}"}
    # `description` becomes the `desc` atom and `comment` ©cmt: the same text, so no player shows another
    optional = {"artist": book.author, "album_artist": book.author, "composer": book.narrator,
                "date": book.year, "description": book.description, "comment": book.description,
                "grouping": book.series_label}
    meta.update({k: v for k, v in optional.items() if v})
    return meta


def ffmetadata(meta: dict[str, str], marks: Sequence[ChapterMark]) -> str:
    """The text of an FFMETADATA1 file with global keys *meta* and a [CHAPTER] per mark."""
    lines = [";FFMETADATA1"] + [f"{key}={_escape(value)}" for key, value in meta.items()]
    for mark in marks:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(mark.start_ms)}", f"END={int(mark.end_ms)}",
                  f"title={_escape(mark.title)}"]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    """FFMETADATA escaping: backslash before `=`, `;`, `#`, backslash and newline."""
    out = value.replace("\\", "\\\\")
    for char in "=;#":
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\\n")


def _encode_part(chapters: Sequence[ChapterAudio], marks: Sequence[ChapterMark], meta: dict[str, str],
                 tags: BookTags, dest: Path, bitrate: str, true_peak: float,
                 progress: Callable[[float], None] | None) -> None:
    """Run ffmpeg to join, encode and tag one part into a temporary file, then rename it to *dest*."""
    with tempfile.TemporaryDirectory(prefix="fullcast-m4b-") as work:
        meta_path = Path(work) / "chapters.ffmeta"
        meta_path.write_text(ffmetadata(meta, marks), encoding="utf-8")
        inputs = [str(chapter.path) for chapter in chapters] + [str(meta_path)]
        n = len(chapters)
        # The concat filter joins decoded samples, so chapter offsets are exact sums of lengths.
        # AAC overshoots the MP3s' peaks by 1-2 dB, so limit again with that much margin below the ceiling.
        limit = 10 ** ((true_peak - AAC_OVERSHOOT_DB) / 20)
        joined = ("".join(f"[{i}:a]" for i in range(n)) + f"concat=n={n}:v=0:a=1[joined];"
                  f"[joined]alimiter=limit={limit:.4f}:level=false:latency=true[book]")
        maps = ["-map", "[book]", "-map_metadata", str(n), "-map_chapters", str(n)]
        if tags.cover is not None:
            cover_path = Path(work) / f"cover{tags.cover.extension}"
            cover_path.write_bytes(tags.cover.data)
            inputs.append(str(cover_path))
            maps += ["-map", f"{n + 1}:v", "-c:v", "copy", "-disposition:v:0", "attached_pic"]
        args = [arg for path in inputs for arg in ("-i", path)]
        args += ["-filter_complex", joined, *maps, "-c:a", "aac", "-b:a", bitrate, "-ac", "1", "-ar", "44100",
                 "-movflags", "+faststart", "-f", "mp4"]
        args += ["-metadata:s:a:0", f"language={tags.book.language_iso639_2}"]
        _write_via_temp(dest, args, tags, progress)


def _write_via_temp(dest: Path, args: list[str], tags: BookTags,
                    progress: Callable[[float], None] | None = None) -> None:
    """Run ffmpeg with *args* writing to a temporary file beside *dest*, then rename it into place."""
    try:
        # `.<name>….part-<pid>` is the pattern export's next render sweeps up after a crash.
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=f".part-{os.getpid()}", dir=dest.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write the M4B ({exc.strerror or exc}); "
                          "check the folder exists and is writable") from exc
    try:
        run_ffmpeg([*args, "-y", tmp], subject=dest, progress=progress)
        tag_m4b(Path(tmp), tags.book)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write the M4B ({exc.strerror or exc}); "
                          "check free space and permissions") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
