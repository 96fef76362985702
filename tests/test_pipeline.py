"""End-to-end renders with the fake engine: outputs, re-rendering only what changed, interrupts, locks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fullcast import pipeline
from fullcast.errors import OutputError

from support.cli import interrupt
from support.library import check_layout
from support.render import distinct_lines

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """The sample book and its cast, switched to the fake engine."""
    shutil.copytree(REPO / "manuscript", tmp_path / "manuscript")
    text = (REPO / "voices.yaml").read_text(encoding="utf-8").replace("engine: pyttsx3", "engine: fake")
    (tmp_path / "voices.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def render(book: Path, **kwargs) -> pipeline.RenderResult:
    return pipeline.render(book / "manuscript", book / "voices.yaml", book / "output", **kwargs)


def edit_voices(book: Path, old: str, new: str) -> None:
    path = book / "voices.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_render_writes_chapters_playlist_and_script(book: Path) -> None:
    result = render(book)
    folder = book / "output" / "mp3" / "Hollis Penrake" / "The Last Lamp of Saltreach"
    assert result.book_dir == folder
    assert [p.name for p in result.files] == [
        "01 - Chapter One - The Lamplighter.mp3", "02 - Chapter Two - The Storm Stair.mp3",
        "03 - Chapter Three - The Last Light.mp3"]
    assert (result.synthesised, result.encoded, result.chapters) == (distinct_lines(book), 3, 3)
    playlist = (folder / "The Last Lamp of Saltreach.m3u").read_text(encoding="utf-8")
    assert [line for line in playlist.splitlines() if not line.startswith("#")] == [p.name for p in result.files]
    records = [json.loads(line) for line in (book / "output" / ".fullcast" / folder.relative_to(book / "output") / ".fullcast-script.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == result.segments
    assert records[0]["kind"] == "warning" and records[0]["text"].startswith("Content warning: this story contains peril")
    assert not [p for p in folder.rglob("*") if ".part" in p.name or p.name.startswith(".tmp")]


def test_both_formats_go_to_separate_library_roots(book: Path) -> None:
    result = render(book, format=pipeline.Format.BOTH)
    out = book / "output"
    check_layout(out)  # no folder with an M4B and MP3s; no cache, lock or manifest inside a root
    assert [f.relative_to(out) for f in result.folders] == [
        Path("mp3/Hollis Penrake/The Last Lamp of Saltreach"), Path("m4b/Hollis Penrake/The Last Lamp of Saltreach")]
    assert sorted(p.name for p in out.iterdir()) == [".cache", ".fullcast", ".fullcast.lock", "m4b", "mp3"]
    assert [p.suffix for p in result.files] == [".mp3", ".mp3", ".mp3", ".m4b"]
    assert result.files[-1].parent == result.folders[1]


def test_a_book_in_the_old_layout_is_moved_not_rendered_again(book: Path) -> None:
    first = render(book, format=pipeline.Format.BOTH)
    out, (mp3, m4b) = book / "output", first.folders
    old = out / "The Last Lamp of Saltreach"  # where renders before library roots put everything
    state = out / ".fullcast" / mp3.relative_to(out)
    mp3.rename(old)
    (state / ".fullcast-manifest.json").rename(old / ".fullcast-manifest.json")
    (m4b / "The Last Lamp of Saltreach.m4b").rename(old / "The Last Lamp of Saltreach.m4b")
    shutil.rmtree(out / "m4b")
    again = render(book, format=pipeline.Format.BOTH)
    assert not old.exists()
    assert again.notes[:2] == (f"moved {old} to {mp3} (each format now has its own library root)",
                               f"moved the M4B to {m4b}")
    assert (again.synthesised, again.encoded) == (0, 0)
    assert [p.name for p in again.files] == [p.name for p in first.files]
    check_layout(out)


def test_nothing_changed_renders_nothing_and_keeps_files(book: Path) -> None:
    first = render(book)
    before = {p: p.read_bytes() for p in first.files}
    second = render(book)
    assert (second.synthesised, second.encoded) == (0, 0)
    assert {p: p.read_bytes() for p in second.files} == before


def test_voice_change_resynthesises_exactly_that_speaker(book: Path) -> None:
    render(book)
    edit_voices(book, "voice: gmw/en-us+m7", "voice: gmw/en-us+m5")
    result = render(book)
    assert result.synthesised == distinct_lines(book, "Gerrit Pike")
    chapters_with_gerrit = {l.segment.chapter for l in pipeline.analyse(book / "manuscript", book / "voices.yaml")[1].lines
                            if l.segment.speaker == "Gerrit Pike"}
    assert result.encoded == len(chapters_with_gerrit)


def test_pronunciation_resynthesises_only_lines_with_the_word(book: Path) -> None:
    render(book)
    edit_voices(book, "  Brackwater: Brack-water\n", "  Brackwater: Brack-water\n  harbor: har-bur\n")
    manuscript = book / "manuscript" if (book / "manuscript").is_dir() else book
    _, cast = pipeline.analyse(manuscript, book / "voices.yaml")
    affected = {(l.voice, l.spoken) for l in cast.lines if "har-bur" in l.spoken}
    assert affected
    assert render(book).synthesised == len(affected)


def test_line_correction_resynthesises_only_that_line(book: Path) -> None:
    render(book)
    edit_voices(book, "# lines:\n#   - {match: \"Did he?\", speaker: Maren, chapter: 1}",
                "lines:\n  - {match: \"Did he?\", speaker: Ada, chapter: 1}")
    result = render(book)
    assert result.synthesised == 1
    assert result.encoded == 1


def test_force_rebuilds_everything(book: Path) -> None:
    first = render(book)
    forced = render(book, force=True)
    assert (forced.synthesised, forced.encoded) == (first.synthesised, 3)


def test_second_render_into_the_same_folder_is_refused(book: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from fullcast.publish.export import hold_output\n"
         "with hold_output(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)", str(book / "output")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(OutputError) as err:
            render(book)
        assert str(err.value) == (f"{book / 'output'}: another fullcast render (PID {holder.pid}) is writing to this "
                                  "folder; wait for it to finish, or render into a different --out")
    finally:
        holder.kill()
        holder.wait()


def test_interrupt_keeps_finished_segments_and_resumes(book: Path) -> None:
    cache = book / "output" / ".cache"
    interrupt(["render", "manuscript", "--voices", "voices.yaml", "--out", "output", "-j", "1"],
              lambda: len(list(cache.rglob("*.wav"))) >= 10, cwd=book, env={"FULLCAST_FAKE_DELAY": "0.05"})
    done = len(list(cache.rglob("*.wav")))
    assert done >= 10
    assert not list((book / "output").rglob("*.mp3"))
    result = render(book)
    assert result.synthesised == distinct_lines(book) - done
    assert len(result.files) == 3


def test_find_voices_looks_beside_the_manuscript_never_in_an_unrelated_current_folder(tmp_path: Path,
                                                                                       monkeypatch) -> None:
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "voices.yaml").write_text("engine: fake\n")
    (tmp_path / "books" / "novel").mkdir(parents=True)
    (tmp_path / "books" / "one.txt").write_text("x")
    monkeypatch.chdir(tmp_path / "desk")
    assert pipeline.find_voices(tmp_path / "books" / "one.txt") is None
    assert pipeline.find_voices(tmp_path / "books" / "novel") is None
    (tmp_path / "books" / "voices.yaml").write_text("engine: fake\n")
    assert pipeline.find_voices(tmp_path / "books" / "one.txt") == tmp_path / "books" / "voices.yaml"
    assert pipeline.find_voices(tmp_path / "books" / "novel") == tmp_path / "books" / "voices.yaml"
    (tmp_path / "books" / "novel" / "voices.yaml").write_text("engine: fake\n")
    assert pipeline.find_voices(tmp_path / "books" / "novel") == tmp_path / "books" / "novel" / "voices.yaml"
    (tmp_path / "desk" / "drafts").mkdir()
    assert pipeline.find_voices(Path("drafts") / "one.txt") == Path("voices.yaml")
    assert pipeline.find_voices(Path("one.txt")) == Path("voices.yaml")


def test_cap_jobs_lowers_to_the_cores_with_a_note(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert pipeline.cap_jobs(None) == (None, None)
    assert pipeline.cap_jobs(3) == (3, None)
    assert pipeline.cap_jobs(999) == (3, "--jobs 999 is more than the 3 cores here; using 3")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert pipeline.cap_jobs(2) == (1, "--jobs 2 is more than the 1 core here; using 1")


def test_find_voices_beside_the_current_folder_as_a_manuscript(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "novel").mkdir()
    (tmp_path / "voices.yaml").write_text("engine: fake\n")
    monkeypatch.chdir(tmp_path / "novel")
    assert pipeline.find_voices(Path(".")) == Path("../voices.yaml")
