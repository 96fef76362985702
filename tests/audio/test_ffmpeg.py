"""Tests for fullcast.audio.ffmpeg: stream facts from `ffmpeg -i`, levels from ffmpeg's meters, clear failures."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from fullcast.audio import ffmpeg
from fullcast.errors import AudioError


def write_wav(path: Path, samples: np.ndarray, rate: int = 44100, channels: int = 1) -> Path:
    """Float samples in [-1, 1] as a 16-bit WAV."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(samples * 32767).astype("<i2").tobytes())
    return path


def sine(seconds: float, rate: int = 44100, freq: float = 997.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return amplitude * np.sin(2 * math.pi * freq * t)


def silence(seconds: float, rate: int = 44100) -> np.ndarray:
    return np.zeros(round(seconds * rate))


@pytest.fixture
def tone_file(tmp_path: Path) -> Path:
    """1 s silence, 2 s of a 997 Hz sine at half scale, 1.5 s silence."""
    return write_wav(tmp_path / "tone.wav", np.concatenate([silence(1.0), sine(2.0), silence(1.5)]))


def test_ffmpeg_exe_is_the_bundled_binary() -> None:
    exe = ffmpeg.ffmpeg_exe()
    assert Path(exe).is_file()
    assert "imageio_ffmpeg" in exe


def test_probe_reads_codec_rate_channels_and_duration(tone_file: Path) -> None:
    info = ffmpeg.probe(tone_file)
    assert info == ffmpeg.StreamInfo(codec="pcm_s16le", sample_rate=44100, channels=1, bit_rate=705_600 // 1000 * 1000,
                                     duration_s=4.5)


def test_probe_reads_a_stereo_file(tmp_path: Path) -> None:
    stereo = np.repeat(sine(1.0, rate=48000), 2)
    info = ffmpeg.probe(write_wav(tmp_path / "st.wav", stereo, rate=48000, channels=2))
    assert (info.sample_rate, info.channels, info.duration_s) == (48000, 2, 1.0)


def test_measure_audio_matches_the_signal(tone_file: Path) -> None:
    stats = ffmpeg.measure_audio(tone_file)
    # A 997 Hz sine peaking at -6.02 dBFS: RMS -9.03 dB over the tone, diluted by 2.5 s of silence in 4.5 s.
    assert stats.peak_db == pytest.approx(-6.02, abs=0.05)
    assert stats.rms_db == pytest.approx(-9.03 + 10 * math.log10(2.0 / 4.5), abs=0.05)
    # BS.1770: a 997 Hz sine's loudness equals its RMS (-9.03). Gating uses 400 ms blocks every 100 ms: 17 whole
    # blocks lie in the tone and 6 straddle its edges (1/4, 2/4, 3/4 full, twice), worth 3 blocks of energy in 23.
    assert stats.integrated_lufs == pytest.approx(-9.03 + 10 * math.log10(20 / 23), abs=0.1)
    assert stats.true_peak_dbtp == pytest.approx(-6.0, abs=0.15)
    assert stats.noise_floor_db == -math.inf
    assert stats.head_silence_s == pytest.approx(1.0, abs=0.01)
    assert stats.tail_silence_s == pytest.approx(1.5, abs=0.01)
    assert stats.duration_s == pytest.approx(4.5, abs=0.001)


def test_measure_audio_without_silence_reports_none(tmp_path: Path) -> None:
    stats = ffmpeg.measure_audio(write_wav(tmp_path / "s.wav", sine(1.0)))
    assert (stats.head_silence_s, stats.tail_silence_s) == (0.0, 0.0)


def test_measure_audio_of_all_silence(tmp_path: Path) -> None:
    stats = ffmpeg.measure_audio(write_wav(tmp_path / "z.wav", silence(2.0)))
    assert stats.integrated_lufs == -math.inf or math.isnan(stats.integrated_lufs) or stats.integrated_lufs <= -70
    assert stats.head_silence_s == pytest.approx(2.0, abs=0.01)
    assert stats.tail_silence_s == pytest.approx(2.0, abs=0.01)


def test_integrated_loudness_agrees_with_measure_audio(tone_file: Path) -> None:
    assert ffmpeg.integrated_loudness(tone_file) == ffmpeg.measure_audio(tone_file).integrated_lufs


def test_pcm_loudness_of_piped_samples_equals_the_file_measure(tmp_path: Path) -> None:
    samples = sine(3.0, rate=22050)  # a half-scale 997 Hz sine reads -3.01 - 6.02 LUFS under BS.1770
    path = write_wav(tmp_path / "s.wav", samples, rate=22050)
    pcm = np.round(samples * 32767).astype("<i2").tobytes()
    assert ffmpeg.pcm_loudness(pcm, 22050) == (ffmpeg.integrated_loudness(path),) * 2
    assert ffmpeg.pcm_loudness(pcm, 22050)[0] == pytest.approx(-9.0, abs=0.1)


def test_pcm_loudness_before_and_after_a_filter_chain(tmp_path: Path) -> None:
    samples = sine(3.0, rate=22050).astype(np.float32)
    before, after = ffmpeg.pcm_loudness(samples.tobytes(), 22050, sample_format="f32le", filters="volume=-6dB")
    assert (before, after) == (-9.0, -15.0)


def test_audio_can_be_fed_in_pieces_and_progress_is_reported(tmp_path: Path) -> None:
    samples = sine(2.0, rate=22050)
    pieces = (np.round(part * 32767).astype("<i2").tobytes() for part in np.array_split(samples, 50))
    seen: list[float] = []
    ffmpeg.run_ffmpeg(["-f", "s16le", "-ar", "22050", "-ac", "1", "-i", "pipe:0", "-c:a", "pcm_s16le",
                       "-y", tmp_path / "fed.wav"], feed=pieces, progress=seen.append)
    assert ffmpeg.probe(tmp_path / "fed.wav").duration_s == pytest.approx(2.0, abs=0.01)
    assert seen and seen[-1] == pytest.approx(2.0, abs=0.05) and seen == sorted(seen)


def test_a_feed_ffmpeg_stops_reading_ends_in_its_own_complaint(tmp_path: Path) -> None:
    pieces = (bytes(4096) for _ in range(10_000))  # 40 MB, far more than ffmpeg takes before failing
    with pytest.raises(AudioError, match=r"^feed: ffmpeg failed: Unknown encoder 'nosuchcodec'; check"):
        ffmpeg.run_ffmpeg(["-f", "s16le", "-ar", "22050", "-ac", "1", "-i", "pipe:0", "-c:a", "nosuchcodec",
                           "-f", "wav", "-y", tmp_path / "x.wav"], feed=pieces, subject="feed")


def test_measuring_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"nowhere\.mp3: no such file"):
        ffmpeg.measure_audio(tmp_path / "nowhere.mp3")


def test_measuring_a_damaged_file_names_it_and_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all" * 64)
    with pytest.raises(AudioError, match=r"bad\.mp3: ffmpeg finds no audio stream \(.*Invalid data"):
        ffmpeg.probe(bad)


def test_run_ffmpeg_failure_names_the_subject_and_last_error(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    with pytest.raises(AudioError) as caught:
        ffmpeg.run_ffmpeg(["-f", "lavfi", "-i", "sine=d=0.1", "-c:a", "no_such_codec", target], subject=target)
    message = str(caught.value)
    assert message.startswith(f"{target}: ffmpeg failed: ")
    assert "no_such_codec" in message
    assert "\n" not in message


def test_run_ffmpeg_names_the_input_when_no_subject(tmp_path: Path) -> None:
    missing = tmp_path / "gone.wav"
    with pytest.raises(AudioError, match=rf"^{missing}: ffmpeg failed: .*No such file"):
        ffmpeg.run_ffmpeg(["-i", missing, "-f", "null", "-"])


def test_run_ffmpeg_feeds_input_bytes(tmp_path: Path) -> None:
    out = tmp_path / "from_stdin.wav"
    ffmpeg.run_ffmpeg(["-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-y", out], input_bytes=bytes(16000))
    assert ffmpeg.probe(out).duration_s == 1.0


def test_last_error_line_skips_progress_and_prefixes() -> None:
    stderr = ("Input #0 ...\n[mp3 @ 0x55] Header missing\n"
              "size=N/A time=00:00:01.00 bitrate=N/A\nConversion failed!\n")
    assert ffmpeg.last_error_line(stderr) == "Header missing"
    assert ffmpeg.last_error_line("") == "no message"


def test_shift_pitch_moves_the_tone_and_keeps_the_length(tmp_path: Path) -> None:
    rate = 22050
    tone = (np.sin(2 * np.pi * 440 * np.arange(rate) / rate) * 8000).astype("<i2")
    with wave.open(str(tmp_path / "a4.wav"), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(rate)
        out.writeframes(tone.tobytes())
    ffmpeg.shift_pitch(tmp_path / "a4.wav", tmp_path / "a3.raw", -12, rate)
    shifted = np.frombuffer((tmp_path / "a3.raw").read_bytes(), dtype="<i2")
    spectrum = np.abs(np.fft.rfft(shifted[: rate].astype(float)))
    assert np.fft.rfftfreq(rate, 1 / rate)[spectrum.argmax()] == pytest.approx(220, abs=2)
    assert rate <= shifted.size <= rate * 1.1
