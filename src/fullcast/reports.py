"""What the pipeline tells its callers: the briefing before a render, progress during it, and the results.

Frozen dataclasses only; `pipeline` fills them and the CLI formats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Briefing:
    """What the producer hears before any output: which voices.yaml was used and what looks wrong."""

    voices: Path | None
    """The voices.yaml read, or None when the built-in defaults were used."""
    notes: tuple[str, ...] = ()
    """Adjustments made, e.g. a --jobs lowered to the cores there are."""
    warnings: tuple[str, ...] = ()
    """Problems in voices.yaml, the cast or the script, each naming the place and the fix."""
    uncast: tuple[str, ...] = ()
    """Speakers with no cast entry, who get auto voices."""


@dataclass(frozen=True)
class Progress:
    """How far one stage of a render has got, for a progress bar."""

    stage: str
    """`synthesising`, `encoding` or `building the M4B`."""
    done: float
    """Work done so far, in `unit`."""
    total: float
    """All the work of the stage, in `unit`."""
    unit: str
    """`segments` or `min` (minutes of audio)."""
    note: str = ""
    """More to show beside the bar, e.g. the minutes of audio synthesised."""


@dataclass(frozen=True)
class RenderResult:
    """What a render did, for the summary line."""

    book_dir: Path
    """The MP3 edition's folder (`output/mp3/<Author>/<Title>`)."""
    files: tuple[Path, ...]
    """Every finished file, in order: the chapter MP3s, then the M4B and the EPUB when asked for."""
    synthesised: int
    """Segments synthesised in this run."""
    segments: int
    """Segments in the book."""
    encoded: int
    """Files encoded in this run."""
    chapters: int
    """Chapter files in the book."""
    seconds: float
    """Wall time of the render."""
    warnings: tuple[str, ...]
    """Things the editor should look at (the briefing's warnings), e.g. a `lines:` entry that matched nothing."""
    notes: tuple[str, ...] = ()
    """What the producer should know about the output, e.g. that the cover was generated or a folder moved."""
    folders: tuple[Path, ...] = ()
    """Each edition's book folder, one per library root."""


@dataclass(frozen=True)
class BookOutcome:
    """How one book of a catalogue went."""

    name: str
    """The book's name in the catalogue (its folder or file name)."""
    manuscript: Path
    """Its manuscript."""
    result: RenderResult | None
    """What its render did, or None when it failed."""
    error: str | None = None
    """Why it failed (the error's one-line message), or None."""
    seconds: float = 0.0
    """Its share of the wall time: its own encoding and publishing, plus its share of the synthesis."""


@dataclass(frozen=True)
class CatalogueResult:
    """What `render-many` did."""

    books: tuple[BookOutcome, ...]
    """Every book of the catalogue, in catalogue order."""
    seconds: float
    """Wall time of the whole catalogue."""

    @property
    def failed(self) -> tuple[BookOutcome, ...]:
        """The books that failed."""
        return tuple(book for book in self.books if book.result is None)
