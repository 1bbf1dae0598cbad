"""The schema of record: Alembic migrations are generated from these models, never written by hand."""
import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import ARRAY, JSON, BigInteger, DateTime, Enum, ForeignKey, Index, Integer, MetaData, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.sql import FromClause

from pawport.contracts import Role

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True), dict: JSON().with_variant(JSONB(), "postgresql")}


class Versioned:
    """A row version, bumped by SQLAlchemy on every update; projections carry it to DynamoDB."""
    __table__: ClassVar[FromClause]   # each mapped subclass's own table
    version: Mapped[int] = mapped_column(nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


class Household(Versioned, Base):
    __tablename__ = "household"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Member(Versioned, Base):
    __tablename__ = "member"
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)   # Cognito sub
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16, create_constraint=True,
                                            values_callable=lambda roles: [r.value for r in roles]))
    joined_at: Mapped[datetime]


class Invitation(Base):
    """An invitation by email. Only the token's SHA-256 is kept: the token itself goes out by mail."""
    __tablename__ = "invitation"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))    # lower case
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16, create_constraint=True,
                                            values_callable=lambda roles: [r.value for r in roles]))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    inviter_user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[str | None] = mapped_column(String(64))


class Pet(Versioned, Base):
    __tablename__ = "pet"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    species: Mapped[str] = mapped_column(String(30))
    species_name: Mapped[str | None] = mapped_column(String(30))   # what a pet of species "other" is
    breed: Mapped[str | None] = mapped_column(String(60))
    birth_date: Mapped[date | None]
    microchip: Mapped[str | None] = mapped_column(String(15))   # digits only (pawport/microchips.py)
    created_at: Mapped[datetime]


class VaccinationRecord(Versioned, Base):
    """An approved record: read from a certificate and checked by a person, or entered by hand."""
    __tablename__ = "vaccination_record"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    pet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pet.id"), index=True)
    vaccine: Mapped[str] = mapped_column(String(60))
    administered_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    clinic: Mapped[str | None] = mapped_column(String(120))
    document_key: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Passport(Versioned, Base):
    """Pets and records shared by a link that needs no sign-in. The token is kept, unlike an
    invitation's: it names the published artifact, which is republished whenever a shared record changes."""
    __tablename__ = "passport"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    selection: Mapped[dict]   # {"pet_ids": [...], "record_ids": [...] or None for every record of those pets}
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ReminderSettings(Versioned, Base):
    """A member's reminder windows in one household: days before expiry, [] for no reminder mail.
    Kept when the member leaves (a return finds them as they were); gone with the household."""
    __tablename__ = "reminder_settings"
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"),
                                                    primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)   # Cognito sub
    windows: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    updated_at: Mapped[datetime]


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household.id"), index=True)
    actor_user_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    details: Mapped[dict | None]   # what an edit changed, {field: {"from", "to"}}: a record's history


class OutboxEntry(Base):
    """Projection writes committed with the change they describe; the relay publishes them."""
    __tablename__ = "outbox_entry"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    # None for what belongs to no household: the mail suppression list
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household.id"))
    operations: Mapped[dict]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_outbox_entry_pending", "id", postgresql_where=text("published_at IS NULL")),)


class MailFeedback(Base):
    """One recipient of one bounce or complaint SES reported, kept once (a redelivered notification
    names the same feedback id): transient bounces are counted from these rows."""
    __tablename__ = "mail_feedback"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(String(256))
    email: Mapped[str] = mapped_column(String(254))   # lower case
    kind: Mapped[str] = mapped_column(String(16))     # permanent, transient or complaint
    ses_message_id: Mapped[str | None] = mapped_column(String(256))   # the mail it answers
    notification_id: Mapped[str] = mapped_column(String(64))          # the SNS message that brought it
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    __table_args__ = (Index("ix_mail_feedback_once", "feedback_id", "email", unique=True),
                      Index("ix_mail_feedback_email_occurred_at", "email", "occurred_at"))


class MailSuppression(Versioned, Base):
    """An address no mail goes to again: it bounced for good, bounced for a while too often, or complained."""
    __tablename__ = "mail_suppression"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)   # lower case
    reason: Mapped[str] = mapped_column(String(16))   # bounce or complaint
    suppressed_at: Mapped[datetime]


class Wake(Base):
    """The wake ledger: one row per database session control opened (chalicelib/control/wake_ledger.py).
    No foreign key to household: the ledger keeps failed actions and outlives deleted households."""
    __tablename__ = "wake"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    household_id: Mapped[uuid.UUID | None]
    started_at: Mapped[datetime] = mapped_column(index=True)
    connect_ms: Mapped[int]
    duration_ms: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(16))


class LlmBudget(Versioned, Base):
    """A household's monthly LLM budget, set by an owner; a household without one has the free plan's."""
    __tablename__ = "llm_budget"
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), primary_key=True)
    monthly_micro_usd: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class LlmRollup(Base):
    """A household's settled LLM use in one month, added up from the usage events in DynamoDB
    (pawport/llm_budget.py); a new month starts a new row, so closed months stay as they were."""
    __tablename__ = "llm_rollup"
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    calls: Mapped[int]
    prompt_tokens: Mapped[int] = mapped_column(BigInteger)
    completion_tokens: Mapped[int] = mapped_column(BigInteger)
    micro_usd: Mapped[int] = mapped_column(BigInteger)
    reconciled_at: Mapped[datetime]
