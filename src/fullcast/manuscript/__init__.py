"""The manuscript stage: files on disk -> `Book` (metadata, content warning, chapters, paragraphs).

Takes a manuscript file or folder (and the title and warning voices.yaml may impose); gives a
`model.Book` whose offsets point back into the files, or into a reader's converted text. One reader
per format (`plaintext` .txt, `markdown` .md, `html`, `ao3` archive downloads, `epub`, `docx`) turns
a file into a `document.Document`; `assemble` finds headings, front matter and paragraphs for all;
`read.read_manuscript` picks the readers.

May import: `model`, `errors`, `settings` (its text cleaning) and its own modules.
"""

from .document import natural_key
from .read import read_manuscript

__all__ = ["natural_key", "read_manuscript"]
