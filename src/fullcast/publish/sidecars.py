"""The files library servers read beside the audio: `metadata.json`, `metadata.opf` and `cover.jpg`.

Audiobookshelf ranks what it reads, lowest first: the folder name, the first file's tags,
`desc.txt`, an `.opf`, then `metadata.json`. Only `metadata.json` sets its explicit flag, and
only the sidecars keep a narrator credit exactly as written (it re-capitalises names read from
tags). A `cover.jpg` or `cover.png` in the folder wins over the embedded picture.

`metadata.opf` is OPF 3 with the `opf` namespace declared, so the OPF 2 attributes
(`opf:role`, `opf:scheme`) that Audiobookshelf and calibre read sit beside the EPUB 3
`refines` forms that reading systems read. ElementTree writes it, so every value is escaped by
the library. ElementTree gives one prefix per namespace, so the package is written as
`<opf:package xmlns:opf=...>`: Audiobookshelf reads a prefixed package, and to a namespace-aware
reader it is the same element as a bare `<package>`.

Which cover file fullcast wrote is recorded in a hidden `.fullcast-sidecars.json` (players
skip dot-files), so a stale `cover.png` left by an earlier render is removed when the cover
becomes a JPEG, while a cover the producer put there by hand is never touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import OutputError
from .cover import Cover
from .folder import writable_folder, write_bytes_atomic, write_text_atomic
from .metadata import BookMetadata
from .tag import ChapterMark

METADATA_JSON = "metadata.json"
"""Audiobookshelf's sidecar; it outranks every other source of book metadata."""
METADATA_OPF = "metadata.opf"
"""The OPF sidecar, for Audiobookshelf, calibre and the players that read OPF."""
COVER_NAMES = ("cover.jpg", "cover.png")
"""The cover sidecar's names; the extension matches the image's real type."""
RECORD_NAME = ".fullcast-sidecars.json"
"""Hidden record of the cover file fullcast wrote (name -> SHA-256), so only that one is ever removed."""
OPF_NS = "http://www.idpf.org/2007/opf"
"""The OPF namespace (package, metadata, meta, and the OPF 2 attributes)."""
DC_NS = "http://purl.org/dc/elements/1.1/"
"""Dublin Core, the `dc:` elements."""

ET.register_namespace("opf", OPF_NS)
ET.register_namespace("dc", DC_NS)


def _opf(name: str) -> str:
    """*name* in the OPF namespace, as ElementTree spells it."""
    return f"{{{OPF_NS}}}{name}"


def _dc(name: str) -> str:
    """*name* in the Dublin Core namespace, as ElementTree spells it."""
    return f"{{{DC_NS}}}{name}"


# --------------------------------------------------------------------------- metadata.json


def metadata_json(meta: BookMetadata, marks: Sequence[ChapterMark]) -> dict[str, Any]:
    """Audiobookshelf's `metadata.json` for the book, with its chapters in seconds on the whole book's timeline.

    Absent values are null and absent lists empty: Audiobookshelf skips a null, so the tags
    still speak for it. A chapter without a title is called "Chapter N", because
    Audiobookshelf drops every chapter of a file when one of them has no title.
    """
    return {
        "tags": list(meta.tags),
        "chapters": [
            {"id": index, "start": _seconds(mark.start_ms), "end": _seconds(mark.end_ms),
             "title": mark.title.strip() or f"Chapter {index + 1}"}
            for index, mark in enumerate(marks)
        ],
        "title": meta.title,
        "subtitle": meta.subtitle,
        "authors": list(meta.authors),
        "narrators": list(meta.narrators),
        "series": [meta.series_label] if meta.series_label else [],
        "genres": list(meta.genres),
        "publishedYear": meta.year,
        "publishedDate": None,
        "publisher": meta.publisher,
        "description": meta.description,
        "isbn": meta.isbn,
        "asin": meta.asin,
        "language": meta.language,
        "explicit": meta.explicit,
        "abridged": meta.abridged,
    }


def metadata_json_text(meta: BookMetadata, marks: Sequence[ChapterMark]) -> str:
    """`metadata_json` as the file's text: indented 2, non-ASCII kept as it is, a final newline."""
    return json.dumps(metadata_json(meta, marks), indent=2, ensure_ascii=False) + "\n"


def _seconds(ms: int) -> float:
    """Milliseconds as seconds, a float to the millisecond."""
    return round(ms / 1000, 3)


# --------------------------------------------------------------------------- metadata.opf


def metadata_opf(meta: BookMetadata) -> str:
    """The book as an OPF package's metadata, the text of `metadata.opf` (UTF-8, with its XML declaration)."""
    package = ET.Element(_opf("package"), {"version": "3.0", "unique-identifier": "book-id"})
    metadata = ET.SubElement(package, _opf("metadata"))
    _add(metadata, "title", meta.title, id="title")
    if meta.subtitle:
        _add(metadata, "subtitle", meta.subtitle)
    _add_creators(metadata, meta.authors, "aut", "author")
    _add_creators(metadata, meta.narrators, "nrt", "narrator")
    _add_identifiers(metadata, meta)
    _add(metadata, "language", meta.language)
    for name, value in (("date", meta.year), ("publisher", meta.publisher), ("description", meta.description)):
        if value:
            _add(metadata, name, value)
    for genre in meta.genres:
        _add(metadata, "subject", genre)  # no attributes: Audiobookshelf skips a subject that has any
    for tag in meta.tags:
        _add(metadata, "tag", tag)
    _add_series(metadata, meta)
    tree = ET.ElementTree(package)
    ET.indent(tree, space="  ")
    out = io.BytesIO()
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue().decode("utf-8") + "\n"


def _add(metadata: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
    """Append `<dc:name>text</dc:name>` to *metadata*."""
    element = ET.SubElement(metadata, _dc(name), attributes)
    element.text = text
    return element


def _meta(metadata: ET.Element, text: str | None = None, **attributes: str) -> ET.Element:
    """Append an OPF `<meta>`: EPUB 3's `property` form (with *text*) or OPF 2's `name`/`content` form."""
    element = ET.SubElement(metadata, _opf("meta"), attributes)
    element.text = text
    return element


def _add_creators(metadata: ET.Element, names: Sequence[str], role: str, prefix: str) -> None:
    """Each credit as a `dc:creator` with its role said twice: OPF 2's `opf:role` and EPUB 3's refining meta."""
    for number, name in enumerate(names, start=1):
        ident = f"{prefix}-{number}"
        _add(metadata, "creator", name, **{"id": ident, _opf("role"): role})
        _meta(metadata, role, refines=f"#{ident}", property="role", scheme="marc:relators")


def _add_identifiers(metadata: ET.Element, meta: BookMetadata) -> None:
    """The package's own identifier (a stable `urn:uuid:`), then the ISBN and ASIN with their OPF 2 schemes."""
    _add(metadata, "identifier", meta.urn, id="book-id")  # the read-along EPUB's own, without an ISBN
    for scheme, value in (("ISBN", meta.isbn), ("ASIN", meta.asin)):
        if value:
            _add(metadata, "identifier", value, **{_opf("scheme"): scheme})


def _add_series(metadata: ET.Element, meta: BookMetadata) -> None:
    """The series as calibre writes it (Audiobookshelf reads `series_index` from the very next meta) and as
    EPUB 3's collection, which Apple Books reads."""
    if not meta.series:
        return
    _meta(metadata, name="calibre:series", content=meta.series)
    if meta.series_part:
        _meta(metadata, name="calibre:series_index", content=meta.series_part)
    _meta(metadata, meta.series, property="belongs-to-collection", id="series")
    _meta(metadata, "series", refines="#series", property="collection-type")
    if meta.series_part:
        _meta(metadata, meta.series_part, refines="#series", property="group-position")


# --------------------------------------------------------------------------- writing


def write_sidecars(folder: Path, meta: BookMetadata, marks: Sequence[ChapterMark],
                   cover: Cover | None, state: Path | None = None) -> tuple[Path, ...]:
    """Write `metadata.json`, `metadata.opf` and the cover into the book *folder*; the paths written or kept.

    A file already holding the same bytes is left alone. The cover is `cover.png` when its bytes
    are PNG, else `cover.jpg`; the other one is removed when fullcast wrote it, and so is
    fullcast's cover when the book now has none. Which cover fullcast wrote is recorded in
    *state* (the book folder's state folder, outside the library; by default *folder* itself).
    """
    json_path, opf_path = folder / METADATA_JSON, folder / METADATA_OPF
    write_text_atomic(json_path, metadata_json_text(meta, marks), "the Audiobookshelf metadata (metadata.json)")
    write_text_atomic(opf_path, metadata_opf(meta), "the OPF metadata (metadata.opf)")
    cover_path = _write_cover(folder, cover, state or folder)
    return (json_path, opf_path) + ((cover_path,) if cover_path else ())


def _write_cover(folder: Path, cover: Cover | None, state: Path) -> Path | None:
    """Write *cover* under its right name, remove fullcast's cover of the other type, and record what is ours."""
    record = _read_record(state)
    name = cover_name(cover) if cover is not None else None
    for other in COVER_NAMES:
        if other != name:
            _remove_if_ours(folder / other, record.get(other))
    ours = {}
    if cover is not None and name is not None:
        write_bytes_atomic(folder / name, cover.data, f"the cover ({name})")
        ours[name] = _sha256(cover.data)
    writable_folder(state)
    write_text_atomic(state / RECORD_NAME, json.dumps({"covers": ours}, indent=2) + "\n", "the sidecar record")
    return folder / name if name else None


def cover_name(cover: Cover) -> str:
    """`cover.png` when the cover's bytes are PNG, else `cover.jpg` (its MIME type is trusted only as a hint)."""
    return "cover.png" if cover.data.startswith(b"\x89PNG\r\n\x1a\n") else "cover.jpg"


def _read_record(state: Path) -> dict[str, str]:
    """The covers an earlier render wrote (name -> SHA-256); empty when there is no readable record."""
    try:
        covers = json.loads((state / RECORD_NAME).read_text(encoding="utf-8")).get("covers", {})
    except (OSError, ValueError, AttributeError):
        return {}  # no record, or a damaged one: then no file is known to be ours, and none is removed
    if not isinstance(covers, dict):
        return {}
    return {name: digest for name, digest in covers.items() if name in COVER_NAMES and isinstance(digest, str)}


def _remove_if_ours(path: Path, digest: str | None) -> None:
    """Delete *path* when it still holds the bytes fullcast wrote (*digest*); a replaced or foreign file stays."""
    try:
        if digest is None or not path.is_file() or _sha256(path.read_bytes()) != digest:
            return
        path.unlink()
    except OSError as exc:
        raise OutputError(f"{path}: cannot remove the cover an earlier render wrote ({exc.strerror or exc}); "
                          "delete it by hand or make the folder writable") from exc


def _sha256(data: bytes) -> str:
    """Hex SHA-256 of *data*."""
    return hashlib.sha256(data).hexdigest()
