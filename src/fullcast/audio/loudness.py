"""Measure loudness in this process, from PCM already in hand: BS.1770 / EBU R128 through libebur128.

This is the only module that imports pyebur128 (a binding of libebur128, the reference
implementation ffmpeg's own `ebur128` filter derives from). A `Meter` is fed samples as
they stream past, so measuring a chapter costs no extra decode and no subprocess, and
its histogram mode keeps memory flat however long the chapter is.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import AudioError

SILENT_LUFS = -70.0
"""BS.1770's absolute gate: anything measuring this low has no programme to speak of."""
_FULL_SCALE = 32768.0


class Meter:
    """Integrated loudness (LUFS) and sample peak (dBFS) of mono audio fed piece by piece."""

    def __init__(self, sample_rate: int) -> None:
        import pyebur128

        self.sample_rate = sample_rate
        """Rate of the samples fed to `add`."""
        self._ebur = pyebur128
        mode = pyebur128.MeasurementMode
        try:
            self._state = pyebur128.R128State(1, sample_rate, mode.MODE_I | mode.MODE_HISTOGRAM)
        except (ValueError, MemoryError) as exc:
            raise AudioError(f"cannot measure loudness at {sample_rate} Hz ({exc}); "
                             "reinstall with `pip install --force-reinstall pyebur128`") from exc
        self._peak = 0.0
        self.frames = 0
        """Samples fed so far."""

    def add(self, samples: np.ndarray) -> None:
        """Feed mono int16 (full scale 32768) or float (full scale 1.0) samples."""
        if samples.size == 0:
            return
        data = np.ascontiguousarray(samples if samples.dtype == np.int16 else samples.astype(np.float32))
        self._state.add_frames(data, int(data.size))
        scale = _FULL_SCALE if data.dtype == np.int16 else 1.0
        self._peak = max(self._peak, float(np.max(np.abs(data.astype(np.float32)))) / scale)
        self.frames += int(data.size)

    def loudness(self) -> float:
        """Integrated loudness in LUFS; -inf when nothing above the absolute gate was fed."""
        value = float(self._ebur.get_loudness_global(self._state))
        return value if math.isfinite(value) and value > SILENT_LUFS else -math.inf

    def peak_db(self) -> float:
        """Highest sample magnitude in dBFS; -inf for digital silence."""
        return 20 * math.log10(self._peak) if self._peak > 0 else -math.inf


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS of one run of mono samples (-inf when silent)."""
    meter = Meter(sample_rate)
    meter.add(samples)
    return meter.loudness()
