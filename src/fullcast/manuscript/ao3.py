"""Fan-fiction archive downloads (AO3's HTML and EPUB): the preface's tags and the chapters.

The download holds a `<div id="preface">` with a `<dl class="tags">` of `<dt>`/`<dd>` pairs, an `<h1>`
title, a `div.byline` with the author, and Summary and Notes blockquotes; then `<div id="chapters">`,
where each chapter has an `<h2 class="heading">`, optional notes and a `div.userstuff` with the text;
then end notes. The mapping:
- Rating -> `rating` and the explicit flag; Archive Warning and Additional Tags -> the spoken content
  warning (`content_tags`); Character -> `characters` (a cast seed); Summary -> description;
  Series ("Part 7 of Name") -> series and part; the byline -> author.
- Notes (the work's, each chapter's, the end notes) are set aside unless `read_notes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..model import ContentWarning, Publication, SetAside
from . import htmltext
from .document import Document, Part

EXPLICIT = {"explicit", "mature"}
NOT_EXPLICIT = {"general audiences", "teen and up audiences"}
NO_WARNING = {"no archive warnings apply"}
SERIES = re.compile(r"part\s+(\d+(?:\.\d+)?)\s+of\s+(.+)", re.I)


@dataclass(frozen=True)
class Preface:
    """What an archive download's preface says about the work."""

    metadata: tuple[tuple[str, str], ...]
    """Title, Author, Rating and every tag line as `Key: Value` pairs."""
    publication: Publication
    """The summary, Language, Series, rating, warnings and tags, and Character tags."""
    notes: tuple[str, ...]
    """The work's notes, each a paragraph."""


def is_ao3(soup) -> bool:
    """True for an archive download: a preface with a tag list, and chapters."""
    return soup.find(id="preface") is not None and soup.find(id="chapters") is not None


def preface(root) -> Preface:
    """The work's metadata from an element holding the preface (the whole page, or an EPUB's title page)."""
    tags: dict[str, list[str]] = {}
    for dt in root.select("dl.tags dt"):
        dd = dt.find_next_sibling("dd")
        key = htmltext.text_of(dt).rstrip(":").strip()
        links = [htmltext.text_of(a) for a in dd.find_all("a")] if dd else []
        tags[key] = links if links and key != "Series" else [htmltext.text_of(dd)] if dd else []
    title = htmltext.text_of(root.select_one("#preface h1, h1"))
    author = ", ".join(htmltext.text_of(a) for a in root.select(".byline a")) or re.sub(
        r"^by\s+", "", htmltext.text_of(root.select_one(".byline")), flags=re.I)
    meta = [("Title", title)] if title else []
    meta += [("Author", author)] if author else []
    meta += [(key, ", ".join(values)) for key, values in tags.items() if values]
    rating = ", ".join(tags.get("Rating", [])).casefold()
    series = SERIES.search(" ".join(tags.get("Series", [])))
    warnings = [w for w in tags.get("Archive Warning", []) + tags.get("Archive Warnings", [])
                if w.casefold() not in NO_WARNING]
    publication = Publication(
        description=_labelled(root, "Summary"), language=(tags.get("Language") or [None])[0],
        series=series.group(2).strip() if series else None, series_part=series.group(1) if series else None,
        explicit=True if rating in EXPLICIT else False if rating in NOT_EXPLICIT else None,
        content_tags=tuple(warnings + tags.get("Additional Tags", [])), characters=tuple(tags.get("Character", [])))
    return Preface(tuple(meta), publication, tuple(filter(None, [_labelled(root, "Notes")])))


def _labelled(root, label: str) -> str | None:
    """The text of the blockquote after a `<p>` (or heading) that says *label*, e.g. "Summary"."""
    for tag in root.find_all(["p", "h2", "h3", "div"]):
        if htmltext.text_of(tag).rstrip(":") == label and (quote := tag.find_next_sibling("blockquote")):
            return "\n\n".join(b.text for b in htmltext.blocks(quote)) or None
    return None


def content_warning(tags: tuple[str, ...]) -> ContentWarning | None:
    """The warning spoken from the archive's warnings and additional tags, or None when there are none."""
    return ContentWarning(f"Content warning: {', '.join(tags)}.") if tags else None


def chapter_parts(root, read_notes: bool, document: str | None = None) -> tuple[list[Part], list[str]]:
    """One Part per chapter in *root* (a `#chapters` element or an EPUB chapter page), and the notes set aside.

    With *read_notes*, a chapter's notes are read before its text and its end notes after it.
    """
    parts, notes = [], []
    headings = root.select("h2.heading")
    for heading in headings or [None]:
        if heading is not None:
            group = heading.find_parent(class_="meta") or heading.parent
            body = heading.find_next("div", class_="userstuff")
            title = htmltext.text_of(heading)
        else:
            group, body, title = None, root, None
        before = _notes(group, heading) if group is not None else []
        after = _notes(body.find_next_sibling(class_="end"), None) if body is not None else []
        text = [b for b in htmltext.blocks(_without_meta(body))] if body is not None else []
        head = [htmltext.Block("h", title, 0)] if title else []
        if read_notes:
            found = head + _as_blocks(before) + text + _as_blocks(after)
        else:
            found, notes = head + text, notes + before + after
        parts.append(htmltext.to_part(found, title, document))
    return [_archive_part(p) for p in parts], notes


def _archive_part(part: Part) -> Part:
    """An archive chapter: its chapters are the archive's, not headings found in its text."""
    return Part(part.text, part.start, part.end, part.title, part.document, part.headings, part.numbers, True, True)


def _without_meta(body):
    """*body* without the chapter headings and notes it may hold (a one-chapter work's `#chapters`)."""
    for meta in body.select(".meta, .notes, .end"):
        meta.extract()
    return body


def _notes(group, heading) -> list[str]:
    """The paragraphs of the notes in a chapter's meta group (or end-notes element)."""
    if group is None:
        return []
    quotes = group.select("blockquote")
    return [b.text for quote in quotes for b in htmltext.blocks(quote)]


def _as_blocks(texts: list[str]) -> list[htmltext.Block]:
    return [htmltext.Block("p", text, 0) for text in texts]


def read_html(path: Path, soup, encoding: str, read_notes: bool) -> Document:
    """The Document of an archive's HTML download."""
    work = preface(soup.find(id="preface"))
    parts, notes = chapter_parts(soup.find(id="chapters"), read_notes)
    afterword = soup.find(id="afterword")
    end_notes = _notes(afterword, None) if afterword is not None else []
    if read_notes:
        parts[0] = _with_notes(parts[0], list(work.notes), [])
        parts[-1] = _with_notes(parts[-1], [], end_notes)
        notes = []
    else:
        notes = list(work.notes) + notes + end_notes
    aside = tuple(SetAside("notes", text, str(path)) for text in notes)
    return Document(str(path), tuple(parts), work.metadata, encoding, False, work.publication,
                    content_warning(work.publication.content_tags), aside)


def _with_notes(part: Part, before: list[str], after: list[str]) -> Part:
    """*part* with the work's notes added before its text and end notes after it (for `read_notes`)."""
    if not before and not after:
        return part
    head = part.text[: part.headings[0][1]] if part.headings else ""
    body = part.text[len(head):].strip("\n")
    pieces = ([head] if head else []) + before + ([body] if body else []) + after
    text = "\n\n".join(pieces) + "\n"
    return Part(text, 0, len(text), part.title, part.document, part.headings, (), True, True)
