"""Cold-start benchmark on the Project Dialogism Novel Corpus (internal evaluation only).

Each novel is analysed with an EMPTY cast (a voices.yaml with only `credits`), so every speaker
is a name the library discovered in the text. Each discovered speaker is then mapped to a bench
character (`map_speaker`): equal to the main name or an alias ignoring case and titles, else its
surname or first name when that word belongs to one character only. Unmapped names count wrong.
Gold quotes are scored as in benchmarks/attribution.py (`coverage`, `predict`).

The novels fall into 3 folds by their place in alphabetical order (index % 3). Anything chosen by
looking at results must be chosen on two folds and reported on the third: `--folds 0,1` gives the
development set, `--folds 2` the held-out one; the fold rows at the end show all three.

Usage:
  python benchmarks/coldstart.py --data ../shared/bench/pdnc [--novels A,B] [--folds 0,1] [--names] [--errors 20]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from attribution import TYPES, coverage, predict, read_novel, table_row  # noqa: E402

from fullcast.model import NARRATOR  # noqa: E402
from fullcast.script import analyse_book  # noqa: E402
from fullcast.script.attribution.decide import Decider  # noqa: E402

TITLES = frozenset("mr mrs miss ms mx dr doctor sir lady lord madam madame mme mlle mademoiselle monsieur m "
                   "master mistress colonel col captain capt major general professor prof aunt uncle father "
                   "mother sister brother count countess baron baroness duke duchess prince princess "
                   "inspector sergeant lieutenant judge reverend rev the my dear dearest old young little".split())
"""Words ignored when comparing a discovered name with a bench name (titles, articles, endearments)."""
FOLDS = 3


def key(name: str) -> str:
    """Case, periods and apostrophes ignored: "Mr. Darcy" -> "mr darcy"."""
    return " ".join(re.sub(r"[.’']", " ", name).casefold().split())


def untitled(name: str) -> str:
    """The key without titles: "Mrs. Bennet" -> "bennet"."""
    return " ".join(w for w in key(name).split() if w not in TITLES)


class Mapper:
    """Maps discovered speaker names to the characters of one novel (characters.json)."""

    def __init__(self, characters: dict[str, dict]) -> None:
        self.exact: dict[str, set[str]] = {}
        self.bare: dict[str, set[str]] = {}
        self.words: dict[str, set[str]] = {}
        for name, entry in characters.items():
            for alias in {name, *entry.get("aliases", [])}:
                self.exact.setdefault(key(alias), set()).add(name)
                self.bare.setdefault(untitled(alias), set()).add(name)
                for word in untitled(alias).split():
                    self.words.setdefault(word, set()).add(name)

    def __call__(self, found: str) -> str | None:
        """The bench character *found* names, or None when it names none or several."""
        for table, probe in ((self.exact, key(found)), (self.bare, untitled(found))):
            owners = table.get(probe, set())
            if len(owners) == 1:
                return next(iter(owners))
            if owners:
                return None  # "Miss Bennet" equal to two people's alias: ambiguous
        words = untitled(found).split()
        for word in dict.fromkeys((words[-1], words[0]) if words else ()):
            owners = self.words.get(word, set())
            if len(owners) == 1:
                return next(iter(owners))
        return None


def score_novel(folder: Path, errors: int, names: bool, decider: Decider | None = None
                ) -> tuple[Counter[str], Counter[str]]:
    """Correct/total counts per quote type for one novel analysed with an empty cast (and *decider*'s model)."""
    config, book = read_novel(folder, cast=False)
    script = analyse_book(book, config, decider=decider)
    mapper = Mapper(json.loads((folder / "characters.json").read_text(encoding="utf-8")))
    starts, spans = coverage(script)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    shown = 0
    for line in (folder / "quotes.jsonl").read_text(encoding="utf-8").splitlines():
        quote = json.loads(line)
        kind = quote["quote_type"] if quote["quote_type"] in TYPES else "Unknown"
        guess = predict(starts, spans, quote["spans"])
        lines[guess] += 1
        total[kind] += 1
        mapped = None if guess.startswith("<") or guess == NARRATOR else mapper(guess)
        if mapped == quote["speaker"]:
            right[kind] += 1
        elif shown < errors:
            shown += 1
            print(f"  {folder.name} {quote['id']} {kind}: gold {quote['speaker']!r} got {guess!r} -> {mapped!r} "
                  f"{quote['text'][:50]!r}", file=sys.stderr)
    if names:
        people = [s for s in script.speakers if s.name != NARRATOR]
        print(f"  {folder.name}: {len(people)} speakers; " + ", ".join(
            f"{s.name}={mapper(s.name) or '?'}({lines[s.name]})" for s in people), file=sys.stderr)
    return right, total


def held_out_models(novels: list[Path], k: int, wanted: set[str]) -> dict[str, Decider]:
    """For each wanted novel, the speaker model trained (with the true casts) on the folds without it."""
    from learning import fit, novel_rows  # LightGBM and scikit-learn: the `train` extra

    from fullcast.script.attribution.decide import ModelDecider
    from fullcast.script.attribution.trees import model_from_data

    rows = {folder.name: novel_rows(folder) for folder in novels}
    deciders: dict[str, Decider] = {}
    for i in range(k):
        fold = [f.name for f in novels[i::k]]
        if wanted & set(fold):
            model = model_from_data(fit([rows[n] for n in rows if n not in fold]), f"fold {i + 1}")
            deciders.update({name: ModelDecider(model, explain=False) for name in fold})
    return deciders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the pdnc folder")
    parser.add_argument("--novels", help="only these novels, comma-separated folder names")
    parser.add_argument("--folds", help=f"only the novels of these folds (0..{FOLDS - 1}, comma-separated)")
    parser.add_argument("--model-folds", type=int, default=0,
                        help="score each novel with a speaker model trained without it: the folds of "
                             "`attribution.py --folds K` (needs .[train]); else the shipped model, trained on all")
    parser.add_argument("--names", action="store_true", help="list each novel's discovered speakers on stderr")
    parser.add_argument("--errors", type=int, default=0, help="show this many wrong quotes per novel on stderr")
    args = parser.parse_args()
    folders = sorted(p for p in args.data.iterdir() if (p / "quotes.jsonl").exists())
    fold_of = {p.name: i % FOLDS for i, p in enumerate(folders)}
    if args.novels:
        folders = [p for p in folders if p.name in args.novels.split(",")]
    if args.folds:
        folders = [p for p in folders if str(fold_of[p.name]) in args.folds.split(",")]
    per_fold = {f: (Counter(), Counter()) for f in range(FOLDS)}
    all_right: Counter[str] = Counter()
    all_total: Counter[str] = Counter()
    print(f"| {'novel':28} | {'Explicit':>8} | {'Anaphoric':>9} | {'Implicit':>8} | {'overall':>7} | fold    | "
          f"             |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 11}|{'-' * 10}|{'-' * 9}|---------|--------------|")
    deciders = held_out_models(sorted(p for p in args.data.iterdir() if (p / "quotes.jsonl").exists()),
                               args.model_folds, {p.name for p in folders}) if args.model_folds else {}
    for folder in folders:
        right, total = score_novel(folder, args.errors, args.names, deciders.get(folder.name))
        all_right.update(right)
        all_total.update(total)
        per_fold[fold_of[folder.name]][0].update(right)
        per_fold[fold_of[folder.name]][1].update(total)
        print(table_row(folder.name, right, total, f"{fold_of[folder.name]:7d}", " " * 12))
    print(table_row("ALL", all_right, all_total, " " * 7, " " * 12))
    for f, (right, total) in per_fold.items():
        if total:
            print(table_row(f"fold {f}", right, total, f"{f:7d}", " " * 12))
    print(f"\ncorrect: {sum(all_right.values())}/{sum(all_total.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
