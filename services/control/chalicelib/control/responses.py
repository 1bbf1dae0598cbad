"""What control answers: declared views of what changed, never the stored row or item."""

from pydantic import BaseModel

from pawport.contracts import RecordDetails


class Health(BaseModel):
    service: str
    status: str


class HouseholdCreated(BaseModel):
    household_id: str
    name: str
    role: str


class PetAdded(BaseModel):
    pet_id: str
    household_id: str
    name: str
    species: str


class RecordView(RecordDetails):
    document_key: str | None


class RecordDeleted(BaseModel):
    deleted: str


class InvitationSent(BaseModel):
    invitation_id: str
    household_id: str
    email: str
    role: str
    expires_at: str


class MemberView(BaseModel):
    user_id: str
    email: str | None
    role: str


class Joined(MemberView):
    household_id: str
    name: str


class MemberRemoved(BaseModel):
    removed: str
    household_id: str


class AuditEntryView(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target: str
    request_id: str


class AuditPage(BaseModel):
    entries: list[AuditEntryView]
    next: int | None


class Warmth(BaseModel):
    awake: bool
    waited_ms: int
