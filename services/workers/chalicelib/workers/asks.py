"""Asks control handed over (an item pk="ASK#<request id>" appeared in the table's stream): each is
handed to egress's `ask` function in a synchronous invocation, as extractions are, with its job
only (the question and the minimized context, refs but no ids). The answer's refs are mapped back
to record ids here, the budget is settled from the answer's usage, and the answer is written to
the ask's item in the same transaction: once, however often the record comes.

An invocation that fails marks the ask failed and releases its reservation (the person asks
again); egress answering "failed" (the model was unreachable) settles what it used, usually nothing.
"""
import json
import logging
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from pawport.contracts import AskAnswer, AskJob
from pawport.keys import ASK_SK
from pawport.llm_budget import Budgets, reservation_of
from pawport.store import Attr, Store, Update, item_of_image

log = logging.getLogger(__name__)
ASK_PREFIX = "ASK#"
ANSWERED_VERSION = 2   # above the outbox's: a replayed hand-over can never turn an answer back into pending
NOT_REACHED = "the assistant could not be reached; please ask again"
UNREADABLE = "the assistant's answer could not be understood; please ask again"


class AskFailed(Exception):
    """egress gave no answer (raised, timed out, unreachable)."""


class Asker:
    """egress's `ask` function, invoked synchronously (the client is made on the first ask)."""

    def __init__(self, lambda_client: Callable[[], Any], function_name: str) -> None:
        self._client_factory, self._function_name = lambda_client, function_name

    @cached_property
    def _lambda(self) -> Any:
        return self._client_factory()

    def ask(self, job: AskJob) -> Any:
        try:
            answer = self._lambda.invoke(FunctionName=self._function_name, InvocationType="RequestResponse",
                                         Payload=job.model_dump_json().encode())
        except (BotoCoreError, ClientError) as error:
            raise AskFailed(f"invoking {self._function_name} failed: {type(error).__name__}") from error
        if answer.get("FunctionError"):
            raise AskFailed(f"{self._function_name} raised")
        return json.loads(answer["Payload"].read() or b"null")


def handed_over(records: Iterable[dict]) -> list[dict]:
    """The asks a stream batch brought in, as control wrote them (pending)."""
    found = []
    for record in records:
        image = record["dynamodb"].get("NewImage")
        if record["eventName"] == "INSERT" and image and image["pk"]["S"].startswith(ASK_PREFIX):
            item = item_of_image(image)
            if item.body.get("status") == "pending":
                found.append({"pk": item.pk} | item.body)
    return found


def answer(ask: dict, asker: Asker, store: Store, budgets: Budgets) -> str:
    """Hand one ask to egress and keep its answer; the status the ask now has (or had)."""
    current = store.get(ask["pk"], ASK_SK, consistent=True)
    if current is None or current.body.get("status") != "pending":
        return current.body.get("status", "gone") if current else "gone"   # answered by an earlier delivery
    job, reservation = AskJob.model_validate(ask["job"]), reservation_of(ask["reservation"])
    try:
        parsed = _parsed(asker.ask(job), job.request_id)
    except AskFailed as failure:
        log.warning("ask %s: %s; marked failed", job.request_id, failure)
        budgets.release(reservation, _update(ask["pk"], {"status": "failed", "reason": NOT_REACHED}))
        return "failed"
    if parsed is None:
        log.warning("ask %s: the answer is not an AskAnswer; marked failed", job.request_id)
        budgets.release(reservation, _update(ask["pk"], {"status": "failed", "reason": UNREADABLE}))
        return "failed"
    outcome = outcome_of(parsed, ask["refs"], job)
    budgets.settle(reservation, parsed.usage.model_dump(), _update(ask["pk"], outcome))
    log.info("ask %s: %s", job.request_id, outcome["status"])
    return outcome["status"]


def outcome_of(parsed: AskAnswer, refs: dict[str, str], job: AskJob) -> dict:
    """What the ask's item shows: the question, the answer and the records it rests on, as record ids
    (pure); refs the context does not hold are dropped."""
    if parsed.status != "answered" or parsed.result is None:
        return {"status": "failed" if parsed.status == "answered" else parsed.status, "question": job.question,
                "reason": parsed.reason or UNREADABLE}
    labels = {r.ref: (pet.name, r.vaccine) for pet in job.context.pets for r in pet.records}
    used = [ref for ref in dict.fromkeys(parsed.result.records) if ref in refs]
    return {"status": "answered", "question": job.question, "answer": parsed.result.answer,
            "sufficient": parsed.result.sufficient,
            "records": [{"record_id": refs[ref], "pet_name": labels[ref][0], "vaccine": labels[ref][1]} for ref in used]}


def _parsed(replied: Any, request_id: str) -> AskAnswer | None:
    try:
        parsed = AskAnswer.model_validate(replied)
    except ValidationError:
        return None
    return parsed if parsed.request_id == request_id else None


def _update(pk: str, outcome: dict) -> Update:
    return Update(pk, ASK_SK, {f"body.{name}": value for name, value in outcome.items()} | {"version": ANSWERED_VERSION},
                  condition=Attr("body.status").eq("pending"))
