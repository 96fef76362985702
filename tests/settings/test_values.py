"""values: how each scalar of voices.yaml is converted, and what is refused."""

from __future__ import annotations

import pytest

from fullcast.settings.values import CONVERTERS, positive_int, text_value


def convert(key: str, raw: object) -> object:
    return CONVERTERS[key][0](raw)


def test_text_is_one_clean_line_and_a_mapping_is_refused() -> None:
    assert text_value("  Tara\x1b[31m  Maclay ") == "Tara Maclay"
    with pytest.raises(TypeError):
        text_value({"a": 1})


def test_file_names_are_kept_exactly() -> None:
    assert convert("model", " models/Kokoro v1.onnx") == " models/Kokoro v1.onnx"
    assert convert("voices", "voices-v1.0.bin") == "voices-v1.0.bin"


@pytest.mark.parametrize("key, raw, value", [("rate", 175, 175), ("pitch", 0, 0), ("volume", 1, 1.0),
                                             ("loudness", -20, -20.0), ("opening", False, False)])
def test_numbers_and_flags_within_their_range(key: str, raw: object, value: object) -> None:
    assert convert(key, raw) == value


@pytest.mark.parametrize("key, raw", [("rate", 39), ("rate", 175.5), ("pitch", True), ("volume", "loud"),
                                      ("opening", "yes"), ("max_file_minutes", -1)])
def test_values_out_of_range_or_of_the_wrong_kind_are_refused(key: str, raw: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        convert(key, raw)
    assert CONVERTERS[key][1]  # every converter says what it expects


def test_a_chapter_number_is_positive() -> None:
    assert positive_int(3) == 3
    with pytest.raises(ValueError):
        positive_int(0)
