"""Show render progress: a rich bar on a terminal, plain lines when output is piped or logged.

Part of the CLI layer: the library only calls the callback this module hands out.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

PLAIN_EVERY_S = 5.0
"""Plain mode prints at most one line per this many seconds (plus the last one)."""


@contextmanager
def progress_reporter(stream: Any = None) -> Iterator[Callable[[Any], None]]:
    """A progress callback for synthesis, drawn on *stream* (stderr by default).

    The callback takes any object with `done`, `total` and `audio_seconds`.
    """
    stream = stream or sys.stderr
    if stream.isatty():
        with _rich_bar(stream) as report:
            yield report
    else:
        yield _plain_lines(stream)


@contextmanager
def _rich_bar(stream: Any) -> Iterator[Callable[[Any], None]]:
    columns = (TextColumn("synthesising"), BarColumn(), MofNCompleteColumn(), TextColumn("segments"),
               TextColumn("· {task.fields[minutes]:.1f} min of audio ·"), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("synthesis", total=None, minutes=0.0)

        def report(state: Any) -> None:
            bar.update(task, completed=state.done, total=state.total, minutes=state.audio_seconds / 60)

        yield report


def _plain_lines(stream: Any) -> Callable[[Any], None]:
    last = [0.0]

    def report(state: Any) -> None:
        now = time.monotonic()
        if not state.done or (state.done < state.total and now - last[0] < PLAIN_EVERY_S):
            return
        last[0] = now
        print(f"synthesising: {state.done}/{state.total} new segments · {state.audio_seconds / 60:.1f} min of audio",
              file=stream, flush=True)

    return report
