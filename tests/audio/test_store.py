"""Tests for store.py: a shared segment cache in a bucket (a moto S3 server on loopback) or a shared folder.

Two books that share lines render in fresh local caches; the second fetches what the first made. Damaged and
half-published entries are never used, and an unreachable store is reported at once.
"""

from __future__ import annotations

import re
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from fullcast.audio.cache import cache_key
from fullcast.audio.store import open_store
from fullcast.audio.synthesis import Job, SynthesisProgress, synthesize_lines
from fullcast.casting.cast import cast_script
from fullcast.errors import OutputError
from fullcast.manuscript.plaintext import read_manuscript
from fullcast.script.analyse import analyse_book
from fullcast.settings.config import Config

from support.s3 import Bucket, bucket_fixture, s3_server_fixture  # noqa: F401 (fixtures)

BOOK_A = '# Chapter One\n\nRain fell on the old town.\n\n"Can\'t sleep either?" Tara asked.\n\nThe bell rang twice.\n'
BOOK_B = '# Chapter One\n\nRain fell on the old town.\n\n"Can\'t sleep either?" Tara asked.\n\nThe river was high.\n'
SPOKEN_A = ["Ms. Narrated by the fullcast ensemble.", "Chapter One", "Rain fell on the old town.",
            "Can't sleep either?", "Tara asked.", "The bell rang twice.", "You have been listening to Ms.",
            "The End."]
"""Every line of book A as spoken, in order; book B differs only in its sixth."""
TEMPORARY = re.compile(r"^cache/([0-9a-f]{2})/([0-9a-f]{64})\.wav\.[0-9a-f]{32}\.tmp$")


def book_lines(folder: Path, text: str) -> list:
    """The cast lines of a one-file book (the manuscript folder is named `ms` for every book, so the credits
    match), cast with the fake engine as tests/support/render.py does."""
    (folder / "ms").mkdir(parents=True)
    (folder / "ms" / "book.md").write_text(text, encoding="utf-8")
    config = Config(engine="fake")
    return cast_script(analyse_book(read_manuscript(folder / "ms"), config), config).lines


def made(clips: list) -> list[str]:
    """The lines synthesised in this run, as spoken."""
    return [clip.line.spoken for clip in clips if clip.synthesised]


def entry(key: str) -> str:
    """Where the entry for *key* lives in the store (the same layout in a bucket and a folder)."""
    return f"cache/{key[:2]}/{key}.wav"


def render(folder: Path, text: str, url: str) -> tuple[list, list[SynthesisProgress]]:
    """Synthesise a book into a fresh local cache in *folder* with the shared store at *url*; clips and progress."""
    reports: list[SynthesisProgress] = []
    lines = book_lines(folder, text)
    cache = folder / "cache"
    clips = synthesize_lines(lines, cache, store=open_store(url, local=cache), progress=reports.append)
    assert not list(cache.rglob("*.tmp"))
    return clips, reports


@dataclass(frozen=True)
class Folder:
    """A shared folder standing in for a bucket, with the same look-inside methods as `support.s3.Bucket`."""

    root: Path

    def url(self) -> str:
        """The `--cache` value naming the store in this folder."""
        return str(self.root / "cache")

    def keys(self) -> list[str]:
        """Every file in the folder, relative and sorted."""
        return sorted(path.relative_to(self.root).as_posix() for path in self.root.rglob("*") if path.is_file())

    def read(self, key: str) -> bytes:
        """The file at *key*."""
        return (self.root / key).read_bytes()

    def write(self, key: str, data: bytes) -> None:
        """Overwrite the file at *key* with *data*."""
        (self.root / key).write_bytes(data)


@pytest.fixture(params=["s3", "folder"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Bucket | Folder:
    """The shared store under test: a fresh bucket on the S3 test server, or a folder."""
    return request.getfixturevalue("bucket") if request.param == "s3" else Folder(tmp_path / "shared")


def test_a_second_book_fetches_the_lines_it_shares_with_the_first(tmp_path: Path, shared: Bucket | Folder) -> None:
    first, _ = render(tmp_path / "a", BOOK_A, shared.url())
    assert made(first) == SPOKEN_A
    keys = {cache_key(clip.line.voice, clip.line.spoken): clip for clip in first}
    assert shared.keys() == sorted(entry(key) for key in keys)  # published, and no temporary left behind

    second, reports = render(tmp_path / "b", BOOK_B, shared.url())
    assert made(second) == ["The river was high."]
    assert (reports[0].total, reports[0].cached, reports[-1].done) == (1, 7, 1)
    for clip in second:
        key = cache_key(clip.line.voice, clip.line.spoken)
        assert clip.path.read_bytes() == shared.read(entry(key))
        if key in keys:
            assert clip.path.read_bytes() == keys[key].path.read_bytes()
            assert clip.duration_ms == keys[key].duration_ms
    assert len(shared.keys()) == 9


def test_a_truncated_entry_is_synthesised_again_and_republished_whole(tmp_path: Path,
                                                                      shared: Bucket | Folder) -> None:
    first, _ = render(tmp_path / "a", BOOK_A, shared.url())
    rain = next(clip for clip in first if clip.line.spoken == "Rain fell on the old town.")
    key = entry(cache_key(rain.line.voice, rain.line.spoken))
    whole = shared.read(key)
    shared.write(key, whole[: len(whole) // 2])

    again, _ = render(tmp_path / "again", BOOK_A, shared.url())
    assert made(again) == ["Rain fell on the old town."]
    assert shared.read(key) == whole
    assert len(shared.keys()) == 8


def test_a_publish_interrupted_before_commit_leaves_only_temporaries_that_fetch_never_uses(
        tmp_path: Path, shared: Bucket | Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = book_lines(tmp_path / "a", BOOK_A)
    store = open_store(shared.url(), local=tmp_path / "a" / "cache")

    def interrupted(key: str, temporary: str) -> None:
        raise KeyboardInterrupt  # Ctrl-C between the upload and the commit

    monkeypatch.setattr(store, "_commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        synthesize_lines(lines, tmp_path / "a" / "cache", store=store)
    left = shared.keys()
    assert left and all(TEMPORARY.match(name) for name in left)

    again, _ = render(tmp_path / "b", BOOK_A, shared.url())
    assert made(again) == SPOKEN_A
    finals = sorted(entry(cache_key(clip.line.voice, clip.line.spoken)) for clip in again)
    assert shared.keys() == sorted(finals + left)


def test_an_entry_already_there_whole_is_not_uploaded_again(tmp_path: Path, shared: Bucket | Folder,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    clips, _ = render(tmp_path / "a", BOOK_A, shared.url())
    store = open_store(shared.url(), local=tmp_path / "a" / "cache")
    uploads: list[str] = []
    upload = store._upload
    monkeypatch.setattr(store, "_upload", lambda path, key, temporary: (uploads.append(key), upload(path, key,
                                                                                                    temporary)))
    jobs = [Job(cache_key(c.line.voice, c.line.spoken), c.line.voice, c.line.spoken, c.path) for c in clips[:3]]
    store.publish(jobs)
    assert uploads == []
    shared.write(entry(jobs[1].key), b"RIFF")
    store.publish(jobs)
    assert uploads == [jobs[1].key]
    assert shared.read(entry(jobs[1].key)) == jobs[1].path.read_bytes()


def test_the_local_cache_itself_is_no_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.chdir(tmp_path)
    assert open_store(str(cache), local=cache) is None
    assert open_store("cache/", local=cache) is None
    assert open_store(f"file://{cache}", local=cache) is None
    assert open_store(str(tmp_path / "shared"), local=cache) is not None


def test_an_unreachable_endpoint_is_reported_within_seconds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fullcast-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fullcast-test-secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(OutputError) as caught:
        open_store("s3://books/cache", local=tmp_path / "cache")
    assert time.monotonic() - started < 15
    assert str(caught.value) == (f"--cache s3://books/cache: cannot reach the cache (no answer from "
                                 f"http://127.0.0.1:{port}); check the URL and credentials")


def test_a_missing_bucket_is_reported(tmp_path: Path, bucket: Bucket) -> None:
    with pytest.raises(OutputError) as caught:
        open_store(f"s3://{bucket.name}-gone/cache", local=tmp_path / "cache")
    assert str(caught.value) == (f"--cache s3://{bucket.name}-gone/cache: cannot reach the cache (there is no "
                                 f"bucket '{bucket.name}-gone'); check the URL and credentials")


def test_a_missing_backend_names_the_package_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec  # noqa: F401 (loads fsspec.registry)

    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if s3fs were not installed
    monkeypatch.delitem(sys.modules["fsspec.registry"]._registry, "s3", raising=False)
    with pytest.raises(OutputError) as caught:
        open_store("s3://books/cache", local=tmp_path / "cache")
    assert str(caught.value) == '--cache s3://books/cache: needs s3fs; run pip install -e ".[s3]"'


def test_an_unusable_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OutputError) as caught:
        open_store(str(tmp_path / "file" / "cache"), local=tmp_path / "cache")
    assert str(caught.value) == (f"--cache {tmp_path}/file/cache: cannot use the folder {tmp_path}/file/cache "
                                 "(Not a directory); check that it can be created and written")
