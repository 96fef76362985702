"""Tests for fullcast.publish.cover: finding the cover, detecting its real type, scaling it, rejecting bad files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from fullcast.errors import ConfigError
from fullcast.publish.cover import MAX_SIDE, find_cover, load_cover
from fullcast.settings.config import BookInfo, Config

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def save_image(path: Path, size: tuple[int, int], fmt: str, mode: str = "RGB") -> Path:
    """Write a plain image of *size* in *fmt* to *path*, whatever the extension says."""
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else 3).save(path, format=fmt)
    return path


def test_jpeg_is_kept_byte_for_byte(tmp_path: Path) -> None:
    path = save_image(tmp_path / "cover.jpg", (1600, 1600), "JPEG")
    cover = load_cover(path)
    assert (cover.data, cover.mime, cover.width, cover.height, cover.note) == (path.read_bytes(), "image/jpeg", 1600, 1600, None)
    assert cover.extension == ".jpg"


def test_png_named_jpg_is_detected_as_png(tmp_path: Path) -> None:
    path = save_image(tmp_path / "cover.jpg", (1500, 1500), "PNG")
    cover = load_cover(path)
    assert cover.mime == "image/png"
    assert cover.data.startswith(PNG_SIGNATURE)
    assert cover.extension == ".png"


def test_huge_png_is_scaled_to_3000_and_stays_png(tmp_path: Path) -> None:
    path = save_image(tmp_path / "cover.png", (4000, 2000), "PNG")
    cover = load_cover(path)
    assert (cover.mime, cover.width, cover.height) == ("image/png", MAX_SIDE, 1500)
    with Image.open(io.BytesIO(cover.data)) as image:
        assert (image.format, image.size) == ("PNG", (3000, 1500))
    assert cover.note == "cover cover.png was 4000x2000 px; scaled down to 3000x1500 px"


def test_huge_jpeg_is_scaled_and_stays_jpeg(tmp_path: Path) -> None:
    cover = load_cover(save_image(tmp_path / "c.jpeg", (2000, 3600), "JPEG"))
    with Image.open(io.BytesIO(cover.data)) as image:
        assert (image.format, image.size) == ("JPEG", (1667, 3000))
    assert (cover.mime, cover.width, cover.height) == ("image/jpeg", 1667, 3000)


def test_other_formats_become_jpeg(tmp_path: Path) -> None:
    cover = load_cover(save_image(tmp_path / "cover.png", (1400, 1400), "GIF", mode="P"))
    with Image.open(io.BytesIO(cover.data)) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1400, 1400))
    assert cover.mime == "image/jpeg"


def test_cmyk_jpeg_is_converted_to_rgb(tmp_path: Path) -> None:
    path = tmp_path / "cover.jpg"
    Image.new("CMYK", (1400, 1400), (0, 50, 100, 0)).save(path, format="JPEG")
    cover = load_cover(path)
    with Image.open(io.BytesIO(cover.data)) as image:
        assert (image.format, image.mode, cover.mime) == ("JPEG", "RGB", "image/jpeg")


def test_small_cover_is_kept_with_a_note(tmp_path: Path) -> None:
    cover = load_cover(save_image(tmp_path / "cover.png", (600, 600), "PNG"))
    assert (cover.width, cover.note) == (600, "cover is 600x600 px; distributors ask for at least 1400 px on the long side")


def test_text_file_is_not_a_cover(tmp_path: Path) -> None:
    path = tmp_path / "cover.jpg"
    path.write_text("not an image at all")
    with pytest.raises(ConfigError) as info:
        load_cover(path)
    assert str(info.value) == (f"book.cover: {path} is not a valid image (not a recognised image format); "
                               "use a JPEG or PNG file")


def test_truncated_png_is_not_a_cover(tmp_path: Path) -> None:
    path = save_image(tmp_path / "cover.png", (400, 400), "PNG")
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ConfigError, match=rf"^book\.cover: {re.escape(str(path))} is not a valid image \("):
        load_cover(path)


def test_unreadable_cover(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^book\.cover: cannot read .*missing\.png"):
        load_cover(tmp_path / "missing.png")


def test_find_cover_from_voices_yaml_is_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "art").mkdir()
    art = save_image(tmp_path / "art" / "front.png", (10, 10), "PNG")
    config = Config(path=tmp_path / "voices.yaml", book=BookInfo(cover=Path("art/front.png")))
    assert find_cover(tmp_path / "elsewhere" / "book.txt", config) == art


def test_find_cover_named_but_missing(tmp_path: Path) -> None:
    config = Config(path=tmp_path / "voices.yaml", book=BookInfo(cover=Path("nope.jpg")))
    with pytest.raises(ConfigError) as info:
        find_cover(tmp_path, config)
    assert str(info.value) == (f"{tmp_path / 'voices.yaml'}: book.cover: {tmp_path / 'nope.jpg'} does not exist; "
                               "fix the path (it is relative to voices.yaml) or remove the key")


def test_find_cover_in_manuscript_folder(tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    book.write_text("# One\n")
    assert find_cover(book, Config()) is None
    png = save_image(tmp_path / "cover.png", (10, 10), "PNG")
    assert find_cover(book, Config()) == png
    assert find_cover(tmp_path, Config()) == png
    jpg = save_image(tmp_path / "cover.jpg", (10, 10), "JPEG")
    assert find_cover(book, Config()) == jpg
