"""Tests for the cast stage: voices for every speaker, auto voices, thought style, pronunciations, cast facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullcast.casting.cast import (
    apply_pronunciations,
    cast_script,
    cast_warnings,
    check_cast_voices,
    choose_voices,
    default_voice,
    first_words,
    suggest_voice,
    unnamed_entries,
    voice_ref,
)
from fullcast.errors import ConfigError, EngineError
from fullcast.model import Book, Chapter, EngineSetup, Gender, Script, Segment, SegmentKind, Speaker, Voice
from fullcast.settings.config import (
    ENGINE_VOICES,
    Character,
    Config,
    EngineFiles,
    KokoroFiles,
    Monologue,
    Narrator,
    PiperFiles,
    VoiceSettings,
)

BOOK = Book("T", None, None, (), None, (Chapter(1, "T", "t.txt", "", None, ()),))
CONFIG = Config(
    narrator=Narrator(VoiceSettings("gmw/en", rate=160)),
    monologue=Monologue("Tara"),
    characters=(
        Character("Tara", (), Gender.FEMALE, VoiceSettings("gmw/en-us+f3", pitch=40)),
        Character("Faith", (), Gender.FEMALE),
        Character("Messenger", (), Gender.MALE),
    ),
    pronunciations=(("Maclay", "Mack-lay"),),
)


def seg(index: int, kind: SegmentKind, speaker: str, text: str) -> Segment:
    return Segment(1, index, kind, speaker, text, "t.txt", 0, len(text))


def test_every_segment_gets_its_speakers_voice() -> None:
    script = Script(BOOK, (
        seg(0, SegmentKind.NARRATION, "narrator", "Tara Maclay waited."),
        seg(1, SegmentKind.DIALOGUE, "Tara", "Hi."),
        seg(2, SegmentKind.MONOLOGUE, "Tara", "I wait."),
        seg(3, SegmentKind.DIALOGUE, "Glory", "You."),
    ), (Speaker("Tara", Gender.FEMALE, True), Speaker("Glory", Gender.FEMALE, False)))
    cast = cast_script(script, CONFIG)
    voices = [line.voice for line in cast.lines]
    assert voices[0] == Voice("pyttsx3", "gmw/en", 160, 50, 0.9)
    assert voices[1] == Voice("pyttsx3", "gmw/en-us+f3", 175, 40, 0.9)
    assert voices[2] == Voice("pyttsx3", "gmw/en-us+f3", 158, 34, 0.9)
    assert voices[3].voice_id in ENGINE_VOICES["pyttsx3"][Gender.FEMALE]
    assert len({v.voice_id for v in voices}) == 3
    assert cast.lines[0].spoken == "Mack-lay" .join(["Tara ", " waited."])
    assert dict(cast.voices)["Faith"].voice_id not in {v.voice_id for n, v in cast.voices if n != "Faith"}


def test_auto_voices_never_share_while_the_pool_lasts() -> None:
    speakers = tuple(Speaker(f"M{i}", Gender.MALE, False) for i in range(3))
    config = Config(characters=(Character("A", (), Gender.MALE, VoiceSettings("gmw/en+m3")),),
                    auto_voices={Gender.MALE: ("m1", "m2", "m3", "m4"), Gender.FEMALE: ("f1",), Gender.UNKNOWN: ("u1",)})
    casting = choose_voices(speakers, config)
    ids = dict((name, v.voice_id) for name, v in casting.voices)
    assert ids["narrator"] == "gmw/en-us" and ids["A"] == "gmw/en+m3"
    assert sorted(ids[f"M{i}"] for i in range(3)) == ["m2", "m3", "m4"] or len({ids[f"M{i}"] for i in range(3)}) == 3
    assert dict(casting.origins)["M0"] == "auto_voices.male"
    assert dict(casting.origins)["A"] == "characters.A.voice"


def test_auto_voices_stay_put_when_the_cast_changes() -> None:
    names = [f"Person {i}" for i in range(12)]
    speakers = tuple(Speaker(n, Gender.FEMALE, False) for n in names)
    before = dict((n, v.voice_id) for n, v in choose_voices(speakers, Config()).voices)
    recast = Config(characters=(Character("Person 3", (), Gender.FEMALE, VoiceSettings("gmw/en-029+f5")),))
    after = dict((n, v.voice_id) for n, v in choose_voices(speakers, recast).voices)
    moved = [n for n in names if n != "Person 3" and before[n] != after[n]]
    # Only a speaker who wanted Person 3's old voice (or holds the new one) may move: here one.
    assert moved == ["Person 6"]
    assert after["Person 6"] == before["Person 3"]
    grown = dict((n, v.voice_id) for n, v in choose_voices(speakers + (Speaker("Zed", Gender.FEMALE, False),), Config()).voices)
    assert [n for n in names if grown[n] != before[n]] == []


def test_suggest_voice_falls_back_to_other_pools_then_shares() -> None:
    config = Config(auto_voices={Gender.FEMALE: ("f1",), Gender.MALE: ("m1",), Gender.UNKNOWN: ("u1",)})
    assert suggest_voice("Ann", Gender.FEMALE, config, set()) == "f1"
    assert suggest_voice("Ann", Gender.FEMALE, config, {"f1"}) == "u1"
    assert suggest_voice("Ann", Gender.FEMALE, config, {"f1", "u1", "m1"}) == "f1"


def test_monologue_style_overrides() -> None:
    config = Config(characters=CONFIG.characters, monologue=Monologue("Tara", VoiceSettings(voice="gmw/en+whisper", rate=150)))
    script = Script(BOOK, (seg(0, SegmentKind.MONOLOGUE, "narrator", "I wait."),), ())
    line = cast_script(script, config).lines[0]
    assert line.voice == Voice("pyttsx3", "gmw/en+whisper", 150, 40, 0.9)


def test_pronunciations_whole_words_only() -> None:
    rules = (("Tara", "Tah-ra"), ("cat", "kat"))
    assert apply_pronunciations("Tara's cat scattered; TARA!", rules) == "Tah-ra's kat scattered; Tah-ra!"


def book_of(text: str) -> Book:
    return Book("T", None, None, (), None, (Chapter(1, "T", "t.txt", text, None, ()),))


def test_unnamed_entries_are_those_whose_names_and_aliases_the_text_never_uses() -> None:
    config = Config(characters=(Character("Tara", ("the blonde",)), Character("Ada", ("Ada Quill",)),
                                Character("Faith", ("the brunette",)), Character("Will")))
    book = book_of("THE BLONDE waited.\nThe\nbrunette laughed. Willow left.")
    assert unnamed_entries(book, config) == ["Ada", "Will"]


def test_cast_warnings_name_another_books_cast() -> None:
    config = Config(path=Path("v.yaml"), monologue=Monologue("Maren"), narrator=Narrator(character="Tara"),
                    characters=(Character("Maren"), Character("Tobias"), Character("Tara")))
    assert cast_warnings(book_of("Tara waited."), config, "book.txt") == (
        "v.yaml: 2 of 3 cast entries (Maren, Tobias) appear nowhere in book.txt; is this another book's voices.yaml? "
        "Put the book's own voices.yaml beside the manuscript or pass --voices",
        "v.yaml: monologue.speaker: nobody called Maren is in book.txt, yet every thought in the book would be read "
        "as theirs; is this another book's voices.yaml? Set monologue.speaker to someone in this book or remove it")
    assert cast_warnings(book_of("Tara met Maren."), config, "book.txt") == ()


def test_first_words_are_the_speakers_first_lines_up_to_the_limit() -> None:
    script = Script(BOOK, (seg(0, SegmentKind.DIALOGUE, "Tara", "One two three."),
                           seg(1, SegmentKind.NARRATION, "narrator", "Tara said."),
                           seg(2, SegmentKind.MONOLOGUE, "Tara", "Four five."),
                           seg(3, SegmentKind.DIALOGUE, "Tara", "Six.")), ())
    cast = cast_script(script, CONFIG)
    assert first_words(cast, "Tara", words=4) == "One two three. Four five."
    assert first_words(cast, "Glory") == "Hello, I am Glory. This is how I sound in this book."


def test_check_cast_voices_needs_no_script() -> None:
    class Catalogue:
        def check_voice(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup()) -> None:
            if voice_id == "gmw/en-us+f3":
                raise EngineError(f"the {engine} engine has no voice {voice_id!r}")

        def closest_voices(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup(), n: int = 3) -> list[str]:
            return ["gmw/en-us+f2"]

        def check_files(self, engine: str, setup: EngineSetup) -> None:
            pass

    with pytest.raises(ConfigError) as err:
        check_cast_voices(CONFIG, Catalogue())
    assert str(err.value) == ("voices.yaml: characters.Tara.voice: the pyttsx3 engine has no voice 'gmw/en-us+f3' "
                              "(for Tara); closest: gmw/en-us+f2")


# --------------------------------------------------------------------------- engines


MIXED = Config(
    engine="kokoro",
    engines=EngineFiles(KokoroFiles(voices=Path("styles.npz")), PiperFiles(Path("vctk.onnx"), "p225")),
    narrator=Narrator(VoiceSettings(engine="piper")),
    characters=(
        Character("Ada", (), Gender.FEMALE, VoiceSettings("jf_alpha")),
        Character("Bob", (), Gender.MALE, VoiceSettings("gmw/en+m3", pitch=30, engine="pyttsx3")),
        Character("Cy", (), Gender.MALE, VoiceSettings(engine="pyttsx3")),
        Character("Di", (), Gender.FEMALE),
    ),
    auto_voices={Gender.MALE: ("pyttsx3:gmw/en+m1", "jm_kumo")},
)
KOKORO = EngineSetup(voices=Path("styles.npz"))


def test_each_speaker_speaks_with_their_own_engine_and_its_files() -> None:
    voices = dict(choose_voices((Speaker("Ed", Gender.MALE, False),), MIXED).voices)
    assert voices["narrator"] == Voice("piper", "p225", 175, 50, 0.9, EngineSetup(Path("vctk.onnx"), speaker="p225"))
    assert voices["Ada"] == Voice("kokoro", "jf_alpha", 175, 50, 0.9, KOKORO)
    assert voices["Bob"] == Voice("pyttsx3", "gmw/en+m3", 175, 30, 0.9)
    # an engine and no voice: that engine's entries of the pool
    assert voices["Cy"] == Voice("pyttsx3", "gmw/en+m1", 175, 50, 0.9)
    # no entry of the engine in the gender's pool: the engine's own pool
    assert voices["Di"].engine == "kokoro" and voices["Di"].voice_id in ENGINE_VOICES["kokoro"][Gender.FEMALE]
    # nothing set: the pool as written, the book's engine for unprefixed entries
    assert voices["Ed"] == Voice("kokoro", "jm_kumo", 175, 50, 0.9, KOKORO)


def test_voices_are_written_back_with_their_engine_when_not_the_books() -> None:
    voices = dict(choose_voices((), MIXED).voices)
    assert voice_ref(voices["Ada"], MIXED) == "jf_alpha"
    assert voice_ref(voices["Bob"], MIXED) == "pyttsx3:gmw/en+m3"
    assert suggest_voice("Zed", Gender.MALE, MIXED, {"pyttsx3:gmw/en+m1"}) == "jm_kumo"
    assert suggest_voice("Zed", Gender.MALE, MIXED, set(), engine="pyttsx3") == "pyttsx3:gmw/en+m1"


def test_default_voices_follow_the_engine() -> None:
    assert default_voice(Config(), None) == "gmw/en-us"
    assert default_voice(Config(engine="kokoro"), None) == "jm_kumo"
    assert default_voice(Config(), "piper") == "en_US-joe-medium"
    assert default_voice(Config(engines=EngineFiles(piper=PiperFiles(Path("m/amy-low.onnx")))), "piper") == "amy-low"
    assert default_voice(MIXED, "piper") == "p225"


def test_thoughts_may_change_engine() -> None:
    config = Config(characters=(Character("Tara", (), Gender.FEMALE, VoiceSettings("jf_alpha", engine="kokoro")),),
                    monologue=Monologue("Tara", VoiceSettings(engine="piper", rate=150)))
    script = Script(BOOK, (seg(0, SegmentKind.MONOLOGUE, "Tara", "I wait."),), (Speaker("Tara", Gender.FEMALE, True),))
    assert cast_script(script, config).lines[0].voice == Voice("piper", "en_US-joe-medium", 150, 50, 0.9)


def test_engine_files_are_checked_before_any_voice() -> None:
    class Catalogue:
        def check_voice(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup()) -> None:
            raise AssertionError("voices are asked about after the files")

        def closest_voices(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup(), n: int = 3) -> list[str]:
            return []

        def check_files(self, engine: str, setup: EngineSetup) -> None:
            if engine == "piper":
                raise EngineError("engines.piper.model: vctk.onnx is not a Piper model; point it at an .onnx voice")

    with pytest.raises(ConfigError) as err:
        check_cast_voices(MIXED, Catalogue())
    assert str(err.value) == ("voices.yaml: engines.piper.model: vctk.onnx is not a Piper model; point it at an .onnx "
                              "voice")


def test_a_blend_that_does_not_parse_keeps_its_own_message() -> None:
    class Catalogue:
        def check_voice(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup()) -> None:
            if ":" in voice_id:
                raise EngineError(f"voice {voice_id!r} is not a blend: write name:weight pairs")

        def closest_voices(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup(), n: int = 3) -> list[str]:
            raise AssertionError("no closest voice for a blend that does not parse")

        def check_files(self, engine: str, setup: EngineSetup) -> None:
            pass

    config = Config(engine="kokoro", characters=(Character("Ada", (), Gender.FEMALE, VoiceSettings("jf_alpha:x")),))
    with pytest.raises(ConfigError) as err:
        check_cast_voices(config, Catalogue())
    assert str(err.value) == ("voices.yaml: characters.Ada.voice: voice 'jf_alpha:x' is not a blend: write "
                              "name:weight pairs")
