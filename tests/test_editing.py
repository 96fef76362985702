"""editing: the editor's commands outside a render (voices, cast, preview, review: the CLI tests drive the rest)."""

from __future__ import annotations

from fullcast import editing


def test_speaks_matches_codes_names_and_prefixes() -> None:
    from fullcast.audio.engines import EngineVoice

    voice = EngineVoice("gmw/en-us+f3", "English (America) + female3", ("en-us", "en"), "female")
    assert [editing.speaks(voice, lang) for lang in ("en", "EN-us", "en_US", "English", "english (america)",
                                                       "gmw/en-us+f", "gmw", "gmw/en-gb", "fr", "America", "e")] == [
        True, True, True, True, True, True, True, False, False, False, False]
