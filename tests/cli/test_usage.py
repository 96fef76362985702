"""The command line's rough edges (issue 14, items 6 and 11): usage errors, help, defaults, --lang, the summary
time, the screenplay's banners, escape sequences, and what `cast` says about the cast.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fullcast import pipeline
from fullcast.cli.commands import app

from support.cli import CAST, STORY, run, runner


@pytest.mark.parametrize("args, line", [
    (("render", "--jobs", "x"), "Error: Invalid value for '--jobs' / '-j': Input should be a valid integer, unable "
                                "to parse string as an integer; see `fullcast render --help`"),
    (("render", "--jobs", "0"), "Error: Invalid value for '--jobs' / '-j': Input should be greater than or equal to "
                                "1; see `fullcast render --help`"),
    (("render", "--bogus"), "Error: No such option: --bogus; did you mean --jobs or --out?"),
    (("rendr",), "Error: No such command 'rendr'; did you mean 'render', 'render-many'?"),
    (("preview",), "Error: Missing argument 'name'; see `fullcast preview --help`"),
    (("voices", "--lang"), "Error: Option '--lang' requires an argument; see `fullcast voices --help`"),
    (("script", "a", "b"), "Error: Got unexpected extra argument(s) (b); see `fullcast script --help`"),
])
def test_usage_errors_are_one_line_with_exit_2(args: tuple[str, ...], line: str) -> None:
    assert run(*args) == (2, line + "\n")


def test_help_shows_flags_as_flags() -> None:
    for command in ((), ("render",), ("script",), ("cast",), ("voices",), ("check",)):
        code, output = run(*command, "--help")
        assert code == 0 and "<bool>" not in output, command
    output = run("render", "--help")[1]
    assert [line.split()[1:2] for line in output.splitlines() if "--force" in line or "--srt" in line] == [
        ["--force"], ["--srt"]]
    force = next(line for line in output.splitlines() if "--force" in line)
    assert force.split("--force")[1].split()[0] == "Synthesise"


def test_script_reads_manuscript_by_default(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (book / "manuscript").mkdir()
    (book / "story.md").rename(book / "manuscript" / "story.md")
    monkeypatch.chdir(book)
    code, output = run("script")
    assert code == 0, output
    assert output.startswith("Voices: voices.yaml\n== Chapter 1 ==\n")
    assert "TARA: Hi,\n" in output


def ids(*args: str) -> list[str]:
    result = runner.invoke(app, ["voices", "--engine", "fake", *args])
    assert result.exit_code == 0, result.output
    return [line.split()[0] for line in result.stdout.splitlines()]


def test_voices_lang_takes_codes_names_and_id_prefixes() -> None:
    english = ids("--lang", "en")
    assert english[:3] == ["gmw/en", "gmw/en-029", "gmw/en-gb-scotland"] and "gmw/en-us+f3" in english
    assert all(voice.startswith("gmw/en") for voice in english)
    assert ids("--lang", "English") == english == ids("--lang", "gmw/en")
    american = ids("--lang", "en-US")
    assert american[:2] == ["gmw/en-us", "gmw/en-us-nyc"] and all(v.startswith("gmw/en-us") for v in american)
    assert ids("--lang", "en_us") == american
    assert ids("--lang", "fr") == ["roa/fr", "roa/fr-be", "roa/fr-ch"]


def test_voices_lang_that_matches_nothing_says_so() -> None:
    assert run("voices", "--engine", "fake", "--lang", "englsh") == (
        1, "Error: --lang englsh: no fake voice speaks it (did you mean English or Welsh or en-shaw?); give a "
           "language code (en, en-us), a language name (English) or a voice id prefix (gmw/en); `fullcast voices` "
           "lists them all\n")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="the process start time comes from /proc")
def test_summary_time_includes_start_up(book: Path) -> None:
    code = ("import sys, time; time.sleep(1.5); from fullcast.cli import app; "
            "sys.argv = ['fullcast', 'render', 'story.md', '--out', 'out']; app()")
    done = subprocess.run([sys.executable, "-c", code], cwd=book, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = done.stdout.splitlines()[-1]
    assert summary.startswith("synthesised 7/7 segments · re-encoded 1/1 chapters · ")
    assert float(summary.rsplit("· ", 1)[1].removesuffix(" s")) >= 1.5


def test_screenplay_banner_does_not_repeat_chapter(tmp_path: Path) -> None:
    (tmp_path / "s.md").write_text("Title: T\n\n# Chapter One: Lamps\n\nTara waited.\n\n# The Storm\n\nRain fell.\n\n"
                                   "CHAPTER III\n\nIt ended.\n", encoding="utf-8")
    code, output = run("script", str(tmp_path / "s.md"))
    assert code == 0, output
    assert [line for line in output.splitlines() if line.startswith("==")] == [
        "== Chapter One: Lamps ==", "== Chapter 2: The Storm ==", "== CHAPTER III =="]


def test_script_never_writes_raw_escape_sequences(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.prepare

    def hostile(manuscript: Path, voices: Path | None, **options: bool):
        """Text with ESC, BEL, CR and a C1 CSI, as if they had got past the manuscript's cleaning."""
        cast, briefing = real(manuscript, voices, **options)
        lines = tuple(dataclasses.replace(line, spoken=line.spoken + "\x1b[2J\x07\r\x9b1m") for line in cast.lines)
        return dataclasses.replace(cast, lines=lines), dataclasses.replace(briefing, warnings=("bad\x1b]0;title\x07",))

    monkeypatch.setattr(pipeline, "prepare", hostile)
    code, output = run("script", str(book / "story.md"))
    assert code == 0
    assert not any(ch in output for ch in "\x1b\x07\r\x9b")
    assert "TARA: Hi,\\x1b[2J\\x07\\x0d\\x9b1m\n" in output
    assert "Warning: bad\\x1b]0;title\\x07\n" in output
    result = runner.invoke(app, ["script", str(book / "story.md"), "--format", "jsonl"])
    assert not any(ch in result.output for ch in "\x1b\x07\r\x9b")
    assert json.loads(result.stdout.splitlines()[-1])["text"] == "The End.\x1b[2J\x07\r\x9b1m"


def test_cast_flags_entries_that_matched_no_line(book: Path) -> None:
    (book / "voices.yaml").write_text(CAST + "  Maren:\n    voice: gmw/en-us+f4\n  Will:\n    aliases: [the boy]\n",
                                      encoding="utf-8")
    (book / "story.md").write_text(STORY + "\nThe boy ran off.\n", encoding="utf-8")
    result = runner.invoke(app, ["cast", str(book / "story.md")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "Maren                    unknown      0      0  gmw/en-us+f4               yes   (matched no line; not named "
        "in the text)",
        "Will                     unknown      0      0  gmw/en-029+klatt5          yes   (matched no line)"]
    assert result.stderr.splitlines() == [
        f"Voices: {book / 'voices.yaml'}", "",
        f"2 cast entries matched no line: Maren, Will; check their names and aliases in {book / 'voices.yaml'}, "
        "or remove them"]


def test_cast_write_says_what_it_added_and_where(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (book / "story.md").write_text(STORY + '\n"Go," said Glory. "Now, Glory says."\n', encoding="utf-8")
    result = runner.invoke(app, ["cast", str(book / "story.md"), "--write"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"Voices: {book / 'voices.yaml'}",
        f"Added 1 speaker to {book / 'voices.yaml'} under characters: Glory (unknown, gmw/en-029+klatt2)"]
    assert (book / "voices.yaml").read_text(encoding="utf-8") == (
        CAST + "  Glory:\n    gender: unknown\n    voice: gmw/en-029+klatt2\n")
    result = runner.invoke(app, ["cast", str(book / "story.md"), "--write"])
    assert result.stderr.splitlines()[-1] == "Nothing to add: every speaker has a cast entry"


def test_cast_write_with_no_voices_yaml_creates_one_beside_the_manuscript(book: Path, monkeypatch) -> None:
    (book / "voices.yaml").unlink()
    (book / "elsewhere").mkdir()
    (book / "elsewhere" / "voices.yaml").write_text("engine: fake\n", encoding="utf-8")
    monkeypatch.chdir(book / "elsewhere")
    result = runner.invoke(app, ["cast", str(book / "story.md"), "--write"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Voices: none (built-in defaults); put a voices.yaml beside the manuscript or pass --voices",
        f"Created {book / 'voices.yaml'} with 1 speaker under characters: Tara (unknown, gmw/en-gb-x-gbclan+klatt)"]
    assert (book / "elsewhere" / "voices.yaml").read_text(encoding="utf-8") == "engine: fake\n"


def test_cast_write_never_casts_the_placeholder_for_lines_nobody_could_be_found_for(book: Path) -> None:
    (book / "story.md").write_text(STORY + '\n# Chapter 2\n\n"Anyone there?"\n', encoding="utf-8")
    code, output = run("cast", str(book / "story.md"), "--write")
    assert code == 0, output
    assert output.splitlines()[-1] == "Nothing to add: every speaker has a cast entry"
    assert (book / "voices.yaml").read_text(encoding="utf-8") == CAST
