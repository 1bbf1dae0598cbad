"""Mail is sent at least once (workers/mail.py): a claim is a lease, settled after the send. A holder
that dies between claim and send (a crash, not an error it could handle) leaves the lease to lapse,
and the next delivery after that mails it; a delivery during the lease is retried later; repeated
deliveries mail once; suppressed addresses are never mailed. Against moto's DynamoDB and SES."""
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.workers import mail, reminders
from devstack.mailbox import sent_to
from devstack.stack import Stack
from pawport.keys import MAIL_SK, SUPPRESSION_KEY, household_key, member_sk, pet_sk, record_sk, suppression_sk
from pawport.store import Item, Put
from tests.integration.workers_harness import Workers, control_writing_to, running_workers

NOW = datetime.now(UTC).replace(microsecond=0)


class Crash(BaseException):
    """The process dying mid-invocation: no except clause of the code sees it."""


class CrashingSes:
    """SES as the dying process sees it: the first `crashes` calls never return."""

    def __init__(self, ses: Any, crashes: int = 1) -> None:
        self._ses, self.crashes = ses, crashes

    def __getattr__(self, operation: str) -> Any:
        def call(**params: Any) -> Any:
            if self.crashes:
                self.crashes -= 1
                raise Crash(operation)
            return getattr(self._ses, operation)(**params)
        return call


@pytest.fixture
def workers(control, stack: Stack) -> Iterator[Workers]:
    with running_workers(stack) as running:
        yield running


def postman(workers: Workers, crashes: int = 0) -> mail.Postman:
    real = workers.app.postman
    return mail.Postman(CrashingSes(real.ses, crashes), real.sender, real.configuration_set)


def queue_invitation(control, workers: Workers, to: str) -> str:
    letter = {"template": "invitation", "to": to, "household": "The Parkers", "role": "viewer",
              "inviter": "ann@example.com", "token": "secret-token-123", "expires_at": "2026-12-30T09:00:00+00:00"}
    operation = control.projection.mail(uuid.uuid4(), letter, NOW + timedelta(days=1))
    control_writing_to(control, workers).projections.apply([operation])
    return operation["item"]["pk"]


def suppress(workers: Workers, address: str, reason: str = "bounce") -> None:
    workers.store.write(Put(Item(SUPPRESSION_KEY, suppression_sk(address), kind="suppression", version=1,
                                 body={"email": address, "reason": reason, "since": NOW.isoformat()})))


def address(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def test_a_crash_between_claim_and_send_is_mailed_once_the_lease_lapses(control, stack: Stack, workers: Workers) -> None:
    to = address("crash")
    pk = queue_invitation(control, workers, to)
    with pytest.raises(Crash):
        mail.deliver(workers.store, pk, postman(workers, crashes=1), NOW)
    assert workers.store.get(pk, MAIL_SK).body["status"] == "sending" and sent_to(stack.moto_url, to) == []

    with pytest.raises(mail.MailInFlight):   # a redelivery within the lease: the holder may still be sending
        mail.deliver(workers.store, pk, postman(workers), NOW + timedelta(seconds=30))
    assert sent_to(stack.moto_url, to) == []

    after_lease = NOW + mail.LEASE + timedelta(seconds=1)
    assert mail.deliver(workers.store, pk, postman(workers), after_lease) is True
    for _ in range(3):   # and every later delivery finds it sent
        assert mail.deliver(workers.store, pk, postman(workers), after_lease + timedelta(minutes=5)) is False
    [sent] = sent_to(stack.moto_url, to)
    assert "secret-token-123" in sent["text"]
    settled = workers.store.get(pk, MAIL_SK)
    assert (settled.body["status"], "token" in settled.body, "lease_until" in settled.body) == ("sent", False, False)


def test_an_invitation_to_a_suppressed_address_is_not_sent(control, stack: Stack, workers: Workers) -> None:
    to = address("bounced")
    suppress(workers, to.upper())   # the projection keeps addresses in lower case
    pk = queue_invitation(control, workers, to)
    assert mail.deliver(workers.store, pk, postman(workers), NOW) is False
    settled = workers.store.get(pk, MAIL_SK)
    assert (settled.body["status"], "token" in settled.body) == ("suppressed", False)
    assert sent_to(stack.moto_url, to) == []


def household(workers: Workers, *members: str) -> tuple[str, dict]:
    """A household partition as control projects it, and the day's reminder message for it."""
    household_id, pet_id, record_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    pk = household_key(household_id)
    items = [Item(pk, "HOUSEHOLD", "household", 1, {"id": household_id, "name": "The Parkers", "time_zone": "UTC"}),
             Item(pk, pet_sk(pet_id), "pet", 1, {"id": pet_id, "name": "Ollie", "species": "dog"}),
             Item(pk, record_sk(record_id), "record", 1, {"id": record_id, "pet_id": pet_id, "vaccine": "Rabies",
                                                          "expires_on": "2027-01-31"})]
    items += [Item(pk, member_sk(f"user-{n}"), "member", 1, {"user_id": f"user-{n}", "email": email, "role": "owner"})
              for n, email in enumerate(members)]
    for item in items:
        workers.store.write(Put(item))
    [message] = reminders.messages(NOW.date(), [{"household_id": household_id, "record_id": record_id, "pet_id": pet_id,
                                                 "vaccine": "Rabies", "expires_on": "2027-01-31", "windows": [30]}])
    return household_id, message


def remind(workers: Workers, message: dict, sender: mail.Postman, now: datetime) -> int:
    return reminders.deliver(message, workers.store, sender, now, workers.app.links)


def test_a_reminder_crashed_before_its_send_is_mailed_by_the_retry(stack: Stack, workers: Workers) -> None:
    first, second = address("first"), address("second")
    _, message = household(workers, first, second)
    with pytest.raises(Crash):
        remind(workers, message, postman(workers, crashes=1), NOW)
    with pytest.raises(mail.MailInFlight):   # redelivered within the lease: the other member is mailed meanwhile
        remind(workers, message, postman(workers), NOW + timedelta(seconds=5))
    mailed_meanwhile = len(sent_to(stack.moto_url, first)) + len(sent_to(stack.moto_url, second))
    assert mailed_meanwhile == 1

    later = NOW + mail.LEASE + timedelta(seconds=1)   # the queue's visibility timeout, then the retry
    assert remind(workers, message, postman(workers), later) == 1
    for _ in range(3):
        assert remind(workers, message, postman(workers), later + timedelta(minutes=1)) == 0
    assert (len(sent_to(stack.moto_url, first)), len(sent_to(stack.moto_url, second))) == (1, 1)


def test_a_suppressed_member_gets_no_reminder(stack: Stack, workers: Workers) -> None:
    kept, bounced = address("kept"), address("complained")
    suppress(workers, bounced, "complaint")
    _, message = household(workers, kept, bounced)
    assert remind(workers, message, postman(workers), NOW) == 1
    assert (len(sent_to(stack.moto_url, kept)), sent_to(stack.moto_url, bounced)) == (1, [])


def test_a_letter_with_headers_and_an_attachment_goes_as_raw_mime(stack: Stack, workers: Workers) -> None:
    to = address("raw")
    letter = mail.Letter(to, "Ollie's rabies vaccination needs renewing", "Book the vet.\n",
                         headers={"List-Unsubscribe": "<https://pawport.example/u?t=abc>",
                                  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
                         attachments=(mail.Attachment("reminders.ics", "text/calendar; method=PUBLISH",
                                                      b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),))
    workers.app.postman.send(letter)
    [sent] = sent_to(stack.moto_url, to)
    assert (sent["to"], sent["subject"], sent["text"]) == ([to], letter.subject, "Book the vet.\n")
    assert sent["headers"]["List-Unsubscribe"] == "<https://pawport.example/u?t=abc>"
    assert sent["attachments"] == [("reminders.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")]
