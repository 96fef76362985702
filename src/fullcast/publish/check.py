"""Check finished audio files against distributor specifications (ACX, Google Play, Apple).

Each file is measured by itself with ffmpeg's own meters (astats, ebur128,
silencedetect), whatever made it, and the MP3 headers are read for the bit-rate
mode. The numbers come from research/audio-facts.md §1. Files are grouped into
books by folder; each profile takes from a book the files its distributor would get
(with no profile named, each file gets those that fit its format: `plan_checks`),
and only the files some profile takes are measured. A file that cannot be decoded,
decodes shorter than its chapter marks or header claim, or makes the decoder
complain, becomes a problem entry naming the fix; the check goes on with the others.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, Sequence

from ..errors import AudioError, ConfigError, OutputError, closest
from .measure import FileMeasure, integrity_problem, measure_file

AUDIO_SUFFIXES = (".mp3", ".m4b", ".m4a")
"""Files `check` measures."""
_BOOK_FORMATS = {".m4b", ".m4a"}


class Profile(str, Enum):
    """A distributor's specification."""

    ACX = "acx"
    GOOGLE_PLAY = "google-play"
    APPLE = "apple"


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
    """The profiles checked against: those asked for, or those that fit the files found."""
    files: tuple[FileMeasure, ...]
    """Every file measured, in path order."""
    rows: tuple[CheckRow, ...]
    """Every requirement checked, by profile, then book, then file."""
    problems: tuple[FileProblem, ...]
    """Files that could not be measured or are truncated or damaged, or the absence of any audio file."""
    checked: tuple[tuple[Path, tuple[Profile, ...]], ...] = ()
    """Every file some profile takes (measured or not), in path order, with the profiles that take it."""

    @property
    def failures(self) -> tuple[CheckRow, ...]:
        """The rows that failed."""
        return tuple(row for row in self.rows if not row.passed)

    @property
    def passed(self) -> bool:
        """True when something was measured, nothing failed and there were no problems."""
        return bool(self.files) and not self.problems and not self.failures

    @property
    def summary(self) -> str:
        """One line: how many files were checked against which profiles, and the outcome."""
        groups = Counter(profiles for _, profiles in self.checked)
        if len(groups) > 1:
            order = {profile: i for i, profile in enumerate(Profile)}
            ranked = sorted(groups.items(), key=lambda group: [order[p] for p in group[0]])
            against = " (" + "; ".join(f"{count} against {_names(group)}" for group, count in ranked) + ")"
        else:
            names = next(iter(groups), self.profiles)
            against = f" against {_names(names)}" if names else ""
        failed = len(self.failures) + len(self.problems)
        return f"{len(self.checked)} file(s) checked{against}: " + ("all pass" if self.passed else f"{failed} failure(s)")


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
    """Measure the audio files under *path* and check them against each profile (those that fit when none given)."""
    asked = parse_profiles([p.value if isinstance(p, Profile) else p for p in profiles]) if profiles else ()
    files = find_audio_files(path)
    plan = plan_checks(files, asked)
    wanted = sorted({file for _, _, taken in plan for file in taken}, key=str)
    measures: dict[Path, FileMeasure] = {}
    problems: list[FileProblem] = []
    for file in wanted:
        try:
            measures[file] = measure_file(file)
        except AudioError as exc:
            problems.append(FileProblem(file, str(exc)))
            continue
        trouble = integrity_problem(measures[file])
        if trouble:
            problems.append(FileProblem(file, trouble))
    if not files:
        problems.append(FileProblem(path, f"{path}: no audio files ({', '.join(AUDIO_SUFFIXES)}) found; "
                                          "render a book into it first, or give the book's output folder"))
    root = path if path.is_dir() else path.parent
    rows = [row for profile, folder, taken in plan for row in _profile_rows(profile, folder, taken, measures, root)]
    checked = tuple((file, tuple(p for p, _, taken in plan if file in taken)) for file in wanted)
    used = asked or tuple(dict.fromkeys(profile for profile, _, _ in plan))
    return CheckReport(path, used, tuple(measures.values()), tuple(rows), tuple(problems), checked)


def plan_checks(files: Sequence[Path], profiles: Sequence[Profile]) -> list[tuple[Profile, Path, list[Path]]]:
    """(profile, book folder, the files it takes from that book), by profile, then book.

    Profiles given apply as asked, to every book. With none, each file gets the
    profiles that fit its format: MP3 chapter files ACX and Google Play, an M4B
    Apple (it is Apple's audiobook format; Google lists M4A but not M4B), an M4A
    Apple and Google Play. Google takes one delivery per book: its MP3s when it has any.
    """
    books: dict[Path, list[Path]] = {}
    for file in files:
        books.setdefault(file.parent, []).append(file)
    plan = []
    for profile in profiles or tuple(Profile):
        for folder, book in books.items():
            taken = _delivery_files(profile, book, asked=bool(profiles))
            if taken or profiles:
                plan.append((profile, folder, taken))
    return plan


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


# --------------------------------------------------------------------------- profiles


def _profile_rows(profile: Profile, folder: Path, taken: list[Path], measures: dict[Path, FileMeasure],
                  root: Path) -> list[CheckRow]:
    """The book rows, then the file rows, of one profile for one book folder."""
    files = [measures[path] for path in taken if path in measures]
    if taken and not files:
        return []  # every file it takes is a problem entry already; book rows would only repeat that
    rows = _BOOK_RULES[profile](profile, _book_label(folder, root), files)
    for m in files:
        rows += [CheckRow(profile, _relative(m.path, root), *spec) for spec in _FILE_RULES[profile](m)]
    return rows


def _delivery_files(profile: Profile, book: list[Path], *, asked: bool) -> list[Path]:
    """The files of a book a distributor would get: MP3 for ACX, MP3 (else M4A) for Google, M4B/M4A for Apple.

    A profile *asked* for by name falls back to the book's other format (Apple to the
    MP3s, Google to an M4B), so its rows say why that format fails it.
    """
    mp3 = [p for p in book if p.suffix.lower() == ".mp3"]
    whole = [p for p in book if p.suffix.lower() in _BOOK_FORMATS]
    if profile is Profile.APPLE:
        return whole or (mp3 if asked else [])
    if profile is Profile.GOOGLE_PLAY:
        return mp3 or (whole if asked else [p for p in whole if p.suffix.lower() == ".m4a"])
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


def _acx_book(profile: Profile, label: str, files: list[FileMeasure]) -> list[CheckRow]:
    if not files:
        return [CheckRow(profile, label, "files", "no MP3", "MP3 files (render --format mp3)", False)]
    layouts = sorted({_channels(m.channels) for m in files})
    return [CheckRow(profile, label, "channels", ", ".join(layouts), "all mono or all stereo", len(layouts) == 1)]


def _google_book(profile: Profile, label: str, files: list[FileMeasure]) -> list[CheckRow]:
    total = sum(m.duration_s for m in files)
    return [CheckRow(profile, label, "book length", _length(total), "5 min to 100 h", 300 <= total <= 100 * 3600)]


def _apple_book(profile: Profile, label: str, files: list[FileMeasure]) -> list[CheckRow]:
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


def _names(profiles: Sequence[Profile]) -> str:
    return ", ".join(p.value for p in profiles)


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
