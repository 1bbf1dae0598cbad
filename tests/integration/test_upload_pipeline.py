"""workers' upload pipeline against moto: real objects in the uploads bucket, the real S3 events
through EventBridge, delivered by the event runner as Lambda's asynchronous invocation (or by
hand, to deliver one twice), egress invoked synchronously (a fake one, through Lambda's Invoke
API), and the draft, thumbnail, counter, job and LLM use they leave behind.
"""
import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from chalice.test import Client
from PIL import Image

from devstack.stack import Stack
from pawport import llm_usage
from pawport.keys import JOB_SK, document_count_sk, document_hash_sk, draft_sk, household_key, job_key, llm_usage_key
from pawport.store import Delete, Item, Put
from tests.integration.workers_harness import (
    FIELDS,
    Workers,
    count_of,
    draft_of,
    extracted,
    invoke,
    receive_all,
    running_workers,
    spent,
    upload,
    upload_event,
    zip_archive,
)
from tests.support.certificates import certificate_pdf, photo

DRAFT_KEYS = {"upload_id", "pet_id", "status", "reason", "file_name", "content_type", "size", "document_key",
              "thumbnail_key", "content_hash", "duplicate_of", "fields", "resolved", "uploaded_at", "usage"}


@pytest.fixture(scope="module")
def workers(stack: Stack) -> Iterator[Workers]:
    with running_workers(stack) as running:
        yield running


@pytest.fixture(autouse=True)
def egress_reads_every_certificate(workers: Workers) -> None:
    workers.egress.answer = lambda job: {"result": extracted(job["job_id"]), "usage": spent()}


def approve_meanwhile(workers: Workers, job_id: str) -> None:
    """What control does when the draft is approved while egress reads it: the draft goes, and the
    document's claim becomes the record's (a higher version)."""
    household = workers.store.get(job_key(job_id), JOB_SK).body["household_id"]
    draft = workers.store.get(household_key(household), draft_sk(job_id))
    workers.store.write(Delete(draft.pk, draft.sk))
    workers.store.write(Put(Item(draft.pk, document_hash_sk(draft.body["content_hash"]), kind="document-hash",
                                 version=1, body={"record_id": f"r-{job_id}"})))


def test_a_pdf_becomes_a_draft_with_a_thumbnail_a_count_and_egress_reads_it(workers: Workers) -> None:
    data = certificate_pdf("Rabies vaccine given 2026-01-05, valid until 2029-01-05")
    key = upload(workers, data, "ollie-rabies.pdf")
    workers.drain()

    item = draft_of(workers, key)
    assert (item.kind, item.version) == ("draft", 0)
    assert timedelta(days=13, hours=23) < item.expires_at - datetime.now(UTC) <= timedelta(days=14)
    body = item.body
    assert set(body) == DRAFT_KEYS
    assert body | {"uploaded_at": None} == {
        "upload_id": key.upload_id, "pet_id": key.pet_id, "status": "ready", "reason": None,
        "file_name": "ollie-rabies.pdf", "content_type": "application/pdf", "size": len(data),
        "document_key": str(key), "thumbnail_key": key.thumbnail, "content_hash": hashlib.sha256(data).hexdigest(),
        "duplicate_of": None, "fields": FIELDS, "resolved": {}, "uploaded_at": None, "usage": spent()}
    assert abs(datetime.fromisoformat(body["uploaded_at"]) - datetime.now(UTC)) < timedelta(minutes=1)

    thumbnail = Image.open(io.BytesIO(workers.read(workers.uploads, key.thumbnail)))
    assert (thumbnail.format, thumbnail.height) == ("JPEG", 320)  # A4 portrait: 320 px high, 226-227 wide
    assert thumbnail.width / thumbnail.height == pytest.approx(595 / 842, abs=0.01)
    assert count_of(workers, key) == 1

    job_id = key.upload_id
    [sent] = [job for job in workers.egress.jobs if job["job_id"] == job_id]
    assert set(sent) == {"job_id", "kind", "document_url", "content_type"}
    assert (sent["kind"], sent["content_type"]) == ("extraction", "application/pdf")
    assert requests.get(sent["document_url"], timeout=10).content == data   # a presigned GET of the upload itself
    query = parse_qs(urlsplit(sent["document_url"]).query)   # valid five minutes (SigV4's or SigV2's form)
    expires_in = int(query["X-Amz-Expires"][0]) if "X-Amz-Expires" in query else \
        int(query["Expires"][0]) - datetime.now(UTC).timestamp()
    assert 240 < expires_in <= 300
    assert not workers.exists(workers.jobs, f"jobs/{job_id}/")   # no copy of the document anywhere
    job = workers.store.get(job_key(job_id), JOB_SK)
    assert (job.kind, job.body) == ("job", {"household_id": key.household_id, "upload_id": key.upload_id,
                                            "pet_id": key.pet_id, "llm_counted": True,
                                            "reservation": job.body["reservation"]})   # the LLM budget's (test_llm_budget.py)
    assert timedelta(days=13, hours=23) < job.expires_at - datetime.now(UTC) <= timedelta(days=14)


@pytest.mark.parametrize(("image_format", "content_type", "file_name"), [
    ("PNG", "image/png", "scan.png"), ("JPEG", "image/jpeg", "photo of certificate+1.jpg")])
def test_photos_get_thumbnails(workers: Workers, image_format: str, content_type: str, file_name: str) -> None:
    key = upload(workers, photo(image_format), file_name)  # the key reaches workers URL-encoded
    workers.drain()
    body = draft_of(workers, key).body
    assert (body["status"], body["content_type"], body["file_name"]) == ("ready", content_type, file_name)
    assert Image.open(io.BytesIO(workers.read(workers.uploads, key.thumbnail))).size == (320, 240)


def test_a_heic_photo_gets_a_thumbnail_and_the_reader_a_jpeg_copy_kept_only_while_it_reads(workers: Workers) -> None:
    key = upload(workers, photo("HEIF"), "IMG_0042.HEIC")
    workers.drain()
    body = draft_of(workers, key).body
    assert (body["status"], body["content_type"], body["reason"]) == ("ready", "image/heic", None)
    assert Image.open(io.BytesIO(workers.read(workers.uploads, key.thumbnail))).size == (320, 240)
    [sent] = [job for job in workers.egress.jobs if job["job_id"] == key.upload_id]
    assert sent["content_type"] == "image/jpeg"
    assert key.reading_copy in sent["document_url"] and str(key) not in sent["document_url"]
    assert not workers.exists(workers.uploads, key.reading_copy)   # deleted once the draft is settled
    assert workers.read(workers.uploads, str(key)) == photo("HEIF")   # the original is kept as uploaded


@pytest.mark.parametrize(("data", "reason"), [
    (zip_archive(), "this file is a ZIP archive, not a PDF or photo (JPEG, PNG, WebP or HEIC)"),
    (b"%PDF-1.7\n" + b"\0" * (21 * 1024 * 1024), "the file is 21 MB; the limit is 20 MB"),
], ids=["zip-named-pdf", "too-large"])
def test_a_file_that_is_not_what_it_claims_is_quarantined_with_a_reason(workers: Workers, data: bytes,
                                                                        reason: str) -> None:
    key = upload(workers, data, "certificate.pdf")
    workers.drain()
    body = draft_of(workers, key).body
    assert (body["status"], body["reason"], body["document_key"]) == ("rejected", reason, key.quarantine)
    assert body["thumbnail_key"] is None and body["content_hash"] is None
    assert workers.read(workers.uploads, key.quarantine) == data
    assert not workers.exists(workers.uploads, str(key))
    assert count_of(workers, key) is None and workers.egress.calls_for(key.upload_id) == 0


def test_a_corrupt_pdf_needs_manual_entry_and_is_kept_without_a_job(workers: Workers) -> None:
    data = certificate_pdf("DHPP booster")
    key = upload(workers, data[: len(data) // 2], "truncated.pdf")
    workers.drain()
    body = draft_of(workers, key).body
    assert (body["status"], body["reason"]) == ("needs-manual-entry",
                                                "the PDF could not be opened; the file may be damaged")
    assert body["document_key"] == str(key) and body["thumbnail_key"] is None
    assert workers.exists(workers.uploads, str(key)) and count_of(workers, key) == 1
    assert workers.egress.calls_for(key.upload_id) == 0
    assert workers.store.get(job_key(key.upload_id), JOB_SK) is None


def test_the_same_event_delivered_twice_yields_one_draft_one_count_and_one_extraction(workers: Workers) -> None:
    key = upload(workers, certificate_pdf("Leptospirosis 2026-02-01"), "lepto.pdf")
    event = upload_event(workers, key)
    assert (event["source"], event["detail-type"]) == ("aws.s3", "Object Created")
    done = {"upload_id": key.upload_id, "status": "ready"}
    assert invoke(workers, "upload_events", event) == done
    first = draft_of(workers, key).body
    assert invoke(workers, "upload_events", event) == done  # answered from the record
    # Without the idempotency record (expired, or a crash lost it) the draft's status still rules.
    for item in workers.store.query("IDEMPOTENCY#workers"):
        workers.store.write(Delete(item.pk, item.sk))
    assert invoke(workers, "upload_events", event) == done
    assert draft_of(workers, key).body == first
    assert count_of(workers, key) == 1
    assert workers.egress.calls_for(key.upload_id) == 1
    assert sorted(i.sk for i in workers.store.query(household_key(key.household_id))) == sorted([
        document_count_sk(key.pet_id), document_hash_sk(first["content_hash"]), draft_sk(key.upload_id)])


def test_the_same_bytes_again_are_a_duplicate_before_any_job(workers: Workers) -> None:
    data = certificate_pdf("Bordetella 2026-03-01")
    first = upload(workers, data, "kennel-cough.pdf")
    workers.drain()
    again = upload(workers, data, "kennel-cough-again.pdf", first.household_id, first.pet_id)
    workers.drain()
    body = draft_of(workers, again).body
    assert (body["status"], body["duplicate_of"]) == ("duplicate", {"kind": "draft", "id": first.upload_id})
    assert body["reason"] == "this same file is already waiting for review"
    assert workers.egress.calls_for(again.upload_id) == 0
    assert count_of(workers, first) == 2  # both files are kept under the pet's uploads/ prefix

    # control projects an approved record's claim over the draft's (a higher version).
    claim = workers.store.get(household_key(first.household_id), document_hash_sk(body["content_hash"]))
    assert (claim.kind, claim.body) == ("document-hash", {"upload_id": first.upload_id})
    workers.store.write(Put(Item(claim.pk, claim.sk, kind="document-hash", version=1, body={"record_id": "r-1"})))
    third = upload(workers, data, "kennel-cough-3.pdf", first.household_id, first.pet_id)
    workers.drain()
    assert draft_of(workers, third).body["duplicate_of"] == {"kind": "record", "id": "r-1"}


def test_answers_make_drafts_ready_or_needs_manual_entry_once(workers: Workers) -> None:
    workers.egress.answer = lambda job: {"result": extracted(job["job_id"]) if job["content_type"] == "application/pdf"
                                         else {"job_id": job["job_id"], "status": "needs-manual-entry", "fields": None,
                                               "reason": "the certificate reader timed out"}, "usage": spent()}
    read = upload(workers, certificate_pdf("Rabies 2026-01-05"), "rabies.pdf")
    unread = upload(workers, photo("PNG"), "smudged.png")
    workers.drain()
    ready = draft_of(workers, read).body
    assert (ready["status"], ready["fields"], ready["reason"]) == ("ready", FIELDS, None)
    assert ready["usage"] == {"model": "local-reader", "prompt_tokens": 800, "completion_tokens": 60}
    manual = draft_of(workers, unread).body
    assert (manual["status"], manual["fields"], manual["reason"]) == (
        "needs-manual-entry", None, "the certificate reader timed out")


@pytest.mark.parametrize("answer", [None, {"result": {"job_id": "someone else's"}}, "not an answer", []])
def test_an_answer_that_cannot_be_understood_needs_manual_entry_and_keeps_the_file(workers: Workers, answer) -> None:
    workers.egress.answer = lambda job: answer
    key = upload(workers, certificate_pdf("DHPP 2026-02-01"), "dhpp.pdf")
    workers.drain()
    body = draft_of(workers, key).body
    assert (body["status"], body["reason"], body["fields"]) == (
        "needs-manual-entry", "the certificate reader's answer could not be understood", None)
    assert workers.exists(workers.uploads, str(key))


def test_a_failing_egress_is_retried_then_the_draft_says_why(workers: Workers) -> None:
    def unavailable(job: dict) -> dict:
        raise ConnectionError("the document URL could not be reached")
    workers.egress.answer = unavailable
    key = upload(workers, certificate_pdf("FVRCP 2026-03-01"), "fvrcp.pdf")
    workers.drain()
    assert workers.egress.calls_for(key.upload_id) == 3   # the delivery and Lambda's 2 asynchronous retries
    body = draft_of(workers, key).body
    assert (body["status"], body["fields"]) == ("needs-manual-entry", None)
    assert body["reason"] == "the certificate reader could not be reached; please enter the details by hand"
    assert workers.exists(workers.uploads, str(key)) and count_of(workers, key) == 1
    assert [m for m in receive_all(workers, "upload-events-dlq") if str(key) in m["Body"]] == []


def test_an_answer_for_a_draft_approved_meanwhile_is_dropped(workers: Workers) -> None:
    def approved_meanwhile(job: dict) -> dict:
        approve_meanwhile(workers, job["job_id"])
        return {"result": extracted(job["job_id"]), "usage": spent()}
    workers.egress.answer = approved_meanwhile
    key = upload(workers, certificate_pdf("FVRCP 2026-04-01"), "fvrcp.pdf")
    workers.drain()
    assert draft_of(workers, key) is None
    assert [m for m in receive_all(workers, "upload-events-dlq") if str(key) in m["Body"]] == []


def test_an_event_that_always_fails_ends_in_the_dead_letter_queue_while_the_others_succeed(workers: Workers) -> None:
    queue = workers.runner.rule_queue_url("upload_events")
    # S3's event with no object in it: the handler raises every time
    poison = Client(workers.app.app).events.generate_cw_event(
        "aws.s3", "Object Created", {"bucket": {"name": workers.uploads}}, [], "us-east-1") | {"id": str(uuid.uuid4())}
    workers.sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(poison))
    key = upload(workers, photo("PNG"), "fine.png")
    workers.drain()
    assert draft_of(workers, key).body["status"] == "ready"
    [dead] = [m for m in receive_all(workers, "upload-events-dlq") if poison["id"] in m["Body"]]
    assert json.loads(dead["Body"]) == poison
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"].startswith("KeyError")


def test_keys_outside_the_upload_layout_are_ignored(workers: Workers, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", "chalicelib.workers")
    workers.s3.put_object(Bucket=workers.uploads, Key="uploads/stray.pdf", Body=b"%PDF-1.7")
    workers.drain()
    assert "skipped uploads/stray.pdf: not an upload key" in caplog.text
    assert [m for m in receive_all(workers, "upload-events-dlq") if "stray.pdf" in m["Body"]] == []


def test_the_document_counter_is_rebuilt_from_s3(workers: Workers) -> None:
    from chalicelib.workers.uploads import reconcile_document_count
    household, pet = str(uuid.uuid4()), str(uuid.uuid4())
    kept = [upload(workers, certificate_pdf(f"Lyme {n}"), f"lyme-{n}.pdf", household, pet) for n in range(2)]
    upload(workers, zip_archive(), "archive.pdf", household, pet)  # refused: moved to quarantine/
    upload(workers, certificate_pdf("another pet"), "other.pdf", household)
    workers.drain()
    assert count_of(workers, kept[0]) == 2
    workers.store.write(Put(Item(household_key(household), document_count_sk(pet), kind="counter", count=7)))  # drifted
    assert reconcile_document_count(household, pet, workers.app.place) == 2
    assert count_of(workers, kept[0]) == 2


def test_the_weekly_run_sets_every_listed_pets_counter_back_in_step(workers: Workers) -> None:
    household, pet, other_pet, emptied_pet = (str(uuid.uuid4()) for _ in range(4))
    kept = [upload(workers, certificate_pdf(f"Lyme {n}"), f"lyme-{n}.pdf", household, pet) for n in range(2)]
    upload(workers, zip_archive(), "archive.pdf", household, pet)  # refused: moved to quarantine/
    other = upload(workers, certificate_pdf("Rabies"), "rabies.pdf", household, other_pet)
    workers.drain()
    assert (count_of(workers, kept[0]), count_of(workers, other)) == (2, 1)
    assert workers.exists(workers.uploads, kept[0].thumbnail)
    partition = household_key(household)
    workers.store.write(Put(Item(partition, document_count_sk(pet), kind="counter", count=7)))  # drifted
    workers.store.write(Delete(partition, document_count_sk(other_pet)))                       # lost
    workers.store.write(Put(Item(partition, document_count_sk(emptied_pet), kind="counter", count=5)))

    assert "schedule:cron(0 4 ? * SUN *) -> reconcile_document_counts" in workers.runner.sources
    outcome = workers.runner.fire("reconcile_document_counts", at=datetime(2026, 3, 1, 4, tzinfo=UTC).timestamp())

    assert not outcome.failed, outcome.error
    assert (count_of(workers, kept[0]), count_of(workers, other)) == (2, 1)
    assert outcome.result["documents"] >= 3 and outcome.result["pets"] >= 2
    # no object of that pet is left under uploads/, so the listing cannot name it: its counter stays
    assert workers.store.get(partition, document_count_sk(emptied_pet)).count == 5


def llm_counters(workers: Workers, month: str) -> dict[str, float]:
    return {item.sk: float(item.count) for item in workers.store.query(llm_usage_key(month))}


def test_each_jobs_llm_use_is_counted_once_and_a_month_is_rebuilt_from_the_usage_objects(workers: Workers) -> None:
    from chalicelib.workers.results import reconcile_llm_use
    month = llm_usage.month_of(datetime.now(UTC))
    before = llm_counters(workers, month)

    def approved_meanwhile(job: dict) -> dict:
        approve_meanwhile(workers, job["job_id"])   # the tokens were spent all the same
        return {"result": extracted(job["job_id"]), "usage": spent(1000, "gpt-4.1-mini-2025-04-14")}
    workers.egress.answer = approved_meanwhile
    key = upload(workers, certificate_pdf("Lyme 2026-02-02"), "lyme.pdf")
    event = upload_event(workers, key)
    invoke(workers, "upload_events", event)
    for item in workers.store.query("IDEMPOTENCY#workers"):   # delivered again, with no record of the first
        workers.store.write(Delete(item.pk, item.sk))
    assert invoke(workers, "upload_events", event)["status"] == "duplicate"   # of the record: no second reading
    assert workers.egress.calls_for(key.upload_id) == 1
    after = llm_counters(workers, month)
    added = {name: after[name] - before.get(name, 0) for name in llm_usage.COUNTERS}
    assert added == {"prompt_tokens": 1000, "completion_tokens": 60, "micro_usd": pytest.approx(1000 * 0.40 + 60 * 1.60)}
    assert json.loads(workers.read(workers.jobs, f"usage/{key.upload_id}.json")) == {
        "job_id": key.upload_id, "model": "gpt-4.1-mini-2025-04-14", "prompt_tokens": 1000, "completion_tokens": 60}

    workers.store.write(Put(Item(llm_usage_key(month), "micro_usd", kind="counter", count=1)))   # drifted
    rebuilt = reconcile_llm_use(workers.app.place, month)
    usages = [json.loads(workers.read(workers.jobs, key)) for key in
              (o["Key"] for o in workers.s3.list_objects_v2(Bucket=workers.jobs, Prefix="usage/").get("Contents", []))]
    assert llm_counters(workers, month) == llm_usage.totals(usages) == {k: rebuilt[k] for k in llm_usage.COUNTERS}
    assert rebuilt["usage_objects"] == len(usages)


def review(workers: Workers, key, discard: list[str] | None = None) -> dict:
    return invoke(workers, "review_draft", {"household_id": key.household_id, "pet_id": key.pet_id,
                                            "upload_id": key.upload_id, "discard": discard})


def test_a_dismissed_draft_takes_its_files_and_frees_its_place_under_the_cap(workers: Workers) -> None:
    key = upload(workers, certificate_pdf("Rabies 2026-01-05"), "rabies.pdf")
    workers.drain()
    assert count_of(workers, key) == 1 and workers.exists(workers.uploads, key.thumbnail)

    assert review(workers, key) == {"ok": {"upload_id": key.upload_id, "dismissed": True, "file_removed": True}}
    assert draft_of(workers, key) is None and count_of(workers, key) == 0
    assert not workers.exists(workers.uploads, str(key)) and not workers.exists(workers.uploads, key.thumbnail)
    assert review(workers, key) == {"error": "NotFound", "message": "no such draft"}   # nothing twice


def test_another_pets_draft_is_not_found(workers: Workers) -> None:
    key = upload(workers, certificate_pdf("DHPP 2026-01-05"), "dhpp.pdf")
    workers.drain()
    elsewhere = invoke(workers, "review_draft", {"household_id": key.household_id, "pet_id": "another-pet",
                                                 "upload_id": key.upload_id, "discard": None})
    assert elsewhere == {"error": "NotFound", "message": "no such draft"}
    assert draft_of(workers, key) is not None and count_of(workers, key) == 1


def test_vaccinations_are_discarded_one_by_one_and_the_last_takes_the_draft(workers: Workers) -> None:
    key = upload(workers, certificate_pdf("Rabies and DHPP 2026-01-05"), "two.pdf")
    workers.drain()
    assert review(workers, key, ["1"]) == {"ok": {"upload_id": key.upload_id, "discarded": ["1"], "dismissed": False}}
    assert draft_of(workers, key).body["resolved"] == {"1": "discarded"}
    assert review(workers, key, ["1"]) == {"error": "Conflict", "message": "entry 1 was already discarded"}
    assert review(workers, key, ["3"]) == {"error": "NotFound", "message": "no entry 3 on this draft"}
    last = review(workers, key, ["2"])["ok"]
    assert (last["dismissed"], last["discarded"], last["file_removed"]) == (True, ["2"], True)
    assert draft_of(workers, key) is None and count_of(workers, key) == 0


def test_a_draft_some_of_whose_vaccinations_were_approved_keeps_its_file(workers: Workers) -> None:
    key = upload(workers, certificate_pdf("Rabies and DHPP 2026-01-06"), "kept.pdf")
    workers.drain()
    draft = draft_of(workers, key)
    workers.store.write(Put(Item(draft.pk, draft.sk, kind="draft", body=draft.body | {"resolved": {"1": "approved:r1"}},
                                 expires_at=draft.expires_at)))   # as control's outbox marks it
    done = review(workers, key)["ok"]
    assert (done["dismissed"], done["file_removed"]) == (True, False)
    assert workers.exists(workers.uploads, str(key)) and count_of(workers, key) == 1   # the record's document
