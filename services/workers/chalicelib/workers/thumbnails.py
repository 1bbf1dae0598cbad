"""Thumbnails: a small JPEG preview of an upload (a PDF's first page). Bytes in, bytes out.

Opening the file is also the readability check: a PDF or photo that cannot be opened here is
"needs manual entry" (the original is kept), and no extraction job is spent on it. HEIC and HEIF
photos (an iPhone's default) open through pillow-heif; the reader is sent a JPEG of them
(`reading_copy`), since chat models take JPEG, PNG and WebP only.
"""
import io

import pillow_heif
import pypdfium2 as pdfium
from PIL import Image, ImageOps

MAX_SIDE = 320
JPEG_QUALITY = 80
READING_SIDE = 3000        # enough for OCR and a vision model to read small print
READING_QUALITY = 90
PET_PHOTO_SIDE = 512       # a pet's picture: sharp as an avatar on a phone's screen, and on its passport

pillow_heif.register_heif_opener()


class Unreadable(Exception):
    """An accepted type that cannot be opened; str(error) is the reason, for the uploader."""


def thumbnail_size(width: int, height: int, max_side: int = MAX_SIDE) -> tuple[int, int]:
    """The size that fits max_side on the longer side, keeping the aspect ratio; never enlarged."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_thumbnail(data: bytes, content_type: str) -> bytes:
    """A JPEG at most MAX_SIDE px on its longer side."""
    if content_type == "application/pdf":
        return _jpeg(_first_page(data))
    return _jpeg(_photo(data, MAX_SIDE))


def reading_copy(data: bytes) -> bytes:
    """The photo as a JPEG for the reader (upright, at most READING_SIDE px on its longer side)."""
    image = _on_white(_photo(data, READING_SIDE))
    image.thumbnail((READING_SIDE, READING_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=READING_QUALITY)
    return out.getvalue()


def square_photo(data: bytes) -> bytes:
    """A pet's photo as a square JPEG (the middle of the picture, upright), PET_PHOTO_SIDE px at most."""
    image = _on_white(_photo(data, PET_PHOTO_SIDE))
    side = min(PET_PHOTO_SIDE, *image.size)
    square = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _photo(data: bytes, side: int) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        # JPEGs decode at a reduced scale (up to 1/8): a 48 MP photo never needs its full size in memory.
        image.draft("RGB", (side, side))
        image.load()  # decodes now, so a truncated file fails here rather than half-drawn
        return ImageOps.exif_transpose(image)  # phones record rotation in EXIF instead of turning pixels
    except Image.DecompressionBombError as error:
        raise Unreadable("the photo has too many pixels to open safely") from error
    except (OSError, SyntaxError, ValueError, RuntimeError) as error:  # what Pillow (and pillow-heif) raise
        raise Unreadable("the photo could not be opened; the file may be damaged") from error


def _first_page(data: bytes) -> Image.Image:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise Unreadable("the PDF is password-protected") from error
        raise Unreadable("the PDF could not be opened; the file may be damaged") from error
    try:
        if len(document) == 0:
            raise Unreadable("the PDF has no pages")
        page = document[0]
        width, height = page.get_size()
        if min(width, height) <= 0:
            raise Unreadable("the PDF's first page is empty")
        # Render straight at thumbnail size (sizes are in points); convert() copies the pixels
        # out of PDFium's buffer before the document is closed.
        return page.render(scale=MAX_SIDE / max(width, height)).to_pil().convert("RGB")
    except pdfium.PdfiumError as error:
        raise Unreadable("the PDF's first page could not be drawn; the file may be damaged") from error
    finally:
        document.close()


def _jpeg(image: Image.Image) -> bytes:
    flat = _on_white(image)
    small = flat.resize(thumbnail_size(*flat.size), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent areas become white rather than black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")
