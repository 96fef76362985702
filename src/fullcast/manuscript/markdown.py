"""Read a Markdown manuscript (.md) through markdown-it-py: the one module that uses it.

A real parser decides what is emphasis, what is an escape and what is an underscore inside a word
(`snake_case` is not italics; `\\*` is an asterisk). Only paragraphs and headings are converted, and
only where the parser changed something: `_word_` becomes `*word*`, `**bold**` loses its marks, an
escape its backslash, `[text](url)` its link. Everything else (a paragraph that needs no change, a
quote block, a list, an indented block) keeps the file's own characters, so a plain Markdown file keeps
its offsets into the file. `Key: Value` front matter is read as in a text file; a `---` YAML block too.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..settings.cleaning import clean_line, clean_text
from .document import Document, Part
from .plaintext import decode, front_matter

YAML_BLOCK = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
YAML_ENTRY = re.compile(r"^([A-Za-z][\w -]{0,28}):[ \t]*(.*?)[ \t]*$")


def read(path: Path, read_notes: bool = False) -> Document:
    """The Document of a Markdown file: its front matter, and its text with the Markdown markup converted."""
    raw, encoding = decode(path)
    meta, story_start = _yaml_front_matter(raw) or front_matter(raw)
    text = clean_text(raw)
    story, headings = convert(text[story_start:])
    converted = text[:story_start] + story
    spans = tuple((s + story_start, e + story_start) for s, e in headings)
    part = Part(converted, story_start, len(converted), headings=spans, converted=converted != text)
    return Document(str(path), (part,), tuple(meta), encoding)


def _yaml_front_matter(raw: str) -> tuple[list[tuple[str, str]], int] | None:
    """The `key: value` lines of a leading `---` block and the offset after it, or None when there is none."""
    m = YAML_BLOCK.match(raw)
    if not m:
        return None
    meta = []
    for line in m.group(1).splitlines():
        if (entry := YAML_ENTRY.match(line)) and entry.group(2):
            meta.append((entry.group(1).strip().title(), clean_line(entry.group(2).strip("\"'"))))
    return meta, m.end()


def convert(text: str) -> tuple[str, list[tuple[int, int]]]:
    """*text* with the markup of its top-level paragraphs and headings converted, and the headings' offsets."""
    from markdown_it import MarkdownIt

    lines = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)] + [len(text)]
    tokens = MarkdownIt("commonmark").parse(text)
    out: list[str] = []
    headings: list[tuple[int, int]] = []
    done = length = 0
    for i, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.type not in ("paragraph_open", "heading_open"):
            continue
        start, end = lines[token.map[0]], lines[min(token.map[1], len(lines) - 1)]
        raw = text[start:end].rstrip("\r\n")
        end = start + len(raw)
        inline = tokens[i + 1]
        rendered = render(inline.children or [])
        out.append(text[done:start])
        length += start - done
        if token.type == "heading_open" and token.markup.startswith("#") and rendered == inline.content:
            at = raw.find(inline.content)
            headings.append((length + at, length + at + len(inline.content)))
            piece = raw
        elif token.type == "heading_open":
            headings.append((length, length + len(rendered)))
            piece = rendered
        else:
            piece = raw if rendered == inline.content else rendered
        out.append(piece)
        length += len(piece)
        done = end
    out.append(text[done:])
    return "".join(out), headings


def render(children) -> str:
    """The text of an inline token's children: emphasis as `*...*`, other markup dropped, escapes resolved."""
    out = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type in ("em_open", "em_close"):
            out.append("*")
    return "".join(out)
