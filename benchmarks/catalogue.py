"""Catalogue benchmark: four books rendered three ways in one run, and what 500 books would take on N nodes.

  (1) `fullcast render` once per book, one after another (each a fresh process, one output folder);
  (2) `fullcast render-many` on the catalogue, with the local process pool;
  (3) `fullcast render-many --cluster local` (a local Ray), when Ray is installed.

Every way starts from an empty output folder (a cold cache). It prints each time and the ratios
(2)/(1) and (3)/(2). From the stage times of an in-process (2) it then projects a 500-book catalogue
of the same books on 1, 4, 16 and 64 nodes of this machine's size, and checks the model against (2).

Usage (the books are old-town plus the first chapter of three bench novels; nothing is copied into the repo):
  python benchmarks/catalogue.py --shared ../shared
  python benchmarks/catalogue.py --shared ../shared --chars 60000   # longer books: Ray's start-up amortised
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render import cast_from_characters

NOVELS = ("PrideAndPrejudice", "Emma", "NorthangerAbbey")
"""The bench novels whose first chapter joins old-town in the catalogue."""
FIRST_CHAPTER_CHARS = 15_000
"""How much of each novel is taken: about its first chapter, cut at a paragraph."""
BOOKS = 500
NODES = (1, 4, 16, 64)


def build_catalogue(shared: Path, root: Path, chars: int = FIRST_CHAPTER_CHARS) -> Path:
    """A folder of four book folders: old-town with its cast, and three novels' openings with theirs."""
    books = root / "catalogue"
    (books / "old-town").mkdir(parents=True)
    shutil.copy(shared / "manuscripts" / "old-town.txt", books / "old-town" / "old-town.txt")
    repo = Path(__file__).resolve().parents[1]
    shutil.copy(repo / "examples" / "old-town" / "voices.yaml", books / "old-town" / "voices.yaml")
    for novel in NOVELS:
        source = shared / "bench" / "pdnc" / novel
        text = source.joinpath("text.txt").read_text(encoding="utf-8")
        cut = text.rfind("\n\n", 0, chars)
        (books / novel).mkdir()
        (books / novel / "text.txt").write_text(f"Title: {novel}\n\n" + text[: cut if cut > 0 else None],
                                                encoding="utf-8")
        cast_from_characters(source / "characters.json", books / novel / "voices.yaml")
    return books


def timed(command: list[str]) -> float:
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return time.monotonic() - began


def one_after_another(books: Path, out: Path) -> float:
    fullcast = str(Path(sys.executable).with_name("fullcast"))
    return sum(timed([fullcast, "render", str(book), "--out", str(out)]) for book in sorted(books.iterdir()))


def render_many(books: Path, out: Path, *extra: str) -> float:
    fullcast = str(Path(sys.executable).with_name("fullcast"))
    return timed([fullcast, "render-many", str(books), "--out", str(out), *extra])


def stage_times(books: Path, out: Path) -> dict[str, float]:
    """(2) in this process, timing each stage from its progress reports: reading (the driver's analysis),
    synthesising and rendering (encoding and publishing)."""
    from fullcast import pipeline

    marks: dict[str, list[float]] = {}

    def progress(state) -> None:
        marks.setdefault(state.stage, [time.monotonic(), 0.0])[1] = time.monotonic()

    began = time.monotonic()
    result = pipeline.render_many(books, out, progress=progress)
    stages = {stage: end - start for stage, (start, end) in marks.items()}
    stages["total"] = time.monotonic() - began
    stages["segments"] = sum(b.result.synthesised for b in result.books if b.result)
    stages["chapters"] = sum(b.result.chapters for b in result.books if b.result)
    return stages


def project(stages: dict[str, float], books: int, cores: int) -> None:
    """A 500-book catalogue on N nodes: the driver's reading is serial; synthesis and encoding spread over
    every core of every node; one chapter's encoding is the tail no node count removes."""
    scale = BOOKS / books
    driver = stages.get("reading", 0.0) * scale
    work = (stages.get("synthesising", 0.0) + stages.get("rendering", 0.0)) * cores * scale
    tail = stages.get("rendering", 0.0) / max(1, stages["chapters"])
    print(f"\nprojected {BOOKS} books like these ({stages['segments'] * scale:,.0f} segments):")
    print("nodes   wall time   driver   synthesis+encoding")
    for nodes in NODES:
        spread = work / (nodes * cores)
        print(f"{nodes:5d}   {(driver + spread + tail) / 3600:7.2f} h   {driver / 3600:5.2f} h   {spread / 3600:7.2f} h")
    predicted = (driver + work / cores + tail) / scale
    print(f"model at 1 node for the {books} books: {predicted:.1f} s; measured {stages['total']:.1f} s")
    print("limits: the driver reads and casts every book alone (serial); each segment's cache entry crosses the "
          "network twice with an object-store cache; the last chapter's encoding is a tail")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--chars", type=int, default=FIRST_CHAPTER_CHARS,
                        help="how much of each novel to take (default: about its first chapter)")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="fullcast-catalogue-") as work:
        books = build_catalogue(args.shared, Path(work), args.chars)
        first = one_after_another(books, Path(work) / "one-by-one")
        second = render_many(books, Path(work) / "render-many")
        print(f"(1) render one after another: {first:7.1f} s")
        print(f"(2) render-many, local pool:  {second:7.1f} s   (2)/(1) = {second / first:.2f}  (target <= 0.90)")
        try:
            import ray  # noqa: F401

            third = render_many(books, Path(work) / "cluster", "--cluster", "local")
            print(f"(3) render-many on local Ray: {third:7.1f} s   (3)/(2) = {third / second:.2f}  (target <= 1.15)")
        except ImportError:
            print("(3) skipped: Ray is not installed (pip install -e '.[cluster]')")
        project(stage_times(books, Path(work) / "stages"), len(list(books.iterdir())), cores)


if __name__ == "__main__":
    main()
