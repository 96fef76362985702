"""workers: how many worker processes, how many threads each, and what a process knows of its role."""

from __future__ import annotations

import pytest

from fullcast.audio import engines, workers


@pytest.fixture
def machine(monkeypatch):
    """A machine with *cores* cores and *mb* MB available."""
    def set_machine(cores: int, mb: int) -> None:
        monkeypatch.setattr(workers, "available_cores", lambda: cores)
        monkeypatch.setattr(workers, "available_mb", lambda: mb)
    return set_machine


def test_one_worker_per_core_with_one_thread_each(machine) -> None:
    machine(2, 16000)
    assert workers.plan_workers("kokoro", None, 500) == (2, 1)
    assert workers.plan_workers("pyttsx3", None, 500) == (2, 1)


def test_fewer_segments_than_cores_give_the_spare_cores_to_threads(machine) -> None:
    machine(8, 16000)
    assert workers.plan_workers("kokoro", None, 3) == (3, 2)
    assert workers.plan_workers("kokoro", None, 1) == (1, 8)


def test_memory_caps_the_workers_of_a_heavy_engine_only(machine, monkeypatch) -> None:
    monkeypatch.setitem(engines.MEMORY_MB, "kokoro", 450)
    monkeypatch.setitem(engines.MEMORY_MB, "piper", 300)
    machine(8, 1400)  # 75% of 1400 MB: two Kokoro workers (450 MB each), three Piper ones, all eSpeak ones
    assert workers.plan_workers("kokoro", None, 500) == (2, 4)
    assert workers.plan_workers("piper", None, 500) == (3, 2)
    assert workers.plan_workers("pyttsx3", None, 500) == (8, 1)


def test_jobs_asked_for_are_kept_within_memory(machine) -> None:
    machine(2, 300)
    assert workers.plan_workers("kokoro", 4, 500) == (1, 2)
    assert workers.plan_workers("fake", 4, 500) == (3, 1)


def test_the_machine_is_read_from_the_system() -> None:
    assert workers.available_cores() >= 1
    assert workers.available_mb() > 0


def test_the_calling_process_is_no_worker() -> None:
    assert workers.threads() == 1
    assert not workers.orphaned()
