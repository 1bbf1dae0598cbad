"""Egress's answers: a result object in the jobs bucket becomes the draft's fields.

Order-tolerant and idempotent: the draft changes only while it is `extracting`, so a repeated
delivery changes nothing, and a result for a draft already approved or deleted (or past its
TTL) is logged and dropped. A malformed answer makes the draft "needs manual entry": the file
is kept and the person types the fields, rather than the message ending in a dead-letter queue.
The job's LLM use is added to the month's counters once per job, even when its draft is gone.
"""
import logging
from typing import Any

from pawport import extraction_jobs, llm_usage
from pawport.documents import DraftStatus
from pawport.s3_events import StoredObject
from chalicelib.workers import work_items
from chalicelib.workers.workplace import Workplace

log = logging.getLogger(__name__)
FIELDS = ("vaccine", "administered_on", "expires_on", "pet_name", "clinic", "confidence")
USAGE = ("model", "prompt_tokens", "completion_tokens")
UNREADABLE_ANSWER = "the certificate reader's answer could not be understood"
NOT_READ = "the certificate could not be read"


def handle_result(stored: StoredObject, place: Workplace) -> dict:
    job_id = extraction_jobs.job_id_of_result(stored.key)
    if job_id is None or stored.bucket != place.jobs_bucket:
        log.info("skipped %s/%s: not an extraction result (results/<job id>.json)", stored.bucket, stored.key)
        return {"skipped": "not a result"}
    now = place.clock()
    job = work_items.get_job(job_id, now)
    if job is None:
        log.info("dropped result of job %s: no such job (unknown, or past its TTL)", job_id)
        return {"job_id": job_id, "applied": False}
    answer, spent = _read(place, stored.key), _read(place, extraction_jobs.usage_key(job_id))
    used = usage(job_id, spent)
    if used:
        work_items.count_llm_use(job_id, llm_usage.month_of(now), llm_usage.counted(used))
    changes = interpret(job_id, answer) | {"usage": used}
    applied = work_items.settle_draft(job.household_id, job.upload_id, DraftStatus.EXTRACTING.value, changes, now)
    if applied:
        log.info("draft %s: %s", job.upload_id, changes["status"])
    else:
        log.info("dropped result of job %s: its draft was approved, deleted or already updated", job_id)
    return {"job_id": job_id, "applied": applied}


def interpret(job_id: str, result: Any) -> dict:
    """The draft changes an egress result asks for (pure)."""
    if not isinstance(result, dict) or result.get("job_id") != job_id:
        return {"status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "reason": UNREADABLE_ANSWER, "fields": None}
    fields = _fields(result.get("fields"))
    if result.get("status") == "extracted" and fields:
        # A READY draft keeps a reason set on arrival (e.g. no HEIC preview) unless egress gives one.
        return {"status": DraftStatus.READY.value, "fields": fields} | (
            {"reason": str(result["reason"])} if result.get("reason") else {})
    if result.get("status") == "needs-manual-entry":
        return {"status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "fields": fields,
                "reason": str(result.get("reason") or NOT_READ)}
    return {"status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "reason": UNREADABLE_ANSWER, "fields": None}


def reconcile_llm_use(place: Workplace, month: str) -> dict:
    """Rebuild a closed month's LLM counters from the usage objects egress wrote in it (by their
    write time; the result they belong to settles seconds later)."""
    written = place.objects.modified(place.jobs_bucket, extraction_jobs.USAGE_PREFIX)
    usages = [_read(place, key) for key, at in written.items() if llm_usage.month_of(at) == month]
    counters = llm_usage.totals(u for u in usages if isinstance(u, dict))
    work_items.set_llm_use(month, counters)
    return {"month": month, "usage_objects": len(usages)} | counters


def usage(job_id: str, answer: Any) -> dict | None:
    """The model and tokens egress reported for the job; None if it wrote none we can read."""
    if not isinstance(answer, dict) or answer.get("job_id") != job_id:
        log.info("job %s has no readable usage object", job_id)
        return None
    return {name: answer.get(name) for name in USAGE}


def _fields(value: Any) -> dict | None:
    return {name: value.get(name) for name in FIELDS} if isinstance(value, dict) else None


def _read(place: Workplace, key: str) -> Any:
    """The object's JSON; None when it is missing or is not JSON (either is a bad answer)."""
    try:
        return place.objects.read_json(place.jobs_bucket, key)
    except ValueError:
        return None
