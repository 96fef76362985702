"""The manuscript stage: files on disk -> `Book` (metadata, content warning, chapters, paragraphs).

Takes a manuscript file or folder (and the title and warning voices.yaml may impose);
gives a `model.Book` whose offsets point back into the files. `plaintext` reads .txt
and .md; readers for other formats join it here, one module each.

May import: `model`, `errors` and its own modules.
"""

from .plaintext import natural_key, read_manuscript

__all__ = ["natural_key", "read_manuscript"]
