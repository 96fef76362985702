"""readalong: the EPUB 3 read-along edition (text, overlays, metadata), read back with XML parsers and epubcheck."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from fullcast.audio.ffmpeg import run_ffmpeg
from fullcast.errors import OutputError
from fullcast.model import NARRATOR, Chapter, ChapterAudio, Cue, Pause, Segment, SegmentKind
from fullcast.publish.cover import cover_from_bytes
from fullcast.publish.metadata import BookMetadata
from fullcast.publish.readalong import speaker_classes, write_readalong

from support.library import epubcheck

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/ns/SMIL",
      "epub": "http://www.idpf.org/2007/ops", "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
TITLE = 'Über/..\\ "Quotes" & <tags>'
ODD = "Zoë “Ø’Brien-Smith” <&> 李"
MTIME = 1_700_000_000  # 2023-11-14T22:13:20Z
K, P = SegmentKind, Pause
META = BookMetadata(
    title=TITLE, authors=("Ada Author",), narrators=("the fullcast ensemble",), subtitle="A Harbour Tale",
    series="Harbour", series_part="2", genres=("Fantasy", "Mystery"), tags=("found family",), language="en-GB",
    publisher="Pub & Co", year="2024", isbn="978-0-306-40615-7", blurb="A blurb.", warning="violence",
)


def cue(chapter: int, index: int, kind: SegmentKind, speaker: str, text: str, pause: Pause, start: int,
        end: int) -> Cue:
    return Cue(Segment(chapter, index, kind, speaker, text, None, None, None, pause), start, end)


ONE = Chapter(1, "Chapter One: The Harbour", "book.txt", "", None, ())
TWO = Chapter(2, TITLE, "book.txt", "", None, ())
CUES_ONE = (
    cue(1, 0, K.WARNING, NARRATOR, "Content warning: violence.", P.START, 750, 2210),
    cue(1, 1, K.HEADING, NARRATOR, "Chapter One: The Harbour", P.HEADING, 3410, 4230),
    cue(1, 2, K.DIALOGUE, "Maren Holt", "Hello\n  there,", P.HEADING, 4830, 5999),
    cue(1, 3, K.NARRATION, NARRATOR, "she said.", P.INLINE, 6249, 6900),
    cue(1, 4, K.NARRATION, NARRATOR, "   ", P.PARAGRAPH, 6900, 6900),
    cue(1, 5, K.MONOLOGUE, ODD, "I can't <breathe> & wait.", P.PARAGRAPH, 7500, 8001),
    cue(1, 6, K.NARRATION, NARRATOR, "Later.", P.SCENE, 9801, 10_450),
)
CUES_TWO_A = (
    cue(2, 0, K.HEADING, NARRATOR, TITLE, P.START, 750, 1500),
    cue(2, 1, K.DIALOGUE, "Maren-Holt", "Yes.", P.HEADING, 2700, 3100),
)
CUES_TWO_B = (cue(2, 2, K.DIALOGUE, ODD, "No.", P.PARAGRAPH, 750, 1012),)


@pytest.fixture(scope="module")
def mp3s(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three tiny real MP3s (11 s, 4 s, 2 s of sine) with a fixed modification time."""
    folder = tmp_path_factory.mktemp("audio")
    paths = []
    for name, seconds in (("01 - One.mp3", 11), ("02a - Two.mp3", 4), ("02b - Two.mp3", 2)):
        run_ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-ac", "1", "-b:a", "32k",
                    folder / name])
        os.utime(folder / name, (MTIME, MTIME - 100 if name.startswith("02b") else MTIME))
        paths.append(folder / name)
    return paths


def chapters(mp3s: list[Path]) -> list[ChapterAudio]:
    """Chapter 1 with the warning, chapter 2 split over two files (given out of order)."""
    return [ChapterAudio(ONE, mp3s[0], 11_000, CUES_ONE), ChapterAudio(TWO, mp3s[2], 2000, CUES_TWO_B, 2, 2),
            ChapterAudio(TWO, mp3s[1], 4000, CUES_TWO_A, 1, 2)]


def cover():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), (200, 30, 30)).save(buffer, "JPEG")
    return cover_from_bytes(buffer.getvalue(), "cover.jpg")


@pytest.fixture(scope="module")
def epub(mp3s: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("book") / "book.epub"
    assert write_readalong(dest, META, chapters(mp3s), cover()) == dest
    return dest


def read(epub: Path, name: str) -> bytes:
    with zipfile.ZipFile(epub) as archive:
        return archive.read(name)


def xml(epub: Path, name: str) -> ET.Element:
    return ET.fromstring(read(epub, name))


def spans(page: ET.Element) -> list[tuple[str, str, str]]:
    return [(s.get("id"), s.get("class"), s.text) for s in page.iter(f"{{{NS['x']}}}span")]


# --------------------------------------------------------------------------- the zip and the package


def test_mimetype_is_the_first_entry_and_stored(epub: Path) -> None:
    with zipfile.ZipFile(epub) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert archive.read(first) == b"application/epub+zip"
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.getinfo("EPUB/audio/chapter-002-2.mp3").compress_type == zipfile.ZIP_STORED
    container = xml(epub, "META-INF/container.xml")
    assert container.find("c:rootfiles/c:rootfile", NS).attrib == {
        "full-path": "EPUB/package.opf", "media-type": "application/oebps-package+xml"}


def test_package_metadata_reads_back(epub: Path) -> None:
    package = xml(epub, "EPUB/package.opf")
    assert (package.get("version"), package.get("unique-identifier")) == ("3.0", "book-id")
    metadata = package.find("opf:metadata", NS)
    dc = [(e.tag.split("}")[1], e.get("id"), e.text) for e in metadata if e.tag.startswith(f"{{{NS['dc']}}}")]
    assert dc == [
        ("identifier", "book-id", "urn:isbn:9780306406157"), ("title", "title", TITLE),
        ("title", "subtitle", "A Harbour Tale"), ("creator", "aut-1", "Ada Author"),
        ("contributor", "nrt-1", "the fullcast ensemble"), ("language", None, "en-GB"),
        ("publisher", None, "Pub & Co"), ("description", None, "A blurb.\n\nContent warning: violence"),
        ("date", None, "2024"), ("subject", None, "Fantasy"), ("subject", None, "Mystery"),
    ]
    props = [(e.get("property"), e.get("refines"), e.get("scheme"), e.text) for e in metadata.findall("opf:meta", NS)]
    assert props == [
        ("title-type", "#title", None, "main"), ("title-type", "#subtitle", None, "subtitle"),
        ("role", "#aut-1", "marc:relators", "aut"), ("role", "#nrt-1", "marc:relators", "nrt"),
        ("media:narrator", None, None, "the fullcast ensemble"),
        ("belongs-to-collection", None, None, "Harbour"), ("collection-type", "#series", None, "series"),
        ("group-position", "#series", None, "2"), ("dcterms:modified", None, None, "2023-11-14T22:13:20Z"),
        ("media:duration", "#chapter-001-overlay", None, "0:00:09.700"),
        ("media:duration", "#chapter-002-overlay", None, "0:00:02.612"),
        ("media:duration", None, None, "0:00:12.312"),
        ("media:active-class", None, None, "-epub-media-overlay-active"),
        (None, None, None, None),  # <meta name="cover" content="cover-image"/> for EPUB 2 readers
    ]


def test_manifest_and_spine(epub: Path, mp3s: list[Path]) -> None:
    package = xml(epub, "EPUB/package.opf")
    items = [(i.get("id"), i.get("href"), i.get("media-type"), i.get("properties"), i.get("media-overlay"))
             for i in package.findall("opf:manifest/opf:item", NS)]
    assert items == [
        ("nav", "nav.xhtml", "application/xhtml+xml", "nav", None),
        ("style", "style.css", "text/css", None, None),
        ("cover", "cover.xhtml", "application/xhtml+xml", None, None),
        ("cover-image", "images/cover.jpg", "image/jpeg", "cover-image", None),
        ("chapter-001", "chapter-001.xhtml", "application/xhtml+xml", None, "chapter-001-overlay"),
        ("chapter-001-overlay", "chapter-001.smil", "application/smil+xml", None, None),
        ("audio-001", "audio/chapter-001.mp3", "audio/mpeg", None, None),
        ("chapter-002", "chapter-002.xhtml", "application/xhtml+xml", None, "chapter-002-overlay"),
        ("chapter-002-overlay", "chapter-002.smil", "application/smil+xml", None, None),
        ("audio-002-1", "audio/chapter-002-1.mp3", "audio/mpeg", None, None),
        ("audio-002-2", "audio/chapter-002-2.mp3", "audio/mpeg", None, None),
    ]
    assert [i.get("idref") for i in package.findall("opf:spine/opf:itemref", NS)] == [
        "cover", "chapter-001", "chapter-002"]
    assert read(epub, "EPUB/audio/chapter-002-1.mp3") == mp3s[1].read_bytes()


# --------------------------------------------------------------------------- text and overlays


def test_every_span_is_read_by_one_par_in_reading_order_at_the_cue_times(epub: Path) -> None:
    for doc, expected in (
        # each clip starts at its cue and runs on to the next cue in the same file, pause included
        ("chapter-001", [("001", "0.750s", "3.410s"), ("001", "3.410s", "4.830s"), ("001", "4.830s", "6.249s"),
                         ("001", "6.249s", "7.500s"), ("001", "7.500s", "9.801s"), ("001", "9.801s", "10.450s")]),
        ("chapter-002", [("002-1", "0.750s", "2.700s"), ("002-1", "2.700s", "3.100s"),
                         ("002-2", "0.750s", "1.012s")]),
    ):
        ids = [span_id for span_id, _, _ in spans(xml(epub, f"EPUB/{doc}.xhtml"))]
        pars = xml(epub, f"EPUB/{doc}.smil").findall("s:body/s:par", NS)
        assert [p.find("s:text", NS).get("src") for p in pars] == [f"{doc}.xhtml#{i}" for i in ids]
        assert len(set(ids)) == len(ids) == len(expected)
        clips = [(a.get("src"), a.get("clipBegin"), a.get("clipEnd")) for a in (p.find("s:audio", NS) for p in pars)]
        assert clips == [(f"audio/chapter-{name}.mp3", begin, end) for name, begin, end in expected]


def test_text_rebuilds_warning_heading_paragraphs_and_scene_breaks(epub: Path) -> None:
    body = xml(epub, "EPUB/chapter-001.xhtml").find("x:body", NS)
    layout = [(e.tag.split("}")[1], e.get("class"), [s.text for s in e.iter(f"{{{NS['x']}}}span")]) for e in body]
    assert layout == [
        ("section", "content-warning", ["Content warning: violence."]),
        ("h1", "chapter-title", ["Chapter One: The Harbour"]),
        ("p", None, ["\u201cHello there,\u201d", "she said."]),
        ("p", None, ["I can't <breathe> & wait."]),
        ("hr", "scene-break", []),
        ("p", None, ["Later."]),
    ]
    assert body.get(f"{{{NS['epub']}}}type") == "bodymatter chapter"
    raw = read(epub, "EPUB/chapter-001.xhtml").decode("utf-8")
    assert '<p><span id="s3" class="dialogue speaker-maren-holt--9a265dd8">\u201cHello there,\u201d</span> <span' in raw
    assert spans(xml(epub, "EPUB/chapter-002.xhtml")) == [
        ("s1", "heading speaker-narrator", TITLE),
        ("s2", "dialogue speaker-maren-holt--b10dbb97", "\u201cYes.\u201d"),
        ("s3", "dialogue speaker-zoe-brien-smith", "\u201cNo.\u201d"),
    ]
    assert [c for _, c, _ in spans(xml(epub, "EPUB/chapter-001.xhtml"))][4] == "monologue speaker-zoe-brien-smith"


def test_speaker_classes_are_safe_and_unique() -> None:
    assert speaker_classes(["Maren Holt", NARRATOR, "Maren-Holt", ODD, "", "Narrator", "李雷", "O'Neil"]) == {
        "Maren Holt": "speaker-maren-holt--9a265dd8",
        NARRATOR: "speaker-narrator",
        "Maren-Holt": "speaker-maren-holt--b10dbb97",
        ODD: "speaker-zoe-brien-smith",
        "Narrator": "speaker-narrator--7de19cb6",
        "李雷": "speaker---5c8c492f",
        "O'Neil": "speaker-o-neil",
    }


def test_stylesheet_colours_each_speaker_and_the_active_segment(epub: Path) -> None:
    css = read(epub, "EPUB/style.css").decode("utf-8").splitlines()
    assert css[-3:] == [
        ".speaker-maren-holt--9a265dd8 { color: #1f5fbf; }",
        ".speaker-zoe-brien-smith { color: #b3261e; }",
        ".speaker-maren-holt--b10dbb97 { color: #1b7f3b; }",
    ]
    assert ".monologue { font-style: italic; }" in css
    assert ".-epub-media-overlay-active { background-color: #ffe680; color: #000; }" in css
    assert not [line for line in css if "narrator" in line]


def test_nav_lists_the_warning_and_the_chapters_in_spine_order(epub: Path) -> None:
    nav = xml(epub, "EPUB/nav.xhtml").find("x:body/x:nav", NS)
    assert nav.get(f"{{{NS['epub']}}}type") == "toc"
    assert [(a.get("href"), a.text) for a in nav.iter(f"{{{NS['x']}}}a")] == [
        ("chapter-001.xhtml#content-warning", "Content warning"),
        ("chapter-001.xhtml#chapter-title", "Chapter One: The Harbour"),
        ("chapter-002.xhtml#chapter-title", TITLE),
    ]


# --------------------------------------------------------------------------- validity and writing


def bare_book(mp3s: list[Path]) -> list[ChapterAudio]:
    """No cover; chapter 1 without a spoken heading, chapter 2 with the warning, read twice."""
    warning = cue(2, 0, K.WARNING, NARRATOR, "Content warning: violence.", P.START, 100, 900)
    return [ChapterAudio(ONE, mp3s[0], 11_000, CUES_ONE[2:]),
            ChapterAudio(TWO, mp3s[1], 4000, (warning, *CUES_TWO_A, replace(warning, segment=replace(
                warning.segment, index=3, pause=P.PARAGRAPH), start_ms=3200, end_ms=3900)))]


def test_a_book_without_cover_heading_or_early_warning(mp3s: list[Path], tmp_path: Path) -> None:
    bare = write_readalong(tmp_path / "bare.epub", BookMetadata(title=TITLE, year="May 2024"), bare_book(mp3s),
                           None)
    package = xml(bare, "EPUB/package.opf")
    assert [i.get("idref") for i in package.findall("opf:spine/opf:itemref", NS)] == ["chapter-001", "chapter-002"]
    assert package.find("opf:metadata/dc:date", NS) is None  # not a W3C date: epubcheck would warn
    assert [(a.get("href"), a.text) for a in xml(bare, "EPUB/nav.xhtml").iter(f"{{{NS['x']}}}a")] == [
        ("chapter-001.xhtml#chapter-title", "Chapter One: The Harbour"),
        ("chapter-002.xhtml#content-warning", "Content warning"),
        ("chapter-002.xhtml#chapter-title", TITLE),
    ]
    first = xml(bare, "EPUB/chapter-001.xhtml").find("x:body", NS)
    assert (first[0].tag, first[0].get("id"), first[0].text) == (f"{{{NS['x']}}}h1", "chapter-title", ONE.title)
    second = xml(bare, "EPUB/chapter-002.xhtml").find("x:body", NS)
    assert [(e.tag.split("}")[1], e.get("id")) for e in second] == [
        ("section", "content-warning"), ("h1", "chapter-title"), ("p", None), ("section", None)]


def test_epubcheck_passes_with_and_without_a_cover(epub: Path, mp3s: list[Path], tmp_path: Path) -> None:
    bare = write_readalong(tmp_path / "bare.epub", BookMetadata(title=TITLE, year="May 2024"), bare_book(mp3s),
                           None)
    assert epubcheck(epub, bare) == [(0, []), (0, [])]


def test_same_inputs_give_identical_bytes_and_leave_an_identical_file_alone(epub: Path, mp3s: list[Path],
                                                                           tmp_path: Path) -> None:
    again = write_readalong(tmp_path / "again.epub", META, chapters(mp3s), cover())
    assert again.read_bytes() == epub.read_bytes()
    before = os.stat(again)
    write_readalong(again, META, chapters(mp3s), cover())
    assert (os.stat(again).st_ino, os.stat(again).st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.epub"]


def test_a_write_error_names_the_file_and_the_fix(mp3s: list[Path], tmp_path: Path) -> None:
    dest = tmp_path / "missing" / "book.epub"
    with pytest.raises(OutputError) as caught:
        write_readalong(dest, META, chapters(mp3s), None)
    assert str(caught.value) == (f"{dest}: cannot write the read-along EPUB (No such file or directory); "
                                 "check free space and that the folder is writable")


def test_a_missing_chapter_file_names_itself(mp3s: list[Path], tmp_path: Path) -> None:
    gone = tmp_path / "gone.mp3"
    with pytest.raises(OutputError) as caught:
        write_readalong(tmp_path / "book.epub", META, [ChapterAudio(ONE, gone, 1000, CUES_ONE)], None)
    assert str(caught.value) == (f"{gone}: cannot read the chapter audio for the read-along EPUB "
                                 "(No such file or directory); render the book again to remake it")
    assert list(tmp_path.iterdir()) == []
