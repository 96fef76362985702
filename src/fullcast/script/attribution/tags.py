"""Reading the narration around a quote: speech tags ("Tara replied", "said the redhead") and action beats.

`read_tag` finds the speech verb and the person standing as its subject in a window of
narration; failing a verb, the person who opens the sentence is the subject of an
action beat ("Tara sighed, ..."). The windows are the sentence right after a quote and
the one leading into it. Who the subject means (a name, a pronoun, "her brother") is
`cues.resolve`'s question.
"""

from __future__ import annotations

import re

from .context import Context, Turn
from .names import SPEECH_VERB_SET, Mention

BODY_PARTS = frozenset(
    "jaw eyes eye eyebrows eyebrow brows brow face voice lips lip mouth hand hands head gaze expression features "
    "cheeks cheek tone glance smile look fists fist arms arm shoulders heart chin forehead nose".split())
CONNECTORS = re.compile(r"^(?:(?:and|but|then|so|now|at last|at length|still|yet|here|presently|suddenly|finally|"
                        r"instantly|again|thereupon|meanwhile|soon|once more)\b,?\s+)*", re.I)
SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)(?<!\bSt)(?<!\bMs)[.!?;]+[\"'”’)]*(?=\s)")
PHRASAL = {"went": "on", "put": "in", "broke": "in|out|off|forth", "cut": "in|short", "struck": "in", "chimed": "in",
           "shot": "back|out", "burst": "out|forth", "jerked": "out", "threw": "out", "rapped": "out",
           "flung": "out|back"}
"""Verbs that speak only with their particle: "went on", not "went into the room"."""
VERB_RE = re.compile(r"\b(?:" + "|".join(rf"{v}(?=\s+(?:{PHRASAL[v]})\b)" if v in PHRASAL else v
                                         for v in sorted(SPEECH_VERB_SET, key=len, reverse=True)) + r")\b")
ADVERBS_ONLY = re.compile(r"\s+(?:(?:\w+ly|very|quite|rather|thus|then|again|once|now|still|only|soon|first|at once|"
                          r"at last|at length|presently|in turn|in reply|in return|instantly|but|and|too),?\s+)*"
                          r"(?:(?:\w+ed|began|could not help|was|is|would)\s+(?:to\s+)?(?:\w+ly\s+)?)?")
INVERSION_GAP = re.compile(r"(?:\s+(?:in|on|out|up|forth|back))?,?\s+(?:\w+ly\s+)?"
                           r"(?:(?!(?:to|at|with|for|of|in|on|by|from|into|upon|and|but|as|that|then|after|before|which|who|whom|when|"
                           r"where|while|if)\b)"
                           r"[a-z]+\s+){0,2}")
PARENTHETICAL_VERBS = frozenset(("thought", "supposed", "wondered"))
"""Verbs of a narrator's aside inside a tag ("said Anne quickly--pertly, Marilla thought.")."""
COORDINATED = re.compile(r"\b(?:and|but)\b")
SUBJECT_SLOT = re.compile(r"(?:[.!?;:,—(]\s*|--\s*|\b(?:and|but|then|so|now|yet)\s+)\Z", re.I)
ROLE_SLOT = re.compile(r"(?:[.!?;\"”’]\s+|\n\s*\n\s*|\A\s*|[,;]\s*(?:and|but|then|while)\s+|\b(?:when|while|as|till|until)\s+)\Z")
SUBORDINATE_SLOT = re.compile(r"\b(?:when|while|whilst|as|till|until|for|that|where)\s+\Z", re.I)
CLAUSE_LINK = re.compile(r"(?:,|\b(?:and|but|then|who|whose\s+\w+(?:\s+\w+)?)|\b(by|of|with))\s*,?\s*(?:(?:\w+ly|now|"
                         r"then|again|at once|at last|at length|presently|in turn),?\s+)*(?:(?:\w+ed|began|could not help|"
                         r"was|had|seemed)\s+(?:to\s+)?(?:\w+ly\s+)?)?\Z")
RELATIVE_FOLLOWS = re.compile(r"[^.!?;:\"“”]{0,40}?,\s*(?:who|whose)\b")
HEARD_SAYING = re.compile(r"\b(?:heard|hear|hears|hearing|overheard|overhear|caused|provoked|prompted|led|induced|"
                          r"obliged|forced|compelled|moved|urged|made|bade|bid)\s+(him|her)\s+"
                          r"(?:(?:\w+ly|almost|afterwards|aloud)\s+)*(?:to\s+)?(say|exclaim|cry|add|whisper|murmur|"
                          r"mutter|reply|answer|ask|remark|observe|repeat|saying|exclaiming|crying|adding|whispering|"
                          r"murmuring|muttering|asking)\b")
"""A speaker heard, or brought to speak, by someone else ("she heard him say", "provoked her to say"): the pronoun
after the first verb is the subject of the speech verb."""
SPOKEN_BY = re.compile(r"[\s,.!?;:—–-]*(?:(?:was|were)\s+(?:((?:\w+\s+){0,3}?(?:by|of))\s+)?|"
                       r"((?:(?:came|burst|broke)\s+(?:forth\s+)?)?from)\s+)")
"""Narration right after a quote naming who said it without a verb: "was Emma's conclusion", "was uttered by",
"came from"; a bare "was" needs a possessive name."""
SPEECH_NOUN = re.compile(r"(?:'s|’s| s)\s+(?:\w+\s+)?(?:reply|answer|rejoinder|retort|remark|response|exclamation|"
                         r"comment|cry|question|words|observation|greeting)\b")
THEIR_WORDS = re.compile(r"[\s,.!?;:—–-]*(?:was|were)\s+(?:(?:then|therefore|thus|now|all|only)\s+)*(his|her)\s+"
                         r"(?:[a-z]+\s+){0,2}?(?:reply|answer|rejoinder|retort|remark|response|exclamation|comment|"
                         r"observation|greeting|address|reflection|speech|cry|words)\b")
"""`"…" was her answer`: a possessive pronoun naming whose words the quote was, as `"…" was Emma's answer` does."""
WORDS_WERE = re.compile(r"\b(his|her)\s+(?:[a-z]+\s+){0,2}?(?:reply|answer|rejoinder|retort|remark|response|exclamation|"
                        r"comment|observation|greeting|address|words)(?:\s+[a-z]+){0,3}?\s+(?:was|were)[\s,:—-]*\Z")
"""`his next words were, "…"`: the same, leading into the quote."""
OPENS_SENTENCE = re.compile(r"(?:[.!?;\"”’]\s+|\n\s*\n\s*|\A\s*)(?:(?:and|but|then|so|now|here|there|yet),?\s+)?\Z", re.I)


VERB_FOLLOWS = re.compile(
    r"(?:\s+(?:\w+ly|only|still|also|again|then|now|never|not|too|at once|at last|herself|himself|first|just|even|"
    r"always|often|already|almost|ever|soon|once|instantly|presently|suddenly|quite))*\s+"
    r"(?:\w+ed|was|were|had|did|could|would|should|might|must|will|shall|can|may|is|has|does|said|saw|came|went|"
    r"took|gave|made|got|stood|sat|felt|knew|thought|began|ran|left|put|held|told|found|heard|kept|let|met|rose|"
    r"spoke|shook|drew|threw|wrote|broke|brought|caught|fell|flung|hung|lay|led|meant|sent|set|shut|sprang|struck|"
    r"swore|tore|understood|woke|bent|burst|chose|clung|crept|drank|drove|fled|forgot|grew|hid|knelt|laid|lost|"
    r"shot|sought|strode|swept|swung|thrust|wept|withdrew|shrank|shrunk|sank|sang|rang|swam|stole|froze|wore|bore|"
    r"rode|shone|bit|slid|lit|fed|read|slept|leant|lent|spent|built|bought|fought|taught|paid|sold|bound|spun|won|"
    r"became|forgave|ate|flew|blew|mistook|awoke|beheld|bade|arose|stuck|stung|spat|hit|hurt|sped|"
    r"smiles|laughs|says|looks|turns|goes|comes)\b")
"""A finite verb right after a name, so the name is the subject of its clause."""
SPEECH_VERB_BEFORE = re.compile(r"\b(?:" + "|".join(SPEECH_VERB_SET) + r")\s+(?:\w+ly\s+)?\Z")
"""A speech verb right before a name: "said Mr. Elton" names the subject of an inverted tag."""
REPORTED_CLAUSE = re.compile(r"\b(?:that|whether|than|if|how|why|what)\s+(?:(?:often|much|far|\w+ly)\s+)?\Z", re.I)
"""The word opening a reported clause ("knew that Anne was dearer", "wondered why Tara had come"), before its subject."""

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


def read_tag(ctx: Context, lo: int, hi: int, leading: bool | None) -> tuple[Mention, str, str] | None:
    """A speech tag or action beat in `text[lo:hi]`: (subject, verb, kind) with kind `tag` or `beat`.

    A tag is a speech verb with its subject next to it ("Tara replied", "said the redhead",
    "Mr. Elton warmly added"). *leading* means the window follows the quote, so the first
    such tag counts; before a quote the last one does. `None` is the narration between two
    quotes: a later tag naming someone ("murmured Tara, while Willow said,") leads into the
    next quote, a later pronoun ("said Tara, as she added,") goes on with the first. Failing
    a tag, the person who opens the sentence is the subject of an action beat ("Tara sighed, ...").
    """
    mentions = [m for m in ctx.index.mentions(ctx.text, lo, hi)
                if m.pronoun not in ("him", "her") or m.possessive or m.role]
    tags = _verb_subjects(ctx.text, lo, hi, mentions)
    if heard := _heard_saying(ctx.text, lo, hi):
        tags = sorted(heard + tags, key=lambda found: found[0].start)
    if leading is None:
        leads_in = re.search(r"[,:—-]\s*$", ctx.text[lo:hi]) is not None
        tags = tags[:1] + [tag for tag in tags[1:] if leads_in and tag[0].names and not tag[2]
                           and tag[1] not in PARENTHETICAL_VERBS][-1:]
    if tags:
        subject, verb, _ = tags[0] if leading else tags[-1]
        return subject, verb, "tag"
    subject = _sentence_subject(ctx, lo, hi, mentions)
    if subject is None or subject.role:  # "Her mother smiled." is too weak a beat to name anyone
        return None
    if subject.pronoun == "her" and not _body_part_follows(ctx.text, subject.end, hi):
        return None
    if subject.possessive and not _body_part_follows(ctx.text, subject.end, hi):
        return None
    return subject, "", "beat"


def _heard_saying(text: str, lo: int, hi: int) -> list[tuple[Mention, str, bool]]:
    """`she heard him say` / `to hear her exclaim`: the one heard speaks, not the one hearing."""
    return [(Mention(m.start(1), m.end(1), (), "he" if m.group(1).lower() == "him" else "she"), m.group(2), False)
            for m in HEARD_SAYING.finditer(text, lo, hi)]


def _verb_subjects(text: str, lo: int, hi: int, mentions: list[Mention]) -> list[tuple[Mention, str, bool]]:
    """Every speech verb in the window with the subject standing right before or right after it (inverted)."""
    found = [(m, "", False) for m in mentions if m.possessive and m.names and SPEECH_NOUN.match(text, m.end, hi)]
    if words := THEIR_WORDS.match(text, lo, hi) or WORDS_WERE.search(text, lo, hi):
        pronoun = "he" if words.group(1) == "his" else "she"
        return [(Mention(words.start(1), words.end(1), (), pronoun), "", False)]
    first = next((m for m in mentions if m.names), None)
    if first and (head := SPOKEN_BY.fullmatch(text, lo, first.start)) and \
            (first.possessive or head.group(1) or head.group(2)):
        found.insert(0, (first, "", False))  # `"…" was Emma's conclusion` / `"…" came from Sir Thomas`
    for verb in VERB_RE.finditer(text, lo, hi):
        before = next((m for m in reversed(mentions) if m.end <= verb.start()), None)
        if before and (not before.possessive or _gerund_of(before, verb.group())) and \
                ADVERBS_ONLY.fullmatch(text, before.end, verb.start()) and \
                (not before.role or ROLE_SLOT.search(text, max(0, before.start - 40), before.start)) and \
                (not COORDINATED.search(text, before.end, verb.start()) or _subject_slot(text, lo, before)):
            found.append((before, verb.group(), False))
            continue
        after = next((m for m in mentions if m.start >= verb.end()), None)
        if after and not after.possessive and INVERSION_GAP.fullmatch(text, verb.end(), after.start):
            found.append((after, verb.group(), True))
        elif verb.group() not in PARENTHETICAL_VERBS and not (found and verb.group().endswith("ing")) and \
                (subject := _clause_subject(text, lo, verb.start(), mentions)):
            found.append((subject, verb.group(), False))
    return found


def _gerund_of(owner: Mention, verb: str) -> bool:
    """`her saying`, `his adding`: a possessive pronoun before a speech verb in -ing is who speaks."""
    return owner.pronoun in ("his", "her") and not owner.names and verb.endswith("ing")


def _clause_subject(text: str, lo: int, verb: int, mentions: list[Mention]) -> Mention | None:
    """The subject of a verb that shares it with an earlier one or follows an aside.

    "Cecil bent towards Lucy and said", "Helen, in a dignified voice, said", "Maria, who,
    breathless, cried out", "Knightley startled her, by saying": the latest person standing
    where a subject stands (or who a relative clause follows) before the verb. The subject
    of a clause opened by "where", "as", "when"... that a comma closed has its own verb ("where
    Anne stood, said"), unless an aside follows it ("while Margaret, thoughtful again, said"),
    the verb goes on with "and" or is a participle ("while the Dodo bowed, saying").
    """
    link = CLAUSE_LINK.search(text, max(lo, verb - 60), verb)
    if not link:
        return None
    participle = re.match(r"\w+ing\b", text[verb:verb + 20]) is not None
    for m in reversed(mentions):
        if m.start < lo or m.end > verb or m.possessive:
            continue
        if RELATIVE_FOLLOWS.match(text, m.end, verb):
            return m
        if m.role and not ROLE_SLOT.search(text, max(0, m.start - 40), m.start):
            continue  # "vexed with his father and his wife, then repeated": a role after a bare "and" is an object
        if _subject_slot(text, lo, m, main=True):
            return m
        if _subject_slot(text, lo, m, main=False) and (link.group(1) or link.group().strip(" ,") or participle
                                                        or text.startswith(",", m.end)):
            return m
    return None


def _subject_slot(text: str, lo: int, mention: Mention, main: bool = True) -> bool:
    """True when *mention* stands where a clause subject does: opening the window, or after a comma or a
    conjunction (*main*), or after a word opening a subordinate clause ("where Anne", not *main*)."""
    head = text[max(lo, mention.start - 40):mention.start]
    if not main:
        return SUBORDINATE_SLOT.search(head) is not None
    return not text[lo:mention.start].strip(" \t\n\"'“”‘’_*—-(") or SUBJECT_SLOT.search(head) is not None


def _body_part_follows(text: str, pos: int, hi: int) -> bool:
    words = re.match(r"(?:'s|’s)?\s+(\w+)(?:\s+(\w+))?", text[pos:min(hi, pos + 40)])
    return bool(words) and any(w and w.lower() in BODY_PARTS for w in words.groups())


def reporter(ctx: Context, turn: Turn) -> Mention | None:
    """The subject of a sentence of *turn* whose verb is a speech verb."""
    for start in [turn.start] + [m.end() for m in SENTENCE_END.finditer(ctx.text, turn.start, turn.end)]:
        found = read_tag(ctx, start, turn.end, leading=True)
        if found and found[2] == "tag":
            return found[0]
    return None


def is_subject(text: str, mention: Mention) -> bool:
    """A subject: "he"/"she", a name opening a sentence, a name a verb follows ("but Edna did not want her"),
    or the name of an inverted tag ("cried Rupert").

    A clause subject inside a sentence is as much in focus as the sentence's first word.
    """
    if mention.pronoun == "i" and mention.possessive:
        return False
    if mention.pronoun or OPENS_SENTENCE.search(text, max(0, mention.start - 40), mention.start):
        return True
    if mention.possessive:
        return False
    if SPEECH_VERB_BEFORE.search(text, max(0, mention.start - 30), mention.start):
        return True
    # "She decided that Margaret was hysterical": the subject of a reported thought is not in focus
    return VERB_FOLLOWS.match(text, mention.end) is not None and not REPORTED_CLAUSE.search(
        text, max(0, mention.start - 24), mention.start)
