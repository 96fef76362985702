"""Letters, diaries, notes and signs quoted in full: who reads them.

A document starts at an unquoted paragraph that opens with a salutation ("Dear Tom,", "My
dearest Ellen,") or a diary line ("Dear Diary", "Monday, 4th May."), or after narration that
announces one ("The letter ran:", "She unfolded the note and read it aloud:"); a quoted
"My dear girl, ..." is somebody talking. It runs over
the paragraphs of one quotation left open from paragraph to paragraph, or down to its
sign-off ("Yours ever, Tom") when one follows within a few paragraphs.

When the narration says someone reads it aloud ("read it aloud", "read out", "read to them"),
that reader speaks it as dialogue; otherwise the narrator reads it, quoted or not. The rule
says which, for `script --explain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .inline import SPEAKING
from .quotes import Piece

DOC = (r"(?:letter|note|notes|diary|journal|telegram|postcard|sign|notice|placard|poster|inscription|epitaph|label|"
       r"memo|scroll|advertisement|letters)")
INTRO = re.compile(r"(?::\s*\Z|\b(?:ran|read|reads|said|says|went)\b(?:\s+(?:thus|as follows|like this))?\s*[:.]?\s*\Z"
                   r"|\bas follows\s*[:.]?\s*\Z)", re.I)
"""Narration that announces a document in the next paragraph."""
ALOUD = re.compile(r"\b(?:read|reads|began\s+to\s+read|started\s+to\s+read)\b[^.!?]*?\b(?:aloud|out|to\s+(?:us|them|"
                   r"him|her|me|the\s+\w+|everyone))\b|\bread\s+(?:it|the\s+\w+)\s+to\b")
"""Narration saying the document is read aloud."""
SUBJECT = re.compile(r"\b(?:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?|he|she|they|I)\b")
NOT_SUBJECTS = {"The", "Then", "When", "With", "And", "But", "So", "At", "In", "On", "After", "Before", "Now", "There",
                "It", "This", "That", "A", "An", "As", "Her", "His", "Their", "My"}
SALUTATION = re.compile(r"^\W{0,2}(?:(?:my\s+)?(?:dear|dearest)\s+[\w .'’-]{1,40}[,:!]|dear\s+diary\b|"
                        r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b[^.\n]{0,30}\.\s*$)", re.I)
SIGN_OFF = re.compile(r"(?:\b(?:yours(?:\s+\w+){0,3}|sincerely|faithfully|affectionately|love|with\s+love|"
                      r"all\s+my\s+love|your\s+(?:\w+\s+){0,2}(?:friend|servant|son|daughter|sister|brother|mother|"
                      r"father))\s*[,.!—–-]?\s*(?:\n|\s)\s*[\w .'’-]{1,40}[.!]?\W{0,2}\s*\Z)", re.I)
WROTE = re.compile(r"\b(?:wrote|writes|had written|scrawled|copied|entered|jotted)\b")
"""A last sentence that says someone wrote what follows ("That night she wrote:")."""
REACH = 8
"""A sign-off further than this many paragraphs away ends no document started here."""


@dataclass(frozen=True)
class Document:
    """A document quoted in full and who reads it."""

    first: int
    """Index of its first paragraph in the chapter."""
    last: int
    """Index of its last paragraph (inclusive)."""
    reader: str | None
    """Who reads it aloud as the text writes it ("Mara", "she", "I"), or None for the narrator."""
    what: str
    """What it is as the text calls it ("letter", "diary"), for the rule."""


def find_documents(text: str, pieces: tuple[tuple[Piece, ...], ...]) -> list[Document]:
    """Every document quoted in full in a chapter, from its text and its paragraphs' pieces."""
    found: list[Document] = []
    i = 0
    while i < len(pieces):
        intro = _narration(text, pieces[i - 1]) if i else ""
        head = _raw(text, pieces[i])
        # "My dear girl, no" opens many a spoken line: a quoted salutation is a letter only when announced
        salutes = SALUTATION.match(head) and not _has_speech(pieces[i])
        if not head or not (salutes or (_announces(intro) and not _has_speech(pieces[i - 1]))):
            i += 1
            continue
        last = _last(text, pieces, i)
        aloud = _reader(intro) if intro else None
        what = re.search(rf"\b{DOC}\b", intro, re.I) if intro else None
        kind = what.group().lower() if what else ("diary" if re.match(r"\W*dear\s+diary", head, re.I) else "letter")
        found.append(Document(i, last, aloud, kind))
        i = last + 1
    return found


def _last(text: str, pieces: tuple[tuple[Piece, ...], ...], first: int) -> int:
    """The document's last paragraph: the end of a quotation carried on, or its sign-off, or its first."""
    last = first
    while last + 1 < len(pieces) and pieces[last + 1] and pieces[last + 1][0].continues:
        last += 1
    if last > first:
        return last
    for j in range(first, min(len(pieces), first + REACH)):
        if j > first and SALUTATION.match(_raw(text, pieces[j])):
            break
        if SIGN_OFF.search(_raw(text, pieces[j])):
            return j
    return first


def _announces(intro: str) -> bool:
    """Narration whose last sentence leads into a document: "The letter ran:", "It read as follows."."""
    last = re.split(r"(?<=[.!?])\s+", intro.strip())[-1] if intro.strip() else ""
    if not INTRO.search(last) or SPEAKING.search(last):
        return False  # "her husband addressed me in his painstaking voice:" leads into a line, not a letter
    points_back = re.match(r"(?:It|This|The words)\b", last) or WROTE.search(last)
    return bool(re.search(rf"\b{DOC}\b", last, re.I) or points_back and re.search(rf"\b{DOC}\b", intro, re.I))


def _reader(intro: str) -> str | None:
    """Who the narration says reads the document aloud ("Mara", "she", "I"), or None."""
    verb = ALOUD.search(intro)
    if not verb:
        return None
    sentence = re.split(r"(?<=[.!?])\s+", intro[:verb.start()])[-1]
    subjects = [m.group() for m in SUBJECT.finditer(sentence) if m.group() not in NOT_SUBJECTS]
    return subjects[0] if subjects else None


def _raw(text: str, pieces: tuple[Piece, ...]) -> str:
    return text[pieces[0].start:pieces[-1].end] if pieces else ""


def _narration(text: str, pieces: tuple[Piece, ...]) -> str:
    return " ".join(text[p.start:p.end] for p in pieces if not p.quoted).strip()


def _has_speech(pieces: tuple[Piece, ...]) -> bool:
    return any(p.quoted for p in pieces)


def rule(document: Document, reader: str | None) -> str:
    """The rule shown by `--explain` for a document's text."""
    if reader:
        return f"document: {document.what} read aloud by {reader}"
    return f"document: {document.what} quoted in full, read by the narrator"
