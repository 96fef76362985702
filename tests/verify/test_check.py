"""Tests for fullcast.verify.check: cues mapped to script.jsonl records, the report, the second listen, the errors.

Fake-engine renders (tones) are heard by a stand-in listener (`support.listener`) that hears each
segment's own words at its cue; the tests marked `real` render with espeak and listen with Whisper.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fullcast.errors import ConfigError, OutputError
from fullcast.verify import check, whisper
from fullcast.verify.check import listening_clips, own_clip, plan_book, verify_output

from support.listening import listener, render_spoken, rendered_tiny_book, silence_clip


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    """The output folder of the tiny book rendered with the fake engine."""
    return rendered_tiny_book(tmp_path)


def heard_as(files: list[check._Planned]) -> list[tuple[str, list[tuple[int, str, str]]]]:
    return [(f.path.name, [(r.index, r.speaker, r.text) for r in f.records]) for f in files]


# --------------------------------------------------------------------------- cues and records


def test_each_file_gets_the_records_its_cues_belong_to(rendered: Path) -> None:
    files = plan_book(rendered / "mp3" / "Ann Smith" / "Tiny", rendered)
    assert heard_as(files) == [
        ("01 - One.mp3", [(0, "narrator", "Content warning: some peril."),
                          (1, "narrator", "Tiny, by Ann Smith. Narrated by the fullcast ensemble."),
                          (2, "narrator", "One"), (3, "narrator", "Tara waited by the lamp."),
                          (4, "Tara", "Hi there, old friend,"), (5, "narrator", "said Tara.")]),
        ("02 - Two.mp3", [(0, "narrator", "Two"), (1, "narrator", "The tide came in."),
                          (2, "narrator", "You have been listening to Tiny, by Ann Smith."),
                          (3, "narrator", "The End.")]),
    ]
    assert [len(f.entry.cues) for f in files] == [6, 4]
    assert files[0].entry.cues[3] == (8344, 9990)


def test_a_chapter_split_into_parts_is_cut_between_records(tmp_path: Path) -> None:
    from fullcast.audio.synthesis import synthesize_lines
    from fullcast.casting.cast import cast_script
    from fullcast.manuscript.plaintext import read_manuscript
    from fullcast.publish.export import export_book
    from fullcast.script.analyse import analyse_book
    from fullcast.settings.config import Config, Credits, Mastering

    (tmp_path / "ms").mkdir()
    paragraphs = [f"Paragraph {n} has exactly eight words in it." for n in ("one", "two", "three", "four")]
    (tmp_path / "ms" / "book.md").write_text("Title: Long\n\n# One\n\n" + "\n\n".join(paragraphs) + "\n")
    config = Config(engine="fake", credits=Credits(opening=False, closing=False),
                    mastering=Mastering(max_file_minutes=10 / 60))
    cast = cast_script(analyse_book(read_manuscript(tmp_path / "ms"), config), config)
    export_book(cast, synthesize_lines(cast.lines, tmp_path / "cache", jobs=1), config, tmp_path / "out", jobs=1)

    files = plan_book(tmp_path / "out" / "mp3" / "Unknown Author" / "Long", tmp_path / "out")
    assert [(f.path.name, f.entry.part, [r.index for r in f.records]) for f in files] == [
        ("01a - One.mp3", 1, [0, 1]), ("01b - One.mp3", 2, [2, 3]), ("01c - One.mp3", 3, [4])]
    assert [len(f.entry.cues) for f in files] == [2, 2, 1]
    assert files[1].records[0].text == "Paragraph two has exactly eight words in it."


def test_clips_hold_segments_up_to_28_s_and_are_cut_mid_pause() -> None:
    cues = [(750, 10000), (10600, 20000), (20600, 30000), (30600, 31000)]
    assert listening_clips(cues, 33000) == [(0, 2, 0, 20300), (2, 4, 20300, 33000)]
    assert listening_clips([(750, 40000), (40600, 41000)], 43000) == [(0, 1, 0, 40300), (1, 2, 40300, 43000)]
    assert own_clip(cues, 1, 33000) == (1, 2, 10300, 20300)
    assert own_clip(cues, 0, 33000) == (0, 1, 0, 10300)
    assert listening_clips([], 2000) == []


# --------------------------------------------------------------------------- the report


def test_a_silent_segment_is_named_and_fails_the_check(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener(silent={(1, 3)}))
    report = verify_output(rendered)
    book = rendered / "mp3" / "Ann Smith" / "Tiny"
    assert report.missing == (check.MissingSegment(1, 3, book / "01 - One.mp3", 8344, 9990, "narrator",
                                                   "Tara waited by the lamp."),)
    assert report.files == (
        check.FileResult(1, 1, book / "01 - One.mp3", 25, 0.2, False, 0, 5, 0),
        check.FileResult(2, 1, book / "02 - Two.mp3", 16, 0.0, True, 0, 0, 0),
    )
    assert not report.passed
    assert report.seconds == pytest.approx(26.321)


def test_every_word_heard_passes(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener())
    report = verify_output(rendered)
    assert report.passed and report.missing == ()
    assert [(f.words, f.wer) for f in report.files] == [(25, 0.0), (16, 0.0)]


def test_a_segment_lost_among_others_is_heard_again_alone(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list = []
    monkeypatch.setattr(whisper, "transcribe", listener(lost_among_others={(1, 3)}, calls=calls))
    report = verify_output(rendered)
    assert report.missing == ()
    assert calls == [("01 - One.mp3", ((0, 14760),)), ("01 - One.mp3", ((7744, 10290),)),
                     ("02 - Two.mp3", ((0, 11561),))]
    assert report.files[0].wer == 0.2 and report.files[0].passed  # the WER is the first listen's


def test_a_short_segment_is_never_missing_alone_but_counts_in_the_wer(rendered: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener(silent={(1, 5)}))  # "said Tara."
    report = verify_output(rendered)
    assert report.missing == ()
    assert (report.files[0].deletions, report.files[0].wer) == (2, 0.08)
    assert report.passed
    strict = verify_output(rendered, threshold=0.05)
    assert [f.passed for f in strict.files] == [False, True] and not strict.passed


def test_progress_reaches_every_second_of_audio(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener())
    seen: list[tuple[float, float]] = []
    verify_output(rendered, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == pytest.approx((26.321, 26.321))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_one_chapter_file_alone(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whisper, "transcribe", listener())
    report = verify_output(rendered / "mp3" / "Ann Smith" / "Tiny" / "02 - Two.mp3")
    assert [f.file.name for f in report.files] == ["02 - Two.mp3"]


# --------------------------------------------------------------------------- errors


def test_no_such_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        verify_output(tmp_path / "nowhere")
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: no such file or folder; give the output folder of a render"


def test_not_an_output_folder(tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / ".fullcast-script.jsonl").write_text("")  # hidden folders are not books
    with pytest.raises(OutputError) as caught:
        verify_output(tmp_path)
    assert str(caught.value) == (f"{tmp_path}: not a fullcast output folder (no rendered book in it); give the --out "
                                 "folder of a render, or a book folder in it")


def test_no_script_jsonl(rendered: Path) -> None:
    (rendered / ".fullcast" / "mp3" / "Ann Smith" / "Tiny" / ".fullcast-script.jsonl").unlink()
    with pytest.raises(OutputError) as caught:
        verify_output(rendered)
    assert str(caught.value) == (f"{rendered / 'mp3' / 'Ann Smith' / 'Tiny'}: no .fullcast-script.jsonl, so there is nothing to compare the audio "
                                 "with; `fullcast render` writes it beside the chapter files: render the book again")


def test_no_manifest(rendered: Path) -> None:
    (rendered / ".fullcast" / "mp3" / "Ann Smith" / "Tiny" / ".fullcast-manifest.json").unlink()
    with pytest.raises(OutputError) as caught:
        verify_output(rendered)
    assert str(caught.value) == (f"{rendered / 'mp3' / 'Ann Smith' / 'Tiny'}: no readable .fullcast-manifest.json, so the segments cannot "
                                 "be placed in the audio; render the book again to write it")


def test_a_chapter_file_listed_but_gone_is_named_before_anything_is_heard(rendered: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list = []
    monkeypatch.setattr(whisper, "transcribe", listener(calls=calls))
    gone = rendered / "mp3" / "Ann Smith" / "Tiny" / "02 - Two.mp3"
    gone.unlink()
    with pytest.raises(OutputError) as caught:
        verify_output(rendered)
    assert str(caught.value) == f"{gone}: listed in .fullcast-manifest.json but missing; render the book again to " \
                                "rebuild it"
    (rendered / "mp3" / "Ann Smith" / "Tiny" / "Tiny.m4b").write_bytes(b"")
    with pytest.raises(OutputError) as caught:
        verify_output(rendered)
    assert str(caught.value) == (f"{gone}: listed in .fullcast-manifest.json but missing (verify hears the chapter "
                                 "MP3s, not the M4B); render the book again to rebuild it")
    assert calls == []


def test_script_and_cues_that_disagree(rendered: Path) -> None:
    script = rendered / ".fullcast" / "mp3" / "Ann Smith" / "Tiny" / ".fullcast-script.jsonl"
    script.write_text("".join(script.read_text().splitlines(keepends=True)[:-1]))
    with pytest.raises(OutputError) as caught:
        verify_output(rendered)
    assert str(caught.value) == (f"{rendered / 'mp3' / 'Ann Smith' / 'Tiny'}: chapter 2 has 3 segments in .fullcast-script.jsonl but 4 cues in its "
                                 "files; the render was interrupted or the folder was changed since: render the book "
                                 "again")


def test_a_damaged_script_line(rendered: Path) -> None:
    script = rendered / ".fullcast" / "mp3" / "Ann Smith" / "Tiny" / ".fullcast-script.jsonl"
    lines = script.read_text().splitlines(keepends=True)
    script.write_text(lines[0] + "not json\n" + "".join(lines[2:]))
    with pytest.raises(OutputError) as caught:
        verify_output(rendered)
    assert str(caught.value) == (f"{script}:2: not a segment record (Expecting value: line 1 column 1 (char 0)); "
                                 "render the book again to rewrite it")
    record = json.loads(lines[1])
    del record["text"]
    script.write_text(lines[0] + json.dumps(record) + "\n")
    with pytest.raises(OutputError, match=r"\.fullcast-script.jsonl:2: not a segment record \(no 'text'\); render the book"):
        verify_output(rendered)


def test_a_file_that_is_not_a_chapter_of_the_book(rendered: Path) -> None:
    stray = rendered / "mp3" / "Ann Smith" / "Tiny" / "stray.mp3"
    stray.write_bytes(b"")
    with pytest.raises(OutputError) as caught:
        verify_output(stray)
    assert str(caught.value) == (f"{stray}: not a chapter file of the book in {rendered / 'mp3' / 'Ann Smith' / 'Tiny'}; give a chapter MP3 "
                                 "of a render, or the output folder")


def test_a_negative_threshold(rendered: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        verify_output(rendered, threshold=-1)
    assert str(caught.value) == "--threshold -1: must be 0 or more (a word error rate, e.g. 0.25)"


# --------------------------------------------------------------------------- real speech, real listening

SILENCED = (1, 2)
"""The line of dialogue of SPOKEN_TINY_BOOK: chapter 1, segment 2."""


@pytest.mark.real
def test_real_speech_passes_and_a_silenced_clip_is_named(tmp_path: Path) -> None:
    book = render_spoken(tmp_path)
    report = verify_output(tmp_path / "out")
    assert report.missing == ()
    assert len(report.files) == 1 and report.files[0].words == 50
    assert report.files[0].wer < 0.25 and report.passed

    text = silence_clip(tmp_path, *SILENCED)
    chapter_file = next(book.glob("01 - *.mp3"))
    chapter_file.unlink()  # the chapter's digest does not see a clip's samples: only a missing file is re-encoded
    render_spoken(tmp_path)
    report = verify_output(tmp_path / "out")
    assert [(m.chapter, m.index, m.speaker, m.text) for m in report.missing] == [(*SILENCED, "Maren", text)]
    assert not report.passed
    assert report.missing[0].file == chapter_file and report.missing[0].end_ms == report.missing[0].start_ms
