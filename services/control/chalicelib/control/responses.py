"""What control answers: declared views of what changed, never the stored row or item."""
from datetime import date

from pydantic import BaseModel

from pawport.contracts import RecordDetails


class Health(BaseModel):
    service: str
    status: str


class HouseholdCreated(BaseModel):
    household_id: str
    name: str
    role: str


class HouseholdRenamed(BaseModel):
    household_id: str
    name: str


class TimeZoneChanged(BaseModel):
    household_id: str
    time_zone: str


class ReminderWindowsView(BaseModel):
    household_id: str
    user_id: str
    windows: list[int]   # longest first; [] for no reminder mail


class PetView(BaseModel):
    pet_id: str
    household_id: str
    name: str
    species: str
    species_name: str | None
    breed: str | None
    birth_date: date | None
    microchip: str | None


class PetRemoved(BaseModel):
    removed: str
    records_removed: int


class RecordView(RecordDetails):
    document_key: str | None


class RecordsApproved(BaseModel):
    """The records one draft's approval made, in the order its vaccinations were read."""
    upload_id: str
    records: list[RecordView]


class RecordDeleted(BaseModel):
    deleted: str


class HistoryEntry(BaseModel):
    """One audited step of a record: who, when, what, and each field's value before and after."""
    at: str
    actor: str
    action: str
    changed: dict[str, dict[str, str | None]]


class RecordHistory(BaseModel):
    record_id: str
    entries: list[HistoryEntry]


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


class PassportView(BaseModel):
    """A passport as its household sees it; `path` follows the CDN's origin (the page's URL)."""
    id: str
    household_id: str
    path: str
    pet_ids: list[str]
    record_ids: list[str] | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None


class AskAccepted(BaseModel):
    """An ask handed over: its answer appears at api's GET /asks/{request_id}."""
    request_id: str
    status: str
    reserved_usd: float


class BudgetSet(BaseModel):
    household_id: str
    monthly_usd: float
