"""HTML and XHTML to converted text: the one module that uses BeautifulSoup (with lxml).

`parse` reads markup (an HTML file, an EPUB's XHTML documents, an archive download) and translates the
parser's errors; `blocks` walks an element in reading order and gives one `Block` per paragraph,
heading or scene break; `to_part` lays the blocks out as the converted text the chapter cutter reads.

Only the markup changes: whitespace is folded as a browser folds it, `<em>`/`<i>` become `*...*`,
`<br>` a line break, `<hr>` the scene break `* * *`, entities are decoded. Script, style and
images are not text, and their words are not read.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from ..errors import ManuscriptError
from .document import Part

BLOCKS = {"p", "div", "section", "article", "main", "body", "blockquote", "li", "ul", "ol", "dl", "dt", "dd",
          "pre", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "header", "footer", "aside", "figure",
          "figcaption", "center", "address", "hgroup", "details", "summary", "html", "caption"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ITALICS = {"em", "i", "cite", "dfn", "var"}
HIDDEN = {"script", "style", "head", "title", "noscript", "template", "svg", "math", "img", "object", "iframe", "nav"}
"""Elements whose words are not the book's text: code, styles, images, a page's navigation menu."""
SCENE_BREAK = "* * *"


@dataclass(frozen=True)
class Block:
    """One paragraph, heading or scene break of a document, converted."""

    kind: str
    """`p` for a paragraph, `h` for a heading, `hr` for a scene break."""
    text: str
    """Its converted text (italics as `*...*`, line breaks kept); `* * *` for a scene break."""
    number: int
    """1-based position among the document's blocks, for pointing back."""
    element: object = None
    """The element it came from (a bs4 Tag), for readers that look at classes and ids."""


def parse(data: bytes | str, where: str):
    """The parsed document (a BeautifulSoup), or a ManuscriptError naming *where*."""
    from bs4 import BeautifulSoup
    from bs4.builder import ParserRejectedMarkup

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bs4 warns about XML parsed as HTML: XHTML is fine as HTML here
            return BeautifulSoup(data, "lxml")
    except (ParserRejectedMarkup, ValueError, TypeError) as exc:
        raise ManuscriptError(f"{where}: cannot be read as HTML ({exc}); save it again from its editor") from exc


def blocks(root) -> list[Block]:
    """The blocks of *root* (a bs4 Tag) in reading order; empty paragraphs are dropped."""
    out: list[Block] = []
    _walk(root, out)
    return out


def _walk(element, out: list[Block]) -> None:
    """Add *element*'s blocks: runs of inline content between child blocks become paragraphs."""
    from bs4 import NavigableString, Tag

    run: list = []
    for child in element.children:
        if isinstance(child, Tag) and (child.name in BLOCKS or child.name in HEADINGS or child.name == "hr"):
            _flush(run, element, out)
            run = []
            if child.name == "hr":
                out.append(Block("hr", SCENE_BREAK, len(out) + 1, child))
            elif child.name in HEADINGS:
                if text := _fold(inline(child, italics=False)):
                    out.append(Block("h", text, len(out) + 1, child))
            elif child.name == "pre":
                if text := child.get_text().strip("\n"):
                    out.append(Block("p", text, len(out) + 1, child))
            else:
                _walk(child, out)
        elif isinstance(child, Tag) and child.name in HIDDEN:
            continue
        elif isinstance(child, (Tag, NavigableString)):
            run.append(child)
    _flush(run, element, out)


def _flush(run: list, parent, out: list[Block]) -> None:
    """Turn a run of inline nodes into one paragraph block, when it has any words."""
    if text := _fold("".join(_inline_node(node, False) for node in run)):
        out.append(Block("p", text, len(out) + 1, parent))


def inline(element, italics: bool = True) -> str:
    """The text of an element's inline content: italics as `*...*` (when *italics*), `<br>` as a newline."""
    return "".join(_inline_node(child, False, italics) for child in element.children)


def _inline_node(node, in_italic: bool, italics: bool = True) -> str:
    from bs4 import Comment, NavigableString, Tag

    if isinstance(node, Comment) or (isinstance(node, NavigableString) and type(node).__name__ in (
            "Doctype", "Declaration", "ProcessingInstruction", "CData")):
        return ""
    if isinstance(node, NavigableString):
        return re.sub(r"[ \t\r\n\f]+", " ", str(node))  # a newline in the source is a space; only <br> breaks
    if not isinstance(node, Tag) or node.name in HIDDEN:
        return ""
    if node.name == "br":
        return "\n"
    inner = "".join(_inline_node(child, in_italic or node.name in ITALICS, italics) for child in node.children)
    if node.name in ITALICS and italics and not in_italic:
        return _mark(inner)
    return inner


def _mark(inner: str) -> str:
    """`*inner*` with the spaces at its edges moved outside the marks, so `*Fine,* Jonah` reads as italics."""
    m = re.match(r"(\s*)(.*?)(\s*)$", inner, re.S)
    core = m.group(2)
    return f"{m.group(1)}*{core}*{m.group(3)}" if core.strip() else inner


def _fold(text: str) -> str:
    """Whitespace as a browser shows it: runs folded to one space, `<br>` line breaks kept, edges trimmed.

    Adjacent italic runs (`<em>a</em><em>b</em>`) join into one (`*ab*`)."""
    lines = [re.sub(r" {2,}", " ", line).strip(" ") for line in text.split("\n")]
    folded = "\n".join(line for line in lines if line.strip(" \xa0"))
    folded = re.sub(r"(?<=\S)\*\*(?=\S)", "", folded)
    return folded.strip(" \xa0")


def to_part(found: list[Block], title: str | None = None, document: str | None = None,
            headings: bool = True) -> Part:
    """The converted text of *found*, a blank line apart, with its heading offsets and block numbers."""
    pieces, offset = [], 0
    spans, numbers = [], []
    for block in found:
        if pieces:
            offset += 2
        if block.kind == "h" and headings:
            spans.append((offset, offset + len(block.text)))
        numbers.append((offset, block.number))
        pieces.append(block.text)
        offset += len(block.text)
    text = "\n\n".join(pieces) + "\n"
    return Part(text, 0, len(text), title, document, tuple(spans), tuple(numbers), True)


def text_of(element) -> str:
    """The plain text of an element, whitespace folded: for titles, tags and metadata."""
    return " ".join(element.get_text(" ").split()) if element is not None else ""
