"""Analyse a book into a script: every word in one segment, each segment with its speaker and the reason.

Per chapter: the content warning (chapter 1, or every chapter), the opening credits
(chapter 1), the heading, then the body cut into dialogue, narration and monologue;
the closing credits end the last chapter. Quotes come from `quotes`, speakers from
`attribution`, thoughts from `monologue`; `lines:` corrections in voices.yaml are
applied last and always win.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ..errors import ConfigError, closest
from ..model import NARRATOR, Book, Chapter, Gender, Pause, Script, Segment, SegmentKind, Speaker
from ..settings.config import Config, LineFix
from .attribution.chapter import attribute_chapter
from .attribution.context import Call, Turn
from .attribution.discovery import discover, guess_gender, partial_owners
from .attribution.names import SPEECH_VERB_SET, NameIndex, Person, build_index, normalise, with_ordinary_words
from .attribution.roles import learn_roles
from .quotes import Piece, QuoteStyle, decide_style, has_words, split_paragraph, spoken, trim
from .viewpoint import ParagraphView, infer_narrator, is_first_person_book, italic_thoughts, monologue_paragraphs

REPORTED_CHARS = 400
"""A narration paragraph shorter than this that reports speech ("He replied that he had not.") takes a turn."""
SPEECH_WORD = re.compile(r"\b(?:said|replied|answered|asked|returned|cried|told|observed|added|continued|rejoined|"
                         r"exclaimed|declared|agreed|assured|protested|remarked|inquired|enquired)\b")
LEADS_IN = re.compile(r"(?:[,:]|--|[—–-]|\b(?:said|says|saying|asked|replied|answered|added|began|cried|exclaimed))"
                      r"\s*\Z")
OPEN_TAG = re.compile(rf"\b(?:{'|'.join(sorted(SPEECH_VERB_SET, key=len, reverse=True))})\b[^.!?;:\"“”]*[^\W_]\s*\Z")
"""A paragraph ending in a speech tag that lost its final dash or colon ("he said, with a well-bred indifference")."""
BIG_GAP = 99
"""The gap given to the first turn after a scene break or a chapter start: no conversation carries over."""
BROKEN_OFF = re.compile(r"(?:--|[—–-])\s*\Z")
"""The end of a speech cut short by a dash ("except--"), left without its closing mark."""


@dataclass(frozen=True)
class _Part:
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


@dataclass(frozen=True)
class _ChapterPieces:
    """One chapter cut into quoted and narrated pieces, paragraph by paragraph."""

    chapter: Chapter
    """The chapter."""
    pieces: tuple[tuple[Piece, ...], ...]
    """Pieces per paragraph."""


def analyse_book(book: Book, config: Config) -> Script:
    """Split *book* into segments, attribute every quotation and find the monologue."""
    style = decide_style([c.paragraph_text(p) for c in book.chapters for p in c.paragraphs[:400]])
    cut = [_cut_chapter(chapter, style) for chapter in book.chapters]
    views = [_views(c) for c in cut]
    index = _people(config, cut)
    first_person = is_first_person_book([v for chapter in views for v in chapter])
    # a narrator nobody calls by name still says "I said": the narrator's voice reads those lines
    narrator = config.narrator.character or ((infer_narrator(cut, index) or NARRATOR) if first_person else None)
    thinker = config.monologue.speaker or (None if first_person else _point_of_view(cut, index)) or NARRATOR
    parts: list[list[_Part]] = []
    for c, v in zip(cut, views):
        parts.append(_chapter_parts(c, v, index, narrator, thinker, first_person, _carried(parts, c)))
    parts, warnings = apply_line_fixes(parts, config, cut)
    segments = _segments(book, config, cut, parts)
    speakers = _speakers(segments, index, cut)
    segments = _with_credits(book, config, segments, speakers)
    return Script(book, tuple(segments), speakers, tuple(warnings))


# --------------------------------------------------------------------------- cutting


def _cut_chapter(chapter: Chapter, style: QuoteStyle) -> _ChapterPieces:
    pieces: list[tuple[Piece, ...]] = []
    carried = False
    for paragraph in chapter.paragraphs:
        found = split_paragraph(chapter.text, paragraph.start, paragraph.end, style, carried)
        pieces.append(tuple(found))
        # a quote left open after a dash was broken off ("except--"): the next paragraph is someone's answer
        carried = bool(found) and found[-1].quoted and found[-1].open_end and not BROKEN_OFF.search(
            chapter.text, found[-1].start, found[-1].end)
    return _ChapterPieces(chapter, tuple(pieces))


def _views(cut: _ChapterPieces) -> list[ParagraphView]:
    text = cut.chapter.text
    return [ParagraphView(" ".join(text[p.start:p.end] for p in pieces if not p.quoted), any(p.quoted for p in pieces))
            for pieces in cut.pieces]


def _people(config: Config, cut: list[_ChapterPieces]) -> NameIndex:
    """The cast, plus names found next to speech verbs that the cast does not cover (cold start)."""
    people = [Person(c.name, c.gender, True, c.aliases) for c in config.characters]
    index = build_index(people)
    windows = []
    for c in cut:
        for pieces in c.pieces:
            windows += [c.chapter.text[p.end + 1:p.end + 80] for p in pieces if p.quoted and not p.open_end]
    extra: dict[str, list[str]] = {}
    texts = "\n".join({id(c.chapter.text): c.chapter.text for c in cut}.values())
    # fuller names first, so that "Darcy" and "Mr. Darcy" join a discovered "Mr. Fitzwilliam Darcy"
    found = discover(windows, index)
    for name in sorted(found, key=lambda n: (-len(n.split()), -found[n])):
        if " " not in name and re.search(rf"\b{re.escape(name.lower())}\b", texts):
            continue  # a word the text also writes in lower case ("Thus") is no name
        owners = partial_owners(name, tuple(people))
        for owner in owners:
            extra.setdefault(owner, []).append(name)
        if owners:
            continue
        people.append(Person(name, guess_gender(name, texts), False, ()))
    people = [replace(p, aliases=p.aliases + tuple(extra.get(p.name, ()))) for p in people]
    index = build_index(people)
    if roles := learn_roles(texts, index):  # "Mr. Wells, the lawyer,": "murmured the lawyer" is him too
        index = build_index([replace(p, aliases=p.aliases + tuple(roles.get(p.name, ()))) for p in people])
    return with_ordinary_words(index, texts)


def _point_of_view(cut: list[_ChapterPieces], index: NameIndex) -> str | None:
    """The person the narration mentions most: the likeliest owner of unattributed thoughts."""
    counts: Counter[str] = Counter()
    for c in cut:
        for pieces in c.pieces[:200]:
            for p in pieces:
                if not p.quoted:
                    counts.update(m.names[0] for m in index.mentions(c.chapter.text, p.start, p.end, False)
                                  if len(m.names) == 1)
    return counts.most_common(1)[0][0] if counts else None


# --------------------------------------------------------------------------- one chapter


def _carried(done: list[list[_Part]], cut: _ChapterPieces) -> str | None:
    """The speaker of the line that ends the previous chapter, when this one opens with a quote: the talk goes on."""
    if not done or not done[-1] or done[-1][-1].kind is not SegmentKind.DIALOGUE:
        return None
    opens = next((pieces for pieces in cut.pieces if pieces), [])
    return done[-1][-1].speaker if opens and opens[0].quoted else None


def _chapter_parts(cut: _ChapterPieces, views: list[ParagraphView], index: NameIndex, narrator: str | None,
                   thinker: str, first_person: bool, carried: str | None = None) -> list[_Part]:
    """Every piece of the chapter as a part with a kind, a speaker and a rule.

    *carried* is who spoke last in the previous chapter, when it ended on a line and this one opens with one.
    """
    chapter = cut.chapter
    monologue = {} if first_person else monologue_paragraphs(views)
    turns = _turns(cut)
    narration = [(p.start, p.end) for pieces in cut.pieces for p in pieces if not p.quoted]
    calls = attribute_chapter(chapter.text, turns, index, narration, narrator, carried)
    by_piece: dict[int, tuple[Call, int]] = {}
    for t, (turn, turn_calls) in enumerate(zip(turns, calls)):
        for quote, call in zip(turn.quotes, turn_calls):
            by_piece[quote.start] = (call, t)
    parts: list[_Part] = []
    for i, pieces in enumerate(cut.pieces):
        for piece in pieces:
            if piece.quoted:
                call, t = by_piece[piece.start]
                parts.append(_Part(SegmentKind.DIALOGUE, piece.start, piece.end, call.speaker, call.rule, i, t))
            elif i in monologue:
                parts.append(_Part(SegmentKind.MONOLOGUE, piece.start, piece.end, thinker, monologue[i], i))
            else:
                parts += _narration_parts(chapter.text, piece, i, thinker, first_person)
    return parts


def _turns(cut: _ChapterPieces) -> list[Turn]:
    """The paragraphs that hold quotations (or report speech), each with the narration before it."""
    turns: list[Turn] = []
    gap = BIG_GAP
    text = cut.chapter.text
    lead: tuple[int, int] | None = None
    previous: tuple[int, int] | None = None
    for i, (paragraph, pieces) in enumerate(zip(cut.chapter.paragraphs, cut.pieces)):
        if paragraph.scene_break_before:
            gap, lead = BIG_GAP, None
        quotes = tuple(p for p in pieces if p.quoted)
        introduces = not quotes and (LEADS_IN.search(text, paragraph.start, paragraph.end) or
                                     OPEN_TAG.search(text, max(paragraph.start, paragraph.end - 200), paragraph.end))
        if quotes:
            turns.append(Turn(paragraph.start, paragraph.end, quotes, gap, quotes[0].continues,
                              lead, previous if gap == 1 else None))
            tail = pieces[-1]
            gap, lead = 0, None
            if not tail.quoted and LEADS_IN.search(text, tail.start, tail.end):
                lead = (tail.start, tail.end)  # `..." Mary crossed to the telephone and announced:`
            continue
        lead = (paragraph.start, paragraph.end) if introduces else None
        previous = (paragraph.start, paragraph.end)
        if not introduces and paragraph.end - paragraph.start < REPORTED_CHARS and SPEECH_WORD.search(
                cut.chapter.text, paragraph.start, paragraph.end):
            turns.append(Turn(paragraph.start, paragraph.end, (), gap, reported=True))
            gap = 0
            continue
        gap += 1
    return turns


def _narration_parts(text: str, piece: Piece, paragraph: int, thinker: str, first_person: bool) -> list[_Part]:
    """A narrated piece, with italic thoughts cut out as monologue (third-person books only)."""
    spans = [] if first_person else italic_thoughts(text, piece.start, piece.end)
    parts, cursor = [], piece.start
    for lo, hi in spans:
        parts.append(_Part(SegmentKind.NARRATION, cursor, lo, NARRATOR, "narration", paragraph))
        parts.append(_Part(SegmentKind.MONOLOGUE, lo, hi, thinker, "monologue: italic thought", paragraph))
        cursor = hi
    parts.append(_Part(SegmentKind.NARRATION, cursor, piece.end, NARRATOR, "narration", paragraph))
    return parts


# --------------------------------------------------------------------------- corrections


def apply_line_fixes(parts: list[list[_Part]], config: Config, cut: list[_ChapterPieces]
                     ) -> tuple[list[list[_Part]], list[str]]:
    """Give every utterance containing a `lines:` match its corrected speaker; report entries that match nothing."""
    warnings: list[str] = []
    for n, fix in enumerate(config.lines):
        where = fix.where or f"lines[{n}]"
        cast_entry = config.character(fix.speaker)
        if cast_entry is None:
            names = [c.name for c in config.characters]
            near = closest(fix.speaker, names)
            hint = f"did you mean {', '.join(near)}?" if near else f"the cast is {', '.join(names) or 'empty'}"
            raise ConfigError(f"{config.path or 'voices.yaml'}: {where}.speaker: {fix.speaker!r} is not in "
                              f"characters; {hint}")
        matched = False
        for c, chapter_parts in enumerate(parts):
            if fix.chapter is not None and fix.chapter != c + 1:
                continue
            text = cut[c].chapter.text
            hits = _utterances_matching(chapter_parts, text, fix)
            matched = matched or bool(hits)
            parts[c] = [replace(p, speaker=cast_entry.name, rule=f"voices.yaml {where}")
                        if p.kind is SegmentKind.DIALOGUE and p.utterance in hits else p for p in chapter_parts]
        if not matched:
            scope = f" in chapter {fix.chapter}" if fix.chapter is not None else ""
            warnings.append(f'{where}: "{fix.match}" matched no line{scope}')
    return parts, warnings


def _utterances_matching(parts: list[_Part], text: str, fix: LineFix) -> set[int]:
    wanted = _fold(fix.match)
    said: dict[int, list[str]] = {}
    for p in parts:
        if p.kind is SegmentKind.DIALOGUE:
            said.setdefault(p.utterance, []).append(spoken(text[p.start:p.end]))
    return {u for u, texts in said.items() if wanted and wanted in _fold(" ".join(texts))}


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').casefold().split())


# --------------------------------------------------------------------------- segments


def _segments(book: Book, config: Config, cut: list[_ChapterPieces], parts: list[list[_Part]]) -> list[Segment]:
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


def _body(chapter: Chapter, parts: list[_Part]) -> list[Segment]:
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
                           pause, part.rule))
    return out


def _speakers(segments: list[Segment], index: NameIndex, cut: list[_ChapterPieces]) -> tuple[Speaker, ...]:
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


def _with_credits(book: Book, config: Config, segments: list[Segment], speakers: tuple[Speaker, ...]) -> list[Segment]:
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
