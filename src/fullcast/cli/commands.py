"""The fullcast command line: parse options, call one library function, format the result.

Only the CLI (this module, `output`, `review`, `progress`) prints, exits, or turns a FullcastError into `Error: ...`. Usage errors are
one line too (exit 2), and nothing that came from a manuscript reaches the terminal raw.
"""

from __future__ import annotations

import functools
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from typer.core import TyperGroup

try:  # typer 0.17+ carries its own click; older typer uses the click package
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors  # type: ignore[no-redef]

from .. import __version__, editing, pipeline
from ..catalogue import render_many as render_catalogue
from ..errors import FullcastError
from .output import announce, cast_written, catalogue_table, json_line, matched_aliases, say, screenplay, visible
from .progress import command_seconds, start_clock

_ABORTS = (typer.Abort, getattr(click_errors, "Abort", typer.Abort))
"""What click raises for an aborted prompt, in both generations of typer."""


class _Group(TyperGroup):
    """The app: usage errors as one `Error:` line with exit 2, flags shown as flags, the command clock."""

    invoked = "fullcast"
    """The command being run (`fullcast render`), for the help pointer of an error click raises without one."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the command line; a program run (args from sys.argv) times itself from the process start."""
        start_clock(from_process_start=args is None)
        self.invoked = "fullcast"
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError:
            sys.exit(2)  # the help is already printed
        except click_errors.UsageError as err:
            typer.echo(_usage_line(err, self.invoked), err=True)
            sys.exit(2)
        except click_errors.ClickException as err:
            typer.echo(f"Error: {visible(err.format_message())}", err=True)
            sys.exit(err.exit_code)
        except _ABORTS:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The help, with boolean flags shown without a `<bool>` value."""
        _flags_as_flags(self, ctx)
        super().format_help(ctx, formatter)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The subcommand, with its flags shown as flags in its own help."""
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            _flags_as_flags(command, ctx)
            self.invoked = f"{ctx.command_path} {name}"  # for an error click raises without a context
        return name, command, rest


def _flags_as_flags(command: Any, ctx: Any) -> None:
    """Give *command*'s flags (and its --help) an empty metavar: the help shows no value for them."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


def _usage_line(err: Any, invoked: str) -> str:
    """click's usage error as `Error: <what>; <fix>`: its suggestion as the fix, else a pointer to the help."""
    message = " ".join(visible(err.format_message()).split())
    message = re.sub(r"\s*\(Possible options: ([^)]*)\)",
                     lambda m: "; did you mean " + " or ".join(m.group(1).split(", ")) + "?", message)
    message = message.replace(". Did you mean", "; did you mean").rstrip(".")
    if "; did you mean" not in message:
        where = err.ctx.command_path if err.ctx is not None else invoked
        message += f"; see `{where} --help`"
    return f"Error: {message}"


app = typer.Typer(
    cls=_Group,
    name="fullcast",
    add_completion=False,
    no_args_is_help=True,
    help="Turn a fiction manuscript into a full-cast audiobook.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

VoicesOption = typer.Option(None, "--voices", "-v", help="Cast and settings file (default: the voices.yaml beside "
                            "the manuscript, or in its folder; ./voices.yaml only for a manuscript under this folder).")

ClusterOption = typer.Option(None, "--cluster", envvar="RAY_ADDRESS", help="Run on Ray: `local`, or a cluster's "
                             "address (ray://head:10001). Needs pip install -e \".[cluster]\".")
CacheOption = typer.Option(None, "--cache", help="A segment cache shared by machines and books: a folder or a URL "
                           "such as s3://bucket/cache (needs .[s3]).")


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
            say(f"Error: {err}", err=True)
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
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Worker processes (default and most: one per core)."),
    format: Optional[pipeline.Format] = typer.Option(None, "--format", help="mp3 per chapter; m4b or epub3 "
                                                     "(read-along) beside them; both (mp3 and m4b); all (default: mp3)."),
    profile: Optional[str] = typer.Option(None, "--profile", help="acx, google-play (mp3) or apple (m4b): render to its format."),
    srt: bool = typer.Option(False, "--srt", help="Also write an SRT transcript beside each chapter's WebVTT."),
    cluster: Optional[str] = ClusterOption,
    cache: Optional[str] = CacheOption,
) -> None:
    """Render MANUSCRIPT into tagged chapter MP3s (and an M4B or a read-along EPUB) under --out.

    Each format gets its own library root: --out/mp3/<Author>/<Title>, --out/m4b/<Author>/[<Series>/]<Title>
    and --out/epub3/<Author>/<Title>, each with metadata.json, metadata.opf and cover.jpg.

    Everything is checked before the first segment is synthesised: voices.yaml, the voices, the cover, the output.

    Example: fullcast render manuscript/ --voices voices.yaml --out output/
    """
    from .progress import progress_reporter

    chosen = pipeline.format_for_profile(profile, format)
    with progress_reporter() as report:
        result = pipeline.render(manuscript, voices, out, force=force, jobs=jobs, progress=report, format=chosen,
                                 srt=srt, on_ready=announce, profile=profile, cluster=cluster, cache=cache)
    for path in result.files:
        say(str(path))
    for note in result.notes:
        say(f"Note: {note}")
    say(f"synthesised {result.synthesised}/{result.segments} segments · "
         f"re-encoded {result.encoded}/{result.chapters} chapters · {command_seconds():.1f} s")


@app.command("render-many")
@_fails_cleanly
def render_many(
    catalogue: Path = typer.Argument(..., help="A folder of book folders, or a YAML list of {manuscript, voices}."),
    out: Path = typer.Option(pipeline.DEFAULT_OUT, "--out", "-o", help="Output folder for every book."),
    force: bool = typer.Option(False, "--force", help="Synthesise and encode everything again."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Worker processes (default and most: one per core)."),
    format: pipeline.Format = typer.Option(pipeline.Format.MP3, "--format", help="As for render: mp3, m4b, both, "
                                           "epub3 or all."),
    srt: bool = typer.Option(False, "--srt", help="Also write an SRT transcript beside each chapter's WebVTT."),
    cluster: Optional[str] = ClusterOption,
    cache: Optional[str] = CacheOption,
) -> None:
    """Render every book of CATALOGUE into --out, sharing one segment cache and the workers.

    A book that fails is reported and the others go on; the command ends with a table of every
    book and exits 1 if any failed.

    Example: fullcast render-many backlist/ --out library/ --format all
    """
    from .progress import progress_reporter

    with progress_reporter() as report:
        result = render_catalogue(catalogue, out, force=force, jobs=jobs, progress=report, format=format, srt=srt,
                               cluster=cluster, cache=cache)
    say(catalogue_table(result))
    if result.failed:
        raise typer.Exit(1)


@app.command()
@_fails_cleanly
def script(
    manuscript: Path = typer.Argument(pipeline.DEFAULT_MANUSCRIPT, help="A .txt/.md file or a folder of them."),
    voices: Optional[Path] = VoicesOption,
    format: ScriptFormat = typer.Option(ScriptFormat.text, "--format", "-f", help="jsonl: one object per segment; text: a screenplay."),
    explain: bool = typer.Option(False, "--explain", help="Show why each speaker was chosen."),
) -> None:
    """Print the analysed script of MANUSCRIPT without making audio.

    Example: fullcast script manuscript/ --format jsonl
    """
    cast, briefing = pipeline.prepare(manuscript, voices, explain=explain)
    announce(briefing)
    if format is ScriptFormat.jsonl:
        for record in pipeline.script_records(cast, explain=explain):
            typer.echo(json_line(record))
    else:
        say(screenplay(cast, explain=explain), nl=False)


@app.command("voices")
@_fails_cleanly
def voices_command(
    engine: str = typer.Option("pyttsx3", "--engine", help="Engine whose voices to list: pyttsx3, kokoro or piper."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Only voices speaking this: a code (en, en-us), a name "
                                       "(English) or an id prefix (gmw/en)."),
    sample: bool = typer.Option(False, "--sample", help="Render a short clip per voice into --out/voices/."),
    out: Path = typer.Option(pipeline.DEFAULT_OUT, "--out", "-o", help="Where --sample writes its clips."),
    voices: Optional[Path] = typer.Option(None, "--voices", help="A voices.yaml whose `engines:` names the model "
                                          "files to list (default: the bundled ones)."),
) -> None:
    """List an engine's voices (eSpeak's with variants such as gmw/en-US+f3), and audition them.

    Example: fullcast voices --engine kokoro --sample
    """
    listed = editing.list_voices(engine, lang, voices)
    if sample:
        pipeline.check_output_folder(out)  # a bad --out fails before the list, not after it
    for voice in listed:
        say(f"{voice.id:<32} {voice.name}")
    if sample:
        paths = editing.sample_voices(engine, [v.id for v in listed], out, voices)
        say(f"wrote {len(paths)} samples to {paths[0].parent if paths else out}")


@app.command("cast")
@_fails_cleanly
def cast_command(
    manuscript: Path = typer.Argument(pipeline.DEFAULT_MANUSCRIPT, help="A .txt/.md file or a folder of them."),
    voices: Optional[Path] = VoicesOption,
    write: bool = typer.Option(False, "--write", help="Add the speakers with no entry to voices.yaml, each with an unused voice."),
) -> None:
    """Show every speaker: lines, words, voice, whether voices.yaml casts them, aliases matched.

    A cast entry that matched no line is marked, and named in a summary line.

    Example: fullcast cast manuscript/ --write
    """
    report = editing.cast_report(manuscript, voices, write=write)
    announce(report.briefing, uncast=False)
    say(f"{'speaker':<24} {'gender':<8} {'lines':>5} {'words':>6}  {'voice':<26} {'cast':<5} aliases matched")
    for row in report.rows:
        say(f"{row.name[:24]:<24} {row.gender.value:<8} {row.lines:>5} {row.words:>6}  {row.voice.voice_id:<26} "
             f"{'yes' if row.in_cast else 'NO':<5} {matched_aliases(row)}")
    idle = [row.name for row in report.rows if row.in_cast and not row.lines]
    if idle:
        say(f"\n{len(idle)} cast entr{'y' if len(idle) == 1 else 'ies'} matched no line: {', '.join(idle)}; check "
             f"their names and aliases in {report.briefing.voices or 'voices.yaml'}, or remove them", err=True)
    uncast = [row.name for row in report.rows if not row.in_cast]
    if uncast and not write:
        say(f"\n{len(uncast)} speaker(s) with no entry: {', '.join(uncast)}; add them with --write", err=True)
    if write:
        say(cast_written(report), err=True)


@app.command()
@_fails_cleanly
def review(
    manuscript: Path = typer.Argument(pipeline.DEFAULT_MANUSCRIPT, help="A .txt/.md file or a folder of them."),
    voices: Optional[Path] = VoicesOption,
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="Most lines to go through."),
    listing: bool = typer.Option(False, "--list", help="Print the lines without asking anything."),
    format: ScriptFormat = typer.Option(ScriptFormat.text, "--format", "-f", help="With --list: text or jsonl."),
) -> None:
    """Go through the lines whose speaker is least certain, and fix them in voices.yaml.

    Keys: a number picks a candidate, a/Enter accepts (pins it), s skips, n types a name, q quits.

    Example: fullcast review manuscript/ --limit 20
    """
    from .review import review_lines
    review_lines(manuscript, voices, limit=limit, listing=listing, jsonl=format is ScriptFormat.jsonl)


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
    path, briefing = editing.preview(name, manuscript, voices, out, text)
    announce(briefing, uncast=False)
    say(str(path))


@app.command()
@_fails_cleanly
def check(
    output: Path = typer.Argument(pipeline.DEFAULT_OUT, help="A rendered book folder, the output folder, or one file."),
    profile: list[str] = typer.Option([], "--profile", "-p", help="acx, google-play or apple (repeatable; default: those "
                                      "that fit each file: MP3 acx and google-play, M4B apple)."),
) -> None:
    """Measure every rendered file by itself and check it against distributor profiles.

    With no --profile, each file gets the profiles that fit its format. A truncated or
    damaged file is reported as such and fails the check.

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
    typer.echo(report.summary)
    if not report.passed:
        raise typer.Exit(1)


@app.command()
@_fails_cleanly
def verify(
    output: Path = typer.Argument(pipeline.DEFAULT_OUT, help="A rendered book folder, the output folder, or one "
                                  "chapter MP3."),
    threshold: float = typer.Option(0.25, "--threshold", help="Highest word error rate a file may have and pass."),
    format: ScriptFormat = typer.Option(ScriptFormat.text, "--format", "-f", help="text: a table; jsonl: one object "
                                        "per file and per missing segment."),
) -> None:
    """Listen to every chapter with Whisper (tiny.en, offline) and compare it with the script that was rendered.

    Lists each file's word error rate and every segment whose words are mostly missing.
    Exits 1 when a segment is missing or a file's WER is over --threshold.
    Needs the verify extra (faster-whisper and its bundled model).

    Example: fullcast verify output/ --threshold 0.3
    """
    from .verify import verify_book
    verify_book(output, threshold=threshold, jsonl=format is ScriptFormat.jsonl)


def run() -> None:
    """Entry point for `python -m fullcast`."""
    app(prog_name="fullcast")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
