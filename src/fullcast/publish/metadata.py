"""The book as a publication: every credit and fact the tags, the sidecars and the read-along EPUB carry.

`book_metadata` settles each field once, in this order: voices.yaml's `book:` key, then the
manuscript's front matter (`Series part: 2`, `Genres: Fantasy, Mystery`), then what the file's
own metadata says (an EPUB's OPF, an archive's tags), then a default. Every output then writes
the same values: the MP3s, the M4B, `metadata.json`, `metadata.opf` and the EPUB never disagree.

The description is the blurb and the content warning stated once: a warning that already
opens with "Content warning:" is not given the prefix a second time.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import ManuscriptError
from ..model import Book
from ..settings.config import Config
from ..settings.values import isbn_problem, iso639_2, language_tag, series_number

DEFAULT_LANGUAGE = "en"
"""The language when neither voices.yaml, the manuscript nor the narrator's voice gives one."""
DEFAULT_GENRE = "Audiobook"
"""The genre tag when the book names none: players file the book somewhere sensible."""
WARNING_PREFIX = "Content warning: "
"""Put in front of a warning that does not already announce itself."""
_ANNOUNCED = re.compile(r"^\s*(?:(?:content|trigger)\s+(?:warnings?|notes?)|warnings?|cw|tw)\s*[:.\u2013\u2014-]", re.I)
"""A warning that opens with its own label ("Content warning:", "TW -", "Warnings.")."""
_FRONT_KEYS = {
    "subtitle": ("subtitle",),
    "series": ("series",),
    "series_part": ("series part", "series index", "series number", "book number"),
    "genres": ("genres", "genre", "category", "categories"),
    "tags": ("tags", "keywords"),
    "language": ("language",),
    "publisher": ("publisher",),
    "isbn": ("isbn",),
    "asin": ("asin",),
    "abridged": ("abridged",),
    "explicit": ("explicit",),
}
"""Field -> the front-matter keys that give it (case-folded, `_` and `-` read as spaces)."""
_YES, _NO = {"yes", "true", "y", "1"}, {"no", "false", "n", "0"}


@dataclass(frozen=True)
class BookMetadata:
    """Everything a player, a library server or a reading system is told about the book."""

    title: str
    """The title, exactly as given (a folder name is made safe separately; the tags keep this)."""
    authors: tuple[str, ...] = ()
    """The author credits, in order; empty when unknown."""
    narrators: tuple[str, ...] = ()
    """The narrator credits, exactly as written ("the fullcast ensemble" keeps its lower case)."""
    subtitle: str | None = None
    """The subtitle, or None."""
    series: str | None = None
    """The series name, or None."""
    series_part: str | None = None
    """The book's number in its series as a plain number ("2", "2.5"), or None."""
    genres: tuple[str, ...] = ()
    """Genres, in the order given; empty when none was given."""
    tags: tuple[str, ...] = ()
    """Free tags for library servers (Audiobookshelf's tags), in order."""
    language: str = DEFAULT_LANGUAGE
    """BCP 47 tag (`en`, `en-GB`)."""
    publisher: str | None = None
    """The publisher, or None."""
    year: str | None = None
    """Release year, or None."""
    isbn: str | None = None
    """ISBN as given, or None."""
    asin: str | None = None
    """Audible/Amazon ASIN, or None."""
    blurb: str | None = None
    """The description as given, without the warning; None when there is none."""
    warning: str | None = None
    """The content warning's text, or None when the book has none."""
    rating: str | None = None
    """The rating as written (R, Mature, NC-17), or None."""
    explicit: bool = False
    """True when the book is for adults: `book.explicit`, else from the rating."""
    abridged: bool = False
    """True for an abridged edition."""

    @property
    def description(self) -> str | None:
        """The blurb, then the content warning stated once: the same text in every format."""
        return description_text(self.blurb, self.warning)

    @property
    def author(self) -> str | None:
        """The authors as one credit ("A, B"), or None."""
        return ", ".join(self.authors) or None

    @property
    def narrator(self) -> str | None:
        """The narrators as one credit, or None."""
        return ", ".join(self.narrators) or None

    @property
    def series_label(self) -> str | None:
        """`Name #2` (or the bare name when it has no number), as Audiobookshelf and Plex read a grouping."""
        if not self.series:
            return None
        return f"{self.series} #{self.series_part}" if self.series_part else self.series

    @property
    def language_iso639_2(self) -> str:
        """The three-letter ISO 639-2 code ID3's TLAN asks for (`eng`)."""
        return iso639_2(self.language)

    @property
    def urn(self) -> str:
        """A `urn:uuid:` fixed by the title and authors: the same book has the same identifier in every edition
        and on every render."""
        return uuid.uuid5(uuid.NAMESPACE_URL, "fullcast:" + "\x1f".join((self.title, *self.authors))).urn

    @property
    def genre_tags(self) -> tuple[str, ...]:
        """The genres for a genre tag: those given, else `Audiobook`."""
        return self.genres or (DEFAULT_GENRE,)


def warning_statement(warning: str) -> str:
    """*warning* as a sentence that says what it is: "Content warning: …", never twice."""
    text = warning.strip()
    return text if _ANNOUNCED.match(text) else WARNING_PREFIX + text


def description_text(blurb: str | None, warning: str | None) -> str | None:
    """The blurb and the stated warning, a blank line apart; None when both are empty."""
    parts = [p for p in ((blurb or "").strip(), warning_statement(warning) if warning and warning.strip() else "")
             if p]
    return "\n\n".join(parts) or None


def book_metadata(book: Book, config: Config, voice_language: str | None = None) -> tuple[BookMetadata, tuple[str, ...]]:
    """The book's metadata, and warnings for values kept though they look wrong (an ISBN's check digit).

    *voice_language* is the narrator voice's language, the default when nothing else gives one.
    A front-matter series part or flag that cannot be read is a ManuscriptError naming the key.
    """
    given, publication = config.book, book.publication
    front = _front_matter(book)
    where = book.chapters[0].source if book.chapters else None
    part = given.series_part or _front_number(front, "series_part", where) or _quiet_number(publication.series_part)
    language = given.language or _front_language(front, where) or _quiet_language(publication.language)
    meta = BookMetadata(
        title=book.title,
        authors=_names(given.author or book.author),
        narrators=_names(given.narrator),
        subtitle=given.subtitle or front.get("subtitle"),
        series=given.series or front.get("series") or publication.series,
        series_part=part,
        genres=given.genres or _front_list(front, "genres"),
        tags=given.tags or _front_list(front, "tags"),
        language=language or _quiet_language(voice_language) or DEFAULT_LANGUAGE,
        publisher=given.publisher or front.get("publisher"),
        year=given.year,
        isbn=given.isbn or front.get("isbn"),
        asin=given.asin or front.get("asin"),
        blurb=given.description or publication.description,
        warning=book.warning.text if book.warning else None,
        rating=book.rating,
        explicit=_first_flag(given.explicit, _front_flag(front, "explicit", where), publication.explicit),
        abridged=_first_flag(given.abridged, _front_flag(front, "abridged", where), False),
    )
    warnings = []
    if meta.isbn and given.isbn is None and (problem := isbn_problem(meta.isbn)):
        warnings.append(f"{where}: front matter `ISBN: {meta.isbn}`: {problem}")  # voices.yaml's is checked at load
    return meta, tuple(warnings)


def _names(credit: str | None) -> tuple[str, ...]:
    return (credit.strip(),) if credit and credit.strip() else ()


def _front_matter(book: Book) -> dict[str, str]:
    """The front matter's values by field name (the first line giving a field wins)."""
    found: dict[str, str] = {}
    for key, value in book.metadata:
        name = " ".join(key.casefold().replace("_", " ").replace("-", " ").split())
        field = next((f for f, keys in _FRONT_KEYS.items() if name in keys), None)
        if field and value.strip():
            found.setdefault(field, value.strip())
    return found


def _front_error(where: str | Path | None, key: str, value: str, expected: str) -> ManuscriptError:
    label = next(k for k in _FRONT_KEYS[key]).capitalize()
    return ManuscriptError(f"{where}: front matter `{label}: {value}`: {expected}; fix the line, or set "
                           f"book.{key} in voices.yaml, which wins over the front matter")


def _front_number(front: dict[str, str], key: str, where: str | Path | None) -> str | None:
    if key not in front:
        return None
    try:
        return series_number(front[key])
    except (TypeError, ValueError):
        raise _front_error(where, key, front[key], "not a number; write the book's place in the series as a "
                                                   "number, e.g. 2 or 2.5") from None


def _front_flag(front: dict[str, str], key: str, where: str | Path | None) -> bool | None:
    if key not in front:
        return None
    value = front[key].casefold()
    if value not in _YES | _NO:
        raise _front_error(where, key, front[key], "write yes or no")
    return value in _YES


def _front_language(front: dict[str, str], where: str | Path | None) -> str | None:
    if "language" not in front:
        return None
    try:
        return language_tag(front["language"])
    except (TypeError, ValueError):
        raise _front_error(where, "language", front["language"], "not a language tag; write one such as en or "
                                                                 "en-GB") from None


def _front_list(front: dict[str, str], key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in re.split(r"[,;]", front.get(key, "")) if p.strip()))


def _quiet_number(value: str | None) -> str | None:
    """A series part from the file's own metadata: kept when it is a number, dropped (not an error) when not."""
    try:
        return series_number(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _quiet_language(value: str | None) -> str | None:
    try:
        return language_tag(value) if value else None
    except (TypeError, ValueError):
        return None


def _first_flag(*flags: bool | None) -> bool:
    return next((flag for flag in flags if flag is not None), False)
