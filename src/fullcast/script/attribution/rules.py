"""Decide who speaks each quotation, with one small rule per cue and an explanation for every call.

A `Turn` is a paragraph that holds quotations. The rules run in a fixed order and
the first one that names someone wins:

local, per quote       a speech tag after it, before it, or closing the paragraph before
(`rule_*(ctx, t, q)`)  ("Emma exclaimed,"); then a tag elsewhere in the paragraph (an
                       interrupted quote is one utterance); then an action beat
                       next to the quote ("Tara sighed, ...").
conversation, per turn a quote continued from the previous paragraph (or chapter); strict alternation
(`rule_*(ctx, t)`)     counted from the nearest line a tag names (not from a guess); the
                       subject of a short narration paragraph just before; the person the previous
                       line addressed by name; turn-taking (same speaker as two lines
                       back or ahead); a person acting
                       elsewhere in the paragraph; the person the next line
                       addresses; the most recently mentioned person.

`chapter` runs them over a chapter; then `conversation` reads each run of back-and-forth
lines as a whole, so a misread pronoun or a guess cannot flip the alternation that the named tags set.

Every rule is readable and testable alone; the reading of tags and beats it relies on lives in
`tags`, vocatives in `vocatives`, who a name or pronoun means in `cues` (relatives in `roles`), and what they all
look at in `context`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...model import Gender
from .context import UNKNOWN, Call, Context
from .cues import most_salient, resolve
from .names import Mention
from .tags import SENTENCE_END, read_tag, tag_window_after, tag_window_before
from .vocatives import quoted_names

PREVIOUS_BEAT_CHARS = 500
"""Only a narration paragraph of a few sentences hands its subject to the next quote."""
MAX_GAP = 0
"""Narration paragraphs that may separate two turns for turn-taking: any narration breaks the alternation."""
ANCHOR_REACH = 6
"""How many line pairs away a tagged line still sets the alternation of an untagged run."""
LEAD_ON_CHARS = 40
"""A tag further than this after a quote, in narration that runs on into the next quote, introduces that one."""
VOCATIVE_GAP = 1
"""Narration paragraphs that may separate a line from the one it answers by name."""
TO_ONESELF = re.compile(r"\b(?:thought|reflected|mused|wondered|(?:her|him)self)\b")
"""A tag for words not said to anyone: "she said to herself", "he thought", "she answered herself"."""


# --------------------------------------------------------------------------- local rules


def rule_tag_after(ctx: Context, t: int, q: int) -> Call | None:
    """`"…," Tara replied` / `"…," said she` / `"…" Tara looked up` / `"…" She looked up`: the narration after the quote.

    A beat with only a pronoun rests on that pronoun, so the exchange may still overrule it.
    """
    lo, hi = tag_window_after(ctx, t, q)
    found = read_tag(ctx, lo, hi, leading=True)
    if not found:
        return None
    subject, _, kind = found
    if subject.start - lo > LEAD_ON_CHARS and re.search(r"[,:—-]\s*$", ctx.text[lo:hi]):
        return None  # `"…" And gathering her work, she was hastening away, when Elizabeth called out,`: the next quote's
    cue = " ".join(ctx.text[lo:hi].split()[:6]).strip(" ,")
    return _subject_call(ctx, t, subject, kind, f'after: "{cue}"')


def rule_tag_before(ctx: Context, t: int, q: int) -> Call | None:
    """`Faith continued, "…"` / `Tara sighed, "…"`: the sentence that leads into the quote."""
    lo, hi = tag_window_before(ctx, t, q)
    if hi - lo < 2:
        return None
    found = read_tag(ctx, lo, hi, leading=None if q else False)
    if not found:
        return None
    subject, _, kind = found
    if kind == "tag" and q == 0 and re.search(r"[.!?]\s*$", ctx.text[lo:hi]):
        kind = "beat"  # "Tara said nothing." is a finished sentence, not a tag leading into the quote
    cue = " ".join(ctx.text[lo:hi].split()[:6]).strip(" ,")
    return _subject_call(ctx, t, subject, kind, f'before: "{cue}"')


def rule_lead_in(ctx: Context, t: int, q: int) -> Call | None:
    """`Harriet thus began again--` closing the paragraph before: it introduces the first quote."""
    turn = ctx.turns[t]
    if q or not turn.lead:
        return None
    lo, hi = turn.lead
    ends = [m.end() for m in SENTENCE_END.finditer(ctx.text, lo, hi) if ctx.text[m.end():hi].strip()]
    lo = ends[-1] if ends else lo
    found = read_tag(ctx, lo, hi, leading=False)
    if not found:
        return None
    cue = " ".join(ctx.text[lo:hi].split()[-6:])
    return _subject_call(ctx, t, found[0], found[2], f'in the paragraph before: "{cue}"')


def rule_paragraph_beat(ctx: Context, t: int) -> Call | None:
    """An untagged paragraph whose narration has a person acting somewhere in it: they speak."""
    turn = ctx.turns[t]
    bounds = [turn.start] + [x for p in turn.quotes for x in (p.start - 1, p.end + 1)] + [turn.end]
    for lo, hi in zip(bounds[::2], bounds[1::2]):
        for start in [lo] + [m.end() for m in SENTENCE_END.finditer(ctx.text, lo, hi)]:
            if not re.search(r"[^\W_]", ctx.text[start:hi]):
                continue
            found = read_tag(ctx, start, hi, leading=False)
            if found and (who := resolve(ctx, found[0], t)):
                return Call(who, f'beat: "{" ".join(ctx.text[start:hi].split()[:5])}"')
    return None


def _subject_call(ctx: Context, t: int, subject: Mention, kind: str, where: str) -> Call | None:
    """The call a tag or beat makes through its subject; for a `he`/`she` tag no one fits, only that gender.

    A tag saying the speaker talks or thinks to themselves ("she said to herself", "he thought") is no turn of an
    exchange: its call stands as firmly as a name would.
    """
    rule = f'{"tag" if kind == "tag" else "beat"} {where}'
    if who := resolve(ctx, subject, t):
        return Call(who, rule, None if kind == "tag" and TO_ONESELF.search(where) else _bare(subject))
    if kind == "tag" and (pronoun := _bare(subject)) in ("he", "she"):
        return Call(UNKNOWN, rule, pronoun)
    return None


def _bare(subject: Mention) -> str | None:
    """`he`/`she` when the subject is a bare personal pronoun or a description ("said the young man").

    A description names no one either: whoever of its gender is about, so the exchange may settle who.
    "said the other" and "said his companion" are `other`: the exchange settles who, with no gender to impose.
    """
    if subject.role in ("other", "companion"):
        return "other"
    if subject.role == "person":
        return subject.pronoun
    return subject.pronoun if subject.pronoun in ("he", "she") and not subject.role and not subject.names else None


# --------------------------------------------------------------------------- conversation rules


def rule_continuation(ctx: Context, t: int) -> Call | None:
    """A paragraph that reopens a quotation left open: the same speaker goes on."""
    if ctx.turns[t].continues and (who := ctx.speaker(t - 1)):
        return Call(who, "continuation: quote carried over from the previous paragraph")
    return None


def rule_carried_over(ctx: Context, t: int) -> Call | None:
    """A chapter that opens with a quote, after one that ended on a line: the speaker of that line goes on."""
    if t == 0 and ctx.carried and not ctx.turns[0].reported:
        return Call(ctx.carried, "continuation: the line that ended the previous chapter goes on")
    return None


def rule_addressed_before(ctx: Context, t: int) -> Call | None:
    """The previous line addressed someone by name: they answer."""
    if t == 0 or ctx.turns[t].gap > VOCATIVE_GAP:
        return None
    previous = ctx.speaker(t - 1)
    for name in ctx.addressees[t - 1]:
        if name != previous and name not in ctx.addressees[t]:
            return Call(name, f'vocative: addressed "{name}" in previous line')
    return None


def rule_turn_taking(ctx: Context, t: int) -> Call | None:
    """Untagged lines alternate: the same speaker as two lines back (or, failing that, two lines ahead).

    A speech running over several paragraphs is one line: its paragraphs are not counted as turns.
    """
    near = {ctx.speaker(k) for k in (_line(ctx, t, -1), _line(ctx, t, 1)) if _same_conversation(ctx, t, k)} - {None}
    for steps in (-2, 2):
        k = _line(ctx, t, steps)
        known = ctx.speaker(k) if _same_conversation(ctx, t, k) else None
        if known and known not in near and known not in ctx.addressees[t]:
            return Call(known, f"turn-taking: same speaker as {abs(steps)} lines {'back' if steps < 0 else 'ahead'}")
    return None


def _line(ctx: Context, t: int, steps: int) -> int:
    """The first turn of the line *steps* lines away from turn *t*'s; the paragraphs of one speech are one line."""
    k = t
    while k > 0 and ctx.turns[k].continues:
        k -= 1
    for _ in range(abs(steps)):
        if steps < 0:
            k -= 1
            while k > 0 and ctx.turns[k].continues:
                k -= 1
        else:
            k += 1
            while k < len(ctx.turns) and ctx.turns[k].continues:
                k += 1
    return k


def rule_anchored_alternation(ctx: Context, t: int) -> Call | None:
    """In a run of untagged lines, count turns from the nearest line its own tag names: even distance, same speaker.

    A guess two lines back may itself be wrong; a tag further away is not, and strict
    alternation carries it across the run.
    """
    near = {ctx.speaker(k) for k in (_line(ctx, t, -1), _line(ctx, t, 1)) if _same_conversation(ctx, t, k)} - {None}
    # a name called in the line just before beats counting: "What do you do nights, Jake?" is answered by Jake
    called = set(ctx.addressees[t - 1]) - {ctx.speaker(t - 1)} if t and ctx.turns[t].gap == 0 else set()
    for distance in range(2, 2 * ANCHOR_REACH + 1, 2):
        for k in (_line(ctx, t, -distance), _line(ctx, t, distance)):
            if k in ctx.anchored and _same_conversation(ctx, t, k):
                known = ctx.speaker(k)
                if known and known not in near and known not in ctx.addressees[t] and (not called or known in called):
                    return Call(known, f"turn-taking: same speaker as the tagged line {distance} "
                                       f"{'back' if k < t else 'ahead'}")
                return None
    return None


def _same_conversation(ctx: Context, t: int, k: int) -> bool:
    """True when turns *t* and *k* are not separated by a scene break or long narration."""
    if not 0 <= k < len(ctx.turns):
        return False
    lo, hi = min(t, k), max(t, k)
    return all(ctx.turns[i].gap <= MAX_GAP for i in range(lo + 1, hi + 1))


def rule_previous_beat(ctx: Context, t: int) -> Call | None:
    """A short narration paragraph just before ("Mrs. Wilcox smiled.") puts its subject forward as the speaker.

    Not the first-person narrator's own gesture ("I shook my head."): it mostly answers, and the other speaks on.
    """
    turn = ctx.turns[t]
    if not turn.before or turn.gap != 1:
        return None
    lo, hi = turn.before
    if hi - lo > PREVIOUS_BEAT_CHARS:
        return None
    ends = [m.end() for m in SENTENCE_END.finditer(ctx.text, lo, hi) if ctx.text[m.end():hi].strip()]
    lo = ends[-1] if ends else lo
    found = read_tag(ctx, lo, hi, leading=False)
    if not found or (found[0].pronoun == "i" and found[2] == "beat"):
        return None
    if not (who := resolve(ctx, found[0], t)) or who in ctx.addressees[t] or who in quoted_names(ctx, t):
        return None
    return Call(who, f'beat in the paragraph before: "{" ".join(ctx.text[lo:hi].split()[:6])}"')


def rule_addressed_after(ctx: Context, t: int) -> Call | None:
    """The next line addresses someone by name: they probably spoke this one."""
    if t + 1 >= len(ctx.turns) or ctx.turns[t + 1].gap > VOCATIVE_GAP:
        return None
    for name in ctx.addressees[t + 1]:
        if name not in ctx.addressees[t] and name != ctx.speaker(t + 1) and name not in quoted_names(ctx, t):
            return Call(name, f'vocative: addressed as "{name}" in next line')
    return None


def rule_salient(ctx: Context, t: int) -> Call | None:
    """The person most recently in focus who is not addressed here and did not speak last."""
    turn = ctx.turns[t]
    everyone = {p.name for p in ctx.index.people}
    who = most_salient(ctx, turn.start, everyone, set(ctx.addressees[t]) | quoted_names(ctx, t), t)
    return Call(who, "salience: most recent person in focus") if who else None


LOCAL_RULES = (rule_tag_after, rule_tag_before, rule_lead_in)
CONVERSATION_RULES = (rule_continuation, rule_carried_over, rule_anchored_alternation, rule_previous_beat,
                      rule_addressed_before, rule_turn_taking, rule_paragraph_beat, rule_addressed_after, rule_salient)


def call_conversation(ctx: Context, t: int) -> Call:
    """The first conversation rule that names someone for turn *t*, or `unknown`.

    When the line's tag said only "she", the call must be a woman: the most recent one, failing the rules.
    """
    pronoun = ctx.voiced.get(t)
    for rule in CONVERSATION_RULES:
        if (c := rule(ctx, t)) and (not pronoun or c.speaker in ctx.gendered[pronoun]
                                    or ctx.index.gender(c.speaker) is Gender.UNKNOWN):
            return replace(c, pronoun=pronoun) if pronoun else c
    if pronoun and (who := most_salient(ctx, ctx.turns[t].start, ctx.gendered[pronoun], set(ctx.addressees[t]), t)):
        return Call(who, f'salience: the {"man" if pronoun == "he" else "woman"} most recently in focus, '
                         f'for "{pronoun}"', pronoun)
    return Call(UNKNOWN, "no cue found")
