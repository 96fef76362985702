"""What a render delivers: the formats `--format` takes, the editions each makes, and the distributors' formats.

`--profile acx|google-play|apple` picks the format a distributor wants; asking for a format
that lacks it is an error before any work.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from ..errors import ConfigError, closest
from .config import Config

__all__ = ["FORMAT_EDITIONS", "PROFILE_FORMATS", "Format", "format_for_profile"]


class Format(str, Enum):
    """What `render` delivers. The chapter MP3s are always made: every other edition is built from them."""

    MP3 = "mp3"
    """One tagged MP3 per chapter (ACX, Google Play, any player)."""
    M4B = "m4b"
    """One M4B for the whole book (Apple), in its own library root."""
    BOTH = "both"
    """The MP3 and the M4B editions."""
    EPUB3 = "epub3"
    """A read-along EPUB 3 (the text with each segment's audio), beside the MP3 edition."""
    ALL = "all"
    """The MP3, M4B and read-along EPUB editions."""


FORMAT_EDITIONS = {Format.MP3: ("mp3",), Format.M4B: ("mp3", "m4b"), Format.BOTH: ("mp3", "m4b"),
                   Format.EPUB3: ("mp3", "epub3"), Format.ALL: ("mp3", "m4b", "epub3")}
"""The editions each format makes."""


PROFILE_FORMATS = {"acx": Format.MP3, "google-play": Format.MP3, "apple": Format.M4B}
"""The format each distributor profile wants (see `fullcast check`)."""


def format_for_profile(profile: str | None, format: Format | None = None) -> Format:
    """The format to render: *format* if given, else the one *profile* wants, else MP3; a clash is an error."""
    if profile is None:
        return format or Format.MP3
    if profile.lower() not in PROFILE_FORMATS:
        near = closest(profile, list(PROFILE_FORMATS))
        raise ConfigError(f"--profile {profile}: unknown profile; choose one of {', '.join(PROFILE_FORMATS)}"
                          + (f" (did you mean {near[0]}?)" if near else ""))
    wanted = PROFILE_FORMATS[profile.lower()]
    if format is not None and wanted.value not in FORMAT_EDITIONS[format]:
        raise ConfigError(f"--format {format.value} does not give the {wanted.value} that --profile {profile} wants; "
                          f"use --format {wanted.value}, both or all, or drop one of the two")
    return format or wanted


ACX_MAX_MINUTES = 120.0
"""The longest file ACX accepts."""


def within_acx(config: Config) -> Config:
    """*config* with files held to ACX's 120 minutes, however long voices.yaml lets them be."""
    limit = config.mastering.max_file_minutes
    if 0 < limit <= ACX_MAX_MINUTES:
        return config
    return replace(config, mastering=replace(config.mastering, max_file_minutes=ACX_MAX_MINUTES))
