"""Control's rows in Aurora, as the handlers ask for them. Every method says which lock it takes:
the locks (and their order) are what keep concurrent changes of one household correct.

An id that cannot name a row (not a UUID, or a user id no token could carry) finds nothing,
so the caller sees the same 404 as for a row that does not exist."""
import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from chalicelib.control.models import (
    AuditEntry,
    Household,
    Invitation,
    LlmBudget,
    MailFeedback,
    MailSuppression,
    Member,
    Passport,
    Pet,
    ReminderSettings,
    VaccinationRecord,
)
from pawport.contracts import Role
from pawport.reminders import index_windows

USER_ID_LENGTH = 64
MEMBER_LOCKS: dict[str, dict[str, bool] | bool | None] = {"share": {"read": True}, "update": True, "none": None}


def as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def as_user_id(value: str) -> str | None:
    return value if len(value) <= USER_ID_LENGTH and value.isprintable() else None


class Repository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, *rows: object) -> None:
        """New rows, flushed: their versions (which the projection carries) are known after."""
        self._session.add_all(rows)
        self._session.flush()

    def save(self) -> None:
        """Changed rows, flushed: their versions are bumped."""
        self._session.flush()


class Households(Repository):
    def get(self, household_id: uuid.UUID) -> Household:
        """A household a membership, pet or invitation points at: there by its foreign key."""
        return self._session.get_one(Household, household_id)

    def lock(self, household_id: str | uuid.UUID) -> Household | None:
        """The household row FOR UPDATE: member changes and pet adds of one household run one at a time."""
        key = household_id if isinstance(household_id, uuid.UUID) else as_uuid(household_id)
        return None if key is None else self._session.get(Household, key, with_for_update=True)

    def llm_budget(self, household_id: uuid.UUID) -> LlmBudget | None:
        """The budget an owner set, FOR UPDATE (none: the free plan's)."""
        return self._session.get(LlmBudget, household_id, with_for_update=True)


class Members(Repository):
    def of(self, household_id: str | uuid.UUID, user_id: str, lock: str = "share") -> Member | None:
        """A membership; "share" holds off a concurrent demotion or removal of it until this
        action ends, "update" is for changing it, "none" only reads."""
        key = household_id if isinstance(household_id, uuid.UUID) else as_uuid(household_id)
        user = as_user_id(user_id)
        if key is None or user is None:
            return None
        return self._session.get(Member, (key, user), with_for_update=MEMBER_LOCKS[lock])

    def with_email(self, household_id: uuid.UUID, email: str) -> str | None:
        """The user id of a member with this (folded) address, if any."""
        return self._session.scalar(select(Member.user_id).where(Member.household_id == household_id,
                                                                 func.lower(Member.email) == email))

    def in_household(self, household_id: uuid.UUID) -> list[Member]:
        return list(self._session.scalars(select(Member).where(Member.household_id == household_id)
                                          .order_by(Member.user_id)))

    def owned_by(self, user_id: str) -> int:
        """How many households the person owns. A transaction lock on the person is taken first, so
        two creations by one person at once are counted one after the other."""
        self._session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"owner:{user_id}"))))
        return self._session.execute(select(func.count()).where(Member.user_id == user_id,
                                                                Member.role == Role.OWNER)).scalar_one()

    def owners(self, household_id: uuid.UUID) -> int:
        return self._session.execute(select(func.count()).where(Member.household_id == household_id,
                                                                Member.role == Role.OWNER)).scalar_one()

    def remove(self, member: Member) -> None:
        self._session.delete(member)


class Pets(Repository):
    def get(self, pet_id: str) -> Pet | None:
        key = as_uuid(pet_id)
        return None if key is None else self._session.get(Pet, key)

    def count(self, household_id: uuid.UUID) -> int:
        return self._session.execute(select(func.count()).where(Pet.household_id == household_id)).scalar_one()

    def in_household(self, household_id: uuid.UUID) -> list[Pet]:
        """Every pet of the household, by name (no lock: an ask only reads them)."""
        return list(self._session.scalars(select(Pet).where(Pet.household_id == household_id).order_by(Pet.name, Pet.id)))

    def for_update(self, pet_id: str) -> Pet | None:
        key = as_uuid(pet_id)
        return None if key is None else self._session.get(Pet, key, with_for_update=True)

    def remove(self, pet: Pet) -> None:
        self._session.delete(pet)
        self._session.flush()


class Records(Repository):
    def for_update(self, record_id: str) -> VaccinationRecord | None:
        key = as_uuid(record_id)
        return None if key is None else self._session.get(VaccinationRecord, key, with_for_update=True)

    def get(self, record_id: str) -> VaccinationRecord | None:
        key = as_uuid(record_id)
        return None if key is None else self._session.get(VaccinationRecord, key)

    def in_household(self, household_id: uuid.UUID) -> list[VaccinationRecord]:
        """Every record of the household, oldest given first (no lock: an ask only reads them)."""
        return list(self._session.scalars(select(VaccinationRecord).where(VaccinationRecord.household_id == household_id)
                                          .order_by(VaccinationRecord.administered_on, VaccinationRecord.id)))

    def of_pet(self, pet_id: uuid.UUID) -> list[VaccinationRecord]:
        """The pet's records FOR UPDATE: the pet's removal takes them with it."""
        return list(self._session.scalars(select(VaccinationRecord).where(VaccinationRecord.pet_id == pet_id)
                                          .order_by(VaccinationRecord.id).with_for_update()))

    def remove(self, record: VaccinationRecord) -> None:
        self._session.delete(record)


class Passports(Repository):
    def for_update(self, passport_id: str) -> Passport | None:
        key = as_uuid(passport_id)
        return None if key is None else self._session.get(Passport, key, with_for_update=True)

    def records(self, record_ids: list[str]) -> list[VaccinationRecord]:
        """The records a passport names that exist (ids that cannot name one find nothing)."""
        keys = [key for key in map(as_uuid, record_ids) if key is not None]
        return list(self._session.scalars(select(VaccinationRecord).where(VaccinationRecord.id.in_(keys))))


class Reminders(Repository):
    """Members' reminder windows, and what the due-date index is built from."""
    def settings_of(self, household_id: uuid.UUID, user_id: str) -> ReminderSettings | None:
        return self._session.get(ReminderSettings, (household_id, user_id), with_for_update=True)

    def index_windows(self, household_id: uuid.UUID) -> tuple[int, ...]:
        chosen = self._session.scalars(select(ReminderSettings.windows)
                                       .where(ReminderSettings.household_id == household_id))
        return index_windows(chosen)

    def records(self, household_id: uuid.UUID) -> list[VaccinationRecord]:
        """The household's records FOR UPDATE: an edit waits until their index entries have moved."""
        return list(self._session.scalars(select(VaccinationRecord).where(VaccinationRecord.household_id == household_id)
                                          .order_by(VaccinationRecord.id).with_for_update()))


class Invitations(Repository):
    def by_token_hash(self, token_hash: str) -> Invitation | None:
        return self._session.scalar(select(Invitation).where(Invitation.token_hash == token_hash).with_for_update())

    def sent_by(self, user_id: str, since: datetime) -> tuple[int, datetime | None]:
        """How many invitations this person sent after `since`, in any household, and the oldest's time."""
        sent, oldest = self._session.execute(select(func.count(), func.min(Invitation.created_at)).where(
            Invitation.inviter_user_id == user_id, Invitation.created_at > since)).one()
        return sent, oldest


class AuditLog(Repository):
    def of_target(self, household_id: uuid.UUID, target: str) -> list[AuditEntry]:
        """Every entry about one thing (e.g. "record:<id>"), oldest first."""
        return list(self._session.scalars(select(AuditEntry).where(AuditEntry.household_id == household_id,
                                                                   AuditEntry.target == target)
                                          .order_by(AuditEntry.id)))

    def page(self, household_id: uuid.UUID, before: int | None, limit: int) -> list[AuditEntry]:
        """Newest first, up to limit entries older than `before`."""
        query = (select(AuditEntry).where(AuditEntry.household_id == household_id)
                 .order_by(AuditEntry.id.desc()).limit(limit))
        if before is not None:
            query = query.where(AuditEntry.id < before)
        return list(self._session.scalars(query).all())


class MailSuppressions(Repository):
    def lock(self, email: str) -> None:
        """One address's feedback is counted one notification at a time (a transaction-scoped lock): two
        transient bounces arriving together cannot each miss the other."""
        self._session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(email, 0))))

    def record(self, feedback: MailFeedback) -> bool:
        """Keep one recipient's feedback; False if it was kept before (a redelivered notification)."""
        values = {c.key: getattr(feedback, c.key) for c in MailFeedback.__table__.columns if c.key != "id"}
        kept = self._session.execute(insert(MailFeedback).values(values).on_conflict_do_nothing(
            index_elements=["feedback_id", "email"]).returning(MailFeedback.id))
        return kept.scalar() is not None

    def transient_bounces(self, email: str, since: datetime, until: datetime) -> list[datetime]:
        return list(self._session.scalars(select(MailFeedback.occurred_at).where(
            MailFeedback.email == email, MailFeedback.kind == "transient",
            MailFeedback.occurred_at >= since, MailFeedback.occurred_at <= until).order_by(MailFeedback.occurred_at)))

    def of(self, email: str) -> MailSuppression | None:
        return self._session.scalar(select(MailSuppression).where(MailSuppression.email == email))
