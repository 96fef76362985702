"""The script stage: `Book` -> `Script`, every word of the story in one segment with its speaker.

`analyse` cuts each chapter into quotations and narration (`quotes`), finds the point of
view and the interior monologue (`viewpoint`), and asks `attribution` who speaks each
quotation; `lines:` corrections from voices.yaml are applied last.

May import: `model`, `errors`, `settings` and its own modules.
"""

from .analyse import analyse_book

__all__ = ["analyse_book"]
