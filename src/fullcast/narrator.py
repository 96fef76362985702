"""Who "I" is in a book told in the first person, when voices.yaml does not say (`narrator.character`).

Other characters address the narrator by name in the lines next to the narrator's
own ("Hello, Robert," I said. / "Would you like to go, Jake?" he asked.). The name
most often addressed in the lines around "I said" is the narrator.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Protocol

from .context import Context, Turn
from .names import SPEECH_VERBS, NameIndex
from .quotes import Piece
from .vocatives import addressees

VERBS = "|".join(SPEECH_VERBS)
I_AFTER = re.compile(rf"^[\s,.!?;:—-]*(?:I\s+(?:\w+ly\s+)?(?:{VERBS})\b|(?:{VERBS})\s+I\b)")
I_BEFORE = re.compile(rf"\bI\s+(?:\w+ly\s+)?(?:{VERBS})\b[^.!?]*[,:]?\s*$")
MIN_VOTES = 2


class _Cut(Protocol):
    """A chapter cut into pieces (script._ChapterPieces)."""

    chapter: object
    pieces: tuple[tuple[Piece, ...], ...]


def said_by_i(text: str, turn: Turn) -> bool:
    """True when a quote of the turn carries an "I said" tag."""
    for q, quote in enumerate(turn.quotes):
        after_end = turn.quotes[q + 1].start if q + 1 < len(turn.quotes) else turn.end
        before_start = turn.quotes[q - 1].end if q else turn.start
        if I_AFTER.match(text[quote.end + 1:min(after_end, quote.end + 60)]):
            return True
        if I_BEFORE.search(text[max(before_start, quote.start - 80):max(before_start, quote.start - 1)]):
            return True
    return False


def infer_narrator(cut: list[_Cut], index: NameIndex) -> str | None:
    """The cast name most often addressed in the lines next to the narrator's own, and not named in the narration.

    The narration calls the narrator "I": someone it names more often than the others call
    the narrator by name (a servant called for in every scene) is somebody else.
    """
    votes: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for c in cut:
        text = c.chapter.text  # type: ignore[attr-defined]
        turns = [Turn(p[0].start, p[-1].end, tuple(x for x in p if x.quoted), 0) for p in c.pieces
                 if any(x.quoted for x in p)]
        ctx = Context(text, index, turns)
        named.update(m.names[0] for p in c.pieces for x in p if not x.quoted
                     for m in index.mentions(text, x.start, x.end, pronouns=False) if len(m.names) == 1)
        mine = [said_by_i(text, t) for t in turns]
        for t, turn in enumerate(turns):
            if mine[t]:
                continue
            if (t > 0 and mine[t - 1]) or (t + 1 < len(turns) and mine[t + 1]):
                votes.update(addressees(ctx, turn))
    best = [(name, n) for name, n in votes.most_common() if named[name] <= n]
    return best[0][0] if best and best[0][1] >= MIN_VOTES else None
