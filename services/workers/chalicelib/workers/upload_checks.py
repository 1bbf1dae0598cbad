"""Arrival checks: what an uploaded file really is, and whether it may be kept. Pure functions.

The presigned POST policy limits the declared Content-Type and the size, but AWS never looks at
the bytes (and moto enforces nothing), so every file is judged here by its real size and its
magic bytes. Reasons are written for the person who uploaded the file.
"""
from dataclasses import dataclass

from pawport.documents import MAX_BYTES

# How much of the file the type checks read: an ISO-BMFF `ftyp` box (HEIC) lists its brands
# in its first few dozen bytes; 4 KiB covers any real list.
SNIFF_BYTES = 4096

# ISO-BMFF brands of HEIF images (HEVC-coded, or the generic image brands `mif1`/`msf1`).
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
GENERIC_HEIF_BRANDS = {b"mif1", b"msf1"}

# Files people upload by mistake, named so the reason says what the file is.
OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive"), (b"PK\x05\x06", "a ZIP archive"),
    (b"Rar!\x1a\x07", "a RAR archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
    (b"\x7fELF", "a program"), (b"MZ", "a Windows program"),
)


@dataclass(frozen=True)
class Verdict:
    content_type: str | None   # the accepted type the bytes really are; None when refused
    reason: str | None = None  # why the file was refused, in words for the uploader

    @property
    def accepted(self) -> bool:
        return self.content_type is not None


def check_size(size: int, max_bytes: int = MAX_BYTES) -> Verdict | None:
    """A refusal when the real size is outside 1 B..max_bytes (a certificate's 20 MiB); None when it is fine."""
    if size <= 0:
        return Verdict(None, "the file is empty")
    if size > max_bytes:
        shown, limit = format_size(size), format_size(max_bytes)
        return Verdict(None, f"the file is {'just over ' if shown == limit else ''}{shown}; the limit is {limit}")
    return None


def check(size: int, head: bytes) -> Verdict:
    """Judge a file by its real size and its first bytes (at least SNIFF_BYTES of them, if it has them)."""
    refused = check_size(size)
    if refused:
        return refused
    content_type = detect(head)
    if content_type:
        return Verdict(content_type)
    return Verdict(None, f"this file is {describe(head)}, not a PDF or photo (JPEG, PNG, WebP or HEIC)")


def detect(head: bytes) -> str | None:
    """The accepted content type the bytes are, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if _is_heic(head):
        return "image/heic"
    return None


def describe(head: bytes) -> str:
    """What a refused file seems to be, as the end of "this file is …"."""
    for signature, what in OTHER_SIGNATURES:
        if head.startswith(signature):
            return what
    brands = _ftyp_brands(head)
    if brands and b"avif" in brands:
        return "an AVIF image"
    if brands:
        return "a video or another media file"
    if _looks_like_text(head):
        return "a text file"
    return "of a kind we cannot read"


def format_size(size: int) -> str:
    """Sizes as people read them: "812 bytes", "340.2 KB", "25.3 MB" (binary units)."""
    if size < 1024:
        return f"{size} bytes"
    value, unit = (size / 1024, "KB") if size < 1024 * 1024 else (size / (1024 * 1024), "MB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def _is_heic(head: bytes) -> bool:
    brands = _ftyp_brands(head)
    if not brands:
        return False
    major, compatible = brands[0], set(brands[1:])
    if major in HEIC_BRANDS:
        return True
    # A generic HEIF brand is HEIC unless its compatible brands say AVIF (AV1-coded) instead.
    return major in GENERIC_HEIF_BRANDS and (bool(compatible & HEIC_BRANDS) or b"avif" not in compatible)


def _ftyp_brands(head: bytes) -> list[bytes]:
    """The major brand then the compatible brands of a leading ISO-BMFF `ftyp` box; [] if none."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return []
    box_end = min(int.from_bytes(head[:4], "big"), len(head))
    compatible = [head[i:i + 4] for i in range(16, box_end - 3, 4)]
    return [head[8:12], *compatible]


def _looks_like_text(head: bytes) -> bool:
    # The cut at 512 bytes may split a multi-byte character: only a trailing bad sequence is forgiven.
    text = head[:512].decode("utf-8", "replace").rstrip("\ufffd")
    return bool(text) and all(c.isprintable() or c in "\r\n\t" for c in text)
