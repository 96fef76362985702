"""Rendering on a Ray cluster (`--cluster ADDRESS`): synthesis on actors that keep an engine loaded, and chapter
planning and block encoding as Ray tasks. The only module that imports ray, and only when a cluster is asked for.

`connect("local")` starts a lean Ray of this machine's cores on loopback; any other address joins that cluster.
Synthesis runs one engine after another (Kokoro and eSpeak must not share a process), each on a group of
actors that load the engine once; a bounded number of batches is in flight, so the driver stays small
whatever the book's length, and a killed actor is restarted by Ray and its batch retried. Jobs and blocks
carry paths: on one machine, and on a shared filesystem mounted at the same place on every node, these are
the same files. Only the driver joins, tags and places files and writes the manifest (`publish.export`).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from concurrent.futures import Executor, Future, InvalidStateError
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..errors import AudioError, EngineError
from . import engines, workers
from .cache import alive, sweep_temporaries
from .synthesis import MAX_CHUNK, STALL_TIMEOUT_S, Done, Job, by_engine, synthesize_job

LOCAL = "local"
"""The address that starts a Ray of this machine instead of joining one."""
INSTALL_HINT = '--cluster needs Ray; run pip install -e ".[cluster]"'
"""The whole error when ray is not installed."""
PROBE_TIMEOUT_S = 5.0
"""How long the head's port may take to accept a connection before the cluster counts as unreachable."""
BATCHES_PER_ACTOR = 2
"""Batches in flight per actor: one working, one waiting, so no actor idles while the driver answers."""
RESTARTS = 3
"""How often Ray restarts a dead actor (and retries its batch), or retries an encoding task, before giving up."""
STOP_TIMEOUT_S = 5.0
"""How long stopped actors of this machine may take to exit before their half-written entries are swept."""
SHARED_OBJECTS = 32
"""Recent task arguments kept in the object store, so a chapter's plan travels once for all its blocks."""
_LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
"""Ray's switch (made for laptops) that keeps a local instance on 127.0.0.1; on Linux it would otherwise
advertise, and serve on, the machine's routable address."""
_UNUSED = ("start_monitor", "start_log_monitor", "start_api_server")
"""Head processes a local Ray starts that a render never uses: the autoscaler (a local Ray has a fixed size),
the log monitor (worker logs are not sent to the driver) and the API server (with no dashboard it serves only
usage statistics). Skipping them saves three Python processes' start on every run, and the second
`ray.shutdown` waits for the autoscaler, which ignores SIGTERM."""
_SCALARS = (str, bytes, int, float, bool, type(None), Path, Enum)
"""Task arguments small enough to travel inline with each task."""


def connect(address: str) -> Cluster:
    """The Ray cluster at *address*: `local` starts one of this machine's cores (on loopback only);
    `auto`, `HOST:6379` or `ray://HOST:10001` joins a running one, or fails within seconds with an EngineError."""
    try:
        import ray
    except ImportError:
        raise EngineError(INSTALL_HINT) from None
    # A dead address fails in seconds here; Ray itself would retry for 30 s (ray://) or minutes (GCS).
    if address != LOCAL and (target := _probe_target(address)) is not None:
        _probe(address, *target)
    if ray.is_initialized():  # this process is connected already: use that connection, leave it open
        return Cluster(ray, address, owned=False)
    sigterm = signal.getsignal(signal.SIGTERM)  # ray.init replaces it with sys.exit; close() puts it back
    if address == LOCAL:
        _start_local(ray)
    else:
        _join(ray, address)
    return Cluster(ray, address, owned=True, sigterm=sigterm)


def _start_local(ray: Any) -> None:
    with _loopback(ray), _lean():
        try:
            ray.init(address=LOCAL, num_cpus=workers.available_cores(), include_dashboard=False,
                     log_to_driver=False, logging_level=logging.ERROR, _node_ip_address="127.0.0.1")
        except Exception as error:  # Ray's own errors have no common base
            raise EngineError(f"--cluster local: cannot start Ray on this machine ({_one_line(error)}); "
                              "check the free space in /tmp and /dev/shm, or render without --cluster") from None


@contextlib.contextmanager
def _loopback(ray: Any) -> Iterator[None]:
    """Keep the Ray started here on 127.0.0.1: its processes read the variable, this one Ray's constant."""
    from ray._private import ray_constants

    saved_env, saved_flag = os.environ.get(_LOOPBACK_ENV), ray_constants.ENABLE_RAY_CLUSTER  # Ray 2.60
    os.environ[_LOOPBACK_ENV], ray_constants.ENABLE_RAY_CLUSTER = "0", False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved_flag
        if saved_env is None:
            os.environ.pop(_LOOPBACK_ENV, None)
        else:
            os.environ[_LOOPBACK_ENV] = saved_env


@contextlib.contextmanager
def _lean() -> Iterator[None]:
    """Start a local Ray without the head processes a render never uses (see _UNUSED)."""
    from ray._private.node import Node  # Ray 2.60: the node ray.init starts

    saved = {name: getattr(Node, name) for name in _UNUSED}
    for name in _UNUSED:
        setattr(Node, name, lambda self, *args, **kwargs: None)
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(Node, name, method)


def _join(ray: Any, address: str) -> None:
    try:
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except Exception as error:  # ConnectionError, RuntimeError, ValueError, RayError...
        raise _unreachable(address, _one_line(error)) from None


def _probe_target(address: str) -> tuple[str, int] | None:
    """The (host, port) *address* names; None when only Ray can tell (`auto` without RAY_ADDRESS)."""
    if address == "auto":
        found = os.environ.get("RAY_ADDRESS", "")
        return _probe_target(found) if found not in ("", "auto", LOCAL) else None
    host, colon, port = address.removeprefix("ray://").rpartition(":")
    if not colon or not host or not port.isdigit():
        raise EngineError(f"--cluster {address}: not a Ray address; use local, auto, ray://HOST:10001 "
                          "(Ray Client) or HOST:6379 (on a node of the cluster)")
    return host.strip("[]"), int(port)


def _probe(address: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            pass
    except socket.timeout:
        raise _unreachable(address, f"no answer in {PROBE_TIMEOUT_S:.0f} s") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise _unreachable(address, reason[:1].lower() + reason[1:]) from None


def _unreachable(address: str, reason: str) -> EngineError:
    return EngineError(f"--cluster {address}: cannot reach the Ray cluster ({reason}); "
                       "start it with `ray start --head` or check the address")


def _silence() -> Callable[[], None]:
    """Send the cluster's error messages ("Task ... failed ... will be retried") to the `ray` logger at debug
    level: Ray's driver prints them to stdout whatever log_to_driver says, and the library never prints.
    Returns the undo."""
    from ray._private import worker as ray_worker  # Ray 2.60: its error thread calls this module global

    original = ray_worker.print_to_stdstream

    def to_log(data: dict, ignore_prefix: bool = False) -> None:
        for line in data.get("lines", ()):
            logging.getLogger("ray").debug("%s: %s", data.get("pid"), line)

    ray_worker.print_to_stdstream = to_log
    return lambda: setattr(ray_worker, "print_to_stdstream", original)


def _one_line(error: BaseException) -> str:
    """The first line of an error; for a task's own error, of that error (Ray's wrapper holds a whole traceback)."""
    cause = getattr(error, "cause", None)
    text = str(cause if isinstance(cause, BaseException) else error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


class _Synthesizer:
    """The body of one Ray actor: its engine is loaded on the first segment and kept for every later batch."""

    def __init__(self) -> None:
        engines.use_model_cache()  # an actor is started by Ray, not by us: it inherits nothing from the driver

    def place(self) -> tuple[str, int]:
        """Where the actor runs: its node's id and its process id."""
        import ray

        return ray.get_runtime_context().get_node_id(), os.getpid()

    def synthesize(self, batch: list[Job]) -> list[Done]:
        """Synthesise a batch into the cache; one answer per job, in order."""
        return [synthesize_job(job) for job in batch]


class Cluster:
    """A connection to a Ray cluster: `runner` synthesises, `executor` plans and encodes; `close()` (or leaving a `with`
    block) ends what `connect` started."""

    def __init__(self, ray: Any, address: str, *, owned: bool, sigterm: Any = None) -> None:
        self.address = address
        """The address it was connected with."""
        self.executor = RayExecutor(ray)
        """An Executor running each call as a Ray task: `export_book(..., executor=cluster.executor)`."""
        self._ray, self._owned, self._closed, self._sigterm = ray, owned, False, sigterm
        self._actor_class = ray.remote(_Synthesizer)
        self._actors: list[Any] = []
        """Every synthesis actor alive, of every run."""
        self._unsilence = _silence()
        try:
            self._node: str | None = ray.get_runtime_context().get_node_id()
        except Exception:  # a Ray Client driver is on no node
            self._node = None

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop this connection's actors and tasks, and shut down the Ray `connect` started or joined."""
        if self._closed:
            return
        self._closed = True
        self._stop_actors(list(self._actors))
        self.executor.shutdown(cancel_futures=True)
        if self._owned:
            self._ray.shutdown()
        self._unsilence()
        if self._sigterm is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._sigterm)

    def worker_pids(self) -> list[int]:
        """The process ids of the synthesis actors now running (for diagnostics and tests)."""
        return [pid for _, pid in self._ray.get([actor.place.remote() for actor in self._actors])]

    def runner(self, todo: Sequence[Job], jobs: int | None) -> Iterator[Done]:
        """A `synthesis.Runner`: each job's answer as it finishes, one engine after another, each on its own
        actors (*jobs*, when given, caps how many); closing the iterator kills them."""
        for engine, group in by_engine(todo):
            yield from self._engine_results(engine, group, jobs)

    def _engine_results(self, engine: str, group: list[Job], jobs: int | None) -> Iterator[Done]:
        count, options = self._actor_plan(engine, jobs, len(group))
        size = max(1, min(MAX_CHUNK, len(group) // (count * 4)))
        batches = collections.deque(group[i : i + size] for i in range(0, len(group), size))
        actors = [self._actor_class.options(**options).remote() for _ in range(count)]
        self._actors += actors
        places = [actor.place.remote() for actor in actors]
        try:
            yield from self._drive(engine, actors, batches)
        except BaseException:
            # Ctrl-C, an engine error or an abandoned generator: stop the actors now and drop what they
            # were writing; every finished entry is already in place.
            self._stop_actors(actors)
            self._wait_gone(places)
            sweep_temporaries({job.path.parent for job in group})
            raise
        self._stop_actors(actors)

    def _actor_plan(self, engine: str, jobs: int | None, segments: int) -> tuple[int, dict[str, Any]]:
        """How many actors for *engine*, and their Ray options: one per CPU of the cluster, capped by its
        memory; a neural engine gets one GPU each when the cluster has GPUs."""
        resources = self._ray.cluster_resources()
        cpus, gpus = int(resources.get("CPU", 1)), int(resources.get("GPU", 0))
        on_gpu = not engines.native_pitch(engine) and gpus > 0  # the neural engines are those without native pitch
        fit = min(cpus, gpus) if on_gpu else cpus
        if "memory" in resources:
            fit = min(fit, int(resources["memory"] * workers.MEMORY_SHARE) // (engines.MEMORY_MB[engine] << 20))
        count = max(1, min(fit, jobs or fit, segments))
        return count, {"num_cpus": 1, "num_gpus": 1 if on_gpu else 0,
                       "max_restarts": RESTARTS, "max_task_retries": RESTARTS}

    def _drive(self, engine: str, actors: list[Any], batches: collections.deque[list[Job]]) -> Iterator[Done]:
        """Keep BATCHES_PER_ACTOR batches on each actor and yield the answers of each batch as it returns."""
        load = [0] * len(actors)
        pending: dict[Any, int] = {}

        def feed() -> None:
            while batches and min(load) < BATCHES_PER_ACTOR:
                actor = load.index(min(load))
                pending[actors[actor].synthesize.remote(batches.popleft())] = actor
                load[actor] += 1

        feed()
        while pending:
            ready, _ = self._ray.wait(list(pending), num_returns=1, timeout=STALL_TIMEOUT_S)
            if not ready:
                raise EngineError(f"the speech engine gave no answer for {STALL_TIMEOUT_S:.0f} s on the Ray cluster "
                                  "and was stopped; render again to resume from the cache")
            load[pending.pop(ready[0])] -= 1
            answers = self._answers(engine, ready[0])
            feed()
            yield from answers

    def _answers(self, engine: str, ref: Any) -> list[Done]:
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayTaskError as error:  # synthesize_job raised: a bug, not the engine
            raise EngineError(f"synthesis with {engine} failed on the Ray cluster ({_one_line(error)}); "
                              "render again to resume from the cache") from None
        except self._ray.exceptions.RayError as error:
            raise EngineError(f"a Ray worker speaking {engine} failed ({_one_line(error)}), even after {RESTARTS} "
                              "restarts; render again to resume from the cache") from None

    def _wait_gone(self, places: list[Any]) -> None:
        """Wait (a little) for the stopped actors of this machine to exit: a live writer's entry is not swept."""
        ready, _ = self._ray.wait(places, num_returns=len(places), timeout=0)
        pids = []
        for ref in ready:
            with contextlib.suppress(Exception):  # an actor that died before it answered
                node, pid = self._ray.get(ref, timeout=0)
                pids += [pid] if node == self._node else []
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while (pids := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
            time.sleep(0.05)

    def _stop_actors(self, actors: list[Any]) -> None:
        for actor in actors:
            self._ray.kill(actor, no_restart=True)
            self._actors.remove(actor)


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run *fn* in a Ray worker (the task body of `RayExecutor`)."""
    return fn(*args, **kwargs)


class RayExecutor(Executor):
    """Runs each submitted call as a Ray task of one CPU, retried if its worker dies.

    A `cancel=` keyword (a threading.Event, which cannot travel) is dropped; arguments other than
    scalars go to the object store once and are passed by reference to every task that shares them."""

    def __init__(self, ray: Any) -> None:
        self._ray = ray
        self._task = ray.remote(num_cpus=1, max_retries=RESTARTS)(_call)
        self._shared: collections.OrderedDict[int, tuple[Any, Any]] = collections.OrderedDict()
        self._running: set[Any] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Start `fn(*args, **kwargs)` on the cluster; its future, failing with fn's own error."""
        kwargs.pop("cancel", None)
        ref = self._task.remote(fn, *map(self._share, args), **{k: self._share(v) for k, v in kwargs.items()})
        with self._lock:
            self._running.add(ref)
        future: Future = Future()
        ref.future().add_done_callback(lambda inner: self._settle(ref, inner, future))
        return future

    def _share(self, value: Any) -> Any:
        """*value* itself when small, else its reference in the object store (put once while recent)."""
        if isinstance(value, _SCALARS):
            return value
        with self._lock:
            # The entry holds the object itself, so its id() cannot be reused by another while it is here.
            if id(value) not in self._shared:
                self._shared[id(value)] = (value, self._ray.put(value))
                if len(self._shared) > SHARED_OBJECTS:
                    self._shared.popitem(last=False)
            self._shared.move_to_end(id(value))
            return self._shared[id(value)][1]

    def _settle(self, ref: Any, inner: Future, future: Future) -> None:
        with self._lock:
            self._running.discard(ref)
        with contextlib.suppress(InvalidStateError):  # cancelled meanwhile
            try:
                future.set_result(inner.result())
            except BaseException as error:
                future.set_exception(self._translate(error))

    def _translate(self, error: BaseException) -> BaseException:
        """The task's own exception (an AudioError, say) rather than Ray's wrapper and its remote traceback."""
        if isinstance(error, self._ray.exceptions.RayTaskError) and isinstance(error.cause, Exception):
            return error.cause
        if isinstance(error, self._ray.exceptions.RayError):
            return AudioError(f"encoding on the Ray cluster failed ({_one_line(error)}) after {RESTARTS} "
                              "retries; render again to resume from the cache")
        return error

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Forget the shared arguments; with *cancel_futures*, cancel the tasks still running (tasks on the
        cluster are never waited for: each future says when its own is done)."""
        with self._lock:
            running, self._running = list(self._running), set()
            self._shared.clear()
        if cancel_futures:
            for ref in running:
                with contextlib.suppress(Exception):
                    self._ray.cancel(ref)
