"""Find and load the book's cover image, ready to embed in MP3 and M4B files.

This is the only module that imports Pillow. The real image type is detected from
the bytes, never from the file extension, and an oversized image is scaled down to
the distributors' limit (Apple, Google and ACX ask for 1400-3000 px, square). An image
of more than MAX_PIXELS is refused from its header, before a byte of it is decoded:
decoding takes 3-4 bytes a pixel, so a 10000x10000 cover would take over 400 MB.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

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
