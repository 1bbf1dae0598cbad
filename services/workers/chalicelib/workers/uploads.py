"""What happens when a certificate lands in S3, up to the draft.

A draft is created in `checking`, then leaves it exactly once:
    rejected            wrong size or type: moved to quarantine/, with the reason
    duplicate           the household already holds these bytes: no job, so no LLM call, no budget
    needs-manual-entry  an accepted type that cannot be opened: the original is kept, no job
    extracting          thumbnail made (and for a HEIC/HEIF photo a JPEG copy for the reader), handed
                        to egress (a synchronous invocation whose job carries no household data); its
                        answer makes the draft ready or needs-manual-entry
Leaving `checking` is one conditional DynamoDB transaction (draft, the pet's document counter,
the job lookup), so no delivery can count twice. What must follow it (removing a quarantined
original, having egress read the file) is resumed from the draft's status whenever the same event
comes again, e.g. after a crash between the two; a settled draft is never read again.
"""
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.workers import results, work_items
from chalicelib.workers.objects import Head
from chalicelib.workers.thumbnails import Unreadable, make_thumbnail, reading_copy
from chalicelib.workers.upload_checks import SNIFF_BYTES, check, check_size
from chalicelib.workers.workplace import Workplace
from pawport.contracts import DraftBody
from pawport.documents import DRAFT_DAYS, HEIF_TYPES, DraftStatus, UploadKey
from pawport.s3_events import StoredObject

log = logging.getLogger(__name__)
UPLOADS_PREFIX = "uploads/"
DUPLICATE_REASONS = {"record": "you already have a record with this same file",
                     "draft": "this same file is already waiting for review"}


def handle_upload(stored: StoredObject, place: Workplace) -> dict:
    """Take one uploaded object as far as it can go; safe to call again for the same object."""
    try:
        key = UploadKey.parse(stored.key)
    except ValueError:
        log.info("skipped %s: not an upload key (uploads/<household>/<pet>/<upload>/<file>)", stored.key)
        return {"skipped": "not an upload key"}
    if stored.bucket != place.uploads_bucket:
        log.info("skipped %s: bucket %s is not the uploads bucket", stored.key, stored.bucket)
        return {"skipped": "not the uploads bucket"}
    now = place.clock()
    draft = work_items.get_draft(place.store, key.household_id, key.upload_id)
    if draft is None:
        head = place.objects.head(place.uploads_bucket, str(key))
        if head is None:
            log.info("skipped %s: the object is gone (discarded before it was checked)", key)
            return {"skipped": "object gone"}
        draft = work_items.start_draft(place.store, key.household_id, key.upload_id, new_draft(key, head).stored(),
                                       now + timedelta(days=DRAFT_DAYS))
    if draft["status"] == DraftStatus.CHECKING:
        draft = _check(key, draft, place, now)
    if draft is not None:
        _follow_up(key, draft, place)
    return {"upload_id": key.upload_id, "status": draft["status"] if draft else None}


def new_draft(key: UploadKey, head: Head) -> DraftBody:
    """The draft's body while workers check the file; api lists it, control approves from it."""
    return DraftBody(upload_id=key.upload_id, pet_id=key.pet_id, status=DraftStatus.CHECKING, reason=None,
                     file_name=key.file_name, content_type=None, size=head.size, document_key=str(key),
                     thumbnail_key=None, content_hash=None, duplicate_of=None, fields=None,
                     uploaded_at=head.last_modified.astimezone(UTC).isoformat(timespec="seconds"))


def reconcile_document_count(household_id: str, pet_id: str, place: Workplace) -> int:
    """Rebuild a pet's live document counter from S3 (its reconciliation path) and return it.

    It counts what the live path counts: uploads kept under uploads/<household>/<pet>/ (refused
    files move to quarantine/). A file still being checked while this runs is counted here and
    then once more by its check; run it again later to settle such a race."""
    listed = place.objects.keys(place.uploads_bucket, f"{UPLOADS_PREFIX}{household_id}/{pet_id}/")
    count = document_counts(listed)[household_id, pet_id]
    work_items.set_document_count(place.store, household_id, pet_id, count)
    return count


def reconcile_document_counts(place: Workplace) -> dict:
    """The weekly run: every pet's counter rebuilt, as `reconcile_document_count` would, from one
    listing of uploads/ (one List request per 1,000 objects, and one write per pet listed).

    It cannot fix a counter whose pet has no object left under uploads/: that pet is not in the
    listing, so its counter keeps what it says (`reconcile_document_count` for that pet sets it to 0).
    The race with a file being checked is the same as there; the next week's run settles it."""
    counts = document_counts(place.objects.keys(place.uploads_bucket, UPLOADS_PREFIX))
    for (household_id, pet_id), count in counts.items():
        work_items.set_document_count(place.store, household_id, pet_id, count)
    return {"pets": len(counts), "documents": counts.total()}


def document_counts(keys: Iterable[str]) -> Counter[tuple[str, str]]:
    """Uploads per (household, pet) among the keys: only uploads/<household>/<pet>/<upload>/<file>
    counts, so thumbnails/, quarantine/ and stray keys do not; a pet with none counts 0."""
    return Counter((key.household_id, key.pet_id) for key in map(_upload_key, keys) if key is not None)


def _check(key: UploadKey, draft: dict, place: Workplace, now: datetime) -> dict | None:
    """Judge the file and move the draft out of `checking`; the draft as it now stands."""
    bucket, source = place.uploads_bucket, str(key)
    head = place.objects.head(bucket, source)
    refused = check_size(head.size) if head else None
    data = b"" if refused else place.objects.read(bucket, source) if head else None  # no 25 MB read to refuse it
    if data is None:
        log.info("%s vanished while being checked; its draft expires on its own", key)
        return draft
    verdict = refused or check(len(data), data[:SNIFF_BYTES])
    content_type = verdict.content_type
    if content_type is None:
        log.info("refused %s: %s", key, verdict.reason)
        place.objects.copy(bucket, source, bucket, key.quarantine)
        return _settle(key, draft, place, now, {"status": DraftStatus.REJECTED.value, "reason": verdict.reason,
                                                "document_key": key.quarantine})
    content_hash = hashlib.sha256(data).hexdigest()
    holder = work_items.claim_document(place.store, key.household_id, content_hash, key.upload_id,
                                       now + timedelta(days=DRAFT_DAYS))
    changes: dict[str, Any] = {"content_type": content_type, "content_hash": content_hash}
    try:
        thumbnail = make_thumbnail(data, content_type)
        reading = reading_copy(data) if content_type in HEIF_TYPES else None
    except Unreadable as unreadable:
        log.info("cannot open %s: %s", key, unreadable)
        changes |= {"status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "reason": str(unreadable)}
    else:
        place.objects.put(bucket, key.thumbnail, thumbnail, "image/jpeg")
        if reading:
            place.objects.put(bucket, key.reading_copy, reading, "image/jpeg")
        changes |= {"status": DraftStatus.EXTRACTING.value, "thumbnail_key": key.thumbnail, "reason": None}
    if holder:  # checked before any job exists: a duplicate costs no extraction
        changes |= {"status": DraftStatus.DUPLICATE.value, "duplicate_of": holder,
                    "reason": DUPLICATE_REASONS[holder["kind"]]}
    job = work_items.Job(key.upload_id, key.household_id, key.upload_id, key.pet_id) \
        if changes["status"] == DraftStatus.EXTRACTING else None
    return _settle(key, draft, place, now, changes, count=True, job=job)


def _settle(key: UploadKey, draft: dict, place: Workplace, now: datetime, changes: dict, *, count: bool = False,
            job: work_items.Job | None = None) -> dict | None:
    # The settled body must still be a draft body: a change that breaks it is never written.
    settled = DraftBody.model_validate(draft | changes).stored()
    changes = {name: settled[name] for name in changes}
    if work_items.settle_draft(place.store, key.household_id, key.upload_id, DraftStatus.CHECKING.value, changes, now,
                               count_pet=key.pet_id if count else None, job=job):
        log.info("draft %s: %s", key.upload_id, changes["status"])
        return draft | changes
    log.info("draft %s was settled by another delivery, or removed", key.upload_id)
    return work_items.get_draft(place.store, key.household_id, key.upload_id)


def _follow_up(key: UploadKey, draft: dict, place: Workplace) -> None:
    """What must happen after the draft left `checking`; each step is skipped once done."""
    if draft["status"] == DraftStatus.REJECTED and place.objects.exists(place.uploads_bucket, str(key)):
        place.objects.delete(place.uploads_bucket, str(key))  # the quarantined copy is kept
    elif draft["status"] == DraftStatus.EXTRACTING:
        draft.update(results.extract(key, draft, place))


def _upload_key(key: str) -> UploadKey | None:
    try:
        return UploadKey.parse(key)
    except ValueError:
        return None
