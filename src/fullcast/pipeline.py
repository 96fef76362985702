"""The one place that knows the order of fullcast's stages.

manuscript -> script -> cast -> synthesis -> stitch/tag/export. Each CLI command calls one function here, but
`render-many`: `catalogue.render_many` runs this module's steps (plan_book, synthesise, make_book) over many
books. A render checks all it can without making audio (voices.yaml, the manuscript, the output folder, the
cover, the voices, --jobs) before the first segment is synthesised.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from .audio.workers import available_cores
from .casting.cast import cast_script, cast_warnings
from .errors import ConfigError
from .manuscript import read_manuscript
from .model import Book, CastScript, Clip, Line
from .publish.folder import check_output_folder
from .reports import BookOutcome, Briefing, CatalogueResult, Progress, RenderResult  # noqa: F401
from .script.analyse import analyse_book
from .settings import load_config
from .settings.config import Config
from .settings.delivery import FORMAT_EDITIONS, PROFILE_FORMATS, Format, format_for_profile, within_acx  # noqa: F401

if TYPE_CHECKING:  # export and check pull in numpy and pydub: only where a render needs them
    from .publish.check import CheckReport
    from .publish.cover import Cover
    from .publish.metadata import BookMetadata
    from .verify.check import VerifyReport

DEFAULT_MANUSCRIPT = Path("manuscript")
VOICES_NAME = "voices.yaml"
DEFAULT_OUT = Path("output")
CACHE_FOLDER = ".cache"


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


@dataclass(frozen=True)
class Planned:
    """A book read, checked and cast: everything its render needs before audio is made."""

    manuscript: Path
    """The manuscript file or folder."""
    config: Config
    """Its settings."""
    cast: CastScript
    """Its cast script."""
    meta: BookMetadata
    """Its publication metadata."""
    cover: Cover
    """Its cover, perhaps generated."""
    made_cover: bool
    """True when the cover was generated from the title and author."""
    briefing: Briefing
    """What the producer hears before any output."""


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
    cluster: str | None = None,
    cache: str | None = None,
) -> RenderResult:
    """Render *manuscript* into an audiobook under *out*: synthesise what is missing, encode what changed.

    Everything is checked first, with nothing written under *out*; then *on_ready* gets the briefing.
    *progress* hears from each stage in turn. The `acx` *profile* holds every file to ACX's 120 minutes.
    *cluster* (a Ray address, or `local`) runs synthesis and encoding on Ray; *cache* (a folder or an
    fsspec URL such as `s3://bucket/cache`) is a segment cache shared by every machine and book.
    """
    from .publish import layout
    from .publish.folder import hold_output

    began = time.monotonic()
    jobs, lowered = cap_jobs(jobs)
    check_output_folder(out)
    plan = plan_book(manuscript, voices, profile, (lowered,) if lowered else ())
    if on_ready:
        on_ready(plan.briefing)
    report = progress or (lambda _: None)
    with hold_output(out), backends(out, cluster, cache) as run:
        moved = layout.migrate(out, plan.meta)
        clips = synthesise(plan.cast.lines, out, run, jobs=jobs, force=force, report=report)
        result = make_book(plan, clips, out, format=format, force=force, jobs=jobs, srt=srt, report=report,
                           executor=run.executor)
    return replace(result, seconds=time.monotonic() - began, notes=moved + result.notes)


def synthesise(lines: Sequence[Line], out: Path, run: Backends, *, jobs: int | None, force: bool,
               report: Callable[[Progress], None]) -> list[Clip]:
    """Every line's clip, from the cache or synthesised now on *run*'s workers; *report* hears `synthesising`."""
    from .audio.synthesis import synthesize_lines

    return synthesize_lines(lines, out / CACHE_FOLDER, jobs=jobs, force=force, runner=run.runner, store=run.store,
                            progress=lambda s: report(Progress("synthesising", s.done, s.total, "segments",
                                                               f"{s.audio_seconds / 60:.1f} min of audio")))


@dataclass(frozen=True)
class Backends:
    """Where the work runs: local pools and the output folder's cache by default; Ray and a shared cache if asked."""

    runner: Any = None
    """The synthesis runner (a Ray cluster's), or None for the local worker pools."""
    executor: Any = None
    """The block encoder (a Ray cluster's), or None for local threads."""
    store: Any = None
    """The shared segment cache (`--cache URL`), or None."""


@contextmanager
def backends(out: Path, cluster: str | None, cache: str | None) -> Iterator[Backends]:
    """The cluster and the shared cache asked for, each checked reachable now, before any work; closed after."""
    store = None
    if cache:
        from .audio.store import open_store

        store = open_store(cache, local=out / CACHE_FOLDER)
    if not cluster:
        yield Backends(store=store)
        return
    from .audio.cluster import connect

    with connect(cluster) as ray:
        yield Backends(ray.runner, ray.executor, store)


def plan_book(manuscript: Path, voices: Path | None, profile: str | None, notes: tuple[str, ...] = ()) -> Planned:
    """Read, check and cast one book: every error bad input can cause, before any audio is made."""
    from .audio import engines
    from .casting.cast import check_cast_voices

    config, book = _read(manuscript, voices)
    if profile and profile.lower() == "acx":
        config = within_acx(config)
    check_cast_voices(config, engines)  # the cast's own voices now; auto voices after the analysis
    cast = _cast(book, config, check_voices=True)
    meta, meta_warnings = _metadata(cast, config)
    cover, made_cover = _cover(manuscript, config, book, meta)  # decoded now: a broken cover fails before synthesis
    briefing = brief(manuscript, config, cast, notes + ((cover.note,) if cover.note and not made_cover else ()))
    briefing = replace(briefing, warnings=briefing.warnings + meta_warnings)
    return Planned(manuscript, config, cast, meta, cover, made_cover, briefing)


def make_book(plan: Planned, clips: Sequence[Clip], out: Path, *, format: Format, force: bool, jobs: int | None,
              srt: bool, report: Callable[[Progress], None], executor: Any = None,
              cancel: threading.Event | None = None) -> RenderResult:
    """Encode, tag and publish one book whose clips are made: every edition *format* asks for (*executor* and
    *cancel*: see `export_book`)."""
    from .publish import layout
    from .publish.editions import publish_editions
    from .publish.export import export_book
    from .publish.transcript import write_transcripts

    began = time.monotonic()
    exported = export_book(plan.cast, clips, plan.config, out, force=force, jobs=jobs, meta=plan.meta,
                           cover=plan.cover, executor=executor, cancel=cancel,
                           progress=lambda done, total: report(Progress("encoding", done / 60, total / 60, "min")))
    write_transcripts(exported.chapters, srt=srt)
    editions = frozenset(layout.Edition(e) for e in FORMAT_EDITIONS[format])
    made = publish_editions(exported, editions, out, plan.config, plan.meta, plan.cover, force=force,
                            progress=lambda done, total: report(Progress("building the M4B", done / 60, total / 60,
                                                                         "min")))
    return RenderResult(
        book_dir=exported.book_dir,
        files=exported.files + tuple(path for edition in made for path in edition.files),
        synthesised=sum(1 for clip in clips if clip.synthesised),
        segments=len(plan.cast.lines),
        encoded=len(exported.encoded),
        chapters=len(exported.files),
        seconds=time.monotonic() - began,
        warnings=plan.briefing.warnings,
        notes=(plan.cover.note,) if plan.made_cover and plan.cover.note else (),
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


def script_records(cast: CastScript, *, explain: bool = False) -> list[dict[str, Any]]:
    """One JSON-ready record per segment, in reading order (plus `rule` with *explain*): `script --format jsonl`."""
    from .publish.export import segment_record

    return [segment_record(line, explain=explain) for line in cast.lines]


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
