"""Show render progress and time the command: a rich bar on a terminal, plain lines when output is piped.

Part of the CLI layer: the library only calls the callback this module hands out. The
command clock starts when the process did (start-up and imports included) when fullcast
runs as a program, or when the command was invoked when it runs inside another one.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

PLAIN_EVERY_S = 5.0
"""Plain mode prints at most one line per this many seconds (plus the last one)."""
_clock = [time.monotonic()]
"""The monotonic time the command began; set by `start_clock`."""


def start_clock(*, from_process_start: bool) -> None:
    """Start the command clock: at the process's own start (a program run), or now (a call from Python)."""
    now = time.monotonic()
    _clock[0] = now - (process_age() or 0.0) if from_process_start else now


def command_seconds() -> float:
    """Seconds since the command clock started."""
    return time.monotonic() - _clock[0]


def process_age() -> float | None:
    """Seconds since this process started, interpreter start-up included (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            raw = stat.read()
        started = int(raw[raw.rindex(b")") + 2 :].split()[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return age if 0 <= age < 86_400 * 365 else None


@contextmanager
def progress_reporter(stream: Any = None) -> Iterator[Callable[[Any], None]]:
    """A progress callback for a render's stages, drawn on *stream* (stderr by default).

    The callback takes any object with `stage`, `done`, `total`, `unit` and `note`; a new
    stage replaces the bar of the one before. The bar appears at the first report, so
    whatever is printed before synthesis starts stays above it.
    """
    stream = stream or sys.stderr
    if stream.isatty():
        with _rich_bar(stream) as report:
            yield report
    else:
        yield _plain_lines(stream)


@contextmanager
def _rich_bar(stream: Any) -> Iterator[Callable[[Any], None]]:
    columns = (TextColumn("{task.description:<16}"), BarColumn(), TextColumn("{task.fields[amount]}"),
               TextColumn("{task.fields[note]}"), TimeRemainingColumn())
    bar = Progress(*columns, console=Console(file=stream), transient=True)
    tasks: dict[str, Any] = {}

    def report(state: Any) -> None:
        if not bar.live.is_started:
            bar.start()
        if state.stage not in tasks:
            bar.refresh()  # the stage that ends is drawn as it ended before its bar goes
            for task in tasks.values():
                bar.update(task, visible=False)
            tasks[state.stage] = bar.add_task(state.stage, total=None, amount="", note="")
        bar.update(tasks[state.stage], completed=state.done, total=state.total or None, amount=_amount(state),
                   note=f"· {state.note}" if state.note else "")

    try:
        yield report
    finally:
        bar.stop()


def _plain_lines(stream: Any) -> Callable[[Any], None]:
    last: dict[str, float] = {}

    def report(state: Any) -> None:
        now = time.monotonic()
        finished = state.done >= state.total
        if not state.done or (not finished and now - last.get(state.stage, 0.0) < PLAIN_EVERY_S):
            return
        last[state.stage] = now
        note = f" · {state.note}" if state.note else ""
        print(f"{state.stage}: {_amount(state)}{note}", file=stream, flush=True)

    return report


def _amount(state: Any) -> str:
    """`12/147 new segments`, or `3.2/20.1 min` for minutes of audio."""
    if state.unit == "segments":
        return f"{state.done:.0f}/{state.total:.0f} new segments"
    return f"{state.done:.1f}/{state.total:.1f} {state.unit}"
