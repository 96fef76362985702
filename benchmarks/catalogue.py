"""Catalogue benchmark: four books rendered three ways in one run, and what 500 books would take on N nodes.

  (1) `fullcast render` once per book, one after another (each a fresh process, one output folder);
  (2) `fullcast render-many` on the catalogue, with the local process pool;
  (3) `fullcast render-many --cluster local` (a local Ray), when Ray is installed.

Every way starts from an empty output folder (a cold cache). It prints each time and the ratios
(2)/(1) and (3)/(2); with --repeat N, N interleaved rounds and the ratios' medians (one round varies by a
second or so on two cores). Beside them it prints Ray's own floor: the seconds a fresh process takes to start
a local Ray, run one task and stop it, a fixed cost (3) pays whatever the catalogue's size. From the stage and
task times of an in-process (2) it then projects a 500-book catalogue of the same books on 1, 4, 16 and 64
nodes of this machine's size, and checks the model out of sample: fitted on every core, it predicts a run held
to one core.

Usage (the books are old-town plus the first chapter of three bench novels; nothing is copied into the repo):
  python benchmarks/catalogue.py --shared ../shared
  python benchmarks/catalogue.py --shared ../shared --chars 60000   # longer books: Ray's start-up amortised
  python benchmarks/catalogue.py --shared ../shared --repeat 3      # medians of three rounds
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render import cast_from_characters

from fullcast import catalogue as fullcast_catalogue

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
    """(2) in this process, timing each stage from its progress reports (reading is the
    driver's analysis; synthesising; rendering is planning, encoding and publishing) and every chapter plan and
    block encode as it runs: their sum is the rendering work any core can do; the time in rendering when none
    runs is the driver's own (preparing each book, and joining, tagging and placing files no encode overlaps).
    Every file's join, tag and placing is timed too: the part of it that overlapped the tasks is `hidden`."""
    import threading

    from fullcast.audio import master
    from fullcast.publish import export

    marks: dict[str, list[float]] = {}
    tasks: list[tuple[float, float]] = []
    files: list[tuple[float, float]] = []
    lock = threading.Lock()

    def progress(state) -> None:
        marks.setdefault(state.stage, [time.monotonic(), 0.0])[1] = time.monotonic()

    def timing(fn, spans):
        def timed(*args, **kwargs):
            began = time.monotonic()
            try:
                return fn(*args, **kwargs)
            finally:
                with lock:
                    spans.append((began, time.monotonic()))
        return timed

    originals = master.encode_block, export._plan_chapter, export.assemble_file
    master.encode_block, export._plan_chapter = timing(originals[0], tasks), timing(originals[1], tasks)
    export.assemble_file = timing(originals[2], files)
    try:
        began = time.monotonic()
        result = fullcast_catalogue.render_many(books, out, progress=progress)
        total = time.monotonic() - began
    finally:
        master.encode_block, export._plan_chapter, export.assemble_file = originals
    stages = {stage: end - start for stage, (start, end) in marks.items()}
    start, end = marks.get("rendering", (0.0, 0.0))
    stages.update(total=total, tasks=sum(b - a for a, b in tasks), longest=max((b - a for a, b in tasks), default=0.0),
                  driver=end - start - covered(tasks, start, end),
                  hidden=sum(covered(tasks, a, b) for a, b in files),
                  segments=sum(b.result.synthesised for b in result.books if b.result))
    return stages


def covered(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """Seconds between *start* and *end* during which at least one of *spans* was running."""
    total, reached = 0.0, start
    for a, b in sorted(spans):
        a, b = max(a, reached), min(b, end)
        if b > a:
            total, reached = total + b - a, b
    return total


def parallel(work: float, longest: float, cores: int) -> float:
    """Time to run *work* seconds of independent tasks on *cores*, the longest taking *longest*: Graham's bound
    for greedy scheduling, work/cores plus the longest task's share that cannot be spread."""
    return work / cores + (1 - 1 / cores) * longest


def on_one_core(run, *args, **kwargs):
    """*run* with this process (and every process it starts) held to one core."""
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        return run(*args, **kwargs)
    finally:
        os.sched_setaffinity(0, cores)


def project(stages: dict[str, float], books: int, cores: int, one_core: dict[str, float]) -> None:
    """A 500-book catalogue on N nodes of *cores* each. Serial: the driver's reading, and the time in rendering
    when no task ran. Parallel: synthesis and the chapter plans and block encodes, over every core of every node;
    the longest single task is a tail no node count removes. Beside them, the driver joins, tags and places the
    files of BOOKS_AT_ONCE books at a time: however fast the nodes, rendering takes at least that long.
    Checked out of sample: fitted on the run on every core, it predicts the measured run on one core."""
    scale = BOOKS / books
    synthesis = stages.get("synthesising", 0.0)
    serial = stages.get("reading", 0.0) + stages["driver"]
    work = synthesis * cores + stages["tasks"]
    at_once = min(fullcast_catalogue.BOOKS_AT_ONCE, cores)
    placing = stages["hidden"] * scale / at_once
    print(f"\nprojected {BOOKS} books like these ({stages['segments'] * scale:,.0f} segments):")
    print("nodes   wall time   driver (serial)   driver placing files   synthesis+encoding")
    for nodes in NODES:
        spread = parallel(work * scale, stages["longest"], nodes * cores)
        print(f"{nodes:5d}   {(serial * scale + max(spread, placing)) / 3600:7.2f} h   "
              f"{serial * scale / 3600:9.2f} h   {placing / 3600:14.2f} h   {spread / 3600:15.2f} h")
    alone = serial + work + stages["hidden"]  # on one core nothing overlaps
    both = serial + max(parallel(work, stages["longest"], cores), stages["hidden"] / at_once)
    print(f"model check: the {books} books on 1 core predicted {alone:.1f} s, measured {one_core['total']:.1f} s "
          f"(on {cores} cores: {both:.1f} s predicted, {stages['total']:.1f} s measured, the run it was fitted on)")
    print("limits: the driver reads and casts every book alone (serial), and joins, tags and places every file "
          f"{fullcast_catalogue.BOOKS_AT_ONCE} books at a time (a floor under the encoding); each segment's cache "
          "entry crosses the network twice with an object-store cache; the longest plan or encode is a tail")


def ray_floor() -> float:
    """What a `--cluster local` run pays before and after its work, whatever the catalogue: a fresh process that
    imports Ray, starts a local Ray, runs one task and stops it, less one that only imports fullcast's cluster
    module."""
    bare = [sys.executable, "-c", "import fullcast.audio.cluster"]
    started = [sys.executable, "-c", "from fullcast.audio import cluster\n"
               "with cluster.connect('local') as ray: ray.executor.submit(int, 1).result()"]
    return timed(started) - timed(bare)


def three_ways(books: Path, work: Path, ray: bool) -> tuple[float, float, float | None]:
    """(1), (2) and, when Ray is installed, (3), each into its own empty output folder under *work*."""
    work.mkdir()
    first = one_after_another(books, work / "one-by-one")
    second = render_many(books, work / "render-many")
    third = render_many(books, work / "cluster", "--cluster", "local") if ray else None
    return first, second, third


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--chars", type=int, default=FIRST_CHAPTER_CHARS,
                        help="how much of each novel to take (default: about its first chapter)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of the three ways, interleaved; the ratios' medians are printed too")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    ray = importlib.util.find_spec("ray") is not None
    with tempfile.TemporaryDirectory(prefix="fullcast-catalogue-") as work:
        books = build_catalogue(args.shared, Path(work), args.chars)
        rounds = [three_ways(books, Path(work) / f"round-{n}", ray) for n in range(1, args.repeat + 1)]
        for first, second, third in rounds:
            print(f"(1) render one after another: {first:7.1f} s")
            print(f"(2) render-many, local pool:  {second:7.1f} s   (2)/(1) = {second / first:.2f}  (target <= 0.90)")
            if third is None:
                print("(3) skipped: Ray is not installed (pip install -e '.[cluster]')")
            else:
                print(f"(3) render-many on local Ray: {third:7.1f} s   (3)/(2) = {third / second:.2f}  "
                      "(target <= 1.15)")
        if len(rounds) > 1:
            print(f"medians of {len(rounds)} rounds: (2)/(1) = {statistics.median(b / a for a, b, _ in rounds):.2f}"
                  + (f", (3)/(2) = {statistics.median(c / b for _, b, c in rounds):.2f}" if ray else ""))
        if ray:
            floor, allowed = ray_floor(), 0.15 * statistics.median(b for _, b, _ in rounds)
            print(f"Ray's own floor (import, start, one task, stop): {floor:.1f} s; "
                  f"(3) <= 1.15 x (2) leaves {allowed:.1f} s for all of Ray's overhead")
        stages = stage_times(books, Path(work) / "stages")
        one_core = on_one_core(stage_times, books, Path(work) / "one-core")
        project(stages, len(list(books.iterdir())), cores, one_core)


if __name__ == "__main__":
    main()
