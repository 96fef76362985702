"""Tests for fullcast.publish.sidecars: metadata.json against Audiobookshelf's schema, metadata.opf read back by an
XML parser, and the cover file written once, under the name its bytes call for."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from fullcast.errors import OutputError
from fullcast.publish.cover import Cover
from fullcast.publish.metadata import BookMetadata
from fullcast.publish.sidecars import (
    RECORD_NAME,
    cover_name,
    metadata_json,
    metadata_json_text,
    metadata_opf,
    write_sidecars,
)
from fullcast.publish.tag import ChapterMark

SCHEMA = json.loads((Path(__file__).parents[1] / "support" / "audiobookshelf.schema.json").read_text(encoding="utf-8"))
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"

FULL = BookMetadata(
    title="The Lighthouse Keeper", authors=("Ada Brontë",), narrators=("the fullcast ensemble",),
    subtitle="A Coastal Tale", series="Northern Lights", series_part="2", genres=("Fantasy", "Mystery"),
    tags=("full cast", "dramatised"), language="en-GB", publisher="Harbour Press", year="2024",
    isbn="9780141187761", asin="B00EXAMPLE", blurb="A keeper and a storm.", warning="Content warning: a shipwreck.",
    rating="R", explicit=True, abridged=True,
)
MINIMAL = BookMetadata(title="Quiet")
MARKS = (ChapterMark("Content warning", 0, 4_321), ChapterMark("Chapter One", 4_321, 3_600_000),
         ChapterMark("Chapter Two", 3_600_000, 3_725_250))


def image_cover(fmt: str) -> Cover:
    """A small plain cover encoded as *fmt* (JPEG or PNG)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30) if fmt == "PNG" else (30, 30, 200)).save(out, format=fmt)
    return Cover(out.getvalue(), f"image/{fmt.lower()}", 64, 64)


# --------------------------------------------------------------------------- metadata.json


def test_full_metadata_json_has_every_value() -> None:
    assert metadata_json(FULL, MARKS) == {
        "tags": ["full cast", "dramatised"],
        "chapters": [
            {"id": 0, "start": 0.0, "end": 4.321, "title": "Content warning"},
            {"id": 1, "start": 4.321, "end": 3600.0, "title": "Chapter One"},
            {"id": 2, "start": 3600.0, "end": 3725.25, "title": "Chapter Two"},
        ],
        "title": "The Lighthouse Keeper",
        "subtitle": "A Coastal Tale",
        "authors": ["Ada Brontë"],
        "narrators": ["the fullcast ensemble"],
        "series": ["Northern Lights #2"],
        "genres": ["Fantasy", "Mystery"],
        "publishedYear": "2024",
        "publishedDate": None,
        "publisher": "Harbour Press",
        "description": "A keeper and a storm.\n\nContent warning: a shipwreck.",
        "isbn": "9780141187761",
        "asin": "B00EXAMPLE",
        "language": "en-GB",
        "explicit": True,
        "abridged": True,
    }


def test_minimal_metadata_json_is_nulls_and_empty_lists() -> None:
    assert metadata_json(MINIMAL, ()) == {
        "tags": [], "chapters": [], "title": "Quiet", "subtitle": None, "authors": [], "narrators": [], "series": [],
        "genres": [], "publishedYear": None, "publishedDate": None, "publisher": None, "description": None,
        "isbn": None, "asin": None, "language": "en", "explicit": False, "abridged": False,
    }


@pytest.mark.parametrize("meta", [FULL, MINIMAL], ids=["full", "minimal"])
def test_written_metadata_json_validates_against_the_schema(tmp_path: Path, meta: BookMetadata) -> None:
    write_sidecars(tmp_path, meta, MARKS, None)
    with open(tmp_path / "metadata.json", encoding="utf-8") as handle:
        loaded = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(loaded)
    assert loaded == metadata_json(meta, MARKS)


@pytest.mark.parametrize("change", [
    {"explict": True},  # a misspelt key
    {"explicit": "yes"},
    {"series": "Northern Lights #2"},
    {"chapters": [{"id": 0, "start": 0.0, "end": 1.0, "title": ""}]},
    {"narrators": [" the fullcast ensemble"]},
], ids=["misspelt-key", "explicit-string", "series-string", "untitled-chapter", "untrimmed-name"])
def test_the_schema_refuses_what_audiobookshelf_would_misread(change: dict) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**metadata_json(FULL, MARKS), **change}, SCHEMA,
                            cls=jsonschema.Draft202012Validator)


def test_metadata_json_text_is_indented_utf8_with_a_final_newline() -> None:
    text = metadata_json_text(FULL, MARKS[:1])
    assert text.startswith('{\n  "tags": [\n    "full cast",\n')
    assert '"authors": [\n    "Ada Brontë"\n  ]' in text  # not \u00eb
    assert text.endswith('  "abridged": true\n}\n')


def test_the_narrator_credit_keeps_its_case() -> None:
    assert metadata_json(FULL, ())["narrators"] == ["the fullcast ensemble"]


@pytest.mark.parametrize("explicit", [True, False])
def test_explicit_is_a_boolean_from_the_metadata(explicit: bool) -> None:
    assert metadata_json(BookMetadata(title="T", explicit=explicit), ())["explicit"] is explicit


@pytest.mark.parametrize("series, part, expected", [
    ("Northern Lights", "2", ["Northern Lights #2"]),
    ("Northern Lights", "2.5", ["Northern Lights #2.5"]),
    ("Northern Lights", None, ["Northern Lights"]),
    (None, None, []),
])
def test_series_is_name_and_number(series: str | None, part: str | None, expected: list[str]) -> None:
    assert metadata_json(BookMetadata(title="T", series=series, series_part=part), ())["series"] == expected


def test_chapter_times_are_seconds_to_the_millisecond_and_every_chapter_has_a_title() -> None:
    marks = (ChapterMark("", 0, 1), ChapterMark("  ", 1, 59_999), ChapterMark("Coda", 59_999, 7_200_001))
    assert metadata_json(MINIMAL, marks)["chapters"] == [
        {"id": 0, "start": 0.0, "end": 0.001, "title": "Chapter 1"},
        {"id": 1, "start": 0.001, "end": 59.999, "title": "Chapter 2"},
        {"id": 2, "start": 59.999, "end": 7200.001, "title": "Coda"},
    ]


# --------------------------------------------------------------------------- metadata.opf


def parse_opf(meta: BookMetadata) -> ET.Element:
    """The OPF text for *meta*, parsed: its `metadata` element."""
    root = ET.fromstring(metadata_opf(meta).encode("utf-8"))
    assert (root.tag, root.get("version"), root.get("unique-identifier")) == (f"{OPF}package", "3.0", "book-id")
    metadata = root.find(f"{OPF}metadata")
    assert metadata is not None
    return metadata


def texts(metadata: ET.Element, name: str) -> list[str | None]:
    """The text of every `dc:name` element."""
    return [element.text for element in metadata.findall(f"{DC}{name}")]


def test_opf_has_every_field() -> None:
    metadata = parse_opf(FULL)
    assert texts(metadata, "title") == ["The Lighthouse Keeper"]
    assert texts(metadata, "subtitle") == ["A Coastal Tale"]
    assert texts(metadata, "language") == ["en-GB"]
    assert texts(metadata, "date") == ["2024"]
    assert texts(metadata, "publisher") == ["Harbour Press"]
    assert texts(metadata, "description") == ["A keeper and a storm.\n\nContent warning: a shipwreck."]
    assert texts(metadata, "subject") == ["Fantasy", "Mystery"]
    assert texts(metadata, "tag") == ["full cast", "dramatised"]
    assert [(c.text, c.get("id"), c.get(f"{OPF}role")) for c in metadata.findall(f"{DC}creator")] == [
        ("Ada Brontë", "author-1", "aut"), ("the fullcast ensemble", "narrator-1", "nrt")]
    assert [e.attrib for e in metadata.findall(f"{DC}subject")] == [{}, {}]  # Audiobookshelf skips one with any


def test_opf_gives_each_role_in_the_epub3_form_too() -> None:
    refines = [(m.get("refines"), m.get("property"), m.get("scheme"), m.text)
               for m in parse_opf(FULL).findall(f"{OPF}meta") if m.get("property") == "role"]
    assert refines == [("#author-1", "role", "marc:relators", "aut"), ("#narrator-1", "role", "marc:relators", "nrt")]


def test_opf_identifiers_carry_their_schemes() -> None:
    identifiers = [(i.get("id"), i.get(f"{OPF}scheme"), i.text) for i in parse_opf(FULL).findall(f"{DC}identifier")]
    assert identifiers[1:] == [(None, "ISBN", "9780141187761"), (None, "ASIN", "B00EXAMPLE")]
    assert identifiers[0][:2] == ("book-id", None)
    assert identifiers[0][2] == texts(parse_opf(FULL), "identifier")[0]  # stable for the same book
    assert identifiers[0][2].startswith("urn:uuid:")
    assert identifiers[0][2] != texts(parse_opf(MINIMAL), "identifier")[0]


def test_opf_series_is_calibre_meta_then_the_epub3_collection() -> None:
    metas = [m for m in parse_opf(FULL).findall(f"{OPF}meta") if m.get("property") != "role"]
    assert [(m.attrib, m.text) for m in metas] == [
        ({"name": "calibre:series", "content": "Northern Lights"}, None),
        ({"name": "calibre:series_index", "content": "2"}, None),  # right after: Audiobookshelf looks there
        ({"property": "belongs-to-collection", "id": "series"}, "Northern Lights"),
        ({"refines": "#series", "property": "collection-type"}, "series"),
        ({"refines": "#series", "property": "group-position"}, "2"),
    ]


def test_minimal_opf_has_title_identifier_and_language_only() -> None:
    metadata = parse_opf(MINIMAL)
    assert [child.tag for child in metadata] == [f"{DC}title", f"{DC}identifier", f"{DC}language"]
    assert texts(metadata, "language") == ["en"]


def test_opf_uses_the_prefixes_audiobookshelf_matches_literally() -> None:
    text = metadata_opf(FULL)
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<opf:package ")
    assert 'xmlns:opf="http://www.idpf.org/2007/opf"' in text and 'xmlns:dc="http://purl.org/dc/elements/1.1/"' in text
    assert '<dc:creator id="narrator-1" opf:role="nrt">the fullcast ensemble</dc:creator>' in text
    assert '<dc:identifier opf:scheme="ISBN">9780141187761</dc:identifier>' in text
    assert '<opf:meta name="calibre:series_index" content="2" />' in text


def test_opf_escapes_markup_in_values() -> None:
    title = 'Salt & Iron: <The "Keeper\'s" Tale>'
    meta = BookMetadata(title=title, authors=('O\'Brien & "Sons"',), series='A & <B>', series_part="1")
    text = metadata_opf(meta)
    assert "<dc:title id=\"title\">Salt &amp; Iron: &lt;The \"Keeper's\" Tale&gt;</dc:title>" in text
    assert 'content="A &amp; &lt;B&gt;"' in text
    metadata = parse_opf(meta)
    assert texts(metadata, "title") == [title]
    assert texts(metadata, "creator") == ['O\'Brien & "Sons"']
    assert metadata.find(f"{OPF}meta[@name='calibre:series']").get("content") == "A & <B>"


# --------------------------------------------------------------------------- write_sidecars


def test_write_sidecars_writes_the_three_files(tmp_path: Path) -> None:
    cover = image_cover("JPEG")
    paths = write_sidecars(tmp_path, FULL, MARKS, cover)
    assert paths == (tmp_path / "metadata.json", tmp_path / "metadata.opf", tmp_path / "cover.jpg")
    assert (tmp_path / "metadata.json").read_text(encoding="utf-8") == metadata_json_text(FULL, MARKS)
    assert (tmp_path / "metadata.opf").read_text(encoding="utf-8") == metadata_opf(FULL)
    assert (tmp_path / "cover.jpg").read_bytes() == cover.data
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD_NAME, "cover.jpg", "metadata.json", "metadata.opf"]


def test_a_second_call_rewrites_nothing(tmp_path: Path) -> None:
    write_sidecars(tmp_path, FULL, MARKS, image_cover("JPEG"))
    for path in tmp_path.iterdir():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # long ago: a rewrite would show
    paths = write_sidecars(tmp_path, FULL, MARKS, image_cover("JPEG"))
    assert [p.name for p in paths] == ["metadata.json", "metadata.opf", "cover.jpg"]
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == {
        name: 1_000_000_000 for name in (RECORD_NAME, "cover.jpg", "metadata.json", "metadata.opf")}


def test_a_png_cover_replaces_the_jpeg_fullcast_wrote(tmp_path: Path) -> None:
    write_sidecars(tmp_path, FULL, MARKS, image_cover("JPEG"))
    png = image_cover("PNG")
    paths = write_sidecars(tmp_path, FULL, MARKS, png)
    assert paths[-1] == tmp_path / "cover.png"
    assert (tmp_path / "cover.png").read_bytes() == png.data
    assert not (tmp_path / "cover.jpg").exists()


def test_a_cover_fullcast_did_not_write_is_kept(tmp_path: Path) -> None:
    (tmp_path / "cover.png").write_bytes(b"the producer's own")
    write_sidecars(tmp_path, FULL, MARKS, image_cover("JPEG"))
    assert (tmp_path / "cover.png").read_bytes() == b"the producer's own"


def test_a_cover_replaced_by_hand_is_kept(tmp_path: Path) -> None:
    write_sidecars(tmp_path, FULL, MARKS, image_cover("JPEG"))
    (tmp_path / "cover.jpg").write_bytes(b"replaced by hand")
    write_sidecars(tmp_path, FULL, MARKS, image_cover("PNG"))
    assert (tmp_path / "cover.jpg").read_bytes() == b"replaced by hand"
    assert (tmp_path / "cover.png").is_file()


def test_no_cover_removes_the_cover_fullcast_wrote(tmp_path: Path) -> None:
    write_sidecars(tmp_path, FULL, MARKS, image_cover("PNG"))
    assert write_sidecars(tmp_path, FULL, MARKS, None) == (tmp_path / "metadata.json", tmp_path / "metadata.opf")
    assert not (tmp_path / "cover.png").exists() and not (tmp_path / "cover.jpg").exists()


def test_a_damaged_record_removes_nothing(tmp_path: Path) -> None:
    write_sidecars(tmp_path, FULL, MARKS, image_cover("JPEG"))
    (tmp_path / RECORD_NAME).write_text("{not json", encoding="utf-8")
    write_sidecars(tmp_path, FULL, MARKS, image_cover("PNG"))
    assert (tmp_path / "cover.jpg").is_file() and (tmp_path / "cover.png").is_file()


def test_the_cover_is_named_by_its_bytes_not_its_mime_type() -> None:
    png = image_cover("PNG")
    assert cover_name(Cover(png.data, "image/jpeg", 64, 64)) == "cover.png"
    assert cover_name(image_cover("JPEG")) == "cover.jpg"


def test_a_missing_folder_is_an_output_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    with pytest.raises(OutputError) as caught:
        write_sidecars(folder, FULL, MARKS, None)
    assert str(caught.value) == (f"{folder / 'metadata.json'}: cannot write the Audiobookshelf metadata "
                                 "(metadata.json) (No such file or directory); check the folder exists and is writable")
