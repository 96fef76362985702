"""How each scalar in voices.yaml is read: the converter for every key and the words an error uses for it.

A converter raises TypeError or ValueError for a value it refuses; `voicesfile` turns that
into a message naming the file, line, dotted key and what was expected. The book's
publication facts (a series number, a language tag, an ISBN) are read by the same functions
wherever they come from, voices.yaml or the front matter. This is the only module that
imports langcodes.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import langcodes

from .cleaning import clean_line, clean_text

CONVERTERS: dict[str, tuple[Callable[[Any], Any], str]] = {}
"""Key name -> (converter, what it expects, for messages); a key not listed is one-line text."""


def text_value(raw: Any) -> str:
    """A one-line string: a name, a title, a credit, a voice id."""
    if isinstance(raw, (dict, list)):
        raise TypeError
    return clean_line(str(raw))


def _long_text(raw: Any) -> str:
    """A string that may run over several lines (a blurb, a warning): cleaned, its line breaks kept."""
    if isinstance(raw, (dict, list)):
        raise TypeError
    return clean_text(str(raw))


def _path_text(raw: Any) -> str:
    """A file name, exactly as written: cleaning it would name another file."""
    if isinstance(raw, (dict, list)):
        raise TypeError
    return str(raw)


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise TypeError
    return float(raw)


def _ranged(kind: Callable[[Any], Any], lo: float, hi: float) -> Callable[[Any], Any]:
    def convert(raw: Any) -> Any:
        value = _number(raw)
        if not lo <= value <= hi or (kind is int and value != int(value)):
            raise ValueError
        return kind(value)
    return convert


def _flag(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TypeError
    return raw


def positive_int(raw: Any) -> int:
    return _ranged(int, 1, 10**6)(raw)


def series_number(raw: Any) -> str:
    """A book's place in its series as plain number text: 2 -> "2", "2.50" -> "2.5", "two" is refused."""
    if isinstance(raw, bool) or isinstance(raw, (dict, list)):
        raise TypeError
    number = float(str(raw).strip().lstrip("#"))  # ValueError for words
    if not 0 <= number < 10_000 or number != number:
        raise ValueError
    return str(int(number)) if number == int(number) else f"{number:g}"


def _text_list(raw: Any) -> tuple[str, ...]:
    """A list of one-line strings; a single string is a list of one (`genres: Fantasy`)."""
    items = raw if isinstance(raw, list) else [raw]
    return tuple(dict.fromkeys(value for item in items if (value := text_value(item))))


def language_tag(raw: Any) -> str:
    """A well-formed BCP 47 tag in its standard case: `en_us` -> `en-US`; "English" is refused."""
    text = text_value(raw).replace("_", "-")
    if not text or not langcodes.tag_is_valid(text):
        raise ValueError
    return langcodes.standardize_tag(text)


def iso639_2(tag: str) -> str:
    """The three-letter ISO 639-2 code of a language tag (`en-GB` -> `eng`), `und` when it has none."""
    try:
        return langcodes.Language.get(tag).to_alpha3()
    except (LookupError, ValueError):
        return "und"


def isbn_problem(isbn: str) -> str | None:
    """What is wrong with an ISBN-10 or ISBN-13 (its length or its check digit), or None when it checks out."""
    digits = re.sub(r"[\s-]", "", isbn).upper()
    if not re.fullmatch(r"\d{9}[\dX]|\d{13}", digits):
        return "is not 10 or 13 digits; check it (it is written as given)"
    if len(digits) == 10:
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits[:9]))
        expected = (11 - total % 11) % 11
        shown = "X" if expected == 10 else str(expected)
    else:
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits[:12]))
        shown = str((10 - total % 10) % 10)
    if digits[-1] != shown:
        return f"its check digit should be {shown}, not {digits[-1]}; check it (it is written as given)"
    return None


CONVERTERS.update({
    "description": (_long_text, "text"),
    "text": (_long_text, "text"),
    "cover": (_path_text, "a file name"),
    "model": (_path_text, "a file name"),
    "voices": (_path_text, "a file name"),
    "rate": (_ranged(int, 40, 900), "words per minute between 40 and 900"),
    "pitch": (_ranged(int, 0, 99), "a whole number from 0 to 99"),
    "volume": (_ranged(float, 0.0, 1.0), "a number from 0.0 to 1.0"),
    "every_chapter": (_flag, "true or false"),
    "read_front_matter": (_flag, "true or false"),
    "read_notes": (_flag, "true or false"),
    "abridged": (_flag, "true or false"),
    "explicit": (_flag, "true or false"),
    "series_part": (series_number, "a number, e.g. 2 or 2.5"),
    "genres": (_text_list, "a list of genres, or one genre"),
    "tags": (_text_list, "a list of tags, or one tag"),
    "language": (language_tag, "a language tag such as en or en-GB"),
    "opening": (_flag, "true or false"),
    "closing": (_flag, "true or false"),
    "loudness": (_ranged(float, -40, -10), "LUFS between -40 and -10"),
    "tolerance": (_ranged(float, 0.1, 5), "LU between 0.1 and 5"),
    "true_peak": (_ranged(float, -12, 0), "dBTP between -12 and 0"),
    "noise_floor": (_ranged(float, -120, -60), "dBFS between -120 and -60"),
    "max_file_minutes": (_ranged(float, 0, 1440), "minutes from 1 to 1440, or 0 for no limit"),
    **{k: (_ranged(int, 0, 10_000), "milliseconds from 0 to 10000")
       for k in ("head", "tail", "heading", "paragraph", "inline", "scene")},
})
