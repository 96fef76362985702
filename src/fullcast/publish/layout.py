"""Where each edition of a book goes: one library root per format, in folders players understand.

    output/mp3/<Author>/<Title>/            the chapter MP3s, transcripts, playlist, sidecars
    output/m4b/<Author>/[<Series>/]<Title>/ the M4B and its sidecars
    output/epub3/<Author>/<Title>/          the read-along EPUB and its sidecars

Audiobookshelf and Plex merge every audio file under one book folder into one item, so an M4B
beside (or below) the chapter MP3s plays the book twice: each root is its own library. What
fullcast keeps for itself stays out of every root, at the top of the output folder: the segment
cache (`.cache`), the lock, and each book folder's state (its manifest, the script that was
rendered, which cover it wrote) under `.fullcast/` at the same relative path.

Before this layout a book lived in `output/<Title>/`, M4B and MP3s together. `migrate` moves
such a folder into the new layout on the next render, so the two layouts never stand side by side.
"""

from __future__ import annotations

import glob
import os
import shutil
from enum import Enum
from pathlib import Path

from ..errors import OutputError
from .folder import safe_filename
from .manifest import MANIFEST_NAME, read_manifest, safe_entry_name
from .metadata import BookMetadata

STATE_FOLDER = ".fullcast"
"""Under the output folder: each book folder's state, at the book folder's own relative path."""
UNKNOWN_AUTHOR = "Unknown Author"
"""The author folder of a book whose author nobody gave."""
LEGACY_SCRIPT_NAME = "script.jsonl"
"""The script's name before it was hidden from library scanners."""


class Edition(str, Enum):
    """One deliverable form of the book, each in its own library root under the output folder."""

    MP3 = "mp3"
    """One tagged MP3 per chapter."""
    M4B = "m4b"
    """The whole book in one M4B (parts past 23 hours)."""
    EPUB3 = "epub3"
    """The read-along EPUB 3 with media overlays."""


def edition_folder(out: Path, edition: Edition, meta: BookMetadata) -> Path:
    """The book's folder for *edition*: `<out>/<edition>/<Author>/[<Series>/]<Title>`, every level a safe name.

    Only the M4B library gets the series level: Plex reads an MP3 library as Artist/Album.
    """
    levels = [safe_filename(meta.author or UNKNOWN_AUTHOR, fallback=UNKNOWN_AUTHOR)]
    if edition is Edition.M4B and meta.series:
        levels.append(safe_filename(meta.series, fallback="Series"))
    levels.append(safe_filename(meta.title))
    folder = out.joinpath(edition.value, *levels)
    if not Path(os.path.normpath(folder)).is_relative_to(os.path.normpath(out / edition.value)):
        raise OutputError(f"{meta.title!r}: makes an unsafe folder name; set book.title in voices.yaml")
    return folder


def state_folder(out: Path, folder: Path) -> Path:
    """Where fullcast keeps the state of the book *folder* under *out*: `<out>/.fullcast/<folder's path in out>`."""
    return out / STATE_FOLDER / folder.relative_to(out)


def find_state(folder: Path) -> Path | None:
    """The state folder of the book *folder*, found by looking up from it for a `.fullcast` beside a parent."""
    for parent in folder.parents:
        state = parent / STATE_FOLDER / folder.relative_to(parent)
        if state.is_dir():
            return state
    return None


def legacy_folder(out: Path, title: str) -> Path:
    """Where the layout before editions put the book: `<out>/<Title>`."""
    return out / safe_filename(title)


def migrate(out: Path, meta: BookMetadata) -> tuple[str, ...]:
    """Move a book rendered in the old layout into the new one; notes saying what moved.

    The MP3 folder moves whole and its manifest to the state folder, so unchanged chapters are
    not encoded again; its M4B files move to the M4B root. When the new folder exists already,
    the old copies are deleted instead. A folder fullcast did not write (no manifest) is left alone.
    """
    old = legacy_folder(out, meta.title)
    if not (old / MANIFEST_NAME).is_file() or old.name in {e.value for e in Edition}:
        return ()  # not ours, or a book called "mp3" whose old folder is now a library root
    mp3, m4b = edition_folder(out, Edition.MP3, meta), edition_folder(out, Edition.M4B, meta)
    books = sorted(old.glob(f"{glob.escape(old.name)}*.m4b"))
    try:
        for book in books:
            _move_or_drop(book, m4b / book.name)
        if mp3.exists():
            _drop_ours(old)
        else:
            mp3.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old, mp3)
            state = state_folder(out, mp3)
            state.mkdir(parents=True, exist_ok=True)
            os.replace(mp3 / MANIFEST_NAME, state / MANIFEST_NAME)
            (mp3 / LEGACY_SCRIPT_NAME).unlink(missing_ok=True)  # written again, into the state folder
    except OSError as exc:
        raise OutputError(f"{old}: cannot move the book into {mp3} ({exc.strerror or exc}); move or delete the old "
                          "folder by hand, then render again") from exc
    notes = [f"moved {old} to {mp3} (each format now has its own library root)"]
    if books:
        notes.append(f"moved the M4B to {m4b}")
    return tuple(notes)


def _move_or_drop(source: Path, dest: Path) -> None:
    """Move *source* to *dest*, or delete it when *dest* already exists (the new layout's copy wins)."""
    if dest.exists():
        source.unlink()
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source, dest)


def _drop_ours(old: Path) -> None:
    """Delete what fullcast wrote in a legacy folder (the manifest's files and their transcripts, the playlist,
    the script, the manifest), then the folder when nothing else is left in it."""
    chapters = [Path(name) for name in read_manifest(old).files if safe_entry_name(name)]
    names = {str(p.with_suffix(s)) for p in chapters for s in (".mp3", ".vtt", ".srt")}
    names |= {f"{old.name}.m3u", MANIFEST_NAME, LEGACY_SCRIPT_NAME}
    for name in names:
        (old / name).unlink(missing_ok=True)
    if not any(old.iterdir()):
        old.rmdir()
