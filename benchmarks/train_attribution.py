"""Rebuild the speaker model shipped in the package from the bench (internal use; needs `pip install -e .[train]`).

Every novel of the bench is analysed with the rules alone, its candidate rows labelled with the
gold speakers, and the two stages and the calibration trained on all of them (`learning.fit`).
The result replaces `src/fullcast/script/attribution/speakers.json`. Training is deterministic:
the same bench gives the same bytes. The file holds trees and numbers only, no text of any novel.

Usage:
  python benchmarks/train_attribution.py --data ../shared/bench/pdnc [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

from learning import fit, model_bytes, novel_rows

from fullcast.script.attribution.trees import MODEL_FILE


def bench_novels(data: Path) -> list[Path]:
    """The novel folders of the bench (those with gold quotes), sorted by name."""
    novels = sorted(p for p in data.iterdir() if (p / "quotes.jsonl").is_file() and (p / "text.txt").is_file())
    if not novels:
        raise SystemExit(f"{data}: no novel folders with text.txt and quotes.jsonl; pass the pdnc folder")
    return novels


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to a temporary name beside *path*, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, 0o644)  # a package file: readable by everyone who runs fullcast
    os.replace(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the pdnc folder")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help=f"where to write the model (default {MODEL_FILE})")
    args = parser.parse_args()
    began = time.perf_counter()
    novels = [novel_rows(folder) for folder in bench_novels(args.data)]
    data = model_bytes(fit(novels))
    write_atomic(args.out, data)
    print(f"{args.out}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}, "
          f"{len(novels)} novels, {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
