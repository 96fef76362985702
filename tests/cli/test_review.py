"""`fullcast review`: typed keys pick, name, skip, accept and quit; voices.yaml as left; Ctrl-C; bad files; render.

The analysis is run as it is, then given fixed confidences and candidates (`scored`), so that
these tests do not move when the speaker model is retrained; the render test uses it untouched.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest
import typer.testing

from fullcast import editing, pipeline
from fullcast.model import Candidate, SegmentKind

from support.cli import run, runner

STORY = ('Title: T\n\n# Chapter 1\n\nTara waited by the door.\n\n"Hi," said Tara. "Are you coming?"\n\n'
         'Willow shook her head.\n\n"Not yet," she said.\n\n"Why not?"\n\n# Chapter 2\n\nThe rain came.\n\n'
         '"It is wet," said Willow.\n')
CAST = ("engine: fake\ncharacters:\n  Tara:\n    gender: female\n    voice: gmw/en-us+f3\n"
        "  Willow:\n    gender: female\n    voice: gmw/en-us+f4\n")
SCORES = {"Hi,": (0.9, ("Tara", 0.9)), "Are you coming?": (0.6, ("Tara", 0.6), ("Willow", 0.4)),
          "Not yet,": (0.95, ("Willow", 0.95)), "Why not?": (0.4, ("Tara", 0.4), ("Willow", 0.35), ("Buffy", 0.25)),
          "It is wet,": (0.7, ("Willow", 0.7), ("Tara", 0.3))}
"""Quote -> the confidence and candidates the tests give it."""
PROMPT3 = "[1-3] pick · a/Enter accept · s skip · n name · q quit: "
PROMPT2 = "[1-2] pick · a/Enter accept · s skip · n name · q quit: "
FIRST = ('\n[1/4] chapter 1, line 11 · confidence 0.40\n  before: "Not yet," she said.\n  > TARA: Why not?\n'
         "  1. Tara 0.40\n  2. Willow 0.35\n  3. Buffy 0.25\n")
SECOND = ("\n[2/4] chapter 1, line 7 · confidence 0.60\n  before: Tara waited by the door.\n"
          "  > TARA: Hi, … Are you coming?\n  after:  Willow shook her head.\n  1. Tara 0.60\n  2. Willow 0.40\n")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A folder with the story and its cast."""
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(CAST, encoding="utf-8")
    return tmp_path


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis with the SCORES above on the lines no `lines:` entry decided."""
    real = pipeline.analyse_book

    def analyse_book(*args, **kwargs):
        script = real(*args, **kwargs)
        segments = []
        for s in script.segments:
            if s.kind is SegmentKind.DIALOGUE and not s.rule.startswith("voices.yaml") and s.text in SCORES:
                confidence, *candidates = SCORES[s.text]
                s = replace(s, confidence=confidence, candidates=tuple(Candidate(n, p) for n, p in candidates))
            segments.append(s)
        return replace(script, segments=tuple(segments))

    monkeypatch.setattr(pipeline, "analyse_book", analyse_book)


class Keys(io.BytesIO):
    """stdin as an editor types it: one line per read, *then* Ctrl-C (else the end of input), and *between*
    called just before the line it is keyed by is read."""

    def __init__(self, lines: list[str], then_interrupt: bool, between: dict[int, Callable[[], None]]) -> None:
        super().__init__("".join(f"{line}\n" for line in lines).encode())
        self.then_interrupt, self.between, self.read_lines = then_interrupt, between, 0

    def read1(self, size: int = -1) -> bytes:
        line = self.readline()
        if not line and self.then_interrupt:
            raise KeyboardInterrupt
        if line and self.read_lines in self.between:
            self.between[self.read_lines]()
        self.read_lines += 1
        return line

    read = read1


def review(book: Path, *keys: str, interrupt: bool = False, between: dict | None = None,
           monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    """Run `fullcast review` on *book* typing *keys*; exit code, stdout, stderr."""
    if monkeypatch is not None:
        monkeypatch.setattr(typer.testing, "make_input_stream",
                            lambda *_: Keys(list(keys), interrupt, between or {}))
    result = runner.invoke(pipeline_app(), ["review", str(book)], input="".join(f"{k}\n" for k in keys))
    return result.exit_code, result.stdout, result.stderr


def pipeline_app():
    from fullcast.cli.commands import app

    return app


def test_pick_by_number_writes_a_lines_entry_at_once(book: Path, scored: None) -> None:
    code, out, err = review(book, "2", "q")
    assert (code, err) == (0, f"Voices: {book / 'voices.yaml'}\n")
    assert out == FIRST + PROMPT3 + "  -> Willow (saved)\n" + SECOND + PROMPT2 + \
        f"1 decision saved to {book / 'voices.yaml'}\n"
    assert (book / "voices.yaml").read_text() == CAST + "lines:\n- match: Why not?\n  speaker: Willow\n  chapter: 1\n"
    code, output = run("script", str(book))
    assert "\nWILLOW: Why not?\n" in output


def test_a_typed_name_new_to_the_cast_joins_it_and_skip_and_accept(book: Path, scored: None) -> None:
    code, out, _ = review(book, "N", "Buffy", "s", "", "A")
    assert code == 0, out
    assert out.endswith(f"3 decisions saved to {book / 'voices.yaml'}\n")
    assert out.count("(saved)") == 3
    assert (book / "voices.yaml").read_text() == CAST + (
        "  Buffy:\n    gender: unknown\n    voice: gmw/en-029+klatt3\n"
        "lines:\n- match: Why not?\n  speaker: Buffy\n  chapter: 1\n"
        "- match: It is wet\n  speaker: Willow\n  chapter: 2\n"
        "- match: Not yet\n  speaker: Willow\n  chapter: 1\n")
    # decided lines are not asked again; the skipped one is
    code, output = run("review", str(book), "--list")
    assert (code, [line for line in output.splitlines() if line.startswith("chapter ")]) == (
        0, ["chapter 1 line 7 · confidence 0.60 · TARA: Hi, … Are you coming?"])


def test_a_number_out_of_range_or_an_unknown_key_asks_again(book: Path, scored: None) -> None:
    code, out, _ = review(book, "4", "x", "n", "", "n", "narrator", "q")
    assert code == 0
    assert out == FIRST + PROMPT3 + "  type a number from 1 to 3, or a, s, n or q\n" + PROMPT3 + \
        "  type a number from 1 to 3, or a, s, n or q\n" + PROMPT3 + "  Name:   no name given\n" + PROMPT3 + \
        "  Name:   no change: the narrator cannot be given a line in voices.yaml; name a character\n" + PROMPT3 + \
        f"0 decisions saved to {book / 'voices.yaml'}\n"
    assert (book / "voices.yaml").read_text() == CAST


def test_ctrl_c_keeps_the_decisions_made_and_exits_130(book: Path, scored: None,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = review(book, "1", interrupt=True, monkeypatch=monkeypatch)
    assert code == 130
    assert out == FIRST + PROMPT3 + "  -> Tara (saved)\n" + SECOND + PROMPT2
    assert err == f"Voices: {book / 'voices.yaml'}\n\nInterrupted: 1 decision saved to {book / 'voices.yaml'}\n"
    assert (book / "voices.yaml").read_text() == CAST + "lines:\n- match: Why not?\n  speaker: Tara\n  chapter: 1\n"


def test_a_file_changed_during_the_review_stops_it_and_keeps_both_edits(book: Path, scored: None,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = book / "voices.yaml"
    code, out, err = review(book, "2", "2", between={1: lambda: path.write_text(path.read_text() + "# mine\n")},
                            monkeypatch=monkeypatch)
    assert code == 1
    assert err == (f"Voices: {path}\n1 decision saved to {path} before this\n"
                   f"Error: {path}: changed on disk since the review began, so this decision was not written "
                   "(those before it are saved there); run `fullcast review` again to go on\n")
    assert path.read_text() == CAST + "lines:\n- match: Why not?\n  speaker: Willow\n  chapter: 1\n# mine\n"


def test_a_file_broken_by_hand_during_the_review_is_reported_as_changed(book: Path, scored: None,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = book / "voices.yaml"
    code, _, err = review(book, "s", "n", "Tara", between={1: lambda: path.write_text("characters: [\n")},
                          monkeypatch=monkeypatch)
    assert (code, err.splitlines()[1:]) == (1, [
        f"0 decisions saved to {path} before this",
        f"Error: {path}: changed on disk since the review began, so this decision was not written (those before "
        "it are saved there); run `fullcast review` again to go on"])
    assert path.read_text() == "characters: [\n"


def test_a_read_only_voices_yaml_is_reported_and_left_alone(book: Path, scored: None) -> None:
    path = book / "voices.yaml"
    path.chmod(0o444)
    code, out, err = review(book, "a")
    assert code == 1
    assert err == (f"Voices: {path}\n0 decisions saved to {path} before this\n"
                   f"Error: {path}: is read-only, so this decision was not written (those before it are saved "
                   f"there); make it writable (chmod u+w {path}) and run `fullcast review` again\n")
    assert path.read_text() == CAST


def test_a_manuscript_without_dialogue_has_nothing_to_review(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text("Title: T\n\n# One\n\nThe rain came. Nobody spoke.\n", encoding="utf-8")
    assert run("review", str(tmp_path / "story.md")) == (
        0, f"Voices: {pipeline_voices_none()}\n{tmp_path / 'story.md'} has no dialogue to review\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.md"]


def pipeline_voices_none() -> str:
    from fullcast.cli.output import NO_VOICES

    return NO_VOICES


def test_list_text_numbers_lines_as_the_script_does(book: Path, scored: None) -> None:
    code, output = run("review", str(book), "--list", "--limit", "3")
    assert (code, output) == (0, f"Voices: {book / 'voices.yaml'}\n"
                              "chapter 1 line 11 · confidence 0.40 · TARA: Why not?\n"
                              "    candidates: Tara 0.40, Willow 0.35, Buffy 0.25\n"
                              '    match: "Why not?" (chapter 1)\n'
                              "chapter 1 line 7 · confidence 0.60 · TARA: Hi, … Are you coming?\n"
                              "    candidates: Tara 0.60, Willow 0.40\n"
                              '    match: "Are you coming?" (chapter 1)\n'
                              "chapter 2 line 16 · confidence 0.70 · WILLOW: It is wet,\n"
                              "    candidates: Willow 0.70, Tara 0.30\n"
                              '    match: "It is wet" (chapter 2)\n')
    screenplay = run("script", str(book))[1].splitlines()[1:]  # past the Voices: line
    assert [screenplay[n - 1] for n in (11, 7, 16)] == ["TARA: Why not?", "TARA: Are you coming?",
                                                        "WILLOW: It is wet,"]


def test_list_jsonl(book: Path, scored: None) -> None:
    result = runner.invoke(pipeline_app(), ["review", str(book), "--list", "--format", "jsonl", "--limit", "2"])
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"chapter": 1, "line": 11, "index": 9, "text": "Why not?", "before": '"Not yet," she said.', "after": "",
         "speaker": "Tara", "confidence": 0.4, "candidates": [{"name": "Tara", "probability": 0.4, "reasons": []},
                                                             {"name": "Willow", "probability": 0.35, "reasons": []},
                                                             {"name": "Buffy", "probability": 0.25, "reasons": []}],
         "match": "Why not?", "shared": 0},
        {"chapter": 1, "line": 7, "index": 5, "text": "Hi, … Are you coming?", "before": "Tara waited by the door.",
         "after": "Willow shook her head.", "speaker": "Tara", "confidence": 0.6,
         "candidates": [{"name": "Tara", "probability": 0.6, "reasons": []},
                        {"name": "Willow", "probability": 0.4, "reasons": []}],
         "match": "Are you coming?", "shared": 0}]


def test_render_after_a_review_synthesises_exactly_the_corrected_lines(book: Path) -> None:
    out = book / "out"
    code, output = run("render", str(book), "--out", str(out))
    assert code == 0, output
    total = int(output.splitlines()[-1].split("/")[1].split()[0])
    before = pipeline.analyse(book, None)[1]
    queue = editing.review_queue(book, None, 50)
    first, second = queue.items[:2]
    other = next(name for name in ("Tara", "Willow") if name != first.speaker)
    code, _, _ = review(book, "n", other, "a", "q")  # correct the first, accept (pin) the second
    assert code == 0
    after = pipeline.analyse(book, None)[1]
    changed = [b.segment for b, a in zip(before.lines, after.lines) if (b.voice, b.spoken) != (a.voice, a.spoken)]
    # the corrected line changed voice (its run may follow it, as a fix anchors it); the pinned one did not
    assert (first.chapter, first.index, first.speaker) in {(s.chapter, s.index, s.speaker) for s in changed}
    assert (second.chapter, second.index) not in {(s.chapter, s.index) for s in changed}
    code, output = run("render", str(book), "--out", str(out))
    assert code == 0, output
    assert output.splitlines()[-1].startswith(f"synthesised {len(changed)}/{total} segments · ")
