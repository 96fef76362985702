"""Read a Word manuscript (.docx) into a Document: the one module that uses python-docx.

Paragraphs in a Heading style (or Title) are headings; italic runs become `*...*`; line breaks in a
paragraph stay line breaks; empty paragraphs (spacing) are dropped. Tables are read cell by cell. The
core properties give the title, author, description (comments) and language. A paragraph's number is
its position among the document's paragraphs, counting empty ones, so a review can find it in Word.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import ManuscriptError
from ..model import Publication, SetAside
from . import htmltext
from .document import Document, mark_italics

HEADING_STYLES = ("heading", "title", "subtitle")


def read(path: Path, read_notes: bool = False) -> Document:
    """The Document of a DOCX file: its paragraphs as converted text, its core properties as metadata."""
    document = _open(path)
    found: list[htmltext.Block] = []
    number = 0
    for paragraph in _paragraphs(document):
        number += 1
        text = mark_italics(_runs(paragraph)).strip()
        if text.strip(" \xa0\t\n"):
            found.append(htmltext.Block("h" if _is_heading(paragraph) else "p", text, number, paragraph))
    if not any(block.kind == "p" for block in found):
        raise ManuscriptError(f"{path}: has no paragraphs of text; is it the manuscript, saved from Word as .docx?")
    core = document.core_properties
    meta = [(key, " ".join(value.split())) for key, value in (("Title", core.title), ("Author", core.author))
            if value and value.strip()]
    aside: tuple[SetAside, ...] = ()
    if found[0].kind == "h" and _style(found[0].element) == "title":
        aside = (SetAside("title page", found[0].text, str(path)),)
        meta = meta if any(k == "Title" for k, _ in meta) else [("Title", found[0].text)] + meta
        found = found[1:]
    return Document(str(path), (htmltext.to_part(found),), tuple(meta), "utf-8", text_file=False,
                    publication=Publication(description=(core.comments or "").strip() or None,
                                            language=(core.language or "").strip() or None),
                    set_aside=aside)


def _open(path: Path):
    """The python-docx Document, or a ManuscriptError naming the file."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except PackageNotFoundError as exc:
        raise ManuscriptError(f"{path}: is not a Word .docx file (not a zip of a document); save it from Word "
                              "as .docx") from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ManuscriptError(f"{path}: is not a readable .docx file ({type(exc).__name__}: {exc}); "
                              "save it again from Word as .docx") from exc
    except Exception as exc:  # lxml's XMLSyntaxError and others from a damaged part
        raise ManuscriptError(
            f"{path}: is a damaged .docx file ({type(exc).__name__}); save it again from Word") from exc


def _paragraphs(document):
    """Every paragraph of the body in order, the paragraphs of table cells included."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, document)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                for cell in row.cells:
                    yield from cell.paragraphs


def _runs(paragraph) -> list[tuple[str, bool]]:
    """A paragraph's runs as (text, italic); a run's italic may come from its character style."""
    out = []
    for run in paragraph.runs:
        italic = run.italic
        if italic is None and run.style is not None and run.style.font is not None:
            italic = run.style.font.italic
        out.append((run.text, bool(italic)))
    return out


def _style(paragraph) -> str:
    """The paragraph's style name, lower case ("heading 1", "title", "normal")."""
    style = paragraph.style
    return (style.name or "").casefold() if style is not None else ""


def _is_heading(paragraph) -> bool:
    """True for a paragraph in a Heading, Title or Subtitle style, or one with an outline level."""
    return _style(paragraph).startswith(HEADING_STYLES)
