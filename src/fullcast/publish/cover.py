"""Find and load the book's cover image, ready to embed in MP3 and M4B files.

This is the only module that imports Pillow. The real image type is detected from
the bytes, never from the file extension, and an oversized image is scaled down to
the distributors' limit (Apple, Google and ACX ask for 1400-3000 px, square). An image
of more than MAX_PIXELS is refused from its header, before a byte of it is decoded:
decoding takes 3-4 bytes a pixel, so a 10000x10000 cover would take over 400 MB.
A book without a cover gets a plain one drawn from its title and author (`generated_cover`).
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from ..errors import ConfigError
from ..model import Book
from ..settings.config import Config

MAX_SIDE = 3000
"""Longest side, in pixels, that distributors accept; larger covers are scaled down to it."""
MAX_PIXELS = 25_000_000
"""Largest cover decoded, in pixels (5000x5000, about 100 MB decoded); larger ones are refused with a fix."""
MIN_SIDE = 1400
"""Shortest long side distributors recommend; smaller covers are kept, with a note."""
COVER_NAMES = ("cover.jpg", "cover.jpeg", "cover.png")
"""Files looked for in the manuscript folder when voices.yaml names no cover."""
_KEPT_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
"""Formats embedded as they are; anything else is re-encoded as JPEG."""
_KEPT_MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L", "LA", "P")}
"""Pixel modes in which a JPEG or PNG is embedded unchanged."""


@dataclass(frozen=True)
class Cover:
    """A cover image ready to embed: bytes in a format every player reads."""

    data: bytes
    """The encoded image (JPEG or PNG)."""
    mime: str
    """`image/jpeg` or `image/png`, matching `data` (not the source file's extension)."""
    width: int
    """Width in pixels of `data`."""
    height: int
    """Height in pixels of `data`."""
    source: Path | None = None
    """The file it was read from."""
    note: str | None = None
    """Something the producer should know, e.g. that it was scaled down or is below 1400 px."""

    @property
    def extension(self) -> str:
        """`.jpg` or `.png`, matching the real type."""
        return ".png" if self.mime == "image/png" else ".jpg"


def find_cover(manuscript_path: Path, config: Config) -> Path | None:
    """The cover to use: `book.cover` (relative to voices.yaml), else cover.jpg/.png next to the manuscript."""
    if config.book.cover is not None:
        cover = Path(config.book.cover).expanduser()
        if not cover.is_absolute() and config.path is not None:
            cover = config.path.parent / cover
        if not cover.is_file():
            raise ConfigError(
                f"{_where(config)}book.cover: {cover} does not exist; fix the path (it is relative to voices.yaml) "
                "or remove the key"
            )
        return cover
    folder = manuscript_path if manuscript_path.is_dir() else manuscript_path.parent
    for name in COVER_NAMES:
        for candidate in (folder / name, folder / name.upper()):
            if candidate.is_file():
                return candidate
    return None


def load_cover(path: Path) -> Cover:
    """Read *path* as an image, whatever its extension says, scaled to at most 3000 px on its long side."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"book.cover: cannot read {path}: {exc.strerror or exc}; "
                          "fix the path or its permissions") from exc
    return cover_from_bytes(raw, path)


def cover_from_bytes(raw: bytes, where: Path | str) -> Cover:
    """*raw* image bytes (a file's, or a manuscript's embedded cover named by *where*) as a Cover."""
    try:
        with _quiet_pillow():
            with _header_only():
                image = Image.open(io.BytesIO(raw))
            with image:
                _check_pixels(image, where)
                image.load()
                return _prepare(image, raw, where)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ConfigError(
            f"book.cover: {where} is not a valid image ({_reason(exc)}); use a JPEG or PNG file"
        ) from exc


def book_cover(manuscript_path: Path, config: Config, book: Book) -> Cover | None:
    """The book's cover: voices.yaml's or a cover file beside the manuscript, else the one the manuscript
    embeds (an EPUB's); None when there is none."""
    found = find_cover(manuscript_path, config)
    if found is not None:
        return load_cover(found)
    if book.publication.cover:
        return cover_from_bytes(book.publication.cover, f"{manuscript_path} (its embedded cover)")
    return None


@contextmanager
def _header_only() -> Iterator[None]:
    """Pillow's own bomb check off while `Image.open` reads the header: `_check_pixels`, stricter, names the size."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


@contextmanager
def _quiet_pillow() -> Iterator[None]:
    """Pillow's decompression-bomb warning (a GIF frame larger than its header says) raised, never printed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _check_pixels(image: Image.Image, path: Path | str) -> None:
    """Refuse a cover over MAX_PIXELS from the size in its header, before decoding it."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ConfigError(
            f"book.cover: {path} is {width}x{height} px, over the {MAX_PIXELS // 1_000_000}-megapixel limit "
            f"for a cover (5000x5000); scale it down to {MAX_SIDE}x{MAX_SIDE} px, the most distributors accept"
        )


def _prepare(image: Image.Image, raw: bytes, path: Path | str) -> Cover:
    """Keep a JPEG/PNG of acceptable size as it is; otherwise scale and re-encode it."""
    width, height = image.size
    mime = _KEPT_FORMATS.get(image.format or "")
    # Players choke on CMYK JPEGs and 16-bit PNGs more often than on plain RGB ones.
    plain = image.mode in _KEPT_MODES.get(image.format or "", ())
    if mime is not None and plain and max(width, height) <= MAX_SIDE:
        return Cover(raw, mime, width, height, path, _small_note(width, height))
    note = None
    if max(width, height) > MAX_SIDE:
        scale = MAX_SIDE / max(width, height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
        note = f"cover {path.name} was {width}x{height} px; scaled down to {size[0]}x{size[1]} px"
    data, mime = _encode(image, keep_png=mime == "image/png")
    width, height = image.size
    return Cover(data, mime, width, height, path, note or _small_note(width, height))


def _encode(image: Image.Image, *, keep_png: bool) -> tuple[bytes, str]:
    """The image as PNG (when it was PNG) or as a high-quality JPEG."""
    out = io.BytesIO()
    if keep_png:
        if image.mode not in _KEPT_MODES["PNG"]:
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    if image.mode in ("CMYK", "YCbCr", "I", "I;16", "F"):
        image = image.convert("RGB")
    if image.mode not in ("RGB", "L"):
        # JPEG has no alpha: flatten transparency onto white rather than black.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    image.save(out, format="JPEG", quality=92, optimize=True)
    return out.getvalue(), "image/jpeg"


def _small_note(width: int, height: int) -> str | None:
    """A note when the cover is below what distributors ask for."""
    if max(width, height) < MIN_SIDE:
        return f"cover is {width}x{height} px; distributors ask for at least {MIN_SIDE} px on the long side"
    return None


def _where(config: Config) -> str:
    """`voices.yaml: ` prefix naming the config file, when there is one."""
    return f"{config.path}: " if config.path is not None else ""


def _reason(exc: Exception) -> str:
    """A short reason from a Pillow exception, without its repr noise."""
    if isinstance(exc, UnidentifiedImageError):
        return "not a recognised image format"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


# --------------------------------------------------------------------------- a cover drawn from the title

GENERATED_NOTE = ("no cover found; made cover.jpg from the title and author (replace it: put cover.jpg beside the "
                  "manuscript or set book.cover in voices.yaml)")
"""The render summary's note for a generated cover."""
GENERATED_SIDE = 1600
"""Width and height of a generated cover: above the 1400 px distributors ask for."""
_MARGIN = 150
"""Blank border on each side; text stays inside `GENERATED_SIDE - 2 * _MARGIN`."""
_TEXT_WIDTH = GENERATED_SIDE - 2 * _MARGIN
"""Widest a line of text may be, in px."""
_UPPER = (170, 1170)
"""Top and bottom of the band the title and subtitle are centred in."""
_RULE_Y = 1235
"""A short accent rule between the title band and the author."""
_AUTHOR_TOP = 1290
"""Top of the author's first line."""
_TITLE_SIZES = (170, 40)
"""Largest and smallest title size in px; the title shrinks by 8% a step until it fits."""
_SUBTITLE_SIZE, _AUTHOR_SIZE = 64, 80
"""Largest subtitle size and the author's size, in px."""
_GAP = 48
"""Space between the title and the subtitle, in px."""
_MAX_CHARS = 600
"""Text past this many characters is cut before layout (no cover could show it legibly)."""
_SPELLINGS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l",
                            "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
                            "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})
"""Plain spellings of letters and dashes Pillow's built-in font (basic Latin only) lacks and NFKD cannot split."""
_BACKGROUND, _INK, _SOFT, _ACCENT = (24, 29, 41), (244, 239, 228), (196, 190, 178), (201, 162, 92)
"""Dark slate ground, warm white text, grey subtitle, a brass rule: light on dark reads well as a thumbnail."""


def generated_cover(title: str, authors: Sequence[str], subtitle: str | None = None) -> Cover:
    """A plain, legible 1600x1600 JPEG: the title large, the subtitle smaller, the author below, on a dark ground.

    The same inputs give the same bytes. Pillow's built-in font has Latin glyphs only: other
    scripts draw as placeholder boxes, legible enough to tell the producer to replace the cover.
    """
    image = Image.new("RGB", (GENERATED_SIDE, GENERATED_SIDE), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    (title_font, title_lines), (sub_font, sub_lines) = _upper_blocks(title, subtitle or "")
    gap = _GAP if title_lines and sub_lines else 0
    height = _block_height(title_font, title_lines) + gap + _block_height(sub_font, sub_lines)
    top = _UPPER[0] + (_UPPER[1] - _UPPER[0] - height) // 2
    top = _draw_lines(draw, title_lines, title_font, top, _INK) + gap
    _draw_lines(draw, sub_lines, sub_font, top, _SOFT)
    draw.rectangle((GENERATED_SIDE // 2 - 100, _RULE_Y, GENERATED_SIDE // 2 + 100, _RULE_Y + 5), fill=_ACCENT)
    credit = ", ".join(name.strip() for name in authors if name.strip())
    author_font, author_lines = _fixed_block(credit, _AUTHOR_SIZE, max_lines=2)
    _draw_lines(draw, author_lines, author_font, _AUTHOR_TOP, _INK)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)  # no timestamp or random data: same inputs, same bytes
    return Cover(out.getvalue(), "image/jpeg", GENERATED_SIDE, GENERATED_SIDE, None, GENERATED_NOTE)


_Block = tuple[ImageFont.FreeTypeFont, list[str]]
"""A font and the lines set in it."""


def _upper_blocks(title: str, subtitle: str) -> tuple[_Block, _Block]:
    """The title, as large as fits beside the subtitle, and the subtitle, never larger than the title."""
    sub_font, sub_lines = _fixed_block(subtitle, _SUBTITLE_SIZE, max_lines=3)
    budget = _UPPER[1] - _UPPER[0] - _GAP - _block_height(sub_font, sub_lines)
    title_font, title_lines = _fit_title(title, budget)
    smaller = round(title_font.size * 0.8)
    if sub_lines and smaller < _SUBTITLE_SIZE:  # a smaller font never takes more room: the title still fits
        sub_font, sub_lines = _fixed_block(subtitle, smaller, max_lines=3)
    return (title_font, title_lines), (sub_font, sub_lines)


def _clip(text: str) -> str:
    """*text* on one line in characters the font has, without control characters, cut with an ellipsis past
    `_MAX_CHARS`."""
    text = " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text[:_MAX_CHARS + 1]).split())
    text = "".join(c if _has_glyph(c) else _spelling(c) for c in text)
    return text if len(text) <= _MAX_CHARS else text[:_MAX_CHARS].rstrip() + "\u2026"


def _spelling(char: str) -> str:
    """*char*, which the built-in font lacks, spelt with letters it has (é -> e, ß -> ss, — -> -), or *char* itself
    when there is no such spelling (Chinese, Hebrew: drawn as boxes)."""
    plain = char.translate(_SPELLINGS)
    if plain == char:
        plain = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    return plain if plain and all(_has_glyph(part) for part in plain) else char


@lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    """True when the built-in font draws *char* as itself, not as its missing-glyph box."""
    font = _font(_TITLE_SIZES[1])
    return char.isspace() or bytes(font.getmask(char)) != bytes(font.getmask("\ue000"))  # U+E000: surely absent


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's built-in scalable font at *size* px (no font file to ship or find)."""
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    """Baseline-to-baseline distance for *font*, a little looser than the font's own."""
    ascent, descent = font.getmetrics()
    return round((ascent + descent) * 1.12)


def _block_height(font: ImageFont.FreeTypeFont, lines: Sequence[str]) -> int:
    """Height of *lines* set in *font*."""
    return len(lines) * _line_height(font)


def _fit_title(title: str, height: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the longest word fits a line and the wrapped title fits *height*.

    When no size does (one enormous word, a very long title), the smallest size, the words broken
    where they must be and the lines that do not fit cut with an ellipsis.
    """
    text = _clip(title)
    size = _TITLE_SIZES[0]
    while size > _TITLE_SIZES[1]:
        font = _font(size)
        if all(font.getlength(word) <= _TEXT_WIDTH for word in text.split()):
            lines = _wrap(text, font)
            if _block_height(font, lines) <= height:
                return font, lines
        size = int(size * 0.92)
    smallest = _font(_TITLE_SIZES[1])
    return _fixed_block(title, _TITLE_SIZES[1], max(1, height // _line_height(smallest)))


def _fixed_block(text: str, size: int, max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """*text* wrapped at *size*, cut to *max_lines* lines with an ellipsis when it runs over."""
    font = _font(size)
    lines = _wrap(_clip(text), font, limit=max_lines + 1)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "\u2026") > _TEXT_WIDTH:
            last = last[:-1]
        lines[-1] = last.rstrip() + "\u2026"
    return font, lines


def _wrap(text: str, font: ImageFont.FreeTypeFont, limit: int | None = None) -> list[str]:
    """*text* broken into lines no wider than the text width: at spaces, inside a word only when it must.

    Stops after *limit* lines when given (the caller cuts the rest anyway).
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        pieces = _break_word(word, font) if font.getlength(word) > _TEXT_WIDTH else [word]
        for piece in pieces:
            candidate = f"{line} {piece}" if line else piece
            if line and font.getlength(candidate) > _TEXT_WIDTH:
                lines.append(line)
                candidate = piece
            line = candidate
        if limit is not None and len(lines) >= limit:
            return lines[:limit]
    return lines + ([line] if line else [])


def _break_word(word: str, font: ImageFont.FreeTypeFont) -> list[str]:
    """*word* cut into pieces that each fit the text width (a word with no spaces: a URL, Chinese, Japanese)."""
    pieces = []
    rest = word
    while rest and len(pieces) * _line_height(font) < GENERATED_SIDE:  # more would never be drawn
        low, high = 1, len(rest)
        while low < high:  # the longest prefix that fits, by bisection: a long word costs log n measurements
            middle = (low + high + 1) // 2
            low, high = (middle, high) if font.getlength(rest[:middle]) <= _TEXT_WIDTH else (low, middle - 1)
        pieces.append(rest[:low])
        rest = rest[low:]
    return pieces


def _draw_lines(draw: ImageDraw.ImageDraw, lines: Sequence[str], font: ImageFont.FreeTypeFont, top: int,
                fill: tuple[int, int, int]) -> int:
    """Draw *lines* centred, the first one's top at *top*; return the y just below the last."""
    for line in lines:
        left = (GENERATED_SIDE - font.getlength(line)) / 2
        draw.text((left, top), line, font=font, fill=fill, anchor="la")
        top += _line_height(font)
    return top
