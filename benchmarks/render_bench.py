"""Render every bench novel with no cast (the fake engine) and check every file against ACX.

The books are long (up to 160,000 words, 17 hours), so this is where a book of any length
must finish: every chapter within ACX's 120 minutes (split into parts otherwise), every
file mastered to the targets. It prints one line per novel and exits 1 on any failure.

Usage:
  python benchmarks/render_bench.py --data ../shared/bench/pdnc [--novels Emma,Persuasion] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from fullcast import pipeline

VOICES = "engine: fake\ncredits: {opening: true, closing: true}\n"
"""No cast: every speaker gets an auto voice, as for a producer's first render."""


def render_one(text: Path, work: Path) -> tuple[bool, str]:
    """Render one novel into *work* and check it; (passed, the line to print)."""
    voices = work / "voices.yaml"
    voices.write_text(VOICES, encoding="utf-8")
    began = time.perf_counter()
    result = pipeline.render(text, voices, work / "out")
    rendered = time.perf_counter() - began
    report = pipeline.check(result.book_dir, ["acx"])
    hours = sum(m.duration_s for m in report.files) / 3600
    longest = max(m.duration_s for m in report.files) / 60
    failures = [f"{row.subject}: {row.measure} {row.value}" for row in report.failures]
    failures += [problem.message for problem in report.problems]
    line = (f"{len(result.files):4d} files {hours:6.2f} h  longest {longest:5.1f} min  render {rendered:6.1f} s  "
            + ("all pass ACX" if report.passed else f"{len(failures)} failure(s): " + "; ".join(failures[:3])))
    return report.passed, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the bench folder (one subfolder per novel)")
    parser.add_argument("--novels", help="comma-separated subset")
    parser.add_argument("--keep", type=Path, help="render into this folder instead of a temporary one")
    args = parser.parse_args()
    novels = sorted(p for p in args.data.iterdir() if (p / "text.txt").is_file())
    if args.novels:
        novels = [p for p in novels if p.name in args.novels.split(",")]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="fullcast-bench-") as tmp:
        root = args.keep or Path(tmp)
        for novel in novels:
            work = root / novel.name
            work.mkdir(parents=True, exist_ok=True)
            passed, line = render_one(novel / "text.txt", work)
            failed += not passed
            print(f"{novel.name:<30} {line}", flush=True)
    print(f"{len(novels) - failed} of {len(novels)} novels render and pass ACX")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
