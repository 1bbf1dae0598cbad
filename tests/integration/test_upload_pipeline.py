"""workers' upload pipeline against moto: real objects in the uploads bucket, the real S3
notifications from the upload-events queue, delivered by the event runner (or by hand, to
deliver one twice), and the draft, thumbnail, counter and job they leave behind.
"""
import hashlib
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Iterator

import pytest
from PIL import Image
from workers_harness import (Workers, answer, certificate_pdf, count_of, draft_of, extracting, invoke,
                             job_notifications, lambda_event, photo, receive_all, running_workers, upload,
                             zip_archive)

from devstack.stack import Stack
from pawport import llm_usage
from pawport.table import (JOB_SK, TableItem, document_count_sk, document_hash_sk, draft_sk, household_key, job_key,
                           llm_usage_key)

DRAFT_KEYS = {"upload_id", "pet_id", "status", "reason", "file_name", "content_type", "size", "document_key",
              "thumbnail_key", "content_hash", "duplicate_of", "fields", "uploaded_at"}
FIELDS = {"vaccine": "Rabies", "administered_on": "2026-01-05", "expires_on": "2029-01-05", "pet_name": "Ollie",
          "clinic": "Riverside Vets", "confidence": 0.92}


@pytest.fixture(scope="module")
def workers(stack: Stack) -> Iterator[Workers]:
    with running_workers(stack) as running:
        yield running


def test_a_pdf_becomes_a_draft_with_a_thumbnail_a_count_and_a_job(workers: Workers) -> None:
    data = certificate_pdf("Rabies vaccine given 2026-01-05, valid until 2029-01-05")
    key = upload(workers, data, "ollie-rabies.pdf")
    workers.drain()

    item = draft_of(key)
    assert (item.kind, item.version) == ("draft", 0)
    assert timedelta(days=13, hours=23) < item.expires_at - datetime.now(UTC) <= timedelta(days=14)
    body = item.body.as_dict()
    assert set(body) == DRAFT_KEYS
    assert body | {"uploaded_at": None} == {
        "upload_id": key.upload_id, "pet_id": key.pet_id, "status": "extracting", "reason": None,
        "file_name": "ollie-rabies.pdf", "content_type": "application/pdf", "size": len(data),
        "document_key": str(key), "thumbnail_key": key.thumbnail, "content_hash": hashlib.sha256(data).hexdigest(),
        "duplicate_of": None, "fields": None, "uploaded_at": None}
    assert abs(datetime.fromisoformat(body["uploaded_at"]) - datetime.now(UTC)) < timedelta(minutes=1)

    thumbnail = Image.open(io.BytesIO(workers.read(workers.uploads, key.thumbnail)))
    assert (thumbnail.format, thumbnail.height) == ("JPEG", 320)  # A4 portrait: 320 px high, 226-227 wide
    assert thumbnail.width / thumbnail.height == pytest.approx(595 / 842, abs=0.01)
    assert count_of(key) == 1

    job_id = key.upload_id
    assert workers.read(workers.jobs, f"jobs/{job_id}/document") == data
    job_json = workers.read(workers.jobs, f"jobs/{job_id}/job.json")
    assert json.loads(job_json) == {"job_id": job_id, "kind": "extraction", "document_key": f"jobs/{job_id}/document",
                                    "content_type": "application/pdf"}
    assert key.household_id.encode() not in job_json and key.pet_id.encode() not in job_json
    job = TableItem.get(job_key(job_id), JOB_SK)
    assert (job.kind, job.body.as_dict()) == ("job", {"household_id": key.household_id, "upload_id": key.upload_id,
                                                      "pet_id": key.pet_id})
    assert timedelta(days=13, hours=23) < job.expires_at - datetime.now(UTC) <= timedelta(days=14)


@pytest.mark.parametrize(("image_format", "content_type", "file_name"), [
    ("PNG", "image/png", "scan.png"), ("JPEG", "image/jpeg", "photo of certificate+1.jpg")])
def test_photos_get_thumbnails(workers: Workers, image_format: str, content_type: str, file_name: str) -> None:
    key = upload(workers, photo(image_format), file_name)  # the key reaches workers URL-encoded
    workers.drain()
    body = draft_of(key).body.as_dict()
    assert (body["status"], body["content_type"], body["file_name"]) == ("extracting", content_type, file_name)
    assert Image.open(io.BytesIO(workers.read(workers.uploads, key.thumbnail))).size == (320, 240)


@pytest.mark.parametrize(("data", "reason"), [
    (zip_archive(), "this file is a ZIP archive, not a PDF or photo (JPEG, PNG, WebP or HEIC)"),
    (b"%PDF-1.7\n" + b"\0" * (21 * 1024 * 1024), "the file is 21 MB; the limit is 20 MB"),
], ids=["zip-named-pdf", "too-large"])
def test_a_file_that_is_not_what_it_claims_is_quarantined_with_a_reason(workers: Workers, data: bytes,
                                                                        reason: str) -> None:
    key = upload(workers, data, "certificate.pdf")
    workers.drain()
    body = draft_of(key).body.as_dict()
    assert (body["status"], body["reason"], body["document_key"]) == ("rejected", reason, key.quarantine)
    assert body["thumbnail_key"] is None and body["content_hash"] is None
    assert workers.read(workers.uploads, key.quarantine) == data
    assert not workers.exists(workers.uploads, str(key))
    assert count_of(key) is None and not workers.exists(workers.jobs, f"jobs/{key.upload_id}/")


def test_a_corrupt_pdf_needs_manual_entry_and_is_kept_without_a_job(workers: Workers) -> None:
    data = certificate_pdf("DHPP booster")
    key = upload(workers, data[: len(data) // 2], "truncated.pdf")
    workers.drain()
    body = draft_of(key).body.as_dict()
    assert (body["status"], body["reason"]) == ("needs-manual-entry",
                                                "the PDF could not be opened; the file may be damaged")
    assert body["document_key"] == str(key) and body["thumbnail_key"] is None
    assert workers.exists(workers.uploads, str(key)) and count_of(key) == 1
    assert not workers.exists(workers.jobs, f"jobs/{key.upload_id}/")
    with pytest.raises(TableItem.DoesNotExist):
        TableItem.get(job_key(key.upload_id), JOB_SK)


def test_the_same_event_delivered_twice_yields_one_draft_one_count_and_one_job(workers: Workers) -> None:
    key = upload(workers, certificate_pdf("Leptospirosis 2026-02-01"), "lepto.pdf")
    event = lambda_event(workers, "upload-events", receive_all(workers, "upload-events"))
    assert invoke(workers, "upload_events", event) == {"batchItemFailures": []}
    first = draft_of(key).body.as_dict()
    assert invoke(workers, "upload_events", event) == {"batchItemFailures": []}  # answered from the record
    # Without the idempotency record (expired, or a crash lost it) the draft's status still rules.
    for item in TableItem.query("IDEMPOTENCY#workers"):
        item.delete()
    assert invoke(workers, "upload_events", event) == {"batchItemFailures": []}
    assert draft_of(key).body.as_dict() == first
    assert count_of(key) == 1
    assert job_notifications(workers, key.upload_id) == 1
    assert sorted(i.sk for i in TableItem.query(household_key(key.household_id))) == sorted([
        document_count_sk(key.pet_id), document_hash_sk(first["content_hash"]), draft_sk(key.upload_id)])


def test_the_same_bytes_again_are_a_duplicate_before_any_job(workers: Workers) -> None:
    data = certificate_pdf("Bordetella 2026-03-01")
    first = upload(workers, data, "kennel-cough.pdf")
    workers.drain()
    again = upload(workers, data, "kennel-cough-again.pdf", first.household_id, first.pet_id)
    workers.drain()
    body = draft_of(again).body.as_dict()
    assert (body["status"], body["duplicate_of"]) == ("duplicate", {"kind": "draft", "id": first.upload_id})
    assert body["reason"] == "this same file is already waiting for review"
    assert not workers.exists(workers.jobs, f"jobs/{again.upload_id}/")
    assert count_of(first) == 2  # both files are kept under the pet's uploads/ prefix

    # control projects an approved record's claim over the draft's (a higher version).
    claim = TableItem.get(household_key(first.household_id), document_hash_sk(body["content_hash"]))
    assert (claim.kind, claim.body.as_dict()) == ("document-hash", {"upload_id": first.upload_id})
    TableItem(claim.pk, claim.sk, kind="document-hash", version=1, body={"record_id": "r-1"}).save()
    third = upload(workers, data, "kennel-cough-3.pdf", first.household_id, first.pet_id)
    workers.drain()
    assert draft_of(third).body.as_dict()["duplicate_of"] == {"kind": "record", "id": "r-1"}


def test_results_make_drafts_ready_or_needs_manual_entry_once(workers: Workers) -> None:
    read, unread = extracting(workers, "Rabies 2026-01-05"), extracting(workers, "smudged")
    answer(workers, read.upload_id, {"job_id": read.upload_id, "status": "extracted", "fields": FIELDS,
                                     "reason": None})
    answer(workers, unread.upload_id, {"job_id": unread.upload_id, "status": "needs-manual-entry", "fields": None,
                                       "reason": "the certificate reader timed out"})
    ready = draft_of(read).body.as_dict()
    assert (ready["status"], ready["fields"], ready["reason"]) == ("ready", FIELDS, None)
    assert ready["usage"] == {"model": "local-reader", "prompt_tokens": 800, "completion_tokens": 60}
    manual = draft_of(unread).body.as_dict()
    assert (manual["status"], manual["fields"], manual["reason"]) == (
        "needs-manual-entry", None, "the certificate reader timed out")

    # A second delivery (here: a second answer) changes nothing.
    answer(workers, read.upload_id, {"job_id": read.upload_id, "status": "extracted",
                                     "fields": FIELDS | {"vaccine": "Lyme"}, "reason": None}, tokens=5)
    assert draft_of(read).body.as_dict() == ready


def test_a_result_for_a_draft_already_approved_is_dropped(workers: Workers) -> None:
    key = extracting(workers, "FVRCP 2026-04-01")
    draft_of(key).delete()  # control deletes the draft when it approves it
    answer(workers, key.upload_id, {"job_id": key.upload_id, "status": "extracted", "fields": FIELDS,
                                    "reason": None})
    assert draft_of(key) is None
    assert receive_all(workers, "job-events-dlq") == []


def test_a_poison_message_ends_in_the_dlq_while_the_others_succeed(workers: Workers) -> None:
    workers.sqs.send_message(QueueUrl=workers.made.queues["upload-events"], MessageBody="not json {")
    key = upload(workers, photo("PNG"), "fine.png")
    workers.drain()
    assert draft_of(key).body["status"] == "extracting"
    assert [m["Body"] for m in receive_all(workers, "upload-events-dlq")] == ["not json {"]


def test_test_events_and_keys_outside_the_upload_layout_are_ignored(workers: Workers,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", "chalicelib.workers")
    workers.s3.put_object(Bucket=workers.uploads, Key="uploads/stray.pdf", Body=b"%PDF-1.7")
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": workers.uploads}
    workers.sqs.send_message(QueueUrl=workers.made.queues["upload-events"], MessageBody=json.dumps(test_event))
    workers.drain()
    assert "skipped uploads/stray.pdf: not an upload key" in caplog.text
    assert "announces no created object" in caplog.text
    assert receive_all(workers, "upload-events-dlq") == []


def test_the_document_counter_is_rebuilt_from_s3(workers: Workers) -> None:
    from chalicelib.workers.uploads import reconcile_document_count
    household, pet = str(uuid.uuid4()), str(uuid.uuid4())
    kept = [upload(workers, certificate_pdf(f"Lyme {n}"), f"lyme-{n}.pdf", household, pet) for n in range(2)]
    upload(workers, zip_archive(), "archive.pdf", household, pet)  # refused: moved to quarantine/
    upload(workers, certificate_pdf("another pet"), "other.pdf", household)
    workers.drain()
    assert count_of(kept[0]) == 2
    TableItem(household_key(household), document_count_sk(pet), kind="counter", count=7).save()  # drifted
    assert reconcile_document_count(household, pet, workers.app.place) == 2
    assert count_of(kept[0]) == 2


def llm_counters(month: str) -> dict[str, float]:
    return {item.sk: float(item.count) for item in TableItem.query(llm_usage_key(month))}


def test_each_jobs_llm_use_is_counted_once_and_a_month_is_rebuilt_from_the_usage_objects(workers: Workers) -> None:
    from chalicelib.workers.results import reconcile_llm_use
    month = llm_usage.month_of(datetime.now(UTC))
    before = llm_counters(month)
    key = extracting(workers, "Lyme 2026-02-02")
    draft_of(key).delete()   # approved meanwhile: the result is dropped, the tokens were spent all the same
    answer(workers, key.upload_id, {"job_id": key.upload_id, "status": "extracted", "fields": FIELDS, "reason": None},
           tokens=1000, model="gpt-4.1-mini-2025-04-14")
    workers.s3.copy_object(Bucket=workers.jobs, Key=f"results/{key.upload_id}.json", MetadataDirective="REPLACE",
                           CopySource={"Bucket": workers.jobs, "Key": f"results/{key.upload_id}.json"})
    workers.drain()          # the result delivered again: counted once
    after = llm_counters(month)
    added = {name: after[name] - before.get(name, 0) for name in llm_usage.COUNTERS}
    assert added == {"prompt_tokens": 1000, "completion_tokens": 60, "micro_usd": pytest.approx(1000 * 0.40 + 60 * 1.60)}

    TableItem(llm_usage_key(month), "micro_usd", kind="counter", count=1).save()   # drifted
    rebuilt = reconcile_llm_use(workers.app.place, month)
    usages = [json.loads(workers.read(workers.jobs, key)) for key in
              (o["Key"] for o in workers.s3.list_objects_v2(Bucket=workers.jobs, Prefix="usage/").get("Contents", []))]
    assert llm_counters(month) == llm_usage.totals(usages) == {k: rebuilt[k] for k in llm_usage.COUNTERS}
    assert rebuilt["usage_objects"] == len(usages)
