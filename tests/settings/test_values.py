"""values: how each scalar of voices.yaml is converted, and what is refused."""

from __future__ import annotations

import pytest

from fullcast.settings import values
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


# --------------------------------------------------------------------------- publication facts


@pytest.mark.parametrize(("raw", "number"), [(2, "2"), (2.5, "2.5"), ("2.50", "2.5"), ("#3", "3"), ("07", "7"),
                                             (0, "0")])
def test_series_number(raw, number: str) -> None:
    assert values.series_number(raw) == number


@pytest.mark.parametrize("raw", ["two", "", "2a", True, [2], -1, "nan", 1e9])
def test_series_number_refuses(raw) -> None:
    with pytest.raises((TypeError, ValueError)):
        values.series_number(raw)


@pytest.mark.parametrize(("raw", "tag"), [("en", "en"), ("en_gb", "en-GB"), ("EN-us", "en-US"), ("fr-CA", "fr-CA"),
                                          ("en-gb-x-rp", "en-GB-x-rp")])
def test_language_tag(raw: str, tag: str) -> None:
    assert values.language_tag(raw) == tag


@pytest.mark.parametrize("raw", ["English", "", "e", "en--us", ["en"]])
def test_language_tag_refuses(raw) -> None:
    with pytest.raises((TypeError, ValueError)):
        values.language_tag(raw)


@pytest.mark.parametrize(("tag", "code"), [("en", "eng"), ("en-GB", "eng"), ("fr-CA", "fra"), ("de", "deu"),
                                           ("ja", "jpn"), ("zz", "und")])
def test_iso639_2(tag: str, code: str) -> None:
    assert values.iso639_2(tag) == code


@pytest.mark.parametrize(("isbn", "problem"), [
    ("978-0-306-40615-7", None), ("0-306-40615-2", None), ("0 8044 2957 X", None), ("080442957x", None),
    ("978-0-306-40615-6", "its check digit should be 7, not 6; check it (it is written as given)"),
    ("0-306-40615-3", "its check digit should be 2, not 3; check it (it is written as given)"),
    ("12345", "is not 10 or 13 digits; check it (it is written as given)"),
])
def test_isbn_problem(isbn: str, problem: str | None) -> None:
    assert values.isbn_problem(isbn) == problem
