"""A catalogue for `fullcast render-many`: the books to render, each a manuscript and its voices.yaml.

A catalogue is either a folder of book folders (each holding its manuscript files and, beside
them, its voices.yaml and cover) or a YAML list:

    - manuscript: backlist/lamplighter/          # a file or a folder, relative to this file
      voices: backlist/lamplighter/voices.yaml   # optional: by default the one beside the manuscript
    - manuscript: fanfic/old-town.txt
      voices: casts/old-town.yaml

Every entry is checked here, with the file:line and the entry's number in any message, before
a single book is read; a book that fails later fails alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .yamlfile import line_of, read_yaml

ENTRY_KEYS = ("manuscript", "voices")
"""The keys of one entry of a YAML catalogue."""
_NOT_BOOKS = {"output", "previews"}
"""Folders a catalogue folder may hold that are not books (a render's output, say)."""


@dataclass(frozen=True)
class CatalogueEntry:
    """One book of a catalogue."""

    name: str
    """How the book is named in progress and the summary: its folder or file name."""
    manuscript: Path
    """The manuscript file or folder."""
    voices: Path | None
    """Its voices.yaml, or None to use the one beside the manuscript (or the defaults)."""


def read_catalogue(path: Path) -> tuple[CatalogueEntry, ...]:
    """The books of the catalogue at *path*: a folder of book folders, or a YAML list of entries."""
    if path.is_dir():
        return _folder(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such catalogue; give a folder of book folders or a YAML list of "
                          "{manuscript, voices} entries")
    return _listed(path, read_yaml(path))


def _folder(path: Path) -> tuple[CatalogueEntry, ...]:
    books = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")
                   and p.name not in _NOT_BOOKS)
    if not books:
        raise ConfigError(f"{path}: holds no book folders; put each book (its manuscript and voices.yaml) in a "
                          "folder of its own here, or give a YAML catalogue")
    return tuple(CatalogueEntry(book.name, book, None) for book in books)


def _listed(path: Path, data: Any) -> tuple[CatalogueEntry, ...]:
    if not isinstance(data, list) or not data:
        raise ConfigError(f"{path}: must be a list of books, each `- manuscript: <file or folder>` with an "
                          "optional `voices: <voices.yaml>`")
    return tuple(_entry(path, data, number) for number in range(len(data)))


def _entry(path: Path, data: list, number: int) -> CatalogueEntry:
    entry, where = data[number], f"{path}:{line_of(data, number) or '?'}: book {number + 1}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a mapping with `manuscript:` (and optionally `voices:`), "
                          f"not {entry!r}")
    unknown = [str(key) for key in entry if str(key) not in ENTRY_KEYS]
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; an entry has only manuscript and voices")
    if not entry.get("manuscript"):
        raise ConfigError(f"{where}: has no manuscript; add `manuscript: <file or folder>`")
    manuscript = path.parent / str(entry["manuscript"])
    voices = path.parent / str(entry["voices"]) if entry.get("voices") else None
    name = manuscript.stem if manuscript.is_file() else manuscript.name
    return CatalogueEntry(name or str(manuscript), manuscript, voices)
