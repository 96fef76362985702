"""Put eSpeak NG's synthesiser back in its start-up state before every utterance, so output is reproducible.

eSpeak NG keeps state from one utterance to the next, so the same text in the same voice
came out differently depending on what the process had said before (measured: 94,912 to
95,411 samples for one sentence in one process, and different samples in a fresh worker):

- `Flutter_ix` in wavegen.c walks a pitch-flutter table and is never reset. It shifts every
  pitch period, so both the samples and the length change (the main cause);
- `cycle_count` and `agc` in wavegen.c (roughness modulation, overflow gain), the Klatt
  synthesiser's filters, noise and flutter clock in klatt.c, and the echo buffer;
- breath and Klatt noise use eSpeak's own generator (`espeak_rand`), seeded from `time()` at
  start-up, and the speechPlayer voices (`klatt 6`) use libc `rand()`.

None of this is reachable through the API, so this module reads the library's symbol table
(it is not stripped), copies those variables right after start-up, and writes them back,
clears the echo buffer and seeds both generators before each utterance. Every region is a
plain value or a pointer into the library itself, never to the heap, and each must have the
size this was checked against (libespeak-ng 1.52.0 from espeakng-loader 0.2.4); with any
other build nothing is touched and `reproducible` is False.
"""

from __future__ import annotations

import ctypes
import struct
from pathlib import Path

RANDOM_SEED = 1
"""Seed for eSpeak's generator and libc's before every utterance."""

_RESTORED: dict[tuple[str, str], int] = {
    **{("wavegen.c", name): size for name, size in [
        ("Flutter_ix", 4), ("agc", 4), ("cycle_count", 4), ("h_switch_sign", 4), ("amplitude2", 4), ("maxh", 4),
        ("maxh2", 4), ("modulation_type", 4), ("glottal_flag", 4), ("glottal_reduce", 4), ("rbreath", 360),
        ("peaks", 720), ("peak_height", 36), ("peak_harmonic", 36), ("hspect", 3200), ("harm_inc", 120),
        ("hswitch", 4), ("wavephase", 4), ("phaseinc", 4), ("cycle_samples", 4), ("hf_factor", 4), ("cbytes", 4),
        ("samplecount", 4), ("nsamples", 4), ("end_wave", 4), ("amp_ix", 4), ("amp_inc", 4)]},
    **{("klatt.c", name): size for name, size in [
        ("time_count", 4), ("kt_globals", 2824), ("kt_frame", 288), ("nlast", 8), ("noise", 8), ("voice", 8),
        ("vlast", 8), ("glotlast", 8), ("skew", 8), ("sample_count", 4), ("nsamples", 4), ("peaks", 720),
        ("klattp", 40), ("klattp1", 80), ("klattp_inc", 80), ("end_wave", 4), ("prev_fr", 64)]},
}
"""Synthesiser state carried between utterances -> its size in bytes. Keys are (source file, name),
because function statics carry a compiler suffix (`Flutter_ix.5965`) and some names occur twice."""
_TWICE = {("klatt.c", "vwave"): 8}
"""klatt.c has two function statics called `vwave` (impulsive and natural glottal source)."""
_ECHO = {("", "echo_buf"): 11000, ("", "echo_head"): 4, ("", "echo_tail"): 4}
_ANCHORS = ("espeak_ng_SetRandSeed", "espeak_Synth", "espeak_Initialize", "espeak_SetVoiceByName")
"""Exported functions: address in memory minus address in the file is where the library was loaded. All
must agree, which also proves the loaded library is the file whose symbols were read."""


class SynthState:
    """The start-up state of one loaded libespeak-ng, written back before each utterance.

    Build it right after `espeak_Initialize`, before anything is spoken.
    """

    def __init__(self, library_path: str, library: ctypes.CDLL) -> None:
        self._library = library
        self._seed = getattr(library, _ANCHORS[0], None)
        self._srand = getattr(ctypes.CDLL(None), "srand", None)
        found = _find(library_path, library)
        self._regions = [found[key] for key in sorted(found) if key[0]] if found else []
        self._saved = [ctypes.string_at(address, size) for address, size in self._regions]
        self._echo = {key[1]: found[key] for key in _ECHO} if found else {}
        self.reproducible = bool(found) and self._seed is not None and self._srand is not None
        """True when every utterance starts from the same state; False with an unknown build."""

    def restore(self) -> None:
        """Put the synthesiser back as it was at start-up, with the echo cleared and both generators seeded."""
        for (address, size), saved in zip(self._regions, self._saved):
            ctypes.memmove(address, saved, size)
        if self._echo:
            # What WavegenSetEcho does on a voice change: the delay (head - tail) stays, the buffer empties.
            (buffer, length), (head, _), (tail, _) = (self._echo[n] for n in ("echo_buf", "echo_head", "echo_tail"))
            head_value, tail_value = ctypes.c_int.from_address(head), ctypes.c_int.from_address(tail)
            head_value.value = (head_value.value - tail_value.value) % (length // 2)
            tail_value.value = 0
            ctypes.memset(buffer, 0, length)
        if self._seed is not None:
            self._seed(ctypes.c_long(RANDOM_SEED))
        if self._srand is not None:
            self._srand(ctypes.c_uint(RANDOM_SEED))


def _find(library_path: str, library: ctypes.CDLL) -> dict[tuple[str, str], tuple[int, int]]:
    """(file, name) -> (address, size) of every region to restore, or {} unless all are there with the expected sizes."""
    try:
        symbols = elf_data_symbols(Path(library_path).read_bytes())
    except (OSError, ValueError, struct.error):
        return {}
    bases = set()
    for name in _ANCHORS:
        entries, function = symbols.get(("", name), []), getattr(library, name, None)
        if len(entries) != 1 or function is None:
            return {}
        bases.add(ctypes.cast(function, ctypes.c_void_p).value - entries[0][0])
    if len(bases) != 1:
        return {}
    base = bases.pop()
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for key, size in {**_RESTORED, **_ECHO}.items():
        entries = symbols.get(key, [])
        if [s for _, s in entries] != [size]:
            return {}
        found[key] = (base + entries[0][0], size)
    for (file, name), size in _TWICE.items():
        entries = symbols.get((file, name), [])
        if [s for _, s in entries] != [size, size]:
            return {}
        for n, (value, _) in enumerate(entries):
            found[(file, f"{name}#{n}")] = (base + value, size)
    return found


def elf_data_symbols(image: bytes) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(source file, name) -> [(offset, size)] of the data objects in a 64-bit little-endian ELF's symbol table.

    A local symbol is keyed by the source file before it and its name without the `.NNNN` suffix
    the compiler gives function statics; a global one by ("", name). Functions are included too,
    so an exported function can serve as the anchor. Raises ValueError for anything but ELF64 LE.
    """
    if image[:6] != b"\x7fELF\x02\x01":
        raise ValueError("not a 64-bit little-endian ELF file")
    (section_offset,) = struct.unpack_from("<Q", image, 0x28)
    entry_size, count = struct.unpack_from("<HH", image, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", image, section_offset + i * entry_size) for i in range(count)]
    found: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for _, kind, _, _, offset, size, link, _, _, symbol_size in sections:
        if kind != 2:  # SHT_SYMTAB, the full table (the dynamic one has no locals)
            continue
        names = sections[link][4]
        source = ""
        for at in range(offset, offset + size, symbol_size):
            name_at, info, _, _, value, length = struct.unpack_from("<IBBHQQ", image, at)
            name = image[names + name_at : image.index(b"\0", names + name_at)].decode("utf-8", "replace")
            symbol_type, binding = info & 0xF, info >> 4
            if symbol_type == 4:  # STT_FILE starts the locals of one source file
                source = name
            elif symbol_type in (1, 2):  # STT_OBJECT, STT_FUNC
                key = (source, name.split(".")[0]) if binding == 0 else ("", name)
                found.setdefault(key, []).append((value, length))
    return found
