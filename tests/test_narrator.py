"""narrator: who "I" is in a first-person book, from how the others address the narrator."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fullcast.context import Turn
from fullcast.model import Gender
from fullcast.names import Person, build_index
from fullcast.narrator import infer_narrator, said_by_i
from fullcast.quotes import Piece, QuoteStyle, split_paragraph

INDEX = build_index([Person("Jake", Gender.MALE, True), Person("Robert", Gender.MALE, True),
                     Person("Brett", Gender.FEMALE, True)])


@dataclass(frozen=True)
class _Chapter:
    text: str


@dataclass(frozen=True)
class _Cut:
    chapter: _Chapter
    pieces: tuple[tuple[Piece, ...], ...]


def cut(text: str) -> _Cut:
    pieces = tuple(tuple(split_paragraph(text, m.start(), m.end(), QuoteStyle.DOUBLE, False))
                   for m in re.finditer(r"\S(?:.*\S)?", text))
    return _Cut(_Chapter(text), pieces)


def test_said_by_i() -> None:
    text = '"Hello, Robert," I said.'
    turn = Turn(0, len(text), tuple(p for p in split_paragraph(text, 0, len(text), QuoteStyle.DOUBLE, False)
                                   if p.quoted), 0)
    assert said_by_i(text, turn) is True
    other = '"Hello," he said.'
    assert said_by_i(other, Turn(0, len(other), (Piece(True, 1, 7),), 0)) is False


def test_the_name_others_call_the_narrator() -> None:
    text = ('"Hello, Robert," I said.\n\n"Would you like to go, Jake?" he asked.\n\n"No," I said.\n\n'
            '"Why not, Jake?"\n\n"Brett is here," I said.')
    assert infer_narrator([cut(text)], INDEX) == "Jake"


def test_someone_the_narration_names_is_not_the_narrator() -> None:
    text = ('Brett came in. Brett sat down. Brett smiled.\n\n"Tea, Brett?" Robert asked.\n\n"No," I said.\n\n'
            '"Go away, Brett."\n\n"Why?" I said.\n\n"Are you coming, Jake?"\n\n"No," I said.\n\n"Why not, Jake?"')
    assert infer_narrator([cut(text)], INDEX) == "Jake"


def test_one_vote_is_not_enough() -> None:
    text = '"Hello," I said.\n\n"Hi, Jake."'
    assert infer_narrator([cut(text)], INDEX) is None
