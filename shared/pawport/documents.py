"""Certificates: what may be uploaded, where each object lives, and the draft a file becomes.

S3 keys, all under the household's own prefix (storage isolation):
    uploads/<household>/<pet>/<upload id>/<file name>       the file as uploaded (bucket notification)
    thumbnails/<household>/<pet>/<upload id>.jpg            made by workers
    quarantine/<household>/<pet>/<upload id>/<file name>    refused on arrival (kept, with the reason)
    readable/<household>/<pet>/<upload id>.jpg              a HEIC/HEIF photo as JPEG, for the reader (until it answers)
A pet's own photo lives beside these (pawport/pet_photos.py): photos/<household>/<pet>/<upload id>.
"""
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

MAX_BYTES = 20 * 1024 * 1024
ContentType = Literal["application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]
CONTENT_TYPES: tuple[str, ...] = get_args(ContentType)
HEIF_TYPES = ("image/heic", "image/heif")   # read as a JPEG copy: chat models take JPEG, PNG and WebP
DRAFT_DAYS = 14
SEGMENTS = {"uploads": 5, "thumbnails": 4, "quarantine": 5, "photos": 4}   # parts per kind of key (photos: pawport.pet_photos)


class DraftStatus(StrEnum):
    CHECKING = "checking"                      # uploaded; workers are validating it
    EXTRACTING = "extracting"                  # handed to egress
    READY = "ready"                            # fields read; waiting for review
    NEEDS_MANUAL_ENTRY = "needs-manual-entry"  # unreadable or the LLM failed; file kept
    REJECTED = "rejected"                      # wrong type or size: quarantined, reason given
    DUPLICATE = "duplicate"                    # same bytes as a document the household has
    NEEDS_REVIEW = "needs-review"              # shown, never stored: read, but a check before approval flagged it


@dataclass(frozen=True)
class UploadKey:
    household_id: str
    pet_id: str
    upload_id: str
    file_name: str

    def __str__(self) -> str:
        return f"uploads/{self.household_id}/{self.pet_id}/{self.upload_id}/{self.file_name}"

    @property
    def thumbnail(self) -> str:
        return f"thumbnails/{self.household_id}/{self.pet_id}/{self.upload_id}.jpg"

    @property
    def reading_copy(self) -> str:
        return f"readable/{self.household_id}/{self.pet_id}/{self.upload_id}.jpg"

    @property
    def quarantine(self) -> str:
        return f"quarantine/{self.household_id}/{self.pet_id}/{self.upload_id}/{self.file_name}"

    @classmethod
    def parse(cls, key: str) -> "UploadKey":
        parts = key.split("/")
        if len(parts) != 5 or parts[0] != "uploads" or not all(parts[1:]):
            raise ValueError(f"not an upload key: {key!r}")
        return cls(*parts[1:])


def is_household_file(key: str, household_id: str, prefixes: tuple[str, ...] = ("uploads", "thumbnails")) -> bool:
    """Whether the key is an upload or a thumbnail (of those prefixes) of this household, in the layout
    above: the check before a URL is signed for it, or before it is deleted."""
    parts = key.split("/")
    return (parts[0] in prefixes and len(parts) == SEGMENTS.get(parts[0]) and parts[1] == household_id
            and not any(part in ("", ".", "..") for part in parts))


def safe_file_name(name: str) -> str:
    """A file name that is one path segment of plain characters (the user's name, tidied)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name.rsplit("/", 1)[-1]).strip(".-")
    return cleaned[:80] or "certificate"
