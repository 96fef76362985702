"""`fullcast review`: walk the editor through the lines whose speaker is least certain.

Each item shows where the line is (chapter, and its line in `fullcast script`), the paragraph
before, the line itself, the paragraph after and the candidates with their probabilities.
The editor answers with one key and Enter:

- a number picks that candidate;
- `a` or Enter accepts the speaker shown, which pins it: a `lines:` entry with the same speaker,
  so the line counts as decided, is not asked again, and anchors the lines around it;
- `s` skips (nothing is written); `n` asks for a name, which may be new to the cast; `q` quits.

Every decision is written to voices.yaml at once, so Ctrl-C (exit 130) or an error loses none.
The queue is made once, at the start: a decision does not reorder the lines still to come.
Answers are read a line at a time from stdin, so a script (or a test) can type them.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import typer

from .. import editing
from ..errors import FullcastError
from ..model import NARRATOR
from .output import announce, json_line, say

CONTEXT_CHARS = 300
"""Longest paragraph shown before and after a line; a longer one is cut at a word, with `…`."""
KEYS = "a/Enter accept · s skip · n name · q quit"
"""The keys besides the candidates' numbers, as the prompt lists them."""

def review_lines(manuscript: Path, voices: Path | None, *, limit: int, listing: bool, jsonl: bool) -> None:
    """Run `fullcast review`: the queue, then the prompts (or with *listing* the queue alone, text or *jsonl*)."""
    try:
        queue = editing.review_queue(manuscript, voices, limit)
    except KeyboardInterrupt:
        say("\nInterrupted: nothing was saved", err=True)
        raise typer.Exit(130) from None
    announce(queue.briefing)
    if not queue.dialogue:
        say(f"{manuscript} has no dialogue to review")
        return
    if not queue.items:
        say(f"Nothing to review: every line of dialogue in {manuscript} is decided in {queue.target}")
        return
    if listing:
        for item in queue.items:
            if jsonl:
                typer.echo(json_line(dataclasses.asdict(item)))
            else:
                say(_listed(item), nl=False)
        return
    _walk(queue)


def _walk(queue: editing.ReviewQueue) -> None:
    """Ask about every item in turn, writing each decision at once; the count saved at the end."""
    saved, digest = 0, queue.digest
    try:
        for position, item in enumerate(queue.items, 1):
            say(_shown(item, position, len(queue.items)), nl=False)
            name = _decide(item)
            if name is None:
                break
            if name:
                written, digest = editing.record_decision(queue, item, name, digest)
                saved += 1
                say(f"  -> {written} (saved)")
    except KeyboardInterrupt:
        say(f"\nInterrupted: {_decisions(saved)} saved to {queue.target}", err=True)
        raise typer.Exit(130) from None
    except FullcastError:
        say(f"{_decisions(saved)} saved to {queue.target} before this", err=True)
        raise
    say(f"{_decisions(saved)} saved to {queue.target}")


def _decide(item: editing.ReviewItem) -> str | None:
    """The editor's answer for *item*: a speaker to write, "" to skip, None to stop."""
    count = len(item.candidates)
    while True:
        answer = _ask(f"[{f'1-{count}' if count > 1 else '1'}] pick · {KEYS}: ")
        answer = answer.lower() if answer is not None else None  # Caps Lock on is still a key
        if answer is None or answer == "q":
            return None
        if answer == "s":
            return ""
        if answer in ("", "a"):
            if item.speaker != NARRATOR:
                return item.speaker
            say("  the narrator's lines cannot be pinned in voices.yaml; kept as they are")
            return ""
        if answer.isdigit() and 1 <= int(answer) <= count:
            name = item.candidates[int(answer) - 1].name
        elif answer == "n":
            name = _ask("  Name: ") or ""
        else:
            say(f"  type {f'a number from 1 to {count}' if count > 1 else '1'}, or a, s, n or q")
            continue
        if name and name.casefold() != NARRATOR:
            return name
        say("  no change: the narrator cannot be given a line in voices.yaml; name a character" if name else
            "  no name given")


def _ask(prompt: str) -> str | None:
    """One answer typed at *prompt*, trimmed; None at the end of the input."""
    typer.echo(prompt, nl=False)
    answer = sys.stdin.readline()
    if not answer:
        typer.echo("")
        return None
    return answer.strip()


def _shown(item: editing.ReviewItem, position: int, count: int) -> str:
    """An item as the prompt shows it: position, paragraph before, the line, paragraph after, candidates."""
    out = [f"\n[{position}/{count}] chapter {item.chapter}, line {item.line} · confidence {item.confidence:.2f}\n"]
    if item.before:
        out.append(f"  before: {_cut(item.before)}\n")
    out.append(f"  > {item.speaker.upper()}: {item.text}\n")
    if item.after:
        out.append(f"  after:  {_cut(item.after)}\n")
    out += [f"  {n}. {c.name} {c.probability:.2f}\n" for n, c in enumerate(item.candidates, 1)]
    if item.shared:
        out.append(f"  note: the same words are in {item.shared} other paragraph{'s' if item.shared > 1 else ''} of "
                   f"chapter {item.chapter}; a decision fixes {'them' if item.shared > 1 else 'it'} too\n")
    return "".join(out)


def _listed(item: editing.ReviewItem) -> str:
    """An item as `--list` prints it: position and line, then the candidates and the `lines:` match."""
    candidates = ", ".join(f"{c.name} {c.probability:.2f}" for c in item.candidates)
    return (f"chapter {item.chapter} line {item.line} · confidence {item.confidence:.2f} · "
            f"{item.speaker.upper()}: {item.text}\n"
            f"    candidates: {candidates}\n"
            f"    match: {json.dumps(item.match, ensure_ascii=False)} (chapter {item.chapter})\n")


def _cut(text: str) -> str:
    """*text* at most CONTEXT_CHARS long, cut at a word."""
    if len(text) <= CONTEXT_CHARS:
        return text
    return text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " …"


def _decisions(count: int) -> str:
    return f"{count} decision{'' if count == 1 else 's'}"
