"""The read-along EPUB's container: its package document (the OPF's metadata, manifest and spine) and its zip.

`readalong` builds the content (chapter pages, media overlays, navigation); this module lists and describes it
and writes every file into one deterministic zip: `mimetype` first and stored, fixed entry times, so the same
book gives the same bytes. Every XML file of the EPUB is built with `element` and serialised with `to_xml`.
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import OutputError
from ..settings.values import isbn_problem
from .cover import Cover
from .metadata import BookMetadata

OPF, DC = "http://www.idpf.org/2007/opf", "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ROOT = "EPUB"
"""The folder inside the zip that holds the package document and everything it lists."""
ACTIVE_CLASS = "-epub-media-overlay-active"
"""The class a reading system puts on the span being read aloud (declared as `media:active-class`)."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every zip entry's timestamp: fixed, so the same book gives the same bytes."""
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all, escaped or not."""
_W3CDTF = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
"""A `dc:date` epubcheck accepts without a warning."""


@dataclass(frozen=True)
class Listed:
    """One chapter's content document as the package lists it."""

    name: str
    """Base name of its XHTML and SMIL files and its manifest id (`chapter-001`)."""
    audio: tuple[str, ...]
    """Its audio files' hrefs (`audio/chapter-001.mp3`), part 1 first."""
    overlay_ms: int | None
    """Its media overlay's duration (the sum of its clips), or None when it has no overlay."""


def package(meta: BookMetadata, documents: Sequence[Listed], cover: Cover | None, modified: str) -> bytes:
    """The OPF: metadata (with each overlay's duration and the total), manifest and spine."""
    root = element(None, "package", {"xmlns": OPF, "version": "3.0", "unique-identifier": "book-id",
                                     XML_LANG: meta.language})
    metadata = element(root, "metadata", {"xmlns:dc": DC})
    _describe(metadata, meta, modified)
    durations = {doc.name: doc.overlay_ms for doc in documents if doc.overlay_ms is not None}
    for name, ms in durations.items():
        element(metadata, "meta", {"property": "media:duration", "refines": f"#{name}-overlay"}, _clock(ms))
    element(metadata, "meta", {"property": "media:duration"}, _clock(sum(durations.values())))
    element(metadata, "meta", {"property": "media:active-class"}, ACTIVE_CLASS)
    if cover is not None:
        element(metadata, "meta", {"name": "cover", "content": "cover-image"})  # for EPUB 2 reading systems
    _manifest(element(root, "manifest"), documents, cover)
    spine = element(root, "spine")
    for idref in (["cover"] if cover is not None else []) + [doc.name for doc in documents]:
        element(spine, "itemref", {"idref": idref})
    return to_xml(root)


def book_identifier(meta: BookMetadata) -> str:
    """`urn:isbn:…` when the ISBN checks out, else a `urn:uuid:` fixed by the title and authors."""
    if meta.isbn and isbn_problem(meta.isbn) is None:
        return "urn:isbn:" + re.sub(r"[\s-]", "", meta.isbn).upper()
    return meta.urn


def _describe(metadata: ET.Element, meta: BookMetadata, modified: str) -> None:
    """The Dublin Core and EPUB metadata: identifier, titles, credits, language, series, dates."""
    def prop(name: str, text: str, **attrs: str) -> None:
        """An EPUB 3 `<meta property=…>`."""
        element(metadata, "meta", {"property": name, **attrs}, text)

    element(metadata, "dc:identifier", {"id": "book-id"}, book_identifier(meta))
    for title_id, title in (("title", meta.title), ("subtitle", meta.subtitle)):
        if title:
            element(metadata, "dc:title", {"id": title_id}, title)
            prop("title-type", "main" if title_id == "title" else "subtitle", refines=f"#{title_id}")
    for tag, role, names in (("dc:creator", "aut", meta.authors), ("dc:contributor", "nrt", meta.narrators)):
        for number, name in enumerate(names, 1):
            element(metadata, tag, {"id": f"{role}-{number}"}, name)
            prop("role", role, refines=f"#{role}-{number}", scheme="marc:relators")
    for name in meta.narrators:
        prop("media:narrator", name)
    year = (meta.year or "").strip()
    for tag, value in (("language", meta.language), ("publisher", meta.publisher),
                       ("description", meta.description), ("date", year if _W3CDTF.fullmatch(year) else None),
                       *(("subject", genre) for genre in meta.genres)):
        if value:
            element(metadata, f"dc:{tag}", text=value)
    if meta.series:
        prop("belongs-to-collection", meta.series, id="series")
        prop("collection-type", "series", refines="#series")
        if meta.series_part:
            prop("group-position", meta.series_part, refines="#series")
    prop("dcterms:modified", modified)


def _manifest(manifest: ET.Element, documents: Sequence[Listed], cover: Cover | None) -> None:
    """Every file but the mimetype, the container and the OPF itself."""
    def item(item_id: str, href: str, media_type: str, **extra: str) -> None:
        """One manifest `<item>`."""
        element(manifest, "item", {"id": item_id, "href": href, "media-type": media_type, **extra})

    item("nav", "nav.xhtml", "application/xhtml+xml", properties="nav")
    item("style", "style.css", "text/css")
    if cover is not None:
        item("cover", "cover.xhtml", "application/xhtml+xml")
        item("cover-image", f"images/cover{cover.extension}", cover.mime, properties="cover-image")
    for doc in documents:
        overlay = {"media-overlay": f"{doc.name}-overlay"} if doc.overlay_ms is not None else {}
        item(doc.name, f"{doc.name}.xhtml", "application/xhtml+xml", **overlay)
        if overlay:
            item(f"{doc.name}-overlay", f"{doc.name}.smil", "application/smil+xml")
        for href in doc.audio:
            item("audio" + href.removeprefix("audio/chapter").removesuffix(".mp3"), href, "audio/mpeg")


def write_zip(path: Path, texts: list[tuple[str, bytes]], media: list[tuple[str, Path]],
              cover: Cover | None) -> None:
    """The zip: `mimetype` first and stored, the text files deflated, the audio and the cover stored."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(_entry("mimetype", zipfile.ZIP_STORED), b"application/epub+zip")
        for name, data in texts:
            archive.writestr(_entry(name, zipfile.ZIP_DEFLATED), data)
        if cover is not None:
            archive.writestr(_entry(f"{ROOT}/images/cover{cover.extension}", zipfile.ZIP_STORED), cover.data)
        for name, source in media:
            try:
                audio = open(source, "rb")
            except OSError as exc:
                raise OutputError(f"{source}: cannot read the chapter audio for the read-along EPUB "
                                  f"({exc.strerror or exc}); render the book again to remake it") from exc
            with audio:
                entry = _entry(name, zipfile.ZIP_STORED)
                entry.file_size = os.fstat(audio.fileno()).st_size  # tells zipfile whether it needs ZIP64
                with archive.open(entry, "w") as out:
                    shutil.copyfileobj(audio, out, 1 << 20)


def _entry(name: str, compression: int) -> zipfile.ZipInfo:
    """A zip entry with a fixed time and permissions, the same on every platform."""
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type, info.create_system, info.external_attr = compression, 3, 0o644 << 16
    return info


def element(parent: ET.Element | None, tag: str, attrs: dict[str, str] | None = None,
            text: str | None = None) -> ET.Element:
    """A new element (a child of *parent* when given), its text and attribute values made XML-safe."""
    clean = {key: _INVALID_XML.sub("", value) for key, value in (attrs or {}).items()}
    made = ET.Element(tag, clean) if parent is None else ET.SubElement(parent, tag, clean)
    if text is not None:
        made.text = _INVALID_XML.sub("", text)
    return made


def to_xml(root: ET.Element) -> bytes:
    """*root* as UTF-8 XML. Its namespaces are plain `xmlns` attributes: ElementTree's own handling writes `ns0:`
    prefixes or refuses EPUB's unprefixed attributes, and registering prefixes is global."""
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _clock(ms: int) -> str:
    """A `media:duration` clock value: `1:02:03.456`."""
    hours, rest = divmod(max(0, int(ms)), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
