"""The schema of record: Alembic migrations are generated from these models, never written by hand."""
import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Enum, ForeignKey, Index, MetaData, String, func, text
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


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household.id"), index=True)
    actor_user_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(server_default=func.now())


class OutboxEntry(Base):
    """Projection writes committed with the change they describe; the relay publishes them."""
    __tablename__ = "outbox_entry"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"))
    operations: Mapped[dict]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_outbox_entry_pending", "id", postgresql_where=text("published_at IS NULL")),)


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
