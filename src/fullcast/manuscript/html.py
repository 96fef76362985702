"""Read a single-file HTML book (.html, .htm, .xhtml) into a Document.

The body's paragraphs, headings and scene breaks become converted text (`htmltext`); the `<title>`
and `<meta name="author">` give the title and author. A lone `<h1>` above the chapters' headings is
the book's title, not a chapter. An archive download (AO3) is read by `ao3` instead.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ManuscriptError
from ..model import Publication, SetAside
from . import ao3, htmltext
from .document import Document, normal_encoding
from .plaintext import read_bytes


def read(path: Path, read_notes: bool = False) -> Document:
    """The Document of an HTML file: its body as converted text, its title and author as metadata."""
    soup = htmltext.parse(read_bytes(path), str(path))
    encoding = normal_encoding(getattr(soup, "original_encoding", None))
    if ao3.is_ao3(soup):
        return ao3.read_html(path, soup, encoding, read_notes)
    found = htmltext.blocks(soup.body or soup)
    if not any(block.kind == "p" for block in found):
        raise ManuscriptError(f"{path}: has no text body (no paragraphs in its <body>); "
                              "pass the book's HTML file, not an index or a page of links")
    meta = _metadata(soup)
    aside: tuple[SetAside, ...] = ()
    h1 = [i for i, block in enumerate(found) if block.element is not None and block.element.name == "h1"]
    if h1 == [0] and any(block.kind == "h" for block in found[1:]):
        aside = (SetAside("title page", found[0].text, str(path)),)
        meta = meta or [("Title", found[0].text)]
        found = found[1:]
    return Document(str(path), (htmltext.to_part(found),), tuple(meta), encoding, text_file=False,
                    publication=Publication(language=_attr(soup.html, "lang"), description=_meta(soup, "description")),
                    set_aside=aside)


def _metadata(soup) -> list[tuple[str, str]]:
    """Title and author from the head: `<title>`, `<meta name="author">` (or Dublin Core names)."""
    meta = []
    if title := htmltext.text_of(soup.title):
        meta.append(("Title", title))
    if author := _meta(soup, "author") or _meta(soup, "dc.creator") or _meta(soup, "dcterms.creator"):
        meta.append(("Author", author))
    return meta


def _meta(soup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": lambda v: v and v.lower() == name})
    return " ".join(tag.get("content", "").split()) or None if tag else None


def _attr(tag, name: str) -> str | None:
    return tag.get(name) if tag is not None and tag.get(name) else None
