"""A printed certificate as a person uploads it: a scan (a page image inside a PDF), a phone photo
(tilted a few degrees, on a desk, unevenly lit, blurred, noisy, JPEG) or the same photo as HEIC."""
import io
import random

import numpy as np
import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image, ImageFilter


def page_image(pdf: bytes, dpi: int) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def scan(pdf: bytes, rng: random.Random) -> bytes:
    """A flatbed scan: grey, a little rotated and speckled, embedded whole in a PDF page."""
    image = page_image(pdf, rng.choice([150, 200])).convert("L")
    image = image.rotate(rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    image = _noise(image, rng.uniform(4, 10), rng)
    out = FPDF(unit="pt", format=(image.width * 72 / 150, image.height * 72 / 150))
    out.add_page()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.choice([70, 80, 90]))
    out.image(buffer, 0, 0, out.w, out.h)
    return bytes(out.output())


def photo_image(pdf: bytes, rng: random.Random) -> Image.Image:
    """The page photographed: on a desk, tilted ±2-6° and a little askew, with a light gradient, blur and
    sensor noise."""
    page = page_image(pdf, rng.choice([160, 180, 200]))
    angle = rng.choice([-1, 1]) * rng.uniform(2, 6)
    desk = tuple(rng.randint(60, 140) for _ in range(3))
    margin = int(page.width * rng.uniform(0.04, 0.1))
    canvas = Image.new("RGB", (page.width + 2 * margin, page.height + 2 * margin), desk)
    tint = Image.new("RGB", page.size, tuple(rng.randint(235, 255) for _ in range(3)))
    canvas.paste(Image.blend(page, tint, 0.12), (margin, margin))
    canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=desk)
    canvas = _keystone(canvas, rng, desk)
    canvas = _shade(canvas, rng)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.1)))
    return _noise(canvas, rng.uniform(4, 12), rng)


def photo(pdf: bytes, rng: random.Random) -> bytes:
    out = io.BytesIO()
    photo_image(pdf, rng).save(out, "JPEG", quality=rng.choice([72, 80, 88]))
    return out.getvalue()


def heic(pdf: bytes, rng: random.Random) -> bytes:
    import pillow_heif  # only the HEIC photos need it

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    photo_image(pdf, rng).save(out, "HEIF", quality=rng.choice([70, 85]))
    return out.getvalue()


def _keystone(image: Image.Image, rng: random.Random, fill: tuple[int, ...]) -> Image.Image:
    """The phone held not quite square to the page: each corner pulled in up to 3 % of the page's size."""
    width, height = image.size
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    moved = [(x + rng.uniform(-0.03, 0.03) * width, y + rng.uniform(-0.03, 0.03) * height) for x, y in corners]
    return image.transform(image.size, Image.Transform.PERSPECTIVE, _perspective(corners, moved),
                           Image.Resampling.BICUBIC, fillcolor=fill)


def _perspective(target: list[tuple[float, float]], source: list[tuple[float, float]]) -> list[float]:
    """The eight coefficients Pillow takes: for each output corner, where it samples the input."""
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    return list(np.linalg.solve(np.array(rows), np.array([c for point in source for c in point])))


def _shade(image: Image.Image, rng: random.Random) -> Image.Image:
    """Light falling off across the page, as from a window on one side."""
    pixels = np.asarray(image).astype(np.float32)
    ramp = np.linspace(1.0, rng.uniform(0.7, 0.9), pixels.shape[1], dtype=np.float32)
    ramp = ramp if rng.random() < 0.5 else ramp[::-1]
    shaded = pixels * (ramp[None, :, None] if pixels.ndim == 3 else ramp[None, :])
    return Image.fromarray(np.clip(shaded, 0, 255).astype(np.uint8))


def _noise(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image).astype(np.float32)
    grain = np.random.default_rng(rng.randint(0, 2**31)).normal(0, sigma, pixels.shape)
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))
