"""What one service hands another, declared once: the producer writes these models and the
consumer reads the same ones, so the two sides cannot drift apart.

- ExtractionJob (workers -> egress, the payload of a synchronous invocation) and
  ExtractionAnswer (egress's answer to it: an ExtractionResult with its ExtractedFields, and the
  TokenUse); LLMUsage (workers -> the monthly reconciliation, usage/<id>.json in the jobs bucket).
- DraftBody: a DRAFT# item's body (workers write it, the api shows it, control approves from it).
- ReminderMessage: one household's reminders of a day (the daily run -> the reminders queue).
- Role and the free plan's limits, which control enforces in Aurora and the api at the counter.

Every model defers building its validators to first use: importing this module costs the api's
cold start almost nothing.
"""
import re
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pawport.documents import ContentType, DraftStatus
from pawport.reminders import Reminder

DEFERRED = ConfigDict(defer_build=True)


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


EDITOR_ROLES = frozenset({Role.OWNER, Role.EDITOR})   # who may add and change what a household holds

# The free plan: pets per household (counted in Aurora when control adds one) and documents per
# pet (a live DynamoDB counter the api checks before it signs an upload).
FREE_PLAN_PETS = 3
DOCUMENTS_PER_PET = 20

class ExtractionJob(BaseModel):
    """A document for egress to read, fetched by a presigned GET valid a few minutes: egress holds
    no S3 permission. The job names no household or pet; the URL's key does name them by opaque ids
    (and the file name), so egress never logs it nor sends it to the model."""
    model_config = DEFERRED
    job_id: str = Field(min_length=1)
    kind: Literal["extraction"] = "extraction"
    document_url: str = Field(pattern=r"^https?://")
    content_type: ContentType


class ExtractedFields(BaseModel):
    """What was read from a certificate; None for anything absent or illegible."""
    model_config = DEFERRED
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
        if type(value) is date:
            return value
        # pydantic alone would also take timestamps and datetimes; the reader is asked for YYYY-MM-DD
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
            raise ValueError("not a YYYY-MM-DD date")
        return value


class ExtractionResult(BaseModel):
    """egress's answer for one job: extracted, or needs manual entry with a reason."""
    model_config = DEFERRED
    job_id: str
    status: Literal["extracted", "needs-manual-entry"]
    fields: ExtractedFields | None = None
    reason: str | None = None

    @classmethod
    def manual(cls, job_id: str, reason: str, fields: ExtractedFields | None = None) -> "ExtractionResult":
        return cls(job_id=job_id, status="needs-manual-entry", fields=fields, reason=reason)


class TokenUse(BaseModel):
    """The model a job used and its tokens (zero when no call was made)."""
    model_config = DEFERRED
    model: str | None = None
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)


class LLMUsage(TokenUse):
    """usage/<job_id>.json: workers keep each job's use before settling its draft (the counters'
    reconciliation reads these)."""
    job_id: str


class ExtractionAnswer(BaseModel):
    """What egress's function returns for one job (a few kB, far under Lambda's 6 MB)."""
    model_config = DEFERRED
    result: ExtractionResult
    usage: TokenUse


class RecordDetails(BaseModel):
    """A vaccination record as control answers for it and the projection carries it; each side adds
    what its readers need (control the document's key, api the status and whether there is a file)."""
    model_config = DEFERRED
    id: str
    pet_id: str
    vaccine: str
    administered_on: date | None
    expires_on: date | None
    clinic: str | None


class DuplicateOf(BaseModel):
    """What already holds the same bytes in the household."""
    model_config = DEFERRED
    kind: Literal["record", "draft"]
    id: str


class DraftBody(BaseModel):
    """A DRAFT#<upload id> item's body. Keys, the hash and the token use are for the services;
    what a person sees of a draft is the api's DraftView."""
    model_config = DEFERRED
    upload_id: str
    pet_id: str
    status: DraftStatus
    reason: str | None = None
    file_name: str
    content_type: str | None = None
    size: int | None = None
    document_key: str
    thumbnail_key: str | None = None
    content_hash: str | None = None
    duplicate_of: DuplicateOf | None = None
    fields: ExtractedFields | None = None
    uploaded_at: str | None = None
    usage: TokenUse | None = None

    def stored(self) -> dict:
        """The body as written to DynamoDB, in JSON's types; the token use only once it is known."""
        return self.model_dump(mode="json", exclude={"usage"} if self.usage is None else None)


class DueReminder(BaseModel):
    model_config = DEFERRED
    record_id: str
    pet_id: str
    vaccine: str
    expires_on: date
    reminder: Reminder


class ReminderMessage(BaseModel):
    """One household's reminders of one daily run, mailed to each of its members."""
    model_config = DEFERRED
    household_id: str
    day: date
    reminders: list[DueReminder]
