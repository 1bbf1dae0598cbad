"""egress against moto and the local LLM, as Lambda runs it: job.json's S3 notification arrives
through SQS, the handler reads the job and its document, calls the model, writes usage and result.

The certificates are made here with known contents: a text PDF (fpdf2) and a photo (Pillow, read
by tesseract). Other model endpoints (closed, slow, off-schema) are small local servers too."""
import base64
import io
import json
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from types import ModuleType, SimpleNamespace
from typing import Callable, Iterator

import boto3
import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from devstack import REPO
from devstack.llm.server import Handler, complete, make_server
from devstack.ports import free_port
from devstack.runner import load_app

EGRESS = REPO / "services" / "egress"
CERTIFICATE = ["Certificate of Vaccination", "Patient name: Biscuit", "Clinic: Riverside Vets {marker}",
               "Vaccine: Rabies (3 year)", "Date given: 14 March 2026", "Valid until: 03/13/2029"]
EXTRACTED = {"vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-13",
             "pet_name": "Biscuit"}


def certificate_pdf(marker: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    for line in CERTIFICATE:
        pdf.cell(0, 10, line.format(marker=marker), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def certificate_photo(marker: str) -> bytes:
    """A clean scan-like JPEG: large type on white, which tesseract reads reliably."""
    font = ImageFont.load_default(size=40)
    image = Image.new("RGB", (1400, 100 + 70 * len(CERTIFICATE)), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(CERTIFICATE):
        draw.text((60, 50 + 70 * row), line.format(marker=marker), fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


class Recording(Handler):
    """The local reader, keeping each request body it was sent."""
    requests: list[dict] = []

    def answer(self, request: dict) -> dict:
        self.requests.append(request)
        return super().answer(request)


class Slow(Handler):
    def answer(self, request: dict) -> dict:
        time.sleep(3)
        return super().answer(request)


class OffSchema(Handler):
    def answer(self, request: dict) -> dict:
        answer = complete(request)
        answer["choices"][0]["message"]["content"] = json.dumps({"vaccine": "Rabies", "confidence": "high"})
        return answer


@contextmanager
def serving(handler: type[Handler]) -> Iterator[str]:
    server = make_server(free_port(), handler=handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def reader() -> Iterator[str]:
    with serving(Recording) as url:
        yield url


@pytest.fixture
def jobs(aws_env: str) -> SimpleNamespace:
    """A jobs bucket whose job.json objects notify a queue, as infra/resources.yaml declares."""
    name = f"pawport-test-jobs-{uuid.uuid4().hex[:8]}"
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={"QueueConfigurations": [{
        "QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
            {"Name": "prefix", "Value": "jobs/"}, {"Name": "suffix", "Value": "job.json"}]}}}]})
    return SimpleNamespace(bucket=name, queue=queue, arn=arn, s3=s3, sqs=sqs)


@pytest.fixture
def egress(jobs: SimpleNamespace, reader: str, monkeypatch: pytest.MonkeyPatch,
           environment) -> Callable[..., ModuleType]:
    """Loads egress's app.py as Lambda does, with its environment; model settings can be changed."""
    monkeypatch.syspath_prepend(str(EGRESS))
    from chalicelib.egress.settings import settings

    def load(base_url: str = reader, **variables: str) -> ModuleType:
        env = {"PAWPORT_STAGE": "local", "PAWPORT_JOBS_BUCKET": jobs.bucket, "OPENAI_BASE_URL": base_url,
               "PAWPORT_EXTRACTION_JOBS_QUEUE": "pawport-local-extraction-jobs",
               "OPENAI_API_KEY": "local-llm", "PAWPORT_LLM_TIMEOUT_SECONDS": "10", "PAWPORT_LLM_MAX_RETRIES": "0"}
        environment(env | variables)   # exactly egress's: other services' variables would be refused
        settings.cache_clear()
        return load_app(EGRESS)
    return load


def submit(jobs: SimpleNamespace, document: bytes, content_type: str, job: dict | None = None) -> str:
    """What workers do: the document first, then job.json (whose creation is the event)."""
    job_id = str(uuid.uuid4())
    jobs.s3.put_object(Bucket=jobs.bucket, Key=f"jobs/{job_id}/document", Body=document, ContentType=content_type)
    body = {"job_id": job_id, "kind": "extraction", "document_key": f"jobs/{job_id}/document",
            "content_type": content_type} | (job or {})
    jobs.s3.put_object(Bucket=jobs.bucket, Key=f"jobs/{job_id}/job.json", Body=json.dumps(body).encode())
    return job_id


def sqs_event(jobs: SimpleNamespace, expected: int = 1) -> dict:
    """The queue's messages as Lambda's SQS event source mapping hands them over (S3's test event included)."""
    messages: list[dict] = []
    deadline = time.monotonic() + 10
    while sum('"ObjectCreated' in m["Body"] for m in messages) < expected and time.monotonic() < deadline:
        messages += jobs.sqs.receive_message(QueueUrl=jobs.queue, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                             AttributeNames=["All"]).get("Messages", [])
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                         "attributes": m["Attributes"], "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                         "eventSource": "aws:sqs", "eventSourceARN": jobs.arn, "awsRegion": "us-east-1"}
                        for m in messages]}


CONTEXT = SimpleNamespace(function_name="pawport-egress-local-extract", aws_request_id="test")


def stored(jobs: SimpleNamespace, key: str) -> dict:
    return json.loads(jobs.s3.get_object(Bucket=jobs.bucket, Key=key)["Body"].read())


def extract(jobs: SimpleNamespace, app: ModuleType, document: bytes, content_type: str) -> tuple[dict, dict]:
    job_id = submit(jobs, document, content_type)
    assert app.extract(sqs_event(jobs), CONTEXT) == {"batchItemFailures": []}
    return stored(jobs, f"results/{job_id}.json"), stored(jobs, f"usage/{job_id}.json")


def test_a_text_pdf_is_extracted(jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, usage = extract(jobs, egress(), certificate_pdf("Ltd"), "application/pdf")
    assert result["status"] == "extracted" and result["reason"] is None
    assert result["fields"] == {**EXTRACTED, "clinic": "Riverside Vets Ltd", "confidence": 1.0}
    assert usage["job_id"] == result["job_id"] and usage["model"] == "gpt-4.1-mini"
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0


def test_a_photo_is_read_by_ocr(jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, _ = extract(jobs, egress(), certificate_photo("Ltd"), "image/jpeg")
    assert result["status"] == "extracted"
    assert {k: result["fields"][k] for k in EXTRACTED} == EXTRACTED


def test_the_model_is_sent_the_document_and_the_instructions_only(
        jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    from chalicelib.egress import extraction

    document = certificate_pdf("Ltd")
    Recording.requests.clear()
    result, _ = extract(jobs, egress(), document, "application/pdf")
    [sent] = Recording.requests
    assert set(sent) == {"model", "messages", "response_format"}
    assert sent["messages"] == extraction.messages("application/pdf", document)
    assert sent["response_format"] == extraction.RESPONSE_FORMAT
    file_data = sent["messages"][1]["content"][1]["file"]["file_data"]
    assert base64.b64decode(file_data.split(",", 1)[1]) == document
    for private in (result["job_id"], jobs.bucket, "jobs/", "uploads/"):
        assert private not in json.dumps(sent)


@pytest.mark.parametrize("make, content_type", [(certificate_pdf, "application/pdf"),
                                                (certificate_photo, "image/jpeg")])
def test_no_document_text_reaches_the_logs(make: Callable[[str], bytes], content_type: str, jobs: SimpleNamespace,
                                           egress: Callable[..., ModuleType], caplog: pytest.LogCaptureFixture) -> None:
    marker = "Q" + uuid.uuid4().hex[:10].upper()
    caplog.set_level(logging.DEBUG)   # every logger, as verbose as it gets
    result, _ = extract(jobs, egress(), make(marker), content_type)
    assert result["status"] == "extracted" and "Riverside" in result["fields"]["clinic"]
    assert "extraction" in caplog.text   # the run was logged...
    for text in (marker, "Riverside", "Biscuit", "Rabies", "2029"):
        assert text not in caplog.text   # ...and nothing read from the document


def test_a_corrupt_pdf_needs_manual_entry(jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, usage = extract(jobs, egress(), b"%PDF-1.7\n" + bytes(range(256)) * 40, "application/pdf")
    assert (result["status"], result["fields"]["vaccine"]) == ("needs-manual-entry", None)
    assert result["reason"].startswith("No vaccination details could be read")
    assert usage["prompt_tokens"] > 0


def test_an_unreachable_model_needs_manual_entry(jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, usage = extract(jobs, egress(f"http://127.0.0.1:{free_port()}/v1"), certificate_pdf("Ltd"),
                            "application/pdf")
    assert (result["status"], result["fields"]) == ("needs-manual-entry", None)
    assert "could not be reached" in result["reason"]
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (0, 0)


def test_a_model_timeout_needs_manual_entry(jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    with serving(Slow) as slow:
        started = time.monotonic()
        result, _ = extract(jobs, egress(slow, PAWPORT_LLM_TIMEOUT_SECONDS="0.5", PAWPORT_LLM_MAX_RETRIES="1"),
                            certificate_pdf("Ltd"), "application/pdf")
    assert time.monotonic() - started < 3   # two bounded attempts, not one long wait
    assert result["status"] == "needs-manual-entry" and "did not answer within" in result["reason"]


def test_an_answer_failing_the_schema_needs_manual_entry(jobs: SimpleNamespace,
                                                         egress: Callable[..., ModuleType]) -> None:
    with serving(OffSchema) as off_schema:
        result, usage = extract(jobs, egress(off_schema), certificate_pdf("Ltd"), "application/pdf")
    assert (result["status"], result["fields"]) == ("needs-manual-entry", None)
    assert "expected format" in result["reason"] and usage["completion_tokens"] > 0


def test_a_duplicate_delivery_leaves_one_result(jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    app = egress()
    job_id = submit(jobs, certificate_pdf("Ltd"), "application/pdf")
    event = sqs_event(jobs)
    Recording.requests.clear()
    app.extract(event, CONTEXT)
    first = jobs.s3.head_object(Bucket=jobs.bucket, Key=f"results/{job_id}.json")["ETag"]
    assert app.extract(event, CONTEXT) == {"batchItemFailures": []}
    assert len(Recording.requests) == 1   # the second delivery made no model call
    assert jobs.s3.head_object(Bucket=jobs.bucket, Key=f"results/{job_id}.json")["ETag"] == first
    assert [o["Key"] for o in jobs.s3.list_objects_v2(Bucket=jobs.bucket, Prefix="results/")["Contents"]] == \
        [f"results/{job_id}.json"]


def test_a_broken_job_fails_alone(jobs: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    app = egress()
    good = submit(jobs, certificate_pdf("Ltd"), "application/pdf")
    submit(jobs, b"%PDF-1.7", "application/pdf", job={"document_key": "uploads/someone-else/document"})
    event = sqs_event(jobs, expected=2)
    broken = [r["messageId"] for r in event["Records"] if good not in r["body"] and "ObjectCreated" in r["body"]]
    assert app.extract(event, CONTEXT) == {"batchItemFailures": [{"itemIdentifier": broken[0]}]}
    assert stored(jobs, f"results/{good}.json")["status"] == "extracted"
