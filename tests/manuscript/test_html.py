"""Single-file HTML books and archive (AO3) downloads in HTML and EPUB."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.manuscripts.books import Doc, Epub, ao3_html

from fullcast.errors import ManuscriptError
from fullcast.manuscript.plaintext import read_manuscript
from fullcast.model import ContentWarning

PAGE = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>The Quay</title>"
        "<meta name='author' content='Ann Writer'><style>p {{ margin: 0 }}</style></head><body>{0}</body></html>")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def paragraphs(chapter) -> list[str]:
    return [chapter.paragraph_text(p) for p in chapter.paragraphs]


def test_html_book_headings_italics_entities_and_breaks(tmp_path: Path) -> None:
    body = ("<h1>The Quay</h1><h2>Chapter 1</h2><h3>Low Tide</h3><p>The  boat\n<em>rocked</em>.<br>Ada held on.</p>"
            "<p>&gt; you there?</p><hr><p><i>Fine, </i>Maren thought.</p><script>var x = 1;</script>"
            "<h2>Chapter 2</h2><div><p>Night.</p>Loose text in a div.</div>")
    book = read_manuscript(write(tmp_path, "quay.html", PAGE.format(body)))
    assert (book.title, book.author, book.publication.language) == ("The Quay", "Ann Writer", "en")
    assert [c.title for c in book.chapters] == ["Chapter 1: Low Tide", "Chapter 2"]
    first, second = book.chapters
    assert paragraphs(first) == ["The boat *rocked*.\nAda held on.", "> you there?", "*Fine,* Maren thought."]
    assert [p.scene_break_before for p in first.paragraphs] == [False, False, True]
    assert paragraphs(second) == ["Night.", "Loose text in a div."]
    assert [(a.kind, a.text) for a in book.set_aside] == [("title page", "The Quay")]


@pytest.mark.parametrize("body", ["", "<nav><a href='a.html'>One</a></nav>", "<h1>Index</h1>"])
def test_html_with_no_text_body(tmp_path: Path, body: str) -> None:
    path = write(tmp_path, "index.html", PAGE.format(body))
    with pytest.raises(ManuscriptError) as err:
        read_manuscript(path)
    assert str(err.value) == (f"{path}: has no text body (no paragraphs in its <body>); "
                              "pass the book's HTML file, not an index or a page of links")


def archive_page(**options) -> str:
    chapters = [("Chapter 1: Steam", "<p>The kettle <em>sang</em>.</p><p>Ada poured.</p>"),
                ("Chapter 2: Tea", "<p>\"Hello,\" said Maren.</p>")]
    return ao3_html("The Kettle", "penname", chapters, rating="Explicit", warnings="Graphic Depictions Of Violence",
                    tags=["Angst", "Hurt/Comfort"], characters=["Ada Quill", "Maren Holt"],
                    series="Part 7 of <a>Saltreach Tales</a>", summary="<p>Ada boils water.</p>",
                    notes="<p>For my beta.</p>", chapter_notes="<p>Short one.</p>", end_notes="<p>Thanks!</p>", **options)


def test_archive_download_mapping(tmp_path: Path) -> None:
    book = read_manuscript(write(tmp_path, "kettle.html", archive_page()))
    assert (book.title, book.author, book.rating, book.publication.explicit) == ("The Kettle", "penname", "Explicit", True)
    assert (book.publication.series, book.publication.series_part, book.publication.description) == ("Saltreach Tales", "7", "Ada boils water.")
    assert book.publication.characters == ("Ada Quill", "Maren Holt")
    assert book.publication.content_tags == ("Graphic Depictions Of Violence", "Angst", "Hurt/Comfort")
    assert book.warning == ContentWarning("Content warning: Graphic Depictions Of Violence, Angst, Hurt/Comfort.")
    assert [c.title for c in book.chapters] == ["Chapter 1: Steam", "Chapter 2: Tea"]
    assert [paragraphs(c) for c in book.chapters] == [["The kettle *sang*.", "Ada poured."], ["\"Hello,\" said Maren."]]
    assert [(a.kind, a.text) for a in book.set_aside] == [("notes", "For my beta."), ("notes", "Short one."),
                                                          ("notes", "Short one."), ("notes", "Thanks!")]


def test_archive_notes_are_read_when_asked(tmp_path: Path) -> None:
    book = read_manuscript(write(tmp_path, "kettle.html", archive_page()), read_notes=True)
    assert [paragraphs(c) for c in book.chapters] == [
        ["For my beta.", "Short one.", "The kettle *sang*.", "Ada poured."],
        ["Short one.", "\"Hello,\" said Maren.", "Thanks!"]]


def test_archive_warning_none_and_general_rating(tmp_path: Path) -> None:
    page = ao3_html("Calm", "penname", [("Chapter 1", "<p>Quiet.</p>")], rating="General Audiences")
    book = read_manuscript(write(tmp_path, "calm.html", page))
    assert (book.publication.explicit, book.warning, book.publication.content_tags) == (False, None, ())


def test_archive_epub(tmp_path: Path) -> None:
    preface = ('<div id="preface"><dl class="tags"><dt>Rating:</dt><dd><a>Mature</a></dd><dt>Character:</dt>'
               '<dd><a>Ada Quill</a></dd><dt>Series:</dt><dd>Part 2 of <a>Tides</a></dd></dl><h1>The Kettle</h1>'
               '<div class="byline">by <a rel="author">penname</a></div><p>Summary</p>'
               '<blockquote class="userstuff"><p>Ada boils water.</p></blockquote></div>')
    chapter = ('<div class="meta group"><h2 class="heading">Chapter 1: Steam</h2><p>Chapter Notes</p>'
               '<blockquote class="userstuff"><p>Short one.</p></blockquote></div>'
               '<div class="userstuff"><p>The kettle <em>sang</em>.</p></div>')
    path = Epub("The Kettle", "penname", [Doc("preface.xhtml", preface, "Preface"),
                                          Doc("ch1.xhtml", chapter, "Chapter 1: Steam")]).write(tmp_path / "k.epub")
    book = read_manuscript(path)
    assert (book.title, book.author, book.rating, book.publication.series, book.publication.series_part) == (
        "The Kettle", "penname", "Mature", "Tides", "2")
    assert (book.publication.characters, book.publication.description, book.publication.explicit) == (("Ada Quill",), "Ada boils water.", True)
    assert [c.title for c in book.chapters] == ["Chapter 1: Steam"]
    assert paragraphs(book.chapters[0]) == ["The kettle *sang*."]
    assert [(a.kind, a.text) for a in book.set_aside] == [("notes", "Short one.")]
