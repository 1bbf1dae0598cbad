"""Words and their boxes from a photo or a scan: tesseract (Debian's tesseract-ocr, and -osd for the
page's orientation, both from scripts/install-system.sh), after the page is evened out and
straightened.

- Light is evened out by dividing the image by its own heavy blur, so shade and a desk around
  the page fade to white and only the print stays dark.
- Tilt is measured from the print itself: turned by the right angle, the rows of text line up,
  and the dark pixels counted row by row peak sharply (a projection profile).
- Orientation (a page upside down or on its side) is asked of tesseract only when the first
  reading is poor, because each pass of tesseract is the slow part.
"""
import io
import logging
import os
import re
import subprocess

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from devstack.llm.layout import Word

log = logging.getLogger("devstack.llm")
OCR_SECONDS = 60
MAX_SIDE = 2600           # larger photos are scaled down: more pixels only slow tesseract
MIN_TEXT_HEIGHT = 2200    # a page this tall (px) or more keeps 9 pt print legible to tesseract
PAGE_MODE = "11"          # sparse text: every word, wherever it is (a form's boxes too); rows are ours to find
POOR_READING = 0.55       # below this mean word confidence, ask for the orientation and read again


def image_words(data: bytes) -> list[Word]:
    try:
        image = open_image(data)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        log.info("an image could not be opened")
        return []
    return page_words(image)


def open_image(data: bytes) -> Image.Image:
    if data[4:8] == b"ftyp":   # HEIC/HEIF, as iPhones take photos
        import pillow_heif

        pillow_heif.register_heif_opener()
    image = Image.open(io.BytesIO(data))
    return ImageOps.exif_transpose(image).convert("L")


def page_words(image: Image.Image) -> list[Word]:
    page = straighten(even_out(fit(image)))
    words = tesseract_words(page)
    if _mean_confidence(words) < POOR_READING:
        turn = orientation(page)
        if turn:
            words = tesseract_words(page.rotate(turn, expand=True, fillcolor=255))
    return words


def fit(image: Image.Image) -> Image.Image:
    scale = min(MAX_SIDE / max(image.size), max(1.0, MIN_TEXT_HEIGHT / max(image.size)))
    if abs(scale - 1) < 0.05:
        return image
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.LANCZOS)


def even_out(image: Image.Image) -> Image.Image:
    """The image divided by its background: white paper, dark print, whatever the light."""
    background = image.filter(ImageFilter.GaussianBlur(max(8, image.width // 80)))
    pixels = np.asarray(image, dtype=np.float32)
    flat = pixels * 255 / np.maximum(np.asarray(background, dtype=np.float32), 1)
    return Image.fromarray(np.clip(flat, 0, 255).astype(np.uint8))


def skew(image: Image.Image, span: float = 8, step: float = 0.5) -> float:
    """The angle (degrees, counter-clockwise) that levels the rows of print."""
    small = image.resize((600, max(1, round(600 * image.height / image.width))))
    ink = Image.fromarray(((np.asarray(small) < 150) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        profile = np.asarray(ink.rotate(angle, resample=Image.Resampling.BILINEAR), dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    coarse = max(np.arange(-span, span + step, step), key=sharpness)
    return float(max(np.arange(coarse - step, coarse + step + 0.01, 0.1), key=sharpness))


def straighten(image: Image.Image) -> Image.Image:
    angle = skew(image)
    if abs(angle) < 0.15:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def orientation(image: Image.Image) -> int:
    """How far to turn the page (0, 90, 180, 270) by tesseract's orientation detection; 0 if unsure."""
    out = _tesseract(image, ["--psm", "0"])
    match = re.search(r"Rotate: (\d+)", out)
    confident = re.search(r"Orientation confidence: ([\d.]+)", out)
    if not match or not confident or float(confident.group(1)) < 2:
        return 0
    return int(match.group(1))


def tesseract_words(image: Image.Image) -> list[Word]:
    """The words of tesseract's TSV (its level 5 rows), with their boxes and confidences."""
    words = []
    for line in _tesseract(image, ["--psm", PAGE_MODE, "tsv"]).splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) != 12 or parts[0] != "5" or not parts[11].strip():
            continue
        left, top, width, height = (int(p) for p in parts[6:10])
        text = parts[11].strip()
        if re.fullmatch(r"[|_\-=~—.,:;'\"`]+", text):
            continue   # a form's rules and boxes, read as strokes
        words.append(Word(text, left, top, left + width, top + height, max(0.0, float(parts[10])) / 100))
    return words


def _tesseract(image: Image.Image, arguments: list[str]) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    try:   # OMP_THREAD_LIMIT=1: tesseract's threads only slow one small page down
        done = subprocess.run(["tesseract", "stdin", "stdout", *arguments], input=buffer.getvalue(),
                              capture_output=True, timeout=OCR_SECONDS, env=os.environ | {"OMP_THREAD_LIMIT": "1"})
    except FileNotFoundError:
        log.warning("tesseract is not installed (run scripts/install-system.sh): photos read as empty")
        return ""
    except subprocess.TimeoutExpired:
        return ""
    return done.stdout.decode(errors="replace") if done.returncode == 0 else ""


def _mean_confidence(words: list[Word]) -> float:
    return sum(w.confidence for w in words) / len(words) if len(words) >= 5 else 0.0
