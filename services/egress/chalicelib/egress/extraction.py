"""Extraction, pure: the job's shape, what is sent to the model, and what its answer becomes.

The request holds the fixed instructions and the document, nothing else: no household, pet or
user data ever reaches the model. Every reason written here is fixed text (plus a number), so
no document text can leak into a result's reason or a log line.
"""
import base64
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pawport.documents import MAX_BYTES
from pawport.extraction_jobs import document_key, job_object_key

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")   # what chat models accept as image input
ContentType = Literal["application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic"]
Status = Literal["extracted", "needs-manual-entry"]


class Job(BaseModel):
    """jobs/<job_id>/job.json, written by workers after they validated the upload."""
    job_id: str
    kind: Literal["extraction"]
    document_key: str
    content_type: ContentType

    def check_key(self, job_key: str) -> None:
        """egress reads only the document beside the job it was handed."""
        if job_key != job_object_key(self.job_id) or self.document_key != document_key(self.job_id):
            raise ValueError(f"job {job_key} names another job or document")


class Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vaccine: str | None
    administered_on: date | None
    expires_on: date | None
    pet_name: str | None
    clinic: str | None
    confidence: float = Field(ge=0, le=1)

    @field_validator("vaccine", "pet_name", "clinic", mode="before")
    @classmethod
    def _blank_is_unknown(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("administered_on", "expires_on", mode="before")
    @classmethod
    def _iso_date_or_unknown(cls, value: object) -> object:
        if value is None or isinstance(value, str) and not value.strip():
            return None
        # pydantic alone would also take timestamps and datetimes; the schema asks for YYYY-MM-DD
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
            raise ValueError("not a YYYY-MM-DD date")
        return value


class Result(BaseModel):
    """results/<job_id>.json: what workers turn into a draft."""
    job_id: str
    status: Status
    fields: Fields | None
    reason: str | None

    @classmethod
    def manual(cls, job_id: str, reason: str, fields: Fields | None = None) -> "Result":
        return cls(job_id=job_id, status="needs-manual-entry", fields=fields, reason=reason)


class Usage(BaseModel):
    """usage/<job_id>.json: workers settle the job's budget reservation from it (zero when no call)."""
    job_id: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _nullable(description: str) -> dict:
    return {"type": ["string", "null"], "description": description}


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["vaccine", "administered_on", "expires_on", "pet_name", "clinic", "confidence"],
    "properties": {
        "vaccine": _nullable("The vaccine as printed, e.g. Rabies, DHPP, FVRCP; null if none is legible."),
        "administered_on": _nullable("Date the vaccine was given, YYYY-MM-DD; null if absent or ambiguous."),
        "expires_on": _nullable("Date it expires or the booster is due, YYYY-MM-DD; null if absent or ambiguous."),
        "pet_name": _nullable("The animal's name as printed; null if absent."),
        "clinic": _nullable("The veterinary clinic or practice; null if absent."),
        "confidence": {"type": "number", "description": "0 to 1: how sure you are of the fields above."},
    },
}
RESPONSE_FORMAT = {"type": "json_schema",
                   "json_schema": {"name": "vaccination_certificate", "strict": True, "schema": SCHEMA}}
INSTRUCTIONS = (
    "You read pet vaccination certificates. Report one vaccination: the first one listed if there "
    "are several. Copy values as printed; never guess. Write dates as YYYY-MM-DD, and use null for a "
    "date whose day and month could be read either way. Use null for anything absent or illegible, "
    "and lower your confidence accordingly.")


def messages(content_type: str, document: bytes) -> list[dict]:
    """The whole request body's conversation: the fixed instructions and the document."""
    data_url = f"data:{content_type};base64,{base64.b64encode(document).decode()}"
    part = ({"type": "file", "file": {"filename": "certificate.pdf", "file_data": data_url}}
            if content_type == "application/pdf" else
            {"type": "image_url", "image_url": {"url": data_url, "detail": "high"}})
    return [{"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": [{"type": "text", "text": "The certificate:"}, part]}]


def unreadable(job: Job, size: int) -> str | None:
    """Why the document is not worth a model call, if it is not."""
    if size > MAX_BYTES:
        return "The document is larger than 20 MiB. Please enter the vaccination details by hand."
    if size == 0:
        return "The document is empty. Please enter the vaccination details by hand."
    if job.content_type not in ("application/pdf", *IMAGE_TYPES):
        return "HEIC photos are not read automatically. Please enter the vaccination details by hand."
    return None


def decide(job_id: str, answer: str | None, min_confidence: float) -> Result:
    """The model's answer as a result: extracted only when complete, consistent and confident."""
    if answer is None:
        return Result.manual(job_id, "The reader declined to read this document. Please enter the details by hand.")
    try:
        fields = Fields.model_validate_json(answer)
    except ValidationError:  # never echo the error: it quotes the answer
        return Result.manual(job_id, "The reader's answer was not in the expected format. "
                                     "Please enter the details by hand.")
    missing = [label for label, value in (("vaccine", fields.vaccine), ("date given", fields.administered_on),
                                          ("expiry date", fields.expires_on)) if value is None]
    if len(missing) == 3:
        return Result.manual(job_id, "No vaccination details could be read from the document. "
                                     "Please enter them by hand.", fields)
    if missing:
        return Result.manual(job_id, f"Could not read the {' or the '.join(missing)}. "
                                     "Please check the draft and fill in what is missing.", fields)
    given, expires = fields.administered_on, fields.expires_on
    if given and expires and expires <= given:
        return Result.manual(job_id, "The expiry date read is not after the date given. "
                                     "Please check both dates.", fields)
    if fields.confidence < min_confidence:
        return Result.manual(job_id, f"The reading is uncertain (confidence {fields.confidence:.2f}). "
                                     "Please check every field.", fields)
    return Result(job_id=job_id, status="extracted", fields=fields, reason=None)
