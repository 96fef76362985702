"""Worker processes for synthesis: how many, how many threads each, and starting them safely.

Engines run only in workers started with `spawn`: each loads its engine once and keeps it
(eSpeak's state is global to a process, and a neural model takes seconds to load). One pool
serves one engine, so a worker never holds two engines (Kokoro's phonemizer and eSpeak share
libespeak-ng's global state if they meet in one process). Workers start with Ctrl-C blocked,
then ignore it: only the parent raises KeyboardInterrupt, and no worker prints a traceback.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import multiprocessing.resource_tracker
import os
import signal
import sys
import threading
import time
import types

WORKERS_PER_CORE = 1
"""Default workers per core. eSpeak runs synchronously (no thread, no poll), so one worker keeps a core busy;
onnxruntime scales better over processes of one thread than over threads of one process (audio-facts 7)."""
MEMORY_SHARE = 0.75
"""Share of the available memory the workers may take together; the rest is the render's own and the system's."""


def available_cores() -> int:
    """The CPUs this process may run on (its affinity, which containers and `taskset` narrow), else the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def available_mb() -> int:
    """Memory the system can give without swapping, in MB (MemAvailable; all of RAM where that is unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):
        return 4096


def plan_workers(engine: str, jobs: int | None, count: int) -> tuple[int, int]:
    """Workers and inference threads per worker for *count* segments of *engine*.

    *jobs* (None: one per core) is capped by the segments to do and by the memory each worker's
    engine needs; the cores are shared out so that workers x threads = cores.
    """
    from .engines import MEMORY_MB

    by_memory = max(1, int(available_mb() * MEMORY_SHARE) // MEMORY_MB[engine])
    workers = max(1, min(jobs or WORKERS_PER_CORE * available_cores(), count, by_memory))
    return workers, max(1, available_cores() // workers)


def start_pool(workers: int, threads: int) -> multiprocessing.pool.Pool:
    """A pool of *workers* spawned processes whose engines use *threads* threads; call it with SIGINT blocked.

    Spawn runs the caller's main script again in every worker (as `__mp_main__`): under the
    `fullcast` console script, the whole CLI (305 modules, +0.24 s, +11 MB per worker). The
    workers need nothing from it, so it is hidden while they start."""
    from .engines import use_model_cache

    use_model_cache()
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        return multiprocessing.get_context("spawn").Pool(workers, initializer=_worker_init, initargs=(threads,))
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def block_sigint() -> set[signal.Signals] | None:
    """Block SIGINT in this thread; the previous mask, or None where masks do not exist.

    Spawned workers inherit the mask, so a Ctrl-C at the terminal (it reaches the whole process
    group) cannot interrupt one before `_worker_init` ignores SIGINT; in the parent it stays pending."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    # Starting multiprocessing's resource tracker unblocks SIGINT afterwards, whatever the mask was
    # before (CPython 3.11), and the pool starts it: start it first, so it cannot undo the block.
    multiprocessing.resource_tracker.ensure_running()
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def set_sigmask(mask: set[signal.Signals] | None) -> None:
    """Restore a mask `block_sigint` returned."""
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def started_pool(workers: int, threads: int) -> multiprocessing.pool.Pool:
    """`start_pool` with SIGINT blocked while the workers start; a Ctrl-C pressed meanwhile is raised after."""
    previous_mask = block_sigint()
    try:
        return start_pool(workers, threads)
    finally:
        set_sigmask(previous_mask)


def threads() -> int:
    """In a worker: the inference threads its engine may use; 1 in any other process."""
    return _state.get("threads", 1)


def orphaned() -> bool:
    """In a worker: True once the process that started it is gone (killed); never in the parent."""
    return "parent" in _state and os.getppid() != _state["parent"]


_state: dict[str, int] = {}
"""In a worker: the pid of the process that started it, and its thread count."""


def _worker_init(thread_count: int) -> None:
    """Workers ignore Ctrl-C (the parent sees it and terminates them) and quit if the parent is killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also drops one that arrived while SIGINT was blocked
    _state.update(parent=os.getppid(), threads=thread_count)
    threading.Thread(target=_exit_with_parent, daemon=True).start()


def _exit_with_parent() -> None:
    # After a SIGKILL of the render nobody reads our answers; stop now rather than finish the batch
    # and die on a broken pipe. A half-written entry keeps its .tmp name and is swept next run.
    while not orphaned():
        time.sleep(0.1)
    os._exit(0)
