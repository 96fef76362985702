"""The one place that knows the order of fullcast's stages.

manuscript -> script -> cast -> synthesis -> stitch/tag/export. Each command of
the CLI calls exactly one function here.
"""

from __future__ import annotations

import glob
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .casting.cast import CastRow, apply_pronunciations, cast_script, summarise_cast
from .errors import ConfigError, closest
from .manuscript.plaintext import read_manuscript
from .model import CastScript, ChapterAudio, SegmentKind, Voice
from .script.analyse import analyse_book
from .settings.config import DEFAULT_PITCH, DEFAULT_RATE, DEFAULT_VOLUME, Config
from .settings.voicesfile import add_characters, load_config

if TYPE_CHECKING:  # export and check pull in numpy and pydub: only where a render needs them
    from .audio.engines import EngineVoice
    from .publish.check import CheckReport
    from .publish.export import ExportResult

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
    if not check_voices:
        return config, cast_script(script, config)
    from .audio import engines

    return config, cast_script(script, config, voices=engines)


class Format(str, Enum):
    """What `render` delivers."""

    MP3 = "mp3"
    """One tagged MP3 per chapter (ACX, Google Play, any player)."""
    M4B = "m4b"
    """One M4B for the whole book (Apple), built from the chapter MP3s, which stay."""
    BOTH = "both"
    """Both of the above."""


PROFILE_FORMATS = {"acx": Format.MP3, "google-play": Format.MP3, "apple": Format.M4B}
"""The format each distributor profile wants (see `fullcast check`)."""


def format_for_profile(profile: str | None) -> Format:
    """The format a distributor profile wants; MP3 when none is given."""
    if profile is None:
        return Format.MP3
    if profile.lower() not in PROFILE_FORMATS:
        near = closest(profile, list(PROFILE_FORMATS))
        raise ConfigError(f"--profile {profile}: unknown profile; choose one of {', '.join(PROFILE_FORMATS)}"
                          + (f" (did you mean {near[0]}?)" if near else ""))
    return PROFILE_FORMATS[profile.lower()]


def render(
    manuscript: Path,
    voices: Path | None,
    out: Path,
    *,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[..., None] | None = None,
    format: Format = Format.MP3,
    srt: bool = False,
) -> RenderResult:
    """Render *manuscript* into an audiobook under *out*: synthesise what is missing, encode what changed."""
    from .audio.synthesis import synthesize_lines
    from .publish.export import export_book, hold_output

    began = time.monotonic()
    config, cast = analyse(manuscript, voices)
    with hold_output(out):
        clips = synthesize_lines(cast.lines, out / CACHE_FOLDER, jobs=jobs, force=force, progress=progress)
        exported = export_book(cast, clips, config, out, force=force, jobs=jobs)
        _write_transcripts(exported.chapters, srt=srt)
        books = _write_m4b(cast, config, exported, force=force) if format in (Format.M4B, Format.BOTH) else ()
    return RenderResult(
        book_dir=exported.book_dir,
        files=exported.files + books,
        synthesised=sum(1 for clip in clips if clip.synthesised),
        segments=len(cast.lines),
        encoded=len(exported.encoded),
        chapters=len(exported.files),
        seconds=time.monotonic() - began,
        warnings=cast.script.warnings,
    )


def _write_transcripts(chapters: tuple[ChapterAudio, ...], *, srt: bool) -> None:
    """A WebVTT (and with *srt* an SRT) transcript beside every chapter file."""
    from .publish.transcript import write_srt, write_vtt

    for chapter in chapters:
        write_vtt(chapter.cues, chapter.path.with_suffix(".vtt"))
        if srt:
            write_srt(chapter.cues, chapter.path.with_suffix(".srt"))


def _write_m4b(cast: CastScript, config: Config, exported: ExportResult, *, force: bool) -> tuple[Path, ...]:
    """The whole book as one M4B (or parts, past 23 h); left alone when no chapter changed."""
    from .publish.export import book_cover, chapter_tags
    from .publish.m4b import write_m4b
    from .publish.tag import book_tags

    dest = exported.book_dir / f"{exported.book_dir.name}.m4b"
    existing = tuple(sorted(exported.book_dir.glob(f"{glob.escape(dest.stem)}*.m4b")))
    if existing and not force and not exported.encoded:
        return existing
    first = cast.script.book.chapters[0]
    tags = book_tags(chapter_tags(cast, config, first, len(exported.files), book_cover(cast, config)))
    return tuple(part.path for part in write_m4b(exported.chapters, tags, dest, true_peak=config.mastering.true_peak))


def script_records(cast: CastScript, *, explain: bool = False) -> list[dict[str, Any]]:
    """One JSON-ready record per segment, in reading order (plus `rule` with *explain*): `script --format jsonl`."""
    from .publish.export import segment_record

    return [{**segment_record(line), **({"rule": line.segment.rule} if explain else {})} for line in cast.lines]


def list_voices(engine: str, lang: str | None = None) -> list[EngineVoice]:
    """The voices *engine* offers, only those whose id starts with *lang* when given."""
    from .audio import engines

    return [v for v in engines.list_voices(engine) if not lang or v.id.startswith(lang.lower())]


def check(output: Path, profiles: Sequence[str]) -> CheckReport:
    """Measure every rendered file under *output* against the distributor *profiles* (all when empty)."""
    from .publish.check import check_files

    return check_files(output, profiles)


PREVIEW_WORDS = 40
"""An audition is the character's first lines, up to about this many words."""


def cast_report(manuscript: Path, voices: Path | None, *, write: bool = False) -> tuple[CastRow, ...]:
    """The cast as the analysis sees it; with *write*, add the uncast speakers to voices.yaml first."""
    config, cast = analyse(manuscript, voices, check_voices=False)
    rows = summarise_cast(cast, config)
    missing = [(row.name, row.gender, row.voice.voice_id) for row in rows if not row.in_cast]
    if write and missing:
        add_characters(voices or DEFAULT_VOICES, missing)
        config, cast = analyse(manuscript, voices, check_voices=False)
        rows = summarise_cast(cast, config)
    return rows


def preview(name: str, manuscript: Path, voices: Path | None, out: Path, text: str | None = None) -> Path:
    """Render an audition of *name* into out/previews/: their first lines, or *text*."""
    from .audio.synthesis import synthesize_text
    from .publish.export import safe_filename

    config, cast = analyse(manuscript, voices)
    voices_by_name = {n.casefold(): (n, v) for n, v in cast.voices}
    if name.casefold() not in voices_by_name:
        near = closest(name, [n for n, _ in cast.voices], cutoff=0.65)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; the cast is {', '.join(n for n, _ in cast.voices)}"
        raise ConfigError(f"no speaker called {name!r} in the cast or the manuscript{hint}")
    speaker, voice = voices_by_name[name.casefold()]
    if text is None:
        text = _first_words(cast, speaker)
    dest = out / "previews" / f"{safe_filename(speaker)}.wav"
    dest.parent.mkdir(parents=True, exist_ok=True)
    synthesize_text(apply_pronunciations(text, config.pronunciations), voice, dest)
    return dest


def sample_voices(engine: str, voice_ids: list[str], out: Path) -> list[Path]:
    """Render one short clip per voice into out/voices/ so an editor can compare them by ear."""
    from .audio.synthesis import synthesize_texts
    from .publish.export import safe_filename

    folder = out / "voices"
    folder.mkdir(parents=True, exist_ok=True)
    items = [(f"This is {voice_id.replace('+', ' variant ')}. The lamps along the sea wall were lit at dusk.",
              Voice(engine, voice_id, DEFAULT_RATE, DEFAULT_PITCH, DEFAULT_VOLUME),
              folder / f"{safe_filename(voice_id)}.wav") for voice_id in voice_ids]
    synthesize_texts(items)
    return [path for _, _, path in items]


def _first_words(cast: CastScript, speaker: str) -> str:
    said: list[str] = []
    for line in cast.lines:
        if line.segment.speaker == speaker and line.segment.kind in (SegmentKind.DIALOGUE, SegmentKind.MONOLOGUE):
            said.append(line.segment.text)
            if sum(len(s.split()) for s in said) >= PREVIEW_WORDS:
                break
    return " ".join(said) or f"Hello, I am {speaker}. This is how I sound in this book."
