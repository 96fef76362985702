"""Find the quotations in a chapter's paragraphs: which characters are spoken dialogue and which are narration.

The quote style is decided once per book: double quotes (straight or curly), single
quotes (when the book uses them for dialogue), or em-dash dialogue. Straight marks are
ambiguous, so each one is read as opening or closing from the characters around it,
falling back to toggling. Malformed runs such as `""What` count as one mark. A
paragraph that ends inside a quotation leaves it open, and the next paragraph that
opens with a quote mark continues the same utterance.

Apostrophes are never quote marks: inside a word (`can't`), elisions before a word (`'em`,
`'tis`) or after one (`dancin'`, `o'`), plural possessives (`the otters' song`) and
possessives after an abbreviation (`D.'s`). `spoken` keeps them and decodes markup entities
(`&gt;`, `&amp;`) left in the text.
"""

from __future__ import annotations

import html
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
    why: str = ""
    """For narration that holds quote marks read as narration (scare quotes, a title, a sound): the rule."""
    sender: str = ""
    """For a chat or message line: the sender's name as the text writes it (`Sam: hi`), or empty."""


DOUBLE_MARKS = re.compile(r"[\"“”„]+")
SINGLE_MARKS = re.compile(r"[‘’']")
DASHES = re.compile(r"(?:—|―|–|--)")
OPENERS = " \t\n([{—–-/"
CLOSERS = ",;:!?)]}"
WORD = re.compile(r"[^\W_]")
EMPHASIS = re.compile(r"</?(?:i|em|b|strong)>|(?<!\w)[*_]+(?=\w)|(?<=\w)[*_]+(?!\w)|(?<!\w)[*_]+(?!\w)", re.I)
MARKS = re.compile(r"[\"“”„‘’']")
ELIDED_AFTER = re.compile(r"(?:tis|twas|twere|twill|twould|em|cause|til|till|round|n|nuff|bout|cept|fore|neath|"
                          r"gainst|im|ome|alf|ave|un|uns|spose|scuse|specially)\b")
"""Words that lose their first letters to an apostrophe (`'em`, `'tis`): the mark before them is no quote."""
ELIDED_BEFORE = re.compile(r"(?:\b(?:o|th|an|ol|nothin|somethin)|[^\W\d_]{2,}in)\Z", re.I)
"""Words that lose their last letters to an apostrophe (`o'`, `dancin'`): the mark after them is no quote."""
NOT_ELIDED = {"again", "begin", "within", "cousin", "cabin", "basin", "robin", "satin", "latin", "violin", "margin",
              "origin", "napkin", "pumpkin", "coffin", "ruin", "twin", "grin", "skin", "thin", "chin", "spin",
              "akin", "berlin", "raisin", "muffin", "penguin", "dolphin", "login", "admin", "within", "herein"}
ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")


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
    """Single quote marks that delimit dialogue; apostrophes inside, before or after words are skipped."""
    marks: list[tuple[int, int, str]] = []
    curly = "‘" in text[start:end]
    for m in SINGLE_MARKS.finditer(text, start, end):
        pos, ch = m.start(), m.group()
        before = text[pos - 1] if pos > start else " "
        after = text[pos + 1] if pos + 1 < end else " "
        if apostrophe(text, pos, start, end, inside=bool(marks) and marks[-1][2] == "open"):
            continue
        if ch == "‘" or (before in OPENERS and WORD.match(after) and not (ch == "’" and curly) or after in "\"“"):
            marks.append((pos, 1, "open"))
        elif before not in OPENERS and not WORD.match(after):
            marks.append((pos, 1, "close"))
    return _drop_plural_possessives(text, marks)


def apostrophe(text: str, pos: int, start: int = 0, end: int | None = None, inside: bool = True) -> bool:
    """True when the single mark at *pos* is an apostrophe, never a quote mark.

    Inside a word (`can't`), before an elided word (`'em`, and `'Tis` within a quotation,
    *inside*), after one when the sentence goes on (`dancin' all`, `o' course`), or a
    possessive after an abbreviation (`D.'s`).
    """
    end = len(text) if end is None else end
    before = text[pos - 1] if pos > start else " "
    after = text[pos + 1] if pos + 1 < end else " "
    if WORD.match(before) and WORD.match(after):
        return True
    if before == "." and re.match(r"s\b", text[pos + 1:end]):
        return True
    if not WORD.match(before) and text[pos] != "‘" or text[pos] == "‘" and before in OPENERS:
        elided = ELIDED_AFTER.match(text, pos + 1, end) or ELIDED_AFTER.match(text[pos + 1:end].lower())
        return bool(elided) and (text[pos + 1].islower() or inside)
    if WORD.match(before) and re.match(r"[ \t]+[^\W\d_]", text[pos + 1:end]):
        word = re.search(r"[^\W_]+\Z", text[start:pos])
        return bool(word and ELIDED_BEFORE.search(word.group()) and word.group().lower() not in NOT_ELIDED)
    return False


def _drop_plural_possessives(text: str, marks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Of two closing marks in a row one was an apostrophe: the one after a plural `s` (`the girls' coats`)."""
    kept: list[tuple[int, int, str]] = []
    for mark in marks:
        if mark[2] == "close" and kept and kept[-1][2] == "close":
            if text[kept[-1][0] - 1] in "sS" and text[kept[-1][0] + 1:kept[-1][0] + 3].strip()[:1].isalpha():
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
    """Text as it is read aloud: quote marks and emphasis markers dropped, apostrophes kept, entities decoded."""
    text = EMPHASIS.sub("", raw)
    cleaned = MARKS.sub(lambda m: m.group() if _kept(text, m.start()) else "", text).replace("--", " — ")
    return " ".join(ENTITY.sub(lambda m: html.unescape(m.group()), cleaned).split())


def _kept(text: str, pos: int) -> bool:
    """Whether the mark at *pos* of a segment's text is spoken: an apostrophe or a plural possessive."""
    if text[pos] not in "’'‘":
        return False
    if text[pos] != "‘" and pos and text[pos - 1] in "sS" and not (pos + 1 < len(text) and WORD.match(text[pos + 1])):
        return True  # `the otters' song`: a mark after a plural stays (as it always did)
    return apostrophe(text, pos, inside=True) and (text[pos] != "‘" or pos + 1 < len(text))


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
