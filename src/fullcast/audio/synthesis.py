"""Turn cast lines into cached WAV clips, synthesising only what the cache lacks, on every core.

The cache itself (keys, entries, leftovers) is `cache`: an entry is written to `<key>.<pid>.tmp`
and renamed into place.

Real engines run only in worker processes (`workers`), one pool per engine, one engine
after another; workers get batches of segments and send back file paths, never audio, so
the parent stays small however long the book is. A line too long for one utterance is
spoken in pieces streamed into its one clip (the key stays per line). A neural voice's
pitch is a shift applied by ffmpeg after synthesis, since the models have no pitch control.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.pool
import os
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

from ..errors import AudioError, EngineError
from ..model import Clip, Line, Voice
from . import engines, workers
from .cache import HEADER_BYTES, cache_key, cache_path, sweep_temporaries, wav_duration_ms
from .ffmpeg import shift_pitch
from .utterances import split_utterances

MAX_WAV_BYTES = 0xFFFFFFFF
"""A WAV file's sizes are 32-bit: a clip holds at most about 27 hours of 22,050 Hz mono speech."""
STALL_TIMEOUT_S = 300.0
"""No answer from any worker for this long means espeak hung (pyttsx3 issues #126, #131)."""
NEUTRAL_PITCH = 50
"""voices.yaml's pitch that leaves a neural voice as the model speaks it."""
PITCH_PER_SEMITONE = 10
"""Pitch points per semitone of shift for neural voices: 0-99 spans -5 to +4.9 semitones. Shifts cost some
intelligibility (Whisper's error rate on Kokoro rose from 0.07 to 0.15 with a shift, audio-facts 7)."""
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
class Job:
    """One distinct segment to synthesise, as sent to a worker."""

    key: str
    """Its cache key."""
    voice: Voice
    """The voice to speak it in."""
    text: str
    """The words, exactly as the engine gets them."""
    path: Path
    """Its cache entry: written under a temporary name beside it, then renamed into place."""


@dataclass(frozen=True)
class Done:
    """A worker's answer: the key and the audio length, or why it failed."""

    key: str
    """The job's key."""
    duration_ms: int
    """The length of the clip written."""
    error: str | None = None
    """Why it failed (one line, for an EngineError naming the segment), or None."""


class Runner(Protocol):
    """Runs synthesis jobs somewhere (local worker pools by default, a Ray cluster with `--cluster`) and yields
    each answer as it finishes; closing the iterator stops the work. Workers call `synthesize_job`."""

    def __call__(self, todo: Sequence[Job], jobs: int | None) -> Iterator[Done]: ...


class Store(Protocol):
    """A shared segment cache beyond the local one (`--cache URL`): consulted before synthesis, fed after it."""

    def fetch(self, todo: Sequence[Job]) -> dict[str, int]:
        """Copy the entries it holds for *todo* to their local paths, checked whole; key -> duration in ms."""

    def publish(self, made: Sequence[Job]) -> None:
        """Add the local entries of *made*, each visible only once complete."""


def synthesize_lines(
    lines: Sequence[Line],
    cache_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[SynthesisProgress], None] | None = None,
    runner: Runner | None = None,
    store: Store | None = None,
) -> list[Clip]:
    """One clip per line, in order, synthesising only the distinct (voice, text) pairs missing from the cache.

    `jobs` is the number of worker processes (None: as many as the cores and the memory allow, see
    `workers`); `force` re-synthesises everything. Only the first line of a pair synthesised in this run has `synthesised=True`.
    *runner* runs the jobs elsewhere (a cluster); *store* is a shared cache asked first and given what was made.
    On KeyboardInterrupt the workers stop at once, finished entries stay in the cache and
    the interrupt is raised again.
    """
    keys = [cache_key(line.voice, line.spoken) for line in lines]
    durations: dict[str, int] = {}
    todo: dict[str, Job] = {}
    if cache_dir.is_dir():
        sweep_temporaries(p for p in cache_dir.iterdir() if p.is_dir())
    for key, line in zip(keys, lines):
        if key in durations or key in todo:
            continue
        path = cache_path(cache_dir, key)
        found = None if force else wav_duration_ms(path)
        if found is None:
            todo[key] = Job(key, line.voice, line.spoken, path)
        else:
            durations[key] = found
    if store is not None and todo and not force:
        for key in (found := store.fetch(list(todo.values()))):
            durations[key] = found[key]
            del todo[key]
    cached = len(durations)
    made = _run_jobs(list(todo.values()), lines, keys, jobs, cached, progress, runner or _results)
    if store is not None and made:
        store.publish([job for job in todo.values() if job.key in made])
    durations.update(made)
    return _clips(lines, keys, durations, set(made), cache_dir)


def _clips(lines: Sequence[Line], keys: list[str], durations: dict[str, int], made: set[str],
           cache_dir: Path) -> list[Clip]:
    clips, first = [], set()
    for key, line in zip(keys, lines):
        clips.append(Clip(line, cache_path(cache_dir, key), durations[key], key in made and key not in first))
        first.add(key)
    return clips


def _run_jobs(todo: list[Job], lines: Sequence[Line], keys: list[str], jobs: int | None,
              cached: int, progress: Callable[[SynthesisProgress], None] | None, runner: Runner) -> dict[str, int]:
    """Synthesise *todo*, report progress, and turn a worker's failure into an EngineError naming the line."""
    made: dict[str, int] = {}
    seconds = 0.0
    if progress:
        progress(SynthesisProgress(0, len(todo), 0.0, cached))
    # closing() stops the workers as soon as anything here raises, not when the traceback is freed.
    with contextlib.closing(runner(todo, jobs)) as results:
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


def _results(todo: Sequence[Job], jobs: int | None) -> Iterator[Done]:
    """Each job's answer as it finishes: one engine after another, each from its own spawned workers,
    or in this process for the fake engine.

    The fake runs in-process unless more than one job is asked for explicitly, which keeps
    tests fast while still letting them exercise the pool.
    """
    for engine, group in by_engine(todo):
        count, threads = workers.plan_workers(engine, jobs, len(group))
        if (jobs is None or count == 1) and engines.runs_in_process(engine):
            yield from (synthesize_job(job) for job in group)
        else:
            yield from _pool_results(group, count, threads)


def by_engine(todo: Sequence[Job]) -> list[tuple[str, list[Job]]]:
    """*todo* grouped by engine, in first-use order, each engine's files prepared once in this process: every
    runner takes one engine after another (Kokoro and eSpeak must not share a worker)."""
    groups: dict[str, list[Job]] = {}
    for job in todo:
        groups.setdefault(job.voice.engine, []).append(job)
    for engine, group in groups.items():
        for setup in {job.voice.setup for job in group}:
            engines.prepare(engine, setup)
    return list(groups.items())


def _pool_results(todo: Sequence[Job], count: int, threads: int) -> Iterator[Done]:
    size = max(1, min(MAX_CHUNK, len(todo) // (count * 4)))
    batches = [list(todo[i : i + size]) for i in range(0, len(todo), size)]
    previous_mask = workers.block_sigint()
    try:
        pool = workers.start_pool(count, threads)
    except BaseException:
        workers.set_sigmask(previous_mask)
        raise
    try:
        workers.set_sigmask(previous_mask)  # a Ctrl-C pressed while the workers started is raised here
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


def _synthesize_batch(batch: list[Job]) -> list[Done]:
    """Synthesise a batch in a worker; one message back per batch keeps the parent light."""
    answers = [synthesize_job(job) for job in batch]
    if workers.orphaned():
        os._exit(0)
    return answers


def synthesize_job(job: Job) -> Done:
    """Synthesise one segment into its cache entry (runs in a worker, or in-process for the fake); never raises
    for the engine's or the disk's errors, which come back in `Done.error`."""
    job.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = job.path.with_name(f"{job.key}.{os.getpid()}.tmp")
    try:
        _speak(engines.get_engine(job.voice.engine, job.voice.setup, workers.threads()), job, temporary)
        duration = wav_duration_ms(temporary)
        if duration is None:
            return Done(job.key, 0, f"{job.voice.engine} wrote an unreadable WAV for {job.text[:40]!r}")
        os.replace(temporary, job.path)
        return Done(job.key, duration)
    except (EngineError, AudioError) as error:
        return Done(job.key, 0, str(error))
    except OSError as error:
        return Done(job.key, 0, f"cannot write the cache entry {job.path}: {error.strerror or error}; "
                                 "check the disk space and permissions of the output folder")
    finally:
        temporary.unlink(missing_ok=True)


def _speak(engine: engines.Engine, job: Job, path: Path) -> None:
    """Speak job.text into the WAV *path*, shifted in pitch when the engine cannot set it itself."""
    _utter(engine, job, path)
    semitones = (job.voice.pitch - NEUTRAL_PITCH) / PITCH_PER_SEMITONE
    if semitones and not engines.native_pitch(job.voice.engine):
        shifted = path.with_name(f"{job.key}-pitch.{os.getpid()}.tmp")
        try:
            shift_pitch(path, shifted, semitones, engine.sample_rate)
            engines.write_wav(path, shifted.read_bytes(), engine.sample_rate)
        finally:
            shifted.unlink(missing_ok=True)


def _utter(engine: engines.Engine, job: Job, path: Path) -> None:
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

_preview_pools: dict[str, multiprocessing.pool.Pool] = {}
"""One kept worker per engine for previews and samples, so sampling many voices loads each engine once."""


@atexit.register
def _stop_previews() -> None:
    # Stopped before the interpreter tears down the modules a pool's finaliser needs.
    for pool in _preview_pools.values():
        pool.terminate()
    _preview_pools.clear()


def synthesize_text(text: str, voice: Voice, path: Path) -> int:
    """Speak *text* in *voice* into the WAV file *path* (via a temporary name); its duration in ms.

    For previews and samples. The real engines run in one spawned worker per engine that is
    kept for later calls, so sampling many voices starts each engine only once.
    """
    engines.check_files(voice.engine, voice.setup)
    engines.check_voice(voice.engine, voice.voice_id, voice.setup)
    engines.prepare(voice.engine, voice.setup)
    job = Job(f".{path.name}", voice, text, path)
    if engines.runs_in_process(voice.engine):
        done = synthesize_job(job)
    else:
        if voice.engine not in _preview_pools:
            _preview_pools[voice.engine] = workers.started_pool(1, workers.available_cores())
        done = _preview_pools[voice.engine].apply(synthesize_job, (job,))
    if done.error is not None:
        raise EngineError(f"{path}: {done.error}")
    return done.duration_ms


def synthesize_texts(items: Sequence[tuple[str, Voice, Path]], *, jobs: int | None = None) -> list[int]:
    """Speak each (text, voice, path) into its WAV file, in parallel like `synthesize_lines`; durations in ms.

    For batches such as `fullcast voices --sample`; nothing is cached. Each file is written
    via a temporary name; on an error or Ctrl-C the files already finished stay.
    """
    for voice in {voice for _, voice, _ in items}:
        engines.check_files(voice.engine, voice.setup)
        engines.check_voice(voice.engine, voice.voice_id, voice.setup)
    # The key only names the temporary file, so it must be unique and free of slashes.
    todo = [Job(f".{n}.{path.name}", voice, text, path) for n, (text, voice, path) in enumerate(items)]
    paths = {job.key: job.path for job in todo}
    durations: dict[str, int] = {}
    with contextlib.closing(_results(todo, jobs)) as results:
        for done in results:
            if done.error is not None:
                raise EngineError(f"{paths[done.key]}: {done.error}")
            durations[done.key] = done.duration_ms
    return [durations[job.key] for job in todo]

