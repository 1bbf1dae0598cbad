"""What the api reads and what it answers, declared: path ids, the upload request, and the views
a person gets back. A view holds what a person needs, never a stored item as it is: no S3 keys
but the upload's own, no content hashes, no LLM token counts.

Every model builds its validators on first use, not in every cold start.
"""
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pawport.contracts import DuplicateOf, PetConfidence, RecordDetails, Role, VaccinationConfidence
from pawport.documents import CONTENT_TYPES, DraftStatus
from pawport.errors import NotFound
from pawport.fields import SafeText
from pawport.passports import TOKEN_PATTERN
from pawport.pet_photos import PHOTO_TYPES
from pawport.status import Status

DEFERRED = ConfigDict(defer_build=True)
# Every id the api is asked about was made by uuid4 in control or here: anything else names nothing.
Id = Annotated[str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Path = TypeVar("Path", bound=BaseModel)


class HouseholdPath(BaseModel):
    model_config = DEFERRED
    household_id: Id


class PetPath(BaseModel):
    model_config = DEFERRED
    pet_id: Id


class RecordPath(BaseModel):
    model_config = DEFERRED
    pet_id: Id
    record_id: Id


def path(model: type[Path], **params: str) -> Path:
    """The route's ids as `model`; an id that cannot name anything is the same 404 as a missing one."""
    try:
        return model.model_validate(params)
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0])
        raise NotFound(f"no such {field.removesuffix('_id')}") from None


class UploadRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")   # an unknown field is refused by name
    file_name: Annotated[str, SafeText(200)]
    content_type: str

    @field_validator("content_type")
    @classmethod
    def _accepted_type(cls, value: str) -> str:
        if value not in CONTENT_TYPES:
            raise ValueError(f"must be one of {', '.join(CONTENT_TYPES)} (a PDF or a photo)")
        return value


class UploadForm(BaseModel):
    """A presigned POST straight to S3 for this one key."""
    model_config = DEFERRED
    upload_id: str
    key: str
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


class PhotoRequest(BaseModel):
    """A pet photo to upload: its type (what the presigned form will admit)."""
    model_config = ConfigDict(defer_build=True, extra="forbid")
    content_type: str

    @field_validator("content_type")
    @classmethod
    def _accepted_type(cls, value: str) -> str:
        if value not in PHOTO_TYPES:
            raise ValueError(f"must be one of {', '.join(PHOTO_TYPES)} (a photo)")
        return value


class Health(BaseModel):
    model_config = DEFERRED
    service: str
    status: str


class HouseholdSummary(BaseModel):
    model_config = DEFERRED
    id: str
    name: str
    time_zone: str


class RecordView(RecordDetails):
    """A vaccination record with its status on the household's calendar today."""
    status: Status
    has_document: bool

    @classmethod
    def of(cls, record: dict[str, Any], status: Status) -> "RecordView":
        return cls.model_validate(record | {"status": status, "has_document": bool(record.get("document_key"))})


class PetView(BaseModel):
    model_config = DEFERRED
    id: str
    name: str
    species: str
    species_name: str | None = None
    breed: str | None = None
    birth_date: date | None = None
    microchip: str | None = None
    photo_url: str | None = None   # the pet's square photo (JPEG), a 5-minute link; None: no photo yet
    photo_refused: str | None = None   # why the last photo uploaded was not used (for a day)
    status: Status
    records: list[RecordView]
    drafts: int


class Attention(BaseModel):
    """A record that is due or expired, for the top of the dashboard."""
    model_config = DEFERRED
    pet_id: str
    pet_name: str
    record_id: str
    vaccine: str
    expires_on: date | None
    status: Status


class Dashboard(BaseModel):
    model_config = DEFERRED
    household: HouseholdSummary
    role: Role
    today: date
    pets: list[PetView]
    attention: list[Attention]


class MemberView(BaseModel):
    model_config = DEFERRED
    user_id: str
    email: str | None = None
    role: Role
    # Owners only: SES reported the address bounced or complained, so Pawport mails it nothing
    mail_suppressed: Literal["bounce", "complaint"] | None = None


class Members(BaseModel):
    model_config = DEFERRED
    members: list[MemberView]


class Membership(BaseModel):
    model_config = DEFERRED
    household_id: str
    name: str
    role: Role


class Memberships(BaseModel):
    model_config = DEFERRED
    households: list[Membership]


class DraftPath(BaseModel):
    model_config = DEFERRED
    pet_id: Id
    upload_id: Id


class DocumentRead(BaseModel):
    """What a certificate says of the pet and the clinic, as printed."""
    model_config = DEFERRED
    pet_name: str | None
    species: str | None
    microchip: str | None
    clinic: str | None
    confidence: PetConfidence


class DraftEntryView(BaseModel):
    """One vaccination read from the upload: approved, discarded, or waiting (ready, or flagged in
    words for review). `expiry_computed`: the expiry is the date given plus the validity printed."""
    model_config = DEFERRED
    entry_id: str
    status: Literal["ready", "needs-review", "approved", "discarded"]
    record_id: str | None
    vaccine: str | None
    administered_on: date | None
    expires_on: date | None
    expiry_computed: bool
    validity: str | None
    batch: str | None
    vet: str | None
    confidence: VaccinationConfidence
    flags: list[str]


class DraftView(BaseModel):
    """An upload waiting for review: each vaccination read from it, or why it cannot be used.
    `flags` are the draft's own (another pet named); each entry has its own."""
    model_config = DEFERRED
    upload_id: str
    pet_id: str
    file_name: str
    status: DraftStatus
    reason: str | None
    fields: DocumentRead | None
    entries: list[DraftEntryView]
    flags: list[str]
    duplicate_of: DuplicateOf | None
    uploaded_at: str | None
    thumbnail_url: str | None


class DiscardRequest(BaseModel):
    """The vaccinations of a draft not to keep (their entry ids)."""
    model_config = ConfigDict(defer_build=True, extra="forbid")
    entries: Annotated[list[Annotated[str, Field(pattern=r"^[1-9][0-9]{0,2}$")]], Field(min_length=1, max_length=50)]


class EntriesDiscarded(BaseModel):
    model_config = DEFERRED
    upload_id: str
    discarded: list[str]
    dismissed: bool   # nothing was left waiting: the draft went too


class DraftDismissal(BaseModel):
    """A draft dismissed: its upload and thumbnail are gone and its place under the document cap
    is free, unless records approved from it name the file (`file_removed` false)."""
    model_config = DEFERRED
    upload_id: str
    dismissed: bool
    file_removed: bool


class Drafts(BaseModel):
    model_config = DEFERRED
    drafts: list[DraftView]


class QuickShow(BaseModel):
    """The certificate to hold up at the door, and a link to it."""
    model_config = DEFERRED
    record: RecordView
    url: str
    expires_in: int


class DocumentLink(BaseModel):
    model_config = DEFERRED
    url: str
    expires_in: int


class PassportPath(BaseModel):
    """A certificate link on a passport: the token (anything else names nothing) and the record."""
    model_config = DEFERRED
    token: Annotated[str, Field(pattern=TOKEN_PATTERN)]
    record_id: Id


class PassportSummary(BaseModel):
    """A passport as its household's owners and editors see it, with its (approximate) view count."""
    model_config = DEFERRED
    id: str
    url: str
    pet_ids: list[str]
    record_ids: list[str] | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    status: Literal["active", "expired", "revoked"]
    views: int


class Passports(BaseModel):
    model_config = DEFERRED
    passports: list[PassportSummary]


class AskPath(BaseModel):
    model_config = DEFERRED
    request_id: Id


class AskedRecordView(BaseModel):
    model_config = DEFERRED
    record_id: str
    pet_name: str
    vaccine: str


class AskView(BaseModel):
    """An ask as its household's members see it: pending until workers have egress's answer."""
    model_config = DEFERRED
    request_id: str
    status: Literal["pending", "answered", "refused", "failed"]
    question: str | None = None
    answer: str | None = None
    sufficient: bool | None = None
    records: list[AskedRecordView] = []
    reason: str | None = None
    asked_at: str | None = None


class ReminderWindowsView(BaseModel):
    """The caller's reminder windows in a household: days before expiry, longest first; [] for none."""
    model_config = DEFERRED
    household_id: str
    user_id: str
    windows: list[int]
    chosen: bool   # False: the member never chose, and has the default


class BudgetView(BaseModel):
    """The household's LLM budget and this month's spend (owners)."""
    model_config = DEFERRED
    household_id: str
    month: str
    budget_usd: float
    reserved_usd: float   # held for calls not settled yet
    spent_usd: float
    left_usd: float
    resets_on: date
