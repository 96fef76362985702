"""Documents -> Book: cut every part into blocks, find headings and front matter, build the chapters.

All formats meet here, so a heading, a warning paragraph or a dedication is found the same way in a
text file, a Markdown file, an EPUB or a DOCX. Offsets stay offsets into each part's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ManuscriptError
from ..model import Book, Chapter, ContentWarning, Paragraph, Publication, SetAside
from ..settings.cleaning import clean_line, clean_text
from . import headings as h
from .document import MAX_PARAGRAPH, Document, Part
from .matter import announced, front_matter, note_kind

WARNING_WORDS = re.compile(r"\b(content warnings?|trigger warnings?|warnings?|cw|tw)\b", re.I)
WARNING_KEYS = ("warning", "warnings", "content warning", "content warnings", "trigger warning", "cw", "tw")
MATURE_RATINGS = {"r", "nc-17", "nc17", "mature", "m", "ma", "explicit", "e", "adult", "18+", "x"}
SCENE_BREAK = re.compile(r"^(?:(?:\*[ \t]*){3,}|#|(?:-[ \t]*){3,}|~{3,}|(?:\u2022[ \t]*){3,})$")
LONG_LINE = 100
GENERIC_NAMES = {"text", "manuscript", "book", "index", "main", "story", "draft"}


@dataclass(frozen=True)
class Options:
    """What the producer asked to be read besides the story."""

    read_front_matter: bool = False
    """Read the title page, dedication, preface... as an opening chapter instead of setting them aside."""
    read_notes: bool = False
    """Read author's notes (and an archive's notes) where they stand instead of setting them aside."""


@dataclass(frozen=True)
class _Block:
    """A run of non-blank text in a part: one paragraph, heading or scene break."""

    start: int
    """Offset of the first non-space character."""
    end: int
    """Offset just past the last non-space character."""
    text: str
    """The characters between start and end."""


@dataclass
class _Piece:
    """A chapter in the making: the part it is cut from, its heading and its body."""

    document: Document
    part: Part
    heading: tuple[str, int, int] | None
    body: list[_Block] = field(default_factory=list)


def blocks(text: str, lo: int, hi: int) -> list[_Block]:
    """Split text[lo:hi] into paragraphs at blank lines; lines of an unwrapped block become paragraphs."""
    found: list[_Block] = []
    for m in re.finditer(r"\S(?:.*\S)?(?:\n[ \t]*\S.*)*", text[lo:hi].replace("\r", " ")):
        lines = [(lo + m.start() + l.start(), lo + m.start() + l.end()) for l in re.finditer(r"\S(?:.*\S)?", m.group())]
        if len(lines) > 1 and sum(e - s for s, e in lines) / len(lines) > LONG_LINE:
            found += [_Block(s, e, text[s:e]) for s, e in lines]
        else:
            s, e = lo + m.start(), lo + m.end()
            found.append(_Block(s, e, text[s:e]))
    return found


def assemble(path: Path, documents: list[Document], title: str | None, warning_text: str | None,
             options: Options = Options()) -> Book:
    """The Book of *documents* (the files of *path*, in order), with voices.yaml's *title* and *warning_text*."""
    metadata = [pair for doc in documents for pair in doc.metadata]
    meta = {k.casefold(): v for k, v in reversed(metadata)}
    book_title = (title and clean_line(title)) or meta.get("title") or title_from_path(Path(path))
    warning, per_part = _warning_and_blocks(documents)
    aside: list[SetAside] = []
    pieces: list[_Piece] = []
    for doc in documents:
        aside += doc.set_aside
        pieces += _cut_document(doc, [per_part[id(p)] for p in doc.parts], options, aside)
    chapters = _chapters(pieces, book_title, len(documents))
    if not chapters:
        raise ManuscriptError(
            f"{path}: has no story text after its front matter; add the story below the Key: Value lines")
    warning = _choose_warning(warning_text, warning or _warning_from_meta(metadata) or
                              next((doc.warning for doc in documents if doc.warning), None),
                              meta)
    rating = meta.get("rating")
    return Book(
        book_title, meta.get("author"), rating, tuple(metadata), warning, tuple(chapters),
        publication=_publication(documents, meta, rating),
        set_aside=tuple(aside), warnings=tuple(w for doc in documents for w in doc.warnings))


def _publication(documents: list[Document], meta: dict[str, str], rating: str | None) -> Publication:
    """What the files say about the book, the first file that says a thing having its way."""
    return Publication(
        description=_first(documents, "description") or meta.get("description") or meta.get("summary"),
        language=_first(documents, "language") or meta.get("language"),
        series=_first(documents, "series") or meta.get("series"),
        series_part=_first(documents, "series_part"),
        cover=_first(documents, "cover"), cover_type=_first(documents, "cover_type"),
        explicit=_explicit(documents, rating),
        content_tags=_unique(t for doc in documents for t in doc.publication.content_tags),
        characters=_unique(c for doc in documents for c in doc.publication.characters))


def _first(documents: list[Document], name: str):
    return next((value for doc in documents if (value := getattr(doc.publication, name)) is not None), None)


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _explicit(documents: list[Document], rating: str | None) -> bool | None:
    if (flag := _first(documents, "explicit")) is not None:
        return flag
    return None if rating is None else rating.strip().casefold() in MATURE_RATINGS


def _warning_and_blocks(documents: list[Document]) -> tuple[ContentWarning | None, dict[int, list[_Block]]]:
    """Every part's blocks, and the content warning a text's first paragraph announces (taken out of it)."""
    warning: ContentWarning | None = None
    per_part: dict[int, list[_Block]] = {}
    for doc in documents:
        for i, part in enumerate(doc.parts):
            found = blocks(part.text, part.start, part.end)
            # In a converted book the warning may open chapter 1's text, just below its heading.
            headed = part.converted and part.headings and found
            at = 1 if headed and found[0].start <= part.headings[0][0] < found[0].end else 0
            if (warning is None and i == 0 and len(found) > at and (doc.metadata or len(found) > 1)
                    and _announces_warning(found[at].text)):
                warning = ContentWarning(h.spoken(found[at].text), doc.source, found[at].start, found[at].end)
                found = found[:at] + found[at + 1:]
            per_part[id(part)] = found
    return warning, per_part


def _cut_document(doc: Document, per_part: list[list[_Block]], options: Options, aside: list[SetAside]) -> list[_Piece]:
    """Cut each part of *doc* into chapters at its headings, setting front matter and notes aside."""
    pieces: list[_Piece] = []
    for i, (part, found) in enumerate(zip(doc.parts, per_part)):
        marks = {b for b, block in enumerate(found) for s, _ in part.headings if block.start <= s < block.end}
        kinds = [None if part.skip_heading_rules and b not in marks
                 else h.classify(block.text, b in marks, not part.converted) for b, block in enumerate(found)]
        heads = _headings(found, kinds)
        first = heads[0][0] if heads else len(found)
        front = _front(doc, part, found[:first], bool(heads), options, aside)
        last_heading = heads[-1][0] + heads[-1][1] - 1 if heads else -1
        skip = {} if options.read_front_matter else _edges(found, front.start, first, last_heading,
                                                           i == 0, i == len(doc.parts) - 1)
        skip = {b: kind for b, kind in skip.items() if not (options.read_notes and kind == "author's note")}
        at = {start: (heading, count) for start, count, heading in heads}
        current, b = _Piece(doc, part, front.heading), front.start
        while b < len(found):
            if b in at:
                if current.body or current.heading:
                    pieces.append(current)
                heading, count = at[b]
                current, b = _Piece(doc, part, heading), b + count
                continue
            kind = skip.get(b) or (None if options.read_notes else note_kind(found[b].text))
            if kind:
                _aside(aside, kind, found[b], doc, part)
            else:
                current.body.append(found[b])
            b += 1
        if current.body or current.heading:
            pieces.append(current)
    return pieces


def _edges(found: list[_Block], start: int, first: int, last_heading: int, is_first: bool,
           is_last: bool) -> dict[int, str]:
    """The blocks at the head of the first part and the tail of the last that announce themselves as not story."""
    skip: dict[int, str] = {}
    b = start
    while is_first and b < min(first, len(found) - 1) and (kind := announced(found[b].text)):
        skip[b] = kind
        b += 1
    e = len(found) - 1
    while is_last and e > max(b, last_heading + 1) and (kind := announced(found[e].text)):
        skip[e] = kind
        e -= 1
    return skip


@dataclass
class _Front:
    """What to do with the blocks before a part's first heading."""

    start: int
    """The first block to read as story: past the front matter set aside, or past a title line."""
    heading: tuple[str, int, int] | None = None
    """A title line found at the head of the story, or None."""


def _front(doc: Document, part: Part, pre: list[_Block], headed: bool, options: Options,
           aside: list[SetAside]) -> _Front:
    """Set aside the front matter before the first heading, or find a title line at the head of the story."""
    if not pre:
        return _Front(0)
    if headed and not options.read_front_matter:
        kinds = front_matter([b.text for b in pre])
        if all(kinds):
            for block, kind in zip(pre, kinds):
                _aside(aside, kind, block, doc, part)
            return _Front(len(pre))
    if (len(pre) > 1 and h.title_like(pre[0].text) and not part.skip_heading_rules
            and not SCENE_BREAK.match(pre[0].text) and not h.title_like(pre[1].text)):
        return _Front(1, (h.spoken(pre[0].text), pre[0].start, pre[0].end))
    return _Front(0)


def _aside(aside: list[SetAside], kind: str, block: _Block, doc: Document, part: Part) -> None:
    aside.append(SetAside(kind, h.spoken(block.text), doc.source, block.start, block.end, part.document))


def _headings(found: list[_Block], kinds: list[str | None]) -> list[tuple[int, int, tuple[str, int, int]]]:
    """Each heading as (first block, blocks it spans, (title, start, end)); a heading with no body stays text."""
    out = []
    i, n = 0, len(found)
    while i < n:
        if kinds[i] is None:
            i += 1
            continue
        pieces, j = _heading_pieces(found, kinds, i)
        if j >= n or kinds[j] is not None:
            i += 1  # nothing before the next heading: a table of contents, read as text
            continue
        start, end = found[i].start, found[j - 1].end
        if len(pieces) == 1 and kinds[i] == "marked":
            title, s, e = h.marked_title(found[i].text)
            start, end = found[i].start + s, found[i].start + e
        else:
            title = h.join_title(pieces)
        out.append((i, j - i, (title, start, end)))
        i = j
    return out


def _heading_pieces(found: list[_Block], kinds: list[str | None], i: int) -> tuple[list[tuple[str, str]], int]:
    """The pieces of the heading starting at block *i* (part line, chapter line, title) and the block after it."""
    n = len(found)
    kind = kinds[i]
    text = found[i].text
    pieces = h.block_pieces(kind if kind != "marked" else (h.classify(text, False, False) or "chapter"), text)
    j = i + 1
    while j < n and kinds[j] is not None and j - i < 3 and (
            pieces[-1][0] == "part" or kind == "marked"):
        next_kind = h.classify(found[j].text, False, False) or "chapter"
        pieces.append((next_kind if pieces[-1][0] != "number" else "title", found[j].text))
        j += 1
    if pieces[-1][0] in ("number", "part") and j + 1 < n and kinds[j] is None and h.title_like(found[j].text):
        pieces.append(("title", found[j].text))
        j += 1
    return pieces, j


def _chapters(pieces: list[_Piece], book_title: str, files: int) -> list[Chapter]:
    """Number the pieces and give each its title: the heading, the format's, the file's or the book's."""
    any_heading = any(p.heading for p in pieces)
    chapters = []
    for number, piece in enumerate(pieces, 1):
        part, heading = piece.part, piece.heading
        first_of_part = piece is next(p for p in pieces if p.part is part)
        if part.title and first_of_part:
            title = part.title
        elif heading:
            title = heading[0]
        elif len(piece.document.parts) > 1:
            title = f"Chapter {number}"
        else:
            title = _untitled(piece.document.source, book_title, any_heading, files)
        chapters.append(Chapter(number, title, piece.document.source, part.text, heading[1:] if heading else None,
                                _paragraphs(piece), part.document, part.converted))
    return chapters


def _untitled(source: str, book_title: str, any_heading: bool, files: int) -> str:
    if files > 1:
        return title_from_path(Path(source))
    return "Opening" if any_heading else book_title


def _paragraphs(piece: _Piece) -> tuple[Paragraph, ...]:
    numbers = dict(piece.part.numbers)
    paragraphs: list[Paragraph] = []
    scene_break = False
    for block in piece.body:
        if SCENE_BREAK.match(block.text):
            scene_break = bool(paragraphs)
            continue
        if block.end - block.start > MAX_PARAGRAPH:
            _too_long(piece, block, numbers.get(block.start))
        paragraphs.append(Paragraph(block.start, block.end, scene_break, numbers.get(block.start)))
        scene_break = False
    return tuple(paragraphs)


def _too_long(piece: _Piece, block: _Block, number: int | None) -> None:
    part = piece.part
    where = (f"{piece.document.source} ({part.document}), paragraph {number}" if part.document and number
             else f"{piece.document.source}, paragraph {number}" if number
             else f"{piece.document.source}:{part.text.count(chr(10), 0, block.start) + 1}")
    raise ManuscriptError(
        f"{where}: one paragraph of {block.end - block.start:,} characters is longer than the {MAX_PARAGRAPH:,} "
        "fullcast reads; its line breaks were probably lost in a conversion: put a blank line between its paragraphs")


def _warning_from_meta(meta: list[tuple[str, str]]) -> ContentWarning | None:
    """A warning given as a front-matter key, e.g. `Content warning: violence`."""
    for key, value in meta:
        if key.casefold() in WARNING_KEYS:
            return ContentWarning(f"Content warning: {value}")
    return None


def _announces_warning(text: str) -> bool:
    """True for a short paragraph that opens by announcing a warning."""
    head = text[:120]
    return bool(WARNING_WORDS.search(head)) and not h.MARKDOWN_HEADING.match(text) and len(text) < 1500


def _choose_warning(override: str | None, found: ContentWarning | None, meta: dict[str, str]) -> ContentWarning | None:
    if override := clean_text(override or "").strip():
        return ContentWarning(override)
    if found:
        return found
    rating = meta.get("rating", "")
    if rating.strip().casefold() in MATURE_RATINGS:
        return ContentWarning(
            f"Content warning. This book is rated {rating.strip()}. "
            "It contains material intended for adult listeners only. Listener discretion is advised."
        )
    return None


def title_from_path(path: Path) -> str:
    """A readable title from a file or folder name: `02-the-harbour.md` -> "The Harbour"."""
    if path.stem.casefold() in GENERIC_NAMES and path.resolve().parent.name:
        path = path.resolve().parent
    stem = clean_line(re.sub(r"^\d+[\s._-]*", "", path.stem if path.suffix else path.name) or path.stem)
    words = re.sub(r"[_-]+|(?<=[a-z])(?=[A-Z])", " ", stem).split()
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words) or "Untitled"
