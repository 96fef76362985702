"""A story told inside a quotation: a visitor's long account, quoted paragraph after paragraph.

In a run of at least `MIN_RUN` paragraphs that carry one quotation on (each opens with a
quote mark, the one before never closed it), every quoted word is the teller's, "I" and
"I said" included. Quotes nested inside (`'Who's there?' said he`) are the teller's
characters: the one its tag names (`said I` is the teller; `said the Colonel`, `Mara said`,
or a pronoun for the last such person named in the tale), else the other one of the two
talking in the tale, turn and turn about, starting with the teller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Gender
from .attribution.names import SPEECH_VERBS, NameIndex, normalise
from .quotes import Piece, QuoteStyle, split_paragraph

MIN_RUN = 3
"""Paragraphs of one carried-on quotation that make a told story."""
VERBS = "|".join(SPEECH_VERBS)
WHO = r"(?:I|he|she|[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?|the\s+[A-Za-z]+)"
TAG_AFTER = re.compile(rf"[\s,.;:!?—–-]*(?:(?:{VERBS})\s+(?P<a>{WHO})|(?P<b>{WHO})\s+(?:\w+ly\s+)?(?:{VERBS}))\b")
TAG_BEFORE = re.compile(rf"\b(?P<c>{WHO})\s+(?:\w+ly\s+)?(?:{VERBS})\b[^.!?]{{0,30}}[,:]\s*\Z")
GENDERS = {"he": Gender.MALE, "she": Gender.FEMALE}


@dataclass(frozen=True)
class Voice:
    """A stretch of a told story and who speaks it."""

    start: int
    """Offset in the chapter text."""
    end: int
    """Offset just past it."""
    speaker: str
    """The teller, or one of the teller's characters."""
    rule: str
    """Why."""


def tale_runs(pieces: tuple[tuple[Piece, ...], ...]) -> list[tuple[int, int]]:
    """(first, last) paragraph of every run of `MIN_RUN` or more paragraphs that carry one quotation on."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        last = i
        while last + 1 < len(pieces) and pieces[last + 1] and pieces[last + 1][0].continues:
            last += 1
        if last - i + 1 >= MIN_RUN:
            runs.append((i, last))
        i = last + 1
    return runs


def tale_voices(text: str, quotes: list[Piece], teller: str, index: NameIndex) -> list[Voice]:
    """The quoted pieces of a told story cut into the teller's words and the nested quotes of the tale's people."""
    voices: list[Voice] = []
    last_other, last_speaker = "", teller
    tale_start = quotes[0].start if quotes else 0
    for quote in quotes:
        nested = QuoteStyle.SINGLE if text[quote.start - 1:quote.start] in "\"“”„" else \
            QuoteStyle.DOUBLE
        inner = split_paragraph(text, quote.start, quote.end, nested, False)
        for k, piece in enumerate(inner):
            if not piece.quoted:
                voices.append(Voice(piece.start, piece.end, teller, "tale: the teller's own words"))
                continue
            after = text[piece.end + 1:inner[k + 1].end] if k + 1 < len(inner) else ""
            before = text[inner[k - 1].start:piece.start - 1] if k else ""
            tag = TAG_AFTER.match(after) or TAG_BEFORE.search(before)
            who = (tag.group("a") or tag.group("b")) if tag and tag.re is TAG_AFTER else tag.group("c") if tag else None
            if who is None and k >= 2 and inner[k - 2].quoted and TAG_AFTER.fullmatch(before.rstrip(" .,;")):
                speaker = last_speaker  # `'The boat,' she said. 'It went under.'`: the same one goes on
                rule = "tale: nested quote going on after its tag in the teller's story"
            elif who is None:
                speaker = (last_other or teller) if last_speaker == teller else teller
                rule = "tale: nested quote, turn and turn about in the teller's story"
            else:
                speaker = _person(who, text, tale_start, piece.start, index, teller)
                rule = f"tale: nested quote tagged '{who}' in the teller's story"
            voices.append(Voice(piece.start, piece.end, speaker, rule))
            last_speaker = speaker
            last_other = speaker if speaker != teller else last_other
    return voices


def _person(who: str, text: str, tale_start: int, at: int, index: NameIndex, teller: str) -> str:
    """The tale's person a tag names: "I" is the teller, a name its owner, a pronoun the last such person named."""
    if who == "I":
        return teller
    if who.lower() not in GENDERS:
        owners = index.owners.get(normalise(who), ())
        return owners[0] if len(owners) == 1 else who
    named = [m.names[0] for m in index.mentions(text, tale_start, at, pronouns=False) if len(m.names) == 1]
    wanted = GENDERS[who.lower()]
    return next((n for n in reversed(named) if n != teller and index.gender(n) is wanted), teller)
