"""Measure one finished audio file by itself, and tell whether it is whole.

The levels come from ffmpeg's own meters (astats, ebur128, silencedetect), the bit-rate
mode from the MP3's own header, the chapter marks from ffmpeg's listing (what players
see). A file that decodes shorter than its chapter marks or its header claims, or that
makes the decoder complain, is truncated or damaged, and `integrity_problem` says so.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..audio.ffmpeg import measure_audio, probe, run_ffmpeg
from .tag import read_mp3_facts

TRUNCATION_TOLERANCE_S = 0.5
"""Seconds a file may decode short of its marks or header (encoder delay and padding make ~0.05 s)."""


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
    marks_end_s: float | None = None
    """Where the last chapter marker ends, seconds; None without markers."""
    header_length_s: float | None = None
    """Length the file's own header claims (MP3 Xing/Info frame count, MP4 duration); None when it claims none."""
    decode_errors: tuple[str, ...] = ()
    """Distinct errors ffmpeg printed while decoding the file, first seen first."""


def measure_file(path: Path) -> FileMeasure:
    """Measure one file; AudioError when ffmpeg cannot decode it."""
    info = probe(path)
    with ThreadPoolExecutor(max_workers=1) as pool:  # the decoder-error pass runs beside the measuring one
        errors = pool.submit(_decode_errors, path)
        stats = measure_audio(path)
    bitrate, mode, claimed = info.bit_rate, "n/a", info.duration_s
    if path.suffix.lower() == ".mp3":
        facts = read_mp3_facts(path)
        # Without a Xing/Info/VBRI header ("unknown" mode) mutagen only estimates the length from the file size.
        bitrate, mode, claimed = facts.bitrate, facts.mode, None if facts.mode == "unknown" else facts.length_s
    ends = _chapter_ends(path)
    return FileMeasure(
        path=path, codec=info.codec, sample_rate=info.sample_rate, channels=info.channels, bitrate=bitrate,
        bitrate_mode=mode, duration_s=stats.duration_s, rms_db=stats.rms_db, peak_db=stats.peak_db,
        integrated_lufs=stats.integrated_lufs, true_peak_dbtp=stats.true_peak_dbtp,
        noise_floor_db=stats.noise_floor_db, head_silence_s=stats.head_silence_s,
        tail_silence_s=stats.tail_silence_s, chapters=len(ends), marks_end_s=max(ends, default=None),
        header_length_s=claimed, decode_errors=errors.result(),
    )


def integrity_problem(m: FileMeasure) -> str | None:
    """Why *m*'s file is truncated or damaged, with the numbers and the fix; None when it decodes whole and clean."""
    claims = {"its chapter marks run to": m.marks_end_s,
              f"its {'MP3' if m.path.suffix.lower() == '.mp3' else 'MP4'} header says": m.header_length_s}
    short = [f"{text} {clock(claim)}" for text, claim in claims.items()
             if claim is not None and m.duration_s < claim - TRUNCATION_TOLERANCE_S]
    found = [f"it decodes to {clock(m.duration_s)} but {' and '.join(short)}"] if short else []
    if m.decode_errors:  # the first two: the decoder's own complaint, then ffmpeg's generic wrapper of it
        found.append(f"ffmpeg reports decoding errors ({'; '.join(m.decode_errors[:2])})")
    if not found:
        return None
    return (f"{m.path}: {'truncated' if short else 'damaged'}: {', and '.join(found)}; "
            "render the book again to replace it")


def _chapter_ends(path: Path) -> list[float]:
    """End times of the chapter markers in *path* (ID3 CHAP or MP4 chapters), as `ffmpeg -i` lists them for players."""
    listing = run_ffmpeg(["-i", path], check=False)
    return [float(end) for end in re.findall(r"^\s*Chapter #\d+:\d+: start \S+, end (-?[\d.]+)", listing, re.M)]


def _decode_errors(path: Path) -> tuple[str, ...]:
    """The distinct errors ffmpeg prints while decoding *path* ("Header missing", "partial file"), first seen first."""
    stderr = run_ffmpeg(["-v", "error", "-i", path, "-map", "0:a:0", "-f", "null", "-"], check=False)
    # Lines read "[mp3float @ 0x…] Header missing"; the bracketed source and address differ from run to run.
    lines = (re.sub(r"^(\[[^\]]*\]\s*)+", "", line).strip() for line in stderr.splitlines())
    return tuple(dict.fromkeys(line for line in lines if line))


def clock(seconds: float) -> str:
    """M:SS.s, or H:MM:SS.s from an hour on: fine enough to compare a file's lengths."""
    minutes, secs = divmod(round(seconds, 1), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{secs:04.1f}" if hours else f"{minutes}:{secs:04.1f}"
