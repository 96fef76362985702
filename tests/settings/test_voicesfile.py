"""Tests for reading and validating voices.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.errors import ConfigError
from fullcast.model import Gender
from fullcast.settings.config import Character, Config, LineFix, Pauses, VoiceSettings
from fullcast.settings.voicesfile import load_config

FULL = """\
# a comment
book:
  title: Old Town
  author: Alcy
  cover: art/cover.png
engine: pyttsx3
defaults: {rate: 160}
narrator: {voice: gmw/en, character: Tara}
monologue: {speaker: Tara, rate: 140}
content_warning: {text: Mind the gap., every_chapter: true}
characters:
  Tara:
    aliases: [the blonde, Tara Maclay]
    gender: female
    voice: gmw/en-us+f3
    pitch: 40
  Messenger:
    gender: male
auto_voices:
  male: [gmw/en+m1]
lines:
  - {match: "Can't sleep either?", speaker: Willow, chapter: 1}
pronunciations: {Maclay: Mack-lay}
pauses: {scene: 2500}
credits: {closing: false}
mastering: {loudness: -19}
"""


def config_from(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "voices.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def error_from(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as err:
        config_from(tmp_path, text)
    return str(err.value).replace(str(tmp_path / "voices.yaml"), "voices.yaml")


def test_full_file(tmp_path: Path) -> None:
    config = config_from(tmp_path, FULL)
    assert config.book.title == "Old Town"
    assert config.book.cover == tmp_path / "art/cover.png"
    assert config.defaults == VoiceSettings(None, 160, 50, 0.9)
    assert config.narrator.character == "Tara"
    assert config.monologue.speaker == "Tara" and config.monologue.style.rate == 140
    assert config.content_warning.every_chapter is True
    assert config.characters == (
        Character("Tara", ("the blonde", "Tara Maclay"), Gender.FEMALE, VoiceSettings("gmw/en-us+f3", None, 40, None)),
        Character("Messenger", (), Gender.MALE, VoiceSettings()),
    )
    assert config.auto_voices[Gender.MALE] == ("gmw/en+m1",)
    assert config.auto_voices[Gender.FEMALE] == Config().auto_voices[Gender.FEMALE]
    assert config.lines == (LineFix("Can't sleep either?", "Willow", 1, "lines[0]"),)
    assert config.pronunciations == (("Maclay", "Mack-lay"),)
    assert config.pauses == Pauses(scene=2500)
    assert (config.credits.opening, config.credits.closing) == (True, False)
    assert config.mastering.loudness == -19.0
    assert config.character("tara").name == "Tara"


def test_missing_file_is_defaults_only_when_optional(tmp_path: Path) -> None:
    assert load_config(tmp_path / "voices.yaml", required=False) == Config()
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "voices.yaml")


@pytest.mark.parametrize(
    "text, message",
    [
        ("boook: {}\n", "voices.yaml:1: boook: unknown key; did you mean 'book'?"),
        ("characters:\n  Tara:\n    rat: 180\n", "voices.yaml:3: characters.Tara.rat: unknown key; did you mean 'rate'?"),
        ("characters:\n  Tara:\n    pitch: high\n", "voices.yaml:3: characters.Tara.pitch: must be a whole number from 0 to 99, not 'high'"),
        ("characters:\n  Tara:\n    gender: woman\n", "voices.yaml:3: characters.Tara.gender: must be female, male or unknown, not 'woman'"),
        ("characters:\n  Tara:\n    aliases: the blonde\n", "voices.yaml:3: characters.Tara.aliases: must be a list of names, e.g. [the redhead]"),
        ("engine: espeak\n", "voices.yaml:1: engine: unknown engine 'espeak'; did you mean 'pyttsx3'?"),
        ("defaults:\n  volume: 3\n", "voices.yaml:2: defaults.volume: must be a number from 0.0 to 1.0, not 3"),
        ("lines:\n  - {match: hi}\n", "voices.yaml:2: lines[0].speaker: is required, e.g. {match: \"Can't sleep either?\", speaker: Willow}"),
        ("credits: {opening: yes please}\n", "voices.yaml:1: credits.opening: must be true or false, not 'yes please'"),
        ("- a\n- b\n", "voices.yaml:1: top level: must be a mapping of book, engine, defaults, narrator, monologue, content_warning, "
                       "characters, auto_voices, lines, pronunciations, mastering, pauses, credits, not a list"),
    ],
)
def test_bad_values_name_the_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    assert error_from(tmp_path, text) == message


def test_malformed_yaml_gives_line_and_column(tmp_path: Path) -> None:
    assert error_from(tmp_path, "book:\n  title: [x\nengine: a\n") == (
        "voices.yaml:3:7: malformed YAML: expected ',' or ']', but got ':'; check the indentation and quoting there"
    )
