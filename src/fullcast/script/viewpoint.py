"""Point of view: whether the book is told in the first person, who "I" is, and which passages are thoughts.

Interior monologue is the point-of-view character's thoughts, read in their voice in a thought
style. Two forms are found:
- unmarked first-person paragraphs inside a book told in the third person, plus
  short self-addressed imperatives between them ("Breathe. Just relax.");
- italic spans (`*…*`, `_…_`, `<i>…</i>`, `<em>…</em>`) that read as a thought:
  a whole sentence, a question or exclamation, or words in the first person.

A thought tag (`*Fine,* Jonah thought`, `*I'm late*, she thought`) makes any italic span a thought
and names the thinker: the named person, or the last person of the pronoun's gender the narration
named; otherwise the point-of-view character (`monologue.speaker`) thinks it.

Whether a book is told in the first person is decided from its narration outside quotes and
italics: a hero's many italic "I" thoughts do not make a third-person book a first-person one.
In a book told in the first person throughout, narration is narration ("I" is simply the
narrator) and italic thoughts are the narrator's. Never inside a quoted letter or document.

In a book told in the first person, other characters address the narrator by name in the
lines next to the narrator's own ("Hello, Robert," I said. / "Would you like to go, Jake?" he
asked.): the name most often addressed around "I said" is the narrator (`infer_narrator`),
unless voices.yaml says who it is (`narrator.character`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from ..model import Gender
from .attribution.context import Context, Turn
from .attribution.discovery import PROPER_NAME as NAME
from .attribution.names import NOT_NAMES, SPEECH_VERBS, NameIndex, normalise
from .attribution.vocatives import addressees
from .quotes import Piece

FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself)\b|\bI['’](?:m|ve|ll|d)\b")
THIRD_PERSON = re.compile(r"\b(?:he|she|him|her|his|hers|they|them|their|himself|herself)\b", re.I)
NARRATOR_I = re.compile(r"\bI\b(?!\.)")
WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])|(?<![\w])_(?!\s)([^_]+?)(?<!\s)_(?!\w)"
                    r"|<(i|em)>(.+?)</\3>", re.S | re.I)
SALUTATION = re.compile(r"^\s*(?:my\s+)?(?:dear|dearest|sir|madam|gentlemen|to whom)\b[^.!?\n]{0,60}[,:!]", re.I)
DOCUMENT_INTRO = re.compile(r"(?::\s*$|\b(?:as follows|ran thus|it ran|it read|letter|note|wrote|written|"
                            r"read aloud|the following)\b[^.]*[.:]?\s*$)", re.I)
SIGN_OFF = re.compile(r"\b(?:yours(?:\s+\w+){0,3}|sincerely|faithfully|affectionately|your\s+(?:\w+\s+){0,2}"
                      r"(?:friend|servant|son|daughter|sister|brother))\s*[,.]?\s*$", re.I | re.M)
OPENS_IN_PRESENT = re.compile(r"^\s*(?:I|My\s+\w+)\s+(?:\w+ly\s+)?(?:am|is|are|can|must|know|count|need|want|think|"
                              r"wonder|feel|hate|wish|remember|see|hear|keep|have|don['’]t|can['’]t)\b")
PAST_MARK = re.compile(r"\b(?:was|were|had|did)\b")
MIN_WORDS = 3
"""A first-person paragraph has at least this many words."""
FIRST_PERSON_BOOK = 0.25
"""Share of narration paragraphs using "I" above which a book counts as told in the first person."""


@dataclass(frozen=True)
class ParagraphView:
    """What monologue detection needs to know about one paragraph."""

    narration: str
    """The paragraph's words outside quotation marks."""
    has_quotes: bool
    """True when the paragraph holds dialogue."""


def is_first_person_book(paragraphs: list[ParagraphView]) -> bool:
    """True when "I" runs through the narration, not just through a few passages."""
    plain = [without_italics(p.narration) for p in paragraphs]
    counted = [text for text in plain if len(WORDS.findall(text)) >= 8]
    if not counted:
        return False
    with_i = sum(1 for text in counted if NARRATOR_I.search(text))
    return with_i / len(counted) > FIRST_PERSON_BOOK


def without_italics(text: str) -> str:
    """*text* with its italic spans (`*…*`, `_…_`, `<i>…</i>`, `<em>…</em>`) taken out."""
    return ITALIC.sub(" ", text)


def first_person(text: str) -> bool:
    """True for narration told by "I": first-person words outnumber third-person ones."""
    words = len(WORDS.findall(text))
    if words < MIN_WORDS or not re.search(r"[a-z]", text):
        return False  # "VOLUME I", "I." are headings with a Roman numeral, not someone talking
    mine = len(FIRST_PERSON.findall(text))
    theirs = len(THIRD_PERSON.findall(text))
    return mine >= 2 and mine >= theirs or (mine == 1 and theirs == 0 and words <= 25) or thinks_in_present(text)


def thinks_in_present(text: str) -> bool:
    """A paragraph that opens with "I know…" / "My hand is…": someone thinking now, whoever else it mentions.

    A third-person book narrates in the past, so a present-tense "I" opening a narration
    paragraph is a thought even when the rest talks about "he" and "his".
    """
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return bool(OPENS_IN_PRESENT.match(first)) and not PAST_MARK.search(first)


def self_talk(text: str) -> bool:
    """A short imperative or second-person aside with nobody else in it: "Breathe. Let your heart slow."""
    words = WORDS.findall(text)
    return 0 < len(words) <= 40 and not THIRD_PERSON.search(text) and not re.search(r"\b(?:was|were|had)\b", text)


def monologue_paragraphs(paragraphs: list[ParagraphView]) -> dict[int, str]:
    """Index -> rule text for every paragraph that is interior monologue in a third-person book."""
    found: dict[int, str] = {}
    in_document = False
    for i, p in enumerate(paragraphs):
        in_document = _document_state(paragraphs, i, in_document)
        if p.has_quotes or in_document:
            continue
        if first_person(without_italics(p.narration)):
            found[i] = "monologue: first-person paragraph in a third-person book"
    for i, p in enumerate(paragraphs):
        if i in found or p.has_quotes or not (i - 1 in found and i + 1 in found):
            continue
        if self_talk(p.narration):
            found[i] = "monologue: self-talk between first-person paragraphs"
    return found


def _document_state(paragraphs: list[ParagraphView], i: int, inside: bool) -> bool:
    """Whether paragraph *i* belongs to a letter or document quoted in the narration."""
    text = paragraphs[i].narration
    if SALUTATION.match(text):
        return True
    if i and DOCUMENT_INTRO.search(paragraphs[i - 1].narration) and not paragraphs[i - 1].has_quotes:
        return True
    if inside and i and SIGN_OFF.search(paragraphs[i - 1].narration):
        return False
    return inside and not THIRD_PERSON.search(text[:200]) or inside and FIRST_PERSON.search(text) is not None


def italic_thoughts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Italic spans in `text[start:end]` that read as thoughts, as (start, end) including the markers."""
    return [(lo, hi) for lo, hi, inner in italic_spans(text, start, end) if reads_as_thought(inner)]


def italic_spans(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Every italic span in `text[start:end]`: (start, end) including the markers, and the words inside."""
    return [(m.start(), m.end(), m.group(1) or m.group(2) or m.group(4) or "")
            for m in ITALIC.finditer(text, start, end)]


def reads_as_thought(inner: str) -> bool:
    """An italic span's words read as a thought: a whole sentence, a question or exclamation, or "I" words.

    A title (`_The Times_`) or a stressed word (`*very*`) does not.
    """
    words = WORDS.findall(inner)
    whole = inner.rstrip()[-1:] in ".?!" and len(words) >= 3
    return len(words) >= 2 and (whole or inner.rstrip()[-1:] in "?!" or FIRST_PERSON.search(inner) is not None)


THOUGHT_VERBS = (r"(?:thought|wondered|mused|reflected|decided|realized|realised|figured|reasoned|prayed|"
                 r"told\s+(?:himself|herself|themselves|myself)|reminded\s+(?:himself|herself|themselves|myself))")
NAMED = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
TAG_AFTER = re.compile(rf"[\s,.!?—–-]*(?:(?P<who>{NAMED}|he|she|they|I|He|She|They)\s+(?:\w+ly\s+)?{THOUGHT_VERBS}"
                       rf"|{THOUGHT_VERBS}\s+(?P<who2>{NAMED}|he|she|they|I))\b")
TAG_BEFORE = re.compile(rf"\b(?P<who>{NAMED}|he|she|they|I|He|She|They)\s+(?:\w+ly\s+)?{THOUGHT_VERBS}"
                        rf"(?:\s+to\s+(?:himself|herself|themselves|myself))?\s*[,:—–-]?\s*\Z")
PRONOUN_GENDER = {"he": Gender.MALE, "she": Gender.FEMALE}


def thought_tag(text: str, lo: int, hi: int, start: int, end: int) -> str | None:
    """Who a thought tag next to the italic span `text[lo:hi]` names ("Jonah", "she"), or None without a tag.

    The tag follows the span (`*Fine,* Jonah thought`) or leads into it (`She thought, *no*`),
    within the paragraph `text[start:end]`.
    """
    if m := TAG_AFTER.match(text, hi, end):
        return m.group("who") or m.group("who2")
    if m := TAG_BEFORE.search(text[max(start, lo - 80):lo]):
        return m.group("who")
    return None


def thinker_named(who: str, text: str, before: int, index: NameIndex, default: str) -> str:
    """The person a thought tag's *who* means: the owner of a name (a name nobody owns, as written), or for a
    pronoun the last person of that gender the text names before offset *before*; else *default*."""
    word = who.lower()
    if word == "i":
        return default
    if word not in ("he", "she", "they"):
        owners = index.owners.get(normalise(who), ())
        return owners[0] if len(owners) == 1 else default if owners else who
    wanted = PRONOUN_GENDER.get(word)
    named = [m.names[0] for m in index.mentions(text, max(0, before - 3000), before, pronouns=False)
             if len(m.names) == 1]
    return next((name for name in reversed(named) if wanted is None or index.gender(name) is wanted), default)


# --------------------------------------------------------------------------- who "I" is


VERBS = "|".join(SPEECH_VERBS)
I_AFTER = re.compile(rf"^[\s,.!?;:—-]*(?:I\s+(?:\w+ly\s+)?(?:{VERBS})\b|(?:{VERBS})\s+I\b)")
I_BEFORE = re.compile(rf"\bI\s+(?:\w+ly\s+)?(?:{VERBS})\b[^.!?]*[,:]?\s*$")
MIN_VOTES = 2


class _Cut(Protocol):
    """A chapter cut into pieces (`segments.ChapterPieces`)."""

    chapter: object
    pieces: tuple[tuple[Piece, ...], ...]


def said_by_i(text: str, turn: Turn) -> bool:
    """True when a quote of the turn carries an "I said" tag."""
    for q, quote in enumerate(turn.quotes):
        after_end = turn.quotes[q + 1].start if q + 1 < len(turn.quotes) else turn.end
        before_start = turn.quotes[q - 1].end if q else turn.start
        if I_AFTER.match(text[quote.end + 1:min(after_end, quote.end + 60)]):
            return True
        if I_BEFORE.search(text[max(before_start, quote.start - 80):max(before_start, quote.start - 1)]):
            return True
    return False


def infer_narrator(cut: list[_Cut], index: NameIndex) -> str | None:
    """The name most often addressed in the lines next to the narrator's own, and not named in the narration.

    The narration calls the narrator "I": someone it names more often than the others call
    the narrator by name (a servant called for in every scene) is somebody else. A name the cast
    does not know counts too ("Hastings," in the answer to an "I said" line), but needs one more
    vote; a name the narrator gives themself ("my name is Ellen", "call me Ishmael") outweighs both.
    """
    votes: Counter[str] = Counter()
    named: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    narration: list[str] = []
    for c in cut:
        text = c.chapter.text  # type: ignore[attr-defined]
        narration += [text[x.start:x.end] for p in c.pieces for x in p if not x.quoted]
        turns = [Turn(p[0].start, p[-1].end, tuple(x for x in p if x.quoted), 0) for p in c.pieces
                 if any(x.quoted for x in p)]
        ctx = Context(text, index, turns)
        named.update(m.names[0] for p in c.pieces for x in p if not x.quoted
                     for m in index.mentions(text, x.start, x.end, pronouns=False) if len(m.names) == 1)
        mine = [said_by_i(text, t) for t in turns]
        for t, turn in enumerate(turns):
            if mine[t]:
                continue
            if (t > 0 and mine[t - 1]) or (t + 1 < len(turns) and mine[t + 1]):
                votes.update(addressees(ctx, turn))
                unknown.update(_unknown_vocatives(text, turn, index))
        if own := _own_name(text, [x for p in c.pieces for x in p if not x.quoted]
                            + [q for t, turn in zip(mine, turns) if t for q in turn.quotes], index):
            return own
    told = "\n".join(narration)
    best = [(name, n) for name, n in votes.most_common() if named[name] <= n]
    best += [(name, n - 1) for name, n in unknown.most_common(3)
             if len(re.findall(rf"\b{re.escape(name)}\b", told)) <= n and not _ordinary(name, told)]
    best.sort(key=lambda b: -b[1])
    return best[0][0] if best and best[0][1] >= MIN_VOTES else None


OWN_NAME = re.compile(rf"\b(?:[Mm]y\s+name\s+is|[Mm]y\s+name['’]s|[Cc]all\s+me|I\s+am\s+called|I['’]m\s+called)\s+"
                      rf"(?P<name>{NAME})")
"""The narrator giving their own name, in the narration or in their own lines."""
CALLED = re.compile(rf"(?:^[\s\"“‘']*|,\s+|\b(?:[Dd]ear|[Mm]y\s+dear|[Oo]h|[Ww]ell|[Yy]es|[Nn]o|[Hh]ello|[Gg]ood\s+"
                    rf"(?:morning|night|evening|bye))[,\s]+)(?P<name>{NAME})(?=\s*(?:[,!?.;]|--|—|[\"”’']?\s*$))")
"""A name set off at a quote's start or after a comma, before punctuation: "Hastings, come here", "Yes, Hastings."."""


def _unknown_vocatives(text: str, turn: Turn, index: NameIndex) -> list[str]:
    """Names the cast does not know, called in the turn's quotes ("Well, Hastings?")."""
    found = []
    for quote in turn.quotes:
        for m in CALLED.finditer(text[quote.start:quote.end]):
            name = m.group("name")
            if normalise(name) not in index.owners and name.split()[-1] not in NOT_NAMES:
                found.append(name)
    return found


def _own_name(text: str, pieces: list[Piece], index: NameIndex) -> str | None:
    """The name the narrator gives themself ("My name is Ellen Marsh"), as the cast knows it when it does."""
    for piece in pieces:
        if m := OWN_NAME.search(text, piece.start, piece.end):
            name = m.group("name")
            if name.split()[-1] in NOT_NAMES:
                continue
            owners = index.owners.get(normalise(name), ())
            return owners[0] if len(owners) == 1 else name
    return None


def _ordinary(name: str, text: str) -> bool:
    """A one-word name the text also writes in lower case ("Well", "Hope"): likely an ordinary word."""
    return " " not in name and re.search(rf"\b{re.escape(name.lower())}\b", text) is not None
