"""folder: safe file and folder names, the output lock, and atomic writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fullcast.errors import OutputError
from fullcast.publish import folder

from support.holder import HOLDER, start_holder

# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(("title", "expected"), [
    ("Chapter One: The Harbour", "Chapter One - The Harbour"),
    ("../../etc/x", "_.._etc_x"),
    ("..", "untitled"),
    ("", "untitled"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("a\x00b\nc\td", "a_b_c_d"),
    ('What? "Yes" <no> | a\\b*', "What_ 'Yes' _no_ _ a_b_"),
    ("  .hidden  ", "hidden"),
    ("Café Ünïcode", "Café Ünïcode"),
])
def test_safe_filename(title: str, expected: str) -> None:
    assert folder.safe_filename(title) == expected


def test_safe_filename_truncates_on_a_character_boundary() -> None:
    name = folder.safe_filename("é" * 200)
    assert len(name.encode("utf-8")) <= 150
    assert name == "é" * 75


def test_chapter_filenames_sort_in_reading_order() -> None:
    assert folder.chapter_filename(3, 12, "The End") == "03 - The End.mp3"
    assert folder.chapter_filename(7, 120, "Seven/Eight") == "007 - Seven_Eight.mp3"


# --------------------------------------------------------------------------- lock

def test_second_render_into_a_held_folder_names_the_holder(tmp_path: Path) -> None:
    holder = start_holder(tmp_path / "out")
    try:
        with pytest.raises(OutputError) as caught:
            with folder.hold_output(tmp_path / "out"):
                pass
        assert str(caught.value) == (f"{tmp_path / 'out'}: another fullcast render (PID {holder.pid}) is writing to "
                                     "this folder; wait for it to finish, or render into a different --out")
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_render_does_not_block(tmp_path: Path) -> None:
    holder = start_holder(tmp_path / "out")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (tmp_path / "out" / folder.LOCK_NAME).read_text().strip() == str(holder.pid)
    with folder.hold_output(tmp_path / "out"):
        assert (tmp_path / "out" / folder.LOCK_NAME).read_text().strip() == str(os.getpid())


def test_hold_output_is_reentrant_within_a_process(tmp_path: Path) -> None:
    with folder.hold_output(tmp_path):
        with folder.hold_output(tmp_path):
            pass
        # still held after the inner exit: another process is refused and told our PID
        child = subprocess.run([sys.executable, "-c", HOLDER, str(tmp_path)], capture_output=True, text=True, timeout=60)
        assert child.returncode != 0
        assert f"OutputError: {tmp_path}: another fullcast render (PID {os.getpid()})" in child.stderr
    holder = start_holder(tmp_path)  # released after the outer exit
    holder.kill()
    holder.wait()


def test_unwritable_out_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=rf"^{blocker / 'out'}: cannot create the output folder .*--out"):
        with folder.hold_output(blocker / "out"):
            pass


def test_part_files_of_a_long_chapter_sort_after_it_and_before_the_next() -> None:
    names = [folder.chapter_filename(7, 12, "Seven", part, 3) for part in (1, 2, 3)]
    assert names == ["07a - Seven.mp3", "07b - Seven.mp3", "07c - Seven.mp3"]
    assert sorted([folder.chapter_filename(8, 12, "Eight"), *reversed(names)]) == [*names, "08 - Eight.mp3"]


def test_write_text_atomic_writes_nothing_when_the_text_is_already_there(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    assert folder.write_text_atomic(path, "one\n") is True
    before = path.stat().st_mtime_ns
    assert folder.write_text_atomic(path, "one\n") is False
    assert path.stat().st_mtime_ns == before
    assert folder.write_text_atomic(path, "two\n") is True and path.read_text() == "two\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
