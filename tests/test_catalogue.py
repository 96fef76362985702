"""render-many with the fake engine: the same books as render, shared lines made once, failures kept to their book,
two books encoded at once on shared encoders, Ctrl-C and SIGKILL, an S3 cache and a local Ray."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fullcast import catalogue, pipeline
from fullcast.audio import ffmpeg
from fullcast.errors import AudioError
from fullcast.publish import export
from fullcast.publish.folder import PART

from support.cli import interrupt
from support.render import distinct_lines
from support.s3 import bucket_fixture, s3_server_fixture  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parents[1]


def books_of(root: Path) -> Path:
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
    books = books_of(tmp_path)
    many = catalogue.render_many(books, tmp_path / "many", format=pipeline.Format.BOTH)
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
    books = books_of(tmp_path)
    many = catalogue.render_many(books, tmp_path / "out")
    lamp, tiny = many.books[1].result, many.books[2].result
    # "Chapter One" in the narrator's voice is in both books: made once, for the first book that has it
    assert tiny.synthesised == distinct_lines(books / "tiny") - 1
    assert lamp.synthesised == distinct_lines(books / "lamp")
    again = catalogue.render_many(books, tmp_path / "out")
    assert [b.result.synthesised for b in again.books[1:]] == [0, 0]


@pytest.mark.parametrize("cluster", [(), ("--cluster", "local")], ids=["threads", "ray"])
def test_a_killed_render_many_leaves_nothing_half_written_and_resumes(tmp_path: Path, cluster: tuple) -> None:
    books = books_of(tmp_path)
    env = {**os.environ, "FULLCAST_FAKE_DELAY": "0.05"}
    args = [sys.executable, "-m", "fullcast", "render-many", str(books), "--out", str(tmp_path / "out"), "-j", "1",
            *cluster]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cache = tmp_path / "out" / ".cache"
    deadline = time.monotonic() + 60
    while len(list(cache.rglob("*.wav"))) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()  # SIGKILL: no handler runs
    proc.wait(timeout=30)
    done = settled(cache)
    assert done >= 10
    visible = [p for p in (tmp_path / "out").rglob("*") if not any(part.startswith(".") for part in p.parts)]
    assert not [p for p in visible if p.is_file()]  # no file a player could take for finished
    again = catalogue.render_many(books, tmp_path / "out")
    made = sum(b.result.synthesised for b in again.books if b.result)
    assert made == distinct_lines(books / "lamp") + distinct_lines(books / "tiny") - 1 - done  # nothing twice


def settled(cache: Path, quiet: float = 2.0, within: float = 60.0) -> int:
    """The cache's finished entries once nobody writes any more. A Ray actor outlives its killed driver by a few
    seconds and finishes the batches it holds (measured: 11 entries at the kill, 32 once settled), so those
    count as done before the re-run."""
    seen, since, deadline = (-1, -1), time.monotonic(), time.monotonic() + within
    while time.monotonic() < deadline:
        now = len(list(cache.rglob("*.wav"))), len(list(cache.rglob("*.tmp")))
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return seen[0]
        time.sleep(0.1)
    raise AssertionError(f"the cache was still being written {within:.0f} s after the driver was killed")


def test_render_many_shares_its_segments_through_an_s3_cache(tmp_path: Path, bucket) -> None:
    books = books_of(tmp_path)
    first = catalogue.render_many(books, tmp_path / "first", cache=bucket.url())
    assert any(key.endswith(".wav") for key in bucket.keys()) and not any(k.endswith(".tmp") for k in bucket.keys())
    elsewhere = pipeline.render(books / "tiny", None, tmp_path / "elsewhere", cache=bucket.url())
    assert elsewhere.synthesised == 0  # another machine: every line comes from the bucket
    assert elsewhere.files[0].read_bytes() == first.books[2].result.files[0].read_bytes()


def test_render_many_on_a_local_ray_gives_the_same_books(tmp_path: Path) -> None:
    books = books_of(tmp_path)
    local = catalogue.render_many(books, tmp_path / "local", format=pipeline.Format.BOTH)
    on_ray = catalogue.render_many(books, tmp_path / "ray", format=pipeline.Format.BOTH, cluster="local")
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


def test_two_books_are_encoded_at_once_on_one_set_of_encoders(tmp_path: Path, monkeypatch) -> None:
    books = books_of(tmp_path)
    export_book, seen, active, most = export.export_book, [], [0], [0]

    def watched(*args, **kwargs):
        seen.append(kwargs["executor"])
        active[0] += 1
        most[0] = max(most[0], active[0])
        time.sleep(0.3)  # long enough for the other book to start, were it allowed to
        try:
            return export_book(*args, **kwargs)
        finally:
            active[0] -= 1

    monkeypatch.setattr(export, "export_book", watched)
    many = catalogue.render_many(books, tmp_path / "out")
    assert [b.error is None for b in many.books] == [False, True, True]
    assert most[0] == catalogue.BOOKS_AT_ONCE == 2
    assert len(seen) == 2 and seen[0] is seen[1]  # one pool of encoders, not one per book


def test_a_book_failing_as_it_encodes_stops_no_other_book(tmp_path: Path, monkeypatch) -> None:
    books = books_of(tmp_path)
    plan_chapter, stopped = export._plan_chapter, []

    def failing(job, *args, **kwargs):
        if job.tags.book.title != "Tiny":
            raise AudioError("chapter 1: the disk is full; free some space and render again")
        return plan_chapter(job, *args, **kwargs)

    monkeypatch.setattr(export, "_plan_chapter", failing)
    monkeypatch.setattr(ffmpeg, "stop_all", lambda: stopped.append(True))
    many = catalogue.render_many(books, tmp_path / "many")
    assert [(b.name, b.error) for b in many.books[1:]] == [
        ("lamp", "chapter 1: the disk is full; free some space and render again"), ("tiny", None)]
    assert stopped == []  # no other book's ffmpeg was terminated
    assert not list((tmp_path / "many").rglob(f".*{PART}*"))
    monkeypatch.setattr(export, "_plan_chapter", plan_chapter)
    alone = pipeline.render(books / "tiny", None, tmp_path / "alone")
    assert [p.read_bytes() for p in many.books[2].result.files] == [p.read_bytes() for p in alone.files]


def long_books(root: Path, count: int = 3, chapters: int = 12) -> Path:
    """*count* books of *chapters* chapters each, with the fake engine: enough encoding to interrupt."""
    books = root / "long"
    for number in range(1, count + 1):
        (books / f"book{number}").mkdir(parents=True)
        body = "".join(f"# Chapter {c}\n\n" + f"Book {number} chapter {c} paragraph {{}} goes on.\n\n" * 3
                       for c in range(1, chapters + 1)).replace("{}", "one")
        (books / f"book{number}" / "book.md").write_text(f"Title: Book {number}\nAuthor: Ann Smith\n\n{body}")
        (books / f"book{number}" / "voices.yaml").write_text("engine: fake\n")
    return books


@pytest.mark.parametrize("cluster", [(), ("--cluster", "local")], ids=["threads", "ray"])
def test_ctrl_c_stops_every_book_at_once_and_a_rerun_finishes_the_rest(tmp_path: Path, cluster: tuple) -> None:
    books, out = long_books(tmp_path), tmp_path / "out"
    # on Ray the cluster's tasks are cancelled and Ray is shut down too
    interrupt(["render-many", str(books), "--out", str(out), *cluster], lambda: bool(list(out.rglob(f".*{PART}*"))),
              within=6 if cluster else 3)
    assert not list(out.rglob(f".*{PART}*")) and not list(out.rglob("*.tmp"))
    finished = list((out / "mp3").rglob("*.mp3"))
    for path in finished:  # each one whole: it decodes to its end
        assert "Error" not in ffmpeg.run_ffmpeg(["-v", "error", "-i", path, "-f", "null", "-"], check=False)
    again = catalogue.render_many(books, out)
    assert sum(b.result.encoded for b in again.books) == 36 - len(finished)
    assert len(list((out / "mp3").rglob("*.mp3"))) == 36
