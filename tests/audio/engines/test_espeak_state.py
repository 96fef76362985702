"""espeak_state: finding eSpeak NG's synthesiser state in the library, and leaving unknown builds alone.

That the state really is reset (identical samples) is tested through the engine, in test_espeak.py.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import espeakng_loader
import pytest

from fullcast.audio.engines import espeak_state


def test_the_synthesiser_state_is_found_in_the_library_symbols(tmp_path: Path) -> None:
    symbols = espeak_state.elf_data_symbols(Path(espeakng_loader.get_library_path()).read_bytes())
    assert [size for _, size in symbols[("wavegen.c", "Flutter_ix")]] == [4]
    assert [size for _, size in symbols[("klatt.c", "vwave")]] == [8, 8]
    assert [size for _, size in symbols[("", "echo_buf")]] == [11000]
    assert len(symbols[("", "espeak_ng_SetRandSeed")]) == 1
    (tmp_path / "lib.so").write_bytes(b"MZ not an ELF file")
    with pytest.raises(ValueError, match=r"^not a 64-bit little-endian ELF file$"):
        espeak_state.elf_data_symbols((tmp_path / "lib.so").read_bytes())


def test_an_unknown_library_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "lib.so").write_bytes(b"MZ not an ELF file")
    state = espeak_state.SynthState(str(tmp_path / "lib.so"), ctypes.CDLL(None))
    assert state.reproducible is False
    state.restore()  # writes nothing: no regions, and this "library" has no espeak_ng_SetRandSeed
