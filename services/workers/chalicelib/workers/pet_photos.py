"""What happens when a pet's photo lands under photos/: judged, made square, shown.

The upload is judged like a certificate (its real size and magic bytes, then opened: a JPEG, PNG
or HEIC/HEIF photo that decodes), made into the pet's one square picture at its stable key, and
deleted. The picture carries the upload's time as S3 metadata, and the pet's "pet-photo" item
(the dashboard's) is derived from that object alone: `reconcile_photos` rebuilds every one from
S3. A refused file leaves a short-lived "pet-photo-refused" item with the reason, for the person
who uploaded it; the photo shown before, if any, stays.

Events come at least once and out of order: an upload older than the picture shown is dropped, a
redelivered one finds its upload gone, and a pet removed meanwhile gets no picture.
"""
import logging
from datetime import UTC, timedelta

from chalicelib.workers.objects import Head
from chalicelib.workers.thumbnails import Unreadable, square_photo
from chalicelib.workers.upload_checks import SNIFF_BYTES, check_size, detect
from chalicelib.workers.workplace import Workplace
from pawport.keys import PET_SK, household_key, pet_key, pet_photo_refused_sk, pet_photo_sk
from pawport.pet_photos import (
    NOT_A_PHOTO,
    PHOTO_KIND,
    PHOTO_MAX_BYTES,
    PHOTO_TYPES,
    REFUSED_KIND,
    PhotoKey,
    is_shown_photo,
    shown_photo,
)
from pawport.s3_events import StoredObject
from pawport.store import Delete, Item, Put

log = logging.getLogger(__name__)
UPLOADED_AT = "uploaded-at"      # the S3 metadata name on the picture: when its photo was uploaded
REFUSAL_DAYS = 1                 # long enough for the uploader to see why; nothing to keep after


def handle_photo(stored: StoredObject, place: Workplace) -> dict:
    """Take one uploaded photo as far as it goes; safe to call again for the same object."""
    try:
        key = PhotoKey.parse(stored.key)
    except ValueError:
        log.info("skipped %s: not a pet photo key (photos/<household>/<pet>/<upload>)", stored.key)
        return {"skipped": "not a pet photo key"}
    if stored.bucket != place.uploads_bucket:
        return {"skipped": "not the uploads bucket"}
    head = place.objects.head(place.uploads_bucket, str(key))
    if head is None:
        return {"skipped": "already judged"}   # a redelivery: the upload is deleted once judged
    uploaded_at = head.last_modified.astimezone(UTC).isoformat(timespec="microseconds")
    outcome = _judge(key, head, uploaded_at, place)
    place.objects.delete(place.uploads_bucket, str(key))
    log.info("pet photo %s: %s", key, outcome)
    return {"upload_id": key.upload_id, "status": outcome}


def _judge(key: PhotoKey, head: Head, uploaded_at: str, place: Workplace) -> str:
    if not _pet_lives(place, key):
        return "pet removed"
    shown = place.store.get(household_key(key.household_id), pet_photo_sk(key.pet_id), consistent=True)
    if shown is not None and shown.body["uploaded_at"] > uploaded_at:
        return "superseded"   # a newer photo was shown first
    refused = check_size(head.size, PHOTO_MAX_BYTES)
    if refused:   # no large read to refuse it
        return _refuse(key, refused.reason or "", uploaded_at, place)
    data = place.objects.read(place.uploads_bucket, str(key))
    if data is None:
        return "gone"
    if detect(data[:SNIFF_BYTES]) not in PHOTO_TYPES:
        return _refuse(key, NOT_A_PHOTO, uploaded_at, place)
    try:
        picture = square_photo(data)
    except Unreadable as unreadable:
        return _refuse(key, str(unreadable), uploaded_at, place)
    return _show(key, picture, uploaded_at, place)


def _show(key: PhotoKey, picture: bytes, uploaded_at: str, place: Workplace) -> str:
    pk = household_key(key.household_id)
    place.store.write(Delete(pk, pet_photo_refused_sk(key.pet_id)))   # first: no new picture beside an old refusal
    place.objects.put(place.uploads_bucket, key.shown, picture, "image/jpeg", metadata={UPLOADED_AT: uploaded_at})
    place.store.write(Put(photo_item(key.household_id, key.pet_id, uploaded_at)))
    if not _pet_lives(place, key):   # removed while this ran: its files went before this picture came
        place.objects.delete(place.uploads_bucket, key.shown)
        place.store.write(Delete(pk, pet_photo_sk(key.pet_id)))
        return "pet removed"
    return "shown"


def _refuse(key: PhotoKey, reason: str, uploaded_at: str, place: Workplace) -> str:
    expires = place.clock() + timedelta(days=REFUSAL_DAYS)
    body = {"pet_id": key.pet_id, "upload_id": key.upload_id, "reason": reason, "uploaded_at": uploaded_at}
    place.store.write(Put(Item(household_key(key.household_id), pet_photo_refused_sk(key.pet_id), REFUSED_KIND, 0,
                               body, expires_at=expires)))
    return "refused"


def photo_item(household_id: str, pet_id: str, uploaded_at: str) -> Item:
    """The pet's "pet-photo" item, as its picture in S3 says: the live path and the rebuild make the same."""
    return Item(household_key(household_id), pet_photo_sk(pet_id), PHOTO_KIND, 0,
                {"pet_id": pet_id, "photo_key": shown_photo(household_id, pet_id), "uploaded_at": uploaded_at})


def _pet_lives(place: Workplace, key: PhotoKey) -> bool:
    home = place.store.get(pet_key(key.pet_id), PET_SK, consistent=True)
    return home is not None and home.body.get("household_id") == key.household_id


def reconcile_photos(place: Workplace) -> dict:
    """Every pet's "pet-photo" item written again from the pictures S3 holds (their rebuild path)."""
    written = 0
    for key in place.objects.keys(place.uploads_bucket, "thumbnails/"):
        head = place.objects.head(place.uploads_bucket, key) if is_shown_photo(key) else None
        if head is not None and UPLOADED_AT in head.metadata:
            _, household_id, pet_id, _ = key.split("/")
            place.store.write(Put(photo_item(household_id, pet_id, head.metadata[UPLOADED_AT])))
            written += 1
    return {"photos": written}
