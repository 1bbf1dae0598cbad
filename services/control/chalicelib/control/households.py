"""Household actions: each runs in one Aurora transaction with its audit row and outbox entry."""
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pawport.auth import Caller
from pawport.errors import Conflict, Forbidden, NotFound
from chalicelib.control import outbox
from chalicelib.control.models import AuditEntry, Household, Member, Pet, Role
from chalicelib.control.projection import household_item, member_items, pet_items, put

OWNERS = frozenset({Role.OWNER})
EDITORS = frozenset({Role.OWNER, Role.EDITOR})
MEMBERS = frozenset(Role)
FREE_PLAN_PETS = 3


class NewHousehold(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    time_zone: str = Field(default="UTC", max_length=64)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class NewPet(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    species: str = Field(min_length=1, max_length=30)


@dataclass(frozen=True)
class Context:
    """Who acts, under which request, at what time (the clock is injected)."""
    caller: Caller
    request_id: str
    now: datetime


def create_household(session: Session, ctx: Context, new: NewHousehold) -> dict:
    household = Household(id=uuid.uuid4(), name=new.name, time_zone=new.time_zone, created_at=ctx.now)
    owner = Member(household_id=household.id, user_id=ctx.caller.user_id, email=ctx.caller.email,
                   role=Role.OWNER, joined_at=ctx.now)
    session.add_all([household, owner])
    session.flush()
    audit(session, ctx, household.id, "household.create", f"household:{household.id}")
    outbox.record(session, household.id, [put(household_item(household)),
                                          *map(put, member_items(owner, household))], ctx.now)
    return {"household_id": str(household.id), "name": household.name, "role": owner.role.value}


def add_pet(session: Session, ctx: Context, household_id: str, new: NewPet) -> dict:
    household = require_role(session, ctx.caller, household_id, EDITORS)
    session.refresh(household, with_for_update=True)  # serialise concurrent adds against the cap
    pets = session.scalar(select(func.count()).where(Pet.household_id == household.id))
    if pets >= FREE_PLAN_PETS:
        raise Conflict(f"the free plan holds {FREE_PLAN_PETS} pets per household")
    pet = Pet(id=uuid.uuid4(), household_id=household.id, name=new.name, species=new.species, created_at=ctx.now)
    session.add(pet)
    session.flush()
    audit(session, ctx, household.id, "pet.create", f"pet:{pet.id}")
    outbox.record(session, household.id, [put(item) for item in pet_items(pet)], ctx.now)
    return {"pet_id": str(pet.id), "household_id": str(household.id), "name": pet.name, "species": pet.species}


def require_role(session: Session, caller: Caller, household_id: str, allowed: frozenset[Role]) -> Household:
    """The permission check against Aurora, never a cache. Non-members see 404, as if it did not exist."""
    return session.get(Household, require_member(session, caller, household_id, allowed).household_id)


def require_member(session: Session, caller: Caller, household_id: str, allowed: frozenset[Role]) -> Member:
    # A shared lock: a concurrent demotion or removal of the caller waits for this action to end.
    member = session.get(Member, (_uuid(household_id), caller.user_id), with_for_update={"read": True})
    if member is None:
        raise NotFound("no such household")
    if member.role not in allowed:
        raise Forbidden(f"role {member.role.value} may not do this")
    return member


def require_pet(session: Session, caller: Caller, pet_id: str, allowed: frozenset[Role]) -> Pet:
    """The pet, if the caller's role in its household allows; 404 for pets of other households."""
    pet = session.get(Pet, _uuid(pet_id, "no such pet"))
    if pet is None:
        raise NotFound("no such pet")
    try:
        require_role(session, caller, str(pet.household_id), allowed)
    except NotFound:
        raise NotFound("no such pet") from None
    return pet


def _uuid(value: str, missing: str = "no such household") -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(missing) from None


def audit(session: Session, ctx: Context, household_id: uuid.UUID, action: str, target: str) -> None:
    session.add(AuditEntry(household_id=household_id, actor_user_id=ctx.caller.user_id, action=action,
                           target=target, request_id=ctx.request_id, at=ctx.now))
