"""The one place that knows the order of fullcast's stages.

manuscript -> script -> cast -> synthesis -> stitch/tag/export. Each CLI command calls one function here.
A render checks all it can without making audio (voices.yaml, the manuscript, the output folder, the cover,
the voices, --jobs) before the first segment is synthesised.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .audio.workers import available_cores
from .casting.cast import cast_script, cast_warnings
from .errors import ConfigError, closest
from .manuscript import read_manuscript
from .model import Book, CastScript, ChapterAudio, Segment
from .publish.folder import check_output_folder
from .script.analyse import analyse_book
from .settings import load_config
from .settings.config import Config

if TYPE_CHECKING:  # export and check pull in numpy and pydub: only where a render needs them
    from .publish.check import CheckReport
    from .publish.cover import Cover
    from .publish.metadata import BookMetadata
    from .verify.check import VerifyReport

DEFAULT_MANUSCRIPT = Path("manuscript")
VOICES_NAME = "voices.yaml"
DEFAULT_OUT = Path("output")
CACHE_FOLDER = ".cache"
ACX_MAX_MINUTES = 120.0
"""The longest file ACX accepts."""


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


# --------------------------------------------------------------------------- settings and analysis


def find_voices(manuscript: Path) -> Path | None:
    """The voices.yaml that belongs to *manuscript* when no --voices is given, or None.

    Beside the manuscript file; for a folder, inside it, then beside it; `./voices.yaml` only
    when the manuscript is inside the current folder. Never one from anywhere else: another
    book's cast would silently take over this book's lines, description and year.
    """
    candidates = [manuscript / VOICES_NAME] if manuscript.is_dir() else []
    candidates.append(Path(os.path.normpath(manuscript / os.pardir)) / VOICES_NAME)  # also right for `.` and `..`
    if manuscript.resolve().is_relative_to(Path.cwd().resolve()):
        candidates.append(Path(VOICES_NAME))
    return next((path for path in candidates if path.is_file()), None)


def _read(manuscript: Path, voices: Path | None) -> tuple[Config, Book]:
    """The settings (*voices*, else the voices.yaml `find_voices` finds, else the defaults) and the manuscript."""
    found = voices if voices is not None else find_voices(manuscript)
    config = load_config(found) if found else Config()
    return config, read_manuscript(manuscript, config.book.title, config.content_warning.text,
                                   read_front_matter=config.book.read_front_matter, read_notes=config.book.read_notes)


def _cast(book: Book, config: Config, *, check_voices: bool, explain: bool = False) -> CastScript:
    script = analyse_book(book, config, explain=explain)
    if not check_voices:
        return cast_script(script, config)
    from .audio import engines

    return cast_script(script, config, voices=engines)


def analyse(manuscript: Path, voices: Path | None, *, check_voices: bool = True,
            explain: bool = False) -> tuple[Config, CastScript]:
    """Read, analyse and cast a manuscript: everything short of making audio (*explain*: say what decided)."""
    config, book = _read(manuscript, voices)
    return config, _cast(book, config, check_voices=check_voices, explain=explain)


def brief(manuscript: Path, config: Config, cast: CastScript, notes: Sequence[str] = ()) -> Briefing:
    """The briefing for *cast*: voices.yaml, settings and cast warnings, the script's, the uncast speakers."""
    book = cast.script.book
    warnings = config.warnings + book.warnings + cast_warnings(book, config, str(manuscript)) + cast.script.warnings
    uncast = tuple(s.name for s in cast.script.speakers if not s.in_cast)
    return Briefing(config.path, tuple(notes), warnings, uncast)


def prepare(manuscript: Path, voices: Path | None, *, explain: bool = False) -> tuple[CastScript, Briefing]:
    """The cast script of *manuscript* with its briefing: `fullcast script` (*explain*: with the candidates' reasons)."""
    config, cast = analyse(manuscript, voices, explain=explain)
    return cast, brief(manuscript, config, cast)


# --------------------------------------------------------------------------- render


class Format(str, Enum):
    """What `render` delivers. The chapter MP3s are always made: every other edition is built from them."""

    MP3 = "mp3"
    """One tagged MP3 per chapter (ACX, Google Play, any player)."""
    M4B = "m4b"
    """One M4B for the whole book (Apple), in its own library root."""
    BOTH = "both"
    """The MP3 and the M4B editions."""
    EPUB3 = "epub3"
    """A read-along EPUB 3 (the text with each segment's audio), beside the MP3 edition."""
    ALL = "all"
    """The MP3, M4B and read-along EPUB editions."""


FORMAT_EDITIONS = {Format.MP3: ("mp3",), Format.M4B: ("mp3", "m4b"), Format.BOTH: ("mp3", "m4b"),
                   Format.EPUB3: ("mp3", "epub3"), Format.ALL: ("mp3", "m4b", "epub3")}
"""The editions each format makes."""


PROFILE_FORMATS = {"acx": Format.MP3, "google-play": Format.MP3, "apple": Format.M4B}
"""The format each distributor profile wants (see `fullcast check`)."""


def format_for_profile(profile: str | None, format: Format | None = None) -> Format:
    """The format to render: *format* if given, else the one *profile* wants, else MP3; a clash is an error."""
    if profile is None:
        return format or Format.MP3
    if profile.lower() not in PROFILE_FORMATS:
        near = closest(profile, list(PROFILE_FORMATS))
        raise ConfigError(f"--profile {profile}: unknown profile; choose one of {', '.join(PROFILE_FORMATS)}"
                          + (f" (did you mean {near[0]}?)" if near else ""))
    wanted = PROFILE_FORMATS[profile.lower()]
    if format is not None and wanted.value not in FORMAT_EDITIONS[format]:
        raise ConfigError(f"--format {format.value} does not give the {wanted.value} that --profile {profile} wants; "
                          f"use --format {wanted.value}, both or all, or drop one of the two")
    return format or wanted


def cap_jobs(jobs: int | None) -> tuple[int | None, str | None]:
    """*jobs* lowered to the cores there are (each worker is a process with its own engine), and a note if lowered."""
    if jobs is None:
        return None, None
    if jobs < 1:
        raise ConfigError(f"--jobs {jobs}: must be 1 or more; leave it out to use every core")
    cores = available_cores()
    if jobs <= cores:
        return jobs, None
    return cores, f"--jobs {jobs} is more than the {cores} core{'s' if cores > 1 else ''} here; using {cores}"


def render(
    manuscript: Path,
    voices: Path | None,
    out: Path,
    *,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    format: Format = Format.MP3,
    srt: bool = False,
    on_ready: Callable[[Briefing], None] | None = None,
    profile: str | None = None,
) -> RenderResult:
    """Render *manuscript* into an audiobook under *out*: synthesise what is missing, encode what changed.

    Everything is checked first, with nothing written under *out*; then *on_ready* gets the briefing.
    *progress* hears from each stage in turn. The `acx` *profile* holds every file to ACX's 120 minutes.
    """
    from .audio import engines
    from .audio.synthesis import synthesize_lines
    from .casting.cast import check_cast_voices
    from .publish import layout
    from .publish.editions import publish_editions
    from .publish.export import export_book
    from .publish.folder import hold_output

    began = time.monotonic()
    jobs, lowered = cap_jobs(jobs)
    config, book = _read(manuscript, voices)
    if profile and profile.lower() == "acx":
        config = _within_acx(config)
    check_output_folder(out)
    check_cast_voices(config, engines)  # the cast's own voices now; auto voices after the analysis
    cast = _cast(book, config, check_voices=True)
    meta, meta_warnings = _metadata(cast, config)
    cover, made_cover = _cover(manuscript, config, book, meta)  # decoded now: a broken cover fails before synthesis
    notes = tuple(note for note in (lowered, None if made_cover else cover.note) if note)
    briefing = brief(manuscript, config, cast, notes)
    briefing = replace(briefing, warnings=briefing.warnings + meta_warnings)
    if on_ready:
        on_ready(briefing)
    report = progress or (lambda _: None)
    with hold_output(out):
        moved = layout.migrate(out, meta)
        clips = synthesize_lines(cast.lines, out / CACHE_FOLDER, jobs=jobs, force=force, progress=lambda s: report(
            Progress("synthesising", s.done, s.total, "segments", f"{s.audio_seconds / 60:.1f} min of audio")))
        exported = export_book(cast, clips, config, out, force=force, jobs=jobs, meta=meta, cover=cover,
                               progress=lambda done, total: report(Progress("encoding", done / 60, total / 60, "min")))
        _write_transcripts(exported.chapters, srt=srt)
        editions = frozenset(layout.Edition(e) for e in FORMAT_EDITIONS[format])
        made = publish_editions(exported, editions, out, config, meta, cover, force=force, progress=lambda done, total:
                                report(Progress("building the M4B", done / 60, total / 60, "min")))
    return RenderResult(
        book_dir=exported.book_dir,
        files=exported.files + tuple(path for edition in made for path in edition.files),
        synthesised=sum(1 for clip in clips if clip.synthesised),
        segments=len(cast.lines),
        encoded=len(exported.encoded),
        chapters=len(exported.files),
        seconds=time.monotonic() - began,
        warnings=briefing.warnings,
        notes=moved + ((cover.note,) if made_cover and cover.note else ()),
        folders=tuple(edition.folder for edition in made),
    )


def _metadata(cast: CastScript, config: Config) -> tuple[BookMetadata, tuple[str, ...]]:
    """The book's metadata, its language defaulting to the narrator voice's, and warnings about it."""
    from .audio import engines
    from .publish.metadata import book_metadata

    narrator = next((line.voice for line in cast.lines if line.segment.speaker == "narrator"), None)
    language = engines.reading_language(narrator.engine, narrator.voice_id, narrator.setup) if narrator else None
    return book_metadata(cast.script.book, config, language)


def _cover(manuscript: Path, config: Config, book: Book, meta: BookMetadata) -> tuple[Cover, bool]:
    """The book's cover, or one made from the title and author when it has none (then True)."""
    from .publish.cover import book_cover, generated_cover

    found = book_cover(manuscript, config, book)
    return (found, False) if found else (generated_cover(meta.title, meta.authors, meta.subtitle), True)


def _write_transcripts(chapters: tuple[ChapterAudio, ...], *, srt: bool) -> None:
    """A WebVTT (and with *srt* an SRT) transcript beside every chapter file."""
    from .publish.transcript import write_srt, write_vtt

    for chapter in chapters:
        write_vtt(chapter.cues, chapter.path.with_suffix(".vtt"))
        if srt:
            write_srt(chapter.cues, chapter.path.with_suffix(".srt"))


def _within_acx(config: Config) -> Config:
    """*config* with files held to ACX's 120 minutes, however long voices.yaml lets them be."""
    limit = config.mastering.max_file_minutes
    if 0 < limit <= ACX_MAX_MINUTES:
        return config
    return replace(config, mastering=replace(config.mastering, max_file_minutes=ACX_MAX_MINUTES))


def script_records(cast: CastScript, *, explain: bool = False) -> list[dict[str, Any]]:
    """One JSON-ready record per segment, in reading order (plus `rule` with *explain*): `script --format jsonl`."""
    from .publish.export import segment_record

    return [{**segment_record(line), **(_explained(line.segment) if explain else {})} for line in cast.lines]


def _explained(segment: Segment) -> dict[str, Any]:
    """What `--explain` adds to a record: the rule, and for a line the candidates with probabilities and reasons."""
    extra: dict[str, Any] = {"rule": segment.rule}
    if segment.candidates:
        extra["candidates"] = [{"speaker": c.name, "probability": c.probability, "reasons": list(c.reasons)}
                               for c in segment.candidates]
    return extra


def check(output: Path, profiles: Sequence[str]) -> CheckReport:
    """Measure every rendered file under *output* against the distributor *profiles* (with none, those that fit
    each file's format)."""
    from .publish.check import check_files

    return check_files(output, profiles)


def verify(output: Path, *, threshold: float = 0.25, threads: int | None = None,
           progress: Callable[[Progress], None] | None = None) -> VerifyReport:
    """Listen to every chapter file under *output* with Whisper and compare it with the script that was rendered
    (`fullcast verify`); *progress* hears `listening` in minutes of audio."""
    from .verify.check import verify_output

    report = progress or (lambda _: None)
    return verify_output(output, threshold=threshold, threads=threads,
                         progress=lambda done, total: report(Progress("listening", done / 60, total / 60, "min")))
