"""Certificates with known contents, as a pet owner uploads them: a text PDF (fpdf2), a scan-like
photo that tesseract reads, either with a table of several vaccinations, the same photo as an
iPhone's HEIC, and a plain photo of a given format and size (HEIF too)."""
import io

import pillow_heif
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

pillow_heif.register_heif_opener()   # Pillow reads and writes HEIC/HEIF with it
COLUMN_MM, COLUMN_PX = 45, 330       # a table's column width on the page and in the photo


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


def certificate_table_pdf(lines: list[str], header: list[str], rows: list[list[str]]) -> bytes:
    """A one-page PDF: the lines, then a table (one vaccination a row) under its header row."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 9, line, new_x="LMARGIN", new_y="NEXT")
    for row in [header, *rows]:
        for cell in row:
            pdf.cell(COLUMN_MM, 9, cell)
        pdf.ln(9)
    return bytes(pdf.output())


def certificate_table_photo(lines: list[str], header: list[str], rows: list[list[str]]) -> bytes:
    """The same as a clean scan-like JPEG: large type on white, the table's columns aligned."""
    font = ImageFont.load_default(size=34)
    table = [header, *rows]
    image = Image.new("RGB", (max(1400, 60 + COLUMN_PX * len(header)), 100 + 64 * (len(lines) + len(table))), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((60, 50 + 64 * row), line, fill="black", font=font)
    for row, cells in enumerate(table, start=len(lines)):
        for column, cell in enumerate(cells):
            draw.text((60 + COLUMN_PX * column, 50 + 64 * row), cell, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def as_heic(photo_bytes: bytes) -> bytes:
    """A photo as an iPhone saves it by default."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo_bytes)).save(out, "HEIF", quality=90)
    return out.getvalue()
