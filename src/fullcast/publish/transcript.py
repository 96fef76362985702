"""Write a chapter's transcript as WebVTT (and optionally SRT): one cue per spoken segment.

Each cue names its speaker (`<v Tara>` in VTT, `Tara:` in SRT) so read-along players
and screen readers can tell the voices apart. Narration, headings and the content
warning are spoken by `Narrator`; interior monologue is set in italics, the usual
caption convention for thoughts. Timings are the segment positions in the final
audio (`model.Cue`, milliseconds), written at full millisecond precision.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from ..model import NARRATOR, ChapterAudio, Cue, SegmentKind
from .folder import write_text_atomic

NARRATOR_LABEL = "Narrator"
"""How the narrator is named in cues."""
_SPACE = re.compile(r"\s+")


def vtt_text(cues: Sequence[Cue]) -> str:
    """The WebVTT document for *cues*, in the order given."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(_spoken(cues), start=1):
        speaker = _escape(speaker_label(cue)).replace("\n", " ")
        body = _escape(_flat(cue.segment.text))
        if cue.segment.kind is SegmentKind.MONOLOGUE:
            body = f"<i>{body}</i>"
        timing = f"{_stamp(cue.start_ms, '.')} --> {_stamp(cue.end_ms, '.')}"
        blocks.append(f"{number}\n{timing}\n<v {speaker}>{body}")
    return "\n\n".join(blocks) + "\n"


def srt_text(cues: Sequence[Cue]) -> str:
    """The SubRip document for *cues*, in the order given."""
    blocks = []
    for number, cue in enumerate(_spoken(cues), start=1):
        body = _flat(cue.segment.text)
        if cue.segment.kind is SegmentKind.MONOLOGUE:
            body = f"<i>{body}</i>"
        timing = f"{_stamp(cue.start_ms, ',')} --> {_stamp(cue.end_ms, ',')}"
        blocks.append(f"{number}\n{timing}\n{speaker_label(cue)}: {body}")
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def write_vtt(cues: Sequence[Cue], path: Path) -> Path:
    """Write the WebVTT transcript of *cues* to *path* (via a temporary file, and not when it already says so)."""
    write_text_atomic(path, vtt_text(cues), "the transcript")
    return path


def write_srt(cues: Sequence[Cue], path: Path) -> Path:
    """Write the SubRip transcript of *cues* to *path* (via a temporary file, and not when it already says so)."""
    write_text_atomic(path, srt_text(cues), "the transcript")
    return path


def write_transcripts(chapters: Sequence[ChapterAudio], *, srt: bool) -> None:
    """A WebVTT (and with *srt* an SRT) transcript beside every chapter file."""
    for chapter in chapters:
        write_vtt(chapter.cues, chapter.path.with_suffix(".vtt"))
        if srt:
            write_srt(chapter.cues, chapter.path.with_suffix(".srt"))


def speaker_label(cue: Cue) -> str:
    """The name shown for the cue's speaker: the cast name, or `Narrator`."""
    speaker = cue.segment.speaker
    return NARRATOR_LABEL if speaker == NARRATOR or not speaker else speaker


def _spoken(cues: Sequence[Cue]) -> list[Cue]:
    """Cues with words in them; an empty segment makes no caption."""
    return [cue for cue in cues if _flat(cue.segment.text)]


def _flat(text: str) -> str:
    """Text on one line: a blank line inside a cue would end it early."""
    return _SPACE.sub(" ", text).strip()


def _escape(text: str) -> str:
    """Escape the three characters WebVTT cue text reserves (this also defuses `-->`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stamp(ms: int, separator: str) -> str:
    """`hh:mm:ss.mmm` (VTT) or `hh:mm:ss,mmm` (SRT)."""
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
