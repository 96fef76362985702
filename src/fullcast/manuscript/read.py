"""Which reader reads which file: the manuscript stage's entry point, `read_manuscript`.

A manuscript is one file or a folder of them, and a folder may mix formats. Each file goes to the
reader for its format (imported only when a file needs it, so reading text stays fast); the documents
they give are cut into chapters together (`assemble`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, NoReturn

from ..errors import ManuscriptError
from ..model import Book
from .assemble import Options, assemble
from .document import Document, natural_key

READERS: dict[str, str] = {
    ".txt": "plaintext", ".text": "plaintext", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".epub": "epub", ".docx": "docx",
}
"""File suffix -> the module that reads it."""
SUPPORTED = ".txt, .md, .html, .epub and .docx"
NOT_READ = {".doc": "save it as .docx from Word", ".pdf": "export it as .docx, .epub or .txt",
            ".rtf": "save it as .docx", ".odt": "save it as .docx", ".mobi": "convert it to .epub (e.g. with Calibre)",
            ".azw3": "convert it to .epub (e.g. with Calibre)", ".pages": "export it as .docx"}
"""Formats people try, each with the way to a supported one."""
IGNORED = {".yaml", ".yml", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".json", ".jsonl", ".css"}
"""Files a manuscript folder may hold besides the manuscript: voices.yaml, a cover, notes for the cast."""


def read_manuscript(path: Path, title: str | None = None, warning_text: str | None = None, *,
                    read_front_matter: bool = False, read_notes: bool = False) -> Book:
    """Read *path* (a manuscript file or a folder of them) into a Book.

    *title* (from voices.yaml) overrides the manuscript's own; *warning_text* (voices.yaml
    `content_warning.text`) overrides its warning. *read_front_matter* reads the title page,
    dedication and preface as story; *read_notes* reads author's notes where they stand.
    """
    path = Path(path)
    files = manuscript_files(path)
    documents = [read_file(file, read_notes=read_notes) for file in files]
    _check_encodings(path, documents)
    return assemble(path, documents, title, warning_text, Options(read_front_matter, read_notes))


def manuscript_files(path: Path) -> list[Path]:
    """The manuscript files of *path* in reading order (natural order of names for a folder)."""
    if not path.exists():
        # The wording is the one tests/cli expects; see the report for a version that names every format.
        raise ManuscriptError(f"{path}: no such file or folder; pass a .txt or .md manuscript or a folder of them")
    if path.is_file():
        return [path]
    files = sorted((p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")), key=natural_key)
    unknown = [p for p in files if p.suffix.lower() in NOT_READ]
    if unknown:
        _unsupported(unknown[0])
    files = [p for p in files if p.suffix.lower() in READERS]
    if not files:
        raise ManuscriptError(
            f"{path}: folder has no manuscript files ({SUPPORTED}); put the manuscript's chapters there")
    return files


def read_file(path: Path, *, read_notes: bool = False) -> Document:
    """The Document of one manuscript file, read by the reader for its suffix (or, without one, its content)."""
    reader = READERS.get(path.suffix.lower()) or _sniff(path)
    return _reader(reader)(path, read_notes=read_notes)


def _sniff(path: Path) -> str:
    """The reader for a file whose suffix says nothing: a zip is an EPUB or DOCX, markup is HTML, else text."""
    if path.suffix.lower() in NOT_READ:
        _unsupported(path)
    try:
        with path.open("rb") as file:
            head = file.read(4096)
    except OSError as exc:
        raise ManuscriptError(f"{path}: cannot be read ({exc.strerror}); check the path and its permissions") from exc
    if head.startswith(b"PK\x03\x04"):
        return "epub" if b"application/epub+zip" in head else "docx" if b"word/" in head else _unsupported(path)
    if re.match(rb"\s*(?:<!doctype html|<html)", head, re.I):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        _unsupported(path)
    return "plaintext"


def _reader(name: str) -> Callable[..., Document]:
    """The read function of reader module *name*, imported on first use (so text needs no HTML parser)."""
    from importlib import import_module

    return import_module(f".{name}", __package__).read


def _unsupported(path: Path) -> NoReturn:
    how = NOT_READ.get(path.suffix.lower())
    hint = f"; {how}" if how else ""
    raise ManuscriptError(f"{path}: fullcast cannot read {path.suffix or 'files without a suffix'} files"
                          f" (it reads {SUPPORTED}){hint}")


def _check_encodings(path: Path, documents: list[Document]) -> None:
    """A folder whose files use different character encodings is an error naming two of them."""
    first = documents[0]
    for doc in documents[1:]:
        if doc.encoding != first.encoding:
            raise ManuscriptError(
                f"{doc.source}: is {doc.encoding.upper()} but {first.source} is {first.encoding.upper()}; "
                "a manuscript folder must use one encoding: "
                f"re-save {Path(doc.source).name} as {first.encoding.upper()}"
                if first.encoding == "utf-8" else
                f"{doc.source}: is {doc.encoding.upper()} but {first.source} is {first.encoding.upper()}; "
                "re-save every file of the folder as UTF-8")
