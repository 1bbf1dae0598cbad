"""What a person asks control to do, in the product's words: a request's body with the ids its
path names. Each has one handler (registry.py)."""
from dataclasses import dataclass

from chalicelib.control.requests import Acceptance, NewHousehold, NewInvitation, NewPet, NewRecord, Page, RecordFields, RoleChange


@dataclass(frozen=True)
class CreateHousehold:
    new: NewHousehold


@dataclass(frozen=True)
class AddPet:
    household_id: str
    new: NewPet


@dataclass(frozen=True)
class ApproveRecord:
    pet_id: str
    new: NewRecord


@dataclass(frozen=True)
class UpdateRecord:
    pet_id: str
    record_id: str
    fields: RecordFields


@dataclass(frozen=True)
class DeleteRecord:
    pet_id: str
    record_id: str


@dataclass(frozen=True)
class InviteMember:
    household_id: str
    new: NewInvitation


@dataclass(frozen=True)
class AcceptInvitation:
    acceptance: Acceptance


@dataclass(frozen=True)
class ChangeRole:
    household_id: str
    user_id: str
    change: RoleChange


@dataclass(frozen=True)
class RemoveMember:
    household_id: str
    user_id: str


@dataclass(frozen=True)
class LeaveHousehold:
    household_id: str


@dataclass(frozen=True)
class ReadAuditLog:
    household_id: str
    page: Page
