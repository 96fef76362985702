"""Running the command line in tests: a tiny book and its cast, and the exit code with what was printed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from typer.testing import CliRunner

from fullcast.cli.commands import app

runner = CliRunner()
STORY = 'Title: T\n\n# Chapter 1\n\nTara waited.\n\n"Hi," said Tara.\n'
"""One chapter, one line of dialogue."""
CAST = "engine: fake\ncharacters:\n  Tara:\n    gender: female\n    voice: gmw/en-us+f3\n"
"""Its cast, on the fake engine."""


def run(*args: str) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr interleaved)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def run_stdout(*args: str) -> tuple[int, str]:
    """Exit code and stdout alone."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def interrupt(args: list[str], ready: Callable[[], bool], *, cwd: Path | None = None, env: dict | None = None,
              within: float = 1.5) -> None:
    """Run `fullcast *args*` in a child, press Ctrl-C once *ready()* holds, and check it stops within *within*
    seconds, with exit status 130 and the Interrupted message."""
    proc = subprocess.Popen([sys.executable, "-m", "fullcast", *args], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    began = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - began < within
    assert proc.returncode == 130, err
    assert "Interrupted" in err
