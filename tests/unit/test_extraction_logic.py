"""egress's pure extraction logic: the request it builds, the answers it accepts, what it decides."""
import base64
import json
from datetime import date

import pytest

from chalicelib.egress import extraction
from chalicelib.egress.extraction import RESPONSE_FORMAT, SCHEMA, Answer, AnswerVaccination, decide, messages
from pawport.contracts import ExtractionJob

SURE = {"vaccine": 0.9, "administered_on": 0.9, "expires_on": 0.9, "validity": 0, "batch": 0.9, "vet": 0.9}
RABIES = {"vaccine": "Rabies", "administered_on": "2026-03-14", "expires_on": "2029-03-14", "validity": None,
          "batch": "RB-2231", "vet": "Dr Ames", "confidence": SURE}
COMPLETE = {"pet_name": "Biscuit", "species": "Dog", "microchip": "985 112 345 678 901", "clinic": "Riverside Vets",
            "confidence": {"pet_name": 0.9, "species": 0.9, "microchip": 0.9, "clinic": 0.9},
            "vaccinations": [RABIES]}


def answer(**changes: object) -> str:
    """The complete answer with its one vaccination changed."""
    return json.dumps(COMPLETE | {"vaccinations": [RABIES | changes]})


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


def _strict(schema: dict) -> list[dict]:
    """Every object of the schema, nested ones too."""
    found = [schema] if schema.get("type") == "object" else []
    for child in [*schema.get("properties", {}).values(), *([schema["items"]] if "items" in schema else [])]:
        found += _strict(child)
    return found


def test_the_schema_is_strict_and_names_every_field() -> None:
    assert RESPONSE_FORMAT["json_schema"]["strict"] is True
    objects = _strict(SCHEMA)
    assert len(objects) == 4   # the document, its confidences, a vaccination, its confidences
    for part in objects:
        assert part["additionalProperties"] is False and set(part["required"]) == set(part["properties"])
    assert set(SCHEMA["required"]) == set(Answer.model_fields)
    assert set(SCHEMA["properties"]["vaccinations"]["items"]["required"]) == set(AnswerVaccination.model_fields)


def test_a_complete_confident_answer_is_extracted() -> None:
    result = decide("j1", answer(), 0.5)
    assert (result.status, result.reason) == ("extracted", None)
    [rabies] = result.fields.vaccinations
    assert (rabies.administered_on, rabies.expiry_computed, rabies.doubts) == (date(2026, 3, 14), False, [])
    assert result.model_dump(mode="json")["fields"]["vaccinations"][0]["expires_on"] == "2029-03-14"
    assert (result.fields.species, result.fields.microchip) == ("dog", "985112345678901")


def test_every_vaccination_listed_is_kept_in_order() -> None:
    three = [RABIES | {"vaccine": name} for name in ("DHPP", "Leptospirosis")] + [RABIES]
    result = decide("j1", json.dumps(COMPLETE | {"vaccinations": three}), 0.5)
    assert result.status == "extracted"
    assert [v.vaccine for v in result.fields.vaccinations] == ["DHPP", "Leptospirosis", "Rabies"]


def test_a_printed_validity_gives_a_suggested_expiry_marked_computed() -> None:
    result = decide("j1", answer(expires_on=None, validity="3 years",
                                 confidence=SURE | {"expires_on": 0, "validity": 0.9}), 0.5)
    [rabies] = result.fields.vaccinations
    assert (rabies.expires_on, rabies.expiry_computed) == (date(2029, 3, 13), True)
    assert result.status == "needs-manual-entry" and "worked out from the validity" in result.reason


def test_no_expiry_is_invented_without_a_validity() -> None:
    [rabies] = decide("j1", answer(expires_on=None, confidence=SURE | {"expires_on": 0}), 0.5).fields.vaccinations
    assert (rabies.expires_on, rabies.expiry_computed) == (None, False)
    assert "the expiry date could not be read" in rabies.doubts


def test_an_uncertain_field_is_a_doubt_even_when_the_rest_is_sure() -> None:
    result = decide("j1", answer(confidence=SURE | {"batch": 0.2}), 0.5)
    assert result.status == "needs-manual-entry"
    assert result.fields.vaccinations[0].doubts == ["the batch number read is uncertain (confidence 0.20)"]


@pytest.mark.parametrize("bad", [
    "not json", "[]", answer(confidence=SURE | {"vaccine": 1.5}), answer(administered_on="14/03/2026"),
    answer(administered_on=1773446400), answer(expires_on="2029-02-30"), answer(extra="field"),
    json.dumps({k: v for k, v in COMPLETE.items() if k != "clinic"}),
    json.dumps(COMPLETE | {"vaccinations": [{k: v for k, v in RABIES.items() if k != "batch"}]}),
    json.dumps(COMPLETE | {"vaccinations": [RABIES | {"expiry_computed": True}]}),
])
def test_an_answer_failing_the_schema_needs_manual_entry(bad: str) -> None:
    result = decide("j1", bad, 0.5)
    assert (result.status, result.fields) == ("needs-manual-entry", None)
    assert "expected format" in result.reason


def test_a_refusal_needs_manual_entry() -> None:
    assert decide("j1", None, 0.5).status == "needs-manual-entry"


@pytest.mark.parametrize("changes, says", [
    ({"vaccine": None}, "vaccine"), ({"administered_on": None}, "date given"), ({"expires_on": ""}, "expiry date"),
    ({"expires_on": "2026-03-01"}, "not after"), ({"expires_on": "2030-03-14"}, "at most 3 years"),
    ({"confidence": SURE | {"vaccine": 0.3}}, "uncertain (confidence 0.30)"),
])
def test_incomplete_or_doubtful_answers_keep_their_fields_for_the_draft(changes: dict, says: str) -> None:
    result = decide("j1", answer(**changes), 0.5)
    assert result.status == "needs-manual-entry" and says in result.reason
    assert result.fields is not None and result.fields.pet_name == "Biscuit"


def test_the_doubtful_vaccination_is_named_by_its_place() -> None:
    listed = [RABIES | {"vaccine": "DHPP"}, RABIES | {"administered_on": None}]
    result = decide("j1", json.dumps(COMPLETE | {"vaccinations": listed}), 0.5)
    assert result.reason == "Please check vaccination 2 of 2 read: the date given could not be read."
    assert result.fields.vaccinations[0].doubts == []


def test_nothing_found_says_so() -> None:
    empty = {name: None for name in RABIES if name != "confidence"} | {"confidence": dict.fromkeys(SURE, 0)}
    for listed in ([], [empty]):
        result = decide("j1", json.dumps(COMPLETE | {"vaccinations": listed}), 0.5)
        assert "No vaccination details" in result.reason and result.fields.vaccinations == []


def test_reasons_never_quote_the_answer() -> None:
    failing_schema = answer(vaccine="SECRET-7731", confidence="SECRET-7731")
    doubtful = answer(vaccine="SECRET-7731", batch="SECRET-7731", confidence=dict.fromkeys(SURE, 0.1))
    for bad in (failing_schema, doubtful):
        assert "SECRET" not in decide("j1", bad, 0.5).reason


@pytest.mark.parametrize("content_type, size, says", [
    ("image/heic", 10, "HEIC"), ("application/pdf", 0, "empty"),
    ("application/pdf", extraction.MAX_BYTES + 1, "20 MiB"),
])
def test_documents_not_worth_a_call(content_type: str, size: int, says: str) -> None:
    assert says in extraction.unreadable(job(content_type), size)
    assert extraction.unreadable(job("image/png"), 10) is None


