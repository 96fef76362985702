"""Turn cast lines into cached WAV clips, synthesising only what the cache lacks, on every core.

Cache layout: `<cache_dir>/<key[:2]>/<key>.wav`, where the key is a SHA-256 of the cache
format version, engine, voice id, rate, pitch, volume and the spoken text. An entry is
written to `<key>.<pid>.tmp` and renamed into place, so a killed run never leaves a file
that looks finished; entries are checked (WAV header against file length) before use.

The real engine runs only in worker processes started with `spawn` (one engine each);
workers get batches of segments and send back file paths, never audio, so the parent
stays small however long the book is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import multiprocessing.pool
import os
import signal
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from ..errors import EngineError
from ..model import Clip, Line, Voice
from . import engines

CACHE_VERSION = 1
"""Bump when the way audio is made changes, so old entries stop matching."""
HEADER_BYTES = 44
"""Both engines write WAV through the `wave` module, whose header is exactly this long."""
WORKERS_PER_CORE = 1
"""Default workers per core. The engine waits on espeak's own finished notice (no 10 ms poll), so one
worker keeps a core busy (old-town: 1.2 s CPU in 1.2 s wall); each extra worker only adds ~0.2 s of
start-up and ~40 MB."""
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


def cache_key(voice: Voice, text: str) -> str:
    """The cache key of *text* spoken in *voice*."""
    fields = [CACHE_VERSION, voice.engine, voice.voice_id, voice.rate, voice.pitch, voice.volume, text]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    """Where the entry for *key* lives in *cache_dir*."""
    return cache_dir / key[:2] / f"{key}.wav"


def wav_duration_ms(path: Path) -> int | None:
    """The length of a complete mono 16-bit WAV at *path*, or None if it is missing, truncated or foreign."""
    try:
        size = path.stat().st_size
        with wave.open(str(path), "rb") as wav:
            if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, engines.SAMPLE_RATE):
                return None
            frames = wav.getnframes()
    except (OSError, EOFError, wave.Error):
        return None
    if size != HEADER_BYTES + 2 * frames:
        return None
    return frames * 1000 // engines.SAMPLE_RATE


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
        _sweep_temporaries(p for p in cache_dir.iterdir() if p.is_dir())
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
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_worker_init)
    try:
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
        _sweep_temporaries({job.path.parent for job in todo})
        raise
    pool.join()


def _worker_init() -> None:
    """Workers ignore Ctrl-C (the parent sees it and terminates them) and quit if the parent is killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
        engines.get_engine(job.voice.engine).synthesize(job.text, job.voice, temporary)
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


def _sweep_temporaries(folders: Iterable[Path]) -> None:
    """Delete half-written files in *folders* left by processes that are gone (killed runs, terminated workers)."""
    for path in (p for folder in folders for p in folder.glob("*.tmp")):
        pid = path.name.rsplit(".", 2)[-2] if path.name.count(".") >= 2 else ""
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
            _preview_pool = multiprocessing.get_context("spawn").Pool(1, initializer=_worker_init)
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

