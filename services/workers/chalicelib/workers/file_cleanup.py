"""Files go with the items that hold them: a draft's upload and thumbnail when the draft expires
unapproved, a record's document and thumbnail when the record is deleted. Read from the table's
stream, as mail is.

- A draft's REMOVE made by DynamoDB's TTL process (its userIdentity is the DynamoDB service) means
  nobody approved it in its days. An approved draft is deleted by control's outbox instead, and its
  file lives on as the record's document (record.document_key is the draft's upload key).
- A record item's REMOVE means the record left Aurora: control's outbox (or a rebuild) removes a
  record item only then.
- A pet's removal notice (PETREMOVED#<pet>, put by control's outbox when the pet left Aurora with its
  records): every upload and thumbnail under the pet's prefixes goes (its photo too), and so do its
  drafts, its document counter and its photo items.

Twice and out of order are both safe: a file is deleted only while no record item of the household
names it (an approved draft whose outbox delete came late and whose TTL fired first keeps its file),
deleting an absent object succeeds, and the pet's document counter is rebuilt from what is left."""
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.workers import uploads
from chalicelib.workers.work_items import DRAFT_KIND
from chalicelib.workers.workplace import Workplace
from pawport.documents import UploadKey, is_household_file
from pawport.keys import (
    document_count_sk,
    draft_sk,
    household_key,
    pet_photo_refused_sk,
    pet_photo_sk,
    record_sk,
)
from pawport.store import Delete, item_of_image

log = logging.getLogger(__name__)
TTL_SERVICE = "dynamodb.amazonaws.com"
RECORD_KIND, PET_REMOVAL_KIND = "record", "pet-removal"
PET_PREFIXES = ("uploads", "thumbnails", "photos")   # a pet's picture is a thumbnails/ key (pawport/pet_photos.py)
HOUSEHOLD_PREFIX = household_key("")


@dataclass(frozen=True)
class Leftover:
    """The files a removed item leaves in the uploads bucket."""
    household_id: str
    pet_id: str
    keys: tuple[str, ...]


def leftovers(records: Iterable[dict]) -> list[Leftover]:
    """What a stream batch's removals leave behind: expired drafts' and deleted records' files. Keys
    that are not the household's uploads or thumbnails (a rejected draft's quarantined copy, which the
    bucket's lifecycle rule expires) are never touched."""
    found = []
    for record in records:
        image = record["dynamodb"].get("OldImage")
        if record["eventName"] != "REMOVE" or not image:
            continue
        old = item_of_image(image)
        if not old.pk.startswith(HOUSEHOLD_PREFIX):
            continue
        if old.kind == DRAFT_KIND and by_ttl(record):
            keys = [old.body.get("document_key"), old.body.get("thumbnail_key")]
        elif old.kind == RECORD_KIND and old.body.get("document_key"):
            keys = [old.body["document_key"], *_thumbnail_of(old.body["document_key"])]
        else:
            continue
        household = old.pk.removeprefix(HOUSEHOLD_PREFIX)
        mine = tuple(k for k in keys if k and is_household_file(k, household))
        if mine:
            found.append(Leftover(household, old.body["pet_id"], mine))
    return found


def by_ttl(record: dict) -> bool:
    identity = record.get("userIdentity") or {}
    return identity.get("type") == "Service" and identity.get("principalId") == TTL_SERVICE


def removed_pets(records: Iterable[dict]) -> list[tuple[str, str]]:
    """(household, pet) of each removal notice the batch put."""
    found = []
    for record in records:
        image = record["dynamodb"].get("NewImage")
        if record["eventName"] == "INSERT" and image and (new := item_of_image(image)).kind == PET_REMOVAL_KIND \
                and new.pk.startswith(HOUSEHOLD_PREFIX):
            found.append((new.pk.removeprefix(HOUSEHOLD_PREFIX), new.body["pet_id"]))
    return found


def delete_pet_files(place: Workplace, household_id: str, pet_id: str) -> int:
    """Everything a removed pet leaves: its uploads and thumbnails, its drafts, its counter. Deleting
    what is already gone succeeds, so a redelivered notice changes nothing."""
    keys = [key for prefix in PET_PREFIXES for key in place.objects.keys(place.uploads_bucket,
                                                                           f"{prefix}/{household_id}/{pet_id}/")]
    for key in keys:
        if is_household_file(key, household_id, PET_PREFIXES):
            place.objects.delete(place.uploads_bucket, key)
    pk = household_key(household_id)
    for draft in place.store.query(pk, sk_prefix=draft_sk("")):
        if draft.body.get("pet_id") == pet_id:
            place.store.write(Delete(pk, draft.sk))
    for sk in (document_count_sk(pet_id), pet_photo_sk(pet_id), pet_photo_refused_sk(pet_id)):
        place.store.write(Delete(pk, sk))
    return len(keys)


def delete_leftovers(records: Iterable[dict], place: Workplace) -> int:
    """Delete the files the batch's removals leave behind; how many keys were deleted."""
    records = list(records)
    gone = set(removed_pets(records))
    deleted = sum(delete_pet_files(place, household, pet) for household, pet in gone)
    for leftover in leftovers(records):
        in_use = _in_use(place, leftover.household_id)
        kept = [key for key in leftover.keys if key in in_use]
        if kept:
            log.info("kept %s: a record of household %s names it", ", ".join(kept), leftover.household_id)
        for key in leftover.keys:
            if key not in in_use:
                place.objects.delete(place.uploads_bucket, key)
                deleted += 1
        if len(kept) < len(leftover.keys) and (leftover.household_id, leftover.pet_id) not in gone:
            uploads.reconcile_document_count(leftover.household_id, leftover.pet_id, place)
    return deleted


def _in_use(place: Workplace, household_id: str) -> set[str]:
    """Every document (and its thumbnail) a record item of the household names now."""
    documents = {item.body.get("document_key") for item in
                 place.store.query(household_key(household_id), sk_prefix=record_sk(""), attributes=["body"])}
    return {key for document in documents if document for key in (document, *_thumbnail_of(document))}


def _thumbnail_of(document_key: str) -> list[str]:
    try:
        return [UploadKey.parse(document_key).thumbnail]
    except ValueError:
        return []
