"""The casting stage: `Script` -> `CastScript`, a resolved voice and the spoken text for every segment.

`cast` gives narration to the narrator, dialogue to each speaker's cast entry or an
auto voice, and monologue to the thinker in a thought style, and applies pronunciations.
It checks voices against whatever catalogue the pipeline hands it, never an engine itself.

May import: `model`, `errors`, `settings` and its own modules.
"""

from .cast import CastRow, VoiceCatalogue, apply_pronunciations, cast_script, summarise_cast

__all__ = ["CastRow", "VoiceCatalogue", "apply_pronunciations", "cast_script", "summarise_cast"]
