"""Speaker-attribution benchmark on the Project Dialogism Novel Corpus (internal evaluation only).

For each novel it writes a voices.yaml whose `characters` are the novel's characters
(aliases and gender), loads it with the library's own loader, reads the text with
`read_manuscript` and analyses it with `analyse_book`: the path `fullcast script` takes.
Each gold quote is scored by the speaker of the dialogue segments covering most of its
characters (characters covered by anything else vote for that kind). It also checks that
every word of each novel lands in exactly one segment.

Usage:
  python benchmarks/attribution.py --data ../shared/bench/pdnc [--novel Emma | --novels Emma,Persuasion] [--errors 20]
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from fullcast.manuscript import read_manuscript
from fullcast.model import Script, SegmentKind
from fullcast.script import analyse_book
from fullcast.settings import load_config

GENDERS = {"F": "female", "M": "male"}
TYPES = ("Explicit", "Anaphoric", "Implicit")
WORD = re.compile(r"[^\W_]+")
RULES: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
"""Rule family (the part of a segment's rule before ':') -> [right, total] over the quotes it decided."""


def write_voices(characters_json: Path, dest: Path) -> Path:
    """A voices.yaml (JSON is valid YAML) casting the novel's characters with aliases and gender."""
    characters = json.loads(characters_json.read_text(encoding="utf-8"))
    data = {"characters": {name: {"aliases": [a for a in entry.get("aliases", []) if a != name],
                                  "gender": GENDERS.get(entry.get("gender"), "unknown")}
                           for name, entry in characters.items()},
            "credits": {"opening": False, "closing": False}}
    dest.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return dest


def coverage(script: Script) -> tuple[list[int], list[tuple[int, int, str, str]]]:
    """Spoken segments of the (single-file) book as sorted (start, end, kind, speaker) intervals."""
    spans = sorted((s.start, s.end, s.kind.value, s.speaker) for s in script.segments
                   if s.start is not None and s.kind is not SegmentKind.WARNING and s.kind is not SegmentKind.HEADING)
    return [s[0] for s in spans], spans


def predict(starts: list[int], spans: list[tuple[int, int, str, str]], gold: list[list[int]]) -> str:
    """The label covering most characters of the gold spans: a dialogue speaker, or another kind."""
    votes: Counter[str] = Counter()
    for lo, hi in gold:
        covered = 0
        i = max(0, bisect.bisect_right(starts, lo) - 1)
        while i < len(spans) and spans[i][0] < hi:
            s, e, kind, speaker = spans[i]
            overlap = min(e, hi) - max(s, lo)
            if overlap > 0:
                votes[speaker if kind == "dialogue" else f"<{kind}>"] += overlap
                covered += overlap
            i += 1
        votes["<uncovered>"] += max(0, hi - lo - covered)
    return votes.most_common(1)[0][0] if votes else "<none>"


def words_intact(script: Script, text: str) -> bool:
    """Every word of the story in exactly one segment: the segments' words equal the story's, in order."""
    book = script.book
    story = []
    for chapter in book.chapters:
        if chapter.heading:
            story += WORD.findall(text[chapter.heading[0]:chapter.heading[1]])
        for p in chapter.paragraphs:
            story += WORD.findall(chapter.paragraph_text(p))
    spoken = [w for s in script.segments if s.start is not None and s.kind is not SegmentKind.WARNING
              for w in WORD.findall(s.text)]
    return story == spoken


def score_novel(folder: Path, errors: int) -> tuple[Counter[str], Counter[str], int, float, bool]:
    """Correct/total counts per quote type for one novel, its word count, analysis seconds, words intact."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(write_voices(folder / "characters.json", Path(tmp) / "voices.yaml"))
    book = read_manuscript(folder / "text.txt", config.book.title, config.content_warning.text)
    began = time.perf_counter()
    script = analyse_book(book, config)
    seconds = time.perf_counter() - began
    text = book.chapters[0].text
    starts, spans = coverage(script)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    shown = 0
    segment_starts = [s.start for s in script.segments if s.start is not None]
    segment_rules = [s.rule for s in script.segments if s.start is not None]
    for line in (folder / "quotes.jsonl").read_text(encoding="utf-8").splitlines():
        quote = json.loads(line)
        kind = quote["quote_type"] if quote["quote_type"] in TYPES else "Unknown"
        guess = predict(starts, spans, quote["spans"])
        total[kind] += 1
        rule = segment_rules[max(0, bisect.bisect_right(segment_starts, quote["spans"][0][0]) - 1)]
        RULES[rule.split(":")[0]][1] += 1
        if guess == quote["speaker"]:
            right[kind] += 1
            RULES[rule.split(":")[0]][0] += 1
        elif shown < errors:
            shown += 1
            print(f"  {folder.name} {quote['id']} {kind}: gold {quote['speaker']!r} got {guess!r} [{rule}] "
                  f"{quote['text'][:60]!r}", file=sys.stderr)
    return right, total, len(text.split()), seconds, words_intact(script, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the pdnc folder")
    parser.add_argument("--novel", action="append", help="only these novels (folder names)")
    parser.add_argument("--novels", help="only these novels, comma-separated folder names (quick iteration)")
    parser.add_argument("--rules", action="store_true", help="also print accuracy per deciding rule")
    parser.add_argument("--errors", type=int, default=0, help="show this many wrong quotes per novel on stderr")
    args = parser.parse_args()
    folders = sorted(p for p in args.data.iterdir() if (p / "quotes.jsonl").exists())
    wanted = (args.novel or []) + (args.novels.split(",") if args.novels else [])
    if wanted:
        folders = [p for p in folders if p.name in wanted]
    all_right: Counter[str] = Counter()
    all_total: Counter[str] = Counter()
    words = seconds = 0.0
    print(f"| {'novel':28} | {'Explicit':>8} | {'Anaphoric':>9} | {'Implicit':>8} | {'overall':>7} | words/s | words intact |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 11}|{'-' * 10}|{'-' * 9}|---------|--------------|")
    for folder in folders:
        right, total, n_words, secs, intact = score_novel(folder, args.errors)
        all_right.update(right)
        all_total.update(total)
        words += n_words
        seconds += secs
        print(_row(folder.name, right, total, f"{n_words / secs:7.0f}", "yes" if intact else "NO"))
    print(_row("ALL", all_right, all_total, f"{words / seconds:7.0f}", ""))
    print(f"\ncorrect: {sum(all_right.values())}/{sum(all_total.values())}")
    print(f"a 120,000-word novel at this speed: {120_000 * seconds / words:.2f} s (target: under 3 s on one core)")
    if args.rules:
        for rule, (good, n) in sorted(RULES.items(), key=lambda r: -r[1][1]):
            print(f"  {rule:40} {good:6d}/{n:<6d} {100 * good / n:5.1f}%")
    return 0


def _row(name: str, right: Counter[str], total: Counter[str], speed: str, intact: str) -> str:
    def pct(kinds: tuple[str, ...], width: int) -> str:
        t = sum(total[k] for k in kinds)
        return f"{100 * sum(right[k] for k in kinds) / t:{width - 1}.1f}%" if t else " " * (width - 1) + "-"
    overall = tuple(total)
    return (f"| {name:28} | {pct(('Explicit',), 8)} | {pct(('Anaphoric',), 9)} | {pct(('Implicit',), 8)} | "
            f"{pct(overall, 7)} | {speed} | {intact:12} |")


if __name__ == "__main__":
    sys.exit(main())
