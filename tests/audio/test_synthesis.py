"""Tests for synthesis.py: the segment cache, re-synthesis of exactly what changed, the pool, and Ctrl-C."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
import wave
from dataclasses import replace
from pathlib import Path

import pytest

from fullcast.audio import engines, synthesis
from fullcast.audio.cache import cache_key, cache_path, wav_duration_ms
from fullcast.audio.synthesis import SynthesisProgress, synthesize_lines, synthesize_text, synthesize_texts
from fullcast.audio.utterances import split_utterances
from fullcast.errors import EngineError
from fullcast.model import Line, Segment, SegmentKind, Voice

NARRATOR = Voice("fake", "gmw/en-us", 175, 50, 0.9)
TARA = Voice("fake", "gmw/en-us+f3", 175, 55, 0.9)
WILLOW = Voice("fake", "gmw/en+f2", 180, 50, 0.8)


def line(index: int, speaker: str, voice: Voice, text: str) -> Line:
    kind = SegmentKind.NARRATION if speaker == "narrator" else SegmentKind.DIALOGUE
    return Line(Segment(1, index, kind, speaker, text, None, None, None), voice, text)


def script() -> list[Line]:
    return [
        line(0, "narrator", NARRATOR, "Rain fell on the old town."),
        line(1, "Tara", TARA, "Can't sleep either?"),
        line(2, "Willow", WILLOW, "Never could, not here."),
        line(3, "narrator", NARRATOR, "She shrugged."),
        line(4, "Tara", TARA, "Me neither."),
    ]


def made(clips: list) -> list[int]:
    return [clip.line.segment.index for clip in clips if clip.synthesised]


def test_first_run_makes_everything_second_run_nothing(tmp_path: Path) -> None:
    first = synthesize_lines(script(), tmp_path)
    again = synthesize_lines(script(), tmp_path)
    assert made(first) == [0, 1, 2, 3, 4]
    assert made(again) == []
    assert [c.path for c in first] == [c.path for c in again]
    assert [c.duration_ms for c in first] == [c.duration_ms for c in again]
    for clip in first:
        key = cache_key(clip.line.voice, clip.line.spoken)
        assert clip.path == cache_path(tmp_path, key) == tmp_path / key[:2] / f"{key}.wav"
        assert clip.duration_ms == wav_duration_ms(clip.path)
    # 6 words at 175 wpm plus 312 ms of silence, as the fake engine makes it
    assert first[0].duration_ms == (312 * 22050 // 1000 + 6 * (22050 * 60 // 175)) * 1000 // 22050


def test_changing_one_voice_or_one_text_remakes_exactly_those_lines(tmp_path: Path) -> None:
    synthesize_lines(script(), tmp_path)
    louder = [replace(l, voice=replace(TARA, volume=1.0)) if l.segment.speaker == "Tara" else l for l in script()]
    assert made(synthesize_lines(louder, tmp_path)) == [1, 4]
    edited = list(louder)
    edited[2] = replace(edited[2], spoken="Never could, not in this town.")
    assert made(synthesize_lines(edited, tmp_path)) == [2]
    assert made(synthesize_lines(script(), tmp_path)) == []  # the old entries are still there


def test_identical_lines_are_made_once(tmp_path: Path) -> None:
    lines = [line(0, "narrator", NARRATOR, "Again."), line(1, "narrator", NARRATOR, "Again."),
             line(2, "Tara", TARA, "Again.")]
    clips = synthesize_lines(lines, tmp_path)
    assert made(clips) == [0, 2]
    assert clips[0].path == clips[1].path != clips[2].path


def test_truncated_or_foreign_cache_entries_are_remade(tmp_path: Path) -> None:
    clips = synthesize_lines(script(), tmp_path)
    whole = clips[1].path.read_bytes()
    clips[1].path.write_bytes(whole[: len(whole) // 2])
    clips[3].path.write_bytes(b"RIFF" + bytes(60))
    assert wav_duration_ms(clips[1].path) is None and wav_duration_ms(clips[3].path) is None
    again = synthesize_lines(script(), tmp_path)
    assert made(again) == [1, 3]
    assert again[1].path.read_bytes() == whole


def test_force_remakes_everything(tmp_path: Path) -> None:
    synthesize_lines(script(), tmp_path)
    assert made(synthesize_lines(script(), tmp_path, force=True)) == [0, 1, 2, 3, 4]


def test_progress_reports_every_segment_and_the_audio_made(tmp_path: Path) -> None:
    synthesize_lines(script()[:2], tmp_path)
    reports: list[SynthesisProgress] = []
    clips = synthesize_lines(script(), tmp_path, progress=reports.append)
    new_seconds = sum(c.duration_ms for c in clips if c.synthesised) / 1000
    assert [(r.done, r.total, r.cached) for r in reports] == [(0, 3, 2), (1, 3, 2), (2, 3, 2), (3, 3, 2)]
    assert reports[-1].audio_seconds == pytest.approx(new_seconds)


def test_leftovers_of_dead_processes_are_swept(tmp_path: Path) -> None:
    key = cache_key(NARRATOR, "Not in this script.")
    folder = tmp_path / key[:2]
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = folder / f"{key}.{dead.stdout.strip()}.tmp"
    live = folder / f"{key}.{os.getpid()}.tmp"  # e.g. a preview being written right now
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    assert made(synthesize_lines(script()[:1], tmp_path)) == [0]
    assert not stale.exists() and live.exists()


def test_an_engine_error_names_the_line(tmp_path: Path) -> None:
    bad = [script()[0], line(7, "Willow", replace(WILLOW, voice_id="gmw/en+f9"), "Hello.")]
    with pytest.raises(EngineError) as caught:
        synthesize_lines(bad, tmp_path)
    assert str(caught.value).startswith(
        "chapter 1 segment 7 (Willow, voice gmw/en+f9): the fake engine has no voice 'gmw/en+f9'; closest: ")
    assert made(synthesize_lines(bad[:1], tmp_path)) == []  # what finished before the error is kept


def test_worker_pool_makes_the_same_audio(tmp_path: Path) -> None:
    in_process = synthesize_lines(script(), tmp_path / "a")
    pooled = synthesize_lines(script(), tmp_path / "b", jobs=2)
    assert made(pooled) == [0, 1, 2, 3, 4]
    assert [c.path.read_bytes() for c in pooled] == [c.path.read_bytes() for c in in_process]


def test_synthesize_text_writes_one_wav(tmp_path: Path) -> None:
    duration = synthesize_text("Hello there, reader.", TARA, tmp_path / "tara.wav")
    assert duration == wav_duration_ms(tmp_path / "tara.wav") == (6879 + 3 * 7560) * 1000 // 22050  # at 175 wpm
    assert [p.name for p in tmp_path.iterdir()] == ["tara.wav"]


@pytest.mark.real
def test_real_engine_through_the_spawn_pool(tmp_path: Path) -> None:
    voices = [Voice("pyttsx3", "gmw/en-us", 175, 50, 0.9), Voice("pyttsx3", "gmw/en-us+f3", 175, 60, 0.9),
              Voice("pyttsx3", "gmw/en+m3", 200, 40, 0.9)]
    texts = ["The rain kept falling on the old town.", "Can't sleep either?", "Never could."]
    lines = [line(i, f"s{i}", v, t) for i, (v, t) in enumerate(zip(voices, texts))]
    clips = synthesize_lines(lines, tmp_path, jobs=2)
    assert made(clips) == [0, 1, 2]
    for clip, words in zip(clips, (8, 3, 2)):
        with wave.open(str(clip.path), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        speech_s = words * 60 / clip.line.voice.rate
        assert 0.5 * speech_s + 0.3 < clip.duration_ms / 1000 < 2.0 * speech_s + 0.6, clip
    bogus = line(3, "Faith", replace(voices[0], voice_id="gmw/en-uz"), "Hello.")
    with pytest.raises(EngineError, match=r"^chapter 1 segment 3 \(Faith, voice gmw/en-uz\): the pyttsx3 engine has "
                                          r"no voice 'gmw/en-uz'; closest: gmw/en-us"):
        synthesize_lines([*lines, bogus], tmp_path, jobs=2)


def fake_frames(text: str, rate: int = 175) -> int:
    """Frames the fake engine writes for *text* in one utterance: 12 ms + 300 ms of silence and one tone per word."""
    words = sum(1 for word in text.split() if any(c.isalnum() for c in word))
    return int(0.012 * 22050) + int(0.3 * 22050) + words * (22050 * 60 // rate)


def test_a_line_too_long_for_one_utterance_is_spoken_in_pieces_into_its_one_clip(tmp_path: Path) -> None:
    text = " ".join(f"Sentence {n} of a paragraph that goes on, and on, and on." for n in range(80))
    assert len(text) > engines.FakeEngine.max_utterance_chars
    pieces = split_utterances(text, engines.FakeEngine.max_utterance_chars)
    assert [len(p) for p in pieces] == [1984, 1994, 569]
    clips = synthesize_lines([line(0, "narrator", NARRATOR, text)], tmp_path)
    assert clips[0].path == cache_path(tmp_path, cache_key(NARRATOR, text))
    with wave.open(str(clips[0].path), "rb") as wav:
        assert wav.getnframes() == sum(fake_frames(p) for p in pieces)
    assert [p.name for p in clips[0].path.parent.iterdir()] == [clips[0].path.name]  # no piece left behind
    again = synthesize_lines([line(0, "narrator", NARRATOR, text)], tmp_path / "b", jobs=2)
    assert again[0].path.read_bytes() == clips[0].path.read_bytes()


def test_a_paragraph_of_megabytes_streams_through_the_fake_engine(tmp_path: Path) -> None:
    words = ["Incomprehensibilities", "notwithstanding,", "counterrevolutionaries", "disproportionately",
             "overintellectualized", "misinterpretations."]
    sentence = " ".join(w * 2 for w in words)  # doubled words keep the WAV small: about 40 characters each
    text = " ".join([sentence] * (1_500_000 // (len(sentence) + 1)))
    voice = replace(NARRATOR, rate=900)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clips = synthesize_lines([line(0, "narrator", voice, text)], tmp_path)
    pieces = split_utterances(text, engines.FakeEngine.max_utterance_chars)
    assert len(text) > 1_400_000 and len(pieces) == 788
    assert clips[0].duration_ms == sum(fake_frames(p, 900) for p in pieces) * 1000 // 22050
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 100_000  # KB: streamed, not held


def test_a_line_longer_than_a_wav_clip_can_hold_is_refused_with_a_fix(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(synthesis, "MAX_WAV_BYTES", 100_000)
    text = " ".join(["Word after word after word after word."] * 120)
    with pytest.raises(EngineError) as caught:
        synthesize_lines([line(4, "narrator", NARRATOR, text)], tmp_path)
    assert str(caught.value) == (
        "chapter 1 segment 4 (narrator, voice gmw/en-us): the speech for 'Word after word after word after "
        "word. W' runs over 0.0 hours, more than one WAV clip can hold; split the paragraph into shorter ones")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.real
def test_real_engine_speaks_a_long_paragraph_whole(tmp_path: Path) -> None:
    # pyttsx3's driver appends audio quadratically (32,000 characters took 42 s, 40,000 timed out), so a long
    # paragraph goes to it in utterances of at most max_utterance_chars; how fast is benchmarks/' business
    sentence = "The rain kept falling on the old town, and nobody in the square looked up. "
    text = (sentence * (40_000 // len(sentence))).strip()
    voice = Voice("pyttsx3", "gmw/en-us", 175, 50, 0.9)
    clips = synthesize_lines([line(0, "narrator", voice, text)], tmp_path, jobs=1)
    assert 2200 < clips[0].duration_ms / 1000 < 2400  # about 38 minutes of speech, none of it lost


@pytest.mark.real
def test_two_cold_caches_give_byte_identical_clips(tmp_path: Path) -> None:
    voices = [Voice("pyttsx3", "gmw/en-us", 175, 50, 0.9), Voice("pyttsx3", "gmw/en-us+f3", 175, 60, 0.9),
              Voice("pyttsx3", "gmw/en+m3", 200, 40, 0.9), Voice("pyttsx3", "gmw/en-us+klatt4", 160, 50, 1.0)]
    texts = ["The rain kept falling on the old town.", "Can't sleep either?", "Never could, not here.",
             "She shrugged; the bells went on.", "Me neither.", "Somewhere a dog barked twice, then nothing."]
    lines = [line(i, f"s{i % 4}", voices[i % 4], texts[(i * 5) % 6]) for i in range(12)]
    first = synthesize_lines(lines, tmp_path / "a", jobs=2)
    second = synthesize_lines(lines[::-1], tmp_path / "b", jobs=2)[::-1]  # other workers get other segments
    assert made(first) == list(range(12))
    assert [c.path.read_bytes() for c in second] == [c.path.read_bytes() for c in first]


# --------------------------------------------------------------------------- Ctrl-C

RUNNER = """
import sys
from pathlib import Path
from fullcast.model import Line, Segment, SegmentKind, Voice
from fullcast.audio.synthesis import synthesize_lines

def main():
    voice = Voice(sys.argv[2], "gmw/en-us", 175, 50, 0.9)
    lines = [Line(Segment(1, i, SegmentKind.NARRATION, "narrator", "", None, None, None), voice,
                  f"Sentence number {i} is here.") for i in range(int(sys.argv[3]))]
    report = lambda p: print(f"done {p.done}", flush=True)
    try:
        clips = synthesize_lines(lines, Path(sys.argv[1]), jobs=2, progress=report)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
    print(f"synthesised {sum(c.synthesised for c in clips)}", flush=True)

if __name__ == "__main__":
    main()
"""


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def run_until(script_path: Path, cache: Path, engine: str, count: int, stop_after: int | None,
              how: signal.Signals = signal.SIGINT) -> tuple[list[str], list[int]]:
    """Run RUNNER; once it reports *stop_after* segments, send it *how*. Its output and its workers' pids."""
    env = dict(os.environ, **{engines.FAKE_DELAY_ENV: "0.05"})
    child = subprocess.Popen([sys.executable, str(script_path), str(cache), engine, str(count)],
                             stdout=subprocess.PIPE, text=True, env=env)
    seen: list[str] = []
    workers: list[int] = []
    assert child.stdout is not None
    for text in child.stdout:
        seen.append(text.strip())
        if stop_after is not None and text.startswith("done ") and int(text.split()[1]) >= stop_after:
            workers = children_of(child.pid)
            child.send_signal(how)
            stop_after = None
    code = child.wait(timeout=30)
    assert code == {"interrupted": 130}.get(seen[-1], -signal.SIGKILL if how == signal.SIGKILL else 0)
    return seen, workers


@pytest.mark.parametrize("engine", ["fake", pytest.param("pyttsx3", marks=pytest.mark.real)])
def test_ctrl_c_keeps_finished_entries_and_the_rerun_does_only_the_rest(tmp_path: Path, engine: str) -> None:
    runner_path = tmp_path / "runner.py"
    runner_path.write_text(RUNNER, encoding="utf-8")
    cache = tmp_path / "cache"
    count = 120 if engine == "fake" else 400  # enough that Ctrl-C lands mid-run
    seen, _ = run_until(runner_path, cache, engine, count, stop_after=10)
    assert seen[-1] == "interrupted"
    reported = max(int(s.split()[1]) for s in seen if s.startswith("done "))
    finished = {p: p.stat().st_mtime_ns for p in cache.glob("*/*.wav")}
    assert reported <= len(finished) < count
    assert list(cache.glob("*/*.tmp")) == []
    assert all(wav_duration_ms(p) for p in finished)
    rerun, _ = run_until(runner_path, cache, engine, count, stop_after=None)
    assert rerun[-1] == f"synthesised {count - len(finished)}"
    assert {p: p.stat().st_mtime_ns for p in finished} == finished  # nothing finished was made again
    assert len(list(cache.glob("*/*.wav"))) == count


def test_a_killed_run_leaves_nothing_that_looks_finished(tmp_path: Path) -> None:
    runner_path = tmp_path / "runner.py"
    runner_path.write_text(RUNNER, encoding="utf-8")
    cache = tmp_path / "cache"
    seen, workers = run_until(runner_path, cache, "fake", 120, stop_after=10, how=signal.SIGKILL)
    assert len(workers) >= 2 and seen[-1].startswith("done ")  # two workers (and a resource tracker)
    for pid in workers:  # the orphans notice and quit
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z":
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"worker {pid} outlived its killed parent")
    finished = list(cache.glob("*/*.wav"))
    assert all(wav_duration_ms(p) for p in finished)
    rerun, _ = run_until(runner_path, cache, "fake", 120, stop_after=None)
    assert rerun[-1] == f"synthesised {120 - len(finished)}"
    assert list(cache.glob("*/*.tmp")) == []


def test_synthesize_texts_in_a_pool(tmp_path: Path) -> None:
    items = [("One two three.", NARRATOR, tmp_path / "a" / "n.wav"), ("Four five.", TARA, tmp_path / "b" / "n.wav")]
    durations = synthesize_texts(items, jobs=2)
    assert durations == [wav_duration_ms(path) for _, _, path in items]
    assert durations == [(6879 + words * 7560) * 1000 // 22050 for words in (3, 2)]  # frames at 175 wpm
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "n.wav", "n.wav"]


RUNNER_16 = """
import sys
from pathlib import Path
from fullcast.model import Line, Segment, SegmentKind, Voice
from fullcast.audio.synthesis import synthesize_lines

if __name__ != "__main__":
    print(f"a worker ran the caller's script as {__name__}", file=sys.stderr)

def main():
    voice = Voice(sys.argv[2], "gmw/en-us", 175, 50, 0.9)
    lines = [Line(Segment(1, i, SegmentKind.NARRATION, "narrator", "", None, None, None), voice,
                  f"Sentence number {i} is here.") for i in range(400)]
    print("start", flush=True)
    try:
        synthesize_lines(lines, Path(sys.argv[1]), jobs=16, progress=lambda p: print(f"done {p.done}", flush=True))
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
    print("finished", flush=True)

if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize(("engine", "moment"), [
    ("fake", "while they start"), ("fake", "once they work"),
    pytest.param("pyttsx3", "while they start", marks=pytest.mark.real),
    pytest.param("pyttsx3", "once they work", marks=pytest.mark.real),
])
def test_ctrl_c_with_16_workers_prints_no_traceback(tmp_path: Path, engine: str, moment: str) -> None:
    runner_path = tmp_path / "runner.py"
    runner_path.write_text(RUNNER_16, encoding="utf-8")
    cache = tmp_path / "cache"
    env = dict(os.environ, **{engines.FAKE_DELAY_ENV: "0.05"})
    # Its own process group, signalled as a whole, as a terminal does on Ctrl-C.
    child = subprocess.Popen([sys.executable, str(runner_path), str(cache), engine], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    assert child.stdout is not None and child.stdout.readline() == "start\n"
    if moment == "while they start":
        time.sleep(0.4)
    elif moment == "once they work":
        while not (child.stdout.readline() or "done 20").startswith("done 20"):
            pass
    workers = children_of(child.pid)
    os.killpg(child.pid, signal.SIGINT)
    sent = time.perf_counter()
    out, err = child.communicate(timeout=30)
    assert (child.returncode, out.splitlines()[-1], err) == (130, "interrupted", "")
    assert time.perf_counter() - sent < 5
    assert list(cache.glob("*/*.tmp")) == []
    assert all(wav_duration_ms(p) for p in cache.glob("*/*.wav"))
    for _ in range(100):
        if not any(running(pid) for pid in workers):
            break
        time.sleep(0.05)
    else:
        pytest.fail("a worker outlived the interrupted run")


def running(pid: int) -> bool:
    """True while *pid* exists and is not a zombie (the resource tracker's waits for init to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def _dominant_hz(path: Path) -> tuple[float, int]:
    import numpy as np

    with wave.open(str(path), "rb") as wav:
        rate, samples = wav.getframerate(), np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    spectrum = np.abs(np.fft.rfft(samples.astype(float)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[spectrum.argmax()]), samples.size


def test_a_voice_without_native_pitch_is_shifted_after_synthesis(tmp_path: Path, monkeypatch) -> None:
    # The fake stands in for a neural engine: told it has no pitch control, its pitch becomes an ffmpeg shift
    # of (pitch - 50) / 10 semitones, with the length and the rate kept.
    flat = Voice("fake", "gmw/en-us", 175, 50, 0.9)
    synthesize_text("One two three four five six.", flat, tmp_path / "plain.wav")
    synthesize_text("One two three four five six.", replace(flat, pitch=70), tmp_path / "tone.wav")  # its own tone
    monkeypatch.setattr(synthesis.engines, "native_pitch", lambda engine: False)
    synthesize_text("One two three four five six.", flat, tmp_path / "unshifted.wav")
    synthesize_text("One two three four five six.", replace(flat, pitch=70), tmp_path / "shifted.wav")
    plain, frames = _dominant_hz(tmp_path / "tone.wav")
    shifted, shifted_frames = _dominant_hz(tmp_path / "shifted.wav")
    assert (tmp_path / "unshifted.wav").read_bytes() == (tmp_path / "plain.wav").read_bytes()
    assert shifted / plain == pytest.approx(2 ** (2 / 12), rel=0.01)
    assert frames <= shifted_frames <= frames + 0.1 * 22050  # nothing lost, at most the 100 ms pad added
    assert wav_duration_ms(tmp_path / "shifted.wav") is not None
    assert list(tmp_path.glob("*.tmp")) == []
