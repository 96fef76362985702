"""Helpers for the attribution tests: a small cast, and hand-written chapters read into turns and contexts."""

from __future__ import annotations

import re

from fullcast.model import Gender
from fullcast.script.attribution.chapter import make_context
from fullcast.script.attribution.context import Call, Context, Turn
from fullcast.script.attribution.cues import advance
from fullcast.script.attribution.names import NameIndex, Person, build_index
from fullcast.script.quotes import QuoteStyle, split_paragraph

F, M = Gender.FEMALE, Gender.MALE
INDEX = build_index([Person("Tara", F, True, ("the blonde",)), Person("Willow", F, True, ("the redhead",)),
                     Person("Rupert", M, True), Person("Faith", F, True)])

PEOPLE = [Person("Tara", F, True, ("Tara Maclay", "the blonde")), Person("Mr. Sillerton Jackson", M, True),
          Person("Mrs. Jackson", F, True), Person("Lola", F, True, ("the Lady wearing the cop hat",))]
"""A cast with full names, titles and descriptions, for the name-reading tests."""


def parse(text: str) -> tuple[list[Turn], list[tuple[int, int]]]:
    """Turns (paragraphs with quotes, with the narration paragraph before them) and narration spans."""
    turns, narration, gap, carried = [], [], 99, False
    previous: tuple[int, int] | None = None
    last_end = -1
    for m in re.finditer(r"\S(?:.*\S)?(?:\n.*\S)*", text):
        pieces = split_paragraph(text, m.start(), m.end(), QuoteStyle.DOUBLE, carried)
        carried = bool(pieces) and pieces[-1].quoted and pieces[-1].open_end
        narration += [(p.start, p.end) for p in pieces if not p.quoted]
        quotes = tuple(p for p in pieces if p.quoted)
        if quotes:
            lead = previous if previous and previous[1] == last_end and text[previous[1] - 1] in ",:" else None
            turns.append(Turn(m.start(), m.end(), quotes, gap, quotes[0].continues, lead,
                              previous if gap == 1 else None))
            gap = 0
        else:
            gap, previous = gap + 1, (m.start(), m.end())
        last_end = m.end()
    return turns, narration


def context(text: str, known: dict[int, str] | None = None, narrator: str | None = None) -> Context:
    turns, narration = parse(text)
    ctx = make_context(text, turns, INDEX, narration, narrator)
    advance(ctx, len(text))
    for t, name in (known or {}).items():
        ctx.calls[t] = [Call(name, "given")]
    return ctx


def who(call: Call | None) -> str | None:
    return call.speaker if call else None


def plain_context(text: str, narrator: str | None = None, index: NameIndex = INDEX) -> Context:
    """A chapter context with no calls: every blank-line paragraph with quotes is a turn, the rest is narration."""
    turns, narration, gap = [], [], 99
    for m in re.finditer(r"\S(?:.*\S)?(?:\n.*\S)*", text):
        pieces = split_paragraph(text, m.start(), m.end(), QuoteStyle.DOUBLE, False)
        narration += [(p.start, p.end) for p in pieces if not p.quoted]
        quotes = tuple(p for p in pieces if p.quoted)
        if quotes:
            turns.append(Turn(m.start(), m.end(), quotes, gap))
            gap = 0
        else:
            gap += 1
    ctx = make_context(text, turns, index, narration, narrator)
    advance(ctx, len(text))
    return ctx
