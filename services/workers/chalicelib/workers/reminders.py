"""Reminders before a record expires, from the due-date index alone: reads never open Aurora.

The daily run (`fan_out`) reads the partition REMINDER#<day> of each day it has not finished, a
paginated Query: what it reads grows with the reminders due, not with the households there are.
It sends one message per household to the reminders queue and then remembers the day as
finished (REMINDERS/CURSOR), so a run that failed or never happened is made up by the next one
(up to CATCH_UP_DAYS back).

Each message becomes one mail per member (`deliver`) who keeps one of the windows its entries
were filed for (the member's choice is projected into the household's partition; a member who
turned reminders off keeps none). Names and addresses come from the
household's partition, where each record is checked again, so an index entry that a later edit
has not moved yet mails nothing wrong. A member's mail is claimed with a lease before it is sent
and marked sent after (REMINDED#<day>), as invitation mail is (mail.py): a redelivered message or
a re-run day mails nobody twice, a failed send releases its claim and the message is retried, and
a crash between claim and send is mailed by the message's retry once the lease has lapsed (at
least once). Suppressed addresses (bounced, complained) get no reminder.
"""
import json
import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.workers import reminder_mail
from chalicelib.workers.mail import LEASE, MailInFlight, Postman, held, lapsed, lease_stamp, suppressed
from chalicelib.workers.reminder_mail import Household, Links
from pawport.keys import REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK, household_key, reminded_key, reminded_sk, reminder_key
from pawport.reminders import filed_windows, windows_of
from pawport.store import Delete, Item, Put, Store, Update, Written

log = logging.getLogger(__name__)
CATCH_UP_DAYS = 7          # a run also sends the days the runs before it did not finish, this far back
CLAIM_LIFETIME = timedelta(days=35)   # past any redelivery or catch-up of that day
SQS_BATCH = 10


# ---- the daily run ----

def fan_out(store: Store, sqs: Any, queue_url: str, now: datetime) -> dict[str, int]:
    """Send every household its reminders of each unfinished day up to today (UTC)."""
    days = days_to_run(finished_day(store), now)
    households = 0
    for day in days:
        households += send(sqs, queue_url, messages(day, due_reminders(store, day)))
        finish(store, day)
    return {"days": len(days), "households": households}


def days_to_run(finished: date | None, now: datetime) -> list[date]:
    today = now.astimezone(UTC).date()
    first = max(finished + timedelta(days=1) if finished else today, today - timedelta(days=CATCH_UP_DAYS))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def due_reminders(store: Store, day: date) -> list[dict]:
    """The index entries of one day's run: a Query on its partition, page by page (never a Scan)."""
    return [item.body for item in store.query(reminder_key(day.isoformat()), attributes=["body"])]


def messages(day: date, reminders: list[dict]) -> list[dict]:
    """One message per household, holding all of its reminders of the day."""
    by_household: dict[str, list[dict]] = defaultdict(list)
    for reminder in reminders:
        by_household[reminder["household_id"]].append(
            {key: reminder[key] for key in ("record_id", "pet_id", "vaccine", "expires_on")}
            | {"windows": filed_windows(reminder)})
    return [{"household_id": household, "day": day.isoformat(), "reminders": due}
            for household, due in sorted(by_household.items())]


def send(sqs: Any, queue_url: str, bodies: list[dict]) -> int:
    for start in range(0, len(bodies), SQS_BATCH):
        chunk = bodies[start:start + SQS_BATCH]
        answer = sqs.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(n), "MessageBody": json.dumps(body)} for n, body in enumerate(chunk)])
        if answer.get("Failed"):   # the day stays unfinished: the next run sends it again
            raise RuntimeError(f"the reminders queue refused {len(answer['Failed'])} messages: {answer['Failed']}")
    return len(bodies)


def finished_day(store: Store) -> date | None:
    cursor = store.get(REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK, consistent=True)
    return date.fromisoformat(cursor.body["day"]) if cursor else None


def finish(store: Store, day: date) -> None:
    store.write(Put(Item(REMINDER_CURSOR_KEY, REMINDER_CURSOR_SK, kind="reminder-cursor", body={"day": day.isoformat()})))


# ---- one household's mail ----

def deliver(message: dict, store: Store, postman: Postman, now: datetime, links: Links) -> int:
    """Mail the household's members their reminders of the day, each only those of the windows they
    chose; how many mails went out now."""
    household = household_partition(store, message["household_id"])
    due = still_due(message["reminders"], household)
    if not due:
        log.info("household %s: nothing of %s is still due (edited or deleted since)", message["household_id"],
                 message["day"])
        return 0
    about, chosen = described(household, message["household_id"]), member_windows(household)
    mailed, in_flight = 0, []
    for member in household.get("member", []):
        if not member.get("email"):   # members without an address in the projection get no mail
            continue
        windows = chosen.get(member["user_id"], windows_of(None))
        wanted = reminder_mail.for_member(windows, due)
        if not wanted:   # not one of this member's windows today, or they turned reminders off
            continue
        if suppressed(store, member["email"]):
            log.info("household %s: %s bounced or complained, no reminder", message["household_id"], member["user_id"])
            continue
        letter = reminder_mail.letter(about, member, windows, wanted, date.fromisoformat(message["day"]), links, now)
        claim = Item(reminded_key(message["day"]), reminded_sk(message["household_id"], member["user_id"]),
                     kind="reminder-claim", expires_at=now + CLAIM_LIFETIME,
                     body={"status": "sending", "lease_until": lease_stamp(now + LEASE)})
        claimed = store.write(Put(claim, store.absent() | lapsed(now)))
        if not isinstance(claimed, Written):
            if held(claimed):
                in_flight.append(claim.sk)
            else:
                log.info("reminder %s %s was mailed before", claim.pk, claim.sk)
            continue
        try:
            postman.send(letter)
        except Exception:
            store.write(Delete(claim.pk, claim.sk))   # the message's retry claims it again
            raise
        store.write(Update(claim.pk, claim.sk, {"body.status": "sent"}, remove=["body.lease_until"]))
        mailed += 1
    if in_flight:   # the others are mailed; the message's retry finds these settled or their leases lapsed
        raise MailInFlight(f"{message['day']}: {', '.join(in_flight)} held by another delivery")
    return mailed


def household_partition(store: Store, household_id: str) -> dict[str, list[dict]]:
    """The bodies of the household's projection items, by kind (household, member, pet, record, …)."""
    items: dict[str, list[dict]] = defaultdict(list)
    for item in store.query(household_key(household_id), attributes=["kind", "body"]):
        items[item.kind].append(item.body)
    return items


def still_due(reminders: list[dict], household: dict[str, list[dict]]) -> list[dict]:
    """The reminders whose record still exists with the expiry they were filed for (with their
    windows: a message queued before entries named them has none)."""
    expiry = {record["id"]: record["expires_on"] for record in household.get("record", [])}
    return [r | {"windows": filed_windows(r)} for r in reminders if expiry.get(r["record_id"]) == r["expires_on"]]


def member_windows(household: dict[str, list[dict]]) -> dict[str, tuple[int, ...]]:
    """The windows each member chose (a member who never chose has the default)."""
    return {s["user_id"]: windows_of(s["windows"]) for s in household.get("reminder-settings", [])}


def described(household: dict[str, list[dict]], household_id: str) -> Household:
    about = household["household"][0] if household.get("household") else {}
    return Household(household_id, about.get("name", "your household"), about.get("time_zone", "UTC"),
                     {pet["id"]: pet["name"] for pet in household.get("pet", [])})
