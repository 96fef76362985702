"""The analysis's working values, and how they become the script's segments.

A chapter is cut into `ChapterPieces` (quoted and narrated pieces per paragraph), and every piece
becomes one or more `Part`s with a kind, a speaker and a reason. `segments` turns the parts into
`Segment`s (the content warning and the heading first, pauses from the paragraph boundaries),
`speakers` lists who speaks, and `with_credits` adds the spoken credits and numbers the segments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from ..model import NARRATOR, Book, Candidate, Chapter, Gender, Pause, Segment, SegmentKind, Speaker
from ..settings.config import Config
from .attribution.names import NameIndex, normalise
from .quotes import Piece, has_words, spoken, trim


@dataclass(frozen=True)
class Part:
    """A stretch of a paragraph with its kind and speaker, before it becomes a segment."""

    kind: SegmentKind
    """Dialogue, narration or monologue."""
    start: int
    """Offset in the chapter text (markers included)."""
    end: int
    """Offset just past it."""
    speaker: str
    """Who reads it."""
    rule: str
    """Why."""
    paragraph: int
    """Index of the paragraph in the chapter."""
    utterance: int = -1
    """Dialogue only: turn number within the chapter, shared by the quotes of one utterance."""
    confidence: float | None = None
    """Dialogue only: the calibrated probability that `speaker` is right."""
    candidates: tuple[Candidate, ...] = ()
    """Dialogue only: who may have said it, most probable first."""


@dataclass(frozen=True)
class ChapterPieces:
    """One chapter cut into quoted and narrated pieces, paragraph by paragraph."""

    chapter: Chapter
    """The chapter."""
    pieces: tuple[tuple[Piece, ...], ...]
    """Pieces per paragraph."""



def segments(book: Book, config: Config, cut: list[ChapterPieces], parts: list[list[Part]]) -> list[Segment]:
    segments: list[Segment] = []
    for c, (chapter_cut, chapter_parts) in enumerate(zip(cut, parts)):
        chapter = chapter_cut.chapter
        head: list[Segment] = []
        if book.warning and (c == 0 or config.content_warning.every_chapter):
            w = book.warning
            head.append(Segment(chapter.number, 0, SegmentKind.WARNING, NARRATOR, w.text, w.source, w.start, w.end,
                                Pause.START, "content warning"))
        hs, he = chapter.heading if chapter.heading else (None, None)
        head.append(Segment(chapter.number, 0, SegmentKind.HEADING, NARRATOR, chapter.title,
                            chapter.source if chapter.heading else None, hs, he,
                            Pause.HEADING if head else Pause.START, "chapter heading"))
        segments += head + _body(chapter, chapter_parts)
    return segments


def _body(chapter: Chapter, parts: list[Part]) -> list[Segment]:
    out: list[Segment] = []
    last_paragraph = -1
    for part in parts:
        raw = chapter.text[part.start:part.end]
        if not has_words(raw):
            continue
        start, end = trim(chapter.text, part.start, part.end)
        if part.paragraph == last_paragraph:
            pause = Pause.INLINE
        elif not out:
            pause = Pause.HEADING
        elif chapter.paragraphs[part.paragraph].scene_break_before:
            pause = Pause.SCENE
        else:
            pause = Pause.PARAGRAPH
        last_paragraph = part.paragraph
        out.append(Segment(chapter.number, 0, part.kind, part.speaker, spoken(raw), chapter.source, start, end,
                           pause, part.rule, part.confidence, part.candidates))
    return out


def speakers(segments: list[Segment], index: NameIndex, cut: list[ChapterPieces]) -> tuple[Speaker, ...]:
    """Cast speakers first (in cast order), then the uncast ones, with the aliases the text used."""
    used = {s.speaker for s in segments if s.kind in (SegmentKind.DIALOGUE, SegmentKind.MONOLOGUE)} - {NARRATOR}
    texts = list({id(c.chapter.text): c.chapter.text for c in cut}.values())
    aliases: dict[str, dict[str, str]] = {}
    for text in texts:
        for form in set(index.pattern.findall(text)):
            form = " ".join(form.split())
            owners = index.owners.get(normalise(form), ())
            if len(owners) == 1:
                aliases.setdefault(owners[0], {}).setdefault(form.casefold(), form)
    people = [p for p in index.people if p.name in used]
    found = [Speaker(p.name, p.gender, p.in_cast, tuple(sorted(aliases.get(p.name, {}).values()))) for p in people]
    found.sort(key=lambda s: (not s.in_cast, "" if s.in_cast else s.name))
    known = {s.name for s in found}
    found += [Speaker(name, Gender.UNKNOWN, False) for name in sorted(used - known)]
    return tuple(found)


def with_credits(book: Book, config: Config, segments: list[Segment], speakers: tuple[Speaker, ...]) -> list[Segment]:
    """Add the opening and closing credits, then number every chapter's segments from 0."""
    last = book.chapters[-1].number
    out: list[Segment] = []
    for s in segments:
        if s.kind is SegmentKind.HEADING and s.chapter == 1 and config.credits.opening:
            out.append(Segment(1, 0, SegmentKind.NARRATION, NARRATOR, opening_credits(book, config, speakers),
                               None, None, None, Pause.HEADING if out else Pause.START, "opening credits"))
            s = replace(s, pause=Pause.PARAGRAPH)
        out.append(s)
    if config.credits.closing:
        title = _title_by(book, config)
        out.append(Segment(last, 0, SegmentKind.NARRATION, NARRATOR, f"You have been listening to {title}.",
                           None, None, None, Pause.SCENE, "closing credits"))
        out.append(Segment(last, 0, SegmentKind.NARRATION, NARRATOR, "The End.", None, None, None, Pause.PARAGRAPH,
                           "closing credits"))
    counters: Counter[int] = Counter()
    numbered = []
    for s in out:
        numbered.append(replace(s, index=counters[s.chapter]))
        counters[s.chapter] += 1
    return numbered


def _title_by(book: Book, config: Config) -> str:
    author = config.book.author or book.author
    return f"{book.title}, by {author}" if author else book.title


def opening_credits(book: Book, config: Config, speakers: tuple[Speaker, ...]) -> str:
    """"<title>, by <author>. Narrated by <credit>." with the cast named when there is no credit."""
    credit = config.book.narrator
    if not credit:
        cast = [s.name for s in speakers if s.in_cast][:6]
        credit = "the fullcast ensemble" + (f", with the voices of {_and(cast)}" if cast else "")
    return f"{_title_by(book, config)}. Narrated by {credit}."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
