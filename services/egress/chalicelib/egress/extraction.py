"""Extraction, pure: what is sent to the model, and what its answer becomes (the job and the
result themselves are pawport.contracts, shared with workers).

The request holds the fixed instructions and the document, nothing else: no household, pet or
user data ever reaches the model. Every reason written here is fixed text (plus a number), so
no document text can leak into a result's reason or a log line.
"""
import base64
import re

from pydantic import BaseModel, ConfigDict, ValidationError

from pawport import draft_checks
from pawport.contracts import (
    Confidence,
    ExtractedDocument,
    ExtractedVaccination,
    ExtractionJob,
    ExtractionResult,
    PetConfidence,
    ReadDay,
    ReadText,
    VaccinationConfidence,
)
from pawport.documents import MAX_BYTES

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")   # what chat models accept as image input
STRICT = ConfigDict(extra="forbid", defer_build=True)


# The model's answer as the strict schema asks for it: every field, nothing more (egress adds what
# it works out itself: a computed expiry, the doubts).
class AnswerVaccinationConfidence(BaseModel):
    model_config = STRICT
    vaccine: Confidence
    administered_on: Confidence
    expires_on: Confidence
    validity: Confidence
    batch: Confidence
    vet: Confidence


class AnswerPetConfidence(BaseModel):
    model_config = STRICT
    pet_name: Confidence
    species: Confidence
    microchip: Confidence
    clinic: Confidence


class AnswerVaccination(BaseModel):
    model_config = STRICT
    vaccine: ReadText
    administered_on: ReadDay
    expires_on: ReadDay
    validity: ReadText
    batch: ReadText
    vet: ReadText
    confidence: AnswerVaccinationConfidence


class Answer(BaseModel):
    model_config = STRICT
    pet_name: ReadText
    species: ReadText
    microchip: ReadText
    clinic: ReadText
    confidence: AnswerPetConfidence
    vaccinations: list[AnswerVaccination]


ANSWERED = ("vaccine", "administered_on", "expires_on", "validity", "batch", "vet")   # of each vaccination
PET_FIELDS = ("pet_name", "species", "microchip", "clinic")


def _nullable(description: str) -> dict:
    return {"type": ["string", "null"], "description": description}


def _confidences(names: tuple[str, ...]) -> dict:
    return {"type": "object", "additionalProperties": False, "required": list(names),
            "description": "0 to 1 for each field: how sure you are it is right as read; 0 for a null field.",
            "properties": {name: {"type": "number"} for name in names}}


VACCINATION = {
    "type": "object",
    "additionalProperties": False,
    "required": [*ANSWERED, "confidence"],
    "properties": {
        "vaccine": _nullable("The vaccine as printed, e.g. Rabies, DHPP, Leptospirosis, FVRCP; null if illegible."),
        "administered_on": _nullable("Date this vaccine was given, YYYY-MM-DD; null if absent or ambiguous."),
        "expires_on": _nullable("The expiry, valid-until or next-due date printed for this vaccine, YYYY-MM-DD; "
                                "null if none is printed (never compute one) or it is ambiguous."),
        "validity": _nullable("The validity as printed, e.g. \"3 years\", \"1 year\", \"12 months\"; null if none."),
        "batch": _nullable("The batch, lot or serial number of the vaccine; null if absent."),
        "vet": _nullable("The veterinarian who gave or signed for it; null if absent."),
        "confidence": _confidences(ANSWERED),
    },
}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": [*PET_FIELDS, "confidence", "vaccinations"],
    "properties": {
        "pet_name": _nullable("The animal's name as printed; null if absent."),
        "species": _nullable("The animal's species as printed, e.g. dog, cat; null if absent."),
        "microchip": _nullable("The microchip or transponder number as printed; null if absent."),
        "clinic": _nullable("The veterinary clinic or practice; null if absent."),
        "confidence": _confidences(PET_FIELDS),
        "vaccinations": {"type": "array", "items": VACCINATION,
                         "description": "Every vaccination listed, in the order printed; empty if none."},
    },
}
RESPONSE_FORMAT = {"type": "json_schema",
                   "json_schema": {"name": "vaccination_certificate", "strict": True, "schema": SCHEMA}}
INSTRUCTIONS = (
    "You read pet vaccination certificates. Report every vaccination listed, one item each, and the "
    "pet as printed. Copy values as printed; never guess, and never compute a date: report an "
    "expiry only when one is printed, and a validity such as \"3 years\" as printed. Write dates as "
    "YYYY-MM-DD, and use null for a date whose day and month could be read either way. Use null for "
    "anything absent or illegible. Give each field a confidence from 0 to 1; a field you are not sure "
    "of must get less than 0.5.")
FIELD_WORDS = {"vaccine": "vaccine", "administered_on": "date given", "expires_on": "expiry date",
               "validity": "validity", "batch": "batch number", "vet": "vet"}


def messages(content_type: str, document: bytes) -> list[dict]:
    """The whole request body's conversation: the fixed instructions and the document."""
    data_url = f"data:{content_type};base64,{base64.b64encode(document).decode()}"
    part = ({"type": "file", "file": {"filename": "certificate.pdf", "file_data": data_url}}
            if content_type == "application/pdf" else
            {"type": "image_url", "image_url": {"url": data_url, "detail": "high"}})
    return [{"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": [{"type": "text", "text": "The certificate:"}, part]}]


def unreadable(job: ExtractionJob, size: int) -> str | None:
    """Why the document is not worth a model call, if it is not."""
    if size > MAX_BYTES:
        return "The document is larger than 20 MiB. Please enter the vaccination details by hand."
    if size == 0:
        return "The document is empty. Please enter the vaccination details by hand."
    if job.content_type not in ("application/pdf", *IMAGE_TYPES):
        return "HEIC photos are not read automatically. Please enter the vaccination details by hand."
    return None


def decide(job_id: str, answer: str | None, min_confidence: float) -> ExtractionResult:
    """The model's answer as a result: extracted only when every vaccination read is complete,
    consistent and confident; otherwise what was read is kept for the person to finish."""
    if answer is None:
        return ExtractionResult.manual(job_id, "The reader declined to read this document. Please enter the details by hand.")
    try:
        read = Answer.model_validate_json(answer)
    except ValidationError:  # never echo the error: it quotes the answer
        return ExtractionResult.manual(job_id, "The reader's answer was not in the expected format. "
                                     "Please enter the details by hand.")
    document = ExtractedDocument(
        pet_name=read.pet_name, species=read.species.lower() if read.species else None,
        microchip=re.sub(r"\D", "", read.microchip or "") or None, clinic=read.clinic,
        confidence=PetConfidence.model_validate(read.confidence.model_dump()),
        vaccinations=[vaccination(v, min_confidence) for v in read.vaccinations
                      if any(getattr(v, name) is not None for name in ANSWERED)])
    listed = document.vaccinations
    if not any(v.vaccine for v in listed):
        return ExtractionResult.manual(job_id, "No vaccination details could be read from the document. "
                                     "Please enter them by hand." if not listed else
                                     "Could not read the vaccine. Please check the draft and fill in what is missing.",
                                     document)
    doubtful = [n for n, v in enumerate(listed, start=1) if v.doubts]
    if doubtful:   # fixed text and numbers only: what was read stays in the fields
        which = f"vaccination {doubtful[0]}" if len(doubtful) == 1 else \
            "vaccinations " + ", ".join(map(str, doubtful[:-1])) + f" and {doubtful[-1]}"
        return ExtractionResult.manual(job_id, f"Please check {which} of {len(listed)} read: "
                                     f"{listed[doubtful[0] - 1].doubts[0]}.", document)
    return ExtractionResult(job_id=job_id, status="extracted", fields=document, reason=None)


def vaccination(read: AnswerVaccination, min_confidence: float) -> ExtractedVaccination:
    """One vaccination as read, with a suggested expiry from a printed validity (marked computed),
    and its doubts in words."""
    values = read.model_dump(exclude={"confidence"})
    suggested = draft_checks.validity_end(read.administered_on, read.validity) \
        if read.expires_on is None and read.administered_on else None
    confidence = read.confidence.model_dump()
    if suggested:   # as sure as the validity it comes from
        values |= {"expires_on": suggested, "expiry_computed": True}
        confidence["expires_on"] = confidence["validity"]
    found = ExtractedVaccination.model_validate(values | {"confidence": VaccinationConfidence(**confidence)})
    return found.model_copy(update={"doubts": doubts(found, min_confidence)})


def doubts(read: ExtractedVaccination, min_confidence: float) -> list[str]:
    """What a person must check: fixed words naming the field (never its value), dates that look wrong."""
    missing = [FIELD_WORDS[name] for name in ("vaccine", "administered_on", "expires_on")
               if getattr(read, name) is None]
    said = [f"the {words} could not be read" for words in missing]
    if read.expiry_computed:
        said.append("the expiry date is worked out from the validity printed; check it")
    said += [f"the {FIELD_WORDS[name]} read is uncertain (confidence {score:.2f})"
             for name, score in read.confidence.model_dump().items()
             if getattr(read, name) is not None and score < min_confidence]
    return said + draft_checks.date_problems(read)
