"""Tests for cluster.py: synthesis and encoding on a local Ray give the same bytes as the local path,
a killed actor is replaced, and an unreachable cluster or a missing Ray is a one-line error."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from fullcast.audio import cluster, engines
from fullcast.audio.cache import cache_key, cache_path
from fullcast.audio.synthesis import Job, synthesize_job, synthesize_lines
from fullcast.casting.cast import cast_script
from fullcast.errors import EngineError
from fullcast.manuscript.plaintext import read_manuscript
from fullcast.model import CastScript, Voice
from fullcast.publish.export import export_book
from fullcast.script.analyse import analyse_book
from fullcast.settings.config import Config

BOOK = """Title: Small Book
Author: A. Writer

# Chapter One

The lamp was lit at dusk. "Hello there," said Tara.

"Hi," said Willow. "Is it late?"

# Chapter Two

It rained all night, and nobody slept. "Again," said Tara.
"""
VOICES = (Voice("fake", "gmw/en-us", 175, 50, 0.9), Voice("fake", "gmw/en-us+f3", 175, 60, 0.9),
          Voice("fake", "gmw/en+m3", 200, 40, 0.7))


@pytest.fixture(scope="module")
def ray_cluster():
    sigterm = signal.getsignal(signal.SIGTERM)
    with cluster.connect("local") as connected:
        yield connected
    assert signal.getsignal(signal.SIGTERM) is sigterm  # ray.init's handler does not outlive the connection


def cast_book(folder: Path, config: Config) -> CastScript:
    (folder / "ms").mkdir(parents=True)
    (folder / "ms" / "book.md").write_text(BOOK, encoding="utf-8")
    return cast_script(analyse_book(read_manuscript(folder / "ms"), config), config)


def fake_jobs(cache: Path, count: int) -> list[Job]:
    jobs = []
    for i in range(count):
        voice, text = VOICES[i % 3], f"Line {i}: the rain kept falling on the old town."
        key = cache_key(voice, text)
        jobs.append(Job(key, voice, text, cache_path(cache, key)))
    return jobs


def entries(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(cache.glob("*/*")) if p.is_file()}


def test_local_ray_serves_on_loopback_only(ray_cluster) -> None:
    import ray

    assert [node["NodeManagerAddress"] for node in ray.nodes()] == ["127.0.0.1"]
    assert ray.cluster_resources()["CPU"] == len(os.sched_getaffinity(0))


def descendants(pid: int) -> list[str]:
    """The command lines of every process below *pid*, read from /proc."""
    found, todo = [], [pid]
    while todo:
        for child in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
            for number in child.read_text().split():
                with contextlib.suppress(OSError):
                    found.append(Path(f"/proc/{number}/cmdline").read_bytes().replace(b"\0", b" ").decode())
                    todo.append(int(number))
    return found


def test_local_ray_starts_only_what_a_render_uses(ray_cluster) -> None:
    started = descendants(os.getpid())
    assert any("gcs_server" in line for line in started) and any("raylet" in line for line in started)
    for unused in ("autoscaler/_private/monitor.py", "log_monitor.py", "dashboard/dashboard.py"):
        assert not [line for line in started if unused in line]


def test_runner_gives_the_local_answers_and_entries(ray_cluster, tmp_path: Path) -> None:
    local = [synthesize_job(job) for job in fake_jobs(tmp_path / "a", 40)]
    remote = list(ray_cluster.runner(fake_jobs(tmp_path / "b", 40), None))
    assert sorted(remote, key=lambda d: d.key) == sorted(local, key=lambda d: d.key)
    assert len(entries(tmp_path / "b")) == 40
    assert entries(tmp_path / "b") == entries(tmp_path / "a")
    assert ray_cluster.worker_pids() == []  # the actors are gone with the run


@pytest.mark.parametrize("engine", ["fake", pytest.param("pyttsx3", marks=pytest.mark.real)])
def test_a_book_synthesised_on_ray_matches_the_local_one(ray_cluster, tmp_path: Path, engine: str) -> None:
    cast = cast_book(tmp_path, Config(engine=engine))
    assert {line.voice.engine for line in cast.lines} == {engine}
    local = synthesize_lines(cast.lines, tmp_path / "a", jobs=2)
    remote = synthesize_lines(cast.lines, tmp_path / "b", runner=ray_cluster.runner)
    assert [(c.duration_ms, c.synthesised) for c in remote] == [(c.duration_ms, c.synthesised) for c in local]
    assert [c.path.read_bytes() for c in remote] == [c.path.read_bytes() for c in local]
    assert entries(tmp_path / "b") == entries(tmp_path / "a")


def test_export_on_ray_writes_the_same_files_and_manifest(ray_cluster, tmp_path: Path) -> None:
    config = Config(engine="fake")
    cast = cast_book(tmp_path, config)
    clips = synthesize_lines(cast.lines, tmp_path / "cache")
    local = export_book(cast, clips, config, tmp_path / "a")
    remote = export_book(cast, clips, config, tmp_path / "b", executor=ray_cluster.executor)
    assert remote.encoded == local.encoded == (1, 2)
    assert [p.relative_to(tmp_path / "b") for p in remote.files] == [p.relative_to(tmp_path / "a") for p in local.files]
    assert [p.read_bytes() for p in remote.files] == [p.read_bytes() for p in local.files]
    assert remote.playlist.read_bytes() == local.playlist.read_bytes()

    def manifest(state: Path) -> dict:  # everything but the files' mtimes
        data = json.loads((state / ".fullcast-manifest.json").read_text(encoding="utf-8"))
        for entry in data["files"].values():
            del entry["mtime_ns"]
        return data

    assert manifest(remote.state) == manifest(local.state)
    assert len(manifest(remote.state)["files"]) == 2


def test_the_executor_raises_the_tasks_own_error(ray_cluster) -> None:
    with pytest.raises(EngineError) as local:
        engines.check_voice("fake", "gmw/en-uss")
    future = ray_cluster.executor.submit(engines.check_voice, "fake", "gmw/en-uss", cancel=threading.Event())
    assert type(future.exception(timeout=60)) is EngineError
    assert str(future.exception()) == str(local.value)
    assert ray_cluster.executor.submit(engines.check_voice, "fake", "gmw/en-us").result(timeout=60) is None


def test_a_killed_actor_is_replaced_and_its_batch_redone(ray_cluster, tmp_path: Path,
                                                          capfd: pytest.CaptureFixture) -> None:
    answers, killed, later = [], None, []
    for done in ray_cluster.runner(fake_jobs(tmp_path / "b", 300), 2):
        answers.append(done)
        if killed is None:
            pids = ray_cluster.worker_pids()
            assert len(pids) == min(2, len(os.sched_getaffinity(0)))
            killed = pids[0]
            os.kill(killed, signal.SIGKILL)
        elif len(answers) == 150:
            later = ray_cluster.worker_pids()  # waits for the restarted actor
    assert killed not in later and len(later) == len(pids)
    assert sorted(d.key for d in answers) == sorted(j.key for j in fake_jobs(tmp_path / "b", 300))
    local = [synthesize_job(job) for job in fake_jobs(tmp_path / "a", 300)]
    assert sorted(answers, key=lambda d: d.key) == sorted(local, key=lambda d: d.key)
    assert entries(tmp_path / "b") == entries(tmp_path / "a")
    assert capfd.readouterr() == ("", "")  # Ray's "task failed, retrying" went to its logger, not to stdout


def test_an_unreachable_cluster_fails_within_seconds() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(EngineError) as error:
        cluster.connect(f"ray://127.0.0.1:{port}")
    assert time.monotonic() - start < 15
    assert str(error.value) == (f"--cluster ray://127.0.0.1:{port}: cannot reach the Ray cluster (connection refused); "
                                "start it with `ray start --head` or check the address")


def test_an_address_without_a_port_is_named() -> None:
    with pytest.raises(EngineError) as error:
        cluster.connect("head")
    assert str(error.value) == ("--cluster head: not a Ray address; use local, auto, ray://HOST:10001 (Ray Client) "
                                "or HOST:6379 (on a node of the cluster)")


def test_without_ray_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if it were not installed
    with pytest.raises(EngineError) as error:
        cluster.connect("local")
    assert str(error.value) == '--cluster needs Ray; run pip install -e ".[cluster]"'
