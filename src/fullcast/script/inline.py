"""Quoted words that nobody says: scare quotes, titles, names and sounds inside a sentence.

`a "tell"`, `the steamer "Mary Ellen"`, `a horn going "Honk-honk!"`, `pronounced "Marlowe."`,
`Old Pete, "the Little Owl," as they called him` are narration: a short quoted phrase that
stands inside a sentence of narration (the words before it run on into it), with no speech
verb next to it, so it is nobody's turn. The narrator reads it with the sentence around it,
and the narration's rule says why (`script --explain`): a sign or note quoted so
(`the sign read "NO ENTRY"`) is a document the narrator reads.
"""

from __future__ import annotations

import re

from .attribution.names import SPEECH_VERB_SET
from .quotes import Piece

MAX_WORDS = 6
"""A quoted phrase longer than this is somebody's line, however it is introduced."""
NAMING = {"called", "calling", "calls", "pronounced", "went", "put", "cut", "struck", "shot", "threw", "flung",
          "broke", "burst", "quoted", "thought", "wondered", "reflected", "recalled", "related", "supposed",
          "finished", "began", "begins", "smiles", "laughs", "proceeded", "pursued", "interpreted", "returned",
          "returns", "reported", "offered", "flashed", "concluded", "resumed", "continued", "continues"}
"""Speech verbs that also name, sound or narrate ("as they called him", "went Honk!", "pronounced 'Marlowe'")."""
SPEAKING = re.compile(r"\b(?:%s)\b" % "|".join(sorted(SPEECH_VERB_SET - NAMING, key=len, reverse=True)), re.I)
WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SPOKEN_BEFORE = re.compile(r"\b(?:say|ask|tell|reply|answer|exclaim|remark|murmur|whisper|shout|cry|"
                           r"(?:call|called|calling|cried|read|reading|sang|sing|singing|sung)\s+(?:out|aloud)|"
                           r"sang|sing|sings|singing|chant|chanted|chanting|hum|hummed|began|begun|begin|started|"
                           r"[a-z]+ed\s+out|scream|screams|yell|shriek|ejaculation|exclaiming|murmuring|"
                           r"conjecture|repeat|add|remark|remarks|shout|shouts|cry|cries|words|exclamation|question|"
                           r"answer|reply|whisper|greeting|comment|retort|saying|said|asking|answering|replying|"
                           r"crying|shouting|whispering)\b(?:\s+\w+){0,4}?(?:\s+(?:of|was|were|is|as))?\s*[,:]?\s*\Z",
                           re.I)
"""Words before a quotation that make it somebody's speech after all ("her mother's shout of", "the remark of")."""
THINKING = re.compile(r"\b(?:thought|thinks|wondered|called\s+out|cried\s+out)\b", re.I)
"""A tag after the quotation that makes it a thought or a call after all ("...," thought Alice)."""
RULE = "narration: quoted phrase inside a sentence, no speech verb (a title, name, sound or scare quotes)"
SIGN = re.compile(r"\b(?:sign|signs|notice|label|card|placard|poster|banner|plaque|inscription|headline|note|"
                  r"letter|telegram|screen|door)\b[^.!?]{0,40}\Z", re.I)
"""Words before a short quotation that make it something written, read out by the narrator."""
SIGN_RULE = "document: a sign or note quoted in the sentence, read by the narrator"


def narrated_quotes(text: str, pieces: list[Piece]) -> list[Piece]:
    """The paragraph's pieces with every scare quote, title, name or sound merged into the narration around it."""
    if not any(p.quoted for p in pieces):
        return pieces
    out: list[Piece] = []
    merging = False
    narrated: set[int] = set()
    for k, piece in enumerate(pieces):
        if piece.quoted and is_narrated(text, pieces, k, narrated):
            narrated.add(k)
            start = out.pop().start if out and not out[-1].quoted else piece.start - 1
            written = SIGN.search(text, pieces[k - 1].start, piece.start - 1)
            out.append(Piece(False, start, piece.end + 1, why=SIGN_RULE if written else RULE))
            merging = True
            continue
        if merging and not piece.quoted:
            out[-1] = Piece(False, out[-1].start, piece.end, why=out[-1].why)
        else:
            out.append(piece)
        merging = False
    return out


def is_narrated(text: str, pieces: list[Piece], k: int, narrated: set[int] | frozenset[int] = frozenset()) -> bool:
    """True when quoted piece *k* is a short phrase inside a narrated sentence, with no speech verb beside it.

    *narrated* holds the quoted pieces before it already found narrated: a quote that picks up
    someone's line after a short interruption (`"It's not that" she tried "it's this."`) is speech.
    """
    quote = pieces[k]
    if quote.continues or quote.open_end or k == 0 or pieces[k - 1].quoted:
        return False
    words = WORDS.findall(text, quote.start, quote.end)
    if not 0 < len(words) <= MAX_WORDS:
        return False
    before = text[pieces[k - 1].start:quote.start - 1].rstrip()
    if k >= 2 and pieces[k - 2].quoted and k - 2 not in narrated and len(WORDS.findall(before)) <= 14:
        return False
    # `Old Pete, "the Little Owl," as...`: a lower-case phrase set off by commas, where no line came before
    runs_on = bool(re.search(r"[^\W_]\Z", before)) or (before.endswith(",") and text[quote.start].islower() and k == 1)
    if re.search(r"\b(?:called|calls|calling|cried|cries)\s*[,:]?\Z", before):
        return False  # `She called "Victor!"`: called out, not named
    sentence = re.split(r"(?<!\bM[rs])(?<!\bMrs)(?<!\bDr)(?<!\bSt)[.!?]\s", before)[-1]
    if not before.endswith(","):  # "He said nothing, but he wrote the word "tide"": only the last clause counts
        sentence = re.split(r"[,;:]\s|\b(?:but|and|then|while)\b", sentence)[-1]
    if not runs_on or SPEAKING.search(sentence) or THINKING.search(sentence) or SPOKEN_BEFORE.search(before[-80:]):
        return False
    after = text[quote.end + 1:pieces[k + 1].end] if k + 1 < len(pieces) and not pieces[k + 1].quoted else ""
    tag = re.match(r"[\s,;:!?.—–-]*((?:[^\W_]+\s+){0,3}[^\W_]+)", after)
    return not (tag and (SPEAKING.search(tag.group(1)) or THINKING.search(tag.group(1))))
