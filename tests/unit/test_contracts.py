"""The contracts between services: each survives JSON unchanged, and the forms the services
write and read today (job.json, results, usage objects, draft bodies, reminder messages) parse."""
from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from pawport.contracts import (
    DOCUMENTS_PER_PET,
    FREE_PLAN_PETS,
    DraftBody,
    DueReminder,
    DuplicateOf,
    ExtractedDocument,
    ExtractedVaccination,
    ExtractionAnswer,
    ExtractionJob,
    ExtractionResult,
    LLMUsage,
    ReminderMessage,
    Role,
    TokenUse,
    VaccinationConfidence,
)
from pawport.documents import DraftStatus

SURE = {"vaccine": 0.92, "administered_on": 0.92, "expires_on": 0.92, "validity": 0.0, "batch": 0.8, "vet": 0.0}
FIELDS = {"pet_name": "Ollie", "species": "dog", "microchip": "985112345678901", "clinic": "Riverside Vets",
          "confidence": {"pet_name": 0.9, "species": 0.9, "microchip": 0.9, "clinic": 0.9}, "vaccinations": [
              {"vaccine": "Rabies", "administered_on": "2026-01-05", "expires_on": "2029-01-05", "expiry_computed": False,
               "validity": None, "batch": "RB-1", "vet": None, "confidence": SURE, "doubts": []},
              {"vaccine": "DHPP", "administered_on": "2026-01-05", "expires_on": "2029-01-04", "expiry_computed": True,
               "validity": "3 years", "batch": None, "vet": "Dr Ames", "confidence": SURE,
               "doubts": ["the expiry date is worked out from the validity printed; check it"]}]}
DRAFT = {"upload_id": "u1", "pet_id": "p1", "status": "extracting", "reason": None, "file_name": "ollie-rabies.pdf",
         "content_type": "application/pdf", "size": 5120, "document_key": "uploads/h1/p1/u1/ollie-rabies.pdf",
         "thumbnail_key": "thumbnails/h1/p1/u1.jpg", "content_hash": "ab" * 32, "duplicate_of": None, "fields": None,
         "resolved": {}, "uploaded_at": "2026-12-02T10:00:00+00:00"}
UPLOAD_URL = "https://pawport-dev-uploads.s3.amazonaws.com/uploads/h1/p1/u1/ollie-rabies.pdf?X-Amz-Expires=300"
# The wire and stored forms, as the services write them.
WRITTEN: list[tuple[type[BaseModel], dict]] = [
    (ExtractionJob, {"job_id": "j1", "kind": "extraction", "document_url": UPLOAD_URL,
                     "content_type": "application/pdf"}),
    (ExtractionAnswer, {"result": {"job_id": "j1", "status": "extracted", "fields": FIELDS, "reason": None},
                        "usage": {"model": "gpt-4.1-mini", "prompt_tokens": 800, "completion_tokens": 60}}),
    (ExtractionResult, {"job_id": "j1", "status": "extracted", "fields": FIELDS, "reason": None}),
    (ExtractionResult, {"job_id": "j1", "status": "needs-manual-entry", "fields": None,
                        "reason": "The reader could not be reached. Please enter the details by hand."}),
    (LLMUsage, {"job_id": "j1", "model": "gpt-4.1-mini", "prompt_tokens": 800, "completion_tokens": 60}),
    (DraftBody, DRAFT),
    (DraftBody, DRAFT | {"status": "ready", "fields": FIELDS,
                         "usage": {"model": "local-reader", "prompt_tokens": 800, "completion_tokens": 60}}),
    (DraftBody, DRAFT | {"status": "duplicate", "reason": "this same file is already waiting for review",
                         "duplicate_of": {"kind": "draft", "id": "u0"}}),
    (DraftBody, DRAFT | {"status": "ready", "fields": FIELDS, "resolved": {"1": "approved:r1", "2": "discarded"}}),
    (ReminderMessage, {"household_id": "h1", "day": "2026-12-03", "reminders": [
        {"record_id": "r1", "pet_id": "p1", "vaccine": "Rabies", "expires_on": "2027-01-02", "windows": [30, 7]}]}),
]


@pytest.mark.parametrize(("contract", "written"), WRITTEN)
def test_the_written_form_parses_and_is_written_back_the_same(contract: type[BaseModel], written: dict) -> None:
    parsed = contract.model_validate(written)
    assert (parsed.stored() if isinstance(parsed, DraftBody) else parsed.model_dump(mode="json")) == written
    assert contract.model_validate_json(parsed.model_dump_json()) == parsed


MODELS = [
    ExtractionJob(job_id="j2", document_url=UPLOAD_URL, content_type="image/png"),
    ExtractionResult.manual("j2", "The document is empty.", ExtractedDocument(pet_name="Biscuit", vaccinations=[
        ExtractedVaccination(vaccine=None, administered_on=date(2026, 3, 14), expires_on=None,
                             confidence=VaccinationConfidence(administered_on=0.2))])),
    LLMUsage(job_id="j2", model="local-reader"),
    DraftBody(upload_id="u2", pet_id="p2", status=DraftStatus.REJECTED, reason="the file is empty",
              file_name="empty.pdf", document_key="quarantine/h/p2/u2/empty.pdf",
              duplicate_of=DuplicateOf(kind="record", id="r9"), usage=TokenUse(model="m", prompt_tokens=1)),
    ReminderMessage(household_id="h2", day=date(2026, 12, 3), reminders=[DueReminder(
        record_id="r2", pet_id="p2", vaccine="DHPP", expires_on=date(2026, 12, 3), windows=[0])]),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_each_contract_round_trips_through_json(model: BaseModel) -> None:
    assert type(model).model_validate_json(model.model_dump_json()) == model


def test_a_draft_knows_its_entries_and_what_became_of_each() -> None:
    draft = DraftBody.model_validate(DRAFT | {"fields": FIELDS, "resolved": {"1": "approved:r1"}})
    assert (draft.entry_ids(), draft.open_entries(), draft.approved_records()) == (["1", "2"], ["2"], ["r1"])
    assert draft.vaccination("2").vaccine == "DHPP"
    with pytest.raises(KeyError):
        draft.vaccination("3")
    assert DraftBody.model_validate(DRAFT).entry_ids() == []


def test_a_draft_is_stored_with_its_token_use_only_once_it_is_known() -> None:
    assert "usage" not in DraftBody.model_validate(DRAFT).stored()
    assert DraftBody.model_validate(DRAFT).stored() == DRAFT
    spent = DraftBody.model_validate(DRAFT | {"usage": {"model": "m", "prompt_tokens": 3, "completion_tokens": 1}})
    assert spent.stored()["usage"] == {"model": "m", "prompt_tokens": 3, "completion_tokens": 1}


def test_a_job_is_a_web_address_of_an_accepted_type() -> None:
    with pytest.raises(ValidationError):
        ExtractionJob(job_id="j3", document_url=UPLOAD_URL, content_type="application/zip")
    with pytest.raises(ValidationError):   # an S3 key, as jobs once named, is not a URL egress can fetch
        ExtractionJob(job_id="j3", document_url="jobs/j3/document", content_type="application/pdf")


def test_roles_and_the_free_plan_are_declared_once() -> None:
    assert [role.value for role in Role] == ["owner", "editor", "viewer"]
    assert Role("editor") == "editor"             # a str enum: control's and the api's strings compare equal
    assert (FREE_PLAN_PETS, DOCUMENTS_PER_PET) == (3, 20)
