"""Files go with their items, driven by the table's stream (moto) and the runner's TTL sweep on an
injected clock: a draft left unapproved past its days takes its upload and thumbnail with it; an
approved draft's file stays as the record's document, and goes when the record is deleted. Twice
and out of order are safe."""
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from devstack.runner_streams import TTL_PRINCIPAL
from devstack.stack import Stack
from pawport.documents import DRAFT_DAYS, UploadKey
from pawport.keys import draft_sk, household_key, record_sk
from pawport.store import Delete, Item, Put
from tests.integration.workers_harness import Workers, count_of, draft_of, invoke, running_workers, upload
from tests.support.certificates import certificate_pdf
from tests.support.clocks import Clock

PAST_ITS_DAYS = timedelta(days=DRAFT_DAYS, hours=1).total_seconds()


@pytest.fixture(scope="module")
def clock() -> Clock[float]:
    return Clock(time.time())


@pytest.fixture(scope="module")
def workers(stack: Stack, clock: Clock[float]) -> Iterator[Workers]:
    with running_workers(stack, clock=clock) as running:
        yield running


@pytest.fixture(autouse=True)
def today(clock: Clock[float]) -> None:
    clock.now = time.time()   # each test's drafts start fresh; the sweep runs at the clock's time


def drafted(workers: Workers, name: str) -> UploadKey:
    key = upload(workers, certificate_pdf(f"Rabies vaccine given 2026-01-05 ({name})"), f"{name}.pdf")
    workers.drain()
    assert draft_of(workers, key).body["status"] == "ready"
    assert workers.exists(workers.uploads, str(key)) and workers.exists(workers.uploads, key.thumbnail)
    return key


def files_of(workers: Workers, key: UploadKey) -> tuple[bool, bool]:
    return workers.exists(workers.uploads, str(key)), workers.exists(workers.uploads, key.thumbnail)


def approve(workers: Workers, key: UploadKey, delete_draft: bool = True) -> Item:
    """What control's outbox publishes for an approval: the record (naming the draft's upload as its
    document), then the draft's delete."""
    record = Item(household_key(key.household_id), record_sk(f"r-{key.upload_id}"), "record", 1, {
        "id": f"r-{key.upload_id}", "pet_id": key.pet_id, "vaccine": "Rabies", "administered_on": "2026-01-05",
        "expires_on": None, "clinic": None, "document_key": str(key)})
    workers.store.write(Put(record))
    if delete_draft:
        workers.store.write(Delete(household_key(key.household_id), draft_sk(key.upload_id)))
    return record


def test_a_draft_nobody_approved_takes_its_upload_and_thumbnail_when_its_ttl_deletes_it(
        workers: Workers, clock: Clock[float]) -> None:
    key = drafted(workers, "forgotten")
    stored = workers.store.client.get_item(TableName=workers.store.table_name, Key={
        "pk": {"S": household_key(key.household_id)}, "sk": {"S": draft_sk(key.upload_id)}})["Item"]
    assert count_of(workers, key) == 1

    clock.now += PAST_ITS_DAYS - 2 * 3600          # an hour before its TTL: kept
    workers.drain()
    assert files_of(workers, key) == (True, True)

    clock.now += 2 * 3600
    workers.drain()
    assert files_of(workers, key) == (False, False) and count_of(workers, key) == 0

    again = {"Records": [{"eventName": "REMOVE", "userIdentity": TTL_PRINCIPAL, "dynamodb": {
        "Keys": {"pk": stored["pk"], "sk": stored["sk"]}, "OldImage": stored, "SequenceNumber": "1"}}]}
    invoke(workers, "table_changes", again)        # the stream delivers it again: nothing to do, no error
    assert files_of(workers, key) == (False, False)


def test_an_approved_drafts_file_stays_as_the_records_document_until_the_record_goes(
        workers: Workers, clock: Clock[float]) -> None:
    key = drafted(workers, "approved")
    record = approve(workers, key)
    workers.drain()                                # the draft's REMOVE is control's, not the TTL's
    clock.now += PAST_ITS_DAYS
    workers.drain()
    assert files_of(workers, key) == (True, True) and count_of(workers, key) == 1

    workers.store.write(Delete(record.pk, record.sk))   # the record is deleted: its outbox removes the item
    workers.drain()
    assert files_of(workers, key) == (False, False) and count_of(workers, key) == 0


def test_an_approval_whose_draft_delete_came_late_keeps_its_file_when_the_ttl_fires_first(
        workers: Workers, clock: Clock[float]) -> None:
    key, untouched = drafted(workers, "late"), drafted(workers, "neighbour")
    approve(workers, key, delete_draft=False)
    clock.now += PAST_ITS_DAYS
    workers.drain()
    assert draft_of(workers, key) is None                  # the TTL took the draft...
    assert files_of(workers, key) == (True, True)          # ...but a record names its file
    assert files_of(workers, untouched) == (False, False)  # the unapproved one in the same batch went
