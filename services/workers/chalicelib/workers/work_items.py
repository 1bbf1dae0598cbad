"""The DynamoDB adapter for workers' own items: drafts, document-hash claims, counters, job lookups.

Every write is conditional or an atomic ADD bound to a conditional write, so a redelivered event
or a re-run after a crash changes nothing twice. Items past their TTL count as gone: DynamoDB
deletes them lazily, up to days later.
"""
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from pawport.table import (JOB_SK, TableItem, document_count_sk, document_hash_sk, draft_sk, household_key, job_key,
                           llm_usage_key)

DRAFT_KIND, CLAIM_KIND, COUNTER_KIND, JOB_KIND = "draft", "document-hash", "counter", "job"
JOB_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class Job:
    """Which draft an extraction job serves: egress never sees this, workers look it up by job id."""
    job_id: str
    household_id: str
    upload_id: str
    pet_id: str


def get_draft(household_id: str, upload_id: str, now: datetime) -> dict | None:
    return _live_body(household_key(household_id), draft_sk(upload_id), now)


def start_draft(household_id: str, upload_id: str, body: dict, expires_at: datetime) -> dict:
    """Create the draft (status `checking`) unless it exists; the draft's body either way."""
    item = TableItem(household_key(household_id), draft_sk(upload_id), kind=DRAFT_KIND, version=0, body=body,
                     expires_at=expires_at)
    if _put_if(item, TableItem.pk.does_not_exist()):
        return body
    return TableItem.get(item.pk, item.sk).body.as_dict()


def settle_draft(household_id: str, upload_id: str, expected_status: str, changes: dict[str, Any], now: datetime,
                 *, count_pet: str | None = None, job: Job | None = None) -> bool:
    """Update the draft's body if it is still in expected_status, and in the same transaction
    count the document for its pet and record the job lookup. False if the draft has moved on
    (settled by an earlier delivery, approved or deleted): nothing is written then."""
    draft = TableItem(household_key(household_id), draft_sk(upload_id))
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.update(draft, actions=[TableItem.body[name].set(value) for name, value in changes.items()],
                               condition=(TableItem.body["status"] == expected_status) & (TableItem.expires_at > now))
            if count_pet:
                transaction.update(TableItem(household_key(household_id), document_count_sk(count_pet)),
                                   actions=_counter_add(1))
            if job:
                transaction.save(TableItem(job_key(job.job_id), JOB_SK, kind=JOB_KIND, version=0, body={
                    "household_id": job.household_id, "upload_id": job.upload_id, "pet_id": job.pet_id},
                    expires_at=now + JOB_LIFETIME))
    except TransactWriteError as error:
        if _refused_by_a_condition(error):
            return False
        raise
    return True


def claim_document(household_id: str, content_hash: str, upload_id: str, expires_at: datetime,
                   now: datetime) -> dict | None:
    """Claim these bytes for this upload. None when the claim is (now) this upload's; otherwise
    who holds them: {"kind": "record", "id": record id} or {"kind": "draft", "id": upload id}."""
    claim = TableItem(household_key(household_id), document_hash_sk(content_hash), kind=CLAIM_KIND, version=0,
                      body={"upload_id": upload_id}, expires_at=expires_at)
    if _put_if(claim, TableItem.pk.does_not_exist() | (TableItem.expires_at < now)):
        return None
    held = TableItem.get(claim.pk, claim.sk).body.as_dict()
    if "record_id" in held:  # control's projection of an approved record
        return {"kind": "record", "id": held["record_id"]}
    if held["upload_id"] == upload_id:  # this upload's own claim, from a run that did not finish
        return None
    if get_draft(household_id, held["upload_id"], now) is None and \
            _put_if(claim, TableItem.body["upload_id"] == held["upload_id"]):
        return None  # the holder's draft was discarded: its claim no longer stands
    return {"kind": "draft", "id": held["upload_id"]}


def get_job(job_id: str, now: datetime) -> Job | None:
    body = _live_body(job_key(job_id), JOB_SK, now)
    return None if body is None else Job(job_id, body["household_id"], body["upload_id"], body["pet_id"])


def set_document_count(household_id: str, pet_id: str, count: int) -> None:
    TableItem(household_key(household_id), document_count_sk(pet_id), kind=COUNTER_KIND, version=0,
              count=count).save()


def count_llm_use(job_id: str, month: str, counters: dict[str, float]) -> bool:
    """Add a job's LLM use to its month's counters, once: the job's lookup item is marked in the same
    transaction, whatever became of its draft (the tokens were spent). False if counted before."""
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.update(TableItem(job_key(job_id), JOB_SK), actions=[TableItem.body["llm_counted"].set(True)],
                               condition=TableItem.pk.exists() & TableItem.body["llm_counted"].does_not_exist())
            for name, value in counters.items():
                transaction.update(TableItem(llm_usage_key(month), name), actions=_counter_add(value))
    except TransactWriteError as error:
        if _refused_by_a_condition(error):
            return False
        raise
    return True


def set_llm_use(month: str, counters: dict[str, float]) -> None:
    """Overwrite a month's LLM counters (reconciliation of a closed month)."""
    for name, value in counters.items():
        TableItem(llm_usage_key(month), name, kind=COUNTER_KIND, version=0, count=value).save()


def _counter_add(value: float) -> list[Any]:
    """The update that adds to a live counter, making it (kind, version 0) on its first add."""
    return [TableItem.count.add(value), TableItem.kind.set(TableItem.kind | COUNTER_KIND),
            TableItem.version.set(TableItem.version | 0)]


def _refused_by_a_condition(error: TransactWriteError) -> bool:
    return any(r and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons)


def _live_body(pk: str, sk: str, now: datetime) -> dict | None:
    try:
        item = TableItem.get(pk, sk)
    except TableItem.DoesNotExist:
        return None
    if item.expires_at and item.expires_at <= now:
        return None
    return item.body.as_dict()


def _put_if(item: TableItem, condition: Any) -> bool:
    try:
        item.save(condition=condition)
        return True
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False


def _connection() -> Connection:
    # TransactWrite needs a connection of its own, to where table.bind() pointed the model.
    return _connection_to(TableItem.Meta.region, getattr(TableItem.Meta, "host", None))


@lru_cache(maxsize=4)
def _connection_to(region: str, host: str | None) -> Connection:
    return Connection(region=region, host=host)
