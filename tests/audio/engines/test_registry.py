"""registry: the engines voices.yaml may name, and what the package asks of them."""

from __future__ import annotations

import pytest

from fullcast.audio import engines
from fullcast.errors import EngineError


def test_fake_engine_accepts_the_same_voices() -> None:
    assert engines.list_voices("fake") == engines.list_voices("pyttsx3")


def test_unknown_engine() -> None:
    with pytest.raises(EngineError, match=r"^unknown engine 'pyttsx4'; use pyttsx3 in voices.yaml `engine:`$"):
        engines.list_voices("pyttsx4")
