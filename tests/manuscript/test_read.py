"""Which reader reads which file: mixed folders, unknown formats, encodings, a paragraph too long to read."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.manuscripts.books import Doc, Epub, docx

from fullcast.errors import ManuscriptError
from fullcast.manuscript.document import MAX_PARAGRAPH
from fullcast.manuscript.plaintext import read_manuscript


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_a_folder_of_mixed_formats_reads_in_name_order(tmp_path: Path) -> None:
    write(tmp_path / "01-start.txt", "Title: Tides\n\nThe sea rose.\n")
    write(tmp_path / "02-quay.md", "# The Quay\n\nAda _waved_.\n")
    write(tmp_path / "03-tide.html", "<html><body><h1>The Tide</h1><p>It turned.</p></body></html>")
    Epub(docs=[Doc("a.xhtml", "<p>Gulls.</p>", "The Gulls")]).write(tmp_path / "04-gulls.epub")
    docx(tmp_path / "05-end.docx", [("Heading 1", [("The End", False)]), ("Normal", [("Calm.", False)])])
    write(tmp_path / "cover.jpg", b"\xff\xd8")
    book = read_manuscript(tmp_path)
    assert book.title == "Tides"
    assert [c.title for c in book.chapters] == ["Start", "The Quay", "The Tide", "The Gulls", "The End"]
    assert [c.paragraph_text(c.paragraphs[0]) for c in book.chapters] == [
        "The sea rose.", "Ada *waved*.", "It turned.", "Gulls.", "Calm."]


@pytest.mark.parametrize("name, hint", [("book.pdf", "export it as .docx, .epub or .txt"),
                                        ("book.doc", "save it as .docx from Word")])
def test_an_unknown_format_names_the_file_and_the_supported_ones(tmp_path: Path, name: str, hint: str) -> None:
    path = write(tmp_path / name, b"%PDF-1.4 \x00\x01")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    suffix = Path(name).suffix
    assert str(err.value) == f"{path}: fullcast cannot read {suffix} files (it reads .txt, .md, .html, .epub and .docx); {hint}"
    write(tmp_path / "chapter.txt", "Text.\n")
    with pytest.raises(ManuscriptError, match=f"{name}: fullcast cannot read"):
        read_manuscript(tmp_path)


def test_a_file_without_a_known_suffix_is_read_by_its_content(tmp_path: Path) -> None:
    assert read_manuscript(write(tmp_path / "tides", "It rained.\n")).chapters[0].title == "Tides"
    page = write(tmp_path / "page.php", "<!DOCTYPE html><html><body><p>It rained.</p></body></html>")
    assert read_manuscript(page).chapters[0].converted is True
    binary = write(tmp_path / "blob.bin", b"\x00\x01\x02binary")
    with pytest.raises(ManuscriptError, match=r"blob.bin: fullcast cannot read .bin files \(it reads .txt, .md, "):
        read_manuscript(binary)


def test_utf16_text_reads_alone_but_not_beside_utf8(tmp_path: Path) -> None:
    one = write(tmp_path / "1.txt", "Caf\u00e9 at dawn.\n".encode("utf-16"))
    assert read_manuscript(one).chapters[0].paragraph_text(read_manuscript(one).chapters[0].paragraphs[0]) == "Caf\u00e9 at dawn."
    write(tmp_path / "0.txt", "First.\n")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(tmp_path)
    assert str(err.value) == (f"{one}: is UTF-16 but {tmp_path / '0.txt'} is UTF-8; a manuscript folder must use one "
                              "encoding: re-save 1.txt as UTF-8")


def test_html_declaring_another_encoding_beside_utf8(tmp_path: Path) -> None:
    write(tmp_path / "1.txt", "First.\n")
    page = write(tmp_path / "2.html", b"<html><head><meta charset='windows-1252'></head><body><p>Caf\xe9.</p></body></html>")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(tmp_path)
    assert str(err.value) == (f"{page}: is WINDOWS-1252 but {tmp_path / '1.txt'} is UTF-8; a manuscript folder must use "
                              "one encoding: re-save 2.html as UTF-8")


def test_a_huge_single_paragraph(tmp_path: Path) -> None:
    path = write(tmp_path / "b.txt", "Intro.\n\n" + "word " * (MAX_PARAGRAPH // 5 + 1) + "\n")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == (f"{path}:3: one paragraph of 20,004 characters is longer than the 20,000 fullcast reads; "
                              "its line breaks were probably lost in a conversion: put a blank line between its paragraphs")


def test_a_huge_paragraph_in_a_converted_file_names_its_place(tmp_path: Path) -> None:
    body = "<p>Intro.</p><p>" + "word " * (MAX_PARAGRAPH // 5 + 1) + "</p>"
    path = Epub(docs=[Doc("t/a.xhtml", body, "One")]).write(tmp_path / "b.epub")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value).startswith(f"{path} (t/a.xhtml), paragraph 2: one paragraph of 20,004 characters is longer")
