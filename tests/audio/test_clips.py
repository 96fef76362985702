"""clips: reading clips back without their padding, in pieces when long, and levelling each voice."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from fullcast.audio import clips, ffmpeg, stitch
from fullcast.model import Clip, Line, Pause, Segment, SegmentKind, Voice

from support.clips import NARRATOR, PAUSES, QUIET, RATE, fake_clips, make_clip, whole_pcm


def voice_loudness(voice_clips: list[Clip], gains: dict) -> float:
    """Integrated loudness of one voice's lines laid out on their own, measured by ffmpeg's own meter."""
    pcm = whole_pcm(stitch.plan_chapter(voice_clips, gains, PAUSES), gains)
    return ffmpeg.pcm_loudness(pcm.tobytes(), RATE, sample_format="f32le")[0]


def test_speech_is_trimmed_to_its_loud_edges(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, 0, 500, Pause.START, lead_ms=100, trail_ms=300)
    samples = clips.read_clip(clip)
    assert len(samples) == round(0.5 * RATE)
    assert samples[0] != 0 and samples[-1] != 0


def test_long_clips_are_read_in_pieces_with_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = make_clip(tmp_path, 0, 1000, Pause.START, lead_ms=400, trail_ms=500)
    whole = np.concatenate(list(clips.speech_chunks(clip, RATE)))
    pieces_read, read_pieces = [], clips._read_pieces

    def counting(clip: Clip, pieces: list) -> object:
        pieces_read.append(len(pieces))
        return read_pieces(clip, pieces)

    monkeypatch.setattr(clips, "CHUNK_FRAMES", 1000)  # 45 ms: the 400 ms lead spans several silent pieces
    monkeypatch.setattr(clips, "_read_pieces", counting)
    pieced = list(clips.speech_chunks(clip, RATE))
    assert pieces_read == [23]  # ceil(1000 ms * 22.05 / 1000) pieces of speech
    assert max(len(p) for p in pieced) == 1000
    assert np.array_equal(np.concatenate(pieced), whole)


def test_a_long_silent_clip_read_in_pieces_has_no_speech(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = make_clip(tmp_path, 0, 0, Pause.START, lead_ms=1000)
    monkeypatch.setattr(clips, "CHUNK_FRAMES", 1000)
    assert sum(len(p) for p in clips.speech_chunks(clip, RATE)) == 0


def test_damaged_clip_names_file_and_segment(tmp_path: Path) -> None:
    from fullcast.errors import AudioError

    clip = make_clip(tmp_path, 3, 500, Pause.START)
    clip.path.write_bytes(b"RIFF\x00\x00")
    with pytest.raises(AudioError, match=r"clip3\.wav: .*chapter 1 segment 3.*--force"):
        list(clips.speech_chunks(clip, RATE))


def test_level_voices_brings_voices_within_1_5_lu(tmp_path: Path) -> None:
    loud = fake_clips(tmp_path, NARRATOR, ["one two three four", "five six", "seven eight nine ten eleven"], 0)
    quiet = fake_clips(tmp_path, QUIET, ["yes", "no no", "maybe later then", "fine"], 10)
    before = [voice_loudness(loud, {}), voice_loudness(quiet, {})]
    assert before[0] - before[1] > 9.0  # volume 0.9 vs 0.25 is 11 dB: the test can fail
    gains = clips.level_voices(loud + quiet)
    assert set(gains) == {NARRATOR, QUIET}
    after = [voice_loudness(loud, gains), voice_loudness(quiet, gains)]
    assert abs(after[0] - after[1]) <= 1.5
    assert after[0] == pytest.approx(clips.REFERENCE_LUFS, abs=1.5)


def test_level_voices_reads_a_bounded_sample(tmp_path: Path) -> None:
    made = fake_clips(tmp_path, NARRATOR, [f"word {i} and more words here" for i in range(12)], 0)
    budget_ms = sum(c.duration_ms for c in made[:3])
    chosen = clips._spread_sample(made, budget_ms)
    assert 3 <= len(chosen) <= 4
    assert chosen[0] is made[0] and chosen[-1] is not made[2]  # spread over the whole book, not its start
    assert clips.level_voices(made, sample_s=budget_ms / 1000) == clips.level_voices(made, sample_s=budget_ms / 1000)


def test_spread_takes_everything_that_fits_and_else_spreads_evenly() -> None:
    assert clips.spread([5, 5, 5], 20) == [0, 1, 2]
    assert clips.spread([10] * 10, 30) == [0, 3, 6]


@pytest.mark.real
def test_real_voices_are_levelled_within_1_5_lu(tmp_path: Path) -> None:
    from fullcast.audio.synthesis import synthesize_lines

    loud = Voice("pyttsx3", "gmw/en-gb-scotland+f1", 175, 99, 1.0)
    soft = Voice("pyttsx3", "gmw/en+m3", 175, 20, 0.5)
    texts = ["The harbour lights came on one by one.", "Nobody answered the door.",
             "She counted the boats twice, then a third time."]
    lines = [Line(Segment(1, i, SegmentKind.DIALOGUE, v.voice_id, t, None, None, None, Pause.PARAGRAPH), v, t)
             for i, (v, t) in enumerate((v, t) for v in (loud, soft) for t in texts)]
    made = synthesize_lines(lines, tmp_path / "cache", jobs=1)
    by_voice = {v: [c for c in made if c.line.voice == v] for v in (loud, soft)}
    raw = [voice_loudness(by_voice[v], {}) for v in (loud, soft)]
    assert raw[0] - raw[1] > 4.0
    gains = clips.level_voices(made)
    levelled = [voice_loudness(by_voice[v], gains) for v in (loud, soft)]
    assert abs(levelled[0] - levelled[1]) <= 1.5


def test_clip_rate_reads_only_the_header(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, 0, 200, Pause.START, rate=16000)
    assert clips.clip_rate(clip) == 16000
    with wave.open(str(clip.path)) as handle:
        assert handle.getframerate() == 16000
