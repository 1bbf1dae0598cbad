"""The daily reminder run reads as much with 100,000 households as with 1,000, when as many
records are due.

For each size a fresh copy of infra/resources.yaml (its own stage, so its own table and queue) is
seeded with the due-date index only: one record per household, its items computed by control's
pure projection and written with the store's batch writes. DUE_TODAY households have a record whose
reminder is due on DAY; every other household's reminders fall on other days of the year. Then
workers' real daily run (reminders.fan_out) runs for DAY, and botocore's events count its DynamoDB
round trips and the items they returned.

Usage: .venv/bin/python -m bench.reminders [endpoint URL of a running moto]   (prints the JSON)
"""
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from devstack import REPO, resources
from devstack.measure import AwsCalls
from devstack.moto import moto_server
from devstack.ports import free_port
from devstack.stack import REGION
from pawport.reminders import DEFAULT_WINDOWS, run_at
from pawport.status import DUE_WINDOW
from pawport.store import Item, Store

SIZES = (1_000, 100_000)
DUE_TODAY = 200
DAY = date(2027, 3, 1)
READS = ("dynamodb.Query", "dynamodb.GetItem", "dynamodb.BatchGetItem", "dynamodb.Scan")
WRITERS = 8      # moto serves requests on threads; parallel batches seed several times faster
SEED_CHUNK = 500


def measure(endpoint_url: str | None = None, sizes: tuple[int, ...] = SIZES, due_today: int = DUE_TODAY) -> dict:
    """Seed and run once per size; reads, items read and seconds per size, and the read ratio."""
    projection, reminders = _services()
    figures: dict[str, Any] = {"reminder_due_today": due_today}
    with ExitStack() as stack:
        endpoint = endpoint_url or stack.enter_context(
            moto_server(free_port(), Path(tempfile.mkdtemp(prefix="pawport-reminders-")) / "moto.log"))
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):   # moto takes any; the store reads them here
            os.environ.setdefault(name, "testing")
        session = boto3.session.Session(region_name=REGION)
        for size in sizes:
            made = resources.create_all(endpoint, REGION, f"reminders{size}-{uuid.uuid4().hex[:6]}")
            store = Store(made.tables["main"], REGION, endpoint, clock=lambda: run_at(DAY))
            sqs = session.client("sqs", endpoint_url=endpoint)
            started = time.monotonic()
            written = seed(store, index_items(projection, size, due_today))
            figures[f"reminder_seed_items_{size}"] = written
            figures[f"reminder_seed_seconds_{size}"] = round(time.monotonic() - started, 1)

            calls, items = AwsCalls(store.client), _items_read(store.client)   # the run's own DynamoDB client
            started = time.monotonic()
            sent = reminders.fan_out(store, sqs, made.queues["reminders"], run_at(DAY))
            figures[f"reminder_run_seconds_{size}"] = round(time.monotonic() - started, 3)
            figures[f"reminder_reads_{size}"] = sum(calls.calls[name] for name in READS)
            figures[f"reminder_items_read_{size}"] = items["count"]
            figures[f"reminder_households_messaged_{size}"] = sent["households"]
    low, high = min(sizes), max(sizes)
    figures["reminder_read_ratio"] = round(figures[f"reminder_reads_{high}"] / figures[f"reminder_reads_{low}"], 3)
    return figures


def index_items(projection: Any, households: int, due_today: int) -> Iterator[dict]:
    """The due-date index of one record per household, from control's pure projection: the first
    due_today records come due on DAY (30 days before they expire), the others on other days."""
    for n in range(households):
        expires_on = DAY + (DUE_WINDOW if n < due_today else timedelta(days=31 + n % 330))
        record = projection.VaccinationRecord(id=uuid.uuid4(), household_id=uuid.uuid4(), pet_id=uuid.uuid4(),
                                              vaccine="Rabies", expires_on=expires_on, version=1,
                                              created_at=run_at(DAY) - timedelta(days=60))
        yield from projection.reminder_items(record, "Europe/London", DEFAULT_WINDOWS)


def seed(store: Store, items: Iterator[dict]) -> int:
    """The store's batch writes, a chunk a thread at a time on several threads."""
    chunks: list[list[Item]] = [[]]
    for item in items:
        if len(chunks[-1]) == SEED_CHUNK:
            chunks.append([])
        chunks[-1].append(Item(**item | {"expires_at": datetime.fromtimestamp(item["expires_at"], UTC)}))
    with ThreadPoolExecutor(WRITERS) as pool:
        return sum(pool.map(store.put_all, chunks))


def _items_read(dynamodb: Any) -> dict[str, int]:
    read = {"count": 0}

    def count(parsed: dict, **_: Any) -> None:
        read["count"] += parsed.get("Count", 1 if "Item" in parsed else 0)
    for operation in ("Query", "GetItem"):
        dynamodb.meta.events.register(f"after-call.dynamodb.{operation}", count)
    return read


def _services() -> tuple[Any, Any]:
    """control's projection and workers' reminders, imported side by side (chalicelib is a namespace package)."""
    for service in ("control", "workers"):
        sys.path.insert(0, str(REPO / "services" / service))
    from chalicelib.control import projection
    from chalicelib.workers import reminders
    return projection, reminders


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
