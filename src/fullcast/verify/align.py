"""Compare what was heard with what was read: normalised words, a word alignment, WER and unheard segments.

Words are normalised simply, and the same way on both sides: case folded, punctuation
dropped, a hyphenated word written as one ("lamp-hook" -> `lamphook`), numbers written in
digits spelled out as words ("30" -> `thirty`, "1st" -> `first`) and a few spoken
abbreviations expanded (`mr` -> `mister`). Nothing cleverer: "a hundred and five" and
"105" stay different, and cost a word or two.

The alignment is a word-level edit distance, found in full by dynamic programming (a stretch
of more than MAX_GAP_CELLS word pairs is first anchored on exact matches with difflib).
Besides equal words, two more things count as a match: words spelt nearly alike (difflib
ratio over 0.8: "harbor"/"harbour", a respelling such as "Salt-reech" heard as "Saltreach"),
and one word heard as two or two as one ("lamplighter"/"lamp lighter"). WER = (S + D + I) / N,
with N the words read. Among the alignments with the fewest edits, the one that pairs the most
words with words heard where they were spoken is taken (`fits`).

A word read was heard when some word was heard in its place, even another one: the tiny
model mishears synthetic voices often (the WER shows that), but a silent or dropped clip
leaves nothing in its place. A segment is missing when more than half its words were not heard.

May import: nothing of fullcast's.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

NEAR = 0.8
"""Two words whose spelling is more alike than this (difflib ratio) are the same word said."""
MIN_WORDS = 3
"""A segment shorter than this is never flagged alone: Whisper drops short interjections ("Oh," "Yes.")."""
MISSING_SHARE = 0.5
"""A segment is missing when more than this share of its words was not heard."""
TOLERANCE_MS = 500
"""A word heard this far outside its segment's cue still counts as heard there (Whisper's word times drift a little)."""
MAX_GAP_CELLS = 250_000
"""The largest stretch between anchors aligned word by word; a longer one is counted without looking closer."""

_WORD = re.compile(r"[^\W_]+(?:['’\-‐‑][^\W_]+)*")
"""A word: letters and digits, with apostrophes and hyphens inside it."""
_INSIDE = re.compile(r"['’\-‐‑]")
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3})")
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)")
_SPOKEN = {"mr": "mister", "mrs": "missus", "dr": "doctor", "ok": "okay"}
"""Abbreviations both the script and Whisper write, and the word said."""
_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (100, "hundred"))
_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
             "twelve": "twelfth"}


@dataclass(frozen=True)
class Word:
    """One word Whisper heard, where it heard it."""

    text: str
    """The word as Whisper wrote it, punctuation included."""
    start_ms: int
    """Its start in the file."""
    end_ms: int
    """Its end in the file."""


@dataclass(frozen=True)
class Alignment:
    """How the words read line up with the words heard."""

    pairs: tuple[int | None, ...]
    """Per word read: the position of the word heard in its place (the same word or another), or None when
    nothing was heard in its place (a deletion)."""
    substitutions: int
    """Words read that were heard as another word."""
    deletions: int
    """Words read that were not heard at all."""
    insertions: int
    """Words heard that were never read."""

    @property
    def words(self) -> int:
        """N: the words read."""
        return len(self.pairs)

    @property
    def errors(self) -> int:
        """S + D + I."""
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """The word error rate (S + D + I) / N; with nothing read, the words heard (0 when none)."""
        return self.errors / self.words if self.words else float(self.errors)


# --------------------------------------------------------------------------- words


def normalise(text: str) -> list[str]:
    """The words of *text*, normalised for comparison (see the module docstring)."""
    text = _DIGIT_COMMA.sub("", unicodedata.normalize("NFKC", text).casefold())
    words: list[str] = []
    for match in _WORD.finditer(text):
        word = _INSIDE.sub("", match.group())
        words += _spelled(word)
    return words


def _spelled(word: str) -> list[str]:
    """*word* as said: a number in words, an abbreviation expanded, anything else as it is."""
    if word.isascii() and word.isdigit():
        return number_words(int(word))
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:
        said = number_words(int(ordinal.group(1)))
        return said[:-1] + [_ordinal(said[-1])]
    return [_SPOKEN.get(word, word)]


def number_words(number: int) -> list[str]:
    """*number* in words, a compound tens written as one word as normalise makes it: 125 -> one hundred twentyfive."""
    if number < 20:
        return [_ONES[number]]
    if number < 100:
        tens, ones = divmod(number, 10)
        return [_TENS[tens] + (_ONES[ones] if ones else "")]
    for scale, name in _SCALES:
        if number >= scale:
            high, rest = divmod(number, scale)
            if high >= 1000 and scale == _SCALES[0][0]:
                return [str(number)]  # past the billions: compared as written
            return number_words(high) + [name] + (number_words(rest) if rest else [])
    raise AssertionError(number)  # pragma: no cover


def _ordinal(word: str) -> str:
    for cardinal, ordinal in _ORDINALS.items():  # "twentyone" -> "twentyfirst"
        if word.endswith(cardinal) and (word == cardinal or word[: -len(cardinal)] in _TENS):
            return word[: -len(cardinal)] + ordinal
    if word.endswith("y"):
        return word[:-1] + "ieth"
    return word + "th"


@functools.lru_cache(maxsize=1 << 16)
def same(read: str, heard: str) -> bool:
    """True when *heard* is the word *read*: equal, or spelt nearly alike."""
    return read == heard or difflib.SequenceMatcher(None, read, heard, autojunk=False).ratio() > NEAR


# --------------------------------------------------------------------------- alignment


Fits = Callable[[int, int], bool]
"""fits(i, j): whether word j heard lies where word i read was spoken."""


def align(read: Sequence[str], heard: Sequence[str], fits: Fits | None = None) -> Alignment:
    """Line up the normalised words *read* with those *heard* with the fewest edits.

    Among alignments with as few edits, the one pairing most words read with words heard
    where they were spoken (*fits*) is taken, so a short common word ("the") is not paired
    with one heard in the next sentence. A long stretch is first anchored on exact matches.
    """
    fits = fits or (lambda i, j: True)
    if len(read) * len(heard) <= MAX_GAP_CELLS:
        return _aligned(read, heard, 0, 0, fits)
    pairs: list[int | None] = [None] * len(read)
    subs = dels = ins = 0
    matcher = difflib.SequenceMatcher(None, list(read), list(heard), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs[i1:i2] = range(j1, j2)
            continue
        gap = _aligned(read[i1:i2], heard[j1:j2], i1, j1, fits)
        pairs[i1:i2] = gap.pairs
        subs, dels, ins = subs + gap.substitutions, dels + gap.deletions, ins + gap.insertions
    return Alignment(tuple(pairs), subs, dels, ins)


def _aligned(read: Sequence[str], heard: Sequence[str], i0: int, j0: int, fits: Fits) -> Alignment:
    """The fewest-edit alignment of read[i0:] and heard[j0:] stretches given whole; pairs count from i0, j0."""
    n, m = len(read), len(heard)
    if n * m > MAX_GAP_CELLS:
        s = min(n, m)  # too long to look closer: the first words paired, the rest deleted or inserted
        return Alignment(tuple(j0 + i if i < s else None for i in range(n)), s, n - s, m - s)
    move = _edit_table(read, heard, lambda i, j: fits(i0 + i, j0 + j))
    pairs: list[int | None] = [None] * n
    subs = dels = ins = 0
    i, j = n, m
    while i or j:
        step = move[i][j]
        if step in ("match", "sub"):
            pairs[i - 1] = j0 + j - 1
            subs += step == "sub"
            i, j = i - 1, j - 1
        elif step == "del":
            dels, i = dels + 1, i - 1
        elif step == "ins":
            ins, j = ins + 1, j - 1
        elif step == "merge":  # one word read, heard as two
            pairs[i - 1] = j0 + j - 2
            i, j = i - 1, j - 2
        else:  # "split": two words read, heard as one
            pairs[i - 2] = pairs[i - 1] = j0 + j - 1
            i, j = i - 2, j - 1
    return Alignment(tuple(pairs), subs, dels, ins)


def _edit_table(read: Sequence[str], heard: Sequence[str], fits: Fits) -> list[list[str]]:
    """The last move of the best alignment of every pair of prefixes.

    Best is fewest edits, then fewest pairs that do not *fit*; then a match wins, then a merge or split,
    then a substitution. The two counts are kept in one number: edits * EDIT + misfits.
    """
    n, m = len(read), len(heard)
    edit = n + m + 1  # more than any number of misfits
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0], move[i][0] = i * edit, "del"
    for j in range(1, m + 1):
        cost[0][j], move[0][j] = j * edit, "ins"
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            off = not fits(i - 1, j - 1)
            options = [(cost[i - 1][j - 1] + edit + off, 2, "sub"), (cost[i - 1][j] + edit, 3, "del"),
                       (cost[i][j - 1] + edit, 3, "ins")]
            if same(read[i - 1], heard[j - 1]):
                options.append((cost[i - 1][j - 1] + off, 0, "match"))
            if j > 1 and same(read[i - 1], heard[j - 2] + heard[j - 1]):
                options.append((cost[i - 1][j - 2] + (not fits(i - 1, j - 2)), 1, "merge"))
            if i > 1 and same(read[i - 2] + read[i - 1], heard[j - 1]):
                options.append((cost[i - 2][j - 1] + off + (not fits(i - 2, j - 1)), 1, "split"))
            cost[i][j], _, move[i][j] = min(options)
    return move


# --------------------------------------------------------------------------- segments


def heard_in_place(alignment: Alignment, fits: Fits) -> list[bool]:
    """Per word read: True when a word was heard in its place (the same word or another, where it *fits*).

    A word heard as another word counts as heard: the tiny model mishears synthetic voices
    often (a WER matter), but a silent or dropped clip leaves nothing in its place.
    """
    return [pair is not None and fits(i, pair) for i, pair in enumerate(alignment.pairs)]


def within(windows: Sequence[tuple[int, int]], times: Sequence[tuple[int, int]],
           tolerance_ms: int = TOLERANCE_MS) -> Fits:
    """*fits* from times: word j heard ((start, end) in *times*) overlaps the (start, end) window of word i read,
    widened by *tolerance_ms* on both sides."""
    def fits(i: int, j: int) -> bool:
        return times[j][1] >= windows[i][0] - tolerance_ms and times[j][0] <= windows[i][1] + tolerance_ms

    return fits


def unheard_segments(sizes: Sequence[int], heard: Sequence[bool]) -> list[int]:
    """Positions of the segments that are missing: *sizes* words each, in order, over the flags *heard*.

    Missing means more than MISSING_SHARE of its words unheard; a segment of fewer than
    MIN_WORDS words is never flagged alone (its words still count in the WER).
    """
    if sum(sizes) != len(heard):
        raise ValueError(f"{sum(sizes)} words in the segments, {len(heard)} flags")
    missing, at = [], 0
    for position, size in enumerate(sizes):
        unheard = size - sum(heard[at:at + size])
        at += size
        if size >= MIN_WORDS and unheard > MISSING_SHARE * size:
            missing.append(position)
    return missing
