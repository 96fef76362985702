"""Bad manuscripts through the command line: one `Error:` line naming the file, exit status 1."""

from __future__ import annotations

import zipfile
from pathlib import Path

from fixtures.manuscripts.books import Doc, Epub, docx

from support.cli import run

CAST = "engine: fake\n"
NAV_DOCS = [Doc("text/one.xhtml", "<h1>One</h1><p>Rain fell on the quay.</p>", "One")]


def error_of(path: Path) -> tuple[int, str]:
    """Exit status and the last line printed by `fullcast script PATH`."""
    (path.parent / "voices.yaml").write_text(CAST, encoding="utf-8")
    code, out = run("script", str(path))
    return code, out.strip().splitlines()[-1]


def test_an_epub_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "b.epub"
    path.write_text("just text", encoding="utf-8")
    assert error_of(path) == (1, f"Error: {path}: is not an EPUB (not a zip file); export the book again as EPUB")


def test_a_zip_that_is_not_an_epub(tmp_path: Path) -> None:
    path = tmp_path / "b.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "hello")
    assert error_of(path) == (1, f"Error: {path}: is a zip file but not an EPUB (no META-INF/container.xml); "
                                 "pass the book's .epub file")


def test_a_drm_protected_epub(tmp_path: Path) -> None:
    path = Epub(docs=NAV_DOCS, extra={"META-INF/rights.xml": b"<rights/>"}).write(tmp_path / "b.epub")
    assert error_of(path) == (1, f"Error: {path}: is DRM-protected (its text is encrypted); fullcast can only read "
                                 "an EPUB without DRM, such as the author's own export")


def test_an_html_page_that_is_not_a_book(tmp_path: Path) -> None:
    path = tmp_path / "index.html"
    path.write_text("<html><body><nav><a href='a.html'>One</a></nav></body></html>", encoding="utf-8")
    assert error_of(path) == (1, f"Error: {path}: has no text body (no paragraphs in its <body>); pass the book's "
                                 "HTML file, not an index or a page of links")


def test_a_docx_with_no_paragraphs(tmp_path: Path) -> None:
    path = docx(tmp_path / "empty.docx", [("Normal", []), ("Heading 1", [("Chapter One", False)])])
    assert error_of(path) == (1, f"Error: {path}: has no paragraphs of text; is it the manuscript, saved from Word "
                                 "as .docx?")


def test_a_huge_single_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("Intro.\n\n" + "word " * 4001 + "\n", encoding="utf-8")
    assert error_of(path) == (1, f"Error: {path}:3: one paragraph of 20,004 characters is longer than the 20,000 "
                                 "fullcast reads; its line breaks were probably lost in a conversion: put a blank "
                                 "line between its paragraphs")


def test_mixed_encodings_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "0.txt").write_text("First.\n", encoding="utf-8")
    (tmp_path / "1.txt").write_bytes("Caf\u00e9 at dawn.\n".encode("utf-16"))
    assert error_of(tmp_path / "0.txt")[0] == 0
    (tmp_path / "voices.yaml").write_text(CAST, encoding="utf-8")
    code, out = run("script", str(tmp_path))
    assert (code, out.strip().splitlines()[-1]) == (1, f"Error: {tmp_path / '1.txt'}: is UTF-16 but "
                                                       f"{tmp_path / '0.txt'} is UTF-8; a manuscript folder must use "
                                                       "one encoding: re-save 1.txt as UTF-8")


def test_an_epub_with_a_broken_navigation_reads_with_a_warning(tmp_path: Path) -> None:
    path = Epub(docs=NAV_DOCS, nav="broken").write(tmp_path / "b.epub")
    (tmp_path / "voices.yaml").write_text(CAST, encoding="utf-8")
    code, out = run("script", str(path))
    assert code == 0
    assert (f"{path}: its table of contents cannot be read (IndexError: list index out of range); chapter titles "
            "come from the chapters' own headings") in " ".join(out.split())
    assert "Rain fell on the quay." in out
