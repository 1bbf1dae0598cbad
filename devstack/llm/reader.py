"""A document's text: pypdf for PDFs (OCR for the scans inside them), tesseract for photos.

Unreadable input gives empty text, never an error: the reader then answers with nulls.
"""
import io
import logging
import os
import subprocess

from pypdf import PdfReader

log = logging.getLogger("devstack.llm")
OCR_SECONDS = 30


def document_text(media_type: str, data: bytes) -> str:
    if media_type == "application/pdf":
        return pdf_text(data)
    if media_type.startswith("image/"):
        return image_text(data)
    return ""


def pdf_text(data: bytes) -> str:
    try:
        pages = PdfReader(io.BytesIO(data)).pages
        return "\n".join(page.extract_text() or "\n".join(image_text(image.data) for image in page.images)
                         for page in pages)
    except Exception:   # a damaged file can fail anywhere inside pypdf; for a reader that means "unreadable"
        log.info("a PDF could not be read")
        return ""


def image_text(data: bytes) -> str:
    """tesseract (Debian's tesseract-ocr, installed by scripts/install-system.sh) reads the image from stdin."""
    try:   # OMP_THREAD_LIMIT=1: tesseract's threads only slow one small page down
        done = subprocess.run(["tesseract", "stdin", "stdout"], input=data, capture_output=True,
                              timeout=OCR_SECONDS, env=os.environ | {"OMP_THREAD_LIMIT": "1"})
    except FileNotFoundError:
        log.warning("tesseract is not installed (run scripts/install-system.sh): photos read as empty")
        return ""
    except subprocess.TimeoutExpired:
        return ""
    return done.stdout.decode(errors="replace") if done.returncode == 0 else ""
