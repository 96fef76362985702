"""Who may have spoken each line, and what the chapter says for and against each of them.

The hand rules (`rules`, `conversation`) make a first reading of the chapter. Here every
quoted turn gets its candidates (the people named or referred to nearby, the recent
speakers, the people addressed) and each candidate a row of numbers: the cues the rules read,
as features rather than verdicts. `decide` scores the rows with the trained model.

The rows of a chapter are a `ChapterRows`; `FEATURES` names the columns, and the model file
lists the same names so that a model trained on other columns is refused.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ...model import Gender
from .context import UNKNOWN, Call, Context
from .conversation import called_gender, runs
from .vocatives import introduces_oneself, quoted_names

BEFORE_CHARS = 2500
"""How far back the narration's people count as candidates: about a page."""
AFTER_CHARS = 300
"""How far past the turn: "…," said the man who had just come in."""
SPEAKERS_BACK = 6
"""Speakers of this many turns back are candidates."""
SPEAKERS_AHEAD = 2
"""... and of this many turns ahead."""
FAR = 5000
"""Distance given to a candidate with no mention in reach."""
RULE_FAMILIES = ("tag after", "tag before", "tag lead-in", "beat after", "beat before", "beat", "continuation",
                 "carried", "alternation", "previous beat", "addressed before", "turn-taking", "paragraph beat",
                 "addressed after", "salience", "reported", "no cue", "conversation")
"""The first words of the rules' explanations; a call's family is its position here (the last is the run's Viterbi)."""
FEATURES = (
    "rules pick them", "rules give them any quote", "rule family", "line anchored by its paragraph",
    "own tag names them", "own beat names them", "pronoun tag agrees", "their gender", "pronoun tag",
    "spoke 1 line back", "spoke 2 lines back", "speak 1 line on", "speak 2 lines on",
    "anchored 1 line back", "anchored 2 lines back", "anchored 1 line on", "anchored 2 lines on",
    "lines since they spoke", "narration before", "narration after", "narration before the last line",
    "addressed by the last line", "addressed by this line", "addressed by the next line",
    "characters since mentioned", "mentions before", "mentions as subject before", "mentions inside",
    "mentions as subject inside", "recency rank", "recency rank of their gender", "first-person narrator",
    "share of the chapter's mentions", "named in the line", "names themself", "quotes in the turn",
    "length of the line", "continues a quote", "candidates", "mentioned just before", "new in the scene",
    "in a run of lines", "this line calls its listener their gender", "the last line calls its listener their gender",
    "named in the last line", "named in the next line", "people in the run so far", "their quotation goes on",
)
"""The columns of a candidate's row, in order; also the words `--explain` uses."""


@dataclass(frozen=True)
class TurnRows:
    """One quoted turn: its candidates and their rows."""

    turn: int
    """Index of the turn in the context's turns."""
    start: int
    """Offset of its paragraph in the chapter text."""
    end: int
    """Offset just past its paragraph."""
    candidates: tuple[str, ...]
    """Who may have said it, in a fixed order (sorted names)."""
    rows: np.ndarray
    """One row of `FEATURES` per candidate."""
    head: Call
    """The rules' call for the turn's first quote (the quotes of the turn that share it follow the decision)."""
    introduced: frozenset[str] = frozenset()
    """People the turn's quotes introduce as their speaker ("My name is Faith", "It is I, Faith, who…")."""


@dataclass(frozen=True)
class ChapterRows:
    """Every quoted turn of a chapter, and who precedes whom: what the model scores."""

    turns: tuple[TurnRows, ...]
    """The quoted turns that have candidates, in reading order."""
    neighbours: tuple[tuple[int, int, int, int], ...]
    """Per entry of `turns`: the positions in `turns` of the entries 2 and 1 back and 1 and 2 on in the same run of
    lines, or -1."""


def chapter_rows(ctx: Context) -> ChapterRows:
    """The candidates and rows of every quoted turn of the chapter, after the rules have made their calls."""
    total = max(1, len(ctx.events))
    salience: dict[str, int] = {}
    for _, name in ctx.events:
        salience[name] = salience.get(name, 0) + 1
    in_run = {t for run in runs(ctx) for t in run[1:]}
    found: list[TurnRows] = []
    for t, turn in enumerate(ctx.turns):
        if not turn.quotes or not ctx.calls[t]:
            continue
        introduced = self_named(ctx, t)
        names = candidates(ctx, t, introduced)
        if names:
            facts = _facts(ctx, t, names, introduced, t in in_run)
            rows = np.array([_row(ctx, t, name, facts, salience.get(name, 0) / total) for name in names],
                            dtype=np.float64)
            found.append(TurnRows(t, turn.start, turn.end, tuple(names), rows, ctx.calls[t][0],
                                  frozenset(introduced)))
    return ChapterRows(tuple(found), _neighbours(ctx, found, in_run))


def self_named(ctx: Context, t: int) -> set[str]:
    """People turn *t*'s quotes introduce as their speaker ("My name is Faith")."""
    return {m.names[0] for q in ctx.turns[t].quotes for m in ctx.index.mentions(ctx.text, q.start, q.end, False)
            if len(m.names) == 1 and introduces_oneself(ctx.text, q, m)}


def candidates(ctx: Context, t: int, introduced: set[str] | None = None) -> list[str]:
    """Everyone who may have said turn *t*: people in the narration around it, recent and next speakers, the
    people the lines around it address, whoever the rules picked, and *introduced*, who named themselves."""
    turn = ctx.turns[t]
    lo = bisect.bisect_left(ctx.event_starts, turn.start - BEFORE_CHARS)
    hi = bisect.bisect_right(ctx.event_starts, turn.end + AFTER_CHARS)
    near = {name for _, name in ctx.events[lo:hi]}
    spoke = {ctx.speaker(k) for k in range(max(0, t - SPEAKERS_BACK), min(len(ctx.turns), t + SPEAKERS_AHEAD + 1))}
    addressed = set(ctx.addressees[t - 1]) if t else set()
    if t + 1 < len(ctx.turns):
        addressed |= set(ctx.addressees[t + 1])
    called = {c.speaker for c in ctx.calls[t]}
    return sorted((near | spoke | addressed | called | (introduced or set())) - {None, UNKNOWN})


def _neighbours(ctx: Context, found: list[TurnRows], in_run: set[int]) -> tuple[tuple[int, int, int, int], ...]:
    """For each scored turn, the scored turns two and one back and one and two on, within its run of lines."""
    position = {rows.turn: i for i, rows in enumerate(found)}
    out = []
    for rows in found:
        t = rows.turn
        back1 = position.get(t - 1, -1) if t in in_run else -1
        back2 = position.get(t - 2, -1) if back1 >= 0 and t - 1 in in_run else -1
        on1 = position.get(t + 1, -1) if t + 1 in in_run else -1
        on2 = position.get(t + 2, -1) if on1 >= 0 and t + 2 in in_run else -1
        out.append((back2, back1, on1, on2))
    return tuple(out)


class _Facts(NamedTuple):
    """What a turn's rows share, found once per turn."""

    names: list[str]
    """Its candidates."""
    by_recency: list[str]
    """The candidates, the most recently mentioned first."""
    self_named: set[str]
    """People the turn's quotes introduce as the speaker ("My name is X")."""
    called: tuple[Gender | None, Gender | None]
    """The gender this line and the last one call their listener ("sir", "madam"), if they do."""
    named: tuple[set[str], set[str]]
    """People the last line and the next one name without addressing them."""
    talkers: int
    """How many people spoke the lines before it in reach."""
    in_run: bool
    """The turn follows the one before in a run of lines."""


def _facts(ctx: Context, t: int, names: list[str], introduced: set[str], in_run: bool) -> _Facts:
    last_seen = _last_seen(ctx, ctx.turns[t].end, names)
    talkers = {ctx.speaker(k) for k in range(max(0, t - SPEAKERS_BACK), t)} - {None}
    named_last = quoted_names(ctx, t - 1) if t else set()
    named_next = quoted_names(ctx, t + 1) if t + 1 < len(ctx.turns) else set()
    return _Facts(names, sorted(names, key=lambda n: last_seen[n]), introduced,
                  (called_gender(ctx, t), called_gender(ctx, t - 1) if t else None), (named_last, named_next),
                  len(talkers), in_run)


def _row(ctx: Context, t: int, name: str, facts: _Facts, salience: float) -> list[float]:
    """The `FEATURES` of candidate *name* for turn *t*."""
    turn = ctx.turns[t]
    head = ctx.calls[t][0]
    gender = ctx.index.gender(name)
    return [
        *_rules_say(ctx, t, name, head, gender),
        *_who_spoke(ctx, t, name),
        turn.gap, ctx.turns[t + 1].gap if t + 1 < len(ctx.turns) else 99, ctx.turns[t - 1].gap if t else 99,
        float(t > 0 and name in ctx.addressees[t - 1]), float(name in ctx.addressees[t]),
        float(t + 1 < len(ctx.turns) and name in ctx.addressees[t + 1]),
        *_mentions(ctx, t, name, facts),
        float(name == ctx.narrator), salience, float(name in quoted_names(ctx, t)), float(name in facts.self_named),
        len(turn.quotes), turn.quotes[0].end - turn.quotes[0].start, float(turn.continues), len(facts.names),
        *_entrance(ctx, t, name), float(facts.in_run), *_conversation(name, gender, facts),
        float(turn.continues and ctx.speaker(t - 1) == name),
    ]


def _conversation(name: str, gender: Gender, facts: _Facts) -> list[float]:
    """What the talk itself says: a "sir" or "madam" to the listener, names in the lines around, how many talk."""
    def fits(said: Gender | None) -> float:
        return 0.0 if said is None or gender is Gender.UNKNOWN else (1.0 if said is gender else -1.0)

    return [fits(facts.called[0]), fits(facts.called[1]), float(name in facts.named[0]),
            float(name in facts.named[1]), float(facts.talkers)]


def _rules_say(ctx: Context, t: int, name: str, head: Call, gender: Gender) -> list[float]:
    """What the rules' calls say: their pick, its family, the paragraph's own tag or beat, the pronoun's fit."""
    local = ctx.local[t] if t < len(ctx.local) else []
    tags = {c.speaker for c in local if c and c.rule.startswith("tag")}
    beats = {c.speaker for c in local if c and not c.rule.startswith("tag")}
    pronoun = head.pronoun or ctx.voiced.get(t) or ""
    agrees = 0.0
    if pronoun in ("he", "she"):
        agrees = 1.0 if gender is (Gender.MALE if pronoun == "he" else Gender.FEMALE) else \
            (0.0 if gender is Gender.UNKNOWN else -1.0)
    return [float(head.speaker == name), float(any(c.speaker == name for c in ctx.calls[t])), family(head.rule),
            float(t in ctx.anchored), float(name in tags), float(name in beats), agrees,
            {Gender.MALE: 0.0, Gender.FEMALE: 1.0}.get(gender, 2.0), {"he": 1.0, "she": 2.0}.get(pronoun, 0.0)]


def family(rule: str) -> float:
    """The position of *rule*'s family in `RULE_FAMILIES` (one past the end for anything else)."""
    return float(next((i for i, f in enumerate(RULE_FAMILIES) if rule.startswith(f)), len(RULE_FAMILIES)))


def _who_spoke(ctx: Context, t: int, name: str) -> list[float]:
    """Whether they spoke the lines around, whether those lines were anchored, and how many lines ago they spoke."""
    spoke = [float(ctx.speaker(k) == name) for k in (t - 1, t - 2, t + 1, t + 2)]
    anchored = [s * float(k in ctx.anchored) for s, k in zip(spoke, (t - 1, t - 2, t + 1, t + 2))]
    ago = next((t - k for k in range(t - 1, max(-1, t - 9), -1) if ctx.speaker(k) == name), 99)
    return spoke + anchored + [float(ago)]


def _mentions(ctx: Context, t: int, name: str, facts: _Facts) -> list[float]:
    """How recently and how often the narration referred to them, as a subject or not, before and inside the turn."""
    turn = ctx.turns[t]
    lo = bisect.bisect_left(ctx.event_starts, turn.start - 3000)
    mid = bisect.bisect_left(ctx.event_starts, turn.start)
    hi = bisect.bisect_right(ctx.event_starts, turn.end)
    before = [o for o, n in ctx.events[lo:mid] if n == name]
    inside = [o for o, n in ctx.events[mid:hi] if n == name]
    gender = ctx.index.gender(name)
    ranked = facts.by_recency
    same = [n for n in ranked if ctx.index.gender(n) is gender]
    return [float(min(FAR, turn.start - before[-1])) if before else float(FAR), len(before),
            sum(o in ctx.subjects for o in before), len(inside), sum(o in ctx.subjects for o in inside),
            ranked.index(name), same.index(name)]


def _last_seen(ctx: Context, pos: int, names: list[str]) -> dict[str, int]:
    """Characters back from *pos* to each name's last mention (`FAR` when none in reach)."""
    seen = dict.fromkeys(names, FAR)
    lo = bisect.bisect_left(ctx.event_starts, pos - FAR)
    for offset, who in ctx.events[lo:bisect.bisect_left(ctx.event_starts, pos)]:
        if who in seen:
            seen[who] = pos - offset
    return seen


def _entrance(ctx: Context, t: int, name: str) -> list[float]:
    """Mentioned in the narration just before the turn; and mentioned there for the first time in a while."""
    turn = ctx.turns[t]
    since = ctx.turns[t - 1].end if t else turn.start - BEFORE_CHARS
    just = bisect.bisect_left(ctx.event_starts, since)
    here = bisect.bisect_left(ctx.event_starts, turn.start)
    recent = any(n == name for _, n in ctx.events[just:here])
    earlier = any(n == name for _, n in ctx.events[bisect.bisect_left(ctx.event_starts, since - 3000):just])
    return [float(recent), float(recent and not earlier)]
