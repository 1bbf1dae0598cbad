"""Bounces and complaints on the running local stack: SES's notifications, in the format the SES
developer guide documents, are published to the ses-feedback topic; the event runner delivers each
to control's `ses_feedback` as SNS invokes it; the suppressed address gets no later invitation and
no reminder, and the owner sees it on the members list. Transient bounces suppress on the third
within 14 days, and each notification delivered three times, shuffled, suppresses once."""
import json
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import boto3
import psycopg
import pytest
import requests

from devstack import mailbox
from devstack.remind import run_daily
from devstack.stack import DB_NAME, REGION, Stack, aws_env, service_env
from pawport.keys import (
    MAIL_SK,
    REMINDER_CURSOR_KEY,
    REMINDER_CURSOR_SK,
    SUPPRESSION_KEY,
    mail_key,
    reminded_key,
    reminded_sk,
    suppression_sk,
)
from pawport.reminders import run_at
from pawport.store import Item, Put, Store
from tests.support import ses
from tests.support.people import Person, create_household, invite, join, mailed_code, new_person

pytestmark = pytest.mark.slow
WAIT_SECONDS = 60


@pytest.fixture(scope="module")
def table(services: Stack) -> Store:
    return Store(service_env(services, "workers")["PAWPORT_TABLE_NAME"], REGION, services.moto_url,
                 lambda: datetime.now(UTC))


@pytest.fixture(autouse=True)
def credentials(services: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test reaches the table, the topic and the queue as the services do."""
    for name, value in aws_env(services).items():
        monkeypatch.setenv(name, value)


def publish(services: Stack, message: dict) -> None:
    """What SES does with a bounce or complaint of the configuration set: one SNS message."""
    sns = boto3.client("sns", region_name=REGION, endpoint_url=services.moto_url)
    sns.publish(TopicArn=services.resources.topics["ses-feedback"], Message=json.dumps(message))


def until(what: str, found: Callable[[], object]) -> object:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if value := found():
            return value
        time.sleep(0.2)
    raise TimeoutError(f"{what} within {WAIT_SECONDS}s")


def suppressed(table: Store, address: str) -> dict:
    item = until(f"{address} suppressed", lambda: table.get(SUPPRESSION_KEY, suppression_sk(address)))
    return item.body   # type: ignore[attr-defined]


def database(services: Stack, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{services.ports.postgres}/{DB_NAME}", autocommit=True) as db:
        return list(db.execute(sql, params))


def feedback_kept(services: Stack, address: str) -> int:
    return database(services, "SELECT count(*) FROM mail_feedback WHERE email = %s", address)[0][0]


def suppression_audit(services: Stack, address: str) -> list[tuple]:
    return database(services, "SELECT a.action, a.actor_user_id FROM audit_entry a JOIN mail_suppression s "
                              "ON a.target = 'suppression:' || s.id::text WHERE s.email = %s", address)


def members(services: Stack, person: Person, household_id: str) -> dict[str, dict]:
    answer = requests.get(f"{services.api_url}/households/{household_id}/members", headers=person.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return {m["user_id"]: m for m in answer.json()["members"]}


def test_a_bounce_suppresses_the_address_and_a_later_invitation_is_not_sent(services: Stack, table: Store) -> None:
    owner = new_person(services, "bounce-owner")
    household_id = create_household(services, owner, "The Parkers")
    guest = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    invite(services, owner, household_id, guest, "viewer")
    mailed_code(services, guest)   # the first invitation went out; its mailbox does not exist

    publish(services, ses.bounce([guest], "Permanent"))
    assert suppressed(table, guest)["reason"] == "bounce"
    assert suppression_audit(services, guest) == [("mail.suppress.bounce", "ses")]

    again = invite(services, owner, household_id, guest, "viewer")
    queued = mail_key(again["invitation_id"])
    until("the second invitation settled", lambda: (table.get(queued, MAIL_SK).body["status"] == "suppressed"))
    assert len(mailbox.sent_to(services.moto_url, guest)) == 1
    assert "token" not in table.get(queued, MAIL_SK).body


def daily_run(services: Stack, table: Store, day: date) -> dict:
    table.write(Put(Item(REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK, kind="reminder-cursor",
                         body={"day": (day - timedelta(days=1)).isoformat()})))
    return run_daily(services, run_at(day))


def reminders_queue_empty(services: Stack) -> bool:
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=services.moto_url)
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=services.resources.queues["reminders"], AttributeNames=names)
    return all(found["Attributes"][name] == "0" for name in names)


def test_a_complaint_stops_reminders_and_the_owner_sees_it(services: Stack, table: Store) -> None:
    owner, partner = new_person(services, "complaint-owner"), new_person(services, "complaint-partner")
    household_id = create_household(services, owner, "The Parkers")
    join(services, owner, household_id, partner, "editor")
    pet = requests.post(f"{services.control_url}/households/{household_id}/pets", headers=owner.headers, timeout=30,
                        json={"name": "Ollie", "species": "dog"}).json()
    expires_on = date(2027, 8, 31)
    answer = requests.post(f"{services.control_url}/pets/{pet['pet_id']}/records", headers=owner.headers, timeout=30,
                           json={"vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": expires_on.isoformat()})
    assert answer.status_code == 201, answer.text

    publish(services, ses.complaint([partner.email.upper()]))
    assert suppressed(table, partner.email)["reason"] == "complaint"
    seen_by_owner = members(services, owner, household_id)
    assert (seen_by_owner[partner.user_id]["mail_suppressed"], seen_by_owner[owner.user_id]["mail_suppressed"]) == \
        ("complaint", None)
    assert members(services, partner, household_id)[partner.user_id]["mail_suppressed"] is None   # owners only

    invited = len(mailbox.sent_to(services.moto_url, partner.email))   # the invitation, before the complaint
    day = expires_on - timedelta(days=30)
    assert daily_run(services, table, day)["households"] >= 1
    until("the owner's reminder", lambda: any(m["attachments"] for m in mailbox.sent_to(services.moto_url, owner.email)))
    until("the reminders queue drained", lambda: reminders_queue_empty(services))
    claimed = {i.sk for i in table.query(reminded_key(day.isoformat()))}
    assert reminded_sk(household_id, owner.user_id) in claimed and reminded_sk(household_id, partner.user_id) not in claimed
    assert len(mailbox.sent_to(services.moto_url, partner.email)) == invited


def test_transient_bounces_suppress_on_the_third_in_14_days_each_delivered_thrice(services: Stack,
                                                                                   table: Store) -> None:
    twice, thrice = (f"{n}-{uuid.uuid4().hex[:8]}@example.com" for n in ("twice", "thrice"))
    start = datetime.now(UTC) - timedelta(days=13)
    notices = [ses.bounce([twice], "Transient", at=start + timedelta(days=d)) for d in (0, 9)] + \
        [ses.bounce([thrice], "Transient", at=start + timedelta(days=d)) for d in (0, 6, 13)]
    deliveries = [notice for notice in notices for _ in range(3)]   # SES and SNS deliver at least once
    random.Random(3).shuffle(deliveries)
    for notice in deliveries:
        publish(services, notice)

    assert suppressed(table, thrice)["reason"] == "bounce"
    until("every notification handled", lambda: feedback_kept(services, twice) == 2 and feedback_kept(services, thrice) == 3)
    assert table.get(SUPPRESSION_KEY, suppression_sk(twice)) is None
    assert suppression_audit(services, thrice) == [("mail.suppress.bounce", "ses")]
    assert suppression_audit(services, twice) == []
