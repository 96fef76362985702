"""Helpers for the listening check's tests: a stand-in for Whisper, and a tiny book spoken by espeak.

`listener` replaces `fullcast.verify.whisper.transcribe`: it "hears" exactly the words each
segment was given, at its cue, so the check can be tested on fake-engine renders (tones, which
no recogniser understands) without loading a model. `render_spoken` and `silence_clip` serve
the tests marked `real`.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Callable, Collection, Sequence

from fullcast.verify.align import Word
from fullcast.verify.check import plan_book


def listener(silent: Collection[tuple[int, int]] = (), lost_among_others: Collection[tuple[int, int]] = (),
             calls: list | None = None) -> Callable[..., tuple[Word, ...]]:
    """A `transcribe` that hears every segment's words spread over its cue, but not the (chapter, index) pairs in
    *silent*, nor those in *lost_among_others* unless their clip holds them alone; *calls* collects the clips."""

    def transcribe(path: Path, threads: int, clips: Sequence[tuple[int, int]] = (), progress=None) -> tuple[Word, ...]:
        if calls is not None:
            calls.append((path.name, tuple(clips)))
        file = next(p for p in plan_book(path.parent, path.parent) if p.path == path)
        words: list[Word] = []
        for start, end in clips or [(0, file.entry.duration_ms)]:
            inside = [(record, cue) for record, cue in zip(file.records, file.entry.cues) if start <= cue[0] < end]
            for record, (begin, finish) in inside:
                key = (record.chapter, record.index)
                if key in silent or (key in lost_among_others and len(inside) > 1):
                    continue
                said = record.text.split()
                step = (finish - begin) / max(1, len(said))
                words += [Word(w, round(begin + n * step), round(begin + (n + 1) * step)) for n, w in enumerate(said)]
            if progress is not None:
                progress(end / 1000)
        return tuple(words)

    return transcribe


SPOKEN_BOOK = """Title: The Quiet Harbour

# Chapter One

The ferry reached the harbour an hour before dusk. Maren carried one bag and a letter she had read many times.

"I came back to light the lamps," said Maren.

The old iron posts stood along the sea wall, waiting for someone to climb up and light them.
"""
"""Two short paragraphs and a line of dialogue (segment 2 of chapter 1): 50 words with the heading."""
SPOKEN_CAST = """credits: {opening: false, closing: false}
characters:
  Maren: {gender: female, voice: gmw/en-us+f3}
"""
"""SPOKEN_BOOK's voices.yaml: espeak, the default narrator, Maren in a clear en-us voice."""


def render_spoken(folder: Path) -> Path:
    """SPOKEN_BOOK rendered with espeak into *folder*/out (again: only what changed); its book folder."""
    from fullcast import pipeline

    (folder / "ms").mkdir(exist_ok=True)
    (folder / "ms" / "book.md").write_text(SPOKEN_BOOK, encoding="utf-8")
    (folder / "ms" / "voices.yaml").write_text(SPOKEN_CAST, encoding="utf-8")
    return pipeline.render(folder / "ms", None, folder / "out", jobs=1).book_dir


def silence_clip(folder: Path, chapter: int, index: int) -> str:
    """Replace the cached clip of one segment of render_spoken's book with silence of the same length; its text."""
    from fullcast import pipeline
    from fullcast.audio.cache import cache_key, cache_path

    _, cast = pipeline.analyse(folder / "ms", None)
    line = next(line for line in cast.lines if (line.segment.chapter, line.segment.index) == (chapter, index))
    path = cache_path(folder / "out" / ".cache", cache_key(line.voice, line.spoken))
    with wave.open(str(path), "rb") as clip:
        params, frames = clip.getparams(), clip.getnframes()
    with wave.open(str(path), "wb") as clip:
        clip.setparams(params)
        clip.writeframes(b"\0\0" * frames)
    return line.spoken


TINY_BOOK = """Title: Tiny
Author: Ann Smith
Content warning: some peril.

# One

Tara waited by the lamp.

"Hi there, old friend," said Tara.

# Two

The tide came in.
"""
"""Two chapters: the warning, the opening credits, a heading, narration and a line of dialogue; the closing credits."""


def rendered_tiny_book(folder: Path) -> Path:
    """The output folder of TINY_BOOK rendered into *folder* with the fake engine."""
    from support.render import render_with_fake_engine

    render_with_fake_engine(folder, TINY_BOOK)
    return folder / "out"
