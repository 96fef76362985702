"""Read voices.yaml into a validated Config, and add cast entries to it without losing comments.

This is the only module that imports ruamel.yaml. Validation happens once, here:
an unknown key names its dotted path and the nearest valid key, a wrong value
names its path and what is expected, and every message starts with file:line.
"""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import ConfigError, closest
from ..model import Gender
from .config import (
    BookInfo,
    Character,
    Config,
    Credits,
    LineFix,
    Mastering,
    Monologue,
    Narrator,
    Pauses,
    VoiceSettings,
    WarningSettings,
)

ENGINES = ("pyttsx3", "fake")
VOICE_KEYS = ("voice", "rate", "pitch", "volume")
TOP_KEYS = ("book", "engine", "defaults", "narrator", "monologue", "content_warning", "characters",
            "auto_voices", "lines", "pronunciations", "mastering", "pauses", "credits")


class _Reader:
    """Walks the parsed YAML with the dotted path and line of every value at hand."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node: Any, key: str | int | None, where: str, message: str) -> ConfigError:
        line = _line_of(node, key)
        place = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{place}: {where}: {message}")

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
    data = _parse(path)
    reader = _Reader(path)
    top = reader.mapping(data, "", TOP_KEYS)
    base = Path(path).parent
    return Config(
        path=path,
        book=_book(reader, top, base),
        engine=_engine(reader, data, top),
        defaults=_defaults(reader, top.get("defaults")),
        narrator=_narrator(reader, top.get("narrator")),
        monologue=_monologue(reader, top.get("monologue")),
        content_warning=_simple(reader, top.get("content_warning"), "content_warning", WarningSettings),
        characters=_characters(reader, top.get("characters")),
        auto_voices=_auto_voices(reader, top.get("auto_voices")),
        lines=_lines(reader, top.get("lines")),
        pronunciations=_pronunciations(reader, top.get("pronunciations")),
        mastering=_simple(reader, top.get("mastering"), "mastering", Mastering),
        pauses=_simple(reader, top.get("pauses"), "pauses", Pauses),
        credits=_simple(reader, top.get("credits"), "credits", Credits),
    )


def add_characters(path: Path, entries: list[tuple[str, Gender, str]]) -> None:
    """Add `characters:` entries (name, gender, voice) to voices.yaml, keeping its comments and key order."""
    path = Path(path)
    yaml = YAML(typ="rt")
    data = _parse(path) if path.exists() else None
    if data is None:
        data = CommentedMap()
    if data.get("characters") is None:
        data["characters"] = CommentedMap()
    for name, gender, voice in entries:
        entry = CommentedMap()
        entry["gender"] = gender.value
        entry["voice"] = voice
        data["characters"][name] = entry
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot be written ({exc.strerror}); check its permissions") from exc


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: is not UTF-8 (byte {exc.start}); re-save it as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        raise ConfigError(f"{where}: malformed YAML: {problem}; check the indentation and quoting there") from exc
    except YAMLError as exc:
        raise ConfigError(f"{path}: malformed YAML: {exc}") from exc


def _book(reader: _Reader, top: dict[str, Any], base: Path) -> BookInfo:
    book = _simple(reader, top.get("book"), "book", BookInfo)
    if book.cover is not None:
        book = BookInfo(**{**book.__dict__, "cover": base / str(book.cover)})
    return book


def _engine(reader: _Reader, data: Any, top: dict[str, Any]) -> str:
    engine = top.get("engine") or ENGINES[0]
    if engine not in ENGINES:
        hint = closest(str(engine), list(ENGINES), n=1) or [ENGINES[0]]
        raise reader.fail(data, "engine", "engine", f"unknown engine {engine!r}; did you mean '{hint[0]}'?")
    return str(engine)


def _voice(reader: _Reader, node: Any, where: str) -> VoiceSettings:
    """The voice keys of a mapping whose keys the caller has already checked."""
    if not node:
        return VoiceSettings()
    return VoiceSettings(**{k: _convert_field(reader, node, k, _join(where, k))
                            for k in VOICE_KEYS if k in node and node[k] is not None})


def _defaults(reader: _Reader, node: Any) -> VoiceSettings:
    reader.mapping(node, "defaults", VOICE_KEYS)
    given, base = _voice(reader, node, "defaults"), Config().defaults
    return VoiceSettings(*(getattr(given, f.name) if getattr(given, f.name) is not None else getattr(base, f.name)
                           for f in fields(VoiceSettings)))


def _narrator(reader: _Reader, node: Any) -> Narrator:
    found = reader.mapping(node, "narrator", VOICE_KEYS + ("character",))
    character = found.get("character")
    return Narrator(_voice(reader, node, "narrator"), str(character) if character else None)


def _monologue(reader: _Reader, node: Any) -> Monologue:
    found = reader.mapping(node, "monologue", ("speaker",) + VOICE_KEYS)
    speaker = found.get("speaker")
    return Monologue(str(speaker) if speaker else None, _voice(reader, node, "monologue"))


def _characters(reader: _Reader, node: Any) -> tuple[Character, ...]:
    if node is None:
        return ()
    if not isinstance(node, dict):
        raise reader.fail(node, None, "characters", f"must be a mapping from cast name to settings, not {_kind(node)}")
    cast = []
    for name, entry in node.items():
        where = _join("characters", name)
        found = reader.mapping(entry, where, ("aliases", "gender") + VOICE_KEYS)
        aliases = found.get("aliases") or []
        if isinstance(aliases, str) or not isinstance(aliases, list):
            raise reader.fail(entry, "aliases", f"{where}.aliases", "must be a list of names, e.g. [the redhead]")
        gender = reader.value(entry, "gender", f"{where}.gender", Gender, "female, male or unknown") if "gender" in found else None
        settings = _voice(reader, entry, where)
        cast.append(Character(str(name), tuple(str(a) for a in aliases), gender or Gender.UNKNOWN, settings))
    return tuple(cast)


def _auto_voices(reader: _Reader, node: Any) -> dict[Gender, tuple[str, ...]]:
    pools = dict(Config().auto_voices)
    found = reader.mapping(node, "auto_voices", tuple(g.value for g in Gender))
    for key, voices in found.items():
        if not isinstance(voices, list) or not voices:
            raise reader.fail(node, key, f"auto_voices.{key}", "must be a non-empty list of voice ids")
        pools[Gender(key)] = tuple(str(v) for v in voices)
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
        chapter = reader.value(entry, "chapter", f"{where}.chapter", _positive_int, "a chapter number") if "chapter" in found else None
        fixes.append(LineFix(str(found["match"]), str(found["speaker"]), chapter, where))
    return tuple(fixes)


def _pronunciations(reader: _Reader, node: Any) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    if not isinstance(node, dict):
        raise reader.fail(node, None, "pronunciations", "must be a mapping from word to respelling, e.g. Maclay: Mack-lay")
    for word, respelling in node.items():
        if respelling is None or isinstance(respelling, (dict, list)):
            raise reader.fail(node, word, f"pronunciations.{word}", "must be a respelling, e.g. Mack-lay")
    return tuple((str(w), str(r)) for w, r in node.items())


def _simple(reader: _Reader, node: Any, where: str, kind: type) -> Any:
    """A section whose keys map one-to-one onto the fields of a settings dataclass."""
    names = tuple(f.name for f in fields(kind))
    found = reader.mapping(node, where, names)
    return kind(**{k: _convert_field(reader, node, k, f"{where}.{k}") for k in found if node[k] is not None})


CONVERTERS: dict[str, tuple[Callable[[Any], Any], str]] = {}


def _convert_field(reader: _Reader, node: Any, key: str, where: str) -> Any:
    convert, expected = CONVERTERS.get(key, (_text, "text"))
    return reader.value(node, key, where, convert, expected)


def _text(raw: Any) -> str:
    if isinstance(raw, (dict, list)):
        raise TypeError
    return str(raw)


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise TypeError
    return float(raw)


def _ranged(kind: Callable[[Any], Any], lo: float, hi: float) -> Callable[[Any], Any]:
    def convert(raw: Any) -> Any:
        value = _number(raw)
        if not lo <= value <= hi or (kind is int and value != int(value)):
            raise ValueError
        return kind(value)
    return convert


def _flag(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TypeError
    return raw


def _positive_int(raw: Any) -> int:
    return _ranged(int, 1, 10**6)(raw)


CONVERTERS.update({
    "rate": (_ranged(int, 40, 900), "words per minute between 40 and 900"),
    "pitch": (_ranged(int, 0, 99), "a whole number from 0 to 99"),
    "volume": (_ranged(float, 0.0, 1.0), "a number from 0.0 to 1.0"),
    "every_chapter": (_flag, "true or false"),
    "opening": (_flag, "true or false"),
    "closing": (_flag, "true or false"),
    "loudness": (_ranged(float, -40, -10), "LUFS between -40 and -10"),
    "tolerance": (_ranged(float, 0.1, 5), "LU between 0.1 and 5"),
    "true_peak": (_ranged(float, -12, 0), "dBTP between -12 and 0"),
    "noise_floor": (_ranged(float, -120, -60), "dBFS between -120 and -60"),
    **{k: (_ranged(int, 0, 10_000), "milliseconds from 0 to 10000")
       for k in ("head", "tail", "heading", "paragraph", "inline", "scene")},
})


def _line_of(node: Any, key: str | int | None) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        return (lc.key(key)[0] if isinstance(node, CommentedMap) and key is not None
                else lc.item(key)[0] if isinstance(node, CommentedSeq) and key is not None
                else lc.line) + 1
    except (KeyError, IndexError, TypeError):
        return lc.line + 1


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _kind(node: Any) -> str:
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    return repr(node)
