"""Tests for reading and validating voices.yaml."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from fullcast.errors import ConfigError
from fullcast.model import Gender
from fullcast.settings.config import (
    Character,
    Config,
    EngineFiles,
    KokoroFiles,
    LineFix,
    Pauses,
    PiperFiles,
    VoiceSettings,
)
from fullcast.settings.voicesfile import load_config, split_engine

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
    assert Gender.FEMALE not in config.auto_voices  # the book engine's own pool serves it
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
        ("engine: espeak\n", "voices.yaml:1: engine: unknown engine 'espeak'; did you mean 'pyttsx3'? (engines: pyttsx3, kokoro, piper, fake)"),
        ("defaults:\n  volume: 3\n", "voices.yaml:2: defaults.volume: must be a number from 0.0 to 1.0, not 3"),
        ("lines:\n  - {match: hi}\n", "voices.yaml:2: lines[0].speaker: is required, e.g. {match: \"Can't sleep either?\", speaker: Willow}"),
        ("credits: {opening: yes please}\n", "voices.yaml:1: credits.opening: must be true or false, not 'yes please'"),
        ("- a\n- b\n", "voices.yaml:1: top level: must be a mapping of book, engine, engines, defaults, narrator, monologue, content_warning, "
                       "characters, auto_voices, lines, pronunciations, mastering, pauses, credits, not a list"),
    ],
)
def test_bad_values_name_the_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    assert error_from(tmp_path, text) == message


def test_malformed_yaml_gives_line_and_column(tmp_path: Path) -> None:
    assert error_from(tmp_path, "book:\n  title: [x\nengine: a\n") == (
        "voices.yaml:3:7: malformed YAML: expected ',' or ']', but got ':'; check the indentation and quoting there"
    )


BOMB = "characters:\n  Tara:\n    aliases: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  X{n}:\n    aliases: &{chr(97 + n)} [{', '.join([f'*{chr(96 + n)}'] * 9)}]\n" for n in range(1, 9))
"""A "billion laughs": nine levels of nine aliases each, 387 million names once read out."""


def limit_memory_to_1gb() -> None:
    """Run in the child before it starts: its address space may not exceed 1 GB."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_alias_bomb_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    """In a child process held to 1 GB and 60 s, so a regression fails the test instead of the machine."""
    assert BOMB.count("*") == 72 and "*h" in BOMB
    path = tmp_path / "voices.yaml"
    path.write_text(BOMB, encoding="utf-8")
    script = (
        "import sys, time\n"
        "from fullcast.errors import ConfigError\n"
        "from fullcast.settings.voicesfile import load_config\n"
        "started = time.perf_counter()\n"
        "try:\n"
        "    load_config(sys.argv[1])\n"
        "except ConfigError as exc:\n"
        "    print(exc)\n"
        "print(time.perf_counter() - started < 1.0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60,
                          preexec_fn=limit_memory_to_1gb)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (f"{path}:3: characters.Tara.aliases: YAML anchors and aliases (& and *) are not allowed "
                           "in voices.yaml; write the names out\nTrue\n")


@pytest.mark.parametrize(
    "text, message",
    [
        ("characters:\n  Tara:\n    aliases: [the blonde, *x]\n",
         "voices.yaml:3: characters.Tara.aliases[1]: YAML anchors and aliases (& and *) are not allowed in voices.yaml; "
         "write the names out"),
        ("defaults: &base {rate: 160}\ncharacters:\n  Tara:\n    <<: *base\n",
         "voices.yaml:1: defaults: YAML anchors and aliases (& and *) are not allowed in voices.yaml; "
         "write the values out in full"),
        ("book:\n  title: Old Town\n  author: &who Alcy\n",
         "voices.yaml:3: book.author: YAML anchors and aliases (& and *) are not allowed in voices.yaml; "
         "write the values out in full"),
        ("characters:\n  Tara:\n    aliases: [[the blonde, the cop]]\n",
         "voices.yaml:3: characters.Tara.aliases[0]: must be a name, not a list; e.g. [the redhead, Tara Maclay]"),
    ],
)
def test_anchors_and_nested_aliases_are_refused(tmp_path: Path, text: str, message: str) -> None:
    assert error_from(tmp_path, text) == message


def test_control_characters_are_cleaned_from_every_string(tmp_path: Path) -> None:
    config = config_from(tmp_path, (
        'book: {title: "Old\\e[31m Town\\e[0m", author: "Al\\acy", narrator: "the\\x7f ensemble",'
        ' description: "Line one\\vline two", cover: "art\\tcover.png"}\n'
        'narrator: {character: "Tara\\e[0m"}\n'
        'monologue: {speaker: "\\x9bTara"}\n'
        'content_warning: {text: "Mind\\athe gap.\\fReally."}\n'
        'characters:\n  "Ta\\e]0;pwned\\ara":\n    aliases: ["the\\x00blonde", "\\e[1m"]\n'
        'lines:\n  - {match: "Can\'t\\e[2K sleep", speaker: "Willow\\a"}\n'
        'pronunciations: {"Mac\\x85lay": "Mack\\x1flay"}\n'))
    assert (config.book.title, config.book.author, config.book.narrator) == ("Old Town", "Al cy", "the ensemble")
    assert (config.book.description, config.book.cover) == ("Line one\nline two", tmp_path / "art\tcover.png")
    assert (config.narrator.character, config.monologue.speaker) == ("Tara", "Tara")
    assert config.content_warning.text == "Mind the gap.\nReally."
    assert config.characters == (Character("Ta ra", ("the blonde",)),)
    assert config.lines == (LineFix("Can't sleep", "Willow", None, "lines[0]"),)
    assert config.pronunciations == (("Mac lay", "Mack lay"),)


def test_error_messages_carry_no_escape_sequences(tmp_path: Path) -> None:
    assert error_from(tmp_path, 'characters:\n  "Tara\\e[31m":\n    rat: 180\n') == (
        "voices.yaml:3: characters.Tara.rat: unknown key; did you mean 'rate'?")
    assert error_from(tmp_path, 'engine: "espeak\\e[31m"\n') == (
        "voices.yaml:1: engine: unknown engine 'espeak\\x1b[31m'; did you mean 'pyttsx3'? (engines: pyttsx3, kokoro, piper, fake)")
    assert error_from(tmp_path, 'characters:\n  "\\e[0m": {}\n') == (
        "voices.yaml:2: characters: a character has an empty name; give every entry a name")


CONFLICTS = """\
characters:
  Maren:
    aliases: [the Holt girl]
  Ada:
    aliases: [the captain, Ada Quill]
  maren:
    gender: female
  Bo:
    aliases:
      - the Captain
      - maren
      - bo
  Mr. Pike:
    aliases: [the captain]
  Mr Pike: {}
  "Ada\\a": {}
"""


def test_casting_conflicts_are_warnings_with_the_names_and_the_fix(tmp_path: Path) -> None:
    config = config_from(tmp_path, CONFLICTS)
    assert [c.name for c in config.characters] == ["Maren", "Ada", "maren", "Bo", "Mr. Pike", "Mr Pike", "Ada"]
    assert [w.replace(str(tmp_path / "voices.yaml"), "voices.yaml") for w in config.warnings] == [
        "voices.yaml:6: characters.maren: differs from characters.Maren only in case, so the story cannot tell them "
        "apart and their lines may go to the wrong character; merge the two entries",
        "voices.yaml:15: characters.Mr Pike: differs from characters.Mr. Pike only in case, spacing or full stops, so "
        "the story cannot tell them apart and their lines may go to the wrong character; merge the two entries",
        "voices.yaml:16: characters.Ada: differs from characters.Ada only in control characters, so the story cannot "
        "tell them apart and their lines may go to the wrong character; merge the two entries",
        "voices.yaml:10: characters.Bo.aliases: \"the Captain\" is also an alias of characters.Ada, so lines tagged "
        "with it may go to the wrong character; keep it under one of them",
        "voices.yaml:11: characters.Bo.aliases: \"maren\" is also the name of characters.Maren, so lines tagged with "
        "it may go to the wrong character; remove it from Bo's aliases",
        "voices.yaml:14: characters.Mr. Pike.aliases: \"the captain\" is also an alias of characters.Ada, so lines "
        "tagged with it may go to the wrong character; keep it under one of them",
    ]


def test_a_clean_cast_has_no_warnings(tmp_path: Path) -> None:
    assert config_from(tmp_path, FULL).warnings == ()
    assert load_config(Path(__file__).resolve().parents[2] / "voices.yaml").warnings == ()


# --------------------------------------------------------------------------- engines


MIXED = """\
engine: kokoro
engines:
  kokoro: {voices: styles.npz}
  piper: {model: voices/amy.onnx, speaker: 3}
narrator: {voice: "piper:p225", rate: 160}
monologue: {engine: pyttsx3}
characters:
  Ada: {voice: "jf_alpha:70,jm_kumo:30"}
  Bob: {engine: pyttsx3, voice: gmw/en+m3}
auto_voices:
  female: [kokoro:jf_nezumi, jf_alpha]
"""


def test_engines_per_voice_and_their_files(tmp_path: Path) -> None:
    (tmp_path / "styles.npz").write_bytes(b"x")
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices/amy.onnx").write_bytes(b"x")
    config = config_from(tmp_path, MIXED)
    assert config.engine == "kokoro"
    assert config.engines == EngineFiles(KokoroFiles(None, tmp_path / "styles.npz"),
                                         PiperFiles(tmp_path / "voices/amy.onnx", "3"))
    assert config.narrator.settings == VoiceSettings("p225", 160, engine="piper")
    assert config.monologue.style == VoiceSettings(engine="pyttsx3")
    assert [c.settings for c in config.characters] == [VoiceSettings("jf_alpha:70,jm_kumo:30"),
                                                       VoiceSettings("gmw/en+m3", engine="pyttsx3")]
    assert config.auto_voices == {Gender.FEMALE: ("kokoro:jf_nezumi", "jf_alpha")}


@pytest.mark.parametrize("text, message", [
    ("engines:\n  kokoro:\n    model: nowhere.onnx\n",
     "voices.yaml:3: engines.kokoro.model: no such file '{tmp}/nowhere.onnx'; give a path relative to voices.yaml, "
     "or remove the key to use the bundled one"),
    ("engines:\n  piper:\n    modle: x.onnx\n", "voices.yaml:3: engines.piper.modle: unknown key; did you mean 'model'?"),
    ("engines:\n  espeak: {}\n", "voices.yaml:2: engines.espeak: unknown key; valid keys are kokoro, piper"),
    ("characters:\n  Ada:\n    engine: kokro\n",
     "voices.yaml:3: characters.Ada.engine: unknown engine 'kokro'; did you mean 'kokoro'? "
     "(engines: pyttsx3, kokoro, piper, fake)"),
    ("narrator:\n  engine: piper\n  voice: kokoro:jm_kumo\n",
     "voices.yaml:3: narrator.voice: names the kokoro engine but narrator.engine is piper; keep one of the two"),
    ("defaults:\n  engine: kokoro\n", "voices.yaml:2: defaults.engine: unknown key; valid keys are voice, rate, pitch, volume"),
    ("auto_voices:\n  male: [jm_kumo, {a: 1}]\n",
     "voices.yaml:2: auto_voices.male[1]: must be a voice id, e.g. gmw/en-us+f3 or kokoro:jf_nezumi"),
])
def test_bad_engine_settings_name_the_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    assert error_from(tmp_path, text) == message.replace("{tmp}", str(tmp_path))


def test_only_an_engine_name_is_a_voice_prefix() -> None:
    assert split_engine("kokoro:jm_kumo") == ("kokoro", "jm_kumo")
    assert split_engine("kokoro:jf_alpha:70,jm_kumo:30") == ("kokoro", "jf_alpha:70,jm_kumo:30")
    assert split_engine("jf_alpha:70,jm_kumo:30") == (None, "jf_alpha:70,jm_kumo:30")
    assert split_engine("gmw/en-us+f3") == (None, "gmw/en-us+f3")
    assert split_engine("piper:") == (None, "piper:")
