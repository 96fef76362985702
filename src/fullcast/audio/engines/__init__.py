"""Speech engines behind one small interface: each lists its voices and turns text into a WAV file.

One module per engine: `espeak` (espeak-ng through pyttsx3's binding, the default) and `fake`
(a tone per word, for tests); `espeak_state` resets espeak before every utterance so its output
is reproducible. `base` holds the interface they share, and `registry` maps the names
voices.yaml uses to engines. Everything outside this package imports the package, never a module in it.

May import: `model`, `errors`, and its own modules.
"""

from .base import SAMPLE_RATE, Engine, EngineVoice, write_wav
from .espeak import Pyttsx3Engine, preload_espeak
from .fake import FAKE_DELAY_ENV, FakeEngine, fake_frequency
from .registry import ENGINE_NAMES, check_voice, closest_voices, get_engine, list_voices, runs_in_process

__all__ = ["ENGINE_NAMES", "FAKE_DELAY_ENV", "SAMPLE_RATE", "Engine", "EngineVoice", "FakeEngine", "Pyttsx3Engine",
           "check_voice", "closest_voices", "fake_frequency", "get_engine", "list_voices", "preload_espeak",
           "runs_in_process", "write_wav"]
