"""Speaker-attribution benchmark on the Project Dialogism Novel Corpus (internal evaluation only).

For each novel it writes a voices.yaml whose `characters` are the novel's characters
(aliases and gender), loads it with the library's own loader, reads the text with
`read_manuscript` and analyses it with `analyse_book`: the path `fullcast script` takes.
Each gold quote is scored by the speaker of the dialogue segments covering most of its
characters (characters covered by anything else vote for that kind). It also checks that
every word of each novel lands in exactly one segment.

Usage:
  python benchmarks/attribution.py --data ../shared/bench/pdnc [--folds 7] [--novels Emma,Persuasion] [--errors 20]

With `--folds K` every novel is also scored by a model trained without its fold (K folds of whole
novels): the cross-validated figure, the one to report. The in-sample column is the shipped
model, trained on every novel; the gap between the two is how much the model has fitted the bench.
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
from dataclasses import dataclass
from pathlib import Path

from fullcast.manuscript import read_manuscript
from fullcast.model import Book, Script, SegmentKind
from fullcast.script import analyse_book
from fullcast.script.attribution.decide import Decider
from fullcast.settings import Config, load_config

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


def read_novel(folder: Path, *, cast: bool = True) -> tuple[Config, Book]:
    """A bench novel's settings and text as `fullcast script` reads them: its characters cast, or (*cast* False,
    the cold start) no characters at all."""
    with tempfile.TemporaryDirectory() as tmp:
        voices = Path(tmp) / "voices.yaml"
        if cast:
            write_voices(folder / "characters.json", voices)
        else:
            voices.write_text(json.dumps({"credits": {"opening": False, "closing": False}}), encoding="utf-8")
        config = load_config(voices)
    return config, read_manuscript(folder / "text.txt", config.book.title, config.content_warning.text)


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


@dataclass
class Scored:
    """One novel's result."""

    right: Counter[str]
    """Correct quotes per type."""
    total: Counter[str]
    """Quotes per type."""
    words: int
    seconds: float
    """Analysis time (process time: one core's work)."""
    intact: bool
    """Every word of the novel in exactly one segment."""
    confidence: list[tuple[float, bool]]
    """(confidence, right) of every gold quote whose first character lies in a dialogue segment."""


def score_novel(folder: Path, errors: int, decider: Decider | None = None) -> Scored:
    """Score one novel with *decider* (the shipped model when None)."""
    config, book = read_novel(folder)
    began = time.process_time()
    script = analyse_book(book, config, decider=decider)
    seconds = time.process_time() - began
    text = book.chapters[0].text
    starts, spans = coverage(script)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    shown = 0
    located = [s for s in script.segments if s.start is not None]
    segment_starts = [s.start for s in located]
    confidence: list[tuple[float, bool]] = []
    for line in (folder / "quotes.jsonl").read_text(encoding="utf-8").splitlines():
        quote = json.loads(line)
        kind = quote["quote_type"] if quote["quote_type"] in TYPES else "Unknown"
        guess = predict(starts, spans, quote["spans"])
        total[kind] += 1
        segment = located[max(0, bisect.bisect_right(segment_starts, quote["spans"][0][0]) - 1)]
        rule = segment.rule
        RULES[rule.split(":")[0]][1] += 1
        if segment.kind is SegmentKind.DIALOGUE and segment.confidence is not None:
            confidence.append((segment.confidence, guess == quote["speaker"]))
        if guess == quote["speaker"]:
            right[kind] += 1
            RULES[rule.split(":")[0]][0] += 1
        elif shown < errors:
            shown += 1
            print(f"  {folder.name} {quote['id']} {kind}: gold {quote['speaker']!r} got {guess!r} [{rule}] "
                  f"{quote['text'][:60]!r}", file=sys.stderr)
    return Scored(right, total, len(text.split()), seconds, words_intact(script, text), confidence)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the pdnc folder")
    parser.add_argument("--novel", action="append", help="only these novels (folder names)")
    parser.add_argument("--novels", help="only these novels, comma-separated folder names (quick iteration)")
    parser.add_argument("--folds", type=int, default=0,
                        help="also cross-validate: train without one fold of novels, score that fold (needs .[train])")
    parser.add_argument("--rules", action="store_true", help="also print accuracy per deciding rule")
    parser.add_argument("--errors", type=int, default=0, help="show this many wrong quotes per novel on stderr")
    args = parser.parse_args()
    folders = sorted(p for p in args.data.iterdir() if (p / "quotes.jsonl").exists())
    wanted = (args.novel or []) + (args.novels.split(",") if args.novels else [])
    if wanted:
        folders = [p for p in folders if p.name in wanted]
    shipped = {folder.name: score_novel(folder, args.errors) for folder in folders}
    held = cross_validate(folders, args.folds, args.errors) if args.folds else {}
    print_table(folders, shipped, held)
    scored = list((held or shipped).values())
    words = sum(s.words for s in shipped.values())
    seconds = sum(s.seconds for s in shipped.values())
    print(f"\na 120,000-word novel at this speed: {120_000 * seconds / words:.2f} s of one core (target: under 3 s)")
    print_calibration([c for s in scored for c in s.confidence], "cross-validated" if held else "in-sample")
    if args.rules:
        for rule, (good, n) in sorted(RULES.items(), key=lambda r: -r[1][1]):
            print(f"  {rule:40} {good:6d}/{n:<6d} {100 * good / n:5.1f}%")
    return 0


def cross_validate(folders: list[Path], k: int, errors: int) -> dict[str, Scored]:
    """Each novel scored by a model trained on the other folds only (fold i: every k-th novel from the i-th)."""
    from learning import fit, novel_rows  # LightGBM and scikit-learn: the `train` extra

    from fullcast.script.attribution.decide import ModelDecider
    from fullcast.script.attribution.trees import model_from_data

    rows = {folder.name: novel_rows(folder) for folder in folders}
    held: dict[str, Scored] = {}
    for i in range(k):
        fold = folders[i::k]
        model = model_from_data(fit([rows[f.name] for f in folders if f not in fold]), f"fold {i + 1}")
        for folder in fold:
            held[folder.name] = score_novel(folder, errors, ModelDecider(model, explain=False))
        print(f"fold {i + 1}/{k}: {', '.join(f.name for f in fold)}", file=sys.stderr, flush=True)
    return held


def print_table(folders: list[Path], shipped: dict[str, Scored], held: dict[str, Scored]) -> None:
    """Per novel and overall: accuracy per type, cross-validated when *held* has it, beside the in-sample figure."""
    label = "cross-validated (held-out novels)" if held else "in-sample (the shipped model)"
    print(f"accuracy: {label}")
    print(f"| {'novel':28} | {'Explicit':>8} | {'Anaphoric':>9} | {'Implicit':>8} | {'overall':>7} | in-sample "
          "| words intact |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 11}|{'-' * 10}|{'-' * 9}|-----------|--------------|")
    totals = [Counter(), Counter(), Counter(), Counter()]
    for folder in folders:
        ours, fitted = (held or shipped)[folder.name], shipped[folder.name]
        for counter, part in zip(totals, (ours.right, ours.total, fitted.right, fitted.total)):
            counter.update(part)
        in_sample = percent(fitted.right, fitted.total, tuple(fitted.total), 9)
        print(table_row(folder.name, ours.right, ours.total, in_sample, f"{'yes' if ours.intact else 'NO':12}"))
    print(table_row("ALL", totals[0], totals[1], percent(totals[2], totals[3], tuple(totals[3]), 9), " " * 12))
    print(f"\ncorrect: {sum(totals[0].values())}/{sum(totals[1].values())}")


def print_calibration(seen: list[tuple[float, bool]], label: str) -> None:
    """The calibration table, its expected error, the sure lines, and where the errors sit."""
    if not seen:
        return
    print(f"\ncalibration ({label}, {len(seen)} quotes in dialogue segments)")
    print("| confidence | quotes | right | mean confidence |")
    print("|------------|-------:|------:|----------------:|")
    ece = 0.0
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        inside = [(c, r) for c, r in seen if lo <= c < hi or (b == 9 and c == 1.0)]
        if inside:
            accuracy = sum(r for _, r in inside) / len(inside)
            mean = sum(c for c, _ in inside) / len(inside)
            ece += len(inside) / len(seen) * abs(accuracy - mean)
            print(f"| {lo:.1f}-{hi:.1f}    | {len(inside):6d} | {100 * accuracy:4.1f}% | {mean:15.3f} |")
    sure = [r for c, r in seen if c >= 0.9]
    wrong = sum(not r for _, r in seen)
    doubtful = sorted(seen, key=lambda x: x[0])[:round(0.15 * len(seen))]
    print(f"expected calibration error: {ece:.3f} (target <= 0.05)")
    print(f"confidence >= 0.9: {100 * sum(sure) / max(1, len(sure)):.1f}% right (target >= 97%), "
          f"{100 * len(sure) / len(seen):.1f}% of lines (target >= 60%)")
    print(f"errors in the least-confident 15% of lines: {100 * sum(not r for _, r in doubtful) / max(1, wrong):.1f}% "
          f"(target >= 50%)")


def percent(right: Counter[str], total: Counter[str], kinds: tuple[str, ...], width: int) -> str:
    """The share of *kinds* right, as a table cell *width* wide ("-" when there are none)."""
    t = sum(total[k] for k in kinds)
    return f"{100 * sum(right[k] for k in kinds) / t:{width - 1}.1f}%" if t else " " * (width - 1) + "-"


def table_row(name: str, right: Counter[str], total: Counter[str], *cells: str) -> str:
    """A markdown row: the name, the accuracy per type and overall, then *cells*."""
    return (f"| {name:28} | {percent(right, total, ('Explicit',), 8)} | {percent(right, total, ('Anaphoric',), 9)} | "
            f"{percent(right, total, ('Implicit',), 8)} | {percent(right, total, tuple(total), 7)} | "
            + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
