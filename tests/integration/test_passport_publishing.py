"""Publishing passports from the table's stream, against real PostgreSQL (control) and moto: each
event delivered three times, shuffled, publishes once; an edit republishes once; a revocation takes
the artifact down and publishes nothing; and a passport's expiry takes it down through DynamoDB's
TTL (the runner's sweep on an injected clock), Aurora untouched. The relayed projection equals a
rebuild from Aurora."""
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.control.rebuild import stored
from chalicelib.workers.passport_page import Origins, render
from devstack.measure import AwsCalls, TransactionCounter
from devstack.stack import Stack
from pawport.contracts import PassportBody
from pawport.keys import PASSPORT_SK, passport_key
from tests.integration.workers_harness import Workers, control_writing_to, invoke, running_workers
from tests.support.clocks import Clock
from tests.support.people import caller

COPIES = 3


class StreamTap:
    """The table's stream records since the last read, as Lambda hands them over (with the stream's ARN
    and epoch seconds), for delivering by hand; the runner is never polled, so it delivers none."""

    def __init__(self, stream_arn: str) -> None:
        self._arn, self._streams = stream_arn, boto3.client("dynamodbstreams")
        shard = self._streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self._iterator = self._streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard,
                                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def new(self) -> list[dict]:
        records = []
        while True:
            page = self._streams.get_records(ShardIterator=self._iterator)
            self._iterator = page["NextShardIterator"]
            if not page["Records"]:
                return records
            records += [r | {"eventSourceARN": self._arn, "dynamodb": r["dynamodb"] | {
                "ApproximateCreationDateTime": float(int(r["dynamodb"]["ApproximateCreationDateTime"].timestamp()))}}
                for r in page["Records"]]


@pytest.fixture(scope="module")
def clock() -> Clock[float]:
    return Clock(time.time())


@pytest.fixture(scope="module")
def workers(stack: Stack, clock: Clock[float]) -> Iterator[Workers]:
    with running_workers(stack, clock=clock) as running:
        yield running


@pytest.fixture(scope="module")
def world(control: Any, workers: Workers) -> dict:
    """A household with a pet and a record, through control projecting into these workers' table."""
    wired, person = control_writing_to(control, workers), caller("owner")
    tap = StreamTap(workers.made.streams["main"])

    def run(command: object) -> dict:
        return wired.handle(command, control.Context(caller=person, request_id="req", now=datetime.now(UTC))) \
            .model_dump(mode="json")
    r = control.requests
    household = run(control.commands.CreateHousehold(r.NewHousehold(name="The Publishers", time_zone="UTC")))
    pet = run(control.commands.AddPet(household["household_id"], r.NewPet(name="Ollie", species="dog")))
    record = run(control.commands.ApproveRecord(pet["pet_id"], r.NewRecord(vaccine="Rabies",
                                                                           administered_on="2026-01-05")))
    tap.new()   # what came before any passport
    return {"run": run, "tap": tap, "household": household["household_id"], "pet": pet["pet_id"], "record": record,
            "wired": wired}


def deliver_shuffled(workers: Workers, records: list[dict], transactions: TransactionCounter | None = None) -> Counter:
    """Every record three times, in a random order, in batches as a stream might cut them; S3's calls.
    Given the transaction counter, publishing must not move it: it reads DynamoDB, never Aurora."""
    copies = records * COPIES
    random.shuffle(copies)
    calls = AwsCalls(workers.app.objects._s3)
    before = transactions.read() if transactions else 0
    for start in range(0, len(copies), 4):
        invoke(workers, "table_changes", {"Records": copies[start:start + 4]})
    if transactions:
        assert transactions.read() - before == 0
    return calls.calls


def share(control: Any, world: dict, duration: str) -> dict:
    new = control.requests.NewPassport(pet_ids=[world["pet"]], duration=duration)
    return world["run"](control.commands.CreatePassport(world["household"], new))


def artifact(workers: Workers, passport: dict) -> list[str]:
    prefix = passport["path"].lstrip("/")
    return sorted(o["Key"].removeprefix(prefix) for o in workers.s3.list_objects_v2(
        Bucket=workers.made.buckets["passports"], Prefix=prefix).get("Contents", []))


def test_each_event_three_times_shuffled_publishes_once(control: Any, workers: Workers, world: dict,
                                                       transactions: TransactionCounter) -> None:
    passport = share(control, world, "7d")
    created = world["tap"].new()
    assert created   # the passport's items, through the outbox

    calls = deliver_shuffled(workers, created, transactions)
    assert calls["s3.PutObject"] == 4   # page, JSON, SVG and PNG: once
    assert artifact(workers, passport) == ["index.html", "passport.json", "qr.png", "qr.svg"]

    r = control.requests
    world["run"](control.commands.UpdateRecord(world["pet"], world["record"]["id"],
                                               r.RecordChanges(vaccine="Rabies (3 year)")))
    calls = deliver_shuffled(workers, world["tap"].new(), transactions)
    assert calls["s3.PutObject"] == 4   # republished once
    page = workers.read(workers.made.buckets["passports"], passport["path"].lstrip("/") + "index.html")
    assert b"Rabies (3 year)" in page

    world["run"](control.commands.RevokePassport(world["household"], passport["id"]))
    calls = deliver_shuffled(workers, world["tap"].new(), transactions)
    assert calls["s3.PutObject"] == 0 and artifact(workers, passport) == []


def test_the_ttl_takes_an_expired_passport_down_on_its_own(control: Any, workers: Workers, world: dict,
                                                          clock: Clock[float]) -> None:
    passport = share(control, world, "24h")
    deliver_shuffled(workers, world["tap"].new())
    assert "index.html" in artifact(workers, passport)

    clock.now = time.time() + timedelta(hours=24, minutes=1).total_seconds()
    workers.drain()   # the runner's TTL sweep at that time deletes the token item; its REMOVE reaches workers

    assert artifact(workers, passport) == []
    assert workers.store.get(passport_key(passport["path"].split("/")[2]), PASSPORT_SK) is None


def test_the_relayed_passports_equal_a_rebuild_from_aurora(control: Any, workers: Workers, world: dict,
                                                          clock: Clock[float]) -> None:
    share(control, world, "none")
    wired = world["wired"]
    with wired.database.transaction("test", None) as session:
        derived = control.projection.household_items(session, uuid.UUID(world["household"]))
    held = stored(wired.projections, world["household"])
    # The TTL rule at the sweep's time (the clock the previous test moved on): an expired item is gone.
    live = [i for i in derived if i.get("expires_at", float("inf")) > clock()]
    key = lambda i: (i["pk"], i["sk"])  # noqa: E731
    passports = lambda items: sorted((i for i in items if i["kind"].startswith("passport")), key=key)  # noqa: E731
    assert len(passports(held)) >= 3   # the 7-day one (revoked: listed only), the 24-hour one (expired) and this
    assert [{k: i[k] for k in ("pk", "sk", "kind", "version", "body")} for i in passports(live)] == passports(held)


def test_the_page_renders_the_same_bytes_from_the_same_projection() -> None:
    body = PassportBody(id="p", token="t" * 32, household_id="h", pet_ids=["pet"], record_ids=None,
                        created_at="2026-12-01T00:00:00+00:00", expires_at=None)
    pet = {"id": "pet", "name": "Ollie <b>", "species": "dog", "microchip": "985112345678901"}
    record = {"id": "r", "pet_id": "pet", "vaccine": "Rabies", "administered_on": "2026-01-05", "expires_on": "2029-01-04",
              "clinic": None, "document_key": "uploads/h/pet/u/f.pdf"}
    picture = {"pet_id": "pet", "photo_key": "thumbnails/h/pet/photo.jpg", "uploaded_at": "2026-12-01T10:00:00+00:00"}
    household = [{"kind": "pet", "body": pet}, {"kind": "record", "body": record}, {"kind": "pet-photo", "body": picture}]
    origins = Origins(cdn="https://cdn.example", api="https://api.example")
    first, second = render(body, household, origins), render(body, household, origins)
    assert first.digest == second.digest
    page = first.files["index.html"][0].decode()
    assert "Ollie &lt;b&gt;" in page and "Ollie <b>" not in page   # a name is text, never markup
    assert "985112345678901" in page and 'data-expires="2029-01-04"' in page
    assert f"https://api.example/passports/{'t' * 32}/records/r/certificate" in page
    assert 'src="pet.jpg"' in page and first.photos["pet.jpg"].key == picture["photo_key"]
    replaced = [*household[:2], {"kind": "pet-photo", "body": picture | {"uploaded_at": "2026-12-02T10:00:00+00:00"}}]
    assert render(body, replaced, origins).digest != first.digest   # a new photo under the same key republishes
