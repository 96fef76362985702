"""Write and read audiobook tags: ID3 for chapter MP3s, plus the MP3 facts `check` needs.

This is the only module that imports mutagen. Tags follow the Audiobookshelf and
Plex conventions (research/audio-facts.md §2 and §8): TALB book, TIT2 chapter, TIT3
subtitle, TPE1 and TPE2 author, TCOM narrator, TRCK n/N, TCON genres, TIT1 and
TXXX:SERIES/SERIES-PART the series, TLAN, TPUB, COMM and TXXX:DESCRIPTION the same
description (blurb and warning), APIC cover, and CTOC/CHAP chapter frames in time
order. Tags are ID3v2.3 with UTF-16 text, which every player and ffmpeg read. An M4B
gets the same facts as MP4 atoms after ffmpeg has written it (`tag_m4b`).

mutagen 1.48 sorts frames by encoded size on save, which puts CHAP frames in
title-length order (quodlibet/mutagen#506); `_TimeOrderedID3` puts them back in
time order inside the bytes mutagen produces. mutagen is pinned for that reason.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCOM,
    TCON,
    TDRC,
    TIT1,
    TIT2,
    TIT3,
    TLAN,
    TPE1,
    TPE2,
    TPUB,
    TRCK,
    TXXX,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
    PictureType,
)
from mutagen.mp3 import MP3, BitrateMode, HeaderNotFoundError
from mutagen.mp3._util import XingHeader, XingHeaderError
from mutagen.mp4 import MP4, MP4FreeForm

from ..errors import AudioError, OutputError
from .cover import Cover
from .metadata import BookMetadata

__all__ = [
    "BookTags", "ChapterMark", "ChapterTags", "Cover", "Mp3Facts",
    "book_tags", "mp3_frames", "read_mp3_facts", "tag_chapter_mp3", "tag_m4b",
]

_ENC = Encoding.UTF16
"""ID3v2.3 has no UTF-8; UTF-16 with BOM is what v2.3 readers expect."""


@dataclass(frozen=True)
class ChapterMark:
    """A chapter marker inside one file (a CHAP frame, or an M4B chapter)."""

    title: str
    """Title players show, e.g. "Content warning" or "Chapter One"."""
    start_ms: int
    """Start in milliseconds from the start of the file."""
    end_ms: int
    """End in milliseconds; the next mark's start, or the file's length."""


@dataclass(frozen=True)
class ChapterTags:
    """Everything written into the tags of one chapter MP3."""

    book: BookMetadata
    """The book's credits and facts, the same in every file."""
    chapter_title: str
    """TIT2: this file's chapter title."""
    track: int
    """1-based number of this file in the book."""
    track_total: int
    """Number of chapter files in the book."""
    cover: Cover | None = None
    """APIC front cover."""
    marks: tuple[ChapterMark, ...] = ()
    """CHAP frames (e.g. warning, then chapter body), in time order."""


@dataclass(frozen=True)
class BookTags:
    """Whole-book tags, for the M4B."""

    book: BookMetadata
    """The book's credits and facts."""
    cover: Cover | None = None
    """Front cover, attached as a picture."""


@dataclass(frozen=True)
class Mp3Facts:
    """What the MP3 frame headers say about a file, independent of how it was made."""

    sample_rate: int
    """Hz."""
    bitrate: int
    """Bits per second (the nominal rate for CBR, the average for VBR)."""
    mode: str
    """`CBR`, `VBR`, `ABR` or `unknown` (from the Xing/Info/VBRI header)."""
    channels: int
    """1 for mono, 2 for stereo."""
    length_s: float
    """Duration in seconds."""


def book_tags(chapter: ChapterTags) -> BookTags:
    """The whole-book tags (for the M4B) that go with a chapter file's tags."""
    return BookTags(chapter.book, chapter.cover)


def tag_chapter_mp3(path: Path, tags: ChapterTags) -> None:
    """Replace the ID3 tags of the MP3 at *path* with *tags* (ID3v2.3, chapters in time order)."""
    id3 = _TimeOrderedID3()
    for frame in _text_frames(tags):
        id3.add(frame)
    if tags.cover is not None:
        id3.add(APIC(encoding=_ENC, mime=tags.cover.mime, type=PictureType.COVER_FRONT,
                     desc="Cover", data=tags.cover.data))
    _add_chapters(id3, tags.marks)
    try:
        _delete_tags(path)
        id3.save(path, v2_version=3, v1=0)
    except (MutagenError, OSError) as exc:
        raise OutputError(f"{path}: cannot write tags ({exc}); check the file is a writable MP3") from exc


def _text_frames(tags: ChapterTags) -> list:
    """The text frames of a chapter file, empty values left out."""
    book = tags.book
    frames = [
        TALB(encoding=_ENC, text=book.title),
        TIT2(encoding=_ENC, text=tags.chapter_title),
        TRCK(encoding=_ENC, text=f"{tags.track}/{tags.track_total}"),
        TCON(encoding=_ENC, text=list(book.genre_tags)),  # several are joined with "/" in v2.3
        TLAN(encoding=_ENC, text=book.language_iso639_2),
    ]
    texts = {TPE1: book.author, TPE2: book.author, TCOM: book.narrator, TDRC: book.year, TIT3: book.subtitle,
             TPUB: book.publisher, TIT1: book.series_label}
    frames += [kind(encoding=_ENC, text=value) for kind, value in texts.items() if value]
    if book.description:
        frames.append(COMM(encoding=_ENC, lang="eng", desc="", text=book.description))
    frames += [TXXX(encoding=_ENC, desc=key, text=value) for key, value in _extras(book).items()]
    if book.explicit:
        # iTunes' advisory convention (1 = explicit); ffmpeg maps it to an M4B's rtng atom.
        frames.append(TXXX(encoding=_ENC, desc="ITUNESADVISORY", text="1"))
    return frames


def _extras(book: BookMetadata) -> dict[str, str]:
    """The facts with no standard frame or atom, by the names Audiobookshelf and Plex read (TXXX, MP4 freeform)."""
    values = {"DESCRIPTION": book.description, "SERIES": book.series, "SERIES-PART": book.series_part,
              "ISBN": book.isbn, "ASIN": book.asin, "CONTENT_WARNING": book.warning, "RATING": book.rating}
    return {key: value for key, value in values.items() if value}


def _add_chapters(id3: ID3, marks: tuple[ChapterMark, ...]) -> None:
    """A top-level ordered CTOC and one CHAP per mark, sorted by start time."""
    if not marks:
        return
    ordered = sorted(marks, key=lambda m: (m.start_ms, m.end_ms))
    ids = [f"chp{i:03d}" for i in range(len(ordered))]
    id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                 child_element_ids=ids, sub_frames=[TIT2(encoding=_ENC, text="Chapters")]))
    for element_id, mark in zip(ids, ordered):
        id3.add(CHAP(element_id=element_id, start_time=int(mark.start_ms), end_time=int(mark.end_ms),
                     sub_frames=[TIT2(encoding=_ENC, text=mark.title)]))


def _delete_tags(path: Path) -> None:
    """Remove any existing ID3 tag (e.g. the one ffmpeg wrote) so stale frames cannot survive."""
    try:
        ID3(path).delete(path)
    except ID3NoHeaderError:
        pass


class _TimeOrderedID3(ID3):
    """An ID3 that writes CHAP frames in start-time order (works around mutagen#506)."""

    def _write(self, config):  # noqa: ANN001 - mutagen's private signature
        return _sort_chap_frames(bytes(super()._write(config)), config.v2_version)


def _sort_chap_frames(data: bytes, v2_version: int) -> bytearray:
    """*data* (a run of ID3 frames) with its CHAP frames re-ordered by start time, in the slots CHAPs held."""
    frames: list[bytes] = []
    pos = 0
    while pos + 10 <= len(data) and data[pos:pos + 4] != b"\x00\x00\x00\x00":
        size = _frame_size(data[pos + 4:pos + 8], v2_version)
        frames.append(data[pos:pos + 10 + size])
        pos += 10 + size
    chaps = iter(sorted((f for f in frames if f[:4] == b"CHAP"), key=_chap_start))
    ordered = [next(chaps) if f[:4] == b"CHAP" else f for f in frames]
    return bytearray(b"".join(ordered) + data[pos:])


def _frame_size(raw: bytes, v2_version: int) -> int:
    """A frame's size field: plain 32-bit in v2.3, 7-bit 'syncsafe' in v2.4."""
    if v2_version == 4:
        return (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
    return struct.unpack(">I", raw)[0]


def _chap_start(frame: bytes) -> int:
    """start_time of a CHAP frame: the 32-bit value after its NUL-terminated element id."""
    body = frame[10:]
    at = body.index(b"\x00") + 1
    return struct.unpack(">I", body[at:at + 4])[0]


def tag_m4b(path: Path, book: BookMetadata) -> None:
    """Write what ffmpeg's MP4 muxer has no key for into an M4B: the explicit flag (`rtng`), the series as
    `©mvn`/`©mvi` (mvnm/mvin), and the subtitle, publisher, language, ISBN, ASIN and the rest as freeform atoms.

    Done on the finished file (mutagen keeps the chapter track's offsets valid).
    """
    extras = {**_extras(book), "SUBTITLE": book.subtitle, "PUBLISHER": book.publisher, "LANGUAGE": book.language}
    extras.pop("DESCRIPTION", None)  # ffmpeg wrote it as `desc`
    part = int(book.series_part) if book.series and book.series_part and book.series_part.isdigit() else None
    atoms = {"rtng": [1 if book.explicit else 0], "\xa9mvn": [book.series] if book.series else None,
             "\xa9mvi": [part] if part is not None else None,  # the atom holds a whole number only
             **{f"----:com.apple.iTunes:{key}": [MP4FreeForm(value.encode("utf-8"))] if value else None
                for key, value in extras.items()}}
    try:
        mp4 = MP4(path)
        for key, value in atoms.items():  # set, or drop what an earlier tagging left
            if value is not None:
                mp4[key] = value
            else:
                mp4.pop(key, None)
        mp4.save()
    except (MutagenError, OSError) as exc:
        raise OutputError(f"{path}: cannot write the M4B's tags ({exc}); check the file is writable") from exc


def read_mp3_facts(path: Path) -> Mp3Facts:
    """Sample rate, bit rate and mode, channels and length from the MP3's own headers."""
    try:
        info = MP3(path).info
    except (HeaderNotFoundError, MutagenError, OSError) as exc:
        raise AudioError(f"{path}: not a readable MP3 ({exc}); re-render or replace the file") from exc
    mode = {BitrateMode.CBR: "CBR", BitrateMode.VBR: "VBR", BitrateMode.ABR: "ABR"}.get(info.bitrate_mode, "unknown")
    return Mp3Facts(int(info.sample_rate), int(info.bitrate), mode, int(info.channels), float(info.length))


def mp3_frames(path: Path) -> int:
    """The number of audio frames in an MP3 that LAME wrote, from its Xing/Info header.

    Frames decode to 1152 samples each; fullcast joins separately encoded blocks frame by
    frame, so this count places each block's audio exactly on the joined file's timeline.
    The header parser is mutagen's own (`mutagen.mp3._util`, hence the pinned version).
    """
    try:
        info = MP3(path).info
        with open(path, "rb") as handle:
            handle.seek(info.frame_offset + XingHeader.get_offset(info))
            frames = XingHeader(handle).frames
    except (HeaderNotFoundError, XingHeaderError, MutagenError, OSError) as exc:
        raise AudioError(f"{path}: not a complete MP3 ({exc}); render again to make it anew") from exc
    if frames < 0:
        raise AudioError(f"{path}: its MP3 header has no frame count; render again to make it anew")
    return frames
