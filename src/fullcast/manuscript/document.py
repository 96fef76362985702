"""What a reader hands the chapter cutter: one manuscript file as text, parts and metadata, in any format.

Every reader (plaintext, markdown, html, ao3, epub, docx) turns its file into a `Document`: the file's
text (decoded, or converted from markup), cut into `Part`s where the format's structure starts a new
chapter (an EPUB spine document, an archive chapter), with the metadata the format carries. The
chapter cutter (`assemble`) then finds headings, front matter and paragraphs the same way for all.

Converted text keeps every word of the visible body text and only the markup goes: one block per
paragraph separated by a blank line, italics as `*...*` (the marks the script stage reads as candidate
thoughts), a scene break (`<hr>`) as `* * *`, a heading on its own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..model import ContentWarning, Publication, SetAside

MAX_PARAGRAPH = 20_000
"""The longest paragraph accepted, in characters (about 3,500 words, 25 minutes of speech).

A longer one is almost always a file whose line breaks were lost (a PDF export, a bad conversion):
read as it is, it would become one segment too long for an engine and one unreadable screen."""


@dataclass(frozen=True)
class Part:
    """A stretch of one file's text that starts a new chapter: a whole text file, an EPUB spine document..."""

    text: str
    """The decoded or converted text; offsets index into it."""
    start: int
    """Offset where the story starts (after `Key: Value` front matter)."""
    end: int
    """Offset where the story ends (before an e-book licence footer)."""
    title: str | None = None
    """The chapter title the format's structure gives (an EPUB's navigation entry), or None."""
    document: str | None = None
    """The document inside the file (an EPUB's `OEBPS/ch03.xhtml`), or None."""
    headings: tuple[tuple[int, int], ...] = ()
    """Offsets of the heading lines the markup marks as headings (`<h1>`, a Heading style, `#`)."""
    numbers: tuple[tuple[int, int], ...] = ()
    """(offset of a block, its 1-based position in the source document), for converted text."""
    converted: bool = False
    """True when `text` is converted markup, not the file's own text."""
    skip_heading_rules: bool = False
    """True when only the markup's headings count (an archive's chapters), not headings found in the text."""


@dataclass(frozen=True)
class Document:
    """One manuscript file as its reader found it, before it is cut into chapters."""

    source: str
    """The file, as the user named it."""
    parts: tuple[Part, ...]
    """Its text, cut where the format's structure starts a chapter; at least one."""
    metadata: tuple[tuple[str, str], ...] = ()
    """`Key: Value` pairs in file order: front-matter lines, or the format's metadata (Title, Author...)."""
    encoding: str = "utf-8"
    """The character encoding the file was decoded from."""
    text_file: bool = True
    """True for .txt and .md, whose leading paragraph may announce a content warning as today."""
    publication: Publication = Publication()
    """The blurb, language, series, cover, rating and tags the format gives."""
    warning: ContentWarning | None = None
    """A content warning built from the format's metadata, or None."""
    set_aside: tuple[SetAside, ...] = ()
    """Passages the reader already knows are not story (an EPUB's cover and contents pages, notes)."""
    warnings: tuple[str, ...] = ()
    """Problems the reader worked around."""




def paragraphs_text(paragraphs: list[str]) -> tuple[str, list[int]]:
    """Join converted paragraphs into one text, a blank line apart; also each paragraph's offset."""
    starts, offset = [], 0
    for text in paragraphs:
        starts.append(offset)
        offset += len(text) + 2
    return "\n\n".join(paragraphs), starts


def mark_italics(runs: list[tuple[str, bool]]) -> str:
    """Join text runs, each (text, italic), with `*...*` around every stretch of italic runs.

    Spaces at the edges of a stretch go outside the marks (`*Fine,* Jonah`), as the script stage's
    italics need them; a stretch of spaces only is not marked."""
    out: list[str] = []
    stretch: list[str] = []
    for text, italic in runs + [("", False)]:
        if italic:
            stretch.append(text)
            continue
        if stretch:
            inner = "".join(stretch)
            core = inner.strip()
            if core:
                lead = inner[: len(inner) - len(inner.lstrip())]
                trail = inner[len(inner.rstrip()):]
                out.append(f"{lead}*{core}*{trail}")
            else:
                out.append(inner)
            stretch = []
        out.append(text)
    return "".join(out)


def normal_encoding(name: str | None) -> str:
    """An encoding name as the folder check compares them: `ascii` and `utf-8-sig` are UTF-8."""
    name = (name or "utf-8").lower().replace("_", "-")
    return "utf-8" if name in ("ascii", "us-ascii", "utf-8-sig", "utf8") else name


def natural_key(path: Path) -> list[object]:
    """Sort key that puts `2` before `10` in file names."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path.name)]
