"""EPUB 2 and 3: chapters from the spine, titles from the navigation, front pages skipped, bad files named."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from fixtures.manuscripts.books import PNG, Doc, Epub

from fullcast.errors import ManuscriptError
from fullcast.manuscript.plaintext import read_manuscript

CH1 = "<h1>One: The Ferry</h1><p>The ferry <em>groaned</em> at the quay.</p><hr/><p>Ada waved &amp; smiled.</p>"
CH2 = "<h2>Two: The Stair</h2><p><i>Not again,</i> Maren thought.</p>"


def book_docs() -> list[Doc]:
    return [Doc("cover.xhtml", '<img src="cover.png" alt="Cover"/>', None, "cover"),
            Doc("toc.xhtml", "<h1>Contents</h1><p>One</p><p>Two</p>", None, "toc"),
            Doc("copy.xhtml", "<p>Copyright 2024 Ann Writer. All rights reserved.</p>", None, "copyright-page"),
            Doc("text/one.xhtml", CH1, "One: The Ferry"), Doc("text/two.xhtml", CH2, "Two: The Stair")]


def paragraphs(chapter) -> list[str]:
    return [chapter.paragraph_text(p) for p in chapter.paragraphs]


def test_epub3_chapters_titles_metadata_and_cover(tmp_path: Path) -> None:
    path = Epub("The Ferry", "Ann Writer", book_docs(), description="<p>A ferry story.</p>", language="en-GB",
                series=("Harbour Tales", "2"), cover=PNG).write(tmp_path / "ferry.epub")
    book = read_manuscript(path)
    assert (book.title, book.author, book.publication.description, book.publication.language) == ("The Ferry", "Ann Writer", "A ferry story.", "en-GB")
    assert (book.publication.series, book.publication.series_part, book.publication.cover, book.publication.cover_type) == ("Harbour Tales", "2", PNG, "image/png")
    assert [c.title for c in book.chapters] == ["One: The Ferry", "Two: The Stair"]
    first, second = book.chapters
    assert paragraphs(first) == ["The ferry *groaned* at the quay.", "Ada waved & smiled."]
    assert [p.scene_break_before for p in first.paragraphs] == [False, True]
    assert [p.number for p in first.paragraphs] == [2, 4]
    assert (first.document, first.converted, first.source) == ("text/one.xhtml", True, str(path))
    assert first.text[first.heading[0]:first.heading[1]] == "One: The Ferry"
    assert paragraphs(second) == ["*Not again,* Maren thought."]
    assert [a.kind for a in book.set_aside] == ["cover", "table of contents", "table of contents", "table of contents",
                                                "copyright"]
    assert book.warnings == ()


def test_epub2_titles_from_the_ncx(tmp_path: Path) -> None:
    docs = [Doc("a.xhtml", "<p>The ferry groaned.</p>", "The Ferry"), Doc("b.xhtml", "<p>Ada waved.</p>", "The Quay")]
    book = read_manuscript(Epub(docs=docs, version="2.0", nav="none", cover=PNG).write(tmp_path / "b.epub"))
    assert [c.title for c in book.chapters] == ["The Ferry", "The Quay"]
    assert [c.heading for c in book.chapters] == [None, None]
    assert book.publication.cover == PNG


def test_a_broken_navigation_still_reads_with_a_warning(tmp_path: Path) -> None:
    path = Epub(docs=book_docs(), nav="broken").write(tmp_path / "b.epub")
    book = read_manuscript(path)
    assert [c.title for c in book.chapters] == ["One: The Ferry", "Two: The Stair"]
    assert book.warnings == (f"{path}: its table of contents cannot be read (IndexError: list index out of range); "
                             "chapter titles come from the chapters' own headings",)


def test_documents_without_titles_or_headings_are_numbered(tmp_path: Path) -> None:
    docs = [Doc("a.xhtml", "<p>The ferry groaned.</p>"), Doc("b.xhtml", "<p>Ada waved.</p>")]
    book = read_manuscript(Epub(docs=docs).write(tmp_path / "b.epub"))
    assert [c.title for c in book.chapters] == ["Chapter 1", "Chapter 2"]


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "b.epub"
    path.write_text("just text", encoding="utf-8")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == f"{path}: is not an EPUB (not a zip file); export the book again as EPUB"


def test_a_zip_that_is_not_an_epub(tmp_path: Path) -> None:
    path = tmp_path / "b.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == (f"{path}: is a zip file but not an EPUB (no META-INF/container.xml); "
                              "pass the book's .epub file")


ENCRYPTED = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
             'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
             '<enc:EncryptionMethod Algorithm="{algorithm}"/><enc:CipherData>'
             '<enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData></encryption>')


@pytest.mark.parametrize("extra", [
    {"META-INF/encryption.xml": ENCRYPTED.format(algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc",
                                                 uri="OEBPS/text/one.xhtml").encode()},
    {"META-INF/rights.xml": b"<rights/>"},
], ids=["encryption.xml", "rights.xml"])
def test_drm_is_named(tmp_path: Path, extra: dict[str, bytes]) -> None:
    path = Epub(docs=book_docs(), extra=extra).write(tmp_path / "b.epub")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == (f"{path}: is DRM-protected (its text is encrypted); fullcast can only read an EPUB "
                              "without DRM, such as the author's own export")


def test_obfuscated_fonts_are_not_drm(tmp_path: Path) -> None:
    xml = ENCRYPTED.format(algorithm="http://www.idpf.org/2008/embedding", uri="OEBPS/fonts/serif.otf").encode()
    path = Epub(docs=book_docs(), extra={"META-INF/encryption.xml": xml}).write(tmp_path / "b.epub")
    assert len(read_manuscript(path).chapters) == 2


def test_an_epub_with_no_story(tmp_path: Path) -> None:
    path = Epub(docs=book_docs()[:3]).write(tmp_path / "b.epub")
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == f"{path}: has no chapters with text in its spine; is it a complete book?"
