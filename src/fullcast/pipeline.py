"""The one place that knows the order of fullcast's stages.

manuscript -> script -> cast -> synthesis -> stitch/tag/export. Each command of
the CLI calls exactly one function here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .cast import cast_script
from .config import Config
from .manuscript import read_manuscript
from .model import CastScript
from .script import analyse_book
from .voicesfile import load_config

DEFAULT_MANUSCRIPT = Path("manuscript")
DEFAULT_VOICES = Path("voices.yaml")
DEFAULT_OUT = Path("output")
CACHE_FOLDER = ".cache"


@dataclass(frozen=True)
class RenderResult:
    """What a render did, for the summary line."""

    book_dir: Path
    """The folder the book was written to."""
    files: tuple[Path, ...]
    """Every finished audio file, in order."""
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
    """Things the editor should look at, e.g. a `lines:` entry that matched nothing."""


def load_settings(voices: Path | None) -> Config:
    """voices.yaml at *voices*; with None, ./voices.yaml if present, else the defaults."""
    return load_config(voices or DEFAULT_VOICES, required=voices is not None)


def analyse(manuscript: Path, voices: Path | None, *, check_voices: bool = True) -> tuple[Config, CastScript]:
    """Read, analyse and cast a manuscript: everything short of making audio."""
    config = load_settings(voices)
    book = read_manuscript(manuscript, config.book.title, config.content_warning.text)
    script = analyse_book(book, config)
    return config, cast_script(script, config, check_voices=check_voices)


def render(
    manuscript: Path,
    voices: Path | None,
    out: Path,
    *,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[..., None] | None = None,
) -> RenderResult:
    """Render *manuscript* into an audiobook under *out*: synthesise what is missing, encode what changed."""
    from .export import export_book, hold_output
    from .synthesis import synthesize_lines

    began = time.monotonic()
    config, cast = analyse(manuscript, voices)
    with hold_output(out):
        clips = synthesize_lines(cast.lines, out / CACHE_FOLDER, jobs=jobs, force=force, progress=progress)
        exported = export_book(cast, clips, config, out, force=force)
    return RenderResult(
        book_dir=exported.book_dir,
        files=exported.files,
        synthesised=sum(1 for clip in clips if clip.synthesised),
        segments=len(cast.lines),
        encoded=len(exported.encoded),
        chapters=len(exported.files),
        seconds=time.monotonic() - began,
        warnings=cast.script.warnings,
    )
