"""egress against moto and the local LLM, as Lambda runs it: workers' synchronous invocation hands
it a job with a presigned GET of the document; it fetches the document, calls the model, and
answers with the result and the token use. It holds no AWS permission and keeps nothing.

The certificate has known contents, as a text PDF and as a photo tesseract reads (tests.support).
Other model endpoints (closed, slow, off-schema) are small local servers too."""
import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType, SimpleNamespace

import boto3
import pytest
from pydantic import ValidationError

from devstack import REPO
from devstack.llm.server import Handler, complete, make_server
from devstack.ports import free_port
from devstack.runner import load_app
from tests.support import certificates

EGRESS = REPO / "services" / "egress"
CERTIFICATE = ["Certificate of Vaccination", "Patient name: Biscuit", "Clinic: Riverside Vets {marker}",
               "Vaccine: Rabies (3 year)", "Date given: 14 March 2026", "Valid until: 03/13/2029"]
EXTRACTED = {"vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-13"}


def read_as_expected(fields: dict) -> None:
    """Biscuit's one rabies vaccination, each field read as printed."""
    [rabies] = fields["vaccinations"]
    assert fields["pet_name"] == "Biscuit" and {k: rabies[k] for k in EXTRACTED} == EXTRACTED
    assert rabies["expiry_computed"] is False and rabies["doubts"] == []


def certificate_pdf(marker: str) -> bytes:
    return certificates.certificate_pdf(*(line.format(marker=marker) for line in CERTIFICATE))


def certificate_photo(marker: str) -> bytes:
    return certificates.certificate_photo(*(line.format(marker=marker) for line in CERTIFICATE))


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
def documents(aws_env: str) -> SimpleNamespace:
    """A bucket standing in for uploads: workers presign a GET of the document for egress."""
    name = f"pawport-test-uploads-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name)
    return SimpleNamespace(bucket=name, s3=s3)


@pytest.fixture
def llm_key(aws_env: str) -> str:
    """The key's SecureString in moto's SSM, as devstack/resources.py makes it."""
    name = f"/pawport/test-{uuid.uuid4().hex[:8]}/llm-key"
    boto3.client("ssm").put_parameter(Name=name, Value="local-llm", Type="SecureString")
    return name


@pytest.fixture
def egress(documents: SimpleNamespace, reader: str, llm_key: str, environment) -> Callable[..., ModuleType]:
    """Loads egress's app.py as Lambda does, with its environment; model settings can be changed."""
    from chalicelib.egress.settings import settings

    def load(base_url: str = reader, **variables: str) -> ModuleType:
        env = {"PAWPORT_STAGE": "local", "OPENAI_BASE_URL": base_url, "PAWPORT_LLM_KEY_PARAMETER": llm_key,
               "PAWPORT_LLM_TIMEOUT_SECONDS": "10", "PAWPORT_LLM_MAX_RETRIES": "0"}
        environment(env | variables)   # exactly egress's: other services' variables would be refused
        settings.cache_clear()
        return load_app(EGRESS)
    return load


def job(documents: SimpleNamespace, document: bytes, content_type: str, seconds: int = 300) -> dict:
    """What workers invoke egress with: the upload's presigned GET, its content type and the job id."""
    key = f"uploads/h-{uuid.uuid4()}/p-1/u-1/certificate"
    documents.s3.put_object(Bucket=documents.bucket, Key=key, Body=document, ContentType=content_type)
    url = documents.s3.generate_presigned_url("get_object", Params={"Bucket": documents.bucket, "Key": key},
                                              ExpiresIn=seconds)
    return {"job_id": str(uuid.uuid4()), "kind": "extraction", "document_url": url, "content_type": content_type}


CONTEXT = SimpleNamespace(function_name="pawport-egress-local-extract", aws_request_id="test")


def extract(documents: SimpleNamespace, app: ModuleType, document: bytes, content_type: str) -> tuple[dict, dict]:
    payload = job(documents, document, content_type)
    answer = app.extract(payload, CONTEXT)
    assert set(answer) == {"result", "usage"} and answer["result"]["job_id"] == payload["job_id"]
    return answer["result"], answer["usage"]


def test_a_text_pdf_is_extracted(documents: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, usage = extract(documents, egress(), certificate_pdf("Ltd"), "application/pdf")
    assert result["status"] == "extracted" and result["reason"] is None
    read_as_expected(result["fields"])
    assert result["fields"]["clinic"] == "Riverside Vets Ltd"
    assert usage["model"] == "pawport-local-reader"   # what the endpoint reported, not the model asked for
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0


def test_a_photo_is_read_by_ocr(documents: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, _ = extract(documents, egress(), certificate_photo("Ltd"), "image/jpeg")
    assert result["status"] == "extracted"
    read_as_expected(result["fields"])


def test_the_model_is_sent_the_document_and_the_instructions_only(
        documents: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    from chalicelib.egress import extraction

    document = certificate_pdf("Ltd")
    Recording.requests.clear()
    result, _ = extract(documents, egress(), document, "application/pdf")
    [sent] = Recording.requests
    assert set(sent) == {"model", "messages", "response_format"}
    assert sent["messages"] == extraction.messages("application/pdf", document)
    assert sent["response_format"] == extraction.RESPONSE_FORMAT
    file_data = sent["messages"][1]["content"][1]["file"]["file_data"]
    assert base64.b64decode(file_data.split(",", 1)[1]) == document
    for private in (result["job_id"], documents.bucket, "uploads/", "X-Amz", "Signature"):
        assert private not in json.dumps(sent)


@pytest.mark.parametrize("make, content_type", [(certificate_pdf, "application/pdf"),
                                                (certificate_photo, "image/jpeg")])
def test_no_document_text_reaches_the_logs(make: Callable[[str], bytes], content_type: str, documents: SimpleNamespace,
                                           egress: Callable[..., ModuleType], caplog: pytest.LogCaptureFixture) -> None:
    marker = "Q" + uuid.uuid4().hex[:10].upper()
    caplog.set_level(logging.DEBUG)   # every logger, as verbose as it gets
    result, _ = extract(documents, egress(), make(marker), content_type)
    assert result["status"] == "extracted" and "Riverside" in result["fields"]["clinic"]
    assert "extraction" in caplog.text   # the run was logged...
    # Dates as printed and as read; a bare year would match inside hex signatures.
    for text in (marker, "Riverside", "Biscuit", "Rabies", "03/13/2029", "2029-03-13", "14 March 2026"):
        assert text not in caplog.text   # ...and nothing read from the document


def test_a_corrupt_pdf_needs_manual_entry(documents: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, usage = extract(documents, egress(), b"%PDF-1.7\n" + bytes(range(256)) * 40, "application/pdf")
    assert (result["status"], result["fields"]["vaccinations"]) == ("needs-manual-entry", [])
    assert result["reason"].startswith("No vaccination details could be read")
    assert usage["prompt_tokens"] > 0


def test_an_unreachable_model_needs_manual_entry(documents: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    result, usage = extract(documents, egress(f"http://127.0.0.1:{free_port()}/v1"), certificate_pdf("Ltd"),
                            "application/pdf")
    assert (result["status"], result["fields"]) == ("needs-manual-entry", None)
    assert "could not be reached" in result["reason"]
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (0, 0)


def test_a_model_timeout_needs_manual_entry(documents: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    with serving(Slow) as slow:
        started = time.monotonic()
        result, _ = extract(documents, egress(slow, PAWPORT_LLM_TIMEOUT_SECONDS="0.5", PAWPORT_LLM_MAX_RETRIES="1"),
                            certificate_pdf("Ltd"), "application/pdf")
    assert time.monotonic() - started < 3   # two bounded attempts, not one long wait
    assert result["status"] == "needs-manual-entry" and "did not answer within" in result["reason"]


def test_an_answer_failing_the_schema_needs_manual_entry(documents: SimpleNamespace,
                                                         egress: Callable[..., ModuleType]) -> None:
    with serving(OffSchema) as off_schema:
        result, usage = extract(documents, egress(off_schema), certificate_pdf("Ltd"), "application/pdf")
    assert (result["status"], result["fields"]) == ("needs-manual-entry", None)
    assert "expected format" in result["reason"] and usage["completion_tokens"] > 0


def test_a_document_that_cannot_be_fetched_fails_the_invocation_without_naming_the_url(
        documents: SimpleNamespace, egress: Callable[..., ModuleType], caplog: pytest.LogCaptureFixture) -> None:
    from chalicelib.egress.documents import DocumentUnavailable

    app = egress()
    gone = job(documents, certificate_pdf("Ltd"), "application/pdf")
    documents.s3.delete_object(Bucket=documents.bucket, Key=gone["document_url"].split(documents.bucket + "/")[1]
                               .split("?")[0])
    Recording.requests.clear()
    with pytest.raises(DocumentUnavailable, match="HTTP 404") as raised:
        app.extract(gone, CONTEXT)   # a function error: workers invoke it again with a fresh URL
    assert documents.bucket not in str(raised.value) and documents.bucket not in caplog.text
    assert Recording.requests == []   # no model call without the document


def test_a_malformed_job_fails_the_invocation(documents: SimpleNamespace, egress: Callable[..., ModuleType]) -> None:
    app = egress()
    with pytest.raises(ValidationError):
        app.extract(job(documents, b"%PDF-1.7", "application/pdf") | {"document_url": "uploads/someone-else"}, CONTEXT)


def test_egress_is_given_no_data_resource_and_makes_its_one_client_when_first_needed(
        egress: Callable[..., ModuleType]) -> None:
    from chalicelib.egress.settings import EgressSettings
    assert not [name for name in EgressSettings.model_fields if "bucket" in name or "queue" in name or "table" in name]
    model = egress().asker._model
    assert "_parameters" not in vars(model)   # the SSM client (the key's only reader) comes with the first model call
