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
from ..model import NARRATOR, Book, CastScript, Gender, Line, Script, SegmentKind, Speaker, Voice
from ..settings.config import DEFAULT_NARRATOR_VOICE, Config, VoiceSettings

THOUGHT_RATE = 0.9
"""Thoughts are read a little slower than speech unless `monologue:` says otherwise."""
THOUGHT_PITCH = -6
"""...and a little lower, so a listener hears the difference from the character's dialogue."""
PREVIEW_WORDS = 40
"""An audition (`fullcast preview`) is the character's first lines, up to about this many words."""


class VoiceCatalogue(Protocol):
    """What casting asks of the engines about their voices (the pipeline hands in `audio.engines`)."""

    def check_voice(self, engine: str, voice_id: str) -> None:
        """Raise EngineError when *engine* has no voice *voice_id*."""

    def closest_voices(self, engine: str, voice_id: str, n: int = 3) -> list[str]:
        """Up to *n* ids of *engine*'s voices nearest to *voice_id*, best first."""


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
            voice = _thought_voice(voices.get(name) or voices[NARRATOR], config.monologue.style)
        else:
            voice = voices.get(segment.speaker) or voices[NARRATOR]
        lines.append(Line(segment, voice, apply_pronunciations(segment.text, config.pronunciations)))
    return CastScript(script, tuple(lines), casting.voices)


def choose_voices(speakers: tuple[Speaker, ...], config: Config) -> Casting:
    """Pick a voice for the narrator, every cast character and every uncast speaker."""
    voices: dict[str, Voice] = {NARRATOR: _resolve(config.narrator.settings, config, DEFAULT_NARRATOR_VOICE)}
    origins: dict[str, str] = {NARRATOR: "narrator.voice" if config.narrator.settings.voice else "default narrator voice"}
    taken = {voices[NARRATOR].voice_id}
    for character in config.characters:
        if character.settings.voice:
            voices[character.name] = _resolve(character.settings, config, character.settings.voice)
            origins[character.name] = f"characters.{character.name}.voice"
            taken.add(character.settings.voice)
    needing = [(c.name, c.gender, c.settings) for c in config.characters if c.name not in voices]
    needing += [(s.name, s.gender, VoiceSettings()) for s in sorted(speakers, key=lambda s: s.name)
                if s.name not in voices and config.character(s.name) is None]
    for name, gender, settings in needing:
        voice_id = suggest_voice(name, gender, config, taken)
        taken.add(voice_id)
        voices[name] = _resolve(settings, config, voice_id)
        origins[name] = f"auto_voices.{gender.value}"
    return Casting(tuple(voices.items()), tuple(origins.items()))


def suggest_voice(name: str, gender: Gender, config: Config, taken: set[str]) -> str:
    """A voice for *name* from the gender's pool that nobody uses yet; then the other pools; then a shared one.

    Each name starts looking at its own place in the pool (a hash of the name), so a
    speaker keeps their voice when others are added, removed or recast: an editor's
    change to one voice re-renders that speaker, not everyone cast after them.
    """
    pools = config.auto_voices
    order = [pools.get(gender, ())] + [pools[g] for g in (Gender.UNKNOWN, Gender.FEMALE, Gender.MALE) if g is not gender]
    start = zlib.crc32(name.casefold().encode("utf-8"))
    for pool in (p for p in order if p):
        free = [pool[(start + i) % len(pool)] for i in range(len(pool))]
        found = next((voice_id for voice_id in free if voice_id not in taken), None)
        if found:
            return found
    pool = pools.get(gender) or next(p for p in order if p)
    return pool[start % len(pool)]


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


def _resolve(settings: VoiceSettings, config: Config, voice_id: str) -> Voice:
    defaults = config.defaults
    return Voice(
        engine=config.engine,
        voice_id=settings.voice or voice_id,
        rate=settings.rate if settings.rate is not None else defaults.rate,
        pitch=settings.pitch if settings.pitch is not None else defaults.pitch,
        volume=settings.volume if settings.volume is not None else defaults.volume,
    )


def _thought_voice(voice: Voice, style: VoiceSettings) -> Voice:
    """The thinker's voice in the thought style: `monologue:` overrides if any, else slower and lower."""
    if style == VoiceSettings():
        return replace(voice, rate=round(voice.rate * THOUGHT_RATE), pitch=max(0, voice.pitch + THOUGHT_PITCH))
    given = {f: getattr(style, f) for f in ("rate", "pitch", "volume") if getattr(style, f) is not None}
    return replace(voice, voice_id=style.voice or voice.voice_id, **given)


def check_cast_voices(config: Config, voices: VoiceCatalogue) -> None:
    """Check the voices voices.yaml gives (narrator, cast, monologue) against the engine, before any analysis."""
    _check_voices(choose_voices((), config), config, voices)


def _check_voices(casting: Casting, config: Config, engines: VoiceCatalogue) -> None:
    """Ask the engine about every voice in use; name the voices.yaml key of one it lacks."""
    origins = dict(casting.origins)
    wanted = [(voice.voice_id, origins[name], f" (for {name})") for name, voice in casting.voices]
    if config.monologue.style.voice:
        wanted.append((config.monologue.style.voice, "monologue.voice", ""))
    checked: set[str] = set()
    for voice_id, key, who in wanted:
        if voice_id in checked:
            continue
        checked.add(voice_id)
        try:
            engines.check_voice(config.engine, voice_id)
        except EngineError:
            near = engines.closest_voices(config.engine, voice_id)
            hint = f"; closest: {', '.join(near)}" if near else "; run `fullcast voices` to list them"
            raise ConfigError(f"{config.path or 'voices.yaml'}: {key}: the {config.engine} engine has no voice "
                              f"{voice_id!r}{who}{hint}") from None


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
