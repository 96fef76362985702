"""The review queue: the dialogue whose speaker is least certain, first, for an editor to check.

One item per paragraph that holds dialogue. The analysis attributes by turn, one turn per
paragraph, and a `lines:` entry gives every quote of the turn it matches one speaker (see
`analyse.apply_line_fixes`), so the unit an editor decides is exactly the unit a fix changes.
When a paragraph's quotes differ in confidence, its least confident quote stands for it:
that is the one most likely to be wrong, and the fix changes it.

Paragraphs already decided by a `lines:` entry are left out: the editor has spoken.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from ..model import Candidate, Chapter, Script, Segment, SegmentKind
from .analyse import FIXED_RULE, fold

MIN_MATCH_WORDS = 3
"""The shortest `match` a review writes, in words (fewer only for a shorter line): one word is too easily
found again when the text is edited."""
_EDGE = " ,;:—–-"
"""Trimmed from both ends of a match: it reads better without a dangling comma or dash."""


@dataclass(frozen=True)
class ReviewItem:
    """One paragraph of dialogue to check: where it is, what is said around it, and who may have said it."""

    chapter: int
    """1-based chapter number; also the `chapter:` of the `lines:` entry a decision writes."""
    line: int
    """1-based line of the item's quote in `fullcast script` (the screenplay, without --explain)."""
    index: int
    """The quote's segment index within its chapter, as `script --format jsonl` numbers it."""
    text: str
    """What the paragraph's quotes say, joined by ` … ` where narration (a tag) comes between them."""
    before: str
    """The paragraph before it in the chapter, whitespace folded; empty at the start of the chapter."""
    after: str
    """The paragraph after it in the chapter, whitespace folded; empty at the end of the chapter."""
    speaker: str
    """Who the analysis gave the quote to."""
    confidence: float
    """The probability that `speaker` is right (0.0 when the analysis gave none)."""
    candidates: tuple[Candidate, ...]
    """Who may have said it, most probable first; just `speaker` when the analysis named no others."""
    match: str
    """The shortest stretch of the quote found in no other paragraph of the chapter: a `lines:` match."""
    shared: int
    """How many other paragraphs of the chapter `match` is also found in: 0 unless the quote is repeated
    word for word there, in which case a decision fixes them too."""


def review_queue(script: Script, limit: int) -> tuple[ReviewItem, ...]:
    """At most *limit* paragraphs of dialogue from *script*, least confident first (reading order on a tie)."""
    lines = screenplay_lines(script)
    every = utterances(script)
    groups = [g for g in every if not any(s.rule.startswith(FIXED_RULE) for s in g)]
    ranked = sorted(groups, key=lambda g: (_confidence(_anchor(g)), lines[id(_anchor(g))]))[:max(limit, 0)]
    folded = _folded_by_chapter(every)  # a decided paragraph counts too: a later entry would override it
    chapters = {c.number: c for c in script.book.chapters}
    return tuple(_item(g, lines[id(_anchor(g))], chapters[g[0].chapter], folded[g[0].chapter]) for g in ranked)


def utterances(script: Script) -> list[list[Segment]]:
    """The dialogue segments of *script* grouped by paragraph, in reading order."""
    groups: dict[tuple[int, int], list[Segment]] = {}
    chapters = {c.number: c for c in script.book.chapters}
    starts = {number: [p.start for p in c.paragraphs] for number, c in chapters.items()}
    for segment in script.segments:
        if segment.kind is SegmentKind.DIALOGUE and segment.start is not None:
            paragraph = bisect_right(starts[segment.chapter], segment.start) - 1
            groups.setdefault((segment.chapter, paragraph), []).append(segment)
    return list(groups.values())


def screenplay_lines(script: Script) -> dict[int, int]:
    """id(segment) -> its 1-based line in `fullcast script`'s text.

    That view (cli.output.screenplay) opens each chapter with a `== title ==` banner, puts a
    blank line before every banner but the first, and gives each segment one line (more when
    its text keeps line breaks, as a content warning may).
    """
    found: dict[int, int] = {}
    line, chapter = 0, 0
    for segment in script.segments:
        if segment.chapter != chapter:
            line += 1 if chapter == 0 else 2
            chapter = segment.chapter
        found[id(segment)] = line + 1
        line += 1 + segment.text.count("\n")
    return found


def distinctive_match(pieces: list[str], others: list[str]) -> tuple[str, int]:
    """A short stretch of words of one of *pieces* (each a quote's text) found in none of *others* (folded
    texts of the chapter's other paragraphs), and in how many of them it is found after all (0 normally).

    The first quote (the one under review) is tried first, shorter stretches before longer (no fewer than
    MIN_MATCH_WORDS words, or the whole of a shorter quote), left to right; then the others. A stretch never
    spans two quotes: the analysis joins them with a space, which a tag between them would not match.
    A quote repeated word for word elsewhere has no such stretch: then it is the whole first quote.
    """
    tries = [" ".join(words[start:start + size])
             for words in (piece.split() for piece in pieces)
             for size in range(min(MIN_MATCH_WORDS, len(words)), len(words) + 1)
             for start in range(len(words) - size + 1)]
    elsewhere = "\n".join(others)  # one search per stretch; no folded text holds a line break
    for stretch in tries:
        match = stretch.strip(_EDGE)
        if match and fold(match) not in elsewhere:
            return match, 0
    whole = pieces[0].strip(_EDGE) if pieces else ""
    return whole, sum(1 for other in others if fold(whole) in other)


def _confidence(segment: Segment) -> float:
    return segment.confidence if segment.confidence is not None else 0.0


def _anchor(group: list[Segment]) -> Segment:
    """The paragraph's least confident quote (the first of equals): it stands for the paragraph."""
    return min(group, key=_confidence)


def _folded_by_chapter(groups: list[list[Segment]]) -> dict[int, list[tuple[int, str]]]:
    """Chapter -> (id of the paragraph's first segment, its quotes folded and joined) for every paragraph."""
    found: dict[int, list[tuple[int, str]]] = {}
    for group in groups:
        found.setdefault(group[0].chapter, []).append((id(group[0]), fold(" ".join(s.text for s in group))))
    return found


def _item(group: list[Segment], line: int, chapter: Chapter, folded: list[tuple[int, str]]) -> ReviewItem:
    anchor = _anchor(group)
    others = [text for key, text in folded if key != id(group[0])]
    match, shared = distinctive_match([anchor.text] + [s.text for s in group if s is not anchor], others)
    before, after = _neighbours(chapter, anchor.start or 0)
    candidates = anchor.candidates or (Candidate(anchor.speaker, _confidence(anchor)),)
    return ReviewItem(anchor.chapter, line, anchor.index, _joined(group), before, after, anchor.speaker,
                      _confidence(anchor), candidates, match, shared)


def _joined(group: list[Segment]) -> str:
    """The quotes of a paragraph in order: ` … ` marks where a tag came between two of them."""
    return " … ".join(segment.text for segment in group)


def _neighbours(chapter: Chapter, offset: int) -> tuple[str, str]:
    """The text of the paragraphs before and after the one holding *offset*, whitespace folded."""
    starts = [p.start for p in chapter.paragraphs]
    at = bisect_right(starts, offset) - 1

    def text(i: int) -> str:
        if not 0 <= i < len(chapter.paragraphs):
            return ""
        return " ".join(chapter.paragraph_text(chapter.paragraphs[i]).split())

    return text(at - 1), text(at + 1)
