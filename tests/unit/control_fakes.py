"""A fake unit of work for control's handlers: repositories over dicts, the audit rows and the
projection's changes collected in lists. Rules run exactly as they do on Aurora's rows."""
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chalicelib.control.models import (
    AuditEntry,
    Household,
    Invitation,
    Member,
    Pet,
    ReminderSettings,
    Role,
    VaccinationRecord,
)
from chalicelib.control.repositories import as_user_id, as_uuid
from chalicelib.control.unit_of_work import Context
from pawport.auth import Caller
from pawport.reminders import index_windows

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Tables:
    households: dict[uuid.UUID, Household] = field(default_factory=dict)
    members: dict[tuple[uuid.UUID, str], Member] = field(default_factory=dict)
    pets: dict[uuid.UUID, Pet] = field(default_factory=dict)
    records: dict[uuid.UUID, VaccinationRecord] = field(default_factory=dict)
    invitations: list[Invitation] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    drafts: dict[tuple[str, str], dict] = field(default_factory=dict)
    reminder_settings: dict[tuple[uuid.UUID, str], ReminderSettings] = field(default_factory=dict)

    def add(self, *rows: object) -> None:
        for row in rows:
            match row:
                case Household():
                    self.households[row.id] = row
                case Member():
                    self.members[(row.household_id, row.user_id)] = row
                case Pet():
                    self.pets[row.id] = row
                case VaccinationRecord():
                    self.records[row.id] = row
                case ReminderSettings():
                    self.reminder_settings[(row.household_id, row.user_id)] = row
                case Invitation():
                    self.invitations.append(row)

    def save(self) -> None:
        pass


def _key(value: str | uuid.UUID) -> uuid.UUID | None:
    return value if isinstance(value, uuid.UUID) else as_uuid(value)


class FakeHouseholds:
    def __init__(self, tables: Tables):
        self.t, self.add, self.save = tables, tables.add, tables.save

    def get(self, household_id: uuid.UUID) -> Household:
        return self.t.households[household_id]

    def lock(self, household_id: str | uuid.UUID) -> Household | None:
        return self.t.households.get(_key(household_id))


class FakeMembers(FakeHouseholds):
    def of(self, household_id: str | uuid.UUID, user_id: str, lock: str = "share") -> Member | None:
        return self.t.members.get((_key(household_id), as_user_id(user_id)))

    def with_email(self, household_id: uuid.UUID, email: str) -> str | None:
        return next((m.user_id for (h, _), m in self.t.members.items()
                     if h == household_id and (m.email or "").lower() == email), None)

    def owners(self, household_id: uuid.UUID) -> int:
        return sum(h == household_id and m.role == Role.OWNER for (h, _), m in self.t.members.items())

    def in_household(self, household_id: uuid.UUID) -> list[Member]:
        return [m for (h, _), m in self.t.members.items() if h == household_id]

    def owned_by(self, user_id: str) -> int:
        return sum(u == user_id and m.role == Role.OWNER for (_, u), m in self.t.members.items())

    def remove(self, member: Member) -> None:
        del self.t.members[(member.household_id, member.user_id)]


class FakePets(FakeHouseholds):
    def get(self, pet_id: str) -> Pet | None:
        return self.t.pets.get(_key(pet_id))

    def count(self, household_id: uuid.UUID) -> int:
        return sum(p.household_id == household_id for p in self.t.pets.values())

    def for_update(self, pet_id: str) -> Pet | None:
        return self.get(pet_id)

    def remove(self, pet: Pet) -> None:
        del self.t.pets[pet.id]


class FakeRecords(FakeHouseholds):
    def for_update(self, record_id: str) -> VaccinationRecord | None:
        return self.t.records.get(_key(record_id))

    def get(self, record_id: str) -> VaccinationRecord | None:
        return self.t.records.get(_key(record_id))

    def of_pet(self, pet_id: uuid.UUID) -> list[VaccinationRecord]:
        return [r for r in self.t.records.values() if r.pet_id == pet_id]

    def remove(self, record: VaccinationRecord) -> None:
        del self.t.records[record.id]


class FakeInvitations(FakeHouseholds):
    def by_token_hash(self, token_hash: str) -> Invitation | None:
        return next((i for i in self.t.invitations if i.token_hash == token_hash), None)

    def sent_by(self, user_id: str, since: datetime) -> tuple[int, datetime | None]:
        sent = [i.created_at for i in self.t.invitations if i.inviter_user_id == user_id and i.created_at > since]
        return len(sent), min(sent, default=None)


class FakeReminders(FakeHouseholds):
    def settings_of(self, household_id: uuid.UUID, user_id: str) -> ReminderSettings | None:
        return self.t.reminder_settings.get((household_id, user_id))

    def index_windows(self, household_id: uuid.UUID) -> tuple[int, ...]:
        return index_windows(s.windows for (h, _), s in self.t.reminder_settings.items() if h == household_id)

    def records(self, household_id: uuid.UUID) -> list[VaccinationRecord]:
        return [r for r in self.t.records.values() if r.household_id == household_id]


class FakeAuditLog(FakeHouseholds):
    def of_target(self, household_id: uuid.UUID, target: str) -> list[AuditEntry]:
        return [e for e in self.t.audit if e.household_id == household_id and e.target == target]

    def page(self, household_id: uuid.UUID, before: int | None, limit: int) -> list[AuditEntry]:
        found = [e for e in reversed(self.t.audit) if e.household_id == household_id]
        return [e for e in found if before is None or e.id < before][:limit]


class FakeUnitOfWork:
    def __init__(self, tables: Tables, caller: Caller, now: datetime = NOW):
        self.ctx = Context(caller=caller, request_id=f"req-{uuid.uuid4()}", now=now)
        self.tables, self.published = tables, []
        self.households, self.members, self.pets = FakeHouseholds(tables), FakeMembers(tables), FakePets(tables)
        self.records, self.invitations = FakeRecords(tables), FakeInvitations(tables)
        self.audit_log, self.reminders = FakeAuditLog(tables), FakeReminders(tables)

    def find_draft(self, household_id: str, upload_id: str) -> dict | None:
        return self.tables.drafts.get((household_id, upload_id))

    def audit(self, household_id: uuid.UUID, action: str, target: str, details: dict | None = None) -> None:
        self.tables.audit.append(AuditEntry(id=len(self.tables.audit) + 1, household_id=household_id,
                                            actor_user_id=self.ctx.caller.user_id, action=action, target=target,
                                            request_id=self.ctx.request_id, at=self.ctx.now, details=details))

    def publish(self, household_id: uuid.UUID, operations: list) -> None:
        self.published.append((household_id, operations))
