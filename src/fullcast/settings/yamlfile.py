"""voices.yaml as YAML: read with the line of every value, and edited in place with its comments kept.

This is the only module that imports ruamel.yaml. Reading refuses anchors and aliases
before anything is built from them (a "billion laughs" file reaches gigabytes from a few
lines); editing is a round trip that keeps the editor's comments and key order, written
to a temporary file and renamed into place so an interrupted write loses nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)

from ..errors import ConfigError
from ..model import Gender
from .cleaning import clean_line


def read_yaml(path: Path) -> Any:
    """The parsed YAML at *path* (mappings that know their lines), or ConfigError naming file:line."""
    return _parse(path)


def add_characters(path: Path, entries: list[tuple[str, Gender, str]]) -> None:
    """Add `characters:` entries (name, gender, voice) to voices.yaml, keeping its comments and key order."""
    path = Path(path)

    def add(data: Any) -> None:
        if data.get("characters") is None:
            data["characters"] = CommentedMap()
        for name, gender, voice in entries:
            entry = CommentedMap()
            entry["gender"] = gender.value
            entry["voice"] = voice
            data["characters"][name] = entry

    edit_yaml(path, add)


def file_digest(path: Path) -> str | None:
    """The SHA-256 of the file at *path*, or None when there is none: to notice that someone else changed it."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc


def write_line_fix(path: Path, match: str, speaker: str, chapter: int | None, *, seen: str | None,
                   gender: Gender = Gender.UNKNOWN, voice: str | None = None) -> tuple[str, str]:
    """Add (or update) the `lines:` entry {match, speaker, chapter} in voices.yaml; the name written and the
    file's new digest.

    *seen* is the file's digest when the caller last read or wrote it (None: it did not exist): a file
    changed since then, or read-only, is a ConfigError and stays as it is. An entry with the same match and
    chapter gets the new speaker rather than a second entry. A *speaker* with no `characters:` entry gets
    one (with *gender* and *voice*), since a `lines:` speaker must be cast; one whose name differs only in
    case is written as the cast spells it.
    """
    path = Path(path)
    if file_digest(path) != seen:
        raise ConfigError(f"{path}: changed on disk since the review began, so this decision was not written "
                          "(those before it are saved there); run `fullcast review` again to go on")
    if path.exists() and _read_only(path):
        raise ConfigError(f"{path}: is read-only, so this decision was not written (those before it are saved "
                          f"there); make it writable (chmod u+w {path}) and run `fullcast review` again")
    match, speaker = clean_line(match), clean_line(speaker)
    written = [speaker]

    def fix(data: Any) -> None:
        if data.get("characters") is None:
            data["characters"] = CommentedMap()
        cast = data["characters"]
        written[0] = next((str(n) for n in cast if clean_line(str(n)).casefold() == speaker.casefold()), speaker)
        if written[0] not in cast:
            cast[speaker] = CommentedMap([("gender", gender.value)] + ([("voice", voice)] if voice else []))
        if data.get("lines") is None:
            data["lines"] = CommentedSeq()
        same = next((e for e in data["lines"] if isinstance(e, dict) and _same_line(e, match, chapter)), None)
        if same is not None:
            same["speaker"] = written[0]
        else:
            entry = CommentedMap([("match", match), ("speaker", written[0])])
            if chapter is not None:
                entry["chapter"] = chapter
            data["lines"].append(entry)

    edit_yaml(path, fix)
    return written[0], file_digest(path) or ""


def _read_only(path: Path) -> bool:
    """True when *path* may not be written: no write permission, or no write bit at all (root ignores bits)."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def _same_line(entry: Any, match: str, chapter: int | None) -> bool:
    """True when the `lines:` *entry* has this match (case and spacing aside) and this chapter."""
    return (" ".join(str(entry.get("match", "")).casefold().split()) == " ".join(match.casefold().split())
            and entry.get("chapter") == chapter)


def edit_yaml(path: Path, edit: Callable[[Any], None]) -> None:
    """Apply *edit* to the YAML at *path* (a new mapping when it is missing or empty) and write it back,
    comments and key order kept, via a temporary file renamed into place."""
    data = _parse(path) if path.exists() else None
    if data is None:
        data = CommentedMap()
    edit(data)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            YAML(typ="rt").dump(data, handle)
        if path.exists():
            shutil.copymode(path, tmp)  # the editor's permissions survive the rename
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written ({exc.strerror}); check its permissions") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _parse(path: Path) -> Any:
    """Decode and parse, refusing anchors first."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: is not UTF-8 (byte {exc.start}); re-save it as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        _refuse_anchors(path, text)
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        raise ConfigError(f"{where}: malformed YAML: {problem}; check the indentation and quoting there") from exc
    except YAMLError as exc:
        raise ConfigError(f"{path}: malformed YAML: {exc}") from exc


def _refuse_anchors(path: Path, text: str) -> None:
    """Fail at the first YAML anchor (&) or alias (*), before anything is built from it.

    Aliases of lists of aliases grow exponentially when read out (a "billion laughs"
    file reaches gigabytes from a few lines), and voices.yaml has no need of them:
    `defaults:` is where shared settings go. The walk over parser events takes time and
    memory in proportion to the file, whatever its aliases would expand to.
    """
    stack: list[list[Any]] = []  # per open mapping or list: [is_mapping, key or index, next node is a key]
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, CollectionEndEvent):
            stack.pop()
            _node_done(stack)
        elif isinstance(event, NodeEvent):
            where = _node_arrives(stack, event)
            if isinstance(event, AliasEvent) or event.anchor:
                fix = "write the names out" if ".aliases" in where else "write the values out in full"
                raise ConfigError(clean_line(
                    f"{path}:{event.start_mark.line + 1}: {where}: YAML anchors and aliases (& and *) "
                    f"are not allowed in voices.yaml; {fix}"))
            if isinstance(event, CollectionStartEvent):
                stack.append([True, "", True] if isinstance(event, MappingStartEvent) else [False, -1, False])
            else:
                _node_done(stack)


def _node_arrives(stack: list[list[Any]], event: Any) -> str:
    """Note a new node in the innermost open collection; its dotted path (a key's path ends in the key)."""
    if stack:
        top = stack[-1]
        if not top[0]:
            top[1] += 1
        elif top[2]:
            top[1] = str(event.value) if isinstance(event, ScalarEvent) else "?"
    where = "".join(f".{label}" if is_mapping else f"[{label}]" for is_mapping, label, _ in stack)
    return where.lstrip(".") or "top level"


def _node_done(stack: list[list[Any]]) -> None:
    """A key or value is complete: in a mapping, a key is followed by its value and a value by the next key."""
    if stack and stack[-1][0]:
        stack[-1][2] = not stack[-1][2]


def line_of(node: Any, key: str | int | None) -> int | None:
    """The 1-based line of *key* in the mapping or list *node* (of *node* itself without a key), if known."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        return (lc.key(key)[0] if isinstance(node, CommentedMap) and key is not None
                else lc.item(key)[0] if isinstance(node, CommentedSeq) and key is not None
                else lc.line) + 1
    except (KeyError, IndexError, TypeError):
        return lc.line + 1
