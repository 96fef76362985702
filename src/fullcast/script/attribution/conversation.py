"""Make a run of back-and-forth lines consistent: one reading of who speaks each line, for the whole run.

The rules in `attribution` decide line by line, so one misread cue ("cried his father"
resolved to the son) flips every guess that counts turns from it. A reader instead
holds the whole exchange in mind: lines alternate between two people, a name in a tag
is near certain, a "she said" is likely but could be either woman present, and a
guess from turn-taking is only a guess. This module weighs those cues together.

A run is a stretch of two or more lines with no narration between them but short asides. Each line's call
so far is a cue whose weight depends on how it was made (`cue_weight`); moving from one
speaker to the next has a cost that favours strict alternation (`step_cost`). The
cheapest labelling of the run (Viterbi over pairs of consecutive speakers) is the
answer; a line whose call it changes says so in its explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...model import Gender
from .context import UNKNOWN, Call, Context
from .vocatives import quoted_names

SAME_AGAIN = 2.0
"""Cost of the same person speaking two bare quotes running (about 1 pair in 200)."""
THIRD_PARTY = 1.0
"""Cost of a line by neither of the two people who spoke just before, across a short aside."""
JOIN_COSTS = {(False, False): (SAME_AGAIN, 0.85), (False, True): (0.9, 0.55),
              (True, False): (0.5, 0.5), (True, True): (0.4, 0.3)}
"""(same person again, third party) costs by (this paragraph opens with narration, the one before ends with it).

Measured over the joins of back-and-forth lines: bare quote after bare quote is the same person
again about 1 time in 200 and a third party 1 in 9; after `"…," he said, and paused.` 1 in 13 and
1 in 6; a paragraph opening with narration (`Tara sat down. "…"`) 1 in 5 and 1 in 5.
"""
WORD = re.compile(r"[^\W_]")
"""A letter or digit: narration, not only punctuation, between quote and paragraph edge."""
WRONG_GENDER = 6.0
"""Cost of giving a `he`/`she` line to someone of the other gender."""
UNSAID_GENDER = 1.0
"""Cost of giving a `he`/`she` line to someone the cast gives no gender ("The Arno"): who is "he" is likelier known."""
ADDRESSED = 2.0
"""Cost of giving a line to the person it addresses by name."""
ANSWERS = 0.7
"""Bonus for giving a line to the person the line before addressed by name."""
MENTIONED = 1.5
"""Cost of giving a line to someone it names without addressing them ("Mr. Weston is such a good man")."""
CALLED = 1.5
"""Cost of answering a line that called its listener "sir" (or "madam") with someone of the other gender."""
SIR = re.compile(r"(?:,|\b(?:yes|no|thank you|indeed))\s+(?:(sir|my lord|my boy|old (?:man|chap|fellow)|my (?:dear )?fellow|"
                 r"father|papa|uncle|brother|mister)|(madam|ma['’]am|madame|my lady|my (?:dear )?girl|miss|mother|mamma|"
                 r"mama|aunt|sister))\s*[,.!?;—-]", re.I)
"""A gendered form of address: "Thank you, sir." / "Yes, ma'am."."""
PRONOUN_WEIGHT = 1.2
"""Most a call resting on a bare `he`/`she` costs to overrule: the exchange often knows better (about 1 in 5 is wrong)."""
GUESS_WEIGHT = 0.8
"""Most a call made from the conversation (not from the line's own paragraph) costs to overrule."""
ASIDE_CHARS = 60
"""A narration paragraph shorter than this ("Groans.", "He smiled.") does not end the exchange."""
SAME_ASIDE = 0.3
"""Cost of the same person speaking again after such an aside: about 1 time in 3 ("He smiled. 'Besides, …'")."""
MAX_PEOPLE = 6
"""Most people considered in one run: the ones its calls and vocatives name most."""
WEIGHTS = (("voices.yaml", 1000.0), ("tag", 20.0), ("reported", 0.8), ("beat", 2.5), ("vocative", 0.8), ("continuation", 0.8),
           ("salience", 0.2), ("turn-taking", 0.3), ("no cue", 0.0))
"""How much a call made by each rule family costs to overrule (the rule text starts with the family).

A line the editor fixed in voices.yaml is never overruled: it anchors the lines around it instead.

An action beat next to a quote is right about 5 times in 6, so the exchange may overrule it at some cost;
a paragraph only reporting speech ("Mr. Bennet replied that he had not.") hands on its turn loosely.
"""


@dataclass(frozen=True)
class Cue:
    """What the line-by-line rules said about one line of a run."""

    speaker: str
    """Who they called."""
    weight: float
    """What it costs to give the line to someone else."""
    pronoun: str | None
    """`he`/`she` when the call rests on that pronoun alone."""


def cue_weight(call: Call, local: bool) -> float:
    """The cost of overruling *call*: a name in a tag is near certain, a pronoun less so, a guess hardly at all."""
    weight = next((w for family, w in WEIGHTS if call.rule.startswith(family)), 1.0)
    if call.pronoun:
        weight = min(weight, PRONOUN_WEIGHT)
    return weight if local else min(weight, GUESS_WEIGHT)


def runs(ctx: Context) -> list[range]:
    """Maximal stretches of turns with no narration paragraph between consecutive ones but short asides."""
    found, start = [], 0
    for t in range(1, len(ctx.turns) + 1):
        if t == len(ctx.turns) or not _joined(ctx, t):
            found.append(range(start, t))
            start = t
    return [r for r in found if len(r) >= 2]


def _joined(ctx: Context, t: int) -> bool:
    """True when turn *t* follows the one before with nothing between but at most a short aside ("He smiled.")."""
    turn = ctx.turns[t]
    if turn.gap == 0:
        return True
    return turn.gap == 1 and turn.before is not None and turn.before[1] - turn.before[0] < ASIDE_CHARS


def settle_run(ctx: Context, run: range, local: set[int]) -> dict[int, Call]:
    """New calls for the turns of *run* whose cheapest consistent reading differs from their current call."""
    tails = {t: ctx.calls[t][-1].speaker for t in run if has_tail(ctx.calls[t])}
    cues = {t: _cue(_opening(ctx.calls[t]) if t in tails else ctx.calls[t], t in local) for t in run
            if ctx.calls[t] and ctx.calls[t][0 if t in tails else -1].speaker != UNKNOWN}
    people = _people(ctx, run, cues)
    if len(people) < 2:
        return {}
    labels = _decode(ctx, run, cues, people, tails)
    changed = {}
    for t, who in zip(run, labels):
        cue = cues.get(t)
        if cue is None or who != cue.speaker:
            head = ctx.calls[t][0 if t in tails else -1] if cue else None
            overruled = f' over {head.speaker} ({head.rule})' if head else ""
            changed[t] = Call(who, _explain(ctx, run, labels, t) + overruled)
    return changed


def has_tail(calls: list[Call]) -> bool:
    """True when the paragraph's last quote is a line of its own: a tag names someone other than its first quote's."""
    return len(calls) > 1 and calls[-1].speaker not in (UNKNOWN, calls[0].speaker) and calls[0].speaker != UNKNOWN \
        and calls[-1].rule.startswith("tag") and not calls[-1].pronoun


def _opening(calls: list[Call]) -> list[Call]:
    """The calls of a paragraph's first line: up to the first quote given to someone else.

    `"Perhaps." … "Yes, I see," Aunt Juley said` holds two lines: the first answers the line before,
    and the line after answers the second (the paragraph's tail, which the exchange leaves as it is).
    """
    return calls[:next((i for i, c in enumerate(calls) if c.speaker != calls[0].speaker), len(calls))]


def _cue(calls: list[Call], local: bool) -> Cue:
    """The cue of a line: its last call, weighing as much as the surest call for the same person in the paragraph
    ("exclaimed Sir Geoffrey. ... he called out": the name, not the pronoun, says who)."""
    last = calls[-1]
    weight = max(cue_weight(c, local) for c in calls if c.speaker == last.speaker)
    return Cue(last.speaker, weight, last.pronoun if weight == cue_weight(last, local) else None)


def _people(ctx: Context, run: range, cues: dict[int, Cue]) -> list[str]:
    """Everyone the run's calls and vocatives name, most often named first.

    Not someone only the last resort put forward (the person most recently mentioned): the narration
    may mention people who take no part in the talk.
    """
    counts: dict[str, float] = {}
    for t in run:
        if t in cues and not ctx.calls[t][-1].rule.startswith("salience"):
            counts[cues[t].speaker] = counts.get(cues[t].speaker, 0.0) + 1.0 + cues[t].weight
        for name in ctx.addressees[t]:
            counts[name] = counts.get(name, 0.0) + 0.5
    if ctx.narrator and ctx.narrator != UNKNOWN:  # a book told in the first person: "I" takes part in its talks
        counts.setdefault(ctx.narrator, 0.1)
    return sorted(counts, key=lambda n: -counts[n])[:MAX_PEOPLE]


def called_gender(ctx: Context, t: int) -> Gender | None:
    """The gender of whoever line *t* addresses as "sir" or "madam", if it does."""
    for q in ctx.turns[t].quotes:
        if m := SIR.search(ctx.text, q.start, q.end + 1):
            return Gender.MALE if m.group(1) else Gender.FEMALE
    return None


def line_costs(ctx: Context, t: int, cue: Cue | None, people: list[str]) -> dict[str, float]:
    """What giving line *t* to each person costs, from its own call and the names in and around it."""
    named = quoted_names(ctx, t)
    costs = {}
    for who in people:
        cost = MENTIONED if who in named else 0.0
        if cue and who != cue.speaker:
            cost += cue.weight
        pronoun = cue.pronoun if cue and cue.pronoun else ctx.voiced.get(t)
        if pronoun in ctx.gendered and who not in ctx.gendered[pronoun]:
            cost += WRONG_GENDER if ctx.index.gender(who) is not Gender.UNKNOWN else UNSAID_GENDER
        if who in ctx.addressees[t]:
            cost += ADDRESSED
        if t > 0 and who in ctx.addressees[t - 1]:
            cost -= ANSWERS
        if t > 0 and (g := called_gender(ctx, t - 1)) and ctx.index.gender(who) not in (g, Gender.UNKNOWN):
            cost += CALLED
        costs[who] = cost
    return costs


def step_cost(before: str | None, last: str | None, who: str, continues: bool,
              join: tuple[float, float] = (SAME_AGAIN, THIRD_PARTY)) -> float:
    """The cost of *who* speaking after *last*, who spoke after *before*: alternation is free.

    *join* holds what the same person again and a third party cost here (`join_costs`).
    """
    if continues:
        return 0.0 if who == last else 8.0
    if who == last:
        return join[0]
    if before is not None and who != before:
        return join[1]
    return 0.0


def join_costs(ctx: Context, t: int) -> tuple[float, float]:
    """What the same person again, and a third party, cost at turn *t*, by how it joins the turn before.

    Bare quote after bare quote nearly always alternates; narration around the join
    ("He paused." / "She smiled. 'Besides, …'") often means the same one goes on, or someone new; so does a
    paragraph only reporting speech ("She delivered herself of an harangue …"), often followed by its words.
    """
    turn, previous = ctx.turns[t], ctx.turns[t - 1]
    if turn.gap > 0 or not previous.quotes:  # narration, or a paragraph only reporting speech, between the lines
        return SAME_ASIDE, THIRD_PARTY
    opens = not turn.quotes or WORD.search(ctx.text, turn.start, turn.quotes[0].start - 1) is not None
    ends = not previous.quotes or WORD.search(ctx.text, previous.quotes[-1].end + 1, previous.end) is not None
    return JOIN_COSTS[opens, ends]


def _decode(ctx: Context, run: range, cues: dict[int, Cue], people: list[str],
            tails: dict[int, str] | None = None) -> list[str]:
    """The cheapest labelling of the run's turns (Viterbi over (previous, current) speaker pairs).

    A turn with a *tail* (a last line by someone else, `tails`) is labelled by its first line; the next turn
    answers the tail.
    """
    tails = tails or {}
    first = line_costs(ctx, run[0], cues.get(run[0]), people)
    best: dict[tuple[str | None, str], tuple[float, list[str]]] = {(None, p): (first[p], [p]) for p in people}
    best = _after_tail(best, tails.get(run[0]))
    for t in run[1:]:
        continues = ctx.turns[t].continues
        here = line_costs(ctx, t, cues.get(t), people)
        join = join_costs(ctx, t)
        step: dict[tuple[str | None, str], tuple[float, list[str]]] = {}
        for (before, last), (cost, path) in best.items():
            for p in people:
                total = cost + step_cost(before, last, p, continues, join) + here[p]
                if (last, p) not in step or total < step[(last, p)][0]:
                    step[(last, p)] = (total, path + [p])
        best = _after_tail(step, tails.get(t))
    return min(best.values(), key=lambda v: v[0])[1]


def _after_tail(best: dict[tuple[str | None, str], tuple[float, list[str]]],
                tail: str | None) -> dict[tuple[str | None, str], tuple[float, list[str]]]:
    """The Viterbi states once a turn's tail line by *tail* has spoken: *tail* is now the last speaker."""
    if tail is None:
        return best
    moved: dict[tuple[str | None, str], tuple[float, list[str]]] = {}
    for (before, last), value in best.items():
        state = (before if last == tail else last, tail)
        if state not in moved or value[0] < moved[state][0]:
            moved[state] = value
    return moved


def _explain(ctx: Context, run: range, labels: list[str], t: int) -> str:
    """Why the run's reading gives line *t* to its speaker: the nearest line that names them at an even distance."""
    who = labels[t - run[0]]
    for distance in range(2, len(run), 2):
        for k in (t - distance, t + distance):
            if k in run and labels[k - run[0]] == who and ctx.calls[k] and ctx.calls[k][-1].rule.startswith("tag") \
                    and ctx.calls[k][-1].speaker == who:
                return f"turn-taking: same speaker as the tagged line {distance} {'back' if k < t else 'ahead'}"
    other = labels[t - run[0] - 1] if t > run[0] else labels[1]
    return f"turn-taking: the exchange read as a whole, answering {other}"
