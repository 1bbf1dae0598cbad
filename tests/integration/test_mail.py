"""Mail control queued (a MAIL# item from its outbox), sent by workers from the table's stream
through SES (moto): once, though the stream redelivers the record and the outbox replays the item;
a failed send is retried; a mail past its TTL is not sent."""
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from devstack.stack import Stack
from pawport.keys import MAIL_SK
from pawport.store import Store
from tests.integration.workers_harness import Workers, control_writing_to, invoke, running_workers


@pytest.fixture
def workers(control, stack: Stack) -> Iterator[Workers]:
    with running_workers(stack) as running:
        yield running


def queue(control, workers: Workers, to: str, expires_in: timedelta = timedelta(days=1)) -> tuple[str, dict]:
    """What control's outbox publishes for an invitation; returns the item's key and the operation."""
    letter = {"template": "invitation", "to": to, "household": "The Parkers", "role": "viewer",
              "inviter": "ann@example.com", "token": "secret-token-123", "expires_at": "2026-11-30T09:00:00+00:00"}
    operation = control.projection.mail(uuid.uuid4(), letter, datetime.now(UTC) + expires_in)
    control_writing_to(control, workers).projections.apply([operation])
    return operation["item"]["pk"], operation


def sent_to(stack: Stack, to: str) -> list[dict]:
    messages = requests.get(f"{stack.moto_url}/moto-api/data.json?service=ses", timeout=120).json()["ses"]["Message"]
    return [m for m in messages if to in m["destinations"]["ToAddresses"]]


def inserted(workers: Workers, pk: str) -> dict:
    return {"Records": [{"eventName": "INSERT", "eventSourceARN": workers.made.streams["main"],
                         "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": MAIL_SK}}}}]}


def test_a_mail_is_sent_once(control, stack: Stack, workers: Workers) -> None:
    to = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    pk, operation = queue(control, workers, to)
    workers.drain()

    [message] = sent_to(stack, to)
    assert "secret-token-123" in message["body"] and message["source"] == workers.made.mail_sender
    settled = workers.store.get(pk, MAIL_SK)
    assert (settled.body["status"], "token" in settled.body, settled.version) == ("sent", False, 2)

    invoke(workers, "table_changes", inserted(workers, pk))    # the stream delivers the record again
    control_writing_to(control, workers).projections.apply([operation])   # the outbox replays the put: kept at version 2
    workers.drain()
    assert len(sent_to(stack, to)) == 1 and "token" not in workers.store.get(pk, MAIL_SK).body


def test_a_failed_send_is_released_and_retried(control, stack: Stack, workers: Workers,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    to = f"retry-{uuid.uuid4().hex[:8]}@example.com"
    pk, _ = queue(control, workers, to)

    def throttled(**_: object) -> None:
        raise ConnectionError("SES is throttling")
    monkeypatch.setattr(workers.app.postman.ses, "send_email", throttled)
    with pytest.raises(ConnectionError):
        invoke(workers, "table_changes", inserted(workers, pk))
    assert workers.store.get(pk, MAIL_SK).body["status"] == "queued" and sent_to(stack, to) == []

    monkeypatch.undo()
    invoke(workers, "table_changes", inserted(workers, pk))
    assert len(sent_to(stack, to)) == 1


def test_a_mail_past_its_ttl_is_not_sent(control, stack: Stack, workers: Workers) -> None:
    to = f"late-{uuid.uuid4().hex[:8]}@example.com"
    pk, _ = queue(control, workers, to, expires_in=timedelta(seconds=-1))
    invoke(workers, "table_changes", inserted(workers, pk))
    before_its_ttl = Store(workers.store.table_name, "us-east-1", stack.moto_url, clock=lambda: datetime(2000, 1, 1, tzinfo=UTC))
    assert sent_to(stack, to) == [] and before_its_ttl.get(pk, MAIL_SK).body["status"] == "queued"
