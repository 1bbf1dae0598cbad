"""Thumbnails: a small JPEG preview of an upload (a PDF's first page). Bytes in, bytes out.

Opening the file is also the readability check: a PDF or photo that cannot be opened here is
"needs manual entry" (the original is kept), and no extraction job is spent on it.
"""
import io

import pypdfium2 as pdfium
from PIL import Image, ImageOps

MAX_SIDE = 320
JPEG_QUALITY = 80
# Pillow has no HEIC decoder without a plugin: such photos are kept and extracted, not previewed.
NO_HEIC_PREVIEW = "no preview for HEIC photos; the photo itself is kept"


class Unreadable(Exception):
    """An accepted type that cannot be opened; str(error) is the reason, for the uploader."""


def thumbnail_size(width: int, height: int, max_side: int = MAX_SIDE) -> tuple[int, int]:
    """The size that fits max_side on the longer side, keeping the aspect ratio; never enlarged."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_thumbnail(data: bytes, content_type: str) -> bytes | None:
    """A JPEG at most MAX_SIDE px on its longer side; None for HEIC (see NO_HEIC_PREVIEW)."""
    if content_type == "image/heic":
        return None
    if content_type == "application/pdf":
        return _jpeg(_first_page(data))
    try:
        return _jpeg(_photo(data))
    except Image.DecompressionBombError as error:
        raise Unreadable("the photo has too many pixels to open safely") from error
    except (OSError, SyntaxError, ValueError) as error:  # what Pillow raises for damaged files
        raise Unreadable("the photo could not be opened; the file may be damaged") from error


def _photo(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    # JPEGs decode at a reduced scale (up to 1/8): a 48 MP photo never needs its full size in memory.
    image.draft("RGB", (MAX_SIDE, MAX_SIDE))
    image.load()  # decodes now, so a truncated file fails here rather than half-drawn
    return ImageOps.exif_transpose(image)  # phones record rotation in EXIF instead of turning pixels


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
