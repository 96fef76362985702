"""The read-along EPUB's package document and zip, built directly from listed documents."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from fullcast.errors import OutputError
from fullcast.publish.epubpackage import Listed, book_identifier, element, package, to_xml, write_zip
from fullcast.publish.metadata import BookMetadata

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
META = BookMetadata(title="T", authors=("A",), language="en", year="circa 1890")
DOCS = (Listed("chapter-001", ("audio/chapter-001.mp3",), 3_723_456),
        Listed("chapter-002", ("audio/chapter-002-1.mp3", "audio/chapter-002-2.mp3"), None))


def test_identifier_without_a_valid_isbn_is_a_uuid5_of_title_and_authors() -> None:
    bad = BookMetadata(title="T", authors=("A",), isbn="978-0-306-40615-8")
    urn = book_identifier(bad)
    assert urn == "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "fullcast:T\x1fA"))
    assert uuid.UUID(urn.removeprefix("urn:uuid:")).version == 5
    assert book_identifier(BookMetadata(title="T", authors=("B",))) != urn
    assert book_identifier(BookMetadata(title="T", isbn="0-306-40615-2")) == "urn:isbn:0306406152"


def test_a_document_without_an_overlay_is_listed_without_one() -> None:
    opf = ET.fromstring(package(META, DOCS, None, "2023-11-14T22:13:20Z"))
    durations = [(m.get("refines"), m.text) for m in opf.findall("opf:metadata/opf:meta", NS)
                 if m.get("property") == "media:duration"]
    assert durations == [("#chapter-001-overlay", "1:02:03.456"), (None, "1:02:03.456")]
    items = [(i.get("id"), i.get("media-overlay")) for i in opf.findall("opf:manifest/opf:item", NS)]
    assert items == [("nav", None), ("style", None), ("chapter-001", "chapter-001-overlay"),
                     ("chapter-001-overlay", None), ("audio-001", None), ("chapter-002", None),
                     ("audio-002-1", None), ("audio-002-2", None)]
    assert [i.get("idref") for i in opf.findall("opf:spine/opf:itemref", NS)] == ["chapter-001", "chapter-002"]


def test_a_date_epubcheck_would_question_is_left_out() -> None:
    opf = ET.fromstring(package(META, DOCS, None, "2023-11-14T22:13:20Z"))
    assert opf.find("opf:metadata/dc:date", NS) is None
    assert opf.find("opf:metadata/dc:language", NS).text == "en"


def test_element_drops_characters_xml_cannot_carry() -> None:
    root = element(None, "p", {"title": "a\x00b\x1fc"}, "bell\x07 and \ufffe gone")
    assert to_xml(root) == b"<?xml version='1.0' encoding='utf-8'?>\n<p title=\"abc\">bell and  gone</p>"


def test_zip_puts_mimetype_first_with_fixed_times(tmp_path: Path) -> None:
    (tmp_path / "a.mp3").write_bytes(b"ID3 audio")
    write_zip(tmp_path / "book.epub", [("EPUB/nav.xhtml", b"<nav/>")], [("EPUB/audio/a.mp3", tmp_path / "a.mp3")],
              None)
    with zipfile.ZipFile(tmp_path / "book.epub") as archive:
        assert [(i.filename, i.compress_type, i.date_time) for i in archive.infolist()] == [
            ("mimetype", zipfile.ZIP_STORED, (1980, 1, 1, 0, 0, 0)),
            ("EPUB/nav.xhtml", zipfile.ZIP_DEFLATED, (1980, 1, 1, 0, 0, 0)),
            ("EPUB/audio/a.mp3", zipfile.ZIP_STORED, (1980, 1, 1, 0, 0, 0))]
        assert archive.read("EPUB/audio/a.mp3") == b"ID3 audio"


def test_a_missing_audio_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as raised:
        write_zip(tmp_path / "book.epub", [], [("EPUB/audio/a.mp3", tmp_path / "gone.mp3")], None)
    assert str(raised.value) == (f"{tmp_path / 'gone.mp3'}: cannot read the chapter audio for the read-along EPUB "
                                 "(No such file or directory); render the book again to remake it")
