"""What a person asks control to do, in the product's words: a request's body with the ids its
path names. Each has one handler (registry.py)."""
from dataclasses import dataclass
from datetime import datetime

from chalicelib.control.requests import (
    Acceptance,
    BudgetChange,
    DraftApproval,
    HouseholdName,
    NewAsk,
    NewHousehold,
    NewInvitation,
    NewPassport,
    NewPet,
    NewRecord,
    Page,
    PetChanges,
    RecordChanges,
    RecordReplacement,
    ReminderWindows,
    RoleChange,
    TimeZoneChange,
)


@dataclass(frozen=True)
class CreateHousehold:
    new: NewHousehold


@dataclass(frozen=True)
class ChangeTimeZone:
    household_id: str
    change: TimeZoneChange


@dataclass(frozen=True)
class ChooseReminderWindows:
    """The caller's own windows in one household (nobody chooses another member's)."""
    household_id: str
    choice: ReminderWindows


@dataclass(frozen=True)
class Unsubscribe:
    """An unsubscribe link's member, its signature already checked (control/reminders.py): no sign-in."""
    household_id: str
    user_id: str


@dataclass(frozen=True)
class AddPet:
    household_id: str
    new: NewPet


@dataclass(frozen=True)
class ApproveRecord:
    pet_id: str
    new: NewRecord


@dataclass(frozen=True)
class ApproveDraft:
    """Every vaccination of a draft still waiting becomes a record, in one commit."""
    pet_id: str
    upload_id: str
    approval: DraftApproval


@dataclass(frozen=True)
class RenameHousehold:
    household_id: str
    new: HouseholdName


@dataclass(frozen=True)
class UpdatePet:
    pet_id: str
    changes: PetChanges


@dataclass(frozen=True)
class RemovePet:
    pet_id: str


@dataclass(frozen=True)
class ReplaceRecord:
    pet_id: str
    record_id: str
    fields: RecordReplacement


@dataclass(frozen=True)
class UpdateRecord:
    pet_id: str
    record_id: str
    changes: RecordChanges


@dataclass(frozen=True)
class ReadRecordHistory:
    pet_id: str
    record_id: str


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


@dataclass(frozen=True)
class CreatePassport:
    household_id: str
    new: NewPassport


@dataclass(frozen=True)
class RevokePassport:
    household_id: str
    passport_id: str


@dataclass(frozen=True)
class AskQuestion:
    household_id: str
    new: NewAsk


@dataclass(frozen=True)
class SetLlmBudget:
    household_id: str
    change: BudgetChange


@dataclass(frozen=True)
class MailFeedback:
    """One recipient of a bounce or a complaint SES reported (control/suppressions.py reads them)."""
    feedback_id: str
    email: str
    kind: str   # permanent, transient (a bounce) or complaint
    ses_message_id: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class RecordMailFeedback:
    """What one SNS notification from SES reported; its message id is the action's request id."""
    notification_id: str
    feedback: tuple[MailFeedback, ...]
