"""Extraction, pure: what is sent to the model, and what its answer becomes (the job and the
result themselves are pawport.contracts, shared with workers).

The request holds the fixed instructions and the document, nothing else: no household, pet or
user data ever reaches the model. Every reason written here is fixed text (plus a number), so
no document text can leak into a result's reason or a log line.
"""
import base64

from pydantic import ConfigDict, ValidationError

from pawport.contracts import ExtractedFields, ExtractionJob, ExtractionResult
from pawport.documents import MAX_BYTES

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")   # what chat models accept as image input


class Answer(ExtractedFields):
    """The model's answer as the strict schema asks for it: nothing more than the fields."""
    model_config = ConfigDict(extra="forbid", defer_build=True)


def _nullable(description: str) -> dict:
    return {"type": ["string", "null"], "description": description}


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": list(ExtractedFields.model_fields),
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
    """The model's answer as a result: extracted only when complete, consistent and confident."""
    if answer is None:
        return ExtractionResult.manual(job_id, "The reader declined to read this document. Please enter the details by hand.")
    try:
        fields = Answer.model_validate_json(answer)
    except ValidationError:  # never echo the error: it quotes the answer
        return ExtractionResult.manual(job_id, "The reader's answer was not in the expected format. "
                                     "Please enter the details by hand.")
    missing = [label for label, value in (("vaccine", fields.vaccine), ("date given", fields.administered_on),
                                          ("expiry date", fields.expires_on)) if value is None]
    if len(missing) == 3:
        return ExtractionResult.manual(job_id, "No vaccination details could be read from the document. "
                                     "Please enter them by hand.", fields)
    if missing:
        return ExtractionResult.manual(job_id, f"Could not read the {' or the '.join(missing)}. "
                                     "Please check the draft and fill in what is missing.", fields)
    given, expires = fields.administered_on, fields.expires_on
    if given and expires and expires <= given:
        return ExtractionResult.manual(job_id, "The expiry date read is not after the date given. "
                                     "Please check both dates.", fields)
    if fields.confidence < min_confidence:
        return ExtractionResult.manual(job_id, f"The reading is uncertain (confidence {fields.confidence:.2f}). "
                                     "Please check every field.", fields)
    return ExtractionResult(job_id=job_id, status="extracted", fields=fields, reason=None)
