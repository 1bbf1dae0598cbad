"""What one service hands another, declared once: the producer writes these models and the
consumer reads the same ones, so the two sides cannot drift apart.

- ExtractionJob (workers -> egress, the payload of a synchronous invocation) and
  ExtractionAnswer (egress's answer to it: an ExtractionResult with its ExtractedDocument — the pet
  as printed and a list of ExtractedVaccination — and the TokenUse); LLMUsage (workers -> the
  monthly reconciliation, usage/<id>.json in the jobs bucket).
- DraftBody: a DRAFT# item's body (workers write it, the api shows it, control approves from it),
  one entry per vaccination read, each approved or discarded on its own.
- ReminderMessage: one household's reminders of a day (the daily run -> the reminders queue).
- Role and the free plan's limits with their words, which control enforces in Aurora and the api at
  the counter.

Every model defers building its validators to first use: importing this module costs the api's
cold start almost nothing.
"""
import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from pawport.documents import ContentType, DraftStatus

DEFERRED = ConfigDict(defer_build=True)


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


EDITOR_ROLES = frozenset({Role.OWNER, Role.EDITOR})   # who may add and change what a household holds

# The free plan, every limit in one place, each with the words its 409 says: households a person
# owns (counted in Aurora when control creates one; joining others by invitation is unlimited),
# pets per household (counted in Aurora when control adds one) and documents per pet (a live
# DynamoDB counter the api checks before it signs an upload).
FREE_PLAN_OWNED_HOUSEHOLDS = 1
FREE_PLAN_PETS = 3
DOCUMENTS_PER_PET = 20
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
OWNED_HOUSEHOLDS_LIMIT = (f"the free plan allows {NUMBER_WORDS[FREE_PLAN_OWNED_HOUSEHOLDS]} household of your own, "
                          f"and you already own {NUMBER_WORDS[FREE_PLAN_OWNED_HOUSEHOLDS]} "
                          "(joining others by invitation has no limit)")
PETS_LIMIT = (f"the free plan allows {NUMBER_WORDS[FREE_PLAN_PETS]} pets per household, "
              "and this household has that many already")
DOCUMENTS_LIMIT = (f"the free plan keeps {NUMBER_WORDS[DOCUMENTS_PER_PET]} documents per pet, and this pet has "
                   "that many already: delete a record or dismiss a draft to make room")


class ExtractionJob(BaseModel):
    """A document for egress to read, fetched by a presigned GET valid a few minutes: egress holds
    no S3 permission. The job names no household or pet; the URL's key does name them by opaque ids
    (and the file name), so egress never logs it nor sends it to the model."""
    model_config = DEFERRED
    job_id: str = Field(min_length=1)
    kind: Literal["extraction"] = "extraction"
    document_url: str = Field(pattern=r"^https?://")
    content_type: ContentType


def _blank_is_unknown(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _iso_date_or_unknown(value: object) -> object:
    if value is None or isinstance(value, str) and not value.strip():
        return None
    if type(value) is date:
        return value
    # pydantic alone would also take timestamps and datetimes; the reader is asked for YYYY-MM-DD
    if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        raise ValueError("not a YYYY-MM-DD date")
    return value


Confidence = Annotated[float, Field(ge=0, le=1)]
ReadText = Annotated[str | None, BeforeValidator(_blank_is_unknown)]      # blank is unknown
ReadDay = Annotated[date | None, BeforeValidator(_iso_date_or_unknown)]   # YYYY-MM-DD or unknown


class VaccinationConfidence(BaseModel):
    """How sure the reader is of each field of one vaccination (0 for a field it did not find)."""
    model_config = DEFERRED
    vaccine: Confidence = 0
    administered_on: Confidence = 0
    expires_on: Confidence = 0
    validity: Confidence = 0
    batch: Confidence = 0
    vet: Confidence = 0


class PetConfidence(BaseModel):
    """How sure the reader is of each field about the pet and the clinic."""
    model_config = DEFERRED
    pet_name: Confidence = 0
    species: Confidence = 0
    microchip: Confidence = 0
    clinic: Confidence = 0


class ExtractedVaccination(BaseModel):
    """One vaccination read from a certificate; None for anything absent or illegible.
    `expires_on` is printed unless `expiry_computed`: then it is the date given plus the validity
    printed, a suggestion. `doubts` says in words what the reader was unsure of."""
    model_config = DEFERRED
    vaccine: ReadText
    administered_on: ReadDay
    expires_on: ReadDay
    expiry_computed: bool = False
    validity: ReadText = None
    batch: ReadText = None
    vet: ReadText = None
    confidence: VaccinationConfidence = Field(default_factory=VaccinationConfidence)
    doubts: list[str] = []


class ExtractedDocument(BaseModel):
    """What was read from a certificate: the pet as printed, the clinic, and every vaccination listed."""
    model_config = DEFERRED
    pet_name: ReadText
    species: ReadText = None
    microchip: ReadText = None
    clinic: ReadText = None
    confidence: PetConfidence = Field(default_factory=PetConfidence)
    vaccinations: list[ExtractedVaccination] = []


class ExtractionResult(BaseModel):
    """egress's answer for one job: extracted, or needs manual entry with a reason."""
    model_config = DEFERRED
    job_id: str
    status: Literal["extracted", "needs-manual-entry"]
    fields: ExtractedDocument | None = None
    reason: str | None = None

    @classmethod
    def manual(cls, job_id: str, reason: str, fields: ExtractedDocument | None = None) -> "ExtractionResult":
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


APPROVED, DISCARDED = "approved:", "discarded"   # what a resolved entry says


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
    fields: ExtractedDocument | None = None
    # What became of each vaccination read (by entry id, its place in fields.vaccinations from 1):
    # "approved:<record id>" or "discarded"; an entry not named here is still open.
    resolved: dict[str, str] = {}
    uploaded_at: str | None = None
    usage: TokenUse | None = None

    def entry_ids(self) -> list[str]:
        return [str(n) for n in range(1, len(self.fields.vaccinations) + 1)] if self.fields else []

    def open_entries(self) -> list[str]:
        return [entry for entry in self.entry_ids() if entry not in self.resolved]

    def vaccination(self, entry_id: str) -> "ExtractedVaccination":
        if self.fields is None or entry_id not in self.entry_ids():
            raise KeyError(entry_id)
        return self.fields.vaccinations[int(entry_id) - 1]

    def approved_records(self) -> list[str]:
        return [value.removeprefix(APPROVED) for value in self.resolved.values() if value.startswith(APPROVED)]

    def stored(self) -> dict:
        """The body as written to DynamoDB, in JSON's types; the token use only once it is known."""
        return self.model_dump(mode="json", exclude={"usage"} if self.usage is None else None)


class DueReminder(BaseModel):
    """One record's entry in the due-date index: the windows (days before expiry) its run sends."""
    model_config = DEFERRED
    record_id: str
    pet_id: str
    vaccine: str
    expires_on: date
    windows: list[int]


class ReminderMessage(BaseModel):
    """One household's reminders of one daily run, mailed to each of its members."""
    model_config = DEFERRED
    household_id: str
    day: date
    reminders: list[DueReminder]


class PassportBody(BaseModel):
    """A passport as control projects it: in its household's partition (the owners' list) and under
    its token (what workers publish and a certificate link is checked against)."""
    model_config = DEFERRED
    id: str
    token: str
    household_id: str
    pet_ids: list[str]
    record_ids: list[str] | None   # None: every record of those pets, as they change
    created_at: str
    expires_at: str | None         # None: until revoked
    revoked_at: str | None = None

    def shares(self, record: dict) -> bool:
        """Whether a record (a RECORD# item's body) is on this passport."""
        return record["pet_id"] in self.pet_ids and (self.record_ids is None or record["id"] in self.record_ids)


# ---- asks (control -> workers -> egress and back): only what an answer needs crosses ----

class AskedRecord(BaseModel):
    """A record as an ask shows it: `ref` is a short local name (r1, r2 ...); only workers and control
    map it back to the record's id."""
    model_config = DEFERRED
    ref: str
    vaccine: str
    administered_on: date | None
    expires_on: date | None
    clinic: str | None


class AskedPet(BaseModel):
    model_config = DEFERRED
    name: str
    species: str
    records: list[AskedRecord]


class AskContext(BaseModel):
    """The minimized context of an ask: pet names and species, record labels, dates and clinics, and
    the household's today. No e-mail, member, user, household, pet or record id, nor any file."""
    model_config = DEFERRED
    today: date
    pets: list[AskedPet]


class AskJob(BaseModel):
    """workers -> egress (a synchronous invocation): a question and its minimized context."""
    model_config = DEFERRED
    request_id: str = Field(min_length=1)
    kind: Literal["ask"] = "ask"
    question: str = Field(min_length=1, max_length=500)
    context: AskContext


class AskResult(BaseModel):
    """The model's structured answer: its text, the refs it rests on, whether the records suffice."""
    model_config = DEFERRED
    answer: str
    records: list[str]
    sufficient: bool


class AskAnswer(BaseModel):
    """egress's answer to an AskJob: the result, or (refused by the model, failed) a fixed reason; and usage."""
    model_config = DEFERRED
    request_id: str
    status: Literal["answered", "refused", "failed"]
    result: AskResult | None = None
    reason: str | None = None
    usage: TokenUse
