"""How each scalar in voices.yaml is read: the converter for every key and the words an error uses for it.

A converter raises TypeError or ValueError for a value it refuses; `voicesfile` turns that
into a message naming the file, line, dotted key and what was expected.
"""

from __future__ import annotations

from typing import Any, Callable

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
