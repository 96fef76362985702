"""Attribute one chapter: build what the rules look at, run them, and read each exchange as a whole.

`attribute_chapter` is the attribution's public face. It makes the chapter's `Context`
(`make_context`), gives every turn what its own paragraph says (the local rules of `rules`:
tags and beats), fills the rest with the conversation rules in reading order, then lets
`conversation` settle each run of back-and-forth lines. Last, the trained model (`decide`) weighs
every candidate of every line, the rules' reading among its features, and gives each line its
speaker, a probability and the other candidates. A line the editor fixed anchors all of this.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...model import Gender
from .context import UNKNOWN, Call, Context, Turn
from .conversation import has_tail, runs, settle_run
from .cues import advance, resolve
from .decide import Decider, Decision
from .features import chapter_rows
from .names import Mention, NameIndex
from .rules import LOCAL_RULES, call_conversation
from .tags import reporter
from .vocatives import addressees

FIXED = "voices.yaml lines"
"""The rule of a line the editor fixed with a `lines:` entry, while the rules and the model read the chapter."""
NARRATOR_OBJECT = re.compile(r"\b(?:me|my|myself)\b")
"""The first-person narrator as object or possessor ("asked me", "my room")."""


def make_context(text: str, turns: list[Turn], index: NameIndex, narration: list[tuple[int, int]],
                 narrator: str | None) -> Context:
    """Everything the rules need about a chapter, before any call is made.

    Quote-less turns are kept only when their paragraph really reports speech.
    """
    ctx = Context(text, index, turns, narrator)
    # the narrator of a book told in the first person is "I" in the narration, never "he" or "she"
    ctx.gendered = {"he": {p.name for p in index.people if p.gender is Gender.MALE} - {narrator},
                    "she": {p.name for p in index.people if p.gender is Gender.FEMALE} - {narrator}}
    for lo, hi in narration:
        ctx.pending += [m for m in index.mentions(text, lo, hi) if m.names or m.pronoun in ("he", "she")
                        or (m.pronoun == "i" and narrator)]
        if narrator:  # "came up to me": the narrator is in the scene, though not its subject
            ctx.pending += [Mention(m.start(), m.end(), (), "i", True) for m in NARRATOR_OBJECT.finditer(text, lo, hi)]
    ctx.pending.sort(key=lambda m: m.start)
    ctx.pending_starts = [m.start for m in ctx.pending]
    ctx.turns = _keep_reported_speech(ctx, turns)
    ctx.turn_starts = [turn.start for turn in ctx.turns]
    ctx.turn_set = set(ctx.turn_starts)
    ctx.addressees = [addressees(ctx, turn) for turn in ctx.turns]
    ctx.calls = [[] for _ in ctx.turns]
    return ctx


def _keep_reported_speech(ctx: Context, turns: list[Turn]) -> list[Turn]:
    """Keep a quote-less turn only when its paragraph opens a sentence with "X replied/said"; its gap passes on."""
    kept: list[Turn] = []
    carry = 0
    for turn in turns:
        if turn.reported and not reporter(ctx, turn):
            carry += turn.gap + 1
            continue
        kept.append(replace(turn, gap=turn.gap + carry) if carry else turn)
        carry = 0
    return kept


def attribute_chapter(text: str, turns: list[Turn], index: NameIndex, narration: list[tuple[int, int]],
                      narrator: str | None, carried: str | None = None, decider: Decider | None = None,
                      fixed: dict[int, str] | None = None) -> list[list[Call]]:
    """A call for every quote of every turn, in reading order (empty lists for quote-less turns).

    First every turn gets what its own paragraph says (tags, beats); then the
    conversation rules fill the rest, in reading order, each seeing the calls before; then each
    exchange is read as a whole, its pronoun tags read again, and the exchange read once more.
    *carried* is who spoke the line that ended the previous chapter, when this one opens with a quote.
    Then *decider* (the trained model) weighs every candidate of every turn, the rules' calls among its
    features; *fixed* maps turns (indexes into *turns*) to the speaker an editor gave them.
    """
    ctx = make_context(text, turns, index, narration, narrator)
    ctx.carried = carried
    position = {turn.start: t for t, turn in enumerate(ctx.turns)}
    pins = {position[turns[k].start]: name for k, name in (fixed or {}).items() if turns[k].start in position}
    local = []
    for t in range(len(ctx.turns)):
        advance(ctx, ctx.turns[t].end)
        local.append(_local_calls(ctx, t))
        ctx.calls[t] = _finish(local[t]) if all(local[t]) else []
        if t in pins:  # the editor's word: every rule after this reads it as the line's speaker
            ctx.calls[t] = [Call(pins[t], FIXED)] * max(1, len(ctx.turns[t].quotes))
        if ctx.calls[t]:
            ctx.anchored.add(t)
    advance(ctx, len(text))
    ctx.local = local
    for t in range(len(ctx.turns)):
        if not ctx.calls[t] and not ctx.turns[t].reported:
            ctx.calls[t] = _finish(local[t], call_conversation(ctx, t))
    _settle(ctx)
    _read_pronouns_again(ctx, local)
    _settle(ctx)
    if decider is not None:
        _take(ctx, decider(ctx, chapter_rows(ctx), pins))
    by_start = {turn.start: calls for turn, calls in zip(ctx.turns, ctx.calls)}
    return [by_start.get(turn.start, []) if turn.quotes else [] for turn in turns]


def _take(ctx: Context, decisions: dict[int, Decision]) -> None:
    """Give each decided turn its speaker, probability and candidates.

    The quotes that shared the rules' first call follow the decision; a later quote the rules gave someone else
    (a line of its own inside the paragraph) keeps that call, with that person's probability.
    """
    for t, decision in decisions.items():
        calls = ctx.calls[t]
        head = calls[0].speaker
        odds = {c.name: c.probability for c in decision.candidates}
        why = calls[0].rule if decision.speaker == head else f"model: over {head} ({calls[0].rule})"
        ctx.calls[t] = [Call(decision.speaker, why, c.pronoun, decision.confidence, decision.candidates)
                        if c.speaker == head else replace(c, confidence=odds.get(c.speaker, 0.0),
                                                          candidates=decision.candidates) for c in calls]


def _read_pronouns_again(ctx: Context, local: list[list[Call | None]]) -> None:
    """Resolve the pronoun tags again now that every line has a speaker: "she" answering an untagged line
    is seldom the woman who spoke it, and the first reading could not know who that was."""
    for t in range(len(ctx.turns)):
        if t in ctx.anchored and ctx.calls[t][0].rule != FIXED and any(c and c.pronoun for c in local[t]):
            keep, ctx.calls[t] = ctx.calls[t], []
            again = _local_calls(ctx, t)
            ctx.calls[t] = _finish(again) if all(again) else keep


def _settle(ctx: Context) -> None:
    """Read every run of back-and-forth lines as a whole (`conversation.settle_run`) and take its calls."""
    for run in runs(ctx):
        for t, call in settle_run(ctx, run, ctx.anchored).items():
            # only the paragraph's first line: a later quote given to someone else is a line of its own
            calls = ctx.calls[t]
            ctx.calls[t] = [call if c.speaker == calls[0].speaker else c for c in calls] if has_tail(calls) else \
                [call] * max(1, len(ctx.turns[t].quotes))


def _known(ctx: Context, t: int, call: Call | None) -> Call | None:
    """*call* when it names someone; a tag that only said `he`/`she` is kept as the line's gender instead."""
    if call and call.speaker == UNKNOWN:
        ctx.voiced[t] = call.pronoun or ""
        return None
    return call


def _local_calls(ctx: Context, t: int) -> list[Call | None]:
    """Each quote's own tag, else a tagged neighbour in the paragraph, else its own beat, else the paragraph's.

    The sentence leading into the quote counts first, then the one after it.
    """
    turn = ctx.turns[t]
    if turn.reported:
        subject = reporter(ctx, turn)
        who = resolve(ctx, subject, t) if subject else None
        return [Call(who, "reported speech")] if who else [None]
    tags: list[Call | None] = []
    beats: list[Call | None] = []
    for q in range(len(turn.quotes)):
        after, before, lead = [None] * 3 if q == 0 and turn.continues else [_known(ctx, t, rule(ctx, t, q))
                                                                              for rule in LOCAL_RULES]
        tags.append(next((c for c in (before, after, lead) if c and c.rule.startswith("tag")), None))
        beats.append(next((c for c in (before, after, lead) if c and not c.rule.startswith("tag")), None))
    own: list[Call | None] = []
    for q, tag in enumerate(tags):
        sibling = next((c for c in tags[q - 1::-1] if c), None) if q else None
        own.append(tag or sibling or next((c for c in tags[q + 1:] if c), None) or beats[q])
    if turn.continues and not tags[0]:
        own[0] = None
    shared = next((c for c in own if c), None)
    return [c or shared for c in own] if shared else own


def _finish(calls: list[Call | None], fallback: Call | None = None) -> list[Call]:
    """Fill gaps with the previous call in the paragraph, or *fallback*."""
    done: list[Call] = []
    for call in calls:
        done.append(call or (done[-1] if done else fallback) or Call(UNKNOWN, "no cue found"))
    return done
