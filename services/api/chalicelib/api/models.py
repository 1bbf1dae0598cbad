"""What the api reads and what it answers, declared: path ids, the upload request, and the views
a person gets back. A view holds what a person needs, never a stored item as it is: no S3 keys
but the upload's own, no content hashes, no LLM token counts.

Every model builds its validators on first use, not in every cold start.
"""
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pawport.contracts import DraftBody, DuplicateOf, ExtractedFields, RecordDetails, Role
from pawport.documents import CONTENT_TYPES, DraftStatus
from pawport.errors import NotFound
from pawport.fields import SafeText
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
    model_config = DEFERRED
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


class DraftView(BaseModel):
    """An upload waiting for review: what was read from it, or why it cannot be used."""
    model_config = DEFERRED
    upload_id: str
    pet_id: str
    file_name: str
    status: DraftStatus
    reason: str | None
    fields: ExtractedFields | None
    duplicate_of: DuplicateOf | None
    uploaded_at: str | None
    thumbnail_url: str | None

    @classmethod
    def of(cls, draft: DraftBody, thumbnail_url: str | None) -> "DraftView":
        return cls(upload_id=draft.upload_id, pet_id=draft.pet_id, file_name=draft.file_name, status=draft.status,
                   reason=draft.reason, fields=draft.fields, duplicate_of=draft.duplicate_of,
                   uploaded_at=draft.uploaded_at, thumbnail_url=thumbnail_url)


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
