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
from dataclasses import replace

from ..errors import ConfigError, closest
from ..model import NARRATOR, Book, Chapter, Script, SegmentKind
from ..settings.config import Config, LineFix
from .attribution.chapter import attribute_chapter
from .attribution.context import Call, Turn
from .attribution.decide import Decider, ModelDecider
from .attribution.discovery import discover, join_discovered, seed_people
from .attribution.names import (
    SPEECH_VERB_SET,
    NameIndex,
    Person,
    build_index,
    normalise,
    with_ordinary_words,
    with_person,
)
from .attribution.roles import learn_roles
from .attribution.trees import load_model
from .conventions import apply_conventions
from .inline import narrated_quotes
from .messages import message_lines, message_pieces, named_line, sender_hint
from .quotes import Piece, QuoteStyle, decide_style, split_paragraph, spoken
from .segments import ChapterPieces, Part, segments, speakers, with_credits
from .viewpoint import (
    ParagraphView,
    infer_narrator,
    is_first_person_book,
    italic_spans,
    monologue_paragraphs,
    reads_as_thought,
    thinker_named,
    thought_tag,
)

REPORTED_CHARS = 400
"""A narration paragraph shorter than this that reports speech ("He replied that he had not.") takes a turn."""
SPEECH_WORD = re.compile(r"\b(?:said|replied|answered|asked|returned|cried|told|observed|added|continued|rejoined|"
                         r"exclaimed|declared|agreed|assured|protested|remarked|inquired|enquired)\b")
LEADS_IN = re.compile(r"(?:[,:]|--|[—–-]|\b(?:said|says|saying|asked|replied|answered|added|began|cried|exclaimed))"
                      r"\s*\Z")
OPEN_TAG = re.compile(rf"\b(?:{'|'.join(sorted(SPEECH_VERB_SET, key=len, reverse=True))})\b[^.!?;:\"“”]*[^\W_]\s*\Z")
"""A paragraph ending in a speech tag that lost its final dash or colon ("he said, with a well-bred indifference")."""
FIXED_RULE = "voices.yaml "
"""How the rule of a line a `lines:` entry fixed begins (`voices.yaml lines[3]`)."""
BIG_GAP = 99
"""The gap given to the first turn after a scene break or a chapter start: no conversation carries over."""
BROKEN_OFF = re.compile(r"(?:--|[—–-])\s*\Z")
"""The end of a speech cut short by a dash ("except--"), left without its closing mark."""


def analyse_book(book: Book, config: Config, *, explain: bool = False, decider: Decider | None = None) -> Script:
    """Split *book* into segments, attribute every quotation and find the monologue.

    *decider* weighs the candidates of every line (the shipped model unless given: training passes its own);
    *explain* makes it say which features decided, which costs time.
    """
    decider = decider or ModelDecider(load_model(), explain)
    style = decide_style([c.paragraph_text(p) for c in book.chapters for p in c.paragraphs[:400]])
    cut = [_cut_chapter(chapter, style) for chapter in book.chapters]
    views = [_views(c) for c in cut]
    index = _people(config, cut, book.publication.characters)
    first_person = is_first_person_book([v for chapter in views for v in chapter])
    # a narrator nobody calls by name still says "I said": the narrator's voice reads those lines
    narrator = config.narrator.character or ((infer_narrator(cut, index) or NARRATOR) if first_person else None)
    index = with_person(index, narrator)  # a narrator found by name is someone others may call
    thinker = config.monologue.speaker or (None if first_person else _point_of_view(cut, index)) or NARRATOR
    parts: list[list[Part]] = []
    for c, v in zip(cut, views):
        parts.append(_chapter_parts(c, v, index, narrator, thinker, first_person, _carried(parts, c),
                                     decider, config.lines))
    parts, warnings = apply_line_fixes(parts, config, cut)
    found = segments(book, config, cut, parts)
    cast = speakers(found, index, cut)
    found = with_credits(book, config, found, cast)
    return Script(book, tuple(found), cast, tuple(warnings))


# --------------------------------------------------------------------------- cutting


def _cut_chapter(chapter: Chapter, style: QuoteStyle) -> ChapterPieces:
    pieces: list[tuple[Piece, ...]] = []
    carried = False
    hint = ""  # who sends the bare `> ` message lines, as the narration last said
    for n, paragraph in enumerate(chapter.paragraphs):
        lines = message_lines(chapter.text, paragraph.start, paragraph.end, _in_message_block(chapter, n))
        if lines:
            pieces.append(tuple(message_pieces(chapter.text, paragraph.start, paragraph.end, lines, hint)))
            carried = False
            continue
        found = narrated_quotes(chapter.text, split_paragraph(chapter.text, paragraph.start, paragraph.end, style,
                                                              carried))
        hint = sender_hint(chapter.text, paragraph.start, paragraph.end) or hint
        pieces.append(tuple(found))
        # a quote left open after a dash was broken off ("except--"): the next paragraph is someone's answer
        carried = bool(found) and found[-1].quoted and found[-1].open_end and not BROKEN_OFF.search(
            chapter.text, found[-1].start, found[-1].end)
    return ChapterPieces(chapter, tuple(pieces))


def _in_message_block(chapter: Chapter, n: int) -> bool:
    """Whether a paragraph next to paragraph *n* is a `Name: text` message line."""
    near = [chapter.paragraphs[k] for k in (n - 1, n + 1) if 0 <= k < len(chapter.paragraphs)]
    return any(named_line(chapter.text, p.start, p.end) for p in near)


def _views(cut: ChapterPieces) -> list[ParagraphView]:
    text = cut.chapter.text
    return [ParagraphView(" ".join(text[p.start:p.end] for p in pieces if not p.quoted), any(p.quoted for p in pieces))
            for pieces in cut.pieces]


def _people(config: Config, cut: list[ChapterPieces], seeds: tuple[str, ...] = ()) -> NameIndex:
    """The cast, the archive's Character tags (*seeds*), plus names found next to speech verbs (cold start)."""
    texts = "\n".join({id(c.chapter.text): c.chapter.text for c in cut}.values())
    people = [Person(c.name, c.gender, True, c.aliases) for c in config.characters]
    people += seed_people(seeds, people, texts)
    windows = []
    for c in cut:
        for pieces in c.pieces:
            windows += [c.chapter.text[p.end + 1:p.end + 80] for p in pieces if p.quoted and not p.open_end]
    people, extra = join_discovered(discover(windows, build_index(people)), people, texts)
    people = [replace(p, aliases=p.aliases + tuple(extra.get(p.name, ()))) for p in people]
    # "Mr. Wells, the coroner,": "said the coroner" is him, not a person of its own
    roles = learn_roles(texts, build_index([p for p in people if p.in_cast or not p.name.startswith("The ")]))
    taught = {normalise(r) for found in roles.values() for r in found}
    people = [replace(p, aliases=p.aliases + tuple(roles.get(p.name, ()))) for p in people
              if p.in_cast or normalise(p.name) not in taught]
    return with_ordinary_words(build_index(people), texts)


def _point_of_view(cut: list[ChapterPieces], index: NameIndex) -> str | None:
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


def _carried(done: list[list[Part]], cut: ChapterPieces) -> str | None:
    """The speaker of the line that ends the previous chapter, when this one opens with a quote: the talk goes on."""
    if not done or not done[-1] or done[-1][-1].kind is not SegmentKind.DIALOGUE:
        return None
    opens = next((pieces for pieces in cut.pieces if pieces), [])
    return done[-1][-1].speaker if opens and opens[0].quoted else None


def _chapter_parts(cut: ChapterPieces, views: list[ParagraphView], index: NameIndex, narrator: str | None,
                   thinker: str, first_person: bool, carried: str | None = None, decider: Decider | None = None,
                   fixes: tuple[LineFix, ...] = ()) -> list[Part]:
    """Every piece of the chapter as a part with a kind, a speaker and a rule.

    *carried* is who spoke last in the previous chapter, when it ended on a line and this one opens with one.
    """
    chapter = cut.chapter
    first_person = first_person or narrator is not None  # voices.yaml naming the narrator says "I" tells it
    monologue = {} if first_person else monologue_paragraphs(views)
    turns = _turns(cut)
    narration = [(p.start, p.end) for pieces in cut.pieces for p in pieces if not p.quoted]
    fixed = _fixed_turns(turns, chapter, fixes)
    calls = attribute_chapter(chapter.text, turns, index, narration, narrator, carried, decider, fixed)
    by_piece: dict[int, tuple[Call, int]] = {}
    for t, (turn, turn_calls) in enumerate(zip(turns, calls)):
        for quote, call in zip(turn.quotes, turn_calls):
            by_piece[quote.start] = (call, t)
    parts: list[Part] = []
    for i, pieces in enumerate(cut.pieces):
        for piece in pieces:
            if piece.quoted:
                call, t = by_piece[piece.start]
                parts.append(Part(SegmentKind.DIALOGUE, piece.start, piece.end, call.speaker, call.rule, i, t,
                                   call.confidence, call.candidates))
            elif i in monologue:
                parts.append(Part(SegmentKind.MONOLOGUE, piece.start, piece.end, thinker, monologue[i], i))
            else:
                paragraph = chapter.paragraphs[i]
                parts += _narration_parts(chapter.text, piece, i, (narrator or NARRATOR) if first_person else thinker,
                                          first_person, index, (paragraph.start, paragraph.end))
    return apply_conventions(chapter.text, cut.pieces, parts, index, narrator)


def _turns(cut: ChapterPieces) -> list[Turn]:
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


def _narration_parts(text: str, piece: Piece, paragraph: int, thinker: str, first_person: bool, index: NameIndex,
                     bounds: tuple[int, int]) -> list[Part]:
    """A narrated piece, with italic thoughts cut out as monologue.

    The thinker is the point-of-view character, or in a first-person book the narrator; a thought
    tag ("*Fine,* Jonah thought") makes any italic span a thought, of the one it names.
    """
    parts, cursor = [], piece.start
    why = piece.why or "narration"
    tags = [(lo, who) for lo, hi, _ in italic_spans(text, *bounds) if (who := thought_tag(text, lo, hi, *bounds))]
    for lo, hi, inner in italic_spans(text, piece.start, piece.end):
        who = thought_tag(text, lo, hi, *bounds)
        if who is None and not reads_as_thought(inner):
            continue
        if who is None and tags:  # "*I'm late*, she thought. *He knows.*": the paragraph's thinker thinks on
            speaker = thinker_named(tags[0][1], text, tags[0][0], index, thinker)
            rule = f"monologue: italic thought in a paragraph tagged '{tags[0][1]} thought'"
        elif who is None:
            speaker, rule = thinker, ("monologue: italic thought of the narrator" if first_person
                                      else "monologue: italic thought")
        else:
            speaker = thinker_named(who, text, lo, index, thinker)
            rule = f"monologue: italic thought tagged '{who} thought'"
        parts.append(Part(SegmentKind.NARRATION, cursor, lo, NARRATOR, why, paragraph))
        parts.append(Part(SegmentKind.MONOLOGUE, lo, hi, speaker, rule, paragraph))
        cursor = hi
    parts.append(Part(SegmentKind.NARRATION, cursor, piece.end, NARRATOR, why, paragraph))
    return parts


# --------------------------------------------------------------------------- corrections


def apply_line_fixes(parts: list[list[Part]], config: Config, cut: list[ChapterPieces]
                     ) -> tuple[list[list[Part]], list[str]]:
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
            parts[c] = [replace(p, speaker=cast_entry.name, rule=f"{FIXED_RULE}{where}", confidence=1.0, candidates=())
                        if p.kind is SegmentKind.DIALOGUE and p.utterance in hits else p for p in chapter_parts]
        if not matched:
            scope = f" in chapter {fix.chapter}" if fix.chapter is not None else ""
            warnings.append(f'{where}: "{fix.match}" matched no line{scope}')
    return parts, warnings


def _fixed_turns(turns: list[Turn], chapter: Chapter, fixes: tuple[LineFix, ...]) -> dict[int, str]:
    """The turns a `lines:` entry gives a speaker (by the turn's index), so that they anchor the lines around them."""
    fixed: dict[int, str] = {}
    for fix in fixes:
        wanted = fold(fix.match)
        if not wanted or fix.chapter not in (None, chapter.number):
            continue
        for t, turn in enumerate(turns):
            if turn.quotes and wanted in fold(" ".join(spoken(chapter.text[q.start:q.end]) for q in turn.quotes)):
                fixed[t] = fix.speaker
    return fixed


def _utterances_matching(parts: list[Part], text: str, fix: LineFix) -> set[int]:
    wanted = fold(fix.match)
    said: dict[int, list[str]] = {}
    for p in parts:
        if p.kind is SegmentKind.DIALOGUE:
            said.setdefault(p.utterance, []).append(spoken(text[p.start:p.end]))
    return {u for u, texts in said.items() if wanted and wanted in fold(" ".join(texts))}


def fold(text: str) -> str:
    """*text* as `lines:` matching compares it: curly quotes straightened, case and spacing ignored."""
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').casefold().split())
