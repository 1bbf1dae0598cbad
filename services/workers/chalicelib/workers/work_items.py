"""Workers' own items in the table: drafts, document-hash claims, counters, job lookups.

Every write is conditional or an atomic ADD bound to a conditional write, so a redelivered event
or a re-run after a crash changes nothing twice. Items past their TTL count as gone (the store's
one rule): DynamoDB deletes them lazily, up to days later.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pawport.keys import JOB_SK, document_count_sk, document_hash_sk, draft_sk, household_key, job_key, llm_usage_key
from pawport.store import COUNTER_KIND, Add, Attr, Item, Outcome, Put, Refused, Store, Update, Write, Written

DRAFT_KIND, CLAIM_KIND, JOB_KIND = "draft", "document-hash", "job"
JOB_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class Job:
    """Which draft an extraction job serves: egress never sees this, workers look it up by job id."""
    job_id: str
    household_id: str
    upload_id: str
    pet_id: str


def get_draft(store: Store, household_id: str, upload_id: str) -> dict | None:
    draft = store.get(household_key(household_id), draft_sk(upload_id))
    return draft.body if draft else None


def start_draft(store: Store, household_id: str, upload_id: str, body: dict, expires_at: datetime) -> dict:
    """Create the draft (status `checking`) unless it exists; the draft's body either way."""
    draft = Item(household_key(household_id), draft_sk(upload_id), kind=DRAFT_KIND, body=body, expires_at=expires_at)
    held = _refused_item(store.write(Put(draft, store.absent())))
    return held.body if held else body


def settle_draft(store: Store, household_id: str, upload_id: str, expected_status: str, changes: dict[str, Any],
                 now: datetime, *, count_pet: str | None = None, job: Job | None = None) -> bool:
    """Update the draft's body if it is still in expected_status, and in the same transaction
    count the document for its pet and record the job lookup. False if the draft has moved on
    (settled by an earlier delivery, approved or deleted): nothing is written then."""
    pk = household_key(household_id)
    writes: list[Write] = [Update(pk, draft_sk(upload_id), {f"body.{name}": value for name, value in changes.items()},
                                  condition=store.live() & Attr("body.status").eq(expected_status))]
    if count_pet:
        writes.append(Add(pk, document_count_sk(count_pet), 1))
    if job:
        writes.append(Put(Item(job_key(job.job_id), JOB_SK, kind=JOB_KIND, expires_at=now + JOB_LIFETIME, body={
            "household_id": job.household_id, "upload_id": job.upload_id, "pet_id": job.pet_id})))
    return isinstance(store.write(*writes), Written)


def claim_document(store: Store, household_id: str, content_hash: str, upload_id: str,
                   expires_at: datetime) -> dict | None:
    """Claim these bytes for this upload. None when the claim is (now) this upload's; otherwise
    who holds them: {"kind": "record", "id": record id} or {"kind": "draft", "id": upload id}."""
    claim = Item(household_key(household_id), document_hash_sk(content_hash), kind=CLAIM_KIND,
                 body={"upload_id": upload_id}, expires_at=expires_at)
    held = _refused_item(store.write(Put(claim, store.absent())))
    if held is None:
        return None
    if "record_id" in held.body:  # control's projection of an approved record
        return {"kind": "record", "id": held.body["record_id"]}
    holder = held.body["upload_id"]
    if holder == upload_id:  # this upload's own claim, from a run that did not finish
        return None
    if get_draft(store, household_id, holder) is None and \
            isinstance(store.write(Put(claim, Attr("body.upload_id").eq(holder))), Written):
        return None  # the holder's draft was discarded: its claim no longer stands
    return {"kind": "draft", "id": holder}


def get_job(store: Store, job_id: str) -> Job | None:
    found = store.get(job_key(job_id), JOB_SK)
    return None if found is None else Job(job_id, found.body["household_id"], found.body["upload_id"],
                                           found.body["pet_id"])


def set_document_count(store: Store, household_id: str, pet_id: str, count: int) -> None:
    store.write(Put(Item(household_key(household_id), document_count_sk(pet_id), kind=COUNTER_KIND, count=count)))


def count_llm_use(store: Store, job_id: str, month: str, counters: dict[str, float]) -> bool:
    """Add a job's LLM use to its month's counters, once: the job's lookup item is marked in the same
    transaction, whatever became of its draft (the tokens were spent). False if counted before."""
    mark = Update(job_key(job_id), JOB_SK, {"body.llm_counted": True},
                  condition=store.live() & Attr("body.llm_counted").not_exists())
    adds = [Add(llm_usage_key(month), name, value) for name, value in counters.items()]
    return isinstance(store.write(mark, *adds), Written)


def set_llm_use(store: Store, month: str, counters: dict[str, float]) -> None:
    """Overwrite a month's LLM counters (reconciliation of a closed month)."""
    for name, value in counters.items():
        store.write(Put(Item(llm_usage_key(month), name, kind=COUNTER_KIND, count=value)))


def _refused_item(outcome: Outcome) -> Item | None:
    """The item that refused a write-if-absent: it stands, live."""
    return outcome.old if isinstance(outcome, Refused) else None
