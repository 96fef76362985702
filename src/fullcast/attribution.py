"""Decide who speaks each quotation, with one small rule per cue and an explanation for every call.

A `Turn` is a paragraph that holds quotations. The rules run in a fixed order and
the first one that names someone wins:

local (inside the paragraph)  tag after the quote, tag before it, an action beat;
conversation (across turns)   a quote continued from the previous paragraph, the
                              person the previous line addressed, turn-taking
                              between the last two speakers, the person the next
                              line addresses, the subject of the narration just
                              before, the most salient person.

Every rule is a function `(Context, turn, quote) -> Call | None`, readable and
testable alone. Pronouns are resolved to the most recent compatible subject.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace

from .model import Gender
from .names import SPEECH_VERB_SET, Mention, NameIndex
from .quotes import Piece

PREVIOUS_BEAT_CHARS = 300
"""Only a short narration paragraph hands its subject to the next quote."""
CONVERSATION_PASSES = 1
"""The second pass lets a line see the calls made after it (turn-taking looks both ways)."""
MAX_GAP = 1
"""Narration paragraphs that may separate two turns of one conversation."""
UNKNOWN = "unknown"
"""Speaker of a line nobody could be found for; cast.py gives it an auto voice."""
BODY_PARTS = frozenset(
    "jaw eyes eye eyebrows eyebrow brows brow face voice lips lip mouth hand hands head gaze expression features "
    "cheeks cheek tone glance smile look fists fist arms arm shoulders heart chin forehead nose".split())
CONNECTORS = re.compile(r"^(?:(?:and|but|then|so|now|at last|at length|still|yet|here|presently|suddenly|finally|"
                        r"instantly|again|thereupon|meanwhile|soon|once more)\b,?\s+)*", re.I)
SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)(?<!\bSt)(?<!\bMs)[.!?;]+[\"'”’)]*(?=\s)")
VERB_RE = re.compile(r"\b(?:" + "|".join(sorted(SPEECH_VERB_SET, key=len, reverse=True)) + r")\b")
ADVERBS_ONLY = re.compile(r"\s+(?:(?:\w+ly|thus|then|again|once|now|still|only|soon|first|at once|at last|at length|"
                          r"presently|in turn|in reply|in return|instantly|but|and|too),?\s+)*")
INVERSION_GAP = re.compile(r",?\s+(?:\w+ly\s+)?")
ADVERBS = re.compile(r"^\s*(?:(?:\w+ly|then|again|once|now|at once|at last|in reply|in return|aloud|too)\b,?\s+)*")
VOCATIVE_BEFORE = re.compile(
    r"(?:^|[,;!?.]\s*|\b(?:hi|hello|hullo|hey|oh|ah|dear|dearest|my dear|look|listen|please|well|now|yes|no|"
    r"thank you|thanks|goodbye|good-bye|good morning|good night|good evening|you|me)\s+)$", re.I)
VOCATIVE_AFTER = re.compile(r"^(?:[,!?.;]|\s*$|\s+(?:don't|do|please)\b)")


@dataclass(frozen=True)
class Turn:
    """A paragraph holding quotations, in the context of its conversation."""

    start: int
    """Offset of the paragraph in the chapter text."""
    end: int
    """Offset just past the paragraph."""
    quotes: tuple[Piece, ...]
    """Its quoted pieces, in order."""
    gap: int
    """Narration paragraphs since the previous turn; large after a scene break or at a chapter start."""
    continues: bool = False
    """The first quote carries on the previous turn's open quotation."""
    lead: tuple[int, int] | None = None
    """The narration paragraph just before, when it ends by introducing this quote ("Emma exclaimed,")."""
    before: tuple[int, int] | None = None
    """The narration paragraph just before, when there is exactly one since the previous turn."""
    reported: bool = False
    """A narration paragraph that may report speech ("Mr. Bennet replied that he had not."): a turn without quotes."""


@dataclass(frozen=True)
class Call:
    """Who speaks a quote, and why."""

    speaker: str
    """Person's name, or `unknown`."""
    rule: str
    """The rule and its cue, e.g. `tag after: "Tara replied"`."""


@dataclass
class Context:
    """What the rules may look at: the chapter, the people, and the calls made so far."""

    text: str
    """The chapter's source text."""
    index: NameIndex
    """Everyone who may speak."""
    turns: list[Turn]
    """All turns of the chapter."""
    narrator: str | None = None
    """Who "I" is in narration, for a book told in the first person."""
    calls: list[list[Call]] = field(default_factory=list)
    """Calls per turn, filled in reading order."""
    events: list[tuple[int, str, bool]] = field(default_factory=list)
    """People the narration has referred to so far: (offset, name, was a subject), pronouns resolved."""
    event_starts: list[int] = field(default_factory=list)
    """Offsets of `events`, for bisecting."""
    pending: list[tuple[Mention, bool]] = field(default_factory=list)
    """Narration mentions not yet turned into events, with whether each is a subject."""
    cursor: int = 0
    """How many of `pending` have been turned into events."""
    gendered: dict[str, set[str]] = field(default_factory=dict)
    """`he` / `she` -> the people that pronoun may mean."""
    addressees: list[tuple[str, ...]] = field(default_factory=list)
    """People each turn addresses by name (vocatives)."""
    turn_starts: list[int] = field(default_factory=list)
    """Start offsets of `turns`, for bisecting."""

    def speaker(self, t: int) -> str | None:
        """The known main speaker of turn *t*, if any."""
        if 0 <= t < len(self.calls) and self.calls[t] and self.calls[t][-1].speaker != UNKNOWN:
            return self.calls[t][-1].speaker
        return None


# --------------------------------------------------------------------------- reading the narration


def tag_window_after(ctx: Context, t: int, q: int) -> tuple[int, int]:
    """The narration right after quote *q* up to the end of its sentence or the next quote."""
    turn, quote = ctx.turns[t], ctx.turns[t].quotes[q]
    hi = turn.quotes[q + 1].start - 1 if q + 1 < len(turn.quotes) else turn.end
    lo = min(quote.end + 1, hi) if not quote.open_end else hi
    m = SENTENCE_END.search(ctx.text, lo, hi)
    return lo, (m.end() if m else hi)


def tag_window_before(ctx: Context, t: int, q: int) -> tuple[int, int]:
    """The narration right before quote *q*: its last sentence."""
    turn, quote = ctx.turns[t], ctx.turns[t].quotes[q]
    lo = turn.quotes[q - 1].end + 1 if q else turn.start
    hi = max(lo, quote.start - 1)
    if q == 0 and quote.continues:
        return hi, hi
    ends = [m.end() for m in SENTENCE_END.finditer(ctx.text, lo, hi) if ctx.text[m.end():hi].strip()]
    return (ends[-1] if ends else lo), hi


def _sentence_subject(ctx: Context, lo: int, hi: int, mentions: list[Mention]) -> Mention | None:
    """The mention that opens `text[lo:hi]` after connectives like "Then", if any."""
    head = ctx.text[lo:hi]
    skip = len(head) - len(head.lstrip(" \t\n,.!?;:—-\"'“”’‘_*"))
    skip += CONNECTORS.match(head[skip:]).end()
    return next((m for m in mentions if m.start == lo + skip), None)


def read_tag(ctx: Context, lo: int, hi: int, leading: bool) -> tuple[Mention, str, str] | None:
    """A speech tag or action beat in `text[lo:hi]`: (subject, verb, kind) with kind `tag` or `beat`.

    A tag is a speech verb with its subject next to it ("Tara replied", "said the redhead",
    "Mr. Elton warmly added"). *leading* means the window follows the quote, so the first
    such tag counts; before a quote the last one does. Failing a tag, the person who opens
    the sentence is the subject of an action beat ("Tara sighed, ...").
    """
    mentions = [m for m in ctx.index.mentions(ctx.text, lo, hi) if m.pronoun not in ("him", "her") or m.possessive]
    tags = _verb_subjects(ctx.text, lo, hi, mentions)
    if tags:
        subject, verb = tags[0] if leading else tags[-1]
        return subject, verb, "tag"
    subject = _sentence_subject(ctx, lo, hi, mentions)
    if subject is None or subject.pronoun == "her" and not _body_part_follows(ctx.text, subject.end, hi):
        return None
    if subject.possessive and not _body_part_follows(ctx.text, subject.end, hi):
        return None
    return subject, "", "beat"


def _verb_subjects(text: str, lo: int, hi: int, mentions: list[Mention]) -> list[tuple[Mention, str]]:
    """Every speech verb in the window with the subject standing right before or right after it."""
    found = []
    for verb in VERB_RE.finditer(text, lo, hi):
        before = next((m for m in reversed(mentions) if m.end <= verb.start()), None)
        if before and not before.possessive and ADVERBS_ONLY.fullmatch(text, before.end, verb.start()):
            found.append((before, verb.group()))
            continue
        after = next((m for m in mentions if m.start >= verb.end()), None)
        if after and not after.possessive and after.pronoun != "i" and INVERSION_GAP.fullmatch(text, verb.end(), after.start):
            found.append((after, verb.group()))
    return found


def _body_part_follows(text: str, pos: int, hi: int) -> bool:
    words = re.match(r"(?:'s|’s)?\s+(\w+)(?:\s+(\w+))?", text[pos:min(hi, pos + 40)])
    return bool(words) and any(w and w.lower() in BODY_PARTS for w in words.groups())


def resolve(ctx: Context, mention: Mention, t: int) -> str | None:
    """The person a mention means at turn *t*: a name directly, a pronoun through salience."""
    if len(mention.names) == 1:
        return mention.names[0]
    if mention.names:
        return _most_salient(ctx, mention.start, set(mention.names), set(), t)
    if mention.pronoun == "i":
        return ctx.narrator
    fits = ctx.gendered["he" if mention.pronoun in ("he", "him") else "she"]
    exclude = set(ctx.addressees[t])
    inside = [n for n, subject, here in _recent(ctx, mention.start, ctx.turns[t].start)
              if here and n in fits and n not in exclude]
    if inside:
        return inside[0]
    return _most_salient(ctx, mention.start, fits, exclude, t)


def _most_salient(ctx: Context, pos: int, allowed: set[str], exclude: set[str], t: int) -> str | None:
    """The most recent subject (or, failing that, mention) among *allowed*, skipping *exclude*.

    The previous speaker is skipped when someone else fits too: a new paragraph usually means a new speaker.
    """
    turn = ctx.turns[t]
    previous = ctx.speaker(t - 1) if not turn.continues else None
    return _pick(_recent(ctx, pos, turn.start), allowed, exclude, previous)


def _pick(recent: list[tuple[str, bool, bool]], allowed: set[str], exclude: set[str], previous: str | None
          ) -> str | None:
    for strict in (True, False):
        for name, is_subject, inside in recent:
            if name not in allowed or name in exclude or (strict and not (is_subject or inside)):
                continue
            if name == previous and not inside and strict:
                continue
            return name
    return next((n for n, _, _ in recent if n in allowed and n not in exclude), None)


def _recent(ctx: Context, pos: int, para_start: int, limit: int = 40) -> list[tuple[str, bool, bool]]:
    """People by recency before *pos*: (name, was a subject or speaker, inside the current paragraph)."""
    i = bisect.bisect_left(ctx.event_starts, pos)
    events = ctx.events[max(0, i - limit):i]
    t = bisect.bisect_left(ctx.turn_starts, pos)
    for k in range(t - 1, max(-1, t - 12), -1):
        if name := ctx.speaker(k):
            events.append((ctx.turns[k].start, name, True))
    events.sort(key=lambda e: -e[0])
    return [(name, subj, start >= para_start) for start, name, subj in events]


def _advance(ctx: Context, pos: int) -> None:
    """Turn the narration's mentions before *pos* into events, resolving "he" and "she" as they come."""
    while ctx.cursor < len(ctx.pending) and ctx.pending[ctx.cursor][0].start < pos:
        mention, subject = ctx.pending[ctx.cursor]
        ctx.cursor += 1
        if len(mention.names) == 1:
            name: str | None = mention.names[0]
        else:
            allowed = set(mention.names) or ctx.gendered.get(mention.pronoun or "", set())
            name = _pick(_recent(ctx, mention.start, mention.start), allowed, set(), None)
        if name:
            ctx.events.append((mention.start, name, subject))
            ctx.event_starts.append(mention.start)


# --------------------------------------------------------------------------- local rules


def rule_tag_after(ctx: Context, t: int, q: int) -> Call | None:
    """`"…," Tara replied` / `"…," said she` / `"…" Tara looked up`: the narration that follows the quote."""
    lo, hi = tag_window_after(ctx, t, q)
    found = read_tag(ctx, lo, hi, leading=True)
    if not found:
        return None
    subject, verb, kind = found
    who = resolve(ctx, subject, t)
    cue = " ".join(ctx.text[lo:hi].split()[:6]).strip(" ,")
    return Call(who, f'{"tag" if kind == "tag" else "beat"} after: "{cue}"') if who else None


def rule_tag_before(ctx: Context, t: int, q: int) -> Call | None:
    """`Faith continued, "…"` / `Tara sighed, "…"`: the sentence that leads into the quote."""
    lo, hi = tag_window_before(ctx, t, q)
    if hi - lo < 2:
        return None
    found = read_tag(ctx, lo, hi, leading=False)
    if not found:
        return None
    subject, verb, kind = found
    who = resolve(ctx, subject, t)
    cue = " ".join(ctx.text[lo:hi].split()[:6]).strip(" ,")
    return Call(who, f'{"tag" if kind == "tag" else "beat"} before: "{cue}"') if who else None


def rule_lead_in(ctx: Context, t: int, q: int) -> Call | None:
    """`Harriet thus began again--` closing the paragraph before: it introduces the first quote."""
    turn = ctx.turns[t]
    if q or not turn.lead:
        return None
    lo, hi = turn.lead
    ends = [m.end() for m in SENTENCE_END.finditer(ctx.text, lo, hi) if ctx.text[m.end():hi].strip()]
    lo = ends[-1] if ends else lo
    found = read_tag(ctx, lo, hi, leading=False)
    if not found or not (who := resolve(ctx, found[0], t)):
        return None
    cue = " ".join(ctx.text[lo:hi].split()[-6:])
    return Call(who, f'{"tag" if found[2] == "tag" else "beat"} in the paragraph before: "{cue}"')


def rule_paragraph_beat(ctx: Context, t: int, q: int) -> Call | None:
    """An untagged quote in a paragraph whose narration opens with a person: that person acts and speaks."""
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


# --------------------------------------------------------------------------- conversation rules


def rule_continuation(ctx: Context, t: int) -> Call | None:
    """A paragraph that reopens a quotation left open: the same speaker goes on."""
    if ctx.turns[t].continues and (who := ctx.speaker(t - 1)):
        return Call(who, "continuation: quote carried over from the previous paragraph")
    return None


def rule_addressed_before(ctx: Context, t: int) -> Call | None:
    """The previous line addressed someone by name: they answer."""
    if t == 0 or ctx.turns[t].gap > MAX_GAP:
        return None
    previous = ctx.speaker(t - 1)
    for name in ctx.addressees[t - 1]:
        if name != previous and name not in ctx.addressees[t]:
            return Call(name, f'vocative: addressed "{name}" in previous line')
    return None


def rule_turn_taking(ctx: Context, t: int) -> Call | None:
    """Untagged lines alternate: the same speaker as two lines back (or ahead), else whoever answers the neighbour."""
    near = {ctx.speaker(k) for k in (t - 1, t + 1) if _same_conversation(ctx, t, k)} - {None}
    for k in (t - 2, t + 2, t - 4, t + 4):
        known = ctx.speaker(k) if _same_conversation(ctx, t, k) else None
        if known and known not in near and known not in ctx.addressees[t]:
            return Call(known, f"turn-taking: same speaker as {abs(t - k)} lines {'back' if k < t else 'ahead'}")
    for k in (t - 1, t + 1):
        known = ctx.speaker(k) if _same_conversation(ctx, t, k) else None
        if known and (other := _other_participant(ctx, t, k, near)):
            return Call(other, f"turn-taking: answers {known}" if k < t else f"turn-taking: {known} answers")
    return None


def _same_conversation(ctx: Context, t: int, k: int) -> bool:
    """True when turns *t* and *k* are not separated by a scene break or long narration."""
    if not 0 <= k < len(ctx.turns):
        return False
    lo, hi = min(t, k), max(t, k)
    return all(ctx.turns[i].gap <= MAX_GAP for i in range(lo + 1, hi + 1))


def _other_participant(ctx: Context, t: int, k: int, near: set[str | None]) -> str | None:
    """Who, besides the neighbours' speakers *near*, takes part in the conversation around turn *t*."""
    for name in ctx.addressees[k]:
        if name not in near and name not in ctx.addressees[t]:
            return name
    for d in range(3, 9):
        for j in (t - d, t + d):
            if _same_conversation(ctx, t, j):
                other = ctx.speaker(j)
                if other and other not in near and other not in ctx.addressees[t]:
                    return other
    exclude = set(ctx.addressees[t]) | {n for n in near if n}
    return _most_salient(ctx, ctx.turns[t].start, {p.name for p in ctx.index.people}, exclude, t)


def rule_previous_beat(ctx: Context, t: int) -> Call | None:
    """A short narration paragraph just before ("Mrs. Wilcox smiled.") puts its subject forward as the speaker."""
    turn = ctx.turns[t]
    if not turn.before or turn.gap != 1:
        return None
    lo, hi = turn.before
    if hi - lo > PREVIOUS_BEAT_CHARS:
        return None
    ends = [m.end() for m in SENTENCE_END.finditer(ctx.text, lo, hi) if ctx.text[m.end():hi].strip()]
    lo = ends[-1] if ends else lo
    found = read_tag(ctx, lo, hi, leading=False)
    if not found or not (who := resolve(ctx, found[0], t)) or who in ctx.addressees[t]:
        return None
    if found[2] == "beat" and who == ctx.speaker(t - 1) and _same_conversation(ctx, t, t - 1):
        return None
    return Call(who, f'beat in the paragraph before: "{" ".join(ctx.text[lo:hi].split()[:6])}"')


def rule_addressed_after(ctx: Context, t: int) -> Call | None:
    """The next line addresses someone by name: they probably spoke this one."""
    if t + 1 >= len(ctx.turns) or ctx.turns[t + 1].gap > MAX_GAP:
        return None
    for name in ctx.addressees[t + 1]:
        if name not in ctx.addressees[t] and name != ctx.speaker(t + 1):
            return Call(name, f'vocative: addressed as "{name}" in next line')
    return None


def rule_salient(ctx: Context, t: int) -> Call | None:
    """The person most recently in focus who is not addressed here and did not speak last."""
    turn = ctx.turns[t]
    everyone = {p.name for p in ctx.index.people}
    who = _most_salient(ctx, turn.start, everyone, set(ctx.addressees[t]), t)
    return Call(who, "salience: most recent person in focus") if who else None


LOCAL_RULES = (rule_tag_after, rule_tag_before, rule_lead_in)
CONVERSATION_RULES = (rule_continuation, rule_previous_beat, rule_addressed_before, rule_turn_taking, rule_addressed_after,
                      rule_salient)


# --------------------------------------------------------------------------- driver


def addressees(ctx: Context, turn: Turn) -> tuple[str, ...]:
    """People named as vocatives inside the turn's quotes ("Hi Willow", "you, Willow.")."""
    found: list[str] = []
    for quote in turn.quotes:
        for m in ctx.index.mentions(ctx.text, quote.start, quote.end, pronouns=False):
            if len(m.names) != 1 or m.possessive:
                continue
            before = ctx.text[max(quote.start, m.start - 16):m.start]
            after = ctx.text[m.end:quote.end]
            if not re.search(r"[^\W_]", ctx.text[quote.start:m.start] + after):
                continue  # a quote that is only a name answers a question, it does not address anyone
            if VOCATIVE_BEFORE.search(before if m.start - quote.start > 16 or before.strip() else "") and \
                    VOCATIVE_AFTER.match(after[:12]):
                found.append(m.names[0])
    return tuple(dict.fromkeys(found))


def attribute_chapter(text: str, turns: list[Turn], index: NameIndex, narration: list[tuple[int, int]],
                      narrator: str | None) -> list[list[Call]]:
    """A call for every quote of every turn, in reading order.

    First every turn gets what its own paragraph says (tags, beats); then the
    conversation rules fill the rest, in reading order, each seeing the calls before.
    """
    ctx = Context(text, index, turns, narrator)
    ctx.gendered = {"he": {p.name for p in index.people if p.gender is Gender.MALE},
                    "she": {p.name for p in index.people if p.gender is Gender.FEMALE}}
    for lo, hi in narration:
        for m in index.mentions(text, lo, hi):
            if m.names:
                ctx.pending.append((m, bool(_sentence_subject(ctx, _sentence_start(text, lo, m.start), hi, [m]))))
            elif m.pronoun in ("he", "she"):
                ctx.pending.append((m, True))
    given = turns
    turns = ctx.turns = _keep_reported_speech(ctx, turns)
    ctx.turn_starts = [turn.start for turn in turns]
    ctx.addressees = [addressees(ctx, turn) for turn in turns]
    ctx.calls = [[] for _ in turns]
    local = []
    for t in range(len(turns)):
        _advance(ctx, turns[t].end)
        local.append(_local_calls(ctx, t))
        ctx.calls[t] = _finish(local[t]) if all(local[t]) else []
    _advance(ctx, len(text))
    open_turns = [t for t in range(len(turns)) if not ctx.calls[t] and not turns[t].reported]
    for _ in range(CONVERSATION_PASSES):
        for t in open_turns:
            shared = next((c for rule in CONVERSATION_RULES if (c := rule(ctx, t))), None) or Call(UNKNOWN, "no cue found")
            ctx.calls[t] = _finish(local[t], shared)
    by_start = {turn.start: calls for turn, calls in zip(turns, ctx.calls)}
    return [by_start.get(turn.start, []) if turn.quotes else [] for turn in given]


def _keep_reported_speech(ctx: Context, turns: list[Turn]) -> list[Turn]:
    """Keep a quote-less turn only when its paragraph opens a sentence with "X replied/said"; its gap passes on."""
    kept: list[Turn] = []
    carry = 0
    for turn in turns:
        if turn.reported and not _reporter(ctx, turn):
            carry += turn.gap + 1
            continue
        kept.append(replace(turn, gap=turn.gap + carry) if carry else turn)
        carry = 0
    return kept


def _reporter(ctx: Context, turn: Turn) -> Mention | None:
    """The subject of a sentence of *turn* whose verb is a speech verb."""
    for start in [turn.start] + [m.end() for m in SENTENCE_END.finditer(ctx.text, turn.start, turn.end)]:
        found = read_tag(ctx, start, turn.end, leading=True)
        if found and found[2] == "tag":
            return found[0]
    return None


def _sentence_start(text: str, lo: int, pos: int) -> int:
    ends = [m.end() for m in SENTENCE_END.finditer(text, max(lo, pos - 200), pos)]
    return ends[-1] if ends else max(lo, pos - 200) if pos - 200 > lo else lo


def _local_calls(ctx: Context, t: int) -> list[Call | None]:
    """Each quote's own tag, else a tagged neighbour in the paragraph, else the paragraph's beat."""
    turn = ctx.turns[t]
    if turn.reported:
        subject = _reporter(ctx, turn)
        who = resolve(ctx, subject, t) if subject else None
        return [Call(who, "reported speech")] if who else [None]
    own: list[Call | None] = []
    for q in range(len(turn.quotes)):
        if q == 0 and turn.continues:
            own.append(None)
            continue
        own.append(next((c for rule in LOCAL_RULES if (c := rule(ctx, t, q))), None))
    shared = next((c for c in own if c), None) or rule_paragraph_beat(ctx, t, 0)
    return [c or shared for c in own] if shared else own


def _finish(calls: list[Call | None], fallback: Call | None = None) -> list[Call]:
    """Fill gaps with the previous call in the paragraph, or *fallback*."""
    done: list[Call] = []
    for call in calls:
        done.append(call or (done[-1] if done else fallback) or Call(UNKNOWN, "no cue found"))
    return done
