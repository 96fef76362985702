"""Is eSpeak NG reproducible? A minimal reproduction of the drift, and the check that fullcast removes it.

1. raw: libespeak-ng alone, through ctypes (no pyttsx3, no fullcast): one sentence spoken five
   times in one process gives five different sample counts and hashes. The cause is state
   eSpeak keeps between utterances (the pitch-flutter index `Flutter_ix` above all, see
   `fullcast.audio.engines.espeak_state`), not the pyttsx3 driver and not parameters.
2. engine: the same through `engines.Pyttsx3Engine`, five times in one process, then after
   other voices and texts: every repeat must be byte-identical.
3. processes: two fresh processes speak the same voices in opposite orders with other text in
   between; each (voice, text) must hash the same in both.

Usage: python benchmarks/espeak_determinism.py [--voices N]
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import multiprocessing
import tempfile
from pathlib import Path

SENTENCE = "The rain kept falling on the old town, and nobody in the square looked up."
FILLER = ["Can't sleep either?", "Never could, not here. Not with the bells going all night long.", "Hm."]


def raw_repeats(times: int = 5) -> list[tuple[int, str]]:
    """(samples, hash) of SENTENCE spoken *times* by bare libespeak-ng in synchronous mode."""
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

    def on_audio(wav, count, events):  # noqa: ANN001, ANN202
        if count > 0:
            chunks.append(ctypes.string_at(wav, 2 * count))
        return 0

    keep = callback_type(on_audio)
    lib.espeak_Initialize(2, 1000, espeakng_loader.get_data_path().encode(), 0)  # 2: AUDIO_OUTPUT_SYNCHRONOUS
    lib.espeak_SetSynthCallback(keep)
    lib.espeak_SetVoiceByName(b"gmw/en-us")
    results = []
    for _ in range(times):
        chunks.clear()
        text = SENTENCE.encode()
        lib.espeak_Synth(text, len(text) + 1, 0, 1, 0, 0x1000, None, None)  # 1: POS_CHARACTER, 0x1000: ENDPAUSE
        pcm = b"".join(chunks)
        results.append((len(pcm) // 2, hashlib.sha256(pcm).hexdigest()[:12]))
    return results


def engine_hashes(voice_ids: list[str], reverse: bool) -> dict[str, str]:
    """Hash of SENTENCE in each voice, spoken after FILLER in other voices; *reverse* flips the order."""
    from fullcast.audio import engines
    from fullcast.model import Voice

    engine = engines.get_engine("pyttsx3")
    order = voice_ids[::-1] if reverse else voice_ids
    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.wav"
        for n, voice_id in enumerate(order):
            for k, filler in enumerate(FILLER[: n % 4]):
                engine.synthesize(filler, Voice("pyttsx3", order[(n + k + 1) % len(order)], 150 + 20 * k, 40, 1.0), path)
            repeats = set()
            for _ in range(5 if n < 3 else 1):
                engine.synthesize(SENTENCE, Voice("pyttsx3", voice_id, 175, 50, 0.9), path)
                repeats.add(hashlib.sha256(path.read_bytes()).hexdigest())
            found[voice_id] = repeats.pop() if len(repeats) == 1 else f"{len(repeats)} different"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=24, help="how many default voices to compare across processes")
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1) as pool:
        raw = pool.apply(raw_repeats)
    print("1. bare libespeak-ng, one sentence five times in one process:")
    for samples, digest in raw:
        print(f"   {samples:7d} samples  sha256 {digest}")
    print(f"   {len(set(raw))} different results")

    from fullcast.settings.config import DEFAULT_AUTO_VOICES

    pools = sorted({v for voices in DEFAULT_AUTO_VOICES.values() for v in voices})
    voice_ids = ["gmw/en-us", "gmw/en+whisper", *pools[:: max(1, len(pools) // args.voices)]]
    with spawn.Pool(1) as first, spawn.Pool(1) as second:
        forward = first.apply_async(engine_hashes, (voice_ids, False))
        backward = second.apply_async(engine_hashes, (voice_ids, True))
        a, b = forward.get(), backward.get()
    unstable = [v for v in voice_ids if "different" in a[v] or "different" in b[v]]
    differing = [v for v in voice_ids if a[v] != b[v]]
    print(f"2. Pyttsx3Engine, repeats within a process: {len(unstable)} of {len(voice_ids)} voices unstable")
    print(f"3. Pyttsx3Engine, two processes in opposite orders: {len(differing)} of {len(voice_ids)} voices differ")
    for voice_id in unstable + differing:
        print(f"   {voice_id}: {a[voice_id][:12]} / {b[voice_id][:12]}")


if __name__ == "__main__":
    main()
