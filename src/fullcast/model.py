"""The typed values that pass between fullcast's stages.

manuscript.read_manuscript        -> Book
script.analyse_book               -> Script      (segments + speakers)
casting.cast_script               -> CastScript  (a voice for every segment)
audio.synthesis.synthesize_lines  -> Clip per line
publish.export.export_book        -> ChapterAudio per chapter (stitched by audio.stitch), tagged files under output/

Every value is frozen; a stage makes new values and never changes the ones it got.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class SegmentKind(str, Enum):
    """What a stretch of spoken text is, which decides who reads it and how."""

    WARNING = "warning"
    HEADING = "heading"
    NARRATION = "narration"
    MONOLOGUE = "monologue"
    DIALOGUE = "dialogue"


class Pause(str, Enum):
    """The boundary in front of a segment; stitching turns it into a pause length."""

    START = "start"
    """The first segment of a file: only the head room tone comes before it."""
    INLINE = "inline"
    """Same paragraph as the previous segment, e.g. between a quote and its tag."""
    PARAGRAPH = "paragraph"
    """First segment of a new paragraph."""
    SCENE = "scene"
    """First segment after a scene break (`***`, `* * *`, `#`)."""
    HEADING = "heading"
    """First segment after a chapter heading or the content warning."""


class Gender(str, Enum):
    """A character's gender as far as pronouns and voice pools are concerned."""

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


NARRATOR = "narrator"
"""The speaker name of narration, headings and warnings."""


# --------------------------------------------------------------------------- manuscript


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of story text, located in its source file."""

    start: int
    """Offset of the paragraph's first character in the chapter's source text."""
    end: int
    """Offset just past the paragraph's last character."""
    scene_break_before: bool = False
    """True when a scene-break line (`***`, `* * *`, `#`) came just before it."""


@dataclass(frozen=True)
class Chapter:
    """A chapter: its heading and the paragraphs of its body."""

    number: int
    """1-based position in the book."""
    title: str
    """Title as read aloud and tagged, e.g. "Chapter One: The Harbour"."""
    source: str
    """The file the chapter comes from, as the user named it."""
    text: str
    """The whole decoded text of that file (UTF-8, newlines untouched); offsets index into it."""
    heading: tuple[int, int] | None
    """Offsets of the heading line in `text`, or None when the title was generated."""
    paragraphs: tuple[Paragraph, ...]
    """The body, in reading order."""

    def paragraph_text(self, paragraph: Paragraph) -> str:
        """The raw text of one of this chapter's paragraphs."""
        return self.text[paragraph.start : paragraph.end]


@dataclass(frozen=True)
class ContentWarning:
    """The content warning spoken at the start of the book."""

    text: str
    """Exactly what the narrator says."""
    source: str | None = None
    """The file it was read from, or None when voices.yaml gave it or it was built from the rating."""
    start: int | None = None
    """Offset of the warning paragraph in the source text, or None."""
    end: int | None = None
    """Offset just past the warning paragraph, or None."""


@dataclass(frozen=True)
class Book:
    """A manuscript read and split into metadata, warning and chapters; no speakers yet."""

    title: str
    """Book title: voices.yaml, then front matter, then the file name."""
    author: str | None
    """Author from front matter, or None."""
    rating: str | None
    """Rating from front matter (R, NC-17, Mature, ...), or None."""
    metadata: tuple[tuple[str, str], ...]
    """Every front-matter `Key: Value` pair, in file order."""
    warning: ContentWarning | None
    """The content warning, or None when the book has none."""
    chapters: tuple[Chapter, ...]
    """At least one chapter, in reading order."""


# --------------------------------------------------------------------------- script


@dataclass(frozen=True)
class Segment:
    """One stretch of text read by one speaker: the unit of synthesis."""

    chapter: int
    """1-based chapter number."""
    index: int
    """0-based position within the chapter."""
    kind: SegmentKind
    """Warning, heading, narration, monologue or dialogue."""
    speaker: str
    """Cast name of whoever speaks it, or `narrator`."""
    text: str
    """Exactly the words to speak (quote marks and emphasis markers removed)."""
    source: str | None
    """The file the text comes from, or None for generated text."""
    start: int | None
    """Offset of the first spoken character in the source text; None for generated text."""
    end: int | None
    """Offset just past the last spoken character; None for generated text."""
    pause: Pause = Pause.PARAGRAPH
    """The boundary in front of this segment."""
    rule: str = ""
    """Why this speaker was chosen: the rule and its cue, shown by `script --explain`."""


@dataclass(frozen=True)
class Speaker:
    """A speaker the analysis found, cast or not."""

    name: str
    """Cast name, or the name as found in the text for an uncast speaker."""
    gender: Gender
    """Gender from the cast, or guessed from pronouns and honorifics."""
    in_cast: bool
    """True when voices.yaml has an entry for this speaker."""
    aliases_matched: tuple[str, ...] = ()
    """The names and aliases by which the text referred to this speaker."""


@dataclass(frozen=True)
class Script:
    """A book split into segments with a speaker for each."""

    book: Book
    """The book the segments come from."""
    segments: tuple[Segment, ...]
    """Every segment, chapter by chapter, in reading order."""
    speakers: tuple[Speaker, ...]
    """Every speaker of at least one dialogue or monologue segment, cast first."""
    warnings: tuple[str, ...] = ()
    """Problems worth telling the editor about, e.g. a `lines:` entry that matched nothing."""


# --------------------------------------------------------------------------- cast


@dataclass(frozen=True)
class Voice:
    """A fully resolved engine voice: everything that changes how text sounds."""

    engine: str
    """Engine name, e.g. `pyttsx3`."""
    voice_id: str
    """Engine voice id, e.g. `gmw/en-us+f3`."""
    rate: int
    """Words per minute."""
    pitch: int
    """0-99, 50 is neutral."""
    volume: float
    """0.0-1.0."""


@dataclass(frozen=True)
class Line:
    """A segment with the voice that will read it and the text after pronunciations."""

    segment: Segment
    """The segment being read."""
    voice: Voice
    """The resolved voice."""
    spoken: str
    """The text handed to the engine: segment text with pronunciations applied."""


@dataclass(frozen=True)
class CastScript:
    """A script with a voice for every segment: everything synthesis needs."""

    script: Script
    """The analysed script."""
    lines: tuple[Line, ...]
    """One line per segment, in the same order."""
    voices: tuple[tuple[str, Voice], ...]
    """Speaker name -> voice, for every speaker including `narrator`."""


# --------------------------------------------------------------------------- audio


@dataclass(frozen=True)
class Clip:
    """The synthesised audio of one line, kept in the segment cache."""

    line: Line
    """The line it speaks."""
    path: Path
    """A mono 16-bit WAV file in the cache."""
    duration_ms: int
    """Length of the audio."""
    synthesised: bool
    """True when made in this run, False when taken from the cache."""


@dataclass(frozen=True)
class Cue:
    """Where a segment sits in a finished chapter file."""

    segment: Segment
    """The segment spoken."""
    start_ms: int
    """Start of its audio in the chapter file."""
    end_ms: int
    """End of its audio in the chapter file."""


@dataclass(frozen=True)
class ChapterAudio:
    """A finished, encoded chapter file and where each segment sits in it."""

    chapter: Chapter
    """The chapter."""
    path: Path
    """The encoded audio file."""
    duration_ms: int
    """Length of the file's audio."""
    cues: tuple[Cue, ...]
    """One cue per segment, in order."""
