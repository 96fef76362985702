"""The sample book rendered with examples/neural/voices.yaml: Piper, Kokoro and eSpeak in one chapter.

Read back with the bundled ffmpeg and mutagen: loudness within the mastering targets, every voice as loud as
the others across engines and sample rates, and chapter marks and cues where the speech is, to 10 ms.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from fullcast import pipeline
from fullcast.audio import ffmpeg
from fullcast.publish.check import check_files

from support.loudness import speaker_loudness

REPO = Path(__file__).resolve().parents[1]
NEURAL = REPO / "examples" / "neural" / "voices.yaml"
pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.RenderResult]:
    root = tmp_path_factory.mktemp("neural")
    shutil.copytree(REPO / "manuscript", root / "manuscript")
    shutil.copy(NEURAL, root / "voices.yaml")
    return root, pipeline.render(root / "manuscript", root / "voices.yaml", root / "output")


def test_three_engines_speak_in_one_chapter(rendered) -> None:
    root, result = rendered
    _, cast = pipeline.analyse(root / "manuscript", root / "voices.yaml")
    voices = dict(cast.voices)
    assert (voices["narrator"].engine, voices["narrator"].voice_id) == ("piper", "en_US-joe-medium")
    assert (voices["Ada"].engine, voices["Ada"].voice_id) == ("kokoro", "jf_nezumi:70,jf_gongitsune:30")
    assert (voices["Gerrit Pike"].engine, voices["Gerrit Pike"].voice_id) == ("pyttsx3", "gmw/en-us+m7")
    for chapter in (1, 2, 3):
        assert {line.voice.engine for line in cast.lines if line.segment.chapter == chapter} == {
            "piper", "kokoro", "pyttsx3"}
    assert [p.name for p in result.files] == ["01 - Chapter One - The Lamplighter.mp3",
                                              "02 - Chapter Two - The Storm Stair.mp3",
                                              "03 - Chapter Three - The Last Light.mp3"]


def test_every_file_is_mastered_to_the_targets(rendered) -> None:
    _, result = rendered
    for path in result.files:
        stats = ffmpeg.measure_audio(path)
        assert -21.0 <= stats.integrated_lufs <= -19.0, (path.name, stats)
        assert stats.true_peak_dbtp <= -3.0, (path.name, stats)
    report = check_files(result.book_dir, ["acx"])
    assert report.problems == () and [(r.subject, r.measure, r.value) for r in report.failures] == []


def test_voices_of_every_engine_are_equally_loud(rendered) -> None:
    root, _ = rendered
    loudness = speaker_loudness(root / "manuscript", root / "voices.yaml", root / "output" / ".cache")
    assert set(loudness) == {"narrator", "Maren", "Tobias", "Ada", "Gerrit Pike"}
    assert max(loudness.values()) - min(loudness.values()) <= 1.5, loudness


def _decoded(path: Path) -> np.ndarray:
    raw = path.with_suffix(".raw")
    ffmpeg.run_ffmpeg(["-y", "-i", path, "-ac", "1", "-ar", "44100", "-f", "s16le", raw], subject=path)
    samples = np.frombuffer(raw.read_bytes(), dtype="<i2").astype(np.float64)
    raw.unlink()
    return samples


def _vtt_starts(path: Path) -> list[float]:
    starts = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        timing = next(line for line in block.splitlines() if "-->" in line)
        h, m, s = timing.split("-->")[0].strip().split(":")
        starts.append(int(h) * 3600 + int(m) * 60 + float(s))
    return starts


def test_cues_and_chapter_marks_start_where_the_speech_does(rendered) -> None:
    """The first sample above -60 dBFS (the level clips are cut at) after each cue's pause is within 10 ms of it."""
    _, result = rendered
    level = 32768 * 10 ** (-60 / 20)
    for path in result.files:
        samples = np.abs(_decoded(path))
        starts = _vtt_starts(path.with_suffix(".vtt"))
        for start in starts:
            window = samples[int((start - 0.2) * 44100): int((start + 0.2) * 44100)]
            onset = start - 0.2 + int(np.argmax(window > level)) / 44100
            assert onset == pytest.approx(start, abs=0.010), (path.name, start, onset)
        marks = sorted(frame.start_time / 1000 for frame in ID3(path).getall("CHAP"))
        assert all(any(abs(mark - cue) <= 0.010 for cue in [0.0, *starts]) for mark in marks), (path.name, marks)


def test_verify_hears_every_line_of_every_engine(rendered) -> None:
    root, _ = rendered
    report = pipeline.verify(root / "output")
    assert report.missing == ()
    assert [(f.chapter, f.passed) for f in report.files] == [(1, True), (2, True), (3, True)]
    assert all(f.wer <= 0.2 for f in report.files), [(f.chapter, f.wer) for f in report.files]


def test_the_sample_book_on_piper_alone_passes_verify(tmp_path: Path) -> None:
    shutil.copytree(REPO / "manuscript", tmp_path / "manuscript")
    (tmp_path / "voices.yaml").write_text(
        "engine: piper\nnarrator: {rate: 165}\nmonologue: {speaker: Maren}\npronunciations:\n  Saltreach: Salt-reech\n",
        encoding="utf-8")
    result = pipeline.render(tmp_path / "manuscript", tmp_path / "voices.yaml", tmp_path / "output")
    assert len(result.files) == 3
    report = pipeline.verify(tmp_path / "output")
    assert report.missing == () and all(f.passed for f in report.files), [(f.chapter, f.wer) for f in report.files]
