"""Front and back matter: the blocks of a manuscript that are about the book, not the story.

A title page, a table of contents, a dedication, copyright lines, links, an author's or transcriber's
note and a preface are set aside (kept in `Book.set_aside`, not read) unless `read_front_matter` asks for
them. Author's notes inside the story ("A/N: thanks for reading!") are set aside unless `read_notes`.

The rules only take what is plainly not story: before the first chapter heading, everything only when
all of it looks like front matter; elsewhere, blocks that announce themselves (a label, a link, a
copyright line) at the edges of the text.
"""

from __future__ import annotations

import re

from .headings import spoken, title_like

LABELS = [
    ("transcriber's note", r"transcriber'?s'?\s+notes?|note\s+from\s+the\s+transcriber|produced\s+by\b"),
    ("author's note", r"a/n\b|author'?s'?\s+notes?|authors?\s+notes?|note\s+from\s+the\s+author|notes?:|"
                      r"translator'?s'?\s+notes?|disclaimer|beta'?d\s+by|beta\s+reader"),
    ("preface", r"(?:the\s+)?(?:preface|foreword|introduction|prefatory\s+note|acknowledge?ments?|epigraph)\b"),
    ("dedication", r"(?:dedication|dedicated\s+to|(?:in\s+(?:loving\s+)?)?memory\s+of)\b"),
    ("table of contents", r"(?:table\s+of\s+)?contents\b|list\s+of\s+illustrations"),
]
LABEL = re.compile(r"^[\s\[(*_]*(?:" + "|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(LABELS)) + ")", re.I)
COPYRIGHT = re.compile(r"\bcopyright\b|\u00a9|\(c\)\s*\d{4}|\ball rights reserved\b|\bisbn\b|\bfirst published\b"
                       r"|\bprinted in\b|\bpublished by\b|\bthis is a work of fiction\b|\bcreative commons\b", re.I)
LINK = re.compile(r"https?://|\bwww\.\w|\b[\w.+-]+@[\w-]+\.\w{2,}|\b(?:tumblr|twitter|patreon|ko-fi|discord)\b"
                  r"|\+?\d[\d ().-]{8,}\d", re.I)
BYLINE = re.compile(r"^(?i:by|written\s+by|a\s+novel\s+by|translated\s+by|illustrated\s+by|edited\s+by)\s+"
                    r"[A-Z][\w.'-]*(?:\s+(?:[A-Z][\w.'-]*|de|van|von|and|&))*\.?$")
EDITION = re.compile(r"\b(?:this|the)\s+(?:text|edition|e-?book)\b.{0,80}\b(?:edition|published|appearance|printed|"
                     r"reprinted|prepared|transcribed)\b", re.I | re.S)
ATTRIBUTION = re.compile(r"^(?:--|\u2014|\u2013)\s*\S")
NOTE_START = re.compile(r"^[\s\[(*_]*(?:a/n|author'?s'?\s+notes?|authors?\s+notes?|an:)(?=[\s:.\-\])*_]|$)", re.I)
DEDICATION = re.compile(r"^(?i:this\s+(?:book|story|novel)\s+is\s+(?:for|dedicated\s+to))\b"
                        r"|^(?i:for|to|dedicated\s+to)\s+"
                        r"(?:(?i:my\b|the\s+memory\b)|[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*\s*(?:[,.\u2014-]|$))")
SHORT = 12
CARRIED = ("preface", "author's note", "transcriber's note", "dedication", "table of contents")
"""Labels whose kind goes on to the paragraphs after them."""


def note_kind(text: str) -> str | None:
    """`author's note` for a block that opens with an author's-note label ("A/N:", "Author's note -"), else None."""
    return "author's note" if NOTE_START.match(text) else None


def labelled(text: str) -> str | None:
    """The kind of front matter a block's opening label announces, or None."""
    m = LABEL.match(spoken(text))
    if not m:
        return None
    return next(LABELS[int(name[1:])][0] for name, value in m.groupdict().items() if value is not None)


def announced(text: str) -> str | None:
    """The kind of a block that announces itself as not story wherever it stands, or None.

    A copyright line, a link or contact (a URL, an e-mail, a phone number) in a short block, an author's
    or transcriber's note, or a dedication.
    """
    words = len(text.split())
    if note_kind(text):
        return "author's note"
    if (COPYRIGHT.search(text) or EDITION.search(text)) and words <= 80:
        return "copyright"
    if LINK.search(text) and words <= 60:
        return "link"
    kind = labelled(text)
    return kind if kind in ("transcriber's note", "dedication") and words <= 80 else None


def front_kind(text: str) -> str | None:
    """The kind of front matter a block before the first chapter heading could be, or None for story."""
    if DEDICATION.match(spoken(text)) and len(text.split()) <= 40:
        return "dedication"
    if kind := announced(text) or labelled(text):
        return kind
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 2 and all(len(line.split()) <= SHORT for line in lines):
        return "table of contents"
    short = len(text.split()) <= 4 and not text.endswith((".", "!", "?"))
    if BYLINE.match(spoken(text)) or title_like(text) or short:
        return "title page"
    return None


def front_matter(texts: list[str]) -> list[str | None]:
    """The front-matter kind of every block in *texts* (all the blocks before the first heading), or
    a list of None when any of them reads as story.

    A label block ("PREFACE", "Author's Note") carries its kind to the paragraphs after it up to
    the next block that looks like front matter itself.
    """
    kinds: list[str | None] = []
    carried: str | None = None
    for i, text in enumerate(texts):
        kind = front_kind(text)
        if ATTRIBUTION.match(text) and len(text.split()) <= SHORT:
            kind = "epigraph"
        elif kind is None and i + 1 < len(texts) and ATTRIBUTION.match(texts[i + 1]) and len(text.split()) <= 150:
            kind = "epigraph"  # a quotation, then its source on a line of its own
        if kind is None and carried is None:
            return [None] * len(texts)
        in_contents = carried == "table of contents" and kind == "title page"
        if kind in CARRIED:
            carried = kind
        elif kind is not None and not in_contents:
            carried = None
        kinds.append(carried if kind is None or in_contents else kind)
    return kinds


def edge_matter(texts: list[str]) -> tuple[int, int]:
    """How many blocks at the start and at the end of *texts* announce themselves as not story."""
    lead = 0
    while lead < len(texts) - 1 and announced(texts[lead]):
        lead += 1
    tail = 0
    while tail < len(texts) - lead - 1 and announced(texts[-1 - tail]):
        tail += 1
    return lead, tail
