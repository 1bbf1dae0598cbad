"""A pet's photo: what may be uploaded, and where it lives in the uploads bucket.

    photos/<household>/<pet>/<upload id>     the photo as uploaded (an S3 event; deleted once judged)
    thumbnails/<household>/<pet>/photo.jpg   the square picture shown: one per pet, a new photo overwrites it

The shown picture is the fact that the pet has a photo: workers keep a work item per pet
(HOUSEHOLD#<id>/PHOTO#<pet>, kind "pet-photo") saying so, which the dashboard reads; it is derived
from that object alone (its key, and the upload time workers store on it), so it can be rebuilt
from S3 at any time. Aurora holds nothing of photos. A refused upload leaves
HOUSEHOLD#<id>/PHOTOREFUSED#<pet> (kind "pet-photo-refused", TTL) with the reason.
"""
from dataclasses import dataclass
from typing import Literal, get_args

PHOTO_KIND = "pet-photo"
REFUSED_KIND = "pet-photo-refused"   # why the last photo uploaded was not used (TTL: a day)
NOT_A_PHOTO = "this file is not a photo (JPEG, PNG or HEIC)"
PHOTO_MAX_BYTES = 15 * 1024 * 1024   # a phone's full-size JPEG or HEIC, with room to spare
PhotoType = Literal["image/jpeg", "image/png", "image/heic", "image/heif"]
PHOTO_TYPES: tuple[str, ...] = get_args(PhotoType)
PHOTO_NAME = "photo.jpg"
PHOTOS_PREFIX = "photos/"


@dataclass(frozen=True)
class PhotoKey:
    household_id: str
    pet_id: str
    upload_id: str

    def __str__(self) -> str:
        return f"photos/{self.household_id}/{self.pet_id}/{self.upload_id}"

    @property
    def shown(self) -> str:
        return shown_photo(self.household_id, self.pet_id)

    @classmethod
    def parse(cls, key: str) -> "PhotoKey":
        parts = key.split("/")
        if len(parts) != 4 or parts[0] != "photos" or not all(parts[1:]):
            raise ValueError(f"not a pet photo key: {key!r}")
        return cls(*parts[1:])


def shown_photo(household_id: str, pet_id: str) -> str:
    """The stable key of the pet's picture (a thumbnails/ key of the household, like a draft's preview)."""
    return f"thumbnails/{household_id}/{pet_id}/{PHOTO_NAME}"


def is_shown_photo(key: str) -> bool:
    parts = key.split("/")
    return len(parts) == 4 and parts[0] == "thumbnails" and parts[3] == PHOTO_NAME and all(parts[1:3])
