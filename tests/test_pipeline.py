"""End-to-end renders with the fake engine: outputs, re-rendering only what changed, interrupts, locks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fullcast import pipeline
from fullcast.errors import OutputError

from support.library import check_layout
from support.s3 import bucket_fixture, s3_server_fixture  # noqa: F401 (fixtures)

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


def distinct_lines(book: Path, speaker: str | None = None) -> int:
    """Distinct (voice, text) pairs, which is what synthesis makes, for one speaker or all."""
    manuscript = book / "manuscript" if (book / "manuscript").is_dir() else book
    _, cast = pipeline.analyse(manuscript, book / "voices.yaml")
    return len({(l.voice, l.spoken) for l in cast.lines if speaker in (None, l.segment.speaker)})


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
    env = {**os.environ, "FULLCAST_FAKE_DELAY": "0.05"}
    args = [sys.executable, "-m", "fullcast", "render", "manuscript", "--voices", "voices.yaml", "--out", "output", "-j", "1"]
    proc = subprocess.Popen(args, cwd=book, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cache = book / "output" / ".cache"
    deadline = time.monotonic() + 60
    while len(list(cache.rglob("*.wav"))) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    began = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - began < 1.5
    assert proc.returncode == 130, err
    assert "Interrupted" in err
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


# --------------------------------------------------------------------------- render-many


def catalogue(root: Path) -> Path:
    """Three book folders: the sample book, a tiny book sharing a line with it, and one with a bad voices.yaml."""
    books = root / "catalogue"
    shutil.copytree(REPO / "manuscript", books / "lamp")
    text = (REPO / "voices.yaml").read_text(encoding="utf-8").replace("engine: pyttsx3", "engine: fake")
    (books / "lamp" / "voices.yaml").write_text(text, encoding="utf-8")
    (books / "tiny").mkdir()
    (books / "tiny" / "book.md").write_text("Title: Tiny\nAuthor: Ann Smith\n\n# Chapter One\n\nThe lamp was lit.\n")
    (books / "tiny" / "voices.yaml").write_text("engine: fake\nnarrator:\n  voice: gmw/en-us\n  rate: 170\n")
    (books / "broken").mkdir()
    (books / "broken" / "book.md").write_text("Title: Broken\n\nStory.\n")
    (books / "broken" / "voices.yaml").write_text("engine: fake\nbook:\n  series_part: two\n")
    return books


def test_render_many_gives_what_render_gives_and_isolates_a_failure(tmp_path: Path) -> None:
    books = catalogue(tmp_path)
    many = pipeline.render_many(books, tmp_path / "many", format=pipeline.Format.BOTH)
    assert [(b.name, b.result is not None) for b in many.books] == [("broken", False), ("lamp", True), ("tiny", True)]
    assert many.failed[0].error == f"{books / 'broken' / 'voices.yaml'}:3: book.series_part: must be a number, " \
                                   "e.g. 2 or 2.5, not 'two'"
    for book in many.books[1:]:
        alone = pipeline.render(books / book.name, None, tmp_path / "alone" / book.name, format=pipeline.Format.BOTH)
        assert [p.relative_to(tmp_path / "many") for p in book.result.files] == [
            p.relative_to(tmp_path / "alone" / book.name) for p in alone.files]
        for one, two in zip(book.result.files, alone.files):
            assert one.read_bytes() == two.read_bytes(), one.name
            if one.suffix == ".mp3":
                assert one.with_suffix(".vtt").read_bytes() == two.with_suffix(".vtt").read_bytes()
        state = tmp_path / "many" / ".fullcast" / book.result.book_dir.relative_to(tmp_path / "many")
        alone_state = tmp_path / "alone" / book.name / ".fullcast" / alone.book_dir.relative_to(
            tmp_path / "alone" / book.name)
        assert (state / ".fullcast-script.jsonl").read_bytes() == (alone_state / ".fullcast-script.jsonl").read_bytes()
        assert manifest_without_times(state) == manifest_without_times(alone_state)


def manifest_without_times(state: Path) -> dict:
    """The manifest, less each file's modification time (which differs between any two renders)."""
    data = json.loads((state / ".fullcast-manifest.json").read_text(encoding="utf-8"))
    for entry in data["files"].values():
        del entry["mtime_ns"]
    return data


def test_render_many_makes_a_shared_line_once(tmp_path: Path) -> None:
    books = catalogue(tmp_path)
    many = pipeline.render_many(books, tmp_path / "out")
    lamp, tiny = many.books[1].result, many.books[2].result
    # "Chapter One" in the narrator's voice is in both books: made once, for the first book that has it
    assert tiny.synthesised == distinct_lines(books / "tiny") - 1
    assert lamp.synthesised == distinct_lines(books / "lamp")
    again = pipeline.render_many(books, tmp_path / "out")
    assert [b.result.synthesised for b in again.books[1:]] == [0, 0]


def test_a_killed_render_many_leaves_nothing_half_written_and_resumes(tmp_path: Path) -> None:
    books = catalogue(tmp_path)
    env = {**os.environ, "FULLCAST_FAKE_DELAY": "0.05"}
    args = [sys.executable, "-m", "fullcast", "render-many", str(books), "--out", str(tmp_path / "out"), "-j", "1"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cache = tmp_path / "out" / ".cache"
    deadline = time.monotonic() + 60
    while len(list(cache.rglob("*.wav"))) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()  # SIGKILL: no handler runs
    proc.wait(timeout=30)
    done = len(list(cache.rglob("*.wav")))
    assert done >= 10
    visible = [p for p in (tmp_path / "out").rglob("*") if not any(part.startswith(".") for part in p.parts)]
    assert not [p for p in visible if p.is_file()]  # no file a player could take for finished
    again = pipeline.render_many(books, tmp_path / "out")
    made = sum(b.result.synthesised for b in again.books if b.result)
    assert made == distinct_lines(books / "lamp") + distinct_lines(books / "tiny") - 1 - done  # nothing twice


def test_render_many_shares_its_segments_through_an_s3_cache(tmp_path: Path, bucket) -> None:
    books = catalogue(tmp_path)
    first = pipeline.render_many(books, tmp_path / "first", cache=bucket.url())
    assert any(key.endswith(".wav") for key in bucket.keys()) and not any(k.endswith(".tmp") for k in bucket.keys())
    elsewhere = pipeline.render(books / "tiny", None, tmp_path / "elsewhere", cache=bucket.url())
    assert elsewhere.synthesised == 0  # another machine: every line comes from the bucket
    assert elsewhere.files[0].read_bytes() == first.books[2].result.files[0].read_bytes()


def test_render_many_on_a_local_ray_gives_the_same_books(tmp_path: Path) -> None:
    books = catalogue(tmp_path)
    local = pipeline.render_many(books, tmp_path / "local", format=pipeline.Format.BOTH)
    on_ray = pipeline.render_many(books, tmp_path / "ray", format=pipeline.Format.BOTH, cluster="local")
    assert [b.error for b in on_ray.books] == [b.error for b in local.books]
    for one, two in zip(local.books[1:], on_ray.books[1:]):
        assert [p.relative_to(tmp_path / "local") for p in one.result.files] == [
            p.relative_to(tmp_path / "ray") for p in two.result.files]
        for a, b in zip(one.result.files, two.result.files):
            assert a.read_bytes() == b.read_bytes(), a.name
            if a.suffix == ".mp3":
                assert a.with_suffix(".vtt").read_bytes() == b.with_suffix(".vtt").read_bytes()
        state = Path(".fullcast") / one.result.book_dir.relative_to(tmp_path / "local")
        assert manifest_without_times(tmp_path / "local" / state) == manifest_without_times(tmp_path / "ray" / state)
