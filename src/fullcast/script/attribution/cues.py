"""Who a name, a pronoun or a vocative means, and which people the narration has in view.

The rules ask these questions of the `Context` (`context`); tag reading lives in `tags`, vocatives in `vocatives`. The
answers come with the mention that carried them, so every call can be explained. Pronouns and shared aliases resolve to
the most recently mentioned fitting person (narration mentions and earlier speakers
both count), which is what a reader does without thinking.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from ...model import Gender
from .context import Context, Turn
from .names import AGED_RE, KIN_ROLES, MAIDEN_RE, Mention
from .roles import elder_generation, kin_candidates, may_be
from .tags import is_subject
from .vocatives import named_after, quoted_names


class Seen(NamedTuple):
    """Someone the narration or the talk brought into view before a given point."""

    name: str
    inside: bool
    """In the current paragraph."""
    subject: bool
    """A sentence subject or the speaker of a line."""
    ago: int
    """Characters back from the point."""


SUBJECT_REACH = 2
"""How many recent people a pronoun in the narration looks back over for a sentence subject."""
PERCEIVES = re.compile(r"[\w,' ]{0,30}?\b(?:heard|saw|perceived|looked|turned|listened|recognized|recognised)\b")
"""A subject hearing or seeing someone, not speaking."""
LEAVES = re.compile(r"[\w.' ]*?\s(?:(?:went|walked|hurried|ran|stepped)\s+(?:out|away|off)|left|withdrew|departed|"
                    r"disappeared|vanished)\b")
"""A subject leaving the scene ("as Willow went out"): no longer there to speak."""
AHEAD_CHARS = 1500
"""How far ahead a pronoun with no one before it looks for the person it means."""
PAUSE_CHARS = 250
"""Narration shorter than this between two lines is a pause in the exchange, not its end."""
JUST_NAMED_CHARS = 300
"""About a sentence: a person named this close before a pronoun is the one it means, unless a subject is as close."""
NEWCOMER = r"\b(?:a|an)\s+(?:[\w-]+,?\s+){{0,3}}?{noun}\b"
"""Someone brought in by an indefinite description ("a short, thick-set man"), for the noun of a later "the man"."""
COMPANION_GAP = 2
"""Narration paragraphs across which "her companion" is still whoever she last talked with."""
KIN_POSSESSORS = 5
"""How many recent people of the possessive's gender "her brother" may belong to."""
# --------------------------------------------------------------------------- reading the narration


def resolve(ctx: Context, mention: Mention, t: int) -> str | None:
    """The person a mention means at turn *t*: a name directly, a pronoun through salience."""
    if len(mention.names) == 1:
        others = _others_of_kind(ctx, mention, ctx.turns[t].start)
        # someone new speaks: neither the one addressed nor the one who spoke last
        skip = {*ctx.addressees[t], *([ctx.speaker(t - 1)] if t and ctx.turns[t].gap == 0 else [])}
        if others and (who := _answering(ctx, mention, t, others)):
            return who
        if others and _newcomer(ctx, mention):
            return None
        return (others and most_salient(ctx, mention.start, others, skip, t)) or mention.names[0]
    if mention.names:  # "said the Duchess" with two duchesses: the one about, else no one
        return most_salient(ctx, mention.start, set(mention.names), set(), t)
    if mention.role == "person":
        fits = _fitting(ctx, mention, ctx.gendered[mention.pronoun or "he"])
        if who := _answering(ctx, mention, t, fits):
            return who
        if old := _aged(ctx, mention, fits):
            # "the old lady" is the one the cast calls old, if she is about
            if who := most_salient(ctx, mention.start, old, set(ctx.addressees[t]), t):
                return who
            if len(old) == 1:  # the only one the cast calls old, though the story has not named them yet
                return next(iter(old))
        if _newcomer(ctx, mention):
            return None
        who = most_salient(ctx, mention.start, fits, set(ctx.addressees[t]), t)
        present = _conversation(ctx, t) & fits - set(ctx.addressees[t])
        # "said the young man" in an exchange is one taking part, not one the narration only mentioned
        if who and present and who not in present and not _subject_since_last_line(ctx, t, mention.start, who):
            return most_salient(ctx, mention.start, present, set(ctx.addressees[t]), t)
        return who
    if mention.role in ("other", "companion"):
        return resolve_other(ctx, mention, t)
    if mention.role == "voice":  # "said a voice close ahead, and Freddy reared a freckled face"
        return _named_next(ctx, mention.end, ctx.turns[t].end, set(ctx.addressees[t]))
    if mention.role:
        return resolve_kin(ctx, mention, t)
    if mention.pronoun == "i":
        return ctx.narrator
    fits = ctx.gendered["he" if mention.pronoun in ("he", "him") else "she"]
    if who := _answering(ctx, mention, t, fits):
        return who
    exclude = set(ctx.addressees[t]) | quoted_names(ctx, t) | named_after(ctx.text, ctx.index, mention)
    who = most_salient(ctx, mention.start, fits, exclude, t, subjects_first=True)
    present = _conversation(ctx, t) & fits - exclude
    # "she asked" in an exchange means a woman taking part in it, not one the narration only mentioned, unless the
    # narration since the last line made her a subject, or named her in this paragraph or just before it
    if who and present and who not in present and not _subject_since_last_line(ctx, t, mention.start, who) and \
            who not in _named_between(ctx, min(ctx.turns[t].start, mention.start - JUST_NAMED_CHARS), mention.start):
        return most_salient(ctx, mention.start, present, exclude, t, subjects_first=True)
    return who


def _named_ahead(ctx: Context, pos: int, fits: set[str]) -> str | None:
    """The first fitting person the narration names after *pos* (the mention being read), when no one before it
    fits: a chapter may open "He had finished his breakfast" and name him a paragraph later."""
    for m in ctx.pending[ctx.cursor:]:
        if m.start > pos + AHEAD_CHARS:
            break
        if len(m.names) == 1 and m.names[0] in fits:
            return m.names[0]
    return None


def _answering(ctx: Context, mention: Mention, t: int, fits: set[str]) -> str | None:
    """The one of *fits* the line before called by name, when a tag after the quote answers it.

    "You here, Adrian?" muttered Dorian. / "Where else?" he answered: the one addressed answers, unless the
    paragraph names another fitting person first.
    """
    turn = ctx.turns[t]
    if not (t and turn.gap == 0 and turn.quotes and mention.start > turn.quotes[0].start):
        return None
    answering = [n for n in ctx.addressees[t - 1] if n in fits and n != ctx.speaker(t - 1)]
    if len(answering) == 1 and not _named_in_paragraph(ctx, turn, mention.start, fits):
        return answering[0]
    return None


def _newcomer(ctx: Context, mention: Mention) -> bool:
    """True when the narration since two lines back brings in someone new of the description's kind: after "the
    dusky form of a short, thick-set man", "said the man" is that stranger, not whoever else was last mentioned."""
    noun = ctx.text[mention.start:mention.end].split()[-1].lower()
    t = bisect.bisect_right(ctx.turn_starts, mention.start) - 1
    before = ctx.turns[t - 2] if t > 1 else None  # the narration after its last quote counts too
    lo = (before.quotes[-1].end if before.quotes else before.end) if before else 0
    return re.search(NEWCOMER.format(noun=re.escape(noun)), ctx.text[lo:mention.start], re.I) is not None


def _conversation(ctx: Context, t: int, reach: int = 4) -> set[str]:
    """The speakers of the lines just before turn *t* in the same exchange.

    A narration paragraph ends the exchange, unless it is one short paragraph just before *t* ("Miss Bartlett
    was silent. …"): the same two go on talking.
    """
    found: set[str] = set()
    for k in range(t - 1, max(-1, t - 1 - reach), -1):
        aside = k == t - 1 and ctx.turns[t].start - ctx.turns[k].end < PAUSE_CHARS
        if ctx.turns[k + 1].gap > (1 if aside else 0):
            break
        if name := ctx.speaker(k):
            found.add(name)
    return found


def _others_of_kind(ctx: Context, mention: Mention, para_start: int) -> set[str]:
    """Who else a generic alias ("the girl") may mean: anyone of its owner's kind, unless the owner is about.

    The cast's "the girl" is hers in her own scenes; elsewhere the story says it of whichever girl is there.
    Empty when the owner is meant.
    """
    owner = mention.names[0]
    gender = ctx.index.gender(owner)
    if gender is Gender.UNKNOWN:  # an owner cast without a gender: the word itself may say ("the lad")
        gender = ctx.index.kind_gender(ctx.text[mention.start:mention.end])
    if not mention.generic or gender is Gender.UNKNOWN:
        return set()
    if any(x.name == owner for x in _recent(ctx, mention.start, para_start)):
        return set()
    return _fitting(ctx, mention, ctx.gendered["he" if gender is Gender.MALE else "she"])


def _aged(ctx: Context, mention: Mention, fits: set[str]) -> set[str]:
    """Those of *fits* the cast calls old, when the description says old ("the old lady"); else none."""
    return fits & ctx.index.aged if AGED_RE.search(ctx.text, mention.start, mention.end) else set()


def _fitting(ctx: Context, mention: Mention, people: set[str]) -> set[str]:
    """Those of *people* the description may fit: "the girl" is no one the cast calls Mrs."""
    return people - ctx.index.married if MAIDEN_RE.search(ctx.text, mention.start, mention.end) else people


def resolve_kin(ctx: Context, mention: Mention, t: int) -> str | None:
    """"said her brother": the most recent fitting possessor who has someone in that role, then the likeliest one.

    When the cast links no one in that role, a role of the other gender ("said her father") means a man about, and
    "said her mother" (or wife) a married woman about who is not the possessor.
    """
    fits = ctx.gendered["he" if mention.pronoun == "his" else "she"]
    tried: list[str] = []
    for name in (x.name for x in _recent(ctx, mention.start, ctx.turns[t].start)):
        if name not in fits or name in tried:
            continue
        tried.append(name)
        if kin := kin_candidates(ctx.index, name, mention.role or ""):
            return kin[0] if len(kin) == 1 else most_salient(ctx, mention.start, set(kin), set(), t)
        if len(tried) == KIN_POSSESSORS:
            break
    kin_gender = "he" if KIN_ROLES[mention.role or ""] is Gender.MALE else "she"
    if not tried:
        return None
    role, people = mention.role or "", ctx.gendered[kin_gender]
    if people is fits:  # a woman's sister is a woman too: which of those about is the possessor?
        if role not in ("mother", "wife", "grandmother"):
            return None
        people = {n for n in people - {tried[0]} if may_be(ctx.index, n, role)}  # a Mrs. about, not the possessor
    if role in ("father", "mother", "uncle", "aunt") and (elders := elder_generation(ctx.index, people)):
        if who := most_salient(ctx, mention.start, elders, set(ctx.addressees[t]), t):
            return who  # "her father": a Mr. Bennet about, whom the cast knows only by title and surname
    return most_salient(ctx, mention.start, people, set(ctx.addressees[t]), t)


def resolve_other(ctx: Context, mention: Mention, t: int) -> str | None:
    """"said the other" / "said his companion": someone of the exchange who is not the one just spoken of.

    That one is the possessor of "his companion", or whoever spoke the line before "the other". Whoever spoke
    the line before (across a little narration for "his companion"), if not that one, else the speaker two lines
    back, else whoever was about most recently.
    Unknown while that one is: the call waits for the conversation.
    """
    previous = ctx.speaker(t - 1) if t and ctx.turns[t].gap == 0 else None
    one = _possessor(ctx, mention, t, previous) if mention.role == "companion" else previous
    if not one:
        return None
    if previous and previous != one:
        return previous
    # "her companion" after narration: whoever she last talked with, who has not left the scene
    if mention.role == "companion" and t and ctx.turns[t].gap <= COMPANION_GAP and \
            (last := ctx.speaker(t - 1)) and last != one:
        return last
    if previous and t > 1 and ctx.turns[t - 1].gap == 0 and (back := ctx.speaker(t - 2)) and back != one:
        return back
    everyone = {p.name for p in ctx.index.people} - {one, ctx.narrator}
    return most_salient(ctx, mention.start, everyone, set(ctx.addressees[t]), t)


def _possessor(ctx: Context, mention: Mention, t: int, previous: str | None) -> str | None:
    """Whose "his companion" it is: the fitting person this paragraph names before it, or who spoke the line
    before, or the one most recently in focus."""
    fits = ctx.gendered["he" if mention.pronoun == "his" else "she"]
    here = [name for _, name in _events_between(ctx, ctx.turns[t].start, mention.start) if name in fits]
    if here:
        return here[-1]
    if previous in fits:
        return previous
    return _pick(_recent(ctx, mention.start, ctx.turns[t].start), fits, set(), None, True, ctx.narrator)


def _subject_since_last_line(ctx: Context, t: int, pos: int, who: str) -> bool:
    """True when the narration since the previous line has *who* as a sentence subject before *pos*, not leaving.

    "Mary slowly mounted the steps, looking down upon Katharine. 'I think…' she said": Mary is the one in view,
    though not one of the last speakers; "…, as Willow went out. 'Well?' she asked" is not Willow.
    """
    lo = ctx.turns[t - 1].quotes[-1].end if t and ctx.turns[t - 1].quotes else (ctx.turns[t - 1].end if t else 0)
    return any(name == who and start in ctx.subjects and not LEAVES.match(ctx.text, start, start + 50)
               for start, name in _events_between(ctx, lo, pos))


def _names_between(ctx: Context, lo: int, hi: int) -> list[Mention]:
    """The narration's mentions of one known person (not "she", not "her brother") from offset *lo* up to *hi*."""
    i, j = bisect.bisect_left(ctx.pending_starts, lo), bisect.bisect_left(ctx.pending_starts, hi)
    return [m for m in ctx.pending[i:j] if len(m.names) == 1]


def _named_between(ctx: Context, lo: int, hi: int) -> set[str]:
    """The people the narration names from offset *lo* up to *hi*, not leaving."""
    return {m.names[0] for m in _names_between(ctx, lo, hi) if not LEAVES.match(ctx.text, m.start, m.start + 50)}


def _named_next(ctx: Context, lo: int, hi: int, exclude: set[str]) -> str | None:
    """The first person the narration names as a subject from offset *lo* up to *hi*, skipping *exclude* and anyone
    who only hears or sees ("and Winterbourne, turning, perceived the florid personage")."""
    return next((m.names[0] for m in _names_between(ctx, lo, hi)
                 if m.names[0] not in exclude and m.start in ctx.subjects and not PERCEIVES.match(ctx.text, m.end)), None)


def _named_in_paragraph(ctx: Context, turn: Turn, pos: int, fits: set[str]) -> bool:
    """True when the narration of this paragraph names a fitting person before *pos*."""
    return any(name in fits for _, name in _events_between(ctx, turn.start, pos))


def _events_between(ctx: Context, lo: int, hi: int) -> list[tuple[int, str]]:
    """The narration's people referred to from offset *lo* up to *hi*, in order."""
    return ctx.events[bisect.bisect_left(ctx.event_starts, lo):bisect.bisect_left(ctx.event_starts, hi)]


def most_salient(ctx: Context, pos: int, allowed: set[str], exclude: set[str], t: int,
                 subjects_first: bool = False) -> str | None:
    """The person among *allowed* mentioned or heard most recently before *pos*, skipping *exclude*.

    The previous speaker is skipped when someone else fits too: a new paragraph usually means a new speaker.
    """
    turn = ctx.turns[t]
    # a paragraph only reporting speech ("Poirot rejoined me.") is often no line at all: it hands on no turn
    previous = ctx.speaker(t - 1) if not turn.continues and turn.gap == 0 and not ctx.turns[t - 1].reported else None
    return _pick(_recent(ctx, pos, turn.start), allowed, exclude, previous, subjects_first, ctx.narrator)


def _pick(recent: list[Seen], allowed: set[str], exclude: set[str], previous: str | None,
          subjects_first: bool = False, narrator: str | None = None) -> str | None:
    """The first fitting person in *recent*, passing over *previous* unless they are in this paragraph or alone.

    With *subjects_first*, a recent sentence subject beats a later mention in another role, but not
    across the narrator as subject: in "I stopped to speak with Montoya." Montoya is the one in focus;
    nor when that mention is just before and the subject long before ("An air of evasion characterised
    Mr. Bast. He explained again" is Mr. Bast), or in this paragraph and the subject in an earlier one.
    """
    fits = [x for x in recent if x.name in allowed and x.name not in exclude]
    if subjects_first:
        barrier = next((k for k, x in enumerate(recent) if x.name == narrator and x.subject), len(recent))
        subjects = [x for x in recent[:barrier] if x.name in allowed and x.name not in exclude][:SUBJECT_REACH]
        if len(subjects) == 2 and not subjects[0].subject and subjects[1].subject and \
                (subjects[0].ago < JUST_NAMED_CHARS < subjects[1].ago - subjects[0].ago or
                 (subjects[0].inside and not subjects[1].inside)):
            return subjects[0].name
        if found := next((x.name for x in subjects if x.subject), None):
            return found
    return next((x.name for x in fits if x.name != previous or x.inside), None) or next((x.name for x in fits), None)


def _recent(ctx: Context, pos: int, para_start: int, limit: int = 40) -> list[Seen]:
    """People by recency before *pos*: (name, inside the current paragraph, a subject or speaker, how long ago).

    Narration mentions, the speakers of earlier lines and the people those lines call by name all count.
    """
    i = bisect.bisect_left(ctx.event_starts, pos)
    events = ctx.events[max(0, i - limit):i]
    t = bisect.bisect_left(ctx.turn_starts, pos)
    for k in range(t - 1, max(-1, t - 12), -1):
        if name := ctx.speaker(k):
            events.append((ctx.turns[k].start, name))
        # a name called in a line ("Come in, Willow") brings that person into the scene, as a mention would
        events += [(ctx.turns[k].start + 1, name) for name in ctx.addressees[k]]
    events.sort(key=lambda e: -e[0])
    return [Seen(name, start >= para_start, start in ctx.subjects or start in ctx.turn_set, pos - start)
            for start, name in events]


def advance(ctx: Context, pos: int) -> None:
    """Turn the narration's mentions before *pos* into events, resolving "he" and "she" as they come."""
    while ctx.cursor < len(ctx.pending) and ctx.pending[ctx.cursor].start < pos:
        mention = ctx.pending[ctx.cursor]
        ctx.cursor += 1
        others = _others_of_kind(ctx, mention, mention.start) if len(mention.names) == 1 else set()
        if len(mention.names) == 1 and not others:
            name: str | None = mention.names[0]
        elif others:
            name = None if _newcomer(ctx, mention) else \
                _pick(_recent(ctx, mention.start, mention.start), others, set(), None) or mention.names[0]
        elif mention.pronoun == "i":
            name = ctx.narrator
        elif mention.role == "person" and (old := _aged(ctx, mention, ctx.gendered[mention.pronoun or "he"])):
            name = _pick(_recent(ctx, mention.start, mention.start), old, set(), None) or \
                (next(iter(old)) if len(old) == 1 else None)
        elif mention.role == "person" and _newcomer(ctx, mention):
            name = None  # "a short, thick-set man ... the man": a stranger, not the last man mentioned
        else:
            allowed = set(mention.names) or ctx.gendered.get(mention.pronoun or "", set())
            later = named_after(ctx.text, ctx.index, mention) if not mention.names else set()
            name = _pick(_recent(ctx, mention.start, mention.start), allowed, later, None, True, ctx.narrator) or \
                (_named_ahead(ctx, mention.start, allowed) if mention.pronoun in ("he", "she") else None)
        if name:
            ctx.events.append((mention.start, name))
            ctx.event_starts.append(mention.start)
            if is_subject(ctx.text, mention):
                ctx.subjects.add(mention.start)
