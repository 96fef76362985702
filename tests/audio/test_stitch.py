"""stitch: clips laid out after head room tone and their pauses, measured, cut into blocks and into files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from fullcast.audio import stitch
from fullcast.audio.loudness import integrated_loudness
from fullcast.model import Clip, Pause
from fullcast.settings.config import Pauses

from support.clips import NARRATOR, PAUSES, RATE, make_clip, whole_pcm


@pytest.fixture
def three_clips(tmp_path: Path) -> list[Clip]:
    return [make_clip(tmp_path, 0, 1000, Pause.START), make_clip(tmp_path, 1, 500, Pause.INLINE),
            make_clip(tmp_path, 2, 250, Pause.PARAGRAPH)]


@pytest.mark.parametrize(("pause", "ms"), [(Pause.START, 0), (Pause.INLINE, 250), (Pause.PARAGRAPH, 600),
                                           (Pause.SCENE, 1800), (Pause.HEADING, 1200)])
def test_pause_lengths_come_from_config(pause: Pause, ms: int) -> None:
    assert stitch.pause_ms(pause, PAUSES) == ms


def test_plan_places_speech_after_head_and_pauses(three_clips: list[Clip]) -> None:
    plan = stitch.plan_chapter(three_clips, {}, PAUSES)
    # head 750 | 1000 speech | inline 250 | 500 | paragraph 600 | 250 | tail 2000; engine silences trimmed away
    assert [(c.start_ms, c.end_ms) for c in plan.cues()] == [(750, 1750), (2000, 2500), (3100, 3350)]
    assert plan.duration_ms == 5350 and plan.rate == RATE
    assert [c.segment.index for c in plan.cues()] == [0, 1, 2]
    assert len(whole_pcm(plan)) == plan.frames == round(5.35 * RATE)


def test_cues_sit_exactly_on_speech(three_clips: list[Clip]) -> None:
    plan = stitch.plan_chapter(three_clips, {}, PAUSES)
    samples = whole_pcm(plan)
    for cue in plan.cues():
        start, end = round(cue.start_ms * RATE / 1000), round(cue.end_ms * RATE / 1000)
        assert not samples[start - 200:start].any(), "silent just before the cue"
        one_ms = RATE // 1000 + 1  # cues are whole milliseconds
        assert samples[start:start + one_ms].any() and samples[end - one_ms:end].any(), "speech right at the edges"
        assert not samples[end:end + 200].any(), "silent just after the cue"


def test_the_plan_measures_exactly_the_samples_it_streams(three_clips: list[Clip]) -> None:
    gains = {NARRATOR: -4.0}
    plan = stitch.plan_chapter(three_clips, gains, PAUSES)
    samples = whole_pcm(plan, gains)
    assert plan.loudness == pytest.approx(integrated_loudness(samples, RATE), abs=0.01)
    assert plan.peak_db == pytest.approx(20 * math.log10(np.max(np.abs(samples))), abs=0.01)
    assert plan.sample == (0, 1, 2)  # 1.75 s of speech all fits in the limiter's sample


def test_a_start_boundary_inside_a_chapter_gets_a_paragraph_pause(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, 0, 400, Pause.START), make_clip(tmp_path, 1, 400, Pause.START)]
    plan = stitch.plan_chapter(clips, {}, PAUSES)
    assert [(c.start_ms, c.end_ms) for c in plan.cues()] == [(750, 1150), (1750, 2150)]


def test_a_zero_pause_is_honoured(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, 0, 400, Pause.START), make_clip(tmp_path, 1, 400, Pause.INLINE)]
    plan = stitch.plan_chapter(clips, {}, Pauses(head=500, tail=1000, inline=0))
    assert [(c.start_ms, c.end_ms) for c in plan.cues()] == [(500, 900), (900, 1300)]


def test_clips_at_another_rate_are_resampled(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, 0, 800, Pause.START), make_clip(tmp_path, 1, 800, Pause.PARAGRAPH, rate=16000)]
    plan = stitch.plan_chapter(clips, {}, PAUSES)
    assert plan.rate == RATE
    assert plan.duration_ms == pytest.approx(750 + 800 + 600 + 800 + 2000, abs=10)
    assert plan.cues()[1].end_ms - plan.cues()[1].start_ms == pytest.approx(800, abs=10)
    assert len(whole_pcm(plan)) == plan.frames


def test_a_silent_clip_takes_no_time(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, 0, 0, Pause.START, lead_ms=500, trail_ms=500)
    plan = stitch.plan_chapter([clip], {}, PAUSES)
    assert [(c.start_ms, c.end_ms) for c in plan.cues()] == [(750, 750)]
    assert (plan.duration_ms, plan.loudness, plan.peak_db) == (2750, -math.inf, -math.inf)


def test_a_chapter_of_room_tone_only(tmp_path: Path) -> None:
    plan = stitch.plan_chapter([], {}, PAUSES)
    assert (plan.duration_ms, plan.cues(), plan.loudness) == (2750, (), -math.inf)
    assert stitch.split_blocks(plan) == (stitch.Block(0, 0, 0, plan.frames),)
    assert not whole_pcm(plan).any() and len(whole_pcm(plan)) == plan.frames


def test_gain_is_applied_per_voice(tmp_path: Path) -> None:
    plan = stitch.plan_chapter([make_clip(tmp_path, 0, 1000, Pause.START)], {}, PAUSES)
    plain, louder = whole_pcm(plan), whole_pcm(plan, {NARRATOR: 6.0})
    ratio = np.sqrt(np.mean(louder.astype(float) ** 2) / np.mean(plain.astype(float) ** 2))
    assert 20 * math.log10(ratio) == pytest.approx(6.0, abs=0.01)
    assert louder.dtype == np.float32


def test_a_gain_past_full_scale_is_not_clipped_before_mastering(tmp_path: Path) -> None:
    plan = stitch.plan_chapter([make_clip(tmp_path, 0, 500, Pause.START, amplitude=0.9)], {}, PAUSES)
    assert np.max(np.abs(whole_pcm(plan, {NARRATOR: 12.0}))) > 1.5  # the limiter, not the sample format, decides


def test_damaged_clip_names_file_and_segment(tmp_path: Path, three_clips: list[Clip]) -> None:
    from fullcast.errors import AudioError

    three_clips[1].path.write_bytes(b"RIFF\x00\x00")
    with pytest.raises(AudioError, match=r"clip1\.wav: .*chapter 1 segment 1.*--force"):
        stitch.plan_chapter(three_clips, {}, PAUSES)


# --------------------------------------------------------------------------- blocks


def long_chapter(folder: Path, seconds: list[int], pauses: list[Pause] | None = None) -> list[Clip]:
    pauses = pauses or [Pause.PARAGRAPH] * len(seconds)
    return [make_clip(folder, i, s * 1000, Pause.START if i == 0 else pauses[i]) for i, s in enumerate(seconds)]


def test_blocks_cut_before_a_pause_once_they_are_long_enough(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(long_chapter(tmp_path, [3, 3, 3, 3, 3]), {}, PAUSES)
    blocks = stitch.split_blocks(plan, seconds=5.0)
    assert [(b.first, b.last) for b in blocks] == [(0, 2), (2, 4), (4, 5)]
    assert blocks[0].start == 0 and blocks[1].start == plan.placed[2].at - plan.placed[2].pause
    assert sum(b.frames for b in blocks) == plan.frames
    assert [b.start for b in blocks[1:]] == [a.start + a.frames for a in blocks[:-1]]


def test_blocks_stream_the_same_samples_as_the_whole(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(long_chapter(tmp_path, [2, 1, 2, 1]), {}, PAUSES)
    joined = np.concatenate([np.concatenate(list(stitch.block_pcm(plan, b, {NARRATOR: -2.0})))
                             for b in stitch.split_blocks(plan, seconds=2.0)])
    assert np.array_equal(joined, whole_pcm(plan, {NARRATOR: -2.0}))


# --------------------------------------------------------------------------- files


def test_a_chapter_that_fits_is_one_file(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(long_chapter(tmp_path, [2, 2, 2]), {}, PAUSES)
    assert stitch.split_files(plan, plan.frames) == [(0, 3)]


def test_a_long_chapter_is_cut_evenly_before_a_paragraph(tmp_path: Path) -> None:
    pauses = [Pause.START, Pause.INLINE, Pause.PARAGRAPH, Pause.INLINE, Pause.PARAGRAPH, Pause.INLINE]
    plan = stitch.plan_chapter(long_chapter(tmp_path, [2, 2, 2, 2, 2, 2], pauses), {}, PAUSES)
    # 13.95 s of speech and pauses; 12 s files leave 9.25 s after the room tone: two files, 6.975 s each ideally.
    # Before clip 3 would be nearest (6.85 s) but is inside a paragraph; before clip 4 (9.1 s) still fits.
    assert stitch.split_files(plan, round(12.0 * RATE)) == [(0, 4), (4, 6)]


def test_a_scene_break_near_the_even_cut_wins_over_a_nearer_paragraph(tmp_path: Path) -> None:
    pauses = Pauses(head=500, tail=1000, paragraph=100, scene=200)
    clips = [make_clip(tmp_path, i, 300, Pause.START if i == 0 else Pause.SCENE if i == 11 else Pause.PARAGRAPH)
             for i in range(20)]
    plan = stitch.plan_chapter(clips, {}, pauses)
    # 8 s to share: the even cut at 4 s is exactly before clip 10; the scene break before clip 11 is 0.3 s off
    assert stitch.split_files(plan, round(7.0 * RATE)) == [(0, 11), (11, 20)]
    plain = [c if i != 11 else make_clip(tmp_path, 11, 300, Pause.PARAGRAPH) for i, c in enumerate(clips)]
    assert stitch.split_files(stitch.plan_chapter(plain, {}, pauses), round(7.0 * RATE)) == [(0, 10), (10, 20)]


def test_every_part_fits_the_limit(tmp_path: Path) -> None:
    plan = stitch.plan_chapter(long_chapter(tmp_path, [1] * 30), {}, PAUSES)
    limit = round(8.0 * RATE)
    ranges = stitch.split_files(plan, limit)
    assert ranges[0][0] == 0 and ranges[-1][1] == 30 and all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    for lo, hi in ranges:
        assert stitch.plan_chapter([p.clip for p in plan.placed[lo:hi]], {}, PAUSES).frames <= limit
    speech_and_pauses = 30 * 1000 + 29 * 600
    room = round(8000 - 750 - 2000)  # every file has its own head and tail room tone
    assert len(ranges) == math.ceil(speech_and_pauses / room) == 10
