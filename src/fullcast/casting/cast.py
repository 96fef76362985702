"""Give every segment of a script a voice: the cast from voices.yaml, auto voices for the rest.

Narration, headings and warnings go to the narrator. Dialogue goes to the
speaker's cast entry, or to an unused voice from `auto_voices` for a speaker
with no entry. Monologue is the thinker's own voice in a thought style.
Pronunciations are applied here, so `Line.spoken` is exactly what the engine reads.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, replace
from typing import Iterable, Protocol

from ..errors import ConfigError, EngineError
from ..model import NARRATOR, Book, CastScript, EngineSetup, Gender, Line, Script, SegmentKind, Speaker, Voice
from ..settings.config import ENGINE_NARRATOR_VOICE, ENGINE_VOICES, Config, VoiceSettings
from ..settings.voicesfile import split_engine

THOUGHT_RATE = 0.9
"""Thoughts are read a little slower than speech unless `monologue:` says otherwise."""
THOUGHT_PITCH = -6
"""...and a little lower, so a listener hears the difference from the character's dialogue."""
PREVIEW_WORDS = 40
"""An audition (`fullcast preview`) is the character's first lines, up to about this many words."""


class VoiceCatalogue(Protocol):
    """What casting asks of the engines about their voices (the pipeline hands in `audio.engines`)."""

    def check_voice(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup()) -> None:
        """Raise EngineError when *engine* (with the files in *setup*) has no voice *voice_id*."""

    def closest_voices(self, engine: str, voice_id: str, setup: EngineSetup = EngineSetup(), n: int = 3) -> list[str]:
        """Up to *n* ids of *engine*'s voices nearest to *voice_id*, best first."""

    def check_files(self, engine: str, setup: EngineSetup) -> None:
        """Raise EngineError, naming the `engines.<engine>` key, when the engine or its files cannot be used."""


@dataclass(frozen=True)
class Casting:
    """Who reads with which voice, and where in voices.yaml that voice was set."""

    voices: tuple[tuple[str, Voice], ...]
    """Speaker name -> resolved voice, narrator first."""
    origins: tuple[tuple[str, str], ...]
    """Speaker name -> the voices.yaml key that chose the voice, or `auto_voices.<gender>`."""


def cast_script(script: Script, config: Config, *, voices: VoiceCatalogue | None = None) -> CastScript:
    """Resolve a voice for every segment of *script* and apply pronunciations.

    With a *voices* catalogue, every voice is checked against the engine, and one it
    lacks is a ConfigError naming the character, the voice and the closest ids.
    """
    casting = choose_voices(script.speakers, config)
    if voices is not None:
        _check_voices(casting, config, voices)
    voices = dict(casting.voices)
    thinker = config.monologue.speaker
    lines = []
    for segment in script.segments:
        if segment.kind is SegmentKind.MONOLOGUE:
            name = thinker or segment.speaker
            voice = _thought_voice(voices.get(name) or voices[NARRATOR], config.monologue.style, config)
        else:
            voice = voices.get(segment.speaker) or voices[NARRATOR]
        lines.append(Line(segment, voice, apply_pronunciations(segment.text, config.pronunciations)))
    return CastScript(script, tuple(lines), casting.voices)


def choose_voices(speakers: tuple[Speaker, ...], config: Config) -> Casting:
    """Pick a voice for the narrator, every cast character and every uncast speaker."""
    narrator = config.narrator.settings
    voices: dict[str, Voice] = {NARRATOR: _resolve(narrator, config, default_voice(config, narrator.engine))}
    origins: dict[str, str] = {NARRATOR: "narrator.voice" if narrator.voice else "default narrator voice"}
    taken = {voice_ref(voices[NARRATOR], config)}
    for character in config.characters:
        if character.settings.voice:
            voices[character.name] = _resolve(character.settings, config, character.settings.voice)
            origins[character.name] = f"characters.{character.name}.voice"
            taken.add(voice_ref(voices[character.name], config))
    needing = [(c.name, c.gender, c.settings) for c in config.characters if c.name not in voices]
    needing += [(s.name, s.gender, VoiceSettings()) for s in sorted(speakers, key=lambda s: s.name)
                if s.name not in voices and config.character(s.name) is None]
    for name, gender, settings in needing:
        voice_id = suggest_voice(name, gender, config, taken, engine=settings.engine)
        taken.add(voice_id)
        voices[name] = _resolve(settings, config, voice_id)
        origins[name] = f"auto_voices.{gender.value}"
    return Casting(tuple(voices.items()), tuple(origins.items()))


def suggest_voice(name: str, gender: Gender, config: Config, taken: set[str], *, engine: str | None = None) -> str:
    """A voice for *name* from the gender's pool that nobody uses yet; then the other pools; then a shared one.

    Each name starts looking at its own place in the pool (a hash of the name), so a
    speaker keeps their voice when others are added, removed or recast: an editor's
    change to one voice re-renders that speaker, not everyone cast after them. With an
    *engine* (a character's own `engine:`), only that engine's voices are pooled. The
    answer is a voice as voices.yaml writes it: `engine:id` when not the book's engine.
    """
    pools = _pools(config, engine)
    order = [pools.get(gender, ())] + [pools[g] for g in (Gender.UNKNOWN, Gender.FEMALE, Gender.MALE) if g is not gender]
    start = zlib.crc32(name.casefold().encode("utf-8"))
    for pool in (p for p in order if p):
        free = [pool[(start + i) % len(pool)] for i in range(len(pool))]
        found = next((voice_id for voice_id in free if voice_id not in taken), None)
        if found:
            return found
    pool = pools.get(gender) or next(p for p in order if p)
    return pool[start % len(pool)]


def _pools(config: Config, engine: str | None) -> dict[Gender, tuple[str, ...]]:
    """Voice pools by gender, each entry `engine:id` unless on the book's engine; `auto_voices:` first.

    For a speaker of one *engine*, only that engine's entries count, and a gender with none
    takes the engine's own pool."""
    pools = {}
    for gender in Gender:
        given = [_ref(config, *_split(config, v)) for v in config.auto_voices.get(gender, ())]
        if engine is not None:
            given = [v for v in given if _split(config, v)[0] == engine]
        own = engine or config.engine
        pools[gender] = tuple(given) or tuple(_ref(config, own, v) for v in _engine_pool(config, own, gender))
    return pools


def _engine_pool(config: Config, engine: str, gender: Gender) -> tuple[str, ...]:
    if engine == "piper":
        return (default_voice(config, "piper"),)
    return ENGINE_VOICES[engine][gender]


def default_voice(config: Config, engine: str | None) -> str:
    """The voice a speaker of *engine* (None: the book's) gets when nothing names one: the narrator's default,
    or for Piper the configured speaker, else the model's one voice (its file name)."""
    engine = engine or config.engine
    if engine == "piper":
        piper = config.engines.piper
        return piper.speaker or (piper.model.name.removesuffix(".onnx") if piper.model else ENGINE_NARRATOR_VOICE[engine])
    return ENGINE_NARRATOR_VOICE[engine]


def voice_ref(voice: Voice, config: Config) -> str:
    """*voice* as voices.yaml writes it: its id, prefixed `engine:` when not on the book's engine."""
    return _ref(config, voice.engine, voice.voice_id)


def _ref(config: Config, engine: str, voice_id: str) -> str:
    return voice_id if engine == config.engine else f"{engine}:{voice_id}"


def _split(config: Config, voice: str) -> tuple[str, str]:
    prefix, voice_id = split_engine(voice)
    return prefix or config.engine, voice_id


def first_words(cast: CastScript, speaker: str, words: int = PREVIEW_WORDS) -> str:
    """*speaker*'s first lines, up to about *words* words, for an audition; a greeting when they say nothing."""
    said: list[str] = []
    for line in cast.lines:
        if line.segment.speaker == speaker and line.segment.kind in (SegmentKind.DIALOGUE, SegmentKind.MONOLOGUE):
            said.append(line.segment.text)
            if sum(len(s.split()) for s in said) >= words:
                break
    return " ".join(said) or f"Hello, I am {speaker}. This is how I sound in this book."


def apply_pronunciations(text: str, pronunciations: tuple[tuple[str, str], ...]) -> str:
    """Replace whole words (case-insensitively) by their respellings."""
    for word, respelling in pronunciations:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", respelling, text, flags=re.IGNORECASE)
    return text


def _resolve(settings: VoiceSettings, config: Config, voice: str) -> Voice:
    """The voice *settings* describe, with *voice* (which may carry an `engine:` prefix) when they name none."""
    prefix, voice_id = split_engine(voice)
    engine = settings.engine or prefix or config.engine
    defaults = config.defaults
    return Voice(
        engine=engine,
        voice_id=settings.voice or voice_id,
        rate=settings.rate if settings.rate is not None else defaults.rate,
        pitch=settings.pitch if settings.pitch is not None else defaults.pitch,
        volume=settings.volume if settings.volume is not None else defaults.volume,
        setup=engine_setup(config, engine),
    )


def engine_setup(config: Config, engine: str) -> EngineSetup:
    """The `engines:` files a voice of *engine* loads."""
    if engine == "kokoro":
        return EngineSetup(model=config.engines.kokoro.model, voices=config.engines.kokoro.voices)
    if engine == "piper":
        return EngineSetup(model=config.engines.piper.model, speaker=config.engines.piper.speaker)
    return EngineSetup()


def _thought_voice(voice: Voice, style: VoiceSettings, config: Config) -> Voice:
    """The thinker's voice in the thought style: `monologue:` overrides if any, else slower and lower."""
    if style == VoiceSettings():
        return replace(voice, rate=round(voice.rate * THOUGHT_RATE), pitch=max(0, voice.pitch + THOUGHT_PITCH))
    given = {f: getattr(style, f) for f in ("rate", "pitch", "volume") if getattr(style, f) is not None}
    engine = style.engine or voice.engine
    if engine != voice.engine or style.voice:
        voice_id = style.voice or default_voice(config, engine)
        given.update(engine=engine, voice_id=voice_id, setup=engine_setup(config, engine))
    return replace(voice, **given)


def check_cast_voices(config: Config, voices: VoiceCatalogue) -> None:
    """Check the voices voices.yaml gives (narrator, cast, monologue) against the engine, before any analysis."""
    _check_voices(choose_voices((), config), config, voices)


def _check_voices(casting: Casting, config: Config, engines: VoiceCatalogue) -> None:
    """Ask each engine about its files and every voice in use; name the voices.yaml key of one that fails."""
    origins = dict(casting.origins)
    wanted = [(voice, origins[name], f" (for {name})") for name, voice in casting.voices]
    style = config.monologue.style
    if style.voice or style.engine:
        thinker = _thought_voice(casting.voices[0][1], style, config)
        wanted.append((thinker, "monologue.voice" if style.voice else "monologue.engine", ""))
    where = config.path or "voices.yaml"
    for engine, setup in dict.fromkeys((voice.engine, voice.setup) for voice, _, _ in wanted):
        try:
            engines.check_files(engine, setup)
        except EngineError as error:
            raise ConfigError(f"{where}: {error}") from None
    checked: set[tuple[str, str]] = set()
    for voice, key, who in wanted:
        if (voice.engine, voice.voice_id) in checked:
            continue
        checked.add((voice.engine, voice.voice_id))
        try:
            engines.check_voice(voice.engine, voice.voice_id, voice.setup)
        except EngineError as error:
            if " has no voice " not in str(error):  # a blend that does not parse says what is wrong itself
                raise ConfigError(f"{where}: {key}: {error}") from None
            near = engines.closest_voices(voice.engine, voice.voice_id, voice.setup)
            hint = f"; closest: {', '.join(near)}" if near else f"; run `fullcast voices --engine {voice.engine}`"
            raise ConfigError(f"{where}: {key}: the {voice.engine} engine has no voice "
                              f"{voice.voice_id!r}{who}{hint}") from None


@dataclass(frozen=True)
class CastRow:
    """One speaker as the analysis sees them, for `fullcast cast`."""

    name: str
    """Speaker name."""
    gender: Gender
    """Gender from the cast, or as guessed."""
    lines: int
    """Dialogue and monologue segments they speak."""
    words: int
    """Words in those segments."""
    voice: Voice
    """The voice they get."""
    in_cast: bool
    """True when voices.yaml has an entry for them."""
    aliases_matched: tuple[str, ...]
    """Names and aliases by which the text referred to them."""
    named: bool = True
    """False for a cast entry whose name and aliases appear nowhere in the manuscript."""


def summarise_cast(cast: CastScript, config: Config) -> tuple[CastRow, ...]:
    """Every speaker with their line and word counts and voice: cast entries first, then the uncast."""
    counts: dict[str, list[int]] = {}
    for line in cast.lines:
        if line.segment.kind in (SegmentKind.DIALOGUE, SegmentKind.MONOLOGUE):
            name = config.monologue.speaker if line.segment.kind is SegmentKind.MONOLOGUE and config.monologue.speaker \
                else line.segment.speaker
            tally = counts.setdefault(name, [0, 0])
            tally[0] += 1
            tally[1] += len(line.segment.text.split())
    found = {s.name: s for s in cast.script.speakers}
    voices = dict(cast.voices)
    names = [c.name for c in config.characters] + [s.name for s in cast.script.speakers if config.character(s.name) is None]
    unnamed = set(unnamed_entries(cast.script.book, config))
    rows = []
    for name in dict.fromkeys(names):
        entry, speaker = config.character(name), found.get(name)
        gender = entry.gender if entry else speaker.gender if speaker else Gender.UNKNOWN
        lines, words = counts.get(name, (0, 0))
        rows.append(CastRow(name, gender, lines, words, voices.get(name) or voices[NARRATOR], entry is not None,
                            speaker.aliases_matched if speaker else (), name not in unnamed))
    return tuple(rows)


# --------------------------------------------------------------------------- another book's cast?


def unnamed_entries(book: Book, config: Config) -> list[str]:
    """Cast entries whose name and aliases appear nowhere in *book*: entries written for some other text."""
    texts = list({id(c.text): c.text for c in book.chapters}.values())
    return [c.name for c in config.characters if not _named(texts, (c.name, *c.aliases))]


def cast_warnings(book: Book, config: Config, manuscript: str) -> tuple[str, ...]:
    """What in voices.yaml does not fit *book*: most entries not in it, or a thinker or narrator nobody in it is.

    Each warning names the file and the fix: these are the marks of another book's voices.yaml
    picked up by mistake, which would give this book's lines to characters it does not have.
    """
    where = config.path or "voices.yaml"
    texts = list({id(c.text): c.text for c in book.chapters}.values())
    warnings = []
    unnamed = unnamed_entries(book, config)
    if config.characters and 2 * len(unnamed) > len(config.characters):
        warnings.append(f"{where}: {len(unnamed)} of {len(config.characters)} cast entries ({_some(unnamed)}) appear "
                        f"nowhere in {manuscript}; is this another book's voices.yaml? Put the book's own voices.yaml "
                        "beside the manuscript or pass --voices")
    for key, name, role in (("monologue.speaker", config.monologue.speaker, "every thought in the book"),
                            ("narrator.character", config.narrator.character, "the narrator's own lines")):
        entry = config.character(name) if name else None
        if name and not _named(texts, (name, *(entry.aliases if entry else ()))):
            warnings.append(f"{where}: {key}: nobody called {name} is in {manuscript}, yet {role} would be read "
                            f"as theirs; is this another book's voices.yaml? Set {key} to someone in this book "
                            "or remove it")
    return tuple(warnings)


def _named(texts: list[str], names: Iterable[str]) -> bool:
    """True when any of *names* occurs in *texts* as whole words, in any case and across line breaks."""
    for name in names:
        words = name.split()
        if words:
            pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
            if any(pattern.search(text) for text in texts):
                return True
    return False


def _some(names: list[str], most: int = 6) -> str:
    """*names* joined, the list cut after *most* with how many more there are."""
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"
