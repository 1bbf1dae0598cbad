"""The month replay: a trace through the real services on an accelerated clock (never slept),
every call to PostgreSQL and AWS counted per action type, then the wake report over the month's
wake ledger. Runs in a process of its own against a stack `bench/month.py` started:

    python -m bench.replay STATE_DIR HOUSEHOLDS [--days N] [--behaviour FILE]   ->  JSON on stdout"""
import argparse
import json
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import requests
from fpdf import FPDF
from sqlalchemy.orm import Session

from bench import in_process, passports, progress
from bench.trace import BEHAVIOUR, Event, Household, Trace, generate, load_behaviour
from devstack import identity
from devstack.stack import REGION, Stack
from pawport import llm_budget, llm_usage
from pawport.keys import MAIL_SK, draft_sk, household_key, mail_key
from pawport.store import Item, Put, Store

VACCINES = ("Rabies", "DHPP", "Bordetella", "Leptospirosis")
HOT_PATH = ("dashboard", "quick_show", "list_drafts", "upload")
log = logging.getLogger("bench.replay")


class Replay:
    def __init__(self, stack: Stack, trace: Trace, services: in_process.Services, meter: in_process.Meter,
                 clock: in_process.SimClock) -> None:
        self.stack, self.trace, self.services, self.meter, self.clock = stack, trace, services, meter, clock
        self.headers: dict[int, dict[str, str]] = {}
        self.household_ids: dict[int, str] = {}
        self.pets: dict[int, list[str]] = {}
        self.uploads: dict[str, str] = {}          # trace ref -> upload id
        self.records: dict[str, str] = {}          # trace ref -> record id
        self.drafts: dict[str, dict] = {}          # upload id -> the draft as the review screen showed it
        self.given: dict[str, date] = {}           # trace ref -> the date on the certificate
        self.vaccines: dict[str, str] = {}
        self.draft_statuses: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.emails: dict[str, str] = {}            # invitation ref -> the invitee's email
        self.people: dict[str, dict[str, str]] = {}  # invitation ref -> the invitee's headers
        self.codes: dict[str, str] = {}             # invitation ref -> the code mailed
        self.partners: dict[int, str] = {}          # household -> the second member's user id
        self.partner_roles: dict[int, str] = {}
        self.users = 0                              # people signed up in the pool: Cognito's monthly active users
        self.s3 = boto3.client("s3", endpoint_url=stack.moto_url)
        self.table = Store(stack.resources.tables["main"], REGION, stack.moto_url, clock)
        self.cdn = passports.cdn(stack)
        self.passport_paths: dict[int, str] = {}   # household -> its passport's path on the CDN
        self.started = datetime.now(UTC)

    # -- before the month: the households that are members already, through control -------------
    def set_up(self) -> None:
        for ref in sorted({e.ref for e in self.trace.events if e.kind == "invitation"}):
            self.emails[ref], self.people[ref] = self._person(f"invitee-{ref}")
        self.clock.now = self.trace.start - timedelta(days=1)
        for household in self.trace.households:
            _, self.headers[household.index] = self._person(f"h{household.index}")
            if household.joins_at is None:
                self._members(household)
        for household in self.trace.households:   # after the members: their mail settles no document
            if household.joins_at is None:
                self._records(household)
        sqs = boto3.client("sqs", endpoint_url=self.stack.moto_url)
        # the set-up documents were read long ago: their object events (pushed, or queued) are dropped
        for queue in [*self.stack.resources.queues.values(), *self.services.workers.rule_queue_urls]:
            sqs.purge_queue(QueueUrl=queue)
        # and the table's stream too: a batch of its records a round, a few dozen items a household
        self.services.settle(limit=in_process.DRAIN_LIMIT + len(self.trace.households))

    def _person(self, name: str) -> tuple[str, dict[str, str]]:
        """A confirmed user in the pool (verified email): the email, and the headers of their requests."""
        email = f"{name}-{uuid.uuid4().hex[:6]}@bench.pawport.local"
        identity.create_user(self.stack, email, "Bench-password-1")
        self.users += 1
        token = identity.sign_in(self.stack, email, "Bench-password-1")["IdToken"]
        return email, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _members(self, household: Household) -> None:
        """The household, its pets, and its second member (invited, the mailed code accepted)."""
        self.create_household(Event(self.clock.now, "create_household", household.index))
        for pet in range(len(household.records)):
            self.add_pet(Event(self.clock.now, "add_pet", household.index, pet))
        if household.members > 1:
            ref = f"partner{household.index}"
            self.emails[ref], self.people[ref] = self._person(ref)
            self.invitation(Event(self.clock.now, "invitation", household.index, ref=ref), role="editor")
            self.partners[household.index] = self.accept_invitation(
                Event(self.clock.now, "accept_invitation", household.index, ref=ref))

    def _records(self, household: Household) -> None:
        """What each pet has on file, each record approved from a certificate already uploaded: annual
        vaccines given on a day of the past year (seeded), so about one in twelve comes due in the month."""
        for pet, records in enumerate(household.records):
            for n in range(records):
                given = self.trace.start.date() - timedelta(days=random.Random(f"{household.index}/{pet}/{n}").randrange(1, 366))
                self._approve(household.index, pet, self._document_on_file(household.index, pet),
                              {"vaccine": VACCINES[n % len(VACCINES)], "administered_on": given.isoformat(),
                               "expires_on": expiry(given).isoformat()})

    def _document_on_file(self, household: int, pet: int) -> str:
        """A certificate already uploaded before the month: its object and its ready draft (the
        pipeline itself is replayed for the month's uploads)."""
        upload_id, household_id, pet_id = str(uuid.uuid4()), self.household_ids[household], self.pets[household][pet]
        key = f"uploads/{household_id}/{pet_id}/{upload_id}/certificate.pdf"
        self.s3.put_object(Bucket=self.stack.resources.buckets["uploads"], Key=key,
                           Body=certificate(f"set-up {upload_id}", date(2026, 1, 5), "Rabies"))
        self.table.write(Put(Item(household_key(household_id), draft_sk(upload_id), kind="draft",
                                  expires_at=datetime.now(UTC) + timedelta(days=14),
                                  body={"upload_id": upload_id, "pet_id": pet_id, "status": "ready", "reason": None,
                                        "document_key": key, "content_hash": uuid.uuid4().hex * 2,
                                        "file_name": "certificate.pdf"})))
        return upload_id

    # -- the month ---------------------------------------------------------------------------------
    def run(self) -> None:
        for event in progress.tracked(self.trace.events):
            self.clock.now = event.at
            handler = getattr(self, event.kind, None)
            if handler is None:   # drawn, but without a driver here yet
                self.skipped[event.kind] += 1
                continue
            with self.meter.counting(event.kind) as extra:
                try:
                    handler(event, *([extra] if event.kind in ("upload", "passport_view") else []))
                except (AssertionError, KeyError) as error:
                    self.errors[event.kind] += 1
                    log.warning("%s failed: %r", event, error)

    def dashboard(self, event: Event) -> None:
        self._get(self.services.api, f"/households/{self.household_ids[event.household]}/dashboard", event)

    def quick_show(self, event: Event) -> None:
        self._get(self.services.api, f"/pets/{self._pet(event)}/quick-show", event, also=(404,))

    def list_drafts(self, event: Event) -> None:
        for draft in self._get(self.services.api, f"/pets/{self._pet(event)}/drafts", event)["drafts"]:
            self.drafts[draft["upload_id"]] = draft

    def upload(self, event: Event, extra: Counter[str]) -> None:
        """Presigned POST from api, the browser's POST straight to S3, then workers and egress."""
        form = self._send(self.services.api, "POST", f"/pets/{self._pet(event)}/records/uploads", event,
                          {"file_name": f"{event.ref}.pdf", "content_type": "application/pdf"})
        self.given[event.ref] = event.at.date() - timedelta(days=1)          # the visit
        self.vaccines[event.ref] = VACCINES[int(event.ref.split(".")[1]) % len(VACCINES)]
        posted = requests.post(form["url"], data=form["fields"], timeout=30, files={
            "file": (f"{event.ref}.pdf", certificate(event.ref, self.given[event.ref], self.vaccines[event.ref]))})
        assert posted.status_code in (200, 204), posted.text
        extra["s3.PostObject (browser)"] += 1
        self.uploads[event.ref] = form["upload_id"]
        self.services.settle()

    def warmup(self, event: Event) -> None:
        answer = self._send(self.services.control, "POST", "/warmup", event, None, status=200)
        assert answer["awake"], answer

    def approve_record(self, event: Event) -> None:
        """The user confirms what was read, typing in what was not (the certificate's own values)."""
        draft = self.drafts[self.uploads[event.ref]]
        self.draft_statuses[draft["status"]] += 1
        typed = {"vaccine": self.vaccines[event.ref], "administered_on": self.given[event.ref].isoformat(),
                 "expires_on": expiry(self.given[event.ref]).isoformat()}
        read = {k: v for k, v in (draft.get("fields") or {}).items() if k in (*typed, "clinic") and v}
        self.records[event.ref] = self._approve(event.household, event.pet, draft["upload_id"], typed | read)

    def update_record(self, event: Event) -> None:
        record_id = self.records[event.ref]
        self._send(self.services.control, "PATCH", f"/pets/{self._pet(event)}/records/{record_id}", event,
                   {"vaccine": "Rabies", "clinic": "Riverside Veterinary Clinic"}, status=200)

    def add_pet(self, event: Event) -> None:
        household_id = self.household_ids[event.household]
        pet = self._send(self.services.control, "POST", f"/households/{household_id}/pets", event,
                         {"name": f"Pet {len(self.pets[event.household]) + 1}", "species": "dog"})
        self.pets[event.household].append(pet["pet_id"])

    def create_household(self, event: Event) -> None:
        made = self._send(self.services.control, "POST", "/households", event,
                          {"name": f"Household {event.household}", "time_zone": self._zone(event.household)})
        self.household_ids[event.household], self.pets[event.household] = made["household_id"], []

    def invitation(self, event: Event, role: str = "viewer") -> None:
        """The owner invites; workers mail the code (the table's stream, then SES)."""
        invited = self._send(self.services.control, "POST",
                             f"/households/{self.household_ids[event.household]}/invitations", event,
                             {"email": self.emails[event.ref], "role": role})
        with self.meter.aside():   # the invitee reads the code in the mail: the letter workers are about to send
            self.codes[event.ref] = self.table.get(mail_key(invited["invitation_id"]), MAIL_SK).body["token"]
        self.services.settle()

    def accept_invitation(self, event: Event) -> str:
        return self._send(self.services.control, "POST", "/invitations/accept", event,
                          {"token": self.codes[event.ref]}, status=200, headers=self.people[event.ref])["user_id"]

    def role_change(self, event: Event) -> None:
        """The partner made a viewer while away, an editor again on return."""
        self.partner_roles[event.household] = role = \
            "viewer" if self.partner_roles.get(event.household, "editor") == "editor" else "editor"
        self._send(self.services.control, "PUT", f"/households/{self.household_ids[event.household]}/members/"
                   f"{self.partners[event.household]}", event, {"role": role}, status=200)

    def publish_passport(self, event: Event) -> None:
        """The owner shares every pet for 30 days; workers publish the page from the table's stream."""
        household_id = self.household_ids[event.household]
        made = self._send(self.services.control, "POST", f"/households/{household_id}/passports", event,
                          {"pet_ids": self.pets[event.household], "duration": "30d"})
        self.passport_paths[event.household] = made["path"]
        self.services.settle()

    def passport_view(self, event: Event, extra: Counter[str]) -> None:
        """A stranger opens the link: the CDN serves the page and its QR code from the bucket."""
        served, size = passports.view(self.cdn, self.passport_paths[event.household], requests)
        extra["cloudfront.request"] += served
        extra["cloudfront.bytes"] += size

    def ask(self, event: Event) -> None:
        """The owner asks whether a pet is cleared for a stay in two weeks: control checks, reserves and
        hands it over (one wake); workers have egress answer it from the table's stream."""
        household_id, day = self.household_ids[event.household], (event.at + timedelta(days=14)).date()
        question = f"Is Pet {(event.pet or 0) + 1} cleared for boarding on {day.day} {day:%B} {day.year}?"
        made = self._send(self.services.control, "POST", f"/households/{household_id}/asks", event,
                          {"question": question}, status=202)
        self.services.settle()
        answer = self._get(self.services.api, f"/asks/{made['request_id']}", event)
        assert answer["status"] == "answered", answer

    def asks_spent(self) -> dict[str, int]:
        """The month's asks as the households' usage events settled them (pawport/llm_budget.py), in the
        months of the wall clock the services around control keep (the replay's may span two)."""
        months = {llm_usage.month_of(self.started), llm_usage.month_of(datetime.now(UTC))}
        with self.meter.aside():
            events = [e for month in months for e in llm_budget.events_of(self.table, month)
                      if e.body["kind"] == "ask" and e.body["status"] == "settled"]
        return {"asks": len(events), "micro_usd": sum(e.body["micro_usd"] for e in events)}

    def sweep_outbox(self, event: Event) -> None:
        started = time.monotonic()
        self.services.control.lambda_.invoke("sweep_outbox", self.services.control.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
        self.meter.invoked("pawport-control-local-sweep_outbox", time.monotonic() - started)

    def remind_due_records(self, event: Event) -> None:
        """workers' daily run at its rule's time, then each household's reminder mail."""
        outcome = self.services.workers.fire("remind_due_records", at=event.at.timestamp())
        assert not outcome.failed, outcome.error
        self.services.settle()

    def sweep_expired_passports(self, event: Event) -> None:
        """workers' hourly take-down of passports past their expiry, at its rule's time."""
        outcome = self.services.workers.fire("sweep_expired_passports", at=event.at.timestamp())
        assert not outcome.failed, outcome.error

    def count_passport_views(self, event: Event) -> None:
        """workers' hourly count of the CDN's new access-log files into each passport's views."""
        outcome = self.services.workers.fire("count_passport_views", at=event.at.timestamp())
        assert not outcome.failed, outcome.error

    def operator_report(self, event: Event) -> None:
        """workers' weekly report: lambda.invoke of control's aggregates (a wake), then CloudWatch."""
        outcome = self.services.workers.fire("publish_operator_metrics", at=event.at.timestamp())
        assert not outcome.failed, outcome.error

    def llm_tokens(self) -> dict[str, float]:
        """What egress recorded for each extraction (usage/<job>.json) over the month, and its price
        (pawport/llm_usage.py: the local reader answers in the name of the model egress asks for)."""
        bucket = self.stack.resources.buckets["jobs"]
        usages = [json.loads(self.s3.get_object(Bucket=bucket, Key=found["Key"])["Body"].read())
                  for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="usage/")
                  for found in page.get("Contents", [])]
        return {"extractions": len(usages)} | llm_usage.totals(usages)

    # -- helpers -----------------------------------------------------------------------------------
    def _approve(self, household: int, pet: int, upload_id: str, fields: dict) -> str:
        event = Event(self.clock.now, "approve_record", household, pet)
        return self._send(self.services.control, "POST", f"/pets/{self._pet(event)}/records", event,
                          fields | {"upload_id": upload_id})["id"]

    def _pet(self, event: Event) -> str:
        return self.pets[event.household][event.pet or 0]

    def _zone(self, household: int) -> str:
        return self.trace.households[household].time_zone

    def _get(self, client: Any, path: str, event: Event, also: tuple[int, ...] = ()) -> Any:
        with self._request(client):
            answer = client.http.get(path, headers=self.headers[event.household])
        assert answer.status_code == 200 or answer.status_code in also, (answer.status_code, answer.body)
        return answer.json_body

    def _send(self, client: Any, method: str, path: str, event: Event, payload: dict | None,
              status: int = 201, headers: dict[str, str] | None = None) -> Any:
        with self._request(client):
            answer = client.http.request(method, path, headers=headers or self.headers[event.household],
                                         body=json.dumps(payload).encode() if payload is not None else b"")
        assert answer.status_code == status, (answer.status_code, answer.body)
        return answer.json_body

    @contextmanager
    def _request(self, client: Any) -> Iterator[None]:
        """One request through API Gateway to the service's Lambda function, timed for the bill."""
        service = "api" if client is self.services.api else "control"
        started = time.monotonic()
        try:
            yield
        finally:
            self.meter.invoked(f"pawport-{service}-local", time.monotonic() - started, through_api_gateway=True)


def expiry(given: date) -> date:
    return given.replace(year=given.year + 1)


def certificate(ref: str, given: date, vaccine: str) -> bytes:
    """A printed certificate the local reader understands; the reference makes each file unique."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(w=0, text=f"Vaccination certificate {ref}\nVaccine: {vaccine}\nDate given: {given.isoformat()}\n"
                             f"Valid until: {expiry(given).isoformat()}\nClinic: Riverside Vets")
    return bytes(pdf.output())


def wake_report(control_app: Any, trace: Trace) -> dict[str, Any]:
    """Aurora's awake time over the replayed month, from the wake ledger, with control's code."""
    from chalicelib.control import wake_ledger
    from chalicelib.control.database import make_engine
    from chalicelib.control.wake_report import awake
    pause = timedelta(seconds=control_app.config.db_pause_delay_seconds)
    with Session(make_engine(control_app.config)) as session:
        opened = wake_ledger.opened_between(session, trace.start, trace.end)
    report = awake(opened, pause, until=trace.end)
    return {"awake_hours": round(report.awake_hours, 2), "resumes": report.resumes, "sessions": report.sessions,
            "pause_delay_seconds": pause.total_seconds(), "resumes_by_action": report.resumes_by_action,
            "sessions_by_action": report.sessions_by_action}


def main(state_dir: Path, households: int, days: int | None, behaviour_file: Path) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    behaviour = load_behaviour(behaviour_file)
    trace = passports.with_publishing(generate(behaviour, households, days))
    meter, clock = in_process.Meter(), in_process.SimClock(trace.start)
    replay = Replay(Stack.load(state_dir), trace, in_process.load(Stack.load(state_dir), clock), meter, clock)
    started = time.monotonic()
    replay.set_up()
    meter.by_kind.clear()                      # the month only: not the households made before it
    set_up = time.monotonic() - started
    replay.run()
    return {"households": households, "days": (trace.end - trace.start).days, "seed": behaviour["seed"],
            "set_up_seconds": round(set_up, 1), "replay_seconds": round(time.monotonic() - started - set_up, 1),
            "by_kind": {kind: dict(counts) for kind, counts in sorted(meter.by_kind.items())},
            "skipped": dict(replay.skipped), "errors": dict(replay.errors),
            "drafts_at_review": dict(replay.draft_statuses), "llm": replay.llm_tokens(), "users": replay.users,
            "asks": replay.asks_spent(),
            "wakes": wake_report(replay.services.control_app, trace)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.split("\n")[0])
    parser.add_argument("state_dir", type=Path, help="the stack's directory (its stack.json)")
    parser.add_argument("households", type=int)
    parser.add_argument("--days", type=int, help="a shorter month, for tests")
    parser.add_argument("--behaviour", type=Path, default=BEHAVIOUR)
    options = parser.parse_args()
    print(json.dumps(main(options.state_dir, options.households, options.days, options.behaviour)))
