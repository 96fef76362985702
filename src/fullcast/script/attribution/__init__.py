"""Speaker attribution: who says each quotation of a chapter, and why.

`names` knows who may speak and how the text names them (`discovery` adds names the cast
lacks, `roles` the roles the story teaches and family roles); `tags` and `vocatives` read
the narration around a quote and the quote itself; `cues` resolves a name, pronoun or
description to a person; `rules` turns cues into calls; `conversation` reads each run of
lines as a whole. That is the hand rules' first reading. `features` then gathers every line's
candidates and describes each with the cues, `decide` scores them with the trained model
(`trees` reads its file, `speakers.json`) and reads each run again with the scores of the lines
around, giving every line a calibrated probability. `chapter` runs them all over one chapter;
`context` holds the types they share.

May import: `model`, `errors`, `settings`, `script.quotes` and its own modules.
"""

from .chapter import attribute_chapter

__all__ = ["attribute_chapter"]
