"""Read a manuscript (a .txt/.md file or a folder of them) into a Book: metadata, warning, chapters.

This stage knows nothing about speakers. It finds the front matter, the content
warning, the chapter headings, the scene breaks and the paragraphs, and keeps
every paragraph as offsets into its file's text so later stages can point back
at the exact characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ManuscriptError
from ..model import Book, Chapter, ContentWarning, Paragraph

SUFFIXES = (".txt", ".md", ".markdown")
FRONT_MATTER = re.compile(r"^\ufeff?([A-Z][A-Za-z][A-Za-z -]{0,28}):[ \t]+(\S.*?)\s*$")
WARNING_WORDS = re.compile(r"\b(content warnings?|trigger warnings?|warnings?|cw|tw)\b", re.I)
WARNING_KEYS = ("warning", "warnings", "content warning", "content warnings", "trigger warning", "cw", "tw")
MATURE_RATINGS = {"r", "nc-17", "nc17", "mature", "m", "ma", "explicit", "e", "adult", "18+", "x"}
NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
CHAPTER_LINE = re.compile(
    rf"^(?:chapter|book|part|volume)\s+(?:\d+|[ivxlcdm]+|(?:{NUMBER_WORDS})(?:[ -](?:{NUMBER_WORDS}))*)\b"
    r"(?:[.:\-\u2013\u2014]?\s+\S.*|[.:]?)$|^(?:prologue|epilogue|interlude|afterword)\b[.:]?(?:\s+\S.*)?$",
    re.I,
)
MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+(\S.*?)[ \t#]*$")
SCENE_BREAK = re.compile(r"^(?:(?:\*[ \t]*){3,}|#|(?:-[ \t]*){3,}|~{3,}|(?:\u2022[ \t]*){3,})$")
GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (?:THE|THIS) PROJECT\s+GUTENBERG.*$", re.M | re.I)
GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (?:THE|THIS) PROJECT\s+GUTENBERG.*$", re.M | re.I)
LONG_LINE = 100
GENERIC_NAMES = {"text", "manuscript", "book", "index", "main", "story", "draft"}


@dataclass(frozen=True)
class _Block:
    """A run of non-blank text in a file: one paragraph, heading or scene break."""

    start: int
    """Offset of the first non-space character."""
    end: int
    """Offset just past the last non-space character."""
    text: str
    """The characters between start and end."""


@dataclass(frozen=True)
class _Source:
    """One decoded manuscript file."""

    name: str
    """The path as the user gave it."""
    text: str
    """Its whole text, newlines untouched."""


def read_manuscript(path: Path, title: str | None = None, warning_text: str | None = None) -> Book:
    """Read *path* (a file or a folder of .txt/.md files) into a Book.

    *title* (from voices.yaml) overrides the front matter's title; *warning_text*
    (voices.yaml `content_warning.text`) overrides the manuscript's own warning.
    """
    sources = [_Source(str(p), _decode(p)) for p in _manuscript_files(Path(path))]
    metadata: list[tuple[str, str]] = []
    warning: ContentWarning | None = None
    blocks_per_file: list[list[_Block]] = []
    for source in sources:
        meta, story_start = _front_matter(source.text)
        blocks = _blocks(source.text, story_start)
        if warning is None and blocks and (meta or len(blocks) > 1) and _announces_warning(blocks[0].text):
            warning, blocks = ContentWarning(_spoken(blocks[0].text), source.name, blocks[0].start, blocks[0].end), blocks[1:]
        metadata += meta
        blocks_per_file.append(blocks)
    meta = {k.casefold(): v for k, v in reversed(metadata)}
    warning = warning or _warning_from_meta(metadata)
    book_title = title or meta.get("title") or _title_from_path(Path(path))
    chapters = _chapters(sources, blocks_per_file, book_title)
    if not chapters:
        raise ManuscriptError(f"{path}: has no story text after its front matter; add the story below the Key: Value lines")
    warning = _choose_warning(warning_text, warning, meta)
    return Book(book_title, meta.get("author"), meta.get("rating"), tuple(metadata), warning, tuple(chapters))


def natural_key(path: Path) -> list[object]:
    """Sort key that puts `2` before `10` in file names."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path.name)]


def _manuscript_files(path: Path) -> list[Path]:
    if not path.exists():
        raise ManuscriptError(f"{path}: no such file or folder; pass a .txt or .md manuscript or a folder of them")
    if path.is_file():
        return [path]
    files = sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES), key=natural_key)
    if not files:
        raise ManuscriptError(f"{path}: folder has no .txt or .md files; put the manuscript's chapters there")
    return files


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManuscriptError(f"{path}: cannot be read ({exc.strerror}); check the path and its permissions") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ManuscriptError(
            f"{path}:{line}: byte 0x{data[exc.start]:02x} at column {column} is not UTF-8; "
            "re-save the file as UTF-8 (e.g. iconv -f windows-1252 -t utf-8)"
        ) from exc
    if not text.strip(" \t\r\n\ufeff"):
        raise ManuscriptError(f"{path}: is empty; a manuscript needs some story text")
    return text


def _front_matter(text: str) -> tuple[list[tuple[str, str]], int]:
    """The leading `Key: Value` lines of a file and the offset where the story starts.

    A Gutenberg e-book keeps its Title:/Author: lines in the licence header,
    so there the header is read for metadata and the story starts after its START marker.
    """
    if m := GUTENBERG_START.search(text):
        header = text[: m.start()]
        meta = [(k.group(1), k.group(2)) for k in map(FRONT_MATTER.match, header.splitlines()) if k]
        return [(k, v) for k, v in meta if k.casefold() in ("title", "author")], m.end()
    meta: list[tuple[str, str]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        m = FRONT_MATTER.match(line.rstrip("\r\n"))
        if not m:
            break
        meta.append((m.group(1).strip(), m.group(2)))
        offset += len(line)
    return meta, offset


def _blocks(text: str, lo: int) -> list[_Block]:
    """Split a file's story into paragraphs at blank lines; lines of an unwrapped block become paragraphs."""
    hi = m.start() if (m := GUTENBERG_END.search(text, lo)) else len(text)
    blocks: list[_Block] = []
    for m in re.finditer(r"\S(?:.*\S)?(?:\n[ \t]*\S.*)*", text[lo:hi].replace("\r", " ")):
        lines = [(lo + m.start() + l.start(), lo + m.start() + l.end()) for l in re.finditer(r"\S(?:.*\S)?", m.group())]
        if len(lines) > 1 and sum(e - s for s, e in lines) / len(lines) > LONG_LINE:
            blocks += [_Block(s, e, text[s:e]) for s, e in lines]
        else:
            s, e = lo + m.start(), lo + m.end()
            blocks.append(_Block(s, e, text[s:e]))
    return blocks


def _warning_from_meta(meta: list[tuple[str, str]]) -> ContentWarning | None:
    """A warning given as a front-matter key, e.g. `Content warning: violence`."""
    for key, value in meta:
        if key.casefold() in WARNING_KEYS:
            return ContentWarning(f"Content warning: {value}")
    return None


def _announces_warning(text: str) -> bool:
    """True for a short paragraph that opens by announcing a warning."""
    head = text[:120]
    return bool(WARNING_WORDS.search(head)) and not MARKDOWN_HEADING.match(text) and len(text) < 1500


def _choose_warning(override: str | None, found: ContentWarning | None, meta: dict[str, str]) -> ContentWarning | None:
    if override:
        return ContentWarning(override.strip())
    if found:
        return found
    rating = meta.get("rating", "")
    if rating.strip().casefold() in MATURE_RATINGS:
        return ContentWarning(
            f"Content warning. This book is rated {rating.strip()}. "
            "It contains material intended for adult listeners only. Listener discretion is advised."
        )
    return None


def _heading_title(block: _Block) -> tuple[str, int, int] | None:
    """The title and its offsets if *block* is a chapter heading, else None."""
    if block.text.count("\n") > 1 or len(block.text) > 120:
        return None
    first = block.text.split("\n")[0]
    if m := MARKDOWN_HEADING.match(first):
        return (_spoken(m.group(1)), block.start + m.start(1), block.start + m.end(1)) if "\n" not in block.text else None
    if CHAPTER_LINE.match(first.strip()):
        return _spoken(block.text), block.start, block.end
    return None


def _chapters(sources: list[_Source], blocks_per_file: list[list[_Block]], book_title: str) -> list[Chapter]:
    """Cut every file into chapters at headings; a file's start also starts a chapter."""
    parts: list[tuple[_Source, tuple[str, int, int] | None, list[_Block]]] = []
    for source, blocks in zip(sources, blocks_per_file):
        current: tuple[str, int, int] | None = None
        body: list[_Block] = []
        for i, block in enumerate(blocks):
            heading = _heading_title(block)
            is_empty = heading and (i + 1 == len(blocks) or _heading_title(blocks[i + 1]))
            if heading and not is_empty:
                if body or current:
                    parts.append((source, current, body))
                current, body = heading, []
            else:
                body.append(block)
        if body or current:
            parts.append((source, current, body))
    any_heading = any(h for _, h, _ in parts)
    chapters = []
    for number, (source, heading, body) in enumerate(parts, 1):
        title = heading[0] if heading else _untitled(source, book_title, any_heading, len(sources))
        chapters.append(Chapter(number, title, source.name, source.text, heading[1:] if heading else None, _paragraphs(body)))
    return chapters


def _untitled(source: _Source, book_title: str, any_heading: bool, files: int) -> str:
    if files > 1:
        return _title_from_path(Path(source.name))
    return "Opening" if any_heading else book_title


def _paragraphs(blocks: list[_Block]) -> tuple[Paragraph, ...]:
    paragraphs: list[Paragraph] = []
    scene_break = False
    for block in blocks:
        if SCENE_BREAK.match(block.text):
            scene_break = bool(paragraphs)
            continue
        paragraphs.append(Paragraph(block.start, block.end, scene_break))
        scene_break = False
    return tuple(paragraphs)


def _spoken(text: str) -> str:
    """Text as it is read: Markdown emphasis dropped, whitespace folded."""
    return " ".join(re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text).split())


def _title_from_path(path: Path) -> str:
    """A readable title from a file or folder name: `02-the-harbour.md` -> "The Harbour"."""
    if path.stem.casefold() in GENERIC_NAMES and path.resolve().parent.name:
        path = path.resolve().parent
    stem = re.sub(r"^\d+[\s._-]*", "", path.stem if path.suffix else path.name) or path.stem
    words = re.sub(r"[_-]+|(?<=[a-z])(?=[A-Z])", " ", stem).split()
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words) or "Untitled"
