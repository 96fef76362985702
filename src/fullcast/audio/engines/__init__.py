"""Speech engines behind one small interface: each lists its voices and turns text into a WAV file.

One module per engine: `espeak` (espeak-ng through pyttsx3's binding, the default), `kokoro`
and `piper` (neural voices; `onnx` holds onnxruntime for both) and `fake` (a tone per word, for
tests); `espeak_state` resets espeak before every utterance so its output is reproducible. `base` holds the interface they share, and `registry` maps the names
voices.yaml uses to engines. Everything outside this package imports the package, never a module in it.

May import: `model`, `errors`, and its own modules.
"""

from .base import SAMPLE_RATE, Engine, EngineVoice, write_wav
from .espeak import Pyttsx3Engine, preload_espeak
from .fake import FAKE_DELAY_ENV, FakeEngine, fake_frequency
from .registry import (
    ENGINE_NAMES,
    MEMORY_MB,
    check_files,
    check_voice,
    closest_voices,
    digest,
    get_engine,
    list_voices,
    native_pitch,
    prepare,
    reading_language,
    runs_in_process,
    use_model_cache,
)

__all__ = ["ENGINE_NAMES", "FAKE_DELAY_ENV", "MEMORY_MB", "SAMPLE_RATE", "Engine", "EngineVoice", "FakeEngine",
           "Pyttsx3Engine", "check_files", "check_voice", "closest_voices", "digest", "fake_frequency", "get_engine",
           "list_voices", "native_pitch", "preload_espeak", "prepare", "reading_language",
           "runs_in_process", "use_model_cache", "write_wav"]
