"""Run the bundled ffmpeg binary and measure audio with it.

This is the only module that locates or starts ffmpeg. The binary comes from the
imageio-ffmpeg wheel, which ships no ffprobe, so stream facts are parsed from
`ffmpeg -i` and levels from one decoding pass through ffmpeg's own meters
(`astats`, `silencedetect`, `ebur128`), never from a home-made meter.
Every failure becomes an AudioError naming the file and ffmpeg's last real complaint.
"""

from __future__ import annotations

import math
import re
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import AudioError

SILENCE_DB = -50.0
"""Level below which head and tail audio counts as silence (room tone sits far below it)."""
SILENCE_MIN_S = 0.1
"""Shortest stretch `silencedetect` reports; shorter gaps are part of speech."""
PITCH_PAD_S = 0.1
"""Silence added after speech before a pitch shift, so the shift loses none of it."""

_running: set[subprocess.Popen] = set()
"""ffmpeg processes started by run_ffmpeg that have not finished; see stop_all."""
_running_lock = threading.Lock()


@dataclass(frozen=True)
class StreamInfo:
    """The first audio stream of a file, as `ffmpeg -i` describes it."""

    codec: str
    """Codec name, e.g. `mp3`, `pcm_s16le`, `aac`."""
    sample_rate: int
    """Hz."""
    channels: int
    """1 for mono, 2 for stereo (other layouts by their channel count)."""
    bit_rate: int | None
    """Stream bit rate in bits per second, or None when ffmpeg does not say."""
    duration_s: float | None
    """Container duration in seconds (estimated for MP3), or None when unknown."""


@dataclass(frozen=True)
class AudioStats:
    """Levels and silences of a whole decoded file, measured by ffmpeg's own filters."""

    integrated_lufs: float
    """EBU R128 / BS.1770 integrated loudness (ebur128), LUFS; -inf for silence."""
    true_peak_dbtp: float
    """True peak (ebur128, 4x oversampled), dBTP."""
    rms_db: float
    """Overall RMS level (astats), dBFS; ACX's "RMS"."""
    peak_db: float
    """Sample peak (astats), dBFS."""
    noise_floor_db: float
    """astats noise floor: the quietest short-window level, dBFS; -inf for digital silence."""
    head_silence_s: float
    """Silence before the first sound, seconds."""
    tail_silence_s: float
    """Silence after the last sound, seconds."""
    duration_s: float
    """Decoded length in seconds (samples / sample rate)."""


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary bundled with imageio-ffmpeg."""
    return _ffmpeg_exe()


@lru_cache(maxsize=1)
def _ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError) as exc:
        raise AudioError(f"cannot find the bundled ffmpeg ({exc}); reinstall with `pip install --force-reinstall imageio-ffmpeg`") from exc


def run_ffmpeg(args: Sequence[str | Path], *, input_bytes: bytes | None = None, feed: Iterable[bytes] | None = None,
               progress: Callable[[float], None] | None = None, subject: str | Path | None = None,
               check: bool = True) -> str:
    """Run ffmpeg with *args* and return its stderr; failures raise AudioError naming *subject*.

    Its standard input gets *input_bytes*, or the pieces of *feed* as they come (so audio
    streams in without ever being held whole); *progress* is called with the seconds of
    output written so far, as ffmpeg reports them.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", *(("-progress", "pipe:1", "-nostats") if progress else ()),
           *map(str, args)]
    fed = input_bytes is not None or feed is not None
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if fed else subprocess.DEVNULL,
                                stdout=subprocess.PIPE if progress else subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        raise AudioError(f"{subject or 'ffmpeg'}: cannot start ffmpeg ({exc.strerror or exc}); "
                         "reinstall imageio-ffmpeg") from exc
    with _running_lock:
        _running.add(proc)
    try:
        if feed is None and progress is None:
            _, err = proc.communicate(input_bytes)
        else:
            err = _stream(proc, [input_bytes] if input_bytes is not None else feed, progress)
    except BaseException:  # Ctrl-C reaches only us when ffmpeg is not in the terminal's foreground group
        proc.kill()
        proc.wait()
        raise
    finally:
        with _running_lock:
            _running.discard(proc)
    stderr = err.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        where = subject or _first_input(args) or "ffmpeg"
        reason = "stopped" if proc.returncode < 0 else last_error_line(stderr)
        raise AudioError(f"{where}: ffmpeg failed: {reason}; check the file is complete audio and the disk has space")
    return stderr


def _stream(proc: subprocess.Popen, feed: Iterable[bytes] | None, progress: Callable[[float], None] | None) -> bytes:
    """Write *feed* to ffmpeg's stdin while other threads drain its stderr and read its progress."""
    errors: list[bytes] = []
    readers = [threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)]
    if progress is not None:
        readers.append(threading.Thread(target=_read_progress, args=(proc.stdout, progress), daemon=True))
    for reader in readers:
        reader.start()
    if feed is not None:
        try:
            for piece in feed:
                proc.stdin.write(piece)
        except BrokenPipeError:
            pass  # ffmpeg stopped reading: its own complaint is on stderr
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
    proc.wait()
    for reader in readers:
        reader.join()
    return b"".join(errors)


def _read_progress(stdout, progress: Callable[[float], None]) -> None:  # noqa: ANN001 - a binary pipe
    """Call *progress* with the seconds of output for every `out_time_us=` line of `-progress pipe:1`."""
    for raw in stdout:
        key, _, value = raw.decode("ascii", "replace").strip().partition("=")
        if key == "out_time_us" and value.lstrip("-").isdigit():
            progress(max(0, int(value)) / 1e6)


def stop_all() -> None:
    """Terminate every ffmpeg this process is running (used when a render is interrupted)."""
    with _running_lock:
        procs = list(_running)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()


def last_error_line(stderr: str) -> str:
    """The last line of ffmpeg's stderr that says something specific (not progress, not a generic wrapper)."""
    lines = [re.sub(r"^\[[^\]]+\]\s*", "", line.strip()) for line in stderr.splitlines()]
    useful = [line for line in lines if line and not _NOISE.match(line)]
    return useful[-1][:300] if useful else "no message"


_NOISE = re.compile(r"^(size=|video:|Exiting|Conversion failed|Error (opening (input|output) files?\b|selecting an encoder))")
"""ffmpeg lines that repeat a more specific complaint made just before them."""


def _first_input(args: Sequence[str | Path]) -> str | None:
    items = [str(a) for a in args]
    return next((items[i + 1] for i, a in enumerate(items[:-1]) if a == "-i"), None)


_DURATION = re.compile(r"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+)[^,]*, (\d+) Hz, ([^,]+), [^,\n]+(?:, (\d+) kb/s)?")


def probe(path: Path) -> StreamInfo:
    """Codec, rate, channels, bit rate and duration of *path*'s first audio stream (from `ffmpeg -i`)."""
    if not Path(path).is_file():
        raise AudioError(f"{path}: no such file; render again or check the path")
    stderr = run_ffmpeg(["-i", path], check=False)
    audio = _AUDIO.search(stderr)
    if audio is None:
        raise AudioError(f"{path}: ffmpeg finds no audio stream ({last_error_line(stderr)}); "
                         "the file is damaged or not audio, render it again")
    duration = _DURATION.search(stderr)
    seconds = None
    if duration:
        h, m, s = duration.groups()
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
    codec, rate, layout, kbps = audio.groups()
    return StreamInfo(codec=codec, sample_rate=int(rate), channels=_channel_count(layout.strip()),
                      bit_rate=int(kbps) * 1000 if kbps else None, duration_s=seconds)


def _channel_count(layout: str) -> int:
    named = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}
    if layout in named:
        return named[layout]
    count = re.match(r"(\d+) channels", layout)
    return int(count.group(1)) if count else 1


def measure_audio(path: Path, *, silence_db: float = SILENCE_DB) -> AudioStats:
    """Loudness, peaks, noise floor, head/tail silence and length of *path*, in one ffmpeg pass."""
    info = probe(path)
    chain = (f"astats=metadata=0:measure_perchannel=none,"
             f"silencedetect=noise={silence_db}dB:duration={SILENCE_MIN_S},ebur128=peak=true:framelog=quiet")
    stderr = run_ffmpeg(["-i", path, "-map", "0:a:0", "-af", chain, "-f", "null", "-"], subject=path)
    samples = _number(stderr, r"Number of samples:\s*(\S+)")
    duration = samples / info.sample_rate if samples == samples else (info.duration_s or 0.0)
    head, tail = _edge_silences(stderr, duration)
    return AudioStats(
        integrated_lufs=_number(stderr, r"Integrated loudness:\s*\n\s*I:\s*(\S+) LUFS"),
        true_peak_dbtp=_number(stderr, r"True peak:\s*\n\s*Peak:\s*(\S+) dBFS"),
        rms_db=_number(stderr, r"RMS level dB:\s*(\S+)"),
        peak_db=_number(stderr, r"Peak level dB:\s*(\S+)"),
        noise_floor_db=_number(stderr, r"Noise floor dB:\s*(\S+)"),
        head_silence_s=head, tail_silence_s=tail, duration_s=duration,
    )


def integrated_loudness(path: Path, *, filters: str | None = None) -> float:
    """Integrated loudness of *path* in LUFS, after the ffmpeg filter chain *filters* when given (no true peak: fast)."""
    chain = f"{filters},ebur128=framelog=quiet" if filters else "ebur128=framelog=quiet"
    stderr = run_ffmpeg(["-i", path, "-map", "0:a:0", "-af", chain, "-f", "null", "-"], subject=path)
    return _number(stderr, r"Integrated loudness:\s*\n\s*I:\s*(\S+) LUFS")


def shift_pitch(source: Path, dest: Path, semitones: float, sample_rate: int) -> None:
    """Write *source* (mono 16-bit WAV at *sample_rate*) to *dest* as raw s16le PCM, *semitones* higher
    (lower when negative), with the same length and rate: resampled up or down, then stretched back in time.
    The stretch holds back its last ~30 ms, so 100 ms of silence goes in after the speech to carry them out."""
    factor = 2 ** (semitones / 12)
    chain = f"apad=pad_dur={PITCH_PAD_S},asetrate={sample_rate * factor:.3f},aresample={sample_rate},atempo={1 / factor:.6f}"
    run_ffmpeg(["-y", "-i", source, "-af", chain, "-ac", "1", "-c:a", "pcm_s16le", "-f", "s16le", dest],
               subject=source)


def pcm_loudness(pcm: bytes, sample_rate: int, *, sample_format: str = "s16le",
                 filters: str | None = None) -> tuple[float, float]:
    """Integrated loudness in LUFS of raw mono PCM piped through ebur128, before and after the filter chain
    *filters* (the same value twice without one): one pass, one meter, no file."""
    chain = f"ebur128=framelog=quiet,{filters},ebur128=framelog=quiet" if filters else "ebur128=framelog=quiet"
    stderr = run_ffmpeg(["-f", sample_format, "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
                         "-af", chain, "-f", "null", "-"], input_bytes=pcm, subject="loudness sample")
    found = [_to_float(x) for x in re.findall(r"Integrated loudness:\s*\n\s*I:\s*(\S+) LUFS", stderr)]
    return (found[0], found[-1]) if found else (math.nan, math.nan)


def _number(stderr: str, pattern: str) -> float:
    """The last match of *pattern* as a float (`-inf`/`inf` understood), or NaN when absent."""
    found = re.findall(pattern, stderr)
    return _to_float(found[-1]) if found else math.nan


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _edge_silences(stderr: str, duration: float) -> tuple[float, float]:
    """Seconds of silence at the start and at the end, from silencedetect's log."""
    starts = [float(x) for x in re.findall(r"silence_start:\s*(-?[\d.]+)", stderr)]
    ends = [float(x) for x in re.findall(r"silence_end:\s*(-?[\d.]+)", stderr)]
    head = ends[0] if starts and starts[0] <= 0.001 and ends else 0.0
    tail = 0.0
    if starts:
        last_start = starts[-1]
        # silencedetect closes a silence that runs into the end of the file at the file's length
        closed_at_end = len(ends) == len(starts) and abs(ends[-1] - duration) < 0.05
        if len(ends) < len(starts) or closed_at_end:
            tail = max(0.0, duration - last_start)
    if head >= duration > 0:
        tail = duration
    return head, tail
