"""The book's folder on disk: safe names, the lock that keeps two renders apart, and atomic writes.

Every file is written under a hidden `.name.part-<pid>` and renamed into place, so a killed
render leaves nothing a player could take for finished; `sweep_parts` removes what a killed
render left, under the exclusive lock on the output folder (`.fullcast.lock`, holding the
holder's PID) that `hold_output` takes.
"""

from __future__ import annotations

import fcntl
import os
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import OutputError

LOCK_NAME = ".fullcast.lock"
"""Lock file in the output folder; holds the PID of the render writing there."""
PART = ".part-"
"""Marks a file being written: `.<final name>.part-<pid>`."""
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
"""Device names Windows will not create as files, whatever the extension."""
_held: dict[str, list] = {}
"""Output folders this process holds: resolved path -> [open lock file, nesting depth]."""
_held_lock = threading.Lock()


# --------------------------------------------------------------------------- names


def safe_filename(name: str, *, fallback: str = "untitled", max_bytes: int = 150) -> str:
    """*name* as one harmless file name: no separators, control characters, leading dots or device names."""
    text = unicodedata.normalize("NFC", name).replace(":", " -").replace('"', "'")
    text = "".join("_" if c in '/\\*?<>|' or unicodedata.category(c).startswith("C") else c for c in text)
    text = " ".join(text.split()).strip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = f"_{text}"
    encoded = text.encode("utf-8")[:max_bytes]
    return encoded.decode("utf-8", "ignore").rstrip(" .") or fallback


def chapter_filename(number: int, total: int, title: str, part: int = 1, parts: int = 1) -> str:
    """`NN - Title.mp3`, zero-padded so files sort in reading order; the parts of a long chapter are `NNa`, `NNb`…"""
    letter = "" if parts == 1 else chr(ord("a") + part - 1) if parts <= 26 else f"-{part:03d}"
    return f"{number:0{max(2, len(str(total)))}d}{letter} - {safe_filename(title)}.mp3"


# --------------------------------------------------------------------------- lock


@contextmanager
def hold_output(out: Path) -> Iterator[Path]:
    """Hold *out* for this render; another process holding it raises OutputError naming its PID. Re-entrant."""
    out = writable_folder(out)
    key = str(out.resolve())
    with _held_lock:
        if key in _held:
            _held[key][1] += 1
        else:
            _held[key] = [_acquire(out), 1]
    try:
        yield out
    finally:
        with _held_lock:
            _held[key][1] -= 1
            if _held[key][1] == 0:
                _held.pop(key)[0].close()  # closing the file releases the flock


def writable_folder(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror or exc}); "
                          "choose another --out or fix the parent folder's permissions") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: the output folder is not writable; choose another --out or run `chmod u+w {out}`")
    return out


def check_output_folder(out: Path, *, create: bool = False) -> Path:
    """*out*, or an OutputError when it cannot be created or written; created only with *create*.

    Checked before any work, so a bad --out fails in the first second with nothing written.
    """
    if out.is_file():
        raise OutputError(f"{out}: is a file, not a folder; choose another --out")
    base = next(folder for folder in (out, *out.parents, Path(".")) if os.path.exists(folder))
    fix = "choose another --out or fix the parent folder's permissions"
    probe = base / f".fullcast-probe-{os.getpid()}"
    try:  # os.access is not enough (root, ACLs, read-only mounts): a folder made and removed is the truth
        probe.mkdir()
        probe.rmdir()
        if create:
            out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if base == out:
            raise OutputError(f"{out}: the output folder is not writable; choose another --out or run "
                              f"`chmod u+w {out}`") from None
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror or exc}); {fix}") from None
    return out


def _acquire(out: Path):
    path = out / LOCK_NAME
    try:
        handle = open(path, "a+", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the lock file ({exc.strerror or exc}); "
                          "choose another --out or make the folder writable") from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or "unknown"
        handle.close()
        raise OutputError(f"{out}: another fullcast render (PID {pid}) is writing to this folder; "
                          "wait for it to finish, or render into a different --out") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


# --------------------------------------------------------------------------- writing


def write_text_atomic(path: Path, text: str, what: str | None = None) -> bool:
    """Write *text* to *path* via a hidden part file and rename; False (and no write) when already identical.

    *what* names the file in an error ("the transcript").
    """
    return write_bytes_atomic(path, text.encode("utf-8"), what)


def write_bytes_atomic(path: Path, data: bytes, what: str | None = None) -> bool:
    """Write *data* to *path* via a hidden part file and rename; False (and no write) when already identical."""
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}{PART}{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        fix = "check the folder exists and is writable" if what else "check free space and permissions"
        raise OutputError(f"{path}: cannot write{' ' + what if what else ''} ({exc.strerror or exc}); {fix}") from exc
    finally:  # also on Ctrl-C between the write and the rename
        tmp.unlink(missing_ok=True)
    return True


def sweep_parts(book_dir: Path) -> None:
    """Delete part files left by killed renders (the lock guarantees none is being written now)."""
    for leftover in book_dir.glob(f".*{PART}*"):
        try:
            leftover.unlink()
        except OSError as exc:
            raise OutputError(f"{leftover}: cannot remove a leftover of an interrupted render ({exc.strerror}); "
                              "delete it by hand") from exc
