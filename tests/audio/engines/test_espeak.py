"""espeak: the voices espeak-ng knows, their checks, and the real pyttsx3 engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fullcast.audio import engines
from fullcast.errors import EngineError
from fullcast.settings.config import DEFAULT_AUTO_VOICES, DEFAULT_NARRATOR_VOICE

from support.wav import read_pcm

# --------------------------------------------------------------------------- voices


def test_list_voices_has_language_voices_and_english_variants() -> None:
    listed = {v.id: v for v in engines.list_voices("pyttsx3")}
    assert listed["gmw/en-us"] == engines.EngineVoice("gmw/en-us", "English (America)", ("en-us", "en"), "unknown")
    assert listed["gmw/en-us+f3"] == engines.EngineVoice("gmw/en-us+f3", "English (America) + female3",
                                                         ("en-us", "en"), "female")
    assert listed["gmw/en-gb-x-rp+m2"].gender == "male"
    assert "roa/fr+f3" not in listed and "roa/fr" in listed
    assert len(listed) == len(engines.list_voices("pyttsx3"))  # ids are unique


def test_every_default_voice_is_known() -> None:
    for voice_id in (DEFAULT_NARRATOR_VOICE, *(v for pool in DEFAULT_AUTO_VOICES.values() for v in pool)):
        engines.check_voice("pyttsx3", voice_id)


@pytest.mark.parametrize("voice_id", ["en-gb-x-rp", "English (America)", "GMW/EN-US+f3", "en-us+Annie"])
def test_check_voice_accepts_what_espeak_accepts(voice_id: str) -> None:
    engines.check_voice("pyttsx3", voice_id)


@pytest.mark.parametrize(("voice_id", "closest"), [
    ("gmw/en-uz", "gmw/en-us"),
    ("gmw/en-us+F3", "gmw/en-us+f3"),  # espeak would silently drop a variant in the wrong case
    ("gmw/en-us+f9", "gmw/en-us+f5"),
    ("gmw/en-uss+f3", "gmw/en-us+f3"),
])
def test_check_voice_names_the_voice_and_the_closest(voice_id: str, closest: str) -> None:
    with pytest.raises(EngineError) as caught:
        engines.check_voice("pyttsx3", voice_id)
    message = str(caught.value)
    assert message.startswith(f"the pyttsx3 engine has no voice {voice_id!r}; closest: ")
    assert closest in message.split("closest: ")[1].split(", ")
    assert closest in engines.closest_voices("pyttsx3", voice_id)


# --------------------------------------------------------------------------- real engine

REJECTED_VOICE = """
import sys
from pathlib import Path
from fullcast.audio import engines
from fullcast.errors import EngineError
from fullcast.model import Voice

engines.espeak.check_voice = lambda voice_id, engine='pyttsx3': None  # let the bad id reach espeak itself
engine = engines.Pyttsx3Engine()
engine.synthesize("Fine.", Voice("pyttsx3", "gmw/en-us", 175, 50, 0.9), Path(sys.argv[1]) / "ok.wav")
try:
    engine.synthesize("Never.", Voice("pyttsx3", "gmw/en-uz", 175, 50, 0.9), Path(sys.argv[1]) / "bad.wav")
except EngineError as error:
    print(error)
engine.synthesize("Again.", Voice("pyttsx3", "gmw/en-us+f3", 175, 50, 0.9), Path(sys.argv[1]) / "again.wav")
"""


@pytest.mark.real
def test_real_engine_reports_a_voice_espeak_rejects(tmp_path: Path) -> None:
    # Its own process: pyttsx3 must never start in the test runner, which may fork later.
    done = subprocess.run([sys.executable, "-c", REJECTED_VOICE, str(tmp_path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("espeak rejected voice 'gmw/en-uz' (rate 175, pitch 50, volume 0.9): ")
    assert "Audio saved" not in done.stdout
    for name in ("ok.wav", "again.wav"):
        shape, pcm = read_pcm(tmp_path / name)
        assert shape == (1, 2, 22050) and 0.4 < len(pcm) / 22050 < 2.0, name


MANY_LINES = """
import sys, wave
from pathlib import Path
from fullcast.audio import engines
from fullcast.model import Voice

engine = engines.get_engine("pyttsx3")
texts = ["Hi.", "Did he?", "The bell over the door jangled and a broad man came in out of the rain.", "No."] * 15
voices = [Voice("pyttsx3", v, 175, 50, 0.9) for v in ("gmw/en-us", "gmw/en+m3", "gmw/en-us+f3")]
for i, text in enumerate(texts):
    path = Path(sys.argv[1]) / f"{i:03d}.wav"
    engine.synthesize(text, voices[i % 3], path)
    with wave.open(str(path)) as w:
        print(w.getnframes())
"""


@pytest.mark.real
def test_real_engine_never_writes_an_empty_clip(tmp_path: Path) -> None:
    # Regression: with pyttsx3's runAndWait, a few clips in every hundred came out as a bare
    # 44-byte header (its queued endLoop raced espeak's callback thread).
    done = subprocess.run([sys.executable, "-c", MANY_LINES, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frames = [int(n) for n in done.stdout.split()]
    assert len(frames) == 60
    assert min(frames) > 0.3 * 22050, frames


# --------------------------------------------------------------------------- reproducible output


REPEATS = """
import hashlib, sys
from pathlib import Path
from fullcast.audio import engines
from fullcast.model import Voice

engine = engines.get_engine("pyttsx3")
print("reproducible", engine.reproducible)
voices = [Voice("pyttsx3", v, 175, 50, 0.9) for v in sys.argv[2].split(",")]
texts = ["The rain kept falling on the old town, and nobody in the square looked up.", "Can't sleep either?",
         "Never could; not with the bells going all night long. Never!"]
order = [(v, t) for v in voices for t in texts]
if sys.argv[3] == "shuffled":  # other voices and texts in between, in another order
    order = order[::-1] + order[1::2] + order[::3]
path = Path(sys.argv[1]) / "x.wav"
for voice, text in order:
    engine.synthesize(text, voice, path)
    print(voice.voice_id, texts.index(text), hashlib.sha256(path.read_bytes()).hexdigest())
"""
VARIED = "gmw/en-us,gmw/en-us+f3,gmw/en+m3,gmw/en-us+klatt4,gmw/en+whisper,gmw/en+adam,gmw/en-gb-x-rp+Annie"
"""Plain, breath and echo (f3), Klatt (klatt4), whisper, speechPlayer (adam) and variant voices."""


def speak(tmp_path: Path, voices: str, order: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", REPEATS, str(tmp_path), voices, order], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "reproducible True"
    return lines[1:]


@pytest.mark.real
def test_the_same_sentence_five_times_gives_the_same_samples(tmp_path: Path) -> None:
    # Before: 94,912 / 95,202 / 94,919 / 95,411 / 94,918 samples for this sentence in gmw/en-us.
    heard = speak(tmp_path, ",".join(["gmw/en-us"] * 5), "plain")
    assert len(heard) == 15
    for n in range(3):
        assert len({line for line in heard if line.split()[1] == str(n)}) == 1, heard


@pytest.mark.real
def test_two_fresh_processes_give_the_same_samples_in_any_order(tmp_path: Path) -> None:
    plain, shuffled = speak(tmp_path, VARIED, "plain"), speak(tmp_path, VARIED, "shuffled")
    assert len(plain) == 21 and len(shuffled) == 21 + 10 + 7
    assert sorted(set(shuffled)) == sorted(plain)  # every repeat, in either process, is the same


STOPPED = """
import hashlib, sys
from pathlib import Path
from fullcast.audio import engines
from fullcast.errors import EngineError
from fullcast.model import Voice

engine = engines.get_engine("pyttsx3")
voice = Voice("pyttsx3", "gmw/en-us", 175, 50, 0.9)
path = Path(sys.argv[1]) / "x.wav"
engine.synthesize("The rain kept falling on the old town.", voice, path)
before = path.read_bytes()
engines.espeak.UTTERANCE_TIMEOUT_S = 0.0
try:
    engine.synthesize("A sentence that is stopped before it is done. " * 40, voice, path)
except EngineError as error:
    print(error)
engines.espeak.UTTERANCE_TIMEOUT_S = 60.0
engine.synthesize("The rain kept falling on the old town.", voice, path)
print(path.read_bytes() == before)
"""


@pytest.mark.real
def test_an_utterance_over_time_is_stopped_and_the_engine_carries_on(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", STOPPED, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "espeak did not finish 'A sentence that is stopped before it is ' in voice 'gmw/en-us' within 0 s; "
        "split the paragraph or try again", "True"]
