"""The fullcast command line: parse options, call one library function, format the result.

Only this module prints, exits, or turns a FullcastError into `Error: ...`.
"""

from __future__ import annotations

import functools
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from .. import __version__, pipeline
from ..errors import FullcastError
from ..model import NARRATOR, CastScript, SegmentKind

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn a fiction manuscript into a full-cast audiobook.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

VoicesOption = typer.Option(None, "--voices", "-v", help="Cast and settings file (default: ./voices.yaml if present).")


class ScriptFormat(str, Enum):
    jsonl = "jsonl"
    text = "text"


def _fails_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn fullcast errors into one `Error:` line and exit 1; Ctrl-C into a short note and exit 130."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FullcastError as err:
            typer.echo(f"Error: {err}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("Interrupted: finished segments are cached; render again to resume.", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fullcast {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Turn a fiction manuscript into a full-cast audiobook."""


@app.command()
@_fails_cleanly
def render(
    manuscript: Path = typer.Argument(pipeline.DEFAULT_MANUSCRIPT, help="A .txt/.md file or a folder of them."),
    voices: Optional[Path] = VoicesOption,
    out: Path = typer.Option(pipeline.DEFAULT_OUT, "--out", "-o", help="Output folder."),
    force: bool = typer.Option(False, "--force", help="Synthesise and encode everything again."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    format: Optional[pipeline.Format] = typer.Option(None, "--format", help="mp3 per chapter, one m4b, or both (default: mp3)."),
    profile: Optional[str] = typer.Option(None, "--profile", help="acx, google-play (mp3) or apple (m4b): render to its format."),
    srt: bool = typer.Option(False, "--srt", help="Also write an SRT transcript beside each chapter's WebVTT."),
) -> None:
    """Render MANUSCRIPT into tagged chapter MP3s (and/or an M4B) with transcripts under --out.

    Example: fullcast render manuscript/ --voices voices.yaml --out output/
    """
    from .progress import progress_reporter

    chosen = format or pipeline.format_for_profile(profile)
    with progress_reporter() as report:
        result = pipeline.render(manuscript, voices, out, force=force, jobs=jobs, progress=report, format=chosen, srt=srt)
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    for path in result.files:
        typer.echo(str(path))
    typer.echo(
        f"synthesised {result.synthesised}/{result.segments} segments · "
        f"re-encoded {result.encoded}/{result.chapters} chapters · {result.seconds:.1f} s"
    )


@app.command()
@_fails_cleanly
def script(
    manuscript: Path = typer.Argument(..., help="A .txt/.md file or a folder of them."),
    voices: Optional[Path] = VoicesOption,
    format: ScriptFormat = typer.Option(ScriptFormat.text, "--format", "-f", help="jsonl: one object per segment; text: a screenplay."),
    explain: bool = typer.Option(False, "--explain", help="Show why each speaker was chosen."),
) -> None:
    """Print the analysed script of MANUSCRIPT without making audio.

    Example: fullcast script manuscript/ --format jsonl
    """
    _, cast = pipeline.analyse(manuscript, voices)
    if format is ScriptFormat.jsonl:
        for record in pipeline.script_records(cast, explain=explain):
            typer.echo(json.dumps(record, ensure_ascii=False))
    else:
        typer.echo(screenplay(cast, explain=explain), nl=False)
    for warning in cast.script.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    uncast = [s.name for s in cast.script.speakers if not s.in_cast]
    if uncast:
        typer.echo(f"Speakers with no entry in voices.yaml (auto voices): {', '.join(uncast)}", err=True)


def screenplay(cast: CastScript, *, explain: bool = False) -> str:
    """The script as an editor reads it: chapter banners, SPEAKER: text, thoughts marked."""
    out: list[str] = []
    chapter = 0
    for line in cast.lines:
        s = line.segment
        if s.chapter != chapter:
            chapter = s.chapter
            title = cast.script.book.chapters[chapter - 1].title
            out.append(f"{'' if chapter == 1 else chr(10)}== Chapter {chapter}: {title} ==\n")
        who = s.speaker.upper()
        if s.kind is SegmentKind.MONOLOGUE:
            who += " (thinking)"
        elif s.kind in (SegmentKind.WARNING, SegmentKind.HEADING):
            who = f"{NARRATOR.upper()} ({s.kind.value})"
        out.append(f"{who}: {line.spoken}\n")
        if explain and s.rule:
            out.append(f"    why: {s.rule}\n")
    return "".join(out)


@app.command("voices")
@_fails_cleanly
def voices_command(
    engine: str = typer.Option("pyttsx3", "--engine", help="Engine whose voices to list."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Only ids starting with this, e.g. gmw/en."),
    sample: bool = typer.Option(False, "--sample", help="Render a short clip per voice into --out/voices/."),
    out: Path = typer.Option(pipeline.DEFAULT_OUT, "--out", "-o", help="Where --sample writes its clips."),
) -> None:
    """List the engine's voices, including variants such as gmw/en-US+f3.

    Example: fullcast voices --sample
    """
    listed = pipeline.list_voices(engine, lang)
    for voice in listed:
        typer.echo(f"{voice.id:<32} {voice.name}")
    if sample:
        paths = pipeline.sample_voices(engine, [v.id for v in listed], out)
        typer.echo(f"wrote {len(paths)} samples to {paths[0].parent if paths else out}")


@app.command("cast")
@_fails_cleanly
def cast_command(
    manuscript: Path = typer.Argument(pipeline.DEFAULT_MANUSCRIPT, help="A .txt/.md file or a folder of them."),
    voices: Optional[Path] = VoicesOption,
    write: bool = typer.Option(False, "--write", help="Add the speakers with no entry to voices.yaml, each with an unused voice."),
) -> None:
    """Show every speaker: lines, words, voice, whether voices.yaml casts them, aliases matched.

    Example: fullcast cast manuscript/ --write
    """
    rows = pipeline.cast_report(manuscript, voices, write=write)
    typer.echo(f"{'speaker':<24} {'gender':<8} {'lines':>5} {'words':>6}  {'voice':<26} {'cast':<5} aliases matched")
    for row in rows:
        typer.echo(f"{row.name[:24]:<24} {row.gender.value:<8} {row.lines:>5} {row.words:>6}  {row.voice.voice_id:<26} "
                   f"{'yes' if row.in_cast else 'NO':<5} {', '.join(row.aliases_matched)}")
    uncast = [row.name for row in rows if not row.in_cast]
    if uncast and not write:
        typer.echo(f"\n{len(uncast)} speaker(s) with no entry: {', '.join(uncast)}; add them with --write", err=True)


@app.command()
@_fails_cleanly
def preview(
    name: str = typer.Argument(..., help="Cast name, or `narrator`."),
    manuscript: Path = typer.Argument(pipeline.DEFAULT_MANUSCRIPT, help="A .txt/.md file or a folder of them."),
    voices: Optional[Path] = VoicesOption,
    text: Optional[str] = typer.Option(None, "--text", "-t", help="Say this instead of the character's first lines."),
    out: Path = typer.Option(pipeline.DEFAULT_OUT, "--out", "-o", help="Output folder; the clip goes in its previews/."),
) -> None:
    """Render a short audition of NAME in the voice and settings they will get.

    Example: fullcast preview Willow --text "Can't sleep either?"
    """
    typer.echo(str(pipeline.preview(name, manuscript, voices, out, text)))


@app.command()
@_fails_cleanly
def check(
    output: Path = typer.Argument(pipeline.DEFAULT_OUT, help="A rendered book folder, the output folder, or one file."),
    profile: list[str] = typer.Option([], "--profile", "-p", help="acx, google-play or apple (repeatable; default: all)."),
) -> None:
    """Measure every rendered file by itself and check it against distributor profiles.

    Example: fullcast check output/ --profile acx
    """
    report = pipeline.check(output, profile)
    for problem in report.problems:
        typer.echo(f"Error: {problem.message}", err=True)
    if report.rows:
        width = max(len(row.subject) for row in report.rows)
        typer.echo(f"{'profile':<12} {'file':<{width}}  {'measure':<18} {'value':>14}  {'limit':<22} result")
        for row in report.rows:
            typer.echo(f"{row.profile.value:<12} {row.subject:<{width}}  {row.measure:<18} {row.value:>14}  "
                       f"{row.limit:<22} {'pass' if row.passed else 'FAIL'}")
    failed = len(report.failures) + len(report.problems)
    typer.echo(f"{len(report.files)} file(s) checked against {', '.join(p.value for p in report.profiles)}: "
               + ("all pass" if report.passed else f"{failed} failure(s)"))
    if not report.passed:
        raise typer.Exit(1)


def run() -> None:
    """Entry point for `python -m fullcast`."""
    app(prog_name="fullcast")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
