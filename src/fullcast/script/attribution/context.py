"""What the attribution rules know about a chapter: its turns, the calls made so far, the people in view.

A `Turn` is a paragraph holding quotations; a `Call` says who speaks a quote and why; the
`Context` gathers both with the narration's people as `cues` reads them, so that every rule
asks its questions of one value. `chapter.make_context` builds it for a chapter before any call
is made. This module holds only the types, so that every reader of a context (`tags`,
`vocatives`, `cues`, the rules) can import it without import circles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Candidate
from ..quotes import Piece
from .names import Mention, NameIndex

UNKNOWN = "unknown"
"""Speaker of a line nobody could be found for; casting gives it an auto voice."""


@dataclass(frozen=True)
class Turn:
    """A paragraph holding quotations, in the context of its conversation."""

    start: int
    """Offset of the paragraph in the chapter text."""
    end: int
    """Offset just past the paragraph."""
    quotes: tuple[Piece, ...]
    """Its quoted pieces, in order."""
    gap: int
    """Narration paragraphs since the previous turn; large after a scene break or at a chapter start."""
    continues: bool = False
    """The first quote carries on the previous turn's open quotation."""
    lead: tuple[int, int] | None = None
    """The narration paragraph just before, when it ends by introducing this quote ("Emma exclaimed,")."""
    before: tuple[int, int] | None = None
    """The narration paragraph just before, when there is exactly one since the previous turn."""
    reported: bool = False
    """A narration paragraph that may report speech ("Mr. Bennet replied that he had not."): a turn without quotes."""


@dataclass(frozen=True)
class Call:
    """Who speaks a quote, and why."""

    speaker: str
    """Person's name, or `unknown`."""
    rule: str
    """The rule and its cue, e.g. `tag after: "Tara replied"`."""
    pronoun: str | None = None
    """`he` or `she` when the cue named the speaker only by that pronoun, so the whole exchange may settle who;
    `other` for "said the other", which says no gender."""
    confidence: float | None = None
    """The calibrated probability that `speaker` is right, once the model has decided; None before."""
    candidates: tuple[Candidate, ...] = ()
    """Who else may have said it, most probable first, once the model has decided."""


@dataclass
class Context:
    """What the rules may look at: the chapter, the people, and the calls made so far."""

    text: str
    """The chapter's source text."""
    index: NameIndex
    """Everyone who may speak."""
    turns: list[Turn]
    """All turns of the chapter."""
    narrator: str | None = None
    """Who "I" is in narration, for a book told in the first person."""
    carried: str | None = None
    """Who spoke the line that ended the previous chapter, when this chapter opens with a quote."""
    calls: list[list[Call]] = field(default_factory=list)
    """Calls per turn, filled in reading order."""
    events: list[tuple[int, str]] = field(default_factory=list)
    """People the narration has referred to so far, (offset, name), pronouns resolved ("I" is the narrator)."""
    turn_set: set[int] = field(default_factory=set)
    """`turn_starts` as a set: speaker events sit at these offsets."""
    subjects: set[int] = field(default_factory=set)
    """Offsets of the events that are subjects ("She", a name opening a sentence or clause: `tags.is_subject`)."""
    event_starts: list[int] = field(default_factory=list)
    """Offsets of `events`, for bisecting."""
    pending: list[Mention] = field(default_factory=list)
    """Narration mentions not yet turned into events."""
    pending_starts: list[int] = field(default_factory=list)
    """Offsets of `pending`, for bisecting."""
    cursor: int = 0
    """How many of `pending` have been turned into events."""
    gendered: dict[str, set[str]] = field(default_factory=dict)
    """`he` / `she` -> the people that pronoun may mean (never the first-person narrator)."""
    addressees: list[tuple[str, ...]] = field(default_factory=list)
    """People each turn addresses by name (vocatives)."""
    turn_starts: list[int] = field(default_factory=list)
    """Start offsets of `turns`, for bisecting."""
    named: dict[int, set[str]] = field(default_factory=dict)
    """People each turn's quotes name without addressing them, filled as `quoted_names` asks."""
    voiced: dict[int, str] = field(default_factory=dict)
    """`he`/`she` for turns whose tag said only that, though no one of that gender was about to resolve it to."""
    local: list[list[Call | None]] = field(default_factory=list)
    """Per turn, per quote: what the turn's own paragraph says (tag or beat), before the conversation is read."""
    anchored: set[int] = field(default_factory=set)
    """Turns whose speaker their own paragraph names (a tag or beat), not guessed from the conversation."""

    def speaker(self, t: int) -> str | None:
        """The known main speaker of turn *t*, if any."""
        if 0 <= t < len(self.calls) and self.calls[t] and self.calls[t][-1].speaker != UNKNOWN:
            return self.calls[t][-1].speaker
        return None
