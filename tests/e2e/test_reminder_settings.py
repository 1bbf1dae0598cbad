"""Reminders people steer, on the running local stack: each member's windows decide what they are
mailed, a record entered inside a window is mailed on the next run, the mail's unsubscribe link
works with no sign-in (and is audited), a household's new time zone moves its due-date index, the
mail carries a readable .ics, and each reminder event delivered three times, shuffled, mails once.

The daily run is invoked as its schedule fires it, at the day the test names (the injected clock
is the event's time); the reminders queue's handler runs in the stack's event runner."""
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import icalendar
import pytest
import requests

from chalicelib.workers.reminders import messages as household_messages
from devstack import mail_cli, mailbox, remind
from devstack.remind import run_daily
from devstack.stack import REGION, Stack, aws_env, service_env
from pawport.keys import REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK, reminder_household_prefix, reminder_key
from pawport.reminders import first_run_after, run_at, run_day
from pawport.store import Item, Put, Store
from tests.support.people import Person, create_household, join, new_person

pytestmark = pytest.mark.slow
WAIT_SECONDS = 120   # an upper bound only: each wait ends as soon as the mail is there


@pytest.fixture(scope="module")
def table(services: Stack) -> Store:
    return Store(service_env(services, "workers")["PAWPORT_TABLE_NAME"], REGION, services.moto_url,
                 lambda: datetime.now(UTC))


@pytest.fixture(autouse=True)
def credentials(services: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test reaches the table and the queue as workers do."""
    for name, value in aws_env(services).items():
        monkeypatch.setenv(name, value)


def daily_run(services: Stack, table: Store, day: date) -> dict:
    """The run of `day` as its schedule fires it; earlier days count as finished, whatever ran before."""
    table.write(Put(Item(REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK, kind="reminder-cursor",
                         body={"day": (day - timedelta(days=1)).isoformat()})))
    return run_daily(services, run_at(day))


def reminders_to(services: Stack, person: Person) -> list[dict]:
    """The reminder mail a person was sent (an invitation to join is mail too)."""
    return [m for m in mailbox.sent_to(services.moto_url, person.email) if "vaccination" in m["subject"]]


def mail_to(services: Stack, person: Person, count: int) -> list[dict]:
    """The person's reminder mail once at least `count` have come (the queue's handler runs in the stack)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if len(found := reminders_to(services, person)) >= count:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"{count} mail(s) to {person.email} did not come within {WAIT_SECONDS}s")


def reminders_queue_drained(services: Stack) -> None:
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=services.moto_url)
    url, deadline = services.resources.queues["reminders"], time.monotonic() + WAIT_SECONDS
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    while time.monotonic() < deadline:
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        if all(found[name] == "0" for name in names):
            return
        time.sleep(0.2)
    raise TimeoutError(f"the reminders queue still held messages after {WAIT_SECONDS}s")


def send(services: Stack, method: Callable, path: str, person: Person, body: dict) -> dict:
    answer = method(f"{services.control_url}{path}", headers=person.headers, json=body, timeout=30)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def household_with_a_record(services: Stack, owner: Person, expires_on: date) -> dict:
    """A household in London with one pet, Ollie, and a rabies record expiring on that day."""
    household_id = create_household(services, owner, "The Parkers")
    pet = send(services, requests.post, f"/households/{household_id}/pets", owner, {"name": "Ollie", "species": "dog"})
    record = send(services, requests.post, f"/pets/{pet['pet_id']}/records", owner,
                  {"vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": expires_on.isoformat()})
    return {"household_id": household_id, "pet_id": pet["pet_id"], "record_id": record["id"]}


def index_days(table: Store, household_id: str, days: list[date]) -> dict[str, list[int]]:
    """Which of these days' runs hold the household's entries, and the windows each sends."""
    return {day.isoformat(): item.body["windows"] for day in days
            for item in table.query(reminder_key(day.isoformat()), sk_prefix=reminder_household_prefix(household_id))}


def audit_actions(services: Stack, owner: Person, household_id: str) -> list[str]:
    answer = requests.get(f"{services.control_url}/households/{household_id}/audit", headers=owner.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return [entry["action"] for entry in answer.json()["entries"]]


def test_each_members_windows_decide_what_they_are_mailed(services: Stack, table: Store) -> None:
    owner, partner = new_person(services, "windows-owner"), new_person(services, "windows-partner")
    expires_on = date(2027, 6, 30)   # London in summer: each reminder day is its own run's day
    h = household_with_a_record(services, owner, expires_on)
    join(services, owner, h["household_id"], partner, "editor")
    chosen = send(services, requests.put, f"/households/{h['household_id']}/reminders", owner, {"windows": [7, 0]})
    assert chosen == {"household_id": h["household_id"], "user_id": owner.user_id, "windows": [7, 0]}
    refused = requests.put(f"{services.control_url}/households/{h['household_id']}/reminders", headers=owner.headers,
                           json={"windows": [7, 7]}, timeout=30)
    assert refused.status_code == 400 and "windows" in refused.json()["message"]

    daily_run(services, table, expires_on - timedelta(days=30))
    [first] = mail_to(services, partner, 1)                        # the partner keeps the default 30 and 0
    assert first["subject"] == "Ollie's Rabies vaccination expires in 30 days"
    daily_run(services, table, expires_on - timedelta(days=7))
    [seven] = mail_to(services, owner, 1)                          # the owner chose 7 and 0, not 30
    assert seven["subject"] == "Ollie's Rabies vaccination expires in 7 days"
    daily_run(services, table, expires_on)
    owner_mail, partner_mail = mail_to(services, owner, 2), mail_to(services, partner, 2)
    reminders_queue_drained(services)

    assert [m["subject"] for m in reminders_to(services, partner)] == [
        "Ollie's Rabies vaccination expires in 30 days", "Ollie's Rabies vaccination expires today"]
    assert [m["subject"] for m in owner_mail] == [
        "Ollie's Rabies vaccination expires in 7 days", "Ollie's Rabies vaccination expires today"]
    assert len(partner_mail) == len(reminders_to(services, owner)) == 2
    pet_link = f"{service_env(services, 'workers')['PAWPORT_WEB_APP_URL']}/pets/{h['pet_id']}?household={h['household_id']}"
    assert pet_link in seven["text"]
    assert audit_actions(services, owner, h["household_id"]).count("reminders.windows") == 1


def test_a_record_entered_inside_a_window_is_mailed_on_the_next_run(services: Stack, table: Store) -> None:
    owner = new_person(services, "in-window")
    expires_on = datetime.now(UTC).date() + timedelta(days=12)   # inside the 30-day window already
    h = household_with_a_record(services, owner, expires_on)
    next_runs = [first_run_after(datetime.now(UTC)) - timedelta(days=1) + timedelta(days=n) for n in range(3)]

    filed = index_days(table, h["household_id"], [*next_runs, run_day(expires_on, "Europe/London")])
    [(day, windows)] = [(d, w) for d, w in filed.items() if d != expires_on.isoformat()]
    assert windows == [30] and filed[expires_on.isoformat()] == [0]

    daily_run(services, table, date.fromisoformat(day))
    [mail] = mail_to(services, owner, 1)
    left = (expires_on - date.fromisoformat(day)).days
    assert mail["subject"] == f"Ollie's Rabies vaccination expires in {left} days"


def test_the_unsubscribe_link_works_signed_out_stops_mail_and_is_audited(services: Stack, table: Store) -> None:
    owner = new_person(services, "unsubscribe")
    expires_on = date(2027, 7, 31)
    h = household_with_a_record(services, owner, expires_on)
    daily_run(services, table, expires_on - timedelta(days=30))
    [mail] = mail_to(services, owner, 1)
    link = mail["headers"]["List-Unsubscribe"].strip("<>")
    assert link in mail["text"] and mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page = requests.get(link, timeout=30)   # what a link scanner or a preview fetches: it changes nothing
    assert page.status_code == 200 and 'method="post"' in page.text
    assert "reminders.unsubscribe" not in audit_actions(services, owner, h["household_id"])
    token = parse_qs(urlsplit(link).query)["token"][0]
    forged = requests.post(link.replace(token, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")),
                           data={"List-Unsubscribe": "One-Click"}, timeout=30)
    assert forged.status_code == 400
    for _ in range(2):   # the button, then the mail client's own one-click POST: the same outcome, once
        done = requests.post(link, data={"List-Unsubscribe": "One-Click"}, timeout=30)
        assert done.status_code == 200 and "Unsubscribed" in done.text
    assert audit_actions(services, owner, h["household_id"]).count("reminders.unsubscribe") == 1

    daily_run(services, table, expires_on)
    reminders_queue_drained(services)
    assert len(reminders_to(services, owner)) == 1   # no mail on the last valid day
    assert requests.get(link.replace(token, "x" + token), timeout=30).status_code == 400   # not a token


def test_a_new_time_zone_moves_the_households_index(services: Stack, table: Store) -> None:
    owner, editor = new_person(services, "zone-owner"), new_person(services, "zone-editor")
    expires_on = date(2027, 1, 31)   # winter: 07:00 UTC is 23:00 the evening before in Los Angeles
    h = household_with_a_record(services, owner, expires_on)
    join(services, owner, h["household_id"], editor, "editor")
    candidates = [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 31), date(2027, 2, 1)]
    assert index_days(table, h["household_id"], candidates) == {"2027-01-01": [30], "2027-01-31": [0]}

    refused = requests.put(f"{services.control_url}/households/{h['household_id']}/time-zone", headers=editor.headers,
                           json={"time_zone": "America/Los_Angeles"}, timeout=30)
    assert refused.status_code == 403
    moved = send(services, requests.put, f"/households/{h['household_id']}/time-zone", owner,
                 {"time_zone": "America/Los_Angeles"})

    assert moved == {"household_id": h["household_id"], "time_zone": "America/Los_Angeles"}
    assert index_days(table, h["household_id"], candidates) == {"2027-01-02": [30], "2027-02-01": [0]}
    assert "household.time_zone" in audit_actions(services, owner, h["household_id"])
    daily_run(services, table, date(2027, 2, 1))
    [mail] = mail_to(services, owner, 1)
    assert mail["subject"] == "Ollie's Rabies vaccination expires today"   # still the 31st in Los Angeles


def test_the_mail_carries_the_due_dates_as_a_calendar(services: Stack, table: Store) -> None:
    owner = new_person(services, "calendar")
    expires_on = date(2027, 8, 31)
    h = household_with_a_record(services, owner, expires_on)
    daily_run(services, table, expires_on - timedelta(days=30))
    [mail] = mail_to(services, owner, 1)

    [(name, kind, data)] = mail["attachments"]
    assert (name, kind) == ("vaccinations-due.ics", "text/calendar")
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert (event.decoded("DTSTART"), str(event["SUMMARY"])) == (expires_on, "Ollie: Rabies expires (last valid day)")
    assert str(event["UID"]).startswith(h["record_id"])


def test_each_reminder_event_three_times_shuffled_mails_once(services: Stack, table: Store) -> None:
    people = [new_person(services, f"thrice-{n}") for n in range(3)]
    expires_on = date(2027, 9, 30)
    households = [household_with_a_record(services, person, expires_on)["household_id"] for person in people]
    join(services, people[0], households[0], people[2], "viewer")   # one person in two households
    day = expires_on - timedelta(days=30)
    due = [item.body for household in households
           for item in table.query(reminder_key(day.isoformat()), sk_prefix=reminder_household_prefix(household))]
    bodies = [json.dumps(m) for m in household_messages(day, due)] * 3
    random.shuffle(bodies)
    assert len(bodies) == 9

    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=services.moto_url)
    for body in bodies:   # the queue's at-least-once delivery, three times over, out of order
        sqs.send_message(QueueUrl=services.resources.queues["reminders"], MessageBody=body)
    runs = [daily_run(services, table, day), run_daily(services, run_at(day)), run_daily(services, run_at(day))]
    assert runs[1:] == [{"days": 0, "households": 0}] * 2   # the schedule's retries: the day is done
    for person, count in zip(people, (1, 1, 2), strict=True):
        mail_to(services, person, count)
    reminders_queue_drained(services)

    assert [len(reminders_to(services, p)) for p in people] == [1, 1, 2]


def test_make_remind_then_make_mail_show_a_newcomer_the_reminder(services: Stack, table: Store,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture) -> None:
    """The two commands as `make remind` and `make mail` run them, pointed at this stack."""
    for module in (remind, mail_cli):
        monkeypatch.setattr(module, "STATE_DIR", services.state_dir)
    owner = new_person(services, "newcomer")
    household_with_a_record(services, owner, datetime.now(UTC).date() + timedelta(days=10))
    next_run = first_run_after(datetime.now(UTC))
    table.write(Put(Item(REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK, kind="reminder-cursor",
                         body={"day": (next_run - timedelta(days=1)).isoformat()})))

    assert remind.main([]) == 0
    assert f"the daily run of {next_run:%Y-%m-%d}" in capsys.readouterr().out
    [mail] = mail_to(services, owner, 1)
    assert mail_cli.main(["--to", owner.email, "--lines", "3"]) == 0

    shown = capsys.readouterr().out
    assert f"To: {owner.email}" in shown and f"Subject: {mail['subject']}" in shown
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in shown
    assert "[attached: vaccinations-due.ics (text/calendar, " in shown and "1 mail(s)" in shown
