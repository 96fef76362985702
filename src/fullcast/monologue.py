"""Interior monologue: the point-of-view character's thoughts, read in their voice in a thought style.

Two forms are found:
- unmarked first-person paragraphs inside a book told in the third person, plus
  short self-addressed imperatives between them ("Breathe. Just relax.");
- italic spans (`*…*`, `_…_`, `<i>…</i>`, `<em>…</em>`) that read as a thought:
  a whole sentence, a question or exclamation, or words in the first person.

Never in a book told in the first person throughout (there "I" is simply the narrator),
and never inside a quoted letter or document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    counted = [p for p in paragraphs if len(WORDS.findall(p.narration)) >= 8]
    if not counted:
        return False
    with_i = sum(1 for p in counted if NARRATOR_I.search(p.narration))
    return with_i / len(counted) > FIRST_PERSON_BOOK


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
        if first_person(p.narration):
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
    spans = []
    for m in ITALIC.finditer(text, start, end):
        inner = m.group(1) or m.group(2) or m.group(4) or ""
        words = WORDS.findall(inner)
        whole = inner.rstrip()[-1:] in ".?!" and len(words) >= 3
        if words and (whole or inner.rstrip()[-1:] in "?!" or FIRST_PERSON.search(inner)) and len(words) >= 2:
            spans.append((m.start(), m.end()))
    return spans
