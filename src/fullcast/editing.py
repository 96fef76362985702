"""The editor's commands: the cast as the analysis sees it, auditions, the engine's voices, and the review.

Each reads a manuscript through `pipeline.analyse` and stops short of a render: `cast_report`
(with `--write`, the uncast speakers added to voices.yaml), `preview` (one character's audition),
`list_voices` and `sample_voices`, and `review_queue`/`record_decision` (the lines least likely
right, and the editor's corrections written to voices.yaml as `lines:` entries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .casting.cast import CastRow, summarise_cast, voice_ref
from .errors import ConfigError, EngineError, closest
from .model import EngineSetup, Gender, Voice
from .pipeline import VOICES_NAME, Briefing, analyse, brief, find_voices
from .publish.folder import check_output_folder
from .script.attribution.context import UNKNOWN
from .settings import add_characters, load_config
from .settings.config import DEFAULT_PITCH, DEFAULT_RATE, DEFAULT_VOLUME, Config

if TYPE_CHECKING:
    from .audio.engines import EngineVoice


# --------------------------------------------------------------------------- voices


def list_voices(engine: str, lang: str | None = None, voices: Path | None = None) -> list[EngineVoice]:
    """The voices *engine* offers (with the model files voices.yaml *voices* gives it under `engines:`);
    with *lang*, those that speak it (see `speaks`), or a ConfigError with hints."""
    from .audio import engines

    setup = engine_files(engine, voices)
    try:
        engines.check_files(engine, setup)
        listed = list(engines.list_voices(engine, setup))
    except EngineError as error:
        raise ConfigError(f"{voices or 'voices.yaml'}: {error}" if voices else str(error)) from None
    if not lang:
        return listed
    found = [voice for voice in listed if speaks(voice, lang)]
    if not found:
        names = {v.name.split(" (")[0].split(" + ")[0] for v in listed} | {c for v in listed for c in v.languages}
        near = closest(lang, sorted(names), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(near)}?)" if near else ""
        raise ConfigError(f"--lang {lang}: no {engine} voice speaks it{hint}; give a language code (en, en-us), a "
                          "language name (English) or a voice id prefix (gmw/en); `fullcast voices` lists them all")
    return found


def engine_files(engine: str, voices: Path | None) -> EngineSetup:
    """The files *engine* loads as voices.yaml *voices* gives them (`engines:`), or the bundled ones."""
    from .casting.cast import engine_setup

    return engine_setup(load_config(voices) if voices else Config(), engine)


def speaks(voice: EngineVoice, lang: str) -> bool:
    """True when *lang* names *voice*'s language: a code (`en` takes in `en-us`), a name (English) or an id prefix."""
    wanted = lang.strip().casefold().replace("_", "-")
    voice_id = voice.id.casefold()
    if "/" in wanted or "+" in wanted:
        return voice_id.startswith(wanted)
    codes = {code.casefold() for code in voice.languages} | {voice_id.split("+")[0].rsplit("/", 1)[-1]}
    if voice_id.startswith(f"{wanted}/") or any(code == wanted or code.startswith(f"{wanted}-") for code in codes):
        return True
    name = voice.name.split(" + ")[0].casefold()  # "english (america)": the language, then the place
    return wanted == name or re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", name.split(" (")[0]) is not None


# --------------------------------------------------------------------------- cast, preview, samples


@dataclass(frozen=True)
class CastReport:
    """What `fullcast cast` shows, and with --write what it added where."""

    rows: tuple[CastRow, ...]
    """Every speaker and cast entry, cast entries first."""
    briefing: Briefing
    """The briefing of the analysis before anything was written."""
    added: tuple[tuple[str, Gender, str], ...] = ()
    """Entries written (name, gender, voice id), in order."""
    written: Path | None = None
    """The voices.yaml they were written to."""
    created: bool = False
    """True when that file did not exist before."""


def cast_report(manuscript: Path, voices: Path | None, *, write: bool = False) -> CastReport:
    """The cast as the analysis sees it; with *write*, the uncast speakers added to voices.yaml first.

    They go into the voices.yaml in use, or a new one beside the manuscript (inside a folder manuscript).
    """
    config, cast = analyse(manuscript, voices, check_voices=False)
    briefing = brief(manuscript, config, cast)
    rows = summarise_cast(cast, config)
    # "unknown" stands for lines nobody could be found for: a placeholder, not a character to cast
    missing = tuple((row.name, row.gender, voice_ref(row.voice, config)) for row in rows
                    if not row.in_cast and row.name != UNKNOWN)
    if not (write and missing):
        return CastReport(rows, briefing)
    target = config.path or (manuscript if manuscript.is_dir() else manuscript.parent) / VOICES_NAME
    created = not target.exists()
    add_characters(target, list(missing))
    config, cast = analyse(manuscript, target, check_voices=False)
    return CastReport(summarise_cast(cast, config), briefing, missing, target, created)


def preview(name: str, manuscript: Path, voices: Path | None, out: Path,
            text: str | None = None) -> tuple[Path, Briefing]:
    """Render an audition of *name* into out/previews/: their first lines, or *text*; with the briefing."""
    from .audio.synthesis import synthesize_text
    from .casting.cast import apply_pronunciations, first_words
    from .publish.folder import safe_filename

    config, cast = analyse(manuscript, voices)
    voices_by_name = {n.casefold(): (n, v) for n, v in cast.voices}
    if name.casefold() not in voices_by_name:
        near = closest(name, [n for n, _ in cast.voices], cutoff=0.65)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; the cast is {', '.join(n for n, _ in cast.voices)}"
        raise ConfigError(f"no speaker called {name!r} in the cast or the manuscript{hint}")
    speaker, voice = voices_by_name[name.casefold()]
    if text is None:
        text = first_words(cast, speaker)
    check_output_folder(out)
    dest = check_output_folder(out / "previews", create=True) / f"{safe_filename(speaker)}.wav"
    synthesize_text(apply_pronunciations(text, config.pronunciations), voice, dest)
    return dest, brief(manuscript, config, cast)


def sample_voices(engine: str, voice_ids: list[str], out: Path, voices: Path | None = None) -> list[Path]:
    """Render one short clip per voice into out/voices/ so an editor can compare them by ear."""
    from .audio.synthesis import synthesize_texts
    from .publish.folder import safe_filename

    check_output_folder(out)
    folder = check_output_folder(out / "voices", create=True)
    setup = engine_files(engine, voices)
    items = [(f"This is {voice_id.replace('+', ' variant ').replace('_', ' ')}. The lamps along the sea wall were "
              "lit at dusk.", Voice(engine, voice_id, DEFAULT_RATE, DEFAULT_PITCH, DEFAULT_VOLUME, setup),
              folder / f"{safe_filename(voice_id)}.wav") for voice_id in voice_ids]
    synthesize_texts(items)
    return [path for _, _, path in items]


# --------------------------------------------------------------------------- review

if TYPE_CHECKING:
    from .script.review import ReviewItem


@dataclass(frozen=True)
class ReviewQueue:
    """What `fullcast review` walks through, and where its decisions go."""

    items: tuple[ReviewItem, ...]
    """The paragraphs of dialogue to check, least confident first."""
    briefing: Briefing
    """The briefing of the analysis."""
    target: Path
    """The voices.yaml decisions are written to: the one in use, else a new one beside the manuscript."""
    digest: str | None
    """`target`'s SHA-256 before the analysis read it (None: no such file), to notice edits by others."""
    dialogue: int
    """Paragraphs of dialogue in the manuscript, decided ones included (0: nothing to review)."""
    voices: tuple[tuple[str, Gender, str], ...]
    """Every speaker with their gender and voice id, so that one added to `characters:` keeps their voice."""


def review_queue(manuscript: Path, voices: Path | None, limit: int) -> ReviewQueue:
    """The at most *limit* paragraphs of dialogue whose speaker is least certain: `fullcast review`."""
    from .script.review import review_queue as queue
    from .script.review import utterances
    from .settings.yamlfile import file_digest

    found = voices if voices is not None else find_voices(manuscript)
    target = found or (manuscript if manuscript.is_dir() else manuscript.parent) / VOICES_NAME
    digest = file_digest(target)  # before reading it: an edit made during the analysis is noticed too
    config, cast = analyse(manuscript, found, check_voices=False)
    genders = {s.name: s.gender for s in cast.script.speakers}
    known = tuple((name, genders.get(name, Gender.UNKNOWN), voice_ref(voice, config)) for name, voice in cast.voices)
    return ReviewQueue(queue(cast.script, limit), brief(manuscript, config, cast), target, digest,
                       len(utterances(cast.script)), known)


def record_decision(queue: ReviewQueue, item: ReviewItem, speaker: str, seen: str | None) -> tuple[str, str]:
    """Write the editor's *speaker* for *item* as a `lines:` entry in the queue's voices.yaml, whose digest
    was *seen*; the cast name written and the new digest. A new name joins `characters:` with the voice the
    analysis gave them, or an unused one."""
    from .casting.cast import suggest_voice
    from .model import NARRATOR
    from .settings.yamlfile import file_digest, write_line_fix

    speaker = " ".join(speaker.split())
    if speaker.casefold() == NARRATOR:
        raise ConfigError(f"{queue.target}: lines: cannot give a line to the narrator; name a character")
    # a file changed by someone else is not read: write_line_fix refuses it with the message that says so
    unchanged = queue.target.exists() and file_digest(queue.target) == seen
    config = load_config(queue.target) if unchanged else Config()
    entry = config.character(speaker)
    if entry is not None:
        return write_line_fix(queue.target, item.match, entry.name, item.chapter, seen=seen)
    known = {name.casefold(): (name, gender, voice) for name, gender, voice in queue.voices}
    name, gender, voice = known.get(speaker.casefold(), (speaker, Gender.UNKNOWN, ""))
    if not voice:
        taken = {v for _, _, v in queue.voices} | {c.settings.voice for c in config.characters if c.settings.voice}
        voice = suggest_voice(speaker, gender, config, taken)
    return write_line_fix(queue.target, item.match, name, item.chapter, seen=seen, gender=gender, voice=voice)
