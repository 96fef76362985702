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
    number: int | None = None
    """For a converted format, the 1-based position in its source document of the block it came from
    (a DOCX paragraph, an HTML or EPUB block element), so a review can point back; None for text files,
    whose offsets already do."""


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

    document: str | None = None
    """The document inside the source it was converted from (an EPUB's `OEBPS/ch03.xhtml`), or None."""
    converted: bool = False
    """True when `text` is a reader's conversion of an EPUB, HTML, DOCX or Markdown file rather than the
    file itself: paragraphs and italics as the script stage reads them (`*...*`), markup gone."""

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
class SetAside:
    """A passage of the manuscript that is not read as story: front matter, a note, a table of contents."""

    kind: str
    """What it is: `title page`, `table of contents`, `dedication`, `copyright`, `link`, `author's note`,
    `transcriber's note`, `preface`, `epigraph`, `notes` (an archive's notes), `cover`."""
    text: str
    """Its words, markup removed."""
    source: str
    """The file it is in."""
    start: int | None = None
    """Offset in that file's (or its converted) text, or None when it was taken from markup or metadata."""
    end: int | None = None
    """Offset just past it, or None."""
    document: str | None = None
    """The document inside the source (an EPUB's `OEBPS/ch03.xhtml`), or None."""


@dataclass(frozen=True)
class Publication:
    """What a manuscript file says about the book as a publication, beyond its title and author."""

    description: str | None = None
    """The blurb: an EPUB's `dc:description`, an archive's Summary, a `Description:` line; or None."""
    language: str | None = None
    """Language code from the file's metadata (`en`, `en-GB`), or None."""
    series: str | None = None
    """The series the book belongs to, or None."""
    series_part: str | None = None
    """Its place in the series as written ("7", "2.5"), or None."""
    cover: bytes | None = None
    """The cover image embedded in the manuscript (an EPUB's), or None."""
    cover_type: str | None = None
    """The cover's MIME type (`image/jpeg`, `image/png`), or None."""
    explicit: bool | None = None
    """True when the rating marks the book for adults only, False when it says otherwise, None when unrated."""
    content_tags: tuple[str, ...] = ()
    """Content-warning tags from the file's metadata (an archive's Archive Warnings and Additional Tags)."""
    characters: tuple[str, ...] = ()
    """Character names the file's metadata lists (an archive's Character tags): a seed for the cast."""


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
    publication: Publication = Publication()
    """What the manuscript's files say about the book as a publication (blurb, series, cover...)."""
    set_aside: tuple[SetAside, ...] = ()
    """Passages not read as story (front matter, notes, a table of contents), in file order."""
    warnings: tuple[str, ...] = ()
    """Problems the reader worked around, each naming the file, e.g. an EPUB whose navigation is broken."""


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
    confidence: float | None = None
    """Dialogue only: the calibrated probability that `speaker` is right (1.0 for a `lines:` correction);
    None for every other kind."""
    candidates: tuple[Candidate, ...] = ()
    """Dialogue only: who else may have said it, most probable first (the speaker among them when found)."""


@dataclass(frozen=True)
class Candidate:
    """Someone who may have spoken a line, as the attribution model scored them."""

    name: str
    """Cast name, or the name as found in the text."""
    probability: float
    """The calibrated probability that this candidate spoke the line."""
    reasons: tuple[str, ...] = ()
    """The features that weighed most for (or against) this candidate, e.g. `tag after names them (+2.1)`."""


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
class EngineSetup:
    """The files a neural engine loads, from voices.yaml `engines:`; empty for eSpeak and the fake.

    Part of every voice that uses the engine, so workers know what to load; the cache key
    adds a digest of the files themselves, so replacing a model re-synthesises its lines.
    """

    model: Path | None = None
    """`engines.<engine>.model`: the model file, or None for the bundled one."""
    voices: Path | None = None
    """`engines.kokoro.voices`: Kokoro's voice-style file (.npz/.bin), or None for the bundled one."""
    speaker: str | None = None
    """`engines.piper.speaker`: the speaker of a multi-speaker Piper model that voices default to."""


@dataclass(frozen=True)
class Voice:
    """A fully resolved engine voice: everything that changes how text sounds."""

    engine: str
    """Engine name: `pyttsx3`, `kokoro`, `piper` or `fake`."""
    voice_id: str
    """Engine voice id, e.g. `gmw/en-us+f3`, `jm_kumo`, a Kokoro blend `jf_alpha:70,jm_kumo:30`,
    or a Piper model's speaker."""
    rate: int
    """Words per minute (neural engines: 175 is their natural speed, the rest scales it)."""
    pitch: int
    """0-99, 50 is neutral (neural engines: a pitch shift after synthesis)."""
    volume: float
    """0.0-1.0."""
    setup: EngineSetup = EngineSetup()
    """The engine's files (neural engines only)."""


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
    part: int = 1
    """Which part of its chapter this file is: a chapter too long for one file is split at a paragraph."""
    parts: int = 1
    """How many files the chapter was split into."""

    @property
    def title(self) -> str:
        """The file's title: the chapter's, with "(part N)" when the chapter is split."""
        return self.chapter.title if self.parts == 1 else f"{self.chapter.title} (part {self.part})"
