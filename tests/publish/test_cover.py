"""Tests for fullcast.publish.cover: finding the cover, detecting its real type, scaling it, rejecting bad files."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from fullcast.errors import ConfigError
from fullcast.publish.cover import MAX_PIXELS, MAX_SIDE, find_cover, generated_cover, load_cover
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


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares *width* x *height* but carries one row of pixels: tiny on disk, huge if decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x80" * 3 * width)
    path.write_bytes(PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def test_giant_cover_is_refused_from_its_header(tmp_path: Path) -> None:
    path = png_header_only(tmp_path / "cover.png", 10000, 10000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's decompression-bomb warning must not even be raised
        with pytest.raises(ConfigError) as info:
            load_cover(path)
    assert str(info.value) == (f"book.cover: {path} is 10000x10000 px, over the 25-megapixel limit for a cover "
                               "(5000x5000); scale it down to 3000x3000 px, the most distributors accept")
    assert MAX_PIXELS == 25_000_000


def test_giant_cover_is_refused_in_bounded_memory_and_silently(tmp_path: Path) -> None:
    """In a fresh process: no warning on stderr, and the refusal costs no decoded pixels (10000x10000 RGB is 300 MB)."""
    path = png_header_only(tmp_path / "cover.png", 10000, 10000)
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from fullcast.errors import ConfigError\n"
        "from fullcast.publish.cover import load_cover\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    load_cover(Path(sys.argv[1]))\n"
        "except ConfigError as exc:\n"
        "    print(str(exc).split(' px,')[0].rsplit(' is ', 1)[1])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60)
    size, grown_kb = done.stdout.split()
    assert (done.returncode, done.stderr, size) == (0, "", "10000x10000")
    assert int(grown_kb) < 20_000


def test_cover_at_the_pixel_limit_is_still_scaled(tmp_path: Path) -> None:
    cover = load_cover(save_image(tmp_path / "cover.jpg", (5000, 5000), "JPEG"))
    assert (cover.mime, cover.width, cover.height) == ("image/jpeg", 3000, 3000)
    assert cover.note == "cover cover.jpg was 5000x5000 px; scaled down to 3000x3000 px"


def test_a_cover_the_manuscript_embeds_is_used_when_there_is_no_other(tmp_path: Path) -> None:
    from fullcast.model import Book, Publication
    from fullcast.publish.cover import book_cover

    buffer = io.BytesIO()
    Image.new("RGB", (800, 1200), (90, 20, 20)).save(buffer, "PNG")
    (tmp_path / "book.epub").write_bytes(b"")
    book = Book("T", None, None, (), None, (), Publication(cover=buffer.getvalue(), cover_type="image/png"))
    embedded = book_cover(tmp_path / "book.epub", Config(), book)
    assert embedded is not None and embedded.mime == "image/png"
    Image.new("RGB", (600, 600), (0, 0, 0)).save(tmp_path / "cover.jpg")
    beside = book_cover(tmp_path / "book.epub", Config(), book)  # a cover file beside the manuscript wins
    assert beside is not None and beside.mime == "image/jpeg"
    assert book_cover(tmp_path / "book.epub", Config(), Book("T", None, None, (), None, ())).mime == "image/jpeg"


def test_a_broken_embedded_cover_names_the_manuscript(tmp_path: Path) -> None:
    from fullcast.model import Book, Publication
    from fullcast.publish.cover import book_cover

    book = Book("T", None, None, (), None, (), Publication(cover=b"not an image"))
    with pytest.raises(ConfigError, match=r"^book\.cover: .*book\.epub \(its embedded cover\) is not a valid image"):
        book_cover(tmp_path / "book.epub", Config(), book)


# --------------------------------------------------------------------------- the generated cover

GROUND = (24, 29, 41)
"""The generated cover's background colour."""


def ink_mask(cover_data: bytes) -> Image.Image:
    """White where a pixel clearly differs from the background (its channels' differences sum over 60, above JPEG
    noise), black elsewhere."""
    with Image.open(io.BytesIO(cover_data)) as image:
        image = image.convert("RGB")
    red, green, blue = ImageChops.difference(image, Image.new("RGB", image.size, GROUND)).split()
    total = ImageChops.add(ImageChops.add(red, green), blue)  # clipped at 255: only "over 60" matters
    return total.point(lambda value: 255 if value > 60 else 0)


def ink(cover_data: bytes | Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many pixels inside *box* (left, top, right, bottom) are text or the rule."""
    mask = cover_data if isinstance(cover_data, Image.Image) else ink_mask(cover_data)
    return mask.crop(box).histogram()[255]


def margins_are_blank(cover_data: bytes) -> bool:
    """No text strays into the 130 px border around the generated cover."""
    border = ((0, 0, 1600, 130), (0, 1470, 1600, 1600), (0, 0, 130, 1600), (1470, 0, 1600, 1600))
    return all(ink(cover_data, box) == 0 for box in border)


def test_generated_cover_is_a_1600_px_jpeg_that_says_how_to_replace_it() -> None:
    cover = generated_cover("The Lighthouse Keeper", ["Ada Brontë"], "A Coastal Tale")
    with Image.open(io.BytesIO(cover.data)) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1600, 1600))
    assert (cover.mime, cover.width, cover.height, cover.source, cover.extension) == (
        "image/jpeg", 1600, 1600, None, ".jpg")
    assert cover.note == ("no cover found; made cover.jpg from the title and author (replace it: put cover.jpg "
                          "beside the manuscript or set book.cover in voices.yaml)")


def test_generated_cover_is_the_same_bytes_for_the_same_book() -> None:
    first = generated_cover("The Lighthouse Keeper", ["Ada Brontë"], "A Coastal Tale")
    assert generated_cover("The Lighthouse Keeper", ["Ada Brontë"], "A Coastal Tale").data == first.data
    assert generated_cover("The Lighthouse Keeper", ["Ada Brant"], "A Coastal Tale").data != first.data


def test_letters_the_built_in_font_lacks_are_spelt_plainly_not_drawn_as_boxes() -> None:
    accented = generated_cover("Les Misérables — Straße", ["Ada Brontë", "Łukasz Ørsted"])
    assert accented.data == generated_cover("Les Miserables - Strasse", ["Ada Bronte", "Lukasz Orsted"]).data


def test_generated_cover_draws_title_subtitle_and_author_in_their_places() -> None:
    bare = generated_cover("The Lighthouse Keeper", [])
    full = generated_cover("The Lighthouse Keeper", ["Ada Brontë"], "A Coastal Tale")
    title_band, author_band = (130, 150, 1470, 1180), (130, 1280, 1470, 1470)
    assert ink(bare.data, title_band) > 20_000  # large type, not a blank image
    assert (ink(bare.data, author_band), ink(full.data, author_band) > 5_000) == (0, True)
    assert ink(full.data, title_band) != ink(bare.data, title_band)  # the subtitle is drawn too
    assert margins_are_blank(bare.data) and margins_are_blank(full.data)


def test_a_long_title_shrinks_to_fit_inside_the_margins() -> None:
    short, long = generated_cover("Keeper", ["A"]), generated_cover(("Keeper of the light " * 15)[:300], ["A"])
    assert margins_are_blank(long.data)
    mask = ink_mask(long.data)
    rows_with_ink = [y for y in range(150, 1180, 4) if ink(mask, (130, y, 1470, y + 1))]
    assert len(rows_with_ink) > 100 and ink(long.data, (130, 150, 1470, 1180)) > ink(short.data, (130, 150, 1470, 1180))


@pytest.mark.parametrize("title, authors, subtitle", [
    ("x" * 5000, ["A"], None),  # one enormous word
    ("Supercalifragilisticexpialidocious" * 3, ["A"], "y" * 400),
    ("שלום עולם مرحبا بالعالم", ["עמוס עוז"], "كتاب"),  # right to left
    ("東京物語と京都の夜の長い長い物語" * 4, ["村上春樹"], "副題"),  # no spaces to wrap at
    ("The Lighthouse Keeper", [""], None),  # an empty author
    ("Tab\tand\nnew\x00line", ["  ", "Ada\x01"], ""),
], ids=["enormous-word", "long-words-and-subtitle", "right-to-left", "cjk", "empty-author", "control-characters"])
def test_odd_titles_and_authors_still_make_a_cover(title: str, authors: list[str], subtitle: str | None) -> None:
    cover = generated_cover(title, authors, subtitle)
    with Image.open(io.BytesIO(cover.data)) as image:
        assert image.size == (1600, 1600)
    assert ink(cover.data, (130, 150, 1470, 1180)) > 1_000
    assert margins_are_blank(cover.data)


def test_an_empty_title_and_author_leave_only_the_rule() -> None:
    cover = generated_cover("", [])
    assert ink(cover.data, (0, 0, 1600, 1600)) == ink(cover.data, (690, 1230, 910, 1245)) > 0
