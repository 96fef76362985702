"""Check finished audio files against distributor specifications (ACX, Google Play, Apple).

Each file is measured by itself with ffmpeg's own meters (astats, ebur128,
silencedetect), whatever made it, and the MP3 headers are read for the bit-rate
mode. The numbers come from research/audio-facts.md §1. A file that cannot be
decoded becomes a problem entry and the check goes on with the others. Files are
grouped into books by folder, for the rules that concern a whole book.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, Sequence

from ..audio.ffmpeg import measure_audio, probe, run_ffmpeg
from ..errors import AudioError, ConfigError, OutputError, closest
from .tag import read_mp3_facts

AUDIO_SUFFIXES = (".mp3", ".m4b", ".m4a")
"""Files `check` measures."""
_BOOK_FORMATS = {".m4b", ".m4a"}


class Profile(str, Enum):
    """A distributor's specification."""

    ACX = "acx"
    GOOGLE_PLAY = "google-play"
    APPLE = "apple"


@dataclass(frozen=True)
class FileMeasure:
    """Everything measured about one audio file."""

    path: Path
    """The file."""
    codec: str
    """Audio codec as ffmpeg names it (`mp3`, `aac`)."""
    sample_rate: int
    """Hz."""
    channels: int
    """1 mono, 2 stereo."""
    bitrate: int | None
    """Bits per second, or None when unknown."""
    bitrate_mode: str
    """`CBR`, `VBR`, `ABR` or `unknown` for MP3 (from its Xing/Info header); `n/a` for other formats."""
    duration_s: float
    """Decoded length in seconds."""
    rms_db: float
    """Overall RMS level, dBFS (astats)."""
    peak_db: float
    """Sample peak, dBFS (astats)."""
    integrated_lufs: float
    """Integrated loudness, LUFS (ebur128)."""
    true_peak_dbtp: float
    """True peak, dBTP (ebur128)."""
    noise_floor_db: float
    """Quietest short-window level, dBFS (astats); -inf for digital silence."""
    head_silence_s: float
    """Silence before the first sound, seconds."""
    tail_silence_s: float
    """Silence after the last sound, seconds."""
    chapters: int
    """Chapter markers ffmpeg lists in the file."""


@dataclass(frozen=True)
class CheckRow:
    """One requirement of one profile, checked for a file or a whole book."""

    profile: Profile
    """The specification."""
    subject: str
    """The file (relative to the checked folder), or the book folder ending in `/`."""
    measure: str
    """What was measured, e.g. `RMS`."""
    value: str
    """The measured value, formatted with its unit."""
    limit: str
    """The requirement, e.g. `-23 to -18 dB`."""
    passed: bool
    """True when the value meets the requirement."""


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be checked, or a folder with nothing to check."""

    path: Path
    """The file or folder."""
    message: str
    """One line: what is wrong and what to do."""


@dataclass(frozen=True)
class CheckReport:
    """The result of `fullcast check`."""

    folder: Path
    """The folder (or file) checked."""
    profiles: tuple[Profile, ...]
    """The profiles checked against."""
    files: tuple[FileMeasure, ...]
    """Every file measured, in path order."""
    rows: tuple[CheckRow, ...]
    """Every requirement checked, by profile, then book, then file."""
    problems: tuple[FileProblem, ...]
    """Files that could not be measured, or the absence of any audio file."""

    @property
    def failures(self) -> tuple[CheckRow, ...]:
        """The rows that failed."""
        return tuple(row for row in self.rows if not row.passed)

    @property
    def passed(self) -> bool:
        """True when something was measured, nothing failed and there were no problems."""
        return bool(self.files) and not self.problems and not self.failures


def parse_profiles(names: Sequence[str]) -> tuple[Profile, ...]:
    """Profiles from their names; no names means every profile."""
    known = [p.value for p in Profile]
    profiles = []
    for name in names or known:
        if name.lower() not in known:
            hint = closest(name, known)
            raise ConfigError(f"--profile {name}: unknown profile; choose one of {', '.join(known)}"
                              + (f" (did you mean {hint[0]}?)" if hint else ""))
        profiles.append(Profile(name.lower()))
    return tuple(dict.fromkeys(profiles))


def check_files(path: Path, profiles: Sequence[str | Profile] = ()) -> CheckReport:
    """Measure every audio file under *path* and check it against each profile."""
    chosen = parse_profiles([p.value if isinstance(p, Profile) else p for p in profiles])
    files = find_audio_files(path)
    measures: list[FileMeasure] = []
    problems: list[FileProblem] = []
    for file in files:
        try:
            measures.append(measure_file(file))
        except AudioError as exc:
            problems.append(FileProblem(file, str(exc)))
    if not files:
        problems.append(FileProblem(path, f"{path}: no audio files ({', '.join(AUDIO_SUFFIXES)}) found; "
                                          "render a book into it first, or give the book's output folder"))
    root = path if path.is_dir() else path.parent
    rows = [row for profile in chosen for row in _profile_rows(profile, measures, root)]
    return CheckReport(path, chosen, tuple(measures), tuple(rows), tuple(problems))


def find_audio_files(path: Path) -> list[Path]:
    """*path* itself if it is an audio file, else every audio file under it, in path order."""
    if not path.exists():
        raise OutputError(f"{path}: no such file or folder; give the output folder of a render")
    if path.is_file():
        return [path] if path.suffix.lower() in AUDIO_SUFFIXES else []
    found = (p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    # Hidden names are files still being written (`.name.part-…`) or caches, not deliverables.
    visible = (p for p in found if not any(part.startswith(".") for part in p.relative_to(path).parts))
    return sorted(visible, key=lambda p: str(p))


def measure_file(path: Path) -> FileMeasure:
    """Measure one file; AudioError when ffmpeg cannot decode it."""
    info = probe(path)
    stats = measure_audio(path)
    bitrate, mode = info.bit_rate, "n/a"
    if path.suffix.lower() == ".mp3":
        facts = read_mp3_facts(path)
        bitrate, mode = facts.bitrate, facts.mode
    return FileMeasure(
        path=path, codec=info.codec, sample_rate=info.sample_rate, channels=info.channels, bitrate=bitrate,
        bitrate_mode=mode, duration_s=stats.duration_s, rms_db=stats.rms_db, peak_db=stats.peak_db,
        integrated_lufs=stats.integrated_lufs, true_peak_dbtp=stats.true_peak_dbtp,
        noise_floor_db=stats.noise_floor_db, head_silence_s=stats.head_silence_s,
        tail_silence_s=stats.tail_silence_s, chapters=_chapter_count(path),
    )


def _chapter_count(path: Path) -> int:
    """Chapter markers in *path*, as `ffmpeg -i` lists them (the same view players get)."""
    return len(re.findall(r"^\s*Chapter #\d+:\d+:", run_ffmpeg(["-i", path], check=False), re.M))


# --------------------------------------------------------------------------- profiles


def _profile_rows(profile: Profile, measures: Sequence[FileMeasure], root: Path) -> list[CheckRow]:
    """Book rows, then file rows, for every book folder under *root*."""
    rows: list[CheckRow] = []
    for folder, book in _books(measures).items():
        files = _delivery_files(profile, book)
        label = _book_label(folder, root)
        rows += _BOOK_RULES[profile](profile, label, files, book)
        for m in files:
            subject = _relative(m.path, root)
            rows += [CheckRow(profile, subject, *spec) for spec in _FILE_RULES[profile](m)]
    return rows


def _books(measures: Sequence[FileMeasure]) -> dict[Path, list[FileMeasure]]:
    """Measures grouped by folder: one folder is one book."""
    books: dict[Path, list[FileMeasure]] = {}
    for m in measures:
        books.setdefault(m.path.parent, []).append(m)
    return books


def _delivery_files(profile: Profile, book: list[FileMeasure]) -> list[FileMeasure]:
    """The files of a book a distributor would get: MP3 for ACX and Google, M4B for Apple when there is one."""
    mp3 = [m for m in book if m.path.suffix.lower() == ".mp3"]
    whole = [m for m in book if m.path.suffix.lower() in _BOOK_FORMATS]
    if profile is Profile.APPLE:
        return whole or mp3
    if profile is Profile.GOOGLE_PLAY:
        return mp3 or whole
    return mp3


Spec = tuple[str, str, str, bool]
"""(measure, value, limit, passed) of one row."""


def _acx_file(m: FileMeasure) -> list[Spec]:
    # ACX states RMS only; for speech integrated loudness tracks per-channel RMS in mono, while
    # BS.1770 sums the channels, so the same stereo programme reads 3 LU higher.
    low = -23.0 if m.channels == 1 else -20.0
    return [
        ("format", _suffix(m), "MP3", m.path.suffix.lower() == ".mp3" and m.codec == "mp3"),
        ("RMS", _db(m.rms_db, "dB"), "-23 to -18 dB", _within(m.rms_db, -23.0, -18.0)),
        ("peak", _db(m.peak_db, "dB"), "≤ -3 dB", _within(m.peak_db, -math.inf, -3.0)),
        ("integrated loudness", _db(m.integrated_lufs, "LUFS"), f"{low:g} to {low + 5:g} LUFS",
         _within(m.integrated_lufs, low, low + 5)),
        ("noise floor", _db(m.noise_floor_db, "dB"), "≤ -60 dB", _within(m.noise_floor_db, -math.inf, -60.0)),
        ("sample rate", f"{m.sample_rate} Hz", "44100 Hz", m.sample_rate == 44100),
        ("bit rate", _kbps(m.bitrate), "≥ 192 kbps", _kbps_at_least(m.bitrate, 192)),
        ("bit rate mode", m.bitrate_mode, "CBR", m.bitrate_mode == "CBR"),
        ("head silence", f"{m.head_silence_s:.2f} s", "0.5 to 1 s", _within(m.head_silence_s, 0.5, 1.0)),
        ("tail silence", f"{m.tail_silence_s:.2f} s", "1 to 5 s", _within(m.tail_silence_s, 1.0, 5.0)),
        ("length", _length(m.duration_s), "≤ 120 min", m.duration_s <= 120 * 60),
    ]


def _google_file(m: FileMeasure) -> list[Spec]:
    need = 128 if m.channels == 1 else 256
    return [
        ("format", _suffix(m), "MP3 or AAC (M4A/M4B)", m.codec in ("mp3", "aac")),
        ("bit rate", _kbps(m.bitrate), f"≥ {need} kbps ({_channels(m.channels)})", _kbps_at_least(m.bitrate, need)),
        ("head silence", f"{m.head_silence_s:.2f} s", "> 0 s", m.head_silence_s > 0),
        ("tail silence", f"{m.tail_silence_s:.2f} s", "> 0 s", m.tail_silence_s > 0),
    ]


def _apple_file(m: FileMeasure) -> list[Spec]:
    return [
        ("format", _suffix(m), "M4B (AAC)", m.path.suffix.lower() in _BOOK_FORMATS and m.codec == "aac"),
        ("length", _length(m.duration_s), "≤ 23 h", m.duration_s <= 23 * 3600),
        ("chapters", f"{m.chapters}", "≥ 1 chapter marker", m.chapters >= 1),
    ]


def _acx_book(profile: Profile, label: str, files: list[FileMeasure], book: list[FileMeasure]) -> list[CheckRow]:
    if not files:
        return [CheckRow(profile, label, "files", "no MP3", "MP3 files (render --format mp3)", False)]
    layouts = sorted({_channels(m.channels) for m in files})
    return [CheckRow(profile, label, "channels", ", ".join(layouts), "all mono or all stereo", len(layouts) == 1)]


def _google_book(profile: Profile, label: str, files: list[FileMeasure], book: list[FileMeasure]) -> list[CheckRow]:
    total = sum(m.duration_s for m in files)
    return [CheckRow(profile, label, "book length", _length(total), "5 min to 100 h", 300 <= total <= 100 * 3600)]


def _apple_book(profile: Profile, label: str, files: list[FileMeasure], book: list[FileMeasure]) -> list[CheckRow]:
    total = sum(m.duration_s for m in files)
    if total < 23 * 3600:
        return [CheckRow(profile, label, "files", f"{len(files)} ({_length(total)})", "1 file for a book < 23 h",
                         len(files) == 1)]
    return [CheckRow(profile, label, "files", f"{len(files)} ({_length(total)})", "≤ 25 parts", len(files) <= 25)]


_FILE_RULES: dict[Profile, Callable[[FileMeasure], list[Spec]]] = {
    Profile.ACX: _acx_file, Profile.GOOGLE_PLAY: _google_file, Profile.APPLE: _apple_file,
}
_BOOK_RULES = {Profile.ACX: _acx_book, Profile.GOOGLE_PLAY: _google_book, Profile.APPLE: _apple_book}


# --------------------------------------------------------------------------- formatting


def _within(value: float, low: float, high: float) -> bool:
    """low <= value <= high, to the 0.01 the table shows; NaN (not measured) never passes."""
    return not math.isnan(value) and low - 0.005 <= value <= high + 0.005


def _kbps_at_least(bitrate: int | None, kbps: int) -> bool:
    return bitrate is not None and round(bitrate / 1000) >= kbps


def _db(value: float, unit: str) -> str:
    if math.isnan(value):
        return "not measured"
    return f"-inf {unit}" if math.isinf(value) and value < 0 else f"{value:.1f} {unit}"


def _kbps(bitrate: int | None) -> str:
    return "unknown" if bitrate is None else f"{round(bitrate / 1000)} kbps"


def _length(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _channels(count: int) -> str:
    return {1: "mono", 2: "stereo"}.get(count, f"{count} channels")


def _suffix(m: FileMeasure) -> str:
    return f"{m.path.suffix.lower().lstrip('.').upper()} ({m.codec})"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _book_label(folder: Path, root: Path) -> str:
    relative = _relative(folder, root)
    return "./" if relative == "." else relative.rstrip("/") + "/"
