"""The read-along edition: an EPUB 3 whose text lights up, segment by segment, as the chapter audio plays.

The text is the script as segmented, one content document per chapter; each segment is a
`<span>` classed by its kind and its speaker, and a SMIL media overlay per chapter points that
span at the embedded chapter MP3 from the cue's exact start (the transcripts' time) to the next
segment's start, so the pauses between segments are played too. Every XML file is built with
ElementTree, so all escaping is the library's. `epubpackage` lists the files and zips them. The file is
deterministic: fixed zip times and a `dcterms:modified` taken from the newest input file, so an unchanged
book gives identical bytes.
"""

from __future__ import annotations

import colorsys
import filecmp
import hashlib
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import OutputError
from ..model import NARRATOR, ChapterAudio, Cue, Pause, SegmentKind
from .cover import Cover
from .epubpackage import ACTIVE_CLASS, ROOT, XML_LANG, Listed, element, package, to_xml, write_zip
from .folder import PART
from .metadata import BookMetadata

XHTML, OPS = "http://www.w3.org/1999/xhtml", "http://www.idpf.org/2007/ops"
SMIL, CONTAINER = "http://www.w3.org/ns/SMIL", "urn:oasis:names:tc:opendocument:xmlns:container"
PALETTE = ("#1f5fbf", "#b3261e", "#1b7f3b", "#8e44ad", "#a15c00", "#00707a", "#c2185b", "#5c6b00",
           "#5c4bc4", "#8a4f2a")
"""Speaker colours, each at least 4.5:1 against white; more speakers get generated dark hues."""
STYLE = f"""body {{ line-height: 1.5; }}
h1.chapter-title {{ text-align: center; margin: 1em 0 1.5em; }}
.content-warning {{ border: 1px solid #999; padding: 0 1em; margin-bottom: 2em; font-size: 0.9em; }}
hr.scene-break {{ border: 0; border-top: 1px solid #999; width: 30%; margin: 1.5em auto; }}
.monologue {{ font-style: italic; }}
.{ACTIVE_CLASS} {{ background-color: #ffe680; color: #000; }}
div.cover {{ text-align: center; }}
div.cover img {{ max-width: 100%; max-height: 95vh; }}
"""
"""The stylesheet's fixed rules; a colour rule per speaker but the narrator follows them."""


@dataclass(frozen=True)
class _Doc:
    """One chapter's content document: all the files (parts) of the chapter, in order."""

    number: int
    """The chapter number."""
    title: str
    """The chapter title."""
    files: tuple[ChapterAudio, ...]
    """The chapter's audio files, part 1 first."""

    @property
    def name(self) -> str:
        """Base name of its XHTML and SMIL files and its manifest id (`chapter-001`)."""
        return f"chapter-{self.number:03d}"


@dataclass(frozen=True)
class _Par:
    """One segment of the read-along: its span in the text and its clip in the audio."""

    span: str
    """The span's id in the chapter's XHTML."""
    audio: str
    """The audio file's href, relative to the package document."""
    cue: Cue
    """Where the segment's speech sits in that file."""
    end_ms: int = 0
    """Where its clip ends: the next segment's start in the same file, so the pause after it is heard."""


def write_readalong(dest: Path, meta: BookMetadata, chapters: Sequence[ChapterAudio], cover: Cover | None) -> Path:
    """Write the read-along EPUB 3 of *chapters* to *dest* (via a hidden part file and a rename); return *dest*.

    An OSError becomes an OutputError naming the file and the fix; an existing identical file is left untouched.
    """
    if not chapters:
        raise ValueError("write_readalong needs at least one chapter")
    docs = _documents(chapters)
    classes = speaker_classes(c.segment.speaker for a in chapters for c in a.cues)
    texts, overlays = _content(meta, docs, classes, cover)
    texts.append((f"{ROOT}/package.opf", package(meta, _listed(docs, overlays), cover, _modified(chapters, cover))))
    media = [(f"{ROOT}/{_audio_href(a)}", a.path) for doc in docs for a in doc.files]
    tmp = dest.with_name(f".{dest.name}{PART}{os.getpid()}")
    try:
        write_zip(tmp, texts, media, cover)
        if not (dest.is_file() and filecmp.cmp(tmp, dest, shallow=False)):
            os.replace(tmp, dest)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write the read-along EPUB ({exc.strerror or exc}); "
                          "check free space and that the folder is writable") from exc
    finally:  # also on Ctrl-C between the write and the rename
        tmp.unlink(missing_ok=True)
    return dest


def speaker_classes(speakers: Iterable[str]) -> dict[str, str]:
    """Speaker -> its CSS class (`speaker-maren-holt`), in first-appearance order; unique per speaker.

    Names that fold to the same ASCII slug ("O'Neil", "O Neil") each get a hash of the exact name
    after a `--`, which no plain slug contains; the narrator is always `speaker-narrator`.
    """
    slugs = {name: _slug(name) for name in dict.fromkeys(s or NARRATOR for s in speakers)}
    counts = Counter([*slugs.values(), "narrator"])
    classes = {}
    for name, slug in slugs.items():
        if name == NARRATOR:
            classes[name] = "speaker-narrator"
        elif slug and counts[slug] == 1:
            classes[name] = f"speaker-{slug}"
        else:
            classes[name] = f"speaker-{slug}--{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"
    return classes


# --------------------------------------------------------------------------- content documents


def _documents(chapters: Sequence[ChapterAudio]) -> list[_Doc]:
    """The chapters grouped into one document each, in reading order, their parts sorted."""
    grouped: dict[int, list[ChapterAudio]] = {}
    for audio in chapters:
        grouped.setdefault(audio.chapter.number, []).append(audio)
    return [_Doc(number, files[0].chapter.title, tuple(sorted(files, key=lambda a: a.part)))
            for number, files in grouped.items()]


def _content(meta: BookMetadata, docs: list[_Doc], classes: dict[str, str],
             cover: Cover | None) -> tuple[list[tuple[str, bytes]], dict[str, list[_Par]]]:
    """Every text file but the package document, and each document's pars (empty for a silent one)."""
    container = element(None, "container", {"xmlns": CONTAINER, "version": "1.0"})
    element(element(container, "rootfiles"), "rootfile", {"full-path": f"{ROOT}/package.opf",
                                                          "media-type": "application/oebps-package+xml"})
    others = [css for name, css in classes.items() if name != NARRATOR]
    style = STYLE + "".join(f".{css} {{ color: {_colour(i)}; }}\n" for i, css in enumerate(others))
    texts = [("META-INF/container.xml", to_xml(container)), (f"{ROOT}/style.css", style.encode("utf-8"))]
    overlays: dict[str, list[_Par]] = {}
    for doc in docs:
        page, overlays[doc.name] = _chapter_page(doc, meta.language, classes)
        texts.append((f"{ROOT}/{doc.name}.xhtml", to_xml(page)))
        if overlays[doc.name]:
            texts.append((f"{ROOT}/{doc.name}.smil", to_xml(_smil(doc, overlays[doc.name]))))
    texts.append((f"{ROOT}/nav.xhtml", to_xml(_nav(meta, docs, overlays))))
    if cover is not None:
        html, body = _page(meta.title, meta.language, "cover")
        element(element(body, "div", {"class": "cover"}), "img", {"src": f"images/cover{cover.extension}",
                                                                  "alt": f"Cover: {meta.title}"})
        texts.append((f"{ROOT}/cover.xhtml", to_xml(html)))
    return texts, overlays


def _page(title: str, language: str, body_type: str) -> tuple[ET.Element, ET.Element]:
    """An empty XHTML page linked to the stylesheet: (html, body)."""
    html = element(None, "html", {"xmlns": XHTML, "xmlns:epub": OPS, "lang": language, XML_LANG: language})
    head = element(html, "head")
    element(head, "title", text=title.strip() or "Untitled")
    element(head, "link", {"rel": "stylesheet", "type": "text/css", "href": "style.css"})
    return html, element(html, "body", {"epub:type": body_type})


def _chapter_page(doc: _Doc, language: str, classes: dict[str, str]) -> tuple[ET.Element, list[_Par]]:
    """The chapter's XHTML: warning section, heading, paragraphs rebuilt from the pauses; and its pars."""
    html, body = _page(doc.title, language, "bodymatter chapter")
    pars: list[_Par] = []
    block = warning = None
    for audio in doc.files:
        for cue in audio.cues:
            segment, text = cue.segment, " ".join(cue.segment.text.split())
            if not text:
                continue  # nothing to show or to highlight
            if segment.kind is SegmentKind.WARNING:
                if warning is None or body[-1] is not warning:  # ids once: a warning is read once, at the top
                    warning = element(body, "section", {"class": "content-warning"} | _first(body, "content-warning"))
                parent, block = element(warning, "p"), None
            elif segment.kind is SegmentKind.HEADING:
                parent, block = element(body, "h1", {"class": "chapter-title"} | _first(body, "chapter-title")), None
            else:
                parent = block = _paragraph(body, block, segment.pause)
            pars.append(_Par(f"s{len(pars) + 1}", _audio_href(audio), cue))
            kind, speaker = segment.kind, classes[segment.speaker or NARRATOR]
            element(parent, "span", {"id": pars[-1].span, "class": f"{kind.value} {speaker}"},
                    f"\u201c{text}\u201d" if kind is SegmentKind.DIALOGUE else text)
    if body.find("h1") is None:  # a chapter whose heading was not spoken still shows its title
        body.insert(0, element(None, "h1", {"class": "chapter-title", "id": "chapter-title"}, doc.title))
    return html, _joined(pars)


def _joined(pars: list[_Par]) -> list[_Par]:
    """Each clip runs on to the next segment's start in the same file: a reading system plays clip after clip
    and would skip the gaps, so without this every pause between paragraphs and scenes would be lost."""
    ends = [nxt.cue.start_ms if nxt.audio == par.audio else par.cue.end_ms for par, nxt in zip(pars, pars[1:])]
    return [replace(par, end_ms=end) for par, end in zip(pars, ends + [pars[-1].cue.end_ms] if pars else [])]


def _first(body: ET.Element, element_id: str) -> dict[str, str]:
    """`{"id": element_id}` unless an element in *body* already has that id."""
    return {} if body.find(f".//*[@id='{element_id}']") is not None else {"id": element_id}


def _paragraph(body: ET.Element, block: ET.Element | None, pause: Pause) -> ET.Element:
    """The `<p>` a story segment goes in: the open one for an INLINE segment, else a new one (after a
    visible rule when it opens a new scene)."""
    if block is not None and pause is Pause.INLINE:
        block[-1].tail = " "
        return block
    if pause is Pause.SCENE and len(body):
        element(body, "hr", {"class": "scene-break"})
    return element(body, "p")


def _smil(doc: _Doc, pars: list[_Par]) -> ET.Element:
    """The chapter's media overlay: a par per segment, its text span and its exact clip."""
    smil = element(None, "smil", {"xmlns": SMIL, "xmlns:epub": OPS, "version": "3.0"})
    body = element(smil, "body")
    for number, par in enumerate(pars, 1):
        entry = element(body, "par", {"id": f"p{number}"})
        element(entry, "text", {"src": f"{doc.name}.xhtml#{par.span}"})
        element(entry, "audio", {"src": par.audio, "clipBegin": _seconds(par.cue.start_ms),
                                 "clipEnd": _seconds(par.end_ms)})
    return smil


def _nav(meta: BookMetadata, docs: list[_Doc], overlays: dict[str, list[_Par]]) -> ET.Element:
    """The navigation document: the content warning (where it first appears) and every chapter."""
    html, body = _page(meta.title, meta.language, "frontmatter")
    nav = element(body, "nav", {"epub:type": "toc", "id": "toc"})
    element(nav, "h1", text="Contents")
    entries = element(nav, "ol")
    links: list[tuple[str, str]] = []
    warned = False
    for doc in docs:
        if not warned and any(p.cue.segment.kind is SegmentKind.WARNING for p in overlays[doc.name]):
            warned = True  # listed once, where it is first read, even when every chapter repeats it
            links.append((f"{doc.name}.xhtml#content-warning", "Content warning"))
        links.append((f"{doc.name}.xhtml#chapter-title", doc.title.strip() or f"Chapter {doc.number}"))
    for href, label in links:
        element(element(entries, "li"), "a", {"href": href}, label)
    return html


def _colour(index: int) -> str:
    """The *index*-th speaker colour: the palette, then dark hues a golden angle apart."""
    if index < len(PALETTE):
        return PALETTE[index]
    red, green, blue = colorsys.hls_to_rgb((index * 0.381966) % 1.0, 0.3, 0.7)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def _listed(docs: list[_Doc], overlays: dict[str, list[_Par]]) -> list[Listed]:
    """The documents as the package lists them. An overlay plays its clips one after the other, so its duration
    is theirs, not the file's."""
    return [Listed(doc.name, tuple(_audio_href(audio) for audio in doc.files),
                   sum(par.end_ms - par.cue.start_ms for par in pars) if (pars := overlays[doc.name]) else None)
            for doc in docs]


# --------------------------------------------------------------------------- files


def _modified(chapters: Sequence[ChapterAudio], cover: Cover | None) -> str:
    """`dcterms:modified`: the newest input file's modification time (UTC), not the clock."""
    paths = [a.path for a in chapters] + ([cover.source] if cover and isinstance(cover.source, Path) else [])
    newest = max((p.stat().st_mtime for p in paths if p.is_file()), default=0)  # a missing one fails when copied
    return datetime.fromtimestamp(int(newest), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _audio_href(audio: ChapterAudio) -> str:
    """Where the file sits in the EPUB: `audio/chapter-003.mp3`, or `audio/chapter-003-2.mp3` for part 2."""
    return f"audio/chapter-{audio.chapter.number:03d}{f'-{audio.part}' if audio.parts > 1 else ''}.mp3"


def _slug(name: str) -> str:
    """*name* folded to lower-case ASCII letters and digits joined by single hyphens ("" when none are left)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _seconds(ms: int) -> str:
    """A SMIL clock value in seconds with millisecond precision: `12.345s`."""
    ms = max(0, int(ms))
    return f"{ms // 1000}.{ms % 1000:03d}s"
