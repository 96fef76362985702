"""Everything is checked before synthesis, and bad output folders never give a traceback (issue 14, items 3-5).

A missing or broken cover, an output folder that cannot be written, a clash of --format and
--profile fail in the first second with one `Error:` line and nothing written under --out;
--jobs is capped at the cores there are; `preview` and `voices --sample` report a bad --out
in one line.
"""

from __future__ import annotations

import multiprocessing.context
import os
from pathlib import Path

import pytest

from support.cli import CAST, STORY, run


def render(book: Path, *extra: str) -> tuple[int, str]:
    return run("render", str(book / "story.md"), "--out", str(book / "out"), *extra)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under *folder* and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_missing_cover_fails_before_any_synthesis(book: Path) -> None:
    (book / "voices.yaml").write_text(CAST + "book:\n  cover: art/cover.jpg\n", encoding="utf-8")
    assert render(book) == (1, f"Error: {book / 'voices.yaml'}: book.cover: {book / 'art' / 'cover.jpg'} does not "
                               "exist; fix the path (it is relative to voices.yaml) or remove the key\n")
    assert not (book / "out").exists()


def test_an_invalid_cover_fails_before_any_synthesis_and_keeps_the_last_render(book: Path) -> None:
    assert render(book)[0] == 0
    before = snapshot(book / "out")
    (book / "cover.jpg").write_bytes(b"not an image")
    (book / "story.md").write_text(STORY + '\n"More," said Tara.\n', encoding="utf-8")
    assert render(book) == (1, f"Error: book.cover: {book / 'cover.jpg'} is not a valid image (not a recognised "
                               "image format); use a JPEG or PNG file\n")
    assert snapshot(book / "out") == before


def test_an_output_folder_under_a_file_fails_before_any_synthesis(book: Path) -> None:
    (book / "afile").write_text("x")
    assert run("render", str(book / "story.md"), "--out", str(book / "afile")) == (
        1, f"Error: {book / 'afile'}: is a file, not a folder; choose another --out\n")
    assert (book / "afile").read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_output_folder_fails_before_any_synthesis(book: Path) -> None:
    (book / "out").mkdir()
    (book / "out").chmod(0o500)
    try:
        assert render(book) == (1, f"Error: {book / 'out'}: the output folder is not writable; choose another "
                                   f"--out or run `chmod u+w {book / 'out'}`\n")
        assert list((book / "out").iterdir()) == []
    finally:
        (book / "out").chmod(0o700)


def test_an_output_folder_that_cannot_be_made_fails_before_any_synthesis(book: Path, monkeypatch) -> None:
    real_mkdir = Path.mkdir

    def refuse(path: Path, *args, **kwargs) -> None:
        if path.parent == book:  # as if book/ were read-only, which root cannot make it
            raise PermissionError(13, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert render(book) == (1, f"Error: {book / 'out'}: cannot create the output folder (Permission denied); "
                               "choose another --out or fix the parent folder's permissions\n")
    assert not (book / "out").exists()


def test_an_output_folder_that_cannot_be_written_fails_before_any_synthesis(book: Path, monkeypatch) -> None:
    assert render(book)[0] == 0
    before = snapshot(book / "out")
    (book / "story.md").write_text(STORY + '\n"More," said Tara.\n', encoding="utf-8")
    real_mkdir = Path.mkdir

    def refuse(path: Path, *args, **kwargs) -> None:
        if path.parent == book / "out":  # as if out/ were read-only, which root cannot make it
            raise PermissionError(13, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert render(book) == (1, f"Error: {book / 'out'}: the output folder is not writable; choose another --out or "
                               f"run `chmod u+w {book / 'out'}`\n")
    assert snapshot(book / "out") == before


def test_a_format_the_profile_does_not_take_fails_before_anything(book: Path) -> None:
    assert render(book, "--format", "mp3", "--profile", "apple") == (
        1, "Error: --format mp3 does not give the m4b that --profile apple wants; use --format m4b, both or all, "
           "or drop one of the two\n")
    assert render(book, "--format", "both", "--profile", "apple")[0] == 0
    assert render(book, "--format", "mp3", "--profile", "audible") == (
        1, "Error: --profile audible: unknown profile; choose one of acx, google-play, apple (did you mean apple?)\n")


def test_jobs_is_capped_at_the_cores_here(book: Path, monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    pools: list[int] = []
    real_pool = multiprocessing.context.BaseContext.Pool

    def counted(self, processes=None, *args, **kwargs):
        pools.append(processes)
        return real_pool(self, processes, *args, **kwargs)

    monkeypatch.setattr(multiprocessing.context.BaseContext, "Pool", counted)
    code, output = render(book, "--jobs", "999")
    assert code == 0, output
    assert output.splitlines()[1] == "Note: --jobs 999 is more than the 2 cores here; using 2"
    assert pools == [2]
    assert output.splitlines()[-1].startswith("synthesised 7/7 segments · re-encoded 1/1 chapters · ")
    code, output = run("render", str(book / "story.md"), "--out", str(book / "out"), "--force", "-j", "2")
    assert code == 0 and "Note: --jobs" not in output


def test_preview_into_a_bad_folder_is_one_line(book: Path) -> None:
    (book / "afile").write_text("x")
    args = ("preview", "Tara", str(book / "story.md"), "--out")
    assert run(*args, str(book / "afile")) == (
        1, f"Error: {book / 'afile'}: is a file, not a folder; choose another --out\n")
    assert run(*args, str(book / "afile" / "out")) == (
        1, f"Error: {book / 'afile' / 'out'}: cannot create the output folder (Not a directory); choose another --out "
           "or fix the parent folder's permissions\n")
    assert (book / "afile").read_text() == "x"


def test_voices_sample_into_a_bad_folder_is_one_line(book: Path) -> None:
    (book / "afile").write_text("x")
    args = ("voices", "--engine", "fake", "--lang", "gmw/en-us+f1", "--sample", "--out")
    assert run(*args, str(book / "afile")) == (
        1, f"Error: {book / 'afile'}: is a file, not a folder; choose another --out\n")
    assert run(*args, str(book / "afile" / "x")) == (
        1, f"Error: {book / 'afile' / 'x'}: cannot create the output folder (Not a directory); choose another --out "
           "or fix the parent folder's permissions\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_preview_into_an_unwritable_folder_is_one_line(book: Path) -> None:
    (book / "locked").mkdir()
    (book / "locked").chmod(0o500)
    try:
        assert run("preview", "Tara", str(book / "story.md"), "--out", str(book / "locked")) == (
            1, f"Error: {book / 'locked'}: the output folder is not writable; choose another --out or run "
               f"`chmod u+w {book / 'locked'}`\n")
    finally:
        (book / "locked").chmod(0o700)


def test_preview_and_samples_into_a_folder_that_cannot_be_made_are_one_line(book: Path, monkeypatch) -> None:
    real_mkdir = Path.mkdir

    def refuse(path: Path, *args, **kwargs) -> None:
        if path.parent == book:
            raise PermissionError(13, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert run("preview", "Tara", str(book / "story.md"), "--out", str(book / "out")) == (
        1, f"Error: {book / 'out'}: cannot create the output folder (Permission denied); choose another --out or "
           "fix the parent folder's permissions\n")
    assert run("voices", "--engine", "fake", "--lang", "gmw/en-us+f1", "--sample", "--out", str(book / "out")) == (
        1, f"Error: {book / 'out'}: cannot create the output folder (Permission denied); choose another --out or "
           "fix the parent folder's permissions\n")
