"""The conventions of the text applied to a chapter's parts once its dialogue is attributed.

- chat and message lines are spoken by their sender (`messages`);
- a letter, diary or note quoted in full is read by whoever the text says reads it aloud,
  else by the narrator (`documents`);
- a story told inside a long quotation is the teller's, and its nested quotes are the
  tale's people's (`tales`).

Parts are `segments.Part` values: anything with `kind`, `start`, `end`, `speaker`, `rule`
and `paragraph`, changed with `dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

from ..model import NARRATOR, SegmentKind
from .attribution.names import NameIndex, normalise
from .documents import find_documents, rule
from .quotes import Piece
from .tales import tale_runs, tale_voices
from .viewpoint import thinker_named

P = TypeVar("P", bound=Any)


def apply_conventions(text: str, pieces: tuple[tuple[Piece, ...], ...], parts: list[P], index: NameIndex,
                      narrator: str | None) -> list[P]:
    """*parts* with message senders, documents read aloud or by the narrator, and told stories applied."""
    parts = _senders(pieces, parts, index)
    parts = _documents(text, pieces, parts, index, narrator)
    return _tales(text, pieces, parts, index)


def _senders(pieces: tuple[tuple[Piece, ...], ...], parts: list[P], index: NameIndex) -> list[P]:
    """Message lines spoken by the sender their line (or the narration before) names."""
    senders = {p.start: p.sender for row in pieces for p in row if p.quoted and p.sender and p.sender != "?"}
    if not senders:
        return parts
    out = []
    for part in parts:
        who = senders.get(part.start) if part.kind is SegmentKind.DIALOGUE else None
        if who:
            owners = index.owners.get(normalise(who), ())
            name = owners[0] if len(owners) == 1 else who
            part = replace(part, speaker=name, rule=f"chat: message line sent by {who}")
        out.append(part)
    return out


def _documents(text: str, pieces: tuple[tuple[Piece, ...], ...], parts: list[P], index: NameIndex,
               narrator: str | None) -> list[P]:
    """Every part of a document quoted in full: the reader's dialogue, or the narrator's narration."""
    found = find_documents(text, pieces)
    if not found:
        return parts
    by_paragraph = {i: d for d in found for i in range(d.first, d.last + 1)}
    out = []
    for part in parts:
        doc = by_paragraph.get(part.paragraph)
        quoted = part.kind is SegmentKind.DIALOGUE
        if doc is None or part.kind is SegmentKind.HEADING or (not quoted and doc.first == part.paragraph and
                                                               not _opens_document(text, pieces, part)):
            out.append(part)
            continue
        reader = _reader(doc.reader, text, part.start, index, narrator)
        if reader:
            out.append(replace(part, kind=SegmentKind.DIALOGUE, speaker=reader, rule=rule(doc, reader)))
        else:
            out.append(replace(part, kind=SegmentKind.NARRATION, speaker=NARRATOR, rule=rule(doc, None)))
    return out


def _opens_document(text: str, pieces: tuple[tuple[Piece, ...], ...], part: Any) -> bool:
    """Narration in a document's first paragraph belongs to it unless the paragraph is a quote with a tag."""
    return not any(p.quoted for p in pieces[part.paragraph])


def _reader(who: str | None, text: str, at: int, index: NameIndex, narrator: str | None) -> str | None:
    """The cast name of a document's reader as the text names them, the narrator's for "I", or None."""
    if who is None:
        return None
    if who == "I":
        return narrator or NARRATOR
    name = thinker_named(who, text, at, index, "")
    return name or None


def _tales(text: str, pieces: tuple[tuple[Piece, ...], ...], parts: list[P], index: NameIndex) -> list[P]:
    """Quoted parts of a told story split into the teller's words and the nested quotes of the tale's people."""
    runs = tale_runs(pieces)
    if not runs:
        return parts
    voices: dict[int, list[Any]] = {}
    for first, last in runs:
        told = [p for p in parts if first <= p.paragraph <= last and p.kind is SegmentKind.DIALOGUE
                and not p.rule.startswith(("document:", "chat:"))]
        if not told:
            continue
        quotes = [Piece(True, p.start, p.end, continues=p.paragraph > first) for p in told]
        found = tale_voices(text, quotes, told[0].speaker, index)
        for p in told:  # the teller's words in the first paragraph keep the rule that found the teller
            voices[id(p)] = [replace(v, rule=p.rule) if p.paragraph == first and v.speaker == told[0].speaker else v
                             for v in found if p.start <= v.start and v.end <= p.end]
    out: list[P] = []
    for part in parts:
        if id(part) not in voices:
            out.append(part)
            continue
        out += [replace(part, start=v.start, end=v.end, speaker=v.speaker, rule=v.rule) for v in voices[id(part)]]
    return out
