"""No word dropped: every word of the visible body text lands in the Book, in every format.

Each reader gets generated paragraphs (some words in italics, some paragraphs headings); the words of
the Book's chapters, headings, warning and set-aside passages are exactly the words written.
"""

from __future__ import annotations

import html
import re
import tempfile
from collections import Counter
from pathlib import Path

from fixtures.manuscripts.books import Doc, Epub, ao3_html, docx
from hypothesis import given, settings
from hypothesis import strategies as st

from fullcast.manuscript.plaintext import read_manuscript

WORD = st.sampled_from(["lamp", "tide", "caf\u00e9", "stra\u00dfe", "gull", "rope,", "salt.", "ember", "quay!",
                        "1887", "o'er", "na\u00efve", "ship-wright", "dawn?", "\u201chi\u201d"])
RUN = st.tuples(st.lists(WORD, min_size=1, max_size=6).map(" ".join), st.booleans())
PARAGRAPH = st.tuples(st.lists(RUN, min_size=1, max_size=4), st.booleans())
"""(runs, heading?): a paragraph's runs, each (text, italic), and whether it is a heading in markup formats."""
BOOKS = st.lists(PARAGRAPH, min_size=1, max_size=8)


def words(text: str) -> Counter:
    return Counter(re.findall(r"[^\W_]+", text))


def written(paragraphs) -> Counter:
    return words(" ".join(text for runs, _ in paragraphs for text, _ in runs))


def landed(book) -> Counter:
    texts = [c.paragraph_text(p) for c in book.chapters for p in c.paragraphs]
    texts += [c.text[c.heading[0]:c.heading[1]] for c in book.chapters if c.heading]
    texts += [a.text for a in book.set_aside] + ([book.warning.text] if book.warning and book.warning.source else [])
    return words(" ".join(texts))


def joined(runs, mark: str = "*") -> str:
    return " ".join(f"{mark}{text}{mark}" if italic else text for text, italic in runs)


def html_body(paragraphs) -> str:
    return "".join(f"<h2>{html.escape(joined(runs, ''))}</h2>" if heading else
                   "<p>" + " ".join(f"<em>{html.escape(t)}</em>" if i else html.escape(t) for t, i in runs) + "</p>"
                   for runs, heading in paragraphs)


def check(paragraphs, name: str, content: str, extra: str = "") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(content, encoding="utf-8")
        assert landed(read_manuscript(path)) == written(paragraphs) + words(extra)


@settings(max_examples=40, deadline=None)
@given(BOOKS)
def test_text_files_keep_every_word(paragraphs) -> None:
    check(paragraphs, "b.txt", "\n\n".join(joined(runs) for runs, _ in paragraphs) + "\n")


@settings(max_examples=40, deadline=None)
@given(BOOKS)
def test_markdown_keeps_every_word(paragraphs) -> None:
    text = "\n\n".join(("# " + joined(runs, "") if heading else joined(runs, "_")) for runs, heading in paragraphs)
    check(paragraphs, "b.md", text + "\n")


@settings(max_examples=40, deadline=None)
@given(BOOKS)
def test_html_keeps_every_word(paragraphs) -> None:
    check(paragraphs, "b.html", f"<html><body><p>start</p>{html_body(paragraphs)}</body></html>", "start")


@settings(max_examples=25, deadline=None)
@given(BOOKS)
def test_epub_keeps_every_word(paragraphs) -> None:
    docs = [Doc("a.xhtml", "<p>start</p>" + html_body(paragraphs[:3]), None),
            Doc("b.xhtml", "<p>more</p>" + html_body(paragraphs[3:]), None)]
    with tempfile.TemporaryDirectory() as folder:
        book = read_manuscript(Epub(docs=docs).write(Path(folder) / "b.epub"))
        assert landed(book) == written(paragraphs) + words("start more")


@settings(max_examples=25, deadline=None)
@given(BOOKS)
def test_docx_keeps_every_word(paragraphs) -> None:
    rows = [("Normal", [("start", False)])] + [
        ("Heading 1" if heading else "Normal", [(t + " ", i) for t, i in runs]) for runs, heading in paragraphs]
    with tempfile.TemporaryDirectory() as folder:
        book = read_manuscript(docx(Path(folder) / "b.docx", rows))
        assert landed(book) == written(paragraphs) + words("start")


@settings(max_examples=25, deadline=None)
@given(BOOKS)
def test_archive_html_keeps_every_word(paragraphs) -> None:
    page = ao3_html("T", "a", [("Chapter 1", html_body([(r, False) for r, _ in paragraphs]))], rating="Not Rated")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.html"
        path.write_text(page, encoding="utf-8")
        assert landed(read_manuscript(path)) == written(paragraphs) + words("Chapter 1")
