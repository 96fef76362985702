"""`fullcast verify`: hear a rendered book with Whisper, print each file's word error rate and every missing segment.

The text format is a table (file, words, WER, ok/FAIL), then one line per missing segment,
`chapter N, mm:ss.s: (speaker) "text…"`, then a summary. The jsonl format prints one object
per file (`"type": "file"`) and per missing segment (`"type": "missing"`), the summary going
to stderr. The exit status is 1 when a segment is missing or a file's WER is over --threshold.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import typer

from .. import pipeline
from .output import json_line, say
from .progress import progress_reporter

TEXT_CHARS = 60
"""Longest text shown for a missing segment; a longer one is cut at a word, with `…`."""


def verify_book(output: Path, *, threshold: float, jsonl: bool) -> None:
    """Run `fullcast verify` on *output* and print the report; exit 1 unless it passed, 130 on Ctrl-C."""
    try:
        with progress_reporter() as report:
            result = pipeline.verify(output, threshold=threshold, progress=report)
    except KeyboardInterrupt:
        say("\nInterrupted: nothing was written", err=True)
        raise typer.Exit(130) from None
    root = output if output.is_dir() else output.parent
    if jsonl:
        for file in result.files:
            typer.echo(json_line({"type": "file", **_record(file, root)}))
        for segment in result.missing:
            typer.echo(json_line({"type": "missing", **_record(segment, root)}))
    else:
        say(table(result, root), nl=False)
        for segment in result.missing:
            say(missing_line(segment))
    say(summary(result), err=jsonl)
    if not result.passed:
        raise typer.Exit(1)


def table(result: pipeline.VerifyReport, root: Path) -> str:
    """The per-file table: file (relative to *root*), words, WER and ok or FAIL."""
    names = [_relative(file.file, root) for file in result.files]
    width = max([len("file"), *map(len, names)])
    rows = [f"{'file':<{width}}  {'words':>6}  {'WER':>6}  result\n"]
    for name, file in zip(names, result.files):
        rows.append(f"{name:<{width}}  {file.words:>6}  {file.wer:>6.3f}  {'ok' if file.passed else 'FAIL'}\n")
    return "".join(rows)


def missing_line(segment: Any) -> str:
    """A missing segment (`VerifyReport.missing`) as `chapter N, 01:23.4: (speaker) "text…"`, with `part P`
    after N when the chapter has several files."""
    chapter = f"chapter {segment.chapter}" + (f" part {segment.part}" if segment.part > 1 else "")
    return f'{chapter}, {clock(segment.start_ms)}: ({segment.speaker}) "{_cut(" ".join(segment.text.split()))}"'


def summary(result: pipeline.VerifyReport) -> str:
    """One line: files heard, minutes of audio, and what failed."""
    over = sum(1 for file in result.files if file.wer > result.threshold)
    missing = len(result.missing)
    problems = [f"{over} over WER {result.threshold:g}" if over else "",
                f"{missing} segment{'s' if missing != 1 else ''} missing" if missing else ""]
    outcome = "; ".join(p for p in problems if p) or "nothing missing"
    return f"{len(result.files)} file(s) heard ({result.seconds / 60:.1f} min of audio): {outcome}"


def clock(ms: int) -> str:
    """`mm:ss.s`, or `h:mm:ss.s` from an hour on."""
    tenths = round(ms / 100)
    minutes, tenth_seconds = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    seconds = f"{tenth_seconds // 10:02d}.{tenth_seconds % 10}"
    return f"{hours}:{minutes:02d}:{seconds}" if hours else f"{minutes:02d}:{seconds}"


def _record(item: Any, root: Path) -> dict[str, Any]:
    record = dataclasses.asdict(item)
    record["file"] = _relative(item.file, root)
    if "wer" in record:
        record["wer"] = round(record["wer"], 4)
    return record


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _cut(text: str) -> str:
    """*text* at most TEXT_CHARS long, cut at a word, with `…`."""
    if len(text) <= TEXT_CHARS:
        return text
    return text[:TEXT_CHARS].rsplit(" ", 1)[0] + "…"
