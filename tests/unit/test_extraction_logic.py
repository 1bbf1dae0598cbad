"""egress's pure extraction logic: the request it builds, the answers it accepts, what it decides."""
import base64
import json
from datetime import date

import pytest

from chalicelib.egress import extraction
from chalicelib.egress.extraction import RESPONSE_FORMAT, SCHEMA, Answer, decide, messages
from pawport.contracts import ExtractionJob

COMPLETE = {"vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-14",
            "pet_name": "Biscuit", "clinic": "Riverside Vets", "confidence": 0.9}


def answer(**changes: object) -> str:
    return json.dumps(COMPLETE | changes)


def job(content_type: str = "application/pdf") -> ExtractionJob:
    return ExtractionJob(job_id="j1", kind="extraction", document_url="https://uploads.example/u1?X-Amz-Expires=300",
                         content_type=content_type)


def test_a_pdf_goes_as_a_file_part_and_nothing_else_beside_the_instructions() -> None:
    sent = messages("application/pdf", b"%PDF-1.7 certificate")
    assert sent[0] == {"role": "system", "content": extraction.INSTRUCTIONS}
    text, document = sent[1]["content"]
    assert text == {"type": "text", "text": "The certificate:"}
    assert document == {"type": "file", "file": {
        "filename": "certificate.pdf",
        "file_data": "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.7 certificate").decode()}}
    assert len(sent) == 2


@pytest.mark.parametrize("content_type", extraction.IMAGE_TYPES)
def test_a_photo_goes_as_an_image_data_url(content_type: str) -> None:
    part = messages(content_type, b"photo")[1]["content"][1]
    assert part == {"type": "image_url", "image_url": {
        "url": f"data:{content_type};base64,{base64.b64encode(b'photo').decode()}", "detail": "high"}}


def test_the_schema_is_strict_and_names_every_field() -> None:
    assert RESPONSE_FORMAT["json_schema"]["strict"] is True
    assert SCHEMA["additionalProperties"] is False
    assert set(SCHEMA["required"]) == set(SCHEMA["properties"]) == set(Answer.model_fields)


def test_a_complete_confident_answer_is_extracted() -> None:
    result = decide("j1", answer(), 0.5)
    assert (result.status, result.reason) == ("extracted", None)
    assert result.fields.administered_on == date(2026, 3, 14)
    assert result.model_dump(mode="json")["fields"]["expires_on"] == "2029-03-14"


@pytest.mark.parametrize("bad", [
    "not json", "[]", answer(confidence=1.5), answer(administered_on="14/03/2026"),
    answer(administered_on=1773446400), answer(expires_on="2029-02-30"), answer(extra="field"),
    json.dumps({k: v for k, v in COMPLETE.items() if k != "clinic"}),
])
def test_an_answer_failing_the_schema_needs_manual_entry(bad: str) -> None:
    result = decide("j1", bad, 0.5)
    assert (result.status, result.fields) == ("needs-manual-entry", None)
    assert "expected format" in result.reason


def test_a_refusal_needs_manual_entry() -> None:
    assert decide("j1", None, 0.5).status == "needs-manual-entry"


@pytest.mark.parametrize("changes, says", [
    ({"vaccine": None}, "vaccine"), ({"administered_on": None}, "date given"), ({"expires_on": ""}, "expiry date"),
    ({"expires_on": "2026-03-01"}, "not after"), ({"confidence": 0.3}, "uncertain (confidence 0.30)"),
])
def test_incomplete_or_doubtful_answers_keep_their_fields_for_the_draft(changes: dict, says: str) -> None:
    result = decide("j1", answer(**changes), 0.5)
    assert result.status == "needs-manual-entry" and says in result.reason
    assert result.fields is not None and result.fields.pet_name == "Biscuit"


def test_nothing_found_says_so() -> None:
    result = decide("j1", answer(vaccine=None, administered_on=None, expires_on=None, confidence=0), 0.5)
    assert "No vaccination details" in result.reason


def test_reasons_never_quote_the_answer() -> None:
    failing_schema = answer(vaccine="SECRET-7731", confidence="SECRET-7731")
    doubtful = answer(vaccine="SECRET-7731", confidence=0.1)
    for bad in (failing_schema, doubtful):
        assert "SECRET" not in decide("j1", bad, 0.5).reason


@pytest.mark.parametrize("content_type, size, says", [
    ("image/heic", 10, "HEIC"), ("application/pdf", 0, "empty"),
    ("application/pdf", extraction.MAX_BYTES + 1, "20 MiB"),
])
def test_documents_not_worth_a_call(content_type: str, size: int, says: str) -> None:
    assert says in extraction.unreadable(job(content_type), size)
    assert extraction.unreadable(job("image/png"), 10) is None


