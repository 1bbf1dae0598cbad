"""Files go with the items that hold them: a draft's upload and thumbnail when the draft expires
unapproved, a record's document and thumbnail when the record is deleted. Read from the table's
stream, as mail is.

- A draft's REMOVE made by DynamoDB's TTL process (its userIdentity is the DynamoDB service) means
  nobody approved it in its days. An approved draft is deleted by control's outbox instead, and its
  file lives on as the record's document (record.document_key is the draft's upload key).
- A record item's REMOVE means the record left Aurora: control's outbox (or a rebuild) removes a
  record item only then.

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
from pawport.keys import household_key, record_sk
from pawport.store import item_of_image

log = logging.getLogger(__name__)
TTL_SERVICE = "dynamodb.amazonaws.com"
RECORD_KIND = "record"
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


def delete_leftovers(records: Iterable[dict], place: Workplace) -> int:
    """Delete the files the batch's removals leave behind; how many keys were deleted."""
    deleted = 0
    for leftover in leftovers(records):
        in_use = _in_use(place, leftover.household_id)
        kept = [key for key in leftover.keys if key in in_use]
        if kept:
            log.info("kept %s: a record of household %s names it", ", ".join(kept), leftover.household_id)
        for key in leftover.keys:
            if key not in in_use:
                place.objects.delete(place.uploads_bucket, key)
                deleted += 1
        if len(kept) < len(leftover.keys):
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
