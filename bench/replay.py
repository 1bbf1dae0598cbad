"""The month replay: a trace through the real services on an accelerated clock (never slept),
every call to PostgreSQL and AWS counted per action type, then the wake report over the month's
wake ledger. Runs in a process of its own against a stack `bench/month.py` started:

    python -m bench.replay STATE_DIR HOUSEHOLDS [DAYS]   ->  JSON on stdout"""
import json
import logging
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import requests
from fpdf import FPDF
from sqlalchemy.orm import Session

from bench import in_process
from bench.trace import NOT_BUILT, Event, Household, Trace, generate, load_behaviour
from devstack import identity
from devstack.stack import Stack
from pawport.table import TableItem, draft_sk, household_key

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
        self.s3 = boto3.client("s3", endpoint_url=stack.moto_url)

    # -- before the month: the households that are members already, through control -------------
    def set_up(self) -> None:
        for household in self.trace.households:
            email = f"h{household.index}-{uuid.uuid4().hex[:6]}@bench.pawport.local"
            identity.create_user(self.stack, email, "Bench-password-1")
            token = identity.sign_in(self.stack, email, "Bench-password-1")["IdToken"]
            self.headers[household.index] = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            if household.joins_at is None:
                self.clock.now = self.trace.start - timedelta(days=1)
                self._existing(household)
        sqs = boto3.client("sqs", endpoint_url=self.stack.moto_url)
        for queue in self.stack.resources.queues.values():   # the set-up documents were read long ago
            sqs.purge_queue(QueueUrl=queue)

    def _existing(self, household: Household) -> None:
        self.create_household(Event(self.clock.now, "create_household", household.index))
        for pet, records in enumerate(household.records):
            self.add_pet(Event(self.clock.now, "add_pet", household.index, pet))
            for n in range(records):
                given = self.trace.start.date() - timedelta(days=40 + 170 * n)
                self._approve(household.index, pet, self._document_on_file(household.index, pet),
                              {"vaccine": VACCINES[n % len(VACCINES)], "administered_on": given.isoformat(),
                               "expires_on": given.replace(year=given.year + 3).isoformat()})

    def _document_on_file(self, household: int, pet: int) -> str:
        """A certificate already uploaded before the month: its object and its ready draft (the
        pipeline itself is replayed for the month's uploads)."""
        upload_id, household_id, pet_id = str(uuid.uuid4()), self.household_ids[household], self.pets[household][pet]
        key = f"uploads/{household_id}/{pet_id}/{upload_id}/certificate.pdf"
        self.s3.put_object(Bucket=self.stack.resources.buckets["uploads"], Key=key,
                           Body=certificate(f"set-up {upload_id}", date(2026, 1, 5), "Rabies"))
        TableItem(household_key(household_id), draft_sk(upload_id), kind="draft", version=0,
                  expires_at=datetime.now(UTC) + timedelta(days=14),
                  body={"upload_id": upload_id, "pet_id": pet_id, "status": "ready", "reason": None,
                        "document_key": key, "content_hash": uuid.uuid4().hex * 2}).save()
        return upload_id

    # -- the month ---------------------------------------------------------------------------------
    def run(self) -> None:
        for event in self.trace.events:
            self.clock.now = event.at
            handler = None if event.kind in NOT_BUILT else getattr(self, event.kind, None)
            if handler is None:   # not built yet, or built but without a driver here yet
                self.skipped[event.kind] += 1
                continue
            with self.meter.counting(event.kind) as extra:
                try:
                    handler(event, *([extra] if event.kind == "upload" else []))
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
        self._send(self.services.control, "PUT", f"/pets/{self._pet(event)}/records/{record_id}", event,
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

    def sweep_outbox(self, event: Event) -> None:
        self.services.control.lambda_.invoke("sweep_outbox", self.services.control.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))

    def llm_tokens(self) -> dict[str, int]:
        """What egress recorded for each extraction (usage/<job>.json), over the month."""
        totals: Counter[str] = Counter()
        bucket = self.stack.resources.buckets["jobs"]
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="usage/"):
            for found in page.get("Contents", []):
                usage = json.loads(self.s3.get_object(Bucket=bucket, Key=found["Key"])["Body"].read())
                totals.update({"extractions": 1, "prompt_tokens": usage.get("prompt_tokens", 0),
                               "completion_tokens": usage.get("completion_tokens", 0)})
        return dict(totals)

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
        answer = client.http.get(path, headers=self.headers[event.household])
        assert answer.status_code == 200 or answer.status_code in also, (answer.status_code, answer.body)
        return answer.json_body

    def _send(self, client: Any, method: str, path: str, event: Event, payload: dict | None,
              status: int = 201) -> Any:
        answer = client.http.request(method, path, headers=self.headers[event.household],
                                     body=json.dumps(payload).encode() if payload is not None else b"")
        assert answer.status_code == status, (answer.status_code, answer.body)
        return answer.json_body


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


def main(state_dir: Path, households: int, days: int | None) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    trace = generate(load_behaviour(), households, days)
    meter, clock = in_process.Meter(), in_process.SimClock(trace.start)
    replay = Replay(Stack.load(state_dir), trace, in_process.load(Stack.load(state_dir), clock), meter, clock)
    started = time.monotonic()
    replay.set_up()
    meter.by_kind.clear()                      # the month only: not the households made before it
    set_up = time.monotonic() - started
    replay.run()
    return {"households": households, "days": (trace.end - trace.start).days, "seed": load_behaviour()["seed"],
            "set_up_seconds": round(set_up, 1), "replay_seconds": round(time.monotonic() - started - set_up, 1),
            "by_kind": {kind: dict(counts) for kind, counts in sorted(meter.by_kind.items())},
            "skipped": dict(replay.skipped), "errors": dict(replay.errors),
            "drafts_at_review": dict(replay.draft_statuses), "llm": replay.llm_tokens(),
            "wakes": wake_report(replay.services.control_app, trace)}


if __name__ == "__main__":
    arguments = sys.argv[1:]
    print(json.dumps(main(Path(arguments[0]), int(arguments[1]), int(arguments[2]) if len(arguments) > 2 else None)))
