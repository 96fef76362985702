"""Tests for fullcast.audio.stitch: trimming, pauses, cues, per-voice levelling and mastering, checked with ffmpeg."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from fullcast.audio import ffmpeg, stitch
from fullcast.audio.engines import FakeEngine
from fullcast.errors import AudioError
from fullcast.model import Clip, Line, Pause, Segment, SegmentKind, Voice
from fullcast.publish.tag import read_mp3_facts
from fullcast.settings.config import Mastering, Pauses

RATE = 22050
NARRATOR = Voice("fake", "gmw/en-us", 175, 50, 0.9)
QUIET = Voice("fake", "gmw/en-us+f3", 175, 70, 0.25)
PAUSES = Pauses(head=750, tail=2000, heading=1200, paragraph=600, inline=250, scene=1800)


def speechy(ms: int, seed: int, amplitude: float = 0.3, rate: int = RATE) -> np.ndarray:
    """Noise with a syllable-rate envelope: crest factor and spectrum closer to speech than a sine."""
    rng = np.random.default_rng(seed)
    n = round(ms * rate / 1000)
    envelope = 0.55 + 0.45 * np.sin(2 * math.pi * 4 * np.arange(n) / rate)
    # a short moving average tilts the noise towards low frequencies, as speech is (RMS then ~ LUFS)
    noise = np.convolve(rng.normal(0, amplitude / 1.2, n), np.ones(12) / 12, mode="same")
    return np.clip(noise * envelope, -1, 1)


def make_clip(folder: Path, index: int, speech_ms: int, pause: Pause, *, voice: Voice = NARRATOR,
              lead_ms: int = 12, trail_ms: int = 300, rate: int = RATE, amplitude: float = 0.3) -> Clip:
    """A clip with engine-like silence around *speech_ms* of speech, as a cached WAV."""
    body = speechy(speech_ms, seed=index, amplitude=amplitude, rate=rate)
    body[0] = body[-1] = 0.5  # speech edges exactly where we put them
    pcm = np.concatenate([np.zeros(round(lead_ms * rate / 1000)), body, np.zeros(round(trail_ms * rate / 1000))])
    path = folder / f"clip{index}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(pcm * 32767).astype("<i2").tobytes())
    segment = Segment(1, index, SegmentKind.NARRATION, "narrator", f"line {index}", None, None, None, pause)
    return Clip(Line(segment, voice, segment.text), path, round(len(pcm) * 1000 / rate), True)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2"), handle.getframerate()


@pytest.fixture
def three_clips(tmp_path: Path) -> list[Clip]:
    return [make_clip(tmp_path, 0, 1000, Pause.START), make_clip(tmp_path, 1, 500, Pause.INLINE),
            make_clip(tmp_path, 2, 250, Pause.PARAGRAPH)]


@pytest.mark.parametrize(("pause", "ms"), [(Pause.START, 0), (Pause.INLINE, 250), (Pause.PARAGRAPH, 600),
                                           (Pause.SCENE, 1800), (Pause.HEADING, 1200)])
def test_pause_lengths_come_from_config(pause: Pause, ms: int) -> None:
    assert stitch.pause_ms(pause, PAUSES) == ms


def test_stitch_places_speech_after_head_and_pauses(tmp_path: Path, three_clips: list[Clip]) -> None:
    result = stitch.stitch_chapter(three_clips, {}, PAUSES, tmp_path / "ch.wav")
    # head 750 | 1000 speech | inline 250 | 500 | paragraph 600 | 250 | tail 2000; engine silences trimmed away
    assert [(c.start_ms, c.end_ms) for c in result.cues] == [(750, 1750), (2000, 2500), (3100, 3350)]
    assert result.duration_ms == 5350
    assert [c.segment.index for c in result.cues] == [0, 1, 2]
    samples, rate = read_wav(result.path)
    assert rate == RATE == result.sample_rate
    assert len(samples) == round(5.35 * RATE)


def test_cues_sit_exactly_on_speech(tmp_path: Path, three_clips: list[Clip]) -> None:
    result = stitch.stitch_chapter(three_clips, {}, PAUSES, tmp_path / "ch.wav")
    samples, rate = read_wav(result.path)
    for cue in result.cues:
        start, end = round(cue.start_ms * rate / 1000), round(cue.end_ms * rate / 1000)
        assert not samples[start - 200:start].any(), "silent just before the cue"
        one_ms = rate // 1000 + 1  # cues are whole milliseconds
        assert samples[start:start + one_ms].any() and samples[end - one_ms:end].any(), "speech right at the edges"
        assert not samples[end:end + 200].any(), "silent just after the cue"


def test_a_start_boundary_inside_a_chapter_gets_a_paragraph_pause(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, 0, 400, Pause.START), make_clip(tmp_path, 1, 400, Pause.START)]
    result = stitch.stitch_chapter(clips, {}, PAUSES, tmp_path / "ch.wav")
    assert [(c.start_ms, c.end_ms) for c in result.cues] == [(750, 1150), (1750, 2150)]


def test_a_zero_pause_is_honoured(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, 0, 400, Pause.START), make_clip(tmp_path, 1, 400, Pause.INLINE)]
    result = stitch.stitch_chapter(clips, {}, Pauses(head=500, tail=1000, inline=0), tmp_path / "ch.wav")
    assert [(c.start_ms, c.end_ms) for c in result.cues] == [(500, 900), (900, 1300)]


def test_clips_at_another_rate_are_resampled(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, 0, 800, Pause.START), make_clip(tmp_path, 1, 800, Pause.PARAGRAPH, rate=16000)]
    result = stitch.stitch_chapter(clips, {}, PAUSES, tmp_path / "mixed.wav")
    assert result.sample_rate == RATE
    assert result.duration_ms == pytest.approx(750 + 800 + 600 + 800 + 2000, abs=10)
    assert result.cues[1].end_ms - result.cues[1].start_ms == pytest.approx(800, abs=10)


def test_silent_clip_takes_no_time(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, 0, 500, Pause.START, amplitude=0.0)
    path = clip.path
    with wave.open(str(path), "wb") as out:  # digital silence only
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(2 * RATE))
    result = stitch.stitch_chapter([clip], {}, PAUSES, tmp_path / "quiet.wav")
    assert [(c.start_ms, c.end_ms) for c in result.cues] == [(750, 750)]
    assert result.duration_ms == 2750


def test_long_clips_are_read_in_pieces_with_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clips = [make_clip(tmp_path, 0, 1000, Pause.START, lead_ms=400, trail_ms=500),
             make_clip(tmp_path, 1, 700, Pause.PARAGRAPH)]
    whole = stitch.stitch_chapter(clips, {NARRATOR: -3.0}, PAUSES, tmp_path / "whole.wav")
    pieces_read, read_pieces = [], stitch._read_pieces

    def counting(clip: Clip, pieces: list) -> object:
        pieces_read.append(len(pieces))
        return read_pieces(clip, pieces)

    monkeypatch.setattr(stitch, "CHUNK_FRAMES", 1000)  # 45 ms: the 400 ms lead spans several silent pieces
    monkeypatch.setattr(stitch, "_read_pieces", counting)
    pieced = stitch.stitch_chapter(clips, {NARRATOR: -3.0}, PAUSES, tmp_path / "pieced.wav")
    assert pieces_read == [23, 16]  # ceil(1000 ms * 22.05 / 1000) and ceil(700 * 22.05 / 1000) pieces
    assert [(c.start_ms, c.end_ms) for c in pieced.cues] == [(c.start_ms, c.end_ms) for c in whole.cues]
    assert (tmp_path / "pieced.wav").read_bytes() == (tmp_path / "whole.wav").read_bytes()


def test_a_long_silent_clip_read_in_pieces_takes_no_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = make_clip(tmp_path, 0, 500, Pause.START, amplitude=0.0)
    with wave.open(str(clip.path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(2 * RATE))
    monkeypatch.setattr(stitch, "CHUNK_FRAMES", 1000)
    result = stitch.stitch_chapter([clip], {}, PAUSES, tmp_path / "quiet.wav")
    assert [(c.start_ms, c.end_ms) for c in result.cues] == [(750, 750)]


def test_damaged_clip_names_file_and_segment(tmp_path: Path, three_clips: list[Clip]) -> None:
    three_clips[1].path.write_bytes(b"RIFF\x00\x00")
    with pytest.raises(AudioError, match=r"clip1\.wav: .*chapter 1 segment 1.*--force"):
        stitch.stitch_chapter(three_clips, {}, PAUSES, tmp_path / "ch.wav")


def test_gain_is_applied_per_voice(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, 0, 1000, Pause.START)
    plain = stitch.stitch_chapter([clip], {}, PAUSES, tmp_path / "a.wav")
    louder = stitch.stitch_chapter([clip], {NARRATOR: 6.0}, PAUSES, tmp_path / "b.wav")
    a, _ = read_wav(plain.path)
    b, _ = read_wav(louder.path)
    ratio = np.sqrt(np.mean(b.astype(float) ** 2) / np.mean(a.astype(float) ** 2))
    assert 20 * math.log10(ratio) == pytest.approx(6.0, abs=0.05)


def fake_clips(folder: Path, voice: Voice, texts: list[str], first_index: int) -> list[Clip]:
    """Clips made by the synthesis helper's fake engine: a tone per word, louder or quieter by voice.volume."""
    clips = []
    for offset, text in enumerate(texts):
        index = first_index + offset
        path = folder / f"fake{index}.wav"
        FakeEngine().synthesize(text, voice, path)
        with wave.open(str(path)) as handle:
            ms = handle.getnframes() * 1000 // handle.getframerate()
        segment = Segment(1, index, SegmentKind.DIALOGUE, voice.voice_id, text, None, None, None, Pause.PARAGRAPH)
        clips.append(Clip(Line(segment, voice, text), path, ms, True))
    return clips


def voice_loudness(clips: list[Clip], gains: dict, folder: Path, name: str) -> float:
    """Integrated loudness (ffmpeg ebur128) of one voice's lines stitched on their own."""
    return ffmpeg.integrated_loudness(stitch.stitch_chapter(clips, gains, PAUSES, folder / f"{name}.wav").path)


def test_level_voices_brings_voices_within_1_5_lu(tmp_path: Path) -> None:
    loud = fake_clips(tmp_path, NARRATOR, ["one two three four", "five six", "seven eight nine ten eleven"], 0)
    quiet = fake_clips(tmp_path, QUIET, ["yes", "no no", "maybe later then", "fine"], 10)
    before = [voice_loudness(loud, {}, tmp_path, "l0"), voice_loudness(quiet, {}, tmp_path, "q0")]
    assert before[0] - before[1] > 9.0  # volume 0.9 vs 0.25 is 11 dB: the test can fail
    gains = stitch.level_voices(loud + quiet)
    assert set(gains) == {NARRATOR, QUIET}
    after = [voice_loudness(loud, gains, tmp_path, "l1"), voice_loudness(quiet, gains, tmp_path, "q1")]
    assert abs(after[0] - after[1]) <= 1.5
    assert after[0] == pytest.approx(stitch.REFERENCE_LUFS, abs=1.5)


def test_level_voices_reads_a_bounded_sample(tmp_path: Path) -> None:
    clips = fake_clips(tmp_path, NARRATOR, [f"word {i} and more words here" for i in range(12)], 0)
    budget_ms = sum(c.duration_ms for c in clips[:3])
    chosen = stitch._spread_sample(clips, budget_ms)
    assert 3 <= len(chosen) <= 4
    assert chosen[0] is clips[0] and chosen[-1] is not clips[2]  # spread over the whole book, not its start
    assert stitch.level_voices(clips, sample_s=budget_ms / 1000) == stitch.level_voices(clips, sample_s=budget_ms / 1000)


def test_encode_chapter_masters_to_target_and_acx_format(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, i, 2000 + 300 * i, Pause.PARAGRAPH if i else Pause.START, amplitude=0.9)
             for i in range(6)]
    stitched = stitch.stitch_chapter(clips, {}, PAUSES, tmp_path / "ch.wav")
    mp3 = tmp_path / "ch.mp3"
    stitch.encode_chapter(stitched, Mastering(), mp3)
    facts = read_mp3_facts(mp3)
    assert (facts.sample_rate, facts.bitrate, facts.mode, facts.channels) == (44100, 192000, "CBR", 1)
    info = ffmpeg.probe(mp3)
    assert (info.codec, info.sample_rate, info.channels, info.bit_rate) == ("mp3", 44100, 1, 192000)
    stats = ffmpeg.measure_audio(mp3)
    assert stats.integrated_lufs == pytest.approx(-20.0, abs=1.0)
    assert stats.true_peak_dbtp <= -3.0
    assert -23.0 <= stats.rms_db <= -18.0
    assert stats.duration_s * 1000 == pytest.approx(stitched.duration_ms, abs=10)
    assert stats.head_silence_s == pytest.approx(0.75, abs=0.02)
    assert stats.tail_silence_s == pytest.approx(2.0, abs=0.02)


def test_encode_chapter_follows_configured_targets(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, i, 2500, Pause.PARAGRAPH if i else Pause.START) for i in range(4)]
    stitched = stitch.stitch_chapter(clips, {}, PAUSES, tmp_path / "ch.wav")
    mp3 = tmp_path / "ch.mp3"
    stitch.encode_chapter(stitched, Mastering(loudness=-23.0, true_peak=-6.0), mp3)
    stats = ffmpeg.measure_audio(mp3)
    assert stats.integrated_lufs == pytest.approx(-23.0, abs=1.0)
    assert stats.true_peak_dbtp <= -6.0


def test_room_tone_noise_bed_when_configured(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, 0, 1500, Pause.START)]
    stitched = stitch.stitch_chapter(clips, {}, PAUSES, tmp_path / "ch.wav")
    mp3 = tmp_path / "ch.mp3"
    stitch.encode_chapter(stitched, Mastering(noise_floor=-70.0), mp3)
    stats = ffmpeg.measure_audio(mp3)
    assert -75.0 < stats.noise_floor_db <= -60.0
    assert stats.head_silence_s == pytest.approx(0.75, abs=0.02)  # a -70 dB bed still counts as silence


@pytest.mark.real
def test_real_voices_are_levelled_within_1_5_lu(tmp_path: Path) -> None:
    from fullcast.audio.synthesis import synthesize_lines

    loud = Voice("pyttsx3", "gmw/en-gb-scotland+f1", 175, 99, 1.0)
    soft = Voice("pyttsx3", "gmw/en+m3", 175, 20, 0.5)
    texts = ["The harbour lights came on one by one.", "Nobody answered the door.",
             "She counted the boats twice, then a third time."]
    lines = [Line(Segment(1, i, SegmentKind.DIALOGUE, v.voice_id, t, None, None, None, Pause.PARAGRAPH), v, t)
             for i, (v, t) in enumerate((v, t) for v in (loud, soft) for t in texts)]
    clips = synthesize_lines(lines, tmp_path / "cache", jobs=1)
    by_voice = {v: [c for c in clips if c.line.voice == v] for v in (loud, soft)}
    raw = [voice_loudness(by_voice[v], {}, tmp_path, f"raw{i}") for i, v in enumerate((loud, soft))]
    assert raw[0] - raw[1] > 4.0
    gains = stitch.level_voices(clips)
    levelled = [voice_loudness(by_voice[v], gains, tmp_path, f"lev{i}") for i, v in enumerate((loud, soft))]
    assert abs(levelled[0] - levelled[1]) <= 1.5


def test_a_chapter_of_room_tone_only_stays_silent(tmp_path: Path) -> None:
    stitched = stitch.stitch_chapter([], {}, PAUSES, tmp_path / "empty.wav")
    assert (stitched.duration_ms, stitched.cues) == (2750, ())
    mp3 = tmp_path / "empty.mp3"
    assert stitch.encode_chapter(stitched, Mastering(), mp3) == 0.0
    stats = ffmpeg.measure_audio(mp3)
    assert stats.peak_db == -math.inf
    assert stats.duration_s == pytest.approx(2.75, abs=0.01)
