"""Conventions-of-the-text benchmark: the original pieces of tests/corpus, one per convention.

Each piece folder holds its manuscript (a `.md` or `.txt` file, or a `text/` folder), its
voices.yaml and `script.gold`: one line per segment, `kind | speaker | text`, with a fourth
field `scare` on a quoted title, name, sound or scare quote. A Markdown piece is also
converted to EPUB, DOCX and AO3-style HTML (tests/fixtures/manuscripts/books.py) and scored
in each format. The script's spoken text is aligned with the gold's letter by letter (letters
and digits, case folded), so segments cut differently still score by what each letter was
read as. It reports:
- kind and speaker accuracy per piece: gold segments mostly read as their kind / by their speaker;
- monologue recall (gold monologue read as monologue) and precision (script monologue the gold
  calls monologue);
- scare quotes voiced: gold `scare` segments read as dialogue (count and share);
- headings right: script headings equal to the gold's, over the larger of the two counts;
- apostrophes kept: words the gold writes with an apostrophe that the script writes the same.
Targets: monologue P and R >= 95%, scare quotes voiced <= 5%, headings 100%.

Usage:
  python benchmarks/script.py [--corpus tests/corpus] [--formats md,txt,epub,docx,html]
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from fullcast.manuscript import read_manuscript
from fullcast.model import Script, SegmentKind
from fullcast.script import analyse_book
from fullcast.settings import load_config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from fixtures.manuscripts.books import read_markdown, to_ao3, to_docx, to_epub  # noqa: E402

FORMATS = ("md", "txt", "epub", "docx", "html")
CONVERT = {"epub": to_epub, "docx": to_docx, "html": to_ao3}
TARGETS = {"monologue recall": 0.95, "monologue precision": 0.95, "scare quotes voiced": 0.05, "headings": 1.0}


@dataclass(frozen=True)
class Gold:
    """One gold segment."""

    kind: str
    """heading, narration, dialogue or monologue."""
    speaker: str
    """Cast name, or `narrator`."""
    text: str
    """Its words."""
    scare: bool
    """A quoted title, name, sound or scare quote: the narrator's, never voiced."""


@dataclass
class Tally:
    """Counts over the pieces scored so far."""

    rows: list[tuple[str, str, int, float, float]] = field(default_factory=list)
    """(piece, format, gold segments, kind accuracy, speaker accuracy) per piece and format."""
    counts: Counter[str] = field(default_factory=Counter)
    """Monologue, scare-quote, heading and apostrophe counts."""
    errors: list[str] = field(default_factory=list)
    """Each gold segment read wrong and each false monologue, prefixed with its piece and format."""

    def share(self, part: str, whole: str) -> float:
        """counts[part] / counts[whole], 1.0 (or 0.0 for shares of failures) when there is nothing to count."""
        if not self.counts[whole]:
            return 0.0 if part == "scare voiced" else 1.0
        return self.counts[part] / self.counts[whole]

    def figures(self) -> dict[str, float]:
        """The figures the targets are set on."""
        return {"monologue recall": self.share("monologue found", "monologue gold"),
                "monologue precision": self.share("monologue right", "monologue said"),
                "scare quotes voiced": self.share("scare voiced", "scare gold"),
                "headings": self.share("headings right", "headings"),
                "apostrophes kept": self.share("apostrophes kept", "apostrophes")}


def read_gold(path: Path) -> list[Gold]:
    """The gold segments of a piece: `kind | speaker | text [| scare]` lines, `#` lines are comments."""
    gold = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            fields = [f.strip() for f in line.split(" | ")]
            gold.append(Gold(fields[0], fields[1], fields[2], fields[3:] == ["scare"]))
    return gold


def manuscripts(piece: Path, formats: tuple[str, ...], tmp: Path) -> list[tuple[str, Path]]:
    """The piece's manuscript in every wanted format it comes in: its own file, and conversions of Markdown."""
    if (piece / "text").is_dir():
        own = [("txt", piece / "text")]
    else:
        own = [(f.suffix[1:], f) for f in sorted(piece.iterdir()) if f.suffix in (".md", ".txt")]
    found = [(fmt, path) for fmt, path in own if fmt in formats]
    if any(fmt == "md" for fmt, _ in own):
        story = read_markdown(piece)
        for fmt, convert in CONVERT.items():
            if fmt in formats:
                found.append((fmt, convert(story, tmp / f"{piece.name}.{fmt}")))
    return found


def _letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text.casefold())


def _labels(items: list[tuple[str, str, str]]) -> tuple[str, list[int]]:
    """The letters of every (kind, speaker, text) item, and for each letter the index of its item."""
    letters, owner = [], []
    for i, (_, _, text) in enumerate(items):
        chunk = _letters(text)
        letters.append(chunk)
        owner += [i] * len(chunk)
    return "".join(letters), owner


def score(script: Script, gold: list[Gold], tally: Tally) -> tuple[float, float]:
    """Add one script's counts to *tally*; its kind and speaker accuracy against *gold*."""
    said = [(s.kind.value, s.speaker, s.text) for s in script.segments if s.kind is not SegmentKind.WARNING
            and s.rule not in ("opening credits", "closing credits")]
    g_letters, g_owner = _labels([(g.kind, g.speaker, g.text) for g in gold])
    s_letters, s_owner = _labels(said)
    to_said: dict[int, int] = {}
    for a, b, n in difflib.SequenceMatcher(None, g_letters, s_letters, autojunk=False).get_matching_blocks():
        to_said.update((a + k, b + k) for k in range(n))
    votes: list[Counter[tuple[str, str]]] = [Counter() for _ in gold]
    back: list[Counter[str]] = [Counter() for _ in said]
    for i, owner in enumerate(g_owner):
        j = to_said.get(i)
        label = said[s_owner[j]][:2] if j is not None else ("missing", "")
        votes[owner][label] += 1
        if j is not None:
            back[s_owner[j]][gold[owner].kind] += 1
    kinds = speakers = 0
    for g, vote in zip(gold, votes):
        kind = Counter({k: n for (k, _), n in vote.items()}).most_common(1)[0][0] if vote else "missing"
        speaker = Counter({s: n for (_, s), n in vote.items()}).most_common(1)[0][0] if vote else ""
        kinds += kind == g.kind
        speakers += speaker == g.speaker
        if (kind, speaker) != (g.kind, g.speaker):
            tally.errors.append(f"{g.kind} {g.speaker!r} read as {kind} {speaker!r}: {g.text[:70]}")
        tally.counts["monologue gold"] += g.kind == "monologue"
        tally.counts["monologue found"] += g.kind == "monologue" and kind == "monologue"
        tally.counts["scare gold"] += g.scare
        tally.counts["scare voiced"] += g.scare and kind == "dialogue"
    for (kind, _, text), vote in zip(said, back):
        if kind == "monologue":
            right = bool(vote) and vote.most_common(1)[0][0] == "monologue"
            tally.counts["monologue said"] += 1
            tally.counts["monologue right"] += right
            if not right:
                tally.errors.append(f"monologue where the gold has {vote.most_common(1)[0][0] if vote else 'nothing'}"
                                    f": {text[:70]}")
    _headings(said, gold, tally)
    _apostrophes(said, gold, tally)
    return kinds / len(gold), speakers / len(gold)


def _headings(said: list[tuple[str, str, str]], gold: list[Gold], tally: Tally) -> None:
    wanted = [" ".join(g.text.split()) for g in gold if g.kind == "heading"]
    got = [" ".join(text.split()) for kind, _, text in said if kind == "heading"]
    tally.counts["headings"] += max(len(wanted), len(got))
    tally.counts["headings right"] += sum((Counter(wanted) & Counter(got)).values())


def _apostrophes(said: list[tuple[str, str, str]], gold: list[Gold], tally: Tally) -> None:
    spoken = " ".join(text for _, _, text in said)
    for g in gold:
        for word in re.findall(r"[\w.]*[’'][\w]*", g.text):
            tally.counts["apostrophes"] += 1
            tally.counts["apostrophes kept"] += word in spoken


def run(corpus: Path, formats: tuple[str, ...] = FORMATS) -> Tally:
    """Score every piece of *corpus* in every wanted format."""
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        for piece in sorted(p for p in corpus.iterdir() if (p / "script.gold").is_file()):
            gold = read_gold(piece / "script.gold")
            config = load_config(piece / "voices.yaml")
            for fmt, path in manuscripts(piece, formats, Path(tmp)):
                book = read_manuscript(path, config.book.title, config.content_warning.text,
                                       read_front_matter=config.book.read_front_matter)
                before = len(tally.errors)
                kind, speaker = score(analyse_book(book, config), gold, tally)
                tally.errors[before:] = [f"{piece.name} {fmt}: {e}" for e in tally.errors[before:]]
                tally.rows.append((piece.name, fmt, len(gold), kind, speaker))
    return tally


def report(tally: Tally) -> str:
    """The per-piece table and the figures with their targets, as Markdown."""
    lines = ["| piece | format | segments | kind | speaker |", "|---|---|---:|---:|---:|"]
    lines += [f"| {piece} | {fmt} | {n} | {kind:.1%} | {speaker:.1%} |" for piece, fmt, n, kind, speaker in tally.rows]
    c, figures = tally.counts, tally.figures()
    lines += ["", "| measure | value | target |", "|---|---:|---:|",
              f"| monologue recall | {figures['monologue recall']:.1%} ({c['monologue found']}/{c['monologue gold']}) "
              "| >= 95% |",
              f"| monologue precision | {figures['monologue precision']:.1%} ({c['monologue right']}/"
              f"{c['monologue said']}) | >= 95% |",
              f"| scare quotes voiced | {figures['scare quotes voiced']:.1%} ({c['scare voiced']}/{c['scare gold']}) "
              "| <= 5% |",
              f"| headings right | {figures['headings']:.1%} ({c['headings right']}/{c['headings']}) | 100% |",
              f"| apostrophes kept | {figures['apostrophes kept']:.1%} ({c['apostrophes kept']}/{c['apostrophes']}) "
              "| |"]
    return "\n".join(lines)


def meets_targets(tally: Tally) -> list[str]:
    """The figures that miss their target, each as `name: value`; empty when all are met."""
    figures = tally.figures()
    missed = []
    for name, target in TARGETS.items():
        bad = figures[name] > target if name == "scare quotes voiced" else figures[name] < target
        if bad:
            missed.append(f"{name}: {figures[name]:.1%}")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--errors", action="store_true", help="list every segment read wrong")
    args = parser.parse_args()
    tally = run(args.corpus, tuple(args.formats.split(",")))
    print(report(tally))
    if args.errors:
        print("\n" + "\n".join(tally.errors))
    missed = meets_targets(tally)
    print("\ntargets met" if not missed else "\ntargets missed: " + "; ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
