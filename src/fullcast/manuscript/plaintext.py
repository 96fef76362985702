"""Read a plain-text manuscript file (.txt) into a Document: its `Key: Value` front matter and its text.

The text is kept as the file has it, so offsets index the file. Control characters and terminal escape
sequences are cleaned as the text enters (`settings.cleaning`), without changing its length. An e-book
licence header gives the title and author, and the story runs between its START and END markers.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ManuscriptError
from ..model import Book
from ..settings.cleaning import clean_line, clean_text
from .document import Document, Part, natural_key  # noqa: F401 - natural_key is imported from here too

FRONT_MATTER = re.compile(r"^\ufeff?([A-Z][A-Za-z][A-Za-z -]{0,28}):[ \t]+(\S.*?)\s*$")
GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (?:THE|THIS) PROJECT\s+GUTENBERG.*$", re.M | re.I)
GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (?:THE|THIS) PROJECT\s+GUTENBERG.*$", re.M | re.I)
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
SOFT_BREAKS = "\v\f\u2028\u2029"
"""Line breaks besides CR and LF: vertical tab, form feed, line and paragraph separator.

In the front matter they split a line but never end it, even beside a newline, so
`Title: T<VT>` followed by `Author: A` keeps its author."""
FRONT_LINE = re.compile(r"([^\r\n\v\f\u2028\u2029]*)(\r\n|[\r\n\v\f\u2028\u2029]|\Z)")
"""One front-matter line and its line break (none at the end of the file)."""


def read_text(path: Path) -> Document:
    """The Document of one text file: its front matter and the story between any licence markers."""
    raw, encoding = decode(path)
    # The front matter reads the raw lines: there a VT or FF beside a newline must not make a blank line.
    meta, story_start = front_matter(raw)
    text = clean_text(raw)
    end = m.start() if (m := GUTENBERG_END.search(text, story_start)) else len(text)
    return Document(str(path), (Part(text, story_start, end),), tuple(meta), encoding)


def read(path: Path, read_notes: bool = False) -> Document:
    """The Document of a text file (the reader interface `read` uses; text files have no notes markup)."""
    return read_text(path)


def read_manuscript(path: Path, title: str | None = None, warning_text: str | None = None, **options: bool) -> Book:
    """Read *path* (a manuscript file or a folder of them, in any supported format) into a Book.

    Kept here for the callers that import it from this module; see `manuscript.read.read_manuscript`.
    """
    from .read import read_manuscript as read

    return read(path, title, warning_text, **options)


def read_bytes(path: Path) -> bytes:
    """The bytes of *path*, or a ManuscriptError naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ManuscriptError(f"{path}: cannot be read ({exc.strerror}); check the path and its permissions") from exc


def decode(path: Path) -> tuple[str, str]:
    """The text of a text file and its encoding: UTF-8, or UTF-16/32 with a byte-order mark."""
    data = read_bytes(path)
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), "utf-8")
    if encoding != "utf-8":
        try:
            return _not_empty(path, data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            raise ManuscriptError(f"{path}: starts like {encoding.upper()} but is not; re-save it as UTF-8") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ManuscriptError(
            f"{path}:{line}: byte 0x{data[exc.start]:02x} at column {column} is not UTF-8; "
            "re-save the file as UTF-8 (e.g. iconv -f windows-1252 -t utf-8)"
        ) from exc
    return _not_empty(path, text), encoding


def _not_empty(path: Path, text: str) -> str:
    if not text.strip(" \t\r\n\ufeff"):
        raise ManuscriptError(f"{path}: is empty; a manuscript needs some story text")
    return text


def front_matter(text: str) -> tuple[list[tuple[str, str]], int]:
    """The leading `Key: Value` lines of a file and the offset where the story starts.

    A Gutenberg e-book keeps its Title:/Author: lines in the licence header,
    so there the header is read for metadata and the story starts after its START marker.
    A soft break (SOFT_BREAKS) splits a line in two but never ends the front matter.
    """
    if m := GUTENBERG_START.search(text):
        meta = [entry for line in text[: m.start()].splitlines() if (entry := _entry(line))]
        return [(k, v) for k, v in meta if k.casefold() in ("title", "author")], m.end()
    meta: list[tuple[str, str]] = []
    offset = 0
    soft = False  # the line before ended in a soft break, not a newline
    for line in FRONT_LINE.finditer(text):
        if not line.group():
            break  # the end of the file
        body, ends_soft = line.group(1), line.group(2) in tuple(SOFT_BREAKS)
        if entry := _entry(body):
            meta.append(entry)
        elif clean_text(body).strip() or not (soft or ends_soft):
            break  # story text, or a real blank line
        soft = ends_soft
        offset = line.end()
    return meta, offset


def _entry(line: str) -> tuple[str, str] | None:
    """The `Key: Value` pair on one front-matter line, seen through its control characters, or None."""
    cleaned = clean_text(line)
    start = 0
    while start < len(line) and cleaned[start] == " " and line[start] != " ":
        start += 1  # control characters before the key do not indent it; real spaces do
    m = FRONT_MATTER.match(cleaned[start:])
    return (m.group(1).strip(), clean_line(m.group(2))) if m else None
