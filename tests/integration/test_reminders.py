"""Reminders end to end against real PostgreSQL and moto: control projects approved records into
the due-date index, the daily run (on an injected clock) sends one message per household, the
queue's handler mails each member through SES once however often the message comes, a failed
run's day is made up by the next one, and none of it opens a PostgreSQL transaction."""
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from botocore.exceptions import ClientError
from chalice.test import Client

from devstack import mailbox
from devstack.stack import Stack
from pawport.auth import Caller
from pawport.keys import document_count_sk, household_key
from pawport.store import Add
from tests.integration.workers_harness import Workers, control_writing_to, invoke, receive_all, running_workers
from tests.support.people import caller

RUN = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def workers(control, stack: Stack) -> Iterator[Workers]:
    with running_workers(stack) as running:
        yield running


def run(control, workers: Workers, caller: Caller, command) -> dict:
    wired = control_writing_to(control, workers)
    ctx = control.Context(caller=caller, request_id=str(uuid.uuid4()), now=datetime(2026, 11, 23, tzinfo=UTC))
    return wired.handle(command, ctx).model_dump(mode="json")


def household_with_records(control, workers: Workers, *expiries: date) -> str:
    """A household in London with one pet, Ollie, and a record per expiry; returns the owner's address."""
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    owner = caller(email=email)
    c, r = control.commands, control.requests
    h = run(control, workers, owner, c.CreateHousehold(r.NewHousehold(name="The Parkers", time_zone="Europe/London")))
    pet = run(control, workers, owner, c.AddPet(h["household_id"], r.NewPet(name="Ollie", species="dog")))
    for n, expires_on in enumerate(expiries):
        run(control, workers, owner, c.ApproveRecord(pet["pet_id"], r.NewRecord(vaccine=f"Vaccine {n}",
                                                                                expires_on=expires_on)))
    # what an upload leaves in the partition too: a live counter, added to (a count, no body)
    workers.store.write(Add(household_key(h["household_id"]), document_count_sk(pet["pet_id"]), 1))
    return email


def daily_run(workers: Workers, at: datetime) -> dict:
    event = Client(workers.app.app).events.generate_cw_event("aws.events", "Scheduled Event", {}, [], "us-east-1")
    return invoke(workers, "remind_due_records", event | {"time": at.strftime("%Y-%m-%dT%H:%M:%SZ")})


def sent_to(stack: Stack, to: str) -> list[dict]:
    return mailbox.sent_to(stack.moto_url, to)


def test_due_records_are_mailed_once_without_aurora(control, stack: Stack, workers: Workers, transactions) -> None:
    parkers = household_with_records(control, workers, date(2027, 3, 31), date(2027, 9, 1))   # the first is due on 03-01
    quiet = household_with_records(control, workers, date(2027, 5, 1))
    before = transactions.read()

    assert daily_run(workers, RUN) == {"days": 1, "households": 1}
    [message] = receive_all(workers, "reminders")
    for _ in range(2):   # SQS delivers at least once
        event = Client(workers.app.app).events.generate_sqs_event([message["Body"]], "reminders")
        assert invoke(workers, "reminder_mail", event) == {"batchItemFailures": []}

    [mail] = sent_to(stack, parkers)
    assert mail["subject"] == "Ollie's Vaccine 0 vaccination expires in 30 days"
    assert "- Ollie: Vaccine 0 expires in 30 days (2027-03-31)" in mail["text"] and "Vaccine 1" not in mail["text"]
    assert sent_to(stack, quiet) == []
    assert daily_run(workers, RUN.replace(hour=9)) == {"days": 0, "households": 0}   # a retried run: done already
    assert transactions.read() == before


def test_a_failed_run_is_made_up_by_the_next_one(control, stack: Stack, workers: Workers) -> None:
    owner = household_with_records(control, workers, date(2027, 3, 31), date(2027, 4, 1))   # due on 03-01 and 03-02
    reminders, queue = workers.app.reminders, workers.made.queues["reminders"]
    reminders.finish(workers.store, date(2027, 2, 28))
    with pytest.raises(ClientError):   # 03-01's run cannot reach the queue
        reminders.fan_out(workers.store, workers.sqs, queue + "-missing", RUN)

    assert daily_run(workers, RUN.replace(day=2)) == {"days": 2, "households": 2}
    workers.drain()

    assert sorted(m["subject"] for m in sent_to(stack, owner)) == [
        "Ollie's Vaccine 0 vaccination expires in 30 days", "Ollie's Vaccine 1 vaccination expires in 30 days"]
