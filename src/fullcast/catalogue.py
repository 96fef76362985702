"""`render-many`: a whole catalogue of books, rendered as `render` renders each (the stages are `pipeline`'s).

Every book is read and checked first (a bad one fails alone); the distinct lines of all of them are synthesised
in one run, so a line two books share is made once; then the books are encoded and published on one set of
encoders, BOOKS_AT_ONCE at a time, so this process joins and places one book's files while the next one's blocks
keep every core busy. Ctrl-C stops every book at once.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed, wait
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from . import pipeline
from .audio.workers import available_cores
from .errors import EngineError, FullcastError
from .model import Clip
from .publish.folder import check_output_folder
from .reports import BookOutcome, CatalogueResult, Progress
from .settings.delivery import Format

BOOKS_AT_ONCE = 2
"""Books encoded and published at once: while this process joins, tags and places one book's files, the next
book's blocks keep every encoder busy."""


def render_many(catalogue: Path, out: Path, *, force: bool = False, jobs: int | None = None,
                progress: Callable[[Progress], None] | None = None, format: Format = Format.MP3,
                srt: bool = False, cluster: str | None = None, cache: str | None = None) -> CatalogueResult:
    """Render every book of *catalogue* into one output folder, as `render` would render each.

    The books share one segment cache and one synthesis run: every distinct line of the whole
    catalogue is made once, on every core (or on the Ray *cluster*); then the books are encoded on the same
    encoders, BOOKS_AT_ONCE at a time. A book that fails (bad input, say) is reported with its error; the others go on.
    """
    from .publish.folder import hold_output
    from .settings.catalogue import read_catalogue

    began = time.monotonic()
    entries = read_catalogue(catalogue)
    jobs, _ = pipeline.cap_jobs(jobs)
    check_output_folder(out)
    report = progress or (lambda _: None)
    planned, outcomes = _plan_catalogue(entries, report)
    with hold_output(out), pipeline.backends(out, cluster, cache) as run:
        clips, shares, errors = _synthesise_catalogue(planned, out, run, jobs=jobs, force=force, report=report)
        outcomes.update({entry: BookOutcome(entry.name, entry.manuscript, None, errors[entry]) for entry in errors})
        ready = {entry: plan for entry, plan in planned.items() if entry not in errors}
        outcomes.update(_finish_books(ready, clips, shares, out, run.executor, report, jobs=jobs, format=format,
                                      force=force, srt=srt))
    return CatalogueResult(tuple(outcomes[entry] for entry in entries), time.monotonic() - began)


def _plan_catalogue(entries, report: Callable[[Progress], None]) -> tuple[dict, dict]:
    """Each book planned, or its failure: (entry -> plan, entry -> failed outcome)."""
    planned, failed = {}, {}
    for number, entry in enumerate(entries):
        report(Progress("reading", number, len(entries), "books", entry.name))
        try:
            planned[entry] = pipeline.plan_book(entry.manuscript, entry.voices, None)
        except FullcastError as error:
            failed[entry] = BookOutcome(entry.name, entry.manuscript, None, str(error))
    return planned, failed


def _synthesise_catalogue(planned: dict, out: Path, run: pipeline.Backends, *, jobs: int | None, force: bool,
                          report: Callable[[Progress], None]) -> tuple[dict, dict, dict]:
    """Every book's clips from one synthesis run over the whole catalogue (entry -> clips), each book's share of
    its time (entry -> seconds) and the books that failed (entry -> error). A line that fails to synthesise
    sends the books back one at a time, so only the books with a failing line fail."""
    def synthesise(lines: list) -> list[Clip]:
        return pipeline.synthesise(lines, out, run, jobs=jobs, force=force, report=report)

    began = time.monotonic()
    try:
        made = synthesise([line for plan in planned.values() for line in plan.cast.lines])
    except EngineError:
        return _synthesise_one_by_one(planned, synthesise)
    clips, at = {}, 0
    for entry, plan in planned.items():
        clips[entry], at = made[at:at + len(plan.cast.lines)], at + len(plan.cast.lines)
    return clips, _shares(clips, time.monotonic() - began), {}


def _synthesise_one_by_one(planned: dict, run: Callable[[list], list[Clip]]) -> tuple[dict, dict, dict]:
    clips, shares, errors = {}, {}, {}
    for entry, plan in planned.items():
        began = time.monotonic()
        try:
            clips[entry] = run(list(plan.cast.lines))
            shares[entry] = time.monotonic() - began
        except EngineError as error:
            errors[entry] = str(error)
    return clips, shares, errors


def _shares(clips: dict, seconds: float) -> dict:
    """Each book's share of a synthesis run's time, by the segments it had synthesised."""
    made = {entry: sum(1 for clip in book if clip.synthesised) for entry, book in clips.items()}
    total = sum(made.values())
    return {entry: seconds * count / total if total else 0.0 for entry, count in made.items()}


def _finish_books(ready: dict, clips: dict, shares: dict, out: Path, executor: Executor | None,
                  report: Callable[[Progress], None], *, jobs: int | None, **options) -> dict:
    """Encode and publish every *ready* book (entry -> plan), BOOKS_AT_ONCE at a time, on one set of encoders (the
    cluster's *executor*, or a pool of *jobs* threads); each book's outcome (entry -> outcome). Ctrl-C stops all."""
    encoders = executor or ThreadPoolExecutor(max_workers=jobs or available_cores())
    stops = {entry: threading.Event() for entry in ready}
    books = ThreadPoolExecutor(max_workers=BOOKS_AT_ONCE, thread_name_prefix="fullcast-book")
    futures: dict = {}
    outcomes: dict = {}
    try:
        for entry, plan in ready.items():
            futures[books.submit(_finish_book, entry, plan, clips[entry], out, shares.get(entry, 0.0),
                                 executor=encoders, cancel=stops[entry], jobs=jobs, **options)] = entry
        report(Progress("rendering", 0, len(ready), "books", _rendering(ready, outcomes)))
        for future in as_completed(futures):
            outcomes[futures[future]] = future.result()
            report(Progress("rendering", len(outcomes), len(ready), "books", _rendering(ready, outcomes)))
    except BaseException:
        _stop_books(futures, stops.values(), executor)
        raise
    finally:
        books.shutdown()
        if executor is None:
            encoders.shutdown()
    return outcomes


def _rendering(ready: dict, finished: dict) -> str:
    """The books now rendering, for the progress bar: the first unfinished ones (books start in order)."""
    return ", ".join(entry.name for entry in [e for e in ready if e not in finished][:BOOKS_AT_ONCE]) or "done"


def _stop_books(futures: dict, stops: Iterable[threading.Event], cluster: Executor | None) -> None:
    """Stop every book at once (Ctrl-C, or a bug in one) and wait for their threads: books not started are dropped,
    the encoders of the others end at their next piece of audio (the *cluster*'s tasks are cancelled: they cannot see
    a local event), and every ffmpeg of this process is terminated."""
    from .audio import ffmpeg

    for stop in stops:
        stop.set()
    if cluster is not None:
        cluster.shutdown(wait=False, cancel_futures=True)
    # a future cancelled before it ran never counts as done for wait(): wait only for the books already running
    running = {future for future in futures if not future.cancel()}
    while running:  # a book between two steps may start one more ffmpeg: stop again until all have ended
        ffmpeg.stop_all()
        running = wait(running, timeout=0.1).not_done


def _finish_book(entry, plan: pipeline.Planned, clips: list[Clip], out: Path, synthesis_s: float,
                 **options) -> BookOutcome:
    """Encode and publish one book of a catalogue; its failure is its own."""
    from .publish import layout

    began = time.monotonic()
    try:
        moved = layout.migrate(out, plan.meta)
        result = pipeline.make_book(plan, clips, out, report=lambda _: None, **options)
    except FullcastError as error:
        return BookOutcome(entry.name, entry.manuscript, None, str(error), time.monotonic() - began + synthesis_s)
    seconds = time.monotonic() - began + synthesis_s
    return BookOutcome(entry.name, entry.manuscript, replace(result, notes=moved + result.notes, seconds=seconds),
                       seconds=seconds)
