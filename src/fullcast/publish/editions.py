"""The editions made from the finished chapter MP3s: the M4B, the read-along EPUB, and every folder's sidecars.

The MP3 edition is made first (`export`); everything here is built from its files and
their cues, so all editions share one timeline. Each edition's folder gets the same
`metadata.json`, `metadata.opf` and cover (`sidecars`), which library servers read before
any tag: Audiobookshelf takes the explicit flag and the exact narrator credit only from them.
An edition is left alone when no chapter was encoded in this run and its files are all there.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..settings.config import Config
from .cover import Cover
from .export import ExportResult
from .folder import safe_filename, writable_folder
from .layout import Edition, edition_folder, state_folder
from .m4b import chapter_marks, write_m4b
from .metadata import BookMetadata
from .readalong import write_readalong
from .sidecars import write_sidecars
from .tag import BookTags

EPUB_SUFFIX = ".epub"


@dataclass(frozen=True)
class EditionFiles:
    """What one edition's folder holds after a render."""

    edition: Edition
    """Which edition."""
    folder: Path
    """Its book folder in its library root."""
    files: tuple[Path, ...]
    """Its main files (the M4B or its parts, the EPUB); empty for the MP3 edition, whose files `export` lists."""


def publish_editions(exported: ExportResult, editions: frozenset[Edition], out: Path, config: Config,
                     meta: BookMetadata, cover: Cover | None, *, force: bool = False,
                     progress: Callable[[float, float], None] | None = None) -> tuple[EditionFiles, ...]:
    """The sidecars of the MP3 edition, then each other edition in *editions*, with its sidecars.

    *progress* hears the M4B's encoding (seconds done, seconds in all).
    """
    marks = chapter_marks(exported.chapters)
    write_sidecars(exported.book_dir, meta, marks, cover, exported.state)
    made = [EditionFiles(Edition.MP3, exported.book_dir, ())]
    fresh = not force and not exported.encoded
    for edition in (Edition.M4B, Edition.EPUB3):
        if edition not in editions:
            continue
        folder = writable_folder(edition_folder(out, edition, meta))
        if edition is Edition.M4B:
            files = _m4b(exported, folder, config, meta, cover, fresh, progress)
        else:
            files = _epub(exported, folder, meta, cover, fresh)
        write_sidecars(folder, meta, marks, cover, state_folder(out, folder))
        made.append(EditionFiles(edition, folder, files))
    return tuple(made)


def _m4b(exported: ExportResult, folder: Path, config: Config, meta: BookMetadata, cover: Cover | None,
         fresh: bool, progress: Callable[[float, float], None] | None) -> tuple[Path, ...]:
    """The whole book as one M4B (or parts, past 23 h); left alone when no chapter changed."""
    dest = folder / f"{safe_filename(meta.title)}.m4b"
    existing = tuple(sorted(folder.glob(f"{glob.escape(dest.stem)}*.m4b")))
    if existing and fresh:
        return existing
    parts = write_m4b(exported.chapters, BookTags(meta, cover), dest, true_peak=config.mastering.true_peak,
                      progress=progress)
    made = tuple(part.path for part in parts)
    for stale in set(existing) - set(made):  # the book was split before and is not now, or the other way round
        stale.unlink(missing_ok=True)
    return made


def _epub(exported: ExportResult, folder: Path, meta: BookMetadata, cover: Cover | None,
          fresh: bool) -> tuple[Path, ...]:
    """The read-along EPUB; left alone when no chapter changed and it is there."""
    dest = folder / f"{safe_filename(meta.title)}{EPUB_SUFFIX}"
    if not (fresh and dest.is_file()):
        write_readalong(dest, meta, exported.chapters, cover)
    return (dest,)
