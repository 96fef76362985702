"""Chapter headings: which blocks of a text are headings, and the title each chapter takes from them.

A heading is one of:
- a line the markup marks as a heading (Markdown `#`, HTML `<h2>`, a DOCX Heading style);
- a chapter line: "Chapter 7", "CHAPTER IV.", "Chapter Twenty-One: Home", "BOOK TWO", "PART III",
  "ADVENTURE IX. THE COPPER KEY", "Prologue", or the word and its number on two lines ("CHAPTER" / "1");
- a number alone ("IV", "12.") or a Roman numeral with a title in capitals or title case ("IV. THE RIVER ROAD").

A heading's title may run on: a chapter line with no title of its own takes the title-like block after
it ("CHAPTER II" then "TREATS OF THE HERO'S GROWTH, EDUCATION, / AND BOARD"), and a part line takes the
chapter line after it ("BOOK I" then "CHAPTER 1"). A heading with no text before the next heading is a
table of contents and stays text. At the head of a file, a lone title line in capitals or title case
before the story is its heading. The chapter takes its title from the heading and it is read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
ORDINALS = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final")
ROMAN = r"(?=[MDCLXVI])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})"
NUMBER = rf"(?:\d{{1,4}}|{ROMAN}|(?:{NUMBER_WORDS})(?:[ -](?:{NUMBER_WORDS}))*|the\s+(?:{ORDINALS}))"
CHAPTER_WORDS = "chapter|adventure|episode|stave|canto|section|letter|book|part|volume"
PART_WORDS = re.compile(r"^(?:book|part|volume)\b", re.I)
CHAPTER_LINE = re.compile(
    rf"^(?:{CHAPTER_WORDS})\s+{NUMBER}\b(?:(?P<sep>[.:\-\u2013\u2014]?)\s+(?P<title>\S.*)|[.:]?)$"
    rf"|^(?:(?:{ORDINALS})\s+(?:book|part|volume))[.:]?(?:\s+(?P<title2>\S.*))?$"
    r"|^(?:prologue|epilogue|interlude|afterword)\b[.:]?(?:\s+\S.*)?$",
    re.I,
)
"""A chapter or part line, with or without a title after the number."""
CHAPTER_WORD_ALONE = re.compile(rf"^(?:{CHAPTER_WORDS})[.:]?$", re.I)
NUMBER_ALONE = re.compile(rf"^(?:{ROMAN}|\d{{1,3}})\.?$")
"""A chapter number on its own line: "IV", "XII.", "12"."""
NUMBER_TITLE = re.compile(rf"^(?:{ROMAN}|\d{{1,3}})[.:]\s+(?P<title>\S.*)$")
"""A Roman or Arabic numeral, a full stop, and a title: "IV. THE RIVER ROAD"."""
MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+(\S.*?)[ \t#]*$")
SMALL_WORDS = {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "of", "in", "on", "at", "to",
               "by", "from", "with", "into", "onto", "upon", "as", "is", "vs", "via", "per", "over", "off", "out",
               "up", "its", "his", "her", "their", "our", "my", "your", "who", "that", "than", "de", "la", "le",
               "von", "van", "du", "o'", "was", "are", "be", "it", "not", "no", "till", "until", "under", "about"}
QUOTES = "\"'\u201c\u2018\u00ab\u2039\u201e-\u2013\u2014(["


@dataclass(frozen=True)
class Heading:
    """A heading found in a part: its title and the offsets of the lines it was read from."""

    title: str
    """The chapter title, as read aloud."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset just past its last character."""
    blocks: int
    """How many blocks it spans (a chapter line and its title may be two)."""


def spoken(text: str) -> str:
    """Text as it is read: Markdown emphasis dropped, whitespace folded."""
    return " ".join(re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text).split())


def title_like(text: str) -> bool:
    """True for a short line or two in capitals or title case that could be a title: no quote, no sentence."""
    text = spoken(text)
    if not text or len(text) > 160 or text[0] in QUOTES or text.count("\n") > 2:
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return False
    if all(c.isupper() for c in letters):
        return not text.endswith((",", ";"))
    if text.endswith((".", ",", ";", "?", "!", ":")) or len(text.split()) > 12:
        return False
    words = [w.strip("\"'()[]\u2018\u2019\u201c\u201d,:;.!?-\u2013\u2014") for w in text.split()]
    words = [w for w in words if w and w[0].isalpha()]
    if not words or not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w.casefold() in SMALL_WORDS for w in words)


def classify(text: str, marked: bool, markdown: bool) -> str | None:
    """What a block is as a heading: `marked`, `part`, `chapter`, `number` (needs a title), or None.

    *marked* says the markup made it a heading; *markdown* lets a `#` line count (text files).
    """
    if marked:
        return "marked"
    lines = [line.strip() for line in text.split("\n")]
    first = spoken(lines[0])
    if len(lines) > 5 or len(text) > 400 or (len(lines) > 2 or len(text) > 120) and not (
            _long_title(first) or _titled_below(lines)):
        return None
    if markdown and MARKDOWN_HEADING.match(lines[0]):
        return "marked" if len(lines) == 1 else None
    if len(lines) == 2 and CHAPTER_WORD_ALONE.match(first) and NUMBER_ALONE.match(spoken(lines[1]).upper()):
        return "part" if PART_WORDS.match(first) else "number"  # "CHAPTER" / "1"
    if (m := CHAPTER_LINE.match(first)) and (m.group("sep") or not m.group("title") or title_like(m.group("title"))):
        titled = m.group("title") or m.group("title2") or len(lines) > 1
        return "part" if PART_WORDS.match(first) and not titled else ("chapter" if titled else "number")
    if len(lines) == 1 and NUMBER_ALONE.match(first):
        return "number"
    if (m := NUMBER_TITLE.match(first)) and title_like(m.group("title") + " " + " ".join(lines[1:])):
        return "chapter"
    return None


def _long_title(first: str) -> bool:
    """True when *first* is a chapter line with a title that may run on over a few more lines."""
    m = CHAPTER_LINE.match(first)
    return bool(m and m.group("title") and m.group("sep"))


def _titled_below(lines: list[str]) -> bool:
    """True for a chapter line with no title whose title runs over the lines below it in the same block
    ("CHAPTER II" / "TREATS OF THE BOY'S GROWTH, EDUCATION," / "AND BOARD")."""
    m = CHAPTER_LINE.match(spoken(lines[0]))
    return bool(m and not m.group("title") and not m.group("title2") and title_like(" ".join(lines[1:])))


def join_title(pieces: list[tuple[str, str]]) -> str:
    """One title from the heading's pieces, each (kind, text): "BOOK I. CHAPTER 1", "CHAPTER II: TREATS OF ..."."""
    title = ""
    for kind, text in pieces:
        words = spoken(text)
        if not title:
            title = words
        elif title.endswith((".", ":", "!", "?", "\u2014", "-")):
            title += " " + words
        else:
            title += (". " if kind != "title" else ": ") + words
    return title


def block_pieces(kind: str, text: str) -> list[tuple[str, str]]:
    """A heading block as pieces for `join_title`: a chapter line and its title on the next line are two."""
    lines = [line for line in text.split("\n") if line.strip()]
    if kind == "chapter" and len(lines) >= 2 and classify(lines[0], False, False) == "number":
        return [("number", lines[0]), ("title", " ".join(line.strip() for line in lines[1:]))]
    return [(kind, text)]


def marked_title(text: str) -> tuple[str, int, int]:
    """The title of a marked heading block and the offsets of its words within the block."""
    if m := MARKDOWN_HEADING.match(text):
        return spoken(m.group(1)), m.start(1), m.end(1)
    return join_title(block_pieces(classify(text, False, False) or "chapter", text)), 0, len(text)
