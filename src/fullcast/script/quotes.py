"""Find the quotations in a chapter's paragraphs: which characters are spoken dialogue and which are narration.

The quote style is decided once per book: double quotes (straight or curly), single
quotes (when the book uses them for dialogue), or em-dash dialogue. Straight marks are
ambiguous, so each one is read as opening or closing from the characters around it,
falling back to toggling. Malformed runs such as `""What` count as one mark. A
paragraph that ends inside a quotation leaves it open, and the next paragraph that
opens with a quote mark continues the same utterance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class QuoteStyle(str, Enum):
    """How a book marks its dialogue."""

    DOUBLE = "double"
    """`"…"` or `“…”`; single quotes inside are nested quotes."""
    SINGLE = "single"
    """`'…'` or `‘…’`; double quotes inside are nested quotes."""
    DASH = "dash"
    """A paragraph opening with an em dash is speech up to the next dash."""


@dataclass(frozen=True)
class Piece:
    """A stretch of one paragraph: either quoted words or the narration around them."""

    quoted: bool
    """True for the words inside quote marks."""
    start: int
    """Offset of the first character (marks excluded) in the chapter text."""
    end: int
    """Offset just past the last character."""
    continues: bool = False
    """A quote that carries on an utterance left open at the end of the previous paragraph."""
    open_end: bool = False
    """A quote still open when its paragraph ended."""


DOUBLE_MARKS = re.compile(r"[\"“”„]+")
SINGLE_MARKS = re.compile(r"[‘’']")
DASHES = re.compile(r"(?:—|―|–|--)")
OPENERS = " \t\n([{—–-/"
CLOSERS = ",;:!?)]}"
WORD = re.compile(r"[^\W_]")
EMPHASIS = re.compile(r"</?(?:i|em|b|strong)>|(?<!\w)[*_]+(?=\w)|(?<=\w)[*_]+(?!\w)|(?<!\w)[*_]+(?!\w)", re.I)
STRAY_MARKS = re.compile(
    r"[\"“”„‘]|(?<![^\W_])[’'](?![^\W_])|(?<![^\W_])[’'](?=[^\W_])(?!(?:tis|twas|em|cause|til|round|n)\b)"
    r"|(?<=[^\W_s])[’'](?=[\s,.;:!?—)]|$)"
)


def decide_style(texts: list[str]) -> QuoteStyle:
    """The dialogue style of a book from samples of its paragraphs."""
    doubles = singles = dashes = 0
    for text in texts:
        doubles += len(DOUBLE_MARKS.findall(text))
        singles += len(re.findall(r"(?:^|(?<=[\s(\[—]))[‘'](?=[^\W_])", text))
        dashes += bool(re.match(r"\s*(?:—|―|–|--)\s*[^\W_]", text))
    if dashes > 10 and dashes > doubles and dashes > singles:
        return QuoteStyle.DASH
    if singles >= 5 and singles > doubles:
        return QuoteStyle.SINGLE
    return QuoteStyle.DOUBLE


def split_paragraph(text: str, start: int, end: int, style: QuoteStyle, carried: bool) -> list[Piece]:
    """Cut the paragraph `text[start:end]` into quoted and narrated pieces.

    *carried* says the previous paragraph ended inside a quotation.
    """
    if style is QuoteStyle.DASH:
        return _dash_pieces(text, start, end)
    marks = _double_marks(text, start, end) if style is QuoteStyle.DOUBLE else _single_marks(text, start, end)
    pieces: list[Piece] = []
    inside, cursor, first = False, start, True
    for pos, length, role in marks:
        opens = role == "open" or (role == "toggle" and not inside)
        if opens and inside:
            pieces.append(_piece(True, cursor, pos, carried and first))
            first = False
        elif opens:
            pieces.append(_piece(False, cursor, pos))
        elif inside:
            pieces.append(_piece(True, cursor, pos, carried and first))
            first = False
        else:
            continue  # a stray closing mark: leave it in the narration, it is not spoken
        inside, cursor = opens, pos + length
    if inside:
        pieces.append(_piece(True, cursor, end, carried and first, open_end=True))
    else:
        pieces.append(_piece(False, cursor, end))
    return [p for p in pieces if p.end > p.start]


def _piece(quoted: bool, start: int, end: int, continues: bool = False, open_end: bool = False) -> Piece:
    return Piece(quoted, start, end, continues and start > 0, open_end)


def _double_marks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Every run of double quote marks with its role: open, close or toggle."""
    marks = []
    for m in DOUBLE_MARKS.finditer(text, start, end):
        run = m.group()
        if "“" in run or "„" in run:
            role = "open"
        elif "”" in run:
            role = "close"
        else:
            role = _orientation(text, m.start(), m.end(), start, end)
        marks.append((m.start(), m.end() - m.start(), role))
    return marks


def _orientation(text: str, lo: int, hi: int, start: int, end: int) -> str:
    """Open, close or toggle for a straight mark, from its neighbours."""
    before = text[lo - 1] if lo > start else " "
    after = text[hi] if hi < end else " "
    if after in CLOSERS:  # `crying "; and`: punctuation after it closes a quote, whatever stands before
        return "close"
    if before in OPENERS and after not in " \t\n":
        return "open"
    if before not in OPENERS and (after in " \t\n" or not WORD.match(after)):
        return "close"
    return "toggle"


def _single_marks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Single quote marks that delimit dialogue; apostrophes inside or after words are skipped."""
    marks = []
    for m in SINGLE_MARKS.finditer(text, start, end):
        pos, ch = m.start(), m.group()
        before = text[pos - 1] if pos > start else " "
        after = text[pos + 1] if pos + 1 < end else " "
        if WORD.match(before) and WORD.match(after):
            continue
        if ch == "‘" or (before in OPENERS and WORD.match(after) or after in "\"“"):
            marks.append((pos, 1, "open"))
        elif before not in OPENERS and not WORD.match(after):
            marks.append((pos, 1, "close"))
    return _drop_plural_possessives(text, marks)


def _drop_plural_possessives(text: str, marks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Of two closing marks in a row one was an apostrophe: the one after a plural `s` (`the girls' coats`)."""
    kept: list[tuple[int, int, str]] = []
    for mark in marks:
        if mark[2] == "close" and kept and kept[-1][2] == "close":
            if text[kept[-1][0] - 1] == "s" and text[kept[-1][0] + 1:kept[-1][0] + 3].strip()[:1].isalpha():
                kept[-1] = mark
        else:
            kept.append(mark)
    return kept


def _dash_pieces(text: str, start: int, end: int) -> list[Piece]:
    """Em-dash dialogue: speech from an opening dash to the next dash, alternating with narration."""
    lead = re.match(r"\s*(?:—|―|–|--)\s*", text[start:end])
    if not lead:
        return [Piece(False, start, end)]
    pieces, cursor, quoted = [], start + lead.end(), True
    for m in DASHES.finditer(text, cursor, end):
        pieces.append(Piece(quoted, cursor, m.start()))
        cursor, quoted = m.end(), not quoted
    pieces.append(Piece(quoted, cursor, end))
    return [p for p in pieces if p.end > p.start]


def spoken(raw: str) -> str:
    """Text as it is read aloud: quote marks and emphasis markers dropped, whitespace folded."""
    cleaned = STRAY_MARKS.sub("", EMPHASIS.sub("", raw)).replace("--", " — ")
    return " ".join(cleaned.split())


def has_words(raw: str) -> bool:
    """True when *raw* holds at least one letter or digit, i.e. something to say."""
    return bool(WORD.search(raw))


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of `text[start:end]` without surrounding whitespace and punctuation that is not spoken."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
