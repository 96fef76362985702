"""The sample book rendered with real pyttsx3/espeak-ng, read back with mutagen and the bundled ffmpeg."""

from __future__ import annotations

import json
import shutil
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode

from fullcast import ffmpeg, pipeline
from fullcast.check import check_files
from fullcast.synthesis import synthesize_lines

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.RenderResult]:
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "manuscript", root / "manuscript")
    shutil.copy(REPO / "voices.yaml", root / "voices.yaml")
    return root, pipeline.render(root / "manuscript", root / "voices.yaml", root / "output")


def test_one_cbr_mono_file_per_chapter(rendered) -> None:
    _, result = rendered
    assert len(result.files) == 3
    for path in result.files:
        info = MP3(path).info
        assert (info.sample_rate, info.channels, info.bitrate, info.bitrate_mode) == (44100, 1, 192000, BitrateMode.CBR)
        probe = ffmpeg.probe(path)
        assert (probe.codec, probe.sample_rate, probe.channels) == ("mp3", 44100, 1)


def test_tags_and_chapter_frames_in_time_order(rendered) -> None:
    _, result = rendered
    for number, path in enumerate(result.files, 1):
        tags = ID3(path)
        assert str(tags["TALB"]) == "The Last Lamp of Saltreach"
        assert str(tags["TPE1"]) == str(tags["TPE2"]) == "Hollis Penrake"
        assert str(tags["TCOM"]) == "the fullcast ensemble"
        assert str(tags["TRCK"]) == f"{number}/3"
        assert str(tags["TCON"]) == "Audiobook"
        assert str(tags["TIT2"]).startswith("Chapter ")
        assert "Content warning" in " ".join(str(c) for c in tags.getall("COMM"))
        starts = [frame.start_time for frame in tags.getall("CHAP")]
        assert starts == sorted(starts) and len(starts) >= 1
    first = ID3(result.files[0])
    chapters = sorted(first.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chapters][0] == "Content warning"
    listing = ffmpeg.run_ffmpeg(["-i", str(result.files[0])], subject=result.files[0], check=False)
    chapters = listing[listing.index("Chapters:"):]
    assert chapters.index("title           : Content warning") < chapters.index("title           : Chapter One")


def test_duration_fits_the_text_and_the_warning_comes_first(rendered) -> None:
    _, result = rendered
    records = [json.loads(l) for l in (result.book_dir / "script.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records[0]["kind"] == "warning" and records[0]["chapter"] == 1
    for number, path in enumerate(result.files, 1):
        words = sum(len(r["text"].split()) for r in records if r["chapter"] == number)
        seconds = ffmpeg.probe(path).duration_s
        # 175 wpm plus pauses; espeak reads a little faster than its nominal rate
        assert words * 60 / 260 < seconds < words * 60 / 110, (path.name, words, seconds)
    stats = ffmpeg.measure_audio(result.files[0])
    assert 0.5 <= stats.head_silence_s <= 1.0


def test_every_file_passes_acx(rendered) -> None:
    _, result = rendered
    report = check_files(result.book_dir, ["acx"])
    assert report.problems == ()
    assert [(r.subject, r.measure, r.value) for r in report.failures] == []


def mean_pitch_hz(path: Path) -> float:
    """Median fundamental frequency of the voiced 40 ms frames of a WAV, by autocorrelation."""
    import wave

    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    size = int(0.04 * rate)
    pitches = []
    for start in range(0, len(audio) - size, size):
        frame = audio[start:start + size] - audio[start:start + size].mean()
        if np.sqrt(np.mean(frame ** 2)) < 500:
            continue
        corr = np.correlate(frame, frame, "full")[size - 1:]
        lo, hi = int(rate / 400), int(rate / 70)
        lag = lo + int(np.argmax(corr[lo:hi]))
        if corr[lag] > 0.5 * corr[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches)) if pitches else float("nan")


def test_characters_sound_different(rendered) -> None:
    root, _ = rendered
    _, cast = pipeline.analyse(root / "manuscript", root / "voices.yaml")
    clips = synthesize_lines(cast.lines, root / "output" / ".cache")
    by_speaker: dict[str, list[float]] = {}
    for clip in clips:
        if clip.line.segment.kind.value == "dialogue":
            by_speaker.setdefault(clip.line.segment.speaker, []).append(mean_pitch_hz(clip.path))
    pitch = {name: float(np.nanmedian(values)) for name, values in by_speaker.items()}
    assert set(pitch) == {"Maren", "Tobias", "Ada", "Gerrit Pike"}
    for a, b in combinations(pitch, 2):
        assert abs(pitch[a] - pitch[b]) / min(pitch[a], pitch[b]) > 0.05, pitch
