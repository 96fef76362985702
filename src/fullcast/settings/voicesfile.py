"""Validate voices.yaml into a Config, once: every later stage reads typed values, never raw YAML.

The YAML itself is read by `yamlfile` (the only module that imports ruamel.yaml). Validation happens here:
an unknown key names its dotted path and the nearest valid key, a wrong value
names its path and what is expected, and every message starts with file:line.
YAML anchors and aliases were refused before anything is built from them, every
string is cleaned of control characters (`cleaning`), and names the story could
not tell apart become `Config.warnings`.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, closest
from ..model import Gender
from .cleaning import clean_line
from .config import (
    ENGINES,
    BookInfo,
    Character,
    Config,
    Credits,
    EngineFiles,
    KokoroFiles,
    LineFix,
    Mastering,
    Monologue,
    Narrator,
    Pauses,
    PiperFiles,
    VoiceSettings,
    WarningSettings,
)
from .values import CONVERTERS, isbn_problem, positive_int, text_value
from .yamlfile import line_of, read_yaml

VOICE_KEYS = ("engine", "voice", "rate", "pitch", "volume")
DEFAULT_KEYS = ("voice", "rate", "pitch", "volume")
"""`defaults:` sets no engine: the top-level `engine:` is the book's."""
TOP_KEYS = ("book", "engine", "engines", "defaults", "narrator", "monologue", "content_warning", "characters",
            "auto_voices", "lines", "pronunciations", "mastering", "pauses", "credits")


class _Reader:
    """Walks the parsed YAML with the dotted path and line of every value at hand."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node: Any, key: str | int | None, where: str, message: str) -> ConfigError:
        return ConfigError(self.message(node, key, where, message))

    def message(self, node: Any, key: str | int | None, where: str, message: str) -> str:
        """`file:line: dotted.key: message`, with no control character left to reach a terminal."""
        line = line_of(node, key)
        place = f"{self.path}:{line}" if line else str(self.path)
        return clean_line(f"{place}: {where}: {message}")

    def mapping(self, node: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        """Check *node* is a mapping with only *allowed* keys."""
        if node is None:
            return {}
        if not isinstance(node, dict):
            raise self.fail(node, None, where or "top level", f"must be a mapping of {', '.join(allowed)}, not {_kind(node)}")
        for key in node:
            if str(key) not in allowed:
                hint = closest(str(key), list(allowed), n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else f"valid keys are {', '.join(allowed)}"
                raise self.fail(node, key, _join(where, key), f"unknown key; {fix}")
        return {str(k): v for k, v in node.items()}

    def value(self, parent: Any, key: str | int, where: str, convert: Callable[[Any], Any], expected: str) -> Any:
        raw = parent[key]
        if raw is None:
            return None
        try:
            return convert(raw)
        except (TypeError, ValueError):
            raise self.fail(parent, key, where, f"must be {expected}, not {raw!r}") from None


def load_config(path: Path, *, required: bool = True) -> Config:
    """Read and validate voices.yaml at *path*.

    A missing file is an error when *required*; otherwise it gives the defaults.
    """
    path = Path(path)
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: no such file; create it (see voices.yaml in the fullcast repo) or drop --voices")
        return Config()
    data = read_yaml(path)
    reader = _Reader(path)
    top = reader.mapping(data, "", TOP_KEYS)
    base = Path(path).parent
    characters = _characters(reader, top.get("characters"))
    return Config(
        path=path,
        book=_book(reader, top, base),
        engine=_engine(reader, data, top),
        engines=_engine_files(reader, top.get("engines"), base),
        defaults=_defaults(reader, top.get("defaults")),
        narrator=_narrator(reader, top.get("narrator")),
        monologue=_monologue(reader, top.get("monologue")),
        content_warning=_simple(reader, top.get("content_warning"), "content_warning", WarningSettings),
        characters=characters,
        auto_voices=_auto_voices(reader, top.get("auto_voices")),
        lines=_lines(reader, top.get("lines")),
        pronunciations=_pronunciations(reader, top.get("pronunciations")),
        mastering=_simple(reader, top.get("mastering"), "mastering", Mastering),
        pauses=_simple(reader, top.get("pauses"), "pauses", Pauses),
        credits=_simple(reader, top.get("credits"), "credits", Credits),
        warnings=tuple(_cast_conflicts(reader, top.get("characters"))) + _isbn_warning(reader, top.get("book")),
    )


def _book(reader: _Reader, top: dict[str, Any], base: Path) -> BookInfo:
    book = _simple(reader, top.get("book"), "book", BookInfo)
    if book.cover is not None:
        book = BookInfo(**{**book.__dict__, "cover": base / str(book.cover)})
    return book


def _isbn_warning(reader: _Reader, book: Any) -> tuple[str, ...]:
    """A warning (not an error: the value is kept as written) when book.isbn does not check out."""
    isbn = book.get("isbn") if isinstance(book, dict) else None
    problem = isbn_problem(str(isbn)) if isbn is not None else None
    return (reader.message(book, "isbn", "book.isbn", problem),) if problem else ()


def _engine(reader: _Reader, data: Any, top: dict[str, Any]) -> str:
    return _engine_name(reader, data, "engine", "engine", top.get("engine") or ENGINES[0])


def _engine_name(reader: _Reader, node: Any, key: str, where: str, engine: Any) -> str:
    if engine not in ENGINES:
        hint = closest(str(engine), list(ENGINES), n=1) or [ENGINES[0]]
        raise reader.fail(node, key, where, f"unknown engine {engine!r}; did you mean '{hint[0]}'? "
                                            f"(engines: {', '.join(ENGINES)})")
    return str(engine)


def split_engine(voice_id: str) -> tuple[str | None, str]:
    """`kokoro:jm_kumo` -> ("kokoro", "jm_kumo"); a voice id with no engine prefix -> (None, voice_id).

    Only a known engine name counts as a prefix, so a Kokoro blend (`jf_alpha:70,jm_kumo:30`) stays whole.
    """
    prefix, colon, rest = voice_id.partition(":")
    if colon and prefix.strip() in ENGINES and rest.strip():
        return prefix.strip(), rest.strip()
    return None, voice_id


def _engine_files(reader: _Reader, node: Any, base: Path) -> EngineFiles:
    """`engines:`: each neural engine's files, relative to voices.yaml and required to exist."""
    found = reader.mapping(node, "engines", ("kokoro", "piper"))
    kokoro = _simple(reader, found.get("kokoro"), "engines.kokoro", KokoroFiles)
    piper = _simple(reader, found.get("piper"), "engines.piper", PiperFiles)
    files = {}
    for engine, settings, keys in (("kokoro", kokoro, ("model", "voices")), ("piper", piper, ("model",))):
        given = {k: _existing(reader, found[engine], k, f"engines.{engine}.{k}", base)
                 for k in keys if getattr(settings, k) is not None}
        files[engine] = type(settings)(**{**settings.__dict__, **given})
    return EngineFiles(**files)


def _existing(reader: _Reader, node: Any, key: str, where: str, base: Path) -> Path:
    path = base / str(node[key])
    if not path.is_file():
        raise reader.fail(node, key, where, f"no such file {str(path)!r}; give a path relative to voices.yaml, "
                                            "or remove the key to use the bundled one")
    return path


def _voice(reader: _Reader, node: Any, where: str) -> VoiceSettings:
    """The voice keys of a mapping whose keys the caller has already checked.

    An engine prefix on the voice (`voice: kokoro:jm_kumo`) sets the engine as `engine:` would.
    """
    if not node:
        return VoiceSettings()
    given = {k: _convert_field(reader, node, k, _join(where, k)) for k in VOICE_KEYS if k in node and node[k] is not None}
    if "engine" in given:
        given["engine"] = _engine_name(reader, node, "engine", _join(where, "engine"), given["engine"])
    if "voice" in given:
        prefix, given["voice"] = split_engine(given["voice"])
        if prefix and given.setdefault("engine", prefix) != prefix:
            raise reader.fail(node, "voice", _join(where, "voice"), f"names the {prefix} engine but "
                              f"{_join(where, 'engine')} is {given['engine']}; keep one of the two")
    return VoiceSettings(**given)


def _defaults(reader: _Reader, node: Any) -> VoiceSettings:
    reader.mapping(node, "defaults", DEFAULT_KEYS)
    given, base = _voice(reader, node, "defaults"), Config().defaults
    return VoiceSettings(*(getattr(given, f.name) if getattr(given, f.name) is not None else getattr(base, f.name)
                           for f in fields(VoiceSettings)))


def _narrator(reader: _Reader, node: Any) -> Narrator:
    found = reader.mapping(node, "narrator", VOICE_KEYS + ("character",))
    character = clean_line(str(found.get("character") or ""))
    return Narrator(_voice(reader, node, "narrator"), character or None)


def _monologue(reader: _Reader, node: Any) -> Monologue:
    found = reader.mapping(node, "monologue", ("speaker",) + VOICE_KEYS)
    speaker = clean_line(str(found.get("speaker") or ""))
    return Monologue(speaker or None, _voice(reader, node, "monologue"))


def _characters(reader: _Reader, node: Any) -> tuple[Character, ...]:
    if node is None:
        return ()
    if not isinstance(node, dict):
        raise reader.fail(node, None, "characters", f"must be a mapping from cast name to settings, not {_kind(node)}")
    cast = []
    for name, entry in node.items():
        where = _join("characters", clean_line(str(name)))
        if not clean_line(str(name)):
            raise reader.fail(node, name, "characters", "a character has an empty name; give every entry a name")
        found = reader.mapping(entry, where, ("aliases", "gender") + VOICE_KEYS)
        aliases = _aliases(reader, entry, found.get("aliases"), f"{where}.aliases")
        gender = reader.value(entry, "gender", f"{where}.gender", Gender, "female, male or unknown") if "gender" in found else None
        settings = _voice(reader, entry, where)
        cast.append(Character(clean_line(str(name)), aliases, gender or Gender.UNKNOWN, settings))
    return tuple(cast)


def _aliases(reader: _Reader, entry: Any, node: Any, where: str) -> tuple[str, ...]:
    """A character's `aliases:`, each a name; those empty once cleaned are dropped."""
    if node is None:
        return ()
    if not isinstance(node, list):
        raise reader.fail(entry, "aliases", where, "must be a list of names, e.g. [the redhead]")
    for i, alias in enumerate(node):
        if alias is None or isinstance(alias, (dict, list)):
            raise reader.fail(node, i, f"{where}[{i}]", f"must be a name, not {_kind(alias)}; e.g. [the redhead, Tara Maclay]")
    return tuple(cleaned for alias in node if (cleaned := clean_line(str(alias))))


def _cast_conflicts(reader: _Reader, node: Any) -> list[str]:
    """Warnings for names the story cannot tell apart: two entries differing only in case, an alias given twice.

    They are warnings, not errors: the cast still works, but a line tagged with a shared
    name goes to whichever owner was mentioned last, or to no one, and of two entries
    differing only in case the second's voice is never used.
    """
    if not node:
        return []
    names: dict[str, str] = {}  # name key -> the first entry's name
    aliases: dict[str, str] = {}  # alias key -> the first entry that gave it
    warnings = []
    for raw, entry in node.items():
        name = clean_line(str(raw))
        if (first := names.get(_name_key(name))) is None:
            names[_name_key(name)] = name
        else:
            how = ("control characters" if first == name else "case" if first.casefold() == name.casefold()
                   else "case, spacing or full stops")
            warnings.append(reader.message(node, raw, f"characters.{name}", (
                f"differs from characters.{first} only in {how}, so the story cannot tell them apart and their "
                "lines may go to the wrong character; merge the two entries")))
    for raw, entry in node.items():
        name = clean_line(str(raw))
        listed = (entry.get("aliases") or []) if isinstance(entry, dict) else []
        for i, alias in enumerate(listed):
            alias, key = clean_line(str(alias)), _name_key(str(alias))
            if not key:
                continue
            other, owner = names.get(key), aliases.setdefault(key, name)
            if other is not None and _name_key(other) != _name_key(name):
                problem, fix = f"is also the name of characters.{other}", f"remove it from {name}'s aliases"
            elif owner != name and other is None:
                problem, fix = f"is also an alias of characters.{owner}", "keep it under one of them"
            else:
                continue
            warnings.append(reader.message(listed, i, f"characters.{name}.aliases", (
                f'"{alias}" {problem}, so lines tagged with it may go to the wrong character; {fix}')))
    return warnings


def _name_key(name: str) -> str:
    """How the story stage looks a name up: case, full stops, apostrophe style and spacing ignored."""
    return " ".join(clean_line(name).replace(".", " ").replace("’", "'").casefold().split())


def _auto_voices(reader: _Reader, node: Any) -> dict[Gender, tuple[str, ...]]:
    """`auto_voices:` pools as written; `kokoro:jf_nezumi` names a voice of another engine than the book's."""
    pools = {}
    found = reader.mapping(node, "auto_voices", tuple(g.value for g in Gender))
    for key, voices in found.items():
        if not isinstance(voices, list) or not voices:
            raise reader.fail(node, key, f"auto_voices.{key}", "must be a non-empty list of voice ids")
        for i, voice in enumerate(voices):
            if voice is None or isinstance(voice, (dict, list)) or not clean_line(str(voice)):
                raise reader.fail(voices, i, f"auto_voices.{key}[{i}]", "must be a voice id, e.g. gmw/en-us+f3 "
                                                                        "or kokoro:jf_nezumi")
        pools[Gender(key)] = tuple(clean_line(str(v)) for v in voices)
    return pools


def _lines(reader: _Reader, node: Any) -> tuple[LineFix, ...]:
    if node is None:
        return ()
    if not isinstance(node, list):
        raise reader.fail(node, None, "lines", "must be a list of {match, speaker, chapter} entries")
    fixes = []
    for i, entry in enumerate(node):
        where = f"lines[{i}]"
        found = reader.mapping(entry, where, ("match", "speaker", "chapter"))
        for key in ("match", "speaker"):
            if not found.get(key):
                raise reader.fail(node, i, f"{where}.{key}", "is required, e.g. {match: \"Can't sleep either?\", speaker: Willow}")
        chapter = reader.value(entry, "chapter", f"{where}.chapter", positive_int, "a chapter number") if "chapter" in found else None
        fixes.append(LineFix(clean_line(str(found["match"])), clean_line(str(found["speaker"])), chapter, where))
    return tuple(fixes)


def _pronunciations(reader: _Reader, node: Any) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    if not isinstance(node, dict):
        raise reader.fail(node, None, "pronunciations", "must be a mapping from word to respelling, e.g. Maclay: Mack-lay")
    for word, respelling in node.items():
        if respelling is None or isinstance(respelling, (dict, list)):
            raise reader.fail(node, word, f"pronunciations.{word}", "must be a respelling, e.g. Mack-lay")
    return tuple((clean_line(str(w)), clean_line(str(r))) for w, r in node.items())


def _simple(reader: _Reader, node: Any, where: str, kind: type) -> Any:
    """A section whose keys map one-to-one onto the fields of a settings dataclass."""
    names = tuple(f.name for f in fields(kind))
    found = reader.mapping(node, where, names)
    return kind(**{k: _convert_field(reader, node, k, f"{where}.{k}") for k in found if node[k] is not None})


def _convert_field(reader: _Reader, node: Any, key: str, where: str) -> Any:
    convert, expected = CONVERTERS.get(key, (text_value, "text"))
    return reader.value(node, key, where, convert, expected)


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _kind(node: Any) -> str:
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    return repr(node)
