"""Turn cast lines into cached WAV clips, synthesising only what the cache lacks, on every core.

The cache itself (keys, entries, leftovers) is `cache`: an entry is written to `<key>.<pid>.tmp`
and renamed into place.

The real engine runs only in worker processes started with `spawn` (one engine each);
workers get batches of segments and send back file paths, never audio, so the parent
stays small however long the book is. A line too long for one utterance is spoken in pieces
streamed into its one clip (the key stays per line). Workers start with Ctrl-C blocked, then
ignore it: only the parent raises KeyboardInterrupt, and no worker prints a traceback.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.pool
import multiprocessing.resource_tracker
import os
import signal
import sys
import threading
import time
import types
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..errors import EngineError
from ..model import Clip, Line, Voice
from . import engines
from .cache import HEADER_BYTES, cache_key, cache_path, sweep_temporaries, wav_duration_ms
from .utterances import split_utterances

MAX_WAV_BYTES = 0xFFFFFFFF
"""A WAV file's sizes are 32-bit: a clip holds at most about 27 hours of 22,050 Hz mono speech."""
WORKERS_PER_CORE = 1
"""Default workers per core. The engine runs espeak synchronously (no thread, no poll), so one worker
keeps a core busy; each extra worker only adds ~0.1 s of start-up and ~23 MB (32 MB with the fake)."""
STALL_TIMEOUT_S = 300.0
"""No answer from any worker for this long means espeak hung (pyttsx3 issues #126, #131)."""
MAX_CHUNK = 16
"""Most segments sent to a worker at once: big enough to keep it busy, small enough for smooth progress."""


@dataclass(frozen=True)
class SynthesisProgress:
    """How far synthesis has got, reported after every finished segment (and once at the start)."""

    done: int
    """Segments synthesised so far in this run."""
    total: int
    """Segments this run must synthesise (those missing from the cache)."""
    audio_seconds: float
    """Seconds of audio synthesised so far in this run."""
    cached: int
    """Distinct segments that were already in the cache."""


@dataclass(frozen=True)
class _Job:
    """One distinct segment to synthesise, as sent to a worker."""

    key: str
    voice: Voice
    text: str
    path: Path


@dataclass(frozen=True)
class _Done:
    """A worker's answer: the key and the audio length, or why it failed."""

    key: str
    duration_ms: int
    error: str | None = None


def synthesize_lines(
    lines: Sequence[Line],
    cache_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[SynthesisProgress], None] | None = None,
) -> list[Clip]:
    """One clip per line, in order, synthesising only the distinct (voice, text) pairs missing from the cache.

    `jobs` is the number of worker processes (None: WORKERS_PER_CORE per core); `force` re-synthesises
    everything. Only the first line of a pair synthesised in this run has `synthesised=True`.
    On KeyboardInterrupt the workers stop at once, finished entries stay in the cache and
    the interrupt is raised again.
    """
    keys = [cache_key(line.voice, line.spoken) for line in lines]
    durations: dict[str, int] = {}
    todo: dict[str, _Job] = {}
    if cache_dir.is_dir():
        sweep_temporaries(p for p in cache_dir.iterdir() if p.is_dir())
    for key, line in zip(keys, lines):
        if key in durations or key in todo:
            continue
        path = cache_path(cache_dir, key)
        found = None if force else wav_duration_ms(path)
        if found is None:
            todo[key] = _Job(key, line.voice, line.spoken, path)
        else:
            durations[key] = found
    cached = len(durations)
    made = _run_jobs(list(todo.values()), lines, keys, jobs, cached, progress)
    durations.update(made)
    return _clips(lines, keys, durations, set(made), cache_dir)


def _clips(lines: Sequence[Line], keys: list[str], durations: dict[str, int], made: set[str],
           cache_dir: Path) -> list[Clip]:
    clips, first = [], set()
    for key, line in zip(keys, lines):
        clips.append(Clip(line, cache_path(cache_dir, key), durations[key], key in made and key not in first))
        first.add(key)
    return clips


def _run_jobs(todo: list[_Job], lines: Sequence[Line], keys: list[str], jobs: int | None,
              cached: int, progress: Callable[[SynthesisProgress], None] | None) -> dict[str, int]:
    """Synthesise *todo*, report progress, and turn a worker's failure into an EngineError naming the line."""
    made: dict[str, int] = {}
    seconds = 0.0
    if progress:
        progress(SynthesisProgress(0, len(todo), 0.0, cached))
    # closing() stops the workers as soon as anything here raises, not when the traceback is freed.
    with contextlib.closing(_results(todo, jobs)) as results:
        for done in results:
            if done.error is not None:
                raise EngineError(f"{_where(done.key, lines, keys)}: {done.error}")
            made[done.key] = done.duration_ms
            seconds += done.duration_ms / 1000
            if progress:
                progress(SynthesisProgress(len(made), len(todo), seconds, cached))
    return made


def _where(key: str, lines: Sequence[Line], keys: list[str]) -> str:
    line = lines[keys.index(key)]
    seg = line.segment
    return f"chapter {seg.chapter} segment {seg.index} ({seg.speaker}, voice {line.voice.voice_id})"


def _results(todo: Sequence[_Job], jobs: int | None) -> Iterator[_Done]:
    """Each job's answer as it finishes: from spawned workers, or in this process for the fake engine.

    The fake runs in-process unless more than one job is asked for explicitly, which keeps
    tests fast while still letting them exercise the pool.
    """
    if not todo:
        return
    workers = max(1, min(jobs or WORKERS_PER_CORE * (os.cpu_count() or 1), len(todo)))
    if (jobs is None or workers == 1) and all(engines.runs_in_process(job.voice.engine) for job in todo):
        yield from (_synthesize_job(job) for job in todo)
        return
    yield from _pool_results(todo, workers)


def _pool_results(todo: Sequence[_Job], workers: int) -> Iterator[_Done]:
    size = max(1, min(MAX_CHUNK, len(todo) // (workers * 4)))
    batches = [list(todo[i : i + size]) for i in range(0, len(todo), size)]
    previous_mask = _block_sigint()
    try:
        pool = _start_pool(workers)
    except BaseException:
        _set_sigmask(previous_mask)
        raise
    try:
        _set_sigmask(previous_mask)  # a Ctrl-C pressed while the workers started is raised here
        answers = pool.imap_unordered(_synthesize_batch, batches)
        for _ in batches:
            try:
                yield from answers.next(timeout=STALL_TIMEOUT_S)
            except multiprocessing.TimeoutError:
                raise EngineError(f"the speech engine gave no answer for {STALL_TIMEOUT_S:.0f} s and was stopped; "
                                  "render again to resume from the cache") from None
        pool.close()
    except BaseException:
        # Ctrl-C, an engine error or an abandoned generator: stop the workers now and
        # drop what they were writing; every finished entry is already in place.
        pool.terminate()
        pool.join()
        sweep_temporaries({job.path.parent for job in todo})
        raise
    pool.join()


def _start_pool(workers: int) -> multiprocessing.pool.Pool:
    """A pool of *workers* spawned processes; call it with SIGINT blocked (see `_block_sigint`).

    Spawn runs the caller's main script again in every worker (as `__mp_main__`): under the
    `fullcast` console script, the whole CLI (305 modules, +0.24 s, +11 MB per worker). The
    workers need nothing from it, so it is hidden while they start."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        return multiprocessing.get_context("spawn").Pool(workers, initializer=_worker_init)
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _block_sigint() -> set[signal.Signals] | None:
    """Block SIGINT in this thread; the previous mask, or None where masks do not exist.

    Spawned workers inherit the mask, so a Ctrl-C at the terminal (it reaches the whole process
    group) cannot interrupt one before `_worker_init` ignores SIGINT; in the parent it stays pending."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    # Starting multiprocessing's resource tracker unblocks SIGINT afterwards, whatever the mask was
    # before (CPython 3.11), and the pool starts it: start it first, so it cannot undo the block.
    multiprocessing.resource_tracker.ensure_running()
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _set_sigmask(mask: set[signal.Signals] | None) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _worker_init() -> None:
    """Workers ignore Ctrl-C (the parent sees it and terminates them) and quit if the parent is killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also drops one that arrived while SIGINT was blocked
    _parent.append(os.getppid())
    threading.Thread(target=_exit_with_parent, daemon=True).start()


_parent: list[int] = []
"""In a worker: the pid of the process that started it."""


def _exit_with_parent() -> None:
    # After a SIGKILL of the render nobody reads our answers; stop now rather than finish the batch
    # and die on a broken pipe. A half-written entry keeps its .tmp name and is swept next run.
    while os.getppid() == _parent[0]:
        time.sleep(0.1)
    os._exit(0)


def _synthesize_batch(batch: list[_Job]) -> list[_Done]:
    """Synthesise a batch in a worker; one message back per batch keeps the parent light."""
    answers = [_synthesize_job(job) for job in batch]
    if os.getppid() != _parent[0]:
        os._exit(0)
    return answers


def _synthesize_job(job: _Job) -> _Done:
    """Synthesise one segment into its cache entry (runs in a worker, or in-process for the fake)."""
    job.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = job.path.with_name(f"{job.key}.{os.getpid()}.tmp")
    try:
        _speak(engines.get_engine(job.voice.engine), job, temporary)
        duration = wav_duration_ms(temporary)
        if duration is None:
            return _Done(job.key, 0, f"{job.voice.engine} wrote an unreadable WAV for {job.text[:40]!r}")
        os.replace(temporary, job.path)
        return _Done(job.key, duration)
    except EngineError as error:
        return _Done(job.key, 0, str(error))
    except OSError as error:
        return _Done(job.key, 0, f"cannot write the cache entry {job.path}: {error.strerror or error}; "
                                 "check the disk space and permissions of the output folder")
    finally:
        temporary.unlink(missing_ok=True)


def _speak(engine: engines.Engine, job: _Job, path: Path) -> None:
    """Speak job.text into the WAV *path*: in one utterance, or piece by piece streamed into it when too long."""
    pieces = split_utterances(job.text, engine.max_utterance_chars)
    if len(pieces) == 1:
        engine.synthesize(pieces[0], job.voice, path)
        return
    piece_path = path.with_name(f"{job.key}-piece.{os.getpid()}.tmp")
    written = 0
    try:
        with wave.open(str(path), "wb") as out:
            out.setparams((1, 2, engine.sample_rate, 0, "NONE", "not compressed"))
            for piece in pieces:
                engine.synthesize(piece, job.voice, piece_path)
                with wave.open(str(piece_path), "rb") as wav:
                    if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, engine.sample_rate):
                        raise EngineError(f"{job.voice.engine} wrote an unreadable WAV for {piece[:40]!r}")
                    pcm = wav.readframes(wav.getnframes())
                written += len(pcm)
                if HEADER_BYTES - 8 + written > MAX_WAV_BYTES:
                    hours = (MAX_WAV_BYTES - HEADER_BYTES) / 2 / engine.sample_rate / 3600
                    raise EngineError(f"the speech for {job.text[:40]!r} runs over {hours:.1f} hours, more than one "
                                      "WAV clip can hold; split the paragraph into shorter ones")
                out.writeframesraw(pcm)
    except (wave.Error, EOFError) as error:
        raise EngineError(f"{job.voice.engine} wrote an unreadable WAV for {job.text[:40]!r}: {error}") from error
    finally:
        piece_path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- one-off synthesis

_preview_pool: multiprocessing.pool.Pool | None = None


def synthesize_text(text: str, voice: Voice, path: Path) -> int:
    """Speak *text* in *voice* into the WAV file *path* (via a temporary name); its duration in ms.

    For previews and samples. The real engine runs in one spawned worker that is kept for
    later calls, so sampling many voices starts espeak only once.
    """
    global _preview_pool
    engines.check_voice(voice.engine, voice.voice_id)
    job = _Job(f".{path.name}", voice, text, path)
    if engines.runs_in_process(voice.engine):
        done = _synthesize_job(job)
    else:
        if _preview_pool is None:
            previous_mask = _block_sigint()
            try:
                _preview_pool = _start_pool(1)
            finally:
                _set_sigmask(previous_mask)
        done = _preview_pool.apply(_synthesize_job, (job,))
    if done.error is not None:
        raise EngineError(f"{path}: {done.error}")
    return done.duration_ms


def synthesize_texts(items: Sequence[tuple[str, Voice, Path]], *, jobs: int | None = None) -> list[int]:
    """Speak each (text, voice, path) into its WAV file, in parallel like `synthesize_lines`; durations in ms.

    For batches such as `fullcast voices --sample`; nothing is cached. Each file is written
    via a temporary name; on an error or Ctrl-C the files already finished stay.
    """
    for voice in {voice for _, voice, _ in items}:
        engines.check_voice(voice.engine, voice.voice_id)
    # The key only names the temporary file, so it must be unique and free of slashes.
    todo = [_Job(f".{n}.{path.name}", voice, text, path) for n, (text, voice, path) in enumerate(items)]
    paths = {job.key: job.path for job in todo}
    durations: dict[str, int] = {}
    with contextlib.closing(_results(todo, jobs)) as results:
        for done in results:
            if done.error is not None:
                raise EngineError(f"{paths[done.key]}: {done.error}")
            durations[done.key] = done.duration_ms
    return [durations[job.key] for job in todo]

