"""Who a line addresses by name: the vocatives in its quotes ("Hi Willow", "you, Willow.").

A name is a call when it is set off from the sentence (after a comma or an opening word
such as "Oh" or "dear", before a comma or the end), unless the shape says it is named, not
called: a name that is a sentence of its own ("Who came? Willow."), a subject set off by an
aside ("Willow, I dare say, knows"), a name in a list, or one after someone else's title.
The conversation rules use the answer: the one called answers, and does not speak the line.
It also says whom a line or a tag's sentence names without calling them: they are not its speaker.
"""

from __future__ import annotations

import bisect
import re

from ...model import Gender
from ..quotes import Piece
from .context import Context, Turn
from .names import HONORIFICS, SPEECH_VERB_SET, Mention, NameIndex, normalise
from .tags import SENTENCE_END

LEADING_CLAUSE = re.compile(r"[\s\"'“”‘’_]*(?:as|when|while|though|although|if|before|after|since|until|once|because)\b", re.I)
"""A sentence opening with a subordinate clause, where a pronoun may point ahead to a name."""
QUOTE_MARK = re.compile(r"[\"“”]")
"""A double quote mark: where the narration around a pronoun stops."""
VOCATIVE_BEFORE = re.compile(
    r"(?:^|[,;!?.]\s*|\b(?:hi|hello|hullo|hey|oh|ah|dear|dearest|my dear|look|listen|please|well|now|yes|no|"
    r"thank you|thanks|goodbye|good-bye|good morning|good night|good evening|you|me)\s+)$", re.I)
"""What may come just before a name called: a comma or sentence end, the quote's start, or an opening word."""
NESTED_TAG = re.compile(r"[,!?.—-]\s*['’‘\"”]\s+(?:\w+\s+){0,2}?(?:" + "|".join(sorted(SPEECH_VERB_SET, key=len, reverse=True))
                        + r")\b")
"""A speech tag after a closing inner quote mark inside a quotation: `,' she says`, the speaker quoting someone."""
VOCATIVE_AFTER = re.compile(r"^(?:[,!?.;]|\s*$|\s+(?:don't|do|please)\b|\s+(?:dear|dearest|darling)(?:[,!?.;—]|--|\s*$))")
"""What may come just after a name called: punctuation, the quote's end, a plea ("Willow, please"), an endearment
("Henry dear,")."""
SELF_TALK_TAG = re.compile(r"\W*(?:(?:he|she|I|[A-Z][a-z]+)\s+(?:\w+ly\s+)?(?:thought|reflected|mused|(?:said|muttered|murmured|"
                        r"whispered)\s+to\s+(?:her|him|my)self)|(?:thought|reflected|mused)\s+(?:he|she|I|[A-Z][a-z]+)|"
                        r"(?:said|muttered|murmured|whispered)\s+(?:he|she|I|[A-Z][a-z]+)\s+to\s+(?:her|him|my)self)\b")
"""A tag of words said or thought to oneself, just after a quote: `," she reflected`, `said he to himself`."""
SELF_INTRODUCTION = re.compile(r"(?:\b(?:[Mm]y\s+name\s+is|[Mm]y\s+name's|I\s+am|I'm|[Cc]all\s+me)"
                               r"|(?:\b[Ii]t\s+is|\b[Ii]t's|['’][Tt]is)\s+(?:I|me),)\s+\Z")
"""Words before a speaker's own name: "My name is Mrs. Munt", "I am Tara", "It is I, Faith, who…"."""
OWN_NAME_AFTER = re.compile(r"[\s,.;:!—-]*(?:(?:[Tt]hat|[Tt]his|[Ss]uch)\s+is\s+|(?:is|'s)\s+)my\s+name\b")
"""Words after a speaker's own name: "Mr. Thaddeus Sholto. That is my name."."""
TITLE_BEFORE = re.compile(r"\b(Mr|Mrs|Miss|Ms|Dr|Mme|Mlle|Madame|Monsieur|Lady|Lord|Sir)\.?\s+\Z")
"""A title just before a name the cast knows without it: "Mrs. Churchill" where the cast has a Churchill."""
TITLE_GENDER = {"mrs": Gender.FEMALE, "miss": Gender.FEMALE, "ms": Gender.FEMALE, "mme": Gender.FEMALE,
                "mlle": Gender.FEMALE, "madame": Gender.FEMALE, "lady": Gender.FEMALE, "mr": Gender.MALE,
                "monsieur": Gender.MALE, "lord": Gender.MALE, "sir": Gender.MALE}
"""The gender each title says, so that it is not taken for someone of the other gender."""
SENTENCE_START = re.compile(r"(?:[.!?;]\s*|\A\s*)\Z")
"""Nothing before a word but the end of a sentence (or the start of the quote)."""
NOT_A_CALL_AFTER = re.compile(
    r",\s*(?:I\s+(?:dare say|believe|suppose|think|fancy|imagine|fear|hope|am sure|understand|know|mean),|"
    r"(?:of course|however|too|indeed|it seems|for (?:example|instance)|though|in fact),|"
    r"(?:the|who|whom|whose|which|according|in spite|with)\b)", re.I)
"""What follows a subject set off by an aside, not a name called: "Willow, I dare say, knows" / "Giles, the tall one"."""
ECHOED = re.compile(r"[\"”’']*\s*(?:\w+\s+){0,2}?(?:repeated|echoed)\b")
"""A tag saying a lone name was said back ("Mr. Darcy!" repeated Elizabeth): surprise at a name, not a call."""
LIST_JOIN = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
"""What joins two names of a list."""


def addressees(ctx: Context, turn: Turn) -> tuple[str, ...]:
    """People named as vocatives inside the turn's quotes ("Hi Willow", "you, Willow.").

    None in words said to oneself ("Marilla Cuthbert, you're in for it," she reflected): those call the speaker.
    """
    return () if _to_oneself(ctx, turn) else vocatives(ctx, turn)


def _to_oneself(ctx: Context, turn: Turn) -> bool:
    """True when the turn's narration says its words are thought or said to oneself."""
    return any(SELF_TALK_TAG.match(ctx.text, q.end + 1, q.end + 60) for q in turn.quotes)


def vocatives(ctx: Context, turn: Turn) -> tuple[str, ...]:
    """People named as vocatives inside the turn's quotes, whoever is meant by them."""
    found: list[str] = []
    for quote in turn.quotes:
        if NESTED_TAG.search(ctx.text, quote.start, quote.end):
            continue  # a story quoting others ("'Dorcas,' she says"): its names address people inside the story
        mentions = ctx.index.mentions(ctx.text, quote.start, quote.end, pronouns=False)
        for k, m in enumerate(mentions):
            key = normalise(ctx.text[m.start:m.end])
            if len(m.names) != 1 or m.possessive or key in HONORIFICS:
                continue  # "Yes, Sir." is polite to anyone
            if _is_vocative(ctx, quote, m) and not _in_a_list(ctx.text, mentions, k) and \
                    not introduces_oneself(ctx.text, quote, m):  # "It is I, Faith, who…" calls no one
                found.append(_last_named(ctx, turn.start, ctx.index.polite[key]) if key in ctx.index.polite
                             else m.names[0])
    return tuple(dict.fromkeys(found))


def _is_vocative(ctx: Context, quote: Piece, m: Mention) -> bool:
    """A name set off as a call: after a comma or an opening word ("Oh, Willow"), before a comma or the end.

    Not a name that is a whole sentence ("Who came? Willow.") nor a subject set off by an aside
    ("Willow, I dare say, knows"), nor a name after a title that is not its own ("Mrs. Giles" is not Mr. Giles).
    """
    text, start = ctx.text, m.start
    if title := TITLE_BEFORE.search(text, max(quote.start, start - 12), start):
        gender = TITLE_GENDER.get(title.group(1).casefold())
        if gender is not None and gender is not ctx.index.gender(m.names[0]) and \
                ctx.index.gender(m.names[0]) is not Gender.UNKNOWN:
            return False
        start = title.start()
    before, after = text[max(quote.start, start - 16):start], text[m.end:quote.end]
    if not re.search(r"[^\W_]", text[quote.start:start] + after) and (
            not re.match(r"\s*!", after) or ECHOED.match(text, quote.end)):
        return False  # a quote that is only a name answers a question ("Anne Shirley."); "Cecil!" calls him
    if not (VOCATIVE_BEFORE.search(before if start - quote.start > 16 or before.strip() else "")
            and VOCATIVE_AFTER.match(after[:12])):
        return False
    if re.match(r"\s*[.?]", after) and SENTENCE_START.search(before if before.strip() else "."):
        return False  # "Who came? Willow." / "Willow? She left.": a name on its own answers or echoes
    # "Willow, I dare say, knows": a subject opening its sentence, set off by an aside
    return not (NOT_A_CALL_AFTER.match(after) and SENTENCE_START.search(before if before.strip() else "."))


def _in_a_list(text: str, mentions: list[Mention], k: int) -> bool:
    """True when mention *k* is one of three or more names in a row ("Abdullah, Akbar and Dost"): named, not called.

    Two names side by side are often an object and a call ("Marry George, Miss Honeychurch.").
    """
    lo = hi = k
    while lo and LIST_JOIN.fullmatch(text, mentions[lo - 1].end, mentions[lo].start):
        lo -= 1
    while hi + 1 < len(mentions) and LIST_JOIN.fullmatch(text, mentions[hi].end, mentions[hi + 1].start):
        hi += 1
    return hi - lo >= 2 and len({mentions[i].names for i in range(lo, hi + 1)}) > 1


def _last_named(ctx: Context, pos: int, names: tuple[str, ...], reach: int = 8000) -> str:
    """Which of *names* the narration named last before *pos*: "Mr. Emerson" said to George while he is about.

    The first name, the alias's own owner, when the narration has named none of them lately.
    """
    i = bisect.bisect_left(ctx.pending_starts, pos)
    for m in reversed(ctx.pending[:i]):
        if m.start < pos - reach:
            break
        if len(m.names) == 1 and m.names[0] in names:
            return m.names[0]
    return names[0]


RELATIVE_CLAUSE = re.compile(r"\b(?:which|who|whom|whose)\b")
"""A relative clause opening: "with a warmth which brought the former Willoughby to mind" may name the speaker."""


def named_after(text: str, index: NameIndex, pronoun: Mention) -> set[str]:
    """People the rest of the pronoun's sentence names: in "she said to Edna" she is not Edna.

    A pronoun does not mean a name it governs; not so when it sits in an opening subordinate clause
    ("As she spoke, Edna rose."), which may point ahead to the name. The sentence ends at a quote, and the
    part that counts at a relative clause.
    """
    lo = max(0, pronoun.start - 200)
    starts = [lo] + [m.end() for m in SENTENCE_END.finditer(text, lo, pronoun.start)]
    starts += [m.end() for m in QUOTE_MARK.finditer(text, starts[-1], pronoun.start)]
    if LEADING_CLAUSE.match(text, starts[-1]):
        return set()
    end = SENTENCE_END.search(text, pronoun.end, pronoun.end + 300)
    hi = end.end() if end else pronoun.end + 300
    hi = quote.start() if (quote := QUOTE_MARK.search(text, pronoun.end, hi)) else hi
    hi = clause.start() if (clause := RELATIVE_CLAUSE.search(text, pronoun.end, hi)) else hi
    return {m.names[0] for m in index.mentions(text, pronoun.end, hi, pronouns=False) if len(m.names) == 1}


def introduces_oneself(text: str, quote: Piece, m: Mention) -> bool:
    """True for the speaker's own name: "My name is Mrs. Munt", "Mr. Thaddeus Sholto. That is my name."."""
    return not m.possessive and (SELF_INTRODUCTION.search(text, max(quote.start, m.start - 16), m.start) is not None
                                 or OWN_NAME_AFTER.match(text, m.end, quote.end) is not None)


def quoted_names(ctx: Context, t: int) -> set[str]:
    """People turn *t*'s quotes name without addressing them: "Mr. Weston is such a good man" is not Mr. Weston.

    A speaker introducing themselves ("My name is Mrs. Munt") names no one else.
    """
    if t not in ctx.named:
        names: set[str] = set()
        for q in ctx.turns[t].quotes:
            names |= {m.names[0] for m in ctx.index.mentions(ctx.text, q.start, q.end, pronouns=False)
                      if len(m.names) == 1 and not introduces_oneself(ctx.text, q, m)}
        ctx.named[t] = names - set(vocatives(ctx, ctx.turns[t]))
    return ctx.named[t]
