"""The household LLM budget on workers' side (pawport/llm_budget.py): an extraction reserves its
estimate when workers dispatch it, after the upload passed its checks, and settles from egress's
usage; a reservation whose hold expired unsettled (egress crashed, the job was lost) is released
when the hold's TTL deletion comes through the table's stream.

The reservation is kept on the job's lookup item, so a redelivered upload event reuses it instead
of reserving again."""
import logging
from collections.abc import Iterable
from typing import Any

from chalicelib.workers.workplace import Workplace
from pawport.keys import JOB_SK, job_key, llm_hold_key
from pawport.llm_budget import Budgets, Refusal, Reservation, extraction_estimate, reservation_of
from pawport.store import Update, item_of_image

log = logging.getLogger(__name__)
TTL_SERVICE = "dynamodb.amazonaws.com"
HOLD_PREFIX = llm_hold_key("")


def refused_reason(refusal: Refusal) -> str:
    return (f"The household's LLM budget for this month is used up (it resets on {refusal.resets_on.isoformat()}), "
            "so the certificate was not read automatically. Please enter the details by hand.")


def reserve_extraction(place: Workplace, job_id: str, household_id: str) -> Reservation | Refusal:
    job = place.store.get(job_key(job_id), JOB_SK, consistent=True)
    if job and job.body.get("reservation"):
        return reservation_of(job.body["reservation"])
    reserved = _budgets(place).reserve(household_id, job_id, "extraction", extraction_estimate())
    if isinstance(reserved, Reservation):
        place.store.write(Update(job_key(job_id), JOB_SK, {"body.reservation": reserved.stored()},
                                 condition=place.store.live()))
    else:
        log.info("job %s: refused by the household's LLM budget", job_id)
    return reserved


def settle_extraction(place: Workplace, job_id: str, usage: dict[str, Any] | None) -> None:
    """The job's actual cost replaces its estimate (an answer without readable usage costs nothing)."""
    reservation = _reservation(place, job_id)
    if reservation:
        _budgets(place).settle(reservation, usage or {})


def release_extraction(place: Workplace, job_id: str) -> None:
    reservation = _reservation(place, job_id)
    if reservation:
        _budgets(place).release(reservation)


def release_expired(records: Iterable[dict], budgets: Budgets) -> int:
    """Holds whose TTL ran out before their call settled: their estimates go back. A hold deleted by
    a settlement is not a TTL deletion and changes nothing; a release after a settlement is refused."""
    released = 0
    for record in records:
        image = record["dynamodb"].get("OldImage")
        by_ttl = record.get("userIdentity", {}).get("principalId") == TTL_SERVICE
        expired_hold = record["eventName"] == "REMOVE" and by_ttl and image and image["pk"]["S"].startswith(HOLD_PREFIX)
        if expired_hold and budgets.release(reservation_of(item_of_image(image).body)):
            log.info("released the unsettled reservation of call %s", image["pk"]["S"].removeprefix(HOLD_PREFIX))
            released += 1
    return released


def _reservation(place: Workplace, job_id: str) -> Reservation | None:
    job = place.store.get(job_key(job_id), JOB_SK, consistent=True)
    return reservation_of(job.body["reservation"]) if job and job.body.get("reservation") else None


def _budgets(place: Workplace) -> Budgets:
    return Budgets(place.store, place.clock)
