"""master: one gain to the loudness target past the limiter, and each block encoded once into the cache."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fullcast.audio import ffmpeg, master, stitch
from fullcast.model import Clip, Pause
from fullcast.publish.tag import read_mp3_facts
from fullcast.settings.config import Mastering

from support.clips import NARRATOR, PAUSES, make_clip


def chapter(folder: Path, amplitude: float = 0.3, count: int = 4) -> list[Clip]:
    return [make_clip(folder, i, 2000 + 300 * i, Pause.PARAGRAPH if i else Pause.START, amplitude=amplitude)
            for i in range(count)]


def encode_whole(plan: stitch.ChapterPlan, gain: float, mastering: Mastering, cache: Path) -> master.Fragment:
    """The whole plan as one block."""
    return master.encode_block(plan, stitch.Block(0, len(plan.placed), 0, plan.frames), {}, gain, mastering, cache)


def decoded_samples(path: Path) -> int:
    pcm = subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "quiet", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    return len(pcm) // 2


def test_a_file_is_mastered_to_the_target_and_acx_format(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path, amplitude=0.9), {}, PAUSES)
    gain = master.chapter_gain(plan, {}, Mastering())
    fragment = encode_whole(plan, gain, Mastering(), tmp_path / "cache")
    facts = read_mp3_facts(fragment.path)
    assert (facts.sample_rate, facts.bitrate, facts.mode, facts.channels) == (44100, 192000, "CBR", 1)
    stats = ffmpeg.measure_audio(fragment.path)
    assert stats.integrated_lufs == pytest.approx(-20.0, abs=0.5)
    assert stats.true_peak_dbtp <= -3.0
    assert -23.0 <= stats.rms_db <= -18.0
    assert stats.head_silence_s == pytest.approx(0.75, abs=0.02)
    assert stats.tail_silence_s == pytest.approx(2.0, abs=0.02)


def test_the_limiters_bite_is_made_up(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path, amplitude=0.9), {}, PAUSES)
    loud = Mastering(loudness=-14.0)  # 4 LU up from where this file sits: its peaks go far past the ceiling
    plain = round(-14.0 - plan.loudness + master.MP3_LOSS_LU, 2)
    gain = master.chapter_gain(plan, {}, loud)
    assert gain > plain + 0.5  # the gain makes up for what the limiter takes
    stats = ffmpeg.measure_audio(encode_whole(plan, gain, loud, tmp_path / "cache").path)
    assert stats.integrated_lufs == pytest.approx(-14.0, abs=0.5)
    assert stats.true_peak_dbtp <= -3.0


def test_a_quiet_file_needs_no_limiter(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path, amplitude=0.05), {}, PAUSES)  # peaks at -6 dBFS
    assert plan.peak_db + (-44.0 - plan.loudness) < master.limit_db(Mastering()) - master.OVERSHOOT_DB
    assert master.chapter_gain(plan, {}, Mastering(loudness=-44.0)) == round(-44.0 - plan.loudness + 0.4, 2)


def test_configured_targets_are_followed(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path), {}, PAUSES)
    mastering = Mastering(loudness=-23.0, true_peak=-6.0)
    fragment = encode_whole(plan, master.chapter_gain(plan, {}, mastering), mastering, tmp_path / "cache")
    stats = ffmpeg.measure_audio(fragment.path)
    assert stats.integrated_lufs == pytest.approx(-23.0, abs=0.5)
    assert stats.true_peak_dbtp <= -6.0


def test_room_tone_noise_bed_when_configured(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path, count=1), {}, PAUSES)
    mastering = Mastering(noise_floor=-70.0)
    stats = ffmpeg.measure_audio(encode_whole(plan, 0.0, mastering, tmp_path / "cache").path)
    assert -75.0 < stats.noise_floor_db <= -60.0
    assert stats.head_silence_s == pytest.approx(0.75, abs=0.02)  # a -70 dB bed still counts as silence


def test_a_chapter_of_room_tone_only_stays_silent(tmp_path: Path) -> None:
    plan = stitch.plan_chapter([], {}, PAUSES)
    assert master.chapter_gain(plan, {}, Mastering()) == 0.0
    fragment = encode_whole(plan, 0.0, Mastering(), tmp_path / "cache")
    stats = ffmpeg.measure_audio(fragment.path)
    assert stats.peak_db == -math.inf
    assert stats.duration_s == pytest.approx(2.75, abs=0.001)


def test_a_block_decodes_to_exactly_its_samples(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path, count=3), {}, PAUSES)
    blocks = stitch.split_blocks(plan, seconds=3.0)
    assert len(blocks) == 2
    for block in blocks:
        fragment = master.encode_block(plan, block, {}, 0.0, Mastering(), tmp_path / "cache")
        assert fragment.samples == round(block.frames * 44100 / plan.rate)
        assert decoded_samples(fragment.path) == fragment.samples


def test_a_block_is_encoded_once_and_found_by_its_content(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path, count=2), {}, PAUSES)
    first = encode_whole(plan, 1.0, Mastering(), tmp_path / "cache")
    made = first.path.stat().st_mtime_ns
    again = encode_whole(plan, 1.0, Mastering(), tmp_path / "cache")
    assert again == first and again.path.stat().st_mtime_ns == made
    assert encode_whole(plan, 1.5, Mastering(), tmp_path / "cache").path != first.path  # another gain
    louder = stitch.plan_chapter(plan and [p.clip for p in plan.placed], {NARRATOR: 2.0}, PAUSES)
    block = stitch.Block(0, 2, 0, louder.frames)
    assert master.encode_block(louder, block, {NARRATOR: 2.0}, 1.0, Mastering(), tmp_path / "cache").path != first.path
    assert sorted(p.suffix for p in (tmp_path / "cache").rglob("*.*")) == [".mp3"] * 3


def test_half_written_blocks_of_dead_processes_are_swept(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / master.FRAGMENT_FOLDER / "ab"
    folder.mkdir(parents=True)
    dead, mine = folder / "abcd.999999-1.tmp", folder / f"abce.{__import__('os').getpid()}-1.tmp"
    dead.write_bytes(b"half")
    mine.write_bytes(b"half")
    master.sweep_fragments(tmp_path / "cache")
    assert not dead.exists() and mine.exists()


def test_encoding_streams_the_audio_without_a_chapter_file(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(chapter(tmp_path, count=2), {}, PAUSES)
    encode_whole(plan, 0.0, Mastering(), tmp_path / "cache")
    assert not list(tmp_path.glob("*.wav.*")) and sorted(p.name for p in tmp_path.iterdir()) == [
        "cache", "clip0.wav", "clip1.wav"]
    assert np.isfinite(plan.loudness)
