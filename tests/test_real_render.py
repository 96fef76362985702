"""The sample book rendered with real pyttsx3/espeak-ng, read back with mutagen and the bundled ffmpeg."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from PIL import Image

from fullcast import pipeline
from fullcast.audio import ffmpeg
from fullcast.audio.synthesis import synthesize_lines
from fullcast.publish.check import check_files

from support.library import read_library
from support.loudness import speaker_loudness

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.RenderResult]:
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "manuscript", root / "manuscript")
    shutil.copy(REPO / "voices.yaml", root / "voices.yaml")
    Image.new("RGB", (1600, 1600), (20, 40, 90)).save(root / "manuscript" / "cover.jpg")
    return root, pipeline.render(root / "manuscript", root / "voices.yaml", root / "output", format=pipeline.Format.ALL)


def test_one_cbr_mono_file_per_chapter(rendered) -> None:
    _, result = rendered
    assert [p.suffix for p in result.files] == [".mp3", ".mp3", ".mp3", ".m4b", ".epub"]
    for path in result.files[:3]:
        info = MP3(path).info
        assert (info.sample_rate, info.channels, info.bitrate, info.bitrate_mode) == (44100, 1, 192000, BitrateMode.CBR)
        probe = ffmpeg.probe(path)
        assert (probe.codec, probe.sample_rate, probe.channels) == ("mp3", 44100, 1)


def test_tags_and_chapter_frames_in_time_order(rendered) -> None:
    _, result = rendered
    for number, path in enumerate(result.files[:3], 1):
        tags = ID3(path)
        assert tags.getall("APIC")[0].mime == "image/jpeg"
        assert str(tags["TALB"]) == "The Last Lamp of Saltreach"
        assert str(tags["TPE1"]) == str(tags["TPE2"]) == "Hollis Penrake"
        assert str(tags["TCOM"]) == "the fullcast ensemble"
        assert str(tags["TRCK"]) == f"{number}/3"
        assert str(tags["TCON"]) == "Literary Fiction"
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
    records = [json.loads(l) for l in (result.book_dir.parents[2] / ".fullcast" / result.book_dir.relative_to(result.book_dir.parents[2]) / ".fullcast-script.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records[0]["kind"] == "warning" and records[0]["chapter"] == 1
    for number, path in enumerate(result.files[:3], 1):
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


def vtt_cues(path: Path) -> list[tuple[float, float, str]]:
    """(start s, end s, text) of every cue in a WebVTT file."""
    cues = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        lines = block.strip().splitlines()
        timing = next(l for l in lines if "-->" in l)
        start, end = (sum(float(x) * 60 ** i for i, x in enumerate(reversed(t.strip().split(":"))))
                      for t in timing.split("-->"))
        cues.append((start, end, lines[-1]))
    return cues


def rms_db(path: Path, start: float, length: float) -> float:
    """RMS level of a stretch of an audio file, decoded by the bundled ffmpeg's astats."""
    err = ffmpeg.run_ffmpeg(["-ss", f"{start:.3f}", "-t", f"{length:.3f}", "-i", str(path), "-af", "astats",
                             "-f", "null", "-"], subject=path)
    value = [l.split(":")[1] for l in err.splitlines() if "RMS level dB" in l][-1].strip()
    return float("-inf") if value == "-inf" else float(value)


def test_vtt_cues_line_up_with_the_audio(rendered) -> None:
    _, result = rendered
    for path in result.files[:3]:
        cues = vtt_cues(path.with_suffix(".vtt"))
        assert cues[0][2].startswith("<v Narrator>")
        for start, end, text in cues[:: max(1, len(cues) // 6)]:
            assert rms_db(path, start - 0.12, 0.1) < -50, (path.name, start, text)
            assert rms_db(path, start + 0.02, 0.15) > -40, (path.name, start, text)


def test_m4b_has_chapters_cover_and_tags(rendered) -> None:
    _, result = rendered
    m4b = result.files[3]
    tags = MP4(m4b)
    assert tags["\xa9alb"] == ["The Last Lamp of Saltreach"] and tags["\xa9ART"] == ["Hollis Penrake"]
    assert tags["stik"] == [2]
    assert tags["covr"]
    listing = ffmpeg.run_ffmpeg(["-i", str(m4b)], subject=m4b, check=False)
    titles = [l.split(":", 1)[1].strip() for l in listing[listing.index("Chapters:"):].splitlines()
              if l.strip().startswith("title")]
    assert titles == ["Content warning", "Chapter One: The Lamplighter", "Chapter Two: The Storm Stair",
                      "Chapter Three: The Last Light"]
    starts = [float(l.split("start")[1].split(",")[0]) for l in listing.splitlines() if "Chapter #" in l]
    durations = [ffmpeg.probe(path).duration_s for path in result.files[:3]]
    first_cues = vtt_cues(result.files[0].with_suffix(".vtt"))
    warning_end = first_cues[0][1]
    heading = next(s for s, _, t in first_cues if t.startswith("<v Narrator>Chapter One"))
    assert starts[0] == 0.0
    assert warning_end - 0.05 <= starts[1] <= heading + 0.05
    assert starts[2:] == pytest.approx([durations[0], durations[0] + durations[1]], abs=0.05)
    assert ffmpeg.measure_audio(m4b).true_peak_dbtp <= -3.0


def test_the_library_editions_read_back(rendered) -> None:
    root, result = rendered
    data = read_library(root / "output", result)
    warning = ("Content warning: this story contains peril at a great height, a violent struggle during a storm, "
               "a minor injury, grief over the death of a parent, and some mild language.")
    description = "A lamplighter's daughter comes home to Saltreach to keep the last lamp burning.\n\n" + warning
    assert {k: v for k, v in data.items() if k != "chapters"} == {
        "tags": [], "title": "The Last Lamp of Saltreach", "subtitle": None, "authors": ["Hollis Penrake"],
        "narrators": ["the fullcast ensemble"], "series": [], "genres": ["Literary Fiction"], "publishedYear": "2026",
        "publishedDate": None, "publisher": None, "description": description, "isbn": None, "asin": None,
        "language": "en-US", "explicit": True, "abridged": False}
    assert [c["title"] for c in data["chapters"]] == ["Content warning", "Chapter One: The Lamplighter",
                                                      "Chapter Two: The Storm Stair", "Chapter Three: The Last Light"]
    assert data["chapters"][-1]["end"] == pytest.approx(sum(ffmpeg.probe(p).duration_s for p in result.files[:3]), abs=0.15)
    assert str(ID3(result.files[0])["TXXX:DESCRIPTION"]) == MP4(result.files[3])["desc"][0] == description
    listing = ffmpeg.run_ffmpeg(["-i", str(result.files[3])], subject=result.files[3], check=False)
    assert "genre           : Literary Fiction" in listing and "composer        : the fullcast ensemble" in listing
    assert [f.relative_to(root / "output").parts[0] for f in result.folders] == ["mp3", "m4b", "epub3"]


def test_voices_are_equally_loud_after_levelling(rendered) -> None:
    root, _ = rendered
    loudness = speaker_loudness(root / "manuscript", root / "voices.yaml", root / "output" / ".cache")
    assert len(loudness) == 5
    assert max(loudness.values()) - min(loudness.values()) <= 1.5, loudness


OLD_TOWN = REPO.parent / "shared" / "manuscripts" / "old-town.txt"


@pytest.mark.skipif(not OLD_TOWN.exists(), reason="needs ../shared/manuscripts/old-town.txt")
def test_old_town_renders_with_the_warning_first_and_passes_acx(tmp_path: Path) -> None:
    result = pipeline.render(OLD_TOWN, REPO / "examples" / "old-town" / "voices.yaml", tmp_path,
                             format=pipeline.Format.ALL)
    assert [p.name for p in result.files] == ["01 - Old Town.mp3", "Old Town.m4b", "Old Town.epub"]
    tags = ID3(result.files[0])
    assert str(tags["TALB"]) == "Old Town" and str(tags["TPE1"]) == "Alcy"
    assert [str(c) for c in tags.getall("COMM")] == [str(tags["TXXX:DESCRIPTION"])]
    assert str(tags["TXXX:DESCRIPTION"]).startswith("Tara Maclay, eight years out of prison, meets Willow again in "
                                                    "Old Town.\n\nContent warning: A warning before you read")
    assert str(tags["TXXX:DESCRIPTION"]).count("Content warning") == 1 and str(tags["TCON"]) == "Fan Fiction/Crime"
    cues = vtt_cues(result.files[0].with_suffix(".vtt"))
    assert cues[0][2].startswith("<v Narrator>A warning before you read")
    assert 0.5 <= cues[0][0] <= 1.0
    report = check_files(result.book_dir, ["acx"])
    assert report.problems == () and [(r.measure, r.value) for r in report.failures] == []
    library = read_library(tmp_path, result)
    assert (library["explicit"], library["authors"], library["genres"]) == (True, ["Alcy"], ["Fan Fiction", "Crime"])
    assert library["tags"] == ["Buffy the Vampire Slayer", "Sin City", "AU"]
    assert MP4(result.files[1])["rtng"] == [1]
    assert result.notes == ("no cover found; made cover.jpg from the title and author (replace it: put cover.jpg "
                            "beside the manuscript or set book.cover in voices.yaml)",)


def test_a_second_cold_render_gives_byte_identical_files(rendered, tmp_path: Path) -> None:
    """Same manuscript, same voices, a fresh cache and output folder, two workers: the same bytes.

    eSpeak keeps state from one utterance to the next (pitch flutter, filters, random seeds);
    `engines/espeak_state.py` resets it, so which worker speaks which line no longer matters.
    """
    root, first = rendered
    again = pipeline.render(root / "manuscript", root / "voices.yaml", tmp_path / "output", jobs=2,
                            format=pipeline.Format.BOTH)
    assert again.synthesised == first.synthesised
    for one, two in zip(first.files, again.files):
        if one.suffix == ".epub":  # the same but for dcterms:modified, the time its audio was made
            assert epub_members(one) == epub_members(two)
            continue
        assert one.name == two.name and one.read_bytes() == two.read_bytes(), one.name
        if one.suffix == ".mp3":
            assert one.with_suffix(".vtt").read_bytes() == two.with_suffix(".vtt").read_bytes()


def epub_members(epub: Path) -> dict[str, bytes]:
    """Every member of an EPUB by name, the package document without its dcterms:modified line."""
    with zipfile.ZipFile(epub) as book:
        members = {name: book.read(name) for name in book.namelist()}
    opf = next(name for name in members if name.endswith(".opf"))
    members[opf] = re.sub(rb"<meta property=\"dcterms:modified\">[^<]*</meta>", b"", members[opf])
    return members


def test_verify_hears_every_line_of_the_sample_book(rendered) -> None:
    """Whisper (tiny.en) against script.jsonl: nothing missing, every chapter under the default WER threshold."""
    root, _ = rendered
    report = pipeline.verify(root / "output")
    assert report.missing == ()
    assert [(f.chapter, f.passed) for f in report.files] == [(1, True), (2, True), (3, True)], [
        (f.chapter, round(f.wer, 3)) for f in report.files]
