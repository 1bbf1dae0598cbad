"""Control's rows in Aurora, as the handlers ask for them. Every method says which lock it takes:
the locks (and their order) are what keep concurrent changes of one household correct.

An id that cannot name a row (not a UUID, or a user id no token could carry) finds nothing,
so the caller sees the same 404 as for a row that does not exist."""
import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chalicelib.control.models import AuditEntry, Household, Invitation, Member, Pet, VaccinationRecord
from pawport.contracts import Role

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


class Records(Repository):
    def for_update(self, record_id: str) -> VaccinationRecord | None:
        key = as_uuid(record_id)
        return None if key is None else self._session.get(VaccinationRecord, key, with_for_update=True)

    def remove(self, record: VaccinationRecord) -> None:
        self._session.delete(record)


class Invitations(Repository):
    def by_token_hash(self, token_hash: str) -> Invitation | None:
        return self._session.scalar(select(Invitation).where(Invitation.token_hash == token_hash).with_for_update())

    def sent_by(self, user_id: str, since: datetime) -> tuple[int, datetime | None]:
        """How many invitations this person sent after `since`, in any household, and the oldest's time."""
        sent, oldest = self._session.execute(select(func.count(), func.min(Invitation.created_at)).where(
            Invitation.inviter_user_id == user_id, Invitation.created_at > since)).one()
        return sent, oldest


class AuditLog(Repository):
    def page(self, household_id: uuid.UUID, before: int | None, limit: int) -> list[AuditEntry]:
        """Newest first, up to limit entries older than `before`."""
        query = (select(AuditEntry).where(AuditEntry.household_id == household_id)
                 .order_by(AuditEntry.id.desc()).limit(limit))
        if before is not None:
            query = query.where(AuditEntry.id < before)
        return list(self._session.scalars(query).all())
