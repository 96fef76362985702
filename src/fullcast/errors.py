"""The errors fullcast raises: one base class, a few kinds, each message naming a place and a fix."""

from __future__ import annotations


class FullcastError(Exception):
    """Base of every error fullcast reports to a user.

    The message is one line that says where the problem is (a file and line, or a
    dotted key in voices.yaml) and how to fix it. Only the CLI prints it.
    """


class ManuscriptError(FullcastError):
    """The manuscript is missing, empty, unreadable or not UTF-8."""


class ConfigError(FullcastError):
    """voices.yaml is malformed, has an unknown key, or a value of the wrong kind."""


class EngineError(FullcastError):
    """The speech engine failed, or rejected a voice."""


class AudioError(FullcastError):
    """ffmpeg or pydub failed to read, stitch, measure or encode audio."""


class ModelError(FullcastError):
    """A model file shipped with fullcast (the speaker model) is missing, damaged or of another version."""


class OutputError(FullcastError):
    """An output file or folder cannot be written, or is held by another render."""


def closest(word: str, choices: "list[str] | tuple[str, ...]", n: int = 3, cutoff: float = 0.5) -> list[str]:
    """The choices nearest to *word*, best first, for "did you mean" hints."""
    import difflib

    lowered = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=cutoff)
    return [lowered[h] for h in hits]
