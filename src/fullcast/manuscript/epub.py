"""Read an EPUB 2 or 3 book into a Document: the one module that uses ebooklib.

Chapters come from the spine, one Part per document, titled from the navigation document (EPUB 3)
or the NCX (EPUB 2). The cover page, the table of contents, the copyright page and a title page are
set aside, not read. The OPF gives the title, author, description, language, series and cover image.
A navigation document that cannot be read leaves the titles to the chapters' headings, with a warning.
An archive download (AO3) keeps its preface's tags and its notes apart (`ao3`).

Bad files get one line naming the file: not a zip, a zip that is not an EPUB, DRM-protected content.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from ..errors import ManuscriptError
from ..model import Publication, SetAside
from . import ao3, htmltext
from .document import Document, Part

SKIPPED_TYPES = {"cover": "cover", "toc": "table of contents", "copyright-page": "copyright",
                 "titlepage": "title page", "title-page": "title page", "landmarks": "table of contents",
                 "loi": "table of contents", "lot": "table of contents"}
"""`epub:type` (or guide type) of a document -> the kind of front matter it is."""
OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
"""Font obfuscation algorithms: an encryption.xml that only lists these is not DRM."""


def read(path: Path, read_notes: bool = False) -> Document:
    """The Document of an EPUB file: one part per spine document that is story, metadata from the OPF."""
    _check_container(path)
    book, problems = _load(path)
    titles, nav_problem = _nav_titles(book, problems)
    warnings = (f"{path}: its table of contents cannot be read ({nav_problem}); chapter titles come from the "
                "chapters' own headings",) if nav_problem else ()
    meta, publication = _metadata(book)
    warning = None
    parts: list[Part] = []
    aside: list[SetAside] = []
    work = None
    for item in _spine_documents(book):
        # item.content, not get_content(): that rebuilds the page and loses the <body>'s epub:type.
        soup = htmltext.parse(item.content, f"{path} ({item.get_name()})")
        name = item.get_name()
        if work is None and not parts and soup.select_one("dl.tags") is not None:
            work = ao3.preface(soup)  # an archive download's title page: its tags are the metadata
            aside += [SetAside("notes", text, str(path), document=name) for text in work.notes if not read_notes]
            continue
        if soup.select_one("h2.heading") is not None and soup.select_one("div.userstuff") is not None:
            found, notes = ao3.chapter_parts(soup.body or soup, read_notes, name)
            parts += found
            aside += [SetAside("notes", text, str(path), document=name) for text in notes]
            continue
        kind = _front_kind(book, item, soup, bool(parts))
        blocks = htmltext.blocks(soup.body or soup)
        if kind or not any(b.kind == "p" for b in blocks) and not parts:
            aside += [SetAside(kind or "title page", b.text, str(path), document=name) for b in blocks] or [
                SetAside(kind or "cover", "", str(path), document=name)]
            continue
        if blocks:
            parts.append(htmltext.to_part(blocks, titles.get(name), name))
    if not parts:
        raise ManuscriptError(f"{path}: has no chapters with text in its spine; is it a complete book?")
    if work is not None:
        meta = list(work.metadata) + [pair for pair in meta if pair[0] not in ("Title", "Author")]
        found = work.publication
        publication = replace(found, description=found.description or publication.description,
                              language=found.language or publication.language,
                              cover=publication.cover, cover_type=publication.cover_type)
        warning = ao3.content_warning(found.content_tags)
    return Document(str(path), tuple(parts), tuple(meta), "utf-8", False, publication, warning,
                    set_aside=tuple(aside), warnings=warnings)


def _check_container(path: Path) -> None:
    """Raise a ManuscriptError for a file that is not a zip, a zip that is not an EPUB, or DRM content."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            encryption = archive.read("META-INF/encryption.xml") if "META-INF/encryption.xml" in names else b""
    except zipfile.BadZipFile as exc:
        raise ManuscriptError(f"{path}: is not an EPUB (not a zip file); export the book again as EPUB") from exc
    except OSError as exc:
        raise ManuscriptError(
            f"{path}: cannot be read ({exc.strerror or exc}); check the path and its permissions") from exc
    if "META-INF/container.xml" not in names:
        raise ManuscriptError(f"{path}: is a zip file but not an EPUB (no META-INF/container.xml); "
                              "pass the book's .epub file")
    if {"META-INF/rights.xml", "META-INF/sinf.xml"} & names or _encrypted(encryption):
        raise ManuscriptError(f"{path}: is DRM-protected (its text is encrypted); fullcast can only read an EPUB "
                              "without DRM, such as the author's own export")


def _encrypted(encryption: bytes) -> bool:
    """True when encryption.xml encrypts anything but fonts with a known obfuscation (which is not DRM)."""
    if not encryption:
        return False
    methods = re.findall(rb"Algorithm=\"([^\"]+)\"", encryption)
    targets = re.findall(rb"URI=\"([^\"]+)\"", encryption)
    fonts = all(re.search(rb"\.(?:otf|ttf|woff2?)$", t, re.I) for t in targets)
    return not (fonts and all(m.decode("utf-8", "replace") in OBFUSCATION for m in methods))


def _load(path: Path):
    """The ebooklib book, and the problems met reading its navigation (which do not stop the reading)."""
    from ebooklib import epub

    problems: list[str] = []

    class Reader(epub.EpubReader):
        # A broken navigation document must not lose the book: keep the spine, note the problem.
        def _parse_nav(self, data, base_path, navtype="toc"):
            try:
                super()._parse_nav(data, base_path, navtype)
            except Exception as exc:  # noqa: BLE001 - ebooklib raises anything from lxml and indexing
                problems.append(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

        def _parse_ncx(self, data):
            try:
                super()._parse_ncx(data)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

    try:
        reader = Reader(str(path), {"ignore_ncx": True})
        return reader.load(), problems
    except KeyError as exc:
        raise ManuscriptError(f"{path}: names a file its zip does not hold ({exc}); export the book again") from exc
    except Exception as exc:  # ebooklib raises EpubException, lxml errors, AttributeError on odd OPFs
        raise ManuscriptError(f"{path}: is not a readable EPUB ({type(exc).__name__}: {exc}); "
                              "export the book again as EPUB") from exc


def _nav_titles(book, problems: list[str]) -> tuple[dict[str, str], str | None]:
    """Document name -> its first title in the navigation, and the problem that lost the navigation, if any."""
    titles: dict[str, str] = {}

    def walk(entries) -> None:
        for entry in entries:
            node, children = (entry if isinstance(entry, tuple) else (entry, ()))
            href = unquote((getattr(node, "href", "") or "").split("#")[0])
            if href and (title := " ".join((getattr(node, "title", "") or "").split())):
                titles.setdefault(posixpath.normpath(href), title)
            walk(children)

    walk(book.toc or [])
    names = {item.get_name() for item in book.get_items()}
    missing = [href for href in titles if href not in names]
    if problems:
        return {}, problems[0]
    if titles and len(missing) == len(titles):
        return {}, f"none of its entries points into the book, e.g. {missing[0]}"
    return titles, None


def _metadata(book) -> tuple[list[tuple[str, str]], dict]:
    """Title and author as metadata pairs; description, language, series and cover as Document fields."""
    def dc(name: str) -> str | None:
        values = [" ".join(str(v).split()) for v, _ in book.get_metadata("DC", name) if v]
        return ", ".join(values) if values and name == "creator" else (values[0] if values else None)

    meta = [(key, value) for key, value in (("Title", dc("title")), ("Author", dc("creator"))) if value]
    opf: dict[str, str] = {}
    for tags in book.metadata.values():  # <meta name=... content=...> and EPUB 3 <meta property=...>, any namespace
        for values in tags.values():
            for value, attrs in values:
                if (key := attrs.get("name") or attrs.get("property")) and (value or attrs.get("content")):
                    opf.setdefault(key, " ".join((value or attrs.get("content")).split()))
    description = dc("description")
    cover, cover_type = _cover(book, opf.get("cover"))
    return meta, Publication(description=re.sub(r"<[^>]+>", " ", description).strip() if description else None,
                             language=dc("language"),
                             series=opf.get("calibre:series") or opf.get("belongs-to-collection"),
                             series_part=opf.get("calibre:series_index") or opf.get("group-position"),
                             cover=cover, cover_type=cover_type)


def _cover(book, cover_id: str | None) -> tuple[bytes | None, str | None]:
    """The cover image's bytes and MIME type: the item marked `cover-image`, or the one `<meta name="cover">` names."""
    from ebooklib import ITEM_COVER

    items = list(book.get_items_of_type(ITEM_COVER))
    if not items and cover_id:
        items = [item for item in [book.get_item_with_id(cover_id)] if item is not None]
    items = [item for item in items if (item.media_type or "").startswith("image/")]
    return (items[0].get_content(), items[0].media_type) if items else (None, None)


def _spine_documents(book):
    """The spine's XHTML documents in reading order, the navigation document left out."""
    from ebooklib import ITEM_DOCUMENT

    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ITEM_DOCUMENT:
            continue
        if "nav" in (getattr(item, "properties", None) or []) or type(item).__name__ == "EpubNav":
            continue
        yield item


def _front_kind(book, item, soup, after_story: bool) -> str | None:
    """The kind of front matter a spine document is (cover, contents, copyright, title page), or None."""
    types = {t for el in soup.find_all(True, limit=6) for t in (el.get("epub:type") or "").split()}
    types |= {g.get("type", "") for g in getattr(book, "guide", []) if (g.get("href") or "").split("#")[0]
              == item.get_name()}
    for name, kind in SKIPPED_TYPES.items():
        if name in types and not (after_story and kind == "title page"):
            return kind
    if type(item).__name__ == "EpubCoverHtml":
        return "cover"
    return None
