"""Running the command line in tests: a tiny book and its cast, and the exit code with what was printed."""

from __future__ import annotations

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
