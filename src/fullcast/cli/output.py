"""What the command line prints: text made safe for a terminal, the briefing, JSON lines and the screenplay.

Nothing that came from a manuscript reaches the terminal raw: `say` shows control characters as
escapes, and `json_line` escapes the ones JSON leaves alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

import typer

from .. import editing, pipeline
from ..model import NARRATOR, CastScript, SegmentKind

NO_VOICES = "none (built-in defaults); put a voices.yaml beside the manuscript or pass --voices"
"""The first line's text when no voices.yaml was found."""
MOST_NAMES = 12
"""Longest list of uncast speakers a command prints; `fullcast cast` lists them all."""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters but tab and newline: ESC starts terminal escape sequences, C1 CSI too."""

def visible(text: str) -> str:
    """*text* safe for a terminal: control characters (ESC, BEL, CR, DEL, C1...) shown as `\\x1b` escapes."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print *text* made safe for a terminal."""
    typer.echo(visible(text), err=err, nl=nl)


def announce(briefing: pipeline.Briefing, *, uncast: bool = True) -> None:
    """The first lines of every command that reads a manuscript, on stderr: the voices.yaml, notes, warnings."""
    say(f"Voices: {briefing.voices if briefing.voices else NO_VOICES}", err=True)
    for note in briefing.notes:
        say(f"Note: {note}", err=True)
    for warning in briefing.warnings:
        say(f"Warning: {warning}", err=True)
    if uncast and briefing.uncast:
        names = list(briefing.uncast)
        more = f" and {len(names) - MOST_NAMES} more (`fullcast cast` lists them)" if len(names) > MOST_NAMES else ""
        say(f"Speakers with no entry in voices.yaml (auto voices): {', '.join(names[:MOST_NAMES])}{more}", err=True)


def json_line(record: dict[str, Any]) -> str:
    """*record* as one line of JSON with DEL and the C1 controls escaped too (json escapes the C0 ones)."""
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", json.dumps(record, ensure_ascii=False))


def screenplay(cast: CastScript, *, explain: bool = False) -> str:
    """The script as an editor reads it: chapter banners, SPEAKER: text, thoughts marked."""
    out: list[str] = []
    chapter = 0
    for line in cast.lines:
        s = line.segment
        if s.chapter != chapter:
            chapter = s.chapter
            banner = chapter_banner(chapter, cast.script.book.chapters[chapter - 1].title)
            out.append(f"{'' if chapter == 1 else chr(10)}== {banner} ==\n")
        who = s.speaker.upper()
        if s.kind is SegmentKind.MONOLOGUE:
            who += " (thinking)"
        elif s.kind in (SegmentKind.WARNING, SegmentKind.HEADING):
            who = f"{NARRATOR.upper()} ({s.kind.value})"
        out.append(f"{who}: {line.spoken}\n")
        if explain and s.rule:
            out.append(f"    why: {s.rule}\n")
        if explain and s.candidates:
            out += [f"    {c.probability:5.0%} {c.name}" + (f": {'; '.join(c.reasons)}" if c.reasons else "") + "\n"
                    for c in s.candidates[:EXPLAINED]]
    return "".join(out)


EXPLAINED = 3
"""How many candidates `script --explain` lists under a line."""


def chapter_banner(number: int, title: str) -> str:
    """`Chapter 3: The Storm`, or the title alone when it names the chapter itself (`Chapter Three: ...`)."""
    return title if re.match(r"chapter\b", title.strip(), re.IGNORECASE) else f"Chapter {number}: {title}"


def catalogue_table(result: pipeline.CatalogueResult) -> str:
    """`render-many`'s closing table: book, status, segments synthesised, files, time; then the failures'
    errors and a total line."""
    rows = [("book", "status", "synthesised", "files", "time")]
    for book in result.books:
        done = book.result
        rows.append((book.name, "rendered" if done else "FAILED", str(done.synthesised) if done else "-",
                     str(len(done.files)) if done else "-", f"{book.seconds:.1f} s"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines += [f"{book.name}: {book.error}" for book in result.failed]
    lines.append(f"{len(result.books) - len(result.failed)} of {len(result.books)} books rendered "
                 f"in {result.seconds:.1f} s" + (f"; {len(result.failed)} failed" if result.failed else ""))
    return "\n".join(line.rstrip() for line in lines)


def matched_aliases(row: pipeline.CastRow) -> str:
    """The last column: the aliases the text used, or why a cast entry has no lines."""
    if not row.in_cast or row.lines:
        return ", ".join(row.aliases_matched)
    return "(matched no line)" if row.named else "(matched no line; not named in the text)"


def cast_written(report: editing.CastReport) -> str:
    """What `cast --write` did, exactly: each name with its gender and voice, and the file."""
    if not report.added:
        return "Nothing to add: every speaker has a cast entry"
    count = f"{len(report.added)} speaker{'s' if len(report.added) > 1 else ''}"
    entries = ", ".join(f"{name} ({gender.value}, {voice})" for name, gender, voice in report.added)
    if report.created:
        return f"Created {report.written} with {count} under characters: {entries}"
    return f"Added {count} to {report.written} under characters: {entries}"
