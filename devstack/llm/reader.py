"""A document's words with their positions: a PDF's own text by character boxes (pypdfium2), read
by where each character sits rather than the order the file draws them (a form's typed values are
often drawn after all its printed labels); a page with no text (a scan) or a photo through OCR.

Unreadable input gives no words, never an error: the reader then answers with nulls.
"""
import logging

import pypdfium2 as pdfium

from devstack.llm.layout import Word
from devstack.llm.ocr import image_words, page_words

log = logging.getLogger("devstack.llm")
SCAN_DPI = 220
MIN_TEXT_CHARACTERS = 20   # fewer on a page means its text is in an image
LOOSE_INSET = 0.125


def document_words(media_type: str, data: bytes) -> list[list[Word]]:
    """The words of each page."""
    if media_type == "application/pdf":
        return pdf_words(data)
    if media_type.startswith("image/"):
        return [image_words(data)]
    return []


def pdf_words(data: bytes) -> list[list[Word]]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        log.info("a PDF could not be read")
        return []
    try:
        return [page_text_words(document[index]) for index in range(min(len(document), 4))]
    finally:
        document.close()


def page_text_words(page: pdfium.PdfPage) -> list[Word]:
    text_page = page.get_textpage()
    count = text_page.count_chars()
    if count < MIN_TEXT_CHARACTERS:
        return page_words(page.render(scale=SCAN_DPI / 72).to_pil().convert("L"))
    height = page.get_height()
    text = text_page.get_text_range(0, count)
    words: list[Word] = []
    current: list[tuple[str, tuple[float, float, float, float]]] = []
    for index in range(min(count, len(text))):
        char = text[index]
        box = text_page.get_charbox(index, loose=True)
        if char.isspace() or (current and _apart(current[-1][1], box)):
            _flush(current, words, height)
            current = []
        if not char.isspace():
            current.append((char, box))
    _flush(current, words, height)
    return words


def _apart(last: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    """Two characters of different words: a gap, or not on one line (boxes are left, bottom, right, top)."""
    size = max(last[3] - last[1], box[3] - box[1], 1.0)
    return box[0] - last[2] > 0.3 * size or box[0] < last[0] - 0.5 * size or abs(box[1] - last[1]) > 0.5 * size


def _flush(chars: list, words: list[Word], page_height: float) -> None:
    if not chars:
        return
    boxes = [box for _, box in chars]
    top = page_height - max(b[3] for b in boxes)
    bottom = page_height - min(b[1] for b in boxes)
    # loose boxes span the font's ascent to descent: three quarters of that is what OCR's tight boxes give
    inset = (bottom - top) * LOOSE_INSET
    words.append(Word("".join(c for c, _ in chars), min(b[0] for b in boxes), top + inset,
                      max(b[2] for b in boxes), bottom - inset))
