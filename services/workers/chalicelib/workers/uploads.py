"""What happens when a certificate lands in S3, up to the draft.

A draft is created in `checking`, then leaves it exactly once:
    rejected            wrong size or type: moved to quarantine/, with the reason
    duplicate           the household already holds these bytes: no job, so no LLM call, no budget
    needs-manual-entry  an accepted type that cannot be opened: the original is kept, no job
    extracting          thumbnail made, handed to egress as a job that carries no household data
Leaving `checking` is one conditional DynamoDB transaction (draft, the pet's document counter,
the job lookup), so no delivery can count or dispatch twice. What must follow it (removing a
quarantined original, writing the job objects) is resumed from the draft's status whenever the
same event comes again, e.g. after a crash between the two.
"""
import hashlib
import logging
from datetime import UTC, datetime, timedelta

from pawport.documents import DRAFT_DAYS, DraftStatus, UploadKey
from pawport.s3_events import StoredObject
from chalicelib.workers import extraction_jobs, work_items
from chalicelib.workers.objects import Head
from chalicelib.workers.thumbnails import NO_HEIC_PREVIEW, Unreadable, make_thumbnail
from chalicelib.workers.upload_checks import SNIFF_BYTES, check, check_size
from chalicelib.workers.workplace import Workplace

log = logging.getLogger(__name__)
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
    draft = work_items.get_draft(key.household_id, key.upload_id, now)
    if draft is None:
        head = place.objects.head(place.uploads_bucket, str(key))
        if head is None:
            log.info("skipped %s: the object is gone (discarded before it was checked)", key)
            return {"skipped": "object gone"}
        draft = work_items.start_draft(key.household_id, key.upload_id, new_draft(key, head),
                                       now + timedelta(days=DRAFT_DAYS))
    if draft["status"] == DraftStatus.CHECKING:
        draft = _check(key, draft, place, now)
    if draft is not None:
        _follow_up(key, draft, place)
    return {"upload_id": key.upload_id, "status": draft["status"] if draft else None}


def new_draft(key: UploadKey, head: Head) -> dict:
    """The draft's body while workers check the file; api lists it, control approves from it."""
    return {"upload_id": key.upload_id, "pet_id": key.pet_id, "status": DraftStatus.CHECKING.value, "reason": None,
            "file_name": key.file_name, "content_type": None, "size": head.size, "document_key": str(key),
            "thumbnail_key": None, "content_hash": None, "duplicate_of": None, "fields": None,
            "uploaded_at": head.last_modified.astimezone(UTC).isoformat(timespec="seconds")}


def reconcile_document_count(household_id: str, pet_id: str, place: Workplace) -> int:
    """Rebuild a pet's live document counter from S3 (rule 4) and return it.

    It counts what the live path counts: uploads kept under uploads/<household>/<pet>/ (refused
    files move to quarantine/). A file still being checked while this runs is counted here and
    then once more by its check; run it again later to settle such a race."""
    prefix = f"uploads/{household_id}/{pet_id}/"
    count = sum(1 for key in place.objects.keys(place.uploads_bucket, prefix) if _is_upload_key(key))
    work_items.set_document_count(household_id, pet_id, count)
    return count


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
    if not verdict.accepted:
        log.info("refused %s: %s", key, verdict.reason)
        place.objects.copy(bucket, source, bucket, key.quarantine)
        return _settle(key, draft, now, {"status": DraftStatus.REJECTED.value, "reason": verdict.reason,
                                         "document_key": key.quarantine})
    content_type = verdict.content_type
    content_hash = hashlib.sha256(data).hexdigest()
    holder = work_items.claim_document(key.household_id, content_hash, key.upload_id,
                                       now + timedelta(days=DRAFT_DAYS), now)
    changes = {"content_type": content_type, "content_hash": content_hash}
    try:
        thumbnail = make_thumbnail(data, content_type)
    except Unreadable as unreadable:
        log.info("cannot open %s: %s", key, unreadable)
        changes |= {"status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "reason": str(unreadable)}
    else:
        if thumbnail:
            place.objects.put(bucket, key.thumbnail, thumbnail, "image/jpeg")
        changes |= {"status": DraftStatus.EXTRACTING.value, "thumbnail_key": key.thumbnail if thumbnail else None,
                    "reason": None if thumbnail else NO_HEIC_PREVIEW}
    if holder:  # checked before any job exists: a duplicate costs no extraction
        changes |= {"status": DraftStatus.DUPLICATE.value, "duplicate_of": holder,
                    "reason": DUPLICATE_REASONS[holder["kind"]]}
    job = work_items.Job(key.upload_id, key.household_id, key.upload_id, key.pet_id) \
        if changes["status"] == DraftStatus.EXTRACTING else None
    return _settle(key, draft, now, changes, count=True, job=job)


def _settle(key: UploadKey, draft: dict, now: datetime, changes: dict, *, count: bool = False,
            job: work_items.Job | None = None) -> dict | None:
    if work_items.settle_draft(key.household_id, key.upload_id, DraftStatus.CHECKING.value, changes, now,
                               count_pet=key.pet_id if count else None, job=job):
        log.info("draft %s: %s", key.upload_id, changes["status"])
        return draft | changes
    log.info("draft %s was settled by another delivery, or removed", key.upload_id)
    return work_items.get_draft(key.household_id, key.upload_id, now)


def _follow_up(key: UploadKey, draft: dict, place: Workplace) -> None:
    """What must happen after the draft left `checking`; each step is skipped once done."""
    if draft["status"] == DraftStatus.REJECTED and place.objects.exists(place.uploads_bucket, str(key)):
        place.objects.delete(place.uploads_bucket, str(key))  # the quarantined copy is kept
    elif draft["status"] == DraftStatus.EXTRACTING and extraction_jobs.ensure_dispatched(
            place.objects, place.uploads_bucket, str(key), place.jobs_bucket, key.upload_id, draft["content_type"]):
        log.info("draft %s: extraction job %s dispatched", key.upload_id, key.upload_id)


def _is_upload_key(key: str) -> bool:
    try:
        UploadKey.parse(key)
        return True
    except ValueError:
        return False
