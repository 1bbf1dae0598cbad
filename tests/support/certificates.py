"""Certificates with known contents, as a pet owner uploads them: a text PDF (fpdf2), a scan-like
photo that tesseract reads, and a plain photo of a given format and size."""
import io

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont


def certificate_pdf(*lines: str) -> bytes:
    """A one-page PDF with one line of text per argument."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def certificate_photo(*lines: str) -> bytes:
    """A clean scan-like JPEG: large type on white, which tesseract reads reliably."""
    font = ImageFont.load_default(size=40)
    image = Image.new("RGB", (1400, 100 + 70 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((60, 50 + 70 * row), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def photo(image_format: str, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A plain photo in one colour: bytes of a real image, no text to read."""
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, image_format)
    return out.getvalue()
