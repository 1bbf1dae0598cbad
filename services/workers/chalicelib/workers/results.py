"""egress's answers: the draft gets its fields, the month's counters the job's tokens.

Order-tolerant and idempotent: the draft changes only while it is `extracting`, so settling it
again changes nothing, and an answer for a draft approved or deleted meanwhile (or past its TTL)
is logged and dropped. A malformed answer makes the draft "needs manual entry": the file is kept
and the person types the fields. The job's LLM use is kept as usage/<job id>.json first, then
added to the month's counters once per job, even when its draft is gone (the tokens were spent).
"""
import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.workers import budget, work_items
from chalicelib.workers.extraction_jobs import FAILED_ATTEMPTS, ReaderFailed, count_failure
from chalicelib.workers.workplace import Workplace
from pawport import extraction_jobs, llm_usage
from pawport.contracts import ExtractionAnswer, ExtractionResult, LLMUsage
from pawport.documents import HEIF_TYPES, DraftStatus, UploadKey
from pawport.llm_budget import Refusal

log = logging.getLogger(__name__)
Contract = TypeVar("Contract", bound=BaseModel)
UNREADABLE_ANSWER = "the certificate reader's answer could not be understood"
NOT_READ = "the certificate could not be read"
NOT_REACHED = "the certificate reader could not be reached; please enter the details by hand"


def extract(key: UploadKey, draft: dict, place: Workplace) -> dict:
    """Have egress read the upload and settle its draft from the answer, once the household's LLM
    budget holds its estimate (a refused one is entered by hand: nothing goes to the model)."""
    job_id = key.upload_id
    document, content_type = reader_document(key, draft["content_type"])
    reserved = budget.reserve_extraction(place, job_id, key.household_id)
    if isinstance(reserved, Refusal):
        return _done_reading(place, key, draft["content_type"], _settle(place, key, {
            "status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "reason": budget.refused_reason(reserved), "fields": None}))
    try:
        answer = place.reader.read(job_id, place.uploads_bucket, document, content_type)
    except ReaderFailed as failure:
        failed = count_failure(place.store, job_id)
        if failed < FAILED_ATTEMPTS:
            log.warning("job %s: %s (failure %d of %d); the event will be delivered again", job_id, failure,
                        failed, FAILED_ATTEMPTS)
            raise
        log.warning("job %s: %s (failure %d of %d); the draft needs manual entry", job_id, failure, failed,
                    FAILED_ATTEMPTS)
        budget.release_extraction(place, job_id)
        return _done_reading(place, key, draft["content_type"], _settle(place, key, {
            "status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "reason": NOT_REACHED, "fields": None}))
    return _done_reading(place, key, draft["content_type"], settle_answer(place, key, answer))


def reader_document(key: UploadKey, content_type: str) -> tuple[str, str]:
    """What the reader is sent: the upload itself, or the JPEG copy of a HEIC/HEIF photo."""
    return (key.reading_copy, "image/jpeg") if content_type in HEIF_TYPES else (str(key), content_type)


def _done_reading(place: Workplace, key: UploadKey, content_type: str, changes: dict) -> dict:
    """A JPEG copy has served once the draft is settled (the bucket's lifecycle removes any left)."""
    if content_type in HEIF_TYPES:
        place.objects.delete(place.uploads_bucket, key.reading_copy)
    return changes


def settle_answer(place: Workplace, key: UploadKey, answer: Any) -> dict:
    """The draft's changes from egress's answer (written if the draft is still `extracting`)."""
    job_id = key.upload_id
    used = usage(job_id, answer)
    if used is not None:
        spent = LLMUsage(job_id=job_id, **used)
        place.objects.put(place.jobs_bucket, extraction_jobs.usage_key(job_id), spent.model_dump_json().encode(),
                          "application/json")   # first: the counters' reconciliation reads these
        work_items.count_llm_use(place.store, job_id, llm_usage.month_of(place.clock()), llm_usage.counted(used))
    budget.settle_extraction(place, job_id, used)
    result = answer.get("result") if isinstance(answer, dict) else None
    return _settle(place, key, interpret(job_id, result) | {"usage": used})


def usage(job_id: str, answer: Any) -> dict | None:
    """The model and tokens egress's answer reports for the job; None if it carries none we can read."""
    parsed = _parsed(ExtractionAnswer, answer)
    if parsed is None or parsed.result.job_id != job_id:
        log.info("job %s: the answer carries no readable usage", job_id)
        return None
    return parsed.usage.model_dump()


def interpret(job_id: str, answer: Any) -> dict:
    """The draft changes an egress result asks for (pure)."""
    result = _parsed(ExtractionResult, answer, job_id)
    fields = result.fields.model_dump(mode="json") if result and result.fields else None
    if result is None or result.status == "extracted" and fields is None:
        return {"status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "reason": UNREADABLE_ANSWER, "fields": None}
    if result.status == "extracted":
        # A READY draft keeps a reason set on arrival unless egress gives one.
        return {"status": DraftStatus.READY.value, "fields": fields} | (
            {"reason": result.reason} if result.reason else {})
    return {"status": DraftStatus.NEEDS_MANUAL_ENTRY.value, "fields": fields, "reason": result.reason or NOT_READ}


def reconcile_llm_use(place: Workplace, month: str) -> dict:
    """Rebuild a closed month's LLM counters from the usage objects workers kept in it (by their
    write time; the draft they belong to settles right after)."""
    written = place.objects.modified(place.jobs_bucket, extraction_jobs.USAGE_PREFIX)
    usages = [_parsed(LLMUsage, _read(place, key)) for key, at in written.items() if llm_usage.month_of(at) == month]
    counters = llm_usage.totals(u.model_dump() for u in usages if u)
    work_items.set_llm_use(place.store, month, counters)
    return {"month": month, "usage_objects": len(usages)} | counters


def _settle(place: Workplace, key: UploadKey, changes: dict) -> dict:
    applied = work_items.settle_draft(place.store, key.household_id, key.upload_id, DraftStatus.EXTRACTING.value,
                                      changes, place.clock())
    if applied:
        log.info("draft %s: %s", key.upload_id, changes["status"])
    else:
        log.info("dropped the answer of job %s: its draft was approved, deleted or already updated", key.upload_id)
    return changes if applied else {}


def _parsed(contract: type[Contract], answer: Any, job_id: str | None = None) -> Contract | None:
    """The answer as the contract, for this job if one is named; None if it is not one."""
    try:
        parsed = contract.model_validate(answer)
    except ValidationError:
        return None
    return parsed if job_id is None or getattr(parsed, "job_id", None) == job_id else None


def _read(place: Workplace, key: str) -> Any:
    """The object's JSON; None when it is missing or is not JSON."""
    try:
        return place.objects.read_json(place.jobs_bucket, key)
    except ValueError:
        return None
