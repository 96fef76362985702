"""Read a rendered book's library editions back with independent tools: the layout, metadata.json against
Audiobookshelf's schema, metadata.opf with an XML parser, and the EPUB with epubcheck."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SCHEMA = json.loads((Path(__file__).parent / "audiobookshelf.schema.json").read_text(encoding="utf-8"))
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
STATE_NAMES = (".cache", ".fullcast", ".fullcast.lock", ".fullcast-manifest.json")
"""What fullcast keeps for itself: none of it may sit inside a library root."""


def check_layout(out: Path) -> None:
    """No book folder holds both an M4B and MP3s; no cache, lock or manifest sits inside a library root."""
    for root in (p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            suffixes = {p.suffix for p in folder.iterdir() if p.is_file()}
            assert not {".m4b", ".mp3"} <= suffixes, folder
        inside = [p for p in root.rglob("*") if p.name in STATE_NAMES or "manifest" in p.name]
        assert inside == [], inside


def epubcheck(*paths: Path) -> list[tuple[int, list[str]]]:
    """Run epubcheck on each of *paths* at once: (exit status, WARNING/ERROR lines) per file."""
    found = shutil.which("epubcheck")
    if found is None:
        pytest.fail("epubcheck is missing: run `apt-get install epubcheck` (.ci/run does)")
    # Debian's epubcheck is a bare jar (no binfmt in containers); the C1 compiler alone halves its run time.
    java = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar"]
    command = [*java, found] if Path(found).resolve().suffix == ".jar" else [found]
    runs = [subprocess.Popen([*command, str(p)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for p in paths]
    results = []
    for run in runs:
        output = run.communicate(timeout=300)[0]
        results.append((run.returncode, [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]))
    return results


def read_opf(path: Path) -> dict[str, Any]:
    """The fields Audiobookshelf's OPF reader takes, read with ElementTree."""
    metadata = ET.parse(path).getroot().find(f"{OPF}metadata")
    creators = [(c.text, c.get(f"{OPF}role")) for c in metadata.findall(f"{DC}creator")]
    metas = {m.get("name"): m.get("content") for m in metadata.findall(f"{OPF}meta") if m.get("name")}
    return {"title": metadata.findtext(f"{DC}title"), "language": metadata.findtext(f"{DC}language"),
            "authors": [n for n, r in creators if r == "aut"], "narrators": [n for n, r in creators if r == "nrt"],
            "description": metadata.findtext(f"{DC}description"), "series": metas.get("calibre:series"),
            "series_index": metas.get("calibre:series_index")}


def read_library(out: Path, result) -> dict[str, Any]:
    """Check every edition folder of a render; the MP3 edition's metadata.json, the same in every folder."""
    check_layout(out)
    texts = {(folder / "metadata.json").read_text(encoding="utf-8") for folder in result.folders}
    assert len(texts) == 1, "the editions' metadata.json differ"
    data = json.loads(texts.pop())
    jsonschema.validate(data, SCHEMA)
    for folder in result.folders:
        opf = read_opf(folder / "metadata.opf")
        assert (opf["title"], opf["authors"], opf["narrators"], opf["description"]) == (
            data["title"], data["authors"], data["narrators"], data["description"])
        assert (folder / "cover.jpg").is_file() or (folder / "cover.png").is_file()
    epubs = [p for p in result.files if p.suffix == ".epub"]
    assert epubcheck(*epubs) == [(0, [])] * len(epubs)
    return data
