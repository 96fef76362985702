"""CLI tests: every command's help, the script output, and the exact error line for bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fullcast import __version__

from support.cli import CAST, STORY, run, run_stdout


def test_version_and_help_for_every_command() -> None:
    assert run("--version") == (0, f"fullcast {__version__}\n")
    for command in ("render", "script", "cast", "review", "preview", "voices"):
        code, output = run(command, "--help")
        assert code == 0 and "Usage: " in output and "Example: fullcast" in output, command


def test_script_jsonl(book: Path) -> None:
    code, output = run_stdout("script", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--format", "jsonl")
    assert code == 0, output
    records = [json.loads(line) for line in output.splitlines()]
    assert set(records[0]) == {"chapter", "index", "kind", "speaker", "voice", "engine", "text", "source", "start",
                               "end"}
    dialogue = [r for r in records if r["kind"] == "dialogue"]
    # Tara is the only candidate, so the model is as sure as its calibration lets it be
    assert dialogue == [{"chapter": 1, "index": dialogue[0]["index"], "kind": "dialogue", "speaker": "Tara",
                         "voice": "gmw/en-us+f3", "engine": "fake", "text": "Hi,", "source": str(book / "story.md"),
                         "start": STORY.index("Hi,"), "end": STORY.index("Hi,") + 3,
                         "confidence": dialogue[0]["confidence"]}]
    assert 0.9 <= dialogue[0]["confidence"] <= 1.0
    assert [r["index"] for r in records] == list(range(len(records)))


def test_script_text_is_a_screenplay(book: Path) -> None:
    code, output = run("script", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--explain")
    assert code == 0, output
    assert output.startswith(f"Voices: {book / 'voices.yaml'}\n== Chapter 1 ==\n")
    assert "TARA: Hi,\n" in output
    assert "NARRATOR: Tara waited.\n" in output
    assert "    why: " in output


def test_missing_manuscript(tmp_path: Path) -> None:
    assert run("script", str(tmp_path / "nope.txt")) == (
        1, f"Error: {tmp_path / 'nope.txt'}: no such file or folder; pass a .txt or .md manuscript or a folder of them\n")


def test_empty_manuscript(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text("\n")
    assert run("script", str(tmp_path / "e.txt")) == (1, f"Error: {tmp_path / 'e.txt'}: is empty; a manuscript needs some story text\n")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"One.\n\nTwo \x93quoted\x94.\n")
    code, output = run("script", str(tmp_path / "b.txt"))
    assert (code, output) == (1, f"Error: {tmp_path / 'b.txt'}:3: byte 0x93 at column 5 is not UTF-8; "
                                 "re-save the file as UTF-8 (e.g. iconv -f windows-1252 -t utf-8)\n")


def test_malformed_yaml(book: Path) -> None:
    (book / "voices.yaml").write_text("characters:\n  Tara: {gender: female\n")
    code, output = run("script", str(book / "story.md"), "--voices", str(book / "voices.yaml"))
    assert code == 1
    assert output.startswith(f"Error: {book / 'voices.yaml'}:3:1: malformed YAML: ")


def test_unknown_key_suggests_the_nearest(book: Path) -> None:
    (book / "voices.yaml").write_text("characters:\n  Tara:\n    gendre: female\n")
    assert run("script", str(book / "story.md"), "--voices", str(book / "voices.yaml")) == (
        1, f"Error: {book / 'voices.yaml'}:3: characters.Tara.gendre: unknown key; did you mean 'gender'?\n")


def test_unknown_voice_suggests_the_closest(book: Path) -> None:
    (book / "voices.yaml").write_text("characters:\n  Tara:\n    voice: gmw/en-uss+f3\n")
    code, output = run("script", str(book / "story.md"), "--voices", str(book / "voices.yaml"))
    assert code == 1
    assert output.startswith(f"Error: {book / 'voices.yaml'}: characters.Tara.voice: the pyttsx3 engine has no voice "
                             "'gmw/en-uss+f3' (for Tara); closest: gmw/en-us+f3")


def test_missing_voices_file_given_explicitly(book: Path) -> None:
    assert run("script", str(book / "story.md"), "--voices", str(book / "nope.yaml")) == (
        1, f"Error: {book / 'nope.yaml'}: no such file; create it (see voices.yaml in the fullcast repo) or drop --voices\n")


def test_unwritable_out(book: Path) -> None:
    (book / "afile").write_text("x")
    out = book / "afile" / "out"
    assert run("render", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--out", str(out)) == (
        1, f"Error: {out}: cannot create the output folder (Not a directory); "
           "choose another --out or fix the parent folder's permissions\n")


def test_render_prints_files_and_one_summary_line(book: Path) -> None:
    code, output = run_stdout("render", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--out", str(book / "out"))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == str(book / "out" / "mp3" / "Unknown Author" / "T" / "01 - Chapter 1.mp3")
    assert lines[1] == ("Note: no cover found; made cover.jpg from the title and author (replace it: put cover.jpg "
                        "beside the manuscript or set book.cover in voices.yaml)")
    assert lines[-1].startswith("synthesised 7/7 segments · re-encoded 1/1 chapters · ")
    code, output = run("render", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--out", str(book / "out"))
    assert output.splitlines()[-1].startswith("synthesised 0/7 segments · re-encoded 0/1 chapters · ")


def test_unknown_profile(book: Path) -> None:
    assert run("render", str(book / "story.md"), "--profile", "audible") == (
        1, "Error: --profile audible: unknown profile; choose one of acx, google-play, apple (did you mean apple?)\n")


def test_check_on_an_empty_folder(tmp_path: Path) -> None:
    code, output = run("check", str(tmp_path))
    assert code == 1
    assert output.startswith(f"Error: {tmp_path}: no audio files (")


def test_preview_of_an_unknown_name_suggests_the_cast(book: Path) -> None:
    assert run("preview", "Tarra", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--out", str(book)) == (
        1, "Error: no speaker called 'Tarra' in the cast or the manuscript; did you mean Tara?\n")


def test_preview_renders_the_characters_voice(book: Path) -> None:
    code, output = run("preview", "tara", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--out", str(book))
    assert (code, output) == (0, f"Voices: {book / 'voices.yaml'}\n{book / 'previews' / 'Tara.wav'}\n")
    assert (book / "previews" / "Tara.wav").stat().st_size > 1000


def test_cast_lists_speakers_and_write_adds_the_missing(book: Path) -> None:
    (book / "story.md").write_text(STORY + '\n"Go," said Glory. "Now, Glory says."\n', encoding="utf-8")
    code, output = run_stdout("cast", str(book / "story.md"), "--voices", str(book / "voices.yaml"))
    assert code == 0, output
    assert [l.split()[0] for l in output.splitlines()[1:3]] == ["Tara", "Glory"]
    assert "NO" in output.splitlines()[2]
    code, output = run("cast", str(book / "story.md"), "--voices", str(book / "voices.yaml"), "--write")
    assert code == 0, output
    text = (book / "voices.yaml").read_text(encoding="utf-8")
    assert text.startswith(CAST)
    assert "  Glory:\n    gender: " in text


def test_voices_lists_variants_and_samples_each(tmp_path: Path) -> None:
    code, output = run_stdout("voices", "--lang", "gmw/en-us+f")
    assert code == 0
    ids = [line.split()[0] for line in output.splitlines()]
    assert ids[:5] == ["gmw/en-us+f1", "gmw/en-us+f2", "gmw/en-us+f3", "gmw/en-us+f4", "gmw/en-us+f5"]
    code, output = run_stdout("voices", "--engine", "fake", "--lang", "gmw/en-us+f", "--sample", "--out", str(tmp_path))
    assert code == 0, output
    assert output.splitlines()[-1] == f"wrote {len(ids)} samples to {tmp_path / 'voices'}"
    assert sorted(p.name for p in (tmp_path / "voices").iterdir())[:2] == ["gmw_en-us+f1.wav", "gmw_en-us+f2.wav"]


def test_script_explain_lists_the_candidates_with_probabilities(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text('# One\n\nTara and Willow sat down.\n\n"Cold?" asked Tara.\n\n"A little."\n',
                                       encoding="utf-8")
    (tmp_path / "voices.yaml").write_text("engine: fake\ncharacters:\n  Tara: {gender: female}\n  Willow: "
                                          "{gender: female}\n", encoding="utf-8")
    code, output = run_stdout("script", str(tmp_path / "story.md"), "--explain", "--format", "jsonl")
    assert code == 0, output
    lines = [json.loads(line) for line in output.splitlines() if '"dialogue"' in line]
    assert [line["speaker"] for line in lines] == ["Tara", "Willow"]
    assert [[c["speaker"] for c in line["candidates"]] for line in lines] == [["Tara", "Willow"], ["Willow", "Tara"]]
    assert all(line["candidates"][0]["probability"] == line["confidence"] for line in lines)
    assert all(c["reasons"] for line in lines for c in line["candidates"])


def test_a_line_fixed_in_voices_yaml_is_certain(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text('# One\n\nTara and Willow sat down.\n\n"Cold?"\n', encoding="utf-8")
    (tmp_path / "voices.yaml").write_text("engine: fake\ncharacters:\n  Tara: {gender: female}\n  Willow: "
                                          "{gender: female}\nlines:\n  - {match: Cold, speaker: Willow}\n",
                                          encoding="utf-8")
    code, output = run_stdout("script", str(tmp_path / "story.md"), "--format", "jsonl")
    assert code == 0, output
    line = next(json.loads(x) for x in output.splitlines() if '"dialogue"' in x)
    assert (line["speaker"], line["confidence"]) == ("Willow", 1.0)


def test_a_missing_speaker_model_says_how_to_rebuild_it(book: Path, tmp_path: Path, monkeypatch) -> None:
    from fullcast.script.attribution import trees

    monkeypatch.setattr(trees, "MODEL_FILE", tmp_path / "speakers.json")
    code, output = run("script", str(book / "story.md"), "--voices", str(book / "voices.yaml"))
    assert (code, output.splitlines()[-1]) == (1, f"Error: {tmp_path / 'speakers.json'}: the speaker model is "
                                                  f"missing; {trees.REBUILD}")


def test_render_many_ends_with_a_table_and_exits_1_on_a_failed_book(tmp_path: Path) -> None:
    for name, front in (("good", "Title: Good\n"), ("bad", "Title: Bad\n")):
        (tmp_path / "books" / name).mkdir(parents=True)
        (tmp_path / "books" / name / "book.md").write_text(front + "\n# One\n\nThe lamp was lit.\n")
        (tmp_path / "books" / name / "voices.yaml").write_text("engine: fake\n")
    (tmp_path / "books" / "bad" / "voices.yaml").write_text("engine: fake\nbook:\n  isbn: [1]\n")
    code, out = run_stdout("render-many", str(tmp_path / "books"), "--out", str(tmp_path / "out"))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "book  status    synthesised  files   time"
    assert re.fullmatch(r"bad   FAILED              -      -  0\.\d s", lines[1])
    assert re.fullmatch(r"good  rendered            5      1  \d+\.\d s", lines[2])
    assert lines[3] == f"bad: {tmp_path / 'books' / 'bad' / 'voices.yaml'}:3: book.isbn: must be text, not [1]"
    assert re.fullmatch(r"1 of 2 books rendered in \d+\.\d s; 1 failed", lines[4])
    assert (tmp_path / "out" / "mp3" / "Unknown Author" / "Good" / "01 - One.mp3").is_file()


def test_render_many_of_nothing(tmp_path: Path) -> None:
    assert run("render-many", str(tmp_path / "none.yaml")) == (
        1, f"Error: {tmp_path / 'none.yaml'}: no such catalogue; give a folder of book folders or a YAML list of "
           "{manuscript, voices} entries\n")
